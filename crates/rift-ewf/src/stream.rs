//! Whole-media streaming: read → inflate on every core → deliver in order.
//!
//! Hashing or converting an image is bounded by inflate and the hashes, not
//! by the disk. One thread reads runs of stored chunks (consecutive chunks
//! of a segment are contiguous, so a batch is one or two large reads),
//! `threads` workers inflate and check batches, and the caller's thread
//! receives the batches in media order. Channels are bounded, so memory
//! stays at a few batches per thread whatever the image size.

use std::collections::BTreeMap;
use std::io;
use std::sync::Arc;

use crossbeam_channel::bounded;

use crate::chunk::ChunkLoc;
use crate::image::EwfImage;
use crate::section::read_full;

/// Media bytes per batch handed to a worker.
const BATCH_BYTES: u64 = 1 << 20;

/// How one chunk of a batch is stored in the batch's raw buffer.
enum Item {
    /// Stored bytes at `raw[start..start + len]` (len may be short at EOF).
    Stored {
        chunk: u64,
        loc: ChunkLoc,
        start: usize,
        len: usize,
    },
    /// Not readable (no table entry, bad entry): recorded as bad.
    Bad {
        chunk: u64,
        loc: Option<ChunkLoc>,
        reason: crate::BadChunkReason,
    },
}

struct Job {
    index: u64,
    first_chunk: u64,
    media_len: usize,
    raw: Vec<u8>,
    items: Vec<Item>,
}

impl EwfImage {
    /// Streams the whole media in order, decoding chunks on `threads`
    /// worker threads (0 = one per core). `sink` gets `(media offset,
    /// bytes)` for consecutive blocks of about 1 MiB; bad chunks arrive as
    /// zeros and are recorded in [`EwfImage::bad_chunks`]. Stops at the
    /// first I/O error or sink error.
    pub fn stream<F>(&self, threads: usize, mut sink: F) -> io::Result<()>
    where
        F: FnMut(u64, Arc<Vec<u8>>) -> io::Result<()>,
    {
        let threads = if threads == 0 {
            std::thread::available_parallelism().map_or(2, |n| n.get())
        } else {
            threads
        };
        let per_batch = (BATCH_BYTES / self.chunk_size).max(1);
        let batches = self.chunk_count.div_ceil(per_batch);
        let (job_tx, job_rx) = bounded::<io::Result<Job>>(threads * 2);
        let (res_tx, res_rx) = bounded::<io::Result<(u64, Arc<Vec<u8>>)>>(threads * 2);
        std::thread::scope(|s| {
            s.spawn(move || {
                for b in 0..batches {
                    let job = self.read_batch(b, per_batch);
                    let stop = job.is_err();
                    if job_tx.send(job).is_err() || stop {
                        break;
                    }
                }
            });
            for _ in 0..threads {
                let job_rx = job_rx.clone();
                let res_tx = res_tx.clone();
                s.spawn(move || {
                    for job in job_rx {
                        let res = job.map(|j| (j.index, Arc::new(self.decode_batch(j))));
                        if res_tx.send(res).is_err() {
                            break;
                        }
                    }
                });
            }
            drop(job_rx);
            drop(res_tx);
            let mut pending: BTreeMap<u64, Arc<Vec<u8>>> = BTreeMap::new();
            let mut next = 0u64;
            let mut offset = 0u64;
            for res in res_rx {
                let (index, data) = res?;
                pending.insert(index, data);
                while let Some(data) = pending.remove(&next) {
                    let len = data.len() as u64;
                    sink(offset, data)?;
                    offset += len;
                    next += 1;
                }
            }
            if next != batches {
                return Err(io::Error::other(format!(
                    "EWF stream stopped after {next} of {batches} batches"
                )));
            }
            Ok(())
        })
    }

    /// Reads the stored bytes of batch `b` with as few reads as possible.
    fn read_batch(&self, b: u64, per_batch: u64) -> io::Result<Job> {
        let first = b * per_batch;
        let last = (first + per_batch).min(self.chunk_count);
        let mut items = Vec::with_capacity((last - first) as usize);
        let mut raw: Vec<u8> = Vec::new();
        let mut media_len = 0usize;
        // Current contiguous run: (segment, file offset, raw start, length).
        let mut run: Option<(usize, u64, usize, u64)> = None;
        let mut run_items: Vec<usize> = Vec::new();
        for c in first..last {
            media_len += self.chunk_len(c) as usize;
            match self.locate(c) {
                Ok(loc) => {
                    let contiguous = matches!(run, Some((seg, off, _, len)) if seg == loc.segment && off + len == loc.offset);
                    if !contiguous {
                        self.flush_run(&mut raw, run.take(), &mut items, &mut run_items)?;
                        run = Some((loc.segment, loc.offset, raw.len(), 0));
                    }
                    if let Some(r) = run.as_mut() {
                        let start = r.2 + r.3 as usize;
                        r.3 += loc.stored_len;
                        run_items.push(items.len());
                        items.push(Item::Stored {
                            chunk: c,
                            loc,
                            start,
                            len: loc.stored_len as usize,
                        });
                    }
                }
                Err((loc, reason)) => items.push(Item::Bad {
                    chunk: c,
                    loc,
                    reason,
                }),
            }
        }
        self.flush_run(&mut raw, run.take(), &mut items, &mut run_items)?;
        Ok(Job {
            index: b,
            first_chunk: first,
            media_len,
            raw,
            items,
        })
    }

    /// Reads one run into `raw`, shortening its items when the file ends.
    fn flush_run(
        &self,
        raw: &mut Vec<u8>,
        run: Option<(usize, u64, usize, u64)>,
        items: &mut [Item],
        run_items: &mut Vec<usize>,
    ) -> io::Result<()> {
        let Some((seg, off, start, len)) = run else {
            return Ok(());
        };
        let Some(r) = self.segments.get(seg) else {
            return Ok(());
        };
        // len ≤ chunks per batch × max_stored: bounded.
        raw.resize(start + len as usize, 0);
        let got = match raw.get_mut(start..) {
            Some(dst) => read_full(r.as_ref(), off, dst)?,
            None => 0,
        };
        let avail_end = start + got;
        raw.truncate(avail_end);
        for i in run_items.drain(..) {
            if let Some(Item::Stored {
                start: s, len: l, ..
            }) = items.get_mut(i)
            {
                let end = (*s + *l).min(avail_end);
                *l = end.saturating_sub(*s);
            }
        }
        Ok(())
    }

    /// Inflates/checks every chunk of a batch into one media buffer.
    fn decode_batch(&self, job: Job) -> Vec<u8> {
        let mut out = vec![0u8; job.media_len];
        let mut pos = 0usize;
        for item in job.items {
            let chunk = match &item {
                Item::Stored { chunk, .. } | Item::Bad { chunk, .. } => *chunk,
            };
            let clen = self.chunk_len(chunk) as usize;
            let Some(dst) = out.get_mut(pos..pos + clen) else {
                break;
            };
            match item {
                Item::Stored {
                    chunk,
                    loc,
                    start,
                    len,
                } => {
                    let raw = job.raw.get(start..start + len).unwrap_or_default();
                    self.decode_raw(chunk, loc, raw, dst);
                }
                Item::Bad { chunk, loc, reason } => self.record_bad(chunk, loc, reason),
            }
            pos += clen;
        }
        debug_assert!(job.first_chunk * self.chunk_size <= self.media_size());
        out
    }
}
