#include "node/blob_store.h"

#include <doctest/doctest.h>

#include "core/sha256.h"
#include "tests/node/test_chain.h"

using namespace vt;

namespace {

Bytes pattern(size_t n) {
  Bytes b(n);
  for (size_t i = 0; i < n; ++i) b[i] = static_cast<uint8_t>(i * 7 + i / 251);
  return b;
}

node::BlobLimits small_limits() {
  node::BlobLimits l;
  l.chunk_bytes = 1000;
  l.max_blob_bytes = 10'000;
  l.max_total_bytes = 15'000;
  return l;
}

// Uploads `data` announced as `hash`, chunks in reverse order (any order is allowed).
Result<node::BlobInfo> upload(node::BlobStore& s, const Hash256& hash, const Bytes& data) {
  auto b = s.begin(hash, data.size());
  if (!b) return b;
  size_t chunk = s.limits().chunk_bytes;
  size_t chunks = (data.size() + chunk - 1) / chunk;
  for (size_t i = chunks; i-- > 0;) {
    size_t len = std::min(chunk, data.size() - i * chunk);
    auto r = s.put_chunk(hash, i * chunk, ByteView(data.data() + i * chunk, len));
    if (!r) return r;
  }
  return s.seal(hash);
}

}  // namespace

TEST_CASE("blobs: upload in chunks, seal, read back any range") {
  auto kv = node::make_memory_store();
  node::BlobStore s(*kv, small_limits());
  Bytes data = pattern(4321);
  Hash256 h = sha256(data);
  auto sealed = upload(s, h, data);
  REQUIRE_MESSAGE(sealed.ok(), sealed.error());
  CHECK(sealed->complete);
  CHECK(sealed->size == 4321);
  CHECK(s.read_all(h).value() == data);
  auto mid = s.read(h, 990, 20).value();  // across a chunk boundary
  CHECK(mid == Bytes(data.begin() + 990, data.begin() + 1010));
  CHECK(s.read(h, 4300, 1000).value().size() == 21);  // clipped at the end
  CHECK(s.read(h, 0, 1001).error().find("exceeds the chunk size") != std::string::npos);
  CHECK(s.read(h, 5000, 1).error().find("past the blob's size") != std::string::npos);
  // Sealing or re-sending after completion changes nothing.
  CHECK(s.seal(h).value().complete);
  CHECK(s.put_chunk(h, 0, ByteView(data.data(), 1000)).value().complete);
}

TEST_CASE("blobs: a wrong upload is refused with a reason and discarded whole") {
  auto kv = node::make_memory_store();
  node::BlobStore s(*kv, small_limits());
  Bytes data = pattern(2500);
  Hash256 h = sha256(data);
  REQUIRE(s.begin(h, data.size()).ok());
  CHECK(s.begin(h, 2501).error().find("already being stored with size 2500") != std::string::npos);
  CHECK(s.put_chunk(h, 500, ByteView(data.data(), 1000)).error().find("not a multiple") !=
        std::string::npos);
  CHECK(s.put_chunk(h, 0, ByteView(data.data(), 999)).error().find("must be 1000 bytes") !=
        std::string::npos);
  CHECK(s.put_chunk(h, 3000, ByteView(data.data(), 1)).error().find("past the blob's size") !=
        std::string::npos);
  CHECK(s.seal(h).error().find("incomplete") != std::string::npos);
  CHECK(s.read(h, 0, 10).error().find("still being uploaded") != std::string::npos);

  Bytes forged = data;
  forged[1234] ^= 1;
  auto r = upload(s, h, forged);
  REQUIRE_FALSE(r.ok());
  CHECK(r.error().find("does not match its SHA-256") != std::string::npos);
  CHECK(s.info(h).error().find("no blob") != std::string::npos);
  // Its space is given back: the honest upload fits afterwards.
  REQUIRE(upload(s, h, data).ok());
}

TEST_CASE("blobs: size limits and the total quota") {
  auto kv = node::make_memory_store();
  node::BlobStore s(*kv, small_limits());
  CHECK(s.begin(Hash256{1}, 0).error() == "blob size must be positive");
  CHECK(s.begin(Hash256{1}, 10'001).error().find("exceeds the limit") != std::string::npos);
  REQUIRE(s.begin(Hash256{1}, 10'000).ok());
  CHECK(s.begin(Hash256{2}, 6'000).error().find("blob storage is full") != std::string::npos);
  CHECK(s.begin(Hash256{2}, 5'000).ok());
  CHECK(s.put_chunk(Hash256{3}, 0, {}).error().find("was begun") != std::string::npos);
}

TEST_CASE("blobs survive a reopen of the RocksDB store") {
  test::TempDir dir;
  Bytes data = pattern(3000);
  Hash256 h = sha256(data);
  {
    auto kv = node::open_rocksdb(dir.path.string());
    REQUIRE(kv.ok());
    node::BlobStore s(*kv.value(), small_limits());
    REQUIRE(upload(s, h, data).ok());
  }
  auto kv = node::open_rocksdb(dir.path.string());
  REQUIRE(kv.ok());
  node::BlobStore s(*kv.value(), small_limits());
  CHECK(s.read_all(h).value() == data);
}
