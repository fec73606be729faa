-- Accounts, refresh tokens and login throttling.

CREATE TABLE users (
    id            bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    username      text NOT NULL,
    display_name  text NOT NULL,
    role          text NOT NULL,
    unit_id       bigint NOT NULL,
    active        boolean NOT NULL DEFAULT true,
    password_hash text NOT NULL,
    search        tsvector GENERATED ALWAYS AS
                  (to_tsvector('simple', tdkt_fold(username || ' ' || display_name))) STORED,
    version       integer NOT NULL DEFAULT 1,
    created_at    timestamptz NOT NULL DEFAULT now(),
    updated_at    timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT users_username_format CHECK (username ~ '^[A-Za-z0-9][A-Za-z0-9._@-]{2,63}$'),
    CONSTRAINT users_display_name_length CHECK (char_length(display_name) BETWEEN 1 AND 200),
    CONSTRAINT users_role_check CHECK (role IN ('admin', 'authority', 'officer', 'viewer', 'integration')),
    CONSTRAINT users_password_hash_format CHECK (password_hash LIKE '$argon2%'),
    CONSTRAINT users_unit_fkey FOREIGN KEY (unit_id) REFERENCES units (id) ON DELETE RESTRICT
);
-- usernames are unique whatever their case
CREATE UNIQUE INDEX users_username_key ON users (lower(username));
CREATE INDEX users_unit_idx ON users (unit_id, id);
CREATE INDEX users_role_idx ON users (role, id);
CREATE INDEX users_active_idx ON users (active, id);
CREATE INDEX users_search_idx ON users USING gin (search);

-- Refresh tokens: only their SHA-256 is stored. Each login starts a family; every refresh marks
-- the presented token rotated and adds its successor to the family. Presenting a rotated token
-- again means it was copied: the whole family is revoked.
CREATE TABLE refresh_tokens (
    id          bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    token_hash  text NOT NULL,
    family      text NOT NULL,
    user_id     bigint NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    created_at  timestamptz NOT NULL DEFAULT now(),
    expires_at  timestamptz NOT NULL,
    rotated_at  timestamptz,
    revoked_at  timestamptz,
    CONSTRAINT refresh_tokens_hash_key UNIQUE (token_hash)
);
CREATE INDEX refresh_tokens_family_idx ON refresh_tokens (family);
CREATE INDEX refresh_tokens_live_user_idx ON refresh_tokens (user_id) WHERE revoked_at IS NULL;

-- Failed logins per username ('user:<lowercased name>') and per client address ('addr:<ip>'),
-- in PostgreSQL so that every instance behind a load balancer sees the same counts.
CREATE TABLE login_throttle (
    scope         text PRIMARY KEY,
    window_start  timestamptz NOT NULL,
    failures      integer NOT NULL,
    locked_until  timestamptz
);
