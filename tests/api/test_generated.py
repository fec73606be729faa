"""What the descriptors make (issue 9): the statements are generated at start, so a golden file
shows every change of them in review, and a statement that no longer prepares against the
schema stops `tdkt migrate` and `tdkt serve` with its text instead of failing requests."""
import os
import re
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


def statements():
    out = subprocess.run([BINARY, "sql"], check=True, capture_output=True, text=True).stdout
    return dict(b.split("\n", 1) for b in out.strip().split("\n\n"))


PAGE = re.compile(r"SELECT \* FROM \((SELECT .* LIMIT 501)\) page LIMIT (\$\d+)")


def test_every_prepared_page_is_bounded_inside():
    """A prepared SELECT whose LIMIT is a parameter is a page, written PAGE_SQL_OPEN ...
    PAGE_SQL_CLOSE (lib/page.h): with a bare `LIMIT $n` PostgreSQL plans it at every execution."""
    pages = {name: sql for name, sql in statements().items()
             if sql.startswith(("SELECT", "WITH")) and re.search(r"LIMIT \$\d", sql)}
    assert {"units_list", "awards_by_recipient_person_id", "campaigns_by_cluster_year", "changes_after"} <= set(pages)
    assert [name for name, sql in pages.items() if not PAGE.fullmatch(sql)] == []


def test_a_prepared_page_keeps_one_plan(server):
    """PostgreSQL keeps the generic plan of a page after its five custom ones, where the same
    statement with a bare `LIMIT $n` is planned again at every execution once the table is large
    (20,000 units more, in a transaction rolled back; analyzed, as autovacuum would)."""
    page = statements()["units_list"]
    bare = PAGE.fullmatch(page).group(1).replace("LIMIT 501", "LIMIT $2")
    execute = "EXECUTE {0}(0, 51);\n" * 8
    script = f"""BEGIN;
INSERT INTO units (code, name, kind, parent_id)
SELECT 'PLAN-' || g, 'Đơn vị thử kế hoạch ' || g, 'district_inspectorate', (SELECT min(id) FROM units)
FROM generate_series(1, 20000) g;
ANALYZE units;
PREPARE page AS {page};
PREPARE bare AS {bare};
\\o /dev/null
{execute.format("page")}{execute.format("bare")}\\o
SELECT name, generic_plans, custom_plans FROM pg_prepared_statements ORDER BY name;
EXPLAIN EXECUTE page(0, 51);
ROLLBACK;
"""
    out = subprocess.run(["psql", "-X", "-At", "-v", "ON_ERROR_STOP=1", server.owner_url], input=script,
                         check=True, capture_output=True, text=True).stdout
    plans = {line.split("|")[0]: line.split("|")[1:] for line in out.splitlines() if line.count("|") == 2}
    assert plans["bare"] == ["0", "8"], out
    assert plans["page"] == ["3", "5"], out
    # the plan kept reads the key's index from the cursor on, and sorts nothing
    assert "Index Scan using units_pkey" in out and "Sort" not in out, out
    assert server.sql("SELECT count(*) FROM units WHERE code LIKE 'PLAN-%'") == "0"
