"""fixtures/interview/questions/<topic>.yaml: the concept-question bank, validated before anything loads.

The format is agreed with the people writing the content (one file per topic, each question with its answer,
sources and the date it was last checked). A missing folder is an empty bank, so the rest of the curated
content loads on its own.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml
from jsonschema import Draft202012Validator

from . import schema
from .files import FixtureError, _where, parse_date

TOPICS = ["cpp", "cuda", "inference-deployment", "quantisation-compression", "architecture-os", "ml-fundamentals"]
DIRECTIONS = ["algorithms", "compression", "deployment-sdk", "operator-optimisation"]

SOURCE: dict[str, Any] = {
    "type": "object",
    "additionalProperties": False,
    "required": ["title", "url"],
    "properties": {"title": schema.TITLE, "author": {"type": "string", "maxLength": 300}, "url": schema.URL},
}
QUESTIONS: dict[str, Any] = {
    "type": "object",
    "additionalProperties": False,
    "required": ["topic", "questions"],
    "properties": {
        "topic": {"enum": TOPICS},
        "questions": {
            "type": "array",
            "items": {
                "type": "object",
                "additionalProperties": False,
                "required": ["slug", "question", "difficulty", "directions", "answer", "sources", "checked"],
                "properties": {
                    "slug": {**schema.SLUG, "maxLength": 120},
                    "question": {"type": "string", "minLength": 1},
                    "question_zh": {"type": "string"},
                    "difficulty": {"enum": ["easy", "medium", "hard"]},
                    "directions": {
                        "type": "array",
                        "minItems": 1,
                        "uniqueItems": True,
                        "items": {"enum": DIRECTIONS},
                    },
                    "answer": {"type": "string", "minLength": 1},
                    "sources": {"type": "array", "minItems": 1, "items": SOURCE},
                    # Read as text (see _Loader), then checked as a real date by parse_date.
                    "checked": schema.DATE,
                },
            },
        },
    },
}


@dataclass(frozen=True)
class QuestionSpec:
    file: str
    slug: str
    topic: str
    question: str
    question_zh: str
    difficulty: str
    directions: tuple[str, ...]
    answer: str
    sources: tuple[dict[str, str], ...]
    checked: dt.date


class _Loader(yaml.SafeLoader):
    """PyYAML's safe loader without its timestamp rule: `checked: 2026-12-02` stays the text it is, so JSON
    Schema can check its shape and a date like 2026-13-45 is reported with its place, not as a traceback."""


_Loader.yaml_implicit_resolvers = {
    first: [(tag, regexp) for tag, regexp in resolvers if tag != "tag:yaml.org,2002:timestamp"]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}


def _read(path: Path) -> dict[str, Any]:
    """One file, parsed and validated (the same messages as `read_yaml`, which the other fixtures use)."""
    try:
        raw = path.read_bytes().decode("utf-8")
    except UnicodeDecodeError as exc:
        raise FixtureError(path, f"byte {exc.start}", "the file is not UTF-8 text; save it as UTF-8") from exc
    try:
        data = yaml.load(raw, Loader=_Loader)  # noqa: S506 - a SafeLoader with one rule fewer
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f"line {mark.line + 1}, column {mark.column + 1}" if mark else ""
        raise FixtureError(path, where, f"not valid YAML: {getattr(exc, 'problem', exc)}") from exc
    errors = sorted(Draft202012Validator(QUESTIONS).iter_errors(data), key=lambda e: list(e.absolute_path))
    if errors:
        raise FixtureError(path, _where(errors[0].absolute_path), errors[0].message)
    assert isinstance(data, dict)  # noqa: S101 - the schema requires an object
    return data


def read_questions(directory: Path) -> list[QuestionSpec]:
    """Every question of fixtures/interview/questions/*.yaml, in file order; slugs unique across files."""
    folder = directory / "interview" / "questions"
    if not folder.is_dir():
        return []
    specs: list[QuestionSpec] = []
    seen: dict[str, str] = {}
    for path in sorted(folder.glob("*.yaml")):
        data = _read(path)
        if data["topic"] != path.stem:
            raise FixtureError(path, "topic", f"the topic {data['topic']!r} must equal the file name {path.stem!r}")
        for index, raw in enumerate(data["questions"]):
            where = f"questions[{index}]"
            slug = raw["slug"]
            if slug in seen:
                raise FixtureError(path, f"{where}.slug", f"question {slug!r} is already in {seen[slug]}")
            seen[slug] = f"{path.name} {where}"
            order = {d: i for i, d in enumerate(DIRECTIONS)}
            specs.append(
                QuestionSpec(
                    file=str(path),
                    slug=slug,
                    topic=data["topic"],
                    question=raw["question"].strip(),
                    question_zh=raw.get("question_zh", "").strip(),
                    difficulty=raw["difficulty"],
                    directions=tuple(sorted(raw["directions"], key=order.__getitem__)),
                    answer=raw["answer"].strip(),
                    sources=tuple(
                        {"title": s["title"].strip(), "author": s.get("author", "").strip(), "url": s["url"]}
                        for s in raw["sources"]
                    ),
                    checked=parse_date(path, f"{where}.checked", raw["checked"]),
                )
            )
    return specs
