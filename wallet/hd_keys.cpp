#include "wallet/hd_keys.h"

#include <secp256k1.h>
#include <sodium.h>

#include <cstdlib>
#include <cstring>
#include <vector>

#include "core/sha256.h"

namespace vt {

namespace {

constexpr const char* kWords[2048] = {
#include "wallet/bip39_english.inc"
};

int word_index(std::string_view w) {
  // The list is sorted: binary search.
  int lo = 0, hi = 2047;
  while (lo <= hi) {
    const int mid = (lo + hi) / 2;
    const int c = w.compare(kWords[mid]);
    if (c == 0) return mid;
    if (c < 0)
      hi = mid - 1;
    else
      lo = mid + 1;
  }
  return -1;
}

bool bit(ByteView bytes, size_t i) {
  return (bytes[i / 8] >> (7 - i % 8)) & 1;
}

using Mac = std::array<uint8_t, 64>;

Mac hmac_sha512(ByteView key, ByteView a, ByteView b = {}) {
  crypto_auth_hmacsha512_state st;
  crypto_auth_hmacsha512_init(&st, key.data(), key.size());
  crypto_auth_hmacsha512_update(&st, a.data(), a.size());
  if (!b.empty()) crypto_auth_hmacsha512_update(&st, b.data(), b.size());
  Mac out;
  crypto_auth_hmacsha512_final(&st, out.data());
  return out;
}

const secp256k1_context* context() {
  static secp256k1_context* ctx = [] {
    secp256k1_context* c = secp256k1_context_create(SECP256K1_CONTEXT_SIGN);
    if (!c) std::abort();
    return c;
  }();
  return ctx;
}

}  // namespace

std::string mnemonic_from_entropy(ByteView entropy) {
  const size_t ent = entropy.size() * 8;
  const Hash256 check = sha256(entropy);
  Bytes all(entropy.begin(), entropy.end());
  all.insert(all.end(), check.begin(), check.end());
  std::string out;
  for (size_t w = 0; w < (ent + ent / 32) / 11; ++w) {
    int index = 0;
    for (size_t b = 0; b < 11; ++b) index = index * 2 + (bit(all, w * 11 + b) ? 1 : 0);
    if (!out.empty()) out += ' ';
    out += kWords[index];
  }
  return out;
}

std::vector<std::string> mnemonic_words(std::string_view s) {
  std::vector<std::string> out;
  std::string cur;
  for (char ch : s) {
    if (ch == ' ' || ch == '\t' || ch == '\n' || ch == '\r') {
      if (!cur.empty()) out.push_back(std::move(cur)), cur.clear();
    } else {
      cur.push_back(ch >= 'A' && ch <= 'Z' ? static_cast<char>(ch - 'A' + 'a') : ch);
    }
  }
  if (!cur.empty()) out.push_back(std::move(cur));
  return out;
}

std::string new_mnemonic() {
  std::array<uint8_t, 32> entropy;
  randombytes_buf(entropy.data(), entropy.size());
  std::string words = mnemonic_from_entropy(ByteView(entropy.data(), entropy.size()));
  sodium_memzero(entropy.data(), entropy.size());
  return words;
}

std::string canonical_mnemonic(std::string_view mnemonic) {
  std::string out;
  for (const std::string& w : mnemonic_words(mnemonic)) out += (out.empty() ? "" : " ") + w;
  return out;
}

Result<Bytes> entropy_from_mnemonic(std::string_view mnemonic) {
  const std::vector<std::string> words = mnemonic_words(mnemonic);
  if (words.size() < 12 || words.size() > 24 || words.size() % 3 != 0)
    return make_error("a mnemonic has 12, 15, 18, 21 or 24 words; this one has " +
                      std::to_string(words.size()));
  std::vector<bool> bits;
  for (size_t i = 0; i < words.size(); ++i) {
    const int index = word_index(words[i]);
    if (index < 0)
      return make_error("word " + std::to_string(i + 1) + " (\"" + words[i] +
                        "\") is not on the BIP-39 English list");
    for (int b = 10; b >= 0; --b) bits.push_back((index >> b) & 1);
  }
  const size_t cs = bits.size() / 33;  // checksum bits
  const size_t ent = bits.size() - cs;
  Bytes entropy(ent / 8, 0);
  for (size_t i = 0; i < ent; ++i)
    if (bits[i]) entropy[i / 8] = static_cast<uint8_t>(entropy[i / 8] | (0x80 >> (i % 8)));
  const Hash256 check = sha256(entropy);
  for (size_t i = 0; i < cs; ++i)
    if (bits[ent + i] != bit(check, i))
      return make_error("the mnemonic's checksum is wrong: a word is mistyped or out of order");
  return entropy;
}

Result<std::array<uint8_t, 64>> mnemonic_seed(std::string_view mnemonic,
                                              std::string_view passphrase) {
  for (unsigned char c : passphrase)
    if (c >= 0x80) return make_error("the passphrase must be ASCII");
  const std::string password = canonical_mnemonic(mnemonic);
  std::string salt = "mnemonic";
  salt += passphrase;
  // PBKDF2 with one 64-byte block: T = U1 ^ ... ^ U2048, U1 = HMAC(P, salt | 00000001).
  const uint8_t block_index[4] = {0, 0, 0, 1};
  const ByteView key(reinterpret_cast<const uint8_t*>(password.data()), password.size());
  Mac u = hmac_sha512(key, ByteView(reinterpret_cast<const uint8_t*>(salt.data()), salt.size()),
                      ByteView(block_index, 4));
  Mac t = u;
  for (int i = 1; i < 2048; ++i) {
    u = hmac_sha512(key, ByteView(u.data(), u.size()));
    for (size_t j = 0; j < t.size(); ++j) t[j] ^= u[j];
  }
  return t;
}

Result<std::array<uint8_t, 32>> bip32_secret(ByteView seed, std::span<const uint32_t> path) {
  static constexpr char kMasterKey[] = "Bitcoin seed";
  Mac i = hmac_sha512(ByteView(reinterpret_cast<const uint8_t*>(kMasterKey), 12), seed);
  std::array<uint8_t, 32> k, c;
  std::memcpy(k.data(), i.data(), 32);
  std::memcpy(c.data(), i.data() + 32, 32);
  if (!secp256k1_ec_seckey_verify(context(), k.data()))
    return make_error("the seed gives an invalid master key (BIP-32: use another seed)");
  for (uint32_t index : path) {
    std::array<uint8_t, 37> data{};
    if (index & kHardened) {
      data[0] = 0;
      std::memcpy(data.data() + 1, k.data(), 32);
    } else {
      secp256k1_pubkey pub;
      if (!secp256k1_ec_pubkey_create(context(), &pub, k.data()))
        return make_error("BIP-32: invalid key on the path");
      size_t len = 33;
      secp256k1_ec_pubkey_serialize(context(), data.data(), &len, &pub, SECP256K1_EC_COMPRESSED);
    }
    data[33] = static_cast<uint8_t>(index >> 24);
    data[34] = static_cast<uint8_t>(index >> 16);
    data[35] = static_cast<uint8_t>(index >> 8);
    data[36] = static_cast<uint8_t>(index);
    i = hmac_sha512(ByteView(c.data(), c.size()), ByteView(data.data(), data.size()));
    // child = IL + k (mod n); IL >= n or a zero child: BIP-32 skips the index.
    if (!secp256k1_ec_seckey_verify(context(), i.data()) ||
        !secp256k1_ec_seckey_tweak_add(context(), k.data(), i.data()))
      return make_error("BIP-32: index " + std::to_string(index) + " gives no valid key");
    std::memcpy(c.data(), i.data() + 32, 32);
  }
  sodium_memzero(i.data(), i.size());
  return k;
}

Result<std::array<uint8_t, 32>> account_secret_from_mnemonic(std::string_view mnemonic) {
  if (auto e = entropy_from_mnemonic(mnemonic); !e) return e.take_error();
  auto seed = mnemonic_seed(mnemonic, "");
  if (!seed) return seed.take_error();
  auto secret = bip32_secret(ByteView(seed->data(), seed->size()), kAccountPath);
  sodium_memzero(seed->data(), seed->size());
  return secret;
}

}  // namespace vt
