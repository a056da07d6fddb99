// kafka(brokers: ..., topic: ..., key: FIELD) sink: a topology writing to
// Apache Kafka (librdkafka's C API; kafka_client.h).
//
// The sink produces every tuple (as a record in `format`, without its
// newline; the key: field `key` as text) and waits at the end of each batch
// for every record's delivery report: a failed delivery, or none within
// `timeout`, fails the run (nothing is dropped silently).
#include <librdkafka/rdkafka.h>

#include <algorithm>
#include <chrono>
#include <memory>
#include <string>
#include <vector>

#include "runtime/component.h"
#include "stdlib/builtins.h"
#include "stdlib/component_helpers.h"
#include "stdlib/formats.h"
#include "stdlib/kafka_client.h"
#include "stdlib/spec_helpers.h"

namespace smc::stdlib {

using kafka::OptionsValid;

ComponentSpec KafkaSinkSpec() {
  ComponentSpec s;
  s.name = "kafka";
  s.kind = ComponentKind::kSink;
  s.summary = "produces every tuple to a Kafka topic, waiting for the delivery reports";
  s.params = {
      Required("brokers", ParamType::kString, "bootstrap servers, HOST:PORT[,HOST:PORT...]"),
      Required("topic", ParamType::kString, "the topic to produce to"),
      Optional("key", ParamType::kField, Value::String(""), "the field whose text is the record's key; \"\": none"),
      Optional("timeout", ParamType::kDuration, Value::Duration(30'000'000'000),
               "how long a record may wait for its delivery"),
      FormatParam("tsv"),
      Optional("options", ParamType::kStringList,
               "librdkafka settings, NAME=VALUE each (the component's own settings win)")};
  s.outputs = [](const ArgMap& args, const std::vector<std::string>&, std::vector<StreamSpec>* out, std::string* error,
                 std::string* error_arg) {
    if (!OptionsValid(args, error, error_arg)) return false;
    if (args.at("timeout").num < 1'000'000) {
      *error = "'timeout' must be at least 1ms, got " + args.at("timeout").ToText();
      *error_arg = "timeout";
      return false;
    }
    out->clear();
    return true;
  };
  return s;
}

namespace {

using kafka::Conf;
using kafka::Fatal;
using kafka::FatalText;
using kafka::Prefix;
using kafka::Quiet;
using Clock = std::chrono::steady_clock;

class KafkaSink : public rt::Component {
 public:
  ~KafkaSink() override {
    if (rkt_) rd_kafka_topic_destroy(rkt_);
    if (rk_) {
      rd_kafka_purge(rk_, RD_KAFKA_PURGE_F_QUEUE | RD_KAFKA_PURGE_F_INFLIGHT);  // after a failure
      rd_kafka_destroy(rk_);
    }
  }

  void Open(const rt::Context& ctx) override {
    ctx_ = &ctx;
    brokers_ = ctx.StringArg("brokers");
    topic_ = ctx.StringArg("topic");
    timeout_ms_ = std::max<int64_t>(1, ctx.Arg("timeout").num / 1'000'000);
    std::string key = ctx.StringArg("key");
    if (!key.empty()) key_ = FieldIndexPerInput(ctx, key);
    formatter_ = std::make_unique<RecordFormatter>(ctx.StringArg("format"), ctx);
    Conf conf;
    conf.Set("client.id", "smc");
    conf.SetOptions(ctx);
    conf.Set("bootstrap.servers", brokers_);
    conf.Set("enable.idempotence", "true");  // per-partition order kept through retries, no duplicates
    conf.Set("message.timeout.ms", std::to_string(std::min<int64_t>(timeout_ms_, 2'147'483'647)));
    rd_kafka_conf_set_opaque(conf.get(), this);
    rd_kafka_conf_set_log_cb(conf.get(), Quiet);
    rd_kafka_conf_set_error_cb(conf.get(), [](rd_kafka_t* rk, int err, const char* reason, void* self) {
      static_cast<KafkaSink*>(self)->OnError(rk, err, reason);
    });
    rd_kafka_conf_set_dr_msg_cb(conf.get(), [](rd_kafka_t*, const rd_kafka_message_t* m, void* self) {
      static_cast<KafkaSink*>(self)->OnDelivery(m);
    });
    char err[512];
    rk_ = rd_kafka_new(RD_KAFKA_PRODUCER, conf.get(), err, sizeof err);
    if (!rk_) throw rt::IoError(std::string("cannot create a Kafka producer: ") + err);
    conf.Release();
    rkt_ = rd_kafka_topic_new(rk_, topic_.c_str(), nullptr);
    if (!rkt_) throw rt::IoError("cannot use Kafka topic '" + topic_ + "': " + rd_kafka_err2str(rd_kafka_last_error()));
  }

  void Execute(const rt::Batch& b, int input, rt::Emitter&) override {
    for (size_t t = 0; t < b.size(); ++t) {
      record_.clear();
      formatter_->Append(b, t, input, &record_);
      if (!record_.empty() && record_.back() == '\n') record_.pop_back();
      const char* key = nullptr;
      size_t key_len = 0;
      if (!key_.empty()) {
        rt::Datum k = b.Get(t, key_[input]);
        if (k.type != rt::Type::kNull) {
          key_text_.clear();
          k.AppendText(&key_text_);
          key = key_text_.data();
          key_len = key_text_.size();
        }
      }
      Produce(key, key_len);
    }
    WaitDelivered();
  }

  void Finish(rt::Emitter&) override { WaitDelivered(); }

 private:
  void Produce(const char* key, size_t key_len) {
    const auto deadline = Clock::now() + std::chrono::milliseconds(timeout_ms_);
    while (rd_kafka_produce(rkt_, RD_KAFKA_PARTITION_UA, RD_KAFKA_MSG_F_COPY, record_.data(), record_.size(), key,
                            key_len, nullptr) != 0) {
      rd_kafka_resp_err_t err = rd_kafka_last_error();
      if (err != RD_KAFKA_RESP_ERR__QUEUE_FULL)
        throw rt::IoError("cannot produce to Kafka topic '" + topic_ + "' at " + brokers_ + ": " +
                          rd_kafka_err2str(err));
      rd_kafka_poll(rk_, 10);  // the queue is full: let deliveries make room
      ThrowIfFailed();
      if (Clock::now() > deadline)
        throw rt::IoError("Kafka at " + brokers_ + " did not take a record of topic '" + topic_ + "' in time");
    }
    ++produced_;
  }

  // Waits until every record produced so far has its delivery report.
  void WaitDelivered() {
    // message.timeout.ms bounds each record; the margin covers the reports' way back.
    const auto deadline = Clock::now() + std::chrono::milliseconds(timeout_ms_ + 5'000);
    while (true) {
      ThrowIfFailed();
      if (delivered_ >= produced_) return;
      if (Clock::now() > deadline)
        throw rt::IoError("Kafka at " + brokers_ + " did not report the delivery of " +
                          std::to_string(produced_ - delivered_) + " record(s) to topic '" + topic_ + "'");
      rd_kafka_flush(rk_, 10);
    }
  }

  void ThrowIfFailed() {
    if (!error_.empty()) throw rt::IoError(error_);
  }

  void OnDelivery(const rd_kafka_message_t* m) {
    if (!m->err) {
      ++delivered_;
      return;
    }
    ++failed_;
    if (error_.empty())
      error_ =
          "cannot deliver a record to Kafka topic '" + topic_ + "' at " + brokers_ + ": " + rd_kafka_err2str(m->err);
  }

  void OnError(rd_kafka_t* rk, int err, const char* reason) {
    if (Fatal(rk, err)) {
      if (error_.empty()) error_ = "Kafka at " + brokers_ + ": " + FatalText(rk, err, reason);
    } else {
      ctx_->shared->Log(Prefix(*ctx_) + "warning: " + reason);
    }
  }

  const rt::Context* ctx_ = nullptr;
  rd_kafka_t* rk_ = nullptr;
  rd_kafka_topic_t* rkt_ = nullptr;
  std::string brokers_, topic_, record_, key_text_, error_;
  std::vector<int> key_;  // per input: the key field's index; empty: no key
  int64_t timeout_ms_ = 30'000;
  std::unique_ptr<RecordFormatter> formatter_;
  uint64_t produced_ = 0, delivered_ = 0, failed_ = 0;
};

}  // namespace

std::unique_ptr<rt::Component> MakeKafkaSink() {
  return std::make_unique<KafkaSink>();
}

}  // namespace smc::stdlib
