#include "dsl/parser.h"

#include <cerrno>
#include <cmath>
#include <cstdlib>
#include <tao/pegtl/contrib/parse_tree.hpp>

#include "dsl/errors.h"
#include "dsl/grammar.h"
#include "dsl/syntax_text.h"

namespace smc {
namespace {

namespace pegtl = tao::pegtl;
namespace g = dsl::grammar;
using Node = pegtl::parse_tree::node;

// The rules that become parse-tree nodes; everything else is structure.
template <typename Rule>
using Selector = pegtl::parse_tree::selector<
    Rule,
    pegtl::parse_tree::store_content::on<
        g::string_lit, g::plain_chars, g::escape_code, g::interpolation_name, g::result_ref, g::env_ref, g::env_name,
        g::env_default, g::dollar, g::number, g::number_body, g::unit, g::boolean, g::param_ref, g::param_name_ref,
        g::list, g::param_stmt, g::param_name, g::set_stmt, g::set_key, g::pair, g::key, g::settings_block,
        g::component, g::component_kind, g::component_name, g::impl, g::impl_name, g::named_arg, g::arg_name,
        g::parallelism, g::inputs, g::first_input, g::next_input, g::source_name, g::stream_name, g::grouping_name,
        g::grouping_fields, g::field_name, g::next_field, g::custom_grouping, g::custom_name, g::outputs,
        g::default_output, g::named_output, g::next_output, g::output_stream_name, g::block_close, g::topology_head,
        g::topology_name, g::tasks_head, g::tasks_name, g::task_stmt, g::task_name, g::dep_name, g::template_params,
        g::template_param, g::next_template_param, g::template_param_name>>;

class Parser {
 public:
  Parser(SourceFilePtr source, Diagnostics* diags)
      : source_(std::move(source)), text_(source_->text()), diags_(diags) {}

  ast::File Run() {
    file_.source = source_;
    size_t pos = 0;
    while (true) {
      pos = dsl::SkipSpace(text_, pos);
      if (pos >= text_.size()) break;
      size_t start = pos;
      try {
        auto root = ParseAt<g::file_item>(&pos);
        if (!root) {
          SyntaxError(start, start, "expected 'param', 'topology' or 'tasks'");
          pos = dsl::Sync(text_, start, /*top_level=*/true);
          continue;
        }
        const Node& n = *root->children.front();
        if (n.is_type<g::param_stmt>()) {
          file_.params.push_back(ConvertParam(n));
        } else if (n.is_type<g::topology_head>()) {
          ParseTopologyBody(n, &pos);
        } else {
          ParseTasksBody(n, &pos);
        }
      } catch (const pegtl::parse_error& e) {
        size_t at = e.positions().front().byte;
        SyntaxError(start, at, std::string(e.message()));
        pos = dsl::Sync(text_, start, /*top_level=*/true);
      }
    }
    return std::move(file_);
  }

 private:
  // ---- driving the grammar ----------------------------------------------------

  template <typename Rule>
  std::unique_ptr<Node> ParseAt(size_t* pos) {
    // The nodes keep a view of the input's source name: give them the path
    // the SourceFile owns, which outlives them (not a copy that dies here).
    pegtl::memory_input<pegtl::tracking_mode::eager, pegtl::eol::lf_crlf, std::string_view> in(
        text_.data() + *pos, text_.data() + text_.size(), std::string_view(source_->path()), *pos, 1, 1);
    auto root = pegtl::parse_tree::parse<Rule, Selector, pegtl::nothing, g::control>(in);
    if (root) *pos = static_cast<size_t>(in.current() - text_.data());
    return root;
  }

  Diagnostic& SyntaxError(size_t start, size_t at, std::string message) {
    if (message.rfind("expected", 0) == 0) message += ", got " + dsl::Describe(text_, at);
    uint32_t where = static_cast<uint32_t>(dsl::ErrorLocation(text_, start, at));
    return diags_->Error(source_, {where, where + 1}, std::move(message));
  }

  void Error(SourceRange r, std::string message) { diags_->Error(source_, r, std::move(message)); }

  // ---- blocks ---------------------------------------------------------------

  template <typename ItemRule, typename Handle>
  void ParseBlock(const Node& head, const char* what, const char* expected, size_t* pos, Handle handle) {
    const Node& name = *head.children.front();
    size_t open = head.end().byte - 1;
    bool had_error = false;
    while (true) {
      *pos = dsl::SkipSpace(text_, *pos);
      if (*pos >= text_.size()) {
        if (!had_error) {
          SyntaxError(open, *pos, std::string("expected '}' to close ") + what + " '" + name.string() + "'")
              .Note({uint32_t(open), uint32_t(open + 1)}, "to match this '{'");
        }
        return;
      }
      size_t start = *pos;
      if (had_error && dsl::IsKeywordAt(text_, start, /*top_level=*/true)) return;
      try {
        auto root = ParseAt<ItemRule>(pos);
        if (!root && dsl::IsKeywordAt(text_, start, /*top_level=*/true)) {
          // Most likely a '}' was forgotten: end the block here.
          SyntaxError(head.begin().byte, start,
                      std::string("expected '}' to close ") + what + " '" + name.string() + "'")
              .Note({uint32_t(open), uint32_t(open + 1)}, "to match this '{'");
          return;
        }
        if (!root) {
          SyntaxError(start, start, expected);
          had_error = true;
          *pos = dsl::Sync(text_, start, /*top_level=*/false);
          continue;
        }
        const Node& n = *root->children.front();
        if (n.is_type<g::block_close>()) return;
        handle(n);
      } catch (const pegtl::parse_error& e) {
        SyntaxError(start, e.positions().front().byte, std::string(e.message()));
        had_error = true;
        *pos = dsl::Sync(text_, start, /*top_level=*/false);
      }
    }
  }

  void ParseTopologyBody(const Node& head, size_t* pos) {
    ast::Topology t;
    t.name = ConvertName(*head.children.front());
    t.range = Range(head);
    ParseBlock<g::topology_item>(head, "topology", "expected 'spout', 'bolt', 'sink', 'set' or '}'", pos,
                                 [&](const Node& n) {
                                   if (n.is_type<g::set_stmt>()) {
                                     t.settings.push_back(ConvertSetting(n));
                                   } else {
                                     t.components.push_back(ConvertComponent(n));
                                   }
                                 });
    file_.topologies.push_back(std::move(t));
  }

  void ParseTasksBody(const Node& head, size_t* pos) {
    ast::TaskGraph tg;
    tg.name = ConvertName(*head.children.front());
    tg.range = Range(head);
    ParseBlock<g::tasks_item>(head, "tasks block", "expected 'task', 'set' or '}'", pos, [&](const Node& n) {
      if (n.is_type<g::set_stmt>()) {
        tg.settings.push_back(ConvertSetting(n));
      } else {
        tg.tasks.push_back(ConvertTask(n));
      }
    });
    file_.task_graphs.push_back(std::move(tg));
  }

  // ---- parse tree -> AST ----------------------------------------------------------

  static SourceRange Range(const Node& n) {
    return {static_cast<uint32_t>(n.begin().byte), static_cast<uint32_t>(n.end().byte)};
  }

  static ast::Name ConvertName(const Node& n) { return {n.string(), Range(n)}; }

  ast::Param ConvertParam(const Node& n) {
    ast::Param p;
    p.name = ConvertName(*n.children[0]);
    p.value = ConvertExpr(*n.children[1]);
    p.range = Range(n);
    return p;
  }

  ast::Setting ConvertSetting(const Node& n) {
    // set_stmt: set_key value; pair: key value
    ast::Setting s;
    s.key = ConvertName(*n.children[0]);
    s.value = ConvertExpr(*n.children[1]);
    s.range = Range(n);
    return s;
  }

  std::vector<ast::Setting> ConvertSettings(const Node& block) {
    std::vector<ast::Setting> out;
    for (const auto& c : block.children) out.push_back(ConvertSetting(*c));
    return out;
  }

  ast::Impl ConvertImpl(const Node& n) {
    // impl: impl_name (named_arg | value)*; custom_grouping: custom_name args...
    ast::Impl impl;
    impl.name = ConvertName(*n.children[0]);
    impl.range = Range(n);
    for (size_t i = 1; i < n.children.size(); ++i) {
      const Node& a = *n.children[i];
      ast::Arg arg;
      arg.range = Range(a);
      if (a.is_type<g::named_arg>()) {
        arg.name = ConvertName(*a.children[0]);
        arg.value = ConvertExpr(*a.children[1]);
      } else {
        arg.value = ConvertExpr(a);
      }
      impl.args.push_back(std::move(arg));
    }
    return impl;
  }

  ast::Component ConvertComponent(const Node& n) {
    ast::Component c;
    c.range = Range(n);
    for (const auto& child : n.children) {
      const Node& k = *child;
      if (k.is_type<g::component_kind>()) {
        std::string kind = k.string();
        c.kind = kind == "spout" ? ComponentKind::kSpout : kind == "sink" ? ComponentKind::kSink : ComponentKind::kBolt;
        c.kind_range = Range(k);
      } else if (k.is_type<g::component_name>()) {
        c.name = ConvertName(k);
      } else if (k.is_type<g::impl>()) {
        c.impl = ConvertImpl(k);
      } else if (k.is_type<g::parallelism>()) {
        c.parallelism_range = Range(k);
        std::string digits = k.string().substr(1);
        errno = 0;
        long long v = std::strtoll(digits.c_str(), nullptr, 10);
        if (errno == ERANGE) v = digits[0] == '-' ? INT64_MIN : INT64_MAX;
        c.parallelism = v;
      } else if (k.is_type<g::inputs>()) {
        c.inputs_range = {Range(k).begin, Range(k).begin + 2};
        for (const auto& in : k.children) c.inputs.push_back(ConvertInput(*in));
      } else if (k.is_type<g::outputs>()) {
        c.has_outputs = true;
        c.outputs_range = {Range(k).begin, Range(k).begin + 2};
        for (const auto& out : k.children) c.outputs.push_back(ConvertOutput(*out));
      } else if (k.is_type<g::settings_block>()) {
        c.settings = ConvertSettings(k);
      }
    }
    return c;
  }

  ast::Input ConvertInput(const Node& n) {
    ast::Input in;
    in.range = Range(n);
    for (const auto& child : n.children) {
      const Node& k = *child;
      if (k.is_type<g::source_name>()) {
        in.source = ConvertName(k);
      } else if (k.is_type<g::stream_name>()) {
        in.stream = ConvertName(k);
      } else if (k.is_type<g::grouping_name>()) {
        in.grouping.name = ConvertName(k);
        in.grouping.range = Range(k);
      } else if (k.is_type<g::grouping_fields>()) {
        in.grouping.has_fields = true;
        in.grouping.range.end = Range(k).end;
        for (const auto& f : k.children) in.grouping.fields.push_back(ConvertName(*f));
      } else if (k.is_type<g::custom_grouping>()) {
        in.grouping.name = {"custom", {Range(k).begin, Range(k).begin + 6}};
        in.grouping.range = Range(k);
        in.grouping.custom = ConvertImpl(k);
      }
    }
    return in;
  }

  ast::OutputStream ConvertOutput(const Node& n) {
    ast::OutputStream out;
    out.range = Range(n);
    size_t first_field = 0;
    if (n.is_type<g::default_output>()) {
      out.name = {"default", {Range(n).begin, Range(n).begin + 1}};
    } else {
      out.name = ConvertName(*n.children[0]);
      first_field = 1;
    }
    for (size_t i = first_field; i < n.children.size(); ++i) out.fields.push_back(ConvertName(*n.children[i]));
    return out;
  }

  // template_params: template_param (template_param_name [value])...
  std::vector<ast::TemplateParam> ConvertTemplateParams(const Node& n) {
    std::vector<ast::TemplateParam> out;
    for (const auto& child : n.children) {
      ast::TemplateParam p;
      p.name = ConvertName(*child->children.at(0));
      if (child->children.size() > 1) p.default_value = ConvertExpr(*child->children[1]);
      out.push_back(std::move(p));
    }
    return out;
  }

  ast::Task ConvertTask(const Node& n) {
    ast::Task t;
    t.range = Range(n);
    for (const auto& child : n.children) {
      const Node& k = *child;
      if (k.is_type<g::task_name>())
        t.name = ConvertName(k);
      else if (k.is_type<g::impl>())
        t.impl = ConvertImpl(k);
      else if (k.is_type<g::dep_name>())
        t.after.push_back(ConvertName(k));
      else if (k.is_type<g::template_params>())
        t.params = ConvertTemplateParams(k);
      else if (k.is_type<g::settings_block>())
        t.settings = ConvertSettings(k);
    }
    return t;
  }

 public:
  ast::Expr ConvertValue(const Node& n) { return ConvertExpr(n); }

 private:
  // `${env:NAME}`: the variable's value; with `:-default`, the default
  // when it is unset or empty (as in the shell); unset without one: an error.
  std::string EnvText(const Node& p) {
    std::string name, fallback;
    bool has_default = false;
    for (const auto& c : p.children) {
      if (c->is_type<g::env_name>()) name = c->string();
      if (c->is_type<g::env_default>()) {
        has_default = true;
        fallback = c->string();
      }
    }
    const char* value = std::getenv(name.c_str());
    if (value && (*value || !has_default)) return value;
    if (has_default) return fallback;
    Error(Range(p), "environment variable '" + name + "' is not set; give a default with ${env:" + name + ":-DEFAULT}");
    return "";
  }

  ast::Expr ConvertExpr(const Node& n) {
    ast::Expr e;
    e.range = Range(n);
    if (n.is_type<g::string_lit>()) {
      e.kind = ast::Expr::Kind::kString;
      for (const auto& child : n.children) {
        const Node& p = *child;
        if (p.is_type<g::interpolation_name>()) {
          e.pieces.push_back({true, p.string(), Range(p)});
          continue;
        }
        std::string text;
        if (p.is_type<g::result_ref>()) {
          text = "${" + p.string() + "}";  // a task's result, resolved when the task runs
        } else if (p.is_type<g::env_ref>()) {
          text = EnvText(p);
        } else if (p.is_type<g::escape_code>()) {
          char c = p.string()[0];
          text = c == 'n' ? "\n" : c == 't' ? "\t" : c == 'r' ? "\r" : std::string(1, c);
        } else {
          text = p.string();  // plain_chars, dollar
        }
        if (!e.pieces.empty() && !e.pieces.back().is_param) {
          e.pieces.back().text += text;
          e.pieces.back().range.end = Range(p).end;
        } else {
          e.pieces.push_back({false, text, Range(p)});
        }
      }
    } else if (n.is_type<g::list>()) {
      e.kind = ast::Expr::Kind::kList;
      for (const auto& child : n.children) e.items.push_back(ConvertExpr(*child));
    } else if (n.is_type<g::param_ref>()) {
      e.kind = ast::Expr::Kind::kParamRef;
      e.param = n.children[0]->string();
    } else if (n.is_type<g::boolean>()) {
      e.literal = Value::Bool(n.string() == "true");
    } else {
      e.literal = ConvertNumber(n);
    }
    return e;
  }

  Value ConvertNumber(const Node& n) {
    std::string body = n.children[0]->string();
    std::string unit = n.children.size() > 1 ? n.children[1]->string() : "";
    bool is_float = body.find('.') != std::string::npos;
    errno = 0;
    double real = std::strtod(body.c_str(), nullptr);
    long long integer = is_float ? 0 : std::strtoll(body.c_str(), nullptr, 10);
    if (!is_float && errno == ERANGE) {
      Error(Range(n), "integer '" + body + "' is out of range");
      return Value::Int(0);
    }
    if (unit.empty()) return is_float ? Value::Float(real) : Value::Int(integer);
    struct UnitScale {
      const char* name;
      double scale;
      bool duration;
    };
    static const UnitScale kUnits[] = {{"ns", 1, true},
                                       {"us", 1e3, true},
                                       {"ms", 1e6, true},
                                       {"s", 1e9, true},
                                       {"m", 60e9, true},
                                       {"h", 3600e9, true},
                                       {"B", 1, false},
                                       {"KiB", 1024.0, false},
                                       {"MiB", 1048576.0, false},
                                       {"GiB", 1073741824.0, false},
                                       {"TiB", 1099511627776.0, false}};
    for (const UnitScale& u : kUnits) {
      if (unit != u.name) continue;
      double scaled = std::round(real * u.scale);
      if (!(std::fabs(scaled) < 9.2e18)) {
        Error(Range(n), "'" + n.string() + "' is out of range");
        return Value::Int(0);
      }
      return u.duration ? Value::Duration(static_cast<int64_t>(scaled)) : Value::Size(static_cast<int64_t>(scaled));
    }
    Error(Range(*n.children[1]), "unknown unit '" + unit + "'; expected ns, us, ms, s, m, h, B, KiB, MiB, GiB or TiB");
    return Value::Int(0);
  }

  SourceFilePtr source_;
  const std::string& text_;
  Diagnostics* diags_;
  ast::File file_;
};

}  // namespace

ast::File Parse(SourceFilePtr source, Diagnostics* diags) {
  return Parser(std::move(source), diags).Run();
}

namespace {

struct literal_text : pegtl::seq<g::ws, g::value, g::ws, pegtl::eof> {};

std::optional<Value> LiteralOf(const ast::Expr& e) {
  switch (e.kind) {
    case ast::Expr::Kind::kLiteral: return e.literal;
    case ast::Expr::Kind::kParamRef: return std::nullopt;
    case ast::Expr::Kind::kString: {
      std::string s;
      for (const ast::StringPiece& p : e.pieces) {
        if (p.is_param) return std::nullopt;
        s += p.text;
      }
      return Value::String(s);
    }
    case ast::Expr::Kind::kList: {
      std::vector<Value> items;
      for (const ast::Expr& item : e.items) {
        std::optional<Value> v = LiteralOf(item);
        if (!v) return std::nullopt;
        items.push_back(*v);
      }
      return Value::List(std::move(items));
    }
  }
  return std::nullopt;
}

}  // namespace

std::optional<Value> ParseLiteral(std::string_view text) {
  auto source = std::make_shared<SourceFile>("<command line>", std::string(text));
  Diagnostics diags;
  std::optional<Value> result;
  try {
    pegtl::memory_input<> in(source->text(), source->path());
    auto root = pegtl::parse_tree::parse<literal_text, Selector, pegtl::nothing, g::control>(in);
    if (!root || root->children.empty()) return std::nullopt;
    Parser parser(source, &diags);
    result = LiteralOf(parser.ConvertValue(*root->children.front()));
  } catch (const pegtl::parse_error&) {
    return std::nullopt;
  }
  if (diags.HasErrors()) return std::nullopt;
  return result;
}

}  // namespace smc
