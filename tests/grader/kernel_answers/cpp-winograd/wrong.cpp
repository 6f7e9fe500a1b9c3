// Wrong: the transforms are right, but the loops visit only whole 2×2 tiles (i + 2 <= h − 2), so when h − 2 or
// w − 2 is odd the last row or column of y is never written (a missed remainder).
#include <cstdint>

namespace {

// u = G g Gᵀ with G = [[1, 0, 0], [1/2, 1/2, 1/2], [1/2, -1/2, 1/2], [0, 0, 1]]
void transform_filter(const float* g, float u[4][4]) {
    float t[4][3];  // G g
    for (int c = 0; c < 3; ++c) {
        t[0][c] = g[c];
        t[1][c] = 0.5f * (g[c] + g[3 + c] + g[6 + c]);
        t[2][c] = 0.5f * (g[c] - g[3 + c] + g[6 + c]);
        t[3][c] = g[6 + c];
    }
    for (int r = 0; r < 4; ++r) {  // (G g) Gᵀ
        u[r][0] = t[r][0];
        u[r][1] = 0.5f * (t[r][0] + t[r][1] + t[r][2]);
        u[r][2] = 0.5f * (t[r][0] - t[r][1] + t[r][2]);
        u[r][3] = t[r][2];
    }
}

// V = Bᵀ D B with Bᵀ = [[1, 0, -1, 0], [0, 1, 1, 0], [0, -1, 1, 0], [0, 1, 0, -1]]
void transform_input(const float dt[4][4], float v[4][4]) {
    float t[4][4];  // Bᵀ D
    for (int c = 0; c < 4; ++c) {
        t[0][c] = dt[0][c] - dt[2][c];
        t[1][c] = dt[1][c] + dt[2][c];
        t[2][c] = dt[2][c] - dt[1][c];
        t[3][c] = dt[1][c] - dt[3][c];
    }
    for (int r = 0; r < 4; ++r) {  // (Bᵀ D) B
        v[r][0] = t[r][0] - t[r][2];
        v[r][1] = t[r][1] + t[r][2];
        v[r][2] = t[r][2] - t[r][1];
        v[r][3] = t[r][1] - t[r][3];
    }
}

// Y = Aᵀ M A with Aᵀ = [[1, 1, 1, 0], [0, 1, -1, -1]]
void transform_output(const float m[4][4], float out[2][2]) {
    float t[2][4];  // Aᵀ M
    for (int c = 0; c < 4; ++c) {
        t[0][c] = m[0][c] + m[1][c] + m[2][c];
        t[1][c] = m[1][c] - m[2][c] - m[3][c];
    }
    for (int r = 0; r < 2; ++r) {  // (Aᵀ M) A
        out[r][0] = t[r][0] + t[r][1] + t[r][2];
        out[r][1] = t[r][1] - t[r][2] - t[r][3];
    }
}

}  // namespace

extern "C" void winograd_conv(const float* d, const float* g, float* y, float* u, int64_t h, int64_t w) {
    float uf[4][4];
    transform_filter(g, uf);
    for (int r = 0; r < 4; ++r) {
        for (int c = 0; c < 4; ++c) {
            u[r * 4 + c] = uf[r][c];
        }
    }
    const int64_t oh = h - 2;
    const int64_t ow = w - 2;
    for (int64_t i = 0; i + 2 <= oh; i += 2) {  // whole tiles only
        for (int64_t j = 0; j + 2 <= ow; j += 2) {
            float tile[4][4];
            for (int r = 0; r < 4; ++r) {
                for (int c = 0; c < 4; ++c) {
                    const bool inside = i + r < h && j + c < w;
                    tile[r][c] = inside ? d[(i + r) * w + j + c] : 0.0f;
                }
            }
            float v[4][4];
            transform_input(tile, v);
            float m[4][4];
            for (int r = 0; r < 4; ++r) {
                for (int c = 0; c < 4; ++c) {
                    m[r][c] = uf[r][c] * v[r][c];
                }
            }
            float out[2][2];
            transform_output(m, out);
            for (int r = 0; r < 2 && i + r < oh; ++r) {
                for (int c = 0; c < 2 && j + c < ow; ++c) {
                    y[(i + r) * ow + j + c] = out[r][c];
                }
            }
        }
    }
}
