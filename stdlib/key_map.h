// A hash map from datum keys to values, for counting and grouping bolts
// (private to stdlib/). Lookups by a datum viewing a batch do not allocate;
// a new key is copied once. Slots never move, so pointers to them stay valid.
#pragma once

#include <deque>
#include <unordered_map>

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

  /// The slot for `key`, created (with a default value) if new.
  Slot& Find(const rt::Datum& key) {
    auto it = index_.find(Probe{key});
    if (it != index_.end()) return *it->second;
    Slot& s = slots_.emplace_back();
    s.key = OwnedDatum::From(key);
    index_.emplace(Probe{s.key.View()}, &s);
    return s;
  }
  /// The slot for `key`, or null.
  Slot* Lookup(const rt::Datum& key) {
    auto it = index_.find(Probe{key});
    return it == index_.end() ? nullptr : it->second;
  }
  template <typename F>
  void ForEach(F f) {
    for (Slot& s : slots_) f(s);
  }
  size_t size() const { return slots_.size(); }
  void Clear() {
    index_.clear();
    slots_.clear();
  }

 private:
  struct Probe {
    rt::Datum d;
    bool operator==(const Probe& o) const { return d == o.d; }
  };
  struct Hash {
    size_t operator()(const Probe& p) const { return rt::HashDatum(p.d); }
  };
  std::deque<Slot> slots_;
  std::unordered_map<Probe, Slot*, Hash> index_;
};

}  // namespace smc::stdlib
