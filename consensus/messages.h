// Consensus message types (proposal, vote, timeout) and their canonical sign bytes.
// Plain value types; the functions are pure and thread-safe.
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <string_view>
#include <vector>

namespace vt::consensus {

// A block's hash. The all-zero id is never a real block; "nil" is std::nullopt.
using BlockId = std::array<uint8_t, 32>;
// A validator's Ed25519 consensus public key.
using ValidatorKey = std::array<uint8_t, 32>;

// Highest round the engine accepts. A real network never gets near it (rounds
// take seconds); it bounds memory, timeouts and the int32 pol_round.
inline constexpr uint32_t kMaxRound = 1'000'000;

// Steps of one round, in the order the engine walks them.
enum class Step : uint8_t { Propose = 1, Prevote = 2, Precommit = 3 };
enum class VoteType : uint8_t { Prevote = 1, Precommit = 2 };

struct Proposal {
  uint64_t height = 0;
  uint32_t round = 0;
  BlockId block{};
  int32_t pol_round = -1;  // round of the polka that justifies a re-proposal; -1 = none
  uint32_t proposer_index = 0;
  bool operator==(const Proposal&) const = default;
};

struct Vote {
  VoteType type = VoteType::Prevote;
  uint64_t height = 0;
  uint32_t round = 0;
  std::optional<BlockId> block;  // nullopt = a vote for nil
  uint32_t validator_index = 0;
  bool operator==(const Vote&) const = default;
};

// A timer the engine asked for; handed back through Engine::on_timeout.
struct Timeout {
  uint64_t height = 0;
  uint32_t round = 0;
  Step step = Step::Propose;
  bool operator==(const Timeout&) const = default;
};

bool is_zero(const BlockId& id);

// The exact bytes a validator signs. Layout (all integers big-endian, fixed width):
//   proposal: "veritrain/consensus/proposal/v1" 0x00 | u16 len(chain_id) | chain_id |
//             u64 height | u32 round | 32 block | i32 pol_round | u32 proposer_index
//   vote:     "veritrain/consensus/vote/v1" 0x00 | u16 len(chain_id) | chain_id |
//             u8 type (1 prevote, 2 precommit) | u64 height | u32 round |
//             u8 has_block (0 nil, 1 block) | [32 block if has_block] | u32 validator_index
// chain_id longer than 65535 bytes is truncated to its first 65535 bytes (never
// happens with a sane genesis; it keeps the function total).
std::vector<uint8_t> sign_bytes(const Proposal& proposal, std::string_view chain_id);
std::vector<uint8_t> sign_bytes(const Vote& vote, std::string_view chain_id);

}  // namespace vt::consensus
