#include <librdkafka/rdkafkacpp.h>

#include <charconv>
#include <cstdio>

#include "ingest/stream_source.h"

namespace blobwatch::ingest {
namespace {

std::string streamKey(const std::string& topic, int32_t partition) {
  return "kafka:" + topic + "/" + std::to_string(partition);
}

bool parseOffset(std::string_view s, int64_t& out) {
  const auto r = std::from_chars(s.data(), s.data() + s.size(), out);
  return r.ec == std::errc() && r.ptr == s.data() + s.size() && out >= 0;
}

class KafkaSource final : public StreamSource, private RdKafka::RebalanceCb {
 public:
  explicit KafkaSource(KafkaSourceOptions options) : options_(std::move(options)) {}
  ~KafkaSource() override { stop(); }

  // Builds the consumer; returns "" or what is wrong with the configuration.
  std::string create() {
    std::unique_ptr<RdKafka::Conf> conf(RdKafka::Conf::create(RdKafka::Conf::CONF_GLOBAL));
    std::string err;
    // blobwatch's own settings first, so that the user's kafka.* keys can override the tuning
    // ones but not the two that at-least-once delivery depends on (set again below).
    const std::map<std::string, std::string> defaults = {
        {"auto.offset.reset", "earliest"},
        // Bounded prefetch: backpressure, not buffering. Smaller bounds make librdkafka 2.0 stall
        // fetching for fetch.error.backoff.ms whenever the queue fills (bench/kafka.sh).
        {"queued.max.messages.kbytes", "131072"},
        {"fetch.error.backoff.ms", "50"},
    };
    for (const auto& [k, v] : defaults) {
      if (conf->set(k, v, err) != RdKafka::Conf::CONF_OK) return k + ": " + err;
    }
    for (const auto& [k, v] : options_.properties) {
      if (conf->set(k, v, err) != RdKafka::Conf::CONF_OK) {
        return "kafka." + k + ": " + err;
      }
    }
    for (const auto& [k, v] : std::map<std::string, std::string>{
             {"enable.auto.commit", "false"}, {"enable.auto.offset.store", "false"}}) {
      if (conf->set(k, v, err) != RdKafka::Conf::CONF_OK) return k + ": " + err;
    }
    if (conf->set("rebalance_cb", static_cast<RdKafka::RebalanceCb*>(this), err) !=
        RdKafka::Conf::CONF_OK) {
      return "rebalance_cb: " + err;
    }
    std::string group;
    if (conf->get("group.id", group) != RdKafka::Conf::CONF_OK || group.empty()) {
      return "kafka.group.id is required (the consumer group whose offsets blobwatch commits)";
    }
    consumer_.reset(RdKafka::KafkaConsumer::create(conf.get(), err));
    if (!consumer_) return "cannot create the Kafka consumer: " + err;
    return "";
  }

  std::string_view name() const override { return options_.name; }

  IoStatus start(const PositionMap& stored) override {
    for (const auto& [key, value] : stored) {
      int64_t offset = 0;
      if (key.rfind("kafka:", 0) == 0 && parseOffset(value, offset)) positions_[key] = offset;
    }
    const RdKafka::ErrorCode err = consumer_->subscribe(options_.topics);
    if (err != RdKafka::ERR_NO_ERROR) {
      return IoStatus::Error(options_.name + ": subscribe failed: " + RdKafka::err2str(err));
    }
    return IoStatus::Ok();
  }

  IoStatus poll(DataSink& sink, int timeoutMs) override {
    sink_ = &sink;
    // A bounded number of messages per call, so that batches and other sources get their turn.
    for (int i = 0; i < 10000; ++i) {
      std::unique_ptr<RdKafka::Message> m(consumer_->consume(i == 0 ? timeoutMs : 0));
      if (!m) break;
      const RdKafka::ErrorCode err = m->err();
      if (err == RdKafka::ERR__TIMED_OUT || err == RdKafka::ERR__PARTITION_EOF) break;
      if (err != RdKafka::ERR_NO_ERROR) {
        // Broker and transport errors are retried by librdkafka; report (once per distinct
        // error) and go on.
        report(m->errstr());
        break;
      }
      const std::string key = streamKey(m->topic_name(), m->partition());
      auto pos = positions_.find(key);
      if (pos != positions_.end() && m->offset() < pos->second) continue;  // already in state
      sink.onRecord(key, static_cast<uint64_t>(m->offset()),
                    std::string_view(static_cast<const char*>(m->payload()), m->len()));
    }
    sink_ = nullptr;
    return IoStatus::Ok();
  }

  std::string positionValue(std::string_view, uint64_t consumed) const override {
    return std::to_string(consumed);
  }

  IoStatus committed(const std::map<std::string, uint64_t, std::less<>>& consumed) override {
    std::vector<RdKafka::TopicPartition*> offsets;
    for (const auto& [key, next] : consumed) {
      if (key.rfind("kafka:", 0) != 0) continue;
      const size_t slash = key.rfind('/');
      int32_t partition = 0;
      const std::string_view p = std::string_view(key).substr(slash + 1);
      if (slash == std::string::npos ||
          std::from_chars(p.data(), p.data() + p.size(), partition).ec != std::errc()) {
        continue;
      }
      positions_[key] = static_cast<int64_t>(next);
      offsets.push_back(RdKafka::TopicPartition::create(key.substr(6, slash - 6), partition,
                                                        static_cast<int64_t>(next)));
    }
    if (offsets.empty()) return IoStatus::Ok();
    const RdKafka::ErrorCode err = consumer_->commitSync(offsets);
    RdKafka::TopicPartition::destroy(offsets);
    // A failed commit is not fatal: the state holds the positions, and the group only lags.
    if (err != RdKafka::ERR_NO_ERROR) report("offset commit failed: " + RdKafka::err2str(err));
    return IoStatus::Ok();
  }

  int64_t lag() const override {
    if (!consumer_) return -1;
    std::vector<RdKafka::TopicPartition*> assigned;
    if (consumer_->assignment(assigned) != RdKafka::ERR_NO_ERROR || assigned.empty()) {
      RdKafka::TopicPartition::destroy(assigned);
      return -1;
    }
    (void)consumer_->position(assigned);
    int64_t lag = 0;
    for (const auto* tp : assigned) {
      int64_t low = 0, high = 0;
      if (consumer_->get_watermark_offsets(tp->topic(), tp->partition(), &low, &high) !=
              RdKafka::ERR_NO_ERROR ||
          high < 0) {
        continue;  // no fetch response yet
      }
      int64_t position = tp->offset();
      if (position < 0) {  // nothing consumed yet in this process: where it will resume
        auto pos = positions_.find(streamKey(tp->topic(), tp->partition()));
        position = pos != positions_.end() ? pos->second : low;
      }
      lag += std::max<int64_t>(0, high - position);
    }
    RdKafka::TopicPartition::destroy(assigned);
    return lag;
  }

  void stop() override {
    if (consumer_) {
      consumer_->close();
      consumer_.reset();
    }
  }

 private:
  void report(const std::string& error) {
    ++errors_;
    if (error == lastError_) return;
    lastError_ = error;
    std::fprintf(stderr, "blobwatch: source %s: %s\n", options_.name.c_str(), error.c_str());
  }

  void rebalance_cb(RdKafka::KafkaConsumer* consumer, RdKafka::ErrorCode err,
                    std::vector<RdKafka::TopicPartition*>& partitions) override {
    const bool cooperative = consumer->rebalance_protocol() == "COOPERATIVE";
    if (err == RdKafka::ERR__ASSIGN_PARTITIONS) {
      // Resume where this instance's state says; if the group committed further (another
      // instance of the group consumed past it), from there: never backwards, never twice.
      std::vector<RdKafka::TopicPartition*> committed;
      for (const auto* tp : partitions) {
        committed.push_back(RdKafka::TopicPartition::create(tp->topic(), tp->partition()));
      }
      const bool haveCommitted = consumer->committed(committed, 10000) == RdKafka::ERR_NO_ERROR;
      for (size_t i = 0; i < partitions.size(); ++i) {
        auto* tp = partitions[i];
        int64_t offset = RdKafka::Topic::OFFSET_INVALID;
        auto pos = positions_.find(streamKey(tp->topic(), tp->partition()));
        if (pos != positions_.end()) offset = pos->second;
        if (haveCommitted && committed[i]->offset() >= 0) {
          offset = std::max(offset, committed[i]->offset());
        }
        if (offset >= 0) {
          tp->set_offset(offset);
          positions_[streamKey(tp->topic(), tp->partition())] = offset;
        }
      }
      RdKafka::TopicPartition::destroy(committed);
      if (cooperative) {
        delete consumer->incremental_assign(partitions);
      } else {
        consumer->assign(partitions);
      }
      return;
    }
    // Revocation (or an error): make what was consumed durable before the partitions go.
    std::vector<std::string> streams;
    for (const auto* tp : partitions) streams.push_back(streamKey(tp->topic(), tp->partition()));
    if (sink_ != nullptr) sink_->onRevoke(streams);
    if (cooperative) {
      delete consumer->incremental_unassign(partitions);
    } else {
      consumer->unassign();
    }
  }

  KafkaSourceOptions options_;
  std::unique_ptr<RdKafka::KafkaConsumer> consumer_;
  std::map<std::string, int64_t, std::less<>> positions_;  // next offset per partition
  DataSink* sink_ = nullptr;
  std::string lastError_;
  uint64_t errors_ = 0;
};

}  // namespace

std::unique_ptr<StreamSource> makeKafkaSource(KafkaSourceOptions options, std::string& error) {
  auto source = std::make_unique<KafkaSource>(std::move(options));
  error = source->create();
  if (!error.empty()) return nullptr;
  return source;
}

}  // namespace blobwatch::ingest
