// Blobs fetched from peers (node/p2p/blob_exchange.h): the wire messages, the
// answering side, and the fetcher against honest, absent, silent and lying
// peers, each played by a real BlobStore on a memory store.
#include "node/p2p/blob_exchange.h"

#include <doctest/doctest.h>

#include "core/sha256.h"
#include "node/p2p/secret_stream.h"

namespace vt::node::p2p {
namespace {

using Clock = BlobFetcher::Clock;

Bytes pattern(size_t n, uint8_t seed) {
  Bytes b(n);
  for (size_t i = 0; i < n; ++i) b[i] = static_cast<uint8_t>(seed + i * 7 + (i >> 9));
  return b;
}

// A node's blob store holding (or not) sealed blobs.
struct Peer {
  std::unique_ptr<KvStore> kv = make_memory_store();
  BlobStore blobs{*kv, BlobLimits{}};
  void hold(const Bytes& data) {
    const Hash256 h = sha256(data);
    REQUIRE(blobs.begin(h, data.size()).ok());
    for (size_t off = 0; off < data.size(); off += kBlobChunkBytes) {
      const size_t len = std::min<size_t>(kBlobChunkBytes, data.size() - off);
      REQUIRE(blobs.put_chunk(h, off, ByteView(data).subspan(off, len)).ok());
    }
    REQUIRE(blobs.seal(h).ok());
  }
  // The answer this peer sends to a request, through the wire encoding.
  BlobChunk answer(const BlobRequest& req) {
    auto a = answer_blob_request(
        blobs, decode_blob_request(encode_blob_request(req.hash, req.offset)).value());
    REQUIRE(a.ok());
    return decode_blob_chunk(encode_blob_chunk(a.value())).value();
  }
};

// Plays the fetcher's requests against `peers` by name until nothing is asked;
// returns every punishment.
std::vector<BlobFetcher::Punish> run(BlobFetcher& f, BlobFetcher::Actions a,
                                     std::map<std::string, Peer*> peers, Clock::time_point now,
                                     const std::function<BlobChunk(BlobChunk)>& tamper = nullptr) {
  std::vector<BlobFetcher::Punish> punished;
  while (!a.sends.empty()) {
    BlobFetcher::Actions next;
    for (const auto& s : a.sends) {
      BlobChunk c = peers.at(s.peer)->answer(s.request);
      if (tamper) c = tamper(c);
      auto more = f.on_chunk(s.peer, c, now);
      next.sends.insert(next.sends.end(), more.sends.begin(), more.sends.end());
      punished.insert(punished.end(), more.punish.begin(), more.punish.end());
    }
    a = std::move(next);
  }
  return punished;
}

TEST_CASE("blob exchange: the wire messages round-trip and refuse what does not fit") {
  const Hash256 h = sha256(Bytes{1, 2, 3});
  auto req = decode_blob_request(encode_blob_request(h, 2 * kBlobChunkBytes));
  REQUIRE(req.ok());
  CHECK(req->hash == h);
  CHECK(req->offset == 2 * kBlobChunkBytes);
  CHECK(decode_blob_request(encode_blob_request(h, 5)).error().find("not the start of a chunk") !=
        std::string::npos);
  Bytes trailing = encode_blob_request(h, 0);
  trailing.push_back(0);
  CHECK_FALSE(decode_blob_request(trailing).ok());

  BlobChunk c{h, 0, true, 10, Bytes(10, 7)};
  CHECK(decode_blob_chunk(encode_blob_chunk(c)).value().data == c.data);
  BlobChunk missing{h, 0, false, 0, {}};
  CHECK_FALSE(decode_blob_chunk(encode_blob_chunk(missing)).value().found);
  BlobChunk past = c;
  past.size = 5;  // ten bytes of a five-byte blob
  CHECK(decode_blob_chunk(encode_blob_chunk(past)).error().find("does not fit") !=
        std::string::npos);
  BlobChunk big{h, 0, true, 1u << 30, Bytes(kBlobChunkBytes + 1, 1)};
  CHECK_FALSE(decode_blob_chunk(encode_blob_chunk(big)).ok());
  // The peer channel's own limit for the type holds a whole chunk, no more.
  MessageLimits limits{1 << 20, 1 << 16, 4};
  BlobChunk full{h, 0, true, 1u << 30, Bytes(kBlobChunkBytes, 1)};
  CHECK(decode_message(encode(Message{MessageType::blob_chunk, encode_blob_chunk(full)}), limits)
            .ok());
  CHECK_FALSE(
      decode_message(encode(Message{MessageType::blob_request, Bytes(41, 0)}), limits).ok());
}

TEST_CASE("blob exchange: a node answers with its sealed blobs only, and refuses bad offsets") {
  Peer a;
  const Bytes data = pattern(kBlobChunkBytes + 100, 3);
  a.hold(data);
  const Hash256 h = sha256(data);
  BlobChunk second = a.answer({h, kBlobChunkBytes});
  CHECK(second.found);
  CHECK(second.size == data.size());
  CHECK(second.data == Bytes(data.begin() + kBlobChunkBytes, data.end()));
  CHECK_FALSE(a.answer({sha256(Bytes{9}), 0}).found);
  CHECK(answer_blob_request(a.blobs, {h, 2 * kBlobChunkBytes}).error().find("past the blob") !=
        std::string::npos);
  // An upload still in progress is not served.
  const Bytes partial = pattern(100, 5);
  REQUIRE(a.blobs.begin(sha256(partial), partial.size()).ok());
  CHECK_FALSE(a.answer({sha256(partial), 0}).found);
}

TEST_CASE("blob exchange: fetched from the peer that has it, past those that do not") {
  Peer empty, holder, me;
  const Bytes data = pattern(2 * kBlobChunkBytes + 12345, 11);  // three chunks
  holder.hold(data);
  const Hash256 h = sha256(data);
  BlobFetcher f(me.blobs);
  const auto now = Clock::now();
  auto started = f.start(h, {"empty", "holder"}, now);
  REQUIRE(started.ok());
  CHECK(f.status(h, now).state == BlobFetcher::State::fetching);
  CHECK(run(f, started.value(), {{"empty", &empty}, {"holder", &holder}}, now).empty());
  CHECK(me.blobs.info(h).value().complete);
  CHECK(me.blobs.read_all(h).value() == data);
  CHECK(f.status(h, now).state == BlobFetcher::State::absent);  // done: the store has it
}

TEST_CASE("blob exchange: a peer that lies is punished and its bytes are not kept") {
  Peer liar, me;
  const Bytes data = pattern(kBlobChunkBytes + 10, 21);
  liar.hold(data);
  const Hash256 h = sha256(data);
  BlobFetcher f(me.blobs);
  const auto now = Clock::now();
  // Flips one byte of each chunk: the whole does not hash to the name.
  auto flip = [](BlobChunk c) {
    if (c.found) c.data[0] ^= 1;
    return c;
  };
  auto punished = run(f, f.start(h, {"liar"}, now).value(), {{"liar", &liar}}, now, flip);
  REQUIRE(punished.size() == 1);
  CHECK(punished[0].peer == "liar");
  CHECK(punished[0].why.find("not " + to_hex(h)) != std::string::npos);
  CHECK_FALSE(me.blobs.info(h).ok());  // discarded, its space given back
  const auto s = f.status(h, now);
  CHECK(s.state == BlobFetcher::State::failed);
  CHECK(s.reason.find("do not hash to its name") != std::string::npos);
  // Remembered for a while: asked again, it is refused without asking peers.
  CHECK_FALSE(f.start(h, {"liar"}, now + std::chrono::seconds(1)).ok());
  CHECK(f.start(h, {"liar"}, now + BlobFetcher::kForgetFailure).ok());

  // A chunk of the wrong length is the sender's fault at once.
  BlobFetcher g(me.blobs);
  auto shorten = [](BlobChunk c) {
    if (c.found) c.data.pop_back();
    return c;
  };
  punished = run(g, g.start(h, {"liar"}, now).value(), {{"liar", &liar}}, now, shorten);
  REQUIRE(punished.size() == 1);
  CHECK(punished[0].why.find("wrong length") != std::string::npos);
  CHECK(g.status(h, now).state == BlobFetcher::State::failed);
}

TEST_CASE("blob exchange: a silent peer is skipped after the timeout; no peer, or too many") {
  Peer holder, me;
  const Bytes data = pattern(1000, 31);
  holder.hold(data);
  const Hash256 h = sha256(data);
  BlobFetcher f(me.blobs);
  const auto now = Clock::now();
  auto first = f.start(h, {"silent", "holder"}, now).value();
  REQUIRE(first.sends.size() == 1);
  CHECK(first.sends[0].peer == "silent");
  CHECK(f.tick(now + std::chrono::seconds(1)).sends.empty());  // not late yet
  auto moved = f.tick(now + BlobFetcher::kRequestTimeout);
  REQUIRE(moved.sends.size() == 1);
  CHECK(moved.sends[0].peer == "holder");
  // The silent peer's late answer is ignored.
  CHECK(f.on_chunk("silent", holder.answer({h, 0}), now).sends.empty());
  run(f, moved, {{"holder", &holder}}, now);
  CHECK(me.blobs.read_all(h).value() == data);

  BlobFetcher g(me.blobs);
  CHECK(g.start(sha256(Bytes{1}), {}, now).error().find("no peers") != std::string::npos);
  for (uint8_t i = 0; i < BlobFetcher::kMaxFetches; ++i)
    REQUIRE(g.start(sha256(Bytes{2, i}), {"p"}, now).ok());
  CHECK(g.start(sha256(Bytes{3}), {"p"}, now).error().find("ask again later") != std::string::npos);
  // Nobody has it: failed with the reason.
  BlobFetcher k(me.blobs);
  const Hash256 nowhere = sha256(Bytes{4});
  REQUIRE(k.start(nowhere, {"a"}, now).ok());
  k.on_chunk("a", BlobChunk{nowhere, 0, false, 0, {}}, now);
  CHECK(k.status(nowhere, now).reason.find("none of this node's 1 peers has it") !=
        std::string::npos);
  // The only peer goes silent halfway: the half-fetched upload is dropped.
  const Bytes two = pattern(kBlobChunkBytes + 1, 41);
  holder.hold(two);
  const Hash256 h2 = sha256(two);
  auto ask = k.start(h2, {"holder"}, now).value();
  auto more = k.on_chunk("holder", holder.answer(ask.sends.at(0).request), now);
  REQUIRE(more.sends.size() == 1);  // the second chunk, never answered
  CHECK(me.blobs.info(h2).value().received == kBlobChunkBytes);
  CHECK(k.tick(now + BlobFetcher::kRequestTimeout).sends.empty());
  CHECK(k.status(h2, now).state == BlobFetcher::State::failed);
  CHECK_FALSE(me.blobs.info(h2).ok());
}

}  // namespace
}  // namespace vt::node::p2p
