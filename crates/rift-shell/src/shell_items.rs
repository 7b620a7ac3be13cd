//! Shell items (the entries of an `IDList`), decoded far enough to rebuild
//! a path: root folders (by GUID), volumes (`C:\`), file entries (short
//! name, with the long name and MFT reference from the `0xBEEF0004`
//! extension block), network locations. Other item types are kept as
//! their class byte so nothing is silently dropped.
//!
//! Sources: [MS-SHLLINK] §2.2 (IDList / ItemID framing); libyal/libfwsi
//! `documentation/Windows Shell Item format.asciidoc` (class types, file
//! entry layout, extension block 0xbeef0004 versions 3/7/8/9).

use rift_io::bytes::{le_u16, le_u32, le_u64, slice, utf16le_nul_terminated};

use crate::guid::Guid;
use crate::latin1_nul;

/// One decoded shell item.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum ShellItem {
    /// A root folder (class 0x1F), e.g. My Computer.
    RootFolder {
        /// The shell folder GUID.
        guid: Guid,
        /// A well-known name for it, when we know one.
        name: Option<&'static str>,
    },
    /// A volume (class 0x20–0x2F), e.g. `C:\`.
    Volume {
        /// The drive name, as stored.
        name: String,
    },
    /// A file or directory (class 0x30–0x3F).
    FileEntry {
        /// Whether the directory flag (0x01 in the class) is set.
        is_directory: bool,
        /// The 8.3 (or stored primary) name.
        short_name: String,
        /// The long name from the extension block, when present.
        long_name: Option<String>,
        /// The file size field (32 bits).
        file_size: u32,
        /// NTFS file reference from the extension block (version ≥ 7).
        mft_reference: Option<u64>,
    },
    /// A network location (class 0x40–0x4F), e.g. `\\server\share`.
    Network {
        /// The location string.
        location: String,
    },
    /// Any other class, kept raw.
    Other {
        /// The class type byte.
        class: u8,
        /// Size of the item in bytes.
        size: usize,
    },
}

impl ShellItem {
    /// The name this item adds to a path.
    pub fn path_component(&self) -> Option<String> {
        match self {
            ShellItem::RootFolder { guid, name } => {
                Some(name.map_or_else(|| format!("::{{{guid}}}"), |n| n.to_string()))
            }
            ShellItem::Volume { name } => Some(name.trim_end_matches('\\').to_string()),
            ShellItem::FileEntry {
                short_name,
                long_name,
                ..
            } => Some(long_name.clone().unwrap_or_else(|| short_name.clone())),
            ShellItem::Network { location } => Some(location.clone()),
            ShellItem::Other { .. } => None,
        }
    }
}

/// Well-known shell folder GUIDs (Windows SDK `shlguid.h` / `knownfolders.h`).
fn root_folder_name(g: &Guid) -> Option<&'static str> {
    Some(match g.to_string().as_str() {
        "20d04fe0-3aea-1069-a2d8-08002b30309d" => "My Computer",
        "208d2c60-3aea-1069-a2d7-08002b30309d" => "My Network Places",
        "645ff040-5081-101b-9f08-00aa002f954e" => "Recycle Bin",
        "21ec2020-3aea-1069-a2dd-08002b30309d" => "Control Panel",
        "26ee0668-a00a-44d7-9371-beb064c98683" => "Control Panel",
        "59031a47-3f72-44a7-89c5-5595fe6b30ee" => "Users Files",
        "031e4825-7b94-4dc3-b131-e946b44c8dd5" => "Libraries",
        "450d8fba-ad25-11d0-98a8-0800361b1103" => "My Documents",
        "f02c1a0d-be21-4350-88b0-7367fc96ef3c" => "Network",
        "679f85cb-0220-4080-b29b-5540cc05aab6" => "Quick Access",
        "374de290-123f-4565-9164-39c4925e467b" => "Downloads",
        "d3162b92-9365-467a-956b-92703aca08af" => "Documents",
        "088e3905-0323-4b02-9826-5d99428e115f" => "Downloads",
        "b4bfcc3a-db2c-424c-b029-7fe99a87c641" => "Desktop",
        "24ad3ad4-a569-4530-98e1-ab02f9417aa8" => "Pictures",
        _ => return None,
    })
}

/// Decodes an IDList body (the bytes after its u16 size). Stops at the
/// terminal zero item or the end; a malformed item ends the list with the
/// items read so far.
pub fn parse_id_list(buf: &[u8]) -> Vec<ShellItem> {
    let mut items = Vec::new();
    let mut pos = 0usize;
    // Each item is at least 2 bytes, so the loop is bounded by buf.len()/2.
    while let Some(size) = le_u16(buf, pos) {
        let size = usize::from(size);
        if size < 2 {
            break;
        }
        let Some(item) = slice(buf, pos, size) else {
            break;
        };
        items.push(parse_item(item));
        pos += size;
    }
    items
}

fn parse_item(item: &[u8]) -> ShellItem {
    let class = item.get(2).copied().unwrap_or(0);
    let size = item.len();
    match class {
        0x1F => match Guid::read(item, 4) {
            Some(guid) => ShellItem::RootFolder {
                name: root_folder_name(&guid),
                guid,
            },
            None => ShellItem::Other { class, size },
        },
        0x20..=0x2F => {
            let name = latin1_nul(item.get(3..).unwrap_or_default());
            if name.is_empty() {
                ShellItem::Other { class, size }
            } else {
                ShellItem::Volume { name }
            }
        }
        0x30..=0x3F => parse_file_entry(item, class),
        0x40..=0x4F => {
            let location = latin1_nul(item.get(5..).unwrap_or_default());
            ShellItem::Network { location }
        }
        _ => ShellItem::Other { class, size },
    }
}

fn parse_file_entry(item: &[u8], class: u8) -> ShellItem {
    let file_size = le_u32(item, 4).unwrap_or(0);
    let unicode = class & 0x04 != 0;
    let name_bytes = item.get(14..).unwrap_or_default();
    let (short_name, name_len) = if unicode {
        let s = utf16le_nul_terminated(name_bytes);
        let units = s.encode_utf16().count();
        (s, (units + 1) * 2)
    } else {
        let s = latin1_nul(name_bytes);
        let n = s.chars().count() + 1;
        (s, n + (n & 1)) // padded to an even size
    };
    // Extension blocks follow the primary name; find 0xBEEF0004.
    let mut long_name = None;
    let mut mft_reference = None;
    let mut p = 14 + name_len;
    while let (Some(bsize), Some(sig)) = (le_u16(item, p), le_u32(item, p + 4)) {
        let bsize = usize::from(bsize);
        if bsize < 8 {
            break;
        }
        let Some(block) = slice(item, p, bsize) else {
            break;
        };
        if sig == 0xBEEF_0004 {
            let version = le_u16(block, 2).unwrap_or(0);
            if version >= 7 {
                mft_reference = le_u64(block, 20).filter(|&r| r != 0);
            }
            let name_at = match version {
                0..=2 => None,
                3..=6 => Some(20),
                7 => Some(38),
                8 => Some(42),
                _ => Some(46),
            };
            long_name = name_at
                .and_then(|o| block.get(o..))
                .map(utf16le_nul_terminated)
                .filter(|s| !s.is_empty());
        }
        p += bsize;
    }
    ShellItem::FileEntry {
        is_directory: class & 0x01 != 0,
        short_name,
        long_name,
        file_size,
        mft_reference,
    }
}

/// Joins the path components of an ID list: `My Computer\C:\Users\x.txt`.
pub fn id_list_path(items: &[ShellItem]) -> Option<String> {
    let parts: Vec<String> = items.iter().filter_map(ShellItem::path_component).collect();
    (!parts.is_empty()).then(|| parts.join("\\"))
}
