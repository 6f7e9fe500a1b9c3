"""`python -m grader build|check|grade`: the Django-free command line that `manage.py exercises` and
`manage.py grade` wrap.

    python -m grader build [SLUG ...]            regenerate models and inputs (generate.py), then write expected
                                                 outputs from the reference solutions
    python -m grader check [SLUG ...]            exit 1 unless every reference passes and outputs are current
    python -m grader grade SLUG FILE [--json]    grade a file in the sandbox (--visible: examples only)
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from grader.build import BuildError, build_bundle, check_bundle, generate_bundle
from grader.bundles import EXERCISES_DIR, Bundle, BundleError, find_bundles, load_bundle
from grader.metrics import describe
from grader.results import Verdict
from grader.run import grade
from grader.sandbox import SandboxConfig, SandboxUnavailable


def _paths(root: Path, slugs: list[str]) -> list[Path]:
    paths = find_bundles(root)
    known = {p.name: p for p in paths}
    unknown = [s for s in slugs if s not in known]
    if unknown:
        raise BundleError(f"no exercise named {', '.join(unknown)} under {root} (known: {', '.join(known)})")
    return [known[s] for s in slugs] if slugs else paths


def _bundles(root: Path, slugs: list[str]) -> list[Bundle]:
    return [load_bundle(p) for p in _paths(root, slugs)]


def _build(args: argparse.Namespace) -> int:
    for path in _paths(args.root, args.slugs):
        generate_bundle(path)  # models and inputs first: the bundle only validates once they exist
        bundle = load_bundle(path)
        changed = build_bundle(bundle)
        print(f"{bundle.slug}: {len(bundle.cases)} cases, {len(changed)} output(s) written")
    return 0


def _check(args: argparse.Namespace) -> int:
    failed = 0
    for bundle in _bundles(args.root, args.slugs):
        report = check_bundle(bundle, content_rules=not args.no_content_rules)
        where = "sandboxed" if report.sandboxed else "unsandboxed (no bubblewrap)"
        if report.ok:
            print(f"ok   {bundle.slug}: {len(bundle.cases)} cases pass, outputs current ({where})")
        else:
            failed += 1
            for problem in report.problems:
                print(f"FAIL {bundle.slug}: {problem}")
    return 1 if failed else 0


def _grade(args: argparse.Namespace) -> int:
    bundle = _bundles(args.root, [args.slug])[0]
    code = Path(args.file).read_text(encoding="utf-8")
    config = SandboxConfig(unsandboxed=args.unsandboxed)
    result = grade(bundle, code, cases="visible" if args.visible else "all", sandbox=config)
    if args.json:
        print(json.dumps(result.to_dict(), indent=2))
    else:
        print(f"{bundle.slug}: {result.verdict} ({result.verdict.label}), score {result.score:g}/{result.max_score:g}")
        if result.message:
            print(result.message)
        for case in result.cases:
            timing = f"{case.time_ms:.0f} ms" if case.time_ms is not None else "-"
            memory = f"{case.peak_memory_kb} KB" if case.peak_memory_kb is not None else "-"
            kind = "example" if case.visible else "hidden"
            print(f"  {case.name:>4} {kind:<7} {case.verdict:<3} {timing:>8} {memory:>10}  {case.message}")
            if case.diff:
                print("       " + case.diff.replace("\n", "\n       "))
            for stage in case.stages if len(case.stages) > 1 else ():
                print(f"       stage {stage.name}: {stage.verdict}")
            for metric in case.metrics:
                print(f"       {describe(metric)}")
    return 0 if result.verdict is Verdict.AC else 1


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m grader", description=__doc__.splitlines()[0] if __doc__ else "")
    parser.add_argument("--root", type=Path, default=EXERCISES_DIR, help="the folder of exercise bundles")
    sub = parser.add_subparsers(dest="command", required=True)
    build = sub.add_parser("build", help="write expected outputs by running the reference solutions")
    build.add_argument("slugs", nargs="*")
    check = sub.add_parser("check", help="prove references pass and stored outputs are current")
    check.add_argument("slugs", nargs="*")
    check.add_argument("--no-content-rules", action="store_true", help="skip the 8-cases/3-visible rule")
    grade_cmd = sub.add_parser("grade", help="grade a submission file")
    grade_cmd.add_argument("slug")
    grade_cmd.add_argument("file")
    grade_cmd.add_argument("--json", action="store_true", help="print the result as JSON")
    grade_cmd.add_argument("--visible", action="store_true", help="run only the visible examples")
    grade_cmd.add_argument(
        "--unsandboxed", action="store_true", help="development only; also needs BRAINQUEUE_GRADER_ALLOW_UNSANDBOXED=1"
    )
    args = parser.parse_args(argv)
    try:
        handler = {"build": _build, "check": _check, "grade": _grade}[args.command]
        return handler(args)
    except (BundleError, BuildError, SandboxUnavailable, OSError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    raise SystemExit(main())
