// Command-line errors and shell completion, from the CLI11 app that main
// builds: smc's own lower-case messages with suggestions ("unknown command
// 'runn'; did you mean 'run'?"), and `smc completion bash|zsh` scripts that
// list exactly the subcommands and options the binary has.
#pragma once

#include <iosfwd>
#include <string>

namespace CLI {
class App;
class ParseError;
}  // namespace CLI

namespace smc {

/// The message (without "smc: error: ") for a command line that `app`
/// rejected with `e` after parsing argv[1..argc).
std::string UsageMessage(const CLI::App& app, const CLI::ParseError& e, int argc, const char* const* argv);

/// Writes "smc: error: MESSAGE" and the pointer to --help for the command in use.
void ReportUsage(const CLI::App& app, const CLI::ParseError& e, int argc, const char* const* argv, std::ostream& err);

struct CompletionOptions {
  std::string shell;  // bash or zsh
};
void SetupCompletion(CLI::App& app, CompletionOptions& opts);
/// Prints the completion script for `opts.shell`, generated from `app`.
int RunCompletion(const CompletionOptions& opts, const CLI::App& app, std::ostream& out);

}  // namespace smc
