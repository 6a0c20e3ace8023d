#include "daemon/alert_sink.h"

#include <unistd.h>

#include <cerrno>
#include <cstring>

namespace blobwatch::daemon {
namespace {

// stdout and file: one alert per line, flushed (and fsynced for a file) before success.
class StreamSink final : public AlertSink {
 public:
  StreamSink(std::string name, std::FILE* out, bool ownsFile, bool ocsf)
      : name_(std::move(name)), out_(out), owns_(ownsFile), ocsf_(ocsf) {}
  ~StreamSink() override {
    if (owns_) std::fclose(out_);
  }
  StreamSink(const StreamSink&) = delete;
  StreamSink& operator=(const StreamSink&) = delete;

  const std::string& name() const override { return name_; }
  size_t maxBatch() const override { return 1024; }

  DeliveryResult deliver(const std::vector<std::string>& alerts) override {
    for (const auto& a : alerts) {
      const std::string ocsf = ocsf_ ? toOcsf(a) : std::string();
      const std::string& line = ocsf_ ? ocsf : a;
      if (std::fwrite(line.data(), 1, line.size(), out_) != line.size() ||
          std::fputc('\n', out_) == EOF) {
        return {DeliveryOutcome::kRetry, 0, name_ + ": write failed: " + std::strerror(errno)};
      }
    }
    if (std::fflush(out_) != 0 || (owns_ && ::fsync(fileno(out_)) != 0)) {
      return {DeliveryOutcome::kRetry, 0, name_ + ": write failed: " + std::strerror(errno)};
    }
    return {};
  }

 private:
  std::string name_;
  std::FILE* out_;
  bool owns_;
  bool ocsf_;
};

std::FILE* openAppend(const std::string& path, std::string& error) {
  std::FILE* f = std::fopen(path.c_str(), "a+");
  if (f == nullptr) {
    error = "cannot open " + path + ": " + std::strerror(errno);
    return nullptr;
  }
  // A line cut short by a crash or a full disk must not swallow the redelivered alerts.
  if (std::fseek(f, -1, SEEK_END) == 0 && std::fgetc(f) != '\n') std::fputc('\n', f);
  std::fseek(f, 0, SEEK_END);
  return f;
}

}  // namespace

std::unique_ptr<AlertSink> makeSink(const SinkConfig& config, std::FILE* stdoutStream,
                                    std::string& error) {
  const bool ocsf = config.format == "ocsf";
  if (config.format != "blobwatch" && !ocsf) {
    error =
        "sink." + config.name + ".format: expected blobwatch or ocsf, got '" + config.format + "'";
    return nullptr;
  }
  if (config.type == "stdout") {
    return std::make_unique<StreamSink>(config.name, stdoutStream, false, ocsf);
  }
  if (config.type == "file") {
    if (config.path.empty()) {
      error = "sink." + config.name + ".path is required for a file sink";
      return nullptr;
    }
    std::FILE* f = openAppend(config.path, error);
    if (f == nullptr) {
      error = "sink." + config.name + ": " + error;
      return nullptr;
    }
    return std::make_unique<StreamSink>(config.name, f, true, ocsf);
  }
  if (config.type == "webhook") return makeWebhookSink(config, error);
  if (config.type == "alertmanager") return makeAlertmanagerSink(config, error);
  error = "sink." + config.name + ".type: expected stdout, file, webhook or alertmanager, got '" +
          config.type + "'";
  return nullptr;
}

ingest::IoStatus NdjsonWriter::write(const detectors::Alert& alert) {
  line_.clear();
  detectors::writeAlertJson(alert, line_);
  return writeJson(line_);
}

ingest::IoStatus NdjsonWriter::writeJson(std::string_view json) {
  if (std::fwrite(json.data(), 1, json.size(), out_) != json.size() ||
      std::fputc('\n', out_) == EOF) {
    return ingest::IoStatus::Error(name_ + ": write failed: " + std::strerror(errno));
  }
  return ingest::IoStatus::Ok();
}

ingest::IoStatus NdjsonWriter::flush() {
  if (std::fflush(out_) != 0) {
    return ingest::IoStatus::Error(name_ + ": write failed: " + std::strerror(errno));
  }
  return ingest::IoStatus::Ok();
}

}  // namespace blobwatch::daemon
