#include "daemon/alert_sink.h"

#include <cerrno>
#include <cstring>

namespace blobwatch::daemon {

ingest::IoStatus NdjsonSink::deliver(const detectors::Alert& alert) {
  line_.clear();
  detectors::writeAlertJson(alert, line_);
  line_.push_back('\n');
  if (std::fwrite(line_.data(), 1, line_.size(), out_) != line_.size()) {
    return ingest::IoStatus::Error(name_ + ": write failed: " + std::strerror(errno));
  }
  return ingest::IoStatus::Ok();
}

ingest::IoStatus NdjsonSink::flush() {
  if (std::fflush(out_) != 0) {
    return ingest::IoStatus::Error(name_ + ": write failed: " + std::strerror(errno));
  }
  return ingest::IoStatus::Ok();
}

}  // namespace blobwatch::daemon
