"""The machine's ceilings for the roofline check: memory bandwidth and peak FLOP/s of one core.

Measured once per worker (in a child process with the sandbox's single-thread BLAS settings, since a timed
submission runs on one thread) and cached in a file under the temporary folder, keyed by the CPU model, so a
worker measures again after it moves to other hardware. A timed call faster than
`max(bytes / bandwidth, flops / peak)` did not do the work: the grader rejects it.

Both ceilings are the best NumPy reaches (a copy that fits in cache, a float32 BLAS matmul), which is what
a fast submission can reach too; the harness's own overhead is inside every measured time, so an honest
submission stays above the floor.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import subprocess
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path

from grader.toolchains import THREAD_ENV

CACHE_VERSION = 1
_MEASURE = r"""
import json, time
import numpy as np

def best(fn, repeats):
    times = []
    for _ in range(repeats):
        start = time.perf_counter(); fn(); times.append(time.perf_counter() - start)
    return min(times)

gbps = 0.0
for n in (1 << 15, 1 << 18, 1 << 21):  # 128 KiB, 1 MiB, 8 MiB of float32
    src = np.ones(n, dtype=np.float32); dst = np.empty_like(src)
    seconds = best(lambda: np.copyto(dst, src), 30)
    gbps = max(gbps, 2 * src.nbytes / seconds / 1e9)  # read and write
a = np.ones((512, 512), dtype=np.float32); b = np.ones_like(a)
gflops = 2 * 512**3 / best(lambda: a @ b, 10) / 1e9
print(json.dumps({"gbps": gbps, "gflops": gflops}))
"""


@dataclass(frozen=True)
class Peaks:
    cpu: str
    gbps: float
    gflops: float

    def floor_ms(self, work_bytes: int, flops: int) -> float:
        """The least time one call can take on this machine."""
        return max(work_bytes / (self.gbps * 1e9), flops / (self.gflops * 1e9)) * 1000


def cpu_model() -> str:
    with contextlib.suppress(OSError):
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    import platform

    return platform.processor() or platform.machine()


def _cache_path(cpu: str) -> Path:
    key = hashlib.sha256(cpu.encode()).hexdigest()[:16]
    return Path(tempfile.gettempdir()) / f"bq-roofline-{os.getuid()}-{key}.json"


_memory: dict[str, Peaks] = {}


def machine_peaks() -> Peaks:
    """This worker's ceilings (measured on first use, a few hundred ms; then from memory or the cache file)."""
    cpu = cpu_model()
    if cpu in _memory:
        return _memory[cpu]
    path = _cache_path(cpu)
    with contextlib.suppress(OSError, ValueError, KeyError, TypeError):
        cached = json.loads(path.read_text())
        if cached["version"] == CACHE_VERSION and cached["cpu"] == cpu:
            _memory[cpu] = Peaks(cpu, float(cached["gbps"]), float(cached["gflops"]))
            return _memory[cpu]
    env = {**os.environ, **THREAD_ENV}
    probe = subprocess.run(  # noqa: S603 - our own interpreter and script
        [sys.executable, "-I", "-c", _MEASURE], capture_output=True, text=True, timeout=120, check=True, env=env
    )
    figures = json.loads(probe.stdout)
    peaks = Peaks(cpu, float(figures["gbps"]), float(figures["gflops"]))
    with contextlib.suppress(OSError):
        tmp = path.with_suffix(f".{os.getpid()}.tmp")
        tmp.write_text(json.dumps({"version": CACHE_VERSION, "cpu": cpu, "gbps": peaks.gbps, "gflops": peaks.gflops}))
        tmp.replace(path)
    _memory[cpu] = peaks
    return peaks
