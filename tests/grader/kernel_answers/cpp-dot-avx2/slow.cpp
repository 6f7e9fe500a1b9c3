// Correct but too slow: two scalar partial sums halve the dependency chain, but every step still handles one
// float of each vector; the exercise asks for 8 at a time.
#include <cstdint>

extern "C" void dot(const float* x, const float* y, float* out, int64_t n) {
    float even = 0.0f;
    float odd = 0.0f;
    int64_t i = 0;
    for (; i + 2 <= n; i += 2) {
        even += x[i] * y[i];
        odd += x[i + 1] * y[i + 1];
    }
    if (i < n) {
        even += x[i] * y[i];
    }
    *out = even + odd;
}
