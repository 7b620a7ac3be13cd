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

use roxmltree::Node;

/// Writes `node` as a one-key JSON object `{"Name": value}`.
pub fn element_to_json(node: &Node<'_, '_>) -> String {
    let mut out = String::with_capacity(256);
    out.push('{');
    push_str(&mut out, node.tag_name().name());
    out.push(':');
    write_value(&mut out, node);
    out.push('}');
    out
}

fn push_str(out: &mut String, s: &str) {
    // serde_json's string escaping; it cannot fail for a &str.
    match serde_json::to_string(s) {
        Ok(q) => out.push_str(&q),
        Err(_) => out.push_str("\"\""),
    }
}

/// The namespace URI this element declares as new relative to its parent
/// (Newtonsoft writes such declarations as an `@xmlns` attribute).
fn declared_namespace<'a>(node: &Node<'a, '_>) -> Option<&'a str> {
    let ns = node.tag_name().namespace()?;
    let parent_ns = node.parent_element().and_then(|p| p.tag_name().namespace());
    (parent_ns != Some(ns)).then_some(ns)
}

fn write_value(out: &mut String, node: &Node<'_, '_>) {
    let elements: Vec<Node<'_, '_>> = node.children().filter(|c| c.is_element()).collect();
    let text: String = node
        .children()
        .filter(|c| c.is_text())
        .filter_map(|c| c.text())
        .collect();
    // Whitespace between child elements is not content.
    let text = if elements.is_empty() {
        text
    } else if text.trim().is_empty() {
        String::new()
    } else {
        text
    };
    // The event namespace on the top element is not in EvtxECmd's XML.
    let xmlns = if node
        .parent_element()
        .is_some_and(|p| p.parent_element().is_some())
    {
        declared_namespace(node)
    } else {
        None
    };
    let has_attrs = node.attributes().len() > 0 || xmlns.is_some();
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
    if let Some(ns) = xmlns {
        sep(out);
        push_str(out, "@xmlns");
        out.push(':');
        push_str(out, ns);
    }
    for a in node.attributes() {
        sep(out);
        push_str(out, &format!("@{}", a.name()));
        out.push(':');
        push_str(out, a.value());
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
        let name = child.tag_name().name();
        if done.contains(&name) {
            continue;
        }
        done.push(name);
        let same: Vec<&Node<'_, '_>> = elements
            .iter()
            .filter(|c| c.tag_name().name() == name)
            .collect();
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
    use roxmltree::Document;

    fn conv(xml: &str, path: &[&str]) -> String {
        let doc = Document::parse(xml).unwrap();
        let mut node = doc.root_element();
        for p in path {
            node = node.children().find(|c| c.tag_name().name() == *p).unwrap();
        }
        element_to_json(&node)
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
        let xml = r#"<Event xmlns="e"><UserData><EventXML xmlns="Event_NS"><Param1>a</Param1><Param1>b</Param1><Other/></EventXML></UserData></Event>"#;
        assert_eq!(
            conv(xml, &["UserData"]),
            r#"{"UserData":{"EventXML":{"@xmlns":"Event_NS","Param1":["a","b"],"Other":null}}}"#
        );
    }
}
