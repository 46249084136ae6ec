// The checks a syncing node runs (node/chain_audit.h): a chain a real node
// produced replays block by block through ledger::check_block with every
// commit certificate's signatures verified, and each way a certificate can be
// wrong is refused with its code.
#include "node/chain_audit.h"

#include <doctest/doctest.h>

#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>

#include "core/encoding.h"
#include "node/node.h"
#include "tests/node/running_node.h"

using namespace vt;

namespace {

consensus::ValidatorSet genesis_set() {
  return ledger::consensus_validators(test::test_genesis().validators).value();
}

}  // namespace

TEST_CASE("chain audit: a node's own chain replays and every commit verifies") {
  test::TempDir dir;
  const uint64_t height = test::run_node_to(dir, 6);
  REQUIRE(height >= 6);
  auto kv = node::open_rocksdb(dir.path.string());
  REQUIRE(kv.ok());
  node::ChainStore chain(*kv.value());
  auto report = node::audit_chain(chain, test::test_genesis(), nullptr);
  REQUIRE_MESSAGE(report.ok(), report.error());
  CHECK(report->blocks == height);
  CHECK(report->state_root == chain.head().value()->state_root);

  // The certificate of block 1, as stored, and what tampering with it does.
  const ledger::Block b1 = chain.block_at(1).value().value();
  const Hash256 id = ledger::block_hash(b1.header);
  auto cert = ledger::decode_commit_certificate(chain.commit_at(1).value().value(), 10);
  REQUIRE(cert.ok());
  REQUIRE(cert->sigs.size() == 1);
  REQUIRE(cert->sigs[0].sig.has_value());
  CHECK(ledger::encode(*cert) == chain.commit_at(1).value().value());  // canonical
  const auto set = genesis_set();
  CHECK(ledger::verify_commit(set, "vt-test", 1, id, *cert).code == ledger::CommitCode::ok);

  // Signed by the validator, but for another block, height or chain.
  Hash256 other = id;
  other[0] ^= 1;
  CHECK(ledger::verify_commit(set, "vt-test", 1, other, *cert).code ==
        ledger::CommitCode::bad_signature);
  CHECK(ledger::verify_commit(set, "vt-test", 2, id, *cert).code ==
        ledger::CommitCode::bad_signature);
  CHECK(ledger::verify_commit(set, "vt-other", 1, id, *cert).code ==
        ledger::CommitCode::bad_signature);
  ledger::CommitCertificate c = *cert;
  (*c.sigs[0].sig)[10] ^= 1;
  auto v = ledger::verify_commit(set, "vt-test", 1, id, c);
  CHECK(v.code == ledger::CommitCode::bad_signature);
  CHECK(v.reason.find("not its precommit") != std::string::npos);
  c = *cert;
  c.round += 1;  // signatures are over the round too
  CHECK(ledger::verify_commit(set, "vt-test", 1, id, c).code == ledger::CommitCode::bad_signature);
  c = *cert;
  c.sigs[0].sig.reset();
  v = ledger::verify_commit(set, "vt-test", 1, id, c);
  CHECK(v.code == ledger::CommitCode::not_enough_power);
  CHECK(v.reason.find("power 0 of 10, a commit needs 7") != std::string::npos);
  c = *cert;
  c.sigs.push_back(c.sigs[0]);
  CHECK(ledger::verify_commit(set, "vt-test", 1, id, c).code ==
        ledger::CommitCode::duplicate_validator);
  c = *cert;
  c.sigs[0].validator_index = 3;
  CHECK(ledger::verify_commit(set, "vt-test", 1, id, c).code ==
        ledger::CommitCode::unknown_validator);

  // Malformed certificates are refused with a reason, never read past their end.
  Bytes raw = ledger::encode(*cert);
  CHECK_FALSE(ledger::decode_commit_certificate(ByteView(raw.data(), raw.size() - 1), 10).ok());
  raw.push_back(0);
  CHECK_FALSE(ledger::decode_commit_certificate(raw, 10).ok());
  auto many = ledger::decode_commit_certificate(Writer().u32(0).u32(1000).take(), 10);
  REQUIRE_FALSE(many.ok());
  CHECK(many.error().find("at most 10 validators") != std::string::npos);
}

TEST_CASE("chain audit: a genesis that is not the chain's is caught at the first block") {
  test::TempDir dir;
  test::run_node_to(dir, 2);
  auto kv = node::open_rocksdb(dir.path.string());
  REQUIRE(kv.ok());
  node::ChainStore chain(*kv.value());
  ledger::Genesis other = test::test_genesis();
  other.balances[0].amount += 1;  // another genesis state: another genesis hash
  auto report = node::audit_chain(chain, other, nullptr);
  REQUIRE_FALSE(report.ok());
  CHECK_MESSAGE(report.error().find("block 1: wrong_parent") != std::string::npos, report.error());
}
