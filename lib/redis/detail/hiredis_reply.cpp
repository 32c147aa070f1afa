#include "redis/detail/hiredis_reply.hpp"

#include <hiredis/hiredis.h>

namespace vmterm::redis::detail {

reply from_hiredis(const redisReply* r) {
  if (r == nullptr) return reply::make_nil();
  switch (r->type) {
    case REDIS_REPLY_STRING:
      return reply::make_string(std::string(r->str, r->len));
    case REDIS_REPLY_STATUS:
      return reply::make_status(std::string(r->str, r->len));
    case REDIS_REPLY_ERROR:
      return reply::make_error(std::string(r->str, r->len));
    case REDIS_REPLY_INTEGER:
      return reply::make_integer(r->integer);
    case REDIS_REPLY_ARRAY: {
      std::vector<reply> elements;
      elements.reserve(r->elements);
      for (std::size_t i = 0; i < r->elements; ++i) elements.push_back(from_hiredis(r->element[i]));
      return reply::make_array(std::move(elements));
    }
    default:
      return reply::make_nil();
  }
}

}  // namespace vmterm::redis::detail
