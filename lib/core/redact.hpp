#pragma once
/// Keeps secrets out of logs: one place that knows which fields are secret and how secrets
/// look inside free text. Pure and noexcept-friendly (allocation failure aside).

#include <string>
#include <string_view>

namespace vmterm::log {

/// The value written in place of a secret.
inline constexpr std::string_view redacted = "[REDACTED]";

/// True when a field named `key` holds a secret: token, password, passwd, secret,
/// authorization, cookie, api_key (apikey), private_key, passphrase, compared
/// case-insensitively, as the whole key or as its suffix ("session_token", "X-Api-Key";
/// '-' counts as '_').
[[nodiscard]] bool is_secret_key(std::string_view key) noexcept;

/// Redacts secrets inside free text:
///  - "Bearer <credential>" → "Bearer [REDACTED]" (case-insensitive);
///  - "<secret key>=<value>" as in query strings ("?token=abc&x=1") → "token=[REDACTED]&x=1";
///  - the password of a URL's userinfo ("redis://:pw@host", "ssh://u:pw@h") → "[REDACTED]".
[[nodiscard]] std::string redact_text(std::string_view text);

}  // namespace vmterm::log
