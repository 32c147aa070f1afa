#pragma once
/// What a server that did not answer in HTTP says instead, for error messages: "it answered
/// 'SSH-2.0-OpenSSH_9.2p1'" reads better than a parser's "bad version". Opens one more TCP
/// connection, sends `request` and reads the first line the server sends (many protocols
/// greet first: SSH, SMTP, FTP, Redis errors), within `timeout`. Blocking; close-on-exec.

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>

namespace vmterm::jaeger {

/// The first line the server sent, at most 60 printable characters (others shown as '?', a
/// cut line ending in "…"); nullopt when it sent nothing or could not be reached.
[[nodiscard]] std::optional<std::string> first_words(const std::string& host, std::uint16_t port,
                                                     const std::string& request,
                                                     std::chrono::milliseconds timeout);

}  // namespace vmterm::jaeger
