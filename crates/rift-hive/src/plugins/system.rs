//! SYSTEM plugins: BAM/DAM, Services, MountedDevices, USB/USBSTOR,
//! ComputerName, TimeZoneInformation.
//!
//! Sources: libyal/winreg-kb `Background-activity-moderator.md` (both key
//! layouts, 24-byte value: FILETIME then padding);
//! `../shared/docs/formats/artifacts.md` §3.2 and §3.5 (checked on
//! `regipy_SYSTEM_B` and the 1709 SYSTEM); libyal/winreg-kb
//! `Time-zones.md`; Microsoft "Services registry tree" (Start, Type
//! values); libyal/winreg-kb `Mounted-devices.md` (12-byte MBR form,
//! `DMIO:ID:` GPT form, device path text); libyal/winreg-kb `USB-storage.md`
//! and the device property keys `{83da6326-97a6-4088-9453-a1923f573b29}`
//! 0064/0066/0067 (install, last arrival, last removal).

use rift_io::bytes::{le_i32, le_u32, le_u64, utf16le_lossy};
use rift_io::time::FileTime;

use super::{Artifact, Event, PluginResults, Record, current_control_set, filetime_at, join};
use crate::hive::Hive;

/// One BAM/DAM entry.
#[derive(Debug, Clone, serde::Serialize)]
pub struct Bam {
    /// Key path.
    pub key_path: String,
    /// `bam` or `dam`.
    pub service: String,
    /// `State\UserSettings` (1809+) or `UserSettings` (1709–1803).
    pub layout: &'static str,
    /// User SID (the subkey name).
    pub sid: String,
    /// Executable: NT device path or package family name.
    pub program: String,
    /// Last execution.
    #[serde(serialize_with = "crate::ser::opt_filetime")]
    pub last_run: Option<FileTime>,
    /// Raw data length.
    pub data_len: usize,
}

impl Artifact for Bam {
    const SCHEMA: &'static str = "registry/bam";
    fn events(&self) -> Vec<Event> {
        self.last_run
            .map(|t| Event {
                time: t,
                what: "Last run (BAM)",
            })
            .into_iter()
            .collect()
    }
    fn summary(&self) -> String {
        format!(
            "{}: {} run by {}",
            self.service.to_uppercase(),
            self.program,
            self.sid
        )
    }
    fn key_path(&self) -> &str {
        &self.key_path
    }
}

/// BAM and DAM, both layouts, in the current control set.
pub fn bam(hive: &Hive, out: &mut PluginResults) {
    let Some((cs, _)) = current_control_set(hive) else {
        return;
    };
    for svc in ["bam", "dam"] {
        for (layout, sub) in [
            ("State\\UserSettings", "State\\UserSettings"),
            ("UserSettings", "UserSettings"),
        ] {
            let base = format!("{cs}\\Services\\{svc}\\{sub}");
            let Ok(us) = hive.open(&base) else { continue };
            for sidk in us.subkeys().flatten() {
                let sid = sidk.name();
                for v in sidk.values().into_iter().flatten() {
                    let name = v.name();
                    if name.eq_ignore_ascii_case("Version")
                        || name.eq_ignore_ascii_case("SequenceNumber")
                    {
                        continue;
                    }
                    let Ok(d) = v.data() else { continue };
                    if d.len() < 8 {
                        continue;
                    }
                    out.records.push(Record::Bam(Bam {
                        key_path: join(&base, &sid),
                        service: svc.into(),
                        layout,
                        sid: sid.clone(),
                        program: name,
                        last_run: filetime_at(&d, 0),
                        data_len: d.len(),
                    }));
                }
            }
        }
    }
}

/// One service or driver.
#[derive(Debug, Clone, serde::Serialize)]
pub struct Service {
    /// Key path.
    pub key_path: String,
    /// Service name (subkey).
    pub name: String,
    /// DisplayName.
    pub display_name: Option<String>,
    /// ImagePath.
    pub image_path: Option<String>,
    /// Parameters\ServiceDll.
    pub service_dll: Option<String>,
    /// Start (raw).
    pub start: Option<u32>,
    /// Start meaning.
    pub start_label: Option<&'static str>,
    /// Type (raw).
    pub service_type: Option<u32>,
    /// Account (ObjectName).
    pub object_name: Option<String>,
    /// Key last written.
    #[serde(serialize_with = "crate::ser::filetime")]
    pub key_last_written: FileTime,
}

fn start_label(s: u32) -> &'static str {
    match s {
        0 => "Boot",
        1 => "System",
        2 => "Automatic",
        3 => "Manual",
        4 => "Disabled",
        _ => "Unknown",
    }
}

impl Artifact for Service {
    const SCHEMA: &'static str = "registry/services";
    fn events(&self) -> Vec<Event> {
        vec![Event {
            time: self.key_last_written,
            what: "Service key last written",
        }]
    }
    fn summary(&self) -> String {
        format!(
            "Service {} ({}): {}",
            self.name,
            self.start_label.unwrap_or("?"),
            self.image_path.as_deref().unwrap_or("")
        )
    }
    fn key_path(&self) -> &str {
        &self.key_path
    }
}

/// Services of the current control set.
pub fn services(hive: &Hive, out: &mut PluginResults) {
    let Some((cs, _)) = current_control_set(hive) else {
        return;
    };
    let base = format!("{cs}\\Services");
    let Ok(s) = hive.open(&base) else { return };
    for k in s.subkeys().flatten() {
        let name = k.name();
        let start = k.dword("Start");
        out.records.push(Record::Service(Service {
            key_path: join(&base, &name),
            display_name: k.string("DisplayName"),
            image_path: k.string("ImagePath"),
            service_dll: k
                .subkey("Parameters")
                .ok()
                .flatten()
                .and_then(|p| p.string("ServiceDll")),
            start,
            start_label: start.map(start_label),
            service_type: k.dword("Type"),
            object_name: k.string("ObjectName"),
            key_last_written: k.last_written(),
            name,
        }));
    }
}

/// One MountedDevices mapping.
#[derive(Debug, Clone, serde::Serialize)]
pub struct MountedDevice {
    /// Key path.
    pub key_path: String,
    /// `\DosDevices\C:` or `\??\Volume{…}`.
    pub name: String,
    /// `mbr`, `gpt` or `device`.
    pub kind: &'static str,
    /// MBR disk signature (hex).
    pub disk_signature: Option<String>,
    /// MBR partition offset in bytes.
    pub partition_offset: Option<u64>,
    /// GPT partition GUID.
    pub partition_guid: Option<String>,
    /// Device path text (USB and other removable devices).
    pub device: Option<String>,
    /// Key last written.
    #[serde(serialize_with = "crate::ser::filetime")]
    pub key_last_written: FileTime,
}

impl Artifact for MountedDevice {
    const SCHEMA: &'static str = "registry/mounteddevices";
    fn events(&self) -> Vec<Event> {
        Vec::new()
    }
    fn summary(&self) -> String {
        format!(
            "MountedDevice {} -> {}",
            self.name,
            self.device
                .clone()
                .or(self.partition_guid.clone())
                .or(self.disk_signature.clone())
                .unwrap_or_default()
        )
    }
    fn key_path(&self) -> &str {
        &self.key_path
    }
}

pub(crate) fn guid_text(b: &[u8]) -> Option<String> {
    let d1 = le_u32(b, 0)?;
    let d2 = rift_io::bytes::le_u16(b, 4)?;
    let d3 = rift_io::bytes::le_u16(b, 6)?;
    let r = b.get(8..16)?;
    Some(format!(
        "{{{d1:08X}-{d2:04X}-{d3:04X}-{}-{}}}",
        hex::encode_upper(r.get(..2)?),
        hex::encode_upper(r.get(2..)?)
    ))
}

/// MountedDevices.
pub fn mounted_devices(hive: &Hive, out: &mut PluginResults) {
    let Ok(k) = hive.open("MountedDevices") else {
        return;
    };
    for v in k.values().into_iter().flatten() {
        let Ok(d) = v.data() else { continue };
        let mut m = MountedDevice {
            key_path: "MountedDevices".into(),
            name: v.name(),
            kind: "device",
            disk_signature: None,
            partition_offset: None,
            partition_guid: None,
            device: None,
            key_last_written: k.last_written(),
        };
        if d.len() == 12 {
            m.kind = "mbr";
            m.disk_signature = le_u32(&d, 0).map(|s| format!("{s:08X}"));
            m.partition_offset = le_u64(&d, 4);
        } else if d.len() == 24 && d.get(..8) == Some(b"DMIO:ID:") {
            m.kind = "gpt";
            m.partition_guid = d.get(8..).and_then(guid_text);
        } else {
            m.device = Some(utf16le_lossy(&d).trim_end_matches('\0').to_string());
        }
        out.records.push(Record::MountedDevice(m));
    }
}

/// One USB or USB storage device instance.
#[derive(Debug, Clone, serde::Serialize)]
pub struct UsbDevice {
    /// Key path.
    pub key_path: String,
    /// `USBSTOR` or `USB`.
    pub bus: &'static str,
    /// Device class key (`Disk&Ven_X&Prod_Y&Rev_Z`, `VID_xxxx&PID_yyyy`).
    pub device_class: String,
    /// Vendor (from the class key).
    pub vendor: Option<String>,
    /// Product (from the class key).
    pub product: Option<String>,
    /// Revision (from the class key).
    pub revision: Option<String>,
    /// Serial number / instance id (`&0` suffix kept).
    pub serial: String,
    /// FriendlyName.
    pub friendly_name: Option<String>,
    /// First install (property 0064).
    #[serde(serialize_with = "crate::ser::opt_filetime")]
    pub first_install: Option<FileTime>,
    /// Last arrival (property 0066).
    #[serde(serialize_with = "crate::ser::opt_filetime")]
    pub last_arrival: Option<FileTime>,
    /// Last removal (property 0067).
    #[serde(serialize_with = "crate::ser::opt_filetime")]
    pub last_removal: Option<FileTime>,
    /// Instance key last written.
    #[serde(serialize_with = "crate::ser::filetime")]
    pub key_last_written: FileTime,
}

impl Artifact for UsbDevice {
    const SCHEMA: &'static str = "registry/usb";
    fn events(&self) -> Vec<Event> {
        let mut v = Vec::new();
        if let Some(t) = self.first_install {
            v.push(Event {
                time: t,
                what: "USB device first installed",
            });
        }
        if let Some(t) = self.last_arrival {
            v.push(Event {
                time: t,
                what: "USB device last connected",
            });
        }
        if let Some(t) = self.last_removal {
            v.push(Event {
                time: t,
                what: "USB device last removed",
            });
        }
        if v.is_empty() {
            v.push(Event {
                time: self.key_last_written,
                what: "USB device key last written",
            });
        }
        v
    }
    fn summary(&self) -> String {
        format!(
            "{} {} serial {}",
            self.bus,
            self.friendly_name.as_deref().unwrap_or(&self.device_class),
            self.serial
        )
    }
    fn key_path(&self) -> &str {
        &self.key_path
    }
}

fn device_time(inst: &crate::key::Key<'_>, id: &str) -> Option<FileTime> {
    let p = inst.subkey("Properties").ok()??;
    let g = p.subkey("{83da6326-97a6-4088-9453-a1923f573b29}").ok()??;
    let t = g.subkey(id).ok()??;
    let v = t.values().into_iter().flatten().next()?;
    let d = v.data().ok()?;
    filetime_at(&d, 0)
}

/// USBSTOR and USB enumerations in the current control set.
pub fn usb(hive: &Hive, out: &mut PluginResults) {
    let Some((cs, _)) = current_control_set(hive) else {
        return;
    };
    for bus in ["USBSTOR", "USB"] {
        let base = format!("{cs}\\Enum\\{bus}");
        let Ok(b) = hive.open(&base) else { continue };
        for class in b.subkeys().flatten() {
            let cname = class.name();
            let field = |tag: &str| {
                cname.split('&').find_map(|p| {
                    let (k, v) = p.split_once('_')?;
                    k.eq_ignore_ascii_case(tag).then(|| v.to_string())
                })
            };
            let (vendor, product, revision) = if bus == "USBSTOR" {
                (field("Ven"), field("Prod"), field("Rev"))
            } else {
                (field("VID"), field("PID"), None)
            };
            for inst in class.subkeys().flatten() {
                let serial = inst.name();
                out.records.push(Record::Usb(UsbDevice {
                    key_path: join(&join(&base, &cname), &serial),
                    bus,
                    device_class: cname.clone(),
                    vendor: vendor.clone(),
                    product: product.clone(),
                    revision: revision.clone(),
                    friendly_name: inst.string("FriendlyName"),
                    first_install: device_time(&inst, "0064"),
                    last_arrival: device_time(&inst, "0066"),
                    last_removal: device_time(&inst, "0067"),
                    key_last_written: inst.last_written(),
                    serial,
                }));
            }
        }
    }
}

/// The computer's name.
#[derive(Debug, Clone, serde::Serialize)]
pub struct ComputerName {
    /// Key path.
    pub key_path: String,
    /// NetBIOS name (`ComputerName\ComputerName`).
    pub name: String,
    /// DNS host name (Tcpip Parameters `Hostname`).
    pub hostname: Option<String>,
    /// DNS domain (Tcpip Parameters `Domain`).
    pub domain: Option<String>,
    /// Key last written.
    #[serde(serialize_with = "crate::ser::filetime")]
    pub key_last_written: FileTime,
}

impl Artifact for ComputerName {
    const SCHEMA: &'static str = "registry/computername";
    fn events(&self) -> Vec<Event> {
        Vec::new()
    }
    fn summary(&self) -> String {
        format!("Computer name {}", self.name)
    }
    fn key_path(&self) -> &str {
        &self.key_path
    }
}

/// ComputerName.
pub fn computer_name(hive: &Hive, out: &mut PluginResults) {
    if let Some(c) = read_computer_name(hive) {
        out.records.push(Record::ComputerName(c));
    }
}

/// The computer name of a SYSTEM hive (current control set).
pub fn read_computer_name(hive: &Hive) -> Option<ComputerName> {
    let (cs, _) = current_control_set(hive)?;
    let path = format!("{cs}\\Control\\ComputerName\\ComputerName");
    let k = hive.open(&path).ok()?;
    let tcp = hive
        .open(&format!("{cs}\\Services\\Tcpip\\Parameters"))
        .ok();
    Some(ComputerName {
        key_path: path,
        name: k.string("ComputerName")?,
        hostname: tcp.and_then(|t| t.string("Hostname")),
        domain: tcp
            .and_then(|t| t.string("Domain"))
            .filter(|d| !d.is_empty()),
        key_last_written: k.last_written(),
    })
}

/// The machine's time zone.
#[derive(Debug, Clone, serde::Serialize)]
pub struct TimeZone {
    /// Key path.
    pub key_path: String,
    /// Bias in minutes (UTC = local + bias).
    pub bias: Option<i32>,
    /// Bias in force at the last write (DST applied).
    pub active_time_bias: Option<i32>,
    /// Standard bias.
    pub standard_bias: Option<i32>,
    /// Daylight bias.
    pub daylight_bias: Option<i32>,
    /// StandardName (often an `@tzres.dll,-NNN` reference).
    pub standard_name: Option<String>,
    /// DaylightName.
    pub daylight_name: Option<String>,
    /// TimeZoneKeyName (`Korea Standard Time`).
    pub key_name: Option<String>,
    /// DynamicDaylightTimeDisabled.
    pub dynamic_daylight_disabled: Option<u32>,
    /// RealTimeIsUniversal (1 = hardware clock keeps UTC).
    pub real_time_is_universal: Option<u32>,
    /// IANA zone for `key_name`, when known.
    pub iana: Option<&'static str>,
    /// Key last written.
    #[serde(serialize_with = "crate::ser::filetime")]
    pub key_last_written: FileTime,
}

impl TimeZone {
    /// The standard UTC offset in seconds (`-bias` minutes).
    pub fn utc_offset_seconds(&self) -> Option<i32> {
        self.bias.map(|b| -b * 60)
    }
}

impl Artifact for TimeZone {
    const SCHEMA: &'static str = "registry/timezone";
    fn events(&self) -> Vec<Event> {
        vec![Event {
            time: self.key_last_written,
            what: "Time zone key last written",
        }]
    }
    fn summary(&self) -> String {
        format!(
            "Time zone {} (bias {:?} min)",
            self.key_name
                .as_deref()
                .or(self.standard_name.as_deref())
                .unwrap_or("?"),
            self.bias
        )
    }
    fn key_path(&self) -> &str {
        &self.key_path
    }
}

/// Windows time-zone key names to IANA names (CLDR windowsZones, the
/// common zones).
pub fn windows_to_iana(name: &str) -> Option<&'static str> {
    Some(match name {
        "Korea Standard Time" => "Asia/Seoul",
        "Tokyo Standard Time" => "Asia/Tokyo",
        "China Standard Time" => "Asia/Shanghai",
        "Taipei Standard Time" => "Asia/Taipei",
        "Singapore Standard Time" => "Asia/Singapore",
        "India Standard Time" => "Asia/Calcutta",
        "Arabian Standard Time" => "Asia/Dubai",
        "Russian Standard Time" => "Europe/Moscow",
        "GMT Standard Time" => "Europe/London",
        "W. Europe Standard Time" => "Europe/Berlin",
        "Romance Standard Time" => "Europe/Paris",
        "Central Europe Standard Time" => "Europe/Budapest",
        "Central European Standard Time" => "Europe/Warsaw",
        "E. Europe Standard Time" => "Europe/Chisinau",
        "FLE Standard Time" => "Europe/Kiev",
        "GTB Standard Time" => "Europe/Bucharest",
        "UTC" | "Coordinated Universal Time" => "UTC",
        "Greenwich Standard Time" => "Atlantic/Reykjavik",
        "Eastern Standard Time" => "America/New_York",
        "Central Standard Time" => "America/Chicago",
        "Mountain Standard Time" => "America/Denver",
        "US Mountain Standard Time" => "America/Phoenix",
        "Pacific Standard Time" => "America/Los_Angeles",
        "Alaskan Standard Time" => "America/Anchorage",
        "Hawaiian Standard Time" => "Pacific/Honolulu",
        "Atlantic Standard Time" => "America/Halifax",
        "E. South America Standard Time" => "America/Sao_Paulo",
        "AUS Eastern Standard Time" => "Australia/Sydney",
        "New Zealand Standard Time" => "Pacific/Auckland",
        "South Africa Standard Time" => "Africa/Johannesburg",
        "Israel Standard Time" => "Asia/Jerusalem",
        "SE Asia Standard Time" => "Asia/Bangkok",
        _ => return None,
    })
}

/// Reads TimeZoneInformation of the current control set.
pub fn read_time_zone(hive: &Hive) -> Option<TimeZone> {
    let (cs, _) = current_control_set(hive)?;
    let path = format!("{cs}\\Control\\TimeZoneInformation");
    let k = hive.open(&path).ok()?;
    let i = |n: &str| k.binary(n).and_then(|d| le_i32(&d, 0));
    let key_name = k.string("TimeZoneKeyName");
    Some(TimeZone {
        bias: i("Bias"),
        active_time_bias: i("ActiveTimeBias"),
        standard_bias: i("StandardBias"),
        daylight_bias: i("DaylightBias"),
        standard_name: k.string("StandardName"),
        daylight_name: k.string("DaylightName"),
        iana: key_name.as_deref().and_then(windows_to_iana),
        key_name,
        dynamic_daylight_disabled: k.dword("DynamicDaylightTimeDisabled"),
        real_time_is_universal: k.dword("RealTimeIsUniversal"),
        key_last_written: k.last_written(),
        key_path: path,
    })
}

/// TimeZoneInformation.
pub fn time_zone(hive: &Hive, out: &mut PluginResults) {
    if let Some(t) = read_time_zone(hive) {
        out.records.push(Record::TimeZone(t));
    }
}
