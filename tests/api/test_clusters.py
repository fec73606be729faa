"""/v1/clusters and their yearly members: demo data, membership rules (in C and in the
database, under concurrency), rollover, roles."""
import itertools
import threading

import pytest

counter = itertools.count(1)


def new_cluster(api, token, organizer, **extra):
    body = {"code": f"CL-{next(counter):04d}", "name": "Cụm thi đua thử nghiệm", "organizer_unit_id": organizer}
    body.update(extra)
    return api.post("/v1/clusters", token=token, json=body)


def members(api, token, cid, year):
    r = api.get(f"/v1/clusters/{cid}/members", token=token, params={"year": year})
    assert r.status_code == 200, r.text
    return [(m["unit_id"], m["role"]) for m in r.json()["items"]]


def put(api, token, cid, year, items):
    return api.request("PUT", f"/v1/clusters/{cid}/members/{year}", token=token, json=items)


@pytest.fixture(scope="module")
def cum_iv(api, tokens):
    items = api.get("/v1/clusters", token=tokens["viewer"], params={"q": "cum thi dua so iv"}).json()["items"]
    assert [c["code"] for c in items] == ["TTCP-CUM-IV"]
    return items[0]


def test_demo_clusters(api, tokens, units, cum_iv):
    m2022 = members(api, tokens["viewer"], cum_iv["id"], 2022)
    assert len(m2022) == 7 and m2022[0] == (units["TT-LSN"], "leader") and m2022[1] == (units["TT-LCH"], "deputy")
    m2023 = members(api, tokens["viewer"], cum_iv["id"], 2023)
    assert m2023[0] == (units["TT-LCH"], "leader") and m2023[1] == (units["TT-LCI"], "deputy")
    cum1 = api.get("/v1/clusters", token=tokens["viewer"], params={"organizer_unit_id": units["BNCTW"]}).json()["items"]
    assert [c["code"] for c in cum1] == ["BNCTW-CUM-1"]
    m2019 = members(api, tokens["viewer"], cum1[0]["id"], 2019)
    assert len(m2019) == 14 and (units["BNC-TQG"], "deputy") in m2019
    assert members(api, tokens["viewer"], cum1[0]["id"], 2030) == []


def test_clusters_of_a_unit_in_a_year(api, tokens, units):
    r = api.get("/v1/clusters", token=tokens["viewer"], params={"unit_id": units["TT-LSN"], "year": 2022})
    assert "TTCP-CUM-IV" in [c["code"] for c in r.json()["items"]]
    r = api.get("/v1/clusters", token=tokens["viewer"], params={"unit_id": units["TT-LSN"], "year": 2019})
    assert "TTCP-CUM-IV" not in [c["code"] for c in r.json()["items"]]
    assert api.get("/v1/clusters", token=tokens["viewer"], params={"unit_id": units["TT-LSN"]}).status_code == 400
    assert api.get("/v1/clusters", token=tokens["viewer"], params={"year": 1990, "unit_id": 1}).status_code == 400
    assert api.get("/v1/clusters/1/members", token=tokens["viewer"]).status_code == 400


def test_who_sets_up_clusters(api, tokens, units):
    assert new_cluster(api, tokens["authority"], units["TTCP"]).status_code == 201
    assert new_cluster(api, tokens["authority"], units["TT-LSN"]).status_code == 201  # a descendant organises
    assert new_cluster(api, tokens["authority"], units["BNCTW"]).status_code == 403   # another organisation
    assert new_cluster(api, tokens["authority_ls"], units["TTCP"]).status_code == 403  # above its unit
    for role in ("officer", "viewer", "integration"):
        assert new_cluster(api, tokens[role], units["TTCP"]).status_code == 403
    r = new_cluster(api, tokens["admin"], 987654321)
    assert r.status_code == 422 and r.json()["errors"][0]["field"] == "organizer_unit_id"
    r = new_cluster(api, tokens["admin"], units["TTCP"], code="TTCP-CUM-IV")
    assert r.status_code == 409
    for bad in ({"kind": "group"}, {"code": "lower"}, {"name": ""}, {"extra": 1}):
        assert new_cluster(api, tokens["admin"], units["TTCP"], **bad).status_code == 422


def test_member_rules(api, tokens, units):
    c = new_cluster(api, tokens["authority"], units["TTCP"]).json()
    u = units
    cases = [
        ([{"unit_id": u["TT-LSN"], "role": "leader"}, {"unit_id": u["TT-SLA"], "role": "leader"}], "members", "leader_count"),
        ([{"unit_id": u["TT-LSN"], "role": "member"}], "members", "leader_count"),
        ([{"unit_id": u["TT-LSN"], "role": "leader"}, {"unit_id": u["TT-SLA"], "role": "deputy"},
          {"unit_id": u["TT-DBN"], "role": "deputy"}], "members", "deputy_count"),
        ([{"unit_id": u["TT-LSN"], "role": "leader"}, {"unit_id": u["TT-LSN"], "role": "member"}], "[1].unit_id", "duplicate"),
        ([{"unit_id": u["TT-LSN"], "role": "leader"}, {"unit_id": 987654321, "role": "member"}], "members", "not_found"),
        ([{"unit_id": u["TT-LSN"], "role": "leader"}, {"unit_id": u["TT-SLA"], "role": "chair"}], "[1].role", "enum"),
        ([{"unit_id": u["TT-LSN"], "role": "leader", "note": "x"}], "[0].note", "unknown_field"),
        ([5], "[0]", "type"),
    ]
    for items, field, code in cases:
        r = put(api, tokens["authority"], c["id"], 2022, items)
        assert r.status_code == 422, (items, r.text)
        assert {"field": field, "code": code} in [{"field": e["field"], "code": e["code"]} for e in r.json()["errors"]], r.json()
    # Lạng Sơn is in Cụm IV of the same organiser in 2022: named in the answer
    r = put(api, tokens["authority"], c["id"], 2022, [{"unit_id": u["TT-LSN"], "role": "leader"}])
    assert r.status_code == 422 and "TTCP-CUM-IV" in r.json()["errors"][0]["message"]
    # in 2024 it is free
    r = put(api, tokens["authority"], c["id"], 2024, [{"unit_id": u["TT-LSN"], "role": "leader"},
                                                       {"unit_id": u["TT-SLA"], "role": "deputy"}])
    assert r.status_code == 200 and r.json()["items"][0]["unit_name"] == "Thanh tra tỉnh Lạng Sơn"
    # a unit may be in clusters of different organisers the same year
    other = new_cluster(api, tokens["authority"], units["TT-LSN"]).json()
    assert put(api, tokens["authority"], other["id"], 2024, [{"unit_id": u["TT-LSN"], "role": "leader"}]).status_code == 200
    assert put(api, tokens["authority"], c["id"], 2024, []).status_code == 200
    assert members(api, tokens["viewer"], c["id"], 2024) == []
    for body in ({"unit_id": 1}, "x"):
        assert put(api, tokens["authority"], c["id"], 2024, body).status_code == 400
    assert put(api, tokens["authority"], c["id"], 1999, []).status_code == 404
    assert put(api, tokens["authority"], 987654321, 2024, []).status_code == 404


@pytest.mark.parametrize("role", ["officer", "viewer", "integration", "authority_ls", "authority_bnctw"])
def test_members_by_role(api, tokens, units, cum_iv, role):
    r = put(api, tokens[role], cum_iv["id"], 2022, [{"unit_id": units["TT-LSN"], "role": "leader"}])
    assert r.status_code == 403
    assert len(members(api, tokens["viewer"], cum_iv["id"], 2022)) == 7


def test_concurrent_puts_of_one_cluster_year(api, tokens, units):
    c = new_cluster(api, tokens["admin"], units["DUK-KG"]).json()
    candidates = [units["TT-KGG"], units["TT-KGG-PCTN"], units["TT-LSN"], units["TT-SLA"], units["TT-DBN"]]
    lists = [[{"unit_id": candidates[i % 5], "role": "leader"}, {"unit_id": candidates[(i + 1) % 5], "role": "deputy"},
              {"unit_id": candidates[(i + 2) % 5], "role": "member"}] for i in range(8)]
    results = []
    barrier = threading.Barrier(len(lists))

    def go(items):
        barrier.wait()
        results.append(put(api, tokens["admin"], c["id"], 2025, items).status_code)

    threads = [threading.Thread(target=go, args=(l,)) for l in lists]
    [t.start() for t in threads]
    [t.join() for t in threads]
    assert all(s in (200, 409, 503) for s in results) and results.count(200) >= 1, results
    final = members(api, tokens["viewer"], c["id"], 2025)
    assert sorted(final, key=lambda m: m[0]) in [sorted([(i["unit_id"], i["role"]) for i in l], key=lambda m: m[0]) for l in lists]
    assert [r for _, r in final].count("leader") == 1


def test_concurrent_puts_into_two_clusters_of_one_organiser(api, tokens, units):
    a = new_cluster(api, tokens["admin"], units["BNCTW"]).json()
    b = new_cluster(api, tokens["admin"], units["BNCTW"]).json()
    for _ in range(3):
        year = 2040 + next(counter) % 50
        results = {}
        barrier = threading.Barrier(2)

        def go(cid):
            barrier.wait()
            results[cid] = put(api, tokens["admin"], cid, year, [{"unit_id": units["BNC-LSN"], "role": "leader"}]).status_code

        threads = [threading.Thread(target=go, args=(cid,)) for cid in (a["id"], b["id"])]
        [t.start() for t in threads]
        [t.join() for t in threads]
        assert sorted(results.values()) == [200, 422], results
        holders = [cid for cid in (a["id"], b["id"]) if members(api, tokens["viewer"], cid, year)]
        assert len(holders) == 1


def test_rollover(api, tokens, units):
    c = new_cluster(api, tokens["authority"], units["TTCP"]).json()
    u = units
    assert put(api, tokens["authority"], c["id"], 2030, [
        {"unit_id": u["TT-LSN"], "role": "leader"}, {"unit_id": u["TT-LCH"], "role": "deputy"},
        {"unit_id": u["TT-LCI"], "role": "member"}, {"unit_id": u["TT-SLA"], "role": "member"}]).status_code == 200
    rollover = lambda body: api.post(f"/v1/clusters/{c['id']}/rollover", token=tokens["authority"], json=body)
    assert rollover({"from_year": 2030, "deputy_unit_id": u["TT-LCH"]}).status_code == 422   # already the deputy
    assert rollover({"from_year": 2030, "deputy_unit_id": u["TT-HGG"]}).status_code == 422   # not a member
    assert rollover({"from_year": 2035, "deputy_unit_id": u["TT-LCI"]}).status_code == 422   # no members then
    r = rollover({"from_year": 2030, "deputy_unit_id": u["TT-LCI"]})
    assert r.status_code == 201 and r.headers["Location"] == f"/v1/clusters/{c['id']}/members?year=2031"
    assert [(m["unit_id"], m["role"]) for m in r.json()["items"]] == [
        (u["TT-LCH"], "leader"), (u["TT-LCI"], "deputy")] + sorted([(u["TT-LSN"], "member"), (u["TT-SLA"], "member")])
    assert rollover({"from_year": 2030, "deputy_unit_id": u["TT-LCI"]}).status_code == 409
    assert api.post(f"/v1/clusters/{c['id']}/rollover", token=tokens["officer"],
                    json={"from_year": 2031, "deputy_unit_id": u["TT-LSN"]}).status_code == 403
    audit = api.get("/v1/audit", token=tokens["admin"], params={"entity": "cluster", "entity_id": c["id"]}).json()["items"]
    changes = [e["changes"] for e in audit if e["action"] == "update"]
    assert any("members_2031" in ch and ch["members_2031"]["old"] == [] for ch in changes)


def test_patch_and_delete(api, tokens, units):
    c = new_cluster(api, tokens["authority"], units["TTCP"], kind="bloc").json()
    assert c["kind"] == "bloc"
    r = api.patch(f"/v1/clusters/{c['id']}", token=tokens["authority"], json={"description": "Khối các Vụ"},
                  headers={"If-Match": '"1"'})
    assert r.status_code == 200 and r.json()["version"] == 2
    assert api.patch(f"/v1/clusters/{c['id']}", token=tokens["authority"], json={"organizer_unit_id": units["BNCTW"]}).status_code == 403
    assert api.patch(f"/v1/clusters/{c['id']}", token=tokens["authority_ls"], json={"name": "x"}).status_code == 403
    assert api.get(f"/v1/clusters/{c['id']}", token=tokens["viewer"], headers={"If-None-Match": '"2"'}).status_code == 304
    put(api, tokens["authority"], c["id"], 2050, [{"unit_id": units["TT-SLA"], "role": "leader"}])
    assert api.delete(f"/v1/clusters/{c['id']}", token=tokens["officer"]).status_code == 403
    assert api.delete(f"/v1/clusters/{c['id']}", token=tokens["authority"]).status_code == 204
    assert api.get(f"/v1/clusters/{c['id']}/members", token=tokens["viewer"], params={"year": 2050}).status_code == 404


def test_members_if_match(api, tokens, units):
    c = new_cluster(api, tokens["admin"], units["DUK-KG"]).json()
    items = [{"unit_id": units["TT-KGG"], "role": "leader"}]
    r = api.request("PUT", f"/v1/clusters/{c['id']}/members/2027", token=tokens["admin"], json=items,
                    headers={"If-Match": '"9"'})
    assert r.status_code == 412
    assert members(api, tokens["viewer"], c["id"], 2027) == []
    r = api.request("PUT", f"/v1/clusters/{c['id']}/members/2027", token=tokens["admin"], json=items,
                    headers={"If-Match": f'"{c["version"]}"'})
    assert r.status_code == 200 and [m["unit_id"] for m in r.json()["items"]] == [units["TT-KGG"]]
