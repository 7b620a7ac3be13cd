//! Maps on real events. Expected column values are built in each test from
//! `evtx_dump`'s JSON of the same record (an independent rendering) and
//! the column layout EvtxECmd documents (its `Maps/!!!!README.md` and map
//! guide), written out by hand here.

use std::collections::HashMap;
use std::path::Path;
use std::process::Command;

use rift_evtx::{MapSet, ParseOptions, Property, parse_evtx_all};
use rift_testutil::{TempDir, fixture, fixtures_dir, require_tool};

/// evtx_dump's records of a file, by EventRecordID.
fn dump(path: &Path) -> HashMap<u64, serde_json::Value> {
    require_tool("evtx_dump");
    let out = Command::new("evtx_dump")
        .args(["-o", "jsonl", "-t", "1"])
        .arg(path)
        .output()
        .expect("run evtx_dump");
    String::from_utf8_lossy(&out.stdout)
        .lines()
        .map(|l| {
            let v: serde_json::Value = serde_json::from_str(l).unwrap();
            let id = &v["Event"]["System"]["EventRecordID"];
            let id = id.as_u64().or_else(|| id.as_str()?.parse().ok()).unwrap();
            (id, v)
        })
        .collect()
}

/// An EventData value from evtx_dump's JSON as text (numbers print as
/// numbers, `null` is empty).
fn data(v: &serde_json::Value, name: &str) -> String {
    match &v["Event"]["EventData"][name] {
        serde_json::Value::String(s) => s.clone(),
        serde_json::Value::Null => String::new(),
        other => other.to_string(),
    }
}

#[test]
fn shipped_4624_map_fills_the_columns_evtxecmd_documents() {
    let path = fixture("evtx/evtx-rs_security.evtx");
    let oracle = dump(&path);
    let maps = MapSet::shipped();
    let (records, _) = parse_evtx_all(
        std::fs::File::open(&path).unwrap(),
        "Security.evtx",
        &maps,
        &ParseOptions::default(),
    )
    .unwrap();
    let logons: Vec<_> = records
        .iter()
        .filter(|r| r.event_id == Some(4624))
        .collect();
    assert!(logons.len() > 500, "{} logons", logons.len());
    let type_names: HashMap<&str, &str> = [
        ("0", "System"),
        ("2", "Interactive"),
        ("3", "Network"),
        ("4", "Batch"),
        ("5", "Service"),
        ("7", "Unlock"),
        ("8", "NetworkCleartext"),
        ("9", "NewCredentials"),
        ("10", "RemoteInteractive"),
        ("11", "CachedInteractive"),
    ]
    .into();
    let mut types_seen = std::collections::BTreeSet::new();
    for r in logons {
        let v = &oracle[&r.event_record_id.unwrap()];
        let d = |n| data(v, n);
        let m = &r.mapped;
        assert_eq!(m.map_description, "Successful logon");
        // EvtxECmd's README example map for 4624 and its documented output:
        assert_eq!(
            m.user_name,
            format!("{}\\{}", d("SubjectDomainName"), d("SubjectUserName"))
        );
        assert_eq!(
            m.remote_host,
            format!("{} ({})", d("WorkstationName"), d("IpAddress"))
        );
        assert_eq!(
            m.payload_data[0],
            format!("Target: {}\\{}", d("TargetDomainName"), d("TargetUserName"))
        );
        assert_eq!(m.payload_data[1], format!("LogonType {}", d("LogonType")));
        assert_eq!(
            m.payload_data[2],
            format!("LogonId: {}", d("TargetLogonId"))
        );
        assert_eq!(
            m.payload_data[3],
            format!(
                "AuthenticationPackageName: {}",
                d("AuthenticationPackageName")
            )
        );
        assert_eq!(
            m.payload_data[4],
            format!("LogonProcessName: {}", d("LogonProcessName"))
        );
        assert_eq!(
            m.payload_data[5],
            format!("LogonTypeName: {}", type_names[d("LogonType").as_str()])
        );
        assert_eq!(m.executable_info, d("ProcessName"));
        types_seen.insert(d("LogonType"));
    }
    assert!(types_seen.len() >= 3, "several logon types: {types_seen:?}");
}

/// Two maps written the way the community writes them (double-quoted
/// values with escaped quotes, `-` on its own line), one with a `Lookups`
/// table and one with a `Refine` regex, loaded from a folder.
const WAKE_MAP: &str = r#"Author: rift tests
Description: System resumed from sleep
EventId: 1
Channel: System
Provider: Microsoft-Windows-Power-Troubleshooter
Maps:
  -
    Property: PayloadData1
    PropertyValue: "Sleep: %SleepTime%, wake: %WakeTime%"
    Values:
      -
        Name: SleepTime
        Value: "/Event/EventData/Data[@Name=\"SleepTime\"]"
      -
        Name: WakeTime
        Value: "/Event/EventData/Data[@Name=\"WakeTime\"]"
  -
    Property: PayloadData2
    PropertyValue: "Wake source: %WakeSourceType% (%WakeSourceCode%)"
    Values:
      -
        Name: WakeSourceType
        Value: "/Event/EventData/Data[@Name=\"WakeSourceType\"]"
      -
        Name: WakeSourceCode
        Value: "/Event/EventData/Data[@Name=\"WakeSourceType\"]"
Lookups:
  -
    Name: WakeSourceType
    Default: Unknown code
    Values:
        0: Unknown
        1: Power button
        3: S4 doze to hibernate
        5: Device
        6: Timer
"#;

const PS400_MAP: &str = r#"Author: rift tests
Description: PowerShell engine started
EventId: 400
Channel: Windows PowerShell
Provider: PowerShell
Maps:
  -
    Property: PayloadData1
    PropertyValue: "%HostApp%"
    Values:
      -
        Name: HostApp
        Value: "/Event/EventData/Data"
        Refine: "HostApplication=[^\n]+"
  -
    Property: PayloadData2
    PropertyValue: "%State%"
    Values:
      -
        Name: State
        Value: "/Event/EventData/Data[1]"
"#;

#[test]
fn community_style_maps_with_lookup_and_refine() {
    let tmp = TempDir::new("evtx-maps");
    std::fs::write(
        tmp.path()
            .join("System_Microsoft-Windows-Power-Troubleshooter_1.map"),
        WAKE_MAP,
    )
    .unwrap();
    std::fs::write(
        tmp.path().join("Windows-PowerShell_PowerShell_400.map"),
        PS400_MAP,
    )
    .unwrap();
    std::fs::write(tmp.path().join("broken.map"), "Maps: [ {").unwrap();
    std::fs::write(tmp.path().join("ignored.txt"), "not a map").unwrap();
    let mut maps = MapSet::new();
    let (loaded, errors) = maps.add_dir(tmp.path()).unwrap();
    assert_eq!(loaded, 2);
    assert_eq!(errors.len(), 1, "{errors:?}");
    assert!(errors[0].to_string().contains("broken.map"));

    // Lookup: the two wake events of the System fixture.
    let path = fixture("evtx/evtx-rs_system.evtx");
    let oracle = dump(&path);
    let (records, _) = parse_evtx_all(
        std::fs::File::open(&path).unwrap(),
        "System.evtx",
        &maps,
        &ParseOptions::default(),
    )
    .unwrap();
    let wakes: Vec<_> = records
        .iter()
        .filter(|r| r.provider == "Microsoft-Windows-Power-Troubleshooter" && r.event_id == Some(1))
        .collect();
    assert_eq!(wakes.len(), 2);
    let names: HashMap<&str, &str> = [
        ("0", "Unknown"),
        ("1", "Power button"),
        ("3", "S4 doze to hibernate"),
        ("5", "Device"),
        ("6", "Timer"),
    ]
    .into();
    for r in wakes {
        let v = &oracle[&r.event_record_id.unwrap()];
        let code = data(v, "WakeSourceType");
        let name = names.get(code.as_str()).copied().unwrap_or("Unknown code");
        assert_eq!(r.mapped.map_description, "System resumed from sleep");
        assert_eq!(
            r.mapped.payload_data[0],
            format!(
                "Sleep: {}, wake: {}",
                data(v, "SleepTime"),
                data(v, "WakeTime")
            )
        );
        assert_eq!(
            r.mapped.payload_data[1],
            format!("Wake source: {name} ({code})")
        );
    }
    // Other System events are not touched by these maps.
    assert!(
        records
            .iter()
            .filter(|r| r.event_id != Some(1))
            .all(|r| r.mapped.map_description.is_empty())
    );

    // Refine: PowerShell 400, whose third Data holds "Key=value" lines.
    let path = fixture("evtx/hayabusa/YamatoSecurity/T1562.010_DowngradeAttack_PowerShell.evtx");
    let oracle = dump(&path);
    let (records, _) = parse_evtx_all(
        std::fs::File::open(&path).unwrap(),
        "ps.evtx",
        &maps,
        &ParseOptions::default(),
    )
    .unwrap();
    let starts: Vec<_> = records.iter().filter(|r| r.event_id == Some(400)).collect();
    assert_eq!(starts.len(), 3);
    for r in starts {
        let texts = oracle[&r.event_record_id.unwrap()]["Event"]["EventData"]["Data"]["#text"]
            .as_array()
            .unwrap()
            .clone();
        let details = texts[2].as_str().unwrap();
        let host_app = details
            .lines()
            .map(str::trim)
            .find(|l| l.starts_with("HostApplication="))
            // PowerShell 2.0 (the downgrade) logs no HostApplication: a
            // Refine that does not match gives an empty value.
            .unwrap_or("");
        assert_eq!(r.mapped.payload_data[0], host_app);
        assert_eq!(r.mapped.payload_data[1], texts[0].as_str().unwrap());
        assert_eq!(r.mapped.map_description, "PowerShell engine started");
    }
}

#[test]
fn a_user_folder_overrides_shipped_maps() {
    let tmp = TempDir::new("evtx-override");
    std::fs::write(
        tmp.path().join("1_Security_4624.map"),
        "Author: t\nDescription: Mine\nEventId: 4624\nChannel: Security\nProvider: Microsoft-Windows-Security-Auditing\nMaps:\n  -\n    Property: PayloadData1\n    PropertyValue: \"T=%T%\"\n    Values:\n      -\n        Name: T\n        Value: \"/Event/EventData/Data[@Name=\\\"LogonType\\\"]\"\n",
    )
    .unwrap();
    let mut maps = MapSet::new();
    maps.add_dir(tmp.path()).unwrap();
    assert!(maps.add_shipped().is_empty());
    let m = maps
        .find(4624, "Security", "Microsoft-Windows-Security-Auditing")
        .unwrap();
    assert_eq!(m.description, "Mine");
    let m = maps
        .find(4625, "Security", "Microsoft-Windows-Security-Auditing")
        .unwrap();
    assert_eq!(m.description, "Failed logon");
}

/// Every shipped map's XPaths point at fields the real events carry, for
/// the events present among the fixtures (field names as evtx_dump shows
/// them: a typo in a map would leave its column empty forever).
#[test]
fn shipped_map_paths_hit_real_fields() {
    let maps = MapSet::shipped();
    let mut found: HashMap<String, Vec<rift_evtx::EventRecord>> = HashMap::new();
    let mut stack = vec![
        fixtures_dir().join("evtx"),
        fixtures_dir().join("ransomware"),
    ];
    while let Some(dir) = stack.pop() {
        for e in std::fs::read_dir(dir).unwrap() {
            let p = e.unwrap().path();
            if p.is_dir() {
                stack.push(p);
            } else if p.extension().is_some_and(|x| x == "evtx") {
                let (records, _) = parse_evtx_all(
                    std::fs::File::open(&p).unwrap(),
                    "x",
                    &maps,
                    &ParseOptions {
                        keep_xml: true,
                        ..ParseOptions::default()
                    },
                )
                .unwrap();
                for r in records {
                    if !r.mapped.map_description.is_empty() {
                        let m = maps
                            .find(r.event_id.unwrap(), &r.channel, &r.provider)
                            .unwrap();
                        let list = found.entry(m.file_name.clone()).or_default();
                        if list.len() < 50 {
                            list.push(r);
                        }
                    }
                }
            }
        }
    }
    assert!(
        found.len() >= 35,
        "only {} shipped maps meet a fixture event",
        found.len()
    );
    // Fields that are optional in the schema (absent in older versions or
    // only logged with some settings).
    let optional = [
        "User",
        "MandatoryLabel",
        "ParentProcessName",
        "TargetUserName",
        "TargetDomainName",
        "Path",
        "Contents",
        "Hashes",
        "IsExecutable",
        "TaskContentNew",
        "SourceUser",
        "RuleName",
    ];
    let mut misses = Vec::new();
    for m in maps.iter() {
        let Some(records) = found.get(&m.file_name) else {
            continue;
        };
        for (prop, name, path) in m.values() {
            let hits = records.iter().any(|r| {
                let doc = rift_evtx::xml::Doc::parse(r.xml.as_deref().unwrap());
                path.evaluate(&doc).is_some()
            });
            let field_optional = optional
                .iter()
                .any(|o| format!("{path:?}").contains(&format!("\"{o}\"")));
            if !(hits
                || field_optional
                || matches!(prop, Property::PayloadData(_)) && name.ends_with("Text"))
            {
                misses.push(format!(
                    "{}: {name} {path:?} ({} events)",
                    m.file_name,
                    records.len()
                ));
            }
        }
    }
    assert!(
        misses.is_empty(),
        "map values matching no field:\n{}",
        misses.join("\n")
    );
}
