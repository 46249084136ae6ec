// Localnet throughput: the load generator of bench/localnet (docs/performance.md,
// "Localnet throughput (4 validators)").
// Usage: bench_localnet_loadgen FAUCET_SECRET_FILE URL [URL...] [--accounts A]
//          [--rates R1,R2,...] [--step-s S] [--batch B] [--window W]
// Defaults: 2000 accounts, rates 1000,2000,3000,3500,4000,5000,6000, 15 s steps,
// batches of 100, window 32.
//
// 1. Funds A accounts from the faucet through a tree: the faucet funds A/W
//    distributors, each of which funds W accounts (a few blocks in all).
// 2. Pre-signs every transfer the ramp may need (R1*S + R2*S + ...), all to one
//    sink, so the figures are the nodes', not our signing speed.
// 3. Ramp: step i offers R_i tx_submit calls per second for S seconds, spread
//    over the URLs: one thread per URL, each with one kept-alive HTTP/1.1
//    connection, sending JSON-RPC batches (a JSON array of up to B tx_submit
//    requests in one POST). Account a always goes to URL a mod U, so its nonces
//    reach one node in order. A thread that falls behind its step's schedule
//    drops the backlog at the next step. The ramp ends after the first step in
//    which the chain commits less than 75% of the offered rate or the nodes admit
//    less than 90% of it (saturation), or after the last rate.
// 4. A follower thread reads every block from the first URL: a transfer's latency
//    runs from the POST that carried it to the first sight of its block there.
//    Then waits until every admitted transfer is committed.
// 5. Checks the state: the sink holds one unit per transfer; every account's
//    nonce is the number of its transfers and its balance what funding left.
// With the figures it prints the machine's speed, timed before the ramp and after
// the drain (one BIP-340 check, single-threaded): this VM's speed drifts, and
// figures compare only between runs of about the same speed.
//
// Pacing: each sender keeps at most W (default 32, half the mempool's nonce-gap
// limit, since the node a sender uses may be a block behind the follower's) of
// its transfers unconfirmed. "mempool is full" refusals are retried; any other
// refusal, RPC error, or 60 s without a commit fails the run (exit 1).
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <condition_variable>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <deque>
#include <fstream>
#include <iostream>
#include <mutex>
#include <sstream>
#include <string>
#include <thread>
#include <unordered_map>
#include <vector>

#include "core/bech32m.h"
#include "core/keys.h"
#include "ledger/transaction.h"
#include "rpc/method_table.h"

using namespace vt;
using nlohmann::json;
using Clock = std::chrono::steady_clock;

namespace {

constexpr auto kStall = std::chrono::seconds(60);  // no commit for this long: give up
constexpr auto kMinBatchGap = std::chrono::milliseconds(10);

[[noreturn]] void fail(const std::string& why) {
  std::cerr << "bench_localnet_loadgen: FAILED: " << why << "\n";
  std::fflush(stdout);
  std::_Exit(1);  // other threads may be inside a call: do not unwind them
}

double seconds(Clock::duration d) {
  return std::chrono::duration<double>(d).count();
}

// User + system CPU time this process has used so far.
double cpu_seconds() {
  rusage u{};
  getrusage(RUSAGE_SELF, &u);
  auto s = [](const timeval& t) { return static_cast<double>(t.tv_sec) + t.tv_usec / 1e6; };
  return s(u.ru_utime) + s(u.ru_stime);
}

// A JSON-RPC client over one kept-alive HTTP/1.1 connection (POST /), reopened
// when the server closes it or when it has been idle for a while (the node
// drops connections idle for 15 s). Any error fails the run.
class HttpConnection {
 public:
  explicit HttpConnection(const std::string& url) : url_(url) {
    const std::string prefix = "http://";
    const size_t colon = url.rfind(':');
    if (url.rfind(prefix, 0) != 0 || colon < prefix.size())
      fail("not an http://HOST:PORT URL: " + url);
    host_ = url.substr(prefix.size(), colon - prefix.size());
    port_ = url.substr(colon + 1);
    while (!port_.empty() && port_.back() == '/') port_.pop_back();
  }
  ~HttpConnection() { close(); }
  HttpConnection(const HttpConnection&) = delete;
  HttpConnection& operator=(const HttpConnection&) = delete;

  json post(const json& request) {
    const std::string answer = post_text(request.dump());
    json parsed = json::parse(answer, nullptr, /*allow_exceptions=*/false);
    if (parsed.is_discarded()) fail(url_ + " answered with invalid JSON: " + answer);
    return parsed;
  }

  // One POST of a JSON text; the answer's body as text.
  std::string post_text(const std::string& body) {
    if (fd_ >= 0 && Clock::now() - last_used_ > std::chrono::seconds(10)) close();
    if (fd_ < 0) open();
    send_all("POST / HTTP/1.1\r\nHost: " + host_ + ":" + port_ +
             "\r\nContent-Type: application/json\r\nContent-Length: " +
             std::to_string(body.size()) + "\r\n\r\n" + body);
    size_t end;
    while ((end = in_.find("\r\n\r\n")) == std::string::npos) read_more();
    std::string header = in_.substr(0, end);
    in_.erase(0, end + 4);
    std::transform(header.begin(), header.end(), header.begin(),
                   [](unsigned char ch) { return static_cast<char>(std::tolower(ch)); });
    const size_t length_at = header.find("\r\ncontent-length:");
    if (length_at == std::string::npos) fail(url_ + " answered without a Content-Length");
    const size_t length = std::strtoull(header.c_str() + length_at + 17, nullptr, 10);
    while (in_.size() < length) read_more();
    const std::string answer = in_.substr(0, length);
    in_.erase(0, length);
    if (header.find("\r\nconnection: close") != std::string::npos) close();
    last_used_ = Clock::now();
    if (header.rfind("http/1.1 200", 0) != 0)
      fail(url_ + " answered " + header.substr(0, header.find('\r')) + ": " + answer);
    return answer;
  }

  // One call: its result, or the run fails.
  json call(const std::string& method, const json& params = json::object()) {
    json r = post({{"jsonrpc", "2.0"}, {"id", 1}, {"method", method}, {"params", params}});
    if (!r.contains("result")) fail(method + " at " + url_ + ": " + r.dump());
    return r["result"];
  }

  // One batch (one POST): the answers in the order of the requests.
  std::vector<json> batch(const std::string& method, const std::vector<json>& params) {
    json request = json::array();
    for (size_t i = 0; i < params.size(); ++i)
      request.push_back({{"jsonrpc", "2.0"}, {"id", i}, {"method", method}, {"params", params[i]}});
    return answers_by_id(post_text(request.dump()), params.size(), method);
  }

  // A batch's answer text (requests with ids 0..count-1) as its answers in id order.
  std::vector<json> answers_by_id(const std::string& text, size_t count,
                                  const std::string& method) {
    json answer = json::parse(text, nullptr, /*allow_exceptions=*/false);
    if (!answer.is_array() || answer.size() != count)
      fail("a batch of " + std::to_string(count) + " " + method + " at " + url_ +
           " was answered with " + text.substr(0, 300));
    std::vector<json> out(count);
    for (json& a : answer) {
      const size_t id = a.value("id", count);
      if (id >= count) fail("a batch answer without a known id: " + a.dump());
      out[id] = std::move(a);
    }
    return out;
  }

  const std::string& url() const { return url_; }

 private:
  void open() {
    addrinfo hints{};
    hints.ai_socktype = SOCK_STREAM;
    addrinfo* found = nullptr;
    if (getaddrinfo(host_.c_str(), port_.c_str(), &hints, &found) != 0 || !found)
      fail("cannot resolve " + url_);
    fd_ = socket(found->ai_family, found->ai_socktype, found->ai_protocol);
    const bool ok = fd_ >= 0 && ::connect(fd_, found->ai_addr, found->ai_addrlen) == 0;
    freeaddrinfo(found);
    if (!ok) fail("cannot connect to " + url_ + ": " + std::strerror(errno));
    const int one = 1;
    setsockopt(fd_, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    const timeval timeout{30, 0};  // a node that stops answering fails the run
    setsockopt(fd_, SOL_SOCKET, SO_RCVTIMEO, &timeout, sizeof timeout);
    in_.clear();
  }
  void close() {
    if (fd_ >= 0) ::close(fd_);
    fd_ = -1;
  }
  void send_all(const std::string& data) {
    for (size_t done = 0; done < data.size();) {
      const ssize_t n = ::send(fd_, data.data() + done, data.size() - done, MSG_NOSIGNAL);
      if (n < 0 && errno == EINTR) continue;
      if (n <= 0) fail("sending to " + url_ + ": " + std::strerror(errno));
      done += static_cast<size_t>(n);
    }
  }
  void read_more() {
    char buf[65536];
    ssize_t n;
    do n = ::recv(fd_, buf, sizeof buf, 0);
    while (n < 0 && errno == EINTR);
    if (n == 0) fail(url_ + " closed the connection");
    if (n < 0) fail("reading from " + url_ + ": " + std::strerror(errno));
    in_.append(buf, static_cast<size_t>(n));
  }

  std::string url_, host_, port_;
  int fd_ = -1;
  std::string in_;  // received bytes not yet consumed
  Clock::time_point last_used_;
};

uint64_t amount_of(const json& v) {
  if (v.is_number_unsigned()) return v.get<uint64_t>();
  if (v.is_string()) return std::stoull(v.get<std::string>());
  fail("not an amount: " + v.dump());
}

// A transfer, signed and encoded, ready to submit.
struct SignedTx {
  std::string hex;   // canonical encoding
  std::string hash;  // tx hash as the node reports it
  uint32_t sender;   // index into the senders (accounts, distributors, faucet)
};

SignedTx transfer(const SchnorrKey& from, uint32_t sender, const Address& to, uint64_t amount,
                  uint64_t nonce, uint64_t fee, const std::string& chain) {
  ledger::Transaction tx;
  tx.chain_id = chain;
  tx.nonce = nonce;
  tx.fee = fee;
  tx.msg = ledger::Transfer{to, amount};
  ledger::sign(tx, from);
  return {to_hex(ledger::encode(tx)), to_hex(ledger::tx_hash(tx)), sender};
}

// The machine's speed now: microseconds per BIP-340 check of `txs`' signatures
// (the best of three passes, single-threaded). This VM's speed drifts by a third
// between hours, so each run prints it before the ramp and after the drain, and
// only runs of about the same speed compare.
double verify_us(const std::vector<ledger::Transaction>& txs) {
  double best = 1e100;
  for (int pass = 0; pass < 3; ++pass) {
    const auto start = Clock::now();
    for (const auto& tx : txs)
      if (!ledger::signature_valid(tx)) fail("a pre-signed transfer does not verify");
    best = std::min(best, seconds(Clock::now() - start));
  }
  return 1e6 * best / static_cast<double>(txs.size());
}

// What the submitters, the follower and the main thread share (under m).
struct Shared {
  std::mutex m;
  std::condition_variable cv;
  std::vector<SignedTx> txs;
  std::vector<Clock::time_point> submitted_at, committed_at;  // per tx; {} = not yet
  std::vector<int> step_of;                                   // per tx: -1 funding
  std::unordered_map<std::string, uint32_t> pending;          // hash -> tx, admitted, not seen
  std::vector<uint32_t> in_flight;                            // per sender
  std::vector<uint32_t> admitted;                             // per sender
  uint64_t admitted_total = 0, committed_total = 0, retries = 0;
  Clock::time_point last_progress = Clock::now();
  uint32_t window = 32;
  size_t batch = 100;
  // The ramp, set by the main thread: the step (-1 before, steps.size() after) and its rate.
  int step = -1;
  size_t steps = 0;
  Clock::time_point step_start;
  double rate_per_url = 0;
  bool stop_follower = false;
};

void check_stall(Shared& s) {
  if (Clock::now() - s.last_progress > kStall)
    fail(std::to_string(s.pending.size()) + " transactions pending and none committed for " +
         std::to_string(kStall.count()) + " s");
}

// True when `answer` is exactly what the node writes when it admits every one
// of `sent` (the batch's ids 0..n-1, in order): [{"id":k,"jsonrpc":"2.0",
// "result":{"hash":H}},...] with each H the transaction's own hash. Anything
// else (a refusal, another order or spacing) is false and goes to the full parse.
bool all_admitted(std::string_view answer, const Shared& s, const std::vector<uint32_t>& sent) {
  size_t at = 0;
  auto take = [&](std::string_view part) {
    if (answer.substr(at, part.size()) != part) return false;
    at += part.size();
    return true;
  };
  if (!take("[")) return false;
  for (size_t k = 0; k < sent.size(); ++k) {
    if (k > 0 && !take(",")) return false;
    if (!take(R"({"id":)") || !take(std::to_string(k)) ||
        !take(R"(,"jsonrpc":"2.0","result":{"hash":")") || !take(s.txs[sent[k]].hash) ||
        !take("\"}}"))
      return false;
  }
  return take("]") && at == answer.size();
}

// Sends up to `max` transactions from the front of `retry`, then `queue`, in one
// batch, each only while its sender has room in its window; puts those refused
// with "mempool is full" back on `retry`. Returns how many it sent.
size_t submit_batch(HttpConnection& c, Shared& s, std::deque<uint32_t>& retry,
                    std::deque<uint32_t>& queue, size_t max) {
  std::vector<uint32_t> sent;
  std::string body = "[";
  {
    std::lock_guard<std::mutex> lock(s.m);
    const auto now = Clock::now();
    for (auto* q : {&retry, &queue}) {
      while (sent.size() < max && !q->empty()) {
        const uint32_t i = q->front();
        const SignedTx& tx = s.txs[i];
        if (s.in_flight[tx.sender] >= s.window) break;
        q->pop_front();
        // Pending before the POST: the block holding it may be seen before the answer.
        ++s.in_flight[tx.sender];
        s.pending[tx.hash] = i;
        if (s.submitted_at[i] == Clock::time_point{}) {
          s.submitted_at[i] = now;
          s.step_of[i] = s.step < 0 ? -1 : s.step;
        }
        // The batch as text: a JSON tree per request, and another per answer,
        // cost this process (which shares the cores with the validators it
        // measures) most of its time per transfer.
        if (!sent.empty()) body += ',';
        body += R"({"jsonrpc":"2.0","id":)" + std::to_string(sent.size()) +
                R"(,"method":"tx_submit","params":{"tx":")" + tx.hex + "\"}}";
        sent.push_back(i);
      }
    }
  }
  if (sent.empty()) return 0;
  body += ']';
  const std::string answer = c.post_text(body);
  std::vector<json> answers;
  if (!all_admitted(answer, s, sent)) answers = c.answers_by_id(answer, sent.size(), "tx_submit");
  std::lock_guard<std::mutex> lock(s.m);
  if (answers.empty()) {  // every one admitted, with the hash expected
    for (uint32_t i : sent) {
      ++s.admitted[s.txs[i].sender];
      ++s.admitted_total;
    }
    return sent.size();
  }
  std::vector<uint32_t> full;
  for (size_t k = 0; k < sent.size(); ++k) {
    const SignedTx& tx = s.txs[sent[k]];
    const json& a = answers[k];
    if (a.contains("result")) {
      if (a["result"].value("hash", "") != tx.hash)
        fail("tx_submit answered hash " + a["result"].dump() + ", expected " + tx.hash);
      ++s.admitted[tx.sender];
      ++s.admitted_total;
      continue;
    }
    if (a["error"].value("code", 0) != rpc::kMempoolFull)
      fail("tx_submit at " + c.url() + " refused transaction " + tx.hash + ": " + a.dump());
    --s.in_flight[tx.sender];
    s.pending.erase(tx.hash);
    full.push_back(sent[k]);
    ++s.retries;
  }
  retry.insert(retry.begin(), full.begin(), full.end());
  return sent.size();
}

// Follows the chain at `url` from `from_height`: every transaction of ours found
// in a block is committed at the time the block was first seen.
void follow(const std::string& url, uint64_t from_height, Shared& s) {
  HttpConnection c(url);
  for (uint64_t next = from_height + 1;;) {
    {
      std::lock_guard<std::mutex> lock(s.m);
      if (s.stop_follower) return;
    }
    const uint64_t height = c.call("chain_status")["height"].get<uint64_t>();
    for (; next <= height; ++next) {
      // Hashes only: the full transactions cost the node and this process
      // about 10 us per transfer to write and parse.
      const json block = c.call("chain_getBlock", {{"height", next}, {"tx_hashes", true}});
      const auto now = Clock::now();
      std::lock_guard<std::mutex> lock(s.m);
      for (const json& tx : block["txs"]) {
        auto it = s.pending.find(tx.get<std::string>());
        if (it == s.pending.end()) continue;
        s.committed_at[it->second] = now;
        --s.in_flight[s.txs[it->second].sender];
        ++s.committed_total;
        s.pending.erase(it);
        s.last_progress = now;
      }
      s.cv.notify_all();
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
}

// Waits until every admitted transaction is committed.
void wait_all(Shared& s) {
  std::unique_lock<std::mutex> lock(s.m);
  while (!s.pending.empty()) {
    check_stall(s);
    s.cv.wait_for(lock, std::chrono::milliseconds(100));
  }
}

// Submits every transaction in `queue` (as fast as windows allow) and waits for all to commit.
void submit_all(HttpConnection& c, Shared& s, std::deque<uint32_t> queue) {
  std::deque<uint32_t> retry;
  while (!queue.empty() || !retry.empty()) {
    if (submit_batch(c, s, retry, queue, s.batch) > 0) continue;
    std::unique_lock<std::mutex> lock(s.m);
    check_stall(s);
    s.cv.wait_for(lock, kMinBatchGap);
  }
  wait_all(s);
}

// One per URL during the ramp: keeps to the step's rate (its share of it) until
// the ramp is over, then sends what waits for a retry and returns.
void submitter(const std::string& url, Shared& s, std::deque<uint32_t> queue) {
  HttpConnection c(url);
  std::deque<uint32_t> retry;
  int my_step = -1;
  size_t sent_in_step = 0;
  for (;;) {
    size_t due = 0;
    {
      std::unique_lock<std::mutex> lock(s.m);
      if (s.step >= static_cast<int>(s.steps)) {
        if (retry.empty()) return;
        queue.clear();  // the ramp is over: only what waits for a retry still goes
        due = s.batch;
      } else if (s.step >= 0) {
        if (s.step != my_step) my_step = s.step, sent_in_step = 0;  // a backlog is dropped
        const auto allowed =
            static_cast<size_t>(s.rate_per_url * seconds(Clock::now() - s.step_start));
        due = allowed > sent_in_step ? std::min(allowed - sent_in_step, s.batch) : 0;
      }
      if (due == 0) {
        s.cv.wait_for(lock, kMinBatchGap);
        continue;
      }
    }
    const auto started = Clock::now();
    const size_t sent = submit_batch(c, s, retry, queue, due);
    sent_in_step += sent;
    if (sent == 0) {  // every sender at the front waits for room in its window
      std::lock_guard<std::mutex> lock(s.m);
      check_stall(s);
    }
    if (sent < s.batch) std::this_thread::sleep_until(started + kMinBatchGap);
  }
}

struct Step {
  double offered, admitted, committed;  // per second, over the step
  uint64_t retries;                     // "mempool is full" refusals
};

// Runs the ramp over the transactions from `first_load` on (the k-th of them
// goes to URL k mod U) until saturation or the last rate; returns once every
// submitter has stopped. `saturated` says why it ended.
std::vector<Step> ramp(Shared& s, const std::vector<std::string>& urls,
                       const std::vector<double>& rates, double step_s, size_t first_load,
                       std::string& saturated) {
  s.steps = rates.size();
  std::vector<std::thread> submitters;
  for (size_t u = 0; u < urls.size(); ++u) {
    std::deque<uint32_t> queue;
    for (size_t k = first_load + u; k < s.txs.size(); k += urls.size())
      queue.push_back(static_cast<uint32_t>(k));
    submitters.emplace_back(submitter, urls[u], std::ref(s), std::move(queue));
  }
  std::vector<Step> steps;
  saturated = "not saturated by the highest rate";
  for (size_t i = 0; i < rates.size(); ++i) {
    uint64_t admitted0, committed0, retries0;
    {
      std::lock_guard<std::mutex> lock(s.m);
      s.step = static_cast<int>(i);
      s.step_start = Clock::now();
      s.rate_per_url = rates[i] / static_cast<double>(urls.size());
      admitted0 = s.admitted_total, committed0 = s.committed_total, retries0 = s.retries;
    }
    std::this_thread::sleep_for(std::chrono::duration<double>(step_s));
    std::lock_guard<std::mutex> lock(s.m);
    const double span = seconds(Clock::now() - s.step_start);
    steps.push_back({rates[i], static_cast<double>(s.admitted_total - admitted0) / span,
                     static_cast<double>(s.committed_total - committed0) / span,
                     s.retries - retries0});
    const Step& st = steps.back();
    std::printf("step %zu: offered %.0f tx/s, admitted %.0f tx/s, committed %.0f tx/s\n", i + 1,
                st.offered, st.admitted, st.committed);
    std::fflush(stdout);
    const std::string at = "saturated at step " + std::to_string(i + 1);
    if (st.admitted < 0.9 * st.offered) {
      saturated = at + " (the nodes admit less than 90% of the offered rate)";
      break;
    }
    if (st.committed < 0.75 * st.offered) {
      saturated = at + " (the chain commits less than 75% of the offered rate)";
      break;
    }
  }
  {
    std::lock_guard<std::mutex> lock(s.m);
    s.step = static_cast<int>(s.steps);
    s.cv.notify_all();
  }
  for (auto& t : submitters) t.join();
  return steps;
}

double percentile(std::vector<double>& v, double p) {
  if (v.empty()) return 0;
  std::sort(v.begin(), v.end());
  return v[static_cast<size_t>(p * static_cast<double>(v.size() - 1))];
}

std::vector<double> parse_rates(const std::string& text) {
  std::vector<double> out;
  std::stringstream in(text);
  for (std::string item; std::getline(in, item, ',');) out.push_back(std::atof(item.c_str()));
  return out;
}

}  // namespace

int main(int argc, char** argv) {
  std::vector<std::string> pos;
  uint32_t accounts = 2000;  // defaults: the real-size run of run.sh
  std::string rates_text = "1000,2000,3000,3500,4000,5000,6000";
  double step_s = 15;
  Shared s;
  for (int i = 1; i < argc; ++i) {
    const std::string a = argv[i];
    const bool more = i + 1 < argc;
    if (a == "--accounts" && more)
      accounts = static_cast<uint32_t>(std::strtoul(argv[++i], nullptr, 10));
    else if (a == "--rates" && more)
      rates_text = argv[++i];
    else if (a == "--step-s" && more)
      step_s = std::atof(argv[++i]);
    else if (a == "--batch" && more)
      s.batch = std::strtoul(argv[++i], nullptr, 10);
    else if (a == "--window" && more)
      s.window = static_cast<uint32_t>(std::strtoul(argv[++i], nullptr, 10));
    else
      pos.push_back(a);
  }
  const std::vector<double> rates = parse_rates(rates_text);
  const bool rates_ok =
      !rates.empty() && std::all_of(rates.begin(), rates.end(), [](double r) { return r > 0; });
  if (pos.size() < 2 || accounts < 1 || !rates_ok || step_s <= 0 || s.batch < 1 || s.batch > 100 ||
      s.window < 1 || s.window > 64) {
    std::cerr << "usage: " << argv[0]
              << " FAUCET_SECRET_FILE URL [URL...] [--accounts A] [--rates R1,R2,...]"
                 " [--step-s S] [--batch B] [--window W]\n"
                 "  B: tx_submit calls per HTTP POST, 1..100 (the node's batch limit)\n"
                 "  W: unconfirmed transfers per sender, 1..64 (the mempool's nonce-gap limit)\n";
    return 2;
  }
  const std::vector<std::string> urls(pos.begin() + 1, pos.end());
  const auto n_urls = static_cast<uint32_t>(urls.size());
  accounts = (accounts + n_urls - 1) / n_urls * n_urls;  // account a goes to URL a mod U
  std::ifstream f(pos[0]);
  std::string secret_hex;
  f >> secret_hex;
  auto secret = hash_from_hex(secret_hex);
  if (!secret) fail("cannot read the faucet secret from " + pos[0]);
  const SchnorrKey faucet = SchnorrKey::from_secret(secret.value()).value();

  HttpConnection c0(urls[0]);
  const json params = c0.call("state_getParams");
  const std::string chain = params["chain_id"].get<std::string>();
  const uint64_t fee = amount_of(params["min_fee"]);  // transfers are far below the size fee
  const uint64_t amount = 1;
  size_t budget = 0;  // transfers the ramp may send
  for (double r : rates) budget += static_cast<size_t>(r * step_s);
  const uint64_t per_account = (budget + accounts - 1) / accounts;
  const uint64_t funding = per_account * (fee + amount);

  // Senders: 0..A-1 the accounts, then the distributors, then the faucet.
  const uint32_t distributors = (accounts + s.window - 1) / s.window;
  const uint32_t faucet_id = accounts + distributors;
  std::vector<SchnorrKey> keys;
  for (uint32_t i = 0; i < faucet_id; ++i) keys.push_back(SchnorrKey::generate());
  keys.push_back(faucet);
  s.in_flight.assign(keys.size(), 0);
  s.admitted.assign(keys.size(), 0);

  // 1. Funding: faucet -> distributors -> accounts.
  const uint64_t faucet_nonce = c0.call(
      "state_getAccount", {{"address", address_to_string(faucet.pubkey())}})["pending_nonce"];
  std::deque<uint32_t> level1, level2;
  std::vector<uint64_t> distributed(distributors, 0);
  for (uint32_t a = 0; a < accounts; ++a) {
    const uint32_t d = a / s.window;
    level2.push_back(static_cast<uint32_t>(s.txs.size()));
    s.txs.push_back(transfer(keys[accounts + d], accounts + d, keys[a].pubkey(), funding,
                             distributed[d]++, fee, chain));
  }
  for (uint32_t d = 0; d < distributors; ++d) {
    level1.push_back(static_cast<uint32_t>(s.txs.size()));
    s.txs.push_back(transfer(faucet, faucet_id, keys[accounts + d].pubkey(),
                             distributed[d] * (funding + fee), faucet_nonce + d, fee, chain));
  }
  // 2. The ramp's transfers: k-th from account k mod A (nonce k / A), so that
  // URL u's share is k = u, u + U, u + 2U, ... Signed on every core.
  const Address sink = SchnorrKey::generate().pubkey();
  const size_t first_load = s.txs.size();
  s.txs.resize(first_load + budget);
  const auto sign_start = Clock::now();
  {
    const unsigned n_threads = std::max(1u, std::thread::hardware_concurrency());
    std::vector<std::thread> signers;
    for (unsigned t = 0; t < n_threads; ++t)
      signers.emplace_back([&, t] {
        for (size_t k = t; k < budget; k += n_threads) {
          const auto a = static_cast<uint32_t>(k % accounts);
          s.txs[first_load + k] = transfer(keys[a], a, sink, amount, k / accounts, fee, chain);
        }
      });
    for (auto& t : signers) t.join();
  }
  const double sign_s = seconds(Clock::now() - sign_start);
  std::vector<ledger::Transaction> probe_txs;  // for verify_us: up to 1,000 of the ramp's
  for (size_t k = 0; k < std::min<size_t>(budget, 1000); ++k) {
    constexpr size_t kAnySize = 1 << 20;  // our own transfers, a few hundred bytes each
    auto tx = ledger::decode_transaction(from_hex(s.txs[first_load + k].hex).value(), kAnySize);
    if (!tx) fail("a pre-signed transfer does not decode: " + tx.error());
    probe_txs.push_back(std::move(tx).value());
  }
  s.submitted_at.assign(s.txs.size(), {});
  s.committed_at.assign(s.txs.size(), {});
  s.step_of.assign(s.txs.size(), -1);

  const uint64_t start_height = c0.call("chain_status")["height"].get<uint64_t>();
  std::thread follower(follow, urls[0], start_height, std::ref(s));
  const auto fund_start = Clock::now();
  submit_all(c0, s, level1);
  submit_all(c0, s, level2);
  const double fund_s = seconds(Clock::now() - fund_start);
  std::printf(
      "localnet load: %u endpoints, %u accounts funded through %u distributors in %.1f s; %zu "
      "transfers pre-signed in %.1f s\n",
      n_urls, accounts, distributors, fund_s, budget, sign_s);
  std::fflush(stdout);

  const double verify_before_us = verify_us(probe_txs);

  // 3. The ramp.
  const double cpu_at_ramp = cpu_seconds();
  uint64_t committed_at_ramp;
  {
    std::lock_guard<std::mutex> lock(s.m);
    committed_at_ramp = s.committed_total;
  }
  std::string saturated;
  const std::vector<Step> steps = ramp(s, urls, rates, step_s, first_load, saturated);
  const auto drain_start = Clock::now();
  wait_all(s);
  {
    std::lock_guard<std::mutex> lock(s.m);
    s.stop_follower = true;
  }
  follower.join();
  const double drain_s = seconds(Clock::now() - drain_start);
  const double cpu_us_per_tx = 1e6 * (cpu_seconds() - cpu_at_ramp) /
                               static_cast<double>(s.committed_total - committed_at_ramp);
  const double verify_after_us = verify_us(probe_txs);  // not in the ramp's CPU time

  // 4. The figures.
  std::printf("\n%-5s %12s %12s %14s %8s %8s %8s\n", "step", "offered tx/s", "admitted/s",
              "committed tx/s", "p50 ms", "p99 ms", "retries");
  size_t peak = 0;
  for (size_t i = 0; i < steps.size(); ++i) {
    std::vector<double> ms;
    for (size_t t = first_load; t < s.txs.size(); ++t)
      if (s.step_of[t] == static_cast<int>(i) && s.committed_at[t] != Clock::time_point{})
        ms.push_back(1000 * seconds(s.committed_at[t] - s.submitted_at[t]));
    std::printf("%-5zu %12.0f %12.0f %14.0f %8.0f %8.0f %8llu\n", i + 1, steps[i].offered,
                steps[i].admitted, steps[i].committed, percentile(ms, 0.50), percentile(ms, 0.99),
                static_cast<unsigned long long>(steps[i].retries));
    if (steps[i].committed > steps[peak].committed) peak = i;
  }
  std::vector<double> all_ms;
  size_t load_sent = 0;
  for (size_t t = first_load; t < s.txs.size(); ++t)
    if (s.submitted_at[t] != Clock::time_point{}) {
      ++load_sent;
      all_ms.push_back(1000 * seconds(s.committed_at[t] - s.submitted_at[t]));
    }
  std::printf(
      "peak: %.0f committed tx/s at step %zu (offered %.0f tx/s); %s; %zu transfers in all, "
      "latency p50 %.0f ms, p99 %.0f ms over all; the last committed %.1f s after the ramp\n",
      steps[peak].committed, peak + 1, steps[peak].offered, saturated.c_str(), load_sent,
      percentile(all_ms, 0.50), percentile(all_ms, 0.99), drain_s);
  std::printf(
      "transactions committed: %zu (funding %zu, load %zu); this load generator's CPU time "
      "during the ramp and drain: %.0f us per committed transfer\n",
      first_load + load_sent, first_load, load_sent, cpu_us_per_tx);
  std::printf(
      "machine speed: one BIP-340 signature check took %.1f us before the ramp and %.1f us "
      "after the drain (single thread, best of three passes over %zu transfers)\n",
      verify_before_us, verify_after_us, probe_txs.size());
  std::string command = argv[0];
  for (int i = 1; i < argc; ++i) command += std::string(" ") + argv[i];
  std::printf("command: %s\n", command.c_str());
  std::fflush(stdout);

  // 5. The state must be what the transfers did.
  const uint64_t sunk =
      amount_of(c0.call("state_getAccount", {{"address", address_to_string(sink)}})["balance"]);
  if (sunk != load_sent * amount)
    fail("the sink holds " + std::to_string(sunk) + ", expected " +
         std::to_string(load_sent * amount) + " (a committed transfer failed?)");
  for (uint32_t first = 0; first < faucet_id; first += 100) {
    std::vector<json> ask;
    for (uint32_t i = first; i < std::min(first + 100, faucet_id); ++i)
      ask.push_back({{"address", address_to_string(keys[i].pubkey())}});
    const std::vector<json> got = c0.batch("state_getAccount", ask);
    for (size_t k = 0; k < got.size(); ++k) {
      const uint32_t i = first + static_cast<uint32_t>(k);
      const uint64_t sent = s.admitted[i];
      const uint64_t left = i < accounts ? funding - sent * (fee + amount) : 0;
      if (!got[k].contains("result") || got[k]["result"]["nonce"].get<uint64_t>() != sent ||
          amount_of(got[k]["result"]["balance"]) != left)
        fail("sender " + std::to_string(i) + " ends with " + got[k].dump() + ", expected nonce " +
             std::to_string(sent) + " and balance " + std::to_string(left));
    }
  }
  std::printf(
      "checked: the sink holds %zu, every account's and distributor's nonce and balance "
      "are what its transfers leave\n",
      load_sent * amount);
  return 0;
}
