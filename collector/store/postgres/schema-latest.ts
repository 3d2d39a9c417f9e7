/** PostgreSQL version 11 (as SQLite's): last-known values per site, device and parameter, seeded from the telemetry kept so far. */
export const LATEST_VALUES_SCHEMA = `
  CREATE TABLE telemetry_latest (
    site TEXT NOT NULL,
    device TEXT NOT NULL,
    parameter TEXT NOT NULL,
    value DOUBLE PRECISION NOT NULL,
    quality TEXT NOT NULL,
    reason TEXT,
    text TEXT,
    time_ms BIGINT NOT NULL,
    PRIMARY KEY (site, device, parameter)
  );
  INSERT INTO telemetry_latest (site, device, parameter, value, quality, time_ms)
    SELECT DISTINCT ON (site, device, parameter) site, device, parameter, value, quality, time_ms
    FROM telemetry ORDER BY site, device, parameter, time_ms DESC;
`;
