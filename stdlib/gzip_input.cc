// GzipInput: zlib's inflate over a file descriptor, chunk by chunk.
#include "stdlib/gzip_input.h"

#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <stdexcept>

namespace smc::stdlib {

namespace {
constexpr size_t kInChunk = 64 * 1024;
// zlib's window bits: 15 (the largest window) + 16 (a gzip wrapper only).
constexpr int kGzipWindow = 15 + 16;
}  // namespace

GzipInput::GzipInput(std::string name) : name_(std::move(name)), in_(kInChunk) {
  if (inflateInit2(&z_, kGzipWindow) != Z_OK) throw std::runtime_error("cannot start gzip decompression of " + name_);
}

GzipInput::~GzipInput() {
  inflateEnd(&z_);
}

size_t GzipInput::Read(int fd, char* dst, size_t cap) {
  z_.next_out = reinterpret_cast<Bytef*>(dst);
  z_.avail_out = static_cast<uInt>(cap);
  while (z_.avail_out == cap) {  // until something comes out
    if (z_.avail_in == 0) {
      if (file_eof_) {
        if (!member_done_) throw std::runtime_error(name_ + " ends inside its gzip data (a truncated file?)");
        return 0;
      }
      ssize_t n = ::read(fd, in_.data(), in_.size());
      if (n < 0) {
        if (errno == EINTR) continue;
        throw std::runtime_error("cannot read " + name_ + ": " + std::strerror(errno));
      }
      if (n == 0) {
        file_eof_ = true;
        continue;
      }
      z_.next_in = in_.data();
      z_.avail_in = static_cast<uInt>(n);
    }
    if (member_done_) {  // more bytes after a member: the next member
      if (inflateReset(&z_) != Z_OK) throw std::runtime_error("cannot restart gzip decompression of " + name_);
      member_done_ = false;
    }
    int rc = inflate(&z_, Z_NO_FLUSH);
    if (rc == Z_STREAM_END) {
      member_done_ = true;
    } else if (rc != Z_OK && !(rc == Z_BUF_ERROR && z_.avail_in == 0)) {
      throw std::runtime_error(name_ + " is not valid gzip data: " + (z_.msg ? z_.msg : zError(rc)));
    }
  }
  return cap - z_.avail_out;
}

bool IsGzipPath(const std::string& path) {
  return path.size() > 3 && path.compare(path.size() - 3, 3, ".gz") == 0;
}

}  // namespace smc::stdlib
