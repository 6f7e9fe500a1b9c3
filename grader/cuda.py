"""CUDA exercises (`language = "cuda"`): numba `@cuda.jit` kernels, graded on numba's CUDA simulator on CPU
workers and on the GPU itself on a worker that has one (`SandboxConfig(gpu=True)`, the `gpu` Celery queue).

The submission is Python: kernels plus a launch function (the entry point) that takes NumPy arrays, copies
them to the device (`cuda.to_device`), launches, and copies the result back. What this module decides, on the
trusted side, is how the sandbox runs such a submission:

* the environment: `NUMBA_ENABLE_CUDASIM=1` on the simulator (no GPU is touched), numba's cache in the
  sandbox's own /tmp, one numba thread, and one malloc arena (`MALLOC_ARENA_MAX=1`): glibc gives every
  thread that allocates a 64 MB arena of address space, and the simulator runs one OS thread per CUDA
  thread, so 256 simulated threads would otherwise reserve 16 GB against the sandbox's address-space limit;
* the process limit: the simulator starts every thread of a block at once, so a block of
  `MAX_BLOCK_THREADS` needs that many threads on top of the interpreter's own (`SANDBOX_THREADS`);
* the harness (`grader/harness.py`, `_prepare_cuda`) lowers the thread stack size to `THREAD_STACK_KB`
  before numba starts a thread (8 MB stacks x 256 threads is 2 GB of address space), imports numba, says
  which device it found in a `V` frame before any of the submission's code runs, and, on a GPU worker where
  numba finds no GPU inside the sandbox, switches to the simulator and says so;
* races show on the simulator: a short switch interval, and every store of a kernel to a device array first
  yields to another simulated thread (`_expose_races` in the harness), so `counts[v] += 1` without an atomic
  loses updates and a missing `cuda.syncthreads()` reads unwritten data, as on a GPU.

Measured on the development machine (docs/lab.md, "CUDA exercises"): numba's import costs 0.2 s; a
256-thread block peaks at about 390 MB of address space with these settings (3.4 GB with the defaults).
"""

from __future__ import annotations

import glob
from dataclasses import replace
from typing import TYPE_CHECKING

from grader.results import Device

if TYPE_CHECKING:
    from grader.sandbox import Job, RawResult

LANGUAGE = "cuda"
TOOLCHAIN = "numba"
MAX_BLOCK_THREADS = 256  # the largest block a CUDA exercise may launch (statements say so)
SANDBOX_THREADS = MAX_BLOCK_THREADS + 64  # a block's threads plus the interpreter's and numba's own
THREAD_STACK_KB = 256  # per simulated thread; kernels are shallow Python functions
# How often the interpreter lets another simulated thread run (the default is 5 ms). Short, so simulated
# threads interleave inside a block the way hardware threads do and a missing barrier or atomic shows.
SWITCH_INTERVAL_S = 0.0002

SIMULATOR_DEVICE: dict[str, str] = {"kind": "cuda-simulator", "name": "numba CUDA simulator"}
NOT_TIMED = "timed only on a GPU worker"

_COMMON_ENV = {
    "NUMBA_CACHE_DIR": "/tmp/numba-cache",  # noqa: S108 - the sandbox's own tmpfs
    "NUMBA_NUM_THREADS": "1",
    "MALLOC_ARENA_MAX": "1",
}


def cuda_settings() -> dict[str, object]:
    """What the harness needs to prepare a CUDA job (the header's `cuda`)."""
    return {
        "thread_stack_kb": THREAD_STACK_KB,
        "switch_interval_s": SWITCH_INTERVAL_S,
        "simulator": SIMULATOR_DEVICE["name"],
    }


def cuda_env(*, gpu: bool) -> dict[str, str]:
    """The sandbox's extra environment for a CUDA bundle: the simulator unless `gpu`."""
    return {**_COMMON_ENV, "NUMBA_ENABLE_CUDASIM": "0" if gpu else "1"}


def gpu_device_nodes() -> tuple[str, ...]:
    """The NVIDIA device files a GPU run needs inside the sandbox (none on a machine without the driver)."""
    return tuple(sorted(glob.glob("/dev/nvidia*")))


def cuda_job(job: Job, *, gpu: bool) -> Job:
    """`job` (a CUDA bundle's) with the simulator's or the GPU's settings."""
    return replace(
        job,
        env=tuple(cuda_env(gpu=gpu).items()),
        devices=gpu_device_nodes() if gpu else (),
        max_processes=SANDBOX_THREADS,
        cuda=True,
        # numba is imported by the harness's CUDA preparation, before the submission; not again.
        preload=tuple(m for m in job.preload if m != TOOLCHAIN),
    )


def cuda_device(raws: list[RawResult], *, gpu: bool) -> Device:
    """Where a CUDA job ran: what its harness reported, else (it died before saying) what was asked for."""
    reported = next((raw.device for raw in raws if raw.device), None)
    if reported is not None:
        return Device(kind=str(reported.get("kind", "")), name=str(reported.get("name", "")))
    if gpu:
        return Device(kind="gpu", name="GPU (not reported)")
    return Device(kind=SIMULATOR_DEVICE["kind"], name=SIMULATOR_DEVICE["name"])


NO_LAUNCH = (
    "no CUDA kernel was launched: this exercise grades a kernel, so compute the answer on the device "
    "(kernel[blocks, threads](...)) and copy it back, rather than on the host with NumPy"
)


def launch_problem(raw: RawResult) -> str | None:
    """The rule every CUDA case keeps: its answer came from at least one kernel launch (the harness counts
    them). None when kept, or when the case did not finish (its own verdict says why)."""
    if raw.launches is None or raw.launches > 0:
        return None
    return NO_LAUNCH


def explain_failure(message: str) -> str:
    """A case's message, with what to do when the simulator could not start a block's threads."""
    if "can't start new thread" not in message:
        return message
    return (
        f"{message.rstrip()}\n\nThe CUDA simulator runs one thread per CUDA thread, and a block here may have "
        f"at most {MAX_BLOCK_THREADS} threads: launch smaller blocks (the statement gives the configuration)."
    )
