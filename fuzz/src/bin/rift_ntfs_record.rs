//! Any bytes as one FILE record (fixups, attributes, typed values) and as a
//! standalone $MFT (entries, attribute-list merge, parent map): never panic.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    if let Ok(r) = rift_ntfs::parse_record(data, 0) {
        let e = rift_ntfs::MftEntry::from_record(r);
        let _ = (
            e.standard_information(),
            e.file_names(),
            e.reparse_point(),
            e.object_id(),
        );
        for a in &e.attributes {
            if let Some(v) = a.resident_value() {
                let _ = rift_ntfs::values::parse_attribute_list(v);
                let _ = rift_ntfs::values::parse_ea_list(v);
                let _ = rift_ntfs::values::SecurityDescriptor::parse(v);
            }
        }
    }
    let m = rift_ntfs::MftFile::with_record_size(data.to_vec(), 1024);
    let map = rift_ntfs::PathMap::build(m.entries());
    for n in 0..m.count().min(64) {
        let _ = map.path(n);
    }
});
