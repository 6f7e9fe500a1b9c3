"""JSON Schemas of the fixture files (fixtures/README.md describes them for curators).

jsonschema reports the path inside the file of each problem, which is what a curator needs to
find a mistake in a file of a thousand lines.
"""

from typing import Any

SLUG = {"type": "string", "pattern": r"^[a-z0-9]+(?:-[a-z0-9]+)*$", "maxLength": 80}
ITEM_KEY = {"type": "string", "pattern": r"^[A-Za-z0-9._-]+$", "maxLength": 80}
TITLE = {"type": "string", "minLength": 1, "maxLength": 300}
URL = {"type": "string", "pattern": r"^https?://\S+$", "maxLength": 500}
TAGS = {"type": "array", "items": SLUG, "uniqueItems": True}
DATE = {"type": "string", "pattern": r"^\d{4}-\d{2}-\d{2}$"}
LOCAL_DATETIME = {"type": "string", "pattern": r"^\d{4}-\d{2}-\d{2}( \d{2}:\d{2})?$"}

TRACK_KINDS = ["roadmap", "course", "book", "problem_set", "reading_list", "project"]
ITEM_KINDS = [
    "topic",
    "lecture",
    "lab",
    "chapter",
    "section",
    "problem",
    "article",
    "resource",
    "exercise",
    "milestone",
]
DEADLINE_KINDS = ["conference", "course", "exam", "personal"]

ITEM: dict[str, Any] = {
    "type": "object",
    "additionalProperties": False,
    "required": ["key", "kind", "title", "title_en"],
    "properties": {
        "key": ITEM_KEY,
        "kind": {"enum": ITEM_KINDS},
        "title": TITLE,
        "title_en": TITLE,
        "url": URL,
        "minutes": {"type": "integer", "minimum": 0, "maximum": 1440},
        "difficulty": {"enum": ["easy", "medium", "hard"]},
        "external_id": {"type": "string", "maxLength": 40},
        "tags": TAGS,
        "items": {"type": "array", "items": {"$ref": "#/$defs/item"}},
    },
}

TRACK: dict[str, Any] = {
    "$defs": {"item": ITEM},
    "type": "object",
    "additionalProperties": False,
    "required": ["slug", "kind", "title", "title_en", "items"],
    "properties": {
        "slug": SLUG,
        "kind": {"enum": TRACK_KINDS},
        "title": TITLE,
        "title_en": TITLE,
        "summary": {"type": "string"},
        "source_url": URL,
        "source_seeds": {"type": "array", "items": {"type": "string", "pattern": r"^\d{3}$"}},
        "tags": TAGS,
        "published": {"type": "boolean"},
        "items": {"type": "array", "minItems": 1, "items": {"$ref": "#/$defs/item"}},
    },
}

SKILLS: dict[str, Any] = {
    "type": "object",
    "additionalProperties": False,
    "required": ["skills"],
    "properties": {
        "skills": {
            "type": "array",
            "items": {
                "type": "object",
                "additionalProperties": False,
                "required": ["key", "tier", "title", "title_en"],
                "properties": {
                    "key": SLUG,
                    "tier": {"enum": ["T0", "T1", "T2", "T3"]},
                    "title": TITLE,
                    "title_en": TITLE,
                    "description": {"type": "string"},
                    "tracks": {"type": "array", "items": SLUG, "uniqueItems": True},
                    "items": {
                        "type": "array",
                        "uniqueItems": True,
                        "items": {"type": "string", "pattern": r"^[a-z0-9-]+:[A-Za-z0-9._-]+$"},
                    },
                },
            },
        }
    },
}

DEADLINE: dict[str, Any] = {
    "type": "object",
    "additionalProperties": False,
    "required": ["title", "kind", "due", "timezone"],
    "properties": {
        "key": SLUG,
        "title": TITLE,
        "title_en": TITLE,
        "kind": {"enum": DEADLINE_KINDS},
        "due": LOCAL_DATETIME,
        "timezone": {"type": "string", "minLength": 1},
        "url": URL,
        "track": SLUG,
    },
}

DEADLINES: dict[str, Any] = {
    "type": "object",
    "additionalProperties": False,
    "required": ["deadlines"],
    "properties": {
        "deadlines": {"type": "array", "items": {**DEADLINE, "required": ["key", *DEADLINE["required"]]}},
    },
}

DEMO: dict[str, Any] = {
    "type": "object",
    "additionalProperties": False,
    "required": ["username", "profile", "enrollments"],
    "properties": {
        "username": {"type": "string", "pattern": r"^[\w.@+-]+$"},
        "profile": {
            "type": "object",
            "additionalProperties": False,
            "properties": {
                "timezone": {"type": "string"},
                "parallel_limit": {"type": "integer", "minimum": 1, "maximum": 20},
                "daily_minutes": {"type": "integer", "minimum": 10, "maximum": 1440},
                "rest_weekdays": {"type": "array", "items": {"type": "integer", "minimum": 0, "maximum": 6}},
                "reminder_hour": {"type": "integer", "minimum": 0, "maximum": 23},
                "language": {"enum": ["en", "zh-hans"]},
            },
        },
        "enrollments": {
            "type": "array",
            "items": {
                "type": "object",
                "additionalProperties": False,
                "required": ["track", "start"],
                "properties": {
                    "track": SLUG,
                    "pace": {
                        "type": "object",
                        "additionalProperties": False,
                        "required": ["unit", "per_day"],
                        "properties": {
                            "unit": {"enum": ["minutes", "items"]},
                            "per_day": {"type": "integer", "minimum": 1, "maximum": 1440},
                        },
                    },
                    "start": DATE,
                    "target": DATE,
                    "status": {"enum": ["active", "paused", "finished", "dropped"]},
                    "done": {
                        "type": "array",
                        "items": {
                            "oneOf": [
                                ITEM_KEY,
                                {
                                    "type": "object",
                                    "additionalProperties": False,
                                    "required": ["item"],
                                    "properties": {"item": ITEM_KEY, "on": DATE},
                                },
                            ]
                        },
                    },
                },
            },
        },
        "deadlines": {"type": "array", "items": DEADLINE},
        "reading": {"type": "array", "items": {"type": "string", "pattern": r"^[a-z0-9-]+:[A-Za-z0-9._-]+$"}},
    },
}

# fixtures/feeds.yaml: blogs a learner can follow with one click. `url` is where fetching starts; a
# permanent redirect or discovery may move the stored address later, and seeding again leaves that be.
FEEDS: dict[str, Any] = {
    "type": "object",
    "additionalProperties": False,
    "required": ["feeds"],
    "properties": {
        "feeds": {
            "type": "array",
            "items": {
                "type": "object",
                "additionalProperties": False,
                "required": ["slug", "title", "url", "site_url"],
                "properties": {
                    "slug": SLUG,
                    "title": TITLE,
                    "url": URL,
                    "site_url": URL,
                    "source_seeds": {"type": "array", "items": {"type": "string", "pattern": r"^\d{3}$"}},
                    "about": {"type": "string"},
                },
            },
        }
    },
}
