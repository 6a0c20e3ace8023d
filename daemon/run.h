#pragma once

#include <cstdio>
#include <map>
#include <string>
#include <vector>

#include "daemon/alert_sink.h"
#include "daemon/config.h"
#include "schemas/access_event.h"

namespace blobwatch::daemon {

// One `[source.NAME]` section of the configuration.
struct SourceConfig {
  std::string name;
  std::string type;                                    // "file" or "kafka"
  schemas::Format format = schemas::Format::kUnknown;  // kUnknown: detected per stream
  std::vector<std::string> paths;                      // file: paths or globs
  int rescanMs = 1000;                                 // file: how often globs are re-expanded
  int rotateWaitMs = 1000;                   // file: a renamed file is read until quiet this long
  std::vector<std::string> topics;           // kafka
  std::map<std::string, std::string> kafka;  // kafka: librdkafka properties
};

// Builds the sources from the `source.NAME.KEY = value` entries of a config file. Returns "" or
// what is wrong, naming the key. Keys: type (file|kafka), format (auto or a format name), paths
// (comma-separated globs, file), rescan_ms and rotate_wait_ms (file), topics (comma-separated,
// kafka), and any kafka.PROPERTY (passed to librdkafka as is).
std::string parseSources(const std::vector<std::pair<std::string, std::string>>& entries,
                         std::vector<SourceConfig>& out);

// Builds the sinks from `sink.NAME.KEY` entries (type, format, path, url, ca_file, tls_verify,
// timeout_ms, batch, secret_file, secret_env). Returns "" or the problem, naming the key.
std::string parseSinks(const std::vector<std::pair<std::string, std::string>>& entries,
                       std::vector<SinkConfig>& out);

// Builds suppression rules from `suppress.NAME.KEY` entries (detector, principal, bucket,
// object_prefix, network, expires). A rule must name at least one match.
std::string parseSuppressions(const std::vector<std::pair<std::string, std::string>>& entries,
                              std::vector<detectors::SuppressionRule>& out);

struct RunOptions {
  std::string configPath;
  std::vector<std::string> overrides;  // --section.key=value arguments, re-applied on SIGHUP
  Settings settings;
  std::vector<SourceConfig> sources;
  std::vector<SinkConfig> sinks;  // [sink.NAME]; none: alerts.file, or stdout
};

// Loads and validates a configuration file plus command-line overrides (the same path at startup
// and on SIGHUP). Returns "" or the problem.
std::string loadRunConfig(const std::string& path, const std::vector<std::string>& overrides,
                          RunOptions& out);

// Runs the daemon until SIGTERM or SIGINT: follows every source, detects, commits each
// micro-batch (state, alerts, positions) in one WriteBatch, then commits Kafka offsets and
// delivers alerts from the outbox. SIGHUP reloads detector settings at a batch boundary; an
// invalid configuration is refused and the old one kept. Returns the exit code: 0 after a clean
// stop, 1 on a runtime failure, 2 on a startup error (with a message on `err`).
int runDaemon(RunOptions options, std::FILE* out, std::FILE* err);

// `blobwatch inspect --state-dir DIR`: prints what a state holds (events processed, principals,
// alerts, delivery cursor, stream positions) as one JSON object. Exit code as above.
int inspectState(const std::string& stateDir, std::FILE* out, std::FILE* err);

}  // namespace blobwatch::daemon
