#pragma once

#include <string_view>

#include "schemas/access_event.h"

namespace blobwatch::schemas {

// Bytes of a file's (decompressed) start that detectFormat looks at; fewer is fine.
inline constexpr size_t kDetectBytes = 64 * 1024;

// Guesses a log's format from its first bytes: JSON carrying CloudTrail's field names is
// kCloudTrail; a line of the S3 access-log shape (owner, bucket, [dd/Mon/yyyy:...) is kS3Access.
// Returns kUnknown when neither matches. Pure; never throws.
Format detectFormat(std::string_view head);

}  // namespace blobwatch::schemas
