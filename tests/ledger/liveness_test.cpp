// Missed blocks (ledger/liveness.h): each block's last commit is checked
// against the set that signed the parent, a validator that misses more than
// downtime_max_missed_blocks of a sliding window is jailed (stake untouched)
// and may unjail downtime_jail_blocks later, and a proposer that leaves an
// honest validator's signature out of the blocks it proposes cannot get it
// jailed on its own. Four validators (seeds 7..10, power 10 each) on blocks
// built and checked with build_block / check_block.
#include "ledger/liveness.h"

#include <doctest/doctest.h>

#include <nlohmann/json.hpp>

#include "core/vrf.h"
#include "ledger/block_execution.h"
#include "ledger/randomness.h"
#include "ledger/state_access.h"
#include "tests/ledger/fixture.h"

namespace vt::ledger::test {
namespace {

constexpr uint8_t kFirstSeed = 7;  // validators: seeds 7, 8, 9, 10
constexpr uint64_t kWindow = 10;
constexpr uint64_t kMaxMissed = 5;
constexpr uint64_t kJailBlocks = 4;

Ed25519Pubkey key_of_seed(uint8_t n) {
  return Ed25519Key::from_seed(seed_of(n)).pubkey();
}

// The fixture genesis with four validators operated by alice, and the
// downtime parameters above.
std::string four_validator_genesis() {
  nlohmann::json d = nlohmann::json::parse(genesis_json());
  d["params"]["max_validators"] = "4";
  d["params"]["downtime_window_blocks"] = std::to_string(kWindow);
  d["params"]["downtime_max_missed_blocks"] = std::to_string(kMaxMissed);
  d["params"]["downtime_jail_blocks"] = std::to_string(kJailBlocks);
  d["validators"] = nlohmann::json::array();
  for (uint8_t s = kFirstSeed; s < kFirstSeed + 4; ++s)
    d["validators"].push_back(
        {{"consensus_key", to_hex(key_of_seed(s))},
         {"operator", address_to_string(key_of(1).pubkey())},
         {"power", "1000"},
         {"vrf_key", to_hex(vrf_public_key(vrf_secret_from_seed(seed_of(s))).value())}});
  return d.dump();
}

// A chain of blocks built by validator seed 7, whose last commits hold the
// precommits of the seeds the test names.
struct Net {
  Chain chain{four_validator_genesis()};
  ParentBlock parent{0, Hash256{}, 1'700'000'000'000};
  std::vector<Event> events;  // begin events of every block

  BlockProposal proposal(const std::vector<uint8_t>& signers, std::vector<Transaction> txs = {}) {
    BlockProposal p;
    p.proposer = key_of_seed(kFirstSeed);
    p.vrf_proof =
        vrf_prove(vrf_secret_from_seed(seed_of(kFirstSeed)),
                  vrf_alpha(chain.params.chain_id, parent.height + 1, read_randomness(chain.state)))
            .value();
    p.time_ms = parent.time_ms + 1000;
    p.max_bytes = 1 << 20;
    p.candidates = std::move(txs);
    p.last_commit = sign_last_commit(chain.state, parent.height, parent.hash, signers);
    return p;
  }
  ExecutedBlock next(const std::vector<uint8_t>& signers, std::vector<Transaction> txs = {}) {
    auto built = build_block(chain.state, parent, nullptr, proposal(signers, std::move(txs)));
    REQUIRE_MESSAGE(built.ok(), built.error());
    parent = {built->block.header.height, block_hash(built->block.header),
              built->block.header.time_ms};
    chain.height = parent.height;
    events.insert(events.end(), built->result.begin_events.begin(),
                  built->result.begin_events.end());
    return std::move(built).value();
  }
  bool jailed(uint8_t seed) const { return read_validator(chain.state, key_of_seed(seed))->jailed; }
};

const std::vector<uint8_t> kAll{7, 8, 9, 10};
const std::vector<uint8_t> kNotTen{7, 8, 9};

}  // namespace

TEST_CASE("liveness: missing more than the limit within the window jails, without a slash") {
  Net net;
  const auto supply = total_supply(net.chain.state);
  net.next({});  // block 1: no last commit
  // Block h counts height h-1: blocks 2..6 count five misses of seed 10 (the limit).
  for (int i = 0; i < 5; ++i) net.next(kNotTen);
  CHECK(read_liveness(net.chain.state, key_of_seed(10)).missed == kMaxMissed);
  CHECK_FALSE(net.jailed(10));
  CHECK(read_signing_set(net.chain.state)->size() == 4);
  net.next(kNotTen);  // block 7: the sixth miss
  CHECK(net.jailed(10));
  CHECK(read_validator(net.chain.state, key_of_seed(10))->power == 1000);  // nothing burned
  CHECK(total_supply(net.chain.state) == supply);
  REQUIRE_FALSE(net.events.empty());
  const Event& e = net.events.back();
  CHECK(e.type == "validator_jailed");
  CHECK(attr(e, "reason") == "downtime");
  CHECK(attr(e, "missed") == "6");
  CHECK(attr(e, "unjail_from") == std::to_string(7 + kJailBlocks));
  for (uint8_t s : kNotTen) CHECK_FALSE(net.jailed(s));
  // Block 8 is signed by the three left; its signing set no longer holds seed 10.
  net.next(kNotTen);
  CHECK(read_signing_set(net.chain.state)->size() == 3);
  CHECK(validator_set_of(net.chain.state)->size() == 3);

  // Unjail: refused before height 7 + kJailBlocks, accepted from it, and the
  // validator is counted afresh (its old misses are forgotten).
  const Transaction early = net.chain.tx(net.chain.alice, ValidatorUnjail{key_of_seed(10)});
  auto b = net.next(kNotTen, {early});  // block 9
  REQUIRE(b.result.receipts.size() == 1);
  CHECK_FALSE(b.result.receipts[0].success);
  CHECK(b.result.receipts[0].code == TxCode::outside_window);
  net.next(kNotTen);  // block 10
  const Transaction on_time = net.chain.tx(net.chain.alice, ValidatorUnjail{key_of_seed(10)});
  b = net.next(kNotTen, {on_time});  // block 11 = 7 + kJailBlocks
  REQUIRE(b.result.receipts.size() == 1);
  CHECK_MESSAGE(b.result.receipts[0].success, b.result.receipts[0].reason);
  CHECK_FALSE(net.jailed(10));
  net.next(kNotTen);  // block 12: seed 10 signs from height 12
  CHECK(read_signing_set(net.chain.state)->size() == 4);
  net.next(kAll);  // block 13 counts height 12: signed
  const Liveness l = read_liveness(net.chain.state, key_of_seed(10));
  CHECK(l.last_height == 12);
  CHECK(l.missed == 0);
  CHECK(total_supply(net.chain.state) == supply);
}

TEST_CASE("liveness: the window slides: missing every other block is never too many") {
  Net net;
  net.next({});
  // Any kWindow consecutive heights hold kWindow / 2 = kMaxMissed misses: a
  // counter that never forgets old misses would jail after the sixth.
  for (int h = 2; h <= 60; ++h) net.next(h % 2 == 0 ? kAll : kNotTen);
  CHECK_FALSE(net.jailed(10));
  CHECK(read_liveness(net.chain.state, key_of_seed(10)).missed == kMaxMissed);
  // Two misses in a row then tip it over.
  net.next(kNotTen);
  net.next(kNotTen);
  CHECK(net.jailed(10));
}

TEST_CASE("liveness (adversary): a proposer that leaves one validator out cannot jail it") {
  // Proposers rotate; the one Byzantine proposer (seed 7's turns, a quarter of
  // the blocks) always leaves seed 10's signature out. The limit is half the
  // window, so seed 10 stays in the set.
  Net net;
  const auto supply = total_supply(net.chain.state);
  net.next({});
  for (int h = 2; h <= 80; ++h) net.next(h % 4 == 0 ? kNotTen : kAll);
  CHECK_FALSE(net.jailed(10));
  CHECK(read_liveness(net.chain.state, key_of_seed(10)).missed <= kWindow / 4 + 1);
  CHECK(total_supply(net.chain.state) == supply);
}

TEST_CASE("liveness: a last commit that does not prove the parent's commit is refused") {
  Net builder;
  const ExecutedBlock first = builder.next({});
  const ExecutedBlock good = builder.next(kAll);

  // Each tampered copy of block 2 is refused by a fresh follower that holds block 1.
  auto check = [&](Block b) {
    Net follower;
    REQUIRE(check_block(follower.chain.state, follower.parent, first.block, key_of_seed(kFirstSeed),
                        UINT64_MAX, nullptr)
                .code == BlockCode::ok);
    const ParentBlock parent{1, block_hash(first.block.header), first.block.header.time_ms};
    const Hash256 before = follower.chain.state.root();
    BlockVerdict v =
        check_block(follower.chain.state, parent, b, key_of_seed(kFirstSeed), UINT64_MAX, nullptr);
    if (v.code != BlockCode::ok) CHECK(follower.chain.state.root() == before);  // untouched
    return v;
  };
  CHECK(check(good.block).code == BlockCode::ok);

  auto refused = [&](const std::string& what, auto tamper, BlockCode code,
                     const std::string& words) {
    CAPTURE(what);
    Block b = good.block;
    tamper(b.last_commit);
    b.header.last_commit_hash = last_commit_hash(b.last_commit);
    BlockVerdict v = check(b);
    CHECK(v.code == code);
    CHECK_MESSAGE(mentions(v.reason, words), v.reason);
  };
  refused(
      "two of four signatures", [](CommitCertificate& c) { c.sigs.resize(2); },
      BlockCode::last_commit_refused, "not_enough_power");
  refused(
      "a signature from another signer",
      [](CommitCertificate& c) { c.sigs[0].sig = c.sigs[1].sig; }, BlockCode::last_commit_refused,
      "bad_signature");
  refused(
      "an index outside the set", [](CommitCertificate& c) { c.sigs[3].validator_index = 4; },
      BlockCode::last_commit_refused, "unknown_validator");
  refused(
      "one validator twice", [](CommitCertificate& c) { c.sigs[3] = c.sigs[2]; },
      BlockCode::last_commit_refused, "duplicate_validator");
  refused(
      "an entry without its signature", [](CommitCertificate& c) { c.sigs[3].sig.reset(); },
      BlockCode::last_commit_refused, "no signature");
  refused(
      "another round", [](CommitCertificate& c) { c.round = 1; }, BlockCode::last_commit_refused,
      "bad_signature");

  // A header that does not commit to the last commit it carries.
  Block b = good.block;
  b.last_commit.sigs.pop_back();
  BlockVerdict v = check(b);
  CHECK(v.code == BlockCode::last_commit_hash_mismatch);

  // Block 1 carries no last commit.
  Net fresh;
  Block one = first.block;
  one.last_commit = good.block.last_commit;
  one.header.last_commit_hash = last_commit_hash(one.last_commit);
  v = check_block(fresh.chain.state, fresh.parent, one, key_of_seed(kFirstSeed), UINT64_MAX,
                  nullptr);
  CHECK(v.code == BlockCode::last_commit_refused);

  // A proposer cannot build on a commit it does not hold either.
  Net lone;
  lone.next({});
  BlockProposal p = lone.proposal({8});  // one of four
  CHECK_FALSE(build_block(lone.chain.state, lone.parent, nullptr, std::move(p)).ok());
}

TEST_CASE("liveness: the record round-trips and malformed bytes are refused") {
  Liveness l;
  l.last_height = 77;
  l.missed = 3;
  l.missed_bits = {0x01, 0x80};
  l.jailed_until = 90;
  auto d = decode_liveness(encode(l));
  REQUIRE(d.ok());
  CHECK(d.value() == l);
  Bytes raw = encode(l);
  raw.pop_back();
  CHECK_FALSE(decode_liveness(raw).ok());
  raw = encode(l);
  raw.push_back(0);
  CHECK_FALSE(decode_liveness(raw).ok());
}

}  // namespace vt::ledger::test
