// channel(name): joins topologies in separate processes through shared memory.
#include <poll.h>

#include <atomic>
#include <chrono>
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

// Opens a channel or throws why not. A segment that is not the user's own
// (kUnsafe) is an I/O error (exit 74, smc-topo(5)).
std::unique_ptr<rt::Channel> OpenChannel(const rt::Context& ctx, rt::Channel::Role role) {
  std::string error;
  rt::Channel::OpenError why = rt::Channel::OpenError::kNone;
  std::unique_ptr<rt::Channel> ch = rt::Channel::Open(ctx.StringArg("name"), role, &error, &why);
  if (!ch && why == rt::Channel::OpenError::kUnsafe) throw rt::IoError(error);
  if (!ch) throw std::runtime_error(error);
  return ch;
}

// Batches go to the channel from a thread of the sink's own, which may wait
// while the ring is full; until written they count as pending, so a full
// channel slows the spouts of this process (backpressure across processes).
class ChannelSink : public rt::Component {
 public:
  void Open(const rt::Context& ctx) override {
    ctx_ = &ctx;
    channel_ = OpenChannel(ctx, rt::Channel::Role::kProducer);
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
        // Idle, it still looks at its consumer now and then, so that one
        // that died or left is noticed within a second.
        while (!cv_.wait_for(lock, std::chrono::milliseconds(100),
                             [&] { return stop_.load() || finishing_ || !queue_.empty(); })) {
          if (!failed_ && channel_->CheckPeer() == rt::Channel::WriteResult::kPeerGone) Gone();
        }
        if (stop_.load()) return;
        if (queue_.empty()) {  // finishing: everything is in the channel
          if (!failed_) {      // after a failure the stream did not end: no end mark
            channel_->Finish();
            lock.unlock();
            // Done only once an attached consumer has it all, or is known gone.
            if (channel_->Drain(stop_) == rt::Channel::WriteResult::kPeerGone) Gone();
            lock.lock();
          }
          done_.store(true);
          ctx_->shared->Wake();
          return;
        }
        b = std::move(queue_.front());
        queue_.pop_front();
      }
      auto r = rt::Channel::WriteResult::kPeerGone;
      try {
        if (!failed_) r = channel_->Write(*b, stop_);
      } catch (const std::exception& e) {  // a corrupt segment, a tuple too large for the ring
        Failed(e.what());
      }
      ctx_->shared->Hold(-1);
      if (r == rt::Channel::WriteResult::kPeerGone && !failed_) Gone();
    }
  }
  void Gone() {
    Failed("channel '" + channel_->name() + "': its consumer (pid " + std::to_string(channel_->peer_pid()) + ") " +
           (std::string(channel_->peer_fate()) == "died" ? "died" : "stopped before the end of the stream"));
  }
  void Failed(const std::string& what) {
    if (failed_) return;
    failed_ = true;
    ctx_->shared->Fail(what);
  }
  const rt::Context* ctx_ = nullptr;
  std::unique_ptr<rt::Channel> channel_;
  std::mutex mu_;
  std::condition_variable cv_;
  std::deque<std::unique_ptr<rt::Batch>> queue_;
  bool finishing_ = false;
  bool failed_ = false;  // only the writer thread touches it
  std::atomic<bool> stop_{false};
  std::atomic<bool> done_{false};
  std::thread thread_;
};

class ChannelSpout : public rt::Spout {
 public:
  void Open(const rt::Context& ctx) override {
    ctx_ = &ctx;
    channel_ = OpenChannel(ctx, rt::Channel::Role::kConsumer);
    batch_ = rt::Batch(static_cast<int>(ctx.stream_fields[0].size()));
  }
  bool Next(rt::Emitter& out, const rt::SpoutControl& ctl) override {
    // Stopping, it still reads for a while: a producer stopping with it (a
    // file of several topologies) sends the end of its stream soon, and
    // what it sent is then delivered instead of left in the ring.
    bool stopping = ctl.Stopping();
    if (stopping && stop_deadline_ == Clock::time_point{}) stop_deadline_ = Clock::now() + kStopGrace;
    for (int i = 0; i < 4; ++i) {  // a few batches per call, then let the runtime look around
      switch (channel_->Read(&batch_)) {
        case rt::Channel::ReadResult::kBatch: out.EmitAll(0, batch_); continue;
        case rt::Channel::ReadResult::kEnd: return false;
        case rt::Channel::ReadResult::kPeerGone:
          throw std::runtime_error("channel '" + channel_->name() + "': its producer (pid " +
                                   std::to_string(channel_->peer_pid()) + ") " + channel_->peer_fate() +
                                   " before the end of its stream");
        case rt::Channel::ReadResult::kEmpty:
          if (stopping) {
            if (Clock::now() >= stop_deadline_) return false;
            std::this_thread::sleep_for(std::chrono::milliseconds(1));
            return true;
          }
          pollfd wake = {ctl.WakeFd(), POLLIN, 0};
          ::poll(&wake, 1, 1);  // nothing yet: wait a millisecond, or until the job stops
          return true;
      }
    }
    return true;
  }

 private:
  using Clock = std::chrono::steady_clock;
  static constexpr Clock::duration kStopGrace = std::chrono::seconds(1);  // smc-topo(5) states it

  const rt::Context* ctx_ = nullptr;
  std::unique_ptr<rt::Channel> channel_;
  rt::Batch batch_;
  Clock::time_point stop_deadline_{};
};

}  // namespace

std::unique_ptr<rt::Component> MakeChannelSink() {
  return std::make_unique<ChannelSink>();
}
std::unique_ptr<rt::Spout> MakeChannelSpout() {
  return std::make_unique<ChannelSpout>();
}

}  // namespace smc::stdlib
