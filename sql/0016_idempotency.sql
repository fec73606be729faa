-- Idempotency-Key (API.md "Integration"): a POST retried with the same key and body within 24 h
-- gets the first response; with another body, 422; while the first is still running, 409. Kept
-- here so that every instance sees every key. One row per (caller, key): claimed before the
-- handler runs (status NULL), the response stored once it succeeded, the claim dropped when it
-- failed (a retry then runs afresh).
CREATE TABLE idempotency_keys (
    actor         text NOT NULL,               -- the caller (user id): keys are per caller
    key           text NOT NULL,
    request_hash  text NOT NULL,               -- sha256 of method, path, query, content type and body
    status        integer,                     -- NULL while the first request runs
    content_type  text,
    location      text,
    etag          text,
    body          text,
    created_at    timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT idempotency_keys_pkey PRIMARY KEY (actor, key),
    CONSTRAINT idempotency_keys_key_length CHECK (char_length(key) BETWEEN 1 AND 255)
);
CREATE INDEX idempotency_keys_created_idx ON idempotency_keys (created_at);
