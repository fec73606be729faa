"""What the descriptors make (issue 9): the statements are generated at start, so a golden file
shows every change of them in review, and a statement that no longer prepares against the
schema stops `tdkt migrate` and `tdkt serve` with its text instead of failing requests."""
import os
import subprocess

from conftest import BINARY, ROOT

GOLDEN = os.path.join(ROOT, "tests", "golden", "sql.txt")


def test_generated_statements_are_the_golden_ones():
    """regenerate with: build/tdkt sql > tests/golden/sql.txt (and read the diff)"""
    out = subprocess.run([BINARY, "sql"], check=True, capture_output=True, text=True).stdout
    assert out == open(GOLDEN, encoding="utf-8").read(), "tdkt sql differs from tests/golden/sql.txt"


def test_every_generated_statement_has_a_plain_shape():
    out = subprocess.run([BINARY, "sql"], check=True, capture_output=True, text=True).stdout
    blocks = [b.split("\n", 1) for b in out.strip().split("\n\n")]
    names = [name for name, _ in blocks]
    assert len(names) == len(set(names)), "statement names are unique"
    for name, sql in blocks:
        assert sql.lstrip().split()[0] in ("SELECT", "INSERT", "UPDATE", "DELETE", "WITH"), name


def test_a_statement_that_does_not_prepare_stops_migrate_and_serve(server):
    server.sql("ALTER TABLE people RENAME COLUMN position TO chuc_vu")
    try:
        out = server.tdkt("migrate", check=False)
        assert out.returncode != 0 and "people_get does not prepare" in out.stderr, out.stderr
        env = server.env()
        env["TDKT_LISTEN"] = "127.0.0.1:1"
        out = subprocess.run([BINARY, "serve"], env=env, capture_output=True, text=True, timeout=60)
        assert out.returncode == 2 and "does not prepare" in out.stdout + out.stderr, out.stdout[-500:]
    finally:
        server.sql("ALTER TABLE people RENAME COLUMN chuc_vu TO position")
