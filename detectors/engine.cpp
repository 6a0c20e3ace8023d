#include "detectors/engine.h"

#include <openssl/evp.h>

#include <algorithm>

namespace blobwatch::detectors {

std::string alertId(const Alert& a) {
  std::string material;
  material.reserve(128);
  material.append(a.detector).push_back('\0');
  material.append(a.principal).push_back('\0');
  material.append(a.dedupKey).push_back('\0');
  material.append(std::to_string(a.timeUs)).push_back('\0');
  if (!a.requestIds.empty()) material.append(a.requestIds.front());
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  EVP_Digest(material.data(), material.size(), digest, &len, EVP_sha256(), nullptr);
  static constexpr char kHex[] = "0123456789abcdef";
  std::string id;
  id.reserve(32);
  for (unsigned i = 0; i < 16 && i < len; ++i) {
    id.push_back(kHex[digest[i] >> 4]);
    id.push_back(kHex[digest[i] & 0xF]);
  }
  return id;
}

Engine::Engine(DetectorConfig config, StateStore& store)
    : config_(std::move(config)), store_(store), detectors_(makeDetectors(config_)) {
  for (const auto& d : detectors_) counters_.alertsByDetector[std::string(d->name())] = 0;
}

void Engine::reconfigure(DetectorConfig config) {
  config_ = std::move(config);
  detectors_ = makeDetectors(config_);
  for (const auto& d : detectors_)
    counters_.alertsByDetector.try_emplace(std::string(d->name()), 0);
}

StoreStatus Engine::process(const schemas::AccessEvent& e) {
  const uint64_t hash = PrincipalTable::hashOf(e.principal);
  PrincipalTable::Entry* entry = principals_.find(e.principal, hash);
  if (entry == nullptr) {
    bool found = false;
    StoreStatus st = store_.getPrincipal(e.principal, valueBuffer_, found);
    if (!st.ok) return st;
    PrincipalState state;
    if (found && !state.decode(valueBuffer_)) {
      return StoreStatus::Error("state of principal '" + e.principal +
                                "' is corrupt or from a newer blobwatch");
    }
    entry = &principals_.insert(e.principal, hash, std::move(state));
    counters_.principals = principals_.size();
  }
  PrincipalState& s = entry->state;
  if (s.events == 0 || e.timeUs < s.firstSeenUs) s.firstSeenUs = e.timeUs;
  s.lastSeenUs = std::max(s.lastSeenUs, e.timeUs);
  ++s.events;
  if (!s.dirty) {
    s.dirty = true;
    dirty_.push_back(entry);
  }
  ++counters_.events;
  if (e.principalKind == schemas::PrincipalKind::kAnonymous &&
      (e.opClass == schemas::OpClass::kRead || e.opClass == schemas::OpClass::kHead ||
       e.opClass == schemas::OpClass::kList) &&
      !e.success()) {
    ++counters_.anonymousDenied;
  }
  current_ = &s;
  currentTimeUs_ = e.timeUs;
  currentIp_ = e.sourceIp;
  for (const auto& d : detectors_) d->observe(e, s, *this);
  current_ = nullptr;
  return StoreStatus::Ok();
}

namespace {

bool matches(const SuppressionRule& r, const Alert& a, const schemas::IpAddress& ip) {
  if (r.expiresUs != 0 && a.timeUs >= r.expiresUs) return false;
  if (!r.detector.empty() && r.detector != a.detector) return false;
  if (!r.principal.empty() && r.principal != a.principal) return false;
  if (!r.bucket.empty() && r.bucket != a.bucket) return false;
  if (!r.objectPrefix.empty() && a.object.rfind(r.objectPrefix, 0) != 0) return false;
  if (r.hasNetwork && !r.network.contains(ip)) return false;
  return true;
}

}  // namespace

void Engine::emit(Alert&& a) {
  // Muted before deduplication: a muted alert neither goes out nor starts a window that would
  // fold the next, unmuted one.
  for (const auto& rule : config_.suppressions) {
    if (matches(rule, a, currentIp_)) {
      ++counters_.suppressed;
      ++counters_.suppressedByRule[rule.name];
      return;
    }
  }
  PrincipalState& s = *current_;
  auto entry = std::find_if(s.dedup.begin(), s.dedup.end(), [&](const DedupEntry& d) {
    return d.detector == a.detector && d.key == a.dedupKey;
  });
  if (entry != s.dedup.end() && a.timeUs - entry->lastAlertUs < config_.dedupWindowUs) {
    ++entry->folded;
    entry->lastSeenUs = std::max(entry->lastSeenUs, a.timeUs);
    ++counters_.folded;
    return;
  }
  if (entry == s.dedup.end()) {
    // Forget keys whose window passed with nothing folded: they have nothing left to report.
    std::erase_if(s.dedup, [&](const DedupEntry& d) {
      return d.folded == 0 && currentTimeUs_ - d.lastAlertUs >= config_.dedupWindowUs;
    });
    s.dedup.push_back(DedupEntry{a.detector, a.dedupKey, 0, 0, 0});
    entry = s.dedup.end() - 1;
  } else {
    a.foldedBefore = entry->folded;
    a.previousAlertUs = entry->lastAlertUs;
    if (entry->folded > 0) a.previousLastSeenUs = entry->lastSeenUs;
  }
  entry->lastAlertUs = a.timeUs;
  entry->lastSeenUs = a.timeUs;
  entry->folded = 0;
  a.id = alertId(a);
  ++counters_.alerts;
  ++counters_.alertsByDetector[a.detector];
  pending_.push_back(std::move(a));
}

StoreStatus Engine::flush(std::vector<Alert>& out,
                          std::vector<std::pair<std::string, std::string>> positions,
                          std::vector<std::string>* alertJson) {
  if (dirty_.empty() && pending_.empty() && positions.empty()) return StoreStatus::Ok();
  StateBatch batch;
  batch.principals.reserve(dirty_.size());
  for (const PrincipalTable::Entry* entry : dirty_) {
    std::string value;
    entry->state.encode(value);
    batch.principals.emplace_back(entry->name, std::move(value));
  }
  batch.alerts.reserve(pending_.size());
  for (const auto& a : pending_) {
    std::string json;
    writeAlertJson(a, json);
    batch.alerts.emplace_back(a.id, std::move(json));
  }
  batch.positions = std::move(positions);
  StoreStatus st = store_.commit(batch);
  if (!st.ok) return st;
  for (PrincipalTable::Entry* entry : dirty_) entry->state.dirty = false;
  dirty_.clear();
  for (auto& a : pending_) out.push_back(std::move(a));
  pending_.clear();
  if (alertJson != nullptr) {
    for (auto& [id, text] : batch.alerts) alertJson->push_back(std::move(text));
  }
  return StoreStatus::Ok();
}

}  // namespace blobwatch::detectors
