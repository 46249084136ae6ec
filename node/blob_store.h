// Content-addressed blobs (training checkpoints, final models) kept by the node
// in RocksDB, so verifiers and clients can fetch them over RPC in chunks. A blob
// is uploaded in chunks at any offsets, then sealed: the node hashes the whole
// and keeps it only if it matches the hash the uploader announced. Sizes and the
// total are bounded. Single-threaded use (the node's io thread).
#pragma once

#include <cstdint>

#include "core/bytes.h"
#include "core/result.h"
#include "node/kv_store.h"

namespace vt::node {

// Upload/download granularity: the hex of one chunk fits a 1 MiB request, and
// peers exchange blobs in chunks of this size (node/p2p/blob_exchange.h).
inline constexpr uint32_t kBlobChunkBytes = 256u << 10;

struct BlobLimits {
  uint64_t max_blob_bytes = 256ull << 20;  // one checkpoint or model
  uint64_t max_total_bytes = 8ull << 30;   // everything this node keeps
  uint32_t chunk_bytes = kBlobChunkBytes;
};

struct BlobInfo {
  Hash256 hash{};
  uint64_t size = 0;
  bool complete = false;  // sealed and verified
  uint64_t received = 0;  // bytes received so far (uploads in progress)
};

class BlobStore {
 public:
  BlobStore(KvStore& kv, BlobLimits limits) : kv_(kv), limits_(limits) {}

  // Starts (or continues) an upload of a blob of `size` bytes whose SHA-256 is `hash`.
  [[nodiscard]] Result<BlobInfo> begin(const Hash256& hash, uint64_t size);
  // Stores one chunk: offset must be a multiple of chunk_bytes and data a whole
  // chunk (the last one may be shorter). Re-sending a chunk is harmless.
  [[nodiscard]] Result<BlobInfo> put_chunk(const Hash256& hash, uint64_t offset, ByteView data);
  // Verifies the whole blob against its hash; on a mismatch the upload is discarded.
  [[nodiscard]] Result<BlobInfo> seal(const Hash256& hash);
  // Drops an upload that will not be finished (a fetch from peers that failed)
  // and gives its space back. A sealed blob is not dropped.
  [[nodiscard]] Status discard(const Hash256& hash);
  [[nodiscard]] Result<BlobInfo> info(const Hash256& hash) const;
  // Up to `length` bytes (at most one chunk) from `offset` of a sealed blob.
  [[nodiscard]] Result<Bytes> read(const Hash256& hash, uint64_t offset, uint64_t length) const;
  // Whole sealed blob (for the node's own use: referee, verifier).
  [[nodiscard]] Result<Bytes> read_all(const Hash256& hash) const;

  const BlobLimits& limits() const { return limits_; }
  // Bytes held: sealed blobs and uploads under way (what max_total_bytes bounds).
  [[nodiscard]] Result<uint64_t> total_bytes() const;

 private:
  [[nodiscard]] Result<std::optional<BlobInfo>> load(const Hash256& hash) const;
  [[nodiscard]] Status store_info(WriteBatch& batch, const BlobInfo& info) const;
  // Adds the deletion of an upload's chunks and record, and its space given back.
  [[nodiscard]] Status drop(const BlobInfo& info, WriteBatch& batch) const;
  KvStore& kv_;
  BlobLimits limits_;
};

}  // namespace vt::node
