//! The `Payload` column: an event's `EventData` (or `UserData`) element as
//! JSON, in the shape EvtxECmd writes it.
//!
//! EvtxECmd loads the element into an `XmlDocument` and serialises it with
//! Newtonsoft.Json's `JsonConvert.SerializeXmlNode`, so analysts' filters
//! and scripts expect that shape:
//!
//! ```text
//! {"EventData":{"Data":[{"@Name":"SubjectUserSid","#text":"S-1-5-18"},{"@Name":"ProcessName"}]}}
//! ```
//!
//! Rules (Newtonsoft's XML → JSON conversion): an element without
//! attributes or child elements becomes its text (or `null` when empty);
//! otherwise an object whose attributes are `"@name"` keys, whose text is
//! `"#text"`, and whose child elements are keys by name — a name that occurs
//! more than once becomes one array at the position of its first occurrence.
//! Key order follows the document.
//!
//! Sources: EvtxECmd `Program.cs` (`JsonConvert.SerializeXmlNode` of the
//! record payload); Newtonsoft.Json `XmlNodeConverter` behaviour as
//! documented in "Converting between JSON and XML" (newtonsoft.com).

use crate::xml::NodeRef;

/// Writes `node` as a one-key JSON object `{"Name": value}`.
pub fn element_to_json(node: &NodeRef<'_, '_>) -> String {
    let mut out = String::with_capacity(256);
    out.push('{');
    push_str(&mut out, node.name());
    out.push(':');
    write_value(&mut out, node);
    out.push('}');
    out
}

/// Appends `s` as a JSON string (RFC 8259 §7 escaping).
pub(crate) fn push_str(out: &mut String, s: &str) {
    out.push('"');
    push_escaped(out, s);
    out.push('"');
}

fn hex_digit(n: u8) -> char {
    char::from_digit(u32::from(n), 16).unwrap_or('0')
}

fn push_escaped(out: &mut String, s: &str) {
    let bytes = s.as_bytes();
    let mut run = 0;
    for (i, &c) in bytes.iter().enumerate() {
        // Only ASCII needs escaping, so byte indices stay on char bounds.
        let esc = match c {
            b'"' => "\\\"",
            b'\\' => "\\\\",
            b'\n' => "\\n",
            b'\r' => "\\r",
            b'\t' => "\\t",
            0x08 => "\\b",
            0x0c => "\\f",
            0..=0x1f => "",
            _ => continue,
        };
        out.push_str(s.get(run..i).unwrap_or_default());
        if esc.is_empty() {
            out.push_str("\\u00");
            out.push(hex_digit(c >> 4));
            out.push(hex_digit(c & 15));
        } else {
            out.push_str(esc);
        }
        run = i + 1;
    }
    out.push_str(s.get(run..).unwrap_or_default());
}

fn write_value(out: &mut String, node: &NodeRef<'_, '_>) {
    let elements: Vec<NodeRef<'_, '_>> = node.elements().collect();
    let text = node.own_text();
    // Whitespace between child elements is not content.
    let text = if elements.is_empty() {
        text
    } else if text.trim().is_empty() {
        String::new()
    } else {
        text
    };
    let attrs = node.attributes();
    let has_attrs = !attrs.is_empty();
    if !has_attrs && elements.is_empty() {
        if text.is_empty() {
            out.push_str("null");
        } else {
            push_str(out, &text);
        }
        return;
    }
    out.push('{');
    let mut first = true;
    let mut sep = |out: &mut String| {
        if !first {
            out.push(',');
        }
        first = false;
    };
    for a in attrs {
        sep(out);
        out.push_str("\"@");
        push_escaped(out, a.name);
        out.push_str("\":");
        push_str(out, &a.value);
    }
    if !text.is_empty() {
        sep(out);
        push_str(out, "#text");
        out.push(':');
        push_str(out, &text);
    }
    // Group same-named children at their first occurrence.
    let mut done: Vec<&str> = Vec::new();
    for child in &elements {
        let name = child.name();
        if done.contains(&name) {
            continue;
        }
        done.push(name);
        let same: Vec<&NodeRef<'_, '_>> = elements.iter().filter(|c| c.name() == name).collect();
        sep(out);
        push_str(out, name);
        out.push(':');
        if same.len() == 1 {
            write_value(out, child);
        } else {
            out.push('[');
            for (i, c) in same.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                write_value(out, c);
            }
            out.push(']');
        }
    }
    out.push('}');
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::xml::Doc;

    fn conv(xml: &str, path: &[&str]) -> String {
        let doc = Doc::parse(xml);
        let mut node = doc.root_element().unwrap();
        for p in path {
            node = node.child(p).unwrap();
        }
        element_to_json(&node)
    }

    #[test]
    fn json_escaping_matches_serde_json() {
        for s in [
            "plain",
            "q\"uote",
            "back\\slash",
            "nl\n cr\r tab\t",
            "\u{1}\u{1f}\u{8}\u{c}",
            "é日本😀",
            "",
        ] {
            let mut out = String::new();
            push_str(&mut out, s);
            let back: String = serde_json::from_str(&out).unwrap();
            assert_eq!(back, s);
            assert_eq!(out, serde_json::to_string(s).unwrap());
        }
    }

    #[test]
    fn named_data_array() {
        let xml = r#"<Event xmlns="http://schemas.microsoft.com/win/2004/08/events/event"><EventData><Data Name="A">1</Data><Data Name="B"></Data></EventData></Event>"#;
        assert_eq!(
            conv(xml, &["EventData"]),
            r##"{"EventData":{"Data":[{"@Name":"A","#text":"1"},{"@Name":"B"}]}}"##
        );
    }

    #[test]
    fn single_child_empty_and_binary() {
        let xml =
            r#"<Event><EventData><Data>x "q"</Data><Binary>00FF</Binary></EventData></Event>"#;
        assert_eq!(
            conv(xml, &["EventData"]),
            r#"{"EventData":{"Data":"x \"q\"","Binary":"00FF"}}"#
        );
        let xml = r#"<Event><EventData></EventData></Event>"#;
        assert_eq!(conv(xml, &["EventData"]), r#"{"EventData":null}"#);
    }

    #[test]
    fn user_data_namespace_is_an_attribute() {
        let xml = r#"<Event xmlns="e"><UserData><EventXML xmlns:auto-ns2="http://schemas.microsoft.com/win/2004/08/events" xmlns="Event_NS"><Param1>a</Param1><Param1>b</Param1><Other/></EventXML></UserData></Event>"#;
        assert_eq!(
            conv(xml, &["UserData"]),
            r#"{"UserData":{"EventXML":{"@xmlns:auto-ns2":"http://schemas.microsoft.com/win/2004/08/events","@xmlns":"Event_NS","Param1":["a","b"],"Other":null}}}"#
        );
    }
}
