//! NTFS log operation codes (redo and undo halves of a client record).
//!
//! Sources: `docs/formats/ntfs.md` §8.7 ([DFIR_NTFS] `LogFile.py` constants
//! 0x00–0x25, [JSCHICHT] `readme.txt`, [NTFS3G] `logfile.h`
//! `NTFS_LOG_OPERATION`).

/// One operation code. Unknown codes are kept as [`Op::Unknown`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Op {
    /// 0x00: nothing (the "no undo"/"no redo" half).
    Noop,
    /// 0x01: undo half of a transaction's end record.
    CompensationLogRecord,
    /// 0x02: a FILE record written whole (file or directory created).
    InitializeFileRecordSegment,
    /// 0x03: a FILE record freed (deleted).
    DeallocateFileRecordSegment,
    /// 0x04: new tail bytes of a FILE record.
    WriteEndOfFileRecordSegment,
    /// 0x05: an attribute inserted in a FILE record.
    CreateAttribute,
    /// 0x06: an attribute removed from a FILE record.
    DeleteAttribute,
    /// 0x07: bytes of a resident value changed.
    UpdateResidentValue,
    /// 0x08: bytes written into a non-resident stream.
    UpdateNonresidentValue,
    /// 0x09: run list bytes changed.
    UpdateMappingPairs,
    /// 0x0A: dirty cluster ranges.
    DeleteDirtyClusters,
    /// 0x0B: allocated / valid data / file size of an attribute changed.
    SetNewAttributeSizes,
    /// 0x0C: an index entry added in `$INDEX_ROOT`.
    AddIndexEntryRoot,
    /// 0x0D: an index entry removed from `$INDEX_ROOT`.
    DeleteIndexEntryRoot,
    /// 0x0E: an index entry added in an INDX buffer.
    AddIndexEntryAllocation,
    /// 0x0F: an index entry removed from an INDX buffer.
    DeleteIndexEntryAllocation,
    /// 0x10: tail of an INDX buffer.
    WriteEndOfIndexBuffer,
    /// 0x11: child VCN of an `$INDEX_ROOT` entry.
    SetIndexEntryVcnRoot,
    /// 0x12: child VCN of an INDX entry.
    SetIndexEntryVcnAllocation,
    /// 0x13: duplicated `$FILE_NAME` info of an `$INDEX_ROOT` entry.
    UpdateFileNameRoot,
    /// 0x14: duplicated `$FILE_NAME` info of an INDX entry.
    UpdateFileNameAllocation,
    /// 0x15: bits set in a non-resident bitmap.
    SetBitsInNonresidentBitMap,
    /// 0x16: bits cleared in a non-resident bitmap.
    ClearBitsInNonresidentBitMap,
    /// 0x17: bad-cluster replacement.
    HotFix,
    /// 0x18: end of a nested top-level action.
    EndTopLevelAction,
    /// 0x19: prepare transaction.
    PrepareTransaction,
    /// 0x1A: commit transaction.
    CommitTransaction,
    /// 0x1B: transaction closed.
    ForgetTransaction,
    /// 0x1C: an open attribute table entry created.
    OpenNonresidentAttribute,
    /// 0x1D: checkpoint dump of the open attribute table.
    OpenAttributeTableDump,
    /// 0x1E: checkpoint dump of attribute names.
    AttributeNamesDump,
    /// 0x1F: checkpoint dump of the dirty page table.
    DirtyPageTableDump,
    /// 0x20: checkpoint dump of the transaction table.
    TransactionTableDump,
    /// 0x21: data of a view-index entry in `$INDEX_ROOT`.
    UpdateRecordDataRoot,
    /// 0x22: data of a view-index entry in an INDX buffer.
    UpdateRecordDataAllocation,
    /// 0x23: relative update inside an index root.
    UpdateRelativeDataIndex,
    /// 0x24: relative update inside an index buffer.
    UpdateRelativeDataAllocation,
    /// 0x25: zero-fill to the end of a FILE record.
    ZeroEndOfFileRecord,
    /// Any other code.
    Unknown(u16),
}

impl Op {
    /// The operation for a raw code.
    pub fn from_code(code: u16) -> Op {
        use Op::*;
        match code {
            0x00 => Noop,
            0x01 => CompensationLogRecord,
            0x02 => InitializeFileRecordSegment,
            0x03 => DeallocateFileRecordSegment,
            0x04 => WriteEndOfFileRecordSegment,
            0x05 => CreateAttribute,
            0x06 => DeleteAttribute,
            0x07 => UpdateResidentValue,
            0x08 => UpdateNonresidentValue,
            0x09 => UpdateMappingPairs,
            0x0A => DeleteDirtyClusters,
            0x0B => SetNewAttributeSizes,
            0x0C => AddIndexEntryRoot,
            0x0D => DeleteIndexEntryRoot,
            0x0E => AddIndexEntryAllocation,
            0x0F => DeleteIndexEntryAllocation,
            0x10 => WriteEndOfIndexBuffer,
            0x11 => SetIndexEntryVcnRoot,
            0x12 => SetIndexEntryVcnAllocation,
            0x13 => UpdateFileNameRoot,
            0x14 => UpdateFileNameAllocation,
            0x15 => SetBitsInNonresidentBitMap,
            0x16 => ClearBitsInNonresidentBitMap,
            0x17 => HotFix,
            0x18 => EndTopLevelAction,
            0x19 => PrepareTransaction,
            0x1A => CommitTransaction,
            0x1B => ForgetTransaction,
            0x1C => OpenNonresidentAttribute,
            0x1D => OpenAttributeTableDump,
            0x1E => AttributeNamesDump,
            0x1F => DirtyPageTableDump,
            0x20 => TransactionTableDump,
            0x21 => UpdateRecordDataRoot,
            0x22 => UpdateRecordDataAllocation,
            0x23 => UpdateRelativeDataIndex,
            0x24 => UpdateRelativeDataAllocation,
            0x25 => ZeroEndOfFileRecord,
            c => Unknown(c),
        }
    }

    /// The raw code.
    pub fn code(self) -> u16 {
        use Op::*;
        match self {
            Noop => 0x00,
            CompensationLogRecord => 0x01,
            InitializeFileRecordSegment => 0x02,
            DeallocateFileRecordSegment => 0x03,
            WriteEndOfFileRecordSegment => 0x04,
            CreateAttribute => 0x05,
            DeleteAttribute => 0x06,
            UpdateResidentValue => 0x07,
            UpdateNonresidentValue => 0x08,
            UpdateMappingPairs => 0x09,
            DeleteDirtyClusters => 0x0A,
            SetNewAttributeSizes => 0x0B,
            AddIndexEntryRoot => 0x0C,
            DeleteIndexEntryRoot => 0x0D,
            AddIndexEntryAllocation => 0x0E,
            DeleteIndexEntryAllocation => 0x0F,
            WriteEndOfIndexBuffer => 0x10,
            SetIndexEntryVcnRoot => 0x11,
            SetIndexEntryVcnAllocation => 0x12,
            UpdateFileNameRoot => 0x13,
            UpdateFileNameAllocation => 0x14,
            SetBitsInNonresidentBitMap => 0x15,
            ClearBitsInNonresidentBitMap => 0x16,
            HotFix => 0x17,
            EndTopLevelAction => 0x18,
            PrepareTransaction => 0x19,
            CommitTransaction => 0x1A,
            ForgetTransaction => 0x1B,
            OpenNonresidentAttribute => 0x1C,
            OpenAttributeTableDump => 0x1D,
            AttributeNamesDump => 0x1E,
            DirtyPageTableDump => 0x1F,
            TransactionTableDump => 0x20,
            UpdateRecordDataRoot => 0x21,
            UpdateRecordDataAllocation => 0x22,
            UpdateRelativeDataIndex => 0x23,
            UpdateRelativeDataAllocation => 0x24,
            ZeroEndOfFileRecord => 0x25,
            Unknown(c) => c,
        }
    }

    /// The name used in CSV output (`Unknown0xNN` for unknown codes).
    pub fn name(self) -> String {
        match self {
            Op::Unknown(c) => format!("Unknown0x{c:02X}"),
            other => format!("{other:?}"),
        }
    }

    /// `true` for operations whose target is a FILE record in `$MFT`
    /// (resident structures): the MFT entry is then computed from the
    /// target VCN and cluster block offset.
    pub fn targets_file_record(self) -> bool {
        use Op::*;
        matches!(
            self,
            InitializeFileRecordSegment
                | DeallocateFileRecordSegment
                | WriteEndOfFileRecordSegment
                | CreateAttribute
                | DeleteAttribute
                | UpdateResidentValue
                | UpdateMappingPairs
                | SetNewAttributeSizes
                | AddIndexEntryRoot
                | DeleteIndexEntryRoot
                | SetIndexEntryVcnRoot
                | UpdateFileNameRoot
                | UpdateRecordDataRoot
                | UpdateRelativeDataIndex
                | ZeroEndOfFileRecord
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_round_trip() {
        for c in 0..0x30u16 {
            assert_eq!(Op::from_code(c).code(), c);
        }
        assert_eq!(Op::from_code(0x02).name(), "InitializeFileRecordSegment");
        assert_eq!(Op::from_code(0x99).name(), "Unknown0x99");
    }
}
