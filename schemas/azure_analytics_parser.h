#pragma once

#include <string>

#include "schemas/parser.h"

namespace blobwatch::schemas {

// Azure Storage Analytics logs ($logs container), versions 1.0 (30 fields) and 2.0 (38 fields:
// 1.0 plus 8 OAuth fields). One line per request, fields separated by ';'. A field that starts
// with '"' is quoted and ends at a '"' followed by ';' or the end of the line, so the quotes the
// logs leave inside quoted fields (doubled quotes around ETags, the raw JSON of 2.0's
// authorization-detail) do not end it early. Values the event uses are HTML-entity-decoded
// (&quot; &amp; &lt; &gt; &apos; &#NN; &#xNN;). Lines of another service than blob (queue, table)
// are kNotAccessEvent.
//
// Mapping (schemas/FIELDS.md has the table): request-start-time -> timeUs; operation-type ->
// rawOperation and opClass (azure::classifyOperation); http-status-code -> httpStatus;
// request-status -> errorCode unless it means success (…Success); requester-ip-address -> source
// address without the port ("268.20.203.21" in the doc samples stays text, invalid);
// requested-object-key /<account>/<container>/<blob> -> bucket = container, objectKey = blob
// (percent-decoded once; CopyBlobSource may log the source URL, whose path is used);
// response-packet-size -> bytesOut (the whole response minus its headers: it approximates the
// body, the log has no body size); request-content-length -> bytesIn; user-agent-header;
// request-id-header -> requestId. The format has no TLS version.
//
// Principals, from authentication-type:
//   anonymous      "anonymous", kind kAnonymous, authType kAnonymous.
//   authenticated  "<requester-account-name>/key" (owner account when the requester is empty),
//                  kind kAccount, authType kHeader. The log does not say which of the two keys
//                  signed, so unlike azure-blob there is no key1/key2.
//   sas            "<owner-account-name>/sas:<h>", <h> being the 64-bit FNV-1a of the
//                  percent-decoded sig= value of request-url as 16 hex digits (a stable name per
//                  SAS token; the signature itself is never put in events), or
//                  "<owner-account-name>/sas" when the URL has no sig. Kind kAccount, authType
//                  kQueryString.
//   bearer (2.0)   user-principal-name (kind kUser), else "oid:<user-object-id>" with kind kService
//                  when authorization-detail's principalType says ServicePrincipal/MSI, or lacking
//                  it when there is an application-id; kUser otherwise. authType kHeader.
//   anything else  "unknown", kind kUnknown.
class AzureAnalyticsParser final : public Parser {
 public:
  Format format() const override { return Format::kAzureAnalytics; }
  ParseStatus parse(std::string_view record, EventSink& sink) override;

 private:
  AccessEvent event_;
  std::string scratch_;     // entity-decoded field values, reused
  std::string sigScratch_;  // the percent-decoded SAS signature, hashed then forgotten
};

}  // namespace blobwatch::schemas
