#include "kernels/idx.h"

#include <zlib.h>

#include <cerrno>
#include <cstring>

namespace vt::kernels {

namespace {
std::uint32_t be32(const std::uint8_t* p) {
  return (std::uint32_t{p[0]} << 24) | (std::uint32_t{p[1]} << 16) | (std::uint32_t{p[2]} << 8) |
         std::uint32_t{p[3]};
}
}  // namespace

Result<std::vector<std::uint8_t>> read_gz_file(const std::string& path) {
  gzFile f = gzopen(path.c_str(), "rb");  // also reads uncompressed files transparently
  if (f == nullptr)
    return Result<std::vector<std::uint8_t>>::failure(path +
                                                      ": cannot open: " + std::strerror(errno));
  std::vector<std::uint8_t> out;
  std::uint8_t buf[1 << 16];
  for (;;) {
    const int n = gzread(f, buf, sizeof buf);
    if (n < 0) {
      int errnum = 0;
      std::string why = gzerror(f, &errnum);
      gzclose(f);
      return Result<std::vector<std::uint8_t>>::failure(path + ": corrupt gzip data: " + why);
    }
    if (n == 0) break;
    out.insert(out.end(), buf, buf + n);
  }
  // A gzip stream cut short reads as EOF without error in some zlib versions;
  // gzclose reports Z_BUF_ERROR for it.
  const int rc = gzclose(f);
  if (rc == Z_BUF_ERROR)
    return Result<std::vector<std::uint8_t>>::failure(path + ": truncated gzip stream");
  if (rc != Z_OK)
    return Result<std::vector<std::uint8_t>>::failure(path + ": gzip read error " +
                                                      std::to_string(rc));
  return Result<std::vector<std::uint8_t>>::success(std::move(out));
}

Result<IdxImages> parse_idx_images(const std::vector<std::uint8_t>& bytes,
                                   const std::string& what) {
  using R = Result<IdxImages>;
  if (bytes.size() < 16)
    return R::failure(what + ": truncated IDX header (" + std::to_string(bytes.size()) +
                      " bytes, need 16)");
  const std::uint32_t magic = be32(bytes.data());
  if (magic != 0x00000803u)
    return R::failure(what + ": bad magic for ubyte images (expected 0x00000803)");
  IdxImages im;
  im.count = be32(bytes.data() + 4);
  im.rows = be32(bytes.data() + 8);
  im.cols = be32(bytes.data() + 12);
  if (im.rows == 0 || im.cols == 0 || im.rows > 4096 || im.cols > 4096)
    return R::failure(what + ": implausible image size");
  const std::uint64_t need = std::uint64_t{im.count} * im.rows * im.cols;
  const std::uint64_t have = bytes.size() - 16;
  if (have < need)
    return R::failure(what + ": truncated: header promises " + std::to_string(need) +
                      " pixel bytes, file has " + std::to_string(have));
  if (have > need)
    return R::failure(what + ": " + std::to_string(have - need) +
                      " trailing bytes after the images");
  im.pixels.assign(bytes.begin() + 16, bytes.end());
  im.sha256 = sha256(bytes.data(), bytes.size());
  return R::success(std::move(im));
}

Result<IdxLabels> parse_idx_labels(const std::vector<std::uint8_t>& bytes,
                                   const std::string& what) {
  using R = Result<IdxLabels>;
  if (bytes.size() < 8)
    return R::failure(what + ": truncated IDX header (" + std::to_string(bytes.size()) +
                      " bytes, need 8)");
  if (be32(bytes.data()) != 0x00000801u)
    return R::failure(what + ": bad magic for ubyte labels (expected 0x00000801)");
  const std::uint64_t need = be32(bytes.data() + 4), have = bytes.size() - 8;
  if (have < need)
    return R::failure(what + ": truncated: header promises " + std::to_string(need) +
                      " labels, file has " + std::to_string(have));
  if (have > need)
    return R::failure(what + ": " + std::to_string(have - need) +
                      " trailing bytes after the labels");
  IdxLabels l;
  l.labels.assign(bytes.begin() + 8, bytes.end());
  l.sha256 = sha256(bytes.data(), bytes.size());
  return R::success(std::move(l));
}

Result<IdxImages> load_idx_images(const std::string& path) {
  auto raw = read_gz_file(path);
  if (!raw) return Result<IdxImages>::failure(raw.error);
  return parse_idx_images(raw.value, path);
}

Result<IdxLabels> load_idx_labels(const std::string& path) {
  auto raw = read_gz_file(path);
  if (!raw) return Result<IdxLabels>::failure(raw.error);
  return parse_idx_labels(raw.value, path);
}

Result<Dataset> load_fashion_mnist(const std::string& dir) {
  using R = Result<Dataset>;
  Dataset d;
  auto tri = load_idx_images(dir + "/train-images-idx3-ubyte.gz");
  if (!tri) return R::failure(tri.error);
  auto trl = load_idx_labels(dir + "/train-labels-idx1-ubyte.gz");
  if (!trl) return R::failure(trl.error);
  auto tei = load_idx_images(dir + "/t10k-images-idx3-ubyte.gz");
  if (!tei) return R::failure(tei.error);
  auto tel = load_idx_labels(dir + "/t10k-labels-idx1-ubyte.gz");
  if (!tel) return R::failure(tel.error);
  d.train_images = std::move(tri.value);
  d.train_labels = std::move(trl.value);
  d.test_images = std::move(tei.value);
  d.test_labels = std::move(tel.value);
  for (const auto* im : {&d.train_images, &d.test_images})
    if (im->rows != 28 || im->cols != 28)
      return R::failure(dir + ": Fashion-MNIST images must be 28x28");
  if (d.train_images.count != d.train_labels.labels.size())
    return R::failure(dir + ": train image count and label count differ");
  if (d.test_images.count != d.test_labels.labels.size())
    return R::failure(dir + ": test image count and label count differ");
  for (const auto* l : {&d.train_labels, &d.test_labels})
    for (std::uint8_t v : l->labels)
      if (v >= 10) return R::failure(dir + ": label " + std::to_string(v) + " outside [0, 10)");
  return R::success(std::move(d));
}

}  // namespace vt::kernels
