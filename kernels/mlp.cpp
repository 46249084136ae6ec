#include "kernels/mlp.h"

#include <cassert>
#include <cmath>

#include "kernels/element_math.h"
#include "kernels/rng.h"

namespace vt::kernels {

BatchSampler::BatchSampler(const JobSpec& spec, const IdxImages& images, const IdxLabels& labels)
    : images_(images), labels_(labels), seed_(spec.seed), batch_(spec.batch_size) {
  for (int i = 0; i < 256; ++i) scale_[i] = static_cast<float>(i) / 255.0f;
}

void BatchSampler::batch(std::uint64_t step, float* x, std::int32_t* y) {
  const std::uint64_t n = images_.count;
  const std::size_t px = static_cast<std::size_t>(images_.rows) * images_.cols;
  for (std::uint32_t i = 0; i < batch_; ++i) {
    const std::uint64_t g = step * batch_ + i;
    const std::uint64_t epoch = g / n;
    if (epoch != cached_epoch_) {
      perm_ = epoch_permutation(seed_, epoch, static_cast<std::uint32_t>(n));
      cached_epoch_ = epoch;
    }
    const std::uint32_t idx = perm_[g % n];
    const std::uint8_t* src = images_.pixels.data() + static_cast<std::size_t>(idx) * px;
    for (std::size_t p = 0; p < px; ++p) x[static_cast<std::size_t>(i) * px + p] = scale_[src[p]];
    y[i] = labels_.labels[idx];
  }
}

Mlp::Mlp(const JobSpec& spec, Backend& backend) : spec_(spec), be_(backend) {
  batch_ = static_cast<int>(spec.batch_size);
  const std::size_t B = static_cast<std::size_t>(batch_);
  x_ = be_.alloc_f32(B * static_cast<std::size_t>(spec.layers.front()));
  y_ = be_.alloc_i32(B);
  for (std::size_t l = 0; l + 1 < spec.layers.size(); ++l) {
    Layer L;
    L.in = spec.layers[l];
    L.out = spec.layers[l + 1];
    const std::size_t nw = static_cast<std::size_t>(L.in) * static_cast<std::size_t>(L.out),
                      nb = static_cast<std::size_t>(L.out);
    L.w = be_.alloc_f32(nw);
    L.b = be_.alloc_f32(nb);
    L.dw = be_.alloc_f32(nw);
    L.db = be_.alloc_f32(nb);
    L.s1w = be_.alloc_f32(nw);
    L.s1b = be_.alloc_f32(nb);
    if (spec.optimizer == "adamw") {
      L.s2w = be_.alloc_f32(nw);
      L.s2b = be_.alloc_f32(nb);
    }
    L.z = be_.alloc_f32(B * nb);
    L.a = be_.alloc_f32(B * nb);
    L.dz = be_.alloc_f32(B * nb);
    L.da = be_.alloc_f32(B * nb);
    layers_.push_back(L);
  }
  probs_ = be_.alloc_f32(B * static_cast<std::size_t>(spec.layers.back()));
  losses_ = be_.alloc_f32(B);
  loss_ = be_.alloc_f32(1);
  init_parameters();
}

// torch.nn.Linear's default distribution: U(-1/sqrt(in), 1/sqrt(in)) for weight
// and bias, drawn from the counter-based stream of each tensor.
void Mlp::init_parameters() {
  for (std::size_t l = 0; l < layers_.size(); ++l) {
    const Layer& L = layers_[l];
    const float bound = em::div(1.0f, em::sqrt(static_cast<float>(L.in)));
    auto fill = [&](float* dst, std::size_t n, std::uint64_t stream) {
      std::vector<float> h(n);
      for (std::size_t i = 0; i < n; ++i)
        h[i] = (2.0f * rng_uniform01(spec_.seed, 0, stream, i) - 1.0f) * bound;
      be_.upload(dst, h.data(), n);
    };
    fill(L.w, static_cast<std::size_t>(L.in) * static_cast<std::size_t>(L.out),
         kStreamInit + 2 * l);
    fill(L.b, static_cast<std::size_t>(L.out), kStreamInit + 2 * l + 1);
  }
}

void Mlp::forward(int B) {
  const float* inp = x_;
  const std::size_t last = layers_.size() - 1;
  for (std::size_t l = 0; l < layers_.size(); ++l) {
    Layer& L = layers_[l];
    be_.linear_forward(L.z, inp, L.w, L.b, B, L.in, L.out);
    if (l == last) break;
    const std::size_t n = static_cast<std::size_t>(B) * static_cast<std::size_t>(L.out);
    if (spec_.activation == "gelu")
      be_.gelu_forward(L.a, L.z, n);
    else
      be_.relu_forward(L.a, L.z, n);
    inp = L.a;
  }
}

float Mlp::train_step(const float* x, const std::int32_t* y) {
  const int B = batch_;
  be_.upload(x_, x, static_cast<std::size_t>(B) * static_cast<std::size_t>(spec_.layers.front()));
  be_.upload_i32(y_, y, static_cast<std::size_t>(B));
  forward(B);
  const int V = spec_.layers.back();
  Layer& top = layers_.back();
  be_.softmax_xent_forward(probs_, losses_, loss_, top.z, y_, B, V);
  be_.softmax_xent_backward(top.dz, probs_, y_, B, V);
  for (std::size_t l = layers_.size(); l-- > 0;) {
    Layer& L = layers_[l];
    const float* inp = l == 0 ? x_ : layers_[l - 1].a;
    float* dinp = l == 0 ? nullptr : layers_[l - 1].da;
    be_.linear_backward(dinp, L.dw, L.db, L.dz, inp, L.w, B, L.in, L.out);
    if (l > 0) {
      Layer& P = layers_[l - 1];
      const std::size_t n = static_cast<std::size_t>(B) * static_cast<std::size_t>(P.out);
      if (spec_.activation == "gelu")
        be_.gelu_backward(P.dz, P.z, P.da, n);
      else
        be_.relu_backward(P.dz, P.z, P.da, n);
    }
  }
  const std::uint64_t t = step_ + 1;
  for (Layer& L : layers_) {
    const std::size_t nw = static_cast<std::size_t>(L.in) * static_cast<std::size_t>(L.out),
                      nb = static_cast<std::size_t>(L.out);
    if (spec_.optimizer == "adamw") {
      const AdamWHyper h =
          adamw_hyper_for_step(spec_.lr.exact, spec_.beta1.exact, spec_.beta2.exact,
                               spec_.eps.exact, spec_.weight_decay.exact, t);
      be_.adamw_step(L.w, L.s1w, L.s2w, L.dw, nw, h);
      be_.adamw_step(L.b, L.s1b, L.s2b, L.db, nb, h);
    } else {
      SgdHyper h;
      h.lr = spec_.lr.value;
      h.momentum = spec_.momentum.value;
      h.weight_decay = spec_.weight_decay.value;
      be_.sgd_step(L.w, L.s1w, L.dw, nw, h);
      be_.sgd_step(L.b, L.s1b, L.db, nb, h);
    }
  }
  step_ = t;
  float loss = 0.0f;
  be_.download(&loss, loss_, 1);
  return loss;
}

TensorMap Mlp::export_state() {
  TensorMap m;
  auto put = [&](const std::string& name, std::vector<std::int64_t> shape, const float* dev,
                 std::size_t n) {
    std::vector<float> h(n);
    be_.download(h.data(), dev, n);
    m[name] = HostTensor::f32(std::move(shape), h.data());
  };
  for (std::size_t l = 0; l < layers_.size(); ++l) {
    const Layer& L = layers_[l];
    const std::string p = "layers." + std::to_string(l) + ".";
    const std::size_t nw = static_cast<std::size_t>(L.in) * static_cast<std::size_t>(L.out),
                      nb = static_cast<std::size_t>(L.out);
    put(p + "weight", {L.in, L.out}, L.w, nw);
    put(p + "bias", {L.out}, L.b, nb);
    if (spec_.optimizer == "adamw") {
      put("optim." + p + "weight.exp_avg", {L.in, L.out}, L.s1w, nw);
      put("optim." + p + "weight.exp_avg_sq", {L.in, L.out}, L.s2w, nw);
      put("optim." + p + "bias.exp_avg", {L.out}, L.s1b, nb);
      put("optim." + p + "bias.exp_avg_sq", {L.out}, L.s2b, nb);
    } else {
      put("optim." + p + "weight.momentum_buffer", {L.in, L.out}, L.s1w, nw);
      put("optim." + p + "bias.momentum_buffer", {L.out}, L.s1b, nb);
    }
  }
  m["step"] = HostTensor::i64_scalar(static_cast<std::int64_t>(step_));
  m["data_cursor"] = HostTensor::i64_scalar(static_cast<std::int64_t>(step_ * spec_.batch_size));
  return m;
}

Status Mlp::import_state(const TensorMap& state) {
  const TensorMap expect = export_state();  // names, dtypes and shapes this spec needs
  for (const auto& [name, t] : state)
    if (!expect.count(name)) return fail("unexpected tensor " + name + " for this spec");
  for (const auto& [name, e] : expect) {
    auto it = state.find(name);
    if (it == state.end()) return fail("missing tensor " + name);
    if (it->second.dtype != e.dtype || it->second.shape != e.shape ||
        it->second.bytes.size() != e.bytes.size())
      return fail("tensor " + name + " has the wrong dtype or shape for this spec");
  }
  const std::int64_t step = state.at("step").i64_value();
  // (Bounded before the multiplication below, which must not overflow.)
  if (step < 0 || static_cast<std::uint64_t>(step) > spec_.steps)
    return fail("step " + std::to_string(step) + " is outside this job's 0.." +
                std::to_string(spec_.steps));
  if (state.at("data_cursor").i64_value() != step * static_cast<std::int64_t>(spec_.batch_size))
    return fail("data_cursor disagrees with step * batch_size");
  auto get = [&](const std::string& name, float* dev) {
    const HostTensor& t = state.at(name);
    be_.upload(dev, t.f32_data(), t.numel());
  };
  for (std::size_t l = 0; l < layers_.size(); ++l) {
    const Layer& L = layers_[l];
    const std::string p = "layers." + std::to_string(l) + ".";
    get(p + "weight", L.w);
    get(p + "bias", L.b);
    if (spec_.optimizer == "adamw") {
      get("optim." + p + "weight.exp_avg", L.s1w);
      get("optim." + p + "weight.exp_avg_sq", L.s2w);
      get("optim." + p + "bias.exp_avg", L.s1b);
      get("optim." + p + "bias.exp_avg_sq", L.s2b);
    } else {
      get("optim." + p + "weight.momentum_buffer", L.s1w);
      get("optim." + p + "bias.momentum_buffer", L.s1b);
    }
  }
  step_ = static_cast<std::uint64_t>(step);
  return ok_status();
}

std::uint64_t Mlp::count_correct(const IdxImages& images, const IdxLabels& labels) {
  const int B = batch_;
  const std::size_t px = static_cast<std::size_t>(images.rows) * images.cols;
  const int V = spec_.layers.back();
  std::vector<float> x(static_cast<std::size_t>(B) * px, 0.0f),
      logits(static_cast<std::size_t>(B) * static_cast<std::size_t>(V));
  std::uint64_t correct = 0;
  for (std::uint32_t start = 0; start < images.count; start += static_cast<std::uint32_t>(B)) {
    const std::uint32_t n =
        std::min<std::uint32_t>(static_cast<std::uint32_t>(B), images.count - start);
    for (std::size_t i = 0; i < static_cast<std::size_t>(n) * px; ++i)
      x[i] = static_cast<float>(images.pixels[static_cast<std::size_t>(start) * px + i]) / 255.0f;
    be_.upload(x_, x.data(), x.size());  // rows past n keep stale data; ignored below
    forward(B);
    be_.download(logits.data(), layers_.back().z, logits.size());
    for (std::uint32_t i = 0; i < n; ++i) {
      const float* row = logits.data() + static_cast<std::size_t>(i) * static_cast<std::size_t>(V);
      int best = 0;
      for (int v = 1; v < V; ++v)
        if (row[v] > row[best]) best = v;
      if (best == labels.labels[start + i]) ++correct;
    }
  }
  return correct;
}

}  // namespace vt::kernels
