#include <cstdint>

// i-k-j: the inner loop runs along rows of b and c with no dependency between iterations, so it vectorises.
extern "C" void matmul(const float* a, const float* b, float* c, int64_t n) {
    for (int64_t i = 0; i < n * n; ++i) c[i] = 0.0f;
    for (int64_t i = 0; i < n; ++i) {
        float* row = c + i * n;
        for (int64_t k = 0; k < n; ++k) {
            const float aik = a[i * n + k];
            const float* brow = b + k * n;
            for (int64_t j = 0; j < n; ++j) row[j] += aik * brow[j];
        }
    }
}
