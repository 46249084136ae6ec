#include "core/sha256.h"

#include <cryptopp/sha.h>

namespace vt {

struct Sha256::Impl {
  CryptoPP::SHA256 h;
};

Sha256::Sha256() : impl_(new Impl) {}
Sha256::~Sha256() {
  delete impl_;
}

Sha256& Sha256::update(ByteView data) {
  impl_->h.Update(data.data(), data.size());
  return *this;
}

Hash256 Sha256::finish() {
  Hash256 out;
  impl_->h.Final(out.data());
  return out;
}

Hash256 sha256(ByteView data) {
  Hash256 out;
  CryptoPP::SHA256().CalculateDigest(out.data(), data.data(), data.size());
  return out;
}

Hash256 tagged_hash(std::string_view tag, ByteView data) {
  Hash256 t = sha256(ByteView(reinterpret_cast<const uint8_t*>(tag.data()), tag.size()));
  Sha256 h;
  h.update(t).update(t).update(data);
  return h.finish();
}

}  // namespace vt
