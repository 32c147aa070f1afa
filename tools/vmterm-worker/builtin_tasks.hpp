#pragma once
/// The built-in tasks: health_check (GET the health URL, traced, with traceparent), echo (its
/// arguments back), sleep (seconds, on a timer) and noop.

#include <boost/asio/any_io_executor.hpp>
#include <memory>

#include "blocking_pool.hpp"
#include "task.hpp"
#include "task_registry.hpp"

namespace vmterm::worker {

std::shared_ptr<running_task> run_noop(boost::asio::any_io_executor ex, const task_call& call,
                                       outcome_fn done);
std::shared_ptr<running_task> run_echo(boost::asio::any_io_executor ex, const task_call& call,
                                       outcome_fn done);
/// sleep(seconds) from args[0] or kwargs.seconds; a terminate ends it early (Terminated).
std::shared_ptr<running_task> run_sleep(boost::asio::any_io_executor ex, const task_call& call,
                                        outcome_fn done);
/// GET options.health_url on `pool` under the run span's context; the outcome is posted back
/// to `ex`. Result {"status":"ok","http_status":200,"latency_ms":1.2}; a non-2xx answer or a
/// network error is a HealthCheckFailed failure naming the URL.
std::shared_ptr<running_task> run_health_check(boost::asio::any_io_executor ex,
                                               const task_call& call, outcome_fn done,
                                               const builtin_options& options, blocking_pool& pool);

}  // namespace vmterm::worker
