// kernels/backend_cuda.cu, unchanged, built as C++ against the emulated runtime
// (cuda_runtime.h beside this file).
#include "kernels/backend_cuda.cu"
