#include "runtime/tuple.h"

#include <charconv>
#include <cstdio>

namespace smc::rt {

void Datum::AppendText(std::string* out) const {
  char buf[32];
  switch (type) {
    case Type::kNull: return;
    case Type::kString: out->append(s); return;
    case Type::kBool: out->append(i ? "true" : "false"); return;
    case Type::kInt: {
      auto r = std::to_chars(buf, buf + sizeof buf, i);
      out->append(buf, r.ptr);
      return;
    }
    case Type::kFloat: {
      auto r = std::to_chars(buf, buf + sizeof buf, f);
      out->append(buf, r.ptr);
      return;
    }
  }
}

std::string Datum::ToText() const {
  std::string out;
  AppendText(&out);
  return out;
}

bool Datum::operator==(const Datum& o) const {
  if (type != o.type) return false;
  switch (type) {
    case Type::kNull: return true;
    case Type::kString: return s == o.s;
    case Type::kFloat: return f == o.f;
    default: return i == o.i;
  }
}

namespace {
inline uint64_t Mix(uint64_t h) {
  h ^= h >> 33;
  h *= 0xff51afd7ed558ccdULL;
  h ^= h >> 33;
  h *= 0xc4ceb9fe1a85ec53ULL;
  h ^= h >> 33;
  return h;
}
}  // namespace

uint64_t HashDatumSlow(const Datum& d) {
  switch (d.type) {
    case Type::kNull: return 0x9e3779b97f4a7c15ULL;
    case Type::kString: return HashBytes(d.s.data(), d.s.size());
    case Type::kFloat: {
      uint64_t bits;
      std::memcpy(&bits, &d.f, sizeof bits);
      return Mix(bits ^ 0x1234567ULL);
    }
    default: return Mix(static_cast<uint64_t>(d.i) + static_cast<uint64_t>(d.type));
  }
}

}  // namespace smc::rt
