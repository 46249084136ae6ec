// Blobs (checkpoints, models) fetched from peers on demand: a node asked over
// RPC for a blob it lacks asks its peers for it, one chunk at a time, and keeps
// it once the whole hashes to its name, so a verifier or client may use any
// node, not only the one the provider uploaded to. Blobs are content-addressed,
// so a peer can waste time but not plant bytes: what does not hash to the
// name is discarded and its sender punished. Nothing is pushed unasked.
// BlobFetcher is a state machine without I/O (the node sends what it returns);
// single-threaded, the node's io thread.
#pragma once

#include <chrono>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "core/bytes.h"
#include "core/result.h"
#include "node/blob_store.h"

namespace vt::node::p2p {

// blob_request payload: 32 hash | u64 offset (a multiple of kBlobChunkBytes).
Bytes encode_blob_request(const Hash256& hash, uint64_t offset);
struct BlobRequest {
  Hash256 hash{};
  uint64_t offset = 0;
};
Result<BlobRequest> decode_blob_request(ByteView payload);

// blob_chunk payload: 32 hash | u64 offset | u8 found | [u64 size | u32 length | bytes].
// found = 0: the peer holds no sealed blob of that hash.
struct BlobChunk {
  Hash256 hash{};
  uint64_t offset = 0;
  bool found = false;
  uint64_t size = 0;  // the whole blob's
  Bytes data;         // the chunk at offset: kBlobChunkBytes, the last one shorter
};
Bytes encode_blob_chunk(const BlobChunk& c);
// Refuses a chunk longer than kBlobChunkBytes, or one that does not fit the size.
Result<BlobChunk> decode_blob_chunk(ByteView payload);
// Largest blob_chunk payload.
inline constexpr uint32_t kMaxBlobChunkMessage = kBlobChunkBytes + 64;

// What a node answers to a blob_request: the chunk of a sealed blob, or not
// found. An error means the request itself was bad (offset not a chunk's
// start, or past the blob): the asking peer misbehaved.
Result<BlobChunk> answer_blob_request(const BlobStore& blobs, const BlobRequest& req);

// Fetches into `blobs`, which it does not own; an upload it began and could
// not finish is discarded.
class BlobFetcher {
 public:
  using Clock = std::chrono::steady_clock;
  explicit BlobFetcher(BlobStore& blobs) : blobs_(blobs) {}
  // A peer that has not answered a request in this long is skipped.
  static constexpr std::chrono::milliseconds kRequestTimeout{5000};
  // A blob no peer had is not asked for again for this long (RPC callers poll).
  static constexpr std::chrono::milliseconds kForgetFailure{30000};
  static constexpr size_t kMaxFetches = 8;

  struct Send {
    std::string peer;
    BlobRequest request;
  };
  struct Punish {
    std::string peer;
    std::string why;
  };
  // What the node must do after an event.
  struct Actions {
    std::vector<Send> sends;
    std::vector<Punish> punish;
  };

  enum class State { absent, fetching, failed };
  struct Status {
    State state = State::absent;
    uint64_t size = 0;      // fetching: 0 until a peer has said
    uint64_t received = 0;  // fetching: bytes stored so far
    std::string reason;     // failed: why
  };
  Status status(const Hash256& hash, Clock::time_point now) const;

  // Starts fetching `hash` from `peers` (tried in turn), unless it is being
  // fetched or failed lately. Refused with a reason when kMaxFetches run or
  // there is no peer to ask.
  [[nodiscard]] Result<Actions> start(const Hash256& hash, std::vector<std::string> peers,
                                      Clock::time_point now);
  // A blob_chunk from `from`: stored, then the next request, the next peer, or
  // the end (sealed, or failed with the reason). Chunks nobody asked for (late
  // answers) are ignored.
  Actions on_chunk(const std::string& from, const BlobChunk& chunk, Clock::time_point now);
  // Requests unanswered for kRequestTimeout move on to the next peer.
  Actions tick(Clock::time_point now);

 private:
  struct Fetch {
    std::vector<std::string> peers;
    size_t peer = 0;  // the one asked now
    uint64_t size = 0;
    bool began = false;   // this fetch began the upload in the store
    uint64_t offset = 0;  // the chunk asked for
    Clock::time_point asked{};
    std::map<std::string, uint64_t> served;  // bytes each peer sent
  };
  struct Failure {
    std::string reason;
    Clock::time_point at{};
  };
  // Asks the next peer from the same offset, or gives up.
  void next_peer(const Hash256& hash, Fetch& f, const std::string& why, Clock::time_point now,
                 Actions& out);
  void fail(const Hash256& hash, const std::string& why, Clock::time_point now);

  BlobStore& blobs_;
  std::map<Hash256, Fetch> fetches_;
  std::map<Hash256, Failure> failures_;
};

}  // namespace vt::node::p2p
