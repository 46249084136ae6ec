#include "kernels/job_spec.h"

#include <cerrno>
#include <charconv>
#include <cmath>
#include <cstdlib>
#include <fstream>
#include <nlohmann/json.hpp>
#include <optional>
#include <set>
#include <sstream>
#include <vector>

namespace vt::kernels {

namespace {

using json = nlohmann::json;

// The shortest decimal that reads back as `v` (std::to_chars: locale-free).
std::string shortest(float v) {
  char buf[64];
  auto r = std::to_chars(buf, buf + sizeof buf, v);
  return std::string(buf, r.ptr);
}

// Collects every error of a spec, in document order, so a client sees them
// all at once; a value that fails is left at its default and the checks that
// depend on it are skipped (no cascade of follow-on errors).
class SpecChecker {
 public:
  static constexpr std::size_t kMaxErrors = 32;  // the message stays bounded

  void bad(const std::string& field, const std::string& why) {
    ++count_;
    if (errors_.size() < kMaxErrors) errors_.push_back(field + ": " + why);
  }
  bool ok() const { return count_ == 0; }
  // "a: why; b: why" (and how many more past kMaxErrors).
  std::string message() const {
    std::string out;
    for (const auto& e : errors_) out += (out.empty() ? "" : "; ") + e;
    if (count_ > errors_.size())
      out += "; and " + std::to_string(count_ - errors_.size()) + " more";
    return out;
  }

  const json* need(const json& obj, const std::string& key, const std::string& path) {
    auto it = obj.find(key);
    if (it == obj.end()) {
      bad(path + key, "missing");
      return nullptr;
    }
    return &*it;
  }

  void only_keys(const json& obj, const std::set<std::string>& allowed, const std::string& path) {
    for (auto it = obj.begin(); it != obj.end(); ++it)
      if (!allowed.count(it.key())) bad(path + it.key(), "unknown field");
  }

  const json* need_object(const json& obj, const std::string& key, const std::string& path) {
    const json* v = need(obj, key, path);
    if (v && !v->is_object()) {
      bad(path + key, "expected an object");
      return nullptr;
    }
    return v;
  }

  std::optional<std::string> need_string(const json& obj, const std::string& key,
                                         const std::string& path) {
    const json* v = need(obj, key, path);
    if (!v) return std::nullopt;
    if (!v->is_string()) {
      bad(path + key, "expected a string");
      return std::nullopt;
    }
    return v->get<std::string>();
  }

  std::optional<std::uint64_t> need_uint(const json& obj, const std::string& key,
                                         const std::string& path, std::uint64_t lo,
                                         std::uint64_t hi) {
    const json* v = need(obj, key, path);
    if (!v) return std::nullopt;
    if (!v->is_number_unsigned() && !(v->is_number_integer() && v->get<std::int64_t>() >= 0)) {
      bad(path + key, "expected a non-negative integer");
      return std::nullopt;
    }
    const std::uint64_t x = v->get<std::uint64_t>();
    if (x < lo || x > hi) {
      bad(path + key, "must be in [" + std::to_string(lo) + ", " + std::to_string(hi) + "]");
      return std::nullopt;
    }
    return x;
  }

  std::optional<Decimal> parse_decimal(const json& v, const std::string& field) {
    if (!v.is_string()) {
      bad(field, "expected a decimal string like \"0.01\" (not a JSON number)");
      return std::nullopt;
    }
    const std::string s = v.get<std::string>();
    // Grammar: -?digits(.digits)?([eE][+-]?digits)?
    std::size_t i = 0;
    auto digits = [&] {
      const std::size_t b = i;
      while (i < s.size() && s[i] >= '0' && s[i] <= '9') ++i;
      return i > b;
    };
    if (i < s.size() && s[i] == '-') ++i;
    bool ok = digits();
    if (ok && i < s.size() && s[i] == '.') {
      ++i;
      ok = digits();
    }
    if (ok && i < s.size() && (s[i] == 'e' || s[i] == 'E')) {
      ++i;
      if (i < s.size() && (s[i] == '+' || s[i] == '-')) ++i;
      ok = digits();
    }
    if (!ok || i != s.size()) {
      bad(field, "\"" + s + "\" is not a decimal number");
      return std::nullopt;
    }
    // std::from_chars: correctly rounded and locale-free (strtof reads the
    // locale's decimal point, so two validators could parse a spec differently).
    float f = 0.0f;
    const auto parsed = std::from_chars(s.data(), s.data() + s.size(), f);
    if (parsed.ec != std::errc() || parsed.ptr != s.data() + s.size() || !std::isfinite(f)) {
      bad(field, "\"" + s + "\" is out of fp32 range");
      return std::nullopt;
    }
    char buf[64];
    auto r = std::to_chars(buf, buf + sizeof buf, f);
    Decimal d;
    d.value = f;
    d.text.assign(buf, r.ptr);
    if (d.text == "-0") d.text = "0";  // one spelling for zero
    if (f == 0.0f) d.value = 0.0f;
    std::from_chars(d.text.data(), d.text.data() + d.text.size(), d.exact);
    return d;
  }

  std::optional<Decimal> need_decimal(const json& obj, const std::string& key,
                                      const std::string& path, float lo, float hi, bool lo_open,
                                      bool hi_open) {
    const json* v = need(obj, key, path);
    if (!v) return std::nullopt;
    auto d = parse_decimal(*v, path + key);
    if (!d) return std::nullopt;
    const bool below = lo_open ? !(d->value > lo) : !(d->value >= lo);
    const bool above = hi_open ? !(d->value < hi) : !(d->value <= hi);
    if (below || above) {
      bad(path + key, "must be in " + std::string(lo_open ? "(" : "[") + shortest(lo) + ", " +
                          shortest(hi) + (hi_open ? ")" : "]"));
      return std::nullopt;
    }
    return d;
  }

  std::optional<Hash32> need_hash(const json& obj, const std::string& key,
                                  const std::string& path) {
    auto s = need_string(obj, key, path);
    if (!s) return std::nullopt;
    auto h = hash_from_hex(*s);
    if (!h) bad(path + key, "expected 64 lowercase hex digits");
    return h;
  }

  // Every field, every error. The spec is usable only when ok().
  JobSpec check(const json& j) {
    JobSpec s;
    if (!j.is_object()) {
      bad("(root)", "expected a JSON object");
      return s;
    }
    only_keys(j,
              {"model", "dataset", "optimizer", "batch_size", "steps", "seed",
               "checkpoint_interval"},
              "");
    if (const json* m = need_object(j, "model", "")) {
      only_keys(*m, {"type", "layers", "activation"}, "model.");
      if (auto t = need_string(*m, "type", "model.")) {
        s.model_type = *t;
        if (s.model_type != "mlp") bad("model.type", "only \"mlp\" is supported");
      }
      if (const json* layers = need(*m, "layers", "model.")) {
        if (!layers->is_array() || layers->size() < 2 || layers->size() > 16) {
          bad("model.layers", "expected an array of 2 to 16 layer widths");
        } else {
          bool all = true;
          for (std::size_t i = 0; i < layers->size(); ++i) {
            const json& w = (*layers)[i];
            const std::string f = "model.layers[" + std::to_string(i) + "]";
            if (!w.is_number_integer() || w.get<std::int64_t>() < 1 ||
                w.get<std::int64_t>() > 16384) {
              bad(f, "expected an integer in [1, 16384]");
              all = false;
              continue;
            }
            s.layers.push_back(static_cast<int>(w.get<std::int64_t>()));
          }
          if (all && s.layers.front() != 784)
            bad("model.layers[0]", "must be 784 (28x28 Fashion-MNIST pixels)");
          if (all && s.layers.back() != 10)
            bad("model.layers[" + std::to_string(s.layers.size() - 1) + "]",
                "must be 10 (classes)");
        }
      }
      if (auto a = need_string(*m, "activation", "model.")) {
        s.activation = *a;
        if (s.activation != "relu" && s.activation != "gelu")
          bad("model.activation", "expected \"relu\" or \"gelu\"");
      }
    }

    if (const json* d = need_object(j, "dataset", "")) {
      only_keys(*d,
                {"name", "train_images_sha256", "train_labels_sha256", "test_images_sha256",
                 "test_labels_sha256"},
                "dataset.");
      if (auto n = need_string(*d, "name", "dataset.")) {
        s.dataset_name = *n;
        if (s.dataset_name != "fashion-mnist")
          bad("dataset.name", "only \"fashion-mnist\" is supported");
      }
      s.train_images_sha256 = need_hash(*d, "train_images_sha256", "dataset.").value_or(Hash32{});
      s.train_labels_sha256 = need_hash(*d, "train_labels_sha256", "dataset.").value_or(Hash32{});
      s.test_images_sha256 = need_hash(*d, "test_images_sha256", "dataset.").value_or(Hash32{});
      s.test_labels_sha256 = need_hash(*d, "test_labels_sha256", "dataset.").value_or(Hash32{});
    }

    if (const json* o = need_object(j, "optimizer", "")) {
      s.optimizer = need_string(*o, "type", "optimizer.").value_or("");
      const std::string p = "optimizer.";
      if (s.optimizer == "sgd") {
        only_keys(*o, {"type", "lr", "momentum", "weight_decay"}, p);
        s.lr = need_decimal(*o, "lr", p, 0.0f, 1e6f, true, false).value_or(Decimal{});
        s.momentum = need_decimal(*o, "momentum", p, 0.0f, 1.0f, false, true).value_or(Decimal{});
        s.weight_decay =
            need_decimal(*o, "weight_decay", p, 0.0f, 1e6f, false, false).value_or(Decimal{});
      } else if (s.optimizer == "adamw") {
        only_keys(*o, {"type", "lr", "betas", "eps", "weight_decay"}, p);
        s.lr = need_decimal(*o, "lr", p, 0.0f, 1e6f, true, false).value_or(Decimal{});
        if (const json* betas = need(*o, "betas", p)) {
          if (!betas->is_array() || betas->size() != 2) {
            bad("optimizer.betas", "expected [\"beta1\", \"beta2\"]");
          } else {
            for (int i = 0; i < 2; ++i) {
              const std::string f = "optimizer.betas[" + std::to_string(i) + "]";
              auto b = parse_decimal((*betas)[static_cast<std::size_t>(i)], f);
              if (!b) continue;
              if (!(b->value >= 0.0f && b->value < 1.0f)) bad(f, "must be in [0, 1)");
              (i == 0 ? s.beta1 : s.beta2) = *b;
            }
          }
        }
        s.eps = need_decimal(*o, "eps", p, 0.0f, 1.0f, true, false).value_or(Decimal{});
        s.weight_decay =
            need_decimal(*o, "weight_decay", p, 0.0f, 1e6f, false, false).value_or(Decimal{});
      } else if (o->contains("type")) {
        bad("optimizer.type", "expected \"sgd\" or \"adamw\"");
      }
    }
    s.batch_size = static_cast<std::uint32_t>(need_uint(j, "batch_size", "", 1, 65536).value_or(0));
    s.steps = need_uint(j, "steps", "", 1, 1000000000ull).value_or(0);
    s.seed = need_uint(j, "seed", "", 0, UINT64_MAX).value_or(0);
    s.checkpoint_interval = need_uint(j, "checkpoint_interval", "", 1, 1000000000ull).value_or(0);
    return s;
  }

 private:
  std::vector<std::string> errors_;
  std::size_t count_ = 0;
};

}  // namespace

Result<JobSpec> parse_job_spec(std::string_view json_text) {
  json j;
  try {
    j = json::parse(json_text.begin(), json_text.end());
  } catch (const json::parse_error& e) {
    // Our own words, not the library's: refusals can reach receipts and logs
    // that must not depend on which nlohmann version a node was built with.
    return Result<JobSpec>::failure("(root): invalid JSON near byte " + std::to_string(e.byte));
  } catch (const json::exception&) {  // out_of_range for a number like 1e999
    return Result<JobSpec>::failure("(root): invalid JSON: a number is out of range");
  }
  try {
    SpecChecker checker;
    JobSpec spec = checker.check(j);
    if (!checker.ok()) return Result<JobSpec>::failure(checker.message());
    return Result<JobSpec>::success(std::move(spec));
  } catch (const json::exception&) {
    return Result<JobSpec>::failure("(root): a value has the wrong JSON type");
  }
}

Result<JobSpec> load_job_spec_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return Result<JobSpec>::failure(path + ": cannot open");
  std::stringstream ss;
  ss << in.rdbuf();
  auto r = parse_job_spec(ss.str());
  if (!r) r.error = path + ": " + r.error;
  return r;
}

std::string canonical_json(const JobSpec& s) {
  json j = json::object();  // nlohmann's default object is a std::map: keys sorted
  j["model"] = {{"type", s.model_type}, {"layers", s.layers}, {"activation", s.activation}};
  j["dataset"] = {{"name", s.dataset_name},
                  {"train_images_sha256", to_hex(s.train_images_sha256)},
                  {"train_labels_sha256", to_hex(s.train_labels_sha256)},
                  {"test_images_sha256", to_hex(s.test_images_sha256)},
                  {"test_labels_sha256", to_hex(s.test_labels_sha256)}};
  if (s.optimizer == "sgd")
    j["optimizer"] = {{"type", "sgd"},
                      {"lr", s.lr.text},
                      {"momentum", s.momentum.text},
                      {"weight_decay", s.weight_decay.text}};
  else
    j["optimizer"] = {{"type", "adamw"},
                      {"lr", s.lr.text},
                      {"betas", json::array({s.beta1.text, s.beta2.text})},
                      {"eps", s.eps.text},
                      {"weight_decay", s.weight_decay.text}};
  j["batch_size"] = s.batch_size;
  j["steps"] = s.steps;
  j["seed"] = s.seed;
  j["checkpoint_interval"] = s.checkpoint_interval;
  return j.dump();
}

Hash32 spec_hash(const JobSpec& spec) {
  return sha256(canonical_json(spec));
}

}  // namespace vt::kernels
