# Hillis-Steele scan in place, with one buffer: in a step, thread tid reads temp[tid - offset] while thread
# tid - offset may already have added its own neighbour into it, so some prefixes count an element twice.
import numpy as np
from numba import cuda, int32

THREADS = 64


@cuda.jit
def scan_blocks(x, out, block_totals):
    temp = cuda.shared.array(THREADS, int32)
    tid = cuda.threadIdx.x
    i = cuda.blockIdx.x * THREADS + tid
    temp[tid] = x[i] if i < x.size else 0
    cuda.syncthreads()
    offset = 1
    while offset < THREADS:
        if tid >= offset:
            temp[tid] += temp[tid - offset]
        cuda.syncthreads()
        offset *= 2
    if i < x.size:
        out[i] = temp[tid]
    if tid == THREADS - 1:
        block_totals[cuda.blockIdx.x] = temp[tid]


@cuda.jit
def add_offsets(out, offsets):
    i = cuda.grid(1)
    block = cuda.blockIdx.x
    if block > 0 and i < out.size:
        out[i] += offsets[block - 1]


def inclusive_scan(x: np.ndarray) -> np.ndarray:
    blocks = (x.size + THREADS - 1) // THREADS
    d_x = cuda.to_device(x)
    d_out = cuda.device_array(x.size, dtype=np.int32)
    d_totals = cuda.device_array(blocks, dtype=np.int32)
    scan_blocks[blocks, THREADS](d_x, d_out, d_totals)
    offsets = np.cumsum(d_totals.copy_to_host(), dtype=np.int32)
    add_offsets[blocks, THREADS](d_out, cuda.to_device(offsets))
    return d_out.copy_to_host()
