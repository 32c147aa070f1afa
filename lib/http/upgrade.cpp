#include "http/upgrade.hpp"

namespace vmterm::http {

upgraded_connection::upgraded_connection(std::unique_ptr<impl> p) noexcept : impl_(std::move(p)) {}
upgraded_connection::upgraded_connection(upgraded_connection&&) noexcept = default;
upgraded_connection& upgraded_connection::operator=(upgraded_connection&&) noexcept = default;
upgraded_connection::~upgraded_connection() = default;

}  // namespace vmterm::http
