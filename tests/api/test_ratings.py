"""/v1/ratings: yearly ratings of people and units — who writes them (the subject's unit and the
authorities above it, admins), who reads them (everyone), exactly one subject, one per subject and
year, the rating unit at or above the subject, refusals that change nothing, filters, and the batch
import (JSON and NDJSON, all or nothing, errors by item, upsert, rights per item)."""
import itertools
import json

import pytest

years = itertools.count(2031)


def count_ratings(server):
    return int(server.sql("SELECT count(*) FROM ratings"))


@pytest.fixture(scope="module")
def people(api, tokens, units):
    """a person at Thanh tra Lạng Sơn (the officer's unit), one at Sơn La, one at Ban Nội chính"""
    def person(code):
        r = api.post("/v1/people", token=tokens["admin"], json={"unit_id": units[code], "full_name": f"Người đánh giá {code}"})
        assert r.status_code == 201, r.text
        return r.json()["id"]
    return {"ls": person("TT-LSN"), "sla": person("TT-SLA"), "bnctw": person("BNCTW")}


def rate(api, token, year, rated_by, person_id=None, unit_id=None, rating="excellent", **extra):
    body = {"year": year, "rating": rating, "rated_by_unit_id": rated_by}
    if person_id is not None:
        body["person_id"] = person_id
    if unit_id is not None:
        body["unit_id"] = unit_id
    body.update(extra)
    return api.post("/v1/ratings", token=token, json=body)


def test_demo_ratings(api, tokens, units):
    """sql/demo/0011_ratings.sql: invented, and marked so"""
    ke = api.get("/v1/people", token=tokens["viewer"], params={"q": "le truong ke"}).json()["items"][0]
    got = api.get("/v1/ratings", token=tokens["viewer"], params={"person_id": ke["id"]}).json()["items"]
    assert sorted((x["year"], x["rating"], x["rated_by_unit_id"]) for x in got) == \
        [(y, "excellent", units["TT-KGG"]) for y in (2017, 2018, 2019)]
    assert all("giả định" in x["note"] for x in got)


def test_officer_rates_its_units_people_and_the_unit(api, tokens, units, people, server):
    year = next(years)
    r = rate(api, tokens["officer"], year, units["TT-LSN"], person_id=people["ls"], note="Hoa\u0300n tha\u0300nh")
    assert r.status_code == 201, r.text
    rating = r.json()
    assert r.headers["Location"] == f"/v1/ratings/{rating['id']}"
    assert (rating["person_id"], rating["unit_id"], rating["source"], rating["version"]) == (people["ls"], None, "manual", 1)
    assert rating["note"] == "Hoàn thành"  # NFC
    # the unit itself, rated by the authority above it
    r = rate(api, tokens["officer"], year, units["TTCP"], unit_id=units["TT-LSN"], rating="good")
    assert r.status_code == 201, r.text
    # everyone reads, with an ETag
    for role in ("viewer", "integration", "authority_bnctw"):
        got = api.get(f"/v1/ratings/{rating['id']}", token=tokens[role])
        assert got.status_code == 200 and got.json() == rating and got.headers["ETag"] == '"1"'
    assert api.get(f"/v1/ratings/{rating['id']}", token=tokens["viewer"], headers={"If-None-Match": '"1"'}).status_code == 304
    # corrected, then deleted; every version in the audit trail
    url = f"/v1/ratings/{rating['id']}"
    r = api.patch(url, token=tokens["officer"], json={"rating": "good", "note": None}, headers={"If-Match": '"1"'})
    assert r.status_code == 200 and (r.json()["rating"], r.json()["note"], r.json()["version"]) == ("good", None, 2)
    assert api.patch(url, token=tokens["officer"], json={"rating": "complete"}, headers={"If-Match": '"1"'}).status_code == 412
    audit = api.get("/v1/audit", token=tokens["admin"], params={"entity": "rating", "entity_id": rating["id"]}).json()["items"]
    assert {a["action"] for a in audit} == {"create", "update"}
    assert api.delete(url, token=tokens["officer"]).status_code == 204
    assert api.get(url, token=tokens["viewer"]).status_code == 404


@pytest.mark.parametrize("role,subject,status", [
    ("admin", "sla", 201), ("authority", "sla", 201), ("authority_ls", "ls", 201), ("officer", "ls", 201),
    ("officer", "sla", 403), ("authority_ls", "sla", 403), ("authority_bnctw", "ls", 403),
    ("viewer", "ls", 403), ("integration", "ls", 403),
])
def test_who_rates_a_person(api, tokens, units, people, server, role, subject, status):
    unit = {"ls": "TT-LSN", "sla": "TT-SLA"}[subject]
    before = count_ratings(server)
    r = rate(api, tokens[role], next(years), units[unit], person_id=people[subject])
    assert r.status_code == status, r.text
    assert count_ratings(server) == before + (status == 201)


def test_an_officer_above_the_subject_does_not_rate_it(api, tokens, units, people, server):
    """officers write their subtree's people and reports, but rate only their own unit and its
    people (API.md: "officers of the subject's unit and authorities above"): an officer of Thanh
    tra Chính phủ rates nothing of Thanh tra Lạng Sơn, by POST, PATCH, DELETE or batch"""
    officer_above = server.token("officer", units["TTCP"], sub=8)
    year = next(years)
    before = count_ratings(server)
    for subject in ({"person_id": people["ls"]}, {"unit_id": units["TT-LSN"]}):
        r = rate(api, officer_above, year, units["TTCP"], **subject)
        assert r.status_code == 403, r.text
        assert "officers of the subject's unit" in r.json()["detail"]
    r = batch(api, officer_above, [{"person_id": people["ls"], "year": year, "rating": "good", "rated_by_unit_id": units["TTCP"]}])
    assert r.status_code == 403, r.text
    assert count_ratings(server) == before
    # a rating Thanh tra Lạng Sơn wrote stays as it is
    rating = rate(api, tokens["officer"], year, units["TT-LSN"], person_id=people["ls"]).json()
    url = f"/v1/ratings/{rating['id']}"
    assert api.patch(url, token=officer_above, json={"rating": "incomplete"}).status_code == 403
    assert api.delete(url, token=officer_above).status_code == 403
    assert api.get(url, token=officer_above).json() == rating
    # its own unit and its people it does rate; the authority above rates Lạng Sơn's
    ttcp_person = api.post("/v1/people", token=tokens["admin"], json={"unit_id": units["TTCP"], "full_name": "Người đánh giá TTCP"}).json()
    assert rate(api, officer_above, year, units["TTCP"], person_id=ttcp_person["id"]).status_code == 201
    assert rate(api, officer_above, year, units["TTCP"], unit_id=units["TTCP"]).status_code == 201
    assert rate(api, tokens["authority"], year, units["TTCP"], unit_id=units["TT-LSN"]).status_code == 201


@pytest.mark.parametrize("role,status", [("admin", 204), ("authority", 204), ("officer", 403), ("authority_ls", 403),
                                         ("viewer", 403), ("integration", 403)])
def test_another_units_rating_is_not_changed(api, tokens, units, people, role, status):
    rating = rate(api, tokens["admin"], next(years), units["TT-SLA"], person_id=people["sla"]).json()
    url = f"/v1/ratings/{rating['id']}"
    patched = api.patch(url, token=tokens[role], json={"rating": "good"})
    assert patched.status_code == (200 if status == 204 else 403), patched.text
    assert api.delete(url, token=tokens[role]).status_code == status
    assert api.patch("/v1/ratings/987654321", token=tokens["admin"], json={"rating": "good"}).status_code == 404
    assert api.delete("/v1/ratings/987654321", token=tokens["admin"]).status_code == 404


@pytest.mark.parametrize("body,field,code", [
    ({}, "person_id", "one_subject"),
    ({"person_id": "P", "unit_id": "U"}, "unit_id", "one_subject"),
    ({"person_id": None, "unit_id": None}, "person_id", "one_subject"),
    ({"person_id": 987654321}, "person_id", "not_found"),
    ({"unit_id": 987654321}, "unit_id", "not_found"),
    ({"person_id": "P", "rated_by_unit_id": 987654321}, "rated_by_unit_id", "not_found"),
    ({"person_id": "P", "rated_by_unit_id": "SLA"}, "rated_by_unit_id", "not_above"),
    ({"unit_id": "U", "rated_by_unit_id": "SLA"}, "rated_by_unit_id", "not_above"),
    ({"person_id": "P", "year": 1999}, "year", None),
    ({"person_id": "P", "year": 2101}, "year", None),
    ({"person_id": "P", "year": "2020"}, "year", None),
    ({"person_id": "P", "rating": "xuat_sac"}, "rating", None),
    ({"person_id": "P", "rating": None}, "rating", None),
    ({"person_id": "P", "rated_by_unit_id": None}, "rated_by_unit_id", None),
    ({"person_id": "P", "note": "x" * 2001}, "note", None),
    ({"person_id": "P", "source": "import"}, "source", None),
    ({"person_id": "P", "id": 5}, "id", None),
    ({"person_id": "P", "upsert": True}, "upsert", None),
])
def test_refusals_change_nothing(api, tokens, units, people, server, body, field, code):
    names = {"P": people["ls"], "U": units["TT-LSN"], "SLA": units["TT-SLA"]}
    full = {"year": 2050, "rating": "good", "rated_by_unit_id": units["TT-LSN"]}
    full.update({k: names.get(v, v) if isinstance(v, str) else v for k, v in body.items()})
    before = count_ratings(server)
    r = api.post("/v1/ratings", token=tokens["admin"], json=full)
    assert r.status_code == 422, r.text
    assert r.json()["errors"][0]["field"] == field
    if code:
        assert r.json()["errors"][0]["code"] == code
    assert count_ratings(server) == before


def test_one_rating_per_subject_and_year(api, tokens, units, people, server):
    year = next(years)
    first = rate(api, tokens["officer"], year, units["TT-LSN"], person_id=people["ls"])
    assert first.status_code == 201
    before = count_ratings(server)
    r = rate(api, tokens["officer"], year, units["TT-LSN"], person_id=people["ls"], rating="good")
    assert r.status_code == 409 and r.json()["errors"][0]["code"] == "duplicate", r.text
    # the same year for the person's unit, and another year for the person, are other ratings
    assert rate(api, tokens["officer"], year, units["TT-LSN"], unit_id=units["TT-LSN"]).status_code == 201
    assert rate(api, tokens["officer"], year + 30, units["TT-LSN"], person_id=people["ls"]).status_code == 201
    assert count_ratings(server) == before + 2
    # subject and year do not change; a rating unit below the subject is refused
    url = f"/v1/ratings/{first.json()['id']}"
    for patch, field in (({"year": year + 1}, "year"), ({"person_id": people["sla"]}, "person_id"),
                         ({"unit_id": units["TT-LSN"]}, "unit_id"), ({"source": "import"}, "source"),
                         ({"rated_by_unit_id": units["TT-SLA"]}, "rated_by_unit_id"), ({"rating": "best"}, "rating")):
        r = api.patch(url, token=tokens["officer"], json=patch)
        assert r.status_code == 422 and r.json()["errors"][0]["field"] == field, (patch, r.text)
    assert api.get(url, token=tokens["viewer"]).json() == first.json()
    # a person with ratings stays; so does a unit that gave them
    r = api.delete(f"/v1/people/{people['ls']}", token=tokens["admin"])
    assert r.status_code == 409 and "ratings" in r.json()["errors"][0]["message"]


def test_filters(api, tokens, units, people):
    year = next(years)
    mine = [rate(api, tokens["admin"], year, units["TTCP"], unit_id=units[c], rating=g).json()
            for c, g in (("TT-LSN", "excellent"), ("TT-SLA", "good"), ("TT-LCI", "incomplete"))]
    mine.append(rate(api, tokens["admin"], year, units["TT-SLA"], person_id=people["sla"], rating="good").json())

    def ids(**params):
        r = api.get("/v1/ratings", token=tokens["viewer"], params=params)
        assert r.status_code == 200, r.text
        return [x["id"] for x in r.json()["items"]]
    assert ids(year=year) == [m["id"] for m in mine]
    assert ids(year=year, rating="good") == [mine[1]["id"], mine[3]["id"]]
    assert ids(year=year, unit_id=units["TT-SLA"]) == [mine[1]["id"]]
    assert ids(year=year, person_id=people["sla"]) == [mine[3]["id"]]
    assert ids(year=year, unit_id=units["TTCP"], subtree="true") == [m["id"] for m in mine[:3]]
    assert ids(year=year, rated_by_unit_id=units["TT-SLA"]) == [mine[3]["id"]]
    # keyset pages
    first = api.get("/v1/ratings", token=tokens["viewer"], params={"year": year, "limit": 2}).json()
    rest = api.get("/v1/ratings", token=tokens["viewer"], params={"year": year, "limit": 2, "cursor": first["next_cursor"]}).json()
    assert [x["id"] for x in first["items"] + rest["items"]] == [m["id"] for m in mine]
    for bad in ({"rating": "best"}, {"year": 1999}, {"subtree": "true"}, {"person": 1}):
        assert api.get("/v1/ratings", token=tokens["viewer"], params=bad).status_code == 400


# --- batch -------------------------------------------------------------------------------

def batch(api, token, items, ndjson=False, params=None):
    if ndjson:
        return api.post("/v1/ratings/batch", token=token, params=params,
                        data="\n".join(json.dumps(i) for i in items).encode(),
                        headers={"Content-Type": "application/x-ndjson"})
    return api.post("/v1/ratings/batch", token=token, json=items, params=params)


def test_batch_creates_and_upserts(api, tokens, units, people):
    year = next(years)
    items = [{"person_id": people["ls"], "year": year, "rating": "excellent", "rated_by_unit_id": units["TT-LSN"]},
             {"unit_id": units["TT-LSN"], "year": year, "rating": "good", "rated_by_unit_id": units["TTCP"], "note": "Nhập"}]
    r = batch(api, tokens["authority_ls"], items)
    assert r.status_code == 200, r.text
    out = r.json()
    assert (out["created"], out["updated"]) == (2, 0) and [i["index"] for i in out["items"]] == [0, 1]
    first = api.get(f"/v1/ratings/{out['items'][0]['id']}", token=tokens["viewer"]).json()
    assert (first["source"], first["rating"]) == ("import", "excellent")
    # NDJSON, upsert on an item: one replaced, one created
    r = batch(api, tokens["officer"], [
        {"person_id": people["ls"], "year": year, "rating": "good", "rated_by_unit_id": units["TT-LSN"], "upsert": True},
        {"person_id": people["ls"], "year": year + 30, "rating": "complete", "rated_by_unit_id": units["TT-LSN"]},
    ], ndjson=True)
    assert r.status_code == 200, r.text
    assert (r.json()["created"], r.json()["updated"]) == (1, 1)
    assert r.json()["items"][0] == {"index": 0, "id": first["id"], "created": False}
    replaced = api.get(f"/v1/ratings/{first['id']}", token=tokens["viewer"]).json()
    assert (replaced["rating"], replaced["version"]) == ("good", 2)
    # ?upsert=true for every item; an absent note is cleared
    r = batch(api, tokens["officer"], [{"unit_id": units["TT-LSN"], "year": year, "rating": "excellent",
                                        "rated_by_unit_id": units["TTCP"]}], params={"upsert": "true"})
    assert r.status_code == 200 and r.json()["updated"] == 1, r.text
    unit_rating = api.get(f"/v1/ratings/{out['items'][1]['id']}", token=tokens["viewer"]).json()
    assert (unit_rating["rating"], unit_rating["note"]) == ("excellent", None)
    audit = api.get("/v1/audit", token=tokens["admin"], params={"entity": "rating", "entity_id": first["id"]}).json()["items"]
    assert len(audit) == 2


def test_batch_is_all_or_nothing_and_names_the_bad_item(api, tokens, units, people, server):
    year = next(years)
    ok = {"person_id": people["ls"], "year": year, "rating": "good", "rated_by_unit_id": units["TT-LSN"]}
    before = count_ratings(server)
    r = batch(api, tokens["admin"], [
        ok,
        {**ok, "year": "2020"},
        {**ok, "person_id": None},
        {**ok, "unit_id": units["TT-LSN"]},
        {**ok, "rating": "best"},
        ok,
        {**ok, "year": year + 1, "upsert": "yes"},
        7,
    ])
    assert r.status_code == 422, r.text
    assert [e["field"] for e in r.json()["errors"]] == ["[1].year", "[2].person_id", "[3].unit_id", "[4].rating", "[5].year",
                                                        "[6].upsert", "[7]"]
    assert count_ratings(server) == before
    # checks that read the database name their item too
    r = batch(api, tokens["admin"], [ok, {**ok, "person_id": 987654321}, {**ok, "year": year + 1, "rated_by_unit_id": units["TT-SLA"]}])
    assert r.status_code == 422, r.text
    assert [(e["field"], e["code"]) for e in r.json()["errors"]] == [("[1].person_id", "not_found"),
                                                                     ("[2].rated_by_unit_id", "not_above")]
    assert count_ratings(server) == before
    # an existing rating without upsert: 409, nothing written
    assert batch(api, tokens["admin"], [ok]).status_code == 200
    r = batch(api, tokens["admin"], [{**ok, "year": year + 1}, ok])
    assert r.status_code == 409 and [(e["field"], e["code"]) for e in r.json()["errors"]] == [("[1].year", "duplicate")]
    assert count_ratings(server) == before + 1


def test_batch_authorises_each_item(api, tokens, units, people, server):
    year = next(years)
    mine = {"person_id": people["ls"], "year": year, "rating": "good", "rated_by_unit_id": units["TT-LSN"]}
    theirs = {"person_id": people["sla"], "year": year, "rating": "good", "rated_by_unit_id": units["TT-SLA"]}
    before = count_ratings(server)
    for role in ("viewer", "integration"):
        assert batch(api, tokens[role], [mine]).status_code == 403
    r = batch(api, tokens["officer"], [mine, theirs])
    assert r.status_code == 403 and "item 1" in r.json()["detail"], r.text
    assert batch(api, tokens["authority_bnctw"], [mine]).status_code == 403
    assert count_ratings(server) == before
    assert batch(api, tokens["authority"], [mine, theirs]).status_code == 200
    assert count_ratings(server) == before + 2


# the body is read as reports' batches read it (api/batch.c; test_reports.py has every kind of bad
# body): here the bounds of this kind
@pytest.mark.parametrize("body,status", [
    (b"[]", 422),
    (json.dumps([{"unit_id": 1, "year": 2050, "rating": "good", "rated_by_unit_id": 1}] * 1001).encode(), 422),
    (b"[" + b"0," * 40000 + b"0]", 413),
], ids=["empty", "1001-items", "40k-numbers"])
def test_batch_bounds(api, tokens, server, body, status):
    before = count_ratings(server)
    r = api.post("/v1/ratings/batch", token=tokens["admin"], data=body, headers={"Content-Type": "application/json"})
    assert r.status_code == status, r.text
    assert count_ratings(server) == before


def test_a_thousand_ratings_in_one_batch(api, tokens, units, server):
    codes = sorted(units)[:10]
    items = [{"unit_id": units[codes[i % 10]], "year": 2000 + i // 10, "rating": "complete",
              "rated_by_unit_id": units[codes[i % 10]]} for i in range(1000)]
    r = batch(api, tokens["admin"], items, params={"upsert": "true"})
    assert r.status_code == 200, r.text[:500]
    assert r.json()["created"] + r.json()["updated"] == 1000
    assert api.post("/v1/ratings/batch", token=tokens["admin"], params={"upsert": "maybe"}, json=items[:1]).status_code == 400
