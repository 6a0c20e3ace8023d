#include "schemas/gcs_audit_parser.h"

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

using ::blobwatch::testing::describeErrors;
using ::blobwatch::testing::eventsAtLine;
using ::blobwatch::testing::OneRecord;
using ::blobwatch::testing::ParsedFile;
using ::blobwatch::testing::parseOne;
using ::blobwatch::testing::parseSample;
using ::blobwatch::testing::utcUs;

constexpr char kSigned[] =
    "gcs-audit/Caffeinated-CNS_GCP_CRF_Print_GCS_Audit_Log_Entries_README_signed-url-get.ndjson";
constexpr char kPanther[] = "gcs-audit/panther-analysis_rule-tests_gcs.ndjson";

// Standard base64 with padding, written independently of schemas/text.cpp.
std::string base64Encode(std::string_view in) {
  static constexpr char kAlphabet[] =
      "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  std::string out;
  size_t i = 0;
  for (; i + 3 <= in.size(); i += 3) {
    const auto n = (static_cast<uint32_t>(static_cast<unsigned char>(in[i])) << 16) |
                   (static_cast<uint32_t>(static_cast<unsigned char>(in[i + 1])) << 8) |
                   static_cast<uint32_t>(static_cast<unsigned char>(in[i + 2]));
    out += kAlphabet[(n >> 18) & 63];
    out += kAlphabet[(n >> 12) & 63];
    out += kAlphabet[(n >> 6) & 63];
    out += kAlphabet[n & 63];
  }
  if (in.size() - i == 1) {
    const auto n = static_cast<uint32_t>(static_cast<unsigned char>(in[i])) << 16;
    out += kAlphabet[(n >> 18) & 63];
    out += kAlphabet[(n >> 12) & 63];
    out += "==";
  } else if (in.size() - i == 2) {
    const auto n = (static_cast<uint32_t>(static_cast<unsigned char>(in[i])) << 16) |
                   (static_cast<uint32_t>(static_cast<unsigned char>(in[i + 1])) << 8);
    out += kAlphabet[(n >> 18) & 63];
    out += kAlphabet[(n >> 12) & 63];
    out += kAlphabet[(n >> 6) & 63];
    out += '=';
  }
  return out;
}

// A Pub/Sub push request body around `data` (already base64), as the Caffeinated-CNS README
// shows one.
std::string pushEnvelope(const std::string& data) {
  return R"({"message":{"attributes":{"logging.googleapis.com/timestamp":"2025-03-03T01:44:06.143517192Z"},"data":")" +
         data +
         R"(","messageId":"14128681004859449","message_id":"14128681004859449","publishTime":"2025-03-03T01:44:08.016Z","publish_time":"2025-03-03T01:44:08.016Z"},"subscription":"projects/p/subscriptions/gcs-audit-push"})";
}

std::vector<std::string> sampleLines(const char* rel) {
  const std::string content =
      ::blobwatch::testing::readFile(::blobwatch::testing::samplesDir() / rel);
  std::vector<std::string> lines;
  size_t pos = 0;
  while (pos < content.size()) {
    size_t nl = content.find('\n', pos);
    if (nl == std::string::npos) nl = content.size();
    lines.push_back(content.substr(pos, nl - pos));
    pos = nl + 1;
  }
  return lines;
}

std::string asJson(const AccessEvent& e) {
  std::string s;
  writeEventJson(e, s);
  return s;
}

std::vector<std::string> asJson(const ParsedFile& f) {
  std::vector<std::string> out;
  for (size_t i = 0; i < f.events.size(); ++i) {
    out.push_back(std::to_string(f.eventLines[i]) + " " + asJson(f.events[i]));
  }
  return out;
}

// The single event of Panther line `line`.
AccessEvent pantherEvent(uint64_t line) {
  const ParsedFile f = parseSample(kPanther, Format::kGcsAudit);
  const auto events = eventsAtLine(f, line);
  EXPECT_EQ(events.size(), 1u) << "panther line " << line;
  return events.empty() ? AccessEvent{} : events.front();
}

// One synthetic LogEntry: `payload` is spliced into protoPayload after serviceName, `top` into the
// entry after timestamp.
std::string entry(const std::string& payload, const std::string& top = "",
                  const std::string& service = "storage.googleapis.com") {
  std::string s = R"({"insertId":"abc","timestamp":"2024-05-06T07:08:09.123456789Z")";
  if (!top.empty()) s += "," + top;
  s += R"(,"protoPayload":{"serviceName":")" + service + "\"";
  if (!payload.empty()) s += "," + payload;
  s += "}}";
  return s;
}

OneRecord parseText(const std::string& record) {
  GcsAuditParser p;
  return parseOne(p, record);
}

AccessEvent parseEvent(const std::string& record) {
  const OneRecord r = parseText(record);
  EXPECT_EQ(r.code, ParseErrc::kOk) << r.detail << "\n" << record;
  EXPECT_EQ(r.events.size(), 1u) << record;
  return r.events.empty() ? AccessEvent{} : r.events.front();
}

// ---------------------------------------------------------------------------------------------
// Whole sample files.

TEST(GcsAuditSamples, EveryRecordParses) {
  BLOBWATCH_REQUIRE_SAMPLES();
  const auto files = ::blobwatch::testing::sampleFiles("gcs-audit");
  ASSERT_EQ(files.size(), 2u);
  for (const auto& path : files) {
    const std::string name = path.filename().string();
    const std::string content = ::blobwatch::testing::readFile(path);
    const ParsedFile f = ::blobwatch::testing::parseBuffer(content);  // format detected
    EXPECT_EQ(f.format, Format::kGcsAudit) << name;
    EXPECT_TRUE(f.errors.empty()) << describeErrors(f, name);
    EXPECT_FALSE(f.events.empty()) << name;
    for (size_t i = 0; i < f.events.size(); ++i) {
      const AccessEvent& e = f.events[i];
      const std::string where = name + ":" + std::to_string(f.eventLines[i]);
      EXPECT_EQ(e.provider, Provider::kGcp) << where;
      EXPECT_EQ(e.format, Format::kGcsAudit) << where;
      EXPECT_GE(e.timeUs, utcUs(2020, 1, 1, 0, 0, 0)) << where;
      EXPECT_LT(e.timeUs, utcUs(2026, 1, 1, 0, 0, 0)) << where;
      EXPECT_EQ(e.rawOperation.rfind("storage.", 0) == 0 ||
                    e.rawOperation.rfind("google.storage.", 0) == 0,
                true)
          << where << " " << e.rawOperation;
      EXPECT_FALSE(e.principal.empty()) << where;
      EXPECT_FALSE(e.bucket.empty()) << where;
      EXPECT_EQ(e.bytesIn, -1) << where;  // audit entries carry no byte counts
      EXPECT_EQ(e.bytesOut, -1) << where;
      EXPECT_EQ(e.objectSize, -1) << where;
      EXPECT_NE(e.principalKind, PrincipalKind::kAnonymous) << where;
    }
    // The same result when the file arrives 7 bytes at a time.
    const ParsedFile small = ::blobwatch::testing::parseBuffer(content, Format::kGcsAudit, 7);
    EXPECT_EQ(asJson(small), asJson(f)) << name;
    EXPECT_EQ(small.skipped, f.skipped) << name;
    EXPECT_TRUE(small.errors.empty()) << describeErrors(small, name);
  }
}

TEST(GcsAuditSamples, RecordCounts) {
  BLOBWATCH_REQUIRE_SAMPLES();
  const ParsedFile s = parseSample(kSigned, Format::kGcsAudit);
  EXPECT_TRUE(s.errors.empty()) << describeErrors(s, kSigned);
  EXPECT_EQ(s.eventLines, (std::vector<uint64_t>{1}));
  EXPECT_EQ(s.skipped, 0u);

  // 15 records; line 14 (gcp_sql_config_changes) is skipped, every other line gives one event.
  const ParsedFile p = parseSample(kPanther, Format::kGcsAudit);
  EXPECT_TRUE(p.errors.empty()) << describeErrors(p, kPanther);
  EXPECT_EQ(p.eventLines, (std::vector<uint64_t>{1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 15}));
  EXPECT_EQ(p.skipped, 1u);
}

TEST(GcsAuditSamples, CloudSqlMethodUnderStorageServiceIsSkipped) {
  BLOBWATCH_REQUIRE_SAMPLES();
  // serviceName storage.googleapis.com with methodName cloudsql.instances.update on an
  // sql_instance resource and no timestamp: not a storage access, skipped rather than an error.
  const auto lines = sampleLines(kPanther);
  ASSERT_EQ(lines.size(), 15u);
  ASSERT_NE(lines[13].find("cloudsql.instances.update"), std::string::npos);
  const OneRecord r = parseText(lines[13]);
  EXPECT_EQ(r.code, ParseErrc::kNotAccessEvent) << r.detail;
  EXPECT_EQ(r.detail, "not a Cloud Storage method");
  EXPECT_TRUE(r.events.empty());
}

// ---------------------------------------------------------------------------------------------
// Field assertions per identity type and log kind.

TEST(GcsAuditSamples, SignedUrlGetByServiceAccount) {
  BLOBWATCH_REQUIRE_SAMPLES();
  const ParsedFile f = parseSample(kSigned, Format::kGcsAudit);
  ASSERT_EQ(f.events.size(), 1u);
  const AccessEvent& e = f.events[0];
  EXPECT_EQ(e.provider, Provider::kGcp);
  EXPECT_EQ(e.timeUs, utcUs(2025, 3, 3, 1, 44, 6, 143517));  // timestamp, not receiveTimestamp
  EXPECT_EQ(e.principal, "sa-gcs-reader@<project-id>.iam.gserviceaccount.com");
  EXPECT_EQ(e.principalKind, PrincipalKind::kService);
  EXPECT_EQ(e.sourceIpText, "9.9.9.9");
  EXPECT_TRUE(e.sourceIp.valid);
  EXPECT_EQ(e.bucket, "<gcs-bucket-id>");
  EXPECT_EQ(e.objectKey, "<object-name>");
  EXPECT_EQ(e.rawOperation, "storage.objects.get");
  EXPECT_EQ(e.opClass, OpClass::kRead);
  EXPECT_EQ(e.httpStatus, 200);  // "status": {}
  EXPECT_EQ(e.errorCode, "");
  EXPECT_EQ(e.userAgent, "curl/8.0.1,gzip(gfe)");
  // metadata.audit_context.audit_info has x-goog-custom-audit-signed-by.
  EXPECT_EQ(e.authType, AuthType::kQueryString);
  EXPECT_EQ(e.requestId, "1n5v4yqerik99");
  EXPECT_EQ(e.tlsVersion, "");
}

TEST(GcsAuditSamples, UserWithOAuthClientDataAccess) {
  BLOBWATCH_REQUIRE_SAMPLES();
  // Line 9: data_access, storage.objects.create by a user through an OAuth client (gsutil).
  const AccessEvent e = pantherEvent(9);
  EXPECT_EQ(e.principal, "frodo@lotr.com");  // principalEmail, not the oauthClientId
  EXPECT_EQ(e.principalKind, PrincipalKind::kUser);
  EXPECT_EQ(e.rawOperation, "storage.objects.create");
  EXPECT_EQ(e.opClass, OpClass::kWrite);
  EXPECT_EQ(e.bucket, "victim-bucket");
  EXPECT_EQ(e.objectKey, "victim-file.txt");
  // Panther time format, nine fractional digits truncated to microseconds.
  EXPECT_EQ(e.timeUs, utcUs(2025, 12, 15, 15, 35, 44, 471503));
  EXPECT_EQ(e.sourceIpText, "1.2.3.4");
  EXPECT_EQ(e.authType, AuthType::kHeader);
  EXPECT_EQ(e.requestId, "kua6lje2lauj");
  EXPECT_EQ(e.httpStatus, 200);
  EXPECT_EQ(e.userAgent.rfind("apitools Python/3.13.7 gsutil/5.35", 0), 0u) << e.userAgent;

  // Line 10: storage.objects.list through another OAuth client.
  const AccessEvent l = pantherEvent(10);
  EXPECT_EQ(l.principal, "homer.simpson@example.com");
  EXPECT_EQ(l.principalKind, PrincipalKind::kUser);
  EXPECT_EQ(l.opClass, OpClass::kList);
  EXPECT_EQ(l.rawOperation, "storage.objects.list");

  // Line 13: a private caller address.
  const AccessEvent c = pantherEvent(13);
  EXPECT_EQ(c.principal, "admin@example.com");
  EXPECT_EQ(c.objectKey, "quarterly_report_2025.pdf");
  EXPECT_EQ(c.sourceIpText, "10.0.0.200");
  EXPECT_TRUE(c.sourceIp.valid);
  EXPECT_EQ(c.timeUs, utcUs(2025, 12, 12, 22, 10, 15, 123456));
  EXPECT_EQ(c.requestId, "2abc123xyz789");
}

TEST(GcsAuditSamples, ActivityLogBucketAndIamChanges) {
  BLOBWATCH_REQUIRE_SAMPLES();
  // Line 2: activity log, storage.buckets.update; only "callerIP" (Panther's spelling); Panther
  // time with three fractional digits.
  const AccessEvent u = pantherEvent(2);
  EXPECT_EQ(u.rawOperation, "storage.buckets.update");
  EXPECT_EQ(u.opClass, OpClass::kOther);
  EXPECT_EQ(u.principal, "user@company.io");
  EXPECT_EQ(u.principalKind, PrincipalKind::kUser);
  EXPECT_EQ(u.bucket, "my-bucket");
  EXPECT_EQ(u.objectKey, "");
  EXPECT_EQ(u.sourceIpText, "1.2.3.4");
  EXPECT_TRUE(u.sourceIp.valid);
  EXPECT_EQ(u.timeUs, utcUs(2023, 3, 9, 10, 5, 23, 603000));
  EXPECT_EQ(u.requestId, "asdf1234asdfg");

  // Line 5: activity log, storage.setIamPermissions granting allUsers; RFC 3339 time.
  const AccessEvent iam = pantherEvent(5);
  EXPECT_EQ(iam.rawOperation, "storage.setIamPermissions");
  EXPECT_EQ(iam.opClass, OpClass::kPolicy);
  EXPECT_EQ(iam.principal, "user@runpanther.io");
  EXPECT_EQ(iam.bucket, "jacks-test-bucket");
  EXPECT_EQ(iam.objectKey, "");
  EXPECT_EQ(iam.timeUs, utcUs(2020, 5, 15, 4, 28, 42, 237027));
  EXPECT_EQ(iam.sourceIpText, "136.24.229.58");
  EXPECT_EQ(iam.requestId, "15cp9rve72xt1");
  EXPECT_EQ(iam.userAgent.substr(iam.userAgent.size() - 10), ",gzip(gfe)");

  // Line 15: storage.buckets.create is "other", as S3's CreateBucket.
  const AccessEvent create = pantherEvent(15);
  EXPECT_EQ(create.rawOperation, "storage.buckets.create");
  EXPECT_EQ(create.opClass, OpClass::kOther);
  EXPECT_EQ(create.bucket, "jacks-test-bucket-200");
  EXPECT_EQ(create.requestId, "c7rgc9c178");
}

TEST(GcsAuditSamples, PolicyLogVpcServiceControlsDenial) {
  BLOBWATCH_REQUIRE_SAMPLES();
  // Line 1: policy log; methodName "google.storage.objects.get"; resourceName names the project
  // only, the object is in metadata.resourceNames; status code 7.
  const AccessEvent e = pantherEvent(1);
  EXPECT_EQ(e.rawOperation, "google.storage.objects.get");
  EXPECT_EQ(e.opClass, OpClass::kRead);
  EXPECT_EQ(e.httpStatus, 403);
  EXPECT_FALSE(e.success());
  EXPECT_EQ(e.errorCode.rfind("Request is prohibited by organization's policy.", 0), 0u)
      << e.errorCode;
  EXPECT_EQ(e.bucket, "test-restricted-bucket");
  EXPECT_EQ(e.objectKey, "test1.txt");
  EXPECT_EQ(e.principal, "user1@serviceaccount.gcp.com");  // not .gserviceaccount.com
  EXPECT_EQ(e.principalKind, PrincipalKind::kUser);
  // "timestamp", not Panther's p_event_time (2023-03-09 10:53:14.929).
  EXPECT_EQ(e.timeUs, utcUs(2023, 3, 9, 16, 28, 40, 890430));
  // "insertId", not Panther's lower-case "insertid" (15wr7lbb6j).
  EXPECT_EQ(e.requestId, "13ogcded7jh2");
  EXPECT_EQ(e.sourceIpText, "1.2.3.4");
  EXPECT_EQ(e.userAgent, "");
}

TEST(GcsAuditSamples, DeletionsSucceededAndDenied) {
  BLOBWATCH_REQUIRE_SAMPLES();
  // Lines 3 and 4: bare entries (no insertId, logName or requestMetadata).
  const AccessEvent ok = pantherEvent(3);
  EXPECT_EQ(ok.rawOperation, "storage.objects.delete");
  EXPECT_EQ(ok.opClass, OpClass::kDelete);
  EXPECT_EQ(ok.httpStatus, 200);
  EXPECT_EQ(ok.principal, "denethor@lotr.com");
  EXPECT_EQ(ok.bucket, "test-bucket");
  EXPECT_EQ(ok.objectKey, "test-file.txt");
  EXPECT_EQ(ok.timeUs, utcUs(2025, 12, 15, 15, 40, 29, 533794));
  EXPECT_EQ(ok.requestId, "");
  EXPECT_EQ(ok.sourceIpText, "");
  EXPECT_FALSE(ok.sourceIp.valid);

  const AccessEvent denied = pantherEvent(4);
  EXPECT_EQ(denied.opClass, OpClass::kDelete);
  EXPECT_EQ(denied.httpStatus, 403);
  EXPECT_EQ(denied.errorCode, "PERMISSION_DENIED");
  EXPECT_EQ(denied.principal, "user@example.com");
}

TEST(GcsAuditSamples, ObjectReadsTakeBucketFromLabels) {
  BLOBWATCH_REQUIRE_SAMPLES();
  struct Case {
    uint64_t line;
    const char* bucket;
    const char* key;
  };
  for (const Case& c : {Case{6, "source-bucket", "sensitive.txt"},
                        Case{7, "prod-bucket", "file.txt"}, Case{8, "test-bucket", "file.txt"}}) {
    const AccessEvent e = pantherEvent(c.line);
    EXPECT_EQ(e.rawOperation, "storage.objects.get") << c.line;
    EXPECT_EQ(e.opClass, OpClass::kRead) << c.line;
    EXPECT_EQ(e.bucket, c.bucket) << c.line;
    EXPECT_EQ(e.objectKey, c.key) << c.line;
    EXPECT_EQ(e.timeUs, utcUs(2025, 12, 15, 15, 55, 3, 915792)) << c.line;
  }
}

// ---------------------------------------------------------------------------------------------
// Pub/Sub push envelope.

TEST(GcsAuditPubSub, EnvelopeGivesTheSameEventAsTheBareEntry) {
  BLOBWATCH_REQUIRE_SAMPLES();
  std::vector<std::string> lines = sampleLines(kSigned);
  for (const auto& l : sampleLines(kPanther)) lines.push_back(l);
  ASSERT_EQ(lines.size(), 16u);
  GcsAuditParser bare;
  GcsAuditParser pushed;  // one parser for every envelope: buffers are reused
  for (size_t i = 0; i < lines.size(); ++i) {
    const OneRecord a = parseOne(bare, lines[i]);
    const OneRecord b = parseOne(pushed, pushEnvelope(base64Encode(lines[i])));
    EXPECT_EQ(b.code, a.code) << i << " " << b.detail;
    ASSERT_EQ(b.events.size(), a.events.size()) << i;
    if (!a.events.empty()) {
      EXPECT_EQ(asJson(b.events[0]), asJson(a.events[0])) << i;
    }
  }
  // The sample itself went through one: spot-check the decoded event.
  const OneRecord r = parseOne(pushed, pushEnvelope(base64Encode(lines[0])));
  ASSERT_EQ(r.events.size(), 1u);
  EXPECT_EQ(r.events[0].requestId, "1n5v4yqerik99");
  EXPECT_EQ(r.events[0].authType, AuthType::kQueryString);
}

TEST(GcsAuditPubSub, UnpaddedDataAndFormatDetection) {
  BLOBWATCH_REQUIRE_SAMPLES();
  // Trailing JSON whitespace changes the length mod 3, so that the encodings end in "", "=" and
  // "==": each is sent with and without its padding.
  const std::string line = sampleLines(kSigned)[0];
  std::string body;
  size_t withPadding = 0;
  for (const std::string extra : {"", " ", "  "}) {
    std::string data = base64Encode(line + extra);
    body += pushEnvelope(data) + "\n";
    while (!data.empty() && data.back() == '=') {
      data.pop_back();
      ++withPadding;
    }
    body += pushEnvelope(data) + "\n";
  }
  EXPECT_EQ(withPadding, 3u);  // one "=" and one "=="
  const ParsedFile f = ::blobwatch::testing::parseBuffer(body);
  EXPECT_EQ(f.format, Format::kGcsAudit);
  EXPECT_TRUE(f.errors.empty()) << describeErrors(f, "envelopes");
  ASSERT_EQ(f.events.size(), 6u);
  for (size_t i = 1; i < f.events.size(); ++i) EXPECT_EQ(asJson(f.events[i]), asJson(f.events[0]));
  EXPECT_EQ(f.events[0].bucket, "<gcs-bucket-id>");
  EXPECT_EQ(f.events[0].timeUs, utcUs(2025, 3, 3, 1, 44, 6, 143517));
}

TEST(GcsAuditPubSub, BadEnvelopes) {
  struct Case {
    std::string record;
    ParseErrc code;
  };
  const std::string good = base64Encode(entry(R"("methodName":"storage.objects.get")"));
  for (const Case& c : {
           Case{R"({"message":{"messageId":"1"},"subscription":"s"})", ParseErrc::kMissingField},
           Case{pushEnvelope(""), ParseErrc::kMissingField},
           Case{pushEnvelope("not base64!"), ParseErrc::kBadField},
           Case{pushEnvelope(good.substr(0, good.size() - 4) + "A"), ParseErrc::kBadField},
           Case{pushEnvelope(base64Encode("this is not JSON")), ParseErrc::kSyntax},
           Case{pushEnvelope(base64Encode(R"({"a":1)")), ParseErrc::kSyntax},
           Case{pushEnvelope(base64Encode(R"({"a":1} {"b":2})")), ParseErrc::kSyntax},
           Case{pushEnvelope(base64Encode("   ")), ParseErrc::kMissingField},
           Case{pushEnvelope(base64Encode(R"({"jsonPayload":{"message":"hi"}})")),
                ParseErrc::kNotAccessEvent},
           Case{pushEnvelope(base64Encode(entry(R"("methodName":"compute.instances.get")", "",
                                                "compute.googleapis.com"))),
                ParseErrc::kNotAccessEvent},
           Case{R"({"message":"text","subscription":"s"})", ParseErrc::kBadField},
       }) {
    const OneRecord r = parseText(c.record);
    EXPECT_EQ(r.code, c.code) << c.record << " -> " << r.detail;
    EXPECT_TRUE(r.events.empty()) << c.record;
  }
  // Sanity: the good payload does parse.
  EXPECT_EQ(parseText(pushEnvelope(good)).code, ParseErrc::kOk);
}

// ---------------------------------------------------------------------------------------------
// Synthetic entries.

TEST(GcsAuditParser, PrincipalFallbacks) {
  struct Case {
    std::string authInfo;
    std::string principal;
    PrincipalKind kind;
    AuthType auth;
  };
  for (
      const Case& c : {
          Case{R"({"principalEmail":"svc@proj.iam.gserviceaccount.com"})",
               "svc@proj.iam.gserviceaccount.com", PrincipalKind::kService, AuthType::kHeader},
          Case{R"({"principalEmail":"123-compute@developer.gserviceaccount.com"})",
               "123-compute@developer.gserviceaccount.com", PrincipalKind::kService,
               AuthType::kHeader},
          Case{R"({"principalEmail":"alice@example.com","principalSubject":"user:x@y.z"})",
               "alice@example.com", PrincipalKind::kUser, AuthType::kHeader},
          Case{R"({"principalSubject":"user:bob@example.com"})", "bob@example.com",
               PrincipalKind::kUser, AuthType::kHeader},
          Case{R"({"principalSubject":"serviceAccount:sa@p.iam.gserviceaccount.com"})",
               "sa@p.iam.gserviceaccount.com", PrincipalKind::kService, AuthType::kHeader},
          Case{
              R"({"principalSubject":"principal://iam.googleapis.com/locations/global/workforcePools/pool/subject/carol"})",
              "principal://iam.googleapis.com/locations/global/workforcePools/pool/subject/carol",
              PrincipalKind::kFederated, AuthType::kHeader},
          Case{R"({"oauthInfo":{"oauthClientId":"42.apps.googleusercontent.com"}})",
               "oauth-client:42.apps.googleusercontent.com", PrincipalKind::kUnknown,
               AuthType::kHeader},
          // No identity: not "anonymous" (anonymous access writes no audit entry at all).
          Case{"{}", "unknown", PrincipalKind::kUnknown, AuthType::kUnknown},
      }) {
    const AccessEvent e = parseEvent(
        entry(R"("methodName":"storage.objects.get","authenticationInfo":)" + c.authInfo));
    EXPECT_EQ(e.principal, c.principal) << c.authInfo;
    EXPECT_EQ(e.principalKind, c.kind) << c.authInfo;
    EXPECT_EQ(e.authType, c.auth) << c.authInfo;
  }
  // No authenticationInfo at all.
  const AccessEvent none = parseEvent(entry(R"("methodName":"storage.objects.get")"));
  EXPECT_EQ(none.principal, "unknown");
  EXPECT_EQ(none.principalKind, PrincipalKind::kUnknown);
}

TEST(GcsAuditParser, SignedUrlDetection) {
  struct Case {
    std::string payload;
    AuthType auth;
  };
  const std::string who = R"("authenticationInfo":{"principalEmail":"a@b.c"},)";
  for (
      const Case& c : {
          Case{
              who +
                  R"("requestMetadata":{"requestAttributes":{"query":"X-Goog-Algorithm=GOOG4-RSA-SHA256&X-Goog-Signature=ab12"}})",
              AuthType::kQueryString},
          Case{
              who +
                  R"("requestMetadata":{"requestAttributes":{"query":"GoogleAccessId=a&Expires=1&Signature=zz"}})",
              AuthType::kQueryString},
          Case{
              who + R"("requestMetadata":{"requestAttributes":{"query":"generation=5&alt=media"}})",
              AuthType::kHeader},
          Case{who + R"("requestMetadata":{"requestAttributes":{"query":"NoSignature=1"}})",
               AuthType::kHeader},
          Case{
              who +
                  R"("metadata":{"audit_context":{"audit_info":{"x-goog-custom-audit-signed-by":"a@b.c"}}})",
              AuthType::kQueryString},
          // Custom audit headers can be sent with any request: on their own they prove nothing.
          Case{
              who +
                  R"("metadata":{"audit_context":{"audit_info":{"x-goog-custom-audit-job":"nightly"}}})",
              AuthType::kHeader},
      }) {
    const AccessEvent e = parseEvent(entry(c.payload + R"(,"methodName":"storage.objects.get")"));
    EXPECT_EQ(e.authType, c.auth) << c.payload;
  }
}

TEST(GcsAuditParser, MethodClasses) {
  struct Case {
    const char* method;
    OpClass cls;
  };
  for (const Case& c : {
           Case{"storage.objects.get", OpClass::kRead},
           Case{"storage.objects.list", OpClass::kList},
           Case{"storage.buckets.list", OpClass::kList},
           Case{"storage.objects.create", OpClass::kWrite},
           Case{"storage.objects.update", OpClass::kWrite},
           Case{"storage.objects.patch", OpClass::kWrite},
           Case{"storage.objects.compose", OpClass::kWrite},
           Case{"storage.objects.rewrite", OpClass::kWrite},
           Case{"storage.objects.delete", OpClass::kDelete},
           Case{"storage.buckets.delete", OpClass::kDelete},
           Case{"storage.setIamPermissions", OpClass::kPolicy},
           Case{"storage.buckets.setIamPolicy", OpClass::kPolicy},
           Case{"storage.objects.setIamPolicy", OpClass::kPolicy},
           Case{"storage.bucketAccessControls.insert", OpClass::kPolicy},
           Case{"storage.objectAccessControls.patch", OpClass::kPolicy},
           Case{"storage.defaultObjectAccessControls.delete", OpClass::kPolicy},
           Case{"storage.bucketAccessControls.list", OpClass::kOther},
           Case{"storage.buckets.get", OpClass::kHead},
           Case{"storage.buckets.getIamPolicy", OpClass::kOther},
           Case{"storage.getIamPermissions", OpClass::kOther},
           Case{"storage.buckets.testIamPermissions", OpClass::kOther},
           Case{"storage.buckets.create", OpClass::kOther},
           Case{"storage.buckets.update", OpClass::kOther},
           Case{"google.storage.objects.delete", OpClass::kDelete},
           Case{"storage.objects.getx", OpClass::kOther},
       }) {
    const AccessEvent e = parseEvent(entry(std::string(R"("methodName":")") + c.method + "\""));
    EXPECT_EQ(e.opClass, c.cls) << c.method;
    EXPECT_EQ(e.rawOperation, c.method);
  }
}

TEST(GcsAuditParser, RpcStatusCodes) {
  struct Case {
    int code;
    int http;
    const char* error;
  };
  for (const Case& c : {
           Case{0, 200, ""},
           Case{3, 400, "INVALID_ARGUMENT"},
           Case{5, 404, "NOT_FOUND"},
           Case{7, 403, "PERMISSION_DENIED"},
           Case{8, 429, "RESOURCE_EXHAUSTED"},
           Case{9, 412, "FAILED_PRECONDITION"},
           Case{13, 500, "INTERNAL"},
           Case{14, 503, "UNAVAILABLE"},
           Case{16, 401, "UNAUTHENTICATED"},
           Case{2, -1, "UNKNOWN"},
           Case{10, -1, "ABORTED"},
           Case{99, -1, "UNKNOWN"},
       }) {
    const AccessEvent e = parseEvent(entry(
        R"("methodName":"storage.objects.get","status":{"code":)" + std::to_string(c.code) + "}"));
    EXPECT_EQ(e.httpStatus, c.http) << c.code;
    EXPECT_EQ(e.errorCode, c.error) << c.code;  // the code's name when there is no message
  }
  const AccessEvent m = parseEvent(entry(
      R"("methodName":"storage.objects.get","status":{"code":5,"message":"No such object: b/o"})"));
  EXPECT_EQ(m.httpStatus, 404);
  EXPECT_EQ(m.errorCode, "No such object: b/o");
}

TEST(GcsAuditParser, ResourceNamesAndKeys) {
  // Keys are not URL-encoded in resourceName: kept as written, '/' included.
  const AccessEvent e = parseEvent(entry(
      R"("methodName":"storage.objects.get","resourceName":"projects/_/buckets/bkt/objects/dir/sub/a b%20c+d.txt")"));
  EXPECT_EQ(e.bucket, "bkt");
  EXPECT_EQ(e.objectKey, "dir/sub/a b%20c+d.txt");

  // resource.labels.bucket_name wins for the bucket.
  const AccessEvent l = parseEvent(
      entry(R"("methodName":"storage.objects.get","resourceName":"projects/_/buckets/x/objects/k")",
            R"("resource":{"type":"gcs_bucket","labels":{"bucket_name":"label-bucket"}})"));
  EXPECT_EQ(l.bucket, "label-bucket");
  EXPECT_EQ(l.objectKey, "k");

  // Bucket-level and service-level names.
  const AccessEvent b = parseEvent(
      entry(R"("methodName":"storage.buckets.get","resourceName":"projects/_/buckets/only")"));
  EXPECT_EQ(b.bucket, "only");
  EXPECT_EQ(b.objectKey, "");
  const AccessEvent p =
      parseEvent(entry(R"("methodName":"storage.buckets.list","resourceName":"projects/_")"));
  EXPECT_EQ(p.bucket, "");
  EXPECT_EQ(p.objectKey, "");

  // Escaped JSON in a key is unescaped once.
  const AccessEvent u = parseEvent(entry(
      R"("methodName":"storage.objects.get","resourceName":"projects/_/buckets/b/objects/\u96c6\"q\".txt")"));
  EXPECT_EQ(u.objectKey, "\xE9\x9B\x86\"q\".txt");
}

TEST(GcsAuditParser, CallerIpForms) {
  struct Case {
    const char* ip;
    bool valid;
  };
  for (const Case& c : {Case{"203.0.113.7", true}, Case{"2001:db8::1", true},
                        Case{"private", false}, Case{"gce-internal-ip", false}}) {
    const AccessEvent e = parseEvent(
        entry(std::string(R"("methodName":"storage.objects.get","requestMetadata":{"callerIp":")") +
              c.ip + R"(","callerSuppliedUserAgent":"ua/1"})"));
    EXPECT_EQ(e.sourceIpText, c.ip);
    EXPECT_EQ(e.sourceIp.valid, c.valid) << c.ip;
    EXPECT_EQ(e.userAgent, "ua/1");
  }
}

TEST(GcsAuditParser, TimestampFallbacksAndErrors) {
  const std::string body =
      R"("protoPayload":{"serviceName":"storage.googleapis.com","methodName":"storage.objects.get","requestMetadata":{"requestAttributes":{"time":"2024-01-02T03:04:05.5Z"}}})";
  // No timestamp: the request time.
  const AccessEvent r = parseEvent("{" + body + "}");
  EXPECT_EQ(r.timeUs, utcUs(2024, 1, 2, 3, 4, 5, 500000));
  // No timestamp nor request time: receiveTimestamp.
  const AccessEvent rt = parseEvent(
      R"({"receiveTimestamp":"2024-01-02T03:04:06Z","protoPayload":{"serviceName":"storage.googleapis.com","methodName":"storage.objects.get"}})");
  EXPECT_EQ(rt.timeUs, utcUs(2024, 1, 2, 3, 4, 6));
  // Panther's space-separated form, and an offset.
  EXPECT_EQ(parseEvent(R"({"timestamp":"2023-03-09 10:05:23.603",)" + body + "}").timeUs,
            utcUs(2023, 3, 9, 10, 5, 23, 603000));
  EXPECT_EQ(parseEvent(R"({"timestamp":"2023-03-09T12:05:23+02:00",)" + body + "}").timeUs,
            utcUs(2023, 3, 9, 10, 5, 23));

  const OneRecord none = parseText(
      R"({"protoPayload":{"serviceName":"storage.googleapis.com","methodName":"storage.objects.get"}})");
  EXPECT_EQ(none.code, ParseErrc::kMissingField);
  const OneRecord bad = parseText(R"({"timestamp":"yesterday",)" + body + "}");
  EXPECT_EQ(bad.code, ParseErrc::kBadField);
  EXPECT_TRUE(bad.events.empty());
}

TEST(GcsAuditParser, SkipsAndErrors) {
  struct Case {
    std::string record;
    ParseErrc code;
  };
  for (const Case& c : {
           Case{"", ParseErrc::kEmpty}, Case{" \r\n\t", ParseErrc::kEmpty},
           Case{"{", ParseErrc::kSyntax}, Case{"[1,2]", ParseErrc::kSyntax},
           Case{R"({"timestamp":"2024-01-01T00:00:00Z",)", ParseErrc::kSyntax},
           Case{entry(R"("methodName":"storage.objects.get")") + " x", ParseErrc::kSyntax},
           Case{R"({"timestamp":"2024-01-01T00:00:00Z","textPayload":"hello"})",
                ParseErrc::kNotAccessEvent},
           Case{entry(R"("methodName":"storage.objects.get")", "", "bigquery.googleapis.com"),
                ParseErrc::kNotAccessEvent},
           Case{entry(R"("methodName":"cloudsql.instances.update")"), ParseErrc::kNotAccessEvent},
           Case{entry(""), ParseErrc::kMissingField},  // storage entry without a methodName
           Case{R"({"protoPayload":{"methodName":"storage.objects.get"}})",
                ParseErrc::kNotAccessEvent},  // no serviceName
       }) {
    const OneRecord r = parseText(c.record);
    EXPECT_EQ(r.code, c.code) << c.record << " -> " << r.detail;
    EXPECT_TRUE(r.events.empty()) << c.record;
  }
}

TEST(GcsAuditParser, ReusedParserDoesNotLeakFields) {
  GcsAuditParser p;
  const OneRecord a = parseOne(
      p,
      entry(
          R"("methodName":"storage.objects.get","authenticationInfo":{"principalEmail":"a@b.c"},"requestMetadata":{"callerIp":"1.2.3.4","callerSuppliedUserAgent":"ua"},"resourceName":"projects/_/buckets/b/objects/k","status":{"code":7})"));
  ASSERT_EQ(a.events.size(), 1u);
  EXPECT_EQ(a.events[0].httpStatus, 403);
  const OneRecord b = parseOne(
      p,
      R"({"timestamp":"2024-01-01T00:00:00Z","protoPayload":{"serviceName":"storage.googleapis.com","methodName":"storage.objects.list"}})");
  ASSERT_EQ(b.events.size(), 1u);
  const AccessEvent& e = b.events[0];
  EXPECT_EQ(e.principal, "unknown");
  EXPECT_EQ(e.sourceIpText, "");
  EXPECT_EQ(e.userAgent, "");
  EXPECT_EQ(e.bucket, "");
  EXPECT_EQ(e.objectKey, "");
  EXPECT_EQ(e.httpStatus, 200);
  EXPECT_EQ(e.errorCode, "");
  EXPECT_EQ(e.requestId, "");
}

TEST(GcsAuditParser, PrettyPrintedEntriesThroughTheSplitter) {
  const std::string content = R"({
  "insertId": "one",
  "timestamp": "2024-05-06T07:08:09Z",
  "protoPayload": {
    "serviceName": "storage.googleapis.com",
    "methodName": "storage.objects.delete",
    "resourceName": "projects/_/buckets/b/objects/k"
  }
}
{
  "insertId": "two",
  "timestamp": "2024-05-06T07:08:10Z",
  "protoPayload": {"serviceName": "storage.googleapis.com", "methodName": "storage.objects.get"}
}
)";
  const ParsedFile f = ::blobwatch::testing::parseBuffer(content);
  EXPECT_EQ(f.format, Format::kGcsAudit);
  EXPECT_TRUE(f.errors.empty()) << describeErrors(f, "pretty");
  ASSERT_EQ(f.events.size(), 2u);
  EXPECT_EQ(f.eventLines, (std::vector<uint64_t>{1, 10}));
  EXPECT_EQ(f.events[0].requestId, "one");
  EXPECT_EQ(f.events[0].opClass, OpClass::kDelete);
  EXPECT_EQ(f.events[1].requestId, "two");
  EXPECT_EQ(f.events[1].timeUs, utcUs(2024, 5, 6, 7, 8, 10));
}

TEST(GcsAuditArray, GcloudJsonOutputIsDetectedAndEachEntryIsARecord) {
  // The shape `gcloud logging read --format=json` prints: an indented array of LogEntry objects.
  // The splitter hands on each element as a record, at its own line.
  const std::string content = R"([
  {
    "insertId": "one",
    "logName": "projects/p/logs/cloudaudit.googleapis.com%2Fdata_access",
    "protoPayload": {
      "@type": "type.googleapis.com/google.cloud.audit.AuditLog",
      "authenticationInfo": {"principalEmail": "ci@p.iam.gserviceaccount.com"},
      "methodName": "storage.objects.get",
      "resourceName": "projects/_/buckets/registry/objects/docker/registry/v2/blobs/sha256/ab/x",
      "serviceName": "storage.googleapis.com"
    },
    "timestamp": "2024-05-06T07:08:09Z"
  },
  {
    "insertId": "two",
    "logName": "projects/p/logs/cloudaudit.googleapis.com%2Fdata_access",
    "protoPayload": {
      "methodName": "storage.objects.create",
      "resourceName": "projects/_/buckets/registry/objects/y",
      "serviceName": "storage.googleapis.com"
    },
    "timestamp": "2024-05-06T07:08:10Z"
  }
]
)";
  const ParsedFile f = ::blobwatch::testing::parseBuffer(content);
  EXPECT_EQ(f.format, Format::kGcsAudit);
  EXPECT_TRUE(f.errors.empty()) << describeErrors(f, "gcloud");
  ASSERT_EQ(f.events.size(), 2u);
  EXPECT_EQ(f.eventLines, (std::vector<uint64_t>{2, 14}));
  EXPECT_EQ(f.events[0].principal, "ci@p.iam.gserviceaccount.com");
  EXPECT_EQ(f.events[0].principalKind, PrincipalKind::kService);
  EXPECT_EQ(f.events[0].opClass, OpClass::kRead);
  EXPECT_EQ(f.events[1].requestId, "two");
  EXPECT_EQ(f.events[1].opClass, OpClass::kWrite);
}

}  // namespace
}  // namespace blobwatch::schemas
