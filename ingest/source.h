#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

// The ingest interface: a Source moves bytes and knows where they came from. It knows nothing of
// formats or detection. Sources are not thread-safe; one thread reads one source.

namespace blobwatch::ingest {

// The result of an I/O call. `message` names the file and the failing call when !ok.
struct [[nodiscard]] IoStatus {
  bool ok = true;
  std::string message;
  static IoStatus Ok() { return {}; }
  static IoStatus Error(std::string m) { return {false, std::move(m)}; }
};

class Source {
 public:
  virtual ~Source() = default;
  // What the source reads, as shown in messages: a path, or "-" for stdin.
  virtual std::string_view name() const = 0;
  // Reads up to `capacity` bytes of (decompressed) content into `buf`; sets `got` to the number
  // read, 0 at end of input. Blocks until data or end of input.
  virtual IoStatus read(char* buf, size_t capacity, size_t& got) = 0;
  // Bytes of content delivered so far (after decompression).
  virtual uint64_t position() const = 0;
};

// Opens a file ("-" is standard input) for reading. gzip-compressed input, as CloudTrail delivers
// it, is decompressed transparently (several concatenated gzip members included); anything else
// is read as is. Startup-time call: returns nullptr and sets `error` when the file cannot be
// opened.
std::unique_ptr<Source> openFileSource(const std::string& path, std::string& error);

}  // namespace blobwatch::ingest
