// A hash map from datum keys to values, for counting and grouping bolts
// (private to stdlib/). Open addressing with the full hash kept beside each
// slot pointer, so a lookup touches one cache line of the table and, on a
// hash match, the slot. Lookups by a datum viewing a batch do not allocate;
// a new key is copied once. Slots never move: pointers to them stay valid.
#pragma once

#include <deque>
#include <vector>

#include "runtime/tuple.h"
#include "stdlib/component_helpers.h"

namespace smc::stdlib {

template <typename V>
class KeyMap {
 public:
  struct Slot {
    OwnedDatum key;
    V value{};
  };

  KeyMap() { cells_.resize(kInitial); }

  /// The slot for `key`, created (with a default value) if new.
  Slot& Find(const rt::Datum& key) {
    const uint64_t h = rt::HashDatum(key) | 1;  // 0 marks an empty cell
    size_t i = h & (cells_.size() - 1);
    while (true) {
      Cell& c = cells_[i];
      if (c.hash == 0) break;
      if (c.hash == h && Equal(c.slot->key, key)) return *c.slot;
      i = (i + 1) & (cells_.size() - 1);
    }
    Slot& s = slots_.emplace_back();
    s.key = OwnedDatum::From(key);
    cells_[i] = {h, &s};
    if (slots_.size() * 2 > cells_.size()) Grow();
    return s;
  }
  /// The slot for `key`, or null.
  Slot* Lookup(const rt::Datum& key) {
    const uint64_t h = rt::HashDatum(key) | 1;
    for (size_t i = h & (cells_.size() - 1);; i = (i + 1) & (cells_.size() - 1)) {
      Cell& c = cells_[i];
      if (c.hash == 0) return nullptr;
      if (c.hash == h && Equal(c.slot->key, key)) return c.slot;
    }
  }
  template <typename F>
  void ForEach(F f) {
    for (Slot& s : slots_) f(s);
  }
  size_t size() const { return slots_.size(); }

 private:
  static constexpr size_t kInitial = 1024;
  struct Cell {
    uint64_t hash = 0;
    Slot* slot = nullptr;
  };
  static bool Equal(const OwnedDatum& a, const rt::Datum& b) {
    if (a.type != b.type) return false;
    switch (a.type) {
      case rt::Type::kString: return a.s.size() == b.s.size() && std::memcmp(a.s.data(), b.s.data(), b.s.size()) == 0;
      case rt::Type::kFloat: return a.f == b.f;
      case rt::Type::kNull: return true;
      default: return a.i == b.i;
    }
  }
  void Grow() {
    std::vector<Cell> old(cells_.size() * 2);
    old.swap(cells_);
    for (const Cell& c : old) {
      if (c.hash == 0) continue;
      size_t i = c.hash & (cells_.size() - 1);
      while (cells_[i].hash != 0) i = (i + 1) & (cells_.size() - 1);
      cells_[i] = c;
    }
  }
  std::deque<Slot> slots_;
  std::vector<Cell> cells_;
};

}  // namespace smc::stdlib
