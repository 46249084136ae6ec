// The CPU emulation behind tests/kernels/cuda_emulation/cuda_runtime.h: a
// block's threads are ucontext fibers on the calling thread; __syncthreads()
// switches back to the scheduler, which resumes every unfinished thread of the
// block in turn (one round per barrier) until all have returned.
#include <ucontext.h>

#include <cassert>
#include <cstdio>
#include <cstdlib>
#include <memory>
#include <vector>

#include "cuda_runtime.h"

#if defined(__SANITIZE_ADDRESS__)
#define VT_EMULATION_ASAN 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define VT_EMULATION_ASAN 1
#endif
#endif
#if defined(VT_EMULATION_ASAN)
#include <sanitizer/common_interface_defs.h>
#endif

uint3 threadIdx{0, 0, 0}, blockIdx{0, 0, 0};
dim3 blockDim, gridDim;

namespace {

// Kernels here keep a few dozen floats per thread; sanitizers need more room.
constexpr std::size_t kStackBytes = 256 * 1024;

struct Fiber {
  ucontext_t context;
  std::unique_ptr<char[]> stack;
  uint3 index{0, 0, 0};
  bool done = false;
  void* fake_stack = nullptr;  // ASan's bookkeeping for this fiber's stack
};

struct Scheduler {
  ucontext_t context;
  std::vector<Fiber> fibers;
  Fiber* current = nullptr;
  const std::function<void()>* body = nullptr;
  const void* stack_bottom = nullptr;  // the scheduler's stack, as ASan reports it
  std::size_t stack_size = 0;
  void* fake_stack = nullptr;
};

Scheduler scheduler;
cudaError_t last_error = cudaSuccess;

// ASan must be told about every switch between stacks, or it reports the
// other stack's frames as errors.
void before_switch(void** save, const void* bottom, std::size_t size) {
#if defined(VT_EMULATION_ASAN)
  __sanitizer_start_switch_fiber(save, bottom, size);
#else
  (void)save, (void)bottom, (void)size;
#endif
}
void after_switch(void* saved, const void** old_bottom, std::size_t* old_size) {
#if defined(VT_EMULATION_ASAN)
  __sanitizer_finish_switch_fiber(saved, old_bottom, old_size);
#else
  (void)saved, (void)old_bottom, (void)old_size;
#endif
}

void switch_to_scheduler(Fiber& f, bool exiting) {
  before_switch(exiting ? nullptr : &f.fake_stack, scheduler.stack_bottom, scheduler.stack_size);
  swapcontext(&f.context, &scheduler.context);
  after_switch(scheduler.current->fake_stack, &scheduler.stack_bottom, &scheduler.stack_size);
}

void fiber_main() {
  after_switch(nullptr, &scheduler.stack_bottom, &scheduler.stack_size);
  (*scheduler.body)();
  Fiber& f = *scheduler.current;
  f.done = true;
  switch_to_scheduler(f, true);
  std::abort();  // a finished fiber is never resumed
}

bool valid_launch(dim3 grid, dim3 block) {
  const unsigned long long threads = static_cast<unsigned long long>(block.x) * block.y * block.z;
  return grid.x >= 1 && grid.y >= 1 && grid.z >= 1 && grid.x <= 0x7fffffffu && grid.y <= 65535 &&
         grid.z <= 65535 && block.x >= 1 && block.y >= 1 && block.z >= 1 && block.x <= 1024 &&
         block.y <= 1024 && block.z <= 64 && threads <= 1024;
}

// Runs f until its next __syncthreads() or its end. A function of its own so
// that no caller's local lives across swapcontext (which returns twice).
[[gnu::noinline]] void resume(Fiber& f) {
  scheduler.current = &f;
  threadIdx = f.index;
  before_switch(&scheduler.fake_stack, f.stack.get(), kStackBytes);
  swapcontext(&scheduler.context, &f.context);
  after_switch(scheduler.fake_stack, nullptr, nullptr);
}

// Makes f start at fiber_main on its own stack (getcontext too returns twice).
[[gnu::noinline]] void prepare(Fiber& f) {
  getcontext(&f.context);
  f.context.uc_stack.ss_sp = f.stack.get();
  f.context.uc_stack.ss_size = kStackBytes;
  f.context.uc_link = nullptr;
  makecontext(&f.context, fiber_main, 0);
  f.done = false;
  f.fake_stack = nullptr;
}

void run_block(std::size_t threads) {
  for (std::size_t i = 0; i < threads; ++i) prepare(scheduler.fibers[i]);
  // One round per barrier: every unfinished thread runs to its next
  // __syncthreads() or to its end. Threads that have returned no longer take
  // part in barriers, as on GPUs since Volta.
  for (bool live = true; live;) {
    live = false;
    for (std::size_t i = 0; i < threads; ++i) {
      Fiber& f = scheduler.fibers[i];
      if (f.done) continue;
      resume(f);
      live = live || !f.done;
    }
  }
  scheduler.current = nullptr;
}

}  // namespace

void __syncthreads() {
  assert(scheduler.current != nullptr && "__syncthreads outside a kernel");
  switch_to_scheduler(*scheduler.current, false);
}

namespace vt::cuda_emulation {

void run_grid(dim3 grid, dim3 block, const std::function<void()>& body) {
  assert(scheduler.current == nullptr && "a kernel launched from inside a kernel");
  if (!valid_launch(grid, block)) {
    last_error = cudaErrorInvalidConfiguration;
    return;
  }
  const std::size_t threads = static_cast<std::size_t>(block.x) * block.y * block.z;
  while (scheduler.fibers.size() < threads) {
    scheduler.fibers.emplace_back();
    scheduler.fibers.back().stack.reset(new char[kStackBytes]);
  }
  for (std::size_t i = 0; i < threads; ++i)
    scheduler.fibers[i].index = {
        static_cast<unsigned>(i % block.x), static_cast<unsigned>(i / block.x % block.y),
        static_cast<unsigned>(i / (static_cast<std::size_t>(block.x) * block.y))};
  gridDim = grid;
  blockDim = block;
  scheduler.body = &body;
  for (unsigned z = 0; z < grid.z; ++z)
    for (unsigned y = 0; y < grid.y; ++y)
      for (unsigned x = 0; x < grid.x; ++x) {
        blockIdx = {x, y, z};
        run_block(threads);
      }
  scheduler.body = nullptr;
}

}  // namespace vt::cuda_emulation

const char* cudaGetErrorString(cudaError_t e) {
  switch (e) {
    case cudaSuccess:
      return "no error";
    case cudaErrorInvalidValue:
      return "invalid argument";
    case cudaErrorInvalidConfiguration:
      return "invalid configuration argument";
  }
  return "unknown error";
}

cudaError_t cudaGetLastError() {
  const cudaError_t e = last_error;
  last_error = cudaSuccess;
  return e;
}

cudaError_t cudaGetDeviceCount(int* count) {
  *count = 1;
  return cudaSuccess;
}

cudaError_t cudaSetDevice(int device) {
  return device == 0 ? cudaSuccess : cudaErrorInvalidValue;
}

cudaError_t cudaGetDeviceProperties(cudaDeviceProp* prop, int device) {
  if (device != 0) return cudaErrorInvalidValue;
  std::snprintf(prop->name, sizeof prop->name, "CPU emulation of CUDA");
  prop->major = 0;
  prop->minor = 0;
  return cudaSuccess;
}

cudaError_t cudaDeviceSynchronize() {
  return cudaSuccess;
}

// Fresh device memory is filled with NaN bytes (0xff), not zeros, so that a
// kernel reading memory nobody wrote gives a result the CPU twin does not.
cudaError_t cudaMalloc(void** p, std::size_t bytes) {
  *p = std::malloc(bytes ? bytes : 1);
  if (*p == nullptr) return cudaErrorInvalidValue;
  std::memset(*p, 0xff, bytes);
  return cudaSuccess;
}

cudaError_t cudaFree(void* p) {
  std::free(p);
  return cudaSuccess;
}

cudaError_t cudaMemcpy(void* dst, const void* src, std::size_t bytes, cudaMemcpyKind) {
  if (bytes) std::memmove(dst, src, bytes);
  return cudaSuccess;
}

cudaError_t cudaMemset(void* p, int value, std::size_t bytes) {
  std::memset(p, value, bytes);
  return cudaSuccess;
}
