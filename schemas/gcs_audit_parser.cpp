#include "schemas/gcs_audit_parser.h"

#include <array>
#include <utility>

#include "schemas/json_util.h"
#include "schemas/text.h"

namespace blobwatch::schemas {
namespace {

namespace od = simdjson::ondemand;
using json::keyIs;
using json::readString;

constexpr std::string_view kStorageService = "storage.googleapis.com";

// The fields of one LogEntry, as views into a parser's buffers. Valid while the document that
// produced them is alive.
struct Fields {
  std::string_view timestamp, receiveTimestamp, requestTime, insertId, serviceName, methodName,
      resourceName, metadataResourceName, bucketLabel, callerIp, callerIpUpper, userAgent,
      principalEmail, principalSubject, oauthClientId, statusMessage;
  int64_t statusCode = 0;
  bool hasPayload = false;
  bool signedUrl = false;
};

// True when a URL query string (name=value&...) carries a V2 or V4 signed-URL signature.
bool hasSignatureParam(std::string_view query) {
  if (!query.empty() && query.front() == '?') query.remove_prefix(1);
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

// Cloud Storage methods: "storage.objects.get", or "google.storage.objects.get" as VPC Service
// Controls denials (policy log) write them.
bool isStorageMethod(std::string_view m) {
  return m.starts_with("storage.") || m.starts_with("google.storage.");
}

OpClass classifyMethod(std::string_view m) {
  if (m.starts_with("google.")) m.remove_prefix(7);
  if (!m.starts_with("storage.")) return OpClass::kOther;
  m.remove_prefix(8);
  static constexpr std::array<std::pair<std::string_view, OpClass>, 14> kTable = {{
      {"objects.get", OpClass::kRead},
      {"objects.list", OpClass::kList},
      {"buckets.list", OpClass::kList},
      {"objects.create", OpClass::kWrite},
      {"objects.insert", OpClass::kWrite},
      {"objects.update", OpClass::kWrite},
      {"objects.patch", OpClass::kWrite},
      {"objects.compose", OpClass::kWrite},
      {"objects.rewrite", OpClass::kWrite},
      {"objects.copy", OpClass::kWrite},
      {"objects.restore", OpClass::kWrite},
      {"objects.delete", OpClass::kDelete},
      {"buckets.delete", OpClass::kDelete},
      {"buckets.get", OpClass::kHead},  // bucket metadata, the HeadBucket of GCS
  }};
  for (const auto& [name, cls] : kTable) {
    if (name == m) return cls;
  }
  // IAM: storage.setIamPermissions, storage.buckets.setIamPolicy, storage.objects.setIamPolicy,
  // storage.managedFolders.setIamPolicy.
  if (m == "setIamPermissions" || m.ends_with(".setIamPolicy")) return OpClass::kPolicy;
  // ACL changes: storage.{bucket,object,defaultObject}AccessControls.{insert,update,patch,delete}.
  const size_t dot = m.find('.');
  if (dot != std::string_view::npos && m.substr(0, dot).ends_with("AccessControls")) {
    const std::string_view verb = m.substr(dot + 1);
    if (verb == "insert" || verb == "update" || verb == "patch" || verb == "delete" ||
        verb == "create") {
      return OpClass::kPolicy;
    }
  }
  return OpClass::kOther;  // buckets.create/update/patch, get/testIamPermissions, hmacKeys, ...
}

// google.rpc.Code to the HTTP status Cloud Storage answers with; -1 when there is no one answer.
int httpStatusForRpcCode(int64_t code) {
  switch (code) {
    case 0:
      return 200;
    case 3:
      return 400;  // INVALID_ARGUMENT
    case 5:
      return 404;  // NOT_FOUND
    case 7:
      return 403;  // PERMISSION_DENIED
    case 8:
      return 429;  // RESOURCE_EXHAUSTED
    case 9:
      return 412;  // FAILED_PRECONDITION
    case 13:
      return 500;  // INTERNAL
    case 14:
      return 503;  // UNAVAILABLE
    case 16:
      return 401;  // UNAUTHENTICATED
    default:
      return -1;
  }
}

// The canonical google.rpc.Code name, for an error entry without a status.message.
std::string_view rpcCodeName(int64_t code) {
  static constexpr std::array<std::string_view, 17> kNames = {
      "OK",
      "CANCELLED",
      "UNKNOWN",
      "INVALID_ARGUMENT",
      "DEADLINE_EXCEEDED",
      "NOT_FOUND",
      "ALREADY_EXISTS",
      "PERMISSION_DENIED",
      "RESOURCE_EXHAUSTED",
      "FAILED_PRECONDITION",
      "ABORTED",
      "OUT_OF_RANGE",
      "UNIMPLEMENTED",
      "INTERNAL",
      "UNAVAILABLE",
      "DATA_LOSS",
      "UNAUTHENTICATED",
  };
  return code >= 0 && code < static_cast<int64_t>(kNames.size()) ? kNames[static_cast<size_t>(code)]
                                                                 : std::string_view("UNKNOWN");
}

// Splits projects/<project>/buckets/<bucket>[/objects/<key>]. The key is everything after
// "/objects/" (it may contain '/'), as logged: audit logs do not URL-encode it.
bool bucketAndKey(std::string_view rn, std::string_view& bucket, std::string_view& key) {
  if (!rn.starts_with("projects/")) return false;
  const size_t slash = rn.find('/', 9);
  if (slash == std::string_view::npos) return false;
  std::string_view rest = rn.substr(slash);
  if (!rest.starts_with("/buckets/")) return false;
  rest.remove_prefix(9);
  const size_t end = rest.find('/');
  bucket = rest.substr(0, end);
  key = {};
  if (end != std::string_view::npos && rest.substr(end).starts_with("/objects/")) {
    key = rest.substr(end + 9);
  }
  return !bucket.empty();
}

[[gnu::always_inline]] inline simdjson::error_code readAuthentication(od::object obj, Fields& f) {
  for (auto field : obj) {
    od::raw_json_string key;
    if (auto err = field.key().get(key)) return err;
    od::value v = field.value();
    if (keyIs(key, "principalEmail")) {
      readString(v, f.principalEmail);
    } else if (keyIs(key, "principalSubject")) {
      readString(v, f.principalSubject);
    } else if (keyIs(key, "oauthInfo")) {
      od::object o;
      od::value id;
      if (v.get_object().get(o) == simdjson::SUCCESS &&
          o.find_field_unordered("oauthClientId").get(id) == simdjson::SUCCESS) {
        readString(id, f.oauthClientId);
      }
    }
  }
  return simdjson::SUCCESS;
}

[[gnu::always_inline]] inline simdjson::error_code readRequestMetadata(od::object obj, Fields& f) {
  for (auto field : obj) {
    od::raw_json_string key;
    if (auto err = field.key().get(key)) return err;
    od::value v = field.value();
    if (keyIs(key, "callerIp")) {
      readString(v, f.callerIp);
    } else if (keyIs(key, "callerIP")) {  // Panther's copy of some records
      readString(v, f.callerIpUpper);
    } else if (keyIs(key, "callerSuppliedUserAgent")) {
      readString(v, f.userAgent);
    } else if (keyIs(key, "requestAttributes")) {
      od::object attrs;
      if (v.get_object().get(attrs) != simdjson::SUCCESS) continue;
      for (auto a : attrs) {
        od::raw_json_string k;
        if (auto err = a.key().get(k)) return err;
        if (keyIs(k, "time")) {
          readString(a.value(), f.requestTime);
        } else if (keyIs(k, "query")) {
          std::string_view q;
          readString(a.value(), q);
          if (hasSignatureParam(q)) f.signedUrl = true;
        }
      }
    }
  }
  return simdjson::SUCCESS;
}

simdjson::error_code readMetadata(od::object obj, Fields& f) {
  for (auto field : obj) {
    od::raw_json_string key;
    if (auto err = field.key().get(key)) return err;
    od::value v = field.value();
    if (keyIs(key, "audit_context")) {
      od::object ctx;
      od::value info;
      od::object infoObj;
      if (v.get_object().get(ctx) != simdjson::SUCCESS ||
          ctx.find_field_unordered("audit_info").get(info) != simdjson::SUCCESS ||
          info.get_object().get(infoObj) != simdjson::SUCCESS) {
        continue;
      }
      for (auto h : infoObj) {
        std::string_view name;
        if (auto err = h.unescaped_key().get(name)) return err;
        if (name.starts_with("x-goog-custom-audit-signed")) f.signedUrl = true;
      }
    } else if (keyIs(key, "resourceNames")) {  // VPC Service Controls denials
      od::array names;
      if (v.get_array().get(names) != simdjson::SUCCESS) continue;
      for (auto n : names) {
        std::string_view s;
        if (n.get_string().get(s) == simdjson::SUCCESS && f.metadataResourceName.empty()) {
          f.metadataResourceName = s;
        }
      }
    }
  }
  return simdjson::SUCCESS;
}

// Handles one field of protoPayload. Inlined into the loop (see json_util.h).
[[gnu::always_inline]] inline simdjson::error_code payloadField(od::raw_json_string key,
                                                                od::value v, Fields& f) {
  switch (key.raw()[0]) {
    case 'a':
      if (keyIs(key, "authenticationInfo")) {
        od::object obj;
        if (v.get_object().get(obj) == simdjson::SUCCESS) return readAuthentication(obj, f);
      }
      break;
    case 'm':
      if (keyIs(key, "methodName")) {
        readString(v, f.methodName);
      } else if (keyIs(key, "metadata")) {
        od::object obj;
        if (v.get_object().get(obj) == simdjson::SUCCESS) return readMetadata(obj, f);
      }
      break;
    case 'r':
      if (keyIs(key, "resourceName")) {
        readString(v, f.resourceName);
      } else if (keyIs(key, "requestMetadata")) {
        od::object obj;
        if (v.get_object().get(obj) == simdjson::SUCCESS) return readRequestMetadata(obj, f);
      }
      break;
    case 's':
      if (keyIs(key, "serviceName")) {
        readString(v, f.serviceName);
      } else if (keyIs(key, "status")) {
        od::object obj;
        if (v.get_object().get(obj) != simdjson::SUCCESS) break;
        for (auto field : obj) {
          od::raw_json_string k;
          if (auto err = field.key().get(k)) return err;
          if (keyIs(k, "code")) {
            int64_t code;
            if (field.value().get_int64().get(code) == simdjson::SUCCESS) f.statusCode = code;
          } else if (keyIs(k, "message")) {
            readString(field.value(), f.statusMessage);
          }
        }
      }
      break;
    default:
      break;
  }
  return simdjson::SUCCESS;
}

// Handles one top-level LogEntry field. Inlined into the loops (see json_util.h).
[[gnu::always_inline]] inline simdjson::error_code entryField(od::raw_json_string key, od::value v,
                                                              Fields& f) {
  switch (key.raw()[0]) {
    case 'i':
      if (keyIs(key, "insertId")) readString(v, f.insertId);
      break;
    case 't':
      if (keyIs(key, "timestamp")) readString(v, f.timestamp);
      break;
    case 'p':
      if (keyIs(key, "protoPayload")) {
        od::object obj;
        if (v.get_object().get(obj) != simdjson::SUCCESS) break;
        f.hasPayload = true;
        for (auto field : obj) {
          od::raw_json_string k;
          if (auto err = field.key().get(k)) return err;
          if (auto err = payloadField(k, field.value(), f)) return err;
        }
      }
      break;
    case 'r':
      if (keyIs(key, "receiveTimestamp")) {
        readString(v, f.receiveTimestamp);
      } else if (keyIs(key, "resource")) {
        od::object obj;
        od::value labels;
        od::object labelsObj;
        od::value bucket;
        if (v.get_object().get(obj) == simdjson::SUCCESS &&
            obj.find_field_unordered("labels").get(labels) == simdjson::SUCCESS &&
            labels.get_object().get(labelsObj) == simdjson::SUCCESS &&
            labelsObj.find_field_unordered("bucket_name").get(bucket) == simdjson::SUCCESS) {
          readString(bucket, f.bucketLabel);
        }
      }
      break;
    default:
      break;
  }
  return simdjson::SUCCESS;
}

// Fills principal and principalKind; returns false when the entry names no identity.
bool principalOf(const Fields& f, AccessEvent& e) {
  if (!f.principalEmail.empty()) {
    e.principal.assign(f.principalEmail);
    e.principalKind = f.principalEmail.ends_with(".gserviceaccount.com") ? PrincipalKind::kService
                                                                         : PrincipalKind::kUser;
  } else if (!f.principalSubject.empty()) {
    std::string_view s = f.principalSubject;
    if (s.starts_with("user:")) {
      e.principal.assign(s.substr(5));
      e.principalKind = PrincipalKind::kUser;
    } else if (s.starts_with("serviceAccount:")) {
      e.principal.assign(s.substr(15));
      e.principalKind = PrincipalKind::kService;
    } else {
      e.principal.assign(s);
      e.principalKind = s.starts_with("principal://") || s.starts_with("principalSet://")
                            ? PrincipalKind::kFederated
                            : PrincipalKind::kUnknown;
    }
  } else if (!f.oauthClientId.empty()) {
    e.principal.assign("oauth-client:");
    e.principal.append(f.oauthClientId);
    e.principalKind = PrincipalKind::kUnknown;
  } else {
    // No identity. Anonymous requests write no audit entry at all, so this is not anonymous:
    // the identity was withheld (e.g. redacted for a caller outside the organization).
    e.principal.assign("unknown");
    e.principalKind = PrincipalKind::kUnknown;
    return false;
  }
  return true;
}

bool isBlank(std::string_view s) {
  for (const char c : s) {
    if (c != ' ' && c != '\t' && c != '\r' && c != '\n') return false;
  }
  return true;
}

// Reads every field of a LogEntry object into `f`; false on malformed JSON.
bool readEntry(od::object obj, Fields& f) {
  for (auto field : obj) {
    od::raw_json_string key;
    if (field.key().get(key)) return false;
    if (entryField(key, field.value(), f)) return false;
  }
  return true;
}

}  // namespace

ParseStatus GcsAuditParser::parse(std::string_view record, EventSink& sink) {
  od::document doc;
  od::object top;
  if (ParseStatus st = json::openObject(parser_, record, doc, top); !st.ok()) return st;

  Fields f;
  bool envelope = false;
  std::string_view data;
  for (auto field : top) {
    od::raw_json_string key;
    if (field.key().get(key)) return ParseStatus::Error(ParseErrc::kSyntax, "not valid JSON");
    od::value v = field.value();
    if (key.raw()[0] == 'm' && keyIs(key, "message")) {  // Pub/Sub push envelope
      od::object msg;
      if (v.get_object().get(msg)) {
        return ParseStatus::Error(ParseErrc::kBadField, "message is not an object");
      }
      envelope = true;
      for (auto m : msg) {
        od::raw_json_string k;
        if (m.key().get(k)) return ParseStatus::Error(ParseErrc::kSyntax, "not valid JSON");
        if (keyIs(k, "data")) readString(m.value(), data);
      }
    } else if (entryField(key, v, f)) {
      return ParseStatus::Error(ParseErrc::kSyntax, "not valid JSON");
    }
  }
  const char* trailing = nullptr;
  if (doc.current_location().get(trailing) == simdjson::SUCCESS) {
    return ParseStatus::Error(ParseErrc::kSyntax, "trailing content after the JSON object");
  }

  if (envelope) {
    if (data.empty()) {
      return ParseStatus::Error(ParseErrc::kMissingField, "Pub/Sub message has no data");
    }
    if (!base64Decode(data, decoded_)) {
      return ParseStatus::Error(ParseErrc::kBadField, "Pub/Sub message.data is not base64");
    }
    const size_t n = decoded_.size();
    decoded_.resize(n + kRecordPadding, '\0');
    if (isBlank(std::string_view(decoded_.data(), n))) {
      return ParseStatus::Error(ParseErrc::kMissingField, "Pub/Sub message data is empty");
    }
    od::document inner;
    od::object entry;
    if (innerParser_.iterate(decoded_.data(), n, decoded_.size()).get(inner) ||
        inner.get_object().get(entry)) {
      return ParseStatus::Error(ParseErrc::kSyntax, "Pub/Sub message data is not a JSON object");
    }
    f = Fields{};
    if (!readEntry(entry, f)) {
      return ParseStatus::Error(ParseErrc::kSyntax, "Pub/Sub message data is not valid JSON");
    }
    if (inner.current_location().get(trailing) == simdjson::SUCCESS) {
      return ParseStatus::Error(ParseErrc::kSyntax, "trailing content after the LogEntry");
    }
    // `f` now views innerParser_'s buffers and decoded_, both alive until the next parse().
  }

  if (!f.hasPayload) {
    return ParseStatus::Error(ParseErrc::kNotAccessEvent, "no protoPayload: not an audit entry");
  }
  if (f.serviceName != kStorageService) {
    return ParseStatus::Error(ParseErrc::kNotAccessEvent, "not a Cloud Storage audit entry");
  }
  if (f.methodName.empty()) {
    return ParseStatus::Error(ParseErrc::kMissingField, "protoPayload.methodName is missing");
  }
  if (!isStorageMethod(f.methodName)) {
    return ParseStatus::Error(ParseErrc::kNotAccessEvent, "not a Cloud Storage method");
  }

  AccessEvent& e = event_;
  e.clear();
  e.provider = Provider::kGcp;
  e.format = Format::kGcsAudit;
  // timestamp, else the request time, else the time Logging received the entry.
  const std::string_view time = !f.timestamp.empty()     ? f.timestamp
                                : !f.requestTime.empty() ? f.requestTime
                                                         : f.receiveTimestamp;
  if (time.empty()) return ParseStatus::Error(ParseErrc::kMissingField, "timestamp is missing");
  if (!parseIso8601(time, e.timeUs)) {
    return ParseStatus::Error(ParseErrc::kBadField, "timestamp is not RFC 3339");
  }
  const bool identified = principalOf(f, e);

  const std::string_view ip = !f.callerIp.empty() ? f.callerIp : f.callerIpUpper;
  if (!ip.empty()) {
    e.sourceIpText.assign(ip);
    (void)parseIp(ip, e.sourceIp);  // "private", "gce-internal-ip": kept as text, invalid
  }

  std::string_view bucket, key;
  if (!bucketAndKey(f.resourceName, bucket, key)) {
    // VPC-SC denials name the project in resourceName and the object in metadata.resourceNames.
    if (!bucketAndKey(f.metadataResourceName, bucket, key)) bucket = key = {};
  }
  e.bucket.assign(f.bucketLabel.empty() ? bucket : f.bucketLabel);
  e.objectKey.assign(key);

  e.rawOperation.assign(f.methodName);
  e.opClass = classifyMethod(f.methodName);
  e.httpStatus = httpStatusForRpcCode(f.statusCode);
  if (!f.statusMessage.empty()) {
    e.errorCode.assign(f.statusMessage);
  } else if (f.statusCode != 0) {
    e.errorCode.assign(rpcCodeName(f.statusCode));
  }
  e.userAgent.assign(f.userAgent);
  if (f.signedUrl) {
    e.authType = AuthType::kQueryString;
  } else if (identified) {
    e.authType = AuthType::kHeader;
  }
  e.requestId.assign(f.insertId);
  sink.onEvent(e);
  return ParseStatus::Ok();
}

}  // namespace blobwatch::schemas
