#include "trace_otlp/detail/json_fields.hpp"

#include <charconv>
#include <cmath>
#include <limits>

namespace vmterm::trace_otlp::detail {
namespace {

constexpr auto no_index = static_cast<std::size_t>(-1);

[[noreturn]] void failure(const path& at, std::string reason) {
  throw decode_failure{at.str(), std::move(reason)};
}

[[noreturn]] void wrong_type(const json& v, const path& at, std::string_view expected) {
  failure(at, "expected " + std::string(expected) + ", got " + v.type_name());
}

std::string in_quotes(std::string_view s) { return "'" + std::string(s) + "'"; }

/// An integer from a JSON number or decimal string, checked against [lo, hi].
template <class Int>
Int integer(const json& v, const path& at, Int lo, Int hi) {
  if (v.is_number_unsigned()) {
    const auto u = v.get<std::uint64_t>();
    if (u > static_cast<std::uint64_t>(hi)) failure(at, std::to_string(u) + " is out of range");
    return static_cast<Int>(u);
  }
  if (v.is_number_integer()) {
    const auto i = v.get<std::int64_t>();
    if ((lo == 0 && i < 0) || (lo != 0 && i < static_cast<std::int64_t>(lo)) ||
        (i > 0 && static_cast<std::uint64_t>(i) > static_cast<std::uint64_t>(hi))) {
      failure(at, std::to_string(i) + " is out of range");
    }
    return static_cast<Int>(i);
  }
  if (v.is_number_float()) {
    const double d = v.get<double>();
    if (std::floor(d) != d || d < static_cast<double>(lo) || d > static_cast<double>(hi)) {
      failure(at, v.dump() + " is not a whole number in range");
    }
    return static_cast<Int>(d);
  }
  if (v.is_string()) {
    const auto& s = v.get_ref<const std::string&>();
    Int out{};
    const auto [ptr, ec] = std::from_chars(s.data(), s.data() + s.size(), out);
    if (s.empty() || ec == std::errc::invalid_argument || ptr != s.data() + s.size()) {
      failure(at, in_quotes(s) + " is not a whole number");
    }
    if (ec == std::errc::result_out_of_range || out < lo || out > hi) {
      failure(at, in_quotes(s) + " is out of range");
    }
    return out;
  }
  wrong_type(v, at, "an integer or a decimal string");
}

/// An enum value given as an integer or by its proto name ("SPAN_KIND_SERVER").
unsigned enum_value(const json& v, const path& at, std::string_view prefix,
                    std::initializer_list<std::string_view> names, std::string_view what) {
  if (v.is_string()) {
    const auto& s = v.get_ref<const std::string&>();
    unsigned i = 0;
    for (const auto name : names) {
      if (s.size() == prefix.size() + name.size() && s.starts_with(prefix) &&
          std::string_view(s).substr(prefix.size()) == name) {
        return i;
      }
      ++i;
    }
    if (s.empty() || s.find_first_not_of("0123456789") != std::string::npos) {
      failure(at, in_quotes(s) + " is not a " + std::string(what));
    }
  } else if (!v.is_number()) {
    wrong_type(v, at, "an integer");
  }
  const auto max = static_cast<unsigned>(names.size() - 1);
  const auto n = integer<std::int64_t>(v, at, std::numeric_limits<std::int64_t>::min(),
                                       std::numeric_limits<std::int64_t>::max());
  if (n < 0 || n > max) {
    failure(at, std::to_string(n) + " is not a " + std::string(what) + " (0 to " +
                    std::to_string(max) + ")");
  }
  return static_cast<unsigned>(n);
}

const std::string& string_value(const json& v, const path& at) {
  if (!v.is_string()) wrong_type(v, at, "a string");
  return v.get_ref<const std::string&>();
}

double double_value(const json& v, const path& at) {
  if (v.is_number()) return v.get<double>();
  if (v.is_string()) {
    const auto& s = v.get_ref<const std::string&>();
    if (s == "NaN") return std::numeric_limits<double>::quiet_NaN();
    if (s == "Infinity") return std::numeric_limits<double>::infinity();
    if (s == "-Infinity") return -std::numeric_limits<double>::infinity();
    double d = 0;
    const auto [ptr, ec] = std::from_chars(s.data(), s.data() + s.size(), d);
    if (!s.empty() && ec == std::errc{} && ptr == s.data() + s.size()) return d;
    failure(at, in_quotes(s) + " is not a number");
  }
  wrong_type(v, at, "a number");
}

/// An AnyValue as text, for array elements of mixed types and for kvlistValue.
std::string any_as_text(const json& v) {
  if (const auto* s = find(v, "stringValue"); s && s->is_string()) return s->get<std::string>();
  if (const auto* b = find(v, "boolValue"); b && b->is_boolean())
    return b->get<bool>() ? "true" : "false";
  if (const auto* i = find(v, "intValue"))
    return i->is_string() ? i->get<std::string>() : i->dump();
  if (const auto* d = find(v, "doubleValue"))
    return d->is_string() ? d->get<std::string>() : d->dump();
  if (const auto* bytes = find(v, "bytesValue"); bytes && bytes->is_string())
    return bytes->get<std::string>();
  return v.dump();
}

trace::attribute_value array_value(const json& values, const path& at) {
  if (!values.is_array()) wrong_type(values, at, "an array");
  const auto all = [&](std::string_view key) {
    return std::all_of(values.begin(), values.end(),
                       [&](const json& e) { return e.is_object() && find(e, key) != nullptr; });
  };
  std::size_t i = 0;
  const auto item = [&](std::string_view key, const json& e) -> const json& {
    return *find(e, key);
  };
  if (values.empty() || all("stringValue")) {
    std::vector<std::string> out;
    for (const auto& e : values)
      out.push_back(string_value(item("stringValue", e), path{&at, {}, i++}));
    return out;
  }
  if (all("boolValue")) {
    std::vector<bool> out;
    for (const auto& e : values) {
      const auto& b = item("boolValue", e);
      if (!b.is_boolean()) wrong_type(b, path{&at, {}, i}, "a boolean");
      out.push_back(b.get<bool>());
      ++i;
    }
    return out;
  }
  if (all("intValue")) {
    std::vector<std::int64_t> out;
    for (const auto& e : values) {
      out.push_back(integer<std::int64_t>(item("intValue", e), path{&at, {}, i++},
                                          std::numeric_limits<std::int64_t>::min(),
                                          std::numeric_limits<std::int64_t>::max()));
    }
    return out;
  }
  if (all("doubleValue")) {
    std::vector<double> out;
    for (const auto& e : values)
      out.push_back(double_value(item("doubleValue", e), path{&at, {}, i++}));
    return out;
  }
  std::vector<std::string> out;  // mixed types: keep every element as text
  for (const auto& e : values) out.push_back(any_as_text(e));
  return out;
}

trace::attribute_value any_value(const json& v, const path& at) {
  if (v.is_null()) return std::string();
  expect_object(v, at);
  if (const auto* s = find(v, "stringValue")) return string_value(*s, path{&at, "stringValue"});
  if (const auto* b = find(v, "boolValue")) {
    if (!b->is_boolean()) wrong_type(*b, path{&at, "boolValue"}, "a boolean");
    return b->get<bool>();
  }
  if (const auto* i = find(v, "intValue")) {
    return integer<std::int64_t>(*i, path{&at, "intValue"},
                                 std::numeric_limits<std::int64_t>::min(),
                                 std::numeric_limits<std::int64_t>::max());
  }
  if (const auto* d = find(v, "doubleValue")) return double_value(*d, path{&at, "doubleValue"});
  if (const auto* a = find(v, "arrayValue")) {
    const path ap{&at, "arrayValue"};
    expect_object(*a, ap);
    const auto* values = find(*a, "values");
    return values ? array_value(*values, path{&ap, "values"}) : std::vector<std::string>{};
  }
  if (const auto* kv = find(v, "kvlistValue")) return kv->dump();
  if (const auto* bytes = find(v, "bytesValue"))
    return string_value(*bytes, path{&at, "bytesValue"});
  return std::string();  // {} is the empty value
}

}  // namespace

std::string path::str() const {
  std::string parent_text = parent ? parent->str() : std::string();
  if (index != no_index) return parent_text + "[" + std::to_string(index) + "]";
  if (key.empty()) return parent_text.empty() ? "document" : parent_text;
  return parent_text.empty() || parent_text == "document" ? std::string(key)
                                                          : parent_text + "." + std::string(key);
}

const json* find(const json& j, std::string_view key) {
  if (!j.is_object()) return nullptr;
  const auto it = j.find(key);
  return it == j.end() || it->is_null() ? nullptr : &*it;
}

void expect_object(const json& j, const path& at) {
  if (!j.is_object()) wrong_type(j, at, "an object");
}

const json* object_field(const json& j, std::string_view key, const path& at) {
  const auto* v = find(j, key);
  if (v != nullptr && !v->is_object()) wrong_type(*v, path{&at, key}, "an object");
  return v;
}

void for_each_item(const json& j, std::string_view key, const path& at,
                   const std::function<void(const json&, const path&)>& fn) {
  const auto* v = find(j, key);
  if (v == nullptr) return;
  const path list{&at, key};
  if (!v->is_array()) wrong_type(*v, list, "an array");
  std::size_t i = 0;
  for (const auto& item : *v) fn(item, path{&list, {}, i++});
}

std::string string_field(const json& j, std::string_view key, const path& at) {
  const auto* v = find(j, key);
  return v ? string_value(*v, path{&at, key}) : std::string();
}

std::uint64_t u64_field(const json& j, std::string_view key, const path& at) {
  const auto* v = find(j, key);
  return v ? integer<std::uint64_t>(*v, path{&at, key}, 0,
                                    std::numeric_limits<std::uint64_t>::max())
           : 0;
}

std::int64_t i64_field(const json& j, std::string_view key, const path& at) {
  const auto* v = find(j, key);
  return v ? integer<std::int64_t>(*v, path{&at, key}, std::numeric_limits<std::int64_t>::min(),
                                   std::numeric_limits<std::int64_t>::max())
           : 0;
}

std::uint32_t u32_field(const json& j, std::string_view key, const path& at) {
  const auto* v = find(j, key);
  return v ? integer<std::uint32_t>(*v, path{&at, key}, 0,
                                    std::numeric_limits<std::uint32_t>::max())
           : 0;
}

trace::trace_id trace_id_field(const json& j, std::string_view key, const path& at) {
  const auto* v = find(j, key);
  if (v == nullptr) return {};
  const auto& s = string_value(*v, path{&at, key});
  if (s.empty()) return {};
  const auto id = trace::trace_id::from_hex(s);
  if (!id) failure(path{&at, key}, in_quotes(s) + " is not a hex trace id (32 digits)");
  return *id;
}

trace::span_id span_id_field(const json& j, std::string_view key, const path& at) {
  const auto* v = find(j, key);
  if (v == nullptr) return {};
  const auto& s = string_value(*v, path{&at, key});
  if (s.empty()) return {};
  const auto id = trace::span_id::from_hex(s);
  if (!id) failure(path{&at, key}, in_quotes(s) + " is not a hex span id (16 digits)");
  return *id;
}

trace::span_kind kind_field(const json& j, std::string_view key, const path& at) {
  const auto* v = find(j, key);
  if (v == nullptr) return trace::span_kind::internal;
  const auto n = enum_value(*v, path{&at, key}, "SPAN_KIND_",
                            {"UNSPECIFIED", "INTERNAL", "SERVER", "CLIENT", "PRODUCER", "CONSUMER"},
                            "span kind");
  return n == 0 ? trace::span_kind::internal : static_cast<trace::span_kind>(n);
}

trace::status_code status_code_field(const json& j, std::string_view key, const path& at) {
  const auto* v = find(j, key);
  if (v == nullptr) return trace::status_code::unset;
  return static_cast<trace::status_code>(
      enum_value(*v, path{&at, key}, "STATUS_CODE_", {"UNSET", "OK", "ERROR"}, "status code"));
}

trace::attributes attributes_field(const json& j, std::string_view key, const path& at) {
  trace::attributes out;
  for_each_item(j, key, at, [&](const json& kv, const path& p) {
    expect_object(kv, p);
    auto k = string_field(kv, "key", p);
    const auto* v = find(kv, "value");
    out.push_back({std::move(k), v ? any_value(*v, path{&p, "value"}) : std::string()});
  });
  return out;
}

}  // namespace vmterm::trace_otlp::detail
