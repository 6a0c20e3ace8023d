#pragma once

#include <simdjson.h>

#include "schemas/parser.h"

namespace blobwatch::schemas {

// MinIO audit log entries (webhook / Kafka / console audit target), parsed with simdjson On-Demand
// in one pass over each object's fields. One record is one entry object, NDJSON or pretty-printed.
//
// Every schema era is accepted: 2018 entries (api.args.{bucket,object}, no status), Go duration
// text ("0s", "2.143308ms"), "<n>ns" strings and the 2024 "...InNS" fields (durations are not
// normalized and never fail a record), entries with or without api.rx / api.tx / accessKey /
// parentUser (omitempty: any field may be absent).
//
// Principal (the access key is the only identity MinIO logs):
//   - the access key is `accessKey` when present, else the <AK> of `Credential=<AK>/...` in
//     requestHeader.Authorization (SigV4) or of `AWS <AK>:<sig>` (SigV2), else the <AK> of a
//     presigned URL's requestQuery X-Amz-Credential (SigV4) or AWSAccessKeyId (SigV2);
//   - principal is "<parentUser>/<AK>" when parentUser is present and differs from the access key
//     (STS and service-account credentials), else "<AK>"; kind kUser;
//   - no accessKey, no Authorization header and no credential in requestQuery: "anonymous",
//     kAnonymous;
//   - entries MinIO writes for its own background work (trigger present and not "incoming", e.g.
//     lifecycle expiry) carry no credential: "svc:minio", kService.
// Entries without api.name (and MinIO server/console log entries, which carry "level") are
// well-formed but not access events: kNotAccessEvent.
class MinioAuditParser final : public Parser {
 public:
  Format format() const override { return Format::kMinioAudit; }
  ParseStatus parse(std::string_view record, EventSink& sink) override;

 private:
  simdjson::ondemand::parser parser_;
  AccessEvent event_;
};

}  // namespace blobwatch::schemas
