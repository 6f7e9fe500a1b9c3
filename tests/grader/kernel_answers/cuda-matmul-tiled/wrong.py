# Tiled matmul that counts tiles with floor division, k // TILE: when k is not a multiple of the tile, the
# last partial tile of the inner dimension is never loaded, and its products are missing from every sum.
import numpy as np
from numba import cuda, float32

TILE = 8


@cuda.jit
def matmul_kernel(a, b, c):
    sa = cuda.shared.array((TILE, TILE), float32)
    sb = cuda.shared.array((TILE, TILE), float32)
    m, k = a.shape
    n = b.shape[1]
    tx = cuda.threadIdx.x
    ty = cuda.threadIdx.y
    row = cuda.blockIdx.y * TILE + ty
    col = cuda.blockIdx.x * TILE + tx
    acc = float32(0.0)
    for t in range(k // TILE):
        ka = t * TILE + tx
        kb = t * TILE + ty
        sa[ty, tx] = a[row, ka] if row < m else float32(0.0)
        sb[ty, tx] = b[kb, col] if col < n else float32(0.0)
        cuda.syncthreads()
        for j in range(TILE):
            acc += sa[ty, j] * sb[j, tx]
        cuda.syncthreads()
    if row < m and col < n:
        c[row, col] = acc


def matmul(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    m, n = a.shape[0], b.shape[1]
    grid = ((n + TILE - 1) // TILE, (m + TILE - 1) // TILE)
    d_a = cuda.to_device(a)
    d_b = cuda.to_device(b)
    d_c = cuda.device_array((m, n), dtype=np.float32)
    matmul_kernel[grid, (TILE, TILE)](d_a, d_b, d_c)
    return d_c.copy_to_host()
