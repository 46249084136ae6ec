// The node's WebSocket topics (rpc::EventSource) and the JSON views they share
// with the RPC methods. Every topic reads committed blocks from the ChainStore,
// so a subscription can start at any stored height and resume after a
// disconnect. Used on the io thread only.
#pragma once

#include <nlohmann/json.hpp>

#include "node/chain_store.h"
#include "node/tx_index.h"
#include "rpc/method_table.h"

namespace vt::node {

// What executing block `height` did: begin-block events and the receipts of
// transactions [offset, offset + limit), as chain_getBlockResults returns it.
rpc::RpcOutcome block_results_json(const ChainStore& chain, uint64_t height, uint64_t offset,
                                   uint64_t limit);

// One committed transaction in a tx_search page or a txs event.
nlohmann::json tx_summary_json(const Hash256& hash, const TxRecord& record);

// A tx_search query's conditions from their text forms; an invalid-params error names the field.
std::optional<rpc::RpcError> parse_tx_conditions(const std::optional<std::string>& address,
                                                 std::optional<uint64_t> job,
                                                 const std::optional<std::string>& event,
                                                 TxQuery& query);

class NodeEventSource final : public rpc::EventSource {
 public:
  explicit NodeEventSource(const ChainStore& chain) : chain_(chain) {}
  std::vector<std::string> topics() const override;
  uint64_t head_height() const override;
  Opened open(const std::string& topic, const nlohmann::json& filter) override;

 private:
  const ChainStore& chain_;
};

}  // namespace vt::node
