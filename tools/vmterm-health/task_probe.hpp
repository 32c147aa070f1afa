#pragma once
/// The --task probe: the end-to-end check that Redis, a worker and the result backend all work.
/// Sends the task through lib/queue (queue::task_call, as `vmterm-worker call --wait`) and waits
/// for its result with its own deadline (--task-timeout) inside the run's. The probe's span is
/// the parent of the PRODUCER span, whose traceparent the message carries, so the worker's run
/// span joins the probe's trace. Task arguments never appear in output or spans (it sends none).

#include "health/report.hpp"
#include "options.hpp"
#include "probe.hpp"

namespace vmterm::health_tool {

/// SUCCESS is OK (judged on latency); FAILURE or REVOKED is CRITICAL task_failed quoting the
/// exception type only; no result in time is CRITICAL task_timeout ("no result within 5 s (is a
/// worker consuming queue 'celery'?)"); the broker's or backend's failures as --redis's.
[[nodiscard]] health::check_result probe_task(const std::string& name, const options& opt,
                                              const probe_settings& settings);

}  // namespace vmterm::health_tool
