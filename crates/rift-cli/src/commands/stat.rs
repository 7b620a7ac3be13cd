//! `rift stat`: everything about one MFT entry (like `istat`): header,
//! `$STANDARD_INFORMATION` and every `$FILE_NAME` with their times, owner
//! SID from `$Secure`, each attribute with its runs, reparse target,
//! `Zone.Identifier` text, and parse problems.

use std::fmt::Write as _;
use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::bail;
use rift_io::time::{FileTime, format_ez};
use rift_ntfs::values::{EaInformation, ObjectId, ReparsePoint, VolumeInformation, parse_ea_list};
use rift_ntfs::{AttrBody, AttrType, FileName, MftEntry, Ntfs, StandardInformation};

use super::cat::resolve;
use super::ls::{Source, VolumeOpts, open_source};

/// Arguments of `rift stat`.
#[derive(clap::Args)]
pub struct Args {
    /// Disk image (E01, raw, VM disk), bare NTFS volume, or standalone $MFT (with -e).
    pub image: PathBuf,
    /// File path inside the volume.
    #[arg(required_unless_present = "entry")]
    pub path: Option<String>,
    /// MFT entry number instead of a path.
    #[arg(short = 'e', long = "entry", conflicts_with = "path")]
    pub entry: Option<String>,
    /// Print every run (default: the first 64 per attribute).
    #[arg(long)]
    pub all_runs: bool,
    /// JSON output.
    #[arg(long)]
    pub json: bool,
    #[command(flatten)]
    pub volume: VolumeOpts,
}

fn t(ft: FileTime) -> String {
    match ft.to_timestamp() {
        Some(ts) => format_ez(ts),
        None if ft.0 == 0 => "(not set)".into(),
        None => format!("(invalid {:#x})", ft.0),
    }
}

fn si_text(o: &mut String, si: &StandardInformation, ntfs: Option<&Ntfs>) {
    let _ = writeln!(o, "\n$STANDARD_INFORMATION:");
    let _ = writeln!(
        o,
        "  Flags:        {} ({:#x})",
        si.attributes.label(),
        si.attributes.bits()
    );
    if let Some(id) = si.owner_id {
        let _ = writeln!(o, "  Owner ID:     {id}");
    }
    if let Some(id) = si.security_id {
        let owner = ntfs
            .and_then(|n| n.secure().owner(id).map(|s| s.to_string()))
            .unwrap_or_default();
        let _ = writeln!(o, "  Security ID:  {id} {owner}");
    }
    if let Some(u) = si.usn {
        let _ = writeln!(o, "  Last USN:     {u}");
    }
    let _ = writeln!(o, "  Created:      {}", t(si.created));
    let _ = writeln!(o, "  Modified:     {}", t(si.modified));
    let _ = writeln!(o, "  MFT Modified: {}", t(si.mft_modified));
    let _ = writeln!(o, "  Accessed:     {}", t(si.accessed));
}

fn fn_text(o: &mut String, f: &FileName) {
    let _ = writeln!(o, "\n$FILE_NAME:");
    let _ = writeln!(o, "  Name:         {}", f.name);
    let _ = writeln!(o, "  Namespace:    {}", f.namespace.label());
    let _ = writeln!(
        o,
        "  Parent:       {} (entry {}, seq {})",
        f.parent,
        f.parent.entry(),
        f.parent.sequence()
    );
    let _ = writeln!(
        o,
        "  Flags:        {} ({:#x})",
        f.attributes.label(),
        f.attributes.bits()
    );
    let _ = writeln!(
        o,
        "  Sizes:        allocated {} / data {}",
        f.allocated_size, f.data_size
    );
    let _ = writeln!(o, "  Created:      {}", t(f.created));
    let _ = writeln!(o, "  Modified:     {}", t(f.modified));
    let _ = writeln!(o, "  MFT Modified: {}", t(f.mft_modified));
    let _ = writeln!(o, "  Accessed:     {}", t(f.accessed));
}

/// Renders an entry as text.
pub(crate) fn render(e: &MftEntry, ntfs: Option<&Ntfs>, all_runs: bool) -> String {
    let mut o = String::new();
    let h = &e.header;
    let _ = writeln!(o, "MFT Entry Header Values:");
    let _ = writeln!(o, "Entry: {}        Sequence: {}", e.number, h.sequence);
    if let Some(n) = ntfs {
        let _ = writeln!(o, "Path: {}", n.path_of(e.number));
    }
    let _ = writeln!(o, "$LogFile Sequence Number: {}", h.lsn);
    let _ = writeln!(
        o,
        "{} {}",
        if e.in_use() {
            "Allocated"
        } else {
            "Not Allocated (deleted)"
        },
        if e.is_directory() {
            "Directory"
        } else {
            "File"
        }
    );
    let _ = writeln!(o, "Links: {}", h.link_count);
    let _ = writeln!(
        o,
        "Flags: {:#06x}   Signature: {:?}   Fixups: {:?}",
        h.flags.bits(),
        h.signature,
        e.fixup
    );
    if h.base_reference.0 != 0 {
        let _ = writeln!(o, "Extension record of base {}", h.base_reference);
    }
    if !e.extension_records.is_empty() {
        let _ = writeln!(o, "Extension records: {:?}", e.extension_records);
    }
    if let Some(si) = e.standard_information() {
        si_text(&mut o, &si, ntfs);
    }
    for f in e.file_names() {
        fn_text(&mut o, &f);
    }
    if let Some(oid) = e.object_id() {
        let _ = writeln!(o, "\n$OBJECT_ID: {}", oid.object_id);
        print_oid(&mut o, &oid);
    }
    if let Some(rp) = e.reparse_point() {
        print_reparse(&mut o, &rp);
    }
    let _ = writeln!(o, "\nAttributes:");
    for a in &e.attributes {
        let name = if a.name.is_empty() {
            "N/A".to_string()
        } else {
            a.name.clone()
        };
        match &a.body {
            AttrBody::Resident { value, .. } => {
                let _ = writeln!(
                    o,
                    "Type: {} ({}-{})   Name: {}   Resident   size: {}   flags: {:#x}   record: {}",
                    a.type_code.name(),
                    a.type_code.0,
                    a.instance,
                    name,
                    value.len(),
                    a.flags.bits(),
                    a.record
                );
                extra_value(&mut o, a.type_code, value);
            }
            AttrBody::NonResident(n) => {
                let _ = writeln!(
                    o,
                    "Type: {} ({}-{})   Name: {}   Non-Resident   size: {}  init_size: {}  alloc: {}{}   flags: {:#x}   extents: {}",
                    a.type_code.name(),
                    a.type_code.0,
                    a.instance,
                    name,
                    n.data_size,
                    n.initialized_size,
                    n.allocated_size,
                    n.total_allocated
                        .map(|c| format!("  compressed/total alloc: {c}"))
                        .unwrap_or_default(),
                    a.flags.bits(),
                    n.extents
                );
                if n.compression_unit != 0 {
                    let _ = writeln!(
                        o,
                        "  compression unit: {} clusters",
                        1u64 << n.compression_unit.min(31)
                    );
                }
                let limit = if all_runs { usize::MAX } else { 64 };
                for r in n.runs.iter().take(limit) {
                    match r.lcn {
                        Some(l) => {
                            let _ = writeln!(
                                o,
                                "  run VCN {}: {} clusters at LCN {}",
                                r.vcn, r.length, l
                            );
                        }
                        None => {
                            let _ =
                                writeln!(o, "  run VCN {}: {} clusters sparse", r.vcn, r.length);
                        }
                    }
                }
                if n.runs.len() > limit {
                    let _ = writeln!(o, "  … {} more runs (--all-runs)", n.runs.len() - limit);
                }
                if let Some(err) = &n.run_error {
                    let _ = writeln!(o, "  run list problem: {err}");
                }
                if let (Some(v), false) = (ntfs, e.in_use()) {
                    let (total, now) = v.reallocated_clusters(&n.runs);
                    let _ = writeln!(
                        o,
                        "  deleted entry: {now} of {total} clusters now allocated to other data"
                    );
                }
            }
        }
    }
    if let (Some(v), true) = (
        ntfs,
        e.attribute(AttrType::DATA, "Zone.Identifier").is_some(),
    ) {
        if let Some(z) = v.zone_identifier(e) {
            let _ = writeln!(o, "\nZone.Identifier:\n{}", z.trim_end());
        }
    }
    if !e.problems.is_empty() {
        let _ = writeln!(o, "\nProblems:");
        for p in &e.problems {
            let _ = writeln!(o, "  {p}");
        }
    }
    o
}

fn print_oid(o: &mut String, oid: &ObjectId) {
    if let Some(g) = oid.birth_volume_id {
        let _ = writeln!(o, "  Birth volume: {g}");
    }
    if let Some(g) = oid.birth_object_id {
        let _ = writeln!(o, "  Birth object: {g}");
    }
}

fn print_reparse(o: &mut String, rp: &ReparsePoint) {
    let _ = writeln!(o, "\n$REPARSE_POINT: tag {:#010x}", rp.tag);
    if let Some(l) = rp.link_target() {
        let _ = writeln!(
            o,
            "  Target: {} (print name {}){}",
            l.substitute,
            l.print,
            if l.relative { " relative" } else { "" }
        );
    }
    if let Some(w) = rp.wof() {
        let _ = writeln!(
            o,
            "  WOF: provider {} format {}",
            w.provider,
            w.format_name()
        );
    }
}

fn extra_value(o: &mut String, t: AttrType, v: &[u8]) {
    match t {
        AttrType::VOLUME_NAME => {
            let _ = writeln!(o, "  Volume name: {}", rift_io::bytes::utf16le_lossy(v));
        }
        AttrType::VOLUME_INFORMATION => {
            if let Ok(i) = VolumeInformation::parse(v) {
                let _ = writeln!(
                    o,
                    "  NTFS version {}.{}, flags {:#06x}",
                    i.major, i.minor, i.flags
                );
            }
        }
        AttrType::EA_INFORMATION => {
            if let Ok(i) = EaInformation::parse(v) {
                let _ = writeln!(
                    o,
                    "  EA packed {} unpacked {} need-EA {}",
                    i.packed_size, i.unpacked_size, i.need_ea_count
                );
            }
        }
        AttrType::EA => {
            let (eas, _) = parse_ea_list(v);
            for ea in eas {
                let _ = writeln!(
                    o,
                    "  EA {} ({} bytes, flags {:#x})",
                    ea.name,
                    ea.value.len(),
                    ea.flags
                );
            }
        }
        AttrType::LOGGED_UTILITY_STREAM => {}
        _ => {}
    }
}

fn render_json(e: &MftEntry, ntfs: Option<&Ntfs>) -> serde_json::Value {
    let si = e.standard_information();
    let ts = |f: FileTime| f.to_timestamp().map(rift_io::time::format_iso_utc);
    serde_json::json!({
        "entry": e.number,
        "sequence": e.header.sequence,
        "in_use": e.in_use(),
        "is_directory": e.is_directory(),
        "path": ntfs.map(|n| n.path_of(e.number)),
        "lsn": e.header.lsn,
        "link_count": e.header.link_count,
        "base_reference": e.header.base_reference.0,
        "torn": !matches!(e.fixup, rift_ntfs::FixupStatus::Ok),
        "standard_information": si.as_ref().map(|s| serde_json::json!({
            "created": ts(s.created), "modified": ts(s.modified), "mft_modified": ts(s.mft_modified), "accessed": ts(s.accessed),
            "flags": s.attributes.bits(), "flags_label": s.attributes.label(), "security_id": s.security_id, "owner_id": s.owner_id, "usn": s.usn,
            "owner_sid": s.security_id.and_then(|id| ntfs.and_then(|n| n.secure().owner(id).map(|x| x.to_string()))),
        })),
        "file_names": e.file_names().iter().map(|f| serde_json::json!({
            "name": f.name, "namespace": f.namespace.label(), "parent_entry": f.parent.entry(), "parent_sequence": f.parent.sequence(),
            "created": ts(f.created), "modified": ts(f.modified), "mft_modified": ts(f.mft_modified), "accessed": ts(f.accessed),
            "allocated_size": f.allocated_size, "data_size": f.data_size, "flags": f.attributes.bits(),
        })).collect::<Vec<_>>(),
        "attributes": e.attributes.iter().map(|a| serde_json::json!({
            "type": a.type_code.0, "type_name": a.type_code.name(), "id": a.instance, "name": a.name, "resident": a.is_resident(),
            "flags": a.flags.bits(), "size": a.data_size(), "allocated_size": a.allocated_size(), "record": a.record,
            "runs": a.non_resident().map(|n| n.runs.iter().map(|r| serde_json::json!({"vcn": r.vcn, "lcn": r.lcn, "length": r.length})).collect::<Vec<_>>()),
        })).collect::<Vec<_>>(),
        "zone_identifier": ntfs.and_then(|n| n.zone_identifier(e)),
        "problems": e.problems,
    })
}

/// Runs the subcommand.
pub fn run(args: Args) -> anyhow::Result<ExitCode> {
    let src = open_source(&args.image, &args.volume, true)?;
    let (entry, ntfs) = match &src {
        Source::Volume(ntfs) => (
            resolve(ntfs, args.path.as_deref(), args.entry.as_deref())?.entry,
            Some(ntfs),
        ),
        Source::Mft(_) => {
            let Some(e) = args.entry.as_deref() else {
                bail!("a standalone $MFT needs -e ENTRY");
            };
            let n: u64 = e.split(['-', ':']).next().unwrap_or("").parse()?;
            (src.entry(n)?, None)
        }
    };
    if args.json {
        println!(
            "{}",
            serde_json::to_string_pretty(&render_json(&entry, ntfs))?
        );
    } else {
        print!("{}", render(&entry, ntfs, args.all_runs));
    }
    Ok(ExitCode::SUCCESS)
}
