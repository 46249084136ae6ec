// A real node run in-process for node tests: opens the test genesis in a
// temporary directory (RocksDB), submits one transfer and produces blocks
// until the head passes a height, then stops. Test code only.
#pragma once

#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <functional>

#include "node/node.h"
#include "tests/node/test_chain.h"

namespace vt::test {

// Runs a node on `dir` until its head is at least `blocks`; returns the head.
inline uint64_t run_node_to(const TempDir& dir, uint64_t blocks) {
  boost::asio::io_context io;
  node::NodeConfig c;
  c.data_dir = dir.path.string();
  c.rpc_port = 0;
  c.block_interval_ms = 10;
  auto n = node::Node::open(io, c, test_genesis(), validator_key());
  REQUIRE_MESSAGE(n.ok(), n.error());
  REQUIRE(n.value()->start().ok());
  ledger::Transaction t;
  t.chain_id = "vt-test";
  t.sender = account_key(1).pubkey();
  t.fee = 10;
  t.msg = ledger::Transfer{account_key(2).pubkey(), 1234};
  ledger::sign(t, account_key(1));
  REQUIRE(n.value()->submit_transaction(ledger::encode(t)).ok());
  boost::asio::steady_timer timer(io);
  std::function<void()> poll = [&] {
    timer.expires_after(std::chrono::milliseconds(10));
    timer.async_wait([&](const boost::system::error_code& ec) {
      if (ec) return;
      if (n.value()->head().height >= blocks)
        n.value()->stop();
      else
        poll();
    });
  };
  poll();
  io.run();
  return n.value()->head().height;
}

}  // namespace vt::test
