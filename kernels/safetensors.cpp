#include "kernels/safetensors.h"

#include <algorithm>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <nlohmann/json.hpp>

namespace vt::kernels {

namespace {
using json = nlohmann::json;
constexpr std::uint64_t kMaxHeader = 100u << 20;  // 100 MiB, as the safetensors reference

// A JSON integer in 0..2^64-1. Never get<uint64_t>() a float or a negative
// number: converting an out-of-range float is undefined behaviour, and its
// result (in an error message of a receipt) differs between CPUs.
bool is_u64(const nlohmann::json& v) {
  return v.is_number_unsigned() || (v.is_number_integer() && v.get<std::int64_t>() >= 0);
}
}  // namespace

std::vector<std::uint8_t> encode_safetensors(const Checkpoint& ckpt) {
  json header = json::object();
  std::uint64_t offset = 0;
  for (const auto& [name, t] : ckpt.tensors) {
    header[name] = {{"dtype", dtype_name(t.dtype)},
                    {"shape", t.shape},
                    {"data_offsets", {offset, offset + t.bytes.size()}}};
    offset += t.bytes.size();
  }
  if (!ckpt.metadata.empty()) header["__metadata__"] = ckpt.metadata;
  std::string h = header.dump();
  while (h.size() % 8 != 0) h.push_back(' ');
  std::vector<std::uint8_t> out(8 + h.size() + offset);
  const std::uint64_t n = h.size();
  for (int i = 0; i < 8; ++i)
    out[static_cast<std::size_t>(i)] = static_cast<std::uint8_t>(n >> (8 * i));
  std::memcpy(out.data() + 8, h.data(), h.size());
  std::size_t pos = 8 + h.size();
  for (const auto& [name, t] : ckpt.tensors) {
    if (!t.bytes.empty()) std::memcpy(out.data() + pos, t.bytes.data(), t.bytes.size());
    pos += t.bytes.size();
  }
  return out;
}

Result<Checkpoint> decode_safetensors(const std::vector<std::uint8_t>& bytes) {
  using R = Result<Checkpoint>;
  if (bytes.size() < 8)
    return R::failure("truncated: " + std::to_string(bytes.size()) + " bytes, no header length");
  std::uint64_t n = 0;
  for (int i = 0; i < 8; ++i) n |= std::uint64_t{bytes[static_cast<std::size_t>(i)]} << (8 * i);
  if (n > kMaxHeader)
    return R::failure("header length " + std::to_string(n) + " exceeds the 100 MiB limit");
  if (n > bytes.size() - 8)
    return R::failure("truncated: header length " + std::to_string(n) + " exceeds the file");
  json header;
  try {
    header = json::parse(bytes.begin() + 8, bytes.begin() + 8 + static_cast<std::ptrdiff_t>(n));
  } catch (const json::parse_error& e) {
    // Our words, not the library's (a refusal can reach a dispute's record).
    return R::failure("header is not valid JSON (near byte " + std::to_string(e.byte) + ")");
  } catch (const json::exception&) {
    return R::failure("header is not valid JSON (a number out of range)");
  }
  if (!header.is_object()) return R::failure("header is not a JSON object");
  const std::uint64_t data_size = bytes.size() - 8 - n;
  const std::uint8_t* data = bytes.data() + 8 + n;
  Checkpoint ck;
  std::vector<std::pair<std::uint64_t, std::uint64_t>> ranges;
  try {
    for (auto it = header.begin(); it != header.end(); ++it) {
      const std::string& name = it.key();
      const json& e = it.value();
      if (name == "__metadata__") {
        if (!e.is_object()) return R::failure("__metadata__ is not an object");
        for (auto m = e.begin(); m != e.end(); ++m) {
          if (!m.value().is_string())
            return R::failure("__metadata__." + m.key() + " is not a string");
          ck.metadata[m.key()] = m.value().get<std::string>();
        }
        continue;
      }
      if (!e.is_object() || !e.contains("dtype") || !e.contains("shape") ||
          !e.contains("data_offsets"))
        return R::failure(name + ": entry needs dtype, shape and data_offsets");
      HostTensor t;
      const std::string dt = e["dtype"].get<std::string>();
      if (dt == "F32")
        t.dtype = DType::F32;
      else if (dt == "I64")
        t.dtype = DType::I64;
      else
        return R::failure(name + ": unsupported dtype " + dt);
      std::uint64_t numel = 1;
      for (const json& d : e["shape"]) {
        if (!is_u64(d)) return R::failure(name + ": bad dimension in shape");
        const std::uint64_t dim = d.get<std::uint64_t>();
        if (dim > (1ull << 40) || (dim != 0 && numel > (1ull << 40) / dim))
          return R::failure(name + ": shape too large");
        numel *= dim;
        t.shape.push_back(static_cast<std::int64_t>(dim));
      }
      const json& off = e["data_offsets"];
      if (!off.is_array() || off.size() != 2 || !is_u64(off[0]) || !is_u64(off[1]))
        return R::failure(name + ": data_offsets must be [begin, end] (unsigned integers)");
      const std::uint64_t b = off[0].get<std::uint64_t>(), en = off[1].get<std::uint64_t>();
      if (b > en || en > data_size)
        return R::failure(name + ": data_offsets [" + std::to_string(b) + ", " +
                          std::to_string(en) + "] outside the data (truncated file?)");
      if (en - b != numel * dtype_size(t.dtype))
        return R::failure(name + ": data_offsets length " + std::to_string(en - b) +
                          " disagrees with dtype and shape");
      t.bytes.assign(data + b, data + en);
      ranges.push_back({b, en});
      ck.tensors.emplace(name, std::move(t));
    }
  } catch (const json::exception&) {
    return R::failure("malformed header: a field has the wrong JSON type");
  }
  // The tensors must tile the data region exactly: no gaps, overlaps or extra bytes.
  std::sort(ranges.begin(), ranges.end());
  std::uint64_t pos = 0;
  for (const auto& [b, e] : ranges) {
    if (b != pos) return R::failure(b < pos ? "tensor data ranges overlap" : "gap in tensor data");
    pos = e;
  }
  if (pos != data_size)
    return R::failure("oversized: " + std::to_string(data_size - pos) +
                      " bytes after the last tensor");
  return R::success(std::move(ck));
}

Status write_safetensors(const std::string& path, const Checkpoint& ckpt) {
  const auto bytes = encode_safetensors(ckpt);
  const std::string tmp = path + ".tmp";
  {
    std::ofstream out(tmp, std::ios::binary | std::ios::trunc);
    if (!out) return fail(tmp + ": cannot create");
    out.write(reinterpret_cast<const char*>(bytes.data()),
              static_cast<std::streamsize>(bytes.size()));
    if (!out) return fail(tmp + ": write failed");
  }
  if (std::rename(tmp.c_str(), path.c_str()) != 0) return fail(path + ": rename failed");
  return ok_status();
}

Result<Checkpoint> read_safetensors(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return Result<Checkpoint>::failure(path + ": cannot open");
  std::vector<std::uint8_t> bytes((std::istreambuf_iterator<char>(in)),
                                  std::istreambuf_iterator<char>());
  auto r = decode_safetensors(bytes);
  if (!r) r.error = path + ": " + r.error;
  return r;
}

}  // namespace vt::kernels
