"""Every lab exercise through the sandbox: the reference is accepted with every figure at its bar, the starter
is not, and a plausible wrong answer (tests/grader/lab_answers/) gets the verdict its statement predicts on
the examples. These run the toolchains, so they are slow."""

from __future__ import annotations

from pathlib import Path

import pytest

from grader.bundles import EXERCISES_DIR, find_bundles, load_bundle
from grader.results import Verdict
from grader.run import grade
from grader.sandbox import SandboxConfig

pytestmark = pytest.mark.slow

ANSWERS = Path(__file__).resolve().parent / "lab_answers"
LAB = [p.name for p in find_bundles(EXERCISES_DIR) if load_bundle(p).is_lab]
# The verdict each wrong answer gets (the statement says why), and the examples it must fail.
WRONG: dict[str, tuple[Verdict, set[str]]] = {
    "onnx-fold-batchnorm": (Verdict.WA, {"01", "02", "03"}),
    "onnx-build-conv-bn-relu": (Verdict.WA, {"02", "03"}),
    "onnx-graph-cleanup": (Verdict.WA, {"01", "02", "03"}),
    "onnx-dynamic-batch": (Verdict.WA, {"02", "03"}),
    "ort-detector-pipeline": (Verdict.WA, {"01", "02", "03"}),
    "ort-static-int8": (Verdict.WA, {"01", "02", "03"}),
    "ort-optimisation-levels": (Verdict.WA, {"01", "02", "03"}),
    "onnxscript-custom-op": (Verdict.WA, {"01", "02"}),
    "onnx-fp16-conversion": (Verdict.WA, {"01", "02", "03"}),
}


def test_the_lab_has_eight_onnx_exercises_each_with_a_wrong_answer() -> None:
    onnx_lab = [
        s for s in LAB if any(t in load_bundle(EXERCISES_DIR / s).all_toolchains for t in ("onnx", "onnxruntime"))
    ]
    assert len(onnx_lab) >= 8
    assert set(WRONG) <= set(LAB)
    for slug in WRONG:
        assert (ANSWERS / f"{slug.replace('-', '_')}.py").is_file(), slug


@pytest.mark.parametrize("slug", sorted(WRONG))
def test_reference_passes_starter_and_wrong_answer_do_not(slug: str, sandbox: SandboxConfig) -> None:
    bundle = load_bundle(EXERCISES_DIR / slug)
    result = grade(bundle, bundle.reference_source(), sandbox=sandbox)
    assert result.sandboxed
    assert result.verdict is Verdict.AC, [(c.name, c.verdict, c.message) for c in result.cases]
    for case in result.cases:
        assert all(stage.verdict is Verdict.AC for stage in case.stages)
        assert all(metric.passed for metric in case.metrics), case.metrics
        if not case.visible:
            assert case.message == "" and all(stage.message == "" for stage in case.stages)

    starter = grade(bundle, bundle.starter, cases="visible", sandbox=sandbox)
    assert starter.verdict is not Verdict.AC

    expected, must_fail = WRONG[slug]
    code = (ANSWERS / f"{slug.replace('-', '_')}.py").read_text()
    wrong = grade(bundle, code, cases="visible", sandbox=sandbox)
    failing = {c.name: c for c in wrong.cases if c.verdict is not Verdict.AC}
    assert must_fail <= set(failing), [(c.name, c.verdict, c.message) for c in wrong.cases]
    assert {failing[name].verdict for name in must_fail} == {expected}
    # The learner sees why: a figure below its bar, or the loader's reason.
    assert all(failing[name].message for name in must_fail)


def test_each_stage_has_its_own_verdict_and_a_failed_stage_stops_the_case(sandbox: SandboxConfig) -> None:
    bundle = load_bundle(EXERCISES_DIR / "onnx-fp16-conversion")
    reference = bundle.reference_source()
    # The conversion raises for the CNN (case 02) only; the measurement never runs for it.
    failing = reference.replace(
        "    model = onnx.load(model_path)\n",
        '    model = onnx.load(model_path)\n    if "cnn" in model_path:\n        raise ValueError("no Conv in fp16")\n',
        1,
    )
    assert failing != reference
    result = grade(bundle, failing, cases="visible", sandbox=sandbox)
    by_name = {c.name: c for c in result.cases}
    assert [(s.name, s.verdict) for s in by_name["01"].stages] == [("convert", Verdict.AC), ("measure", Verdict.AC)]
    assert by_name["02"].verdict is Verdict.RE
    assert [(s.name, s.verdict) for s in by_name["02"].stages] == [("convert", Verdict.RE)]
    assert "stage convert" in by_name["02"].message and "no Conv in fp16" in by_name["02"].message
    assert result.verdict is Verdict.RE
