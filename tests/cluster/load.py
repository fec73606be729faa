"""Load through nginx for tests/cluster/run.sh: GET threads that never retry (nginx must pass a
failed GET on to the other instance), and POST threads that send every POST /v1/people with its
own Idempotency-Key and retry it, with that key, until it is answered 201 — as a mobile client on
a flaky network would. Prints one JSON line: counts, failures, and the names created (to count in
the database).

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
         "post_failures": [], "names": [], "positions": 0, "retry_reasons": {}}
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


def poster(n):
    s = requests.Session()
    k = 0
    while time.time() < stop_at:
        k += 1
        name = f"{prefix} {n}-{k}"
        key = str(uuid.uuid4())
        body = {"unit_id": unit_id, "full_name": name}
        attempts, done, reason = 0, False, ""
        while attempts < 60 and not done:
            attempts += 1
            try:
                r = s.post(base + "/v1/people", headers={**auth, "Idempotency-Key": key}, json=body, timeout=10)
                if r.status_code == 201:
                    done = True
                    with lock:
                        stats["positions"] += bool(r.headers.get("Tdkt-Commit-Position"))
                    break
                reason = str(r.status_code)
                if r.status_code not in (409, 502, 503, 504):
                    break   # not a transient failure: counted below
            except requests.RequestException as e:
                reason = type(e).__name__
                s = requests.Session()
            with lock:
                stats["retry_reasons"][reason] = stats["retry_reasons"].get(reason, 0) + 1
            time.sleep(0.1)
        with lock:
            stats["posts"] += 1
            stats["post_attempts"] += attempts
            stats["post_retried"] += attempts > 1
            if done:
                stats["names"].append(name)
            else:
                stats["post_failures"].append(f"{name}: {reason} after {attempts} attempts")


threads = [threading.Thread(target=getter) for _ in range(4)] + [threading.Thread(target=poster, args=(n,)) for n in range(2)]
for t in threads:
    t.start()
for t in threads:
    t.join()
print(json.dumps(stats))
