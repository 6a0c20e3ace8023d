#include "schemas/access_event.h"

#include <arpa/inet.h>

#include <cstring>

namespace blobwatch::schemas {

namespace {

// Dotted-quad IPv4 without inet_pton's copy and locale-free loop: four decimal parts of 1 to 3
// digits, each at most 255, no leading '+' or spaces. Leading zeros are refused as inet_pton does.
bool parseIpv4(std::string_view text, IpAddress& out) {
  size_t i = 0;
  for (int part = 0; part < 4; ++part) {
    if (part > 0) {
      if (i >= text.size() || text[i] != '.') return false;
      ++i;
    }
    const size_t start = i;
    unsigned value = 0;
    while (i < text.size() && text[i] >= '0' && text[i] <= '9' && i - start < 3) {
      value = value * 10 + static_cast<unsigned>(text[i] - '0');
      ++i;
    }
    if (i == start || value > 255 || (i - start > 1 && text[start] == '0')) return false;
    out.bytes[static_cast<size_t>(12 + part)] = static_cast<uint8_t>(value);
  }
  if (i != text.size()) return false;
  out.bytes[10] = 0xff;
  out.bytes[11] = 0xff;
  out.valid = true;
  return true;
}

}  // namespace

bool parseIp(std::string_view text, IpAddress& out) {
  out = IpAddress{};
  if (text.empty() || text.size() > 45) return false;
  // IPv4 first: its parser stops at the first byte that is not a digit or a dot, so an IPv6
  // address costs one byte more and an IPv4 one no search for ':'.
  if (parseIpv4(text, out)) return true;
  out = IpAddress{};
  if (text.find(':') == std::string_view::npos) return false;
  char buf[46];
  std::memcpy(buf, text.data(), text.size());
  buf[text.size()] = '\0';
  in6_addr v6;
  if (inet_pton(AF_INET6, buf, &v6) != 1) return false;
  std::memcpy(out.bytes.data(), &v6, 16);
  out.valid = true;
  return true;
}

void formatIp(const IpAddress& ip, std::string& out) {
  if (!ip.valid) return;
  char buf[INET6_ADDRSTRLEN];
  const char* s = ip.isV4() ? inet_ntop(AF_INET, ip.bytes.data() + 12, buf, sizeof(buf))
                            : inet_ntop(AF_INET6, ip.bytes.data(), buf, sizeof(buf));
  if (s != nullptr) out.append(s);
}

void AccessEvent::clear() {
  provider = Provider::kUnknown;
  format = Format::kUnknown;
  timeUs = 0;
  principal.clear();
  principalKind = PrincipalKind::kUnknown;
  sourceIp = IpAddress{};
  sourceIpText.clear();
  bucket.clear();
  objectKey.clear();
  opClass = OpClass::kOther;
  rawOperation.clear();
  httpStatus = -1;
  errorCode.clear();
  bytesOut = -1;
  bytesIn = -1;
  objectSize = -1;
  userAgent.clear();
  authType = AuthType::kUnknown;
  tlsVersion.clear();
  requestId.clear();
}

std::string_view toString(Provider p) {
  switch (p) {
    case Provider::kAws:
      return "aws";
    case Provider::kAzure:
      return "azure";
    case Provider::kGcp:
      return "gcp";
    case Provider::kMinio:
      return "minio";
    case Provider::kUnknown:
      break;
  }
  return "unknown";
}

namespace {

struct FormatInfo {
  Format format;
  std::string_view name;
  Provider provider;
};

constexpr FormatInfo kFormats[] = {
    {Format::kS3Access, "s3-access", Provider::kAws},
    {Format::kCloudTrail, "cloudtrail", Provider::kAws},
    {Format::kAzureBlob, "azure-blob", Provider::kAzure},
    {Format::kAzureAnalytics, "azure-analytics", Provider::kAzure},
    {Format::kGcsAudit, "gcs-audit", Provider::kGcp},
    {Format::kGcsUsage, "gcs-usage", Provider::kGcp},
    {Format::kMinioAudit, "minio-audit", Provider::kMinio},
};

}  // namespace

std::string_view toString(Format f) {
  for (const auto& info : kFormats) {
    if (info.format == f) return info.name;
  }
  return "unknown";
}

Provider providerOf(Format f) {
  for (const auto& info : kFormats) {
    if (info.format == f) return info.provider;
  }
  return Provider::kUnknown;
}

std::string_view formatNames() {
  return "s3-access, cloudtrail, azure-blob, azure-analytics, gcs-audit, gcs-usage, minio-audit";
}

std::string_view toString(PrincipalKind k) {
  switch (k) {
    case PrincipalKind::kAnonymous:
      return "anonymous";
    case PrincipalKind::kUnidentified:
      return "unidentified";
    case PrincipalKind::kUser:
      return "user";
    case PrincipalKind::kRole:
      return "role";
    case PrincipalKind::kRoot:
      return "root";
    case PrincipalKind::kService:
      return "service";
    case PrincipalKind::kAccount:
      return "account";
    case PrincipalKind::kFederated:
      return "federated";
    case PrincipalKind::kUnknown:
      break;
  }
  return "unknown";
}

std::string_view toString(OpClass c) {
  switch (c) {
    case OpClass::kRead:
      return "read";
    case OpClass::kWrite:
      return "write";
    case OpClass::kDelete:
      return "delete";
    case OpClass::kList:
      return "list";
    case OpClass::kHead:
      return "head";
    case OpClass::kPolicy:
      return "policy";
    case OpClass::kOther:
      break;
  }
  return "other";
}

std::string_view toString(AuthType a) {
  switch (a) {
    case AuthType::kHeader:
      return "header";
    case AuthType::kQueryString:
      return "query-string";
    case AuthType::kAnonymous:
      return "anonymous";
    case AuthType::kUnknown:
      break;
  }
  return "unknown";
}

Format formatFromString(std::string_view name) {
  for (const auto& info : kFormats) {
    if (info.name == name) return info.format;
  }
  return Format::kUnknown;
}

}  // namespace blobwatch::schemas
