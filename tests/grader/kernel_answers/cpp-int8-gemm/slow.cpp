// Correct but too slow: the loops are reordered (i, p, j) so B is read along its rows, but the inner loop
// runs to a length known only at run time, so g++ -O2 leaves it scalar: one int8 product per step.
#include <cstdint>
#include <vector>

extern "C" void qgemm(const int8_t* a, const int8_t* b, const int32_t* bias, int8_t* c, int64_t m, int64_t n,
                      int64_t k, int32_t multiplier, int32_t shift, int32_t zero_point) {
    std::vector<int32_t> row(n);
    for (int64_t i = 0; i < m; ++i) {
        for (int64_t j = 0; j < n; ++j) {
            row[j] = bias[j];
        }
        for (int64_t p = 0; p < k; ++p) {
            const int32_t av = a[i * k + p];
            for (int64_t j = 0; j < n; ++j) {
                row[j] += av * int32_t(b[p * n + j]);
            }
        }
        for (int64_t j = 0; j < n; ++j) {
            const int64_t scaled = (int64_t(row[j]) * multiplier + (int64_t(1) << (shift - 1))) >> shift;
            const int64_t q = scaled + zero_point;
            c[i * n + j] = int8_t(q < -128 ? -128 : (q > 127 ? 127 : q));
        }
    }
}
