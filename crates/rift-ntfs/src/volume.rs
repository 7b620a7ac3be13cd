//! The volume: boot sector, `$MFT`, entries, streams.

use std::collections::BTreeSet;
use std::sync::{Arc, OnceLock};

use rift_io::{ReadAt, SharedReader};

use crate::boot::{BootSector, read_at_exact};
use crate::entry::MftEntry;
use crate::error::{Error, Result};
use crate::index::{self, DirListing};
use crate::mft::RecordSource;
use crate::paths::PathMap;
use crate::record::{AttrBody, AttrFlags, Attribute, Record, parse_record_in_place};
use crate::runs::Run;
use crate::secure::SecureMap;
use crate::stream::{CompressedReader, Inner, NtfsStream, RunReader, WofReader};
use crate::upcase::UpCase;
use crate::values::{AttrType, FileReference, parse_attribute_list};

/// Cap on the `$ATTRIBUTE_LIST` value we read (Windows keeps it well
/// below; a hostile size must not make us allocate).
const MAX_ATTRIBUTE_LIST: u64 = 4 << 20;
/// Cap on the number of extension records merged into one entry.
const MAX_EXTENSIONS: usize = 4096;
/// Size cap for [`Ntfs::read_all`] helpers of small metadata.
const MAX_METADATA: u64 = 256 << 20;

/// Well-known MFT entry numbers.
#[allow(missing_docs)]
pub mod entries {
    pub const MFT: u64 = 0;
    pub const MFT_MIRR: u64 = 1;
    pub const LOGFILE: u64 = 2;
    pub const VOLUME: u64 = 3;
    pub const ATTRDEF: u64 = 4;
    pub const ROOT: u64 = 5;
    pub const BITMAP: u64 = 6;
    pub const BOOT: u64 = 7;
    pub const BADCLUS: u64 = 8;
    pub const SECURE: u64 = 9;
    pub const UPCASE: u64 = 10;
    pub const EXTEND: u64 = 11;
}

pub(crate) struct VolumeInner {
    pub(crate) vol: SharedReader,
    pub(crate) boot: BootSector,
    pub(crate) src: RecordSource,
    pub(crate) upcase: OnceLock<UpCase>,
    pub(crate) paths: OnceLock<Arc<PathMap>>,
    pub(crate) secure: OnceLock<Arc<SecureMap>>,
    pub(crate) bitmap: OnceLock<Option<Arc<Vec<u8>>>>,
    pub(crate) mft_problems: Vec<String>,
}

/// An open NTFS volume.
///
/// Cheap to clone (an `Arc`), `Send + Sync`; every method takes `&self`, so
/// several threads can read different files of one volume at once.
#[derive(Clone)]
pub struct Ntfs {
    pub(crate) v: Arc<VolumeInner>,
}

impl std::fmt::Debug for Ntfs {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Ntfs")
            .field("boot", &self.v.boot)
            .field("mft_records", &self.v.src.count)
            .finish()
    }
}

impl Ntfs {
    /// Opens the NTFS volume in `volume` (a partition window, a raw volume
    /// image …). Reads the boot sector (falling back to the backup copy)
    /// and maps `$MFT`, including an `$MFT` fragmented across extension
    /// records.
    pub fn open<R: ReadAt + 'static>(volume: R) -> Result<Ntfs> {
        Self::open_shared(Arc::new(volume))
    }

    /// Same as [`Ntfs::open`] for a reader that is already shared.
    pub fn open_shared(vol: SharedReader) -> Result<Ntfs> {
        let boot = BootSector::read(&*vol)?;
        let rs = boot.file_record_size;
        let cl = boot.cluster_size;
        let mft_off = boot
            .mft_lcn
            .checked_mul(cl)
            .ok_or_else(|| Error::BadBootSector {
                offset: boot.position,
                reason: "MFT position overflows".into(),
            })?;
        let mut buf = vec![0u8; rs as usize];
        let rec0 = read_at_exact(&*vol, mft_off, &mut buf)
            .and_then(|()| parse_record_in_place(&mut buf, 0, mft_off));
        let rec0 = match rec0 {
            Ok(r) => r,
            Err(e) => {
                // $MFTMirr holds a copy of the first records.
                let mirr = boot.mft_mirror_lcn.saturating_mul(cl);
                read_at_exact(&*vol, mirr, &mut buf)
                    .and_then(|()| parse_record_in_place(&mut buf, 0, mirr))
                    .map_err(|_| e)?
            }
        };
        let mut problems = Vec::new();
        // Bootstrap: the base record's $DATA extent(s) map at least the
        // records holding the rest of $MFT's attributes.
        let (runs0, size0) = mft_data(&rec0.attributes);
        if runs0.is_empty() {
            return Err(Error::BadRecord {
                record: 0,
                offset: mft_off,
                reason: "$MFT has no non-resident $DATA".into(),
            });
        }
        let boot_stream = NtfsStream {
            inner: Inner::Runs(RunReader {
                vol: Arc::clone(&vol),
                cluster: cl,
                runs: runs0.into(),
                data_size: size0,
                init_size: size0,
            }),
            size: size0,
            entry: 0,
            name: String::new(),
        };
        let boot_src = RecordSource::new(Arc::new(boot_stream), rs);
        let mut inner = VolumeInner {
            vol: Arc::clone(&vol),
            boot: boot.clone(),
            src: boot_src,
            upcase: OnceLock::new(),
            paths: OnceLock::new(),
            secure: OnceLock::new(),
            bitmap: OnceLock::new(),
            mft_problems: Vec::new(),
        };
        // With an attribute list, load the full entry 0 to get every extent.
        let has_list = rec0
            .attributes
            .iter()
            .any(|a| a.type_code == AttrType::ATTRIBUTE_LIST);
        let (runs, size) = if has_list {
            let tmp = Ntfs { v: Arc::new(inner) };
            let e0 = load_entry(&tmp.v.src, Some(&tmp), 0)?;
            problems.extend(e0.problems.iter().cloned());
            inner = Arc::try_unwrap(tmp.v).map_err(|_| Error::Unsupported {
                what: "internal: volume still shared during bootstrap".into(),
            })?;
            mft_data(&e0.attributes)
        } else {
            mft_data(&rec0.attributes)
        };
        let stream = NtfsStream {
            inner: Inner::Runs(RunReader {
                vol: Arc::clone(&vol),
                cluster: cl,
                runs: runs.into(),
                data_size: size,
                init_size: size,
            }),
            size,
            entry: 0,
            name: String::new(),
        };
        inner.src = RecordSource::new(Arc::new(stream), rs);
        inner.mft_problems = problems;
        Ok(Ntfs { v: Arc::new(inner) })
    }

    /// The boot sector.
    pub fn boot_sector(&self) -> &BootSector {
        &self.v.boot
    }

    /// Cluster size in bytes.
    pub fn cluster_size(&self) -> u64 {
        self.v.boot.cluster_size
    }

    /// FILE record size in bytes.
    pub fn record_size(&self) -> u32 {
        self.v.src.record_size
    }

    /// Number of records in `$MFT` (its data size / record size).
    pub fn mft_record_count(&self) -> u64 {
        self.v.src.count
    }

    /// Problems found while mapping `$MFT` (usually empty).
    pub fn mft_problems(&self) -> &[String] {
        &self.v.mft_problems
    }

    /// The volume reader.
    pub fn volume(&self) -> &SharedReader {
        &self.v.vol
    }

    /// Byte position of record `n` on the volume (for reports), when mapped.
    pub fn record_volume_offset(&self, n: u64) -> Option<u64> {
        let off = self.v.src.record_offset(n);
        let cl = self.v.boot.cluster_size;
        let vcn = off / cl;
        // Find the run in the $MFT stream.
        let s = self.mft_stream().ok()?;
        let r = s
            .runs()
            .iter()
            .find(|r| r.vcn <= vcn && vcn < r.end_vcn())?;
        Some(r.lcn? * cl + (vcn - r.vcn) * cl + off % cl)
    }

    /// One FILE record as stored (no extension merge).
    pub fn record(&self, n: u64) -> Result<Record> {
        self.v.src.record(n)
    }

    /// MFT entry `n` with all attributes merged across extension records.
    /// Works for in-use and deleted entries alike.
    pub fn entry(&self, n: u64) -> Result<MftEntry> {
        load_entry(&self.v.src, Some(self), n)
    }

    /// Iterates over every base entry of `$MFT` (in-use and deleted, in
    /// entry order), yielding one `Result` per record; empty (never used)
    /// records and extension records are skipped (see [`Entries`]).
    pub fn entries(&self) -> Entries {
        Entries::new(self.v.src.clone(), Some(self.clone()))
    }

    /// Opens stream `name` (`None` or `""` = the unnamed `$DATA`) of
    /// `entry`. Decodes LZNT1 compression and WOF system compression
    /// (XPRESS; LZX is reported as [`Error::Unsupported`]; use
    /// [`Ntfs::open_stream_raw`] for the stored bytes).
    pub fn open_stream(&self, entry: &MftEntry, name: Option<&str>) -> Result<NtfsStream> {
        let name = name.unwrap_or("");
        if name.is_empty() {
            if let Some(wof) = entry.reparse_point().and_then(|r| r.wof()) {
                if wof.provider == 2 {
                    if let Some(fmt) = wof.format {
                        let size = entry.data_size();
                        let src =
                            self.open_attribute_stream(entry, AttrType::DATA, "WofCompressedData")?;
                        let w = WofReader::new(src, fmt, size)?;
                        return Ok(NtfsStream {
                            size,
                            inner: Inner::Wof(w),
                            entry: entry.number,
                            name: String::new(),
                        });
                    }
                }
            }
        }
        self.open_attribute_stream(entry, AttrType::DATA, name)
    }

    /// Opens stream `name` without WOF decoding.
    pub fn open_stream_raw(&self, entry: &MftEntry, name: Option<&str>) -> Result<NtfsStream> {
        self.open_attribute_stream(entry, AttrType::DATA, name.unwrap_or(""))
    }

    /// Opens the value of any attribute (`$INDEX_ALLOCATION`, `$BITMAP`,
    /// `$ATTRIBUTE_LIST`, `$EA` …) as a stream.
    pub fn open_attribute_stream(
        &self,
        entry: &MftEntry,
        t: AttrType,
        name: &str,
    ) -> Result<NtfsStream> {
        let a = entry
            .attribute(t, name)
            .ok_or_else(|| Error::NoSuchStream {
                entry: entry.number,
                name: if t == AttrType::DATA {
                    name.to_string()
                } else {
                    format!("{}:{name}", t.name())
                },
            })?;
        self.attribute_stream(entry.number, a)
    }

    /// Opens one attribute's value as a stream.
    pub fn attribute_stream(&self, entry: u64, a: &Attribute) -> Result<NtfsStream> {
        stream_for(&self.v.vol, self.v.boot.cluster_size, entry, a)
    }

    /// Reads a whole stream of `entry` (`None` = unnamed) into memory,
    /// failing with [`Error::TooLarge`] above `cap` bytes.
    pub fn read_all(&self, entry: &MftEntry, stream: Option<&str>, cap: u64) -> Result<Vec<u8>> {
        self.open_stream(entry, stream)?.read_all(cap)
    }

    /// The text of the `Zone.Identifier` alternate data stream (where a
    /// downloaded file came from: `ZoneId`, `HostUrl`, `ReferrerUrl`), if
    /// the entry has one. Capped at 64 KiB.
    pub fn zone_identifier(&self, entry: &MftEntry) -> Option<String> {
        entry.attribute(AttrType::DATA, "Zone.Identifier")?;
        let b = self
            .read_all(entry, Some("Zone.Identifier"), 64 << 10)
            .ok()?;
        Some(String::from_utf8_lossy(&b).into_owned())
    }

    /// The `$MFT` data stream itself.
    pub fn mft_stream(&self) -> Result<NtfsStream> {
        let e = self.entry(entries::MFT)?;
        self.open_stream(&e, None)
    }

    /// The volume's `$UpCase` table (loaded once; falls back to a simple
    /// table when `$UpCase` cannot be read).
    pub fn upcase(&self) -> &UpCase {
        self.v.upcase.get_or_init(|| {
            self.entry(entries::UPCASE)
                .and_then(|e| self.read_all(&e, None, 1 << 20))
                .ok()
                .and_then(|b| UpCase::from_bytes(&b))
                .unwrap_or_else(UpCase::fallback)
        })
    }

    /// Lists a directory through its `$I30` index: live entries (sorted
    /// by name in `$UpCase` order) and, separately, entries recovered from
    /// index slack (flagged `from_slack`).
    pub fn read_dir(&self, dir: &MftEntry) -> Result<DirListing> {
        index::read_dir(self, dir)
    }

    /// Finds a path (`\`- or `/`-separated, relative to the root;
    /// case-insensitive through `$UpCase`). A trailing `:stream` is not
    /// interpreted here. Returns `Ok(None)` when a component is missing.
    pub fn find(&self, path: &str) -> Result<Option<MftEntry>> {
        let mut cur = self.entry(entries::ROOT)?;
        let comps = path
            .split(['\\', '/'])
            .filter(|c| !c.is_empty() && *c != ".");
        for c in comps {
            if !cur.has_i30() {
                return Ok(None);
            }
            let want = self.upcase().upcase_str(c);
            let listing = self.read_dir(&cur)?;
            let hit = listing
                .entries
                .iter()
                .find(|e| self.upcase().upcase_units(&e.name.name_utf16) == want);
            let Some(hit) = hit else { return Ok(None) };
            let next = self.entry(hit.reference.entry())?;
            if next.sequence() != hit.reference.sequence() && hit.reference.sequence() != 0 {
                return Ok(None);
            }
            cur = next;
        }
        Ok(Some(cur))
    }

    /// The parent map of the volume (built once, in one pass over `$MFT`):
    /// a full path for every entry.
    pub fn paths(&self) -> Arc<PathMap> {
        Arc::clone(
            self.v
                .paths
                .get_or_init(|| Arc::new(PathMap::build(self.entries()))),
        )
    }

    /// Full path of an entry (`\`-separated, no leading separator;
    /// `$OrphanFiles\…` when the parent chain is broken).
    pub fn path_of(&self, entry: u64) -> String {
        self.paths().path(entry)
    }

    /// Owner SIDs by security id, from `$Secure:$SDS` (loaded once).
    pub fn secure(&self) -> Arc<SecureMap> {
        Arc::clone(self.v.secure.get_or_init(|| {
            let m = self
                .entry(entries::SECURE)
                .and_then(|e| self.open_stream(&e, Some("$SDS")))
                .map(|s| SecureMap::parse(&s))
                .unwrap_or_default();
            Arc::new(m)
        }))
    }

    fn bitmap(&self) -> Option<Arc<Vec<u8>>> {
        self.v
            .bitmap
            .get_or_init(|| {
                let e = self.entry(entries::BITMAP).ok()?;
                self.read_all(&e, None, MAX_METADATA).ok().map(Arc::new)
            })
            .clone()
    }

    /// Whether cluster `lcn` is allocated according to `$Bitmap`
    /// (`None` when `$Bitmap` is unreadable or `lcn` is outside it).
    pub fn cluster_allocated(&self, lcn: u64) -> Option<bool> {
        let b = self.bitmap()?;
        let byte = b.get(usize::try_from(lcn / 8).ok()?)?;
        Some(byte & (1 << (lcn % 8)) != 0)
    }

    /// For a deleted entry's stream: how many of its clusters are now
    /// allocated to something else (0 means the data is likely intact).
    /// Returns `(clusters_in_runs, clusters_now_allocated)`.
    pub fn reallocated_clusters(&self, runs: &[Run]) -> (u64, u64) {
        let mut total = 0;
        let mut alloc = 0;
        for r in runs {
            let Some(lcn) = r.lcn else { continue };
            // Cap the check per run so a hostile run length cannot hang us.
            let n = r.length.min(1 << 24);
            total += n;
            for c in lcn..lcn.saturating_add(n) {
                if self.cluster_allocated(c) == Some(true) {
                    alloc += 1;
                }
            }
        }
        (total, alloc)
    }
}

/// The runs and data size of `$MFT`'s unnamed `$DATA` (first extent sizes).
fn mft_data(attrs: &[Attribute]) -> (Vec<Run>, u64) {
    let mut runs = Vec::new();
    let mut size = 0;
    for a in attrs {
        if a.type_code != AttrType::DATA || !a.name.is_empty() {
            continue;
        }
        if let AttrBody::NonResident(n) = &a.body {
            if n.lowest_vcn == 0 {
                size = n.data_size;
            }
            runs.extend(n.runs.iter().copied());
        }
    }
    runs.sort_by_key(|r| r.vcn);
    (runs, size)
}

/// Builds the stream of one attribute.
pub(crate) fn stream_for(
    vol: &SharedReader,
    cluster: u64,
    entry: u64,
    a: &Attribute,
) -> Result<NtfsStream> {
    let inner = match &a.body {
        AttrBody::Resident { value, .. } => Inner::Resident(value.clone().into()),
        AttrBody::NonResident(n) => {
            if a.flags.contains(AttrFlags::ENCRYPTED) {
                return Err(Error::Unsupported {
                    what: format!("EFS-encrypted stream {:?} of entry {entry}", a.name),
                });
            }
            let rr = RunReader {
                vol: Arc::clone(vol),
                cluster,
                runs: n.runs.clone().into(),
                data_size: n.data_size,
                init_size: n.initialized_size.min(n.data_size),
            };
            let compressed = a.flags.contains(AttrFlags::COMPRESSED) && n.compression_unit != 0;
            if compressed {
                if n.compression_unit > 16 {
                    return Err(Error::BadAttribute {
                        record: a.record,
                        offset: u64::from(a.offset),
                        reason: format!("compression unit exponent {}", n.compression_unit),
                    });
                }
                let unit = 1u64 << n.compression_unit;
                if unit * cluster > 16 << 20 {
                    return Err(Error::Unsupported {
                        what: format!("compression unit of {} bytes", unit * cluster),
                    });
                }
                Inner::Compressed(CompressedReader::new(rr, unit))
            } else {
                Inner::Runs(rr)
            }
        }
    };
    let size = a.data_size();
    Ok(NtfsStream {
        inner,
        size,
        entry,
        name: a.name.clone(),
    })
}

/// Loads entry `n` from `src`, merging extension records. `vol` is needed
/// to read a non-resident attribute list.
pub(crate) fn load_entry(src: &RecordSource, vol: Option<&Ntfs>, n: u64) -> Result<MftEntry> {
    let rec = src.record(n)?;
    entry_from_record(src, vol, rec)
}

pub(crate) fn entry_from_record(
    src: &RecordSource,
    vol: Option<&Ntfs>,
    rec: Record,
) -> Result<MftEntry> {
    let n = rec.number;
    let list_attr = rec
        .attributes
        .iter()
        .find(|a| a.type_code == AttrType::ATTRIBUTE_LIST)
        .cloned();
    let mut entry = MftEntry::from_record(rec);
    let Some(list_attr) = list_attr else {
        return Ok(entry);
    };
    let list_bytes = match &list_attr.body {
        AttrBody::Resident { value, .. } => Some(value.clone()),
        AttrBody::NonResident(nr) => match vol {
            Some(v) if nr.data_size <= MAX_ATTRIBUTE_LIST => v
                .attribute_stream(n, &list_attr)
                .and_then(|s| s.read_all(MAX_ATTRIBUTE_LIST))
                .map_err(|e| {
                    entry
                        .problems
                        .push(format!("attribute list unreadable: {e}"))
                })
                .ok(),
            Some(_) => {
                entry.problems.push(format!(
                    "attribute list of {} bytes exceeds the cap",
                    nr.data_size
                ));
                None
            }
            None => {
                entry.problems.push(
                    "non-resident attribute list: extension records not merged without the volume"
                        .into(),
                );
                None
            }
        },
    };
    let Some(list_bytes) = list_bytes else {
        return Ok(entry);
    };
    let (list, err) = parse_attribute_list(&list_bytes);
    if let Some(e) = err {
        entry.problems.push(e.to_string());
    }
    let mut wanted: BTreeSet<u64> = BTreeSet::new();
    for le in &list {
        let r = le.record.entry();
        if r != n {
            wanted.insert(r);
        }
    }
    let mut exts = Vec::new();
    for r in wanted.into_iter().take(MAX_EXTENSIONS) {
        match src.record(r) {
            Ok(rec) => {
                let base = rec.header.base_reference;
                if base.entry() != n {
                    entry.problems.push(format!(
                        "attribute list names record {r} whose base is {} (not {n}); skipped",
                        FileReference::entry(base)
                    ));
                    continue;
                }
                // Keep only the attributes the list points at.
                let mut rec = rec;
                rec.attributes.retain(|a| {
                    list.iter().any(|le| {
                        le.record.entry() == r
                            && le.type_code == a.type_code
                            && le.instance == a.instance
                    })
                });
                exts.push(rec);
            }
            Err(e) => entry
                .problems
                .push(format!("extension record {r} unreadable: {e}")),
        }
    }
    entry.merge_extensions(exts);
    Ok(entry)
}

/// Iterator over the base entries of an MFT.
///
/// Yields `Ok(entry)` for every `FILE`/`BAAD` base record (in use or
/// not) and `Err` for records that could not be read or parsed beyond
/// "empty". Records that were never used (no signature, zeroed) and
/// extension records are skipped and counted ([`Entries::skipped_empty`],
/// [`Entries::skipped_extensions`]). Records are read in batches.
pub struct Entries {
    src: RecordSource,
    vol: Option<Ntfs>,
    next: u64,
    end: u64,
    buf: Vec<u8>,
    buf_first: u64,
    buf_count: u64,
    skipped_empty: u64,
    skipped_ext: u64,
    /// When false, extension records are yielded as entries too.
    skip_extensions: bool,
}

const BATCH_RECORDS: u64 = 256;

impl Entries {
    pub(crate) fn new(src: RecordSource, vol: Option<Ntfs>) -> Entries {
        Entries {
            end: src.count,
            src,
            vol,
            next: 0,
            buf: Vec::new(),
            buf_first: 0,
            buf_count: 0,
            skipped_empty: 0,
            skipped_ext: 0,
            skip_extensions: true,
        }
    }

    /// Also yield extension records (as single-record entries).
    pub fn with_extensions(mut self) -> Entries {
        self.skip_extensions = false;
        self
    }

    /// Starts at entry `n`.
    pub fn starting_at(mut self, n: u64) -> Entries {
        self.next = n;
        self
    }

    /// Stops before entry `n`.
    pub fn ending_at(mut self, n: u64) -> Entries {
        self.end = n.min(self.src.count);
        self
    }

    /// Total number of records in the MFT.
    pub fn record_count(&self) -> u64 {
        self.src.count
    }

    /// Records skipped because they were never used.
    pub fn skipped_empty(&self) -> u64 {
        self.skipped_empty
    }

    /// Extension records skipped (merged into their base entries).
    pub fn skipped_extensions(&self) -> u64 {
        self.skipped_ext
    }

    /// Visits every record slot of the range as raw bytes (no parsing, no
    /// fixups applied), in order: the fast path for callers that need only
    /// a few fields of each record (see [`PathMap::insert_raw`]).
    pub fn for_each_raw(mut self, mut f: impl FnMut(u64, &mut [u8])) -> Result<()> {
        let rs = self.src.record_size as usize;
        while self.next < self.end {
            self.fill()?;
            let first = self.buf_first;
            for (i, slot) in self.buf.chunks_exact_mut(rs).enumerate() {
                f(first + i as u64, slot);
            }
            self.next = first + self.buf_count;
        }
        Ok(())
    }

    fn fill(&mut self) -> Result<()> {
        let rs = u64::from(self.src.record_size);
        let count = (self.end.saturating_sub(self.next)).min(BATCH_RECORDS);
        let len = (count * rs) as usize;
        self.buf.resize(len, 0);
        let off = self.src.record_offset(self.next);
        self.buf_first = self.next;
        self.buf_count = 0;
        read_at_exact(&*self.src.reader, off, &mut self.buf)?;
        self.buf_count = count;
        Ok(())
    }
}

impl Iterator for Entries {
    type Item = Result<MftEntry>;

    fn next(&mut self) -> Option<Result<MftEntry>> {
        loop {
            let n = self.next;
            if n >= self.end {
                return None;
            }
            if n < self.buf_first || n >= self.buf_first + self.buf_count {
                if let Err(e) = self.fill() {
                    // Fall back to single-record reads for this batch.
                    self.next += 1;
                    self.buf_count = 0;
                    match self.src.record(n) {
                        Ok(r) => return Some(entry_from_record(&self.src, self.vol.as_ref(), r)),
                        Err(_) => return Some(Err(e)),
                    }
                }
            }
            self.next += 1;
            let rs = self.src.record_size as usize;
            let i = (n - self.buf_first) as usize;
            let Some(slot) = self.buf.get_mut(i * rs..(i + 1) * rs) else {
                continue;
            };
            let sig = slot.get(..4);
            if sig != Some(b"FILE") && sig != Some(b"BAAD") {
                if slot.iter().all(|&b| b == 0) || sig == Some(&[0, 0, 0, 0]) {
                    self.skipped_empty += 1;
                    continue;
                }
                self.skipped_empty += 1;
                continue;
            }
            let off = self.src.record_offset(n);
            let rec = match parse_record_in_place(slot, n, off) {
                Ok(r) => r,
                Err(e) => return Some(Err(e)),
            };
            if rec.is_extension() && self.skip_extensions {
                self.skipped_ext += 1;
                continue;
            }
            return Some(entry_from_record(&self.src, self.vol.as_ref(), rec));
        }
    }
}

/// Runs `work` over consecutive chunks of `total` records on `threads`
/// threads and hands the results to `sink` **in chunk order** (so output
/// stays ordered while parsing runs in parallel). `work` gets the chunk's
/// first and end record numbers.
pub fn par_chunks_ordered<T, W, S>(total: u64, chunk: u64, threads: usize, work: W, mut sink: S)
where
    T: Send,
    W: Fn(u64, u64) -> T + Sync,
    S: FnMut(T),
{
    use std::collections::BTreeMap;
    use std::sync::atomic::{AtomicU64, Ordering};
    let chunk = chunk.max(1);
    let n_chunks = total.div_ceil(chunk);
    let threads = threads.clamp(1, 64);
    if threads == 1 || n_chunks <= 1 {
        for c in 0..n_chunks {
            let s = c * chunk;
            sink(work(s, (s + chunk).min(total)));
        }
        return;
    }
    let next = AtomicU64::new(0);
    // Bounded channel: workers never run far ahead of the sink.
    let (tx, rx) = std::sync::mpsc::sync_channel::<(u64, T)>(threads * 2);
    std::thread::scope(|scope| {
        for _ in 0..threads {
            let tx = tx.clone();
            let next = &next;
            let work = &work;
            scope.spawn(move || {
                loop {
                    let c = next.fetch_add(1, Ordering::Relaxed);
                    if c >= n_chunks {
                        break;
                    }
                    let s = c * chunk;
                    if tx.send((c, work(s, (s + chunk).min(total)))).is_err() {
                        break;
                    }
                }
            });
        }
        drop(tx);
        let mut pending = BTreeMap::new();
        let mut want = 0u64;
        for (c, t) in rx {
            pending.insert(c, t);
            while let Some(t) = pending.remove(&want) {
                sink(t);
                want += 1;
            }
        }
    });
}
