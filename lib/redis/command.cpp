#include "redis/command.hpp"

#include <algorithm>
#include <array>
#include <cctype>

namespace vmterm::redis {
namespace {

std::string upper(std::string_view s) {
  std::string out(s);
  for (auto& ch : out) ch = static_cast<char>(std::toupper(static_cast<unsigned char>(ch)));
  return out;
}

bool iequals(std::string_view a, std::string_view b) {
  return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
           return std::toupper(static_cast<unsigned char>(x)) ==
                  std::toupper(static_cast<unsigned char>(y));
         });
}

/// Commands whose first argument names a subcommand ("SCRIPT LOAD"): kept in the text.
constexpr std::array<std::string_view, 16> containers = {
    "ACL",    "CLIENT", "CLUSTER", "COMMAND", "CONFIG", "DEBUG",   "FUNCTION", "LATENCY",
    "MEMORY", "MODULE", "OBJECT",  "PUBSUB",  "SCRIPT", "SLOWLOG", "XGROUP",   "XINFO"};

/// Where a command's keys are, as Redis's COMMAND INFO puts it: first key, last key (negative:
/// counted from the end, -1 = the last argument) and step. {0,0,0} for EVAL-like commands,
/// whose keys follow a count.
struct key_spec {
  std::string_view name;
  int first, last, step;
};

constexpr key_spec key_specs[] = {
    {"APPEND", 1, 1, 1},
    {"BITCOUNT", 1, 1, 1},
    {"BLMOVE", 1, 2, 1},
    {"BLPOP", 1, -2, 1},
    {"BRPOP", 1, -2, 1},
    {"BRPOPLPUSH", 1, 2, 1},
    {"BZPOPMAX", 1, -2, 1},
    {"BZPOPMIN", 1, -2, 1},
    {"COPY", 1, 2, 1},
    {"DECR", 1, 1, 1},
    {"DECRBY", 1, 1, 1},
    {"DEL", 1, -1, 1},
    {"DUMP", 1, 1, 1},
    {"EVAL", 0, 0, 0},
    {"EVALSHA", 0, 0, 0},
    {"EVALSHA_RO", 0, 0, 0},
    {"EVAL_RO", 0, 0, 0},
    {"EXISTS", 1, -1, 1},
    {"EXPIRE", 1, 1, 1},
    {"EXPIREAT", 1, 1, 1},
    {"FCALL", 0, 0, 0},
    {"GET", 1, 1, 1},
    {"GETBIT", 1, 1, 1},
    {"GETDEL", 1, 1, 1},
    {"GETEX", 1, 1, 1},
    {"GETRANGE", 1, 1, 1},
    {"GETSET", 1, 1, 1},
    {"HDEL", 1, 1, 1},
    {"HEXISTS", 1, 1, 1},
    {"HGET", 1, 1, 1},
    {"HGETALL", 1, 1, 1},
    {"HINCRBY", 1, 1, 1},
    {"HINCRBYFLOAT", 1, 1, 1},
    {"HKEYS", 1, 1, 1},
    {"HLEN", 1, 1, 1},
    {"HMGET", 1, 1, 1},
    {"HMSET", 1, 1, 1},
    {"HSCAN", 1, 1, 1},
    {"HSET", 1, 1, 1},
    {"HSETNX", 1, 1, 1},
    {"HSTRLEN", 1, 1, 1},
    {"HVALS", 1, 1, 1},
    {"INCR", 1, 1, 1},
    {"INCRBY", 1, 1, 1},
    {"INCRBYFLOAT", 1, 1, 1},
    {"LINDEX", 1, 1, 1},
    {"LINSERT", 1, 1, 1},
    {"LLEN", 1, 1, 1},
    {"LMOVE", 1, 2, 1},
    {"LPOP", 1, 1, 1},
    {"LPOS", 1, 1, 1},
    {"LPUSH", 1, 1, 1},
    {"LPUSHX", 1, 1, 1},
    {"LRANGE", 1, 1, 1},
    {"LREM", 1, 1, 1},
    {"LSET", 1, 1, 1},
    {"LTRIM", 1, 1, 1},
    {"MGET", 1, -1, 1},
    {"MSET", 1, -1, 2},
    {"MSETNX", 1, -1, 2},
    {"PERSIST", 1, 1, 1},
    {"PEXPIRE", 1, 1, 1},
    {"PEXPIREAT", 1, 1, 1},
    {"PFADD", 1, 1, 1},
    {"PFCOUNT", 1, -1, 1},
    {"PSETEX", 1, 1, 1},
    {"PTTL", 1, 1, 1},
    {"PUBLISH", 1, 1, 1},
    {"RENAME", 1, 2, 1},
    {"RENAMENX", 1, 2, 1},
    {"RESTORE", 1, 1, 1},
    {"RPOP", 1, 1, 1},
    {"RPOPLPUSH", 1, 2, 1},
    {"RPUSH", 1, 1, 1},
    {"RPUSHX", 1, 1, 1},
    {"SADD", 1, 1, 1},
    {"SCARD", 1, 1, 1},
    {"SDIFF", 1, -1, 1},
    {"SET", 1, 1, 1},
    {"SETBIT", 1, 1, 1},
    {"SETEX", 1, 1, 1},
    {"SETNX", 1, 1, 1},
    {"SETRANGE", 1, 1, 1},
    {"SINTER", 1, -1, 1},
    {"SISMEMBER", 1, 1, 1},
    {"SMEMBERS", 1, 1, 1},
    {"SMISMEMBER", 1, 1, 1},
    {"SMOVE", 1, 2, 1},
    {"SPOP", 1, 1, 1},
    {"SRANDMEMBER", 1, 1, 1},
    {"SREM", 1, 1, 1},
    {"SSCAN", 1, 1, 1},
    {"STRLEN", 1, 1, 1},
    {"SUNION", 1, -1, 1},
    {"TOUCH", 1, -1, 1},
    {"TTL", 1, 1, 1},
    {"TYPE", 1, 1, 1},
    {"UNLINK", 1, -1, 1},
    {"WATCH", 1, -1, 1},
    {"XACK", 1, 1, 1},
    {"XADD", 1, 1, 1},
    {"XAUTOCLAIM", 1, 1, 1},
    {"XCLAIM", 1, 1, 1},
    {"XDEL", 1, 1, 1},
    {"XLEN", 1, 1, 1},
    {"XPENDING", 1, 1, 1},
    {"XRANGE", 1, 1, 1},
    {"XREVRANGE", 1, 1, 1},
    {"XTRIM", 1, 1, 1},
    {"ZADD", 1, 1, 1},
    {"ZCARD", 1, 1, 1},
    {"ZCOUNT", 1, 1, 1},
    {"ZINCRBY", 1, 1, 1},
    {"ZMSCORE", 1, 1, 1},
    {"ZPOPMAX", 1, 1, 1},
    {"ZPOPMIN", 1, 1, 1},
    {"ZRANGE", 1, 1, 1},
    {"ZRANGEBYSCORE", 1, 1, 1},
    {"ZRANK", 1, 1, 1},
    {"ZREM", 1, 1, 1},
    {"ZREMRANGEBYRANK", 1, 1, 1},
    {"ZREMRANGEBYSCORE", 1, 1, 1},
    {"ZREVRANGE", 1, 1, 1},
    {"ZREVRANGEBYSCORE", 1, 1, 1},
    {"ZREVRANK", 1, 1, 1},
    {"ZSCAN", 1, 1, 1},
    {"ZSCORE", 1, 1, 1},
};

static_assert(std::is_sorted(std::begin(key_specs), std::end(key_specs),
                             [](const key_spec& a, const key_spec& b) { return a.name < b.name; }),
              "key_specs must stay sorted: find_spec() searches it by halves");

const key_spec* find_spec(std::string_view name) {
  const auto* begin = std::begin(key_specs);
  const auto* end = std::end(key_specs);
  const auto* it = std::lower_bound(
      begin, end, name, [](const key_spec& k, std::string_view n) { return k.name < n; });
  return it != end && it->name == name ? it : nullptr;
}

/// Which argument positions hold keys (true = keep).
std::vector<bool> key_positions(const command& c, std::string_view name) {
  std::vector<bool> keep(c.args.size(), false);
  const auto* spec = find_spec(name);
  if (spec == nullptr) return keep;
  const int n = static_cast<int>(c.args.size());
  if (spec->step == 0) {  // EVAL script numkeys key... arg...
    if (n < 3) return keep;
    int numkeys = 0;
    for (char ch : c.args[2]) {
      if (ch < '0' || ch > '9' || numkeys > 100000) return keep;
      numkeys = numkeys * 10 + (ch - '0');
    }
    for (int i = 3; i < n && i < 3 + numkeys; ++i) keep[static_cast<std::size_t>(i)] = true;
    return keep;
  }
  const int last = spec->last < 0 ? n + spec->last : spec->last;
  for (int i = spec->first; i <= last && i < n; i += spec->step) {
    keep[static_cast<std::size_t>(i)] = true;
  }
  return keep;
}

}  // namespace

std::string command::name() const { return args.empty() ? std::string() : upper(args[0]); }

std::string sanitized_text(const command& c, bool keep_keys) {
  if (c.args.empty()) return {};
  constexpr std::size_t max_shown = 64;  // a span needs the shape, not every '?'
  const std::string name = c.name();
  std::string out = name;
  std::size_t first = 1;
  const bool container = std::find(containers.begin(), containers.end(), name) != containers.end();
  if (container && c.args.size() > 1) {
    out += ' ' + upper(c.args[1]);
    first = 2;
  }
  std::vector<bool> keep;
  if (keep_keys) keep = key_positions(c, name);
  for (std::size_t i = first; i < c.args.size(); ++i) {
    if (i - first == max_shown) {
      out += " ... (" + std::to_string(c.args.size() - i) + " more)";
      break;
    }
    out += ' ';
    if (keep_keys && keep[i]) {
      out += c.args[i];
    } else {
      out += '?';
    }
  }
  return out;
}

namespace detail {
/// True for the commands whose replies arrive as pushes, which a connection cannot carry.
bool is_subscribe_command(std::string_view name) {
  return iequals(name, "SUBSCRIBE") || iequals(name, "PSUBSCRIBE") || iequals(name, "SSUBSCRIBE") ||
         iequals(name, "UNSUBSCRIBE") || iequals(name, "PUNSUBSCRIBE") || iequals(name, "MONITOR");
}
}  // namespace detail

}  // namespace vmterm::redis
