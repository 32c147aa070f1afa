#pragma once
/// A few threads for the built-in tasks that block (health_check's synchronous HTTP client), so
/// the worker's executor never waits on the network. Bounded: at most `threads` jobs run at once,
/// the rest queue (the consume loop bounds how many tasks are in flight).

#include <boost/asio/thread_pool.hpp>
#include <functional>

namespace vmterm::worker {

class blocking_pool {
 public:
  explicit blocking_pool(std::size_t threads) : pool_(threads) {}
  ~blocking_pool() { pool_.join(); }
  blocking_pool(const blocking_pool&) = delete;
  blocking_pool& operator=(const blocking_pool&) = delete;

  [[nodiscard]] boost::asio::thread_pool::executor_type executor() { return pool_.get_executor(); }
  void join() { pool_.join(); }

 private:
  boost::asio::thread_pool pool_;
};

}  // namespace vmterm::worker
