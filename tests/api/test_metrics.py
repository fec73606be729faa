"""GET /metrics: Prometheus text that promtool accepts, with requests by route template, method and
status, a latency histogram, the pool, database errors, retries and the build."""
import os
import re
import shutil
import subprocess

import pytest

SAMPLE = re.compile(r'^([a-zA-Z_:][a-zA-Z0-9_:]*)(\{(.*)\})? (\S+)$')
LABEL = re.compile(r'([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"')


def scrape(api):
    r = api.get("/metrics")
    assert r.status_code == 200
    assert r.headers["Content-Type"] == "text/plain; version=0.0.4; charset=utf-8"
    assert r.headers["Cache-Control"] == "no-store"
    return r.text


def samples(text):
    """{(name, frozenset(labels)): value}"""
    out = {}
    for line in text.splitlines():
        if not line or line.startswith("#"):
            continue
        m = SAMPLE.match(line)
        assert m, line
        labels = frozenset(LABEL.findall(m.group(3) or ""))
        out[(m.group(1), labels)] = float(m.group(4))
    return out


def value(s, name, **labels):
    return s.get((name, frozenset(labels.items())), 0.0)


def test_promtool_accepts_the_exposition(api, tokens):
    api.get("/v1/units", token=tokens["viewer"])
    api.get("/nowhere")
    promtool = shutil.which("promtool")
    assert promtool, "promtool comes with Debian's prometheus package (make test installs it)"
    text = scrape(api)
    r = subprocess.run([promtool, "check", "metrics"], input=text, capture_output=True, text=True)
    assert r.returncode == 0 and r.stdout.strip() == "" and r.stderr.strip() == "", r.stdout + r.stderr


def test_requests_are_counted_by_route_template_method_and_status(api, tokens, units):
    before = samples(scrape(api))
    for _ in range(3):
        assert api.get(f"/v1/units/{units['TT-LSN']}", token=tokens["viewer"]).status_code == 200
    assert api.get("/v1/units/999999999", token=tokens["viewer"]).status_code == 404
    assert api.request("PUT", "/v1/units", token=tokens["viewer"]).status_code == 405
    assert api.get("/no/such/path").status_code == 404
    after = samples(scrape(api))
    one = dict(route="/v1/units/{id}", method="GET")
    assert value(after, "tdkt_http_requests_total", **one, status="200") - \
        value(before, "tdkt_http_requests_total", **one, status="200") == 3, "a template, never the id itself"
    assert value(after, "tdkt_http_requests_total", **one, status="404") - \
        value(before, "tdkt_http_requests_total", **one, status="404") == 1
    assert value(after, "tdkt_http_requests_total", route="", method="", status="404") - \
        value(before, "tdkt_http_requests_total", route="", method="", status="404") >= 1, "no path becomes a label"
    assert not [k for k in after if "999999999" in str(k) or "/no/such" in str(k)]
    # the histogram counts the same requests, cumulative buckets ending at +Inf
    count = value(after, "tdkt_http_request_duration_seconds_count", **one)
    assert count - value(before, "tdkt_http_request_duration_seconds_count", **one) == 4
    assert value(after, "tdkt_http_request_duration_seconds_bucket", **one, le="+Inf") == count
    buckets = sorted((float(dict(k[1])["le"]), v) for k, v in after.items()
                     if k[0] == "tdkt_http_request_duration_seconds_bucket" and dict(k[1]).get("route") == one["route"]
                     and dict(k[1]).get("method") == "GET")
    assert [v for _, v in buckets] == sorted(v for _, v in buckets)
    assert 0 < value(after, "tdkt_http_request_duration_seconds_sum", **one) < count * 30


def test_the_pool_errors_and_build(api, tokens, server):
    before = samples(scrape(api))
    body = {"code": "TT-LSN", "name": "Trùng mã", "kind": "other"}
    assert api.post("/v1/units", token=tokens["admin"], json=body).status_code == 409   # a unique violation
    after = samples(scrape(api))
    assert value(after, "tdkt_db_errors_total", pool="primary") > value(before, "tdkt_db_errors_total", pool="primary")
    size = value(after, "tdkt_db_pool_connections", pool="primary")
    assert size == min(64, 2 * os.sysconf("SC_NPROCESSORS_ONLN")), "TDKT_DB_POOL's default: twice the cores"
    assert 0 <= value(after, "tdkt_db_pool_in_use", pool="primary") <= size
    assert value(after, "tdkt_db_pool_waiters", pool="primary") >= 0
    for name in ("tdkt_db_connect_failures_total", "tdkt_db_pool_timeouts_total", "tdkt_db_pool_sent_for_waiters_total"):
        assert (name, frozenset({("pool", "primary")})) in after
    assert ("tdkt_http_request_retries_total", frozenset()) in after
    assert value(after, "tdkt_http_requests_in_flight") >= 1, "the scrape itself"
    [build] = [k for k in after if k[0] == "tdkt_build_info"]
    assert dict(build[1])["version"] and after[build] == 1
    text = scrape(api)
    assert server.database_url not in text and "postgresql://" not in text and "Bearer" not in text


@pytest.mark.parametrize("accept", ["application/openmetrics-text;version=1.0.0,text/plain;version=0.0.4;q=0.5",
                                    "application/json", "*/*"])
def test_whatever_a_scraper_asks_it_gets_text(api, accept):
    r = api.get("/metrics", headers={"Accept": accept})
    assert r.status_code == 200 and r.headers["Content-Type"].startswith("text/plain; version=0.0.4")
