#include "runtime/outputs.h"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <stdexcept>

#include "runtime/component.h"

namespace smc::rt {

Writer* Outputs::Stdout(int64_t linger_ns) {
  std::lock_guard<std::mutex> lock(mu_);
  auto& w = writers_[""];
  if (!w) {
    w = std::make_unique<Writer>(1, "standard output", linger_ns);
    if (w->terminal() && terminal_guard_) w->set_around_write(terminal_guard_);
  }
  w->ShortenLinger(linger_ns);
  return w.get();
}

Writer* Outputs::File(const std::string& path, int64_t linger_ns) {
  std::lock_guard<std::mutex> lock(mu_);
  auto& w = writers_[path];
  if (!w) {
    int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0666);
    if (fd < 0) {
      writers_.erase(path);
      throw IoError("cannot open '" + path + "' for writing: " + std::strerror(errno));
    }
    w = std::make_unique<Writer>(fd, "'" + path + "'", linger_ns);
    if (w->terminal() && terminal_guard_) w->set_around_write(terminal_guard_);  // file(path: "/dev/tty")
  }
  w->ShortenLinger(linger_ns);
  return w.get();
}

size_t Outputs::queued_bytes() {
  std::lock_guard<std::mutex> lock(mu_);
  size_t n = 0;
  for (auto& [_, w] : writers_) n += w->queued_bytes();
  return n;
}

Writer* Outputs::Failed() {
  std::lock_guard<std::mutex> lock(mu_);
  for (auto& [_, w] : writers_) {
    if (w->failed()) return w.get();
  }
  return nullptr;
}

void Outputs::CloseAll() {
  std::lock_guard<std::mutex> lock(mu_);
  for (auto& [_, w] : writers_) w->Close();
}

}  // namespace smc::rt
