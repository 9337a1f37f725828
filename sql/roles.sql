-- skillpolicy's shared ledger: roles, schema and grants (PostgreSQL 12 or newer).
--
-- Run as a superuser (or the database's owner) in the ledger's database, twice:
--   1. once before first use:
--        psql -d skillpolicy -v ON_ERROR_STOP=1 -f sql/roles.sql
--   2. again after the owner role's first run has created the tables (and after every
--      skillpolicy upgrade whose migrations add tables): the same command. It is idempotent.
--
-- Roles:
--   skillpolicy_owner  LOGIN. Owns the schema and its tables; the only role that runs schema
--                      migrations (`skillpolicy ledger list --ledger postgresql://skillpolicy_owner@…`
--                      after installing a new version). Not used for daily work.
--   skillpolicy_clerk  NOLOGIN group. Each clerk logs in as a member:
--                        CREATE ROLE wang_li LOGIN IN ROLE skillpolicy_clerk;
--                      and sets a password with \password wang_li (kept in ~/.pgpass).
--                      May read, record runs and lines, and void runs (a void is a new row
--                      plus the lines' `active` flag), review, approve and reject runs (their
--                      `state`) and append to the audit log; may not UPDATE amounts, totals,
--                      steps or log entries and may not DELETE or TRUNCATE anything.

DO $$
BEGIN
    IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'skillpolicy_owner') THEN
        CREATE ROLE skillpolicy_owner LOGIN;
    END IF;
    IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'skillpolicy_clerk') THEN
        CREATE ROLE skillpolicy_clerk NOLOGIN;
    END IF;
END
$$;

CREATE SCHEMA IF NOT EXISTS skillpolicy AUTHORIZATION skillpolicy_owner;
REVOKE ALL ON SCHEMA skillpolicy FROM PUBLIC;
GRANT USAGE ON SCHEMA skillpolicy TO skillpolicy_clerk;

-- Everyone connecting to this database finds the ledger's tables without naming the schema;
-- a commit's temporary table needs TEMPORARY.
DO $$
BEGIN
    EXECUTE format('ALTER DATABASE %I SET search_path = skillpolicy', current_database());
    EXECUTE format('GRANT CONNECT, TEMPORARY ON DATABASE %I TO skillpolicy_clerk',
                   current_database());
    EXECUTE format('GRANT CONNECT, TEMPORARY ON DATABASE %I TO skillpolicy_owner',
                   current_database());
END
$$;

-- Tables the owner creates later are readable and insertable by clerks, nothing more.
ALTER DEFAULT PRIVILEGES FOR ROLE skillpolicy_owner IN SCHEMA skillpolicy
    GRANT SELECT, INSERT ON TABLES TO skillpolicy_clerk;

-- The tables that exist now (after the owner's first run): insert and read; the two flags a
-- void and a later outcome change; never the amounts, never a delete.
DO $$
BEGIN
    IF to_regclass('skillpolicy.schema_migrations') IS NULL THEN
        RAISE NOTICE 'skillpolicy tables not created yet: run this file again after the owner''s first run';
        RETURN;
    END IF;
    REVOKE ALL ON ALL TABLES IN SCHEMA skillpolicy FROM skillpolicy_clerk;
    GRANT SELECT, INSERT ON ALL TABLES IN SCHEMA skillpolicy TO skillpolicy_clerk;
    REVOKE INSERT ON skillpolicy.schema_migrations FROM skillpolicy_clerk;
    GRANT UPDATE (active) ON skillpolicy.lines TO skillpolicy_clerk;
    -- a run's state (经办 → 复核 → 审批 or 驳回), its chain and the head of the audit log;
    -- the log itself and the steps are insert-only: no UPDATE, no DELETE
    IF to_regclass('skillpolicy.audit_log') IS NOT NULL THEN
        GRANT UPDATE (state, approval, log_seq, log_hash) ON skillpolicy.runs TO skillpolicy_clerk;
    END IF;
    IF to_regclass('skillpolicy.outcomes') IS NOT NULL THEN
        GRANT UPDATE ("current") ON skillpolicy.outcomes TO skillpolicy_clerk;
    END IF;
END
$$;
