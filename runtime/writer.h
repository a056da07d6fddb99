// Asynchronous output: a thread per open output writes queued chunks, so
// that components running on TBB workers never block on a slow pipe or disk.
//
// Streaming: a chunk waits about `linger` (the sinks' batch.linger; at
// most twice that) before it is written, so a slow stream shows up at once and a pipe into `head`
// ends the run when head exits; a terminal gets every chunk at once. A burst
// is written in blocks of at least kBlockBytes (writev of every queued
// chunk), so fast streams pay no more system calls than a 64 KiB buffer.
//
// Write() is thread-safe. queued_bytes() lets the job throttle its spouts
// when the output falls behind (backpressure). A write error (EPIPE when the
// reader went away, ENOSPC, ...) is remembered and reported through
// failed(); later chunks are dropped. A chunk may carry a callback that runs
// once it is written (the sinks' acks, when acking is on).
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <functional>
#include <mutex>
#include <string>
#include <thread>

namespace smc::rt {

class Writer {
 public:
  /// Queued bytes that are written without waiting for the linger.
  static constexpr size_t kBlockBytes = size_t{64} << 10;

  /// Takes over `fd` (closed at the end unless it is 1 or 2). `linger_ns`:
  /// how long a chunk may wait for more (0 when `fd` is a terminal).
  Writer(int fd, std::string name, int64_t linger_ns = 0);
  ~Writer();

  /// Queues `chunk`. `written`, when set, runs on the writer's thread once
  /// the whole chunk has been written (sinks ack their tuples there); never
  /// when the output failed first.
  void Write(std::string chunk, std::function<void()> written = {});
  /// Lowers the linger to `linger_ns` if that is shorter (several sinks share one output).
  void ShortenLinger(int64_t linger_ns);
  /// Runs each write on the writer's thread inside `f` (which calls its
  /// argument once): the job clears its live status line from the terminal
  /// and keeps it from being drawn while data is written. Set before the
  /// first Write.
  using AroundWrite = std::function<void(const std::function<void()>& write)>;
  void set_around_write(AroundWrite f) { around_write_ = std::move(f); }
  /// Waits until everything queued is written, then stops the thread.
  void Close();

  size_t queued_bytes() const { return queued_.load(std::memory_order_relaxed); }
  bool failed() const { return error_.load() != 0; }
  int error() const { return error_.load(); }
  const std::string& name() const { return name_; }
  bool terminal() const { return terminal_; }
  int fd() const { return fd_; }

 private:
  struct Chunk {
    std::string data;
    std::function<void()> written;
  };
  void Loop();
  void WriteOut(std::deque<Chunk>& chunks);

  int fd_;
  std::string name_;
  bool terminal_;
  AroundWrite around_write_;
  std::mutex mu_;
  std::condition_variable cv_;
  std::deque<Chunk> chunks_;
  size_t chunk_bytes_ = 0;                          // in chunks_, under mu_
  std::chrono::steady_clock::time_point first_at_;  // when chunks_ became non-empty
  std::chrono::nanoseconds linger_;
  bool closing_ = false;
  bool asleep_ = false;  // the thread waits for a wake-up, not for a linger to pass
  std::atomic<size_t> queued_{0};
  std::atomic<int> error_{0};
  std::thread thread_;
};

}  // namespace smc::rt
