-- rift case database, schema version 3: Windows Defender DetectionHistory
-- files (ProgramData\Microsoft\Windows Defender\Scans\History\Service\
-- DetectionHistory\<n>\<GUID>): what Defender detected, where, from which
-- URL, when and under which accounts. Conventions as in 0001_initial.sql.
CREATE TABLE defender_detections (
    id            INTEGER PRIMARY KEY,
    source_id     INTEGER REFERENCES sources(id),
    detection_id  TEXT,
    threat_name   TEXT,
    time          TEXT,
    times         TEXT,
    file_path     TEXT,
    web_url       TEXT,
    resources     TEXT,
    accounts      TEXT
);
CREATE INDEX defender_detections_time ON defender_detections(time);
