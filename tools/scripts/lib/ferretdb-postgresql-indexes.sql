-- Bring-up of the PostgreSQL database behind FerretDB: indexes that FerretDB's pushed-down filters can use.
-- Run with `psql -v ON_ERROR_STOP=1 -d <database> -f` by tools/scripts/lib/infra.sh and faults/src/infra.ts,
-- before or after FerretDB starts; idempotent. See docs/embedded-database.md.
--
-- FerretDB v1 creates a btree on ((_jsonb->'field')) for each MongoDB index, but pushes an equality filter down
-- as `_jsonb->$1 @> $2`, which no btree serves: every find scans its table. A GIN expression index on the same
-- fields serves `@>`, provided PostgreSQL plans the statement with its parameter values (then `_jsonb->$1` is
-- `_jsonb->'field'`, the indexed expression). FerretDB prepares and caches its statements, and after five runs
-- PostgreSQL would switch to a generic plan that cannot know the field: hence force_custom_plan.
--
-- Each FerretDB index on top-level fields other than _id (the _id index is used through ferretdb-id-index.patch)
-- gets a GIN companion: when FerretDB creates it (an event trigger, so databases and collections created later are
-- covered without anything running beside FerretDB), and at bring-up for indexes that existed before (built
-- CONCURRENTLY, writes go on). Dropping a FerretDB index drops its companion. Nothing of it is in service code:
-- on MongoDB the services' own indexes serve these queries.

SET client_min_messages = warning;
SELECT current_database() AS db \gset
ALTER DATABASE :"db" SET plan_cache_mode = force_custom_plan;

CREATE SCHEMA IF NOT EXISTS wellifiy_embedded;

-- The companion's name: FerretDB names its indexes `<table>_<index>_<hash>_idx`, so a `_gin` suffix never collides.
CREATE OR REPLACE FUNCTION wellifiy_embedded.gin_name(btree_name text) RETURNS text
LANGUAGE sql IMMUTABLE AS $$
  SELECT left(btree_name, 44) || '_' || left(md5(btree_name), 8) || '_gin'
$$;

-- The CREATE INDEX of the companion of index `idx`, or NULL when it needs none: not a btree of a FerretDB
-- collection table, or no top-level field besides _id (FerretDB pushes dotted paths down with #>, left alone).
CREATE OR REPLACE FUNCTION wellifiy_embedded.gin_definition(idx oid, online boolean) RETURNS text
LANGUAGE plpgsql STABLE AS $$
DECLARE
  i record;
  col int;
  m text[];
  fields text[] := '{}';
BEGIN
  SELECT c.relname AS index_name, n.nspname AS schema_name, t.relname AS table_name, am.amname, x.indnatts
    INTO i
    FROM pg_index x
    JOIN pg_class c ON c.oid = x.indexrelid
    JOIN pg_class t ON t.oid = x.indrelid
    JOIN pg_namespace n ON n.oid = t.relnamespace
    JOIN pg_am am ON am.oid = c.relam
   WHERE x.indexrelid = idx;
  IF NOT FOUND OR i.amname <> 'btree' OR i.table_name = '_ferretdb_database_metadata'
     OR to_regclass(format('%I._ferretdb_database_metadata', i.schema_name)) IS NULL THEN
    RETURN NULL;
  END IF;
  FOR col IN 1..i.indnatts LOOP
    m := regexp_match(pg_get_indexdef(idx, col, false), '^\(*_jsonb -> ''((?:[^'']|'''')*)''::text\)*$');
    IF m IS NOT NULL AND m[1] <> '_id' THEN
      fields := fields || replace(m[1], '''''', '''');
    END IF;
  END LOOP;
  IF cardinality(fields) = 0 THEN
    RETURN NULL;
  END IF;
  RETURN format('CREATE INDEX %s IF NOT EXISTS %I ON %I.%I USING gin (%s)',
                CASE WHEN online THEN 'CONCURRENTLY' ELSE '' END,
                wellifiy_embedded.gin_name(i.index_name), i.schema_name, i.table_name,
                (SELECT string_agg(format('(_jsonb -> %L)', f), ', ') FROM unnest(fields) AS f));
END
$$;

-- In FerretDB's own CREATE INDEX (same transaction, so a new collection has its companion before it is used).
-- A failure only warns: FerretDB's index must not fail for want of its companion; the next bring-up builds it.
CREATE OR REPLACE FUNCTION wellifiy_embedded.on_create_index() RETURNS event_trigger
LANGUAGE plpgsql AS $$
DECLARE
  r record;
  stmt text;
BEGIN
  FOR r IN SELECT objid FROM pg_event_trigger_ddl_commands() WHERE object_type = 'index' LOOP
    stmt := wellifiy_embedded.gin_definition(r.objid, false);
    IF stmt IS NOT NULL THEN
      BEGIN
        EXECUTE stmt;
      EXCEPTION WHEN OTHERS THEN
        RAISE WARNING 'wellifiy_embedded: % failed: %', stmt, SQLERRM;
      END;
    END IF;
  END LOOP;
END
$$;

-- An index FerretDB drops (dropIndexes) takes its companion along; a dropped table or schema takes all of its own.
CREATE OR REPLACE FUNCTION wellifiy_embedded.on_drop_index() RETURNS event_trigger
LANGUAGE plpgsql AS $$
DECLARE
  r record;
BEGIN
  FOR r IN SELECT schema_name, object_name FROM pg_event_trigger_dropped_objects()
            WHERE original AND object_type = 'index' AND object_name NOT LIKE '%\_gin' LOOP
    EXECUTE format('DROP INDEX IF EXISTS %I.%I', r.schema_name, wellifiy_embedded.gin_name(r.object_name));
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
SELECT wellifiy_embedded.gin_definition(x.indexrelid, true)
  FROM pg_index x JOIN pg_class c ON c.oid = x.indexrelid JOIN pg_namespace n ON n.oid = c.relnamespace
 WHERE wellifiy_embedded.gin_definition(x.indexrelid, true) IS NOT NULL
   AND to_regclass(format('%I.%I', n.nspname, wellifiy_embedded.gin_name(c.relname))) IS NULL
\gexec
