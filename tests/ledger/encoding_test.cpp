// Transaction and block encodings: round trips, byte-identical re-encoding, and
// every rejection of the bounded, canonical decoder.
#include "core/encoding.h"

#include <doctest/doctest.h>

#include "ledger/block.h"
#include "ledger/receipt.h"
#include "tests/ledger/fixture.h"

using namespace vt;
using namespace vt::ledger;
using namespace vt::ledger::test;

namespace {

constexpr size_t kMax = 1 << 20;

std::vector<Transaction> one_of_each(const Chain& c) {
  std::vector<Message> msgs = {Transfer{c.bob.pubkey(), 123456789},
                               ProviderRegister{5000, "https://provider.example:443/x"},
                               Stake{77},
                               Unstake{UINT64_MAX},
                               JobSubmit{R"({"model":"mlp","steps":10})", 9000, 1500, 12},
                               JobAccept{0xdeadbeefcafeULL},
                               JobCancel{1}};
  // The validator messages, with every byte of each fixed field distinct.
  ValidatorRegister reg;
  for (size_t i = 0; i < reg.consensus_key.size(); ++i) reg.consensus_key[i] = uint8_t(i + 1);
  for (size_t i = 0; i < reg.vrf_key.size(); ++i) reg.vrf_key[i] = uint8_t(0x40 + i);
  for (size_t i = 0; i < reg.proof.size(); ++i) reg.proof[i] = uint8_t(0x80 + i);
  reg.stake = 0x0102030405060708ULL;
  msgs.push_back(reg);
  msgs.push_back(ValidatorStake{reg.consensus_key, 5});
  msgs.push_back(ValidatorUnstake{reg.consensus_key, UINT64_MAX});
  msgs.push_back(ValidatorUnjail{reg.consensus_key});
  std::vector<Transaction> out;
  uint64_t nonce = 0;
  for (auto& m : msgs) {
    out.push_back(c.tx(c.alice, m, nonce, 11 + nonce));
    ++nonce;
  }
  return out;
}

// Offset of the message tag: u32 chain id length, chain id, sender, nonce, fee.
size_t tag_offset(const Transaction& t) {
  return 4 + t.chain_id.size() + 32 + 8 + 8;
}

Block sample_block(const Chain& c) {
  Block b;
  b.header.chain_id = "vt-test";
  b.header.height = 42;
  b.header.time_ms = 1'700'000'123'456;
  for (size_t i = 0; i < 32; ++i) {
    b.header.prev_hash[i] = static_cast<uint8_t>(i);
    b.header.state_root[i] = static_cast<uint8_t>(0xa0 + i);
    b.header.receipts_root[i] = static_cast<uint8_t>(0x50 ^ i);
    b.header.proposer[i] = static_cast<uint8_t>(0xff - i);
  }
  b.txs = one_of_each(c);
  b.header.tx_root = compute_tx_root(b.txs);
  return b;
}

}  // namespace

TEST_CASE("transaction: every message round-trips byte for byte, signature intact") {
  Chain c;
  for (const Transaction& t : one_of_each(c)) {
    CAPTURE(message_name(t.msg));
    Bytes raw = encode(t);
    auto d = decode_transaction(raw, kMax);
    REQUIRE_MESSAGE(d.ok(), (d.ok() ? "" : d.error()));
    CHECK(*d == t);
    CHECK(encode(*d) == raw);
    CHECK(tx_hash(*d) == tx_hash(t));
    CHECK(tx_hash_of_encoding(raw) == tx_hash(t));  // found in a mempool before decoding
    CHECK(signing_hash(*d) == signing_hash(t));
    CHECK(signature_valid(*d));
    CHECK(raw[tag_offset(t)] == t.msg.index());
  }
}

TEST_CASE("transaction: signing hash excludes the signature, tx hash includes it") {
  Chain c;
  Transaction t = c.tx(c.alice, Transfer{c.bob.pubkey(), 1});
  Transaction u = t;
  u.sig[0] ^= 1;
  CHECK(signing_hash(t) == signing_hash(u));
  CHECK(tx_hash(t) != tx_hash(u));
  CHECK_FALSE(signature_valid(u));
  // Every signed field is covered.
  Transaction v = t;
  v.fee += 1;
  CHECK(signing_hash(v) != signing_hash(t));
  v = t;
  v.nonce += 1;
  CHECK(signing_hash(v) != signing_hash(t));
  v = t;
  v.chain_id = "vt-tesT";
  CHECK(signing_hash(v) != signing_hash(t));
  v = t;
  v.msg = Stake{1};
  CHECK(signing_hash(v) != signing_hash(t));
}

TEST_CASE("transaction: decode rejects an unknown message tag") {
  Chain c;
  Transaction t = c.tx(c.alice, JobAccept{5});
  for (uint8_t tag : {uint8_t{21}, uint8_t{22}, uint8_t{0x80}, uint8_t{0xff}}) {
    Bytes raw = encode(t);
    raw[tag_offset(t)] = tag;
    auto d = decode_transaction(raw, kMax);
    REQUIRE_FALSE(d.ok());
    CHECK(mentions(d.error(), "msg.type: unknown message type " + std::to_string(tag)));
  }
}

TEST_CASE("transaction: decode rejects truncation at every byte position and a trailing byte") {
  Chain c;
  for (const Transaction& t : one_of_each(c)) {
    CAPTURE(message_name(t.msg));
    Bytes raw = encode(t);
    for (size_t n = 0; n < raw.size(); ++n) {
      auto d = decode_transaction(ByteView(raw.data(), n), kMax);
      CAPTURE(n);
      REQUIRE_FALSE(d.ok());
      CHECK(mentions(d.error(), "malformed transaction"));
    }
    Bytes longer = raw;
    longer.push_back(0);
    auto d = decode_transaction(longer, kMax);
    REQUIRE_FALSE(d.ok());
    CHECK(mentions(d.error(), "1 trailing bytes after the end"));
  }
}

TEST_CASE("transaction: decode rejects over-long lengths and oversize input") {
  Chain c;
  SUBCASE("spec length beyond the hard ceiling") {
    Writer w;
    w.str("vt-test").fixed(c.alice.pubkey()).u64(0).u64(10).u8(4).u32((1u << 20) + 1);
    auto d = decode_transaction(w.data(), kMax);
    REQUIRE_FALSE(d.ok());
    CHECK(mentions(d.error(), "job_submit.spec: length 1048577 exceeds the maximum 1048576"));
  }
  SUBCASE("spec length larger than what follows") {
    Transaction t = c.tx(c.alice, JobSubmit{"{}", 1, 0, 3});
    Bytes raw = encode(t);
    raw[tag_offset(t) + 4] = 0x03;  // low byte of the spec length: 2 -> 3
    auto d = decode_transaction(raw, kMax);
    REQUIRE_FALSE(d.ok());
    CHECK(mentions(d.error(), "malformed transaction"));
  }
  SUBCASE("chain id longer than 64") {
    Writer w;
    w.str(std::string(65, 'c'));
    auto d = decode_transaction(w.data(), kMax);
    REQUIRE_FALSE(d.ok());
    CHECK(mentions(d.error(), "chain_id: length 65 exceeds the maximum 64"));
  }
  SUBCASE("endpoint longer than 256") {
    Transaction t = c.tx(c.alice, ProviderRegister{1, std::string(257, 'e')});
    auto d = decode_transaction(encode(t), kMax);
    REQUIRE_FALSE(d.ok());
    CHECK(mentions(d.error(), "provider_register.endpoint: length 257 exceeds the maximum 256"));
  }
  SUBCASE("oversize: more bytes than max_bytes") {
    Transaction t = c.tx(c.alice, Transfer{c.bob.pubkey(), 1});
    Bytes raw = encode(t);
    CHECK(decode_transaction(raw, raw.size()).ok());
    auto d = decode_transaction(raw, raw.size() - 1);
    REQUIRE_FALSE(d.ok());
    CHECK(mentions(d.error(), "transaction is " + std::to_string(raw.size()) +
                                  " bytes, the limit is " + std::to_string(raw.size() - 1)));
  }
}

TEST_CASE("block: round trip, hash and tx root") {
  Chain c;
  Block b = sample_block(c);
  Bytes raw = encode(b);
  auto d = decode_block(raw, kMax, 100, 4096);
  REQUIRE_MESSAGE(d.ok(), (d.ok() ? "" : d.error()));
  CHECK(*d == b);
  CHECK(encode(*d) == raw);
  CHECK(compute_tx_root(d->txs) == b.header.tx_root);
  CHECK(block_hash(d->header) == block_hash(b.header));

  auto h = decode_header(encode(b.header));
  REQUIRE(h.ok());
  CHECK(*h == b.header);

  // An empty block.
  Block e;
  e.header = b.header;
  e.header.tx_root = compute_tx_root({});
  CHECK(is_zero(e.header.tx_root));
  auto de = decode_block(encode(e), kMax, 100, 4096);
  REQUIRE(de.ok());
  CHECK(*de == e);

  // Every header field is committed to by the block hash.
  const Hash256 base = block_hash(b.header);
  auto differs = [&](auto mutate) {
    BlockHeader x = b.header;
    mutate(x);
    return block_hash(x) != base;
  };
  CHECK(differs([](BlockHeader& x) { x.chain_id = "vt-tesu"; }));
  CHECK(differs([](BlockHeader& x) { x.height++; }));
  CHECK(differs([](BlockHeader& x) { x.time_ms++; }));
  CHECK(differs([](BlockHeader& x) { x.prev_hash[31] ^= 1; }));
  CHECK(differs([](BlockHeader& x) { x.tx_root[0] ^= 1; }));
  CHECK(differs([](BlockHeader& x) { x.state_root[5] ^= 1; }));
  CHECK(differs([](BlockHeader& x) { x.receipts_root[9] ^= 1; }));
  CHECK(differs([](BlockHeader& x) { x.proposer[2] ^= 1; }));
  // And the tx root commits to the order of the transactions.
  std::vector<Transaction> swapped = b.txs;
  std::swap(swapped[0], swapped[1]);
  CHECK(compute_tx_root(swapped) != b.header.tx_root);
}

TEST_CASE("block: decode rejects truncation, trailing bytes, limits and bad transactions") {
  Chain c;
  Block b = sample_block(c);
  Bytes raw = encode(b);
  for (size_t n = 0; n < raw.size(); ++n) {
    CAPTURE(n);
    REQUIRE_FALSE(decode_block(ByteView(raw.data(), n), kMax, 100, 4096).ok());
  }
  Bytes header = encode(b.header);
  for (size_t n = 0; n < header.size(); ++n)
    REQUIRE_FALSE(decode_header(ByteView(header.data(), n)).ok());

  Bytes longer = raw;
  longer.push_back(0);
  auto t = decode_block(longer, kMax, 100, 4096);
  REQUIRE_FALSE(t.ok());
  CHECK(mentions(t.error(), "malformed block: 1 trailing bytes"));
  header.push_back(0);
  REQUIRE_FALSE(decode_header(header).ok());

  auto big = decode_block(raw, raw.size() - 1, 100, 4096);
  REQUIRE_FALSE(big.ok());
  CHECK(mentions(big.error(), "block is " + std::to_string(raw.size()) + " bytes, the limit is"));

  auto many = decode_block(raw, kMax, b.txs.size() - 1, 4096);
  REQUIRE_FALSE(many.ok());
  CHECK(mentions(many.error(), "block has " + std::to_string(b.txs.size()) +
                                   " transactions, the limit is " +
                                   std::to_string(b.txs.size() - 1)));
  CHECK(decode_block(raw, kMax, b.txs.size(), 4096).ok());

  auto fat = decode_block(raw, kMax, 100, 100);
  REQUIRE_FALSE(fat.ok());
  CHECK(mentions(fat.error(), "block.tx: length"));

  // A transaction inside the block with an unknown tag.
  Block one;
  one.header = b.header;
  one.txs = {b.txs[0]};
  Bytes r1 = encode(one);
  const size_t tx_start = encode(b.header).size() + 4 + 4;  // count, then the tx length
  r1[tx_start + tag_offset(b.txs[0])] = 21;
  auto bad = decode_block(r1, kMax, 100, 4096);
  REQUIRE_FALSE(bad.ok());
  CHECK(mentions(bad.error(),
                 "block transaction 0: malformed transaction: msg.type: unknown message type 21"));
}

TEST_CASE("receipts and events round-trip") {
  Receipt r;
  r.success = false;
  r.reason = "insufficient balance for transfer: have 1, need 2";
  r.fee = 10;
  r.events = {{"transfer", {{"from", "a"}, {"to", "b"}}}, {"x", {}}};
  auto d = decode_receipt(encode(r));
  REQUIRE(d.ok());
  CHECK(*d == r);
  Bytes raw = encode(r);
  for (size_t n = 0; n < raw.size(); ++n)
    REQUIRE_FALSE(decode_receipt(ByteView(raw.data(), n)).ok());
  auto ev = decode_events(encode_events(r.events));
  REQUIRE(ev.ok());
  CHECK(*ev == r.events);
  Receipt r2 = r;
  r2.fee = 11;
  CHECK(receipt_hash(r) != receipt_hash(r2));
}

TEST_CASE("state objects round-trip and reject trailing bytes") {
  Chain c;
  Job j;
  j.id = 9;
  j.client = c.alice.pubkey();
  j.payment = 5;
  j.status = JobStatus::Accepted;
  j.provider = c.bob.pubkey();
  j.deadline_height = 77;
  CHECK(decode_job(encode(j)).value() == j);
  Provider p{c.carol.pubkey(), 10, 4, "ep", 3, 2, 1};
  CHECK(decode_provider(encode(p)).value() == p);
  Params params = test_params();
  CHECK(decode_params(encode(params)).value() == params);
  Bytes raw = encode(Account{1, 2});
  raw.push_back(0);
  CHECK_FALSE(decode_account(raw).ok());
  Provider bad = p;
  bad.locked = 11;
  CHECK_FALSE(decode_provider(encode(bad)).ok());
  for (uint8_t s = 0; s <= 7; ++s)
    CHECK(job_status_from_name(job_status_name(static_cast<JobStatus>(s))) ==
          static_cast<JobStatus>(s));
}

// The canonical bytes of each state object, written out by hand from the
// encoding rules (u64/u32 big-endian, u32-length-prefixed text, one byte per
// flag, fixed arrays as they are), so a change to a field list or to the
// derivation of encodings from it (ledger/object_fields.h) cannot pass unseen:
// state roots, and so every block hash, depend on these bytes.
// The records with nested parts, pinned the same way: a proof-of-learning
// record with one assignment of each optional state, an availability and a
// bisection dispute, and a slash.
TEST_CASE("composite records: pinned canonical bytes") {
  auto fill = [](uint8_t b) {
    std::array<uint8_t, 32> a{};
    a.fill(b);
    return a;
  };
  JobPol pol;
  pol.job_id = 1;
  pol.root = fill(0xa1);
  pol.manifest = fill(0xa2);
  pol.commit_height = 2;
  pol.sample_height = 3;
  pol.commit_deadline = 4;
  pol.probe_deadline = 5;
  pol.reveal_deadline = 6;
  pol.probe_seed = fill(0xa3);
  Assignment seat;
  seat.segment = 7;
  seat.verifier = fill(0xa4);
  seat.attest_commitment = fill(0xa5);
  seat.revealed = true;
  seat.revealed_end = fill(0xa6);
  seat.revealed_probe = fill(0xa7);
  seat.provider_probe = std::nullopt;
  seat.result = AssignmentResult::disputed;
  pol.assignments = {seat};
  pol.judged = true;
  pol.disputes = {8, 9};
  CHECK(to_hex(encode(pol)) ==
        "0000000000000001a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a2a2a2a2"
        "a2a2a2a2a2a2a2a2a2a2a2a2a2a2a2a2a2a2a2a2a2a2a2a2a2a2a2a200000000000000020000000000000003"
        "00000000000000040000000000000005000000000000000601a3a3a3a3a3a3a3a3a3a3a3a3a3a3a3a3a3a3a3"
        "a3a3a3a3a3a3a3a3a3a3a3a3a3000000010000000000000007a4a4a4a4a4a4a4a4a4a4a4a4a4a4a4a4a4a4a4"
        "a4a4a4a4a4a4a4a4a4a4a4a4a401a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5"
        "a5a501a6a6a6a6a6a6a6a6a6a6a6a6a6a6a6a6a6a6a6a6a6a6a6a6a6a6a6a6a6a6a6a6a7a7a7a7a7a7a7a7a7"
        "a7a7a7a7a7a7a7a7a7a7a7a7a7a7a7a7a7a7a7a7a7a7a7000301000000020000000000000008000000000000"
        "0009");
  CHECK(decode_job_pol(encode(pol)).value() == pol);

  DisputeRecord avail;
  avail.id = 1;
  avail.job_id = 2;
  avail.segment = 3;
  avail.kind = DisputeKind::availability;
  avail.provider = fill(0xb1);
  avail.challenger = fill(0xb2);
  avail.opened_height = 4;
  avail.game.lo = 5;
  avail.game.lo_hash = fill(0xb3);
  avail.game.deadline = 6;
  avail.loser = DisputeLoser::provider;
  avail.outcome = "w";
  avail.resolved_height = 7;
  avail.checkpoint_blob = fill(0xb4);
  avail.failed_posts = 2;
  CHECK(to_hex(encode(avail)) ==
        "00000000000000010000000000000002000000000000000302b1b1b1b1b1b1b1b1b1b1b1b1b1b1b1b1b1b1b1"
        "b1b1b1b1b1b1b1b1b1b1b1b1b1b2b2b2b2b2b2b2b2b2b2b2b2b2b2b2b2b2b2b2b2b2b2b2b2b2b2b2b2b2b2b2"
        "b200000000000000040000000000000005b3b3b3b3b3b3b3b3b3b3b3b3b3b3b3b3b3b3b3b3b3b3b3b3b3b3b3"
        "b3b3b3b3b3000000000000000601000000017700000000000000070001b4b4b4b4b4b4b4b4b4b4b4b4b4b4b4"
        "b4b4b4b4b4b4b4b4b4b4b4b4b4b4b4b4b402");
  CHECK(decode_dispute_record(encode(avail)).value() == avail);
  DisputeRecord game = avail;
  game.kind = DisputeKind::probe;
  game.game = verifier::open_dispute(fill(0xb1), fill(0xb2), 10, 20, fill(0xb5), fill(0xb6),
                                     fill(0xb7), 30, 5)
                  .value();
  game.loser = DisputeLoser::open;
  game.outcome = "";
  game.resolved_height = 0;
  game.referee_next = fill(0xb8);
  game.checkpoint_blob = std::nullopt;
  game.failed_posts = 0;
  CHECK(to_hex(encode(game)) ==
        "00000000000000010000000000000002000000000000000301b1b1b1b1b1b1b1b1b1b1b1b1b1b1b1b1b1b1b1"
        "b1b1b1b1b1b1b1b1b1b1b1b1b1b2b2b2b2b2b2b2b2b2b2b2b2b2b2b2b2b2b2b2b2b2b2b2b2b2b2b2b2b2b2b2"
        "b20000000000000004000000e601b1b1b1b1b1b1b1b1b1b1b1b1b1b1b1b1b1b1b1b1b1b1b1b1b1b1b1b1b1b1"
        "b1b1b2b2b2b2b2b2b2b2b2b2b2b2b2b2b2b2b2b2b2b2b2b2b2b2b2b2b2b2b2b2b2b2000000000000000a0000"
        "000000000014b5b5b5b5b5b5b5b5b5b5b5b5b5b5b5b5b5b5b5b5b5b5b5b5b5b5b5b5b5b5b5b5b6b6b6b6b6b6"
        "b6b6b6b6b6b6b6b6b6b6b6b6b6b6b6b6b6b6b6b6b6b6b6b6b6b6b7b7b7b7b7b7b7b7b7b7b7b7b7b7b7b7b7b7"
        "b7b7b7b7b7b7b7b7b7b7b7b7b7b7000000000000000000000000000000000000000000000000000000000000"
        "00000000000000000000050000000000000023000000000000000000000000000000000001b8b8b8b8b8b8b8"
        "b8b8b8b8b8b8b8b8b8b8b8b8b8b8b8b8b8b8b8b8b8b8b8b8b80000");
  CHECK(decode_dispute_record(encode(game)).value() == game);

  SlashRecord slash;
  slash.id = 1;
  slash.height = 2;
  slash.job_id = 3;
  slash.dispute_id = 4;
  slash.offender = fill(0xc1);
  slash.role = "verifier";
  slash.amount = 5;
  slash.beneficiary = fill(0xc2);
  slash.reward = 6;
  slash.paid_fees = 7;
  slash.burned = 8;
  slash.reason = "r";
  CHECK(to_hex(encode(slash)) ==
        "0000000000000001000000000000000200000000000000030000000000000004c1c1c1c1c1c1c1c1c1c1c1c1"
        "c1c1c1c1c1c1c1c1c1c1c1c1c1c1c1c1c1c1c1c10000000876657269666965720000000000000005c2c2c2c2"
        "c2c2c2c2c2c2c2c2c2c2c2c2c2c2c2c2c2c2c2c2c2c2c2c2c2c2c2c200000000000000060000000000000007"
        "00000000000000080000000172");
  CHECK(decode_slash_record(encode(slash)).value() == slash);
}

TEST_CASE("state objects: pinned canonical bytes") {
  auto fill = [](uint8_t b) {
    std::array<uint8_t, 32> a{};
    a.fill(b);
    return a;
  };
  const Account acc{0x0102030405060708, 9};
  CHECK(to_hex(encode(acc)) == "01020304050607080000000000000009");
  const Provider prov{fill(0x11), 5, 2, "ep", 3, 4, 5, 6, 7};
  CHECK(to_hex(encode(prov)) ==
        "1111111111111111111111111111111111111111111111111111111111111111000000000000000500000000"
        "0000000200000002657000000000000000030000000000000004000000000000000500000000000000060000"
        "000000000007");
  Job job;
  job.id = 9;
  job.client = fill(0x22);
  job.spec_hash = fill(0x33);
  job.payment = 10;
  job.bond_required = 11;
  job.status = JobStatus::Accepted;
  job.provider = fill(0x44);
  job.created_height = 12;
  job.deadline_height = 13;
  job.accepted_height = 14;
  job.closed_height = 15;
  job.samples = 16;
  CHECK(to_hex(encode(job)) ==
        "0000000000000009222222222222222222222222222222222222222222222222222222222222222233333333"
        "33333333333333333333333333333333333333333333333333333333000000000000000a000000000000000b"
        "01014444444444444444444444444444444444444444444444444444444444444444000000000000000c0000"
        "00000000000d000000000000000e000000000000000f00000010");
  const Unbonding unb{fill(0x55), 17, 18, fill(0x56)};
  CHECK(to_hex(encode(unb)) ==
        "555555555555555555555555555555555555555555555555555555555555555500000000000000110000000000"
        "0000125656565656565656565656565656565656565656565656565656565656565656");
  Validator val;
  val.consensus_key = fill(0x66);
  val.operator_address = fill(0x77);
  val.power = 19;
  val.jailed = true;
  val.tombstoned = false;
  val.vrf_key[0] = 0x02;
  std::fill(val.vrf_key.begin() + 1, val.vrf_key.end(), 0x88);
  CHECK(to_hex(encode(val)) ==
        "6666666666666666666666666666666666666666666666666666666666666666777777777777777777777777"
        "777777777777777777777777777777777777777700000000000000130100028888888888888888888888888888"
        "888888888888888888888888888888888888");
  const Verifier ver{fill(0x99), 20, 21, 22, 23, 24, 25, 26, 27, 28};
  CHECK(to_hex(encode(ver)) ==
        "9999999999999999999999999999999999999999999999999999999999999999000000000000001400000000"
        "000000150000000000000016000000000000001700000000000000180000000000000019000000000000001a"
        "000000000000001b000000000000001c");
  // And back, each decode naming the field it fails on.
  CHECK(decode_account(encode(acc)).value() == acc);
  CHECK(decode_provider(encode(prov)).value() == prov);
  CHECK(decode_job(encode(job)).value() == job);
  CHECK(decode_unbonding(encode(unb)).value() == unb);
  CHECK(decode_validator(encode(val)).value() == val);
  CHECK(decode_verifier(encode(ver)).value() == ver);
  Bytes short_job = encode(job);
  short_job.resize(short_job.size() - 2);
  CHECK(decode_job(short_job).error().find("job.samples") != std::string::npos);
  Bytes bad_status = encode(job);
  bad_status[8 + 32 + 32 + 8 + 8] = 42;
  CHECK(decode_job(bad_status).error().find("unknown status 42") != std::string::npos);
}
