#pragma once

#include <simdjson.h>

#include "schemas/parser.h"

namespace blobwatch::schemas {

// AWS CloudTrail, S3 data and management events, parsed with simdjson On-Demand in one pass over
// each object's fields. A record is one of:
//   - a bare CloudTrail event;
//   - {"Records":[event, ...]} as a trail delivers it (one event emitted per element);
//   - an EventBridge envelope {"detail-type":..., "detail":{event}}.
// Events whose eventSource is not S3 (s3.amazonaws.com, s3-outposts.amazonaws.com) are well-formed
// but not access events: they return kNotAccessEvent and emit nothing.
class CloudTrailParser final : public Parser {
 public:
  Format format() const override { return Format::kCloudTrail; }
  ParseStatus parse(std::string_view record, EventSink& sink) override;

 private:
  simdjson::ondemand::parser parser_;
  AccessEvent event_;
};

}  // namespace blobwatch::schemas
