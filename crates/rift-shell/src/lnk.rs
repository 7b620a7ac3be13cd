//! Shell link (`.lnk`) files: target path, times, size, volume, network
//! share, and the link-tracking block that names the machine (NetBIOS
//! name) and its MAC address.
//!
//! Sources: Microsoft [MS-SHLLINK] §2.1 (ShellLinkHeader), §2.2
//! (LinkTargetIDList), §2.3 (LinkInfo, VolumeID, CommonNetworkRelativeLink),
//! §2.4 (StringData), §2.5 (ExtraData blocks); artifacts.md §5.1 (checked on
//! `misc/example.lnk` and the LNKs inside both jump-list fixtures).

use bitflags::bitflags;
use rift_io::bytes::{
    le_i32, le_u16, le_u32, le_u64, slice, utf16le_lossy, utf16le_nul_terminated,
};
use rift_io::time::FileTime;

use crate::guid::Guid;
use crate::shell_items::{ShellItem, id_list_path, parse_id_list};
use crate::{Error, Result, Warning, latin1_nul};

/// The header size and class identifier every LNK starts with.
pub const HEADER_SIZE: usize = 0x4C;
/// `00021401-0000-0000-C000-000000000046` in on-disk order.
pub const LNK_CLSID: [u8; 16] = [
    0x01, 0x14, 0x02, 0x00, 0x00, 0x00, 0x00, 0x00, 0xC0, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x46,
];

bitflags! {
    /// `LinkFlags` ([MS-SHLLINK] §2.1.1).
    #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
    pub struct LinkFlags: u32 {
        /// A LinkTargetIDList follows the header.
        const HAS_LINK_TARGET_ID_LIST = 0x1;
        /// A LinkInfo structure is present.
        const HAS_LINK_INFO = 0x2;
        /// NAME_STRING (description) is present.
        const HAS_NAME = 0x4;
        /// RELATIVE_PATH is present.
        const HAS_RELATIVE_PATH = 0x8;
        /// WORKING_DIR is present.
        const HAS_WORKING_DIR = 0x10;
        /// COMMAND_LINE_ARGUMENTS is present.
        const HAS_ARGUMENTS = 0x20;
        /// ICON_LOCATION is present.
        const HAS_ICON_LOCATION = 0x40;
        /// StringData is UTF-16.
        const IS_UNICODE = 0x80;
        /// LinkInfo is ignored.
        const FORCE_NO_LINK_INFO = 0x100;
        /// EnvironmentVariableDataBlock present.
        const HAS_EXP_STRING = 0x200;
        /// Run a 16-bit target in a separate VM.
        const RUN_IN_SEPARATE_PROCESS = 0x400;
        /// DarwinDataBlock present.
        const HAS_DARWIN_ID = 0x1000;
        /// Run as a different user.
        const RUN_AS_USER = 0x2000;
        /// IconEnvironmentDataBlock present.
        const HAS_EXP_ICON = 0x4000;
        /// No PIDL alias.
        const NO_PIDL_ALIAS = 0x8000;
        /// ShimDataBlock present.
        const RUN_WITH_SHIM_LAYER = 0x20000;
        /// No link tracking.
        const FORCE_NO_LINK_TRACK = 0x40000;
        /// Collect target properties.
        const ENABLE_TARGET_METADATA = 0x80000;
        /// Ignore the environment block for tracking.
        const DISABLE_LINK_PATH_TRACKING = 0x100000;
        /// Ignore known-folder tracking.
        const DISABLE_KNOWN_FOLDER_TRACKING = 0x200000;
        /// Ignore known-folder aliasing.
        const DISABLE_KNOWN_FOLDER_ALIAS = 0x400000;
        /// The target may itself be a link.
        const ALLOW_LINK_TO_LINK = 0x800000;
        /// Store the unaliased path.
        const UNALIAS_ON_SAVE = 0x1000000;
        /// Prefer the environment path.
        const PREFER_ENVIRONMENT_PATH = 0x2000000;
        /// Keep the local IDList for UNC targets.
        const KEEP_LOCAL_ID_LIST_FOR_UNC_TARGET = 0x4000000;
    }
}

/// Drive type of a VolumeID ([MS-SHLLINK] §2.3.1).
pub fn drive_type_name(t: u32) -> &'static str {
    match t {
        0 => "DRIVE_UNKNOWN",
        1 => "DRIVE_NO_ROOT_DIR",
        2 => "DRIVE_REMOVABLE",
        3 => "DRIVE_FIXED",
        4 => "DRIVE_REMOTE",
        5 => "DRIVE_CDROM",
        6 => "DRIVE_RAMDISK",
        _ => "Unknown",
    }
}

/// The volume a local target lived on.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VolumeId {
    /// Raw drive type (see [`drive_type_name`]).
    pub drive_type: u32,
    /// Volume serial number.
    pub serial: u32,
    /// Volume label (may be empty).
    pub label: String,
}

/// The network share a remote target lived on.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NetworkLink {
    /// Raw flags (1 ValidDevice, 2 ValidNetType).
    pub flags: u32,
    /// Share name, e.g. `\\server\share`.
    pub net_name: String,
    /// Mapped drive, e.g. `Z:`, when recorded.
    pub device_name: Option<String>,
    /// Network provider type (e.g. 0x20000 = LANMAN), when valid.
    pub provider_type: Option<u32>,
}

/// The LinkInfo structure.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct LinkInfo {
    /// Raw LinkInfoFlags.
    pub flags: u32,
    /// Volume of a local target.
    pub volume: Option<VolumeId>,
    /// Local base path (Unicode form preferred).
    pub local_base_path: Option<String>,
    /// Network share of a remote target.
    pub network: Option<NetworkLink>,
    /// Path suffix after the base path or share.
    pub common_path_suffix: Option<String>,
}

/// The distributed link tracking block.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Tracker {
    /// NetBIOS name of the machine the target was on.
    pub machine_id: String,
    /// Volume droid (object ID of the volume).
    pub droid_volume: Guid,
    /// File droid (object ID of the file; UUID v1 → MAC and time).
    pub droid_file: Guid,
    /// Birth volume droid.
    pub birth_volume: Guid,
    /// Birth file droid.
    pub birth_file: Guid,
}

impl Tracker {
    /// The MAC address in the file droid (or the birth droid).
    pub fn mac_address(&self) -> Option<[u8; 6]> {
        self.droid_file
            .mac_address()
            .or_else(|| self.birth_file.mac_address())
    }
}

/// The ExtraData blocks we decode.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct ExtraData {
    /// EnvironmentVariableDataBlock target (e.g. `%windir%\…`).
    pub environment: Option<String>,
    /// IconEnvironmentDataBlock path.
    pub icon_environment: Option<String>,
    /// DarwinDataBlock application identifier.
    pub darwin: Option<String>,
    /// ShimDataBlock layer name.
    pub shim_layer: Option<String>,
    /// ConsoleFEDataBlock code page.
    pub console_code_page: Option<u32>,
    /// SpecialFolderDataBlock folder id.
    pub special_folder_id: Option<u32>,
    /// KnownFolderDataBlock GUID.
    pub known_folder: Option<Guid>,
    /// TrackerDataBlock.
    pub tracker: Option<Tracker>,
    /// VistaAndAboveIDListDataBlock items.
    pub vista_id_list: Vec<ShellItem>,
    /// Signatures of every block seen, in order (raw, for completeness).
    pub signatures: Vec<u32>,
}

/// A parsed shell link.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct Lnk {
    /// LinkFlags.
    pub flags: LinkFlags,
    /// Raw LinkFlags (unknown bits kept).
    pub flags_raw: u32,
    /// Target file attributes.
    pub file_attributes: u32,
    /// Target creation time.
    pub target_created: FileTime,
    /// Target last access time.
    pub target_accessed: FileTime,
    /// Target last write time.
    pub target_modified: FileTime,
    /// Target size (low 32 bits).
    pub file_size: u32,
    /// Icon index.
    pub icon_index: i32,
    /// ShowCommand (1 normal, 3 maximized, 7 minimized).
    pub show_command: u32,
    /// HotKey (low byte key, high byte modifiers).
    pub hot_key: u16,
    /// The target IDList.
    pub id_list: Vec<ShellItem>,
    /// LinkInfo, when present.
    pub link_info: Option<LinkInfo>,
    /// NAME_STRING (description).
    pub name: Option<String>,
    /// RELATIVE_PATH.
    pub relative_path: Option<String>,
    /// WORKING_DIR.
    pub working_dir: Option<String>,
    /// COMMAND_LINE_ARGUMENTS.
    pub arguments: Option<String>,
    /// ICON_LOCATION.
    pub icon_location: Option<String>,
    /// ExtraData blocks.
    pub extra: ExtraData,
    /// Bytes this link occupies (links are embedded in jump lists).
    pub size: usize,
    /// Problems found in optional parts.
    pub warnings: Vec<Warning>,
}

impl Lnk {
    /// The best target path: LinkInfo local path (+ suffix), else the
    /// network share (+ suffix), else the path rebuilt from the IDList,
    /// else the environment-block path, else the relative path.
    pub fn target_path(&self) -> Option<String> {
        if let Some(li) = &self.link_info {
            let suffix = li.common_path_suffix.as_deref().unwrap_or("");
            if let Some(base) = li.local_base_path.as_deref().filter(|b| !b.is_empty()) {
                return Some(join_path(base, suffix));
            }
            if let Some(net) = &li.network {
                return Some(join_path(&net.net_name, suffix));
            }
        }
        self.id_list_path()
            .or_else(|| self.extra.environment.clone())
            .or_else(|| self.relative_path.clone())
    }

    /// The path rebuilt from the IDList (`My Computer\C:\…`).
    pub fn id_list_path(&self) -> Option<String> {
        id_list_path(&self.id_list)
    }

    /// MAC address from the tracker block.
    pub fn mac_address(&self) -> Option<[u8; 6]> {
        self.extra.tracker.as_ref().and_then(Tracker::mac_address)
    }
}

fn join_path(base: &str, suffix: &str) -> String {
    if suffix.is_empty() {
        base.to_string()
    } else if base.ends_with('\\') {
        format!("{base}{suffix}")
    } else {
        format!("{base}\\{suffix}")
    }
}

/// Whether `bytes` starts with a shell link header.
pub fn looks_like_lnk(bytes: &[u8]) -> bool {
    le_u32(bytes, 0) == Some(HEADER_SIZE as u32) && bytes.get(4..20) == Some(&LNK_CLSID[..])
}

/// Parses one shell link at the start of `bytes` (trailing bytes are
/// ignored; [`Lnk::size`] says how many were used).
pub fn parse_lnk(bytes: &[u8]) -> Result<Lnk> {
    let header = slice(bytes, 0, HEADER_SIZE).ok_or(Error::Truncated {
        what: "shell link header",
        offset: 0,
    })?;
    if !looks_like_lnk(header) {
        return Err(Error::BadSignature {
            what: "shell link header size/CLSID",
            offset: 0,
        });
    }
    let u32_at = |o| le_u32(header, o).unwrap_or(0);
    let ft = |o| FileTime(le_u64(header, o).unwrap_or(0));
    let flags_raw = u32_at(20);
    let flags = LinkFlags::from_bits_retain(flags_raw);
    let mut lnk = Lnk {
        flags,
        flags_raw,
        file_attributes: u32_at(24),
        target_created: ft(28),
        target_accessed: ft(36),
        target_modified: ft(44),
        file_size: u32_at(52),
        icon_index: le_i32(header, 56).unwrap_or(0),
        show_command: u32_at(60),
        hot_key: le_u16(header, 64).unwrap_or(0),
        id_list: Vec::new(),
        link_info: None,
        name: None,
        relative_path: None,
        working_dir: None,
        arguments: None,
        icon_location: None,
        extra: ExtraData::default(),
        size: HEADER_SIZE,
        warnings: Vec::new(),
    };
    let mut pos = HEADER_SIZE;

    if flags.contains(LinkFlags::HAS_LINK_TARGET_ID_LIST) {
        let size = usize::from(le_u16(bytes, pos).ok_or(Error::Truncated {
            what: "LinkTargetIDList size",
            offset: pos as u64,
        })?);
        match slice(bytes, pos + 2, size) {
            Some(body) => lnk.id_list = parse_id_list(body),
            None => {
                lnk.warn(pos, "LinkTargetIDList runs past the end of the data");
                lnk.size = bytes.len();
                return Ok(lnk);
            }
        }
        pos += 2 + size;
    }

    if flags.contains(LinkFlags::HAS_LINK_INFO) {
        let size = le_u32(bytes, pos).unwrap_or(0) as usize;
        match slice(bytes, pos, size).filter(|_| size >= 0x1C) {
            Some(li) => lnk.link_info = Some(parse_link_info(li, pos, &mut lnk.warnings)),
            None => {
                lnk.warn(pos, "LinkInfo truncated or too small");
                lnk.size = bytes.len();
                return Ok(lnk);
            }
        }
        pos += size;
    }

    // StringData: u16 character count + characters, per flag, in order.
    let unicode = flags.contains(LinkFlags::IS_UNICODE);
    let string_flags = [
        LinkFlags::HAS_NAME,
        LinkFlags::HAS_RELATIVE_PATH,
        LinkFlags::HAS_WORKING_DIR,
        LinkFlags::HAS_ARGUMENTS,
        LinkFlags::HAS_ICON_LOCATION,
    ];
    for (i, f) in string_flags.into_iter().enumerate() {
        if !flags.contains(f) {
            continue;
        }
        let Some(chars) = le_u16(bytes, pos) else {
            lnk.warn(pos, "StringData truncated");
            lnk.size = bytes.len();
            return Ok(lnk);
        };
        let n = usize::from(chars) * if unicode { 2 } else { 1 };
        let Some(raw) = slice(bytes, pos + 2, n) else {
            lnk.warn(pos, "StringData string runs past the end of the data");
            lnk.size = bytes.len();
            return Ok(lnk);
        };
        let s = if unicode {
            utf16le_lossy(raw)
        } else {
            raw.iter().map(|&b| b as char).collect()
        };
        let slot = match i {
            0 => &mut lnk.name,
            1 => &mut lnk.relative_path,
            2 => &mut lnk.working_dir,
            3 => &mut lnk.arguments,
            _ => &mut lnk.icon_location,
        };
        *slot = Some(s);
        pos += 2 + n;
    }

    // ExtraData blocks until a terminal block (size < 4).
    // (Many writers omit the terminal block at the very end of a file.)
    while let Some(size) = le_u32(bytes, pos) {
        let size = size as usize;
        if size < 4 {
            pos += 4;
            break;
        }
        let Some(block) = slice(bytes, pos, size).filter(|_| size >= 8) else {
            lnk.warn(pos, "ExtraData block runs past the end of the data");
            pos = bytes.len();
            break;
        };
        parse_extra_block(block, pos, &mut lnk);
        pos += size;
    }
    lnk.size = pos.min(bytes.len());
    Ok(lnk)
}

impl Lnk {
    fn warn(&mut self, offset: usize, message: &str) {
        self.warnings.push(Warning {
            offset: offset as u64,
            message: message.to_string(),
        });
    }
}

fn parse_link_info(li: &[u8], base: usize, warnings: &mut Vec<Warning>) -> LinkInfo {
    let f = |o| le_u32(li, o).unwrap_or(0) as usize;
    let header_size = f(4);
    let flags = f(8) as u32;
    let mut out = LinkInfo {
        flags,
        ..LinkInfo::default()
    };
    let ansi_at = |o: usize| (o != 0).then(|| latin1_nul(li.get(o..).unwrap_or_default()));
    let uni_at =
        |o: usize| (o != 0).then(|| utf16le_nul_terminated(li.get(o..).unwrap_or_default()));
    let has_unicode = header_size >= 0x24;

    if flags & 1 != 0 {
        let vol_off = f(12);
        match slice(li, vol_off, 16) {
            Some(_) => {
                let v = li.get(vol_off..).unwrap_or_default();
                let label_off = le_u32(v, 12).unwrap_or(0) as usize;
                let label = if label_off == 0x14 {
                    let uoff = le_u32(v, 16).unwrap_or(0) as usize;
                    utf16le_nul_terminated(v.get(uoff..).unwrap_or_default())
                } else {
                    latin1_nul(v.get(label_off..).unwrap_or_default())
                };
                out.volume = Some(VolumeId {
                    drive_type: le_u32(v, 4).unwrap_or(0),
                    serial: le_u32(v, 8).unwrap_or(0),
                    label,
                });
            }
            None => warnings.push(Warning {
                offset: (base + vol_off) as u64,
                message: "LinkInfo VolumeID outside the structure".into(),
            }),
        }
        let unicode_path = if has_unicode { uni_at(f(28)) } else { None };
        out.local_base_path = unicode_path.or_else(|| ansi_at(f(16)));
    }
    if flags & 2 != 0 {
        let net_off = f(20);
        match li.get(net_off..).filter(|n| n.len() >= 20) {
            Some(n) => {
                let nf = le_u32(n, 4).unwrap_or(0);
                let net_name_off = le_u32(n, 8).unwrap_or(0) as usize;
                let dev_off = le_u32(n, 12).unwrap_or(0) as usize;
                let provider = le_u32(n, 16).unwrap_or(0);
                let (net_name, device_name) = if net_name_off > 0x14 {
                    let nu = le_u32(n, 20).unwrap_or(0) as usize;
                    let du = le_u32(n, 24).unwrap_or(0) as usize;
                    (
                        utf16le_nul_terminated(n.get(nu..).unwrap_or_default()),
                        (du != 0).then(|| utf16le_nul_terminated(n.get(du..).unwrap_or_default())),
                    )
                } else {
                    (
                        latin1_nul(n.get(net_name_off..).unwrap_or_default()),
                        (nf & 1 != 0 && dev_off != 0)
                            .then(|| latin1_nul(n.get(dev_off..).unwrap_or_default())),
                    )
                };
                out.network = Some(NetworkLink {
                    flags: nf,
                    net_name,
                    device_name: device_name.filter(|d| !d.is_empty()),
                    provider_type: (nf & 2 != 0).then_some(provider),
                });
            }
            None => warnings.push(Warning {
                offset: (base + net_off) as u64,
                message: "LinkInfo CommonNetworkRelativeLink outside the structure".into(),
            }),
        }
    }
    let unicode_suffix = if has_unicode { uni_at(f(32)) } else { None };
    out.common_path_suffix = unicode_suffix
        .or_else(|| ansi_at(f(24)))
        .filter(|s| !s.is_empty());
    out
}

/// A string block with an ANSI copy at 8 (260 bytes) and a Unicode copy
/// at 268 (520 bytes): prefer the Unicode one.
fn dual_string(block: &[u8]) -> Option<String> {
    let uni = block
        .get(268..)
        .map(utf16le_nul_terminated)
        .unwrap_or_default();
    let s = if uni.is_empty() {
        block.get(8..).map(latin1_nul).unwrap_or_default()
    } else {
        uni
    };
    (!s.is_empty()).then_some(s)
}

fn parse_extra_block(block: &[u8], pos: usize, lnk: &mut Lnk) {
    let sig = le_u32(block, 4).unwrap_or(0);
    lnk.extra.signatures.push(sig);
    let e = &mut lnk.extra;
    match sig {
        0xA000_0001 => e.environment = dual_string(block),
        0xA000_0004 => e.console_code_page = le_u32(block, 8),
        0xA000_0005 => e.special_folder_id = le_u32(block, 8),
        0xA000_0006 => e.darwin = dual_string(block),
        0xA000_0007 => e.icon_environment = dual_string(block),
        0xA000_0008 => {
            e.shim_layer = block
                .get(8..)
                .map(utf16le_nul_terminated)
                .filter(|s| !s.is_empty())
        }
        0xA000_000B => e.known_folder = Guid::read(block, 8),
        0xA000_000C => {
            // The IDList here has no size prefix: items start at 8.
            e.vista_id_list = parse_id_list(block.get(8..).unwrap_or_default());
        }
        0xA000_0003 => {
            if block.len() < 0x60 {
                lnk.warnings.push(Warning {
                    offset: pos as u64,
                    message: format!("TrackerDataBlock is {} bytes, expected 96", block.len()),
                });
                return;
            }
            let g = |o| Guid::read(block, o).unwrap_or_default();
            e.tracker = Some(Tracker {
                machine_id: latin1_nul(block.get(16..32).unwrap_or_default()),
                droid_volume: g(32),
                droid_file: g(48),
                birth_volume: g(64),
                birth_file: g(80),
            });
        }
        _ => {}
    }
}
