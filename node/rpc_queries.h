// What the JSON-RPC methods of several namespaces share: pages of listed
// records, the state a query reads (the head, or the stored history at a height,
// with proofs), and the block and job views. Used on the io thread only.
#pragma once

#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <type_traits>

#include "core/bech32m.h"
#include "ledger/block.h"
#include "ledger/objects.h"
#include "ledger/receipt.h"
#include "ledger/state.h"
#include "node/state_history.h"
#include "rpc/method_table.h"

namespace vt::node {

class Node;

// The vocabulary of the method files (node/rpc_<namespace>.cpp), which all include this.
using nlohmann::json;
using rpc::internal;
using rpc::invalid;
using rpc::not_found;
using rpc::ParamType;
using rpc::RpcError;
using rpc::RpcOutcome;

// One page of records in key order for the state_list* methods: `after`
// (exclusive) and `limit` (1 to 1000, default 100) come from the params. Key is
// Address (records by owner: `after` and `next` are vt1... addresses, `next` read
// from the item's "address") or uint64_t (jobs, disputes, slashes: ids, "id").
template <class Key>
class Page {
 public:
  static Result<Page> from(const rpc::Params& p) {
    Page page;
    page.limit_ = p.u64_or("limit", 100);
    if (page.limit_ == 0 || page.limit_ > 1000) return make_error("limit: must be 1 to 1000");
    if (!p.has("after")) return page;
    if constexpr (std::is_same_v<Key, Address>) {
      auto a = address_from_string(p.str("after"));
      if (!a) return make_error("after: " + a.error());
      page.after_ = a.value();
    } else {
      page.after_ = p.u64("after");
    }
    return page;
  }
  // Offers the next record in key order; false once the page is full.
  bool offer(const Key& key, nlohmann::json item) {
    if (after_ && key <= *after_) return true;
    if (list_.size() == limit_) {
      next_ = list_.back()[std::is_same_v<Key, Address> ? "address" : "id"];
      return false;
    }
    list_.push_back(std::move(item));
    return true;
  }
  nlohmann::json result(const char* field) const { return {{field, list_}, {"next", next_}}; }

 private:
  std::optional<Key> after_;
  uint64_t limit_ = 100;
  nlohmann::json list_ = nlohmann::json::array();
  nlohmann::json next_ = nullptr;
};
using AddressPage = Page<Address>;
using IdPage = Page<uint64_t>;

// A block with its transactions (or only their hashes), evidence, parent's
// signers and begin-block events.
nlohmann::json block_json(const ledger::Block& b,
                          const std::optional<std::vector<ledger::Event>>& events,
                          bool tx_hashes_only = false);
nlohmann::json verifier_json(const ledger::Verifier& v);
// A job with its spec document and proof-of-learning record, for state_getJob:
// `state` is the state after block `height`, `head` the head's (ledger::pol_view
// reads the job's slashes there).
nlohmann::json job_json(const ledger::StateReader& state, uint64_t height,
                        const ledger::StateReader& head, const ledger::Job& j);

// The state a query reads: the head's in memory, or, with a `height` or a
// proof asked for, the stored history at that height, which can prove its reads.
struct StateView {
  uint64_t height = 0;
  Hash256 root{};
  std::unique_ptr<HistoricalState> history;  // null: the head in memory
  const ledger::StateReader* reader = nullptr;
  bool at_head() const { return history == nullptr; }
};

extern const rpc::ParamSpec kHeightParam;
extern const rpc::ParamSpec kProveParam;
extern const nlohmann::json kProofSchema;

// Opens the view that p's `height` and `prove` ask for; an error when it cannot be served.
std::optional<rpc::RpcError> open_state_view(const Node& node, const rpc::Params& p,
                                             StateView& view);
// The proof of `key` in view (which must read history), as JSON; null unless asked.
rpc::RpcOutcome proof_json(const StateView& view, const rpc::Params& p, ByteView key);
// An error when this node keeps no transaction index.
std::optional<rpc::RpcError> need_tx_index(const Node& node);
// A history read that failed in the store must not pass for an absent object.
std::optional<rpc::RpcError> history_error(const StateView& view);

}  // namespace vt::node
