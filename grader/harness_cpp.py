"""Calling a compiled C++ kernel from Python: `load_kernel` turns a shared library and the bundle's
`[[cpp.args]]` into a callable that takes and returns NumPy arrays.

This file is visible INSIDE the sandbox next to harness.py, so it imports only the standard library and numpy
(never `grader`). The trusted side imports it too, to validate a bundle's expressions with the same parser.

The C ABI (`[[cpp.args]]`, in call order; each a dict with these keys):

* `name`: an identifier, the key of the argument in the inputs and outputs.
* `dtype`: one of `DTYPES` (`float32`, `int64`, ...).
* `role`: `in` (a `const T*` to a C-contiguous copy of the input), `out` (a `T*` to a buffer the call
  allocates from `shape` and poisons), `inout` (a `T*` to a copy of the input; its value after the call is an
  output), `scalar` (a `T` passed by value: from `value` when given, else from the inputs by name).
* `shape` (out only): comma-separated dimension expressions, e.g. `"m, n"` or `"a.shape[0] // 2"`; `""` is a
  0-d array.
* `value` (scalar only, optional): an expression, e.g. `"a.shape[0]"`.

Expressions are parsed here without `eval`: integers, names of scalar arguments, `x.shape[i]` of an array
argument, `+ - * //` and parentheses.

A `KernelCall(inputs)` returns `{output name: array}` for the `out` and `inout` arguments (call order) plus
`"__inputs__": {name: array}`, the `in` arrays as they were after the call, so the trusted side can tell a
kernel that wrote to its inputs. Before every call each output is poisoned (NaN for floating point, the byte
0x7f repeated for integers) so a kernel that leaves an element unwritten cannot pass on a previous call's
answer, and every buffer sits between guard bytes: a write past either end raises `KernelError`.
"""

from __future__ import annotations

import ctypes
import re
import typing

import numpy as np

DTYPES: dict[str, type[typing.Any]] = {
    "int8": ctypes.c_int8,
    "int16": ctypes.c_int16,
    "int32": ctypes.c_int32,
    "int64": ctypes.c_int64,
    "uint8": ctypes.c_uint8,
    "uint16": ctypes.c_uint16,
    "uint32": ctypes.c_uint32,
    "uint64": ctypes.c_uint64,
    "float32": ctypes.c_float,
    "float64": ctypes.c_double,
}
ROLES = ("in", "out", "inout", "scalar")
INPUTS_KEY = "__inputs__"
NAME_RE = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")
GUARD_BYTES = 64  # on each side of every buffer; also the alignment of each buffer's first element
GUARD_BYTE = 0xA5
INT_POISON = 0x7F
MAX_EXPRESSION = 200


class KernelError(Exception):
    """The kernel misbehaved at run time (wrote out of bounds) or was given arguments that do not fit."""


class SpecError(ValueError):
    """A `[[cpp.args]]` list or expression that is not valid; the message says which argument and why."""


# ---------------------------------------------------------------------------------------------------------
# Expressions: a tiny recursive-descent parser to a tree of tuples, and its evaluator

_TOKEN = re.compile(r"\s*(?:(\d+)|([A-Za-z_][A-Za-z0-9_]*)|(//|[-+*().\[\]]))")
Expr = tuple[typing.Any, ...]


def _tokens(text: str) -> list[str]:
    if len(text) > MAX_EXPRESSION:
        raise SpecError(f"expression {text[:40]!r}... is over {MAX_EXPRESSION} characters")
    tokens, position = [], 0
    text = text.rstrip()
    while position < len(text):
        match = _TOKEN.match(text, position)
        if match is None:
            raise SpecError(f"expression {text!r}: unexpected {text[position:].strip()[:10]!r}")
        tokens.append(match.group(match.lastindex or 0))
        position = match.end()
    return tokens


class _Parser:
    def __init__(self, text: str) -> None:
        self.text = text
        self.tokens = _tokens(text)
        self.at = 0

    def fail(self, what: str) -> typing.NoReturn:
        raise SpecError(f"expression {self.text!r}: {what} (allowed: integers, scalar names, x.shape[i], + - * //)")

    def peek(self) -> str | None:
        return self.tokens[self.at] if self.at < len(self.tokens) else None

    def take(self, expected: str | None = None) -> str:
        token = self.peek()
        if token is None or (expected is not None and token != expected):
            self.fail(f"expected {expected or 'more'}, found {token or 'the end'}")
        self.at += 1
        return token

    def parse(self) -> Expr:
        tree = self.sum()
        if self.peek() is not None:
            self.fail(f"unexpected {self.peek()!r}")
        return tree

    def sum(self) -> Expr:
        tree = self.product()
        while self.peek() in ("+", "-"):
            tree = (self.take(), tree, self.product())
        return tree

    def product(self) -> Expr:
        tree = self.unary()
        while self.peek() in ("*", "//"):
            tree = (self.take(), tree, self.unary())
        return tree

    def unary(self) -> Expr:
        if self.peek() == "-":
            self.take()
            return ("neg", self.unary())
        return self.atom()

    def atom(self) -> Expr:
        part = self.take()
        if part == "(":
            tree = self.sum()
            self.take(")")
            return tree
        if part.isdigit():
            return ("int", int(part))
        if NAME_RE.match(part):
            if self.peek() == ".":
                self.take(".")
                if self.take() != "shape":
                    self.fail("only `.shape[i]` may follow a name")
                self.take("[")
                index = self.take()
                if not index.isdigit():
                    self.fail("a shape index is a plain integer")
                self.take("]")
                return ("dim", part, int(index))
            return ("name", part)
        self.fail(f"unexpected {part!r}")


def parse_expression(text: str) -> Expr:
    """Parse one integer expression; raises SpecError saying what is wrong."""
    if not isinstance(text, str) or not text.strip():
        raise SpecError("an expression must be a non-empty string")
    return _Parser(text).parse()


def parse_shape(text: str) -> tuple[Expr, ...]:
    """`"m, n"` → one expression per dimension; `""` → () (a 0-d output)."""
    if not isinstance(text, str):
        raise SpecError("a shape is a string of comma-separated expressions")
    if not text.strip():
        return ()
    return tuple(parse_expression(part) for part in text.split(","))


def expression_names(tree: Expr) -> tuple[set[str], set[str]]:
    """(scalar names, array names) an expression refers to."""
    scalars: set[str] = set()
    arrays: set[str] = set()
    kind = tree[0]
    if kind == "name":
        scalars.add(tree[1])
    elif kind == "dim":
        arrays.add(tree[1])
    elif kind != "int":
        for child in tree[1:]:
            s, a = expression_names(child)
            scalars |= s
            arrays |= a
    return scalars, arrays


def evaluate(tree: Expr, scalars: dict[str, int], shapes: dict[str, tuple[int, ...]]) -> int:
    kind = tree[0]
    if kind == "int":
        return int(tree[1])
    if kind == "name":
        value = scalars[tree[1]]
        if isinstance(value, (float, np.floating)):
            raise KernelError(f"`{tree[1]}` is a floating-point scalar; shapes need integers")
        return int(value)
    if kind == "dim":
        shape = shapes[tree[1]]
        if tree[2] >= len(shape):
            raise KernelError(f"`{tree[1]}` has {len(shape)} dimension(s); it has no shape[{tree[2]}]")
        return int(shape[tree[2]])
    if kind == "neg":
        return -evaluate(tree[1], scalars, shapes)
    left, right = evaluate(tree[1], scalars, shapes), evaluate(tree[2], scalars, shapes)
    if kind == "+":
        return left + right
    if kind == "-":
        return left - right
    if kind == "*":
        return left * right
    if right == 0:
        raise KernelError("a shape expression divides by zero")
    return left // right


# ---------------------------------------------------------------------------------------------------------
# The argument list


class KernelArg(typing.NamedTuple):
    name: str
    dtype: str
    role: str
    shape: tuple[Expr, ...] | None = None
    value: Expr | None = None


def parse_args(args: list[dict[str, typing.Any]]) -> list[KernelArg]:
    """Validate a `[[cpp.args]]` list; raises SpecError naming the argument at fault."""
    if not isinstance(args, list) or not args:
        raise SpecError("`[[cpp.args]]` must list at least one argument")
    parsed: list[KernelArg] = []
    seen: set[str] = set()
    for number, raw in enumerate(args, 1):
        where = f"argument #{number}"
        if not isinstance(raw, dict):
            raise SpecError(f"{where}: must be a table")
        unknown = sorted(set(raw) - {"name", "dtype", "role", "shape", "value"})
        if unknown:
            raise SpecError(f"{where}: unknown key(s) {', '.join(unknown)} (known: name, dtype, role, shape, value)")
        name = raw.get("name")
        if not isinstance(name, str) or not NAME_RE.match(name) or name == INPUTS_KEY or name in seen:
            raise SpecError(f"{where}: `name` must be a unique identifier, got {name!r}")
        seen.add(name)
        where = f"argument `{name}`"
        dtype, role = raw.get("dtype"), raw.get("role")
        if dtype not in DTYPES:
            raise SpecError(f"{where}: `dtype` must be one of {', '.join(DTYPES)}, got {dtype!r}")
        if role not in ROLES:
            raise SpecError(f"{where}: `role` must be one of {', '.join(ROLES)}, got {role!r}")
        if ("shape" in raw) != (role == "out"):
            raise SpecError(f"{where}: `shape` is required for an out argument and only there")
        if "value" in raw and role != "scalar":
            raise SpecError(f"{where}: `value` is for scalar arguments only")
        try:
            shape = parse_shape(raw["shape"]) if role == "out" else None
            value = parse_expression(raw["value"]) if "value" in raw else None
        except SpecError as exc:
            raise SpecError(f"{where}: {exc}") from None
        parsed.append(KernelArg(name, dtype, role, shape, value))
    by_name = {a.name: a for a in parsed}
    for position, arg in enumerate(parsed):
        for tree in (*(arg.shape or ()), *((arg.value,) if arg.value is not None else ())):
            scalars, arrays = expression_names(tree)
            for name in scalars:
                other = by_name.get(name)
                if other is None or other.role != "scalar":
                    raise SpecError(f"argument `{arg.name}`: `{name}` is not a scalar argument")
                if arg.role == "scalar" and parsed.index(other) >= position:
                    raise SpecError(f"argument `{arg.name}`: `{name}` must come before it to be used in `value`")
            for name in arrays:
                other = by_name.get(name)
                if other is None or other.role not in ("in", "inout"):
                    raise SpecError(f"argument `{arg.name}`: `{name}.shape` needs `{name}` to be an in/inout array")
    if not any(a.role in ("out", "inout") for a in parsed):
        raise SpecError("`[[cpp.args]]` needs at least one out or inout argument: the kernel's result")
    return parsed


# ---------------------------------------------------------------------------------------------------------
# Guarded buffers


def _guarded(shape: tuple[int, ...], dtype: np.dtype[typing.Any]) -> tuple[np.ndarray, np.ndarray]:
    """(raw uint8 storage, a C-contiguous array of `shape` inside it between two guard zones)."""
    nbytes = int(np.prod(shape, dtype=np.int64)) * dtype.itemsize
    raw = np.empty(nbytes + 3 * GUARD_BYTES, dtype=np.uint8)
    start = (-raw.ctypes.data) % GUARD_BYTES + GUARD_BYTES  # aligned, with a full guard before it
    raw[:start] = GUARD_BYTE
    raw[start + nbytes :] = GUARD_BYTE
    view = raw[start : start + nbytes].view(dtype).reshape(shape)
    return raw, view


def _guards_intact(raw: np.ndarray, view: np.ndarray) -> bool:
    start = view.ctypes.data - raw.ctypes.data
    end = start + view.nbytes
    return bool((raw[:start] == GUARD_BYTE).all() and (raw[end:] == GUARD_BYTE).all())


def poison(array: np.ndarray) -> None:
    """NaN for floating point, 0x7f7f... for integers: values a correct kernel overwrites."""
    if array.dtype.kind == "f":
        array.fill(np.nan)
    else:
        array.view(np.uint8).fill(INT_POISON)


class KernelCall:
    """A loaded kernel: `call(inputs)` → outputs and `"__inputs__"` (see the module docstring)."""

    def __init__(self, function: typing.Any, symbol: str, args: list[KernelArg]) -> None:
        self.function = function
        self.symbol = symbol
        self.args = args
        self.output_names = [a.name for a in args if a.role in ("out", "inout")]
        self.input_names = [a.name for a in args if a.role in ("in", "inout")]
        function.argtypes = [DTYPES[a.dtype] if a.role == "scalar" else ctypes.c_void_p for a in args]
        function.restype = None

    def _scalars(self, inputs: dict[str, typing.Any], shapes: dict[str, tuple[int, ...]]) -> dict[str, typing.Any]:
        scalars: dict[str, typing.Any] = {}
        for arg in self.args:
            if arg.role != "scalar":
                continue
            if arg.value is not None:
                raw: typing.Any = evaluate(arg.value, scalars, shapes)
            elif arg.name in inputs:
                raw = inputs[arg.name]
            else:
                raise KernelError(f"the scalar argument `{arg.name}` is missing from the inputs")
            kind = np.dtype(arg.dtype).type
            try:
                value = np.asarray(raw)
                if value.shape != ():
                    raise KernelError(f"the scalar argument `{arg.name}` must be a single number")
                converted = kind(value)
            except (OverflowError, ValueError, TypeError):
                raise KernelError(f"the scalar argument `{arg.name}` does not fit {arg.dtype}: {raw!r}") from None
            if np.dtype(arg.dtype).kind != "f" and converted != value:
                raise KernelError(f"the scalar argument `{arg.name}` does not fit {arg.dtype}: {raw!r}")
            scalars[arg.name] = converted.item()
        return scalars

    def __call__(self, inputs: dict[str, typing.Any]) -> dict[str, typing.Any]:
        arrays: dict[str, np.ndarray] = {}
        for name in self.input_names:
            if name not in inputs:
                raise KernelError(f"the input `{name}` is missing")
            arrays[name] = np.asarray(inputs[name])
        shapes = {name: array.shape for name, array in arrays.items()}
        scalars = self._scalars(inputs, shapes)
        buffers: dict[str, tuple[np.ndarray, np.ndarray]] = {}
        call: list[typing.Any] = []
        for arg in self.args:
            dtype = np.dtype(arg.dtype)
            if arg.role == "scalar":
                call.append(scalars[arg.name])
                continue
            if arg.role == "out":
                assert arg.shape is not None  # noqa: S101 - parse_args requires it
                shape = tuple(evaluate(dim, scalars, shapes) for dim in arg.shape)
                if any(d < 0 for d in shape):
                    raise KernelError(f"the output `{arg.name}` would have a negative dimension: {shape}")
                raw, view = _guarded(shape, dtype)
                poison(view)
            else:
                given = arrays[arg.name]
                if given.dtype != dtype:
                    raise KernelError(f"the input `{arg.name}` must be {dtype}, got {given.dtype}")
                raw, view = _guarded(given.shape, dtype)
                view[...] = given  # a C-contiguous copy: the caller's array is never the kernel's
            buffers[arg.name] = (raw, view)
            call.append(view.ctypes.data)
        self.function(*call)
        for name, (raw, view) in buffers.items():
            if not _guards_intact(raw, view):
                raise KernelError(f"your kernel wrote outside the buffer of `{name}` (check your loop bounds)")
        # The buffers are this call's own (the next call allocates new ones), so they are returned as they are.
        result: dict[str, typing.Any] = {name: buffers[name][1] for name in self.output_names}
        result[INPUTS_KEY] = {a.name: buffers[a.name][1] for a in self.args if a.role == "in"}
        return result


def load_kernel(library_path: str, symbol: str, args: list[dict[str, typing.Any]]) -> KernelCall:
    """Load `symbol` from the shared library at `library_path` with the `[[cpp.args]]` ABI `args`.

    Raises SpecError for an invalid `args`, OSError when the library does not load, and KernelError when it
    has no such symbol."""
    parsed = parse_args(args)
    if not NAME_RE.match(symbol):
        raise SpecError(f"the entry point {symbol!r} is not a C identifier")
    library = ctypes.CDLL(library_path, mode=ctypes.RTLD_LOCAL)
    try:
        function = getattr(library, symbol)
    except AttributeError:
        raise KernelError(
            f'the library defines no function `{symbol}`: declare it `extern "C"` with the signature given'
        ) from None
    return KernelCall(function, symbol, parsed)
