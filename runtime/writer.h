// Asynchronous output: a thread per open output writes queued chunks, so
// that components running on TBB workers never block on a slow pipe or disk.
//
// Write() is thread-safe. queued_bytes() lets the job throttle its spouts
// when the output falls behind (backpressure). A write error (EPIPE when the
// reader went away, ENOSPC, ...) is remembered and reported through
// failed(); later chunks are dropped.
#pragma once

#include <atomic>
#include <condition_variable>
#include <deque>
#include <mutex>
#include <string>
#include <thread>

namespace smc::rt {

class Writer {
 public:
  /// Takes over `fd` (closed at the end unless it is 1 or 2).
  Writer(int fd, std::string name);
  ~Writer();

  void Write(std::string chunk);
  /// Waits until everything queued is written, then stops the thread.
  void Close();

  size_t queued_bytes() const { return queued_.load(std::memory_order_relaxed); }
  bool failed() const { return error_.load() != 0; }
  int error() const { return error_.load(); }
  const std::string& name() const { return name_; }

 private:
  void Loop();

  int fd_;
  std::string name_;
  std::mutex mu_;
  std::condition_variable cv_;
  std::deque<std::string> chunks_;
  bool closing_ = false;
  std::atomic<size_t> queued_{0};
  std::atomic<int> error_{0};
  std::thread thread_;
};

}  // namespace smc::rt
