"""/v1/reports: figures by base indicator, the consistency rules on submit, review by authorities
of the subtree and of clusters they organise (per year), draft and returned visibility (in C,
by row-level security, in the change feed), return -> edit -> resubmit in the audit trail, and the
batch import (JSON and NDJSON, all or nothing)."""
import itertools
import json

import pytest

years = itertools.count(2031)


def report(api, token, unit_id, year, span="year", **extra):
    body = {"unit_id": unit_id, "year": year, "span": span}
    body.update(extra)
    return api.post("/v1/reports", token=token, json=body)


def count_reports(server):
    return int(server.sql("SELECT set_config('tdkt.actor_role', 'system', false); SELECT count(*) FROM reports").splitlines()[-1])


def rls_sees(server, role, unit_id, report_id):
    out = server.sql(f"SELECT set_config('tdkt.actor_role', '{role}', true), set_config('tdkt.actor_unit_id', '{unit_id}', true);"
                     f" SELECT count(*) FROM reports WHERE id = {report_id}")
    return int(out.splitlines()[-1]) == 1


@pytest.fixture(scope="module")
def organizer(api, tokens, server):
    """A unit outside Thanh tra Chính phủ's tree that organises a cluster of Sơn La and Lai Châu's
    inspectorates in 2040 only, with an authority of its own."""
    unit = api.post("/v1/units", token=tokens["admin"], json={"code": "RPT-ORG", "name": "Cơ quan tổ chức cụm báo cáo",
                                                                "kind": "agency"}).json()
    cluster = api.post("/v1/clusters", token=tokens["admin"], json={
        "code": "RPT-CUM", "name": "Cụm kiểm thử báo cáo", "kind": "cluster", "organizer_unit_id": unit["id"]}).json()
    return {"unit": unit, "cluster": cluster, "token": server.token("authority", unit["id"], sub=801)}


@pytest.fixture(scope="module")
def cluster_2040(api, tokens, units, organizer):
    r = api.request("PUT", f"/v1/clusters/{organizer['cluster']['id']}/members/2040", token=tokens["admin"],
                    json=[{"unit_id": units["TT-SLA"], "role": "leader"}, {"unit_id": units["TT-LCH"], "role": "member"}])
    assert r.status_code == 200, r.text
    return 2040


def test_officer_writes_its_units_report_and_drafts_stay_in_the_subtree(api, tokens, units, server):
    year = next(years)
    r = report(api, tokens["officer"], units["TT-LSN"], year, values={"inspections": 12, "violation_land_m2": 120.5,
                                                                        "recovered_vnd": 1500000000},
               narrative="Năm " + str(year) + ": đã triển khai 12 cuộc thanh tra.")
    assert r.status_code == 201, r.text
    rep = r.json()
    assert r.headers["Location"] == f"/v1/reports/{rep['id']}" and r.headers["ETag"] == '"1"'
    assert rep["values"] == {"inspections": 12, "violation_land_m2": 120.5, "recovered_vnd": 1500000000}
    assert rep["status"] == "draft" and rep["span"] == "year" and rep["submitted_at"] is None
    # the draft is the subtree's and its authorities' (TTCP above it); not Sơn La's, not integration's
    sla = server.token("officer", units["TT-SLA"], sub=811)
    for token, status in [(tokens["officer"], 200), (tokens["authority"], 200), (tokens["admin"], 200),
                          (sla, 404), (tokens["integration"], 404), (tokens["authority_bnctw"], 404)]:
        assert api.get(f"/v1/reports/{rep['id']}", token=token).status_code == status
    listed = api.get("/v1/reports", token=sla, params={"year": year}).json()["items"]
    assert rep["id"] not in [x["id"] for x in listed]
    assert rep["id"] in [x["id"] for x in api.get("/v1/reports", token=tokens["viewer"], params={"year": year}).json()["items"]]
    # lists leave the narrative out (up to 100,000 characters each); the report has it
    listed = api.get("/v1/reports", token=tokens["officer"], params={"year": year}).json()["items"]
    assert "narrative" not in listed[0] and listed[0]["values"] == rep["values"]
    for params in ({"year": year, "span": "year"}, {"year": year, "unit_id": units["TT-LSN"], "subtree": "true"}):
        assert all("narrative" not in x for x in api.get("/v1/reports", token=tokens["officer"], params=params).json()["items"])
    # row-level security says the same below the C checks
    assert rls_sees(server, "officer", units["TT-LSN"], rep["id"])
    assert not rls_sees(server, "officer", units["TT-SLA"], rep["id"])
    assert not rls_sees(server, "integration", units["TTCP"], rep["id"])
    assert not rls_sees(server, "", "", rep["id"])
    # the change feed says nothing of a draft to integrations
    feed = api.get("/v1/changes", token=tokens["integration"], params={"limit": 500, "after": max(0, int(server.sql(
        "SELECT coalesce(max(seq), 0) FROM change_feed")) - 100)}).json()["items"]
    assert ("report", rep["id"]) not in [(c["entity"], c["entity_id"]) for c in feed]
    # one per unit, year and span
    again = report(api, tokens["officer"], units["TT-LSN"], year)
    assert again.status_code == 409 and again.json()["errors"][0]["field"] == "span"
    assert report(api, tokens["officer"], units["TT-LSN"], year, span="h1").status_code == 201


@pytest.mark.parametrize("values,field,code", [
    ({"recovery_rate": 90}, "values.recovery_rate", "computed"),
    ({"no_such_indicator": 1}, "values.no_such_indicator", "not_found"),
    ({"inspections": 1.5}, "values.inspections", "not_integer"),
    ({"recovered_vnd": 10.25}, "values.recovered_vnd", "not_integer"),
    ({"violation_land_m2": 1.234}, "values.violation_land_m2", "precision"),
    ({"inspections": -1}, "values.inspections", "out_of_range"),
    ({"inspections": 10 ** 15}, "values.inspections", "out_of_range"),
    ({"recovered_vnd": 10 ** 15 - 1}, None, None),
    ({"inspections": "12"}, "values.inspections", "type"),
    ({"inspections": None}, "values.inspections", "not_nullable"),
    ({"Inspections": 1}, "values", "indicator_code"),
    ({f"code_{i}": 1 for i in range(101)}, "values", "too_many"),
])
def test_figures_are_base_indicators_in_their_units(api, tokens, units, server, values, field, code):
    before = count_reports(server)
    r = report(api, tokens["officer"], units["TT-LSN"], 2039, values=values)
    if field is None:  # the largest figure is taken
        assert r.status_code == 201 and r.json()["values"] == values, r.text
        assert api.delete(f"/v1/reports/{r.json()['id']}", token=tokens["officer"]).status_code == 204
        return
    assert r.status_code == 422, r.text
    assert (field, code) in [(e["field"], e["code"]) for e in r.json()["errors"]], r.json()
    assert count_reports(server) == before


@pytest.mark.parametrize("body,field", [
    ({"unit_id": 1, "year": 1999}, "year"),
    ({"unit_id": 1, "year": 2030, "span": "month"}, "span"),
    ({"unit_id": 1, "year": 2030, "status": "accepted"}, "status"),
    ({"unit_id": 1, "year": 2030, "submitted_by": 3}, "submitted_by"),
    ({"unit_id": 1, "year": 2030, "colour": "red"}, "colour"),
    ({"unit_id": 1, "year": 2030, "narrative": "x" * 100001}, "narrative"),
    ({"unit_id": 1, "year": 2030, "note": "x" * 2001}, "note"),
    ({"year": 2030}, "unit_id"),
    ({"unit_id": 999999, "year": 2030}, "unit_id"),
])
def test_report_fields_are_checked(api, tokens, server, body, field):
    before = count_reports(server)
    r = api.post("/v1/reports", token=tokens["admin"], json=body)
    assert r.status_code == 422, r.text
    assert field in [e["field"] for e in r.json()["errors"]]
    assert count_reports(server) == before


@pytest.mark.parametrize("role,unit,status", [
    ("viewer", "TT-LSN", 403), ("integration", "TT-LSN", 403), ("officer", "TT-SLA", 403),
    ("authority_ls", "TT-SLA", 403), ("authority_bnctw", "TT-LSN", 403),
    ("officer", "TT-LSN", 201), ("authority_ls", "TT-LSN", 201), ("authority", "TT-SLA", 201), ("admin", "BNC-BGG", 201),
])
def test_who_writes_a_report(api, tokens, units, role, unit, status):
    assert report(api, tokens[role], units[unit], next(years)).status_code == status


# each consistency rule of the catalogue, broken alone; the figure it names
RULES = [
    ({"petitions_received": 10, "petitions_eligible": 11}, "values.petitions_eligible", "exceeds_total"),
    ({"complaints_in_competence": 5, "complaints_resolved": 6}, "values.complaints_resolved", "exceeds_total"),
    ({"reception_turns": 10, "citizens_received": 9}, "values.citizens_received", "below_turns"),
    ({"recovery_recommended_vnd": 100, "recovered_vnd": 101}, "values.recovered_vnd", "exceeds_total"),
    ({"recovery_recommended_land_m2": 10.5, "recovered_land_m2": 10.51}, "values.recovered_land_m2", "exceeds_total"),
    ({"inspections": 5, "inspections_planned": 6}, "values.inspections_planned", "exceeds_total"),
    ({"inspections": 5, "inspections_unplanned": 6}, "values.inspections_unplanned", "exceeds_total"),
    ({"inspections": 10, "inspections_planned": 4, "inspections_unplanned": 5}, "values.inspections", "parts_sum"),
]


@pytest.mark.parametrize("values,field,code", RULES)
def test_submit_runs_each_consistency_rule(api, tokens, units, values, field, code):
    rep = report(api, tokens["officer"], units["TT-LSN"], next(years), values=values).json()
    r = api.post(f"/v1/reports/{rep['id']}/submit", token=tokens["officer"])
    assert r.status_code == 422, r.text
    assert [(e["field"], e["code"]) for e in r.json()["errors"]] == [(field, code)]
    assert api.get(f"/v1/reports/{rep['id']}", token=tokens["officer"]).json()["status"] == "draft"


def test_figures_that_keep_the_rules_submit(api, tokens, units):
    values = {"inspections": 10, "inspections_planned": 4, "inspections_unplanned": 6, "petitions_received": 10,
              "petitions_eligible": 10, "reception_turns": 7, "citizens_received": 9, "complaints_in_competence": 3,
              "complaints_resolved": 3, "recovery_recommended_vnd": 100, "recovered_vnd": 100,
              "recovery_recommended_land_m2": 10.5, "recovered_land_m2": 10.5}
    rep = report(api, tokens["officer"], units["TT-LSN"], next(years), values=values).json()
    r = api.post(f"/v1/reports/{rep['id']}/submit", token=tokens["officer"])
    assert r.status_code == 200, r.text
    assert r.json()["status"] == "submitted" and r.json()["submitted_by"] == 3 and r.json()["submitted_at"]


def test_return_edit_resubmit_accept_keeps_every_version_in_the_audit(api, tokens, units, server):
    year = next(years)
    rep = report(api, tokens["officer"], units["TT-LSN"], year, values={"inspections": 200, "inspected_subjects": 700}).json()
    assert api.post(f"/v1/reports/{rep['id']}/submit", token=tokens["officer"]).status_code == 200
    # submitted: read-only for the unit, readable by all, in the change feed
    assert api.patch(f"/v1/reports/{rep['id']}", token=tokens["officer"], json={"note": "x"}).status_code == 409
    assert api.delete(f"/v1/reports/{rep['id']}", token=tokens["officer"]).status_code == 409
    assert api.get(f"/v1/reports/{rep['id']}", token=tokens["integration"]).status_code == 200
    # no unit reviews its own report; the authority above it does
    assert api.post(f"/v1/reports/{rep['id']}/accept", token=tokens["authority_ls"]).status_code == 403
    assert api.post(f"/v1/reports/{rep['id']}/return", token=tokens["officer"], json={"note": "x"}).status_code == 403
    bad = api.post(f"/v1/reports/{rep['id']}/return", token=tokens["authority"], json={})
    assert bad.status_code == 422 and bad.json()["errors"][0]["field"] == "note"
    r = api.post(f"/v1/reports/{rep['id']}/return", token=tokens["authority"],
                 json={"note": "Đề nghị bổ sung số đối tượng được thanh tra"}, headers={"If-Match": '"2"'})
    assert r.status_code == 200, r.text
    returned = r.json()
    assert returned["status"] == "returned" and returned["reviewed_by"] == 2
    assert returned["review_note"] == "Đề nghị bổ sung số đối tượng được thanh tra"
    # returned: the subtree and its reviewers only
    assert api.get(f"/v1/reports/{rep['id']}", token=tokens["integration"]).status_code == 404
    assert api.get(f"/v1/reports/{rep['id']}", token=server.token("officer", units["TT-SLA"], sub=812)).status_code == 404
    # the unit supplements and submits again; then it is accepted
    r = api.patch(f"/v1/reports/{rep['id']}", token=tokens["officer"], headers={"If-Match": '"3"'},
                  json={"values": {"inspections": 200, "inspected_subjects": 750}, "narrative": "Đã bổ sung."})
    assert r.status_code == 200 and r.json()["status"] == "returned", r.text
    assert api.post(f"/v1/reports/{rep['id']}/submit", token=tokens["officer"]).status_code == 200
    r = api.post(f"/v1/reports/{rep['id']}/accept", token=tokens["authority"])
    assert r.status_code == 200 and r.json()["status"] == "accepted" and r.json()["review_note"] is None
    assert api.post(f"/v1/reports/{rep['id']}/accept", token=tokens["authority"]).status_code == 409
    assert api.post(f"/v1/reports/{rep['id']}/submit", token=tokens["officer"]).status_code == 409
    audit = api.get("/v1/audit", token=tokens["admin"], params={"entity": "report", "entity_id": rep["id"]}).json()["items"]
    audit.sort(key=lambda e: e["id"])
    assert [e["action"] for e in audit] == ["create", "update", "update", "update", "update", "update"]
    assert audit[0]["changes"]["figures"]["new"] == {"inspections": 200, "inspected_subjects": 700}
    edit = next(e for e in audit if "figures" in e["changes"] and e["action"] == "update")
    assert edit["changes"]["figures"] == {"old": {"inspections": 200, "inspected_subjects": 700},
                                         "new": {"inspections": 200, "inspected_subjects": 750}}
    assert [e["changes"]["status"]["new"] for e in audit if "status" in e["changes"]] == \
        ["draft", "submitted", "returned", "submitted", "accepted"]


def test_authorities_review_their_clusters_members_in_that_year_only(api, tokens, units, server, organizer, cluster_2040):
    mine = report(api, tokens["admin"], units["TT-SLA"], cluster_2040, values={"inspections": 5}).json()
    other_year = report(api, tokens["admin"], units["TT-SLA"], cluster_2040 + 1, values={"inspections": 5}).json()
    not_member = report(api, tokens["admin"], units["TT-LSN"], cluster_2040, span="h1", values={"inspections": 5}).json()
    for rep in (mine, other_year, not_member):
        assert api.post(f"/v1/reports/{rep['id']}/submit", token=tokens["admin"]).status_code == 200
    org = organizer["token"]
    assert api.post(f"/v1/reports/{other_year['id']}/accept", token=org).status_code == 403
    assert api.post(f"/v1/reports/{not_member['id']}/accept", token=org).status_code == 403
    r = api.post(f"/v1/reports/{mine['id']}/return", token=org, json={"note": "Bổ sung"})
    assert r.status_code == 200, r.text
    # once returned the organiser still sees it (it reviews it), row-level security too
    assert api.get(f"/v1/reports/{mine['id']}", token=org).status_code == 200
    assert rls_sees(server, "authority", organizer["unit"]["id"], mine["id"])
    assert not rls_sees(server, "officer", organizer["unit"]["id"], mine["id"])
    # but it does not write the unit's figures
    assert api.patch(f"/v1/reports/{mine['id']}", token=org, json={"note": "x"}).status_code == 403
    assert api.post(f"/v1/reports/{mine['id']}/submit", token=tokens["admin"]).status_code == 200
    assert api.post(f"/v1/reports/{mine['id']}/accept", token=org).status_code == 200


def test_an_indicator_reports_use_stays_in_the_catalogue(api, tokens, units):
    ind = api.post("/v1/indicators", token=tokens["admin"], json={"code": "rpt_test_hours", "name": "Số giờ tiếp dân",
                                                                   "unit": "count"}).json()
    rep = report(api, tokens["officer"], units["TT-LSN"], next(years), values={"rpt_test_hours": 12}).json()
    r = api.delete("/v1/indicators/rpt_test_hours", token=tokens["admin"])
    assert r.status_code == 409 and "reports give figures" in r.json()["detail"], r.text
    assert api.delete(f"/v1/reports/{rep['id']}", token=tokens["officer"]).status_code == 204
    assert api.delete("/v1/indicators/rpt_test_hours", token=tokens["admin"]).status_code == 204
    assert ind["code"] == "rpt_test_hours"


def test_drafts_are_deleted_and_nothing_else(api, tokens, units):
    rep = report(api, tokens["officer"], units["TT-LSN"], next(years)).json()
    assert api.delete(f"/v1/reports/{rep['id']}", token=tokens["viewer"]).status_code == 403
    assert api.delete(f"/v1/reports/{rep['id']}", token=tokens["authority_bnctw"]).status_code == 404
    assert api.delete(f"/v1/reports/{rep['id']}", token=tokens["officer"]).status_code == 204
    assert api.get(f"/v1/reports/{rep['id']}", token=tokens["officer"]).status_code == 404


def test_list_filters(api, tokens, units, organizer, cluster_2040):
    year = next(years)
    a = report(api, tokens["officer"], units["TT-LSN"], year, span="q1").json()
    b = report(api, tokens["authority"], units["TT-SLA"], year, span="q1").json()
    api.post(f"/v1/reports/{b['id']}/submit", token=tokens["authority"])
    ids = lambda **p: [x["id"] for x in api.get("/v1/reports", token=tokens["admin"], params=p).json()["items"]]
    assert ids(year=year) == [a["id"], b["id"]]
    assert ids(year=year, status="submitted") == [b["id"]]
    assert ids(year=year, unit_id=units["TT-SLA"]) == [b["id"]]
    assert ids(year=year, unit_id=units["TTCP"], subtree="true") == [a["id"], b["id"]]
    assert ids(year=year, span="q2") == []
    # the cluster's members in the report's year: Lai Châu is one in 2040, Lạng Sơn is not
    c = report(api, tokens["authority"], units["TT-LCH"], cluster_2040, span="q4").json()
    d = report(api, tokens["authority"], units["TT-LSN"], cluster_2040, span="q4").json()
    assert c["id"] in ids(cluster_id=organizer["cluster"]["id"], span="q4")
    assert d["id"] not in ids(cluster_id=organizer["cluster"]["id"], span="q4")
    for bad in ({"span": "month"}, {"status": "lost"}, {"year": "x"}, {"cluster_id": "0"}, {"colour": "1"}):
        assert api.get("/v1/reports", token=tokens["admin"], params=bad).status_code == 400


# --- batch -------------------------------------------------------------------------------

def batch(api, token, items, ndjson=False):
    if ndjson:
        return api.post("/v1/reports/batch", token=token, data="\n".join(json.dumps(i) for i in items).encode(),
                        headers={"Content-Type": "application/x-ndjson"})
    return api.post("/v1/reports/batch", token=token, json=items)


def test_batch_creates_upserts_and_submits(api, tokens, units, server):
    year = next(years)
    items = [{"unit_id": units[c], "year": year, "values": {"inspections": 10 + i}, "submit": i % 2 == 0}
             for i, c in enumerate(["TT-LSN", "TT-SLA", "TT-LCI", "TT-HGG"])]
    r = batch(api, tokens["integration"], items)
    assert r.status_code == 200, r.text
    out = r.json()
    assert out["created"] == 4 and out["updated"] == 0
    assert [(i["index"], i["status"], i["created"]) for i in out["items"]] == \
        [(0, "submitted", True), (1, "draft", True), (2, "submitted", True), (3, "draft", True)]
    # NDJSON: replace the drafts (upsert) and submit one; a blank line is nothing
    r = batch(api, tokens["integration"], [
        {"unit_id": units["TT-SLA"], "year": year, "values": {"inspections": 99}, "upsert": True, "submit": True},
        {"unit_id": units["TT-HGG"], "year": year, "values": {"inspections": 98}, "upsert": True, "note": "Bản thay thế"},
    ], ndjson=True)
    assert r.status_code == 200, r.text
    assert r.json()["updated"] == 2 and [i["status"] for i in r.json()["items"]] == ["submitted", "draft"]
    sla = api.get(f"/v1/reports/{r.json()['items'][0]['id']}", token=tokens["admin"]).json()
    assert sla["values"] == {"inspections": 99} and sla["submitted_by"] == 5 and sla["version"] == 2


def test_batch_is_all_or_nothing_and_names_the_bad_item(api, tokens, units, server):
    year = next(years)
    before = count_reports(server)
    items = [{"unit_id": units["TT-LSN"], "year": year, "values": {"inspections": 1}} for _ in range(3)]
    items[1] = {"unit_id": units["TT-SLA"], "year": year, "values": {"recovery_rate": 90}}
    items[2]["span"] = "h1"
    r = batch(api, tokens["integration"], items)
    assert r.status_code == 422, r.text
    assert [(e["field"], e["code"]) for e in r.json()["errors"]] == [("[1].values.recovery_rate", "computed")]
    assert count_reports(server) == before
    # decoding errors and rules (with submit) also name their item
    r = batch(api, tokens["integration"], [
        {"unit_id": units["TT-LSN"], "year": year},
        {"unit_id": units["TT-LSN"], "year": "2031"},
        {"unit_id": units["TT-SLA"], "year": year, "submit": True, "values": {"petitions_received": 1, "petitions_eligible": 2}},
        {"unit_id": units["TT-LSN"], "year": year},
        {"unit_id": units["TT-LCI"], "year": year, "upsert": "yes"},
    ])
    assert r.status_code == 422
    assert [e["field"] for e in r.json()["errors"]] == ["[1].year", "[2].values.petitions_eligible", "[3].span", "[4].upsert"]
    assert count_reports(server) == before


def test_batch_conflicts_and_rights(api, tokens, units, server):
    year = next(years)
    first = batch(api, tokens["authority"], [{"unit_id": units["TT-LSN"], "year": year, "submit": True},
                                              {"unit_id": units["TT-SLA"], "year": year}])
    assert first.status_code == 200, first.text
    before = count_reports(server)
    # an existing report without upsert, or a submitted one with it: 409, nothing written
    r = batch(api, tokens["authority"], [{"unit_id": units["TT-LCI"], "year": year},
                                          {"unit_id": units["TT-SLA"], "year": year},
                                          {"unit_id": units["TT-LSN"], "year": year, "upsert": True}])
    assert r.status_code == 409, r.text
    assert sorted((e["field"], e["code"]) for e in r.json()["errors"]) == [("[1].span", "duplicate"), ("[2].span", "not_editable")]
    assert count_reports(server) == before
    # roles: officers and viewers never; authorities and integrations only within their subtree
    for role in ("officer", "viewer"):
        assert batch(api, tokens[role], [{"unit_id": units["TT-LSN"], "year": 2099}]).status_code == 403
    r = batch(api, tokens["authority_ls"], [{"unit_id": units["TT-LSN"], "year": 2099},
                                             {"unit_id": units["TT-SLA"], "year": 2099}])
    assert r.status_code == 403 and str(units["TT-SLA"]) in r.json()["detail"]
    assert batch(api, server.token("integration", units["BNCTW"], sub=821),
                 [{"unit_id": units["TT-LSN"], "year": 2099}]).status_code == 403
    r = batch(api, tokens["integration"], [{"unit_id": 999999, "year": 2099}])
    assert r.status_code == 422 and r.json()["errors"][0]["code"] == "not_found"
    assert count_reports(server) == before


@pytest.mark.parametrize("body,headers,status", [
    (b"[]", {"Content-Type": "application/json"}, 422),
    (b"{}", {"Content-Type": "application/json"}, 400),
    (b"[1]", {"Content-Type": "application/json"}, 422),
    (b"[{]", {"Content-Type": "application/json"}, 400),
    (b"{\"unit_id\": 1}\n[1]\n", {"Content-Type": "application/x-ndjson"}, 400),
    (b"\n\n", {"Content-Type": "application/x-ndjson"}, 422),
    (b"[]", {"Content-Type": "text/plain"}, 415),
    pytest.param(json.dumps([{"unit_id": 1, "year": 2050}] * 1001).encode(), {"Content-Type": "application/json"}, 422,
                 id="1001-items"),
    pytest.param(("\n".join(['{"unit_id": 1, "year": 2050}'] * 1001)).encode(), {"Content-Type": "application/x-ndjson"},
                 422, id="1001-lines"),
    # values jansson would allocate one by one: refused before parsing
    pytest.param(b"[" + b"0," * 400000 + b"0]", {"Content-Type": "application/json"}, 413, id="400k-numbers"),
    pytest.param(b'{"x":[' + b"[]," * 300000 + b"[]]}", {"Content-Type": "application/x-ndjson"}, 413, id="300k-arrays"),
])
def test_batch_bodies(api, tokens, server, body, headers, status):
    before = count_reports(server)
    r = api.post("/v1/reports/batch", token=tokens["admin"], data=body, headers=headers)
    assert r.status_code == status, r.text
    assert count_reports(server) == before


def test_a_thousand_reports_in_one_batch(api, tokens, units, server):
    """the size national systems send: 1,000 reports with the demo's 27 figures each"""
    codes = server.sql("SELECT code FROM indicators WHERE kind = 'base' ORDER BY id").splitlines()
    unit_ids = [units[c] for c in sorted(units)][:10]
    items = [{"unit_id": unit_ids[i % 10], "year": 2000 + i // 10, "span": "q3",
              "values": {c: (i + k) * 1000 for k, c in enumerate(codes)}} for i in range(1000)]
    r = batch(api, tokens["admin"], items)
    assert r.status_code == 200, r.text[:500]
    assert r.json()["created"] == 1000
    stored = server.sql("SELECT set_config('tdkt.actor_role', 'system', false); SELECT sum((SELECT count(*) FROM"
                        " jsonb_object_keys(r.figures))) FROM reports r WHERE r.span = 'q3' AND r.year BETWEEN 2000 AND 2099")
    assert int(stored.splitlines()[-1]) == 1000 * len(codes)


def test_concurrent_batches_never_replace_without_upsert(api, tokens, units):
    """two equal batches at once: one writes, the other is a 409 — never both, never a 500"""
    import threading
    for round_ in range(5):
        year = next(years)
        items = [{"unit_id": units[c], "year": year, "values": {"inspections": 1}} for c in ("TT-LSN", "TT-SLA", "TT-LCI")]
        results = []
        def send(body):
            results.append(batch(api, tokens["integration"], body).status_code)
        threads = [threading.Thread(target=send, args=(b,)) for b in (items, list(reversed(items)))]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        assert sorted(results) == [200, 409], (round_, results)


def test_actions_and_notes_are_checked_like_any_body(api, tokens, units):
    rep = report(api, tokens["officer"], units["TT-LSN"], next(years), values={"inspections": 3}).json()
    url = f"/v1/reports/{rep['id']}"
    # an action that takes no body: none, empty or {}; anything else is refused and changes nothing
    r = api.post(f"{url}/submit", token=tokens["officer"], json={"status": "accepted"})
    assert r.status_code == 422 and r.json()["errors"][0]["field"] == "status"
    assert api.post(f"{url}/submit", token=tokens["officer"], data=b"x", headers={"Content-Type": "text/plain"}).status_code == 415
    assert api.get(url, token=tokens["officer"]).json()["status"] == "draft"
    assert api.post(f"{url}/submit", token=tokens["officer"], json={}).status_code == 200
    # a return says why, in NFC like every text
    blank = api.post(f"{url}/return", token=tokens["authority"], json={"note": "  \t "})
    assert blank.status_code == 422 and blank.json()["errors"][0]["code"] == "blank"
    nfd = "Bo\u0302\u0309 sung so\u0302\u0301 lie\u0323\u0302u"
    r = api.post(f"{url}/return", token=tokens["authority"], json={"note": nfd})
    assert r.status_code == 200 and r.json()["review_note"] == "Bổ sung số liệu"
    # a text that grows past its limit in NFC names its field
    grows = api.patch(url, token=tokens["officer"], json={"note": "\u0344" * 2000})
    assert grows.status_code == 422 and grows.json()["errors"][0]["field"] == "note", grows.text
    # /v1/reports/batch is the batch, not a report "batch": a method it lacks is a 405 naming its own
    for method in ("GET", "PATCH", "DELETE"):
        r = api.request(method, "/v1/reports/batch", token=tokens["officer"], data=b"x", headers={"Content-Type": "text/plain"})
        assert r.status_code == 405 and r.headers["Allow"] == "POST", (method, r.status_code, r.headers.get("Allow"))
    assert api.get("/v1/ratings/batch", token=tokens["officer"]).headers["Allow"] == "POST"
