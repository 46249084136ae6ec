// libFuzzer target: a ledger simulation in the spirit of the Cosmos SDK's. The
// input drives a sequence of blocks of validly signed transactions of every
// type, with fields drawn from the state (existing jobs, sampled segments,
// open disputes) or adversarial values (0, 1, 2^64-1, random). After every
// block it checks that nothing aborted or threw (a crash is the finding), that
// the supply is conserved, and that a second, independent execution of the
// same blocks reaches the same state root.
#include <algorithm>
#include <array>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <map>
#include <optional>
#include <string>
#include <tuple>
#include <vector>

#include "core/keys.h"
#include "core/vrf.h"
#include "kernels/idx.h"
#include "kernels/trainer.h"
#include "ledger/evidence.h"
#include "ledger/executor.h"
#include "ledger/genesis.h"
#include "ledger/state_access.h"
#include "verifier/attestation.h"
#include "verifier/commitment.h"
#include "verifier/dispute.h"

using namespace vt;
using namespace vt::ledger;

namespace {

constexpr int kAccounts = 6;
constexpr Amount kFunded = 1'000'000'000;

const char* kRegistry =
    R"({"name": "fashion-mnist",
    "train_images_sha256": "c59f468a2f672dc815687fe0f83887768d799fd8a3f3276145d20f83aa44d888",
    "train_labels_sha256": "bad3541b69d912435c50bb6ba87bec294ff4f6a2e1246121d8633921760443d9",
    "test_images_sha256": "5b4141f0afbad91edebe8549f8fcffe087ea10ca49f1dbef5c9a5cd8815ce37b",
    "test_labels_sha256": "0402a96d92fd2663957122ceb108a494c5af83dab82d92729df917d7dec38c34"})";

// Job specs a client may send: the tiny one (4 segments of 5 steps), one with
// k = 1, one on an unregistered data set, and malformed ones.
std::string spec(int variant) {
  const std::string ds = std::string(R"("dataset": )") + kRegistry;
  switch (variant % 6) {
    case 0:
      return R"({"steps": 20, "seed": 7, "checkpoint_interval": 5, "batch_size": 16,
        "model": {"type": "mlp", "layers": [784, 32, 10], "activation": "relu"},
        "optimizer": {"type": "sgd", "lr": "0.05", "momentum": "0.9", "weight_decay": "0"},
        )" + ds +
             "}";
    case 1:
      return R"({"steps": 3, "seed": 1, "checkpoint_interval": 1, "batch_size": 4,
        "model": {"type": "mlp", "layers": [784, 8, 10], "activation": "gelu"},
        "optimizer": {"type": "adamw", "lr": "1e-3", "betas": ["0.9", "0.999"], "eps": "1e-8",
        "weight_decay": "0"}, )" +
             ds + "}";
    case 2:  // a data set nobody registered
      return R"({"steps": 20, "seed": 7, "checkpoint_interval": 5, "batch_size": 16,
        "model": {"type": "mlp", "layers": [784, 32, 10], "activation": "relu"},
        "optimizer": {"type": "sgd", "lr": "0.05", "momentum": "0.9", "weight_decay": "0"},
        "dataset": {"name": "fashion-mnist", "train_images_sha256": ")" +
             std::string(64, 'a') + R"(", "train_labels_sha256": ")" + std::string(64, 'b') +
             R"(", "test_images_sha256": ")" + std::string(64, 'c') +
             R"(", "test_labels_sha256": ")" + std::string(64, 'd') + R"("}})";
    case 3:
      return R"({"steps": 1e999})";
    case 4:
      return R"({"steps": 20, "lr": "0,05")";
    default:
      return "";
  }
}

// The data set for the referee step, loaded once (Debian's Fashion-MNIST).
class Datasets final : public DatasetSource {
 public:
  Result<const kernels::Dataset*> dataset_for(const kernels::JobSpec& s) const override {
    if (!data_) {
      auto loaded = kernels::load_fashion_mnist(kernels::kDefaultFashionMnistDir);
      if (!loaded.ok()) {
        std::fprintf(stderr, "ledger_sim: Fashion-MNIST is needed: %s\n", loaded.error.c_str());
        std::abort();
      }
      data_ = std::move(loaded.value);
    }
    if (auto st = kernels::check_dataset(s, *data_); !st) return make_error(st.error);
    return &*data_;
  }

 private:
  mutable std::optional<kernels::Dataset> data_;
};

// Reads the input: each read takes bytes from the front; past the end, zeros.
class Input {
 public:
  Input(const uint8_t* d, size_t n) : d_(d), n_(n) {}
  bool done() const { return pos_ >= n_; }
  uint8_t u8() { return pos_ < n_ ? d_[pos_++] : 0; }
  uint64_t u64() {
    uint64_t v = 0;
    for (int i = 0; i < 8; ++i) v = (v << 8) | u8();
    return v;
  }
  // An amount: small, at a boundary, or arbitrary.
  Amount amount() {
    switch (u8() % 6) {
      case 0:
        return 0;
      case 1:
        return 1;
      case 2:
        return UINT64_MAX;
      case 3:
        return u8() * 1000ull;
      case 4:
        return u64() % 10'000'000;
      default:
        return u64();
    }
  }
  Hash256 hash() {
    Hash256 h{};
    h[0] = u8();
    h[1] = u8();
    return h;
  }

 private:
  const uint8_t* d_;
  size_t n_;
  size_t pos_ = 0;
};

SchnorrKey key_of(int n) {
  std::array<uint8_t, 32> secret{};
  secret[31] = static_cast<uint8_t>(n + 1);
  secret[0] = 0x5a;
  return SchnorrKey::from_secret(secret).value();
}

std::string genesis_document() {
  Params p;
  p.chain_id = "vt-sim";
  p.min_fee = 10;
  p.min_provider_stake = 1000;
  p.unbonding_blocks = 3;
  p.max_evidence_age_blocks = 3;  // at most unbonding_blocks
  p.min_job_deadline_blocks = 2;
  p.max_job_deadline_blocks = 40;
  p.expiry_slash_bps = 2500;
  p.max_spec_bytes = 2048;
  p.max_tx_bytes = 262144;
  p.max_block_txs = 64;
  p.max_block_bytes = 1 << 20;
  p.pol_samples = 2;
  p.pol_sample_delay_blocks = 1;
  p.pol_commit_window = 3;
  p.pol_reveal_window = 2;
  p.verifier_fee = 10;
  p.min_verifier_stake = 500;
  p.max_referee_cost = 5'000'000'000;
  p.max_checkpoints = 64;
  p.pol_dispute_window = 2;
  p.fraud_reward_bps = 4000;
  p.false_challenge_slash = 300;
  p.absent_verifier_slash = 50;
  p.max_referee_state_bytes = 250000;
  p.verifier_activation_blocks = 3;
  p.verifier_replay_budget = 1'000'000'000;
  p.pol_wait_blocks = 12;
  p.min_validator_stake = 1000;  // reachable by the sim's amounts, often missed
  p.max_validators = 3;          // the genesis one and two of the four node keys
  p.max_posts_per_block = 3;
  p.pol_redundancy = 2;  // committees of two: seats, shared probes and requests
  std::string doc = R"({"chain_id": "vt-sim", "genesis_time_ms": "1", "params": {)";
  bool first = true;
  for (const ParamField& f : param_fields()) {
    doc += std::string(first ? "" : ", ") + "\"" + f.name + "\": \"" +
           std::to_string(param_value(p, f)) + "\"";
    first = false;
  }
  doc += "}, \"accounts\": [";
  for (int i = 0; i < kAccounts; ++i)
    doc += std::string(i ? ", " : "") + "{\"address\": \"" + address_to_string(key_of(i).pubkey()) +
           "\", \"balance\": \"" + std::to_string(kFunded) + "\"}";
  std::array<uint8_t, 32> seed{};
  seed[0] = 1;
  doc += "], \"validators\": [{\"consensus_key\": \"" +
         to_hex(Ed25519Key::from_seed(seed).pubkey()) + "\", \"operator\": \"" +
         address_to_string(key_of(0).pubkey()) + "\", \"power\": \"1\", \"vrf_key\": \"" +
         to_hex(vrf_public_key(vrf_secret_from_seed(seed)).value()) + "\"}], \"datasets\": [" +
         kRegistry + "]}";
  return doc;
}

// With VT_SIM_STATS set, how often each message succeeded and each begin-block
// event happened, printed at exit: shows how deep the random sequences reach.
std::map<std::string, uint64_t>& stats() {
  static std::map<std::string, uint64_t> counts;
  static const bool enabled = [] {
    if (!std::getenv("VT_SIM_STATS")) return false;
    std::atexit([] {
      for (const auto& [k, v] : stats())
        std::printf("%10llu %s\n", (unsigned long long)v, k.c_str());
    });
    return true;
  }();
  static std::map<std::string, uint64_t> off;
  return enabled ? counts : off;
}

void check(bool ok, const char* what) {
  if (ok) return;
  std::fprintf(stderr, "ledger_sim: invariant broken: %s\n", what);
  std::abort();
}

// What verifiers committed to, so that they can reveal (job, segment) -> trace.
struct Attested {
  std::vector<verifier::StepRecord> per_step;
  Hash256 salt{};
};

class Sim {
 public:
  Sim() {
    auto g = parse_genesis(genesis_document());
    check(g.ok(), "the simulation genesis parses");
    for (StateStore* s : {&a_, &b_}) s->apply(genesis_changes(*g));
    params_ = g->params;
    for (int i = 0; i < kAccounts; ++i) keys_.push_back(key_of(i));
    initial_ = total_supply(a_);
  }

  void run(Input& in) {
    for (int blocks = 0; blocks < 200 && !in.done(); ++blocks) {
      const uint8_t op = in.u8();
      if (op % 5 == 0) {  // time passes: a few empty blocks
        for (int k = op % 9; k >= 0; --k) block({});
        continue;
      }
      std::vector<Transaction> txs;
      for (int n = 1 + in.u8() % 4; n > 0; --n) txs.push_back(make_tx(in));
      std::vector<DoubleSign> evidence;
      if (op % 7 == 1) evidence.push_back(double_sign(in));
      block(txs, evidence);
    }
  }

  // A node key's two prevotes at one earlier height and round, one for a block
  // and one for nil: real evidence when the key is a validator's (sometimes
  // with a forged signature, or from a height too old or not yet past).
  DoubleSign double_sign(Input& in) {
    const Ed25519Key k = node_key(in.u8());
    const uint64_t h = height_ > 1 ? 1 + in.u8() % (height_ + 1) : 1;
    consensus::Vote a{consensus::VoteType::Prevote, h, in.u8() % 3u, in.hash(), 0};
    consensus::Vote b = a;
    b.block = std::nullopt;
    DoubleSign e{k.pubkey(),
                 {a, k.sign(consensus::sign_bytes(a, "vt-sim"))},
                 {b, k.sign(consensus::sign_bytes(b, "vt-sim"))}};
    if (in.u8() % 8 == 0) e.b.sig[3] ^= 1;
    return e;
  }

 private:
  // The sender: usually the party the message belongs to (so sequences reach
  // deep states), sometimes anyone (so every "wrong party" path runs too).
  Transaction make_tx(Input& in) {
    int who = in.u8() % kAccounts;
    role_ = std::nullopt;
    Message msg = message(in, who);
    if (role_ && in.u8() % 8 != 0)
      for (int k = 0; k < kAccounts; ++k)
        if (keys_[k].pubkey() == *role_) who = k;
    if (role_ && who != static_cast<int>(in.u8() % kAccounts)) msg = message_again(msg, who);
    const SchnorrKey& k = keys_[who];
    Transaction t;
    t.chain_id = params_.chain_id;
    t.sender = k.pubkey();
    t.nonce = nonce_[who]++;  // a failed admission leaves a gap: that is tested too
    t.fee = params_.min_fee + in.u8() % 3;
    t.msg = std::move(msg);
    sign(t, k);
    return t;
  }

  // Attestations bind the sender's address: rebuild one for its real sender.
  Message message_again(const Message& m, int who) {
    if (const auto* c = std::get_if<AttestCommit>(&m)) {
      auto it = attested_.find(std::make_tuple(c->job_id, c->segment, role_.value()));
      if (it != attested_.end()) {
        const Address me = keys_[who].pubkey();
        attested_[std::make_tuple(c->job_id, c->segment, me)] = it->second;
        return AttestCommit{c->job_id, c->segment,
                            verifier::attestation_commitment(
                                c->job_id, c->segment, verifier::make_trace(it->second.per_step),
                                me, it->second.salt)};
      }
    }
    return m;
  }

  uint64_t some_job(Input& in) {
    const uint64_t next = read_next_job_id(a_);
    return next <= 1 ? 1 : 1 + in.u8() % next;  // may name one past the last
  }

  // One of a few node keys (Ed25519 seeds 40..43) that validators register.
  static Ed25519Key node_key(uint8_t i) {
    std::array<uint8_t, 32> seed{};
    seed[0] = static_cast<uint8_t>(40 + i % 4);
    return Ed25519Key::from_seed(seed);
  }

  // A registration of a node key by `me`, its proof usually right.
  Message register_validator(Input& in, const Address& me) {
    const uint8_t i = in.u8();
    const Ed25519Key k = node_key(i);
    ValidatorRegister m;
    m.consensus_key = k.pubkey();
    m.vrf_key = vrf_public_key(vrf_secret_from_seed(k.seed())).value();
    m.stake = in.amount() % 5000;
    m.proof = k.sign(validator_register_proof_bytes("vt-sim", me, m.vrf_key));
    if (in.u8() % 8 == 0) m.proof[5] ^= 1;  // a forged proof
    return m;
  }

  Message message(Input& in, int who) {
    const Address me = keys_[who].pubkey();
    switch (in.u8() % 21) {
      case 0:
        return Transfer{keys_[in.u8() % kAccounts].pubkey(), in.amount()};
      case 1:
        return ProviderRegister{in.amount() % 100000, in.u8() % 7 ? "p" : " "};
      case 2:
        return Stake{in.amount()};
      case 3:
        return Unstake{in.amount()};
      case 4:
        return JobSubmit{spec(in.u8()), 100 + in.amount() % 20000, in.amount() % 20000,
                         static_cast<uint64_t>(in.u8() % 50),
                         static_cast<uint32_t>(in.u8() % 3 == 0 ? in.u8() : 0)};
      case 5: {
        const uint64_t job = some_job(in);
        if (auto p = first_provider()) role_ = p;
        return JobAccept{job};
      }
      case 6:
        return JobCancel{some_job(in)};
      case 7:
        return VerifierRegister{in.amount() % 5000};
      case 8:
        return VerifierStake{in.amount()};
      case 9:
        return VerifierUnstake{in.amount()};
      case 10:
        return commit(in, some_job(in));
      case 11:
        return attest(in, some_job(in), me, false);
      case 12:
        return attest(in, some_job(in), me, true);
      case 13:
        return probe(in, some_job(in));
      case 14: {
        const uint64_t job = some_job(in);
        const uint64_t seg = segment_of(in, job);
        if (auto pol = read_job_pol(a_, job))
          for (const Assignment& a : pol->assignments)
            if (a.segment == seg) role_ = a.verifier;
        return CheckpointRequest{job, seg};
      }
      case 15:
        return move(in);
      case 16:
        return register_validator(in, me);
      case 17:
        return ValidatorStake{node_key(in.u8()).pubkey(), in.amount()};
      case 18:
        return ValidatorUnstake{node_key(in.u8()).pubkey(), in.amount()};
      case 19:
        return ValidatorUnjail{node_key(in.u8()).pubkey()};
      default: {
        Bytes junk(in.u8() % 64);
        for (auto& b : junk) b = in.u8();
        const uint64_t id = some_dispute(in);
        if (auto d = read_dispute(a_, id)) role_ = in.u8() % 2 ? d->provider : d->challenger;
        return CheckpointPost{id, junk};
      }
    }
  }

  // A commitment of the right shape for the job's spec, with made-up hashes
  // (fake work: the game must catch it or the provider must be lucky).
  Message commit(Input& in, uint64_t job) {
    JobCommit m;
    m.job_id = job;
    auto j = read_job(a_, job);
    if (j && j->provider) role_ = j->provider;
    if (!j || in.u8() % 8 == 0) {
      m.commitment = {1, 2, 3};
      return m;
    }
    auto text = read_spec(a_, j->spec_hash);
    auto s = kernels::parse_job_spec(*text);
    verifier::Commitment c;
    c.spec_hash = j->spec_hash;
    c.interval = s.value.checkpoint_interval;
    c.steps = s.value.steps;
    for (uint64_t i = 0; i < verifier::checkpoint_count(c.steps, c.interval); ++i)
      c.checkpoints.push_back(in.hash());
    c.final_model_hash = c.checkpoints.back();
    m.commitment = verifier::encode(c);
    return m;
  }

  uint64_t segment_of(Input& in, uint64_t job) {
    auto pol = read_job_pol(a_, job);
    if (!pol || pol->assignments.empty() || in.u8() % 8 == 0) return in.u8() % 6;
    return pol->assignments[in.u8() % pol->assignments.size()].segment;
  }

  uint64_t segment_len(uint64_t job, uint64_t segment) {
    auto j = read_job(a_, job);
    auto s = kernels::parse_job_spec(*read_spec(a_, j->spec_hash));
    const auto b = verifier::segment_bounds(segment, s.value.steps, s.value.checkpoint_interval);
    return b.end - b.start;
  }

  Message attest(Input& in, uint64_t job, const Address& me_in, bool reveal) {
    const uint64_t seg = segment_of(in, job);
    auto pol = read_job_pol(a_, job);
    const bool sampled = pol && std::any_of(pol->assignments.begin(), pol->assignments.end(),
                                            [&](const Assignment& a) { return a.segment == seg; });
    if (!sampled) return AttestCommit{job, seg, in.hash()};
    const uint64_t len = segment_len(job, seg);
    Address me = me_in;
    for (const Assignment& a : pol->assignments)
      if (a.segment == seg) me = a.verifier;  // written as the assigned verifier
    role_ = me;
    const auto key = std::make_tuple(job, seg, me);
    if (!reveal) {
      Attested at;
      for (uint64_t i = 0; i < len; ++i) at.per_step.push_back({in.hash(), in.hash()});
      at.salt = in.hash();
      attested_[key] = at;
      return AttestCommit{job, seg,
                          verifier::attestation_commitment(
                              job, seg, verifier::make_trace(at.per_step), me, at.salt)};
    }
    auto it = attested_.find(key);
    if (it == attested_.end() || !pol->probe_seed) return AttestReveal{job, seg, Bytes{0}};
    const uint64_t r = verifier::probe_offset(len);
    verifier::Reveal rv;
    rv.trace = verifier::make_trace(it->second.per_step);
    rv.salt = it->second.salt;
    rv.probe_leaf = it->second.per_step.at(r - 1).leaf;
    rv.probe_proof = verifier::make_proof(verifier::leaves_of(it->second.per_step), r - 1).value();
    return AttestReveal{job, seg, verifier::encode(rv)};
  }

  // The provider's probe: often the verifier's own value (agreement), else made up.
  Message probe(Input& in, uint64_t job) {
    const uint64_t seg = segment_of(in, job);
    auto pol = read_job_pol(a_, job);
    if (auto j = read_job(a_, job); j && j->provider) role_ = j->provider;
    if (pol && pol->probe_seed && in.u8() % 2)
      for (const auto& [key, at] : attested_)
        if (std::get<0>(key) == job && std::get<1>(key) == seg) {
          const uint64_t r = verifier::probe_offset(at.per_step.size());
          return ProviderProbe{job, seg, at.per_step.at(r - 1).leaf};
        }
    return ProviderProbe{job, seg, in.hash()};
  }

  uint64_t some_dispute(Input& in) {
    const uint64_t next = read_counter(a_, keys::kNextDisputeId);
    return next <= 1 ? 1 : 1 + in.u8() % next;
  }

  Message move(Input& in) {
    verifier::Move m;
    m.kind = static_cast<verifier::MoveKind>(in.u8() % 3);
    m.hash = m.kind == verifier::MoveKind::agree && in.u8() % 4 ? Hash256{} : in.hash();
    Bytes bytes = verifier::encode(m);
    if (in.u8() % 16 == 0) bytes.push_back(7);  // malformed
    const uint64_t id = some_dispute(in);
    if (auto d = read_dispute(a_, id))
      role_ = d->game.turn == verifier::Turn::challenger ? d->challenger : d->provider;
    return DisputeMove{id, bytes};
  }

  std::optional<Address> first_provider() {
    std::optional<Address> out;
    a_.scan(keys::prefix(keys::kProvider), [&](const Bytes&, const Bytes& v) {
      out = decode_provider(v).value().owner;
      return false;
    });
    return out;
  }

  void block(const std::vector<Transaction>& txs, const std::vector<DoubleSign>& evidence = {}) {
    ++height_;
    BlockContext ctx;
    ctx.height = height_;
    ctx.time_ms = 1000 * height_;
    ctx.fee_recipient = keys_[0].pubkey();
    ctx.randomness = a_.root();  // stands in for the proposer's VRF output
    ctx.datasets = &datasets_;
    Hash256 roots[2];
    int i = 0;
    for (StateStore* s : {&a_, &b_}) {
      BlockExecutor ex(*s, ctx);
      for (const DoubleSign& e : evidence) {
        const bool ok = ex.apply_evidence(e).ok();
        if (i == 0 && ok) ++stats()["ok evidence"];
      }
      for (const Transaction& t : txs) {
        auto rc = ex.apply(t, encode(t).size());
        if (i == 0 && rc.ok() && rc->success) ++stats()[std::string("ok ") + message_name(t.msg)];
      }
      BlockResult r = std::move(ex).finish();
      if (i == 0)
        for (const Event& e : r.begin_events) ++stats()["begin " + e.type];
      s->apply(r.changes);
      roots[i++] = s->root();
    }
    check(roots[0] == roots[1], "two executions of the same block reach the same state root");
    check(total_supply(a_) == initial_, "supply is conserved");
    // Nonces the ledger did not take are reused by later transactions.
    for (int k = 0; k < kAccounts; ++k) nonce_[k] = read_account(a_, keys_[k].pubkey()).nonce;
  }

  StateStore a_, b_;
  Params params_;
  std::vector<SchnorrKey> keys_;
  std::array<uint64_t, kAccounts> nonce_{};
  std::optional<Address> role_;  // the party the message being built belongs to
  uint64_t height_ = 0;
  unsigned __int128 initial_ = 0;
  std::map<std::tuple<uint64_t, uint64_t, Address>, Attested> attested_;
  static inline Datasets datasets_;  // loaded once per process
};

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  Input in(data, size);
  Sim sim;
  sim.run(in);
  return 0;
}
