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
#include <map>
#include <thread>

#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

#include "dsl/graph.h"
#include "runtime/jobs.h"
#include "runtime/json_read.h"
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

void AppendGrouping(const GraphGrouping& g, std::string* out) {
  out->append("{\"type\": \"");
  out->append(StormGroupingName(static_cast<int>(g.kind)));
  out->append("\"");
  if (g.kind == GroupingKind::kFields || g.kind == GroupingKind::kGlobal) {
    out->append(", \"fields\": ");
    AppendStrings(g.kind == GroupingKind::kGlobal ? std::vector<std::string>{} : g.fields, out);
  }
  out->push_back('}');
}

// A setting's value as JSON: durations in seconds, sizes in bytes.
void AppendValueJson(const Value& v, std::string* out) {
  switch (v.type) {
    case ValueType::kString: AppendJsonString(v.str, out); break;
    case ValueType::kBool: out->append(v.num ? "true" : "false"); break;
    case ValueType::kInt:
    case ValueType::kSize: out->append(std::to_string(v.num)); break;
    case ValueType::kFloat: AppendDatumJson(rt::Datum::Float(v.real), out); break;
    case ValueType::kDuration:
      if (v.num % 1'000'000'000 == 0) {
        out->append(std::to_string(v.num / 1'000'000'000));
      } else {
        AppendDatumJson(rt::Datum::Float(static_cast<double>(v.num) / 1e9), out);
      }
      break;
    case ValueType::kList:
      out->push_back('[');
      for (size_t i = 0; i < v.list.size(); ++i) {
        if (i) out->append(", ");
        AppendValueJson(v.list[i], out);  // bounded: the grammar refuses lists nested over 64 levels
      }
      out->push_back(']');
      break;
  }
}

std::string Seconds(int64_t ns) {
  return std::to_string(std::max<int64_t>(1, ns / 1'000'000'000));
}

}  // namespace

std::string ConfJson(const rt::Context& ctx, int64_t message_timeout_ns) {
  const rt::TopologyView& t = *ctx.topology;
  std::map<std::string, std::string> conf;  // key -> JSON text
  AppendJsonString(t.name, &conf["topology.name"]);
  conf["topology.message.timeout.secs"] = Seconds(message_timeout_ns);
  conf["topology.subprocess.timeout.secs"] = Seconds(ctx.subprocess_timeout_ns);
  if (ctx.tick_ns > 0) conf["topology.tick.tuple.freq.secs"] = Seconds(ctx.tick_ns);
  conf["topology.acker.executors"] = ctx.acking ? "1" : "0";  // smc's acker runs inside the job
  conf["topology.workers"] = "1";
  conf["topology.max.spout.pending"] = std::to_string(t.max_pending);
  for (const auto& [key, value] : t.conf) {
    std::string name = key.rfind("conf.", 0) == 0 ? key.substr(5) : key;
    std::string& text = conf[name];
    text.clear();
    AppendValueJson(value, &text);
  }
  std::string out = "{";
  for (const auto& [key, text] : conf) {
    if (out.size() > 1) out += ", ";
    AppendJsonString(key, &out);
    out += ": " + text;
  }
  return out + "}";
}

std::string HandshakeJson(const rt::Context& ctx, const std::string& pid_dir, int64_t message_timeout_ns) {
  const rt::TopologyView& t = *ctx.topology;
  std::string out = "{\"conf\": " + ConfJson(ctx, message_timeout_ns);
  out += ", \"pidDir\": ";
  AppendJsonString(pid_dir, &out);
  out += ", \"context\": {\"task->component\": {";
  for (size_t task = 0; task < t.task_components.size(); ++task) {
    out += task ? ", " : "";
    out += "\"" + std::to_string(task + 1) + "\": ";
    AppendJsonString(t.task_components[task], &out);
  }
  out += "}, \"taskid\": " + std::to_string(ctx.task_id) + ", \"componentid\": ";
  AppendJsonString(ctx.component, &out);
  out += ", \"stream->target->grouping\": {";
  for (size_t s = 0; s < ctx.stream_names.size(); ++s) {
    out += s ? ", " : "";
    AppendJsonString(ctx.stream_names[s], &out);
    out += ": {";
    const auto& subs = t.subscribers[s];
    for (size_t e = 0; e < subs.size(); ++e) {
      out += e ? ", " : "";
      AppendJsonString(subs[e].component, &out);
      out += ": ";
      AppendGrouping(subs[e].grouping, &out);
    }
    out += "}";
  }
  out += "}, \"streams\": [";
  for (size_t s = 0; s < ctx.stream_names.size(); ++s) {
    out += s ? ", " : "";
    AppendJsonString(ctx.stream_names[s], &out);
  }
  out += "], \"stream->outputfields\": {";
  for (size_t s = 0; s < ctx.stream_names.size(); ++s) {
    out += s ? ", " : "";
    AppendJsonString(ctx.stream_names[s], &out);
    out += ": ";
    AppendStrings(ctx.stream_fields[s], &out);
  }
  // Inputs, grouped by source component and stream.
  std::string groupings, fields;
  std::vector<std::string> sources;
  for (const rt::TopologyView::Source& in : t.inputs) {
    if (std::find(sources.begin(), sources.end(), in.component) == sources.end()) sources.push_back(in.component);
  }
  for (size_t k = 0; k < sources.size(); ++k) {
    std::string g, f;
    for (const rt::TopologyView::Source& in : t.inputs) {
      if (in.component != sources[k]) continue;
      g += g.empty() ? "" : ", ";
      AppendJsonString(in.stream, &g);
      g += ": ";
      AppendGrouping(in.grouping, &g);
      f += f.empty() ? "" : ", ";
      AppendJsonString(in.stream, &f);
      f += ": ";
      AppendStrings(in.fields, &f);
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
    if (input_closed_.load() && (text.find("Read EOF from stdin") != std::string::npos ||
                                 text.find("end of file reached") != std::string::npos)) {
      return true;  // the end of the input smc closed: how Storm's adapters exit
    }
    ctx_.shared->Log(label_ + " error: " + text);
    ctx_.shared->Error("", text);
    return true;
  }
  if (m.command == "metrics") {
    std::string name = StringMember(m, "name");
    const rapidjson::Value* params = m.Find("params");
    if (name.empty() || !params) {
      ctx_.shared->Log(label_ + " warning: a metrics message without a name and params was ignored");
    } else if (params->IsNumber()) {
      ctx_.shared->AddMetric(name, params->GetDouble());
    } else {
      rapidjson::StringBuffer sb;  // bounded: the frame was parsed within rt::kMaxJsonDepth
      rapidjson::Writer<rapidjson::StringBuffer> w(sb);
      params->Accept(w);
      ctx_.shared->SetMetric(name, std::string_view(sb.GetString(), sb.GetSize()));
    }
    return true;
  }
  return false;
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
  const rapidjson::Value* need_v = m.Find("need_task_ids");
  bool need = !need_v || !need_v->IsBool() || need_v->GetBool();
  tasks_.clear();
  try {
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
    if (track.msg) {
      ctx_.shared->EmitWithId(index, values_.data(), need ? &tasks_ : nullptr, -1, *track.msg);
    } else if (track.anchors) {
      ctx_.shared->EmitAnchored(index, values_.data(), need ? &tasks_ : nullptr, -1, *track.anchors);
    } else {
      ctx_.shared->Emit(index, values_.data(), need ? &tasks_ : nullptr);
    }
  } catch (const std::runtime_error& e) {
    throw EmitError(e.what());
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
