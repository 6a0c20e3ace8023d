#pragma once

#include <cstdio>
#include <string>

#include "schemas/text.h"

// Writers of our own log records for tests (never third parties' data).

namespace blobwatch::testing {

// `dd/Mon/yyyy:HH:MM:SS +0000` for microseconds since the epoch.
inline std::string clfTime(int64_t timeUs) {
  std::string iso;
  schemas::formatRfc3339(timeUs, iso);  // YYYY-MM-DDTHH:MM:SS.ffffffZ
  static const char* kMonths[] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                  "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
  const int month = std::stoi(iso.substr(5, 2));
  return iso.substr(8, 2) + "/" + kMonths[month - 1] + "/" + iso.substr(0, 4) + ":" +
         iso.substr(11, 8) + " +0000";
}

struct S3Line {
  int64_t timeUs = 0;
  std::string bucket = "harbor-registry-prod";
  std::string ip = "192.0.2.10";
  std::string requester = "arn:aws:iam::111122223333:user/ci";
  std::string requestId = "A1B2C3D4E5F60718";
  std::string operation = "REST.GET.OBJECT";
  std::string key = "docker/registry/v2/blobs/sha256/ab/abcdef/data";
  int status = 200;
  long long bytes = 1024;
  std::string userAgent = "docker/24.0.7 go/go1.20.10";

  std::string render() const {
    const bool anonymous = requester == "-";
    std::string verb = operation.find(".GET.") != std::string::npos    ? "GET"
                       : operation.find(".HEAD.") != std::string::npos ? "HEAD"
                       : operation.find(".PUT.") != std::string::npos  ? "PUT"
                                                                       : "POST";
    return "79a59df900b949e55d96a1e698fbacedfd6e09d98eacf8f8d5218e7cd47ef2be " + bucket + " [" +
           clfTime(timeUs) + "] " + ip + " " + requester + " " + requestId + " " + operation + " " +
           key + " \"" + verb + " /" + bucket + "/" + key + " HTTP/1.1\" " +
           std::to_string(status) + " " + (status == 200 ? "-" : "AccessDenied") + " " +
           std::to_string(bytes) + " " + std::to_string(bytes) + " 12 10 \"-\" \"" + userAgent +
           "\" - aGVsbG8gd29ybGQ= " + (anonymous ? "- -" : "SigV4 ECDHE-RSA-AES128-GCM-SHA256") +
           " " + (anonymous ? "-" : "AuthHeader") + " " + bucket +
           ".s3.us-east-1.amazonaws.com TLSv1.2 - -\n";
  }
};

// One CloudTrail S3 data event as a compact JSON object (no newline).
inline std::string cloudTrailEvent(int64_t timeUs, const std::string& eventName,
                                   const std::string& identityJson, const std::string& ip,
                                   const std::string& bucket, const std::string& key,
                                   const std::string& requestId, long long bytesOut = 1024) {
  std::string iso;
  schemas::formatRfc3339(timeUs, iso);
  iso = iso.substr(0, 19) + "Z";
  return "{\"eventVersion\":\"1.09\",\"userIdentity\":" + identityJson + ",\"eventTime\":\"" + iso +
         "\",\"eventSource\":\"s3.amazonaws.com\",\"eventName\":\"" + eventName +
         "\",\"awsRegion\":\"us-east-1\",\"sourceIPAddress\":\"" + ip +
         "\",\"userAgent\":\"[aws-cli/2.17.60]\",\"requestParameters\":{\"bucketName\":\"" +
         bucket + "\",\"key\":\"" + key +
         "\"},\"responseElements\":null,\"additionalEventData\":{\"bytesTransferredIn\":0,"
         "\"bytesTransferredOut\":" +
         std::to_string(bytesOut) + ",\"AuthenticationMethod\":\"AuthHeader\"},\"requestID\":\"" +
         requestId + "\",\"eventID\":\"e-" + requestId +
         "\",\"readOnly\":true,\"eventType\":\"AwsApiCall\",\"eventCategory\":\"Data\"}";
}

inline const char* kAnonymousIdentity =
    "{\"type\":\"AWSAccount\",\"principalId\":\"\",\"accountId\":\"ANONYMOUS_PRINCIPAL\"}";

inline std::string iamUserIdentity(const std::string& name) {
  return "{\"type\":\"IAMUser\",\"principalId\":\"AIDAEXAMPLE\",\"arn\":\"arn:aws:iam::"
         "111122223333:user/" +
         name + "\",\"accountId\":\"111122223333\",\"accessKeyId\":\"AKIAEXAMPLE\"}";
}

}  // namespace blobwatch::testing
