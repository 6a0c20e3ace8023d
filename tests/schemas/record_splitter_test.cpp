#include "schemas/record_splitter.h"

#include <gtest/gtest.h>

#include <cstring>
#include <ostream>
#include <string>
#include <vector>

#include "schemas/access_event.h"
#include "schemas/parser.h"
#include "tests/support/samples.h"

namespace blobwatch::schemas {
namespace {

struct Rec {
  std::string bytes;
  uint64_t line;
  friend bool operator==(const Rec&, const Rec&) = default;
  friend std::ostream& operator<<(std::ostream& os, const Rec& r) {
    return os << r.line << ":[" << r.bytes << "]";
  }
};

// Feeds `in` to a splitter `chunk` bytes at a time and collects every record (copied, since a
// record is only valid until the next prepare()).
std::vector<Rec> split(const std::string& in, Framing framing, size_t chunk,
                       size_t maxRecordBytes = 64u << 20) {
  RecordSplitter splitter(framing, maxRecordBytes);
  std::vector<Rec> out;
  Record r;
  size_t pos = 0;
  while (pos < in.size()) {
    const size_t n = std::min(chunk, in.size() - pos);
    std::memcpy(splitter.prepare(n), in.data() + pos, n);
    splitter.commit(n);
    pos += n;
    while (splitter.next(r)) out.push_back({std::string(r.bytes), r.line});
  }
  splitter.finish();
  while (splitter.next(r)) out.push_back({std::string(r.bytes), r.line});
  return out;
}

constexpr size_t kChunks[] = {1, 3, 64, 1u << 20};

// Splits with every chunk size and checks all give `expected`.
void expectSplit(const std::string& in, Framing framing, const std::vector<Rec>& expected) {
  for (const size_t chunk : kChunks) {
    EXPECT_EQ(split(in, framing, chunk), expected) << "chunk " << chunk;
  }
}

TEST(FramingFor, PerFormat) {
  EXPECT_EQ(framingFor(Format::kS3Access), Framing::kLines);
  EXPECT_EQ(framingFor(Format::kCloudTrail), Framing::kJsonValues);
}

// ---------------------------------------------------------------------------------------------
// kLines

TEST(LineFraming, LineNumbersIncludingBlankLines) {
  expectSplit("a\nbb\n\nccc\n", Framing::kLines, {{"a", 1}, {"bb", 2}, {"", 3}, {"ccc", 4}});
}

TEST(LineFraming, SteadyReadsKeepOneBufferOfAChunkAndARecord) {
  // Reads of 4 KiB that end inside a 100-byte line, over and over: the partial line is moved to
  // the front instead of the buffer doubling.
  constexpr size_t kChunk = 4096;
  const std::string line = std::string(99, 'x') + "\n";
  std::string in;
  while (in.size() < 64 * kChunk) in += line;
  RecordSplitter splitter(Framing::kLines);
  Record r;
  size_t records = 0;
  for (size_t pos = 0; pos < in.size(); pos += kChunk) {
    const size_t n = std::min(kChunk, in.size() - pos);
    std::memcpy(splitter.prepare(kChunk), in.data() + pos, n);
    splitter.commit(n);
    while (splitter.next(r)) {
      ASSERT_EQ(r.bytes, std::string_view(line).substr(0, 99));
      ++records;
    }
  }
  EXPECT_EQ(records, in.size() / line.size());
  EXPECT_LT(splitter.bufferBytes(), 2 * kChunk);
}

TEST(LineFraming, CrLf) {
  expectSplit("a\r\nbb\r\n\r\nc\r\n", Framing::kLines, {{"a", 1}, {"bb", 2}, {"", 3}, {"c", 4}});
  // Only a final "\r" is a line-ending; one inside the line stays.
  expectSplit("a\rb\r\n", Framing::kLines, {{"a\rb", 1}});
}

TEST(LineFraming, FinalLineWithoutNewline) {
  expectSplit("a\nb", Framing::kLines, {{"a", 1}, {"b", 2}});
  expectSplit("only", Framing::kLines, {{"only", 1}});
  expectSplit("", Framing::kLines, {});

  // The unterminated last line is held back until finish().
  RecordSplitter s(Framing::kLines);
  const std::string in = "a\nb";
  std::memcpy(s.prepare(in.size()), in.data(), in.size());
  s.commit(in.size());
  Record r;
  ASSERT_TRUE(s.next(r));
  EXPECT_EQ(r.bytes, "a");
  EXPECT_FALSE(s.next(r));
  s.finish();
  ASSERT_TRUE(s.next(r));
  EXPECT_EQ(r.bytes, "b");
  EXPECT_EQ(r.line, 2u);
  EXPECT_FALSE(s.next(r));
}

TEST(LineFraming, RecordIsPaddedWithReadableBytes) {
  RecordSplitter s(Framing::kLines);
  const std::string in = "abc\ndef\n";
  std::memcpy(s.prepare(in.size()), in.data(), in.size());
  s.commit(in.size());
  Record r;
  ASSERT_TRUE(s.next(r));
  ASSERT_TRUE(s.next(r));
  EXPECT_EQ(r.bytes, "def");
  // The bytes after the last record: its "\n" and then the zeroed padding.
  EXPECT_EQ(r.bytes.data()[3], '\n');
  for (size_t i = 4; i < 4 + kRecordPadding; ++i) EXPECT_EQ(r.bytes.data()[i], '\0') << i;
}

TEST(LineFraming, MaxRecordBytesCutsAnEndlessLine) {
  const size_t max = 1000;
  const std::string endless(10'000, 'x');
  for (const size_t chunk : {size_t{1}, size_t{64}, size_t{4096}, size_t{1} << 20}) {
    const auto recs = split(endless, Framing::kLines, chunk, max);
    size_t total = 0;
    for (const Rec& r : recs) {
      EXPECT_LE(r.bytes.size(), max) << chunk;
      total += r.bytes.size();
    }
    EXPECT_EQ(total, endless.size()) << chunk;  // nothing lost, nothing duplicated
    EXPECT_GE(recs.size(), endless.size() / max) << chunk;
  }
  // A normal line after the endless one still comes out whole.
  const auto recs = split(endless + "\nshort\n", Framing::kLines, 512, max);
  ASSERT_FALSE(recs.empty());
  EXPECT_EQ(recs.back().bytes, "short");
}

// ---------------------------------------------------------------------------------------------
// kJsonValues

TEST(JsonFraming, Ndjson) {
  expectSplit("{\"a\":1}\n{\"b\":2}\n{\"c\":3}\n", Framing::kJsonValues,
              {{"{\"a\":1}", 1}, {"{\"b\":2}", 2}, {"{\"c\":3}", 3}});
}

TEST(JsonFraming, NdjsonWithBlankLinesAndIndentation) {
  expectSplit("\n\n  {\"a\":1}  \n\n\t{\"b\":2}\n\n", Framing::kJsonValues,
              {{"{\"a\":1}", 3}, {"{\"b\":2}", 5}});
}

TEST(JsonFraming, PrettyPrintedMultiLineObjects) {
  const std::string first = "{\n  \"a\": 1,\n  \"b\": {\n    \"c\": [1, 2]\n  }\n}";
  const std::string second = "{\n  \"d\": 3\n}";
  expectSplit(first + "\n" + second + "\n", Framing::kJsonValues, {{first, 1}, {second, 7}});
}

TEST(JsonFraming, BackToBackObjects) {
  // Pretty-printed objects back to back ("}{" with no separator, as Azure sinks can append them;
  // the CopyBlob sample has "}\n{") and objects separated by blank lines.
  expectSplit("{\n\"a\":1\n}{\n\"b\":2\n}\n{\"c\":3}\n", Framing::kJsonValues,
              {{"{\n\"a\":1\n}", 1}, {"{\n\"b\":2\n}", 3}, {"{\"c\":3}", 6}});
  expectSplit("{\n\"a\":1\n}\n\n\n{\n\"b\":2\n}", Framing::kJsonValues,
              {{"{\n\"a\":1\n}", 1}, {"{\n\"b\":2\n}", 6}});
}

TEST(JsonFraming, ValuesSharingALineDoNotDependOnChunking) {
  // A line that starts with '{' and ends with '}' is one record (the NDJSON fast path), even when
  // it holds two objects; the parser then rejects it. Reads that split the line must not turn it
  // into two records.
  expectSplit(
      "{\"a\":1}{\"b\":2}\n{\"c\":3} {\"d\":4}\n{\"e\":5} trailing\n", Framing::kJsonValues,
      {{"{\"a\":1}{\"b\":2}", 1}, {"{\"c\":3} {\"d\":4}", 2}, {"{\"e\":5}", 3}, {"trailing", 3}});
}

TEST(JsonFraming, ATruncatedLineDoesNotSwallowTheLinesAfterIt) {
  // A writer that died mid-record, then went on: the broken line is one record (the parser
  // rejects it) and the lines after it are framed as before, whatever the read size.
  // Cut inside a string (a raw newline cannot be in a JSON string):
  expectSplit("{\"a\":\"trunc\n{\"b\":2}\n{\"c\":3}\n", Framing::kJsonValues,
              {{"{\"a\":\"trunc", 1}, {"{\"b\":2}", 2}, {"{\"c\":3}", 3}});
  // Cut after a value, before a line that opens an object (after a value only , } ] may come):
  expectSplit("{\"a\":{\"x\":12\r\n{\"b\":2}\n", Framing::kJsonValues,
              {{"{\"a\":{\"x\":12", 1}, {"{\"b\":2}", 2}});
  expectSplit("{\"a\":[true\n\n  {\"b\":[1]}\n", Framing::kJsonValues,
              {{"{\"a\":[true", 1}, {"{\"b\":[1]}", 3}});
  // Cut after an object's ',' or '{': a key must follow, not an object.
  expectSplit("{\"a\":1,\n{\"b\":2}\n{\n{\"c\":3}\n", Framing::kJsonValues,
              {{"{\"a\":1,", 1}, {"{\"b\":2}", 2}, {"{", 3}, {"{\"c\":3}", 4}});
  // Where a value may still come (after ':', '[', an array's ','), the brace count decides: the
  // next line is taken as the rest of the value (unterminated: reported whole at the end).
  expectSplit("{\"a\":[1,\n{\"b\":2}\n", Framing::kJsonValues, {{"{\"a\":[1,\n{\"b\":2}\n", 1}});
  // Valid multi-line values are unchanged: values after a line break, arrays of objects.
  expectSplit("{\"a\":\n{\"b\":\"x\"\n}\n}\n{\"r\": [\n{\"c\":1},\n{\"d\":2}\n]}\n",
              Framing::kJsonValues,
              {{"{\"a\":\n{\"b\":\"x\"\n}\n}", 1}, {"{\"r\": [\n{\"c\":1},\n{\"d\":2}\n]}", 5}});
}

TEST(JsonFraming, CrLf) {
  expectSplit("{\"a\":1}\r\n{\r\n\"b\":2\r\n}\r\n{\"c\":3}\r\n", Framing::kJsonValues,
              {{"{\"a\":1}", 1}, {"{\r\n\"b\":2\r\n}", 2}, {"{\"c\":3}", 5}});
}

TEST(JsonFraming, FinalObjectWithoutNewline) {
  expectSplit("{\"a\":1}\n{\"b\":2}", Framing::kJsonValues, {{"{\"a\":1}", 1}, {"{\"b\":2}", 2}});
  expectSplit("{\n\"a\":1\n}", Framing::kJsonValues, {{"{\n\"a\":1\n}", 1}});
}

TEST(JsonFraming, StringsWithBracesAndEscapedQuotes) {
  // Multi-line, so the scanner (not the NDJSON fast path) finds the end of each value.
  const std::string first =
      "{\n"
      "  \"s\": \"} { ] [ \\\" } \\\\\",\n"
      "  \"t\": \"\\\\\\\"}\",\n"
      "  \"u\": \"[[[{{{\"\n"
      "}";
  const std::string second = "{\n  \"v\": \"\\\"\\\"}\"\n}";
  expectSplit(first + "\n" + second + "\n{\"w\":\"}\"}\n", Framing::kJsonValues,
              {{first, 1}, {second, 6}, {"{\"w\":\"}\"}", 9}});
}

TEST(JsonFraming, ArraysAndScalarsAtTopLevel) {
  // A top-level array's elements are the records; a nested array stays inside its element.
  expectSplit("[\n1,\n{\"a\":\"]\"}\n]\nnull\n", Framing::kJsonValues,
              {{"1", 2}, {"{\"a\":\"]\"}", 3}, {"null", 5}});
  expectSplit("[[1,[2]],\"x,]\" , true]", Framing::kJsonValues,
              {{"[1,[2]]", 1}, {"\"x,]\"", 1}, {"true", 1}});
}

TEST(JsonFraming, TopLevelArraysOfObjects) {
  // `gcloud logging read --format=json`: an indented array of entries.
  expectSplit("[\n  {\n    \"a\": 1\n  },\n  {\n    \"b\": [2, 3]\n  }\n]\n", Framing::kJsonValues,
              {{"{\n    \"a\": 1\n  }", 2}, {"{\n    \"b\": [2, 3]\n  }", 5}});
  // `jq -c -s`: the whole array on one line; then two arrays back to back, an empty one between.
  expectSplit("[{\"a\":1},{\"b\":2}]\n[]\n[{\"c\":3}]", Framing::kJsonValues,
              {{"{\"a\":1}", 1}, {"{\"b\":2}", 1}, {"{\"c\":3}", 3}});
  // NDJSON after an array is framed as before.
  expectSplit("[{\"a\":1}]\n{\"b\":2}\n", Framing::kJsonValues,
              {{"{\"a\":1}", 1}, {"{\"b\":2}", 2}});
}

TEST(JsonFraming, UnterminatedValueIsReportedAtEnd) {
  expectSplit("{\"a\":1}\n{\n\"b\": \"never closed", Framing::kJsonValues,
              {{"{\"a\":1}", 1}, {"{\n\"b\": \"never closed", 2}});
}

TEST(JsonFraming, MaxRecordBytesCutsAnEndlessValue) {
  const size_t max = 1000;
  const std::string endless = "{\"k\":\"" + std::string(20'000, 'x');
  for (const size_t chunk : {size_t{1}, size_t{64}, size_t{512}}) {
    const auto recs = split(endless, Framing::kJsonValues, chunk, max);
    ASSERT_FALSE(recs.empty()) << chunk;
    size_t total = 0;
    for (const Rec& r : recs) {
      // Cut when the pending data reaches max: at most one chunk past it.
      EXPECT_LE(r.bytes.size(), max + chunk) << chunk;
      total += r.bytes.size();
    }
    EXPECT_EQ(total, endless.size()) << chunk;
  }
}

// ---------------------------------------------------------------------------------------------
// Samples: the framing does not depend on how the input is chunked.

TEST(SplitterSamples, ChunkSizeDoesNotChangeRecords) {
  BLOBWATCH_REQUIRE_SAMPLES();
  struct Dir {
    const char* sub;
    Framing framing;
  };
  size_t files = 0;
  for (const Dir& d :
       {Dir{"s3-access", Framing::kLines}, Dir{"cloudtrail", Framing::kJsonValues},
        Dir{"azure-blob", Framing::kJsonValues}, Dir{"minio-audit", Framing::kJsonValues}}) {
    for (const auto& path : ::blobwatch::testing::sampleFiles(d.sub)) {
      const std::string ext = path.extension().string();
      if (d.framing == Framing::kJsonValues && ext != ".json" && ext != ".ndjson" &&
          std::string(d.sub) != "cloudtrail") {
        continue;
      }
      const std::string content = ::blobwatch::testing::readFile(path);
      const auto reference = split(content, d.framing, 1u << 20);
      EXPECT_FALSE(reference.empty()) << path;
      for (const size_t chunk : {size_t{1}, size_t{3}, size_t{64}}) {
        EXPECT_EQ(split(content, d.framing, chunk), reference) << path << " chunk " << chunk;
      }
      ++files;
    }
  }
  EXPECT_GE(files, 30u);
}

TEST(SplitterSamples, KnownRecordLines) {
  BLOBWATCH_REQUIRE_SAMPLES();
  const auto dir = ::blobwatch::testing::samplesDir();
  // Three pretty-printed objects back to back ("}\n{"), no final newline.
  const auto azure =
      split(::blobwatch::testing::readFile(
                dir / "azure-blob" /
                "secura-thesis-lab_StorageWrite_CopyBlob_3-concatenated-objects.json"),
            Framing::kJsonValues, 64);
  ASSERT_EQ(azure.size(), 3u);
  EXPECT_EQ(azure[0].line, 1u);
  EXPECT_EQ(azure[1].line, 37u);
  EXPECT_EQ(azure[2].line, 71u);
  for (const Rec& r : azure) {
    EXPECT_EQ(r.bytes.front(), '{');
    EXPECT_EQ(r.bytes.back(), '}');
  }

  // The Panther NDJSON: 72 lines, one record each.
  const auto panther = split(
      ::blobwatch::testing::readFile(dir / "cloudtrail" / "panther-analysis_rule-tests_s3.ndjson"),
      Framing::kJsonValues, 3);
  ASSERT_EQ(panther.size(), 72u);
  for (size_t i = 0; i < panther.size(); ++i) EXPECT_EQ(panther[i].line, i + 1);

  // A pretty-printed {"Records":[...]} document is a single record.
  const auto records = split(
      ::blobwatch::testing::readFile(
          dir / "cloudtrail" /
          "awsdocs-amazon-s3-userguide_cloudtrail-logging-understanding-s3-entries_block0.json"),
      Framing::kJsonValues, 1);
  ASSERT_EQ(records.size(), 1u);
  EXPECT_EQ(records[0].line, 1u);
  EXPECT_EQ(records[0].bytes.substr(0, 16), "{\n    \"Records\":");
}

}  // namespace
}  // namespace blobwatch::schemas
