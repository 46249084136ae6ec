// Genesis: the chain's parameters, initial balances and validators, read from
// JSON (schema in genesis/README.md). A bad genesis is refused naming the field.
#pragma once

#include <string_view>
#include <vector>

#include "core/result.h"
#include "ledger/objects.h"
#include "ledger/params.h"
#include "ledger/state.h"

namespace vt::ledger {

struct GenesisBalance {
  Address address{};
  Amount amount = 0;
};

// Latest genesis time accepted: 9999-12-31T23:59:59.999Z in ms since the epoch.
inline constexpr uint64_t kMaxGenesisTimeMs = 253'402'300'799'999;

struct Genesis {
  uint64_t genesis_time_ms = 0;
  Params params;
  std::vector<GenesisBalance> balances;
  std::vector<Validator> validators;
  // The data sets jobs may name (genesis "datasets"); validators must hold each.
  std::vector<DatasetEntry> datasets;
};

Result<Genesis> parse_genesis(std::string_view json);
// The state at height 0.
ChangeSet genesis_changes(const Genesis& g);
// The randomness before block 1: tagged_hash("veritrain/genesis-seed", chain_id | time).
Hash256 genesis_seed(const Genesis& g);
// Hash identifying the genesis (prev_hash of block 1): tagged hash of its state root and time.
Hash256 genesis_hash(const Genesis& g, const Hash256& state_root);

}  // namespace vt::ledger
