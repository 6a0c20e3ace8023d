#include "schemas/azure_analytics_parser.h"

#include <array>

#include "schemas/azure_common.h"
#include "schemas/text.h"

namespace blobwatch::schemas {
namespace {

constexpr size_t kV1Fields = 30;
constexpr size_t kV2Fields = 38;
constexpr size_t kMaxFields = 40;

// Field indexes (0-based).
enum Field : size_t {
  kVersion = 0,
  kStartTime = 1,
  kOperation = 2,
  kRequestStatus = 3,
  kHttpStatus = 4,
  kAuthType = 7,
  kRequesterAccount = 8,
  kOwnerAccount = 9,
  kServiceType = 10,
  kRequestUrl = 11,
  kObjectKey = 12,
  kRequestId = 13,
  kRequesterIp = 15,
  kResponsePacketSize = 20,
  kRequestContentLength = 21,
  kUserAgent = 27,
  // 2.0
  kUserObjectId = 30,
  kApplicationId = 32,
  kUserPrincipalName = 35,
  kAuthorizationDetail = 37,
};

// Splits `line` at ';' into fields (quotes removed from quoted fields). Returns the number of
// fields, kMaxFields + 1 when there are more, or 0 on an unterminated quoted field.
size_t tokenize(std::string_view line, std::array<std::string_view, kMaxFields>& fields) {
  size_t n = 0;
  size_t i = 0;
  const size_t len = line.size();
  for (;;) {
    if (n == kMaxFields) return kMaxFields + 1;
    if (i < len && line[i] == '"') {
      size_t j = i + 1;
      for (;;) {
        const size_t q = line.find('"', j);
        if (q == std::string_view::npos) return 0;
        if (q + 1 == len || line[q + 1] == ';') {
          fields[n++] = line.substr(i + 1, q - i - 1);
          i = q + 1;
          break;
        }
        j = q + 1;  // a quote inside the field
      }
    } else {
      size_t end = i;
      while (end < len && line[end] != ';') ++end;
      fields[n++] = line.substr(i, end - i);
      i = end;
    }
    if (i >= len) break;
    ++i;  // the ';'; a ';' at the very end leaves one more, empty, field
  }
  return n;
}

int hexDigit(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

void appendUtf8(uint32_t cp, std::string& out) {
  if (cp < 0x80) {
    out.push_back(static_cast<char>(cp));
  } else if (cp < 0x800) {
    out.push_back(static_cast<char>(0xC0 | (cp >> 6)));
    out.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  } else if (cp < 0x10000) {
    out.push_back(static_cast<char>(0xE0 | (cp >> 12)));
    out.push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
    out.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  } else {
    out.push_back(static_cast<char>(0xF0 | (cp >> 18)));
    out.push_back(static_cast<char>(0x80 | ((cp >> 12) & 0x3F)));
    out.push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
    out.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  }
}

// Decodes one entity at in[i] == '&'; returns the bytes consumed, 0 when it is not one.
size_t decodeEntity(std::string_view in, size_t i, std::string& out) {
  const size_t semi = in.find(';', i + 1);
  if (semi == std::string_view::npos || semi - i > 10) return 0;
  const std::string_view name = in.substr(i + 1, semi - i - 1);
  char c = 0;
  if (name == "quot") {
    c = '"';
  } else if (name == "amp") {
    c = '&';
  } else if (name == "lt") {
    c = '<';
  } else if (name == "gt") {
    c = '>';
  } else if (name == "apos") {
    c = '\'';
  } else if (name.size() >= 2 && name[0] == '#') {
    const bool hex = name[1] == 'x' || name[1] == 'X';
    const std::string_view digits = name.substr(hex ? 2 : 1);
    if (digits.empty()) return 0;
    uint32_t cp = 0;
    for (const char d : digits) {
      const int v = hex ? hexDigit(d) : (d >= '0' && d <= '9' ? d - '0' : -1);
      if (v < 0) return 0;
      cp = cp * (hex ? 16u : 10u) + static_cast<uint32_t>(v);
      if (cp > 0x10FFFF) return 0;
    }
    appendUtf8(cp, out);
    return semi - i + 1;
  } else {
    return 0;
  }
  out.push_back(c);
  return semi - i + 1;
}

// Replaces `out` with `in` HTML-entity-decoded; unknown entities are kept literally.
void decodeEntities(std::string_view in, std::string& out) {
  size_t amp = in.find('&');
  out.assign(in.substr(0, amp));
  if (amp == std::string_view::npos) return;
  for (size_t i = amp; i < in.size(); ++i) {
    if (in[i] == '&') {
      const size_t used = decodeEntity(in, i, out);
      if (used > 0) {
        i += used - 1;
        continue;
      }
    }
    out.push_back(in[i]);
  }
}

// Decodes `in` into `out` only when it holds an entity; returns the value to use.
std::string_view decoded(std::string_view in, std::string& out) {
  if (in.find('&') == std::string_view::npos) return in;
  decodeEntities(in, out);
  return out;
}

// The value of the sig= query parameter of `url` (already entity-decoded), or "".
std::string_view sasSignature(std::string_view url) {
  const size_t q = url.find('?');
  if (q == std::string_view::npos) return {};
  const std::string_view query = url.substr(q);
  size_t at = query.find("?sig=");
  if (at == std::string_view::npos) at = query.find("&sig=");
  if (at == std::string_view::npos) return {};
  const std::string_view value = query.substr(at + 5);
  return value.substr(0, value.find('&'));
}

// The "principalType" value in the (entity-decoded) authorization-detail JSON, or "".
std::string_view principalTypeOf(std::string_view detail) {
  constexpr std::string_view kKey = "\"principalType\"";
  const size_t at = detail.find(kKey);
  if (at == std::string_view::npos) return {};
  size_t i = at + kKey.size();
  while (i < detail.size() && (detail[i] == ' ' || detail[i] == ':')) ++i;
  if (i >= detail.size() || detail[i] != '"') return {};
  const size_t close = detail.find('"', i + 1);
  if (close == std::string_view::npos) return {};
  return detail.substr(i + 1, close - i - 1);
}

bool isVersion(std::string_view v) {
  return v.size() == 3 && v[0] >= '0' && v[0] <= '9' && v[1] == '.' && v[2] >= '0' && v[2] <= '9';
}

}  // namespace

ParseStatus AzureAnalyticsParser::parse(std::string_view line, EventSink& sink) {
  while (!line.empty() && (line.back() == '\r' || line.back() == '\n')) line.remove_suffix(1);
  if (line.find_first_not_of(" \t") == std::string_view::npos) {
    return ParseStatus::Error(ParseErrc::kEmpty, "empty line");
  }

  std::array<std::string_view, kMaxFields> f;
  const size_t n = tokenize(line, f);
  if (n == 0) return ParseStatus::Error(ParseErrc::kSyntax, "unterminated quoted field");
  if (!isVersion(f[kVersion])) {
    return ParseStatus::Error(ParseErrc::kSyntax, "not a Storage Analytics line (no version)");
  }
  const std::string_view version = f[kVersion];
  if (version == "1.0" && n > kV1Fields) {
    return ParseStatus::Error(ParseErrc::kSyntax, "more than the 30 fields of version 1.0");
  }
  if (version == "2.0" && n > kV2Fields) {
    return ParseStatus::Error(ParseErrc::kSyntax, "more than the 38 fields of version 2.0");
  }
  if (n > kMaxFields) return ParseStatus::Error(ParseErrc::kSyntax, "too many fields");
  if (n < kV1Fields) return ParseStatus::Error(ParseErrc::kMissingField, "fewer than 30 fields");
  if (version == "2.0" && n < kV2Fields) {
    return ParseStatus::Error(ParseErrc::kMissingField, "fewer than the 38 fields of 2.0");
  }
  const bool hasOAuthFields = n >= kV2Fields;

  if (!f[kServiceType].empty() && f[kServiceType] != "blob") {
    return ParseStatus::Error(ParseErrc::kNotAccessEvent, "not a blob service request");
  }

  AccessEvent& e = event_;
  e.clear();
  e.provider = Provider::kAzure;
  e.format = Format::kAzureAnalytics;
  if (f[kStartTime].empty()) {
    return ParseStatus::Error(ParseErrc::kMissingField, "request-start-time is empty");
  }
  if (!parseIso8601(f[kStartTime], e.timeUs)) {
    return ParseStatus::Error(ParseErrc::kBadField, "request-start-time is not ISO 8601");
  }
  if (f[kOperation].empty()) {
    return ParseStatus::Error(ParseErrc::kMissingField, "operation-type is empty");
  }
  e.rawOperation.assign(f[kOperation]);
  e.opClass = azure::classifyOperation(f[kOperation]);

  int64_t status = -1;
  if (!parseCount(f[kHttpStatus], status)) {
    if (!equalsIgnoreCase(f[kHttpStatus], "Unknown")) {
      return ParseStatus::Error(ParseErrc::kBadField, "http-status-code is not a number");
    }
    status = -1;
  }
  if (status > 999) {
    return ParseStatus::Error(ParseErrc::kBadField, "http-status-code is not an HTTP status");
  }
  e.httpStatus = static_cast<int>(status);
  if (!azure::isSuccessStatusText(f[kRequestStatus])) {
    e.errorCode.assign(decoded(f[kRequestStatus], scratch_));
  }
  if (!parseCount(f[kResponsePacketSize], e.bytesOut)) {
    return ParseStatus::Error(ParseErrc::kBadField, "response-packet-size is not a number");
  }
  if (!parseCount(f[kRequestContentLength], e.bytesIn)) {
    return ParseStatus::Error(ParseErrc::kBadField, "request-content-length is not a number");
  }

  azure::assignCallerAddress(f[kRequesterIp], e);
  azure::splitObjectKey(decoded(f[kObjectKey], scratch_), e.bucket, e.objectKey);
  e.userAgent.assign(decoded(f[kUserAgent], scratch_));
  e.requestId.assign(f[kRequestId]);

  const std::string_view auth = f[kAuthType];
  if (equalsIgnoreCase(auth, "anonymous")) {
    e.principal.assign(kAnonymousPrincipal);
    e.principalKind = PrincipalKind::kAnonymous;
    e.authType = AuthType::kAnonymous;
  } else if (equalsIgnoreCase(auth, "authenticated")) {
    e.principal.assign(f[kRequesterAccount].empty() ? f[kOwnerAccount] : f[kRequesterAccount]);
    e.principal.append("/key");
    e.principalKind = PrincipalKind::kAccount;
    e.authType = AuthType::kHeader;
  } else if (equalsIgnoreCase(auth, "sas")) {
    e.principal.assign(f[kOwnerAccount]);
    e.principal.append("/sas");
    const std::string_view sig = sasSignature(decoded(f[kRequestUrl], scratch_));
    // "XXXXX" is the redacted form Azure writes in logged URLs: no signature to name.
    if (!sig.empty() && sig != "XXXXX") {
      percentDecode(sig, /*plusIsSpace=*/false, sigScratch_);
      e.principal.push_back(':');
      azure::appendFnv1a64Hex(sigScratch_, e.principal);
    }
    e.principalKind = PrincipalKind::kAccount;
    e.authType = AuthType::kQueryString;
  } else if (equalsIgnoreCase(auth, "bearer") && hasOAuthFields) {
    e.authType = AuthType::kHeader;
    const std::string_view upn = f[kUserPrincipalName];
    const std::string_view oid = f[kUserObjectId];
    if (!upn.empty()) {
      e.principal.assign(decoded(upn, scratch_));
      e.principalKind = PrincipalKind::kUser;
    } else if (!oid.empty()) {
      e.principal.assign("oid:");
      e.principal.append(oid);
      const std::string_view pt = principalTypeOf(decoded(f[kAuthorizationDetail], scratch_));
      if (pt == "ServicePrincipal" || pt == "MSI") {
        e.principalKind = PrincipalKind::kService;
      } else if (pt == "User" || pt == "Group") {
        e.principalKind = PrincipalKind::kUser;
      } else {
        e.principalKind =
            f[kApplicationId].empty() ? PrincipalKind::kUser : PrincipalKind::kService;
      }
    } else {
      e.principal.assign("unknown");
    }
  } else {
    e.principal.assign("unknown");
    if (equalsIgnoreCase(auth, "bearer")) e.authType = AuthType::kHeader;
  }

  sink.onEvent(e);
  return ParseStatus::Ok();
}

}  // namespace blobwatch::schemas
