"""Migrating an empty database: `tdkt migrate` (and TDKT_MIGRATE_AT_START) several at once all
succeed, waiting for each other on the migrators' advisory lock, which covers the grants and the
demo data too (two sessions granting on one table at once fail: "tuple concurrently updated"), so
every migration is applied once."""
import glob
import os
import subprocess
import uuid

from conftest import BINARY, ROOT


def superuser_sql(server, query, database="postgres"):
    """SQL as the cluster's superuser (scripts/pg.sh: postgres, trusted on the folder's socket)"""
    return server.sql(query, f"postgresql://postgres@/{database}?host={server.pgdir}/run")


def test_migrators_started_together_all_succeed_and_grant_once_the_schema_is_there(server):
    """`tdkt migrate` several at once on an empty database, a few times (the grants after the
    migrations once collided without the lock: "tuple concurrently updated", one migrator failed)"""
    migrations = len(glob.glob(os.path.join(ROOT, "sql", "[0-9]*.sql")))
    for round_ in range(4):
        database = f"tdkt_migrators_{uuid.uuid4().hex[:8]}"
        superuser_sql(server, f"CREATE DATABASE {database} OWNER tdkt")
        try:
            env = server.env()
            env.update({"DATABASE_URL": f"postgresql://tdkt_app@/{database}?host={server.pgdir}/run",
                        "TDKT_MIGRATE_DATABASE_URL": f"postgresql://tdkt@/{database}?host={server.pgdir}/run"})
            procs = [subprocess.Popen([BINARY, "migrate"], env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
                     for _ in range(4)]
            outs = [(p.communicate(timeout=120)[0], p.returncode) for p in procs]
            assert all(code == 0 for _, code in outs), (round_, [out[-500:] for out, code in outs if code])
            counts = sorted(int(line.split(":")[1]) for out, _ in outs for line in out.splitlines()
                            if line.startswith("migrations applied:"))
            assert counts == [0, 0, 0, migrations], (round_, counts)
            service = f"postgresql://tdkt_app@/{database}?host={server.pgdir}/run"
            assert server.sql("SELECT has_table_privilege('units', 'SELECT, INSERT')", service) == "t"
        finally:
            superuser_sql(server, f"DROP DATABASE IF EXISTS {database} WITH (FORCE)")
