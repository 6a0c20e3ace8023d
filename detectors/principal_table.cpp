#include "detectors/principal_table.h"

#include <utility>

namespace blobwatch::detectors {

void PrincipalTable::place(Entry* e, uint64_t hash) {
  size_t i = hash & mask_;
  while (slots_[i].entry != nullptr) i = (i + 1) & mask_;
  slots_[i] = Slot{hash, e};
}

PrincipalTable::Entry& PrincipalTable::insert(std::string_view name, uint64_t hash,
                                              PrincipalState state) {
  if ((entries_.size() + 1) * 2 > slots_.size()) {
    std::vector<Slot> old = std::move(slots_);
    slots_.assign(old.empty() ? 64 : old.size() * 2, Slot{});
    mask_ = slots_.size() - 1;
    for (const Slot& s : old) {
      if (s.entry != nullptr) place(s.entry, s.hash);
    }
  }
  Entry& e = entries_.emplace_back(Entry{std::string(name), std::move(state)});
  place(&e, hash);
  return e;
}

}  // namespace blobwatch::detectors
