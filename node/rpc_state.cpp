// state_* and account_*: accounts, providers, jobs, verifiers, disputes, slashes, params and data
// sets, at the head or a past height, with proofs.
#include "core/bech32m.h"
#include "ledger/pol_queries.h"
#include "ledger/state_access.h"
#include "node/chain_audit.h"
#include "node/json_views.h"
#include "node/node.h"
#include "node/pol_view.h"
#include "node/rpc_methods.h"
#include "node/rpc_queries.h"
#include "node/tx_index.h"
#include "rpc/method_table.h"
#include "verifier/commitment.h"

namespace vt::node {

void register_state_methods(rpc::MethodTable& t, Node& node) {
  t.add({"state_getAccount",
         "An account's balance and next nonce (zero for an unknown address); pending_nonce also "
         "counts the "
         "account's transactions waiting in the mempool.",
         {{"address", ParamType::String, true, "vt1... address"}, kHeightParam, kProveParam},
         "account",
         object_schema<ledger::Account>(
             {{"address", kAddress}, {"pending_nonce", kInteger}, {"proof", kProofSchema}}),
         [&node](const rpc::Params& p) -> RpcOutcome {
           auto a = address_from_string(p.str("address"));
           if (!a) return invalid("address: " + a.error());
           StateView view;
           if (auto e = open_state_view(node, p, view)) return *e;
           ledger::Account acc = ledger::read_account(*view.reader, a.value());
           if (auto e = history_error(view)) return *e;
           json out = to_json(acc, a.value());
           out["pending_nonce"] = view.at_head() || view.height == node.head().height
                                      ? node.mempool().next_nonce(a.value(), acc.nonce)
                                      : acc.nonce;
           auto proof = proof_json(view, p, ledger::keys::account(a.value()));
           if (!proof.ok()) return proof;
           out["proof"] = proof.result();
           return out;
         }});

  t.add({"account_getTransactions",
         "Hashes of transactions sent or received by an account, newest first.",
         {{"address", ParamType::String, true, "vt1... address"},
          {"limit", ParamType::Integer, false, "at most this many (default 50, max 500)"}},
         "hashes",
         {{"type", "array"}, {"items", kString}},
         [&node](const rpc::Params& p) -> RpcOutcome {
           auto a = address_from_string(p.str("address"));
           if (!a) return invalid("address: " + a.error());
           if (auto e = need_tx_index(node)) return *e;
           uint64_t limit = p.u64_or("limit", 50);
           if (limit == 0 || limit > 500) return invalid("limit: must be 1 to 500");
           auto hashes = node.chain().account_txs(a.value(), limit);
           if (!hashes) return internal(hashes.error());
           json out = json::array();
           for (const auto& h : hashes.value()) out.push_back(to_hex(h));
           return out;
         }});

  t.add({"state_getProvider",
         "A registered provider: stake, locked bonds, endpoint, record.",
         {{"address", ParamType::String, true, "provider's vt1... address"}, kHeightParam},
         "provider",
         object_schema<ledger::Provider>(),
         [&node](const rpc::Params& p) -> RpcOutcome {
           auto a = address_from_string(p.str("address"));
           if (!a) return invalid("address: " + a.error());
           StateView view;
           if (auto e = open_state_view(node, p, view)) return *e;
           auto prov = ledger::read_provider(*view.reader, a.value());
           if (auto e = history_error(view)) return *e;
           if (!prov) return not_found("no provider registered at " + p.str("address"));
           return to_json(*prov);
         }});

  t.add({"state_listProviders",
         "Registered providers in address order, paginated.",
         {{"after", ParamType::String, false, "continue after this address"},
          {"limit", ParamType::Integer, false, "at most this many (default 100, max 1000)"}},
         "page",
         schema_object(
             {{"providers", {{"type", "array"}, {"items", object_schema<ledger::Provider>()}}},
              {"next", {{"type", {"string", "null"}}}}}),
         [&node](const rpc::Params& p) -> RpcOutcome {
           auto page = AddressPage::from(p);
           if (!page) return invalid(page.error());
           node.state().scan(ledger::keys::prefix(ledger::keys::kProvider),
                             [&](const Bytes&, const Bytes& v) {
                               auto prov = ledger::decode_provider(v).value();
                               return page->offer(prov.owner, to_json(prov));
                             });
           return page->result("providers");
         }});

  t.add({"state_getJob",
         "A job: escrow, bond, status, provider, deadlines, its spec document and, once "
         "committed, its proof-of-learning record (pol: commitment root and fields, the heights "
         "of sampling, commit deadline, reveal deadline and settlement, each sampled segment "
         "with its verifier, attestation status, probe offset once drawn and judged result, the "
         "job's disputes and slashes).",
         {{"id", ParamType::Integer, true, "job id"}, kHeightParam, kProveParam},
         "job",
         object_schema<ledger::Job>({{"spec", {{"type", {"object", "null"}}}},
                                     {"pol", pol_schema()},
                                     {"proof", kProofSchema}}),
         [&node](const rpc::Params& p) -> RpcOutcome {
           StateView view;
           if (auto e = open_state_view(node, p, view)) return *e;
           auto j = ledger::read_job(*view.reader, p.u64("id"));
           if (auto e = history_error(view)) return *e;
           if (!j)
             return not_found("no job " + std::to_string(p.u64("id")) + " at height " +
                              std::to_string(view.height));
           json out = job_json(*view.reader, view.height, node.state(), *j);
           if (auto e = history_error(view)) return *e;
           auto proof = proof_json(view, p, ledger::keys::job(j->id));
           if (!proof.ok()) return proof;
           out["proof"] = proof.result();
           return out;
         }});

  t.add(
      {"state_listJobs",
       "Jobs in id order, filtered by status, client or provider; paginated by id.",
       {{"status", ParamType::String, false,
         "open, accepted, committed, verifying, settled, slashed, expired or cancelled"},
        {"client", ParamType::String, false, "client's vt1... address"},
        {"provider", ParamType::String, false, "provider's vt1... address"},
        {"after", ParamType::Integer, false, "continue after this job id"},
        {"limit", ParamType::Integer, false, "at most this many (default 100, max 1000)"}},
       "page",
       schema_object({{"jobs", {{"type", "array"}, {"items", object_schema<ledger::Job>()}}},
                      {"next", {{"type", {"integer", "null"}}}}}),
       [&node](const rpc::Params& p) -> RpcOutcome {
         std::optional<ledger::JobStatus> status;
         if (p.has("status")) {
           status = ledger::job_status_from_name(p.str("status"));
           if (!status) return invalid("status: unknown job status '" + p.str("status") + "'");
         }
         std::optional<Address> client, provider;
         for (auto [name, dst] : {std::pair{"client", &client}, std::pair{"provider", &provider}}) {
           if (!p.has(name)) continue;
           auto a = address_from_string(p.str(name));
           if (!a) return invalid(std::string(name) + ": " + a.error());
           *dst = a.value();
         }
         auto page = IdPage::from(p);
         if (!page) return invalid(page.error());
         node.state().scan(ledger::keys::prefix(ledger::keys::kJob),
                           [&](const Bytes&, const Bytes& v) {
                             auto j = ledger::decode_job(v).value();
                             if (status && j.status != *status) return true;
                             if (client && j.client != *client) return true;
                             if (provider && j.provider != provider) return true;
                             return page->offer(j.id, to_json(j));
                           });
         return page->result("jobs");
       }});

  t.add({"state_getVerifier",
         "A registered verifier: stake, registration height, segments assigned and agreed.",
         {{"address", ParamType::String, true, "verifier's vt1... address"}, kHeightParam},
         "verifier",
         object_schema<ledger::Verifier>(),
         [&node](const rpc::Params& p) -> RpcOutcome {
           auto a = address_from_string(p.str("address"));
           if (!a) return invalid("address: " + a.error());
           StateView view;
           if (auto e = open_state_view(node, p, view)) return *e;
           auto v = ledger::read_verifier(*view.reader, a.value());
           if (auto e = history_error(view)) return *e;
           if (!v) return not_found("no verifier registered at " + p.str("address"));
           return verifier_json(*v);
         }});

  t.add({"state_listVerifiers",
         "Registered verifiers in address order (the sampling candidate order), paginated.",
         {{"after", ParamType::String, false, "continue after this address"},
          {"limit", ParamType::Integer, false, "at most this many (default 100, max 1000)"}},
         "page",
         schema_object(
             {{"verifiers", {{"type", "array"}, {"items", object_schema<ledger::Verifier>()}}},
              {"next", {{"type", {"string", "null"}}}}}),
         [&node](const rpc::Params& p) -> RpcOutcome {
           auto page = AddressPage::from(p);
           if (!page) return invalid(page.error());
           for (const ledger::Verifier& v : ledger::read_verifiers(node.state()))
             if (!page->offer(v.owner, verifier_json(v))) break;
           return page->result("verifiers");
         }});

  t.add({"state_getCheckpointProof",
         "The Merkle inclusion proof of a committed checkpoint's state hash under the job's "
         "commitment root: a verifier or client that downloaded checkpoint `index` (blob_get) "
         "checks its tensors' state hash against the root with it "
         "(verifier::verify_proof; proof = u64 index | u64 leaf_count | u32 n | n x 32 bytes).",
         {{"job_id", ParamType::Integer, true, "job id"},
          {"index", ParamType::Integer, true, "checkpoint index (0 = the initial state)"}},
         "proof",
         schema_object({{"job_id", kInteger},
                        {"index", kInteger},
                        {"step", kInteger},
                        {"state_hash", kString},
                        {"commitment_root", kString},
                        {"leaf_count", kInteger},
                        {"proof", kString}}),
         [&node](const rpc::Params& p) -> RpcOutcome {
           const uint64_t id = p.u64("job_id"), index = p.u64("index");
           auto raw = node.state().get(ledger::keys::commitment(id));
           if (!raw) return not_found("job " + std::to_string(id) + " has no commitment");
           auto c = verifier::decode_commitment(*raw);
           if (!c) return internal("stored commitment: " + c.error());
           if (index >= c->checkpoints.size())
             return invalid("index: the commitment has " + std::to_string(c->checkpoints.size()) +
                            " checkpoints");
           auto proof = verifier::make_proof(c->checkpoints, index);
           if (!proof) return internal(proof.error());
           return json{{"job_id", id},
                       {"index", index},
                       {"step", verifier::checkpoint_step(index, c->steps, c->interval)},
                       {"state_hash", to_hex(c->checkpoints[index])},
                       {"commitment_root", to_hex(verifier::commitment_root(*c))},
                       {"leaf_count", c->checkpoints.size()},
                       {"proof", to_hex(verifier::encode(*proof))}};
         }});

  t.add({"state_getDispute",
         "A dispute between a job's provider and one of its verifiers: its kind (end, probe or "
         "availability), the bisection state (lo, hi, the agreed hash at lo, both claims at hi, "
         "whose turn, the provider's pending midpoint, the deadline) and, once resolved, the "
         "loser, the outcome and the referee's hash.",
         {{"id", ParamType::Integer, true, "dispute id"}, kHeightParam},
         "dispute",
         dispute_schema(),
         [&node](const rpc::Params& p) -> RpcOutcome {
           StateView view;
           if (auto e = open_state_view(node, p, view)) return *e;
           auto d = ledger::read_dispute(*view.reader, p.u64("id"));
           if (auto e = history_error(view)) return *e;
           if (!d) return not_found("no dispute " + std::to_string(p.u64("id")));
           return to_json(*d);
         }});

  t.add({"state_listDisputes",
         "Disputes in id order, filtered by job, status or party; paginated by id.",
         {{"job_id", ParamType::Integer, false, "only this job's disputes"},
          {"status", ParamType::String, false, "open or resolved"},
          {"party", ParamType::String, false, "provider's or challenger's vt1... address"},
          {"after", ParamType::Integer, false, "continue after this dispute id"},
          {"limit", ParamType::Integer, false, "at most this many (default 100, max 1000)"}},
         "page",
         schema_object({{"disputes", {{"type", "array"}, {"items", dispute_schema()}}},
                        {"next", {{"type", {"integer", "null"}}}}}),
         [&node](const rpc::Params& p) -> RpcOutcome {
           std::optional<bool> want_open;
           if (p.has("status")) {
             if (p.str("status") != "open" && p.str("status") != "resolved")
               return invalid("status: must be open or resolved");
             want_open = p.str("status") == "open";
           }
           std::optional<Address> party;
           if (p.has("party")) {
             auto a = address_from_string(p.str("party"));
             if (!a) return invalid("party: " + a.error());
             party = a.value();
           }
           auto page = IdPage::from(p);
           if (!page) return invalid(page.error());
           node.state().scan(ledger::keys::prefix(ledger::keys::kDispute),
                             [&](const Bytes&, const Bytes& v) {
                               auto d = ledger::decode_dispute_record(v).value();
                               if (p.has("job_id") && d.job_id != p.u64("job_id")) return true;
                               if (want_open && d.open() != *want_open) return true;
                               if (party && d.provider != *party && d.challenger != *party)
                                 return true;
                               return page->offer(d.id, to_json(d));
                             });
           return page->result("disputes");
         }});

  t.add({"state_listSlashes",
         "Slashes in order: who lost how much (a provider's bond or a verifier's stake), why, "
         "what went to the winner and to agreeing verifiers and what was burned; filtered by "
         "job or offender, paginated by id. Also returns the total ever burned.",
         {{"job_id", ParamType::Integer, false, "only this job's slashes"},
          {"offender", ParamType::String, false, "only slashes of this vt1... address"},
          {"after", ParamType::Integer, false, "continue after this slash id"},
          {"limit", ParamType::Integer, false, "at most this many (default 100, max 1000)"}},
         "page",
         schema_object({{"slashes", {{"type", "array"}, {"items", slash_schema()}}},
                        {"next", {{"type", {"integer", "null"}}}},
                        {"burned_total", kAmount}}),
         [&node](const rpc::Params& p) -> RpcOutcome {
           std::optional<Address> offender;
           if (p.has("offender")) {
             auto a = address_from_string(p.str("offender"));
             if (!a) return invalid("offender: " + a.error());
             offender = a.value();
           }
           auto page = IdPage::from(p);
           if (!page) return invalid(page.error());
           auto offer = [&](const ledger::SlashRecord& s) {
             if (offender && s.offender != *offender) return true;
             return page->offer(s.id, to_json(s));
           };
           if (p.has("job_id")) {  // through the job's slash index
             for (const auto& s : ledger::slashes_of_job(node.state(), p.u64("job_id")))
               if (!offer(s)) break;
           } else {
             node.state().scan(ledger::keys::prefix(ledger::keys::kSlash),
                               [&](const Bytes&, const Bytes& v) {
                                 return offer(ledger::decode_slash_record(v).value());
                               });
           }
           json out = page->result("slashes");
           out["burned_total"] =
               std::to_string(ledger::read_counter(node.state(), ledger::keys::kBurned));
           return out;
         }});

  t.add({"state_getParams",
         "The chain parameters set at genesis.",
         {},
         "params",
         {{"type", "object"}},
         [&node](const rpc::Params&) -> RpcOutcome { return to_json(node.params()); }});

  t.add({"state_listDatasets",
         "The data sets jobs may name (the genesis registry): name and the SHA-256 of each "
         "decompressed IDX file, as a job spec's dataset object spells them. job_submit refuses "
         "any other.",
         {},
         "datasets",
         schema_object({{"datasets", {{"type", "array"}}}}),
         [&node](const rpc::Params&) -> RpcOutcome {
           json list = json::array();
           for (const ledger::DatasetEntry& d : ledger::read_datasets(node.state()))
             list.push_back({{"id", to_hex(ledger::dataset_id(d))},
                             {"name", d.name},
                             {"train_images_sha256", to_hex(d.train_images)},
                             {"train_labels_sha256", to_hex(d.train_labels)},
                             {"test_images_sha256", to_hex(d.test_images)},
                             {"test_labels_sha256", to_hex(d.test_labels)}});
           return json{{"datasets", list}};
         }});
}

}  // namespace vt::node
