#include "schemas/gcs_usage_parser.h"

#include <utility>

#include "schemas/text.h"

namespace blobwatch::schemas {
namespace {

constexpr std::string_view kUnidentifiedPrincipal = "unidentified";

// Header names of the mapped columns, indexed by GcsUsageParser::Column.
constexpr std::array<std::string_view, GcsUsageParser::kColumnCount> kColumnNames = {
    "time_micros", "c_ip",          "cs_method",    "cs_uri",       "sc_status", "cs_bytes",
    "sc_bytes",    "cs_user_agent", "s_request_id", "cs_operation", "cs_bucket", "cs_object",
};

// Splits one CSV line into cells (quotes removed, "" escapes kept for assignCell). Returns
// nullptr, or a description of the syntax error.
const char* splitCsv(std::string_view line, std::vector<std::string_view>& cells) {
  cells.clear();
  size_t i = 0;
  const size_t len = line.size();
  for (;;) {
    if (i < len && line[i] == '"') {
      size_t j = i + 1;
      for (;;) {
        const size_t q = line.find('"', j);
        if (q == std::string_view::npos) return "unterminated quoted value";
        if (q + 1 < len && line[q + 1] == '"') {  // "" inside the value
          j = q + 2;
          continue;
        }
        cells.push_back(line.substr(i + 1, q - i - 1));
        i = q + 1;
        break;
      }
      if (i < len && line[i] != ',') return "text after a closing quote";
    } else {
      const size_t comma = line.find(',', i);
      const size_t end = comma == std::string_view::npos ? len : comma;
      cells.push_back(line.substr(i, end - i));
      i = end;
    }
    if (i >= len) return nullptr;
    ++i;  // the comma; a line ending in ',' has a last, empty cell
  }
}

// Replaces `out` with a cell's value, "" collapsed to ".
void assignCell(std::string& out, std::string_view cell) {
  size_t q = cell.find('"');
  if (q == std::string_view::npos) {
    out.assign(cell);
    return;
  }
  out.clear();
  while (q != std::string_view::npos) {
    out.append(cell.substr(0, q + 1));
    cell.remove_prefix(q + 1);
    if (!cell.empty() && cell.front() == '"') cell.remove_prefix(1);
    q = cell.find('"');
  }
  out.append(cell);
}

bool containsIgnoreCase(std::string_view s, std::string_view needle) {
  if (needle.size() > s.size()) return false;
  for (size_t i = 0; i + needle.size() <= s.size(); ++i) {
    if (equalsIgnoreCase(s.substr(i, needle.size()), needle)) return true;
  }
  return false;
}

// True when the query of a request URI carries a V2 or V4 signed-URL signature.
bool hasSignatureParam(std::string_view uri) {
  const size_t qm = uri.find('?');
  if (qm == std::string_view::npos) return false;
  std::string_view query = uri.substr(qm + 1);
  while (!query.empty()) {
    const size_t amp = query.find('&');
    const std::string_view param = query.substr(0, amp);
    const std::string_view name = param.substr(0, param.find('='));
    if (equalsIgnoreCase(name, "X-Goog-Signature") || equalsIgnoreCase(name, "Signature")) {
      return true;
    }
    if (amp == std::string_view::npos) break;
    query.remove_prefix(amp + 1);
  }
  return false;
}

// cs_operation is METHOD_Resource (GET_Object, HEAD_Object, GET_Bucket, PUT_Object, ...). Without
// one, the HTTP method and whether an object is named decide.
OpClass classifyOperation(std::string_view operation, std::string_view method, bool hasObject) {
  std::string_view verb = method;
  std::string_view noun = hasObject ? "Object" : "Bucket";
  if (!operation.empty()) {
    const size_t us = operation.find('_');
    verb = operation.substr(0, us);
    noun = us == std::string_view::npos ? std::string_view{} : operation.substr(us + 1);
  }
  const bool access = containsIgnoreCase(noun, "acl") || containsIgnoreCase(noun, "iam") ||
                      containsIgnoreCase(noun, "policy");
  const bool object = noun == "Object";
  const bool container = noun == "Bucket" || noun == "Buckets" || noun == "Objects";
  if (equalsIgnoreCase(verb, "LIST")) return OpClass::kList;
  if (equalsIgnoreCase(verb, "GET")) {
    if (access) return OpClass::kOther;
    if (object) return OpClass::kRead;
    return container ? OpClass::kList : OpClass::kOther;
  }
  if (equalsIgnoreCase(verb, "HEAD")) return OpClass::kHead;
  if (equalsIgnoreCase(verb, "PUT") || equalsIgnoreCase(verb, "POST") ||
      equalsIgnoreCase(verb, "PATCH")) {
    if (access) return OpClass::kPolicy;
    return object ? OpClass::kWrite : OpClass::kOther;
  }
  if (equalsIgnoreCase(verb, "DELETE")) {
    if (access) return OpClass::kPolicy;
    return object || noun == "Bucket" ? OpClass::kDelete : OpClass::kOther;
  }
  return OpClass::kOther;
}

}  // namespace

std::string_view GcsUsageParser::cell(Column c) const {
  const int i = index_[c];
  return i < 0 ? std::string_view{} : cells_[static_cast<size_t>(i)];
}

ParseStatus GcsUsageParser::parse(std::string_view line, EventSink& sink) {
  while (!line.empty() && (line.back() == '\r' || line.back() == ' ')) line.remove_suffix(1);
  if (line.substr(0, 3) == "\xEF\xBB\xBF") line.remove_prefix(3);  // UTF-8 byte order mark
  if (line.empty()) return ParseStatus::Error(ParseErrc::kEmpty, "empty line");

  if (const char* err = splitCsv(line, cells_)) return ParseStatus::Error(ParseErrc::kSyntax, err);

  // A header row names the time_micros column. Once a header is known, a row that holds a number
  // in the current time_micros position is data whatever its other cells say, so that a
  // client-chosen value such as a User-Agent of "time_micros" cannot remap the columns; a later
  // real header (files concatenated) has a column name there and is taken.
  bool header = false;
  for (const std::string_view c : cells_) {
    if (c == kColumnNames[kTime]) header = true;
  }
  if (header && haveHeader_) {
    const auto t = static_cast<size_t>(index_[kTime]);
    int64_t micros = -1;
    if (t < cells_.size() && parseCount(cells_[t], micros) && micros >= 0) header = false;
  }
  if (header) {
    index_.fill(-1);
    for (size_t i = 0; i < cells_.size(); ++i) {
      for (size_t c = 0; c < kColumnNames.size(); ++c) {
        if (index_[c] < 0 && cells_[i] == kColumnNames[c]) index_[c] = static_cast<int>(i);
      }
    }
    headerCells_ = cells_.size();
    haveHeader_ = true;
    return ParseStatus::Error(ParseErrc::kEmpty, "header row");
  }
  if (!haveHeader_) return ParseStatus::Error(ParseErrc::kMissingField, "no header row");
  if (cells_.size() < headerCells_) {
    return ParseStatus::Error(ParseErrc::kMissingField, "row has fewer columns than the header");
  }
  if (cells_.size() > headerCells_) {
    return ParseStatus::Error(ParseErrc::kSyntax, "row has more columns than the header");
  }

  AccessEvent& e = event_;
  e.clear();
  e.provider = Provider::kGcp;
  e.format = Format::kGcsUsage;
  int64_t micros = -1;
  if (!parseCount(cell(kTime), micros)) {
    return ParseStatus::Error(ParseErrc::kBadField, "time_micros is not a number");
  }
  if (micros < 0) return ParseStatus::Error(ParseErrc::kMissingField, "time_micros is empty");
  e.timeUs = micros;

  e.principal.assign(kUnidentifiedPrincipal);
  e.principalKind = PrincipalKind::kUnidentified;

  const std::string_view ip = cell(kClientIp);
  if (!ip.empty()) {
    e.sourceIpText.assign(ip);
    (void)parseIp(ip, e.sourceIp);
  }
  assignCell(e.bucket, cell(kBucket));
  assignCell(e.objectKey, cell(kObject));

  const std::string_view operation = cell(kOperation);
  const std::string_view method = cell(kMethod);
  assignCell(e.rawOperation, operation.empty() ? method : operation);
  e.opClass = classifyOperation(operation, method, !e.objectKey.empty());

  int64_t status = -1;
  if (!parseCount(cell(kStatus), status) || status > 999) {
    return ParseStatus::Error(ParseErrc::kBadField, "sc_status is not a number");
  }
  e.httpStatus = static_cast<int>(status);
  if (!parseCount(cell(kRequestBytes), e.bytesIn)) {
    return ParseStatus::Error(ParseErrc::kBadField, "cs_bytes is not a number");
  }
  if (!parseCount(cell(kResponseBytes), e.bytesOut)) {
    return ParseStatus::Error(ParseErrc::kBadField, "sc_bytes is not a number");
  }
  assignCell(e.userAgent, cell(kUserAgent));
  assignCell(e.requestId, cell(kRequestId));
  e.authType = hasSignatureParam(cell(kUri)) ? AuthType::kQueryString : AuthType::kUnknown;

  sink.onEvent(e);
  return ParseStatus::Ok();
}

}  // namespace blobwatch::schemas
