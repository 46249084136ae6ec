#include <map>

#include "node/kv_store.h"

namespace vt::node {

namespace {

class MemoryStore final : public KvStore {
 public:
  Result<std::optional<Bytes>> get(Column c, ByteView key) const override {
    const auto& m = cols_[static_cast<size_t>(c)];
    auto it = m.find(Bytes(key.begin(), key.end()));
    if (it == m.end()) return std::optional<Bytes>();
    return std::optional<Bytes>(it->second);
  }
  Status write(const WriteBatch& batch) override {
    for (const BatchOp& op : batch.ops) {
      auto& m = cols_[static_cast<size_t>(op.column)];
      if (op.value)
        m[op.key] = *op.value;
      else
        m.erase(op.key);
    }
    return Status::success();
  }
  Status scan(Column c, ByteView start,
              const std::function<bool(ByteView, ByteView)>& fn) const override {
    const auto& m = cols_[static_cast<size_t>(c)];
    for (auto it = m.lower_bound(Bytes(start.begin(), start.end())); it != m.end(); ++it)
      if (!fn(it->first, it->second)) break;
    return Status::success();
  }
  Status scan_reverse(Column c, ByteView start,
                      const std::function<bool(ByteView, ByteView)>& fn) const override {
    const auto& m = cols_[static_cast<size_t>(c)];
    auto it = m.upper_bound(Bytes(start.begin(), start.end()));
    while (it != m.begin()) {
      --it;
      if (!fn(it->first, it->second)) break;
    }
    return Status::success();
  }

 private:
  std::map<Bytes, Bytes> cols_[static_cast<size_t>(Column::Count)];
};

}  // namespace

std::unique_ptr<KvStore> make_memory_store() {
  return std::make_unique<MemoryStore>();
}

}  // namespace vt::node
