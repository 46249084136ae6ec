// Devnet throughput: funds A accounts from the faucet, then submits A x T signed
// transfers over JSON-RPC as fast as one client can, and watches the blocks to
// measure committed transfers per second and submit-to-commit latency.
// Usage: bench_devnet_loadgen URL FAUCET_SECRET_FILE [ACCOUNTS] [TXS_PER_ACCOUNT] [--window W]
//
// Pacing: the node's mempool refuses a nonce more than Mempool::kMaxNonceGap
// ahead of the sender's committed nonce, so the client keeps at most W (default
// that limit) of each sender's transactions unconfirmed and waits for blocks to
// confirm earlier ones before sending more. The faucet's funding transfers are
// paced the same way (a sender like any other), so any ACCOUNTS and T work.
// A thread follows the blocks while the main thread submits, so a transaction's
// latency is from its submission to the first sight of the block holding it.
//
// Exits non-zero when the load did not do its work: a transaction refused for
// any reason but a full mempool (which is retried), one not committed within
// 60 s of the last progress, or a final state that is not A x T transfers'
// worth (the sink's balance, every sender's nonce and balance).
#include <algorithm>
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <iostream>
#include <map>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "core/bech32m.h"
#include "core/encoding.h"
#include "core/keys.h"
#include "ledger/transaction.h"
#include "node/mempool.h"
#include "rpc/http_client.h"
#include "rpc/method_table.h"

using namespace vt;
using nlohmann::json;
using Clock = std::chrono::steady_clock;

namespace {

constexpr auto kStall = std::chrono::seconds(60);  // no commit for this long: give up

[[noreturn]] void fail(const std::string& why) {
  std::cerr << "bench_devnet_loadgen: FAILED: " << why << "\n";
  std::fflush(stdout);
  std::_Exit(1);  // the follower thread may be inside a call: do not unwind it
}

json call(rpc::RpcClient& c, const std::string& m, const json& p = json::object()) {
  auto r = c.call(m, p);
  if (!r) fail(m + ": " + r.error().describe());
  return r.value();
}

uint64_t amount_of(const json& v) {
  if (v.is_number_unsigned()) return v.get<uint64_t>();
  if (v.is_string()) return std::stoull(v.get<std::string>());
  fail("not an amount: " + v.dump());
}

ledger::Transaction transfer(const SchnorrKey& from, const Address& to, uint64_t amount,
                             uint64_t nonce, uint64_t fee, const std::string& chain) {
  ledger::Transaction tx;
  tx.chain_id = chain;
  tx.nonce = nonce;
  tx.fee = fee;
  tx.msg = ledger::Transfer{to, amount};
  ledger::sign(tx, from);
  return tx;
}

// What the submitter and the block follower share.
struct Tracker {
  std::mutex m;
  std::condition_variable cv;
  std::map<std::string, size_t> sender_of;  // pending hash -> sender index
  std::map<std::string, Clock::time_point> submitted_at, committed_at;
  std::vector<uint64_t> in_flight;  // per sender: submitted, not yet seen in a block
  Clock::time_point last_progress = Clock::now();
  std::string error;  // set by the follower when an RPC call fails
  bool stop = false;
};

// Follows the chain from `from_height` until told to stop: every transaction of
// ours found in a block is marked committed at the time the block was first seen.
void follow(const std::string& url, uint64_t from_height, Tracker& t) {
  rpc::RpcClient c(url);
  uint64_t next = from_height + 1;
  for (;;) {
    {
      std::lock_guard<std::mutex> lock(t.m);
      if (t.stop) return;
    }
    auto st = c.call("chain_status");
    uint64_t h = st ? st.value()["height"].get<uint64_t>() : 0;
    for (; st && next <= h; ++next) {
      auto b = c.call("chain_getBlock", {{"height", next}});
      if (!b) {
        st = std::move(b);
        break;
      }
      auto now = Clock::now();
      std::lock_guard<std::mutex> lock(t.m);
      for (const auto& tx : b.value()["txs"]) {
        auto it = t.sender_of.find(tx["hash"].get<std::string>());
        if (it == t.sender_of.end()) continue;
        --t.in_flight[it->second];
        t.committed_at[it->first] = now;
        t.sender_of.erase(it);
        t.last_progress = now;
      }
      t.cv.notify_all();
    }
    if (!st) {
      std::lock_guard<std::mutex> lock(t.m);
      t.error = "following blocks: " + st.error().describe();
      t.cv.notify_all();
      return;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
}

// Submits tx from sender `who` once it has fewer than `window` transactions
// unconfirmed; retries while the mempool is full; any other refusal is fatal.
void submit(rpc::RpcClient& c, Tracker& t, size_t who, const ledger::Transaction& tx,
            uint64_t window, size_t& retries) {
  {
    std::unique_lock<std::mutex> lock(t.m);
    while (t.in_flight[who] >= window) {
      if (!t.error.empty()) fail(t.error);
      if (Clock::now() - t.last_progress > kStall)
        fail("no transaction committed for " + std::to_string(kStall.count()) + " s while sender " +
             std::to_string(who) + " waited for room in its window");
      t.cv.wait_for(lock, std::chrono::milliseconds(100));
    }
  }
  const std::string hex = to_hex(ledger::encode(tx));
  for (;;) {
    auto r = c.call("tx_submit", {{"tx", hex}});
    if (r) {
      std::lock_guard<std::mutex> lock(t.m);
      const std::string h = r.value()["hash"].get<std::string>();
      t.sender_of[h] = who;
      t.submitted_at[h] = Clock::now();
      ++t.in_flight[who];
      return;
    }
    const auto& e = r.error();
    if (e.kind != rpc::CallError::Kind::Rpc || e.code != rpc::kMempoolFull)
      fail("tx_submit (sender " + std::to_string(who) + ", nonce " + std::to_string(tx.nonce) +
           "): " + e.describe());
    ++retries;
    std::unique_lock<std::mutex> lock(t.m);
    if (Clock::now() - t.last_progress > kStall) fail("mempool full and no block for 60 s");
    t.cv.wait_for(lock, std::chrono::milliseconds(50));
  }
}

// Waits until every submitted transaction is committed (or the chain stalls).
void wait_all(Tracker& t) {
  std::unique_lock<std::mutex> lock(t.m);
  for (;;) {
    if (!t.error.empty()) fail(t.error);
    if (t.sender_of.empty()) return;
    if (Clock::now() - t.last_progress > kStall)
      fail(std::to_string(t.sender_of.size()) + " transactions not committed after " +
           std::to_string(kStall.count()) + " s without progress");
    t.cv.wait_for(lock, std::chrono::milliseconds(100));
  }
}

}  // namespace

int main(int argc, char** argv) {
  std::vector<std::string> pos;
  uint64_t window = node::Mempool::kMaxNonceGap;
  for (int i = 1; i < argc; ++i) {
    if (!std::strcmp(argv[i], "--window") && i + 1 < argc)
      window = std::strtoull(argv[++i], nullptr, 10);
    else
      pos.push_back(argv[i]);
  }
  if (pos.size() < 2 || window < 1 || window > node::Mempool::kMaxNonceGap) {
    std::cerr << "usage: " << argv[0]
              << " URL FAUCET_SECRET_FILE [ACCOUNTS] [TXS_PER_ACCOUNT] [--window W]\n"
                 "  W: unconfirmed transactions per sender, 1.."
              << node::Mempool::kMaxNonceGap << " (the mempool's nonce-gap limit; default)\n";
    return 2;
  }
  const std::string url = pos[0];
  const int accounts = pos.size() > 2 ? std::atoi(pos[2].c_str()) : 100;
  const int per_account = pos.size() > 3 ? std::atoi(pos[3].c_str()) : 50;
  if (accounts < 1 || per_account < 1) fail("ACCOUNTS and TXS_PER_ACCOUNT must be positive");
  std::ifstream f(pos[1]);
  std::string hex;
  f >> hex;
  auto secret = hash_from_hex(hex);
  if (!secret) fail("cannot read the faucet secret from " + pos[1]);
  auto faucet = SchnorrKey::from_secret(secret.value()).value();
  rpc::RpcClient c(url);
  const json params = call(c, "state_getParams");
  const std::string chain = params["chain_id"].get<std::string>();
  const uint64_t fee = amount_of(params["min_fee"]);  // transfers are far below the size fee
  const uint64_t amount = 1;
  // Each sender gets exactly what its transfers spend, so the end state is checkable.
  const uint64_t funding = static_cast<uint64_t>(per_account) * (fee + amount);

  // Sender indices: 0..accounts-1 the generated keys, `accounts` the faucet.
  Tracker t;
  t.in_flight.assign(static_cast<size_t>(accounts) + 1, 0);
  const size_t faucet_id = static_cast<size_t>(accounts);
  std::thread follower(follow, url, call(c, "chain_status")["height"].get<uint64_t>(), std::ref(t));
  size_t retries = 0;

  // 1. Fund the senders (paced like every sender).
  std::vector<SchnorrKey> keys;
  for (int i = 0; i < accounts; ++i) keys.push_back(SchnorrKey::generate());
  uint64_t nonce = call(c, "state_getAccount",
                        {{"address", address_to_string(faucet.pubkey())}})["pending_nonce"];
  for (const auto& k : keys)
    submit(c, t, faucet_id, transfer(faucet, k.pubkey(), funding, nonce++, fee, chain), window,
           retries);
  wait_all(t);

  // 2. Pre-sign every transfer, so the figure is the node's, not our signing speed.
  std::vector<ledger::Transaction> txs;
  std::vector<size_t> from;
  Address sink = SchnorrKey::generate().pubkey();
  for (int n = 0; n < per_account; ++n)
    for (int a = 0; a < accounts; ++a) {
      txs.push_back(transfer(keys[a], sink, amount, static_cast<uint64_t>(n), fee, chain));
      from.push_back(static_cast<size_t>(a));
    }

  // 3. Submit them all, each sender within its window, while the follower sees blocks.
  {
    std::lock_guard<std::mutex> lock(t.m);
    t.submitted_at.clear();
    t.committed_at.clear();
  }
  const auto start = Clock::now();
  for (size_t i = 0; i < txs.size(); ++i) submit(c, t, from[i], txs[i], window, retries);
  const double submit_s = std::chrono::duration<double>(Clock::now() - start).count();
  wait_all(t);
  {
    std::lock_guard<std::mutex> lock(t.m);
    t.stop = true;
  }
  follower.join();

  auto last_commit = start;
  std::vector<double> latency_ms;
  for (const auto& [h, when] : t.committed_at) {
    latency_ms.push_back(
        std::chrono::duration<double, std::milli>(when - t.submitted_at.at(h)).count());
    last_commit = std::max(last_commit, when);
  }
  std::sort(latency_ms.begin(), latency_ms.end());
  auto pct = [&](double p) {
    return latency_ms.empty() ? 0.0 : latency_ms[static_cast<size_t>(p * (latency_ms.size() - 1))];
  };
  const double commit_span = std::chrono::duration<double>(last_commit - start).count();
  std::printf(
      "devnet load: %zu transfers from %d accounts submitted over JSON-RPC in %.2f s (%.0f "
      "submits/s), at most %llu unconfirmed per sender, %zu mempool-full retries\n",
      t.submitted_at.size(), accounts, submit_s, t.submitted_at.size() / submit_s,
      static_cast<unsigned long long>(window), retries);
  std::printf(
      "committed %zu in %.2f s: %.0f tx/s; submit-to-commit latency p50 %.0f ms, p99 %.0f ms "
      "(block interval from the node's config)\n",
      t.committed_at.size(), commit_span, t.committed_at.size() / commit_span, pct(0.50),
      pct(0.99));
  std::printf("command: %s %s <faucet.secret> %d %d --window %llu\n", argv[0], url.c_str(),
              accounts, per_account, static_cast<unsigned long long>(window));

  // 4. The state must be what the transfers do.
  if (t.committed_at.size() != txs.size())
    fail(std::to_string(t.committed_at.size()) + " of " + std::to_string(txs.size()) +
         " transfers committed");
  const uint64_t sunk =
      amount_of(call(c, "state_getAccount", {{"address", address_to_string(sink)}})["balance"]);
  if (sunk != txs.size() * amount)
    fail("the sink holds " + std::to_string(sunk) + ", expected " +
         std::to_string(txs.size() * amount) + " (a committed transfer failed?)");
  for (int a = 0; a < accounts; ++a) {
    const json acc =
        call(c, "state_getAccount", {{"address", address_to_string(keys[a].pubkey())}});
    if (acc["nonce"].get<uint64_t>() != static_cast<uint64_t>(per_account) ||
        amount_of(acc["balance"]) != 0)
      fail("sender " + std::to_string(a) + " ends with " + acc.dump() + ", expected nonce " +
           std::to_string(per_account) + " and balance 0");
  }
  std::printf("checked: the sink holds %zu, every sender's nonce is %d and its balance 0\n",
              txs.size() * amount, per_account);
  return 0;
}
