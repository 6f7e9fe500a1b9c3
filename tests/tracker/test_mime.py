"""LeanEmail writes what Django's own message writes: the same headers and bodies, as a mail client reads them."""

from __future__ import annotations

import email.policy
from email import message_from_bytes
from email.message import EmailMessage as ParsedMessage

import pytest
from django.core.mail import EmailMultiAlternatives

from tracker.mime import LeanEmail

UNSUBSCRIBE = (
    "<https://brainqueue.example/unsubscribe/MTIzNDU:1vXyZa:" + "q" * 43 + "/>, "
    "<mailto:unsubscribe@brainqueue.example?subject=unsubscribe>"
)
HEADERS = {
    "Message-ID": "<0123456789abcdef0123456789abcdef@brainqueue.example>",
    "List-Unsubscribe": UNSUBSCRIBE,
    "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
    "List-Id": "Brainqueue reminders <reminders.brainqueue.example>",
}
CHINESE = "你好，学习者\n== 今日 ==\n- 第一节 (30 分钟)\n" * 20
ENGLISH = "Hello ada,\n\n== Course 1 ==\n- Section 1 (30 min) · Course 1\n… and 3 more\n"
LONG_HTML = '<p style="margin:0;padding:0;font-family:-apple-system,Roboto">' + "x" * 1200 + " — done</p>\n"


def build(cls: type[EmailMultiAlternatives], subject: str, text: str, html: str, **extra: object) -> bytes:
    message = cls(
        subject=subject,
        body=text,
        from_email="Brainqueue <noreply@brainqueue.localhost>",
        to=["ada@example.org"],
        headers=HEADERS,
        **extra,  # type: ignore[arg-type]
    )
    message.attach_alternative(html, "text/html")
    return bytes(message.message(policy=email.policy.SMTP).as_bytes())


def read(raw: bytes) -> ParsedMessage:
    parsed = message_from_bytes(raw, policy=email.policy.default)
    assert isinstance(parsed, ParsedMessage)
    return parsed


def seen(raw: bytes) -> tuple[dict[str, str], str, dict[str, str]]:
    """What a mail client shows: the headers (but the Date, which is the clock's), the type, each body."""
    message = read(raw)
    headers = {name: str(value) for name, value in message.items() if name not in {"Date", "Content-Type"}}
    bodies = {p.get_content_type(): p.get_content() for p in message.walk() if not p.is_multipart()}
    return headers, message.get_content_type(), bodies


@pytest.mark.parametrize(
    ("subject", "text", "html"),
    [
        ("Brainqueue · 2026-03-02：3 项新内容，2 项待复习", CHINESE, f"<p>{CHINESE}</p>"),
        ("Brainqueue · 2026-03-02: 3 new, 2 to review", ENGLISH, LONG_HTML),
        ("Deadline reminder: Paper due (2026-03-03)", "ascii only", "<p>ascii only</p>"),
    ],
)
def test_a_lean_message_reads_as_djangos_own(subject: str, text: str, html: str):
    lean = build(LeanEmail, subject, text, html)
    assert seen(lean) == seen(build(EmailMultiAlternatives, subject, text, html))
    assert seen(lean)[1] == "multipart/alternative"
    assert read(lean)["Date"]


def test_lines_stay_within_rfc_5322_and_the_unsubscribe_link_is_not_encoded():
    subject = "Brainqueue · 2026-03-02：截止日期提醒，" + "深度学习模型部署" * 6
    raw = build(LeanEmail, subject, CHINESE, LONG_HTML)
    assert max(len(line) for line in raw.split(b"\r\n")) <= 998
    # RFC 2047: a line holding encoded words is at most 76 characters; they decode to the subject.
    assert all(len(line) <= 76 for line in raw.split(b"\r\n") if b"=?utf-8?" in line)
    assert read(raw)["Subject"] == subject
    assert b"\n" not in raw.replace(b"\r\n", b"")  # CRLF line ends only, as SMTP wants them
    # The link is written as it is (folded at its comma), never as RFC 2047 encoded words, which mail
    # providers do not decode in List-Unsubscribe.
    assert b"List-Unsubscribe: <https://brainqueue.example/unsubscribe/MTIzNDU:" in raw
    assert read(raw)["List-Unsubscribe"] == UNSUBSCRIBE


@pytest.mark.parametrize(
    ("text", "encoding"),
    [
        (ENGLISH.replace("·", "-").replace("…", "..."), "7bit"),  # ASCII
        (ENGLISH, "quoted-printable"),  # mostly ASCII: quoted-printable is the shorter
        (CHINESE, "base64"),  # mostly not: base64 is
        ("x" * 1200, "quoted-printable"),  # ASCII, but a line too long for 7bit
    ],
)
def test_each_body_takes_the_shorter_transfer_encoding(text: str, encoding: str):
    message = read(build(LeanEmail, "s", text, "<p>x</p>"))
    plain = message.get_body(("plain",))
    assert plain is not None
    assert plain["Content-Transfer-Encoding"] == encoding
    assert plain.get_content().replace("\r\n", "\n") == (text if text.endswith("\n") else text + "\n")


def test_a_header_with_a_line_break_is_refused():
    message = LeanEmail(subject="Hi\nBcc: victim@example.org", body="x", to=["ada@example.org"])
    message.attach_alternative("<p>x</p>", "text/html")
    with pytest.raises(ValueError, match="newlines"):
        message.message()


def test_what_it_cannot_write_the_same_way_goes_through_django():
    raw = build(LeanEmail, "s", "x", "<p>x</p>", cc=["bob@example.org"])
    assert read(raw)["Cc"] == "bob@example.org"
    international = LeanEmail(subject="s", body="x", to=["ada@bücher.example"])
    international.attach_alternative("<p>x</p>", "text/html")
    assert read(international.message().as_bytes())["To"] == "ada@xn--bcher-kva.example"
