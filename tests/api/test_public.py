"""Issue 14: what anyone may read without a token — nominees in public notice and decisions with their
awards — cached by the change feed's position, and the public's comments on nominees, rate-limited per
client address in the database and read only by the approving authority (every read audited).

On a server of its own (127.0.0.1 a trusted proxy, so X-Real-IP names the client address): the rows
made here with SQL (dossiers, proposals and decisions have no API yet) stay out of the shared
server's change feed and audit trail, and the rate limit counts only this module's comments."""
import json
import re
import subprocess
import unicodedata
from concurrent.futures import ThreadPoolExecutor

import pytest
import requests

from conftest import BINARY, Client, another_instance, held, own_server, unit_ids, until, waiting

TODAY = "(now() AT TIME ZONE 'Asia/Ho_Chi_Minh')::date"
ITEM_KEYS = {"id", "dossier_id", "dossier_number", "proposing_unit_id", "proposing_unit_name", "approving_unit_id",
             "approving_unit_name", "award_kind_code", "award_kind_name", "recipient", "achievements", "notice_from",
             "notice_until", "feedback_url"}
RECIPIENT_KEYS = {"type", "name", "position", "unit_name"}


@pytest.fixture(scope="module")
def pub():
    with own_server("tdkt-public-", {"TDKT_TRUSTED_PROXIES": "127.0.0.1"}) as srv:
        yield srv


@pytest.fixture(scope="module")
def papi(pub, contract):
    return Client(pub, contract)


@pytest.fixture(scope="module")
def u(pub):
    return unit_ids(pub)


@pytest.fixture(scope="module")
def tok(pub, u):
    """the approving unit is Thanh tra Chính phủ; the proposing one Thanh tra tỉnh Lạng Sơn"""
    return {
        "admin": pub.token("admin", u["TTCP"], sub=1),
        "approver": pub.token("authority", u["TTCP"], sub=2),
        "proposer": pub.token("authority", u["TT-LSN"], sub=3),
        "officer": pub.token("officer", u["TT-LSN"], sub=4),
        "viewer": pub.token("viewer", u["TT-LSN"], sub=5),
        "integration": pub.token("integration", u["TTCP"], sub=6),
        "elsewhere": pub.token("authority", u["BNCTW"], sub=7),
    }


def sql(srv, query):
    """as the owner saying it is the system (dossiers and proposals have FORCE row-level security);
    the rows of the last statement that returns any, without command tags"""
    out = subprocess.run(["psql", "-X", "-q", "-At", "-v", "ON_ERROR_STOP=1", srv.owner_url, "-c",
                          "SET tdkt.actor_role = 'system'; " + query], check=True, capture_output=True, text=True)
    return out.stdout.strip()


_seq = iter(range(1, 10**6))


def dossier(srv, u, status, *, approving="TTCP", proposing="TT-LSN", year=2026, notice=(-1, 9)):
    """a dossier in `status`; published ones (notice set) from today+notice[0] to today+notice[1]"""
    published = status in ("public_notice", "reviewed", "decided") or (status == "returned" and notice)
    sent = status not in ("draft",) and not (status == "withdrawn")
    cols = "number, year, proposing_unit_id, approving_unit_id, status, submitted_at"
    vals = (f"'{next(_seq)}/TTr-PUB', {year}, {u[proposing]}, {u[approving]}, '{status}',"
            f" {'now()' if sent else 'NULL'}")
    if published and notice:
        cols += ", notice_days, notice_from, notice_until"
        vals += f", 10, {TODAY} + {notice[0]}, {TODAY} + {notice[1]}"
    return int(sql(srv, f"INSERT INTO dossiers ({cols}) VALUES ({vals}) RETURNING id"))


def person(srv, u, name="Hoàng Văn Minh", position="Phó Chánh Thanh tra", unit="TT-LSN"):
    return int(sql(srv, f"INSERT INTO people (unit_id, full_name, position) VALUES ({u[unit]}, '{name}', '{position}') RETURNING id"))


def proposal(srv, dossier_id, *, kind="chien_si_thi_dua_co_so", person_id=None, unit_id=None, household=None,
             status="pending", achievements="Ba năm liền hoàn thành xuất sắc nhiệm vụ."):
    recipient = ("recipient_person_id", person_id) if person_id else ("recipient_unit_id", unit_id) if unit_id else \
        ("recipient_household", "'" + json.dumps(household, ensure_ascii=False) + "'")
    return int(sql(srv, f"INSERT INTO proposals (dossier_id, award_kind_code, {recipient[0]}, achievements, status)"
                        f" VALUES ({dossier_id}, '{kind}', {recipient[1]}, '{achievements}', '{status}') RETURNING id"))


def all_pages(api, path, params=None, **kw):
    params = dict(params or {})
    items = []
    while True:
        r = api.get(path, params=params, **kw)
        assert r.status_code == 200, r.text
        items += r.json()["items"]
        if not r.json()["next_cursor"]:
            return items
        params["cursor"] = r.json()["next_cursor"]


@pytest.fixture(scope="module")
def notice(pub, u):
    """one dossier of each state, each with a nominee; the one in notice has a person, a unit, a
    household and a rejected nominee"""
    pid = person(pub, u)
    d = {s: dossier(pub, u, s) for s in ("draft", "submitted", "public_notice", "returned", "withdrawn", "reviewed", "decided")}
    p = {s: proposal(pub, i, person_id=pid, status="approved" if s in ("reviewed", "decided") else "pending")
         for s, i in d.items()}
    p["unit"] = proposal(pub, d["public_notice"], kind="tap_the_lao_dong_tien_tien", unit_id=u["TT-LSN"])
    p["household"] = proposal(pub, d["public_notice"], kind="giay_khen",
                              household={"name": "Hộ ông Lò Văn Bảy", "address": "Bản Nà Lừa, xã Tân Thanh"})
    p["rejected"] = proposal(pub, d["public_notice"], kind="giay_khen", person_id=pid, status="rejected")
    return {"dossiers": d, "proposals": p, "person": pid}


# --- GET /v1/public/proposals ---------------------------------------------------------------------------

def test_only_nominees_of_dossiers_in_notice_are_listed(papi, pub, notice):
    items = all_pages(papi, "/v1/public/proposals", {"limit": 2})
    ids = [x["id"] for x in items]
    p = notice["proposals"]
    assert {p["public_notice"], p["unit"], p["household"]} <= set(ids)
    for hidden in ("draft", "submitted", "returned", "withdrawn", "reviewed", "decided", "rejected"):
        assert p[hidden] not in ids, hidden
    # checked against the database: every nominee listed is of a dossier in notice, and not rejected
    rows = sql(pub, "SELECT d.status || ' ' || p.status FROM proposals p JOIN dossiers d ON d.id = p.dossier_id"
                    f" WHERE p.id IN ({','.join(map(str, ids))})").splitlines()
    assert len(rows) == len(ids) and all(r.split()[0] == "public_notice" and r.split()[1] != "rejected" for r in rows), rows
    assert ids == sorted(ids), "ordered by id"


def test_an_item_names_a_person_by_name_and_position_only(papi, pub, notice, u):
    items = {x["id"]: x for x in all_pages(papi, "/v1/public/proposals")}
    p = notice["proposals"]
    for item in items.values():
        assert set(item) == ITEM_KEYS and set(item["recipient"]) == RECIPIENT_KEYS
        assert "eligibility" not in json.dumps(item) and "person_id" not in json.dumps(item)
    mine = items[p["public_notice"]]
    assert mine["recipient"] == {"type": "person", "name": "Hoàng Văn Minh", "position": "Phó Chánh Thanh tra",
                                 "unit_name": "Thanh tra tỉnh Lạng Sơn"}
    assert mine["proposing_unit_id"] == u["TT-LSN"] and mine["proposing_unit_name"] == "Thanh tra tỉnh Lạng Sơn"
    assert mine["approving_unit_id"] == u["TTCP"] and mine["approving_unit_name"] == "Thanh tra Chính phủ"
    assert mine["award_kind_code"] == "chien_si_thi_dua_co_so" and mine["award_kind_name"] == "Chiến sĩ thi đua cơ sở"
    assert mine["achievements"] == "Ba năm liền hoàn thành xuất sắc nhiệm vụ."
    assert mine["feedback_url"] == f"/v1/public/proposals/{mine['id']}/feedback"
    dates = sql(pub, f"SELECT notice_from || ' ' || notice_until FROM dossiers WHERE id = {mine['dossier_id']}").split()
    assert [mine["notice_from"], mine["notice_until"]] == dates
    assert items[p["unit"]]["recipient"] == {"type": "unit", "name": "Thanh tra tỉnh Lạng Sơn", "position": None,
                                             "unit_name": None}
    household = items[p["household"]]
    assert household["recipient"] == {"type": "household", "name": "Hộ ông Lò Văn Bảy", "position": None, "unit_name": None}
    assert "Bản Nà" not in json.dumps(household, ensure_ascii=False), "a household's address is not public"


def test_filters_and_pages(papi, pub, u, notice):
    other = dossier(pub, u, "public_notice", approving="BNCTW", proposing="BNC-LSN", year=2025)
    q = proposal(pub, other, kind="bang_khen_bo_nganh_tinh", unit_id=u["BNC-LSN"])
    by_unit = all_pages(papi, "/v1/public/proposals", {"approving_unit_id": u["BNCTW"]})
    assert [x["id"] for x in by_unit] == [q]
    assert [x["id"] for x in all_pages(papi, "/v1/public/proposals", {"year": 2025})] == [q]
    assert [x["id"] for x in all_pages(papi, "/v1/public/proposals", {"award_kind_code": "bang_khen_bo_nganh_tinh"})] == [q]
    assert q not in [x["id"] for x in all_pages(papi, "/v1/public/proposals", {"approving_unit_id": u["TTCP"], "year": 2026})]
    one_by_one = all_pages(papi, "/v1/public/proposals", {"limit": 1})
    assert [x["id"] for x in one_by_one] == [x["id"] for x in all_pages(papi, "/v1/public/proposals", {"limit": 500})]
    unfiltered = [x["id"] for x in all_pages(papi, "/v1/public/proposals", {"limit": 500})]
    for params in ({"status": "draft"}, {"year": "1999"}, {"limit": "0"}, {"cursor": "bogus"}, {"approving_unit_id": "x"},
                   {"award_kind_code": "-"}, {"award_kind_code": "Bang khen"}, {"award_kind_code": "đ" * 24}):
        r = papi.get("/v1/public/proposals", params=params)
        assert r.status_code == 400, (params, r.text)
    # nobody's request is cached as another's: "-" was once the page with no kind filter, empty
    assert [x["id"] for x in all_pages(papi, "/v1/public/proposals", {"limit": 500})] == unfiltered and unfiltered
    # a cursor of another list is not this one's
    cur = papi.get("/v1/public/decisions", params={"limit": 1}).json()["next_cursor"]
    if cur:
        assert papi.get("/v1/public/proposals", params={"cursor": cur}).status_code == 400


def test_cached_pages_answer_304_and_follow_every_change_at_once(papi, pub, u, notice):
    d = notice["dossiers"]["public_notice"]
    nominee = notice["proposals"]["public_notice"]
    r = papi.get("/v1/public/proposals", params={"limit": 500})
    assert r.status_code == 200 and r.headers["Cache-Control"] == "public, max-age=60"
    etag = r.headers["ETag"]
    assert r.headers.get("Set-Cookie") is None
    again = papi.get("/v1/public/proposals", params={"limit": 500}, headers={"If-None-Match": etag})
    assert again.status_code == 304 and again.headers["ETag"] == etag and again.content == b""
    assert papi.request("HEAD", "/v1/public/proposals", params={"limit": 500},
                        headers={"If-None-Match": etag}).status_code == 304
    # sent back to its proposer: gone from the list on the very next request
    sql(pub, f"UPDATE dossiers SET status = 'returned' WHERE id = {d}")
    r = papi.get("/v1/public/proposals", params={"limit": 500}, headers={"If-None-Match": etag})
    assert r.status_code == 200 and r.headers["ETag"] != etag
    assert nominee not in [x["id"] for x in r.json()["items"]]
    # published again: the same page, the same ETag — for every one of many requests at once (they
    # share the position's probe and wait for one of them to make the page)
    sql(pub, f"UPDATE dossiers SET status = 'public_notice' WHERE id = {d}")
    url = f"{pub.base}/v1/public/proposals?limit=500"
    with ThreadPoolExecutor(max_workers=16) as pool:
        answers = list(pool.map(lambda _: requests.get(url, headers={"If-None-Match": etag}, timeout=60), range(32)))
    assert {a.status_code for a in answers} == {304} and {a.headers["ETag"] for a in answers} == {etag}
    sql(pub, f"UPDATE dossiers SET status = 'returned' WHERE id = {d}")
    with ThreadPoolExecutor(max_workers=16) as pool:
        answers = list(pool.map(lambda _: requests.get(url, timeout=60), range(32)))
    assert all(a.status_code == 200 and nominee not in [x["id"] for x in a.json()["items"]] for a in answers)
    sql(pub, f"UPDATE dossiers SET status = 'public_notice' WHERE id = {d}")
    assert papi.get("/v1/public/proposals", params={"limit": 500}, headers={"If-None-Match": etag}).status_code == 304
    # a nominee's achievements, its person's position, its unit's name, its kind's name: each shows at once
    for change, check in (
            (f"UPDATE proposals SET achievements = 'Sửa thành tích' WHERE id = {nominee}",
             lambda x: x["achievements"] == "Sửa thành tích"),
            (f"UPDATE people SET position = 'Chánh Thanh tra' WHERE id = {notice['person']}",
             lambda x: x["recipient"]["position"] == "Chánh Thanh tra"),
            (f"UPDATE units SET name = 'Thanh tra tỉnh Lạng Sơn (mới)' WHERE id = {u['TT-LSN']}",
             lambda x: x["recipient"]["unit_name"] == "Thanh tra tỉnh Lạng Sơn (mới)"),
            ("UPDATE award_kinds SET name = 'Chiến sĩ thi đua cơ sở (sửa)' WHERE code = 'chien_si_thi_dua_co_so'",
             lambda x: x["award_kind_name"] == "Chiến sĩ thi đua cơ sở (sửa)")):
        sql(pub, change)
        [item] = [x for x in papi.get("/v1/public/proposals", params={"limit": 500}).json()["items"] if x["id"] == nominee]
        assert check(item), (change, item)
    sql(pub, f"UPDATE units SET name = 'Thanh tra tỉnh Lạng Sơn' WHERE id = {u['TT-LSN']};"
             " UPDATE award_kinds SET name = 'Chiến sĩ thi đua cơ sở' WHERE code = 'chien_si_thi_dua_co_so';"
             f" UPDATE proposals SET achievements = 'Ba năm liền hoàn thành xuất sắc nhiệm vụ.' WHERE id = {nominee};"
             f" UPDATE people SET position = 'Phó Chánh Thanh tra' WHERE id = {notice['person']}")


def test_a_change_through_another_instance_is_seen_at_once(papi, pub, u, notice, tok):
    """two instances on one database: the first caches the page, a write through the second shows on
    the first's next answer (the cache is keyed by the database's change feed, not by a local event)"""
    with another_instance(pub, "second") as base:
        nominee = notice["proposals"]["public_notice"]
        first = papi.get("/v1/public/proposals", params={"limit": 500})
        assert papi.get("/v1/public/proposals", params={"limit": 500},
                        headers={"If-None-Match": first.headers["ETag"]}).status_code == 304
        r = requests.patch(f"{base}/v1/people/{notice['person']}", json={"position": "Thanh tra viên chính"},
                           headers={"Authorization": f"Bearer {tok['admin']}"}, timeout=30)
        assert r.status_code == 200, r.text
        r = papi.get("/v1/public/proposals", params={"limit": 500}, headers={"If-None-Match": first.headers["ETag"]})
        assert r.status_code == 200
        [item] = [x for x in r.json()["items"] if x["id"] == nominee]
        assert item["recipient"]["position"] == "Thanh tra viên chính"
    sql(pub, f"UPDATE people SET position = 'Phó Chánh Thanh tra' WHERE id = {notice['person']}")


def test_the_position_probes_use_their_partial_indexes(pub):
    """each request asks the feed's position: one probe of a small index, whatever the feed's size"""
    out = subprocess.run([BINARY, "sql"], check=True, capture_output=True, text=True).stdout
    probes = {name: text for name, text in (b.split("\n", 1) for b in out.strip().split("\n\n"))
              if name.startswith("public_") and name.endswith("_position")}
    assert set(probes) == {"public_proposals_position", "public_decisions_position"}
    for name, text in probes.items():
        plan = pub.sql_as_service("SET enable_seqscan = off; EXPLAIN " + text)
        index = "change_feed_public_" + name.split("_")[1] + "_idx"
        assert f"Index Only Scan Backward using {index}" in plan, plan
        plan = pub.sql_as_service("EXPLAIN " + text)
        assert "Seq Scan" not in plan and index in plan, plan


# --- GET /v1/public/decisions ---------------------------------------------------------------------------

@pytest.fixture(scope="module")
def decisions(pub, u, notice):
    pid = notice["person"]
    ids = {}
    ids["in_force"] = int(sql(pub, "INSERT INTO decisions (number, signed_on, issuing_unit_id, signer_name, signer_title)"
                                   f" VALUES ('1234/QĐ-TTCP', '2026-03-01', {u['TTCP']}, 'Đoàn Hồng Phong', 'Tổng Thanh tra')"
                                   " RETURNING id"))
    ids["cancelled"] = int(sql(pub, "INSERT INTO decisions (number, signed_on, issuing_unit_id, signer_name, signer_title,"
                                    " status, cancel_reason, cancel_legal_basis, cancelled_on, cancelling_number)"
                                    f" VALUES ('1235/QĐ-TTCP', '2026-03-02', {u['TTCP']}, 'Đoàn Hồng Phong', 'Tổng Thanh tra',"
                                    " 'cancelled', 'Khai không đúng thành tích', 'Luật Thi đua, khen thưởng 2022, Điều 94',"
                                    " '2026-05-01', '2000/QĐ-TTCP') RETURNING id"))
    ids["2025"] = int(sql(pub, "INSERT INTO decisions (number, signed_on, issuing_unit_id)"
                               f" VALUES ('77/QĐ-BNCTW', '2025-12-20', {u['BNCTW']}) RETURNING id"))

    def award(decision, recipient, kind, revoked=None):
        col, val = recipient
        extra = (", revoked_on, revocation_reason", f", '{revoked}', 'Khai không đúng thành tích'") if revoked else ("", "")
        sql(pub, f"INSERT INTO awards (award_kind_code, year, {col}, decision_id, decision_number, decided_on,"
                 f" issuing_unit_id, source{extra[0]}) SELECT '{kind}', 2025, {val}, id, number, signed_on, issuing_unit_id,"
                 f" 'decision'{extra[1]} FROM decisions WHERE id = {decision}")
    award(ids["in_force"], ("recipient_person_id", pid), "chien_si_thi_dua_co_so")
    award(ids["in_force"], ("recipient_unit_id", u["TT-LSN"]), "tap_the_lao_dong_tien_tien")
    award(ids["in_force"], ("recipient_household", "'{\"name\": \"Hộ bà Lường Thị Én\", \"address\": \"Bản Mới\"}'"),
          "giay_khen")
    award(ids["cancelled"], ("recipient_person_id", pid), "bang_khen_bo_nganh_tinh", revoked="2026-05-01")
    return ids


def test_decisions_in_force_and_cancelled_with_their_awards(papi, pub, u, decisions):
    items = {x["id"]: x for x in all_pages(papi, "/v1/public/decisions", {"limit": 1})}
    assert set(decisions.values()) <= set(items)
    d = items[decisions["in_force"]]
    assert d["status"] == "in_force" and d["cancellation"] is None and d["document_url"] is None
    assert (d["number"], d["signed_on"], d["issuing_unit_id"], d["issuing_unit_name"], d["signer_name"], d["signer_title"]) == \
        ("1234/QĐ-TTCP", "2026-03-01", u["TTCP"], "Thanh tra Chính phủ", "Đoàn Hồng Phong", "Tổng Thanh tra")
    assert [(a["award_kind_code"], a["recipient"]["type"], a["recipient"]["name"], a["revoked_on"]) for a in d["awards"]] == [
        ("chien_si_thi_dua_co_so", "person", "Hoàng Văn Minh", None),
        ("tap_the_lao_dong_tien_tien", "unit", "Thanh tra tỉnh Lạng Sơn", None),
        ("giay_khen", "household", "Hộ bà Lường Thị Én", None)]
    assert d["awards"][0]["recipient"] == {"type": "person", "name": "Hoàng Văn Minh", "position": "Phó Chánh Thanh tra",
                                           "unit_name": "Thanh tra tỉnh Lạng Sơn"}
    assert "Bản Mới" not in json.dumps(d, ensure_ascii=False)
    c = items[decisions["cancelled"]]
    assert c["status"] == "cancelled" and c["cancellation"] == {
        "cancelled_on": "2026-05-01", "cancelling_number": "2000/QĐ-TTCP", "reason": "Khai không đúng thành tích",
        "legal_basis": "Luật Thi đua, khen thưởng 2022, Điều 94"}
    assert [(a["award_kind_code"], a["revoked_on"]) for a in c["awards"]] == [("bang_khen_bo_nganh_tinh", "2026-05-01")]
    assert items[decisions["2025"]]["awards"] == [] and items[decisions["2025"]]["signer_name"] is None
    # the same by id, cached and answered 304 the same way
    r = papi.get(f"/v1/public/decisions/{decisions['cancelled']}")
    assert r.status_code == 200 and r.json() == c and r.headers["Cache-Control"] == "public, max-age=60"
    assert papi.get(f"/v1/public/decisions/{decisions['cancelled']}",
                    headers={"If-None-Match": r.headers["ETag"]}).status_code == 304
    assert papi.get("/v1/public/decisions/999999").status_code == 404
    assert papi.get("/v1/public/decisions/x").status_code == 404
    assert papi.get(f"/v1/public/decisions/{decisions['cancelled']}", params={"a": "1"}).status_code == 400


def test_decision_filters_and_document(papi, pub, u, decisions):
    def ids(**params):
        return {x["id"] for x in all_pages(papi, "/v1/public/decisions", params)}
    assert ids(status="cancelled") == {decisions["cancelled"]}
    assert decisions["cancelled"] not in ids(status="in_force")
    assert ids(year=2025) == {decisions["2025"]}
    # the demo's 01-QĐ/BNCTW (2019) is Ban Nội chính Trung ương's too
    by_bnctw = all_pages(papi, "/v1/public/decisions", {"issuing_unit_id": u["BNCTW"]})
    assert decisions["2025"] in {x["id"] for x in by_bnctw} and decisions["in_force"] not in {x["id"] for x in by_bnctw}
    assert by_bnctw and all(x["issuing_unit_id"] == u["BNCTW"] for x in by_bnctw)
    assert ids(issuing_unit_id=u["TTCP"], year=2026, status="in_force") == {decisions["in_force"]}
    assert papi.get("/v1/public/decisions", params={"status": "draft"}).status_code == 400
    # a cancellation shows at once, awards revoked with it
    etag = papi.get(f"/v1/public/decisions/{decisions['in_force']}").headers["ETag"]
    # its signed document (sql/0026: the column names a document), stored as an upload stores it
    doc = sql(pub, "INSERT INTO document_blobs (sha256, media_type, bytes) VALUES (repeat('a', 64), 'application/pdf', 8);"
                   " INSERT INTO document_chunks (blob_id, seq, data) SELECT id, 0, '%PDF-1.7'::bytea FROM document_blobs"
                   " WHERE sha256 = repeat('a', 64);"
                   " INSERT INTO documents (dossier_id, kind, filename, sha256) SELECT min(s.id), 'decision', 'QĐ 1234.pdf',"
                   " repeat('a', 64) FROM dossiers s JOIN decisions d ON d.issuing_unit_id = s.approving_unit_id"
                   f" WHERE d.id = {decisions['in_force']} RETURNING id")
    sql(pub, f"UPDATE decisions SET document_id = {doc} WHERE id = {decisions['in_force']}")
    r = papi.get(f"/v1/public/decisions/{decisions['in_force']}", headers={"If-None-Match": etag})
    assert r.status_code == 200 and r.json()["document_url"] == f"/v1/public/decisions/{decisions['in_force']}/document"
    r = papi.get(r.json()["document_url"])
    assert r.status_code == 200 and r.content == b"%PDF-1.7" and r.headers["Cache-Control"] == "public, max-age=60"
    sql(pub, f"UPDATE awards SET revoked_on = '2026-06-01', revocation_reason = 'Thu hồi' WHERE decision_id = {decisions['in_force']};"
             f" UPDATE decisions SET status = 'cancelled', cancel_reason = 'Thu hồi', cancel_legal_basis = 'Điều 94',"
             f" cancelled_on = '2026-06-01', cancelling_number = '9/QĐ-TTCP' WHERE id = {decisions['in_force']}")
    d = papi.get(f"/v1/public/decisions/{decisions['in_force']}").json()
    assert d["status"] == "cancelled" and d["cancellation"]["cancelling_number"] == "9/QĐ-TTCP"
    assert {a["revoked_on"] for a in d["awards"]} == {"2026-06-01"}
    assert decisions["in_force"] in ids(status="cancelled")


# --- POST /v1/public/proposals/{id}/feedback -------------------------------------------------------------

@pytest.fixture
def fresh_ip():
    """a client address of its own for each test (127.0.0.1 is a trusted proxy here)"""
    n = next(_seq)
    return f"198.51.{n // 250 % 250}.{n % 250 + 1}"


def comment(api, proposal_id, body, ip, **kw):
    return api.post(f"/v1/public/proposals/{proposal_id}/feedback", json=body, headers={"X-Real-IP": ip}, **kw)


def stored(pub, where):
    return [json.loads(x) for x in sql(pub, "SELECT row_to_json(f) FROM proposal_feedback f WHERE " + where
                                       + " ORDER BY id").splitlines()]


def test_a_comment_is_stored_in_nfc_and_not_repeated(papi, pub, notice, fresh_ip):
    nominee = notice["proposals"]["public_notice"]
    nfd = unicodedata.normalize("NFD", "Tôi đồng ý: ông Minh tiếp dân tận tình.\nĐề nghị khen thưởng.")
    r = comment(papi, nominee, {"name": unicodedata.normalize("NFD", "Nguyễn Thị Hoa"), "contact": "hoa@example.vn",
                                "content": nfd}, fresh_ip)
    assert r.status_code == 201, r.text
    body = r.json()
    assert set(body) == {"id", "proposal_id", "created_at"} and body["proposal_id"] == nominee
    assert "Location" not in r.headers and "hoa@example.vn" not in r.text
    [row] = stored(pub, f"id = {body['id']}")
    assert row["content"] == unicodedata.normalize("NFC", nfd) and row["name"] == "Nguyễn Thị Hoa"
    assert row["contact"] == "hoa@example.vn" and row["client"] == fresh_ip and row["proposal_id"] == nominee
    # name and contact are optional, null too
    assert comment(papi, nominee, {"content": "Đồng ý."}, fresh_ip).status_code == 201
    assert comment(papi, nominee, {"content": "Đồng ý.", "name": None, "contact": None}, fresh_ip).status_code == 201
    # the public list does not change with comments: still cached
    etag = papi.get("/v1/public/proposals").headers["ETag"]
    assert comment(papi, nominee, {"content": "Một ý kiến nữa."}, fresh_ip).status_code == 201
    assert papi.get("/v1/public/proposals", headers={"If-None-Match": etag}).status_code == 304


@pytest.mark.parametrize("body,field,code", [
    ({}, "content", "required"),
    ({"content": ""}, "content", "blank"),
    ({"content": " \n\t "}, "content", "blank"),
    ({"content": "\u200b\u200b"}, "content", "blank"),            # nothing visible: zero-width spaces
    ({"content": "\ufffe\uffff\u00a0"}, "content", "blank"),      # noncharacters and a no-break space
    ({"content": "x" * 4001}, "content", "too_long"),
    ({"content": "x", "name": "n" * 201}, "name", "too_long"),
    ({"content": "x", "contact": "c" * 201}, "contact", "too_long"),
    ({"content": "x", "name": ""}, "name", "blank"),
    ({"content": "x", "name": "a\nb"}, "name", "control_characters"),
    ({"content": 5}, "content", "type"),
    ({"content": "x", "email": "a@b.vn"}, "email", "unknown_field"),
    ({"content": "x", "id": 3}, "id", "unknown_field"),
    ({"content": "x", "client": "1.2.3.4"}, "client", "unknown_field"),
])
def test_a_bad_comment_is_422_and_stores_nothing(papi, pub, notice, fresh_ip, body, field, code):
    r = comment(papi, notice["proposals"]["public_notice"], body, fresh_ip)
    assert r.status_code == 422, r.text
    assert (field, code) in [(e["field"], e["code"]) for e in r.json()["errors"]], r.text
    assert stored(pub, f"client = '{fresh_ip}'") == []


def test_a_long_comment_is_taken_and_a_large_body_is_413(papi, pub, notice, fresh_ip):
    nominee = notice["proposals"]["public_notice"]
    # the longest comment, each character above U+FFFF written as two \u escapes (12 bytes), with the
    # longest name and contact: about 53 KB, under the 64 KiB cap (requests writes \u escapes)
    longest = {"content": "😀" * 4000, "name": "😀" * 200, "contact": "😀" * 200}
    assert len(json.dumps(longest)) > 52000
    assert comment(papi, nominee, longest, fresh_ip).status_code == 201
    r = comment(papi, nominee, {"content": "x" * 70000}, fresh_ip)
    assert r.status_code == 413 and "65536" in r.json()["detail"]
    chunked = papi.post(f"/v1/public/proposals/{nominee}/feedback", headers={"X-Real-IP": fresh_ip, "Content-Type": "application/json"},
                        data=iter([b'{"content": "', b"y" * 70000, b'"}']))
    assert chunked.status_code == 413
    r = papi.post(f"/v1/public/proposals/{nominee}/feedback", data="content=x", headers={
        "X-Real-IP": fresh_ip, "Content-Type": "application/x-www-form-urlencoded"})
    assert r.status_code == 415
    assert len(stored(pub, f"client = '{fresh_ip}'")) == 1


def test_a_nominee_not_in_notice_takes_no_comment(papi, pub, u, notice, fresh_ip):
    p = notice["proposals"]
    # not public: 404
    for key in ("draft", "submitted", "withdrawn"):
        r = comment(papi, p[key], {"content": "x"}, fresh_ip)
        assert r.status_code == 404, (key, r.text)
    assert comment(papi, 99999999, {"content": "x"}, fresh_ip).status_code == 404
    sent_back = dossier(pub, u, "returned")
    assert comment(papi, proposal(pub, sent_back, person_id=notice["person"]), {"content": "x"}, fresh_ip).status_code == 404
    # published, but no comments now: 409
    for key in ("reviewed", "decided", "rejected"):
        r = comment(papi, p[key], {"content": "x"}, fresh_ip)
        assert r.status_code == 409, (key, r.text)
    ended = proposal(pub, dossier(pub, u, "public_notice", notice=(-12, -1)), person_id=notice["person"])
    r = comment(papi, ended, {"content": "x"}, fresh_ip)
    assert r.status_code == 409 and "dates in Vietnam" in r.json()["detail"]
    not_yet = proposal(pub, dossier(pub, u, "public_notice", notice=(1, 10)), person_id=notice["person"])
    assert comment(papi, not_yet, {"content": "x"}, fresh_ip).status_code == 409
    # its last day still counts
    last_day = proposal(pub, dossier(pub, u, "public_notice", notice=(-9, 0)), person_id=notice["person"])
    assert comment(papi, last_day, {"content": "x"}, fresh_ip).status_code == 201
    assert len(stored(pub, f"client = '{fresh_ip}'")) == 1
    assert comment(papi, p["public_notice"], {"content": "x"}, fresh_ip, params={"a": "1"}).status_code == 400


def notice_locked(srv, d):
    """the dossier's notice lock is held exclusive (a shared one cannot be had)"""
    return lambda: sql(srv, f"SELECT pg_try_advisory_xact_lock_shared(hashtextextended('tdkt.notice:' || {d}, 0))") == "f"


def row_locked(srv, p):
    """the nominee's row is locked (a NOWAIT lock of it fails)"""
    def locked():
        try:
            sql(srv, f"SELECT 1 FROM proposals WHERE id = {p} FOR UPDATE NOWAIT")
            return False
        except subprocess.CalledProcessError:
            return True
    return locked


def retries(api):
    """tdkt_http_request_retries_total: requests run again (a deadlock among the reasons)"""
    return float(re.search(r"^tdkt_http_request_retries_total (\S+)$", api.get("/metrics").text, re.M).group(1))


REJECT = "UPDATE proposals SET status = 'rejected', rejection_reason = 'Chưa đủ tiêu chuẩn.' WHERE id = {p}"


@pytest.mark.parametrize("ending", [
    "UPDATE dossiers SET status = 'reviewed' WHERE id = {d}",
    "UPDATE dossiers SET notice_until = notice_from WHERE id = {d}",
    REJECT,
])
def test_a_comment_meeting_the_end_of_its_notice_waits_for_it_and_is_not_stored(papi, pub, u, notice, fresh_ip, ending):
    """the notice ends in a transaction still open when a comment comes: the comment waits for its
    commit and then finds the notice over (409); it is never stored after the notice ended"""
    d = dossier(pub, u, "public_notice", notice=(-2, 9))
    p = proposal(pub, d, person_id=notice["person"])
    # the pool left last: a failure kills psql first, so the waiting comment does not wait on
    with ThreadPoolExecutor(1) as pool, held(pub, ending.format(d=d, p=p), notice_locked(pub, d)) as finish:
        answer = pool.submit(comment, papi, p, {"content": "Tôi đồng ý với đề nghị khen thưởng."}, fresh_ip)
        until(lambda: waiting(pub) or answer.done(), "the comment neither waited nor answered")
        assert not answer.done(), answer.result().text   # it waits for the ending's commit
        finish()
        r = answer.result(timeout=10)
    assert r.status_code == 409, r.text
    assert stored(pub, f"proposal_id = {p}") == []


def test_a_comment_and_a_rejection_holding_the_nominee_do_not_deadlock(papi, pub, u, notice, fresh_ip):
    """a rejection locks the nominee's row and then, in its update, the notice; a comment that comes
    between the two waits for the row (its insert's foreign key) before it takes the notice: the
    same order, so neither waits for the other in a circle (PostgreSQL would abort one after its
    deadlock_timeout, 1 s) and the comment then finds the nominee rejected"""
    d = dossier(pub, u, "public_notice", notice=(-2, 9))
    p = proposal(pub, d, person_id=notice["person"])
    with ThreadPoolExecutor(1) as pool, \
            held(pub, f"SELECT 1 FROM proposals WHERE id = {p} FOR UPDATE", row_locked(pub, p)) as finish:
        before = retries(papi)
        answer = pool.submit(comment, papi, p, {"content": "Tôi đồng ý với đề nghị khen thưởng."}, fresh_ip)
        until(lambda: waiting(pub) or answer.done(), "the comment neither waited nor answered")
        assert not answer.done(), answer.result().text   # it waits for the nominee's row
        finish(REJECT.format(p=p) + ";")   # psql exits 0: it was no deadlock's victim
        r = answer.result(timeout=10)
    assert r.status_code == 409 and "rejected" in r.json()["detail"], r.text
    assert retries(papi) == before   # nor was the comment: no request ran again
    assert stored(pub, f"proposal_id = {p}") == []


def test_five_comments_in_ten_minutes_then_429_until_the_oldest_leaves(papi, pub, notice, fresh_ip):
    nominee = notice["proposals"]["public_notice"]
    codes = [comment(papi, nominee, {"content": f"ý kiến {i}"}, fresh_ip).status_code for i in range(5)]
    assert codes == [201] * 5
    r = comment(papi, nominee, {"content": "ý kiến 6"}, fresh_ip)
    assert r.status_code == 429 and 590 <= int(r.headers["Retry-After"]) <= 600, (r.headers, r.text)
    assert len(stored(pub, f"client = '{fresh_ip}'")) == 5, "a refused comment is not stored"
    # another address is not limited by this one's
    assert comment(papi, nominee, {"content": "khác"}, "192.0.2.77").status_code == 201
    # the oldest made 9 minutes ago: it leaves the window in about a minute
    sql(pub, f"UPDATE proposal_feedback SET created_at = created_at - interval '9 minutes' WHERE id ="
             f" (SELECT min(id) FROM proposal_feedback WHERE client = '{fresh_ip}')")
    r = comment(papi, nominee, {"content": "ý kiến 6"}, fresh_ip)
    assert r.status_code == 429 and 50 <= int(r.headers["Retry-After"]) <= 60, r.headers
    # all made 11 minutes ago: the window is empty again
    sql(pub, f"UPDATE proposal_feedback SET created_at = created_at - interval '11 minutes' WHERE client = '{fresh_ip}'")
    assert comment(papi, nominee, {"content": "ý kiến 6"}, fresh_ip).status_code == 201


def test_twenty_comments_a_day(papi, pub, notice, fresh_ip):
    nominee = notice["proposals"]["public_notice"]
    # 19 over the day, two hours apart at most, outside the burst window
    sql(pub, "INSERT INTO proposal_feedback (proposal_id, content, client, created_at)"
             f" SELECT {nominee}, 'cũ ' || g, '{fresh_ip}', now() - interval '20 hours' + g * interval '1 hour'"
             " FROM generate_series(0, 18) g")
    assert comment(papi, nominee, {"content": "thứ 20"}, fresh_ip).status_code == 201
    r = comment(papi, nominee, {"content": "thứ 21"}, fresh_ip)
    # the oldest (20 hours ago) leaves the day in 4 hours
    assert r.status_code == 429 and 4 * 3600 - 60 <= int(r.headers["Retry-After"]) <= 4 * 3600, r.headers
    sql(pub, f"UPDATE proposal_feedback SET created_at = created_at - interval '1 day' WHERE client = '{fresh_ip}'")
    assert comment(papi, nominee, {"content": "thứ 21"}, fresh_ip).status_code == 201


def test_an_ipv6_client_counts_by_its_64(papi, pub, notice):
    nominee = notice["proposals"]["public_notice"]
    codes = [comment(papi, nominee, {"content": "v6"}, f"2001:db8:14:7::{i + 1:x}").status_code for i in range(6)]
    assert codes == [201] * 5 + [429]
    assert comment(papi, nominee, {"content": "v6"}, "2001:db8:14:8::1").status_code == 201
    assert {r["client"] for r in stored(pub, "client LIKE '2001:db8:14:%'")} == {"2001:db8:14:7::/64", "2001:db8:14:8::/64"}
    # an IPv4 address written as IPv6 is that IPv4 address
    assert comment(papi, nominee, {"content": "v4"}, "::ffff:203.0.113.9").status_code == 201
    assert [r["client"] for r in stored(pub, "client = '203.0.113.9'")] == ["203.0.113.9"]


def test_concurrent_comments_of_one_address_never_pass_the_limit(papi, pub, notice, fresh_ip):
    """the count and the insert hold a lock on the address: 12 at once, 5 stored, 7 refused"""
    nominee = notice["proposals"]["public_notice"]
    url = f"{pub.base}/v1/public/proposals/{nominee}/feedback"

    def send(i):
        return requests.post(url, json={"content": f"cùng lúc {i}"}, headers={"X-Real-IP": fresh_ip}, timeout=60).status_code
    with ThreadPoolExecutor(max_workers=12) as pool:
        codes = sorted(pool.map(send, range(12)))
    assert codes == [201] * 5 + [429] * 7, codes
    assert len(stored(pub, f"client = '{fresh_ip}'")) == 5


# --- GET /v1/proposals/{id}/feedback ------------------------------------------------------------------------

def read_entries(pub, proposal_id):
    rows = sql(pub, "SELECT json_build_object('actor', actor_id, 'role', actor_role, 'changes', changes) FROM audit_log"
                    f" WHERE action = 'read' AND entity = 'proposal_feedback' AND entity_id = {proposal_id} ORDER BY id")
    return [json.loads(x) for x in rows.splitlines()]


def test_the_approving_authority_reads_the_comments_and_each_read_is_audited(papi, pub, u, notice, tok, fresh_ip):
    nominee = proposal(pub, notice["dossiers"]["public_notice"], kind="lao_dong_tien_tien", person_id=notice["person"])
    path = f"/v1/proposals/{nominee}/feedback"
    assert papi.get(path, token=tok["approver"]).json() == {"items": [], "next_cursor": None}
    assert read_entries(pub, nominee) == [{"actor": 2, "role": "authority", "changes": {"ids": [], "query": ""}}], \
        "an empty page is a read too: nobody has commented"
    made = [comment(papi, nominee, {"content": f"ý kiến {i}", "contact": f"0912 000 00{i}"}, fresh_ip).json()["id"]
            for i in range(3)]
    r = papi.get(path, token=tok["approver"], params={"limit": 2})
    assert r.status_code == 200 and r.headers["Cache-Control"] == "no-store"
    page = r.json()
    assert [x["id"] for x in page["items"]] == made[:2] and page["items"][1]["contact"] == "0912 000 001"
    assert set(page["items"][0]) == {"id", "proposal_id", "name", "contact", "content", "created_at"}, "no client address"
    rest = papi.get(path, token=tok["admin"], params={"cursor": page["next_cursor"]}).json()
    assert [x["id"] for x in rest["items"]] == made[2:] and rest["next_cursor"] is None
    entries = read_entries(pub, nominee)
    assert entries[1:] == [{"actor": 2, "role": "authority", "changes": {"ids": made[:2], "query": "limit=2"}},
                           {"actor": 1, "role": "admin", "changes": {"ids": made[2:], "query": "cursor=" + page["next_cursor"]}}]
    # admins find them in the audit trail by entity
    audit = papi.get("/v1/audit", token=tok["admin"], params={"entity": "proposal_feedback", "entity_id": nominee}).json()
    assert [e["changes"]["ids"] for e in audit["items"]] == [[], made[:2], made[2:]]
    # whoever else can see the nominee: 403, and nothing recorded
    for name in ("proposer", "officer", "viewer", "integration", "elsewhere"):
        r = papi.get(path, token=tok[name])
        assert r.status_code == 403, (name, r.text)
    assert len(read_entries(pub, nominee)) == 3
    assert papi.get(path).status_code == 401
    assert papi.get(path, token=tok["approver"], params={"q": "x"}).status_code == 400


def test_a_nominee_out_of_sight_is_404(papi, pub, u, notice, tok):
    """a draft of Lạng Sơn's: its own authority sees it (403), a unit elsewhere does not (404)"""
    draft = notice["proposals"]["draft"]
    assert papi.get(f"/v1/proposals/{draft}/feedback", token=tok["elsewhere"]).status_code == 404
    assert papi.get(f"/v1/proposals/{draft}/feedback", token=tok["integration"]).status_code == 404
    assert papi.get(f"/v1/proposals/{draft}/feedback", token=tok["proposer"]).status_code == 403
    assert papi.get("/v1/proposals/99999999/feedback", token=tok["admin"]).status_code == 404
    assert read_entries(pub, draft) == []
