#include "node/p2p/block_exchange.h"

#include "core/encoding.h"
#include "ledger/block_execution.h"
#include "ledger/state_access.h"
#include "node/chain_audit.h"

namespace vt::node::p2p {

Bytes encode_block_answer(uint64_t height, const std::optional<ledger::Block>& block,
                          const std::optional<Bytes>& cert) {
  Writer w;
  w.u64(height).boolean(block && cert);
  if (block && cert) {
    w.bytes(ledger::encode(*block)).bytes(*cert);
  }
  return w.take();
}

Result<BlockAnswer> decode_block_answer(ByteView payload, const ledger::Params& params,
                                        size_t max_validators) {
  Reader r(payload);
  BlockAnswer a;
  a.height = r.u64("block.height");
  const bool found = r.boolean("block.found");
  if (!r.ok()) return make_error("malformed block answer: " + r.error());
  if (!found) {
    if (auto s = r.finish(); !s) return make_error("malformed block answer: " + s.error());
    return a;
  }
  const Bytes raw_block = r.bytes("block.bytes", params.max_block_bytes);
  a.raw_cert = r.bytes("block.commit", 8 + 69 * max_validators);
  if (auto s = r.finish(); !s) return make_error("malformed block answer: " + s.error());
  auto block = ledger::decode_block(raw_block, params.max_block_bytes, params.max_block_txs,
                                    params.max_tx_bytes);
  if (!block) return make_error("block " + std::to_string(a.height) + ": " + block.error());
  auto cert = ledger::decode_commit_certificate(a.raw_cert, max_validators);
  if (!cert) return make_error("block " + std::to_string(a.height) + ": " + cert.error());
  a.block = std::move(block).value();
  a.cert = std::move(cert).value();
  return a;
}

Bytes encode_block_request(uint64_t height) {
  return Writer().u64(height).take();
}

Result<uint64_t> decode_block_request(ByteView payload) {
  Reader r(payload);
  const uint64_t h = r.u64("block_request.height");
  if (auto s = r.finish(); !s) return make_error("malformed block request: " + s.error());
  return h;
}

Result<SyncReport> sync_blocks(SecretStream& peer, ChainStore& chain,
                               const ledger::Genesis& genesis,
                               const ledger::DatasetSource* datasets, const MessageLimits& limits) {
  auto head = chain.head();
  if (!head) return head.take_error();
  if (!head.value()) return make_error("the store holds no genesis");
  ledger::StateStore state;
  if (auto s = chain.load_state(state); !s) return s.take_error();
  if (state.root() != head.value()->state_root)
    return make_error("the stored state does not match its head: the database is corrupt");
  SyncReport report;
  report.from_height = head.value()->height;
  ledger::ParentBlock parent{head.value()->height, head.value()->block_hash, head.value()->time_ms};
  const std::string from = "peer " + peer.peer().id + ": ";
  ledger::SignatureCache signatures(kReplaySignatureCacheSize);
  for (;;) {
    const uint64_t h = parent.height + 1;
    if (auto s = peer.send({MessageType::block_request, encode_block_request(h)}); !s)
      return make_error(from + s.error());
    // A node also gossips consensus messages and transactions to us; skip them
    // (a bounded number: a peer that never answers is dropped).
    auto m = peer.receive(limits);
    for (int skipped = 0; m && m->type != MessageType::block && skipped < 100'000; ++skipped) {
      if (m->type != MessageType::vote && m->type != MessageType::proposal &&
          m->type != MessageType::tx && m->type != MessageType::txs &&
          m->type != MessageType::peers && m->type != MessageType::evidence &&
          m->type != MessageType::block_request && m->type != MessageType::pong &&
          m->type != MessageType::ping)
        return make_error(from + "answered a block request with " + message_type_name(m->type));
      m = peer.receive(limits);
    }
    if (!m) return make_error(from + m.error());
    if (m->type != MessageType::block)
      return make_error(from + "sent gossip but never the block it was asked for");
    const ledger::Params params = ledger::read_params(state);
    auto set = ledger::validator_set_of(state);
    if (!set) return make_error("block " + std::to_string(h) + ": " + set.error());
    auto answer = decode_block_answer(m->payload, params, set->size());
    if (!answer) return make_error(from + answer.error());
    if (answer->height != h) return make_error(from + "answered for another height");
    if (!answer->block) break;  // the peer has nothing newer: caught up
    const ledger::Block& block = *answer->block;
    auto executed = check_committed_block(state, parent, block, answer->cert, *set,
                                          genesis.params.chain_id, datasets, &signatures);
    if (!executed)
      return make_error(from + "block " + std::to_string(h) + " refused: " + executed.error());
    if (auto s = chain.commit_block(block, answer->raw_cert, executed->result, state); !s)
      return make_error("cannot store block " + std::to_string(h) + ": " + s.error());
    parent = {h, ledger::block_hash(block.header), block.header.time_ms};
  }
  report.height = parent.height;
  report.state_root = state.root();
  return report;
}

}  // namespace vt::node::p2p
