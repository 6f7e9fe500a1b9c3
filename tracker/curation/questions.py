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

from . import schema
from .files import FixtureError, parse_date, read_yaml

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
                    # YAML reads an unquoted 2026-12-02 as a date, which JSON Schema has no type for:
                    # `_checked` below checks it.
                    "checked": {},
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


def _checked(path: Path, where: str, value: Any) -> dt.date:
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    return parse_date(path, where, str(value))


def read_questions(directory: Path) -> list[QuestionSpec]:
    """Every question of fixtures/interview/questions/*.yaml, in file order; slugs unique across files."""
    folder = directory / "interview" / "questions"
    if not folder.is_dir():
        return []
    specs: list[QuestionSpec] = []
    seen: dict[str, str] = {}
    for path in sorted(folder.glob("*.yaml")):
        data = read_yaml(path, QUESTIONS)
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
                    checked=_checked(path, f"{where}.checked", raw["checked"]),
                )
            )
    return specs
