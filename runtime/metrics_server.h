// Serving a running job's metrics over HTTP in Prometheus text format
// (`smc run --metrics-listen HOST:PORT`).
//
// Contract: only GET (and HEAD) /metrics is answered (200, text/plain;
// version=0.0.4); any other path gets 404 and any other method 405, with no
// body read. Hardened for a port others can reach: two threads serve
// (a flood waits, it does not spawn threads), reads and writes time out after
// kIoTimeoutSeconds, a request line or header is at most 8 KiB and a body
// 0 bytes (cpp-httplib's limits), and one request per connection.
// Thread-safe: Update from any thread while requests are served.
#pragma once

#include <memory>
#include <string>

#include "runtime/metrics.h"

namespace smc::rt {

class MetricsServer {
 public:
  static constexpr int kIoTimeoutSeconds = 2;
  static constexpr int kThreads = 2;

  MetricsServer();
  ~MetricsServer();  // stops serving
  MetricsServer(const MetricsServer&) = delete;
  MetricsServer& operator=(const MetricsServer&) = delete;

  /// Binds `host`:`port` (port 0: any free port) and serves from a thread of
  /// its own. False with `error` set ("cannot listen on 127.0.0.1:80: ...").
  bool Start(const std::string& host, int port, std::string* error);
  /// The port bound (after Start).
  int port() const;
  /// What the next scrape shows.
  void Update(const JobMetrics& m);

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

/// Splits "HOST:PORT", "[V6]:PORT" or "PORT" (host 127.0.0.1). False when
/// it is none of these or the port is not in 0..65535.
bool ParseListenAddress(const std::string& text, std::string* host, int* port);

}  // namespace smc::rt
