#include "wallet/job_watch.h"

#include <chrono>
#include <iostream>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <thread>

#include "wallet/wallet_client.h"

namespace vt::wallet {

namespace {

// What a person follows: status, phase, and each dispute's narrowing.
struct JobView {
  std::string status, phase;
  std::map<uint64_t, std::string> disputes;  // id -> "lo..hi turn" or its outcome

  static JobView of(const json& j) {
    JobView v;
    v.status = j["status"].get<std::string>();
    const json& pol = j["pol"];
    if (pol.is_object()) {
      v.phase = pol["phase"].get<std::string>();
      for (const json& d : pol["disputes"]) {
        std::string s = d["status"] == "open" ? "open"
                                              : "resolved: " + d["outcome"].get<std::string>() +
                                                    ", " + d["loser"].get<std::string>() + " lost";
        if (d.contains("lo") && d["status"] == "open")
          s += " at steps " + std::to_string(d["lo"].get<uint64_t>()) + ".." +
               std::to_string(d["hi"].get<uint64_t>()) + ", " + d["turn"].get<std::string>() +
               " to move by height " + std::to_string(d["deadline"].get<uint64_t>());
        v.disputes[d["id"].get<uint64_t>()] = s;
      }
    }
    return v;
  }
};

}  // namespace

bool job_finished(const json& j) {
  const std::string s = j["status"].get<std::string>();
  if (s == "open" || s == "accepted" || s == "committed" || s == "verifying") return false;
  if (j["pol"].is_object())
    for (const json& d : j["pol"]["disputes"])
      if (d["status"] == "open") return false;
  return true;
}

void add_job_watch(CLI::App& job, Globals& g) {
  struct Args {
    uint64_t id = 0;
    uint64_t interval_ms = 1000;
    uint64_t timeout_s = 0;
  };
  auto a = std::make_shared<Args>();
  auto* cmd = job.add_subcommand(
      "watch",
      "Follow a job live: status and phase changes, its transactions and dispute moves, until "
      "it is closed and its disputes resolved (with --json: one JSON object per line)");
  cmd->add_option("id", a->id, "Job id")->required();
  cmd->add_option("--interval-ms", a->interval_ms, "How often to ask the node")
      ->capture_default_str()
      ->check(CLI::Range(50, 60'000));
  cmd->add_option("--timeout", a->timeout_s, "Give up after this many seconds (0: never)");
  cmd->callback([a, &g] {
    WalletClient c(g.node);
    const auto start = std::chrono::steady_clock::now();
    auto say = [&g](uint64_t height, const json& event, const std::string& text) {
      if (g.json_output) {
        json line = event;
        line["height"] = height;
        std::cout << line.dump() << std::endl;
      } else {
        std::cout << "height " << height << ": " << text << std::endl;
      }
    };
    std::optional<JobView> seen;
    // Transactions shown so far: everything below `from`, and these hashes at it.
    uint64_t from = 0;
    std::set<std::string> shown_at_from;
    bool index = true;
    for (;;) {
      const json j = need(c.call("state_getJob", {{"id", a->id}}), "job " + std::to_string(a->id));
      const uint64_t height = need(c.call("chain_status"))["height"].get<uint64_t>();
      // Transactions that name the job, oldest first, each once.
      std::optional<std::string> cursor;
      while (index) {
        json params = {{"job", a->id}, {"order", "asc"}, {"limit", 100}, {"from_height", from}};
        if (cursor) params["cursor"] = *cursor;
        auto page = c.call("tx_search", params);
        if (!page) {  // e.g. a node that keeps no transaction index
          say(height, {{"event", "notice"}, {"message", page.error()}},
              "transactions not shown: " + page.error());
          index = false;
          break;
        }
        for (const json& t : page.value()["txs"]) {
          const uint64_t at = t["height"].get<uint64_t>();
          const std::string hash = t["hash"].get<std::string>();
          if (at == from && shown_at_from.count(hash) != 0) continue;
          if (at > from) {
            from = at;
            shown_at_from.clear();
          }
          shown_at_from.insert(hash);
          say(at, {{"event", "tx"}, {"tx", t}},
              t["type"].get<std::string>() + " from " + t["sender"].get<std::string>() + " " +
                  (t["success"].get<bool>()
                       ? "ok"
                       : "FAILED (" + t["code_name"].get<std::string>() + ")") +
                  "  " + hash);
        }
        if (page.value()["next"].is_null()) break;
        cursor = page.value()["next"].get<std::string>();
      }
      const JobView now = JobView::of(j);
      if (!seen || seen->status != now.status)
        say(height, {{"event", "status"}, {"status", now.status}}, "status " + now.status);
      if (!now.phase.empty() && (!seen || seen->phase != now.phase))
        say(height, {{"event", "phase"}, {"phase", now.phase}},
            "proof-of-learning phase " + now.phase);
      for (const auto& [id, text] : now.disputes) {
        const auto before = seen ? seen->disputes.find(id) : now.disputes.end();
        if (!seen || before == seen->disputes.end() || before->second != text)
          say(height, {{"event", "dispute"}, {"dispute", id}, {"state", text}},
              "dispute " + std::to_string(id) + " " + text);
      }
      seen = now;
      if (job_finished(j)) {
        say(height, {{"event", "finished"}, {"status", now.status}},
            "job " + std::to_string(a->id) + " finished: " + now.status);
        return;
      }
      if (a->timeout_s != 0 &&
          std::chrono::steady_clock::now() - start > std::chrono::seconds(a->timeout_s))
        throw CliError("job " + std::to_string(a->id) + " still " + now.status + " after " +
                       std::to_string(a->timeout_s) + " s (--timeout)");
      std::this_thread::sleep_for(std::chrono::milliseconds(a->interval_ms));
    }
  });
}

}  // namespace vt::wallet
