// RpcClient against a real HttpServer on loopback, and against things that are not one.
#include "rpc/http_client.h"

#include <doctest/doctest.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <chrono>

#include "tests/rpc/test_server.h"

using nlohmann::json;
using namespace vt::rpc;
using vt::rpc::test::TestServer;

namespace {

std::string url_of(std::uint16_t port, const std::string& path = "") {
  return "http://127.0.0.1:" + std::to_string(port) + path;
}

// A listening socket that never accepts or answers; port() to connect to it.
class SilentListener {
 public:
  SilentListener() {
    fd_ = ::socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    REQUIRE(::bind(fd_, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0);
    REQUIRE(::listen(fd_, 8) == 0);
    socklen_t len = sizeof addr;
    ::getsockname(fd_, reinterpret_cast<sockaddr*>(&addr), &len);
    port_ = ntohs(addr.sin_port);
  }
  ~SilentListener() { ::close(fd_); }
  std::uint16_t port() const { return port_; }

 private:
  int fd_ = -1;
  std::uint16_t port_ = 0;
};

}  // namespace

TEST_CASE("calls return results or the server's errors") {
  TestServer server;
  RpcClient client(url_of(server.port()));
  CallResult r = client.call("test_add", {{"a", "5"}, {"b", "6"}});
  REQUIRE(r.ok());
  CHECK(r.value() == "11");
  r = client.call("test_echo", json::array({"ab", 2}));
  REQUIRE(r.ok());
  CHECK(r.value() == "abab");

  r = client.call("test_add", {{"a", 5}, {"b", "6"}});
  REQUIRE(!r.ok());
  CHECK(r.error().kind == CallError::Kind::Rpc);
  CHECK(r.error().code == kInvalidParams);
  CHECK(r.error().message.find("'a'") != std::string::npos);
  CHECK(r.error().describe().find("-32602") != std::string::npos);

  r = client.call("test_nothing");
  REQUIRE(!r.ok());
  CHECK(r.error().code == kMethodNotFound);

  r = client.call("test_throw");
  REQUIRE(!r.ok());
  CHECK(r.error().code == kInternalError);
  CHECK(r.error().data["reason"] == "boom");

  r = client.call("rpc_discover", json::array());
  REQUIRE(r.ok());
  CHECK(r.value()["methods"].is_array());
}

TEST_CASE("HTTP errors and size limits") {
  ServerOptions options;
  options.body_limit = 1024;
  TestServer server(options);
  RpcClient client(url_of(server.port()));
  CallResult r = client.call("test_echo", json::array({std::string(4096, 'x')}));
  REQUIRE(!r.ok());
  CHECK(r.error().kind == CallError::Kind::Rpc);
  CHECK(r.error().code == kRequestTooLarge);

  RpcClient wrong_path(url_of(server.port(), "/nowhere"));
  r = wrong_path.call("test_echo", json::array({"a"}));
  REQUIRE(!r.ok());
  CHECK(r.error().kind == CallError::Kind::Http);
  CHECK(r.error().code == 404);

  ClientOptions small;
  small.response_limit = 100;
  RpcClient limited(url_of(server.port()), small);
  r = limited.call("test_echo", {{"text", std::string(50, 'y')}, {"times", 10}});
  REQUIRE(!r.ok());
  CHECK(r.error().kind == CallError::Kind::Transport);
}

TEST_CASE("transport failures are reported, not thrown") {
  for (const char* bad : {"127.0.0.1:80", "https://x:1", "http://:80", "http://host:99999",
                          "http://host:8x", "http://[::1"}) {
    CAPTURE(bad);
    RpcClient client(bad);
    CallResult r = client.call("chain_status");
    REQUIRE(!r.ok());
    CHECK(r.error().kind == CallError::Kind::Transport);
  }
  std::uint16_t closed_port;
  {
    SilentListener gone;
    closed_port = gone.port();
  }
  RpcClient refused(url_of(closed_port));
  CallResult r = refused.call("chain_status");
  REQUIRE(!r.ok());
  CHECK(r.error().kind == CallError::Kind::Transport);

  SilentListener silent;
  ClientOptions quick;
  quick.timeout = std::chrono::milliseconds(300);
  RpcClient waiting(url_of(silent.port()), quick);
  auto start = std::chrono::steady_clock::now();
  r = waiting.call("chain_status");
  CHECK(std::chrono::steady_clock::now() - start < std::chrono::seconds(2));
  REQUIRE(!r.ok());
  CHECK(r.error().kind == CallError::Kind::Transport);
  CHECK(r.error().message.find("timed out") != std::string::npos);
}
