// Wrong: the blocked int8 GEMM is right up to the last step, where the requantised value is cast to int8
// without saturating: anything outside [-128, 127] wraps around instead of clamping.
#include <cstdint>

namespace {

constexpr int64_t MR = 4;
constexpr int64_t NR = 16;

inline int8_t requantise(int32_t acc, int32_t multiplier, int32_t shift, int32_t zero_point) {
    const int64_t scaled = (int64_t(acc) * multiplier + (int64_t(1) << (shift - 1))) >> shift;
    const int64_t q = scaled + zero_point;
    return int8_t(q);  // wraps instead of clamping
}

}  // namespace

extern "C" void qgemm(const int8_t* a, const int8_t* b, const int32_t* bias, int8_t* c, int64_t m, int64_t n,
                      int64_t k, int32_t multiplier, int32_t shift, int32_t zero_point) {
    int8_t* panel = new int8_t[k * NR > 0 ? k * NR : 1];
    for (int64_t jr = 0; jr < n; jr += NR) {
        const int64_t nr = n - jr < NR ? n - jr : NR;
        // The panel of B (k × NR) is copied contiguously once per column block: the kernel then reads it
        // sequentially, and a partial block is zero-padded so the kernel never needs a scalar edge loop.
        for (int64_t p = 0; p < k; ++p) {
            for (int64_t j = 0; j < NR; ++j) {
                panel[p * NR + j] = j < nr ? b[p * n + jr + j] : 0;
            }
        }
        for (int64_t ir = 0; ir < m; ir += MR) {
            const int64_t mr = m - ir < MR ? m - ir : MR;
            int32_t acc[MR][NR] = {};
            for (int64_t p = 0; p < k; ++p) {
                const int8_t* brow = panel + p * NR;
                for (int64_t r = 0; r < MR; ++r) {
                    const int32_t av = r < mr ? a[(ir + r) * k + p] : 0;
                    for (int64_t j = 0; j < NR; ++j) {
                        acc[r][j] += av * int32_t(brow[j]);
                    }
                }
            }
            for (int64_t r = 0; r < mr; ++r) {
                for (int64_t j = 0; j < nr; ++j) {
                    c[(ir + r) * n + jr + j] = requantise(acc[r][j] + bias[jr + j], multiplier, shift, zero_point);
                }
            }
        }
    }
    delete[] panel;
}
