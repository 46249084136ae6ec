// The node's JSON-RPC methods, declared once (name, params, result, summary) in
// one table that dispatches, validates and produces rpc_discover; plus the
// node's GET routes (the explorer, /metrics, /health; node/http_routes.cpp).
#pragma once

namespace vt::rpc {
class MethodTable;
class HttpServer;
}  // namespace vt::rpc

namespace vt::node {

class Node;
// Every method below, one namespace after another.
void register_rpc_methods(rpc::MethodTable& table, Node& node);
// One namespace each, in its own file (node/rpc_<namespace>.cpp).
void register_chain_methods(rpc::MethodTable& table, Node& node);
void register_net_methods(rpc::MethodTable& table, Node& node);    // net_*, consensus_state
void register_state_methods(rpc::MethodTable& table, Node& node);  // state_*, account_*
void register_tx_methods(rpc::MethodTable& table, Node& node);
void register_blob_methods(rpc::MethodTable& table, Node& node);
void register_http_routes(rpc::HttpServer& server, Node& node);

}  // namespace vt::node
