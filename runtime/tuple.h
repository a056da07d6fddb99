// Tuples and batches: what flows along the edges of a running topology.
//
// A tuple is a list of typed values (string, int, float, bool, null) that
// matches its stream's declared fields. A list or a map (from a multi-lang
// component's JSON) is a string holding its JSON text, flagged `json`:
// built-in components see it as that text, and multi-lang encoders and JSON
// output write it unquoted, so it reaches the next shell component as a list
// or a map again. Tuples never travel alone: a Batch
// holds many tuples of one stream in two flat buffers, the fields (16 bytes
// each) and an arena with the bytes of every string, so that moving a few
// hundred tuples costs about as much as moving one.
//
// Datum is a value as components see it: a string is a view into a batch's
// arena or into the component's own memory, valid until the component
// returns. A Batch is owned by one instance at a time; not thread-safe.
#pragma once

#include <cstdint>
#include <cstring>
#include <string>
#include <string_view>
#include <vector>

namespace smc::rt {

enum class Type : uint8_t { kNull, kInt, kFloat, kBool, kString };

/// One value as components read and emit it.
struct Datum {
  Type type = Type::kNull;
  bool json = false;   // kString only: `s` is the JSON text of a list or a map
  int64_t i = 0;       // kInt, kBool
  double f = 0;        // kFloat
  std::string_view s;  // kString

  static Datum Null() { return {}; }
  static Datum Int(int64_t v) {
    Datum d;
    d.type = Type::kInt;
    d.i = v;
    return d;
  }
  static Datum Float(double v) {
    Datum d;
    d.type = Type::kFloat;
    d.f = v;
    return d;
  }
  static Datum Bool(bool v) {
    Datum d;
    d.type = Type::kBool;
    d.i = v;
    return d;
  }
  static Datum Str(std::string_view v) {
    Datum d;
    d.type = Type::kString;
    d.s = v;
    return d;
  }
  /// A list or a map, as its JSON text (see the file comment).
  static Datum Json(std::string_view v) {
    Datum d = Str(v);
    d.json = true;
    return d;
  }

  /// The value as text: strings as they are, numbers in decimal, true/false,
  /// and "" for null.
  std::string ToText() const;
  void AppendText(std::string* out) const;
  bool operator==(const Datum& o) const;
};

/// A fast 64-bit hash of bytes (for routing and hash tables, not security).
inline uint64_t HashBytes(const char* p, size_t n) {
  auto mix = [](uint64_t a, uint64_t b) {
    __uint128_t r = static_cast<__uint128_t>(a ^ 0xa0761d6478bd642fULL) * (b ^ 0xe7037ed1a0b428dbULL);
    return static_cast<uint64_t>(r) ^ static_cast<uint64_t>(r >> 64);
  };
  uint64_t h = 0x8ebc6af09c88c6e3ULL ^ n;
  while (n >= 8) {
    uint64_t v;
    std::memcpy(&v, p, 8);
    h = mix(h, v);
    p += 8;
    n -= 8;
  }
  uint64_t tail = 0;
  for (size_t i = 0; i < n; ++i) tail |= static_cast<uint64_t>(static_cast<unsigned char>(p[i])) << (8 * i);
  return mix(h ^ 0x589965cc75374cc3ULL, tail ^ (static_cast<uint64_t>(n) << 56));
}

/// A hash of a datum that equal values share (1 and 1.0 are different values).
uint64_t HashDatumSlow(const Datum& d);
inline uint64_t HashDatum(const Datum& d) {
  return d.type == Type::kString ? HashBytes(d.s.data(), d.s.size()) : HashDatumSlow(d);
}

/// A value as a batch stores it (strings are arena offsets).
struct Field {
  Type type = Type::kNull;
  uint8_t json = 0;  // kString: Datum::json
  uint32_t len = 0;  // kString: byte length
  union {
    int64_t i;
    double f;
    uint64_t off;  // kString: offset into the arena
  };
  Field() : i(0) {}
};
static_assert(sizeof(Field) == 16);

/// With acking on, what a tuple in a batch carries for the acker
/// (runtime/acker.h): the random id of its edge (this delivery) and the span
/// of its tree roots in the batch's root list. Edge 0: not tracked.
struct TupleTrack {
  uint64_t edge = 0;
  uint32_t root_begin = 0;
  uint32_t root_count = 0;
};

/// A tracked tuple's acking state kept beyond its batch (by components that
/// ack later, such as shell bolts). Empty roots: not tracked.
struct TupleAck {
  uint64_t edge = 0;
  std::vector<uint64_t> roots;
};

/// Many tuples of one stream, all with `width` fields.
class Batch {
 public:
  Batch() = default;
  explicit Batch(int width) : width_(width) {}

  int width() const { return width_; }
  /// The Storm task id of the instance that emitted these tuples (0: unknown,
  /// such as a batch read from a channel). Set by the producer's router.
  int source_task() const { return source_task_; }
  void set_source_task(int task) { source_task_ = task; }
  size_t size() const { return width_ ? fields_.size() / width_ : count_; }
  bool empty() const { return size() == 0; }
  size_t bytes() const {
    return fields_.size() * sizeof(Field) + arena_.size() + track_.size() * sizeof(TupleTrack) +
           roots_.size() * sizeof(uint64_t);
  }

  /// True when the tuples carry acking state (only with acking on; then
  /// every tuple of the batch has a TupleTrack).
  bool tracked() const { return !track_.empty(); }
  /// Tuple `t`'s acking state; only when tracked().
  const TupleTrack& track(size_t t) const { return track_[t]; }
  const uint64_t* roots(size_t t) const { return roots_.data() + track_[t].root_begin; }
  /// Tuple `t`'s acking state as a value of its own (empty when not tracked).
  TupleAck AckOf(size_t t) const {
    TupleAck a;
    if (!tracked() || track_[t].root_count == 0) return a;
    a.edge = track_[t].edge;
    a.roots.assign(roots(t), roots(t) + track_[t].root_count);
    return a;
  }
  /// Appends one tuple with its acking state (`edge` 0 and no roots: not tracked).
  void AppendTracked(const Datum* values, uint64_t edge, const uint64_t* roots, uint32_t root_count) {
    track_.push_back({edge, static_cast<uint32_t>(roots_.size()), root_count});
    roots_.insert(roots_.end(), roots, roots + root_count);
    Append(values);
  }

  /// Field `f` of tuple `t`.
  Datum Get(size_t t, int f) const { return ToDatum(fields_[t * width_ + f]); }
  std::string_view GetStr(size_t t, int f) const {
    const Field& x = fields_[t * width_ + f];
    return x.type == Type::kString ? std::string_view(arena_.data() + x.off, x.len) : std::string_view();
  }

  /// Appends one tuple of `width()` values.
  void Append(const Datum* values) {
    for (int k = 0; k < width_; ++k) Push(values[k]);
    if (!width_) ++count_;
  }
  /// Appends tuple `t` of another batch of the same width.
  void AppendFrom(const Batch& other, size_t t) {
    for (int k = 0; k < width_; ++k) Push(other.Get(t, k));
    if (!width_) ++count_;
  }

  /// Appends every tuple of another batch of the same width (bulk copy).
  void AppendAll(const Batch& other) {
    const size_t first = fields_.size();
    const uint64_t shift = arena_.size();
    fields_.insert(fields_.end(), other.fields_.begin(), other.fields_.end());
    arena_.append(other.arena_);
    if (shift != 0) {
      for (size_t i = first; i < fields_.size(); ++i) {
        if (fields_[i].type == Type::kString) fields_[i].off += shift;
      }
    }
    if (!width_) count_ += other.count_;
  }

  /// The raw storage, for copying a batch as bytes (channels). Fields refer
  /// to the arena by offset, so both can be copied as they are.
  const std::vector<Field>& raw_fields() const { return fields_; }
  const std::string& raw_arena() const { return arena_; }
  /// Replaces the contents with raw storage taken from raw_fields/raw_arena.
  void AssignRaw(const Field* fields, size_t count, const char* arena, size_t arena_len) {
    fields_.assign(fields, fields + count);
    arena_.assign(arena, arena_len);
    track_.clear();
    roots_.clear();
    count_ = 0;
    source_task_ = 0;
  }

  void Clear() {
    fields_.clear();
    arena_.clear();
    track_.clear();
    roots_.clear();
    count_ = 0;
    source_task_ = 0;
  }
  void Reserve(size_t tuples, size_t bytes) {
    fields_.reserve(tuples * width_);
    arena_.reserve(bytes);
  }
  void Reset(int width) {
    width_ = width;
    Clear();
  }

 private:
  Datum ToDatum(const Field& x) const {
    Datum d;
    d.type = x.type;
    switch (x.type) {
      case Type::kString:
        d.s = std::string_view(arena_.data() + x.off, x.len);
        d.json = x.json != 0;
        break;
      case Type::kFloat: d.f = x.f; break;
      default: d.i = x.i;
    }
    return d;
  }
  void Push(const Datum& d) {
    Field& x = fields_.emplace_back();
    x.type = d.type;
    switch (d.type) {
      case Type::kString:
        x.off = arena_.size();
        x.len = static_cast<uint32_t>(d.s.size());
        x.json = d.json;
        arena_.append(d.s.data(), d.s.size());
        break;
      case Type::kFloat: x.f = d.f; break;
      default: x.i = d.i;
    }
  }

  int width_ = 0;
  int source_task_ = 0;
  size_t count_ = 0;  // tuples of width 0
  std::vector<Field> fields_;
  std::string arena_;
  std::vector<TupleTrack> track_;  // with acking only: one per tuple
  std::vector<uint64_t> roots_;
};

}  // namespace smc::rt
