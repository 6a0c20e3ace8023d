#include "daemon/run.h"

#include <signal.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <boost/program_options.hpp>
#include <cerrno>
#include <charconv>
#include <chrono>
#include <condition_variable>
#include <csignal>
#include <cstring>
#include <deque>
#include <fstream>
#include <memory>
#include <mutex>
#include <optional>
#include <random>
#include <set>
#include <sstream>
#include <thread>

#include "daemon/alert_sink.h"
#include "daemon/log.h"
#include "daemon/metrics.h"
#include "daemon/notify.h"
#include "daemon/rocksdb_state_store.h"
#include "detectors/engine.h"
#include "ingest/stream_source.h"
#include "schemas/format_detect.h"
#include "schemas/json_writer.h"
#include "schemas/parser.h"
#include "schemas/record_splitter.h"
#include "schemas/text.h"

namespace blobwatch::daemon {
namespace {

namespace po = boost::program_options;

constexpr const char* kEventsKey = "_stats:events";  // in `positions`: events processed, total
constexpr const char* kOutboxSink = "alerts.file";
constexpr size_t kDetectMinBytes = 4096;  // bytes a stream needs before its format is guessed
constexpr auto kNotifyStatusEvery = std::chrono::seconds(5);  // STATUS= under systemd

std::atomic<int> gStop{0};  // lock-free, so safe in a signal handler
std::atomic<int> gReload{0};
static_assert(std::atomic<int>::is_always_lock_free);

void onSignal(int sig) {
  if (sig == SIGHUP) {
    gReload.store(1);
  } else {
    gStop.store(1);
  }
}

std::vector<std::string> splitList(const std::string& v) {
  std::vector<std::string> out;
  std::string item;
  std::istringstream in(v);
  while (std::getline(in, item, ',')) {
    const size_t b = item.find_first_not_of(" \t");
    const size_t e = item.find_last_not_of(" \t");
    if (b != std::string::npos) out.push_back(item.substr(b, e - b + 1));
  }
  return out;
}

// One stream (a followed file, a Kafka partition) with its framing and parser.
struct Stream {
  ingest::StreamSource* source = nullptr;
  std::string key;
  schemas::Format format = schemas::Format::kUnknown;
  std::unique_ptr<schemas::Parser> parser;
  std::unique_ptr<schemas::RecordSplitter> splitter;
  uint64_t fed = 0;                  // stream offset just past the last byte handed to the splitter
  uint64_t consumed = 0;             // bytes (or next Kafka offset) fully turned into events
  bool dirty = false;                // consumed moved since the last commit
  bool seen = false;                 // bytes of it were read in this process
  bool failed = false;               // format unknown: skipped
  bool ended = false;                // read to its end (a rotated or gzip file)
  std::string detectBuffer;          // bytes held until the format is known
  Metrics::StreamCounters counters;  // this stream's (source, format) series, once known
  int64_t* sourceLastEventUs = nullptr;  // event time of its source's last event (metrics)
};

class Daemon final : public ingest::DataSink, public schemas::EventSink {
 public:
  Daemon(RunOptions options, std::FILE* out, std::FILE* err)
      : options_(std::move(options)), out_(out), err_(err) {}
  ~Daemon() override { stopWorkers(std::chrono::milliseconds(0)); }
  Daemon(const Daemon&) = delete;
  Daemon& operator=(const Daemon&) = delete;

  int run() {
    // Handlers first: a SIGHUP or SIGTERM during startup must not kill the process. SA_RESTART
    // keeps a signal from failing a write in progress with EINTR.
    struct sigaction sa {};
    sa.sa_handler = onSignal;
    sa.sa_flags = SA_RESTART;
    sigemptyset(&sa.sa_mask);
    sigaction(SIGTERM, &sa, nullptr);
    sigaction(SIGINT, &sa, nullptr);
    sigaction(SIGHUP, &sa, nullptr);
    std::string error;
    store_ =
        RocksDbStateStore::open(options_.settings.stateDir, options_.settings.syncWrites, error);
    if (!store_) return fail(2, error);
    ingest::PositionMap stored;
    if (auto st = store_->loadPositions(stored); !st.ok) return fail(2, st.message);
    engine_ = std::make_unique<detectors::Engine>(options_.settings.detectors, *store_);
    if (auto it = stored.find(kEventsKey); it != stored.end()) {
      uint64_t n = 0;
      std::from_chars(it->second.data(), it->second.data() + it->second.size(), n);
      engine_->setEventCount(n);
    }
    if (options_.settings.metricsEnabled) {
      metrics_ = Metrics::create(options_.settings.metricsListen, error);
      if (!error.empty()) {  // a busy port: keep watching, without /metrics
        say(Level::kWarn, "", "%s; running without metrics", error.c_str());
        error.clear();
      }
      for (const auto& rule : options_.settings.detectors.suppressions) {
        metrics_->suppressed(rule.name, 0);  // every rule has a series, 0 included
      }
    }
    // Alerts an earlier run left undelivered: their age counts from this start.
    if (store_->lastSeq() > 0) noteCommitted(store_->lastSeq());
    for (const auto& sc : options_.sources) {
      std::unique_ptr<ingest::StreamSource> src;
      if (sc.type == "file") {
        ingest::FileSourceOptions fo;
        fo.name = sc.name;
        fo.patterns = sc.paths;
        fo.rescanMs = sc.rescanMs;
        fo.rotateWaitMs = sc.rotateWaitMs;
        src = ingest::makeFileSource(std::move(fo));
      } else {
        ingest::KafkaSourceOptions ko;
        ko.name = sc.name;
        ko.topics = sc.topics;
        ko.properties = sc.kafka;
        src = ingest::makeKafkaSource(std::move(ko), error);
        if (!src) return fail(2, "source." + sc.name + ": " + error);
      }
      if (auto st = src->start(stored); !st.ok) return fail(2, st.message);
      sourceFormats_[src.get()] = sc.format;
      sources_.push_back(std::move(src));
    }
    // Alerts committed by an earlier run but not delivered before it stopped go out first.
    if (!startWorkers(error)) return fail(2, error);

    say(Level::kInfo, "", "running with %zu sources, state in %s", sources_.size(),
        options_.settings.stateDir.c_str());
    // Under systemd (Type=notify): startup is over once sources are started and the outbox is
    // being delivered.
    watchdogEvery_ = watchdogPingInterval();
    lastWatchdog_ = lastStatus_ = std::chrono::steady_clock::now();
    notifyReady(statusText());

    const auto interval = std::chrono::milliseconds(options_.settings.batchIntervalMs);
    auto batchStart = std::chrono::steady_clock::now();
    const int pollMs = sources_.empty() ? 50 : std::max(1, 50 / static_cast<int>(sources_.size()));
    auto lastData = std::chrono::steady_clock::now();
    while (!gStop.load() && failure_.empty()) {
      tickNotify();
      const uint64_t before = delivered_;
      // Backpressure: with the outbox full (a sink down for long), stop taking input rather
      // than drop alerts; sources keep their data (files on disk, messages in Kafka).
      if (outboxDepth() >= options_.settings.outboxMaxAlerts) {
        if (!backpressure_) {
          say(Level::kWarn, "", "outbox full (%llu alerts); pausing input",
              static_cast<unsigned long long>(outboxDepth()));
          backpressure_ = true;
        }
        std::this_thread::sleep_for(std::chrono::milliseconds(50));
        if (gReload.exchange(0) != 0) reload();
        updateMetrics();
        continue;
      }
      if (backpressure_) {
        say(Level::kInfo, "", "outbox drained; resuming input");
        backpressure_ = false;
      }
      for (auto& src : sources_) {
        currentSource_ = src.get();
        if (auto st = src->poll(*this, pollMs); !st.ok) failure_ = st.message;
        currentSource_ = nullptr;
        if (gStop.load() || !failure_.empty()) break;
      }
      const auto now = std::chrono::steady_clock::now();
      if (inBatch_ >= options_.settings.batchEvents || now - batchStart >= interval) {
        if (!commitBatch()) break;
        wakeWorkers();
        pruneOutbox();
        batchStart = now;
        updateMetrics();
      }
      if (gReload.exchange(0) != 0) reload();
      if (delivered_ != before) {
        lastData = now;
      } else if (options_.settings.exitIdleMs > 0) {
        // Before the first data, allow at least 30 s: joining a Kafka group can take that long.
        const auto idle = std::chrono::milliseconds(
            delivered_ == 0 ? std::max<uint32_t>(options_.settings.exitIdleMs, 30000)
                            : options_.settings.exitIdleMs);
        if (now - lastData >= idle) break;
      }
    }
    notifyStopping();
    // Drain: what was read is parsed already; make it durable, then deliver and stop.
    const bool ok = failure_.empty() && commitBatch();
    for (auto& src : sources_) src->stop();
    // Give the sinks a few seconds to deliver what is committed; the rest stays in the outbox.
    stopWorkers(std::chrono::milliseconds(ok ? 5000 : 0));
    if (!ok) return fail(1, failure_);
    const double flowed =
        delivered_ == 0 ? 0.0 : std::chrono::duration<double>(lastData_ - firstData_).count();
    say(Level::kInfo, "", "stopped after %llu events, %llu alerts (data flowed %.3f s)",
        static_cast<unsigned long long>(engine_->counters().events),
        static_cast<unsigned long long>(engine_->counters().alerts), flowed);
    return 0;
  }

  // ingest::DataSink
  void onBytes(std::string_view key, uint64_t offset, std::string_view bytes, bool reset) override {
    noteData();
    Stream& s = stream(key);
    if (reset || (s.fed != offset && (s.splitter || s.failed))) {
      // A new file under the path, a truncation, or a jump: start the stream over.
      s.detectBuffer.clear();
      if (s.splitter) s.splitter->reset();
      s.failed = false;
      s.fed = s.consumed = offset;
      s.dirty = true;
    } else if (!s.seen) {
      s.fed = s.consumed = offset;  // first bytes seen in this process: the resume point
      s.dirty = bytes.empty();      // a stream announced at an offset: store it there
    }
    s.seen = true;
    s.fed += bytes.size();
    if (bytes.empty()) return;
    if (s.failed) {  // a stream whose format is unknown: skipped, position kept moving
      s.consumed = s.fed;
      s.dirty = true;
      return;
    }
    if (!s.splitter) {
      s.detectBuffer.append(bytes);
      // Guess once a whole first line is there (or enough bytes for a multi-line JSON head).
      if (s.detectBuffer.size() < kDetectMinBytes &&
          s.detectBuffer.find('\n') == std::string::npos) {
        return;
      }
      if (!startParsing(s, s.detectBuffer, false)) return;
      bytes = s.detectBuffer;
    }
    feed(s, bytes);
    if (!s.detectBuffer.empty()) s.detectBuffer.clear();
    drain(s);
  }

  void onEndOfStream(std::string_view key) override {
    Stream& s = stream(key);
    if (!s.seen) return;  // nothing of it was read in this process: its position stands
    s.ended = true;
    if (s.failed) return;
    if (!s.splitter) {
      if (s.detectBuffer.empty() || !startParsing(s, s.detectBuffer, true)) {
        s.consumed = s.fed;
        s.dirty = true;
        s.detectBuffer.clear();
        return;
      }
      feed(s, s.detectBuffer);
      s.detectBuffer.clear();
    }
    s.splitter->finish();
    drain(s);
    s.splitter->reset();
  }

  void onStreamError(std::string_view key, std::string_view message) override {
    ++streamErrors_;
    say(Level::kWarn, "", "%.*s: %.*s", static_cast<int>(key.size()), key.data(),
        static_cast<int>(message.size()), message.data());
  }

  void onRecord(std::string_view key, uint64_t offset, std::string_view bytes) override {
    noteData();
    Stream& s = stream(key);
    if (!s.splitter && !startParsing(s, bytes, true)) {
      s.consumed = offset + 1;  // undetectable message: reported, skipped
      s.dirty = true;
      return;
    }
    s.splitter->reset();
    feed(s, bytes);
    s.splitter->finish();
    currentLineBase_ = offset;
    drain(s);
    s.consumed = offset + 1;
    s.fed = offset + 1;
    s.dirty = true;
  }

  void onRevoke(const std::vector<std::string>&) override {
    (void)commitBatch();  // the source commits the offsets in committed()
  }

  // schemas::EventSink
  void onEvent(const schemas::AccessEvent& e) override {
    if (!failure_.empty()) return;
    if (auto st = engine_->process(e); !st.ok) {
      failure_ = st.message;
      return;
    }
    ++inBatch_;
    if (currentStream_ != nullptr) {  // metrics: one atomic increment, one store
      if (currentStream_->counters.parsed != nullptr) currentStream_->counters.parsed->Increment();
      if (currentStream_->sourceLastEventUs != nullptr) {
        *currentStream_->sourceLastEventUs = e.timeUs;
      }
    }
  }

 private:
  enum class Level { kInfo, kWarn, kWarnLimited, kError };

  // Formats like printf and logs through the daemon's log (daemon/log.h).
  template <typename... Args>
  void say(Level level, std::string_view key, const char* format, Args... args) {
    char buf[2048];
    std::snprintf(buf, sizeof(buf), format, args...);
    switch (level) {
      case Level::kInfo:
        logInfo(buf);
        break;
      case Level::kWarn:
        logWarn(buf);
        break;
      case Level::kWarnLimited:
        logWarnLimited(key, buf);
        break;
      case Level::kError:
        logError(buf);
        break;
    }
  }

  void noteData() {
    const auto now = std::chrono::steady_clock::now();
    if (delivered_++ == 0) firstData_ = now;
    lastData_ = now;
  }

  int fail(int code, const std::string& message) {
    say(Level::kError, "", "%s", message.c_str());
    return code;
  }

  Stream& stream(std::string_view key) {
    auto it = streams_.find(key);
    if (it == streams_.end()) {
      auto s = std::make_unique<Stream>();
      s->key = std::string(key);
      s->source = currentSource_;  // streams appear while their source is being polled
      if (currentSource_ != nullptr) {
        s->sourceLastEventUs = &sourceLastEventUs_.try_emplace(currentSource_, -1).first->second;
      }
      it = streams_.emplace(s->key, std::move(s)).first;
    }
    return *it->second;
  }

  // Picks the stream's parser: the source's format, or one detected from the head. Returns
  // false while more bytes are needed, and after marking the stream failed (reported once).
  bool startParsing(Stream& s, std::string_view head, bool complete) {
    schemas::Format format =
        s.source != nullptr ? sourceFormats_[s.source] : schemas::Format::kUnknown;
    if (format == schemas::Format::kUnknown) {
      format = schemas::detectFormat(head.substr(0, schemas::kDetectBytes));
      if (format == schemas::Format::kUnknown) {
        // A pretty-printed JSON head may not show its field names yet: wait for more.
        const size_t first = head.find_first_not_of(" \t\r\n");
        const bool json =
            first != std::string_view::npos && (head[first] == '{' || head[first] == '[');
        if (!complete && json && head.size() < schemas::kDetectBytes) return false;
        ++parseErrors_;
        if (metrics_) {
          const Metrics::StreamCounters c = metrics_->stream(sourceName(s), "unknown");
          c.parseError->Increment();
          c.formatParseErrors->Increment();
        }
        say(Level::kWarn, "",
            "%s: cannot tell the log format; skipping it (set format in its "
            "source)",
            s.key.c_str());
        s.failed = true;
        s.detectBuffer.clear();
        s.detectBuffer.shrink_to_fit();
        s.consumed = s.fed;
        s.dirty = true;
        return false;
      }
    }
    s.format = format;
    if (metrics_) s.counters = metrics_->stream(sourceName(s), schemas::toString(format));
    s.parser = schemas::makeParser(format);
    s.splitter = std::make_unique<schemas::RecordSplitter>(schemas::framingFor(format));
    return true;
  }

  void feed(Stream& s, std::string_view bytes) {
    std::memcpy(s.splitter->prepare(bytes.size()), bytes.data(), bytes.size());
    s.splitter->commit(bytes.size());
  }

  void drain(Stream& s) {
    schemas::Record rec;
    currentStream_ = &s;  // for onEvent's counters
    while (s.splitter->next(rec)) {
      schemas::ParseStatus ps = s.parser->parse(rec.bytes, *this);
      if (ps.code == schemas::ParseErrc::kNotAccessEvent && s.counters.skipped != nullptr) {
        s.counters.skipped->Increment();
      }
      if (ps.isError()) {
        if (s.counters.parseError != nullptr) {
          s.counters.parseError->Increment();
          s.counters.formatParseErrors->Increment();
        }
        ++parseErrors_;
        // Parse errors can come by the thousand: at most 10 a minute per stream are logged.
        say(Level::kWarnLimited, s.key, "%s:%llu: %s: %s", s.key.c_str(),
            static_cast<unsigned long long>(s.key.rfind("kafka:", 0) == 0 ? currentLineBase_
                                                                          : rec.line),
            std::string(schemas::toString(s.format)).c_str(), ps.detail);
      }
    }
    currentStream_ = nullptr;
    s.consumed = s.fed - s.splitter->pendingBytes();
    s.dirty = true;
  }

  // One WriteBatch: the engine's dirty baselines, the batch's alerts and the stream positions.
  bool commitBatch() {
    if (!failure_.empty()) return false;
    std::vector<std::pair<std::string, std::string>> positions;
    std::map<ingest::StreamSource*, std::map<std::string, uint64_t, std::less<>>> bySource;
    for (auto& [key, s] : streams_) {
      if (!s->dirty) continue;
      if (s->source == nullptr) continue;
      const std::string value = s->source->positionValue(key, s->consumed);
      if (value.empty()) continue;
      positions.emplace_back(key, value);
      bySource[s->source][key] = s->consumed;
    }
    if (positions.empty() && engine_->pendingAlerts() == 0 && inBatch_ == 0) return true;
    positions.emplace_back(kEventsKey, std::to_string(engine_->counters().events));
    std::vector<detectors::Alert> alerts;
    if (auto st = engine_->flush(alerts, std::move(positions)); !st.ok) {
      failure_ = st.message;
      return false;
    }
    if (!alerts.empty()) {
      noteCommitted(store_->lastSeq());
      if (metrics_) {
        for (const auto& a : alerts) metrics_->alert(a.detector, detectors::toString(a.severity));
      }
    }
    inBatch_ = 0;
    for (auto it = streams_.begin(); it != streams_.end();) {
      it->second->dirty = false;
      // A stream read to its end and committed holds nothing more: free its buffers.
      if (it->second->ended && it->second->detectBuffer.empty()) {
        it = streams_.erase(it);
      } else {
        ++it;
      }
    }
    for (auto& [src, consumed] : bySource) {
      if (auto st = src->committed(consumed); !st.ok) {
        failure_ = st.message;
        return false;
      }
    }
    return true;
  }

  // One delivery thread per sink. Each reads the outbox past its own cursor, delivers in
  // order, and moves the cursor only after the sink accepted: at least once, with stable ids.
  struct Worker {
    std::unique_ptr<AlertSink> sink;
    std::thread thread;
    std::atomic<uint64_t> cursor{0};
    std::atomic<uint64_t> delivered{0}, retries{0}, rejected{0};
    Metrics::SinkMetrics metrics;  // empty with metrics off
  };

  bool startWorkers(std::string& error) {
    std::vector<SinkConfig> sinks = options_.sinks;
    if (sinks.empty()) {
      // No [sink.NAME]: alerts.file, or standard output.
      SinkConfig c;
      c.name = kOutboxSink;
      c.type = options_.settings.alertsFile.empty() ? "stdout" : "file";
      c.path = options_.settings.alertsFile;
      sinks.push_back(c);
    }
    for (auto& c : sinks) {
      c.dedupWindowUs = options_.settings.detectors.dedupWindowUs;
      auto w = std::make_unique<Worker>();
      w->sink = makeSink(c, out_, error);
      if (!w->sink) return false;
      uint64_t cursor = 0;
      if (auto st = store_->deliveredCursor(c.name, cursor); !st.ok) {
        error = st.message;
        return false;
      }
      w->cursor = cursor;
      if (metrics_) w->metrics = metrics_->sink(c.name);
      workers_.push_back(std::move(w));
    }
    for (auto& w : workers_) {
      Worker* raw = w.get();
      w->thread = std::thread([this, raw] { deliverLoop(*raw); });
    }
    return true;
  }

  void deliverLoop(Worker& w) {
    const std::string& name = w.sink->name();
    std::mt19937_64 rng(std::hash<std::string>{}(name));
    int64_t backoffMs = 0;
    std::string lastProblem;
    for (;;) {
      {
        std::unique_lock<std::mutex> lock(mu_);
        cv_.wait_for(lock, std::chrono::milliseconds(backoffMs > 0 ? backoffMs : 200), [&] {
          return stopWorkers_ || (backoffMs == 0 && store_->lastSeq() > w.cursor.load());
        });
        if (stopWorkers_ && (store_->lastSeq() <= w.cursor.load() || backoffMs > 0 ||
                             std::chrono::steady_clock::now() >= drainDeadline_)) {
          return;  // what is left stays in the outbox for the next start
        }
      }
      std::vector<std::pair<uint64_t, std::string>> batch;
      if (auto st = store_->readAlerts(w.cursor.load(), w.sink->maxBatch(), batch); !st.ok) {
        report(name, st.message, lastProblem);
        backoffMs = 1000;
        continue;
      }
      if (batch.empty()) continue;
      std::vector<std::string> jsons;
      for (auto& [seq, json] : batch) jsons.push_back(std::move(json));
      DeliveryResult r = w.sink->deliver(jsons);
      if (r.outcome == DeliveryOutcome::kRetry) {
        ++w.retries;
        if (w.metrics.retries != nullptr) w.metrics.retries->Increment();
        report(name, "delivery failed, will retry: " + r.message, lastProblem);
        // Exponential backoff with jitter: 0.5 s doubling to 60 s, each wait +-20 %.
        backoffMs = backoffMs == 0 ? 500 : std::min<int64_t>(backoffMs * 2, 60000);
        const double jitter = 0.8 + 0.4 * std::uniform_real_distribution<double>(0, 1)(rng);
        backoffMs = static_cast<int64_t>(static_cast<double>(backoffMs) * jitter);
        continue;
      }
      if (r.outcome == DeliveryOutcome::kReject) {
        for (size_t i = 0; i < batch.size(); ++i) {
          (void)store_->deadLetter(name, batch[i].first, r.message, jsons[i]);
        }
        w.rejected += batch.size();
        if (w.metrics.rejects != nullptr) {
          w.metrics.rejects->Increment(static_cast<double>(batch.size()));
        }
        lastProblem.clear();
        report(name,
               "refused " + std::to_string(batch.size()) +
                   " alert(s) for good, dead-lettered: " + r.message,
               lastProblem);
      } else {
        w.delivered += batch.size();
        if (w.metrics.deliveries != nullptr) {
          w.metrics.deliveries->Increment(static_cast<double>(batch.size()));
          const auto accepted = std::chrono::steady_clock::now();
          for (const auto& item : batch) {
            if (auto t = commitTime(item.first)) {
              w.metrics.latency->Observe(std::chrono::duration<double>(accepted - *t).count());
            }
          }
        }
        if (!lastProblem.empty()) {
          say(Level::kInfo, "", "sink %s: delivering again", name.c_str());
          lastProblem.clear();
        }
      }
      backoffMs = 0;
      const uint64_t cursor = batch.back().first;
      if (auto st = store_->setDeliveredCursor(name, cursor); !st.ok) {
        report(name, st.message, lastProblem);
      }
      w.cursor = cursor;
    }
  }

  // Logs a delivery problem once until it changes (no flood while a receiver is down).
  void report(const std::string& sink, const std::string& problem, std::string& last) {
    if (problem == last) return;
    last = problem;
    say(Level::kWarn, "", "sink %s: %s", sink.c_str(), problem.c_str());
  }

  void wakeWorkers() { cv_.notify_all(); }

  // One line for `systemctl status`.
  std::string statusText() const {
    std::string text = std::to_string(engine_->counters().events) + " events, " +
                       std::to_string(engine_->counters().alerts) + " alerts, " +
                       std::to_string(outboxDepth()) + " undelivered, " +
                       std::to_string(sources_.size()) + " sources";
    if (backpressure_) text += "; input paused: outbox full";
    return text;
  }

  // Under systemd: WATCHDOG=1 at half the watchdog interval and STATUS= every few seconds.
  // Called from the main loop only, so a loop that hangs stops the pings and gets restarted.
  void tickNotify() {
    if (!notifyEnabled()) return;
    const auto now = std::chrono::steady_clock::now();
    if (watchdogEvery_.count() > 0 && now - lastWatchdog_ >= watchdogEvery_) {
      notifyWatchdog();
      lastWatchdog_ = now;
    }
    if (now - lastStatus_ >= kNotifyStatusEvery) {
      notifyStatus(statusText());
      lastStatus_ = now;
    }
  }

  // Alerts written to the outbox and not yet delivered by the slowest sink.
  uint64_t outboxDepth() const {
    uint64_t slowest = store_->lastSeq();
    for (const auto& w : workers_) slowest = std::min(slowest, w->cursor.load());
    return store_->lastSeq() - slowest;
  }

  void pruneOutbox() {
    uint64_t slowest = store_->lastSeq();
    for (const auto& w : workers_) slowest = std::min(slowest, w->cursor.load());
    if (slowest > pruned_) {
      (void)store_->pruneOutbox(slowest);
      pruned_ = slowest;
    }
    std::lock_guard<std::mutex> lock(commitMu_);
    while (!commitTimes_.empty() && commitTimes_.front().first <= slowest) {
      commitTimes_.pop_front();
    }
  }

  // Metrics: when the alerts up to `lastSeq` were committed (one entry per batch with alerts).
  void noteCommitted(uint64_t lastSeq) {
    std::lock_guard<std::mutex> lock(commitMu_);
    commitTimes_.emplace_back(lastSeq, std::chrono::steady_clock::now());
  }

  // When alert `seq` was committed (in this process; at startup for older ones), if known.
  std::optional<std::chrono::steady_clock::time_point> commitTime(uint64_t seq) {
    std::lock_guard<std::mutex> lock(commitMu_);
    auto it = std::lower_bound(commitTimes_.begin(), commitTimes_.end(), seq,
                               [](const auto& entry, uint64_t v) { return entry.first < v; });
    if (it == commitTimes_.end()) return std::nullopt;
    return it->second;
  }

  std::string sourceName(const Stream& s) const {
    return s.source != nullptr ? std::string(s.source->name()) : std::string();
  }

  // Gauges, at most every 250 ms from the loop: outbox, lags, principals, state size.
  void updateMetrics() {
    if (!metrics_) return;
    const auto now = std::chrono::steady_clock::now();
    if (now - lastMetrics_ < std::chrono::milliseconds(250)) return;
    lastMetrics_ = now;
    uint64_t slowest = store_->lastSeq();
    for (const auto& w : workers_) slowest = std::min(slowest, w->cursor.load());
    double oldestAge = 0;
    if (store_->lastSeq() > slowest) {
      if (auto t = commitTime(slowest + 1)) {
        oldestAge = std::chrono::duration<double>(now - *t).count();
      }
    }
    metrics_->setOutbox(store_->lastSeq() - slowest, oldestAge);
    const int64_t nowUs = std::chrono::duration_cast<std::chrono::microseconds>(
                              std::chrono::system_clock::now().time_since_epoch())
                              .count();
    for (const auto& src : sources_) {
      const std::string name(src->name());
      if (auto it = sourceLastEventUs_.find(src.get());
          it != sourceLastEventUs_.end() && it->second >= 0) {
        metrics_->setProcessingLag(name, static_cast<double>(nowUs - it->second) / 1e6);
      }
      if (const int64_t lag = src->lag(); lag >= 0) metrics_->setKafkaLag(name, lag);
    }
    const detectors::EngineCounters& c = engine_->counters();
    metrics_->setTrackedPrincipals(c.principals);
    for (const auto& [rule, n] : c.suppressedByRule) metrics_->suppressed(rule, n);
    metrics_->setStateSizeBytes(store_->sizeBytes());
  }

  void stopWorkers(std::chrono::milliseconds drain) {
    {
      std::lock_guard<std::mutex> lock(mu_);
      stopWorkers_ = true;
      drainDeadline_ = std::chrono::steady_clock::now() + drain;
    }
    cv_.notify_all();
    for (auto& w : workers_) {
      if (w->thread.joinable()) w->thread.join();
    }
  }

  // SIGHUP: RELOADING=1, the reload, then READY=1 again (also when the new config is refused).
  void reload() {
    notifyReloading();
    applyReload();
    notifyReady(statusText());
  }

  void applyReload() {
    RunOptions fresh;
    const std::string problem = loadRunConfig(options_.configPath, options_.overrides, fresh);
    if (!problem.empty()) {
      say(Level::kWarn, "", "reload refused, keeping the running configuration: %s",
          problem.c_str());
      return;
    }
    // Apply at a batch boundary, so that every event of a batch saw one configuration.
    if (!commitBatch()) return;
    wakeWorkers();
    engine_->reconfigure(fresh.settings.detectors);
    options_.settings.detectors = fresh.settings.detectors;
    say(Level::kInfo, "", "configuration reloaded");
  }

  RunOptions options_;
  std::FILE* out_;
  std::FILE* err_;
  std::unique_ptr<RocksDbStateStore> store_;
  std::unique_ptr<detectors::Engine> engine_;
  std::vector<std::unique_ptr<ingest::StreamSource>> sources_;
  std::map<ingest::StreamSource*, schemas::Format> sourceFormats_;
  std::map<std::string, std::unique_ptr<Stream>, std::less<>> streams_;
  ingest::StreamSource* currentSource_ = nullptr;
  std::vector<std::unique_ptr<Worker>> workers_;
  std::mutex mu_;  // guards stopWorkers_ and drainDeadline_, with cv_
  std::condition_variable cv_;
  bool stopWorkers_ = false;
  std::chrono::steady_clock::time_point drainDeadline_{};
  std::mutex logMu_;
  uint64_t pruned_ = 0;
  bool backpressure_ = false;
  std::chrono::microseconds watchdogEvery_{0};  // 0: no watchdog expected
  std::chrono::steady_clock::time_point lastWatchdog_{}, lastStatus_{};
  uint32_t inBatch_ = 0;
  uint64_t delivered_ = 0;  // onBytes/onRecord calls, to tell an idle loop
  std::chrono::steady_clock::time_point firstData_{}, lastData_{};
  uint64_t parseErrors_ = 0;
  uint64_t streamErrors_ = 0;
  uint64_t currentLineBase_ = 0;
  std::string failure_;
  // Metrics (null with metrics.enabled = false). Declared last, destroyed first: the workers
  // that use it are joined by the destructor body.
  std::unique_ptr<Metrics> metrics_;
  Stream* currentStream_ = nullptr;  // the stream being drained, for onEvent
  std::map<ingest::StreamSource*, int64_t> sourceLastEventUs_;  // -1: no event yet
  std::mutex commitMu_;  // guards commitTimes_ (delivery threads read it)
  std::deque<std::pair<uint64_t, std::chrono::steady_clock::time_point>> commitTimes_;
  std::chrono::steady_clock::time_point lastMetrics_{};
};

}  // namespace

std::string parseSources(const std::vector<std::pair<std::string, std::string>>& entries,
                         std::vector<SourceConfig>& out) {
  std::map<std::string, SourceConfig> byName;
  for (const auto& [key, value] : entries) {
    // source.NAME.KEY
    if (key.rfind("source.", 0) != 0) return "unknown key '" + key + "'";
    const size_t dot = key.find('.', 7);
    if (dot == std::string::npos || dot == 7) {
      return "'" + key + "': expected source.NAME.KEY";
    }
    const std::string name = key.substr(7, dot - 7);
    const std::string field = key.substr(dot + 1);
    SourceConfig& sc = byName[name];
    sc.name = name;
    if (field == "type") {
      if (value != "file" && value != "kafka") {
        return key + ": expected file or kafka, got '" + value + "'";
      }
      sc.type = value;
    } else if (field == "format") {
      if (value != "auto") {
        sc.format = schemas::formatFromString(value);
        if (sc.format == schemas::Format::kUnknown) {
          return key + ": unknown format '" + value + "' (auto, " +
                 std::string(schemas::formatNames()) + ")";
        }
      }
    } else if (field == "paths") {
      sc.paths = splitList(value);
    } else if (field == "rescan_ms" || field == "rotate_wait_ms") {
      int ms = 0;
      const auto r = std::from_chars(value.data(), value.data() + value.size(), ms);
      if (r.ec != std::errc() || r.ptr != value.data() + value.size() || ms < 10 || ms > 600000) {
        return key + ": expected milliseconds from 10 to 600000, got '" + value + "'";
      }
      (field == "rescan_ms" ? sc.rescanMs : sc.rotateWaitMs) = ms;
    } else if (field == "topics") {
      sc.topics = splitList(value);
    } else if (field.rfind("kafka.", 0) == 0 && field.size() > 6) {
      sc.kafka[field.substr(6)] = value;
    } else {
      return "unknown key '" + key +
             "' (a source takes type, format, paths, rescan_ms, rotate_wait_ms, topics and "
             "kafka.*)";
    }
  }
  for (auto& [name, sc] : byName) {
    if (sc.type.empty()) return "source." + name + ".type is required (file or kafka)";
    if (sc.type == "file" && sc.paths.empty()) return "source." + name + ".paths is required";
    if (sc.type == "kafka" && sc.topics.empty()) return "source." + name + ".topics is required";
    if (sc.type == "file" && (!sc.topics.empty() || !sc.kafka.empty())) {
      return "source." + name + ": topics and kafka.* belong to kafka sources";
    }
    if (sc.type == "kafka" &&
        (!sc.paths.empty() || sc.rescanMs != 1000 || sc.rotateWaitMs != 1000)) {
      return "source." + name + ": paths, rescan_ms and rotate_wait_ms belong to file sources";
    }
    out.push_back(std::move(sc));
  }
  return "";
}

std::string parseSinks(const std::vector<std::pair<std::string, std::string>>& entries,
                       std::vector<SinkConfig>& out) {
  std::map<std::string, SinkConfig> byName;
  for (const auto& [key, value] : entries) {
    const size_t dot = key.find('.', 5);
    if (dot == std::string::npos || dot == 5) return "'" + key + "': expected sink.NAME.KEY";
    const std::string name = key.substr(5, dot - 5);
    const std::string field = key.substr(dot + 1);
    SinkConfig& c = byName[name];
    c.name = name;
    auto number = [&](int64_t min, int64_t max, int64_t& target) -> std::string {
      int64_t n = 0;
      const auto r = std::from_chars(value.data(), value.data() + value.size(), n);
      if (r.ec != std::errc() || r.ptr != value.data() + value.size() || n < min || n > max) {
        return key + ": expected an integer from " + std::to_string(min) + " to " +
               std::to_string(max) + ", got '" + value + "'";
      }
      target = n;
      return "";
    };
    int64_t n = 0;
    std::string problem;
    if (field == "type") {
      c.type = value;
    } else if (field == "format") {
      c.format = value;
    } else if (field == "path") {
      c.path = value;
    } else if (field == "url") {
      c.url = value;
    } else if (field == "ca_file") {
      c.caFile = value;
    } else if (field == "tls_verify") {
      if (value != "true" && value != "false") return key + ": expected true or false";
      c.tlsVerify = value == "true";
    } else if (field == "timeout_ms") {
      problem = number(100, 600000, n);
      c.timeoutMs = static_cast<int>(n);
    } else if (field == "batch") {
      problem = number(1, 10000, n);
      c.batch = static_cast<size_t>(n);
    } else if (field == "secret_file") {
      c.secretFile = value;
    } else if (field == "secret_env") {
      c.secretEnv = value;
    } else {
      return "unknown key '" + key +
             "' (a sink takes type, format, path, url, ca_file, tls_verify, timeout_ms, batch, "
             "secret_file, secret_env)";
    }
    if (!problem.empty()) return problem;
  }
  for (auto& [name, c] : byName) {
    if (c.type.empty()) return "sink." + name + ".type is required";
    out.push_back(std::move(c));
  }
  return "";
}

std::string parseSuppressions(const std::vector<std::pair<std::string, std::string>>& entries,
                              std::vector<detectors::SuppressionRule>& out) {
  std::map<std::string, detectors::SuppressionRule> byName;
  for (const auto& [key, value] : entries) {
    const size_t dot = key.find('.', 9);
    if (dot == std::string::npos || dot == 9) return "'" + key + "': expected suppress.NAME.KEY";
    const std::string name = key.substr(9, dot - 9);
    const std::string field = key.substr(dot + 1);
    detectors::SuppressionRule& r = byName[name];
    r.name = name;
    if (field == "detector") {
      if (value != "anonymous_read" && value != "unknown_ip" && value != "bulk_download") {
        return key + ": unknown detector '" + value + "'";
      }
      r.detector = value;
    } else if (field == "principal") {
      r.principal = value;
    } else if (field == "bucket") {
      r.bucket = value;
    } else if (field == "object_prefix") {
      r.objectPrefix = value;
    } else if (field == "network") {
      if (!detectors::parseCidr(value, r.network)) {
        return key + ": '" + value + "' is not an address range in CIDR form";
      }
      r.hasNetwork = true;
    } else if (field == "expires") {
      if (!schemas::parseIso8601(value, r.expiresUs)) {
        return key + ": expected an RFC 3339 time (2026-12-31T00:00:00Z), got '" + value + "'";
      }
    } else {
      return "unknown key '" + key +
             "' (a suppression takes detector, principal, bucket, object_prefix, network, "
             "expires)";
    }
  }
  for (auto& [name, r] : byName) {
    if (r.detector.empty() && r.principal.empty() && r.bucket.empty() && r.objectPrefix.empty() &&
        !r.hasNetwork) {
      return "suppress." + name +
             " matches every alert; name at least one of detector, "
             "principal, bucket, object_prefix, network";
    }
    out.push_back(std::move(r));
  }
  return "";
}

std::string loadRunConfig(const std::string& path, const std::vector<std::string>& overrides,
                          RunOptions& out) {
  po::options_description desc;
  for (const auto& k : configTable()) {
    desc.add_options()(k.name, po::value<std::string>());
  }
  po::variables_map vm;
  std::vector<std::pair<std::string, std::string>> sourceEntries;
  try {
    std::vector<std::string> args;
    for (const auto& o : overrides) args.push_back(o);
    po::store(po::command_line_parser(args).options(desc).run(), vm);
    std::ifstream in(path);
    if (!in) return "cannot read config file " + path;
    po::parsed_options parsed = po::parse_config_file(in, desc, /*allow_unregistered=*/true);
    for (const auto& opt : parsed.options) {
      if (opt.unregistered) {
        sourceEntries.emplace_back(opt.string_key, opt.value.empty() ? "" : opt.value.front());
      }
    }
    po::store(parsed, vm);
    po::notify(vm);
  } catch (const po::error& e) {
    return path + ": " + e.what();
  }
  out.configPath = path;
  out.overrides = overrides;
  for (const auto& k : configTable()) {
    const std::string value = vm.count(k.name) ? vm[k.name].as<std::string>() : k.defaultValue;
    const std::string problem = k.apply(value, out.settings);
    if (!problem.empty()) return std::string("invalid ") + k.name + ": " + problem;
  }
  std::vector<std::pair<std::string, std::string>> sources, sinks, suppressions;
  for (auto& entry : sourceEntries) {
    if (entry.first.rfind("sink.", 0) == 0) {
      sinks.push_back(std::move(entry));
    } else if (entry.first.rfind("suppress.", 0) == 0) {
      suppressions.push_back(std::move(entry));
    } else {
      sources.push_back(std::move(entry));
    }
  }
  std::string problem = parseSources(sources, out.sources);
  if (problem.empty()) problem = parseSinks(sinks, out.sinks);
  if (problem.empty())
    problem = parseSuppressions(suppressions, out.settings.detectors.suppressions);
  if (!problem.empty()) return path + ": " + problem;
  if (out.sources.empty()) return path + ": no [source.NAME] section: nothing to read";
  return "";
}

int runDaemon(RunOptions options, std::FILE* out, std::FILE* err) {
  initLog(err, options.settings.logJson ? LogFormat::kJson : LogFormat::kPlain);
  gStop.store(0);
  gReload.store(0);
  Daemon daemon(std::move(options), out, err);
  return daemon.run();
}

int inspectState(const std::string& stateDir, std::FILE* out, std::FILE* err) {
  std::string error;
  auto store = RocksDbStateStore::open(stateDir, false, error);
  if (!store) {
    std::fprintf(err, "blobwatch: %s\n", error.c_str());
    return 2;
  }
  ingest::PositionMap positions;
  std::map<std::string, uint64_t> cursors;
  if (auto st = store->loadPositions(positions); !st.ok) {
    std::fprintf(err, "blobwatch: %s\n", st.message.c_str());
    return 1;
  }
  if (auto st = store->deliveredCursors(cursors); !st.ok) {
    std::fprintf(err, "blobwatch: %s\n", st.message.c_str());
    return 1;
  }
  std::string json;
  schemas::JsonWriter w(json);
  w.beginObject();
  uint64_t events = 0;
  if (auto it = positions.find(kEventsKey); it != positions.end()) {
    std::from_chars(it->second.data(), it->second.data() + it->second.size(), events);
  }
  w.field("events", events);
  w.field("alerts", store->lastSeq());  // raised, in all
  w.field("dead_letters", store->countDeadLetters());
  w.key("delivered");  // per sink: the sequence number of the last alert it accepted
  w.beginObject();
  for (const auto& [sink, seq] : cursors) w.field(sink, seq);
  w.endObject();
  w.key("positions");
  w.beginObject();
  for (const auto& [k, v] : positions) {
    if (k != kEventsKey) w.field(k, v);
  }
  w.endObject();
  w.endObject();
  std::fprintf(out, "%s\n", json.c_str());
  return 0;
}

}  // namespace blobwatch::daemon
