// Block sync over the peer channel: the block request and answer messages
// (a running node answers requests on its own thread, node.cpp), and the
// syncing side (sync_blocks, used by `veritraind sync`), which asks for each
// next height, checks the block with ledger::check_block and its certificate
// with verify_commit, exactly as `verify-chain` does, and only then commits it.
// A peer that sends anything else, or a block that does not check, ends the
// sync with the reason. Pure functions of their arguments and one stream;
// single-threaded.
#pragma once

#include <cstdint>
#include <optional>

#include "consensus/validator_set.h"
#include "core/keys.h"
#include "core/result.h"
#include "ledger/executor.h"
#include "ledger/genesis.h"
#include "node/chain_audit.h"
#include "node/chain_store.h"
#include "node/p2p/secret_stream.h"

namespace vt::node::p2p {

// block_request payload: u64 height. block payload: u64 height | u8 found |
// [u32 length | block | u32 length | commit certificate].
Bytes encode_block_request(uint64_t height);
// found = block and cert both present.
Bytes encode_block_answer(uint64_t height, const std::optional<ledger::Block>& block,
                          const std::optional<Bytes>& cert);
Result<uint64_t> decode_block_request(ByteView payload);

struct BlockAnswer {
  uint64_t height = 0;
  std::optional<ledger::Block> block;  // absent: the peer holds no block at that height
  Bytes raw_cert;                      // as stored beside the block
  ledger::CommitCertificate cert;
};
// Decodes (does not check) an answer; sizes are bounded by the chain's params.
Result<BlockAnswer> decode_block_answer(ByteView payload, const ledger::Params& params,
                                        size_t max_validators);

struct SyncReport {
  uint64_t from_height = 0;  // the store's head before
  uint64_t height = 0;       // and after
  Hash256 state_root{};
};
// Pulls blocks from `peer` until it has no next one. `chain` must hold this
// genesis (ChainStore::init_genesis); its state is loaded and extended.
// Each block's commit is checked against the validator set of its height
// (validator_set_of the state before it).
Result<SyncReport> sync_blocks(SecretStream& peer, ChainStore& chain,
                               const ledger::Genesis& genesis,
                               const ledger::DatasetSource* datasets, const MessageLimits& limits);

}  // namespace vt::node::p2p
