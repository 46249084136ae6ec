#include "node/mempool.h"

#include <doctest/doctest.h>

#include "ledger/genesis.h"
#include "ledger/state_access.h"
#include "tests/node/test_chain.h"

using namespace vt;

namespace {

struct Fixture {
  ledger::StateStore state;
  ledger::Params params;
  Fixture() {
    auto g = test::test_genesis(6);
    state.apply(ledger::genesis_changes(g));
    params = g.params;
  }
  ledger::Transaction tx(uint8_t from, uint64_t nonce, uint64_t fee, uint64_t amount = 1) {
    ledger::Transaction t;
    t.chain_id = "vt-test";
    t.nonce = nonce;
    t.fee = fee;
    t.msg = ledger::Transfer{test::account_key(6).pubkey(), amount};
    ledger::sign(t, test::account_key(from));
    return t;
  }
  Result<Hash256> add(node::Mempool& m, const ledger::Transaction& t) {
    return m.add(t, ledger::encode(t).size(), state, params);
  }
};

}  // namespace

TEST_CASE("mempool admission rejects with a reason") {
  Fixture f;
  node::Mempool m(100, 1 << 20);
  auto good = f.tx(1, 0, 10);
  REQUIRE(f.add(m, good).ok());
  auto dup = f.add(m, good);
  REQUIRE_FALSE(dup.ok());
  CHECK(dup.error() == "transaction is already in the mempool");
  auto same_nonce = f.add(m, f.tx(1, 0, 20, 2));
  REQUIRE_FALSE(same_nonce.ok());
  CHECK(same_nonce.error().find("already pending") != std::string::npos);

  auto bad_sig = f.tx(2, 0, 10);
  bad_sig.sig[5] ^= 1;
  CHECK(f.add(m, bad_sig).error() == "invalid signature");
  auto wrong_chain = f.tx(2, 0, 10);
  wrong_chain.chain_id = "other";
  ledger::sign(wrong_chain, test::account_key(2));
  CHECK(f.add(m, wrong_chain).error().find("wrong chain id") != std::string::npos);
  CHECK(f.add(m, f.tx(2, 0, 9)).error().find("below the minimum fee") != std::string::npos);
  CHECK(f.add(m, f.tx(2, 65, 10)).error().find("too far ahead") != std::string::npos);
  CHECK(f.add(m, f.tx(9, 0, 10)).error().find("insufficient balance for the fee") !=
        std::string::npos);
  CHECK(m.size() == 1);
}

TEST_CASE("selection: highest fee first, each sender's nonces in order, gaps wait") {
  Fixture f;
  node::Mempool m(100, 1 << 20);
  REQUIRE(f.add(m, f.tx(1, 1, 500)).ok());  // rich but out of order: must follow nonce 0
  REQUIRE(f.add(m, f.tx(1, 0, 20)).ok());
  REQUIRE(f.add(m, f.tx(2, 0, 100)).ok());
  REQUIRE(f.add(m, f.tx(3, 1, 999)).ok());  // gap: nonce 0 missing, never selected
  auto picked = m.select(f.state, 10, 1 << 20);
  REQUIRE(picked.size() == 3);
  CHECK(picked[0].fee == 100);  // sender 2's only offer beats sender 1's nonce-0 (fee 20)
  CHECK(picked[1].nonce == 0);
  CHECK(picked[1].fee == 20);
  CHECK(picked[2].fee == 500);
  CHECK(m.select(f.state, 1, 1 << 20).size() == 1);
  CHECK(m.next_nonce(test::account_key(1).pubkey(), 0) == 2);
  CHECK(m.next_nonce(test::account_key(3).pubkey(), 0) == 0);
}

TEST_CASE("a full mempool refuses cheap transactions and evicts for richer ones") {
  Fixture f;
  node::Mempool m(2, 1 << 20);
  REQUIRE(f.add(m, f.tx(1, 0, 10)).ok());
  REQUIRE(f.add(m, f.tx(2, 0, 30)).ok());
  auto cheap = f.add(m, f.tx(3, 0, 10));
  REQUIRE_FALSE(cheap.ok());
  CHECK(cheap.error().find("mempool is full") != std::string::npos);
  auto rich = f.add(m, f.tx(4, 0, 50));
  REQUIRE(rich.ok());
  CHECK(m.size() == 2);
  CHECK_FALSE(m.contains(ledger::tx_hash(f.tx(1, 0, 10))));  // the cheapest went
  node::Mempool tiny(100, 300);
  REQUIRE(f.add(tiny, f.tx(1, 0, 10)).ok());
  CHECK(f.add(tiny, f.tx(2, 0, 10)).error().find("mempool is full") != std::string::npos);
}

TEST_CASE("prune drops what the chain has consumed") {
  Fixture f;
  node::Mempool m(100, 1 << 20);
  REQUIRE(f.add(m, f.tx(1, 0, 10)).ok());
  REQUIRE(f.add(m, f.tx(1, 1, 10)).ok());
  ledger::Overlay o(f.state);
  ledger::write_account(o, test::account_key(1).pubkey(), ledger::Account{1'000'000, 1});
  f.state.apply(o.take_changes());
  m.prune(f.state);
  CHECK(m.size() == 1);
  CHECK(m.bytes() > 0);
}

// A block holds max_posts_per_block checkpoint posts. Found by
// tests/adversary: when the mempool ranked posts by fee (then hash), a
// challenger holding many disputes could outbid the provider's post with junk
// posts on disputes due later, every block until the provider's deadline passed,
// and take its bond. Posts now go first by their dispute's deadline.
TEST_CASE("mempool: checkpoint posts go first, the soonest-due dispute first, whatever the fees") {
  Fixture f;
  {
    ledger::Overlay o(f.state);
    for (uint64_t id = 1; id <= 4; ++id) {
      ledger::DisputeRecord d;
      d.id = id;
      d.kind = ledger::DisputeKind::availability;
      d.provider = test::account_key(1).pubkey();
      d.challenger = test::account_key(2).pubkey();
      d.game.deadline = id == 1 ? 100 : 200 + id;  // dispute 1 is due first
      ledger::write_dispute(o, d);
    }
    f.state.apply(o.take_changes());
  }
  auto post = [&](uint8_t from, uint64_t nonce, uint64_t dispute, uint64_t fee) {
    ledger::Transaction t;
    t.chain_id = "vt-test";
    t.nonce = nonce;
    t.fee = fee;
    t.msg = ledger::CheckpointPost{dispute, Bytes(100, 7)};
    ledger::sign(t, test::account_key(from));
    return t;
  };
  node::Mempool m(100, 1 << 20);
  // The challenger bids high on the disputes due later; the provider pays the minimum.
  for (uint64_t id = 2; id <= 4; ++id) REQUIRE(f.add(m, post(2, id - 2, id, 1000)).ok());
  REQUIRE(f.add(m, post(1, 0, 1, 10)).ok());
  REQUIRE(f.add(m, f.tx(3, 0, 5000)).ok());  // an ordinary transfer bidding the most
  const auto picked = m.select(f.state, 100, 1 << 20);
  REQUIRE(picked.size() == 5);
  CHECK(picked[0].sender == test::account_key(1).pubkey());  // the post due first
  CHECK(std::get<ledger::CheckpointPost>(picked[0].msg).dispute_id == 1);
  for (size_t i = 1; i < 4; ++i)
    CHECK(std::holds_alternative<ledger::CheckpointPost>(picked[i].msg));
  CHECK(std::holds_alternative<ledger::Transfer>(picked[4].msg));
  // A third party's post never enters the mempool.
  auto stranger = f.add(m, post(3, 1, 1, 10));
  REQUIRE_FALSE(stranger.ok());
  CHECK(stranger.error().find("only the provider or the challenger") != std::string::npos);
}
