"""Audit trail and change feed: an entry for every write and none for a failed one, who may
read them, and a feed that misses nothing under concurrent writers."""
import itertools
import threading
import time

import pytest

counter = itertools.count(1)


def code():
    return f"AU-{next(counter):05d}"


def entries(server, request_id):
    return int(server.sql(f"SELECT count(*) FROM audit_log WHERE request_id = '{request_id}'"))


def test_writes_are_audited_with_old_and_new(api, tokens, units):
    rid = f"audit-create-{next(counter)}"
    u = api.post("/v1/units", token=tokens["authority"], headers={"X-Request-Id": rid},
                 json={"code": code(), "name": "Phòng Tiếp công dân", "kind": "division",
                       "parent_id": units["TT-LSN"]}).json()
    api.patch(f"/v1/units/{u['id']}", token=tokens["authority"], json={"name": "Phòng Tiếp công dân và Xử lý đơn"})
    api.patch(f"/v1/units/{u['id']}", token=tokens["authority"], json={})  # changes nothing: no entry
    assert api.delete(f"/v1/units/{u['id']}", token=tokens["admin"]).status_code == 204
    r = api.get("/v1/audit", token=tokens["admin"], params={"entity": "unit", "entity_id": u["id"]})
    assert r.status_code == 200
    items = r.json()["items"]
    assert [e["action"] for e in items] == ["create", "update", "delete"]
    create, update, delete = items
    assert create["actor_id"] == 2 and create["actor_role"] == "authority" and create["actor_unit_id"] == units["TTCP"]
    assert create["request_id"] == rid
    assert create["changes"]["name"] == {"old": None, "new": "Phòng Tiếp công dân"}
    assert update["changes"] == {"name": {"old": "Phòng Tiếp công dân", "new": "Phòng Tiếp công dân và Xử lý đơn"}}
    assert delete["actor_role"] == "admin" and delete["changes"]["code"]["new"] is None
    assert all("version" not in e["changes"] and "search" not in e["changes"] for e in items)


@pytest.mark.parametrize("case", ["validation", "conflict", "precondition", "forbidden"])
def test_failed_writes_leave_no_entry(api, server, tokens, units, case):
    rid = f"audit-fail-{case}-{next(counter)}"
    h = {"X-Request-Id": rid}
    if case == "validation":
        r = api.post("/v1/units", token=tokens["admin"], headers=h, json={"code": "bad code", "name": "x", "kind": "other"})
    elif case == "conflict":
        r = api.post("/v1/units", token=tokens["admin"], headers=h, json={"code": "TTCP", "name": "x", "kind": "other"})
    elif case == "precondition":
        r = api.patch(f"/v1/units/{units['TT-LSN']}", token=tokens["admin"], headers=dict(h, **{"If-Match": '"999"'}),
                      json={"name": "x"})
    else:
        r = api.patch(f"/v1/units/{units['BNC-LSN']}", token=tokens["authority"], headers=h, json={"name": "x"})
    assert r.status_code in (409, 412, 403, 422)
    assert entries(server, rid) == 0


def test_password_change_is_audited_without_the_password(api, server, tokens, units):
    user = api.post("/v1/users", token=tokens["admin"], json={
        "username": f"audited{next(counter)}", "display_name": "Nguyễn Thị Thu Nhung", "role": "officer",
        "unit_id": units["TT-KGG"], "password": "Mật khẩu ban đầu 1"}).json()
    api.patch(f"/v1/users/{user['id']}", token=tokens["admin"], json={"password": "Mật khẩu thứ hai 2", "role": "viewer"})
    items = api.get("/v1/audit", token=tokens["admin"], params={"entity": "user", "entity_id": user["id"]}).json()["items"]
    assert [e["action"] for e in items] == ["create", "update"]
    assert items[1]["changes"] == {"password": {"changed": True}, "role": {"old": "officer", "new": "viewer"}}
    assert "argon2" not in server.sql(f"SELECT changes::text FROM audit_log WHERE entity = 'user' AND entity_id = {user['id']}")


def test_audit_filters_and_paging(api, tokens):
    r = api.get("/v1/audit", token=tokens["admin"], params={"actor": 2, "limit": 2})
    assert r.status_code == 200 and all(e["actor_id"] == 2 for e in r.json()["items"])
    first = api.get("/v1/audit", token=tokens["admin"], params={"limit": 3}).json()
    if first["next_cursor"]:
        nxt = api.get("/v1/audit", token=tokens["admin"], params={"cursor": first["next_cursor"], "limit": 3}).json()
        assert nxt["items"][0]["id"] > first["items"][-1]["id"]
        same = api.get("/v1/audit", token=tokens["admin"], params={"after": first["items"][-1]["id"], "limit": 3}).json()
        assert same["items"] == nxt["items"]
    for bad in ({"entity": "awards"}, {"actor": "x"}, {"after": -1}, {"after": 1, "cursor": first["next_cursor"] or "x"}):
        assert api.get("/v1/audit", token=tokens["admin"], params=bad).status_code == 400


def test_every_entity_the_database_records_is_a_filter(api, server, tokens):
    """the entity names come from the descriptors (api/*.c), the trail's from the triggers and
    tdkt_record_custom calls of the migrations: they must be the same names"""
    found = server.sql("SELECT DISTINCT substring(pg_get_triggerdef(t.oid) FROM 'tdkt_record_change\\(''([a-z_]+)''')"
                       " FROM pg_trigger t WHERE NOT t.tgisinternal AND pg_get_triggerdef(t.oid) LIKE '%tdkt_record_change%'")
    entities = set(found.split())
    assert {"unit", "user", "person", "campaign", "award"} <= entities
    for entity in entities:
        assert api.get("/v1/audit", token=tokens["admin"], params={"entity": entity, "limit": 1}).status_code == 200, entity


@pytest.mark.parametrize("role", ["authority", "officer", "viewer", "integration"])
def test_only_admins_read_the_audit(api, tokens, role):
    assert api.get("/v1/audit", token=tokens[role]).status_code == 403


@pytest.mark.parametrize("role,status", [("admin", 200), ("integration", 200), ("authority", 403),
                                         ("officer", 403), ("viewer", 403)])
def test_change_feed_roles(api, tokens, role, status):
    assert api.get("/v1/changes?limit=1", token=tokens[role]).status_code == status


def test_change_feed_follows_one_unit(api, tokens):
    last = api.get("/v1/changes?limit=500", token=tokens["integration"]).json()
    start = 0
    while True:
        page = api.get("/v1/changes", token=tokens["integration"], params={"after": start, "limit": 500}).json()
        if not page["items"]:
            break
        start = page["items"][-1]["seq"]
    u = api.post("/v1/units", token=tokens["admin"], json={"code": code(), "name": "Theo dõi", "kind": "other"}).json()
    api.patch(f"/v1/units/{u['id']}", token=tokens["admin"], json={"active": False})
    api.delete(f"/v1/units/{u['id']}", token=tokens["admin"])
    items = api.get("/v1/changes", token=tokens["integration"], params={"after": start}).json()["items"]
    mine = [(c["entity"], c["entity_id"], c["action"]) for c in items if c["entity_id"] == u["id"] and c["entity"] == "unit"]
    assert mine == [("unit", u["id"], "create"), ("unit", u["id"], "update"), ("unit", u["id"], "delete")]
    assert [c["seq"] for c in items] == sorted(c["seq"] for c in items)
    assert last["items"] is not None


def test_change_feed_under_concurrent_writers(api, tokens, units, server):
    """Writers commit in any interleaving while a client polls with the last seq it saw: it must
    see every change exactly once, in increasing seq."""
    start = int(server.sql("SELECT coalesce(max(seq), 0) FROM change_feed"))
    created, errors = [], []
    stop = threading.Event()
    seen = []

    def writer(n):
        for i in range(12):
            r = api.post("/v1/units", token=tokens["admin"], json={"code": f"CW-{n}-{i}-{next(counter)}",
                                                                    "name": f"Đồng thời {n}.{i}", "kind": "other"})
            if r.status_code != 201:
                errors.append(r.text)
            else:
                created.append(r.json()["id"])

    def poller():
        after = start
        while True:
            done = stop.is_set()
            page = api.get("/v1/changes", token=tokens["integration"], params={"after": after, "limit": 7}).json()
            for c in page["items"]:
                seen.append(c["seq"])
                if c["entity"] == "unit" and c["action"] == "create":
                    seen_units.add(c["entity_id"])
            if page["items"]:
                after = page["items"][-1]["seq"]
            elif done:
                return
            else:
                time.sleep(0.005)

    seen_units = set()
    threads = [threading.Thread(target=writer, args=(n,)) for n in range(6)]
    p = threading.Thread(target=poller)
    p.start()
    [t.start() for t in threads]
    [t.join() for t in threads]
    stop.set()
    p.join()
    assert not errors, errors[:3]
    assert len(seen) == len(set(seen)), "no change twice"
    assert seen == sorted(seen), "in seq order"
    committed = [int(x) for x in server.sql(f"SELECT seq FROM change_feed WHERE seq > {start} ORDER BY seq").split()]
    assert seen == committed, "nothing missed"
    assert set(created) <= seen_units
