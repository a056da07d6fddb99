// custom modulo(field): the built-in example of a custom grouping.
#include "stdlib/builtins.h"
#include "stdlib/spec_helpers.h"

namespace smc::stdlib {

GroupingSpec ModuloGroupingSpec() {
  GroupingSpec g;
  g.name = "modulo";
  g.summary = "sends a tuple to instance (value mod instances) of an integer field; other values to instance 0";
  g.params = {Required("field", ParamType::kField, "the integer field")};
  return g;
}

}  // namespace smc::stdlib
