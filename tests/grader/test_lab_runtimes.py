"""The runtime exercises of the lab (OpenVINO, TVM, ncnn, MNN).

Through the sandbox (slow: they run the toolchains): every runtime imports and runs within the limits its
bundles give it; the reference is accepted with every figure at its bar; the starter is not; a plausible
wrong answer (tests/grader/lab_answers/) gets the verdict its statement predicts on the examples.

Without a sandbox (quick): the stored expected outputs are what the statements promise, ONNX Runtime's
float32 outputs (or numpy's sum and product) for the same inputs, so the bars hold learners to the truth and
not merely to whatever the reference's runtime printed.
"""

from __future__ import annotations

import importlib.util
import io
import json
from pathlib import Path
from types import ModuleType
from typing import Any

import numpy as np
import pytest

from grader.bundles import EXERCISES_DIR, Bundle, Case, load_bundle
from grader.outputs import load_outputs_file
from grader.results import Verdict
from grader.run import grade
from grader.sandbox import CaseInput, Job, SandboxConfig, Status, run_job

ANSWERS = Path(__file__).resolve().parent / "lab_answers"
# The verdict each wrong answer gets (its docstring and the statement say why) and the examples it must fail.
WRONG: dict[str, tuple[Verdict, set[str]]] = {
    "openvino-ppp-preprocess": (Verdict.WA, {"01", "02", "03"}),
    "openvino-fp16-cost": (Verdict.WA, {"01", "02", "03"}),
    "tvm-te-vector-add": (Verdict.WA, {"01", "02"}),
    "tvm-tiled-matmul": (Verdict.WA, {"01", "02", "03"}),
    "tvm-relax-onnx": (Verdict.WA, {"01", "02", "03"}),
    "ncnn-param-writer": (Verdict.WA, {"01", "02", "03"}),
    "ncnn-preprocess": (Verdict.WA, {"01", "02", "03"}),
    "mnn-convert": (Verdict.WA, {"01", "02", "03"}),
    "mnn-weight-quant": (Verdict.WA, {"01", "02", "03"}),
}
RUNTIMES = {"openvino": "OpenVINO", "tvm": "TVM", "ncnn": "ncnn", "mnn": "MNN"}


def _runtime_models() -> ModuleType:
    spec = importlib.util.spec_from_file_location("runtime_models", EXERCISES_DIR / "runtime_models.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _arguments(case: Case) -> dict[str, Any]:
    return json.loads(case.input_json.read_text()) if case.input_json else {}


def _arrays(path: Path | None) -> dict[str, np.ndarray]:
    if path is None:
        return {}
    with np.load(io.BytesIO(path.read_bytes()), allow_pickle=False) as data:
        return {name: data[name] for name in data.files}


def _expected(bundle: Bundle, case: Case) -> list[np.ndarray]:
    """The model outputs a case expects (an artifact bundle stores the loader's facts first)."""
    parts = list(bundle.expected(case).parts)
    return parts[1:] if bundle.artifact is not None else parts


def _onnx_truth(bundle: Bundle, model_file: str, x: np.ndarray) -> np.ndarray:
    import onnx

    model = onnx.load(str(bundle.path / "files" / model_file))
    return _runtime_models().onnxruntime_outputs(model, input=x)[0]


def test_two_exercises_or_more_per_runtime_each_with_a_wrong_answer() -> None:
    for toolchain in RUNTIMES:
        slugs = [s for s in WRONG if toolchain in load_bundle(EXERCISES_DIR / s).all_toolchains]
        assert len(slugs) >= 2, (toolchain, slugs)
    for slug in WRONG:
        bundle = load_bundle(EXERCISES_DIR / slug)
        assert bundle.is_lab and len(bundle.cases) >= 8 and len(bundle.visible_cases) >= 3
        assert (ANSWERS / f"{slug.replace('-', '_')}.py").is_file(), slug


# ---------------------------------------------------------------------------------------------------------
# The stored expected outputs against ONNX Runtime and numpy (no sandbox, no runtime but ONNX Runtime)


@pytest.mark.parametrize("slug", ["tvm-relax-onnx", "ncnn-param-writer", "mnn-convert"])
def test_an_artifact_exercise_expects_onnx_runtimes_outputs(slug: str) -> None:
    bundle = load_bundle(EXERCISES_DIR / slug)
    lab = _runtime_models()
    for case in bundle.cases:
        x = _arrays(case.eval_npz)["input"]
        if slug == "ncnn-param-writer":
            twin = _ncnn_writer_model(lab, _arrays(case.input_npz))
            truth = lab.onnxruntime_outputs(twin, input=x)[0]
        else:
            truth = _onnx_truth(bundle, _arguments(case)["onnx_path"]["$file"], x)
        expected = _expected(bundle, case)[0]
        assert expected.shape == truth.shape, case.name
        np.testing.assert_allclose(expected, truth, rtol=1e-4, atol=2e-5, err_msg=f"{slug} case {case.name}")


def _ncnn_writer_model(lab: ModuleType, weights: dict[str, np.ndarray]) -> Any:
    """The ONNX twin of ncnn-param-writer's network for a case's weights (the names carry dots in ONNX)."""
    from onnx import numpy_helper

    channels, width, classes = weights["conv1_w"].shape[0], weights["pw_w"].shape[0], weights["fc_w"].shape[0]
    model = lab.depthwise_cnn(0, size=8, channels=channels, width=width, classes=classes)
    for tensor in model.graph.initializer:
        tensor.CopyFrom(numpy_helper.from_array(weights[tensor.name.replace(".", "_")], tensor.name))
    # Any image size: the first dimension stays 1, the spatial ones become free.
    for dim in model.graph.input[0].type.tensor_type.shape.dim[2:]:
        dim.dim_param = "size"
    return model


def test_openvino_preprocessing_expects_onnx_runtime_on_the_normalised_image() -> None:
    bundle = load_bundle(EXERCISES_DIR / "openvino-ppp-preprocess")
    for case in bundle.cases:
        args = _arguments(case)
        image = _arrays(case.eval_npz)["input"]
        mean, std = np.float32(args["mean"]), np.float32(args["std"])
        x = ((image.astype(np.float32) - mean) / std).transpose(0, 3, 1, 2).astype(np.float32)
        truth = _onnx_truth(bundle, args["onnx_path"]["$file"], x)
        np.testing.assert_allclose(_expected(bundle, case)[0], truth, rtol=1e-4, atol=2e-5, err_msg=case.name)


def test_the_fp16_cost_exercises_expect_float32_first_and_a_real_gap_after() -> None:
    for slug, gap in (("openvino-fp16-cost", 1e-4), ("mnn-weight-quant", 5e-4)):
        bundle = load_bundle(EXERCISES_DIR / slug)
        for case in bundle.cases:
            x = _arrays(case.input_npz)["x"]
            truth = _onnx_truth(bundle, _arguments(case)["onnx_path"]["$file"], x)
            parts = bundle.expected(case).parts
            np.testing.assert_allclose(parts[0], truth, rtol=1e-4, atol=2e-5, err_msg=f"{slug} {case.name}")
            # Each compressed output is far from float32, so a bar of 5e-5 or 1e-4 on it means something.
            for compressed in parts[1:3]:
                assert float(np.abs(compressed - parts[0]).max()) > gap, (slug, case.name)


def test_the_tvm_kernels_expect_numpys_sum_and_product() -> None:
    adds = load_bundle(EXERCISES_DIR / "tvm-te-vector-add")
    for case in adds.cases:
        e = _arrays(case.eval_npz)
        np.testing.assert_array_equal(_expected(adds, case)[0], e["A"] + e["B"])
    bundle = load_bundle(EXERCISES_DIR / "tvm-tiled-matmul")
    for case in bundle.cases:
        e = _arrays(case.eval_npz)
        product = (e["A"].astype(np.float64) @ e["B"].astype(np.float64)).astype(np.float32)
        np.testing.assert_allclose(_expected(bundle, case)[0], product, rtol=1e-4, atol=1e-4)


def test_ncnn_preprocessing_expects_the_rgb_normalised_frame() -> None:
    """Against ONNX Runtime on a numpy bilinear resize (half-pixel centres): ncnn's fixed-point resize differs
    by a few thousandths, inside the bar of 5e-3, while a swapped channel order is off by tenths."""
    bundle = load_bundle(EXERCISES_DIR / "ncnn-preprocess")
    lab = _runtime_models()
    model = lab.residual_cnn(701, size=32)
    for case in bundle.cases:
        args = _arguments(case)
        image = _arrays(case.input_npz)["image"]
        rgb = _resize_bilinear(image[:, :, ::-1].astype(np.float32), 32, 32)
        x = ((rgb - np.float32(args["mean"])) / np.float32(args["std"])).transpose(2, 0, 1)[None]
        truth = lab.onnxruntime_outputs(model, input=x.astype(np.float32))[0]
        assert float(np.abs(_expected(bundle, case)[0] - truth).max()) < 5e-3, case.name


def _resize_bilinear(image: np.ndarray, height: int, width: int) -> np.ndarray:
    h, w, _ = image.shape
    ys = np.clip((np.arange(height) + 0.5) * h / height - 0.5, 0, h - 1)
    xs = np.clip((np.arange(width) + 0.5) * w / width - 0.5, 0, w - 1)
    y0, x0 = np.floor(ys).astype(int), np.floor(xs).astype(int)
    y1, x1 = np.minimum(y0 + 1, h - 1), np.minimum(x0 + 1, w - 1)
    fy, fx = (ys - y0)[:, None, None], (xs - x0)[None, :, None]
    top = image[y0][:, x0] * (1 - fx) + image[y0][:, x1] * fx
    bottom = image[y1][:, x0] * (1 - fx) + image[y1][:, x1] * fx
    return (top * (1 - fy) + bottom * fy).astype(np.float32)


def test_the_stored_expected_outputs_load_for_every_case() -> None:
    for slug in WRONG:
        bundle = load_bundle(EXERCISES_DIR / slug)
        for case in bundle.cases:
            outputs = load_outputs_file(case.output_path.read_bytes())
            assert all(np.isfinite(p).all() for p in outputs.parts if p.dtype.kind == "f"), (slug, case.name)


# ---------------------------------------------------------------------------------------------------------
# Through the sandbox


# A small real workload per runtime, at the memory limit its bundles give the submission: OpenVINO reserves
# address space up front (about 900 MB of VmPeak for a small CNN), TVM's import alone takes 250 MB resident.
SMOKE: dict[str, tuple[int, str]] = {
    "openvino": (
        768,
        "import numpy as np, openvino as ov\n"
        "def f():\n"
        "    p = ov.opset13.parameter([1, 8], ov.Type.f32, name='x')\n"
        "    m = ov.Model([ov.opset13.relu(p)], [p])\n"
        "    c = ov.Core().compile_model(m, 'CPU', {'INFERENCE_NUM_THREADS': 1, 'INFERENCE_PRECISION_HINT': 'f32'})\n"
        "    return np.array(c([np.arange(-4, 4, dtype=np.float32)[None]])[0])\n",
    ),
    "tvm": (
        512,
        "import numpy as np, tvm\nfrom tvm import te\n"
        "def f():\n"
        "    a = te.placeholder((8,), name='A'); c = te.compute((8,), lambda i: te.max(a[i], 0.0), name='C')\n"
        "    lib = tvm.compile(tvm.IRModule({'main': te.create_prim_func([a, c])}), target='llvm')\n"
        "    x = tvm.runtime.tensor(np.arange(-4, 4, dtype=np.float32))\n"
        "    y = tvm.runtime.tensor(np.zeros(8, np.float32))\n"
        "    lib['main'](x, y)\n"
        "    return y.numpy()\n",
    ),
    "ncnn": (
        256,
        "import numpy as np, ncnn\n"
        "def f():\n"
        "    open('m.param', 'w').write('7767517\\n2 2\\nInput input 0 1 input\\nReLU relu 1 1 input out\\n')\n"
        "    net = ncnn.Net(); net.opt.num_threads = 1\n"
        "    net.load_param('m.param'); net.load_model(ncnn.DataReaderFromEmpty())\n"
        "    with net.create_extractor() as ex:\n"
        "        ex.input('input', ncnn.Mat(np.arange(-4, 4, dtype=np.float32).reshape(1, 1, 8)).clone())\n"
        "        return np.array(ex.extract('out')[1]).reshape(1, 8)\n",
    ),
    "mnn": (
        256,
        "import numpy as np, MNN.expr as F\n"
        "def f():\n"
        "    return np.array(F.relu(F.const(np.arange(-4, 4, dtype=np.float32)[None], [1, 8], F.NCHW)).read())\n",
    ),
}


@pytest.mark.slow
@pytest.mark.parametrize("runtime", sorted(SMOKE))
def test_each_runtime_imports_and_runs_within_its_bundles_limits(runtime: str, sandbox: SandboxConfig) -> None:
    memory, code = SMOKE[runtime]
    job = Job("f", code, (CaseInput(0, b"", b""),), cpu_limit_s=30, memory_limit_mb=memory, output_limit_bytes=1 << 16)
    (result,) = run_job(job, sandbox, sandboxed=True)
    assert result.status is Status.OK, (runtime, result.status, result.error_type, result.message[-800:])
    assert result.peak_kb is not None and result.peak_kb < memory * 1024
    with np.load(io.BytesIO(result.payload or b""), allow_pickle=False) as data:
        np.testing.assert_array_equal(data["out0"].reshape(-1), np.maximum(np.arange(-4, 4), 0))


@pytest.mark.slow
@pytest.mark.parametrize("slug", sorted(WRONG))
def test_reference_passes_starter_and_wrong_answer_do_not(slug: str, sandbox: SandboxConfig) -> None:
    bundle = load_bundle(EXERCISES_DIR / slug)
    # The examples only: `python -m grader check` (make test) grades the reference on every case.
    result = grade(bundle, bundle.reference_source(), cases="visible", sandbox=sandbox)
    assert result.sandboxed
    assert result.verdict is Verdict.AC, [(c.name, c.verdict, c.message) for c in result.cases]
    for case in result.cases:
        assert all(stage.verdict is Verdict.AC for stage in case.stages)
        assert case.metrics and all(metric.passed for metric in case.metrics), case.metrics

    starter = grade(bundle, bundle.starter, cases="visible", sandbox=sandbox)
    assert starter.verdict is not Verdict.AC

    expected, must_fail = WRONG[slug]
    code = (ANSWERS / f"{slug.replace('-', '_')}.py").read_text()
    wrong = grade(bundle, code, cases="visible", sandbox=sandbox)
    failing = {c.name: c for c in wrong.cases if c.verdict is not Verdict.AC}
    assert must_fail <= set(failing), [(c.name, c.verdict, c.message) for c in wrong.cases]
    assert {failing[name].verdict for name in must_fail} == {expected}
    assert all(failing[name].message for name in must_fail)


# ---------------------------------------------------------------------------------------------------------
# The loaders' own checks, before any runtime is imported (quick)


def _loader(kind: str) -> ModuleType:
    from grader.artifacts import ARTIFACT_KINDS

    path = ARTIFACT_KINDS[kind].loader_path
    spec = importlib.util.spec_from_file_location(f"loader_{kind.replace('-', '_')}", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.mark.parametrize(
    ("kind", "present", "message"),
    [
        ("openvino", ["model.xml"], "model.bin is missing: an IR is an .xml (the graph) and a .bin (the weights)"),
        ("ncnn", ["model.bin"], "model.param is missing"),
        ("mnn", [], "model.mnn is missing: write the converted model there"),
        ("tvm-tir", [], "module.py is missing: write the scheduled module's mod.script() there"),
        ("tvm-relax", [], "model.so is missing: export the compiled executable there with export_library"),
    ],
)
def test_a_loader_names_the_missing_file(tmp_path: Path, kind: str, present: list[str], message: str) -> None:
    for name in present:
        (tmp_path / name).write_bytes(b"x")
    facts = json.loads(_loader(kind).load_artifact(str(tmp_path), {}, True)[0])
    assert facts["ok"] is False and message in facts["error"]


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("7767518\n1 1\nInput input 0 1 input\n", "the first line of a .param file is the magic number 7767517"),
        ("7767517\nsix\n", "the second line of a .param file is '<layer count> <blob count>'"),
        ("7767517\n2 2\nInput input 0 1 input\n", "the header says 2 layers, the file has 1"),
        ("7767517\n1 1\nInput input\n", "line 3: '<type> <name> <inputs> <outputs> ...' expected"),
    ],
)
def test_the_ncnn_loader_says_what_is_wrong_with_a_param_file(tmp_path: Path, text: str, message: str) -> None:
    (tmp_path / "model.param").write_text(text)
    (tmp_path / "model.bin").write_bytes(b"")
    facts = json.loads(_loader("ncnn").load_artifact(str(tmp_path), {}, True)[0])
    assert facts["ok"] is False and message in facts["error"], facts["error"]


def test_the_ncnn_loader_counts_layers_by_type() -> None:
    parse = _loader("ncnn")._parse_param
    layers, blobs, parsed = parse(
        "7767517\n3 3\nInput input 0 1 input\nConvolution c 1 1 input a 0=8 1=3 6=216\nReLU r 1 1 a logits\n"
    )
    assert (layers, blobs) == (3, 3)
    assert [(kind, bottoms, tops) for kind, _, bottoms, tops in parsed] == [
        ("Input", [], ["input"]),
        ("Convolution", ["input"], ["a"]),
        ("ReLU", ["a"], ["logits"]),
    ]


@pytest.mark.slow
def test_the_openvino_loader_refuses_an_input_of_another_type_or_layout(tmp_path: Path) -> None:
    """OpenVINO converts a u8 array fed to an f32 input silently; the exercise's point is the u8 input."""
    import openvino as ov

    model = ov.Core().read_model(str(EXERCISES_DIR / "openvino-ppp-preprocess" / "files" / "cnn_a.onnx"))
    ov.save_model(model, str(tmp_path / "model.xml"), compress_to_fp16=False)
    loader = _loader("openvino")
    frame = np.zeros((1, 32, 32, 3), np.uint8)
    facts = json.loads(loader.load_artifact(str(tmp_path), {}, True, input=frame)[0])
    assert facts["ok"] is False and "takes float32, the application feeds uint8" in facts["error"]
    assert facts["inputs"] == [{"name": "input", "shape": [1, 3, 32, 32], "dtype": "f32"}]
    result = loader.load_artifact(str(tmp_path), {}, True, input=np.zeros((1, 3, 32, 32), np.float32))
    assert json.loads(result[0])["ok"] is True and result[1].shape == (1, 10)


@pytest.mark.parametrize(
    ("line", "message"),
    [
        ('x = T.Buffer((I.__builtins__["__import__"]("os").system("id"),), "float32")', "__builtins__ is not part"),
        ("x = ().__class__.__base__.__subclasses__()", "__subclasses__ is not part"),
        ("import os", "Import is not part"),
        ('x = getattr(T, "__dict__")', "a string with '__'"),
        ("x = (lambda: 0)()", "Lambda is not part"),
    ],
)
def test_the_tensorir_loader_refuses_python_that_is_not_tvmscript(tmp_path: Path, line: str, message: str) -> None:
    """TVM's parser evaluates expressions in the loader's process, whose facts the grader believes."""
    (tmp_path / "module.py").write_text(f"@I.ir_module\nclass Module:\n    {line}\n")
    facts = json.loads(_loader("tvm-tir").load_artifact(str(tmp_path), {}, True)[0])
    assert facts["ok"] is False and message in facts["error"], facts["error"]
