"""Every shipped exercise: its reference passes every case through the sandbox, a typical wrong solution fails
the cases it should, and the learner's view never holds the reference or a hidden output."""

from __future__ import annotations

import json
import re

import pytest

from grader.build import check_bundle
from grader.bundles import EXERCISES_DIR, Bundle, find_bundles, load_bundle
from grader.results import Verdict
from grader.run import grade
from grader.sandbox import SandboxConfig

# The NumPy exercises; the deployment lab's (stages, artifacts, metrics) are graded by test_lab.py.
BUNDLES = [p.name for p in find_bundles(EXERCISES_DIR) if not load_bundle(p).is_lab]
# CUDA and C++ exercises keep their wrong answers as files (test_cuda.py, test_kernel_exercises.py grade them).
PYTHON_BUNDLES = [slug for slug in BUNDLES if load_bundle(EXERCISES_DIR / slug).language == "python"]

# A plausible mistake per exercise, and the cases it must fail (the others it may pass or fail).
WRONG: dict[str, tuple[str, set[str]]] = {
    "pairwise-distances": (  # distances, not squared distances
        "import numpy as np\ndef pairwise_sq_dists(x, y):\n"
        "    return np.sqrt(((x[:, None, :] - y[None, :, :]) ** 2).sum(-1)).astype(np.float32)\n",
        {"01", "02", "03"},
    ),
    "vector-add": ("def vector_add(a, b):\n    return a.astype(float) + b\n", {"01", "02", "05"}),
    "bn-fold": (
        "import numpy as np\ndef fold_batchnorm(weight, bias, gamma, beta, mean, var, eps):\n"
        "    s = gamma / (var + eps)\n    return (weight * s[:, None, None, None]).astype(np.float32),"
        " ((bias - mean) * s + beta).astype(np.float32)\n",
        {"01", "04"},
    ),
    "int8-quantization": (
        "import numpy as np\ndef quantize_int8(x, axis):\n    s = np.float32(np.abs(x).max() / 127) or np.float32(1)\n"
        "    return np.clip(np.rint(x / s), -127, 127).astype(np.int8), np.array(s, np.float32),"
        " np.array(s / 2, np.float32)\n",
        {"02", "04"},
    ),
    "same-padding": (
        "def same_padding(input_size, kernel_size, stride, dilation):\n    p = (kernel_size - 1) // 2\n"
        "    return (input_size + 2 * p - kernel_size) // stride + 1, p, p\n",
        {"02"},
    ),
    "im2col-conv": (
        "import numpy as np\ndef conv2d_im2col(x, w, stride, padding):\n"
        "    n, c, h, wd = x.shape; o, _, k, _ = w.shape\n"
        "    ho = (h - k) // stride + 1; wo = (wd - k) // stride + 1\n"
        "    y = np.zeros((n, o, ho, wo), np.float32)\n"
        "    for i in range(ho):\n        for j in range(wo):\n"
        "            y[:, :, i, j] = np.einsum('ncpq,ocpq->no', x[:, :, i*stride:i*stride+k, j*stride:j*stride+k], w)\n"
        "    return y\n",
        {"02"},
    ),
    "winograd-f2x2-3x3": (
        "import numpy as np\nfrom numpy.lib.stride_tricks import sliding_window_view as sw\n"
        "def winograd_conv(d, g):\n    return np.einsum('ijpq,pq->ij', sw(d, (3, 3)), g), g.copy()\n",
        {"01", "02", "03"},
    ),
    "nms": (
        "import numpy as np\ndef nms(boxes, scores, iou_threshold, method, sigma, score_threshold):\n"
        "    return np.concatenate([boxes, scores[:, None]], axis=1)\n",
        {"01", "02"},
    ),
    "box-decode-iou": (
        "import numpy as np\ndef decode_and_iou(anchors, deltas, variances, gt):\n"
        "    cx = anchors[:, 0] + deltas[:, 0] * anchors[:, 2]; cy = anchors[:, 1] + deltas[:, 1] * anchors[:, 3]\n"
        "    w = anchors[:, 2] * np.exp(deltas[:, 2]); h = anchors[:, 3] * np.exp(deltas[:, 3])\n"
        "    b = np.stack([cx - w/2, cy - h/2, cx + w/2, cy + h/2], 1)\n"
        "    return b, np.zeros((len(b), len(gt)))\n",
        {"01", "02"},
    ),
    "memory-footprint": (
        "def memory_footprint(layers, input_shape, batch_size, bytes_per_element):\n    return 0, 0, 0\n",
        {"01", "02", "03"},
    ),
    "magnitude-pruning": (
        "import numpy as np\ndef magnitude_prune(w, sparsity):\n    k = int(np.floor(sparsity * w.size))\n"
        "    f = w.reshape(-1).copy(); f[np.argsort(f, kind='stable')[:k]] = 0\n    return f.reshape(w.shape)\n",
        {"01", "02"},
    ),
    "kmeans-weight-sharing": (
        "import numpy as np\ndef share_weights(w, bits, iterations):\n    k = 2 ** bits\n"
        "    c = np.linspace(w.min(), w.max(), k).astype(np.float32)\n"
        "    return c, np.zeros(w.shape, np.uint8)\n",
        {"01", "02", "03"},
    ),
    "letterbox": (
        "import numpy as np\ndef letterbox(image, new_height, new_width, pad_value):\n"
        "    out = np.full((new_height, new_width, 3), pad_value, np.uint8)\n"
        "    return out, min(new_height / image.shape[0], new_width / image.shape[1]), np.array([0, 0])\n",
        {"01", "02", "03"},
    ),
    "softmax-layernorm": (
        "import numpy as np\ndef softmax_layernorm(x, gamma, beta, eps):\n"
        "    e = np.exp(x); m = x.mean(-1, keepdims=True); v = (x * x).mean(-1, keepdims=True) - m * m\n"
        "    return e / e.sum(-1, keepdims=True), ((x - m) / np.sqrt(v + eps) * gamma + beta).astype(np.float32)\n",
        {"03", "04", "05"},
    ),
}


def test_at_least_twelve_exercises_with_eight_cases_three_visible() -> None:
    assert len(BUNDLES) >= 12
    for slug in BUNDLES:
        bundle = load_bundle(EXERCISES_DIR / slug)
        assert len(bundle.cases) >= 8 and len(bundle.visible_cases) >= 3, slug
    assert set(WRONG) == set(PYTHON_BUNDLES)


@pytest.mark.parametrize("slug", PYTHON_BUNDLES)
def test_reference_passes_and_a_wrong_solution_fails_the_right_cases(slug: str, sandbox: SandboxConfig) -> None:
    bundle = load_bundle(EXERCISES_DIR / slug)
    result = grade(bundle, bundle.reference_source(), sandbox=sandbox)
    assert result.sandboxed
    assert result.verdict is Verdict.AC, [(c.name, c.verdict, c.message) for c in result.cases]
    assert result.score == result.max_score

    code, must_fail = WRONG[slug]
    wrong = grade(bundle, code, sandbox=sandbox)
    failed = {c.name for c in wrong.cases if c.verdict is not Verdict.AC}
    assert must_fail <= failed, [(c.name, c.verdict, c.message) for c in wrong.cases]
    assert wrong.score < wrong.max_score


def test_stored_outputs_are_current() -> None:
    """What `python -m grader check` proves (CI runs it too); one bundle here keeps this test quick."""
    report = check_bundle(load_bundle(EXERCISES_DIR / "same-padding"), sandbox=SandboxConfig())
    assert report.ok, report.problems


def test_check_notices_a_changed_reference(tmp_path_factory: pytest.TempPathFactory) -> None:
    import shutil

    copy = tmp_path_factory.mktemp("bundles") / "same-padding"
    shutil.copytree(EXERCISES_DIR / "same-padding", copy)
    (copy / "reference.py").write_text(
        "def same_padding(input_size, kernel_size, stride, dilation):\n    return input_size, 0, 0\n"
    )
    report = check_bundle(load_bundle(copy), sandbox=SandboxConfig())
    assert any("stale" in p for p in report.problems)
    assert any("differs from the reference" in p for p in report.problems)


def _public_json(bundle: Bundle) -> str:
    return json.dumps(bundle.public_view().to_dict())


@pytest.mark.parametrize("slug", ["nms", "memory-footprint", "winograd-f2x2-3x3"])
def test_public_view_has_no_reference_and_no_hidden_output(slug: str) -> None:
    bundle = load_bundle(EXERCISES_DIR / slug)
    view = bundle.public_view()
    data = _public_json(bundle)
    assert bundle.reference_source().strip().splitlines()[-1].strip() not in data
    assert [c.name for c in view.visible_cases] == [c.name for c in bundle.visible_cases]
    assert view.hidden_case_count == len(bundle.hidden_cases)
    for case in bundle.hidden_cases:
        assert f'"name": "{case.name}"' not in data
    assert all(c.expected is not None for c in view.visible_cases)


# "seed 003", "Seed 000 links", "the source documents": the material the content was drawn from, which a
# learner cannot open. A statement names the real article, paper or manual instead (title, author, link).
UNCITED = re.compile(r"\bseeds?\s*#?\s*\d+|source[\s-]+documents?", re.IGNORECASE)


@pytest.mark.parametrize("slug", BUNDLES)
def test_statement_cites_real_sources_not_source_document_numbers(slug: str) -> None:
    statement = (EXERCISES_DIR / slug / "statement.md").read_text(encoding="utf-8")
    assert not UNCITED.search(statement), UNCITED.findall(statement)
    assert re.search(r"<https?://[^>\s]+>", statement), "a statement links at least one real source"


@pytest.mark.parametrize("text", ["Seed 002 writes", "(seed 003: quantisation)", "the source documents", "seed #4"])
def test_the_uncited_pattern_catches_source_numbers(text: str) -> None:
    assert UNCITED.search(text)


@pytest.mark.parametrize("text", ["np.random.default_rng(seed=0)", "seeded weights", "a seed of 7 fixes"])
def test_the_uncited_pattern_leaves_ordinary_seeds_alone(text: str) -> None:
    assert not UNCITED.search(text)


@pytest.mark.slow
def test_check_accepts_a_runtimes_outputs_from_another_cpu_within_the_bundles_bars(
    tmp_path_factory: pytest.TempPathFactory,
) -> None:
    """ONNX Runtime's int8 kernels give other logits on a CPU with AVX-512 VNNI than on one without: stored
    outputs are current while the reference, judged against them as a learner is, still passes every bar."""
    import shutil

    from grader.outputs import Outputs, load_outputs_file, outputs_npz

    copy = tmp_path_factory.mktemp("bundles") / "ort-static-int8"
    shutil.copytree(EXERCISES_DIR / "ort-static-int8", copy)
    for helper in EXERCISES_DIR.glob("*.py"):  # generate.py imports the shared model builders beside it
        shutil.copy(helper, copy.parent)

    def rewrite(case: str, change) -> None:  # type: ignore[no-untyped-def]
        path = copy / "cases" / f"{case}.out.npz"
        stored = load_outputs_file(path.read_bytes())
        facts, *logits = stored.parts
        path.write_bytes(outputs_npz(Outputs((facts, *(change(x) for x in logits)), stored.is_tuple)))

    rewrite("01", lambda x: (x * 1.001).astype(x.dtype))  # past rtol 1e-4, same decisions: another CPU's rounding
    rewrite("02", lambda x: x[::-1].copy())  # other decisions: a reference that changed
    report = check_bundle(load_bundle(copy), sandbox=SandboxConfig())

    differs = [p for p in report.problems if "differs from the reference" in p]
    assert differs == ["case 02: the stored output differs from the reference's: rebuild"], report.problems
