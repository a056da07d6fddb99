#include "runtime/router.h"

#include <stdexcept>

namespace smc::rt {

BatchPool::~BatchPool() {
  Batch* b = nullptr;
  while (free_.try_pop(b)) delete b;
}

Batch* BatchPool::Get(int width, int batch_size) {
  Batch* b = nullptr;
  if (free_.try_pop(b)) {
    size_.fetch_sub(1, std::memory_order_relaxed);
    b->Reset(width);
    return b;
  }
  b = new Batch(width);
  b->Reserve(batch_size, static_cast<size_t>(batch_size) * 16);
  return b;
}

void BatchPool::Put(Batch* b) {
  if (size_.load(std::memory_order_relaxed) > kMaxFree || b->bytes() > kMaxKeptBytes) {
    delete b;
    return;
  }
  size_.fetch_add(1, std::memory_order_relaxed);
  free_.push(b);
}

size_t ReduceHash(uint64_t h, size_t n) {
  return static_cast<size_t>((static_cast<__uint128_t>(h) * n) >> 64);
}

std::pair<size_t, size_t> PartialKeyCandidates(uint64_t h, size_t n) {
  size_t a = ReduceHash(h, n);
  if (n < 2) return {a, a};
  // The second choice among the other n - 1 instances, so the two differ.
  size_t b = ReduceHash(h * 0x9e3779b97f4a7c15ULL, n - 1);
  if (b >= a) ++b;
  return {a, b};
}

namespace {

uint64_t KeyHash(const std::vector<int>& idx, const Datum* v) {
  uint64_t h = HashDatum(v[idx[0]]);
  for (size_t k = 1; k < idx.size(); ++k) h = (h ^ HashDatum(v[idx[k]])) * 0x100000001b3ULL;
  return h;
}

bool Shuffled(GroupingKind k) {
  return k == GroupingKind::kShuffle || k == GroupingKind::kLocal || k == GroupingKind::kNone;
}

}  // namespace

Router::Router(const PlanTopology& t, int component, int instance, std::vector<int> first_task, BatchPool* pool,
               Deliveries* out)
    : topology_(t),
      component_(component),
      instance_(instance),
      first_task_(std::move(first_task)),
      pool_(pool),
      out_(out) {
  const PlanComponent& c = t.components[component];
  batch_size_ = c.batch_size;
  for (size_t i = 0; i < c.streams.size(); ++i) {
    if (c.streams[i].name == "errors") errors_stream_ = static_cast<int>(i);
  }
  stream_emitted_ = std::make_unique<std::atomic<uint64_t>[]>(c.streams.size());
  for (size_t i = 0; i < c.streams.size(); ++i) stream_emitted_[i].store(0, std::memory_order_relaxed);
  for (const PlanStream& s : c.streams) {
    Stream& stream = streams_.emplace_back();
    stream.width = static_cast<int>(s.fields.size());
    for (const PlanEdge& e : s.edges) {
      Edge& edge = stream.edges.emplace_back();
      edge.plan = &e;
      const PlanComponent& consumer = t.components[e.consumer];
      for (int i = 0; i < consumer.parallelism; ++i) {
        edge.targets.push_back({e.consumer, i, first_task_[e.consumer] + i});
      }
      edge.rr = static_cast<uint64_t>(instance) % edge.targets.size();  // spread producers' first picks
      edge.load.assign(edge.targets.size(), 0);
    }
  }
}

Router::~Router() {
  for (Stream& s : streams_) {
    for (Edge& e : s.edges) {
      for (Target& t : e.targets) delete t.open;
    }
  }
}

void Router::PrepareCustom(const Registry& registry) {
  const PlanComponent& c = topology_.components[component_];
  for (size_t si = 0; si < streams_.size(); ++si) {
    for (Edge& e : streams_[si].edges) {
      if (e.plan->grouping.kind != GroupingKind::kCustom) continue;
      const GroupingFactory* make = registry.FindGrouping(e.plan->grouping.custom);
      if (!make) throw std::runtime_error("no implementation of custom grouping '" + e.plan->grouping.custom + "'");
      e.custom = (*make)();
      e.custom->Prepare(static_cast<int>(e.targets.size()), e.plan->grouping.custom_args, c.streams[si].fields);
    }
  }
}

void Router::Emit(int stream, const Datum* v) {
  Bump(stream_emitted_[stream]);
  Stream& s = streams_[stream];
  for (Edge& e : s.edges) {
    const size_t n = e.targets.size();
    switch (e.plan->grouping.kind) {
      case GroupingKind::kShuffle:
      case GroupingKind::kLocal:
      case GroupingKind::kNone:
        Put(e, s.width, e.rr, v);
        if (++e.rr == n) e.rr = 0;
        break;
      case GroupingKind::kFields: Put(e, s.width, ReduceHash(KeyHash(e.plan->grouping.field_indices, v), n), v); break;
      case GroupingKind::kPartial: {
        // Storm's partial-key grouping: two candidates per key, the less loaded wins.
        auto [a, b] = PartialKeyCandidates(KeyHash(e.plan->grouping.field_indices, v), n);
        size_t t = e.load[a] <= e.load[b] ? a : b;
        ++e.load[t];
        Put(e, s.width, t, v);
        break;
      }
      case GroupingKind::kAll:
        for (size_t t = 0; t < n; ++t) Put(e, s.width, t, v);
        break;
      case GroupingKind::kGlobal: Put(e, s.width, 0, v); break;
      case GroupingKind::kDirect:  // only EmitDirect reaches direct readers: never a silent loss
        throw std::runtime_error("emitted on stream '" + topology_.components[component_].streams[stream].name +
                                 "' without naming a task, but '" + topology_.components[e.plan->consumer].name +
                                 "' reads it with 'direct'");
      case GroupingKind::kCustom:
        e.chosen.clear();
        e.custom->Choose(v, &e.chosen);
        if (e.chosen.empty()) {  // never a silent drop
          throw std::runtime_error("custom grouping '" + e.plan->grouping.custom + "' chose no instance of " +
                                   std::to_string(n) + " for a tuple");
        }
        for (int t : e.chosen) {
          if (t < 0 || static_cast<size_t>(t) >= n) {
            throw std::runtime_error("custom grouping '" + e.plan->grouping.custom + "' chose instance " +
                                     std::to_string(t) + " of " + std::to_string(n));
          }
          Put(e, s.width, static_cast<size_t>(t), v);
        }
        break;
    }
  }
}

void Router::EmitAll(int stream, const Batch& batch) {
  Stream& s = streams_[stream];
  bool all_shuffled = !acker_;  // with acking every delivery gets its own edge
  for (const Edge& e : s.edges) all_shuffled &= Shuffled(e.plan->grouping.kind);
  if (!all_shuffled || batch.empty()) {
    Emitter::EmitAll(stream, batch);
    return;
  }
  // Shuffled subscribers: the batch goes whole to the next instance in turn.
  Bump(stream_emitted_[stream], batch.size());
  for (Edge& e : s.edges) {
    Target& target = e.targets[e.rr];
    if (++e.rr == e.targets.size()) e.rr = 0;
    if (!target.open) {
      target.open = pool_->Get(s.width, batch_size_);
      ++open_;
    }
    target.open->AppendAll(batch);
    if (target.open->size() >= static_cast<size_t>(batch_size_)) Send(e, target);
  }
}

void Router::CheckDirect(int stream, const std::string& target) const {
  for (const Edge& e : streams_[stream].edges) {
    if (e.plan->grouping.kind == GroupingKind::kDirect) continue;
    throw std::runtime_error("emitted direct to " + target + " on stream '" +
                             topology_.components[component_].streams[stream].name + "', but '" +
                             topology_.components[e.plan->consumer].name + "' reads it with '" +
                             std::string(GroupingName(e.plan->grouping.kind)) + "', not 'direct'");
  }
}

void Router::EmitDirect(int stream, int instance, const Datum* v) {
  CheckDirect(stream, "instance " + std::to_string(instance));
  Bump(stream_emitted_[stream]);
  Stream& s = streams_[stream];
  for (Edge& e : s.edges) {
    if (e.plan->grouping.kind != GroupingKind::kDirect) continue;
    if (instance < 0 || static_cast<size_t>(instance) >= e.targets.size()) {
      throw std::runtime_error("direct emit to instance " + std::to_string(instance) + " of '" +
                               topology_.components[e.plan->consumer].name + "', which has " +
                               std::to_string(e.targets.size()));
    }
    Put(e, s.width, static_cast<size_t>(instance), v);
  }
}

void Router::Error(std::string_view input, std::string_view reason) {
  Bump(errors_);
  if (errors_stream_ >= 0) {
    Datum v[2] = {Datum::Str(input), Datum::Str(reason)};
    Emit(errors_stream_, v);  // counted among errors, not emits (emitted())
  } else if (unrouted_) {
    unrouted_(input, reason);
  }
}

void Router::EmitRecording(int stream, const Datum* v, std::vector<int>* tasks) {
  record_ = tasks;
  try {
    Emit(stream, v);
  } catch (...) {
    record_ = nullptr;
    throw;
  }
  record_ = nullptr;
}

void Router::EmitDirectTask(int stream, int task, const Datum* v) {
  CheckDirect(stream, "task " + std::to_string(task));
  for (Edge& e : streams_[stream].edges) {
    if (e.plan->grouping.kind != GroupingKind::kDirect) continue;
    int index = task - first_task_[e.plan->consumer];
    if (index < 0 || static_cast<size_t>(index) >= e.targets.size()) {
      throw std::runtime_error("direct emit to task " + std::to_string(task) + ", which is not an instance of '" +
                               topology_.components[e.plan->consumer].name + "'");
    }
    Bump(stream_emitted_[stream]);
    Put(e, streams_[stream].width, static_cast<size_t>(index), v);
  }
}

void Router::FlushAll() {
  if (open_ == 0) return;
  for (Stream& s : streams_) {
    for (Edge& e : s.edges) {
      for (Target& t : e.targets) {
        if (t.open) Send(e, t);
      }
    }
  }
}

void Router::SendEos() {
  FlushAll();
  for (Stream& s : streams_) {
    for (Edge& e : s.edges) {
      for (Target& t : e.targets) {
        Message m;
        m.kind = Message::Kind::kEos;
        m.input = e.plan->input;
        m.count = t.sent;
        out_->Deliver(t.component, t.index, m);
      }
    }
  }
}

void Router::Put(Edge& e, int width, size_t t, const Datum* v) {
  Target& target = e.targets[t];
  if (record_) record_->push_back(target.task_id);
  if (!target.open) {
    target.open = pool_->Get(width, batch_size_);
    ++open_;
  }
  if (acker_) {
    uint64_t edge = 0;
    if (!roots_.empty()) {
      edge = Acker::NewId();
      for (uint64_t r : roots_) Xor(r, edge);
    }
    target.open->AppendTracked(v, edge, roots_.data(), static_cast<uint32_t>(roots_.size()));
  } else {
    target.open->Append(v);
  }
  if (target.open->size() >= static_cast<size_t>(batch_size_)) Send(e, target);
}

void Router::Send(Edge& e, Target& t) {
  if (!starts_.empty()) acker_->StartMany(&starts_);
  Message m;
  m.kind = Message::Kind::kData;
  m.input = e.plan->input;
  m.batch = t.open;
  m.batch->set_source_task(first_task_[component_] + instance_);
  t.open = nullptr;
  --open_;
  ++t.sent;
  out_->Deliver(t.component, t.index, m);
}

}  // namespace smc::rt

namespace smc::rt {

void Router::AddRoots(const uint64_t* roots, uint32_t n) {
  for (uint32_t k = 0; k < n; ++k) {
    bool seen = false;
    for (uint64_t r : roots_) seen |= r == roots[k];
    if (!seen) roots_.push_back(roots[k]);
  }
}

void Router::PassAll(int stream, const Batch& batch) {
  if (!acker_ || !batch.tracked()) {
    EmitAll(stream, batch);
    return;
  }
  std::vector<Datum> values(batch.width());
  for (size_t t = 0; t < batch.size(); ++t) {
    Anchor(batch, t);
    for (int k = 0; k < batch.width(); ++k) values[k] = batch.Get(t, k);
    Emit(stream, values.data());
  }
  roots_.clear();
}

void Router::Anchor(const Batch& batch, size_t t) {
  roots_.clear();
  AnchorAlso(batch, t);
}

void Router::AnchorAlso(const Batch& batch, size_t t) {
  if (!acker_ || !batch.tracked()) return;
  if (&batch == auto_batch_ && !auto_acked_[t]) {
    auto_acked_[t] = true;
    AckTuple(batch, t);
  }
  AddRoots(batch.roots(t), batch.track(t).root_count);
}

void Router::BeginAutoAck(const Batch& batch) {
  if (!acker_ || !batch.tracked()) return;
  auto_batch_ = &batch;
  auto_acked_.assign(batch.size(), false);
}

void Router::EndAutoAck() {
  if (!auto_batch_) return;
  for (size_t t = 0; t < auto_batch_->size(); ++t) {
    if (!auto_acked_[t]) AckTuple(*auto_batch_, t);
  }
  auto_batch_ = nullptr;
}

void Router::AnchorTo(const std::vector<const TupleAck*>& anchors) {
  roots_.clear();
  if (!acker_) return;
  for (const TupleAck* a : anchors) AddRoots(a->roots.data(), static_cast<uint32_t>(a->roots.size()));
}

void Router::BeginTree(SpoutAcks* owner, uint64_t msg) {
  roots_.clear();
  if (!acker_) return;
  uint64_t root = Acker::NewId();
  // Counted now (max.spout.pending sees it at once); started in the acker
  // in a group, before any batch that carries it can reach a bolt (Send).
  owner->AddPending();
  starts_.push_back({root, owner, msg});
  Xor(root, root);  // the tree's starting value, XORed out
  roots_.push_back(root);
}

void Router::AckTuple(const Batch& batch, size_t t) {
  if (!acker_ || !batch.tracked()) return;
  const TupleTrack& k = batch.track(t);
  const uint64_t* r = batch.roots(t);
  for (uint32_t i = 0; i < k.root_count; ++i) Xor(r[i], k.edge);
}

void Router::AckAll(const Batch& batch) {
  if (!acker_ || !batch.tracked()) return;
  for (size_t t = 0; t < batch.size(); ++t) AckTuple(batch, t);
}

void Router::Ack(const TupleAck& tuple) {
  if (!acker_) return;
  for (uint64_t r : tuple.roots) Xor(r, tuple.edge);
}

void Router::Fail(const TupleAck& tuple) {
  if (!acker_) return;
  acker_->Fail(tuple.roots.data(), tuple.roots.size());
}

void Router::HoldTuple(const Batch& batch, size_t t, HeldTrees* group, HoldCursor* c) {
  const TupleTrack& k = batch.track(t);
  const uint64_t* r = batch.roots(t);
  for (uint32_t i = 0; i < k.root_count; ++i) {
    if (c->value && r[i] == c->root) {  // the tuples of one tree often come together
      *c->value ^= k.edge;
      continue;
    }
    auto [value, inserted] = group->xors.TryInsert(r[i]);
    if (inserted) {
      *value = 0;
      parks_.push_back(r[i]);
    }
    *value ^= k.edge;
    *c = {r[i], value};
  }
}

void Router::HoldAll(const Batch& batch) {
  if (!acker_ || !batch.tracked()) return;
  HoldCursor c;
  for (size_t t = 0; t < batch.size(); ++t) HoldTuple(batch, t, &held_, &c);
}

void Router::Hold(const Batch& batch, size_t t, HeldTrees* group) {
  if (!acker_ || !batch.tracked()) return;
  HoldCursor c;
  HoldTuple(batch, t, group, &c);
}

void Router::Release(HeldTrees* group) {
  if (group->xors.empty()) return;
  group->xors.ForEach([this](uint64_t root, uint64_t x) { updates_.push_back({root, x}); });
  group->xors.Clear();
}

void Router::Retarget(int consumer, const std::vector<int>& task_ids) {
  const PlanComponent& c = topology_.components[component_];
  for (size_t si = 0; si < streams_.size(); ++si) {
    for (Edge& e : streams_[si].edges) {
      if (e.plan->consumer != consumer) continue;
      for (size_t i = task_ids.size(); i < e.targets.size(); ++i) {
        if (e.targets[i].open) throw std::logic_error("rebalance with a batch open for a removed instance");
      }
      e.targets.resize(std::min(e.targets.size(), task_ids.size()));
      for (size_t i = e.targets.size(); i < task_ids.size(); ++i) {
        e.targets.push_back({consumer, static_cast<int>(i), task_ids[i]});
      }
      e.rr = static_cast<uint64_t>(instance_) % e.targets.size();
      e.load.assign(e.targets.size(), 0);
      if (e.custom)
        e.custom->Prepare(static_cast<int>(e.targets.size()), e.plan->grouping.custom_args, c.streams[si].fields);
    }
  }
}

void Router::TakeHeld(Router& from) {
  from.held_.xors.ForEach([this](uint64_t root, uint64_t x) {
    auto [value, inserted] = held_.xors.TryInsert(root);
    if (inserted) *value = 0;  // parked already, by `from`
    *value ^= x;
  });
  from.held_.xors.Clear();
}

void Router::FlushAcks() {
  if (!acker_) return;
  acker_->StartMany(&starts_);  // before the updates of their trees
  if (!parks_.empty()) {
    acker_->Park(parks_.data(), parks_.size());
    parks_.clear();
  }
  acker_->Apply(&updates_);
}

}  // namespace smc::rt
