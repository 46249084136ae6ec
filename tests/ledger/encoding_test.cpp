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
