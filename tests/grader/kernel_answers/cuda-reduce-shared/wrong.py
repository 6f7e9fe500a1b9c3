# The tree reduction without the barrier inside the loop: a thread reads cache[tid + stride] before the
# thread that owns it has added its own pair in the previous step, so partial sums go missing.
import numpy as np
from numba import cuda, int64

THREADS = 128


@cuda.jit
def block_sums(x, partial):
    cache = cuda.shared.array(THREADS, int64)
    tid = cuda.threadIdx.x
    i = cuda.blockIdx.x * cuda.blockDim.x + tid
    cache[tid] = x[i] if i < x.size else 0
    cuda.syncthreads()
    stride = THREADS // 2
    while stride > 0:
        if tid < stride:
            cache[tid] += cache[tid + stride]
        stride //= 2
    if tid == 0:
        partial[cuda.blockIdx.x] = cache[0]


def reduce_sum(x: np.ndarray) -> np.ndarray:
    blocks = (x.size + THREADS - 1) // THREADS
    d_x = cuda.to_device(x)
    d_partial = cuda.device_array(blocks, dtype=np.int64)
    block_sums[blocks, THREADS](d_x, d_partial)
    return d_partial.copy_to_host()
