// Job spec: the JSON document a training job is defined by (the ledger stores it).
// parse_job_spec validates it (errors name the offending field); canonical_json
// and spec_hash give the one byte string / SHA-256 every node agrees on.
// Pure functions over values; thread safe. Depends only on nlohmann_json + Crypto++.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "kernels/result.h"
#include "kernels/sha256.h"

namespace vt::kernels {

// A hyper-parameter given as a decimal string ("0.01"): parsed with strtof
// (correctly rounded), written back canonically as the shortest decimal that
// round-trips to the same float (std::to_chars), so "0.010" and "0.01" hash alike.
struct Decimal {
  float value = 0.0f;  // strtof(text)
  double exact = 0.0;  // strtod(text): host-side scalar derivations (AdamW) use it
  std::string text;    // canonical text
};

struct JobSpec {
  // model: {"type": "mlp", "layers": [784, ..., 10], "activation": "relu" | "gelu"}
  std::string model_type = "mlp";
  std::vector<int> layers;
  std::string activation = "relu";
  // dataset: {"name": "fashion-mnist", "<file>_sha256": hex of the decompressed IDX bytes}
  std::string dataset_name = "fashion-mnist";
  Hash32 train_images_sha256{}, train_labels_sha256{}, test_images_sha256{}, test_labels_sha256{};
  // optimizer: {"type": "sgd", "lr", "momentum", "weight_decay"} or
  //            {"type": "adamw", "lr", "betas": [b1, b2], "eps", "weight_decay"}
  std::string optimizer = "sgd";
  Decimal lr, momentum, beta1, beta2, eps, weight_decay;
  std::uint32_t batch_size = 0;
  std::uint64_t steps = 0;
  std::uint64_t seed = 0;
  std::uint64_t checkpoint_interval = 0;
};

// Parses and validates a spec document. Unknown fields are rejected (by name),
// so the hash covers exactly what training uses. Error text: "<field.path>: <why>".
Result<JobSpec> parse_job_spec(std::string_view json_text);
Result<JobSpec> load_job_spec_file(const std::string& path);

// Sorted keys, no whitespace, decimals canonical, hashes lowercase hex.
std::string canonical_json(const JobSpec& spec);
// SHA-256 of canonical_json(spec).
Hash32 spec_hash(const JobSpec& spec);

}  // namespace vt::kernels
