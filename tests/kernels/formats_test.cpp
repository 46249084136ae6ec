// Job spec validation and canonical hash, IDX validation, safetensors encoding
// and refusal reasons, Merkle tree, counter-based RNG.
#include <doctest/doctest.h>

#include <nlohmann/json.hpp>
#include <unistd.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <set>

#include "kernels/idx.h"
#include "kernels/job_spec.h"
#include "kernels/merkle.h"
#include "kernels/rng.h"
#include "kernels/safetensors.h"
#include "tests/kernels/test_paths.h"

using namespace vt::kernels;

namespace {
std::string read_text(const std::string& path) {
  std::ifstream in(path);
  return std::string((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
}
std::string replace(std::string s, const std::string& from, const std::string& to) {
  const auto pos = s.find(from);
  REQUIRE(pos != std::string::npos);
  return s.replace(pos, from.size(), to);
}
std::string error_of(const std::string& json) {
  auto r = parse_job_spec(json);
  return r.ok() ? std::string("(accepted)") : r.error;
}
}  // namespace

TEST_CASE("job spec: parse, canonical form, hash") {
  const std::string tiny = read_text(testing::spec_path("tiny.json"));
  auto r = parse_job_spec(tiny);
  REQUIRE_MESSAGE(r.ok(), r.error);
  CHECK(r.value.layers == std::vector<int>{784, 32, 10});
  CHECK(r.value.lr.value == 0.05f);
  CHECK(canonical_json(r.value).find(' ') == std::string::npos);
  CHECK(canonical_json(r.value).rfind(R"({"batch_size":16,"checkpoint_interval":5,"dataset":{)",
                                      0) == 0);
  // Golden: the ledger and every node must agree on this value.
  CHECK(to_hex(spec_hash(r.value)) ==
        "834c0d9f9ad750a8525060a055bc2794caee61e0a96fc5bd4d9372e40f404b96");
  // Same floats spelled differently hash alike; a different value does not.
  CHECK(spec_hash(parse_job_spec(replace(tiny, "\"0.05\"", "\"5.000e-2\"")).value) ==
        spec_hash(r.value));
  CHECK(spec_hash(parse_job_spec(replace(tiny, "\"0.05\"", "\"0.051\"")).value) !=
        spec_hash(r.value));
  // The canonical form parses back to itself.
  auto again = parse_job_spec(canonical_json(r.value));
  REQUIRE(again.ok());
  CHECK(canonical_json(again.value) == canonical_json(r.value));
  auto demo = load_job_spec_file(testing::spec_path("demo.json"));
  REQUIRE_MESSAGE(demo.ok(), demo.error);
  CHECK(demo.value.optimizer == "adamw");
  CHECK(demo.value.beta2.value == 0.999f);
}

TEST_CASE("job spec: errors name the offending field") {
  const std::string tiny = read_text(testing::spec_path("tiny.json"));
  CHECK(error_of(replace(tiny, "\"0.05\"", "0.05")).rfind("optimizer.lr:", 0) == 0);
  CHECK(error_of(replace(tiny, "\"0.05\"", "\"abc\"")).rfind("optimizer.lr:", 0) == 0);
  CHECK(error_of(replace(tiny, "\"0.05\"", "\"1e99\"")).rfind("optimizer.lr:", 0) == 0);
  CHECK(error_of(replace(tiny, "\"0.9\"", "\"1.5\"")).rfind("optimizer.momentum:", 0) == 0);
  CHECK(
      error_of(replace(tiny, "\"batch_size\": 16", "\"batch_size\": 0")).rfind("batch_size:", 0) ==
      0);
  CHECK(error_of(replace(tiny, "\"batch_size\": 16,", "")).rfind("batch_size: missing", 0) == 0);
  CHECK(error_of(replace(tiny, "\"seed\": 7", "\"seed\": 7, \"colour\": 1"))
            .rfind("colour: unknown field", 0) == 0);
  CHECK(error_of(replace(tiny, "[784, 32, 10]", "[784, 32, 9]")).rfind("model.layers[2]:", 0) == 0);
  CHECK(error_of(replace(tiny, "[784, 32, 10]", "[784, -1, 10]")).rfind("model.layers[1]:", 0) ==
        0);
  CHECK(error_of(replace(tiny, "\"relu\"", "\"tanh\"")).rfind("model.activation:", 0) == 0);
  CHECK(error_of(replace(tiny, "\"c59f", "\"C59f")).rfind("dataset.train_images_sha256:", 0) == 0);
  CHECK(error_of(replace(tiny, "\"sgd\"", "\"adam\"")).rfind("optimizer.type:", 0) == 0);
  CHECK(error_of("[1,2]").rfind("(root):", 0) == 0);
  CHECK(error_of("{").rfind("(root): invalid JSON", 0) == 0);
  // A number too large for a double is an error, not an exception: found by
  // fuzz/run (job_spec), and the ledger parses specs from transactions.
  CHECK(
      error_of(replace(tiny, "\"seed\": 7", "\"seed\": 1e999")).rfind("(root): invalid JSON", 0) ==
      0);
  CHECK(error_of(replace(tiny, "[784, 32, 10]", "[784, 32, 10e1246121]"))
            .rfind("(root): invalid JSON", 0) == 0);
}

TEST_CASE("job spec: every error at once, in document order, without follow-on noise") {
  const std::string tiny = read_text(testing::spec_path("tiny.json"));
  std::string bad = replace(tiny, "\"relu\"", "\"tanh\"");
  bad = replace(bad, "\"0.05\"", "\"abc\"");
  bad = replace(bad, "\"batch_size\": 16", "\"batch_size\": 0");
  bad = replace(bad, "\"seed\": 7", "\"seed\": 7, \"colour\": 1");
  CHECK(error_of(bad) ==
        "colour: unknown field; model.activation: expected \"relu\" or \"gelu\"; optimizer.lr: "
        "\"abc\" is not a decimal number; batch_size: must be in [1, 65536]");
  // A missing object is one error, not one per field inside it.
  auto no_optimizer = nlohmann::json::parse(tiny);
  no_optimizer.erase("optimizer");
  no_optimizer.erase("steps");
  CHECK(error_of(no_optimizer.dump()) == "optimizer: missing; steps: missing");
  // The message stays bounded: past 32 errors, a count.
  auto many = nlohmann::json::parse(tiny);
  for (int i = 0; i < 40; ++i) many["extra" + std::to_string(100 + i)] = i;
  const std::string e = error_of(many.dump());
  CHECK(e.find("extra131: unknown field; and 8 more") != std::string::npos);
}

TEST_CASE("IDX: validation of magic, sizes, truncation and trailing bytes") {
  std::vector<std::uint8_t> img = {0, 0, 8, 3, 0, 0, 0, 2, 0, 0, 0, 2, 0, 0, 0, 3};
  for (int i = 0; i < 12; ++i) img.push_back(static_cast<std::uint8_t>(i));
  auto ok = parse_idx_images(img, "x");
  REQUIRE_MESSAGE(ok.ok(), ok.error);
  CHECK(ok.value.count == 2);
  CHECK(ok.value.pixels.size() == 12);
  auto trunc = img;
  trunc.pop_back();
  CHECK(parse_idx_images(trunc, "x").error.find("truncated") != std::string::npos);
  auto extra = img;
  extra.push_back(1);
  CHECK(parse_idx_images(extra, "x").error.find("trailing") != std::string::npos);
  auto magic = img;
  magic[3] = 1;
  CHECK(parse_idx_images(magic, "x").error.find("magic") != std::string::npos);
  CHECK(parse_idx_images({0, 0, 8}, "x").error.find("header") != std::string::npos);
  std::vector<std::uint8_t> lab = {0, 0, 8, 1, 0, 0, 0, 3, 1, 2};
  CHECK(parse_idx_labels(lab, "y").error.find("truncated") != std::string::npos);
  lab.push_back(9);
  CHECK(parse_idx_labels(lab, "y").ok());

  // A gzip file cut short or corrupted is refused by the loader.
  const std::string src = std::string(kDefaultFashionMnistDir) + "/t10k-labels-idx1-ubyte.gz";
  std::ifstream in(src, std::ios::binary);
  std::vector<char> gz((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  REQUIRE(gz.size() > 1000);
  const auto dir =
      std::filesystem::temp_directory_path() / ("vt_idx_" + std::to_string(::getpid()));
  std::filesystem::create_directories(dir);
  {
    std::ofstream out(dir / "cut.gz", std::ios::binary);
    out.write(gz.data(), static_cast<std::streamsize>(gz.size() / 2));
  }
  auto cut = load_idx_labels((dir / "cut.gz").string());
  CHECK_FALSE(cut.ok());
  MESSAGE("cut gzip: " << cut.error);
  gz[gz.size() / 2] = static_cast<char>(gz[gz.size() / 2] ^ 0x55);
  {
    std::ofstream out(dir / "bad.gz", std::ios::binary);
    out.write(gz.data(), static_cast<std::streamsize>(gz.size()));
  }
  auto bad = load_idx_labels((dir / "bad.gz").string());
  CHECK_FALSE(bad.ok());
  MESSAGE("corrupt gzip: " << bad.error);
  CHECK_FALSE(load_fashion_mnist(dir.string()).ok());
  std::filesystem::remove_all(dir);
}

TEST_CASE("safetensors: deterministic bytes, round trip, refusals with reasons") {
  Checkpoint ck;
  const float w[6] = {1, -2, 3.5f, 0, -0.0f, 1e-40f};
  ck.tensors["b"] = HostTensor::f32({2, 3}, w);
  ck.tensors["a"] = HostTensor::f32({1}, w + 2);
  ck.tensors["step"] = HostTensor::i64_scalar(42);
  ck.metadata["format"] = "test";
  const auto bytes = encode_safetensors(ck);
  CHECK(bytes == encode_safetensors(ck));
  std::uint64_t n = 0;
  for (int i = 0; i < 8; ++i) n |= std::uint64_t{bytes[static_cast<std::size_t>(i)]} << (8 * i);
  CHECK(n % 8 == 0);
  const std::string header(bytes.begin() + 8, bytes.begin() + 8 + static_cast<long>(n));
  CHECK(header.find("\"a\"") < header.find("\"b\""));  // sorted names, data in that order
  auto back = decode_safetensors(bytes);
  REQUIRE_MESSAGE(back.ok(), back.error);
  CHECK(back.value.tensors.at("b").bytes == ck.tensors.at("b").bytes);
  CHECK(back.value.tensors.at("step").i64_value() == 42);
  CHECK(back.value.metadata.at("format") == "test");
  CHECK(state_hash(back.value.tensors) == state_hash(ck.tensors));

  auto cut = bytes;
  cut.pop_back();
  CHECK(decode_safetensors(cut).error.find("truncated") != std::string::npos);
  auto extra = bytes;
  extra.push_back(0);
  CHECK(decode_safetensors(extra).error.find("oversized") != std::string::npos);
  CHECK(decode_safetensors({1, 2, 3}).error.find("truncated") != std::string::npos);
  auto huge = bytes;
  huge[7] = 0x10;
  CHECK(decode_safetensors(huge).error.find("limit") != std::string::npos);
  // Shape that disagrees with the byte range.
  std::string h2 = header;
  const auto pos = h2.find("[2,3]");
  REQUIRE(pos != std::string::npos);
  h2.replace(pos, 5, "[3,2]");
  auto inconsistent = bytes;
  std::copy(h2.begin(), h2.end(), inconsistent.begin() + 8);
  CHECK(decode_safetensors(inconsistent).ok());  // same element count: consistent
  h2.replace(pos, 5, "[3,3]");
  std::copy(h2.begin(), h2.end(), inconsistent.begin() + 8);
  CHECK(decode_safetensors(inconsistent).error.find("disagrees") != std::string::npos);
  auto garbage = bytes;
  garbage[8] = '!';
  CHECK(decode_safetensors(garbage).error.find("JSON") != std::string::npos);
  // Offsets and dimensions must be unsigned integers: a float such as 9e43 once
  // reached get<uint64_t>(), undefined behaviour whose value (printed into the
  // reason, which a receipt carries) differs between CPUs. Found by fuzz/run.
  // The same data behind another header text.
  const auto rewrapped = [&](const std::string& text) {
    std::vector<std::uint8_t> out;
    out.reserve(8 + text.size() + bytes.size());
    for (int i = 0; i < 8; ++i) out.push_back(static_cast<std::uint8_t>(text.size() >> (8 * i)));
    for (char ch : text) out.push_back(static_cast<std::uint8_t>(ch));
    for (std::size_t i = 8 + n; i < bytes.size(); ++i) out.push_back(bytes[i]);
    return out;
  };
  for (const char* bad_number : {"9e43", "-1", "1.5"}) {
    std::string h3 = header;
    const auto at = h3.find("\"data_offsets\":[0,");
    REQUIRE(at != std::string::npos);
    h3.replace(at + 16, 1, bad_number);
    const std::string why = decode_safetensors(rewrapped(h3)).error;
    CHECK_MESSAGE(why.find("unsigned integers") != std::string::npos, bad_number << ": " << why);
  }
  std::string h4 = header;
  h4.replace(h4.find("[2,3]"), 5, "[2.0,3]");
  CHECK(decode_safetensors(rewrapped(h4)).error.find("bad dimension") != std::string::npos);
}

TEST_CASE("state hash depends on names, shapes and bytes") {
  const float v[4] = {1, 2, 3, 4};
  TensorMap a;
  a["x"] = HostTensor::f32({4}, v);
  TensorMap b;
  b["x"] = HostTensor::f32({2, 2}, v);
  TensorMap c;
  c["y"] = HostTensor::f32({4}, v);
  CHECK(state_hash(a) != state_hash(b));
  CHECK(state_hash(a) != state_hash(c));
  CHECK(state_hash(a) == state_hash(TensorMap(a)));
}

TEST_CASE("merkle tree: leaf/node domain separation, odd carry, proofs") {
  std::vector<Hash32> leaves;
  CHECK(merkle_root(leaves) == Hash32{});
  for (int i = 0; i < 7; ++i) leaves.push_back(sha256(std::to_string(i)));
  // Two leaves by hand.
  auto leaf = [](const Hash32& h) {
    std::vector<std::uint8_t> b{0};
    b.insert(b.end(), h.begin(), h.end());
    return sha256(b.data(), b.size());
  };
  auto node = [](const Hash32& l, const Hash32& r) {
    std::vector<std::uint8_t> b{1};
    b.insert(b.end(), l.begin(), l.end());
    b.insert(b.end(), r.begin(), r.end());
    return sha256(b.data(), b.size());
  };
  CHECK(merkle_root({leaves[0]}) == leaf(leaves[0]));
  CHECK(merkle_root({leaves[0], leaves[1]}) == node(leaf(leaves[0]), leaf(leaves[1])));
  CHECK(merkle_root({leaves[0], leaves[1], leaves[2]}) ==
        node(node(leaf(leaves[0]), leaf(leaves[1])), leaf(leaves[2])));
  const Hash32 root = merkle_root(leaves);
  for (std::size_t i = 0; i < leaves.size(); ++i) {
    CHECK(merkle_verify(leaves[i], merkle_proof(leaves, i), root));
    CHECK_FALSE(merkle_verify(leaves[(i + 1) % leaves.size()], merkle_proof(leaves, i), root));
  }
}

TEST_CASE("counter-based RNG: pure function of its keys, permutations are permutations") {
  CHECK(rng_u64(1, 2, 3, 4) == rng_u64(1, 2, 3, 4));
  CHECK(rng_u64(1, 2, 3, 4) != rng_u64(1, 2, 3, 5));
  CHECK(rng_u64(1, 2, 3, 4) != rng_u64(1, 3, 2, 4));
  CHECK(rng_u64(0, 0, 0, 0) == 0x2130748aaac80268ull);  // golden
  for (std::uint64_t i = 0; i < 1000; ++i) {
    const float u = rng_uniform01(9, 0, 1, i);
    CHECK((u >= 0.0f && u < 1.0f));
  }
  auto p = epoch_permutation(5, 0, 1000);
  std::set<std::uint32_t> s(p.begin(), p.end());
  CHECK(s.size() == 1000);
  CHECK(*s.rbegin() == 999);
  CHECK(p != epoch_permutation(5, 1, 1000));
  CHECK(p == epoch_permutation(5, 0, 1000));
}
