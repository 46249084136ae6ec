// The signature cache (ledger/signature_cache.h): a signature checked once is
// not checked again, a changed signature (another hash) always is, a bad one
// never enters, the cache stays within its capacity, and a block checked with
// the cache reaches exactly the state it reaches without.
#include "ledger/signature_cache.h"

#include <doctest/doctest.h>

#include "ledger/executor.h"
#include "tests/ledger/fixture.h"

namespace vt::ledger::test {

TEST_CASE("signature cache: skips only what was verified, refuses forgeries, stays bounded") {
  Chain c;
  SignatureCache cache(3);
  const Transaction good = c.tx(c.alice, Transfer{c.bob.pubkey(), 5});
  const size_t size = encode(good).size();
  REQUIRE(check_transaction(c.state, c.params, good, size, false, &cache).ok());
  CHECK(cache.contains(tx_hash(good)));

  Transaction forged = good;
  forged.sig[10] ^= 1;  // another hash: checked, refused, not cached
  auto r = check_transaction(c.state, c.params, forged, size, false, &cache);
  REQUIRE_FALSE(r.ok());
  CHECK(r.error() == "invalid signature");
  CHECK_FALSE(cache.contains(tx_hash(forged)));
  CHECK(cache.size() == 1);
  CHECK(cache.refused(tx_hash(forged)));
  CHECK(cache.refused_count() == 1);

  // A cached signature is the same verdict without the check: the other rules still run.
  Transaction late = good;
  CHECK(check_transaction(c.state, c.params, late, size, false, &cache).ok());
  c.exec(good);  // its nonce is used now
  CHECK_FALSE(check_transaction(c.state, c.params, late, size, false, &cache).ok());

  for (uint64_t i = 1; i <= 4; ++i)
    cache.insert(tx_hash(c.tx(c.bob, Transfer{c.carol.pubkey(), i}, i)));
  CHECK(cache.size() == 3);
  CHECK_FALSE(cache.contains(tx_hash(good)));  // the oldest went first
}

TEST_CASE("signature cache: keys decoded once verify as before, and stay bounded") {
  SignatureCache cache(10, /*key_capacity=*/2);
  std::vector<SchnorrKey> keys;
  for (uint8_t i = 1; i <= 3; ++i) {
    std::array<uint8_t, 32> secret{};
    secret[31] = i;
    keys.push_back(SchnorrKey::from_secret(secret).value());
  }
  Hash256 msg{};
  for (int round = 0; round < 2; ++round) {  // the second round finds the keys decoded
    for (size_t k = 0; k < keys.size(); ++k) {
      msg[0] = static_cast<uint8_t>(k);
      const SchnorrSig sig = keys[k].sign(msg);
      CHECK(cache.verify(keys[k].pubkey(), msg, sig));
      SchnorrSig bad = sig;
      bad[40] ^= 4;
      CHECK_FALSE(cache.verify(keys[k].pubkey(), msg, bad));
      CHECK_FALSE(cache.verify(keys[(k + 1) % keys.size()].pubkey(), msg, sig));
      CHECK(cache.key_count() <= 2);
    }
  }
  // 32 bytes that are no x coordinate (above the field size, as BIP-340 row 14): refused.
  SchnorrPubkey not_a_key;
  not_a_key.fill(0xFF);
  CHECK_FALSE(cache.verify(not_a_key, msg, keys[0].sign(msg)));
  CHECK(cache.key_count() <= 2);
}

TEST_CASE("signature cache: a block runs to the same state with and without it") {
  Chain with, without;
  SignatureCache cache(100);
  std::vector<Transaction> txs;
  for (uint64_t i = 0; i < 5; ++i)
    txs.push_back(with.tx(with.alice, Transfer{with.bob.pubkey(), 1 + i}, i));
  for (const auto& t : txs)
    REQUIRE(check_transaction(with.state, with.params, t, encode(t).size(), true, &cache).ok());
  BlockContext ctx;
  ctx.height = 1;
  ctx.time_ms = 1'700'000'001'000;
  ctx.fee_recipient = with.proposer;
  ctx.signatures = &cache;
  BlockExecutor a(with.state, ctx);
  ctx.signatures = nullptr;
  BlockExecutor b(without.state, ctx);
  for (const auto& t : txs) {
    auto ra = a.apply(t, encode(t).size());
    auto rb = b.apply(t, encode(t).size());
    REQUIRE(ra.ok());
    REQUIRE(rb.ok());
    CHECK(ra.value() == rb.value());
  }
  with.state.apply(std::move(a).finish().changes);
  without.state.apply(std::move(b).finish().changes);
  CHECK(with.state.root() == without.state.root());
}

TEST_CASE("signature cache: a batch is remembered whole or not at all") {
  Chain c;
  SignatureCache cache(100);
  std::vector<Transaction> txs;
  for (uint64_t i = 0; i < 12; ++i)
    txs.push_back(c.tx(i % 2 ? c.alice : c.bob, Transfer{c.carol.pubkey(), 1 + i}, i / 2));
  std::vector<SignatureCache::Pending> pending;
  for (const auto& t : txs) pending.push_back(pending_signature(t, tx_hash(t)));

  // One bad signature among twelve: nothing is remembered, and each one checked
  // alone afterwards gets its own verdict.
  std::vector<SignatureCache::Pending> poisoned = pending;
  poisoned[7].sig[3] ^= 0x20;
  CHECK(cache.verify_batch(poisoned) == 0);
  CHECK(cache.size() == 0);
  Transaction bad = txs[7];
  bad.sig = poisoned[7].sig;
  CHECK(check_transaction(c.state, c.params, bad, encode(bad).size(), true, &cache).error() ==
        "invalid signature");

  // A key that is no curve point makes the whole batch fall back to single checks.
  std::vector<SignatureCache::Pending> no_key = pending;
  no_key[2].pubkey.fill(0xFF);
  CHECK(cache.verify_batch(no_key) == 0);
  CHECK(cache.size() == 0);

  // A signature moved to another transaction of the same sender fails too.
  std::vector<SignatureCache::Pending> swapped = pending;
  std::swap(swapped[1].sig, swapped[3].sig);
  CHECK(cache.verify_batch(swapped) == 0);

  // The honest batch: all remembered, and check_transaction then skips each.
  cache.insert(tx_hash(txs[0]));
  CHECK(cache.verify_batch(pending) == 11);  // the one already held is not counted
  for (const auto& t : txs) CHECK(cache.contains(tx_hash(t)));
  CHECK(cache.verify_batch(pending) == 0);  // nothing left to check
  for (const auto& t : txs)
    CHECK(check_transaction(c.state, c.params, t, encode(t).size(), true, &cache).ok());
  CHECK(cache.verify_batch({}) == 0);
}

TEST_CASE("signature cache: a refusal is remembered, answers alone, and spoils no batch") {
  Chain c;
  SignatureCache cache(16);  // room for 16 / kRefusedShare = 2 refusals
  std::vector<Transaction> txs;
  for (uint64_t i = 0; i < 10; ++i)
    txs.push_back(c.tx(c.alice, Transfer{c.bob.pubkey(), 1 + i}, i));
  Transaction forged = txs[4];
  forged.sig[0] ^= 1;
  const size_t size = encode(forged).size();
  CHECK(check_transaction(c.state, c.params, forged, size, true, &cache).error() ==
        "invalid signature");
  REQUIRE(cache.refused(tx_hash(forged)));

  // The refusal is the verdict without a second check: shown by a refusal put
  // in by hand for an honest transaction (a cache that ignored refusals would
  // verify it and say yes).
  cache.insert_refused(tx_hash(txs[9]));
  CHECK(check_transaction(c.state, c.params, txs[9], size, true, &cache).error() ==
        "invalid signature");
  CHECK_FALSE(cache.contains(tx_hash(txs[9])));

  // A known forgery among honest ones is left out of the batch: the honest
  // nine are remembered, instead of all ten falling back to single checks.
  std::vector<SignatureCache::Pending> pending;
  for (size_t i = 0; i < 9; ++i) pending.push_back(pending_signature(txs[i], tx_hash(txs[i])));
  pending.push_back(pending_signature(forged, tx_hash(forged)));
  CHECK(cache.verify_batch(pending) == 9);
  for (size_t i = 0; i < 9; ++i) CHECK(cache.contains(tx_hash(txs[i])));

  // Bounded: a third refusal pushes out the first.
  Transaction forged2 = txs[5];
  forged2.sig[1] ^= 1;
  CHECK_FALSE(check_transaction(c.state, c.params, forged2, size, true, &cache).ok());
  CHECK(cache.refused_count() == 2);
  CHECK_FALSE(cache.refused(tx_hash(forged)));
  CHECK(cache.refused(tx_hash(forged2)));
}

}  // namespace vt::ledger::test
