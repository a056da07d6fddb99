#include "runtime/writer.h"

#include <unistd.h>

#include <cerrno>

namespace smc::rt {

Writer::Writer(int fd, std::string name) : fd_(fd), name_(std::move(name)), thread_([this] { Loop(); }) {}

Writer::~Writer() {
  Close();
}

void Writer::Write(std::string chunk) {
  if (chunk.empty()) return;
  if (error_.load(std::memory_order_relaxed)) return;
  queued_.fetch_add(chunk.size(), std::memory_order_relaxed);
  {
    std::lock_guard<std::mutex> lock(mu_);
    chunks_.push_back(std::move(chunk));
  }
  cv_.notify_one();
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

void Writer::Loop() {
  while (true) {
    std::string chunk;
    {
      std::unique_lock<std::mutex> lock(mu_);
      cv_.wait(lock, [&] { return closing_ || !chunks_.empty(); });
      if (chunks_.empty()) return;
      chunk = std::move(chunks_.front());
      chunks_.pop_front();
    }
    size_t done = 0;
    while (done < chunk.size() && !error_.load(std::memory_order_relaxed)) {
      ssize_t n = ::write(fd_, chunk.data() + done, chunk.size() - done);
      if (n < 0) {
        if (errno == EINTR) continue;
        error_.store(errno);
        break;
      }
      done += static_cast<size_t>(n);
    }
    queued_.fetch_sub(chunk.size(), std::memory_order_relaxed);
  }
}

}  // namespace smc::rt
