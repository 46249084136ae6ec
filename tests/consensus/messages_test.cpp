// Canonical sign bytes and the double-sign guard.
#include "consensus/messages.h"

#include <doctest/doctest.h>

#include "consensus/sign_guard.h"

using namespace vt::consensus;

namespace {
BlockId block(uint8_t b) {
  BlockId id{};
  id.fill(b);
  return id;
}
std::vector<uint8_t> concat(std::initializer_list<std::vector<uint8_t>> parts) {
  std::vector<uint8_t> out;
  for (const auto& p : parts) out.insert(out.end(), p.begin(), p.end());
  return out;
}
std::vector<uint8_t> ascii(std::string_view s) {
  return {s.begin(), s.end()};
}
}  // namespace

TEST_CASE("sign bytes: vote layout is exact") {
  Vote v{VoteType::Precommit, 0x0102030405060708ull, 0x0A0B0C0D, block(0xAB), 0x11223344};
  auto expected =
      concat({ascii("veritrain/consensus/vote/v1"),
              {0x00, 0x00, 0x03},
              ascii("dev"),
              {0x02, 0x01, 0x02, 0x03, 0x04, 0x05, 0x06, 0x07, 0x08, 0x0A, 0x0B, 0x0C, 0x0D, 0x01},
              std::vector<uint8_t>(32, 0xAB),
              {0x11, 0x22, 0x33, 0x44}});
  CHECK(sign_bytes(v, "dev") == expected);

  Vote nil{VoteType::Prevote, 1, 0, std::nullopt, 0};
  auto expected_nil = concat({ascii("veritrain/consensus/vote/v1"),
                              {0x00, 0x00, 0x03},
                              ascii("dev"),
                              {0x01, 0, 0, 0, 0, 0, 0, 0, 1, 0, 0, 0, 0, 0x00, 0, 0, 0, 0}});
  CHECK(sign_bytes(nil, "dev") == expected_nil);
}

TEST_CASE("sign bytes: proposal layout is exact, pol_round -1 is FFFFFFFF") {
  Proposal p{7, 2, block(0x5A), -1, 3};
  auto expected = concat({ascii("veritrain/consensus/proposal/v1"),
                          {0x00, 0x00, 0x01},
                          ascii("x"),
                          {0, 0, 0, 0, 0, 0, 0, 7, 0, 0, 0, 2},
                          std::vector<uint8_t>(32, 0x5A),
                          {0xFF, 0xFF, 0xFF, 0xFF, 0, 0, 0, 3}});
  CHECK(sign_bytes(p, "x") == expected);
}

TEST_CASE("sign bytes: every field and the chain id change the bytes") {
  const Vote base{VoteType::Prevote, 5, 1, block(1), 2};
  const auto b = sign_bytes(base, "chain-a");
  CHECK(sign_bytes(base, "chain-b") != b);
  Vote v = base;
  v.type = VoteType::Precommit;
  CHECK(sign_bytes(v, "chain-a") != b);
  v = base, v.height = 6;
  CHECK(sign_bytes(v, "chain-a") != b);
  v = base, v.round = 2;
  CHECK(sign_bytes(v, "chain-a") != b);
  v = base, v.block = std::nullopt;
  CHECK(sign_bytes(v, "chain-a") != b);
  v = base, v.block = block(2);
  CHECK(sign_bytes(v, "chain-a") != b);
  v = base, v.validator_index = 3;
  CHECK(sign_bytes(v, "chain-a") != b);
  // A vote never reads as a proposal: different domain tags.
  const Proposal p{5, 1, block(1), -1, 2};
  CHECK(sign_bytes(p, "chain-a") != b);
}

TEST_CASE(
    "may_sign: refuses anything at or below the last signed step except the identical message") {
  SignedState none;
  const Vote prevote{VoteType::Prevote, 10, 2, block(1), 0};
  CHECK(may_sign(none, prevote));
  const SignedState last = signed_state(prevote);

  CHECK(may_sign(last, prevote));  // identical re-broadcast
  Vote other = prevote;
  other.block = block(2);
  CHECK_FALSE(may_sign(last, other));  // double sign
  other.block = std::nullopt;
  CHECK_FALSE(may_sign(last, other));  // nil after a block at the same step
  Vote earlier = prevote;
  earlier.round = 1;
  CHECK_FALSE(may_sign(last, earlier));
  earlier = prevote, earlier.height = 9, earlier.round = 50;
  CHECK_FALSE(may_sign(last, earlier));
  CHECK_FALSE(may_sign(last, Proposal{10, 2, block(1), -1, 0}));  // propose step precedes prevote

  Vote precommit = prevote;
  precommit.type = VoteType::Precommit;
  precommit.block = block(3);
  CHECK(may_sign(last, precommit));
  Vote next_round = prevote;
  next_round.round = 3;
  next_round.block = block(4);
  CHECK(may_sign(last, next_round));
  Vote next_height{VoteType::Prevote, 11, 0, std::nullopt, 0};
  CHECK(may_sign(last, next_height));

  const Proposal prop{11, 0, block(9), -1, 0};
  const SignedState after_prop = signed_state(prop);
  CHECK(may_sign(after_prop, prop));
  Proposal conflicting = prop;
  conflicting.block = block(8);
  CHECK_FALSE(may_sign(after_prop, conflicting));
  conflicting = prop, conflicting.pol_round = 0;
  CHECK_FALSE(may_sign(after_prop, conflicting));
  CHECK(may_sign(after_prop, Vote{VoteType::Prevote, 11, 0, block(9), 0}));
}
