#include "schemas/azure_common.h"

#include <array>
#include <utility>

#include "schemas/text.h"

namespace blobwatch::schemas::azure {

OpClass classifyOperation(std::string_view op) {
  static constexpr std::array<std::pair<std::string_view, OpClass>, 29> kTable = {{
      {"GetBlob", OpClass::kRead},
      {"CopyBlobSource", OpClass::kRead},
      {"QueryBlobContents", OpClass::kRead},
      {"GetBlobProperties", OpClass::kHead},
      {"GetBlobMetadata", OpClass::kHead},
      {"GetContainerProperties", OpClass::kHead},
      {"GetContainerMetadata", OpClass::kHead},
      {"ListBlobs", OpClass::kList},
      {"ListContainers", OpClass::kList},
      {"FindBlobsByTags", OpClass::kList},
      {"PutBlob", OpClass::kWrite},
      {"PutBlock", OpClass::kWrite},
      {"PutBlockList", OpClass::kWrite},
      {"AppendBlock", OpClass::kWrite},
      {"PutPage", OpClass::kWrite},
      {"CopyBlob", OpClass::kWrite},
      {"CopyBlobDestination", OpClass::kWrite},
      {"SetBlobMetadata", OpClass::kWrite},
      {"SetBlobProperties", OpClass::kWrite},
      {"SetBlobTier", OpClass::kWrite},
      {"PutBlobFromURL", OpClass::kWrite},
      {"PutBlockFromURL", OpClass::kWrite},
      {"AppendBlockFromURL", OpClass::kWrite},
      {"PutPageFromURL", OpClass::kWrite},
      {"CreateContainer", OpClass::kWrite},
      {"DeleteBlob", OpClass::kDelete},
      {"DeleteContainer", OpClass::kDelete},
      {"SetContainerACL", OpClass::kPolicy},
      {"SetContainerAcl", OpClass::kPolicy},
  }};
  if (op.empty()) return OpClass::kOther;
  const char first = op.front();
  for (const auto& [name, cls] : kTable) {
    if (name.front() == first && name == op) return cls;
  }
  return OpClass::kOther;
}

bool isSuccessStatusText(std::string_view s) {
  constexpr std::string_view kSuccess = "Success";
  return s.size() >= kSuccess.size() && s.substr(s.size() - kSuccess.size()) == kSuccess;
}

std::string_view urlPath(std::string_view url) {
  size_t start;
  if (url.substr(0, 8) == "https://") {
    start = 8;
  } else if (url.substr(0, 7) == "http://") {
    start = 7;
  } else {
    return {};
  }
  const size_t slash = url.find('/', start);
  if (slash == std::string_view::npos) return {};
  std::string_view path = url.substr(slash);
  const size_t q = path.find_first_of("?#");
  if (q != std::string_view::npos) path = path.substr(0, q);
  return path;
}

void splitObjectKey(std::string_view key, std::string& container, std::string& blob) {
  container.clear();
  blob.clear();
  std::string_view path;  // "/<container>[/<blob>]"
  if (!key.empty() && key.front() == '/') {
    const size_t slash = key.find('/', 1);  // after /<account>
    if (slash == std::string_view::npos) return;
    path = key.substr(slash);
  } else {
    path = urlPath(key);
  }
  if (path.size() < 2) return;
  path.remove_prefix(1);
  const size_t slash = path.find('/');
  if (slash == std::string_view::npos) {
    container.assign(path);
    return;
  }
  container.assign(path.substr(0, slash));
  percentDecode(path.substr(slash + 1), /*plusIsSpace=*/false, blob);
}

std::string_view accountFromResourceId(std::string_view id) {
  constexpr std::string_view kMarker = "/storageAccounts/";
  const size_t at = id.find(kMarker);
  if (at == std::string_view::npos) return {};
  std::string_view rest = id.substr(at + kMarker.size());
  return rest.substr(0, rest.find('/'));
}

void assignCallerAddress(std::string_view caller, AccessEvent& e) {
  e.sourceIp = IpAddress{};
  e.sourceIpText.clear();
  if (caller.empty()) return;
  const std::string_view host = withoutPort(caller);
  e.sourceIpText.assign(host);
  (void)parseIp(host, e.sourceIp);  // "<Redacted>" and other non-addresses stay text, invalid
}

void appendFnv1a64Hex(std::string_view data, std::string& out) {
  uint64_t h = 14695981039346656037ull;
  for (const char c : data) {
    h ^= static_cast<uint8_t>(c);
    h *= 1099511628211ull;
  }
  static constexpr char kHex[] = "0123456789abcdef";
  for (int shift = 60; shift >= 0; shift -= 4) {
    out.push_back(kHex[(h >> shift) & 0xf]);
  }
}

}  // namespace blobwatch::schemas::azure
