// net_peers and consensus_state: this node's peers and where its consensus engine stands.
#include "node/json_views.h"
#include "node/node.h"
#include "node/rpc_methods.h"
#include "node/rpc_queries.h"
#include "rpc/method_table.h"

namespace vt::node {

void register_net_methods(rpc::MethodTable& t, Node& node) {
  t.add({"net_peers",
         "The peers this node is connected to over the encrypted P2P channel: node id, address, "
         "direction and messages exchanged; and this node's own id.",
         {},
         "net",
         schema_object({{"node_id", {{"type", json::array({"string", "null"})}}},
                        {"listening", {{"type", "boolean"}}},
                        {"peers", {{"type", "array"}}}}),
         [&node](const rpc::Params&) -> RpcOutcome {
           json list = json::array();
           for (const auto& p : node.peers())
             list.push_back({{"node_id", p.id},
                             {"address", p.address},
                             {"outbound", p.outbound},
                             {"messages_sent", p.messages_sent},
                             {"messages_received", p.messages_received}});
           const bool listening = node.p2p_port() != 0;
           return json{
               {"node_id", listening ? json(p2p::node_id(node.validator_pubkey())) : json(nullptr)},
               {"listening", listening},
               {"peers", list}};
         }});

  t.add({"consensus_state",
         "Where this node's consensus engine is (height, round, step, locked and valid rounds) "
         "and what it signed last (its signing-state file).",
         {},
         "consensus",
         schema_object({{"height", kInteger},
                        {"round", kInteger},
                        {"step", kString},
                        {"locked_round", {{"type", "integer"}}},
                        {"valid_round", {{"type", "integer"}}},
                        {"proposer", kString},
                        {"last_signed", {{"type", json::array({"object", "null"})}}}}),
         [&node](const rpc::Params&) -> RpcOutcome {
           const auto& e = node.engine();
           auto step = [](consensus::Step s) {
             return s == consensus::Step::Propose   ? "propose"
                    : s == consensus::Step::Prevote ? "prevote"
                                                    : "precommit";
           };
           const auto& ls = node.last_signed();
           json last = nullptr;
           if (!ls.empty)
             last = {{"height", ls.height},
                     {"round", ls.round},
                     {"step", step(ls.step)},
                     {"block", ls.block ? json(to_hex(*ls.block)) : json(nullptr)}};
           const auto& set = node.validators();
           return json{{"height", e.height()},
                       {"round", e.round()},
                       {"step", step(e.step())},
                       {"locked_round", e.locked_round()},
                       {"valid_round", e.valid_round()},
                       {"proposer", to_hex(set.at(set.proposer(e.height(), e.round())).key)},
                       {"last_signed", last}};
         }});
}

}  // namespace vt::node
