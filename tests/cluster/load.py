"""Load through nginx for tests/cluster/run.sh: GET threads that never retry (nginx must pass a
failed GET on to the other instance), and POST threads that send every POST /v1/people with its
own Idempotency-Key and retry it, with that key, until it is answered 201 — as a mobile client on
a flaky network would. So that the replay path runs whatever the SIGTERM does, every third POST
is sent again with its key once answered (its answer lost, as far as the client knows), and every
third is sent twice at once (a client that gave up waiting and sent it again): each must get the
first answer, byte for byte. Prints one JSON line: counts, failures, and the names created (to
count in the database).

    load.py BASE TOKEN UNIT_ID SECONDS PREFIX
"""
import json
import sys
import threading
import time
import uuid

import requests

base, token, unit_id, seconds, prefix = sys.argv[1], sys.argv[2], int(sys.argv[3]), float(sys.argv[4]), sys.argv[5]
auth = {"Authorization": f"Bearer {token}"}
lock = threading.Lock()
stats = {"gets": 0, "get_failures": [], "posts": 0, "post_attempts": 0, "post_retried": 0,
         "post_failures": [], "names": [], "answers": 0, "positions": 0, "retry_reasons": {},
         "replayed": 0, "doubled": 0, "replay_mismatches": []}
stop_at = time.time() + seconds


def getter():
    s = requests.Session()
    paths = [f"/v1/units/{unit_id}", "/v1/units?limit=20", f"/v1/people?unit_id={unit_id}&limit=5"]
    i = 0
    while time.time() < stop_at:
        path = paths[i % len(paths)]
        i += 1
        try:
            r = s.get(base + path, headers=auth, timeout=10)
            ok, why = r.status_code == 200, f"{r.status_code} {r.text[:120]}"
        except requests.RequestException as e:
            ok, why = False, type(e).__name__
        with lock:
            stats["gets"] += 1
            if not ok:
                stats["get_failures"].append(f"GET {path}: {why}")


def send(s, key, body):
    """POST until answered 201, with the same key: (the response or None, attempts, the last reason)"""
    attempts, reason = 0, ""
    while attempts < 60:
        attempts += 1
        try:
            r = s.post(base + "/v1/people", headers={**auth, "Idempotency-Key": key}, json=body, timeout=10)
            if r.status_code == 201:
                with lock:
                    stats["answers"] += 1
                    stats["positions"] += bool(r.headers.get("Tdkt-Commit-Position"))
                return r, attempts, ""
            reason = str(r.status_code)
            if r.status_code not in (409, 502, 503, 504):
                break   # not a transient failure: counted by the caller
        except requests.RequestException as e:
            reason = type(e).__name__
            s = requests.Session()
        with lock:
            stats["retry_reasons"][reason] = stats["retry_reasons"].get(reason, 0) + 1
        time.sleep(0.1)
    return None, attempts, reason


def poster(n):
    s = requests.Session()
    k = 0
    while time.time() < stop_at:
        k += 1
        name = f"{prefix} {n}-{k}"
        key = str(uuid.uuid4())
        body = {"unit_id": unit_id, "full_name": name}
        if k % 3 == 1:
            # sent twice at once, on two connections (nginx may give them to both instances)
            results = [None, None]
            def twin(i):
                results[i] = send(requests.Session(), key, body)
            twins = [threading.Thread(target=twin, args=(i,)) for i in (0, 1)]
            for t in twins:
                t.start()
            for t in twins:
                t.join()
            (r, attempts, reason), (r2, attempts2, _) = results
            attempts += attempts2
            if r is not None and r2 is not None:
                with lock:
                    stats["doubled"] += 1
                    if r.content != r2.content:
                        stats["replay_mismatches"].append(f"{name}: twins {r.content[:80]} / {r2.content[:80]}")
            else:
                r, reason = None, reason or "twin unanswered"
        else:
            r, attempts, reason = send(s, key, body)
            if r is not None and k % 3 == 0:
                # its answer lost: sent again with its key, it must get the same one and write nothing
                again, more, why = send(s, key, body)
                attempts += more
                with lock:
                    if again is None:
                        stats["replay_mismatches"].append(f"{name}: replay unanswered ({why})")
                    elif again.content != r.content or again.headers.get("Location") != r.headers.get("Location"):
                        stats["replay_mismatches"].append(f"{name}: {again.content[:80]} / {r.content[:80]}")
                    else:
                        stats["replayed"] += 1
        with lock:
            stats["posts"] += 1
            stats["post_attempts"] += attempts
            stats["post_retried"] += attempts > (2 if k % 3 != 2 else 1)
            if r is not None:
                stats["names"].append(name)
            else:
                stats["post_failures"].append(f"{name}: {reason} after {attempts} attempts")


threads = [threading.Thread(target=getter) for _ in range(4)] + [threading.Thread(target=poster, args=(n,)) for n in range(2)]
for t in threads:
    t.start()
for t in threads:
    t.join()
print(json.dumps(stats))
