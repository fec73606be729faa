"""/v1/indicators: the seeded catalogue, admin additions, read-only seeds, keyset by code."""
import pytest

SEEDED = {
    "inspections", "inspections_planned", "inspections_unplanned", "conclusions_issued", "inspected_subjects",
    "violation_vnd", "violation_land_m2", "recovery_recommended_vnd", "recovery_recommended_land_m2",
    "recovered_vnd", "recovered_land_m2", "recovery_rate", "sanction_decisions", "sanction_vnd",
    "admin_handling_orgs", "admin_handling_individuals", "cases_transferred", "subjects_transferred",
    "transferred_vnd", "policy_recommendations", "reception_turns", "citizens_received", "petitions_received",
    "petitions_eligible", "complaints_in_competence", "complaints_resolved", "complaint_resolution_rate",
    "corruption_cases_detected", "petty_corruption_incidents",
}


def all_indicators(api, token, **params):
    items, cursor = [], None
    while True:
        p = dict(params, limit=7)
        if cursor:
            p["cursor"] = cursor
        page = api.get("/v1/indicators", token=token, params=p).json()
        items += page["items"]
        cursor = page["next_cursor"]
        if not cursor:
            return items


def test_seeded_catalogue(api, tokens):
    items = all_indicators(api, tokens["viewer"])
    codes = [i["code"] for i in items]
    assert SEEDED <= set(codes)
    assert codes == sorted(codes), "ordered by code across pages"
    by = {i["code"]: i for i in items}
    assert by["recovery_rate"]["kind"] == "ratio" and by["recovery_rate"]["unit"] == "percent"
    assert (by["recovery_rate"]["numerator"], by["recovery_rate"]["denominator"]) == ("recovered_vnd", "recovery_recommended_vnd")
    assert (by["complaint_resolution_rate"]["numerator"], by["complaint_resolution_rate"]["denominator"]) == (
        "complaints_resolved", "complaints_in_competence")
    assert by["violation_land_m2"]["unit"] == "m2" and by["sanction_vnd"]["unit"] == "vnd"
    assert all(i["seeded"] for c, i in by.items() if c in SEEDED)
    assert by["corruption_cases_detected"]["name"] == "Số vụ án tham nhũng phát hiện, tham mưu xử lý"


def test_filters_and_q(api, tokens):
    ratios = all_indicators(api, tokens["viewer"], kind="ratio")
    assert {i["code"] for i in ratios} >= {"recovery_rate", "complaint_resolution_rate"}
    assert all(i["kind"] == "ratio" for i in ratios)
    assert all(i["unit"] == "m2" for i in all_indicators(api, tokens["viewer"], unit="m2"))
    found = api.get("/v1/indicators", token=tokens["viewer"], params={"q": "tham nhung vat"}).json()["items"]
    assert [i["code"] for i in found] == ["petty_corruption_incidents"]
    assert api.get("/v1/indicators?kind=other", token=tokens["viewer"]).status_code == 400


def test_get_by_code(api, tokens):
    r = api.get("/v1/indicators/recovery_rate", token=tokens["integration"])
    assert r.status_code == 200 and r.headers["ETag"] == '"1"'
    assert api.get("/v1/indicators/recovery_rate", token=tokens["viewer"], headers={"If-None-Match": '"1"'}).status_code == 304
    for missing in ("/v1/indicators/nothing_here", "/v1/indicators/Bad-Code", "/v1/indicators/" + "a" * 60):
        assert api.get(missing, token=tokens["viewer"]).status_code == 404


def test_admin_adds_changes_and_deletes(api, tokens):
    r = api.post("/v1/indicators", token=tokens["admin"], json={
        "code": "dvk_models", "name": "Số mô hình “Dân vận khéo”", "unit": "count",
        "description": "Mô hình được công nhận"})
    assert r.status_code == 201 and r.headers["Location"] == "/v1/indicators/dvk_models"
    assert r.json()["seeded"] is False and r.json()["kind"] == "base"
    assert api.post("/v1/indicators", token=tokens["admin"], json={"code": "dvk_models", "name": "x", "unit": "count"}).status_code == 409
    r = api.patch("/v1/indicators/dvk_models", token=tokens["admin"], json={"description": None}, headers={"If-Match": '"1"'})
    assert r.status_code == 200 and r.json()["description"] is None and r.json()["version"] == 2
    assert api.patch("/v1/indicators/dvk_models", token=tokens["admin"], json={"code": "other"}).status_code == 422
    assert api.patch("/v1/indicators/dvk_models", token=tokens["admin"], json={"kind": "ratio"}).status_code == 422
    audit = api.get("/v1/audit", token=tokens["admin"], params={"entity": "indicator", "entity_id": r.json()["id"]}).json()
    assert [e["action"] for e in audit["items"]] == ["create", "update"]
    assert api.delete("/v1/indicators/dvk_models", token=tokens["admin"], headers={"If-Match": '"1"'}).status_code == 412
    assert api.delete("/v1/indicators/dvk_models", token=tokens["admin"]).status_code == 204
    assert api.get("/v1/indicators/dvk_models", token=tokens["admin"]).status_code == 404


def test_seeded_are_read_only(api, tokens):
    r = api.patch("/v1/indicators/inspections", token=tokens["admin"], json={"name": "x"})
    assert r.status_code == 403
    assert api.delete("/v1/indicators/recovered_vnd", token=tokens["admin"]).status_code == 403
    assert api.get("/v1/indicators/inspections", token=tokens["admin"]).json()["name"] == "Số cuộc thanh tra, kiểm tra"


@pytest.mark.parametrize("body,field", [
    ({"code": "Bad", "name": "x", "unit": "count"}, "code"),
    ({"code": "x", "name": "x", "unit": "count"}, "code"),
    ({"code": "ok_code", "name": "x", "unit": "litres"}, "unit"),
    ({"code": "ok_code", "name": "x", "unit": "percent", "kind": "ratio"}, "kind"),
    ({"code": "ok_code", "name": "x", "unit": "count", "numerator": "inspections"}, "numerator"),
    ({"code": "ok_code", "name": "", "unit": "count"}, "name"),
    ({"code": "ok_code", "name": "x", "unit": "count", "seeded": True}, "seeded"),
])
def test_indicator_validation(api, tokens, body, field):
    r = api.post("/v1/indicators", token=tokens["admin"], json=body)
    assert r.status_code == 422 and r.json()["errors"][0]["field"] == field


@pytest.mark.parametrize("role", ["authority", "officer", "viewer", "integration"])
def test_only_admins_change_the_catalogue(api, tokens, role):
    assert api.post("/v1/indicators", token=tokens[role], json={"code": "by_" + role, "name": "x", "unit": "count"}).status_code == 403
    assert api.patch("/v1/indicators/inspections", token=tokens[role], json={"name": "x"}).status_code == 403
    assert api.delete("/v1/indicators/inspections", token=tokens[role]).status_code == 403
    assert api.get("/v1/indicators/inspections", token=tokens[role]).status_code == 200
