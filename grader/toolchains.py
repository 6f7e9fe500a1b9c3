"""The deployment lab's toolchains: which inference runtimes and model libraries a bundle may declare, how to
tell whether this machine has them, and what to install when it does not.

A bundle lists what it needs in `exercise.toml` (`toolchains = ["onnx", "onnxruntime"]`). Before anything
runs, the grader asks `missing()`; a worker without one of them answers IE with `install_hint()`, and
nothing is started. `available()` reads installed distributions' metadata (importlib.metadata) and imports
none of the runtimes: importing OpenVINO or TVM costs seconds and hundreds of megabytes, which a web process
showing "what this worker has" must not pay.

Names are stable (bundles, the admin and the pages use them):

    name         pip distribution     import name   pinned in requirements/lab.txt
    numpy        numpy                numpy         (base.txt)
    onnx         onnx                 onnx
    onnxruntime  onnxruntime          onnxruntime
    onnxscript   onnxscript           onnxscript
    openvino     openvino             openvino
    tvm          apache-tvm           tvm
    ncnn         ncnn                 ncnn
    mnn          MNN                  MNN
    numba        numba                numba         (CUDA exercises: the simulator, or a GPU worker's GPU)

Thread settings every run uses (the sandbox's environment, and the harness for runtimes that read no
variable): `THREAD_ENV` below, ONNX Runtime sessions with `intra_op_num_threads = inter_op_num_threads = 1`,
OpenVINO's CPU plugin with `INFERENCE_NUM_THREADS = 1` and `INFERENCE_PRECISION_HINT = f32` wherever a
tolerance assumes float32.
"""

from __future__ import annotations

import importlib.metadata
from dataclasses import dataclass

REQUIREMENTS_FILE = "requirements/lab.txt"


@dataclass(frozen=True)
class Toolchain:
    name: str
    distribution: str  # the pip name
    module: str  # the import name
    title: str  # how pages name it
    docs_url: str

    def pip_requirement(self, version: str | None = None) -> str:
        return f"{self.distribution}=={version}" if version else self.distribution


TOOLCHAINS: dict[str, Toolchain] = {
    t.name: t
    for t in (
        Toolchain("numpy", "numpy", "numpy", "NumPy", "https://numpy.org/doc/stable/"),
        Toolchain("onnx", "onnx", "onnx", "ONNX", "https://onnx.ai/onnx/"),
        Toolchain("onnxruntime", "onnxruntime", "onnxruntime", "ONNX Runtime", "https://onnxruntime.ai/docs/"),
        Toolchain("onnxscript", "onnxscript", "onnxscript", "ONNX Script", "https://microsoft.github.io/onnxscript/"),
        Toolchain("openvino", "openvino", "openvino", "OpenVINO", "https://docs.openvino.ai/"),
        Toolchain("tvm", "apache-tvm", "tvm", "Apache TVM", "https://tvm.apache.org/docs/"),
        Toolchain("ncnn", "ncnn", "ncnn", "ncnn", "https://github.com/Tencent/ncnn/wiki"),
        Toolchain("mnn", "MNN", "MNN", "MNN", "https://mnn-docs.readthedocs.io/"),
        Toolchain("numba", "numba", "numba", "Numba (CUDA)", "https://numba.readthedocs.io/en/stable/cuda/"),
    )
}
TOOLCHAIN_NAMES: tuple[str, ...] = tuple(TOOLCHAINS)

# Versions this project is tested with (requirements/lab.txt); the install hint names them.
PINNED: dict[str, str] = {
    "onnx": "1.23.2",
    "onnxruntime": "1.32.0",
    "onnxscript": "0.7.2",
    "openvino": "2026.4.1",
    "tvm": "0.27.0.post1",
    "ncnn": "1.0.20261020",
    "mnn": "3.6.1",
    "numba": "0.68.1",
}

# Every sandboxed run and the worker's own loaders use one thread: grading times are comparable across
# machines, and a 64-core host cannot make one submission start 64 threads against the process limit.
THREAD_ENV: dict[str, str] = {
    "OMP_NUM_THREADS": "1",
    "OPENBLAS_NUM_THREADS": "1",
    "MKL_NUM_THREADS": "1",
    "NUMEXPR_NUM_THREADS": "1",
    "BLIS_NUM_THREADS": "1",
    "TVM_NUM_THREADS": "1",
}


def version_of(name: str) -> str | None:
    """The installed version of toolchain `name`, or None when it is not installed. Imports nothing."""
    chain = TOOLCHAINS[name]
    try:
        return importlib.metadata.version(chain.distribution)
    except importlib.metadata.PackageNotFoundError:
        return None


def available() -> dict[str, str | None]:
    """Every known toolchain's installed version (None when missing), in registry order. Imports nothing."""
    return {name: version_of(name) for name in TOOLCHAINS}


def missing(names: tuple[str, ...] | list[str]) -> list[str]:
    """The toolchains of `names` this interpreter lacks, in the order given."""
    return [name for name in names if version_of(name) is None]


def install_hint(names: list[str]) -> str:
    """What to tell an operator when `names` are missing on a worker."""
    pins = " ".join(TOOLCHAINS[n].pip_requirement(PINNED.get(n)) for n in names)
    titles = ", ".join(TOOLCHAINS[n].title for n in names)
    return (
        f"This grading worker lacks {titles}, which this exercise needs. Install the lab's runtimes on every "
        f"grading worker: `pip install -r {REQUIREMENTS_FILE}` (or `pip install {pins}`), then restart the worker."
    )
