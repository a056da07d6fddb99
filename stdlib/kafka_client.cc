#include "stdlib/kafka_client.h"

#include "stdlib/spec_helpers.h"

namespace smc::stdlib::kafka {

bool OptionsValid(const ArgMap& args, std::string* error, std::string* error_arg) {
  for (const std::string& o : StringListArg(args, "options")) {
    size_t eq = o.find('=');
    if (eq == 0 || eq == std::string::npos) {
      *error = "'options' items are NAME=VALUE, got '" + o + "'";
      *error_arg = "options";
      return false;
    }
  }
  return true;
}

void Conf::Set(const char* name, const std::string& value) {
  char err[512];
  if (rd_kafka_conf_set(conf_, name, value.c_str(), err, sizeof err) != RD_KAFKA_CONF_OK)
    throw rt::IoError(std::string("bad Kafka setting ") + name + ": " + err);
}

void Conf::SetOptions(const rt::Context& ctx) {
  auto it = ctx.args->find("options");
  if (it == ctx.args->end()) return;
  for (const Value& v : it->second.list) {
    size_t eq = v.str.find('=');
    if (eq == std::string::npos) continue;
    Set(v.str.substr(0, eq).c_str(), v.str.substr(eq + 1));
  }
}

void Quiet(const rd_kafka_t*, int, const char*, const char*) {}

bool Fatal(rd_kafka_t* rk, int err) {
  return err == RD_KAFKA_RESP_ERR__FATAL || err == RD_KAFKA_RESP_ERR__ALL_BROKERS_DOWN ||
         err == RD_KAFKA_RESP_ERR__AUTHENTICATION || err == RD_KAFKA_RESP_ERR__INVALID_ARG;
}

std::string FatalText(rd_kafka_t* rk, int err, const char* reason) {
  if (err == RD_KAFKA_RESP_ERR__FATAL) {
    char buf[512];
    rd_kafka_fatal_error(rk, buf, sizeof buf);
    return buf;
  }
  return reason;
}

std::string Prefix(const rt::Context& ctx) {
  return "smc: kafka '" + ctx.component + "' (" + ctx.location + "): ";
}

}  // namespace smc::stdlib::kafka
