// Four validators in one process: real consensus engines over a seeded,
// delaying, dropping in-memory bus, and real blocks: each proposer builds with
// ledger::build_block (its own VRF key proving the block's randomness), every
// validator runs ledger::check_block on each proposal before it votes and on
// each commit before it applies it, and each commit carries real Ed25519
// precommit signatures checked by verify_commit. Each block carries the
// previous one's precommits (its last commit), and each height's validator set
// comes from the state after the one before. All four end with the same
// chain and state root. A proposer that lies about its block's state root
// gets nil prevotes: its block is never committed and the chain goes on. A
// validator that double-signs is caught: the honest engines see its two votes
// (or the honest nodes its two proposals for one round), the evidence goes into
// a block, and every node's state slashes and jails it.
#include <doctest/doctest.h>

#include <algorithm>
#include <map>
#include <memory>
#include <optional>
#include <queue>
#include <set>
#include <tuple>
#include <variant>

#include "consensus/engine.h"
#include "ledger/block_execution.h"
#include "ledger/randomness.h"
#include "ledger/state_access.h"
#include "node/chain_audit.h"
#include "tests/node/test_chain.h"

using namespace vt;

namespace {

constexpr uint32_t kValidators = 4;
constexpr uint64_t kPower = 1000;  // each validator's stake

Ed25519Key validator(uint32_t i) {
  std::array<uint8_t, 32> seed{};
  seed.fill(static_cast<uint8_t>(0x50 + i));
  return Ed25519Key::from_seed(seed);
}

ledger::Genesis four_validator_genesis() {
  ledger::Genesis g = test::test_genesis();
  g.validators.clear();
  for (uint32_t i = 0; i < kValidators; ++i)
    g.validators.push_back(
        {validator(i).pubkey(), test::account_key(static_cast<uint8_t>(1 + i)).pubkey(), kPower,
         false, false, vrf_public_key(vrf_secret_from_seed(validator(i).seed())).value()});
  return g;
}

struct ProposalMsg {
  consensus::Proposal proposal;
  ledger::Block block;
  Ed25519Sig sig{};
};
struct VoteMsg {
  consensus::Vote vote;
  Ed25519Sig sig{};
};
using Message = std::variant<ProposalMsg, VoteMsg>;

class Network {
 public:
  // liar: proposes blocks with a wrong state root; double_signer: with each
  // prevote for a block also signs a nil prevote; double_proposer: with each
  // proposal also signs one for another block (kValidators: nobody).
  Network(uint64_t seed, uint32_t liar, uint32_t double_signer = kValidators,
          uint32_t double_proposer = kValidators)
      : rng_(seed),
        liar_(liar),
        double_signer_(double_signer),
        double_proposer_(double_proposer),
        genesis_(four_validator_genesis()) {
    for (uint32_t i = 0; i < kValidators; ++i) {
      nodes_.push_back(std::make_unique<Node>(config_, validator(i)));
      Node& n = *nodes_.back();
      const auto changes = ledger::genesis_changes(genesis_);
      n.state.apply(changes);
      n.parent = {0, ledger::genesis_hash(genesis_, n.state.root()), genesis_.genesis_time_ms};
      n.set.emplace(ledger::validator_set_of(n.state).value());
    }
  }

  void run(uint64_t heights, uint64_t max_ms) {
    for (uint32_t i = 0; i < kValidators; ++i)
      act(i, nodes_[i]->engine.start_height(1, *nodes_[i]->set));
    while (!queue_.empty() && now_ <= max_ms) {
      bool done = true;
      for (const auto& n : nodes_) done = done && n->parent.height >= heights;
      if (done) return;
      Event e = queue_.top();
      queue_.pop();
      now_ = e.time;
      step(e);
    }
  }

  const ledger::ParentBlock& head(uint32_t i) const { return nodes_[i]->parent; }
  // Node i's committed block and state root at `height`.
  std::pair<consensus::BlockId, Hash256> at(uint32_t i, uint64_t height) const {
    return nodes_[i]->history.at(height);
  }
  const ledger::StateStore& state(uint32_t i) const { return nodes_[i]->state; }
  const std::vector<std::string>& problems() const { return problems_; }
  uint64_t evidence_found() const { return evidence_found_; }
  uint64_t refused_proposals() const { return refused_; }
  uint64_t lies_told() const { return lies_; }
  std::map<uint64_t, Ed25519Pubkey> proposers;  // committed height -> proposer

 private:
  struct Node {
    Node(const consensus::EngineConfig& c, Ed25519Key k)
        : engine(c, k.pubkey()), key(std::move(k)), vrf(vrf_secret_from_seed(key.seed())) {}
    consensus::Engine engine;
    Ed25519Key key;
    VrfSecretKey vrf;
    ledger::StateStore state;
    ledger::ParentBlock parent;
    std::map<consensus::BlockId, ledger::Block> blocks;
    std::map<uint64_t, std::pair<consensus::BlockId, Hash256>> history;  // height -> (block, root)
    // (height, round, validator) -> the precommit signature this node verified
    std::map<std::tuple<uint64_t, uint32_t, uint32_t>, Ed25519Sig> precommit_sigs;
    // Every vote signature verified at the current height, by (round, type, validator, value).
    std::map<std::tuple<uint32_t, uint8_t, uint32_t, std::optional<consensus::BlockId>>, Ed25519Sig>
        vote_sigs;
    std::optional<consensus::ValidatorSet> set;            // of the height being decided
    ledger::CommitCertificate last_commit;                 // the parent's precommits, all signed
    std::vector<ledger::Evidence> evidence;                // for the next block this node proposes
    std::map<uint32_t, ledger::SignedProposal> proposals;  // this height's first, by round
  };
  struct Deliver {
    Message m;
  };
  struct Timer {
    consensus::Timeout t;
  };
  struct Next {
    uint64_t height;
  };
  struct Event {
    uint64_t time, seq;
    uint32_t node;
    std::variant<Deliver, Timer, Next> what;
    bool operator>(const Event& o) const { return time != o.time ? time > o.time : seq > o.seq; }
  };

  uint64_t below(uint64_t n) {  // splitmix64
    uint64_t z = (rng_ += 0x9E3779B97F4A7C15ull);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return (z ^ (z >> 31)) % n;
  }
  void push(uint64_t at, uint32_t node, std::variant<Deliver, Timer, Next> what) {
    queue_.push({at, seq_++, node, std::move(what)});
  }
  void broadcast(uint32_t from, const Message& m) {
    for (uint32_t to = 0; to < kValidators; ++to) {
      // Late, never lost: a dropped copy is re-gossiped later.
      const uint64_t delay = 1 + below(30) + (below(10) == 0 ? 200 + below(300) : 0);
      push(now_ + (to == from ? 0 : delay), to, Deliver{m});
    }
  }

  void act(uint32_t i, const consensus::Actions& actions) {
    Node& n = *nodes_[i];
    for (const consensus::Action& a : actions) {
      if (auto* b = std::get_if<consensus::BuildBlock>(&a)) {
        ledger::BlockProposal p;
        p.proposer = n.key.pubkey();
        p.vrf_proof = vrf_prove(n.vrf, ledger::vrf_alpha(genesis_.params.chain_id, b->height,
                                                         ledger::read_randomness(n.state)))
                          .value();
        p.time_ms = std::max(n.parent.time_ms + 1, genesis_.genesis_time_ms + now_);
        p.max_bytes = 1 << 19;
        if (b->height <= transfers_) p.candidates.push_back(transfer(b->height));
        p.last_commit = n.last_commit;
        p.evidence = n.evidence;
        // Built on the node's state and taken back out at once: the state
        // moves only when a block is committed.
        auto built = ledger::build_block(n.state, n.parent, nullptr, std::move(p));
        if (!built) {
          problems_.push_back("node " + std::to_string(i) + " cannot build: " + built.error());
          continue;
        }
        n.state.apply(built->undo);
        ledger::Block block = built->block;
        if (i == liar_) {  // claims another state root: the block is not what executing gives
          block.header.state_root[0] ^= 1;
          ++lies_;
        }
        const consensus::BlockId id = ledger::block_hash(block.header);
        n.blocks[id] = block;
        act(i, n.engine.on_block_built(b->height, b->round, id));
      } else if (auto* bp = std::get_if<consensus::BroadcastProposal>(&a)) {
        gossiped_[bp->proposal.block] = n.blocks.at(bp->proposal.block);
        broadcast(i, ProposalMsg{bp->proposal, n.blocks.at(bp->proposal.block),
                                 sign_proposal(n, bp->proposal)});
        if (i == double_proposer_) {
          // A second block (one millisecond later) under a second signed
          // proposal for the same round, to everyone.
          ledger::Block other = n.blocks.at(bp->proposal.block);
          other.header.time_ms += 1;
          consensus::Proposal twin = bp->proposal;
          twin.block = ledger::block_hash(other.header);
          gossiped_[twin.block] = other;
          broadcast(i, ProposalMsg{twin, other, sign_proposal(n, twin)});
        }
      } else if (auto* bv = std::get_if<consensus::BroadcastVote>(&a)) {
        const auto bytes = consensus::sign_bytes(bv->vote, genesis_.params.chain_id);
        const Ed25519Sig sig = n.key.sign(ByteView(bytes.data(), bytes.size()));
        if (bv->vote.type == consensus::VoteType::Precommit)  // our own, as the node keeps it
          n.precommit_sigs[{bv->vote.height, bv->vote.round, bv->vote.validator_index}] = sig;
        broadcast(i, VoteMsg{bv->vote, sig});
        if (i == double_signer_ && bv->vote.type == consensus::VoteType::Prevote &&
            bv->vote.block) {
          consensus::Vote nil = bv->vote;
          nil.block = std::nullopt;
          const auto twin = consensus::sign_bytes(nil, genesis_.params.chain_id);
          broadcast(i, VoteMsg{nil, n.key.sign(ByteView(twin.data(), twin.size()))});
        }
      } else if (auto* e = std::get_if<consensus::Evidence>(&a)) {
        // Two signed votes of one validator for different values: evidence.
        auto sig_of = [&](const consensus::Vote& v) {
          return n.vote_sigs.at(
              {v.round, static_cast<uint8_t>(v.type), v.validator_index, v.block});
        };
        const ledger::DoubleSign ds{
            n.set->at(e->a.validator_index).key, {e->a, sig_of(e->a)}, {e->b, sig_of(e->b)}};
        add_evidence(n, ds);
      } else if (auto* t = std::get_if<consensus::ScheduleTimeout>(&a)) {
        push(now_ + t->delay_ms, i, Timer{t->timeout});
      } else if (auto* c = std::get_if<consensus::Commit>(&a)) {
        commit(i, *c);
      }
    }
  }

  Ed25519Sig sign_proposal(const Node& n, const consensus::Proposal& p) const {
    const auto bytes = consensus::sign_bytes(p, genesis_.params.chain_id);
    return n.key.sign(ByteView(bytes.data(), bytes.size()));
  }

  void add_evidence(Node& n, const ledger::Evidence& e) {
    if (std::find(n.evidence.begin(), n.evidence.end(), e) != n.evidence.end()) return;
    n.evidence.push_back(e);
    ++evidence_found_;
  }

  void commit(uint32_t i, const consensus::Commit& c) {
    Node& n = *nodes_[i];
    // Precommits can outrun the proposal: a node without the body fetches it
    // from its peers by id (block sync), then checks it like any other.
    if (!n.blocks.count(c.block) && gossiped_.count(c.block))
      n.blocks[c.block] = gossiped_[c.block];
    auto it = n.blocks.find(c.block);
    if (it == n.blocks.end()) {
      problems_.push_back("node " + std::to_string(i) + " committed a block nobody gossiped");
      return;
    }
    // The certificate with the signatures this node verified, checked as a syncing node would.
    ledger::CommitCertificate cert{c.round, {}};
    for (const consensus::Vote& v : c.precommits) {
      auto sig = n.precommit_sigs.find({v.height, v.round, v.validator_index});
      cert.sigs.push_back({v.validator_index, sig == n.precommit_sigs.end()
                                                  ? std::nullopt
                                                  : std::optional<Ed25519Sig>(sig->second)});
    }
    auto verdict = ledger::verify_commit(*n.set, genesis_.params.chain_id, c.height, c.block, cert);
    if (verdict.code != ledger::CommitCode::ok)
      problems_.push_back("node " + std::to_string(i) + " commit: " + verdict.reason);
    const uint32_t proposer = n.set->proposer(c.height, c.round);
    auto v = ledger::check_block(n.state, n.parent, it->second, n.set->at(proposer).key, UINT64_MAX,
                                 nullptr);
    if (v.code != ledger::BlockCode::ok) {
      problems_.push_back("node " + std::to_string(i) + " committed an invalid block at height " +
                          std::to_string(c.height) + ": " + v.reason);
      return;
    }
    if (i == 0) proposers[c.height] = n.set->at(proposer).key;
    n.history[c.height] = {c.block, n.state.root()};
    n.parent = {c.height, c.block, it->second.header.time_ms};
    n.blocks.clear();
    n.vote_sigs.clear();
    n.proposals.clear();
    std::erase_if(n.precommit_sigs,
                  [&](const auto& e) { return std::get<0>(e.first) <= c.height; });
    // The next block carries this commit; the next height's set is the state's.
    n.last_commit = {cert.round, {}};
    for (const ledger::CommitSig& s : cert.sigs)
      if (s.sig) n.last_commit.sigs.push_back(s);
    std::sort(n.last_commit.sigs.begin(), n.last_commit.sigs.end(),
              [](const auto& a, const auto& b) { return a.validator_index < b.validator_index; });
    n.set.emplace(ledger::validator_set_of(n.state).value());
    const ledger::Params params = ledger::read_params(n.state);
    std::erase_if(n.evidence, [&](const ledger::Evidence& e) {
      return !ledger::check_evidence(n.state, params, c.height + 1, e).ok();
    });
    push(now_ + config_.commit_ms, i, Next{c.height + 1});
  }

  void step(const Event& e) {
    Node& n = *nodes_[e.node];
    if (auto* t = std::get_if<Timer>(&e.what)) {
      act(e.node, n.engine.on_timeout(t->t));
    } else if (auto* nx = std::get_if<Next>(&e.what)) {
      act(e.node, n.engine.start_height(nx->height, *n.set));
      for (auto& m : held_[e.node]) push(now_, e.node, Deliver{m});
      held_[e.node].clear();
    } else if (auto* d = std::get_if<Deliver>(&e.what)) {
      if (auto* p = std::get_if<ProposalMsg>(&d->m)) {
        if (p->proposal.height != n.parent.height + 1 || n.engine.height() != p->proposal.height) {
          if (p->proposal.height > n.parent.height) held_[e.node].push_back(d->m);
          return;
        }
        const uint32_t expected = n.set->proposer(p->proposal.height, p->proposal.round);
        const auto bytes = consensus::sign_bytes(p->proposal, genesis_.params.chain_id);
        if (p->proposal.proposer_index != expected ||
            !ed25519_verify(n.set->at(expected).key, ByteView(bytes.data(), bytes.size()),
                            p->sig)) {
          problems_.push_back("a proposal with a bad signature was gossiped");
          return;
        }
        // A second, different proposal for a round: evidence, and otherwise ignored.
        if (auto first = n.proposals.find(p->proposal.round); first != n.proposals.end()) {
          if (first->second.proposal != p->proposal)
            add_evidence(n, ledger::DoubleProposal{
                                n.set->at(expected).key, first->second, {p->proposal, p->sig}});
          return;
        }
        n.proposals[p->proposal.round] = {p->proposal, p->sig};
        // Executed and checked before any vote (never vote blind), then taken
        // back out until consensus commits it.
        auto v = ledger::check_block(n.state, n.parent, p->block, n.set->at(expected).key,
                                     UINT64_MAX, nullptr);
        if (v.code == ledger::BlockCode::ok) n.state.apply(v.executed.undo);
        const consensus::BlockId id = ledger::block_hash(p->block.header);
        const bool valid = v.code == ledger::BlockCode::ok && id == p->proposal.block;
        if (!valid) ++refused_;
        n.blocks[id] = p->block;
        act(e.node, n.engine.on_proposal(p->proposal, valid));
      } else {
        const auto& vm = std::get<VoteMsg>(d->m);
        if (vm.vote.height <= n.parent.height) return;  // late: that height is committed
        if (vm.vote.height != n.engine.height()) {
          if (vm.vote.height > n.engine.height()) held_[e.node].push_back(d->m);
          return;
        }
        const auto bytes = consensus::sign_bytes(vm.vote, genesis_.params.chain_id);
        if (vm.vote.validator_index >= n.set->size() ||
            !ed25519_verify(n.set->at(vm.vote.validator_index).key,
                            ByteView(bytes.data(), bytes.size()), vm.sig)) {
          problems_.push_back("a vote with a bad signature was gossiped");
          return;
        }
        n.vote_sigs[{vm.vote.round, static_cast<uint8_t>(vm.vote.type), vm.vote.validator_index,
                     vm.vote.block}] = vm.sig;
        if (vm.vote.type == consensus::VoteType::Precommit)
          n.precommit_sigs[{vm.vote.height, vm.vote.round, vm.vote.validator_index}] = vm.sig;
        act(e.node, n.engine.on_vote(vm.vote));
      }
    }
  }

  ledger::Transaction transfer(uint64_t height) {
    ledger::Transaction t;
    t.chain_id = genesis_.params.chain_id;
    t.sender = test::account_key(4).pubkey();
    t.nonce = height - 1;  // one per height, in order
    t.fee = 10;
    t.msg = ledger::Transfer{test::account_key(3).pubkey(), 100 + height};
    ledger::sign(t, test::account_key(4));
    return t;
  }

  consensus::EngineConfig config_{300, 100, 200, 100, 200, 100, 50};
  uint64_t rng_;
  uint32_t liar_;
  uint32_t double_signer_;
  uint32_t double_proposer_;
  ledger::Genesis genesis_;
  std::vector<std::unique_ptr<Node>> nodes_;
  std::priority_queue<Event, std::vector<Event>, std::greater<>> queue_;
  std::map<uint32_t, std::vector<Message>> held_;
  std::map<consensus::BlockId, ledger::Block> gossiped_;  // what peers could serve by id
  uint64_t now_ = 0, seq_ = 0, refused_ = 0, lies_ = 0, evidence_found_ = 0;
  const uint64_t transfers_ = 1000;
  std::vector<std::string> problems_;
};

}  // namespace

TEST_CASE("four validators agree on real blocks: built, checked before voting, committed") {
  for (uint64_t seed = 1; seed <= 5; ++seed) {
    CAPTURE(seed);
    Network net(seed, /*liar=*/kValidators);  // nobody lies
    net.run(12, 600'000);
    std::string all;
    for (const auto& p : net.problems()) all += p + "\n";
    CHECK_MESSAGE(net.problems().empty(), all);
    for (uint32_t i = 0; i < kValidators; ++i) {
      REQUIRE(net.head(i).height >= 12);
      for (uint64_t h = 1; h <= 12; ++h) CHECK(net.at(i, h) == net.at(0, h));
    }
    // Proposers rotate: several keys proved block randomness.
    std::set<Ed25519Pubkey> distinct;
    for (const auto& [h, who] : net.proposers) distinct.insert(who);
    CHECK(distinct.size() >= 3);
    CHECK(net.refused_proposals() == 0);
  }
}

TEST_CASE("a proposer whose block lies about its state root is voted down; the chain goes on") {
  for (uint64_t seed = 1; seed <= 5; ++seed) {
    CAPTURE(seed);
    Network net(seed, /*liar=*/2);
    net.run(12, 600'000);
    std::string all;
    for (const auto& p : net.problems()) all += p + "\n";
    CHECK_MESSAGE(net.problems().empty(), all);  // nobody committed an invalid block
    CHECK(net.lies_told() > 0);
    CHECK(net.refused_proposals() > 0);
    for (uint32_t i = 0; i < kValidators; ++i) {
      REQUIRE(net.head(i).height >= 12);
      for (uint64_t h = 1; h <= 12; ++h) CHECK(net.at(i, h) == net.at(0, h));
    }
    for (const auto& [h, who] : net.proposers)
      CHECK(who != validator(2).pubkey());  // its blocks never made it
  }
}

namespace {

// Runs four validators, node `byzantine` misbehaving as the network's flags
// say, and checks that safety held and that every node's state slashed it
// (stake less double_sign_slash_bps, tombstoned, out of the set) for `reason`.
void check_byzantine_is_slashed(uint64_t seed, uint32_t byzantine, bool double_vote) {
  Network net(seed, /*liar=*/kValidators, double_vote ? byzantine : kValidators,
              double_vote ? kValidators : byzantine);
  const unsigned __int128 supply = ledger::total_supply(net.state(0));
  net.run(12, 600'000);
  std::string all;
  for (const auto& p : net.problems()) all += p + "\n";
  CHECK_MESSAGE(net.problems().empty(), all);
  CHECK(net.evidence_found() > 0);
  const ledger::Params params = ledger::read_params(net.state(0));
  const uint64_t slashed_stake = kPower - kPower * params.double_sign_slash_bps / 10000;
  REQUIRE(slashed_stake < kPower);
  for (uint32_t i = 0; i < kValidators; ++i) {
    REQUIRE(net.head(i).height >= 12);
    for (uint64_t h = 1; h <= 12; ++h) CHECK(net.at(i, h) == net.at(0, h));  // safety
    const auto v = ledger::read_validator(net.state(i), validator(byzantine).pubkey());
    REQUIRE(v.has_value());
    CHECK(v->jailed);
    CHECK(v->tombstoned);
    CHECK(v->power == slashed_stake);
    CHECK(ledger::validator_set_of(net.state(i)).value().size() == 3);  // the three go on
    for (uint32_t honest = 0; honest < kValidators; ++honest)
      if (honest != byzantine)
        CHECK(ledger::read_validator(net.state(i), validator(honest).pubkey())->power == kPower);
    CHECK(ledger::total_supply(net.state(i)) == supply);  // the slash is burned, and counted
  }
}

}  // namespace

TEST_CASE("a validator that double-signs among four is slashed and jailed by every node's state") {
  for (uint64_t seed = 1; seed <= 5; ++seed) {
    CAPTURE(seed);
    check_byzantine_is_slashed(seed, /*byzantine=*/3, /*double_vote=*/true);
  }
}

TEST_CASE("a proposer that proposes two blocks among four is slashed and jailed") {
  for (uint64_t seed = 1; seed <= 5; ++seed) {
    CAPTURE(seed);
    check_byzantine_is_slashed(seed, /*byzantine=*/1, /*double_vote=*/false);
  }
}
