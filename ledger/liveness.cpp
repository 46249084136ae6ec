#include "ledger/liveness.h"

#include <cstdio>
#include <cstdlib>
#include <set>
#include <string>

#include "core/encoding.h"
#include "ledger/state_access.h"

namespace vt::ledger {

namespace {

std::string num(uint64_t v) {
  return std::to_string(v);
}

void write_liveness(Overlay& o, const Ed25519Pubkey& key, const Liveness& l) {
  o.put(keys::liveness(key), encode(l));
}

bool bit(const Bytes& bits, uint64_t i) {
  return (bits[i / 8] >> (i % 8)) & 1;
}
void set_bit(Bytes& bits, uint64_t i, bool on) {
  const auto mask = static_cast<uint8_t>(1u << (i % 8));
  bits[i / 8] = static_cast<uint8_t>(on ? bits[i / 8] | mask : bits[i / 8] & ~mask);
}

size_t active_validators(const StateReader& s) {
  size_t n = 0;
  for (const Validator& v : read_validators(s))
    if (!v.jailed && v.power > 0) ++n;
  return n;
}

// Counts whether `key` signed block `height`; jails it past the limit.
void count(OutcomeContext& c, const Ed25519Pubkey& key, uint64_t height, bool signed_it) {
  auto v = read_validator(c.o, key);
  if (!v || v->jailed || v->power == 0) return;  // left the set since: nothing to count
  const uint64_t window = c.params.downtime_window_blocks;
  Liveness l = read_liveness(c.o, key);
  const size_t bytes = static_cast<size_t>((window + 7) / 8);
  if (l.last_height + 1 != height || l.missed_bits.size() != bytes) {
    // First height counted, or back after a gap (jailed, left): a fresh window.
    l.missed = 0;
    l.missed_bits.assign(bytes, 0);
  }
  const uint64_t slot = height % window;
  const bool was = bit(l.missed_bits, slot);  // height - window, sliding out
  const bool now = !signed_it;
  l.missed = l.missed - (was ? 1 : 0) + (now ? 1 : 0);
  set_bit(l.missed_bits, slot, now);
  l.last_height = height;
  if (l.missed > c.params.downtime_max_missed_blocks && active_validators(c.o) > 1) {
    v->jailed = true;
    write_validator(c.o, *v);
    Liveness jailed;
    jailed.jailed_until = c.height + c.params.downtime_jail_blocks;
    c.events.push_back({"validator_jailed",
                        {{"validator", to_hex(key)},
                         {"reason", "downtime"},
                         {"missed", num(l.missed)},
                         {"window", num(window)},
                         {"unjail_from", num(jailed.jailed_until)}}});
    l = std::move(jailed);
  }
  write_liveness(c.o, key, l);
}

}  // namespace

Bytes encode(const Liveness& l) {
  return Writer().u64(l.last_height).u32(l.missed).bytes(l.missed_bits).u64(l.jailed_until).take();
}

Result<Liveness> decode_liveness(ByteView in) {
  Reader r(in);
  Liveness l;
  l.last_height = r.u64("liveness.last_height");
  l.missed = r.u32("liveness.missed");
  l.missed_bits = r.bytes("liveness.missed_bits", 100'000 / 8 + 1);
  l.jailed_until = r.u64("liveness.jailed_until");
  if (auto s = r.finish(); !s) return s.take_error();
  return l;
}

Liveness read_liveness(const StateReader& s, const Ed25519Pubkey& key) {
  auto raw = s.get(keys::liveness(key));
  if (!raw) return {};
  auto l = decode_liveness(*raw);
  if (!l) {  // the state is corrupt: a bug, not an input error (ledger/state_access.h)
    std::fprintf(stderr, "corrupt state: liveness: %s\n", l.error().c_str());
    std::abort();
  }
  return std::move(l).value();
}

std::optional<consensus::ValidatorSet> read_signing_set(const StateReader& s) {
  auto raw = s.get(keys::signing_set());
  if (!raw) return std::nullopt;
  auto set = decode_validator_set(*raw);
  if (!set) {
    std::fprintf(stderr, "corrupt state: signing set: %s\n", set.error().c_str());
    std::abort();
  }
  return std::move(set).value();
}

Status track_liveness(OutcomeContext& c, const Hash256& parent_hash,
                      const CommitCertificate& last_commit,
                      const consensus::ValidatorSet& signers) {
  if (c.height <= 1) {
    if (!last_commit.sigs.empty() || last_commit.round != 0)
      return make_error("block 1 has no previous block to carry a commit for");
  } else {
    auto set = read_signing_set(c.o);
    if (!set) return make_error("the state does not record who signed block " + num(c.height - 1));
    for (const CommitSig& s : last_commit.sigs)
      if (!s.sig)
        return make_error("last commit entry for validator " + num(s.validator_index) +
                          " has no signature");
    const CommitVerdict v =
        verify_commit(*set, c.params.chain_id, c.height - 1, parent_hash, last_commit);
    if (v.code != CommitCode::ok)
      return make_error(std::string("last commit ") + commit_code_name(v.code) + ": " + v.reason);
    std::set<uint32_t> signed_by;
    for (const CommitSig& s : last_commit.sigs) signed_by.insert(s.validator_index);
    for (uint32_t i = 0; i < set->size(); ++i)
      count(c, set->at(i).key, c.height - 1, signed_by.contains(i));
  }
  const Bytes encoded = encode(signers);
  if (c.o.get(keys::signing_set()) != encoded) c.o.put(keys::signing_set(), encoded);
  return Status::success();
}

}  // namespace vt::ledger
