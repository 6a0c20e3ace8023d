#pragma once

#include <cstdio>
#include <string>
#include <vector>

#include "daemon/config.h"
#include "schemas/access_event.h"

namespace blobwatch::daemon {

struct ScanOptions {
  std::vector<std::string> files;                      // "-" is standard input
  schemas::Format format = schemas::Format::kUnknown;  // kUnknown: detect per file
  std::string stateDir;                                // "" = a temporary directory removed at exit
  std::string alertsPath;                              // "" = `out`
  Settings settings;
  bool eventsOnly = false;  // `blobwatch parse`: write normalized events, run no detector
};

// Runs the pipeline (read, detect format, parse, detect, store) over every file in order; alerts
// go to `out` (or alertsPath) as NDJSON, messages and the summary to `err`. Returns the process
// exit code: 0 when it ran (alerts or not), 1 when reading a file or the state failed.
int runScan(const ScanOptions& options, std::FILE* out, std::FILE* err);

}  // namespace blobwatch::daemon
