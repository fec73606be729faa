"""/v1/campaigns: demo campaigns, launching by role, period rules, the draft -> active -> closed
actions, the indicators list, filters, and the public list without a token."""
import itertools

import pytest
import requests

counter = itertools.count(1)


def launch(api, token, unit_id, **extra):
    body = {"code": f"CP-{next(counter):04d}", "title": "Phong trào thi đua chuyên đề thử nghiệm",
            "kind": "thematic", "launched_by_unit_id": unit_id, "starts_on": "2024-01-01", "ends_on": "2025-12-31"}
    body.update(extra)
    return api.post("/v1/campaigns", token=token, json=body)


def by_code(api, token, code):
    items = api.get("/v1/campaigns", token=token, params={"q": code}).json()["items"]
    return next(c for c in items if c["code"] == code)


def test_demo_campaigns(api, tokens, units):
    c142 = by_code(api, tokens["viewer"], "BNCTW-142")
    assert c142["plan_document"] == "142-KH/BNCTW" and c142["plan_date"] == "2019-02-26"
    assert (c142["starts_on"], c142["ends_on"], c142["status"], c142["kind"]) == ("2019-02-26", "2020-12-31", "closed", "thematic")
    ind = api.get(f"/v1/campaigns/{c142['id']}/indicators", token=tokens["viewer"]).json()["items"]
    assert [i["indicator_code"] for i in ind] == ["corruption_cases_detected", "petty_corruption_incidents"]
    c2022 = by_code(api, tokens["viewer"], "TTCP-2022")
    assert c2022["theme"].startswith("Siết chặt kỷ cương")
    r = api.get("/v1/campaigns", token=tokens["viewer"], params={"q": "dan van kheo"})
    assert [c["code"] for c in r.json()["items"]] == ["DVK-2016-2020"]
    assert r.json()["items"][0]["cluster_ids"] == [], "open to every unit"


def test_filters(api, tokens, units):
    cum1 = api.get("/v1/clusters", token=tokens["viewer"], params={"organizer_unit_id": units["BNCTW"]}).json()["items"][0]
    r = api.get("/v1/campaigns", token=tokens["viewer"], params={"cluster_id": cum1["id"]})
    assert "BNCTW-142" in [c["code"] for c in r.json()["items"]]
    codes_2019 = [c["code"] for c in api.get("/v1/campaigns", token=tokens["viewer"], params={"year": 2019}).json()["items"]]
    assert "BNCTW-142" in codes_2019 and "DVK-2016-2020" in codes_2019 and "TTCP-2022" not in codes_2019
    r = api.get("/v1/campaigns", token=tokens["viewer"], params={"kind": "regular", "status": "closed"})
    assert all(c["kind"] == "regular" and c["status"] == "closed" for c in r.json()["items"])
    r = api.get("/v1/campaigns", token=tokens["viewer"], params={"launched_by_unit_id": units["TTCP"]})
    assert all(c["launched_by_unit_id"] == units["TTCP"] for c in r.json()["items"])
    # cluster and year together take a prepared path of their own: same answers, pages too
    both = api.get("/v1/campaigns", token=tokens["viewer"], params={"cluster_id": cum1["id"], "year": 2020}).json()["items"]
    assert [c["code"] for c in both] == ["BNCTW-142"]
    assert api.get("/v1/campaigns", token=tokens["viewer"], params={"cluster_id": cum1["id"], "year": 2021}).json()["items"] == []
    made = [launch(api, tokens["admin"], units["BNCTW"], cluster_ids=[cum1["id"]], starts_on="2020-01-01",
                   ends_on="2020-06-30").json()["id"] for _ in range(3)]
    seen, cursor = [], None
    while True:
        params = {"cluster_id": cum1["id"], "year": 2020, "limit": 2}
        if cursor:
            params["cursor"] = cursor
        page = api.get("/v1/campaigns", token=tokens["viewer"], params=params).json()
        seen += [c["id"] for c in page["items"]]
        cursor = page["next_cursor"]
        if not cursor:
            break
    assert seen == sorted(seen) and set(made) <= set(seen) and len(seen) == 4
    public = api.get("/v1/public/campaigns", params={"cluster_id": cum1["id"], "year": 2020}).json()["items"]
    assert [c["code"] for c in public] == ["BNCTW-142"], "drafts stay out of the public list on this path too"
    for bad in ({"status": "open"}, {"year": 1800}, {"cluster_id": "x"}):
        assert api.get("/v1/campaigns", token=tokens["viewer"], params=bad).status_code == 400


def test_launch_by_role(api, tokens, units):
    assert launch(api, tokens["authority"], units["TTCP"]).status_code == 201
    assert launch(api, tokens["authority"], units["BNCTW"]).status_code == 403
    assert launch(api, tokens["authority_ls"], units["TTCP"]).status_code == 403
    for role in ("officer", "viewer", "integration"):
        assert launch(api, tokens[role], units["TTCP"]).status_code == 403
    r = launch(api, tokens["admin"], 987654321)
    assert r.status_code == 422 and r.json()["errors"][0]["field"] == "launched_by_unit_id"


@pytest.mark.parametrize("change,field,code", [
    ({"ends_on": "2023-12-31"}, "ends_on", "before_start"),
    ({"starts_on": "2024-02-30"}, "starts_on", "date"),
    ({"kind": "special"}, "kind", "enum"),
    ({"cluster_ids": [1, 1]}, "cluster_ids", "duplicate"),
    ({"cluster_ids": [987654321]}, "cluster_ids", "not_found"),
    ({"cluster_ids": "1"}, "cluster_ids", "type"),
    ({"status": "active"}, "status", "read_only"),
    ({"title": ""}, "title", "blank"),
    ({"code": "TTCP-2022"}, "code", "duplicate"),
])
def test_launch_validation(api, tokens, units, change, field, code):
    r = launch(api, tokens["admin"], units["TTCP"], **change)
    assert r.status_code in (409, 422), r.text
    assert {"field": field, "code": code} in [{"field": e["field"], "code": e["code"]} for e in r.json()["errors"]]


def test_lifecycle_and_indicators(api, tokens, units):
    cum4 = api.get("/v1/clusters", token=tokens["viewer"], params={"q": "cum thi dua so iv"}).json()["items"][0]
    c = launch(api, tokens["authority"], units["TTCP"], cluster_ids=[cum4["id"]]).json()
    assert c["status"] == "draft" and c["cluster_ids"] == [cum4["id"]]
    url = f"/v1/campaigns/{c['id']}"
    r = api.request("PUT", url + "/indicators", token=tokens["authority"], json=[
        {"indicator_code": "inspections", "max_points": 40}, {"indicator_code": "recovery_rate"}])
    assert r.status_code == 200 and [i["indicator_code"] for i in r.json()["items"]] == ["inspections", "recovery_rate"]
    for items, field in (([{"indicator_code": "nope_code"}], "indicators"), ([{"indicator_code": "inspections"}] * 2, "[1].indicator_code"),
                         ([{"indicator_code": "inspections", "max_points": 5000}], "[0].max_points")):
        r = api.request("PUT", url + "/indicators", token=tokens["authority"], json=items)
        assert r.status_code == 422 and r.json()["errors"][0]["field"] == field
    assert api.request("PUT", url + "/indicators", token=tokens["officer"], json=[]).status_code == 403
    assert api.post(url + "/close", token=tokens["authority"]).status_code == 409
    r = api.post(url + "/activate", token=tokens["authority"], headers={"If-Match": '"1"'})
    assert r.status_code == 200 and r.json()["status"] == "active" and r.json()["version"] == 2
    r = api.post(url + "/activate", token=tokens["authority"])
    assert r.status_code == 409 and "active" in r.json()["detail"]
    assert api.request("PUT", url + "/indicators", token=tokens["authority"], json=[]).status_code == 409
    assert api.delete(url, token=tokens["authority"]).status_code == 409
    assert api.patch(url, token=tokens["authority"], json={"description": "Giữa kỳ"}).status_code == 200
    assert api.post(url + "/close", token=tokens["officer"]).status_code == 403
    assert api.post(url + "/close", token=tokens["authority"]).json()["status"] == "closed"
    assert api.patch(url, token=tokens["authority"], json={"description": "x"}).status_code == 409
    audit = api.get("/v1/audit", token=tokens["admin"], params={"entity": "campaign", "entity_id": c["id"]}).json()["items"]
    assert [e["changes"].get("status", {}).get("new") for e in audit if "status" in e["changes"]] == ["draft", "active", "closed"]
    assert any("indicators" in e["changes"] for e in audit)


def test_patch_and_delete_draft(api, tokens, units):
    c = launch(api, tokens["admin"], units["TTCP"]).json()
    url = f"/v1/campaigns/{c['id']}"
    r = api.patch(url, token=tokens["admin"], json={"ends_on": "2023-01-01"})
    assert r.status_code == 422 and r.json()["errors"][0]["code"] == "before_start"
    r = api.patch(url, token=tokens["admin"], json={"plan_document": "01-KH/TTCP", "plan_date": "2024-01-02", "cluster_ids": []})
    assert r.status_code == 200 and r.json()["plan_document"] == "01-KH/TTCP"
    assert api.get(url, token=tokens["viewer"], headers={"If-None-Match": r.headers["ETag"]}).status_code == 304
    assert api.delete(url, token=tokens["viewer"]).status_code == 403
    assert api.delete(url, token=tokens["admin"]).status_code == 204
    assert api.get(url, token=tokens["admin"]).status_code == 404


def test_public_campaigns(server, api, tokens, units, contract):
    draft = launch(api, tokens["admin"], units["TTCP"]).json()
    r = requests.get(server.base + "/v1/public/campaigns", params={"limit": 500})
    contract.check("GET", "/v1/public/campaigns", r)
    assert r.status_code == 200 and r.headers["Cache-Control"] == "public, max-age=60"
    codes = [c["code"] for c in r.json()["items"]]
    assert "BNCTW-142" in codes and draft["code"] not in codes
    assert all(c["status"] != "draft" for c in r.json()["items"])
    again = requests.get(server.base + "/v1/public/campaigns", params={"limit": 500},
                         headers={"If-None-Match": r.headers["ETag"]})
    contract.check("GET", "/v1/public/campaigns", again)
    assert again.status_code == 304 and again.content == b""
    bad = requests.get(server.base + "/v1/public/campaigns", params={"status": "draft"})
    assert bad.status_code == 400


def test_indicator_list_with_a_bad_item_before_a_good_one(api, tokens, units):
    """Items that fail to decode are skipped by the duplicate check (once read uninitialised)."""
    c = launch(api, tokens["admin"], units["TTCP"]).json()
    items = [5, {"indicator_code": "inspections"}, "x", {"indicator_code": "inspections"}]
    r = api.request("PUT", f"/v1/campaigns/{c['id']}/indicators", token=tokens["admin"], json=items)
    assert r.status_code == 422
    fields = {e["field"] for e in r.json()["errors"]}
    assert {"[0]", "[2]", "[3].indicator_code"} <= fields


def test_indicators_of_another_organisation(api, tokens, units):
    """only the launching subtree's authorities (and admins) set a campaign's indicators"""
    c = launch(api, tokens["authority"], units["TTCP"]).json()
    url = f"/v1/campaigns/{c['id']}/indicators"
    for role in ("authority_bnctw", "authority_ls", "officer", "viewer", "integration"):
        assert api.request("PUT", url, token=tokens[role], json=[{"indicator_code": "inspections"}]).status_code == 403
    assert api.request("PUT", url, token=tokens["authority"], json=[{"indicator_code": "inspections"}],
                       headers={"If-Match": '"7"'}).status_code == 412
    assert api.get(url, token=tokens["viewer"]).json()["items"] == []
    assert api.get(url, token=tokens["viewer"], params={"year": 2024}).status_code == 400
    assert api.request("PUT", url, token=tokens["authority"], json=[{"indicator_code": "inspections"}],
                       headers={"If-Match": '"1"'}).status_code == 200
