// A running node (the test genesis's one validator, P2P on loopback) faced by a
// hand-driven peer: replaying the node's own gossip back, old heights, and the
// same message many times is harmless (no ban, nothing changes, the chain goes
// on); a malformed vote gets the peer disconnected and refused for a while.
#include <doctest/doctest.h>

#include <algorithm>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <thread>

#include "core/encoding.h"
#include "node/node.h"
#include "node/p2p/block_exchange.h"
#include "node/p2p/consensus_wire.h"
#include "node/p2p/secret_channel.h"
#include "node/p2p/secret_stream.h"
#include "node/p2p/tx_gossip.h"
#include "tests/node/test_chain.h"

namespace vt {
namespace {

using boost::asio::ip::tcp;
using node::p2p::Message;
using node::p2p::MessageType;
using node::p2p::SecretStream;

const node::p2p::MessageLimits kLimits{1 << 20, 1 << 19, 100};

uint16_t free_port() {
  boost::asio::io_context io;
  tcp::acceptor a(io, {boost::asio::ip::make_address("127.0.0.1"), 0});
  return a.local_endpoint().port();
}

Ed25519Key peer_key(uint8_t fill) {
  std::array<uint8_t, 32> seed{};
  seed.fill(fill);
  return Ed25519Key::from_seed(seed);
}

Result<SecretStream> dial(uint16_t port, uint8_t key_fill = 0x42) {
  static boost::asio::io_context io;
  tcp::socket s(io);
  boost::system::error_code ec;
  s.connect({boost::asio::ip::make_address("127.0.0.1"), port}, ec);
  if (ec) return make_error(ec.message());
  return SecretStream::establish(std::move(s), peer_key(key_fill),
                                 node::p2p::node_id(test::validator_key().pubkey()),
                                 std::chrono::milliseconds(5000));
}

// Reads messages for `ms`; the highest proposal height seen.
uint64_t read_for(SecretStream& s, int ms, std::vector<Message>* keep = nullptr) {
  uint64_t top = 0;
  const auto until = std::chrono::steady_clock::now() + std::chrono::milliseconds(ms);
  s.set_timeout(std::chrono::milliseconds(200));
  while (std::chrono::steady_clock::now() < until) {
    auto m = s.receive(kLimits);
    if (!m) continue;  // a timeout: read on
    if (m->type == MessageType::proposal) {
      auto p = node::p2p::decode_signed_proposal(m->payload, 1 << 20);
      REQUIRE(p.ok());
      top = std::max(top, p->proposal.height);
    }
    if (keep && (m->type == MessageType::proposal || m->type == MessageType::vote))
      keep->push_back(*m);
  }
  return top;
}

// True once the node has closed the connection (reads until a receive fails).
bool disconnected(SecretStream& s) {
  s.set_timeout(std::chrono::milliseconds(3000));
  for (int i = 0; i < 1000; ++i)
    if (!s.receive(kLimits).ok()) return true;
  return false;
}

// The test genesis's one validator, P2P on a free loopback port, run on its own
// thread until stop().
struct GossipingNode {
  test::TempDir dir;
  boost::asio::io_context io;
  node::NodeConfig c;
  std::unique_ptr<node::Node> n;
  std::thread runner;

  GossipingNode() {
    c.data_dir = dir.path.string();
    c.rpc_port = 0;
    c.p2p_port = free_port();
    c.block_interval_ms = 50;
    auto opened = node::Node::open(io, c, test::test_genesis(), test::validator_key());
    REQUIRE(opened.ok());
    n = std::move(opened).value();
    REQUIRE(n->start().ok());
    runner = std::thread([this] { io.run(); });
  }
  void stop() {
    boost::asio::post(io, [this] { n->stop(); });
    runner.join();
  }
};

}  // namespace

TEST_CASE("gossip: replayed and old messages are harmless; a malformed vote bans the peer") {
  GossipingNode running;
  auto& c = running.c;

  auto peer = dial(c.p2p_port);
  REQUIRE_MESSAGE(peer.ok(), peer.error());
  std::vector<Message> seen;
  const uint64_t first = read_for(peer.value(), 1500, &seen);
  REQUIRE(first >= 2);
  REQUIRE(seen.size() >= 6);
  // Everything the node sent us, back to it three times over (by then most of
  // it is for heights it has committed), and a request for its first block.
  for (int round = 0; round < 3; ++round)
    for (const Message& m : seen) REQUIRE(peer->send(m).ok());
  REQUIRE(peer->send({MessageType::block_request, node::p2p::encode_block_request(1)}).ok());
  // Still connected, still served, and the chain goes on.
  const uint64_t later = read_for(peer.value(), 1500);
  CHECK(later > first);

  // A vote that does not decode: disconnected ...
  REQUIRE(peer->send({MessageType::vote, Bytes{1, 2, 3}}).ok());
  CHECK(disconnected(peer.value()));
  // ... and refused when it comes straight back (same key).
  auto again = dial(c.p2p_port);
  bool refused = !again.ok();
  if (!refused) {
    again->set_timeout(std::chrono::milliseconds(2000));
    auto m = again->receive(kLimits);
    refused = !m.ok();
  }
  CHECK(refused);

  running.stop();
  CHECK(running.n->head().height >= later - 1);
}

// Reads messages for `ms`: the transactions of every `txs` message, and the
// node ids of every `peers` message.
void read_gossip(SecretStream& s, int ms, std::vector<Bytes>& txs, std::vector<std::string>& ids) {
  const auto until = std::chrono::steady_clock::now() + std::chrono::milliseconds(ms);
  s.set_timeout(std::chrono::milliseconds(100));
  while (std::chrono::steady_clock::now() < until) {
    auto m = s.receive(kLimits);
    if (!m) continue;
    if (m->type == MessageType::txs) {
      auto batch = node::p2p::decode_tx_batch(m->payload, 1 << 19);
      REQUIRE(batch.ok());
      txs.insert(txs.end(), batch->begin(), batch->end());
    } else if (m->type == MessageType::peers) {
      auto list = node::p2p::decode_peer_list(m->payload);
      REQUIRE(list.ok());
      ids.insert(ids.end(), list->begin(), list->end());
    }
  }
}

TEST_CASE("gossip: a transaction is not relayed to the peers of the peer it came from") {
  // Peer A says B is its peer: what A sends, A has sent to B, so the node must
  // not send it to B again. Once A says it has no peers, the node relays A's
  // transaction to B. A peer list that does not decode bans its sender.
  GossipingNode running;
  auto& c = running.c;

  auto a = dial(c.p2p_port, 0x42);
  REQUIRE_MESSAGE(a.ok(), a.error());
  auto b = dial(c.p2p_port, 0x43);
  REQUIRE_MESSAGE(b.ok(), b.error());
  const std::string a_id = node::p2p::node_id(peer_key(0x42).pubkey());
  const std::string b_id = node::p2p::node_id(peer_key(0x43).pubkey());
  std::vector<Bytes> to_b;
  std::vector<std::string> told_b;
  read_gossip(b.value(), 500, to_b, told_b);
  CHECK(std::find(told_b.begin(), told_b.end(), a_id) != told_b.end());  // the node's peers

  const Bytes first = ledger::encode(test::transfer(2, 3, 5, 0));
  REQUIRE(a->send({MessageType::peers, node::p2p::encode_peer_list({b_id})}).ok());
  REQUIRE(a->send({MessageType::txs, node::p2p::encode_tx_batch({first})}).ok());
  to_b.clear();
  read_gossip(b.value(), 1000, to_b, told_b);
  CHECK(std::find(to_b.begin(), to_b.end(), first) == to_b.end());

  const Bytes second = ledger::encode(test::transfer(2, 3, 5, 1));
  REQUIRE(a->send({MessageType::peers, node::p2p::encode_peer_list({})}).ok());
  REQUIRE(a->send({MessageType::txs, node::p2p::encode_tx_batch({second})}).ok());
  read_gossip(b.value(), 1000, to_b, told_b);
  CHECK(std::find(to_b.begin(), to_b.end(), second) != to_b.end());

  REQUIRE(a->send({MessageType::peers, Bytes{0, 0, 0, 1, 7}}).ok());  // one id, 1 byte long
  CHECK(disconnected(a.value()));

  running.stop();
}

TEST_CASE("gossip: a relayed batch is admitted whole; a forged signature in one bans the peer") {
  // Twelve transactions in one message have their signatures checked as one
  // batch and are all admitted (and relayed on). A relayed transaction with a
  // forged signature cannot come from a node that checked it: its sender is
  // disconnected, as for any other invalid message.
  GossipingNode running;
  auto& c = running.c;
  auto a = dial(c.p2p_port, 0x42);
  REQUIRE_MESSAGE(a.ok(), a.error());
  auto b = dial(c.p2p_port, 0x43);
  REQUIRE_MESSAGE(b.ok(), b.error());
  std::vector<Bytes> to_b, batch;
  std::vector<std::string> ids;
  read_gossip(b.value(), 300, to_b, ids);
  for (uint64_t i = 0; i < 12; ++i)
    batch.push_back(ledger::encode(test::transfer(static_cast<uint8_t>(2 + i % 3), 1, 1, i / 3)));
  REQUIRE(a->send({MessageType::txs, node::p2p::encode_tx_batch(batch)}).ok());
  to_b.clear();
  read_gossip(b.value(), 1000, to_b, ids);
  for (const Bytes& raw : batch) CHECK(std::find(to_b.begin(), to_b.end(), raw) != to_b.end());

  batch.clear();
  for (uint64_t i = 0; i < 12; ++i) {
    ledger::Transaction t = test::transfer(static_cast<uint8_t>(2 + i % 3), 1, 1, 4 + i / 3);
    if (i == 9) t.sig[7] ^= 0x01;
    batch.push_back(ledger::encode(t));
  }
  REQUIRE(a->send({MessageType::txs, node::p2p::encode_tx_batch(batch)}).ok());
  CHECK(disconnected(a.value()));
  to_b.clear();
  read_gossip(b.value(), 500, to_b, ids);
  CHECK(std::find(to_b.begin(), to_b.end(), batch[9]) == to_b.end());
  running.stop();
}

TEST_CASE("gossip: peer lists round-trip and refuse long or malformed ones") {
  const std::vector<std::string> ids = {std::string(40, 'a'),
                                        "0123456789abcdef0123456789abcdef01234567"};
  auto back = node::p2p::decode_peer_list(node::p2p::encode_peer_list(ids));
  REQUIRE(back.ok());
  CHECK(back.value() == ids);
  CHECK(node::p2p::decode_peer_list(node::p2p::encode_peer_list({})).value().empty());
  // Not node ids: left out.
  CHECK(node::p2p::decode_peer_list(node::p2p::encode_peer_list({"abc", std::string(42, 'a')}))
            .value()
            .empty());
  Bytes many = Writer().u32(node::p2p::kMaxPeerList + 1).take();
  many.resize(many.size() + node::p2p::kNodeIdBytes * (node::p2p::kMaxPeerList + 1));
  auto refused = node::p2p::decode_peer_list(many);
  REQUIRE_FALSE(refused.ok());
  CHECK(refused.error() == "a peer list of 1025, allowed at most 1024");
  Bytes trailing = node::p2p::encode_peer_list(ids);
  trailing.push_back(0);
  CHECK_FALSE(node::p2p::decode_peer_list(trailing).ok());
  Bytes cut = node::p2p::encode_peer_list(ids);
  cut.pop_back();
  CHECK_FALSE(node::p2p::decode_peer_list(cut).ok());
}

TEST_CASE("gossip: transaction batches round-trip and refuse empty, long or malformed ones") {
  const std::vector<Bytes> txs = {Bytes{1, 2, 3}, Bytes(100, 7), Bytes{9}};
  auto back = node::p2p::decode_tx_batch(node::p2p::encode_tx_batch(txs), 100);
  REQUIRE(back.ok());
  CHECK(back.value() == txs);
  CHECK_FALSE(
      node::p2p::decode_tx_batch(node::p2p::encode_tx_batch(txs), 99).ok());  // a tx too big
  CHECK_FALSE(node::p2p::decode_tx_batch(node::p2p::encode_tx_batch({}), 100).ok());
  const std::vector<Bytes> many(node::p2p::kMaxGossipBatch + 1, Bytes{1});
  auto refused = node::p2p::decode_tx_batch(node::p2p::encode_tx_batch(many), 100);
  REQUIRE_FALSE(refused.ok());
  CHECK(refused.error().find("allowed 1 to 1024") != std::string::npos);
  Bytes trailing = node::p2p::encode_tx_batch(txs);
  trailing.push_back(0);
  CHECK_FALSE(node::p2p::decode_tx_batch(trailing, 100).ok());
  Bytes cut = node::p2p::encode_tx_batch(txs);
  cut.pop_back();
  CHECK_FALSE(node::p2p::decode_tx_batch(cut, 100).ok());
}

}  // namespace vt
