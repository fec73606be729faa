#!/usr/bin/env python3
"""Build tool: the /docs page, one self-contained HTML file made from openapi.yaml by Redoc
(redocly build-docs, installed by scripts/npm-tools.sh), and its Content-Security-Policy.
Usage: docs.py openapi.yaml OUT.html OUT.csp   (the Makefile embeds both in the binary)

Nothing in the page may come from elsewhere: Redoc's bundle is inlined (--inlineBundle, else it
loads it from Redocly's CDN), Google Fonts are off, telemetry is off (REDOCLY_TELEMETRY=off also
keeps the CLI from calling home, so the build needs no network), and the "API docs by Redocly"
logo, an image on Redocly's CDN, becomes the empty data: URL, which fails to load, so the logo
hides itself as it does offline.
A page that still names an outside script, style sheet, font or image fails the build.

The policy allows exactly the page's two inline scripts, by hash. Styles are inline (Redoc's
styled-components write <style> elements and style attributes at run time), images are inline
SVG and its icon font an inline WOFF (data:). No 'unsafe-eval': Redoc's search then builds its index on the page instead of in a
blob: worker (it tries Function() first and falls back), so no worker-src either."""
import base64
import hashlib
import os
import re
import subprocess
import sys

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), ".."))
REDOCLY = os.path.join(ROOT, "tests", "contract", "node_modules", ".bin", "redocly")

# an attribute or CSS reference that would make the browser fetch from another origin
OUTSIDE = re.compile(r"""(?:<(?:script|link|img|iframe|source)\b[^>]*\b(?:src|href)\s*=\s*["']?\s*(?:https?:)?//)"""
                     r"""|(?:@import\s+(?:url\()?\s*["']?\s*(?:https?:)?//)"""
                     r"""|(?:url\(\s*["']?\s*(?:https?:)?//)""", re.I)
LOGOS = ("https://cdn.redoc.ly/redoc/logo-mini-full.svg", "https://cdn.redoc.ly/redoc/logo-mini.svg")
SCRIPT = re.compile(r"<script\b([^>]*)>(.*?)</script>", re.S | re.I)


def main(spec, html_path, csp_path):
    env = dict(os.environ, REDOCLY_TELEMETRY="off", REDOCLY_SUPPRESS_UPDATE_NOTICE="true", NO_COLOR="1")
    tmp = html_path + ".tmp"
    run = subprocess.run([REDOCLY, "build-docs", spec, "-o", tmp, "--inlineBundle", "--openapi.disableGoogleFont"],
                         env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    if run.returncode != 0:
        sys.exit(f"docs.py: redocly build-docs failed:\n{run.stderr}")
    page = open(tmp, encoding="utf-8").read()
    for logo in LOGOS:
        page = page.replace(logo, "data:,")
    outside = OUTSIDE.search(page)
    if outside:
        sys.exit(f"docs.py: the page refers outside the server: {page[outside.start():outside.start() + 120]!r}")
    hashes = []
    for m in SCRIPT.finditer(page):
        if re.search(r"\bsrc\s*=", m.group(1), re.I):
            sys.exit(f"docs.py: a script that is not inline: <script{m.group(1)}>")
        digest = hashlib.sha256(m.group(2).encode("utf-8")).digest()
        hashes.append("'sha256-" + base64.b64encode(digest).decode() + "'")
    if not hashes:
        sys.exit("docs.py: no inline script in the page: has build-docs changed?")
    csp = ("default-src 'none'; script-src " + " ".join(hashes) + "; style-src 'unsafe-inline'; "
           "img-src 'self' data:; font-src data:; connect-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'")
    with open(tmp, "w", encoding="utf-8") as f:
        f.write(page)
    with open(csp_path + ".tmp", "w", encoding="ascii") as f:
        f.write(csp)
    os.replace(tmp, html_path)
    os.replace(csp_path + ".tmp", csp_path)


if __name__ == "__main__":
    if len(sys.argv) != 4:
        sys.exit("usage: docs.py openapi.yaml OUT.html OUT.csp")
    main(*sys.argv[1:])
