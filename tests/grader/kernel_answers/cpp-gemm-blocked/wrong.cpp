// Wrong: the blocked kernel visits only full 8-column panels, so when n is not a multiple of 8 the last
// n % 8 columns of C keep whatever was there (a missed remainder).
#include <cstdint>
#include <cstring>

namespace {

typedef float v4 __attribute__((vector_size(16)));

constexpr int64_t MR = 6;
constexpr int64_t NR = 8;
constexpr int64_t KC = 256;
constexpr int64_t NC = 256;

inline v4 load4(const float* p) {
    v4 v;
    std::memcpy(&v, p, sizeof v);
    return v;
}

inline void store4(float* p, v4 v) { std::memcpy(p, &v, sizeof v); }

// acc[MR][NR] += A[MR×kc] · B[kc×NR]; `a` has row stride lda, `b` row stride ldb.
inline void micro_kernel(const float* a, int64_t lda, const float* b, int64_t ldb, int64_t kc, v4 acc[MR][2]) {
    for (int64_t p = 0; p < kc; ++p) {
        const v4 b0 = load4(b + p * ldb);
        const v4 b1 = load4(b + p * ldb + 4);
        for (int64_t r = 0; r < MR; ++r) {
            const float s = a[r * lda + p];
            const v4 av = {s, s, s, s};
            acc[r][0] += av * b0;
            acc[r][1] += av * b1;
        }
    }
}

}  // namespace

extern "C" void gemm(const float* a, const float* b, float* c, int64_t m, int64_t n, int64_t k) {
    for (int64_t i = 0; i < m * n; ++i) {
        c[i] = 0.0f;
    }
    alignas(32) float bpad[KC * NR];  // a B panel narrower than NR, zero-padded
    alignas(32) float apad[MR * KC];  // an A panel shorter than MR, zero-padded
    for (int64_t jc = 0; jc < n; jc += NC) {
        const int64_t nc = n - jc < NC ? n - jc : NC;
        for (int64_t pc = 0; pc < k; pc += KC) {
            const int64_t kc = k - pc < KC ? k - pc : KC;
            for (int64_t jr = 0; jr + NR <= nc; jr += NR) {  // stops before a partial panel
                const int64_t nr = nc - jr < NR ? nc - jr : NR;
                const float* bp = b + pc * n + jc + jr;
                int64_t ldb = n;
                if (nr < NR) {
                    for (int64_t p = 0; p < kc; ++p) {
                        for (int64_t j = 0; j < NR; ++j) {
                            bpad[p * NR + j] = j < nr ? bp[p * n + j] : 0.0f;
                        }
                    }
                    bp = bpad;
                    ldb = NR;
                }
                for (int64_t ir = 0; ir < m; ir += MR) {
                    const int64_t mr = m - ir < MR ? m - ir : MR;
                    const float* ap = a + ir * k + pc;
                    int64_t lda = k;
                    if (mr < MR) {
                        for (int64_t r = 0; r < MR; ++r) {
                            for (int64_t p = 0; p < kc; ++p) {
                                apad[r * KC + p] = r < mr ? ap[r * k + p] : 0.0f;
                            }
                        }
                        ap = apad;
                        lda = KC;
                    }
                    v4 acc[MR][2] = {};
                    micro_kernel(ap, lda, bp, ldb, kc, acc);
                    for (int64_t r = 0; r < mr; ++r) {
                        float* crow = c + (ir + r) * n + jc + jr;
                        alignas(32) float tile[NR];
                        store4(tile, acc[r][0]);
                        store4(tile + 4, acc[r][1]);
                        for (int64_t j = 0; j < nr; ++j) {
                            crow[j] += tile[j];
                        }
                    }
                }
            }
        }
    }
}
