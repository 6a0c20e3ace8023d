#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "schemas/access_event.h"

// Azure Blob Storage naming shared by the Azure Monitor resource-log parser (azure-blob) and the
// Storage Analytics parser (azure-analytics), so that one operation, one object and one caller
// address come out the same whichever log they came from.

namespace blobwatch::schemas::azure {

// Maps a Blob service operation name (operationName in resource logs, operation-type in Storage
// Analytics) to its class. Exact, case-sensitive names:
//   read    GetBlob, CopyBlobSource (the source side of a copy is read), QueryBlobContents
//   head    GetBlobProperties, GetBlobMetadata, GetContainerProperties, GetContainerMetadata
//   list    ListBlobs, ListContainers, FindBlobsByTags
//   write   PutBlob, PutBlock, PutBlockList, AppendBlock, PutPage, CopyBlob, CopyBlobDestination,
//           SetBlobMetadata, SetBlobProperties, SetBlobTier, PutBlobFromURL, PutBlockFromURL,
//           AppendBlockFromURL, PutPageFromURL, CreateContainer
//   delete  DeleteBlob, DeleteContainer
//   policy  SetContainerACL (the only operation that changes who may access data: public access
//           level and stored access policies)
//   other   everything else (SetBlobServiceProperties, GetBlobServiceProperties, leases, ...)
OpClass classifyOperation(std::string_view operation);

// True for a status text that means success: "Success" and its per-auth variants
// (AnonymousSuccess, SASSuccess, OAuthSuccess, ...), i.e. any text ending in "Success".
bool isSuccessStatusText(std::string_view statusText);

// Splits an object key as both Azure logs write it into container (the AccessEvent bucket) and
// blob path (the AccessEvent objectKey, percent-decoded once):
//   /<account>/<container>/<blob>      (the usual form; /<account> alone for service requests)
//   http(s)://<host>[:port]/<container>/<blob>?<query>  (CopyBlobSource: the source URL, whose
//                                       query, a SAS included, is dropped)
// Clears both outputs first; leaves them empty for any other shape.
void splitObjectKey(std::string_view key, std::string& container, std::string& blob);

// The path of a URL (from the first '/' after "scheme://host", without the query), or "" when
// `url` is not an absolute http(s) URL.
std::string_view urlPath(std::string_view url);

// The storage account in an ARM resource id (.../storageAccounts/<account>/...), or "".
std::string_view accountFromResourceId(std::string_view resourceId);

// Sets e.sourceIpText and e.sourceIp from a logged caller address: "ip:port", "[v6]:port", a
// bare IPv6 address or a bare IPv4 address. The text kept is the address without port or
// brackets; a redacted address ("<Redacted>:port") is kept as "<Redacted>" and stays invalid.
void assignCallerAddress(std::string_view caller, AccessEvent& e);

// 64-bit FNV-1a of `data`, written as 16 lowercase hex digits to `out` (appended). Stable across
// platforms and releases; not cryptographic.
void appendFnv1a64Hex(std::string_view data, std::string& out);

}  // namespace blobwatch::schemas::azure
