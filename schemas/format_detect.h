#pragma once

#include <string_view>

#include "schemas/access_event.h"

namespace blobwatch::schemas {

// Bytes of a file's (decompressed) start that detectFormat looks at; fewer is fine.
inline constexpr size_t kDetectBytes = 64 * 1024;

// Guesses a log's format from its first bytes (after decompression). JSON is told apart by field
// names only one format uses (protoPayload: gcs-audit; deploymentid: minio-audit; operationName
// with callerIpAddress/resourceId/category: azure-blob; eventVersion, eventSource, userIdentity,
// Records: cloudtrail); lines by their shape (a "time_micros" CSV header: gcs-usage;
// `1.0;2014-...`: azure-analytics; `owner bucket [dd/Mon/yyyy:...`: s3-access). Returns kUnknown
// when nothing matches. Pure; never throws.
Format detectFormat(std::string_view head);

}  // namespace blobwatch::schemas
