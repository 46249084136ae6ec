// The WebSocket side of HttpServer, driven by hand-written RFC 6455 frames
// (raw_socket.h): calls, subscriptions, publish, limits, slow and broken clients.
#include <doctest/doctest.h>

#include <memory>

#include "tests/rpc/raw_socket.h"
#include "tests/rpc/test_server.h"

using nlohmann::json;
using namespace vt::rpc;
using vt::rpc::test::RawSocket;
using vt::rpc::test::TestServer;

namespace {

std::unique_ptr<RawSocket> ws_connect(std::uint16_t port) {
  auto s = std::make_unique<RawSocket>(port);
  REQUIRE(s->ws_handshake());
  return s;
}

json ws_call(RawSocket& s, const json& request) {
  REQUIRE(s.ws_send(request.dump()));
  auto message = s.ws_receive();
  REQUIRE(message);
  return json::parse(*message);
}

json request(const std::string& method, json params, int id = 1) {
  return {{"jsonrpc", "2.0"}, {"method", method}, {"params", std::move(params)}, {"id", id}};
}

}  // namespace

TEST_CASE("calls over WebSocket") {
  TestServer server;
  auto s = ws_connect(server.port());
  json r = ws_call(*s, request("test_add", {{"a", "1"}, {"b", "2"}}, 5));
  CHECK(r["result"] == "3");
  CHECK(r["id"] == 5);
  CHECK(ws_call(*s, request("test_add", {{"a", 1}}))["error"]["code"] == kInvalidParams);
  // A notification gets no message: the next one is the answer to the next call.
  REQUIRE(s->ws_send(R"({"jsonrpc":"2.0","method":"test_echo","params":["n"]})"));
  r = ws_call(*s, request("test_echo", json::array({"after"}), 9));
  CHECK(r["id"] == 9);
  CHECK(r["result"] == "after");
  r = ws_call(*s, json::parse(R"([{"jsonrpc":"2.0","method":"test_echo","params":["a"],"id":1},
                                    {"jsonrpc":"2.0","method":"x_y","id":2}])"));
  REQUIRE(r.size() == 2);
  CHECK(r[1]["error"]["code"] == kMethodNotFound);
  REQUIRE(s->ws_send("{not json"));
  auto message = s->ws_receive();
  REQUIRE(message);
  CHECK(json::parse(*message)["error"]["code"] == kParseError);
  REQUIRE(s->ws_send(std::string(5000, '[')));
  message = s->ws_receive();
  REQUIRE(message);
  CHECK(json::parse(*message)["error"]["code"] == kInvalidRequest);
}

TEST_CASE("subscribe, receive published events, unsubscribe") {
  TestServer server;
  auto a = ws_connect(server.port());
  auto b = ws_connect(server.port());
  json sub_a = ws_call(*a, request("chain_subscribe", {{"topic", "newBlocks"}}));
  json sub_b = ws_call(*b, request("chain_subscribe", json::array({"newBlocks"})));
  REQUIRE(sub_a["result"].is_string());
  REQUIRE(sub_b["result"].is_string());
  CHECK(sub_a["result"] != sub_b["result"]);

  server.server->publish("newBlocks", {{"height", 7}});
  server.server->publish("otherTopic", {{"height", 8}});  // nobody listens: dropped
  for (auto* s : {a.get(), b.get()}) {
    auto message = s->ws_receive();
    REQUIRE(message);
    json event = json::parse(*message);
    CHECK(event["jsonrpc"] == "2.0");
    CHECK(event["method"] == "subscription");
    CHECK(!event.contains("id"));
    CHECK(event["params"]["result"]["height"] == 7);
    CHECK(event["params"]["subscription"] == (s == a.get() ? sub_a["result"] : sub_b["result"]));
  }

  json removed = ws_call(*a, request("chain_unsubscribe", json::array({sub_a["result"]})));
  CHECK(removed["result"] == true);
  CHECK(ws_call(*a, request("chain_unsubscribe", json::array({sub_a["result"]})))["result"] ==
        false);
  // b cannot cancel a's subscription (ids are per connection).
  CHECK(ws_call(*b, request("chain_unsubscribe", json::array({sub_a["result"]})))["result"] ==
        false);

  server.server->publish("newBlocks", {{"height", 9}});
  auto message = b->ws_receive();
  REQUIRE(message);
  CHECK(json::parse(*message)["params"]["result"]["height"] == 9);
  // a gets nothing more: its next message is the answer to this call.
  CHECK(ws_call(*a, request("test_echo", json::array({"quiet"}), 3))["id"] == 3);
}

TEST_CASE("subscription errors") {
  ServerOptions options;
  options.max_subscriptions = 2;
  TestServer server(options);
  auto s = ws_connect(server.port());
  json r = ws_call(*s, request("chain_subscribe", json::array({"noSuchTopic"})));
  CHECK(r["error"]["code"] == kInvalidParams);
  CHECK(r["error"]["message"].get<std::string>().find("'topic'") != std::string::npos);
  CHECK(ws_call(*s, request("chain_subscribe", json::array({"newBlocks"})))["result"].is_string());
  CHECK(ws_call(*s, request("chain_subscribe", json::array({"newBlocks"})))["result"].is_string());
  CHECK(ws_call(*s, request("chain_subscribe", json::array({"newBlocks"})))["error"]["code"] ==
        kLimitExceeded);

  // Over plain HTTP there is nothing to push to.
  RawSocket http(server.port());
  REQUIRE(http.post(request("chain_subscribe", json::array({"newBlocks"})).dump()));
  auto response = http.read_response();
  REQUIRE(response);
  CHECK(json::parse(response->body)["error"]["code"] == kUnsupported);
}

TEST_CASE("a client that does not read is dropped; others are unaffected") {
  ServerOptions options;
  options.ws_queue_limit = 4;
  TestServer server(options);
  auto slow = ws_connect(server.port());
  auto fine = ws_connect(server.port());
  REQUIRE(
      ws_call(*slow, request("chain_subscribe", json::array({"newBlocks"})))["result"].is_string());
  const json big = std::string(512 * 1024, 'z');
  for (int i = 0; i < 64; ++i) server.server->publish("newBlocks", big);  // 32 MiB
  // The slow client finally reads: it gets what fit in the socket buffers, then the close.
  int received = 0;
  while (slow->ws_receive()) ++received;
  CHECK(received < 64);
  CHECK(ws_call(*fine, request("test_echo", json::array({"still here"})))["result"] ==
        "still here");
}

TEST_CASE("oversized and malformed frames close that connection only") {
  ServerOptions options;
  options.body_limit = 4096;
  TestServer server(options);
  {
    auto s = ws_connect(server.port());
    REQUIRE(s->ws_send(std::string(10000, ' ')));
    CHECK(!s->ws_receive());  // close frame (1009) or EOF
  }
  {
    auto s = ws_connect(server.port());
    // Unmasked client frame: a protocol violation.
    REQUIRE(s->send_all(std::string("\x81\x02hi", 4)));
    CHECK(s->closed_by_peer());
  }
  {
    auto s = ws_connect(server.port());
    REQUIRE(s->send_all(std::string(64, '\xff')));
    CHECK(s->closed_by_peer());
  }
  auto s = ws_connect(server.port());
  CHECK(ws_call(*s, request("test_echo", json::array({"ok"})))["result"] == "ok");
}

TEST_CASE("stop() closes WebSocket clients") {
  auto server = std::make_unique<TestServer>();
  auto s = ws_connect(server->port());
  REQUIRE(
      ws_call(*s, request("chain_subscribe", json::array({"newBlocks"})))["result"].is_string());
  server.reset();
  CHECK(s->closed_by_peer());
}
