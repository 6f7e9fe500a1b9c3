"""Reading fixtures/interview/ (patterns.yaml, problems.yaml, sets.yaml): the LeetCode catalogue.

The formats are described in fixtures/README.md ("Interview practice"). Every problem is reported as
`file: path.inside.file: what is wrong`, like the other fixtures, and nothing is loaded from a folder with a
bad file. A missing folder is no error: there is simply no catalogue to load.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .files import FixtureError, load_yaml, read_yaml, validate
from .schema import SLUG, TITLE, URL

SITES = ["com", "cn"]
DIFFICULTIES = ["easy", "medium", "hard"]
PRIMARY_PATTERNS = 18

_NAMED = {
    "type": "object",
    "additionalProperties": False,
    "required": ["slug", "title"],
    "properties": {"slug": SLUG, "title": TITLE, "title_zh": TITLE},
}

PATTERNS: dict[str, Any] = {
    "type": "object",
    "additionalProperties": False,
    "required": ["primary", "tags"],
    "properties": {
        "primary": {"type": "array", "items": _NAMED, "minItems": 1},
        "tags": {"type": "array", "items": _NAMED},
    },
}

PROBLEMS: dict[str, Any] = {
    "type": "array",
    "items": {
        "type": "object",
        "additionalProperties": False,
        "required": ["slug", "title", "difficulty", "pattern", "sites"],
        "properties": {
            "slug": {**SLUG, "maxLength": 120},
            "number": {"type": ["string", "integer"]},
            "title": TITLE,
            "title_zh": TITLE,
            "difficulty": {"enum": DIFFICULTIES},
            "pattern": SLUG,
            "tags": {"type": "array", "items": SLUG, "uniqueItems": True},
            "sites": {"type": "array", "items": {"enum": SITES}, "minItems": 1, "uniqueItems": True},
        },
    },
}

SETS: dict[str, Any] = {
    "type": "array",
    "items": {
        "type": "object",
        "additionalProperties": False,
        "required": ["slug", "title", "source", "expected_size", "sections"],
        "properties": {
            "slug": SLUG,
            "title": TITLE,
            "title_zh": TITLE,
            "summary": {"type": "string"},
            "source": {
                "type": "object",
                "additionalProperties": False,
                "required": ["title", "url"],
                "properties": {"title": TITLE, "author": {"type": "string", "maxLength": 200}, "url": URL},
            },
            "expected_size": {"type": "integer", "minimum": 1, "maximum": 5000},
            "sections": {
                "type": "array",
                "minItems": 1,
                "items": {
                    "type": "object",
                    "additionalProperties": False,
                    "required": ["title", "problems"],
                    "properties": {
                        "title": TITLE,
                        "title_zh": TITLE,
                        "problems": {"type": "array", "items": {**SLUG, "maxLength": 120}},
                    },
                },
            },
        },
    },
}


@dataclass(frozen=True)
class PatternSpec:
    slug: str
    title: str
    title_zh: str
    is_primary: bool
    position: int


@dataclass(frozen=True)
class ProblemSpec:
    slug: str
    number: str
    title: str
    title_zh: str
    difficulty: str
    pattern: str
    tags: tuple[str, ...]
    sites: tuple[str, ...]


@dataclass(frozen=True)
class SetEntrySpec:
    problem: str
    position: int
    section: str
    section_zh: str


@dataclass(frozen=True)
class ProblemSetSpec:
    slug: str
    title: str
    title_zh: str
    summary: str
    source_title: str
    source_author: str
    source_url: str
    expected_size: int
    position: int
    entries: tuple[SetEntrySpec, ...]


@dataclass(frozen=True)
class ProblemCatalogue:
    patterns: tuple[PatternSpec, ...]
    problems: tuple[ProblemSpec, ...]
    sets: tuple[ProblemSetSpec, ...]


def _read_list(path: Path, json_schema: dict[str, Any]) -> list[dict[str, Any]]:
    data = load_yaml(path)
    validate(path, data, json_schema)
    return data  # type: ignore[no-any-return]


def read_problem_catalogue(directory: Path) -> ProblemCatalogue | None:
    """The catalogue in `directory` (fixtures/interview/), checked; None when the folder or problems.yaml is
    missing. Raises FixtureError naming the file, the place and the problem."""
    problems_path = directory / "problems.yaml"
    if not problems_path.is_file():
        return None
    patterns_path = directory / "patterns.yaml"
    if not patterns_path.is_file():
        raise FixtureError(patterns_path, "", "problems.yaml needs patterns.yaml beside it, naming the patterns")
    raw_patterns = read_yaml(patterns_path, PATTERNS)
    patterns: list[PatternSpec] = []
    where_pattern: dict[str, str] = {}
    for kind in ("primary", "tags"):
        for index, raw in enumerate(raw_patterns[kind]):
            where = f"{kind}[{index}]"
            if raw["slug"] in where_pattern:
                raise FixtureError(
                    patterns_path,
                    f"{where}.slug",
                    f"{raw['slug']!r} is listed twice (also {where_pattern[raw['slug']]})",
                )
            where_pattern[raw["slug"]] = where
            patterns.append(
                PatternSpec(
                    slug=raw["slug"],
                    title=raw["title"].strip(),
                    title_zh=raw.get("title_zh", "").strip(),
                    is_primary=kind == "primary",
                    position=index + 1,
                )
            )
    primary = {p.slug for p in patterns if p.is_primary}
    tags = {p.slug for p in patterns if not p.is_primary}

    problems: list[ProblemSpec] = []
    seen: dict[str, int] = {}
    for index, raw in enumerate(_read_list(problems_path, PROBLEMS)):
        where = f"[{index}]"
        slug = raw["slug"]
        if slug in seen:
            raise FixtureError(problems_path, f"{where}.slug", f"{slug!r} is listed twice (also [{seen[slug]}])")
        seen[slug] = index
        if raw["pattern"] not in primary:
            raise FixtureError(
                problems_path, f"{where}.pattern", f"{raw['pattern']!r} is not a primary pattern of patterns.yaml"
            )
        for t_index, tag in enumerate(raw.get("tags", [])):
            if tag not in tags and tag not in primary:
                raise FixtureError(problems_path, f"{where}.tags[{t_index}]", f"{tag!r} is not in patterns.yaml")
        problems.append(
            ProblemSpec(
                slug=slug,
                number=str(raw.get("number", "")).strip(),
                title=raw["title"].strip(),
                title_zh=raw.get("title_zh", "").strip(),
                difficulty=raw["difficulty"],
                pattern=raw["pattern"],
                tags=tuple(raw.get("tags", [])),
                sites=tuple(raw["sites"]),
            )
        )

    sets: list[ProblemSetSpec] = []
    sets_path = directory / "sets.yaml"
    raw_sets = _read_list(sets_path, SETS) if sets_path.is_file() else []
    set_slugs: set[str] = set()
    for index, raw in enumerate(raw_sets):
        where = f"[{index}]"
        if raw["slug"] in set_slugs:
            raise FixtureError(sets_path, f"{where}.slug", f"set {raw['slug']!r} is listed twice")
        set_slugs.add(raw["slug"])
        entries: list[SetEntrySpec] = []
        in_set: dict[str, str] = {}
        for s_index, section in enumerate(raw["sections"]):
            for p_index, slug in enumerate(section["problems"]):
                here = f"{where}.sections[{s_index}].problems[{p_index}]"
                if slug not in seen:
                    raise FixtureError(sets_path, here, f"no problem {slug!r} in problems.yaml")
                if slug in in_set:
                    # A source may list a problem under two sections (Blind 75's Merge k Sorted Lists is under
                    # Linked List and Heap): it counts once, at its first place.
                    continue
                in_set[slug] = here
                entries.append(
                    SetEntrySpec(
                        problem=slug,
                        position=len(entries) + 1,
                        section=section["title"].strip(),
                        section_zh=section.get("title_zh", "").strip(),
                    )
                )
        source = raw["source"]
        sets.append(
            ProblemSetSpec(
                slug=raw["slug"],
                title=raw["title"].strip(),
                title_zh=raw.get("title_zh", "").strip(),
                summary=" ".join(raw.get("summary", "").split()),
                source_title=source["title"].strip(),
                source_author=source.get("author", "").strip(),
                source_url=source["url"],
                expected_size=raw["expected_size"],
                position=index + 1,
                entries=tuple(entries),
            )
        )
    return ProblemCatalogue(patterns=tuple(patterns), problems=tuple(problems), sets=tuple(sets))
