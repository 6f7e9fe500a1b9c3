// Wrong: the vector loop is right, but the d % 8 elements after it are never added (a missed remainder),
// so any d that is not a multiple of 8 gets too small a sum.
#include <immintrin.h>

#include <cstdint>

static float dot(const float* a, const float* b, int64_t n) {
    __m256 acc0 = _mm256_setzero_ps();
    __m256 acc1 = _mm256_setzero_ps();
    int64_t i = 0;
    for (; i + 16 <= n; i += 16) {
        acc0 = _mm256_fmadd_ps(_mm256_loadu_ps(a + i), _mm256_loadu_ps(b + i), acc0);
        acc1 = _mm256_fmadd_ps(_mm256_loadu_ps(a + i + 8), _mm256_loadu_ps(b + i + 8), acc1);
    }
    for (; i + 8 <= n; i += 8) {
        acc0 = _mm256_fmadd_ps(_mm256_loadu_ps(a + i), _mm256_loadu_ps(b + i), acc0);
    }
    alignas(32) float lanes[8];
    _mm256_store_ps(lanes, _mm256_add_ps(acc0, acc1));
    float sum = 0.0f;
    for (float lane : lanes) {
        sum += lane;
    }
    return sum;
}

extern "C" void dots(const float* x, const float* y, float* out, int64_t m, int64_t p, int64_t d) {
    for (int64_t i = 0; i < m; ++i) {
        for (int64_t j = 0; j < p; ++j) {
            out[i * p + j] = dot(x + i * d, y + j * d, d);
        }
    }
}
