// What the wallet CLI asks of a node: reads, and building, signing, submitting
// and following transactions (nonce and fee filled in from the chain).
// Single-threaded; one per CLI invocation.
#pragma once

#include <functional>
#include <nlohmann/json.hpp>
#include <string>

#include "core/keys.h"
#include "core/result.h"
#include "ledger/transaction.h"
#include "rpc/http_client.h"

namespace vt::wallet {

class WalletClient {
 public:
  explicit WalletClient(std::string node_url) : rpc_(std::move(node_url)) {}

  // A node call; errors become one line a person can act on.
  Result<nlohmann::json> call(const std::string& method,
                              const nlohmann::json& params = nlohmann::json::object());

  struct SendOptions {
    std::optional<uint64_t> fee;    // default: the chain's min_fee
    std::optional<uint64_t> nonce;  // default: the account's next nonce
    bool wait = true;               // wait until the transaction is in a block
    // Sign and simulate (tx_simulate) instead of submitting: the result is
    // {hash, dry_run, size, min_fee, receipt} and nothing reaches the chain.
    bool dry_run = false;
    uint64_t wait_timeout_ms = 60'000;
  };
  // Builds, signs and submits a transaction with `msg`; returns the hash, or with
  // wait the committed record (hash, height, receipt), or with dry_run what it
  // would do.
  Result<nlohmann::json> send(const SchnorrKey& key, ledger::Message msg,
                              const SendOptions& options);
  // Waits until a submitted transaction is in a block; returns its record.
  Result<nlohmann::json> wait_for(const std::string& hash, uint64_t timeout_ms = 60'000);

  // Uploads a content-addressed blob in chunks and seals it; returns its hex SHA-256.
  // progress(done, total) is called after each chunk.
  Result<std::string> upload_blob(ByteView data,
                                  const std::function<void(uint64_t, uint64_t)>& progress);
  // Downloads a blob and checks its bytes against the hash.
  Result<Bytes> download_blob(const std::string& hash_hex,
                              const std::function<void(uint64_t, uint64_t)>& progress);

 private:
  rpc::RpcClient rpc_;
};

}  // namespace vt::wallet
