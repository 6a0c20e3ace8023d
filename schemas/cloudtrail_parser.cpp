#include "schemas/cloudtrail_parser.h"

#include "schemas/aws_common.h"
#include "schemas/json_util.h"
#include "schemas/text.h"

namespace blobwatch::schemas {
namespace {

namespace od = simdjson::ondemand;
using json::keyIs;
using json::readCount;
using json::readString;

// The fields of one CloudTrail event, as views into the parser's buffers. Valid while the
// document that produced them is being iterated.
struct Fields {
  std::string_view eventTime, eventSource, eventName, sourceIp, userAgent, bucket, key, requestId,
      errorCode, tlsVersion, authMethod, identityType, arn, accountId, principalId, invokedBy,
      issuerArn, userName;
  int64_t bytesIn = -1, bytesOut = -1;
  bool any = false;
};

simdjson::error_code readIdentity(od::object obj, Fields& f) {
  for (auto field : obj) {
    od::raw_json_string key;
    if (auto err = field.key().get(key)) return err;
    od::value v = field.value();
    if (keyIs(key, "type")) {
      readString(v, f.identityType);
    } else if (keyIs(key, "arn")) {
      readString(v, f.arn);
    } else if (keyIs(key, "accountId")) {
      readString(v, f.accountId);
    } else if (keyIs(key, "principalId")) {
      readString(v, f.principalId);
    } else if (keyIs(key, "invokedBy")) {
      readString(v, f.invokedBy);
    } else if (keyIs(key, "userName")) {
      readString(v, f.userName);
    } else if (keyIs(key, "sessionContext")) {
      od::object ctx;
      if (v.get_object().get(ctx) != simdjson::SUCCESS) continue;
      od::value issuer;
      if (ctx.find_field_unordered("sessionIssuer").get(issuer) == simdjson::SUCCESS) {
        od::object io;
        od::value arn;
        if (issuer.get_object().get(io) == simdjson::SUCCESS &&
            io.find_field_unordered("arn").get(arn) == simdjson::SUCCESS) {
          readString(arn, f.issuerArn);
        }
      }
    }
  }
  return simdjson::SUCCESS;
}

// Handles one field of an event object. Unknown fields are skipped by On-Demand.
// Always inlined into the field loops: called out of line, the On-Demand value is built on the
// stack piecewise and reloaded whole, a store-forwarding stall on every field (measured as a
// third of the parse time).
[[gnu::always_inline]] inline simdjson::error_code eventField(od::raw_json_string key, od::value v,
                                                              Fields& f) {
  f.any = true;
  // Dispatch on the first character to keep the comparisons per field low.
  switch (key.raw()[0]) {
    case 'e':
      if (keyIs(key, "eventTime")) {
        readString(v, f.eventTime);
      } else if (keyIs(key, "eventSource")) {
        readString(v, f.eventSource);
      } else if (keyIs(key, "eventName")) {
        readString(v, f.eventName);
      } else if (keyIs(key, "errorCode")) {
        readString(v, f.errorCode);
      }
      break;
    case 's':
      if (keyIs(key, "sourceIPAddress")) readString(v, f.sourceIp);
      break;
    case 'u':
      if (keyIs(key, "userAgent")) {
        readString(v, f.userAgent);
      } else if (keyIs(key, "userIdentity")) {
        od::object obj;
        if (v.get_object().get(obj) == simdjson::SUCCESS) return readIdentity(obj, f);
      }
      break;
    case 'r':
      if (keyIs(key, "requestID")) {
        readString(v, f.requestId);
      } else if (keyIs(key, "requestParameters")) {
        od::object obj;
        if (v.get_object().get(obj) != simdjson::SUCCESS) break;
        for (auto field : obj) {
          od::raw_json_string k;
          if (auto err = field.key().get(k)) return err;
          if (keyIs(k, "bucketName")) {
            readString(field.value(), f.bucket);
          } else if (keyIs(k, "key") || keyIs(k, "Key")) {  // S3 on Outposts writes "Key"
            readString(field.value(), f.key);
          }
        }
      }
      break;
    case 'a':
      if (keyIs(key, "additionalEventData")) {
        od::object obj;
        if (v.get_object().get(obj) != simdjson::SUCCESS) break;
        for (auto field : obj) {
          od::raw_json_string k;
          if (auto err = field.key().get(k)) return err;
          if (keyIs(k, "bytesTransferredIn")) {
            readCount(field.value(), f.bytesIn);
          } else if (keyIs(k, "bytesTransferredOut")) {
            readCount(field.value(), f.bytesOut);
          } else if (keyIs(k, "AuthenticationMethod")) {
            readString(field.value(), f.authMethod);
          }
        }
      }
      break;
    case 't':
      if (keyIs(key, "tlsDetails")) {
        od::object obj;
        od::value tls;
        if (v.get_object().get(obj) == simdjson::SUCCESS &&
            obj.find_field_unordered("tlsVersion").get(tls) == simdjson::SUCCESS) {
          readString(tls, f.tlsVersion);
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

std::string_view beforeColon(std::string_view s) { return s.substr(0, s.find(':')); }

void principalOf(const Fields& f, AccessEvent& e) {
  if (f.accountId == "ANONYMOUS_PRINCIPAL" || f.identityType == "Anonymous") {
    e.principal.assign(kAnonymousPrincipal);
    e.principalKind = PrincipalKind::kAnonymous;
  } else if (f.identityType == "AWSService" ||
             (f.arn.empty() && f.identityType.empty() && !f.invokedBy.empty())) {
    e.principal.assign("svc:");
    e.principal.append(f.invokedBy.empty() ? f.principalId : f.invokedBy);
    e.principalKind = PrincipalKind::kService;
  } else if (!f.arn.empty()) {
    e.principalKind = aws::normalizePrincipal(f.arn, e.principal);
  } else if (f.identityType == "IAMUser" && !f.userName.empty() && !f.accountId.empty()) {
    // The ARN an IAM user's events carry elsewhere, so its baseline is the same.
    e.principal.assign("arn:aws:iam::");
    e.principal.append(f.accountId);
    e.principal.append(":user/");
    e.principal.append(f.userName);
    e.principalKind = PrincipalKind::kUser;
  } else if (f.identityType == "AssumedRole" && !f.issuerArn.empty()) {
    e.principal.assign(f.issuerArn);
    e.principalKind = PrincipalKind::kRole;
  } else if (!f.accountId.empty()) {
    // Another account's principal, known only by account and principal id.
    e.principal.assign("aws-account:");
    e.principal.append(f.accountId);
    if (!f.principalId.empty()) {
      e.principal.push_back('/');
      e.principal.append(beforeColon(f.principalId));
    }
    e.principalKind = PrincipalKind::kAccount;
  } else if (!f.principalId.empty()) {
    e.principal.assign(beforeColon(f.principalId));
  } else {
    e.principal.assign("unknown");
  }
}

}  // namespace

ParseStatus CloudTrailParser::parse(std::string_view record, EventSink& sink) {
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
    if (!f.eventSource.empty() && f.eventSource != "s3.amazonaws.com" &&
        f.eventSource != "s3-outposts.amazonaws.com") {
      ++skipped;
      return;
    }
    AccessEvent& e = event_;
    e.clear();
    e.provider = Provider::kAws;
    e.format = Format::kCloudTrail;
    if (f.eventTime.empty()) {
      fail(ParseStatus::Error(ParseErrc::kMissingField, "eventTime is missing"));
      return;
    }
    if (!parseIso8601(f.eventTime, e.timeUs)) {
      fail(ParseStatus::Error(ParseErrc::kBadField, "eventTime is not ISO 8601"));
      return;
    }
    if (f.eventName.empty()) {
      fail(ParseStatus::Error(ParseErrc::kMissingField, "eventName is missing"));
      return;
    }
    principalOf(f, e);
    if (!f.sourceIp.empty()) {
      e.sourceIpText.assign(f.sourceIp);
      (void)parseIp(f.sourceIp, e.sourceIp);
    }
    e.bucket.assign(f.bucket);
    e.objectKey.assign(f.key);
    e.rawOperation.assign(f.eventName);
    e.opClass = aws::classifyS3EventName(f.eventName);
    e.errorCode.assign(f.errorCode);
    e.httpStatus = aws::statusForErrorCode(f.errorCode);
    e.bytesIn = f.bytesIn;
    e.bytesOut = f.bytesOut;
    e.userAgent.assign(f.userAgent);
    if (f.authMethod == "AuthHeader") {
      e.authType = AuthType::kHeader;
    } else if (f.authMethod == "QueryString") {
      e.authType = AuthType::kQueryString;
    } else if (e.principalKind == PrincipalKind::kAnonymous) {
      e.authType = AuthType::kAnonymous;
    }
    e.tlsVersion.assign(f.tlsVersion);
    e.requestId.assign(f.requestId);
    sink.onEvent(e);
    ++emitted;
  };

  Fields top_fields;
  for (auto field : top) {
    od::raw_json_string key;
    if (field.key().get(key)) return ParseStatus::Error(ParseErrc::kSyntax, "not valid JSON");
    od::value v = field.value();
    if (keyIs(key, "Records")) {
      od::array records;
      if (v.get_array().get(records)) {
        return ParseStatus::Error(ParseErrc::kBadField, "Records is not an array");
      }
      for (auto element : records) {
        od::object obj;
        if (element.get_object().get(obj)) {
          fail(ParseStatus::Error(ParseErrc::kSyntax, "Records element is not an object"));
          continue;
        }
        Fields f;
        if (readEvent(obj, f)) return ParseStatus::Error(ParseErrc::kSyntax, "not valid JSON");
        emit(f);
      }
    } else if (keyIs(key, "detail")) {
      od::object obj;
      if (v.get_object().get(obj) == simdjson::SUCCESS) {
        Fields f;
        if (readEvent(obj, f)) return ParseStatus::Error(ParseErrc::kSyntax, "not valid JSON");
        emit(f);
      }
    } else if (eventField(key, v, top_fields)) {
      return ParseStatus::Error(ParseErrc::kSyntax, "not valid JSON");
    }
  }
  const char* trailing = nullptr;
  if (doc.current_location().get(trailing) == simdjson::SUCCESS) {
    return ParseStatus::Error(ParseErrc::kSyntax, "trailing content after the JSON object");
  }
  // A bare event: it has an eventName, or at least an eventTime (then emit reports the missing
  // eventName). An envelope without either is not an event.
  if (top_fields.any && (!top_fields.eventName.empty() || !top_fields.eventTime.empty())) {
    emit(top_fields);
  }
  if (firstError.isError()) return firstError;
  if (emitted == 0) {
    return ParseStatus::Error(ParseErrc::kNotAccessEvent,
                              skipped > 0 ? "not an S3 event" : "no CloudTrail event in record");
  }
  return ParseStatus::Ok();
}

}  // namespace blobwatch::schemas
