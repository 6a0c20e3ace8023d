#include "schemas/parser.h"

#include "schemas/azure_analytics_parser.h"
#include "schemas/azure_blob_parser.h"
#include "schemas/cloudtrail_parser.h"
#include "schemas/gcs_audit_parser.h"
#include "schemas/gcs_usage_parser.h"
#include "schemas/minio_audit_parser.h"
#include "schemas/s3_access_parser.h"

namespace blobwatch::schemas {

std::unique_ptr<Parser> makeParser(Format format) {
  switch (format) {
    case Format::kS3Access:
      return std::make_unique<S3AccessParser>();
    case Format::kCloudTrail:
      return std::make_unique<CloudTrailParser>();
    case Format::kAzureBlob:
      return std::make_unique<AzureBlobParser>();
    case Format::kAzureAnalytics:
      return std::make_unique<AzureAnalyticsParser>();
    case Format::kGcsAudit:
      return std::make_unique<GcsAuditParser>();
    case Format::kGcsUsage:
      return std::make_unique<GcsUsageParser>();
    case Format::kMinioAudit:
      return std::make_unique<MinioAuditParser>();
    case Format::kUnknown:
      break;
  }
  return nullptr;
}

}  // namespace blobwatch::schemas
