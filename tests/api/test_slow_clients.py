"""Slow and idle clients against the server alone (issue 8), with tests/stress/slow_clients.py:
the scenarios that starved it on 33d8ac7 (64 workers, a 10 s head deadline, keep-alive held by
idle clients) leave normal clients answered now. The attack comes from 50 loopback addresses and
the probe from another, as it would on a network; 1,000 of each kind is nginx's job
(tests/stress/run.sh, `make stress`)."""
import os
import subprocess
import tempfile

import pytest

from conftest import ROOT, Server

TOOL = os.path.join(ROOT, "tests", "stress", "slow_clients.py")


@pytest.fixture(scope="module")
def plain_server():
    with tempfile.TemporaryDirectory(prefix="tdkt-slow-") as workdir:
        os.chmod(workdir, 0o755)
        srv = Server(workdir).start()
        try:
            yield srv
        finally:
            assert srv.stop() == 0


@pytest.mark.parametrize("scenario", [["slow-head", "150"], ["half-open", "200"], ["idle", "500"]],
                         ids=["150 slow heads", "200 half-open", "500 idle keep-alive"])
def test_normal_clients_are_served_while_slow_ones_attack(plain_server, scenario):
    out = subprocess.run(["/usr/bin/python3", TOOL, f"127.0.0.1:{plain_server.port}", *scenario,
                          "--seconds", "7", "--ramp", "1.5", "--max-ms", "1000", "--timeout", "5",
                          "--attack-from", "127.0.1.1-50", "--probe-from", "127.0.2.1"],
                         capture_output=True, text=True, timeout=60)
    line = out.stdout.strip().splitlines()[-1] if out.stdout.strip() else out.stderr
    assert out.returncode == 0, line
    fields = dict(f.split("=", 1) for f in line.split())
    assert int(fields["failed"]) == 0 and float(fields["max_ms"]) < 1000, line
