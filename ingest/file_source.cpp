#include <fcntl.h>
#include <unistd.h>
#include <zlib.h>

#include <cerrno>
#include <climits>
#include <cstring>

#include "ingest/source.h"

namespace blobwatch::ingest {
namespace {

// Reads through zlib's gz* interface, which passes non-gzip input through unchanged and reads
// large requests straight into the caller's buffer.
class GzFileSource final : public Source {
 public:
  GzFileSource(std::string name, gzFile file) : name_(std::move(name)), file_(file) {}
  ~GzFileSource() override { gzclose(file_); }
  GzFileSource(const GzFileSource&) = delete;
  GzFileSource& operator=(const GzFileSource&) = delete;

  std::string_view name() const override { return name_; }
  uint64_t position() const override { return position_; }

  IoStatus read(char* buf, size_t capacity, size_t& got) override {
    got = 0;
    const auto want = static_cast<unsigned>(capacity > INT_MAX ? INT_MAX : capacity);
    const int n = gzread(file_, buf, want);
    if (n < 0) {
      int errnum = 0;
      const char* msg = gzerror(file_, &errnum);
      return IoStatus::Error(name_ +
                             ": read failed: " + (errnum == Z_ERRNO ? std::strerror(errno) : msg));
    }
    if (n == 0) {
      int errnum = 0;
      const char* msg = gzerror(file_, &errnum);
      if (errnum != Z_OK && errnum != Z_BUF_ERROR) {
        return IoStatus::Error(name_ + ": " + msg);
      }
      if (errnum == Z_BUF_ERROR) {
        return IoStatus::Error(name_ + ": truncated gzip data");
      }
    }
    got = static_cast<size_t>(n);
    position_ += got;
    return IoStatus::Ok();
  }

 private:
  std::string name_;
  gzFile file_;
  uint64_t position_ = 0;
};

}  // namespace

std::unique_ptr<Source> openFileSource(const std::string& path, std::string& error) {
  int fd = 0;
  if (path != "-") {
    fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0) {
      error = path + ": cannot open: " + std::strerror(errno);
      return nullptr;
    }
  } else {
    fd = ::dup(0);
    if (fd < 0) {
      error = std::string("-: cannot read standard input: ") + std::strerror(errno);
      return nullptr;
    }
  }
  gzFile file = gzdopen(fd, "rb");
  if (file == nullptr) {
    ::close(fd);
    error = path + ": cannot open for reading";
    return nullptr;
  }
  gzbuffer(file, 1u << 20);
  return std::make_unique<GzFileSource>(path, file);
}

}  // namespace blobwatch::ingest
