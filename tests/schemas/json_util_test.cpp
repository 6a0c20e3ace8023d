#include "schemas/json_util.h"

#include <gtest/gtest.h>

#include <string>

namespace blobwatch::schemas::json {
namespace {

// Parses `json` (one object) and returns, for each of its keys in order, whether keyIs matched
// the literal given to the check.
template <size_t N>
std::vector<bool> matchKeys(const std::string& json, const char (&name)[N]) {
  simdjson::padded_string padded(json);
  od::parser parser;
  od::document doc = parser.iterate(padded);
  std::vector<bool> out;
  for (auto field : doc.get_object()) {
    od::raw_json_string key = field.key();
    out.push_back(keyIs(key, name));
  }
  return out;
}

TEST(KeyIs, MatchesOnlyTheWholeKey) {
  // Every length class of sameBytes: bytes (< 4), two words (4-7), whole and tail words (>= 8).
  EXPECT_EQ(matchKeys(R"({"a":1,"ab":2,"":3,"b":4})", "a"), (std::vector<bool>{1, 0, 0, 0}));
  EXPECT_EQ(matchKeys(R"({"time":1,"timestamp":2,"tim":3,"timf":4})", "time"),
            (std::vector<bool>{1, 0, 0, 0}));
  EXPECT_EQ(matchKeys(R"({"insertId":1,"insertIdx":2,"insertIc":3,"jnsertId":4})", "insertId"),
            (std::vector<bool>{1, 0, 0, 0}));
  EXPECT_EQ(
      matchKeys(R"({"principalEmail":1,"principalEmaiL":2,"principalEmai":3})", "principalEmail"),
      (std::vector<bool>{1, 0, 0}));
  EXPECT_EQ(matchKeys(R"({"callerSuppliedUserAgent":1,"callerSuppliedUserAgenT":2})",
                      "callerSuppliedUserAgent"),
            (std::vector<bool>{1, 0}));
  EXPECT_EQ(matchKeys(R"({"":1,"x":2})", ""), (std::vector<bool>{1, 0}));
}

TEST(KeyIs, EveryByteCounts) {
  // A difference at any position of a 23-byte key (three words, the last overlapping) is seen.
  const std::string name = "callerSuppliedUserAgent";
  for (size_t i = 0; i < name.size(); ++i) {
    std::string other = name;
    other[i] = static_cast<char>(other[i] ^ 0x20);
    EXPECT_EQ(matchKeys("{\"" + other + "\":1}", "callerSuppliedUserAgent"),
              (std::vector<bool>{false}))
        << "difference at byte " << i;
  }
}

TEST(SameBytes, ComparesExactlyLBytes) {
  EXPECT_TRUE((sameBytes<0>("x", "y")));
  EXPECT_TRUE((sameBytes<3>("abcX", "abcY")));
  EXPECT_FALSE((sameBytes<3>("abc", "abd")));
  EXPECT_TRUE((sameBytes<5>("abcdeX", "abcdeY")));
  EXPECT_FALSE((sameBytes<5>("Xbcde", "abcde")));
  EXPECT_TRUE((sameBytes<9>("abcdefghiX", "abcdefghiY")));
  EXPECT_FALSE((sameBytes<9>("abcdefghX", "abcdefghi")));
  EXPECT_FALSE((sameBytes<16>("abcdefghijklmnoX", "abcdefghijklmnop")));
  EXPECT_TRUE((sameBytes<16>("abcdefghijklmnop", "abcdefghijklmnop")));
}

}  // namespace
}  // namespace blobwatch::schemas::json
