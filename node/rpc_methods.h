// The node's JSON-RPC methods, declared once (name, params, result, summary) in
// one table that dispatches, validates and produces rpc_discover; plus the
// node's GET routes (/metrics, /health) and subscription topics.
#pragma once

namespace vt::rpc {
class MethodTable;
class HttpServer;
}  // namespace vt::rpc

namespace vt::node {

class Node;
void register_rpc_methods(rpc::MethodTable& table, Node& node);
// blob_begin, blob_putChunk, blob_seal, blob_get (part of register_rpc_methods).
void register_blob_methods(rpc::MethodTable& table, Node& node);
void register_http_routes(rpc::HttpServer& server, Node& node);

}  // namespace vt::node
