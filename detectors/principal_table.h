#pragma once

#include <cstdint>
#include <deque>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "detectors/principal_state.h"

// The principals an Engine holds in memory, looked up once per event.
//
// Entries live in a std::deque, so an Entry's address is stable for the table's lifetime (the
// engine keeps pointers to dirty entries between flushes). The index is open addressing with
// linear probing over a power-of-two array of (hash, entry) slots, kept at most half full.
// Compared with std::unordered_map this saves the bucket-to-node hops and the modulo on every
// lookup: a hit reads one slot, then the entry's name. Entries are never removed.
//
// Thread safety: none. Ownership: the table owns its entries.
namespace blobwatch::detectors {

class PrincipalTable {
 public:
  struct Entry {
    std::string name;
    PrincipalState state;
  };

  // The hash find() and insert() expect for `name`.
  static uint64_t hashOf(std::string_view name) { return std::hash<std::string_view>{}(name); }

  // The entry named `name`, or nullptr. `hash` must be hashOf(name).
  Entry* find(std::string_view name, uint64_t hash) const {
    if (slots_.empty()) return nullptr;
    for (size_t i = hash & mask_;; i = (i + 1) & mask_) {
      const Slot& s = slots_[i];
      if (s.entry == nullptr) return nullptr;
      if (s.hash == hash && s.entry->name == name) return s.entry;
    }
  }

  // Adds an entry for `name`, which must not be present. `hash` must be hashOf(name).
  Entry& insert(std::string_view name, uint64_t hash, PrincipalState state);

  size_t size() const { return entries_.size(); }

 private:
  struct Slot {
    uint64_t hash = 0;
    Entry* entry = nullptr;
  };
  void place(Entry* e, uint64_t hash);

  std::vector<Slot> slots_;
  size_t mask_ = 0;
  std::deque<Entry> entries_;
};

}  // namespace blobwatch::detectors
