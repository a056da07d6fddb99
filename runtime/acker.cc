#include "runtime/acker.h"

#include <algorithm>
#include <random>

namespace smc::rt {

Acker::Acker(const TimeSource& time, int64_t timeout_ns)
    : time_(time),
      period_ns_(std::max<int64_t>(1, timeout_ns / (kBuckets - 1))),
      next_rotation_ns_(time.NowNs() + period_ns_),
      shards_(std::make_unique<Shard[]>(size_t{1} << kShardBits)) {}

Acker::~Acker() = default;

uint64_t Acker::NewId() {
  // splitmix64 over a per-thread state seeded once from the system.
  thread_local uint64_t state = (static_cast<uint64_t>(std::random_device{}()) << 32) ^ std::random_device{}() ^
                                reinterpret_cast<uintptr_t>(&state);
  while (true) {
    uint64_t z = (state += 0x9e3779b97f4a7c15ULL);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    z ^= z >> 31;
    if (z != 0) return z;
  }
}

void Acker::Start(uint64_t root, SpoutAcks* owner, uint64_t msg) {
  owner->pending_.fetch_add(1, std::memory_order_acq_rel);
  Shard& s = shards_[ShardOf(root)];
  std::lock_guard<std::mutex> lock(s.mu);
  uint64_t gen = gen_.load(std::memory_order_acquire);
  s.trees[root] = {root, owner, msg, gen, false};
  s.buckets[gen % kBuckets].push_back(root);
}

void Acker::Finish(Shard& s, std::unordered_map<uint64_t, Entry>::iterator it, bool ok) {
  Entry& e = it->second;
  // Queued before the pending count drops: a spout that sees no pending
  // trees then also sees every completion (SpoutAcking's end of stream).
  e.owner->Push(e.msg, ok ? SpoutAcks::kAcked : e.parked ? SpoutAcks::kFailedParked : SpoutAcks::kFailed);
  if (!e.parked) e.owner->pending_.fetch_sub(1, std::memory_order_acq_rel);
  s.trees.erase(it);
}

void Acker::Apply(std::vector<AckUpdate>* updates) {
  const size_t n = updates->size();
  if (n == 0) return;
  // Grouped by shard in one counting pass, so each shard's lock is taken once.
  constexpr size_t kShards = size_t{1} << kShardBits;
  thread_local std::vector<AckUpdate> grouped;
  struct Completed {
    SpoutAcks* owner;
    uint64_t msg;
    bool parked;
  };
  thread_local std::vector<Completed> done;
  size_t start[kShards + 1] = {};
  for (const AckUpdate& u : *updates) ++start[ShardOf(u.root) + 1];
  for (size_t k = 0; k < kShards; ++k) start[k + 1] += start[k];
  grouped.resize(n);
  size_t at[kShards];
  std::copy(start, start + kShards, at);
  for (const AckUpdate& u : *updates) grouped[at[ShardOf(u.root)]++] = u;
  for (size_t k = 0; k < kShards; ++k) {
    if (start[k] == start[k + 1]) continue;
    Shard& s = shards_[k];
    std::lock_guard<std::mutex> lock(s.mu);
    // Every XOR of the call first: a tree is complete only at 0 after all
    // of them (on the way it may pass through 0, e.g. root ^ root).
    for (size_t i = start[k]; i < start[k + 1]; ++i) {
      auto it = s.trees.find(grouped[i].root);
      if (it != s.trees.end()) it->second.value ^= grouped[i].value;
    }
    for (size_t i = start[k]; i < start[k + 1]; ++i) {
      auto it = s.trees.find(grouped[i].root);
      if (it == s.trees.end() || it->second.value != 0) continue;
      done.push_back({it->second.owner, it->second.msg, it->second.parked});
      s.trees.erase(it);
    }
  }
  updates->clear();
  // The owners hear of the completions a run at a time (one lock per run),
  // each run queued before its pending count drops (see Finish).
  completed_.fetch_add(done.size(), std::memory_order_relaxed);
  for (size_t i = 0; i < done.size();) {
    SpoutAcks* owner = done[i].owner;
    int unparked = 0;
    {
      std::lock_guard<std::mutex> lock(owner->mu_);
      for (; i < done.size() && done[i].owner == owner; ++i) {
        owner->done_.push_back({done[i].msg, SpoutAcks::kAcked});
        unparked += done[i].parked ? 0 : 1;
      }
    }
    if (unparked) owner->pending_.fetch_sub(unparked, std::memory_order_acq_rel);
  }
  done.clear();
}

void Acker::Fail(const uint64_t* roots, size_t n) {
  for (size_t k = 0; k < n; ++k) {
    Shard& s = shards_[ShardOf(roots[k])];
    std::lock_guard<std::mutex> lock(s.mu);
    auto it = s.trees.find(roots[k]);
    if (it == s.trees.end()) continue;
    Finish(s, it, false);
    failed_.fetch_add(1, std::memory_order_relaxed);
  }
}

void Acker::Park(const uint64_t* roots, size_t n) {
  for (size_t k = 0; k < n; ++k) {
    Shard& s = shards_[ShardOf(roots[k])];
    std::lock_guard<std::mutex> lock(s.mu);
    auto it = s.trees.find(roots[k]);
    if (it == s.trees.end() || it->second.parked) continue;
    it->second.parked = true;
    it->second.owner->Push(it->second.msg, SpoutAcks::kParked);
    it->second.owner->pending_.fetch_sub(1, std::memory_order_acq_rel);
  }
}

void Acker::Sweep() {
  const int64_t now = time_.NowNs();
  if (now < next_rotation_ns_.load(std::memory_order_relaxed)) return;
  std::lock_guard<std::mutex> sweep(sweep_mu_);
  if (now < next_rotation_ns_.load(std::memory_order_relaxed)) return;
  next_rotation_ns_.store(now + period_ns_, std::memory_order_relaxed);
  // The bucket the next generation reuses holds the trees started
  // kBuckets - 1 rotations ago or earlier: their time is up.
  const uint64_t next = gen_.load(std::memory_order_acquire) + 1;
  std::vector<uint64_t> old;
  for (size_t k = 0; k < (size_t{1} << kShardBits); ++k) {
    Shard& s = shards_[k];
    std::lock_guard<std::mutex> lock(s.mu);
    old.swap(s.buckets[next % kBuckets]);
    for (uint64_t root : old) {
      auto it = s.trees.find(root);
      if (it == s.trees.end()) continue;
      if (it->second.parked || it->second.gen + kBuckets != next) {
        if (!it->second.parked && it->second.gen + kBuckets > next) s.buckets[next % kBuckets].push_back(root);
        continue;
      }
      Finish(s, it, false);
      timed_out_.fetch_add(1, std::memory_order_relaxed);
    }
    old.clear();
  }
  gen_.store(next, std::memory_order_release);
}

size_t Acker::InFlight() const {
  size_t n = 0;
  for (size_t k = 0; k < (size_t{1} << kShardBits); ++k) {
    std::lock_guard<std::mutex> lock(shards_[k].mu);
    n += shards_[k].trees.size();
  }
  return n;
}

}  // namespace smc::rt
