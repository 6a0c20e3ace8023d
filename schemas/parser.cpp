#include "schemas/parser.h"

#include "schemas/cloudtrail_parser.h"
#include "schemas/s3_access_parser.h"

namespace blobwatch::schemas {

std::unique_ptr<Parser> makeParser(Format format) {
  switch (format) {
    case Format::kS3Access:
      return std::make_unique<S3AccessParser>();
    case Format::kCloudTrail:
      return std::make_unique<CloudTrailParser>();
    case Format::kUnknown:
      break;
  }
  return nullptr;
}

}  // namespace blobwatch::schemas
