#include "runtime/rebalance.h"

#include <fcntl.h>
#include <signal.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <sstream>

namespace smc::rt {

namespace {
constexpr int kMaxChanges = 1024;

bool GoodNonce(const std::string& s) {
  if (s.empty() || s.size() > 32) return false;
  for (char c : s) {
    if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9'))) return false;
  }
  return true;
}

bool ReadInt(const std::string& s, int64_t lo, int64_t hi, int64_t* out) {
  if (s.empty() || s.size() > 19) return false;
  int64_t v = 0;
  for (char c : s) {
    if (c < '0' || c > '9') return false;
    v = v * 10 + (c - '0');
  }
  if (v < lo || v > hi) return false;
  *out = v;
  return true;
}

void OnSignal(int) {
  RebalanceSignal::Get().Raise();
}
}  // namespace

std::string RebalanceRequest::ToText() const {
  std::string t = "smc-rebalance 1\nnonce " + nonce + "\nwait " + std::to_string(wait_ns) + "\n";
  for (const auto& [comp, n] : changes) t += "set " + comp + " " + std::to_string(n) + "\n";
  return t;
}

std::optional<RebalanceRequest> RebalanceRequest::FromText(const std::string& text) {
  std::istringstream in(text);
  std::string line;
  if (!std::getline(in, line) || line != "smc-rebalance 1") return std::nullopt;
  RebalanceRequest r;
  bool nonce = false, wait = false;
  while (std::getline(in, line)) {
    std::istringstream words(line);
    std::string verb, a, b, extra;
    words >> verb >> a;
    if (verb == "nonce" && !(words >> extra) && GoodNonce(a) && !nonce) {
      r.nonce = a;
      nonce = true;
    } else if (verb == "wait" && !(words >> extra) && !wait &&
               ReadInt(a, 0, int64_t{3600} * 1'000'000'000, &r.wait_ns)) {
      wait = true;
    } else if (verb == "set" && (words >> b) && !(words >> extra) && !a.empty() && a.size() <= 256 &&
               static_cast<int>(r.changes.size()) < kMaxChanges) {
      int64_t n = 0;
      if (!ReadInt(b, 0, 1'000'000, &n)) return std::nullopt;
      r.changes.emplace_back(a, static_cast<int>(n));
    } else {
      return std::nullopt;
    }
  }
  if (!nonce || !wait || r.changes.empty()) return std::nullopt;
  return r;
}

RebalanceSignal& RebalanceSignal::Get() {
  static RebalanceSignal s;
  return s;
}

void RebalanceSignal::InstallHandler() {
  struct sigaction sa {};
  sa.sa_handler = OnSignal;
  sigemptyset(&sa.sa_mask);
  sa.sa_flags = SA_RESTART;
  ::sigaction(SIGURG, &sa, nullptr);
}

std::string RebalanceRequestPath(const std::string& dir, const std::string& id) {
  return dir + "/" + id + ".rebalance";
}

std::string RebalanceReplyPath(const std::string& dir, const std::string& id, const std::string& nonce) {
  return dir + "/" + id + "." + nonce + ".reply";
}

bool WritePrivateFile(const std::string& path, const std::string& text) {
  std::string tmp = path + "." + std::to_string(::getpid()) + ".tmp";
  int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
  if (fd < 0) return false;
  size_t done = 0;
  while (done < text.size()) {
    ssize_t n = ::write(fd, text.data() + done, text.size() - done);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) break;
    done += static_cast<size_t>(n);
  }
  bool ok = done == text.size() && ::close(fd) == 0;
  if (!ok || ::rename(tmp.c_str(), path.c_str()) != 0) {
    ::unlink(tmp.c_str());
    return false;
  }
  return true;
}

std::optional<std::string> ReadPrivateFile(const std::string& path, size_t max_bytes, std::string* why) {
  int fd = ::open(path.c_str(), O_RDONLY | O_NOFOLLOW | O_CLOEXEC | O_NONBLOCK);
  if (fd < 0) {
    if (why && errno != ENOENT) *why = path + ": " + std::strerror(errno);
    return std::nullopt;
  }
  struct stat st {};
  std::string refused;
  if (::fstat(fd, &st) != 0) {
    refused = std::strerror(errno);
  } else if (!S_ISREG(st.st_mode)) {
    refused = "not a regular file";
  } else if (st.st_uid != ::getuid()) {
    refused = "owned by uid " + std::to_string(st.st_uid);
  } else if ((st.st_mode & 077) != 0) {
    refused = "readable or writable by others";
  } else if (static_cast<size_t>(st.st_size) > max_bytes) {
    refused = "larger than " + std::to_string(max_bytes) + " bytes";
  }
  std::string text;
  if (refused.empty()) {
    char buf[4096];
    while (text.size() <= max_bytes) {
      ssize_t n = ::read(fd, buf, sizeof buf);
      if (n < 0 && errno == EINTR) continue;
      if (n <= 0) break;
      text.append(buf, static_cast<size_t>(n));
    }
    if (text.size() > max_bytes) refused = "larger than " + std::to_string(max_bytes) + " bytes";
  }
  ::close(fd);
  if (!refused.empty()) {
    if (why) *why = path + ": " + refused;
    return std::nullopt;
  }
  return text;
}

}  // namespace smc::rt
