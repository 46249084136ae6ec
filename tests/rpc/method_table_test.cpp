// MethodTable without any transport: dispatch, validation, batches, notifications,
// limits and the OpenRPC document.
#include "rpc/method_table.h"

#include <doctest/doctest.h>

#include <chrono>
#include <stdexcept>
#include <string>
#include <vector>

using nlohmann::json;
using namespace vt::rpc;

namespace {

int notified = 0;

void register_methods(MethodTable& t) {
  t.add({"test_echo",
         "Echo a string with a count.",
         {{"text", ParamType::String, true, "what to echo"},
          {"times", ParamType::Integer, false, "how often"}},
         "echo",
         {{"type", "string"}},
         [](const Params& p) -> RpcOutcome {
           std::string out;
           for (std::uint64_t i = 0; i < p.u64_or("times", 1); ++i) out += p.str("text");
           return json(out);
         }});
  t.add({"test_types",
         "One param of each type.",
         {{"s", ParamType::String, false, ""},
          {"i", ParamType::Integer, false, ""},
          {"b", ParamType::Boolean, false, ""},
          {"o", ParamType::Object, false, ""},
          {"a", ParamType::Array, false, ""},
          {"h", ParamType::Hex, false, ""},
          {"m", ParamType::Amount, false, ""},
          {"x", ParamType::Any, false, ""}},
         "params",
         {{"type", "object"}},
         [](const Params& p) -> RpcOutcome {
           json out = p.all();
           if (p.has("m")) out["m_value"] = p.u64("m");
           return out;
         }});
  t.add({"test_fail",
         "Always fails with a project error.",
         {},
         "none",
         {},
         [](const Params&) -> RpcOutcome {
           return RpcError{kNotFound, "no such thing", {{"what", "thing"}}};
         }});
  t.add({"test_throw", "Always throws.", {}, "none", {}, [](const Params&) -> RpcOutcome {
           throw std::runtime_error("boom");
         }});
  t.add({"test_notify", "Counts calls.", {}, "none", {}, [](const Params&) -> RpcOutcome {
           ++notified;
           return json(true);
         }});
  t.add({"test_badAccess",
         "Reads a param it did not declare.",
         {},
         "none",
         {},
         [](const Params& p) -> RpcOutcome { return json(p.str("nope")); }});
}

json call(const MethodTable& t, const std::string& body) {
  return t.handle(body);
}

int error_code(const json& response) {
  return response.at("error").at("code").get<int>();
}
std::string error_message(const json& response) {
  return response.at("error").at("message").get<std::string>();
}

}  // namespace

TEST_CASE("valid call by name and by position") {
  MethodTable t;
  register_methods(t);
  json r =
      call(t, R"({"jsonrpc":"2.0","method":"test_echo","params":{"text":"ab","times":2},"id":7})");
  CHECK(r == json::parse(R"({"jsonrpc":"2.0","result":"abab","id":7})"));
  r = call(t, R"({"jsonrpc":"2.0","method":"test_echo","params":["x",3],"id":"s"})");
  CHECK(r.at("result") == "xxx");
  CHECK(r.at("id") == "s");
  // Optional left out, positional and by name; null stands for absent.
  CHECK(call(t, R"({"jsonrpc":"2.0","method":"test_echo","params":["y"],"id":1})").at("result") ==
        "y");
  CHECK(call(t, R"({"jsonrpc":"2.0","method":"test_echo","params":["y",null],"id":1})")
            .at("result") == "y");
  CHECK(call(t, R"({"jsonrpc":"2.0","method":"test_echo","params":{"text":"z"},"id":null})")
            .at("id")
            .is_null());
}

TEST_CASE("every param type accepts its values") {
  MethodTable t;
  register_methods(t);
  json r = call(t, R"({"jsonrpc":"2.0","method":"test_types","id":1,"params":
    {"s":"x","i":18446744073709551615,"b":false,"o":{},"a":[1],"h":"00fF","m":"1000","x":null}})");
  REQUIRE(r.contains("result"));
  CHECK(r["result"]["m_value"] == 1000);
  CHECK(r["result"]["i"].get<std::uint64_t>() == 18446744073709551615ull);
  CHECK(
      call(
          t,
          R"({"jsonrpc":"2.0","method":"test_types","id":1,"params":{"m":"18446744073709551615","h":""}})")
          .contains("result"));
}

TEST_CASE("validation failures name the param") {
  MethodTable t;
  register_methods(t);
  struct Case {
    const char* params;
    const char* needle;
  };
  const Case cases[] = {
      {R"({"text":"a","bogus":1})", "unknown param 'bogus'"},
      {R"({"times":1})", "missing required param 'text'"},
      {R"({"text":null})", "missing required param 'text'"},
      {R"([])", "missing required param 'text'"},
      {R"({"text":5})", "param 'text' must be a string"},
      {R"({"text":"a","times":-1})", "param 'times'"},
      {R"({"text":"a","times":1.5})", "param 'times'"},
      {R"({"text":"a","times":"3"})", "param 'times'"},
      {R"({"text":"a","times":1e30})", "param 'times'"},
      {R"(["a",1,2])", "at most 2 positional"},
  };
  for (const Case& c : cases) {
    CAPTURE(c.params);
    json r = call(t, std::string(R"({"jsonrpc":"2.0","method":"test_echo","id":1,"params":)") +
                         c.params + "}");
    CHECK(error_code(r) == kInvalidParams);
    CHECK(error_message(r).find(c.needle) != std::string::npos);
    CHECK(r.at("id") == 1);
  }
  const Case typed[] = {
      {R"({"b":"true"})", "'b'"}, {R"({"o":[]})", "'o'"},
      {R"({"a":{}})", "'a'"},     {R"({"h":"0x00"})", "'h'"},
      {R"({"h":"abc"})", "'h'"},  {R"({"h":"zz"})", "'h'"},
      {R"({"m":1000})", "'m'"},   {R"({"m":"01"})", "'m'"},
      {R"({"m":"-1"})", "'m'"},   {R"({"m":"18446744073709551616"})", "'m'"},
      {R"({"m":""})", "'m'"},     {R"({"m":"1.0"})", "'m'"},
  };
  for (const Case& c : typed) {
    CAPTURE(c.params);
    json r = call(t, std::string(R"({"jsonrpc":"2.0","method":"test_types","id":1,"params":)") +
                         c.params + "}");
    CHECK(error_code(r) == kInvalidParams);
    CHECK(error_message(r).find(c.needle) != std::string::npos);
  }
}

TEST_CASE("malformed requests") {
  MethodTable t;
  register_methods(t);
  CHECK(error_code(call(t, "{")) == kParseError);
  CHECK(call(t, "{").at("id").is_null());
  CHECK(error_code(call(t, "")) == kParseError);
  CHECK(error_code(call(t, "\xff\xfe")) == kParseError);
  CHECK(error_code(call(t, R"({"jsonrpc":"2.0","method":"test_echo","id":1} trailing)")) ==
        kParseError);
  CHECK(error_code(call(t, "42")) == kInvalidRequest);
  CHECK(error_code(call(t, R"({"method":"test_echo","id":1})")) == kInvalidRequest);
  CHECK(error_code(call(t, R"({"jsonrpc":"1.0","method":"test_echo","id":1})")) == kInvalidRequest);
  CHECK(error_code(call(t, R"({"jsonrpc":"2.0","method":5,"id":1})")) == kInvalidRequest);
  CHECK(error_code(call(t, R"({"jsonrpc":"2.0","method":"test_echo","id":{}})")) ==
        kInvalidRequest);
  CHECK(error_code(call(t, R"({"jsonrpc":"2.0","method":"test_echo","params":"x","id":1})")) ==
        kInvalidRequest);
  // An invalid request without an id is not a notification: it is answered with id null.
  json r = call(t, R"({"jsonrpc":"2.0","method":1})");
  CHECK(error_code(r) == kInvalidRequest);
  CHECK(r.at("id").is_null());
}

TEST_CASE("ids come back exactly as sent, or the request is refused") {
  MethodTable t;
  register_methods(t);
  // 2^64 - 1 and -2^63 come back digit for digit; 2^70 would come back as
  // 1.18e+21 (a double), so it is refused with id null, as is a fraction.
  json r = call(
      t, R"({"jsonrpc":"2.0","method":"test_echo","params":{"a":1},"id":18446744073709551615})");
  CHECK(r.dump().find("\"id\":18446744073709551615") != std::string::npos);
  r = call(t,
           R"({"jsonrpc":"2.0","method":"test_echo","params":{"a":1},"id":-9223372036854775808})");
  CHECK(r.dump().find("\"id\":-9223372036854775808") != std::string::npos);
  for (const char* id : {"1180591620717411303424", "1.5", "1e3"}) {
    CAPTURE(id);
    r = call(t, std::string(R"({"jsonrpc":"2.0","method":"test_echo","id":)") + id + "}");
    CHECK(error_code(r) == kInvalidRequest);
    CHECK(error_message(r).find("send a larger number as a string") != std::string::npos);
    CHECK(r.at("id").is_null());
  }
}

TEST_CASE("a huge method or parameter name is not echoed back whole") {
  MethodTable t;
  register_methods(t);
  const std::string name(8 << 20, 'x');
  json r = call(t, R"({"jsonrpc":"2.0","method":")" + name + R"(","id":1})");
  CHECK(error_code(r) == kMethodNotFound);
  CHECK(error_message(r).size() < 200);
  CHECK(error_message(r).find("(8388608 bytes)") != std::string::npos);
  r = call(t, R"({"jsonrpc":"2.0","method":"test_echo","params":{")" + name + R"(":1},"id":1})");
  CHECK(error_code(r) == kInvalidParams);
  CHECK(error_message(r).size() < 200);
}

TEST_CASE("unknown method, project errors, throwing handlers") {
  MethodTable t;
  register_methods(t);
  json r = call(t, R"({"jsonrpc":"2.0","method":"test_nope","id":3})");
  CHECK(error_code(r) == kMethodNotFound);
  CHECK(error_message(r).find("test_nope") != std::string::npos);
  r = call(t, R"({"jsonrpc":"2.0","method":"test_fail","id":3})");
  CHECK(error_code(r) == kNotFound);
  CHECK(r["error"]["data"]["what"] == "thing");
  r = call(t, R"({"jsonrpc":"2.0","method":"test_throw","id":3})");
  CHECK(error_code(r) == kInternalError);
  CHECK(r["error"]["data"]["reason"] == "boom");
  CHECK(error_code(call(t, R"({"jsonrpc":"2.0","method":"test_badAccess","id":3})")) ==
        kInternalError);
}

TEST_CASE("notifications get no answer, alone or in a batch") {
  MethodTable t;
  register_methods(t);
  notified = 0;
  CHECK(call(t, R"({"jsonrpc":"2.0","method":"test_notify"})").is_discarded());
  CHECK(notified == 1);
  // Failing notifications are silent too.
  CHECK(call(t, R"({"jsonrpc":"2.0","method":"test_nope"})").is_discarded());
  CHECK(call(t, R"({"jsonrpc":"2.0","method":"test_throw"})").is_discarded());
  CHECK(call(t, R"({"jsonrpc":"2.0","method":"test_echo","params":{"text":1}})").is_discarded());
  CHECK(
      call(t,
           R"([{"jsonrpc":"2.0","method":"test_notify"},{"jsonrpc":"2.0","method":"test_notify"}])")
          .is_discarded());
  CHECK(notified == 3);
}

TEST_CASE("batches") {
  MethodTable t;
  register_methods(t);
  json r = call(t, R"([
    {"jsonrpc":"2.0","method":"test_echo","params":["a"],"id":1},
    {"jsonrpc":"2.0","method":"test_notify"},
    {"jsonrpc":"2.0","method":"test_nope","id":2},
    {"jsonrpc":"2.0","method":"test_echo","params":{"text":false},"id":3},
    1,
    {"foo":"boo"}
  ])");
  REQUIRE(r.is_array());
  REQUIRE(r.size() == 5);
  CHECK(r[0]["result"] == "a");
  CHECK(error_code(r[1]) == kMethodNotFound);
  CHECK(r[1]["id"] == 2);
  CHECK(error_code(r[2]) == kInvalidParams);
  CHECK(error_code(r[3]) == kInvalidRequest);
  CHECK(error_code(r[4]) == kInvalidRequest);

  r = call(t, "[]");
  CHECK(r.is_object());
  CHECK(error_code(r) == kInvalidRequest);

  std::string big = "[";
  for (int i = 0; i < 101; ++i) {
    big += std::string(i ? "," : "") +
           R"({"jsonrpc":"2.0","method":"test_echo","params":["a"],"id":1})";
  }
  big += "]";
  CHECK(error_code(call(t, big)) == kRequestTooLarge);
}

TEST_CASE("a batch preparer sees a batch's params first and changes no answer") {
  MethodTable t;
  register_methods(t);
  CHECK_THROWS_AS(t.set_batch_preparer("test_nope", [](const auto&) {}), std::invalid_argument);
  std::vector<json> seen;
  int calls = 0;
  std::vector<std::string> order;
  t.set_batch_preparer("test_echo", [&](const std::vector<const json*>& params) {
    ++calls;
    order.push_back("prepare");
    for (const json* p : params) seen.push_back(*p);
  });
  t.add({"test_order", "Records that it ran.", {}, "none", {}, [&](const Params&) -> RpcOutcome {
           order.push_back("handle");
           return json(true);
         }});

  const json r = call(t, R"([
    {"jsonrpc":"2.0","method":"test_order","id":0},
    {"jsonrpc":"2.0","method":"test_echo","params":["a"],"id":1},
    {"jsonrpc":"2.0","method":"test_echo","params":{"text":false},"id":2},
    {"jsonrpc":"2.0","method":"test_echo","id":3},
    {"jsonrpc":"2.0","method":"test_echo","params":{"text":"b","times":2},"id":4}
  ])");
  CHECK(calls == 1);
  REQUIRE(seen.size() == 4);
  CHECK(seen[0] == json::array({"a"}));
  CHECK(seen[1] == json{{"text", false}});
  CHECK(seen[2].is_null());  // no params
  CHECK(seen[3] == json{{"text", "b"}, {"times", 2}});
  CHECK(order == std::vector<std::string>{"prepare", "handle"});
  // Every request still validated and answered alone.
  REQUIRE(r.size() == 5);
  CHECK(r[1]["result"] == "a");
  CHECK(error_code(r[2]) == kInvalidParams);
  CHECK(error_code(r[3]) == kInvalidParams);
  CHECK(r[4]["result"] == "bb");

  // One request of the method, alone or in a batch, is not worth preparing.
  calls = 0;
  CHECK(call(t, R"({"jsonrpc":"2.0","method":"test_echo","params":["a"],"id":1})")["result"] ==
        "a");
  CHECK(call(t, R"([{"jsonrpc":"2.0","method":"test_echo","params":["a"],"id":1},
                    {"jsonrpc":"2.0","method":"test_order","id":2}])")
            .size() == 2);
  CHECK(calls == 0);
}

TEST_CASE("nesting depth is bounded without recursion") {
  MethodTable t;
  register_methods(t);
  std::string deep(100000, '[');
  CHECK(error_code(call(t, deep)) == kInvalidRequest);
  std::string deep_obj;
  for (int i = 0; i < 10000; ++i) deep_obj += R"({"a":)";
  CHECK(error_code(call(t, deep_obj)) == kInvalidRequest);
  // Brackets inside strings do not count.
  std::string text(1000, '[');
  json r = call(t, R"({"jsonrpc":"2.0","method":"test_echo","params":[")" + text + R"("],"id":1})");
  CHECK(r["result"] == text);
  // 64 levels in total are accepted (the request object is one of them).
  std::string nested = std::string(62, '[') + std::string(62, ']');
  r = call(t, R"({"jsonrpc":"2.0","method":"test_types","params":{"x":)" + nested + R"(},"id":1})");
  CHECK(r.contains("result"));
  nested = std::string(63, '[') + std::string(63, ']');
  r = call(t, R"({"jsonrpc":"2.0","method":"test_types","params":{"x":)" + nested + R"(},"id":1})");
  CHECK(error_code(r) == kInvalidRequest);
  CHECK(json_depth(R"(["\"[[[", {"a":"\\"}])", 10) == 2);
}

TEST_CASE("many tiny values are refused in one linear pass, before any tree is built") {
  MethodTable t;
  register_methods(t);
  // 16 MiB of "{}," : five million values, once seconds of the node's only
  // thread and hundreds of MB of tree (a 3.5 s block gap at 6ee0b67).
  std::string body = R"({"jsonrpc":"2.0","method":"test_echo","params":[)";
  while (body.size() < (16u << 20)) body += "{},";
  body += R"({}],"id":1})";
  const auto start = std::chrono::steady_clock::now();
  json r = call(t, body);
  const auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(
                      std::chrono::steady_clock::now() - start)
                      .count();
  MESSAGE("16 MiB of tiny values refused in " << ms << " ms");
  CHECK(error_code(r) == kRequestTooLarge);
  CHECK(r["error"]["data"]["limit"] == 100000);
  // The count: containers, commas and one; strings hide their commas.
  CHECK(json_shape(R"([1,2,{"a":[3,4]}])", 10, 1000).values == 7);
  CHECK(json_shape(R"(["a,b,c,[,{"])", 10, 1000).values == 2);
  CHECK(json_shape(std::string(10, '['), 5, 1000).depth == 6);  // past the depth limit
  // A large single value (a transaction's hex) is fine.
  std::string hex(4u << 20, 'a');
  r = call(t, R"({"jsonrpc":"2.0","method":"test_echo","params":[")" + hex + R"("],"id":1})");
  CHECK(r["result"] == hex);
  // A batch of 100 small requests is far below the limit.
  std::string batch = "[";
  for (int i = 0; i < 100; ++i)
    batch += std::string(i ? "," : "") +
             R"({"jsonrpc":"2.0","method":"test_echo","params":[1],"id":)" + std::to_string(i) +
             "}";
  batch += "]";
  CHECK(call(t, batch).size() == 100);
}

TEST_CASE("registration rejects bad specs") {
  MethodTable t;
  Handler h = [](const Params&) -> RpcOutcome { return json(nullptr); };
  CHECK_THROWS_AS(t.add({"nonamespace", "", {}, "", {}, h}), std::invalid_argument);
  CHECK_THROWS_AS(t.add({"a_b_c", "", {}, "", {}, h}), std::invalid_argument);
  CHECK_THROWS_AS(t.add({"Chain_x", "", {}, "", {}, h}), std::invalid_argument);
  CHECK_THROWS_AS(t.add({"rpc_discover", "", {}, "", {}, h}), std::invalid_argument);
  CHECK_THROWS_AS(t.add({"x_y", "", {}, "", {}, nullptr}), std::invalid_argument);
  CHECK_THROWS_AS(t.add({"x_y",
                         "",
                         {{"a", ParamType::Any, true, ""}, {"a", ParamType::Any, true, ""}},
                         "",
                         {},
                         h}),
                  std::invalid_argument);
  CHECK_THROWS_AS(t.add({"x_y",
                         "",
                         {{"a", ParamType::Any, false, ""}, {"b", ParamType::Any, true, ""}},
                         "",
                         {},
                         h}),
                  std::invalid_argument);
  t.add({"state_getAccount", "", {}, "", {}, h});
  CHECK(t.contains("state_getAccount"));
}

TEST_CASE("rpc_discover lists every method with params and result schemas") {
  MethodTable t("veritrain test", "9.9.9");
  register_methods(t);
  json r = call(t, R"({"jsonrpc":"2.0","method":"rpc_discover","id":1})");
  REQUIRE(r.contains("result"));
  const json& doc = r["result"];
  CHECK(doc["openrpc"].get<std::string>().rfind("1.2", 0) == 0);
  CHECK(doc["info"]["title"] == "veritrain test");
  CHECK(doc["info"]["version"] == "9.9.9");
  CHECK(doc == t.openrpc());
  std::vector<std::string> names;
  for (const json& m : doc["methods"]) names.push_back(m["name"]);
  const std::vector<std::string> expected = {"rpc_discover", "chain_subscribe", "chain_unsubscribe",
                                             "test_echo",    "test_types",      "test_fail",
                                             "test_throw",   "test_notify",     "test_badAccess"};
  CHECK(names == expected);
  const json& echo = doc["methods"][3];
  CHECK(echo["summary"] == "Echo a string with a count.");
  REQUIRE(echo["params"].size() == 2);
  CHECK(echo["params"][0]["name"] == "text");
  CHECK(echo["params"][0]["required"] == true);
  CHECK(echo["params"][0]["schema"]["type"] == "string");
  CHECK(echo["params"][1]["required"] == false);
  CHECK(echo["params"][1]["schema"]["type"] == "integer");
  CHECK(echo["result"]["name"] == "echo");
  CHECK(echo["result"]["schema"]["type"] == "string");
  const json& types = doc["methods"][4];
  CHECK(types["params"][5]["schema"]["pattern"] == "^([0-9a-fA-F]{2})*$");
  CHECK(types["params"][6]["schema"]["pattern"] == "^(0|[1-9][0-9]{0,19})$");
}

TEST_CASE("subscribe needs a transport that can push") {
  MethodTable t;
  json r = call(t, R"({"jsonrpc":"2.0","method":"chain_subscribe","params":["newBlocks"],"id":1})");
  CHECK(error_code(r) == kUnsupported);
}
