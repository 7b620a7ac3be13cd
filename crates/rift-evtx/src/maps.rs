//! EvtxECmd-compatible event maps.
//!
//! A map is a YAML file that says, for one event (`EventId` + `Channel`,
//! narrowed by `Provider`), how to fill EvtxECmd's normalised columns
//! (`UserName`, `RemoteHost`, `ExecutableInfo`, `PayloadData1`…`6`) from the
//! event XML, and gives the `MapDescription`:
//!
//! ```yaml
//! Author: …
//! Description: Successful logon
//! EventId: 4624
//! Channel: Security
//! Provider: Microsoft-Windows-Security-Auditing
//! Maps:
//!   - Property: PayloadData2
//!     PropertyValue: "LogonType %LogonType%"
//!     Values:
//!       - Name: LogonType
//!         Value: "/Event/EventData/Data[@Name=\"LogonType\"]"
//!         Refine: "[0-9]+"            # optional regex; its first match replaces the value
//! Lookups:                            # optional; a lookup applies to the value of the same Name
//!   - Name: LogonType
//!     Default: Unknown
//!     Values:
//!       2: Interactive
//! ```
//!
//! Evaluation follows EvtxECmd: for each `Maps` entry every `Values` item is
//! evaluated (XPath, see [`crate::xpath`]; no match gives an empty string),
//! refined by its `Refine` regex (the whole first match, empty when none),
//! translated through the `Lookups` entry of the same `Name` (its `Default`
//! when the value is not listed), and substituted for `%Name%` in
//! `PropertyValue`. Maps are loaded alphabetically per folder and the first
//! map loaded for an (event ID, channel, provider) wins, so a user's folder
//! is loaded before the shipped maps and overrides them.
//!
//! Differences from EvtxECmd, on purpose: a map file that does not load is
//! reported and skipped (EvtxECmd stops); lookup keys also match
//! case-insensitively (`0xc000006a` finds `0xC000006A`); `Refine` uses Rust
//! `regex` syntax (no look-around or back-references — such a map is
//! reported as not loadable).
//!
//! Sources: EvtxECmd `evtx/EventLogMap.cs` (schema and validator: property
//! names, mandatory fields), `evtx/Maps/!!!!README.md` (load order,
//! lookups), `evtx/Maps/!Channel-Name_Provider-Name_EventID.guide`.

use std::collections::HashMap;
use std::fs;
use std::path::Path;

use regex::Regex;
use serde::Deserialize;

use crate::error::{Error, Result};
use crate::xml::Doc;
use crate::xpath::XPath;

include!(concat!(env!("OUT_DIR"), "/shipped_maps.rs"));

/// Largest map file we read (the community's largest is a few KiB).
const MAX_MAP_BYTES: u64 = 1 << 20;

/// A normalised column a map can fill.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Property {
    /// `UserName`
    UserName,
    /// `RemoteHost`
    RemoteHost,
    /// `ExecutableInfo`
    ExecutableInfo,
    /// `PayloadData1` … `PayloadData6` (1-based).
    PayloadData(u8),
}

impl Property {
    /// Parses a `Property:` value (case-insensitive, as EvtxECmd's validator).
    pub fn parse(s: &str) -> Option<Property> {
        let l = s.trim().to_ascii_lowercase();
        Some(match l.as_str() {
            "username" => Property::UserName,
            "remotehost" => Property::RemoteHost,
            "executableinfo" => Property::ExecutableInfo,
            _ => {
                let n: u8 = l.strip_prefix("payloaddata")?.parse().ok()?;
                if !(1..=6).contains(&n) {
                    return None;
                }
                Property::PayloadData(n)
            }
        })
    }
}

/// The columns a map filled for one record. Empty strings where no map (or
/// no entry of the map) applies.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize)]
pub struct MappedFields {
    /// The map's `Description`.
    pub map_description: String,
    /// `UserName`.
    pub user_name: String,
    /// `RemoteHost`.
    pub remote_host: String,
    /// `ExecutableInfo`.
    pub executable_info: String,
    /// `PayloadData1` … `PayloadData6`.
    pub payload_data: [String; 6],
}

impl MappedFields {
    fn slot(&mut self, p: Property) -> &mut String {
        match p {
            Property::UserName => &mut self.user_name,
            Property::RemoteHost => &mut self.remote_host,
            Property::ExecutableInfo => &mut self.executable_info,
            Property::PayloadData(n) => {
                let i = usize::from(n.clamp(1, 6) - 1);
                // `i` is 0..=5 by the clamp.
                match self.payload_data.get_mut(i) {
                    Some(s) => s,
                    None => &mut self.executable_info,
                }
            }
        }
    }
}

// ---- YAML schema -------------------------------------------------------

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct MapFileYaml {
    #[serde(default)]
    description: Option<String>,
    #[serde(default)]
    event_id: Option<String>,
    #[serde(default)]
    channel: Option<String>,
    #[serde(default)]
    provider: Option<String>,
    #[serde(default)]
    maps: Option<Vec<MapEntryYaml>>,
    #[serde(default)]
    lookups: Option<Vec<LookupYaml>>,
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct MapEntryYaml {
    property: String,
    property_value: String,
    #[serde(default)]
    values: Option<Vec<ValueYaml>>,
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct ValueYaml {
    name: String,
    value: String,
    #[serde(default)]
    refine: Option<String>,
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct LookupYaml {
    name: String,
    #[serde(default)]
    default: Option<String>,
    #[serde(default)]
    values: Option<HashMap<String, String>>,
}

// ---- compiled maps -----------------------------------------------------

#[derive(Debug, Clone)]
struct Value {
    name: String,
    path: XPath,
    refine: Option<Regex>,
}

#[derive(Debug, Clone)]
struct Entry {
    property: Property,
    template: String,
    values: Vec<Value>,
}

#[derive(Debug, Clone)]
struct Lookup {
    default: Option<String>,
    values: HashMap<String, String>,
    lower: HashMap<String, String>,
}

/// One loaded map.
#[derive(Debug, Clone)]
pub struct EventMap {
    /// The file it came from.
    pub file_name: String,
    /// `Description` (becomes `MapDescription`).
    pub description: String,
    /// `EventId`.
    pub event_id: u32,
    /// `Channel`.
    pub channel: String,
    /// `Provider`, when given.
    pub provider: Option<String>,
    entries: Vec<Entry>,
    lookups: HashMap<String, Lookup>,
}

impl EventMap {
    /// Parses and compiles a map file's text.
    pub fn from_yaml(file_name: &str, text: &str) -> Result<EventMap> {
        let err = |message: String| Error::Map {
            name: file_name.to_owned(),
            message,
        };
        let y: MapFileYaml = yaml_serde::from_str(text).map_err(|e| err(e.to_string()))?;
        let event_id = y
            .event_id
            .as_deref()
            .map(str::trim)
            .ok_or_else(|| err("EventId is missing".into()))?;
        let event_id: u32 = event_id
            .parse()
            .map_err(|_| err(format!("EventId `{event_id}` is not a number")))?;
        let channel = y
            .channel
            .map(|c| c.trim().to_owned())
            .filter(|c| !c.is_empty())
            .ok_or_else(|| err("Channel is missing".into()))?;
        let provider = y
            .provider
            .map(|p| p.trim().to_owned())
            .filter(|p| !p.is_empty());
        let mut entries = Vec::new();
        for m in y.maps.unwrap_or_default() {
            let property = Property::parse(&m.property).ok_or_else(|| {
                err(format!(
                    "Property `{}` must be UserName, RemoteHost, ExecutableInfo or PayloadData1..6",
                    m.property
                ))
            })?;
            let mut values = Vec::new();
            for v in m.values.unwrap_or_default() {
                let path =
                    XPath::parse(&v.value).map_err(|e| err(format!("value `{}`: {e}", v.name)))?;
                let refine = match v.refine.as_deref().map(str::trim) {
                    Some(r) if !r.is_empty() => Some(
                        Regex::new(r).map_err(|e| err(format!("Refine of `{}`: {e}", v.name)))?,
                    ),
                    _ => None,
                };
                values.push(Value {
                    name: v.name,
                    path,
                    refine,
                });
            }
            entries.push(Entry {
                property,
                template: m.property_value,
                values,
            });
        }
        let mut lookups = HashMap::new();
        for l in y.lookups.unwrap_or_default() {
            let values = l.values.unwrap_or_default();
            let lower = values
                .iter()
                .map(|(k, v)| (k.trim().to_lowercase(), v.clone()))
                .collect();
            lookups.insert(
                l.name,
                Lookup {
                    default: l.default,
                    values,
                    lower,
                },
            );
        }
        Ok(EventMap {
            file_name: file_name.to_owned(),
            description: y.description.unwrap_or_default().trim().to_owned(),
            event_id,
            channel,
            provider,
            entries,
            lookups,
        })
    }

    /// Fills the columns for one event document.
    pub fn apply(&self, doc: &Doc<'_>) -> MappedFields {
        let mut out = MappedFields {
            map_description: self.description.clone(),
            ..MappedFields::default()
        };
        for entry in &self.entries {
            let mut values: Vec<(&str, String)> = Vec::with_capacity(entry.values.len());
            for v in &entry.values {
                let mut value = v.path.evaluate(doc).unwrap_or_default();
                if let Some(re) = &v.refine {
                    value = re
                        .find(&value)
                        .map(|m| m.as_str().to_owned())
                        .unwrap_or_default();
                }
                if let Some(l) = self.lookups.get(&v.name) {
                    value = l
                        .values
                        .get(&value)
                        .or_else(|| l.lower.get(&value.trim().to_lowercase()))
                        .or(l.default.as_ref())
                        .cloned()
                        .unwrap_or(value);
                }
                values.push((&v.name, value));
            }
            let text = substitute(&entry.template, &values);
            *out.slot(entry.property) = text;
        }
        out
    }

    /// Fills the columns for one event given as XML text.
    pub fn apply_xml(&self, xml: &str) -> MappedFields {
        self.apply(&Doc::parse(xml))
    }

    /// Every `Values` item: (property it feeds, variable name, XPath).
    pub fn values(&self) -> impl Iterator<Item = (Property, &str, &XPath)> {
        self.entries.iter().flat_map(|e| {
            e.values
                .iter()
                .map(move |v| (e.property, v.name.as_str(), &v.path))
        })
    }

    fn matches(&self, provider: &str) -> bool {
        self.provider
            .as_deref()
            .is_none_or(|p| p.eq_ignore_ascii_case(provider))
    }
}

/// Replaces each `%Name%` of `template` with its value, in one pass (a
/// value is never searched for placeholders itself). Unknown `%…%` stay.
fn substitute(template: &str, values: &[(&str, String)]) -> String {
    let mut out = String::with_capacity(template.len() + 32);
    let mut rest = template;
    while let Some(i) = rest.find('%') {
        out.push_str(rest.get(..i).unwrap_or_default());
        let after = rest.get(i + 1..).unwrap_or_default();
        let hit = values.iter().find(|(name, _)| {
            after.starts_with(name) && after.get(name.len()..).is_some_and(|t| t.starts_with('%'))
        });
        match hit {
            Some((name, value)) => {
                out.push_str(value);
                rest = after.get(name.len() + 1..).unwrap_or_default();
            }
            None => {
                out.push('%');
                rest = after;
            }
        }
    }
    out.push_str(rest);
    out
}

/// A set of maps, looked up by event ID, channel and provider.
#[derive(Debug, Clone, Default)]
pub struct MapSet {
    maps: Vec<EventMap>,
    index: HashMap<(u32, String), Vec<usize>>,
}

impl MapSet {
    /// No maps.
    pub fn new() -> MapSet {
        MapSet::default()
    }

    /// The maps shipped inside rift (see `crates/rift-evtx/maps/`).
    pub fn shipped() -> MapSet {
        let mut set = MapSet::new();
        // The shipped maps are loaded (and checked) by the test suite; a map
        // that failed here would only be missing, never crash.
        let _ = set.add_shipped();
        set
    }

    /// Adds the shipped maps after the ones already loaded; returns the
    /// errors of any that did not load.
    pub fn add_shipped(&mut self) -> Vec<Error> {
        let mut errors = Vec::new();
        for (name, text) in SHIPPED_MAPS {
            if let Err(e) = self.add_yaml(name, text) {
                errors.push(e);
            }
        }
        errors
    }

    /// Names and texts of the shipped maps.
    pub fn shipped_files() -> &'static [(&'static str, &'static str)] {
        SHIPPED_MAPS
    }

    /// Adds one map from its YAML text.
    pub fn add_yaml(&mut self, file_name: &str, text: &str) -> Result<()> {
        let map = EventMap::from_yaml(file_name, text)?;
        self.push(map);
        Ok(())
    }

    /// Adds a loaded map. Later maps for the same event, channel and
    /// provider never shadow earlier ones.
    pub fn push(&mut self, map: EventMap) {
        let key = (map.event_id, map.channel.to_lowercase());
        self.index.entry(key).or_default().push(self.maps.len());
        self.maps.push(map);
    }

    /// Adds every `*.map` file of a folder (not recursive), alphabetically,
    /// as EvtxECmd does. Returns how many loaded and the errors of the rest.
    /// Map folders are configuration, not evidence.
    pub fn add_dir(&mut self, dir: &Path) -> Result<(usize, Vec<Error>)> {
        let io = |e: std::io::Error| Error::Map {
            name: dir.display().to_string(),
            message: e.to_string(),
        };
        let mut names: Vec<_> = fs::read_dir(dir)
            .map_err(io)?
            .filter_map(|e| e.ok())
            .map(|e| e.path())
            .filter(|p| p.is_file() && p.extension().is_some_and(|x| x.eq_ignore_ascii_case("map")))
            .collect();
        names.sort();
        let mut loaded = 0;
        let mut errors = Vec::new();
        for path in names {
            let name = path
                .file_name()
                .map(|n| n.to_string_lossy().into_owned())
                .unwrap_or_default();
            let text = match fs::metadata(&path) {
                Ok(m) if m.len() > MAX_MAP_BYTES => {
                    errors.push(Error::Map {
                        name,
                        message: format!("larger than {MAX_MAP_BYTES} bytes"),
                    });
                    continue;
                }
                _ => match fs::read(&path) {
                    Ok(b) => String::from_utf8_lossy(&b).into_owned(),
                    Err(e) => {
                        errors.push(Error::Map {
                            name,
                            message: e.to_string(),
                        });
                        continue;
                    }
                },
            };
            // A UTF-8 BOM is common in maps saved on Windows.
            let text = text.strip_prefix('\u{feff}').unwrap_or(&text);
            match self.add_yaml(&name, text) {
                Ok(()) => loaded += 1,
                Err(e) => errors.push(e),
            }
        }
        Ok((loaded, errors))
    }

    /// The map for an event, if any: the first loaded whose event ID and
    /// channel (case-insensitive) match and whose provider matches or is
    /// not given.
    pub fn find(&self, event_id: u32, channel: &str, provider: &str) -> Option<&EventMap> {
        let ids = self.index.get(&(event_id, channel.to_lowercase()))?;
        ids.iter()
            .filter_map(|&i| self.maps.get(i))
            .find(|m| m.matches(provider))
    }

    /// Number of maps.
    pub fn len(&self) -> usize {
        self.maps.len()
    }

    /// No maps at all.
    pub fn is_empty(&self) -> bool {
        self.maps.is_empty()
    }

    /// The maps, in load order.
    pub fn iter(&self) -> impl Iterator<Item = &EventMap> {
        self.maps.iter()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const EVENT: &str = r#"<Event xmlns="http://schemas.microsoft.com/win/2004/08/events/event"><System><Provider Name="Microsoft-Windows-Power-Troubleshooter"/><EventID>1</EventID><Channel>System</Channel></System><EventData><Data Name="WakeSourceType">5</Data><Data Name="Status">0xC000006A</Data><Data Name="Text">Wake: device USB\ROOT_HUB30 at 10.1.2.3 (ok)</Data></EventData></Event>"#;

    const MAP: &str = r#"
Author: rift tests
Description: Test wake map
EventId: 1
Channel: System
Provider: Microsoft-Windows-Power-Troubleshooter
Maps:
  -
    Property: PayloadData1
    PropertyValue: "Wake source: %WakeSourceType% (%Raw%)"
    Values:
      -
        Name: WakeSourceType
        Value: "/Event/EventData/Data[@Name=\"WakeSourceType\"]"
      -
        Name: Raw
        Value: "/Event/EventData/Data[@Name=\"WakeSourceType\"]"
  -
    Property: RemoteHost
    PropertyValue: "%Ip%"
    Values:
      -
        Name: Ip
        Value: "/Event/EventData/Data[@Name=\"Text\"]"
        Refine: "[0-9]{1,3}\\.[0-9]{1,3}\\.[0-9]{1,3}\\.[0-9]{1,3}"
  -
    Property: PayloadData2
    PropertyValue: "Status %Status% / %Missing%"
    Values:
      -
        Name: Status
        Value: "/Event/EventData/Data[@Name=\"Status\"]"
      -
        Name: Missing
        Value: "/Event/EventData/Data[@Name=\"Nope\"]"
Lookups:
  -
    Name: WakeSourceType
    Default: Unknown code
    Values:
        1: Power button
        5: Device
  -
    Name: Status
    Default: other
    Values:
        0xc000006a: Bad password
"#;

    #[test]
    fn lookup_refine_and_missing_values() {
        let map = EventMap::from_yaml("t.map", MAP).unwrap();
        let doc = Doc::parse(EVENT);
        let f = map.apply(&doc);
        assert_eq!(f.map_description, "Test wake map");
        assert_eq!(f.payload_data[0], "Wake source: Device (5)");
        assert_eq!(f.remote_host, "10.1.2.3");
        assert_eq!(f.payload_data[1], "Status Bad password / ");
        assert_eq!(f.user_name, "");
    }

    #[test]
    fn substitution_is_one_pass() {
        let v = [("a", "%b%".to_string()), ("b", "B".to_string())];
        assert_eq!(substitute("x%a%y%b%z%c%%", &v), "x%b%yBz%c%%");
        assert_eq!(substitute("%a", &v), "%a");
        assert_eq!(substitute("", &v), "");
    }

    #[test]
    fn lookup_default_applies() {
        let xml = EVENT.replace(">5<", ">9<");
        let doc = Doc::parse(&xml);
        let f = EventMap::from_yaml("t.map", MAP).unwrap().apply(&doc);
        assert_eq!(f.payload_data[0], "Wake source: Unknown code (9)");
    }

    #[test]
    fn first_loaded_wins_and_provider_narrows() {
        let mut set = MapSet::new();
        set.add_yaml("a.map", &MAP.replace("Test wake map", "first"))
            .unwrap();
        set.add_yaml("b.map", &MAP.replace("Test wake map", "second"))
            .unwrap();
        let m = set
            .find(1, "SYSTEM", "microsoft-windows-power-troubleshooter")
            .unwrap();
        assert_eq!(m.description, "first");
        assert!(set.find(1, "System", "Other-Provider").is_none());
        assert!(
            set.find(2, "System", "Microsoft-Windows-Power-Troubleshooter")
                .is_none()
        );
    }

    #[test]
    fn bad_maps_are_errors() {
        for bad in [
            MAP.replace("PayloadData1", "PayloadData7"),
            MAP.replace("EventId: 1", "EventId: one"),
            MAP.replace("Channel: System", ""),
            MAP.replace("[0-9]{1,3}", "(?<=x)"),
            MAP.replace("/Event/EventData/Data[@Name=\\\"Status\\\"]", "//Data"),
            "Maps: [".to_string(),
        ] {
            assert!(EventMap::from_yaml("bad.map", &bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn shipped_maps_all_load() {
        let mut set = MapSet::new();
        let errors = set.add_shipped();
        assert!(errors.is_empty(), "{errors:?}");
        assert_eq!(set.len(), SHIPPED_MAPS.len());
        assert!(set.len() >= 60, "only {} shipped maps", set.len());
    }
}
