//! Windows registry hives: regf cells, transaction-log replay, deleted data,
//! RECmd-compatible batch files and incident plugins.
//!
//! # Getting started
//!
//! ```no_run
//! # fn main() -> rift_hive::Result<()> {
//! let bytes = std::fs::read("NTUSER.DAT").unwrap();
//! let log1 = std::fs::read("NTUSER.DAT.LOG1").ok();
//! let log2 = std::fs::read("NTUSER.DAT.LOG2").ok();
//! // Replay the transaction logs first when the hive is dirty.
//! let replayed = rift_hive::replay(&bytes, log1.as_deref(), log2.as_deref())?;
//! let hive = rift_hive::Hive::from_bytes(replayed.hive)?;
//! let run = hive.open(r"Software\Microsoft\Windows\CurrentVersion\Run")?;
//! for v in run.values().into_iter().flatten() {
//!     println!("{} = {:?}", v.name(), v.decoded()?);
//! }
//! # Ok(()) }
//! ```
//!
//! # Why our own parser
//! `notatin` cannot read old-format logs nor write a clean hive, `nt-hive`
//! is GPL, `winreg-core` applies log pages without checks. This crate
//! follows msuhanov/regf (the format specification) and checks itself
//! against Windows' own replays, yarp's test expectations, hivex and
//! regipy (see `tests/`).
//!
//! # Layout
//! * [`base_block`], [`hive`], [`key`], [`value`], [`security`]: the file
//!   format; hives are parsed from bytes in memory, in a strict or a
//!   lenient [`Mode`].
//! * [`log`]: old (dirty vector) and new (HvLE + Marvin32) transaction
//!   logs and [`replay`].
//! * [`recover`]: deleted keys and values from free cells, slack.
//! * [`batch`]: RECmd `.reb` batch files and the RECmd batch CSV.
//! * [`plugins`]: typed artifact records (UserAssist, BAM, ShimCache,
//!   Amcache, ...), each with its timestamps for the timeline.
//! * [`discover`]: hive type from a name and content, log names, user
//!   attribution.
#![forbid(unsafe_code)]
#![deny(missing_docs)]
#![cfg_attr(not(test), deny(clippy::indexing_slicing))]

pub mod base_block;
pub mod batch;
pub mod discover;
mod error;
pub mod hive;
pub mod key;
pub mod log;
pub mod marvin;
pub mod plugins;
pub mod recover;
pub mod security;
pub mod ser;
pub mod value;

pub use base_block::BaseBlock;
pub use discover::HiveType;
pub use error::{Error, Result};
pub use hive::{Hive, Issue, Mode};
pub use key::Key;
pub use log::{ReplayReport, Replayed, replay};
pub use value::{Value, ValueData, ValueType};
