#pragma once

#include <array>
#include <bit>
#include <cstdint>
#include <cstring>
#include <string>
#include <string_view>

// The normalized access event: what every parser produces and every detector consumes.
// Field-by-field reference: schemas/event.schema.json (the JSON form written by `blobwatch parse`)
// and schemas/FIELDS.md (which source field feeds each normalized field, per format).

namespace blobwatch::schemas {

enum class Provider : uint8_t { kUnknown, kAws, kAzure, kGcp, kMinio };

// Log formats. Names, providers and framing are in one table (access_event.cpp, kFormats).
enum class Format : uint8_t {
  kUnknown,
  kS3Access,        // Amazon S3 server access logs
  kCloudTrail,      // AWS CloudTrail S3 data and management events
  kAzureBlob,       // Azure Monitor resource logs for Blob Storage (StorageRead/Write/Delete)
  kAzureAnalytics,  // Azure Storage Analytics ($logs) 1.0 and 2.0
  kGcsAudit,        // Google Cloud Audit Logs for Cloud Storage (LogEntry, Pub/Sub push)
  kGcsUsage,        // Google Cloud Storage usage logs (CSV)
  kMinioAudit,      // MinIO audit log
};

// What kind of identity made the request. kAnonymous means unauthenticated.
enum class PrincipalKind : uint8_t {
  kUnknown,
  kUnidentified,  // the log carries no identity at all (GCS usage logs): no per-principal detector
  kAnonymous,
  kUser,       // IAM user, or a canonical user id
  kRole,       // assumed role (session name dropped from the principal)
  kRoot,       // account root user
  kService,    // a cloud service acting on its own behalf
  kAccount,    // another account, identified only by account id
  kFederated,  // federated or identity-center user
};

// The class of operation, independent of provider naming.
enum class OpClass : uint8_t { kOther, kRead, kWrite, kDelete, kList, kHead, kPolicy };

// How the request authenticated.
enum class AuthType : uint8_t { kUnknown, kHeader, kQueryString, kAnonymous };

// An IPv4 or IPv6 address. IPv4 is stored as an IPv4-mapped IPv6 address (::ffff:a.b.c.d) so that
// both families compare and hash the same way. `valid` is false when the source text did not parse.
struct IpAddress {
  std::array<uint8_t, 16> bytes{};
  bool valid = false;
  // True for an IPv4-mapped address (the first 12 bytes are ::ffff:).
  bool isV4() const {
    uint64_t head;
    uint32_t mid;
    std::memcpy(&head, bytes.data(), 8);
    std::memcpy(&mid, bytes.data() + 8, 4);
    return head == 0 && mid == kV4MappedMid;
  }
  friend bool operator==(const IpAddress&, const IpAddress&) = default;

 private:
  // Bytes 8-11 of ::ffff:0:0 (00 00 ff ff) read as a native-endian word.
  static constexpr uint32_t kV4MappedMid =
      std::endian::native == std::endian::little ? 0xffff0000u : 0x0000ffffu;
};

// Parses a textual IPv4 or IPv6 address (no port, no brackets, no zone). Returns false and leaves
// `out` invalid when `text` is not an address.
[[nodiscard]] bool parseIp(std::string_view text, IpAddress& out);

// Appends the canonical text form (dotted quad for IPv4, RFC 5952 for IPv6) to `out`.
void formatIp(const IpAddress& ip, std::string& out);

// One request against object storage.
//
// Ownership: every string is owned by the event. Parsers fill a caller-owned event and clear() it
// first, so a reused event stops allocating once its strings have grown to the input's sizes.
// Unknown numbers are -1; unknown strings are empty.
struct AccessEvent {
  Provider provider = Provider::kUnknown;
  Format format = Format::kUnknown;
  int64_t timeUs = 0;     // event time, microseconds since the Unix epoch, UTC
  std::string principal;  // normalized; "anonymous" when unauthenticated
  PrincipalKind principalKind = PrincipalKind::kUnknown;
  IpAddress sourceIp;        // parsed client address; invalid when absent or not an address
  std::string sourceIpText;  // the client address as logged ("" when the log has none)
  std::string bucket;
  std::string objectKey;  // percent-decoded once; "" for bucket- or service-level requests
  OpClass opClass = OpClass::kOther;
  std::string rawOperation;  // e.g. REST.GET.OBJECT or GetObject
  int httpStatus = -1;       // -1 when the log gives none
  std::string errorCode;     // provider error name, "" on success
  int64_t bytesOut = -1;     // response body bytes sent to the client
  int64_t bytesIn = -1;      // request body bytes received
  int64_t objectSize = -1;
  std::string userAgent;
  AuthType authType = AuthType::kUnknown;
  std::string tlsVersion;  // as logged, e.g. TLSv1.2
  std::string requestId;

  void clear();
  bool success() const { return (httpStatus >= 200 && httpStatus < 300) || httpStatus == 304; }
};

std::string_view toString(Provider p);
std::string_view toString(Format f);
std::string_view toString(PrincipalKind k);
std::string_view toString(OpClass c);
std::string_view toString(AuthType a);

// Parses a format name as accepted by --format (see formatNames()). Returns kUnknown for
// anything else.
Format formatFromString(std::string_view name);

// The provider whose logs a format carries.
Provider providerOf(Format format);

// Every format name, comma-separated, for help and error messages.
std::string_view formatNames();

inline constexpr std::string_view kAnonymousPrincipal = "anonymous";

}  // namespace blobwatch::schemas
