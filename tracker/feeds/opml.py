"""OPML, the subscription list every feed reader imports and exports.

Parsing uses defusedxml: a DTD with entities (billion laughs) or external references is refused, not
expanded. Writing uses the standard library, which escapes what it writes.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from collections.abc import Iterable
from dataclasses import dataclass

from defusedxml import DefusedXmlException
from defusedxml.ElementTree import fromstring

MAX_OPML_BYTES = 2 * 1024 * 1024
MAX_OUTLINES = 1000


class OpmlError(ValueError):
    """An OPML file that cannot be read; the message says why."""


@dataclass(frozen=True)
class Outline:
    xml_url: str
    html_url: str
    title: str


def parse_opml(data: bytes) -> list[Outline]:
    """The feed outlines (those with an http(s) xmlUrl), in document order, folders flattened."""
    if len(data) > MAX_OPML_BYTES:
        raise OpmlError(f"The OPML file is {len(data)} bytes; the limit is {MAX_OPML_BYTES}.")
    try:
        root = fromstring(data, forbid_dtd=True)
    except DefusedXmlException as exc:
        raise OpmlError("The OPML file declares a DTD or entities, which are not accepted.") from exc
    except ET.ParseError as exc:
        raise OpmlError(f"The file is not well-formed XML: {exc}.") from exc
    if root.tag != "opml":
        raise OpmlError(f"The file is XML but not OPML (its root element is <{root.tag}>).")
    outlines: list[Outline] = []
    seen: set[str] = set()
    for node in root.iter("outline"):
        xml_url = (node.get("xmlUrl") or node.get("xmlurl") or "").strip()
        if not xml_url.lower().startswith(("http://", "https://")) or xml_url in seen:
            continue
        seen.add(xml_url)
        outlines.append(
            Outline(
                xml_url=xml_url[:1000],
                html_url=_web_url(node.get("htmlUrl") or node.get("htmlurl") or ""),
                title=(node.get("title") or node.get("text") or "").strip()[:300],
            )
        )
        if len(outlines) > MAX_OUTLINES:
            raise OpmlError(f"The file lists more than {MAX_OUTLINES} feeds; split it.")
    return outlines


def render_opml(outlines: Iterable[Outline], *, title: str) -> bytes:
    root = ET.Element("opml", version="2.0")
    head = ET.SubElement(root, "head")
    ET.SubElement(head, "title").text = title
    body = ET.SubElement(root, "body")
    for outline in outlines:
        attrs = {"type": "rss", "text": outline.title or outline.xml_url, "xmlUrl": outline.xml_url}
        if outline.title:
            attrs["title"] = outline.title
        if outline.html_url:
            attrs["htmlUrl"] = outline.html_url
        ET.SubElement(body, "outline", attrs)
    ET.indent(root)
    out: bytes = ET.tostring(root, encoding="utf-8", xml_declaration=True)
    return out


def _web_url(url: str) -> str:
    """A site address only if it is http(s): an OPML file may carry `javascript:` or `file:` links."""
    url = url.strip()[:1000]
    return url if url.lower().startswith(("http://", "https://")) else ""
