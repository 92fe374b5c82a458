"""Import fixtures: jobs run on a file, and a local web server for URL and feed imports."""

import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from django.core.files.base import ContentFile

from annotations.importing.run import run_import
from annotations.models import ImportJob
from annotations.services import start_import


@pytest.fixture
def import_bytes(db, reviewer):
    """`import_bytes(content, name, fmt="")`: an import job run to its end, in this process."""

    def _run(content: bytes, name: str, fmt: str = "") -> ImportJob:
        job = start_import(
            created_by=reviewer, upload=ContentFile(content, name=name), input_format=fmt
        )
        return run_import(job.pk)

    return _run


class _Site(BaseHTTPRequestHandler):
    pages: dict  # path -> (status, headers, body)

    def do_GET(self):
        self.server.last_headers = dict(self.headers)
        self.server.hits.append(self.path)
        status, headers, body = self.pages.get(self.path, (404, {}, b"not found"))
        self.send_response(status)
        for name, value in headers.items():
            self.send_header(name, value)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass


@pytest.fixture
def web_site():
    """A web server on 127.0.0.1 in a thread; `web_site.pages[path] = (status, headers, body)`."""
    pages: dict = {}
    handler = type("Handler", (_Site,), {"pages": pages})
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    server.pages = pages
    server.hits = []
    server.url = f"http://127.0.0.1:{server.server_address[1]}"
    yield server
    server.shutdown()
    server.server_close()


def article_page(title: str, paragraphs: list[str], *, extra: str = "") -> bytes:
    """A news page with the clutter extraction must leave out."""
    body = "".join(f"<p>{p}</p>" for p in paragraphs)
    return f"""<!doctype html><html><head><title>{title} | Daily Example</title>
<meta property="og:site_name" content="Daily Example">
<meta name="author" content="Ana Ruiz">
<meta property="article:published_time" content="2024-05-01T10:00:00Z">
</head><body>
<nav><a href="/">Home</a> <a href="/world">World</a></nav>
<div id="cookie-banner">We use cookies. Accept all cookies?</div>
<article><h1>{title}</h1>{body}{extra}</article>
<aside class="most-read"><h2>Most read</h2><ul><li>Celebrity gossip story</li></ul></aside>
<div class="share">Share on Facebook Share on X</div>
<footer>Copyright 2024 Daily Example. All rights reserved.</footer>
</body></html>""".encode()
