#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "ingest/source.h"

// Long-running sources for `blobwatch run`: files followed as they grow (with rotation) and Kafka
// topics. A StreamSource moves bytes and knows where they came from; it knows nothing of formats.
//
// Positions. Every stream (one followed file, one Kafka partition) has a key ("file:/var/log/a",
// "kafka:topic/3"). The daemon persists, in the same RocksDB WriteBatch as the baseline changes
// of the events it covers, the position value that positionValue() encodes for the number of
// bytes (files) or the next offset (Kafka) consumed. On restart, start() receives the stored
// values and resumes exactly there: nothing skipped, nothing counted twice.
//
// Threading: a source is driven by one thread (the daemon's loop). Sinks are called from poll().

namespace blobwatch::ingest {

class DataSink {
 public:
  virtual ~DataSink() = default;
  // Bytes of a byte stream (a file). `offset` is where `bytes` start in the stream; with `reset`
  // the stream starts over (a new file under the path, a truncation): pending partial records
  // are dropped and `offset` is 0.
  virtual void onBytes(std::string_view stream, uint64_t offset, std::string_view bytes,
                       bool reset) = 0;
  // The stream ended (a rotated file drained, a gzip file read whole): a final record without a
  // terminator is complete now.
  virtual void onEndOfStream(std::string_view stream) = 0;
  // One whole record (a Kafka message) at `offset`. `bytes` is valid during the call only; it
  // is followed by no padding, the sink copies it.
  virtual void onRecord(std::string_view stream, uint64_t offset, std::string_view bytes) = 0;
  // A problem with one stream that does not stop the others (a corrupt gzip file): the sink
  // reports and counts it. The source retries or skips the stream as the message says.
  virtual void onStreamError(std::string_view stream, std::string_view message) = 0;
  // The source is about to stop owning these streams (Kafka rebalance): the sink must make
  // everything consumed from them durable now (commit its batch), then call
  // StreamSource::committed for them.
  virtual void onRevoke(const std::vector<std::string>& streams) = 0;
};

// Stored position values by stream key, as read from the state at startup.
using PositionMap = std::map<std::string, std::string, std::less<>>;

class StreamSource {
 public:
  virtual ~StreamSource() = default;
  virtual std::string_view name() const = 0;
  // Startup: connects, subscribes or scans. Fatal errors are returned, not thrown.
  virtual IoStatus start(const PositionMap& stored) = 0;
  // Waits up to `timeoutMs` for data and hands what is available to `sink`. Reads at most a few
  // MiB per call so that one source cannot starve the others.
  virtual IoStatus poll(DataSink& sink, int timeoutMs) = 0;
  // The position value to persist for `stream` once `consumed` bytes (files) have been turned
  // into events, or `consumed` is the next Kafka offset to read.
  virtual std::string positionValue(std::string_view stream, uint64_t consumed) const = 0;
  // Everything up to these consumed positions is durable: commit upstream (Kafka offsets).
  virtual IoStatus committed(const std::map<std::string, uint64_t, std::less<>>& consumed) = 0;
  // Stops; the daemon calls it after its final commit.
  virtual void stop() = 0;
  // Messages behind (Kafka: sum over assigned partitions of high watermark minus position, from
  // the consumer's cached watermarks, no broker round trip); -1 when the source has no such
  // notion or nothing is assigned. Called from the polling thread.
  virtual int64_t lag() const { return -1; }
};

struct FileSourceOptions {
  std::string name;
  std::vector<std::string> patterns;  // paths or globs ("/var/log/s3/*.log")
  int rescanMs = 1000;                // how often globs are re-expanded for new files
  int rotateWaitMs = 1000;            // a renamed file is read until it has been quiet this long
  size_t maxBytesPerPoll = 4u << 20;
};

// Follows files and globs as they grow. Picks up new files that match. Handles rotation by
// rename (the old file is read until it has been quiet for rotateWaitMs, so lines its writer
// adds before reopening are kept; then the new file is read from 0) and by copytruncate (a file
// shorter than what was read starts over). gzip files (1f 8b) are read once, whole,
// decompressed; a corrupt or still-growing one is reported and retried when its size changes.
// A file's identity is (device, inode, a hash of its first 256 bytes): a restart resumes a file
// only if it is the same file, and a file renamed to another matching name (a glob that also
// matches rotated names) is recognised and not read twice. Stream keys are
// "file:<source name>:<path>", so two sources never share a stream.
std::unique_ptr<StreamSource> makeFileSource(FileSourceOptions options);

struct KafkaSourceOptions {
  std::string name;
  std::vector<std::string> topics;
  std::map<std::string, std::string> properties;  // librdkafka settings, passed through as is
};

// A librdkafka high-level consumer in a consumer group. Auto-commit is off: offsets are
// committed by committed() only, after the daemon's batch is durable; on assignment, partitions
// resume from the offsets stored in blobwatch's state (the state, not the group, is the source
// of truth, so a crash between the state write and the offset commit replays nothing twice).
// Startup errors (bad properties) are returned by makeKafkaSource with `error` set.
std::unique_ptr<StreamSource> makeKafkaSource(KafkaSourceOptions options, std::string& error);

}  // namespace blobwatch::ingest
