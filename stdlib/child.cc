#include "stdlib/child.h"

#include <poll.h>
#include <signal.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>

#include "runtime/stop.h"
#include "stdlib/multilang.h"

namespace smc::stdlib {

Child::Child(const rt::Context& ctx, std::vector<std::string> argv, Written written)
    : ctx_(ctx),
      argv_(std::move(argv)),
      written_(std::move(written)),
      label_("[" + ctx.component + "#" + std::to_string(ctx.instance) + "]") {}

Child::~Child() {
  Stop();
}

int64_t RestartBackoffNs(int attempt) {
  return std::min<int64_t>(100'000'000LL << std::min(attempt, 6), 5'000'000'000LL);
}

bool RestartPolicy::Allow(const std::string& message) {
  if (ctx_.on_failure == "fail" || restarts_ >= ctx_.max_restarts) return false;
  if (rt::StopSignal::Get().requested()) return false;  // no restarts while the job stops
  ++restarts_;
  ctx_.shared->Log("smc: warning: " + std::string(KindName(kind_)) + " '" + ctx_.component + "' (" + ctx_.location +
                   ") instance " + std::to_string(ctx_.instance) + ": " + message + "; restarting it (" +
                   std::to_string(restarts_) + " of " + std::to_string(ctx_.max_restarts) + ")");
  // The backoff, cut short by a stop.
  int64_t left = RestartBackoffNs(restarts_ - 1);
  while (left > 0 && !rt::StopSignal::Get().requested()) {
    int64_t step = std::min<int64_t>(left, 10'000'000);
    std::this_thread::sleep_for(std::chrono::nanoseconds(step));
    left -= step;
  }
  return !rt::StopSignal::Get().requested();
}

std::string MultilangPythonDir() {
  std::error_code ec;
  std::filesystem::path exe = std::filesystem::read_symlink("/proc/self/exe", ec);
  if (ec) return "";
  // Installed: PREFIX/bin/smc and PREFIX/share/smc/python; built: BUILD/smc and BUILD/share/smc/python.
  for (const auto& dir :
       {exe.parent_path() / "share/smc/python", exe.parent_path().parent_path() / "share/smc/python"}) {
    if (std::filesystem::exists(dir / "storm.py", ec)) return dir.string();
  }
  return "";
}

bool Child::Start(std::string* error) {
  rt::Subprocess::Options opts;
  opts.argv = argv_;
  opts.cwd = ctx_.base_dir;
  std::string py = MultilangPythonDir();
  if (!py.empty()) {
    const char* old = std::getenv("PYTHONPATH");
    opts.env.push_back("PYTHONPATH=" + (old && *old ? std::string(old) + ":" : "") + py);
  }
  opts.env.push_back("PYTHONUNBUFFERED=1");
  proc_ = rt::Subprocess::Start(opts, error);
  if (!proc_) return false;
  stopping_ = false;
  broken_ = false;
  stderr_ended_ = false;
  writer_ = std::thread([this] { Guarded("writer", [this] { WriterLoop(); }); });
  int err_fd = proc_->stderr_fd();
  stderr_ = std::thread([this, err_fd] { Guarded("stderr reader", [this, err_fd] { StderrLoop(err_fd); }); });
  return true;
}

void Child::Write(std::string chunk, bool notify) {
  {
    std::lock_guard<std::mutex> lock(mu_);
    queue_.emplace_back(std::move(chunk), notify);
  }
  cv_.notify_one();
}

bool Child::WriteNow(const std::string& data) {
  std::lock_guard<std::mutex> lock(write_mu_);
  if (broken_ || !proc_ || proc_->stdin_fd() < 0) return false;
  if (!WriteAll(proc_->stdin_fd(), data)) broken_ = true;
  return !broken_;
}

void Child::CloseInputWhenDone() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    close_when_done_ = true;
  }
  cv_.notify_one();
}

void Child::Stop() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    stopping_ = true;
  }
  cv_.notify_one();
  if (proc_) {
    proc_->Kill(SIGTERM);
    int status;
    if (!proc_->Wait(500'000'000, &status)) {
      proc_->Kill(SIGKILL);
      proc_->Wait(-1, &status);
    }
  }
  if (writer_.joinable()) writer_.join();
  if (stderr_.joinable()) stderr_.join();
  // Chunks that will never be written still count as handled.
  std::deque<std::pair<std::string, bool>> left;
  {
    std::lock_guard<std::mutex> lock(mu_);
    left.swap(queue_);
  }
  for (auto& [chunk, notify] : left) {
    if (notify && written_) written_(false, chunk);
  }
}

std::string Child::Describe() const {
  std::string cmd;
  // exec's line-buffering wrapper (stdbuf -oL, which execs the command in
  // the same process) is not what the user wrote: name their command.
  size_t from = argv_.size() > 2 && argv_[1] == "-oL" && argv_[0].ends_with("/stdbuf") ? 2 : 0;
  for (size_t i = from; i < argv_.size(); ++i) cmd += (cmd.empty() ? "" : " ") + argv_[i];
  return "'" + cmd + "'" + (proc_ ? " (pid " + std::to_string(proc_->pid()) + ")" : "");
}

void Child::DrainStderr() {
  for (int i = 0; i < 1000 && !stderr_ended_.load(); ++i) std::this_thread::sleep_for(std::chrono::milliseconds(1));
}

std::string Child::LastStderr() {
  std::lock_guard<std::mutex> lock(err_mu_);
  std::string out;
  for (const std::string& l : last_lines_) out += (out.empty() ? "" : " | ") + l;
  return out;
}

void Child::Guarded(const char* what, const std::function<void()>& body) {
  try {
    body();
    return;
  } catch (const std::exception& e) {
    ctx_.shared->Fail(label_ + " " + what + " thread failed: " + e.what());
  } catch (...) {
    ctx_.shared->Fail(label_ + " " + what + " thread failed: an unknown exception");
  }
  broken_ = true;
  stderr_ended_.store(true);
}

void Child::WriterLoop() {
  std::deque<std::pair<std::string, bool>> items;
  std::string block;
  while (true) {
    {
      std::unique_lock<std::mutex> lock(mu_);
      cv_.wait(lock, [&] { return stopping_ || !queue_.empty() || close_when_done_; });
      if (stopping_) return;
      if (queue_.empty()) {  // close_when_done_
        std::lock_guard<std::mutex> wlock(write_mu_);
        input_closed_.store(true);  // before the close: the child may exit at once after it
        proc_->CloseStdin();
        close_when_done_ = false;
        continue;
      }
      items.swap(queue_);  // everything queued goes out in one write
    }
    block.clear();
    for (const auto& item : items) block += item.first;
    bool ok;
    {
      std::lock_guard<std::mutex> lock(write_mu_);
      ok = !broken_ && WriteAll(proc_->stdin_fd(), block);
    }
    if (!ok) broken_ = true;
    for (const auto& item : items) {
      if (item.second && written_) written_(ok, item.first);
    }
    items.clear();
  }
}

void Child::StderrLoop(int fd) {
  std::string buf;
  char chunk[4096];
  while (true) {
    ssize_t n = ::read(fd, chunk, sizeof chunk);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) break;
    buf.append(chunk, static_cast<size_t>(n));
    size_t nl;
    while ((nl = buf.find('\n')) != std::string::npos) {
      std::string line = buf.substr(0, nl);
      buf.erase(0, nl + 1);
      ctx_.shared->Log(label_ + " " + line);
      std::lock_guard<std::mutex> lock(err_mu_);
      last_lines_.push_back(line);
      if (last_lines_.size() > 5) last_lines_.pop_front();
    }
  }
  if (!buf.empty()) {
    ctx_.shared->Log(label_ + " " + buf);
    std::lock_guard<std::mutex> lock(err_mu_);
    last_lines_.push_back(buf);
  }
  stderr_ended_.store(true);
}

}  // namespace smc::stdlib
