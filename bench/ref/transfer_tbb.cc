// Overhead limit for the "transfer" topology, written directly on the oneTBB
// flow graph with batched tuples:
//
//   input_node (batches of B consecutive int64 values 0..N-1)
//     -> limiter_node (at most IN_FLIGHT batches between source and sink)
//     -> function_node "identity" (concurrency 2; copies each batch into a
//        freshly allocated batch, as a real bolt emitting new tuples would)
//     -> function_node "null" (serial sink: sums values, counts tuples, and
//        releases one limiter token per batch)
//
//   transfer_tbb [N [B [THREADS [IN_FLIGHT]]]]
//     N          total tuples            (default 100000000)
//     B          tuples per batch        (default 256)
//     THREADS    TBB worker limit        (default: all cores)
//     IN_FLIGHT  limiter threshold       (default 64 batches)
//
// Prints "tuples=N seconds=S rate=R" (R in tuples per second) and exits 1 if
// the sink's count or sum differs from the expected N and N(N-1)/2.
#include <oneapi/tbb/flow_graph.h>
#include <oneapi/tbb/global_control.h>

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <memory>
#include <thread>
#include <vector>

namespace flow = oneapi::tbb::flow;

namespace {

using Batch = std::vector<std::int64_t>;
using BatchPtr = Batch*;  // ownership passes along the graph edge by edge

long long parse_arg(const char* s, const char* name) {
  char* end = nullptr;
  long long v = std::strtoll(s, &end, 10);
  if (end == s || *end != '\0' || v <= 0) {
    std::fprintf(stderr, "transfer_tbb: bad %s: %s\n", name, s);
    std::exit(2);
  }
  return v;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc > 5) {
    std::fprintf(stderr, "usage: transfer_tbb [N [B [THREADS [IN_FLIGHT]]]]\n");
    return 2;
  }
  const std::int64_t n = argc > 1 ? parse_arg(argv[1], "N") : 100000000;
  const std::int64_t b = argc > 2 ? parse_arg(argv[2], "B") : 256;
  const int threads = argc > 3 ? static_cast<int>(parse_arg(argv[3], "THREADS"))
                               : static_cast<int>(std::thread::hardware_concurrency());
  const std::size_t in_flight = argc > 4 ? static_cast<std::size_t>(parse_arg(argv[4], "IN_FLIGHT")) : 64;

  oneapi::tbb::global_control limit(oneapi::tbb::global_control::max_allowed_parallelism, threads > 0 ? threads : 1);

  flow::graph g;
  std::int64_t next = 0;  // the input_node body runs serially

  flow::input_node<BatchPtr> source(g, [&](oneapi::tbb::flow_control& fc) -> BatchPtr {
    if (next >= n) {
      fc.stop();
      return nullptr;
    }
    std::int64_t len = std::min(b, n - next);
    auto* batch = new Batch(static_cast<std::size_t>(len));
    for (std::int64_t i = 0; i < len; ++i) (*batch)[static_cast<std::size_t>(i)] = next + i;
    next += len;
    return batch;
  });

  flow::limiter_node<BatchPtr> limiter(g, in_flight);

  flow::function_node<BatchPtr, BatchPtr> identity(g, 2, [](BatchPtr in) -> BatchPtr {
    auto* out = new Batch();
    out->reserve(in->size());
    for (std::int64_t v : *in) out->push_back(v);
    delete in;
    return out;
  });

  std::int64_t count = 0;
  std::int64_t sum = 0;
  flow::function_node<BatchPtr, flow::continue_msg> sink(g, flow::serial, [&](BatchPtr in) -> flow::continue_msg {
    std::int64_t s = 0;
    for (std::int64_t v : *in) s += v;
    sum += s;
    count += static_cast<std::int64_t>(in->size());
    delete in;
    return {};
  });

  flow::make_edge(source, limiter);
  flow::make_edge(limiter, identity);
  flow::make_edge(identity, sink);
  flow::make_edge(sink, limiter.decrementer());

  auto t0 = std::chrono::steady_clock::now();
  source.activate();
  g.wait_for_all();
  auto t1 = std::chrono::steady_clock::now();

  double seconds = std::chrono::duration<double>(t1 - t0).count();
  double rate = seconds > 0 ? static_cast<double>(count) / seconds : 0.0;
  std::printf("tuples=%lld seconds=%.6f rate=%.0f\n", static_cast<long long>(count), seconds, rate);

  const std::int64_t expect_sum = (n % 2 == 0) ? (n / 2) * (n - 1) : n * ((n - 1) / 2);
  if (count != n || sum != expect_sum) {
    std::fprintf(stderr, "transfer_tbb: MISMATCH count=%lld (want %lld) sum=%lld (want %lld)\n",
                 static_cast<long long>(count), static_cast<long long>(n), static_cast<long long>(sum),
                 static_cast<long long>(expect_sum));
    return 1;
  }
  return 0;
}
