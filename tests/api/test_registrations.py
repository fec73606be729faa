"""/v1/registrations: the campaign rules, roles and subtrees, draft visibility (in C and by
row-level security), submit, demo data."""
import itertools

import pytest

counter = itertools.count(1)


@pytest.fixture(scope="module")
def campaign(api, tokens, units):
    cum4 = api.get("/v1/clusters", token=tokens["viewer"], params={"q": "cum thi dua so iv"}).json()["items"][0]
    c = api.post("/v1/campaigns", token=tokens["authority"], json={
        "code": "REG-TEST", "title": "Phong trào thi đua 2023-2024", "kind": "regular",
        "launched_by_unit_id": units["TTCP"], "starts_on": "2023-01-01", "ends_on": "2024-12-31",
        "cluster_ids": [cum4["id"]]}).json()
    api.request("PUT", f"/v1/campaigns/{c['id']}/indicators", token=tokens["authority"],
                json=[{"indicator_code": "inspections"}, {"indicator_code": "recovery_rate"}])
    assert api.post(f"/v1/campaigns/{c['id']}/activate", token=tokens["authority"]).status_code == 200
    return c


def register(api, token, campaign_id, unit_id, year=2023, **extra):
    body = {"unit_id": unit_id, "year": year, "titles": ["tap_the_lao_dong_xuat_sac"],
            "targets": [{"indicator_code": "inspections", "target": 240}, {"indicator_code": "recovery_rate", "target": 87.5}],
            "pact_signed_on": "2023-03-15"}
    body.update(extra)
    return api.post(f"/v1/campaigns/{campaign_id}/registrations", token=token, json=body)


def rls_count(server, role, unit_id, registration_id):
    """what PostgreSQL itself lets a caller see, whatever the C code does"""
    out = server.sql(f"SELECT set_config('tdkt.actor_role', '{role}', true), set_config('tdkt.actor_unit_id', '{unit_id}', true);"
                     f" SELECT count(*) FROM registrations WHERE id = {registration_id}")
    return int(out.splitlines()[-1])


def test_officer_registers_its_unit_and_submits(api, tokens, units, campaign, server):
    r = register(api, tokens["officer"], campaign["id"], units["TT-LSN"])
    assert r.status_code == 201, r.text
    reg = r.json()
    assert r.headers["Location"] == f"/v1/registrations/{reg['id']}"
    assert reg["status"] == "draft" and reg["titles"] == ["tap_the_lao_dong_xuat_sac"]
    assert {t["indicator_code"]: t["target"] for t in reg["targets"]} == {"inspections": 240, "recovery_rate": 87.5}
    # the draft is the subtree's: TTCP's authority above it sees it, Sơn La's officer and integration do not
    assert api.get(f"/v1/registrations/{reg['id']}", token=tokens["authority"]).status_code == 200
    sla_officer = server.token("officer", units["TT-SLA"], sub=301)
    assert api.get(f"/v1/registrations/{reg['id']}", token=sla_officer).status_code == 404
    assert api.get(f"/v1/registrations/{reg['id']}", token=tokens["integration"]).status_code == 404
    assert reg["id"] not in [x["id"] for x in api.get("/v1/registrations", token=sla_officer,
                                                       params={"campaign_id": campaign["id"]}).json()["items"]]
    # row-level security says the same, below the C checks
    assert rls_count(server, "officer", units["TT-SLA"], reg["id"]) == 0
    assert rls_count(server, "officer", units["TT-LSN"], reg["id"]) == 1
    assert rls_count(server, "authority", units["TTCP"], reg["id"]) == 1
    assert rls_count(server, "", "", reg["id"]) == 0, "a request that forgot to say who it is sees no draft"
    assert rls_count(server, "integration", units["TTCP"], reg["id"]) == 0
    # edit, submit, then it is read-only and visible to all
    r = api.patch(f"/v1/registrations/{reg['id']}", token=tokens["officer"], json={"targets": [{"indicator_code": "inspections", "target": 260}]},
                  headers={"If-Match": '"1"'})
    assert r.status_code == 200 and r.json()["targets"] == [{"indicator_code": "inspections", "target": 260}]
    assert r.json()["titles"] == ["tap_the_lao_dong_xuat_sac"], "absent fields stay"
    r = api.post(f"/v1/registrations/{reg['id']}/submit", token=tokens["officer"])
    assert r.status_code == 200 and r.json()["status"] == "submitted" and r.json()["submitted_at"]
    assert api.post(f"/v1/registrations/{reg['id']}/submit", token=tokens["officer"]).status_code == 409
    assert api.patch(f"/v1/registrations/{reg['id']}", token=tokens["officer"], json={"titles": []}).status_code == 409
    assert api.get(f"/v1/registrations/{reg['id']}", token=sla_officer).status_code == 200
    assert rls_count(server, "officer", units["TT-SLA"], reg["id"]) == 1
    # one per campaign, unit and year
    assert register(api, tokens["officer"], campaign["id"], units["TT-LSN"]).status_code == 409


@pytest.mark.parametrize("case,field,code", [
    ("year outside the period", "year", "outside_period"),
    ("unit not in the campaign's clusters", "unit_id", "not_in_cluster"),
    ("target on another indicator", "targets", "not_in_campaign"),
    ("negative target", "targets[0].target", "out_of_range"),
    ("three decimals", "targets[0].target", "precision"),
    ("bad title", "titles", "format"),
    ("title outside the catalogue", "titles", "not_found"),
])
def test_registration_rules(api, tokens, units, campaign, case, field, code):
    if case == "year outside the period":
        r = register(api, tokens["admin"], campaign["id"], units["TT-SLA"], year=2025)
    elif case == "unit not in the campaign's clusters":
        r = register(api, tokens["admin"], campaign["id"], units["BNC-TQG"])
    elif case == "target on another indicator":
        r = register(api, tokens["admin"], campaign["id"], units["TT-SLA"], targets=[{"indicator_code": "sanction_vnd", "target": 1}])
    elif case == "negative target":
        r = register(api, tokens["admin"], campaign["id"], units["TT-SLA"], targets=[{"indicator_code": "inspections", "target": -1}])
    elif case == "three decimals":
        r = register(api, tokens["admin"], campaign["id"], units["TT-SLA"], targets=[{"indicator_code": "recovery_rate", "target": 1.005}])
    elif case == "title outside the catalogue":
        r = register(api, tokens["admin"], campaign["id"], units["TT-SLA"], titles=["co_thi_dua_chinh_phu", "bang_khen_tinh_uy"])
    else:
        r = register(api, tokens["admin"], campaign["id"], units["TT-SLA"], titles=["Bằng khen"])
    assert r.status_code == 422, r.text
    assert {"field": field, "code": code} in [{"field": e["field"], "code": e["code"]} for e in r.json()["errors"]]


def test_closed_and_missing_campaigns(api, tokens, units):
    closed = api.get("/v1/campaigns", token=tokens["viewer"], params={"q": "BNCTW-142"}).json()["items"][0]
    r = register(api, tokens["admin"], closed["id"], units["BNC-BGG"], year=2020, targets=[])
    assert r.status_code == 422 and r.json()["errors"][0]["code"] == "not_active"
    assert register(api, tokens["admin"], 987654321, units["TT-SLA"]).status_code == 404


def test_registering_another_unit(api, tokens, units, campaign):
    # the officer of Lạng Sơn, for Sơn La (a visible unit it may not act for): 403
    assert register(api, tokens["officer"], campaign["id"], units["TT-SLA"]).status_code == 403
    for role in ("viewer", "integration"):
        assert register(api, tokens[role], campaign["id"], units["TT-LSN"], year=2024).status_code == 403
    r = register(api, tokens["officer"], campaign["id"], 987654321)
    assert r.status_code == 422 and r.json()["errors"][0]["field"] == "unit_id"


def test_draft_delete_and_filters(api, tokens, units, campaign):
    reg = register(api, tokens["authority"], campaign["id"], units["TT-DBN"], year=2023).json()
    r = api.get("/v1/registrations", token=tokens["authority"], params={"campaign_id": campaign["id"], "status": "draft", "year": 2023})
    assert reg["id"] in [x["id"] for x in r.json()["items"]]
    assert api.delete(f"/v1/registrations/{reg['id']}", token=tokens["officer"]).status_code in (403, 404)
    assert api.delete(f"/v1/registrations/{reg['id']}", token=tokens["authority"]).status_code == 204
    assert api.get(f"/v1/registrations/{reg['id']}", token=tokens["admin"]).status_code == 404


def test_demo_registrations(api, tokens, units):
    c142 = api.get("/v1/campaigns", token=tokens["viewer"], params={"q": "BNCTW-142"}).json()["items"][0]
    items = api.get("/v1/registrations", token=tokens["integration"], params={"campaign_id": c142["id"], "year": 2019, "limit": 50}).json()["items"]
    assert len(items) == 14 and all(i["status"] == "submitted" for i in items)
    bg = next(i for i in items if i["unit_id"] == units["BNC-BGG"])
    assert {t["indicator_code"]: t["target"] for t in bg["targets"]} == {"corruption_cases_detected": 2, "petty_corruption_incidents": 3}
    cum1 = api.get("/v1/clusters", token=tokens["viewer"], params={"organizer_unit_id": units["BNCTW"]}).json()["items"][0]
    by_cluster = api.get("/v1/registrations", token=tokens["viewer"], params={"cluster_id": cum1["id"], "limit": 100}).json()["items"]
    assert len(by_cluster) >= 14
    c2022 = api.get("/v1/campaigns", token=tokens["viewer"], params={"q": "TTCP-2022"}).json()["items"][0]
    items = api.get("/v1/registrations", token=tokens["viewer"], params={"campaign_id": c2022["id"]}).json()["items"]
    assert len(items) == 7 and all(i["pact_signed_on"] == "2022-03-15" for i in items)


def test_the_service_role_owns_nothing(server):
    """serve logs in as tdkt_app, which owns nothing: row-level security holds for it, and no
    statement it could ever be made to run switches the policy off (issue 8)."""
    import subprocess
    assert server.sql("SELECT tableowner FROM pg_tables WHERE tablename = 'registrations'") == "tdkt"
    for attack in ("ALTER TABLE registrations DISABLE ROW LEVEL SECURITY",
                   "RESET ROLE; ALTER TABLE registrations DISABLE ROW LEVEL SECURITY",
                   "SET ROLE tdkt", "ALTER TABLE registrations NO FORCE ROW LEVEL SECURITY",
                   "DROP POLICY registrations_read ON registrations", "CREATE TABLE x (a int)",
                   # the audit trail only grows, and what is migrated is the owner's business
                   "UPDATE audit_log SET actor_id = NULL", "DELETE FROM audit_log", "DELETE FROM change_feed",
                   "DELETE FROM schema_migrations", "TRUNCATE audit_log"):
        with pytest.raises(subprocess.CalledProcessError):
            server.sql_as_service(attack)
    drafts = server.sql_as_service("RESET ROLE; SELECT count(*) FROM registrations WHERE status = 'draft'")
    assert drafts.splitlines()[-1] == "0", "no stated caller, no drafts"
    sessions = server.sql("SELECT count(*) FROM pg_stat_activity WHERE application_name = 'tdkt' AND usename = 'tdkt_app'")
    assert int(sessions) >= 1


def test_titles_come_from_the_award_kind_catalogue(api, tokens, units, campaign):
    r = register(api, tokens["admin"], campaign["id"], units["TT-CBG"], titles=["co_thi_dua_bo_nganh_tinh"])
    assert r.status_code == 201, r.text
    reg = r.json()
    r = api.patch(f"/v1/registrations/{reg['id']}", token=tokens["admin"], json={"titles": ["co_thi_dua_tinh_uy"]})
    assert r.status_code == 422 and r.json()["errors"][0]["field"] == "titles"
    assert "co_thi_dua_tinh_uy" in r.json()["errors"][0]["message"]
    r = api.get(f"/v1/registrations/{reg['id']}", token=tokens["admin"])
    assert r.json()["titles"] == ["co_thi_dua_bo_nganh_tinh"] and r.json()["version"] == 1, "the failed patch changed nothing"
    r = api.patch(f"/v1/registrations/{reg['id']}", token=tokens["admin"], json={"titles": ["tap_the_lao_dong_xuat_sac"]})
    assert r.status_code == 200 and r.json()["titles"] == ["tap_the_lao_dong_xuat_sac"]


def test_another_units_registration(api, tokens, units, campaign, server):
    """a draft of another unit is absent (404) for writes too; a submitted one is readable, not changeable (403)"""
    sla_officer = server.token("officer", units["TT-SLA"], sub=312)
    draft = register(api, tokens["admin"], campaign["id"], units["TT-HGG"], year=2023).json()
    for call in (lambda t: api.patch(f"/v1/registrations/{draft['id']}", token=t, json={"pact_signed_on": None}),
                 lambda t: api.post(f"/v1/registrations/{draft['id']}/submit", token=t),
                 lambda t: api.delete(f"/v1/registrations/{draft['id']}", token=t)):
        assert call(sla_officer).status_code == 404
        assert call(tokens["authority_bnctw"]).status_code == 404
    assert api.post(f"/v1/registrations/{draft['id']}/submit", token=tokens["admin"]).status_code == 200
    for token in (sla_officer, tokens["authority_bnctw"], tokens["viewer"], tokens["integration"]):
        assert api.get(f"/v1/registrations/{draft['id']}", token=token).status_code == 200
        assert api.patch(f"/v1/registrations/{draft['id']}", token=token, json={"pact_signed_on": None}).status_code == 403
        assert api.delete(f"/v1/registrations/{draft['id']}", token=token).status_code == 403
    assert api.get(f"/v1/registrations/{draft['id']}", token=tokens["viewer"]).json()["status"] == "submitted"
