#include "runtime/tasks/progress.h"

#include <unistd.h>

#include <cerrno>

#include <rapidjson/document.h>

#include <algorithm>
#include <cmath>
#include <cstdlib>

namespace smc::rt {

namespace {

std::string Clean(std::string_view s) {
  std::string out;
  for (char c : s.substr(0, kMaxProgressMessage)) out.push_back(static_cast<unsigned char>(c) < 0x20 ? ' ' : c);
  while (!out.empty() && out.back() == ' ') out.pop_back();
  return out;
}

double Clamp(double f) {
  return std::isfinite(f) ? std::clamp(f, 0.0, 1.0) : 0.0;
}

// A number at the start of `s`; its length in `*len`.
std::optional<double> Number(std::string_view s, size_t* len) {
  size_t i = 0;
  while (i < s.size() && (std::isdigit(static_cast<unsigned char>(s[i])) || s[i] == '.')) ++i;
  if (i == 0 || i > 30) return std::nullopt;
  std::string text(s.substr(0, i));
  char* end = nullptr;
  double v = std::strtod(text.c_str(), &end);
  if (end != text.c_str() + text.size()) return std::nullopt;
  *len = i;
  return v;
}

}  // namespace

Progress ParseProgressLine(std::string_view line) {
  Progress p;
  while (!line.empty() && (line.back() == '\r' || line.back() == ' ')) line.remove_suffix(1);
  while (!line.empty() && line.front() == ' ') line.remove_prefix(1);
  if (line.empty()) return p;
  if (line.front() == '{') {
    rapidjson::Document d;
    d.Parse<rapidjson::kParseStopWhenDoneFlag>(line.data(), line.size());
    if (!d.HasParseError() && d.IsObject()) {
      auto num = [&](const char* k) -> std::optional<double> {
        auto it = d.FindMember(k);
        if (it == d.MemberEnd() || !it->value.IsNumber()) return std::nullopt;
        return it->value.GetDouble();
      };
      if (auto f = num("progress"))
        p.fraction = Clamp(*f);
      else if (auto pc = num("percent"))
        p.fraction = Clamp(*pc / 100);
      else if (auto done = num("done"), total = num("total"); done && total && *total > 0)
        p.fraction = Clamp(*done / *total);
      auto m = d.FindMember("message");
      if (m != d.MemberEnd() && m->value.IsString()) p.message = Clean(m->value.GetString());
      return p;
    }
  }
  size_t len = 0;
  std::optional<double> first = Number(line, &len);
  std::string_view rest = line.substr(first ? len : 0);
  if (first && !rest.empty() && rest.front() == '/') {
    size_t len2 = 0;
    std::optional<double> total = Number(rest.substr(1), &len2);
    if (total) {
      p.fraction = *total > 0 ? Clamp(*first / *total) : 0.0;
      rest = rest.substr(1 + len2);
    } else {
      first.reset();
    }
  } else if (first) {
    p.fraction = Clamp(*first / 100);
    if (!rest.empty() && rest.front() == '%') rest.remove_prefix(1);
  }
  if (!first) {
    p.fraction.reset();
    p.message = Clean(line);
    return p;
  }
  if (!rest.empty() && rest.front() != ' ') {  // "42abc": not a progress figure
    p.fraction.reset();
    p.message = Clean(line);
    return p;
  }
  while (!rest.empty() && rest.front() == ' ') rest.remove_prefix(1);
  if (!rest.empty()) p.message = Clean(rest);
  return p;
}

bool DrainProgress(int* fd, ProgressReader& reader, double* fraction, std::string* message) {
  if (*fd < 0) return false;
  bool changed = false;
  char buf[4096];
  for (int rounds = 0; rounds < 16; ++rounds) {
    ssize_t n = ::read(*fd, buf, sizeof buf);
    if (n > 0) {
      reader.Feed(std::string_view(buf, static_cast<size_t>(n)), [&](std::string_view line) {
        Progress p = ParseProgressLine(line);
        if (p.fraction) *fraction = *p.fraction;
        if (p.message) *message = *p.message;
        changed |= p.fraction || p.message;
      });
      continue;
    }
    if (n == 0 || (errno != EAGAIN && errno != EINTR)) {
      ::close(*fd);
      *fd = -1;
    }
    break;
  }
  return changed;
}

}  // namespace smc::rt
