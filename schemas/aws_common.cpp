#include "schemas/aws_common.h"

#include <array>
#include <utility>

namespace blobwatch::schemas::aws {
namespace {

bool contains(std::string_view s, std::string_view p) {
  return s.find(p) != std::string_view::npos;
}

bool isCanonicalId(std::string_view s) {
  if (s.size() != 64) return false;
  for (const char c : s) {
    if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) return false;
  }
  return true;
}

}  // namespace

PrincipalKind normalizePrincipal(std::string_view r, std::string& out) {
  out.clear();
  if (r.empty() || r == "-") {
    out = kAnonymousPrincipal;
    return PrincipalKind::kAnonymous;
  }
  if (r.starts_with("arn:")) {
    // arn:partition:service:region:account:resource
    size_t colon5 = std::string_view::npos;
    for (size_t i = 0, from = 0; i < 5; ++i) {
      colon5 = r.find(':', from);
      if (colon5 == std::string_view::npos) break;
      from = colon5 + 1;
    }
    const std::string_view resource =
        colon5 == std::string_view::npos ? std::string_view{} : r.substr(colon5 + 1);
    if (resource.starts_with("assumed-role/")) {
      const size_t slash = resource.find('/', 13);
      out.assign(r.substr(0, slash == std::string_view::npos ? r.size() : colon5 + 1 + slash));
      return PrincipalKind::kRole;
    }
    out.assign(r);
    if (resource == "root") return PrincipalKind::kRoot;
    if (resource.starts_with("user/")) return PrincipalKind::kUser;
    if (resource.starts_with("federated-user/")) return PrincipalKind::kFederated;
    if (resource.starts_with("role/")) return PrincipalKind::kRole;
    return PrincipalKind::kUnknown;
  }
  if (r.starts_with("svc:")) {
    out.assign(r);
    return PrincipalKind::kService;
  }
  if (r == "AmazonS3" || r.ends_with(".amazonaws.com")) {
    out.assign("svc:");
    out.append(r);
    return PrincipalKind::kService;
  }
  out.assign(r);
  return isCanonicalId(r) ? PrincipalKind::kUser : PrincipalKind::kUnknown;
}

OpClass classifyS3Operation(std::string_view op, bool hasKey) {
  // PREFIX.METHOD.RESOURCE, e.g. REST.GET.OBJECT, WEBSITE.HEAD.OBJECT, BATCH.DELETE.OBJECT.
  const size_t d1 = op.find('.');
  if (d1 == std::string_view::npos) return OpClass::kOther;
  const size_t d2 = op.find('.', d1 + 1);
  if (d2 == std::string_view::npos) return OpClass::kOther;
  const std::string_view prefix = op.substr(0, d1);
  const std::string_view method = op.substr(d1 + 1, d2 - d1 - 1);
  const std::string_view resource = op.substr(d2 + 1);

  if (prefix == "S3") {  // lifecycle and other actions S3 takes itself
    return method == "EXPIRE" ? OpClass::kDelete : OpClass::kOther;
  }
  const bool mutating = method == "PUT" || method == "POST" || method == "DELETE";
  if (contains(resource, "POLICY") || contains(resource, "ACL") ||
      contains(resource, "PUBLIC_ACCESS_BLOCK") || contains(resource, "OWNERSHIP")) {
    return mutating ? OpClass::kPolicy : OpClass::kOther;
  }
  if (resource == "OBJECT" || resource == "OBJECT_GET" || resource == "PART_GET" ||
      resource == "PART" || resource == "UPLOAD" || resource == "UPLOADS") {
    if (method == "GET") return OpClass::kRead;
    if (method == "HEAD") return OpClass::kHead;
    if (method == "DELETE") {
      return resource == "UPLOAD" ? OpClass::kOther : OpClass::kDelete;
    }
    if (method == "COPY") {
      return resource.ends_with("_GET") ? OpClass::kRead : OpClass::kWrite;
    }
    if (method == "PUT" || method == "POST") return OpClass::kWrite;
    return OpClass::kOther;
  }
  if (resource == "BUCKET" || resource == "SERVICE" || resource == "BUCKETVERSIONS") {
    if (method == "GET") return OpClass::kList;
    if (method == "HEAD") return OpClass::kHead;
    if (method == "DELETE") return OpClass::kDelete;
    return OpClass::kOther;
  }
  (void)hasKey;
  return OpClass::kOther;
}

OpClass classifyS3EventName(std::string_view n) {
  static constexpr std::array<std::pair<std::string_view, OpClass>, 34> kTable = {{
      {"GetObject", OpClass::kRead},
      {"GetObjectTorrent", OpClass::kRead},
      {"SelectObjectContent", OpClass::kRead},
      {"HeadObject", OpClass::kHead},
      {"HeadBucket", OpClass::kHead},
      {"PutObject", OpClass::kWrite},
      {"CopyObject", OpClass::kWrite},
      {"PostObject", OpClass::kWrite},
      {"UploadPart", OpClass::kWrite},
      {"UploadPartCopy", OpClass::kWrite},
      {"CreateMultipartUpload", OpClass::kWrite},
      {"CompleteMultipartUpload", OpClass::kWrite},
      {"RestoreObject", OpClass::kWrite},
      {"DeleteObject", OpClass::kDelete},
      {"DeleteObjects", OpClass::kDelete},
      {"DeleteBucket", OpClass::kDelete},
      {"ListBucket", OpClass::kList},
      {"ListObjects", OpClass::kList},
      {"ListObjectsV2", OpClass::kList},
      {"ListObjectVersions", OpClass::kList},
      {"ListBuckets", OpClass::kList},
      {"ListAllMyBuckets", OpClass::kList},
      {"ListMultipartUploads", OpClass::kList},
      {"ListParts", OpClass::kList},
      {"PutBucketPolicy", OpClass::kPolicy},
      {"DeleteBucketPolicy", OpClass::kPolicy},
      {"PutBucketAcl", OpClass::kPolicy},
      {"PutObjectAcl", OpClass::kPolicy},
      {"PutBucketPublicAccessBlock", OpClass::kPolicy},
      {"DeleteBucketPublicAccessBlock", OpClass::kPolicy},
      {"PutAccountPublicAccessBlock", OpClass::kPolicy},
      {"DeleteAccountPublicAccessBlock", OpClass::kPolicy},
      {"PutBucketOwnershipControls", OpClass::kPolicy},
      {"DeleteBucketOwnershipControls", OpClass::kPolicy},
  }};
  for (const auto& [name, cls] : kTable) {
    if (name == n) return cls;
  }
  return OpClass::kOther;
}

int statusForErrorCode(std::string_view e) {
  if (e.empty()) return 200;
  static constexpr std::array<std::pair<std::string_view, int>, 14> kTable = {{
      {"AccessDenied", 403},
      {"VpceAccessDenied", 403},
      {"AllAccessDisabled", 403},
      {"InvalidAccessKeyId", 403},
      {"SignatureDoesNotMatch", 403},
      {"RequestTimeTooSkewed", 403},
      {"ExpiredToken", 400},
      {"NoSuchKey", 404},
      {"NoSuchBucket", 404},
      {"NoSuchBucketPolicy", 404},
      {"NoSuchLifecycleConfiguration", 404},
      {"NoSuchUpload", 404},
      {"PreconditionFailed", 412},
      {"InvalidRange", 416},
  }};
  for (const auto& [name, status] : kTable) {
    if (name == e) return status;
  }
  return -1;
}

}  // namespace blobwatch::schemas::aws
