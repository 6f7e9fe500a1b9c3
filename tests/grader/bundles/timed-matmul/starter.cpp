#include <cstdint>

extern "C" void matmul(const float* a, const float* b, float* c, int64_t n) {
    // c[i * n + j] = sum over k of a[i * n + k] * b[k * n + j]
}
