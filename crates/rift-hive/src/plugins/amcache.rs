//! Amcache.hve: programs and files Windows inventoried.
//!
//! Sources: libyal/dtformats `AMCache file (AMCache.hve) format`;
//! `../shared/docs/formats/artifacts.md` §3.4 (checked on
//! `plaso_win10-Amcache.hve` and `regipy_Amcache.hve`: `FileId` is `0000` +
//! SHA-1, `Size` is a QWORD or, in older builds, a hex string, `LinkDate`
//! is text); the older `Root\File\{volume}\{id}` layout with numbered
//! values (15 path, 101 SHA-1, 6 size, 11/12/17 FILETIMEs, 0 product,
//! 1 company, 100 program id).

use rift_io::bytes::le_u64;
use rift_io::time::FileTime;

use super::{Artifact, Event, PluginResults, Record, join};
use crate::hive::Hive;
use crate::key::Key;
use crate::value::ValueData;

/// One file entry (InventoryApplicationFile or the older Root\File).
#[derive(Debug, Clone, serde::Serialize)]
pub struct AmcacheFile {
    /// Key path.
    pub key_path: String,
    /// `InventoryApplicationFile` or `File`.
    pub layout: &'static str,
    /// Full path (lowercased by Windows in the newer layout).
    pub path: Option<String>,
    /// SHA-1 (hex, `0000` prefix removed).
    pub sha1: Option<String>,
    /// File size.
    pub size: Option<u64>,
    /// PE link date as Windows wrote it (text) — newer layout.
    pub link_date: Option<String>,
    /// Name.
    pub name: Option<String>,
    /// Publisher / company.
    pub publisher: Option<String>,
    /// Product name.
    pub product_name: Option<String>,
    /// Version.
    pub version: Option<String>,
    /// Binary type (`pe64_amd64`).
    pub binary_type: Option<String>,
    /// ProgramId.
    pub program_id: Option<String>,
    /// Older layout: file modification time (value 11).
    #[serde(serialize_with = "crate::ser::opt_filetime")]
    pub file_modified: Option<FileTime>,
    /// Older layout: file creation time (value 12).
    #[serde(serialize_with = "crate::ser::opt_filetime")]
    pub file_created: Option<FileTime>,
    /// Key last written ≈ when Windows first recorded the file.
    #[serde(serialize_with = "crate::ser::filetime")]
    pub key_last_written: FileTime,
}

impl Artifact for AmcacheFile {
    const SCHEMA: &'static str = "registry/amcache_file";
    fn events(&self) -> Vec<Event> {
        vec![Event {
            time: self.key_last_written,
            what: "First seen (Amcache key last written)",
        }]
    }
    fn summary(&self) -> String {
        format!(
            "Amcache file {} SHA1 {}",
            self.path.as_deref().unwrap_or("?"),
            self.sha1.as_deref().unwrap_or("?")
        )
    }
    fn key_path(&self) -> &str {
        &self.key_path
    }
}

/// One InventoryApplication entry.
#[derive(Debug, Clone, serde::Serialize)]
pub struct AmcacheApplication {
    /// Key path.
    pub key_path: String,
    /// ProgramId (subkey name).
    pub program_id: String,
    /// Name.
    pub name: Option<String>,
    /// Publisher.
    pub publisher: Option<String>,
    /// Version.
    pub version: Option<String>,
    /// InstallDate (text as stored).
    pub install_date: Option<String>,
    /// Source (`AddRemoveProgram`, `Msi`, …).
    pub source: Option<String>,
    /// RootDirPath.
    pub root_dir_path: Option<String>,
    /// UninstallString.
    pub uninstall_string: Option<String>,
    /// Key last written.
    #[serde(serialize_with = "crate::ser::filetime")]
    pub key_last_written: FileTime,
}

impl Artifact for AmcacheApplication {
    const SCHEMA: &'static str = "registry/amcache_application";
    fn events(&self) -> Vec<Event> {
        vec![Event {
            time: self.key_last_written,
            what: "Application inventoried (Amcache key last written)",
        }]
    }
    fn summary(&self) -> String {
        format!(
            "Amcache application {} {}",
            self.name.as_deref().unwrap_or(&self.program_id),
            self.version.as_deref().unwrap_or("")
        )
    }
    fn key_path(&self) -> &str {
        &self.key_path
    }
}

/// SHA-1 from a `FileId`-style value (`0000` + 40 hex digits).
pub fn sha1_from_file_id(s: &str) -> Option<String> {
    let t = s.trim();
    let h = if t.len() == 44 && t.starts_with("0000") {
        t.get(4..)?
    } else {
        t
    };
    (h.len() == 40 && h.bytes().all(|b| b.is_ascii_hexdigit())).then(|| h.to_ascii_lowercase())
}

fn size_of(k: &Key<'_>, name: &str) -> Option<u64> {
    match k.value(name)?.decoded().ok()? {
        ValueData::Qword(v) => Some(v),
        ValueData::Dword(v) => Some(u64::from(v)),
        ValueData::Sz(s) => {
            let s = s.trim();
            match s.strip_prefix("0x").or_else(|| s.strip_prefix("0X")) {
                Some(h) => u64::from_str_radix(h, 16).ok(),
                None => s.parse().ok(),
            }
        }
        _ => None,
    }
}

/// Amcache (both layouts).
pub fn amcache(hive: &Hive, out: &mut PluginResults) {
    if let Ok(f) = hive.open("Root\\InventoryApplicationFile") {
        for k in f.subkeys().flatten() {
            let name = k.name();
            out.records.push(Record::AmcacheFile(AmcacheFile {
                key_path: join("Root\\InventoryApplicationFile", &name),
                layout: "InventoryApplicationFile",
                path: k.string("LowerCaseLongPath"),
                sha1: k.string("FileId").as_deref().and_then(sha1_from_file_id),
                size: size_of(&k, "Size"),
                link_date: k.string("LinkDate").filter(|s| !s.is_empty()),
                name: k.string("Name"),
                publisher: k.string("Publisher").filter(|s| !s.is_empty()),
                product_name: k.string("ProductName").filter(|s| !s.is_empty()),
                version: k.string("Version").filter(|s| !s.is_empty()),
                binary_type: k.string("BinaryType"),
                program_id: k.string("ProgramId"),
                file_modified: None,
                file_created: None,
                key_last_written: k.last_written(),
            }));
        }
    }
    if let Ok(a) = hive.open("Root\\InventoryApplication") {
        for k in a.subkeys().flatten() {
            let id = k.name();
            out.records
                .push(Record::AmcacheApplication(AmcacheApplication {
                    key_path: join("Root\\InventoryApplication", &id),
                    name: k.string("Name"),
                    publisher: k.string("Publisher").filter(|s| !s.is_empty()),
                    version: k.string("Version").filter(|s| !s.is_empty()),
                    install_date: k.string("InstallDate").filter(|s| !s.is_empty()),
                    source: k.string("Source"),
                    root_dir_path: k.string("RootDirPath").filter(|s| !s.is_empty()),
                    uninstall_string: k.string("UninstallString").filter(|s| !s.is_empty()),
                    key_last_written: k.last_written(),
                    program_id: id,
                }));
        }
    }
    if let Ok(f) = hive.open("Root\\File") {
        for vol in f.subkeys().flatten() {
            let vname = vol.name();
            for k in vol.subkeys().flatten() {
                let id = k.name();
                let ft = |n: &str| {
                    k.binary(n)
                        .and_then(|d| le_u64(&d, 0))
                        .filter(|&v| v != 0)
                        .map(FileTime)
                };
                out.records.push(Record::AmcacheFile(AmcacheFile {
                    key_path: format!("Root\\File\\{vname}\\{id}"),
                    layout: "File",
                    path: k.string("15"),
                    sha1: k.string("101").as_deref().and_then(sha1_from_file_id),
                    size: size_of(&k, "6"),
                    link_date: None,
                    name: None,
                    publisher: k.string("1"),
                    product_name: k.string("0"),
                    version: None,
                    binary_type: None,
                    program_id: k.string("100"),
                    file_modified: ft("11"),
                    file_created: ft("12"),
                    key_last_written: k.last_written(),
                }));
            }
        }
    }
}
