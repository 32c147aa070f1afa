#include "trace_otlp/file_exporter.hpp"

#include <catch2/catch.hpp>
#include <sstream>

#include "../../unit/trace_otlp/sample_spans.hpp"
#include "core/log.hpp"
#include "temp_dir.hpp"
#include "trace_otlp/otlp_json.hpp"

namespace {
using namespace vmterm;
using namespace std::chrono_literals;
}  // namespace

TEST_CASE("The file exporter appends one request per line that the decoder reads back",
          "[integration][trace_otlp]") {
  test::temp_dir dir;
  const auto path = dir / "var/deep/traces.jsonl";  // parent directories are created
  const auto spans = test::sample_spans();
  {
    trace_otlp::file_exporter exporter(path);
    REQUIRE(exporter.export_spans(spans) == trace::export_result::success);
    REQUIRE(exporter.export_spans(std::span(spans).subspan(0, 1)) == trace::export_result::success);
    CHECK(exporter.force_flush(100ms));
  }
  {
    trace_otlp::file_exporter again(path);  // appends, never truncates
    REQUIRE(again.export_spans(std::span(spans).subspan(3, 1)) == trace::export_result::success);
    again.shutdown(100ms);
    CHECK(again.export_spans(spans) == trace::export_result::failure);
  }
  const auto text = test::read_file(path);
  CHECK(std::count(text.begin(), text.end(), '\n') == 3);
  CHECK(text.substr(0, text.find('\n')) == trace_otlp::encode_request(spans));
  const auto decoded = trace_otlp::decode_spans(text, path.string());
  REQUIRE(decoded.has_value());
  REQUIRE(decoded->size() == 6);
  CHECK(decoded->at(4).name == spans[0].name);
  CHECK(decoded->at(5).name == spans[3].name);
}

TEST_CASE("The file exporter reads records in place: the same line as export_spans writes",
          "[integration][trace_otlp]") {
  test::temp_dir dir;
  const auto path = dir / "traces.jsonl";
  const auto spans = test::sample_spans();
  std::vector<const trace::span_data*> records;
  for (const auto& s : spans) records.push_back(&s);
  trace_otlp::file_exporter exporter(path);
  const auto result = exporter.export_records(records);
  REQUIRE(result.has_value());  // implemented: the batch processor does not move the records
  CHECK(*result == trace::export_result::success);
  REQUIRE(exporter.export_spans(spans) == trace::export_result::success);
  exporter.shutdown(100ms);
  CHECK(exporter.export_records(records) == trace::export_result::failure);
  const auto text = test::read_file(path);
  const auto line = trace_otlp::encode_request(spans) + "\n";
  CHECK(text == line + line);
}

TEST_CASE("The file exporter reports an unwritable path once and counts every failure",
          "[integration][trace_otlp]") {
  test::temp_dir dir;
  test::write_file(dir / "file", "x");
  std::ostringstream logs;
  log::configure({.service = "test",
                  .min_level = log::level::info,
                  .line_format = log::format::text,
                  .out = &logs,
                  .clock = nullptr});
  const auto path = dir / "file/traces.jsonl";  // parent is a regular file
  trace_otlp::file_exporter exporter(path);
  const auto spans = test::sample_spans();
  CHECK(exporter.export_spans(spans) == trace::export_result::failure);
  CHECK(exporter.export_spans(spans) == trace::export_result::failure);
  log::configure({});
  CHECK(exporter.failures() == 2);
  const auto text = logs.str();
  const auto expected = "write traces to '" + path.string() + "': cannot create directory '" +
                        (dir / "file").string() + "': ";
  CHECK(text.find(expected) != std::string::npos);
  CHECK(text.find(expected, text.find(expected) + 1) == std::string::npos);
}
