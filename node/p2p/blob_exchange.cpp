#include "node/p2p/blob_exchange.h"

#include <algorithm>

#include "core/encoding.h"

namespace vt::node::p2p {

Bytes encode_blob_request(const Hash256& hash, uint64_t offset) {
  return Writer().fixed(hash).u64(offset).take();
}

Result<BlobRequest> decode_blob_request(ByteView payload) {
  Reader r(payload);
  BlobRequest req;
  req.hash = r.fixed<32>("blob_request.hash");
  req.offset = r.u64("blob_request.offset");
  if (auto s = r.finish(); !s) return s.take_error();
  if (req.offset % kBlobChunkBytes != 0)
    return make_error("blob_request.offset: not the start of a chunk");
  return req;
}

Bytes encode_blob_chunk(const BlobChunk& c) {
  Writer w;
  w.fixed(c.hash).u64(c.offset).boolean(c.found);
  if (c.found) w.u64(c.size).bytes(c.data);
  return w.take();
}

Result<BlobChunk> decode_blob_chunk(ByteView payload) {
  Reader r(payload);
  BlobChunk c;
  c.hash = r.fixed<32>("blob_chunk.hash");
  c.offset = r.u64("blob_chunk.offset");
  c.found = r.boolean("blob_chunk.found");
  if (c.found) {
    c.size = r.u64("blob_chunk.size");
    c.data = r.bytes("blob_chunk.data", kBlobChunkBytes);
  }
  if (auto s = r.finish(); !s) return s.take_error();
  if (c.found && (c.data.empty() || c.offset >= c.size || c.data.size() > c.size - c.offset))
    return make_error("blob_chunk: the chunk does not fit the blob's size");
  return c;
}

Result<BlobChunk> answer_blob_request(const BlobStore& blobs, const BlobRequest& req) {
  BlobChunk out;
  out.hash = req.hash;
  out.offset = req.offset;
  auto info = blobs.info(req.hash);
  if (!info || !info.value().complete) return out;  // not found (or not yet sealed here)
  if (req.offset >= info.value().size)
    return make_error("blob_request.offset " + std::to_string(req.offset) +
                      " is past the blob's size " + std::to_string(info.value().size));
  auto data = blobs.read(req.hash, req.offset, blobs.limits().chunk_bytes);
  if (!data) return out;  // a store error is ours, not the peer's: answer not found
  out.found = true;
  out.size = info.value().size;
  out.data = std::move(data).value();
  return out;
}

BlobFetcher::Status BlobFetcher::status(const Hash256& hash, Clock::time_point now) const {
  if (auto f = fetches_.find(hash); f != fetches_.end())
    return {State::fetching, f->second.size, f->second.offset, {}};
  if (auto x = failures_.find(hash); x != failures_.end() && now - x->second.at < kForgetFailure)
    return {State::failed, 0, 0, x->second.reason};
  return {};
}

Result<BlobFetcher::Actions> BlobFetcher::start(const Hash256& hash, std::vector<std::string> peers,
                                                Clock::time_point now) {
  const Status s = status(hash, now);
  if (s.state == State::fetching) return Actions{};
  if (s.state == State::failed) return make_error(s.reason);
  failures_.erase(hash);
  if (peers.empty()) return make_error("this node has no peers to fetch it from");
  if (fetches_.size() >= kMaxFetches)
    return make_error(std::to_string(kMaxFetches) +
                      " blobs are being fetched from peers already; ask again later");
  Fetch& f = fetches_[hash];
  f.peers = std::move(peers);
  f.asked = now;
  Actions out;
  out.sends.push_back({f.peers.front(), {hash, 0}});
  return out;
}

void BlobFetcher::fail(const Hash256& hash, const std::string& why, Clock::time_point now) {
  if (auto f = fetches_.find(hash); f != fetches_.end() && f->second.began)
    (void)blobs_.discard(hash);  // a store error leaves a partial upload behind, no more
  fetches_.erase(hash);
  failures_[hash] = {why, now};
  // Forget old failures so the map stays small.
  for (auto it = failures_.begin(); it != failures_.end();)
    it = now - it->second.at >= kForgetFailure ? failures_.erase(it) : std::next(it);
}

void BlobFetcher::next_peer(const Hash256& hash, Fetch& f, const std::string& why,
                            Clock::time_point now, Actions& out) {
  if (++f.peer >= f.peers.size()) {
    fail(hash,
         "none of this node's " + std::to_string(f.peers.size()) + " peers has it (last: " + why +
             ")",
         now);
    return;
  }
  f.asked = now;
  out.sends.push_back({f.peers[f.peer], {hash, f.offset}});
}

BlobFetcher::Actions BlobFetcher::on_chunk(const std::string& from, const BlobChunk& chunk,
                                           Clock::time_point now) {
  Actions out;
  auto it = fetches_.find(chunk.hash);
  if (it == fetches_.end()) return out;  // nobody asked, or a late answer
  Fetch& f = it->second;
  if (from != f.peers[f.peer] || chunk.offset != f.offset) return out;
  const Hash256 hash = chunk.hash;
  if (!chunk.found) {
    next_peer(hash, f, from + " does not have it", now, out);
    return out;
  }
  auto misbehaved = [&](const std::string& why) {
    out.punish.push_back({from, why});
    next_peer(hash, f, from + " " + why, now, out);
    return out;
  };
  if (f.size != 0 && chunk.size != f.size)
    return misbehaved("changed the size of blob " + to_hex(hash));
  if (chunk.size > blobs_.limits().max_blob_bytes)
    return misbehaved("offered a blob above this node's limit");
  const uint64_t expected = std::min<uint64_t>(blobs_.limits().chunk_bytes, chunk.size - f.offset);
  if (chunk.data.size() != expected) return misbehaved("sent a chunk of the wrong length");
  if (f.size == 0) {
    f.began = !blobs_.info(hash).ok();  // no upload of it yet: this fetch begins one
    auto begun = blobs_.begin(hash, chunk.size);
    if (!begun) {
      fail(hash, "cannot store it: " + begun.error(), now);
      return out;
    }
    f.size = chunk.size;
  }
  auto stored = blobs_.put_chunk(hash, f.offset, chunk.data);
  if (!stored) {
    fail(hash, "cannot store it: " + stored.error(), now);
    return out;
  }
  if (stored.value().complete) {  // sealed meanwhile (an upload over RPC)
    fetches_.erase(it);
    return out;
  }
  f.served[from] += chunk.data.size();
  f.offset += chunk.data.size();
  if (f.offset < f.size) {
    f.asked = now;
    out.sends.push_back({from, {hash, f.offset}});
    return out;
  }
  auto sealed = blobs_.seal(hash);  // discards the bytes when they do not hash to the name
  if (!sealed) {
    f.began = false;  // nothing left to discard
    // Only a peer that sent every byte is known to have lied.
    if (f.served.size() == 1)
      out.punish.push_back({from, "sent a blob that is not " + to_hex(hash)});
    fail(hash, "the bytes its peers sent do not hash to its name: " + sealed.error(), now);
    return out;
  }
  fetches_.erase(it);
  return out;
}

BlobFetcher::Actions BlobFetcher::tick(Clock::time_point now) {
  Actions out;
  std::vector<Hash256> late;
  for (const auto& [hash, f] : fetches_)
    if (now - f.asked >= kRequestTimeout) late.push_back(hash);
  for (const Hash256& hash : late) {
    Fetch& f = fetches_.at(hash);
    next_peer(hash, f, f.peers[f.peer] + " did not answer in time", now, out);
  }
  return out;
}

}  // namespace vt::node::p2p
