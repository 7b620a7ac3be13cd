//! A small, lenient, read-only XML tree for rendered event records.
//!
//! Every record is rendered to XML by the `evtx` crate and read back here,
//! so this sits on the hot path: one pass, one node vector, names and
//! unescaped text borrowed from the input. It is also lenient on purpose:
//! a record carved from stale chunk space can come out with element names
//! taken from an overwritten string table (`< Name="x">`), and a general
//! XML parser rejects the whole record; this one keeps what it can (bad
//! tags become text, unmatched end tags are ignored, unclosed elements are
//! closed at the end).
//!
//! What it understands: elements, attributes (`"` or `'` quoted), text,
//! the five predefined entities and character references, CDATA sections;
//! it skips the XML declaration, processing instructions, comments and
//! DOCTYPE. Names keep their prefix out (`ns:Name` → `Name`), as map XPaths
//! are written without namespaces. Line ends are normalised (`\r\n` and
//! `\r` → `\n`) as every XML parser must (XML 1.0 §2.11), which is also
//! what EvtxECmd's `XmlDocument` sees.
//!
//! Sources: XML 1.0 (5th ed.) §2.4 character data, §2.11 end-of-line
//! handling, §4.1 character and entity references, §4.6 predefined entities.

use std::borrow::Cow;

/// Index of a node in a [`Doc`].
pub type NodeId = usize;

#[derive(Debug, Clone)]
enum Kind<'a> {
    Root,
    Element { name: &'a str, attrs: (u32, u32) },
    Text(Cow<'a, str>),
}

#[derive(Debug, Clone)]
struct Node<'a> {
    kind: Kind<'a>,
    parent: NodeId,
    first_child: Option<NodeId>,
    last_child: Option<NodeId>,
    next: Option<NodeId>,
}

/// A parsed document. Node 0 is the root (document) node.
#[derive(Debug, Clone)]
pub struct Doc<'a> {
    nodes: Vec<Node<'a>>,
    attrs: Vec<Attr<'a>>,
}

/// One attribute: the name as written, its local part, the value.
#[derive(Debug, Clone)]
pub struct Attr<'a> {
    /// The name as written (`xmlns:auto-ns2`, `Name`).
    pub name: &'a str,
    /// The name without its prefix.
    pub local: &'a str,
    /// The unescaped value.
    pub value: Cow<'a, str>,
}

/// A node handle: a document and an index.
#[derive(Debug, Clone, Copy)]
pub struct NodeRef<'d, 'a> {
    doc: &'d Doc<'a>,
    id: NodeId,
}

/// Nesting deeper than this is flattened (hostile input).
const MAX_DEPTH: usize = 256;

fn local(name: &str) -> &str {
    name.rsplit_once(':').map_or(name, |(_, l)| l)
}

fn is_name_start(b: u8) -> bool {
    b.is_ascii_alphabetic() || b == b'_' || b == b':' || b >= 0x80
}

fn is_name_byte(b: u8) -> bool {
    is_name_start(b) || b.is_ascii_digit() || b == b'-' || b == b'.'
}

/// Decodes entities and normalises line ends; borrows when nothing changes.
fn unescape(s: &str) -> Cow<'_, str> {
    if !s.bytes().any(|c| c == b'&' || c == b'\r') {
        return Cow::Borrowed(s);
    }
    let mut out = String::with_capacity(s.len());
    let mut rest = s;
    while let Some(i) = rest.find(['&', '\r']) {
        out.push_str(rest.get(..i).unwrap_or_default());
        let tail = rest.get(i..).unwrap_or_default();
        if let Some(after) = tail.strip_prefix('\r') {
            out.push('\n');
            rest = after.strip_prefix('\n').unwrap_or(after);
            continue;
        }
        // An entity: up to ';' within a short window.
        let end = tail.get(..tail.len().min(12)).and_then(|w| w.find(';'));
        let decoded = end.and_then(|e| {
            let ent = tail.get(1..e)?;
            let c = match ent {
                "lt" => '<',
                "gt" => '>',
                "amp" => '&',
                "quot" => '"',
                "apos" => '\'',
                _ => {
                    let n = if let Some(h) =
                        ent.strip_prefix("#x").or_else(|| ent.strip_prefix("#X"))
                    {
                        u32::from_str_radix(h, 16).ok()?
                    } else {
                        ent.strip_prefix('#')?.parse().ok()?
                    };
                    char::from_u32(n)?
                }
            };
            Some((c, e + 1))
        });
        match decoded {
            Some((c, len)) => {
                out.push(c);
                rest = tail.get(len..).unwrap_or_default();
            }
            None => {
                out.push('&');
                rest = tail.get(1..).unwrap_or_default();
            }
        }
    }
    out.push_str(rest);
    Cow::Owned(out)
}

impl<'a> Doc<'a> {
    /// Parses `text`; never fails (see the module docs for what is kept).
    pub fn parse(text: &'a str) -> Doc<'a> {
        let mut doc = Doc {
            nodes: Vec::with_capacity(text.len() / 24 + 8),
            attrs: Vec::with_capacity(text.len() / 48 + 4),
        };
        doc.nodes.push(Node {
            kind: Kind::Root,
            parent: 0,
            first_child: None,
            last_child: None,
            next: None,
        });
        let b = text.as_bytes();
        let mut stack: Vec<(NodeId, &'a str)> = vec![(0, "")];
        let mut pos = 0usize;
        let mut text_start = 0usize;
        while pos < b.len() {
            // Text runs are short: a plain scan beats a SIMD search here.
            let Some(off) = b
                .get(pos..)
                .unwrap_or_default()
                .iter()
                .position(|&c| c == b'<')
            else {
                break;
            };
            let lt = pos + off;
            let rest = text.get(lt..).unwrap_or_default();
            let cur = stack.last().map_or(0, |s| s.0);
            // Markup that is not an element.
            let skip_to = |pat: &str, from: usize| {
                rest.get(from..)
                    .and_then(|r| r.find(pat))
                    .map(|e| lt + from + e + pat.len())
            };
            if rest.starts_with("<!--") {
                doc.flush_text(text, text_start, lt, cur);
                pos = skip_to("-->", 4).unwrap_or(b.len());
                text_start = pos;
                continue;
            }
            if rest.starts_with("<![CDATA[") {
                doc.flush_text(text, text_start, lt, cur);
                let end = rest
                    .get(9..)
                    .and_then(|r| r.find("]]>"))
                    .map_or(rest.len(), |e| e + 9);
                let body = rest.get(9..end).unwrap_or_default();
                doc.push_text(Cow::Borrowed(body), cur);
                pos = (lt + end + 3).min(b.len());
                text_start = pos;
                continue;
            }
            if rest.starts_with("<?") {
                doc.flush_text(text, text_start, lt, cur);
                pos = skip_to("?>", 2).unwrap_or(b.len());
                text_start = pos;
                continue;
            }
            if rest.starts_with("<!") {
                doc.flush_text(text, text_start, lt, cur);
                pos = skip_to(">", 2).unwrap_or(b.len());
                text_start = pos;
                continue;
            }
            if let Some(after) = rest.strip_prefix("</") {
                doc.flush_text(text, text_start, lt, cur);
                let close = after.find('>').map_or(after.len(), |e| e);
                let name = local(after.get(..close).unwrap_or_default().trim());
                // Pop to the matching open element; ignore a stray end tag.
                if let Some(depth) = stack.iter().rposition(|(_, n)| *n == name) {
                    if depth > 0 {
                        stack.truncate(depth);
                    }
                }
                pos = (lt + 2 + close + 1).min(b.len());
                text_start = pos;
                continue;
            }
            if !b.get(lt + 1).copied().is_some_and(is_name_start) {
                // Not a tag: it stays part of the text.
                pos = lt + 1;
                continue;
            }
            doc.flush_text(text, text_start, lt, cur);
            // Start tag: name, attributes, `>` or `/>`.
            let mut p = lt + 1;
            while b.get(p).copied().is_some_and(is_name_byte) {
                p += 1;
            }
            let name = local(text.get(lt + 1..p).unwrap_or_default());
            let attr_start = doc.attrs.len() as u32;
            let mut self_closing = false;
            loop {
                while b.get(p).is_some_and(|c| c.is_ascii_whitespace()) {
                    p += 1;
                }
                match b.get(p) {
                    None => break,
                    Some(b'>') => {
                        p += 1;
                        break;
                    }
                    Some(b'/') if b.get(p + 1) == Some(&b'>') => {
                        self_closing = true;
                        p += 2;
                        break;
                    }
                    Some(_) => {}
                }
                let ns = p;
                while b
                    .get(p)
                    .is_some_and(|&c| !c.is_ascii_whitespace() && !matches!(c, b'=' | b'>' | b'/'))
                {
                    p += 1;
                }
                let aname = text.get(ns..p).unwrap_or_default();
                while b.get(p).is_some_and(|c| c.is_ascii_whitespace()) {
                    p += 1;
                }
                if b.get(p) != Some(&b'=') {
                    if p == ns {
                        // A lone `/` or junk: step over it.
                        p += 1;
                    }
                    continue;
                }
                p += 1;
                while b.get(p).is_some_and(|c| c.is_ascii_whitespace()) {
                    p += 1;
                }
                let value = match b.get(p) {
                    Some(&q @ (b'"' | b'\'')) => {
                        let vs = p + 1;
                        let ve = b
                            .get(vs..)
                            .unwrap_or_default()
                            .iter()
                            .position(|&c| c == q)
                            .map_or(b.len(), |e| vs + e);
                        p = (ve + 1).min(b.len());
                        text.get(vs..ve).unwrap_or_default()
                    }
                    _ => {
                        let vs = p;
                        while b
                            .get(p)
                            .is_some_and(|&c| !c.is_ascii_whitespace() && c != b'>')
                        {
                            p += 1;
                        }
                        text.get(vs..p).unwrap_or_default()
                    }
                };
                if !aname.is_empty() {
                    doc.attrs.push(Attr {
                        name: aname,
                        local: local(aname),
                        value: unescape(value),
                    });
                }
            }
            let attrs = (attr_start, doc.attrs.len() as u32);
            let id = doc.push(Kind::Element { name, attrs }, cur);
            if !self_closing && stack.len() < MAX_DEPTH {
                stack.push((id, name));
            }
            pos = p.min(b.len());
            text_start = pos;
        }
        let cur = stack.last().map_or(0, |s| s.0);
        doc.flush_text(text, text_start, b.len(), cur);
        doc
    }

    fn flush_text(&mut self, text: &'a str, start: usize, end: usize, parent: NodeId) {
        if start < end {
            if let Some(t) = text.get(start..end) {
                self.push_text(unescape(t), parent);
            }
        }
    }

    fn push_text(&mut self, t: Cow<'a, str>, parent: NodeId) {
        // Text outside the root element is not content.
        if parent == 0 || t.is_empty() {
            return;
        }
        self.push(Kind::Text(t), parent);
    }

    fn push(&mut self, kind: Kind<'a>, parent: NodeId) -> NodeId {
        let id = self.nodes.len();
        self.nodes.push(Node {
            kind,
            parent,
            first_child: None,
            last_child: None,
            next: None,
        });
        let prev = self.nodes.get(parent).and_then(|p| p.last_child);
        if let Some(prev) = prev {
            if let Some(n) = self.nodes.get_mut(prev) {
                n.next = Some(id);
            }
        }
        if let Some(p) = self.nodes.get_mut(parent) {
            if p.first_child.is_none() {
                p.first_child = Some(id);
            }
            p.last_child = Some(id);
        }
        id
    }

    /// The document (root) node; its element children are the top elements.
    pub fn root(&self) -> NodeRef<'_, 'a> {
        NodeRef { doc: self, id: 0 }
    }

    /// The first top-level element (`Event`), if any.
    pub fn root_element(&self) -> Option<NodeRef<'_, 'a>> {
        self.root().children().find(|c| c.is_element())
    }
}

impl<'d, 'a> NodeRef<'d, 'a> {
    fn node(&self) -> Option<&'d Node<'a>> {
        self.doc.nodes.get(self.id)
    }

    /// An element (not text, not the root).
    pub fn is_element(&self) -> bool {
        matches!(self.node().map(|n| &n.kind), Some(Kind::Element { .. }))
    }

    /// The element's local name (`""` for other nodes).
    pub fn name(&self) -> &'a str {
        match self.node().map(|n| &n.kind) {
            Some(Kind::Element { name, .. }) => name,
            _ => "",
        }
    }

    /// A text node's text.
    pub fn text(&self) -> Option<&'d str> {
        match self.node().map(|n| &n.kind) {
            Some(Kind::Text(t)) => Some(t.as_ref()),
            _ => None,
        }
    }

    /// The parent element (`None` for top elements and the root).
    pub fn parent_element(&self) -> Option<NodeRef<'d, 'a>> {
        let p = self.node()?.parent;
        (self.id != 0 && p != 0).then_some(NodeRef {
            doc: self.doc,
            id: p,
        })
    }

    /// Child nodes in order.
    pub fn children(&self) -> impl Iterator<Item = NodeRef<'d, 'a>> + 'd {
        let doc = self.doc;
        let mut next = self.node().and_then(|n| n.first_child);
        std::iter::from_fn(move || {
            let id = next?;
            next = doc.nodes.get(id).and_then(|n| n.next);
            Some(NodeRef { doc, id })
        })
    }

    /// Child elements in order.
    pub fn elements(&self) -> impl Iterator<Item = NodeRef<'d, 'a>> + 'd {
        self.children().filter(|c| c.is_element())
    }

    /// The first child element with this local name.
    pub fn child(&self, name: &str) -> Option<NodeRef<'d, 'a>> {
        self.elements().find(|c| c.name() == name)
    }

    /// Attributes (names as written, incl. `xmlns` declarations).
    pub fn attributes(&self) -> &'d [Attr<'a>] {
        match self.node().map(|n| &n.kind) {
            Some(Kind::Element { attrs: (a, b), .. }) => self
                .doc
                .attrs
                .get(*a as usize..*b as usize)
                .unwrap_or_default(),
            _ => &[],
        }
    }

    /// An attribute by local name (prefix ignored; `xmlns` declarations
    /// are not matched).
    pub fn attribute(&self, name: &str) -> Option<&'d str> {
        self.attributes()
            .iter()
            .find(|a| a.local == name && !a.name.starts_with("xmlns"))
            .map(|a| a.value.as_ref())
    }

    /// The text of all descendants, concatenated (XPath string-value).
    pub fn string_value(&self) -> String {
        let mut out = String::new();
        self.collect_text(&mut out, 0);
        out
    }

    /// Appends the string-value to `out`.
    pub fn push_string_value(&self, out: &mut String) {
        self.collect_text(out, 0);
    }

    fn collect_text(&self, out: &mut String, depth: usize) {
        if depth > MAX_DEPTH {
            return;
        }
        for c in self.children() {
            match c.text() {
                Some(t) => out.push_str(t),
                None => c.collect_text(out, depth + 1),
            }
        }
    }

    /// The text of this node's own text children.
    pub fn own_text(&self) -> String {
        self.children().filter_map(|c| c.text()).collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn elements_attributes_text() {
        let x = r#"<?xml version="1.0" encoding="utf-8"?>
<Event xmlns="http://schemas.microsoft.com/win/2004/08/events/event"><System><Provider Name="A &amp; B" Guid='{x}'/><EventID Qualifiers="0">4624</EventID></System><EventData><Data Name="x">1 &lt; 2&#x41;&#66;</Data><Data>a<![CDATA[<raw>]]>b</Data><!-- c --></EventData></Event>"#;
        let d = Doc::parse(x);
        let e = d.root_element().unwrap();
        assert_eq!(e.name(), "Event");
        let sys = e.child("System").unwrap();
        assert_eq!(
            sys.child("Provider").unwrap().attribute("Name"),
            Some("A & B")
        );
        assert_eq!(
            sys.child("Provider").unwrap().attribute("Guid"),
            Some("{x}")
        );
        assert_eq!(sys.child("EventID").unwrap().string_value(), "4624");
        let data: Vec<_> = e.child("EventData").unwrap().elements().collect();
        assert_eq!(data.len(), 2);
        assert_eq!(data[0].string_value(), "1 < 2AB");
        assert_eq!(data[1].string_value(), "a<raw>b");
        assert_eq!(e.attributes().len(), 1);
        assert_eq!(e.attribute("xmlns"), None);
    }

    #[test]
    fn line_ends_are_normalised() {
        let d = Doc::parse("<a>x\r\ny\rz</a>");
        assert_eq!(d.root_element().unwrap().string_value(), "x\ny\nz");
    }

    #[test]
    fn tag_soup_is_kept_leniently() {
        let x = "<Event><System><EventID>7</EventID>< Name=\"x\">v</><ta>w</ta></System></bogus><More>m</More>";
        let d = Doc::parse(x);
        let e = d.root_element().unwrap();
        let sys = e.child("System").unwrap();
        assert_eq!(sys.child("EventID").unwrap().string_value(), "7");
        assert_eq!(sys.child("ta").unwrap().string_value(), "w");
        // Unclosed System: More lands inside it, nothing is lost.
        assert_eq!(e.string_value(), "7< Name=\"x\">vwm");
    }

    #[test]
    fn hostile_input_never_panics() {
        for s in [
            "",
            "<",
            "<<<",
            "</",
            "<a",
            "<a b",
            "<a b=",
            "<a b='",
            "<!--",
            "<![CDATA[",
            "<?",
            "&",
            "&#xFFFFFFFF;",
            "<a>&#99999999;</a>",
            "<é ü='\u{1F600}'>\u{FFFF}</é>",
        ] {
            let d = Doc::parse(s);
            let _ = d.root_element().map(|e| e.string_value());
        }
        let deep = "<a>".repeat(10_000);
        let d = Doc::parse(&deep);
        assert!(d.root_element().is_some());
    }
}
