// libFuzzer target for the multi-lang frame parser: the bytes a shell child
// writes on its standard output (stdlib/multilang.h), split into frames by
// FrameBuffer, parsed by ChildMessage (the bounded JSON reader) and, for
// emits, converted to tuple values the way a shell bolt does.
//
// The first input byte chooses where the rest is cut in two (frames arrive
// in pieces); frames are limited to 4 KiB so the oversized path is reached.
// Built only with -DSMC_FUZZ=ON (clang); run with tests/fuzz/run-frame.
#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

#include "stdlib/multilang.h"

namespace {

void Consume(smc::stdlib::FrameBuffer& frames) {
  std::string json;
  while (frames.Take(&json)) {
    try {
      smc::stdlib::ChildMessage m(json);
      (void)m.Id();
      const rapidjson::Value* t = m.Find("tuple");
      if (m.command == "emit" && t && t->IsArray()) {
        // As a shell bolt converts values (stdlib/formats.cc JsonDatum):
        // scalars become data, lists and maps their JSON text (a recursive
        // walk, bounded by the reader's depth limit); then back to JSON.
        std::string out;
        for (const auto& v : t->GetArray()) {
          rapidjson::StringBuffer sb;
          rapidjson::Writer<rapidjson::StringBuffer> w(sb);
          v.Accept(w);
          smc::rt::Datum d = v.IsInt64()    ? smc::rt::Datum::Int(v.GetInt64())
                             : v.IsNumber() ? smc::rt::Datum::Float(v.GetDouble())
                             : v.IsString() ? smc::rt::Datum::Str(std::string_view(v.GetString(), v.GetStringLength()))
                                            : smc::rt::Datum::Str(std::string_view(sb.GetString(), sb.GetSize()));
          smc::stdlib::AppendDatumJson(d, &out);  // the way back to a child
        }
      }
    } catch (const smc::stdlib::ProtocolError&) {
      // A protocol error of the child: reported, never a crash.
    }
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size == 0) return 0;
  size_t cut = 1 + data[0] % size;
  smc::stdlib::FrameBuffer frames(4096);
  frames.Append(std::string_view(reinterpret_cast<const char*>(data) + 1, cut - 1));
  Consume(frames);
  if (frames.Oversized()) return 0;
  frames.Append(std::string_view(reinterpret_cast<const char*>(data) + cut, size - cut));
  Consume(frames);
  return 0;
}
