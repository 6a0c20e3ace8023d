#include "schemas/minio_audit_parser.h"

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

using ::blobwatch::testing::OneRecord;
using ::blobwatch::testing::ParsedFile;
using ::blobwatch::testing::parseOne;
using ::blobwatch::testing::parseSample;
using ::blobwatch::testing::utcUs;

// The samples, by the era of the schema they show.
constexpr char k2018List[] =
    "minio-audit/minio-minio-docs-logging-README_2018-11-02_bef0318c3.json";
constexpr char k2018Sts[] = "minio-audit/minio-minio-docs-logging-README_2018-11-21_9e3fce441.json";
constexpr char k2019GoDur[] =
    "minio-audit/minio-minio-docs-logging-README_2019-08-12_8ce424bac.json";
constexpr char k2020Ns[] = "minio-audit/minio-minio-docs-logging-README_2020-05-20_0cc2ed04f.json";
constexpr char k2021Tags[] =
    "minio-audit/minio-minio-docs-logging-README_2021-01-26_00cff1aac.json";
constexpr char k2021Nd[] =
    "minio-audit/minio-minio-docs-logging-README_2021-07-13_e316873f8.ndjson";
constexpr char k2021RxTx[] =
    "minio-audit/minio-minio-docs-logging-README_2021-10-07_d57b57bdd.json";
constexpr char k2023RxTx[] =
    "minio-audit/minio-minio-docs-logging-README_2023-07-06_8af0773ba.json";
constexpr char k2022Rst[] = "minio-audit/minio-docs-minio-logging-rst_2022-05-06_b99c20a16.json";
constexpr char k2024Rst[] = "minio-audit/minio-docs-minio-logging-rst_2024-03-11_67e81ce2f.json";
constexpr char k2024InNs[] =
    "minio-audit/minio-minio-docs-logging-README_2024-05-09_3549e583a.json";
constexpr char kInvalid[] =
    "minio-audit/minio-minio-docs-logging-README_2021-01-26_6717295e1_INVALID-JSON.json";

AccessEvent onlyEvent(const char* file) {
  const ParsedFile f = parseSample(file, Format::kMinioAudit);
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

// Replaces the first `from` in `s` by `to`; fails the test when `from` is absent.
std::string replaced(std::string s, const std::string& from, const std::string& to) {
  const size_t at = s.find(from);
  EXPECT_NE(at, std::string::npos) << from;
  if (at != std::string::npos) s.replace(at, from.size(), to);
  return s;
}

// ---------------------------------------------------------------------------------------------
// Whole sample files.

TEST(MinioAuditSamples, EveryValidFileParsesToOneEvent) {
  BLOBWATCH_REQUIRE_SAMPLES();
  const auto files = ::blobwatch::testing::sampleFiles("minio-audit");
  ASSERT_EQ(files.size(), 12u);
  size_t valid = 0;
  for (const auto& path : files) {
    if (::blobwatch::testing::isInvalidSample(path)) continue;
    ++valid;
    const std::string name = path.filename().string();
    const std::string content = ::blobwatch::testing::readFile(path);
    // Detected as MinIO, and parsed as such.
    const ParsedFile f = ::blobwatch::testing::parseBuffer(content);
    EXPECT_EQ(f.format, Format::kMinioAudit) << name;
    EXPECT_TRUE(f.errors.empty()) << ::blobwatch::testing::describeErrors(f, name);
    EXPECT_EQ(f.skipped, 0u) << name;
    // Every sample holds exactly one audit entry, starting on line 1.
    ASSERT_EQ(f.events.size(), 1u) << name;
    EXPECT_EQ(f.eventLines, std::vector<uint64_t>{1}) << name;
    const AccessEvent& e = f.events[0];
    EXPECT_EQ(e.provider, Provider::kMinio) << name;
    EXPECT_EQ(e.format, Format::kMinioAudit) << name;
    EXPECT_GE(e.timeUs, utcUs(2018, 11, 1, 0, 0, 0)) << name;
    EXPECT_LT(e.timeUs, utcUs(2024, 6, 1, 0, 0, 0)) << name;
    EXPECT_FALSE(e.rawOperation.empty()) << name;
    EXPECT_EQ(e.principalKind, PrincipalKind::kUser) << name;
    EXPECT_EQ(e.authType, AuthType::kHeader) << name;
    EXPECT_EQ(e.sourceIpText, "127.0.0.1") << name;
    EXPECT_TRUE(e.sourceIp.valid) << name;
    EXPECT_EQ(e.tlsVersion, "") << name;  // MinIO does not log TLS
    EXPECT_FALSE(e.requestId.empty()) << name;
    // The same result whatever the read size.
    for (const size_t chunk : {size_t{1}, size_t{7}}) {
      const ParsedFile small =
          ::blobwatch::testing::parseBuffer(content, Format::kMinioAudit, chunk);
      EXPECT_EQ(asJson(small), asJson(f)) << name << " chunk " << chunk;
      EXPECT_TRUE(small.errors.empty()) << ::blobwatch::testing::describeErrors(small, name);
    }
  }
  EXPECT_EQ(valid, 11u);
}

TEST(MinioAuditSamples, InvalidJsonGivesAnErrorWithALineNotACrash) {
  BLOBWATCH_REQUIRE_SAMPLES();
  // The tags object (or the entry) is never closed: the record runs to the end of the file.
  for (const size_t chunk : {size_t{1} << 20, size_t{7}, size_t{1}}) {
    const ParsedFile f = parseSample(kInvalid, Format::kMinioAudit, chunk);
    ASSERT_EQ(f.errors.size(), 1u) << chunk;
    EXPECT_EQ(f.errors[0].line, 1u) << chunk;  // the entry starts on line 1
    EXPECT_EQ(f.errors[0].code, ParseErrc::kSyntax) << chunk;
    EXPECT_TRUE(f.events.empty()) << chunk;
  }
}

// ---------------------------------------------------------------------------------------------
// Field assertions, era by era.

TEST(MinioAuditSamples, Era2018ArgsNoStatus) {
  BLOBWATCH_REQUIRE_SAMPLES();
  // api: {"name":"ListBuckets","args":{}}: no status, no statusCode, no rx/tx, no accessKey.
  const AccessEvent e = onlyEvent(k2018List);
  EXPECT_EQ(e.timeUs, utcUs(2018, 11, 2, 21, 57, 58, 231480));  // ns truncated to us
  EXPECT_EQ(e.rawOperation, "ListBuckets");
  EXPECT_EQ(e.opClass, OpClass::kList);
  EXPECT_EQ(e.httpStatus, -1);
  EXPECT_EQ(e.errorCode, "");
  EXPECT_EQ(e.bucket, "");
  EXPECT_EQ(e.objectKey, "");
  EXPECT_EQ(e.bytesIn, -1);
  EXPECT_EQ(e.bytesOut, -1);
  // From "Credential=minio/20181102/us-east-1/s3/aws4_request".
  EXPECT_EQ(e.principal, "minio");
  EXPECT_EQ(e.principalKind, PrincipalKind::kUser);
  EXPECT_EQ(e.authType, AuthType::kHeader);
  EXPECT_EQ(e.requestId, "15636D7C53428FD4");
  EXPECT_EQ(e.userAgent, "Minio (linux; amd64) minio-go/v6.0.8 mc/2018-11-02T21:13:30Z");
}

TEST(MinioAuditSamples, Era2018StsClaimsPrincipalFromCredential) {
  BLOBWATCH_REQUIRE_SAMPLES();
  // An STS session: requestClaims (OIDC) and a temporary key in the Authorization Credential.
  const AccessEvent e = onlyEvent(k2018Sts);
  EXPECT_EQ(e.principal, "A1YABB5YPX3ZPL4227XJ");
  EXPECT_EQ(e.principalKind, PrincipalKind::kUser);
  EXPECT_EQ(e.timeUs, utcUs(2018, 11, 21, 23, 16, 6, 828154));
  EXPECT_EQ(e.rawOperation, "PutObject");
  EXPECT_EQ(e.opClass, OpClass::kWrite);
  EXPECT_EQ(e.bucket, "my-bucketname");
  EXPECT_EQ(e.objectKey, "my-objectname");
  EXPECT_EQ(e.httpStatus, 200);
  EXPECT_EQ(e.errorCode, "");
  EXPECT_EQ(e.requestId, "156946C6C1E7842C");
  EXPECT_EQ(e.userAgent, "Minio (linux; amd64) minio-go/v6.0.6");
}

TEST(MinioAuditSamples, Era2019GoDurationsAndLaterNsStrings) {
  BLOBWATCH_REQUIRE_SAMPLES();
  // 2019: "timeToFirstByte":"0s","timeToResponse":"2.143308ms"; later the same entry with
  // "366333ns"/"16438202ns" (2020, 2021 with tags, 2022 docs). All give the same event.
  for (const char* file : {k2019GoDur, k2020Ns, k2021Tags, k2022Rst}) {
    const AccessEvent e = onlyEvent(file);
    EXPECT_EQ(e.timeUs, utcUs(2019, 8, 12, 21, 34, 37, 187817)) << file;
    EXPECT_EQ(e.rawOperation, "PutObject") << file;
    EXPECT_EQ(e.opClass, OpClass::kWrite) << file;
    EXPECT_EQ(e.bucket, "testbucket") << file;
    EXPECT_EQ(e.objectKey, "hosts") << file;
    EXPECT_EQ(e.httpStatus, 200) << file;
    EXPECT_EQ(e.errorCode, "") << file;
    EXPECT_TRUE(e.success()) << file;
    EXPECT_EQ(e.principal, "minio") << file;
    EXPECT_EQ(e.bytesIn, -1) << file;  // no rx/tx before late 2021
    EXPECT_EQ(e.bytesOut, -1) << file;
    EXPECT_EQ(e.requestId, "15BA4A72C0C70AFC") << file;
    EXPECT_EQ(e.userAgent, "MinIO (linux; amd64) minio-go/v6.0.32 mc/2019-08-12T18:27:13Z") << file;
  }
}

TEST(MinioAuditSamples, Era2021NdjsonListBuckets) {
  BLOBWATCH_REQUIRE_SAMPLES();
  const AccessEvent e = onlyEvent(k2021Nd);
  EXPECT_EQ(e.timeUs, utcUs(2021, 7, 13, 2, 0, 47, 20547));
  EXPECT_EQ(e.rawOperation, "ListBuckets");
  EXPECT_EQ(e.opClass, OpClass::kList);
  EXPECT_EQ(e.httpStatus, 200);
  EXPECT_EQ(e.bucket, "");
  EXPECT_EQ(e.principal, "minio");  // "Credential=minio/20210713/..., SignedHeaders=..."
  EXPECT_EQ(e.requestId, "16913736591C237F");
}

TEST(MinioAuditSamples, Era2021RxTx) {
  BLOBWATCH_REQUIRE_SAMPLES();
  for (const char* file : {k2021RxTx, k2023RxTx}) {
    const AccessEvent e = onlyEvent(file);
    EXPECT_EQ(e.timeUs, utcUs(2021, 10, 8, 0, 46, 36, 801714)) << file;
    EXPECT_EQ(e.rawOperation, "PutObject") << file;
    EXPECT_EQ(e.bucket, "testbucket") << file;
    EXPECT_EQ(e.objectKey, "hosts") << file;
    EXPECT_EQ(e.bytesIn, 380) << file;   // api.rx
    EXPECT_EQ(e.bytesOut, 476) << file;  // api.tx
    EXPECT_EQ(e.principal, "minio") << file;
    EXPECT_EQ(e.requestId, "16ABE7A785E7AC2C") << file;
  }
}

TEST(MinioAuditSamples, Era2024InNsAndAccessKey) {
  BLOBWATCH_REQUIRE_SAMPLES();
  const AccessEvent put = onlyEvent(k2024InNs);
  EXPECT_EQ(put.timeUs, utcUs(2024, 5, 9, 7, 38, 10, 449688));
  EXPECT_EQ(put.rawOperation, "PutObject");
  EXPECT_EQ(put.opClass, OpClass::kWrite);
  EXPECT_EQ(put.bucket, "testbucket");
  EXPECT_EQ(put.objectKey, "hosts");
  EXPECT_EQ(put.bytesIn, 401);
  EXPECT_EQ(put.bytesOut, 0);  // "tx": 0 is a known zero, not unknown
  EXPECT_EQ(put.principal, "minioadmin");
  EXPECT_EQ(put.principalKind, PrincipalKind::kUser);
  EXPECT_EQ(put.authType, AuthType::kHeader);
  EXPECT_EQ(put.requestId, "17CDC1F4D7E69123");
  EXPECT_EQ(put.userAgent, "MinIO (linux; amd64) minio-go/v7.0.70 mc/RELEASE.2024-04-30T17-44-48Z");

  // Multipart completion with timeToFirstByteInNS and an uploadId in requestQuery (not a
  // presigned URL).
  const AccessEvent mpu = onlyEvent(k2024Rst);
  EXPECT_EQ(mpu.timeUs, utcUs(2024, 2, 29, 19, 39, 25, 744431));
  EXPECT_EQ(mpu.rawOperation, "CompleteMultipartUpload");
  EXPECT_EQ(mpu.opClass, OpClass::kWrite);
  EXPECT_EQ(mpu.bucket, "data");
  EXPECT_EQ(mpu.objectKey, "test-data.csv");
  EXPECT_EQ(mpu.bytesIn, 267);
  EXPECT_EQ(mpu.bytesOut, 358);
  EXPECT_EQ(mpu.httpStatus, 200);
  EXPECT_EQ(mpu.principal, "minioadmin");
  EXPECT_EQ(mpu.authType, AuthType::kHeader);
  EXPECT_EQ(mpu.requestId, "17B86CB0ED88EBE9");
}

TEST(MinioAuditSamples, PrincipalFromAccessKeyOrFromCredential) {
  BLOBWATCH_REQUIRE_SAMPLES();
  // In the 2024 sample accessKey and the Credential agree ("minioadmin"). Edit each source in
  // memory to show which one the principal comes from.
  const std::string content =
      ::blobwatch::testing::readFile(::blobwatch::testing::samplesDir() / k2024InNs);
  MinioAuditParser parser;

  // accessKey wins over the Authorization Credential.
  const OneRecord byKey = parseOne(
      parser, replaced(content, R"("accessKey": "minioadmin")", R"("accessKey": "svc-key-1")"));
  ASSERT_EQ(byKey.events.size(), 1u) << byKey.detail;
  EXPECT_EQ(byKey.events[0].principal, "svc-key-1");
  EXPECT_EQ(byKey.events[0].authType, AuthType::kHeader);

  // Without accessKey, the Credential's access key.
  const OneRecord byCred = parseOne(
      parser, replaced(replaced(content, R"("accessKey": "minioadmin")", R"("other": "x")"),
                       "Credential=minioadmin/", "Credential=AKIAFROMHEADER/"));
  ASSERT_EQ(byCred.events.size(), 1u) << byCred.detail;
  EXPECT_EQ(byCred.events[0].principal, "AKIAFROMHEADER");
  EXPECT_EQ(byCred.events[0].principalKind, PrincipalKind::kUser);
  EXPECT_EQ(byCred.events[0].authType, AuthType::kHeader);

  // accessKey alone (Authorization filtered out of the header map): still that user, by header.
  const OneRecord keyOnly =
      parseOne(parser, replaced(content, R"("Authorization": ")", R"("X-Removed": ")"));
  ASSERT_EQ(keyOnly.events.size(), 1u) << keyOnly.detail;
  EXPECT_EQ(keyOnly.events[0].principal, "minioadmin");
  EXPECT_EQ(keyOnly.events[0].authType, AuthType::kHeader);

  // Neither: anonymous.
  const OneRecord none = parseOne(
      parser, replaced(replaced(content, R"("accessKey": "minioadmin")", R"("other": "x")"),
                       R"("Authorization": ")", R"("X-Removed": ")"));
  ASSERT_EQ(none.events.size(), 1u) << none.detail;
  EXPECT_EQ(none.events[0].principal, "anonymous");
  EXPECT_EQ(none.events[0].principalKind, PrincipalKind::kAnonymous);
  EXPECT_EQ(none.events[0].authType, AuthType::kAnonymous);
}

// ---------------------------------------------------------------------------------------------
// Synthetic records.

OneRecord parseRecord(std::string_view json) {
  MinioAuditParser parser;
  return parseOne(parser, json);
}

AccessEvent parseOk(std::string_view json) {
  const OneRecord r = parseRecord(json);
  EXPECT_EQ(r.code, ParseErrc::kOk) << r.detail << "\n" << json;
  EXPECT_EQ(r.events.size(), 1u) << json;
  return r.events.empty() ? AccessEvent{} : r.events.front();
}

// A current-era entry. `api` is the body of the api object; `extra` is appended to the top level.
std::string entry(std::string_view api, std::string_view extra = "",
                  std::string_view remotehost = "198.51.100.7") {
  std::string s = R"({"version":"1","deploymentid":"d1","time":"2024-05-01T10:00:00.123456789Z",)";
  s += R"("event":"","trigger":"incoming","api":{)";
  s += api;
  s += R"(},"remotehost":")";
  s += remotehost;
  s += R"(","requestID":"17CDC1F4D7E6AAAA","userAgent":"curl/8.4.0")";
  s += extra;
  s += "}";
  return s;
}

constexpr char kGetApi[] =
    R"("name":"GetObject","bucket":"public","object":"data/file.csv","status":"OK",)"
    R"("statusCode":200,"rx":0,"tx":1234,"timeToResponse":"1000ns","timeToResponseInNS":"1000")";

constexpr char kSigV4[] =
    R"(,"requestHeader":{"Authorization":"AWS4-HMAC-SHA256 Credential=AKIAUSER1/20240501/)"
    R"(us-east-1/s3/aws4_request, SignedHeaders=host, Signature=abc"})";

TEST(MinioAuditSynthetic, AnonymousGetObject) {
  // No accessKey, no Authorization header, no credential in requestQuery.
  const AccessEvent e =
      parseOk(entry(kGetApi, R"(,"requestHeader":{"Accept":"*/*"},"requestQuery":{"x":"1"})"));
  EXPECT_EQ(e.principal, "anonymous");
  EXPECT_EQ(e.principalKind, PrincipalKind::kAnonymous);
  EXPECT_EQ(e.authType, AuthType::kAnonymous);
  EXPECT_EQ(e.rawOperation, "GetObject");
  EXPECT_EQ(e.opClass, OpClass::kRead);
  EXPECT_EQ(e.bucket, "public");
  EXPECT_EQ(e.objectKey, "data/file.csv");
  EXPECT_EQ(e.bytesOut, 1234);
  EXPECT_EQ(e.bytesIn, 0);
  EXPECT_EQ(e.httpStatus, 200);
  EXPECT_EQ(e.timeUs, utcUs(2024, 5, 1, 10, 0, 0, 123456));
  EXPECT_EQ(e.requestId, "17CDC1F4D7E6AAAA");
  EXPECT_EQ(e.userAgent, "curl/8.4.0");

  // No requestHeader at all.
  EXPECT_EQ(parseOk(entry(kGetApi)).principal, "anonymous");
}

TEST(MinioAuditSynthetic, PresignedGetViaRequestQuery) {
  // SigV4 presigned URL: no Authorization header; MinIO logs the query decoded.
  const AccessEvent v4 = parseOk(
      entry(kGetApi, R"(,"requestQuery":{"X-Amz-Algorithm":"AWS4-HMAC-SHA256",)"
                     R"("X-Amz-Credential":"AKIAPRESIGN/20240501/us-east-1/s3/aws4_request",)"
                     R"("X-Amz-Date":"20240501T100000Z","X-Amz-Expires":"604800",)"
                     R"("X-Amz-SignedHeaders":"host","X-Amz-Signature":"0123abcd"})"));
  EXPECT_EQ(v4.principal, "AKIAPRESIGN");
  EXPECT_EQ(v4.principalKind, PrincipalKind::kUser);
  EXPECT_EQ(v4.authType, AuthType::kQueryString);
  EXPECT_EQ(v4.opClass, OpClass::kRead);

  // The credential still percent-encoded.
  const AccessEvent enc = parseOk(
      entry(kGetApi, R"(,"requestQuery":{"X-Amz-Credential":"AKIAENC%2F20240501%2Fus-east-1%2Fs3",)"
                     R"("X-Amz-Signature":"00"})"));
  EXPECT_EQ(enc.principal, "AKIAENC");
  EXPECT_EQ(enc.authType, AuthType::kQueryString);

  // SigV2 presigned URL.
  const AccessEvent v2 = parseOk(entry(
      kGetApi,
      R"(,"requestQuery":{"AWSAccessKeyId":"OLDKEY","Expires":"1700000000","Signature":"s="})"));
  EXPECT_EQ(v2.principal, "OLDKEY");
  EXPECT_EQ(v2.authType, AuthType::kQueryString);

  // 2024 entries also carry accessKey: the principal is the same, still a presigned request.
  const AccessEvent both = parseOk(
      entry(kGetApi, R"(,"requestQuery":{"X-Amz-Credential":"AKIAPRESIGN/20240501/us-east-1/s3/)"
                     R"(aws4_request","X-Amz-Signature":"00"},"accessKey":"AKIAPRESIGN")"));
  EXPECT_EQ(both.principal, "AKIAPRESIGN");
  EXPECT_EQ(both.authType, AuthType::kQueryString);
}

TEST(MinioAuditSynthetic, HarborRegistryBlob) {
  // Harbor's registry (docker-distribution S3 driver) reading a layer with its one service key.
  const std::string digest = "ab" + std::string(62, '3');
  ASSERT_EQ(digest.size(), 64u);
  const std::string key = "docker/registry/v2/blobs/sha256/ab/" + digest + "/data";
  const std::string ua = "docker-distribution/v2.8.3 aws-sdk-go/1.44.298 (go1.21.4; linux; amd64)";
  const AccessEvent e = parseOk(
      entry(R"("name":"GetObject","bucket":"harbor","object":")" + key +
                R"(","status":"Partial Content","statusCode":206,"rx":0,"tx":5242880)",
            R"(,"requestHeader":{"Authorization":"AWS4-HMAC-SHA256 Credential=harbor-registry/)"
            R"(20240501/us-east-1/s3/aws4_request,SignedHeaders=host;range,Signature=f0",)"
            R"("Range":"bytes=0-5242879","User-Agent":")" +
                ua + R"("},"accessKey":"harbor-registry")",
            "10.42.0.15:41234"));
  EXPECT_EQ(e.objectKey, key);
  EXPECT_EQ(e.bucket, "harbor");
  EXPECT_EQ(e.opClass, OpClass::kRead);
  EXPECT_EQ(e.principal, "harbor-registry");
  EXPECT_EQ(e.authType, AuthType::kHeader);
  EXPECT_EQ(e.httpStatus, 206);
  EXPECT_EQ(e.errorCode, "");  // "Partial Content" is a success
  EXPECT_EQ(e.bytesOut, 5242880);
  EXPECT_EQ(e.sourceIpText, "10.42.0.15");  // the pod address, port dropped
  EXPECT_TRUE(e.sourceIp.valid);
}

TEST(MinioAuditSynthetic, RemoteHostWithPortAndIpv6) {
  struct Case {
    const char* logged;
    const char* text;
    bool valid;
    bool v4;
  };
  for (const Case& c : {
           Case{"203.0.113.9", "203.0.113.9", true, true},
           Case{"203.0.113.9:54321", "203.0.113.9", true, true},
           Case{"[2001:db8::7]:9000", "2001:db8::7", true, false},
           Case{"[2001:db8::7]", "2001:db8::7", true, false},
           Case{"2001:db8::7", "2001:db8::7", true, false},
           Case{"::1", "::1", true, false},
           Case{"harbor-nginx.svc:8080", "harbor-nginx.svc:8080", false, false},
           Case{"not an address", "not an address", false, false},
       }) {
    const AccessEvent e = parseOk(entry(kGetApi, kSigV4, c.logged));
    EXPECT_EQ(e.sourceIpText, c.text) << c.logged;
    EXPECT_EQ(e.sourceIp.valid, c.valid) << c.logged;
    if (c.valid) {
      EXPECT_EQ(e.sourceIp.isV4(), c.v4) << c.logged;
      IpAddress expected;
      ASSERT_TRUE(parseIp(c.text, expected)) << c.logged;
      EXPECT_EQ(e.sourceIp, expected) << c.logged;
    }
  }
  // No remotehost at all.
  std::string none = entry(kGetApi, kSigV4);
  none = replaced(none, R"("remotehost":"198.51.100.7",)", "");
  const AccessEvent e = parseOk(none);
  EXPECT_EQ(e.sourceIpText, "");
  EXPECT_FALSE(e.sourceIp.valid);
}

TEST(MinioAuditSynthetic, ForbiddenAndErrors) {
  // 403: api.status is the HTTP status text.
  const AccessEvent denied = parseOk(
      entry(R"("name":"GetObject","bucket":"b","object":"k","status":"Forbidden","statusCode":403,)"
            R"("rx":0,"tx":243)",
            kSigV4));
  EXPECT_EQ(denied.httpStatus, 403);
  EXPECT_EQ(denied.errorCode, "Forbidden");
  EXPECT_FALSE(denied.success());

  // The top-level error string, when present, is the error code.
  const AccessEvent named = parseOk(
      entry(R"("name":"PutBucketPolicy","bucket":"b","status":"Forbidden","statusCode":403)",
            std::string(kSigV4) + R"(,"error":"AccessDenied")"));
  EXPECT_EQ(named.httpStatus, 403);
  EXPECT_EQ(named.errorCode, "AccessDenied");
  EXPECT_EQ(named.opClass, OpClass::kPolicy);

  // Success texts other than "OK" are not errors; "OK" without a statusCode neither.
  EXPECT_EQ(
      parseOk(entry(R"("name":"DeleteObject","status":"No Content","statusCode":204)", kSigV4))
          .errorCode,
      "");
  const AccessEvent okOnly = parseOk(entry(R"("name":"ListBuckets","status":"OK")", kSigV4));
  EXPECT_EQ(okOnly.errorCode, "");
  EXPECT_EQ(okOnly.httpStatus, -1);
  const AccessEvent notFound =
      parseOk(entry(R"("name":"HeadObject","status":"Not Found","statusCode":404)", kSigV4));
  EXPECT_EQ(notFound.errorCode, "Not Found");
  EXPECT_EQ(notFound.httpStatus, 404);
  EXPECT_EQ(notFound.opClass, OpClass::kHead);
}

TEST(MinioAuditSynthetic, ArgsBucketAndObject2018) {
  const AccessEvent e =
      parseOk(R"({"version":"1","deploymentid":"d","time":"2018-11-02T21:57:58.231480177Z",)"
              R"("api":{"name":"GetObject","args":{"bucket":"old-bucket","object":"dir/old.txt",)"
              R"("metadata":{"content-type":"text/plain"}}},"remotehost":"127.0.0.1",)"
              R"("requestID":"R2018","userAgent":"Minio",)"
              R"("requestHeader":{"Authorization":"AWS4-HMAC-SHA256 Credential=minio/20181102/)"
              R"(us-east-1/s3/aws4_request, SignedHeaders=host, Signature=00"}})");
  EXPECT_EQ(e.bucket, "old-bucket");
  EXPECT_EQ(e.objectKey, "dir/old.txt");
  EXPECT_EQ(e.opClass, OpClass::kRead);
  EXPECT_EQ(e.httpStatus, -1);
  EXPECT_EQ(e.principal, "minio");
  EXPECT_EQ(e.timeUs, utcUs(2018, 11, 2, 21, 57, 58, 231480));
}

TEST(MinioAuditSynthetic, EveryDurationFormAndNumberForm) {
  for (const std::string& durations : {
           std::string(R"("timeToFirstByte":"0s","timeToResponse":"2.143308ms")"),
           std::string(R"("timeToFirstByte":"1h2m3.5s","timeToResponse":"1.5µs")"),
           std::string(R"("timeToFirstByte":"366333ns","timeToResponse":"16438202ns")"),
           std::string(R"("timeToFirstByteInNS":"2096989","timeToResponseInNS":"2111986")"),
           std::string(R"("timeToResponse":12345,"timeToResponseInNS":null,"txHeaders":387)"),
           std::string(R"("timeToResponse":{"weird":[1,2]},"timeToFirstByte":"")"),
       }) {
    const AccessEvent e = parseOk(
        entry(R"("name":"PutObject","bucket":"b","object":"k","statusCode":200,"rx":"1024",)"
              R"("tx":-1,)" +
                  durations,
              kSigV4));
    EXPECT_EQ(e.bytesIn, 1024) << durations;   // a numeric string
    EXPECT_EQ(e.bytesOut, -1) << durations;    // MinIO's -1: unknown
    EXPECT_EQ(e.objectKey, "k") << durations;  // fields after the durations still read
    EXPECT_EQ(e.httpStatus, 200) << durations;
  }
  // rx/tx as decimals and out-of-range status codes.
  const AccessEvent d = parseOk(entry(R"("name":"PutObject","rx":10.0,"tx":"x","statusCode":0)"));
  EXPECT_EQ(d.bytesIn, 10);
  EXPECT_EQ(d.bytesOut, -1);
  EXPECT_EQ(d.httpStatus, -1);
}

TEST(MinioAuditSynthetic, PrincipalShapes) {
  // parentUser differing from the access key (STS or service account): "<parentUser>/<key>".
  const AccessEvent sts =
      parseOk(entry(kGetApi, R"(,"accessKey":"TEMPKEY123","parentUser":"alice","requestClaims":)"
                             R"({"accessKey":"TEMPKEY123","parent":"alice","exp":1})"
                             R"(,"requestHeader":{"Authorization":"AWS4-HMAC-SHA256 )"
                             R"(Credential=TEMPKEY123/20240501/us-east-1/s3/aws4_request"})"));
  EXPECT_EQ(sts.principal, "alice/TEMPKEY123");
  EXPECT_EQ(sts.principalKind, PrincipalKind::kUser);
  EXPECT_EQ(sts.authType, AuthType::kHeader);
  // parentUser equal to the access key: just the key.
  EXPECT_EQ(parseOk(entry(kGetApi, R"(,"accessKey":"bob","parentUser":"bob")")).principal, "bob");
  // parentUser with a key taken from the Authorization header.
  EXPECT_EQ(parseOk(entry(kGetApi, std::string(kSigV4) + R"(,"parentUser":"carol")")).principal,
            "carol/AKIAUSER1");

  // SigV2 Authorization header.
  const AccessEvent v2 = parseOk(
      entry(kGetApi, R"(,"requestHeader":{"Authorization":"AWS OLDSTYLEKEY:c2lnbmF0dXJl"})"));
  EXPECT_EQ(v2.principal, "OLDSTYLEKEY");
  EXPECT_EQ(v2.authType, AuthType::kHeader);

  // Credentials sent, but not in a form with an access key: not anonymous.
  const AccessEvent bearer =
      parseOk(entry(kGetApi, R"(,"requestHeader":{"Authorization":"Bearer eyJhbGciOi"})"));
  EXPECT_EQ(bearer.principal, "unknown");
  EXPECT_EQ(bearer.principalKind, PrincipalKind::kUnknown);
  EXPECT_EQ(bearer.authType, AuthType::kHeader);

  // MinIO's own background work (trigger other than "incoming"): a service, not anonymous.
  std::string ilm =
      entry(R"("name":"DeleteObject","bucket":"logs","objects":[{"objectName":"old/a.log",)"
            R"("versionId":"v1"}],"status":"OK")");
  ilm = replaced(ilm, R"("trigger":"incoming")", R"("trigger":"ilm:expiry")");
  const AccessEvent internal = parseOk(ilm);
  EXPECT_EQ(internal.principal, "svc:minio");
  EXPECT_EQ(internal.principalKind, PrincipalKind::kService);
  EXPECT_EQ(internal.authType, AuthType::kUnknown);
  EXPECT_EQ(internal.objectKey, "old/a.log");  // the only element of api.objects
  EXPECT_EQ(internal.opClass, OpClass::kDelete);
}

TEST(MinioAuditSynthetic, OperationClasses) {
  struct Case {
    const char* name;
    OpClass cls;
  };
  for (const Case& c : {
           Case{"GetObject", OpClass::kRead},
           Case{"SelectObjectContent", OpClass::kRead},
           Case{"HeadObject", OpClass::kHead},
           Case{"HeadBucket", OpClass::kHead},
           Case{"PutObject", OpClass::kWrite},
           Case{"PutObjectPart", OpClass::kWrite},
           Case{"CopyObjectPart", OpClass::kWrite},
           Case{"NewMultipartUpload", OpClass::kWrite},
           Case{"CompleteMultipartUpload", OpClass::kWrite},
           Case{"PostPolicyBucket", OpClass::kWrite},
           Case{"DeleteObject", OpClass::kDelete},
           Case{"DeleteMultipleObjects", OpClass::kDelete},
           Case{"DeleteBucket", OpClass::kDelete},
           Case{"ListBuckets", OpClass::kList},
           Case{"ListObjectsV1", OpClass::kList},
           Case{"ListObjectsV2", OpClass::kList},
           Case{"ListObjectsV2M", OpClass::kList},
           Case{"ListObjectVersions", OpClass::kList},
           Case{"ListObjectParts", OpClass::kList},
           Case{"ListMultipartUploads", OpClass::kList},
           Case{"PutBucketPolicy", OpClass::kPolicy},
           Case{"DeleteBucketPolicy", OpClass::kPolicy},
           Case{"SetBucketPolicy", OpClass::kPolicy},
           Case{"PutBucketACL", OpClass::kPolicy},
           Case{"PutObjectACL", OpClass::kPolicy},
           Case{"GetBucketPolicy", OpClass::kOther},
           Case{"GetBucketLocation", OpClass::kOther},
           Case{"PutBucket", OpClass::kOther},
           Case{"AbortMultipartUpload", OpClass::kOther},
       }) {
    const AccessEvent e =
        parseOk(entry(std::string(R"("name":")") + c.name + R"(","bucket":"b")", kSigV4));
    EXPECT_EQ(e.rawOperation, c.name);
    EXPECT_EQ(e.opClass, c.cls) << c.name;
  }
}

TEST(MinioAuditSynthetic, NotAccessEventsAreSkippedNotErrors) {
  for (const std::string& rec : {
           // An audit entry without api.name (e.g. some internal entries).
           std::string(R"({"version":"1","time":"2024-05-01T10:00:00Z","api":{}})"),
           std::string(R"({"version":"1","time":"2024-05-01T10:00:00Z"})"),
           std::string("{}"),
           // A MinIO server log entry: "level", and "error" as an object.
           std::string(R"({"deploymentid":"d","level":"ERROR","errKind":"MINIO",)"
                       R"("time":"2024-05-01T10:00:00Z","api":{"name":"SYSTEM","args":{}},)"
                       R"("remotehost":"127.0.0.1","error":{"message":"disk full"}})"),
       }) {
    const OneRecord r = parseRecord(rec);
    EXPECT_EQ(r.code, ParseErrc::kNotAccessEvent) << r.detail << "\n" << rec;
    EXPECT_TRUE(r.events.empty()) << rec;
  }
  const std::string skip = R"({"version":"1","time":"2024-05-01T10:00:00Z","api":{}})";
  const ParsedFile f = ::blobwatch::testing::parseBuffer(
      skip + "\n" + entry(kGetApi) + "\n" + skip + "\n", Format::kMinioAudit);
  EXPECT_EQ(f.skipped, 2u);
  EXPECT_TRUE(f.errors.empty());
  EXPECT_EQ(f.eventLines, std::vector<uint64_t>{2});
}

TEST(MinioAuditSynthetic, MissingOrBadTime) {
  const std::string good = entry(kGetApi, kSigV4);
  const OneRecord missing =
      parseRecord(replaced(good, R"("time":"2024-05-01T10:00:00.123456789Z",)", ""));
  EXPECT_EQ(missing.code, ParseErrc::kMissingField) << missing.detail;
  EXPECT_STREQ(missing.detail.c_str(), "time is missing");
  EXPECT_TRUE(missing.events.empty());

  const OneRecord bad = parseRecord(replaced(good, "2024-05-01T10:00:00.123456789Z", "yesterday"));
  EXPECT_EQ(bad.code, ParseErrc::kBadField) << bad.detail;
  EXPECT_TRUE(bad.events.empty());

  const OneRecord number =
      parseRecord(replaced(good, R"("2024-05-01T10:00:00.123456789Z")", "1714557600"));
  EXPECT_EQ(number.code, ParseErrc::kMissingField) << number.detail;
}

TEST(MinioAuditSynthetic, MalformedRecordsAreErrorsNotCrashes) {
  const std::string one = entry(kGetApi, kSigV4);
  for (const std::string& bad : {
           one + one,          // two objects on one line
           one + " " + one,    // the same with a space
           one.substr(0, 60),  // truncated inside the api object
           one.substr(0, one.size() - 1),
           replaced(one, R"("statusCode":200,)", R"("statusCode":200,,)"),
           replaced(one, R"("requestHeader":{)", R"("requestHeader":{"A" "b",)"),
           std::string("[1,2,3]"),
           std::string("\"just a string\""),
           std::string("{\"api\":{\"name\":\"GetObject\"},\"time\":\"2024-05-01T10:00:00Z\""),
       }) {
    const OneRecord r = parseRecord(bad);
    EXPECT_EQ(r.code, ParseErrc::kSyntax) << static_cast<int>(r.code) << " " << r.detail << "\n"
                                          << bad;
    EXPECT_TRUE(r.events.empty()) << bad;
  }
  // Through the framing: the bad line is one error at its line, the others come out, whatever
  // the read size.
  for (const size_t chunk : {size_t{1} << 20, size_t{7}, size_t{1}}) {
    const ParsedFile f = ::blobwatch::testing::parseBuffer(
        one + "\n" + one + one + "\n" + one + "\n", Format::kMinioAudit, chunk);
    ASSERT_EQ(f.errors.size(), 1u) << chunk;
    EXPECT_EQ(f.errors[0].line, 2u) << chunk;
    EXPECT_EQ(f.errors[0].code, ParseErrc::kSyntax) << chunk;
    EXPECT_EQ(f.eventLines, (std::vector<uint64_t>{1, 3})) << chunk;
  }
}

TEST(MinioAuditSynthetic, ParserReuseClearsFields) {
  MinioAuditParser parser;
  const OneRecord a = parseOne(
      parser,
      entry(R"("name":"GetObject","bucket":"b","object":"k","statusCode":403,"status":"Forbidden",)"
            R"("rx":5,"tx":6)",
            std::string(kSigV4) + R"(,"accessKey":"AKIAUSER1","parentUser":"p")"));
  ASSERT_EQ(a.events.size(), 1u);
  EXPECT_EQ(a.events[0].principal, "p/AKIAUSER1");
  EXPECT_EQ(a.events[0].errorCode, "Forbidden");
  const OneRecord b = parseOne(parser, entry(R"("name":"ListBuckets")", "", "bad host"));
  ASSERT_EQ(b.events.size(), 1u);
  const AccessEvent& e = b.events[0];
  EXPECT_EQ(e.principal, "anonymous");
  EXPECT_EQ(e.bucket, "");
  EXPECT_EQ(e.objectKey, "");
  EXPECT_EQ(e.errorCode, "");
  EXPECT_EQ(e.httpStatus, -1);
  EXPECT_EQ(e.bytesIn, -1);
  EXPECT_EQ(e.bytesOut, -1);
  EXPECT_FALSE(e.sourceIp.valid);
  EXPECT_EQ(e.sourceIpText, "bad host");
}

TEST(MinioAuditSynthetic, MultiObjectDeleteHasNoSingleKey) {
  const AccessEvent e =
      parseOk(entry(R"("name":"DeleteMultipleObjects","bucket":"b","objects":[{"objectName":"a"},)"
                    R"({"objectName":"b"},"junk",7],"statusCode":200)",
                    kSigV4));
  EXPECT_EQ(e.opClass, OpClass::kDelete);
  EXPECT_EQ(e.objectKey, "");
  EXPECT_EQ(e.bucket, "b");
}

}  // namespace
}  // namespace blobwatch::schemas
