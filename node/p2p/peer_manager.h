// The node's peers: a listener, dialers that keep persistent peers connected
// (reconnecting with exponential backoff), and per connected peer a reader and
// a writer thread over a SecretStream. What peers send is queued (bounded in
// bytes; a full queue pauses the readers, so TCP pushes back) until the node
// drains it on its own thread. Authenticated peers are known by node id; one
// that misbehaves is disconnected and its id refused for a while. Owns its
// threads and sockets; every public method is thread-safe.
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "core/keys.h"
#include "core/result.h"
#include "node/p2p/secret_stream.h"

namespace vt::node::p2p {

struct PeerAddress {
  std::string id;  // node_id of the key the peer must prove
  std::string host;
  uint16_t port = 0;
  bool operator==(const PeerAddress&) const = default;
};
// "NODE_ID@HOST:PORT" (the form `veritraind init` prints and config.toml takes).
Result<PeerAddress> parse_peer_address(std::string_view spec);
std::string to_string(const PeerAddress& a);

struct PeerManagerConfig {
  std::string listen_host = "127.0.0.1";
  uint16_t listen_port = 0;  // 0: any free port
  std::vector<PeerAddress> persistent_peers;
  // Inbound connections beyond this are refused, except from persistent peers.
  size_t max_peers = 32;
  std::chrono::milliseconds ban_for{60'000};
  std::chrono::milliseconds backoff_min{250};
  std::chrono::milliseconds backoff_max{8'000};
  // A peer whose unsent messages exceed this is too slow: it is disconnected.
  size_t max_send_queue_bytes = 128u << 20;
  // Received but not yet drained, over all peers; above it readers wait.
  size_t max_inbound_bytes = 128u << 20;
  // A peer sending more than this many messages per second (sustained over a
  // two-second burst) is flooding: disconnected and banned.
  uint32_t max_messages_per_second = 50'000;
  MessageLimits limits;
};

struct PeerInfo {
  std::string id;
  std::string address;  // host:port of the other end
  bool outbound = false;
  uint64_t messages_sent = 0;
  uint64_t messages_received = 0;
};

// What the node drains: a message, or (message empty) the news that `peer`
// has just connected, so the node can tell it where consensus stands.
struct Inbound {
  std::string peer;
  std::optional<Message> message;
};

class PeerManager {
 public:
  // `wake` is called (from a peer thread) whenever the inbound queue turns
  // non-empty; the node then calls drain() on its own thread.
  static Result<std::unique_ptr<PeerManager>> start(PeerManagerConfig config,
                                                    const Ed25519Key& identity,
                                                    std::function<void()> wake);
  ~PeerManager();
  void stop();  // closes every connection and joins every thread

  uint16_t port() const { return port_; }
  const std::string& self_id() const { return self_id_; }

  // Up to `max` queued items, oldest first.
  std::vector<Inbound> drain(size_t max);
  // Queues m for one peer / every peer but `except`; a peer not connected is skipped.
  void send(const std::string& peer, const Message& m);
  void broadcast(const Message& m, const std::string& except = {});
  // Disconnects the peer and refuses its id for ban_for; `why` goes to the log.
  void punish(const std::string& peer, const std::string& why);

  std::vector<PeerInfo> peers() const;
  size_t peer_count() const;
  uint64_t refused() const { return refused_; }

 private:
  struct Connection;
  PeerManager(PeerManagerConfig config, const Ed25519Key& identity, std::function<void()> wake);
  void accept_loop();
  void maintain_loop();
  void dial(PeerAddress address);
  void handshake_inbound(boost::asio::ip::tcp::socket socket, std::string address);
  void add_connection(SecretStream stream, std::string address, bool outbound);
  void read_loop(std::shared_ptr<Connection> c);
  void write_loop(std::shared_ptr<Connection> c);
  void close(const std::shared_ptr<Connection>& c, const std::string& why);
  void push_inbound(Inbound item, size_t bytes);
  bool banned(const std::string& id);
  // Runs fn on a thread that maintain_loop joins once it has finished.
  void spawn(std::function<void()> fn);
  bool is_persistent(const std::string& id) const;

  const PeerManagerConfig config_;
  const Ed25519Key identity_;
  const std::string self_id_;
  const std::function<void()> wake_;
  uint16_t port_ = 0;
  std::atomic<bool> stopping_{false};
  std::atomic<uint64_t> refused_{0};

  mutable std::mutex mu_;                                                // guards everything below
  std::map<std::string, std::shared_ptr<Connection>> peers_;             // by node id
  std::vector<std::shared_ptr<Connection>> closed_;                      // threads to join
  std::map<std::string, std::chrono::steady_clock::time_point> banned_;  // id -> until
  struct DialState {
    std::chrono::steady_clock::time_point next_try{};
    std::chrono::milliseconds backoff{0};
    bool dialing = false;
  };
  std::map<std::string, DialState> dial_;  // persistent peers by id
  struct Worker {
    std::thread thread;
    std::shared_ptr<std::atomic<bool>> done;
  };
  std::vector<Worker> workers_;
  size_t pending_handshakes_ = 0;

  std::mutex inbound_mu_;
  std::condition_variable inbound_space_;
  std::deque<std::pair<Inbound, size_t>> inbound_;
  size_t inbound_bytes_ = 0;

  boost::asio::io_context io_;  // sockets only; nothing runs it
  std::optional<boost::asio::ip::tcp::acceptor> acceptor_;
  std::thread accept_thread_, maintain_thread_;
};

}  // namespace vt::node::p2p
