#include "runtime/channel.h"

#include <dirent.h>
#include <sys/stat.h>
#include <unistd.h>

#include <boost/interprocess/mapped_region.hpp>
#include <boost/interprocess/permissions.hpp>
#include <boost/interprocess/shared_memory_object.hpp>
#include <chrono>
#include <cstring>
#include <stdexcept>
#include <thread>

#include "runtime/jobs.h"

namespace smc::rt {

namespace bip = boost::interprocess;

namespace {
constexpr uint64_t kMagic = 0x534d434348414e31ULL;  // "SMCCHAN1"
constexpr uint64_t kRingBytes = 8u << 20;
constexpr uint32_t kWrap = 0xffffffffu;  // "continue at the start of the ring"
}  // namespace

// Lives at the start of the segment. Positions only grow; the ring offset is
// position % capacity. std::atomic of 64 bits is lock-free here, so it works
// across processes.
struct Channel::Header {
  std::atomic<uint64_t> magic;
  uint64_t capacity;
  std::atomic<uint64_t> head;  // bytes written
  std::atomic<uint64_t> tail;  // bytes read
  std::atomic<int32_t> producer_pid;
  std::atomic<int32_t> consumer_pid;
  std::atomic<uint64_t> producer_start;
  std::atomic<uint64_t> consumer_start;
  std::atomic<uint32_t> finished;  // the producer marked the end of the stream
};
static_assert(std::atomic<uint64_t>::is_always_lock_free);

std::string Channel::SegmentName(const std::string& name) {
  std::string out = "smc-" + std::to_string(::getuid()) + "-";
  for (unsigned char c : name) {
    if (std::isalnum(c) || c == '-' || c == '_' || c == '.') {
      out += static_cast<char>(c);
    } else {
      char buf[4];
      std::snprintf(buf, sizeof buf, "%%%02x", c);
      out += buf;
    }
  }
  return out;
}

std::unique_ptr<Channel> Channel::Open(const std::string& name, Role role, std::string* error) {
  std::unique_ptr<Channel> ch(new Channel);
  ch->name_ = name;
  ch->segment_ = SegmentName(name);
  ch->role_ = role;
  const size_t size = sizeof(Header) + kRingBytes;
  // Create it, or open the one the other side made (waiting for its set-up).
  bool created = false;
  try {
    try {
      ch->shm_ = std::make_unique<bip::shared_memory_object>(bip::create_only, ch->segment_.c_str(), bip::read_write,
                                                              bip::permissions(0600));
      created = true;
      ch->shm_->truncate(static_cast<bip::offset_t>(size));
    } catch (const bip::interprocess_exception& e) {
      if (created || e.get_error_code() != bip::already_exists_error) throw;
      ch->shm_ = std::make_unique<bip::shared_memory_object>(bip::open_only, ch->segment_.c_str(), bip::read_write);
    }
    bip::offset_t have = 0;
    for (int i = 0; i < 2000 && (!ch->shm_->get_size(have) || static_cast<size_t>(have) < size); ++i) {
      std::this_thread::sleep_for(std::chrono::milliseconds(1));  // the creator sizes it at once; give it 2 s
    }
    ch->region_ = std::make_unique<bip::mapped_region>(*ch->shm_, bip::read_write, 0, size);
  } catch (const bip::interprocess_exception& e) {
    if (created) bip::shared_memory_object::remove(ch->segment_.c_str());
    *error = "cannot open channel '" + name + "' (/dev/shm/" + ch->segment_ + "): " + e.what();
    return nullptr;
  }
  void* base = ch->region_->get_address();
  ch->header_ = static_cast<Header*>(base);
  ch->ring_ = static_cast<unsigned char*>(base) + sizeof(Header);
  Header* h = ch->header_;
  if (created) {
    h->capacity = kRingBytes;
    h->head.store(0);
    h->tail.store(0);
    h->producer_pid.store(0);
    h->consumer_pid.store(0);
    h->finished.store(0);
    h->magic.store(kMagic, std::memory_order_release);
  } else {
    for (int i = 0; i < 2000 && h->magic.load(std::memory_order_acquire) != kMagic; ++i) {
      std::this_thread::sleep_for(std::chrono::milliseconds(1));
    }
    if (h->magic.load(std::memory_order_acquire) != kMagic) {
      *error = "channel '" + name + "' (/dev/shm/" + ch->segment_ + ") is not an smc channel";
      return nullptr;
    }
  }
  // Claim our side, unless a live process holds it.
  auto& pid = role == Role::kProducer ? h->producer_pid : h->consumer_pid;
  auto& start = role == Role::kProducer ? h->producer_start : h->consumer_start;
  int32_t holder = pid.load();
  uint64_t holder_start = start.load();
  if (holder != 0 && holder != ::getpid() && JobRegistry::Alive(holder, holder_start)) {
    *error = "channel '" + name + "' already has a " + (role == Role::kProducer ? "producer" : "consumer") +
             " (pid " + std::to_string(holder) + ")";
    ch->header_ = nullptr;  // not ours: leave it as it is
    return nullptr;
  }
  if (role == Role::kProducer && holder != 0 && h->finished.load()) {
    // A previous producer finished and no one read it all: start afresh.
    h->head.store(h->tail.load());
    h->finished.store(0);
  }
  start.store(JobRegistry::StartTicks(::getpid()));
  pid.store(::getpid());
  return ch;
}

Channel::~Channel() {
  if (header_) {
    auto& pid = role_ == Role::kProducer ? header_->producer_pid : header_->consumer_pid;
    pid.store(0);
    // The consumer removes the channel once it has read to the end; the
    // survivor removes it when the other side is gone.
    int32_t other = role_ == Role::kProducer ? header_->consumer_pid.load() : header_->producer_pid.load();
    bool other_attached = other != 0 && PeerAlive(role_ == Role::kProducer);
    if ((role_ == Role::kConsumer && ended_) || (!other_attached && (role_ == Role::kConsumer || !finished_))) {
      bip::shared_memory_object::remove(segment_.c_str());
    }
  }
}

bool Channel::PeerAlive(bool producer_side) {
  int32_t pid = producer_side ? header_->consumer_pid.load() : header_->producer_pid.load();
  uint64_t start = producer_side ? header_->consumer_start.load() : header_->producer_start.load();
  if (pid == 0) return true;  // not there yet: it may still come
  if (JobRegistry::Alive(pid, start)) return true;
  peer_pid_ = pid;
  return false;
}


Channel::WriteResult Channel::Write(const Batch& batch, const std::atomic<bool>& stop) {
  // Record: u32 length of what follows, u32 fields, u32 arena bytes, then the
  // batch's fields and arena as they are (fields refer to the arena by offset).
  const std::vector<Field>& fields = batch.raw_fields();
  const std::string& arena = batch.raw_arena();
  std::string& rec = scratch_;
  uint32_t head_words[3] = {static_cast<uint32_t>(8 + fields.size() * sizeof(Field) + arena.size()),
                            static_cast<uint32_t>(fields.size()), static_cast<uint32_t>(arena.size())};
  rec.resize(12 + fields.size() * sizeof(Field) + arena.size());
  std::memcpy(rec.data(), head_words, 12);
  if (!fields.empty()) std::memcpy(rec.data() + 12, fields.data(), fields.size() * sizeof(Field));
  if (!arena.empty()) std::memcpy(rec.data() + 12 + fields.size() * sizeof(Field), arena.data(), arena.size());
  const uint64_t cap = header_->capacity;
  if (rec.size() + 4 > cap) return WriteResult::kPeerDied;  // cannot ever fit (batches are far smaller)
  int64_t wait_us = 20;
  while (true) {
    uint64_t head = header_->head.load(std::memory_order_relaxed);
    uint64_t tail = header_->tail.load(std::memory_order_acquire);
    uint64_t off = head % cap;
    uint64_t need = rec.size();
    uint64_t skip = off + need > cap ? cap - off : 0;  // wrap: the record starts at 0
    if (head + skip + need - tail <= cap) {
      if (skip) {
        if (skip >= 4) std::memcpy(ring_ + off, &kWrap, 4);
        head += skip;
        off = 0;
      }
      std::memcpy(ring_ + off, rec.data(), need);
      header_->head.store(head + need, std::memory_order_release);
      return WriteResult::kOk;
    }
    if (stop.load()) return WriteResult::kStopped;
    if (!PeerAlive(true)) return WriteResult::kPeerDied;
    std::this_thread::sleep_for(std::chrono::microseconds(wait_us));
    wait_us = std::min<int64_t>(wait_us * 2, 2000);
  }
}

void Channel::Finish() {
  finished_ = true;
  header_->finished.store(1, std::memory_order_release);
}

Channel::ReadResult Channel::Read(Batch* batch) {
  const uint64_t cap = header_->capacity;
  uint64_t tail = header_->tail.load(std::memory_order_relaxed);
  uint64_t head = header_->head.load(std::memory_order_acquire);
  if (tail == head) {
    if (header_->finished.load(std::memory_order_acquire) && header_->head.load(std::memory_order_acquire) == tail) {
      ended_ = true;
      return ReadResult::kEnd;
    }
    return PeerAlive(false) ? ReadResult::kEmpty : ReadResult::kPeerDied;
  }
  uint64_t off = tail % cap;
  uint32_t len = 0;
  if (cap - off < 4) {
    tail += cap - off;  // too little room left for a length: the writer wrapped
    off = 0;
  } else {
    std::memcpy(&len, ring_ + off, 4);
    if (len == kWrap) {
      tail += cap - off;
      off = 0;
    }
  }
  std::memcpy(&len, ring_ + off, 4);
  uint32_t counts[2];
  std::memcpy(counts, ring_ + off + 4, 8);
  const unsigned char* p = ring_ + off + 12;
  if (batch->width() == 0 || counts[0] % batch->width() != 0) {
    throw std::runtime_error("channel '" + name_ + "' carries tuples of another width than this spout declares");
  }
  // The fields are copied out through memcpy (the ring gives no alignment).
  std::vector<Field>& fields = read_fields_;
  fields.resize(counts[0]);
  if (counts[0]) std::memcpy(fields.data(), p, counts[0] * sizeof(Field));
  batch->AssignRaw(fields.data(), fields.size(), reinterpret_cast<const char*>(p + counts[0] * sizeof(Field)),
                   counts[1]);
  header_->tail.store(tail + 4 + len, std::memory_order_release);
  return ReadResult::kBatch;
}

int CleanupStaleChannels() {
  std::string prefix = "smc-" + std::to_string(::getuid()) + "-";
  DIR* d = ::opendir("/dev/shm");
  if (!d) return 0;
  int removed = 0;
  while (dirent* e = ::readdir(d)) {
    std::string name = e->d_name;
    if (name.compare(0, prefix.size(), prefix) != 0) continue;
    struct stat st {};
    if (::stat(("/dev/shm/" + name).c_str(), &st) != 0 || st.st_uid != ::getuid()) continue;
    bool stale = false;
    try {
      bip::shared_memory_object shm(bip::open_only, name.c_str(), bip::read_only);
      bip::offset_t size = 0;
      if (shm.get_size(size) && static_cast<size_t>(size) >= sizeof(Channel::Header)) {
        bip::mapped_region region(shm, bip::read_only, 0, sizeof(Channel::Header));
        auto* h = static_cast<Channel::Header*>(region.get_address());
        int32_t p = h->producer_pid.load(), c = h->consumer_pid.load();
        bool p_alive = p != 0 && JobRegistry::Alive(p, h->producer_start.load());
        bool c_alive = c != 0 && JobRegistry::Alive(c, h->consumer_start.load());
        // Gone on both sides, and not a fresh channel still waiting for its first side.
        stale = !p_alive && !c_alive && (p != 0 || c != 0 || h->magic.load() != kMagic);
      }
    } catch (const bip::interprocess_exception&) {
      continue;
    }
    if (stale && bip::shared_memory_object::remove(name.c_str())) ++removed;
  }
  ::closedir(d);
  return removed;
}

}  // namespace smc::rt
