// Channel segments: making, opening (untrusted), claiming, leaving and
// cleaning up. The ring's records are in channel_ring.cc.
#include "runtime/channel.h"

#include <dirent.h>
#include <fcntl.h>
#include <sys/file.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <boost/interprocess/mapped_region.hpp>
#include <boost/interprocess/permissions.hpp>
#include <boost/interprocess/shared_memory_object.hpp>
#include <cerrno>
#include <cstring>
#include <random>
#include <thread>

#include "runtime/channel_layout.h"
#include "runtime/jobs.h"

namespace smc::rt {

namespace bip = boost::interprocess;
using namespace channel_layout;

namespace {

// Holds the flock of a segment while who is attached changes.
class SegmentLock {
 public:
  explicit SegmentLock(int fd) : fd_(fd) {
    while (fd_ >= 0 && ::flock(fd_, LOCK_EX) != 0 && errno == EINTR) {
    }
  }
  ~SegmentLock() {
    if (fd_ >= 0) ::flock(fd_, LOCK_UN);
  }
  SegmentLock(const SegmentLock&) = delete;
  SegmentLock& operator=(const SegmentLock&) = delete;

 private:
  int fd_;
};

std::string UserPrefix() {
  return "smc-" + std::to_string(::getuid()) + "-";
}

// True while `segment` in /dev/shm is still the file open as `fd`.
bool StillNamed(const std::string& segment, int fd) {
  struct stat a {
  }, b{};
  return ::stat(("/dev/shm/" + segment).c_str(), &a) == 0 && ::fstat(fd, &b) == 0 && a.st_dev == b.st_dev &&
         a.st_ino == b.st_ino;
}

// A temporary name no channel name maps to ('%' only starts "%xx" escapes).
std::string TempName(uint64_t nonce) {
  return UserPrefix() + "%new-" + std::to_string(::getpid()) + "-" + std::to_string(nonce);
}

uint64_t Nonce() {
  std::random_device rd;
  return (static_cast<uint64_t>(rd()) << 32) ^ rd() ^ static_cast<uint64_t>(::getpid());
}

bool SlotAlive(const Slot& s) {
  return s.state.load() == kAttached && JobRegistry::Alive(s.pid.load(), s.start.load());
}

void Claim(const Slot& s) {
  s.pid.store(::getpid());
  s.start.store(JobRegistry::StartTicks(::getpid()));
  s.state.store(kAttached, std::memory_order_release);
}

// Checks what a segment's header says about itself; empty when sound.
std::string HeaderProblem(const Header& h, size_t size, bool exact) {
  if (h.magic.load(std::memory_order_acquire) != kMagic) return "it does not start as an smc channel";
  uint64_t cap = h.capacity;
  if (exact ? (cap != kRingBytes || size != sizeof(Header) + kRingBytes)
            : (cap < 16 || cap > size || size - cap < sizeof(Header))) {
    return "its ring size (" + std::to_string(cap) + " bytes) does not match the segment";
  }
  uint64_t head = h.head.load(), tail = h.tail.load();
  if (tail > head || head - tail > cap) return "its read and write positions are inconsistent";
  if (h.producer_state.load() > kDeparted || h.consumer_state.load() > kDeparted) return "its peer states are invalid";
  return "";
}

}  // namespace

std::string Channel::SegmentName(const std::string& name) {
  std::string out = UserPrefix();
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

size_t Channel::SegmentBytes() {
  return sizeof(Header) + kRingBytes;
}

bool Channel::Validate(size_t size, std::string* error) {
  std::string problem = HeaderProblem(*header_, size, shm_ != nullptr);
  if (!problem.empty()) {
    *error = "channel '" + name_ + "' (/dev/shm/" + segment_ + ") is corrupt: " + problem + "; remove it";
    return false;
  }
  cap_ = header_->capacity;
  pos_ = role_ == Role::kProducer ? header_->head.load() : header_->tail.load();
  return true;
}

std::unique_ptr<Channel> Channel::Attach(void* base, size_t size, Role role, std::string* error) {
  std::unique_ptr<Channel> ch(new Channel);
  ch->name_ = "memory";
  ch->segment_ = "memory";
  ch->role_ = role;
  if (size < sizeof(Header)) {
    *error = "channel 'memory' (/dev/shm/memory) is corrupt: it is smaller than a channel's header";
    return nullptr;
  }
  ch->header_ = static_cast<Header*>(base);
  ch->ring_ = static_cast<unsigned char*>(base) + sizeof(Header);
  if (!ch->Validate(size, error)) {
    ch->header_ = nullptr;
    return nullptr;
  }
  return ch;
}

std::unique_ptr<Channel> Channel::Open(const std::string& name, Role role, std::string* error, OpenError* why) {
  OpenError ignored;
  if (!why) why = &ignored;
  *why = OpenError::kNone;
  const std::string segment = SegmentName(name);
  const std::string where = "channel '" + name + "' (/dev/shm/" + segment + ")";
  const size_t size = SegmentBytes();
  auto fail = [&](OpenError w, const std::string& what) -> std::unique_ptr<Channel> {
    *why = w;
    *error = what;
    return nullptr;
  };
  for (int attempt = 0; attempt < 50; ++attempt) {
    std::unique_ptr<Channel> ch(new Channel);
    ch->name_ = name;
    ch->segment_ = segment;
    ch->role_ = role;
    try {
      ch->shm_ = std::make_unique<bip::shared_memory_object>(bip::open_only, segment.c_str(), bip::read_write);
    } catch (const bip::interprocess_exception& e) {
      if (e.get_error_code() != bip::not_found_error) {
        if (e.get_error_code() == bip::security_error) {
          return fail(OpenError::kUnsafe,
                      where + " cannot be opened: " + e.what() + " (it is not this user's; smc refuses to use it)");
        }
        return fail(OpenError::kSystem, "cannot open " + where + ": " + e.what());
      }
      ch->shm_.reset();
    }
    if (!ch->shm_) {
      // None: make one under a temporary name, set it up, link it into place.
      const std::string temp = TempName(Nonce());
      try {
        ch->shm_ = std::make_unique<bip::shared_memory_object>(bip::create_only, temp.c_str(), bip::read_write,
                                                               bip::permissions(0600));
        ch->shm_->truncate(static_cast<bip::offset_t>(size));
        ch->region_ = std::make_unique<bip::mapped_region>(*ch->shm_, bip::read_write, 0, size);
      } catch (const bip::interprocess_exception& e) {
        bip::shared_memory_object::remove(temp.c_str());
        if (e.get_error_code() == bip::already_exists_error) continue;
        return fail(OpenError::kSystem, "cannot create " + where + ": " + e.what());
      }
      auto* h = new (ch->region_->get_address()) Header();
      h->capacity = kRingBytes;
      h->run_id = Nonce();
      Claim(role == Role::kProducer ? ProducerSlot(*h) : ConsumerSlot(*h));
      h->magic.store(kMagic, std::memory_order_release);
      int linked = ::link(("/dev/shm/" + temp).c_str(), ("/dev/shm/" + segment).c_str());
      int link_errno = errno;
      bip::shared_memory_object::remove(temp.c_str());
      if (linked != 0) {
        // EEXIST: another process made it first: open that one. ENOENT: an
        // older smc cleaning up took the temporary segment: make another.
        if (link_errno == EEXIST || link_errno == ENOENT) continue;
        return fail(OpenError::kSystem, "cannot create " + where + ": " + std::strerror(link_errno));
      }
      ch->fd_ = ch->shm_->get_mapping_handle().handle;
      ch->header_ = h;
      ch->ring_ = static_cast<unsigned char*>(ch->region_->get_address()) + sizeof(Header);
      ch->cap_ = kRingBytes;
      ch->pos_ = 0;
      return ch;
    }
    // One exists: use it only if it is this user's own, as smc makes them.
    ch->fd_ = ch->shm_->get_mapping_handle().handle;
    struct stat st {};
    if (::fstat(ch->fd_, &st) != 0)
      return fail(OpenError::kSystem, "cannot open " + where + ": " + std::strerror(errno));
    if (!S_ISREG(st.st_mode) || st.st_uid != ::getuid() || (st.st_mode & 07777) != 0600) {
      char mode[8];
      std::snprintf(mode, sizeof mode, "%04o", static_cast<unsigned>(st.st_mode & 07777));
      return fail(OpenError::kUnsafe, where + " is not this user's private channel (owner uid " +
                                          std::to_string(st.st_uid) + ", mode " + mode +
                                          "; smc makes them owned by uid " + std::to_string(::getuid()) +
                                          ", mode 0600): refusing to use it");
    }
    if (static_cast<uint64_t>(st.st_size) != size) {
      return fail(OpenError::kCorrupt, where + " is corrupt: it has " + std::to_string(st.st_size) +
                                           " bytes, not the " + std::to_string(size) + " of a channel; remove it");
    }
    try {
      ch->region_ = std::make_unique<bip::mapped_region>(*ch->shm_, bip::read_write, 0, size);
    } catch (const bip::interprocess_exception& e) {
      return fail(OpenError::kSystem, "cannot map " + where + ": " + e.what());
    }
    ch->header_ = static_cast<Header*>(ch->region_->get_address());
    ch->ring_ = static_cast<unsigned char*>(ch->region_->get_address()) + sizeof(Header);
    SegmentLock lock(ch->fd_);
    if (!StillNamed(segment, ch->fd_)) {
      ch->header_ = nullptr;  // replaced or removed meanwhile: look again
      continue;
    }
    if (!ch->Validate(size, error)) {
      ch->header_ = nullptr;
      *why = OpenError::kCorrupt;
      return nullptr;
    }
    Header* h = ch->header_;
    Slot mine = role == Role::kProducer ? ProducerSlot(*h) : ConsumerSlot(*h);
    if (mine.state.load() == kAttached && mine.pid.load() != ::getpid() && SlotAlive(mine)) {
      int holder = mine.pid.load();
      ch->header_ = nullptr;  // not ours: leave it as it is
      return fail(OpenError::kBusy, "channel '" + name + "' already has a " +
                                        (role == Role::kProducer ? "producer" : "consumer") + " (pid " +
                                        std::to_string(holder) + ")");
    }
    // Whose data is this? A consumer that came and went took its stream; a
    // producer that went without finishing left a broken one; a producer
    // that went after finishing left one for whoever comes next (unless a
    // new producer comes: its stream replaces it). An abandoned segment is
    // replaced, so that a new run never reads an earlier run's data.
    bool abandoned = h->consumer_state.load() != kNone && !SlotAlive(ConsumerSlot(*h));
    uint32_t ps = h->producer_state.load();
    if (role == Role::kProducer)
      abandoned |= ps != kNone && !SlotAlive(ProducerSlot(*h));
    else
      abandoned |= ps != kNone && !SlotAlive(ProducerSlot(*h)) && !h->finished.load();
    if (abandoned) {
      bip::shared_memory_object::remove(segment.c_str());
      ch->header_ = nullptr;
      continue;
    }
    Claim(mine);
    return ch;
  }
  return fail(OpenError::kSystem, "cannot open " + where + ": it keeps changing (another process is replacing it)");
}

Channel::~Channel() {
  Depart();
}

void Channel::Depart() {
  if (!header_ || fd_ < 0) return;
  SegmentLock lock(fd_);
  Header* h = header_;
  bool remove;
  if (role_ == Role::kConsumer) {
    h->consumer_state.store(kDeparted);
    // Read to the end, or the producer is gone: no one needs it any more.
    remove = ended_ || !SlotAlive(ProducerSlot(*h));
  } else {
    h->producer_state.store(kDeparted);
    uint32_t cs = h->consumer_state.load();
    // Kept for a live consumer (which reads the rest, or learns that the
    // stream broke off), or, finished, for the first consumer to come.
    remove = !(cs == kAttached && SlotAlive(ConsumerSlot(*h))) && !(cs == kNone && finished_);
  }
  if (remove && StillNamed(segment_, fd_)) bip::shared_memory_object::remove(segment_.c_str());
}

bool Channel::PeerGone(bool force_check) {
  const Slot s = role_ == Role::kProducer ? ConsumerSlot(*header_) : ProducerSlot(*header_);
  uint32_t state = s.state.load(std::memory_order_acquire);
  if (state == kNone) return false;  // not there yet: it may still come
  bool peer_done = role_ == Role::kProducer ? header_->consumer_ended.load() != 0 : header_->finished.load() != 0;
  if (state == kDeparted) {
    if (peer_done) return false;
    peer_pid_ = s.pid.load();
    peer_fate_ = "stopped";
    return true;
  }
  auto now = std::chrono::steady_clock::now();
  if (!force_check && now < next_alive_check_) return false;
  next_alive_check_ = now + std::chrono::milliseconds(50);
  if (peer_done || JobRegistry::Alive(s.pid.load(), s.start.load())) return false;
  peer_pid_ = s.pid.load();
  peer_fate_ = "died";
  return true;
}

void Channel::Corrupt(const std::string& what) const {
  throw std::runtime_error("channel '" + name_ + "' (/dev/shm/" + segment_ + ") is corrupt: " + what);
}

namespace {

// Removes segment `name` (in /dev/shm) when it is one of this user's channel
// segments and no live process holds it; with `keep_waiting`, a finished
// stream no consumer has attached to yet stays for the first one to come.
bool RemoveIfUnheld(const std::string& name, bool keep_waiting) {
  const std::string path = "/dev/shm/" + name;
  struct stat st {};
  if (::lstat(path.c_str(), &st) != 0 || !S_ISREG(st.st_mode) || st.st_uid != ::getuid()) return false;
  if ((st.st_mode & 07777) != 0600 || static_cast<uint64_t>(st.st_size) != Channel::SegmentBytes()) return false;
  int fd = ::open(path.c_str(), O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
  if (fd < 0) return false;
  bool removed = false;
  {
    SegmentLock lock(fd);
    void* map = StillNamed(name, fd) ? ::mmap(nullptr, sizeof(Header), PROT_READ, MAP_SHARED, fd, 0) : MAP_FAILED;
    if (map != MAP_FAILED) {
      auto* h = static_cast<Header*>(map);  // mapped read-only: only loaded from
      if (h->magic.load() == kMagic) {
        bool waiting = keep_waiting && h->finished.load() && h->consumer_state.load() == kNone;
        removed =
            !SlotAlive(ProducerSlot(*h)) && !SlotAlive(ConsumerSlot(*h)) && !waiting && ::unlink(path.c_str()) == 0;
      }
      ::munmap(map, sizeof(Header));
    }
  }
  ::close(fd);
  return removed;
}

}  // namespace

int CleanupStaleChannels() {
  const std::string prefix = UserPrefix();
  const std::string temp_prefix = prefix + "%new-";
  DIR* d = ::opendir("/dev/shm");
  if (!d) return 0;
  std::vector<std::string> names;
  while (dirent* e = ::readdir(d)) {
    std::string name = e->d_name;
    if (name.compare(0, prefix.size(), prefix) == 0) names.push_back(name);
  }
  ::closedir(d);
  int removed = 0;
  for (const std::string& name : names) {
    if (name.compare(0, temp_prefix.size(), temp_prefix) == 0) {
      // One being set up: stale only when the process making it is gone.
      const std::string path = "/dev/shm/" + name;
      struct stat st {};
      if (::lstat(path.c_str(), &st) != 0 || !S_ISREG(st.st_mode) || st.st_uid != ::getuid()) continue;
      int pid = std::atoi(name.c_str() + temp_prefix.size());
      if (pid > 0 && !JobRegistry::Alive(pid, 0) && ::unlink(path.c_str()) == 0) ++removed;
      continue;
    }
    if (RemoveIfUnheld(name, /*keep_waiting=*/true)) ++removed;
  }
  return removed;
}

int RemoveUnheldChannels(const std::vector<std::string>& names) {
  int removed = 0;
  for (const std::string& name : names) {
    if (RemoveIfUnheld(Channel::SegmentName(name), /*keep_waiting=*/false)) ++removed;
  }
  return removed;
}

}  // namespace smc::rt
