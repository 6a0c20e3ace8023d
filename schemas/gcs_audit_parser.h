#pragma once

#include <simdjson.h>

#include <string>

#include "schemas/parser.h"

namespace blobwatch::schemas {

// Google Cloud Audit Logs for Cloud Storage, parsed with simdjson On-Demand in one pass over each
// object's fields. A record is one of:
//   - a LogEntry object (one per line, or pretty-printed), as a log sink writes it to Cloud
//     Storage or BigQuery-style exports, or as Panther stores it (space-separated timestamps,
//     extra p_* fields);
//   - each element of a JSON array of LogEntry objects (`gcloud logging read --format=json`):
//     the record splitter, which files and Kafka messages go through, makes every element a
//     record of its own;
//   - a Pub/Sub push envelope {"message":{"data":"<base64 LogEntry>",...},"subscription":...}: the
//     data is decoded into a padded member buffer and parsed with a second simdjson parser.
//
// What is skipped (kNotAccessEvent, counted, not an error):
//   - entries without a protoPayload (not an audit entry);
//   - entries whose protoPayload.serviceName is not storage.googleapis.com;
//   - entries whose methodName is not a Cloud Storage method ("storage.*", or "google.storage.*"
//     as VPC Service Controls denials write it). Panther's gcp_sql_config_changes test pairs
//     serviceName storage.googleapis.com with cloudsql.instances.update on an sql_instance
//     resource: it is not a storage access and is skipped by this rule.
//
// Identity. principal = authenticationInfo.principalEmail (kService when it ends with
// ".gserviceaccount.com", else kUser); else principalSubject ("user:" and "serviceAccount:"
// prefixes dropped; "principal://" and "principalSet://" are kFederated); else
// authenticationInfo.oauthInfo.oauthClientId as "oauth-client:<id>" (kUnknown); else "unknown"
// with kUnknown. Cloud Storage writes NO audit entry for anonymous (allUsers/allAuthenticatedUsers
// through public access) requests, so public reads are invisible here and this parser never
// produces kAnonymous: anonymous_read needs the usage logs (which carry no identity at all).
//
// authType. The audit entry does not say how a request authenticated. It is kQueryString when
// requestMetadata.requestAttributes.query carries a signed-URL parameter (X-Goog-Signature,
// Signature), or when metadata.audit_context.audit_info has an "x-goog-custom-audit-signed*" key
// (the convention of the Caffeinated-CNS signed-URL sample: custom audit headers can be sent with
// any request, so their mere presence proves nothing); else kHeader when a principal is present;
// else kUnknown.
//
// Audit entries carry no byte counts (bytesIn, bytesOut and objectSize stay -1; bulk_download,
// which needs a byte floor as well as an object floor, therefore cannot fire on them) and no TLS
// version. Data Access logs (object reads and writes) are off by default per project.
class GcsAuditParser final : public Parser {
 public:
  Format format() const override { return Format::kGcsAudit; }
  ParseStatus parse(std::string_view record, EventSink& sink) override;

 private:
  simdjson::ondemand::parser parser_;
  simdjson::ondemand::parser innerParser_;  // the LogEntry inside a Pub/Sub envelope
  std::string decoded_;                     // base64-decoded message.data, plus kRecordPadding
  AccessEvent event_;
};

}  // namespace blobwatch::schemas
