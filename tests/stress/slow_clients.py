#!/usr/bin/python3
"""Slow and idle clients against an HTTP server, and a probe measuring a normal client meanwhile.

    tests/stress/slow_clients.py HOST:PORT SCENARIO N [SCENARIO N ...] [options]

Scenarios (any combination; each socket is replaced by a new one whenever the server closes it):
    slow-head N   N sockets send "GET /healthz HTTP/1.1\\r\\nHost: x\\r\\n", then one more header line
                  "X-a: b\\r\\n" a second, never ending the head
    half-open N   N sockets connect and send nothing
    idle N        N sockets send one complete keep-alive request, read the answer, then stay silent

After --ramp seconds the probe starts: every 0.1-0.25 s (--interval), whether or not earlier probes
have been answered, a new connection, GET /healthz, the whole answer read, within --timeout; the
last starts before --seconds have passed, and the attack lasts until it has finished.
One summary line goes to stdout, for example

    slow-head=150 half-open=0 idle=0 target=127.0.0.1:8080 probes=40 ok=40 failed=0 timeouts=0
    p50_ms=1.2 p90_ms=2.0 max_ms=3.4 attack_open=150 attack_min_open=150 attack_closed=0
    attack_connect_errors=0 failures=- result=pass

(on one line). p50/p90/max are over every probe, a failed one counting the time until it failed.
attack_open is the number of attack sockets connected at the end, attack_min_open the fewest
seen while the probe ran, attack_closed how often the server closed one (each then reconnects).
Exit status: 0 when every probe answered 200 and max_ms <= --max-ms, 1 otherwise, 2 on bad usage
or when the open-file limit cannot hold the sockets. Standard library only; one process, epoll.
"""
import argparse
import errno
import heapq
import itertools
import random
import resource
import selectors
import socket
import sys
import threading
import time

KINDS = ("slow-head", "half-open", "idle")
HEAD = b"GET /healthz HTTP/1.1\r\nHost: x\r\n"
LINE = b"X-a: b\r\n"
FULL = HEAD + b"\r\n"


def parse_args(argv):
    p = argparse.ArgumentParser(
        description="Slow/idle connection attack with a latency probe (see the module docstring).",
        usage="%(prog)s HOST:PORT SCENARIO N [SCENARIO N ...] [options]")
    p.add_argument("target", help="HOST:PORT")
    p.add_argument("scenario", nargs="*", help="pairs: slow-head N, half-open N, idle N")
    p.add_argument("--seconds", type=float, default=12.0, help="whole run, ramp included (12)")
    p.add_argument("--ramp", type=float, default=2.0, help="seconds before the probe starts (2)")
    p.add_argument("--timeout", type=float, default=5.0, help="per probe request, seconds (5)")
    p.add_argument("--max-ms", type=float, default=1000.0,
                   help="fail when the slowest probe took longer (1000)")
    p.add_argument("--interval", default="0.1,0.25",
                   help="pause between probes, MIN,MAX seconds (0.1,0.25)")
    p.add_argument("--path", default="/healthz", help="what the probe asks for (/healthz)")
    p.add_argument("--line-every", type=float, default=1.0,
                   help="slow-head: seconds between header lines (1)")
    p.add_argument("--attack-from", default="",
                   help="local addresses for the attack sockets, round robin: A.B.C.D[-E][,...] "
                        "(-E: last byte up to E; e.g. 127.0.0.10-59 is 50 loopback addresses)")
    p.add_argument("--probe-from", default="", help="local address for the probe")
    p.add_argument("-v", "--verbose", action="store_true", help="each failed probe on stderr")
    a = p.parse_args(argv)
    host, sep, port = a.target.rpartition(":")
    if not sep or not port.isdigit():
        p.error("target must be HOST:PORT")
    a.addr = (host.strip("[]") or "127.0.0.1", int(port))
    if len(a.scenario) % 2:
        p.error("scenarios come in pairs: NAME N")
    a.counts = dict.fromkeys(KINDS, 0)
    for name, n in zip(a.scenario[::2], a.scenario[1::2]):
        if name not in KINDS:
            p.error("unknown scenario %r (one of %s)" % (name, ", ".join(KINDS)))
        if not n.isdigit():
            p.error("%s: N must be a number" % name)
        a.counts[name] += int(n)
    try:
        lo, hi = (float(x) for x in a.interval.split(","))
    except ValueError:
        p.error("--interval is MIN,MAX")
    a.interval = (lo, max(lo, hi))
    if a.ramp >= a.seconds:
        p.error("--ramp must be shorter than --seconds")
    try:
        a.attack_from = expand_addresses(a.attack_from)
    except ValueError:
        p.error("--attack-from: expected A.B.C.D[-E][,...]")
    return a


def expand_addresses(spec):
    out = []
    for part in filter(None, spec.split(",")):
        base, _, last = part.partition("-")
        socket.inet_aton(base)
        if not last:
            out.append(base)
            continue
        head, _, first = base.rpartition(".")
        if not (int(first) <= int(last) <= 255):
            raise ValueError(part)
        out.extend("%s.%d" % (head, i) for i in range(int(first), int(last) + 1))
    return out


def bind_source(s, address):
    """Binds s to a local address before connect, the port left to connect (no early port use)."""
    try:
        s.setsockopt(socket.IPPROTO_IP, getattr(socket, "IP_BIND_ADDRESS_NO_PORT", 24), 1)
    except OSError:
        pass
    s.bind((address, 0))


def raise_nofile(need):
    """Soft RLIMIT_NOFILE up to the hard limit; exits 2 when even that cannot hold `need`."""
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    want = hard
    if hard == resource.RLIM_INFINITY:
        try:
            with open("/proc/sys/fs/nr_open") as f:
                want = int(f.read())
        except OSError:
            want = max(soft, need)
    if soft < want:
        try:
            resource.setrlimit(resource.RLIMIT_NOFILE, (want, hard))
            soft = want
        except (ValueError, OSError):
            pass
    if soft < need:
        sys.stderr.write("slow_clients: need %d open files, RLIMIT_NOFILE is %d (hard %s); "
                         "raise it (ulimit -n) or use fewer sockets\n"
                         % (need, soft, "unlimited" if hard == resource.RLIM_INFINITY else hard))
        sys.exit(2)


class Conn:
    __slots__ = ("kind", "sock", "state", "opened", "buf")

    def __init__(self, kind, sock):
        self.kind, self.sock, self.state, self.opened, self.buf = kind, sock, "connecting", 0.0, b""


def response_complete(buf):
    """Length of the first complete HTTP response in buf, or 0 when it is not complete yet."""
    end = buf.find(b"\r\n\r\n")
    if end < 0:
        return 0
    length = 0
    for line in buf[:end].split(b"\r\n")[1:]:
        name, _, value = line.partition(b":")
        if name.strip().lower() == b"content-length":
            try:
                length = int(value.strip())
            except ValueError:
                length = 0
    total = end + 4 + length
    return total if len(buf) >= total else 0


class Attack:
    """Holds the attack sockets in one epoll loop, reconnecting whatever the server closes."""

    def __init__(self, addr, counts, line_every, sources):
        self.addr, self.line_every = addr, line_every
        self.sources = itertools.cycle(sources) if sources else None
        self.sel = selectors.DefaultSelector()
        self.timers = []                  # heap of (when, seq, action, arg)
        self.seq = itertools.count()
        self.open = 0                     # connected attack sockets
        self.closed = 0                   # closed by the server (or reset)
        self.connect_errors = 0
        self.answered = 0                 # idle sockets whose request was answered
        self.conns = set()
        self.counts = counts

    def schedule(self, when, action, arg):
        heapq.heappush(self.timers, (when, next(self.seq), action, arg))

    def start(self, t0, spread):
        """Connects every socket within `spread` seconds, the kinds interleaved."""
        order = [k for k in KINDS for _ in range(self.counts[k])]
        random.shuffle(order)
        n = len(order)
        for i, kind in enumerate(order):
            self.schedule(t0 + spread * i / max(n, 1), "connect", kind)

    def connect(self, kind, now):
        try:
            s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        except OSError as e:
            self.connect_errors += 1
            if e.errno in (errno.EMFILE, errno.ENFILE):
                sys.stderr.write("slow_clients: out of file descriptors\n")
            self.schedule(now + 0.5, "connect", kind)
            return
        s.setblocking(False)
        try:
            if self.sources:
                bind_source(s, next(self.sources))
            err = s.connect_ex(self.addr)
        except OSError as e:
            err = e.errno
        if err not in (0, errno.EINPROGRESS):
            s.close()
            self.connect_errors += 1
            self.schedule(now + 0.25, "connect", kind)
            return
        c = Conn(kind, s)
        self.conns.add(c)
        self.sel.register(s, selectors.EVENT_WRITE, c)

    def drop(self, c, now, by_server=True):
        """Closes c; a socket the server closed is replaced (at once if it lived a while)."""
        if c.sock is None:
            return
        try:
            self.sel.unregister(c.sock)
        except (KeyError, ValueError):
            pass
        c.sock.close()
        c.sock = None
        self.conns.discard(c)
        if c.state != "connecting":
            self.open -= 1
        if by_server:
            self.closed += 1
            quick = now - c.opened < 1.0
            self.schedule(now + (0.2 if quick else 0.0), "connect", c.kind)

    def on_connected(self, c, now):
        err = c.sock.getsockopt(socket.SOL_SOCKET, socket.SO_ERROR)
        if err:
            self.connect_errors += 1
            self.drop(c, now, by_server=False)
            self.schedule(now + 0.25, "connect", c.kind)
            return
        c.state, c.opened = "open", now
        self.open += 1
        self.sel.modify(c.sock, selectors.EVENT_READ, c)
        if c.kind == "slow-head":
            self.send(c, HEAD, now)
            self.schedule(now + self.line_every, "line", c)
        elif c.kind == "idle":
            c.state = "waiting"
            self.send(c, FULL, now)

    def send(self, c, data, now):
        try:
            c.sock.send(data)   # a few bytes into an empty send buffer: never partial here
        except BlockingIOError:
            pass
        except OSError:
            self.drop(c, now)

    def on_readable(self, c, now):
        try:
            data = c.sock.recv(65536)
        except BlockingIOError:
            return
        except OSError:
            data = b""
        if not data:
            self.drop(c, now)
            return
        if c.state == "waiting":
            c.buf += data
            if response_complete(c.buf):
                c.state, c.buf = "idle", b""
                self.answered += 1

    def step(self, now, until):
        """Runs due timers and socket events, waiting at most until `until`."""
        while self.timers and self.timers[0][0] <= now:
            _, _, action, arg = heapq.heappop(self.timers)
            if action == "connect":
                self.connect(arg, now)
            elif action == "line" and arg.sock is not None:
                self.send(arg, LINE, now)
                if arg.sock is not None:
                    self.schedule(now + self.line_every, "line", arg)
        wait = until - now
        if self.timers:
            wait = min(wait, self.timers[0][0] - now)
        if not self.sel.get_map():
            time.sleep(max(0.0, min(wait, 0.05)))
            return
        for key, mask in self.sel.select(max(0.0, min(wait, 0.05))):
            c = key.data
            if c.sock is None:
                continue
            t = time.monotonic()
            if c.state == "connecting":
                self.on_connected(c, t)
            elif mask & selectors.EVENT_READ:
                self.on_readable(c, t)

    def close_all(self):
        """Resets every socket (no TIME_WAIT left behind on the client side)."""
        for c in list(self.conns):
            try:
                c.sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, b"\x01\x00\x00\x00\x00\x00\x00\x00")
            except OSError:
                pass
            self.drop(c, 0.0, by_server=False)
        self.sel.close()


def probe_once(addr, path, timeout, source):
    """One request on a new connection: (ok, reason)."""
    deadline = time.monotonic() + timeout
    req = ("GET %s HTTP/1.1\r\nHost: %s\r\nConnection: close\r\n\r\n" % (path, addr[0])).encode()
    try:
        s = socket.create_connection(addr, timeout=timeout, source_address=(source, 0) if source else None)
    except socket.timeout:
        return False, "timeout"
    except OSError as e:
        return False, errno.errorcode.get(e.errno, str(e))
    try:
        s.sendall(req)
        buf = b""
        while True:
            left = deadline - time.monotonic()
            if left <= 0:
                return False, "timeout"
            s.settimeout(left)
            data = s.recv(65536)
            if not data:
                break
            buf += data
            if response_complete(buf):
                break
        status = buf.split(b"\r\n", 1)[0].split(b" ")
        if len(status) < 2 or not status[0].startswith(b"HTTP/"):
            return False, "closed" if not buf else "garbage"
        if b"\r\n\r\n" not in buf:
            return False, "truncated"
        code = status[1].decode(errors="replace")
        return (True, "200") if code == "200" else (False, "status_" + code)
    except socket.timeout:
        return False, "timeout"
    except OSError as e:
        return False, errno.errorcode.get(e.errno, str(e))
    finally:
        s.close()


class Probe(threading.Thread):
    """Open loop: a new probe starts every 0.1-0.25 s whether or not the earlier ones have been
    answered, as independent clients would (a probe that waited for the previous one would take
    two samples in a ten-second stall and hide it). Each probe runs in its own short thread."""

    def __init__(self, a, start_at, end_at):
        super().__init__(daemon=True)
        self.a, self.start_at, self.end_at = a, start_at, end_at
        self.results = []     # (ms, ok, reason); list.append is atomic

    def one(self):
        t = time.monotonic()
        ok, reason = probe_once(self.a.addr, self.a.path, self.a.timeout, self.a.probe_from)
        ms = (time.monotonic() - t) * 1000.0
        self.results.append((ms, ok, reason))
        if not ok and self.a.verbose:
            sys.stderr.write("probe failed after %.0f ms: %s\n" % (ms, reason))

    def run(self):
        delay = self.start_at - time.monotonic()
        if delay > 0:
            time.sleep(delay)
        running = []
        while time.monotonic() < self.end_at:
            t = threading.Thread(target=self.one, daemon=True)
            t.start()
            running = [r for r in running if r.is_alive()] + [t]
            time.sleep(random.uniform(*self.a.interval))
        for t in running:
            t.join()


def percentile(sorted_values, q):
    if not sorted_values:
        return 0.0
    i = min(len(sorted_values) - 1, max(0, int(round(q * (len(sorted_values) - 1)))))
    return sorted_values[i]


def main(argv):
    a = parse_args(argv)
    total = sum(a.counts.values())
    raise_nofile(total + 64)
    sys.setswitchinterval(0.0005)   # the probe thread gets the interpreter promptly

    t0 = time.monotonic()
    end = t0 + a.seconds
    attack = Attack(a.addr, a.counts, a.line_every, a.attack_from)
    attack.start(t0, min(1.0, a.ramp / 2))
    probe = Probe(a, t0 + a.ramp, end)
    probe.start()
    min_open = None
    next_sample = t0 + a.ramp
    # the attack goes on until the last probe has finished, even if that is after `end`
    while True:
        now = time.monotonic()
        if now >= end and not probe.is_alive():
            break
        if now >= next_sample:
            min_open = attack.open if min_open is None else min(min_open, attack.open)
            next_sample = now + 0.1
        attack.step(now, now + 0.05)
    attack_open = attack.open
    attack.close_all()
    probe.join()

    res = probe.results
    lat = sorted(ms for ms, _, _ in res)
    ok = sum(1 for _, good, _ in res if good)
    timeouts = sum(1 for _, _, reason in res if reason == "timeout")
    failed = len(res) - ok
    reasons = {}
    for _, good, reason in res:
        if not good:
            reasons[reason] = reasons.get(reason, 0) + 1
    max_ms = lat[-1] if lat else 0.0
    passed = bool(res) and failed == 0 and max_ms <= a.max_ms
    fields = [
        "slow-head=%d" % a.counts["slow-head"], "half-open=%d" % a.counts["half-open"],
        "idle=%d" % a.counts["idle"], "target=%s:%d" % a.addr,
        "probes=%d" % len(res), "ok=%d" % ok, "failed=%d" % failed, "timeouts=%d" % timeouts,
        "p50_ms=%.1f" % percentile(lat, 0.5), "p90_ms=%.1f" % percentile(lat, 0.9),
        "max_ms=%.1f" % max_ms,
        "attack_open=%d" % attack_open, "attack_min_open=%d" % (min_open or 0),
        "attack_closed=%d" % attack.closed, "attack_connect_errors=%d" % attack.connect_errors,
        "failures=%s" % (",".join("%s:%d" % kv for kv in sorted(reasons.items())) or "-"),
        "result=%s" % ("pass" if passed else "fail"),
    ]
    print(" ".join(fields), flush=True)
    return 0 if passed else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
