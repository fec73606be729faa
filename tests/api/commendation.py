"""What the commendation tests share (issue 14: test_dossiers.py, test_decisions.py): dossiers,
nominees, their verdicts and decisions made through the API, a person's record made to measure, and
the database read past row-level security."""
import itertools

serial = itertools.count(1)
YEAR = 2026    # eligibility reads the rules in force on the day of submission: the versions of 2026-12-01


def as_system(server, query):
    """owner SQL past row-level security, the last line of its output"""
    out = server.sql("SELECT set_config('tdkt.actor_role', 'system', false); " + query)
    return out.splitlines()[-1] if out else ""


def rls_sees(server, table, role, unit_id, row_id):
    """whether row-level security shows the row to a caller of that role and unit"""
    out = server.sql(f"SELECT set_config('tdkt.actor_role', '{role}', true), set_config('tdkt.actor_unit_id', '{unit_id}', true);"
                     f" SELECT count(*) FROM {table} WHERE id = {row_id}")
    return out.splitlines()[-1] == "1"


def counts(server):
    """rows of the tables a decision writes, past row-level security"""
    return as_system(server, "SELECT (SELECT count(*) FROM awards) || ' ' || (SELECT count(*) FROM decisions) || ' ' ||"
                             " (SELECT string_agg(status || ':' || count, ',' ORDER BY status) FROM"
                             " (SELECT status, count(*) FROM proposals GROUP BY status) s) || ' ' ||"
                             " (SELECT string_agg(status || ':' || count, ',' ORDER BY status) FROM"
                             " (SELECT status, count(*) FROM dossiers GROUP BY status) d)")


def number(prefix="TTr"):
    return f"{next(serial)}/{prefix}-KT"


def dossier(api, token, proposing, approving, year=YEAR, **extra):
    body = {"number": number(), "year": year, "proposing_unit_id": proposing, "approving_unit_id": approving}
    body.update(extra)
    r = api.post("/v1/dossiers", token=token, json=body)
    assert r.status_code == 201, r.text
    return r.json()


def nominee(api, token, dossier_id, kind="giay_khen", **recipient):
    body = {"award_kind_code": kind}
    body.update(recipient)
    r = api.post(f"/v1/dossiers/{dossier_id}/proposals", token=token, json=body)
    assert r.status_code == 201, r.text
    return r.json()


def act(api, token, path, body=None, **kw):
    """POST /v1/<path>: an action, with a JSON body when one is given"""
    return api.post(f"/v1/{path}", token=token, json=body, **kw) if body is not None else \
        api.post(f"/v1/{path}", token=token, **kw)


def ok(r, status=200):
    assert r.status_code == status, r.text
    return r.json()


def end_notice(server, dossier_id):
    """as if the notice had been published weeks ago: it ended yesterday"""
    as_system(server, f"UPDATE dossiers SET notice_from = current_date - 20, notice_until = current_date - 1 WHERE id = {dossier_id}")


def sent(api, proposer, approver, units_, recipients, kind="giay_khen", approve=(), **extra):
    """a dossier of `units_` (proposing, approving) holding one nominee of `kind` per recipient,
    submitted; the nominees given by index in `approve` approved (with a reason) by `approver`"""
    d = dossier(api, proposer, *units_, **extra)
    ps = [nominee(api, proposer, d["id"], kind, **r) for r in recipients]
    ok(act(api, proposer, f"dossiers/{d['id']}/submit"))
    for i in approve:
        ok(act(api, approver, f"proposals/{ps[i]['id']}/approve", {"override_reason": "Thành tích tiêu biểu (kiểm thử)."}))
    return d, ps


def person(api, tokens, unit_id, name="Cán bộ đề nghị"):
    r = api.post("/v1/people", token=tokens["admin"], json={"unit_id": unit_id, "full_name": f"{name} {next(serial)}"})
    assert r.status_code == 201, r.text
    return r.json()["id"]


def history(api, tokens, person_id, kind, years):
    """awards of the record from before the system"""
    return [ok(api.post("/v1/awards", token=tokens["admin"], json={"award_kind_code": kind, "year": y,
                                                                   "recipient_person_id": person_id}), 201)["id"]
            for y in years]


def rate(api, tokens, person_id, year, rating, unit_id):
    ok(api.post("/v1/ratings", token=tokens["admin"], json={"person_id": person_id, "year": year, "rating": rating,
                                                             "rated_by_unit_id": unit_id}), 201)


def decide(api, token, issuer, ids, year=YEAR, **extra):
    body = {"number": number("QĐ"), "signed_on": f"{year}-12-20", "issuing_unit_id": issuer, "proposal_ids": ids}
    body.update(extra)
    return api.post("/v1/decisions", token=token, json=body)


def cancel(api, token, decision, on=None):
    return act(api, token, f"decisions/{decision['id']}/cancel", {
        "reason": "Kê khai không trung thực thành tích.", "legal_basis": "Luật Thi đua, khen thưởng 2022, Điều 87",
        "cancelled_on": on or decision["signed_on"], "cancelling_number": number("QĐ-HB")})


def feed(api, token, since):
    """(entity, id, action, current shown) of the feed after seq `since`, as `token` sees it"""
    items = ok(api.get("/v1/changes", token=token, params={"after": since, "limit": 500}))["items"]
    return [(c["entity"], c["entity_id"], c["action"], c["current"] is not None) for c in items]


def feed_head(server):
    return int(server.sql("SELECT coalesce(max(seq), 0) FROM change_feed"))
