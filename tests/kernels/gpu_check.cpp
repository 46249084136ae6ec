// GPU == CPU, bit for bit: every op on adversarial inputs (memcmp of the
// outputs), then whole training runs (state hashes of every checkpoint).
// Exit 0: all equal; 1: a difference; 77: no CUDA device (skipped).
// Run by scripts/gpu-check on a machine with an NVIDIA GPU, and in every CI run
// as kernels_cuda_emulation against tests/kernels/cuda_emulation's runtime.
#include <cuda_runtime.h>

#include <array>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <vector>

#include "kernels/ops.h"
#include "kernels/ops_cuda.h"
#include "kernels/rng.h"
#include "kernels/trainer.h"
#include "tests/kernels/adversarial_data.h"

using namespace vt::kernels;
using vt::kernels::testing::make_data;

namespace {

int failures = 0;

struct Dev {
  float* p = nullptr;
  std::size_t n = 0;
  explicit Dev(const std::vector<float>& h) : n(h.size()) {
    cudaMalloc(&p, (n ? n : 1) * 4);
    if (n) cudaMemcpy(p, h.data(), n * 4, cudaMemcpyHostToDevice);
  }
  explicit Dev(std::size_t count) : n(count) {
    cudaMalloc(&p, (n ? n : 1) * 4);
    cudaMemset(p, 0, (n ? n : 1) * 4);
  }
  ~Dev() { cudaFree(p); }
  std::vector<float> get() const {
    std::vector<float> h(n);
    cudaDeviceSynchronize();
    if (n) cudaMemcpy(h.data(), p, n * 4, cudaMemcpyDeviceToHost);
    return h;
  }
};

void expect_same(const std::string& what, const std::vector<float>& cpu, const Dev& gpu) {
  const auto g = gpu.get();
  const bool same = cpu.size() == g.size() &&
                    (cpu.empty() || std::memcmp(cpu.data(), g.data(), cpu.size() * 4) == 0);
  if (!same) {
    ++failures;
    std::size_t i = 0;
    while (i < cpu.size() && std::memcmp(&cpu[i], &g[i], 4) == 0) ++i;
    std::printf("DIFF %s at %zu: cpu %a gpu %a\n", what.c_str(), i, static_cast<double>(cpu[i]),
                static_cast<double>(g[i]));
  } else {
    std::printf("same %s (%zu values)\n", what.c_str(), cpu.size());
  }
}

void check_ops() {
  ThreadPool pool(2);
  CpuExec ex;
  ex.pool = &pool;
  // {B, OC, C}: one past the 64x64 tile and the 16-deep K slice, single rows and columns.
  // gemm_cuda runs four kernels: 64x64 or 128x128 tiles (the latter from 128 such
  // tiles on), each with 4- or 16-byte global loads (16 when k and n are multiples
  // of 4). The last three shapes reach the ones the others do not, with a
  // part-filled last K slice: {68, 20, 36} the 64x64 16-byte forward, {1025, 2048,
  // 12} the 128x128 16-byte forward, {1025, 9, 2049} the 128x128 4-byte dinp.
  const int shapes[][3] = {{1, 1, 1},      {7, 33, 5},      {64, 64, 16},    {65, 65, 17},
                           {1, 129, 15},   {129, 1, 33},    {128, 256, 784}, {100, 10, 128},
                           {37, 70, 0},    {300, 500, 257}, {68, 20, 36},    {1025, 2048, 12},
                           {1025, 9, 2049}};
  for (const auto& s : shapes) {
    const int B = s[0], OC = s[1], C = s[2];
    const std::string tag = std::to_string(B) + "x" + std::to_string(C) + "x" + std::to_string(OC);
    for (int adv : {0, 20}) {
      const auto inp = make_data(static_cast<std::size_t>(B) * C, 1, adv),
                 w = make_data(static_cast<std::size_t>(C) * OC, 2, adv),
                 bias = make_data(static_cast<std::size_t>(OC), 3, adv),
                 dout = make_data(static_cast<std::size_t>(B) * OC, 4, adv);
      Dev dinp_(inp), dw_(w), dbias_(bias), ddout(dout);
      std::vector<float> out(static_cast<std::size_t>(B) * OC);
      linear_forward_cpu(ex, out.data(), inp.data(), w.data(), bias.data(), B, C, OC);
      Dev gout(out.size());
      linear_forward_cuda(gout.p, dinp_.p, dw_.p, dbias_.p, B, C, OC);
      expect_same("linear_forward " + tag, out, gout);
      std::vector<float> di(inp.size()), dwv(w.size()), db(bias.size()),
          scratch(linear_backward_scratch(B, C, OC));
      linear_backward_cpu(ex, di.data(), dwv.data(), db.data(), dout.data(), inp.data(), w.data(),
                          B, C, OC, scratch.data());
      Dev gdi(di.size()), gdw(dwv.size()), gdb(db.size()), gs(scratch.size());
      linear_backward_cuda(gdi.p, gdw.p, gdb.p, ddout.p, dinp_.p, dw_.p, B, C, OC, gs.p);
      expect_same("linear_backward dinp " + tag, di, gdi);
      expect_same("linear_backward dw " + tag, dwv, gdw);
      expect_same("linear_backward dbias " + tag, db, gdb);
    }
  }
  // Products that underflow to -0 keep every output at -0 through its chain; a
  // kernel that ran a part-filled K slice over padded zeros would end at +0.
  for (const auto& s : {std::array{1025, 2049, 9}, std::array{1025, 2048, 12},
                        std::array{65, 65, 17}, std::array{64, 64, 20}}) {
    const int m = s[0], cols = s[1], k = s[2];
    const std::string tag =
        std::to_string(m) + "x" + std::to_string(k) + "x" + std::to_string(cols);
    const std::vector<float> a(static_cast<std::size_t>(m) * k, -1e-30f),
        b(static_cast<std::size_t>(k) * cols, 1e-30f);
    std::vector<float> c(static_cast<std::size_t>(m) * cols, 1.0f);
    gemm_cpu(ex, c.data(), cols, a.data(), k, b.data(), cols, m, cols, k);
    if (!std::signbit(c.back()) || c.back() != 0.0f) {
      ++failures;
      std::printf("DIFF gemm of underflowing products %s: the CPU gave %a, not -0\n", tag.c_str(),
                  static_cast<double>(c.back()));
    }
    Dev ga(a), gb(b), gc(c.size());
    gemm_cuda(gc.p, cols, ga.p, k, gb.p, cols, m, cols, k);
    expect_same("gemm of underflowing products " + tag, c, gc);
  }
  const std::size_t n = 100000;
  const auto x = make_data(n, 5, 50), d = make_data(n, 6, 50), g = make_data(n, 7, 20);
  Dev gx(x), gd(d), gg(g);
  std::vector<float> r(n);
  Dev gr(n);
  relu_forward_cpu(ex, r.data(), x.data(), n);
  relu_forward_cuda(gr.p, gx.p, n);
  expect_same("relu_forward", r, gr);
  relu_backward_cpu(ex, r.data(), x.data(), d.data(), n);
  relu_backward_cuda(gr.p, gx.p, gd.p, n);
  expect_same("relu_backward", r, gr);
  gelu_forward_cpu(ex, r.data(), x.data(), n);
  gelu_forward_cuda(gr.p, gx.p, n);
  expect_same("gelu_forward", r, gr);
  gelu_backward_cpu(ex, r.data(), x.data(), d.data(), n);
  gelu_backward_cuda(gr.p, gx.p, gd.p, n);
  expect_same("gelu_backward", r, gr);
  {
    std::vector<float> p = x, b = d;
    Dev gp(x), gb(d);
    const SgdHyper h{0.01f, 0.9f, 1e-4f};
    sgd_step_cpu(ex, p.data(), b.data(), g.data(), n, h);
    sgd_step_cuda(gp.p, gb.p, gg.p, n, h);
    expect_same("sgd param", p, gp);
    expect_same("sgd momentum", b, gb);
    std::vector<float> m = d, v(n);
    for (std::size_t i = 0; i < n; ++i) v[i] = std::fabs(x[i]);
    Dev gm(m), gv(v);
    const AdamWHyper ah = adamw_hyper_for_step(1e-3, 0.9, 0.999, 1e-8, 0.01, 5);
    adamw_step_cpu(ex, p.data(), m.data(), v.data(), g.data(), n, ah);
    adamw_step_cuda(gp.p, gm.p, gv.p, gg.p, n, ah);
    expect_same("adamw param", p, gp);
    expect_same("adamw m", m, gm);
    expect_same("adamw v", v, gv);
  }
  for (int V : {10, 1000}) {
    const int B = 300;
    const auto logits = make_data(static_cast<std::size_t>(B) * V, 8, 10);
    std::vector<std::int32_t> t(B);
    for (int b = 0; b < B; ++b)
      t[static_cast<std::size_t>(b)] = static_cast<std::int32_t>(
          rng_below(static_cast<std::uint32_t>(V), 1, 2, 3, static_cast<std::uint64_t>(b)));
    std::int32_t* gt = nullptr;
    cudaMalloc(&gt, B * 4);
    cudaMemcpy(gt, t.data(), B * 4, cudaMemcpyHostToDevice);
    Dev gl(logits), gp(logits.size()), gls(static_cast<std::size_t>(B)), gm(1), gdl(logits.size());
    std::vector<float> p(logits.size()), ls(static_cast<std::size_t>(B)), m(1), dl(logits.size());
    softmax_xent_forward_cpu(ex, p.data(), ls.data(), m.data(), logits.data(), t.data(), B, V);
    softmax_xent_forward_cuda(gp.p, gls.p, gm.p, gl.p, gt, B, V);
    expect_same("softmax probs V=" + std::to_string(V), p, gp);
    expect_same("softmax losses V=" + std::to_string(V), ls, gls);
    expect_same("softmax mean loss V=" + std::to_string(V), m, gm);
    softmax_xent_backward_cpu(ex, dl.data(), p.data(), t.data(), B, V);
    softmax_xent_backward_cuda(gdl.p, gp.p, gt, B, V);
    expect_same("softmax backward V=" + std::to_string(V), dl, gdl);
    cudaFree(gt);
  }
  {
    const int N = 256, C = 768;
    const auto xx = make_data(static_cast<std::size_t>(N) * C, 9, 5), w = make_data(C, 10, 0),
               b = make_data(C, 11, 0), dout = make_data(xx.size(), 12, 5);
    Dev gx2(xx), gw(w), gb(b), gdo(dout), go(xx.size()), gmu(N), grs(N), gdx(xx.size()), gdw(C),
        gdb(C);
    std::vector<float> o(xx.size()), mu(N), rs(N), dx(xx.size()), dw(C), db(C);
    layernorm_forward_cpu(ex, o.data(), mu.data(), rs.data(), xx.data(), w.data(), b.data(), N, C,
                          1e-5f);
    layernorm_forward_cuda(go.p, gmu.p, grs.p, gx2.p, gw.p, gb.p, N, C, 1e-5f);
    expect_same("layernorm out", o, go);
    expect_same("layernorm mean", mu, gmu);
    expect_same("layernorm rstd", rs, grs);
    layernorm_backward_cpu(ex, dx.data(), dw.data(), db.data(), dout.data(), xx.data(), w.data(),
                           mu.data(), rs.data(), N, C);
    layernorm_backward_cuda(gdx.p, gdw.p, gdb.p, gdo.p, gx2.p, gw.p, gmu.p, grs.p, N, C);
    expect_same("layernorm dinp", dx, gdx);
    expect_same("layernorm dweight", dw, gdw);
    expect_same("layernorm dbias", db, gdb);
  }
}

void check_training(const std::string& spec_path, const Dataset& data) {
  auto spec = load_job_spec_file(spec_path);
  if (!spec) {
    std::printf("%s\n", spec.error.c_str());
    ++failures;
    return;
  }
  TrainOptions cpu, gpu;
  cpu.threads = 2;
  gpu.device = Device::cuda;
  auto a = train(spec.value, data, cpu);
  auto b = train(spec.value, data, gpu);
  if (!a || !b) {
    std::printf("training failed: %s %s\n", a.error.c_str(), b.error.c_str());
    ++failures;
    return;
  }
  const auto& ca = a.value.commitment;
  const auto& cb = b.value.commitment;
  bool same = ca.checkpoints.size() == cb.checkpoints.size() && ca.merkle_root == cb.merkle_root;
  for (std::size_t i = 0; same && i < ca.checkpoints.size(); ++i)
    same = ca.checkpoints[i].state_hash == cb.checkpoints[i].state_hash;
  std::printf(
      "%s %s: %zu checkpoints, merkle root cpu %s gpu %s, test correct cpu %llu gpu %llu (%s vs "
      "%s)\n",
      same ? "same" : "DIFF", spec_path.c_str(), ca.checkpoints.size(),
      to_hex(ca.merkle_root).c_str(), to_hex(cb.merkle_root).c_str(),
      static_cast<unsigned long long>(ca.test_correct),
      static_cast<unsigned long long>(cb.test_correct), a.value.backend.c_str(),
      b.value.backend.c_str());
  if (!same) ++failures;
}

}  // namespace

int main(int argc, char** argv) {
  int count = 0;
  if (cudaGetDeviceCount(&count) != cudaSuccess || count == 0) {
    std::printf("no CUDA device: skipped\n");
    return 77;
  }
  cudaDeviceProp prop{};
  cudaGetDeviceProperties(&prop, 0);
  std::printf("GPU: %s (sm_%d%d)\n", prop.name, prop.major, prop.minor);
  check_ops();
  if (argc < 2) {
    std::printf("%s: %d difference(s)\n", failures ? "FAIL" : "PASS", failures);
    return failures ? 1 : 0;
  }
  const char* dir = std::getenv("VT_FASHION_MNIST_DIR");
  auto data = load_fashion_mnist(dir != nullptr ? dir : kDefaultFashionMnistDir);
  if (!data) {
    std::printf("%s\n", data.error.c_str());
    return 1;
  }
  for (int i = 1; i < argc; ++i) check_training(argv[i], data.value);
  std::printf("%s: %d difference(s)\n", failures ? "FAIL" : "PASS", failures);
  return failures ? 1 : 0;
}
