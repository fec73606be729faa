"""/v1/dossiers and /v1/proposals (issue 14): who may make each state change of a tờ trình and its
nominees, drafts seen by nobody else (in C and by row-level security), the checks on create,
eligibility stored on submit without personal data and asked again at approval (an override
reason otherwise, kept in the audit trail), the public notice in working days across Tết, review
after every verdict, return starting the verdicts again, withdraw, the change feed, and an
evaluation's close proposing its best-ranked members."""
import itertools
import subprocess
from concurrent.futures import ThreadPoolExecutor

import pytest

from commendation import (YEAR, act, as_system, dossier, end_notice, feed, feed_head, history, nominee, ok, person, rate,
                          rls_sees, sent)
from conftest import Client, held, until, waiting

years = itertools.count(2061)


@pytest.fixture(scope="module")
def who(server, tokens, units):
    """the roles around a dossier of Thanh tra tỉnh Lạng Sơn addressed to Ban Nội chính Trung ương"""
    return {
        "officer": tokens["officer"], "authority_ls": tokens["authority_ls"], "viewer": tokens["viewer"],
        "above": tokens["authority"],                     # Thanh tra Chính phủ, above Lạng Sơn
        "approver": tokens["authority_bnctw"],            # the approving unit's authority
        "approver_officer": server.token("officer", units["BNCTW"], sub=1401),
        "elsewhere": server.token("authority", units["TT-SLA"], sub=1402),
        "officer_elsewhere": server.token("officer", units["TT-SLA"], sub=1403),
        "integration": tokens["integration"], "admin": tokens["admin"],
    }


@pytest.fixture
def units2(units):
    return units["TT-LSN"], units["BNCTW"]


def statuses(api, path, tokens_):
    return {name: api.get(path, token=tokens_[name]).status_code for name in tokens_}


def test_who_makes_each_step_of_a_dossier(api, server, who, units, units2):
    d = dossier(api, who["officer"], *units2, note="Tờ trình kiểm thử")
    p = nominee(api, who["officer"], d["id"], "giay_khen", recipient_unit_id=units["TT-LSN"])
    path = f"/v1/dossiers/{d['id']}"
    # a draft: the proposing unit's subtree (every role there, the authorities above it) and admins; 404 for the rest
    draft = {"officer": 200, "authority_ls": 200, "viewer": 200, "above": 200, "admin": 200,
             "approver": 404, "approver_officer": 404, "elsewhere": 404, "officer_elsewhere": 404, "integration": 404}
    assert statuses(api, path, who) == draft
    assert statuses(api, f"/v1/proposals/{p['id']}", who) == draft
    # row-level security says the same below the C checks, for the dossier and its nominee
    for table, row in (("dossiers", d["id"]), ("proposals", p["id"])):
        assert rls_sees(server, table, "officer", units["TT-LSN"], row)
        assert rls_sees(server, table, "viewer", units["TT-LSN"], row)
        assert not rls_sees(server, table, "authority", units["BNCTW"], row)
        assert not rls_sees(server, table, "officer", units["TT-SLA"], row)
        assert not rls_sees(server, table, "integration", units["TTCP"], row)
        assert not rls_sees(server, table, "", "", row)
    # lists leave it out for them too
    for name in ("approver", "elsewhere", "integration"):
        listed = ok(api.get("/v1/dossiers", token=who[name], params={"proposing_unit_id": units["TT-LSN"], "limit": 500}))
        assert d["id"] not in [x["id"] for x in listed["items"]], name
        assert ok(api.get("/v1/proposals", token=who[name], params={"dossier_id": d["id"]}))["items"] == [], name
    # writing it: 403 for a role that never writes, 404 where it is not seen, the proposer's subtree may
    for name, status in (("viewer", 403), ("integration", 403), ("approver", 404), ("officer_elsewhere", 404)):
        assert api.patch(path, token=who[name], json={"note": "x"}).status_code == status, name
        assert act(api, who[name], f"dossiers/{d['id']}/submit").status_code == status, name
    assert ok(api.patch(path, token=who["authority_ls"], json={"note": "Tờ trình (sửa)"}))["note"] == "Tờ trình (sửa)"
    # the approver's steps are not the proposer's, and need a sent dossier
    assert act(api, who["officer"], f"dossiers/{d['id']}/publish", {"notice_days": 5}).status_code == 403
    assert act(api, who["admin"], f"dossiers/{d['id']}/publish", {"notice_days": 5}).status_code == 409
    submitted = ok(act(api, who["officer"], f"dossiers/{d['id']}/submit"))
    assert submitted["status"] == "submitted" and submitted["submitted_at"] and submitted["submitted_on"]
    # sent on: everybody's to read
    assert set(statuses(api, path, who).values()) == {200}
    assert rls_sees(server, "dossiers", "integration", units["TTCP"], d["id"])
    assert api.patch(path, token=who["officer"], json={"note": "x"}).status_code == 409
    # the approving unit's authorities act; its officers, the proposer and others may not
    for name in ("officer", "authority_ls", "above", "approver_officer", "elsewhere", "viewer", "integration"):
        assert act(api, who[name], f"dossiers/{d['id']}/publish", {"notice_days": 5}).status_code == 403, name
        assert act(api, who[name], f"dossiers/{d['id']}/return", {"note": "Bổ sung"}).status_code == 403, name
        assert act(api, who[name], f"proposals/{p['id']}/reject", {"reason": "Không"}).status_code == 403, name
    # the approver may not withdraw, nor may anyone but the proposer
    for name in ("approver", "elsewhere", "viewer"):
        assert act(api, who[name], f"dossiers/{d['id']}/withdraw").status_code == 403, name
    returned = ok(act(api, who["approver"], f"dossiers/{d['id']}/return", {"note": "Bổ sung báo cáo thành tích."}))
    assert returned["status"] == "returned" and returned["return_note"] == "Bổ sung báo cáo thành tích."
    # returned: the proposer's subtree and the approver's, nobody else
    back = dict(draft, approver=200, approver_officer=200)
    assert statuses(api, path, who) == back
    assert rls_sees(server, "dossiers", "authority", units["BNCTW"], d["id"])
    assert not rls_sees(server, "dossiers", "integration", units["TTCP"], d["id"])
    resubmitted = ok(act(api, who["officer"], f"dossiers/{d['id']}/submit"))
    assert resubmitted["return_note"] is None and resubmitted["status"] == "submitted"
    # admins do anything; every step is in the audit trail
    ok(act(api, who["admin"], f"proposals/{p['id']}/reject", {"reason": "Không đủ tiêu chuẩn"}))
    assert ok(act(api, who["approver"], f"dossiers/{d['id']}/review"))["status"] == "reviewed"
    assert act(api, who["officer"], f"dossiers/{d['id']}/withdraw").status_code == 409
    audit = ok(api.get("/v1/audit", token=who["admin"], params={"entity": "dossier", "entity_id": d["id"]}))["items"]
    assert [e["changes"]["status"]["new"] for e in audit if "status" in e["changes"]] == \
        ["draft", "submitted", "returned", "submitted", "reviewed"]


def test_a_dossier_is_checked(api, who, units, units2):
    lsn, bnctw = units2
    base = {"number": "1/TTr-KT-CHECK", "year": YEAR, "proposing_unit_id": lsn, "approving_unit_id": bnctw}
    for extra, field, code in [({"approving_unit_id": lsn}, "approving_unit_id", "same_unit"),
                               ({"approving_unit_id": 999999999}, "approving_unit_id", "not_found"),
                               ({"year": 1999}, "year", "out_of_range"), ({"kind": "yearly"}, "kind", "enum"),
                               ({"status": "submitted"}, "status", "read_only"), ({"parent_id": 1}, "parent_id", "read_only"),
                               ({"evaluation_id": 1}, "evaluation_id", "read_only"), ({"tờ_trình": 1}, "tờ_trình", "unknown_field"),
                               ({"number": ""}, "number", "blank"), ({"submitted_on": "2026-02-30"}, "submitted_on", "date")]:
        r = api.post("/v1/dossiers", token=who["officer"], json=dict(base, **extra))
        assert r.status_code == 422 and (field, code) in [(e["field"], e["code"]) for e in r.json()["errors"]], (extra, r.text)
    assert api.post("/v1/dossiers", token=who["officer"], json=dict(base, proposing_unit_id=units["TT-SLA"])).status_code == 403
    assert api.post("/v1/dossiers", token=who["viewer"], json=base).status_code == 403
    d = ok(api.post("/v1/dossiers", token=who["officer"], json=base), 201)
    assert d["kind"] == "year_end" and d["status"] == "draft" and d["nominees"] == 0 and d["forwarded_from_ids"] == []
    # the number is the proposing unit's: once there, and free for another unit
    r = api.post("/v1/dossiers", token=who["officer"], json=base)
    assert r.status_code == 409 and r.json()["errors"][0] == {"field": "number", "code": "duplicate",
                                                              "message": "the proposing unit already has a dossier with this number"}
    ok(api.post("/v1/dossiers", token=who["elsewhere"], json=dict(base, proposing_unit_id=units["TT-SLA"])), 201)
    # a patch keeps the proposer and the rules
    r = api.patch(f"/v1/dossiers/{d['id']}", token=who["officer"], json={"proposing_unit_id": units["TT-SLA"]})
    assert r.status_code == 422 and r.json()["errors"][0]["code"] == "read_only"
    r = api.patch(f"/v1/dossiers/{d['id']}", token=who["officer"], json={"approving_unit_id": lsn})
    assert r.status_code == 422 and r.json()["errors"][0]["code"] == "same_unit"
    # If-Match on a patch and on an action
    assert api.patch(f"/v1/dossiers/{d['id']}", token=who["officer"], json={"kind": "ad_hoc"},
                     headers={"If-Match": '"7"'}).status_code == 412
    assert act(api, who["officer"], f"dossiers/{d['id']}/submit", headers={"If-Match": '"7"'}).status_code == 412
    # nothing to submit; a draft is deleted with its nominees, once sent it is not
    r = act(api, who["officer"], f"dossiers/{d['id']}/submit")
    assert r.status_code == 409 and "no nominees" in r.json()["detail"]
    nominee(api, who["officer"], d["id"], recipient_unit_id=lsn)
    assert api.delete(f"/v1/dossiers/{d['id']}", token=who["viewer"]).status_code == 403
    assert api.delete(f"/v1/dossiers/{d['id']}", token=who["officer"]).status_code == 204
    assert api.get(f"/v1/dossiers/{d['id']}", token=who["admin"]).status_code == 404
    assert ok(api.get("/v1/proposals", token=who["admin"], params={"dossier_id": d["id"]}))["items"] == []
    d2, _ = sent(api, who["officer"], who["approver"], units2, [{"recipient_unit_id": lsn}])
    assert api.delete(f"/v1/dossiers/{d2['id']}", token=who["officer"]).status_code == 409


def test_list_filters(api, who, units, units2):
    year = next(years)
    d = dossier(api, who["officer"], *units2, year=year, kind="thematic")
    other = dossier(api, who["elsewhere"], units["TT-SLA"], units["TTCP"], year=year)
    ids = lambda **params: [x["id"] for x in ok(api.get("/v1/dossiers", token=who["admin"],
                                                        params=dict(year=year, **params)))["items"]]
    assert ids() == [d["id"], other["id"]]
    assert ids(kind="thematic") == [d["id"]] and ids(status="draft") == [d["id"], other["id"]] and ids(status="submitted") == []
    assert ids(approving_unit_id=units["TTCP"]) == [other["id"]]
    # subtree widens either unit filter (Thanh tra Chính phủ holds Lạng Sơn and Sơn La), or both
    assert ids(proposing_unit_id=units["TTCP"]) == []
    assert ids(proposing_unit_id=units["TTCP"], subtree="true") == [d["id"], other["id"]]
    assert ids(approving_unit_id=units["TTCP"], subtree="true") == [other["id"]]
    assert ids(proposing_unit_id=units["TTCP"], approving_unit_id=units["BNCTW"], subtree="true") == [d["id"]]
    r = api.get("/v1/dossiers", token=who["admin"], params={"subtree": "true"})
    assert r.status_code == 400 and "proposing_unit_id or approving_unit_id" in r.json()["detail"]
    assert api.get("/v1/dossiers", token=who["admin"], params={"status": "sent"}).status_code == 400
    # the demo's Cụm 1 tờ trình, decided, and its nominees by the dossier's year
    demo = ok(api.get("/v1/dossiers", token=who["viewer"], params={"year": 2019, "approving_unit_id": units["BNCTW"]}))["items"]
    assert [(x["number"], x["status"], x["nominees"]) for x in demo] == [("01/TTr-CTĐ1", "decided", 3)]
    demo_nominees = ok(api.get("/v1/proposals", token=who["viewer"], params={"year": 2019, "status": "decided"}))["items"]
    assert sorted(x["recipient_name"] for x in demo_nominees) == [
        "Ban Nội chính Tỉnh ủy Bắc Giang", "Ban Nội chính Tỉnh ủy Lạng Sơn", "Ban Nội chính Tỉnh ủy Thái Nguyên"]
    assert all("eligibility" not in x and x["decision_number"] == "01-QĐ/BNCTW (giả định)" for x in demo_nominees)
    nested = ok(api.get(f"/v1/dossiers/{demo[0]['id']}/proposals", token=who["viewer"], params={"limit": 2}))
    assert len(nested["items"]) == 2 and nested["next_cursor"]
    assert api.get(f"/v1/dossiers/{demo[0]['id']}/proposals", token=who["viewer"],
                   params={"dossier_id": 1}).status_code == 400


@pytest.mark.parametrize("body,field,code", [
    pytest.param({}, "recipient_unit_id", "one_recipient", id="no recipient"),
    pytest.param({"recipient_unit_id": "U", "recipient_household": {"name": "Hộ ông A", "address": "Lạng Sơn"}},
                 "recipient_unit_id", "one_recipient", id="two recipients"),
    pytest.param({"recipient_household": {"name": "Hộ ông A"}}, "recipient_household.address", "required", id="household without address"),
    pytest.param({"recipient_household": {"name": "Hộ ông A", "address": "x", "phone": "0912"}}, "recipient_household", "too_many",
                 id="household with a third member"),
    pytest.param({"recipient_household": {"name": "", "address": "x"}}, "recipient_household.name", "blank", id="household blank name"),
    pytest.param({"recipient_household": "Hộ ông A"}, "recipient_household", "type", id="household not an object"),
    pytest.param({"award_kind_code": "chien_si_thi_dua_co_so", "recipient_unit_id": "U"}, "award_kind_code", "recipient_kind",
                 id="unit for an individual title"),
    pytest.param({"award_kind_code": "tap_the_lao_dong_xuat_sac", "recipient_person_id": "P"}, "award_kind_code", "recipient_kind",
                 id="person for a collective title"),
    pytest.param({"award_kind_code": "lao_dong_tien_tien", "recipient_household": {"name": "Hộ ông A", "address": "x"}},
                 "award_kind_code", "recipient_kind", id="household for an individual title"),
    pytest.param({"award_kind_code": "bang_khen_nha_nuoc", "recipient_unit_id": "U"}, "award_kind_code", "not_found", id="unknown kind"),
    pytest.param({"recipient_person_id": 999999999}, "recipient_person_id", "not_found", id="no such person"),
    pytest.param({"recipient_unit_id": "U", "status": "approved"}, "status", "read_only", id="status"),
    pytest.param({"recipient_unit_id": "U", "eligible": True}, "eligible", "read_only", id="eligible"),
    pytest.param({"recipient_unit_id": "U", "ly_do": "x"}, "ly_do", "unknown_field", id="unknown field"),
    pytest.param({"recipient_unit_id": "U", "subject_class": "farmer"}, "subject_class", "enum", id="subject class"),
])
def test_a_nominee_is_checked(api, who, units, units2, tokens, server, body, field, code):
    d = dossier(api, who["officer"], *units2)
    p = person(api, tokens, units["TT-LSN"])
    body = {k: units["TT-LSN"] if v == "U" else p if v == "P" else v for k, v in dict({"award_kind_code": "giay_khen"}, **body).items()}
    before = as_system(server, "SELECT count(*) FROM proposals")
    r = api.post(f"/v1/dossiers/{d['id']}/proposals", token=who["officer"], json=body)
    assert r.status_code == 422 and (field, code) in [(e["field"], e["code"]) for e in r.json()["errors"]], r.text
    assert as_system(server, "SELECT count(*) FROM proposals") == before


def test_nominees_and_their_dossier(api, who, units, units2, tokens):
    lsn = units["TT-LSN"]
    d = dossier(api, who["officer"], *units2)
    household = {"name": "Hộ ông Hoàng Văn Sáng", "address": "Thôn Nà Pàn, Hữu Lũng, Lạng Sơn"}
    h = nominee(api, who["officer"], d["id"], "giay_khen", recipient_household=household, subject_class="worker_farmer")
    assert h["recipient_household"] == household and h["recipient_name"] == household["name"] and h["status"] == "pending"
    assert h["eligibility"] is None and h["eligible"] is None and h["dossier_id"] == d["id"]
    u = nominee(api, who["officer"], d["id"], "bang_khen_bo_nganh_tinh", recipient_unit_id=lsn)
    assert u["recipient_name"] == "Thanh tra tỉnh Lạng Sơn" and u["subject_class"] == "staff"
    # one recipient once per kind; another kind is another nominee
    r = api.post(f"/v1/dossiers/{d['id']}/proposals", token=who["officer"], json={"award_kind_code": "giay_khen",
                                                                                  "recipient_household": household})
    assert r.status_code == 409 and r.json()["errors"][0]["code"] == "duplicate"
    seen = api.get(f"/v1/dossiers/{d['id']}", token=who["officer"])
    third = nominee(api, who["officer"], d["id"], "giay_khen", recipient_unit_id=lsn)
    # the count is in the answer, so a nominee added or removed moves the dossier's version (its
    # ETag) on: no 304 for the count seen before, and an If-Match of it no longer holds
    now = api.get(f"/v1/dossiers/{d['id']}", token=who["officer"], headers={"If-None-Match": seen.headers["ETag"]})
    assert now.status_code == 200 and now.json()["nominees"] == 3 and now.json()["version"] == seen.json()["version"] + 1
    assert api.patch(f"/v1/dossiers/{d['id']}", token=who["officer"], json={"number": "TTr-cu"},
                     headers={"If-Match": seen.headers["ETag"]}).status_code == 412
    assert api.delete(f"/v1/proposals/{third['id']}", token=who["officer"]).status_code == 204
    gone = ok(api.get(f"/v1/dossiers/{d['id']}", token=who["officer"]))
    assert gone["nominees"] == 2 and gone["version"] == now.json()["version"] + 1
    nominee(api, who["officer"], d["id"], "giay_khen", recipient_unit_id=lsn)
    assert ok(api.get(f"/v1/dossiers/{d['id']}", token=who["officer"]))["nominees"] == 3
    # the recipient does not change; the kind does, when it fits
    r = api.patch(f"/v1/proposals/{u['id']}", token=who["officer"], json={"recipient_unit_id": units["TT-SLA"]})
    assert r.status_code == 422 and r.json()["errors"][0] == {"field": "recipient_unit_id", "code": "read_only",
                                                              "message": "recipient_unit_id is set by the server"}
    r = api.patch(f"/v1/proposals/{u['id']}", token=who["officer"], json={"award_kind_code": "lao_dong_tien_tien"})
    assert r.status_code == 422 and r.json()["errors"][0]["code"] == "recipient_kind"
    assert ok(api.patch(f"/v1/proposals/{u['id']}", token=who["officer"], json={"award_kind_code": "bang_khen_thu_tuong",
                                                                                "achievements": "Thành tích xuất sắc"}))[
        "award_kind_name"] == "Bằng khen của Thủ tướng Chính phủ"
    # who: the proposer's subtree writes; a viewer may not; a unit that cannot see the draft gets a 404
    assert api.post(f"/v1/dossiers/{d['id']}/proposals", token=who["viewer"], json={"award_kind_code": "giay_khen",
                                                                                    "recipient_unit_id": lsn}).status_code == 403
    for name in ("approver", "officer_elsewhere"):
        assert api.post(f"/v1/dossiers/{d['id']}/proposals", token=who[name], json={"award_kind_code": "giay_khen",
                                                                                    "recipient_unit_id": lsn}).status_code == 404
        assert api.get(f"/v1/dossiers/{d['id']}/proposals", token=who[name]).status_code == 404
        assert api.delete(f"/v1/proposals/{h['id']}", token=who[name]).status_code == 404
    assert api.post("/v1/dossiers/999999999/proposals", token=who["officer"],
                    json={"award_kind_code": "giay_khen", "recipient_unit_id": lsn}).status_code == 404
    assert api.delete(f"/v1/proposals/{h['id']}", token=who["officer"]).status_code == 204
    # once sent, nominees change no more; another unit sees the dossier now, and may not add to it
    ok(act(api, who["officer"], f"dossiers/{d['id']}/submit"))
    for name in ("officer_elsewhere", "elsewhere"):
        r = api.post(f"/v1/dossiers/{d['id']}/proposals", token=who[name], json={"award_kind_code": "giay_khen",
                                                                                "recipient_unit_id": units["TT-SLA"]})
        assert r.status_code == 403, (name, r.text)
    assert api.post(f"/v1/dossiers/{d['id']}/proposals", token=who["officer"], json={"award_kind_code": "giay_khen",
                                                                                     "recipient_household": household}).status_code == 409
    assert api.patch(f"/v1/proposals/{u['id']}", token=who["officer"], json={"achievements": "x"}).status_code == 409
    assert api.delete(f"/v1/proposals/{u['id']}", token=who["officer"]).status_code == 409
    # the approver sees them now; their verdicts are not the proposer's to give
    assert ok(api.get(f"/v1/dossiers/{d['id']}/proposals", token=who["approver"]))["items"][0]["id"] == u["id"]
    assert act(api, who["officer"], f"proposals/{u['id']}/approve", {"override_reason": "x"}).status_code == 403


def test_submit_stores_each_nominees_eligibility_without_personal_data(api, who, units, tokens, server):
    lsn, ttcp = units["TT-LSN"], units["TTCP"]
    # Chiến sĩ thi đua cơ sở: Lao động tiên tiến that year and hoàn thành xuất sắc
    good = person(api, tokens, lsn)
    [ldtt] = history(api, tokens, good, "lao_dong_tien_tien", [YEAR])
    rate(api, tokens, good, YEAR, "excellent", lsn)
    poor = person(api, tokens, lsn)
    rate(api, tokens, poor, YEAR, "good", lsn)
    # Chiến sĩ thi đua cấp tỉnh: also no discipline, which only those who may read it check
    strong = person(api, tokens, lsn)
    history(api, tokens, strong, "chien_si_thi_dua_co_so", [YEAR - 2, YEAR - 1, YEAR])
    camp = as_system(server, "SELECT id FROM campaigns ORDER BY id LIMIT 1")
    as_system(server, f"INSERT INTO initiatives (campaign_id, unit_id, person_id, title, field, year, status, recognized_level,"
                      f" recognized_on, recognized_by_unit_id, recognized_scope) VALUES ({camp}, {lsn}, {strong}, 'Sáng kiến kiểm thử',"
                      f" 'other', {YEAR - 1}, 'recognized', 'province', '{YEAR - 1}-10-01', {ttcp}, 'sector')")
    d = dossier(api, who["officer"], lsn, ttcp)
    ps = [nominee(api, who["officer"], d["id"], "chien_si_thi_dua_co_so", recipient_person_id=good),
          nominee(api, who["officer"], d["id"], "chien_si_thi_dua_co_so", recipient_person_id=poor),
          nominee(api, who["officer"], d["id"], "chien_si_thi_dua_bo_nganh_tinh", recipient_person_id=strong),
          nominee(api, who["officer"], d["id"], "giay_khen", recipient_household={"name": "Hộ bà Lò Thị Mai", "address": "Lạng Sơn"}),
          nominee(api, who["officer"], d["id"], "huan_chuong_lao_dong_hang_ba", recipient_unit_id=lsn)]
    r = api.get(f"/v1/proposals/{ps[0]['id']}/eligibility", token=who["officer"])
    assert r.status_code == 409 and "submitted" in r.json()["detail"]
    # another unit's draft is not there at all for it
    for name in ("officer_elsewhere", "elsewhere", "approver"):
        assert api.get(f"/v1/proposals/{ps[0]['id']}/eligibility", token=who[name]).status_code == 404, name
    submitted = ok(act(api, who["officer"], f"dossiers/{d['id']}/submit"))
    stored = [ok(api.get(f"/v1/proposals/{p['id']}/eligibility", token=tokens["viewer"])) for p in ps]
    # once sent, every unit reads the same stored result
    assert ok(api.get(f"/v1/proposals/{ps[0]['id']}/eligibility", token=who["elsewhere"])) == stored[0]
    assert [s["eligible"] for s in stored] == [True, False, None, None, False]
    assert all(s["on"] == submitted["submitted_on"] and s["year"] == YEAR for s in stored)
    assert stored[0]["recipient_person_id"] == good and stored[0]["rules_version"]["effective_from"] == "2026-12-01"
    by = {c["path"]: c for c in stored[0]["checks"]}
    assert by["expr.items[0]"]["rule"] == "title_in_years" and by["expr.items[0]"]["evidence"] == [{"award": ldtt}]
    # no personal data stored: the discipline rule is left to the approver
    rules = {c["rule"]: c for c in stored[2]["checks"]}
    assert rules["no_discipline"]["passed"] is None and rules["title_in_years"]["passed"] is True
    assert "discipline" not in str([c["evidence"] for c in stored[2]["checks"]])
    # a household's record is not kept here; a Huân chương's notice by its proposer never happened
    assert stored[3] == {"award_kind_code": "giay_khen", "recipient_unit_id": None, "recipient_person_id": None, "year": YEAR,
                         "on": submitted["submitted_on"], "eligible": None, "rules_version": None, "checks": []}
    notice = {c["rule"]: c for c in stored[4]["checks"]}["public_notice"]
    assert notice["passed"] is False and notice["detail"] == {"by": "proposer", "working_days": 10}
    # the nominee shows it, the list its result only; other units read the same
    got = ok(api.get(f"/v1/proposals/{ps[0]['id']}", token=who["elsewhere"]))
    assert got["eligibility"] == stored[0] and got["eligible"] is True and got["eligibility_on"] == submitted["submitted_on"]
    listed = ok(api.get(f"/v1/dossiers/{d['id']}/proposals", token=who["elsewhere"]))["items"]
    assert [x["eligible"] for x in listed] == [True, False, None, None, False] and "eligibility" not in listed[0]
    assert ok(api.get("/v1/proposals", token=who["admin"], params={"dossier_id": d["id"], "status": "pending",
                                                                 "award_kind_code": "chien_si_thi_dua_co_so"}))["items"][1]["id"] == ps[1]["id"]
    assert api.get("/v1/proposals/999999999/eligibility", token=who["admin"]).status_code == 404
    # approval asks again, with the approver's rights: Thanh tra Chính phủ reads Lạng Sơn's people's disciplines
    approver = tokens["authority"]
    assert ok(act(api, approver, f"proposals/{ps[0]['id']}/approve"))["status"] == "approved"
    reads = "SELECT count(*) FROM audit_log WHERE action = 'read' AND entity = 'discipline'"
    before = int(as_system(server, reads))
    assert ok(act(api, approver, f"proposals/{ps[2]['id']}/approve", {}))["override_reason"] is None
    assert int(as_system(server, reads)) == before + 1
    # a reprimand in the window: no longer shown eligible at approval, though the stored answer is unchanged
    ok(api.post("/v1/disciplines", token=tokens["admin"], json={
        "person_id": strong, "level": "reprimand", "decided_on": f"{YEAR}-03-01", "effective_from": f"{YEAR}-03-01",
        "decision_number": "3/QĐ-KT"}), 201)
    ok(act(api, approver, f"proposals/{ps[2]['id']}/reject", {"reason": "Xem xét lại"}))
    before = int(as_system(server, reads))
    r = act(api, approver, f"proposals/{ps[2]['id']}/approve")
    assert r.status_code == 409 and "give override_reason" in r.json()["detail"] and "no_discipline" in r.json()["detail"]
    # the refusal tells what the disciplines showed: that read is recorded, though nothing is approved
    assert int(as_system(server, reads)) == before + 1
    assert ok(api.get(f"/v1/proposals/{ps[2]['id']}", token=approver))["status"] == "rejected"
    live = ok(api.get("/v1/eligibility", token=approver, params={"award_kind_code": "chien_si_thi_dua_bo_nganh_tinh",
                                                                 "recipient_person_id": strong, "year": YEAR}))
    assert live["eligible"] is False and {c["rule"]: c for c in live["checks"]}["no_discipline"]["passed"] is False
    assert ok(api.get(f"/v1/proposals/{ps[2]['id']}/eligibility", token=approver)) == stored[2]


def test_approving_a_nominee_not_shown_eligible_needs_a_reason_kept_in_the_audit_trail(api, who, units, units2, tokens):
    lsn = units["TT-LSN"]
    poor = person(api, tokens, lsn)
    d = dossier(api, who["officer"], *units2)
    p = nominee(api, who["officer"], d["id"], "lao_dong_tien_tien", recipient_person_id=poor)
    h = nominee(api, who["officer"], d["id"], "giay_khen", recipient_household={"name": "Hộ ông Vi Văn Tư", "address": "Lạng Sơn"})
    ok(act(api, who["officer"], f"dossiers/{d['id']}/submit"))
    # no rating on record: rating_in_years is null, and so the nominee is not shown eligible
    for body in (None, {}, {"override_reason": None}):
        r = act(api, who["approver"], f"proposals/{p['id']}/approve", body)
        assert r.status_code == 409 and "rating_in_years (expr.items[0]) null" in r.json()["detail"], r.text
    r = act(api, who["approver"], f"proposals/{h['id']}/approve")
    assert r.status_code == 409 and "household" in r.json()["detail"]
    for body, field, code in [({"override_reason": ""}, "override_reason", "blank"), ({"reason": "x"}, "reason", "unknown_field")]:
        r = act(api, who["approver"], f"proposals/{p['id']}/approve", body)
        assert r.status_code == 422 and r.json()["errors"][0]["field"] == field and r.json()["errors"][0]["code"] == code
    reason = "Đơn vị xác nhận hoàn thành tốt nhiệm vụ; biên bản họp xét ngày 10/12."
    approved = ok(act(api, who["approver"], f"proposals/{p['id']}/approve", {"override_reason": reason}))
    assert approved["status"] == "approved" and approved["override_reason"] == reason and approved["rejection_reason"] is None
    assert act(api, who["approver"], f"proposals/{p['id']}/approve", {"override_reason": reason}).status_code == 409
    audit = ok(api.get("/v1/audit", token=tokens["admin"], params={"entity": "proposal", "entity_id": p["id"]}))["items"]
    last = audit[-1]
    assert last["actor_unit_id"] == units["BNCTW"] and last["actor_role"] == "authority"
    assert last["changes"]["override_reason"] == {"old": None, "new": reason}
    assert last["changes"]["status"] == {"old": "pending", "new": "approved"}
    # a rejection clears the override; a reason is required
    r = act(api, who["approver"], f"proposals/{p['id']}/reject", {})
    assert r.status_code == 422 and r.json()["errors"][0] == {"field": "reason", "code": "required", "message": "reason is required"}
    rejected = ok(act(api, who["approver"], f"proposals/{p['id']}/reject", {"reason": "Chưa được đánh giá xếp loại."}))
    assert rejected["override_reason"] is None and rejected["rejection_reason"] == "Chưa được đánh giá xếp loại."
    assert act(api, who["approver"], f"proposals/{p['id']}/reject", {"reason": "x"}).status_code == 409


def test_the_public_notice_runs_in_working_days(api, who, units, units2, server):
    d = dossier(api, who["officer"], *units2)
    hc = nominee(api, who["officer"], d["id"], "huan_chuong_lao_dong_hang_ba", recipient_unit_id=units["TT-LSN"])
    gk = nominee(api, who["officer"], d["id"], "giay_khen", recipient_unit_id=units["TT-LSN"])
    ok(act(api, who["officer"], f"dossiers/{d['id']}/submit"))
    # a Huân chương asks a notice: not approved before it is published
    r = act(api, who["approver"], f"proposals/{hc['id']}/approve", {"override_reason": "x"})
    assert r.status_code == 409 and "publish" in r.json()["detail"]
    # its rule asks 10 working days (Nghị định 98/2023 Điều 46)
    r = act(api, who["approver"], f"dossiers/{d['id']}/publish", {"notice_days": 9})
    assert r.status_code == 422 and r.json()["errors"] == [{"field": "notice_days", "code": "too_short",
                                                           "message": "a nominee's kind asks a public notice of 10 working days"}]
    for days in (0, 61):
        r = act(api, who["approver"], f"dossiers/{d['id']}/publish", {"notice_days": days})
        assert r.status_code == 422 and r.json()["errors"][0]["code"] == "out_of_range"
    assert act(api, who["approver"], f"dossiers/{d['id']}/publish", {}).status_code == 422
    published = ok(act(api, who["approver"], f"dossiers/{d['id']}/publish", {"notice_days": 12}))
    today, until = server.sql("SELECT current_date, tdkt_add_working_days(current_date, 12)").split("|")
    assert (published["status"], published["notice_days"], published["notice_from"], published["notice_until"]) == \
        ("public_notice", 12, today, until)
    assert act(api, who["approver"], f"dossiers/{d['id']}/publish", {"notice_days": 12}).status_code == 409
    # while it runs: no approval, no review; a rejection does not wait
    for p in (hc, gk):
        r = act(api, who["approver"], f"proposals/{p['id']}/approve", {"override_reason": "x"})
        assert r.status_code == 409 and f"until {until}" in r.json()["detail"]
    ok(act(api, who["approver"], f"proposals/{gk['id']}/reject", {"reason": "Cấp cơ sở khen"}))
    r = act(api, who["approver"], f"dossiers/{d['id']}/review")
    assert r.status_code == 409
    end_notice(server, d["id"])
    r = act(api, who["approver"], f"dossiers/{d['id']}/review")
    assert r.status_code == 409 and "1 nominees neither approved nor rejected" in r.json()["detail"]
    approved = ok(act(api, who["approver"], f"proposals/{hc['id']}/approve", {"override_reason": "Hồ sơ đầy đủ"}))
    assert approved["status"] == "approved"
    assert ok(act(api, who["approver"], f"dossiers/{d['id']}/review"))["reviewed_at"]


def test_working_days_across_tet_2027(server):
    """Tết Đinh Mùi: 29 tháng Chạp on Friday 5/2/2027, mùng 1-4 on 6-9/2, nghỉ bù 10-11/2"""
    def add(start, n):
        return server.sql(f"SELECT tdkt_add_working_days('{start}', {n})")
    assert add("2027-02-03", 1) == "2027-02-04"
    assert add("2027-02-03", 2) == "2027-02-12"            # Friday 5/2 to Thursday 11/2 are days off
    assert add("2027-02-03", 10) == "2027-02-24"           # ten weekdays would end on 17/2
    assert add("2027-01-29", 10) == "2027-02-19"
    assert server.sql("SELECT tdkt_working_days_between('2027-02-03', '2027-02-24')") == "10"
    assert server.sql("SELECT count(*) FROM generate_series('2027-02-04'::date, '2027-02-24', '1 day') d"
                      " WHERE extract(isodow FROM d) < 6") == "15"


def test_review_needs_every_verdict_and_return_starts_them_again(api, who, units, units2, server):
    lsn = units["TT-LSN"]
    d, (a, b) = sent(api, who["officer"], who["approver"], units2,
                     [{"recipient_unit_id": lsn}, {"recipient_household": {"name": "Hộ ông Nông Văn Dền", "address": "Lạng Sơn"}}],
                     approve=[0])
    r = act(api, who["approver"], f"dossiers/{d['id']}/review")
    assert r.status_code == 409 and "1 nominees" in r.json()["detail"]
    ok(act(api, who["approver"], f"proposals/{b['id']}/reject", {"reason": "Thiếu xác nhận của xã"}))
    # a published notice and the verdicts: a return ends both
    returned = ok(act(api, who["approver"], f"dossiers/{d['id']}/return", {"note": "Bổ sung xác nhận của xã"}))
    assert returned["status"] == "returned"
    got = {p["id"]: p for p in ok(api.get(f"/v1/dossiers/{d['id']}/proposals", token=who["officer"]))["items"]}
    assert [(got[x["id"]]["status"], got[x["id"]]["rejection_reason"], got[x["id"]]["override_reason"]) for x in (a, b)] == \
        [("pending", None, None), ("pending", None, None)]
    # the proposer edits and sends it again; the approver publishes, returns during the notice
    ok(api.patch(f"/v1/proposals/{b['id']}", token=who["officer"], json={"achievements": "Có xác nhận của UBND xã."}))
    assert act(api, who["approver"], f"dossiers/{d['id']}/review").status_code == 409
    ok(act(api, who["officer"], f"dossiers/{d['id']}/submit"))
    ok(act(api, who["approver"], f"dossiers/{d['id']}/publish", {"notice_days": 5}))
    back = ok(act(api, who["approver"], f"dossiers/{d['id']}/return", {"note": "Có ý kiến phản ánh trong thời gian công khai"}))
    assert (back["notice_days"], back["notice_from"], back["notice_until"]) == (None, None, None)
    # resubmitted, it is no longer in a notice: verdicts and review follow at once (a Giấy khen asks none)
    ok(act(api, who["officer"], f"dossiers/{d['id']}/submit"))
    for p in (a, b):
        ok(act(api, who["approver"], f"proposals/{p['id']}/approve", {"override_reason": "Đủ điều kiện"}))
    reviewed = ok(act(api, who["approver"], f"dossiers/{d['id']}/review"))
    assert reviewed["status"] == "reviewed"
    for action, body in (("return", {"note": "x"}), ("publish", {"notice_days": 5}), ("review", None)):
        r = act(api, who["approver"], f"dossiers/{d['id']}/{action}", body)
        assert r.status_code == 409 and "reviewed" in r.json()["detail"], action
    assert act(api, who["approver"], f"proposals/{a['id']}/reject", {"reason": "x"}).status_code == 409


def test_withdraw(api, who, units, units2, server):
    d = dossier(api, who["officer"], *units2)
    nominee(api, who["officer"], d["id"], recipient_unit_id=units["TT-LSN"])
    withdrawn = ok(act(api, who["officer"], f"dossiers/{d['id']}/withdraw"))
    assert withdrawn["status"] == "withdrawn" and withdrawn["submitted_at"] is None
    # never sent: still the subtree's alone
    for name, status in (("approver", 404), ("integration", 404), ("viewer", 200)):
        assert api.get(f"/v1/dossiers/{d['id']}", token=who[name]).status_code == status, name
    assert not rls_sees(server, "dossiers", "authority", units["BNCTW"], d["id"])
    assert act(api, who["officer"], f"dossiers/{d['id']}/submit").status_code == 409
    assert api.delete(f"/v1/dossiers/{d['id']}", token=who["officer"]).status_code == 409
    # withdrawn once sent: everybody's still
    d2, _ = sent(api, who["authority_ls"], who["approver"], units2, [{"recipient_unit_id": units["TT-LSN"]}])
    assert ok(act(api, who["authority_ls"], f"dossiers/{d2['id']}/withdraw"))["status"] == "withdrawn"
    assert api.get(f"/v1/dossiers/{d2['id']}", token=who["integration"]).status_code == 200
    assert act(api, who["officer"], f"dossiers/{d2['id']}/withdraw").status_code == 409


def test_the_change_feed_hides_drafts_and_their_nominees_from_integrations(api, who, units, units2, server):
    start = feed_head(server)
    d = dossier(api, who["officer"], *units2)
    p = nominee(api, who["officer"], d["id"], recipient_unit_id=units["TT-LSN"])
    ok(api.patch(f"/v1/proposals/{p['id']}", token=who["officer"], json={"achievements": "Nháp"}))
    mine = lambda changes: [c for c in changes if (c[0], c[1]) in (("dossier", d["id"]), ("proposal", p["id"]))]
    assert mine(feed(api, who["integration"], start)) == []
    assert mine(feed(api, who["admin"], start)) == [("dossier", d["id"], "create", True), ("proposal", p["id"], "create", True),
                                                    ("proposal", p["id"], "update", True)]
    # submitted: the dossier's update, then each nominee's, as integrations may now read them
    mark = feed_head(server)
    ok(act(api, who["officer"], f"dossiers/{d['id']}/submit"))
    assert mine(feed(api, who["integration"], mark)) == [("dossier", d["id"], "update", True), ("proposal", p["id"], "update", True)]
    # returned: hidden again (the reset of the verdicts came first, while it was still sent)
    ok(act(api, who["approver"], f"proposals/{p['id']}/approve", {"override_reason": "x"}))
    mark = feed_head(server)
    ok(act(api, who["approver"], f"dossiers/{d['id']}/return", {"note": "Bổ sung"}))
    assert mine(feed(api, who["integration"], mark)) == [("proposal", p["id"], "update", False)]
    assert [c[:3] for c in mine(feed(api, who["admin"], mark))] == [("proposal", p["id"], "update"), ("dossier", d["id"], "update")]
    # withdrawn before it was ever sent: restricted too
    d2 = dossier(api, who["officer"], *units2)
    mark = feed_head(server)
    ok(act(api, who["officer"], f"dossiers/{d2['id']}/withdraw"))
    assert [c for c in feed(api, who["integration"], mark) if c[1] == d2["id"] and c[0] == "dossier"] == []
    assert as_system(server, f"SELECT bool_and(restricted) FROM change_feed WHERE entity = 'dossier' AND entity_id = {d2['id']}") == "t"


def test_an_evaluations_close_proposes_its_best_ranked_members(api, tokens, units, server):
    """three new units under Thanh tra Chính phủ, the first leading; ballots rank them 3, 2, 1 votes of 3"""
    year = next(years)
    made = [ok(api.post("/v1/units", token=tokens["admin"], json={"code": f"HS-U{year}-{i}", "name": f"Đơn vị bình xét {i}",
                                                                    "kind": "other", "parent_id": units["TTCP"]}), 201)["id"]
            for i in range(3)]
    c = ok(api.post("/v1/clusters", token=tokens["authority"], json={"code": f"HS-C{year}", "name": "Cụm đề nghị",
                                                                    "organizer_unit_id": units["TTCP"]}), 201)
    ok(api.request("PUT", f"/v1/clusters/{c['id']}/members/{year}", token=tokens["authority"],
                   json=[{"unit_id": u, "role": "leader" if i == 0 else "member"} for i, u in enumerate(made)]))
    ev = ok(api.post("/v1/evaluations", token=tokens["authority"], json={
        "cluster_id": c["id"], "year": year, "title": "Bình xét cuối năm", "max_choices": 2,
        "criteria": [{"code": "phoi_hop", "name": "Phối hợp", "max_points": 10, "kind": "qualitative"}]}), 201)
    for action in ("open_scoring", "open_voting"):
        ok(act(api, tokens["authority"], f"evaluations/{ev['id']}/{action}"))
    for i, u in enumerate(made):
        choices = [made[0], made[1]] if i < 2 else [made[0], made[2]]
        ok(api.post(f"/v1/evaluations/{ev['id']}/ballots", token=server.token("officer", u, sub=1500 + i),
                    json={"choices": choices}), 201)
    before = as_system(server, "SELECT count(*) FROM dossiers")
    close = f"evaluations/{ev['id']}/close"
    for propose, field, code in [
            ({"award_kind_code": "chien_si_thi_dua_co_so", "top": 2, "approving_unit_id": units["TTCP"]}, "propose.award_kind_code",
             "recipient_kind"),
            ({"award_kind_code": "no_such_kind", "top": 2, "approving_unit_id": units["TTCP"]}, "propose.award_kind_code", "not_found"),
            ({"award_kind_code": "bang_khen_bo_nganh_tinh", "top": 0, "approving_unit_id": units["TTCP"]}, "propose.top", "out_of_range"),
            ({"award_kind_code": "bang_khen_bo_nganh_tinh", "approving_unit_id": units["TTCP"]}, "propose.top", "required"),
            ({"award_kind_code": "bang_khen_bo_nganh_tinh", "top": 2, "approving_unit_id": units["TTCP"], "so": 1}, "propose.so",
             "unknown_field"),
            ({"award_kind_code": "bang_khen_bo_nganh_tinh", "top": 2, "approving_unit_id": made[0]}, "approving_unit_id", "same_unit")]:
        r = act(api, tokens["authority"], close, {"propose": propose})
        assert r.status_code == 422 and (field, code) in [(e["field"], e["code"]) for e in r.json()["errors"]], r.text
    assert act(api, tokens["authority"], close, {"proposal": {}}).status_code == 422
    # nothing closed, nothing proposed
    assert ok(api.get(f"/v1/evaluations/{ev['id']}", token=tokens["viewer"]))["status"] == "voting"
    assert as_system(server, "SELECT count(*) FROM dossiers") == before
    closed = ok(act(api, tokens["authority"], close, {"propose": {"award_kind_code": "bang_khen_bo_nganh_tinh", "top": 5,
                                                                  "approving_unit_id": units["TTCP"]}}))
    assert closed["status"] == "closed"
    [d] = ok(api.get("/v1/dossiers", token=tokens["authority"], params={"evaluation_id": ev["id"]}))["items"]
    assert (d["status"], d["proposing_unit_id"], d["approving_unit_id"], d["year"], d["kind"], d["number"], d["nominees"]) == \
        ("draft", made[0], units["TTCP"], year, "year_end", f"TTr-BX-{ev['id']}/{year}", 2)
    nominees = ok(api.get(f"/v1/dossiers/{d['id']}/proposals", token=tokens["authority"]))["items"]
    assert [(x["recipient_unit_id"], x["award_kind_code"], x["achievements"]) for x in nominees] == [
        (made[0], "bang_khen_bo_nganh_tinh", "Xếp hạng 1, 3 phiếu (100.00 %)"),
        (made[1], "bang_khen_bo_nganh_tinh", "Xếp hạng 2, 2 phiếu (66.67 %)")]
    # a draft of the leader unit: its officers see and send it; another member does not see it
    leader = server.token("officer", made[0], sub=1500)
    assert api.get(f"/v1/dossiers/{d['id']}", token=server.token("officer", made[1], sub=1501)).status_code == 404
    assert ok(act(api, leader, f"dossiers/{d['id']}/submit"))["status"] == "submitted"


def test_closing_with_a_proposal_needs_the_right_over_the_leader(api, tokens, units, server):
    """an organiser's authority runs a cluster whose leader is outside its subtree: it may close, but
    not write the leader's dossier (403, and the evaluation stays open); without propose it closes"""
    year = next(years)
    members = [units["BNC-HGG"], units["BNC-CBG"]]
    c = ok(api.post("/v1/clusters", token=tokens["authority"], json={"code": f"HS-X{year}", "name": "Cụm ngoài",
                                                                    "organizer_unit_id": units["TTCP"]}), 201)
    ok(api.request("PUT", f"/v1/clusters/{c['id']}/members/{year}", token=tokens["admin"],
                   json=[{"unit_id": u, "role": "leader" if i == 0 else "member"} for i, u in enumerate(members)]))
    ev = ok(api.post("/v1/evaluations", token=tokens["authority"], json={
        "cluster_id": c["id"], "year": year, "title": "Bình xét", "criteria": [
            {"code": "phoi_hop", "name": "Phối hợp", "max_points": 10, "kind": "qualitative"}]}), 201)
    for action in ("open_scoring", "open_voting"):
        ok(act(api, tokens["authority"], f"evaluations/{ev['id']}/{action}"))
    propose = {"propose": {"award_kind_code": "giay_khen", "top": 1, "approving_unit_id": units["BNCTW"]}}
    assert act(api, tokens["authority"], f"evaluations/{ev['id']}/close", propose).status_code == 403
    assert ok(api.get(f"/v1/evaluations/{ev['id']}", token=tokens["viewer"]))["status"] == "voting"
    assert ok(act(api, tokens["authority"], f"evaluations/{ev['id']}/close", {"propose": None}))["status"] == "closed"
    assert ok(api.get("/v1/dossiers", token=tokens["admin"], params={"evaluation_id": ev["id"]}))["items"] == []


def test_a_dossier_holds_at_most_1000_nominees(api, who, units, server):
    """a submit evaluates every nominee in one transaction: the 1,001st is a 409 that adds nothing"""
    lsn, ttcp = units["TT-LSN"], units["TTCP"]
    d = dossier(api, who["officer"], lsn, ttcp)
    as_system(server, "INSERT INTO proposals (dossier_id, award_kind_code, recipient_household, achievements)"
                      f" SELECT {d['id']}, 'giay_khen', jsonb_build_object('name', 'Hộ số ' || g, 'address', 'Lạng Sơn'),"
                      " 'Thành tích kiểm thử' FROM generate_series(1, 999) g")
    nominee(api, who["officer"], d["id"], recipient_household={"name": "Hộ thứ 1000", "address": "Lạng Sơn"})
    r = api.post(f"/v1/dossiers/{d['id']}/proposals", token=who["officer"],
                 json={"award_kind_code": "giay_khen", "recipient_household": {"name": "Hộ thứ 1001", "address": "Lạng Sơn"}})
    assert r.status_code == 409 and "1000" in r.json()["detail"], r.text
    assert as_system(server, f"SELECT count(*) FROM proposals WHERE dossier_id = {d['id']}") == "1000"
    # two at once at 999: the second counts after the first committed (a count taken in the
    # locking statement kept its older snapshot, and both got in). Both are held on the dossier's
    # row, locked in psql, until both wait there (within the service's 5 s statement timeout): then
    # they run at once, however loaded the machine is.
    d = dossier(api, who["officer"], lsn, ttcp)
    as_system(server, "INSERT INTO proposals (dossier_id, award_kind_code, recipient_household, achievements)"
                      f" SELECT {d['id']}, 'giay_khen', jsonb_build_object('name', 'Hộ số ' || g, 'address', 'Lạng Sơn'),"
                      " 'Thành tích kiểm thử' FROM generate_series(1, 999) g")
    clients = [api, Client(server, api.contract)]  # a connection and a session each

    def add(i):
        return clients[i].post(f"/v1/dossiers/{d['id']}/proposals", token=who["officer"], json={
            "award_kind_code": "giay_khen", "recipient_household": {"name": f"Hộ cùng lúc {i}", "address": "Lạng Sơn"}}).status_code

    def dossier_locked():
        try:
            as_system(server, f"SELECT 1 FROM dossiers WHERE id = {d['id']} FOR UPDATE NOWAIT")
            return False
        except subprocess.CalledProcessError:
            return True

    with ThreadPoolExecutor(max_workers=2) as pool:
        with held(server, f"SELECT 1 FROM dossiers WHERE id = {d['id']} FOR UPDATE", dossier_locked) as finish:
            answers = [pool.submit(add, i) for i in range(2)]
            until(lambda: waiting(server, 2) or any(a.done() for a in answers), "the two nominees never both waited")
            assert not any(a.done() for a in answers), [a.result() for a in answers if a.done()]
            finish()
        codes = sorted(a.result() for a in answers)
    assert codes == [201, 409], codes
    assert as_system(server, f"SELECT count(*) FROM proposals WHERE dossier_id = {d['id']}") == "1000"
