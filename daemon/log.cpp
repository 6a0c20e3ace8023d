#include "daemon/log.h"

#include <spdlog/sinks/stdout_sinks.h>
#include <spdlog/spdlog.h>

#include <chrono>
#include <map>
#include <memory>
#include <mutex>
#include <string>

#include "schemas/json_writer.h"
#include "schemas/text.h"

namespace blobwatch::daemon {
namespace {

struct LogState {
  std::mutex mu;
  std::shared_ptr<spdlog::logger> logger;
  LogFormat format = LogFormat::kPlain;
  struct Window {
    std::chrono::steady_clock::time_point start;
    int shown = 0;
    uint64_t hidden = 0;
  };
  std::map<std::string, Window, std::less<>> windows;
};

LogState& state() {
  static LogState s;
  return s;
}

void write(std::string_view level, std::string_view message) {
  LogState& s = state();
  std::shared_ptr<spdlog::logger> logger;
  LogFormat format;
  {
    std::lock_guard<std::mutex> lock(s.mu);
    if (!s.logger) {
      s.logger = std::make_shared<spdlog::logger>(
          "blobwatch", std::make_shared<spdlog::sinks::stderr_sink_mt>());
      s.logger->set_pattern("%v");
    }
    logger = s.logger;
    format = s.format;
  }
  std::string line;
  if (format == LogFormat::kJson) {
    schemas::JsonWriter w(line);
    w.beginObject();
    std::string time;
    const auto now = std::chrono::system_clock::now().time_since_epoch();
    schemas::formatRfc3339(std::chrono::duration_cast<std::chrono::microseconds>(now).count(),
                           time);
    w.field("time", time);
    w.field("level", level);
    w.field("msg", message);
    w.endObject();
  } else {
    line = "blobwatch: ";
    if (level != "info") {
      line.append(level);
      line.append(": ");
    }
    line.append(message);
  }
  logger->info(line);
  logger->flush();
}

}  // namespace

void initLog(std::FILE* out, LogFormat format) {
  LogState& s = state();
  std::lock_guard<std::mutex> lock(s.mu);
  s.format = format;
  if (out == stdout) {
    s.logger = std::make_shared<spdlog::logger>("blobwatch",
                                                std::make_shared<spdlog::sinks::stdout_sink_mt>());
  } else {
    s.logger = std::make_shared<spdlog::logger>("blobwatch",
                                                std::make_shared<spdlog::sinks::stderr_sink_mt>());
  }
  s.logger->set_pattern("%v");
}

void logInfo(std::string_view message) { write("info", message); }
void logWarn(std::string_view message) { write("warning", message); }
void logError(std::string_view message) { write("error", message); }

void logWarnLimited(std::string_view key, std::string_view message, int burst) {
  LogState& s = state();
  uint64_t hidden = 0;
  {
    std::lock_guard<std::mutex> lock(s.mu);
    auto it = s.windows.find(key);
    if (it == s.windows.end()) it = s.windows.emplace(std::string(key), LogState::Window{}).first;
    auto& w = it->second;
    const auto now = std::chrono::steady_clock::now();
    if (w.shown == 0 || now - w.start >= std::chrono::minutes(1)) {
      hidden = w.hidden;
      w.start = now;
      w.shown = 0;
      w.hidden = 0;
    }
    if (w.shown >= burst) {
      ++w.hidden;
      return;
    }
    ++w.shown;
  }
  if (hidden > 0) {
    write("warning", std::string(key) + ": " + std::to_string(hidden) +
                         " similar messages were not shown in the last minute");
  }
  write("warning", message);
}

}  // namespace blobwatch::daemon
