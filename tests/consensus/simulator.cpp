#include "tests/consensus/simulator.h"

#include <stdexcept>

namespace vt::consensus::sim {
namespace {

ValidatorKey key_of(uint32_t node) {
  return make_block_id(0x6b6579, node, 0, 0);
}

ValidatorSet make_set(const std::vector<uint64_t>& powers) {
  std::vector<Validator> validators;
  for (uint32_t i = 0; i < powers.size(); ++i)
    validators.push_back(Validator{key_of(i), powers[i]});
  std::string why;
  auto set = ValidatorSet::create(validators, &why);
  if (!set) throw std::invalid_argument("simulator: bad validator set: " + why);
  return *set;
}

}  // namespace

uint64_t Rng::next() {
  uint64_t z = (state_ += 0x9E3779B97F4A7C15ull);
  z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
  z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
  return z ^ (z >> 31);
}

BlockId make_block_id(uint64_t a, uint64_t b, uint64_t c, uint64_t d) {
  Rng rng(a * 0x100000001B3ull ^ (b << 20) ^ (c << 40) ^ d ^ 0xC0FFEEull);
  rng.next();
  BlockId id{};
  for (size_t i = 0; i < id.size(); i += 8) {
    const uint64_t word = rng.next();
    for (size_t j = 0; j < 8; ++j) id[i + j] = static_cast<uint8_t>(word >> (8 * j));
  }
  id[0] |= 1;  // never the all-zero id
  return id;
}

namespace {
uint64_t height_of(const std::variant<Simulator::ProposalMsg, Vote>& m) {
  if (auto* p = std::get_if<Simulator::ProposalMsg>(&m)) return p->proposal.height;
  return std::get<Vote>(m).height;
}
}  // namespace

Simulator::Simulator(SimConfig config)
    : config_(config),
      validators_(make_set(config.powers)),
      rng_(config.seed),
      in_group_(config.powers.size(), false) {
  for (uint32_t i = 0; i < config_.powers.size(); ++i) {
    nodes_.push_back(
        Node{Engine(config_.engine, key_of(i)), Behaviour::Honest, {}, {}, {}, {}, false, {}, {}});
  }
}

void Simulator::partition(std::vector<uint32_t> group, uint64_t heal_at_ms) {
  in_group_.assign(nodes_.size(), false);
  for (uint32_t i : group) in_group_.at(i) = true;
  heal_at_ = heal_at_ms;
}

void Simulator::push(uint64_t at, uint32_t node, EventKind what) {
  queue_.push(Event{at, seq_++, node, std::move(what)});
}

void Simulator::start(uint64_t first_height) {
  for (uint32_t i = 0; i < nodes_.size(); ++i) {
    if (nodes_[i].behaviour == Behaviour::Crashed) continue;
    handle(i, nodes_[i].engine.start_height(first_height, validators_));
  }
}

void Simulator::send(uint32_t from, uint32_t to, const Message& message) {
  uint64_t at = now_;
  if (from != to && rng_.below(1000) < config_.drop_per_mille) {
    at +=
        config_.regossip_min_ms + rng_.below(config_.regossip_max_ms - config_.regossip_min_ms + 1);
  }
  if (now_ < heal_at_ && in_group_[from] != in_group_[to]) at = heal_at_;  // held at the cut
  const uint64_t spread = config_.max_delay_ms - config_.min_delay_ms + 1;
  at += from == to ? 0 : config_.min_delay_ms + rng_.below(spread);
  push(at, to, Deliver{message});
  if (from != to && rng_.below(1000) < config_.duplicate_per_mille)
    push(at + rng_.below(config_.max_delay_ms + 1), to, Deliver{message});
}

void Simulator::handle(uint32_t node, const Actions& actions) {
  Node& n = nodes_[node];
  const uint32_t count = size();
  for (const Action& action : actions) {
    if (auto* build = std::get_if<BuildBlock>(&action)) {
      if (n.behaviour == Behaviour::SilentProposer) continue;
      push(now_ + config_.build_ms, node, BuildDone{build->height, build->round});
    } else if (auto* bp = std::get_if<BroadcastProposal>(&action)) {
      if (!may_sign(n.last_signed, bp->proposal))
        violations_.push_back("node " + std::to_string(node) + " proposal refused by may_sign");
      n.last_signed = signed_state(bp->proposal);
      for (uint32_t to = 0; to < count; ++to) {
        Proposal p = bp->proposal;
        if ((n.behaviour == Behaviour::EquivocatingProposer ||
             n.behaviour == Behaviour::Byzantine) &&
            to % 2 == 1) {
          p.block = make_block_id(node, p.height, p.round, 0xE0);     // a second, different block
          if (n.behaviour == Behaviour::Byzantine) p.pol_round = -1;  // and no honest re-proposal
        }
        send(node, to, ProposalMsg{p, true});
      }
    } else if (auto* bv = std::get_if<BroadcastVote>(&action)) {
      if (!may_sign(n.last_signed, bv->vote))
        violations_.push_back("node " + std::to_string(node) + " vote refused by may_sign");
      n.last_signed = signed_state(bv->vote);
      // The conflicting copy: nil becomes a block, a block becomes another block.
      Vote conflicting = bv->vote;
      conflicting.block = make_block_id(node, conflicting.height, conflicting.round,
                                        0xD0 + static_cast<uint64_t>(conflicting.type));
      for (uint32_t to = 0; to < count; ++to) {
        const bool odd_peer = to % 2 == 1 && to != node;
        if (n.behaviour == Behaviour::Byzantine && to != node) {
          // Back whatever this peer was proposed, so every view gets one vote closer to a quorum.
          Vote tailored = odd_peer ? conflicting : bv->vote;
          auto seen = nodes_[to].proposals_seen.find({tailored.height, tailored.round});
          if (seen != nodes_[to].proposals_seen.end()) tailored.block = seen->second;
          send(node, to, tailored);
          continue;
        }
        send(node, to, bv->vote);  // to == node: our own vote loops back (must be a no-op)
        if (n.behaviour == Behaviour::DoubleVoter && odd_peer) send(node, to, conflicting);
      }
    } else if (auto* st = std::get_if<ScheduleTimeout>(&action)) {
      push(now_ + st->delay_ms, node, TimerFire{st->timeout});
    } else if (auto* commit = std::get_if<Commit>(&action)) {
      check_commit(node, *commit);
      n.commits[commit->height] = *commit;
      push(now_ + config_.engine.commit_ms, node, NextHeight{commit->height + 1});
    } else if (auto* evidence = std::get_if<Evidence>(&action)) {
      n.evidence.push_back(*evidence);
    }
  }
}

void Simulator::check_commit(uint32_t node, const Commit& c) {
  // The certificate: distinct validators, all precommits for (height, round, block), > 2/3 power.
  uint64_t power = 0;
  std::vector<bool> seen(size(), false);
  for (const Vote& v : c.precommits) {
    if (v.type != VoteType::Precommit || v.height != c.height || v.round != c.round ||
        v.block != c.block || v.validator_index >= size() || seen[v.validator_index]) {
      violations_.push_back("node " + std::to_string(node) + " bad commit certificate at height " +
                            std::to_string(c.height));
      return;
    }
    seen[v.validator_index] = true;
    power += validators_.power(v.validator_index);
  }
  if (power < validators_.quorum_power()) violations_.push_back("commit certificate below quorum");
  if (c.round > 0) ++late_commits_;
  if (!honest(node)) return;
  auto [it, first] = decided_.emplace(c.height, c.block);
  if (!first && it->second != c.block) {
    violations_.push_back("AGREEMENT VIOLATED at height " + std::to_string(c.height) + " by node " +
                          std::to_string(node));
  }
}

void Simulator::feed(uint32_t node, const Message& message) {
  Node& n = nodes_[node];
  // A node cannot check a block or signature for a height it has not reached: it
  // holds such messages (bounded) and replays them when it starts that height.
  if (height_of(message) > n.engine.height()) {
    if (n.future.size() < 100'000) n.future.push_back(message);
    // Peers are ahead: if we do not decide this height soon, fetch its commit.
    if (!n.sync_pending) {
      n.sync_pending = true;
      push(now_ + config_.sync_ms, node, SyncCheck{n.engine.height()});
    }
    return;
  }
  ++delivered_;
  if (auto* p = std::get_if<ProposalMsg>(&message)) {
    n.proposals_seen.emplace(std::make_pair(p->proposal.height, p->proposal.round),
                             p->proposal.block);
    handle(node, n.engine.on_proposal(p->proposal, p->valid));
  } else {
    const Vote& v = std::get<Vote>(message);
    if (config_.relay_votes && honest(node) && v.validator_index != node &&
        n.relayed
            .emplace(v.validator_index, v.height, v.round, static_cast<uint8_t>(v.type), v.block)
            .second)
      for (uint32_t to = 0; to < size(); ++to)
        if (to != node && to != v.validator_index) send(node, to, v);
    handle(node, n.engine.on_vote(v));
  }
}

void Simulator::step() {
  Event e = queue_.top();
  queue_.pop();
  now_ = e.time;
  Node& n = nodes_[e.node];
  if (n.behaviour == Behaviour::Crashed) return;
  if (auto* d = std::get_if<Deliver>(&e.what)) {
    feed(e.node, d->message);
  } else if (auto* t = std::get_if<TimerFire>(&e.what)) {
    Actions actions = n.engine.on_timeout(t->timeout);
    if (!actions.empty()) ++effective_timeouts_;
    handle(e.node, actions);
  } else if (auto* b = std::get_if<BuildDone>(&e.what)) {
    handle(e.node, n.engine.on_block_built(b->height, b->round,
                                           make_block_id(e.node, b->height, b->round, 0xB0)));
  } else if (auto* h = std::get_if<NextHeight>(&e.what)) {
    enter_height(e.node, h->height);
  } else if (auto* sync = std::get_if<SyncCheck>(&e.what)) {
    n.sync_pending = false;
    block_sync(e.node, sync->height);
  }
}

void Simulator::enter_height(uint32_t node, uint64_t height) {
  Node& n = nodes_[node];
  if (n.engine.started() && n.engine.height() >= height)
    return;  // already there through block sync
  handle(node, n.engine.start_height(height, validators_));
  std::vector<Message> held;
  held.swap(n.future);
  for (const Message& m : held) {
    if (height_of(m) >= height) feed(node, m);  // feed re-holds the ones still ahead
  }
}

// What the node's block sync does: take the block and its commit certificate from
// a peer that has it (checked like any commit), then go on to the next height.
void Simulator::block_sync(uint32_t node, uint64_t height) {
  Node& n = nodes_[node];
  if (n.engine.height() != height || n.commits.count(height)) return;  // caught up on its own
  for (uint32_t peer = 0; peer < size(); ++peer) {
    auto it = nodes_[peer].commits.find(height);
    if (peer == node || !honest(peer) || it == nodes_[peer].commits.end()) continue;
    const Commit commit = it->second;
    check_commit(node, commit);
    n.commits[height] = commit;
    ++synced_;
    enter_height(node, height + 1);
    return;
  }
}

bool Simulator::run_until_height(uint64_t height, uint64_t max_ms) {
  auto reached = [&] {
    for (const Node& n : nodes_) {
      if (n.behaviour != Behaviour::Crashed && !n.commits.count(height)) return false;
    }
    return true;
  };
  while (!reached()) {
    if (queue_.empty() || queue_.top().time > max_ms) return false;
    step();
  }
  return true;
}

void Simulator::run_until_time(uint64_t max_ms) {
  while (!queue_.empty() && queue_.top().time <= max_ms) step();
}

}  // namespace vt::consensus::sim
