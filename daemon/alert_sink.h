#pragma once

#include <cstdint>
#include <cstdio>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "detectors/alert.h"
#include "ingest/source.h"

// The AlertSink interface: where raised alerts go, by name ([sink.NAME] in the configuration).
// The daemon delivers from the durable outbox, one thread per sink, at least once and in order;
// a sink only has to say what happened to each attempt.

namespace blobwatch::daemon {

enum class DeliveryOutcome : uint8_t {
  kDelivered,  // accepted: the sink's cursor moves past these alerts
  kRetry,      // try again later with backoff (timeout, connection refused, 5xx, 408, 429)
  kReject,     // will never be accepted (other 4xx): dead-lettered, logged and counted
};

struct [[nodiscard]] DeliveryResult {
  DeliveryOutcome outcome = DeliveryOutcome::kDelivered;
  int httpStatus = 0;   // 0 when no HTTP response was received
  std::string message;  // what went wrong; never contains a secret
};

struct SinkConfig {
  std::string name;
  std::string type;                  // stdout | file | webhook | alertmanager
  std::string format = "blobwatch";  // blobwatch (schemas/alert.schema.json) | ocsf
  std::string path;                  // file: appended to, one alert per line
  std::string url;     // webhook: the endpoint; alertmanager: its base URL (http://host:9093)
  std::string caFile;  // TLS: CA bundle to trust ("" = the system's)
  bool tlsVerify = true;
  int timeoutMs = 5000;    // whole request
  size_t batch = 1;        // alerts per request; webhook sends a JSON array when > 1
  std::string secretFile;  // webhook HMAC secret: read from this file (e.g. a systemd credential)
  std::string secretEnv;   // or from this environment variable; never from the command line
  int64_t dedupWindowUs = 3600LL * 1'000'000;  // alertmanager: endsAt = startsAt + this
};

class AlertSink {
 public:
  virtual ~AlertSink() = default;
  virtual const std::string& name() const = 0;
  // Most alerts deliver() takes at once.
  virtual size_t maxBatch() const = 0;
  // Delivers `alerts` (alert JSON objects, schemas/alert.schema.json, in outbox order), all or
  // nothing. Blocking; called from one thread (the sink's delivery thread) at a time.
  virtual DeliveryResult deliver(const std::vector<std::string>& alerts) = 0;
};

// The explicit factory map: stdout, file, webhook, alertmanager. Startup-time: returns nullptr
// and sets `error` (naming the sink and key) when the configuration cannot work (no URL, an
// unreadable secret file, ...). `stdoutStream` is where the stdout sink writes.
std::unique_ptr<AlertSink> makeSink(const SinkConfig& config, std::FILE* stdoutStream,
                                    std::string& error);

// Network sinks (daemon/webhook_sink.cpp, daemon/alertmanager_sink.cpp).
std::unique_ptr<AlertSink> makeWebhookSink(const SinkConfig& config, std::string& error);
std::unique_ptr<AlertSink> makeAlertmanagerSink(const SinkConfig& config, std::string& error);

// Converts one blobwatch alert (JSON) into an OCSF Detection Finding (class_uid 2004) as JSON
// (daemon/ocsf.cpp). Returns "" when `alertJson` is not an alert.
std::string toOcsf(std::string_view alertJson);

// The HMAC-SHA256 signature a webhook request carries: lowercase hex of
// HMAC-SHA256(secret, timestamp + "." + body). Receivers recompute and compare it.
std::string webhookSignature(std::string_view secret, std::string_view timestamp,
                             std::string_view body);

// Writes each alert as one JSON line to a stdio stream it does not own (`blobwatch scan`).
class NdjsonWriter {
 public:
  NdjsonWriter(std::FILE* out, std::string name) : out_(out), name_(std::move(name)) {}
  ingest::IoStatus write(const detectors::Alert& alert);
  // Writes an alert already in its writeAlertJson form (as Engine::flush hands it out).
  ingest::IoStatus writeJson(std::string_view json);
  ingest::IoStatus flush();

 private:
  std::FILE* out_;
  std::string name_;
  std::string line_;
};

}  // namespace blobwatch::daemon
