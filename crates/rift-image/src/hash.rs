//! MD5 + SHA-1 of the media, computed in parallel.
//!
//! MD5 is inherently serial and the slowest part (~600 MB/s per stream),
//! so the two hashes run on their own threads, fed the same blocks
//! (shared, not copied) through bounded channels, while
//! [`crate::Image::stream`] decodes ahead on the remaining cores.

use std::io;
use std::sync::Arc;

use crossbeam_channel::bounded;
use md5::Digest;

use crate::Image;

/// Hashes of the media.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MediaHashes {
    /// MD5.
    pub md5: [u8; 16],
    /// SHA-1.
    pub sha1: [u8; 20],
    /// Bytes hashed.
    pub bytes: u64,
}

/// Computes MD5 and SHA-1 of the whole media. `progress` is called with the
/// number of bytes hashed so far after each block. Bad EWF chunks hash as
/// the zeros they read as; check [`Image::bad_chunks`] afterwards.
pub fn hash_media(
    image: &Image,
    threads: usize,
    progress: &mut dyn FnMut(u64),
) -> io::Result<MediaHashes> {
    let (md5_tx, md5_rx) = bounded::<Arc<Vec<u8>>>(8);
    let (sha_tx, sha_rx) = bounded::<Arc<Vec<u8>>>(8);
    std::thread::scope(|s| {
        let md5_thread = s.spawn(move || {
            let mut h = md5::Md5::new();
            for b in md5_rx {
                h.update(&b[..]);
            }
            <[u8; 16]>::from(h.finalize())
        });
        let sha_thread = s.spawn(move || {
            let mut h = sha1::Sha1::new();
            for b in sha_rx {
                h.update(&b[..]);
            }
            <[u8; 20]>::from(h.finalize())
        });
        let mut bytes = 0u64;
        let res = image.stream(threads, |_, block| {
            bytes += block.len() as u64;
            let gone = || io::Error::other("hash thread stopped");
            md5_tx.send(Arc::clone(&block)).map_err(|_| gone())?;
            sha_tx.send(block).map_err(|_| gone())?;
            progress(bytes);
            Ok(())
        });
        drop(md5_tx);
        drop(sha_tx);
        let md5 = md5_thread
            .join()
            .map_err(|_| io::Error::other("MD5 thread panicked"))?;
        let sha1 = sha_thread
            .join()
            .map_err(|_| io::Error::other("SHA-1 thread panicked"))?;
        res?;
        Ok(MediaHashes { md5, sha1, bytes })
    })
}
