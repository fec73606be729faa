"""/v1/disciplines: personal data of the authorities whose subtree holds the person's unit and of
admins — by the descriptor's scope and again by row-level security below the C code; every read
(by id, each list page) in the audit trail; the change feed restricted to admins and never inline;
a validation table in which each refusal changes nothing."""
import json

import pytest


def body(person_id, **extra):
    b = {"person_id": person_id, "level": "reprimand", "decided_on": "2025-03-10", "effective_from": "2025-03-10",
         "effective_to": "2026-03-09", "decision_number": "15/QĐ-SNV"}
    b.update(extra)
    return b


def system_count(server, sql):
    return int(server.sql(f"SELECT set_config('tdkt.actor_role', 'system', false); {sql}").splitlines()[-1])


def rls_count(server, role, unit_id, discipline_id):
    """what PostgreSQL itself lets the service's role see for a caller, whatever the C code does"""
    out = server.sql_as_service(
        f"SELECT set_config('tdkt.actor_role', '{role}', true), set_config('tdkt.actor_unit_id', '{unit_id}', true);"
        f" SELECT count(*) FROM disciplines WHERE id = {discipline_id}")
    return int(out.splitlines()[-1])


def reads(server):
    """the audit trail's read entries of disciplines, oldest first: (actor_id, entity_id, ids, query)"""
    rows = server.sql("SELECT json_build_object('actor', actor_id, 'id', entity_id, 'changes', changes) FROM audit_log"
                      " WHERE entity = 'discipline' AND action = 'read' ORDER BY id").splitlines()
    return [(x["actor"], x["id"], x["changes"]["ids"], x["changes"]["query"]) for x in map(json.loads, rows)]


@pytest.fixture(scope="module")
def person(api, tokens, units):
    r = api.post("/v1/people", token=tokens["admin"], json={"unit_id": units["TT-LSN"], "full_name": "Hoàng Văn Kỷ"})
    assert r.status_code == 201, r.text
    return r.json()


@pytest.fixture(scope="module")
def others(server, units):
    """an authority of another subtree (Sơn La's inspectorate, a sibling of Lạng Sơn's)"""
    return {"authority_sla": server.token("authority", units["TT-SLA"], sub=1301)}


def test_only_authorities_of_the_subtree_and_admins_see_or_write(api, tokens, units, server, person, others):
    r = api.post("/v1/disciplines", token=tokens["authority_ls"], json=body(person["id"]))
    assert r.status_code == 201, r.text
    d = r.json()
    assert r.headers["Location"] == f"/v1/disciplines/{d['id']}" and d["pending"] is False and d["note"] is None
    path = f"/v1/disciplines/{d['id']}"
    sees = {"admin": True, "authority": True, "authority_ls": True, "officer": False, "viewer": False,
            "integration": False, "authority_bnctw": False}
    callers = dict(tokens, **others)
    sees["authority_sla"] = False
    for name, token in callers.items():
        if name not in sees:
            continue
        assert api.get(path, token=token).status_code == (200 if sees[name] else 404), name
        listed = api.get("/v1/disciplines", token=token, params={"person_id": person["id"]}).json()["items"]
        assert [x["id"] for x in listed] == ([d["id"]] if sees[name] else []), name
        assert d["id"] in [x["id"] for x in api.get("/v1/disciplines", token=token, params={"limit": 500}).json()["items"]] \
            or not sees[name]
    # creating: officers, viewers, integrations by role; an authority elsewhere by the person's unit
    for name in ("officer", "viewer", "integration", "authority_bnctw", "authority_sla"):
        assert api.post("/v1/disciplines", token=callers[name], json=body(person["id"])).status_code == 403, name
    # changing and deleting: 403 by role, 404 for an authority that cannot see it
    for name, status in (("officer", 403), ("viewer", 403), ("integration", 403), ("authority_bnctw", 404),
                         ("authority_sla", 404)):
        assert api.patch(path, token=callers[name], json={"pending": True}).status_code == status, name
        assert api.delete(path, token=callers[name]).status_code == status, name
    assert api.get(path, token=tokens["admin"]).json()["version"] == 1
    r = api.patch(path, token=tokens["authority"], json={"level": "warning", "note": "Sửa mức kỷ luật"})
    assert r.status_code == 200 and r.json()["level"] == "warning" and r.json()["version"] == 2, r.text
    by_admin = api.post("/v1/disciplines", token=tokens["admin"], json=body(person["id"], pending=True, level="removal"))
    assert by_admin.status_code == 201, by_admin.text
    # filters
    for params, want in (({"level": "removal"}, by_admin.json()["id"]), ({"pending": "true"}, by_admin.json()["id"]),
                         ({"level": "warning"}, d["id"])):
        got = [x["id"] for x in api.get("/v1/disciplines", token=tokens["admin"],
                                         params=dict(params, person_id=person["id"])).json()["items"]]
        assert got == [want], params
    for token in (tokens["authority_ls"], tokens["admin"]):
        x = by_admin.json()["id"] if token == tokens["admin"] else d["id"]
        assert api.delete(f"/v1/disciplines/{x}", token=token).status_code == 204
    assert system_count(server, f"SELECT count(*) FROM disciplines WHERE person_id = {person['id']}") == 0


def test_row_level_security_below_the_c_code(api, tokens, units, server, person):
    d = api.post("/v1/disciplines", token=tokens["admin"], json=body(person["id"])).json()
    assert rls_count(server, "authority", units["TT-LSN"], d["id"]) == 1
    assert rls_count(server, "authority", units["TTCP"], d["id"]) == 1
    assert rls_count(server, "admin", units["TTCP"], d["id"]) == 1
    assert rls_count(server, "authority", units["TT-SLA"], d["id"]) == 0
    assert rls_count(server, "authority", units["BNCTW"], d["id"]) == 0
    assert rls_count(server, "officer", units["TT-LSN"], d["id"]) == 0
    assert rls_count(server, "viewer", units["TT-LSN"], d["id"]) == 0
    assert rls_count(server, "integration", units["TTCP"], d["id"]) == 0
    assert rls_count(server, "", "", d["id"]) == 0, "a request that forgot to say who it is sees nothing"
    # nor may the service's role write one for a person out of its caller's reach, or lift the policy
    with pytest.raises(Exception):
        server.sql_as_service(f"SELECT set_config('tdkt.actor_role', 'officer', true),"
                              f" set_config('tdkt.actor_unit_id', '{units['TT-LSN']}', true);"
                              f" INSERT INTO disciplines (person_id, level, decided_on, effective_from, decision_number)"
                              f" VALUES ({person['id']}, 'warning', '2025-01-01', '2025-01-01', '1/QĐ')")
    for attack in ("ALTER TABLE disciplines NO FORCE ROW LEVEL SECURITY", "DROP POLICY disciplines_read ON disciplines"):
        with pytest.raises(Exception):
            server.sql_as_service(attack)
    assert server.sql_as_service(f"UPDATE disciplines SET note = 'x' WHERE id = {d['id']} RETURNING id") == "UPDATE 0"
    assert api.delete(f"/v1/disciplines/{d['id']}", token=tokens["admin"]).status_code == 204


def test_every_read_is_audited(api, tokens, units, server, person):
    d = api.post("/v1/disciplines", token=tokens["authority_ls"], json=body(person["id"])).json()
    before = len(reads(server))
    r = api.get(f"/v1/disciplines/{d['id']}", token=tokens["authority_ls"])
    assert r.status_code == 200
    assert reads(server)[before:] == [(6, d["id"], [d["id"]], "")]
    # a 304 tells the caller what it holds is current: a read too
    assert api.get(f"/v1/disciplines/{d['id']}", token=tokens["authority_ls"],
                   headers={"If-None-Match": r.headers["ETag"]}).status_code == 304
    assert api.request("HEAD", f"/v1/disciplines/{d['id']}", token=tokens["admin"]).status_code == 200
    assert reads(server)[before + 1:] == [(6, d["id"], [d["id"]], ""), (1, d["id"], [d["id"]], "")]
    # each page of a list, with the ids answered and the query; an empty page too
    before = len(reads(server))
    page = api.get("/v1/disciplines", token=tokens["admin"], params={"person_id": person["id"]}).json()["items"]
    api.get("/v1/disciplines", token=tokens["officer"], params={"person_id": person["id"]})
    assert reads(server)[before:] == [(1, None, [x["id"] for x in page], f"person_id={person['id']}"),
                                      (3, None, [], f"person_id={person['id']}")]
    # a caller that cannot see it reads nothing, and nothing is recorded
    before = len(reads(server))
    assert api.get(f"/v1/disciplines/{d['id']}", token=tokens["viewer"]).status_code == 404
    assert len(reads(server)) == before
    # admins read the entries like any other (validated against AuditEntry)
    entries = api.get("/v1/audit", token=tokens["admin"], params={"entity": "discipline", "limit": 500}).json()["items"]
    assert {"create", "read"} <= {e["action"] for e in entries}
    assert api.delete(f"/v1/disciplines/{d['id']}", token=tokens["admin"]).status_code == 204


def test_change_feed_restricted_and_never_inline(api, tokens, units, server, person):
    start = int(server.sql("SELECT coalesce(max(seq), 0) FROM change_feed"))
    d = api.post("/v1/disciplines", token=tokens["authority_ls"], json=body(person["id"])).json()
    assert api.patch(f"/v1/disciplines/{d['id']}", token=tokens["authority_ls"], json={"pending": True}).status_code == 200
    before = len(reads(server))
    admin = [c for c in api.get("/v1/changes", token=tokens["admin"], params={"after": start, "limit": 500}).json()["items"]
             if c["entity"] == "discipline"]
    assert [(c["action"], c["entity_id"], c["current"]) for c in admin] == [("create", d["id"], None), ("update", d["id"], None)]
    assert admin[0]["href"] == f"/v1/disciplines/{d['id']}"
    assert len(reads(server)) == before, "the feed shows nothing of it, so reads nothing"
    integration = api.get("/v1/changes", token=tokens["integration"], params={"after": start, "limit": 500}).json()["items"]
    assert "discipline" not in [c["entity"] for c in integration]
    assert api.delete(f"/v1/disciplines/{d['id']}", token=tokens["authority_ls"]).status_code == 204


def test_a_persons_delete_does_not_tell_an_officer_about_disciplines(api, tokens, units):
    p = api.post("/v1/people", token=tokens["officer"], json={"unit_id": units["TT-LSN"], "full_name": "Đặng Thị Xét"}).json()
    d = api.post("/v1/disciplines", token=tokens["authority_ls"], json=body(p["id"], pending=True)).json()
    r = api.delete(f"/v1/people/{p['id']}", token=tokens["officer"])
    assert r.status_code == 409 and "disciplin" not in r.text.lower() and "kỷ luật" not in r.text.lower(), r.text
    assert api.delete(f"/v1/disciplines/{d['id']}", token=tokens["authority_ls"]).status_code == 204
    assert api.delete(f"/v1/people/{p['id']}", token=tokens["officer"]).status_code == 204


@pytest.mark.parametrize("change,field,code", [
    ({"person_id": None}, "person_id", None),
    ({"person_id": 999999999}, "person_id", "not_found"),
    ({"level": "censure"}, "level", None),
    ({"level": None}, "level", None),
    ({"decided_on": "2025-02-30"}, "decided_on", None),
    ({"effective_from": "10/03/2025"}, "effective_from", None),
    ({"effective_to": "2025-03-09"}, "effective_to", "before_start"),
    ({"decision_number": ""}, "decision_number", None),
    ({"decision_number": "x" * 65}, "decision_number", None),
    ({"note": "x" * 2001}, "note", None),
    ({"pending": "yes"}, "pending", None),
    ({"id": 5}, "id", None),
    ({"version": 3}, "version", None),
    ({"colour": "red"}, "colour", None),
])
def test_validation_refuses_and_changes_nothing(api, tokens, server, person, change, field, code):
    before = system_count(server, "SELECT count(*) FROM disciplines")
    audited = system_count(server, "SELECT count(*) FROM audit_log")
    b = body(person["id"])
    b.update(change)
    b = {k: v for k, v in b.items() if not (k == "person_id" and v is None)}
    r = api.post("/v1/disciplines", token=tokens["admin"], json=b)
    assert r.status_code == 422, r.text
    errors = [(e["field"], e["code"]) for e in r.json()["errors"]]
    assert field in [f for f, _ in errors] and (code is None or (field, code) in errors), errors
    assert system_count(server, "SELECT count(*) FROM disciplines") == before
    assert system_count(server, "SELECT count(*) FROM audit_log") == audited


@pytest.mark.parametrize("change,field,code", [
    ({"effective_to": "2020-01-01"}, "effective_to", "before_start"),
    ({"effective_from": "2030-01-01"}, "effective_to", "before_start"),
    ({"person_id": 1}, "person_id", None),
    ({"level": "exile"}, "level", None),
    ({"decision_number": None}, "decision_number", None),
])
def test_patch_validation_refuses_and_changes_nothing(api, tokens, server, person, change, field, code):
    d = api.post("/v1/disciplines", token=tokens["admin"], json=body(person["id"])).json()
    r = api.patch(f"/v1/disciplines/{d['id']}", token=tokens["admin"], json=change)
    assert r.status_code == 422, r.text
    errors = [(e["field"], e["code"]) for e in r.json()["errors"]]
    assert field in [f for f, _ in errors] and (code is None or (field, code) in errors), errors
    after = api.get(f"/v1/disciplines/{d['id']}", token=tokens["admin"]).json()
    assert after == d
    assert api.delete(f"/v1/disciplines/{d['id']}", token=tokens["admin"]).status_code == 204
