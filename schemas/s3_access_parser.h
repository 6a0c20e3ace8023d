#pragma once

#include <string>

#include "schemas/parser.h"

namespace blobwatch::schemas {

// Amazon S3 server access logs: one request per line, space-separated, `[time]` and `"quoted"`
// fields. Accepts every era (18 to 27 fields) and ignores fields past the 27th.
//
// Tolerance, on purpose: a `"` inside a quoted field ends it only when followed by a space or the
// end of the line; otherwise it is kept as content. A hostile User-Agent therefore cannot make
// blobwatch drop the request; at worst the fields after the User-Agent shift. Quoted and bare `-`
// are both "none".
class S3AccessParser final : public Parser {
 public:
  Format format() const override { return Format::kS3Access; }
  ParseStatus parse(std::string_view record, EventSink& sink) override;

 private:
  AccessEvent event_;
};

}  // namespace blobwatch::schemas
