#include "schemas/azure_blob_parser.h"

#include <gtest/gtest.h>

#include <map>
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

constexpr char kSasBrowser[] = "azure-blob/secura-thesis-lab_StorageRead_GetBlob_SAS_browser.json";
constexpr char kSasRange[] = "azure-blob/secura-thesis-lab_StorageRead_GetBlob_SAS_range206.json";
constexpr char kListKey[] = "azure-blob/secura-thesis-lab_StorageRead_ListBlobs_AccountKey.json";
constexpr char kCopy[] =
    "azure-blob/secura-thesis-lab_StorageWrite_CopyBlob_3-concatenated-objects.json";
constexpr char kDynatrace0[] = "azure-blob/shaN480-Dynatrace_img-log-json_StorageWrite.json";
constexpr char kDynatrace1[] = "azure-blob/shaN480-Dynatrace_img-log1_StorageWrite.json";
constexpr char kPanther[] = "azure-blob/panther-analysis_rule-tests_storage-resource-logs.ndjson";

constexpr char kSecuraAccount[] = "diag7fff8f1ab8425b12";

AccessEvent onlyEvent(const char* file) {
  const ParsedFile f = parseSample(file, Format::kAzureBlob);
  EXPECT_TRUE(f.errors.empty()) << describeErrors(f, file);
  EXPECT_EQ(f.events.size(), 1u) << file;
  return f.events.empty() ? AccessEvent{} : f.events.front();
}

AccessEvent pantherEvent(uint64_t line) {
  const ParsedFile f = parseSample(kPanther, Format::kAzureBlob);
  const auto events = eventsAtLine(f, line);
  EXPECT_EQ(events.size(), 1u) << "panther line " << line;
  return events.empty() ? AccessEvent{} : events.front();
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

bool isAzureMonitorJson(const std::filesystem::path& p) {
  return p.extension() == ".json" || p.extension() == ".ndjson";
}

// ---------------------------------------------------------------------------------------------
// Whole sample files.

TEST(AzureBlobSamples, EveryValidFileParses) {
  BLOBWATCH_REQUIRE_SAMPLES();
  // Records per file, counted by reading the files: the Secura and Dynatrace files hold one
  // pretty-printed object each, the CopyBlob file three back to back, Panther one per line.
  const std::map<std::string, size_t> expected = {
      {"secura-thesis-lab_StorageRead_GetBlob_SAS_browser.json", 1},
      {"secura-thesis-lab_StorageRead_GetBlob_SAS_range206.json", 1},
      {"secura-thesis-lab_StorageRead_ListBlobs_AccountKey.json", 1},
      {"secura-thesis-lab_StorageWrite_CopyBlob_3-concatenated-objects.json", 3},
      {"shaN480-Dynatrace_img-log-json_StorageWrite.json", 1},
      {"shaN480-Dynatrace_img-log1_StorageWrite.json", 1},
      {"panther-analysis_rule-tests_storage-resource-logs.ndjson", 11},
  };
  size_t seen = 0;
  for (const auto& path : ::blobwatch::testing::sampleFiles("azure-blob")) {
    if (::blobwatch::testing::isInvalidSample(path) || !isAzureMonitorJson(path)) continue;
    const std::string name = path.filename().string();
    const auto it = expected.find(name);
    ASSERT_NE(it, expected.end()) << "no expected count for " << name;
    ++seen;
    const std::string content = ::blobwatch::testing::readFile(path);
    // Detected from the first bytes, as `blobwatch parse` does.
    const ParsedFile f = ::blobwatch::testing::parseBuffer(content);
    EXPECT_EQ(f.format, Format::kAzureBlob) << name;
    EXPECT_TRUE(f.errors.empty()) << describeErrors(f, name);
    EXPECT_EQ(f.skipped, 0u) << name;
    EXPECT_EQ(f.events.size(), it->second) << name;
    for (size_t i = 0; i < f.events.size(); ++i) {
      const AccessEvent& e = f.events[i];
      const std::string where = name + ":" + std::to_string(f.eventLines[i]);
      EXPECT_EQ(e.provider, Provider::kAzure) << where;
      EXPECT_EQ(e.format, Format::kAzureBlob) << where;
      EXPECT_GE(e.timeUs, utcUs(2022, 1, 1, 0, 0, 0)) << where;
      EXPECT_LT(e.timeUs, utcUs(2026, 1, 1, 0, 0, 0)) << where;
      EXPECT_FALSE(e.rawOperation.empty()) << where;
      EXPECT_FALSE(e.principal.empty()) << where;
      EXPECT_FALSE(e.bucket.empty()) << where;
      EXPECT_FALSE(e.sourceIpText.empty()) << where;
    }
    // The same result when the file arrives 7 bytes at a time.
    const ParsedFile small = ::blobwatch::testing::parseBuffer(content, Format::kAzureBlob, 7);
    EXPECT_EQ(asJson(small), asJson(f)) << name;
    EXPECT_TRUE(small.errors.empty()) << describeErrors(small, name);
  }
  EXPECT_EQ(seen, expected.size());
}

// ---------------------------------------------------------------------------------------------
// Field assertions on samples.

TEST(AzureBlobSamples, SasGetBlobFromBrowserWithRedactedCaller) {
  BLOBWATCH_REQUIRE_SAMPLES();
  const AccessEvent e = onlyEvent(kSasBrowser);
  EXPECT_EQ(e.provider, Provider::kAzure);
  EXPECT_EQ(e.format, Format::kAzureBlob);
  EXPECT_EQ(e.timeUs, utcUs(2022, 7, 5, 11, 47, 39, 604712));  // .6047124: 7 digits truncated
  EXPECT_EQ(e.principal,
            std::string(kSecuraAccount) +
                "/sas:92D630456D3188B7F8F6F4AF99B4FBC8BD9434133587D96FB0FDDFBE12CF6349");
  EXPECT_EQ(e.principalKind, PrincipalKind::kAccount);
  EXPECT_EQ(e.authType, AuthType::kQueryString);
  // "<Redacted>:56029": the text without its port, not an address.
  EXPECT_EQ(e.sourceIpText, "<Redacted>");
  EXPECT_FALSE(e.sourceIp.valid);
  EXPECT_EQ(e.bucket, "securacontainer");
  EXPECT_EQ(e.objectKey, "passwords.txt");
  EXPECT_EQ(e.rawOperation, "GetBlob");
  EXPECT_EQ(e.opClass, OpClass::kRead);
  EXPECT_EQ(e.httpStatus, 200);
  EXPECT_EQ(e.errorCode, "");
  EXPECT_EQ(e.bytesOut, 99);
  EXPECT_EQ(e.bytesIn, -1);
  EXPECT_EQ(e.objectSize, -1);
  EXPECT_EQ(e.userAgent,
            "Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:102.0) Gecko/20100101 Firefox/102.0");
  EXPECT_EQ(e.tlsVersion, "TLS 1.2");
  EXPECT_EQ(e.requestId, "170464ae-101e-004b-6365-90ca9c000000");
}

TEST(AzureBlobSamples, SasRangedRead206) {
  BLOBWATCH_REQUIRE_SAMPLES();
  const AccessEvent e = onlyEvent(kSasRange);
  EXPECT_EQ(e.timeUs, utcUs(2022, 7, 5, 14, 5, 27, 3155));  // .0031555
  EXPECT_EQ(e.httpStatus, 206);
  EXPECT_TRUE(e.success());
  EXPECT_EQ(e.errorCode, "");
  EXPECT_EQ(e.opClass, OpClass::kRead);
  EXPECT_EQ(e.sourceIpText, "52.239.246.0");
  ASSERT_TRUE(e.sourceIp.valid);
  EXPECT_TRUE(e.sourceIp.isV4());
  EXPECT_EQ(e.sourceIp.bytes[12], 52);
  EXPECT_EQ(e.sourceIp.bytes[15], 0);
  // Another SAS token of the same account: another principal.
  EXPECT_EQ(e.principal,
            std::string(kSecuraAccount) +
                "/sas:6E8F3CA186057D666D992DBA4BE9DF6B13FD5F524C8D611C0A3C42327A96BA2C");
  EXPECT_EQ(e.bytesOut, 99);
  EXPECT_EQ(e.userAgent, "services_xstore_transport_HTTP2/1.0");
  EXPECT_EQ(e.requestId, "4402587b-901e-0055-0c78-902644000000");
  EXPECT_EQ(e.bucket, "securacontainer");
  EXPECT_EQ(e.objectKey, "passwords.txt");
}

TEST(AzureBlobSamples, AccountKeyListBlobs) {
  BLOBWATCH_REQUIRE_SAMPLES();
  const AccessEvent e = onlyEvent(kListKey);
  EXPECT_EQ(e.principal, std::string(kSecuraAccount) + "/key1");
  EXPECT_EQ(e.principalKind, PrincipalKind::kAccount);
  EXPECT_EQ(e.authType, AuthType::kHeader);
  EXPECT_EQ(e.timeUs, utcUs(2022, 7, 4, 9, 59, 6, 455375));
  EXPECT_EQ(e.rawOperation, "ListBlobs");
  EXPECT_EQ(e.opClass, OpClass::kList);
  EXPECT_EQ(e.bucket, "securacontainer");  // objectKey "/<account>/securacontainer"
  EXPECT_EQ(e.objectKey, "");
  EXPECT_EQ(e.bytesOut, 879);
  EXPECT_EQ(e.sourceIpText, "<Redacted>");
  EXPECT_EQ(e.requestId, "a5c61a66-e01e-005f-4c8c-8f82f3000000");
}

TEST(AzureBlobSamples, CopyBlobThreeConcatenatedObjects) {
  BLOBWATCH_REQUIRE_SAMPLES();
  const ParsedFile f = parseSample(kCopy, Format::kAzureBlob);
  EXPECT_TRUE(f.errors.empty()) << describeErrors(f, kCopy);
  ASSERT_EQ(f.events.size(), 3u);
  EXPECT_EQ(f.eventLines, (std::vector<uint64_t>{1, 37, 71}));

  const AccessEvent& copy = f.events[0];
  EXPECT_EQ(copy.rawOperation, "CopyBlob");
  EXPECT_EQ(copy.opClass, OpClass::kWrite);
  EXPECT_EQ(copy.httpStatus, 202);
  EXPECT_EQ(copy.bucket, "securaallfunctionappcontainer");
  EXPECT_EQ(copy.objectKey, "passwords.txt");
  EXPECT_EQ(copy.bytesOut, -1);  // no responseBodySize
  EXPECT_EQ(copy.timeUs, utcUs(2022, 7, 5, 12, 32, 21, 457316));

  // The source side: objectKey is the full source URL with a SAS query. Its path gives the
  // container and blob; the query (and the sig in it) is dropped.
  const AccessEvent& src = f.events[1];
  EXPECT_EQ(src.rawOperation, "CopyBlobSource");
  EXPECT_EQ(src.opClass, OpClass::kRead);
  EXPECT_EQ(src.bucket, "securacontainer");
  EXPECT_EQ(src.objectKey, "passwords.txt");
  EXPECT_EQ(src.objectKey.find("sig"), std::string::npos);
  EXPECT_EQ(src.timeUs, utcUs(2022, 7, 5, 12, 32, 21, 457371));

  const AccessEvent& dst = f.events[2];
  EXPECT_EQ(dst.rawOperation, "CopyBlobDestination");
  EXPECT_EQ(dst.opClass, OpClass::kWrite);
  EXPECT_EQ(dst.bucket, "securaallfunctionappcontainer");
  EXPECT_EQ(dst.objectKey, "passwords.txt");

  for (const AccessEvent& e : f.events) {
    EXPECT_EQ(e.requestId, "64b88499-101e-0006-326b-900570000000");
    EXPECT_EQ(e.principal, std::string(kSecuraAccount) + "/key1");
    EXPECT_EQ(e.authType, AuthType::kHeader);
    EXPECT_EQ(e.sourceIpText, "<Redacted>");
    EXPECT_EQ(e.userAgent,
              "Azure-Storage/2.0.0-2.0.1 (Python CPython 3.8.9; Windows 10) AZURECLI/2.34.1 (MSI)");
  }
}

TEST(AzureBlobSamples, DynatraceSetBlobMetadata) {
  BLOBWATCH_REQUIRE_SAMPLES();
  const AccessEvent a = onlyEvent(kDynatrace0);
  const AccessEvent b = onlyEvent(kDynatrace1);
  EXPECT_EQ(a.timeUs, utcUs(2023, 12, 12, 12, 13, 59, 551912));
  EXPECT_EQ(b.timeUs, utcUs(2023, 12, 12, 12, 12, 19, 135760));
  for (const AccessEvent& e : {a, b}) {
    EXPECT_EQ(e.rawOperation, "SetBlobMetadata");
    EXPECT_EQ(e.opClass, OpClass::kWrite);
    EXPECT_EQ(e.principal, "functiondynatracesa4ni6/key1");
    EXPECT_EQ(e.bucket, "azure-webjobs-eventhub");
    // objectKey has a literal '$' (the uri has %24).
    EXPECT_EQ(e.objectKey, "nippon.servicebus.windows.net/http/$default/checkpoint/0");
    EXPECT_EQ(e.sourceIpText, "10.50.0.204");
    EXPECT_TRUE(e.sourceIp.valid);
    EXPECT_EQ(e.httpStatus, 200);
  }
  EXPECT_EQ(a.requestId, "4dff5193-801e-001e-22f4-2c3e77000000");
  EXPECT_EQ(b.requestId, "4dfed43b-801e-001e-47f4-2c3e77000000");
}

TEST(AzureBlobSamples, PantherRecords) {
  BLOBWATCH_REQUIRE_SAMPLES();
  // Line 1: no identity, no statusCode, no correlationId; 3 fractional digits.
  const AccessEvent del = pantherEvent(1);
  EXPECT_EQ(del.timeUs, utcUs(2024, 12, 19, 16, 37, 59, 255000));
  EXPECT_EQ(del.rawOperation, "DeleteBlob");
  EXPECT_EQ(del.opClass, OpClass::kDelete);
  EXPECT_EQ(del.httpStatus, -1);
  EXPECT_EQ(del.principal, "unknown");
  EXPECT_EQ(del.principalKind, PrincipalKind::kUnknown);
  EXPECT_EQ(del.authType, AuthType::kUnknown);
  EXPECT_EQ(del.requestId, "");
  EXPECT_EQ(del.bucket, "corporate-files");
  EXPECT_EQ(del.objectKey, "documents/internal_doc_13.txt");
  EXPECT_EQ(del.sourceIpText, "5.5.5.5");
  EXPECT_EQ(del.tlsVersion, "TLS 1.3");

  // Line 3: SAS whose tokenHash has no SasSignature part; 409 with an error status text.
  const AccessEvent cse = pantherEvent(3);
  EXPECT_EQ(cse.principal, "mystorageaccount/sas");
  EXPECT_EQ(cse.authType, AuthType::kQueryString);
  EXPECT_EQ(cse.rawOperation, "GetBlobMetadata");
  EXPECT_EQ(cse.opClass, OpClass::kHead);
  EXPECT_EQ(cse.httpStatus, 409);
  EXPECT_EQ(cse.errorCode, "BlobUsesCustomerSpecifiedEncryption");
  EXPECT_EQ(cse.requestId, "a1b2c3d4-e5f6-7890-abcd-ef1234567890");

  // Line 4: GetBlobProperties is a head.
  EXPECT_EQ(pantherEvent(4).opClass, OpClass::kHead);

  // Line 5: 403 AuthorizationPermissionMismatch.
  const AccessEvent denied = pantherEvent(5);
  EXPECT_EQ(denied.httpStatus, 403);
  EXPECT_EQ(denied.errorCode, "AuthorizationPermissionMismatch");
  EXPECT_FALSE(denied.success());
  EXPECT_EQ(denied.bucket, "test");

  // Line 7: no identity, but the uri carries a SAS sig: a SAS request of the account.
  const AccessEvent sas = pantherEvent(7);
  EXPECT_EQ(sas.principal, "criticaldata001/sas");
  EXPECT_EQ(sas.principalKind, PrincipalKind::kAccount);
  EXPECT_EQ(sas.authType, AuthType::kQueryString);
  EXPECT_EQ(sas.timeUs, utcUs(2025, 1, 28, 15, 30, 0));
  EXPECT_EQ(sas.bucket, "backups");
  EXPECT_EQ(sas.objectKey, "data.zip");

  // Line 10: AccountKey without a tokenHash: which key is unknown.
  const AccessEvent key = pantherEvent(10);
  EXPECT_EQ(key.principal, "publicdata/key");
  EXPECT_EQ(key.authType, AuthType::kHeader);
  EXPECT_EQ(key.userAgent, "Microsoft.Azure.Storage/9.0");

  // Line 11: 403 AuthenticationFailed.
  const AccessEvent failed = pantherEvent(11);
  EXPECT_EQ(failed.errorCode, "AuthenticationFailed");
  EXPECT_EQ(failed.httpStatus, 403);
  EXPECT_EQ(failed.principal, "securedata/sas");
}

// ---------------------------------------------------------------------------------------------
// Synthetic records.

OneRecord parseRecord(std::string_view json) {
  AzureBlobParser parser;
  return parseOne(parser, json);
}

AccessEvent parseOk(std::string_view json) {
  const OneRecord r = parseRecord(json);
  EXPECT_EQ(r.code, ParseErrc::kOk) << r.detail << "\n" << json;
  EXPECT_EQ(r.events.size(), 1u) << json;
  return r.events.empty() ? AccessEvent{} : r.events.front();
}

// One GetBlob record on one line.
std::string record(std::string_view identity, std::string_view caller = "198.51.100.7:50000",
                   std::string_view statusText = "Success", std::string_view extra = "") {
  std::string s = R"({"time":"2024-05-01T10:00:00.1234567Z",)";
  s += R"("resourceId":"/subscriptions/s/resourceGroups/rg/providers/Microsoft.Storage/)";
  s += R"(storageAccounts/acct1/blobServices/default","category":"StorageRead",)";
  s += R"("operationName":"GetBlob","statusCode":200,"statusText":")";
  s += statusText;
  s += R"(","callerIpAddress":")";
  s += caller;
  s += R"(","correlationId":"corr-1",)";
  if (!identity.empty()) {
    s += R"("identity":)";
    s += identity;
    s += ",";
  }
  s += R"("properties":{"accountName":"acct1","objectKey":"/acct1/cont/dir/file.txt",)";
  s += R"("userAgentHeader":"ua/1","responseBodySize":12,"tlsVersion":"TLS 1.3"})";
  s += extra;
  s += "}";
  return s;
}

TEST(AzureBlobSynthetic, AnonymousRecord) {
  const AccessEvent e =
      parseOk(record(R"({"type":"Anonymous"})", "203.0.113.9:1234", "AnonymousSuccess"));
  EXPECT_EQ(e.principal, "anonymous");
  EXPECT_EQ(e.principalKind, PrincipalKind::kAnonymous);
  EXPECT_EQ(e.authType, AuthType::kAnonymous);
  EXPECT_EQ(e.errorCode, "");  // AnonymousSuccess is a success
  EXPECT_EQ(e.httpStatus, 200);
  EXPECT_EQ(e.timeUs, utcUs(2024, 5, 1, 10, 0, 0, 123456));
  EXPECT_EQ(e.sourceIpText, "203.0.113.9");
  EXPECT_TRUE(e.sourceIp.valid);
  EXPECT_EQ(e.bucket, "cont");
  EXPECT_EQ(e.objectKey, "dir/file.txt");
  EXPECT_EQ(e.bytesOut, 12);
  EXPECT_EQ(e.userAgent, "ua/1");
  EXPECT_EQ(e.tlsVersion, "TLS 1.3");
  EXPECT_EQ(e.requestId, "corr-1");

  // No identity object, but an anonymous status text.
  const AccessEvent inferred = parseOk(record("", "203.0.113.9:1234", "AnonymousSuccess"));
  EXPECT_EQ(inferred.principal, "anonymous");
  EXPECT_EQ(inferred.authType, AuthType::kAnonymous);
}

TEST(AzureBlobSynthetic, OAuthIdentities) {
  // With a upn: the upn, a user.
  const AccessEvent upn = parseOk(
      record(R"({"type":"OAuth","tokenHash":"ABCDEF","requester":{"appId":"app-1",)"
             R"("audience":"https://storage.azure.com/","objectId":"oid-1","tenantId":"t-1",)"
             R"("tokenIssuer":"https://sts.windows.net/t-1/","upn":"alice@contoso.com"}})",
             "198.51.100.7:50000", "OAuthSuccess"));
  EXPECT_EQ(upn.principal, "alice@contoso.com");
  EXPECT_EQ(upn.principalKind, PrincipalKind::kUser);
  EXPECT_EQ(upn.authType, AuthType::kHeader);
  EXPECT_EQ(upn.errorCode, "");

  // No upn but a uniqueName (some token versions): the uniqueName; the upn wins when both are
  // there, in either order.
  const AccessEvent unique = parseOk(record(
      R"({"type":"OAuth","requester":{"objectId":"oid-9","uniqueName":"carol@contoso.com"}})"));
  EXPECT_EQ(unique.principal, "carol@contoso.com");
  EXPECT_EQ(unique.principalKind, PrincipalKind::kUser);
  EXPECT_EQ(
      parseOk(record(R"({"type":"OAuth","requester":{"uniqueName":"u@x","upn":"p@x"}})")).principal,
      "p@x");
  EXPECT_EQ(
      parseOk(record(R"({"type":"OAuth","requester":{"upn":"p@x","uniqueName":"u@x"}})")).principal,
      "p@x");

  // An application: appId and objectId, no upn.
  const AccessEvent app = parseOk(record(
      R"({"type":"OAuth","requester":{"appId":"app-2","objectId":"oid-2","tenantId":"t"}})"));
  EXPECT_EQ(app.principal, "oid:oid-2");
  EXPECT_EQ(app.principalKind, PrincipalKind::kService);
  EXPECT_EQ(app.authType, AuthType::kHeader);

  // The documented shape: no upn, but the RBAC principal says User.
  const AccessEvent user = parseOk(record(
      R"({"authorization":[{"action":"Microsoft.Storage/storageAccounts/blobServices/)"
      R"(containers/blobs/read","principals":[{"id":"oid-3","type":"User"}],)"
      R"("result":"Granted","type":"RBAC"}],"requester":{"appId":"portal","objectId":"oid-3"},)"
      R"("type":"OAuth"})"));
  EXPECT_EQ(user.principal, "oid:oid-3");
  EXPECT_EQ(user.principalKind, PrincipalKind::kUser);

  // Kerberos names its caller the same way.
  const AccessEvent krb =
      parseOk(record(R"({"type":"Kerberos","requester":{"objectId":"o","upn":"bob@corp"}})"));
  EXPECT_EQ(krb.principal, "bob@corp");
  EXPECT_EQ(krb.principalKind, PrincipalKind::kUser);
  EXPECT_EQ(krb.authType, AuthType::kHeader);
}

TEST(AzureBlobSynthetic, KeysAndSas) {
  const AccessEvent key2 = parseOk(record(R"j({"type":"AccountKey","tokenHash":"key2(AB12)"})j"));
  EXPECT_EQ(key2.principal, "acct1/key2");
  EXPECT_EQ(key2.principalKind, PrincipalKind::kAccount);
  const AccessEvent sas =
      parseOk(record(R"j({"type":"SAS","tokenHash":"key2(AB12),SasSignature(CD34)"})j"));
  EXPECT_EQ(sas.principal, "acct1/sas:CD34");
  EXPECT_EQ(sas.authType, AuthType::kQueryString);

  // The account comes from resourceId when properties has no accountName.
  std::string noName = record(R"j({"type":"AccountKey","tokenHash":"key1(AB12)"})j");
  const std::string acct = R"("accountName":"acct1",)";
  noName.erase(noName.find(acct), acct.size());
  noName.replace(noName.find("storageAccounts/acct1/"), 22, "storageAccounts/other/");
  EXPECT_EQ(parseOk(noName).principal, "other/key1");
}

TEST(AzureBlobSynthetic, CallerAddresses) {
  const AccessEvent v6 = parseOk(record(R"({"type":"Anonymous"})", "[2001:db8::1]:443"));
  EXPECT_EQ(v6.sourceIpText, "2001:db8::1");
  ASSERT_TRUE(v6.sourceIp.valid);
  EXPECT_FALSE(v6.sourceIp.isV4());
  EXPECT_EQ(v6.sourceIp.bytes[0], 0x20);
  EXPECT_EQ(v6.sourceIp.bytes[1], 0x01);
  EXPECT_EQ(v6.sourceIp.bytes[2], 0x0d);
  EXPECT_EQ(v6.sourceIp.bytes[3], 0xb8);
  EXPECT_EQ(v6.sourceIp.bytes[15], 0x01);

  const AccessEvent bare = parseOk(record(R"({"type":"Anonymous"})", "2001:db8::2"));
  EXPECT_EQ(bare.sourceIpText, "2001:db8::2");
  ASSERT_TRUE(bare.sourceIp.valid);
  EXPECT_EQ(bare.sourceIp.bytes[15], 0x02);

  const AccessEvent v4 = parseOk(record(R"({"type":"Anonymous"})", "192.0.2.44"));
  EXPECT_EQ(v4.sourceIpText, "192.0.2.44");
  EXPECT_TRUE(v4.sourceIp.valid);

  const AccessEvent redacted = parseOk(record(R"({"type":"Anonymous"})", "<Redacted>:1"));
  EXPECT_EQ(redacted.sourceIpText, "<Redacted>");
  EXPECT_FALSE(redacted.sourceIp.valid);
}

TEST(AzureBlobSynthetic, RecordsEnvelope) {
  const std::string a = record(R"j({"type":"AccountKey","tokenHash":"key1(X)"})j");
  std::string b = record(R"({"type":"Anonymous"})", "203.0.113.1:9", "AnonymousSuccess");
  b.replace(b.find("GetBlob"), 7, "PutBlob");
  const OneRecord r = parseRecord(R"({"records":[)" + a + "," + b + "]}");
  EXPECT_EQ(r.code, ParseErrc::kOk) << r.detail;
  ASSERT_EQ(r.events.size(), 2u);
  EXPECT_EQ(r.events[0].principal, "acct1/key1");
  EXPECT_EQ(r.events[0].opClass, OpClass::kRead);
  EXPECT_EQ(r.events[1].principal, "anonymous");
  EXPECT_EQ(r.events[1].rawOperation, "PutBlob");
  EXPECT_EQ(r.events[1].opClass, OpClass::kWrite);

  // Pretty-printed across lines through the framing: both events on line 1, the next record on
  // line 6, whatever the read size.
  const std::string doc = "{\n \"records\": [\n" + a + ",\n" + b + "]\n}\n" + a + "\n";
  for (const size_t chunk : {size_t{1} << 20, size_t{7}, size_t{1}}) {
    const ParsedFile f = ::blobwatch::testing::parseBuffer(doc, Format::kAzureBlob, chunk);
    EXPECT_TRUE(f.errors.empty()) << describeErrors(f, "doc");
    EXPECT_EQ(f.eventLines, (std::vector<uint64_t>{1, 1, 6})) << chunk;
  }

  // Other categories in the same sink are not access events.
  std::string admin = a;
  admin.replace(admin.find("StorageRead"), 11, "Administrative");
  const OneRecord mixed = parseRecord(R"({"records":[)" + admin + "," + b + "]}");
  EXPECT_EQ(mixed.code, ParseErrc::kOk);
  EXPECT_EQ(mixed.events.size(), 1u);
  const OneRecord onlyAdmin = parseRecord(admin);
  EXPECT_EQ(onlyAdmin.code, ParseErrc::kNotAccessEvent);
  EXPECT_TRUE(onlyAdmin.events.empty());
  const OneRecord empty = parseRecord(R"({"records":[]})");
  EXPECT_EQ(empty.code, ParseErrc::kNotAccessEvent);
}

TEST(AzureBlobSynthetic, ABadElementOfRecordsDoesNotDropTheOthers) {
  const std::string first = record(R"({"type":"Anonymous"})", "198.51.100.1:1");
  const std::string last = record(R"({"type":"Anonymous"})", "198.51.100.2:1");
  std::string noOp = record(R"({"type":"Anonymous"})", "198.51.100.3:1");
  const std::string opField = R"("operationName":"GetBlob",)";
  noOp.erase(noOp.find(opField), opField.size());
  const OneRecord r = parseRecord(R"({"records":[)" + first + "," + noOp + ",7," + last + "]}");
  EXPECT_EQ(r.code, ParseErrc::kMissingField) << r.detail;  // the first error is the record's
  EXPECT_STREQ(r.detail.c_str(), "operationName is missing");
  ASSERT_EQ(r.events.size(), 2u);
  EXPECT_EQ(r.events[0].sourceIpText, "198.51.100.1");
  EXPECT_EQ(r.events[1].sourceIpText, "198.51.100.2");
  const OneRecord scalarFirst = parseRecord(R"({"records":["x",)" + last + "]}");
  EXPECT_EQ(scalarFirst.code, ParseErrc::kSyntax);
  EXPECT_EQ(scalarFirst.events.size(), 1u);
}

TEST(AzureBlobSynthetic, StatusCodes) {
  std::string unknown = record(R"({"type":"Anonymous"})", "198.51.100.7:1", "NetworkError");
  unknown.replace(unknown.find("\"statusCode\":200"), 16, "\"statusCode\":\"Unknown\"");
  const AccessEvent u = parseOk(unknown);
  EXPECT_EQ(u.httpStatus, -1);
  EXPECT_EQ(u.errorCode, "NetworkError");
  EXPECT_FALSE(u.success());

  std::string text = record(R"({"type":"Anonymous"})");
  text.replace(text.find("\"statusCode\":200"), 16, "\"statusCode\":\"404\"");
  EXPECT_EQ(parseOk(text).httpStatus, 404);

  for (const char* ok : {"Success", "SASSuccess", "OAuthSuccess", "AnonymousSuccess"}) {
    EXPECT_EQ(parseOk(record(R"({"type":"Anonymous"})", "1.2.3.4:5", ok)).errorCode, "") << ok;
  }
}

TEST(AzureBlobSynthetic, OperationsKeysAndSizes) {
  struct Case {
    const char* op;
    OpClass cls;
  };
  for (const Case& c : {
           Case{"SetContainerACL", OpClass::kPolicy},
           Case{"SetBlobServiceProperties", OpClass::kOther},
           Case{"GetContainerProperties", OpClass::kHead},
           Case{"ListContainers", OpClass::kList},
           Case{"DeleteContainer", OpClass::kDelete},
           Case{"PutBlockList", OpClass::kWrite},
           Case{"AppendBlock", OpClass::kWrite},
           Case{"PutPage", OpClass::kWrite},
           Case{"SetBlobTier", OpClass::kWrite},
           Case{"SetBlobProperties", OpClass::kWrite},
           Case{"AcquireBlobLease", OpClass::kOther},
       }) {
    std::string s = record(R"({"type":"Anonymous"})");
    s.replace(s.find("\"GetBlob\""), 9, std::string("\"") + c.op + "\"");
    const AccessEvent e = parseOk(s);
    EXPECT_EQ(e.rawOperation, c.op);
    EXPECT_EQ(e.opClass, c.cls) << c.op;
  }

  // Percent-decoded once; an account-level key gives no container.
  std::string enc = record(R"({"type":"Anonymous"})");
  enc.replace(enc.find("/acct1/cont/dir/file.txt"), 24, "/acct1/cont/dir%20a/b%2520c");
  EXPECT_EQ(parseOk(enc).objectKey, "dir a/b%20c");
  std::string svc = record(R"({"type":"Anonymous"})");
  svc.replace(svc.find("/acct1/cont/dir/file.txt"), 24, "/acct1");
  const AccessEvent s = parseOk(svc);
  EXPECT_EQ(s.bucket, "");
  EXPECT_EQ(s.objectKey, "");

  // requestBodySize, else contentLengthHeader for writes only.
  std::string put =
      record(R"({"type":"Anonymous"})", "1.2.3.4:5", "Success", R"(,"x":{"requestBodySize":1})");
  put.replace(put.find("\"GetBlob\""), 9, "\"PutBlob\"");
  put.replace(put.find("\"responseBodySize\":12"), 21, "\"contentLengthHeader\":77");
  EXPECT_EQ(parseOk(put).bytesIn, 77);  // the nested x.requestBodySize is not properties'
  std::string both = put;
  both.replace(both.find("\"contentLengthHeader\":77"), 24,
               "\"contentLengthHeader\":77,\"requestBodySize\":70");
  EXPECT_EQ(parseOk(both).bytesIn, 70);
  std::string get = record(R"({"type":"Anonymous"})");
  get.replace(get.find("\"responseBodySize\":12"), 21, "\"contentLengthHeader\":77");
  EXPECT_EQ(parseOk(get).bytesIn, -1);
}

TEST(AzureBlobSynthetic, MissingOrBadFields) {
  const std::string good = record(R"({"type":"Anonymous"})");
  std::string noTime = good;
  const std::string timeField = R"("time":"2024-05-01T10:00:00.1234567Z",)";
  noTime.erase(noTime.find(timeField), timeField.size());
  const OneRecord m = parseRecord(noTime);
  EXPECT_EQ(m.code, ParseErrc::kMissingField) << m.detail;
  EXPECT_TRUE(m.events.empty());

  std::string badTime = good;
  badTime.replace(badTime.find("2024-05-01T10:00:00.1234567Z"), 28, "7/5/2022 12:32:21 PM");
  const OneRecord b = parseRecord(badTime);
  EXPECT_EQ(b.code, ParseErrc::kBadField) << b.detail;
  EXPECT_TRUE(b.events.empty());

  std::string noOp = good;
  const std::string opField = R"("operationName":"GetBlob",)";
  noOp.erase(noOp.find(opField), opField.size());
  const OneRecord n = parseRecord(noOp);
  EXPECT_EQ(n.code, ParseErrc::kMissingField) << n.detail;
  EXPECT_STREQ(n.detail.c_str(), "operationName is missing");
}

TEST(AzureBlobSynthetic, MalformedRecordsAreErrorsNotCrashes) {
  const std::string one = record(R"({"type":"Anonymous"})");
  for (const std::string& bad : {
           one + one,          // two objects on one line
           one.substr(0, 90),  // truncated
           std::string(R"({"records":[1,2]})"),
           std::string(R"({"records":{"a":1}})"),
           std::string("[1,2,3]"),
           std::string("\"just a string\""),
           std::string("1.0;2014-06-19T22:59:23.1967767Z;GetBlob"),
           std::string(R"({"time":"2024-05-01T10:00:00Z","operationName":"GetBlob")"),
       }) {
    const OneRecord r = parseRecord(bad);
    EXPECT_TRUE(r.code == ParseErrc::kSyntax || r.code == ParseErrc::kBadField)
        << static_cast<int>(r.code) << " " << r.detail << "\n"
        << bad;
  }
  EXPECT_EQ(parseRecord(R"({"records":{"a":1}})").code, ParseErrc::kBadField);
  EXPECT_EQ(parseRecord("[1,2,3]").code, ParseErrc::kSyntax);
  EXPECT_EQ(parseRecord("   ").code, ParseErrc::kEmpty);

  for (const size_t chunk : {size_t{1} << 20, size_t{7}, size_t{1}}) {
    const ParsedFile f = ::blobwatch::testing::parseBuffer(
        one + "\n" + one + one + "\n" + one + "\n", Format::kAzureBlob, chunk);
    ASSERT_EQ(f.errors.size(), 1u) << chunk;
    EXPECT_EQ(f.errors[0].line, 2u) << chunk;
    EXPECT_EQ(f.errors[0].code, ParseErrc::kSyntax) << chunk;
    EXPECT_EQ(f.eventLines, (std::vector<uint64_t>{1, 3})) << chunk;
  }
}

TEST(AzureBlobSynthetic, ParserReuse) {
  AzureBlobParser parser;
  const OneRecord a = parseOne(parser, record(R"j({"type":"AccountKey","tokenHash":"key1(X)"})j"));
  ASSERT_EQ(a.events.size(), 1u);
  EXPECT_EQ(a.events[0].tlsVersion, "TLS 1.3");
  std::string bare = R"({"time":"2024-05-01T10:00:00Z","operationName":"ListContainers",)"
                     R"("category":"StorageRead","identity":{"type":"Anonymous"}})";
  const OneRecord b = parseOne(parser, bare);
  ASSERT_EQ(b.events.size(), 1u);
  EXPECT_EQ(b.events[0].tlsVersion, "");
  EXPECT_EQ(b.events[0].bucket, "");
  EXPECT_EQ(b.events[0].bytesOut, -1);
  EXPECT_EQ(b.events[0].requestId, "");
  EXPECT_EQ(b.events[0].sourceIpText, "");
  EXPECT_FALSE(b.events[0].sourceIp.valid);
  EXPECT_EQ(b.events[0].principal, "anonymous");
}

}  // namespace
}  // namespace blobwatch::schemas
