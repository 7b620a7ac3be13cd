//! CSV output: MFTECmd's `$J` layout, and rift's own layout with full
//! paths, raw flag words and the carved flag.
//!
//! Both follow the EZ-tools conventions (`docs/FORMATS.md`): UTF-8 with a
//! BOM, CRLF line endings, times as `yyyy-MM-dd HH:mm:ss.fffffff` UTC, an
//! empty cell where there is no value, `True`/`False` booleans. Fields are
//! quoted only when they hold a comma, quote, CR/LF or leading/trailing
//! space (as CsvHelper does).

use std::io::{self, Write};

use rift_io::time::FileTime;
#[cfg(doc)]
use rift_io::time::format_ez;

use crate::journal::PathedRecord;
use crate::record::extension_of;

/// MFTECmd `$J` header (`JEntryOut`), exactly.
pub const MFTECMD_HEADER: &str = "Name,Extension,EntryNumber,SequenceNumber,ParentEntryNumber,ParentSequenceNumber,ParentPath,UpdateSequenceNumber,UpdateTimestamp,UpdateReasons,FileAttributes,OffsetToData,SourceFile";

/// rift's own header: MFTECmd's columns first, then what they lack.
pub const RIFT_HEADER: &str = "Name,Extension,EntryNumber,SequenceNumber,ParentEntryNumber,ParentSequenceNumber,ParentPath,UpdateSequenceNumber,UpdateTimestamp,UpdateReasons,FileAttributes,OffsetToData,SourceFile,FullPath,PathComplete,Carved,ReasonBits,AttributeBits,SourceInfo,SecurityId,MajorVersion,FileId,ParentFileId,Extents";

/// The UTF-8 byte-order mark every EZ-tools CSV starts with.
pub const BOM: &[u8] = b"\xEF\xBB\xBF";

/// Which layout to write.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Layout {
    /// MFTECmd's 13 columns.
    MftEcmd,
    /// rift's layout ([`RIFT_HEADER`]).
    Rift,
}

/// Writes CSV rows for USN records.
pub struct CsvWriter<W: Write> {
    out: W,
    layout: Layout,
    line: String,
}

fn needs_quotes(s: &str) -> bool {
    let b = s.as_bytes();
    matches!(b.first(), Some(b' ' | b'\t'))
        || matches!(b.last(), Some(b' ' | b'\t'))
        || b.iter().any(|&c| matches!(c, b',' | b'"' | b'\r' | b'\n'))
}

/// Appends `s` as one CSV field.
pub fn push_field(line: &mut String, s: &str) {
    if needs_quotes(s) {
        line.push('"');
        line.push_str(&s.replace('"', "\"\""));
        line.push('"');
    } else {
        line.push_str(s);
    }
}

/// A FILETIME in the EZ layout; empty for 0 or out of range.
pub fn ez_time(t: FileTime) -> String {
    let mut s = String::new();
    push_ez_time(&mut s, t);
    s
}

/// Appends a FILETIME as `yyyy-MM-dd HH:mm:ss.fffffff` (UTC); nothing for
/// 0 or years past 9999 (see [`rift_io::time::push_ez`]).
pub fn push_ez_time(out: &mut String, t: FileTime) {
    rift_io::time::push_ez(out, t);
}

/// MFTECmd writes paths relative to the volume root as `.\dir\sub`.
fn dot_path(path: &str) -> String {
    if path == "\\" {
        ".".to_owned()
    } else {
        format!(".{path}")
    }
}

impl<W: Write> CsvWriter<W> {
    /// Writes the BOM and the header row.
    pub fn new(mut out: W, layout: Layout) -> io::Result<Self> {
        out.write_all(BOM)?;
        let h = match layout {
            Layout::MftEcmd => MFTECMD_HEADER,
            Layout::Rift => RIFT_HEADER,
        };
        out.write_all(h.as_bytes())?;
        out.write_all(b"\r\n")?;
        Ok(CsvWriter {
            out,
            layout,
            line: String::with_capacity(512),
        })
    }

    /// Writes one row. `source_file` fills `SourceFile`.
    pub fn write(&mut self, p: &PathedRecord, source_file: &str) -> io::Result<()> {
        use std::fmt::Write as _;
        let r = &p.record;
        let l = &mut self.line;
        l.clear();
        let sep = |l: &mut String| l.push(',');
        push_field(l, &p.name);
        sep(l);
        push_field(l, extension_of(&p.name));
        sep(l);
        let _ = write!(
            l,
            "{},{},{},{},",
            r.file_id.entry(),
            r.file_id.sequence(),
            r.parent_id.entry(),
            r.parent_id.sequence()
        );
        if p.parent_path == "\\" {
            l.push('.');
        } else if needs_quotes(&p.parent_path) {
            push_field(l, &dot_path(&p.parent_path));
        } else {
            l.push('.');
            l.push_str(&p.parent_path);
        }
        let _ = write!(l, ",{},", r.usn);
        push_ez_time(l, r.timestamp);
        sep(l);
        r.reason.push_names(l);
        sep(l);
        r.attributes.push_names(l);
        let _ = write!(l, ",{},", r.offset);
        push_field(l, source_file);
        if self.layout == Layout::Rift {
            sep(l);
            push_field(l, &p.full_path);
            sep(l);
            l.push_str(bool_str(p.path_complete));
            sep(l);
            l.push_str(bool_str(p.carved));
            sep(l);
            l.push_str(&format!("0x{:08X}", r.reason.bits()));
            sep(l);
            l.push_str(&format!("0x{:08X}", r.attributes.bits()));
            sep(l);
            l.push_str(&r.source_info.names());
            sep(l);
            l.push_str(&r.security_id.to_string());
            sep(l);
            l.push_str(&r.major.to_string());
            sep(l);
            l.push_str(&format!("0x{:X}", r.file_id.0));
            sep(l);
            l.push_str(&format!("0x{:X}", r.parent_id.0));
            sep(l);
            let ext: Vec<String> = r
                .extents
                .iter()
                .map(|e| format!("{}+{}", e.offset, e.length))
                .collect();
            l.push_str(&ext.join(" "));
        }
        l.push_str("\r\n");
        self.out.write_all(l.as_bytes())
    }

    /// Flushes and returns the writer.
    pub fn finish(mut self) -> io::Result<W> {
        self.out.flush()?;
        Ok(self.out)
    }
}

fn bool_str(b: bool) -> &'static str {
    if b { "True" } else { "False" }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fast_time_format_agrees_with_rift_io() {
        for t in [
            1u64,
            131_926_665_709_243_619,
            0x01D9_D0E1_0000_0000,
            125_911_584_000_000_000,
            2_650_400_000_000_000_000,
        ] {
            let want = FileTime(t)
                .to_timestamp()
                .map(rift_io::time::format_ez)
                .unwrap_or_default();
            assert_eq!(ez_time(FileTime(t)), want, "{t}");
        }
        assert_eq!(ez_time(FileTime(0)), "");
        assert_eq!(
            ez_time(FileTime(131_926_665_709_243_619)),
            "2019-01-22 21:36:10.9243619"
        );
    }

    #[test]
    fn quoting() {
        let mut s = String::new();
        push_field(&mut s, "a,b \"c\"");
        assert_eq!(s, "\"a,b \"\"c\"\"\"");
        let mut s = String::new();
        push_field(&mut s, "plain.txt");
        assert_eq!(s, "plain.txt");
    }
}
