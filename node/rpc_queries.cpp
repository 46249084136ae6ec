#include "node/rpc_queries.h"

#include "ledger/state_access.h"
#include "node/json_views.h"
#include "node/node.h"
#include "node/pol_view.h"
#include "node/state_history.h"
#include "node/tx_index.h"
#include "rpc/method_table.h"

namespace vt::node {

json block_json(const ledger::Block& b, const std::optional<std::vector<ledger::Event>>& events,
                bool tx_hashes_only) {
  json txs = json::array();
  for (const auto& tx : b.txs)
    txs.push_back(tx_hashes_only ? json(to_hex(ledger::tx_hash(tx))) : to_json(tx));
  json evidence = json::array();
  for (const auto& e : b.evidence)
    evidence.push_back({{"validator", to_hex(ledger::offender(e))},
                        {"height", ledger::offence_height(e)},
                        {"round", ledger::offence_round(e)},
                        {"type", ledger::offence_name(e)}});
  // Who signed the parent (indices in the parent's validator set).
  json signers = json::array();
  for (const auto& s : b.last_commit.sigs) signers.push_back(s.validator_index);
  return {{"hash", to_hex(ledger::block_hash(b.header))},
          {"header", to_json(b.header)},
          {"txs", txs},
          {"evidence", evidence},
          {"last_commit", {{"round", b.last_commit.round}, {"signers", signers}}},
          {"begin_events", events ? to_json(*events) : json::array()}};
}

json verifier_json(const ledger::Verifier& v) {
  return object_json(v);
}

json job_json(const ledger::StateReader& state, uint64_t height, const ledger::StateReader& head,
              const ledger::Job& j) {
  json out = to_json(j);
  auto spec = ledger::read_spec(state, j.spec_hash);
  out["spec"] = spec ? json::parse(*spec, nullptr, false) : json(nullptr);
  out["pol"] = pol_json(ledger::pol_view(state, height, j, head));
  return out;
}

const rpc::ParamSpec kHeightParam{"height", ParamType::Integer, false,
                                  "read the state after this block (default: the head); see "
                                  "chain_status.earliest_state_height"};
const rpc::ParamSpec kProveParam{"prove", ParamType::Boolean, false,
                                 "also return a sparse-Merkle proof against that height's state "
                                 "root (docs/state-root.md)"};
const json kProofSchema = {{"type", {"object", "null"}}};

std::optional<RpcError> open_state_view(const Node& node, const rpc::Params& p, StateView& view) {
  const ChainHead& head = node.head();
  view.height = head.height;
  view.root = head.state_root;
  view.reader = &node.state();
  const bool prove = p.has("prove") && p.boolean("prove");
  if (!p.has("height") && !prove) return std::nullopt;
  if (p.has("height")) view.height = p.u64("height");
  if (view.height > head.height)
    return invalid("height " + std::to_string(view.height) + " is above the head (" +
                   std::to_string(head.height) + ")");
  if (!node.chain().indexes().state_history)
    return RpcError{rpc::kUnsupported,
                    "this node keeps no state history (config.toml [storage] state_history): "
                    "it serves the head only, without proofs",
                    nullptr};
  auto earliest = node.chain().earliest_state_height();
  if (!earliest) return internal(earliest.error());
  if (view.height < earliest.value())
    return not_found("height " + std::to_string(view.height) +
                     " is before the earliest state this node keeps (" +
                     std::to_string(earliest.value()) + ")");
  if (view.height == 0) {
    view.root = node.genesis_state_root();
  } else if (view.height != head.height) {
    auto block = node.chain().block_at(view.height);
    if (!block) return internal(block.error());
    if (!block.value()) return internal("block " + std::to_string(view.height) + " is missing");
    view.root = block.value()->header.state_root;
  }
  view.history = std::make_unique<HistoricalState>(node.chain().kv(), view.height, view.root);
  view.reader = view.history.get();
  return std::nullopt;
}

RpcOutcome proof_json(const StateView& view, const rpc::Params& p, ByteView key) {
  if (!(p.has("prove") && p.boolean("prove"))) return json(nullptr);
  auto proven = view.history->prove(key);
  if (!proven) return internal(proven.error());
  const auto& proof = proven.value().proof;
  json siblings = json::array();
  for (const auto& s : proof.siblings) siblings.push_back(to_hex(s));
  const auto& value = proven.value().value;
  return json{{"height", view.height},
              {"state_root", to_hex(view.root)},
              {"key", to_hex(key)},
              {"value", value ? json(to_hex(*value)) : json(nullptr)},
              {"siblings", siblings},
              {"leaf", proof.leaf ? json{{"path", to_hex(proof.leaf->path)},
                                         {"value_hash", to_hex(proof.leaf->value_hash)}}
                                  : json(nullptr)}};
}

std::optional<RpcError> need_tx_index(const Node& node) {
  if (node.chain().indexes().tx_index) return std::nullopt;
  return RpcError{rpc::kUnsupported,
                  "this node keeps no transaction index (config.toml [storage] tx_index)", nullptr};
}

std::optional<RpcError> history_error(const StateView& view) {
  if (view.history && !view.history->error().empty()) return internal(view.history->error());
  return std::nullopt;
}

}  // namespace vt::node
