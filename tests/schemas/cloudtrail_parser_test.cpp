#include "schemas/cloudtrail_parser.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "schemas/access_event.h"
#include "schemas/json_writer.h"
#include "tests/schemas/schema_test_util.h"
#include "tests/support/parse_util.h"
#include "tests/support/samples.h"

namespace blobwatch::schemas {
namespace {

using ::blobwatch::testing::eventsAtLine;
using ::blobwatch::testing::OneRecord;
using ::blobwatch::testing::ParsedFile;
using ::blobwatch::testing::parseOne;
using ::blobwatch::testing::parseSample;
using ::blobwatch::testing::utcUs;

constexpr char kPanther[] = "cloudtrail/panther-analysis_rule-tests_s3.ndjson";
constexpr char kEntries0[] =
    "cloudtrail/"
    "awsdocs-amazon-s3-userguide_cloudtrail-logging-understanding-s3-entries_block0.json";
constexpr char kEntries1[] =
    "cloudtrail/"
    "awsdocs-amazon-s3-userguide_cloudtrail-logging-understanding-s3-entries_block1.json";
constexpr char kBatch0[] =
    "cloudtrail/"
    "awsdocs-amazon-s3-userguide_batch-ops-examples-event-bridge-cloud-trail_block0.json";
constexpr char kBatch2[] =
    "cloudtrail/"
    "awsdocs-amazon-s3-userguide_batch-ops-examples-event-bridge-cloud-trail_block2.json";
constexpr char kBatch3[] =
    "cloudtrail/"
    "awsdocs-amazon-s3-userguide_batch-ops-examples-event-bridge-cloud-trail_block3.json";
constexpr char kCopy[] = "cloudtrail/elastic-integrations_test-copy-object-json.log";
constexpr char kPut[] = "cloudtrail/elastic-integrations_test-put-object-json.log";
constexpr char kInvalid[] =
    "cloudtrail/awsdocs-amazon-s3-developer-guide_cloudtrail-logging_block0_INVALID-JSON.json";

// The single event of Panther line `line`.
AccessEvent pantherEvent(uint64_t line) {
  const ParsedFile f = parseSample(kPanther, Format::kCloudTrail);
  const auto events = eventsAtLine(f, line);
  EXPECT_EQ(events.size(), 1u) << "panther line " << line;
  return events.empty() ? AccessEvent{} : events.front();
}

AccessEvent onlyEvent(const char* file) {
  const ParsedFile f = parseSample(file, Format::kCloudTrail);
  EXPECT_TRUE(f.errors.empty()) << ::blobwatch::testing::describeErrors(f, file);
  EXPECT_EQ(f.events.size(), 1u) << file;
  return f.events.empty() ? AccessEvent{} : f.events.front();
}

std::vector<std::string> asJson(const ParsedFile& f) {
  std::vector<std::string> out;
  for (size_t i = 0; i < f.events.size(); ++i) {
    std::string s = std::to_string(f.eventLines[i]) + " ";
    writeEventJson(f.events[i], s);
    out.push_back(std::move(s));
  }
  return out;
}

// ---------------------------------------------------------------------------------------------
// Whole sample files.

TEST(CloudTrailSamples, EveryValidFileParses) {
  BLOBWATCH_REQUIRE_SAMPLES();
  const auto files = ::blobwatch::testing::sampleFiles("cloudtrail");
  ASSERT_GE(files.size(), 9u);
  for (const auto& path : files) {
    if (::blobwatch::testing::isInvalidSample(path)) continue;
    const std::string name = path.filename().string();
    const std::string content = ::blobwatch::testing::readFile(path);
    const ParsedFile f = ::blobwatch::testing::parseBuffer(content, Format::kCloudTrail);
    EXPECT_TRUE(f.errors.empty()) << ::blobwatch::testing::describeErrors(f, name);
    EXPECT_FALSE(f.events.empty()) << name;
    for (size_t i = 0; i < f.events.size(); ++i) {
      const AccessEvent& e = f.events[i];
      const std::string where = name + ":" + std::to_string(f.eventLines[i]);
      EXPECT_EQ(e.provider, Provider::kAws) << where;
      EXPECT_EQ(e.format, Format::kCloudTrail) << where;
      EXPECT_GE(e.timeUs, utcUs(2019, 1, 1, 0, 0, 0)) << where;
      EXPECT_LT(e.timeUs, utcUs(2026, 1, 1, 0, 0, 0)) << where;
      EXPECT_FALSE(e.rawOperation.empty()) << where;
      EXPECT_FALSE(e.principal.empty()) << where;
    }
    // The same result when the file arrives 7 bytes at a time.
    const ParsedFile small = ::blobwatch::testing::parseBuffer(content, Format::kCloudTrail, 7);
    EXPECT_EQ(asJson(small), asJson(f)) << name;
    EXPECT_EQ(small.skipped, f.skipped) << name;
    EXPECT_TRUE(small.errors.empty()) << ::blobwatch::testing::describeErrors(small, name);
  }
}

TEST(CloudTrailSamples, EventCounts) {
  BLOBWATCH_REQUIRE_SAMPLES();
  struct Case {
    const char* file;
    size_t events;
    std::vector<uint64_t> lines;
  };
  for (const Case& c : {
           Case{kEntries0, 3, {1, 1, 1}},  // one {"Records":[...]} document of three events
           Case{kEntries1, 1, {1}},        // one pretty-printed S3 on Outposts event
           Case{kBatch0, 1, {1}},          // bare pretty-printed AwsServiceEvent
           Case{kBatch2, 1, {1}},          // EventBridge envelope
           Case{kBatch3, 1, {1}},          // EventBridge envelope
           Case{kCopy, 1, {1}}, Case{kPut, 1, {1}},  // no trailing newline
       }) {
    const ParsedFile f = parseSample(c.file, Format::kCloudTrail);
    EXPECT_TRUE(f.errors.empty()) << ::blobwatch::testing::describeErrors(f, c.file);
    EXPECT_EQ(f.events.size(), c.events) << c.file;
    EXPECT_EQ(f.eventLines, c.lines) << c.file;
    EXPECT_EQ(f.skipped, 0u) << c.file;
  }
}

TEST(CloudTrailSamples, PantherOneEventPerLine) {
  BLOBWATCH_REQUIRE_SAMPLES();
  // Every Panther record has eventSource s3.amazonaws.com, even SetQueueAttributes (line 11) and
  // CreateServiceLinkedRole (line 14): so none is skipped and all 72 lines give an event.
  const ParsedFile f = parseSample(kPanther, Format::kCloudTrail);
  EXPECT_TRUE(f.errors.empty()) << ::blobwatch::testing::describeErrors(f, kPanther);
  EXPECT_EQ(f.skipped, 0u);
  ASSERT_EQ(f.events.size(), 72u);
  for (size_t i = 0; i < f.events.size(); ++i) EXPECT_EQ(f.eventLines[i], i + 1);
  EXPECT_EQ(f.events[10].rawOperation, "SetQueueAttributes");
  EXPECT_EQ(f.events[10].opClass, OpClass::kOther);
}

TEST(CloudTrailSamples, InvalidJsonGivesErrorsNotACrash) {
  BLOBWATCH_REQUIRE_SAMPLES();
  // A missing comma (second event) and a trailing comma (third event).
  for (const size_t chunk : {size_t{1} << 20, size_t{7}, size_t{1}}) {
    const ParsedFile f = parseSample(kInvalid, Format::kCloudTrail, chunk);
    ASSERT_GE(f.errors.size(), 1u) << chunk;
    EXPECT_EQ(f.errors[0].line, 1u) << chunk;  // the document starts on line 1
    EXPECT_EQ(f.errors[0].code, ParseErrc::kSyntax) << chunk;
    // At most the first event (before the missing comma) made it out.
    EXPECT_LE(f.events.size(), 1u) << chunk;
  }
}

// ---------------------------------------------------------------------------------------------
// Field assertions on samples.

TEST(CloudTrailSamples, RecordsFileFields) {
  BLOBWATCH_REQUIRE_SAMPLES();
  const ParsedFile f = parseSample(kEntries0, Format::kCloudTrail);
  ASSERT_EQ(f.events.size(), 3u);

  const AccessEvent& list = f.events[0];
  EXPECT_EQ(list.principal, "arn:aws:iam::111122223333:user/myUserName");
  EXPECT_EQ(list.principalKind, PrincipalKind::kUser);
  EXPECT_EQ(list.timeUs, utcUs(2019, 2, 1, 3, 18, 19));
  EXPECT_EQ(list.rawOperation, "ListBuckets");
  EXPECT_EQ(list.opClass, OpClass::kList);
  EXPECT_EQ(list.sourceIpText, "127.0.0.1");
  EXPECT_TRUE(list.sourceIp.valid);
  EXPECT_EQ(list.authType, AuthType::kQueryString);
  EXPECT_EQ(list.requestId, "47B8E8D397DCE7A6");
  EXPECT_EQ(list.userAgent, "[]");
  EXPECT_EQ(list.httpStatus, 200);
  EXPECT_EQ(list.errorCode, "");
  EXPECT_EQ(list.bucket, "");

  const AccessEvent& acl = f.events[1];
  EXPECT_EQ(acl.rawOperation, "PutBucketAcl");
  EXPECT_EQ(acl.opClass, OpClass::kPolicy);
  EXPECT_EQ(acl.timeUs, utcUs(2019, 2, 1, 3, 22, 33));
  EXPECT_EQ(acl.sourceIpText, "");
  EXPECT_FALSE(acl.sourceIp.valid);
  EXPECT_EQ(acl.authType, AuthType::kHeader);
  EXPECT_EQ(acl.requestId, "BD8798EACDD16751");

  const AccessEvent& ver = f.events[2];
  EXPECT_EQ(ver.rawOperation, "GetBucketVersioning");
  EXPECT_EQ(ver.opClass, OpClass::kOther);
  EXPECT_EQ(ver.bucket, "DOC-EXAMPLE-BUCKET1");
  EXPECT_EQ(ver.requestId, "07D681279BD94AED");
}

TEST(CloudTrailSamples, OutpostsPutObject) {
  BLOBWATCH_REQUIRE_SAMPLES();
  const AccessEvent e = onlyEvent(kEntries1);
  EXPECT_EQ(e.principal, "arn:aws:iam::111122223333:user/yourUserName");
  EXPECT_EQ(e.principalKind, PrincipalKind::kUser);
  EXPECT_EQ(e.rawOperation, "PutObject");
  EXPECT_EQ(e.opClass, OpClass::kWrite);
  EXPECT_EQ(e.timeUs, utcUs(2020, 11, 30, 15, 44, 33));
  EXPECT_EQ(e.sourceIpText, "26.29.66.20");
  EXPECT_EQ(e.bucket, "DOC-EXAMPLE-BUCKET1");
  // S3 on Outposts spells the key parameter "Key".
  EXPECT_EQ(e.objectKey, "path/upload.sh");
  EXPECT_EQ(e.bytesIn, 10);
  EXPECT_EQ(e.bytesOut, 20);
  EXPECT_EQ(e.authType, AuthType::kHeader);
  EXPECT_EQ(e.requestId, "8E96D972160306FA");
  EXPECT_EQ(e.userAgent, "aws-cli/1.18.39 Python/3.4.10 Darwin/18.7.0 botocore/1.15.39");
}

TEST(CloudTrailSamples, ElasticCopyObject) {
  BLOBWATCH_REQUIRE_SAMPLES();
  const AccessEvent e = onlyEvent(kCopy);
  EXPECT_EQ(e.principal, "arn:aws:iam::000000000:user/test@elastic.co");
  EXPECT_EQ(e.principalKind, PrincipalKind::kUser);
  EXPECT_EQ(e.timeUs, utcUs(2024, 10, 8, 12, 24, 16));
  EXPECT_EQ(e.rawOperation, "CopyObject");
  EXPECT_EQ(e.opClass, OpClass::kWrite);
  EXPECT_EQ(e.bucket, "elastic-cspm-cloudtrail-test-bucket");
  EXPECT_EQ(e.objectKey, "test-copy-object/README-copy.md");
  EXPECT_EQ(e.sourceIpText, "216.160.83.56");
  EXPECT_TRUE(e.sourceIp.valid);
  EXPECT_EQ(e.bytesOut, 224);
  EXPECT_EQ(e.bytesIn, 0);
  EXPECT_EQ(e.authType, AuthType::kHeader);
  EXPECT_EQ(e.tlsVersion, "TLSv1.3");
  EXPECT_EQ(e.requestId, "62A9N2AH4P4YKG2B");
  EXPECT_EQ(e.httpStatus, 200);
  EXPECT_EQ(e.errorCode, "");
  EXPECT_EQ(e.userAgent.rfind("[aws-cli/2.17.60 md/awscrt#0.21.2", 0), 0u) << e.userAgent;
  EXPECT_EQ(e.objectSize, -1);
}

TEST(CloudTrailSamples, ElasticPutObjectFieldsInAnyOrder) {
  BLOBWATCH_REQUIRE_SAMPLES();
  // Keys sorted alphabetically: userIdentity comes last.
  const AccessEvent e = onlyEvent(kPut);
  EXPECT_EQ(e.principal, "arn:aws:iam::000000000:user/test@elastic.co");
  EXPECT_EQ(e.timeUs, utcUs(2024, 10, 15, 8, 57, 13));
  EXPECT_EQ(e.rawOperation, "PutObject");
  EXPECT_EQ(e.opClass, OpClass::kWrite);
  EXPECT_EQ(e.bucket, "elastic-cspm-cloudtrail-test-bucket");
  EXPECT_EQ(e.objectKey, "");  // requestParameters has no key
  EXPECT_EQ(e.bytesIn, 0);
  EXPECT_EQ(e.bytesOut, 0);
  EXPECT_EQ(e.tlsVersion, "TLSv1.3");
  EXPECT_EQ(e.requestId, "7FQJXG8C228Y7NNK");
  EXPECT_EQ(e.authType, AuthType::kHeader);
}

TEST(CloudTrailSamples, ServiceEventsInvokedByOnly) {
  BLOBWATCH_REQUIRE_SAMPLES();
  // userIdentity {accountId, invokedBy: s3.amazonaws.com}; sourceIPAddress is a DNS name.
  struct Case {
    const char* file;
    const char* eventName;
    int64_t time;
  };
  for (const Case& c : {
           Case{kBatch0, "JobStatusChanged", utcUs(2020, 2, 5, 18, 25, 30)},
           Case{kBatch2, "JobCreated", utcUs(2020, 2, 27, 15, 25, 49)},
           Case{kBatch3, "JobStatusChanged", utcUs(2020, 2, 27, 15, 26, 42)},
       }) {
    const AccessEvent e = onlyEvent(c.file);
    EXPECT_EQ(e.principal, "svc:s3.amazonaws.com") << c.file;
    EXPECT_EQ(e.principalKind, PrincipalKind::kService) << c.file;
    EXPECT_EQ(e.rawOperation, c.eventName) << c.file;
    EXPECT_EQ(e.opClass, OpClass::kOther) << c.file;
    EXPECT_EQ(e.timeUs, c.time) << c.file;
    EXPECT_EQ(e.sourceIpText, "s3.amazonaws.com") << c.file;
    EXPECT_FALSE(e.sourceIp.valid) << c.file;
    EXPECT_EQ(e.userAgent, "s3.amazonaws.com") << c.file;
  }
}

TEST(CloudTrailSamples, PantherAssumedRoleAndPantherTime) {
  BLOBWATCH_REQUIRE_SAMPLES();
  // Line 2: eventTime "2024-11-25 22:00:58.000000000" (Panther's format).
  const AccessEvent e = pantherEvent(2);
  EXPECT_EQ(e.principal, "arn:aws:sts::111122223333:assumed-role/SampleRole");
  EXPECT_EQ(e.principalKind, PrincipalKind::kRole);
  EXPECT_EQ(e.timeUs, utcUs(2024, 11, 25, 22, 0, 58));
  EXPECT_EQ(e.rawOperation, "PutBucketLifecycle");
  EXPECT_EQ(e.bucket, "sample-cloudtrail-bucket-name");
  EXPECT_EQ(e.bytesIn, 249);
  EXPECT_EQ(e.bytesOut, 0);
  EXPECT_EQ(e.tlsVersion, "TLSv1.3");
  EXPECT_EQ(e.requestId, "4XRNRGRFH6RES629");
  EXPECT_EQ(e.sourceIpText, "1.2.3.4");
  EXPECT_EQ(e.userAgent, "[sample-user-agent]");

  // Line 4: same role, another session day.
  EXPECT_EQ(pantherEvent(4).timeUs, utcUs(2024, 11, 26, 17, 26, 6));
  // Line 12: "2024-01-01 00:00:00.000", and an identity with neither arn nor account.
  const AccessEvent bare = pantherEvent(12);
  EXPECT_EQ(bare.timeUs, utcUs(2024, 1, 1, 0, 0, 0));
  EXPECT_EQ(bare.opClass, OpClass::kPolicy);
  EXPECT_EQ(bare.principalKind, PrincipalKind::kUnknown);
  EXPECT_EQ(bare.sourceIpText, "");
}

TEST(CloudTrailSamples, PantherErrorCodes) {
  BLOBWATCH_REQUIRE_SAMPLES();
  // Line 10: PutBucketPolicy denied.
  const AccessEvent denied = pantherEvent(10);
  EXPECT_EQ(denied.errorCode, "AccessDenied");
  EXPECT_EQ(denied.httpStatus, 403);
  EXPECT_FALSE(denied.success());
  EXPECT_EQ(denied.opClass, OpClass::kPolicy);
  EXPECT_EQ(denied.principal, "arn:aws:sts::123456789012:assumed-role/example-role");

  // Line 5: NoSuchLifecycleConfiguration, with bytes out.
  const AccessEvent nolc = pantherEvent(5);
  EXPECT_EQ(nolc.errorCode, "NoSuchLifecycleConfiguration");
  EXPECT_EQ(nolc.httpStatus, 404);
  EXPECT_EQ(nolc.bytesOut, 313);

  // Line 63: VPC endpoint policy denial.
  const AccessEvent vpce = pantherEvent(63);
  EXPECT_EQ(vpce.errorCode, "VpceAccessDenied");
  EXPECT_EQ(vpce.httpStatus, 403);
  EXPECT_EQ(vpce.opClass, OpClass::kRead);

  // Line 7: no errorCode at all; line 17: errorCode "".
  const AccessEvent ok = pantherEvent(7);
  EXPECT_EQ(ok.errorCode, "");
  EXPECT_EQ(ok.httpStatus, 200);
  EXPECT_TRUE(ok.success());
  const AccessEvent empty = pantherEvent(17);
  EXPECT_EQ(empty.errorCode, "");
  EXPECT_EQ(empty.httpStatus, 200);
  EXPECT_EQ(empty.opClass, OpClass::kDelete);  // DeleteBucket
  EXPECT_EQ(empty.principal, "arn:aws:sts::123456789012:assumed-role/BucketAdministrator");
}

TEST(CloudTrailSamples, PantherIdentities) {
  BLOBWATCH_REQUIRE_SAMPLES();
  // Line 14: Root.
  const AccessEvent root = pantherEvent(14);
  EXPECT_EQ(root.principal, "arn:aws:iam::123456789012:root");
  EXPECT_EQ(root.principalKind, PrincipalKind::kRoot);

  // Line 16: an IAM user acting through the console (invokedBy signin): the user, not a service.
  const AccessEvent console = pantherEvent(16);
  EXPECT_EQ(console.principal, "arn:aws:iam::123456789012:user/tester");
  EXPECT_EQ(console.principalKind, PrincipalKind::kUser);

  // Line 66: AWSAccount from account 111111111111 calling into 222222222222.
  const AccessEvent cross = pantherEvent(66);
  EXPECT_EQ(cross.principalKind, PrincipalKind::kAccount);
  EXPECT_NE(cross.principal.find("111111111111"), std::string::npos) << cross.principal;
  EXPECT_EQ(cross.principal.find("session-name"), std::string::npos) << cross.principal;
  EXPECT_EQ(cross.principal, "aws-account:111111111111/AROAEXAMPLE");
  // Line 67: same shape from the bucket's own account: a different principal.
  const AccessEvent same = pantherEvent(67);
  EXPECT_EQ(same.principal, "aws-account:222222222222/AROAEXAMPLE");
  EXPECT_NE(same.principal, cross.principal);

  // Line 21: a very long session name is dropped.
  EXPECT_EQ(pantherEvent(21).principal,
            "arn:aws:sts::111111111111:assumed-role/sample-role-elastic-rhodes");
}

TEST(CloudTrailSamples, PantherOperationClasses) {
  BLOBWATCH_REQUIRE_SAMPLES();
  struct Case {
    uint64_t line;
    const char* name;
    OpClass cls;
  };
  for (const Case& c : {
           Case{1, "ListBucket", OpClass::kList},
           Case{7, "PutBucketPolicy", OpClass::kPolicy},
           Case{18, "PutBucketAcl", OpClass::kPolicy},
           Case{21, "CopyObject", OpClass::kWrite},
           Case{33, "DeleteObject", OpClass::kDelete},
           Case{34, "DeleteObjects", OpClass::kDelete},
           Case{35, "DeleteBucketPublicAccessBlock", OpClass::kPolicy},
           Case{37, "PutBucketPublicAccessBlock", OpClass::kPolicy},
           Case{47, "PutObject", OpClass::kWrite},
           Case{65, "GetObject", OpClass::kRead},
           Case{72, "ListAllMyBuckets", OpClass::kList},
       }) {
    const AccessEvent e = pantherEvent(c.line);
    EXPECT_EQ(e.rawOperation, c.name) << c.line;
    EXPECT_EQ(e.opClass, c.cls) << c.line;
  }
}

TEST(CloudTrailSamples, PantherDataEventFields) {
  BLOBWATCH_REQUIRE_SAMPLES();
  // Line 47: PutObject of a ransom note.
  const AccessEvent put = pantherEvent(47);
  EXPECT_EQ(put.principal, "arn:aws:iam::111111111111:user/compromised-user");
  EXPECT_EQ(put.bucket, "production-data");
  EXPECT_EQ(put.objectKey, "documents/financial/HOW_TO_DECRYPT_FILES.txt");
  EXPECT_EQ(put.bytesIn, 2048);
  EXPECT_EQ(put.bytesOut, 0);
  EXPECT_EQ(put.timeUs, utcUs(2025, 12, 3, 18, 0, 0));
  // No AuthenticationMethod in additionalEventData.
  EXPECT_EQ(put.authType, AuthType::kUnknown);

  // Line 1: ListBucket with bytesTransferred 0/0 and a known request id.
  const AccessEvent list = pantherEvent(1);
  EXPECT_EQ(list.bucket, "example-bucket");
  EXPECT_EQ(list.objectKey, "");
  EXPECT_EQ(list.bytesOut, 0);
  EXPECT_EQ(list.requestId, "EXAMPLE123456789");
  EXPECT_EQ(list.userAgent, "aws-sdk-go/1.15.12 (go1.12.6; linux; amd64)");
  EXPECT_EQ(list.sourceIpText, "192.0.2.0");

  // Line 6: no additionalEventData: bytes unknown.
  const AccessEvent none = pantherEvent(6);
  EXPECT_EQ(none.bytesIn, -1);
  EXPECT_EQ(none.bytesOut, -1);
}

// ---------------------------------------------------------------------------------------------
// Synthetic records.

OneRecord parseRecord(std::string_view json) {
  CloudTrailParser parser;
  return parseOne(parser, json);
}

AccessEvent parseOk(std::string_view json) {
  const OneRecord r = parseRecord(json);
  EXPECT_EQ(r.code, ParseErrc::kOk) << r.detail << "\n" << json;
  EXPECT_EQ(r.events.size(), 1u) << json;
  return r.events.empty() ? AccessEvent{} : r.events.front();
}

std::string getObject(std::string_view identity, std::string_view sourceIp = "198.51.100.7",
                      std::string_view extra = "") {
  std::string s = R"({"eventVersion":"1.09","userIdentity":)";
  s += identity;
  s += R"(,"eventTime":"2024-05-01T10:00:00Z","eventSource":"s3.amazonaws.com",)";
  s += R"("eventName":"GetObject","awsRegion":"us-east-1","sourceIPAddress":")";
  s += sourceIp;
  s += R"(","userAgent":"curl/8.4.0","requestParameters":{"bucketName":"public-bucket",)";
  s += R"("Host":"public-bucket.s3.amazonaws.com","key":"data/file.csv"},)";
  s += R"("responseElements":null,"requestID":"REQ1","eventID":"e1","readOnly":true,)";
  s += R"("eventType":"AwsApiCall","managementEvent":false,"recipientAccountId":"123456789012")";
  s += extra;
  s += R"(,"eventCategory":"Data"})";
  return s;
}

TEST(CloudTrailSynthetic, AnonymousDataEvent) {
  const AccessEvent e = parseOk(
      getObject(R"({"type":"AWSAccount","principalId":"","accountId":"ANONYMOUS_PRINCIPAL"})"));
  EXPECT_EQ(e.principal, "anonymous");
  EXPECT_EQ(e.principalKind, PrincipalKind::kAnonymous);
  EXPECT_EQ(e.authType, AuthType::kAnonymous);
  EXPECT_EQ(e.opClass, OpClass::kRead);
  EXPECT_EQ(e.bucket, "public-bucket");
  EXPECT_EQ(e.objectKey, "data/file.csv");
  EXPECT_EQ(e.timeUs, utcUs(2024, 5, 1, 10, 0, 0));
  EXPECT_EQ(e.sourceIpText, "198.51.100.7");
  EXPECT_TRUE(e.sourceIp.valid);
  EXPECT_EQ(e.requestId, "REQ1");
  EXPECT_EQ(e.httpStatus, 200);
}

TEST(CloudTrailSynthetic, IdentityShapes) {
  struct Case {
    const char* identity;
    const char* principal;
    PrincipalKind kind;
  };
  for (
      const Case& c : {
          Case{
              R"({"type":"IAMUser","principalId":"AIDA1","arn":"arn:aws:iam::123456789012:user/bob","accountId":"123456789012"})",
              "arn:aws:iam::123456789012:user/bob", PrincipalKind::kUser},
          Case{
              R"({"type":"AssumedRole","principalId":"AROA1:sess","arn":"arn:aws:sts::123456789012:assumed-role/Admin/sess","accountId":"123456789012"})",
              "arn:aws:sts::123456789012:assumed-role/Admin", PrincipalKind::kRole},
          Case{
              R"({"type":"Root","principalId":"123456789012","arn":"arn:aws:iam::123456789012:root","accountId":"123456789012"})",
              "arn:aws:iam::123456789012:root", PrincipalKind::kRoot},
          Case{R"({"type":"AWSService","invokedBy":"cloudtrail.amazonaws.com"})",
               "svc:cloudtrail.amazonaws.com", PrincipalKind::kService},
          Case{R"({"accountId":"123456789012","invokedBy":"s3.amazonaws.com"})",
               "svc:s3.amazonaws.com", PrincipalKind::kService},
          Case{
              R"({"type":"FederatedUser","principalId":"123456789012:alice","arn":"arn:aws:sts::123456789012:federated-user/alice","accountId":"123456789012"})",
              "arn:aws:sts::123456789012:federated-user/alice", PrincipalKind::kFederated},
          // AssumedRole without arn: the session issuer's role.
          Case{
              R"({"type":"AssumedRole","principalId":"AROA1:sess","sessionContext":{"sessionIssuer":{"type":"Role","arn":"arn:aws:iam::123456789012:role/Admin"}}})",
              "arn:aws:iam::123456789012:role/Admin", PrincipalKind::kRole},
          Case{R"({"type":"AWSAccount","principalId":"AROA9:x","accountId":"999999999999"})",
               "aws-account:999999999999/AROA9", PrincipalKind::kAccount},
          // IAMUser without arn: the ARN is rebuilt from account and user name.
          Case{
              R"({"type":"IAMUser","principalId":"AIDA2","accountId":"123456789012","userName":"carol"})",
              "arn:aws:iam::123456789012:user/carol", PrincipalKind::kUser},
      }) {
    const AccessEvent e = parseOk(getObject(c.identity));
    EXPECT_EQ(e.principal, c.principal) << c.identity;
    EXPECT_EQ(e.principalKind, c.kind) << c.identity;
  }
}

TEST(CloudTrailSynthetic, IPv6AndDnsSourceAddresses) {
  const AccessEvent v6 =
      parseOk(getObject(R"({"type":"Root","arn":"arn:aws:iam::1:root"})", "2001:db8:1234::abcd"));
  EXPECT_EQ(v6.sourceIpText, "2001:db8:1234::abcd");
  ASSERT_TRUE(v6.sourceIp.valid);
  EXPECT_FALSE(v6.sourceIp.isV4());
  IpAddress expected;
  ASSERT_TRUE(parseIp("2001:0db8:1234:0:0:0:0:abcd", expected));
  EXPECT_EQ(v6.sourceIp, expected);

  const AccessEvent dns =
      parseOk(getObject(R"({"type":"Root","arn":"arn:aws:iam::1:root"})", "athena.amazonaws.com"));
  EXPECT_EQ(dns.sourceIpText, "athena.amazonaws.com");
  EXPECT_FALSE(dns.sourceIp.valid);
}

TEST(CloudTrailSynthetic, BytesAsStringsAndDecimals) {
  const char* identity = R"({"type":"Root","arn":"arn:aws:iam::1:root"})";
  const AccessEvent strings = parseOk(getObject(
      identity, "198.51.100.7",
      R"(,"additionalEventData":{"bytesTransferredIn":"12","bytesTransferredOut":"4096"})"));
  EXPECT_EQ(strings.bytesIn, 12);
  EXPECT_EQ(strings.bytesOut, 4096);

  const AccessEvent decimals = parseOk(getObject(
      identity, "198.51.100.7",
      R"(,"additionalEventData":{"bytesTransferredIn":12.0,"bytesTransferredOut":1.5e3})"));
  EXPECT_EQ(decimals.bytesIn, 12);
  EXPECT_EQ(decimals.bytesOut, 1500);

  // Junk stays unknown instead of failing the record.
  const AccessEvent junk = parseOk(getObject(
      identity, "198.51.100.7",
      R"(,"additionalEventData":{"bytesTransferredIn":"many","bytesTransferredOut":null})"));
  EXPECT_EQ(junk.bytesIn, -1);
  EXPECT_EQ(junk.bytesOut, -1);
}

TEST(CloudTrailSynthetic, AuthenticationMethodAndTls) {
  const AccessEvent e = parseOk(getObject(
      R"({"type":"IAMUser","arn":"arn:aws:iam::1:user/u"})", "198.51.100.7",
      R"(,"additionalEventData":{"AuthenticationMethod":"QueryString","SignatureVersion":"SigV4"},)"
      R"("tlsDetails":{"cipherSuite":"TLS_AES_128_GCM_SHA256","tlsVersion":"TLSv1.2"})"));
  EXPECT_EQ(e.authType, AuthType::kQueryString);
  EXPECT_EQ(e.tlsVersion, "TLSv1.2");
}

TEST(CloudTrailSynthetic, ErrorCodeToStatus) {
  const char* identity = R"({"type":"IAMUser","arn":"arn:aws:iam::1:user/u"})";
  const AccessEvent denied = parseOk(
      getObject(identity, "198.51.100.7", R"(,"errorCode":"AccessDenied","errorMessage":"x")"));
  EXPECT_EQ(denied.httpStatus, 403);
  EXPECT_EQ(denied.errorCode, "AccessDenied");
  const AccessEvent nokey =
      parseOk(getObject(identity, "198.51.100.7", R"(,"errorCode":"NoSuchKey")"));
  EXPECT_EQ(nokey.httpStatus, 404);
  const AccessEvent unknown =
      parseOk(getObject(identity, "198.51.100.7", R"(,"errorCode":"SomethingNew")"));
  EXPECT_EQ(unknown.httpStatus, -1);
  EXPECT_EQ(unknown.errorCode, "SomethingNew");
}

TEST(CloudTrailSynthetic, MissingOrBadEventTime) {
  const std::string good = getObject(R"({"type":"Root","arn":"arn:aws:iam::1:root"})");
  std::string missing = good;
  const std::string timeField = R"("eventTime":"2024-05-01T10:00:00Z",)";
  missing.erase(missing.find(timeField), timeField.size());
  const OneRecord m = parseRecord(missing);
  EXPECT_EQ(m.code, ParseErrc::kMissingField) << m.detail;
  EXPECT_TRUE(m.events.empty());

  std::string bad = good;
  bad.replace(bad.find("2024-05-01T10:00:00Z"), 20, "yesterday");
  const OneRecord b = parseRecord(bad);
  EXPECT_EQ(b.code, ParseErrc::kBadField) << b.detail;
  EXPECT_TRUE(b.events.empty());

  std::string noName = good;
  const std::string nameField = R"("eventName":"GetObject",)";
  noName.erase(noName.find(nameField), nameField.size());
  // An event (it has an eventTime) without eventName is an error naming the field.
  const OneRecord n = parseRecord(noName);
  EXPECT_EQ(n.code, ParseErrc::kMissingField) << n.detail;
  EXPECT_STREQ(n.detail.c_str(), "eventName is missing");
  EXPECT_TRUE(n.events.empty());
}

TEST(CloudTrailSynthetic, NonS3EventsAreSkippedNotErrors) {
  const std::string iam =
      R"({"eventTime":"2024-05-01T10:00:00Z","eventSource":"iam.amazonaws.com",)"
      R"("eventName":"CreateUser","userIdentity":{"type":"Root","arn":"arn:aws:iam::1:root"}})";
  const OneRecord r = parseRecord(iam);
  EXPECT_EQ(r.code, ParseErrc::kNotAccessEvent);
  EXPECT_TRUE(r.events.empty());

  // In a Records document, the S3 event comes out and the SQS one is skipped silently.
  const std::string doc =
      R"({"Records":[{"eventTime":"2024-05-01T10:00:00Z","eventSource":"sqs.amazonaws.com",)"
      R"("eventName":"SendMessage"},)" +
      getObject(R"({"type":"Root","arn":"arn:aws:iam::1:root"})") + "]}";
  const OneRecord d = parseRecord(doc);
  EXPECT_EQ(d.code, ParseErrc::kOk) << d.detail;
  ASSERT_EQ(d.events.size(), 1u);
  EXPECT_EQ(d.events[0].rawOperation, "GetObject");

  const ParsedFile f =
      ::blobwatch::testing::parseBuffer(iam + "\n" + iam + "\n", Format::kCloudTrail);
  EXPECT_EQ(f.skipped, 2u);
  EXPECT_TRUE(f.errors.empty());
  EXPECT_TRUE(f.events.empty());
}

TEST(CloudTrailSynthetic, ABadElementOfRecordsDoesNotDropTheOthers) {
  const std::string anon =
      R"({"type":"AWSAccount","principalId":"","accountId":"ANONYMOUS_PRINCIPAL"})";
  const std::string first = getObject(anon, "198.51.100.1");
  const std::string last = getObject(anon, "198.51.100.2");
  std::string noTime = getObject(anon, "198.51.100.3");
  const std::string timeField = R"("eventTime":"2024-05-01T10:00:00Z",)";
  noTime.erase(noTime.find(timeField), timeField.size());
  const OneRecord r = parseRecord(R"({"Records":[)" + first + "," + noTime + ",7," + last + "]}");
  EXPECT_EQ(r.code, ParseErrc::kMissingField) << r.detail;  // the first error is the record's
  EXPECT_STREQ(r.detail.c_str(), "eventTime is missing");
  ASSERT_EQ(r.events.size(), 2u);
  EXPECT_EQ(r.events[0].sourceIpText, "198.51.100.1");
  EXPECT_EQ(r.events[1].sourceIpText, "198.51.100.2");
  const OneRecord scalarFirst = parseRecord(R"({"Records":["x",)" + last + "]}");
  EXPECT_EQ(scalarFirst.code, ParseErrc::kSyntax);
  EXPECT_EQ(scalarFirst.events.size(), 1u);
}

TEST(CloudTrailSynthetic, MalformedRecordsAreErrorsNotCrashes) {
  const std::string one = getObject(R"({"type":"Root","arn":"arn:aws:iam::1:root"})");
  for (const std::string& bad : {
           one + one,          // two objects concatenated on one line
           one + " " + one,    // the same with a space
           one.substr(0, 80),  // truncated
           std::string(R"({"Records":[1,2]})"),
           std::string(R"({"Records":{"a":1}})"),
           std::string("[1,2,3]"),
           std::string("\"just a string\""),
           std::string("{\"eventName\":\"GetObject\",\"eventTime\":\"2024-05-01T10:00:00Z\""),
       }) {
    const OneRecord r = parseRecord(bad);
    EXPECT_TRUE(r.code == ParseErrc::kSyntax || r.code == ParseErrc::kBadField)
        << static_cast<int>(r.code) << " " << r.detail << "\n"
        << bad;
  }
  // Through the framing, the concatenated line is one error on line 2, not a crash, and the
  // records around it still come out.
  // The same whatever the read size.
  for (const size_t chunk : {size_t{1} << 20, size_t{7}, size_t{1}}) {
    const ParsedFile f = ::blobwatch::testing::parseBuffer(
        one + "\n" + one + one + "\n" + one + "\n", Format::kCloudTrail, chunk);
    ASSERT_EQ(f.errors.size(), 1u) << chunk;
    EXPECT_EQ(f.errors[0].line, 2u) << chunk;
    EXPECT_EQ(f.errors[0].code, ParseErrc::kSyntax) << chunk;
    EXPECT_EQ(f.eventLines, (std::vector<uint64_t>{1, 3})) << chunk;
  }
}

TEST(CloudTrailSynthetic, RecordsSplitAcrossSmallChunks) {
  std::string doc = "{\n  \"Records\": [\n";
  std::vector<std::string> keys;
  for (int i = 0; i < 20; ++i) {
    if (i > 0) doc += ",\n";
    const std::string key = "dir/{weird} \\\"name\\\" " + std::to_string(i);
    doc += "    " + getObject(R"({"type":"IAMUser","arn":"arn:aws:iam::1:user/u)" +
                                  std::to_string(i) + R"("})",
                              "198.51.100." + std::to_string(i));
    // Put a key with braces and escaped quotes in every record.
    const std::string from = R"("key":"data/file.csv")";
    doc.replace(doc.rfind(from), from.size(), "\"key\":\"" + key + "\"");
    keys.push_back(key);
  }
  doc += "\n  ]\n}\n";
  doc += getObject(R"({"type":"Root","arn":"arn:aws:iam::1:root"})") + "\n";

  const ParsedFile big = ::blobwatch::testing::parseBuffer(doc, Format::kCloudTrail, 1 << 20);
  EXPECT_TRUE(big.errors.empty()) << ::blobwatch::testing::describeErrors(big, "doc");
  ASSERT_EQ(big.events.size(), 21u);
  for (int i = 0; i < 20; ++i) {
    EXPECT_EQ(big.eventLines[static_cast<size_t>(i)], 1u);
    EXPECT_EQ(big.events[static_cast<size_t>(i)].principal,
              "arn:aws:iam::1:user/u" + std::to_string(i));
    EXPECT_EQ(big.events[static_cast<size_t>(i)].objectKey,
              "dir/{weird} \"name\" " + std::to_string(i));
  }
  EXPECT_EQ(big.eventLines[20], 25u);
  for (const size_t chunk : {size_t{1}, size_t{7}, size_t{64}, size_t{4096}}) {
    const ParsedFile small = ::blobwatch::testing::parseBuffer(doc, Format::kCloudTrail, chunk);
    EXPECT_EQ(asJson(small), asJson(big)) << chunk;
    EXPECT_TRUE(small.errors.empty()) << chunk;
  }
}

TEST(CloudTrailSynthetic, EventBridgeEnvelope) {
  const std::string env =
      R"({"version":"0","id":"x","detail-type":"AWS API Call via CloudTrail",)"
      R"("source":"aws.s3","account":"123456789012","time":"2020-01-01T00:00:00Z",)"
      R"("region":"us-east-1","resources":[],"detail":)" +
      getObject(R"({"type":"Root","arn":"arn:aws:iam::1:root"})") + "}";
  const AccessEvent e = parseOk(env);
  EXPECT_EQ(e.rawOperation, "GetObject");
  EXPECT_EQ(e.timeUs, utcUs(2024, 5, 1, 10, 0, 0));  // detail.eventTime, not the envelope time
  EXPECT_EQ(e.principalKind, PrincipalKind::kRoot);
}

TEST(CloudTrailSynthetic, ParserReuse) {
  CloudTrailParser parser;
  const OneRecord a =
      parseOne(parser, getObject(R"({"type":"Root","arn":"arn:aws:iam::1:root"})", "198.51.100.7",
                                 R"(,"tlsDetails":{"tlsVersion":"TLSv1.3"})"));
  ASSERT_EQ(a.events.size(), 1u);
  EXPECT_EQ(a.events[0].tlsVersion, "TLSv1.3");
  const OneRecord b =
      parseOne(parser, getObject(R"({"type":"AWSAccount","accountId":"ANONYMOUS_PRINCIPAL"})"));
  ASSERT_EQ(b.events.size(), 1u);
  EXPECT_EQ(b.events[0].tlsVersion, "");
  EXPECT_EQ(b.events[0].principal, "anonymous");
}

}  // namespace
}  // namespace blobwatch::schemas
