#include "ssh/known_hosts.hpp"

#include "core/parse.hpp"
#include "core/read_file.hpp"

#include <fcntl.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <pwd.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <fstream>
#include <sstream>
#include <vector>

namespace vmterm::ssh {
namespace {

using parse::lower;

/// OpenSSH's match_pattern: '*' any run, '?' one character.
bool glob(std::string_view pat, std::string_view s) {
  std::size_t p = 0, i = 0, star = std::string_view::npos, mark = 0;
  while (i < s.size()) {
    if (p < pat.size() && (pat[p] == '?' || pat[p] == s[i])) {
      ++p;
      ++i;
    } else if (p < pat.size() && pat[p] == '*') {
      star = p++;
      mark = i;
    } else if (star != std::string_view::npos) {
      p = star + 1;
      i = ++mark;
    } else {
      return false;
    }
  }
  while (p < pat.size() && pat[p] == '*') ++p;
  return p == pat.size();
}

/// "|1|base64(salt)|base64(HMAC-SHA1(salt, name))".
bool hashed_match(std::string_view entry, const std::string& name) {
  entry.remove_prefix(3);
  const auto bar = entry.find('|');
  if (bar == std::string_view::npos) return false;
  const auto salt = base64_decode(entry.substr(0, bar));
  const auto hash = base64_decode(entry.substr(bar + 1));
  if (!salt || !hash || hash->size() != 20) return false;
  unsigned char mac[EVP_MAX_MD_SIZE];
  unsigned int mac_len = 0;
  if (HMAC(EVP_sha1(), salt->data(), static_cast<int>(salt->size()),
           reinterpret_cast<const unsigned char*>(name.data()), name.size(), mac,
           &mac_len) == nullptr) {
    return false;
  }
  return mac_len == hash->size() && std::memcmp(mac, hash->data(), mac_len) == 0;
}

/// Whether a host field (comma list, or one hashed entry) names `name`.
bool host_matches(std::string_view field, const std::string& name) {
  if (field.rfind("|1|", 0) == 0) return hashed_match(field, name);
  bool matched = false;
  while (!field.empty()) {
    const auto comma = field.find(',');
    std::string_view entry = field.substr(0, comma);
    field = comma == std::string_view::npos ? std::string_view{} : field.substr(comma + 1);
    const bool negated = !entry.empty() && entry.front() == '!';
    if (negated) entry.remove_prefix(1);
    if (!glob(lower(entry), name)) continue;
    if (negated) return false;  // a negated match rules the line out
    matched = true;
  }
  return matched;
}

std::vector<std::string_view> fields(std::string_view line) {
  std::vector<std::string_view> out;
  std::size_t i = 0;
  while (i < line.size()) {
    while (i < line.size() && (line[i] == ' ' || line[i] == '\t')) ++i;
    const auto start = i;
    while (i < line.size() && line[i] != ' ' && line[i] != '\t') ++i;
    if (i > start) out.push_back(line.substr(start, i - start));
  }
  return out;
}

tl::unexpected<error> io_failure(std::string_view action, const std::filesystem::path& file) {
  const int e = errno;
  return fail(std::error_code(e, std::generic_category()),
              std::string(action) + " '" + file.string() + "': " + std::strerror(e));
}

}  // namespace

std::string_view to_string(host_key_status s) noexcept {
  switch (s) {
    case host_key_status::known:
      return "known";
    case host_key_status::unknown:
      return "unknown";
    case host_key_status::changed:
      return "changed";
    case host_key_status::revoked:
      return "revoked";
  }
  return "unknown";
}

std::string known_hosts_name(std::string_view host, std::uint16_t port) {
  if (port == 22) return lower(host);
  return "[" + lower(host) + "]:" + std::to_string(port);
}

known_hosts_result check_known_hosts(std::string_view content, std::string_view host,
                                     std::uint16_t port, const host_key& key) {
  const std::string name = known_hosts_name(host, port);
  const std::string key_b64 = base64_encode(key.blob);
  std::size_t known = 0, changed = 0, line_no = 0;
  while (!content.empty()) {
    const auto nl = content.find('\n');
    std::string_view line = content.substr(0, nl);
    content = nl == std::string_view::npos ? std::string_view{} : content.substr(nl + 1);
    ++line_no;
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    auto f = fields(line);
    if (f.empty() || f[0].front() == '#') continue;
    std::string_view marker;
    if (f[0].front() == '@') {
      marker = f[0];
      f.erase(f.begin());
    }
    if (f.size() < 3 || marker == "@cert-authority") continue;
    if (!marker.empty() && marker != "@revoked") continue;  // unknown marker: OpenSSH skips it
    if (!host_matches(f[0], name)) continue;
    const bool same_key = f[1] == key.type && f[2] == key_b64;
    if (marker == "@revoked") {
      if (same_key) return {host_key_status::revoked, line_no};
      continue;
    }
    if (same_key) {
      if (known == 0) known = line_no;
    } else if (f[1] == key.type && changed == 0) {
      changed = line_no;
    }
  }
  if (known != 0) return {host_key_status::known, known};
  if (changed != 0) return {host_key_status::changed, changed};
  return {host_key_status::unknown, 0};
}

std::optional<host_key> key_at_line(std::string_view content, std::size_t line) {
  for (std::size_t n = 1; n < line; ++n) {
    const auto nl = content.find('\n');
    if (nl == std::string_view::npos) return std::nullopt;
    content.remove_prefix(nl + 1);
  }
  auto f = fields(content.substr(0, content.find('\n')));
  if (!f.empty() && f[0].front() == '@') f.erase(f.begin());
  if (f.size() < 3) return std::nullopt;
  return host_key_from_text(f[1], f[2]);
}

std::string known_hosts_line(std::string_view host, std::uint16_t port, const host_key& key) {
  return known_hosts_name(host, port) + " " + key.type + " " + base64_encode(key.blob) + "\n";
}

expected<std::string> read_known_hosts(const std::filesystem::path& file) {
  std::error_code ec;
  std::string text = read_file(file, ec);  // close-on-exec: sessions start shells meanwhile
  if (ec) {
    if (ec == std::errc::no_such_file_or_directory) return std::string();
    errno = ec.value();
    return io_failure("read known_hosts", file);
  }
  return text;
}

expected<void> append_known_host(const std::filesystem::path& file, std::string_view line) {
  const auto dir = file.parent_path();
  if (!dir.empty() && ::mkdir(dir.c_str(), 0700) != 0 && errno != EEXIST) {
    return io_failure("create directory", dir);
  }
  const int fd = ::open(file.c_str(), O_RDWR | O_CREAT | O_APPEND | O_CLOEXEC, 0600);
  if (fd < 0) return io_failure("append to known_hosts", file);
  std::string text(line);
  struct stat st {};
  if (::fstat(fd, &st) == 0 && st.st_size > 0) {
    char last = '\n';
    if (::pread(fd, &last, 1, st.st_size - 1) == 1 && last != '\n') text.insert(0, "\n");
  }
  const auto n = ::write(fd, text.data(), text.size());
  const bool ok = n == static_cast<ssize_t>(text.size());
  const auto result = ok ? expected<void>{} : io_failure("append to known_hosts", file);
  ::close(fd);
  return result;
}

std::filesystem::path default_known_hosts_file() {
  const char* home = std::getenv("HOME");  // NOLINT(concurrency-mt-unsafe)
  std::string dir = home != nullptr && *home != '\0' ? home : "";
  if (dir.empty()) {
    const passwd* pw = ::getpwuid(::getuid());
    dir = pw != nullptr && pw->pw_dir != nullptr ? pw->pw_dir : "/";
  }
  return std::filesystem::path(dir) / ".ssh" / "known_hosts";
}

}  // namespace vmterm::ssh
