//! Chromium's enumerations stored in `History`: page transitions, download
//! state, danger type and interrupt reason. Raw integers are kept; these
//! types only label them.
//!
//! Sources: Chromium `ui/base/page_transition_types.h` (core types and
//! qualifier bits), `components/download/public/common/download_item.h`
//! (`DownloadState`), `download_danger_type.h`,
//! `download_interrupt_reason_values.h`, `components/history/core/browser/
//! history_types.h` (`VisitSource`); cross-read with Hindsight
//! `pyhindsight/browsers/chrome.py` and our notes in
//! `docs/formats/artifacts.md` §6.1.

use bitflags::bitflags;
use serde::Serialize;

/// A page transition (`visits.transition`): core type in the low byte,
/// qualifier bits in the high bits. The raw value is kept.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(transparent)]
pub struct Transition(pub u32);

bitflags! {
    /// Qualifier bits of a [`Transition`].
    #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
    pub struct TransitionQualifiers: u32 {
        /// Navigation was blocked (by a supervised-user filter…).
        const BLOCKED = 0x0080_0000;
        /// Back/forward in the session history.
        const FORWARD_BACK = 0x0100_0000;
        /// The user typed or picked this in the address bar (omnibox).
        const FROM_ADDRESS_BAR = 0x0200_0000;
        /// The home page.
        const HOME_PAGE = 0x0400_0000;
        /// Opened by an external application through an API.
        const FROM_API = 0x0800_0000;
        /// First page of a redirect chain.
        const CHAIN_START = 0x1000_0000;
        /// Last page of a redirect chain.
        const CHAIN_END = 0x2000_0000;
        /// Redirect caused by JavaScript or a meta refresh.
        const CLIENT_REDIRECT = 0x4000_0000;
        /// Redirect caused by the server (HTTP 3xx).
        const SERVER_REDIRECT = 0x8000_0000;
    }
}

impl Transition {
    /// The core type (`transition & 0xFF`).
    pub fn core(self) -> u8 {
        (self.0 & 0xFF) as u8
    }

    /// The label of the core type (`"link"`, `"typed"` …); `None` for a
    /// value Chromium does not define.
    pub fn core_label(self) -> Option<&'static str> {
        Some(match self.core() {
            0 => "link",
            1 => "typed",
            2 => "auto bookmark",
            3 => "auto subframe",
            4 => "manual subframe",
            5 => "generated",
            6 => "auto toplevel",
            7 => "form submit",
            8 => "reload",
            9 => "keyword",
            10 => "keyword generated",
            _ => return None,
        })
    }

    /// The qualifier bits that are set (unknown bits are dropped here but
    /// stay in the raw value).
    pub fn qualifiers(self) -> TransitionQualifiers {
        TransitionQualifiers::from_bits_truncate(self.0)
    }

    /// Human-readable form: `typed; from address bar, chain start, chain end`.
    pub fn describe(self) -> String {
        let core = match self.core_label() {
            Some(l) => l.to_string(),
            None => format!("unknown ({})", self.core()),
        };
        let q: Vec<&str> = self
            .qualifiers()
            .iter_names()
            .map(|(name, _)| qualifier_label(name))
            .collect();
        if q.is_empty() {
            core
        } else {
            format!("{core}; {}", q.join(", "))
        }
    }
}

fn qualifier_label(flag_name: &str) -> &'static str {
    match flag_name {
        "BLOCKED" => "blocked",
        "FORWARD_BACK" => "forward/back",
        "FROM_ADDRESS_BAR" => "from address bar",
        "HOME_PAGE" => "home page",
        "FROM_API" => "from API",
        "CHAIN_START" => "chain start",
        "CHAIN_END" => "chain end",
        "CLIENT_REDIRECT" => "client redirect",
        "SERVER_REDIRECT" => "server redirect",
        _ => "?",
    }
}

/// Label of `visit_source.source`. A visit without a `visit_source` row
/// was made in this browser (Chromium stores only non-local sources).
pub fn visit_source_label(source: i64) -> String {
    match source {
        0 => "synced".into(),
        1 => "local".into(),
        2 => "extension".into(),
        3 => "imported from Firefox".into(),
        4 => "imported from IE".into(),
        5 => "imported from Safari".into(),
        6 => "imported from Edge".into(),
        7 => "actor".into(),
        other => format!("unknown ({other})"),
    }
}

/// Label of `downloads.state`.
pub fn download_state_label(state: i64) -> String {
    match state {
        0 => "in progress".into(),
        1 => "complete".into(),
        2 => "cancelled".into(),
        // 3 was the pre-M24 "interrupted" value (Chrome 26 migration
        // renumbered it to 4).
        3 | 4 => "interrupted".into(),
        other => format!("unknown ({other})"),
    }
}

/// Label of `downloads.danger_type`.
pub fn danger_type_label(danger: i64) -> String {
    match danger {
        0 => "not dangerous".into(),
        1 => "dangerous file".into(),
        2 => "dangerous URL".into(),
        3 => "dangerous content".into(),
        4 => "maybe dangerous content".into(),
        5 => "uncommon content".into(),
        6 => "user validated".into(),
        7 => "dangerous host".into(),
        8 => "potentially unwanted".into(),
        9 => "allowlisted by policy".into(),
        10 => "async scanning".into(),
        11 => "blocked password protected".into(),
        12 => "blocked too large".into(),
        13 => "sensitive content warning".into(),
        14 => "sensitive content block".into(),
        15 => "deep scanned safe".into(),
        16 => "deep scanned opened dangerous".into(),
        17 => "prompt for scanning".into(),
        18 => "blocked unsupported file type".into(),
        19 => "dangerous account compromise".into(),
        other => format!("unknown ({other})"),
    }
}

/// Label of `downloads.interrupt_reason`.
pub fn interrupt_reason_label(reason: i64) -> String {
    match reason {
        0 => "none".into(),
        1 => "file failed".into(),
        2 => "file access denied".into(),
        3 => "file no space".into(),
        5 => "file name too long".into(),
        6 => "file too large".into(),
        7 => "file virus infected".into(),
        10 => "file transient error".into(),
        11 => "file blocked".into(),
        12 => "file security check failed".into(),
        13 => "file too short".into(),
        14 => "file hash mismatch".into(),
        15 => "file same as source".into(),
        20 => "network failed".into(),
        21 => "network timeout".into(),
        22 => "network disconnected".into(),
        23 => "network server down".into(),
        24 => "network invalid request".into(),
        30 => "server failed".into(),
        31 => "server no range".into(),
        32 => "server precondition".into(),
        33 => "server bad content".into(),
        34 => "server unauthorized".into(),
        35 => "server certificate problem".into(),
        36 => "server forbidden".into(),
        37 => "server unreachable".into(),
        38 => "server content length mismatch".into(),
        39 => "server cross-origin redirect".into(),
        40 => "user canceled".into(),
        41 => "user shutdown".into(),
        50 => "crash".into(),
        other => format!("unknown ({other})"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn transitions_decode() {
        // Values seen in hindsight_profile60 (artifacts.md §6.1).
        let t = Transition(0x3200_0005);
        assert_eq!(t.core(), 5);
        assert_eq!(t.core_label(), Some("generated"));
        assert_eq!(
            t.qualifiers(),
            TransitionQualifiers::FROM_ADDRESS_BAR
                | TransitionQualifiers::CHAIN_START
                | TransitionQualifiers::CHAIN_END
        );
        assert_eq!(
            t.describe(),
            "generated; from address bar, chain start, chain end"
        );
        assert_eq!(
            Transition(0x3100_0000).describe(),
            "link; forward/back, chain start, chain end"
        );
        assert_eq!(
            Transition(0xA000_0000).describe(),
            "link; chain end, server redirect"
        );
        assert_eq!(Transition(0x0000_00FE).describe(), "unknown (254)");
    }

    #[test]
    fn labels() {
        assert_eq!(download_state_label(1), "complete");
        assert_eq!(download_state_label(99), "unknown (99)");
        assert_eq!(danger_type_label(0), "not dangerous");
        assert_eq!(interrupt_reason_label(40), "user canceled");
        assert_eq!(visit_source_label(0), "synced");
    }
}
