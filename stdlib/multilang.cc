#include "stdlib/multilang.h"

#include <poll.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <charconv>
#include <cmath>
#include <cstdio>

#include "dsl/graph.h"
#include "runtime/plan.h"
#include "stdlib/formats.h"

namespace smc::stdlib {

bool FrameReader::TakeMessage(std::string* json) {
  // Messages end with a line that is exactly "end" (a '\r' before '\n' is allowed).
  size_t pos = scanned_;
  while (true) {
    size_t nl = buf_.find('\n', pos);
    if (nl == std::string::npos) {
      scanned_ = pos;
      return false;
    }
    std::string_view line(buf_.data() + pos, nl - pos);
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    if (line == "end") {
      json->assign(buf_, 0, pos);
      buf_.erase(0, nl + 1);
      scanned_ = 0;
      return true;
    }
    pos = nl + 1;
  }
}

FrameReader::Result FrameReader::Read(std::string* json, int64_t timeout_ns, int wake_fd) {
  auto deadline = std::chrono::steady_clock::now() + std::chrono::nanoseconds(timeout_ns);
  while (true) {
    if (TakeMessage(json)) return Result::kMessage;
    int wait_ms = -1;
    if (timeout_ns >= 0) {
      auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
      if (left.count() <= 0) return Result::kTimeout;
      wait_ms = static_cast<int>(std::min<int64_t>(left.count() + 1, 1 << 30));
    }
    pollfd fds[2] = {{fd_, POLLIN, 0}, {wake_fd, POLLIN, 0}};
    int ready = ::poll(fds, wake_fd >= 0 ? 2 : 1, wait_ms);
    if (ready < 0) {
      if (errno == EINTR) continue;
      error_ = errno;
      return Result::kError;
    }
    if (ready == 0) continue;  // the deadline is checked above
    if (wake_fd >= 0 && (fds[1].revents & POLLIN)) return Result::kTimeout;
    char chunk[65536];
    ssize_t n = ::read(fd_, chunk, sizeof chunk);
    if (n < 0) {
      if (errno == EINTR || errno == EAGAIN) continue;
      error_ = errno;
      return Result::kError;
    }
    if (n == 0) return Result::kEof;
    buf_.append(chunk, static_cast<size_t>(n));
  }
}

bool WriteAll(int fd, std::string_view data) {
  size_t done = 0;
  while (done < data.size()) {
    ssize_t n = ::write(fd, data.data() + done, data.size() - done);
    if (n < 0) {
      if (errno == EINTR) continue;
      return false;
    }
    done += static_cast<size_t>(n);
  }
  return true;
}

void AppendDatumJson(const rt::Datum& d, std::string* out) {
  switch (d.type) {
    case rt::Type::kString: AppendJsonString(d.s, out); break;
    case rt::Type::kNull: out->append("null"); break;
    case rt::Type::kFloat: {
      if (!std::isfinite(d.f)) {  // JSON has no NaN or infinity
        out->append("null");
        break;
      }
      char buf[32];
      auto r = std::to_chars(buf, buf + sizeof buf, d.f);  // shortest text that reads back the same
      std::string_view text(buf, r.ptr - buf);
      out->append(text);
      if (text.find_first_of(".e") == std::string_view::npos) out->append(".0");  // 1.0 stays a float
      break;
    }
    default: d.AppendText(out);
  }
}

void AppendTupleJson(std::string_view id, std::string_view comp, std::string_view stream, int task,
                     const rt::Batch& b, size_t t, std::string* out) {
  out->append("{\"id\": ");
  AppendJsonString(id, out);
  out->append(", \"comp\": ");
  AppendJsonString(comp, out);
  out->append(", \"stream\": ");
  AppendJsonString(stream, out);
  out->append(", \"task\": ");
  out->append(std::to_string(task));
  out->append(", \"tuple\": [");
  for (int k = 0; k < b.width(); ++k) {
    if (k) out->append(", ");
    AppendDatumJson(b.Get(t, k), out);
  }
  out->append("]}");
}

const char* StormGroupingName(int kind) {
  switch (static_cast<GroupingKind>(kind)) {
    case GroupingKind::kShuffle: return "SHUFFLE";
    case GroupingKind::kFields: return "FIELDS";
    case GroupingKind::kPartial: return "CUSTOM_OBJECT";
    case GroupingKind::kAll: return "ALL";
    case GroupingKind::kGlobal: return "FIELDS";
    case GroupingKind::kDirect: return "DIRECT";
    case GroupingKind::kLocal: return "LOCAL_OR_SHUFFLE";
    case GroupingKind::kNone: return "NONE";
    case GroupingKind::kCustom: return "CUSTOM_OBJECT";
  }
  return "SHUFFLE";
}

namespace {

void AppendStrings(const std::vector<std::string>& v, std::string* out) {
  out->push_back('[');
  for (size_t i = 0; i < v.size(); ++i) {
    if (i) out->append(", ");
    AppendJsonString(v[i], out);
  }
  out->push_back(']');
}

void AppendGrouping(const GraphGrouping& g, const std::vector<std::string>& stream_fields, std::string* out) {
  out->append("{\"type\": \"");
  out->append(StormGroupingName(static_cast<int>(g.kind)));
  out->append("\"");
  if (g.kind == GroupingKind::kFields || g.kind == GroupingKind::kGlobal) {
    out->append(", \"fields\": ");
    AppendStrings(g.kind == GroupingKind::kGlobal ? std::vector<std::string>{} : g.fields, out);
  }
  (void)stream_fields;
  out->push_back('}');
}

}  // namespace

std::string HandshakeJson(const rt::Context& ctx, const std::string& pid_dir) {
  const rt::PlanTopology& t = *ctx.topology;
  const rt::PlanComponent& self = t.components[ctx.component_index];
  std::string out = "{\"conf\": {\"topology.name\": ";
  AppendJsonString(t.name, &out);
  out += ", \"topology.message.timeout.secs\": 30, \"topology.subprocess.timeout.secs\": " +
         std::to_string(std::max<int64_t>(1, ctx.subprocess_timeout_ns / 1'000'000'000)) + "}";
  out += ", \"pidDir\": ";
  AppendJsonString(pid_dir, &out);
  out += ", \"context\": {\"task->component\": {";
  bool first = true;
  for (size_t c = 0; c < t.components.size(); ++c) {
    for (int i = 0; i < t.components[c].parallelism; ++i) {
      out += first ? "" : ", ";
      first = false;
      out += "\"" + std::to_string(ctx.first_task[c] + i) + "\": ";
      AppendJsonString(t.components[c].name, &out);
    }
  }
  out += "}, \"taskid\": " + std::to_string(ctx.task_id) + ", \"componentid\": ";
  AppendJsonString(self.name, &out);
  out += ", \"stream->target->grouping\": {";
  for (size_t s = 0; s < self.streams.size(); ++s) {
    out += s ? ", " : "";
    AppendJsonString(self.streams[s].name, &out);
    out += ": {";
    for (size_t e = 0; e < self.streams[s].edges.size(); ++e) {
      const rt::PlanEdge& edge = self.streams[s].edges[e];
      out += e ? ", " : "";
      AppendJsonString(t.components[edge.consumer].name, &out);
      out += ": ";
      AppendGrouping(edge.grouping, self.streams[s].fields, &out);
    }
    out += "}";
  }
  out += "}, \"streams\": [";
  for (size_t s = 0; s < self.streams.size(); ++s) {
    out += s ? ", " : "";
    AppendJsonString(self.streams[s].name, &out);
  }
  out += "], \"stream->outputfields\": {";
  for (size_t s = 0; s < self.streams.size(); ++s) {
    out += s ? ", " : "";
    AppendJsonString(self.streams[s].name, &out);
    out += ": ";
    AppendStrings(self.streams[s].fields, &out);
  }
  // Inputs, grouped by source component and stream.
  std::string groupings, fields;
  std::vector<std::string> sources;
  for (const rt::PlanInput& in : self.inputs) {
    const std::string& src = t.components[in.source].name;
    if (std::find(sources.begin(), sources.end(), src) == sources.end()) sources.push_back(src);
  }
  for (size_t k = 0; k < sources.size(); ++k) {
    std::string g, f;
    for (size_t i = 0; i < self.inputs.size(); ++i) {
      const rt::PlanInput& in = self.inputs[i];
      const rt::PlanComponent& src = t.components[in.source];
      if (src.name != sources[k]) continue;
      const rt::PlanStream& stream = src.streams[in.stream];
      for (const rt::PlanEdge& e : stream.edges) {
        if (t.components[e.consumer].name != self.name || e.input != static_cast<int>(i)) continue;
        g += g.empty() ? "" : ", ";
        AppendJsonString(stream.name, &g);
        g += ": ";
        AppendGrouping(e.grouping, stream.fields, &g);
      }
      f += f.empty() ? "" : ", ";
      AppendJsonString(stream.name, &f);
      f += ": ";
      AppendStrings(stream.fields, &f);
    }
    groupings += (k ? ", " : "");
    AppendJsonString(sources[k], &groupings);
    groupings += ": {" + g + "}";
    fields += (k ? ", " : "");
    AppendJsonString(sources[k], &fields);
    fields += ": {" + f + "}";
  }
  out += "}, \"source->stream->grouping\": {" + groupings + "}, \"source->stream->fields\": {" + fields + "}}}";
  return out;
}

}  // namespace smc::stdlib
