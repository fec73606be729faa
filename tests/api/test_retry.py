"""A transaction PostgreSQL aborts with a serialization failure (40001) or a deadlock (40P01) is run
again from the start with the same body, at most three times in all (lib/http.c), then answered 503
with Retry-After. Real conflicts are timing-dependent, so a test trigger makes them deterministic:
while a sequence — which a rollback does not undo — is below a threshold, writing a person whose name
starts with "Xung đột" raises the SQLSTATE given."""
import pytest

SETUP = """
CREATE TABLE test_conflicts (until bigint NOT NULL, sqlstate text NOT NULL);
INSERT INTO test_conflicts VALUES (0, '40001');
CREATE SEQUENCE test_conflict_seq;
GRANT SELECT ON test_conflicts TO tdkt_app;
GRANT USAGE ON SEQUENCE test_conflict_seq TO tdkt_app;
CREATE FUNCTION test_conflict() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE c test_conflicts;
BEGIN
  SELECT * INTO c FROM test_conflicts;
  IF NEW.full_name LIKE 'Xung đột%' AND nextval('test_conflict_seq') <= c.until THEN
    RAISE EXCEPTION 'a conflict made by the test' USING ERRCODE = c.sqlstate;
  END IF;
  RETURN NEW;
END $$;
CREATE TRIGGER test_conflict BEFORE INSERT ON people FOR EACH ROW EXECUTE FUNCTION test_conflict();
"""
TEARDOWN = """
DROP TRIGGER test_conflict ON people;
DROP FUNCTION test_conflict();
DROP SEQUENCE test_conflict_seq;
DROP TABLE test_conflicts;
"""


@pytest.fixture(scope="module")
def conflicts(server):
    server.sql(SETUP)
    yield
    server.sql(TEARDOWN)


def conflict(server, times, sqlstate):
    server.sql(f"SELECT setval('test_conflict_seq', 1, false); UPDATE test_conflicts SET until = {times}, sqlstate = '{sqlstate}'")


def people_named(server, name):
    return int(server.sql(f"SELECT count(*) FROM people WHERE full_name = '{name}'"))


@pytest.mark.parametrize("sqlstate", ["40001", "40P01"])
def test_a_conflict_is_run_again(api, tokens, units, server, conflicts, sqlstate):
    name = f"Xung đột {sqlstate} hai lần"
    conflict(server, 2, sqlstate)
    log_before = len(server.log_text())
    r = api.post("/v1/people", token=tokens["officer"], json={"unit_id": units["TT-LSN"], "full_name": name})
    assert r.status_code == 201, r.text
    assert people_named(server, name) == 1, "the failed attempts left nothing behind"
    log = server.log_text()[log_before:]
    assert log.count("running the request again") == 2
    audit = api.get("/v1/audit", token=tokens["admin"], params={"entity": "person", "entity_id": r.json()["id"]}).json()
    assert [a["action"] for a in audit["items"]] == ["create"], "one audit entry: the attempt that committed"


def test_conflicts_that_do_not_end_are_a_503(api, tokens, units, server, conflicts):
    name = "Xung đột mãi"
    conflict(server, 1000, "40001")
    r = api.post("/v1/people", token=tokens["officer"], json={"unit_id": units["TT-LSN"], "full_name": name})
    assert r.status_code == 503 and int(r.headers["Retry-After"]) > 0
    assert r.json()["type"] == "urn:tdkt:problem:unavailable"
    assert people_named(server, name) == 0
    assert int(server.sql("SELECT last_value FROM test_conflict_seq")) == 3, "three attempts, no more"
    # the next request is served normally on the same pool
    conflict(server, 0, "40001")
    assert api.post("/v1/people", token=tokens["officer"],
                    json={"unit_id": units["TT-LSN"], "full_name": name}).status_code == 201
