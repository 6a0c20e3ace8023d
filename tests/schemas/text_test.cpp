#include "schemas/text.h"

#include <gtest/gtest.h>

#include <string>

#include "schemas/access_event.h"
#include "tests/schemas/schema_test_util.h"

namespace blobwatch::schemas {
namespace {

using ::blobwatch::testing::utcUs;

int64_t iso(std::string_view s) {
  int64_t t = -12345;
  EXPECT_TRUE(parseIso8601(s, t)) << s;
  return t;
}

int64_t clf(std::string_view s) {
  int64_t t = -12345;
  EXPECT_TRUE(parseClfTime(s, t)) << s;
  return t;
}

TEST(ParseIso8601, ZuluWithoutFraction) {
  // CloudTrail eventTime (elastic-integrations_test-put-object-json.log).
  EXPECT_EQ(iso("2024-10-15T08:57:13Z"), utcUs(2024, 10, 15, 8, 57, 13));
  EXPECT_EQ(iso("1970-01-01T00:00:00Z"), 0);
  EXPECT_EQ(iso("2024-02-29T23:59:59Z"), utcUs(2024, 2, 29, 23, 59, 59));
}

TEST(ParseIso8601, NoZoneIsUtc) {
  EXPECT_EQ(iso("2019-02-01T03:18:19"), utcUs(2019, 2, 1, 3, 18, 19));
}

TEST(ParseIso8601, Offsets) {
  EXPECT_EQ(iso("2024-01-02T03:04:05+02:00"), utcUs(2024, 1, 2, 1, 4, 5));
  EXPECT_EQ(iso("2024-01-02T03:04:05-05:30"), utcUs(2024, 1, 2, 8, 34, 5));
  EXPECT_EQ(iso("2024-01-02T03:04:05+0100"), utcUs(2024, 1, 2, 2, 4, 5));
  EXPECT_EQ(iso("2024-01-02T03:04:05+00:00"), utcUs(2024, 1, 2, 3, 4, 5));
  // An offset that crosses midnight backwards.
  EXPECT_EQ(iso("2024-01-01T01:00:00+02:00"), utcUs(2023, 12, 31, 23, 0, 0));
}

TEST(ParseIso8601, FractionalDigits) {
  EXPECT_EQ(iso("2019-01-01T00:00:00.123Z"), utcUs(2019, 1, 1, 0, 0, 0, 123000));
  // Azure: 7 digits, truncated to microseconds.
  EXPECT_EQ(iso("2022-07-05T14:05:27.0031555Z"), utcUs(2022, 7, 5, 14, 5, 27, 3155));
  // GCP / MinIO: 9 digits.
  EXPECT_EQ(iso("2025-03-03T01:44:06.143517192Z"), utcUs(2025, 3, 3, 1, 44, 6, 143517));
  EXPECT_EQ(iso("2025-03-03T01:44:06.5Z"), utcUs(2025, 3, 3, 1, 44, 6, 500000));
  EXPECT_EQ(iso("2025-03-03T01:44:06.000001+01:00"), utcUs(2025, 3, 3, 0, 44, 6, 1));
}

TEST(ParseIso8601, PantherFormat) {
  // "YYYY-MM-DD HH:MM:SS.fffffffff", no zone (Panther's normalized form).
  EXPECT_EQ(iso("2025-12-15 15:40:29.533794920"), utcUs(2025, 12, 15, 15, 40, 29, 533794));
  EXPECT_EQ(iso("2024-11-25 22:00:58.000000000"), utcUs(2024, 11, 25, 22, 0, 58));
  EXPECT_EQ(iso("2024-01-01 00:00:00.000"), utcUs(2024, 1, 1, 0, 0, 0));
}

TEST(ParseIso8601, RejectsGarbage) {
  for (const char* bad : {
           "",
           "garbage",
           "2024-10-15",
           "2024-10-15T08:57",
           "2024-10-15T08:57:13Zjunk",
           "2024-10-15T08:57:13X",
           "2024-10-15T08:57:13.Z",
           "2024-10-15T08:57:13+2",
           "2024-10-15T08:57:13+25:00",
           "2024/10/15T08:57:13Z",
           "2024-13-15T08:57:13Z",
           "2024-00-15T08:57:13Z",
           "2024-10-32T08:57:13Z",
           "2024-02-30T08:57:13Z",
           "2023-02-29T08:57:13Z",
           "2024-04-31T08:57:13Z",
           "2024-10-15T24:00:00Z",
           "2024-10-15T08:60:00Z",
           "2024-10-15X08:57:13Z",
           "20x4-10-15T08:57:13Z",
           "1969-12-31T23:59:59Z",
           "06/Feb/2019:00:00:38 +0000",
       }) {
    int64_t t = 777;
    EXPECT_FALSE(parseIso8601(bad, t)) << bad;
  }
}

TEST(ParseIso8601, ADateSeenBeforeStillGetsEveryCheck) {
  // The date of the previous timestamp is remembered; what follows it is checked every time,
  // and a different date is parsed and validated anew.
  const int64_t day = utcUs(2024, 10, 15, 0, 0, 0);
  EXPECT_EQ(iso("2024-10-15T08:57:13Z"), day + utcUs(1970, 1, 1, 8, 57, 13));
  for (const char* bad : {"2024-10-15T24:00:00Z", "2024-10-15X08:57:13Z", "2024-10-15T08:57",
                          "2024-10-15T08:60:13Z", "2024-10-15T08:57:13Zjunk", "2024-10-15"}) {
    int64_t t = 777;
    EXPECT_FALSE(parseIso8601(bad, t)) << bad;
    EXPECT_EQ(t, 777) << bad;
  }
  EXPECT_EQ(iso("2024-10-15 23:59:60.5+01:00"), day + utcUs(1970, 1, 1, 22, 59, 60) + 500'000);
  EXPECT_EQ(iso("2024-02-29T00:00:00Z"), utcUs(2024, 2, 29, 0, 0, 0));
  int64_t t = 777;
  EXPECT_FALSE(parseIso8601("2023-02-29T00:00:00Z", t));
  EXPECT_FALSE(parseIso8601("2024-02-30T00:00:00Z", t));
  EXPECT_EQ(iso("2024-02-29T12:00:00Z"), utcUs(2024, 2, 29, 12, 0, 0));
  // Dates alternating record by record.
  for (int i = 0; i < 100; ++i) {
    const int d = 1 + i % 28;
    const std::string text = "2025-03-" + std::string(d < 10 ? "0" : "") + std::to_string(d) +
                             "T01:02:0" + std::to_string(i % 10) + ".25Z";
    EXPECT_EQ(iso(text), utcUs(2025, 3, d, 1, 2, i % 10) + 250'000) << text;
  }
}

TEST(ParseClfTime, S3AccessLogTime) {
  EXPECT_EQ(clf("06/Feb/2019:00:00:38 +0000"), utcUs(2019, 2, 6, 0, 0, 38));
  EXPECT_EQ(clf("10/Feb/2010:07:17:01 +0000"), utcUs(2010, 2, 10, 7, 17, 1));
  EXPECT_EQ(clf("25/Mar/2025:19:28:02 +0000"), utcUs(2025, 3, 25, 19, 28, 2));
  EXPECT_EQ(clf("31/Dec/2021:23:59:59 +0000"), utcUs(2021, 12, 31, 23, 59, 59));
}

TEST(ParseClfTime, NonZeroOffset) {
  EXPECT_EQ(clf("24/Mar/2013:10:22:56 +0100"), utcUs(2013, 3, 24, 9, 22, 56));
  EXPECT_EQ(clf("24/Mar/2013:10:22:56 -0700"), utcUs(2013, 3, 24, 17, 22, 56));
  EXPECT_EQ(clf("01/Jan/2020:00:30:00 +0530"), utcUs(2019, 12, 31, 19, 0, 0));
}

TEST(ParseClfTime, Rejects) {
  for (const char* bad : {
           "",
           "[06/Feb/2019:00:00:38 +0000]",
           "06/Fob/2019:00:00:38 +0000",
           "06/feb/2019:00:00:38 +0000",
           "06/Feb/2019:00:00:38",
           "06/Feb/2019:00:00:38 0000",
           "06/Feb/2019 00:00:38 +0000",
           "6/Feb/2019:00:00:38 +0000",
           "06/Feb/2019:25:00:38 +0000",
           "06/Feb/2019:00:00:38 +0000 ",
           "2019-02-06T00:00:38Z",
       }) {
    int64_t t = 777;
    EXPECT_FALSE(parseClfTime(bad, t)) << bad;
  }
}

TEST(FormatRfc3339, KnownValues) {
  std::string s;
  formatRfc3339(0, s);
  EXPECT_EQ(s, "1970-01-01T00:00:00.000000Z");
  s.clear();
  formatRfc3339(utcUs(2024, 1, 2, 3, 4, 5, 6), s);
  EXPECT_EQ(s, "2024-01-02T03:04:05.000006Z");
  s = "prefix:";  // appends
  formatRfc3339(utcUs(2000, 2, 29, 12, 0, 0, 999999), s);
  EXPECT_EQ(s, "prefix:2000-02-29T12:00:00.999999Z");
  s.clear();
  formatRfc3339(-1, s);
  EXPECT_EQ(s, "1969-12-31T23:59:59.999999Z");
}

TEST(FormatRfc3339, RoundTrip) {
  for (const int64_t t : {int64_t{0}, utcUs(2019, 2, 6, 0, 0, 38),
                          utcUs(2024, 2, 29, 23, 59, 59, 1), utcUs(2100, 3, 1, 0, 0, 0, 123456),
                          utcUs(9999, 12, 31, 23, 59, 59, 999999), int64_t{1693206014339368}}) {
    std::string s;
    formatRfc3339(t, s);
    int64_t back = -1;
    ASSERT_TRUE(parseIso8601(s, back)) << s;
    EXPECT_EQ(back, t) << s;
  }
}

std::string decode(std::string_view in, bool plusIsSpace) {
  std::string out = "stale";
  percentDecode(in, plusIsSpace, out);
  return out;
}

TEST(PercentDecode, PlusAsSpace) {
  // elastic-integrations_test-s3-server-access.log line 6.
  EXPECT_EQ(decode("Screen+Shot+2019-09-09+at+9.08.44+AM.png", true),
            "Screen Shot 2019-09-09 at 9.08.44 AM.png");
  EXPECT_EQ(decode("a+b", false), "a+b");
}

TEST(PercentDecode, EncodedPlusStaysPlus) {
  EXPECT_EQ(decode("a%2Bb", true), "a+b");
  EXPECT_EQ(decode("a%2bb", false), "a+b");
  EXPECT_EQ(decode("%2B+%2B", true), "+ +");
  // The first byte to decode is a '+' before any '%', or a '%' before any '+'.
  EXPECT_EQ(decode("a+b%41", true), "a bA");
  EXPECT_EQ(decode("%41+b", true), "A b");
  EXPECT_EQ(decode("a+b%41", false), "a+bA");
}

TEST(PercentDecode, DoubleEncodedDecodedOnce) {
  // rotemfogel keys: date_%253D2021-03-14 where the Request-URI has date_%3D2021-03-14.
  EXPECT_EQ(decode("page_events_vertica/date_%253D2021-03-14/x.parquet", true),
            "page_events_vertica/date_%3D2021-03-14/x.parquet");
  EXPECT_EQ(decode("%2F%2f%41%7e", false), "//A~");
}

TEST(PercentDecode, MalformedEscapesKept) {
  EXPECT_EQ(decode("100%", true), "100%");
  EXPECT_EQ(decode("a%2", true), "a%2");
  EXPECT_EQ(decode("%zz%", true), "%zz%");
  EXPECT_EQ(decode("%g1x", true), "%g1x");
  EXPECT_EQ(decode("50%+off", true), "50% off");
  EXPECT_EQ(decode("", true), "");
}

TEST(PercentDecode, DecodesToRawBytes) {
  const std::string out = decode("v1/kanji/%E9%9B%86", false);
  EXPECT_EQ(out, "v1/kanji/\xE9\x9B\x86");
  EXPECT_EQ(decode("%00", false), std::string(1, '\0'));
}

TEST(ParseCount, Values) {
  int64_t v = 99;
  EXPECT_TRUE(parseCount("0", v));
  EXPECT_EQ(v, 0);
  EXPECT_TRUE(parseCount("4406583", v));
  EXPECT_EQ(v, 4406583);
  EXPECT_TRUE(parseCount("9223372036854775807", v));
  EXPECT_EQ(v, INT64_MAX);
  v = 99;
  EXPECT_TRUE(parseCount("-", v));
  EXPECT_EQ(v, -1);
  v = 99;
  EXPECT_TRUE(parseCount("", v));
  EXPECT_EQ(v, -1);
}

TEST(ParseCount, Rejects) {
  for (const char* bad :
       {"-5", "+5", "12a", "a12", " 5", "5 ", "1.5", "--", "9223372036854775808", "0x10"}) {
    int64_t v = 99;
    EXPECT_FALSE(parseCount(bad, v)) << bad;
  }
}

TEST(EqualsIgnoreCase, Basic) {
  EXPECT_TRUE(equalsIgnoreCase("TLSv1.2", "TLSV1.2"));
  EXPECT_TRUE(equalsIgnoreCase("", ""));
  EXPECT_FALSE(equalsIgnoreCase("TLSv1.2", "TLSv1.3"));
  EXPECT_FALSE(equalsIgnoreCase("abc", "abcd"));
}

std::string roundTripIp(std::string_view text) {
  IpAddress ip;
  EXPECT_TRUE(parseIp(text, ip)) << text;
  EXPECT_TRUE(ip.valid) << text;
  std::string out;
  formatIp(ip, out);
  return out;
}

TEST(ParseIp, IPv4) {
  IpAddress ip;
  ASSERT_TRUE(parseIp("192.0.2.3", ip));
  EXPECT_TRUE(ip.valid);
  EXPECT_TRUE(ip.isV4());
  // Stored as ::ffff:192.0.2.3.
  const std::array<uint8_t, 16> expected = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff, 192, 0, 2, 3};
  EXPECT_EQ(ip.bytes, expected);
  EXPECT_EQ(roundTripIp("192.0.2.3"), "192.0.2.3");
  EXPECT_EQ(roundTripIp("0.0.0.0"), "0.0.0.0");
  EXPECT_EQ(roundTripIp("255.255.255.255"), "255.255.255.255");
}

TEST(ParseIp, IPv6) {
  IpAddress ip;
  ASSERT_TRUE(parseIp("2001:db8::1", ip));
  EXPECT_FALSE(ip.isV4());
  EXPECT_EQ(ip.bytes[0], 0x20);
  EXPECT_EQ(ip.bytes[1], 0x01);
  EXPECT_EQ(ip.bytes[2], 0x0d);
  EXPECT_EQ(ip.bytes[3], 0xb8);
  EXPECT_EQ(ip.bytes[15], 0x01);
  EXPECT_EQ(roundTripIp("2001:db8::1"), "2001:db8::1");
  EXPECT_EQ(roundTripIp("::1"), "::1");
  EXPECT_EQ(roundTripIp("::"), "::");
  EXPECT_EQ(roundTripIp("fe80::"), "fe80::");
}

TEST(ParseIp, IPv6CanonicalForm) {
  // Expanded, upper-case and partially compressed forms all become the RFC 5952 form.
  EXPECT_EQ(roundTripIp("2001:0db8:0000:0000:0000:0000:0000:0001"), "2001:db8::1");
  EXPECT_EQ(roundTripIp("2001:DB8:0:0:0:0:0:A"), "2001:db8::a");
  EXPECT_EQ(roundTripIp("2001:db8:0:0:1:0:0:1"), "2001:db8::1:0:0:1");
  EXPECT_EQ(roundTripIp("2001:db8:0:1:1:1:1:1"), "2001:db8:0:1:1:1:1:1");

  IpAddress a, b;
  ASSERT_TRUE(parseIp("2001:0db8:0000:0000:0000:0000:0000:0001", a));
  ASSERT_TRUE(parseIp("2001:db8::1", b));
  EXPECT_EQ(a, b);
}

TEST(ParseIp, MappedIPv4EqualsIPv4) {
  IpAddress v4, mapped;
  ASSERT_TRUE(parseIp("192.0.2.3", v4));
  ASSERT_TRUE(parseIp("::ffff:192.0.2.3", mapped));
  EXPECT_TRUE(mapped.isV4());
  EXPECT_EQ(v4, mapped);
  std::string out;
  formatIp(mapped, out);
  EXPECT_EQ(out, "192.0.2.3");
}

TEST(ParseIp, Invalid) {
  for (const char* bad : {
           "268.20.203.21",  // Azure doc samples
           "s3.amazonaws.com",
           "",
           "-",
           "1.2.3",
           "1.2.3.4.5",
           "1.2.3.4:80",
           "[2001:db8::1]",
           "2001:db8::1::2",
           "fe80::1%eth0",
           "gggg::1",
           " 1.2.3.4",
           "<Redacted>",
       }) {
    IpAddress ip;
    ip.valid = true;
    EXPECT_FALSE(parseIp(bad, ip)) << bad;
    EXPECT_FALSE(ip.valid) << bad;
    std::string out;
    formatIp(ip, out);
    EXPECT_EQ(out, "") << bad;
  }
}

TEST(ParseIp, TooLongIsRejectedNotOverflowed) {
  const std::string longText(200, '1');
  IpAddress ip;
  EXPECT_FALSE(parseIp(longText, ip));
  EXPECT_FALSE(ip.valid);
}

// ---------------------------------------------------------------------------------------------
// base64Decode (Pub/Sub push message.data).

std::string b64(std::string_view in) {
  std::string out = "junk";  // replaced, not appended to
  EXPECT_TRUE(base64Decode(in, out)) << in;
  return out;
}

bool b64Fails(std::string_view in) {
  std::string out;
  return !base64Decode(in, out);
}

TEST(Base64Decode, Rfc4648Vectors) {
  EXPECT_EQ(b64(""), "");
  EXPECT_EQ(b64("Zg=="), "f");
  EXPECT_EQ(b64("Zm8="), "fo");
  EXPECT_EQ(b64("Zm9v"), "foo");
  EXPECT_EQ(b64("Zm9vYg=="), "foob");
  EXPECT_EQ(b64("Zm9vYmE="), "fooba");
  EXPECT_EQ(b64("Zm9vYmFy"), "foobar");
}

TEST(Base64Decode, PaddingIsOptional) {
  EXPECT_EQ(b64("Zg"), "f");
  EXPECT_EQ(b64("Zm8"), "fo");
  EXPECT_EQ(b64("Zm9vYg"), "foob");
  EXPECT_EQ(b64("Zm9vYmE"), "fooba");
}

TEST(Base64Decode, WholeAlphabetAndBinary) {
  EXPECT_EQ(b64("AP8="), std::string("\x00\xFF", 2));
  EXPECT_EQ(b64("+/+/"), "\xFB\xFF\xBF");
  EXPECT_EQ(b64("AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8gISIjJCUmJygpKissLS4vMDEyMzQ1Njc4OTo7"
                "PD0+P0BBQkNERUZHSElKS0xNTk9QUVJTVFVWV1hZWltcXV5fYGFiY2RlZmdoaWprbG1ub3BxcnN0dXZ3"
                "eHl6e3x9fn8="),
            [] {
              std::string s;
              for (int i = 0; i < 128; ++i) s.push_back(static_cast<char>(i));
              return s;
            }());
  EXPECT_EQ(b64("eyJhIjoxfQ=="), R"({"a":1})");
}

TEST(Base64Decode, RejectsInvalidCharacters) {
  EXPECT_TRUE(b64Fails("Zm9v YmFy"));   // space
  EXPECT_TRUE(b64Fails("Zm9v\nYmFy"));  // newline
  EXPECT_TRUE(b64Fails("Zm9vYmFy\n"));
  EXPECT_TRUE(b64Fails(" Zm9v"));
  EXPECT_TRUE(b64Fails("Zm9v\tYmFy"));
  EXPECT_TRUE(b64Fails("Zm9-"));  // URL-safe alphabet is not the standard one
  EXPECT_TRUE(b64Fails("Zm9_"));
  EXPECT_TRUE(b64Fails("Zm9!"));
  EXPECT_TRUE(b64Fails("Zm9v\xC3\xA9"));
  EXPECT_TRUE(b64Fails(std::string_view("Zm\0v", 4)));
}

TEST(Base64Decode, RejectsMisplacedPadding) {
  EXPECT_TRUE(b64Fails("Zg=a"));
  EXPECT_TRUE(b64Fails("=Zg="));
  EXPECT_TRUE(b64Fails("Zg==Zg=="));  // padding in the middle
  EXPECT_TRUE(b64Fails("Z==="));
  EXPECT_TRUE(b64Fails("===="));
  EXPECT_TRUE(b64Fails("Zg="));  // padding that does not complete the group
  EXPECT_TRUE(b64Fails("Zm9vYg="));
  EXPECT_TRUE(b64Fails("Zg==="));
  EXPECT_TRUE(b64Fails("="));
}

TEST(Base64Decode, RejectsTruncatedInput) {
  EXPECT_TRUE(b64Fails("Z"));
  EXPECT_TRUE(b64Fails("Zm9vY"));
  EXPECT_TRUE(b64Fails("Zm9vYmFyZ"));
}

}  // namespace
}  // namespace blobwatch::schemas

namespace blobwatch::schemas {
namespace {

TEST(WithoutPort, StripsAPortOnlyWhereThereIsOne) {
  EXPECT_EQ(withoutPort("192.0.2.1:5678"), "192.0.2.1");
  EXPECT_EQ(withoutPort("[2001:db8::1]:443"), "2001:db8::1");
  EXPECT_EQ(withoutPort("2001:db8::1"), "2001:db8::1");  // bare IPv6: whole
  EXPECT_EQ(withoutPort("192.0.2.1"), "192.0.2.1");
  EXPECT_EQ(withoutPort("<Redacted>:443"), "<Redacted>");
  EXPECT_EQ(withoutPort("[unclosed"), "[unclosed");
  EXPECT_EQ(withoutPort(""), "");
}

}  // namespace
}  // namespace blobwatch::schemas
