//! A small sharded LRU cache of decoded chunks.
//!
//! Readers of a filesystem inside the image hit the same chunks again and
//! again (MFT records, directory indexes), often from several threads. Each
//! shard is a short vector behind its own mutex; chunk `i` lives in shard
//! `i % SHARDS`, so threads reading different places rarely contend, and a
//! linear scan over a few entries is cheaper than any hashing.

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};

const SHARDS: usize = 16;

struct Entry {
    chunk: u64,
    data: Arc<Vec<u8>>,
    used: u64,
}

/// Decoded chunks by index, bounded in entry count.
pub(crate) struct ChunkCache {
    shards: Vec<Mutex<Vec<Entry>>>,
    per_shard: usize,
    tick: AtomicU64,
}

impl ChunkCache {
    /// A cache holding about `budget_bytes` of chunks of `chunk_size` bytes
    /// (at least two per shard).
    pub fn new(budget_bytes: u64, chunk_size: u64) -> Self {
        let total = (budget_bytes / chunk_size.max(1)).max(1) as usize;
        let per_shard = (total / SHARDS).clamp(2, 64);
        ChunkCache {
            shards: (0..SHARDS).map(|_| Mutex::new(Vec::new())).collect(),
            per_shard,
            tick: AtomicU64::new(0),
        }
    }

    fn shard(&self, chunk: u64) -> Option<&Mutex<Vec<Entry>>> {
        self.shards.get((chunk % SHARDS as u64) as usize)
    }

    /// The cached chunk, if present.
    pub fn get(&self, chunk: u64) -> Option<Arc<Vec<u8>>> {
        let shard = self.shard(chunk)?;
        let mut v = shard.lock().unwrap_or_else(|p| p.into_inner());
        let t = self.tick.fetch_add(1, Ordering::Relaxed);
        v.iter_mut().find(|e| e.chunk == chunk).map(|e| {
            e.used = t;
            Arc::clone(&e.data)
        })
    }

    /// Stores a chunk, evicting the least recently used of its shard.
    pub fn put(&self, chunk: u64, data: Arc<Vec<u8>>) {
        let Some(shard) = self.shard(chunk) else {
            return;
        };
        let mut v = shard.lock().unwrap_or_else(|p| p.into_inner());
        let used = self.tick.fetch_add(1, Ordering::Relaxed);
        if let Some(e) = v.iter_mut().find(|e| e.chunk == chunk) {
            e.data = data;
            e.used = used;
            return;
        }
        if v.len() >= self.per_shard
            && let Some(i) = v
                .iter()
                .enumerate()
                .min_by_key(|(_, e)| e.used)
                .map(|(i, _)| i)
        {
            v.swap_remove(i);
        }
        v.push(Entry { chunk, data, used });
    }
}
