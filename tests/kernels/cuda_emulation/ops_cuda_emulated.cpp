// kernels/ops_cuda.cu, unchanged, built as C++ against the emulated runtime
// (cuda_runtime.h beside this file).
#include "kernels/ops_cuda.cu"
