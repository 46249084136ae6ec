#include "wallet/wallet_client.h"

#include <chrono>
#include <thread>

#include "core/bech32m.h"
#include "core/decimal.h"

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
  if (o.fee) {
    tx.fee = *o.fee;
  } else {
    auto fee = parse_u64_decimal(params.value()["min_fee"].get<std::string>());
    if (!fee) return make_error("node sent a bad min_fee: " + fee.error());
    tx.fee = fee.value();
  }
  if (o.nonce) {
    tx.nonce = *o.nonce;
  } else {
    auto acc = call("state_getAccount", {{"address", address_to_string(key.pubkey())}});
    if (!acc) return acc.take_error();
    tx.nonce = acc.value()["pending_nonce"].get<uint64_t>();
  }
  tx.msg = std::move(msg);
  ledger::sign(tx, key);
  auto submitted = call("tx_submit", {{"tx", to_hex(ledger::encode(tx))}});
  if (!submitted) return make_error("transaction rejected: " + submitted.error());
  std::string hash = submitted.value()["hash"].get<std::string>();
  if (!o.wait) return json{{"hash", hash}, {"pending", true}};

  auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(o.wait_timeout_ms);
  while (std::chrono::steady_clock::now() < deadline) {
    auto rec = call("chain_getTransaction", {{"hash", hash}});
    if (rec && !rec.value().value("pending", true)) return rec;
    std::this_thread::sleep_for(std::chrono::milliseconds(200));
  }
  return make_error("transaction " + hash + " was accepted but not included within " +
                    std::to_string(o.wait_timeout_ms / 1000) +
                    " s; check it later with `veritrain tx show " + hash + "`");
}

}  // namespace vt::wallet
