#include "cli/usage.h"

#include <CLI/CLI.hpp>
#include <ostream>
#include <sstream>

#include "dsl/suggest.h"

namespace smc {
namespace {

// The subcommand argv names, or null when the first word names none.
const CLI::App* ChosenCommand(const CLI::App& app, int argc, const char* const* argv, std::string* word) {
  for (int i = 1; i < argc; ++i) {
    std::string a = argv[i];
    if (a.empty() || a[0] == '-') continue;
    *word = a;
    for (const CLI::App* sub : app.get_subcommands({})) {
      if (sub->check_name(a)) return sub;
    }
    return nullptr;
  }
  return nullptr;
}

std::vector<std::string> CommandNames(const CLI::App& app) {
  std::vector<std::string> names;
  for (const CLI::App* sub : app.get_subcommands({})) names.push_back(sub->get_name());
  return names;
}

// Every spelling of every option of `cmd`: --long and -s.
std::vector<std::string> OptionNames(const CLI::App& cmd) {
  std::vector<std::string> names;
  for (const CLI::Option* o : cmd.get_options()) {
    for (const std::string& l : o->get_lnames()) names.push_back("--" + l);
    for (const std::string& s : o->get_snames()) names.push_back("-" + s);
  }
  return names;
}

std::string Lower(std::string s) {
  if (!s.empty() && s[0] >= 'A' && s[0] <= 'Z') s[0] = static_cast<char>(s[0] - 'A' + 'a');
  return s;
}

// "is required" errors name the option or argument: say what is missing.
std::string Missing(const std::string& what, const std::string& cmd) {
  const std::string tail = " is required";
  if (what.size() > tail.size() && what.compare(what.size() - tail.size(), tail.size(), tail) == 0) {
    std::string name = what.substr(0, what.size() - tail.size());
    if (name.rfind("--", 0) == 0 || name.rfind("-", 0) == 0) return "'" + cmd + "' needs " + name;
    return "'" + cmd + "' needs its " + name + " argument";
  }
  return Lower(what);
}

}  // namespace

std::string UsageMessage(const CLI::App& app, const CLI::ParseError& e, int argc, const char* const* argv) {
  std::string word;
  const CLI::App* cmd = ChosenCommand(app, argc, argv, &word);
  if (!cmd) {
    if (word.empty()) {
      std::string list;
      for (const std::string& n : CommandNames(app)) list += (list.empty() ? "" : ", ") + n;
      return "no command given (one of: " + list + ")";
    }
    return "unknown command '" + word + "'" + DidYouMean(word, CommandNames(app));
  }
  const std::string name = "smc " + cmd->get_name();
  if (dynamic_cast<const CLI::ExtrasError*>(&e)) {
    // What the command did not take: an option it does not have, first.
    // CLI11 names them in its message ("... not expected: x.topo --thread").
    std::vector<std::string> extras;
    std::string what = e.what();
    size_t at = what.find("expected: ");
    if (at != std::string::npos) {
      std::istringstream words(what.substr(at + 10));
      for (std::string w; words >> w;) extras.push_back(w);
    }
    for (const std::string& x : extras) {
      if (x.size() < 2 || x[0] != '-' || x == "--") continue;
      std::string opt = x.substr(0, x.find('='));
      std::vector<std::string> longs;
      for (const std::string& n : OptionNames(*cmd)) {
        if (n.rfind("--", 0) == 0) longs.push_back(n);
      }
      // One letter is too little to guess from: suggest only for long options.
      return "unknown option '" + opt + "' for '" + name + "'" +
             (opt.rfind("--", 0) == 0 ? DidYouMean(opt, longs) : std::string());
    }
    if (!extras.empty()) return "unexpected argument '" + extras.front() + "' for '" + name + "'";
  }
  if (dynamic_cast<const CLI::RequiredError*>(&e)) return Missing(e.what(), name);
  std::string what = e.what();
  size_t colon = what.find(": ");
  if (what.rfind("-", 0) == 0 && colon != std::string::npos) {
    std::string opt = what.substr(0, colon);
    if (dynamic_cast<const CLI::ArgumentMismatch*>(&e)) return "'" + opt + "' needs a value (" + name + ")";
    return "'" + opt + "': " + Lower(what.substr(colon + 2)) + " (" + name + ")";
  }
  return Lower(what) + " (" + name + ")";
}

void ReportUsage(const CLI::App& app, const CLI::ParseError& e, int argc, const char* const* argv, std::ostream& err) {
  std::string word;
  const CLI::App* cmd = ChosenCommand(app, argc, argv, &word);
  err << "smc: error: " << UsageMessage(app, e, argc, argv) << "\n"
      << "Run 'smc " << (cmd ? cmd->get_name() + " " : std::string()) << "--help' for usage.\n";
}

}  // namespace smc
