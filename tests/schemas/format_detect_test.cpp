#include "schemas/format_detect.h"

#include <gtest/gtest.h>

#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "schemas/access_event.h"
#include "tests/support/samples.h"

namespace blobwatch::schemas {
namespace {

Format detectFile(const std::filesystem::path& p) {
  const std::string content = ::blobwatch::testing::readFile(p);
  return detectFormat(std::string_view(content).substr(0, kDetectBytes));
}

const std::string kS3Line =
    "79a59df900b949e55d96a1e698fbacedfd6e09d98eacf8f8d5218e7cd47ef2be awsexamplebucket1 "
    "[06/Feb/2019:00:00:38 +0000] 192.0.2.3 - 3E57427F3EXAMPLE REST.GET.VERSIONING - "
    "\"GET /awsexamplebucket1?versioning HTTP/1.1\" 200 - 113 - 7 - \"-\" \"S3Console/0.4\" -\n";
const std::string kCloudTrailLine =
    "{\"eventVersion\":\"1.08\",\"eventSource\":\"s3.amazonaws.com\",\"eventName\":\"GetObject\"}"
    "\n";

TEST(FormatDetectSamples, S3AccessFiles) {
  BLOBWATCH_REQUIRE_SAMPLES();
  const auto files = ::blobwatch::testing::sampleFiles("s3-access");
  ASSERT_GE(files.size(), 18u);
  for (const auto& p : files) EXPECT_EQ(detectFile(p), Format::kS3Access) << p;
}

TEST(FormatDetectSamples, CloudTrailFiles) {
  BLOBWATCH_REQUIRE_SAMPLES();
  // NDJSON, single-line, pretty-printed {"Records":[...]}, bare pretty-printed events,
  // EventBridge envelopes and the invalid doc example all look like CloudTrail.
  const auto files = ::blobwatch::testing::sampleFiles("cloudtrail");
  ASSERT_GE(files.size(), 9u);
  for (const auto& p : files) EXPECT_EQ(detectFile(p), Format::kCloudTrail) << p;
}

TEST(FormatDetectSamples, EveryProvidersFormatIsDetected) {
  BLOBWATCH_REQUIRE_SAMPLES();
  size_t n = 0;
  const std::pair<const char*, Format> dirs[] = {{"azure-blob", Format::kAzureBlob},
                                                 {"gcs-audit", Format::kGcsAudit},
                                                 {"gcs-usage", Format::kGcsUsage},
                                                 {"minio-audit", Format::kMinioAudit}};
  for (const auto& [sub, format] : dirs) {
    for (const auto& p : ::blobwatch::testing::sampleFiles(sub)) {
      // Storage Analytics ($logs) lines sit beside the Azure Monitor JSON in azure-blob/.
      const Format expected = p.extension() == ".log" && std::string(sub) == "azure-blob"
                                  ? Format::kAzureAnalytics
                                  : format;
      EXPECT_EQ(detectFile(p), expected) << p;
      ++n;
    }
  }
  EXPECT_GE(n, 20u);
}

TEST(FormatDetect, GarbageAndEmpty) {
  for (const std::string& s : {
           std::string(), std::string("   \n\r\n\t  "), std::string("hello world\n"),
           std::string("not a log line at all, really not\n"), std::string("{\"foo\":1}\n"),
           std::string("[1,2,3]"),
           std::string("a b [06/Feb/2019:00:00:38"),  // too short for the time field
           std::string("\xEF\xBB\xBF"),
           std::string("1.0;2014-06-19"),       // too short for a Storage Analytics line
           std::string("\"time\",\"c_ip\"\n"),  // a CSV header, but not GCS usage's
       }) {
    EXPECT_EQ(detectFormat(s), Format::kUnknown) << "[" << s << "]";
  }
}

TEST(FormatDetect, OtherProvidersSyntheticHeads) {
  EXPECT_EQ(detectFormat("1.0;2014-06-19T22:59:12.0000000Z;GetBlob;AnonymousSuccess;200;"),
            Format::kAzureAnalytics);
  EXPECT_EQ(detectFormat("\"time_micros\",\"c_ip\",\"c_ip_type\"\n"), Format::kGcsUsage);
  EXPECT_EQ(detectFormat("{\"records\":[{\"time\":\"2022-07-05T11:47:39Z\"}]}"),
            Format::kAzureBlob);
  EXPECT_EQ(detectFormat("{\"message\":{\"data\":\"e30=\"},\"subscription\":\"s\"}"),
            Format::kGcsAudit);
  EXPECT_EQ(detectFormat("{\"version\":\"1\",\"deploymentid\":\"x\",\"api\":{}}"),
            Format::kMinioAudit);
}

TEST(FormatDetect, SyntheticLines) {
  EXPECT_EQ(detectFormat(kS3Line), Format::kS3Access);
  EXPECT_EQ(detectFormat(kS3Line + kS3Line), Format::kS3Access);
  EXPECT_EQ(detectFormat(kCloudTrailLine), Format::kCloudTrail);
  EXPECT_EQ(detectFormat("{\n  \"Records\": [\n"), Format::kCloudTrail);
  EXPECT_EQ(detectFormat("\n\n  " + kCloudTrailLine), Format::kCloudTrail);
  EXPECT_EQ(detectFormat("\r\n" + kS3Line), Format::kS3Access);
  // Only the first line decides for S3: a bad first line is not rescued by a good second one.
  EXPECT_EQ(detectFormat("garbage\n" + kS3Line), Format::kUnknown);
}

TEST(FormatDetect, Utf8BomTolerated) {
  const std::string bom = "\xEF\xBB\xBF";
  EXPECT_EQ(detectFormat(bom + kS3Line), Format::kS3Access);
  EXPECT_EQ(detectFormat(bom + kCloudTrailLine), Format::kCloudTrail);
  EXPECT_EQ(detectFormat(bom + "{\n  \"Records\": []\n}"), Format::kCloudTrail);
}

TEST(FormatDetectSamples, BomBeforeSample) {
  BLOBWATCH_REQUIRE_SAMPLES();
  const auto dir = ::blobwatch::testing::samplesDir();
  const std::string bom = "\xEF\xBB\xBF";
  EXPECT_EQ(
      detectFormat(bom + ::blobwatch::testing::readFile(
                             dir / "s3-access" / "kdgm-logstash-plugins_s3_access_log_spec.log")),
      Format::kS3Access);
  EXPECT_EQ(detectFormat(bom + ::blobwatch::testing::readFile(
                                   dir / "cloudtrail" / "panther-analysis_rule-tests_s3.ndjson")),
            Format::kCloudTrail);
}

TEST(FormatNames, RoundTrip) {
  const std::vector<std::pair<Format, std::string_view>> names = {
      {Format::kS3Access, "s3-access"},     {Format::kCloudTrail, "cloudtrail"},
      {Format::kAzureBlob, "azure-blob"},   {Format::kAzureAnalytics, "azure-analytics"},
      {Format::kGcsAudit, "gcs-audit"},     {Format::kGcsUsage, "gcs-usage"},
      {Format::kMinioAudit, "minio-audit"},
  };
  for (const auto& [f, name] : names) {
    EXPECT_EQ(toString(f), name);
    EXPECT_EQ(formatFromString(name), f);
    EXPECT_NE(formatNames().find(name), std::string_view::npos) << name;
  }
  EXPECT_EQ(formatFromString("unknown"), Format::kUnknown);
  EXPECT_EQ(formatFromString("S3-ACCESS"), Format::kUnknown);
  EXPECT_EQ(formatFromString(""), Format::kUnknown);
}

}  // namespace
}  // namespace blobwatch::schemas
