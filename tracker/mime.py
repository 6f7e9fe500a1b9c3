"""A plain-text and HTML e-mail built the cheap way, for mail sent by the ten thousand (the reminders).

Django 6 builds every message with the email package's modern API (`email.policy.default`), which parses
each header into a syntax tree when it is set, folds it again when the message is written, and encodes a
body twice in pure Python to choose between quoted-printable and base64: most of the CPU time of a reminder
e-mail went there. `LeanEmail` writes the same message with the package's compat32 classes, which keep a
header as the string it was given: an ASCII header folded at its spaces, a long word staying whole on its
line (the modern folding turns the long unsubscribe URL of List-Unsubscribe into RFC 2047 encoded words,
which mail providers do not read as a link), the subject as encoded words, and each body as 7bit when it
is ASCII with lines of at most 998 characters, else in UTF-8 as quoted-printable or base64, whichever is
shorter (Django's rule), both encoded in C by binascii.

What it cannot write the same way takes Django's own path: attachments, more than the one HTML alternative,
non-ASCII addresses (their domains need IDNA) and non-ASCII headers other than the subject. Either way a
header with a line break is refused, as Django refuses it. tests/tracker/test_mime.py holds it to Django's
output as a mail client reads it.
"""

from __future__ import annotations

import base64
import binascii
import datetime as dt
import email.policy
import uuid
from email import base64mime
from email.message import Message
from email.mime.multipart import MIMEMultipart
from email.mime.nonmultipart import MIMENonMultipart
from email.policy import Compat32, Policy
from email.utils import format_datetime, make_msgid
from typing import Any

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.core.mail.utils import DNS_NAME
from django.utils.timezone import get_current_timezone

# RFC 5322: a line of a message is at most 998 characters, CRLF excluded; it should be at most 78.
MAX_LINE = 998
FOLD_AT = 78
ENCODED_WORD_BYTES = 36
_ADDRESS_HEADERS = {"from", "to", "cc", "reply-to"}


class _FoldingPolicy(Compat32):
    """compat32, but an ASCII header is folded at its spaces, its first word staying beside its name
    (compat32's own folding moves a long first word to the next line, which adds a space to the value)."""

    def _wrap(self, name: str, value: str) -> str:
        lines, line = [], f"{name}:"
        for word in value.split(" "):
            if word and len(line) + 1 + len(word) > FOLD_AT and line.strip() and line != f"{name}:":
                lines.append(line)
                line = ""
            line = f"{line} {word}"
        lines.append(line)
        return self.linesep.join(lines) + self.linesep

    def fold(self, name: str, value: Any) -> str:
        if isinstance(value, str) and value.isascii():
            return self._wrap(name, value)
        return super().fold(name, value)

    def fold_binary(self, name: str, value: Any) -> bytes:
        if isinstance(value, str) and value.isascii():
            return self._wrap(name, value).encode("ascii")
        return super().fold_binary(name, value)


def _text_part(text: str, subtype: str, policy: Policy) -> Message:
    part = MIMENonMultipart("text", subtype, policy=policy, charset="utf-8")
    del part["MIME-Version"]  # said once, on the whole message
    if not text.endswith("\n"):
        text += "\n"  # as Django's bodies end
    if text.isascii() and "\r" not in text and max(map(len, text.split("\n"))) <= MAX_LINE:
        encoding, payload = "7bit", text
    else:
        # Encoded text is in canonical form: CRLF line ends (RFC 2045), as Django writes it.
        raw = text.replace("\r\n", "\n").replace("\n", "\r\n").encode("utf-8")
        quoted = binascii.b2a_qp(raw, istext=True).decode("ascii")
        # base64's length: 4 characters for each 3 bytes, in lines of 76 (57 bytes).
        if len(quoted) <= 4 * -(-len(raw) // 3) + len(raw) // 57 + 1:
            encoding, payload = "quoted-printable", quoted
        else:
            encoding, payload = "base64", base64mime.body_encode(raw)
    part["Content-Transfer-Encoding"] = encoding
    part.set_payload(payload)
    return part


def _encoded_words(text: str) -> str:
    """RFC 2047: `text` as base64 encoded words of 36 bytes of UTF-8 each (a character is never split), 60
    characters long, so that a line holding one, behind "Subject: ", stays within the RFC's 76. The email
    package's Header does the same, but measures every character in pure Python, per message."""
    words, chunk, size = [], "", 0
    for char in text:
        length = len(char.encode("utf-8"))
        if chunk and size + length > ENCODED_WORD_BYTES:
            words.append(chunk)
            chunk, size = "", 0
        chunk += char
        size += length
    words.append(chunk)
    return " ".join(f"=?utf-8?b?{base64.b64encode(word.encode('utf-8')).decode('ascii')}?=" for word in words)


def _checked(name: str, value: str) -> str:
    if "\n" in value or "\r" in value:
        raise ValueError(f"Header values can't contain newlines (got {value!r} for header {name!r})")
    return value


class LeanEmail(EmailMultiAlternatives):
    """An `EmailMultiAlternatives` (a plain-text body and one HTML alternative) whose MIME message is built
    with the compat32 classes; anything else it carries is built by Django, as usual."""

    def _html(self) -> str | None:
        """The HTML alternative when the message is one this class writes itself, else None."""
        if len(self.alternatives) != 1 or self.attachments or self.cc or self.reply_to or not self.to:
            return None
        content, mimetype = self.alternatives[0]
        if mimetype != "text/html" or not isinstance(content, str) or not isinstance(self.body, str) or not self.body:
            return None
        if self.content_subtype != "plain" or (self.encoding or settings.DEFAULT_CHARSET).lower() != "utf-8":
            return None
        # Addresses and headers other than the subject: ASCII only (no IDNA, no encoded words needed).
        headers = [str(self.from_email), *self.to, *(str(v) for v in self.extra_headers.values())]
        return content if all(value.isascii() for value in headers) else None

    def message(self, *, policy: Policy | None = None) -> Any:
        """The MIME message (Django's own unless `_html` says it is one this class writes)."""
        html = self._html()
        if html is None:
            return super().message() if policy is None else super().message(policy=policy)
        # compat32, writing lines the way the caller's policy does (CRLF for SMTP).
        lean_policy = _FoldingPolicy(linesep=(policy or email.policy.default).linesep)
        msg = MIMEMultipart(
            "alternative",
            _subparts=[_text_part(str(self.body), "plain", lean_policy), _text_part(html, "html", lean_policy)],
            # Chosen here: the generator would otherwise compile a new regular expression per message to
            # check that its random boundary is not in the text. "=_" never occurs in quoted-printable or
            # base64 text.
            boundary=f"=_{uuid.uuid4().hex}",
            policy=lean_policy,
        )
        subject = _checked("Subject", str(self.subject))
        msg["Subject"] = subject if subject.isascii() else _encoded_words(subject)
        msg["From"] = _checked("From", str(self.extra_headers.get("From", self.from_email)))
        msg["To"] = _checked("To", str(self.extra_headers.get("To", ", ".join(self.to))))
        names = {name.lower() for name in self.extra_headers}
        if "date" not in names:
            zone = get_current_timezone() if settings.EMAIL_USE_LOCALTIME else dt.UTC
            msg["Date"] = format_datetime(dt.datetime.now(zone))
        if "message-id" not in names:
            msg["Message-ID"] = make_msgid(domain=DNS_NAME)
        for name, value in self.extra_headers.items():
            if name.lower() not in _ADDRESS_HEADERS:
                msg[name] = _checked(name, str(value))
        return msg
