// Test-only: a MethodTable with a few methods served by an HttpServer on 127.0.0.1:0,
// its io_context running on its own thread; the destructor stops and joins.
#pragma once

#include <atomic>
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

class TestServer {
 public:
  explicit TestServer(ServerOptions options = {}) {
    add_test_methods(table);
    server.emplace(io, table,
                   boost::asio::ip::tcp::endpoint(boost::asio::ip::address_v4::loopback(), 0),
                   options);
    server->add_get("/health", [] { return GetResponse{"text/plain", "ok\n"}; });
    server->add_topic("newBlocks");
    thread = std::thread([this] { io.run(); });
  }
  ~TestServer() {
    server->stop();
    thread.join();
  }
  std::uint16_t port() const { return server->port(); }

  boost::asio::io_context io;
  MethodTable table;
  std::optional<HttpServer> server;
  std::thread thread;
};

}  // namespace vt::rpc::test
