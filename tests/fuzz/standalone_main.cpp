// A driver for the fuzz targets when they are not built with libFuzzer (g++ builds, CI). Like
// simdjson's fuzzers, every target is always built and run:
//   fuzz_x FILE_OR_DIR...        runs each file once (regression inputs, the shared samples);
//   fuzz_x -runs=N [-seed=S] PATH...  also runs N deterministic mutations of those inputs and of
//                                      the target's built-in seeds (bit flips, byte insertions
//                                      and deletions, truncation, splicing).
// Built with clang and -DBLOBWATCH_LIBFUZZER=ON instead, libFuzzer's own main is used.

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <random>
#include <sstream>
#include <string>
#include <vector>

#include "tests/fuzz/fuzz_seeds.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size);

namespace {

void runOne(const std::string& input) {
  LLVMFuzzerTestOneInput(reinterpret_cast<const uint8_t*>(input.data()), input.size());
}

std::string readAll(const std::filesystem::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::ostringstream os;
  os << in.rdbuf();
  return os.str();
}

std::string mutate(const std::vector<std::string>& corpus, std::mt19937_64& rng) {
  std::string s = corpus[rng() % corpus.size()];
  const int steps = 1 + static_cast<int>(rng() % 8);
  for (int i = 0; i < steps; ++i) {
    switch (rng() % 6) {
      case 0:  // flip a bit
        if (!s.empty()) s[rng() % s.size()] ^= static_cast<char>(1u << (rng() % 8));
        break;
      case 1:  // insert an interesting byte
      {
        static const char kBytes[] = "\"\\{}[]:, \n\r\t-+%[]\0\xff\xc0";
        s.insert(s.begin() + static_cast<std::ptrdiff_t>(s.empty() ? 0 : rng() % (s.size() + 1)),
                 kBytes[rng() % (sizeof(kBytes) - 1)]);
        break;
      }
      case 2:  // delete a range
        if (!s.empty()) {
          const size_t at = rng() % s.size();
          s.erase(at, 1 + rng() % std::min<size_t>(16, s.size() - at));
        }
        break;
      case 3:  // truncate
        if (!s.empty()) s.resize(rng() % s.size());
        break;
      case 4:  // splice with another input
      {
        const std::string& other = corpus[rng() % corpus.size()];
        if (!other.empty() && !s.empty()) {
          s = s.substr(0, rng() % s.size()) + other.substr(rng() % other.size());
        }
        break;
      }
      default:  // duplicate a chunk
        if (!s.empty()) {
          const size_t at = rng() % s.size();
          s.insert(at, s.substr(at, 1 + rng() % 32));
        }
        break;
    }
  }
  return s;
}

}  // namespace

int main(int argc, char** argv) {
  long runs = 0;
  uint64_t seed = 1;
  std::vector<std::string> corpus;
  for (const char* s : blobwatch::fuzz::kSeeds) corpus.emplace_back(s);
  size_t files = 0;
  for (int i = 1; i < argc; ++i) {
    const std::string arg = argv[i];
    if (arg.rfind("-runs=", 0) == 0) {
      runs = std::stol(arg.substr(6));
    } else if (arg.rfind("-seed=", 0) == 0) {
      seed = std::stoull(arg.substr(6));
    } else if (std::filesystem::is_directory(arg)) {
      for (const auto& e : std::filesystem::recursive_directory_iterator(arg)) {
        if (e.is_regular_file() && e.file_size() < (1u << 20)) {
          corpus.push_back(readAll(e.path()));
          ++files;
        }
      }
    } else if (std::filesystem::is_regular_file(arg)) {
      corpus.push_back(readAll(arg));
      ++files;
    } else {
      std::fprintf(stderr, "fuzz: skipping %s (not found)\n", arg.c_str());
    }
  }
  for (const auto& input : corpus) runOne(input);
  std::mt19937_64 rng(seed);
  for (long i = 0; i < runs; ++i) runOne(mutate(corpus, rng));
  std::printf("fuzz: %zu seed inputs (%zu from files), %ld mutations, no crash\n", corpus.size(),
              files, runs);
  return 0;
}
