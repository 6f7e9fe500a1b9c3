"""A real HTTP server on 127.0.0.1 for the feed tests, in a thread, with the documents and misbehaviours
the fetcher must cope with. Each test adds the routes it needs; the server counts every request."""

from __future__ import annotations

import gzip
import threading
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import brotli


@dataclass
class Reply:
    body: bytes = b""
    status: int = 200
    headers: dict[str, str] = field(default_factory=dict)
    etag: str = ""
    last_modified: str = ""
    encoding: str = ""  # "gzip" or "br": compress the body and say so


Handler = Callable[["RequestHandler"], None]


class RequestHandler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server: FeedServer  # type: ignore[assignment]

    def log_message(self, format: str, *args: object) -> None:
        pass  # keep the test output clean

    def do_GET(self) -> None:
        self.server.hits[self.path] += 1
        self.server.requests.append((self.path, dict(self.headers.items())))
        route = self.server.routes.get(self.path)
        if route is None:
            self.send_plain(404, b"not found")
        elif isinstance(route, Reply):
            self.send_reply(route)
        else:
            route(self)

    def send_plain(self, status: int, body: bytes, headers: dict[str, str] | None = None) -> None:
        self.send_response(status)
        for name, value in (headers or {}).items():
            self.send_header(name, value)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if body:
            self.wfile.write(body)

    def send_reply(self, reply: Reply) -> None:
        validators = {}
        if reply.etag:
            validators["ETag"] = reply.etag
        if reply.last_modified:
            validators["Last-Modified"] = reply.last_modified
        not_modified = (reply.etag and self.headers.get("If-None-Match") == reply.etag) or (
            reply.last_modified and self.headers.get("If-Modified-Since") == reply.last_modified
        )
        if not_modified:
            self.send_plain(304, b"", validators)
            return
        body = reply.body
        headers = {**reply.headers, **validators}
        if reply.encoding == "gzip":
            body, headers["Content-Encoding"] = gzip.compress(body), "gzip"
        elif reply.encoding == "br":
            body, headers["Content-Encoding"] = brotli.compress(body), "br"
        self.send_plain(reply.status, body, headers)


class FeedServer(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True

    def __init__(self) -> None:
        super().__init__(("127.0.0.1", 0), RequestHandler)
        self.routes: dict[str, Reply | Handler] = {}
        self.hits: Counter[str] = Counter()
        self.requests: list[tuple[str, dict[str, str]]] = []
        self._thread = threading.Thread(target=self.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)

    @property
    def port(self) -> int:
        return int(self.server_address[1])

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def url(self, path: str) -> str:
        return f"{self.base_url}{path}"

    def start(self) -> FeedServer:
        self._thread.start()
        return self

    def stop(self) -> None:
        self.shutdown()
        self.server_close()

    def reset(self) -> None:
        self.routes.clear()
        self.hits.clear()
        self.requests.clear()


# --- Misbehaving handlers ---------------------------------------------------------------------------


def huge(size: int) -> Handler:
    """`size` bytes of a feed-looking body with no Content-Length, so only the streamed count can stop it."""

    def handle(h: RequestHandler) -> None:
        h.close_connection = True
        h.send_response(200)
        h.send_header("Content-Type", "application/rss+xml")
        h.send_header("Connection", "close")
        h.end_headers()
        chunk = b"<!-- padding -->" * 4096
        sent = 0
        try:
            h.wfile.write(b'<?xml version="1.0"?><rss version="2.0"><channel><title>big</title>')
            while sent < size:
                h.wfile.write(chunk)
                sent += len(chunk)
        except (BrokenPipeError, ConnectionResetError):
            pass  # the client stopped reading: what the test wants

    return handle


def drip(delay: float, count: int = 200) -> Handler:
    """Sends headers, then one byte every `delay` seconds: each read is quick, the whole never ends."""

    def handle(h: RequestHandler) -> None:
        h.close_connection = True
        h.send_response(200)
        h.send_header("Content-Type", "application/rss+xml")
        h.send_header("Connection", "close")
        h.end_headers()
        try:
            for _ in range(count):
                h.wfile.write(b" ")
                h.wfile.flush()
                time.sleep(delay)
        except (BrokenPipeError, ConnectionResetError):
            pass

    return handle


def redirect(location: str, status: int = 302) -> Reply:
    return Reply(status=status, headers={"Location": location})


# --- Documents ----------------------------------------------------------------------------------------


def rss2(items: list[dict[str, str]], *, title: str = "Test blog", ttl: int | None = None, link: str = "") -> bytes:
    parts = [
        '<?xml version="1.0" encoding="utf-8"?>',
        '<rss version="2.0"><channel>',
        f"<title>{title}</title><link>{link or 'https://blog.example.org/'}</link><description>d</description>",
    ]
    if ttl is not None:
        parts.append(f"<ttl>{ttl}</ttl>")
    for item in items:
        parts.append("<item>")
        for key in ("title", "link", "guid", "pubDate"):
            if key in item:
                parts.append(f"<{key}>{item[key]}</{key}>")
        if "description" in item:
            parts.append(f"<description><![CDATA[{item['description']}]]></description>")
        parts.append("</item>")
    parts.append("</channel></rss>")
    return "".join(parts).encode("utf-8")


def rss2_posts(count: int, *, prefix: str = "post", start_day: int = 1) -> bytes:
    return rss2(
        [
            {
                "title": f"{prefix} {n}",
                "link": f"https://blog.example.org/{prefix}/{n}",
                "guid": f"https://blog.example.org/?p={prefix}-{n}",
                "pubDate": f"Mon, {start_day + n:02d} Jun 2025 08:00:00 GMT",
                "description": f"<p>Body of {prefix} {n}</p>",
            }
            for n in range(count)
        ]
    )


ATOM = b"""<?xml version="1.0" encoding="utf-8"?>
<feed xmlns="http://www.w3.org/2005/Atom">
  <title>Atom blog</title>
  <link href="https://atom.example.org/"/>
  <id>urn:uuid:60a76c80-d399-11d9-b93C-0003939e0af6</id>
  <updated>2025-06-01T12:00:00Z</updated>
  <entry>
    <title type="html">TensorRT &amp;lt;b&amp;gt;INT8&amp;lt;/b&amp;gt; calibration</title>
    <link href="/posts/int8"/>
    <id>urn:uuid:1225c695-cfb8-4ebb-aaaa-80da344efa6a</id>
    <updated>2025-06-01T12:00:00Z</updated>
    <content type="html">&lt;p onclick="evil()"&gt;Quantise&lt;script&gt;alert(1)&lt;/script&gt;&lt;/p&gt;</content>
  </entry>
</feed>
"""

RSS1 = b"""<?xml version="1.0" encoding="utf-8"?>
<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#" xmlns="http://purl.org/rss/1.0/"
         xmlns:dc="http://purl.org/dc/elements/1.1/">
  <channel rdf:about="https://rdf.example.org/">
    <title>RDF blog</title>
    <link>https://rdf.example.org/</link>
    <description>RSS 1.0</description>
    <items><rdf:Seq><rdf:li rdf:resource="https://rdf.example.org/1"/></rdf:Seq></items>
  </channel>
  <item rdf:about="https://rdf.example.org/1">
    <title>ONNX graph surgery</title>
    <link>https://rdf.example.org/1</link>
    <dc:date>2025-05-30T10:00:00Z</dc:date>
    <description>Folding constants.</description>
  </item>
</rdf:RDF>
"""

GB18030 = (
    '<?xml version="1.0" encoding="GB18030"?><rss version="2.0"><channel><title>老潘的博客</title>'
    "<link>https://oldpan.me/</link><description>模型部署</description>"
    "<item><title>TensorRT 详细入门指北</title><link>https://oldpan.me/archives/tensorrt</link>"
    "<guid>https://oldpan.me/?p=1</guid><description>量化与部署</description></item>"
    "</channel></rss>"
).encode("gb18030")

CP1252 = (
    '<?xml version="1.0" encoding="windows-1252"?><rss version="2.0"><channel><title>Caf\u00e9 blog</title>'
    "<link>https://cafe.example.org/</link><description>d</description>"
    "<item><title>\u201cFast\u201d kernels \u2013 na\u00efve to tiled</title>"
    "<link>https://cafe.example.org/1</link><guid>c1</guid></item>"
    "</channel></rss>"
).encode("cp1252")

BROKEN = (
    b'<?xml version="1.0"?><rss version="2.0"><channel><title>Broken & blog</title>'
    b"<item><title>Unclosed <b>bold</title><link>https://broken.example.org/1</link><guid>b1</guid></item>"
    b"<item><title>Second</title><link>https://broken.example.org/2</link>"
)

BILLION_LAUGHS = b"""<?xml version="1.0"?>
<!DOCTYPE rss [
 <!ENTITY lol "lol">
 <!ENTITY lol1 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
 <!ENTITY lol2 "&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;">
 <!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">
 <!ENTITY lol4 "&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;">
 <!ENTITY lol5 "&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;">
 <!ENTITY lol6 "&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;">
 <!ENTITY lol7 "&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;">
 <!ENTITY lol8 "&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;">
 <!ENTITY lol9 "&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;">
]>
<rss version="2.0"><channel><title>&lol9;</title>
<item><title>&lol9;</title><link>https://lol.example.org/1</link><guid>lol</guid></item></channel></rss>
"""

HTML_WITH_ALTERNATE = b"""<!doctype html><html><head><title>A blog</title>
<link rel="stylesheet" href="/style.css">
<link rel="alternate" type="application/rss+xml" title="RSS" href="/rss2.xml">
</head><body><h1>A blog</h1></body></html>"""

HTML_PLAIN = b"<!doctype html><html><head><title>No feed here</title></head><body>hello</body></html>"
