// One error message for every point where the .topo grammar commits
// (private to dsl/). A message that starts with "expected" gets ", got X"
// appended by the parser, X describing what was found instead.
#pragma once

#include "dsl/grammar.h"

namespace smc::dsl::grammar {

template <typename Rule>
inline constexpr const char* error_message = nullptr;

#define SMC_ERROR(rule, text) \
  template <>                 \
  inline constexpr const char* error_message<rule> = text

SMC_ERROR(escape_code, "unknown escape sequence; use \\\", \\\\, \\n, \\t, \\r or \\$");
SMC_ERROR(interpolation_name, "expected a parameter name after '${'");
SMC_ERROR(interpolation_close, "expected '}' to close '${'");
SMC_ERROR(env_name, "expected an environment variable name after '${env:'");
SMC_ERROR(string_close, "expected '\"' to end the string");
SMC_ERROR(param_name_ref, "expected a parameter name after '$'");
SMC_ERROR(list_close, "expected ',' or ']'");
SMC_ERROR(equals, "expected '='");
SMC_ERROR(setting_value, "expected a value");
SMC_ERROR(arg_value, "expected a value");
SMC_ERROR(param_value, "expected a value");
SMC_ERROR(settings_close, "expected 'key = value' or '}'");
SMC_ERROR(next_arg, "expected an argument");
SMC_ERROR(args_close, "expected ',' or ')'");
SMC_ERROR(args_body, "expected an argument or ')'");
SMC_ERROR(impl_open, "expected '(' after the implementation name");
SMC_ERROR(impl, "expected an implementation, such as 'split(...)'");
SMC_ERROR(parallelism_spacing, "the parallelism is written with no space after 'x', such as 'x2'");
SMC_ERROR(param_name, "expected a parameter name");
SMC_ERROR(set_key, "expected a setting name");
SMC_ERROR(stream_name, "expected a stream name after '.'");
SMC_ERROR(grouping_field_list, "expected a field name");
SMC_ERROR(next_field, "expected a field name");
SMC_ERROR(fields_close, "expected ',' or ')'");
SMC_ERROR(custom_name, "expected a grouping name after 'custom'");
SMC_ERROR(grouping,
          "expected a grouping (shuffle, fields(...), partial(...), all, global, direct, local, "
          "none or custom)");
SMC_ERROR(first_input, "expected a component name after '<-'");
SMC_ERROR(next_input, "expected a component name after ','");
SMC_ERROR(output_open, "expected '(' after the stream name");
SMC_ERROR(output_spec, "expected '(' or a stream name after '->'");
SMC_ERROR(next_output, "expected a stream name after ','");
SMC_ERROR(component_name, "expected a component name");
SMC_ERROR(topology_name, "expected a topology name");
SMC_ERROR(block_open, "expected '{'");
SMC_ERROR(task_name, "expected a task name");
SMC_ERROR(dep_name, "expected a task name");
SMC_ERROR(next_template_param, "expected a parameter name");
SMC_ERROR(template_default, "expected a default value");
SMC_ERROR(template_params_close, "expected ',' or ')'");
SMC_ERROR(tasks_name, "expected a name for the tasks block");

#undef SMC_ERROR

/// The control class: raises a parse_error with the rule's message.
struct Errors {
  template <typename Rule>
  static constexpr const char* message = error_message<Rule>;
};

template <typename Rule>
using control = typename tao::pegtl::must_if<Errors>::template control<Rule>;

}  // namespace smc::dsl::grammar
