// Reading a small file whole, for files that may vanish or fail under the
// reader: /proc entries of processes that exit meanwhile (a read then fails
// with ESRCH, which std::istreambuf_iterator turns into an uncaught
// exception) and records in shared folders. Never throws; reads at most
// `limit` bytes; on an error returns what was read before it.
#pragma once

#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <string>

namespace smc::rt {

inline std::string ReadSmall(const std::string& path, size_t limit) {
  std::string text;
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return text;
  char buf[4096];
  while (text.size() < limit) {
    size_t want = std::min(sizeof buf, limit - text.size());
    ssize_t n = ::read(fd, buf, want);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) break;
    text.append(buf, static_cast<size_t>(n));
  }
  ::close(fd);
  return text;
}

}  // namespace smc::rt
