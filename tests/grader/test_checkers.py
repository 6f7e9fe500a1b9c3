from __future__ import annotations

import io
import pickle
import zipfile
from pathlib import Path

import numpy as np
import pytest

from grader.bundles import CheckerSpec
from grader.checkers import check_exact, check_numeric, check_text, check_unordered, run_checker
from grader.outputs import OutputError, Outputs, decode_outputs, encode_outputs


def out(*parts: object, tuple_: bool = False) -> Outputs:
    return Outputs(tuple(np.asarray(p) for p in parts), tuple_ or len(parts) > 1)


NUMERIC = CheckerSpec(kind="numeric")


def test_numeric_accepts_within_the_float32_tolerance_and_reports_errors_outside_it() -> None:
    expected = out(np.array([1.0, 2.0, 3.0], dtype=np.float32))
    assert check_numeric(expected, out(np.array([1.0, 2.0000001, 3.0], dtype=np.float32)), NUMERIC).accepted
    outcome = check_numeric(expected, out(np.array([1.0, 2.5, 3.0], dtype=np.float32)), NUMERIC)
    assert not outcome.accepted
    assert "1 of 3 elements differ (33.3%)" in outcome.message
    assert "max abs error 0.5" in outcome.message
    assert "max rel error 0.25" in outcome.message
    assert "at [1]: got" in outcome.diff


def test_numeric_reports_shape_and_strict_dtype_mismatches() -> None:
    expected = out(np.zeros((2, 3), dtype=np.float32))
    assert "shape (3, 2), expected (2, 3)" in check_numeric(expected, out(np.zeros((3, 2))), NUMERIC).message
    strict = CheckerSpec(kind="numeric", strict_dtype=True)
    assert "dtype float64, expected float32" in check_numeric(expected, out(np.zeros((2, 3))), strict).message
    ints = out(np.array([1, 2], dtype=np.int8))
    assert "expected integers" in check_numeric(ints, out(np.array([1.0, 2.0])), NUMERIC).message


def test_numeric_uses_per_dtype_overrides_and_flags_nan() -> None:
    spec = CheckerSpec(kind="numeric", tolerances={"int8": (0.0, 1.0)})
    assert check_numeric(out(np.array([5], dtype=np.int8)), out(np.array([6], dtype=np.int8)), spec).accepted
    assert not check_numeric(out(np.array([5], dtype=np.int8)), out(np.array([7], dtype=np.int8)), spec).accepted
    outcome = check_numeric(out(np.array([1.0, 2.0])), out(np.array([1.0, np.nan])), NUMERIC)
    assert "inf or nan" in outcome.message


def test_tuple_structure_is_checked() -> None:
    expected = out(np.zeros(2), np.zeros(3))
    outcome = check_numeric(expected, out(np.zeros(2)), NUMERIC)
    assert "expected a tuple of 2 outputs" in outcome.message


def test_exact_and_text_checkers() -> None:
    spec = CheckerSpec(kind="exact")
    assert check_exact(out(np.array(3)), out(np.array(3, dtype=np.int32)), spec).accepted
    assert not check_exact(out(np.array(0.1 + 0.2)), out(np.array(0.3)), spec).accepted
    text = CheckerSpec(kind="text")
    assert check_text(out(np.array("a  b\n c ")), out(np.array(" a b c")), text).accepted
    assert not check_text(out(np.array("a b")), out(np.array("ab")), text).accepted


def test_unordered_matches_boxes_in_any_order_within_tolerance() -> None:
    spec = CheckerSpec(kind="unordered", tolerances={"float64": (0.0, 1e-6)})
    boxes = np.array([[0, 0, 1, 1, 0.9], [2, 2, 3, 3, 0.8], [0, 0, 1, 1, 0.5]], dtype=np.float64)
    assert check_unordered(out(boxes), out(boxes[[2, 0, 1]] + 1e-8), spec).accepted
    duplicate = boxes[[0, 0, 1]]
    outcome = check_unordered(out(boxes), out(duplicate), spec)
    assert not outcome.accepted and "1 of 3 expected items have no match" in outcome.message
    assert "2 items, expected 3" in check_unordered(out(boxes), out(boxes[:2]), spec).message


def test_custom_checker_gives_partial_points(tmp_path: Path) -> None:
    checker = tmp_path / "checker.py"
    checker.write_text("def check(arguments, expected, actual):\n    return 0.5, 'half: ' + str(arguments['n'])\n")
    spec = CheckerSpec(kind="custom")
    outcome = run_checker(spec, out(np.zeros(1)), out(np.ones(1)), arguments={"n": 3}, custom=checker)
    assert outcome.fraction == 0.5 and outcome.message == "half: 3" and not outcome.accepted


class AlwaysEqual:
    def __eq__(self, other: object) -> bool:
        return True

    __hash__ = object.__hash__


def test_objects_and_pickles_never_pass_as_outputs() -> None:
    with pytest.raises(OutputError):
        encode_outputs(np.array([AlwaysEqual()], dtype=object))
    buffer = io.BytesIO()
    np.savez(buffer, out0=np.array([AlwaysEqual()], dtype=object), n_out=np.array(-1), allow_pickle=True)
    with pytest.raises(OutputError, match="plain data"):
        decode_outputs(buffer.getvalue(), max_bytes=1 << 20)
    with pytest.raises(OutputError):
        decode_outputs(pickle.dumps([1, 2, 3]), max_bytes=1 << 20)


def test_a_zip_bomb_is_refused_before_it_is_unpacked() -> None:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("out0.npy", b"\0" * (50 << 20))
        archive.writestr("n_out.npy", b"")
    assert len(buffer.getvalue()) < 1 << 20
    with pytest.raises(OutputError, match="unpacks to more than"):
        decode_outputs(buffer.getvalue(), max_bytes=1 << 20)


def test_encoded_outputs_round_trip() -> None:
    value = (np.arange(3, dtype=np.int8), np.float32(1.5), "text")
    decoded = decode_outputs(encode_outputs(value), max_bytes=1 << 20)
    assert decoded.is_tuple and [p.dtype.kind for p in decoded.parts] == ["i", "f", "U"]
