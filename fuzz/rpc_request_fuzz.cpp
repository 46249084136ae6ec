// libFuzzer target: arbitrary bytes as a JSON-RPC request body (single or
// batch, named or positional parameters) against a table with one method per
// parameter type. handle() must always answer with a JSON-RPC response object or
// array, or nothing for notifications (it never throws), and a handler only
// ever sees parameters of the declared types.
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "rpc/method_table.h"

using namespace vt::rpc;

namespace {
const MethodTable& table() {
  static MethodTable* t = [] {
    auto* tab = new MethodTable();
    tab->add({"fuzz_all",
              "one parameter of each type",
              {{"s", ParamType::String, true, ""},
               {"i", ParamType::Integer, true, ""},
               {"b", ParamType::Boolean, false, ""},
               {"o", ParamType::Object, false, ""},
               {"a", ParamType::Array, false, ""},
               {"h", ParamType::Hex, false, ""},
               {"m", ParamType::Amount, false, ""},
               {"x", ParamType::Any, false, ""}},
              "echo",
              nlohmann::json::object(),
              [](const Params& p) -> RpcOutcome {
                nlohmann::json out;
                out["s"] = p.str("s");
                out["i"] = p.u64("i");
                if (p.has("b")) out["b"] = p.boolean("b");
                if (p.has("o") && !p.json("o").is_object()) std::abort();
                if (p.has("a") && !p.json("a").is_array()) std::abort();
                if (p.has("h") && p.str("h").size() % 2 != 0) std::abort();
                if (p.has("m")) out["m"] = p.u64("m");
                return out;
              }});
    return tab;
  }();
  return *t;
}
}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view body(reinterpret_cast<const char*>(data), size);
  const nlohmann::json response = table().handle(body);
  if (response.is_discarded()) return 0;  // notifications only: nothing is sent
  if (!response.is_object() && !response.is_array()) std::abort();
  (void)response.dump();
  return 0;
}
