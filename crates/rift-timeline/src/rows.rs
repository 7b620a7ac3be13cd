//! One plain struct per table: what the pipeline inserts.
//!
//! These structs are deliberately neutral (no parser types): `rift-target`
//! maps each parser's records to them. Field names are the column names;
//! [`Row::COLUMNS`] lists them in order and a test checks them against the
//! migrations. Times are [`DbTime`]; booleans are `bool`; lists/objects are
//! JSON text (see [`crate::json_text`]). See `SCHEMA.md` for every column.

use rusqlite::Statement;

use crate::time::DbTime;

/// A row type that can be batch-inserted into its table.
pub trait Row {
    /// The table name.
    const TABLE: &'static str;
    /// Column names in bind order (every column but `id`).
    const COLUMNS: &'static [&'static str];
    /// Binds the fields as parameters 1..=N of an `INSERT` statement.
    fn bind(&self, st: &mut Statement<'_>) -> rusqlite::Result<()>;
}

macro_rules! rows {
    ($(
        $(#[$sm:meta])*
        $name:ident => $table:literal {
            $( $(#[$fm:meta])* $field:ident : $ty:ty ),* $(,)?
        }
    )*) => {$(
        $(#[$sm])*
        #[derive(Debug, Clone, Default, PartialEq)]
        pub struct $name {
            $( $(#[$fm])* pub $field: $ty, )*
        }

        impl Row for $name {
            const TABLE: &'static str = $table;
            const COLUMNS: &'static [&'static str] = &[$(stringify!($field)),*];
            fn bind(&self, st: &mut Statement<'_>) -> rusqlite::Result<()> {
                let mut i = 0usize;
                $(
                    i += 1;
                    st.raw_bind_parameter(i, &self.$field)?;
                )*
                let _ = i;
                Ok(())
            }
        }
    )*};
}

rows! {
    /// A volume (partition with a file system) of the image.
    VolumeRow => "volumes" {
        /// Partition index in the table (0-based), NULL for a bare volume.
        partition_index: Option<i64>,
        /// Byte offset of the volume in the media.
        offset: Option<i64>,
        /// Size in bytes.
        size: Option<i64>,
        /// `NTFS`, `FAT32`, …
        fs_type: Option<String>,
        /// Volume label.
        label: Option<String>,
        /// Volume serial number, hex.
        serial: Option<String>,
        /// Cluster size in bytes.
        cluster_size: Option<i64>,
        /// Drive letter if known (`C:`).
        drive_letter: Option<String>,
        /// Free text (partition type, …).
        description: Option<String>,
    }

    /// One artifact file that was parsed (or one logical source, e.g. a hive).
    SourceRow => "sources" {
        /// Artifact kind: `mft`, `usn`, `logfile`, `registry`, `evtx`,
        /// `prefetch`, `browser`, `lnk`, `jumplist`, `recycle_bin`,
        /// `zone_identifier`, `task_xml`, …
        kind: String,
        /// Volume it was read from.
        volume_id: Option<i64>,
        /// Path inside the image (`C:\Windows\Prefetch\X.pf`).
        path: Option<String>,
        /// MFT entry of the file.
        mft_entry: Option<i64>,
        /// MFT sequence number of the file.
        mft_seq: Option<i64>,
        /// Size in bytes.
        size: Option<i64>,
        /// SHA-256 (hex) of the bytes parsed.
        sha256: Option<String>,
        /// Parser name and version (`rift-usn 0.1`).
        parser: Option<String>,
        /// Records emitted.
        records: Option<i64>,
        /// Records that failed to parse (see `parse_errors`).
        errors: Option<i64>,
        /// Free text (e.g. "dirty hive, 2 logs replayed").
        note: Option<String>,
    }

    /// A record the parser could not read.
    ParseErrorRow => "parse_errors" {
        /// The source file.
        source_id: Option<i64>,
        /// Byte offset in the source.
        offset: Option<i64>,
        /// What went wrong.
        message: String,
    }

    /// One `$MFT` file name (a record with two names gives two rows; an ADS
    /// gives a row with `is_ads`). Deleted records have `in_use = false`.
    MftRow => "mft" {
        /// Source (`$MFT` file).
        source_id: Option<i64>,
        /// Volume.
        volume_id: Option<i64>,
        /// MFT entry number.
        entry: i64,
        /// Sequence number.
        seq: Option<i64>,
        /// Record in use (false = deleted).
        in_use: Option<bool>,
        /// Directory.
        is_dir: Option<bool>,
        /// Parent directory entry.
        parent_entry: Option<i64>,
        /// Parent directory sequence number.
        parent_seq: Option<i64>,
        /// File name (from this `$FILE_NAME`).
        name: Option<String>,
        /// Name namespace (0 POSIX, 1 Win32, 2 DOS, 3 Win32+DOS).
        name_type: Option<i64>,
        /// Full path (`C:\Users\u\a.docx`; `?\` prefix when the parent chain is broken).
        full_path: Option<String>,
        /// Extension with the dot, lowercase (`.docx`).
        extension: Option<String>,
        /// Logical size of the unnamed `$DATA` (or of the ADS for ADS rows).
        size: Option<i64>,
        /// Allocated size.
        alloc_size: Option<i64>,
        /// Hard link count.
        reference_count: Option<i64>,
        /// `$STANDARD_INFORMATION` created.
        si_created: Option<DbTime>,
        /// `$SI` content modified.
        si_modified: Option<DbTime>,
        /// `$SI` record changed.
        si_mft_modified: Option<DbTime>,
        /// `$SI` accessed.
        si_accessed: Option<DbTime>,
        /// `$FILE_NAME` created.
        fn_created: Option<DbTime>,
        /// `$FN` modified.
        fn_modified: Option<DbTime>,
        /// `$FN` record changed.
        fn_mft_modified: Option<DbTime>,
        /// `$FN` accessed.
        fn_accessed: Option<DbTime>,
        /// `$SI` file attribute flags (raw).
        si_flags: Option<i64>,
        /// Has alternate data streams.
        has_ads: Option<bool>,
        /// This row is an alternate data stream.
        is_ads: Option<bool>,
        /// ADS name (for `is_ads` rows).
        ads_name: Option<String>,
        /// Text of a resident `Zone.Identifier` stream.
        zone_id_contents: Option<String>,
        /// `$SI` created/modified have zero sub-second parts.
        usec_zeros: Option<bool>,
        /// `$SI` created earlier than `$FN` created.
        si_lt_fn: Option<bool>,
        /// Modified earlier than created (copied file).
        copied: Option<bool>,
        /// `$SI` update sequence number.
        usn: Option<i64>,
        /// Record `$LogFile` sequence number.
        lsn: Option<i64>,
        /// `$SI` security id.
        security_id: Option<i64>,
        /// Reparse point target.
        reparse_target: Option<String>,
    }

    /// One `$UsnJrnl:$J` record.
    UsnRow => "usn" {
        /// Source (`$J` stream or carving run).
        source_id: Option<i64>,
        /// Volume.
        volume_id: Option<i64>,
        /// Update sequence number (= offset in `$J`).
        usn: Option<i64>,
        /// Record time.
        time: Option<DbTime>,
        /// File MFT entry.
        entry: Option<i64>,
        /// File sequence number.
        seq: Option<i64>,
        /// Parent entry.
        parent_entry: Option<i64>,
        /// Parent sequence number.
        parent_seq: Option<i64>,
        /// File name.
        name: Option<String>,
        /// Extension with the dot, lowercase.
        extension: Option<String>,
        /// Full path resolved at the time of the record (journal history + `$MFT`).
        full_path: Option<String>,
        /// Reason flags (raw `USN_REASON_*`).
        reasons: i64,
        /// Reason names joined by `|` (`FileCreate|Close`).
        reasons_text: Option<String>,
        /// File attributes (raw).
        attributes: Option<i64>,
        /// Source info flags (raw).
        source_info: Option<i64>,
        /// Security id.
        security_id: Option<i64>,
        /// Record major version (2, 3, 4).
        version: Option<i64>,
        /// Carved from unallocated space / slack.
        carved: bool,
        /// Byte offset of the record in its source.
        offset: Option<i64>,
    }

    /// A file event summarised from `$LogFile` records.
    LogfileEventRow => "logfile_events" {
        /// Source.
        source_id: Option<i64>,
        /// Volume.
        volume_id: Option<i64>,
        /// Log sequence number.
        lsn: Option<i64>,
        /// Time (from the attribute values the record carries), if any.
        time: Option<DbTime>,
        /// `create`, `delete`, `rename`, `write`, `attribute`, …
        event: Option<String>,
        /// MFT entry.
        entry: Option<i64>,
        /// Sequence number.
        seq: Option<i64>,
        /// Parent entry.
        parent_entry: Option<i64>,
        /// Parent sequence number.
        parent_seq: Option<i64>,
        /// File name.
        name: Option<String>,
        /// Full path.
        full_path: Option<String>,
        /// Redo operation name.
        redo_op: Option<String>,
        /// Undo operation name.
        undo_op: Option<String>,
        /// Free text.
        detail: Option<String>,
        /// Byte offset of the record in `$LogFile`.
        offset: Option<i64>,
    }

    /// One registry value from a batch run (RECmd batch CSV layout).
    RegistryValueRow => "registry_values" {
        /// Source (hive).
        source_id: Option<i64>,
        /// Hive path in the image.
        hive_path: Option<String>,
        /// `NTUSER`, `SYSTEM`, `SOFTWARE`, …
        hive_type: Option<String>,
        /// Key path (from the hive root).
        key_path: Option<String>,
        /// Value name.
        value_name: Option<String>,
        /// `RegSz`, `RegDword`, …
        value_type: Option<String>,
        /// Value data as text.
        value_data: Option<String>,
        /// Plugin/conversion output 2.
        value_data2: Option<String>,
        /// Plugin/conversion output 3.
        value_data3: Option<String>,
        /// Key last write time.
        last_write: Option<DbTime>,
        /// Recovered deleted key/value.
        deleted: bool,
        /// Batch category.
        category: Option<String>,
        /// Batch description.
        description: Option<String>,
        /// Batch comment.
        comment: Option<String>,
    }

    /// One registry key: every key of a hive after log replay, plus deleted
    /// keys recovered from free cells (`deleted = 1`).
    RegistryKeyRow => "registry_keys" {
        /// Source (hive).
        source_id: Option<i64>,
        /// Hive path in the image.
        hive_path: Option<String>,
        /// `NTUSER`, `SYSTEM`, `SOFTWARE`, …
        hive_type: Option<String>,
        /// Owner of a user hive (profile folder name).
        user: Option<String>,
        /// Key path from the hive root (`""` for the root key; deleted
        /// keys whose parent chain is broken start with `<unknown>`).
        key_path: Option<String>,
        /// The key as an analyst writes it: `HKLM\SYSTEM\…`,
        /// `HKU\<user>\…`, `HKU\<user>_Classes\…`, else the hive file
        /// name then the key path.
        display_path: Option<String>,
        /// Path of the parent key (NULL for the root).
        parent_path: Option<String>,
        /// Key name.
        name: Option<String>,
        /// Key last write time.
        last_write: Option<DbTime>,
        /// Subkeys the key lists.
        subkey_count: Option<i64>,
        /// Values the key lists.
        value_count: Option<i64>,
        /// Class name, when the key has one.
        class_name: Option<String>,
        /// Recovered from a free (or unreferenced) cell.
        deleted: bool,
        /// Hive-bins offset of the `nk` cell.
        offset: Option<i64>,
    }

    /// UserAssist entry (NTUSER).
    UserAssistRow => "userassist" {
        /// Source.
        source_id: Option<i64>,
        /// Hive path.
        hive_path: Option<String>,
        /// User (profile folder name).
        user: Option<String>,
        /// UserAssist GUID.
        guid: Option<String>,
        /// Raw (ROT13) value name.
        value_name: Option<String>,
        /// Decoded name.
        name: Option<String>,
        /// Name with the KnownFolder GUID resolved to a path.
        resolved_path: Option<String>,
        /// Run count.
        run_count: Option<i64>,
        /// Focus count.
        focus_count: Option<i64>,
        /// Focus time in ms.
        focus_time_ms: Option<i64>,
        /// Last run.
        last_run: Option<DbTime>,
        /// Key last write.
        key_last_write: Option<DbTime>,
    }

    /// BAM/DAM entry (SYSTEM).
    BamRow => "bam" {
        /// Source.
        source_id: Option<i64>,
        /// Key path.
        key_path: Option<String>,
        /// User SID.
        sid: Option<String>,
        /// User name (from ProfileList) when known.
        user: Option<String>,
        /// Value name (NT device path or package name).
        path: Option<String>,
        /// Path with the device mapped to a drive letter, when possible.
        resolved_path: Option<String>,
        /// Last execution.
        last_run: Option<DbTime>,
        /// Key last write.
        key_last_write: Option<DbTime>,
    }

    /// AppCompatCache entry.
    ShimcacheRow => "shimcache" {
        /// Source.
        source_id: Option<i64>,
        /// ControlSet number.
        control_set: Option<i64>,
        /// Position in the cache (0 = most recent).
        position: Option<i64>,
        /// Path.
        path: Option<String>,
        /// File's `$SI` modified time recorded in the cache.
        last_modified: Option<DbTime>,
        /// Executed flag (older Windows only), NULL when unknown.
        executed: Option<bool>,
        /// Duplicate of an earlier entry.
        duplicate: Option<bool>,
    }

    /// Amcache InventoryApplicationFile (or older File) entry.
    AmcacheRow => "amcache" {
        /// Source.
        source_id: Option<i64>,
        /// Key path.
        key_path: Option<String>,
        /// File name.
        name: Option<String>,
        /// Full path (LowerCaseLongPath).
        path: Option<String>,
        /// SHA-1 (hex, without the `0000` prefix).
        sha1: Option<String>,
        /// File size.
        size: Option<i64>,
        /// PE link date (text as stored).
        link_date: Option<String>,
        /// Publisher.
        publisher: Option<String>,
        /// Product name.
        product_name: Option<String>,
        /// Version.
        version: Option<String>,
        /// ProgramId.
        program_id: Option<String>,
        /// BinaryType.
        binary_type: Option<String>,
        /// IsOsComponent.
        is_os_component: Option<bool>,
        /// Key last write (≈ when the entry was recorded).
        key_last_write: Option<DbTime>,
    }

    /// Run / RunOnce / Winlogon … autostart value.
    AutorunRow => "autoruns" {
        /// Source.
        source_id: Option<i64>,
        /// Hive path.
        hive_path: Option<String>,
        /// User (NTUSER hives).
        user: Option<String>,
        /// Key path.
        key_path: Option<String>,
        /// Value name.
        value_name: Option<String>,
        /// Command line.
        command: Option<String>,
        /// `Run`, `RunOnce`, `Winlogon`, …
        category: Option<String>,
        /// Key last write.
        key_last_write: Option<DbTime>,
    }

    /// A service (SYSTEM `Services`).
    ServiceRow => "services" {
        /// Source.
        source_id: Option<i64>,
        /// ControlSet number.
        control_set: Option<i64>,
        /// Service key name.
        name: Option<String>,
        /// DisplayName.
        display_name: Option<String>,
        /// ImagePath.
        image_path: Option<String>,
        /// Parameters\ServiceDll.
        service_dll: Option<String>,
        /// Type (raw).
        service_type: Option<i64>,
        /// Start (raw: 0 boot, 1 system, 2 auto, 3 demand, 4 disabled).
        start_type: Option<i64>,
        /// Start as text.
        start_label: Option<String>,
        /// ObjectName (account).
        account: Option<String>,
        /// Key last write.
        key_last_write: Option<DbTime>,
    }

    /// A scheduled task (TaskCache and/or the task XML file).
    TaskRow => "tasks" {
        /// Source.
        source_id: Option<i64>,
        /// `taskcache`, `xml` or `both`.
        origin: Option<String>,
        /// Task name.
        name: Option<String>,
        /// Task path (`\Microsoft\Windows\X`).
        path: Option<String>,
        /// TaskCache GUID.
        task_guid: Option<String>,
        /// Exec action command.
        command: Option<String>,
        /// Exec action arguments.
        arguments: Option<String>,
        /// Author.
        author: Option<String>,
        /// Description.
        description: Option<String>,
        /// Triggers (JSON or text).
        triggers: Option<String>,
        /// Registration time (XML `RegistrationInfo/Date` or DynamicInfo).
        registered: Option<DbTime>,
        /// Last launch (DynamicInfo).
        last_run: Option<DbTime>,
        /// TaskCache key last write.
        key_last_write: Option<DbTime>,
        /// Hidden (no `SD` value, or XML Hidden=true).
        hidden: Option<bool>,
    }

    /// A Windows Defender setting or policy value.
    DefenderSettingRow => "defender_settings" {
        /// Source.
        source_id: Option<i64>,
        /// Key path.
        key_path: Option<String>,
        /// Value name (for exclusions: the excluded path/extension/process).
        value_name: Option<String>,
        /// Value data as text.
        value_data: Option<String>,
        /// Value data as integer (DWORD/QWORD).
        value_int: Option<i64>,
        /// Under `Policies\Microsoft\Windows Defender`.
        is_policy: Option<bool>,
        /// Key last write.
        key_last_write: Option<DbTime>,
    }

    /// One Windows Defender DetectionHistory file (one detection).
    DefenderDetectionRow => "defender_detections" {
        /// Source (the DetectionHistory file).
        source_id: Option<i64>,
        /// Detection GUID.
        detection_id: Option<String>,
        /// Threat name (`Trojan:Win32/…`).
        threat_name: Option<String>,
        /// First time in the file (the detection).
        time: Option<DbTime>,
        /// Every time in the file, in order (JSON list).
        times: Option<String>,
        /// The first `file` / `containerfile` resource.
        file_path: Option<String>,
        /// Download URL of a `webfile` resource.
        web_url: Option<String>,
        /// Every resource (JSON list of `{kind, path}`).
        resources: Option<String>,
        /// Accounts named (JSON list).
        accounts: Option<String>,
    }

    /// A user profile (ProfileList / SAM).
    UserProfileRow => "user_profiles" {
        /// Source.
        source_id: Option<i64>,
        /// SID.
        sid: Option<String>,
        /// User name.
        user: Option<String>,
        /// Profile path.
        profile_path: Option<String>,
        /// Key last write.
        key_last_write: Option<DbTime>,
    }

    /// A prefetch file.
    PrefetchRow => "prefetch" {
        /// Source (the `.pf`).
        source_id: Option<i64>,
        /// `.pf` file name.
        pf_name: Option<String>,
        /// Executable name as stored (`SVCHOST.EXE`).
        exe: Option<String>,
        /// Prefetch hash, hex (`D15FBF35`).
        hash: Option<String>,
        /// Format version (17, 23, 26, 30, 31).
        version: Option<i64>,
        /// File size.
        size: Option<i64>,
        /// Run count.
        run_count: Option<i64>,
        /// Last run.
        last_run: Option<DbTime>,
        /// All run times, JSON array of database times (newest first).
        run_times: Option<String>,
        /// Volumes, JSON array of objects `{device, serial, created}`.
        volumes: Option<String>,
        /// Referenced files, JSON array of strings.
        files: Option<String>,
        /// Referenced directories, JSON array of strings.
        directories: Option<String>,
        /// `.pf` file `$SI` created.
        source_created: Option<DbTime>,
        /// `.pf` file `$SI` modified.
        source_modified: Option<DbTime>,
    }

    /// An event log record (EvtxECmd layout).
    EvtxRow => "evtx" {
        /// Source (`.evtx` file).
        source_id: Option<i64>,
        /// Channel.
        channel: Option<String>,
        /// Provider.
        provider: Option<String>,
        /// Event id.
        event_id: Option<i64>,
        /// EventRecordID.
        record_id: Option<i64>,
        /// TimeCreated.
        time: Option<DbTime>,
        /// Level (raw).
        level: Option<i64>,
        /// Computer.
        computer: Option<String>,
        /// Security UserID SID.
        user_sid: Option<String>,
        /// Execution ProcessID.
        process_id: Option<i64>,
        /// Execution ThreadID.
        thread_id: Option<i64>,
        /// Map output UserName.
        user_name: Option<String>,
        /// Map output RemoteHost.
        remote_host: Option<String>,
        /// Map output ExecutableInfo.
        executable_info: Option<String>,
        /// Map output PayloadData1.
        payload_data1: Option<String>,
        /// Map output PayloadData2.
        payload_data2: Option<String>,
        /// Map output PayloadData3.
        payload_data3: Option<String>,
        /// Map output PayloadData4.
        payload_data4: Option<String>,
        /// Map output PayloadData5.
        payload_data5: Option<String>,
        /// Map output PayloadData6.
        payload_data6: Option<String>,
        /// Map description.
        map_description: Option<String>,
        /// Whole EventData/UserData as JSON.
        payload: Option<String>,
        /// Recovered from slack / outside the chunk's live records.
        recovered: bool,
    }

    /// A browser history visit.
    BrowserVisitRow => "browser_visits" {
        /// Source (History / places.sqlite).
        source_id: Option<i64>,
        /// `chrome`, `edge`, `firefox`, …
        browser: Option<String>,
        /// Profile folder.
        profile: Option<String>,
        /// User.
        user: Option<String>,
        /// Visit id in the browser database.
        visit_id: Option<i64>,
        /// URL.
        url: Option<String>,
        /// Page title.
        title: Option<String>,
        /// Visit time.
        time: Option<DbTime>,
        /// URL visit count.
        visit_count: Option<i64>,
        /// URL typed count.
        typed_count: Option<i64>,
        /// Transition (raw).
        transition: Option<i64>,
        /// Transition as text.
        transition_text: Option<String>,
        /// Referring visit id.
        from_visit: Option<i64>,
        /// Visit duration in µs.
        duration_us: Option<i64>,
    }

    /// A browser download.
    BrowserDownloadRow => "browser_downloads" {
        /// Source.
        source_id: Option<i64>,
        /// Browser.
        browser: Option<String>,
        /// Profile.
        profile: Option<String>,
        /// User.
        user: Option<String>,
        /// Download id in the browser database.
        download_id: Option<i64>,
        /// Final URL (last hop of the chain: where the bytes came from).
        url: Option<String>,
        /// Whole URL chain, JSON array (first request … final URL).
        url_chain: Option<String>,
        /// Referrer.
        referrer: Option<String>,
        /// Tab URL.
        tab_url: Option<String>,
        /// Tab referrer URL.
        tab_referrer_url: Option<String>,
        /// Target path.
        target_path: Option<String>,
        /// Current path.
        current_path: Option<String>,
        /// Start time.
        start_time: Option<DbTime>,
        /// End time.
        end_time: Option<DbTime>,
        /// Bytes received.
        received_bytes: Option<i64>,
        /// Total bytes.
        total_bytes: Option<i64>,
        /// State (raw).
        state: Option<i64>,
        /// State as text.
        state_text: Option<String>,
        /// Danger type (raw).
        danger_type: Option<i64>,
        /// Danger type as text.
        danger_text: Option<String>,
        /// Interrupt reason (raw).
        interrupt_reason: Option<i64>,
        /// Interrupt reason as text.
        interrupt_text: Option<String>,
        /// Opened by the user from the browser.
        opened: Option<bool>,
        /// MIME type.
        mime_type: Option<String>,
        /// Last access time.
        last_access_time: Option<DbTime>,
    }

    /// A browser search term.
    BrowserSearchRow => "browser_searches" {
        /// Source.
        source_id: Option<i64>,
        /// Browser.
        browser: Option<String>,
        /// Profile.
        profile: Option<String>,
        /// User.
        user: Option<String>,
        /// Search term.
        term: Option<String>,
        /// Result page URL.
        url: Option<String>,
        /// Time (of the visit to that URL).
        time: Option<DbTime>,
    }

    /// A `Zone.Identifier` alternate data stream.
    ZoneIdentifierRow => "zone_identifiers" {
        /// Source.
        source_id: Option<i64>,
        /// Volume.
        volume_id: Option<i64>,
        /// Path of the file carrying the stream.
        file_path: Option<String>,
        /// MFT entry.
        entry: Option<i64>,
        /// Sequence number.
        seq: Option<i64>,
        /// ZoneId.
        zone_id: Option<i64>,
        /// HostUrl.
        host_url: Option<String>,
        /// ReferrerUrl.
        referrer_url: Option<String>,
        /// Stream text.
        raw: Option<String>,
        /// The file's `$SI` created.
        file_created: Option<DbTime>,
    }

    /// A shell link file.
    LnkRow => "lnk" {
        /// Source.
        source_id: Option<i64>,
        /// User (profile the link is in).
        user: Option<String>,
        /// Link file path.
        lnk_path: Option<String>,
        /// Target path.
        target_path: Option<String>,
        /// Arguments.
        arguments: Option<String>,
        /// Working directory.
        working_dir: Option<String>,
        /// Target created (header).
        target_created: Option<DbTime>,
        /// Target modified.
        target_modified: Option<DbTime>,
        /// Target accessed.
        target_accessed: Option<DbTime>,
        /// Target size.
        target_size: Option<i64>,
        /// Drive type (raw).
        drive_type: Option<i64>,
        /// Volume serial, hex.
        volume_serial: Option<String>,
        /// Volume label.
        volume_label: Option<String>,
        /// Tracker machine id.
        machine_id: Option<String>,
        /// Tracker MAC address.
        mac_address: Option<String>,
        /// Link file created.
        source_created: Option<DbTime>,
        /// Link file modified.
        source_modified: Option<DbTime>,
    }

    /// A jump list entry.
    JumplistRow => "jumplists" {
        /// Source.
        source_id: Option<i64>,
        /// User.
        user: Option<String>,
        /// Jump list file path.
        jumplist_path: Option<String>,
        /// AppID.
        app_id: Option<String>,
        /// DestList entry number.
        entry_number: Option<i64>,
        /// Target path.
        target_path: Option<String>,
        /// Arguments.
        arguments: Option<String>,
        /// Last access (DestList).
        last_access: Option<DbTime>,
        /// Access count.
        access_count: Option<i64>,
        /// Pinned.
        pinned: Option<bool>,
        /// Host name (DestList NetBIOS name).
        hostname: Option<String>,
        /// Target created (LNK header).
        target_created: Option<DbTime>,
        /// Target modified (LNK header).
        target_modified: Option<DbTime>,
    }

    /// A Recycle Bin `$I` / INFO2 record.
    RecycleBinRow => "recycle_bin" {
        /// Source.
        source_id: Option<i64>,
        /// `$I` file path.
        i_file_path: Option<String>,
        /// Owner SID (folder name).
        sid: Option<String>,
        /// User.
        user: Option<String>,
        /// Original path.
        original_path: Option<String>,
        /// Deletion time.
        deleted_time: Option<DbTime>,
        /// Original size.
        size: Option<i64>,
        /// `$I` version (1, 2) or 0 for INFO2.
        version: Option<i64>,
        /// Matching `$R` file present.
        r_file_present: Option<bool>,
    }

    /// The first bytes of a file of interest (see `rift_triage::files_of_interest`).
    FileSampleRow => "file_samples" {
        /// Volume.
        volume_id: Option<i64>,
        /// Full path.
        path: Option<String>,
        /// MFT entry.
        entry: Option<i64>,
        /// Sequence number.
        seq: Option<i64>,
        /// File size.
        size: Option<i64>,
        /// Bytes sampled.
        sampled: Option<i64>,
        /// Shannon entropy of the sample, bits per byte (0..8).
        entropy: Option<f64>,
        /// Text preview (decoded as UTF-8/UTF-16, small files only).
        text: Option<String>,
        /// SHA-256 of the whole file, when read.
        sha256: Option<String>,
    }

    /// One super-timeline event.
    TimelineRow => "timeline" {
        /// Unix microseconds.
        ts: Option<i64>,
        /// Database time.
        time: DbTime,
        /// Family: `FILE`, `USN`, `LOGFILE`, `REG`, `EVTX`, `EXEC`, `WEB`, `SHELL`, `FINDING`.
        source: String,
        /// Artifact (`$MFT $SI`, `UserAssist`, `Prefetch`, …).
        artifact: Option<String>,
        /// What the time means (`Creation Time`, `Last Run`, …).
        timestamp_desc: Option<String>,
        /// MACB letters for file times (`M...`, `MACB`).
        macb: Option<String>,
        /// File path or key path.
        path: Option<String>,
        /// User.
        user: Option<String>,
        /// Host.
        host: Option<String>,
        /// Human-readable message.
        message: Option<String>,
        /// Extra fields, JSON object.
        extra: Option<String>,
        /// Table of the source row.
        src_table: Option<String>,
        /// `id` of the source row.
        src_id: Option<i64>,
    }

    /// A detector finding.
    FindingRow => "findings" {
        /// Detector id (`ransomware`, `initial_access`, …).
        detector: String,
        /// Category (`ransomware`, `initial_access`, `defense_evasion`, …).
        category: String,
        /// Title.
        title: String,
        /// Confidence 0..1.
        confidence: Option<f64>,
        /// `high`, `medium`, `low`, `info`.
        severity: Option<String>,
        /// Key time.
        time: Option<DbTime>,
        /// Summary.
        summary: Option<String>,
        /// Evidence list, JSON array.
        evidence: Option<String>,
    }
}
