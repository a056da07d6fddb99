#include "stdlib/regex.h"

#include <re2/re2.h>

namespace smc::stdlib {

Regex::Regex(std::unique_ptr<re2::RE2> re) : re_(std::move(re)) {}
Regex::~Regex() = default;

std::unique_ptr<Regex> Regex::Compile(std::string_view pattern, std::string* error) {
  re2::RE2::Options options;
  options.set_log_errors(false);  // the caller reports, at the pattern's place
  auto re = std::make_unique<re2::RE2>(re2::StringPiece(pattern.data(), pattern.size()), options);
  if (!re->ok()) {
    if (error) *error = re->error();
    return nullptr;
  }
  return std::unique_ptr<Regex>(new Regex(std::move(re)));
}

bool Regex::Search(std::string_view text) const {
  return re2::RE2::PartialMatch(re2::StringPiece(text.data(), text.size()), *re_);
}

}  // namespace smc::stdlib
