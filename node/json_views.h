// JSON renderings of ledger objects for the RPC and logs: amounts as decimal
// strings, hashes as hex, addresses as vt1... Pure functions.
#pragma once

#include <nlohmann/json.hpp>

#include "ledger/block.h"
#include "ledger/genesis.h"
#include "ledger/objects.h"
#include "ledger/params.h"
#include "ledger/receipt.h"
#include "ledger/transaction.h"

namespace vt::node {

nlohmann::json to_json(const ledger::Account& a, const Address& address);
nlohmann::json to_json(const ledger::Provider& p);
nlohmann::json to_json(const ledger::Job& j);
nlohmann::json to_json(const ledger::DisputeRecord& d);
nlohmann::json to_json(const ledger::SlashRecord& s);
nlohmann::json to_json(const ledger::Params& p);
nlohmann::json to_json(const ledger::Transaction& tx);
nlohmann::json to_json(const ledger::Receipt& r);
nlohmann::json to_json(const std::vector<ledger::Event>& events);
nlohmann::json to_json(const ledger::BlockHeader& h);
// The genesis in the genesis.json format (genesis/README.md): every number a
// decimal string but the time, so ledger::parse_genesis reads it back equal.
nlohmann::json to_json(const ledger::Genesis& g);

}  // namespace vt::node
