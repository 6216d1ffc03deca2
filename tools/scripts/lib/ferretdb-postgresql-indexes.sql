-- Bring-up of the PostgreSQL database behind FerretDB: indexes that FerretDB's pushed-down filters can use.
-- Run with `psql -v ON_ERROR_STOP=1 -d <database> -f` by tools/scripts/lib/infra.sh and faults/src/infra.ts,
-- before or after FerretDB starts; idempotent. See docs/embedded-database.md.
--
-- FerretDB v1 creates a btree on ((_jsonb->'field')) for each MongoDB index, but pushes an equality filter down
-- as `_jsonb->$1 @> $2`, which no btree serves: every find scans its table. A GIN expression index on the same
-- field serves `@>`, provided PostgreSQL plans the statement with its parameter values (then `_jsonb->$1` is
-- `_jsonb->'field'`, the indexed expression). FerretDB prepares and caches its statements, and after five runs
-- PostgreSQL may switch to a generic plan (when it looks no costlier, e.g. on a table still small then), which
-- cannot know the field: hence force_custom_plan.
--
-- Each top-level field other than _id (the _id index is used through ferretdb-id-index.patch) that a FerretDB
-- index covers gets a GIN companion on its table: when FerretDB creates the index (an event trigger, so databases
-- and collections created later are covered without anything running beside FerretDB), and at bring-up for
-- indexes that existed before (built CONCURRENTLY, writes go on). Dropping a FerretDB index drops the companions
-- no other index needs. Nothing of it is in service code: on MongoDB the services' own indexes serve these queries.

SET client_min_messages = warning;
SELECT current_database() AS db \gset
ALTER DATABASE :"db" SET plan_cache_mode = force_custom_plan;

CREATE SCHEMA IF NOT EXISTS wellifiy_embedded;

-- The top-level fields (besides _id) a btree index of a FerretDB collection table covers; none for other indexes.
-- FerretDB writes each key as ((_jsonb->'field')); dotted paths (pushed down with #>) are left alone.
CREATE OR REPLACE FUNCTION wellifiy_embedded.ferretdb_fields(idx oid)
RETURNS TABLE (schema_name name, table_name name, field text)
LANGUAGE plpgsql STABLE AS $$
DECLARE
  i record;
  col int;
  m text[];
BEGIN
  SELECT n.nspname, t.relname, am.amname, x.indnatts
    INTO i
    FROM pg_index x
    JOIN pg_class c ON c.oid = x.indexrelid
    JOIN pg_class t ON t.oid = x.indrelid
    JOIN pg_namespace n ON n.oid = t.relnamespace
    JOIN pg_am am ON am.oid = c.relam
   WHERE x.indexrelid = idx;
  IF NOT FOUND OR i.amname <> 'btree' OR i.relname = '_ferretdb_database_metadata'
     OR to_regclass(format('%I._ferretdb_database_metadata', i.nspname)) IS NULL THEN
    RETURN;
  END IF;
  FOR col IN 1..i.indnatts LOOP
    m := regexp_match(pg_get_indexdef(idx, col, false), '^\(*_jsonb -> ''((?:[^'']|'''')*)''::text\)*$');
    IF m IS NOT NULL AND m[1] <> '_id' THEN
      schema_name := i.nspname;
      table_name := i.relname;
      field := replace(m[1], '''''', '''');
      RETURN NEXT;
    END IF;
  END LOOP;
END
$$;

-- One companion per (table, field), shared by every FerretDB index with that field: the planner then uses the
-- selective field of a filter (userId) and need not read the posting lists of the others (orgId, on every row).
-- FerretDB names its indexes `<table>_<index>_<hash>_idx`, so a `_gin` suffix never collides with them.
CREATE OR REPLACE FUNCTION wellifiy_embedded.gin_name(table_name name, field text) RETURNS name
LANGUAGE sql IMMUTABLE AS $$
  SELECT (left(table_name || '_' || regexp_replace(lower(field), '[^a-z0-9]', '_', 'g'), 44)
          || '_' || left(md5(table_name || '.' || field), 8) || '_gin')::name
$$;

-- fastupdate off: with it, fresh entries wait in a pending list that every search reads linearly until vacuum
-- merges it (a timeline read after 100,000 inserts read 297 index pages and took 9-15 ms instead of 3 pages, 0.7 ms).
CREATE OR REPLACE FUNCTION wellifiy_embedded.gin_statement(schema_name name, table_name name, field text, online boolean)
RETURNS text LANGUAGE sql IMMUTABLE AS $$
  SELECT format('CREATE INDEX %s IF NOT EXISTS %I ON %I.%I USING gin ((_jsonb -> %L)) WITH (fastupdate = off)',
                CASE WHEN online THEN 'CONCURRENTLY' ELSE '' END,
                wellifiy_embedded.gin_name(table_name, field), schema_name, table_name, field)
$$;

-- In FerretDB's own CREATE INDEX (same transaction, so a new collection has its companions before it is used).
-- A failure only warns: FerretDB's index must not fail for want of a companion; the next bring-up builds it.
CREATE OR REPLACE FUNCTION wellifiy_embedded.on_create_index() RETURNS event_trigger
LANGUAGE plpgsql AS $$
DECLARE
  r record;
  stmt text;
BEGIN
  FOR r IN SELECT f.* FROM pg_event_trigger_ddl_commands() AS d, wellifiy_embedded.ferretdb_fields(d.objid) AS f
            WHERE d.object_type = 'index' LOOP
    stmt := wellifiy_embedded.gin_statement(r.schema_name, r.table_name, r.field, false);
    BEGIN
      EXECUTE stmt;
    EXCEPTION WHEN OTHERS THEN
      RAISE WARNING 'wellifiy_embedded: % failed: %', stmt, SQLERRM;
    END;
  END LOOP;
END
$$;

-- Companions in `schema` whose field no FerretDB index of their table covers any more.
CREATE OR REPLACE FUNCTION wellifiy_embedded.orphans(schema name) RETURNS TABLE (index_name name)
LANGUAGE sql STABLE AS $$
  SELECT c.relname
    FROM pg_index x
    JOIN pg_class c ON c.oid = x.indexrelid
    JOIN pg_class t ON t.oid = x.indrelid
    JOIN pg_namespace n ON n.oid = t.relnamespace
    JOIN pg_am am ON am.oid = c.relam
   WHERE n.nspname = schema AND am.amname = 'gin' AND c.relname LIKE '%\_gin'
     AND NOT EXISTS (SELECT 1 FROM pg_index y, wellifiy_embedded.ferretdb_fields(y.indexrelid) AS f
                      WHERE y.indrelid = x.indrelid AND wellifiy_embedded.gin_name(t.relname, f.field) = c.relname)
$$;

-- An index FerretDB drops (dropIndexes) takes along the companions no other index needs; a dropped table or
-- schema takes all of its own.
CREATE OR REPLACE FUNCTION wellifiy_embedded.on_drop_index() RETURNS event_trigger
LANGUAGE plpgsql AS $$
DECLARE
  s name;
  o name;
BEGIN
  FOR s IN SELECT DISTINCT schema_name FROM pg_event_trigger_dropped_objects()
            WHERE original AND object_type = 'index' AND object_name NOT LIKE '%\_gin' LOOP
    FOR o IN SELECT index_name FROM wellifiy_embedded.orphans(s) LOOP
      EXECUTE format('DROP INDEX IF EXISTS %I.%I', s, o);
    END LOOP;
  END LOOP;
END
$$;

BEGIN;
DROP EVENT TRIGGER IF EXISTS wellifiy_embedded_gin_create;
DROP EVENT TRIGGER IF EXISTS wellifiy_embedded_gin_drop;
CREATE EVENT TRIGGER wellifiy_embedded_gin_create ON ddl_command_end WHEN TAG IN ('CREATE INDEX')
  EXECUTE FUNCTION wellifiy_embedded.on_create_index();
CREATE EVENT TRIGGER wellifiy_embedded_gin_drop ON sql_drop WHEN TAG IN ('DROP INDEX')
  EXECUTE FUNCTION wellifiy_embedded.on_drop_index();
COMMIT;

-- Companions left invalid by an interrupted CONCURRENTLY build would be skipped by IF NOT EXISTS: rebuild them.
SELECT format('DROP INDEX CONCURRENTLY IF EXISTS %I.%I', n.nspname, c.relname)
  FROM pg_index x JOIN pg_class c ON c.oid = x.indexrelid JOIN pg_namespace n ON n.oid = c.relnamespace
 WHERE NOT x.indisvalid AND c.relname LIKE '%\_gin'
\gexec

-- Indexes created before the trigger existed.
SELECT DISTINCT wellifiy_embedded.gin_statement(f.schema_name, f.table_name, f.field, true)
  FROM pg_index x, wellifiy_embedded.ferretdb_fields(x.indexrelid) AS f
 WHERE to_regclass(format('%I.%I', f.schema_name, wellifiy_embedded.gin_name(f.table_name, f.field))) IS NULL
\gexec
