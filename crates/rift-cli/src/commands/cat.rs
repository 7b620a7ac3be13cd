//! `rift cat`: write one file or stream of an NTFS volume to stdout (like
//! `icat`). Deleted entries are read by entry number (`-e N`), their
//! clusters as they are now on disk.

use std::io::{self, Write};
use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::{Context, bail};
use rift_ntfs::{AttrType, MftEntry, Ntfs};

use super::ls::{Source, VolumeOpts, open_source};

/// Arguments of `rift cat`.
#[derive(clap::Args)]
pub struct Args {
    /// Disk image (E01, raw, VM disk) or bare NTFS volume.
    pub image: PathBuf,
    /// File path inside the volume, optionally `:STREAM` (e.g.
    /// `Users/a/Downloads/x.exe:Zone.Identifier`).
    #[arg(required_unless_present = "entry")]
    pub path: Option<String>,
    /// MFT entry instead of a path: `N`, `N:STREAM` or TSK-style `N-TYPE-ID`.
    #[arg(short = 'e', long = "entry", conflicts_with = "path")]
    pub entry: Option<String>,
    /// Do not decode WOF system compression (write the stored bytes).
    #[arg(long)]
    pub raw: bool,
    #[command(flatten)]
    pub volume: VolumeOpts,
}

/// A resolved target: entry plus attribute selector.
pub(crate) struct Target {
    pub entry: MftEntry,
    /// `None` = unnamed $DATA.
    pub stream: Option<String>,
    /// TSK `type-id` selector, when given.
    pub type_id: Option<(u32, u16)>,
}

/// Splits `path:stream` (a `:` after the last separator; a leading drive
/// letter `C:` is dropped).
pub(crate) fn split_stream(p: &str) -> (String, Option<String>) {
    let mut p = p.trim();
    if p.len() >= 2
        && p.as_bytes().get(1) == Some(&b':')
        && p.as_bytes()
            .first()
            .is_some_and(|c| c.is_ascii_alphabetic())
    {
        p = p.get(2..).unwrap_or("");
    }
    let sep = p.rfind(['/', '\\']).map(|i| i + 1).unwrap_or(0);
    match p.get(sep..).and_then(|tail| tail.find(':')) {
        Some(i) => {
            let cut = sep + i;
            let (a, b) = p.split_at(cut);
            (
                a.to_string(),
                Some(b.get(1..).unwrap_or("").to_string()).filter(|s| !s.is_empty()),
            )
        }
        None => (p.to_string(), None),
    }
}

/// Resolves `path` or `-e` into a target.
pub(crate) fn resolve(
    ntfs: &Ntfs,
    path: Option<&str>,
    entry: Option<&str>,
) -> anyhow::Result<Target> {
    if let Some(e) = entry {
        let (num, stream) = match e.split_once(':') {
            Some((a, b)) => (a, Some(b.to_string())),
            None => (e, None),
        };
        let mut parts = num.split('-');
        let n: u64 = parts
            .next()
            .unwrap_or("")
            .parse()
            .with_context(|| format!("bad entry {e:?}"))?;
        let type_id = match (parts.next(), parts.next()) {
            (Some(t), Some(i)) => Some((
                t.parse().context("bad attribute type")?,
                i.parse().context("bad attribute id")?,
            )),
            _ => None,
        };
        let entry = ntfs.entry(n).with_context(|| format!("MFT entry {n}"))?;
        return Ok(Target {
            entry,
            stream,
            type_id,
        });
    }
    let p = path.unwrap_or("");
    let (p, stream) = split_stream(p);
    let entry = ntfs.find(&p)?.with_context(|| format!("{p}: not found"))?;
    Ok(Target {
        entry,
        stream,
        type_id: None,
    })
}

/// Opens the target's stream.
pub(crate) fn open_target(
    ntfs: &Ntfs,
    t: &Target,
    raw: bool,
) -> anyhow::Result<rift_ntfs::NtfsStream> {
    if let Some((ty, id)) = t.type_id {
        let a = t
            .entry
            .attributes
            .iter()
            .find(|a| a.type_code == AttrType(ty) && a.instance == id)
            .with_context(|| format!("entry {} has no attribute {ty}-{id}", t.entry.number))?;
        if a.type_code == AttrType::DATA && a.name.is_empty() && !raw {
            return Ok(ntfs.open_stream(&t.entry, None)?);
        }
        return Ok(ntfs.attribute_stream(t.entry.number, a)?);
    }
    let s = t.stream.as_deref();
    if s.is_none() && t.entry.attribute(AttrType::DATA, "").is_none() {
        if t.entry.has_i30() {
            bail!(
                "entry {} is a directory (no unnamed data stream)",
                t.entry.number
            );
        }
        bail!("entry {} has no unnamed data stream", t.entry.number);
    }
    Ok(if raw {
        ntfs.open_stream_raw(&t.entry, s)?
    } else {
        ntfs.open_stream(&t.entry, s)?
    })
}

/// Runs the subcommand.
pub fn run(args: Args) -> anyhow::Result<ExitCode> {
    let src = open_source(&args.image, &args.volume, false)?;
    let Source::Volume(ntfs) = &src else {
        bail!("rift cat needs a disk image or volume");
    };
    let t = resolve(ntfs, args.path.as_deref(), args.entry.as_deref())?;
    if !t.entry.in_use() {
        eprintln!(
            "rift: note: entry {} is not in use (deleted); its clusters may have been reused",
            t.entry.number
        );
    }
    let stream = open_target(ntfs, &t, args.raw)?;
    let stdout = io::stdout();
    let mut w = stdout.lock();
    copy_stream(&stream, &mut w)?;
    w.flush()?;
    Ok(ExitCode::SUCCESS)
}

/// Copies a whole stream to a writer in 1 MiB blocks; returns the byte count.
pub(crate) fn copy_stream(s: &rift_ntfs::NtfsStream, w: &mut dyn Write) -> anyhow::Result<u64> {
    let size = s.size();
    let mut buf = vec![0u8; 1 << 20];
    let mut off = 0u64;
    while off < size {
        let n = (size - off).min(buf.len() as u64) as usize;
        let b = buf.get_mut(..n).unwrap_or_default();
        rift_io::read_exact_at(s, off, b)
            .with_context(|| format!("reading stream at offset {off}"))?;
        w.write_all(b)?;
        off += n as u64;
    }
    Ok(off)
}

#[cfg(test)]
mod tests {
    use super::split_stream;

    #[test]
    fn stream_suffix() {
        assert_eq!(
            split_stream("a/b.txt:Zone.Identifier"),
            ("a/b.txt".into(), Some("Zone.Identifier".into()))
        );
        assert_eq!(split_stream("C:\\a\\b.txt"), ("\\a\\b.txt".into(), None));
        assert_eq!(
            split_stream("$Extend/$UsnJrnl:$J"),
            ("$Extend/$UsnJrnl".into(), Some("$J".into()))
        );
    }
}
