"""Turn an uploaded plan file's bytes into text, or say plainly why it cannot be read as a plan."""

from __future__ import annotations

import codecs

from tracker.plan_markdown.model import PlanImportError

MAX_PLAN_BYTES = 2 * 1024 * 1024

# Bytes below 0x20 that plain text does use: tab, line feed, form feed, carriage return, and ESC
# (terminal colour codes pasted into notes). Any other control byte is a sign of a binary file.
_TEXT_CONTROL_BYTES = frozenset(b"\t\n\x0c\r\x1b")
_OTHER_CONTROL_BYTES = bytes(b for b in range(0x20) if b not in _TEXT_CONTROL_BYTES) + b"\x7f"

# "Mostly control characters": above this share of the bytes the file is not a text plan. Real plans
# have none at all, so the bar can sit well below half and still never reject one.
_MAX_CONTROL_SHARE = 0.3


def _describe_size(size: int) -> str:
    if size >= 1024 * 1024:
        return f"{size / (1024 * 1024):.1f} MB"
    if size >= 1024:
        return f"{size / 1024:.1f} KB"
    return f"{size} bytes"


def _line_of(data: bytes, offset: int) -> int:
    return data.count(b"\n", 0, offset) + 1


def decode_plan_bytes(data: bytes, *, max_bytes: int = MAX_PLAN_BYTES) -> str:
    """Decode an uploaded plan: UTF-8, a BOM stripped, line endings normalised to `\\n`.

    Raises `PlanImportError` for a file over `max_bytes`, a binary file, or one that is not UTF-8 (naming
    the line and byte offset of the first byte that is not).
    """
    if len(data) > max_bytes:
        raise PlanImportError(
            f"The file is {_describe_size(len(data))} ({len(data)} bytes), over the limit of "
            f"{_describe_size(max_bytes)} ({max_bytes} bytes) for one plan. "
            "Split the plan into smaller files and import them one at a time."
        )
    # UTF-16 text is full of NUL bytes; name the encoding rather than calling a text file binary.
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        raise PlanImportError(
            "The file is not UTF-8: it starts with a UTF-16 byte order mark (line 1, byte offset 0). "
            "Save the plan as UTF-8 (in most editors: Save As, encoding UTF-8) and import it again.",
            line=1,
        )
    nul = data.find(b"\x00")
    if nul != -1:
        line = _line_of(data, nul)
        raise PlanImportError(
            f"The file looks binary, not a text plan: it contains NUL bytes (first on line {line}, byte "
            f"offset {nul}). Export the plan as a markdown or plain-text (.md, .txt) file and import that.",
            line=line,
        )
    if data:
        control = len(data) - len(data.translate(None, _OTHER_CONTROL_BYTES))
        if control / len(data) > _MAX_CONTROL_SHARE:
            raise PlanImportError(
                f"The file looks binary, not a text plan: {control} of its {len(data)} bytes are control "
                "characters. Export the plan as a markdown or plain-text (.md, .txt) file and import that."
            )
    bom = len(codecs.BOM_UTF8) if data.startswith(codecs.BOM_UTF8) else 0
    try:
        text = data[bom:].decode("utf-8")
    except UnicodeDecodeError as error:
        offset = bom + error.start
        line = _line_of(data, offset)
        raise PlanImportError(
            f"The file is not UTF-8: byte 0x{data[offset]:02x} on line {line} (byte offset {offset}) is not "
            "valid UTF-8. Save the plan as UTF-8 (in most editors: Save As, encoding UTF-8) and import it "
            "again.",
            line=line,
        ) from error
    return text.replace("\r\n", "\n").replace("\r", "\n")
