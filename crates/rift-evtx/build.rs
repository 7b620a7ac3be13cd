//! Embeds every `maps/*.map` file into the library, so the `rift` binary
//! carries its maps and works without the folder next to it.

use std::env;
use std::fmt::Write as _;
use std::fs;
use std::path::Path;

fn main() {
    let dir = Path::new(&env::var("CARGO_MANIFEST_DIR").expect("manifest dir")).join("maps");
    println!("cargo:rerun-if-changed={}", dir.display());
    let mut names: Vec<String> = fs::read_dir(&dir)
        .expect("read maps/")
        .filter_map(|e| e.ok())
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .filter(|n| n.to_ascii_lowercase().ends_with(".map"))
        .collect();
    // Alphabetical, as EvtxECmd loads its folder.
    names.sort();
    let mut out = String::from("/// The maps shipped with rift: (file name, YAML text).\n");
    out.push_str("pub(crate) static SHIPPED_MAPS: &[(&str, &str)] = &[\n");
    for name in &names {
        let path = dir.join(name);
        println!("cargo:rerun-if-changed={}", path.display());
        writeln!(
            out,
            "    ({name:?}, include_str!({:?})),",
            path.display().to_string()
        )
        .expect("write");
    }
    out.push_str("];\n");
    let dest = Path::new(&env::var("OUT_DIR").expect("out dir")).join("shipped_maps.rs");
    fs::write(dest, out).expect("write shipped_maps.rs");
}
