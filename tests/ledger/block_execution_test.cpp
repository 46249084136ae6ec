// Building and checking blocks (ledger/block_execution.h): a block one
// validator builds checks out on another's independent state with the same
// roots, and every way a header or its transactions can be wrong is refused
// with its own code, leaving the checker's state untouched.
#include "ledger/block_execution.h"

#include <doctest/doctest.h>

#include <functional>

#include "core/vrf.h"
#include "ledger/randomness.h"
#include "ledger/state_access.h"
#include "tests/ledger/fixture.h"

namespace vt::ledger::test {
namespace {

// The fixture genesis's only validator (Ed25519 seed 7, its derived VRF key).
const Ed25519Pubkey& proposer() {
  static const Ed25519Pubkey k = Ed25519Key::from_seed(seed_of(7)).pubkey();
  return k;
}

constexpr uint64_t kGenesisTime = 1'700'000'000'000;

// A proposer's block at parent.height + 1, one second after the parent.
ExecutedBlock propose(StateStore& state, const ParentBlock& parent, std::vector<Transaction> txs,
                      uint8_t vrf_seed = 7) {
  BlockProposal p;
  p.proposer = proposer();
  p.vrf_proof =
      vrf_prove(vrf_secret_from_seed(seed_of(vrf_seed)),
                vrf_alpha(read_params(state).chain_id, parent.height + 1, read_randomness(state)))
          .value();
  p.time_ms = parent.time_ms + 1000;
  p.candidates = std::move(txs);
  p.max_bytes = 1 << 20;
  p.last_commit = sign_last_commit(state, parent.height, parent.hash);
  auto built = build_block(state, parent, nullptr, std::move(p));
  REQUIRE_MESSAGE(built.ok(), built.error());
  return std::move(built).value();
}

ParentBlock after(const Block& b) {
  return {b.header.height, block_hash(b.header), b.header.time_ms};
}

}  // namespace

TEST_CASE("blocks: what one validator builds, another checks and reaches the same state") {
  Chain proposer_chain, follower;
  ParentBlock parent{0, Hash256{}, kGenesisTime};
  for (int i = 0; i < 3; ++i) {
    // A transfer each block, and one refused transaction the proposer leaves out.
    Transaction pay = proposer_chain.tx(proposer_chain.alice,
                                        Transfer{proposer_chain.bob.pubkey(), 100 + uint64_t(i)});
    Transaction bad =
        proposer_chain.tx(proposer_chain.carol, Transfer{proposer_chain.bob.pubkey(), 1});
    bad.nonce += 5;  // a gap: refused at admission
    sign(bad, proposer_chain.carol);
    const ExecutedBlock b = propose(proposer_chain.state, parent, {pay, bad});
    CHECK(b.block.txs.size() == 1);
    CHECK(b.result.receipts.size() == 1);
    // The hashes the executor kept are the included transactions' (the left-out one has none).
    REQUIRE(b.result.tx_hashes.size() == 1);
    CHECK(b.result.tx_hashes[0] == tx_hash(pay));
    CHECK(b.block.header.tx_root == compute_tx_root(b.block.txs));
    CHECK(b.block.header.state_root == proposer_chain.state.root());

    BlockVerdict v = check_block(follower.state, parent, b.block, proposer(), UINT64_MAX, nullptr);
    REQUIRE_MESSAGE(v.code == BlockCode::ok, v.reason);
    CHECK(follower.state.root() == b.block.header.state_root);
    CHECK(v.executed.result.receipts == b.result.receipts);
    CHECK(v.executed.result.tx_hashes == b.result.tx_hashes);
    CHECK(v.executed.block == b.block);  // what the node keeps instead of the proposal's copy
    parent = after(b.block);
  }
  CHECK(read_account(follower.state, follower.bob.pubkey()).balance == kFunded + 100 + 101 + 102);
  // The undo takes a checked block back out.
  Chain again;
  ParentBlock p0{0, Hash256{}, kGenesisTime};
  const Hash256 before = again.state.root();
  const ExecutedBlock b = propose(again.state, p0, {});
  CHECK(again.state.root() != before);  // the block's randomness and bookkeeping
  again.state.apply(b.undo);
  CHECK(again.state.root() == before);
}

TEST_CASE("blocks: a block's unseen signatures are checked as one batch, a forgery still named") {
  Chain builder;
  const ParentBlock parent{0, Hash256{}, kGenesisTime};
  std::vector<Transaction> txs;
  for (uint64_t i = 0; i < 12; ++i)
    txs.push_back(builder.tx(builder.alice, Transfer{builder.bob.pubkey(), 1 + i}, i));
  const Block good = propose(builder.state, parent, txs).block;
  REQUIRE(good.txs.size() == 12);

  // A node that saw none of them (a synced block): one batch, no single check.
  Chain checker;
  SignatureCache cache(100);
  BlockVerdict v =
      check_block(checker.state, parent, good, proposer(), UINT64_MAX, nullptr, &cache);
  REQUIRE_MESSAGE(v.code == BlockCode::ok, v.reason);
  CHECK(checker.state.root() == good.header.state_root);
  CHECK(cache.checked_in_batches() == 12);
  CHECK(cache.checked_alone() == 0);
  for (const auto& t : txs) CHECK(cache.contains(tx_hash(t)));

  // One forged signature: the batch fails, the transactions are checked alone
  // in order up to the forgery, which the refusal names; nothing is applied.
  Block bad = good;
  bad.txs[7].sig[9] ^= 2;
  bad.header.tx_root = compute_tx_root(bad.txs);
  Chain checker2;
  const Hash256 before = checker2.state.root();
  SignatureCache cache2(100);
  v = check_block(checker2.state, parent, bad, proposer(), UINT64_MAX, nullptr, &cache2);
  CHECK(v.code == BlockCode::tx_refused);
  CHECK_MESSAGE(mentions(v.reason, "transaction 7"), v.reason);
  CHECK_MESSAGE(mentions(v.reason, "invalid signature"), v.reason);
  CHECK(checker2.state.root() == before);
  CHECK(cache2.checked_in_batches() == 12);
  CHECK(cache2.checked_alone() == 8);
  CHECK(cache2.refused(tx_hash(bad.txs[7])));
}

TEST_CASE("blocks: every wrong header field or transaction is refused with its code") {
  Chain builder;
  const ParentBlock parent{0, Hash256{}, kGenesisTime};
  Transaction pay = builder.tx(builder.alice, Transfer{builder.bob.pubkey(), 7});
  Transaction pay2 = builder.tx(builder.bob, Transfer{builder.alice.pubkey(), 3});
  const Block good = propose(builder.state, parent, {pay, pay2}).block;
  REQUIRE(good.txs.size() == 2);

  // Each case: a change to the good block, the code and words its refusal carries.
  struct Case {
    const char* what;
    std::function<void(Block&)> change;
    BlockCode code;
    const char* words;
    ParentBlock parent;
    uint64_t max_time = UINT64_MAX;
  };
  const std::vector<Case> cases = {
      {"chain", [](Block& b) { b.header.chain_id = "other"; }, BlockCode::wrong_chain,
       "for chain 'other'", parent},
      {"height", [](Block& b) { b.header.height = 2; }, BlockCode::wrong_height, "does not follow",
       parent},
      {"parent", [](Block& b) { b.header.prev_hash[0] ^= 1; }, BlockCode::wrong_parent,
       "is not the head", parent},
      {"time", [](Block&) {}, BlockCode::time_not_after_parent, "is not after the parent's",
       ParentBlock{0, Hash256{}, kGenesisTime + 1000}},
      {"future", [](Block&) {}, BlockCode::time_too_far_ahead, "after this node's bound", parent,
       kGenesisTime + 999},
      {"proposer", [](Block& b) { b.header.proposer = Ed25519Key::from_seed(seed_of(9)).pubkey(); },
       BlockCode::wrong_proposer, "is not the expected", parent},
      {"vrf", [](Block& b) { b.header.vrf_proof[40] ^= 1; }, BlockCode::bad_randomness, "", parent},
      {"tx root", [](Block& b) { std::swap(b.txs[0], b.txs[1]); }, BlockCode::tx_root_mismatch,
       "tx_root", parent},
      {"refused tx",
       [&](Block& b) {
         b.txs[1].fee += 1;  // the signature no longer covers it
         b.header.tx_root = compute_tx_root(b.txs);
       },
       BlockCode::tx_refused, "transaction 1", parent},
      {"state root", [](Block& b) { b.header.state_root[5] ^= 1; }, BlockCode::state_root_mismatch,
       "gives state root", parent},
      {"receipts root", [](Block& b) { b.header.receipts_root[5] ^= 1; },
       BlockCode::receipts_root_mismatch, "gives receipts root", parent},
      {"too many",
       [&](Block& b) {
         for (int i = 0; i < 1000; ++i) b.txs.push_back(pay);  // max_block_txs is 1000
         b.header.tx_root = compute_tx_root(b.txs);
       },
       BlockCode::too_many_txs, "the limit is 1000", parent},
      {"too large",
       [&](Block& b) {
         for (int i = 0; i < 5; ++i)  // 5 x 250 kB > max_block_bytes (1 MiB)
           b.txs.push_back(builder.tx(builder.alice, CheckpointPost{1, Bytes(250000, 1)}));
         b.header.tx_root = compute_tx_root(b.txs);
       },
       BlockCode::too_large, "bytes, the limit is", parent},
  };
  for (const Case& k : cases) {
    CAPTURE(k.what);
    Chain checker;
    const Hash256 before = checker.state.root();
    Block bad = good;
    k.change(bad);
    const Ed25519Pubkey expected = proposer();
    BlockVerdict v = check_block(checker.state, k.parent, bad, expected, k.max_time, nullptr);
    CHECK(v.code == k.code);
    CHECK_MESSAGE(mentions(v.reason, k.words), v.reason);
    CHECK(checker.state.root() == before);  // nothing applied
  }
  // The untouched block is fine; a proposer that is not the expected one is not.
  Chain checker;
  CHECK(check_block(checker.state, parent, good, proposer(), UINT64_MAX, nullptr).code ==
        BlockCode::ok);
  Chain other;
  CHECK(check_block(other.state, parent, good, Ed25519Key::from_seed(seed_of(9)).pubkey(),
                    UINT64_MAX, nullptr)
            .code == BlockCode::wrong_proposer);
  // A VRF proof by another key cannot even be built into a block.
  Chain c;
  BlockProposal p;
  p.proposer = proposer();
  p.vrf_proof = vrf_prove(vrf_secret_from_seed(seed_of(8)),
                          vrf_alpha(c.params.chain_id, 1, read_randomness(c.state)))
                    .value();
  p.time_ms = kGenesisTime + 1;
  p.max_bytes = 1 << 20;
  CHECK_FALSE(build_block(c.state, parent, nullptr, p).ok());
  CHECK(std::string(block_code_name(BlockCode::receipts_root_mismatch)) ==
        "receipts_root_mismatch");
}

}  // namespace vt::ledger::test
