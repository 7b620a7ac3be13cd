-- rift case database, schema version 2: every registry key of every hive
-- (live after log replay, and deleted keys recovered from free cells), so
-- the super-timeline carries each key's last-write time (as plaso's
-- "Registry Key" events do) and a registry browser can walk the tree from
-- the case alone. Conventions as in 0001_initial.sql / SCHEMA.md.
CREATE TABLE registry_keys (
    id           INTEGER PRIMARY KEY,
    source_id    INTEGER REFERENCES sources(id),
    hive_path    TEXT,
    hive_type    TEXT,
    user         TEXT,
    key_path     TEXT,
    display_path TEXT,
    parent_path  TEXT,
    name         TEXT,
    last_write   TEXT,
    subkey_count INTEGER,
    value_count  INTEGER,
    class_name   TEXT,
    deleted      INTEGER NOT NULL DEFAULT 0,
    offset       INTEGER
);
CREATE INDEX registry_keys_parent ON registry_keys(source_id, parent_path);
CREATE INDEX registry_keys_path ON registry_keys(key_path);
CREATE INDEX registry_keys_last_write ON registry_keys(last_write);
