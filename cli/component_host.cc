#include "cli/component_host.h"

#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <ostream>

#include "cli/exit_codes.h"
#include "cli/flux/flux_format.h"
#include "dsl/parser.h"
#include "dsl/validator.h"
#include "runtime/json_read.h"
#include "stdlib/builtins.h"
#include "stdlib/formats.h"

namespace smc {

void ProtocolEmitter::Emit(int stream, const rt::Datum* values) {
  out_ += "{\"command\": \"emit\", \"stream\": ";
  stdlib::AppendJsonString(streams_[stream], &out_);
  if (!anchor_.empty()) {
    out_ += ", \"anchors\": [";
    stdlib::AppendJsonString(anchor_, &out_);
    out_ += "]";
  }
  out_ += ", \"tuple\": [";
  for (int k = 0; k < widths_[stream]; ++k) {
    if (k) out_ += ", ";
    stdlib::AppendDatumJson(values[k], &out_);
  }
  out_ += "], \"need_task_ids\": false}\nend\n";
}

void ProtocolEmitter::Error(std::string_view input, std::string_view reason) {
  std::string msg = std::string(reason) + ": " + std::string(input);
  out_ += error_as_ == ErrorAs::kLog ? "{\"command\": \"log\", \"msg\": " : "{\"command\": \"error\", \"msg\": ";
  stdlib::AppendJsonString(msg, &out_);
  out_ += error_as_ == ErrorAs::kLog ? ", \"level\": 3}\nend\n" : "}\nend\n";
}

bool ProtocolEmitter::Flush() {
  bool ok = stdlib::WriteAll(1, out_);
  out_.clear();
  return ok;
}

std::string ArgText(const ComponentSpec* component, const std::string& key, const std::string& value) {
  const ParamSpec* spec = nullptr;
  if (component) {
    for (const ParamSpec& p : component->params) {
      if (p.name == key) spec = &p;
    }
  }
  auto quoted = [](const std::string& v) { return Value::String(v).ToSource(); };
  const ParamType type = spec ? spec->type : ParamType::kString;
  switch (type) {
    case ParamType::kString:
    case ParamType::kField:
    case ParamType::kEnum: return quoted(value);
    case ParamType::kStringList:
    case ParamType::kFieldList:
    case ParamType::kStringOrList:
    case ParamType::kIntList: {
      if (!value.empty() && value.front() == '[') return value;  // a list literal (checked by the validator)
      if (type == ParamType::kStringOrList && value.find(',') == std::string::npos) return quoted(value);
      std::string list = "[";
      size_t start = 0;
      while (true) {
        size_t comma = value.find(',', start);
        std::string item = value.substr(start, comma == std::string::npos ? std::string::npos : comma - start);
        list += (start ? ", " : "") + (type == ParamType::kIntList ? item : quoted(item));
        if (comma == std::string::npos) break;
        start = comma + 1;
      }
      return list + "]";
    }
    default: return ParseLiteral(value) ? value : quoted(value);  // a type error is the validator's to report
  }
}

std::unique_ptr<rt::Plan> CompileSignature(ComponentKind kind, const std::string& name,
                                           const std::vector<std::string>& params, const std::string& prefix,
                                           const std::string& suffix, std::ostream& err) {
  std::string why;
  const ComponentSpec* spec = flux::ServedSignature(kind, name, params, &why);
  if (!why.empty()) {
    err << "smc component: error: " << why << "\n";
    return nullptr;
  }
  std::string text = prefix + name + "(";
  for (size_t i = 0; i < params.size(); ++i) {
    size_t eq = params[i].find('=');
    if (eq == std::string::npos) {
      err << "smc component: error: --param expects KEY=VALUE, got '" << params[i] << "'\n";
      return nullptr;
    }
    std::string key = params[i].substr(0, eq);
    text += (i ? ", " : "") + key + ": " + ArgText(spec, key, params[i].substr(eq + 1));
  }
  text += ")" + suffix;
  Diagnostics diags;
  auto source = std::make_shared<SourceFile>("<component>", text);
  ast::File file = Parse(source, &diags);
  Graph graph;
  if (!diags.HasErrors()) graph = Validate(file, StandardCatalog(), {}, &diags);
  if (diags.HasErrors()) {
    for (const Diagnostic& d : diags.all()) {
      if (d.severity == Severity::kError) err << "smc component: error: " << d.message << "\n";
    }
    return nullptr;
  }
  return std::make_unique<rt::Plan>(rt::Compile(graph));
}

void ReportTooLarge(std::ostream& err) {
  err << "smc component: error: a message on standard input is larger than " << (stdlib::kMaxFrameBytes >> 20)
      << " MiB\n";
}

int ReadHandshake(stdlib::FrameReader& reader, rapidjson::Document* hs, std::ostream& err) {
  std::string json, why;
  auto first = reader.Read(&json, -1);
  if (first == stdlib::FrameReader::Result::kTooLarge) {
    ReportTooLarge(err);
    return kExitDataErr;
  }
  if (first != stdlib::FrameReader::Result::kMessage) {
    err << "smc component: error: expected the multi-lang handshake on standard input\n";
    return kExitDataErr;
  }
  if (!rt::ParseJsonBounded(*hs, json, &why) || !hs->IsObject()) {
    err << "smc component: error: the handshake is not a JSON object" << (why.empty() ? "" : " (" + why + ")") << "\n";
    return kExitDataErr;
  }
  return kExitOk;
}

bool ReplyPid(const rapidjson::Document& hs, ProtocolEmitter& out) {
  auto pid_dir = hs.FindMember("pidDir");
  if (pid_dir != hs.MemberEnd() && pid_dir->value.IsString()) {
    std::ofstream(std::filesystem::path(pid_dir->value.GetString()) / std::to_string(::getpid()));
  }
  out.Send("{\"pid\": " + std::to_string(::getpid()) + "}");
  return out.Flush();
}

}  // namespace smc
