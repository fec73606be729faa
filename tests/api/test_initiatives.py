"""/v1/initiatives and /v1/stats/initiatives: the 112 "Dân vận khéo" models, registering,
recognition by authorities only, accent-insensitive q."""
import itertools

import pytest

counter = itertools.count(1)


@pytest.fixture(scope="module")
def dvk(api, tokens):
    return api.get("/v1/campaigns", token=tokens["viewer"], params={"q": "dan van kheo"}).json()["items"][0]


@pytest.fixture(scope="module")
def open_campaign(api, tokens, units):
    c = api.post("/v1/campaigns", token=tokens["authority"], json={
        "code": "INIT-TEST", "title": "Dân vận khéo 2026", "kind": "thematic", "launched_by_unit_id": units["TTCP"],
        "starts_on": "2026-01-01", "ends_on": "2026-12-31"}).json()
    assert api.post(f"/v1/campaigns/{c['id']}/activate", token=tokens["authority"]).status_code == 200
    return c


def test_stats_reproduce_the_article(api, tokens, dvk):
    r = api.get("/v1/stats/initiatives", token=tokens["viewer"], params={"campaign_id": dvk["id"], "group_by": "field"})
    assert r.status_code == 200
    body = r.json()
    assert body["total"] == 112
    assert {g["key"]: g["count"] for g in body["groups"]} == {
        "new_rural_development": 40, "administrative_reform": 33, "front_and_mass_organizations": 5,
        "party_and_government_building": 34}
    assert [g["count"] for g in body["groups"]] == sorted([g["count"] for g in body["groups"]], reverse=True)
    by_status = api.get("/v1/stats/initiatives", token=tokens["viewer"], params={"campaign_id": dvk["id"], "group_by": "status"}).json()
    assert by_status["groups"] == [{"key": "recognized", "count": 112}]
    by_level = api.get("/v1/stats/initiatives", token=tokens["viewer"], params={"campaign_id": dvk["id"], "group_by": "level"}).json()
    assert by_level["groups"] == [{"key": "province", "count": 112}]
    assert api.get("/v1/stats/initiatives", token=tokens["viewer"], params={"group_by": "unit"}).status_code == 400


def test_q_and_filters(api, tokens, units, dvk):
    r = api.get("/v1/initiatives", token=tokens["viewer"], params={"q": "truoc trong va sau thanh tra"})
    items = r.json()["items"]
    assert [i["title"] for i in items] == ["Nâng cao hiệu lực, hiệu quả và chất lượng hoạt động trước, trong và sau thanh tra"]
    assert items[0]["unit_id"] == units["TT-KGG"] and items[0]["person_id"]
    sub = api.get("/v1/initiatives", token=tokens["viewer"], params={"unit_id": units["DUK-KG"], "subtree": "true",
                                                                     "campaign_id": dvk["id"], "limit": 500}).json()["items"]
    assert len(sub) == 112
    assert all(i["field"] == "administrative_reform" for i in api.get(
        "/v1/initiatives", token=tokens["viewer"], params={"field": "administrative_reform", "limit": 100}).json()["items"])
    n = api.get("/v1/stats/initiatives", token=tokens["viewer"], params={"unit_id": units["TT-KGG-PCTN"]}).json()["total"]
    assert 0 < n < 112


def test_register_and_recognize(api, tokens, units, open_campaign, server):
    person = api.post("/v1/people", token=tokens["officer"], json={"unit_id": units["TT-LSN"], "full_name": "Hà Thị Lan"}).json()
    url = f"/v1/campaigns/{open_campaign['id']}/initiatives"
    r = api.post(url, token=tokens["officer"], json={"unit_id": units["TT-LSN"], "person_id": person["id"],
                                                     "title": "Tiếp dân tận tình", "field": "administrative_reform", "year": 2026})
    assert r.status_code == 201, r.text
    ini = r.json()
    assert ini["status"] == "registered" and ini["recognized_level"] is None
    # recognition is for authorities over the unit
    rec = {"level": "province", "recognized_on": "2026-11-20", "scope": "national"}
    assert api.post(f"/v1/initiatives/{ini['id']}/recognize", token=tokens["officer"], json=rec).status_code == 403
    assert api.post(f"/v1/initiatives/{ini['id']}/recognize", token=tokens["authority_bnctw"], json=rec).status_code == 403
    for bad in ({"level": "province"}, {"recognized": False, "level": "province"}, {"level": "planet", "recognized_on": "2026-01-01"},
                {"level": "province", "recognized_on": "2026-01-01", "scope": "world"}, {"recognized": False, "scope": "unit"}):
        assert api.post(f"/v1/initiatives/{ini['id']}/recognize", token=tokens["authority"], json=bad).status_code == 422
    r = api.post(f"/v1/initiatives/{ini['id']}/recognize", token=tokens["authority"], json=rec)
    assert r.status_code == 200
    assert (r.json()["status"], r.json()["recognized_level"], r.json()["recognized_on"], r.json()["recognized_by_unit_id"]) == (
        "recognized", "province", "2026-11-20", units["TTCP"])
    # the scope of effect is the recognition's own: a province's recognition of nationwide effect
    assert r.json()["recognized_scope"] == "national"
    assert api.post(f"/v1/initiatives/{ini['id']}/recognize", token=tokens["authority"], json=rec).status_code == 409
    assert api.patch(f"/v1/initiatives/{ini['id']}", token=tokens["officer"], json={"title": "x"}).status_code == 409
    # not recognised
    other = api.post(url, token=tokens["officer"], json={"unit_id": units["TT-LSN"], "title": "Mô hình khác",
                                                         "field": "other", "year": 2026}).json()
    r = api.post(f"/v1/initiatives/{other['id']}/recognize", token=tokens["admin"], json={"recognized": False})
    assert r.status_code == 200 and r.json()["status"] == "not_recognized" and r.json()["recognized_by_unit_id"] is None


@pytest.mark.parametrize("change,field,code", [
    ({"year": 2025}, "year", "outside_period"),
    ({"field": "sports"}, "field", "enum"),
    ({"title": ""}, "title", "blank"),
    ({"person_id": 987654321}, "person_id", "not_found"),
    ({"status": "recognized"}, "status", "read_only"),
])
def test_initiative_validation(api, tokens, units, open_campaign, change, field, code):
    body = {"unit_id": units["TT-LSN"], "title": "Mô hình", "field": "other", "year": 2026}
    body.update(change)
    r = api.post(f"/v1/campaigns/{open_campaign['id']}/initiatives", token=tokens["officer"], json=body)
    assert r.status_code == 422, r.text
    assert {"field": field, "code": code} in [{"field": e["field"], "code": e["code"]} for e in r.json()["errors"]]


def test_person_of_another_unit_and_roles(api, tokens, units, open_campaign, dvk):
    someone = api.get("/v1/people", token=tokens["viewer"], params={"q": "le truong ke"}).json()["items"][0]
    r = api.post(f"/v1/campaigns/{open_campaign['id']}/initiatives", token=tokens["officer"], json={
        "unit_id": units["TT-LSN"], "person_id": someone["id"], "title": "x", "field": "other", "year": 2026})
    assert r.status_code == 422 and r.json()["errors"][0]["code"] == "other_unit"
    body = {"unit_id": units["TT-SLA"], "title": "x", "field": "other", "year": 2026}
    assert api.post(f"/v1/campaigns/{open_campaign['id']}/initiatives", token=tokens["officer"], json=body).status_code == 403
    for role in ("viewer", "integration"):
        assert api.post(f"/v1/campaigns/{open_campaign['id']}/initiatives", token=tokens[role], json=body).status_code == 403
    closed = api.post(f"/v1/campaigns/{dvk['id']}/initiatives", token=tokens["admin"], json=dict(body, year=2018))
    assert closed.status_code == 422 and closed.json()["errors"][0]["code"] == "not_active"
    ini = api.post(f"/v1/campaigns/{open_campaign['id']}/initiatives", token=tokens["admin"], json=body).json()
    assert api.get(f"/v1/initiatives/{ini['id']}", token=tokens["integration"]).status_code == 200
    assert api.delete(f"/v1/initiatives/{ini['id']}", token=tokens["officer"]).status_code == 403
    assert api.delete(f"/v1/initiatives/{ini['id']}", token=tokens["authority"]).status_code == 204


def test_patch_keeps_the_period_and_others_units_out(api, tokens, units, open_campaign, server):
    url = f"/v1/campaigns/{open_campaign['id']}/initiatives"
    ini = api.post(url, token=tokens["officer"], json={"unit_id": units["TT-LSN"], "title": "Một cửa liên thông",
                                                       "field": "administrative_reform", "year": 2026}).json()
    # a year outside the campaign's period is refused on a patch as on a create, and changes nothing
    r = api.patch(f"/v1/initiatives/{ini['id']}", token=tokens["officer"], json={"year": 2025})
    assert r.status_code == 422 and r.json()["errors"][0]["code"] == "outside_period", r.text
    assert api.get(f"/v1/initiatives/{ini['id']}", token=tokens["viewer"]).json()["year"] == 2026
    # another unit's officer, another organisation's authority, and read-only roles may not change it
    sla_officer = server.token("officer", units["TT-SLA"], sub=311)
    for token in (sla_officer, tokens["authority_bnctw"], tokens["viewer"], tokens["integration"]):
        assert api.patch(f"/v1/initiatives/{ini['id']}", token=token, json={"title": "x"}).status_code == 403
        assert api.delete(f"/v1/initiatives/{ini['id']}", token=token).status_code == 403
    # moving it to a unit outside the caller's subtree is refused
    assert api.patch(f"/v1/initiatives/{ini['id']}", token=tokens["officer"],
                     json={"unit_id": units["TT-SLA"]}).status_code == 403
    # no unit recognises its own initiatives; read-only roles recognise none
    rec = {"level": "province", "recognized_on": "2026-11-20"}
    for role in ("authority_ls", "viewer", "integration"):
        assert api.post(f"/v1/initiatives/{ini['id']}/recognize", token=tokens[role], json=rec).status_code == 403
    assert api.get(f"/v1/initiatives/{ini['id']}", token=tokens["viewer"]).json()["status"] == "registered"
