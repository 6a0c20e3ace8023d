#pragma once

#include <cstdio>
#include <string>

#include "detectors/alert.h"
#include "ingest/source.h"

// The AlertSink interface: where raised alerts go. Sinks are called from one thread.

namespace blobwatch::daemon {

class AlertSink {
 public:
  virtual ~AlertSink() = default;
  // Hands one alert to the sink. A failed delivery is reported, never silently dropped.
  virtual ingest::IoStatus deliver(const detectors::Alert& alert) = 0;
  virtual ingest::IoStatus flush() = 0;
};

// Writes each alert as one JSON line (schemas/alert.schema.json) to a stdio stream it does not
// own (stdout, or a file the caller opened).
class NdjsonSink final : public AlertSink {
 public:
  NdjsonSink(std::FILE* out, std::string name) : out_(out), name_(std::move(name)) {}
  ingest::IoStatus deliver(const detectors::Alert& alert) override;
  ingest::IoStatus flush() override;

 private:
  std::FILE* out_;
  std::string name_;
  std::string line_;
};

}  // namespace blobwatch::daemon
