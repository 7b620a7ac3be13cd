//! `rift lnk`: shell link files into LECmd's CSV layout or JSON lines.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::Result;
use rift_shell::guid::format_mac;
use rift_shell::lnk::{Lnk, drive_type_name};
use rift_shell::shell_items::ShellItem;
use serde_json::json;

use super::prefetch::{
    SourceTimes, ez_csv, ez_time, finish_csv, gather, has_ext, iso_time, open_out,
};

/// Arguments of `rift lnk`.
#[derive(clap::Args)]
pub struct Args {
    /// A `.lnk` file, a folder searched recursively for `.lnk` files (and
    /// files that start with a shell-link header), or a disk image (every
    /// user's `Recent` folders and Desktop).
    pub input: PathBuf,
    /// Write the LECmd-layout CSV here (`-` = stdout; the default).
    #[arg(long, value_name = "FILE")]
    pub csv: Option<PathBuf>,
    /// Write one JSON object per link here (`-` = stdout).
    #[arg(long, value_name = "FILE")]
    pub json: Option<PathBuf>,
    /// Volume selection when INPUT is a disk image.
    #[command(flatten)]
    pub volume: crate::common::VolumeArgs,
}

/// LECmd's CSV header.
pub const LECMD_HEADER: [&str; 27] = [
    "SourceFile",
    "SourceCreated",
    "SourceModified",
    "SourceAccessed",
    "TargetCreated",
    "TargetModified",
    "TargetAccessed",
    "FileSize",
    "RelativePath",
    "WorkingDirectory",
    "FileAttributes",
    "HeaderFlags",
    "DriveType",
    "VolumeSerialNumber",
    "VolumeLabel",
    "LocalPath",
    "NetworkPath",
    "CommonPath",
    "Arguments",
    "TargetIDAbsolutePath",
    "TargetMFTEntryNumber",
    "TargetMFTSequenceNumber",
    "MachineID",
    "MachineMACAddress",
    "MACVendor",
    "TrackerCreatedOn",
    "ExtraBlocksPresent",
];

/// Runs the subcommand.
pub fn run(args: Args) -> Result<ExitCode> {
    let files = gather(
        &args.input,
        &args.volume,
        |p, head, _| has_ext(p, &["lnk"]) || rift_shell::lnk::looks_like_lnk(head),
        &[
            r"Users\*\AppData\Roaming\Microsoft\Windows\Recent",
            r"Users\*\AppData\Roaming\Microsoft\Office\Recent",
            r"Users\*\Desktop",
            r"Documents and Settings\*\Recent",
        ],
        |n| n.to_ascii_lowercase().ends_with(".lnk"),
    )?;
    let mut csv = if args.csv.is_some() || args.json.is_none() {
        Some(ez_csv(
            args.csv.as_deref().unwrap_or(Path::new("-")),
            &LECMD_HEADER,
        )?)
    } else {
        None
    };
    let mut json = match &args.json {
        Some(p) => Some(open_out(p)?),
        None => None,
    };
    let (mut ok, mut failed) = (0usize, 0usize);
    for input in files {
        let (source, bytes, src) = input.load()?;
        let l = match rift_shell::parse_lnk(&bytes) {
            Ok(l) => l,
            Err(e) => {
                crate::common::status!("rift: {source}: {e}");
                failed += 1;
                continue;
            }
        };
        ok += 1;
        for w in &l.warnings {
            crate::common::status!(
                "rift: {source}: warning at byte {:#x}: {}",
                w.offset,
                w.message
            );
        }
        if let Some(w) = csv.as_mut() {
            w.write_record(lecmd_row(&l, &source, &src))?;
        }
        if let Some(j) = json.as_mut() {
            serde_json::to_writer(&mut *j, &lnk_json(&l, &source))?;
            j.write_all(b"\n")?;
        }
    }
    finish_csv(csv)?;
    if let Some(mut j) = json {
        j.flush()?;
    }
    crate::common::status!("rift lnk: {ok} parsed, {failed} failed");
    Ok(if ok == 0 && failed > 0 {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    })
}

/// File attribute names (`FILE_ATTRIBUTE_*`), `|`-joined.
pub fn attributes_text(a: u32) -> String {
    const NAMES: [(u32, &str); 15] = [
        (0x1, "FileAttributeReadonly"),
        (0x2, "FileAttributeHidden"),
        (0x4, "FileAttributeSystem"),
        (0x10, "FileAttributeDirectory"),
        (0x20, "FileAttributeArchive"),
        (0x40, "FileAttributeDevice"),
        (0x80, "FileAttributeNormal"),
        (0x100, "FileAttributeTemporary"),
        (0x200, "FileAttributeSparseFile"),
        (0x400, "FileAttributeReparsePoint"),
        (0x800, "FileAttributeCompressed"),
        (0x1000, "FileAttributeOffline"),
        (0x2000, "FileAttributeNotContentIndexed"),
        (0x4000, "FileAttributeEncrypted"),
        (0x10000, "FileAttributeVirtual"),
    ];
    let v: Vec<&str> = NAMES
        .iter()
        .filter(|(b, _)| a & b != 0)
        .map(|(_, n)| *n)
        .collect();
    v.join("|")
}

/// LinkFlags names, `|`-joined.
pub fn header_flags_text(l: &Lnk) -> String {
    let v: Vec<String> = l
        .flags
        .iter_names()
        .map(|(n, _)| {
            // HAS_LINK_INFO -> HasLinkInfo
            n.split('_')
                .map(|w| {
                    let mut c = w.chars();
                    match c.next() {
                        Some(f) => f.to_string() + &c.as_str().to_ascii_lowercase(),
                        None => String::new(),
                    }
                })
                .collect::<String>()
        })
        .collect();
    v.join("|")
}

fn target_mft(l: &Lnk) -> Option<u64> {
    l.id_list.iter().rev().find_map(|i| match i {
        ShellItem::FileEntry { mft_reference, .. } => *mft_reference,
        _ => None,
    })
}

/// Columns shared by LECmd and JLECmd's link part, starting at
/// `TargetCreated`: (created, modified, accessed, size, relative, workdir,
/// attributes, flags, drive type, serial, label, local path, network path,
/// common path, arguments, idlist path, mft entry, mft seq, machine, mac,
/// tracker created, extra blocks).
pub fn lnk_columns(l: &Lnk) -> Vec<String> {
    let li = l.link_info.as_ref();
    let vol = li.and_then(|i| i.volume.as_ref());
    let mft = target_mft(l);
    let tracker = l.extra.tracker.as_ref();
    let extra: Vec<String> = l
        .extra
        .signatures
        .iter()
        .map(|s| extra_block_name(*s))
        .collect();
    vec![
        ez_time(l.target_created),
        ez_time(l.target_modified),
        ez_time(l.target_accessed),
        l.file_size.to_string(),
        l.relative_path.clone().unwrap_or_default(),
        l.working_dir.clone().unwrap_or_default(),
        attributes_text(l.file_attributes),
        header_flags_text(l),
        vol.map(|v| drive_type_name(v.drive_type).to_string())
            .unwrap_or_default(),
        vol.map(|v| format!("{:08X}", v.serial)).unwrap_or_default(),
        vol.map(|v| v.label.clone()).unwrap_or_default(),
        li.and_then(|i| i.local_base_path.clone())
            .unwrap_or_default(),
        li.and_then(|i| i.network.as_ref().map(|n| n.net_name.clone()))
            .unwrap_or_default(),
        li.and_then(|i| i.common_path_suffix.clone())
            .unwrap_or_default(),
        l.arguments.clone().unwrap_or_default(),
        l.id_list_path().unwrap_or_default(),
        mft.map(|r| (r & 0xFFFF_FFFF_FFFF).to_string())
            .unwrap_or_default(),
        mft.map(|r| (r >> 48).to_string()).unwrap_or_default(),
        tracker.map(|t| t.machine_id.clone()).unwrap_or_default(),
        l.mac_address().map(format_mac).unwrap_or_default(),
        tracker
            .and_then(|t| t.droid_file.v1_time())
            .map(ez_time)
            .unwrap_or_default(),
        extra.join(", "),
    ]
}

fn extra_block_name(sig: u32) -> String {
    match sig {
        0xA000_0001 => "EnvironmentVariablesDataBlock".into(),
        0xA000_0002 => "ConsoleDataBlock".into(),
        0xA000_0003 => "TrackerDataBlock".into(),
        0xA000_0004 => "ConsoleFeDataBlock".into(),
        0xA000_0005 => "SpecialFolderDataBlock".into(),
        0xA000_0006 => "DarwinDataBlock".into(),
        0xA000_0007 => "IconEnvironmentDataBlock".into(),
        0xA000_0008 => "ShimDataBlock".into(),
        0xA000_0009 => "PropertyStoreDataBlock".into(),
        0xA000_000B => "KnownFolderDataBlock".into(),
        0xA000_000C => "VistaAndAboveIdListDataBlock".into(),
        other => format!("Unknown0x{other:08X}"),
    }
}

fn lecmd_row(l: &Lnk, source: &str, src: &SourceTimes) -> Vec<String> {
    let c = lnk_columns(l);
    let mut row = vec![
        source.to_string(),
        src.created.clone(),
        src.modified.clone(),
        src.accessed.clone(),
    ];
    // LECmd puts MACVendor between MachineMACAddress and TrackerCreatedOn;
    // we have no OUI table, so it stays empty.
    row.extend_from_slice(&c[..20]);
    row.push(String::new());
    row.extend_from_slice(&c[20..]);
    row
}

/// A link as JSON.
pub fn lnk_json(l: &Lnk, source: &str) -> serde_json::Value {
    let li = l.link_info.as_ref();
    json!({
        "source_file": source,
        "target_path": l.target_path(),
        "id_list_path": l.id_list_path(),
        "target_created": iso_time(l.target_created),
        "target_modified": iso_time(l.target_modified),
        "target_accessed": iso_time(l.target_accessed),
        "file_size": l.file_size,
        "file_attributes": l.file_attributes,
        "link_flags": l.flags_raw,
        "show_command": l.show_command,
        "hot_key": l.hot_key,
        "icon_index": l.icon_index,
        "description": l.name,
        "relative_path": l.relative_path,
        "working_dir": l.working_dir,
        "arguments": l.arguments,
        "icon_location": l.icon_location,
        "drive_type": li.and_then(|i| i.volume.as_ref()).map(|v| v.drive_type),
        "volume_serial": li.and_then(|i| i.volume.as_ref()).map(|v| format!("{:08X}", v.serial)),
        "volume_label": li.and_then(|i| i.volume.as_ref()).map(|v| v.label.clone()),
        "local_base_path": li.and_then(|i| i.local_base_path.clone()),
        "network_share": li.and_then(|i| i.network.as_ref()).map(|n| n.net_name.clone()),
        "network_device": li.and_then(|i| i.network.as_ref()).and_then(|n| n.device_name.clone()),
        "common_path_suffix": li.and_then(|i| i.common_path_suffix.clone()),
        "environment_target": l.extra.environment,
        "known_folder": l.extra.known_folder.map(|g| g.to_string()),
        "machine_id": l.extra.tracker.as_ref().map(|t| t.machine_id.clone()),
        "mac_address": l.mac_address().map(format_mac),
        "droid_volume": l.extra.tracker.as_ref().map(|t| t.droid_volume.to_string()),
        "droid_file": l.extra.tracker.as_ref().map(|t| t.droid_file.to_string()),
        "birth_droid_volume": l.extra.tracker.as_ref().map(|t| t.birth_volume.to_string()),
        "birth_droid_file": l.extra.tracker.as_ref().map(|t| t.birth_file.to_string()),
        "tracker_created": l.extra.tracker.as_ref().and_then(|t| t.droid_file.v1_time()).and_then(iso_time),
        "warnings": l.warnings.iter().map(|w| json!({"offset": w.offset, "message": w.message})).collect::<Vec<_>>(),
    })
}
