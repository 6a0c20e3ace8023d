#include "schemas/format_detect.h"

#include <initializer_list>

namespace blobwatch::schemas {
namespace {

bool has(std::string_view head, std::string_view marker) {
  return head.find(marker) != std::string_view::npos;
}

bool hasAny(std::string_view head, std::initializer_list<std::string_view> markers) {
  for (const auto m : markers) {
    if (has(head, m)) return true;
  }
  return false;
}

bool looksLikeS3AccessLine(std::string_view line) {
  // owner SP bucket SP [dd/Mon/yyyy:HH:MM:SS +zzzz]
  const size_t sp1 = line.find(' ');
  if (sp1 == std::string_view::npos || sp1 == 0) return false;
  const size_t sp2 = line.find(' ', sp1 + 1);
  if (sp2 == std::string_view::npos || sp2 == sp1 + 1) return false;
  const std::string_view rest = line.substr(sp2 + 1);
  return rest.size() >= 28 && rest[0] == '[' && rest[3] == '/' && rest[7] == '/' &&
         rest[12] == ':' && rest[27] == ']';
}

bool isDigit(char c) { return c >= '0' && c <= '9'; }

// `1.0;2014-06-19T22:59:06.1234567Z;...` or the same with 2.0.
bool looksLikeAzureAnalyticsLine(std::string_view line) {
  return line.size() > 24 && isDigit(line[0]) && line[1] == '.' && isDigit(line[2]) &&
         line[3] == ';' && isDigit(line[4]) && isDigit(line[7]) && line[8] == '-' &&
         line[14] == 'T';
}

Format detectJson(std::string_view head) {
  // Most specific first: each marker is a field name only that format uses.
  if (hasAny(head, {"\"protoPayload\"", "cloudaudit.googleapis.com"}) ||
      (has(head, "\"message\"") && has(head, "\"subscription\""))) {
    return Format::kGcsAudit;  // LogEntry, or a Pub/Sub push envelope around one
  }
  if (has(head, "\"deploymentid\"") || (has(head, "\"api\"") && has(head, "\"remotehost\""))) {
    return Format::kMinioAudit;
  }
  if (has(head, "\"operationName\"") &&
      hasAny(head, {"\"callerIpAddress\"", "\"resourceId\"", "\"category\""})) {
    return Format::kAzureBlob;
  }
  if (hasAny(head, {"\"eventVersion\"", "\"eventSource\"", "\"userIdentity\"", "\"Records\"",
                    "\"awsRegion\""})) {
    return Format::kCloudTrail;
  }
  if (has(head, "\"records\"")) return Format::kAzureBlob;  // storage-account and Event Hub sinks
  return Format::kUnknown;
}

}  // namespace

Format detectFormat(std::string_view head) {
  if (head.substr(0, 3) == "\xEF\xBB\xBF") head.remove_prefix(3);
  size_t i = 0;
  while (i < head.size() &&
         (head[i] == ' ' || head[i] == '\t' || head[i] == '\r' || head[i] == '\n')) {
    ++i;
  }
  head.remove_prefix(i);
  if (head.empty()) return Format::kUnknown;
  if (head[0] == '{' || head[0] == '[') return detectJson(head);
  const std::string_view firstLine = head.substr(0, head.find('\n'));
  if (firstLine.substr(0, 13) == "\"time_micros\"") return Format::kGcsUsage;
  if (looksLikeAzureAnalyticsLine(firstLine)) return Format::kAzureAnalytics;
  return looksLikeS3AccessLine(firstLine) ? Format::kS3Access : Format::kUnknown;
}

}  // namespace blobwatch::schemas
