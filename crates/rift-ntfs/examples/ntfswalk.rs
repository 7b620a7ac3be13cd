//! Scratch tool: `ntfswalk VOLUME [OFFSET]` prints entries with compressed,
//! sparse or attribute-list data (used to pick test fixtures).
use rift_io::{ReadAt, SubRange};
use rift_ntfs::{AttrFlags, AttrType};
fn main() {
    let a: Vec<String> = std::env::args().collect();
    let f = std::fs::File::open(&a[1]).unwrap();
    let off: u64 = a.get(2).map(|s| s.parse().unwrap()).unwrap_or(0);
    let len = f.size() - off;
    let ntfs = rift_ntfs::Ntfs::open(SubRange::new(f, off, len)).unwrap();
    let paths = ntfs.paths();
    for e in ntfs.entries().flatten() {
        for at in &e.attributes {
            let c = at.flags.contains(AttrFlags::COMPRESSED) && !at.is_resident();
            let s = at.flags.contains(AttrFlags::SPARSE);
            let l = at.type_code == AttrType::ATTRIBUTE_LIST;
            if c || s || l {
                println!(
                    "{} {} {:?} c={c} s={s} list={l} {}",
                    e.number,
                    paths.path(e.number),
                    at.name,
                    at.data_size()
                );
            }
        }
    }
}
