# The shared-memory transpose without the barrier between filling the tile and reading it: a thread reads
# tile[tx, ty], which another thread of the block may not have written yet.
import numpy as np
from numba import cuda, float32

TILE = 16


@cuda.jit
def transpose_kernel(src, dst):
    tile = cuda.shared.array((TILE, TILE + 1), float32)
    rows, cols = src.shape
    tx = cuda.threadIdx.x
    ty = cuda.threadIdx.y
    x = cuda.blockIdx.x * TILE + tx
    y = cuda.blockIdx.y * TILE + ty
    if y < rows and x < cols:
        tile[ty, tx] = src[y, x]
    x = cuda.blockIdx.y * TILE + tx
    y = cuda.blockIdx.x * TILE + ty
    if y < cols and x < rows:
        dst[y, x] = tile[tx, ty]


def transpose(a: np.ndarray) -> np.ndarray:
    rows, cols = a.shape
    grid = ((cols + TILE - 1) // TILE, (rows + TILE - 1) // TILE)
    d_src = cuda.to_device(a)
    d_dst = cuda.device_array((cols, rows), dtype=a.dtype)
    transpose_kernel[grid, (TILE, TILE)](d_src, d_dst)
    return d_dst.copy_to_host()
