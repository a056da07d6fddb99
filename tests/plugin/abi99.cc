// A library that says it was built for plugin ABI 99 (tests/plugin/plugin.py).
#include <cstdint>

struct Library {
  uint32_t abi, cxx_abi;
  const char* api_version;
  void* describe;
};

extern "C" const Library* smc_plugin_library() {
  static const Library l{99, __GXX_ABI_VERSION, "99", nullptr};
  return &l;
}
