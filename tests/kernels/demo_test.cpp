// The demo configuration (kernels/specs/demo.json: 784-128-10, AdamW, 4 epochs)
// must reach at least 85% test accuracy on Fashion-MNIST.
#include <doctest/doctest.h>

#include "kernels/trainer.h"
#include "tests/kernels/test_paths.h"

using namespace vt::kernels;

TEST_CASE("demo spec reaches >= 85% test accuracy") {
  auto spec = load_job_spec_file(testing::spec_path("demo.json"));
  REQUIRE_MESSAGE(spec.ok(), spec.error);
  auto data = load_fashion_mnist(kDefaultFashionMnistDir);
  REQUIRE_MESSAGE(data.ok(), data.error);
  TrainOptions o;
  o.threads = 2;
  auto r = train(spec.value, data.value, o);
  REQUIRE_MESSAGE(r.ok(), r.error);
  const auto& c = r.value.commitment;
  REQUIRE(c.test_total == 10000);
  const double acc = static_cast<double>(c.test_correct) / static_cast<double>(c.test_total);
  MESSAGE("test accuracy " << acc << ", final state " << to_hex(c.checkpoints.back().state_hash));
  CHECK(acc >= 0.85);
  CHECK(c.test_correct == 8719);  // the run is exact, so the count is too
}
