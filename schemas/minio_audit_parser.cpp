#include "schemas/minio_audit_parser.h"

#include <array>
#include <utility>

#include "schemas/aws_common.h"
#include "schemas/json_util.h"
#include "schemas/text.h"

namespace blobwatch::schemas {
namespace {

namespace od = simdjson::ondemand;
using json::keyIs;
using json::readCount;
using json::readString;

constexpr std::string_view kServicePrincipal = "svc:minio";

// The fields of one audit entry, as views into the parser's buffers. Valid while the document
// that produced them is being iterated.
struct Fields {
  std::string_view time, trigger, apiName, bucket, object, argsBucket, argsObject, firstObject,
      status, error, remoteHost, requestId, userAgent, accessKey, parentUser, authorization,
      queryCredential, queryV2AccessKey;
  int64_t statusCode = -1, rx = -1, tx = -1;
  size_t objectCount = 0;    // elements of api.objects
  bool querySigned = false;  // requestQuery has X-Amz-Signature or Signature
  bool serverLog = false;    // a MinIO server/console log entry ("level"), not an audit entry
};

// api.objects: [{"objectName": ..., "versionId": ...}, ...] (DeleteObjects, internal entries).
simdjson::error_code readObjects(od::array arr, Fields& f) {
  for (auto element : arr) {
    od::value v;
    if (auto err = element.get(v)) return err;
    ++f.objectCount;
    od::object obj;
    if (f.objectCount != 1 || v.get_object().get(obj) != simdjson::SUCCESS) continue;
    for (auto field : obj) {
      od::raw_json_string k;
      if (auto err = field.key().get(k)) return err;
      if (keyIs(k, "objectName")) readString(field.value(), f.firstObject);
    }
  }
  return simdjson::SUCCESS;
}

// api.args of the 2018 entries: {"bucket": ..., "object": ..., "metadata": {...}}.
simdjson::error_code readArgs(od::object obj, Fields& f) {
  for (auto field : obj) {
    od::raw_json_string k;
    if (auto err = field.key().get(k)) return err;
    if (keyIs(k, "bucket")) {
      readString(field.value(), f.argsBucket);
    } else if (keyIs(k, "object")) {
      readString(field.value(), f.argsObject);
    }
  }
  return simdjson::SUCCESS;
}

// One field of the api object. Always inlined into its loop (see json_util.h).
[[gnu::always_inline]] inline simdjson::error_code apiField(od::raw_json_string key, od::value v,
                                                            Fields& f) {
  switch (key.raw()[0]) {
    case 'n':
      if (keyIs(key, "name")) readString(v, f.apiName);
      break;
    case 'b':
      if (keyIs(key, "bucket")) readString(v, f.bucket);
      break;
    case 'o':
      if (keyIs(key, "object")) {
        readString(v, f.object);
      } else if (keyIs(key, "objects")) {
        od::array arr;
        if (v.get_array().get(arr) == simdjson::SUCCESS) return readObjects(arr, f);
      }
      break;
    case 's':
      if (keyIs(key, "statusCode")) {
        readCount(v, f.statusCode);
      } else if (keyIs(key, "status")) {
        readString(v, f.status);
      }
      break;
    case 'r':
      if (keyIs(key, "rx")) readCount(v, f.rx);
      break;
    case 't':
      // txHeaders, timeToFirstByte[InNS], timeToResponse[InNS]: skipped whatever their form.
      if (keyIs(key, "tx")) readCount(v, f.tx);
      break;
    case 'a':
      if (keyIs(key, "args")) {
        od::object obj;
        if (v.get_object().get(obj) == simdjson::SUCCESS) return readArgs(obj, f);
      }
      break;
    default:
      break;
  }
  return simdjson::SUCCESS;
}

simdjson::error_code readApi(od::object obj, Fields& f) {
  for (auto field : obj) {
    od::raw_json_string key;
    if (auto err = field.key().get(key)) return err;
    if (auto err = apiField(key, field.value(), f)) return err;
  }
  return simdjson::SUCCESS;
}

// requestHeader: only the Authorization header matters (Go canonicalizes header names).
simdjson::error_code readHeader(od::object obj, Fields& f) {
  for (auto field : obj) {
    od::raw_json_string key;
    if (auto err = field.key().get(key)) return err;
    if (keyIs(key, "Authorization") || keyIs(key, "authorization")) {
      readString(field.value(), f.authorization);
    }
  }
  return simdjson::SUCCESS;
}

// requestQuery: the credential and signature of a presigned URL (SigV4 and SigV2).
simdjson::error_code readQuery(od::object obj, Fields& f) {
  for (auto field : obj) {
    od::raw_json_string key;
    if (auto err = field.key().get(key)) return err;
    if (keyIs(key, "X-Amz-Credential")) {
      readString(field.value(), f.queryCredential);
    } else if (keyIs(key, "X-Amz-Signature") || keyIs(key, "Signature")) {
      f.querySigned = true;
    } else if (keyIs(key, "AWSAccessKeyId")) {
      readString(field.value(), f.queryV2AccessKey);
    }
  }
  return simdjson::SUCCESS;
}

// One top-level field of an entry. Always inlined into the loop (see json_util.h).
[[gnu::always_inline]] inline simdjson::error_code entryField(od::raw_json_string key, od::value v,
                                                              Fields& f) {
  switch (key.raw()[0]) {
    case 't':
      if (keyIs(key, "time")) {
        readString(v, f.time);
      } else if (keyIs(key, "trigger")) {
        readString(v, f.trigger);
      }
      break;
    case 'a':
      if (keyIs(key, "api")) {
        od::object obj;
        if (v.get_object().get(obj) == simdjson::SUCCESS) return readApi(obj, f);
      } else if (keyIs(key, "accessKey")) {
        readString(v, f.accessKey);
      }
      break;
    case 'r':
      if (keyIs(key, "remotehost")) {
        readString(v, f.remoteHost);
      } else if (keyIs(key, "requestID")) {
        readString(v, f.requestId);
      } else if (keyIs(key, "requestHeader")) {
        od::object obj;
        if (v.get_object().get(obj) == simdjson::SUCCESS) return readHeader(obj, f);
      } else if (keyIs(key, "requestQuery")) {
        od::object obj;
        if (v.get_object().get(obj) == simdjson::SUCCESS) return readQuery(obj, f);
      }
      break;
    case 'u':
      if (keyIs(key, "userAgent")) readString(v, f.userAgent);
      break;
    case 'p':
      if (keyIs(key, "parentUser")) readString(v, f.parentUser);
      break;
    case 'e':
      if (keyIs(key, "error")) readString(v, f.error);  // server log entries have an object here
      break;
    case 'l':
      if (keyIs(key, "level")) f.serverLog = true;
      break;
    default:
      break;
  }
  return simdjson::SUCCESS;
}

// MinIO API names that classifyS3EventName (CloudTrail's names) does not know.
OpClass classifyMinioApi(std::string_view name) {
  const OpClass aws = aws::classifyS3EventName(name);
  if (aws != OpClass::kOther) return aws;
  static constexpr std::array<std::pair<std::string_view, OpClass>, 14> kTable = {{
      {"ListObjectsV1", OpClass::kList},
      {"ListObjectsV2M", OpClass::kList},
      {"ListObjectVersionsM", OpClass::kList},
      {"ListObjectParts", OpClass::kList},
      {"PutObjectPart", OpClass::kWrite},
      {"CopyObjectPart", OpClass::kWrite},
      {"NewMultipartUpload", OpClass::kWrite},
      {"PostPolicyBucket", OpClass::kWrite},
      {"PutObjectExtract", OpClass::kWrite},
      {"DeleteMultipleObjects", OpClass::kDelete},
      {"SetBucketPolicy", OpClass::kPolicy},
      {"PutBucketACL", OpClass::kPolicy},
      {"PutObjectACL", OpClass::kPolicy},
      {"GetBucketPolicy", OpClass::kOther},
  }};
  for (const auto& [n, cls] : kTable) {
    if (n == name) return cls;
  }
  return OpClass::kOther;
}

std::string_view trimSpaces(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

// The access key of a credential scope "<AK>/<date>/<region>/s3/aws4_request" (also when the
// slashes are still percent-encoded).
std::string_view credentialAccessKey(std::string_view scope) {
  size_t end = scope.find('/');
  const size_t encoded = scope.find("%2F");
  if (encoded < end) end = encoded;
  const size_t encodedLower = scope.find("%2f");
  if (encodedLower < end) end = encodedLower;
  return trimSpaces(scope.substr(0, end));
}

// The access key of an Authorization header: SigV4 `AWS4-HMAC-SHA256 Credential=<AK>/...,` or
// SigV2 `AWS <AK>:<signature>`. "" when neither.
std::string_view authorizationAccessKey(std::string_view auth) {
  auth = trimSpaces(auth);
  const size_t cred = auth.find("Credential=");
  if (cred != std::string_view::npos) {
    std::string_view scope = auth.substr(cred + 11);
    scope = scope.substr(0, scope.find_first_of(", "));
    return credentialAccessKey(scope);
  }
  if (auth.substr(0, 4) == "AWS ") {
    const std::string_view rest = auth.substr(4);
    const size_t colon = rest.find(':');
    if (colon != std::string_view::npos) return trimSpaces(rest.substr(0, colon));
  }
  return {};
}

bool isSuccessStatusText(std::string_view status) {
  return status == "OK" || equalsIgnoreCase(status, "success");
}

void fillPrincipal(const Fields& f, AccessEvent& e) {
  std::string_view ak = f.accessKey;
  if (ak.empty() && !f.authorization.empty()) ak = authorizationAccessKey(f.authorization);
  if (ak.empty() && !f.queryCredential.empty()) ak = credentialAccessKey(f.queryCredential);
  if (ak.empty()) ak = trimSpaces(f.queryV2AccessKey);
  const bool presigned = !f.queryCredential.empty() || !f.queryV2AccessKey.empty() || f.querySigned;
  const bool internal = !f.trigger.empty() && f.trigger != "incoming";

  if (!ak.empty()) {
    if (!f.parentUser.empty() && f.parentUser != ak) {
      e.principal.assign(f.parentUser);
      e.principal.push_back('/');
      e.principal.append(ak);
    } else {
      e.principal.assign(ak);
    }
    e.principalKind = PrincipalKind::kUser;
  } else if (f.authorization.empty() && !presigned) {
    if (internal) {
      e.principal.assign(kServicePrincipal);
      e.principalKind = PrincipalKind::kService;
    } else {
      e.principal.assign(kAnonymousPrincipal);
      e.principalKind = PrincipalKind::kAnonymous;
    }
  } else {
    // Credentials were sent but carry no access key we can read.
    e.principal.assign("unknown");
    e.principalKind = PrincipalKind::kUnknown;
  }

  if (presigned) {
    e.authType = AuthType::kQueryString;
  } else if (!f.authorization.empty() || !f.accessKey.empty()) {
    e.authType = AuthType::kHeader;
  } else if (e.principalKind == PrincipalKind::kAnonymous) {
    e.authType = AuthType::kAnonymous;
  }
}

}  // namespace

ParseStatus MinioAuditParser::parse(std::string_view record, EventSink& sink) {
  od::document doc;
  od::object top;
  if (ParseStatus st = json::openObject(parser_, record, doc, top); !st.ok()) return st;
  Fields f;
  for (auto field : top) {
    od::raw_json_string key;
    if (field.key().get(key)) return ParseStatus::Error(ParseErrc::kSyntax, "not valid JSON");
    if (entryField(key, field.value(), f)) {
      return ParseStatus::Error(ParseErrc::kSyntax, "not valid JSON");
    }
  }
  const char* trailing = nullptr;
  if (doc.current_location().get(trailing) == simdjson::SUCCESS) {
    return ParseStatus::Error(ParseErrc::kSyntax, "trailing content after the JSON object");
  }

  if (f.serverLog) return ParseStatus::Error(ParseErrc::kNotAccessEvent, "MinIO server log entry");
  if (f.apiName.empty()) {
    return ParseStatus::Error(ParseErrc::kNotAccessEvent, "audit entry without api.name");
  }

  AccessEvent& e = event_;
  e.clear();
  e.provider = Provider::kMinio;
  e.format = Format::kMinioAudit;
  if (f.time.empty()) return ParseStatus::Error(ParseErrc::kMissingField, "time is missing");
  if (!parseIso8601(f.time, e.timeUs)) {
    return ParseStatus::Error(ParseErrc::kBadField, "time is not RFC 3339");
  }

  fillPrincipal(f, e);
  if (!f.remoteHost.empty()) {
    const std::string_view host = withoutPort(f.remoteHost);
    if (parseIp(host, e.sourceIp)) {
      e.sourceIpText.assign(host);
    } else {
      e.sourceIpText.assign(f.remoteHost);
    }
  }
  // MinIO logs the object name already unescaped.
  e.bucket.assign(f.bucket.empty() ? f.argsBucket : f.bucket);
  if (!f.object.empty()) {
    e.objectKey.assign(f.object);
  } else if (!f.argsObject.empty()) {
    e.objectKey.assign(f.argsObject);
  } else if (f.objectCount == 1) {
    e.objectKey.assign(f.firstObject);
  }
  e.rawOperation.assign(f.apiName);
  e.opClass = classifyMinioApi(f.apiName);
  if (f.statusCode > 0 && f.statusCode <= 999) e.httpStatus = static_cast<int>(f.statusCode);
  if (!f.error.empty()) {
    e.errorCode.assign(f.error);
  } else if (!f.status.empty() && !isSuccessStatusText(f.status) &&
             !(e.httpStatus != -1 && e.success())) {
    e.errorCode.assign(f.status);  // HTTP status text, e.g. "Forbidden"
  }
  e.bytesIn = f.rx;
  e.bytesOut = f.tx;
  e.userAgent.assign(f.userAgent);
  e.requestId.assign(f.requestId);
  sink.onEvent(e);
  return ParseStatus::Ok();
}

}  // namespace blobwatch::schemas
