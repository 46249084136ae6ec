// Element-wise fp32 math shared verbatim by the CPU and the CUDA side: exp, log,
// expm1, tanh, erf, GELU and their helpers, built only from IEEE + - * / sqrt and
// explicit fma, so both sides produce the same bits. Pure functions, thread safe.
#pragma once

#include <cmath>
#include <cstdint>
#include <cstring>

#if defined(__CUDACC__)
#define VT_HD __host__ __device__ __forceinline__
#else
#define VT_HD inline
#endif

namespace vt::kernels::em {

VT_HD std::uint32_t bits(float x) {
#if defined(__CUDA_ARCH__)
  return __float_as_uint(x);
#else
  std::uint32_t u;
  std::memcpy(&u, &x, 4);
  return u;
#endif
}

VT_HD float from_bits(std::uint32_t u) {
#if defined(__CUDA_ARCH__)
  return __uint_as_float(u);
#else
  float x;
  std::memcpy(&x, &u, 4);
  return x;
#endif
}

// Fused multiply-add, rounded once: the only place a fused operation is meant.
VT_HD float fma(float a, float b, float c) {
#if defined(__CUDA_ARCH__)
  return __fmaf_rn(a, b, c);
#else
  return std::fma(a, b, c);
#endif
}

VT_HD float sqrt(float x) {
#if defined(__CUDA_ARCH__)
  return __fsqrt_rn(x);
#else
  return std::sqrt(x);
#endif
}

VT_HD float div(float a, float b) {
#if defined(__CUDA_ARCH__)
  return __fdiv_rn(a, b);
#else
  return a / b;
#endif
}

VT_HD bool is_nan(float x) {
  return (bits(x) & 0x7fffffffu) > 0x7f800000u;
}
VT_HD float abs(float x) {
  return from_bits(bits(x) & 0x7fffffffu);
}
VT_HD float copysign(float mag, float sgn) {
  return from_bits((bits(mag) & 0x7fffffffu) | (bits(sgn) & 0x80000000u));
}

constexpr float kInf = __builtin_huge_valf();

// NaN payloads and signs depend on operand order inside the machine code (x86
// returns the first operand's NaN, GPUs return 0x7fffffff), so every op writes
// NaN outputs as this one canonical quiet NaN. Only NaN-ness is ever compared.
constexpr std::uint32_t kCanonicalNaN = 0x7fc00000u;
VT_HD float canon(float x) {
  return is_nan(x) ? from_bits(kCanonicalNaN) : x;
}

// Round to nearest even for |x| < 2^22 by the 1.5*2^23 trick (pure IEEE adds).
VT_HD float round_even(float x) {
  const float magic = 12582912.0f;
  return (x + magic) - magic;
}

// 2^n for integer n in [-126, 127] built from the exponent bits.
VT_HD float pow2i(int n) {
  return from_bits(static_cast<std::uint32_t>(n + 127) << 23);
}

// exp(x): x = n*ln2 + r, |r| <= ln2/2, degree-7 Taylor in Horner form with fma,
// then scaled by 2^n in two steps so that subnormal results round only once.
VT_HD float exp(float x) {
  if (is_nan(x)) return x;
  if (x > 88.72284f) return kInf;
  if (x < -103.97209f) return 0.0f;
  const float n = round_even(x * 1.44269504f);
  float r = fma(-n, 0.693145752f, x);  // ln2 split: hi has 16 significant bits
  r = fma(-n, 1.42860677e-06f, r);     // lo part
  float p = 1.98412698e-04f;           // 1/7!
  p = fma(p, r, 1.38888889e-03f);      // 1/6!
  p = fma(p, r, 8.33333333e-03f);      // 1/5!
  p = fma(p, r, 4.16666667e-02f);      // 1/4!
  p = fma(p, r, 1.66666667e-01f);      // 1/3!
  p = fma(p, r, 0.5f);
  p = fma(p, r, 1.0f);
  p = fma(p, r, 1.0f);
  const int ni = static_cast<int>(n);
  if (ni > 127) return (p * pow2i(127)) * pow2i(ni - 127);
  if (ni < -126) return (p * pow2i(-126)) * pow2i(ni + 126);
  return p * pow2i(ni);
}

// expm1(x) accurate near 0 (Taylor up to x^10 for |x| < 0.5), exp(x)-1 elsewhere.
VT_HD float expm1(float x) {
  if (!(abs(x) < 0.5f)) {
    if (is_nan(x)) return x;
    return exp(x) - 1.0f;
  }
  float p = 2.75573192e-07f;       // 1/10!
  p = fma(p, x, 2.75573192e-06f);  // 1/9!
  p = fma(p, x, 2.48015873e-05f);  // 1/8!
  p = fma(p, x, 1.98412698e-04f);  // 1/7!
  p = fma(p, x, 1.38888889e-03f);  // 1/6!
  p = fma(p, x, 8.33333333e-03f);  // 1/5!
  p = fma(p, x, 4.16666667e-02f);  // 1/4!
  p = fma(p, x, 1.66666667e-01f);  // 1/3!
  p = fma(p, x, 0.5f);
  p = p * x;            // x/2 + x^2/6 + ...
  return fma(p, x, x);  // x + x^2/2 + ...
}

// log(x): x = m * 2^e with m in [sqrt(1/2), sqrt(2)), log(m) = 2 atanh(s) with
// s = (m-1)/(m+1), series in s^2 up to s^11.
VT_HD float log(float x) {
  if (is_nan(x)) return x;
  if (x < 0.0f) return from_bits(0x7fc00000u);
  if (x == 0.0f) return -kInf;
  if (x == kInf) return x;
  int e = 0;
  if (x < 1.17549435e-38f) {  // subnormal: scale into the normal range first
    x = x * 8388608.0f;       // 2^23, exact
    e = -23;
  }
  std::uint32_t u = bits(x);
  e += static_cast<int>(u >> 23) - 127;
  float m = from_bits((u & 0x007fffffu) | 0x3f800000u);  // [1, 2)
  if (m > 1.41421356f) {
    m = m * 0.5f;
    e += 1;
  }
  const float f = m - 1.0f;
  const float s = div(f, m + 1.0f);
  const float z = s * s;
  float q = 1.0f / 11.0f;
  q = fma(q, z, 1.0f / 9.0f);
  q = fma(q, z, 1.0f / 7.0f);
  q = fma(q, z, 1.0f / 5.0f);
  q = fma(q, z, 1.0f / 3.0f);
  q = q * z;  // z/3 + z^2/5 + ...
  const float two_s = s + s;
  const float log_m = fma(two_s, q, two_s);  // 2s (1 + z/3 + ...)
  const float ef = static_cast<float>(e);
  return fma(ef, 0.693145752f, fma(ef, 1.42860677e-06f, log_m));
}

// tanh(x) = e / (e + 2) with e = expm1(2|x|), sign restored; saturates at |x| > 9.
VT_HD float tanh(float x) {
  if (is_nan(x)) return x;
  const float a = abs(x);
  if (a > 9.0f) return copysign(1.0f, x);
  const float e = expm1(a + a);
  return copysign(div(e, e + 2.0f), x);
}

// erf(x): Taylor series for |x| < 0.5; elsewhere 1 - erfc with the Chebyshev
// fit of Numerical Recipes (erfcc, fractional error < 1.2e-7).
VT_HD float erf(float x) {
  if (is_nan(x)) return x;
  const float a = abs(x);
  if (a < 0.5f) {
    // erf(x) = 2/sqrt(pi) * sum_n (-1)^n x^(2n+1) / (n! (2n+1))
    const float z = x * x;
    float p = -1.0f / 75600.0f;      // n=7: -1/(5040*15)
    p = fma(p, z, 1.0f / 9360.0f);   // n=6:  1/(720*13)
    p = fma(p, z, -1.0f / 1320.0f);  // n=5: -1/(120*11)
    p = fma(p, z, 1.0f / 216.0f);    // n=4:  1/(24*9)
    p = fma(p, z, -1.0f / 42.0f);    // n=3: -1/(6*7)
    p = fma(p, z, 0.1f);             // n=2:  1/(2*5)
    p = fma(p, z, -1.0f / 3.0f);     // n=1
    p = fma(p, z, 1.0f);             // n=0
    return (p * x) * 1.12837917f;    // 2/sqrt(pi)
  }
  if (a > 4.0f) return copysign(1.0f, x);
  const float t = div(1.0f, fma(0.5f, a, 1.0f));
  float p = 0.17087277f;
  p = fma(p, t, -0.82215223f);
  p = fma(p, t, 1.48851587f);
  p = fma(p, t, -1.13520398f);
  p = fma(p, t, 0.27886807f);
  p = fma(p, t, -0.18628806f);
  p = fma(p, t, 0.09678418f);
  p = fma(p, t, 0.37409196f);
  p = fma(p, t, 1.00002368f);
  p = fma(p, t, -1.26551223f);
  const float erfc = t * exp(p - a * a);
  return copysign(1.0f - erfc, x);
}

// GELU (erf form, as torch.nn.functional.gelu default): 0.5 x (1 + erf(x/sqrt2)).
// gelu(-inf) is defined as -0 (the limit) rather than -inf * 0 = NaN.
VT_HD float gelu(float x) {
  if (x == -kInf) return -0.0f;
  return (0.5f * x) * (1.0f + erf(x * 0.707106781f));
}

// d gelu / dx = Phi(x) + x phi(x), phi(x) = exp(-x^2/2) / sqrt(2 pi).
VT_HD float gelu_grad(float x) {
  if (is_nan(x)) return x;
  if (x == kInf) return 1.0f;
  if (x == -kInf) return 0.0f;
  const float cdf = 0.5f * (1.0f + erf(x * 0.707106781f));
  const float pdf = exp(-0.5f * (x * x)) * 0.398942280f;
  return cdf + x * pdf;
}

VT_HD float relu(float x) {
  return x > 0.0f ? x : (is_nan(x) ? x : 0.0f);
}
// Gradient passes where the input was > 0 (as PyTorch: relu'(0) = 0); NaN input -> NaN.
VT_HD float relu_grad(float x, float dout) {
  if (is_nan(x)) return x;
  return x > 0.0f ? dout : 0.0f;
}

}  // namespace vt::kernels::em
