"""TDKT_MIGRATE_AT_START, as docker/compose.yaml runs the image: `tdkt serve` against a database
that holds nothing yet, migrating first as the schema owner (TDKT_MIGRATE_DATABASE_URL) and then
serving as the service role (DATABASE_URL). Instances started at once all come up: they wait for
each other on the migrators' advisory lock, which covers the grants and the demo data too (two
sessions granting on one table at once fail: "tuple concurrently updated"), so every migration
is applied once."""
import glob
import os
import signal
import subprocess
import time
import uuid

import requests

from conftest import BINARY, ROOT, check_log, free_port


def superuser_sql(server, query, database="postgres"):
    """SQL as the cluster's superuser (scripts/pg.sh: postgres, trusted on the folder's socket)"""
    return server.sql(query, f"postgresql://postgres@/{database}?host={server.pgdir}/run")


def start(server, name, database, at_start):
    """`tdkt serve` on `database` of the test cluster, the owner's URL to migrate with, as the image is run"""
    port = free_port()
    env = server.env()
    env.pop("TDKT_READ_DATABASE_URL", None)
    env.update({
        "DATABASE_URL": f"postgresql://tdkt_app@/{database}?host={server.pgdir}/run",
        "TDKT_MIGRATE_DATABASE_URL": f"postgresql://tdkt@/{database}?host={server.pgdir}/run",
        "TDKT_MIGRATE_AT_START": at_start,
        "TDKT_LISTEN": f"127.0.0.1:{port}",
    })
    path = os.path.join(server.workdir, f"{name}.log")
    with open(path, "w") as log:
        proc = subprocess.Popen([BINARY, "serve"], env=env, stdout=log, stderr=subprocess.STDOUT)
    return {"proc": proc, "base": f"http://127.0.0.1:{port}", "log": path}


def wait_ready(inst, seconds=120):
    deadline = time.time() + seconds
    while time.time() < deadline:
        assert inst["proc"].poll() is None, f"exited {inst['proc'].returncode}: {open(inst['log']).read()[-3000:]}"
        try:
            if requests.get(inst["base"] + "/readyz", timeout=2).status_code == 200:
                return
        except requests.RequestException:
            pass
        time.sleep(0.1)
    raise AssertionError(f"not ready in {seconds} s: {open(inst['log']).read()[-3000:]}")


def stop(inst):
    """stops the instance (killed after 30 s) and returns its exit code; its log is checked by the caller
    once every instance is stopped, so that one bad log leaves no other running"""
    inst["proc"].send_signal(signal.SIGTERM)
    try:
        return inst["proc"].wait(timeout=30)
    except subprocess.TimeoutExpired:
        inst["proc"].kill()
        return inst["proc"].wait()


def test_instances_started_at_once_on_an_empty_database_migrate_once_and_serve(server):
    database = f"tdkt_at_start_{uuid.uuid4().hex[:8]}"
    migrations = sorted(os.path.basename(p) for p in glob.glob(os.path.join(ROOT, "sql", "[0-9]*.sql")))
    superuser_sql(server, f"CREATE DATABASE {database} OWNER tdkt")
    instances = []
    try:
        owner = f"postgresql://tdkt@/{database}?host={server.pgdir}/run"
        assert server.sql("SELECT count(*) FROM pg_class WHERE relnamespace = 'public'::regnamespace", owner) == "0"
        # as docker/compose.yaml: tdkt1 also loads the demo data, tdkt2 only migrates — here at the
        # same moment, with a third to make a collision likelier
        instances = [start(server, f"{database}-{n}", database, at_start)
                     for n, at_start in (("a", "demo"), ("b", "on"), ("c", "on"))]
        for inst in instances:
            wait_ready(inst)
        a, b = instances[:2]
        token = server.tdkt("token", "--sub", "1", "--role", "admin", "--unit-id", "1").stdout.strip()
        auth = {"Authorization": f"Bearer {token}"}
        for inst in instances:
            assert requests.get(inst["base"] + "/healthz", timeout=5).status_code == 200
        # both serve the migrated schema and the one demo data
        ttcp = server.sql("SELECT id FROM units WHERE code = 'TTCP'", owner)
        assert ttcp and server.sql("SELECT count(*) FROM units WHERE code = 'TTCP'", owner) == "1"
        for inst in instances:
            r = requests.get(f"{inst['base']}/v1/units/{ttcp}", headers=auth, timeout=10)
            assert r.status_code == 200 and r.json()["code"] == "TTCP", r.text
        # a write through one, read through the other: one database, the service role's grants in place
        made = requests.post(a["base"] + "/v1/people", headers=auth, timeout=10,
                             json={"unit_id": int(ttcp), "full_name": "Người sau khi di trú"})
        assert made.status_code == 201, made.text
        got = requests.get(f"{b['base']}/v1/people/{made.json()['id']}", headers=auth, timeout=10)
        assert got.status_code == 200 and got.json()["full_name"] == "Người sau khi di trú"
        # every migration once, in the owner's schema
        applied = server.sql("SELECT string_agg(version, ' ' ORDER BY version) FROM schema_migrations", owner).split()
        assert applied == migrations
        assert server.sql("SELECT count(*) FROM pg_tables WHERE schemaname = 'public' AND tableowner <> 'tdkt'", owner) == "0"
    finally:
        codes = [stop(inst) for inst in instances]
        superuser_sql(server, f"DROP DATABASE IF EXISTS {database} WITH (FORCE)")
    for inst, code in zip(instances, codes):
        check_log(inst["log"], code)
    logs = [open(inst["log"]).read() for inst in instances]
    # one of them applied them all, the others none: they waited on the lock, then found them current
    counts = sorted(int(line.split(":")[1].split(";")[0]) for log in logs for line in log.splitlines()
                    if line.startswith("migrations applied:"))
    assert counts == [0, 0, len(migrations)], counts
    assert sum(log.count("applied migration ") for log in logs) == len(migrations)


def test_migrators_started_together_all_succeed_and_grant_once_the_schema_is_there(server):
    """`tdkt migrate` several at once on an empty database, a few times (the grants after the
    migrations once collided outside the lock: "tuple concurrently updated", one migrator failed)"""
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
            try:
                outs = [(p.communicate(timeout=120)[0], p.returncode) for p in procs]
            finally:
                for p in procs:
                    if p.poll() is None:
                        p.kill()
                        p.wait()
            assert all(code == 0 for _, code in outs), (round_, [out[-500:] for out, code in outs if code])
            counts = sorted(int(line.split(":")[1]) for out, _ in outs for line in out.splitlines()
                            if line.startswith("migrations applied:"))
            assert counts == [0, 0, 0, migrations], (round_, counts)
            service = f"postgresql://tdkt_app@/{database}?host={server.pgdir}/run"
            assert server.sql("SELECT has_table_privilege('units', 'SELECT, INSERT')", service) == "t"
        finally:
            superuser_sql(server, f"DROP DATABASE IF EXISTS {database} WITH (FORCE)")
