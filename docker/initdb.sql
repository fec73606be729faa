-- Run once by the postgres image when its data folder is new (/docker-entrypoint-initdb.d):
-- the role tdkt serves as. It owns nothing and cannot bypass row-level security; `tdkt migrate`
-- (as the owner, tdkt) grants it what the service needs. Change the password for real use.
CREATE ROLE tdkt_app LOGIN PASSWORD 'tdkt_app' NOSUPERUSER NOBYPASSRLS NOCREATEDB NOCREATEROLE;
