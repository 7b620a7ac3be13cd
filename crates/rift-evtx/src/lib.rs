//! Windows event logs (EVTX) with EvtxECmd-compatible maps.
//!
//! Decoding of chunks, templates and BinXML is done by the [`evtx`] crate;
//! this crate adds what incident response needs on top:
//!
//! * **every record it can get**: the chunks are walked here, so a damaged
//!   chunk never ends the log, a chunk with a damaged magic is retried, a
//!   chunk cut off by a truncated copy still gives its complete records,
//!   stale records can be carved from unused chunk space
//!   ([`ParseOptions::recover`]) and records hidden inside other records
//!   are found; every problem is counted and reported with its byte
//!   position ([`FileReport`], [`Issue`]);
//! * **EvtxECmd maps**: the community's `.map` YAML files (and the ones
//!   shipped in `maps/`, embedded in the binary) fill `UserName`,
//!   `RemoteHost`, `ExecutableInfo`, `PayloadData1`–`6` and
//!   `MapDescription` ([`MapSet`], [`maps`], [`xpath`]);
//! * **EvtxECmd's CSV** byte-compatible for Timeline Explorer, and JSON
//!   lines ([`ecmd`]).
//!
//! The input is any `Read + Seek` (or bytes); this crate never opens a log
//! by path.
//!
//! ```no_run
//! use rift_evtx::{MapSet, ParseOptions, parse_evtx};
//! # fn main() -> rift_evtx::Result<()> {
//! let maps = MapSet::shipped();
//! let file = std::io::Cursor::new(std::fs::read("Security.evtx").unwrap());
//! let report = parse_evtx(file, "Security.evtx", &maps, &ParseOptions::default(), |rec| {
//!     if rec.event_id == Some(4624) {
//!         println!("{} {}", rec.mapped.payload_data[0], rec.mapped.payload_data[1]);
//!     }
//! })?;
//! println!("{} records, {} errors", report.records, report.errors());
//! # Ok(()) }
//! ```
//!
//! Why own code around the crate: its file iterator stops at the end of
//! the chunks its header promises and drops a partial last chunk; its
//! records don't carry chunk numbers or file offsets; it has no notion of
//! maps. The XML tree the maps run on is ours ([`xml`]): the rendered
//! records are read back on the hot path, and a general XML parser
//! (`roxmltree` was tried) cost a third of the run and rejected whole
//! carved records over one broken element name. The map XPath subset is
//! ours too (a handful of forms, see [`xpath`]): general XPath crates are
//! heavy or unmaintained, and EvtxECmd's semantics (joining several matches
//! with `", "`) need control anyway.
#![forbid(unsafe_code)]
#![deny(missing_docs)]
#![cfg_attr(not(test), deny(clippy::indexing_slicing))]

pub mod ecmd;
mod error;
pub mod maps;
mod parse;
pub mod payload;
mod record;
pub mod xml;
pub mod xpath;

pub use ecmd::{CSV_HEADER, CsvWriter, csv_row, json_line, json_value};
pub use error::{Error, Result};
pub use maps::{EventMap, MapSet, MappedFields, Property};
pub use parse::{
    CHUNK_SIZE, FILE_HEADER_SIZE, FileHeader, FileReport, Issue, IssueKind, ParseOptions,
    parse_evtx, parse_evtx_all, parse_evtx_bytes, parse_file_header,
};
pub use record::{DataField, EventRecord, level_name};
