// A deterministic in-memory network of consensus engines for tests: a message bus
// with seeded delays, drops and partitions, a virtual clock, and byzantine behaviours.
// Single-threaded; each Simulator owns its engines. Test code only.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <queue>
#include <set>
#include <string>
#include <tuple>
#include <variant>
#include <vector>

#include "consensus/engine.h"

namespace vt::consensus::sim {

enum class Behaviour {
  Honest,
  Crashed,         // never starts, receives and sends nothing
  SilentProposer,  // honest, except it never builds a block when it proposes
  DoubleVoter,     // honest engine, plus a conflicting copy of each vote to odd-numbered peers
  EquivocatingProposer,  // honest engine, but sends a different block to half the peers
  Byzantine,             // equivocating proposals (a fresh block, pol_round -1, to odd peers) and
                         // votes tailored to each peer: for the block that peer was proposed
};

struct SimConfig {
  std::vector<uint64_t> powers{1, 1, 1, 1};  // one validator per entry
  uint64_t seed = 1;
  uint64_t min_delay_ms = 1;
  uint64_t max_delay_ms = 20;
  // Each message to each peer loses its first copy with this probability; gossip
  // then re-sends it after regossip_min..max ms (messages are late, never gone,
  // as with the node's gossip, which keeps offering peers what they lack).
  uint32_t drop_per_mille = 0;
  // Each message to each peer is delivered a second time, later, with this
  // probability (a gossip layer may hand a peer the same message twice).
  uint32_t duplicate_per_mille = 0;
  // Honest nodes forward every vote they receive to their peers, once, as a
  // gossip layer does: a vote a byzantine validator showed only to some peers
  // then reaches all of them (with its conflicting twin, which is evidence).
  bool relay_votes = false;
  uint64_t regossip_min_ms = 100;
  uint64_t regossip_max_ms = 1'000;
  uint64_t build_ms = 1;  // time the node takes to build a block
  uint64_t sync_ms =
      200;  // block sync: a node that sees a later height fetches the commit after this
  EngineConfig engine{100, 50, 50, 25, 50, 25, 10};
};

// A seeded generator with fully specified output (std distributions are not).
class Rng {
 public:
  explicit Rng(uint64_t seed) : state_(seed) {}
  uint64_t next();  // splitmix64
  uint64_t below(uint64_t n) { return n == 0 ? 0 : next() % n; }

 private:
  uint64_t state_;
};

BlockId make_block_id(uint64_t a, uint64_t b, uint64_t c, uint64_t d);

class Simulator {
 public:
  struct ProposalMsg {
    Proposal proposal;
    bool valid = true;
  };
  using Message = std::variant<ProposalMsg, Vote>;

  explicit Simulator(SimConfig config);

  void set_behaviour(uint32_t node, Behaviour behaviour) { nodes_.at(node).behaviour = behaviour; }
  // Until heal_at_ms, messages between `group` and the other nodes are held back
  // and delivered (with the usual delay) once the partition heals.
  void partition(std::vector<uint32_t> group, uint64_t heal_at_ms);

  void start(uint64_t first_height = 1);
  // Runs until every node that is not Crashed has committed `height`, or the virtual
  // clock passes max_ms. Returns whether the height was reached.
  bool run_until_height(uint64_t height, uint64_t max_ms);
  // Runs until the virtual clock passes max_ms (for safety-only runs).
  void run_until_time(uint64_t max_ms);

  uint64_t now_ms() const { return now_; }
  uint32_t size() const { return static_cast<uint32_t>(nodes_.size()); }
  const ValidatorSet& validators() const { return validators_; }
  // Committed block per height, for node i.
  const std::map<uint64_t, Commit>& commits(uint32_t node) const { return nodes_.at(node).commits; }
  const std::vector<Evidence>& evidence(uint32_t node) const { return nodes_.at(node).evidence; }
  const Engine& engine(uint32_t node) const { return nodes_.at(node).engine; }
  // Problems found while running (empty = none): disagreement between honest nodes,
  // a malformed commit certificate, an engine that tried to double-sign.
  const std::vector<std::string>& violations() const { return violations_; }
  // Timer expiries that made an engine act (produced at least one action).
  uint64_t effective_timeouts() const { return effective_timeouts_; }
  uint64_t messages_delivered() const { return delivered_; }
  uint64_t commits_after_round_zero() const { return late_commits_; }
  uint64_t heights_synced() const { return synced_; }

 private:
  struct Deliver {
    Message message;
  };
  struct TimerFire {
    Timeout timeout;
  };
  struct BuildDone {
    uint64_t height;
    uint32_t round;
  };
  struct NextHeight {
    uint64_t height;
  };
  struct SyncCheck {
    uint64_t height;
  };
  using EventKind = std::variant<Deliver, TimerFire, BuildDone, NextHeight, SyncCheck>;
  struct Event {
    uint64_t time;
    uint64_t seq;
    uint32_t node;
    EventKind what;
    bool operator>(const Event& o) const { return time != o.time ? time > o.time : seq > o.seq; }
  };
  struct Node {
    Engine engine;
    Behaviour behaviour = Behaviour::Honest;
    SignedState last_signed;
    std::vector<Message> future;  // messages for heights we have not started yet
    std::map<uint64_t, Commit> commits;
    std::vector<Evidence> evidence;
    bool sync_pending = false;
    std::map<std::pair<uint64_t, uint32_t>, BlockId>
        proposals_seen;  // (height, round) -> first block
    std::set<std::tuple<uint32_t, uint64_t, uint32_t, uint8_t, std::optional<BlockId>>>
        relayed;  // votes this node already forwarded (relay_votes)
  };

  bool honest(uint32_t node) const {
    return nodes_[node].behaviour == Behaviour::Honest ||
           nodes_[node].behaviour == Behaviour::SilentProposer;
  }
  void push(uint64_t at, uint32_t node, EventKind what);
  void enter_height(uint32_t node, uint64_t height);
  void block_sync(uint32_t node, uint64_t height);
  void send(uint32_t from, uint32_t to, const Message& message);
  void step();
  void feed(uint32_t node, const Message& message);
  void handle(uint32_t node, const Actions& actions);
  void check_commit(uint32_t node, const Commit& commit);

  SimConfig config_;
  ValidatorSet validators_;
  Rng rng_;
  std::vector<Node> nodes_;
  std::priority_queue<Event, std::vector<Event>, std::greater<>> queue_;
  uint64_t now_ = 0;
  uint64_t seq_ = 0;
  std::vector<bool> in_group_;
  uint64_t heal_at_ = 0;
  std::map<uint64_t, BlockId> decided_;  // first honest decision per height
  std::vector<std::string> violations_;
  uint64_t effective_timeouts_ = 0;
  uint64_t delivered_ = 0;
  uint64_t late_commits_ = 0;
  uint64_t synced_ = 0;
};

}  // namespace vt::consensus::sim
