#include "runtime/writer.h"

#include <limits.h>
#include <sys/uio.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <vector>

namespace smc::rt {

Writer::Writer(int fd, std::string name, int64_t linger_ns)
    : fd_(fd),
      name_(std::move(name)),
      terminal_(::isatty(fd) == 1),
      linger_(terminal_ ? 0 : std::max<int64_t>(linger_ns, 0)),
      thread_([this] { Loop(); }) {}

Writer::~Writer() {
  Close();
}

void Writer::ShortenLinger(int64_t linger_ns) {
  std::lock_guard<std::mutex> lock(mu_);
  linger_ = std::min(linger_, std::chrono::nanoseconds(std::max<int64_t>(linger_ns, 0)));
}

void Writer::Write(std::string chunk, std::function<void()> written) {
  if (error_.load(std::memory_order_relaxed)) return;
  if (chunk.empty()) {
    if (written) written();  // nothing to wait for
    return;
  }
  queued_.fetch_add(chunk.size(), std::memory_order_relaxed);
  bool wake = false;
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (chunks_.empty()) {
      first_at_ = std::chrono::steady_clock::now();
      wake = asleep_;  // otherwise the thread looks again within a linger: no wake-up per chunk
    }
    size_t before = chunk_bytes_;
    chunk_bytes_ += chunk.size();
    if (before < kBlockBytes && chunk_bytes_ >= kBlockBytes) wake = true;  // a whole block: no waiting
    chunks_.push_back({std::move(chunk), std::move(written)});
  }
  if (wake) cv_.notify_one();
}

void Writer::Close() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (closing_) {
      if (thread_.joinable() && thread_.get_id() != std::this_thread::get_id()) thread_.join();
      return;
    }
    closing_ = true;
  }
  cv_.notify_one();
  if (thread_.joinable()) thread_.join();
  if (fd_ > 2) ::close(fd_);
}

// While output keeps coming the thread looks for it every linger without
// being woken (one wake-up per block, as a plain 64 KiB buffer costs); after
// a linger with nothing it sleeps until the next chunk wakes it.
void Writer::Loop() {
  std::unique_lock<std::mutex> lock(mu_);
  while (true) {
    if (chunks_.empty()) {
      if (closing_) return;
      auto more = [&] { return closing_ || !chunks_.empty(); };
      if (!cv_.wait_for(lock, linger_, more)) {
        asleep_ = true;
        cv_.wait(lock, more);
        asleep_ = false;
      }
      continue;
    }
    // Less than a block: wait for more until the first chunk has lingered.
    cv_.wait_until(lock, first_at_ + linger_, [&] { return closing_ || chunk_bytes_ >= kBlockBytes; });
    std::deque<Chunk> out;
    out.swap(chunks_);
    chunk_bytes_ = 0;
    lock.unlock();
    if (around_write_) {
      around_write_([&] { WriteOut(out); });
    } else {
      WriteOut(out);
    }
    lock.lock();
  }
}

// Writes `chunks` with as few system calls as the kernel allows, then runs
// the callbacks of those written whole.
void Writer::WriteOut(std::deque<Chunk>& chunks) {
  size_t total = 0;
  for (const Chunk& c : chunks) total += c.data.size();
  std::vector<iovec> iov;
  iov.reserve(std::min<size_t>(chunks.size(), IOV_MAX));
  size_t next = 0;  // the first chunk not yet in iov
  size_t skip = 0;  // bytes of chunks[next - iov.size()] already written
  while (!error_.load(std::memory_order_relaxed)) {
    iov.clear();
    size_t first = next;
    for (size_t i = first; i < chunks.size() && iov.size() < IOV_MAX; ++i) {
      const std::string& c = chunks[i].data;
      size_t off = i == first ? skip : 0;
      iov.push_back({const_cast<char*>(c.data()) + off, c.size() - off});
    }
    if (iov.empty()) break;
    ssize_t n = ::writev(fd_, iov.data(), static_cast<int>(iov.size()));
    if (n < 0) {
      if (errno == EINTR) continue;
      error_.store(errno);
      break;
    }
    // Advance past what was written: whole chunks, then part of one.
    size_t left = static_cast<size_t>(n);
    size_t i = first;
    size_t off = skip;
    while (i < chunks.size() && left >= chunks[i].data.size() - off) {
      left -= chunks[i].data.size() - off;
      off = 0;
      ++i;
    }
    next = i;
    skip = off + left;
  }
  queued_.fetch_sub(total, std::memory_order_relaxed);
  for (size_t i = 0; i < next; ++i) {
    if (chunks[i].written) chunks[i].written();
  }
}

}  // namespace smc::rt
