#include "jaeger/v1_json.hpp"

#include <map>
#include <memory>
#include <optional>
#include <utility>

#include <nlohmann/json.hpp>

#include "jaeger/v1_json_stream.hpp"
#include "jaeger/v1_span_convert.hpp"

namespace vmterm::jaeger {
namespace {

using nlohmann::json;

bool is_span(const json& j) {
  return j.is_object() && j.contains("spanID") && j.contains("operationName");
}

bool is_trace(const json& j) {
  auto spans = j.find("spans");
  return j.is_object() && spans != j.end() && spans->is_array();
}

/// Converts spans as soon as nlohmann has parsed each one and drops them from the JSON tree,
/// so a 100,000-span trace never exists twice in memory.
class streaming_decoder {
 public:
  bool on_event(json::parse_event_t event, json& parsed) {
    if (event != json::parse_event_t::object_end || !error_.empty()) return true;
    if (is_span(parsed)) return on_span(parsed);
    if (is_trace(parsed)) return on_trace(parsed);
    return true;
  }

  expected<v1_document> finish(const json& root, std::string_view source) && {
    const auto failure = [&](const std::string& reason) {
      return fail(std::errc::invalid_argument,
                  "decode Jaeger v1 JSON '" + std::string(source) + "': " + reason);
    };
    if (!error_.empty()) return failure(error_);
    if (!pending_.empty()) return failure("spans outside a trace object (no 'spans' array)");
    if (root.is_object() && root.contains("data")) {
      collect_envelope_errors(root);
      if (doc_.trace_count == 0 && !doc_.errors.empty()) {
        return failure("the server reported: " + doc_.errors.front());
      }
    } else if (doc_.trace_count == 0 && !(root.is_array() && root.empty())) {
      return failure(
          "not Jaeger v1 JSON; expected {\"data\":[...]} or a trace object with "
          "\"traceID\" and \"spans\"");
    }
    return std::move(doc_);
  }

 private:
  bool on_span(const json& parsed) {
    auto span = detail::convert_span(parsed, span_index_++);
    if (!span) {
      error_ = span.error().message;
    } else {
      pending_.push_back(std::move(*span));
    }
    return false;  // discard the parsed span: it now lives in pending_
  }

  bool on_trace(const json& parsed) {
    detail::process_map processes;
    if (auto p = parsed.find("processes"); p != parsed.end() && p->is_object()) {
      for (const auto& [id, process] : p->items()) {
        processes.emplace(id, detail::convert_process(process));
      }
    }
    detail::resolve_processes(pending_, processes, doc_.spans);
    ++doc_.trace_count;
    return false;
  }

  void collect_envelope_errors(const json& root) {
    auto errors = root.find("errors");
    if (errors == root.end() || !errors->is_array()) return;
    for (const auto& e : *errors) {
      std::string text = e.value("msg", std::string("unknown error"));
      if (auto code = e.find("code"); code != e.end() && code->is_number()) {
        text += " (code " + code->dump() + ")";
      }
      if (auto id = e.find("traceID"); id != e.end() && id->is_string()) {
        text += " (traceID " + id->get<std::string>() + ")";
      }
      doc_.errors.push_back(std::move(text));
    }
  }

  v1_document doc_;
  std::vector<detail::pending_span> pending_;
  std::size_t span_index_ = 0;
  std::string error_;
};

}  // namespace

expected<v1_document> decode_v1_json(std::string_view text, std::string_view source) {
  if (auto doc = detail::stream_v1_json(text)) return std::move(*doc);
  return detail::decode_v1_json_dom(text, source);
}

namespace detail {

expected<v1_document> decode_v1_json_dom(std::string_view text, std::string_view source) {
  streaming_decoder decoder;
  json root;
  try {
    root = json::parse(
        text.begin(), text.end(),
        [&decoder](int, json::parse_event_t event, json& parsed) {
          return decoder.on_event(event, parsed);
        },
        true, false);
  } catch (const json::exception& e) {
    return fail(std::errc::invalid_argument,
                "decode Jaeger v1 JSON '" + std::string(source) + "': " + e.what());
  } catch (const std::exception& e) {  // bad_alloc and friends: still never thrown out
    return fail(std::errc::not_enough_memory,
                "decode Jaeger v1 JSON '" + std::string(source) + "': " + e.what());
  }
  return std::move(decoder).finish(root, source);
}

}  // namespace detail

}  // namespace vmterm::jaeger
