#!/usr/bin/env python3
"""The API part of tests/bench/evaluations.sh: an evaluation of a cluster-year run through
/v1/evaluations as its members would run it, timed. Standard library only.

  evaluations_api.py BIN BASE CLUSTER YEAR QUALITATIVE UNIT_ID...   (the first unit the leader)

Creates the evaluation with a 200-node, 3-level criteria tree (QUALITATIVE qualitative leaves,
quantitative leaves on the seeded indicators, 4 fixed, 3 bonus, 3 penalty), opens scoring, PUTs
every member's full score sheet (every member, itself included, on every qualitative leaf; one
at a time, each timed), opens voting, casts every member's ballot at once (one thread and one
connection per member, released together), checks that all are 201 and ballots_cast is the
number of members, casts them all again (all 409), then closes (timed). Prints key=value
lines; exits 1 when an answer is not the one expected."""
import http.client
import json
import random
import subprocess
import sys
import threading
import time
from urllib.parse import urlsplit

INDICATORS = ["inspections", "conclusions_issued", "recovered_vnd", "citizens_received", "complaints_resolved"]
NODES, TOP, SUB = 200, 8, 4          # 8 groups of 4 groups of 5 leaves: 8 + 32 + 160 = 200 nodes


def tree(qualitative):
    """The criteria: 160 leaves, the kinds spread over the groups (a deterministic shuffle)."""
    leaves = NODES - TOP - TOP * SUB
    fixed = [{"kind": "fixed", "max_points": 2, "indicator_code": "corruption_cases_detected", "points_each": 0.5},
             {"kind": "fixed", "max_points": 2, "indicator_code": "cases_transferred", "points_each": 1},
             {"kind": "fixed", "max_points": 3, "count": "recognized_initiatives", "points_each": 1},
             {"kind": "fixed", "max_points": 3, "count": "recognized_initiatives", "points_each": 0.5}]
    kinds = [{"kind": "qualitative", "max_points": 5}] * qualitative + fixed
    kinds += [{"kind": "bonus", "max_points": 2}] * 3 + [{"kind": "penalty", "max_points": 2}] * 3
    quant = leaves - len(kinds)
    if quant < 0:
        sys.exit(f"at most {leaves - 10} qualitative leaves fit in the tree")
    kinds += [{"kind": "quantitative", "max_points": 4, "indicator_code": INDICATORS[i % len(INDICATORS)]}
              for i in range(quant)]
    random.Random(12).shuffle(kinds)
    out, k = [], 0
    for g in range(1, TOP + 1):
        subs = []
        for s in range(1, SUB + 1):
            children = []
            for leaf in range(1, leaves // (TOP * SUB) + 1):
                node = dict(kinds[k], code=f"c{g}_{s}_{leaf}", name=f"Tiêu chí {g}.{s}.{leaf} ({kinds[k]['kind']})")
                children.append(node)
                k += 1
            subs.append({"code": f"c{g}_{s}", "name": f"Nhóm {g}.{s}", "kind": "group", "max_points": 20,
                         "children": children})
        out.append({"code": f"c{g}", "name": f"Phần {g}", "kind": "group", "max_points": 100, "children": subs})
    return out


def leaves_of(nodes):
    for n in nodes:
        yield from leaves_of(n["children"]) if n["kind"] == "group" else [n]


class Client:
    def __init__(self, base, token):
        self.host = urlsplit(base).netloc
        self.token = token
        self.conn = http.client.HTTPConnection(self.host, timeout=120)

    def call(self, method, path, body=None, accept="application/json", fresh=False):
        if fresh:  # a connection of its own: the server closes one idle for long
            self.conn.close()
        headers = {"Authorization": "Bearer " + self.token, "Accept": accept}
        data = None
        if body is not None:
            data = body if isinstance(body, bytes) else json.dumps(body).encode()
            headers["Content-Type"] = "application/json"
        self.conn.request(method, path, body=data, headers=headers)
        res = self.conn.getresponse()
        return res.status, res.read()


failed = False


def fail(message):
    global failed
    print("  " + message, file=sys.stderr)
    failed = True


def expect(what, status, body, want):
    if status != want:
        fail(f"{what}: {status} (expected {want}): {body[:300]!r}")
        return False
    return True


def main():
    binary, base, cluster, year, qualitative = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4]), int(sys.argv[5])
    units = [int(u) for u in sys.argv[6:]]
    tokens = {u: subprocess.run([binary, "token", "--sub", str(100000 + u), "--role", "officer", "--unit-id", str(u),
                                 "--ttl", "86400"], check=True, capture_output=True, text=True).stdout.strip()
              for u in units}
    print(f"officer_token={tokens[units[-1]]}")
    leader = Client(base, tokens[units[0]])

    criteria = tree(qualitative)
    qual = [n["code"] for n in leaves_of(criteria) if n["kind"] == "qualitative"]
    kinds = {}
    for n in leaves_of(criteria):
        kinds[n["kind"]] = kinds.get(n["kind"], 0) + 1
    print("tree=" + ", ".join(f"{v} {k}" for k, v in sorted(kinds.items())))
    st, body = leader.call("POST", "/v1/evaluations", {"cluster_id": cluster, "year": year, "max_choices": 3,
                                                         "title": f"Bình xét thi đua năm {year} (bench)", "criteria": criteria})
    if not expect("create", st, body, 201):
        sys.exit(1)
    ev = json.loads(body)["id"]
    print(f"evaluation={ev}")
    st, body = leader.call("POST", f"/v1/evaluations/{ev}/open_scoring", {})
    if not expect("open_scoring", st, body, 200):
        sys.exit(1)

    # every member's full sheet, one PUT at a time, each timed
    put_times, sizes = [], []
    for i, scorer in enumerate(units):
        rng = random.Random(scorer)
        sheet = [{"target_unit_id": t, "criterion_code": c, "points": round(rng.randint(200, 500) / 100, 2)}
                 for t in units for c in qual]
        data = json.dumps(sheet).encode()
        sizes.append(len(data))
        c = Client(base, tokens[scorer])
        t0 = time.perf_counter()
        st, body = c.call("PUT", f"/v1/evaluations/{ev}/scores/{scorer}", data)
        put_times.append(time.perf_counter() - t0)
        expect(f"PUT scores of {scorer}", st, body, 200)
    put_times.sort()
    print(f"put_items={len(units) * len(qual)}")
    print(f"put_bytes={sizes[0]}")
    print(f"put_median={put_times[len(put_times) // 2]:.3f}")
    print(f"put_max={put_times[-1]:.3f}")
    print(f"put_total={sum(put_times):.1f}")

    st, body = leader.call("POST", f"/v1/evaluations/{ev}/open_voting", {}, fresh=True)
    if not expect("open_voting", st, body, 200):
        sys.exit(1)

    # every member's ballot at once: a thread and a connection each, released together
    def round_of_ballots():
        clients = {u: Client(base, tokens[u]) for u in units}
        for c in clients.values():
            c.conn.connect()
        start = threading.Barrier(len(units) + 1)
        codes, ends = {}, {}

        def cast(u, i):
            choices = sorted(random.Random(i).sample(units[:12], 3))
            start.wait()
            try:
                codes[u] = clients[u].call("POST", f"/v1/evaluations/{ev}/ballots", {"choices": choices})
            except Exception as e:  # a dropped connection counts as a failure
                codes[u] = (0, str(e).encode())
            ends[u] = time.perf_counter()

        threads = [threading.Thread(target=cast, args=(u, i)) for i, u in enumerate(units)]
        for t in threads:
            t.start()
        start.wait()
        t0 = time.perf_counter()
        for t in threads:
            t.join()
        return codes, max(ends.values()) - t0

    def checked_round(want, what):
        """a round of ballots, each answered `want`; ballots_cast stays the members' count"""
        codes, wall = round_of_ballots()
        for u, (c, b) in codes.items():
            if c != want:
                expect(f"{what} of {u}", c, b, want)
        st, body = leader.call("GET", f"/v1/evaluations/{ev}", fresh=True)
        cast = json.loads(body).get("ballots_cast") if st == 200 else None
        if cast != len(units):
            fail(f"after the {what}s ballots_cast is {cast}, not {len(units)}")
        return codes, wall, cast

    codes, wall, cast_count = checked_round(201, "ballot")
    print(f"ballots_201={sum(1 for c, _ in codes.values() if c == 201)}")
    print(f"ballots_statuses={','.join(map(str, sorted(set(c for c, _ in codes.values()))))}")
    print(f"ballots_cast={cast_count}")
    print(f"ballots_wall={wall:.3f}")
    codes2, wall2, _ = checked_round(409, "second ballot")
    print(f"second_409={sum(1 for c, _ in codes2.values() if c == 409)}")
    print(f"second_wall={wall2:.3f}")

    t0 = time.perf_counter()
    st, body = leader.call("POST", f"/v1/evaluations/{ev}/close", {}, fresh=True)
    close = time.perf_counter() - t0
    expect("close", st, body, 200)
    print(f"close={close:.3f}")

    # the results as stored: every member ranked with every criterion, the CSV one line each
    st, body = leader.call("GET", f"/v1/evaluations/{ev}/results")
    if expect("results", st, body, 200):
        res = json.loads(body)
        ranking = res["ranking"]
        ok = len(ranking) == len(units) and all(len(r["breakdown"]) == NODES for r in ranking)
        votes = sum(r["votes"] for r in ranking)
        if not ok or res["ballots_cast"] != len(units) or votes != 3 * len(units):
            fail(f"results: {len(ranking)} ranked, ballots_cast {res['ballots_cast']}, {votes} votes")
        print(f"results_bytes={len(body)}")
        top = ranking[0]
        print(f"results_top=unit {top['unit_code']} rank {top['rank']} cluster_score {top['cluster_score']} "
              f"votes {top['votes']} scorers {top['scorers']}")
    st, body = leader.call("GET", f"/v1/evaluations/{ev}/results", accept="text/csv")
    if expect("results as CSV", st, body, 200):
        print(f"csv_bytes={len(body)}")
        lines = body.count(b"\n")
        print(f"csv_lines={lines}")
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()
