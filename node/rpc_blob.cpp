// blob_*: uploading, sealing and reading content-addressed blobs (checkpoints, models).
#include "node/json_views.h"
#include "node/node.h"
#include "node/rpc_methods.h"
#include "node/rpc_queries.h"
#include "rpc/method_table.h"

namespace vt::node {

namespace {

json blob_json(const BlobInfo& b, uint32_t chunk_bytes) {
  return {{"hash", to_hex(b.hash)},
          {"size", b.size},
          {"complete", b.complete},
          {"received", b.received},
          {"chunk_bytes", chunk_bytes}};
}

RpcOutcome blob_error(const std::string& why) {
  return RpcError{rpc::kInvalidParams, why, nullptr};
}

}  // namespace

void register_blob_methods(rpc::MethodTable& t, Node& node) {
  const json info_schema = schema_object({{"hash", kString},
                                          {"size", kInteger},
                                          {"complete", {{"type", "boolean"}}},
                                          {"received", kInteger},
                                          {"chunk_bytes", kInteger}});
  auto uploads_allowed = [&node]() -> std::optional<RpcOutcome> {
    if (node.config().blob_uploads) return std::nullopt;
    return RpcOutcome(
        RpcError{rpc::kUnsupported, "this node does not accept blob uploads", nullptr});
  };
  t.add({"blob_begin",
         "Starts (or resumes) uploading a content-addressed blob (a checkpoint or model) of the "
         "given size whose SHA-256 is hash.",
         {{"hash", ParamType::Hex, true, "SHA-256 of the whole blob"},
          {"size", ParamType::Integer, true, "bytes"}},
         "blob",
         info_schema,
         [&node, uploads_allowed](const rpc::Params& p) -> RpcOutcome {
           if (auto refused = uploads_allowed()) return *refused;
           auto h = hash_from_hex(p.str("hash"));
           if (!h) return invalid("hash: " + h.error());
           auto b = node.blobs().begin(h.value(), p.u64("size"));
           if (!b) return blob_error(b.error());
           return blob_json(b.value(), node.blobs().limits().chunk_bytes);
         }});
  t.add({"blob_putChunk",
         "Uploads one chunk of a blob: offset a multiple of chunk_bytes, data a whole chunk (the "
         "last may be shorter), as hex.",
         {{"hash", ParamType::Hex, true, "the blob's SHA-256"},
          {"offset", ParamType::Integer, true, "byte offset"},
          {"data", ParamType::Hex, true, "the chunk's bytes as hex"}},
         "blob",
         info_schema,
         [&node, uploads_allowed](const rpc::Params& p) -> RpcOutcome {
           if (auto refused = uploads_allowed()) return *refused;
           auto h = hash_from_hex(p.str("hash"));
           if (!h) return invalid("hash: " + h.error());
           auto data = from_hex(p.str("data"));
           if (!data) return invalid("data: " + data.error());
           auto b = node.blobs().put_chunk(h.value(), p.u64("offset"), data.value());
           if (!b) return blob_error(b.error());
           return blob_json(b.value(), node.blobs().limits().chunk_bytes);
         }});
  t.add({"blob_seal",
         "Finishes an upload: the node hashes the whole blob and keeps it only if it matches.",
         {{"hash", ParamType::Hex, true, "the blob's SHA-256"}},
         "blob",
         info_schema,
         [&node, uploads_allowed](const rpc::Params& p) -> RpcOutcome {
           if (auto refused = uploads_allowed()) return *refused;
           auto h = hash_from_hex(p.str("hash"));
           if (!h) return invalid("hash: " + h.error());
           auto b = node.blobs().seal(h.value());
           if (!b) return blob_error(b.error());
           return blob_json(b.value(), node.blobs().limits().chunk_bytes);
         }});
  t.add(
      {"blob_get",
       "Reads up to chunk_bytes of a stored blob from offset, as hex, with the blob's size. A "
       "blob this node lacks is fetched from its peers (checked against its hash before it is "
       "kept): meanwhile the answer has fetching true, size the blob's size once a peer has "
       "said it (else 0) and no data; ask again. Not found once no peer has it.",
       {{"hash", ParamType::Hex, true, "the blob's SHA-256"},
        {"offset", ParamType::Integer, false, "byte offset (default 0)"},
        {"length", ParamType::Integer, false, "bytes, at most chunk_bytes (default chunk_bytes)"}},
       "chunk",
       schema_object({{"hash", kString},
                      {"offset", kInteger},
                      {"size", kInteger},
                      {"data", kString},
                      {"fetching", {{"type", "boolean"}}}}),
       [&node](const rpc::Params& p) -> RpcOutcome {
         auto h = hash_from_hex(p.str("hash"));
         if (!h) return invalid("hash: " + h.error());
         const uint64_t offset = p.u64_or("offset", 0);
         auto info = node.blobs().info(h.value());
         if (!info || !info.value().complete) {
           if (!node.config().blob_uploads)
             return not_found("blob " + p.str("hash") +
                              " is not on this node, which keeps no blobs from others "
                              "(blobs.uploads = false)");
           auto fetch = node.fetch_blob(h.value());
           if (!fetch)
             return not_found("blob " + p.str("hash") + " is not on this node: " + fetch.error());
           return json{{"hash", p.str("hash")},
                       {"offset", offset},
                       {"size", fetch.value().size},
                       {"data", ""},
                       {"fetching", true}};
         }
         auto data = node.blobs().read(h.value(), offset,
                                       p.u64_or("length", node.blobs().limits().chunk_bytes));
         if (!data) return blob_error(data.error());
         return json{{"hash", p.str("hash")},
                     {"offset", offset},
                     {"size", info->size},
                     {"data", to_hex(data.value())},
                     {"fetching", false}};
       }});
}
}  // namespace vt::node
