#include "runtime/spout_acking.h"

#include <cstring>

namespace smc::rt {

namespace {
// How much of a given-up tuple the report shows.
constexpr size_t kShownTupleBytes = 200;

template <typename T>
void Put(const T& v, std::string* out) {
  out->append(reinterpret_cast<const char*>(&v), sizeof(v));
}
template <typename T>
T GetAt(const std::string& s, size_t* at) {
  T v;
  std::memcpy(&v, s.data() + *at, sizeof(v));
  *at += sizeof(v);
  return v;
}
}  // namespace

uint64_t ReplayBuffer::Add(int stream, const Datum* values, int width) {
  uint64_t id = ++next_;
  Kept& k = kept_.Insert(id);  // a reused slot keeps its bytes' capacity
  k.stream = stream;
  k.replays = 0;
  k.bytes.clear();
  for (int i = 0; i < width; ++i) {
    const Datum& d = values[i];
    k.bytes.push_back(static_cast<char>(d.type));
    switch (d.type) {
      case Type::kNull: break;
      case Type::kFloat: Put(d.f, &k.bytes); break;
      case Type::kString:
        Put(static_cast<uint32_t>(d.s.size()), &k.bytes);
        k.bytes.append(d.s);
        break;
      default: Put(d.i, &k.bytes);
    }
  }
  return id;
}

bool ReplayBuffer::Find(uint64_t id, int* stream, std::vector<Datum>* values) const {
  const Kept* k = kept_.Find(id);
  if (k == nullptr) return false;
  const std::string& b = k->bytes;
  *stream = k->stream;
  values->clear();
  size_t at = 0;
  while (at < b.size()) {
    Datum d;
    d.type = static_cast<Type>(b[at++]);
    switch (d.type) {
      case Type::kNull: break;
      case Type::kFloat: d.f = GetAt<double>(b, &at); break;
      case Type::kString: {
        uint32_t n = GetAt<uint32_t>(b, &at);
        d.s = std::string_view(b.data() + at, n);
        at += n;
        break;
      }
      default: d.i = GetAt<int64_t>(b, &at);
    }
    values->push_back(d);
  }
  return true;
}

int ReplayBuffer::CountReplay(uint64_t id) {
  Kept* k = kept_.Find(id);
  return k == nullptr ? 0 : k->replays++;
}

SpoutAcking::SpoutAcking(Router* router, Spout* spout, const PlanAcking& cfg,
                         std::function<void(const std::string&)> give_up)
    : router_(router),
      spout_(spout),
      reliable_(spout->Reliable()),
      max_pending_(cfg.max_spout_pending),
      max_replays_(cfg.max_replays),
      give_up_(std::move(give_up)) {}

void SpoutAcking::Emit(int stream, const Datum* values) {
  uint64_t id = buffer_.Add(stream, values, static_cast<int>(router_->stream_width(stream)));
  router_->BeginTree(&acks_, id);
  router_->Emit(stream, values);
  router_->EndTree();
}

void SpoutAcking::EmitDirect(int stream, int instance, const Datum* values) {
  uint64_t id = buffer_.Add(stream, values, static_cast<int>(router_->stream_width(stream)));
  router_->BeginTree(&acks_, id);
  router_->EmitDirect(stream, instance, values);
  router_->EndTree();
}

void SpoutAcking::GiveUp(const std::string& text) {
  ++given_up_;
  give_up_(text);
}

size_t SpoutAcking::Drain(bool* failed) {
  acks_.Take(&done_);
  for (const SpoutAcks::Done& d : done_) {
    if (d.kind == SpoutAcks::kParked) {
      if (!reliable_) buffer_.Erase(d.msg);  // held by an aggregator now: never replayed
      continue;
    }
    if (d.kind == SpoutAcks::kFailedParked) {
      GiveUp(reliable_ ? "message id " + spout_->MessageText(d.msg) + ", failed while an aggregator held it"
                       : "a tuple that failed while an aggregator held it");
      fails_.erase(d.msg);
      continue;
    }
    const bool ok = d.kind == SpoutAcks::kAcked;
    if (reliable_) {
      if (ok) {
        fails_.erase(d.msg);
        spout_->Ack(d.msg);
        continue;
      }
      int& n = fails_[d.msg];
      if (n++ >= max_replays_) {
        fails_.erase(d.msg);
        GiveUp("message id " + spout_->MessageText(d.msg));
        continue;
      }
      if (!spout_->Fail(d.msg)) {
        fails_.erase(d.msg);
        GiveUp("message id " + spout_->MessageText(d.msg) + ", failed after its spout's process ended");
        continue;
      }
      *failed = true;
      continue;
    }
    if (ok) {
      buffer_.Erase(d.msg);
      continue;
    }
    int stream = 0;
    if (!buffer_.Find(d.msg, &stream, &values_)) continue;
    if (buffer_.CountReplay(d.msg) >= max_replays_) {
      std::string text;
      for (size_t k = 0; k < values_.size(); ++k) {
        if (k) text += '\t';
        values_[k].AppendText(&text);
      }
      if (text.size() > kShownTupleBytes) text = text.substr(0, kShownTupleBytes) + "...";
      buffer_.Erase(d.msg);
      GiveUp("tuple (" + text + ")");
      continue;
    }
    router_->BeginTree(&acks_, d.msg);
    router_->Emit(stream, values_.data());
    router_->EndTree();
  }
  if (!done_.empty()) router_->FlushAcks();
  return done_.size();
}

}  // namespace smc::rt
