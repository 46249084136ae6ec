// Job expiry (open and accepted), and conservation of the total supply across a
// long randomized sequence of transactions and blocks.
#include <doctest/doctest.h>

#include <nlohmann/json.hpp>
#include <random>

#include "tests/ledger/fixture.h"

using namespace vt;
using namespace vt::ledger;
using namespace vt::ledger::test;

namespace {
const std::string& kSpec = kTinySpec;
}

TEST_CASE("an open job expires at deadline + 1: the client is refunded") {
  Chain c;
  REQUIRE(c.exec(c.tx(c.alice, JobSubmit{kSpec, 5000, 1250, 4})).success);
  const uint64_t deadline = c.job(1)->deadline_height;
  CHECK(deadline == c.height + 4);
  const Amount bal = c.account(c.alice).balance;

  auto before = c.advance_to(deadline);
  CHECK(find_event(before, "job_expired") == nullptr);
  CHECK(c.job(1)->status == JobStatus::Open);

  BlockRun run = c.block({});
  CHECK(run.height == deadline + 1);
  const Event* ev = find_event(run.begin_events, "job_expired");
  REQUIRE(ev);
  CHECK(attr(*ev, "job_id") == "1");
  CHECK(attr(*ev, "refund") == "5000");
  CHECK(attr(*ev, "provider_slashed") == "0");
  auto j = c.job(1);
  CHECK(j->status == JobStatus::Expired);
  CHECK(j->closed_height == deadline + 1);
  CHECK(c.account(c.alice).balance == bal + 5000);
  CHECK_FALSE(c.state.get(keys::job_expiry(deadline + 1, 1)));
  CHECK(c.total_supply() == kGenesisSupply);
}

TEST_CASE("an accepted job expires: client refunded plus the slashed part of the bond") {
  Chain c;
  REQUIRE(c.exec(c.tx(c.carol, ProviderRegister{5000, "p"})).success);
  REQUIRE(c.exec(c.tx(c.alice, JobSubmit{kSpec, 4000, 1001, 3})).success);
  REQUIRE(c.exec(c.tx(c.carol, JobAccept{1})).success);
  const uint64_t deadline = c.job(1)->deadline_height;
  const Amount bal = c.account(c.alice).balance;
  // Accepting in the block at the deadline is still allowed; expiry is deadline + 1.
  c.advance_to(deadline);
  CHECK(c.job(1)->status == JobStatus::Accepted);

  BlockRun run = c.block({});
  const Amount slashed = 1001 * 2500 / 10000;  // 250, rounded down
  const Event* ev = find_event(run.begin_events, "job_expired");
  REQUIRE(ev);
  CHECK(attr(*ev, "refund") == std::to_string(4000 + slashed));
  CHECK(attr(*ev, "provider_slashed") == std::to_string(slashed));
  CHECK(c.account(c.alice).balance == bal + 4000 + slashed);
  auto p = c.provider(c.carol);
  CHECK(p->locked == 0);
  CHECK(p->stake == 5000 - slashed);
  CHECK(p->jobs_expired == 1);
  CHECK(p->jobs_accepted == 1);
  CHECK(c.job(1)->status == JobStatus::Expired);
  CHECK(c.job(1)->closed_height == deadline + 1);
  CHECK(c.total_supply() == kGenesisSupply);
}

TEST_CASE("several jobs expiring in one block, with an unbonding release") {
  Chain c;
  REQUIRE(c.exec(c.tx(c.carol, ProviderRegister{5000, "p"})).success);
  // Block h: two jobs with deadline h+5 (expiring at h+6) and an unstake releasing at h+5.
  const uint64_t h = c.height + 1;
  BlockRun b = c.block({c.tx(c.alice, JobSubmit{kSpec, 100, 1000, 5}),
                        c.tx(c.bob, JobSubmit{kSpec, 200, 2000, 5}), c.tx(c.carol, Unstake{1000})});
  for (auto& r : b.results) REQUIRE((r.ok() && r->success));
  REQUIRE(c.exec(c.tx(c.carol, JobAccept{2})).success);
  c.advance_to(h + 5);  // the unbonding (h + unbonding_blocks) is released here
  CHECK(c.provider(c.carol)->stake == 4000);
  BlockRun run = c.block({});
  int expired = 0;
  for (const Event& e : run.begin_events) expired += e.type == "job_expired";
  CHECK(expired == 2);
  CHECK(c.provider(c.carol)->stake == 4000 - 500);
  CHECK(c.provider(c.carol)->locked == 0);
  CHECK(c.total_supply() == kGenesisSupply);
}

TEST_CASE("conservation: a randomized sequence of transactions creates and destroys nothing") {
  Chain c;
  std::mt19937_64 rng(20240611);
  std::vector<SchnorrKey> keys = {c.alice, c.bob, c.carol, c.dave, c.eve, key_of(100)};
  auto pick = [&](size_t n) { return static_cast<size_t>(rng() % n); };
  auto amount = [&](Amount max) { return static_cast<Amount>(rng() % (max + 1)); };
  const unsigned __int128 supply = c.total_supply();
  size_t successes = 0, failures = 0, rejections = 0;
  std::map<std::string, size_t> kinds;

  for (int blk = 0; blk < 80; ++blk) {
    std::vector<Transaction> txs;
    std::map<size_t, uint64_t> next_nonce;
    const int n = 1 + static_cast<int>(pick(25));
    for (int i = 0; i < n; ++i) {
      size_t who = pick(keys.size());
      const SchnorrKey& k = keys[who];
      if (!next_nonce.count(who)) next_nonce[who] = c.account(k).nonce;
      uint64_t nonce = next_nonce[who];
      if (pick(30) == 0) nonce += 1;  // an occasional gap
      Amount fee = 10 + amount(5);
      if (pick(40) == 0) fee = 9;  // an occasional fee below the minimum
      uint64_t next_job = read_next_job_id(c.state);
      Message m;
      switch (pick(9)) {
        case 0:
        case 1:
          m = Transfer{keys[pick(keys.size())].pubkey(), amount(300'000)};
          break;
        case 2:
          m = ProviderRegister{amount(3000), "endpoint"};
          break;
        case 3:
          m = Stake{amount(2000)};
          break;
        case 4:
          m = Unstake{amount(2000)};
          break;
        case 5:
          m = JobSubmit{kSpec, amount(20'000), amount(2500), 1 + pick(22)};
          break;
        case 6:
        case 7:
          m = JobAccept{1 + pick(next_job + 2)};
          break;
        case 8:
          m = JobCancel{1 + pick(next_job + 2)};
          break;
      }
      Transaction t = c.tx(k, m, nonce, fee);
      if (pick(50) == 0) t.sig[3] ^= 1;
      kinds[message_name(t.msg)]++;
      txs.push_back(t);
      next_nonce[who] =
          nonce + 1;  // a rejected one leaves the account's nonce alone: later ones gap
    }
    BlockRun run = c.block(txs);
    for (auto& r : run.results) {
      if (!r.ok())
        ++rejections;
      else if (r->success)
        ++successes;
      else
        ++failures;
    }
    REQUIRE(c.total_supply() == supply);
    // Per-provider: locked equals the bonds of its accepted jobs, and never exceeds the stake.
    std::map<Address, Amount> bonds;
    c.state.scan(keys::prefix(keys::kJob), [&](const Bytes&, const Bytes& v) {
      Job j = decode_job(v).value();
      if (j.status == JobStatus::Accepted) bonds[*j.provider] += j.bond_required;
      return true;
    });
    c.state.scan(keys::prefix(keys::kProvider), [&](const Bytes&, const Bytes& v) {
      Provider p = decode_provider(v).value();
      CHECK(p.locked <= p.stake);
      CHECK(p.locked == bonds[p.owner]);
      return true;
    });
  }
  // Let every job and unbonding run out.
  c.advance_to(c.height + 30);
  CHECK(c.total_supply() == supply);
  CHECK(c.state.get(keys::job_expiry_prefix(0)) == std::nullopt);
  size_t pending = 0;
  c.state.scan(keys::prefix(keys::kJobExpiry),
               [&](const Bytes&, const Bytes&) { return ++pending, true; });
  c.state.scan(keys::prefix(keys::kUnbonding),
               [&](const Bytes&, const Bytes&) { return ++pending, true; });
  CHECK(pending == 0);
  MESSAGE("successes " << successes << ", failed receipts " << failures << ", rejections "
                       << rejections);
  // The sequence must actually exercise every path.
  CHECK(successes > 200);
  CHECK(failures > 100);
  CHECK(rejections > 20);
  CHECK(kinds.size() == 7);
}

// Funds must never be stranded by a parameter edge: an entry scheduled for the
// current height (whose begin_block already ran) would never be processed.
TEST_CASE("unbonding_blocks = 0: refused at genesis, or the unstaked amount is still released") {
  nlohmann::json d = nlohmann::json::parse(genesis_json());
  d["params"]["unbonding_blocks"] = "0";
  auto g = parse_genesis(d.dump());
  if (!g.ok()) {
    CHECK(mentions(g.error(), "params.unbonding_blocks"));
    return;
  }
  Chain c(d.dump());
  REQUIRE(c.exec(c.tx(c.carol, ProviderRegister{2000, "p"})).success);
  REQUIRE(c.exec(c.tx(c.carol, Unstake{500})).success);
  const Amount bal = c.account(c.carol).balance;
  c.advance_to(c.height + 3);
  CHECK(c.account(c.carol).balance == bal + 500);
  size_t pending = 0;
  c.state.scan(keys::prefix(keys::kUnbonding),
               [&](const Bytes&, const Bytes&) { return ++pending, true; });
  CHECK(pending == 0);
}

TEST_CASE(
    "a huge max_job_deadline_blocks: refused at genesis, or the deadline cannot wrap around") {
  nlohmann::json d = nlohmann::json::parse(genesis_json());
  d["params"]["max_job_deadline_blocks"] = "18446744073709551615";
  auto g = parse_genesis(d.dump());
  if (!g.ok()) {
    CHECK(mentions(g.error(), "params.max_job_deadline_blocks"));
    return;
  }
  Chain c(d.dump());
  Receipt r = c.exec(c.tx(c.alice, JobSubmit{kSpec, 100, 0, UINT64_MAX}));
  if (!r.success) {
    CHECK(mentions(r.reason, "deadline"));
    return;
  }
  auto j = c.job(1);
  REQUIRE(j);
  CHECK(j->deadline_height > j->created_height);  // wrapped to 0 without a bound
}
