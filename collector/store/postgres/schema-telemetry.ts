/**
 * PostgreSQL schema, part 5 of the baseline: telemetry samples (SQLite version 1's `telemetry`),
 * partitioned by range on the sample time into one table per UTC day (`telemetry_YYYYMMDD`).
 * Retention drops whole day partitions older than the cutoff (a DROP TABLE: no dead rows, no
 * vacuum), never deletes rows.
 *
 * There is no default partition: a sample for a day without a partition is refused by
 * PostgreSQL, so writers make sure the days they write exist first (`fl_telemetry_ensure`,
 * telemetry-partitions.ts; a collector creates today and the days ahead at start and daily).
 * Both functions take the same transaction-level advisory lock, so collectors creating or
 * dropping partitions at the same moment wait for each other instead of failing.
 */
import { ADVISORY_LOCK_CLASS, ADVISORY_LOCK_TELEMETRY_PARTITIONS } from './advisory-locks.js';

export const DAY_MS = 86_400_000;

export const TELEMETRY_SCHEMA = `
  CREATE TABLE telemetry (
    site TEXT NOT NULL,
    device TEXT NOT NULL,
    parameter TEXT NOT NULL,
    value DOUBLE PRECISION NOT NULL,
    quality TEXT NOT NULL,
    time_ms BIGINT NOT NULL
  ) PARTITION BY RANGE (time_ms);
  -- created on every partition; a time range alone is served by partition pruning
  CREATE INDEX telemetry_device_time ON telemetry (site, device, time_ms);

  -- Creates the missing day partitions covering [from_ms, to_ms]; returns how many it created.
  CREATE FUNCTION fl_telemetry_ensure(from_ms BIGINT, to_ms BIGINT) RETURNS INTEGER
  LANGUAGE plpgsql AS $fn$
  DECLARE
    day_ms BIGINT;
    part TEXT;
    created INTEGER := 0;
  BEGIN
    IF from_ms IS NULL OR to_ms IS NULL OR to_ms < from_ms THEN
      RAISE EXCEPTION 'fl_telemetry_ensure: from_ms (%) must be <= to_ms (%)', from_ms, to_ms
        USING ERRCODE = '22023';
    END IF;
    IF to_ms - from_ms > 400::bigint * ${DAY_MS} THEN
      RAISE EXCEPTION 'fl_telemetry_ensure: % days at once is more than 400; a sample time is probably wrong',
        (to_ms - from_ms) / ${DAY_MS} USING ERRCODE = '22023';
    END IF;
    PERFORM pg_advisory_xact_lock(${ADVISORY_LOCK_CLASS}, ${ADVISORY_LOCK_TELEMETRY_PARTITIONS});
    day_ms := floor(from_ms::numeric / ${DAY_MS})::bigint * ${DAY_MS};
    WHILE day_ms <= to_ms LOOP
      part := 'telemetry_' || to_char(to_timestamp(day_ms / 1000) AT TIME ZONE 'UTC', 'YYYYMMDD');
      IF to_regclass(quote_ident(part)) IS NULL THEN
        EXECUTE format('CREATE TABLE %I PARTITION OF telemetry FOR VALUES FROM (%s) TO (%s)', part, day_ms, day_ms + ${DAY_MS});
        created := created + 1;
      END IF;
      day_ms := day_ms + ${DAY_MS};
    END LOOP;
    RETURN created;
  END
  $fn$;

  -- The partitions of telemetry with their bounds, oldest first.
  CREATE FUNCTION fl_telemetry_partitions() RETURNS TABLE (name TEXT, from_ms BIGINT, to_ms BIGINT)
  LANGUAGE sql STABLE AS $fn$
    SELECT c.relname::text,
           substring(pg_get_expr(c.relpartbound, c.oid) FROM 'FROM \\(''?(-?[0-9]+)''?\\)')::bigint,
           substring(pg_get_expr(c.relpartbound, c.oid) FROM 'TO \\(''?(-?[0-9]+)''?\\)')::bigint
    FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid
    WHERE i.inhparent = 'telemetry'::regclass
    ORDER BY 2
  $fn$;

  -- Drops every partition whose rows are all older than cutoff_ms (upper bound <= cutoff_ms);
  -- returns the names dropped. The partition holding cutoff_ms stays whole.
  CREATE FUNCTION fl_telemetry_drop_before(cutoff_ms BIGINT) RETURNS SETOF TEXT
  LANGUAGE plpgsql AS $fn$
  DECLARE
    p RECORD;
  BEGIN
    PERFORM pg_advisory_xact_lock(${ADVISORY_LOCK_CLASS}, ${ADVISORY_LOCK_TELEMETRY_PARTITIONS});
    FOR p IN SELECT * FROM fl_telemetry_partitions() LOOP
      IF p.to_ms <= cutoff_ms THEN
        EXECUTE format('DROP TABLE %I', p.name);
        RETURN NEXT p.name;
      END IF;
    END LOOP;
  END
  $fn$;
`;
