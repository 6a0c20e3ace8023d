#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "detectors/config.h"

// The one configuration table. It drives `blobwatch --help`, the INI config file (read with
// Boost.Program_options: `[section]` then `key = value`) and `--section.key=value` overrides.
// Precedence: command line, then config file, then the table's default.

namespace blobwatch::daemon {

struct Settings {
  detectors::DetectorConfig detectors;
  uint32_t batchEvents = 100000;   // at most this many events per micro-batch (one WriteBatch)
  uint32_t batchIntervalMs = 500;  // and at most this old, in milliseconds of processing time
  bool syncWrites = false;         // fsync each batch's WriteBatch
  std::string stateDir = "/var/lib/blobwatch";  // `run` only; `scan` uses --state-dir
  std::string alertsFile;                       // `run` only: "" = standard output
  bool logJson = false;                         // log lines as JSON objects instead of plain text
  uint64_t outboxMaxAlerts = 100000;            // `run`: undelivered alerts before input pauses
  uint32_t exitIdleMs = 0;     // `run` only: stop once no source delivered anything for this long
  bool metricsEnabled = true;  // `run` only: serve Prometheus metrics
  std::string metricsListen = "127.0.0.1:9464";  // `run` only: HOST:PORT of /metrics
};

struct ConfigKey {
  const char* name;          // "section.key" (sections may nest: "detectors.unknown_ip.enabled")
  const char* defaultValue;  // as text, parsed like a user's value
  const char* help;
  // Parses `value` into `settings`; returns "" on success, else what is wrong with it.
  std::string (*apply)(const std::string& value, Settings& settings);
};

const std::vector<ConfigKey>& configTable();

// `blobwatch print-config`: the whole table as an INI file with every key commented out at its
// default, under its help text, followed by commented examples of [source.NAME], [sink.NAME] and
// [suppress.NAME]. systemd/blobwatch.conf is this text (a test keeps them equal).
std::string defaultConfigText();

// Parses a duration: an integer followed by s, m, h or d ("90s", "15m", "24h", "7d"). Returns
// false for anything else, zero or negative.
[[nodiscard]] bool parseDuration(std::string_view text, int64_t& micros);

}  // namespace blobwatch::daemon
