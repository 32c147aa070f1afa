#include "ssh/detail/channel.hpp"

#include <libssh2.h>

#include "ssh/detail/session.hpp"
#include "ssh/exit_signal.hpp"

namespace vmterm::ssh {

int channel::open(session& s) noexcept {
  if (handle_ != nullptr) return 0;
  if (s.handle_ == nullptr) return LIBSSH2_ERROR_SOCKET_NONE;
  session_ = &s;
  handle_ = libssh2_channel_open_session(s.handle_);
  if (handle_ == nullptr) return libssh2_session_last_errno(s.handle_);
  libssh2_channel_handle_extended_data2(handle_, LIBSSH2_CHANNEL_EXTENDED_DATA_MERGE);
  return 0;
}

int channel::request_pty(std::string_view term, term::term_size size) noexcept {
  return libssh2_channel_request_pty_ex(handle_, term.data(), static_cast<unsigned>(term.size()),
                                        nullptr, 0, size.cols, size.rows, 0, 0);
}

int channel::start(std::string_view command) noexcept {
  if (command.empty()) return libssh2_channel_process_startup(handle_, "shell", 5, nullptr, 0);
  return libssh2_channel_process_startup(handle_, "exec", 4, command.data(),
                                         static_cast<unsigned>(command.size()));
}

int channel::resize(term::term_size size) noexcept {
  return libssh2_channel_request_pty_size_ex(handle_, size.cols, size.rows, 0, 0);
}

std::ptrdiff_t channel::write(std::string_view data) noexcept {
  return libssh2_channel_write(handle_, data.data(), data.size());
}

std::ptrdiff_t channel::read(char* buffer, std::size_t size) noexcept {
  return libssh2_channel_read(handle_, buffer, size);
}

bool channel::eof() const noexcept { return libssh2_channel_eof(handle_) != 0; }

int channel::close() noexcept { return libssh2_channel_close(handle_); }

int channel::wait_closed() noexcept { return libssh2_channel_wait_closed(handle_); }

int channel::exit_code() const noexcept {
  if (handle_ == nullptr) return -1;
  char* name = nullptr;
  std::size_t name_len = 0;
  if (libssh2_channel_get_exit_signal(handle_, &name, &name_len, nullptr, nullptr, nullptr,
                                      nullptr) == 0 &&
      name != nullptr) {
    const int sig = signal_number({name, name_len});
    libssh2_free(session_->handle_, name);
    return 128 + (sig == 0 ? 1 : sig);  // an unnamed signal: report it as a hangup
  }
  return libssh2_channel_get_exit_status(handle_);
}

}  // namespace vmterm::ssh
