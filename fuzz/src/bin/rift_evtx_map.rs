//! Fuzzes map loading (YAML, XPath, Refine regex, Lookups) and applying
//! the map to a fixed event.
#![no_main]

const EVENT: &str = r#"<Event xmlns="http://schemas.microsoft.com/win/2004/08/events/event"><System><Provider Name="P"/><EventID>1</EventID><Channel>C</Channel></System><EventData><Data Name="A">x</Data><Data>y</Data></EventData><UserData><E><F>z</F></E></UserData></Event>"#;

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    if let Ok(map) = rift_evtx::EventMap::from_yaml("fuzz.map", &text) {
        let _ = map.apply_xml(EVENT);
    }
});
