#pragma once

#include <string>

#include "schemas/access_event.h"

namespace blobwatch::testing {

inline constexpr int64_t kHourUs = 3600LL * 1'000'000;
inline constexpr int64_t kMinuteUs = 60LL * 1'000'000;
inline constexpr int64_t kT0 = 1'767'225'600LL * 1'000'000;  // 2026-01-01T00:00:00Z

// A successful authenticated GET of an object, to be adjusted by the test.
inline schemas::AccessEvent makeRead(std::string principal, std::string ip, int64_t timeUs,
                                     int64_t bytes = 1000) {
  schemas::AccessEvent e;
  e.provider = schemas::Provider::kAws;
  e.format = schemas::Format::kS3Access;
  e.timeUs = timeUs;
  e.principal = std::move(principal);
  e.principalKind = schemas::PrincipalKind::kUser;
  e.sourceIpText = ip;
  (void)schemas::parseIp(ip, e.sourceIp);
  e.bucket = "harbor-registry-prod";
  e.objectKey = "docker/registry/v2/blobs/sha256/ab/abcdef/data";
  e.opClass = schemas::OpClass::kRead;
  e.rawOperation = "REST.GET.OBJECT";
  e.httpStatus = 200;
  e.bytesOut = bytes;
  e.authType = schemas::AuthType::kHeader;
  e.requestId = "REQ" + std::to_string(timeUs);
  return e;
}

inline schemas::AccessEvent makeAnonymous(std::string ip, int64_t timeUs, int status) {
  schemas::AccessEvent e =
      makeRead(std::string(schemas::kAnonymousPrincipal), std::move(ip), timeUs);
  e.principalKind = schemas::PrincipalKind::kAnonymous;
  e.authType = schemas::AuthType::kAnonymous;
  e.httpStatus = status;
  return e;
}

}  // namespace blobwatch::testing
