// What the kafka spout (kafka_spout.cc) and sink (kafka_sink.cc) share over
// librdkafka's C API: the `options` check, a configuration handle, and how
// errors are judged and reported. Errors that librdkafka reports as fatal,
// or all brokers down, fail the run (exit 74); other broker errors are
// retried by librdkafka and reported as warnings.
#pragma once

#include <librdkafka/rdkafka.h>

#include <string>

#include "dsl/catalog.h"
#include "runtime/component.h"

namespace smc::stdlib::kafka {

/// Every `options` item is NAME=VALUE.
bool OptionsValid(const ArgMap& args, std::string* error, std::string* error_arg);

/// A configuration before rd_kafka_new takes it.
class Conf {
 public:
  Conf() : conf_(rd_kafka_conf_new()) {}
  ~Conf() {
    if (conf_) rd_kafka_conf_destroy(conf_);
  }
  Conf(const Conf&) = delete;
  Conf& operator=(const Conf&) = delete;
  /// Throws IoError for a setting librdkafka refuses.
  void Set(const char* name, const std::string& value);
  rd_kafka_conf_t* get() const { return conf_; }
  /// The component's `options`, NAME=VALUE each (checked by the signature).
  void SetOptions(const rt::Context& ctx);
  /// rd_kafka_new succeeded: it owns the configuration now.
  void Release() { conf_ = nullptr; }

 private:
  rd_kafka_conf_t* conf_;
};

/// librdkafka's own log lines are not shown: errors come through the error
/// callback, and the components report them.
void Quiet(const rd_kafka_t*, int, const char*, const char*);
/// Whether an error reported by the error callback ends the run.
bool Fatal(rd_kafka_t* rk, int err);
std::string FatalText(rd_kafka_t* rk, int err, const char* reason);
/// "smc: kafka 'NAME' (LOCATION): ", the start of a report line.
std::string Prefix(const rt::Context& ctx);

}  // namespace smc::stdlib::kafka
