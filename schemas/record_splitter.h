#pragma once

#include <cstddef>
#include <cstdint>
#include <string_view>
#include <vector>

#include "schemas/access_event.h"

// Cuts a byte stream into records for a Parser, keeping the line number each record starts on.
//
// Two framings:
//  - kLines: one record per '\n'-terminated line (S3 access logs; "\r\n" is tolerated).
//  - kJsonValues: one record per top-level JSON value. A line that starts with '{' and ends with
//    '}' is taken as one record without scanning it (the NDJSON fast path); anything else
//    (pretty-printed or multi-line objects, back-to-back objects) is scanned for the end of the
//    value, honouring strings and escapes. A top-level array is not one record: each of its
//    elements is (gcloud's and `jq -s`'s output), at the element's own line. A value that
//    cannot be valid JSON at a line break (a raw newline in a string; a line that opens an
//    object or array where no value may come: after a value, after '{', after a ',' between
//    members) ends at that line break: a truncated line is one bad record, not the start of
//    one that swallows the lines after it.
//
// Usage: write into prepare(n), commit(k), then call next() until it returns false; finish() at
// end of input makes the remainder a final record. Records stay valid until the next prepare().
// Every record is followed by at least kRecordPadding readable bytes. Not thread-safe.
namespace blobwatch::schemas {

enum class Framing : uint8_t { kLines, kJsonValues };

Framing framingFor(Format format);

struct Record {
  std::string_view bytes;
  uint64_t line = 0;  // 1-based line number of the record's first byte
};

class RecordSplitter {
 public:
  // maxRecordBytes bounds one record; a longer one is cut there and reported as one record (the
  // parser will reject it), so a stream without newlines cannot grow memory without bound.
  explicit RecordSplitter(Framing framing, size_t maxRecordBytes = 64u << 20);

  // Returns a pointer to at least `n` writable bytes at the end of the pending data.
  char* prepare(size_t n);
  void commit(size_t n);
  void finish() { finished_ = true; }
  // Forgets all pending bytes and starts a new stream at line 1 (keeps the buffer's capacity).
  void reset();
  // Bytes committed but not yet yielded as records (a partial record waiting for its end).
  size_t pendingBytes() const { return end_ - begin_; }
  bool finished() const { return finished_; }
  // Bytes the buffer holds, committed or not (memory in use).
  size_t bufferBytes() const { return buf_.size(); }

  // Yields the next complete record. Returns false when more input is needed (or, after finish(),
  // when everything was yielded).
  [[nodiscard]] bool next(Record& out);

 private:
  bool nextLine(Record& out);
  bool nextJson(Record& out);
  // Yields [begin, end) and resumes at `resume`; `newlines` in [begin, resume) when the caller
  // knows it, else -1 to count them.
  void emit(size_t begin, size_t end, size_t resume, Record& out, int64_t newlines = -1);
  // Whether a JSON value may come after lastToken_ in the innermost open container.
  bool valueMayFollow() const;
  // `end` moved back over trailing whitespace, not before `begin`.
  size_t trimmedEnd(size_t begin, size_t end) const;

  Framing framing_;
  size_t maxRecordBytes_;
  std::vector<char> buf_;
  size_t begin_ = 0;   // first unconsumed byte
  size_t end_ = 0;     // one past the last committed byte
  uint64_t line_ = 1;  // line number at begin_
  bool finished_ = false;
  // Resumable scan state for kJsonValues.
  size_t scanPos_ = 0;
  int depth_ = 0;
  bool inString_ = false;
  bool escaped_ = false;
  bool started_ = false;
  bool inArray_ = false;   // inside a top-level array, whose elements are the records
  char lastToken_ = '\0';  // the last byte outside strings that is not whitespace ('"' ends one)
  uint64_t arrays_ = 0;    // bit d set: the container at depth d + 1 is an array (up to 64)
};

}  // namespace blobwatch::schemas
