//! Test helpers shared by every rift crate.
//!
//! * Fixtures live outside the repository, in `$RIFT_FIXTURES` (default
//!   `../shared/fixtures` from the workspace root). A missing fixture
//!   directory **fails** the test with a clear message — CI must never go
//!   green by skipping the real-data tests.
//! * Compressed fixtures (`.gz`, `.bz2`, `.xz`, `.tgz`) and containers that
//!   need an independent reader (`.E01` via libewf's `ewfexport`, `.qcow2`
//!   via `qemu-img`) are unpacked once into `target/fixture-cache/` and
//!   reused. Writes go to a temporary name and are renamed into place, so
//!   tests running in parallel never see half-written files.
//! * Peer tools (TSK, libewf, hivex, libyal utilities …) are oracles; a
//!   missing tool also fails the test: `.ci/run` installs them.
#![deny(missing_docs)]

use std::fs;
use std::io::{self, Read};
use std::path::{Path, PathBuf};
use std::process::Command;

/// The workspace root (the folder with the top `Cargo.toml`).
pub fn workspace_root() -> PathBuf {
    // crates/rift-testutil -> crates -> root
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .ancestors()
        .nth(2)
        .expect("workspace root")
        .to_path_buf()
}

/// The fixture folder; panics (fails the test) when it does not exist.
pub fn fixtures_dir() -> PathBuf {
    let dir = match std::env::var_os("RIFT_FIXTURES") {
        Some(d) => {
            let p = PathBuf::from(d);
            if p.is_absolute() {
                p
            } else {
                workspace_root().join(p)
            }
        }
        None => workspace_root().join("../shared/fixtures"),
    };
    assert!(
        dir.join("MANIFEST.tsv").is_file(),
        "rift fixtures not found at {} (set RIFT_FIXTURES); real-data tests must not be skipped",
        dir.display()
    );
    dir
}

/// Path of one fixture, e.g. `fixture("ewf/plaso_image.E01")`; fails the
/// test when it is missing.
pub fn fixture(rel: &str) -> PathBuf {
    let p = fixtures_dir().join(rel);
    assert!(p.exists(), "fixture missing: {}", p.display());
    p
}

/// Reads a whole fixture into memory.
pub fn fixture_bytes(rel: &str) -> Vec<u8> {
    fs::read(fixture(rel)).unwrap_or_else(|e| panic!("read fixture {rel}: {e}"))
}

/// The shared cache for unpacked fixtures: `<workspace>/target/fixture-cache`.
pub fn cache_dir() -> PathBuf {
    let d = workspace_root().join("target").join("fixture-cache");
    fs::create_dir_all(&d).expect("create fixture cache");
    d
}

fn cache_name(rel: &str, suffix: &str) -> PathBuf {
    let flat: String = rel
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '.' || c == '-' {
                c
            } else {
                '_'
            }
        })
        .collect();
    cache_dir().join(format!("{flat}{suffix}"))
}

/// Produces `dest` once with `make(tmp_path)`, atomically.
/// A temporary name next to `dest`, unique per process *and* call: tests
/// of one binary run on parallel threads of the same process, so a name
/// from the pid alone let two writers share (and truncate) one file.
pub fn unique_tmp(dest: &Path) -> PathBuf {
    static NEXT: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(0);
    let n = NEXT.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    dest.with_extension(format!("tmp{}-{n}", std::process::id()))
}

fn cached(dest: &Path, make: impl FnOnce(&Path)) -> PathBuf {
    if dest.exists() {
        return dest.to_path_buf();
    }
    let tmp = unique_tmp(dest);
    let _ = fs::remove_file(&tmp);
    let _ = fs::remove_dir_all(&tmp);
    make(&tmp);
    if !dest.exists() {
        fs::rename(&tmp, dest).unwrap_or_else(|e| panic!("rename {}: {e}", tmp.display()));
    } else {
        let _ = fs::remove_file(&tmp);
        let _ = fs::remove_dir_all(&tmp);
    }
    dest.to_path_buf()
}

/// A fixture decompressed into the cache (`.gz` in-process; `.bz2` and
/// `.xz` through `bzip2`/`xz`). Uncompressed fixtures are returned as is.
pub fn decompressed(rel: &str) -> PathBuf {
    let src = fixture(rel);
    let name = src.file_name().unwrap().to_string_lossy().to_string();
    if name.ends_with(".gz") && !name.ends_with(".tar.gz") {
        cached(&cache_name(rel, ".out"), |tmp| {
            let f = fs::File::open(&src).unwrap();
            let mut d = flate2::read::GzDecoder::new(io::BufReader::new(f));
            let mut out = fs::File::create(tmp).unwrap();
            io::copy(&mut d, &mut out).unwrap();
        })
    } else if name.ends_with(".bz2") {
        cached(&cache_name(rel, ".out"), |tmp| {
            pipe_tool("bzip2", &["-dc"], &src, tmp)
        })
    } else if name.ends_with(".xz") {
        cached(&cache_name(rel, ".out"), |tmp| {
            pipe_tool("xz", &["-dc"], &src, tmp)
        })
    } else {
        src
    }
}

fn pipe_tool(tool: &str, args: &[&str], src: &Path, dest: &Path) {
    require_tool(tool);
    let out = fs::File::create(dest).unwrap();
    let st = Command::new(tool)
        .args(args)
        .arg(src)
        .stdout(out)
        .status()
        .unwrap_or_else(|e| panic!("run {tool}: {e}"));
    assert!(st.success(), "{tool} failed on {}", src.display());
}

/// A `.tgz`/`.tar.gz` fixture extracted into a cache folder; returns the folder.
pub fn extracted(rel: &str) -> PathBuf {
    let src = fixture(rel);
    cached(&cache_name(rel, ".d"), |tmp| {
        fs::create_dir_all(tmp).unwrap();
        require_tool("tar");
        let st = Command::new("tar")
            .arg("-xzf")
            .arg(&src)
            .arg("-C")
            .arg(tmp)
            .arg("--sparse")
            .status()
            .unwrap();
        assert!(st.success(), "tar failed on {}", src.display());
    })
}

/// The media of an image fixture as a raw file in the cache, produced by an
/// independent tool: `ewfexport` for EWF, `qemu-img convert` for qcow2,
/// decompression for `.gz`/`.bz2`, extraction for the `ntfs-samples` tarball
/// (its single raw disk). Raw fixtures are returned as they are.
pub fn raw_image(rel: &str) -> PathBuf {
    let lower = rel.to_ascii_lowercase();
    if lower.ends_with(".e01") {
        let src = fixture(rel);
        return cached(&cache_name(rel, ".raw"), |tmp| {
            require_tool("ewfexport");
            // ewfexport appends ".raw" to the target name.
            // (Named from the unique tmp name, so parallel tests never
            // share ewfexport's output file.)
            let target = PathBuf::from(format!("{}-x", tmp.display()));
            let st = Command::new("ewfexport")
                .args(["-q", "-u", "-f", "raw", "-t"])
                .arg(&target)
                .arg(&src)
                .stdout(std::process::Stdio::null())
                .stderr(std::process::Stdio::null())
                .status()
                .unwrap();
            assert!(st.success(), "ewfexport failed on {rel}");
            let produced = PathBuf::from(format!("{}.raw", target.display()));
            fs::rename(&produced, tmp).unwrap();
            let _ = fs::remove_file(format!("{}.raw.info", target.display()));
        });
    }
    if lower.ends_with(".qcow2") {
        let src = fixture(rel);
        return cached(&cache_name(rel, ".raw"), |tmp| {
            require_tool("qemu-img");
            let st = Command::new("qemu-img")
                .args(["convert", "-O", "raw"])
                .arg(&src)
                .arg(tmp)
                .status()
                .unwrap();
            assert!(st.success(), "qemu-img failed on {rel}");
        });
    }
    if lower.ends_with(".tgz") || lower.ends_with(".tar.gz") {
        let dir = extracted(rel);
        let mut files: Vec<PathBuf> = walk(&dir);
        files.sort_by_key(|p| std::cmp::Reverse(fs::metadata(p).map(|m| m.len()).unwrap_or(0)));
        return files.into_iter().next().expect("tarball holds a file");
    }
    decompressed(rel)
}

fn walk(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    for e in fs::read_dir(dir).unwrap().flatten() {
        let p = e.path();
        if p.is_dir() {
            out.extend(walk(&p));
        } else {
            out.push(p);
        }
    }
    out
}

/// Fails the test when a peer tool is not on `PATH` (CI installs them).
pub fn require_tool(name: &str) {
    let found = std::env::var_os("PATH")
        .map(|paths| std::env::split_paths(&paths).any(|d| d.join(name).is_file()))
        .unwrap_or(false);
    assert!(
        found,
        "peer tool `{name}` not found on PATH; .ci/run installs it"
    );
}

/// Runs a peer tool and returns its stdout; fails the test on a non-zero exit.
pub fn run_tool(tool: &str, args: &[&str]) -> String {
    require_tool(tool);
    let out = Command::new(tool)
        .args(args)
        .output()
        .unwrap_or_else(|e| panic!("run {tool}: {e}"));
    assert!(
        out.status.success(),
        "{tool} {args:?} failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).into_owned()
}

/// SHA-256 of a reader, hex.
pub fn sha256_hex(mut r: impl Read) -> String {
    use sha2::Digest;
    let mut h = sha2::Sha256::new();
    let mut buf = vec![0u8; 1 << 16];
    loop {
        let n = r.read(&mut buf).unwrap();
        if n == 0 {
            break;
        }
        h.update(&buf[..n]);
    }
    hex::encode(h.finalize())
}

/// A fresh temporary folder under the cache (removed when dropped).
pub struct TempDir(PathBuf);

impl TempDir {
    /// Creates `target/fixture-cache/tmp/<name>-<pid>-<n>`.
    pub fn new(name: &str) -> TempDir {
        use std::sync::atomic::{AtomicU32, Ordering};
        static N: AtomicU32 = AtomicU32::new(0);
        let p = cache_dir().join("tmp").join(format!(
            "{name}-{}-{}",
            std::process::id(),
            N.fetch_add(1, Ordering::SeqCst)
        ));
        let _ = fs::remove_dir_all(&p);
        fs::create_dir_all(&p).unwrap();
        TempDir(p)
    }

    /// The folder.
    pub fn path(&self) -> &Path {
        &self.0
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = fs::remove_dir_all(&self.0);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_fixtures_and_exports_e01() {
        assert!(fixtures_dir().join("MANIFEST.tsv").is_file());
        let raw = raw_image("ewf/plaso_image.E01");
        // ext2 superblock magic 0xEF53 at 1024 + 56 of the 100 KiB volume
        let b = fs::read(raw).unwrap();
        assert_eq!(b.len(), 102_400);
        assert_eq!(&b[1080..1082], &[0x53, 0xEF]);
    }
}
