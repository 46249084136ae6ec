#include "consensus/messages.h"

#include <algorithm>

namespace vt::consensus {
namespace {

void put_u8(std::vector<uint8_t>& out, uint8_t v) {
  out.push_back(v);
}

void put_be(std::vector<uint8_t>& out, uint64_t v, int bytes) {
  for (int i = bytes - 1; i >= 0; --i) out.push_back(static_cast<uint8_t>(v >> (8 * i)));
}

void put_header(std::vector<uint8_t>& out, std::string_view tag, std::string_view chain_id) {
  out.insert(out.end(), tag.begin(), tag.end());
  out.push_back(0x00);  // ends the tag, so no tag is a prefix of another message
  const size_t len = std::min<size_t>(chain_id.size(), 0xFFFF);
  put_be(out, len, 2);
  out.insert(out.end(), chain_id.begin(), chain_id.begin() + static_cast<std::ptrdiff_t>(len));
}

void put_block(std::vector<uint8_t>& out, const BlockId& id) {
  out.insert(out.end(), id.begin(), id.end());
}

}  // namespace

bool is_zero(const BlockId& id) {
  return std::all_of(id.begin(), id.end(), [](uint8_t b) { return b == 0; });
}

std::vector<uint8_t> sign_bytes(const Proposal& p, std::string_view chain_id) {
  std::vector<uint8_t> out;
  out.reserve(96 + chain_id.size());
  put_header(out, "veritrain/consensus/proposal/v1", chain_id);
  put_be(out, p.height, 8);
  put_be(out, p.round, 4);
  put_block(out, p.block);
  put_be(out, static_cast<uint32_t>(p.pol_round), 4);  // two's complement: -1 = FFFFFFFF
  put_be(out, p.proposer_index, 4);
  return out;
}

std::vector<uint8_t> sign_bytes(const Vote& v, std::string_view chain_id) {
  std::vector<uint8_t> out;
  out.reserve(96 + chain_id.size());
  put_header(out, "veritrain/consensus/vote/v1", chain_id);
  put_u8(out, static_cast<uint8_t>(v.type));
  put_be(out, v.height, 8);
  put_be(out, v.round, 4);
  put_u8(out, v.block ? 1 : 0);
  if (v.block) put_block(out, *v.block);
  put_be(out, v.validator_index, 4);
  return out;
}

}  // namespace vt::consensus
