#pragma once

#include <string>
#include <string_view>

#include "schemas/access_event.h"

// AWS naming shared by the S3 access-log and CloudTrail parsers, so that one principal has one
// name whichever log it came from.

namespace blobwatch::schemas::aws {

// Normalizes an AWS requester as written in S3 access logs or CloudTrail's userIdentity.arn into
// `out` and returns its kind:
//   "-" or ""                                  -> "anonymous", kAnonymous
//   arn:aws:sts::A:assumed-role/R/S            -> arn:aws:sts::A:assumed-role/R, kRole (session
//                                                 names change per session; baselines are per role)
//   arn:aws:iam::A:root                        -> unchanged, kRoot
//   arn:aws:iam::A:user/...                    -> unchanged, kUser
//   arn:aws:sts::A:federated-user/...          -> unchanged, kFederated
//   svc:NAME, AmazonS3, *.amazonaws.com        -> svc:NAME, kService
//   64 hex digits (canonical user id)          -> unchanged, kUser
//   anything else                              -> unchanged, kUnknown
PrincipalKind normalizePrincipal(std::string_view requester, std::string& out);

// Maps an S3 access-log operation (REST.GET.OBJECT, BATCH.DELETE.OBJECT, ...) to its class.
OpClass classifyS3Operation(std::string_view operation, bool hasKey);

// Maps a CloudTrail S3 eventName (GetObject, PutBucketPolicy, ...) to its class.
OpClass classifyS3EventName(std::string_view eventName);

// The HTTP status S3 answers with for a CloudTrail errorCode; 200 for "" and -1 when unknown.
int statusForErrorCode(std::string_view errorCode);

}  // namespace blobwatch::schemas::aws
