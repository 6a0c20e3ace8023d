#pragma once

#include <simdjson.h>

#include "schemas/parser.h"

namespace blobwatch::schemas {

// Azure Monitor resource logs for Blob Storage (categories StorageRead, StorageWrite,
// StorageDelete), parsed with simdjson On-Demand in one pass over each object's fields. A record
// is one of:
//   - one resource-log object (a JSON Lines line, or a pretty-printed object);
//   - {"records":[object, ...]} as storage-account and Event Hub sinks write it (one event per
//     element).
// Objects of another category are well-formed but not access events: kNotAccessEvent.
//
// Mapping (schemas/FIELDS.md has the table): time -> timeUs; properties.objectKey
// /<account>/<container>/<blob> -> bucket = container, objectKey = blob (percent-decoded once;
// for CopyBlobSource the objectKey is the source URL: its path is used and its query dropped);
// uri stands in when objectKey is absent. operationName -> rawOperation and opClass
// (azure::classifyOperation); statusCode -> httpStatus (a non-numeric string such as "Unknown"
// gives -1); statusText -> errorCode unless it means success (…Success); callerIpAddress ->
// source address without the port; responseBodySize -> bytesOut; requestBodySize (or, for
// writes, contentLengthHeader) -> bytesIn; userAgentHeader, tlsVersion ("TLS 1.2" as logged),
// correlationId -> requestId.
//
// Principals, from identity.type (the account is properties.accountName, else the one in
// resourceId):
//   OAuth, Kerberos  identity.requester.upn when present (kind kUser); else "oid:<objectId>" with
//                    kind kService when identity.authorization[].principals[].type says
//                    ServicePrincipal/MSI or, lacking that, when there is an appId and no upn;
//                    kind kUser otherwise. authType kHeader.
//   SAS              "<account>/sas:<hash>", <hash> being the SasSignature(<hash>) part of
//                    identity.tokenHash (a SHA-256 Azure computes; the signature itself is never
//                    logged), or "<account>/sas" without one. Kind kAccount, authType
//                    kQueryString.
//   AccountKey       "<account>/key1" or "<account>/key2" from tokenHash key1(...)/key2(...),
//                    "<account>/key" when tokenHash does not say. Kind kAccount, authType kHeader.
//   Anonymous        "anonymous", kind kAnonymous, authType kAnonymous.
//   no identity      inferred: a statusText starting "Anonymous" gives "anonymous"; a uri with a
//                    sig= parameter gives "<account>/sas" (kQueryString); else "unknown".
//   other types      "unknown", kind kUnknown.
class AzureBlobParser final : public Parser {
 public:
  Format format() const override { return Format::kAzureBlob; }
  ParseStatus parse(std::string_view record, EventSink& sink) override;

 private:
  simdjson::ondemand::parser parser_;
  AccessEvent event_;
};

}  // namespace blobwatch::schemas
