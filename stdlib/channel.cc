// channel(name): joins topologies in separate processes through shared memory.
#include <poll.h>

#include <atomic>
#include <condition_variable>
#include <deque>
#include <mutex>
#include <thread>

#include "runtime/channel.h"
#include "stdlib/builtins.h"
#include "stdlib/spec_helpers.h"

namespace smc::stdlib {

ComponentSpec ChannelSpoutSpec() {
  ComponentSpec s;
  s.name = "channel";
  s.kind = ComponentKind::kSpout;
  s.summary = "receives the tuples a channel sink of the same name sends, from any process";
  s.params = {Required("name", ParamType::kString, "the channel's name")};
  s.outputs_doc = "the fields its sink in the same file sends, otherwise as declared with '->'";
  s.max_parallelism = 1;
  s.channel_arg = "name";
  return s;
}

ComponentSpec ChannelSinkSpec() {
  ComponentSpec s;
  s.name = "channel";
  s.kind = ComponentKind::kSink;
  s.summary = "sends every tuple it receives to the channel spout of the same name";
  s.params = {Required("name", ParamType::kString, "the channel's name")};
  s.max_parallelism = 1;
  s.channel_arg = "name";
  return s;
}

}  // namespace smc::stdlib

// ---- behaviour --------------------------------------------------------------------

namespace smc::stdlib {
namespace {

// Batches go to the channel from a thread of the sink's own, which may wait
// while the ring is full; until written they count as pending, so a full
// channel slows the spouts of this process (backpressure across processes).
class ChannelSink : public rt::Component {
 public:
  void Open(const rt::Context& ctx) override {
    ctx_ = &ctx;
    std::string error;
    channel_ = rt::Channel::Open(ctx.StringArg("name"), rt::Channel::Role::kProducer, &error);
    if (!channel_) throw std::runtime_error(error);
    thread_ = std::thread([this] { Loop(); });
  }
  ~ChannelSink() override {
    {
      std::lock_guard<std::mutex> lock(mu_);
      stop_.store(true);
    }
    cv_.notify_one();
    if (thread_.joinable()) thread_.join();
  }
  void Execute(const rt::Batch& b, int, rt::Emitter&) override {
    auto copy = std::make_unique<rt::Batch>(b.width());
    copy->AppendAll(b);
    ctx_->shared->Hold(1);
    {
      std::lock_guard<std::mutex> lock(mu_);
      queue_.push_back(std::move(copy));
    }
    cv_.notify_one();
  }
  void Finish(rt::Emitter&) override {
    {
      std::lock_guard<std::mutex> lock(mu_);
      finishing_ = true;
    }
    cv_.notify_one();
  }
  bool Done() const override { return done_.load(); }

 private:
  void Loop() {
    while (true) {
      std::unique_ptr<rt::Batch> b;
      {
        std::unique_lock<std::mutex> lock(mu_);
        cv_.wait(lock, [&] { return stop_.load() || finishing_ || !queue_.empty(); });
        if (stop_.load()) return;
        if (queue_.empty()) {  // finishing: everything is in the channel
          if (!failed_) channel_->Finish();  // after a failure the stream did not end: no end mark
          done_.store(true);
          ctx_->shared->Wake();
          return;
        }
        b = std::move(queue_.front());
        queue_.pop_front();
      }
      auto r = failed_ ? rt::Channel::WriteResult::kPeerDied : channel_->Write(*b, stop_);
      ctx_->shared->Hold(-1);
      if (r == rt::Channel::WriteResult::kPeerDied && !failed_) {
        failed_ = true;
        ctx_->shared->Fail("channel '" + channel_->name() + "': its consumer (pid " +
                           std::to_string(channel_->peer_pid()) + ") died");
      }
    }
  }

  const rt::Context* ctx_ = nullptr;
  std::unique_ptr<rt::Channel> channel_;
  std::mutex mu_;
  std::condition_variable cv_;
  std::deque<std::unique_ptr<rt::Batch>> queue_;
  bool finishing_ = false;
  bool failed_ = false;
  std::atomic<bool> stop_{false};
  std::atomic<bool> done_{false};
  std::thread thread_;
};

class ChannelSpout : public rt::Spout {
 public:
  void Open(const rt::Context& ctx) override {
    ctx_ = &ctx;
    std::string error;
    channel_ = rt::Channel::Open(ctx.StringArg("name"), rt::Channel::Role::kConsumer, &error);
    if (!channel_) throw std::runtime_error(error);
    batch_ = rt::Batch(static_cast<int>(ctx.stream_fields[0].size()));
  }
  bool Next(rt::Emitter& out, const rt::SpoutControl& ctl) override {
    for (int i = 0; i < 4; ++i) {  // a few batches per call, then let the runtime look around
      switch (channel_->Read(&batch_)) {
        case rt::Channel::ReadResult::kBatch:
          out.EmitAll(0, batch_);
          continue;
        case rt::Channel::ReadResult::kEnd:
          return false;
        case rt::Channel::ReadResult::kPeerDied:
          throw std::runtime_error("channel '" + channel_->name() + "': its producer (pid " +
                                   std::to_string(channel_->peer_pid()) + ") died before the end of its stream");
        case rt::Channel::ReadResult::kEmpty: {
          pollfd wake = {ctl.WakeFd(), POLLIN, 0};
          ::poll(&wake, 1, 1);  // nothing yet: wait a millisecond, or until the job stops
          return !ctl.Stopping();
        }
      }
    }
    return true;
  }

 private:
  const rt::Context* ctx_ = nullptr;
  std::unique_ptr<rt::Channel> channel_;
  rt::Batch batch_;
};

}  // namespace

std::unique_ptr<rt::Component> MakeChannelSink() { return std::make_unique<ChannelSink>(); }
std::unique_ptr<rt::Spout> MakeChannelSpout() { return std::make_unique<ChannelSpout>(); }

}  // namespace smc::stdlib
