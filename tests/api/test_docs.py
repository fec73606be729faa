"""GET /docs: the contract rendered by Redoc, self-contained, checked in a real browser (Debian's
chromium, headless; make test installs it): the title, an operation Redoc rendered, a screenshot
that shows something, and nothing fetched from outside the server."""
import html
import os
import re
import subprocess
import tempfile

import pytest

CHROMIUM = "/usr/bin/chromium"
# a reference that would make the browser fetch from another origin: a script, style sheet, font or
# image by absolute or protocol-relative URL, or a CSS import or url() of one
OUTSIDE = re.compile(r"""<(?:script|link|img|iframe|source)\b[^>]*\b(?:src|href)\s*=\s*["']?\s*(?:https?:)?//"""
                     r"""|@import\s+(?:url\()?\s*["']?\s*(?:https?:)?//|url\(\s*["']?\s*(?:https?:)?//""", re.I)


def chromium(url, *args):
    """Runs headless Chromium on url with a fresh profile; returns (stdout, stderr)."""
    assert os.access(CHROMIUM, os.X_OK), "chromium comes with Debian's chromium package (make test installs it)"
    with tempfile.TemporaryDirectory(prefix="tdkt-chromium-") as profile:
        r = subprocess.run([CHROMIUM, "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                            "--disable-background-networking", "--disable-component-update", "--disable-sync",
                            "--enable-logging=stderr", "--v=0", f"--user-data-dir={profile}",
                            "--window-size=1280,1600", "--virtual-time-budget=15000", *args, url],
                           capture_output=True, text=True, timeout=180)
    assert r.returncode == 0, r.stderr[-3000:]
    return r.stdout, r.stderr


def visible(dom):
    """The DOM without its scripts: what Redoc rendered, not the contract embedded as JSON"""
    return re.sub(r"<script\b.*?</script>", "", dom, flags=re.S | re.I)


def test_docs_is_a_self_contained_page_with_a_policy(api):
    r = api.get("/docs", headers={"Accept": "text/html, application/xhtml+xml, application/xml;q=0.9, */*;q=0.8"})
    assert r.status_code == 200
    assert r.headers["Content-Type"] == "text/html; charset=utf-8"
    assert r.headers["Cache-Control"] == "public, max-age=300"
    page = r.text
    assert page.lstrip().lower().startswith("<!doctype html>")
    outside = OUTSIDE.search(page)
    assert outside is None, page[outside.start():outside.start() + 200]
    assert "fonts.googleapis" not in page and 'src="https://cdn.redocly.com' not in page
    # (Redoc's bundle still names an icon CDN for icons a config could ask for; this page asks for
    # none, and the browser test below sees nothing refused)

    csp = {d.split()[0]: d.split()[1:] for d in (p.strip() for p in r.headers["Content-Security-Policy"].split(";")) if d}
    assert csp["default-src"] == ["'none'"] and csp["connect-src"] == ["'self'"]
    assert csp["frame-ancestors"] == ["'none'"] and csp["base-uri"] == ["'none'"]
    # scripts by hash only: no 'unsafe-inline', no 'unsafe-eval', no origin
    assert csp["script-src"] and all(re.fullmatch(r"'sha256-[A-Za-z0-9+/]{43}='", s) for s in csp["script-src"])
    for sources in csp.values():
        assert not any(re.match(r"(https?:|\*|//)", s) for s in sources), csp


@pytest.mark.parametrize("accept", ["application/json", "application/xml", "text/html;q=0"])
def test_docs_without_html_in_accept_is_406(api, accept):
    r = api.get("/docs", headers={"Accept": accept})
    assert r.status_code == 406
    assert "Content-Security-Policy" not in r.headers


def test_docs_renders_in_a_browser(server, contract):
    """Redoc runs under the page's own policy (the operation below is only there once its scripts
    ran: the server-side render holds the overview alone), and the browser blocks nothing."""
    info = contract.spec["info"]
    operation = contract.spec["paths"]["/v1/units"]["get"]["summary"]
    dom, log = chromium(server.base + "/docs#/units", "--dump-dom")
    title = re.search(r"<title>(.*?)</title>", dom, re.S)
    assert title and html.unescape(title.group(1)).strip() == info["title"]
    shown = visible(dom)
    # the operation's heading and its entry in the side menu, as Redoc renders them
    assert re.search(r"<h2\b[^>]*>(?:(?!</h2>).)*" + re.escape(html.escape(operation, quote=False)) + r"\s*</h2>",
                     shown, re.S), "the units list operation is not rendered"
    assert 'href="#/units/listunits"' in shown
    # what the policy blocked (Chromium logs it on the console): nothing but the eval that Redoc's
    # search tries before it indexes without a worker
    blocked = [line for line in log.splitlines() if "Content Security Policy" in line and "unsafe-eval" not in line]
    assert not blocked, blocked

    with tempfile.TemporaryDirectory(prefix="tdkt-docs-") as tmp:
        png = os.path.join(tmp, "docs.png")
        chromium(server.base + "/docs", f"--screenshot={png}")
        assert os.path.getsize(png) > 10_000
        from PIL import Image  # Debian's python3-pil (make test installs it)
        with Image.open(png) as im:
            assert im.size == (1280, 1600)
            colours = im.convert("RGB").getcolors(maxcolors=1 << 20)
        assert len(colours) > 16, "a blank page"
        # not one colour with specks: the background is under 97 % of the pixels
        assert max(n for n, _ in colours) < 0.97 * 1280 * 1600
