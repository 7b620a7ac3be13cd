//! A small thread-safe cache of decoded blocks (tables, inflated clusters).

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

/// Least-recently-used cache with a fixed number of entries. Eviction scans
/// the map, which is cheap at the small capacities used here (≤ 256).
pub(crate) struct BlockCache {
    cap: usize,
    inner: Mutex<Inner>,
}

struct Inner {
    tick: u64,
    map: HashMap<u64, (Arc<Vec<u8>>, u64)>,
}

impl BlockCache {
    pub(crate) fn new(cap: usize) -> Self {
        BlockCache {
            cap: cap.max(1),
            inner: Mutex::new(Inner {
                tick: 0,
                map: HashMap::new(),
            }),
        }
    }

    pub(crate) fn get(&self, key: u64) -> Option<Arc<Vec<u8>>> {
        let mut g = self.inner.lock().unwrap_or_else(|p| p.into_inner());
        g.tick += 1;
        let t = g.tick;
        g.map.get_mut(&key).map(|(v, used)| {
            *used = t;
            Arc::clone(v)
        })
    }

    pub(crate) fn insert(&self, key: u64, value: Arc<Vec<u8>>) {
        let mut g = self.inner.lock().unwrap_or_else(|p| p.into_inner());
        g.tick += 1;
        let t = g.tick;
        if g.map.len() >= self.cap && !g.map.contains_key(&key) {
            if let Some(old) = g.map.iter().min_by_key(|(_, (_, u))| *u).map(|(k, _)| *k) {
                g.map.remove(&old);
            }
        }
        g.map.insert(key, (value, t));
    }

    /// Returns the cached block or computes, caches and returns it.
    pub(crate) fn get_or_try<E>(
        &self,
        key: u64,
        make: impl FnOnce() -> Result<Vec<u8>, E>,
    ) -> Result<Arc<Vec<u8>>, E> {
        if let Some(v) = self.get(key) {
            return Ok(v);
        }
        let v = Arc::new(make()?);
        self.insert(key, Arc::clone(&v));
        Ok(v)
    }
}
