#include "schemas/record_splitter.h"

#include <algorithm>
#include <cstring>

#include "schemas/parser.h"

namespace blobwatch::schemas {
namespace {

uint64_t countNewlines(const char* p, size_t n) {
  uint64_t count = 0;
  const char* end = p + n;
  while ((p = static_cast<const char*>(std::memchr(p, '\n', static_cast<size_t>(end - p)))) !=
         nullptr) {
    ++count;
    ++p;
  }
  return count;
}

bool isSpace(char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\n'; }

}  // namespace

Framing framingFor(Format format) {
  switch (format) {
    case Format::kCloudTrail:
    case Format::kAzureBlob:
    case Format::kGcsAudit:
    case Format::kMinioAudit:
      return Framing::kJsonValues;
    case Format::kS3Access:
    case Format::kAzureAnalytics:
    case Format::kGcsUsage:
    case Format::kUnknown:
      break;
  }
  return Framing::kLines;
}

RecordSplitter::RecordSplitter(Framing framing, size_t maxRecordBytes)
    : framing_(framing), maxRecordBytes_(maxRecordBytes) {}

void RecordSplitter::reset() {
  begin_ = end_ = scanPos_ = 0;
  line_ = 1;
  finished_ = false;
  depth_ = 0;
  inString_ = escaped_ = started_ = inArray_ = false;
}

char* RecordSplitter::prepare(size_t n) {
  // Move the unconsumed tail (usually a partial record) to the front when the buffer is over
  // half consumed or would otherwise have to grow: a reader that asks for the same n every time
  // then keeps one buffer of n plus a record, instead of doubling it once the tail is nonempty.
  if (begin_ > 0 &&
      (begin_ == end_ || begin_ > buf_.size() / 2 || end_ + n + kRecordPadding > buf_.size())) {
    std::memmove(buf_.data(), buf_.data() + begin_, end_ - begin_);
    scanPos_ -= std::min(scanPos_, begin_);
    end_ -= begin_;
    begin_ = 0;
  }
  const size_t need = end_ + n + kRecordPadding;
  if (buf_.size() < need) {
    // A record longer than a read is accumulating: double, so that its bytes are copied O(1)
    // times each. Otherwise grow by the shortfall and an eighth, for the next tails' variation.
    buf_.resize(end_ > n ? std::max(need, buf_.size() * 2) : need + need / 8);
  }
  return buf_.data() + end_;
}

void RecordSplitter::commit(size_t n) {
  end_ += n;
  std::memset(buf_.data() + end_, 0, kRecordPadding);  // deterministic padding for the parsers
}

bool RecordSplitter::next(Record& out) {
  return framing_ == Framing::kLines ? nextLine(out) : nextJson(out);
}

bool RecordSplitter::valueMayFollow() const {
  // After ':' always, after '[' always, after ',' inside an array. Not after a value (only ',',
  // '}' or ']' may follow one), nor after '{' or an object's ',' (a key must follow). Deeper than
  // 64 levels the container is not tracked: a value is assumed possible.
  if (lastToken_ == ':' || lastToken_ == '[') return true;
  if (lastToken_ != ',') return false;
  if (depth_ > 64) return true;
  return ((arrays_ >> (depth_ - 1)) & 1) != 0;
}

size_t RecordSplitter::trimmedEnd(size_t begin, size_t end) const {
  while (end > begin && isSpace(buf_[end - 1])) --end;
  return end;
}

void RecordSplitter::emit(size_t begin, size_t end, size_t resume, Record& out, int64_t newlines) {
  out.bytes = std::string_view(buf_.data() + begin, end - begin);
  out.line = line_ + countNewlines(buf_.data() + begin_, begin - begin_);
  line_ = out.line + (newlines >= 0 ? static_cast<uint64_t>(newlines)
                                    : countNewlines(buf_.data() + begin, resume - begin));
  begin_ = resume;
  scanPos_ = resume;
  depth_ = 0;
  inString_ = escaped_ = started_ = false;
}

bool RecordSplitter::nextLine(Record& out) {
  if (begin_ >= end_) return false;
  const char* start = buf_.data() + begin_;
  const auto* nl = static_cast<const char*>(std::memchr(start, '\n', end_ - begin_));
  size_t lineEnd;
  size_t resume;
  if (nl != nullptr) {
    lineEnd = static_cast<size_t>(nl - buf_.data());
    resume = lineEnd + 1;
  } else if (finished_) {
    lineEnd = resume = end_;
  } else if (end_ - begin_ >= maxRecordBytes_) {
    lineEnd = resume = begin_ + maxRecordBytes_;
  } else {
    return false;
  }
  size_t trimmed = lineEnd;
  if (trimmed > begin_ && buf_[trimmed - 1] == '\r') --trimmed;
  out.bytes = std::string_view(start, trimmed - begin_);
  out.line = line_;
  line_ += (nl != nullptr) ? 1 : 0;
  begin_ = resume;
  return true;
}

bool RecordSplitter::nextJson(Record& out) {
  for (;;) {
    if (!started_) {
      // Skip whitespace between values, and the bracket and commas of a top-level array: its
      // elements are records of their own. `gcloud logging read --format=json` and `jq -s`
      // print one array of entries; as one record it would be cut at maxRecordBytes, and its
      // errors would all be reported at its first line.
      while (begin_ < end_) {
        const char c = buf_[begin_];
        if (c == '\n') {
          ++line_;
        } else if (c == '[' && !inArray_) {
          inArray_ = true;
        } else if (inArray_ && c == ']') {
          inArray_ = false;
        } else if (!isSpace(c) && !(inArray_ && c == ',')) {
          break;
        }
        ++begin_;
      }
      if (begin_ >= end_) return false;
      // NDJSON fast path: a whole line that looks like one object. An object waits for the end
      // of its first line, so that the framing does not depend on where reads split the input;
      // scanPos_ remembers how far the newline search got.
      const size_t from = std::max(scanPos_, begin_);
      const auto* nl = static_cast<const char*>(std::memchr(buf_.data() + from, '\n', end_ - from));
      if (nl == nullptr && !finished_ && buf_[begin_] == '{' && end_ - begin_ < maxRecordBytes_) {
        scanPos_ = end_;
        return false;
      }
      if (nl != nullptr || finished_) {
        size_t lineEnd = nl != nullptr ? static_cast<size_t>(nl - buf_.data()) : end_;
        size_t last = lineEnd;
        while (last > begin_ && isSpace(buf_[last - 1])) --last;
        if (buf_[begin_] == '{' && last > begin_ + 1 && buf_[last - 1] == '}') {
          // One line: its only newline is the one that ends it.
          emit(begin_, last, nl != nullptr ? lineEnd + 1 : end_, out, nl != nullptr ? 1 : 0);
          return true;
        }
      }
      started_ = true;
      scanPos_ = begin_;
      depth_ = 0;
      inString_ = escaped_ = false;
      lastToken_ = '\0';
    }
    // Scan for the end of the value. A value that cannot be valid JSON at a line break ends
    // there, so that a truncated line (a writer that died mid-record) costs one error and not
    // the records after it, which a brace count alone would swallow:
    //  - a raw newline inside a string (JSON escapes it);
    //  - a line that opens an object or array where no value may come (see valueMayFollow).
    const char* p = buf_.data();
    size_t i = scanPos_;
    for (; i < end_; ++i) {
      const char c = p[i];
      if (inString_) {
        if (escaped_) {
          escaped_ = false;
        } else if (c == '\\') {
          escaped_ = true;
        } else if (c == '"') {
          inString_ = false;
        } else if (c == '\n') {
          emit(begin_, trimmedEnd(begin_, i), i + 1, out);
          return true;
        }
        continue;
      }
      if (c == '\n' && depth_ > 0 && !valueMayFollow()) {
        size_t next = i + 1;
        while (next < end_ && isSpace(p[next])) ++next;
        if (next == end_ && !finished_) break;  // wait for the next line's first byte
        if (next < end_ && (p[next] == '{' || p[next] == '[')) {
          emit(begin_, trimmedEnd(begin_, i), i + 1, out);
          return true;
        }
      }
      if (!isSpace(c)) lastToken_ = c;
      if (c == '"') {
        inString_ = true;
      } else if (depth_ == 0 && inArray_ && (c == ',' || c == ']')) {
        emit(begin_, i, i, out);  // a scalar element ends at the next separator
        return true;
      } else if (c == '{' || c == '[') {
        if (depth_ >= 0 && depth_ < 64) {
          const uint64_t bit = uint64_t{1} << depth_;
          arrays_ = c == '[' ? (arrays_ | bit) : (arrays_ & ~bit);
        }
        ++depth_;
      } else if (c == '}' || c == ']') {
        if (--depth_ <= 0) {
          emit(begin_, i + 1, i + 1, out);
          return true;
        }
      } else if (depth_ == 0 && i > begin_ && isSpace(c)) {
        // A scalar at top level ends at whitespace.
        emit(begin_, i, i, out);
        return true;
      }
    }
    scanPos_ = i;
    if (finished_ && begin_ < end_) {
      emit(begin_, end_, end_, out);  // unterminated value: the parser reports it
      return true;
    }
    if (end_ - begin_ >= maxRecordBytes_) {
      emit(begin_, end_, end_, out);
      return true;
    }
    return false;
  }
}

}  // namespace blobwatch::schemas
