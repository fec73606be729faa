"""/v1/decisions (issue 14): a decision grants its approved nominees' awards, decides them (up and
down a forwarding chain) and closes their dossiers in one transaction — all or nothing; numbers per
issuer; only the signer changes afterwards; cancel revokes the awards, which stay on the record and
stop counting for eligibility. And forward: the next level's draft holding copies."""
import pytest

from commendation import (YEAR, act, as_system, cancel, counts, decide, dossier, history, nominee, number, ok, person, sent)


@pytest.fixture(scope="module")
def lsn_to_bnctw(tokens, units):
    """Thanh tra tỉnh Lạng Sơn proposes to Ban Nội chính Trung ương, whose authority decides"""
    return {"proposer": tokens["officer"], "approver": tokens["authority_bnctw"], "units": (units["TT-LSN"], units["BNCTW"]),
            "issuer": units["BNCTW"]}


def test_a_decision_is_all_or_nothing(api, server, tokens, units, lsn_to_bnctw):
    s = lsn_to_bnctw
    d, (a, b) = sent(api, s["proposer"], s["approver"], s["units"],
                     [{"recipient_unit_id": units["TT-LSN"]}, {"recipient_household": {"name": "Hộ ông Lục Văn Pao", "address": "Lạng Sơn"}}],
                     approve=[0])
    other, (c,) = sent(api, tokens["officer"], tokens["authority"], (units["TT-LSN"], units["TTCP"]),
                       [{"recipient_unit_id": units["TT-LSN"]}], approve=[0])
    before = counts(server)
    r = decide(api, s["approver"], s["issuer"], [a["id"], b["id"]])
    assert r.status_code == 422 and r.json()["errors"] == [{"field": "proposal_ids[1]", "code": "not_approved",
                                                           "message": f"proposal {b['id']} is pending, not approved"}]
    assert counts(server) == before
    assert ok(api.get(f"/v1/proposals/{a['id']}", token=s["proposer"]))["status"] == "approved"
    # each nominee named is checked, each error names it
    r = decide(api, tokens["admin"], s["issuer"], [a["id"], c["id"], 999999999, a["id"]])
    assert r.status_code == 422 and {(e["field"], e["code"]) for e in r.json()["errors"]} == {("proposal_ids", "duplicate")}
    r = decide(api, tokens["admin"], s["issuer"], [a["id"], c["id"], 999999999])
    assert r.status_code == 422 and [(e["field"], e["code"]) for e in r.json()["errors"]] == [
        ("proposal_ids[1]", "other_approver"), ("proposal_ids[2]", "not_found")]
    for body, field, code in [({"signed_on": f"{YEAR - 1}-12-31"}, "signed_on", "before_year"), ({"proposal_ids": []}, "proposal_ids", "too_short"),
                              ({"status": "cancelled"}, "status", "read_only"), ({"awards": 1}, "awards", "read_only"),
                              ({"quyet_dinh": 1}, "quyet_dinh", "unknown_field")]:
        r = decide(api, s["approver"], s["issuer"], [a["id"]], **body)
        assert r.status_code == 422 and (field, code) in [(e["field"], e["code"]) for e in r.json()["errors"]], (body, r.text)
    assert counts(server) == before
    # who: the issuing unit's authorities and admins
    for token in (tokens["officer"], tokens["viewer"], tokens["integration"], server.token("officer", units["BNCTW"], sub=1601)):
        assert decide(api, token, s["issuer"], [a["id"]]).status_code == 403
    assert decide(api, tokens["authority"], s["issuer"], [a["id"]]).status_code == 403     # Thanh tra Chính phủ, not above BNCTW
    assert counts(server) == before


def test_a_decision_grants_decides_and_closes(api, server, tokens, units, lsn_to_bnctw):
    s = lsn_to_bnctw
    p1, p2 = person(api, tokens, units["TT-LSN"]), person(api, tokens, units["TT-LSN"])
    household = {"name": "Hộ bà Hoàng Thị Nhàn", "address": "Cao Lộc, Lạng Sơn"}
    d = dossier(api, s["proposer"], *s["units"], kind="ad_hoc")
    a = nominee(api, s["proposer"], d["id"], "bang_khen_bo_nganh_tinh", recipient_person_id=p1)
    b = nominee(api, s["proposer"], d["id"], "giay_khen", recipient_person_id=p2)
    h = nominee(api, s["proposer"], d["id"], "giay_khen", recipient_household=household)
    ok(act(api, s["proposer"], f"dossiers/{d['id']}/submit"))
    for p in (a, h):
        ok(act(api, s["approver"], f"proposals/{p['id']}/approve", {"override_reason": "Thành tích đột xuất."}))
    num = number("QĐ-BNCTW")
    r = decide(api, s["approver"], s["issuer"], [h["id"], a["id"]], number=num, signer_name="Nguyễn Văn Hùng",
               signer_title="Phó Trưởng ban")
    assert r.status_code == 201, r.text
    dec = r.json()
    assert r.headers["Location"] == f"/v1/decisions/{dec['id']}" and r.headers["ETag"] == '"1"'
    assert (dec["status"], dec["awards"], dec["proposal_ids"], dec["number"]) == ("in_force", 2, sorted([a["id"], h["id"]]), num)
    # the awards: on the record with their decision, the dossier's year, the type of an ad hoc dossier
    awards = ok(api.get("/v1/awards", token=tokens["viewer"], params={"issuing_unit_id": s["issuer"], "year": YEAR,
                                                                      "source": "decision", "limit": 500}))["items"]
    mine = [x for x in awards if x["decision_id"] == dec["id"]]
    assert sorted((x["award_kind_code"], x["recipient_person_id"], x["recipient_household"] is not None) for x in mine) == [
        ("bang_khen_bo_nganh_tinh", p1, False), ("giay_khen", None, True)]
    assert all((x["year"], x["award_type"], x["decision_number"], x["decided_on"], x["source"], x["revoked_on"]) ==
               (YEAR, "ad_hoc", num, f"{YEAR}-12-20", "decision", None) for x in mine)
    assert [x["recipient_household"] for x in mine if x["recipient_household"]] == [household]
    assert [x["id"] for x in ok(api.get(f"/v1/people/{p1}/awards", token=tokens["viewer"]))["items"]] == \
        [x["id"] for x in mine if x["recipient_person_id"] == p1]
    # an award of a decision changes with its decision only
    award = next(x for x in mine if x["recipient_person_id"] == p1)
    assert api.patch(f"/v1/awards/{award['id']}", token=tokens["admin"], json={"year": YEAR - 1}).status_code == 409
    assert api.delete(f"/v1/awards/{award['id']}", token=tokens["admin"]).status_code == 409
    # the nominees decided; the dossier not yet, one nominee waits
    got = ok(api.get(f"/v1/proposals/{a['id']}", token=tokens["viewer"]))
    assert (got["status"], got["decision_id"], got["decision_number"], got["decided_on"]) == ("decided", dec["id"], num, f"{YEAR}-12-20")
    assert ok(api.get(f"/v1/dossiers/{d['id']}", token=tokens["viewer"]))["status"] == "submitted"
    r = decide(api, s["approver"], s["issuer"], [a["id"]])
    assert r.status_code == 422 and r.json()["errors"][0]["code"] == "not_approved"
    # the last one rejected: a decision on nothing left does nothing; approved and decided, the dossier is too
    ok(act(api, s["approver"], f"proposals/{b['id']}/approve", {"override_reason": "Thành tích đột xuất."}))
    r = decide(api, s["approver"], s["issuer"], [b["id"]], number=num)
    assert r.status_code == 409 and r.json()["errors"][0] == {"field": "number", "code": "duplicate",
                                                              "message": "the issuing unit already has a decision with this number"}
    ok(decide(api, tokens["admin"], s["issuer"], [b["id"]]), 201)
    assert ok(api.get(f"/v1/dossiers/{d['id']}", token=tokens["viewer"]))["status"] == "decided"
    # a number is the issuer's own: another unit may use it
    other, (c,) = sent(api, tokens["officer"], tokens["authority"], (units["TT-LSN"], units["TTCP"]),
                       [{"recipient_unit_id": units["TT-LSN"]}], approve=[0])
    ok(decide(api, tokens["authority"], units["TTCP"], [c["id"]], number=num), 201)
    # listed by issuer and status
    listed = ok(api.get("/v1/decisions", token=tokens["integration"], params={"issuing_unit_id": s["issuer"], "status": "in_force",
                                                                             "limit": 500}))["items"]
    assert dec["id"] in [x["id"] for x in listed]


def test_two_issuers_may_number_their_decisions_alike(api, server, tokens, units, lsn_to_bnctw):
    """a decision is its number at its issuing unit: Ban Nội chính Trung ương and Thanh tra Chính
    phủ each give one person a Giấy khen by a decision both numbered alike; the same issuer cannot
    use its number twice"""
    s = lsn_to_bnctw
    p = person(api, tokens, units["TT-LSN"])
    _, (a,) = sent(api, s["proposer"], s["approver"], s["units"], [{"recipient_person_id": p}], approve=[0])
    _, (b,) = sent(api, tokens["officer"], tokens["authority"], (units["TT-LSN"], units["TTCP"]), [{"recipient_person_id": p}], approve=[0])
    _, (c,) = sent(api, s["proposer"], s["approver"], s["units"], [{"recipient_unit_id": units["TT-LSN"]}], approve=[0])
    num = number("QĐ-CUNG-SO")
    first = decide(api, s["approver"], s["issuer"], [a["id"]], number=num)
    assert first.status_code == 201, first.text
    second = decide(api, tokens["authority"], units["TTCP"], [b["id"]], number=num)
    assert second.status_code == 201, second.text
    assert as_system(server, f"SELECT count(*) FROM awards WHERE recipient_person_id = {p} AND decision_number = '{num}'") == "2"
    again = decide(api, s["approver"], s["issuer"], [c["id"]], number=num)
    assert again.status_code == 409, again.text
    # a record from history of that award, its issuer unknown, is the same award
    r = api.post("/v1/awards", token=tokens["admin"], json={"award_kind_code": "giay_khen", "year": YEAR,
                                                            "recipient_person_id": p, "decision_number": num})
    assert r.status_code == 409 and r.json()["errors"][0]["code"] == "duplicate", r.text


def test_only_the_signer_changes_and_nothing_is_deleted(api, tokens, units, lsn_to_bnctw):
    s = lsn_to_bnctw
    _, (a,) = sent(api, s["proposer"], s["approver"], s["units"], [{"recipient_unit_id": units["TT-LSN"]}], approve=[0])
    dec = ok(decide(api, s["approver"], s["issuer"], [a["id"]], signer_title="Trưởng ban"), 201)
    path = f"/v1/decisions/{dec['id']}"
    fixed = ok(api.patch(path, token=s["approver"], json={"signer_title": "Phó Trưởng ban", "signer_name": "Lê Văn Minh"}))
    assert (fixed["signer_title"], fixed["signer_name"], fixed["version"]) == ("Phó Trưởng ban", "Lê Văn Minh", 2)
    for body in ({"number": "x"}, {"signed_on": "2026-12-21"}, {"issuing_unit_id": units["TTCP"]}, {"proposal_ids": [1]}):
        r = api.patch(path, token=s["approver"], json=body)
        assert r.status_code == 422 and r.json()["errors"][0]["code"] == "read_only", body
    assert api.patch(path, token=tokens["officer"], json={"signer_name": "x"}).status_code == 403
    assert api.patch(path, token=s["approver"], json={"signer_name": "x"}, headers={"If-Match": '"1"'}).status_code == 412
    r = api.delete(path, token=tokens["admin"])
    assert r.status_code == 405 and r.headers["Allow"] == "GET, HEAD, PATCH"
    assert api.get(path, token=tokens["viewer"], headers={"If-None-Match": '"2"'}).status_code == 304


def test_cancel_revokes_the_awards_and_eligibility_stops_counting_them(api, server, tokens, units, lsn_to_bnctw):
    s = lsn_to_bnctw
    # a Bằng khen asks 2 consecutive Chiến sĩ thi đua cơ sở: the year before is on record, this year's comes by decision
    p = person(api, tokens, units["TT-LSN"])
    history(api, tokens, p, "chien_si_thi_dua_co_so", [YEAR - 1])
    eligibility = lambda: ok(api.get("/v1/eligibility", token=tokens["viewer"], params={
        "award_kind_code": "bang_khen_bo_nganh_tinh", "recipient_person_id": p, "year": YEAR}))
    titles = lambda e: next(c for c in e["checks"] if c["rule"] == "title_in_years")
    assert titles(eligibility())["passed"] is False
    d, (a,) = sent(api, s["proposer"], s["approver"], s["units"], [{"recipient_person_id": p}], kind="chien_si_thi_dua_co_so",
                   approve=[0])
    dec = ok(decide(api, s["approver"], s["issuer"], [a["id"]]), 201)
    [award] = [x for x in ok(api.get(f"/v1/people/{p}/awards", token=tokens["viewer"]))["items"] if x["decision_id"] == dec["id"]]
    assert award["award_type"] == "merit"                       # a year-end dossier's award counts for merit rules
    granted = eligibility()
    assert granted["eligible"] is True and {"award": award["id"]} in titles(granted)["evidence"]
    # the cancellation's rules
    r = cancel(api, s["approver"], dec, on=f"{YEAR}-12-19")
    assert r.status_code == 422 and r.json()["errors"][0] == {"field": "cancelled_on", "code": "before_signed",
                                                             "message": "cancelled_on is before the decision was signed"}
    assert act(api, s["approver"], f"decisions/{dec['id']}/cancel", {"reason": "x"}).status_code == 422
    assert cancel(api, tokens["officer"], dec).status_code == 403
    assert cancel(api, tokens["authority"], dec).status_code == 403
    cancelled = ok(cancel(api, s["approver"], dec, on=f"{YEAR + 1}-03-15"))
    assert (cancelled["status"], cancelled["cancelled_on"], cancelled["cancel_legal_basis"]) == \
        ("cancelled", f"{YEAR + 1}-03-15", "Luật Thi đua, khen thưởng 2022, Điều 87")
    assert cancel(api, s["approver"], dec).status_code == 409
    # the award stays, revoked; the nominee too; the dossier stays decided
    revoked = ok(api.get(f"/v1/awards/{award['id']}", token=tokens["viewer"]))
    assert (revoked["revoked_on"], revoked["revocation_reason"]) == (f"{YEAR + 1}-03-15", "Kê khai không trung thực thành tích.")
    ids = lambda flag: [x["id"] for x in ok(api.get(f"/v1/people/{p}/awards", token=tokens["viewer"],
                                                    params={"revoked": flag}))["items"]]
    assert ids("true") == [award["id"]] and award["id"] not in ids("false") and len(ids("false")) == 1
    assert award["id"] in [x["id"] for x in ok(api.get("/v1/awards", token=tokens["viewer"], params={"revoked": "true", "limit": 500}))["items"]]
    assert api.get("/v1/awards", token=tokens["viewer"], params={"revoked": "maybe"}).status_code == 400
    assert ok(api.get(f"/v1/proposals/{a['id']}", token=tokens["viewer"]))["status"] == "revoked"
    assert ok(api.get(f"/v1/dossiers/{d['id']}", token=tokens["viewer"]))["status"] == "decided"
    # and no longer evidence
    after = eligibility()
    assert after["eligible"] is not True and titles(after)["passed"] is False
    assert {"award": award["id"]} not in titles(after)["evidence"]
    assert as_system(server, f"SELECT count(*) FROM awards WHERE decision_id = {dec['id']} AND revoked_on IS NOT NULL") == "1"


def test_a_withdrawn_dossiers_nominee_is_not_decided(api, tokens, units, lsn_to_bnctw):
    s = lsn_to_bnctw
    d, (a,) = sent(api, s["proposer"], s["approver"], s["units"], [{"recipient_unit_id": units["TT-LSN"]}], approve=[0])
    ok(act(api, s["proposer"], f"dossiers/{d['id']}/withdraw"))
    r = decide(api, s["approver"], s["issuer"], [a["id"]])
    assert r.status_code == 422 and r.json()["errors"][0]["code"] == "withdrawn"
    assert ok(api.get(f"/v1/dossiers/{d['id']}", token=tokens["viewer"]))["status"] == "withdrawn"


def test_forward_and_a_decision_up_the_chain(api, server, tokens, units, lsn_to_bnctw):
    """Lạng Sơn → Ban Nội chính Trung ương, which cannot grant a Bằng khen of the Prime Minister: it
    forwards to Thanh tra Chính phủ (standing in for the level above), whose decision decides both levels"""
    s = lsn_to_bnctw
    bnctw, ttcp = units["BNCTW"], units["TTCP"]
    d, (a, b, c) = sent(api, s["proposer"], s["approver"], s["units"],
                        [{"recipient_unit_id": units["TT-LSN"]}, {"recipient_household": {"name": "Hộ ông Chu Văn Lình", "address": "Lạng Sơn"}},
                         {"recipient_unit_id": units["TT-SLA"]}], kind="bang_khen_thu_tuong", approve=[0, 1])
    fwd = {"approving_unit_id": ttcp, "number": number("TTr-BNCTW")}
    r = act(api, s["approver"], f"dossiers/{d['id']}/forward", fwd)      # not reviewed yet
    assert r.status_code == 409 and r.json()["detail"] == \
        f"Dossier {d['id']} is submitted; only a row that is reviewed can take the action forward.", r.text
    ok(act(api, s["approver"], f"proposals/{c['id']}/reject", {"reason": "Chưa đủ tiêu chuẩn"}))
    ok(act(api, s["approver"], f"dossiers/{d['id']}/review"))
    # the approver forwards; not the proposer, nor to itself
    assert act(api, s["proposer"], f"dossiers/{d['id']}/forward", fwd).status_code == 403
    r = act(api, s["approver"], f"dossiers/{d['id']}/forward", dict(fwd, approving_unit_id=bnctw))
    assert r.status_code == 422 and r.json()["errors"][0] == {"field": "approving_unit_id", "code": "same_unit",
                                                             "message": "the dossier goes to the next level"}
    r = act(api, s["approver"], f"dossiers/{d['id']}/forward", dict(fwd, number=""))
    assert r.status_code == 422
    # up or across, never down: not to a unit of the forwarding unit's own subtree
    below = as_system(server, f"SELECT id FROM units WHERE parent_id = {bnctw} ORDER BY id LIMIT 1")
    r = act(api, s["approver"], f"dossiers/{d['id']}/forward", dict(fwd, approving_unit_id=int(below)))
    assert r.status_code == 422 and r.json()["errors"][0]["code"] == "below", r.text
    lower = ok(act(api, s["approver"], f"dossiers/{d['id']}/forward", fwd))
    assert lower["status"] == "reviewed" and lower["parent_id"]
    again = act(api, s["approver"], f"dossiers/{d['id']}/forward", dict(fwd, number=number("TTr-BNCTW")))
    assert again.status_code == 409 and f"in dossier {lower['parent_id']}" in again.json()["detail"]
    upper = ok(api.get(f"/v1/dossiers/{lower['parent_id']}", token=s["approver"]))
    assert (upper["status"], upper["proposing_unit_id"], upper["approving_unit_id"], upper["number"], upper["year"],
            upper["forwarded_from_ids"], upper["nominees"]) == ("draft", bnctw, ttcp, fwd["number"], YEAR, [d["id"]], 2)
    # the chain reads both ways; the upper draft is the approving unit's own until sent
    assert [x["id"] for x in ok(api.get("/v1/dossiers", token=s["approver"], params={"parent_id": upper["id"]}))["items"]] == [d["id"]]
    assert api.get(f"/v1/dossiers/{upper['id']}", token=tokens["authority"]).status_code == 404
    copies = ok(api.get(f"/v1/dossiers/{upper['id']}/proposals", token=s["approver"]))["items"]
    assert [(x["forwarded_from_id"], x["status"], x["award_kind_code"]) for x in copies] == \
        [(a["id"], "pending", "bang_khen_thu_tuong"), (b["id"], "pending", "bang_khen_thu_tuong")]
    # the same number twice for one proposer, as for any dossier
    d2, (e,) = sent(api, s["proposer"], s["approver"], s["units"], [{"recipient_unit_id": units["TT-LSN"]}], approve=[0])
    ok(act(api, s["approver"], f"dossiers/{d2['id']}/review"))
    r = act(api, s["approver"], f"dossiers/{d2['id']}/forward", fwd)
    assert r.status_code == 409 and r.json()["errors"][0]["code"] == "duplicate"
    # the lower level no longer decides what it forwarded
    r = decide(api, s["approver"], bnctw, [a["id"]])
    assert r.status_code == 422 and r.json()["errors"][0]["code"] == "forwarded"
    # the upper dossier goes the usual way, sent by the forwarding unit's officer
    ok(act(api, server.token("officer", bnctw, sub=1602), f"dossiers/{upper['id']}/submit"))
    ok(act(api, tokens["authority"], f"proposals/{copies[0]['id']}/approve", {"override_reason": "Đủ tiêu chuẩn"}))
    ok(act(api, tokens["authority"], f"proposals/{copies[1]['id']}/reject", {"reason": "Cấp Ban khen thưởng"}))
    # rejected above, the lower level may grant it itself (the copy no longer waits)
    assert decide(api, s["approver"], bnctw, [b["id"]]).status_code == 201
    dec = ok(decide(api, tokens["authority"], ttcp, [copies[0]["id"]]), 201)
    assert dec["awards"] == 1 and dec["proposal_ids"] == [copies[0]["id"]]
    got = {x["id"]: x for x in (ok(api.get(f"/v1/proposals/{i}", token=tokens["viewer"])) for i in (a["id"], copies[0]["id"]))}
    assert {i: (x["status"], x["decision_id"]) for i, x in got.items()} == {a["id"]: ("decided", dec["id"]),
                                                                          copies[0]["id"]: ("decided", dec["id"])}
    # both levels decided, one award on the record
    assert ok(api.get(f"/v1/dossiers/{upper['id']}", token=tokens["viewer"]))["status"] == "decided"
    assert ok(api.get(f"/v1/dossiers/{d['id']}", token=tokens["viewer"]))["status"] == "decided"
    assert as_system(server, f"SELECT count(*) FROM awards WHERE decision_id = {dec['id']}") == "1"
    # a forwarded dossier's upper draft cannot be deleted from under its chain
    d3, _ = sent(api, s["proposer"], s["approver"], s["units"], [{"recipient_unit_id": units["TT-LSN"]}], approve=[0])
    ok(act(api, s["approver"], f"dossiers/{d3['id']}/review"))
    top = ok(act(api, s["approver"], f"dossiers/{d3['id']}/forward", {"approving_unit_id": ttcp, "number": number("TTr-BNCTW")}))
    assert api.delete(f"/v1/dossiers/{top['parent_id']}", token=s["approver"]).status_code == 409


def test_a_decided_nominee_holds_its_dossier(api, server, tokens, units, lsn_to_bnctw):
    """a decision may come before the dossier is reviewed (its other nominees still pending); what it
    granted then stays: the dossier can no longer be returned or withdrawn, nor the nominee changed"""
    s = lsn_to_bnctw
    d, (a, b) = sent(api, s["proposer"], s["approver"], s["units"],
                     [{"recipient_unit_id": units["TT-LSN"]}, {"recipient_household": {"name": "Hộ bà Hoàng Thị Mai", "address": "Lạng Sơn"}}],
                     approve=[0])
    ok(decide(api, s["approver"], s["issuer"], [a["id"]]), 201)
    before = counts(server)
    r = act(api, s["approver"], f"dossiers/{d['id']}/return", {"note": "Bổ sung hồ sơ."})
    assert r.status_code == 409 and "decision" in r.json()["detail"], r.text
    r = act(api, s["proposer"], f"dossiers/{d['id']}/withdraw")
    assert r.status_code == 409 and "decision" in r.json()["detail"], r.text
    assert counts(server) == before
    assert ok(api.get(f"/v1/dossiers/{d['id']}", token=s["proposer"]))["status"] == "submitted"
    assert ok(api.get(f"/v1/proposals/{a['id']}", token=s["proposer"]))["status"] == "decided"
    # nor is the decided nominee changed or withdrawn, by its proposer or anyone
    for token in (s["proposer"], tokens["admin"]):
        r = api.patch(f"/v1/proposals/{a['id']}", token=token, json={"achievements": "Sửa sau quyết định."})
        assert r.status_code == 409, r.text
        assert api.delete(f"/v1/proposals/{a['id']}", token=token).status_code == 409
    assert counts(server) == before
    # the other nominee goes on as before: rejected, which may still be taken back until the
    # review; the review then finds nothing left to decide, and the dossier is decided, as it
    # would be had the decision come after the rejection
    ok(act(api, s["approver"], f"proposals/{b['id']}/reject", {"reason": "Chưa đủ thành tích."}))
    assert ok(api.get(f"/v1/dossiers/{d['id']}", token=s["proposer"]))["status"] == "submitted"
    assert ok(act(api, s["approver"], f"dossiers/{d['id']}/review"))["status"] == "decided"


def test_a_rejection_before_the_decision_decides_the_dossier_alike(api, tokens, units, lsn_to_bnctw):
    """the other order of the test above: rejected first, then the decision closes the dossier at
    once (API.md: a decision marks its dossiers decided when none is left pending), where the order
    above waits for the review"""
    s = lsn_to_bnctw
    d, (a, b) = sent(api, s["proposer"], s["approver"], s["units"],
                     [{"recipient_unit_id": units["TT-LSN"]}, {"recipient_unit_id": units["TT-SLA"]}], approve=[0])
    ok(act(api, s["approver"], f"proposals/{b['id']}/reject", {"reason": "Chưa đủ thành tích."}))
    assert ok(api.get(f"/v1/dossiers/{d['id']}", token=s["proposer"]))["status"] == "submitted"   # nothing decided yet
    ok(decide(api, s["approver"], s["issuer"], [a["id"]]), 201)
    assert ok(api.get(f"/v1/dossiers/{d['id']}", token=s["proposer"]))["status"] == "decided"


def test_a_withdrawn_forward_gives_its_nominees_back(api, server, tokens, units, lsn_to_bnctw):
    """the level above's dossier withdrawn by the unit that forwarded it: the lower level's approved
    nominees are its own again, as when the level above rejects them — decided there, or forwarded
    once more (and only once while that one stands)"""
    s = lsn_to_bnctw
    bnctw, ttcp = units["BNCTW"], units["TTCP"]
    d, (a, b) = sent(api, s["proposer"], s["approver"], s["units"],
                     [{"recipient_unit_id": units["TT-LSN"]}, {"recipient_unit_id": units["TT-SLA"]}], approve=[0, 1])
    ok(act(api, s["approver"], f"dossiers/{d['id']}/review"))
    up = lambda: {"approving_unit_id": ttcp, "number": number("TTr-BNCTW")}
    first = ok(act(api, s["approver"], f"dossiers/{d['id']}/forward", up()))["parent_id"]
    r = decide(api, s["approver"], bnctw, [a["id"]])
    assert r.status_code == 422 and r.json()["errors"][0]["code"] == "forwarded"
    seen = ok(api.get(f"/v1/dossiers/{first}", token=s["approver"]))
    ok(act(api, s["approver"], f"dossiers/{first}/withdraw"))
    ok(decide(api, s["approver"], bnctw, [a["id"]]), 201)
    second = ok(act(api, s["approver"], f"dossiers/{d['id']}/forward", up()))["parent_id"]
    assert second != first
    copies = ok(api.get(f"/v1/dossiers/{second}/proposals", token=s["approver"]))["items"]
    assert [x["forwarded_from_id"] for x in copies] == [b["id"]]            # the decided one stays decided below
    old = ok(api.get(f"/v1/dossiers/{first}", token=s["approver"]))
    assert old["forwarded_from_ids"] == [] and old["version"] == seen["version"] + 2   # withdrawn, then left
    assert ok(api.get(f"/v1/dossiers/{second}", token=s["approver"]))["forwarded_from_ids"] == [d["id"]]
    r = decide(api, s["approver"], bnctw, [b["id"]])
    assert r.status_code == 422 and r.json()["errors"][0]["code"] == "forwarded"
    again = act(api, s["approver"], f"dossiers/{d['id']}/forward", up())
    assert again.status_code == 409 and f"in dossier {second}" in again.json()["detail"]
