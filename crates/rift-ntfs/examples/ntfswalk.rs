//! Scratch tool: `ntfswalk VOLUME OFFSET` prints every entry's path.
use rift_io::SubRange;
fn main() {
    let a: Vec<String> = std::env::args().collect();
    let f = std::fs::File::open(&a[1]).unwrap();
    let off: u64 = a.get(2).map(|s| s.parse().unwrap()).unwrap_or(0);
    let len = f.metadata().unwrap().len() - off;
    let ntfs = rift_ntfs::Ntfs::open(SubRange::new(f, off, len)).unwrap();
    eprintln!("{:?}", ntfs);
    let paths = ntfs.paths();
    for e in ntfs.entries() {
        match e {
            Ok(e) => println!(
                "{} {} {} {:?}",
                e.number,
                e.in_use(),
                paths.path(e.number),
                e.problems
            ),
            Err(err) => println!("ERR {err}"),
        }
    }
}
