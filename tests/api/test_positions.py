"""Read-your-writes (README, Reads from a replica): a committed write answers Tdkt-Commit-Position,
a read may name one in Tdkt-Min-Position (400 when it is not a position), an idempotent replay
carries a position too. With TDKT_READ_DATABASE_URL, reads take the replica's pool and writes
never do; a read that names a position the read server cannot vouch for goes to the primary."""
import re

import pytest
import requests

from conftest import another_instance

POSITION = re.compile(r"^[0-9A-F]{1,8}/[0-9A-F]{1,8}$")


def lsn(text):
    hi, lo = text.split("/")
    return int(hi, 16) << 32 | int(lo, 16)


def person(api, token, unit, name, **kw):
    return api.post("/v1/people", token=token, json={"unit_id": unit, "full_name": name}, **kw)


def test_a_write_answers_its_commit_position(api, server, tokens, units):
    first = person(api, tokens["officer"], units["TT-LSN"], "Vị trí ghi một")
    assert first.status_code == 201, first.text
    p1 = first.headers.get("Tdkt-Commit-Position", "")
    assert POSITION.match(p1), first.headers
    # at or past the commit: the primary's WAL has reached it
    assert server.sql(f"SELECT pg_current_wal_insert_lsn() >= '{p1}'::pg_lsn") == "t"
    second = api.patch(f"/v1/people/{first.json()['id']}", token=tokens["officer"], json={"position": "Chánh thanh tra"},
                       headers={"If-Match": first.headers["ETag"]})
    assert second.status_code == 200, second.text
    assert lsn(second.headers["Tdkt-Commit-Position"]) > lsn(p1), "positions grow with later commits"
    # reads and failed writes change nothing: no position
    assert "Tdkt-Commit-Position" not in api.get("/v1/units", token=tokens["officer"]).headers
    bad = person(api, tokens["officer"], units["TT-LSN"], "")
    assert bad.status_code == 422 and "Tdkt-Commit-Position" not in bad.headers


def test_a_read_may_name_a_position(api, tokens, units):
    w = person(api, tokens["officer"], units["TT-LSN"], "Vị trí đọc")
    pos = w.headers["Tdkt-Commit-Position"]
    r = api.get(f"/v1/people/{w.json()['id']}", token=tokens["officer"], headers={"Tdkt-Min-Position": pos})
    assert r.status_code == 200 and r.json()["full_name"] == "Vị trí đọc"
    # a position no server has reached yet: still answered, by the primary
    r = api.get("/v1/units", token=tokens["officer"], headers={"Tdkt-Min-Position": "FFFFFFFF/FFFFFFFF"})
    assert r.status_code == 200


@pytest.mark.parametrize("value", ["", "0", "0/", "/0", "1/2/3", "-1/0", "0x1/0", "G/0", "100000000/0", "1/0x", "1 /0",
                                   "0/0; DROP TABLE units"])
def test_an_invalid_position_is_400(api, tokens, value):
    r = api.get("/v1/units", token=tokens["officer"], headers={"Tdkt-Min-Position": value})
    assert r.status_code == 400, (value, r.text)
    assert "Tdkt-Min-Position" in r.json()["detail"]


def test_an_idempotent_replay_carries_a_position(api, tokens, units):
    h = {"Idempotency-Key": "position-replay-1"}
    first = person(api, tokens["officer"], units["TT-LSN"], "Vị trí lặp lại", headers=h)
    again = person(api, tokens["officer"], units["TT-LSN"], "Vị trí lặp lại", headers=h)
    assert first.status_code == again.status_code == 201 and again.content == first.content
    assert lsn(again.headers["Tdkt-Commit-Position"]) >= lsn(first.headers["Tdkt-Commit-Position"])


@pytest.fixture(scope="module")
def read_pool_server(server):
    """a second instance on the suite's database whose read pool is that same primary, in
    read-only sessions (application_name tdkt-read)"""
    with another_instance(server, "read-pool-server", {"TDKT_READ_DATABASE_URL": server.database_url,
                                                       "TDKT_READ_DB_POOL": "2", "TDKT_DB_POOL": "2"}) as base:
        yield base


def test_reads_use_the_read_pool_and_writes_do_not(read_pool_server, server, tokens, units):
    auth = {"Authorization": f"Bearer {tokens['officer']}"}
    r = requests.get(read_pool_server + "/v1/units", headers=auth)
    assert r.status_code == 200
    apps = server.sql("SELECT string_agg(DISTINCT application_name, ',' ORDER BY application_name) FROM pg_stat_activity"
                      " WHERE usename = 'tdkt_app'")
    assert "tdkt-read" in apps.split(","), apps
    # the read pool's sessions are read-only: a write there would fail, and a write works
    w = requests.post(read_pool_server + "/v1/people", headers=auth,
                      json={"unit_id": units["TT-LSN"], "full_name": "Ghi qua máy hai"})
    assert w.status_code == 201, w.text
    pos = w.headers["Tdkt-Commit-Position"]
    # the read server is no replica (not in recovery): it cannot vouch for a position, so a read
    # naming one is the primary's, and sees the write
    r = requests.get(read_pool_server + f"/v1/people/{w.json()['id']}", headers={**auth, "Tdkt-Min-Position": pos})
    assert r.status_code == 200 and r.json()["full_name"] == "Ghi qua máy hai"
    for path in ("/v1/people?limit=5", f"/v1/units/{units['TT-LSN']}", "/v1/public/campaigns"):
        assert requests.get(read_pool_server + path, headers=auth).status_code == 200, path
