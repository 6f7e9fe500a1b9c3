"""`load_kernel`: the C ABI from `[[cpp.args]]`, poisoned outputs, copied inputs, guard bytes, and the
expression parser (no eval). The libraries are built here with the host's g++, outside the sandbox."""

from __future__ import annotations

import contextlib
import subprocess
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from grader.harness_cpp import (
    INPUTS_KEY,
    KernelError,
    SpecError,
    evaluate,
    expression_names,
    load_kernel,
    parse_args,
    parse_expression,
    parse_shape,
)

KERNELS = r"""
#include <cstdint>
#include <cstring>
extern "C" void add(const float* a, const float* b, float* c, int64_t n) {
    for (int64_t i = 0; i < n; ++i) c[i] = a[i] + b[i];
}
extern "C" void half_written(const float* a, float* c, int64_t n) {
    for (int64_t i = 0; i < n / 2; ++i) c[i] = a[i];
}
extern "C" void scribble_input(float* a, float* c, int64_t n) {
    for (int64_t i = 0; i < n; ++i) { c[i] = a[i]; a[i] = 0; }
}
extern "C" void overrun(const float* a, float* c, int64_t n) {
    for (int64_t i = 0; i <= n; ++i) c[i] = a[i % n];
}
extern "C" void underrun(const float* a, float* c, int64_t n) {
    c[-1] = 1.0f;
}
extern "C" void scale_inplace(double* x, int64_t n, double factor) {
    for (int64_t i = 0; i < n; ++i) x[i] *= factor;
}
extern "C" void matmul(const float* a, const float* b, float* c, int32_t m, int32_t n, int32_t k) {
    for (int i = 0; i < m; ++i)
        for (int j = 0; j < n; ++j) {
            float s = 0;
            for (int p = 0; p < k; ++p) s += a[i * k + p] * b[p * n + j];
            c[i * n + j] = s;
        }
}
extern "C" void count_set(const int32_t* a, int32_t* c, int64_t n) {
    int32_t total = 0;
    for (int64_t i = 0; i < n; ++i) total += a[i] != 0;
    c[0] = total;
}
extern "C" void untouched_ints(int32_t* c) {}
"""

ADD = [
    {"name": "a", "dtype": "float32", "role": "in"},
    {"name": "b", "dtype": "float32", "role": "in"},
    {"name": "c", "dtype": "float32", "role": "out", "shape": "n"},
    {"name": "n", "dtype": "int64", "role": "scalar", "value": "a.shape[0]"},
]
COPY = [
    {"name": "a", "dtype": "float32", "role": "in"},
    {"name": "c", "dtype": "float32", "role": "out", "shape": "n"},
    {"name": "n", "dtype": "int64", "role": "scalar", "value": "a.shape[0]"},
]


@pytest.fixture(scope="module")
def library(tmp_path_factory: pytest.TempPathFactory, gxx: str) -> str:
    folder = tmp_path_factory.mktemp("kernels")
    (folder / "k.cpp").write_text(KERNELS)
    subprocess.run(
        [gxx, "-std=c++17", "-O1", "-shared", "-fPIC", "-o", str(folder / "k.so"), str(folder / "k.cpp")],
        check=True,
        capture_output=True,
    )
    return str(folder / "k.so")


def test_a_vector_add_returns_its_output_and_the_inputs_after_the_call(library: str) -> None:
    kernel = load_kernel(library, "add", ADD)
    a = np.arange(5, dtype=np.float32)
    b = np.full(5, 0.5, dtype=np.float32)
    result = kernel({"a": a, "b": b})
    assert set(result) == {"c", INPUTS_KEY}
    np.testing.assert_array_equal(result["c"], a + b)
    np.testing.assert_array_equal(result[INPUTS_KEY]["a"], a)
    np.testing.assert_array_equal(result[INPUTS_KEY]["b"], b)
    assert kernel.output_names == ["c"]


def test_a_size_zero_call_works(library: str) -> None:
    result = load_kernel(library, "add", ADD)({"a": np.zeros(0, np.float32), "b": np.zeros(0, np.float32)})
    assert result["c"].shape == (0,)


def test_an_element_left_unwritten_is_nan_on_every_call(library: str) -> None:
    kernel = load_kernel(library, "half_written", COPY)
    a = np.arange(6, dtype=np.float32)
    for _ in range(2):  # the second call must not see the first call's values either
        c = kernel({"a": a})["c"]
        np.testing.assert_array_equal(c[:3], a[:3])
        assert np.isnan(c[3:]).all()


def test_an_integer_output_left_unwritten_holds_the_sentinel(library: str) -> None:
    kernel = load_kernel(library, "untouched_ints", [{"name": "c", "dtype": "int32", "role": "out", "shape": "3"}])
    assert (kernel({})["c"] == 0x7F7F7F7F).all()


def test_a_kernel_that_writes_its_input_is_seen_and_the_callers_array_is_untouched(library: str) -> None:
    args = [{**COPY[0], "role": "in"}, COPY[1], COPY[2]]
    kernel = load_kernel(library, "scribble_input", args)
    a = np.arange(1, 5, dtype=np.float32)
    result = kernel({"a": a})
    assert (result[INPUTS_KEY]["a"] == 0).all()
    np.testing.assert_array_equal(a, np.arange(1, 5, dtype=np.float32))


@pytest.mark.parametrize("symbol", ["overrun", "underrun"])
def test_a_write_outside_a_buffer_raises(library: str, symbol: str) -> None:
    kernel = load_kernel(library, symbol, COPY)
    with pytest.raises(KernelError, match="outside the buffer of `c`"):
        kernel({"a": np.ones(4, np.float32)})


def test_inout_and_float_scalars_from_the_inputs(library: str) -> None:
    args = [
        {"name": "x", "dtype": "float64", "role": "inout"},
        {"name": "n", "dtype": "int64", "role": "scalar", "value": "x.shape[0]"},
        {"name": "factor", "dtype": "float64", "role": "scalar"},
    ]
    kernel = load_kernel(library, "scale_inplace", args)
    x = np.array([1.0, 2.0, 3.0])
    result = kernel({"x": x, "factor": 2.5})
    np.testing.assert_array_equal(result["x"], x * 2.5)
    assert result[INPUTS_KEY] == {}
    np.testing.assert_array_equal(x, [1.0, 2.0, 3.0])


def test_a_matmul_with_shapes_from_two_inputs_and_non_contiguous_inputs(library: str) -> None:
    args = [
        {"name": "a", "dtype": "float32", "role": "in"},
        {"name": "b", "dtype": "float32", "role": "in"},
        {"name": "c", "dtype": "float32", "role": "out", "shape": "m, n"},
        {"name": "m", "dtype": "int32", "role": "scalar", "value": "a.shape[0]"},
        {"name": "n", "dtype": "int32", "role": "scalar", "value": "b.shape[1]"},
        {"name": "k", "dtype": "int32", "role": "scalar", "value": "a.shape[1]"},
    ]
    rng = np.random.default_rng(0)
    a = rng.standard_normal((3, 4)).astype(np.float32)
    b_t = rng.standard_normal((5, 4)).astype(np.float32)
    result = load_kernel(library, "matmul", args)({"a": a, "b": b_t.T})  # b is a transposed view
    np.testing.assert_allclose(result["c"], a @ b_t.T, rtol=1e-5)


def test_an_integer_output_of_shape_one(library: str) -> None:
    args = [
        {"name": "a", "dtype": "int32", "role": "in"},
        {"name": "c", "dtype": "int32", "role": "out", "shape": "1"},
        {"name": "n", "dtype": "int64", "role": "scalar", "value": "a.shape[0]"},
    ]
    result = load_kernel(library, "count_set", args)({"a": np.array([0, 3, 0, 1], np.int32)})
    assert result["c"].tolist() == [2]


def test_wrong_dtype_and_missing_inputs_are_refused(library: str) -> None:
    kernel = load_kernel(library, "add", ADD)
    with pytest.raises(KernelError, match="`a` must be float32, got float64"):
        kernel({"a": np.zeros(3), "b": np.zeros(3, np.float32)})
    with pytest.raises(KernelError, match="`b` is missing"):
        kernel({"a": np.zeros(3, np.float32)})


def test_a_scalar_that_does_not_fit_its_type_is_refused(library: str) -> None:
    args = [COPY[0], {**COPY[1], "shape": "3"}, {"name": "n", "dtype": "int64", "role": "scalar"}]
    kernel = load_kernel(library, "half_written", args)
    with pytest.raises(KernelError, match="does not fit int64"):
        kernel({"a": np.zeros(3, np.float32), "n": 2.5})


def test_a_missing_symbol_names_extern_c(library: str) -> None:
    with pytest.raises(KernelError, match='extern "C"'):
        load_kernel(library, "nope", ADD)


@pytest.mark.parametrize(
    ("text", "scalars", "shapes", "expected"),
    [
        ("m", {"m": 4}, {}, 4),
        ("a.shape[1] // 2 + 1", {}, {"a": (3, 9)}, 5),
        ("(m + 1) * (n - 2)", {"m": 2, "n": 5}, {}, 9),
        ("-m + 10", {"m": 3}, {}, 7),
        ("2 * 3 + 4 * 5", {}, {}, 26),
        ("10 - 4 - 3", {}, {}, 3),
    ],
)
def test_expressions_evaluate_with_the_usual_precedence(
    text: str, scalars: dict[str, int], shapes: dict[str, tuple[int, ...]], expected: int
) -> None:
    assert evaluate(parse_expression(text), scalars, shapes) == expected


@pytest.mark.parametrize(
    "text",
    [
        "__import__('os')",
        "a.shape",
        "a.size",
        "a.shape[i]",
        "m ** 2",
        "m / 2",
        "m +",
        "1e3",
        "m; n",
        "x" * 300,
    ],
)
def test_anything_but_the_small_grammar_is_refused(text: str) -> None:
    with pytest.raises(SpecError):
        parse_expression(text)


def test_shapes_split_on_commas_and_empty_is_zero_d() -> None:
    assert parse_shape("") == ()
    assert len(parse_shape("m, n, 2")) == 3


@pytest.mark.parametrize(
    ("args", "message"),
    [
        ([], "at least one argument"),
        ([{"name": "c", "dtype": "float32", "role": "out"}], "`shape` is required"),
        ([{"name": "c", "dtype": "complex64", "role": "out", "shape": "1"}], "`dtype` must be one of"),
        ([{"name": "c", "dtype": "float32", "role": "sideways"}], "`role` must be one of"),
        ([{"name": "a", "dtype": "float32", "role": "in"}], "at least one out or inout"),
        ([{"name": "c", "dtype": "float32", "role": "out", "shape": "m"}], "`m` is not a scalar argument"),
        ([{"name": "c", "dtype": "float32", "role": "out", "shape": "z.shape[0]"}], "`z` to be an in/inout"),
        (
            [
                {"name": "c", "dtype": "float32", "role": "out", "shape": "1"},
                {"name": "n", "dtype": "int64", "role": "scalar", "value": "m"},
                {"name": "m", "dtype": "int64", "role": "scalar"},
            ],
            "`m` must come before it",
        ),
        ([{"name": "c", "dtype": "float32", "role": "out", "shape": "1", "colour": 1}], "unknown key"),
        ([{"name": "1c", "dtype": "float32", "role": "out", "shape": "1"}], "unique identifier"),
    ],
)
def test_invalid_argument_lists_say_what_is_wrong(args: list[dict[str, object]], message: str) -> None:
    with pytest.raises(SpecError, match=message):
        parse_args(args)


def test_the_module_imports_nothing_from_grader() -> None:
    source = (Path(__file__).resolve().parents[2] / "grader" / "harness_cpp.py").read_text()
    assert "from grader" not in source and "import grader" not in source


@settings(max_examples=500, deadline=None)
@given(st.text(alphabet="ab_m01239 +-*/().[],shape", max_size=40))
def test_the_parser_answers_or_raises_spec_error_on_any_text(text: str) -> None:
    try:
        tree = parse_expression(text)
    except SpecError:
        return
    scalars, arrays = expression_names(tree)
    # A division by zero or a dimension the array does not have is a KernelError, said in words.
    with contextlib.suppress(KernelError):
        evaluate(tree, dict.fromkeys(scalars, 3), dict.fromkeys(arrays, (2, 5)))


@given(st.integers(-50, 50), st.integers(-50, 50), st.integers(1, 50))
def test_expressions_agree_with_python_integer_arithmetic(x: int, y: int, z: int) -> None:
    tree = parse_expression("(x + y) * z - x // z + -y")
    assert evaluate(tree, {"x": x, "y": y, "z": z}, {}) == (x + y) * z - x // z + -y
