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
  owner->AddPending();
  std::vector<TreeStart> one{{root, owner, msg}};
  StartMany(&one);
}

namespace {
// Reorders `items` (into `grouped`) by shard; `start[k]`..`start[k + 1]` is
// shard k's run. One counting pass: no sort.
template <typename T, typename ShardFn>
void GroupByShard(const std::vector<T>& items, ShardFn shard_of, std::vector<T>* grouped, size_t* start,
                  size_t shards) {
  std::fill(start, start + shards + 1, 0);
  for (const T& x : items) ++start[shard_of(x) + 1];
  for (size_t k = 0; k < shards; ++k) start[k + 1] += start[k];
  grouped->resize(items.size());
  std::vector<size_t> at(start, start + shards);
  for (const T& x : items) (*grouped)[at[shard_of(x)]++] = x;
}
}  // namespace

void Acker::StartMany(std::vector<TreeStart>* starts) {
  if (starts->empty()) return;
  constexpr size_t kShards = size_t{1} << kShardBits;
  thread_local std::vector<TreeStart> grouped;
  size_t start[kShards + 1];
  GroupByShard(
      *starts, [](const TreeStart& t) { return ShardOf(t.root); }, &grouped, start, kShards);
  uint64_t gen = gen_.load(std::memory_order_acquire);
  for (size_t k = 0; k < kShards; ++k) {
    if (start[k] == start[k + 1]) continue;
    Shard& s = shards_[k];
    std::lock_guard<std::mutex> lock(s.mu);
    for (size_t i = start[k]; i < start[k + 1]; ++i) {
      const TreeStart& t = grouped[i];
      s.trees.Insert(t.root) = {t.root, t.owner, t.msg, gen, false};
      s.buckets[gen % kBuckets].push_back(t.root);
    }
  }
  starts->clear();
}

void Acker::Finish(Shard& s, uint64_t root, bool ok) {
  Entry& e = *s.trees.Find(root);
  // Queued before the pending count drops: a spout that sees no pending
  // trees then also sees every completion (SpoutAcking's end of stream).
  e.owner->Push(e.msg, ok ? SpoutAcks::kAcked : e.parked ? SpoutAcks::kFailedParked : SpoutAcks::kFailed);
  if (!e.parked) e.owner->pending_.fetch_sub(1, std::memory_order_acq_rel);
  s.trees.Erase(root);
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
  size_t start[kShards + 1];
  GroupByShard(
      *updates, [](const AckUpdate& u) { return ShardOf(u.root); }, &grouped, start, kShards);
  for (size_t k = 0; k < kShards; ++k) {
    if (start[k] == start[k + 1]) continue;
    Shard& s = shards_[k];
    std::lock_guard<std::mutex> lock(s.mu);
    // Every XOR of the call first: a tree is complete only at 0 after all
    // of them (on the way it may pass through 0, e.g. root ^ root).
    for (size_t i = start[k]; i < start[k + 1]; ++i) {
      if (Entry* e = s.trees.Find(grouped[i].root)) e->value ^= grouped[i].value;
    }
    for (size_t i = start[k]; i < start[k + 1]; ++i) {
      Entry* e = s.trees.Find(grouped[i].root);
      if (e == nullptr || e->value != 0) continue;
      done.push_back({e->owner, e->msg, e->parked});
      s.trees.Erase(grouped[i].root);
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
    if (s.trees.Find(roots[k]) == nullptr) continue;
    Finish(s, roots[k], false);
    failed_.fetch_add(1, std::memory_order_relaxed);
  }
}

void Acker::Park(const uint64_t* roots, size_t n) {
  for (size_t k = 0; k < n; ++k) {
    Shard& s = shards_[ShardOf(roots[k])];
    std::lock_guard<std::mutex> lock(s.mu);
    Entry* e = s.trees.Find(roots[k]);
    if (e == nullptr || e->parked) continue;
    e->parked = true;
    e->owner->Push(e->msg, SpoutAcks::kParked);
    e->owner->pending_.fetch_sub(1, std::memory_order_acq_rel);
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
      Entry* e = s.trees.Find(root);
      if (e == nullptr) continue;
      if (e->parked || e->gen + kBuckets != next) {
        if (!e->parked && e->gen + kBuckets > next) s.buckets[next % kBuckets].push_back(root);
        continue;
      }
      Finish(s, root, false);
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
