"""Reading and validating the fixture files, before anything touches the database.

Every problem is reported as `file: path.inside.file: what is wrong`, and the whole load stops at
the first bad file, so a mistake can never leave the curriculum half-updated.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import yaml
from jsonschema import Draft202012Validator

from . import schema

DEFAULT_MINUTES = {
    "topic": 60,
    "lecture": 30,
    "lab": 90,
    "chapter": 0,
    "section": 60,
    "problem": 30,
    "article": 20,
    "resource": 30,
    "exercise": 90,
    "milestone": 0,
}


class FixtureError(Exception):
    """A fixture file that cannot be loaded: names the file, the place inside it and the problem."""

    def __init__(self, file: Path | str, where: str, problem: str) -> None:
        self.file = str(file)
        self.where = where
        self.problem = problem
        super().__init__(f"{self.file}: {where or '(top level)'}: {problem}")


@dataclass(frozen=True)
class ItemSpec:
    key: str
    parent_key: str | None
    position: int
    depth: int
    kind: str
    title: str
    title_en: str
    url: str
    minutes: int
    difficulty: str
    external_id: str
    tags: tuple[str, ...]


@dataclass(frozen=True)
class TrackSpec:
    file: str
    slug: str
    kind: str
    title: str
    title_en: str
    summary: str
    source_url: str
    published: bool
    tags: tuple[str, ...]
    items: tuple[ItemSpec, ...]


@dataclass(frozen=True)
class DeadlineSpec:
    key: str
    title: str
    title_en: str
    kind: str
    due_at: dt.datetime
    time_zone: str
    url: str
    track: str | None


@dataclass(frozen=True)
class FeedSpec:
    slug: str
    title: str
    url: str
    site_url: str


@dataclass
class CuratedContent:
    """Everything under fixtures/, validated and cross-checked."""

    tracks: list[TrackSpec] = field(default_factory=list)
    skills: list[dict[str, Any]] = field(default_factory=list)
    deadlines: list[DeadlineSpec] = field(default_factory=list)
    demo: dict[str, Any] | None = None
    feeds: list[FeedSpec] = field(default_factory=list)

    def track(self, slug: str) -> TrackSpec | None:
        return next((t for t in self.tracks if t.slug == slug), None)


def _where(path: Any) -> str:
    """`items[3].items[0].kind` from jsonschema's path deque."""
    out = ""
    for part in path:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out


def read_yaml(path: Path, json_schema: dict[str, Any]) -> dict[str, Any]:
    data = load_yaml(path)
    validate(path, data, json_schema)
    assert isinstance(data, dict)  # noqa: S101 - the schema requires an object
    return data


def validate(path: Path, data: Any, json_schema: dict[str, Any]) -> None:
    """Raises FixtureError naming the first place in `data` that breaks `json_schema`."""
    errors = sorted(Draft202012Validator(json_schema).iter_errors(data), key=lambda e: list(e.absolute_path))
    if errors:
        err = errors[0]
        raise FixtureError(path, _where(err.absolute_path), err.message)


def load_yaml(path: Path) -> Any:
    """The YAML document of `path`; FixtureError for bytes that are not UTF-8 and for bad YAML."""
    try:
        raw = path.read_bytes().decode("utf-8")
    except UnicodeDecodeError as exc:
        raise FixtureError(path, f"byte {exc.start}", "the file is not UTF-8 text; save it as UTF-8") from exc
    try:
        data = yaml.safe_load(raw)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f"line {mark.line + 1}, column {mark.column + 1}" if mark else ""
        raise FixtureError(path, where, f"not valid YAML: {getattr(exc, 'problem', exc)}") from exc
    return data


def _flatten(file: Path, raw_items: list[dict[str, Any]]) -> tuple[ItemSpec, ...]:
    """Depth-first order is study order: a chapter comes before its sections."""
    out: list[ItemSpec] = []
    seen: dict[str, str] = {}

    def walk(items: list[dict[str, Any]], parent: str | None, depth: int, where: str) -> None:
        for index, raw in enumerate(items):
            here = f"{where}[{index}]"
            key = raw["key"]
            if key in seen:
                raise FixtureError(
                    file,
                    f"{here}.key",
                    f"key {key!r} is already used at {seen[key]}; keys are unique in a track",
                )
            seen[key] = here
            kind = raw["kind"]
            if kind != "problem" and ("difficulty" in raw):
                raise FixtureError(file, f"{here}.difficulty", "only problems have a difficulty")
            out.append(
                ItemSpec(
                    key=key,
                    parent_key=parent,
                    position=len(out) + 1,
                    depth=depth,
                    kind=kind,
                    title=raw["title"].strip(),
                    title_en=raw["title_en"].strip(),
                    url=raw.get("url", ""),
                    minutes=raw.get("minutes", DEFAULT_MINUTES[kind]),
                    difficulty=raw.get("difficulty", ""),
                    external_id=str(raw.get("external_id", "")),
                    tags=tuple(raw.get("tags", ())),
                )
            )
            walk(raw.get("items", []), key, depth + 1, f"{here}.items")

    walk(raw_items, None, 0, "items")
    return tuple(out)


def parse_due(file: Path | str, where: str, due: str, zone: str) -> dt.datetime:
    try:
        tz = ZoneInfo(zone)
    except (ZoneInfoNotFoundError, ValueError) as exc:
        raise FixtureError(file, f"{where}.timezone", f"{zone!r} is not an IANA time zone name") from exc
    try:
        naive = dt.datetime.fromisoformat(due if " " in due else f"{due} 23:59")
    except ValueError as exc:
        raise FixtureError(file, f"{where}.due", f"{due!r} is not a real date and time") from exc
    return naive.replace(tzinfo=tz)


def parse_date(file: Path | str, where: str, value: str) -> dt.date:
    try:
        return dt.date.fromisoformat(value)
    except ValueError as exc:
        raise FixtureError(file, where, f"{value!r} is not a real date (YYYY-MM-DD)") from exc


def _track_files(directory: Path) -> Iterator[Path]:
    yield from sorted((directory / "tracks").glob("*.yaml"))


def read_curated_content(directory: Path) -> CuratedContent:
    """Reads and checks every fixture file; raises FixtureError on the first problem."""
    content = CuratedContent()
    for path in _track_files(directory):
        data = read_yaml(path, schema.TRACK)
        if data["slug"] != path.stem:
            raise FixtureError(path, "slug", f"the slug {data['slug']!r} must equal the file name {path.stem!r}")
        content.tracks.append(
            TrackSpec(
                file=str(path),
                slug=data["slug"],
                kind=data["kind"],
                title=data["title"].strip(),
                title_en=data["title_en"].strip(),
                summary=data.get("summary", "").strip(),
                source_url=data.get("source_url", ""),
                published=data.get("published", True),
                tags=tuple(data.get("tags", ())),
                items=_flatten(path, data["items"]),
            )
        )
    slugs = {t.slug for t in content.tracks}
    keys = {t.slug: {i.key for i in t.items} for t in content.tracks}

    skills_path = directory / "skills.yaml"
    if skills_path.exists():
        data = read_yaml(skills_path, schema.SKILLS)
        seen: set[str] = set()
        for index, skill in enumerate(data["skills"]):
            where = f"skills[{index}]"
            if skill["key"] in seen:
                raise FixtureError(skills_path, f"{where}.key", f"skill {skill['key']!r} is listed twice")
            seen.add(skill["key"])
            for slug in skill.get("tracks", []):
                if slug not in slugs:
                    raise FixtureError(skills_path, f"{where}.tracks", f"no track {slug!r} in fixtures/tracks/")
            for ref in skill.get("items", []):
                slug, key = ref.split(":", 1)
                if key not in keys.get(slug, set()):
                    raise FixtureError(skills_path, f"{where}.items", f"no item {key!r} in track {slug!r}")
            content.skills.append(skill)

    deadlines_path = directory / "deadlines.yaml"
    if deadlines_path.exists():
        data = read_yaml(deadlines_path, schema.DEADLINES)
        seen = set()
        for index, raw in enumerate(data["deadlines"]):
            where = f"deadlines[{index}]"
            if raw["key"] in seen:
                raise FixtureError(deadlines_path, f"{where}.key", f"deadline {raw['key']!r} is listed twice")
            seen.add(raw["key"])
            content.deadlines.append(deadline_spec(deadlines_path, where, raw, slugs))

    demo_path = directory / "demo.yaml"
    if demo_path.exists():
        demo = read_yaml(demo_path, schema.DEMO)
        for index, enrollment in enumerate(demo["enrollments"]):
            where = f"enrollments[{index}]"
            slug = enrollment["track"]
            if slug not in slugs:
                raise FixtureError(demo_path, f"{where}.track", f"no track {slug!r} in fixtures/tracks/")
            start = parse_date(demo_path, f"{where}.start", enrollment["start"])
            if "target" in enrollment and parse_date(demo_path, f"{where}.target", enrollment["target"]) < start:
                raise FixtureError(demo_path, f"{where}.target", "the target date is before the start date")
            for d_index, done in enumerate(enrollment.get("done", [])):
                key = done if isinstance(done, str) else done["item"]
                if key not in keys[slug]:
                    raise FixtureError(demo_path, f"{where}.done[{d_index}]", f"no item {key!r} in track {slug!r}")
                if isinstance(done, dict) and "on" in done:
                    parse_date(demo_path, f"{where}.done[{d_index}].on", done["on"])
        for index, raw in enumerate(demo.get("deadlines", [])):
            deadline_spec(demo_path, f"deadlines[{index}]", raw, slugs)
        for index, ref in enumerate(demo.get("reading", [])):
            slug, key = ref.split(":", 1)
            if key not in keys.get(slug, set()):
                raise FixtureError(demo_path, f"reading[{index}]", f"no item {key!r} in track {slug!r}")
        content.demo = demo

    feeds_path = directory / "feeds.yaml"
    if feeds_path.exists():
        content.feeds = read_feeds(feeds_path)
    return content


def read_feeds(path: Path) -> list[FeedSpec]:
    """fixtures/feeds.yaml: slugs and URLs are unique, so each feed loads as one row."""
    data = read_yaml(path, schema.FEEDS)
    specs: list[FeedSpec] = []
    slugs: dict[str, int] = {}
    urls: dict[str, int] = {}
    for index, raw in enumerate(data["feeds"]):
        where = f"feeds[{index}]"
        if raw["slug"] in slugs:
            raise FixtureError(
                path, f"{where}.slug", f"feed {raw['slug']!r} is listed twice (also feeds[{slugs[raw['slug']]}])"
            )
        if raw["url"] in urls:
            raise FixtureError(
                path, f"{where}.url", f"{raw['url']} is already the address of feeds[{urls[raw['url']]}]"
            )
        slugs[raw["slug"]] = urls[raw["url"]] = index
        specs.append(FeedSpec(slug=raw["slug"], title=raw["title"].strip(), url=raw["url"], site_url=raw["site_url"]))
    return specs


def deadline_spec(file: Path | str, where: str, raw: dict[str, Any], slugs: set[str]) -> DeadlineSpec:
    track = raw.get("track")
    if track is not None and track not in slugs:
        raise FixtureError(file, f"{where}.track", f"no track {track!r} in fixtures/tracks/")
    return DeadlineSpec(
        key=raw.get("key", ""),
        title=raw["title"].strip(),
        title_en=raw.get("title_en", "").strip(),
        kind=raw["kind"],
        due_at=parse_due(file, where, raw["due"], raw["timezone"]),
        time_zone=raw["timezone"],
        url=raw.get("url", ""),
        track=track,
    )
