#include "schemas/format_detect.h"

namespace blobwatch::schemas {
namespace {

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
  if (head[0] == '{' || head[0] == '[') {
    for (const std::string_view marker :
         {std::string_view("\"eventVersion\""), std::string_view("\"eventSource\""),
          std::string_view("\"userIdentity\""), std::string_view("\"Records\""),
          std::string_view("\"awsRegion\"")}) {
      if (head.find(marker) != std::string_view::npos) return Format::kCloudTrail;
    }
    return Format::kUnknown;
  }
  return looksLikeS3AccessLine(head.substr(0, head.find('\n'))) ? Format::kS3Access
                                                                : Format::kUnknown;
}

}  // namespace blobwatch::schemas
