// Hand-written reference word counter: the speed a purpose-built C++ program
// reaches, to compare smc's word-count topology against.
//
//   wordcount [-t N] FILE      (N threads, default 2)
//
// The file is memory-mapped and cut into N chunks whose boundaries are moved
// forward to the next ASCII whitespace byte, so no word straddles two chunks.
// Each thread splits its chunk on runs of ASCII whitespace (space, \t, \n, \v,
// \f, \r; every other byte, including NUL and bytes >= 0x80, is part of a word)
// and counts into its own open-addressing hash map keyed by views into the
// mapping (whitespace is found 64 bytes at a time with SSE2 compares where
// available, plain table look-ups elsewhere).  The maps are merged and "word\tcount\n" lines are written to
// stdout in no particular order.
#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#if defined(__SSE2__)
#include <emmintrin.h>
#endif

#include <charconv>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

namespace {

// Byte classification: true for the six ASCII whitespace bytes.
struct SpaceTable {
  bool is_space[256] = {};
  constexpr SpaceTable() {
    for (unsigned char c : {' ', '\t', '\n', '\v', '\f', '\r'}) is_space[c] = true;
  }
};
constexpr SpaceTable kSpace;

inline bool is_space(unsigned char c) {
  return kSpace.is_space[c];
}

inline std::uint64_t load64(const char* p) {
  std::uint64_t v;
  std::memcpy(&v, p, 8);
  return v;
}

inline std::uint64_t mix(std::uint64_t a, std::uint64_t b) {
  __uint128_t r = static_cast<__uint128_t>(a) * b;
  return static_cast<std::uint64_t>(r) ^ static_cast<std::uint64_t>(r >> 64);
}

constexpr std::uint64_t kSeed0 = 0x9e3779b97f4a7c15ull;
constexpr std::uint64_t kSeed1 = 0xd6e8feb86659fd93ull;
constexpr std::uint64_t kSeed2 = 0xa0761d6478bd642full;

// Hash of the bytes [p, p+len).  `limit` is the end of readable memory: short
// keys with 8 readable bytes ahead are read with one (masked) 8-byte load.
inline std::uint64_t hash_bytes(const char* p, std::size_t len, const char* limit) {
  std::uint64_t h = kSeed0 ^ (len * kSeed1);
  std::size_t i = 0;
  for (; i + 8 <= len; i += 8) h = mix(h ^ load64(p + i), kSeed2);
  std::size_t rest = len - i;
  if (rest != 0) {
    std::uint64_t w = 0;
    if (p + i + 8 <= limit) {
      w = load64(p + i) & (~0ull >> (64 - 8 * rest));
    } else if (len >= 8) {
      w = load64(p + len - 8) >> (64 - 8 * rest);
    } else {
      std::memcpy(&w, p + i, rest);
    }
    h = mix(h ^ w, kSeed2);
  }
  return mix(h ^ kSeed1, kSeed0 ^ len);
}

// Open-addressing (linear probing) map from word to count.  Keys point into
// the mapping, which outlives every map.
class WordMap {
 public:
  struct Slot {
    const char* ptr = nullptr;  // nullptr marks an empty slot
    std::uint64_t hash = 0;
    std::uint64_t count = 0;
    std::uint32_t len = 0;
  };

  explicit WordMap(std::size_t capacity_pow2 = 1 << 14) : slots_(capacity_pow2), mask_(capacity_pow2 - 1) {}

  void add(const char* p, std::uint32_t len, std::uint64_t h, std::uint64_t n) {
    std::size_t i = h & mask_;
    for (;;) {
      Slot& s = slots_[i];
      if (s.ptr == nullptr) {
        s.ptr = p;
        s.hash = h;
        s.count = n;
        s.len = len;
        if (++size_ * 2 > slots_.size()) grow();
        return;
      }
      if (s.hash == h && s.len == len && std::memcmp(s.ptr, p, len) == 0) {
        s.count += n;
        return;
      }
      i = (i + 1) & mask_;
    }
  }

  const std::vector<Slot>& slots() const { return slots_; }
  std::size_t size() const { return size_; }

 private:
  void grow() {
    std::vector<Slot> old(slots_.size() * 2);
    old.swap(slots_);
    mask_ = slots_.size() - 1;
    for (const Slot& s : old) {
      if (s.ptr == nullptr) continue;
      std::size_t i = s.hash & mask_;
      while (slots_[i].ptr != nullptr) i = (i + 1) & mask_;
      slots_[i] = s;
    }
  }

  std::vector<Slot> slots_;
  std::size_t mask_;
  std::size_t size_ = 0;
};

// Bit i of the result is set when p[i] is whitespace (64 bytes from p).
inline std::uint64_t space_mask64(const char* p) {
#if defined(__SSE2__)
  const __m128i space = _mm_set1_epi8(' ');
  const __m128i nine = _mm_set1_epi8('\t');
  const __m128i four = _mm_set1_epi8(4);
  std::uint64_t m = 0;
  for (int k = 0; k < 4; ++k) {
    __m128i v = _mm_loadu_si128(reinterpret_cast<const __m128i*>(p + 16 * k));
    __m128i t = _mm_sub_epi8(v, nine);                       // \t..\r -> 0..4
    __m128i ctl = _mm_cmpeq_epi8(_mm_min_epu8(t, four), t);  // t <= 4 (unsigned)
    __m128i sp = _mm_or_si128(ctl, _mm_cmpeq_epi8(v, space));
    m |= static_cast<std::uint64_t>(static_cast<std::uint16_t>(_mm_movemask_epi8(sp))) << (16 * k);
  }
  return m;
#else
  std::uint64_t m = 0;
  for (int i = 0; i < 64; ++i) m |= static_cast<std::uint64_t>(is_space(static_cast<unsigned char>(p[i]))) << i;
  return m;
#endif
}

// Counts the words of [begin, end).  `begin` is the start of the file or a
// whitespace byte, and `end` the end of the file or a whitespace byte.
void count_chunk(const char* begin, const char* end, const char* limit, WordMap& map) {
  auto add = [&](const char* w, const char* e) {
    std::size_t len = static_cast<std::size_t>(e - w);
    map.add(w, static_cast<std::uint32_t>(len), hash_bytes(w, len, limit), 1);
  };
  const char* p = begin;
  const char* word = nullptr;  // start of the word being scanned, if any
  std::uint64_t carry = 1;     // "byte before p is whitespace" (or p == begin)

  // 64 bytes at a time: find word starts and ends from the whitespace mask.
  for (; end - p >= 64; p += 64) {
    std::uint64_t ws = space_mask64(p);
    std::uint64_t prev_ws = (ws << 1) | carry;  // bit i: byte i-1 is whitespace
    carry = ws >> 63;
    std::uint64_t starts = ~ws & prev_ws;
    std::uint64_t ends = ws & ~prev_ws;
    for (;;) {
      if (word != nullptr) {
        if (ends == 0) break;
        add(word, p + __builtin_ctzll(ends));
        ends &= ends - 1;
        word = nullptr;
      } else {
        if (starts == 0) break;
        word = p + __builtin_ctzll(starts);
        starts &= starts - 1;
      }
    }
  }
  // The last < 64 bytes, byte by byte.
  for (; p < end; ++p) {
    bool sp = is_space(static_cast<unsigned char>(*p));
    if (word != nullptr && sp) {
      add(word, p);
      word = nullptr;
    } else if (word == nullptr && !sp) {
      word = p;
    }
  }
  if (word != nullptr) add(word, end);
}

void write_all(int fd, const char* p, std::size_t n) {
  while (n > 0) {
    ssize_t k = ::write(fd, p, n);
    if (k < 0) {
      std::perror("wordcount: write");
      std::exit(1);
    }
    p += k;
    n -= static_cast<std::size_t>(k);
  }
}

[[noreturn]] void usage() {
  std::fprintf(stderr, "usage: wordcount [-t THREADS] FILE\n");
  std::exit(2);
}

}  // namespace

int main(int argc, char** argv) {
  int threads = 2;
  const char* path = nullptr;
  for (int i = 1; i < argc; ++i) {
    std::string_view a = argv[i];
    if (a == "-t" && i + 1 < argc) {
      threads = std::atoi(argv[++i]);
    } else if (a.size() > 2 && a.substr(0, 2) == "-t") {
      threads = std::atoi(argv[i] + 2);
    } else if (path == nullptr && (a.empty() || a[0] != '-' || a == "-")) {
      path = argv[i];
    } else {
      usage();
    }
  }
  if (path == nullptr || threads < 1 || threads > 1024) usage();

  int fd = ::open(path, O_RDONLY);
  if (fd < 0) {
    std::perror(path);
    return 1;
  }
  struct stat st;
  if (::fstat(fd, &st) != 0) {
    std::perror(path);
    return 1;
  }
  const std::size_t size = static_cast<std::size_t>(st.st_size);
  if (size == 0) return 0;  // nothing to count; mmap of length 0 is invalid

  void* m = ::mmap(nullptr, size, PROT_READ, MAP_PRIVATE, fd, 0);
  if (m == MAP_FAILED) {
    std::perror("mmap");
    return 1;
  }
  ::madvise(m, size, MADV_SEQUENTIAL | MADV_WILLNEED);
  const char* data = static_cast<const char*>(m);
  const char* data_end = data + size;

  // Chunk boundaries, each moved forward onto a whitespace byte (or the end).
  std::vector<const char*> cut(threads + 1);
  cut[0] = data;
  cut[threads] = data_end;
  for (int t = 1; t < threads; ++t) {
    const char* p = data + size / threads * t;
    if (p < cut[t - 1]) p = cut[t - 1];
    while (p < data_end && !is_space(static_cast<unsigned char>(*p))) ++p;
    cut[t] = p;
  }

  std::vector<WordMap> maps(threads);
  std::vector<std::thread> pool;
  for (int t = 1; t < threads; ++t) pool.emplace_back(count_chunk, cut[t], cut[t + 1], data_end, std::ref(maps[t]));
  count_chunk(cut[0], cut[1], data_end, maps[0]);
  for (auto& th : pool) th.join();

  // Merge into the largest map.
  int big = 0;
  for (int t = 1; t < threads; ++t)
    if (maps[t].size() > maps[big].size()) big = t;
  WordMap& total = maps[big];
  for (int t = 0; t < threads; ++t) {
    if (t == big) continue;
    for (const auto& s : maps[t].slots())
      if (s.ptr != nullptr) total.add(s.ptr, s.len, s.hash, s.count);
  }

  std::string out;
  out.reserve(1 << 20);
  for (const auto& s : total.slots()) {
    if (s.ptr == nullptr) continue;
    out.append(s.ptr, s.len);
    out.push_back('\t');
    char num[24];
    auto r = std::to_chars(num, num + sizeof num, s.count);
    out.append(num, r.ptr);
    out.push_back('\n');
    if (out.size() >= (1 << 20)) {
      write_all(1, out.data(), out.size());
      out.clear();
    }
  }
  write_all(1, out.data(), out.size());
  ::munmap(m, size);
  ::close(fd);
  return 0;
}
