//! Internet Explorer `index.dat` checked against `msiecfexport` / `msiecfinfo`
//! (Debian `libmsiecf-utils`, libyal's reader): every exported item is
//! found at the same offset with the same type, location, times, file
//! name and cache directory.

use rift_browser::ie::{IeRecordKind, parse_ie_index};
use rift_browser::{Origin, Parsed, parse_database, timeline};
use rift_testutil::{fixture, fixture_bytes, run_tool};

const MONTHS: [&str; 12] = [
    "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
];

/// `Aug 25, 2015 11:05:18.512000000` (msiecfexport's layout, UTC).
fn libyal_time(ts: jiff::Timestamp) -> String {
    let z = ts.to_zoned(jiff::tz::TimeZone::UTC);
    format!(
        "{} {:02}, {} {:02}:{:02}:{:02}.{:09}",
        MONTHS[(z.month() - 1) as usize],
        z.day(),
        z.year(),
        z.hour(),
        z.minute(),
        z.second(),
        z.subsec_nanosecond()
    )
}

fn items(export: &str) -> Vec<std::collections::HashMap<String, String>> {
    export
        .split("\n\n")
        .filter(|b| b.contains("Record type"))
        .map(|b| {
            b.lines()
                .filter_map(|l| {
                    let (k, v) = l.split_once(':')?;
                    Some((k.trim().to_string(), v.trim().to_string()))
                })
                .collect()
        })
        .collect()
}

#[test]
fn index_dat_matches_msiecfexport() {
    for rel in [
        "browser/plaso_ie/History.IE5_index.dat",
        "browser/plaso_ie/Content.IE5_index.dat",
    ] {
        let path = fixture(rel);
        let c = parse_ie_index(&fixture_bytes(rel)).unwrap();
        assert!(c.warnings.is_empty(), "{rel}: {:?}", c.warnings);
        assert_eq!(c.version, "5.2");
        let export = run_tool("msiecfexport", &[path.to_str().unwrap()]);
        let want = items(&export);
        assert!(!want.is_empty());
        let allocated: Vec<_> = c.records.iter().filter(|r| r.allocated).collect();
        assert_eq!(allocated.len(), want.len(), "{rel}");
        for w in &want {
            let start: u64 = w["Offset range"]
                .split(' ')
                .next()
                .unwrap()
                .parse()
                .unwrap();
            let r = c
                .records
                .iter()
                .find(|r| r.offset == start)
                .unwrap_or_else(|| panic!("{rel}: no record at {start}"));
            let kind = match w["Record type"].as_str() {
                "URL" => IeRecordKind::Url,
                "REDR" => IeRecordKind::Redirect,
                "LEAK" => IeRecordKind::Leak,
                other => panic!("{other}"),
            };
            assert_eq!(r.kind, kind, "{rel} @{start}");
            assert_eq!(r.location, w["Location"], "{rel} @{start}");
            let size: u32 = w["Offset range"]
                .rsplit('(')
                .next()
                .unwrap()
                .trim_end_matches(')')
                .parse()
                .unwrap();
            assert_eq!(r.size, size);
            if let Some(p) = w.get("Primary time") {
                assert_eq!(
                    libyal_time(r.primary_time.unwrap().time),
                    *p,
                    "{rel} @{start}"
                );
            }
            if let Some(s) = w.get("Secondary time") {
                assert_eq!(
                    libyal_time(r.secondary_time.unwrap().time),
                    *s,
                    "{rel} @{start}"
                );
            }
            if let Some(f) = w.get("Filename") {
                assert_eq!(r.file_name.as_deref(), Some(f.as_str()));
            }
            if let Some(d) = w.get("Cache directory index") {
                // `0 (0x00)(ENG3X4ZR)` names the folder; `-2 (0xfe)` none.
                let name = d.rsplit_once('(').map(|(_, n)| n.trim_end_matches(')'));
                let want_dir = name.filter(|n| !n.starts_with("0x"));
                assert_eq!(r.cache_directory.as_deref(), want_dir, "{rel} @{start}");
            }
            if let Some(e) = w.get("Last checked time") {
                // `Aug 25, 2015 11:05:20` → compare as civil time.
                let lc = r.last_checked.unwrap();
                let got = format!(
                    "{} {:02}, {} {:02}:{:02}:{:02}",
                    MONTHS[(lc.month() - 1) as usize],
                    lc.day(),
                    lc.year(),
                    lc.hour(),
                    lc.minute(),
                    lc.second()
                );
                assert_eq!(got, *e);
            }
        }
        // Records outside allocated blocks are recovered, never more than
        // the blocks could hold.
        let info = run_tool("msiecfinfo", &[path.to_str().unwrap()]);
        let recovered: usize = info
            .lines()
            .find_map(|l| {
                l.trim()
                    .strip_prefix("Number of recovered items")?
                    .split(':')
                    .nth(1)
            })
            .map(|v| v.trim().parse().unwrap())
            .unwrap_or(0);
        let ours = c.records.iter().filter(|r| !r.allocated).count();
        assert!(
            ours >= recovered,
            "{rel}: {ours} recovered, libmsiecf {recovered}"
        );
    }

    // By hand (xxd of History.IE5 @0x5000): "Visited: gold_administrator@
    // http://www.msn.com/?ocid=iehp", primary FILETIME 0x01D0DF25ED800B00
    // = 2015-08-25T11:05:18.512Z, one hit.
    let c = parse_ie_index(&fixture_bytes("browser/plaso_ie/History.IE5_index.dat")).unwrap();
    let r = c.records.iter().find(|r| r.offset == 0x5000).unwrap();
    assert_eq!(
        r.visited(),
        Some(("gold_administrator", "http://www.msn.com/?ocid=iehp"))
    );
    assert_eq!(r.primary_time.unwrap().raw, 0x01D0_DF25_ED80_0B00);
    assert_eq!(
        r.primary_time.unwrap().time.to_string(),
        "2015-08-25T11:05:18.512Z"
    );
    assert_eq!(r.hits, Some(1));

    // Through the generic entry point and the timeline.
    let origin =
        Origin::from_path("Users/g/AppData/Local/Microsoft/Windows/History/History.IE5/index.dat");
    let parsed = parse_database(
        &fixture_bytes("browser/plaso_ie/History.IE5_index.dat"),
        None,
        None,
        &origin,
    )
    .unwrap();
    assert!(matches!(parsed, Parsed::IeCache(_)));
    let rows = timeline::rows(&parsed, &origin);
    let row = rows
        .iter()
        .find(|r| r.url == "http://www.msn.com/?ocid=iehp")
        .unwrap();
    assert_eq!(
        (row.row_type, row.user.as_deref()),
        ("url", Some("gold_administrator"))
    );
    assert_eq!(row.timesketch().unwrap()["data_type"], "msiecf:url");
}
