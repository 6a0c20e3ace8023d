#include "schemas/s3_access_parser.h"

#include <array>

#include "schemas/aws_common.h"
#include "schemas/text.h"

namespace blobwatch::schemas {
namespace {

constexpr size_t kMaxFields = 27;
constexpr size_t kMinFields = 18;

// Field indexes (0-based) in the S3 access-log line.
enum Field : size_t {
  kBucket = 1,
  kTime = 2,
  kRemoteIp = 3,
  kRequester = 4,
  kRequestId = 5,
  kOperation = 6,
  kKey = 7,
  kRequestUri = 8,
  kStatus = 9,
  kErrorCode = 10,
  kBytesSent = 11,
  kObjectSize = 12,
  kUserAgent = 16,
  kAuthType = 21,
  kTlsVersion = 23,
};

// Splits `line` into at most kMaxFields fields; returns the number found, or 0 on a syntax error
// (`detail` says which).
size_t tokenize(std::string_view line, std::array<std::string_view, kMaxFields>& fields,
                const char*& detail) {
  size_t n = 0;
  size_t i = 0;
  const size_t len = line.size();
  while (i < len && n < kMaxFields) {
    while (i < len && line[i] == ' ') ++i;
    if (i >= len) break;
    const char c = line[i];
    if (c == '[') {
      const size_t end = line.find(']', i + 1);
      if (end == std::string_view::npos) {
        detail = "unterminated [time] field";
        return 0;
      }
      fields[n++] = line.substr(i + 1, end - i - 1);
      i = end + 1;
    } else if (c == '"') {
      size_t j = i + 1;
      // The first \" that could also have closed the field: the fallback when no other quote
      // does, so that a value ending in a backslash cannot make the line unparseable.
      size_t escapedClose = std::string_view::npos;
      for (;;) {
        size_t q = line.find('"', j);
        if (q == std::string_view::npos) {
          if (escapedClose == std::string_view::npos) {
            detail = "unterminated quoted field";
            return 0;
          }
          q = escapedClose;
        } else if (line[q - 1] == '\\' && q - 1 > i) {  // \" inside the field
          if (escapedClose == std::string_view::npos && (q + 1 == len || line[q + 1] == ' ')) {
            escapedClose = q;
          }
          j = q + 1;
          continue;
        }
        if (q + 1 == len || line[q + 1] == ' ') {
          fields[n++] = line.substr(i + 1, q - i - 1);
          i = q + 1;
          break;
        }
        j = q + 1;  // a stray quote: keep it as content
      }
    } else {
      // Bare fields are short (ids, numbers, '-'): a byte loop beats a memchr call here.
      size_t end = i + 1;
      while (end < len && line[end] != ' ') ++end;
      fields[n++] = line.substr(i, end - i);
      i = end;
    }
  }
  return n;
}

bool isNone(std::string_view f) { return f.empty() || f == "-"; }

void assignOrEmpty(std::string& out, std::string_view f) {
  if (isNone(f)) {
    out.clear();
  } else {
    out.assign(f);
  }
}

bool hasPresignedQuery(std::string_view uri) {
  return uri.find("Signature=") != std::string_view::npos ||
         uri.find("X-Amz-Credential=") != std::string_view::npos;
}

}  // namespace

ParseStatus S3AccessParser::parse(std::string_view line, EventSink& sink) {
  while (!line.empty() && (line.back() == '\r' || line.back() == ' ')) line.remove_suffix(1);
  if (line.empty()) return ParseStatus::Error(ParseErrc::kEmpty, "empty line");

  std::array<std::string_view, kMaxFields> f;
  const char* detail = "";
  const size_t n = tokenize(line, f, detail);
  if (n == 0) return ParseStatus::Error(ParseErrc::kSyntax, detail);
  if (n < kMinFields) {
    return ParseStatus::Error(ParseErrc::kMissingField, "fewer than 18 fields");
  }

  AccessEvent& e = event_;
  e.clear();
  e.provider = Provider::kAws;
  e.format = Format::kS3Access;
  if (!parseClfTime(f[kTime], e.timeUs)) {
    return ParseStatus::Error(ParseErrc::kBadField, "time is not [dd/Mon/yyyy:HH:MM:SS +zzzz]");
  }
  assignOrEmpty(e.bucket, f[kBucket]);
  if (!isNone(f[kRemoteIp])) {
    e.sourceIpText.assign(f[kRemoteIp]);
    (void)parseIp(f[kRemoteIp], e.sourceIp);  // unparseable stays as text
  }
  e.principalKind = aws::normalizePrincipal(f[kRequester], e.principal);
  assignOrEmpty(e.requestId, f[kRequestId]);
  e.rawOperation.assign(f[kOperation]);
  if (!isNone(f[kKey])) percentDecode(f[kKey], /*plusIsSpace=*/true, e.objectKey);
  e.opClass = aws::classifyS3Operation(f[kOperation], !e.objectKey.empty());

  int64_t status = -1;
  if (!parseCount(f[kStatus], status) || status > 999) {
    return ParseStatus::Error(ParseErrc::kBadField, "HTTP status is not a number");
  }
  e.httpStatus = static_cast<int>(status);
  assignOrEmpty(e.errorCode, f[kErrorCode]);
  if (!parseCount(f[kBytesSent], e.bytesOut)) {
    return ParseStatus::Error(ParseErrc::kBadField, "bytes sent is not a number");
  }
  if (!parseCount(f[kObjectSize], e.objectSize)) {
    return ParseStatus::Error(ParseErrc::kBadField, "object size is not a number");
  }
  if (e.bytesOut < 0 && e.httpStatus >= 0) e.bytesOut = 0;  // S3 writes "-" for zero
  assignOrEmpty(e.userAgent, f[kUserAgent]);

  const std::string_view authField = n > kAuthType ? f[kAuthType] : std::string_view{};
  if (authField == "AuthHeader") {
    e.authType = AuthType::kHeader;
  } else if (authField == "QueryString" ||
             (authField.empty() && hasPresignedQuery(f[kRequestUri]))) {  // 18-field era
    e.authType = AuthType::kQueryString;
  } else if (e.principalKind == PrincipalKind::kAnonymous) {
    e.authType = AuthType::kAnonymous;
  } else if (n <= kAuthType) {
    e.authType = AuthType::kHeader;  // 18-field era: authenticated and not presigned
  }
  if (n > kTlsVersion) assignOrEmpty(e.tlsVersion, f[kTlsVersion]);

  sink.onEvent(e);
  return ParseStatus::Ok();
}

}  // namespace blobwatch::schemas
