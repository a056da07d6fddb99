#include "runtime/jobs.h"

#include "runtime/json_read.h"
#include "runtime/json_text.h"
#include "runtime/read_small.h"

#include <dirent.h>
#include <fcntl.h>
#include <pwd.h>
#include <signal.h>
#include <sys/stat.h>
#include <unistd.h>

#include <rapidjson/document.h>
#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>
#include <algorithm>
#include <cerrno>
#include <cstring>
#include <fstream>
#include <random>
#include <sstream>

namespace smc::rt {

std::string JobRecord::ToJson() const {
  char rate_text[32];
  std::snprintf(rate_text, sizeof rate_text, "%.1f", rate);
  std::string m = MetricsJson(metrics);
  while (!m.empty() && m.back() == '\n') m.pop_back();
  return "{\"id\": " + JsonQuote(id) + ", \"name\": " + JsonQuote(name) + ", \"path\": " + JsonQuote(path) +
         ", \"pid\": " + std::to_string(pid) + ", \"pgid\": " + std::to_string(pgid) +
         ", \"start_ticks\": " + std::to_string(start_ticks) + ", \"started_ms\": " + std::to_string(started_ms) +
         ", \"user\": " + JsonQuote(user) + ", \"kind\": " + JsonQuote(kind) + ", \"state\": " + JsonQuote(state) +
         ", \"tuples_in\": " + std::to_string(tuples_in) + ", \"tuples_out\": " + std::to_string(tuples_out) +
         ", \"errors\": " + std::to_string(errors) + ", \"rate\": " + rate_text + ", \"metrics\": " + m + "}\n";
}

std::optional<JobRecord> JobRecord::FromJson(const std::string& text) {
  rapidjson::Document d;
  if (!ParseJsonBounded(d, text, nullptr) || !d.IsObject()) return std::nullopt;
  JobRecord r;
  auto str = [&](const char* k, std::string* out) {
    auto it = d.FindMember(k);
    if (it != d.MemberEnd() && it->value.IsString()) *out = it->value.GetString();
  };
  auto num = [&](const char* k) -> double {
    auto it = d.FindMember(k);
    return it != d.MemberEnd() && it->value.IsNumber() ? it->value.GetDouble() : 0;
  };
  str("id", &r.id);
  str("name", &r.name);
  str("path", &r.path);
  str("user", &r.user);
  str("state", &r.state);
  str("kind", &r.kind);
  r.pid = static_cast<int>(num("pid"));
  r.pgid = static_cast<int>(num("pgid"));
  auto st = d.FindMember("start_ticks");
  if (st != d.MemberEnd() && st->value.IsUint64()) r.start_ticks = st->value.GetUint64();
  auto ms = d.FindMember("started_ms");
  if (ms != d.MemberEnd() && ms->value.IsInt64()) r.started_ms = ms->value.GetInt64();
  r.tuples_in = static_cast<uint64_t>(num("tuples_in"));
  r.tuples_out = static_cast<uint64_t>(num("tuples_out"));
  r.errors = static_cast<uint64_t>(num("errors"));
  r.rate = num("rate");
  auto m = d.FindMember("metrics");
  if (m != d.MemberEnd() && m->value.IsObject()) {
    auto secs = m->value.FindMember("seconds");
    if (secs != m->value.MemberEnd() && secs->value.IsNumber()) r.metrics.seconds = secs->value.GetDouble();
    auto topo = m->value.FindMember("topology");
    if (topo != m->value.MemberEnd() && topo->value.IsString()) r.metrics.topology = topo->value.GetString();
    auto comps = m->value.FindMember("components");
    if (comps != m->value.MemberEnd() && comps->value.IsArray()) {
      for (const auto& c : comps->value.GetArray()) {
        if (!c.IsObject()) continue;
        ComponentMetrics cm;
        auto s = [&](const char* k) {
          auto it = c.FindMember(k);
          return it != c.MemberEnd() && it->value.IsString() ? std::string(it->value.GetString()) : std::string();
        };
        auto n = [&](const char* k) {
          auto it = c.FindMember(k);
          return it != c.MemberEnd() && it->value.IsNumber() ? it->value.GetDouble() : 0.0;
        };
        cm.name = s("name");
        cm.kind = s("kind");
        cm.impl = s("impl");
        cm.location = s("location");
        cm.parallelism = static_cast<int>(n("parallelism"));
        cm.emitted = static_cast<uint64_t>(n("emitted"));
        cm.executed = static_cast<uint64_t>(n("executed"));
        cm.errors = static_cast<uint64_t>(n("errors"));
        cm.execute_latency_ms = n("execute_latency_ms");
        cm.capacity = n("capacity");
        auto streams = c.FindMember("streams");
        if (streams != c.MemberEnd() && streams->value.IsObject()) {
          for (const auto& st : streams->value.GetObject()) {
            cm.streams.push_back({st.name.GetString(), st.value.IsUint64() ? st.value.GetUint64() : 0});
          }
        }
        auto reported = c.FindMember("reported");
        if (reported != c.MemberEnd() && reported->value.IsObject()) {
          for (const auto& metric : reported->value.GetObject()) {
            rapidjson::StringBuffer sb;  // bounded: the record was parsed within kMaxJsonDepth
            rapidjson::Writer<rapidjson::StringBuffer> w(sb);
            metric.value.Accept(w);
            cm.reported.emplace_back(metric.name.GetString(), std::string(sb.GetString(), sb.GetSize()));
          }
        }
        r.metrics.components.push_back(std::move(cm));
      }
    }
    auto edges = m->value.FindMember("edges");
    if (edges != m->value.MemberEnd() && edges->value.IsArray()) {
      for (const auto& e : edges->value.GetArray()) {
        if (!e.IsObject()) continue;
        auto s = [&](const char* k) {
          auto it = e.FindMember(k);
          return it != e.MemberEnd() && it->value.IsString() ? std::string(it->value.GetString()) : std::string();
        };
        auto n = [&](const char* k) {
          auto it = e.FindMember(k);
          return it != e.MemberEnd() && it->value.IsUint64() ? it->value.GetUint64() : uint64_t{0};
        };
        EdgeMetrics em{s("from"), s("stream"), s("to"), s("grouping"), n("queued"), static_cast<int>(n("max_pending"))};
        r.metrics.edges.push_back(std::move(em));
      }
    }
  }
  if (r.id.empty() || r.pid <= 0) return std::nullopt;
  return r;
}

bool JobRegistry::Open(std::string* error) {
  uid_t uid = ::getuid();
  const char* xdg = std::getenv("XDG_RUNTIME_DIR");
  struct stat st {};
  if (xdg && *xdg && ::stat(xdg, &st) == 0 && S_ISDIR(st.st_mode) && st.st_uid == uid) {
    dir_ = std::string(xdg) + "/smc";
  } else {
    dir_ = "/tmp/smc-" + std::to_string(uid);
  }
  if (::mkdir(dir_.c_str(), 0700) != 0 && errno != EEXIST) {
    *error = "cannot create '" + dir_ + "': " + std::strerror(errno);
    return false;
  }
  if (::lstat(dir_.c_str(), &st) != 0) {
    *error = "cannot use '" + dir_ + "': " + std::strerror(errno);
    return false;
  }
  if (!S_ISDIR(st.st_mode) || st.st_uid != uid || (st.st_mode & 077) != 0) {
    // Another user's (or a link, or open to others): it could read or forge records.
    char mode[8];
    std::snprintf(mode, sizeof mode, "%04o", static_cast<unsigned>(st.st_mode & 07777));
    std::string what = S_ISLNK(st.st_mode)    ? "a symbolic link"
                       : !S_ISDIR(st.st_mode) ? "not a folder"
                                              : "owned by uid " + std::to_string(st.st_uid) + " with mode " + mode;
    *error = "'" + dir_ + "' is not a private folder of this user: it is " + what + " (smc needs one owned by uid " +
             std::to_string(uid) + " with mode 0700); remove it and try again";
    return false;
  }
  return true;
}

std::string NotRegisteredWarning(const std::string& error) {
  return "warning: " + error + "; this job runs unregistered (smc ps and smc abort will not see it)";
}

std::string JobRegistry::NewId() const {
  static const char kDigits[] = "0123456789abcdef";
  std::random_device rd;
  std::mt19937_64 rng((static_cast<uint64_t>(rd()) << 32) ^ static_cast<uint64_t>(::getpid()));
  for (int attempt = 0; attempt < 100; ++attempt) {
    std::string id;
    for (int i = 0; i < 6; ++i) id += kDigits[rng() % 16];
    if (::access((dir_ + "/" + id + ".job").c_str(), F_OK) != 0) return id;
  }
  return std::to_string(::getpid());
}

bool JobRegistry::Write(const JobRecord& r) {
  // Named by the writing process, so that List() can tell a temp left by a
  // process killed before its rename.
  std::string tmp = dir_ + "/." + r.id + "." + std::to_string(::getpid()) + ".tmp";
  {
    std::ofstream out(tmp, std::ios::trunc);
    if (!out) return false;
    out << r.ToJson();
    if (!out) return false;
  }
  return ::rename(tmp.c_str(), (dir_ + "/" + r.id + ".job").c_str()) == 0;
}

void JobRegistry::Remove(const std::string& id) {
  ::unlink((dir_ + "/" + id + ".job").c_str());
}

uint64_t JobRegistry::StartTicks(int pid) {
  std::string text = ReadSmall("/proc/" + std::to_string(pid) + "/stat", 4096);
  size_t close = text.rfind(')');  // the command name may hold spaces and parentheses
  if (close == std::string::npos) return 0;
  std::istringstream fields(text.substr(close + 2));
  std::string f;
  for (int i = 3; i <= 22 && fields >> f; ++i) {
    if (i == 22) return std::strtoull(f.c_str(), nullptr, 10);
  }
  return 0;
}

bool JobRegistry::Alive(int pid, uint64_t start_ticks) {
  if (pid <= 0 || (::kill(pid, 0) != 0 && errno == ESRCH)) return false;
  // A process that exited but was not reaped yet (a zombie) has stopped too.
  std::string text = ReadSmall("/proc/" + std::to_string(pid) + "/stat", 4096);
  size_t close = text.rfind(')');
  if (close != std::string::npos && close + 2 < text.size() && (text[close + 2] == 'Z' || text[close + 2] == 'X')) {
    return false;
  }
  uint64_t now = StartTicks(pid);
  return now == 0 || start_ticks == 0 || now == start_ticks;
}

std::vector<JobRecord> JobRegistry::List() {
  std::vector<JobRecord> out;
  DIR* d = ::opendir(dir_.c_str());
  if (!d) return out;
  while (dirent* e = ::readdir(d)) {
    std::string name = e->d_name;
    if (name.size() > 5 && name[0] == '.' && name.compare(name.size() - 4, 4, ".tmp") == 0) {
      // .ID.PID.tmp: a writer killed between its write and its rename.
      size_t dot = name.rfind('.', name.size() - 5);
      int pid = dot == std::string::npos ? 0 : std::atoi(name.c_str() + dot + 1);
      if (pid > 0 && ::kill(pid, 0) != 0 && errno == ESRCH) ::unlink((dir_ + "/" + name).c_str());
      continue;
    }
    if (name.size() < 5 || name.compare(name.size() - 4, 4, ".job") != 0) continue;
    std::string text = ReadSmall(dir_ + "/" + name, size_t{1} << 20);
    std::optional<JobRecord> r = JobRecord::FromJson(text);
    if (!r || !Alive(r->pid, r->start_ticks)) {
      ::unlink((dir_ + "/" + name).c_str());  // its process is gone: clean up after it
      continue;
    }
    out.push_back(std::move(*r));
  }
  ::closedir(d);
  std::sort(out.begin(), out.end(), [](const JobRecord& a, const JobRecord& b) { return a.started_ms < b.started_ms; });
  return out;
}

}  // namespace smc::rt
