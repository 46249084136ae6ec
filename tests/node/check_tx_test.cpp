// Admission executes a transaction before it is admitted (CheckTx): one that
// would fail on chain is refused with its code and reason and costs nothing,
// later transactions of a sender are checked after its pending ones, a
// simulation changes nothing, and after a commit the check state starts from
// the new head. A real node over RocksDB in a temporary directory.
#include <doctest/doctest.h>

#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <functional>

#include "ledger/state_access.h"
#include "node/node.h"
#include "tests/node/test_chain.h"

using namespace vt;

namespace {

// A signed transfer from account_key(2) (1,000,000 uvt at genesis, fee 10; not
// the validator's operator, who collects the fees) to account_key(3).
Bytes transfer(uint64_t nonce, uint64_t amount) {
  ledger::Transaction t;
  t.chain_id = "vt-test";
  t.sender = test::account_key(2).pubkey();
  t.nonce = nonce;
  t.fee = 10;
  t.msg = ledger::Transfer{test::account_key(3).pubkey(), amount};
  ledger::sign(t, test::account_key(2));
  return ledger::encode(t);
}

bool mentions(const std::string& s, const std::string& what) {
  return s.find(what) != std::string::npos;
}

}  // namespace

TEST_CASE("admission: a transaction that would fail is refused before it costs a fee") {
  test::TempDir dir;
  boost::asio::io_context io;
  node::NodeConfig c;
  c.data_dir = dir.path.string();
  c.rpc_port = 0;
  c.block_interval_ms = 10;
  auto opened = node::Node::open(io, c, test::test_genesis(), test::validator_key());
  REQUIRE_MESSAGE(opened.ok(), opened.error());
  node::Node& n = *opened.value();
  const Address alice = test::account_key(2).pubkey();

  // Beyond the balance, or nothing at all: refused with the execution's code.
  auto r = n.submit_transaction(transfer(0, 2'000'000));
  REQUIRE_FALSE(r.ok());
  CHECK_MESSAGE(mentions(r.error(), "would fail on chain (insufficient_balance)"), r.error());
  r = n.submit_transaction(transfer(0, 0));
  REQUIRE_FALSE(r.ok());
  CHECK_MESSAGE(mentions(r.error(), "would fail on chain (invalid_amount)"), r.error());
  CHECK(n.mempool().size() == 0);

  // A sender's second transaction is checked after its first, still pending.
  REQUIRE(n.submit_transaction(transfer(0, 600'000)).ok());
  r = n.submit_transaction(transfer(1, 600'000));
  REQUIRE_FALSE(r.ok());
  CHECK_MESSAGE(mentions(r.error(), "insufficient_balance"), r.error());
  REQUIRE(n.submit_transaction(transfer(1, 300'000)).ok());
  CHECK(n.mempool().size() == 2);

  // A simulation answers what would happen and keeps nothing.
  auto tx = ledger::decode_transaction(transfer(2, 99'970), 1 << 19).value();
  auto sim = n.simulate_transaction(tx, transfer(2, 99'970).size());
  REQUIRE(sim.ok());
  CHECK(sim->success);
  CHECK(sim->fee == 10);
  tx = ledger::decode_transaction(transfer(2, 99'971), 1 << 19).value();
  sim = n.simulate_transaction(tx, transfer(2, 99'971).size());
  REQUIRE(sim.ok());
  CHECK_FALSE(sim->success);
  CHECK(sim->code == ledger::TxCode::insufficient_balance);
  // A nonce already used by a pending one is an admission error, not a receipt.
  tx = ledger::decode_transaction(transfer(1, 5), 1 << 19).value();
  CHECK_FALSE(n.simulate_transaction(tx, transfer(1, 5).size()).ok());
  CHECK(n.mempool().size() == 2);
  CHECK(ledger::read_account(n.state(), alice).balance == 1'000'000);  // nothing committed yet

  // Committed: the check state starts again from the new head, where 99,980 is left.
  REQUIRE(n.start().ok());
  boost::asio::steady_timer timer(io);
  std::function<void()> poll = [&] {
    timer.expires_after(std::chrono::milliseconds(10));
    timer.async_wait([&](const boost::system::error_code& ec) {
      if (ec) return;
      if (n.mempool().size() == 0 && n.head().height >= 2)
        n.stop();
      else
        poll();
    });
  };
  poll();
  io.run();
  CHECK(ledger::read_account(n.state(), alice).balance == 1'000'000 - 900'000 - 20);
  r = n.submit_transaction(transfer(2, 99'971));
  REQUIRE_FALSE(r.ok());
  CHECK_MESSAGE(mentions(r.error(), "insufficient_balance"), r.error());
  CHECK(n.submit_transaction(transfer(2, 99'970)).ok());
}

TEST_CASE("admission: signatures checked ahead as a batch give exactly the one-by-one answers") {
  // Two nodes get the same submissions; one first checks their signatures as a
  // batch (as an RPC batch of tx_submit does). One forged signature, a replay and
  // a transaction for another chain are among them: every answer must match, so
  // the forgery is refused by name and nothing the batch saw is admitted unchecked.
  test::TempDir dir_a, dir_b;
  boost::asio::io_context io;
  node::NodeConfig c;
  c.rpc_port = 0;
  c.data_dir = dir_a.path.string();
  auto a = node::Node::open(io, c, test::test_genesis(), test::validator_key());
  c.data_dir = dir_b.path.string();
  auto b = node::Node::open(io, c, test::test_genesis(), test::validator_key());
  REQUIRE(a.ok());
  REQUIRE(b.ok());

  for (int poisoned = 0; poisoned < 2; ++poisoned) {
    std::vector<Bytes> raws;
    const uint64_t base = poisoned ? 12 : 0;
    for (uint64_t i = 0; i < 12; ++i) {
      ledger::Transaction t =
          test::transfer(static_cast<uint8_t>(2 + i % 3), 1, 1, base / 3 + i / 3);
      if (poisoned && i == 7) t.sig[5] ^= 0x10;
      raws.push_back(ledger::encode(t));
    }
    if (poisoned) {
      raws.push_back(ledger::encode(test::transfer(2, 1, 1, 0)));  // nonce 0 is pending
      ledger::Transaction other = test::transfer(3, 1, 1, 9);
      other.chain_id = "vt-other";
      ledger::sign(other, test::account_key(3));
      raws.push_back(ledger::encode(other));
    }
    a.value()->prepare_submissions(raws);
    for (size_t i = 0; i < raws.size(); ++i) {
      auto ra = a.value()->submit_transaction(raws[i]);
      auto rb = b.value()->submit_transaction(raws[i]);
      CAPTURE(i);
      REQUIRE(ra.ok() == rb.ok());
      if (ra.ok()) {
        CHECK(ra.value() == rb.value());
      } else {
        CHECK(ra.error() == rb.error());
      }
      if (poisoned && i == 7) CHECK_MESSAGE(mentions(ra.error(), "invalid signature"), ra.error());
      if (!poisoned) CHECK(ra.ok());
    }
    CHECK(a.value()->mempool().size() == b.value()->mempool().size());
  }
  CHECK(a.value()->mempool().size() >= 20);
}
