-- One stored form of a username (issue 8): ASCII, lower case. Logins compared lower(username)
-- with lower($1), and PostgreSQL's lower() folds Unicode: "\u212aiemtra.vien" (Kelvin sign) and
-- "kiemtra.v\u0130en" matched the account kiemtra.vien while the login throttle, keyed in C,
-- counted them as other names. Now the service lower-cases ASCII itself, refuses anything else,
-- and compares names byte for byte.
UPDATE users SET username = lower(username) WHERE username <> lower(username);
DROP INDEX users_username_key;
CREATE UNIQUE INDEX users_username_key ON users (username);
ALTER TABLE users ADD CONSTRAINT users_username_canonical CHECK (username = lower(username));
