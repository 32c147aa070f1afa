#include "schedule/toml_subset.hpp"

#include <cctype>
#include <charconv>
#include <optional>
#include <set>

namespace vmterm::schedule {

namespace {

using json = nlohmann::ordered_json;

bool bare_key_char(char c) {
  return std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '-';
}

/// Parses one value at `s[i]`; on failure sets `err`.
class value_parser {
 public:
  explicit value_parser(std::string_view s) : s_(s) {}

  static constexpr int max_depth = 32;

  std::optional<json> value() {
    space();
    if (done()) return error("missing value");
    const char c = s_[i_];
    if (c == '"') return basic_string();
    if (c == '\'') return literal_string();
    if (c == '[' || c == '{') {
      // Each level recurses: bound it, so a hostile file is refused instead of overflowing
      // the stack (a fuzzer found thousands of '[').
      if (depth_ >= max_depth) {
        return error("arrays and inline tables nested more than " + std::to_string(max_depth) +
                     " deep");
      }
      ++depth_;
      auto v = c == '[' ? array() : inline_table();
      --depth_;
      return v;
    }
    return scalar();
  }
  void space() {
    while (!done() && (s_[i_] == ' ' || s_[i_] == '\t')) ++i_;
  }
  /// After the value: only spaces and a comment may follow.
  bool rest_is_blank() {
    space();
    return done() || s_[i_] == '#';
  }
  std::optional<std::string> key() {
    space();
    if (!done() && s_[i_] == '"') {
      auto k = basic_string();
      if (!k) return std::nullopt;
      return k->get<std::string>();
    }
    const auto start = i_;
    while (!done() && bare_key_char(s_[i_])) ++i_;
    if (i_ == start) {
      error("expected a key");
      return std::nullopt;
    }
    return std::string(s_.substr(start, i_ - start));
  }
  bool eat(char c) {
    space();
    if (done() || s_[i_] != c) return false;
    ++i_;
    return true;
  }
  bool done() const { return i_ >= s_.size(); }
  const std::string& err() const { return err_; }

 private:
  std::nullopt_t error(std::string e) {
    if (err_.empty()) err_ = std::move(e);
    return std::nullopt;
  }

  std::optional<json> basic_string() {
    ++i_;
    std::string out;
    while (!done() && s_[i_] != '"') {
      char c = s_[i_++];
      if (c != '\\') {
        if (static_cast<unsigned char>(c) < 0x20 && c != '\t')
          return error("control character in a string");
        out += c;
        continue;
      }
      if (done()) break;
      c = s_[i_++];
      switch (c) {
        case '"':
          out += '"';
          break;
        case '\\':
          out += '\\';
          break;
        case 'n':
          out += '\n';
          break;
        case 't':
          out += '\t';
          break;
        case 'r':
          out += '\r';
          break;
        case 'b':
          out += '\b';
          break;
        case 'f':
          out += '\f';
          break;
        case 'u': {
          if (s_.size() - i_ < 4) return error("bad \\u escape in a string");
          unsigned cp = 0;
          for (int k = 0; k < 4; ++k) {
            const char h = s_[i_++];
            if (!std::isxdigit(static_cast<unsigned char>(h)))
              return error("bad \\u escape in a string");
            cp = cp * 16 + static_cast<unsigned>(std::isdigit(static_cast<unsigned char>(h))
                                                     ? h - '0'
                                                     : (std::tolower(h) - 'a' + 10));
          }
          if (cp >= 0xD800 && cp <= 0xDFFF) return error("bad \\u escape in a string");
          if (cp < 0x80) {
            out += static_cast<char>(cp);
          } else if (cp < 0x800) {
            out += static_cast<char>(0xC0 | (cp >> 6));
            out += static_cast<char>(0x80 | (cp & 0x3F));
          } else {
            out += static_cast<char>(0xE0 | (cp >> 12));
            out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
            out += static_cast<char>(0x80 | (cp & 0x3F));
          }
          break;
        }
        default:
          return error(std::string("unknown escape \\") + c + " in a string");
      }
    }
    if (done()) return error("unterminated string; close it with \" on the same line");
    ++i_;
    return json(out);
  }

  std::optional<json> literal_string() {
    ++i_;
    const auto end = s_.find('\'', i_);
    if (end == std::string_view::npos)
      return error("unterminated string; close it with ' on the same line");
    json v = std::string(s_.substr(i_, end - i_));
    i_ = end + 1;
    return v;
  }

  std::optional<json> array() {
    ++i_;
    json out = json::array();
    if (eat(']')) return out;
    while (true) {
      auto v = value();
      if (!v) return std::nullopt;
      out.push_back(std::move(*v));
      if (eat(',')) {
        if (eat(']')) return out;  // TOML allows a trailing comma
        continue;
      }
      if (eat(']')) return out;
      return error(done() ? "unterminated array; arrays close with ] on the same line"
                          : "expected , or ] in an array");
    }
  }

  std::optional<json> inline_table() {
    ++i_;
    json out = json::object();
    if (eat('}')) return out;
    while (true) {
      auto k = key();
      if (!k) return std::nullopt;
      if (!eat('=')) return error("expected = after '" + *k + "' in an inline table");
      auto v = value();
      if (!v) return std::nullopt;
      if (out.contains(*k)) return error("duplicate key '" + *k + "' in an inline table");
      out[*k] = std::move(*v);
      if (eat(',')) continue;
      if (eat('}')) return out;
      return error(done() ? "unterminated inline table; close it with } on the same line"
                          : "expected , or } in an inline table");
    }
  }

  std::optional<json> scalar() {
    const auto start = i_;
    while (!done() && s_[i_] != ',' && s_[i_] != ']' && s_[i_] != '}' && s_[i_] != ' ' &&
           s_[i_] != '\t' && s_[i_] != '#') {
      ++i_;
    }
    const auto tok = s_.substr(start, i_ - start);
    if (tok == "true") return json(true);
    if (tok == "false") return json(false);
    if (tok.empty()) return error("missing value");
    const bool looks_number = std::isdigit(static_cast<unsigned char>(tok.front())) ||
                              ((tok.front() == '-' || tok.front() == '+') && tok.size() > 1 &&
                               std::isdigit(static_cast<unsigned char>(tok[1])));
    if (looks_number) {
      std::string_view t = tok.front() == '+' ? tok.substr(1) : tok;
      std::int64_t iv = 0;
      auto r = std::from_chars(t.data(), t.data() + t.size(), iv);
      if (r.ec == std::errc() && r.ptr == t.data() + t.size()) return json(iv);
      double dv = 0;
      auto rd = std::from_chars(t.data(), t.data() + t.size(), dv);
      if (rd.ec == std::errc() && rd.ptr == t.data() + t.size()) return json(dv);
    }
    return error("'" + std::string(tok) + "' is not a TOML value; quote strings: \"" +
                 std::string(tok) + "\"");
  }

  std::string_view s_;
  int depth_ = 0;
  std::size_t i_ = 0;
  std::string err_;
};

}  // namespace

expected<std::vector<toml_table>> parse_toml(std::string_view text, std::string_view file) {
  std::vector<toml_table> tables;
  {  // about one table per line that starts with '[': sized once, not by doubling
    std::size_t headers = text.starts_with('[') ? 1 : 0;
    for (std::size_t at = text.find("\n["); at != std::string_view::npos;
         at = text.find("\n[", at + 2)) {
      ++headers;
    }
    tables.reserve(headers);
  }
  std::set<std::string> names;
  int line_no = 0;
  std::size_t pos = 0;
  const auto at = [&](std::string what) {
    return fail(std::errc::invalid_argument,
                std::string(file) + ":" + std::to_string(line_no) + ": " + what);
  };
  while (pos <= text.size()) {
    const auto nl = text.find('\n', pos);
    auto line = text.substr(pos, nl == std::string_view::npos ? text.npos : nl - pos);
    pos = nl == std::string_view::npos ? text.size() + 1 : nl + 1;
    ++line_no;
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    value_parser p(line);
    p.space();
    if (p.done() || p.rest_is_blank()) continue;
    if (p.eat('[')) {
      if (p.eat('[')) return at("arrays of tables ([[...]]) are not supported; write [entry-name]");
      auto name = p.key();
      if (!name || !p.eat(']') || !p.rest_is_blank()) {
        return at("expected [entry-name] (letters, digits, _ and -)");
      }
      if (!names.insert(*name).second) {
        return at("duplicate entry [" + *name + "]; each entry name appears once");
      }
      tables.push_back({*name, line_no, {}});
      continue;
    }
    auto key = p.key();
    if (!key || !p.eat('=')) {
      if (key && p.eat('.')) return at("dotted keys are not supported; write one key per line");
      return at("expected key = value or [entry-name]");
    }
    if (tables.empty()) {
      return at("key '" + *key + "' comes before any [entry]; start an entry with [name]");
    }
    auto v = p.value();
    if (!v) return at("field '" + *key + "': " + p.err());
    if (!p.rest_is_blank()) return at("field '" + *key + "': unexpected text after the value");
    auto& t = tables.back();
    for (const auto& f : t.fields) {
      if (f.key == *key) return at("duplicate field '" + *key + "' in [" + t.name + "]");
    }
    t.fields.push_back({*key, std::move(*v), line_no});
  }
  return tables;
}

}  // namespace vmterm::schedule
