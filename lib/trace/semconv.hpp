#pragma once
/// OpenTelemetry semantic-convention names used by vmterm (semantic-conventions v1.44, stable
/// names; messaging is still "development" upstream). One place, so instrumentation never
/// spells a key by hand.

#include <string_view>

namespace vmterm::trace::semconv {

// HTTP (stable).
inline constexpr std::string_view http_request_method = "http.request.method";
inline constexpr std::string_view http_request_method_original = "http.request.method_original";
inline constexpr std::string_view http_response_status_code = "http.response.status_code";
inline constexpr std::string_view http_route = "http.route";
inline constexpr std::string_view http_request_resend_count = "http.request.resend_count";
inline constexpr std::string_view http_request_body_size = "http.request.body.size";
inline constexpr std::string_view http_response_body_size = "http.response.body.size";
inline constexpr std::string_view url_full = "url.full";
inline constexpr std::string_view url_path = "url.path";
inline constexpr std::string_view url_query = "url.query";
inline constexpr std::string_view url_scheme = "url.scheme";
inline constexpr std::string_view url_template = "url.template";
inline constexpr std::string_view user_agent_original = "user_agent.original";
inline constexpr std::string_view client_address = "client.address";
inline constexpr std::string_view client_port = "client.port";

// Server and network (stable).
inline constexpr std::string_view server_address = "server.address";
inline constexpr std::string_view server_port = "server.port";
inline constexpr std::string_view network_peer_address = "network.peer.address";
inline constexpr std::string_view network_peer_port = "network.peer.port";
inline constexpr std::string_view network_protocol_name = "network.protocol.name";
inline constexpr std::string_view network_protocol_version = "network.protocol.version";
inline constexpr std::string_view network_transport = "network.transport";

// Database / Redis (stable).
inline constexpr std::string_view db_system_name = "db.system.name";
inline constexpr std::string_view db_system_name_redis = "redis";
inline constexpr std::string_view db_namespace = "db.namespace";
inline constexpr std::string_view db_operation_name = "db.operation.name";
inline constexpr std::string_view db_operation_batch_size = "db.operation.batch.size";
inline constexpr std::string_view db_query_text = "db.query.text";
inline constexpr std::string_view db_query_summary = "db.query.summary";
inline constexpr std::string_view db_response_status_code = "db.response.status_code";
inline constexpr std::string_view db_stored_procedure_name = "db.stored_procedure.name";

// Messaging (development upstream; vmterm uses messaging.system = "vmterm").
inline constexpr std::string_view messaging_system = "messaging.system";
inline constexpr std::string_view messaging_operation_name = "messaging.operation.name";
inline constexpr std::string_view messaging_operation_type = "messaging.operation.type";
inline constexpr std::string_view messaging_destination_name = "messaging.destination.name";
inline constexpr std::string_view messaging_message_id = "messaging.message.id";
inline constexpr std::string_view messaging_message_conversation_id =
    "messaging.message.conversation_id";
inline constexpr std::string_view messaging_batch_message_count = "messaging.batch.message_count";
inline constexpr std::string_view messaging_client_id = "messaging.client.id";

// Code (stable).
inline constexpr std::string_view code_function_name = "code.function.name";
inline constexpr std::string_view code_file_path = "code.file.path";
inline constexpr std::string_view code_line_number = "code.line.number";
inline constexpr std::string_view code_column_number = "code.column.number";
inline constexpr std::string_view code_stacktrace = "code.stacktrace";

// Exceptions and errors (stable).
inline constexpr std::string_view exception_event = "exception";
inline constexpr std::string_view exception_type = "exception.type";
inline constexpr std::string_view exception_message = "exception.message";
inline constexpr std::string_view exception_stacktrace = "exception.stacktrace";
inline constexpr std::string_view error_type = "error.type";
inline constexpr std::string_view error_type_other = "_OTHER";

// Resource: service, host, process, telemetry SDK.
inline constexpr std::string_view service_name = "service.name";
inline constexpr std::string_view service_version = "service.version";
inline constexpr std::string_view service_instance_id = "service.instance.id";
inline constexpr std::string_view service_namespace = "service.namespace";
inline constexpr std::string_view host_name = "host.name";
inline constexpr std::string_view process_pid = "process.pid";
inline constexpr std::string_view process_executable_name = "process.executable.name";
inline constexpr std::string_view process_command = "process.command";
inline constexpr std::string_view telemetry_sdk_name = "telemetry.sdk.name";
inline constexpr std::string_view telemetry_sdk_language = "telemetry.sdk.language";
inline constexpr std::string_view telemetry_sdk_version = "telemetry.sdk.version";

}  // namespace vmterm::trace::semconv
