// runtime/writer.h alone: streaming within the linger, bursts written whole
// and in order through partial writes, errors remembered; and the status
// line's fitting to a terminal (runtime/status.h).
#include "runtime/writer.h"

#include "runtime/status.h"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <unistd.h>

#include <doctest/doctest.h>

#include <atomic>
#include <cerrno>
#include <chrono>
#include <mutex>
#include <string>
#include <thread>

namespace {

// Reads what arrives on `fd` within `timeout_ms` (stops at the first quiet poll).
std::string ReadWithin(int fd, int timeout_ms) {
  std::string got;
  pollfd p{fd, POLLIN, 0};
  while (::poll(&p, 1, timeout_ms) > 0) {
    char buf[4096];
    ssize_t n = ::read(fd, buf, sizeof buf);
    if (n <= 0) break;
    got.append(buf, static_cast<size_t>(n));
    timeout_ms = 0;
  }
  return got;
}

}  // namespace

TEST_CASE("writer: a small chunk is written after the linger while the output stays open") {
  int fds[2];
  REQUIRE(::pipe(fds) == 0);
  smc::rt::Writer w(fds[1], "pipe", /*linger_ns=*/1'000'000);
  w.Write("one line\n");
  CHECK(ReadWithin(fds[0], 10'000) == "one line\n");  // not held until Close
  w.Write("two\n");
  w.Write("three\n");
  CHECK(ReadWithin(fds[0], 10'000) == "two\nthree\n");
  for (int i = 0; i < 10'000 && w.queued_bytes() != 0; ++i) std::this_thread::sleep_for(std::chrono::milliseconds(1));
  CHECK(w.queued_bytes() == 0);  // counted as written once written
  w.Close();
  ::close(fds[0]);
}

TEST_CASE("writer: a burst larger than the pipe arrives whole and in order (partial writes)") {
  int fds[2];
  REQUIRE(::pipe(fds) == 0);
  std::string expect;
  std::string got;
  std::thread reader([&] {
    char buf[1000];
    ssize_t n;
    while ((n = ::read(fds[0], buf, sizeof buf)) > 0) got.append(buf, static_cast<size_t>(n));
  });
  {
    smc::rt::Writer w(fds[1], "pipe", /*linger_ns=*/50'000'000);
    for (int i = 0; i < 5000; ++i) {  // more chunks than IOV_MAX, 1.3 MB in all
      std::string chunk = std::to_string(i) + ":" + std::string(static_cast<size_t>(i % 517), 'x') + "\n";
      expect += chunk;
      w.Write(chunk);
    }
    w.Close();
    CHECK(!w.failed());
  }
  ::close(fds[1]);
  reader.join();
  ::close(fds[0]);
  CHECK(got.size() == expect.size());
  CHECK(got == expect);
}

TEST_CASE("writer: a reader that went away is remembered as EPIPE; later chunks are dropped") {
  int fds[2];
  REQUIRE(::pipe(fds) == 0);
  ::signal(SIGPIPE, SIG_IGN);  // as smc does (runtime/stop.cc)
  ::close(fds[0]);
  smc::rt::Writer w(fds[1], "pipe", 0);
  w.Write("lost\n");
  w.Close();
  CHECK(w.failed());
  CHECK(w.error() == EPIPE);
  w.Write("dropped\n");
  CHECK(w.queued_bytes() == 0);
  ::close(fds[1]);
}

TEST_CASE("writer: a chunk's callback runs once it is written, in order; never for output that failed") {
  int fds[2];
  REQUIRE(::pipe(fds) == 0);
  std::atomic<int> written{0};
  std::string order;
  std::mutex mu;
  {
    // A linger far longer than the test: nothing may be written (or acked) before Close.
    smc::rt::Writer w(fds[1], "pipe", /*linger_ns=*/60'000'000'000);
    for (int i = 0; i < 3; ++i) {
      w.Write("line" + std::to_string(i) + "\n", [&, i] {
        std::lock_guard<std::mutex> lock(mu);
        order += std::to_string(i);
        ++written;
      });
    }
    w.Write("", [&] { ++written; });  // nothing to write: runs at once
    CHECK(written.load() == 1);
    CHECK(ReadWithin(fds[0], 50).empty());
    w.Close();
    CHECK(written.load() == 4);
    CHECK(order == "012");
  }
  CHECK(ReadWithin(fds[0], 0) == "line0\nline1\nline2\n");
  ::close(fds[0]);
  ::close(fds[1]);

  int full = ::open("/dev/full", O_WRONLY | O_CLOEXEC);
  REQUIRE(full >= 0);
  bool ran = false;
  smc::rt::Writer w(full, "/dev/full", 0);
  w.Write("never on disk\n", [&] { ran = true; });
  w.Close();
  CHECK(w.failed());
  CHECK(w.error() == ENOSPC);
  CHECK(!ran);
  w.Write("", [&] { ran = true; });  // after a failure: never
  CHECK(!ran);
}

TEST_CASE("status: a line is cut to one column less than the terminal, ending in ...; UTF-8 kept whole") {
  using smc::rt::FitToWidth;
  CHECK(FitToWidth("short", 70) == "short");
  CHECK(FitToWidth("short", 0) == "short");  // width unknown
  std::string line(100, 'x');
  CHECK(FitToWidth(line, 70) == std::string(66, 'x') + "...");
  CHECK(FitToWidth(line, 70).size() == 69);
  CHECK(FitToWidth(std::string(69, 'y'), 70) == std::string(69, 'y'));  // fits: the last column stays free
  CHECK(FitToWidth(std::string(70, 'y'), 70) == std::string(66, 'y') + "...");
  std::string accents;
  for (int i = 0; i < 10; ++i) accents += "\xc3\xa9";  // 10 columns, 20 bytes
  CHECK(FitToWidth(accents, 8) == "\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9...");
  CHECK(FitToWidth(accents, 11) == accents);
  CHECK(FitToWidth("abcdef", 3) == "");  // too narrow for anything but the cursor
}

TEST_CASE("status: the draining note names Ctrl-C for SIGINT") {
  CHECK(smc::rt::DrainingNote(SIGINT) == "draining: finishing what is in flight (Ctrl-C again stops now)");
  CHECK(smc::rt::DrainingNote(SIGTERM) == "draining: finishing what is in flight (a second signal stops now)");
}
