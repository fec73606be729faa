"""/v1/evaluations (issue 12): who runs one and each state change, the criteria tree, scoring from
reports and targets, member scores and the runners' points, secret ballots (once per unit, under
concurrency, never linkable to their voters after close), results hidden until close, the
ranking and its CSV, and the demo's Cụm 1 2019 evaluation."""
import concurrent.futures
import contextlib
import difflib
import itertools
import json
import os
import re
import signal
import subprocess
import time
import types

import pytest
import requests

from conftest import BINARY, Client, check_log, free_port, held, until, waiting

years = itertools.count(2060)
codes = itertools.count(1)

TREE = [
    {"code": "ket_qua", "name": "Kết quả công tác thanh tra", "max_points": 60, "kind": "group", "children": [
        {"code": "so_cuoc", "name": "Số cuộc thanh tra", "max_points": 30, "kind": "quantitative",
         "indicator_code": "inspections"},
        {"code": "giai_quyet", "name": "Tỷ lệ giải quyết khiếu nại", "max_points": 30, "kind": "quantitative",
         "indicator_code": "complaint_resolution_rate"}]},
    {"code": "phoi_hop", "name": "Phối hợp trong cụm", "max_points": 20, "kind": "qualitative"},
    {"code": "sang_kien", "name": "Sáng kiến được công nhận", "max_points": 6, "kind": "fixed", "points_each": 2,
     "count": "recognized_initiatives"},
    {"code": "thuong", "name": "Điểm thưởng", "max_points": 5, "kind": "bonus"},
    {"code": "tru", "name": "Điểm trừ", "max_points": 10, "kind": "penalty"},
]

MEMBERS = ("TT-LSN", "TT-LCH", "TT-LCI", "TT-SLA")  # leader, deputy, members


def as_system(server, query):
    """owner SQL past row-level security (reports), the last line of its output"""
    out = server.sql("SELECT set_config('tdkt.actor_role', 'system', false); " + query)
    return out.splitlines()[-1] if out else ""


@pytest.fixture
def cluster(api, tokens, units):
    """a TTCP cluster with Lạng Sơn leading, Lai Châu deputy, Lào Cai and Sơn La members, in a fresh year"""
    year = next(years)
    c = api.post("/v1/clusters", token=tokens["authority"], json={
        "code": f"EV-{next(codes):04d}", "name": "Cụm thi đua bình xét", "organizer_unit_id": units["TTCP"]}).json()
    roles = ["leader", "deputy", "member", "member"]
    r = api.request("PUT", f"/v1/clusters/{c['id']}/members/{year}", token=tokens["authority"],
                    json=[{"unit_id": units[u], "role": role} for u, role in zip(MEMBERS, roles)])
    assert r.status_code == 200, r.text
    return {"id": c["id"], "year": year}


@pytest.fixture
def officers(server, units):
    return {u: server.token("officer", units[u], sub=900 + i) for i, u in enumerate(MEMBERS + ("TT-HGG", "TTCP"))}


def create(api, token, cluster, **extra):
    body = {"cluster_id": cluster["id"], "year": cluster["year"], "title": "Bình xét thi đua năm", "criteria": TREE}
    body.update(extra)
    return api.post("/v1/evaluations", token=token, json=body)


def act(api, token, ev, action):
    return api.post(f"/v1/evaluations/{ev['id']}/{action}", token=token)


def test_who_runs_an_evaluation_and_its_states(api, tokens, cluster, officers, server, units):
    # the leader's officer (Lạng Sơn), the organiser's authority (TTCP) and admins create; nobody else
    before = server.sql("SELECT count(*), coalesce(sum(version), 0), coalesce(max(id), 0) FROM evaluations")
    audited = server.sql("SELECT count(*) FROM audit_log WHERE entity = 'evaluation'")
    for who in ("viewer", "integration"):
        assert create(api, tokens[who], cluster).status_code == 403
    for who in ("TT-LCH", "TT-HGG", "TTCP"):   # a deputy, a non-member, an officer of the organiser
        assert create(api, officers[who], cluster).status_code == 403, who
    assert create(api, tokens["authority_bnctw"], cluster).status_code == 403  # another organisation's authority
    # the refusals made nothing: no row, no audit entry
    assert server.sql("SELECT count(*), coalesce(sum(version), 0), coalesce(max(id), 0) FROM evaluations") == before
    assert server.sql("SELECT count(*) FROM audit_log WHERE entity = 'evaluation'") == audited
    assert server.sql(f"SELECT count(*) FROM evaluations WHERE cluster_id = {cluster['id']}") == "0"
    r = create(api, tokens["officer"], cluster)
    assert r.status_code == 201, r.text
    ev = r.json()
    assert r.headers["Location"] == f"/v1/evaluations/{ev['id']}"
    assert ev["status"] == "draft" and ev["ballots_cast"] == 0 and ev["max_choices"] == 3 and ev["vote_threshold_pct"] == 50
    assert create(api, tokens["authority"], cluster).json()["errors"][0]["code"] == "duplicate"  # one per cluster-year
    # lists: no criteria in a list; filters
    listed = api.get("/v1/evaluations", token=tokens["viewer"], params={"cluster_id": cluster["id"]}).json()["items"]
    assert [e["id"] for e in listed] == [ev["id"]] and "criteria" not in listed[0]
    assert api.get("/v1/evaluations", token=tokens["viewer"], params={"year": cluster["year"], "status": "closed"}).json()["items"] == []
    # states: only forward, each by a runner
    assert act(api, tokens["officer"], ev, "open_voting").status_code == 409
    assert act(api, tokens["officer"], ev, "close").status_code == 409
    assert act(api, officers["TT-LCH"], ev, "open_scoring").status_code == 403
    assert act(api, tokens["viewer"], ev, "open_scoring").status_code == 403
    assert api.patch(f"/v1/evaluations/{ev['id']}", token=tokens["authority"], json={"title": "Bình xét thi đua năm (sửa)"}).status_code == 200
    assert act(api, tokens["authority"], ev, "open_scoring").json()["status"] == "scoring"
    assert api.patch(f"/v1/evaluations/{ev['id']}", token=tokens["authority"], json={"title": "Đổi"}).status_code == 409
    assert api.delete(f"/v1/evaluations/{ev['id']}", token=tokens["admin"]).status_code == 409
    for who in (officers["TT-LCH"], officers["TTCP"], tokens["viewer"], tokens["integration"], tokens["authority_bnctw"]):
        assert act(api, who, ev, "open_voting").status_code == 403
    assert act(api, tokens["officer"], ev, "open_voting").json()["status"] == "voting"
    for who in (officers["TT-LCH"], officers["TTCP"], tokens["viewer"], tokens["integration"], tokens["authority_bnctw"]):
        assert act(api, who, ev, "close").status_code == 403
    closed = act(api, tokens["admin"], ev, "close").json()
    assert closed["status"] == "closed" and closed["closed_at"]
    assert act(api, tokens["admin"], ev, "close").status_code == 409
    # the audit trail has each step; the change feed calls it `evaluation`
    audit = api.get("/v1/audit", token=tokens["admin"], params={"entity": "evaluation", "entity_id": ev["id"]}).json()["items"]
    assert [e["changes"]["status"]["new"] for e in audit if "status" in e["changes"]] == ["draft", "scoring", "voting", "closed"]


def test_the_leader_units_officers_and_authorities_run_it_other_members_authorities_do_not(api, tokens, cluster, server,
                                                                                             units):
    """The cluster-year's leader unit (Lạng Sơn) runs its evaluation: its officers, and its
    authorities, each alone — no admin, no organiser — create, edit, delete a draft, open scoring,
    open voting and close. The authorities of the deputy (Lai Châu) and of a member (Lào Cai) may
    do none of it (403), and their refusals change nothing."""
    others = [server.token("authority", units[u], sub=950 + i) for i, u in enumerate(("TT-LCH", "TT-LCI"))]
    # another year of the same members, for the second runner (a year no other cluster of the
    # organiser has them in)
    second_year = next(years)
    assert api.request("PUT", f"/v1/clusters/{cluster['id']}/members/{second_year}", token=tokens["authority"], json=[
        {"unit_id": units[u], "role": role} for u, role in zip(MEMBERS, ["leader", "deputy", "member", "member"])]).status_code == 200
    state = lambda: server.sql(f"SELECT string_agg(id || ':' || status || ':' || version, ',' ORDER BY id) FROM evaluations"
                               f" WHERE cluster_id = {cluster['id']}")
    for runner, year in ((tokens["officer"], cluster["year"]), (tokens["authority_ls"], second_year)):
        where = {"id": cluster["id"], "year": year}
        before = state()
        for other in others:
            assert create(api, other, where).status_code == 403
        assert state() == before
        # a draft the leader unit made, and deletes
        draft = create(api, runner, where)
        assert draft.status_code == 201, draft.text
        for other in others:
            assert api.delete(f"/v1/evaluations/{draft.json()['id']}", token=other).status_code == 403
        assert api.delete(f"/v1/evaluations/{draft.json()['id']}", token=runner).status_code == 204
        ev = create(api, runner, where).json()
        for other in others:
            assert api.patch(f"/v1/evaluations/{ev['id']}", token=other, json={"title": "Không được sửa"}).status_code == 403
        assert api.patch(f"/v1/evaluations/{ev['id']}", token=runner, json={"title": "Bình xét do đơn vị trưởng cụm chủ trì"}).status_code == 200
        for action, status in (("open_scoring", "scoring"), ("open_voting", "voting"), ("close", "closed")):
            before = state()
            for other in others:
                assert act(api, other, ev, action).status_code == 403, action
            assert state() == before, action
            r = act(api, runner, ev, action)
            assert r.status_code == 200 and r.json()["status"] == status, (action, r.text)
        # the audit trail names the leader unit's people as the ones who ran it
        audit = api.get("/v1/audit", token=tokens["admin"], params={"entity": "evaluation", "entity_id": ev["id"]}).json()["items"]
        assert {(e["actor_role"], e["actor_unit_id"]) for e in audit} == {
            ("officer" if runner == tokens["officer"] else "authority", units["TT-LSN"])}


def test_an_evaluation_needs_criteria_and_members_to_open(api, tokens, cluster):
    ev = create(api, tokens["authority"], cluster, criteria=[]).json()
    r = act(api, tokens["authority"], ev, "open_scoring")
    assert r.status_code == 409 and "criteria" in r.json()["detail"]
    empty = {"id": cluster["id"], "year": cluster["year"] + 30}
    ev2 = create(api, tokens["authority"], empty).json()
    assert act(api, tokens["authority"], ev2, "open_scoring").status_code == 409


@pytest.mark.parametrize("criteria,field,code", [
    pytest.param([{"code": "a1", "name": "A", "max_points": 1, "kind": "quantitative", "indicator_code": "no_such_thing"}],
                 "criteria", "not_found", id="unknown indicator"),
    pytest.param([{"code": "a1", "name": "A", "max_points": 1, "kind": "quantitative"}],
                 "criteria[0].indicator_code", "required", id="quantitative without indicator"),
    pytest.param([{"code": "g1", "name": "G", "max_points": 1, "kind": "group", "children": [
        {"code": "g2", "name": "G", "max_points": 1, "kind": "group", "children": [
            {"code": "g3", "name": "G", "max_points": 1, "kind": "group", "children": [
                {"code": "a1", "name": "A", "max_points": 1, "kind": "bonus"}]}]}]}],
                 "criteria[0].children[0].children[0].children", "too_deep", id="four levels"),
    pytest.param([{"code": "a1", "name": "A", "max_points": 1, "kind": "bonus"},
                  {"code": "a1", "name": "B", "max_points": 1, "kind": "bonus"}], "criteria[1].code", "duplicate", id="duplicate code"),
    pytest.param([{"code": f"c{i}", "name": "C", "max_points": 1, "kind": "qualitative"} for i in range(201)],
                 "criteria", "too_many", id="201 nodes"),
    pytest.param({"code": "a1"}, "criteria", "type", id="not an array"),
])
def test_criteria_are_checked_and_a_refusal_changes_nothing(api, tokens, cluster, server, criteria, field, code):
    before = server.sql("SELECT count(*), coalesce(sum(version), 0) FROM evaluations")
    r = create(api, tokens["authority"], cluster, criteria=criteria)
    assert r.status_code == 422, r.text
    assert (field, code) in [(e["field"], e["code"]) for e in r.json()["errors"]], r.json()["errors"]
    assert server.sql("SELECT count(*), coalesce(sum(version), 0) FROM evaluations") == before


def test_other_fields_are_checked(api, tokens, cluster, units):
    bad = [({"vote_threshold_pct": 0}, "vote_threshold_pct"), ({"max_choices": 0}, "max_choices"),
           ({"cluster_id": 999999999}, "cluster_id"), ({"host_unit_id": 999999999}, "host_unit_id"),
           ({"title": ""}, "title"), ({"meeting_on": "2019-02-30"}, "meeting_on"), ({"status": "closed"}, "status")]
    for extra, field in bad:
        r = create(api, tokens["admin"], cluster, **extra)
        assert r.status_code == 422 and field in [e["field"] for e in r.json()["errors"]], (extra, r.text)
    # a campaign the cluster is not in
    camp = api.post("/v1/campaigns", token=tokens["authority"], json={
        "code": f"EV-CA-{next(codes):03d}", "title": "Phong trào khác", "kind": "regular", "launched_by_unit_id": units["TTCP"],
        "starts_on": "2060-01-01", "ends_on": "2099-12-31"}).json()
    r = create(api, tokens["admin"], cluster, campaign_id=camp["id"])
    assert r.status_code == 422 and r.json()["errors"][0]["code"] == "not_in_campaign"


def scoring_setup(api, tokens, cluster, server, units):
    """reports, targets and a recognised initiative for the cluster-year; an evaluation opened for scoring"""
    y = cluster["year"]
    camp = api.post("/v1/campaigns", token=tokens["authority"], json={
        "code": f"EV-CA-{next(codes):03d}", "title": "Phong trào thi đua", "kind": "regular", "launched_by_unit_id": units["TTCP"],
        "starts_on": f"{y}-01-01", "ends_on": f"{y}-12-31", "cluster_ids": [cluster["id"]]}).json()
    # Lạng Sơn 300/200 inspections (1.5), Lai Châu 400/200 (2.0, the best), Lào Cai 100/200 (0.5), Sơn La no target
    figures = {"TT-LSN": {"inspections": 300, "complaints_resolved": 90, "complaints_in_competence": 100},
               "TT-LCH": {"inspections": 400, "complaints_resolved": 80, "complaints_in_competence": 100},
               "TT-LCI": {"inspections": 100},
               "TT-SLA": {"inspections": 500, "complaints_resolved": 10, "complaints_in_competence": 10}}
    for u, f in figures.items():
        as_system(server, f"INSERT INTO reports (unit_id, year, span, figures, status, submitted_at, reviewed_at)"
                          f" VALUES ({units[u]}, {y}, 'year', '{json.dumps(f)}', 'accepted', now(), now())")
    targets = {"TT-LSN": [200, 90], "TT-LCH": [200, 90], "TT-LCI": [200, 90]}
    for u, (insp, rate) in targets.items():
        t = json.dumps([{"indicator_code": "inspections", "target": insp}, {"indicator_code": "complaint_resolution_rate", "target": rate}])
        as_system(server, f"INSERT INTO registrations (campaign_id, unit_id, year, titles, targets, status, submitted_at)"
                          f" VALUES ({camp['id']}, {units[u]}, {y}, '{{}}', '{t}', 'submitted', now())")
    # two recognised initiatives of Lạng Sơn that year
    for i in range(2):
        as_system(server, f"INSERT INTO initiatives (campaign_id, unit_id, title, field, year, status, recognized_level,"
                          f" recognized_on, recognized_by_unit_id) VALUES ({camp['id']}, {units['TT-LSN']}, 'Sáng kiến {i}',"
                          f" 'other', {y}, 'recognized', 'province', '{y}-06-01', {units['TTCP']})")
    ev = create(api, tokens["authority"], cluster, campaign_id=camp["id"]).json()
    assert act(api, tokens["authority"], ev, "open_scoring").status_code == 200
    return ev


def put_scores(api, token, ev, scorer, items):
    return api.request("PUT", f"/v1/evaluations/{ev['id']}/scores/{scorer}", token=token, json=items)


def test_scoring_from_reports_scores_and_points(api, tokens, cluster, officers, server, units):
    ev = scoring_setup(api, tokens, cluster, server, units)
    u = {k: units[k] for k in MEMBERS}
    # qualitative: Lạng Sơn scored by Lai Châu 16 and Lào Cai 12 (mean 14), itself 20; Sơn La scores nobody
    assert put_scores(api, officers["TT-LCH"], ev, u["TT-LCH"], [
        {"target_unit_id": u["TT-LSN"], "criterion_code": "phoi_hop", "points": 16},
        {"target_unit_id": u["TT-LCI"], "criterion_code": "phoi_hop", "points": 10}]).status_code == 200
    assert put_scores(api, officers["TT-LCI"], ev, u["TT-LCI"], [
        {"target_unit_id": u["TT-LSN"], "criterion_code": "phoi_hop", "points": 12}]).status_code == 200
    r = put_scores(api, tokens["officer"], ev, u["TT-LSN"], [
        {"target_unit_id": u["TT-LSN"], "criterion_code": "phoi_hop", "points": 20},
        {"target_unit_id": u["TT-LCH"], "criterion_code": "phoi_hop", "points": 18.5}])
    assert r.status_code == 200 and sorted(i["points"] for i in r.json()["items"]) == [18.5, 20]
    # the runners' bonus and penalty points
    r = api.request("PUT", f"/v1/evaluations/{ev['id']}/adjustments", token=tokens["officer"], json=[
        {"unit_id": u["TT-LSN"], "criterion_code": "thuong", "points": 2.5, "reason": "Chủ trì hội nghị cụm"},
        {"unit_id": u["TT-LCH"], "criterion_code": "tru", "points": 4, "reason": "Nộp báo cáo chậm"}])
    assert r.status_code == 200, r.text
    assert act(api, tokens["officer"], ev, "open_voting").status_code == 200
    for voter, choices in (("TT-LSN", ["TT-LCH", "TT-LSN"]), ("TT-LCH", ["TT-LSN"]), ("TT-LCI", ["TT-LSN", "TT-LCH"])):
        token = tokens["officer"] if voter == "TT-LSN" else officers[voter]
        r = api.post(f"/v1/evaluations/{ev['id']}/ballots", token=token, json={"choices": [u[c] for c in choices]})
        assert r.status_code == 201, r.text
    assert act(api, tokens["officer"], ev, "close").status_code == 200
    res = api.get(f"/v1/evaluations/{ev['id']}/results", token=tokens["viewer"]).json()
    assert res["members"] == 4 and res["ballots_cast"] == 3
    by = {x["unit_code"]: x for x in res["ranking"]}
    pts = lambda unit: {b["criterion_code"]: b["points"] for b in by[unit]["breakdown"]}
    det = lambda unit, code: next(b["detail"] for b in by[unit]["breakdown"] if b["criterion_code"] == code)
    # inspections, MS 30: Lai Châu best (2.0) 30; Lạng Sơn 1.5: 15 + 15·0.5/1 = 22.5; Lào Cai 0.5: 7.5; Sơn La no target
    assert pts("TT-LCH")["so_cuoc"] == 30 and det("TT-LCH", "so_cuoc")["reason"] == "best_ratio"
    assert pts("TT-LSN")["so_cuoc"] == 22.5 and det("TT-LSN", "so_cuoc") == {
        "reason": "above_target", "actual": 300, "target": 200, "ratio": 1.5, "best_ratio": 2}
    assert pts("TT-LCI")["so_cuoc"] == 7.5 and det("TT-LCI", "so_cuoc")["reason"] == "below_target"
    assert pts("TT-SLA")["so_cuoc"] == 0 and det("TT-SLA", "so_cuoc")["reason"] == "no_target"
    # complaint resolution, a ratio of sums, MS 30, target 90 %: Lạng Sơn 90 % at target 15; Lai Châu 80 %:
    # 15·80/90 = 13.33; Lào Cai has no figures for it
    assert pts("TT-LSN")["giai_quyet"] == 15 and det("TT-LSN", "giai_quyet")["reason"] == "at_target"
    assert pts("TT-LCH")["giai_quyet"] == 13.33
    assert pts("TT-LCI")["giai_quyet"] == 0 and det("TT-LCI", "giai_quyet")["reason"] == "no_report"
    # the group: 22.5 + 15 = 37.5 for Lạng Sơn; 30 + 13.33 = 43.33 for Lai Châu
    assert pts("TT-LSN")["ket_qua"] == 37.5 and pts("TT-LCH")["ket_qua"] == 43.33
    # qualitative: the mean of the others' points, its own apart
    assert pts("TT-LSN")["phoi_hop"] == 14 and det("TT-LSN", "phoi_hop") == {"scorers": 2}
    assert pts("TT-SLA")["phoi_hop"] == 0 and by["TT-SLA"]["scorers"] == 0
    # fixed: 2 recognised initiatives × 2 points; bonus; penalty
    assert pts("TT-LSN")["sang_kien"] == 4 and det("TT-LSN", "sang_kien") == {"count": 2, "points_each": 2}
    assert pts("TT-LSN")["thuong"] == 2.5 and det("TT-LSN", "thuong") == {"reason": "Chủ trì hội nghị cụm"}
    assert pts("TT-LCH")["tru"] == -4
    # totals: Lạng Sơn 37.5 + 14 + 4 + 2.5 = 58; its self-score uses its own 20: 64
    assert by["TT-LSN"]["cluster_score"] == 58 and by["TT-LSN"]["self_score"] == 64
    # Lai Châu: 43.33 + 18.5 (Lạng Sơn's) - 4 = 57.83; it gave itself nothing
    assert by["TT-LCH"]["cluster_score"] == 57.83 and by["TT-LCH"]["self_score"] is None
    # votes: Lạng Sơn 3 of 4 members = 75 %, Lai Châu 2 = 50 %: both proposable at 50 %; Lào Cai none
    assert (by["TT-LSN"]["votes"], by["TT-LSN"]["vote_pct"], by["TT-LSN"]["proposable"]) == (3, 75, True)
    assert (by["TT-LCH"]["votes"], by["TT-LCH"]["vote_pct"], by["TT-LCH"]["proposable"]) == (2, 50, True)
    assert (by["TT-LCI"]["votes"], by["TT-LCI"]["proposable"]) == (0, False)
    assert [x["unit_code"] for x in res["ranking"]][:2] == ["TT-LSN", "TT-LCH"] and by["TT-LSN"]["rank"] == 1
    # the ranking as CSV
    csv = api.get(f"/v1/evaluations/{ev['id']}/results", token=tokens["viewer"], headers={"Accept": "text/csv"})
    assert csv.status_code == 200 and csv.headers["Content-Type"].startswith("text/csv")
    lines = csv.content.decode("utf-8-sig").splitlines()
    assert lines[0].startswith("Hạng,Mã đơn vị,Đơn vị,Điểm cụm chấm") and lines[1].startswith("1,TT-LSN,")
    # after close every sheet is anyone's to read
    assert api.get(f"/v1/evaluations/{ev['id']}/scores/{u['TT-LCH']}", token=tokens["viewer"]).status_code == 200


def test_score_sheets_rules(api, tokens, cluster, officers, server, units):
    ev = scoring_setup(api, tokens, cluster, server, units)
    u = {k: units[k] for k in MEMBERS}
    ok_item = {"target_unit_id": u["TT-LCH"], "criterion_code": "phoi_hop", "points": 10}
    # whose sheet: the scorer's own officers; a non-member does not score
    assert put_scores(api, tokens["officer"], ev, u["TT-LCH"], [ok_item]).status_code == 403
    assert put_scores(api, tokens["authority"], ev, u["TT-LSN"], [ok_item]).status_code == 403   # an authority above it
    assert put_scores(api, tokens["viewer"], ev, u["TT-LSN"], [ok_item]).status_code == 403
    hgg = server.token("officer", units["TT-HGG"], sub=990)
    assert put_scores(api, hgg, ev, units["TT-HGG"], [ok_item]).status_code == 403
    for item, field, code in [
        ({"target_unit_id": units["TT-HGG"], "criterion_code": "phoi_hop", "points": 1}, "[0].target_unit_id", "not_member"),
        ({"target_unit_id": u["TT-LCH"], "criterion_code": "so_cuoc", "points": 1}, "[0].criterion_code", "not_found"),
        ({"target_unit_id": u["TT-LCH"], "criterion_code": "nope", "points": 1}, "[0].criterion_code", "not_found"),
        ({"target_unit_id": u["TT-LCH"], "criterion_code": "phoi_hop", "points": 20.01}, "[0].points", "out_of_range"),
        ({"target_unit_id": u["TT-LCH"], "criterion_code": "phoi_hop", "points": -1}, "[0].points", "out_of_range"),
        ({"target_unit_id": u["TT-LCH"], "criterion_code": "phoi_hop"}, "[0].points", "required"),
    ]:
        r = put_scores(api, tokens["officer"], ev, u["TT-LSN"], [item])
        assert r.status_code == 422 and (field, code) in [(e["field"], e["code"]) for e in r.json()["errors"]], (item, r.text)
    r = put_scores(api, tokens["officer"], ev, u["TT-LSN"], [ok_item, dict(ok_item, points=11)])
    assert r.status_code == 422 and r.json()["errors"][0]["code"] == "duplicate"
    assert server.sql(f"SELECT count(*) FROM evaluation_scores WHERE evaluation_id = {ev['id']}") == "0"
    # before close: a sheet is its unit's and the runners'
    assert put_scores(api, tokens["officer"], ev, u["TT-LSN"], [ok_item]).status_code == 200
    assert api.get(f"/v1/evaluations/{ev['id']}/scores/{u['TT-LSN']}", token=officers["TT-LCH"]).status_code == 403
    assert api.get(f"/v1/evaluations/{ev['id']}/scores/{units['TT-HGG']}", token=tokens["admin"]).status_code == 404
    # the organiser's authority and the leader run it, but a sheet is its own unit's until close
    assert api.get(f"/v1/evaluations/{ev['id']}/scores/{u['TT-LCH']}", token=tokens["officer"]).status_code == 403
    assert api.get(f"/v1/evaluations/{ev['id']}/scores/{u['TT-LSN']}", token=tokens["authority"]).status_code == 403
    assert api.get(f"/v1/evaluations/{ev['id']}/scores/{u['TT-LSN']}", token=tokens["officer"]).json()["items"] == [
        {"target_unit_id": u["TT-LCH"], "criterion_code": "phoi_hop", "points": 10}]
    assert api.get(f"/v1/evaluations/{ev['id']}/scores/{u['TT-LSN']}", token=tokens["admin"]).status_code == 200
    # adjustments: the runners', on bonus and penalty criteria
    adj = {"unit_id": u["TT-LCI"], "criterion_code": "thuong", "points": 1, "reason": "Tích cực"}
    assert api.request("PUT", f"/v1/evaluations/{ev['id']}/adjustments", token=officers["TT-LCH"], json=[adj]).status_code == 403
    r = api.request("PUT", f"/v1/evaluations/{ev['id']}/adjustments", token=tokens["officer"], json=[dict(adj, criterion_code="phoi_hop")])
    assert r.status_code == 422
    r = api.request("PUT", f"/v1/evaluations/{ev['id']}/adjustments", token=tokens["officer"], json=[dict(adj, reason="")])
    assert r.status_code == 422
    # scores only while scoring
    assert act(api, tokens["officer"], ev, "open_voting").status_code == 200
    assert put_scores(api, tokens["officer"], ev, u["TT-LSN"], [ok_item]).status_code == 409


def voting(api, tokens, cluster, server, units):
    ev = scoring_setup(api, tokens, cluster, server, units)
    assert act(api, tokens["officer"], ev, "open_voting").status_code == 200
    return ev


def test_ballots(api, tokens, cluster, officers, server, units):
    ev = scoring_setup(api, tokens, cluster, server, units)
    u = {k: units[k] for k in MEMBERS}
    ballot = lambda token, choices, **kw: api.post(f"/v1/evaluations/{ev['id']}/ballots", token=token, json={"choices": choices}, **kw)
    assert ballot(tokens["officer"], [u["TT-LCH"]]).status_code == 409          # not voting yet
    assert act(api, tokens["officer"], ev, "open_voting").status_code == 200
    assert ballot(tokens["viewer"], [u["TT-LCH"]]).status_code == 403
    assert ballot(tokens["authority"], [u["TT-LCH"]]).status_code == 403        # TTCP is no member
    hgg = server.token("officer", units["TT-HGG"], sub=991)
    assert ballot(hgg, [u["TT-LCH"]]).status_code == 403
    for choices, code in [([u["TT-LCH"], u["TT-LCI"], u["TT-SLA"], u["TT-LSN"]], "too_many"),
                          ([u["TT-LCH"], u["TT-LCH"]], "duplicate"), ([units["TT-HGG"]], "not_member")]:
        r = ballot(tokens["officer"], choices)
        assert r.status_code == 422 and r.json()["errors"][0]["code"] == code, r.text
    assert server.sql(f"SELECT count(*) FROM evaluation_voters WHERE evaluation_id = {ev['id']}") == "0"
    # a ballot is never kept for a replay: the key is ignored, a retry is a second ballot (409)
    log_before = server.log_text()
    marker = f"ballot-{ev['id']}-first"
    r = ballot(tokens["officer"], [u["TT-LCH"], u["TT-LSN"]], headers={"Idempotency-Key": "ballot-1", "X-Request-Id": marker})
    assert r.status_code == 201 and r.json() == {"evaluation_id": ev["id"], "voter_unit_id": u["TT-LSN"], "ballots_cast": 1}
    assert "choices" not in r.text
    # the server's log while that ballot was cast: one line of that request, its access line, every
    # field of it known — who voted (Lạng Sơn, one of its choices too), never what (Lai Châu)
    log_after = server.log_text()
    assert log_after.startswith(log_before)
    written = [json.loads(line) for line in log_after[len(log_before):].splitlines() if line.strip()]
    [line] = [x for x in written if x.get("request_id") == marker]
    assert set(line) == {"time", "type", "request_id", "method", "route", "status", "ms", "peer", "user", "role", "unit_id"}, line
    assert (line["type"], line["method"], line["route"], line["status"], line["user"], line["role"], line["unit_id"]) == (
        "access", "POST", "/v1/evaluations/{id}/ballots", 201, 3, "officer", u["TT-LSN"])
    # every other line is the access line of another request (the log's own markers): nothing
    # else was written about this one
    others = [x for x in written if x is not line]
    assert all(x.get("type") == "access" and x["route"] != "/v1/evaluations/{id}/ballots" for x in others), others
    # (its fields are exactly those: who, asserted above, and a time, a duration and an address)
    assert "choices" not in log_after[len(log_before):]
    assert ballot(tokens["officer"], [u["TT-LCH"], u["TT-LSN"]], headers={"Idempotency-Key": "ballot-1"}).status_code == 409
    assert server.sql("SELECT count(*) FROM idempotency_keys WHERE key = 'ballot-1'") == "0"
    assert ballot(tokens["authority_ls"], []).status_code == 409                # the same unit, another person
    assert ballot(officers["TT-LCH"], []).status_code == 201                    # a blank ballot counts
    # results before close: only how many voted, and the caller's unit's own scores
    res = api.get(f"/v1/evaluations/{ev['id']}/results", token=tokens["officer"]).json()
    assert res == {"evaluation_id": ev["id"], "status": "voting", "members": 4, "ballots_cast": 2, "ranking": None,
                   "own_scores": []}
    assert api.get(f"/v1/evaluations/{ev['id']}/results", token=tokens["viewer"], headers={"Accept": "text/csv"}).status_code == 409


def test_before_close_a_member_reads_its_own_score_sheet_in_the_results_and_no_other(api, tokens, cluster, officers, server,
                                                                                    units):
    ev = scoring_setup(api, tokens, cluster, server, units)
    u = {k: units[k] for k in MEMBERS}
    sheets = {"TT-LSN": [{"target_unit_id": u["TT-LSN"], "criterion_code": "phoi_hop", "points": 20},
                         {"target_unit_id": u["TT-LCH"], "criterion_code": "phoi_hop", "points": 12.5}],
              "TT-LCH": [{"target_unit_id": u["TT-LSN"], "criterion_code": "phoi_hop", "points": 7}]}
    for unit, items in sheets.items():
        assert put_scores(api, officers[unit], ev, u[unit], items).status_code == 200
    results = lambda token: api.get(f"/v1/evaluations/{ev['id']}/results", token=token).json()
    mine = lambda unit: sorted(sheets.get(unit, []), key=lambda x: (x["target_unit_id"], x["criterion_code"]))
    for status in ("scoring", "voting"):
        # a member's officers and viewers: their own unit's sheet, its self-score included
        for unit, token in (("TT-LSN", officers["TT-LSN"]), ("TT-LSN", tokens["viewer"]), ("TT-LCH", officers["TT-LCH"]),
                            ("TT-LCI", officers["TT-LCI"])):
            assert results(token) == {"evaluation_id": ev["id"], "status": status, "members": 4, "ballots_cast": 0,
                                      "ranking": None, "own_scores": mine(unit)}, (status, unit)
        # the organiser's authority and an admin run it, a non-member is outside: no sheet at all
        for token in (tokens["authority"], tokens["admin"], officers["TT-HGG"], officers["TTCP"]):
            assert results(token)["own_scores"] == [], status
        if status == "scoring":
            assert act(api, tokens["authority"], ev, "open_voting").status_code == 200


def new_cluster(api, tokens, units, n, years_):
    """a cluster of n new units (the first leads) in each of years_"""
    made = [api.post("/v1/units", token=tokens["admin"], json={"code": f"EV-U{next(codes):04d}", "name": f"Đơn vị bỏ phiếu {i}",
                                                               "kind": "other", "parent_id": units["TTCP"]}).json()["id"]
            for i in range(n)]
    c = api.post("/v1/clusters", token=tokens["authority"], json={
        "code": f"EV-{next(codes):04d}", "name": "Cụm bỏ phiếu", "organizer_unit_id": units["TTCP"]}).json()
    for y in years_:
        assert api.request("PUT", f"/v1/clusters/{c['id']}/members/{y}", token=tokens["authority"], json=[
            {"unit_id": uid, "role": "leader" if i == 0 else "member"} for i, uid in enumerate(made)]).status_code == 200
    return c, made


def open_vote(api, tokens, c, year):
    """an evaluation of cluster c in year, open for voting, two choices a ballot"""
    ev = api.post("/v1/evaluations", token=tokens["authority"], json={
        "cluster_id": c["id"], "year": year, "title": "Bỏ phiếu kín", "max_choices": 2,
        "criteria": [{"code": "phoi_hop", "name": "Phối hợp", "max_points": 10, "kind": "qualitative"}]}).json()
    assert act(api, tokens["authority"], ev, "open_scoring").status_code == 200
    assert act(api, tokens["authority"], ev, "open_voting").status_code == 200
    return ev


def test_concurrent_ballots_are_counted_once(api, tokens, server, units):
    """16 member units, each sending its ballot twice at once: one 201 and one 409 each, 16 counted"""
    year = next(years)
    c, made = new_cluster(api, tokens, units, 16, [year])
    ev = open_vote(api, tokens, c, year)
    voters = [(uid, server.token("officer", uid, sub=2000 + i)) for i, uid in enumerate(made)]

    def cast(job):
        uid, token = job
        return uid, api.post(f"/v1/evaluations/{ev['id']}/ballots", token=token, json={"choices": [made[0], made[1]]}).status_code

    before = api.get(f"/v1/evaluations/{ev['id']}", token=tokens["viewer"])
    log_mark = len(server.log_text())
    with concurrent.futures.ThreadPoolExecutor(max_workers=16) as pool:
        answers = list(pool.map(cast, voters + voters))
    for uid in made:
        assert sorted(s for v, s in answers if v == uid) == [201, 409], uid
    # each ballot moves the version on (ballots_cast is in the answer): no 304 for the old ETag;
    # the ballots locked the evaluation for update, never waiting on each other's share (no deadlock)
    got = api.get(f"/v1/evaluations/{ev['id']}", token=tokens["viewer"], headers={"If-None-Match": before.headers["ETag"]})
    assert got.status_code == 200 and got.json()["ballots_cast"] == 16, got.status_code
    assert got.json()["version"] == before.json()["version"] + 16 and got.headers["ETag"] == f'"{got.json()["version"]}"'
    assert "deadlock" not in server.log_text()[log_mark:]
    assert server.sql(f"SELECT count(*) FROM evaluation_ballot_choices WHERE evaluation_id = {ev['id']}") == "32"
    assert act(api, tokens["authority"], ev, "close").status_code == 200
    votes = api.get(f"/v1/evaluations/{ev['id']}/results", token=tokens["viewer"]).json()["ranking"]
    assert {x["unit_id"]: x["votes"] for x in votes if x["votes"]} == {made[0]: 16, made[1]: 16}


def test_a_tie_at_the_proposal_cut_off_goes_by_unit_id(api, tokens, server, units):
    """close with propose top 2: one unit first, two tied second (same score, same votes): the
    lower unit id is proposed, the other left out (README, openapi.yaml)"""
    year = next(years)
    c, made = new_cluster(api, tokens, units, 4, [year])
    ev = open_vote(api, tokens, c, year)
    a, b, tied, last = made    # ids ascending
    for i, choices in enumerate([[a, b], [a, tied], [a, b], [tied]]):
        r = api.post(f"/v1/evaluations/{ev['id']}/ballots", token=server.token("officer", made[i], sub=3100 + i), json={"choices": choices})
        assert r.status_code == 201, r.text
    r = api.post(f"/v1/evaluations/{ev['id']}/close", token=tokens["authority"], json={"propose": {
        "award_kind_code": "bang_khen_bo_nganh_tinh", "top": 2, "approving_unit_id": units["TTCP"]}})
    assert r.status_code == 200, r.text
    ranking = api.get(f"/v1/evaluations/{ev['id']}/results", token=tokens["viewer"]).json()["ranking"]
    assert [(x["unit_id"], x["rank"], x["votes"], x["proposable"]) for x in ranking] == [
        (a, 1, 3, True), (b, 2, 2, True), (tied, 2, 2, True), (last, 4, 0, False)]
    [d] = api.get("/v1/dossiers", token=tokens["authority"], params={"evaluation_id": ev["id"]}).json()["items"]
    nominees = api.get(f"/v1/dossiers/{d['id']}/proposals", token=tokens["authority"]).json()["items"]
    assert [x["recipient_unit_id"] for x in nominees] == [a, b]


# --- unlinkability ------------------------------------------------------------------------------
# The same ballots are cast three times, each time in a database of its own copied from one
# template, by the same voters in the same order through the same requests; only who casts which
# ballot differs. After close, everything an operator could read is compared. Times are masked, and
# nothing else: request ids are the client's own, the same in every run, and pg_dump is given its
# \restrict key.
UNLINK_YEAR = 2030
UNLINK_VOTERS = 5
# the ballots by the voters' index (units 2..6 of the template): one, two, one, blank, two, overlapping
UNLINK_BALLOTS = [[1], [2, 3], [4], [], [1, 4]]
PG_DUMP_KEY = ["--restrict-key=unlink"] if "--restrict-key" in subprocess.run(
    ["pg_dump", "--help"], capture_output=True, text=True).stdout else []
TIMESTAMP = re.compile(r"\d{4}-\d\d-\d\d[ T]\d\d:\d\d:\d\d(\.\d+)?(Z|[+-]\d\d(:?\d\d)?)?")


def masked(text):
    return TIMESTAMP.sub("<time>", text)


def pg_url(server, user, database):
    return f"postgresql://{user}@/{database}?host={server.owner_url.split('host=', 1)[1]}"


def psql(url, *queries):
    """each query on its own (CREATE DATABASE runs in no transaction block); the output"""
    args = [a for q in queries for a in ("-c", q)]
    return subprocess.run(["psql", "-X", "-At", "-v", "ON_ERROR_STOP=1", url, *args],
                          check=True, capture_output=True, text=True).stdout.strip()


def unlink_template(server, name):
    """a database of its own, migrated, with an organiser (unit 1) and a cluster of five units (2..6,
    the first leading) in UNLINK_YEAR"""
    psql(pg_url(server, "postgres", "postgres"), f"DROP DATABASE IF EXISTS {name}", f"CREATE DATABASE {name} OWNER tdkt")
    env = dict(server.env(), DATABASE_URL=pg_url(server, "tdkt_app", name), TDKT_MIGRATE_DATABASE_URL=pg_url(server, "tdkt", name))
    subprocess.run([BINARY, "migrate"], env=env, check=True, capture_output=True)
    psql(pg_url(server, "tdkt", name), f"""BEGIN;
        INSERT INTO units (code, name, kind) VALUES ('TC', 'Cơ quan tổ chức cụm', 'government_inspectorate');
        INSERT INTO units (code, name, kind, parent_id)
             SELECT 'BP-' || i, 'Đơn vị bỏ phiếu ' || i, 'other', 1 FROM generate_series(1, {UNLINK_VOTERS}) i;
        INSERT INTO clusters (code, name, organizer_unit_id) VALUES ('CUM-BP', 'Cụm bỏ phiếu kín', 1);
        INSERT INTO cluster_members (cluster_id, organizer_unit_id, year, unit_id, role)
             SELECT 1, 1, {UNLINK_YEAR}, id, CASE WHEN id = 2 THEN 'leader' ELSE 'member' END FROM units WHERE id > 1;
        COMMIT;""")


@contextlib.contextmanager
def instances(server, envs):
    """a `tdkt serve` per (name, env on top of server's), started together; `stop()` sends each its
    SIGTERM at once (a graceful stop takes CivetWeb about two seconds), the exit waits for them"""
    procs = []

    def stop():
        for proc, _, _ in procs:
            if proc.poll() is None:
                proc.send_signal(signal.SIGTERM)

    try:
        for name, extra in envs:
            port = free_port()
            path = os.path.join(server.workdir, f"{name}.log")
            with open(path, "w") as log:
                proc = subprocess.Popen([BINARY, "serve"], env=dict(server.env(), TDKT_LISTEN=f"127.0.0.1:{port}", **extra),
                                        stdout=log, stderr=subprocess.STDOUT)
            procs.append((proc, path, f"http://127.0.0.1:{port}"))
        deadline = time.time() + 30
        for proc, path, base in procs:
            while True:
                try:
                    if requests.get(base + "/readyz", timeout=1).status_code == 200:
                        break
                except (requests.ConnectionError, requests.Timeout):
                    pass   # not listening yet
                assert proc.poll() is None, open(path).read()[-2000:]
                assert time.time() < deadline, f"{path}: the server did not start"
                time.sleep(0.05)
        yield [base for _, _, base in procs], stop
    finally:
        stop()
        for proc, path, _ in procs:
            check_log(path, proc.wait(timeout=30))


def cast_and_close(api, k, sheet, tokens, db):
    """evaluation 1 created and opened by the organiser's authority, voter i casting sheet[i]
    (voters in unit order), closed; what the API shows then, and the links before close"""
    steps = itertools.count(1)

    def call(method, path, token, **kw):
        r = api.request(method, path, token=token, headers={"X-Request-Id": f"unlink-step-{next(steps)}"}, **kw)
        assert r.status_code < 300, (k, path, r.text)
        return r.json()

    seen = {}
    start = psql(db, "SELECT max(seq) FROM change_feed")   # the template's changes
    ev = call("POST", "/v1/evaluations", tokens["authority"], json={
        "cluster_id": 1, "year": UNLINK_YEAR, "title": "Bỏ phiếu kín", "max_choices": 2,
        "criteria": [{"code": "phoi_hop", "name": "Phối hợp", "max_points": 10, "kind": "qualitative"}]})
    assert ev["id"] == 1
    call("POST", "/v1/evaluations/1/open_scoring", tokens["authority"])
    call("POST", "/v1/evaluations/1/open_voting", tokens["authority"])
    for voter, choices in enumerate(sheet):
        call("POST", "/v1/evaluations/1/ballots", tokens[voter], json={"choices": [c + 2 for c in choices]})
    # while voting, the voter's row and its choices share a transaction: linkable (README)
    seen["open"] = psql(db, "SELECT string_agg(v.unit_id || ':' || c.unit_id, ',' ORDER BY v.unit_id, c.unit_id)"
                            " FROM evaluation_voters v JOIN evaluation_ballot_choices c ON c.xmin = v.xmin")
    call("POST", "/v1/evaluations/1/close", tokens["authority"])
    seen["results"] = call("GET", "/v1/evaluations/1/results", tokens["viewer"])
    seen["audit api"] = masked(json.dumps(call("GET", "/v1/audit", tokens["admin"], params={"entity": "evaluation"})))
    for who in ("admin", "integration"):    # the run's changes, as an admin and an integration read them
        page = call("GET", "/v1/changes", tokens[who], params={"after": start, "limit": 500})
        assert page["next_cursor"] is None and page["items"]
        seen[f"feed {who}"] = masked(json.dumps(page))
    api.session.close()
    return seen


def sealed_state(db, tables):
    """what the database's superuser reads after close: a full dump (schema and data); ctid, xmin,
    xmax, cmin and cmax of every row of every evaluation table (in heap order), of the audit trail
    and of the change feed, the transaction ids replaced by their order among those seen (the
    same shape in two databases is the same history of writes); the sequences; the audit trail and
    the change feed"""
    seen = {"dump": masked(subprocess.run(["pg_dump", *PG_DUMP_KEY, db], check=True, capture_output=True, text=True).stdout)}
    system = " UNION ALL ".join(
        [f"SELECT '{t}' t, (ctid::text::point)[0]::bigint a, (ctid::text::point)[1]::bigint b, xmin::text x0,"
         f" xmax::text x1, cmin::text c0, cmax::text c1 FROM {t}" for t in tables] +
        ["SELECT 'audit_log', id, 0, xmin::text, xmax::text, cmin::text, cmax::text FROM audit_log",
         "SELECT 'change_feed', seq, 0, xmin::text, xmax::text, cmin::text, cmax::text FROM change_feed"])
    got = json.loads(psql(db, f"""SELECT json_build_object(
        'system', (SELECT json_agg(json_build_array(t, a, b, x0, x1, c0, c1) ORDER BY t, a, b) FROM ({system}) s),
        'sequences', (SELECT json_object_agg(sequencename, last_value ORDER BY sequencename) FROM pg_sequences),
        'audit', (SELECT json_agg(json_build_array(id, actor_id, actor_role, actor_unit_id, action, entity, entity_id,
                                                   changes, request_id) ORDER BY id) FROM audit_log),
        'feed', (SELECT json_agg(json_build_array(seq, entity, entity_id, action, restricted, key, detail) ORDER BY seq)
                   FROM change_feed),
        'ballot audit', (SELECT json_agg(changes ORDER BY id) FROM audit_log WHERE changes ? 'ballot'),
        'one writer', (SELECT json_build_array(count(DISTINCT xmin::text), bool_and(xmin::text = (SELECT xmin::text
                                FROM evaluations))) FROM (SELECT xmin FROM evaluation_voters
                                UNION ALL SELECT xmin FROM evaluation_votes) x),
        'voter order', (SELECT json_agg(unit_id ORDER BY ctid) FROM evaluation_voters))"""))
    xids = sorted({int(x) for r in got["system"] for x in r[3:5] if x != "0"})
    order = dict({str(x): f"x{i}" for i, x in enumerate(xids)}, **{"0": "0"})
    got["system"] = [r[:3] + [order[r[3]], order[r[4]]] + r[5:] for r in got["system"]]
    got["audit"] = masked(json.dumps(got["audit"]))    # a change of the evaluation's row carries its times
    seen.update(got)
    return seen


def test_after_close_nothing_links_a_voter_to_its_choices(server, contract):
    """Whichever voter cast whichever ballot, the database after close is the same.

    Three runs, each in a fresh copy of one template database: the ballots b cast as given, with the
    first two voters' ballots swapped (b∘τ, a transposition), and with voter i casting ballot
    i+1 mod n (b∘c, an n-cycle). After close the full pg_dump (schema and data, times masked), the
    system columns (ctid, xmin, xmax, cmin, cmax) of every evaluation table and of the audit trail
    and the change feed, the sequences, the audit trail and the change feed (in the database and
    through the API), the results and the access log are the same in all three.

    Every link is equally likely: a transposition and an n-cycle generate the symmetric group S_n,
    and the service handles every ballot alike whatever it holds (a cast writes its choices last,
    the close only counts them, never looking at which voter named which), so what holds from b
    holds from any b∘σ: state(b∘σ∘τ) = state(b∘σ) and state(b∘σ∘c) = state(b∘σ), and by induction
    over words in τ and c, state(b∘π) = state(b) for every permutation π. Each of the n!
    assignments of these ballots to these voters leaves the same database, so it gives no reason to
    prefer any assignment — any link of a voter to a ballot — over another. Before close the runs
    differ (the threat model says so): the test shows it can tell them apart. The ballots differ in
    size (a blank one, ones of one and two units) so that a trace of a ballot's size would show."""
    n = UNLINK_VOTERS
    sheets = [UNLINK_BALLOTS,
              [UNLINK_BALLOTS[1], UNLINK_BALLOTS[0]] + UNLINK_BALLOTS[2:],
              [UNLINK_BALLOTS[(i + 1) % n] for i in range(n)]]
    tokens = {i: server.token("officer", i + 2, sub=3000 + i) for i in range(n)}
    tokens.update({"authority": server.token("authority", 1, sub=2), "admin": server.token("admin", 1, sub=1),
                   "viewer": server.token("viewer", 1, sub=4), "integration": server.token("integration", 1, sub=5)})
    su = pg_url(server, "postgres", "postgres")
    names = [f"tdkt_unlink_{k}" for k in range(len(sheets))]
    envs = []
    try:
        unlink_template(server, "tdkt_unlink_template")
        tables = psql(pg_url(server, "postgres", "tdkt_unlink_template"),
                      "SELECT string_agg(relname, ' ' ORDER BY relname) FROM pg_class WHERE relnamespace = 'public'::regnamespace"
                      " AND relkind = 'r' AND relname ~ '^evaluation'").split()
        assert {"evaluations", "evaluation_voters", "evaluation_ballot_choices", "evaluation_votes", "evaluation_results",
                "evaluation_scores", "evaluation_adjustments"} <= set(tables), tables
        psql(su, *[f"CREATE DATABASE {d} TEMPLATE tdkt_unlink_template OWNER tdkt" for d in names])
        for d in names:
            app = pg_url(server, "tdkt_app", d)
            env = {"DATABASE_URL": app, "TDKT_MIGRATE_DATABASE_URL": pg_url(server, "tdkt", d)}
            if "TDKT_READ_DATABASE_URL" in server.env():
                env["TDKT_READ_DATABASE_URL"] = app
            envs.append((d, env))
        with instances(server, envs) as (bases, stop):
            runs = [cast_and_close(Client(types.SimpleNamespace(base=base), contract), k, sheet, tokens, pg_url(server, "postgres", d))
                    for k, (base, sheet, d) in enumerate(zip(bases, sheets, names))]
            stop()
            for run, d in zip(runs, names):    # as the database's superuser, past row-level security
                run.update(sealed_state(pg_url(server, "postgres", d), tables))
        for run, d in zip(runs, names):
            log = open(os.path.join(server.workdir, f"{d}.log")).read()
            assert '"choices"' not in log
            run["log"] = [{key: v for key, v in line.items() if key not in ("time", "ms", "peer")}
                          for line in map(json.loads, filter(lambda l: l.startswith("{"), log.splitlines()))
                          if line.get("type") == "access" and line.get("route") not in ("/healthz", "/readyz")]
    finally:
        psql(su, *[f"DROP DATABASE IF EXISTS {d}" for d in names + ["tdkt_unlink_template"]])
    # before close: the system columns give each run's own links
    for run, sheet in zip(runs, sheets):
        assert run["open"] == ",".join(f"{v + 2}:{c + 2}" for v, choices in enumerate(sheet) for c in sorted(choices))
    assert len({run["open"] for run in runs}) == 3, "before close the system columns tell the runs apart"
    # after close: the same everywhere
    for what in runs[0]:
        for k in range(1, len(runs)):
            if what == "dump" and runs[k][what] != runs[0][what]:
                diff = difflib.unified_diff(runs[0][what].splitlines(), runs[k][what].splitlines(), lineterm="", n=1)
                pytest.fail(f"run {k}: the dump differs\n" + "\n".join(itertools.islice(diff, 60)))
            if what != "open":
                assert runs[k][what] == runs[0][what], f"run {k}: {what}"
    first = runs[0]
    # the choices are gone and the tallies are there; the voters and the tallies were written by
    # the close (one xmin, the evaluation's), the voters in unit order; each ballot's audit entry
    # names its voter, nothing more
    assert "COPY public.evaluation_ballot_choices (evaluation_id, unit_id) FROM stdin;\n\\.\n" in first["dump"]
    assert "COPY public.evaluation_votes (evaluation_id, unit_id, votes) FROM stdin;\n1\t3\t2\n1\t4\t1\n1\t5\t1\n1\t6\t2\n\\.\n" in first["dump"]
    assert first["one writer"] == [1, True]
    assert first["voter order"] == list(range(2, n + 2))
    assert first["ballot audit"] == [{"ballot": {"old": None, "new": {"voter_unit_id": v + 2}}} for v in range(n)]
    assert [(x["unit_id"], x["votes"]) for x in first["results"]["ranking"] if x["votes"]] == [(3, 2), (6, 2), (4, 1), (5, 1)]
    assert [line["route"] for line in first["log"]].count("/v1/evaluations/{id}/ballots") == n


def test_the_demo_ranking(api, tokens, units):
    """Cụm thi đua số 1, 2019 (the article of 10/12/2019): Lạng Sơn and Thái Nguyên (200 %, 200 %) and Bắc
    Giang (150 %, 100 %) first, the three proposed for Bằng khen"""
    [ev] = api.get("/v1/evaluations", token=tokens["viewer"], params={"year": 2019}).json()["items"]
    assert ev["status"] == "closed" and ev["meeting_on"] == "2019-12-03" and ev["host_unit_id"] == units["BNC-TQG"]
    res = api.get(f"/v1/evaluations/{ev['id']}/results", token=tokens["viewer"]).json()
    assert res["members"] == 14 and res["ballots_cast"] == 14
    top = [(x["unit_code"], x["rank"], x["cluster_score"], x["votes"], x["proposable"]) for x in res["ranking"][:3]]
    assert sorted(top[:2]) == [("BNC-LSN", 1, 100, 14, True), ("BNC-TNN", 1, 100, 14, True)]
    assert top[2] == ("BNC-BGG", 3, 62.5, 14, True)
    assert [x["unit_code"] for x in res["ranking"] if x["proposable"]] == [t[0] for t in top]
    bgg = {b["criterion_code"]: b for b in res["ranking"][2]["breakdown"]}
    assert bgg["vu_an_tham_nhung"]["detail"] == {"reason": "above_target", "actual": 3, "target": 2, "ratio": 1.5, "best_ratio": 2}
    assert bgg["tham_nhung_vat"]["detail"]["reason"] == "at_target"
    # sealed: no choice left, tallies only
    assert api.get(f"/v1/evaluations/{ev['id']}", token=tokens["viewer"]).json()["ballots_cast"] == 14
    # closed results never change: an ETag, 304 on a match; the kept CSV answers as the first did
    r = api.get(f"/v1/evaluations/{ev['id']}/results", token=tokens["viewer"])
    assert r.headers["ETag"] == f'"{ev["version"]}"' and r.json() == res
    assert api.get(f"/v1/evaluations/{ev['id']}/results", token=tokens["viewer"],
                   headers={"If-None-Match": r.headers["ETag"]}).status_code == 304
    csv = [api.get(f"/v1/evaluations/{ev['id']}/results", token=tokens["viewer"], headers={"Accept": "text/csv"}) for _ in range(2)]
    assert csv[0].content == csv[1].content and csv[1].headers["Content-Disposition"] == csv[0].headers["Content-Disposition"]
    assert csv[1].headers["Content-Type"] == "text/csv; charset=utf-8" and b"BNC-LSN" in csv[1].content


def test_members_are_fixed_once_an_evaluation_opens(api, tokens, cluster, units, server):
    """scores, ballots and the share of votes are of the members when scoring opened"""
    put = lambda members: api.request("PUT", f"/v1/clusters/{cluster['id']}/members/{cluster['year']}", token=tokens["authority"],
                                      json=[{"unit_id": units[u], "role": r} for u, r in members])
    ev = create(api, tokens["authority"], cluster).json()
    assert put([("TT-LSN", "leader"), ("TT-LCH", "deputy"), ("TT-LCI", "member")]).status_code == 200   # a draft: still free
    assert act(api, tokens["authority"], ev, "open_scoring").status_code == 200
    before = server.sql(f"SELECT count(*) FROM cluster_members WHERE cluster_id = {cluster['id']} AND year = {cluster['year']}")
    r = put([("TT-LSN", "leader"), ("TT-LCH", "deputy")])
    assert r.status_code == 409 and r.json()["errors"][0] == {
        "field": "members", "code": "fixed", "message": "the cluster-year's evaluation has opened: its members are fixed"}
    assert server.sql(f"SELECT count(*) FROM cluster_members WHERE cluster_id = {cluster['id']} AND year = {cluster['year']}") == before
    # a rollover into an opened year is refused alike
    prev = {"id": cluster["id"], "year": cluster["year"] - 1}
    assert api.request("PUT", f"/v1/clusters/{cluster['id']}/members/{prev['year']}", token=tokens["authority"], json=[
        {"unit_id": units["TT-LSN"], "role": "leader"}, {"unit_id": units["TT-LCH"], "role": "deputy"}]).status_code == 200
    r = api.post(f"/v1/clusters/{cluster['id']}/rollover", token=tokens["authority"],
                 json={"from_year": prev["year"], "deputy_unit_id": units["TT-LSN"]})
    assert r.status_code in (409,), r.text


def row_locked(server, table, key):
    """another transaction holds the row (a lock that NOWAIT cannot take)"""
    def locked():
        try:
            server.sql(f"SET tdkt.actor_role = 'system'; SELECT 1 FROM {table} WHERE id = {key} FOR UPDATE NOWAIT")
            return False
        except subprocess.CalledProcessError:
            return True
    return locked


def test_members_and_an_opening_at_once_happen_one_after_the_other(api, tokens, cluster, units, server):
    """a change of members and an open_scoring at the same moment: whichever comes second waits
    for the first and then sees it — never an evaluation in scoring whose members changed after it
    opened (each side held open in psql while the API's request waits on it)"""
    put = lambda members: api.request("PUT", f"/v1/clusters/{cluster['id']}/members/{cluster['year']}", token=tokens["authority"],
                                      json=[{"unit_id": units[u], "role": r} for u, r in members])
    members = f"cluster_members WHERE cluster_id = {cluster['id']} AND year = {cluster['year']}"
    ev = create(api, tokens["authority"], cluster).json()
    with concurrent.futures.ThreadPoolExecutor(1) as pool:
        # the members emptied, not yet committed: the opening waits, then finds nobody to score
        with held(server, f"DELETE FROM {members}", row_locked(server, "evaluations", ev["id"])) as finish:
            opening = pool.submit(act, api, tokens["authority"], ev, "open_scoring")
            until(lambda: waiting(server) or opening.done(), "the opening never waited for the change of members")
            assert not opening.done(), opening.result().text
            finish()
        r = opening.result()
        assert r.status_code == 409 and "no members" in r.json()["detail"], r.text
        assert api.get(f"/v1/evaluations/{ev['id']}", token=tokens["viewer"]).json()["status"] == "draft"
        # (units another test's year before its own does not hold)
        assert put([("TT-LCI", "leader"), ("TT-SLA", "deputy")]).status_code == 200
        # the opening under way, not yet committed: the change waits, then is refused
        with held(server, f"UPDATE evaluations SET status = 'scoring' WHERE id = {ev['id']}",
                  row_locked(server, "evaluations", ev["id"])) as finish:
            change = pool.submit(put, [])
            until(lambda: waiting(server) or change.done(), "the change of members never waited for the opening")
            assert not change.done(), change.result().text
            finish()
        r = change.result()
        assert r.status_code == 409 and r.json()["errors"][0]["code"] == "fixed", r.text
    assert server.sql(f"SELECT count(*) FROM {members}") == "2"


def test_fixed_criteria_count_whole_counts(api, tokens, cluster, server, units):
    """a fixed leaf counts a base indicator counted in units; a huge count reaches the maximum, never overflows"""
    ratio = [{"code": "ty_le", "name": "Tỷ lệ", "max_points": 5, "kind": "fixed", "points_each": 1,
              "indicator_code": "recovery_rate"}]
    r = create(api, tokens["authority"], cluster, criteria=ratio)
    assert r.status_code == 422 and r.json()["errors"][0]["code"] == "not_a_count"
    tree = [{"code": "so_cuoc", "name": "Số cuộc", "max_points": 100, "kind": "fixed", "points_each": 9999,
             "indicator_code": "inspections"}]
    as_system(server, f"INSERT INTO reports (unit_id, year, span, figures, status, submitted_at, reviewed_at) VALUES"
                      f" ({units['TT-LSN']}, {cluster['year']}, 'year', '{{\"inspections\": 999999999999999}}', 'accepted', now(), now()),"
                      f" ({units['TT-LCH']}, {cluster['year']}, 'year', '{{\"inspections\": 0}}', 'accepted', now(), now())")
    ev = create(api, tokens["authority"], cluster, criteria=tree).json()
    for action in ("open_scoring", "open_voting", "close"):
        assert act(api, tokens["authority"], ev, action).status_code == 200, action
    by = {x["unit_code"]: x for x in api.get(f"/v1/evaluations/{ev['id']}/results", token=tokens["viewer"]).json()["ranking"]}
    assert by["TT-LSN"]["cluster_score"] == 100 and by["TT-LSN"]["breakdown"][0]["detail"]["count"] == 999999999999999
    assert by["TT-LCH"]["cluster_score"] == 0 and by["TT-LCI"]["breakdown"][0]["detail"]["count"] == 0
