// FlatMap64: an open-addressing hash map from non-zero 64-bit keys (tree
// roots, message ids) to values, for the acker's hot paths.
//
// Linear probing over a power-of-two table of slots, Fibonacci hashing of the
// key, at most half full; erasing shifts the following run back (no
// tombstones), so lookups stay short however many keys came and went. No
// per-entry allocation: a slot's value is reused, with its capacity, by the
// next key that lands there. Key 0 marks an empty slot and cannot be stored.
// Not thread-safe; pointers into it are valid until the next Insert.
#pragma once

#include <cstddef>
#include <cstdint>
#include <utility>
#include <vector>

namespace smc::rt {

template <typename V>
class FlatMap64 {
 public:
  FlatMap64() { Rehash(kMinSlots); }

  size_t size() const { return size_; }
  bool empty() const { return size_ == 0; }

  V* Find(uint64_t key) {
    for (size_t i = Home(key);; i = (i + 1) & mask_) {
      if (slots_[i].key == key) return &slots_[i].value;
      if (slots_[i].key == 0) return nullptr;
    }
  }
  const V* Find(uint64_t key) const { return const_cast<FlatMap64*>(this)->Find(key); }

  /// The value of `key`, inserted (value-initialised, or a reused value
  /// that the caller overwrites) when absent. `key` must not be 0.
  V& Insert(uint64_t key) { return *TryInsert(key).first; }

  /// As Insert, and whether `key` was absent.
  std::pair<V*, bool> TryInsert(uint64_t key) {
    if ((size_ + 1) * 2 > slots_.size()) Rehash(slots_.size() * 2);
    size_t i = Home(key);
    for (; slots_[i].key != 0; i = (i + 1) & mask_) {
      if (slots_[i].key == key) return {&slots_[i].value, false};
    }
    slots_[i].key = key;
    ++size_;
    return {&slots_[i].value, true};
  }

  /// Removes every entry (keeping the table's size and the values' storage).
  void Clear() {
    if (size_ == 0) return;
    for (Slot& s : slots_) s.key = 0;
    size_ = 0;
  }

  /// Removes `key`; false when it was absent.
  bool Erase(uint64_t key) {
    size_t i = Home(key);
    while (slots_[i].key != key) {
      if (slots_[i].key == 0) return false;
      i = (i + 1) & mask_;
    }
    // Backward shift: each later key of the run whose home is not in
    // (i, j] moves into the hole, which moves on to where it was.
    for (size_t j = (i + 1) & mask_; slots_[j].key != 0; j = (j + 1) & mask_) {
      size_t home = Home(slots_[j].key);
      bool stays = i < j ? (home > i && home <= j) : (home > i || home <= j);
      if (stays) continue;
      std::swap(slots_[i].value, slots_[j].value);
      slots_[i].key = slots_[j].key;
      i = j;
    }
    slots_[i].key = 0;
    --size_;
    return true;
  }

  /// Calls f(key, value) for every entry, in no particular order.
  template <typename F>
  void ForEach(F&& f) const {
    for (const Slot& s : slots_) {
      if (s.key != 0) f(s.key, s.value);
    }
  }

 private:
  static constexpr size_t kMinSlots = 16;
  struct Slot {
    uint64_t key = 0;
    V value{};
  };
  size_t Home(uint64_t key) const { return static_cast<size_t>((key * 0x9e3779b97f4a7c15ULL) >> shift_); }
  void Rehash(size_t n) {
    std::vector<Slot> old(n);
    old.swap(slots_);
    mask_ = n - 1;
    shift_ = 64;
    for (size_t m = n; m > 1; m >>= 1) --shift_;
    size_ = 0;
    for (Slot& s : old) {
      if (s.key != 0) Insert(s.key) = std::move(s.value);
    }
  }

  std::vector<Slot> slots_;
  size_t mask_ = 0;
  int shift_ = 64;
  size_t size_ = 0;
};

}  // namespace smc::rt
