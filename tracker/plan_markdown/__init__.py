"""Markdown study plans <-> a typed document: decode the upload, parse it, render it back.

Pure code with no Django, so it can be tested and benchmarked on its own; mapping the document to rows is
the job of a service.
"""

from tracker.plan_markdown.decode import MAX_PLAN_BYTES, decode_plan_bytes
from tracker.plan_markdown.model import (
    Block,
    Item,
    Note,
    ParsedSection,
    ParsedTrack,
    PlanDocument,
    PlanImportError,
    Resource,
    ResourceKind,
    all_notes,
    source_lines,
    unclassified_lines,
    without_lines,
)
from tracker.plan_markdown.parse import DEADLINE_WORDS, is_deadline_text, parse_plan, read_item_text
from tracker.plan_markdown.render import format_date, render_plan

__all__ = [
    "DEADLINE_WORDS",
    "MAX_PLAN_BYTES",
    "Block",
    "Item",
    "Note",
    "ParsedSection",
    "ParsedTrack",
    "PlanDocument",
    "PlanImportError",
    "Resource",
    "ResourceKind",
    "all_notes",
    "decode_plan_bytes",
    "format_date",
    "is_deadline_text",
    "parse_plan",
    "read_item_text",
    "render_plan",
    "source_lines",
    "unclassified_lines",
    "without_lines",
]
