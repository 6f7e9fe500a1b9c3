#include <cstdint>

// The textbook i-j-k loop: the inner loop is a dependent sum down a column of b.
extern "C" void matmul(const float* a, const float* b, float* c, int64_t n) {
    for (int64_t i = 0; i < n; ++i) {
        for (int64_t j = 0; j < n; ++j) {
            float sum = 0.0f;
            for (int64_t k = 0; k < n; ++k) sum += a[i * n + k] * b[k * n + j];
            c[i * n + j] = sum;
        }
    }
}
