-- rift case database, schema version 1.
-- Conventions (see SCHEMA.md): every time column is TEXT ISO 8601 UTC with
-- seven fractional digits and `Z` (`2023-08-17T08:02:05.2992500Z`), NULL
-- when absent; booleans are INTEGER 0/1; lists and objects are JSON text;
-- raw integers (flags, enums) sit beside their text labels.

CREATE TABLE case_info (
    key   TEXT PRIMARY KEY,
    value TEXT
);

CREATE TABLE volumes (
    id              INTEGER PRIMARY KEY,
    partition_index INTEGER,
    offset          INTEGER,
    size            INTEGER,
    fs_type         TEXT,
    label           TEXT,
    serial          TEXT,
    cluster_size    INTEGER,
    drive_letter    TEXT,
    description     TEXT
);

CREATE TABLE sources (
    id         INTEGER PRIMARY KEY,
    kind       TEXT NOT NULL,
    volume_id  INTEGER REFERENCES volumes(id),
    path       TEXT,
    mft_entry  INTEGER,
    mft_seq    INTEGER,
    size       INTEGER,
    sha256     TEXT,
    parser     TEXT,
    records    INTEGER,
    errors     INTEGER,
    note       TEXT
);
CREATE INDEX sources_kind ON sources(kind);

CREATE TABLE parse_errors (
    id        INTEGER PRIMARY KEY,
    source_id INTEGER REFERENCES sources(id),
    offset    INTEGER,
    message   TEXT NOT NULL
);
CREATE INDEX parse_errors_source ON parse_errors(source_id);

CREATE TABLE mft (
    id               INTEGER PRIMARY KEY,
    source_id        INTEGER REFERENCES sources(id),
    volume_id        INTEGER REFERENCES volumes(id),
    entry            INTEGER NOT NULL,
    seq              INTEGER,
    in_use           INTEGER,
    is_dir           INTEGER,
    parent_entry     INTEGER,
    parent_seq       INTEGER,
    name             TEXT,
    name_type        INTEGER,
    full_path        TEXT,
    extension        TEXT,
    size             INTEGER,
    alloc_size       INTEGER,
    reference_count  INTEGER,
    si_created       TEXT,
    si_modified      TEXT,
    si_mft_modified  TEXT,
    si_accessed      TEXT,
    fn_created       TEXT,
    fn_modified      TEXT,
    fn_mft_modified  TEXT,
    fn_accessed      TEXT,
    si_flags         INTEGER,
    has_ads          INTEGER,
    is_ads           INTEGER,
    ads_name         TEXT,
    zone_id_contents TEXT,
    usec_zeros       INTEGER,
    si_lt_fn         INTEGER,
    copied           INTEGER,
    usn              INTEGER,
    lsn              INTEGER,
    security_id      INTEGER,
    reparse_target   TEXT
);
CREATE INDEX mft_entry ON mft(volume_id, entry, seq);
CREATE INDEX mft_parent ON mft(volume_id, parent_entry);
CREATE INDEX mft_path ON mft(full_path);
CREATE INDEX mft_name ON mft(name);
CREATE INDEX mft_si_created ON mft(si_created);

CREATE TABLE usn (
    id           INTEGER PRIMARY KEY,
    source_id    INTEGER REFERENCES sources(id),
    volume_id    INTEGER REFERENCES volumes(id),
    usn          INTEGER,
    time         TEXT,
    entry        INTEGER,
    seq          INTEGER,
    parent_entry INTEGER,
    parent_seq   INTEGER,
    name         TEXT,
    extension    TEXT,
    full_path    TEXT,
    reasons      INTEGER NOT NULL DEFAULT 0,
    reasons_text TEXT,
    attributes   INTEGER,
    source_info  INTEGER,
    security_id  INTEGER,
    version      INTEGER,
    carved       INTEGER NOT NULL DEFAULT 0,
    offset       INTEGER
);
CREATE INDEX usn_time ON usn(time);
CREATE INDEX usn_entry ON usn(volume_id, entry, seq);
CREATE INDEX usn_parent ON usn(volume_id, parent_entry);
CREATE INDEX usn_name ON usn(name);
CREATE INDEX usn_path ON usn(full_path);

CREATE TABLE logfile_events (
    id           INTEGER PRIMARY KEY,
    source_id    INTEGER REFERENCES sources(id),
    volume_id    INTEGER REFERENCES volumes(id),
    lsn          INTEGER,
    time         TEXT,
    event        TEXT,
    entry        INTEGER,
    seq          INTEGER,
    parent_entry INTEGER,
    parent_seq   INTEGER,
    name         TEXT,
    full_path    TEXT,
    redo_op      TEXT,
    undo_op      TEXT,
    detail       TEXT,
    offset       INTEGER
);
CREATE INDEX logfile_time ON logfile_events(time);
CREATE INDEX logfile_entry ON logfile_events(volume_id, entry);

CREATE TABLE registry_values (
    id          INTEGER PRIMARY KEY,
    source_id   INTEGER REFERENCES sources(id),
    hive_path   TEXT,
    hive_type   TEXT,
    key_path    TEXT,
    value_name  TEXT,
    value_type  TEXT,
    value_data  TEXT,
    value_data2 TEXT,
    value_data3 TEXT,
    last_write  TEXT,
    deleted     INTEGER NOT NULL DEFAULT 0,
    category    TEXT,
    description TEXT,
    comment     TEXT
);
CREATE INDEX registry_key ON registry_values(key_path);
CREATE INDEX registry_last_write ON registry_values(last_write);

CREATE TABLE userassist (
    id             INTEGER PRIMARY KEY,
    source_id      INTEGER REFERENCES sources(id),
    hive_path      TEXT,
    user           TEXT,
    guid           TEXT,
    value_name     TEXT,
    name           TEXT,
    resolved_path  TEXT,
    run_count      INTEGER,
    focus_count    INTEGER,
    focus_time_ms  INTEGER,
    last_run       TEXT,
    key_last_write TEXT
);
CREATE INDEX userassist_last_run ON userassist(last_run);

CREATE TABLE bam (
    id             INTEGER PRIMARY KEY,
    source_id      INTEGER REFERENCES sources(id),
    key_path       TEXT,
    sid            TEXT,
    user           TEXT,
    path           TEXT,
    resolved_path  TEXT,
    last_run       TEXT,
    key_last_write TEXT
);
CREATE INDEX bam_last_run ON bam(last_run);

CREATE TABLE shimcache (
    id            INTEGER PRIMARY KEY,
    source_id     INTEGER REFERENCES sources(id),
    control_set   INTEGER,
    position      INTEGER,
    path          TEXT,
    last_modified TEXT,
    executed      INTEGER,
    duplicate     INTEGER
);
CREATE INDEX shimcache_path ON shimcache(path);

CREATE TABLE amcache (
    id              INTEGER PRIMARY KEY,
    source_id       INTEGER REFERENCES sources(id),
    key_path        TEXT,
    name            TEXT,
    path            TEXT,
    sha1            TEXT,
    size            INTEGER,
    link_date       TEXT,
    publisher       TEXT,
    product_name    TEXT,
    version         TEXT,
    program_id      TEXT,
    binary_type     TEXT,
    is_os_component INTEGER,
    key_last_write  TEXT
);
CREATE INDEX amcache_key_last_write ON amcache(key_last_write);

CREATE TABLE autoruns (
    id             INTEGER PRIMARY KEY,
    source_id      INTEGER REFERENCES sources(id),
    hive_path      TEXT,
    user           TEXT,
    key_path       TEXT,
    value_name     TEXT,
    command        TEXT,
    category       TEXT,
    key_last_write TEXT
);

CREATE TABLE services (
    id             INTEGER PRIMARY KEY,
    source_id      INTEGER REFERENCES sources(id),
    control_set    INTEGER,
    name           TEXT,
    display_name   TEXT,
    image_path     TEXT,
    service_dll    TEXT,
    service_type   INTEGER,
    start_type     INTEGER,
    start_label    TEXT,
    account        TEXT,
    key_last_write TEXT
);

CREATE TABLE tasks (
    id             INTEGER PRIMARY KEY,
    source_id      INTEGER REFERENCES sources(id),
    origin         TEXT,
    name           TEXT,
    path           TEXT,
    task_guid      TEXT,
    command        TEXT,
    arguments      TEXT,
    author         TEXT,
    description    TEXT,
    triggers       TEXT,
    registered     TEXT,
    last_run       TEXT,
    key_last_write TEXT,
    hidden         INTEGER
);

CREATE TABLE defender_settings (
    id             INTEGER PRIMARY KEY,
    source_id      INTEGER REFERENCES sources(id),
    key_path       TEXT,
    value_name     TEXT,
    value_data     TEXT,
    value_int      INTEGER,
    is_policy      INTEGER,
    key_last_write TEXT
);

CREATE TABLE user_profiles (
    id             INTEGER PRIMARY KEY,
    source_id      INTEGER REFERENCES sources(id),
    sid            TEXT,
    user           TEXT,
    profile_path   TEXT,
    key_last_write TEXT
);

CREATE TABLE prefetch (
    id              INTEGER PRIMARY KEY,
    source_id       INTEGER REFERENCES sources(id),
    pf_name         TEXT,
    exe             TEXT,
    hash            TEXT,
    version         INTEGER,
    size            INTEGER,
    run_count       INTEGER,
    last_run        TEXT,
    run_times       TEXT,
    volumes         TEXT,
    files           TEXT,
    directories     TEXT,
    source_created  TEXT,
    source_modified TEXT
);
CREATE INDEX prefetch_exe ON prefetch(exe);
CREATE INDEX prefetch_last_run ON prefetch(last_run);

CREATE TABLE evtx (
    id              INTEGER PRIMARY KEY,
    source_id       INTEGER REFERENCES sources(id),
    channel         TEXT,
    provider        TEXT,
    event_id        INTEGER,
    record_id       INTEGER,
    time            TEXT,
    level           INTEGER,
    computer        TEXT,
    user_sid        TEXT,
    process_id      INTEGER,
    thread_id       INTEGER,
    user_name       TEXT,
    remote_host     TEXT,
    executable_info TEXT,
    payload_data1   TEXT,
    payload_data2   TEXT,
    payload_data3   TEXT,
    payload_data4   TEXT,
    payload_data5   TEXT,
    payload_data6   TEXT,
    map_description TEXT,
    payload         TEXT,
    recovered       INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX evtx_time ON evtx(time);
CREATE INDEX evtx_event ON evtx(event_id, provider);

CREATE TABLE browser_visits (
    id             INTEGER PRIMARY KEY,
    source_id      INTEGER REFERENCES sources(id),
    browser        TEXT,
    profile        TEXT,
    user           TEXT,
    visit_id       INTEGER,
    url            TEXT,
    title          TEXT,
    time           TEXT,
    visit_count    INTEGER,
    typed_count    INTEGER,
    transition     INTEGER,
    transition_text TEXT,
    from_visit     INTEGER,
    duration_us    INTEGER
);
CREATE INDEX browser_visits_time ON browser_visits(time);

CREATE TABLE browser_downloads (
    id               INTEGER PRIMARY KEY,
    source_id        INTEGER REFERENCES sources(id),
    browser          TEXT,
    profile          TEXT,
    user             TEXT,
    download_id      INTEGER,
    url              TEXT,
    url_chain        TEXT,
    referrer         TEXT,
    tab_url          TEXT,
    tab_referrer_url TEXT,
    target_path      TEXT,
    current_path     TEXT,
    start_time       TEXT,
    end_time         TEXT,
    received_bytes   INTEGER,
    total_bytes      INTEGER,
    state            INTEGER,
    state_text       TEXT,
    danger_type      INTEGER,
    danger_text      TEXT,
    interrupt_reason INTEGER,
    interrupt_text   TEXT,
    opened           INTEGER,
    mime_type        TEXT,
    last_access_time TEXT
);
CREATE INDEX browser_downloads_start ON browser_downloads(start_time);

CREATE TABLE browser_searches (
    id        INTEGER PRIMARY KEY,
    source_id INTEGER REFERENCES sources(id),
    browser   TEXT,
    profile   TEXT,
    user      TEXT,
    term      TEXT,
    url       TEXT,
    time      TEXT
);

CREATE TABLE zone_identifiers (
    id           INTEGER PRIMARY KEY,
    source_id    INTEGER REFERENCES sources(id),
    volume_id    INTEGER REFERENCES volumes(id),
    file_path    TEXT,
    entry        INTEGER,
    seq          INTEGER,
    zone_id      INTEGER,
    host_url     TEXT,
    referrer_url TEXT,
    raw          TEXT,
    file_created TEXT
);
CREATE INDEX zone_identifiers_path ON zone_identifiers(file_path);

CREATE TABLE lnk (
    id              INTEGER PRIMARY KEY,
    source_id       INTEGER REFERENCES sources(id),
    user            TEXT,
    lnk_path        TEXT,
    target_path     TEXT,
    arguments       TEXT,
    working_dir     TEXT,
    target_created  TEXT,
    target_modified TEXT,
    target_accessed TEXT,
    target_size     INTEGER,
    drive_type      INTEGER,
    volume_serial   TEXT,
    volume_label    TEXT,
    machine_id      TEXT,
    mac_address     TEXT,
    source_created  TEXT,
    source_modified TEXT
);

CREATE TABLE jumplists (
    id              INTEGER PRIMARY KEY,
    source_id       INTEGER REFERENCES sources(id),
    user            TEXT,
    jumplist_path   TEXT,
    app_id          TEXT,
    entry_number    INTEGER,
    target_path     TEXT,
    arguments       TEXT,
    last_access     TEXT,
    access_count    INTEGER,
    pinned          INTEGER,
    hostname        TEXT,
    target_created  TEXT,
    target_modified TEXT
);

CREATE TABLE recycle_bin (
    id            INTEGER PRIMARY KEY,
    source_id     INTEGER REFERENCES sources(id),
    i_file_path   TEXT,
    sid           TEXT,
    user          TEXT,
    original_path TEXT,
    deleted_time  TEXT,
    size          INTEGER,
    version       INTEGER,
    r_file_present INTEGER
);

-- Small contents of files the detectors care about (ransom notes, a sample of
-- the encrypted files): entropy of the first bytes and a text preview.
CREATE TABLE file_samples (
    id        INTEGER PRIMARY KEY,
    volume_id INTEGER REFERENCES volumes(id),
    path      TEXT,
    entry     INTEGER,
    seq       INTEGER,
    size      INTEGER,
    sampled   INTEGER,
    entropy   REAL,
    text      TEXT,
    sha256    TEXT
);
CREATE INDEX file_samples_path ON file_samples(path);

CREATE TABLE timeline (
    id             INTEGER PRIMARY KEY,
    ts             INTEGER,
    time           TEXT NOT NULL,
    source         TEXT NOT NULL,
    artifact       TEXT,
    timestamp_desc TEXT,
    macb           TEXT,
    path           TEXT,
    user           TEXT,
    host           TEXT,
    message        TEXT,
    extra          TEXT,
    src_table      TEXT,
    src_id         INTEGER
);
CREATE INDEX timeline_ts ON timeline(ts);
CREATE INDEX timeline_source ON timeline(source, artifact);
CREATE INDEX timeline_path ON timeline(path);
CREATE INDEX timeline_src ON timeline(src_table, src_id);

CREATE TABLE findings (
    id         INTEGER PRIMARY KEY,
    detector   TEXT NOT NULL,
    category   TEXT NOT NULL,
    title      TEXT NOT NULL,
    confidence REAL,
    severity   TEXT,
    time       TEXT,
    summary    TEXT,
    evidence   TEXT
);
CREATE INDEX findings_category ON findings(category);
