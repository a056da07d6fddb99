// GzipInput: the decompressed bytes of a gzip file (zlib), read by chunks.
#pragma once

#include <zlib.h>

#include <string>
#include <vector>

namespace smc::stdlib {

/// Inflates what it reads from a file descriptor. Concatenated gzip members
/// (`cat a.gz b.gz`) read as one stream, as gzip -d reads them. Memory is
/// bounded by zlib's window and one input chunk, whatever the data says.
class GzipInput {
 public:
  /// `name` names the file in errors ("'logs/a.gz'").
  explicit GzipInput(std::string name);
  ~GzipInput();
  GzipInput(const GzipInput&) = delete;
  GzipInput& operator=(const GzipInput&) = delete;

  /// Reads from `fd` and inflates into [dst, dst + cap): the bytes written,
  /// at least one, or 0 at the end of the last member at the end of the
  /// file. Throws std::runtime_error on data that is not gzip, corrupt, or
  /// cut short (the file ends inside a member).
  size_t Read(int fd, char* dst, size_t cap);

 private:
  z_stream z_{};
  std::string name_;
  std::vector<unsigned char> in_;
  bool member_done_ = false;  // the last member read ended cleanly
  bool file_eof_ = false;
};

/// Whether `path` names a gzip file by its suffix (".gz").
bool IsGzipPath(const std::string& path);

}  // namespace smc::stdlib
