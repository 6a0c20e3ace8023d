#include <gtest/gtest.h>
#include <zlib.h>

#include "ingest/source.h"
#include "tests/support/process.h"

namespace blobwatch::ingest {
namespace {

using testing::TempDir;
using testing::writeFile;

std::string readAll(Source& src, size_t chunk = 7) {
  std::string out, buf(chunk, '\0');
  for (;;) {
    size_t got = 0;
    IoStatus st = src.read(buf.data(), buf.size(), got);
    EXPECT_TRUE(st.ok) << st.message;
    if (!st.ok || got == 0) break;
    out.append(buf, 0, got);
  }
  return out;
}

std::string gzipMember(const std::string& content) {
  z_stream z{};
  EXPECT_EQ(deflateInit2(&z, 6, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY), Z_OK);
  std::string out(deflateBound(&z, content.size()) + 64, '\0');
  z.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(content.data()));
  z.avail_in = static_cast<uInt>(content.size());
  z.next_out = reinterpret_cast<Bytef*>(out.data());
  z.avail_out = static_cast<uInt>(out.size());
  EXPECT_EQ(deflate(&z, Z_FINISH), Z_STREAM_END);
  out.resize(z.total_out);
  deflateEnd(&z);
  return out;
}

TEST(FileSource, ReadsPlainFilesAsIs) {
  TempDir dir;
  const std::string content = "line one\nline two\n\x1f not gzip\n";
  writeFile(dir.file("plain.log"), content);
  std::string error;
  auto src = openFileSource(dir.file("plain.log"), error);
  ASSERT_TRUE(src) << error;
  EXPECT_EQ(readAll(*src), content);
  EXPECT_EQ(src->position(), content.size());
  EXPECT_EQ(src->name(), dir.file("plain.log"));
}

TEST(FileSource, DecompressesGzipIncludingConcatenatedMembers) {
  TempDir dir;
  writeFile(dir.file("two.gz"), gzipMember("first member\n") + gzipMember("second member\n"));
  std::string error;
  auto src = openFileSource(dir.file("two.gz"), error);
  ASSERT_TRUE(src) << error;
  EXPECT_EQ(readAll(*src, 5), "first member\nsecond member\n");
  EXPECT_EQ(src->position(), 27u);
}

TEST(FileSource, CorruptGzipIsAnErrorNamingTheFile) {
  TempDir dir;
  std::string gz = gzipMember(std::string(100000, 'x') + "tail");
  gz[gz.size() / 2] ^= 0x55;
  gz.resize(gz.size() - 10);
  writeFile(dir.file("bad.gz"), gz);
  std::string error;
  auto src = openFileSource(dir.file("bad.gz"), error);
  ASSERT_TRUE(src) << error;
  std::string buf(1 << 16, '\0');
  IoStatus last;
  for (int i = 0; i < 100; ++i) {
    size_t got = 0;
    last = src->read(buf.data(), buf.size(), got);
    if (!last.ok || got == 0) break;
  }
  EXPECT_FALSE(last.ok);
  EXPECT_NE(last.message.find("bad.gz"), std::string::npos) << last.message;
}

TEST(FileSource, MissingFileIsAStartupError) {
  std::string error;
  EXPECT_FALSE(openFileSource("/nonexistent/blobwatch.log", error));
  EXPECT_NE(error.find("/nonexistent/blobwatch.log"), std::string::npos);
  EXPECT_NE(error.find("No such file"), std::string::npos) << error;
}

}  // namespace
}  // namespace blobwatch::ingest
