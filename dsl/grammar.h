// The PEGTL grammar of the .topo language (private to dsl/).
//
// Rules read like the EBNF in smc-topo(5). Every point where the parser
// commits (`must<...>`) has its own named rule and one error message in
// errors.h. The grammar is applied statement by statement by the parser
// (parser.cc) so that one mistake does not hide the next.
#pragma once

#include <algorithm>
#include <cctype>
#include <string>
#include <tao/pegtl.hpp>
#include <tao/pegtl/contrib/analyze_traits.hpp>

#include "dsl/limits.h"

namespace smc::dsl::grammar {

using namespace tao::pegtl;  // NOLINT: the grammar reads better unqualified

// ---- lexical ---------------------------------------------------------------

struct comment : seq<one<'#'>, until<eolf>> {};
struct ws : star<sor<space, comment>> {};

struct ident_first : ranges<'a', 'z', 'A', 'Z', '_'> {};
struct ident_char : ranges<'a', 'z', 'A', 'Z', '0', '9', '_'> {};
// A hyphen may appear inside a name but never ends one, so `a->` reads as `a ->`.
struct ident_other : sor<ident_char, seq<one<'-'>, at<ident_char>>> {};

/// Matches (without consuming) a statement keyword that is the first word on
/// its line. A statement keyword at the start of a line always starts a
/// statement, so a statement cut short reports what it is missing instead of
/// taking the next line's keyword as a name.
struct keyword_at_line_start {
  using rule_t = keyword_at_line_start;
  using subs_t = empty_list;

  template <apply_mode, rewind_mode, template <typename...> class Action, template <typename...> class Control,
            typename ParseInput, typename... States>
  static bool match(ParseInput& in, States&&...) {
    const char* p = in.current();
    const char* q = p;
    while (q > in.begin() && (q[-1] == ' ' || q[-1] == '\t' || q[-1] == '\r')) --q;
    if (q == in.begin() || q[-1] != '\n') return false;
    static const char* const kWords[] = {"param", "topology", "tasks", "task", "set", "spout", "bolt", "sink"};
    const size_t left = static_cast<size_t>(in.end() - p);
    for (const char* w : kWords) {
      size_t n = std::char_traits<char>::length(w);
      if (left >= n && std::equal(w, w + n, p) &&
          (left == n || !(std::isalnum(static_cast<unsigned char>(p[n])) || p[n] == '_' || p[n] == '-'))) {
        return true;
      }
    }
    return false;
  }
};

struct identifier : seq<not_at<keyword_at_line_start>, ident_first, star<ident_other>> {};

template <typename Word>
struct keyword : seq<Word, not_at<ident_char>, not_at<one<'-'>, ident_char>> {};

struct kw_param : keyword<TAO_PEGTL_STRING("param")> {};
struct kw_topology : keyword<TAO_PEGTL_STRING("topology")> {};
struct kw_tasks : keyword<TAO_PEGTL_STRING("tasks")> {};
struct kw_task : keyword<TAO_PEGTL_STRING("task")> {};
struct kw_set : keyword<TAO_PEGTL_STRING("set")> {};
struct kw_spout : keyword<TAO_PEGTL_STRING("spout")> {};
struct kw_bolt : keyword<TAO_PEGTL_STRING("bolt")> {};
struct kw_sink : keyword<TAO_PEGTL_STRING("sink")> {};
struct kw_after : keyword<TAO_PEGTL_STRING("after")> {};
struct kw_custom : keyword<TAO_PEGTL_STRING("custom")> {};
struct kw_true : keyword<TAO_PEGTL_STRING("true")> {};
struct kw_false : keyword<TAO_PEGTL_STRING("false")> {};

/// Words that start a statement; a grouping name can never be one of them.
struct statement_keyword : sor<kw_param, kw_topology, kw_tasks, kw_task, kw_set, kw_spout, kw_bolt, kw_sink> {};

// ---- values ----------------------------------------------------------------

struct escape_code : one<'"', '\\', 'n', 't', 'r', '$'> {};
struct escape : seq<one<'\\'>, must<escape_code>> {};
struct interpolation_name : identifier {};
// `${task.result}`: a dependency's result path, left in the text for the task runner.
struct result_suffix : TAO_PEGTL_STRING(".result") {};
struct result_ref : seq<identifier, result_suffix> {};
// `${env:NAME}` and `${env:NAME:-default}`: the environment, read when the file is parsed.
struct env_name : plus<sor<alnum, one<'_'>>> {};
struct env_default : star<not_one<'}', '"', '\\', '\n', '\r'>> {};
struct env_ref : seq<TAO_PEGTL_STRING("env:"), must<env_name>, opt<TAO_PEGTL_STRING(":-"), env_default>> {};
struct interpolation_close : one<'}'> {};
struct interpolation
    : seq<one<'$'>, one<'{'>, sor<env_ref, result_ref, must<interpolation_name>>, must<interpolation_close>> {};
struct plain_chars : plus<not_one<'"', '\\', '\n', '\r', '$'>> {};
struct dollar : one<'$'> {};
struct string_close : one<'"'> {};
struct string_lit : seq<one<'"'>, star<sor<plain_chars, escape, interpolation, dollar>>, must<string_close>> {};

struct digits : plus<digit> {};
struct number_body : seq<opt<one<'-'>>, digits, opt<one<'.'>, digits>> {};
struct unit : plus<alpha> {};
struct number : seq<number_body, opt<unit>, not_at<ident_char>> {};

struct boolean : sor<kw_true, kw_false> {};
struct param_name_ref : identifier {};
struct param_ref : seq<one<'$'>, must<param_name_ref>> {};

struct value;
struct list_close : one<']'> {};
struct list_body
    : seq<one<'['>, ws, opt<value, star<ws, one<','>, ws, value>, opt<ws, one<','>>, ws>, must<list_close>> {};

/// The message of a value nested past kMaxListDepth (dsl/limits.h).
inline constexpr const char* kListTooDeep = "lists nest deeper than 64 levels";
static_assert(kMaxListDepth == 64, "keep kListTooDeep and smc-topo(5) in step");

/// Lists nested in the value being read, on this thread.
inline thread_local int list_depth = 0;

/// A list_body, counted: the grammar recurses once per nesting level, so at
/// the (kMaxListDepth + 1)-th open '[' it raises a parse error instead of
/// recursing further. The count survives neither a failed nor a raised match.
struct list {
  using rule_t = list;
  using subs_t = type_list<list_body>;

  template <apply_mode A, rewind_mode M, template <typename...> class Action, template <typename...> class Control,
            typename ParseInput, typename... States>
  static bool match(ParseInput& in, States&&... st) {
    if (in.empty() || in.peek_char() != '[') return false;
    if (list_depth >= kMaxListDepth) throw parse_error(kListTooDeep, in);
    struct Count {
      Count() { ++list_depth; }
      ~Count() { --list_depth; }
      Count(const Count&) = delete;
      Count& operator=(const Count&) = delete;
    } count;
    return Control<list_body>::template match<A, M, Action, Control>(in, st...);
  }
};
struct value : sor<string_lit, list, param_ref, boolean, number> {};

// ---- shared pieces -----------------------------------------------------------

struct equals : one<'='> {};
struct key : seq<identifier, star<one<'.'>, identifier>> {};
struct setting_value : value {};
struct pair : seq<key, ws, must<equals>, ws, must<setting_value>> {};
struct settings_close : one<'}'> {};
struct settings_block
    : seq<one<'{'>, ws, opt<pair, star<ws, opt<one<','>, ws>, pair>, opt<ws, one<','>>, ws>, must<settings_close>> {};

struct arg_name : identifier {};
struct arg_value : value {};
struct named_arg : seq<arg_name, ws, one<':'>, ws, must<arg_value>> {};
struct arg : sor<named_arg, value> {};
struct next_arg : arg {};
struct arg_list : seq<arg, star<ws, one<','>, ws, must<next_arg>>> {};
struct args_close : one<')'> {};
struct args_body : sor<one<')'>, seq<arg_list, ws, must<args_close>>> {};
struct impl_open : one<'('> {};
struct impl_name : identifier {};
struct impl : seq<impl_name, ws, must<impl_open>, ws, must<args_body>> {};

// ---- statements --------------------------------------------------------------

struct param_name : identifier {};
struct param_value : value {};
struct param_stmt : seq<kw_param, ws, must<param_name>, ws, must<equals>, ws, must<param_value>> {};

struct set_key : key {};
struct set_stmt : seq<kw_set, ws, must<set_key>, ws, must<equals>, ws, must<setting_value>> {};

struct parallelism : seq<one<'x'>, opt<one<'-'>>, digits, not_at<ident_char>> {};
// Storm users write `x 2`; the message says how smc spells it.
struct spaced_parallelism : seq<one<'x'>, plus<blank>, opt<one<'-'>>, digits, not_at<ident_char>> {};
struct parallelism_spacing : failure {};
struct parallelism_or_hint : sor<parallelism, seq<at<spaced_parallelism>, must<parallelism_spacing>>> {};

struct source_name : identifier {};
struct stream_name : identifier {};
struct source : seq<source_name, opt<one<'.'>, must<stream_name>>> {};
struct field_name : identifier {};
struct next_field : field_name {};
struct field_list : seq<field_name, star<ws, one<','>, ws, must<next_field>>> {};
struct fields_close : one<')'> {};
struct grouping_field_list : field_list {};
struct grouping_fields : seq<one<'('>, ws, must<grouping_field_list>, ws, must<fields_close>> {};
struct grouping_name : identifier {};
struct custom_name : identifier {};
struct custom_grouping : seq<kw_custom, ws, must<custom_name>, ws, must<impl_open>, ws, must<args_body>> {};
struct named_grouping : seq<not_at<statement_keyword>, grouping_name, opt<ws, grouping_fields>> {};
struct grouping : sor<custom_grouping, named_grouping> {};
struct input : seq<source, ws, must<grouping>> {};
struct first_input : input {};
struct next_input : input {};
struct inputs : seq<TAO_PEGTL_STRING("<-"), ws, must<first_input>, star<ws, one<','>, ws, must<next_input>>> {};

struct output_open : one<'('> {};
struct output_fields : seq<ws, opt<field_list, ws>, must<fields_close>> {};
struct default_output : seq<one<'('>, output_fields> {};
struct output_stream_name : identifier {};
struct named_output : seq<output_stream_name, ws, must<output_open>, output_fields> {};
struct next_output : named_output {};
struct output_spec : sor<default_output, seq<named_output, star<ws, one<','>, ws, must<next_output>>>> {};
struct outputs : seq<TAO_PEGTL_STRING("->"), ws, must<output_spec>> {};

struct component_kind : sor<kw_spout, kw_bolt, kw_sink> {};
struct component_name : identifier {};
struct component : seq<component_kind, ws, must<component_name>, ws, must<equals>, ws, must<impl>,
                       opt<ws, parallelism_or_hint>, opt<ws, inputs>, opt<ws, outputs>, opt<ws, settings_block>> {};

struct block_open : one<'{'> {};
struct block_close : one<'}'> {};
struct topology_name : identifier {};
struct topology_head : seq<kw_topology, ws, must<topology_name>, ws, must<block_open>> {};
struct topology_item : sor<set_stmt, component, block_close> {};

struct task_name : identifier {};
struct dep_name : identifier {};
struct after_clause : seq<kw_after, ws, must<dep_name>, star<ws, one<','>, ws, must<dep_name>>> {};
// A template's parameters: `task resize(path, size = "640x480") = ...`.
struct template_param_name : identifier {};
struct template_default : value {};
struct template_param : seq<template_param_name, opt<ws, one<'='>, ws, must<template_default>>> {};
struct next_template_param : template_param {};
struct template_params_close : one<')'> {};
struct template_params : seq<one<'('>, ws, opt<template_param, star<ws, one<','>, ws, must<next_template_param>>>, ws,
                             must<template_params_close>> {};
struct task_stmt : seq<kw_task, ws, must<task_name>, opt<ws, template_params>, ws, must<equals>, ws, must<impl>,
                       opt<ws, after_clause>, opt<ws, settings_block>> {};
struct tasks_name : identifier {};
struct tasks_head : seq<kw_tasks, ws, must<tasks_name>, ws, must<block_open>> {};
struct tasks_item : sor<set_stmt, task_stmt, block_close> {};

struct file_item : sor<param_stmt, topology_head, tasks_head> {};

/// One value alone (what ParseLiteral reads), for analysis and tests.
struct literal_value_for_tests : seq<ws, value, ws, eof> {};

/// The whole language in one rule, for analysis and tests. The parser applies
/// the *_item rules one statement at a time instead, to recover from errors.
struct topology_block : seq<topology_head, ws, until<block_close, topology_item, ws>> {};
struct tasks_block : seq<tasks_head, ws, until<block_close, tasks_item, ws>> {};
struct file : seq<ws, star<sor<param_stmt, topology_block, tasks_block>, ws>, eof> {};

}  // namespace smc::dsl::grammar

// list is a list_body with a depth count.
template <typename Name>
struct tao::pegtl::analyze_traits<Name, smc::dsl::grammar::list>
    : analyze_traits<Name, typename smc::dsl::grammar::list_body::rule_t> {};

// keyword_at_line_start consumes nothing and may fail: like an `at<...>`.
template <typename Name>
struct tao::pegtl::analyze_traits<Name, smc::dsl::grammar::keyword_at_line_start> : analyze_opt_traits<> {};
