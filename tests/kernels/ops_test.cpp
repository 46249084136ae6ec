// Per-op exact harness: every fast CPU op against the reference loop with memcmp,
// over swept shapes, adversarial values, every matmul path, row blocking and
// thread count. Plus element-math accuracy and finite-difference gradients.
#include "kernels/ops.h"

#include <doctest/doctest.h>

#include <cmath>
#include <cstring>
#include <limits>
#include <memory>
#include <vector>

#include "kernels/element_math.h"
#include "kernels/rng.h"
#include "tests/kernels/adversarial_data.h"

using namespace vt::kernels;
using vt::kernels::testing::make_data;

namespace {

bool same_bits(const std::vector<float>& a, const std::vector<float>& b) {
  return a.size() == b.size() &&
         (a.empty() || std::memcmp(a.data(), b.data(), a.size() * sizeof(float)) == 0);
}

struct Config {
  int threads;
  GemmPath path;
  int row_block;
};

std::vector<Config> all_configs() {
  std::vector<Config> out;
  for (GemmPath p : {GemmPath::scalar, GemmPath::avx2, GemmPath::avx512}) {
    if (!cpu_supports(p)) continue;
    for (int t : {1, 2, 4})
      for (int rb : {6, 48}) out.push_back({t, p, rb});
  }
  return out;
}

struct Exec {
  explicit Exec(const Config& c) : pool(c.threads) {
    ex.pool = &pool;
    ex.path = c.path;
    ex.row_block = c.row_block;
    ex.elem_block = 37;  // small odd chunks: many tasks, ragged ends
  }
  ThreadPool pool;
  CpuExec ex;
};

}  // namespace

TEST_CASE("gemm: fast paths equal the reference bit for bit") {
  const int shapes[][3] = {{0, 5, 3},     {3, 0, 2},   {4, 5, 0},     {1, 1, 1},
                           {7, 33, 5},    {6, 32, 16}, {13, 17, 29},  {50, 70, 31},
                           {128, 10, 64}, {37, 64, 1}, {12, 100, 200}};
  for (const auto& cfg : all_configs()) {
    Exec e(cfg);
    for (const auto& s : shapes) {
      const int m = s[0], n = s[1], k = s[2];
      for (int adv : {0, 30}) {
        const auto a = make_data(static_cast<std::size_t>(m) * k, 11, adv);
        const auto b = make_data(static_cast<std::size_t>(k) * n, 12, adv);
        std::vector<float> c_ref(static_cast<std::size_t>(m) * n, 1.0f), c_fast(c_ref.size(), 2.0f);
        gemm_ref(c_ref.data(), n, a.data(), k, b.data(), n, m, n, k);
        gemm_cpu(e.ex, c_fast.data(), n, a.data(), k, b.data(), n, m, n, k);
        CAPTURE(m);
        CAPTURE(n);
        CAPTURE(k);
        CAPTURE(static_cast<int>(cfg.path));
        CHECK(same_bits(c_ref, c_fast));
      }
    }
  }
}

TEST_CASE("linear forward/backward: fast equals reference") {
  const int shapes[][3] = {{1, 1, 1}, {5, 7, 3}, {16, 40, 10}, {33, 20, 70}, {0, 4, 4}};
  for (const auto& cfg : all_configs()) {
    Exec e(cfg);
    for (const auto& s : shapes) {
      const int B = s[0], C = s[1], OC = s[2];
      const auto inp = make_data(static_cast<std::size_t>(B) * C, 21, 20);
      const auto w = make_data(static_cast<std::size_t>(C) * OC, 22, 20);
      const auto bias = make_data(static_cast<std::size_t>(OC), 23, 50);
      const auto dout = make_data(static_cast<std::size_t>(B) * OC, 24, 20);
      std::vector<float> o1(static_cast<std::size_t>(B) * OC), o2(o1.size());
      linear_forward_ref(o1.data(), inp.data(), w.data(), bias.data(), B, C, OC);
      linear_forward_cpu(e.ex, o2.data(), inp.data(), w.data(), bias.data(), B, C, OC);
      CHECK(same_bits(o1, o2));
      std::vector<float> di1(inp.size()), di2(inp.size()), dw1(w.size()), dw2(w.size()),
          db1(bias.size()), db2(bias.size());
      std::vector<float> scratch(linear_backward_scratch(B, C, OC));
      linear_backward_ref(di1.data(), dw1.data(), db1.data(), dout.data(), inp.data(), w.data(), B,
                          C, OC);
      linear_backward_cpu(e.ex, di2.data(), dw2.data(), db2.data(), dout.data(), inp.data(),
                          w.data(), B, C, OC, scratch.data());
      CHECK(same_bits(di1, di2));
      CHECK(same_bits(dw1, dw2));
      CHECK(same_bits(db1, db2));
    }
  }
}

TEST_CASE("element-wise ops, softmax-xent, layer norm, optimisers: fast equals reference") {
  for (const auto& cfg : all_configs()) {
    if (cfg.row_block != 6) continue;  // no matmul below: one tiling is enough
    Exec e(cfg);
    for (std::size_t n : {std::size_t{0}, std::size_t{1}, std::size_t{100}, std::size_t{1000}}) {
      const auto x = make_data(n, 31, 100), d = make_data(n, 32, 100);
      std::vector<float> r1(n), r2(n);
      relu_forward_ref(r1.data(), x.data(), n);
      relu_forward_cpu(e.ex, r2.data(), x.data(), n);
      CHECK(same_bits(r1, r2));
      relu_backward_ref(r1.data(), x.data(), d.data(), n);
      relu_backward_cpu(e.ex, r2.data(), x.data(), d.data(), n);
      CHECK(same_bits(r1, r2));
      gelu_forward_ref(r1.data(), x.data(), n);
      gelu_forward_cpu(e.ex, r2.data(), x.data(), n);
      CHECK(same_bits(r1, r2));
      gelu_backward_ref(r1.data(), x.data(), d.data(), n);
      gelu_backward_cpu(e.ex, r2.data(), x.data(), d.data(), n);
      CHECK(same_bits(r1, r2));

      SgdHyper sh{0.01f, 0.9f, 1e-4f};
      std::vector<float> p1 = x, p2 = x, b1 = d, b2 = d;
      const auto g = make_data(n, 33, 50);
      sgd_step_ref(p1.data(), b1.data(), g.data(), n, sh);
      sgd_step_cpu(e.ex, p2.data(), b2.data(), g.data(), n, sh);
      CHECK(same_bits(p1, p2));
      CHECK(same_bits(b1, b2));
      const AdamWHyper ah = adamw_hyper_for_step(1e-3f, 0.9f, 0.999f, 1e-8f, 0.01f, 3);
      std::vector<float> m1 = d, m2 = d, v1(n), v2(n);
      for (std::size_t i = 0; i < n; ++i) v1[i] = v2[i] = std::fabs(d[i]);
      adamw_step_ref(p1.data(), m1.data(), v1.data(), g.data(), n, ah);
      adamw_step_cpu(e.ex, p2.data(), m2.data(), v2.data(), g.data(), n, ah);
      CHECK(same_bits(p1, p2));
      CHECK(same_bits(m1, m2));
      CHECK(same_bits(v1, v2));
    }
    for (int B : {0, 1, 7, 64})
      for (int V : {1, 10, 33}) {
        const auto logits = make_data(static_cast<std::size_t>(B) * V, 41, 30);
        std::vector<std::int32_t> t(static_cast<std::size_t>(B));
        for (int b = 0; b < B; ++b)
          t[static_cast<std::size_t>(b)] = static_cast<std::int32_t>(
              rng_below(static_cast<std::uint32_t>(V), 1, 2, 3, static_cast<std::uint64_t>(b)));
        if (B > 3) t[3] = V;  // out-of-range target -> NaN loss, never a stray read
        std::vector<float> p1(logits.size()), p2(logits.size()), l1(static_cast<std::size_t>(B)),
            l2(l1.size());
        std::vector<float> m1(1), m2(1);
        softmax_xent_forward_ref(p1.data(), l1.data(), m1.data(), logits.data(), t.data(), B, V);
        softmax_xent_forward_cpu(e.ex, p2.data(), l2.data(), m2.data(), logits.data(), t.data(), B,
                                 V);
        CHECK(same_bits(p1, p2));
        CHECK(same_bits(l1, l2));
        CHECK(same_bits(m1, m2));
        std::vector<float> d1(logits.size()), d2(logits.size());
        softmax_xent_backward_ref(d1.data(), p1.data(), t.data(), B, V);
        softmax_xent_backward_cpu(e.ex, d2.data(), p1.data(), t.data(), B, V);
        CHECK(same_bits(d1, d2));
      }
    for (int N : {0, 1, 9}) {
      for (int C : {1, 16, 75}) {
        const auto x = make_data(static_cast<std::size_t>(N) * C, 51, 20),
                   w = make_data(static_cast<std::size_t>(C), 52, 0),
                   b = make_data(static_cast<std::size_t>(C), 53, 0),
                   dout = make_data(x.size(), 54, 20);
        std::vector<float> o1(x.size()), o2(x.size()), mu1(static_cast<std::size_t>(N)),
            mu2(mu1.size()), rs1(mu1.size()), rs2(mu1.size());
        layernorm_forward_ref(o1.data(), mu1.data(), rs1.data(), x.data(), w.data(), b.data(), N, C,
                              1e-5f);
        layernorm_forward_cpu(e.ex, o2.data(), mu2.data(), rs2.data(), x.data(), w.data(), b.data(),
                              N, C, 1e-5f);
        CHECK(same_bits(o1, o2));
        CHECK(same_bits(mu1, mu2));
        CHECK(same_bits(rs1, rs2));
        std::vector<float> di1(x.size()), di2(x.size()), dw1(w.size()), dw2(w.size()),
            db1(w.size()), db2(w.size());
        layernorm_backward_ref(di1.data(), dw1.data(), db1.data(), dout.data(), x.data(), w.data(),
                               mu1.data(), rs1.data(), N, C);
        layernorm_backward_cpu(e.ex, di2.data(), dw2.data(), db2.data(), dout.data(), x.data(),
                               w.data(), mu1.data(), rs1.data(), N, C);
        CHECK(same_bits(di1, di2));
        CHECK(same_bits(dw1, dw2));
        CHECK(same_bits(db1, db2));
      }
    }
  }
}

TEST_CASE("element math: close to libm, exact special cases") {
  const float inf = std::numeric_limits<float>::infinity();
  CHECK(em::exp(0.0f) == 1.0f);
  CHECK(em::exp(-inf) == 0.0f);
  CHECK(em::exp(inf) == inf);
  CHECK(std::isnan(em::exp(std::nanf(""))));
  CHECK(em::log(1.0f) == 0.0f);
  CHECK(em::log(0.0f) == -inf);
  CHECK(std::isnan(em::log(-1.0f)));
  CHECK(em::tanh(0.0f) == 0.0f);
  CHECK(std::signbit(em::tanh(-0.0f)));
  CHECK(em::erf(inf) == 1.0f);
  CHECK(em::gelu(-inf) == 0.0f);
  double max_exp = 0, max_log = 0, max_tanh = 0, max_erf = 0, max_gelu = 0;
  for (int i = 0; i <= 20000; ++i) {
    const float x = -20.0f + 40.0f * static_cast<float>(i) / 20000.0f;
    auto rel = [](double got, double want) {
      return want == 0 ? std::fabs(got) : std::fabs(got - want) / std::fabs(want);
    };
    max_exp = std::max(max_exp, rel(em::exp(x), std::exp(static_cast<double>(x))));
    max_tanh = std::max(max_tanh, rel(em::tanh(x), std::tanh(static_cast<double>(x))));
    max_erf = std::max(max_erf, std::fabs(em::erf(x) - std::erf(static_cast<double>(x))));
    const double gx = 0.5 * x * (1.0 + std::erf(x / std::sqrt(2.0)));
    max_gelu = std::max(max_gelu, std::fabs(em::gelu(x) - gx));
    const float y =
        std::ldexp(1.0f + static_cast<float>(i) / 20000.0f, (i % 250) - 140);  // subnormals too
    max_log = std::max(max_log, std::fabs(em::log(y) - std::log(static_cast<double>(y))) /
                                    std::max(1.0, std::fabs(std::log(static_cast<double>(y)))));
  }
  CHECK(max_exp < 4e-7);
  CHECK(max_log < 4e-7);
  CHECK(max_tanh < 4e-7);
  CHECK(max_erf < 4e-7);
  CHECK(max_gelu < 4e-6);
  // Subnormal results of exp round once.
  CHECK(em::exp(-100.0f) == static_cast<float>(std::exp(-100.0)));
}

TEST_CASE("gradients match finite differences") {
  // Double-precision central differences of a float forward pass; loose tolerance.
  const int B = 4, C = 6, OC = 5;
  auto inp = make_data(B * C, 61, 0), w = make_data(C * OC, 62, 0), bias = make_data(OC, 63, 0);
  std::vector<std::int32_t> t = {1, 0, 4, 2};
  auto loss_of = [&](const std::vector<float>& in, const std::vector<float>& ww, bool gelu) {
    std::vector<float> z(B * OC), a(B * OC), p(B * OC), l(B), m(1);
    linear_forward_ref(z.data(), in.data(), ww.data(), bias.data(), B, C, OC);
    if (gelu)
      gelu_forward_ref(a.data(), z.data(), a.size());
    else
      a = z;
    softmax_xent_forward_ref(p.data(), l.data(), m.data(), a.data(), t.data(), B, OC);
    return static_cast<double>(m[0]);
  };
  for (bool gelu : {false, true}) {
    std::vector<float> z(B * OC), a(B * OC), p(B * OC), l(B), m(1), da(B * OC), dz(B * OC),
        di(B * C), dw(C * OC), db(OC);
    linear_forward_ref(z.data(), inp.data(), w.data(), bias.data(), B, C, OC);
    if (gelu)
      gelu_forward_ref(a.data(), z.data(), a.size());
    else
      a = z;
    softmax_xent_forward_ref(p.data(), l.data(), m.data(), a.data(), t.data(), B, OC);
    softmax_xent_backward_ref(da.data(), p.data(), t.data(), B, OC);
    if (gelu)
      gelu_backward_ref(dz.data(), z.data(), da.data(), dz.size());
    else
      dz = da;
    linear_backward_ref(di.data(), dw.data(), db.data(), dz.data(), inp.data(), w.data(), B, C, OC);
    const float h = 1e-2f;
    for (std::size_t i = 0; i < w.size(); i += 3) {
      auto wp = w, wm = w;
      wp[i] += h;
      wm[i] -= h;
      const double fd =
          (loss_of(inp, wp, gelu) - loss_of(inp, wm, gelu)) / (static_cast<double>(wp[i]) - wm[i]);
      CHECK(std::fabs(fd - dw[i]) < 2e-3 + 2e-2 * std::fabs(fd));
    }
    for (std::size_t i = 0; i < inp.size(); i += 2) {
      auto ip = inp, im = inp;
      ip[i] += h;
      im[i] -= h;
      const double fd =
          (loss_of(ip, w, gelu) - loss_of(im, w, gelu)) / (static_cast<double>(ip[i]) - im[i]);
      CHECK(std::fabs(fd - di[i]) < 2e-3 + 2e-2 * std::fabs(fd));
    }
  }
  // Layer norm: gradient of sum(out * r) for a fixed random r.
  const int N = 3, LC = 8;
  auto x = make_data(N * LC, 71, 0), lw = make_data(LC, 72, 0), lb = make_data(LC, 73, 0),
       r = make_data(N * LC, 74, 0);
  auto ln_loss = [&](const std::vector<float>& xx, const std::vector<float>& ww) {
    std::vector<float> o(N * LC), mu(N), rs(N);
    layernorm_forward_ref(o.data(), mu.data(), rs.data(), xx.data(), ww.data(), lb.data(), N, LC,
                          1e-5f);
    double s = 0;
    for (std::size_t i = 0; i < o.size(); ++i) s += static_cast<double>(o[i]) * r[i];
    return s;
  };
  std::vector<float> o(N * LC), mu(N), rs(N), dx(N * LC), dw(LC), db(LC);
  layernorm_forward_ref(o.data(), mu.data(), rs.data(), x.data(), lw.data(), lb.data(), N, LC,
                        1e-5f);
  layernorm_backward_ref(dx.data(), dw.data(), db.data(), r.data(), x.data(), lw.data(), mu.data(),
                         rs.data(), N, LC);
  const float h = 1e-2f;
  for (std::size_t i = 0; i < x.size(); ++i) {
    auto xp = x, xm = x;
    xp[i] += h;
    xm[i] -= h;
    const double fd = (ln_loss(xp, lw) - ln_loss(xm, lw)) / (static_cast<double>(xp[i]) - xm[i]);
    CHECK(std::fabs(fd - dx[i]) < 5e-3 + 2e-2 * std::fabs(fd));
  }
  for (std::size_t i = 0; i < lw.size(); ++i) {
    auto wp = lw, wm = lw;
    wp[i] += h;
    wm[i] -= h;
    const double fd = (ln_loss(x, wp) - ln_loss(x, wm)) / (static_cast<double>(wp[i]) - wm[i]);
    CHECK(std::fabs(fd - dw[i]) < 5e-3 + 2e-2 * std::fabs(fd));
  }
}
