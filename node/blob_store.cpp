#include "node/blob_store.h"

#include "core/encoding.h"
#include "core/sha256.h"

namespace vt::node {

namespace {

Bytes info_key(const Hash256& h) {
  return Writer().u8('i').fixed(h).take();
}
Bytes chunk_key(const Hash256& h, uint64_t index) {
  return Writer().u8('c').fixed(h).u64(index).take();
}
const Bytes kTotalKey = {'t'};

Bytes encode_info(const BlobInfo& b) {
  return Writer().u64(b.size).boolean(b.complete).u64(b.received).take();
}

std::string n(uint64_t v) {
  return std::to_string(v);
}

}  // namespace

Result<std::optional<BlobInfo>> BlobStore::load(const Hash256& hash) const {
  auto v = kv_.get(Column::Blobs, info_key(hash));
  if (!v) return v.take_error();
  if (!v.value()) return std::optional<BlobInfo>();
  Reader r(**v);
  BlobInfo b;
  b.hash = hash;
  b.size = r.u64("blob.size");
  b.complete = r.boolean("blob.complete");
  b.received = r.u64("blob.received");
  if (auto s = r.finish(); !s) return make_error("corrupt blob record: " + s.error());
  return std::optional<BlobInfo>(b);
}

Result<uint64_t> BlobStore::total_bytes() const {
  auto v = kv_.get(Column::Blobs, kTotalKey);
  if (!v) return v.take_error();
  if (!v.value()) return uint64_t{0};
  Reader r(**v);
  uint64_t total = r.u64("blob.total");
  if (auto s = r.finish(); !s) return make_error("corrupt blob total: " + s.error());
  return total;
}

Status BlobStore::store_info(WriteBatch& batch, const BlobInfo& info) const {
  batch.put(Column::Blobs, info_key(info.hash), encode_info(info));
  return Status::success();
}

Result<BlobInfo> BlobStore::begin(const Hash256& hash, uint64_t size) {
  auto existing = load(hash);
  if (!existing) return existing.take_error();
  if (existing.value()) {
    if (existing.value()->size != size)
      return make_error("blob " + to_hex(hash) + " is already being stored with size " +
                        n(existing.value()->size) + ", not " + n(size));
    return *existing.value();
  }
  if (size == 0) return make_error("blob size must be positive");
  if (size > limits_.max_blob_bytes)
    return make_error("blob of " + n(size) + " bytes exceeds the limit of " +
                      n(limits_.max_blob_bytes));
  auto total = total_bytes();
  if (!total) return total.take_error();
  if (total.value() + size > limits_.max_total_bytes)
    return make_error("blob storage is full (" + n(total.value()) + " of " +
                      n(limits_.max_total_bytes) + " bytes used)");
  BlobInfo info{hash, size, false, 0};
  WriteBatch batch;
  if (auto s = store_info(batch, info); !s) return s.take_error();
  batch.put(Column::Blobs, kTotalKey, Writer().u64(total.value() + size).take());
  if (auto s = kv_.write(batch); !s) return s.take_error();
  return info;
}

Result<BlobInfo> BlobStore::put_chunk(const Hash256& hash, uint64_t offset, ByteView data) {
  auto loaded = load(hash);
  if (!loaded) return loaded.take_error();
  if (!loaded.value()) return make_error("no upload of blob " + to_hex(hash) + " was begun");
  BlobInfo info = *loaded.value();
  if (info.complete) return info;  // already sealed: nothing to do
  if (offset % limits_.chunk_bytes != 0)
    return make_error("offset " + n(offset) + " is not a multiple of the chunk size " +
                      n(limits_.chunk_bytes));
  if (offset >= info.size)
    return make_error("offset " + n(offset) + " is past the blob's size " + n(info.size));
  uint64_t expected = std::min<uint64_t>(limits_.chunk_bytes, info.size - offset);
  if (data.size() != expected)
    return make_error("chunk at offset " + n(offset) + " must be " + n(expected) + " bytes, got " +
                      n(data.size()));
  Bytes key = chunk_key(hash, offset / limits_.chunk_bytes);
  auto present = kv_.get(Column::Blobs, key);
  if (!present) return present.take_error();
  if (!present.value()) info.received += data.size();
  WriteBatch batch;
  batch.put(Column::Blobs, key, Bytes(data.begin(), data.end()));
  if (auto s = store_info(batch, info); !s) return s.take_error();
  if (auto s = kv_.write(batch); !s) return s.take_error();
  return info;
}

Result<BlobInfo> BlobStore::seal(const Hash256& hash) {
  auto loaded = load(hash);
  if (!loaded) return loaded.take_error();
  if (!loaded.value()) return make_error("no upload of blob " + to_hex(hash) + " was begun");
  BlobInfo info = *loaded.value();
  if (info.complete) return info;
  if (info.received != info.size)
    return make_error("blob is incomplete: " + n(info.received) + " of " + n(info.size) +
                      " bytes received");
  Sha256 h;
  uint64_t chunks = (info.size + limits_.chunk_bytes - 1) / limits_.chunk_bytes;
  for (uint64_t i = 0; i < chunks; ++i) {
    auto c = kv_.get(Column::Blobs, chunk_key(hash, i));
    if (!c) return c.take_error();
    if (!c.value()) return make_error("blob chunk " + n(i) + " is missing");
    h.update(**c);
  }
  WriteBatch batch;
  if (h.finish() != hash) {
    // Not what was announced: drop it whole and give its space back.
    if (auto s = drop(info, batch); !s) return s.take_error();
    if (auto s = kv_.write(batch); !s) return s.take_error();
    return make_error("blob content does not match its SHA-256 " + to_hex(hash) +
                      "; the upload was discarded");
  }
  info.complete = true;
  if (auto s = store_info(batch, info); !s) return s.take_error();
  if (auto s = kv_.write(batch); !s) return s.take_error();
  return info;
}

Status BlobStore::drop(const BlobInfo& info, WriteBatch& batch) const {
  const uint64_t chunks = (info.size + limits_.chunk_bytes - 1) / limits_.chunk_bytes;
  for (uint64_t i = 0; i < chunks; ++i) batch.erase(Column::Blobs, chunk_key(info.hash, i));
  batch.erase(Column::Blobs, info_key(info.hash));
  auto total = total_bytes();
  if (!total) return total.take_error();
  batch.put(Column::Blobs, kTotalKey, Writer().u64(total.value() - info.size).take());
  return Status::success();
}

Status BlobStore::discard(const Hash256& hash) {
  auto loaded = load(hash);
  if (!loaded) return loaded.take_error();
  if (!loaded.value()) return Status::success();
  if (loaded.value()->complete) return make_error("blob " + to_hex(hash) + " is sealed");
  WriteBatch batch;
  if (auto s = drop(*loaded.value(), batch); !s) return s;
  return kv_.write(batch);
}

Result<BlobInfo> BlobStore::info(const Hash256& hash) const {
  auto loaded = load(hash);
  if (!loaded) return loaded.take_error();
  if (!loaded.value()) return make_error("no blob " + to_hex(hash));
  return *loaded.value();
}

Result<Bytes> BlobStore::read(const Hash256& hash, uint64_t offset, uint64_t length) const {
  auto i = info(hash);
  if (!i) return i.take_error();
  if (!i->complete) return make_error("blob " + to_hex(hash) + " is still being uploaded");
  if (offset > i->size)
    return make_error("offset " + n(offset) + " is past the blob's size " + n(i->size));
  if (length > limits_.chunk_bytes)
    return make_error("length " + n(length) + " exceeds the chunk size " + n(limits_.chunk_bytes));
  length = std::min(length, i->size - offset);
  Bytes out;
  out.reserve(length);
  while (out.size() < length) {
    uint64_t pos = offset + out.size();
    uint64_t index = pos / limits_.chunk_bytes;
    auto c = kv_.get(Column::Blobs, chunk_key(hash, index));
    if (!c) return c.take_error();
    if (!c.value()) return make_error("blob chunk " + n(index) + " is missing");
    const Bytes& chunk = **c;
    uint64_t in_chunk = pos - index * limits_.chunk_bytes;
    uint64_t take = std::min<uint64_t>(length - out.size(), chunk.size() - in_chunk);
    out.insert(out.end(), chunk.begin() + static_cast<ptrdiff_t>(in_chunk),
               chunk.begin() + static_cast<ptrdiff_t>(in_chunk + take));
  }
  return out;
}

Result<Bytes> BlobStore::read_all(const Hash256& hash) const {
  auto i = info(hash);
  if (!i) return i.take_error();
  Bytes out;
  for (uint64_t off = 0; off < i->size; off += limits_.chunk_bytes) {
    auto part = read(hash, off, limits_.chunk_bytes);
    if (!part) return part.take_error();
    out.insert(out.end(), part->begin(), part->end());
  }
  return out;
}

}  // namespace vt::node
