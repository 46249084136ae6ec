// Test-only: a MethodTable with a few methods served by an HttpServer on 127.0.0.1:0,
// its io_context running on its own thread; the destructor stops and joins.
#pragma once

#include <atomic>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <thread>

#include "rpc/http_server.h"
#include "rpc/method_table.h"

namespace vt::rpc::test {

inline void add_test_methods(MethodTable& table) {
  using nlohmann::json;
  table.add({"test_echo",
             "Echo text, times times.",
             {{"text", ParamType::String, true, "what to echo"},
              {"times", ParamType::Integer, false, "repetitions"}},
             "echo",
             {{"type", "string"}},
             [](const Params& p) -> RpcOutcome {
               std::string out;
               for (std::uint64_t i = 0; i < p.u64_or("times", 1); ++i) out += p.str("text");
               return json(out);
             }});
  table.add({"test_add",
             "Sum of two amounts.",
             {{"a", ParamType::Amount, true, ""}, {"b", ParamType::Amount, true, ""}},
             "sum",
             {{"type", "string"}},
             [](const Params& p) -> RpcOutcome {
               return json(std::to_string(p.u64("a") + p.u64("b")));
             }});
  table.add({"test_throw", "Throws.", {}, "none", {}, [](const Params&) -> RpcOutcome {
               throw std::runtime_error("boom");
             }});
}

// A chain of numbered blocks for subscriptions: topic "newBlocks" has one
// event per block, {"height": h, "payload": ...}; topic "breaks" fails at block 3.
class TestEvents final : public EventSource {
 public:
  std::vector<std::string> topics() const override { return {"newBlocks", "breaks"}; }
  std::uint64_t head_height() const override { return head.load(); }
  Opened open(const std::string& topic, const nlohmann::json& filter) override {
    Opened out;
    if (!filter.empty()) {
      out.error = RpcError{kInvalidParams, "this topic takes no filter", nullptr};
    } else if (topic == "newBlocks" || topic == "breaks") {
      out.feed = std::make_unique<Feed>(*this, topic == "breaks");
    } else {
      out.error = RpcError{kInvalidParams, "Invalid params: param 'topic' names no topic: " + topic,
                           nullptr};
    }
    return out;
  }
  std::atomic<std::uint64_t> head{0};
  std::string payload = "x";  // set before blocks are added

 private:
  class Feed final : public EventFeed {
   public:
    Feed(const TestEvents& events, bool breaks) : events_(events), breaks_(breaks) {}
    RpcOutcome events_at(std::uint64_t height) override {
      if (breaks_ && height == 3) return RpcError{kInternalError, "block 3 is unreadable", nullptr};
      return nlohmann::json::array({{{"height", height}, {"payload", events_.payload}}});
    }

   private:
    const TestEvents& events_;
    bool breaks_;
  };
};

class TestServer {
 public:
  explicit TestServer(ServerOptions options = {}) {
    add_test_methods(table);
    server.emplace(io, table,
                   boost::asio::ip::tcp::endpoint(boost::asio::ip::address_v4::loopback(), 0),
                   options);
    server->add_get("/health", [] { return GetResponse{"text/plain", "ok\n"}; });
    server->set_event_source(events);
    thread = std::thread([this] { io.run(); });
  }
  ~TestServer() {
    server->stop();
    thread.join();
  }
  std::uint16_t port() const { return server->port(); }
  // Commits `n` more blocks and tells the subscribers.
  void add_blocks(std::uint64_t n = 1) {
    events.head += n;
    server->notify_new_block();
  }

  boost::asio::io_context io;
  TestEvents events;
  MethodTable table;
  std::optional<HttpServer> server;
  std::thread thread;
};

}  // namespace vt::rpc::test
