#include "cli/frontend.h"

#include <sys/stat.h>

#include <cerrno>
#include <cstring>
#include <fstream>
#include <iostream>
#include <sstream>

#include "cli/exit_codes.h"
#include "dsl/parser.h"
#include "dsl/validator.h"
#include "stdlib/builtins.h"

namespace smc {

std::optional<std::vector<ParamOverride>> ParseOverrides(const std::vector<std::string>& texts, std::ostream& err) {
  std::vector<ParamOverride> out;
  for (const std::string& t : texts) {
    size_t eq = t.find('=');
    if (eq == std::string::npos || eq == 0) {
      err << "smc: error: -p expects NAME=VALUE, got '" << t << "'\n";
      return std::nullopt;
    }
    out.push_back({t.substr(0, eq), t.substr(eq + 1)});
  }
  return out;
}

std::vector<std::string> WithParamsFile(const std::string& path, const std::vector<std::string>& given,
                                        std::ostream& err, int* status) {
  *status = kExitOk;
  if (path.empty()) return given;
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    err << "smc: error: cannot open '" << path << "': " << std::strerror(errno) << "\n";
    *status = kExitNoInput;
    return {};
  }
  std::vector<std::string> out;
  std::string line;
  int n = 0;
  constexpr size_t kMaxLines = 100'000;  // a parameters file, not a data file
  while (std::getline(in, line)) {
    if (++n > static_cast<int>(kMaxLines)) {
      err << "smc: error: " << path << ": more than " << kMaxLines << " lines\n";
      *status = kExitUsage;
      return {};
    }
    if (!line.empty() && line.back() == '\r') line.pop_back();
    size_t first = line.find_first_not_of(" \t");
    if (first == std::string::npos || line[first] == '#') continue;
    size_t eq = line.find('=');
    if (eq == std::string::npos || eq == first) {
      err << "smc: error: " << path << ":" << n << ": expected NAME=VALUE, got '" << line.substr(0, 80) << "'\n";
      *status = kExitUsage;
      return {};
    }
    size_t name_end = line.find_last_not_of(" \t", eq - 1) + 1;
    out.push_back(line.substr(first, name_end - first) + "=" + line.substr(eq + 1));
  }
  out.insert(out.end(), given.begin(), given.end());
  return out;
}

namespace {
bool IsDirectory(int fd) {
  struct stat st {};
  return ::fstat(fd, &st) == 0 && S_ISDIR(st.st_mode);
}
bool IsDirectory(const std::string& path) {
  struct stat st {};
  return ::stat(path.c_str(), &st) == 0 && S_ISDIR(st.st_mode);
}
}  // namespace

Loaded LoadFile(const std::string& path, const std::vector<ParamOverride>& overrides, const rt::Extensions* ext) {
  Loaded l;
  std::string text;
  // A directory opens, and reads as nothing: say so instead of finding no topology.
  if (path == "-" ? IsDirectory(0) : IsDirectory(path)) {
    l.diags.Error(nullptr, {},
                  "cannot read " + (path == "-" ? std::string("standard input") : "'" + path + "'") + ": " +
                      std::strerror(EISDIR));
    return l;
  }
  if (path == "-") {
    std::ostringstream ss;
    ss << std::cin.rdbuf();
    text = ss.str();
  } else {
    std::ifstream in(path, std::ios::binary);
    if (!in) {
      l.diags.Error(nullptr, {}, "cannot open '" + path + "': " + std::strerror(errno));
      return l;
    }
    std::ostringstream ss;
    ss << in.rdbuf();
    if (in.bad()) {
      l.diags.Error(nullptr, {}, "cannot read '" + path + "': " + std::strerror(errno));
      return l;
    }
    text = ss.str();
  }
  l.opened = true;
  auto source = std::make_shared<SourceFile>(path == "-" ? "<stdin>" : path, std::move(text));
  l.ast = Parse(source, &l.diags);
  const Catalog& catalog = ext ? ext->catalog : StandardCatalog();
  if (!l.diags.HasErrors()) l.graph = Validate(l.ast, catalog, overrides, &l.diags);
  return l;
}

Loaded LoadValid(const std::string& path, const std::vector<ParamOverride>& overrides, std::ostream& err, int* status,
                 const rt::Extensions* ext) {
  Loaded l = LoadFile(path, overrides, ext);
  Report(l.diags, err);
  if (!l.opened) {
    *status = kExitNoInput;
  } else if (l.diags.HasErrors()) {
    *status = UsageOrDataError(l.diags);
  } else {
    Diagnostics cmdline;
    CheckOverrides({&l.ast}, overrides, &cmdline);
    Report(cmdline, err);
    *status = cmdline.HasErrors() ? kExitUsage : kExitOk;
  }
  return l;
}

int UsageOrDataError(const Diagnostics& diags) {
  for (const Diagnostic& d : diags.all()) {
    if (d.severity == Severity::kError && !d.file) return kExitUsage;
  }
  return kExitDataErr;
}

void Report(const Diagnostics& diags, std::ostream& err) {
  err << RenderAll(diags);
}

}  // namespace smc
