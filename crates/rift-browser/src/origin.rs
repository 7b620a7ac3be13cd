//! Which browser, profile and user a database belongs to, inferred from
//! its path (a host path or a path inside an image, `\` or `/`), and which
//! file names are browser databases.
//!
//! Sources: default profile locations documented by each vendor —
//! Chromium `docs/user_data_dir.md` (`%LOCALAPPDATA%\Google\Chrome\User
//! Data\<Profile>`, `Microsoft\Edge`, `BraveSoftware\Brave-Browser`,
//! Opera `%APPDATA%\Opera Software\Opera Stable`), Mozilla "Profiles - where
//! Firefox stores your bookmarks, passwords and other user data"
//! (`%APPDATA%\Mozilla\Firefox\Profiles\<id>.<name>`).

use serde::Serialize;

/// A browser product.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize)]
#[non_exhaustive]
pub enum Browser {
    /// Google Chrome (any channel).
    Chrome,
    /// Microsoft Edge (Chromium).
    Edge,
    /// Brave.
    Brave,
    /// Opera / Opera GX.
    Opera,
    /// Vivaldi.
    Vivaldi,
    /// Chromium.
    Chromium,
    /// A Chromium-family browser rift could not name from the path.
    ChromiumFamily,
    /// Mozilla Firefox.
    Firefox,
    /// Internet Explorer (WinINet cache, also used by legacy Edge).
    InternetExplorer,
    /// Not known.
    #[default]
    Unknown,
}

impl Browser {
    /// Display name.
    pub fn name(self) -> &'static str {
        match self {
            Browser::Chrome => "Chrome",
            Browser::Edge => "Edge",
            Browser::Brave => "Brave",
            Browser::Opera => "Opera",
            Browser::Vivaldi => "Vivaldi",
            Browser::Chromium => "Chromium",
            Browser::ChromiumFamily => "Chromium-family",
            Browser::Firefox => "Firefox",
            Browser::InternetExplorer => "Internet Explorer",
            Browser::Unknown => "unknown",
        }
    }
}

/// What a file is by its name (for folder and image walks; parsing itself
/// decides by the tables inside).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[non_exhaustive]
pub enum DbKind {
    /// Chromium `History` (or `Archived History`).
    ChromiumHistory,
    /// Firefox `places.sqlite`.
    FirefoxPlaces,
    /// Firefox legacy `downloads.sqlite`.
    FirefoxDownloads,
    /// Internet Explorer `index.dat`.
    IeIndex,
}

impl DbKind {
    /// The kind a file name suggests (case-insensitive), or `None`.
    pub fn from_file_name(name: &str) -> Option<DbKind> {
        let n = name.to_ascii_lowercase();
        match n.as_str() {
            "history" | "archived history" => Some(DbKind::ChromiumHistory),
            "places.sqlite" => Some(DbKind::FirefoxPlaces),
            "downloads.sqlite" => Some(DbKind::FirefoxDownloads),
            "index.dat" => Some(DbKind::IeIndex),
            _ => None,
        }
    }
}

/// Where a database came from: browser, profile, user and the path.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
#[non_exhaustive]
pub struct Origin {
    /// The browser.
    pub browser: Browser,
    /// Profile folder name (`Default`, `Profile 1`, `abcd.default-release`).
    pub profile: String,
    /// Windows user name (from `Users\<name>`), when the path has one.
    pub user: Option<String>,
    /// The path the database was read from.
    pub path: String,
}

impl Origin {
    /// An origin with just a profile label (for callers that know nothing
    /// else).
    pub fn with_profile(profile: &str) -> Origin {
        Origin {
            profile: profile.to_string(),
            ..Default::default()
        }
    }

    /// Infers browser, profile and user from a path such as
    /// `C:\Users\jo\AppData\Local\Google\Chrome\User Data\Default\History`.
    ///
    /// ```
    /// use rift_browser::{Browser, Origin};
    /// let o = Origin::from_path("/Users/jo/AppData/Local/Microsoft/Edge/User Data/Profile 2/History");
    /// assert_eq!((o.browser, o.profile.as_str(), o.user.as_deref()), (Browser::Edge, "Profile 2", Some("jo")));
    /// ```
    pub fn from_path(path: &str) -> Origin {
        let parts: Vec<&str> = path.split(['/', '\\']).filter(|p| !p.is_empty()).collect();
        let lower: Vec<String> = parts.iter().map(|p| p.to_ascii_lowercase()).collect();
        let has = |a: &str| lower.iter().any(|p| p == a);
        let has_pair = |a: &str, b: &str| {
            lower
                .windows(2)
                .any(|w| matches!(w, [x, y] if x == a && y.starts_with(b)))
        };
        let file = lower.last().map(String::as_str).unwrap_or("");
        let kind = DbKind::from_file_name(file);

        let browser = if has_pair("google", "chrome") {
            Browser::Chrome
        } else if has_pair("microsoft", "edge") {
            Browser::Edge
        } else if has("bravesoftware") {
            Browser::Brave
        } else if has("opera software") || lower.iter().any(|p| p.starts_with("opera ")) {
            Browser::Opera
        } else if has("vivaldi") {
            Browser::Vivaldi
        } else if has("chromium") {
            Browser::Chromium
        } else if has_pair("mozilla", "firefox") {
            Browser::Firefox
        } else {
            match kind {
                Some(DbKind::ChromiumHistory) => Browser::ChromiumFamily,
                Some(DbKind::FirefoxPlaces | DbKind::FirefoxDownloads) => Browser::Firefox,
                Some(DbKind::IeIndex) => Browser::InternetExplorer,
                None => Browser::Unknown,
            }
        };

        // The profile is the folder holding the database.
        let profile = if parts.len() >= 2 {
            parts
                .get(parts.len() - 2)
                .copied()
                .unwrap_or("")
                .to_string()
        } else {
            String::new()
        };

        let user = lower
            .iter()
            .position(|p| p == "users" || p == "documents and settings")
            .and_then(|i| parts.get(i + 1))
            .filter(|_| parts.len() > 2)
            .map(|s| s.to_string());

        Origin {
            browser,
            profile,
            user,
            path: path.to_string(),
        }
    }

    /// `Browser/Profile` (or just the profile when the browser is unknown),
    /// prefixed with `user:` when known: `jo:Chrome/Default`.
    pub fn label(&self) -> String {
        let base = match self.browser {
            Browser::Unknown => self.profile.clone(),
            b if self.profile.is_empty() => b.name().to_string(),
            b => format!("{}/{}", b.name(), self.profile),
        };
        match &self.user {
            Some(u) => format!("{u}:{base}"),
            None => base,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths() {
        let o = Origin::from_path(
            r"C:\Users\jiwoo\AppData\Local\Google\Chrome\User Data\Default\History",
        );
        assert_eq!(o.browser, Browser::Chrome);
        assert_eq!(o.profile, "Default");
        assert_eq!(o.user.as_deref(), Some("jiwoo"));
        assert_eq!(o.label(), "jiwoo:Chrome/Default");

        let o = Origin::from_path(
            "Users/a/AppData/Local/BraveSoftware/Brave-Browser/User Data/Profile 1/History",
        );
        assert_eq!(
            (o.browser, o.profile.as_str()),
            (Browser::Brave, "Profile 1")
        );

        let o = Origin::from_path(r"Users\b\AppData\Roaming\Opera Software\Opera Stable\History");
        assert_eq!(
            (o.browser, o.profile.as_str()),
            (Browser::Opera, "Opera Stable")
        );

        let o = Origin::from_path(
            "Users/c/AppData/Roaming/Mozilla/Firefox/Profiles/x1y2.default-release/places.sqlite",
        );
        assert_eq!(
            (o.browser, o.profile.as_str()),
            (Browser::Firefox, "x1y2.default-release")
        );

        let o = Origin::from_path("/tmp/case/History");
        assert_eq!((o.browser, o.user), (Browser::ChromiumFamily, None));
        let o = Origin::from_path("History");
        assert_eq!(
            (o.browser, o.profile.as_str()),
            (Browser::ChromiumFamily, "")
        );
        assert_eq!(o.label(), "Chromium-family");
        assert_eq!(
            DbKind::from_file_name("PLACES.SQLITE"),
            Some(DbKind::FirefoxPlaces)
        );
        assert_eq!(DbKind::from_file_name("History-journal"), None);
    }
}
