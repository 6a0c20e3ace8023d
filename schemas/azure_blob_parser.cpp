#include "schemas/azure_blob_parser.h"

#include "schemas/azure_common.h"
#include "schemas/json_util.h"
#include "schemas/text.h"

namespace blobwatch::schemas {
namespace {

namespace od = simdjson::ondemand;
using json::keyIs;
using json::readCount;
using json::readString;

// The fields of one resource-log object, as views into the parser's buffers. Valid while the
// document that produced them is being iterated.
struct Fields {
  std::string_view time, category, operationName, statusText, callerIp, correlationId, resourceId,
      uri, identityType, tokenHash, upn, objectId, appId, principalType, accountName, objectKey,
      userAgent, tlsVersion;
  int64_t status = -1;
  int64_t responseBodySize = -1, requestBodySize = -1, contentLength = -1;
  bool any = false;
};

void readStatusCode(od::value v, int64_t& out) {
  od::json_type t;
  if (v.type().get(t) != simdjson::SUCCESS) return;
  int64_t i = -1;
  if (t == od::json_type::number) {
    if (v.get_int64().get(i) != simdjson::SUCCESS) i = -1;
  } else if (t == od::json_type::string) {
    std::string_view s;
    // "Unknown" (interrupted requests) and any other non-numeric text: no status.
    if (v.get_string().get(s) != simdjson::SUCCESS || !parseCount(s, i)) i = -1;
  }
  out = (i >= 0 && i <= 999) ? i : -1;
}

// identity.authorization: [{..., "principals":[{"id":..., "type":"User"}]}, ...]. Keeps the first
// principal type found.
simdjson::error_code readAuthorization(od::array arr, Fields& f) {
  for (auto element : arr) {
    od::object entry;
    if (element.get_object().get(entry) != simdjson::SUCCESS) continue;
    for (auto field : entry) {
      od::raw_json_string key;
      if (auto err = field.key().get(key)) return err;
      if (!keyIs(key, "principals")) continue;
      od::array principals;
      if (field.value().get_array().get(principals) != simdjson::SUCCESS) continue;
      for (auto p : principals) {
        od::object po;
        if (p.get_object().get(po) != simdjson::SUCCESS) continue;
        for (auto pf : po) {
          od::raw_json_string k;
          if (auto err = pf.key().get(k)) return err;
          if (keyIs(k, "type") && f.principalType.empty()) readString(pf.value(), f.principalType);
        }
      }
    }
  }
  return simdjson::SUCCESS;
}

simdjson::error_code readIdentity(od::object obj, Fields& f) {
  for (auto field : obj) {
    od::raw_json_string key;
    if (auto err = field.key().get(key)) return err;
    od::value v = field.value();
    if (keyIs(key, "type")) {
      readString(v, f.identityType);
    } else if (keyIs(key, "tokenHash")) {
      readString(v, f.tokenHash);
    } else if (keyIs(key, "requester")) {
      od::object req;
      if (v.get_object().get(req) != simdjson::SUCCESS) continue;
      for (auto rf : req) {
        od::raw_json_string k;
        if (auto err = rf.key().get(k)) return err;
        if (keyIs(k, "upn")) {
          readString(rf.value(), f.upn);
        } else if (keyIs(k, "uniqueName")) {
          if (f.upn.empty()) readString(rf.value(), f.upn);
        } else if (keyIs(k, "objectId")) {
          readString(rf.value(), f.objectId);
        } else if (keyIs(k, "appId")) {
          readString(rf.value(), f.appId);
        }
      }
    } else if (keyIs(key, "authorization")) {
      od::array arr;
      if (v.get_array().get(arr) != simdjson::SUCCESS) continue;
      if (auto err = readAuthorization(arr, f)) return err;
    }
  }
  return simdjson::SUCCESS;
}

// Handles one field of a resource-log object. Unknown fields are skipped by On-Demand. Always
// inlined into the field loops (see json_util.h: an out-of-line call taking an On-Demand value
// costs a store-forwarding stall per field).
[[gnu::always_inline]] inline simdjson::error_code eventField(od::raw_json_string key, od::value v,
                                                              Fields& f) {
  f.any = true;
  switch (key.raw()[0]) {
    case 't':
      if (keyIs(key, "time")) readString(v, f.time);
      break;
    case 'o':
      if (keyIs(key, "operationName")) readString(v, f.operationName);
      break;
    case 'c':
      if (keyIs(key, "category")) {
        readString(v, f.category);
      } else if (keyIs(key, "callerIpAddress")) {
        readString(v, f.callerIp);
      } else if (keyIs(key, "correlationId")) {
        readString(v, f.correlationId);
      }
      break;
    case 's':
      if (keyIs(key, "statusCode")) {
        readStatusCode(v, f.status);
      } else if (keyIs(key, "statusText")) {
        readString(v, f.statusText);
      }
      break;
    case 'r':
      if (keyIs(key, "resourceId")) readString(v, f.resourceId);
      break;
    case 'u':
      if (keyIs(key, "uri")) readString(v, f.uri);
      break;
    case 'i':
      if (keyIs(key, "identity")) {
        od::object obj;
        if (v.get_object().get(obj) == simdjson::SUCCESS) return readIdentity(obj, f);
      }
      break;
    case 'p':
      if (keyIs(key, "properties")) {
        od::object obj;
        if (v.get_object().get(obj) != simdjson::SUCCESS) break;
        for (auto field : obj) {
          od::raw_json_string k;
          if (auto err = field.key().get(k)) return err;
          switch (k.raw()[0]) {
            case 'a':
              if (keyIs(k, "accountName")) readString(field.value(), f.accountName);
              break;
            case 'o':
              if (keyIs(k, "objectKey")) readString(field.value(), f.objectKey);
              break;
            case 'u':
              if (keyIs(k, "userAgentHeader")) readString(field.value(), f.userAgent);
              break;
            case 't':
              if (keyIs(k, "tlsVersion")) readString(field.value(), f.tlsVersion);
              break;
            case 'r':
              if (keyIs(k, "responseBodySize")) {
                readCount(field.value(), f.responseBodySize);
              } else if (keyIs(k, "requestBodySize")) {
                readCount(field.value(), f.requestBodySize);
              }
              break;
            case 'c':
              if (keyIs(k, "contentLengthHeader")) readCount(field.value(), f.contentLength);
              break;
            default:
              break;
          }
        }
      }
      break;
    default:
      break;
  }
  return simdjson::SUCCESS;
}

simdjson::error_code readEvent(od::object obj, Fields& f) {
  for (auto field : obj) {
    od::raw_json_string key;
    if (auto err = field.key().get(key)) return err;
    if (auto err = eventField(key, field.value(), f)) return err;
  }
  return simdjson::SUCCESS;
}

bool isStorageCategory(std::string_view c) {
  return c == "StorageRead" || c == "StorageWrite" || c == "StorageDelete";
}

// The <hash> of "...SasSignature(<hash>)..." in identity.tokenHash, or "".
std::string_view sasSignatureHash(std::string_view tokenHash) {
  constexpr std::string_view kMarker = "SasSignature(";
  const size_t at = tokenHash.find(kMarker);
  if (at == std::string_view::npos) return {};
  const std::string_view rest = tokenHash.substr(at + kMarker.size());
  const size_t close = rest.find(')');
  return close == std::string_view::npos ? std::string_view{} : rest.substr(0, close);
}

bool uriHasSasSignature(std::string_view uri) {
  const size_t q = uri.find('?');
  if (q == std::string_view::npos) return false;
  const std::string_view query = uri.substr(q);
  return query.find("?sig=") != std::string_view::npos ||
         query.find("&sig=") != std::string_view::npos;
}

void setAccountPrincipal(std::string_view account, std::string_view suffix, AccessEvent& e) {
  e.principal.assign(account);
  e.principal.append(suffix);
  e.principalKind = PrincipalKind::kAccount;
}

void principalOf(const Fields& f, std::string_view account, AccessEvent& e) {
  const std::string_view type = f.identityType;
  if (type == "OAuth" || type == "Kerberos") {
    e.authType = AuthType::kHeader;
    if (!f.upn.empty()) {
      e.principal.assign(f.upn);
      e.principalKind = PrincipalKind::kUser;
    } else if (!f.objectId.empty()) {
      e.principal.assign("oid:");
      e.principal.append(f.objectId);
      const std::string_view pt = f.principalType;
      if (pt == "ServicePrincipal" || pt == "MSI") {
        e.principalKind = PrincipalKind::kService;
      } else if (pt == "User" || pt == "Group") {
        e.principalKind = PrincipalKind::kUser;
      } else {
        e.principalKind = f.appId.empty() ? PrincipalKind::kUser : PrincipalKind::kService;
      }
    } else {
      e.principal.assign("unknown");
    }
  } else if (type == "SAS") {
    e.authType = AuthType::kQueryString;
    const std::string_view hash = sasSignatureHash(f.tokenHash);
    setAccountPrincipal(account, "/sas", e);
    if (!hash.empty()) {
      e.principal.push_back(':');
      e.principal.append(hash);
    }
  } else if (type == "AccountKey") {
    e.authType = AuthType::kHeader;
    if (f.tokenHash.starts_with("key1(")) {
      setAccountPrincipal(account, "/key1", e);
    } else if (f.tokenHash.starts_with("key2(")) {
      setAccountPrincipal(account, "/key2", e);
    } else {
      setAccountPrincipal(account, "/key", e);
    }
  } else if (type == "Anonymous" || (type.empty() && f.statusText.starts_with("Anonymous"))) {
    e.authType = AuthType::kAnonymous;
    e.principal.assign(kAnonymousPrincipal);
    e.principalKind = PrincipalKind::kAnonymous;
  } else if (type.empty() && uriHasSasSignature(f.uri)) {
    e.authType = AuthType::kQueryString;
    setAccountPrincipal(account, "/sas", e);
  } else {
    e.principal.assign("unknown");
  }
}

}  // namespace

ParseStatus AzureBlobParser::parse(std::string_view record, EventSink& sink) {
  od::document doc;
  od::object top;
  if (ParseStatus st = json::openObject(parser_, record, doc, top); !st.ok()) return st;

  uint32_t emitted = 0;
  uint32_t skipped = 0;
  // The first error is the record's; the envelope's other elements still go through.
  ParseStatus firstError = ParseStatus::Ok();
  auto fail = [&](ParseStatus st) {
    if (!firstError.isError()) firstError = st;
  };
  auto emit = [&](const Fields& f) {
    if (!f.category.empty() && !isStorageCategory(f.category)) {
      ++skipped;
      return;
    }
    AccessEvent& e = event_;
    e.clear();
    e.provider = Provider::kAzure;
    e.format = Format::kAzureBlob;
    if (f.time.empty()) {
      fail(ParseStatus::Error(ParseErrc::kMissingField, "time is missing"));
      return;
    }
    if (!parseIso8601(f.time, e.timeUs)) {
      fail(ParseStatus::Error(ParseErrc::kBadField, "time is not ISO 8601"));
      return;
    }
    if (f.operationName.empty()) {
      fail(ParseStatus::Error(ParseErrc::kMissingField, "operationName is missing"));
      return;
    }
    std::string_view account = f.accountName;
    if (account.empty()) account = azure::accountFromResourceId(f.resourceId);
    if (account.empty() && f.objectKey.size() > 1 && f.objectKey.front() == '/') {
      account = f.objectKey.substr(1, f.objectKey.find('/', 1) - 1);
    }
    principalOf(f, account, e);
    azure::assignCallerAddress(f.callerIp, e);
    if (!f.objectKey.empty()) {
      azure::splitObjectKey(f.objectKey, e.bucket, e.objectKey);
    } else {
      azure::splitObjectKey(f.uri, e.bucket, e.objectKey);  // uri's path, its query dropped
    }
    e.rawOperation.assign(f.operationName);
    e.opClass = azure::classifyOperation(f.operationName);
    e.httpStatus = static_cast<int>(f.status);
    if (!azure::isSuccessStatusText(f.statusText)) e.errorCode.assign(f.statusText);
    e.bytesOut = f.responseBodySize;
    e.bytesIn = f.requestBodySize;
    if (e.bytesIn < 0 && e.opClass == OpClass::kWrite) e.bytesIn = f.contentLength;
    e.userAgent.assign(f.userAgent);
    e.tlsVersion.assign(f.tlsVersion);
    e.requestId.assign(f.correlationId);
    sink.onEvent(e);
    ++emitted;
  };

  Fields topFields;
  for (auto field : top) {
    od::raw_json_string key;
    if (field.key().get(key)) return ParseStatus::Error(ParseErrc::kSyntax, "not valid JSON");
    od::value v = field.value();
    if (keyIs(key, "records")) {
      od::array records;
      if (v.get_array().get(records)) {
        return ParseStatus::Error(ParseErrc::kBadField, "records is not an array");
      }
      for (auto element : records) {
        od::object obj;
        if (element.get_object().get(obj)) {
          fail(ParseStatus::Error(ParseErrc::kSyntax, "records element is not an object"));
          continue;
        }
        Fields f;
        if (readEvent(obj, f)) return ParseStatus::Error(ParseErrc::kSyntax, "not valid JSON");
        emit(f);
      }
    } else if (eventField(key, v, topFields)) {
      return ParseStatus::Error(ParseErrc::kSyntax, "not valid JSON");
    }
  }
  const char* trailing = nullptr;
  if (doc.current_location().get(trailing) == simdjson::SUCCESS) {
    return ParseStatus::Error(ParseErrc::kSyntax, "trailing content after the JSON object");
  }
  // A bare record: it has an operationName or a time (emit reports whichever is missing). An
  // envelope without either is not a record.
  if (topFields.any && (!topFields.operationName.empty() || !topFields.time.empty())) {
    emit(topFields);
  }
  if (firstError.isError()) return firstError;
  if (emitted == 0) {
    return ParseStatus::Error(ParseErrc::kNotAccessEvent, skipped > 0
                                                              ? "not a StorageRead/Write/Delete log"
                                                              : "no Azure resource log in record");
  }
  return ParseStatus::Ok();
}

}  // namespace blobwatch::schemas
