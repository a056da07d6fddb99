#include "stdlib/multilang.h"

#include <poll.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <charconv>
#include <chrono>
#include <cmath>
#include <cstdio>

#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <thread>

#include "dsl/graph.h"
#include "runtime/jobs.h"
#include "runtime/json_read.h"
#include "runtime/plan.h"
#include "runtime/stop.h"
#include "runtime/subprocess.h"
#include "stdlib/child.h"
#include "stdlib/formats.h"

namespace smc::stdlib {

void AppendTupleJson(std::string_view id, std::string_view comp, std::string_view stream, int task, const rt::Batch& b,
                     size_t t, std::string* out) {
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

std::string HandshakeJson(const rt::Context& ctx, const std::string& pid_dir, int64_t message_timeout_ns) {
  const rt::PlanTopology& t = *ctx.topology;
  const rt::PlanComponent& self = t.components[ctx.component_index];
  std::string out = "{\"conf\": {\"topology.name\": ";
  AppendJsonString(t.name, &out);
  out += ", \"topology.message.timeout.secs\": " +
         std::to_string(std::max<int64_t>(1, message_timeout_ns / 1'000'000'000)) +
         ", \"topology.subprocess.timeout.secs\": " +
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

// ---- the parent side of a shell component ----------------------------------------

namespace {

const char* LogLevel(int level) {
  static const char* const kNames[] = {"TRACE", "DEBUG", "INFO", "WARN", "ERROR"};
  return level >= 0 && level <= 4 ? kNames[level] : "INFO";
}

std::string StringMember(const ChildMessage& m, const char* name) {
  const rapidjson::Value* v = m.Find(name);
  return v && v->IsString() ? std::string(v->GetString(), v->GetStringLength()) : "";
}

// A fresh folder for the children's pid files, made exclusively (mkdtemp) in
// the user's private runtime folder, and removed when smc ends, however.
std::string MakePidDir(const rt::Context& ctx) {
  rt::JobRegistry registry;
  std::string error, base;
  if (registry.Open(&error)) {
    base = registry.dir();
  } else {
    std::error_code ec;
    base = std::filesystem::temp_directory_path(ec).string();  // mkdtemp is still exclusive, mode 0700
    if (base.empty()) base = "/tmp";
  }
  std::string path = base + "/pids-" + std::to_string(::getpid()) + "-" + std::to_string(ctx.task_id) + "-XXXXXX";
  if (!::mkdtemp(path.data())) {
    throw std::runtime_error("cannot create a pid folder in '" + base + "': " + std::strerror(errno));
  }
  rt::RemoveWhenProcessEnds(path);
  return path;
}

}  // namespace

ShellPeer::ShellPeer(const rt::Context& ctx, ComponentKind kind)
    : ctx_(ctx),
      label_("[" + ctx.component + "#" + std::to_string(ctx.instance) + "]"),
      restarts_(std::make_unique<RestartPolicy>(ctx, kind)) {}

ShellPeer::~ShellPeer() {
  if (pid_dir_.empty()) return;
  std::error_code ec;
  std::filesystem::remove_all(pid_dir_, ec);
  rt::ForgetWhenProcessEnds(pid_dir_);
}

std::unique_ptr<Child> ShellPeer::Launch(int64_t message_timeout_ns) {
  std::vector<std::string> argv;
  std::string error;
  if (!rt::SplitCommandLine(ctx_.StringArg("command"), &argv, &error)) throw std::runtime_error(error);
  if (pid_dir_.empty()) pid_dir_ = MakePidDir(ctx_);
  auto child = std::make_unique<Child>(ctx_, argv, nullptr);
  if (!child->Start(&error)) throw std::runtime_error(error);
  std::string hello;
  AppendFrame(HandshakeJson(ctx_, pid_dir_, message_timeout_ns), &hello);
  child->Write(std::move(hello), false);
  reader_ = std::make_unique<FrameReader>(child->stdout_fd());
  std::string json;
  auto r = reader_->Read(&json, ctx_.subprocess_timeout_ns);
  if (r != FrameReader::Result::kMessage) {
    std::string why = r == FrameReader::Result::kTimeout ? "did not answer the handshake within the subprocess timeout"
                      : r == FrameReader::Result::kTooLarge ? TooLargeFault()
                                                            : "ended before answering the handshake";
    throw std::runtime_error(Describe(child.get(), why));
  }
  try {
    ChildMessage m(json);
    const rapidjson::Value* pid = m.Find("pid");
    if (!pid || !pid->IsInt64()) throw ProtocolError("answered the handshake without its pid: " + Excerpt(json));
  } catch (const ProtocolError& e) {
    throw std::runtime_error(Describe(child.get(), e.what()));
  }
  return child;
}

std::string ShellPeer::Describe(Child* child, const std::string& what) {
  child->DrainStderr();
  std::string err = child->LastStderr();
  return "subprocess " + child->Describe() + " " + what + (err.empty() ? "" : "; last stderr: " + err);
}

std::string ShellPeer::EndedFault(Child* child, int* status) {
  *status = 0;
  if (!child->process()->Wait(200'000'000, status)) {
    return "closed its standard output while still running";
  }
  return "died (" + rt::Subprocess::DescribeStatus(*status) + ")";
}

std::string ShellPeer::TooLargeFault() {
  return "sent a message larger than " + std::to_string(kMaxFrameBytes >> 20) + " MiB";
}

bool ShellPeer::HandleCommon(const ChildMessage& m) {
  if (m.command == "log") {
    const rapidjson::Value* level = m.Find("level");
    int lv = level && level->IsInt() ? level->GetInt() : 2;
    ctx_.shared->Log(label_ + " " + LogLevel(lv) + ": " + StringMember(m, "msg"));
    return true;
  }
  if (m.command == "error") {
    std::string text = StringMember(m, "msg");
    ctx_.shared->Log(label_ + " error: " + text);
    ctx_.shared->Error("", text);
    return true;
  }
  return m.command == "metrics";
}

void ShellPeer::HandleEmit(const ChildMessage& m, Child* child, const EmitTrack& track) {
  const rapidjson::Value* s = m.Find("stream");
  std::string stream = s && s->IsString() ? std::string(s->GetString(), s->GetStringLength()) : "default";
  int index = ctx_.Stream(stream);
  if (index < 0) throw ProtocolError("emitted on stream '" + stream + "', which is not declared with '->'");
  const rapidjson::Value* t = m.Find("tuple");
  if (!t || !t->IsArray()) throw ProtocolError("emitted without a tuple array");
  const auto& arr = t->GetArray();
  size_t width = ctx_.stream_fields[index].size();
  if (arr.Size() != width) {
    throw ProtocolError("emitted " + std::to_string(arr.Size()) + " values on stream '" + stream + "', which has " +
                        std::to_string(width) + " fields");
  }
  values_.resize(width);
  scratch_.resize(width);
  for (size_t k = 0; k < width; ++k) values_[k] = JsonDatum(arr[k], &scratch_[k]);
  if (const rapidjson::Value* direct = m.Find("task"); direct && direct->IsInt()) {
    if (track.msg) {
      ctx_.shared->EmitWithId(index, values_.data(), nullptr, direct->GetInt(), *track.msg);
    } else if (track.anchors) {
      ctx_.shared->EmitAnchored(index, values_.data(), nullptr, direct->GetInt(), *track.anchors);
    } else {
      ctx_.shared->EmitDirect(index, direct->GetInt(), values_.data());
    }
    return;
  }
  const rapidjson::Value* need_v = m.Find("need_task_ids");
  bool need = !need_v || !need_v->IsBool() || need_v->GetBool();
  tasks_.clear();
  if (track.msg) {
    ctx_.shared->EmitWithId(index, values_.data(), need ? &tasks_ : nullptr, -1, *track.msg);
  } else if (track.anchors) {
    ctx_.shared->EmitAnchored(index, values_.data(), need ? &tasks_ : nullptr, -1, *track.anchors);
  } else {
    ctx_.shared->Emit(index, values_.data(), need ? &tasks_ : nullptr);
  }
  if (!need) return;
  std::string json = "[";
  for (size_t i = 0; i < tasks_.size(); ++i) json += (i ? ", " : "") + std::to_string(tasks_[i]);
  std::string frame;
  AppendFrame(json + "]", &frame);
  child->WriteNow(frame);  // the child waits for it; a child gone is noticed by the reader
}

bool ShellPeer::MayRestart(const std::string& message) {
  return restarts_->Allow(message);
}

}  // namespace smc::stdlib
