// RollingSort reference: the Storm-MC RollingSort workload as a plain C++
// loop, for bench/run's rollingsort workload.
//
//   rollingsort [WINDOW] < LINES          read lines from stdin
//   rollingsort --generate N [WINDOW]     make N strings of 100 digits 0-8
//   rollingsort --gen-lines N [SEED]      print N such strings (the input file)
//
// Keeps a ring of the latest WINDOW (default 100) strings; every second of
// wall clock, and once at the end, prints the window sorted (bytewise), one
// string per line, as smc's sort(window:) bolt does with { tick = 1s }.
#include <algorithm>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <vector>

namespace {

using Clock = std::chrono::steady_clock;

struct Window {
  explicit Window(size_t n) : ring(n) {}
  std::vector<std::string> ring;
  size_t next = 0, filled = 0;
  std::vector<const std::string*> order;
  std::string out;

  void Add(const char* p, size_t n) {
    ring[next].assign(p, n);
    next = (next + 1) % ring.size();
    if (filled < ring.size()) ++filled;
  }
  void Emit() {
    // Oldest first, then a stable sort: the order smc's stable_sort gives.
    order.clear();
    size_t start = filled < ring.size() ? 0 : next;
    for (size_t k = 0; k < filled; ++k) order.push_back(&ring[(start + k) % ring.size()]);
    std::stable_sort(order.begin(), order.end(), [](const std::string* a, const std::string* b) { return *a < *b; });
    out.clear();
    for (const std::string* s : order) {
      out += *s;
      out += '\n';
    }
    fwrite(out.data(), 1, out.size(), stdout);
  }
};

// xorshift64*: a fixed, fast generator (the input's digits need no quality).
struct Rng {
  uint64_t s;
  uint64_t Next() {
    s ^= s >> 12;
    s ^= s << 25;
    s ^= s >> 27;
    return s * 2685821657736338717ULL;
  }
};

void Digits(Rng& rng, char* p) {
  for (int k = 0; k < 100; ++k) p[k] = static_cast<char>('0' + (rng.Next() >> 32) % 9);
}

long Arg(const char* s) {
  char* end = nullptr;
  long v = strtol(s, &end, 10);
  if (!*s || *end || v < 0) {
    fprintf(stderr, "rollingsort: not a count: %s\n", s);
    exit(64);
  }
  return v;
}

}  // namespace

int main(int argc, char** argv) {
  static char outbuf[1 << 16];
  setvbuf(stdout, outbuf, _IOFBF, sizeof outbuf);
  if (argc >= 3 && !strcmp(argv[1], "--gen-lines")) {
    long n = Arg(argv[2]);
    Rng rng{argc > 3 ? static_cast<uint64_t>(Arg(argv[3])) | 1 : 88172645463325252ULL};
    char line[101];
    line[100] = '\n';
    for (long i = 0; i < n; ++i) {
      Digits(rng, line);
      fwrite(line, 1, sizeof line, stdout);
    }
    return fflush(stdout) == 0 ? 0 : 1;
  }
  bool generate = argc >= 3 && !strcmp(argv[1], "--generate");
  long n = generate ? Arg(argv[2]) : 0;
  const char* w = generate ? (argc > 3 ? argv[3] : nullptr) : (argc > 1 ? argv[1] : nullptr);
  long window = w ? Arg(w) : 100;
  if (window < 1) window = 1;
  Window win(static_cast<size_t>(window));
  auto next_tick = Clock::now() + std::chrono::seconds(1);
  uint64_t count = 0;
  auto tick = [&] {
    if ((++count & 255) == 0 && Clock::now() >= next_tick) {
      win.Emit();
      next_tick += std::chrono::seconds(1);
    }
  };
  if (generate) {
    Rng rng{88172645463325252ULL};
    char s[100];
    for (long i = 0; i < n; ++i) {
      Digits(rng, s);
      win.Add(s, sizeof s);
      tick();
    }
  } else {
    // Lines from stdin, read in large blocks; a last line without a newline counts.
    std::vector<char> buf(1 << 20);
    size_t have = 0;
    for (;;) {
      size_t got = fread(buf.data() + have, 1, buf.size() - have, stdin);
      have += got;
      size_t pos = 0;
      for (;;) {
        char* nl = static_cast<char*>(memchr(buf.data() + pos, '\n', have - pos));
        if (!nl) break;
        size_t len = static_cast<size_t>(nl - (buf.data() + pos));
        win.Add(buf.data() + pos, len);
        tick();
        pos += len + 1;
      }
      memmove(buf.data(), buf.data() + pos, have - pos);
      have -= pos;
      if (got == 0) {
        if (have) win.Add(buf.data(), have);
        break;
      }
      if (have == buf.size()) buf.resize(buf.size() * 2);  // a line longer than the buffer
    }
  }
  win.Emit();
  return fflush(stdout) == 0 ? 0 : 1;
}
