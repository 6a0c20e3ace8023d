#pragma once

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

// Access to ../shared/samples for tests. The samples are third parties' data: read in place,
// never copied into the repository.

namespace blobwatch::testing {

inline std::filesystem::path samplesDir() { return BLOBWATCH_SAMPLES_DIR; }

// Skips the calling test when the samples folder is absent (a user's clone has none).
#define BLOBWATCH_REQUIRE_SAMPLES()                                                        \
  do {                                                                                     \
    if (!std::filesystem::is_directory(::blobwatch::testing::samplesDir())) {              \
      GTEST_SKIP() << "shared samples not found at " << ::blobwatch::testing::samplesDir() \
                   << " (they live beside the repository in ../shared/samples)";           \
    }                                                                                      \
  } while (0)

inline std::string readFile(const std::filesystem::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::ostringstream os;
  os << in.rdbuf();
  return os.str();
}

// Every regular file under samplesDir()/sub (recursively), sorted.
inline std::vector<std::filesystem::path> sampleFiles(const std::string& sub) {
  std::vector<std::filesystem::path> out;
  const auto dir = samplesDir() / sub;
  if (!std::filesystem::is_directory(dir)) return out;
  for (const auto& e : std::filesystem::recursive_directory_iterator(dir)) {
    if (e.is_regular_file()) out.push_back(e.path());
  }
  std::sort(out.begin(), out.end());
  return out;
}

inline bool isInvalidSample(const std::filesystem::path& p) {
  return p.filename().string().find("INVALID") != std::string::npos;
}

}  // namespace blobwatch::testing
