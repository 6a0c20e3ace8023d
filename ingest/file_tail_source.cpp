#include <fcntl.h>
#include <glob.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <charconv>
#include <chrono>
#include <cstring>
#include <set>
#include <thread>

#include "ingest/stream_source.h"

namespace blobwatch::ingest {
namespace {

using Clock = std::chrono::steady_clock;
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

struct Identity {
  uint64_t dev = 0, ino = 0;
  friend auto operator<=>(const Identity&, const Identity&) = default;
};

struct Tracked {
  std::string path;
  std::string key;  // "file:<source>:<path>"
  int fd = -1;
  Identity id;
  uint64_t offset = 0;    // bytes delivered (decompressed bytes for gzip)
  std::string head;       // the file's first bytes, up to kFingerprintBytes (raw bytes for gzip)
  int gz = -1;            // -1 not known yet (empty file), 0 plain, 1 gzip
  bool done = false;      // gzip read whole
  bool draining = false;  // the path now names another file: read until quiet, then drop
  Clock::time_point lastData = Clock::now();
  uint64_t skip = 0;        // gzip: decompressed bytes consumed before a restart or retry
  int64_t failedSize = -1;  // gzip: size at the last failed read; retried when it changes
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
    const std::string prefix = "file:" + options_.name + ":";
    for (const auto& [key, value] : stored) {
      FilePosition p;
      if (key.rfind(prefix, 0) != 0 || !p.decode(value)) continue;
      byPath_[key.substr(prefix.size())] = p;
      known_[Identity{p.dev, p.ino}] = p;
    }
    return IoStatus::Ok();
  }

  IoStatus poll(DataSink& sink, int timeoutMs) override {
    const auto now = Clock::now();
    if (now - lastScan_ >= std::chrono::milliseconds(options_.rescanMs)) rescan(sink);
    size_t budget = options_.maxBytesPerPoll;
    size_t delivered = 0;
    for (size_t i = 0; i < files_.size();) {
      Tracked& t = *files_[i];
      IoStatus st = pump(t, sink, budget, delivered);
      if (!st.ok) return st;
      if (t.fd < 0) {
        // Drained after a rotation, vanished, or a gzip read whole: remember how far it was
        // read (under another name it is the same file), then take up the file now at the path.
        FilePosition p = positionOf(t, t.offset);
        known_[t.id] = p;
        const std::string path = t.path;
        const bool rotated = t.draining;
        files_.erase(files_.begin() + static_cast<std::ptrdiff_t>(i));
        if (rotated) openPath(path, sink, /*afterRotation=*/true);
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
      if (f->key == stream) return positionOf(*f, consumed).encode();
    }
    // The file was dropped (read whole, or drained after a rotation with nothing at the path).
    auto dropped = keyOfDropped_.find(std::string(stream));
    if (dropped == keyOfDropped_.end()) return {};
    auto known = known_.find(dropped->second);
    if (known == known_.end()) return {};
    FilePosition p = known->second;
    p.consumed = consumed;
    return p.encode();
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
  static FilePosition positionOf(const Tracked& t, uint64_t consumed) {
    FilePosition p;
    p.dev = t.id.dev;
    p.ino = t.id.ino;
    p.fpLen = t.head.size();
    p.fpHash = fnv1a(t.head);
    p.consumed = consumed;
    return p;
  }

  void rescan(DataSink& sink) {
    lastScan_ = Clock::now();
    for (const auto& pattern : options_.patterns) {
      glob_t g{};
      if (::glob(pattern.c_str(), GLOB_NOSORT | GLOB_BRACE, nullptr, &g) == 0) {
        for (size_t i = 0; i < g.gl_pathc; ++i) openPath(g.gl_pathv[i], sink, false);
      }
      ::globfree(&g);
    }
  }

  bool tracking(const std::string& path, const Identity& id) const {
    for (const auto& f : files_) {
      if ((f->path == path && !f->draining) || f->id == id) return true;
    }
    return false;
  }

  std::string readHead(int fd, uint64_t n) {
    std::string head(std::min<uint64_t>(n, kFingerprintBytes), '\0');
    const ssize_t got = ::pread(fd, head.data(), head.size(), 0);
    head.resize(got > 0 ? static_cast<size_t>(got) : 0);
    return head;
  }

  // Where to start reading a file seen for the first time in this process: after what an
  // earlier run (or this one, under another name) consumed of the same file, else at 0.
  bool resumePoint(int fd, const struct stat& st, const FilePosition& p, uint64_t& offset,
                   std::string& head) {
    if (p.dev != static_cast<uint64_t>(st.st_dev) || p.ino != static_cast<uint64_t>(st.st_ino) ||
        p.fpLen > static_cast<uint64_t>(st.st_size)) {
      return false;
    }
    char magic[2] = {0, 0};
    const bool gz = ::pread(fd, magic, 2, 0) == 2 && magic[0] == '\x1f' && magic[1] == '\x8b';
    if (!gz && p.consumed > static_cast<uint64_t>(st.st_size)) return false;  // truncated since
    std::string prefix = readHead(fd, p.fpLen);
    if (prefix.size() != p.fpLen || fnv1a(prefix) != p.fpHash) return false;
    head = std::move(prefix);
    offset = p.consumed;
    return true;
  }

  // Starts following `path` unless it (or the same file under another name) already is.
  void openPath(const std::string& path, DataSink& sink, bool afterRotation) {
    struct stat st {};
    if (::stat(path.c_str(), &st) != 0 || !S_ISREG(st.st_mode)) return;
    const Identity id{static_cast<uint64_t>(st.st_dev), static_cast<uint64_t>(st.st_ino)};
    if (tracking(path, id) || gzDone_.count(id) != 0) return;
    auto known = known_.find(id);
    const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0) return;
    auto t = std::make_unique<Tracked>();
    t->path = path;
    t->key = "file:" + options_.name + ":" + path;
    t->fd = fd;
    t->id = id;
    uint64_t offset = 0;
    std::string head;
    bool announce = false;
    auto stored = byPath_.find(path);
    if (stored != byPath_.end()) {
      resumePoint(fd, st, stored->second, offset, head);
      byPath_.erase(stored);  // a later file at this path is a new file
    } else if (known != known_.end() && resumePoint(fd, st, known->second, offset, head)) {
      // A file read before under another name (renamed into a matching name): it goes on from
      // there. Announce the stream at that offset, so that its position is stored under the new
      // name at once and a restart does not read it again.
      announce = true;
    }
    t->head = head;
    if (t->gz == -1 && st.st_size >= 2) decideGzip(*t);
    if (t->gz == 1) {
      t->skip = offset;
    } else {
      t->offset = offset;
    }
    const bool keyReused = keyOfDropped_.erase(t->key) > 0;
    if (afterRotation || keyReused) {
      // The stream starts over now, even before the new file has bytes, so that the position
      // committed next pairs this file's identity with this file's offset.
      sink.onBytes(t->key, 0, std::string_view(), true);
    } else if (announce && t->gz != 1) {
      sink.onBytes(t->key, t->offset, std::string_view(), false);
    }
    files_.push_back(std::move(t));
  }

  void decideGzip(Tracked& t) {
    char magic[2] = {0, 0};
    t.gz = ::pread(t.fd, magic, 2, 0) == 2 && magic[0] == '\x1f' && magic[1] == '\x8b' ? 1 : 0;
  }

  void refreshHead(Tracked& t, uint64_t available) {
    if (t.head.size() < kFingerprintBytes && available > t.head.size()) {
      t.head = readHead(t.fd, available);
    }
  }

  IoStatus pump(Tracked& t, DataSink& sink, size_t& budget, size_t& delivered) {
    struct stat fst {};
    if (::fstat(t.fd, &fst) != 0) {
      return IoStatus::Error(t.path + ": fstat failed: " + std::strerror(errno));
    }
    if (t.gz == -1) {
      if (fst.st_size < 2) return IoStatus::Ok();  // not yet known whether it is gzip
      decideGzip(t);
    }
    if (t.gz == 1) return pumpGzip(t, sink, fst, budget, delivered);
    const auto now = Clock::now();
    if (!t.draining) {
      struct stat st {};
      if (::stat(t.path.c_str(), &st) != 0 || static_cast<uint64_t>(st.st_ino) != t.id.ino ||
          static_cast<uint64_t>(st.st_dev) != t.id.dev) {
        t.draining = true;  // renamed or deleted: finish what the old file gets
        t.lastData = now;
        keyOfDropped_[t.key] = t.id;
      }
    }
    if (static_cast<uint64_t>(fst.st_size) < t.offset) {
      // copytruncate: the file was emptied under us; what is in it now is new. Say so at once,
      // so that no position pairs this file with the old offset.
      t.offset = 0;
      t.head.clear();
      sink.onBytes(t.key, 0, std::string_view(), true);
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
      refreshHead(t, t.offset + got);
      sink.onBytes(t.key, t.offset, std::string_view(buf_.data(), got), false);
      t.offset += got;
      budget -= got;
      delivered += got;
      t.lastData = now;
    }
    if (t.draining && budget > 0 &&
        now - t.lastData >= std::chrono::milliseconds(options_.rotateWaitMs)) {
      sink.onEndOfStream(t.key);
      ::close(t.fd);
      t.fd = -1;
    }
    return IoStatus::Ok();
  }

  IoStatus pumpGzip(Tracked& t, DataSink& sink, const struct stat& fst, size_t& budget,
                    size_t& delivered) {
    if (t.failedSize >= 0) {
      if (fst.st_size == t.failedSize) return IoStatus::Ok();  // wait until it changes
      t.failedSize = -1;
    }
    if (!t.gzSource) {
      if (t.head.empty()) t.head = readHead(t.fd, kFingerprintBytes);
      std::string error;
      t.gzSource = openFileSource(t.path, error);
      if (!t.gzSource) {
        sink.onStreamError(t.key, error);
        t.failedSize = fst.st_size;
        return IoStatus::Ok();
      }
    }
    while (budget > 0) {
      size_t got = 0;
      IoStatus st = t.gzSource->read(buf_.data(), std::min(budget, buf_.size()), got);
      if (!st.ok) {
        // Truncated or corrupt (perhaps still being written): report, and read it again from
        // the start once its size changes, skipping what was delivered.
        sink.onStreamError(t.key, st.message + " (retried when the file changes)");
        t.skip = std::max(t.skip, t.offset);
        t.offset = 0;
        t.gzSource.reset();
        t.failedSize = fst.st_size;
        return IoStatus::Ok();
      }
      if (got == 0) {
        if (t.offset > t.skip || t.skip == 0) sink.onEndOfStream(t.key);
        t.offset = std::max(t.offset, t.skip);
        t.done = true;
        gzDone_.insert(t.id);
        t.gzSource.reset();
        ::close(t.fd);  // read whole: known_ remembers it, so it is not opened again
        t.fd = -1;
        keyOfDropped_[t.key] = t.id;
        break;
      }
      const uint64_t start = t.offset;
      t.offset += got;
      if (t.offset <= t.skip) continue;  // consumed before a restart
      const size_t from = start < t.skip ? static_cast<size_t>(t.skip - start) : 0;
      sink.onBytes(t.key, start + from, std::string_view(buf_.data() + from, got - from), false);
      budget -= std::min(budget, got);
      delivered += got;
    }
    return IoStatus::Ok();
  }

  FileSourceOptions options_;
  std::vector<std::unique_ptr<Tracked>> files_;
  std::map<std::string, FilePosition> byPath_;    // stored positions, by path (first use)
  std::map<Identity, FilePosition> known_;        // files read before, by identity
  std::map<std::string, Identity> keyOfDropped_;  // key -> the file it last named
  std::set<Identity> gzDone_;                     // gzip files read whole in this process
  std::vector<char> buf_;
  Clock::time_point lastScan_{};
};

}  // namespace

std::unique_ptr<StreamSource> makeFileSource(FileSourceOptions options) {
  return std::make_unique<FileTailSource>(std::move(options));
}

}  // namespace blobwatch::ingest
