// Devnet throughput: funds A accounts from the faucet, then submits A x T signed
// transfers over JSON-RPC as fast as one client can, and watches the blocks to
// measure committed transfers per second and submit-to-commit latency.
// Usage: bench_devnet_loadgen URL FAUCET_SECRET_FILE [ACCOUNTS] [TXS_PER_ACCOUNT]
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <fstream>
#include <iostream>
#include <map>
#include <thread>

#include "core/bech32m.h"
#include "core/keys.h"
#include "ledger/transaction.h"
#include "rpc/http_client.h"

using namespace vt;
using nlohmann::json;
using Clock = std::chrono::steady_clock;

namespace {

json call(rpc::RpcClient& c, const std::string& m, const json& p = json::object()) {
  auto r = c.call(m, p);
  if (!r) {
    std::cerr << m << ": " << r.error().describe() << "\n";
    std::exit(1);
  }
  return r.value();
}

ledger::Transaction transfer(const SchnorrKey& from, const Address& to, uint64_t amount,
                             uint64_t nonce, const std::string& chain) {
  ledger::Transaction tx;
  tx.chain_id = chain;
  tx.nonce = nonce;
  tx.fee = 1000;
  tx.msg = ledger::Transfer{to, amount};
  ledger::sign(tx, from);
  return tx;
}

uint64_t height(rpc::RpcClient& c) {
  return call(c, "chain_status")["height"].get<uint64_t>();
}

// Waits until every hash is in a block; records when each block was first seen.
void follow(rpc::RpcClient& c, uint64_t from_height,
            std::map<std::string, Clock::time_point>& pending,
            std::map<std::string, Clock::time_point>& committed_at, double timeout_s) {
  uint64_t next = from_height + 1;
  auto deadline = Clock::now() + std::chrono::duration<double>(timeout_s);
  while (!pending.empty() && Clock::now() < deadline) {
    uint64_t h = height(c);
    for (; next <= h; ++next) {
      json b = call(c, "chain_getBlock", {{"height", next}});
      auto now = Clock::now();
      for (const auto& t : b["txs"]) {
        std::string hash = t["hash"].get<std::string>();
        if (pending.erase(hash)) committed_at[hash] = now;
      }
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 3) {
    std::cerr << "usage: " << argv[0] << " URL FAUCET_SECRET_FILE [ACCOUNTS] [TXS_PER_ACCOUNT]\n";
    return 2;
  }
  std::string url = argv[1];
  int accounts = argc > 3 ? std::atoi(argv[3]) : 100;
  int per_account =
      argc > 4 ? std::min(std::atoi(argv[4]), 60) : 50;  // mempool allows 64 pending nonces
  std::ifstream f(argv[2]);
  std::string hex;
  f >> hex;
  auto faucet = SchnorrKey::from_secret(hash_from_hex(hex).value()).value();
  rpc::RpcClient c(url);
  std::string chain = call(c, "state_getParams")["chain_id"].get<std::string>();

  // 1. Fund the senders.
  std::vector<SchnorrKey> keys;
  for (int i = 0; i < accounts; ++i) keys.push_back(SchnorrKey::generate());
  uint64_t nonce = call(c, "state_getAccount",
                        {{"address", address_to_string(faucet.pubkey())}})["pending_nonce"];
  std::map<std::string, Clock::time_point> pending, committed;
  uint64_t h0 = height(c);
  for (const auto& k : keys) {
    auto tx = transfer(faucet, k.pubkey(), 10'000'000, nonce++, chain);
    auto r = call(c, "tx_submit", {{"tx", to_hex(ledger::encode(tx))}});
    pending[r["hash"]] = Clock::now();
  }
  follow(c, h0, pending, committed, 60);
  if (!pending.empty()) {
    std::cerr << "funding did not commit\n";
    return 1;
  }

  // 2. Pre-sign every transfer, so the figure is the node's, not our signing speed.
  std::vector<ledger::Transaction> txs;
  Address sink = SchnorrKey::generate().pubkey();
  for (int n = 0; n < per_account; ++n)
    for (const auto& k : keys) txs.push_back(transfer(k, sink, 1, static_cast<uint64_t>(n), chain));

  // 3. Submit them all and follow the blocks.
  committed.clear();
  std::map<std::string, Clock::time_point> submitted;
  h0 = height(c);
  auto start = Clock::now();
  size_t rejected = 0;
  for (const auto& tx : txs) {
    auto r = c.call("tx_submit", {{"tx", to_hex(ledger::encode(tx))}});
    if (!r) {
      ++rejected;
      continue;
    }
    submitted[r.value()["hash"]] = Clock::now();
  }
  double submit_s = std::chrono::duration<double>(Clock::now() - start).count();
  pending = submitted;
  follow(c, h0, pending, committed, 120);
  double total_s = std::chrono::duration<double>(Clock::now() - start).count();
  auto last_commit = start;
  std::vector<double> latency_ms;
  for (const auto& [h, t] : committed) {
    latency_ms.push_back(std::chrono::duration<double, std::milli>(t - submitted[h]).count());
    last_commit = std::max(last_commit, t);
  }
  std::sort(latency_ms.begin(), latency_ms.end());
  auto pct = [&](double p) {
    return latency_ms.empty() ? 0.0 : latency_ms[static_cast<size_t>(p * (latency_ms.size() - 1))];
  };
  double commit_span = std::chrono::duration<double>(last_commit - start).count();
  std::printf(
      "devnet load: %zu transfers submitted over JSON-RPC in %.2f s (%.0f submits/s), %zu "
      "rejected\n",
      submitted.size(), submit_s, submitted.size() / submit_s, rejected);
  std::printf(
      "committed %zu in %.2f s: %.0f tx/s; submit-to-commit latency p50 %.0f ms, p99 %.0f ms "
      "(block interval from the node's config)\n",
      committed.size(), commit_span, committed.size() / commit_span, pct(0.50), pct(0.99));
  std::printf("command: %s %s <faucet.secret> %d %d\n", argv[0], url.c_str(), accounts,
              per_account);
  (void)total_s;
  return committed.size() == submitted.size() ? 0 : 1;
}
