//! A whole MFT entry: the base FILE record with the attributes of its
//! extension records merged in (through `$ATTRIBUTE_LIST`).
//!
//! Sources: libfsntfs "The attribute list"; shared notes §4.2 (verified on
//! `dfir_ntfs_frs.bin`: $DATA extents at VCN 0, 378, 1144 in three
//! extension records; extension extents carry size fields of 0).

use crate::record::{
    AttrBody, Attribute, FixupStatus, Record, RecordFlags, RecordHeader, Signature,
};
use crate::values::{
    AttrType, FileName, FileReference, Namespace, ObjectId, ReparsePoint, StandardInformation,
};

/// An MFT entry with all attributes merged across extension records.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MftEntry {
    /// Entry number.
    pub number: u64,
    /// Header of the base record.
    pub header: RecordHeader,
    /// Fixup outcome of the base record (extension records' problems go to
    /// [`MftEntry::problems`]).
    pub fixup: FixupStatus,
    /// Attributes (base + extensions), non-resident extents merged, sorted
    /// by type then by position.
    pub attributes: Vec<Attribute>,
    /// Extension records merged in.
    pub extension_records: Vec<u64>,
    /// Problems found while parsing (malformed attributes, unreadable
    /// extension records, inconsistent attribute lists …).
    pub problems: Vec<String>,
}

impl MftEntry {
    /// Builds an entry from a single record (no extension merge).
    pub fn from_record(rec: Record) -> MftEntry {
        let mut problems = rec.attribute_errors;
        if let FixupStatus::Torn { mask } = rec.fixup {
            problems.push(format!("torn record: fixup mismatch in strides {mask:#b}"));
        }
        if rec.fixup == FixupStatus::Invalid {
            problems.push("update sequence array missing or invalid; fixups not applied".into());
        }
        MftEntry {
            number: rec.number,
            header: rec.header,
            fixup: rec.fixup,
            attributes: rec.attributes,
            extension_records: Vec::new(),
            problems,
        }
    }

    /// Whether the entry is allocated.
    pub fn in_use(&self) -> bool {
        self.header.flags.contains(RecordFlags::IN_USE)
    }

    /// Whether the entry is a directory (header flag).
    pub fn is_directory(&self) -> bool {
        self.header.flags.contains(RecordFlags::DIRECTORY)
    }

    /// Sequence number of the record.
    pub fn sequence(&self) -> u16 {
        self.header.sequence
    }

    /// The reference that a directory entry naming this record carries
    /// while it is live: for a deleted record the sequence was already
    /// incremented at free time, so the last live reference is `seq - 1`.
    pub fn reference(&self) -> FileReference {
        FileReference::new(self.number, self.header.sequence)
    }

    /// Whether the record is flagged `BAAD` or torn.
    pub fn is_damaged(&self) -> bool {
        self.header.signature == Signature::Baad || !matches!(self.fixup, FixupStatus::Ok)
    }

    /// Attributes of one type.
    pub fn attributes_of(&self, t: AttrType) -> impl Iterator<Item = &Attribute> {
        self.attributes.iter().filter(move |a| a.type_code == t)
    }

    /// The attribute of type `t` named `name`.
    pub fn attribute(&self, t: AttrType, name: &str) -> Option<&Attribute> {
        self.attributes
            .iter()
            .find(|a| a.type_code == t && a.name == name)
    }

    /// `$STANDARD_INFORMATION`, when present and parsable.
    pub fn standard_information(&self) -> Option<StandardInformation> {
        self.attributes_of(AttrType::STANDARD_INFORMATION)
            .find_map(|a| {
                a.resident_value()
                    .and_then(|v| StandardInformation::parse(v).ok())
            })
    }

    /// Every parsable `$FILE_NAME`, in attribute order.
    pub fn file_names(&self) -> Vec<FileName> {
        self.attributes_of(AttrType::FILE_NAME)
            .filter_map(|a| a.resident_value().and_then(|v| FileName::parse(v).ok()))
            .collect()
    }

    /// The name to show: Win32, Win32+DOS or POSIX preferred over DOS.
    pub fn best_file_name(&self) -> Option<FileName> {
        let names = self.file_names();
        let rank = |n: &FileName| match n.namespace {
            Namespace::WIN32_AND_DOS | Namespace::WIN32 => 0,
            Namespace::POSIX => 1,
            Namespace::DOS => 3,
            _ => 2,
        };
        names.into_iter().min_by_key(rank)
    }

    /// `$FILE_NAME`s that are not DOS-only names (one per hard link).
    pub fn link_names(&self) -> Vec<FileName> {
        let all = self.file_names();
        let non_dos: Vec<FileName> = all
            .iter()
            .filter(|n| n.namespace != Namespace::DOS)
            .cloned()
            .collect();
        if non_dos.is_empty() { all } else { non_dos }
    }

    /// `$DATA` attributes (unnamed first, then ADS in attribute order).
    pub fn data_streams(&self) -> Vec<&Attribute> {
        let mut v: Vec<&Attribute> = self.attributes_of(AttrType::DATA).collect();
        v.sort_by_key(|a| !a.name.is_empty());
        v
    }

    /// Names of the alternate data streams.
    pub fn ads_names(&self) -> Vec<&str> {
        self.attributes_of(AttrType::DATA)
            .filter(|a| !a.name.is_empty())
            .map(|a| a.name.as_str())
            .collect()
    }

    /// Size of the unnamed `$DATA` stream (0 when absent).
    pub fn data_size(&self) -> u64 {
        self.attribute(AttrType::DATA, "")
            .map(|a| a.data_size())
            .unwrap_or(0)
    }

    /// `$OBJECT_ID`.
    pub fn object_id(&self) -> Option<ObjectId> {
        self.attributes_of(AttrType::OBJECT_ID)
            .find_map(|a| a.resident_value().and_then(|v| ObjectId::parse(v).ok()))
    }

    /// `$REPARSE_POINT` (resident only; non-resident reparse data is rare).
    pub fn reparse_point(&self) -> Option<ReparsePoint> {
        self.attributes_of(AttrType::REPARSE_POINT)
            .find_map(|a| a.resident_value().and_then(|v| ReparsePoint::parse(v).ok()))
    }

    /// Whether the entry has `$INDEX_ROOT` named `$I30`.
    pub fn has_i30(&self) -> bool {
        self.attribute(AttrType::INDEX_ROOT, "$I30").is_some()
    }

    /// Merges the attributes of extension `records` into this entry.
    /// Extents of one non-resident attribute are joined in VCN order.
    pub(crate) fn merge_extensions(&mut self, records: Vec<Record>) {
        for rec in records {
            self.extension_records.push(rec.number);
            for e in rec.attribute_errors {
                self.problems
                    .push(format!("extension record {}: {e}", rec.number));
            }
            if rec.fixup != FixupStatus::Ok {
                self.problems.push(format!(
                    "extension record {}: fixup {:?}",
                    rec.number, rec.fixup
                ));
            }
            self.attributes.extend(rec.attributes);
        }
        self.join_extents();
    }

    /// Joins non-resident extents (lowest VCN > 0) onto the extent that
    /// ends where they start, and sorts attributes by type.
    pub(crate) fn join_extents(&mut self) {
        let mut attrs = std::mem::take(&mut self.attributes);
        // Stable sort: type, then name, then lowest VCN.
        attrs.sort_by(|a, b| {
            (a.type_code, &a.name, lowest_vcn(a)).cmp(&(b.type_code, &b.name, lowest_vcn(b)))
        });
        let mut out: Vec<Attribute> = Vec::with_capacity(attrs.len());
        for a in attrs {
            let v = lowest_vcn(&a);
            if v > 0 {
                if let Some(prev) = out
                    .iter_mut()
                    .rev()
                    .find(|p| p.type_code == a.type_code && p.name == a.name && !p.is_resident())
                {
                    if let (AttrBody::NonResident(p), AttrBody::NonResident(n)) =
                        (&mut prev.body, a.body)
                    {
                        let end = p.runs.last().map(|r| r.end_vcn()).unwrap_or(p.lowest_vcn);
                        if n.lowest_vcn >= end {
                            p.runs.extend(n.runs);
                            p.highest_vcn = p.highest_vcn.max(n.highest_vcn);
                            p.extents += 1;
                            if let Some(e) = n.run_error {
                                p.run_error.get_or_insert(e);
                            }
                        } else {
                            self.problems.push(format!(
                                "{} extent at VCN {} overlaps the previous extent (ends at {end}); ignored",
                                a.type_code.name(),
                                n.lowest_vcn
                            ));
                        }
                    }
                    continue;
                }
                self.problems.push(format!(
                    "{} extent at VCN {v} without a first extent",
                    a.type_code.name()
                ));
            }
            out.push(a);
        }
        self.attributes = out;
    }
}

fn lowest_vcn(a: &Attribute) -> u64 {
    a.non_resident().map(|n| n.lowest_vcn).unwrap_or(0)
}
