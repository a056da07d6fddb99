// smc test FILE...: topology unit tests (cli/test_file.h has the format).
//
// Each case runs this binary as `smc run TOPO -p ... [--topology T]` in the
// test file's folder, its input on standard input, and compares standard
// output with the expected lines (in order, or as multisets with
// `unordered`) and the exit status. Prints PASS or FAIL per case, a diff
// for each failure; exit 0 only when every case passed.
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <unistd.h>

#include <CLI/CLI.hpp>
#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <sstream>

#include "cli/commands.h"
#include "cli/exit_codes.h"
#include "cli/test_file.h"
#include "runtime/subprocess.h"

namespace smc {

void SetupTest(CLI::App& app, TestOptions& opts) {
  app.add_option("files", opts.files, "the test files (such as wordcount.topo.test; format in smc(1))")->required();
  app.add_option("--junit", opts.junit, "also write the results as JUnit XML to FILE (for CI)");
}

namespace {

// What one run gave.
struct Ran {
  bool started = false;
  bool timed_out = false;
  bool too_large = false;
  int status = -1;  // exit status, or 128 + signal
  std::string out, err, why;
};

constexpr size_t kMaxCapturedBytes = size_t{64} << 20;

Ran RunCase(const std::string& self, const std::string& dir, const std::string& topo, const TestCase& c) {
  Ran r;
  rt::Subprocess::Options so;
  so.argv = {self, "run", topo};
  for (const std::string& p : c.params) so.argv.insert(so.argv.end(), {"-p", p});
  if (!c.topology.empty()) so.argv.insert(so.argv.end(), {"--topology", c.topology});
  so.cwd = dir;
  std::unique_ptr<rt::Subprocess> p = rt::Subprocess::Start(so, &r.why);
  if (!p) return r;
  r.started = true;
  std::string input;
  for (const std::string& l : c.input) input += l + "\n";
  ::fcntl(p->stdin_fd(), F_SETFL, ::fcntl(p->stdin_fd(), F_GETFL) | O_NONBLOCK);
  size_t sent = 0;
  bool in_open = true, out_open = true, err_open = true;
  if (input.empty()) {
    p->CloseStdin();
    in_open = false;
  }
  auto deadline = std::chrono::steady_clock::now() + std::chrono::nanoseconds(c.timeout_ns);
  while (out_open || err_open) {
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
    if (left.count() <= 0) {
      r.timed_out = true;
      break;
    }
    pollfd fds[3];
    int n = 0, io = -1, oo = -1, eo = -1;
    if (in_open) fds[io = n++] = {p->stdin_fd(), POLLOUT, 0};
    if (out_open) fds[oo = n++] = {p->stdout_fd(), POLLIN, 0};
    if (err_open) fds[eo = n++] = {p->stderr_fd(), POLLIN, 0};
    if (::poll(fds, n, static_cast<int>(std::min<int64_t>(left.count(), 1000))) < 0 && errno != EINTR) break;
    if (io >= 0 && fds[io].revents) {
      ssize_t w = ::write(p->stdin_fd(), input.data() + sent, input.size() - sent);
      if (w > 0) sent += static_cast<size_t>(w);
      if ((w < 0 && errno != EAGAIN && errno != EINTR) || sent == input.size()) {
        p->CloseStdin();  // all sent, or the run stopped reading
        in_open = false;
      }
    }
    auto drain = [&](int idx, int fd, std::string* to, bool* open) {
      if (idx < 0 || !fds[idx].revents) return;
      char buf[65536];
      ssize_t got = ::read(fd, buf, sizeof buf);
      if (got > 0) {
        to->append(buf, static_cast<size_t>(got));
      } else if (got == 0 || (errno != EINTR && errno != EAGAIN)) {
        *open = false;
      }
    };
    drain(oo, p->stdout_fd(), &r.out, &out_open);
    drain(eo, p->stderr_fd(), &r.err, &err_open);
    if (r.out.size() + r.err.size() > kMaxCapturedBytes) {
      r.too_large = true;
      break;
    }
  }
  if (r.timed_out || r.too_large) p->Kill(SIGKILL);
  int ws = 0;
  if (p->Wait(r.timed_out || r.too_large ? -1 : 10'000'000'000, &ws) || (p->Kill(SIGKILL), p->Wait(-1, &ws))) {
    r.status = WIFEXITED(ws) ? WEXITSTATUS(ws) : 128 + (WIFSIGNALED(ws) ? WTERMSIG(ws) : 0);
  }
  return r;
}

std::vector<std::string> Lines(const std::string& text) {
  std::vector<std::string> out;
  size_t pos = 0;
  while (pos < text.size()) {
    size_t nl = text.find('\n', pos);
    if (nl == std::string::npos) nl = text.size();
    out.push_back(text.substr(pos, nl - pos));
    pos = nl + 1;
  }
  return out;
}

std::string Indent(const std::string& text, size_t max_lines = 20) {
  std::string out;
  size_t n = 0;
  for (const std::string& l : Lines(text)) {
    if (++n > max_lines) {
      out += "    ...\n";
      break;
    }
    out += "    " + l + "\n";
  }
  return out;
}

std::string Xml(const std::string& s) {
  std::string out;
  for (unsigned char ch : s) {
    switch (ch) {
      case '&': out += "&amp;"; break;
      case '<': out += "&lt;"; break;
      case '>': out += "&gt;"; break;
      case '"': out += "&quot;"; break;
      default:
        // XML 1.0 has no place for other control characters.
        if (ch < 0x20 && ch != '\n' && ch != '\t' && ch != '\r')
          out += '?';
        else
          out += static_cast<char>(ch);
    }
  }
  return out;
}

struct Result {
  std::string file, name;
  double seconds = 0;
  bool passed = false;
  std::string failure;  // the message: what differed
  std::string details;  // the diff and stderr
};

std::string Seconds(double s) {
  std::ostringstream o;
  o.precision(3);
  o << std::fixed << s;
  return o.str();
}

}  // namespace

int RunTest(const TestOptions& opts, std::ostream& out, std::ostream& err) {
  const std::string self = std::filesystem::read_symlink("/proc/self/exe").string();
  ::signal(SIGPIPE, SIG_IGN);  // a run that stops reading its input fails its case, not smc test
  std::vector<Result> results;
  int status = kExitOk;
  for (const std::string& path : opts.files) {
    std::ifstream in(path, std::ios::binary);
    if (!in) {
      err << "smc: error: cannot open '" << path << "': " << std::strerror(errno) << "\n";
      status = kExitNoInput;
      continue;
    }
    std::ostringstream ss;
    ss << in.rdbuf();
    TestFile tf;
    std::string why;
    if (!ParseTestFile(path, ss.str(), &tf, &why)) {
      err << why << "\n";
      if (status == kExitOk) status = kExitDataErr;
      continue;
    }
    std::filesystem::path dir = std::filesystem::absolute(path).parent_path();
    for (const TestCase& c : tf.cases) {
      Result res;
      res.file = path;
      res.name = c.name;
      auto t0 = std::chrono::steady_clock::now();
      Ran r = RunCase(self, dir.string(), tf.topo, c);
      res.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
      std::vector<std::string> expected = c.expected, actual = Lines(r.out);
      if (c.unordered) {
        std::sort(expected.begin(), expected.end());
        std::sort(actual.begin(), actual.end());
      }
      std::string diff = LineDiff(expected, actual);
      if (!r.started) {
        res.failure = "cannot run smc: " + r.why;
      } else if (r.timed_out) {
        res.failure = "timed out after " + Seconds(c.timeout_ns / 1e9) + " s";
      } else if (r.too_large) {
        res.failure = "wrote more than " + std::to_string(kMaxCapturedBytes >> 20) + " MiB";
      } else if (r.status != c.status) {
        res.failure = "exit status " + std::to_string(r.status) + ", expected " + std::to_string(c.status);
      } else if (!r.out.empty() && r.out.back() != '\n') {
        res.failure = "the output's last line has no newline";
      } else if (!diff.empty()) {
        res.failure = std::string("output differs") + (c.unordered ? " (unordered: both sorted)" : "");
      }
      res.passed = res.failure.empty();
      if (!res.passed) {
        if (!diff.empty()) res.details += Indent("--- expected\n+++ actual\n" + diff, 400);
        if (!r.err.empty()) res.details += Indent("standard error:\n" + r.err);
      }
      out << (res.passed ? "PASS " : "FAIL ") << path << ": " << c.name << " (" << Seconds(res.seconds) << " s)"
          << (res.passed ? "" : ": " + res.failure) << "\n"
          << res.details;
      results.push_back(res);
    }
  }
  size_t failed = std::count_if(results.begin(), results.end(), [](const Result& r) { return !r.passed; });
  out << results.size() << " case" << (results.size() == 1 ? "" : "s") << ": " << results.size() - failed << " passed, "
      << failed << " failed\n"
      << std::flush;
  if (!opts.junit.empty()) {
    std::ofstream j(opts.junit);
    double total = 0;
    for (const Result& r : results) total += r.seconds;
    j << "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<testsuites name=\"smc test\" tests=\"" << results.size()
      << "\" failures=\"" << failed << "\" time=\"" << Seconds(total) << "\">\n";
    for (size_t i = 0; i < results.size();) {
      size_t end = i;
      size_t file_failed = 0;
      double time = 0;
      while (end < results.size() && results[end].file == results[i].file) {
        file_failed += !results[end].passed;
        time += results[end].seconds;
        ++end;
      }
      j << "  <testsuite name=\"" << Xml(results[i].file) << "\" tests=\"" << end - i << "\" failures=\"" << file_failed
        << "\" time=\"" << Seconds(time) << "\">\n";
      for (; i < end; ++i) {
        const Result& r = results[i];
        j << "    <testcase classname=\"" << Xml(r.file) << "\" name=\"" << Xml(r.name) << "\" time=\""
          << Seconds(r.seconds) << "\"";
        if (r.passed) {
          j << "/>\n";
        } else {
          j << ">\n      <failure message=\"" << Xml(r.failure) << "\">" << Xml(r.details) << "</failure>\n"
            << "    </testcase>\n";
        }
      }
      j << "  </testsuite>\n";
    }
    j << "</testsuites>\n";
    if (!j.flush()) {
      err << "smc: error: cannot write '" << opts.junit << "'\n";
      return kExitIoErr;
    }
  }
  if (status != kExitOk) return status;
  return failed ? 1 : kExitOk;
}

}  // namespace smc
