//! Prints every record of a `$J` file (debugging aid).
fn main() {
    let path = std::env::args().nth(1).expect("usage: usn_dump FILE");
    let f = std::fs::File::open(path).expect("open");
    let mut s = rift_usn::UsnScanner::whole(f);
    for item in s.by_ref() {
        match item {
            Ok(r) => println!(
                "{:#x} usn={} v{} {}-{} parent {}-{} {:?} {:?} {}",
                r.offset,
                r.usn,
                r.major,
                r.file_id.entry(),
                r.file_id.sequence(),
                r.parent_id.entry(),
                r.parent_id.sequence(),
                r.reason,
                r.timestamp,
                r.name
            ),
            Err(e) => println!("ERR {e}"),
        }
    }
    eprintln!("{:?}", s.stats());
}
