#include <fcntl.h>
#include <glob.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <charconv>
#include <chrono>
#include <cstring>
#include <thread>

#include "ingest/stream_source.h"

namespace blobwatch::ingest {
namespace {

constexpr size_t kFingerprintBytes = 256;

uint64_t fnv1a(std::string_view s) {
  uint64_t h = 1469598103934665603ULL;
  for (const char c : s) {
    h ^= static_cast<unsigned char>(c);
    h *= 1099511628211ULL;
  }
  return h;
}

// The stored position of a file: "dev:ino:fingerprintLength:fingerprintHash:consumed".
struct FilePosition {
  uint64_t dev = 0, ino = 0, fpLen = 0, fpHash = 0, consumed = 0;
  std::string encode() const {
    return std::to_string(dev) + ":" + std::to_string(ino) + ":" + std::to_string(fpLen) + ":" +
           std::to_string(fpHash) + ":" + std::to_string(consumed);
  }
  bool decode(std::string_view s) {
    uint64_t* fields[] = {&dev, &ino, &fpLen, &fpHash, &consumed};
    for (size_t i = 0; i < 5; ++i) {
      const size_t colon = i < 4 ? s.find(':') : s.size();
      if (colon == std::string_view::npos) return false;
      const auto r = std::from_chars(s.data(), s.data() + colon, *fields[i]);
      if (r.ec != std::errc() || r.ptr != s.data() + colon) return false;
      s.remove_prefix(i < 4 ? colon + 1 : colon);
    }
    return true;
  }
};

struct Tracked {
  std::string path;
  std::string key;  // "file:" + path
  int fd = -1;
  uint64_t dev = 0, ino = 0;
  uint64_t offset = 0;  // bytes delivered (decompressed bytes for gzip)
  std::string head;     // the file's first bytes, up to kFingerprintBytes (raw, compressed for gz)
  bool gz = false;
  bool done = false;       // gzip read whole
  bool draining = false;   // the path now names another file: read to the end, then drop
  bool resetNext = false;  // the next bytes start the stream over
  uint64_t skip = 0;       // gzip: decompressed bytes already consumed before a restart
  std::unique_ptr<Source> gzSource;
};

class FileTailSource final : public StreamSource {
 public:
  explicit FileTailSource(FileSourceOptions options) : options_(std::move(options)) {
    buf_.resize(options_.maxBytesPerPoll);
  }
  ~FileTailSource() override { stop(); }

  std::string_view name() const override { return options_.name; }

  IoStatus start(const PositionMap& stored) override {
    stored_ = stored;
    rescan();
    return IoStatus::Ok();
  }

  IoStatus poll(DataSink& sink, int timeoutMs) override {
    const auto now = std::chrono::steady_clock::now();
    if (now - lastScan_ >= std::chrono::milliseconds(options_.rescanMs)) rescan();
    size_t budget = options_.maxBytesPerPoll;
    size_t delivered = 0;
    for (size_t i = 0; i < files_.size();) {
      Tracked& t = *files_[i];
      IoStatus st = pump(t, sink, budget, delivered);
      if (!st.ok) return st;
      if (t.fd < 0 && !t.gzSource) {
        // Drained after a rotation, or vanished: drop it, and take up the file now at the path.
        const std::string path = t.path;
        files_.erase(files_.begin() + static_cast<std::ptrdiff_t>(i));
        openPath(path, /*afterRotation=*/true);
        continue;
      }
      ++i;
    }
    if (delivered == 0 && timeoutMs > 0) {
      std::this_thread::sleep_for(std::chrono::milliseconds(std::min(timeoutMs, 50)));
    }
    return IoStatus::Ok();
  }

  std::string positionValue(std::string_view stream, uint64_t consumed) const override {
    for (const auto& f : files_) {
      if (f->key == stream) {
        FilePosition p;
        p.dev = f->dev;
        p.ino = f->ino;
        p.fpLen = f->head.size();
        p.fpHash = fnv1a(f->head);
        p.consumed = consumed;
        return p.encode();
      }
    }
    return {};
  }

  IoStatus committed(const std::map<std::string, uint64_t, std::less<>>&) override {
    return IoStatus::Ok();  // the state is the checkpoint; nothing upstream to acknowledge
  }

  void stop() override {
    for (auto& f : files_) {
      if (f->fd >= 0) ::close(f->fd);
      f->fd = -1;
      f->gzSource.reset();
    }
    files_.clear();
  }

 private:
  void rescan() {
    lastScan_ = std::chrono::steady_clock::now();
    for (const auto& pattern : options_.patterns) {
      glob_t g{};
      if (::glob(pattern.c_str(), GLOB_NOSORT | GLOB_BRACE, nullptr, &g) == 0) {
        for (size_t i = 0; i < g.gl_pathc; ++i) openPath(g.gl_pathv[i], false);
      }
      ::globfree(&g);
    }
  }

  Tracked* find(const std::string& path) {
    for (auto& f : files_) {
      if (f->path == path && !f->draining) return f.get();
    }
    return nullptr;
  }

  // Starts following `path` unless it already is. The stored position is used only the first
  // time a path is seen in this process, and only if the file is the same file.
  void openPath(const std::string& path, bool afterRotation) {
    if (find(path) != nullptr) return;
    const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0) return;
    struct stat st {};
    if (::fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
      ::close(fd);
      return;
    }
    auto t = std::make_unique<Tracked>();
    t->path = path;
    t->key = "file:" + path;
    t->fd = fd;
    t->dev = static_cast<uint64_t>(st.st_dev);
    t->ino = static_cast<uint64_t>(st.st_ino);
    t->resetNext = afterRotation;
    char magic[2] = {0, 0};
    t->gz = ::pread(fd, magic, 2, 0) == 2 && magic[0] == '\x1f' && magic[1] == '\x8b';
    auto it = stored_.find(t->key);
    if (it != stored_.end()) {
      FilePosition p;
      if (p.decode(it->second) && p.dev == t->dev && p.ino == t->ino &&
          p.fpLen <= static_cast<uint64_t>(st.st_size)) {
        std::string head(p.fpLen, '\0');
        const ssize_t n = ::pread(fd, head.data(), head.size(), 0);
        if (n == static_cast<ssize_t>(head.size()) && fnv1a(head) == p.fpHash) {
          t->head = head;
          if (t->gz) {
            t->skip = p.consumed;
          } else if (p.consumed <= static_cast<uint64_t>(st.st_size)) {
            t->offset = p.consumed;
          }
        }
      }
      stored_.erase(it);  // a later file at this path is a new file
    }
    files_.push_back(std::move(t));
  }

  void extendHead(Tracked& t, const char* data, size_t n, uint64_t at) {
    if (t.gz || at != t.head.size() || t.head.size() >= kFingerprintBytes) return;
    t.head.append(data, std::min(n, kFingerprintBytes - t.head.size()));
  }

  IoStatus pump(Tracked& t, DataSink& sink, size_t& budget, size_t& delivered) {
    if (t.gz) return pumpGzip(t, sink, budget, delivered);
    if (!t.draining) {
      struct stat st {};
      if (::stat(t.path.c_str(), &st) != 0 || static_cast<uint64_t>(st.st_ino) != t.ino ||
          static_cast<uint64_t>(st.st_dev) != t.dev) {
        t.draining = true;  // renamed or deleted: finish what the old file holds
      }
    }
    struct stat fst {};
    if (::fstat(t.fd, &fst) != 0) {
      return IoStatus::Error(t.path + ": fstat failed: " + std::strerror(errno));
    }
    if (static_cast<uint64_t>(fst.st_size) < t.offset) {
      // copytruncate: the file was emptied under us; what is in it now is new.
      t.offset = 0;
      t.head.clear();
      t.resetNext = true;
    }
    while (budget > 0) {
      const size_t want = std::min(budget, buf_.size());
      const ssize_t n = ::pread(t.fd, buf_.data(), want, static_cast<off_t>(t.offset));
      if (n < 0) {
        if (errno == EINTR) continue;
        return IoStatus::Error(t.path + ": read failed: " + std::strerror(errno));
      }
      if (n == 0) break;
      const auto got = static_cast<size_t>(n);
      // Learn the head before delivering: positionValue() may be asked about these bytes.
      extendHead(t, buf_.data(), got, t.offset);
      if (t.resetNext && t.offset == 0) {
        sink.onBytes(t.key, 0, std::string_view(buf_.data(), got), true);
        t.resetNext = false;
      } else {
        sink.onBytes(t.key, t.offset, std::string_view(buf_.data(), got), false);
      }
      t.offset += got;
      budget -= got;
      delivered += got;
    }
    if (t.draining && budget > 0) {
      sink.onEndOfStream(t.key);
      ::close(t.fd);
      t.fd = -1;
    }
    return IoStatus::Ok();
  }

  IoStatus pumpGzip(Tracked& t, DataSink& sink, size_t& budget, size_t& delivered) {
    if (t.done) {
      // Read whole; a file replacing it under the same path is picked up by the next rescan.
      if (::access(t.path.c_str(), F_OK) != 0) {
        ::close(t.fd);
        t.fd = -1;
      }
      return IoStatus::Ok();
    }
    if (!t.gzSource) {
      if (t.head.empty()) {
        t.head.resize(kFingerprintBytes);
        const ssize_t n = ::pread(t.fd, t.head.data(), t.head.size(), 0);
        t.head.resize(n > 0 ? static_cast<size_t>(n) : 0);
      }
      std::string error;
      t.gzSource = openFileSource(t.path, error);
      if (!t.gzSource) return IoStatus::Error(error);
    }
    while (budget > 0) {
      size_t got = 0;
      IoStatus st = t.gzSource->read(buf_.data(), std::min(budget, buf_.size()), got);
      if (!st.ok) return st;
      if (got == 0) {
        sink.onEndOfStream(t.key);
        t.done = true;
        t.gzSource.reset();
        break;
      }
      const uint64_t start = t.offset;
      t.offset += got;
      if (t.offset <= t.skip) continue;  // consumed before a restart
      const size_t from = start < t.skip ? static_cast<size_t>(t.skip - start) : 0;
      sink.onBytes(t.key, start + from, std::string_view(buf_.data() + from, got - from),
                   t.resetNext && start + from == 0);
      t.resetNext = false;
      budget -= std::min(budget, got);
      delivered += got;
    }
    return IoStatus::Ok();
  }

  FileSourceOptions options_;
  std::vector<std::unique_ptr<Tracked>> files_;
  PositionMap stored_;
  std::vector<char> buf_;
  std::chrono::steady_clock::time_point lastScan_{};
};

}  // namespace

std::unique_ptr<StreamSource> makeFileSource(FileSourceOptions options) {
  return std::make_unique<FileTailSource>(std::move(options));
}

}  // namespace blobwatch::ingest
