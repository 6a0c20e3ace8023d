#include "daemon/scan.h"

#include <stdlib.h>

#include <cerrno>
#include <chrono>
#include <cstring>
#include <filesystem>
#include <memory>
#include <string>

#include "daemon/alert_sink.h"
#include "daemon/rocksdb_state_store.h"
#include "detectors/engine.h"
#include "ingest/source.h"
#include "schemas/format_detect.h"
#include "schemas/json_writer.h"
#include "schemas/parser.h"
#include "schemas/record_splitter.h"

namespace blobwatch::daemon {
namespace {

constexpr size_t kChunkBytes = 4u << 20;
constexpr uint64_t kErrorsShownPerFile = 10;

struct Totals {
  uint64_t files = 0;
  uint64_t parseErrors = 0;
  uint64_t skipped = 0;  // well-formed records that are not storage access events
};

// Feeds parsed events to the engine and ends a micro-batch (one commit) when it holds
// `batchEvents` events or is `batchIntervalMs` old, whichever comes first, and at each file's end.
// A batch costs one write per principal it touched, so batching by time keeps the write rate
// bounded by the number of active principals, not by the event rate.
class Pipeline final : public schemas::EventSink {
 public:
  // With `eventsOut`, events are written there as NDJSON and not run through the engine.
  Pipeline(detectors::Engine& engine, NdjsonWriter& sink, const Settings& settings,
           std::FILE* eventsOut)
      : engine_(engine),
        sink_(sink),
        batchEvents_(settings.batchEvents),
        batchInterval_(std::chrono::milliseconds(settings.batchIntervalMs)),
        eventsOut_(eventsOut),
        batchStart_(std::chrono::steady_clock::now()) {}

  void onEvent(const schemas::AccessEvent& e) override {
    if (!failed_.empty()) return;
    ++events_;
    if (eventsOut_ != nullptr) {
      line_.clear();
      schemas::writeEventJson(e, line_);
      line_.push_back('\n');
      if (std::fwrite(line_.data(), 1, line_.size(), eventsOut_) != line_.size()) {
        failed_ = std::string("write failed: ") + std::strerror(errno);
      }
      return;
    }
    detectors::StoreStatus st = engine_.process(e);
    if (!st.ok) {
      failed_ = st.message;
      return;
    }
    ++inBatch_;
    // The clock is read every 256 events only.
    if (inBatch_ >= batchEvents_ ||
        ((inBatch_ & 0xFF) == 0 &&
         std::chrono::steady_clock::now() - batchStart_ >= batchInterval_)) {
      (void)flush({});
    }
  }

  // Commits the batch (state, alerts, positions together), then hands its alerts to the sink.
  bool flush(std::vector<std::pair<std::string, std::string>> positions) {
    if (!failed_.empty()) return false;
    alerts_.clear();
    alertJson_.clear();
    detectors::StoreStatus st = engine_.flush(alerts_, std::move(positions), &alertJson_);
    if (!st.ok) {
      failed_ = st.message;
      return false;
    }
    inBatch_ = 0;
    batchStart_ = std::chrono::steady_clock::now();
    for (const std::string& json : alertJson_) {  // as committed: not serialized again
      ingest::IoStatus io = sink_.writeJson(json);
      if (!io.ok) {
        failed_ = io.message;
        return false;
      }
    }
    if (!alerts_.empty()) {
      ingest::IoStatus io = sink_.flush();
      if (!io.ok) failed_ = io.message;
    }
    return failed_.empty();
  }

  const std::string& failure() const { return failed_; }
  uint64_t events() const { return events_; }

 private:
  detectors::Engine& engine_;
  NdjsonWriter& sink_;
  uint32_t batchEvents_;
  std::chrono::steady_clock::duration batchInterval_;
  std::FILE* eventsOut_;
  uint64_t events_ = 0;
  std::string line_;
  uint32_t inBatch_ = 0;
  std::chrono::steady_clock::time_point batchStart_;
  std::vector<detectors::Alert> alerts_;
  std::vector<std::string> alertJson_;
  std::string failed_;
};

// Scans one file. Returns false on an I/O or state failure (already reported).
bool scanFile(const std::string& path, schemas::Format forced, Pipeline& pipeline, Totals& totals,
              std::FILE* err) {
  std::string error;
  std::unique_ptr<ingest::Source> src = ingest::openFileSource(path, error);
  if (!src) {
    std::fprintf(err, "blobwatch: %s\n", error.c_str());
    return false;
  }
  // Read the head for format detection.
  std::string head;
  bool eof = false;
  while (head.size() < schemas::kDetectBytes && !eof) {
    const size_t old = head.size();
    head.resize(schemas::kDetectBytes);
    size_t got = 0;
    ingest::IoStatus st = src->read(head.data() + old, head.size() - old, got);
    head.resize(old + got);
    if (!st.ok) {
      std::fprintf(err, "blobwatch: %s\n", st.message.c_str());
      return false;
    }
    eof = got == 0;
  }
  schemas::Format format = forced;
  if (format == schemas::Format::kUnknown) {
    format = schemas::detectFormat(head);
    if (format == schemas::Format::kUnknown) {
      if (head.find_first_not_of(" \t\r\n") == std::string::npos) return true;  // empty file
      std::fprintf(err,
                   "blobwatch: %s:1: cannot tell the log format from the first bytes; give it "
                   "with --format (%s)\n",
                   path.c_str(), std::string(schemas::formatNames()).c_str());
      ++totals.parseErrors;
      return true;
    }
  }
  std::unique_ptr<schemas::Parser> parser = schemas::makeParser(format);
  schemas::RecordSplitter splitter(schemas::framingFor(format));
  std::memcpy(splitter.prepare(head.size()), head.data(), head.size());
  splitter.commit(head.size());
  if (eof) splitter.finish();

  uint64_t fileErrors = 0;
  schemas::Record record;
  for (;;) {
    while (splitter.next(record)) {
      schemas::ParseStatus ps = parser->parse(record.bytes, pipeline);
      if (ps.isError()) {
        ++totals.parseErrors;
        if (++fileErrors <= kErrorsShownPerFile) {
          std::fprintf(err, "blobwatch: %s:%llu: %s: %s\n", path.c_str(),
                       static_cast<unsigned long long>(record.line),
                       std::string(schemas::toString(format)).c_str(), ps.detail);
        }
      } else if (ps.code == schemas::ParseErrc::kNotAccessEvent) {
        ++totals.skipped;
      }
      if (!pipeline.failure().empty()) {
        std::fprintf(err, "blobwatch: %s\n", pipeline.failure().c_str());
        return false;
      }
    }
    if (eof) break;
    char* p = splitter.prepare(kChunkBytes);
    size_t got = 0;
    ingest::IoStatus st = src->read(p, kChunkBytes, got);
    if (!st.ok) {
      std::fprintf(err, "blobwatch: %s\n", st.message.c_str());
      return false;
    }
    splitter.commit(got);
    if (got == 0) {
      eof = true;
      splitter.finish();
    }
  }
  if (fileErrors > kErrorsShownPerFile) {
    std::fprintf(err, "blobwatch: %s: %llu more parse errors not shown\n", path.c_str(),
                 static_cast<unsigned long long>(fileErrors - kErrorsShownPerFile));
  }
  ++totals.files;
  if (!pipeline.flush({{path, std::to_string(src->position())}})) {
    std::fprintf(err, "blobwatch: %s\n", pipeline.failure().c_str());
    return false;
  }
  return true;
}

// Removes a temporary state directory when the scan ends, however it ends.
struct TempDir {
  std::string path;
  ~TempDir() {
    if (!path.empty()) {
      std::error_code ec;
      std::filesystem::remove_all(path, ec);
    }
  }
};

}  // namespace

int runScan(const ScanOptions& options, std::FILE* out, std::FILE* err) {
  TempDir temp;
  std::string stateDir = options.stateDir;
  if (stateDir.empty()) {
    std::error_code ec;
    std::string pattern = (std::filesystem::temp_directory_path(ec) / "blobwatch-XXXXXX").string();
    if (ec || ::mkdtemp(pattern.data()) == nullptr) {
      std::fprintf(err, "blobwatch: cannot create a temporary state directory\n");
      return 1;
    }
    stateDir = temp.path = pattern;
  }
  std::string error;
  auto store = RocksDbStateStore::open(stateDir, options.settings.syncWrites, error);
  if (!store) {
    std::fprintf(err, "blobwatch: %s\n", error.c_str());
    return 2;
  }
  std::FILE* alertsOut = out;
  std::unique_ptr<std::FILE, int (*)(std::FILE*)> alertsFile(nullptr, &std::fclose);
  if (!options.alertsPath.empty()) {
    alertsFile.reset(std::fopen(options.alertsPath.c_str(), "w"));
    if (!alertsFile) {
      std::fprintf(err, "blobwatch: cannot write alerts to %s: %s\n", options.alertsPath.c_str(),
                   std::strerror(errno));
      return 2;
    }
    alertsOut = alertsFile.get();
  }
  NdjsonWriter sink(alertsOut, options.alertsPath.empty() ? "stdout" : options.alertsPath);
  detectors::Engine engine(options.settings.detectors, *store);
  Pipeline pipeline(engine, sink, options.settings, options.eventsOnly ? alertsOut : nullptr);
  Totals totals;
  bool ok = true;
  for (const auto& path : options.files) {
    if (!scanFile(path, options.format, pipeline, totals, err)) {
      ok = false;
      break;
    }
  }
  if (options.eventsOnly) {
    std::fflush(alertsOut);
    std::fprintf(err,
                 "blobwatch parse: %llu files, %llu events, %llu parse errors, %llu records not "
                 "storage access\n",
                 static_cast<unsigned long long>(totals.files),
                 static_cast<unsigned long long>(pipeline.events()),
                 static_cast<unsigned long long>(totals.parseErrors),
                 static_cast<unsigned long long>(totals.skipped));
    std::string json;
    schemas::JsonWriter w(json);
    w.beginObject();
    w.field("events", pipeline.events());
    w.field("parse_errors", totals.parseErrors);
    w.field("files", totals.files);
    w.field("skipped", totals.skipped);
    w.endObject();
    std::fprintf(err, "%s\n", json.c_str());
    return ok ? 0 : 1;
  }
  const detectors::EngineCounters& c = engine.counters();
  std::string byDetector;
  for (const auto& [name, n] : c.alertsByDetector) {
    if (!byDetector.empty()) byDetector += ", ";
    byDetector += name + " " + std::to_string(n);
  }
  std::fprintf(
      err,
      "blobwatch scan: %llu files, %llu events, %llu parse errors, %llu records not "
      "storage access, %llu alerts (%s), %llu repeats folded, %llu denied anonymous "
      "attempts, %llu principals\n",
      static_cast<unsigned long long>(totals.files), static_cast<unsigned long long>(c.events),
      static_cast<unsigned long long>(totals.parseErrors),
      static_cast<unsigned long long>(totals.skipped), static_cast<unsigned long long>(c.alerts),
      byDetector.c_str(), static_cast<unsigned long long>(c.folded),
      static_cast<unsigned long long>(c.anonymousDenied),
      static_cast<unsigned long long>(c.principals));
  std::string json;
  schemas::JsonWriter w(json);
  w.beginObject();
  w.field("events", c.events);
  w.field("parse_errors", totals.parseErrors);
  w.field("alerts", c.alerts);
  w.key("by_detector");
  w.beginObject();
  for (const auto& [name, n] : c.alertsByDetector) w.field(name, n);
  w.endObject();
  w.field("files", totals.files);
  w.field("skipped", totals.skipped);
  w.field("folded", c.folded);
  w.field("suppressed", c.suppressed);
  w.field("anonymous_denied", c.anonymousDenied);
  w.field("principals", c.principals);
  w.endObject();
  std::fprintf(err, "%s\n", json.c_str());
  return ok ? 0 : 1;
}

}  // namespace blobwatch::daemon
