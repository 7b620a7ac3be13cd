//! The staged incident image: hives cut out with The Sleuth Kit, plugin
//! results checked against `truth.json` (the scenario's answer key).

mod common;
use common::*;
use rift_hive::plugins::{Record, run_all};
use rift_hive::{Hive, HiveType, discover};

fn hive(path: &str) -> Hive {
    let b = scenario_file(path);
    let r = rift_hive::replay(&b, None, None).unwrap();
    Hive::from_bytes(r.hive).unwrap()
}

fn iso(t: rift_io::time::FileTime) -> String {
    rift_hive::ser::iso(t).unwrap()
}

#[test]
fn scenario_registry_evidence() {
    let truth = truth();
    let ev = truth["registry_evidence"].as_array().unwrap();
    let system = hive("Windows/System32/config/SYSTEM");
    let software = hive("Windows/System32/config/SOFTWARE");
    let ntuser = hive("Users/jiwoo/NTUSER.DAT");
    let amcache = hive("Windows/AppCompat/Programs/Amcache.hve");
    assert_eq!(discover::detect("SYSTEM", &system), HiveType::System);
    assert_eq!(discover::detect("SOFTWARE", &software), HiveType::Software);
    assert_eq!(discover::detect("x", &ntuser), HiveType::NtUser);
    assert_eq!(discover::detect("x", &amcache), HiveType::Amcache);
    let sys = run_all(&system, HiveType::System).records;
    let soft = run_all(&software, HiveType::Software).records;
    let user = run_all(&ntuser, HiveType::NtUser).records;
    let am = run_all(&amcache, HiveType::Amcache).records;
    let mut checked = 0;
    for e in ev {
        let key = e["key"].as_str().unwrap();
        if key.contains("UserAssist") {
            let u = user
                .iter()
                .find_map(|r| match r {
                    Record::UserAssist(u) if u.raw_name == e["value"].as_str().unwrap() => Some(u),
                    _ => None,
                })
                .unwrap();
            assert_eq!(u.name, e["decoded_name"].as_str().unwrap());
            assert_eq!(u64::from(u.run_count), e["run_count"].as_u64().unwrap());
            if let Some(f) = e["focus_count"].as_u64() {
                assert_eq!(u.focus_count.map(u64::from), Some(f));
                assert_eq!(u.focus_time_ms.map(u64::from), e["focus_time_ms"].as_u64());
            }
            assert_eq!(
                iso(u.last_run.unwrap()),
                e["last_run_utc"].as_str().unwrap()
            );
            let resolved = e["resolved_path"].as_str().unwrap();
            let ours = u
                .resolved_path
                .as_deref()
                .unwrap()
                .replace("%USERPROFILE%", "C:\\Users\\jiwoo");
            assert_eq!(ours, resolved);
            checked += 1;
        } else if key.contains("\\bam\\") {
            let b = sys
                .iter()
                .find_map(|r| match r {
                    Record::Bam(b)
                        if b.program == e["value"].as_str().unwrap() && key.ends_with(&b.sid) =>
                    {
                        Some(b)
                    }
                    _ => None,
                })
                .unwrap();
            assert_eq!(
                iso(b.last_run.unwrap()),
                e["last_execution_utc"].as_str().unwrap()
            );
            assert_eq!(b.layout, "State\\UserSettings");
            checked += 1;
        } else if key.contains("Windows Defender") {
            let d = soft
                .iter()
                .find_map(|r| match r {
                    Record::Defender(d)
                        if d.scope == "policy" && d.setting == e["value"].as_str().unwrap() =>
                    {
                        Some(d)
                    }
                    _ => None,
                })
                .unwrap();
            assert_eq!(d.value, e["data"].as_u64().unwrap().to_string());
            assert!(d.weakens_protection);
            assert_eq!(
                iso(d.key_last_written),
                e["key_last_write_utc"].as_str().unwrap()
            );
            // "also Real-Time Protection\Disable* = 1"
            assert!(soft.iter().any(|r| matches!(r, Record::Defender(x) if x.setting == "DisableRealtimeMonitoring" && x.value == "1")));
            checked += 1;
        } else if key.contains("TaskCache") {
            let t = soft
                .iter()
                .find_map(|r| match r {
                    Record::ScheduledTask(t) if t.id == e["data"].as_str().unwrap() => Some(t),
                    _ => None,
                })
                .unwrap();
            assert_eq!(
                iso(t.tree_last_written.unwrap()),
                e["key_last_write_utc"].as_str().unwrap()
            );
            assert_eq!(
                t.path.as_deref(),
                Some(format!("\\{}", truth["scheduled_task"]["name"].as_str().unwrap()).as_str())
            );
            checked += 1;
        } else if key.contains("InventoryApplicationFile") {
            let a = am
                .iter()
                .find_map(|r| match r {
                    Record::AmcacheFile(a) if key.ends_with(&a.key_path) => Some(a),
                    _ => None,
                })
                .unwrap();
            assert_eq!(a.sha1.as_deref(), e["sha1"].as_str());
            assert_eq!(a.size, e["size"].as_u64());
            assert_eq!(
                iso(a.key_last_written),
                e["key_last_write_utc"].as_str().unwrap()
            );
            assert_eq!(
                a.path.as_deref(),
                Some(e["path"].as_str().unwrap().to_lowercase().as_str())
            );
            checked += 1;
        }
    }
    assert_eq!(checked, ev.len());
    // Machine facts analyze displays.
    let tz = rift_hive::plugins::system::read_time_zone(&system).unwrap();
    assert_eq!(
        tz.key_name.as_deref(),
        truth["timezone"]["TimeZoneKeyName"].as_str()
    );
    assert_eq!(tz.bias.map(i64::from), truth["timezone"]["Bias"].as_i64());
    assert_eq!(tz.utc_offset_seconds(), Some(9 * 3600));
    let cn = rift_hive::plugins::system::read_computer_name(&system).unwrap();
    assert_eq!(cn.name, truth["computer_name"].as_str().unwrap());
    assert_eq!(
        rift_hive::plugins::current_control_set(&system).unwrap().0,
        truth["current_control_set"].as_str().unwrap()
    );
    let profiles = rift_hive::plugins::software::read_profiles(&software);
    for (sid, user) in [
        ("victim_sid", "victim_user"),
        ("other_user_sid", "other_user"),
    ] {
        let p = profiles
            .iter()
            .find(|p| p.sid == truth[sid].as_str().unwrap())
            .unwrap();
        assert_eq!(p.user.as_deref(), truth[user].as_str());
    }
}

#[test]
fn scenario_dirty_user_hive_replays() {
    // `Users\office\NTUSER.DAT` is real and dirty; its logs are named
    // `ntuser.dat.LOG1/LOG2` (lower case) in the image.
    let p = scenario_file("Users/office/NTUSER.DAT");
    let l1 = scenario_file("Users/office/ntuser.dat.LOG1");
    let l2 = scenario_file("Users/office/ntuser.dat.LOG2");
    let before = Hive::from_bytes(p.clone()).unwrap();
    assert!(before.is_dirty());
    let r = rift_hive::replay(&p, Some(&l1), Some(&l2)).unwrap();
    assert!(r.report.applied > 0, "{:#?}", r.report);
    let h = Hive::with_mode(r.hive, rift_hive::Mode::Strict).unwrap();
    assert!(!h.is_dirty());
    let (k, _) = counts(&h);
    assert!(k > counts(&before).0 || snapshot(&h) != snapshot(&before));
    // The victim's logs are empty files: nothing to apply, no error.
    let v = scenario_file("Users/jiwoo/NTUSER.DAT");
    let r = rift_hive::replay(
        &v,
        Some(&scenario_file("Users/jiwoo/ntuser.dat.LOG1")),
        Some(&[]),
    )
    .unwrap();
    assert_eq!(r.report.applied, 0);
}
