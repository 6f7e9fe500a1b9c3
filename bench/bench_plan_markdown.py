"""How long parsing and rendering a large plan takes: seed 004 repeated 100 times (about 90,000 lines).

Run from the repository root: `python -m bench.bench_plan_markdown`, or as a script.
Prints a Markdown table (`bench/run.py` prints the rows of `main()` the same way). The best of several
runs is reported, since the slower runs measure the machine's other work, not the code.
"""

from __future__ import annotations

import sys
import time
from collections.abc import Callable
from functools import partial
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SEED = ROOT.parent / "shared" / "seeds" / "004_18319b57d33e8d2d.txt"
REPEAT = 100
RUNS = 5

if str(ROOT) not in sys.path:  # run as a script: make the `tracker` package importable
    sys.path.insert(0, str(ROOT))

from tracker.plan_markdown import decode_plan_bytes, parse_plan, render_plan  # noqa: E402


def _best_ms(action: Callable[[], object], runs: int) -> float:
    best = float("inf")
    for _ in range(runs):
        started = time.perf_counter()
        action()
        best = min(best, time.perf_counter() - started)
    return best * 1000


def main() -> list[dict[str, object]]:
    """Time parse and render of the seed and of it repeated; one row per input, keyed by column."""
    seed = decode_plan_bytes(SEED.read_bytes())
    if not seed.endswith("\n"):
        seed += "\n"
    rows: list[dict[str, object]] = []
    for repeat in (1, REPEAT):
        text = seed * repeat
        doc = parse_plan(text)
        rows.append(
            {
                "input": f"seed 004 x{repeat}",
                "lines": text.count("\n"),
                "parse ms": round(_best_ms(partial(parse_plan, text), RUNS), 1),
                "render ms": round(_best_ms(partial(render_plan, doc), RUNS), 1),
            }
        )
    return rows


def _table(rows: list[dict[str, object]]) -> str:
    columns = list(rows[0])
    lines = ["| " + " | ".join(columns) + " |", "|---|" + "---:|" * (len(columns) - 1)]
    lines += ["| " + " | ".join(str(row[column]) for column in columns) + " |" for row in rows]
    return "\n".join(lines)


if __name__ == "__main__":
    print(_table(main()))
