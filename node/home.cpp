#include "node/home.h"

#include <sys/stat.h>
#include <toml++/toml.h>

#include <algorithm>
#include <fstream>
#include <limits>
#include <map>
#include <nlohmann/json.hpp>
#include <sstream>

#include "core/bech32m.h"
#include "kernels/idx.h"
#include "node/p2p/peer_manager.h"
#include "node/p2p/secret_channel.h"

namespace vt::node {

namespace fs = std::filesystem;
using nlohmann::json;

const char* devnet_template() {
  return R"({
  "chain_id": "veritrain-devnet",
  "genesis_time_ms": 1795392000000,
  "params": {
    "min_fee": "1000", "min_provider_stake": "1000000000", "unbonding_blocks": "1000",
    "min_job_deadline_blocks": "10", "max_job_deadline_blocks": "100000", "expiry_slash_bps": "1000",
    "max_spec_bytes": "16384", "max_tx_bytes": "4194304", "max_block_txs": "5000", "max_block_bytes": "8388608",
    "pol_samples": "44", "pol_sample_delay_blocks": "2", "pol_commit_window": "10", "pol_reveal_window": "10",
    "verifier_fee": "2000", "min_verifier_stake": "100000000", "max_referee_cost": "5000000000",
    "max_checkpoints": "4096", "pol_dispute_window": "10", "fraud_reward_bps": "5000",
    "false_challenge_slash": "50000000", "max_referee_state_bytes": "2000000",
    "absent_verifier_slash": "10000000", "fee_per_kib": "100", "verifier_activation_blocks": "5",
    "verifier_replay_budget": "100000000000", "pol_wait_blocks": "100", "max_posts_per_block": "3",
    "pol_redundancy": "5", "double_sign_slash_bps": "500", "max_evidence_age_blocks": "1000",
    "min_validator_stake": "1000000000", "max_validators": "100",
    "downtime_window_blocks": "100", "downtime_max_missed_blocks": "50", "downtime_jail_blocks": "100"
  },
  "datasets": [{"name": "fashion-mnist",
    "train_images_sha256": "c59f468a2f672dc815687fe0f83887768d799fd8a3f3276145d20f83aa44d888",
    "train_labels_sha256": "bad3541b69d912435c50bb6ba87bec294ff4f6a2e1246121d8633921760443d9",
    "test_images_sha256": "5b4141f0afbad91edebe8549f8fcffe087ea10ca49f1dbef5c9a5cd8815ce37b",
    "test_labels_sha256": "0402a96d92fd2663957122ceb108a494c5af83dab82d92729df917d7dec38c34"}],
  "accounts": [],
  "validators": []
})";
}

namespace {

Result<std::string> read_file(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  if (!in) return make_error("cannot read " + p.string());
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

Status write_file(const fs::path& p, const std::string& content, bool secret) {
  fs::path tmp = p;
  tmp += ".tmp";
  {
    std::ofstream out(tmp, std::ios::binary | std::ios::trunc);
    if (!out) return make_error("cannot write " + tmp.string());
    out << content;
    if (!out.flush()) return make_error("cannot write " + tmp.string());
  }
  if (secret) ::chmod(tmp.c_str(), 0600);
  std::error_code ec;
  fs::rename(tmp, p, ec);
  if (ec) return make_error("cannot rename " + tmp.string() + ": " + ec.message());
  return Status::success();
}

}  // namespace

namespace {

// A genesis validator's stake (its voting power), in uvt: 1000 VT, so that a
// double_sign_slash_bps share of it is a visible amount.
constexpr uint64_t kValidatorStake = 1'000'000'000;

// The genesis of `template_text` with the faucet funded and `validators`
// (each staking kValidatorStake, operator = the faucet) as the set.
Result<std::string> make_genesis(const InitOptions& o, const SchnorrKey& faucet,
                                 const std::vector<Ed25519Key>& validators) {
  std::string template_text = devnet_template();
  if (o.genesis_template) {
    auto t = read_file(*o.genesis_template);
    if (!t) return t.take_error();
    template_text = t.value();
  }
  json g = json::parse(template_text, nullptr, false);
  if (g.is_discarded() || !g.is_object())
    return make_error("genesis template is not a JSON object");
  if (!o.chain_id.empty()) g["chain_id"] = o.chain_id;
  if (!g.contains("accounts") || !g["accounts"].is_array()) g["accounts"] = json::array();
  g["accounts"].push_back({{"address", address_to_string(faucet.pubkey())},
                           {"balance", std::to_string(o.faucet_balance)}});
  g["validators"] = json::array();
  for (const auto& v : validators)
    g["validators"].push_back(
        {{"consensus_key", to_hex(v.pubkey())},
         {"operator", address_to_string(faucet.pubkey())},
         {"power", std::to_string(kValidatorStake)},
         {"vrf_key", to_hex(vrf_public_key(vrf_secret_from_seed(v.seed())).value())}});
  std::string genesis_text = g.dump(2) + "\n";
  auto parsed = ledger::parse_genesis(genesis_text);
  if (!parsed) return make_error("genesis template: " + parsed.error());
  return genesis_text;
}

// Writes one home: config.toml (from o's ports and `peers`), the genesis, the
// node key and the faucet's secret.
Status write_home(const InitOptions& o, const std::vector<std::string>& peers,
                  const std::string& genesis_text, const Ed25519Key& key,
                  const SchnorrKey& faucet) {
  if (fs::exists(o.home / "config.toml") || fs::exists(o.home / "genesis.json"))
    return make_error(o.home.string() +
                      " already holds a node; remove it or choose another --home");
  std::error_code ec;
  fs::create_directories(o.home / "data", ec);
  if (ec) return make_error("cannot create " + (o.home / "data").string() + ": " + ec.message());
  std::ostringstream peer_list;
  for (size_t i = 0; i < peers.size(); ++i) peer_list << (i ? ", " : "") << '"' << peers[i] << '"';
  std::ostringstream cfg;
  cfg << "# veritraind configuration (see docs/node.md)\n\n"
      << "[rpc]\nlisten = \"127.0.0.1:" << o.rpc_port << "\"\nbody_limit = 16777216\n\n"
      << "[p2p]\n# encrypted peer connections (docs/node.md); port 0: no listener\n"
      << "listen = \"127.0.0.1:" << o.p2p_port << "\"\n"
      << "# NODE_ID@HOST:PORT of peers to stay connected to\n"
      << "persistent_peers = [" << peer_list.str() << "]\nmax_peers = 32\n\n"
      << "[consensus]\nblock_interval_ms = " << o.block_interval_ms << "\n\n"
      << "[mempool]\nmax_txs = 20000\nmax_bytes = 67108864\n\n"
      << "[blobs]\nuploads = true\nmax_blob_bytes = 268435456\nmax_total_bytes = 8589934592\n\n"
      << "[storage]\n# explorer indexes (docs/node.md#storage); a validator may turn them off\n"
      << "tx_index = true\nstate_history = true\n"
      << "# heights of state history kept (the last N; 0: every height)\n"
      << "state_history_blocks = 0\n\n"
      << "[datasets]\n# the referee step re-executes training steps on this data\n"
      << "fashion_mnist = \"" << kernels::kDefaultFashionMnistDir << "\"\n\n"
      << "[log]\nlevel = \"info\"\n";
  if (auto s = write_file(o.home / "config.toml", cfg.str(), false); !s) return s;
  if (auto s = write_file(o.home / "genesis.json", genesis_text, false); !s) return s;
  json vk = {
      {"type", "ed25519"}, {"public_key", to_hex(key.pubkey())}, {"seed", to_hex(key.seed())}};
  if (auto s = write_file(o.home / "validator_key.json", vk.dump(2) + "\n", true); !s) return s;
  // Devnet convenience: the funded genesis account's secret, for `veritrain keys import`.
  return write_file(o.home / "faucet.secret", to_hex(faucet.secret()) + "\n", true);
}

}  // namespace

Result<InitResult> init_home(const InitOptions& o) {
  if (fs::exists(o.home / "config.toml") || fs::exists(o.home / "genesis.json"))
    return make_error(o.home.string() +
                      " already holds a node; remove it or choose another --home");
  Ed25519Key validator = Ed25519Key::generate();
  SchnorrKey faucet = SchnorrKey::generate();
  auto genesis = make_genesis(o, faucet, {validator});
  if (!genesis) return genesis.take_error();
  if (auto s = write_home(o, {}, genesis.value(), validator, faucet); !s) return s.take_error();
  return InitResult{faucet.pubkey(), validator.pubkey()};
}

Result<LocalnetResult> init_localnet(const LocalnetOptions& o) {
  if (o.validators < 1 || o.validators > 64) return make_error("--validators must be 1..64");
  if (o.full_nodes > 16) return make_error("--full-nodes must be 0..16");
  const size_t n = o.validators + o.full_nodes;
  if (uint32_t{o.base_port} + 2 * n > 65535) return make_error("--base-port is too high");
  if (fs::exists(o.out) && !fs::is_empty(o.out))
    return make_error(o.out.string() + " is not empty; remove it or choose another --out");
  SchnorrKey faucet = SchnorrKey::generate();
  std::vector<Ed25519Key> keys;
  for (size_t i = 0; i < n; ++i) keys.push_back(Ed25519Key::generate());
  InitOptions base = o.init;
  auto genesis = make_genesis(base, faucet,
                              std::vector<Ed25519Key>(keys.begin(), keys.begin() + o.validators));
  if (!genesis) return genesis.take_error();
  LocalnetResult r;
  r.faucet = faucet.pubkey();
  for (size_t i = 0; i < n; ++i) {
    LocalnetNode node;
    node.validator = i < o.validators;
    node.name = node.validator ? "validator" + std::to_string(i)
                               : "full" + std::to_string(i - o.validators);
    node.home = o.out / node.name;
    node.rpc_port = static_cast<uint16_t>(o.base_port + 2 * i);
    node.p2p_port = static_cast<uint16_t>(o.base_port + 2 * i + 1);
    node.node_id = p2p::node_id(keys[i].pubkey());
    r.nodes.push_back(node);
  }
  for (size_t i = 0; i < n; ++i) {
    // Validators keep each other connected; a full node connects to the validators.
    std::vector<std::string> peers;
    for (size_t j = 0; j < o.validators; ++j)
      if (j != i)
        peers.push_back(r.nodes[j].node_id + "@127.0.0.1:" + std::to_string(r.nodes[j].p2p_port));
    InitOptions one = base;
    one.home = r.nodes[i].home;
    one.rpc_port = r.nodes[i].rpc_port;
    one.p2p_port = r.nodes[i].p2p_port;
    if (auto s = write_home(one, peers, genesis.value(), keys[i], faucet); !s)
      return s.take_error();
  }
  return r;
}

namespace {

// config.toml, read strictly: every section and key must be one this version
// knows, and a value of the wrong type or out of range is an error naming the
// key, never a silent default. An absent key takes its default.
class ConfigFile {
 public:
  explicit ConfigFile(const toml::table& t) : t_(t) {}

  Status check_known_keys() const {
    static const std::map<std::string, std::vector<std::string>> kKnown = {
        {"rpc",
         {"listen", "body_limit", "cors_origins", "max_connections", "max_connections_per_address",
          "reserved_connections"}},
        {"p2p", {"listen", "persistent_peers", "max_peers"}},
        {"consensus", {"block_interval_ms"}},
        {"mempool", {"max_txs", "max_bytes"}},
        {"blobs", {"uploads", "max_blob_bytes", "max_total_bytes"}},
        {"storage", {"tx_index", "state_history", "state_history_blocks"}},
        {"datasets", {"fashion_mnist"}},
        {"log", {"level"}}};
    for (const auto& [name, node] : t_) {
      const std::string section(name.str());
      auto known = kKnown.find(section);
      if (known == kKnown.end()) {
        std::string list;
        for (const auto& [k, _] : kKnown) list += (list.empty() ? "" : ", ") + k;
        return make_error("config.toml: unknown section [" + section + "] (known: " + list + ")");
      }
      const toml::table* keys = node.as_table();
      if (!keys)
        return make_error("config.toml: " + section + " must be a [" + section + "] table");
      for (const auto& [key, _] : *keys) {
        const auto& allowed = known->second;
        if (std::find(allowed.begin(), allowed.end(), key.str()) != allowed.end()) continue;
        std::string list;
        for (const auto& k : allowed) list += (list.empty() ? "" : ", ") + k;
        return make_error("config.toml: unknown key " + section + "." + std::string(key.str()) +
                          " (known in [" + section + "]: " + list + ")");
      }
    }
    return Status::success();
  }

  Result<int64_t> integer(const char* section, const char* key, int64_t fallback, int64_t min,
                          int64_t max) const {
    auto node = t_[section][key];
    if (!node) return fallback;
    auto v = node.value_exact<int64_t>();
    if (!v || *v < min || *v > max)
      return make_error("config.toml: " + path(section, key) + " must be a whole number from " +
                        std::to_string(min) + " to " + std::to_string(max));
    return *v;
  }

  Result<bool> flag(const char* section, const char* key, bool fallback) const {
    auto node = t_[section][key];
    if (!node) return fallback;
    if (!node.is_boolean())
      return make_error("config.toml: " + path(section, key) + " must be true or false");
    return *node.value<bool>();
  }

  Result<std::string> text(const char* section, const char* key, std::string fallback) const {
    auto node = t_[section][key];
    if (!node) return fallback;
    if (!node.is_string())
      return make_error("config.toml: " + path(section, key) + " must be a string");
    return *node.value<std::string>();
  }

  // A list of strings (absent: empty); `what` says what each one is.
  Result<std::vector<std::string>> strings(const char* section, const char* key,
                                           const std::string& what) const {
    std::vector<std::string> out;
    auto node = t_[section][key];
    if (!node) return out;
    const toml::array* list = node.as_array();
    if (!list)
      return make_error("config.toml: " + path(section, key) + " must be a list of " + what);
    for (const auto& e : *list) {
      auto v = e.value<std::string>();
      if (!v || v->empty())
        return make_error("config.toml: " + path(section, key) + " must be a list of " + what);
      out.push_back(*v);
    }
    return out;
  }

 private:
  static std::string path(const char* section, const char* key) {
    return std::string(section) + "." + key;
  }
  const toml::table& t_;
};

// HOST:PORT with a port of 0..65535.
Result<std::pair<std::string, uint16_t>> host_port(const std::string& text, const char* key) {
  auto colon = text.rfind(':');
  int64_t port = -1;
  if (colon != std::string::npos) {
    try {
      size_t used = 0;
      port = std::stoll(text.substr(colon + 1), &used);
      if (used != text.size() - colon - 1) port = -1;
    } catch (...) {
      port = -1;
    }
  }
  if (port < 0 || port > 65535)
    return make_error(std::string("config.toml: ") + key + " must be HOST:PORT");
  return std::make_pair(text.substr(0, colon), static_cast<uint16_t>(port));
}

}  // namespace

Result<Home> load_home(const fs::path& home) {
  Home h;
  auto cfg_text = read_file(home / "config.toml");
  if (!cfg_text)
    return make_error(cfg_text.error() + " (run `veritraind init --home " + home.string() +
                      "` first)");
  toml::table t;
  try {
    t = toml::parse(cfg_text.value(), (home / "config.toml").string());
  } catch (const toml::parse_error& e) {
    std::ostringstream why;
    why << e;
    return make_error("config.toml: " + why.str());
  }
  const ConfigFile cfg(t);
  if (auto s = cfg.check_known_keys(); !s) return s.take_error();
  // Each read either gives a value of the right type and range or names what is wrong.
  auto listen = cfg.text("rpc", "listen", "127.0.0.1:26657");
  if (!listen) return listen.take_error();
  auto rpc_addr = host_port(listen.value(), "rpc.listen");
  if (!rpc_addr) return rpc_addr.take_error();
  h.config.rpc_host = rpc_addr.value().first;
  h.config.rpc_port = rpc_addr.value().second;
  auto body = cfg.integer("rpc", "body_limit", 16 << 20, 1024, 64 << 20);
  if (!body) return body.take_error();
  h.config.rpc_body_limit = static_cast<size_t>(body.value());
  auto origins = cfg.strings("rpc", "cors_origins", "origins, or \"*\", e.g. [\"*\"]");
  if (!origins) return origins.take_error();
  h.config.rpc_cors_origins = std::move(origins).value();
  auto max_conn = cfg.integer("rpc", "max_connections", 256, 1, 65536);
  if (!max_conn) return max_conn.take_error();
  h.config.rpc_max_connections = static_cast<size_t>(max_conn.value());
  auto per_address = cfg.integer("rpc", "max_connections_per_address",
                                 std::min<int64_t>(32, max_conn.value()), 1, max_conn.value());
  if (!per_address) return per_address.take_error();
  h.config.rpc_max_connections_per_address = static_cast<size_t>(per_address.value());
  auto reserved = cfg.integer("rpc", "reserved_connections",
                              std::min<int64_t>(32, max_conn.value() - 1), 0, max_conn.value() - 1);
  if (!reserved) return reserved.take_error();
  h.config.rpc_reserved_connections = static_cast<size_t>(reserved.value());

  auto interval = cfg.integer("consensus", "block_interval_ms", 1000, 10, 600000);
  if (!interval) return interval.take_error();
  h.config.block_interval_ms = static_cast<uint64_t>(interval.value());
  auto max_txs = cfg.integer("mempool", "max_txs", 20000, 1, 10'000'000);
  if (!max_txs) return max_txs.take_error();
  h.config.mempool_max_txs = static_cast<size_t>(max_txs.value());
  auto max_bytes = cfg.integer("mempool", "max_bytes", int64_t{64} << 20, 1024, int64_t{1} << 40);
  if (!max_bytes) return max_bytes.take_error();
  h.config.mempool_max_bytes = static_cast<size_t>(max_bytes.value());

  auto tx_index = cfg.flag("storage", "tx_index", true);
  if (!tx_index) return tx_index.take_error();
  auto history = cfg.flag("storage", "state_history", true);
  if (!history) return history.take_error();
  auto history_blocks =
      cfg.integer("storage", "state_history_blocks", 0, 0, std::numeric_limits<int64_t>::max());
  if (!history_blocks) return history_blocks.take_error();
  h.config.indexes = {tx_index.value(), history.value(),
                      static_cast<uint64_t>(history_blocks.value())};

  auto level = cfg.text("log", "level", "info");
  if (!level) return level.take_error();
  static const std::vector<std::string> kLevels = {"trace", "debug", "info",
                                                   "warn",  "error", "critical"};
  if (std::find(kLevels.begin(), kLevels.end(), level.value()) == kLevels.end())
    return make_error(
        "config.toml: log.level must be one of trace, debug, info, warn, error, "
        "critical (not \"" +
        level.value() + "\")");
  h.log_level = level.value();

  auto uploads = cfg.flag("blobs", "uploads", true);
  if (!uploads) return uploads.take_error();
  h.config.blob_uploads = uploads.value();
  auto max_blob =
      cfg.integer("blobs", "max_blob_bytes", int64_t{256} << 20, 1024, int64_t{1} << 40);
  if (!max_blob) return max_blob.take_error();
  auto max_total =
      cfg.integer("blobs", "max_total_bytes", int64_t{8} << 30, max_blob.value(), int64_t{1} << 50);
  if (!max_total) return max_total.take_error();
  h.config.blob_limits.max_blob_bytes = static_cast<uint64_t>(max_blob.value());
  h.config.blob_limits.max_total_bytes = static_cast<uint64_t>(max_total.value());

  if (t["p2p"]["listen"]) {
    auto p2p = cfg.text("p2p", "listen", "");
    if (!p2p) return p2p.take_error();
    auto addr = host_port(p2p.value(), "p2p.listen");
    if (!addr) return addr.take_error();
    h.config.p2p_host = addr.value().first;
    h.config.p2p_port = addr.value().second;
  }
  auto peers = cfg.strings("p2p", "persistent_peers", "NODE_ID@HOST:PORT strings");
  if (!peers) return peers.take_error();
  for (const auto& spec : peers.value()) {
    auto a = p2p::parse_peer_address(spec);
    if (!a) return make_error("config.toml: p2p.persistent_peers: " + a.error());
    h.config.persistent_peers.push_back(std::move(a).value());
  }
  auto max_peers = cfg.integer("p2p", "max_peers", 32, 1, 1000);
  if (!max_peers) return max_peers.take_error();
  h.config.max_peers = static_cast<size_t>(max_peers.value());
  auto mnist = cfg.text("datasets", "fashion_mnist", std::string(kernels::kDefaultFashionMnistDir));
  if (!mnist) return mnist.take_error();
  h.config.data_dir = (home / "data").string();
  h.config.signing_state_file = (home / "signing_state.json").string();
  h.config.fashion_mnist_dir = mnist.value();

  auto gtext = read_file(home / "genesis.json");
  if (!gtext) return gtext.take_error();
  auto g = ledger::parse_genesis(gtext.value());
  if (!g) return make_error("genesis.json: " + g.error());
  h.genesis = std::move(g).value();

  if (fs::exists(home / "validator_key.json")) {
    auto ktext = read_file(home / "validator_key.json");
    if (!ktext) return ktext.take_error();
    json k = json::parse(ktext.value(), nullptr, false);
    if (k.is_discarded() || !k.contains("seed") || !k["seed"].is_string())
      return make_error("validator_key.json: missing \"seed\"");
    auto seed = hash_from_hex(k["seed"].get<std::string>());
    if (!seed) return make_error("validator_key.json: seed: " + seed.error());
    h.validator_key = Ed25519Key::from_seed(seed.value());
  }
  return h;
}

}  // namespace vt::node
