#include "wallet/wallet_client.h"

#include <chrono>
#include <thread>

#include "core/bech32m.h"
#include "core/decimal.h"
#include "core/sha256.h"
#include "ledger/executor.h"

namespace vt::wallet {

using nlohmann::json;

Result<json> WalletClient::call(const std::string& method, const json& params) {
  auto r = rpc_.call(method, params);
  if (!r) {
    const auto& e = r.error();
    if (e.kind == rpc::CallError::Kind::Transport)
      return make_error("cannot reach the node at " + rpc_.url() + ": " + e.message +
                        " (is veritraind running? set --node or VERITRAIN_NODE)");
    if (e.kind == rpc::CallError::Kind::Rpc && e.data.is_object() && e.data.contains("reason"))
      return make_error(e.data["reason"].get<std::string>());
    return make_error(e.describe());
  }
  return r.value();
}

Result<json> WalletClient::send(const SchnorrKey& key, ledger::Message msg, const SendOptions& o) {
  auto params = call("state_getParams");
  if (!params) return params.take_error();
  ledger::Transaction tx;
  tx.chain_id = params.value()["chain_id"].get<std::string>();
  tx.sender = key.pubkey();
  // The chain's fee rule (ledger::minimum_fee) for this transaction's size; the
  // fee field has a fixed width, so the size does not depend on its value.
  ledger::Params fee_rule;
  for (auto [name, dst] :
       {std::pair{"min_fee", &fee_rule.min_fee}, std::pair{"fee_per_kib", &fee_rule.fee_per_kib}}) {
    auto v = parse_u64_decimal(params.value().value(name, std::string("0")));
    if (!v) return make_error(std::string("node sent a bad ") + name + ": " + v.error());
    *dst = v.value();
  }
  if (o.nonce) {
    tx.nonce = *o.nonce;
  } else {
    auto acc = call("state_getAccount", {{"address", address_to_string(key.pubkey())}});
    if (!acc) return acc.take_error();
    tx.nonce = acc.value()["pending_nonce"].get<uint64_t>();
  }
  tx.msg = std::move(msg);
  tx.fee = o.fee ? *o.fee : ledger::minimum_fee(fee_rule, ledger::encode(tx).size());
  ledger::sign(tx, key);
  if (o.dry_run) {
    auto sim = call("tx_simulate", {{"tx", to_hex(ledger::encode(tx))}});
    if (!sim) return make_error("transaction rejected: " + sim.error());
    json out = sim.value();
    out["hash"] = to_hex(ledger::tx_hash(tx));
    out["dry_run"] = true;
    return out;
  }
  auto submitted = call("tx_submit", {{"tx", to_hex(ledger::encode(tx))}});
  if (!submitted) return make_error("transaction rejected: " + submitted.error());
  std::string hash = submitted.value()["hash"].get<std::string>();
  if (!o.wait) return json{{"hash", hash}, {"pending", true}};
  return wait_for(hash, o.wait_timeout_ms);
}

Result<json> WalletClient::wait_for(const std::string& hash, uint64_t timeout_ms) {
  auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(timeout_ms);
  while (std::chrono::steady_clock::now() < deadline) {
    auto rec = call("chain_getTransaction", {{"hash", hash}});
    if (rec && !rec.value().value("pending", true)) return rec;
    // Neither pending nor committed: the node dropped it (a restart empties the
    // mempool). Waiting longer cannot help; the caller may resubmit.
    if (!rec && rec.error().find("no such transaction") != std::string::npos)
      return make_error("transaction " + hash +
                        " was dropped by the node before inclusion (restart or eviction); "
                        "submit it again");
    std::this_thread::sleep_for(std::chrono::milliseconds(200));
  }
  return make_error("transaction " + hash + " was accepted but not included within " +
                    std::to_string(timeout_ms / 1000) +
                    " s; check it later with `veritrain tx show " + hash + "`");
}

Result<std::string> WalletClient::upload_blob(
    ByteView data, const std::function<void(uint64_t, uint64_t)>& progress) {
  std::string hash = to_hex(sha256(data));
  auto info = call("blob_begin", {{"hash", hash}, {"size", data.size()}});
  if (!info) return info.take_error();
  if (info.value()["complete"].get<bool>()) return hash;  // the node already has it
  uint64_t chunk = info.value()["chunk_bytes"].get<uint64_t>();
  if (chunk == 0) return make_error("node reported a zero chunk size");
  for (uint64_t off = 0; off < data.size(); off += chunk) {
    uint64_t len = std::min<uint64_t>(chunk, data.size() - off);
    auto r = call("blob_putChunk",
                  {{"hash", hash}, {"offset", off}, {"data", to_hex(data.subspan(off, len))}});
    if (!r) return r.take_error();
    if (progress) progress(off + len, data.size());
  }
  auto sealed = call("blob_seal", {{"hash", hash}});
  if (!sealed) return sealed.take_error();
  return hash;
}

Result<Bytes> WalletClient::download_blob(const std::string& hash_hex,
                                          const std::function<void(uint64_t, uint64_t)>& progress) {
  auto expected = hash_from_hex(hash_hex);
  if (!expected) return make_error("blob hash: " + expected.error());
  Bytes out;
  uint64_t size = 1;
  // A node that lacks the blob fetches it from its peers meanwhile.
  constexpr auto kFetchWait = std::chrono::seconds(120);
  const auto asked = std::chrono::steady_clock::now();
  while (out.size() < size) {
    auto r = call("blob_get", {{"hash", hash_hex}, {"offset", out.size()}});
    if (!r) return r.take_error();
    if (r.value().value("fetching", false)) {
      if (std::chrono::steady_clock::now() - asked > kFetchWait)
        return make_error("the node is still fetching blob " + hash_hex +
                          " from its peers after 120 s; try again later");
      std::this_thread::sleep_for(std::chrono::milliseconds(250));
      continue;
    }
    size = r.value()["size"].get<uint64_t>();
    auto part = from_hex(r.value()["data"].get<std::string>());
    if (!part) return make_error("node sent bad hex: " + part.error());
    if (part->empty() && out.size() < size) return make_error("node sent an empty chunk");
    out.insert(out.end(), part->begin(), part->end());
    if (out.size() > size) return make_error("node sent more bytes than the blob's size");
    if (progress) progress(out.size(), size);
  }
  if (sha256(out) != expected.value())
    return make_error("downloaded bytes do not match the blob's hash; refusing them");
  return out;
}

}  // namespace vt::wallet
