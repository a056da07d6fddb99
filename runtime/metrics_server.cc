#include "runtime/metrics_server.h"

#include <httplib.h>
#include <signal.h>

#include <cerrno>
#include <cstring>
#include <mutex>
#include <thread>

namespace smc::rt {

struct MetricsServer::Impl {
  httplib::Server server;
  std::thread thread;
  int port = 0;
  std::mutex mu;
  JobMetrics latest;
};

MetricsServer::MetricsServer() : impl_(std::make_unique<Impl>()) {}

MetricsServer::~MetricsServer() {
  if (impl_->thread.joinable()) {
    impl_->server.stop();
    impl_->thread.join();
  }
}

int MetricsServer::port() const {
  return impl_->port;
}

void MetricsServer::Update(const JobMetrics& m) {
  std::lock_guard<std::mutex> lock(impl_->mu);
  impl_->latest = m;
}

bool MetricsServer::Start(const std::string& host, int port, std::string* error) {
  ::signal(SIGPIPE, SIG_IGN);  // a scraper that hangs up is an EPIPE, not the end of the run (as in stop.cc)
  httplib::Server& s = impl_->server;
  s.new_task_queue = [] { return new httplib::ThreadPool(kThreads); };
  s.set_read_timeout(kIoTimeoutSeconds, 0);
  s.set_write_timeout(kIoTimeoutSeconds, 0);
  s.set_keep_alive_max_count(1);
  s.set_keep_alive_timeout(kIoTimeoutSeconds);
  s.set_payload_max_length(0);
  Impl* impl = impl_.get();
  auto metrics = [impl](const httplib::Request&, httplib::Response& res) {
    std::string body;
    {
      std::lock_guard<std::mutex> lock(impl->mu);
      body = MetricsPrometheus(impl->latest);
    }
    res.set_content(body, "text/plain; version=0.0.4; charset=utf-8");
  };
  s.Get("/metrics", metrics);
  // Every other request: 404 for a path, 405 for /metrics with another method.
  auto other = [](const httplib::Request& req, httplib::Response& res) {
    res.status = req.path == "/metrics" ? 405 : 404;
    if (res.status == 405) res.set_header("Allow", "GET, HEAD");
    res.set_content(res.status == 405 ? "only GET /metrics\n" : "not found: try /metrics\n", "text/plain");
  };
  s.Post(".*", other);
  s.Put(".*", other);
  s.Delete(".*", other);
  s.Patch(".*", other);
  s.Options(".*", other);
  s.set_error_handler([](const httplib::Request&, httplib::Response& res) {
    if (res.body.empty())
      res.set_content(res.status == 404 ? "not found: try /metrics\n" : "bad request\n", "text/plain");
  });
  errno = 0;
  if (port == 0) {
    impl_->port = s.bind_to_any_port(host);
    if (impl_->port <= 0) impl_->port = 0;
  } else if (s.bind_to_port(host, port)) {
    impl_->port = port;
  }
  if (impl_->port == 0) {
    *error = "cannot listen on " + host + ":" + std::to_string(port) +
             (errno ? std::string(": ") + std::strerror(errno) : std::string());
    return false;
  }
  impl_->thread = std::thread([impl] { impl->server.listen_after_bind(); });
  return true;
}

bool ParseListenAddress(const std::string& text, std::string* host, int* port) {
  std::string p = text;
  *host = "127.0.0.1";
  if (!text.empty() && text[0] == '[') {  // [::1]:9100
    size_t close = text.find("]:");
    if (close == std::string::npos) return false;
    *host = text.substr(1, close - 1);
    p = text.substr(close + 2);
  } else if (size_t colon = text.rfind(':'); colon != std::string::npos) {
    if (text.find(':') != colon) return false;  // an IPv6 address needs brackets
    *host = text.substr(0, colon);
    p = text.substr(colon + 1);
  }
  if (host->empty() || p.empty() || p.size() > 5) return false;
  int n = 0;
  for (char c : p) {
    if (c < '0' || c > '9') return false;
    n = n * 10 + (c - '0');
  }
  if (n > 65535) return false;
  *port = n;
  return true;
}

}  // namespace smc::rt
