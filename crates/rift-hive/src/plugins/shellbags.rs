//! ShellBags: folders a user browsed, from `BagMRU` (UsrClass.dat on
//! Vista+, NTUSER.DAT on XP and for some desktop/network items).
//!
//! Each numbered value of a `BagMRU` key is a shell item (an item ID);
//! the subkey with the same number holds that item's children, so paths
//! are built by walking down. Only the common item types are decoded here
//! (root/known folders, drives, file entries with their `0xBEEF0004`
//! extension block); other types are kept with their class byte.
//!
//! Sources: libyal/libfwsi "Windows Shell Item format" (class types 0x1F
//! root folder, 0x2x volume, 0x3x file entry with DOS date/times, 0x4x
//! network, 0x61 URI, extension block 0xBEEF0004 with creation/access
//! times and the long name); libyal/winreg-kb `Shell-bags.md` (BagMRU,
//! MRUListEx, `NodeSlot`).

use rift_io::bytes::{le_u16, le_u32, utf16le_nul_terminated};
use rift_io::time::FileTime;

use super::system::guid_text;
use super::user::mru_list_ex;
use super::{Artifact, Event, PluginResults, Record, join, known_folder};
use crate::hive::Hive;
use crate::key::Key;

/// One folder seen in ShellBags.
#[derive(Debug, Clone, serde::Serialize)]
pub struct ShellBag {
    /// BagMRU key path of the item's own subkey.
    pub key_path: String,
    /// Reconstructed path.
    pub path: String,
    /// The item's value name under its parent (slot number).
    pub slot: String,
    /// Position in the parent's MRUListEx (0 = most recent).
    pub mru_position: Option<usize>,
    /// Shell item class byte.
    pub item_class: u8,
    /// Decoded item type (`Root folder`, `Volume`, `Directory`, `File`, …).
    pub item_type: &'static str,
    /// NodeSlot (links to the Bags\N view settings).
    pub node_slot: Option<u32>,
    /// Item modification time (DOS, local time of the machine as stored).
    #[serde(serialize_with = "crate::ser::opt_filetime")]
    pub modified: Option<FileTime>,
    /// Item creation time (extension block, DOS).
    #[serde(serialize_with = "crate::ser::opt_filetime")]
    pub created: Option<FileTime>,
    /// Item access time (extension block, DOS).
    #[serde(serialize_with = "crate::ser::opt_filetime")]
    pub accessed: Option<FileTime>,
    /// MFT entry number from the extension block (Windows 8+ form).
    pub mft_entry: Option<u64>,
    /// Last written time of the item's BagMRU subkey (≈ when the folder
    /// was last browsed, for the most recent item).
    #[serde(serialize_with = "crate::ser::opt_filetime")]
    pub key_last_written: Option<FileTime>,
}

impl Artifact for ShellBag {
    const SCHEMA: &'static str = "registry/shellbags";
    fn events(&self) -> Vec<Event> {
        let mut v = Vec::new();
        if let Some(t) = self.key_last_written {
            v.push(Event {
                time: t,
                what: "Folder browsed (ShellBag key last written)",
            });
        }
        v
    }
    fn summary(&self) -> String {
        format!("ShellBag {} ({})", self.path, self.item_type)
    }
    fn key_path(&self) -> &str {
        &self.key_path
    }
}

/// DOS date + time (little-endian u16 date, u16 time) to FILETIME.
fn dos_datetime(d: &[u8], off: usize) -> Option<FileTime> {
    let date = le_u16(d, off)?;
    let time = le_u16(d, off + 2)?;
    if date == 0 {
        return None;
    }
    let y = 1980 + i16::try_from(date >> 9).ok()?;
    let mo = i8::try_from((date >> 5) & 0xF).ok()?;
    let da = i8::try_from(date & 0x1F).ok()?;
    let h = i8::try_from(time >> 11).ok()?;
    let mi = i8::try_from((time >> 5) & 0x3F).ok()?;
    let s = i8::try_from((time & 0x1F) * 2).ok()?;
    let dt = jiff::civil::Date::new(y, mo, da).ok()?.at(h, mi, s, 0);
    FileTime::from_timestamp(dt.to_zoned(jiff::tz::TimeZone::UTC).ok()?.timestamp())
}

struct Item {
    class: u8,
    kind: &'static str,
    name: String,
    modified: Option<FileTime>,
    created: Option<FileTime>,
    accessed: Option<FileTime>,
    mft: Option<u64>,
}

/// Decodes one shell item (the bytes of a BagMRU value).
fn decode_item(d: &[u8]) -> Item {
    let class = d.get(2).copied().unwrap_or(0);
    let mut it = Item {
        class,
        kind: "Unknown",
        name: format!("<item 0x{class:02X}>"),
        modified: None,
        created: None,
        accessed: None,
        mft: None,
    };
    match class {
        0x1F => {
            it.kind = "Root folder";
            if let Some(g) = d.get(4..20).and_then(guid_text) {
                it.name = match g.as_str() {
                    "{20D04FE0-3AEA-1069-A2D8-08002B30309D}" => "My Computer".into(),
                    "{59031A47-3F72-44A7-89C5-5595FE6B30EE}" => "Users Files".into(),
                    "{F02C1A0D-BE21-4350-88B0-7367FC96EF3C}" => "Network".into(),
                    "{679F85CB-0220-4080-B29B-5540CC05AAB6}" => "Quick Access".into(),
                    "{031E4825-7B94-4DC3-B131-E946B44C8DD5}" => "Libraries".into(),
                    "{645FF040-5081-101B-9F08-00AA002F954E}" => "Recycle Bin".into(),
                    "{26EE0668-A00A-44D7-9371-BEB064C98683}" => "Control Panel".into(),
                    _ => known_folder(&g).map(str::to_string).unwrap_or(g),
                };
            }
        }
        0x2E => {
            it.kind = "Shell folder";
            if let Some(g) = d.get(4..20).and_then(guid_text) {
                it.name = known_folder(&g).map(str::to_string).unwrap_or(g);
            }
        }
        0x20..=0x2F => {
            it.kind = "Volume";
            let raw = d.get(3..).unwrap_or_default();
            let end = raw.iter().position(|&b| b == 0).unwrap_or(raw.len());
            it.name = raw
                .get(..end)
                .unwrap_or_default()
                .iter()
                .map(|&b| b as char)
                .collect::<String>()
                .trim_end_matches('\\')
                .to_string();
        }
        0x30..=0x3F => {
            it.kind = if class & 0x01 != 0 {
                "Directory"
            } else {
                "File"
            };
            it.modified = dos_datetime(d, 8);
            let unicode = class & 0x04 != 0;
            let short = d.get(14..).unwrap_or_default();
            let short_name = if unicode {
                utf16le_nul_terminated(short)
            } else {
                let end = short.iter().position(|&b| b == 0).unwrap_or(short.len());
                short
                    .get(..end)
                    .unwrap_or_default()
                    .iter()
                    .map(|&b| b as char)
                    .collect()
            };
            it.name = short_name;
            beef0004(d, &mut it);
        }
        0x40..=0x4F => {
            it.kind = "Network location";
            let raw = d.get(5..).unwrap_or_default();
            let end = raw.iter().position(|&b| b == 0).unwrap_or(raw.len());
            it.name = raw
                .get(..end)
                .unwrap_or_default()
                .iter()
                .map(|&b| b as char)
                .collect();
        }
        0x61 => {
            it.kind = "URI";
            let _ = le_u32(d, 4);
        }
        _ => {
            // Delegate items (0x74 "Users Files") embed a file entry: its
            // extension block still names the folder.
            if beef0004(d, &mut it) {
                it.kind = "Directory (delegate item)";
            }
        }
    }
    it
}

/// Reads the `0xBEEF0004` extension block (long name, creation and access
/// times, MFT reference). Returns whether one was found.
fn beef0004(d: &[u8], it: &mut Item) -> bool {
    let Some(p) = d.windows(4).position(|w| w == [0x04, 0x00, 0xEF, 0xBE]) else {
        return false;
    };
    let b = p.saturating_sub(4);
    let ver = le_u16(d, b + 2).unwrap_or(0);
    it.created = dos_datetime(d, b + 8);
    it.accessed = dos_datetime(d, b + 12);
    if ver >= 7 {
        it.mft = rift_io::bytes::le_u64(d, b + 20).map(|r| r & 0xFFFF_FFFF_FFFF);
    }
    // Long name after the fixed part, which grows with the version
    // (libfwsi: v3 at 20; v7 adds MFT reference and padding; v8 and v9
    // each add 4 unknown bytes).
    let name_off = match ver {
        3..=6 => 20,
        7 => 38,
        8 => 42,
        _ => 46,
    };
    if let Some(n) = d.get(b + name_off..).map(utf16le_nul_terminated)
        && !n.is_empty()
    {
        it.name = n;
    }
    true
}

fn walk(k: Key<'_>, key_path: &str, parent_path: &str, depth: usize, out: &mut PluginResults) {
    if depth > 64 {
        return;
    }
    let order = k
        .binary("MRUListEx")
        .map(|d| mru_list_ex(&d))
        .unwrap_or_default();
    for v in k.values().into_iter().flatten() {
        let slot = v.name();
        let Ok(num) = slot.parse::<u32>() else {
            continue;
        };
        let Ok(d) = v.data() else { continue };
        let it = decode_item(&d);
        let path = if parent_path.is_empty() {
            it.name.clone()
        } else {
            format!("{parent_path}\\{}", it.name)
        };
        let child = k.subkey(&slot).ok().flatten();
        let child_path = join(key_path, &slot);
        out.records.push(Record::ShellBag(ShellBag {
            key_path: child_path.clone(),
            path: path.clone(),
            mru_position: order.iter().position(|&o| o == num),
            slot,
            item_class: it.class,
            item_type: it.kind,
            node_slot: child.and_then(|c| c.dword("NodeSlot")),
            modified: it.modified,
            created: it.created,
            accessed: it.accessed,
            mft_entry: it.mft,
            key_last_written: child.map(|c| c.last_written()),
        }));
        if let Some(c) = child {
            walk(c, &child_path, &path, depth + 1, out);
        }
    }
}

/// ShellBags under `base` (a BagMRU key path).
pub fn shellbags(hive: &Hive, out: &mut PluginResults, base: &str) {
    let Ok(k) = hive.open(base) else { return };
    walk(k, base, "", 0, out);
}
