// One story, rendered in each of the seven log formats, parsed by the real framing + parser and
// run through the detection engine with the default configuration. Every format that carries the
// fields a detector needs must reach the same decisions; where a format cannot support a detector
// (schemas/FIELDS.md, "Detectors supported"), the test asserts the reason, not just the absence.
//
// The renderers below write our own records in the shape the real logs have (see
// ../shared/samples/FORMATS.md); no third-party sample is copied.

#include <gtest/gtest.h>

#include <algorithm>
#include <cstdio>
#include <functional>
#include <string>
#include <utility>
#include <vector>

#include "detectors/engine.h"
#include "detectors/memory_state_store.h"
#include "schemas/access_event.h"
#include "schemas/format_detect.h"
#include "schemas/text.h"
#include "tests/support/log_lines.h"
#include "tests/support/parse_util.h"

namespace blobwatch::detectors {
namespace {

using schemas::AccessEvent;
using schemas::Format;
using schemas::PrincipalKind;

// ---------------------------------------------------------------------------------------------
// The story

constexpr int64_t kSecondUs = 1'000'000;
constexpr int64_t kMinuteUs = 60 * kSecondUs;
constexpr int64_t kHourUs = 60 * kMinuteUs;
constexpr int64_t kDay1 = 1'740'960'000LL * kSecondUs;  // 2025-03-03T00:00:00Z

enum class Actor { kCi, kBackup, kAnonymous };
enum class Op { kRead, kList, kWrite };

struct Request {
  int64_t timeUs = 0;
  Actor actor = Actor::kCi;
  std::string ip;
  std::string bucket;  // the bucket, or the Azure container
  std::string key;     // "" for a list
  Op op = Op::kRead;
  int status = 200;
  int64_t bytesOut = 0;  // response body bytes
  int64_t bytesIn = 0;   // request body bytes (writes)
};

struct Story {
  std::vector<Request> requests;  // in time order
  int64_t unknownIpUs = 0;        // ci's first request from its new address
  int64_t bulkUs = 0;             // backup's 101st read of the bulk window
  int64_t anonymousReadUs = 0;    // the anonymous successful read
  int64_t anonymousDeniedUs = 0;  // the anonymous denied read
};

constexpr const char* kBucket = "acme-artifacts";
constexpr const char* kCiRunnerIp = "192.0.2.10";  // ci's runner
constexpr const char* kCiNewIp = "203.0.113.77";   // day 3: an address ci never used
constexpr const char* kBackupIp = "198.51.100.20";
constexpr const char* kAnonymousIp = "198.51.100.99";
constexpr int64_t kMiB = 1 << 20;

Story makeStory() {
  Story s;
  auto add = [&](int64_t t, Actor a, const std::string& ip, std::string key, Op op, int status,
                 int64_t out, int64_t in = 0) {
    Request r;
    r.timeUs = t;
    r.actor = a;
    r.ip = ip;
    r.bucket = kBucket;
    r.key = std::move(key);
    r.op = op;
    r.status = status;
    r.bytesOut = out;
    r.bytesIn = in;
    s.requests.push_back(std::move(r));
  };

  // Days 1-2: ci lists, reads and writes build artifacts every hour from its runner. Its first
  // request starts the 24 h learning period.
  for (int h = 0; h < 48; ++h) {
    const int64_t t = kDay1 + h * kHourUs + 7 * kMinuteUs;
    const std::string key = "builds/app-" + std::to_string(h / 3) + ".tar.gz";
    switch (h % 3) {
      case 0:
        add(t, Actor::kCi, kCiRunnerIp, "", Op::kList, 200, 3120);
        break;
      case 1:
        add(t, Actor::kCi, kCiRunnerIp, key, Op::kRead, 200, 48 * 1024 + h);
        break;
      default:
        add(t, Actor::kCi, kCiRunnerIp, key, Op::kWrite, 200, 0, 3 * kMiB / 2 + h);
        break;
    }
  }
  // Day 3: ci reads from a new internet address (unknown_ip), then writes from it (already
  // known: no second alert) and goes back to its runner.
  s.unknownIpUs = kDay1 + 50 * kHourUs + 30 * kMinuteUs;
  add(s.unknownIpUs, Actor::kCi, kCiNewIp, "builds/app-15.tar.gz", Op::kRead, 200, 48 * 1024);
  add(s.unknownIpUs + kMinuteUs, Actor::kCi, kCiNewIp, "builds/app-16.tar.gz", Op::kWrite, 200, 0,
      3 * kMiB / 2);
  add(s.unknownIpUs + 2 * kHourUs, Actor::kCi, kCiRunnerIp, "", Op::kList, 200, 3120);

  // backup: quiet 15-minute windows of three small reads...
  const int quietHours[] = {1, 5, 9, 13, 17, 21, 24 + 1};
  for (int h : quietHours) {
    for (int i = 0; i < 3; ++i) {
      add(kDay1 + h * kHourUs + (30 + 180 * i) * kSecondUs, Actor::kBackup, kBackupIp,
          "db/index-" + std::to_string(i) + ".json", Op::kRead, 200, 6 * 1024 + i);
    }
  }
  // ...then one window (day 2, 04:00-04:15) with 150 reads of 2 MiB, 5 s apart. The floors are
  // 100 objects and 100 MiB: the bytes pass at the 51st read, the objects at the 101st.
  const int64_t bulkStart = kDay1 + 28 * kHourUs + 10 * kSecondUs;
  for (int i = 0; i < 150; ++i) {
    char key[64];
    std::snprintf(key, sizeof(key), "db/2025-03-04/chunk-%04d.bin", i);
    add(bulkStart + i * 5 * kSecondUs, Actor::kBackup, kBackupIp, key, Op::kRead, 200, 2 * kMiB);
  }
  s.bulkUs = bulkStart + 100 * 5 * kSecondUs;

  // Day 2, noon: an anonymous read of a public object succeeds; one of a private object is denied.
  s.anonymousReadUs = kDay1 + 36 * kHourUs + 20 * kMinuteUs;
  s.anonymousDeniedUs = s.anonymousReadUs + kMinuteUs;
  add(s.anonymousReadUs, Actor::kAnonymous, kAnonymousIp, "public/logo.png", Op::kRead, 200, 5120);
  add(s.anonymousDeniedUs, Actor::kAnonymous, kAnonymousIp, "private/db-dump.sql", Op::kRead, 403,
      243);

  std::stable_sort(s.requests.begin(), s.requests.end(),
                   [](const Request& a, const Request& b) { return a.timeUs < b.timeUs; });
  return s;
}

bool isAnonymousDenied(const Request& r) { return r.actor == Actor::kAnonymous && r.status >= 400; }

// ---------------------------------------------------------------------------------------------
// Rendering helpers

// RFC 3339 UTC with `digits` fractional digits (0: none).
std::string isoTime(int64_t timeUs, int digits) {
  std::string t;
  schemas::formatRfc3339(timeUs, t);  // YYYY-MM-DDTHH:MM:SS.ffffffZ
  std::string out = t.substr(0, 19);
  if (digits > 0) {
    std::string frac = t.substr(20, 6);
    frac.resize(static_cast<size_t>(digits), '0');
    out += '.';
    out += frac;
  }
  out += 'Z';
  return out;
}

// A GUID-shaped id derived from `n` (deterministic).
std::string guid(uint64_t prefix, size_t n) {
  char buf[48];
  std::snprintf(buf, sizeof(buf), "%08llx-%04x-%04x-%04x-%012llx",
                static_cast<unsigned long long>(prefix), static_cast<unsigned>(n % 0xffff),
                0x4000u | static_cast<unsigned>(n % 0xfff), 0x8000u | static_cast<unsigned>(n % 7),
                static_cast<unsigned long long>(0x5c4d00000000ULL + n));
  return buf;
}

std::string hexId(uint64_t base, size_t n, int width) {
  char buf[40];
  std::snprintf(buf, sizeof(buf), "%0*llX", width, static_cast<unsigned long long>(base + n));
  return buf;
}

std::string num(int64_t v) { return std::to_string(v); }

// The request's client port, varied per request as real clients do.
std::string port(size_t i) { return std::to_string(49152 + (i * 37) % 16000); }

// ---------------------------------------------------------------------------------------------
// s3-access: 26-field lines (through aclRequired), virtual-hosted style.

std::string renderS3Access(const Story& s) {
  std::string out;
  for (size_t i = 0; i < s.requests.size(); ++i) {
    const Request& r = s.requests[i];
    const bool anonymous = r.actor == Actor::kAnonymous;
    const std::string requester =
        r.actor == Actor::kCi ? "arn:aws:iam::111122223333:user/ci"
        : r.actor == Actor::kBackup
            ? "arn:aws:sts::111122223333:assumed-role/backup/i-0a1b2c3d4e5f60718"
            : "-";
    const std::string ua = r.actor == Actor::kCi ? "aws-cli/2.17.60 md/awscrt#0.21.2 ua/2.0"
                           : r.actor == Actor::kBackup
                               ? "aws-sdk-go-v2/1.30.3 os/linux lang/go#1.22.5 restic/0.17.0"
                               : "curl/8.5.0";
    std::string operation, key = "-", uri;
    switch (r.op) {
      case Op::kRead:
        operation = "REST.GET.OBJECT";
        key = r.key;
        uri = "GET /" + r.key + " HTTP/1.1";
        break;
      case Op::kList:
        operation = "REST.GET.BUCKET";
        uri = "GET /?list-type=2&prefix=builds%2F&encoding-type=url HTTP/1.1";
        break;
      case Op::kWrite:
        operation = "REST.PUT.OBJECT";
        key = r.key;
        uri = "PUT /" + r.key + " HTTP/1.1";
        break;
    }
    const bool ok = r.status < 300;
    const std::string bytesSent = r.bytesOut == 0 ? "-" : num(r.bytesOut);
    const std::string objectSize = !ok                  ? "-"
                                   : r.op == Op::kRead  ? num(r.bytesOut)
                                   : r.op == Op::kWrite ? num(r.bytesIn)
                                                        : "-";
    out += "79a59df900b949e55d96a1e698fbacedfd6e09d98eacf8f8d5218e7cd47ef2be " + r.bucket + " [" +
           testing::clfTime(r.timeUs) + "] " + r.ip + " " + requester + " " +
           hexId(0x3E57427F30000000ULL, i, 16) + " " + operation + " " + key + " \"" + uri + "\" " +
           num(r.status) + " " + (ok ? "-" : "AccessDenied") + " " + bytesSent + " " + objectSize +
           " " + num(12 + static_cast<int64_t>(i % 30)) + " " + (r.op == Op::kWrite ? "-" : "8") +
           " \"-\" \"" + ua + "\" - " +
           "s9lzHYrFp76ZVxRcpX9+5cjAnEH2ROuNkd2BHfIa6UkFVdtjf5mKR3/eTPFvsiP/XV/VLi" +
           hexId(0, i, 4) + "= " + (anonymous ? "-" : "SigV4") + " TLS_AES_128_GCM_SHA256 " +
           (anonymous ? "-" : "AuthHeader") + " " + r.bucket +
           ".s3.us-east-1.amazonaws.com TLSv1.3 - -\n";
  }
  return out;
}

// ---------------------------------------------------------------------------------------------
// cloudtrail: S3 data events, one bare event per line (NDJSON).

std::string renderCloudTrail(const Story& s) {
  std::string out;
  for (size_t i = 0; i < s.requests.size(); ++i) {
    const Request& r = s.requests[i];
    std::string identity, ua;
    switch (r.actor) {
      case Actor::kCi:
        identity =
            "{\"type\":\"IAMUser\",\"principalId\":\"AIDAQXYZCIEXAMPLE0001\",\"arn\":\"arn:aws:"
            "iam::111122223333:user/ci\",\"accountId\":\"111122223333\",\"accessKeyId\":"
            "\"AKIAQXYZCIEXAMPLE001\",\"userName\":\"ci\"}";
        ua = "[aws-cli/2.17.60 md/awscrt#0.21.2 ua/2.0 os/linux#6.5.0 md/arch#x86_64 "
             "lang/python#3.12.6]";
        break;
      case Actor::kBackup:
        identity =
            "{\"type\":\"AssumedRole\",\"principalId\":\"AROAQXYZBACKUPEXAMPLE:i-"
            "0a1b2c3d4e5f60718\",\"arn\":\"arn:aws:sts::111122223333:assumed-role/backup/"
            "i-0a1b2c3d4e5f60718\",\"accountId\":\"111122223333\",\"accessKeyId\":"
            "\"ASIAQXYZBACKUPEX0001\",\"sessionContext\":{\"sessionIssuer\":{\"type\":\"Role\","
            "\"principalId\":\"AROAQXYZBACKUPEXAMPLE\",\"arn\":\"arn:aws:iam::111122223333:role/"
            "backup\",\"accountId\":\"111122223333\",\"userName\":\"backup\"},\"attributes\":{"
            "\"creationDate\":\"2025-03-03T00:00:00Z\",\"mfaAuthenticated\":\"false\"},"
            "\"ec2RoleDelivery\":\"2.0\"}}";
        ua = "[aws-sdk-go-v2/1.30.3 os/linux lang/go#1.22.5 restic/0.17.0]";
        break;
      case Actor::kAnonymous:
        identity = testing::kAnonymousIdentity;
        ua = "[curl/8.5.0]";
        break;
    }
    const bool ok = r.status < 300;
    const std::string name = r.op == Op::kRead   ? "GetObject"
                             : r.op == Op::kList ? "ListObjects"
                                                 : "PutObject";
    std::string params = "{";
    if (r.op == Op::kList) params += "\"list-type\":\"2\",\"prefix\":\"builds/\",";
    params += "\"bucketName\":\"" + r.bucket + "\",\"Host\":\"" + r.bucket +
              ".s3.us-east-1.amazonaws.com\"";
    if (r.op != Op::kList) params += ",\"key\":\"" + r.key + "\"";
    params += "}";
    std::string extra = "{";
    if (r.actor != Actor::kAnonymous) {
      extra += "\"SignatureVersion\":\"SigV4\",\"CipherSuite\":\"TLS_AES_128_GCM_SHA256\",";
    }
    extra += "\"bytesTransferredIn\":" + num(r.bytesIn) +
             ",\"bytesTransferredOut\":" + num(ok ? r.bytesOut : 0);
    if (r.actor != Actor::kAnonymous) extra += ",\"AuthenticationMethod\":\"AuthHeader\"";
    extra +=
        ",\"x-amz-id-2\":\"HTb5ENhNh4c3y4pyC9yiVAYEdnllRj1vNGSoBWz3YlX" + hexId(0, i, 6) + "\"}";
    std::string resources =
        r.op == Op::kList
            ? "[{\"type\":\"AWS::S3::Bucket\",\"ARN\":\"arn:aws:s3:::" + r.bucket +
                  "\",\"accountId\":\"111122223333\"}]"
            : "[{\"type\":\"AWS::S3::Object\",\"ARN\":\"arn:aws:s3:::" + r.bucket + "/" + r.key +
                  "\"},{\"accountId\":\"111122223333\",\"type\":\"AWS::S3::Bucket\","
                  "\"ARN\":\"arn:aws:s3:::" +
                  r.bucket + "\"}]";
    out += "{\"eventVersion\":\"1.10\",\"userIdentity\":" + identity + ",\"eventTime\":\"" +
           isoTime(r.timeUs, 0) + "\",\"eventSource\":\"s3.amazonaws.com\",\"eventName\":\"" +
           name + "\",\"awsRegion\":\"us-east-1\",\"sourceIPAddress\":\"" + r.ip +
           "\",\"userAgent\":\"" + ua + "\"";
    if (!ok) out += ",\"errorCode\":\"AccessDenied\",\"errorMessage\":\"Access Denied\"";
    out += ",\"requestParameters\":" + params + ",\"responseElements\":null" +
           ",\"additionalEventData\":" + extra + ",\"requestID\":\"" +
           hexId(0x7F9AC2D100000000ULL, i, 16) + "\",\"eventID\":\"" + guid(0x6829a09f, i) +
           "\",\"readOnly\":" + (r.op == Op::kWrite ? "false" : "true") +
           ",\"resources\":" + resources +
           ",\"eventType\":\"AwsApiCall\",\"managementEvent\":false,\"recipientAccountId\":"
           "\"111122223333\",\"eventCategory\":\"Data\",\"tlsDetails\":{\"tlsVersion\":\"TLSv1.3\","
           "\"cipherSuite\":\"TLS_AES_128_GCM_SHA256\",\"clientProvidedHostHeader\":\"" +
           r.bucket + ".s3.us-east-1.amazonaws.com\"}}\n";
  }
  return out;
}

// ---------------------------------------------------------------------------------------------
// Azure: storage account acmeprodstore, the story's bucket is the container.

constexpr const char* kAccount = "acmeprodstore";
constexpr const char* kCiUpn = "ci-bot@acme.onmicrosoft.com";
constexpr const char* kCiObjectId = "5b1f0c7e-2a41-4d7e-9b8a-0c2f6e3d9a14";
constexpr const char* kTenant = "72f988bf-86f1-41af-91ab-2d7cd011db47";

std::string azureOperation(Op op) {
  return op == Op::kRead ? "GetBlob" : op == Op::kList ? "ListBlobs" : "PutBlob";
}

std::string azureObjectKey(const Request& r) {
  std::string k = std::string("/") + kAccount + "/" + r.bucket;
  if (r.op != Op::kList) k += "/" + r.key;
  return k;
}

std::string azureUri(const Request& r) {
  std::string u = std::string("https://") + kAccount + ".blob.core.windows.net:443/" + r.bucket;
  if (r.op == Op::kList) {
    u += "?restype=container&comp=list&prefix=builds%2F&maxresults=5000";
  } else {
    u += "/" + r.key;
  }
  return u;
}

std::string azureUserAgent(Actor a) {
  return a == Actor::kCi       ? "azsdk-python-storage-blob/12.19.0 Python/3.12.6 (Linux)"
         : a == Actor::kBackup ? "AzCopy/10.26.0 azsdk-go-azblob/v1.4.0 (go1.22.5; linux)"
                               : "curl/8.5.0";
}

// Azure Monitor resource logs (StorageRead / StorageWrite), JSON Lines as a storage-account sink
// writes them. Azure does not log failed anonymous requests other than server errors, timeouts
// and 304s, so the denied anonymous read has no record: the renderer omits it.
std::string renderAzureBlob(const Story& s) {
  std::string out;
  for (size_t i = 0; i < s.requests.size(); ++i) {
    const Request& r = s.requests[i];
    if (isAnonymousDenied(r)) continue;
    std::string identity, statusText = "Success";
    switch (r.actor) {
      case Actor::kCi: {
        const std::string action =
            std::string("Microsoft.Storage/storageAccounts/blobServices/containers/blobs/") +
            (r.op == Op::kWrite ? "write" : "read");
        identity = std::string("{\"type\":\"OAuth\",\"tokenHash\":\"") +
                   "9F3A1C2B7E6D5F4A3B2C1D0E9F8A7B6C5D4E3F2A1B0C9D8E7F6A5B4C3D2E1F0A" +
                   "\",\"authorization\":[{\"action\":\"" + action +
                   "\",\"roleAssignmentId\":\"ca8af92a-6708-4cdf-a678-bb55d0ff7b80\","
                   "\"roleDefinitionId\":\"ba92f5b4-2d11-453d-a403-e96b0029c9fe\","
                   "\"principals\":[{\"id\":\"" +
                   kCiObjectId +
                   "\",\"type\":\"User\"}],\"denyAssignmentId\":\"\",\"type\":\"RBAC\","
                   "\"result\":\"Granted\",\"reason\":\"Policy\"}],\"requester\":{\"appId\":"
                   "\"04b07795-8ddb-461a-bbee-02f9e1bf7b46\",\"audience\":"
                   "\"https://storage.azure.com/\",\"objectId\":\"" +
                   kCiObjectId + "\",\"tenantId\":\"" + kTenant +
                   "\",\"tokenIssuer\":\"https://sts.windows.net/" + kTenant + "/\",\"upn\":\"" +
                   kCiUpn + "\"}}";
        break;
      }
      case Actor::kBackup:
        identity =
            "{\"type\":\"AccountKey\",\"tokenHash\":\"key1(4C81DD1772CEA6215A976B5B9C0764F51951"
            "8B179BA3C7257C7E745D337833E6)\"}";
        break;
      case Actor::kAnonymous:
        identity = "{\"type\":\"Anonymous\"}";
        statusText = "AnonymousSuccess";
        break;
    }
    const bool write = r.op == Op::kWrite;
    std::string props = std::string("{\"accountName\":\"") + kAccount +
                        "\",\"userAgentHeader\":\"" + azureUserAgent(r.actor) +
                        "\",\"clientRequestId\":\"" + guid(0xefe9f74c, i) + "\"";
    if (r.op != Op::kList) props += ",\"etag\":\"\\\"0x8DD5A" + hexId(0, i, 10) + "\\\"\"";
    props += std::string(",\"serviceType\":\"blob\",\"objectKey\":\"") + azureObjectKey(r) +
             "\",\"metricResponseType\":\"" + statusText +
             "\",\"serverLatencyMs\":" + num(4 + static_cast<int64_t>(i % 9)) +
             ",\"requestHeaderSize\":" + (write ? "1268" : "528") +
             ",\"responseHeaderSize\":" + (write ? "267" : "421");
    if (write) {
      props +=
          ",\"requestBodySize\":" + num(r.bytesIn) + ",\"contentLengthHeader\":" + num(r.bytesIn);
    } else {
      props += ",\"responseBodySize\":" + num(r.bytesOut);
    }
    props += ",\"tlsVersion\":\"TLS 1.2\"}";
    out += "{\"time\":\"" + isoTime(r.timeUs, 7) +
           "\",\"resourceId\":\"/subscriptions/a921d5d4-bdb7-43c3-aa01-88c6ae24992f/"
           "resourceGroups/prod-rg/providers/Microsoft.Storage/storageAccounts/" +
           kAccount + "/blobServices/default\",\"category\":\"" +
           (write ? "StorageWrite" : "StorageRead") + "\",\"operationName\":\"" +
           azureOperation(r.op) +
           "\",\"operationVersion\":\"2023-11-03\",\"schemaVersion\":\"1.0\",\"statusCode\":" +
           num(r.status) + ",\"statusText\":\"" + statusText +
           "\",\"durationMs\":" + num(9 + static_cast<int64_t>(i % 13)) +
           ",\"callerIpAddress\":\"" + r.ip + ":" + port(i) + "\",\"correlationId\":\"" +
           guid(0xa5c61a66, i) + "\",\"identity\":" + identity +
           ",\"location\":\"westeurope\",\"properties\":" + props + ",\"uri\":\"" + azureUri(r) +
           "\",\"protocol\":\"HTTPS\",\"resourceType\":\"Microsoft.Storage/storageAccounts/"
           "blobServices\"}\n";
  }
  return out;
}

// Azure Storage Analytics 2.0 lines ($logs). As in Azure Monitor, the denied anonymous read is
// not logged. response-packet-size (field 21) is what the parser takes as bytesOut: the logs put
// the response without its headers there (the 2.0 doc sample: header 421, packet 1999980 for a
// 1999980-byte GetBlob), so the body size is rendered in it.
std::string renderAzureAnalytics(const Story& s) {
  std::string out;
  for (size_t i = 0; i < s.requests.size(); ++i) {
    const Request& r = s.requests[i];
    if (isAnonymousDenied(r)) continue;
    std::string status = "Success", auth, requester;
    switch (r.actor) {
      case Actor::kCi:
        status = "OAuthSuccess";
        auth = "bearer";
        requester = kAccount;
        break;
      case Actor::kBackup:
        auth = "authenticated";
        requester = kAccount;
        break;
      case Actor::kAnonymous:
        status = "AnonymousSuccess";
        auth = "anonymous";
        break;
    }
    const bool write = r.op == Op::kWrite;
    std::string url;  // quoted fields are HTML-encoded
    for (char c : azureUri(r)) {
      if (c == '&') {
        url += "&amp;";
      } else {
        url += c;
      }
    }
    std::string line = "2.0;" + isoTime(r.timeUs, 7) + ";" + azureOperation(r.op) + ";" + status +
                       ";" + num(r.status) + ";" + num(9 + static_cast<int64_t>(i % 13)) + ";" +
                       num(4 + static_cast<int64_t>(i % 9)) + ";" + auth + ";" + requester + ";" +
                       kAccount + ";blob;\"" + url + "\";\"" + azureObjectKey(r) + "\";" +
                       guid(0xc676d992, i) + ";0;" + r.ip + ":" + port(i) + ";2023-11-03;" +
                       (write ? "1268" : "354") + ";" + (write ? num(r.bytesIn) : "0") + ";" +
                       (write ? "267" : "421") + ";" + (write ? "0" : num(r.bytesOut)) + ";" +
                       (write ? num(r.bytesIn) : "0") + ";;;";
    line += r.op == Op::kList ? ";" : "\"&quot;0x8DD5A" + hexId(0, i, 10) + "&quot;\";";
    line += r.op == Op::kList ? ";" : "Monday, 03-Mar-25 00:00:00 GMT;";
    line += ";\"" + azureUserAgent(r.actor) + "\";;\"" + guid(0xefe9f74c, i) + "\";";
    if (r.actor == Actor::kCi) {
      const std::string action =
          std::string("Microsoft.Storage/storageAccounts/blobServices/containers/blobs/") +
          (write ? "write" : "read");
      line += std::string("\"") + kCiObjectId + "\";\"" + kTenant +
              "\";\"04b07795-8ddb-461a-bbee-02f9e1bf7b46\";\"https://storage.azure.com/\";"
              "\"https://sts.windows.net/" +
              kTenant + "/\";\"" + kCiUpn + "\";;\"[{\"action\":\"" + action +
              "\", \"roleAssignmentId\":\"ca8af92a-6708-4cdf-a678-bb55d0ff7b80\", "
              "\"roleDefinitionId\":\"ba92f5b4-2d11-453d-a403-e96b0029c9fe\", \"principalId\":\"" +
              kCiObjectId + "\", \"principalType\":\"User\"}]\"";
    } else {
      line += ";;;;;;;";
    }
    out += line + "\n";
  }
  return out;
}

// ---------------------------------------------------------------------------------------------
// gcs-audit: Data Access LogEntries, one per line as a sink to Cloud Storage writes them. Cloud
// Storage writes NO audit entry for requests authorized through allUsers, so neither anonymous
// request has an entry. Audit entries carry no byte counts.

constexpr const char* kProject = "acme-prod";
constexpr const char* kGcsCi = "ci-bot@acme.example";
constexpr const char* kGcsBackup = "backup@acme-prod.iam.gserviceaccount.com";

std::string renderGcsAudit(const Story& s) {
  std::string out;
  for (size_t i = 0; i < s.requests.size(); ++i) {
    const Request& r = s.requests[i];
    if (r.actor == Actor::kAnonymous) continue;
    const std::string method = r.op == Op::kRead   ? "storage.objects.get"
                               : r.op == Op::kList ? "storage.objects.list"
                                                   : "storage.objects.create";
    std::string resource = "projects/_/buckets/" + r.bucket;
    if (r.op != Op::kList) resource += "/objects/" + r.key;
    const std::string email = r.actor == Actor::kCi ? kGcsCi : kGcsBackup;
    const std::string ua = r.actor == Actor::kCi
                               ? "google-cloud-sdk gcloud/502.0.0 command/gcloud.storage.cp"
                               : "gcloud-golang-storage/1.43.0 restic/0.17.0";
    const std::string t9 = isoTime(r.timeUs, 9);
    out += "{\"insertId\":\"1n5v4yq" + hexId(0, i, 6) + "\",\"logName\":\"projects/" + kProject +
           "/logs/cloudaudit.googleapis.com%2Fdata_access\",\"protoPayload\":{\"@type\":"
           "\"type.googleapis.com/google.cloud.audit.AuditLog\",\"status\":{},"
           "\"authenticationInfo\":{\"principalEmail\":\"" +
           email + "\"},\"requestMetadata\":{\"callerIp\":\"" + r.ip +
           "\",\"callerSuppliedUserAgent\":\"" + ua +
           ",gzip(gfe)\",\"requestAttributes\":{\"time\":\"" + t9 +
           "\",\"auth\":{}},\"destinationAttributes\":{}},\"serviceName\":"
           "\"storage.googleapis.com\",\"methodName\":\"" +
           method + "\",\"authorizationInfo\":[{\"resource\":\"" + resource +
           "\",\"permission\":\"" + method +
           "\",\"granted\":true,\"resourceAttributes\":{}}],\"resourceName\":\"" + resource +
           "\",\"resourceLocation\":{\"currentLocations\":[\"us\"]}},"
           "\"resource\":{\"type\":\"gcs_bucket\",\"labels\":{\"location\":\"us\","
           "\"project_id\":\"" +
           kProject + "\",\"bucket_name\":\"" + r.bucket + "\"}},\"timestamp\":\"" + t9 +
           "\",\"severity\":\"INFO\",\"receiveTimestamp\":\"" + isoTime(r.timeUs + 250'000, 9) +
           "\"}\n";
  }
  return out;
}

// ---------------------------------------------------------------------------------------------
// gcs-usage: the hourly CSV with its header row. No identity column: every request, the
// anonymous ones included, is there, but nobody is named.

std::string renderGcsUsage(const Story& s) {
  std::string out =
      "\"time_micros\",\"c_ip\",\"c_ip_type\",\"c_ip_region\",\"cs_method\",\"cs_uri\","
      "\"sc_status\",\"cs_bytes\",\"sc_bytes\",\"time_taken_micros\",\"cs_host\",\"cs_referer\","
      "\"cs_user_agent\",\"s_request_id\",\"cs_operation\",\"cs_bucket\",\"cs_object\"\n";
  auto cell = [](const std::string& v) { return "\"" + v + "\""; };
  for (size_t i = 0; i < s.requests.size(); ++i) {
    const Request& r = s.requests[i];
    const std::string method = r.op == Op::kWrite ? "PUT" : "GET";
    const std::string uri =
        r.op == Op::kList ? "/" + r.bucket + "?prefix=builds%2F" : "/" + r.bucket + "/" + r.key;
    const std::string operation = r.op == Op::kRead   ? "GET_Object"
                                  : r.op == Op::kList ? "GET_Bucket"
                                                      : "PUT_Object";
    const std::string ua = r.actor == Actor::kCi ? "google-cloud-sdk gcloud/502.0.0,gzip(gfe)"
                           : r.actor == Actor::kBackup
                               ? "gcloud-golang-storage/1.43.0 restic/0.17.0,gzip(gfe)"
                               : "curl/8.5.0,gzip(gfe)";
    out += cell(num(r.timeUs)) + "," + cell(r.ip) + "," + cell("1") + "," + cell("") + "," +
           cell(method) + "," + cell(uri) + "," + cell(num(r.status)) + "," + cell(num(r.bytesIn)) +
           "," + cell(num(r.bytesOut)) + "," +
           cell(num(88000 + static_cast<int64_t>(i % 50) * 1000)) + "," +
           cell("storage.googleapis.com") + "," + cell("") + "," + cell(ua) + "," +
           cell("ADPycdu" + hexId(0, i, 12) + "-f-Uyl-AONU9elsqMfPUaul2F0vpty") + "," +
           cell(operation) + "," + cell(r.bucket) + "," + cell(r.key) + "\n";
  }
  return out;
}

// ---------------------------------------------------------------------------------------------
// minio-audit: entries as the audit webhook / Kafka target writes them, one per line.

std::string renderMinioAudit(const Story& s) {
  std::string out;
  for (size_t i = 0; i < s.requests.size(); ++i) {
    const Request& r = s.requests[i];
    const bool ok = r.status < 300;
    const std::string name = r.op == Op::kRead   ? "GetObject"
                             : r.op == Op::kList ? "ListObjectsV2"
                                                 : "PutObject";
    const std::string accessKey = r.actor == Actor::kCi       ? "ci-runner"
                                  : r.actor == Actor::kBackup ? "backup-svc"
                                                              : "";
    const std::string ua = r.actor == Actor::kCi
                               ? "MinIO (linux; amd64) minio-go/v7.0.77 mc/RELEASE.2024-10-02"
                           : r.actor == Actor::kBackup ? "restic/0.17.0 minio-go/v7.0.66"
                                                       : "curl/8.5.0";
    const std::string path = "/" + r.bucket + (r.op == Op::kList ? "" : "/" + r.key);
    const std::string requestId = hexId(0x17B86CB0ED880000ULL, i, 16);
    const int64_t ttfb = 1'800'000 + static_cast<int64_t>(i % 97) * 1000;
    std::string api = "{\"name\":\"" + name + "\",\"bucket\":\"" + r.bucket + "\"";
    if (r.op != Op::kList) api += ",\"object\":\"" + r.key + "\"";
    api += std::string(",\"status\":\"") + (ok ? "OK" : "Forbidden") +
           "\",\"statusCode\":" + num(r.status) + ",\"rx\":" + num(r.bytesIn) +
           ",\"tx\":" + num(r.bytesOut) + ",\"txHeaders\":387,\"timeToFirstByte\":\"" + num(ttfb) +
           "ns\",\"timeToFirstByteInNS\":\"" + num(ttfb) + "\",\"timeToResponse\":\"" +
           num(ttfb + 15000) + "ns\",\"timeToResponseInNS\":\"" + num(ttfb + 15000) + "\"}";
    std::string headers = "{\"Accept-Encoding\":\"gzip\"";
    if (!accessKey.empty()) {
      char date[16];
      const std::string iso = isoTime(r.timeUs, 0);
      std::snprintf(date, sizeof(date), "%.4s%.2s%.2s", iso.c_str(), iso.c_str() + 5,
                    iso.c_str() + 8);
      headers += ",\"Authorization\":\"AWS4-HMAC-SHA256 Credential=" + accessKey + "/" + date +
                 "/us-east-1/s3/aws4_request, SignedHeaders=host;x-amz-content-sha256;"
                 "x-amz-date, Signature=ccb3acdc1763509a88a7e4a3d7fe431ef0ee5ca3f66ccb430d5a0932" +
                 hexId(0, i, 8) + "\"";
    }
    if (r.op == Op::kWrite) headers += ",\"Content-Length\":\"" + num(r.bytesIn) + "\"";
    headers += ",\"User-Agent\":\"" + ua + "\"}";
    out +=
        "{\"version\":\"1\",\"deploymentid\":\"8ca2b7ad-20cf-4d07-9efb-28b2f519f4a5\","
        "\"time\":\"" +
        isoTime(r.timeUs, 9) + "\",\"event\":\"\",\"trigger\":\"incoming\",\"api\":" + api +
        ",\"remotehost\":\"" + r.ip + "\",\"requestID\":\"" + requestId + "\",\"userAgent\":\"" +
        ua + "\",\"requestPath\":\"" + path +
        "\",\"requestHost\":\"minio.acme.example:9000\",\"requestHeader\":" + headers +
        ",\"responseHeader\":{\"Content-Length\":\"" + num(r.bytesOut) +
        "\",\"Server\":\"MinIO\",\"X-Amz-Request-Id\":\"" + requestId + "\"},\"tags\":{}";
    if (!ok) out += ",\"error\":\"Access Denied.\"";
    if (!accessKey.empty()) out += ",\"accessKey\":\"" + accessKey + "\"";
    out += "}\n";
  }
  return out;
}

// ---------------------------------------------------------------------------------------------
// Parsing and detection

using Decision = std::pair<std::string, int64_t>;  // (detector, event time)

struct StoryRun {
  testing::ParsedFile parsed;
  std::vector<Decision> decisions;  // sorted
  std::vector<Alert> alerts;
  EngineCounters counters;
};

// Parses `text` as `format`, checks that detection from the text agrees and gives the same
// events (read in small chunks, across record boundaries), then runs the engine with the default
// configuration over the events in order.
StoryRun parseAndDetect(const std::string& text, Format format) {
  StoryRun run;
  run.parsed = testing::parseBuffer(text, format);
  EXPECT_EQ(run.parsed.format, format);
  EXPECT_TRUE(run.parsed.errors.empty())
      << "line " << run.parsed.errors.front().line << ": " << run.parsed.errors.front().detail;
  EXPECT_EQ(run.parsed.skipped, 0u);

  EXPECT_EQ(schemas::detectFormat(std::string_view(text).substr(0, schemas::kDetectBytes)), format)
      << text.substr(0, 300);
  const testing::ParsedFile detected = testing::parseBuffer(text, Format::kUnknown, 4096);
  EXPECT_EQ(detected.format, format);
  EXPECT_TRUE(detected.errors.empty());
  EXPECT_EQ(detected.events.size(), run.parsed.events.size());

  MemoryStateStore store;
  Engine engine(DetectorConfig{}, store);
  for (const AccessEvent& e : run.parsed.events) EXPECT_TRUE(engine.process(e).ok);
  EXPECT_TRUE(engine.flush(run.alerts).ok);
  for (const Alert& a : run.alerts) {
    run.decisions.emplace_back(a.detector, a.timeUs);
    // Each decision is about the story's request: the address the alert names is its address.
    if (a.detector == kUnknownIp) {
      EXPECT_EQ(a.sourceIp, kCiNewIp);
    }
    if (a.detector == kBulkDownload) {
      EXPECT_EQ(a.sourceIp, kBackupIp);
    }
    if (a.detector == kAnonymousRead) {
      EXPECT_EQ(a.sourceIp, kAnonymousIp);
    }
  }
  std::sort(run.decisions.begin(), run.decisions.end());
  run.counters = engine.counters();
  return run;
}

std::vector<Decision> sorted(std::vector<Decision> d) {
  std::sort(d.begin(), d.end());
  return d;
}

std::vector<Decision> allThree(const Story& s) {
  return sorted({{std::string(kUnknownIp), s.unknownIpUs},
                 {std::string(kBulkDownload), s.bulkUs},
                 {std::string(kAnonymousRead), s.anonymousReadUs}});
}

size_t countIf(const std::vector<AccessEvent>& events,
               const std::function<bool(const AccessEvent&)>& pred) {
  return static_cast<size_t>(std::count_if(events.begin(), events.end(), pred));
}

bool anonymous(const AccessEvent& e) { return e.principalKind == PrincipalKind::kAnonymous; }

// The checks shared by the formats that carry everything the three detectors need.
void expectFullSupport(const Story& s, Format format, const std::string& text,
                       bool logsAnonymousDenied) {
  SCOPED_TRACE(std::string(schemas::toString(format)));
  const StoryRun run = parseAndDetect(text, format);
  const size_t expectedEvents = s.requests.size() - (logsAnonymousDenied ? 0 : 1);
  ASSERT_EQ(run.parsed.events.size(), expectedEvents);
  for (size_t i = 0; i < run.parsed.events.size(); ++i) {
    EXPECT_EQ(run.parsed.events[i].format, format);
  }
  EXPECT_EQ(run.decisions, allThree(s));
  EXPECT_EQ(run.counters.alertsByDetector.at(std::string(kUnknownIp)), 1u);
  EXPECT_EQ(run.counters.alertsByDetector.at(std::string(kBulkDownload)), 1u);
  EXPECT_EQ(run.counters.alertsByDetector.at(std::string(kAnonymousRead)), 1u);
  if (logsAnonymousDenied) {
    EXPECT_EQ(run.counters.anonymousDenied, 1u);
  } else {
    // Azure does not log the refused anonymous read: there is no event to count.
    EXPECT_EQ(run.counters.anonymousDenied, 0u);
    EXPECT_EQ(countIf(run.parsed.events, anonymous), 1u);
    EXPECT_EQ(countIf(run.parsed.events, [](const AccessEvent& e) { return !e.success(); }), 0u);
  }
}

// ---------------------------------------------------------------------------------------------
// The formats

TEST(CrossFormatStory, StoryIsWhatTheDetectorsNeed) {
  const Story s = makeStory();
  EXPECT_TRUE(
      std::is_sorted(s.requests.begin(), s.requests.end(),
                     [](const Request& a, const Request& b) { return a.timeUs < b.timeUs; }));
  // The day-3 address comes after the learning period; the bulk window is one 15-minute window.
  EXPECT_GE(s.unknownIpUs - kDay1 - 7 * kMinuteUs, DetectorConfig{}.learningPeriodUs);
  EXPECT_EQ((s.bulkUs - 100 * 5 * kSecondUs) / DetectorConfig{}.bulkWindowUs,
            (s.bulkUs + 49 * 5 * kSecondUs) / DetectorConfig{}.bulkWindowUs);
  EXPECT_GT(101 * 2 * kMiB, static_cast<int64_t>(DetectorConfig{}.bulkMinBytes));
}

TEST(CrossFormatStory, S3AccessGivesAllThree) {
  const Story s = makeStory();
  expectFullSupport(s, Format::kS3Access, renderS3Access(s), /*logsAnonymousDenied=*/true);
}

TEST(CrossFormatStory, CloudTrailGivesAllThree) {
  const Story s = makeStory();
  expectFullSupport(s, Format::kCloudTrail, renderCloudTrail(s), /*logsAnonymousDenied=*/true);
}

TEST(CrossFormatStory, AzureBlobGivesAllThree) {
  const Story s = makeStory();
  expectFullSupport(s, Format::kAzureBlob, renderAzureBlob(s), /*logsAnonymousDenied=*/false);
}

TEST(CrossFormatStory, AzureAnalyticsGivesAllThree) {
  const Story s = makeStory();
  expectFullSupport(s, Format::kAzureAnalytics, renderAzureAnalytics(s),
                    /*logsAnonymousDenied=*/false);
}

TEST(CrossFormatStory, MinioAuditGivesAllThree) {
  const Story s = makeStory();
  expectFullSupport(s, Format::kMinioAudit, renderMinioAudit(s), /*logsAnonymousDenied=*/true);
}

// gcs-audit: only unknown_ip. The reasons, asserted: no entry exists for the anonymous requests
// (so anonymous_read has nothing to look at and nothing is counted as denied), and no entry has a
// byte count (so bulk_download's byte floor is never passed, although the 150 reads are there).
TEST(CrossFormatStory, GcsAuditGivesOnlyUnknownIp) {
  const Story s = makeStory();
  SCOPED_TRACE("gcs-audit");
  const StoryRun run = parseAndDetect(renderGcsAudit(s), Format::kGcsAudit);
  ASSERT_EQ(run.parsed.events.size(), s.requests.size() - 2);
  EXPECT_EQ(run.decisions, (std::vector<Decision>{{std::string(kUnknownIp), s.unknownIpUs}}));

  EXPECT_EQ(countIf(run.parsed.events, anonymous), 0u);
  EXPECT_EQ(countIf(run.parsed.events,
                    [&](const AccessEvent& e) {
                      return e.timeUs == s.anonymousReadUs || e.timeUs == s.anonymousDeniedUs;
                    }),
            0u);
  EXPECT_EQ(run.counters.anonymousDenied, 0u);

  EXPECT_EQ(countIf(run.parsed.events, [](const AccessEvent& e) { return e.bytesOut != -1; }), 0u);
  const size_t bulkReads = countIf(run.parsed.events, [&](const AccessEvent& e) {
    return e.principal == kGcsBackup && e.opClass == schemas::OpClass::kRead &&
           e.timeUs >= s.bulkUs - 100 * 5 * kSecondUs && e.timeUs < s.bulkUs + 50 * 5 * kSecondUs;
  });
  EXPECT_EQ(bulkReads, 150u);  // the object floor is passed; the byte floor cannot be

  // ci is a named user, so its baseline works.
  EXPECT_EQ(countIf(run.parsed.events,
                    [](const AccessEvent& e) {
                      return e.principal == kGcsCi && e.principalKind == PrincipalKind::kUser;
                    }),
            51u);
}

// gcs-usage: nothing. Every request is there (the anonymous ones, the bytes of the bulk window)
// but no event names a principal, and all three detectors need one.
TEST(CrossFormatStory, GcsUsageGivesNothing) {
  const Story s = makeStory();
  SCOPED_TRACE("gcs-usage");
  const StoryRun run = parseAndDetect(renderGcsUsage(s), Format::kGcsUsage);
  ASSERT_EQ(run.parsed.events.size(), s.requests.size());
  EXPECT_TRUE(run.decisions.empty());

  EXPECT_EQ(
      countIf(run.parsed.events,
              [](const AccessEvent& e) { return e.principalKind == PrincipalKind::kUnidentified; }),
      s.requests.size());
  EXPECT_EQ(run.counters.anonymousDenied, 0u);
  EXPECT_EQ(run.counters.principals, 1u);  // everyone is "unidentified"
  // The traffic itself is visible: the public read, the refused one, and the bytes.
  EXPECT_EQ(countIf(run.parsed.events,
                    [&](const AccessEvent& e) {
                      return e.timeUs == s.anonymousReadUs && e.httpStatus == 200;
                    }),
            1u);
  EXPECT_EQ(countIf(run.parsed.events,
                    [&](const AccessEvent& e) {
                      return e.timeUs == s.anonymousDeniedUs && e.httpStatus == 403;
                    }),
            1u);
  EXPECT_EQ(countIf(run.parsed.events, [](const AccessEvent& e) { return e.bytesOut == 2 * kMiB; }),
            150u);
}

}  // namespace
}  // namespace blobwatch::detectors
