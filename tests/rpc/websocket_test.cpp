// The WebSocket side of HttpServer, driven by hand-written RFC 6455 frames
// (raw_socket.h): calls, subscriptions (new blocks, resuming, failing feeds),
// limits, slow and broken clients.
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

// The next subscription notification: {"subscription": id, "result" or "error": ...}.
json next_event(RawSocket& s) {
  auto message = s.ws_receive();
  REQUIRE(message);
  json event = json::parse(*message);
  CHECK(event["jsonrpc"] == "2.0");
  CHECK(event["method"] == "subscription");
  CHECK(!event.contains("id"));
  return event["params"];
}

TEST_CASE("subscribe, receive each new block's events, unsubscribe") {
  TestServer server;
  auto a = ws_connect(server.port());
  auto b = ws_connect(server.port());
  json sub_a = ws_call(*a, request("chain_subscribe", {{"topic", "newBlocks"}}));
  json sub_b = ws_call(*b, request("chain_subscribe", json::array({"newBlocks"})));
  REQUIRE(sub_a["result"].is_string());
  REQUIRE(sub_b["result"].is_string());
  CHECK(sub_a["result"] != sub_b["result"]);

  server.add_blocks();
  for (auto* s : {a.get(), b.get()}) {
    json event = next_event(*s);
    CHECK(event["result"]["height"] == 1);
    CHECK(event["subscription"] == (s == a.get() ? sub_a["result"] : sub_b["result"]));
  }

  json removed = ws_call(*a, request("chain_unsubscribe", json::array({sub_a["result"]})));
  CHECK(removed["result"] == true);
  CHECK(ws_call(*a, request("chain_unsubscribe", json::array({sub_a["result"]})))["result"] ==
        false);
  // b cannot cancel a's subscription (ids are per connection).
  CHECK(ws_call(*b, request("chain_unsubscribe", json::array({sub_a["result"]})))["result"] ==
        false);

  server.add_blocks();
  CHECK(next_event(*b)["result"]["height"] == 2);
  // a gets nothing more: its next message is the answer to this call.
  CHECK(ws_call(*a, request("test_echo", json::array({"quiet"}), 3))["id"] == 3);
}

TEST_CASE("a subscription resumes from a height: past blocks first, in order, then new ones") {
  ServerOptions options;
  options.ws_max_lag_blocks = 10;
  TestServer server(options);
  server.add_blocks(5);
  auto s = ws_connect(server.port());
  json sub = ws_call(*s, request("chain_subscribe", {{"topic", "newBlocks"}, {"from_height", 2}}));
  REQUIRE(sub["result"].is_string());
  for (int h = 2; h <= 5; ++h) CHECK(next_event(*s)["result"]["height"] == h);
  server.add_blocks(2);
  CHECK(next_event(*s)["result"]["height"] == 6);
  CHECK(next_event(*s)["result"]["height"] == 7);
  CHECK(ws_call(*s, request("chain_unsubscribe", json::array({sub["result"]})))["result"] == true);
  // The next block is allowed (nothing yet); beyond it, 0, or too far back are not.
  CHECK(ws_call(*s,
                request("chain_subscribe", {{"topic", "newBlocks"}, {"from_height", 8}}))["result"]
            .is_string());
  for (int from : {0, 9}) {
    json r =
        ws_call(*s, request("chain_subscribe", {{"topic", "newBlocks"}, {"from_height", from}}));
    CHECK(r["error"]["code"] == kInvalidParams);
    CHECK(r["error"]["message"] == "Invalid params: from_height must be 1 to the next block (8)");
  }
  server.add_blocks(9);  // head 16: the from_height 8 subscription is 9 behind, within 10
  for (int h = 8; h <= 16; ++h) CHECK(next_event(*s)["result"]["height"] == h);
  json far = ws_call(*s, request("chain_subscribe", {{"topic", "newBlocks"}, {"from_height", 6}}));
  CHECK(far["error"]["message"].get<std::string>().find("more than 10 blocks behind the head") !=
        std::string::npos);
  CHECK(ws_call(*s,
                request("chain_subscribe", {{"topic", "newBlocks"}, {"from_height", 7}}))["result"]
            .is_string());
  for (int h = 7; h <= 16; ++h) CHECK(next_event(*s)["result"]["height"] == h);
  // Ten blocks at once: the first subscription keeps up, reading as they come.
  server.add_blocks(9);
  for (int i = 0; i < 18; ++i) CHECK(next_event(*s)["result"]["height"].get<int>() >= 17);
}

TEST_CASE("subscription errors") {
  ServerOptions options;
  options.max_subscriptions = 2;
  TestServer server(options);
  auto s = ws_connect(server.port());
  json r = ws_call(*s, request("chain_subscribe", json::array({"noSuchTopic"})));
  CHECK(r["error"]["code"] == kInvalidParams);
  CHECK(r["error"]["message"].get<std::string>().find("'topic'") != std::string::npos);
  r = ws_call(*s, request("chain_subscribe", {{"topic", "newBlocks"}, {"filter", {{"a", 1}}}}));
  CHECK(r["error"]["message"] == "this topic takes no filter");
  r = ws_call(*s, request("chain_subscribe", {{"topic", "newBlocks"}, {"filter", "x"}}));
  CHECK(r["error"]["code"] == kInvalidParams);  // not an object: the method table refuses it
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

TEST_CASE("a feed that fails ends its subscription with the reason; the connection stays") {
  TestServer server;
  server.add_blocks(4);
  auto s = ws_connect(server.port());
  json sub = ws_call(*s, request("chain_subscribe", {{"topic", "breaks"}, {"from_height", 1}}));
  REQUIRE(sub["result"].is_string());
  CHECK(next_event(*s)["result"]["height"] == 1);
  CHECK(next_event(*s)["result"]["height"] == 2);
  json failed = next_event(*s);
  CHECK(failed["subscription"] == sub["result"]);
  CHECK(failed["error"]["message"] == "block 3 is unreadable");
  server.add_blocks();
  CHECK(ws_call(*s, request("test_echo", json::array({"still here"}), 4))["result"] ==
        "still here");
  CHECK(ws_call(*s, request("chain_unsubscribe", json::array({sub["result"]})))["result"] ==
        false);  // already ended
}

TEST_CASE("a client that does not read falls behind and is dropped with the reason") {
  ServerOptions options;
  options.ws_queue_limit = 8;
  options.ws_max_lag_blocks = 50;
  TestServer server(options);
  server.events.payload = std::string(256 * 1024, 'z');
  auto slow = ws_connect(server.port());
  auto fine = ws_connect(server.port());
  REQUIRE(
      ws_call(*slow, request("chain_subscribe", json::array({"newBlocks"})))["result"].is_string());
  for (int i = 0; i < 120; ++i) server.add_blocks();  // 30 MiB of events for slow
  // fine answers meanwhile (the io thread is not blocked by slow).
  CHECK(ws_call(*fine, request("test_echo", json::array({"still here"})))["result"] ==
        "still here");
  // slow finally reads: what was queued or in the socket buffers, in order, then the close.
  int received = 0;
  while (auto m = slow->ws_receive())
    CHECK(json::parse(*m)["params"]["result"]["height"] == ++received);
  CHECK(received < 120);
  CHECK(slow->close_code == 1008);
  CHECK(slow->close_reason.find("slow consumer: subscription") == 0);
  CHECK(slow->close_reason.find("blocks behind the head") != std::string::npos);
}

TEST_CASE("a client that sends requests and never reads is dropped at the byte cap") {
  // Measured at 6ee0b67: the cap was 1,024 messages, so such a client pinned
  // 1.5 GB with large answers. Each answer here is 256 KiB.
  ServerOptions options;
  options.ws_queue_bytes = 1 << 20;
  TestServer server(options);
  auto greedy = ws_connect(server.port());
  const json big = request("test_echo", json::array({std::string(64 * 1024, 'q'), 4}));
  for (int i = 0; i < 100; ++i)
    if (!greedy->ws_send(big.dump())) break;  // the server may close before the last
  auto fine = ws_connect(server.port());
  CHECK(ws_call(*fine, request("test_echo", json::array({"still here"})))["result"] ==
        "still here");
  int answers = 0;
  while (greedy->ws_receive()) ++answers;
  CHECK(answers < 100);
  CHECK(greedy->close_code == 1008);
  CHECK(greedy->close_reason.find("slow consumer:") == 0);
  CHECK(greedy->close_reason.find("bytes unread") != std::string::npos);
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
