"""The API suite runs against the real binary and a real PostgreSQL made with initdb in a temp
folder (scripts/pg.sh), both started here and stopped at the end even when tests fail."""
import base64
import contextlib
import hashlib
import hmac
import json
import os
import signal
import socket
import subprocess
import tempfile
import time
import uuid

import pytest
import requests

from contract import Contract

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
BINARY = os.environ.get("TDKT_BIN", os.path.join(ROOT, "build", "asan", "tdkt"))
SECRET = "test-secret-0123456789abcdef-0123456789"


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Server:
    """One PostgreSQL cluster and one tdkt serve process."""

    def __init__(self, workdir, extra_env=None):
        self.workdir = workdir
        self.pgdir = os.path.join(workdir, "pg")
        self.port = free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        self.log_path = os.path.join(workdir, "server.log")
        self.extra_env = extra_env or {}
        self.proc = None
        self.database_url = None   # the service's role, which owns nothing
        self.owner_url = None      # the schema owner's, for migrate and for the tests' own SQL

    def env(self):
        env = dict(os.environ)
        env.update({
            "DATABASE_URL": self.database_url,
            "TDKT_MIGRATE_DATABASE_URL": self.owner_url,
            "TDKT_JWT_SECRET": SECRET,
            "TDKT_LISTEN": f"127.0.0.1:{self.port}",
            "TDKT_LOG_LEVEL": "info",
            # detect_stack_use_after_return: a pointer into a returned function's frame is caught
            # (an upload's file name, borrowed from a query that had gone with its frame)
            "ASAN_OPTIONS": "detect_leaks=1:abort_on_error=1:detect_stack_use_after_return=1",
        })
        # TDKT_TEST_READ_POOL=1: every GET reads through the replica pool, here the primary itself
        # in read-only sessions, so that a GET that writes fails the suite
        if os.environ.get("TDKT_TEST_READ_POOL") == "1" and self.database_url:
            env["TDKT_READ_DATABASE_URL"] = self.database_url
        env.update(self.extra_env)
        return env

    def start_db(self):
        out = subprocess.run([os.path.join(ROOT, "scripts", "pg.sh"), "start", self.pgdir, "fast"],
                             check=True, capture_output=True, text=True)
        self.owner_url, self.database_url = out.stdout.strip().splitlines()[-2:]

    def stop_db(self):
        subprocess.run([os.path.join(ROOT, "scripts", "pg.sh"), "stop", self.pgdir], check=False)

    def tdkt(self, *args, check=True):
        return subprocess.run([BINARY, *args], env=self.env(), check=check, capture_output=True, text=True)

    def start(self, demo=True):
        self.start_db()
        self.tdkt("demo" if demo else "migrate")
        self.log = open(self.log_path, "w")
        self.proc = subprocess.Popen([BINARY, "serve"], env=self.env(), stdout=self.log, stderr=subprocess.STDOUT)
        deadline = time.time() + 30
        while time.time() < deadline:
            try:
                if requests.get(self.base + "/healthz", timeout=1).status_code == 200:
                    return self
            except (requests.ConnectionError, requests.Timeout):
                pass   # not listening yet, or a loaded machine slow to answer: ask again
            assert self.proc.poll() is None, f"server exited: {open(self.log_path).read()[-2000:]}"
            time.sleep(0.1)
        raise RuntimeError("server did not start")

    def log_text(self):
        """The server's log with every request answered so far in it: access lines are written in
        blocks (TDKT_ACCESS_LOG_FLUSH_MS), in order, so once a marker request's line is there, so
        are the lines of the requests before it."""
        marker = f"log-marker-{uuid.uuid4().hex}"
        requests.get(self.base + "/healthz", headers={"X-Request-Id": marker}, timeout=5)
        deadline = time.time() + 10
        while True:
            text = open(self.log_path).read()
            if marker in text:
                return text
            assert time.time() < deadline, "the access log did not reach the marker request"
            time.sleep(0.02)

    def log_lines(self):
        return [json.loads(l) for l in self.log_text().splitlines() if l.startswith("{")]

    def stop(self):
        """SIGTERM; returns the exit status (0 expected: graceful shutdown)."""
        code = None
        if self.proc and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                code = self.proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                code = self.proc.wait()
        elif self.proc:
            code = self.proc.returncode
        self.stop_db()
        return code

    def token(self, role, unit_id, sub=1, ttl=None):
        args = ["token", "--sub", str(sub), "--role", role, "--unit-id", str(unit_id)]
        if ttl:
            args += ["--ttl", str(ttl)]
        return self.tdkt(*args).stdout.strip()

    def sql(self, query, url=None):
        """SQL as the schema owner (test setup and inspection)"""
        out = subprocess.run(["psql", "-X", "-At", "-v", "ON_ERROR_STOP=1", url or self.owner_url, "-c", query],
                             check=True, capture_output=True, text=True)
        return out.stdout.strip()

    def sql_as_service(self, query):
        """SQL as the role serve logs in as"""
        return self.sql(query, self.database_url)


def b64url(data):
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def craft_token(claims, secret=SECRET, alg="HS256", header=None):
    """A JWT made by hand, for tokens tdkt itself would never mint."""
    head = header or {"alg": alg, "typ": "JWT"}
    signing_input = b64url(json.dumps(head).encode()) + "." + b64url(json.dumps(claims).encode())
    if alg == "none":
        return signing_input + "."
    digest = {"HS256": hashlib.sha256, "HS384": hashlib.sha384, "HS512": hashlib.sha512}[alg]
    sig = hmac.new(secret.encode(), signing_input.encode(), digest).digest()
    return signing_input + "." + b64url(sig)


class Client:
    """requests with the contract check on every response, and the invariants of every response."""

    def __init__(self, server, contract):
        self.server = server
        self.contract = contract
        self.session = requests.Session()

    def request(self, method, path, token=None, validate=True, **kw):
        headers = dict(kw.pop("headers", None) or {})
        if token:
            headers["Authorization"] = f"Bearer {token}"
        r = self.session.request(method, self.server.base + path, headers=headers, timeout=30, **kw)
        assert r.status_code != 500, f"{method} {path}: 500 {r.text}"
        assert r.headers.get("X-Request-Id"), "every response has X-Request-Id"
        assert r.headers.get("X-Content-Type-Options") == "nosniff"
        if r.status_code >= 400:
            assert r.headers.get("Content-Type", "").startswith("application/problem+json"), r.headers
            if method != "HEAD":
                body = r.json()
                assert body["status"] == r.status_code and body["request_id"] == r.headers["X-Request-Id"]
        if validate:
            self.contract.check(method, path, r)
        return r

    def get(self, path, **kw):
        return self.request("GET", path, **kw)

    def post(self, path, **kw):
        return self.request("POST", path, **kw)

    def patch(self, path, **kw):
        return self.request("PATCH", path, **kw)

    def delete(self, path, **kw):
        return self.request("DELETE", path, **kw)


def check_log(path, code=0):
    """a server's log has no sanitizer report, and it exited as expected (0: a graceful SIGTERM)"""
    log = open(path).read()
    if os.environ.get("TDKT_KEEP_LOG"):
        print(log[-5000:])
    assert "ERROR: AddressSanitizer" not in log and "runtime error:" not in log, log[-5000:]
    assert code == 0, f"graceful shutdown exit code {code}: {log[-2000:]}"


@contextlib.contextmanager
def own_server(prefix, extra_env=None):
    """a PostgreSQL and a server of a test module's own, for other limits or data kept apart"""
    with tempfile.TemporaryDirectory(prefix=prefix) as workdir:
        os.chmod(workdir, 0o755)
        srv = Server(workdir, extra_env).start()
        try:
            yield srv
        finally:
            code = srv.stop()
            check_log(srv.log_path, code)


@contextlib.contextmanager
def another_instance(srv, name, extra_env=None):
    """a second `tdkt serve` on srv's database (its own port, `extra_env` on top of srv's); yields
    its base URL once it is ready, and stops it with SIGTERM after"""
    port = free_port()
    env = srv.env()
    env.update({"TDKT_LISTEN": f"127.0.0.1:{port}", **(extra_env or {})})
    path = os.path.join(srv.workdir, f"{name}.log")
    with open(path, "w") as log:
        proc = subprocess.Popen([BINARY, "serve"], env=env, stdout=log, stderr=subprocess.STDOUT)
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(300):
            try:
                if requests.get(base + "/readyz", timeout=1).status_code == 200:
                    break
            except requests.ConnectionError:
                time.sleep(0.1)
        yield base
    finally:
        proc.send_signal(signal.SIGTERM)
        check_log(path, proc.wait(timeout=30))


def unit_ids(srv):
    """demo unit ids by code"""
    rows = srv.sql("SELECT code || '=' || id FROM units").splitlines()
    return {k: int(v) for k, v in (r.split("=") for r in rows)}


@pytest.fixture(scope="session")
def contract():
    return Contract(os.path.join(ROOT, "openapi.yaml"))


@pytest.fixture(scope="session")
def server():
    with tempfile.TemporaryDirectory(prefix="tdkt-test-") as workdir:
        os.chmod(workdir, 0o755)
        # logins from 127.0.0.1 fail on purpose all through the suite: the per-address lock is
        # tested on a server of its own (test_accounts.py)
        srv = Server(workdir, {"TDKT_LOGIN_MAX_FAILURES_ADDR": "100000"}).start()
        try:
            yield srv
        finally:
            check_log(srv.log_path, srv.stop())


@pytest.fixture(scope="session")
def api(server, contract):
    return Client(server, contract)


@pytest.fixture(scope="session")
def units(server):
    """demo unit ids by code"""
    return unit_ids(server)


@pytest.fixture(scope="session")
def tokens(server, units):
    """a token per role: admin and authority at Thanh tra Chính phủ, the rest at Thanh tra Lạng Sơn"""
    ttcp, ls = units["TTCP"], units["TT-LSN"]
    return {
        "admin": server.token("admin", ttcp, sub=1),
        "authority": server.token("authority", ttcp, sub=2),
        "officer": server.token("officer", ls, sub=3),
        "viewer": server.token("viewer", ls, sub=4),
        "integration": server.token("integration", ttcp, sub=5),
        "authority_ls": server.token("authority", ls, sub=6),
        "authority_bnctw": server.token("authority", units["BNCTW"], sub=7),
    }


def waiting(srv, at_least=1):
    """at least that many statements wait for a lock (pg_locks, readable by any role; a row's
    waiter waits on the holder's transaction id, a lock of no database)"""
    return int(srv.sql("SELECT count(*) FROM pg_locks WHERE NOT granted")) >= at_least


def until(cond, what):
    for _ in range(200):
        if cond():
            return
        time.sleep(0.05)
    pytest.fail(what)


@contextlib.contextmanager
def held(srv, first, holding):
    """a transaction of the system's open in psql from `first` on, once `holding()` says it holds
    what it locks; yields `finish(last)`, which sends `last` and the commit and waits for psql"""
    holder = subprocess.Popen(["psql", "-X", "-q", "-v", "ON_ERROR_STOP=1", srv.owner_url], stdin=subprocess.PIPE,
                              stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)

    def finish(last=""):
        holder.stdin.write(last + "\nCOMMIT;\n")
        holder.stdin.close()
        assert holder.wait(timeout=10) == 0, holder.stderr.read()   # not, say, a deadlock's victim

    try:
        holder.stdin.write(f"SET tdkt.actor_role = 'system';\nBEGIN;\n{first};\n")
        holder.stdin.flush()
        until(holding, f"the transaction never took its locks: {first}")
        yield finish
    finally:
        if not holder.stdin.closed:
            holder.stdin.close()   # psql ends, its transaction rolled back
        if holder.poll() is None:
            holder.kill()
        holder.wait()
        holder.stderr.close()
