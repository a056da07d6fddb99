#include "cli/flux_write.h"

#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <ostream>

namespace smc {

bool WriteOutput(const std::string& command, const std::string& path, const std::string& text, std::ostream& out,
                 std::ostream& err) {
  if (path.empty() || path == "-") {
    out << text;
    out.flush();
    if (!out) {
      err << "smc " << command << ": error: cannot write standard output\n";
      return false;
    }
    return true;
  }
  std::string tmp = path + ".tmp" + std::to_string(::getpid());
  FILE* f = std::fopen(tmp.c_str(), "wb");
  bool ok = f && std::fwrite(text.data(), 1, text.size(), f) == text.size();
  int saved = errno;
  if (f && std::fclose(f) != 0 && ok) {
    ok = false;
    saved = errno;
  }
  if (ok && std::rename(tmp.c_str(), path.c_str()) != 0) {
    ok = false;
    saved = errno;
  }
  if (!ok) {
    std::remove(tmp.c_str());
    err << "smc " << command << ": error: cannot write '" << path << "': " << std::strerror(saved) << "\n";
  }
  return ok;
}

}  // namespace smc
