#include "schemas/s3_access_parser.h"

#include <gtest/gtest.h>

#include <string>

#include "schemas/access_event.h"
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

constexpr char kKdgm[] = "s3-access/kdgm-logstash-plugins_s3_access_log_spec.log";
constexpr char kKdgmInvalid[] = "s3-access/kdgm-logstash-plugins_s3_access_log_spec_INVALID.log";
constexpr char kElastic[] = "s3-access/elastic-integrations_test-s3-server-access.log";
constexpr char kDevGuide[] = "s3-access/awsdocs-amazon-s3-developer-guide_LogFormat-example.log";
constexpr char kUserGuide[] = "s3-access/awsdocs-amazon-s3-userguide_LogFormat-example.log";
constexpr char kRotemA[] =
    "s3-access/rotemfogel-s3-access-logs-parser/emr2021-11-08-13-10-55-E99D7343D993A492.log";
constexpr char kRotemB[] =
    "s3-access/rotemfogel-s3-access-logs-parser/emr2021-11-08-13-11-04-06F2E5E44C34EA69.log";

constexpr char kKdgmOwner[] = "2cf7e6b06335c0689c6d29163df5bb001c96870cd78609e3845f1ed76a632621";

// Number of records in an S3 access log: lines that are not blank once "\r" and spaces are gone.
size_t countRecords(const std::string& content) {
  size_t n = 0;
  size_t pos = 0;
  while (pos < content.size()) {
    size_t nl = content.find('\n', pos);
    if (nl == std::string::npos) nl = content.size();
    if (content.find_first_not_of(" \r", pos) < nl) ++n;
    pos = nl + 1;
  }
  return n;
}

// Parses a sample and returns the single event of `line`, failing the test when there is none.
AccessEvent sampleEvent(const char* file, uint64_t line) {
  const ParsedFile f = parseSample(file, Format::kS3Access);
  const auto events = eventsAtLine(f, line);
  EXPECT_EQ(events.size(), 1u) << file << ":" << line;
  return events.empty() ? AccessEvent{} : events.front();
}

// ---------------------------------------------------------------------------------------------
// Every sample record parses.

TEST(S3AccessSamples, EveryValidRecordParses) {
  BLOBWATCH_REQUIRE_SAMPLES();
  const auto files = ::blobwatch::testing::sampleFiles("s3-access");
  ASSERT_GE(files.size(), 18u);
  size_t total = 0;
  for (const auto& path : files) {
    if (::blobwatch::testing::isInvalidSample(path)) continue;
    const std::string content = ::blobwatch::testing::readFile(path);
    const std::string name = path.filename().string();
    for (const size_t chunk : {size_t{1} << 20, size_t{100}}) {
      const ParsedFile f = ::blobwatch::testing::parseBuffer(content, Format::kS3Access, chunk);
      EXPECT_TRUE(f.errors.empty()) << ::blobwatch::testing::describeErrors(f, name);
      EXPECT_EQ(f.events.size(), countRecords(content)) << name;
      EXPECT_EQ(f.skipped, 0u) << name;
      for (size_t i = 0; i < f.events.size(); ++i) {
        const AccessEvent& e = f.events[i];
        const std::string where = name + ":" + std::to_string(f.eventLines[i]);
        EXPECT_EQ(e.provider, Provider::kAws) << where;
        EXPECT_EQ(e.format, Format::kS3Access) << where;
        // All samples were written between 2010 and 2025.
        EXPECT_GE(e.timeUs, utcUs(2010, 1, 1, 0, 0, 0)) << where;
        EXPECT_LT(e.timeUs, utcUs(2026, 1, 1, 0, 0, 0)) << where;
        EXPECT_FALSE(e.bucket.empty()) << where;
        EXPECT_FALSE(e.principal.empty()) << where;
        EXPECT_FALSE(e.requestId.empty()) << where;
        if (i > 0) {
          EXPECT_GT(f.eventLines[i], f.eventLines[i - 1]) << where;
        }
        EXPECT_NE(e.rawOperation.find('.'), std::string::npos) << where;
        // Only one sample line has status "-".
        if (e.httpStatus != -1) {
          EXPECT_GE(e.httpStatus, 200) << where;
          EXPECT_LT(e.httpStatus, 600) << where;
        }
      }
      if (chunk == size_t{1} << 20) total += f.events.size();
    }
  }
  // SOURCES.md: 1,119 s3-access records, one of them in the INVALID file.
  EXPECT_EQ(total, 1118u);
}

// ---------------------------------------------------------------------------------------------
// Field assertions on sample records, one or more per era.

TEST(S3AccessSamples, Era18FieldsPresignedSigV2) {
  BLOBWATCH_REQUIRE_SAMPLES();
  // kdgm line 1 (2013): GET through a SigV2 presigned URL, with a Referer.
  const AccessEvent e = sampleEvent(kKdgm, 1);
  EXPECT_EQ(e.principal, kKdgmOwner);
  EXPECT_EQ(e.principalKind, PrincipalKind::kUser);
  EXPECT_EQ(e.bucket, "media.kerkdienstgemist.nl");
  EXPECT_EQ(e.timeUs, utcUs(2013, 3, 24, 10, 22, 56));
  EXPECT_EQ(e.sourceIpText, "77.168.122.24");
  EXPECT_TRUE(e.sourceIp.valid);
  EXPECT_TRUE(e.sourceIp.isV4());
  EXPECT_EQ(e.requestId, "A5A6B08FB9342F4D");
  EXPECT_EQ(e.rawOperation, "REST.GET.OBJECT");
  EXPECT_EQ(e.opClass, OpClass::kRead);
  EXPECT_EQ(e.objectKey, "10010160/2013-03-24-0930.mp3");
  EXPECT_EQ(e.httpStatus, 200);
  EXPECT_EQ(e.errorCode, "");
  EXPECT_EQ(e.bytesOut, 18547033);
  EXPECT_EQ(e.objectSize, 18547033);
  EXPECT_EQ(e.userAgent, "Mozilla/5.0 (compatible; MSIE 9.0; Windows NT 6.1; WOW64; Trident/5.0)");
  // No Authentication Type field in this era: the Signature= query string gives it away.
  EXPECT_EQ(e.authType, AuthType::kQueryString);
  EXPECT_EQ(e.tlsVersion, "");
  EXPECT_EQ(e.bytesIn, -1);
}

TEST(S3AccessSamples, Era18FieldsAuthenticatedWithoutPresign) {
  BLOBWATCH_REQUIRE_SAMPLES();
  // kdgm line 2 (2012): console request, authenticated by header.
  const AccessEvent e = sampleEvent(kKdgm, 2);
  EXPECT_EQ(e.principal, "9ab8c3813615ea8387cf4cc559958ec02531c04954bbbf924321656cc030bce3");
  EXPECT_EQ(e.principalKind, PrincipalKind::kUser);
  EXPECT_EQ(e.bucket, "n-e-w-legacy");
  EXPECT_EQ(e.timeUs, utcUs(2012, 6, 4, 16, 44, 26));
  EXPECT_EQ(e.sourceIpText, "10.1.155.11");
  EXPECT_EQ(e.rawOperation, "REST.GET.LOGGING_STATUS");
  EXPECT_EQ(e.opClass, OpClass::kOther);
  EXPECT_EQ(e.objectKey, "");
  EXPECT_EQ(e.bytesOut, 239);
  EXPECT_EQ(e.objectSize, -1);
  EXPECT_EQ(e.userAgent, "S3Console/0.4");
  EXPECT_EQ(e.authType, AuthType::kHeader);
}

TEST(S3AccessSamples, Era24FieldsDeveloperGuide) {
  BLOBWATCH_REQUIRE_SAMPLES();
  // Line 5: PUT of s3-dg.pdf; Bytes Sent "-" means 0.
  const AccessEvent e = sampleEvent(kDevGuide, 5);
  EXPECT_EQ(e.bucket, "awsexamplebucket1");
  EXPECT_EQ(e.principal, "79a59df900b949e55d96a1e698fbacedfd6e09d98eacf8f8d5218e7cd47ef2be");
  EXPECT_EQ(e.principalKind, PrincipalKind::kUser);
  EXPECT_EQ(e.timeUs, utcUs(2019, 2, 6, 0, 1, 57));
  EXPECT_EQ(e.sourceIpText, "192.0.2.3");
  EXPECT_EQ(e.requestId, "DD6CC733AEXAMPLE");
  EXPECT_EQ(e.rawOperation, "REST.PUT.OBJECT");
  EXPECT_EQ(e.opClass, OpClass::kWrite);
  EXPECT_EQ(e.objectKey, "s3-dg.pdf");
  EXPECT_EQ(e.httpStatus, 200);
  EXPECT_EQ(e.bytesOut, 0);
  EXPECT_EQ(e.objectSize, 4406583);
  EXPECT_EQ(e.userAgent, "S3Console/0.4");
  EXPECT_EQ(e.authType, AuthType::kHeader);
  EXPECT_EQ(e.tlsVersion, "TLSV1.1");

  // Line 3: 404 NoSuchBucketPolicy on a GET of the policy (a read, not a policy change).
  const AccessEvent p = sampleEvent(kDevGuide, 3);
  EXPECT_EQ(p.rawOperation, "REST.GET.BUCKETPOLICY");
  EXPECT_EQ(p.opClass, OpClass::kOther);
  EXPECT_EQ(p.httpStatus, 404);
  EXPECT_EQ(p.errorCode, "NoSuchBucketPolicy");
  EXPECT_EQ(p.bytesOut, 297);
  EXPECT_FALSE(p.success());
}

TEST(S3AccessSamples, Era24FieldsElasticAssumedRole) {
  BLOBWATCH_REQUIRE_SAMPLES();
  // Line 1: the session name after the role is dropped.
  const AccessEvent e = sampleEvent(kElastic, 1);
  EXPECT_EQ(e.principal, "arn:aws:sts::123456:assumed-role/AWSServiceRoleForTrustedAdvisor");
  EXPECT_EQ(e.principalKind, PrincipalKind::kRole);
  EXPECT_EQ(e.bucket, "test-s3-ks");
  EXPECT_EQ(e.timeUs, utcUs(2019, 8, 1, 0, 24, 41));
  EXPECT_EQ(e.sourceIpText, "89.160.20.156");
  EXPECT_EQ(e.requestId, "44EE8651683CB4DA");
  EXPECT_EQ(e.rawOperation, "REST.GET.LOCATION");
  EXPECT_EQ(e.opClass, OpClass::kOther);
  EXPECT_EQ(e.bytesOut, 142);
  EXPECT_EQ(e.userAgent,
            "AWS-Support-TrustedAdvisor, aws-internal/3 aws-sdk-java/1.11.590 "
            "Linux/4.9.137-0.1.ac.218.74.329.metal1.x86_64 OpenJDK_64-Bit_Server_VM/25.212-b03 "
            "java/1.8.0_212 vendor/Oracle_Corporation");
  EXPECT_EQ(e.authType, AuthType::kHeader);
  EXPECT_EQ(e.tlsVersion, "TLSv1.2");

  // Line 3: REST.GET.BUCKET is a listing.
  const AccessEvent l = sampleEvent(kElastic, 3);
  EXPECT_EQ(l.rawOperation, "REST.GET.BUCKET");
  EXPECT_EQ(l.opClass, OpClass::kList);
  EXPECT_EQ(l.bytesOut, 265);
}

TEST(S3AccessSamples, BatchDeleteWithBareDashFields) {
  BLOBWATCH_REQUIRE_SAMPLES();
  // elastic line 5: BATCH.DELETE.OBJECT with a bare "-" Request-URI, Referer and User-Agent.
  const AccessEvent e = sampleEvent(kElastic, 5);
  EXPECT_EQ(e.principal, "arn:aws:iam::123456:user/test@elastic.co");
  EXPECT_EQ(e.principalKind, PrincipalKind::kUser);
  EXPECT_EQ(e.bucket, "jsoriano-s3-test");
  EXPECT_EQ(e.rawOperation, "BATCH.DELETE.OBJECT");
  EXPECT_EQ(e.opClass, OpClass::kDelete);
  EXPECT_EQ(e.objectKey, "jolokia-war-1.5.0.war");
  EXPECT_EQ(e.httpStatus, 204);
  EXPECT_EQ(e.bytesOut, 0);
  EXPECT_EQ(e.objectSize, 344017);
  EXPECT_EQ(e.userAgent, "");
  EXPECT_EQ(e.authType, AuthType::kHeader);
  EXPECT_EQ(e.tlsVersion, "TLSv1.2");

  // elastic line 6: "+" in the key stands for a space.
  const AccessEvent k = sampleEvent(kElastic, 6);
  EXPECT_EQ(k.objectKey, "Screen Shot 2019-09-09 at 9.08.44 AM.png");
}

TEST(S3AccessSamples, Era25And26FieldsServicePrincipal) {
  BLOBWATCH_REQUIRE_SAMPLES();
  // elastic lines 7 (25 fields) and 8 (26 fields): log delivery, no remote IP.
  for (const uint64_t line : {7u, 8u}) {
    const AccessEvent e = sampleEvent(kElastic, line);
    EXPECT_EQ(e.principal, "svc:delivery.logs.amazonaws.com") << line;
    EXPECT_EQ(e.principalKind, PrincipalKind::kService) << line;
    EXPECT_EQ(e.sourceIpText, "") << line;
    EXPECT_FALSE(e.sourceIp.valid) << line;
    EXPECT_EQ(e.bucket, "flow-log-test") << line;
    EXPECT_EQ(e.timeUs, utcUs(2021, 7, 14, 18, 57, 31)) << line;
    EXPECT_EQ(e.requestId, "MVGXZXEVN3IG9S24") << line;
    EXPECT_EQ(e.opClass, OpClass::kWrite) << line;
    EXPECT_EQ(e.objectKey,
              "AWSLogs/000000000000/vpcflowlogs/us-gov-east-1/2021/07/13/"
              "000000000000_vpcflowlogs_us-gov-east-1_fl-_20210713T1855Z_f12aa632.log.gz")
        << line;
    EXPECT_EQ(e.httpStatus, 200) << line;
    EXPECT_EQ(e.bytesOut, 0) << line;
    EXPECT_EQ(e.objectSize, 773) << line;
    EXPECT_EQ(e.userAgent, "") << line;
    EXPECT_EQ(e.authType, AuthType::kHeader) << line;
    EXPECT_EQ(e.tlsVersion, "TLSv1.2") << line;
  }
}

TEST(S3AccessSamples, StatusDash) {
  BLOBWATCH_REQUIRE_SAMPLES();
  // elastic line 9: HTTP status "-". Bytes Sent "-" stays unknown when the status is unknown.
  const AccessEvent e = sampleEvent(kElastic, 9);
  EXPECT_EQ(e.httpStatus, -1);
  EXPECT_EQ(e.errorCode, "");
  EXPECT_EQ(e.bytesOut, -1);
  EXPECT_EQ(e.objectSize, 773);
  EXPECT_FALSE(e.success());
}

TEST(S3AccessSamples, LifecycleExpireWithQuotedDashUri) {
  BLOBWATCH_REQUIRE_SAMPLES();
  // elastic line 10: AmazonS3 lifecycle expiration; Request-URI is a quoted "-".
  const AccessEvent e = sampleEvent(kElastic, 10);
  EXPECT_EQ(e.principal, "svc:AmazonS3");
  EXPECT_EQ(e.principalKind, PrincipalKind::kService);
  EXPECT_EQ(e.bucket, "flow-log-test");
  EXPECT_EQ(e.timeUs, utcUs(2025, 3, 25, 19, 28, 2));
  EXPECT_EQ(e.sourceIpText, "");
  EXPECT_EQ(e.requestId, "366DB3C4B325AB11");
  EXPECT_EQ(e.rawOperation, "S3.EXPIRE.OBJECT");
  EXPECT_EQ(e.opClass, OpClass::kDelete);
  EXPECT_EQ(e.objectKey.rfind("0/chum/_vars/logtests/PlannerModule/", 0), 0u) << e.objectKey;
  const std::string_view suffix =
      "/2024/12/30/164700/kitt_189/_spcu_sride__state_svx__feature__flags.sst";
  ASSERT_GT(e.objectKey.size(), suffix.size());
  EXPECT_EQ(e.objectKey.substr(e.objectKey.size() - suffix.size()), suffix);
  EXPECT_EQ(e.httpStatus, -1);
  EXPECT_EQ(e.objectSize, 317);
  EXPECT_EQ(e.userAgent, "");
  // Signature version, cipher and authentication type are all "-": no authentication to speak of.
  EXPECT_NE(e.authType, AuthType::kHeader);
  EXPECT_NE(e.authType, AuthType::kQueryString);
  EXPECT_EQ(e.tlsVersion, "");
}

TEST(S3AccessSamples, Era26FieldsUserGuideWithTrailingSpace) {
  BLOBWATCH_REQUIRE_SAMPLES();
  // Line 3 ends in a space in the original.
  const AccessEvent e = sampleEvent(kUserGuide, 3);
  EXPECT_EQ(e.bucket, "DOC-EXAMPLE-BUCKET1");
  EXPECT_EQ(e.requestId, "A1206F460EXAMPLE");
  EXPECT_EQ(e.httpStatus, 404);
  EXPECT_EQ(e.errorCode, "NoSuchBucketPolicy");
  EXPECT_EQ(e.tlsVersion, "TLSV1.2");
  EXPECT_EQ(e.authType, AuthType::kHeader);

  const AccessEvent put = sampleEvent(kUserGuide, 5);
  EXPECT_EQ(put.opClass, OpClass::kWrite);
  EXPECT_EQ(put.objectKey, "s3-dg.pdf");
  EXPECT_EQ(put.objectSize, 4406583);
  EXPECT_EQ(put.tlsVersion, "TLSV1.2");
}

TEST(S3AccessSamples, Era25FieldsRotemDoubleEncodedKey) {
  BLOBWATCH_REQUIRE_SAMPLES();
  // Line 1: key field date_%253D..., Request-URI date_%3D...: decoded once.
  const AccessEvent e = sampleEvent(kRotemA, 1);
  EXPECT_EQ(e.objectKey,
            "page_events_vertica/date_%3D2021-03-14/"
            "8337f7f3-v_sadw_eon_node0005-139906568611584-0.parquet");
  EXPECT_EQ(e.principal, "arn:aws:sts::744522205193:assumed-role/vertica-eon1");
  EXPECT_EQ(e.principalKind, PrincipalKind::kRole);
  EXPECT_EQ(e.bucket, "seekingalpha-data");
  EXPECT_EQ(e.timeUs, utcUs(2021, 11, 8, 12, 5, 27));
  EXPECT_EQ(e.sourceIpText, "172.31.121.12");
  EXPECT_EQ(e.requestId, "1VADRPF1K9DV2RTE");
  EXPECT_EQ(e.opClass, OpClass::kRead);
  EXPECT_EQ(e.httpStatus, 206);
  EXPECT_TRUE(e.success());
  EXPECT_EQ(e.bytesOut, 65536);
  EXPECT_EQ(e.objectSize, 72610716);
  EXPECT_EQ(e.userAgent, "vertica-v9.3.0-2");
  EXPECT_EQ(e.authType, AuthType::kHeader);
  EXPECT_EQ(e.tlsVersion, "TLSv1.2");
}

TEST(S3AccessSamples, RotemHeadObjectAndHeadBucket) {
  BLOBWATCH_REQUIRE_SAMPLES();
  const AccessEvent h = sampleEvent(kRotemB, 52);
  EXPECT_EQ(h.requestId, "HHKCRN72F811DC3G");
  EXPECT_EQ(h.rawOperation, "REST.HEAD.OBJECT");
  EXPECT_EQ(h.opClass, OpClass::kHead);
  EXPECT_EQ(h.principal, "arn:aws:sts::744522205193:assumed-role/EMR_EC2_DefaultRole");
  EXPECT_EQ(h.bytesOut, 0);
  EXPECT_EQ(h.objectSize, 17887567);
  // A User-Agent with braces, brackets and commas.
  EXPECT_EQ(h.userAgent,
            "ElasticMapReduce/1.0.0 emrfs/s3n {} user:hadoop,groups:[hadoop], "
            "aws-sdk-java/1.11.711 Linux/4.14.232-177.418.amzn2.x86_64 "
            "OpenJDK_64-Bit_Server_VM/25.292-b10 java/1.8.0_292 scala/2.12.10 "
            "vendor/Amazon.com_Inc.");

  const AccessEvent b = sampleEvent(kRotemB, 61);
  EXPECT_EQ(b.requestId, "HXH0X19NTKE6JEEG");
  EXPECT_EQ(b.rawOperation, "REST.HEAD.BUCKET");
  EXPECT_EQ(b.opClass, OpClass::kHead);
  EXPECT_EQ(b.principal, "arn:aws:iam::744522205193:user/sisense");
  EXPECT_EQ(b.principalKind, PrincipalKind::kUser);
  EXPECT_EQ(b.objectKey, "");
  EXPECT_EQ(b.bytesOut, 0);
  EXPECT_EQ(b.objectSize, -1);
}

TEST(S3AccessSamples, AnonymousRequests) {
  BLOBWATCH_REQUIRE_SAMPLES();
  // kdgm line 29 (24 fields): anonymous GET denied, custom host header.
  const AccessEvent e = sampleEvent(kKdgm, 29);
  EXPECT_EQ(e.principal, "anonymous");
  EXPECT_EQ(e.principalKind, PrincipalKind::kAnonymous);
  EXPECT_EQ(e.authType, AuthType::kAnonymous);
  EXPECT_EQ(e.httpStatus, 403);
  EXPECT_EQ(e.errorCode, "AccessDenied");
  EXPECT_EQ(e.bytesOut, 243);
  EXPECT_EQ(e.objectSize, -1);
  EXPECT_EQ(e.objectKey, "apple-touch-icon-152x152.png");
  EXPECT_EQ(e.opClass, OpClass::kRead);
  EXPECT_EQ(e.sourceIpText, "145.132.86.71");
  EXPECT_EQ(e.userAgent, "MobileSafari/604.1 CFNetwork/901.1 Darwin/17.6.0");
  EXPECT_EQ(e.tlsVersion, "");
  EXPECT_EQ(e.timeUs, utcUs(2019, 10, 19, 16, 58, 39));

  // kdgm line 9 (18 fields, 2010): anonymous, 307 TemporaryRedirect.
  const AccessEvent r = sampleEvent(kKdgm, 9);
  EXPECT_EQ(r.principal, "anonymous");
  EXPECT_EQ(r.principalKind, PrincipalKind::kAnonymous);
  EXPECT_EQ(r.authType, AuthType::kAnonymous);
  EXPECT_EQ(r.bucket, "assets.staging.kerkdienstgemist.nl");
  EXPECT_EQ(r.httpStatus, 307);
  EXPECT_EQ(r.errorCode, "TemporaryRedirect");
  EXPECT_EQ(r.timeUs, utcUs(2010, 2, 10, 7, 24, 40));
}

TEST(S3AccessSamples, ErrorStatuses) {
  BLOBWATCH_REQUIRE_SAMPLES();
  const AccessEvent lc = sampleEvent(kKdgm, 6);
  EXPECT_EQ(lc.httpStatus, 404);
  EXPECT_EQ(lc.errorCode, "NoSuchLifecycleConfiguration");
  EXPECT_EQ(lc.rawOperation, "REST.GET.LIFECYCLE");
  EXPECT_EQ(lc.bytesOut, 313);
  EXPECT_EQ(lc.sourceIpText, "10.3.77.81");

  const AccessEvent nk = sampleEvent(kKdgm, 27);
  EXPECT_EQ(nk.httpStatus, 404);
  EXPECT_EQ(nk.errorCode, "NoSuchKey");
  EXPECT_EQ(nk.opClass, OpClass::kHead);
  EXPECT_EQ(nk.principal, "148c961344704acc761dd011016226d36f06f24ff6bb890beb414040f1f866a6");
  EXPECT_EQ(nk.authType, AuthType::kHeader);
  EXPECT_EQ(nk.tlsVersion, "TLSv1.2");
}

TEST(S3AccessSamples, CopyBothSides) {
  BLOBWATCH_REQUIRE_SAMPLES();
  // Line 10: REST.COPY.OBJECT (the PUT side) is a write.
  const AccessEvent put = sampleEvent(kKdgm, 10);
  EXPECT_EQ(put.rawOperation, "REST.COPY.OBJECT");
  EXPECT_EQ(put.opClass, OpClass::kWrite);
  EXPECT_EQ(put.bytesOut, 234);
  EXPECT_EQ(put.objectSize, 16251603);
  EXPECT_EQ(put.userAgent, "");

  // Line 11: REST.COPY.OBJECT_GET (the read of the source), bare "-" Request-URI.
  const AccessEvent get = sampleEvent(kKdgm, 11);
  EXPECT_EQ(get.rawOperation, "REST.COPY.OBJECT_GET");
  EXPECT_EQ(get.opClass, OpClass::kRead);
  EXPECT_EQ(get.bucket, "media.staging.kerkdienstgemist.nl");
  EXPECT_EQ(get.objectKey, "10010150/2010-08-29-0930.mp3");
  EXPECT_EQ(get.httpStatus, 200);
  EXPECT_EQ(get.bytesOut, 0);
  EXPECT_EQ(get.objectSize, 13538337);
  EXPECT_EQ(get.userAgent, "");
  EXPECT_EQ(get.sourceIpText, "85.113.244.146");
}

TEST(S3AccessSamples, OperationClasses) {
  BLOBWATCH_REQUIRE_SAMPLES();
  struct Case {
    uint64_t line;
    const char* operation;
    OpClass cls;
  };
  for (const Case& c : {
           Case{3, "REST.GET.BUCKET", OpClass::kList},
           Case{7, "REST.GET.ACL", OpClass::kOther},
           Case{8, "SOAP.PUT.OBJECT", OpClass::kWrite},
           Case{14, "REST.GET.OBJECT", OpClass::kRead},
           Case{16, "REST.HEAD.OBJECT", OpClass::kHead},
           Case{19, "REST.DELETE.OBJECT", OpClass::kDelete},
           Case{20, "REST.PUT.ACL", OpClass::kPolicy},
       }) {
    const AccessEvent e = sampleEvent(kKdgm, c.line);
    EXPECT_EQ(e.rawOperation, c.operation) << c.line;
    EXPECT_EQ(e.opClass, c.cls) << c.line;
  }
  const AccessEvent acl = sampleEvent(kKdgm, 20);
  EXPECT_EQ(acl.objectKey, "92221041-v1014211/20140914075120_15201610-mp4.mp4");
  EXPECT_EQ(acl.bytesOut, 0);
  EXPECT_EQ(acl.objectSize, -1);
  EXPECT_EQ(acl.userAgent, "Cyberduck/4.2.1 (Mac OS X/10.9.4) (i386)");
}

TEST(S3AccessSamples, UserAgentWithSpacesAndPresign) {
  BLOBWATCH_REQUIRE_SAMPLES();
  const AccessEvent e = sampleEvent(kKdgm, 14);
  EXPECT_EQ(e.userAgent,
            "VLC media player - version 1.0.5 Goldeneye - (c) 1996-2010 the VideoLAN team");
  EXPECT_EQ(e.httpStatus, 206);
  EXPECT_EQ(e.bytesOut, 4194304);
  EXPECT_EQ(e.objectSize, 17537676);
  EXPECT_EQ(e.authType, AuthType::kQueryString);

  // Line 18: 304 with Bytes Sent "-".
  const AccessEvent nm = sampleEvent(kKdgm, 18);
  EXPECT_EQ(nm.httpStatus, 304);
  EXPECT_TRUE(nm.success());
  EXPECT_EQ(nm.bytesOut, 0);
  EXPECT_EQ(nm.objectSize, 10750830);
  EXPECT_EQ(nm.authType, AuthType::kQueryString);

  // Line 23: the same object without a presigned query string and with a Referer.
  const AccessEvent plain = sampleEvent(kKdgm, 23);
  EXPECT_EQ(plain.authType, AuthType::kHeader);
  EXPECT_EQ(plain.sourceIpText, "79.125.15.123");
  EXPECT_EQ(plain.userAgent,
            "Mozilla/5.0 (Windows NT 6.1; WOW64; Trident/7.0; rv:11.0) like Gecko");
}

TEST(S3AccessSamples, Era24PresignedSigV4) {
  BLOBWATCH_REQUIRE_SAMPLES();
  const AccessEvent e = sampleEvent(kKdgm, 15);
  EXPECT_EQ(e.authType, AuthType::kQueryString);
  EXPECT_EQ(e.tlsVersion, "TLSv1.2");
  EXPECT_EQ(e.objectKey, "10026021-v1520329/20191018085700_15530042-mp4.mp4");
  EXPECT_EQ(e.bytesOut, 6854150);
  EXPECT_EQ(e.objectSize, 1251270047);
  EXPECT_EQ(e.requestId, "BCA2E0AB004F2273");
}

TEST(S3AccessSamples, ExtraTrailingFieldsIgnored) {
  BLOBWATCH_REQUIRE_SAMPLES();
  // Line 17 is line 16 plus " any other fields" (added by the kdgm test author).
  const AccessEvent a = sampleEvent(kKdgm, 16);
  const AccessEvent b = sampleEvent(kKdgm, 17);
  EXPECT_EQ(b.opClass, OpClass::kHead);
  EXPECT_EQ(b.objectKey, "11829090-v978102/20140914075051_15126453-mp4.mp4");
  EXPECT_EQ(b.objectSize, 431614646);
  EXPECT_EQ(b.bytesOut, 0);
  EXPECT_EQ(a.objectKey, b.objectKey);
  EXPECT_EQ(a.principal, b.principal);
  EXPECT_EQ(a.timeUs, b.timeUs);
  EXPECT_EQ(a.userAgent, b.userAgent);
  EXPECT_EQ(a.authType, b.authType);
}

// The INVALID sample: the kdgm test author put a stray `"` at the end of the Referer
// ("...recorder.php?id=452""). The parser deliberately does NOT reject it: a `"` inside a quoted
// field only ends the field when a space or the end of the line follows, so a crafted Referer or
// User-Agent cannot make blobwatch drop the request. Here the stray quote is absorbed into the
// Referer and every other field lands where it should.
TEST(S3AccessSamples, InvalidStrayQuoteIsAcceptedOnPurpose) {
  BLOBWATCH_REQUIRE_SAMPLES();
  const ParsedFile f = parseSample(kKdgmInvalid, Format::kS3Access);
  EXPECT_TRUE(f.errors.empty()) << ::blobwatch::testing::describeErrors(f, kKdgmInvalid);
  ASSERT_EQ(f.events.size(), 1u);
  const AccessEvent& e = f.events[0];
  EXPECT_EQ(e.principal, kKdgmOwner);
  EXPECT_EQ(e.bucket, "media.kerkdienstgemist.nl");
  EXPECT_EQ(e.httpStatus, 200);
  EXPECT_EQ(e.objectKey, "10010160/2013-03-24-0930.mp3");
  EXPECT_EQ(e.bytesOut, 18547033);
  EXPECT_EQ(e.userAgent, "Mozilla/5.0 (compatible; MSIE 9.0; Windows NT 6.1; WOW64; Trident/5.0)");
  EXPECT_EQ(e.authType, AuthType::kQueryString);
}

// ---------------------------------------------------------------------------------------------
// Synthetic lines for what no sample has.

// A 24-field line (ends at TLS version).
const std::string kBase =
    "79a59df900b949e55d96a1e698fbacedfd6e09d98eacf8f8d5218e7cd47ef2be examplebucket "
    "[06/Feb/2019:00:01:57 +0000] 192.0.2.3 arn:aws:iam::123456789012:user/alice "
    "DD6CC733AEXAMPLE REST.GET.OBJECT photos/cat.jpg "
    "\"GET /examplebucket/photos/cat.jpg HTTP/1.1\" 200 - 1024 2048 41 28 \"-\" "
    "\"curl/8.4.0\" - aG9zdGlk SigV4 ECDHE-RSA-AES128-GCM-SHA256 AuthHeader "
    "examplebucket.s3.us-west-1.amazonaws.com TLSv1.2";

std::string replaced(std::string s, std::string_view from, std::string_view to) {
  const size_t pos = s.find(from);
  EXPECT_NE(pos, std::string::npos) << from;
  if (pos != std::string::npos) s.replace(pos, from.size(), to);
  return s;
}

OneRecord parseLine(std::string_view line) {
  S3AccessParser parser;
  return parseOne(parser, line);
}

AccessEvent parseOk(std::string_view line) {
  const OneRecord r = parseLine(line);
  EXPECT_EQ(r.code, ParseErrc::kOk) << r.detail << "\n" << line;
  EXPECT_EQ(r.events.size(), 1u) << line;
  return r.events.empty() ? AccessEvent{} : r.events.front();
}

void expectBaseFields(const AccessEvent& e) {
  EXPECT_EQ(e.bucket, "examplebucket");
  EXPECT_EQ(e.principal, "arn:aws:iam::123456789012:user/alice");
  EXPECT_EQ(e.principalKind, PrincipalKind::kUser);
  EXPECT_EQ(e.timeUs, utcUs(2019, 2, 6, 0, 1, 57));
  EXPECT_EQ(e.requestId, "DD6CC733AEXAMPLE");
  EXPECT_EQ(e.objectKey, "photos/cat.jpg");
  EXPECT_EQ(e.opClass, OpClass::kRead);
  EXPECT_EQ(e.httpStatus, 200);
  EXPECT_EQ(e.bytesOut, 1024);
  EXPECT_EQ(e.objectSize, 2048);
}

TEST(S3AccessSynthetic, BaseLine) {
  const AccessEvent e = parseOk(kBase);
  expectBaseFields(e);
  EXPECT_EQ(e.userAgent, "curl/8.4.0");
  EXPECT_EQ(e.authType, AuthType::kHeader);
  EXPECT_EQ(e.tlsVersion, "TLSv1.2");
  EXPECT_EQ(e.sourceIpText, "192.0.2.3");
}

TEST(S3AccessSynthetic, IPv6RemoteIp) {
  const AccessEvent e = parseOk(replaced(kBase, " 192.0.2.3 ", " 2001:db8:85a3::8a2e:370:7334 "));
  expectBaseFields(e);
  EXPECT_EQ(e.sourceIpText, "2001:db8:85a3::8a2e:370:7334");
  ASSERT_TRUE(e.sourceIp.valid);
  EXPECT_FALSE(e.sourceIp.isV4());
  IpAddress expected;
  ASSERT_TRUE(parseIp("2001:0db8:85a3:0000:0000:8a2e:0370:7334", expected));
  EXPECT_EQ(e.sourceIp, expected);
}

TEST(S3AccessSynthetic, UnparseableRemoteIpKeptAsText) {
  const AccessEvent e = parseOk(replaced(kBase, " 192.0.2.3 ", " 268.20.203.21 "));
  EXPECT_EQ(e.sourceIpText, "268.20.203.21");
  EXPECT_FALSE(e.sourceIp.valid);
}

TEST(S3AccessSynthetic, TwentySevenFieldsWithSourceRegion) {
  const std::string line =
      kBase + " arn:aws:s3:us-west-1:123456789012:accesspoint/example-AP Yes us-east-1";
  const AccessEvent e = parseOk(line);
  expectBaseFields(e);
  EXPECT_EQ(e.userAgent, "curl/8.4.0");
  EXPECT_EQ(e.tlsVersion, "TLSv1.2");
  EXPECT_EQ(e.authType, AuthType::kHeader);
}

TEST(S3AccessSynthetic, FieldsBeyondTwentySevenIgnored) {
  const std::string line = kBase + " - - us-east-1 future-field \"quoted future\" [bracketed]";
  const AccessEvent e = parseOk(line);
  expectBaseFields(e);
  EXPECT_EQ(e.tlsVersion, "TLSv1.2");
}

TEST(S3AccessSynthetic, UserAgentWithEmbeddedQuoteNeverAnError) {
  // How S3 writes a `"` inside the User-Agent is undocumented. Whatever the form, the request
  // must still come out as an event with the fields before the User-Agent intact.
  for (const char* ua : {
           "\"Mozilla \"quoted\" agent\"",  // quote-space inside: later fields shift
           "\"evil\\\" agent\"",            // backslash-escaped quote
           "\"a\"b\"",                      // stray quote followed by a letter
           "\"\"\"",                        // a lone quote as the whole User-Agent
           "\"ends with quote\"\"",         // doubled quote at the end
           "\"x\" \"y\"",                   // looks like two quoted fields
           "\"trailing backslash\\\"",      // \" at the real end of the field
       }) {
    const std::string line = replaced(kBase, "\"curl/8.4.0\"", ua);
    const OneRecord r = parseLine(line);
    EXPECT_EQ(r.code, ParseErrc::kOk) << r.detail << "\n" << line;
    ASSERT_EQ(r.events.size(), 1u) << line;
    expectBaseFields(r.events[0]);
  }
  // The same as the last line of the list, at the end of an 18-field line: nothing follows
  // that could close the field.
  const std::string line18 =
      "79a59df900b949e55d96a1e698fbacedfd6e09d98eacf8f8d5218e7cd47ef2be examplebucket "
      "[06/Feb/2019:00:01:57 +0000] 192.0.2.3 arn:aws:iam::123456789012:user/alice "
      "DD6CC733AEXAMPLE REST.GET.OBJECT photos/cat.jpg "
      "\"GET /examplebucket/photos/cat.jpg HTTP/1.1\" 200 - 1024 2048 41 28 \"-\" "
      "\"agent\\\" -";
  const OneRecord r18 = parseLine(line18);
  EXPECT_EQ(r18.code, ParseErrc::kOk) << r18.detail;
  ASSERT_EQ(r18.events.size(), 1u);
  expectBaseFields(r18.events[0]);
}

TEST(S3AccessSynthetic, BackslashEscapedQuoteKeepsFieldsInPlace) {
  const AccessEvent e = parseOk(replaced(kBase, "\"curl/8.4.0\"", "\"evil\\\" agent\""));
  EXPECT_EQ(e.userAgent, "evil\\\" agent");
  EXPECT_EQ(e.tlsVersion, "TLSv1.2");
  EXPECT_EQ(e.authType, AuthType::kHeader);
}

TEST(S3AccessSynthetic, CrLfAndTrailingSpace) {
  for (const std::string& line : {kBase + "\r", kBase + " ", kBase + " \r", kBase + "  "}) {
    const AccessEvent e = parseOk(line);
    expectBaseFields(e);
    EXPECT_EQ(e.tlsVersion, "TLSv1.2");
  }
  // Through the framing: "\r\n" endings, last line without a newline.
  const ParsedFile f = ::blobwatch::testing::parseBuffer(
      kBase + "\r\n" + kBase + "\r\n\r\n" + kBase, Format::kS3Access);
  EXPECT_TRUE(f.errors.empty()) << ::blobwatch::testing::describeErrors(f, "crlf");
  ASSERT_EQ(f.events.size(), 3u);
  EXPECT_EQ(f.eventLines, (std::vector<uint64_t>{1, 2, 4}));
  for (const AccessEvent& e : f.events) EXPECT_EQ(e.tlsVersion, "TLSv1.2");
}

TEST(S3AccessSynthetic, PresignedSigV4WithoutAuthField) {
  // 18-field era line whose Request-URI carries X-Amz-Credential.
  const std::string line =
      "79a59df900b949e55d96a1e698fbacedfd6e09d98eacf8f8d5218e7cd47ef2be examplebucket "
      "[06/Feb/2019:00:01:57 +0000] 192.0.2.3 arn:aws:iam::123456789012:user/alice "
      "DD6CC733AEXAMPLE REST.GET.OBJECT photos/cat.jpg "
      "\"GET /photos/cat.jpg?X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential=AKIA%2F20190206 "
      "HTTP/1.1\" 200 - 1024 2048 41 28 \"-\" \"curl/8.4.0\" -";
  const AccessEvent e = parseOk(line);
  expectBaseFields(e);
  EXPECT_EQ(e.authType, AuthType::kQueryString);
}

TEST(S3AccessSynthetic, EmptyLineIsNotAnError) {
  for (const char* line : {"", " ", "\r", "  \r"}) {
    const OneRecord r = parseLine(line);
    EXPECT_EQ(r.code, ParseErrc::kEmpty) << "[" << line << "]";
    EXPECT_TRUE(r.events.empty());
  }
}

TEST(S3AccessSynthetic, FewerThan18Fields) {
  // Cut after the User-Agent: 17 fields.
  const std::string line = kBase.substr(0, kBase.find("\"curl/8.4.0\"") + 12);
  const OneRecord r = parseLine(line);
  EXPECT_EQ(r.code, ParseErrc::kMissingField) << r.detail;
  EXPECT_TRUE(r.events.empty());
  EXPECT_EQ(parseLine("just three fields").code, ParseErrc::kMissingField);
}

TEST(S3AccessSynthetic, BadTime) {
  for (const char* bad :
       {"[06/Fob/2019:00:01:57 +0000]", "[2019-02-06T00:01:57Z]", "[]", "[06/Feb/2019:00:01:57]"}) {
    const OneRecord r = parseLine(replaced(kBase, "[06/Feb/2019:00:01:57 +0000]", bad));
    EXPECT_EQ(r.code, ParseErrc::kBadField) << bad << ": " << r.detail;
    EXPECT_TRUE(r.events.empty()) << bad;
  }
}

TEST(S3AccessSynthetic, BadNumbers) {
  EXPECT_EQ(parseLine(replaced(kBase, "\" 200 - 1024", "\" OK - 1024")).code, ParseErrc::kBadField);
  EXPECT_EQ(parseLine(replaced(kBase, "\" 200 - 1024", "\" 2000 - 1024")).code,
            ParseErrc::kBadField);
  EXPECT_EQ(parseLine(replaced(kBase, " 1024 2048 ", " 1k 2048 ")).code, ParseErrc::kBadField);
  EXPECT_EQ(parseLine(replaced(kBase, " 1024 2048 ", " 1024 -2 ")).code, ParseErrc::kBadField);
}

TEST(S3AccessSynthetic, UnterminatedQuoteOrBracket) {
  // The line ends inside the quoted User-Agent.
  const std::string cut = kBase.substr(0, kBase.find("\"curl/8.4.0\"") + 11);
  const OneRecord r = parseLine(cut);
  EXPECT_EQ(r.code, ParseErrc::kSyntax) << r.detail;
  EXPECT_TRUE(r.events.empty());

  const OneRecord b =
      parseLine(replaced(kBase, "[06/Feb/2019:00:01:57 +0000]", "[06/Feb/2019:00:01:57 +0000"));
  EXPECT_EQ(b.code, ParseErrc::kSyntax) << b.detail;
}

TEST(S3AccessSynthetic, OperationClassesWithoutSamples) {
  struct Case {
    const char* operation;
    OpClass cls;
  };
  for (const Case& c : {
           Case{"REST.PUT.BUCKETPOLICY", OpClass::kPolicy},
           Case{"REST.DELETE.BUCKETPOLICY", OpClass::kPolicy},
           Case{"REST.PUT.PUBLIC_ACCESS_BLOCK", OpClass::kPolicy},
           Case{"REST.POST.UPLOADS", OpClass::kWrite},
           Case{"REST.PUT.PART", OpClass::kWrite},
           Case{"WEBSITE.GET.OBJECT", OpClass::kRead},
           Case{"REST.GET.BUCKETVERSIONS", OpClass::kList},
           Case{"REST.DELETE.BUCKET", OpClass::kDelete},
           Case{"S3.TRANSITION.OBJECT", OpClass::kOther},
           Case{"GARBAGE", OpClass::kOther},
       }) {
    const AccessEvent e = parseOk(replaced(kBase, "REST.GET.OBJECT", c.operation));
    EXPECT_EQ(e.rawOperation, c.operation);
    EXPECT_EQ(e.opClass, c.cls) << c.operation;
  }
}

TEST(S3AccessSynthetic, ParserReuseClearsPreviousEvent) {
  S3AccessParser parser;
  const OneRecord first = parseOne(parser, kBase);
  ASSERT_EQ(first.events.size(), 1u);
  // Second line: anonymous, no TLS version, no key.
  std::string second = replaced(kBase, "arn:aws:iam::123456789012:user/alice", "-");
  second = replaced(second, " TLSv1.2", " -");
  second = replaced(second, " AuthHeader ", " - ");
  second = replaced(second, " SigV4 ", " - ");
  second = replaced(second, "photos/cat.jpg \"GET", "- \"GET");
  const OneRecord r = parseOne(parser, second);
  ASSERT_EQ(r.events.size(), 1u) << r.detail;
  EXPECT_EQ(r.events[0].principal, "anonymous");
  EXPECT_EQ(r.events[0].tlsVersion, "");
  EXPECT_EQ(r.events[0].objectKey, "");
  EXPECT_EQ(r.events[0].principalKind, PrincipalKind::kAnonymous);
  EXPECT_EQ(r.events[0].authType, AuthType::kAnonymous);
}

}  // namespace
}  // namespace blobwatch::schemas
