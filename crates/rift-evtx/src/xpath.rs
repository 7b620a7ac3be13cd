//! The XPath subset EvtxECmd map files use, evaluated over an event's XML.
//!
//! Map `Value`s look like XPath 1.0 location paths. The community maps only
//! use absolute child paths whose steps may carry one predicate:
//!
//! * `/Event/EventData/Data[@Name="TargetUserName"]` (attribute equality; the
//!   maps quote with `"` or `'`),
//! * `/Event/UserData/EventXML/Param1` (plain child steps, any depth),
//! * `/Event/EventData/Data` (every match: EvtxECmd joins their text with
//!   `", "`),
//! * `/Event/EventData/Data[2]` (1-based position among the matches of that
//!   step under one parent, as XPath numbers them),
//! * `/Event/System/Correlation/@ActivityID` (a final attribute step),
//!
//! and we also accept `*` as a step, a final `text()`, `[Name="v"]` (child
//! element text equality) and namespace prefixes (ignored: EvtxECmd strips
//! the event namespace before it evaluates). The value of an element is its
//! XPath string-value: the text of all its descendants, concatenated.
//!
//! Sources: XPath 1.0 §2 (location paths, abbreviated syntax), §5.2
//! (string-value of an element); EvtxECmd map guide
//! (`evtx/Maps/!Channel-Name_Provider-Name_EventID.guide`) for the forms in
//! use.

use crate::xml::{Doc, NodeRef};

/// Separator between the values of several matched nodes (EvtxECmd's).
pub const MULTI_VALUE_SEPARATOR: &str = ", ";

/// A compiled map value path.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct XPath {
    steps: Vec<Step>,
    last: Last,
}

#[derive(Debug, Clone, PartialEq, Eq)]
enum NameTest {
    Any,
    Local(String),
}

#[derive(Debug, Clone, PartialEq, Eq)]
enum Predicate {
    /// `[@attr="value"]`
    AttrEquals(String, String),
    /// `[child="value"]`
    ChildEquals(String, String),
    /// `[@attr]`
    HasAttr(String),
    /// `[n]`, 1-based.
    Position(usize),
}

#[derive(Debug, Clone, PartialEq, Eq)]
struct Step {
    name: NameTest,
    predicates: Vec<Predicate>,
}

/// What the path selects at its end.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Last {
    /// The elements' string-values.
    Elements,
    /// An attribute of the selected elements.
    Attribute(String),
    /// The direct text children of the selected elements.
    Text,
}

/// Strips a namespace prefix (`ns:Name` → `Name`).
fn local(name: &str) -> &str {
    name.rsplit_once(':').map_or(name, |(_, l)| l)
}

fn parse_quoted(s: &str) -> Option<String> {
    let s = s.trim();
    let q = s.chars().next()?;
    if (q == '"' || q == '\'') && s.len() >= 2 && s.ends_with(q) {
        s.get(1..s.len() - 1).map(str::to_owned)
    } else {
        None
    }
}

fn parse_predicate(inner: &str) -> Result<Predicate, String> {
    let inner = inner.trim();
    if let Ok(n) = inner.parse::<usize>() {
        if n == 0 {
            return Err("position predicates start at 1".into());
        }
        return Ok(Predicate::Position(n));
    }
    if let Some((lhs, rhs)) = inner.split_once('=') {
        let value =
            parse_quoted(rhs).ok_or_else(|| format!("expected a quoted value in [{inner}]"))?;
        let lhs = lhs.trim();
        return if let Some(attr) = lhs.strip_prefix('@') {
            Ok(Predicate::AttrEquals(local(attr.trim()).to_owned(), value))
        } else if is_name(lhs) {
            Ok(Predicate::ChildEquals(local(lhs).to_owned(), value))
        } else {
            Err(format!("unsupported predicate [{inner}]"))
        };
    }
    if let Some(attr) = inner.strip_prefix('@') {
        if is_name(attr.trim()) {
            return Ok(Predicate::HasAttr(local(attr.trim()).to_owned()));
        }
    }
    Err(format!("unsupported predicate [{inner}]"))
}

fn is_name(s: &str) -> bool {
    !s.is_empty()
        && s.chars()
            .all(|c| c.is_alphanumeric() || matches!(c, '_' | '-' | '.' | ':'))
}

/// Splits a path on `/` outside brackets and quotes.
fn split_steps(path: &str) -> Result<Vec<&str>, String> {
    let mut out = Vec::new();
    let mut depth = 0usize;
    let mut quote: Option<char> = None;
    let mut start = 0usize;
    for (i, c) in path.char_indices() {
        match (quote, c) {
            (Some(q), c) if c == q => quote = None,
            (Some(_), _) => {}
            (None, '"' | '\'') => quote = Some(c),
            (None, '[') => depth += 1,
            (None, ']') => depth = depth.checked_sub(1).ok_or("unbalanced ']'")?,
            (None, '/') if depth == 0 => {
                out.push(path.get(start..i).unwrap_or_default());
                start = i + 1;
            }
            _ => {}
        }
    }
    if depth != 0 || quote.is_some() {
        return Err("unterminated predicate or quote".into());
    }
    out.push(path.get(start..).unwrap_or_default());
    Ok(out)
}

impl XPath {
    /// Compiles a map `Value`. Errors name what is unsupported.
    pub fn parse(path: &str) -> Result<XPath, String> {
        let trimmed = path.trim();
        if trimmed.is_empty() {
            return Err("empty path".into());
        }
        if trimmed.contains("//") {
            return Err(format!(
                "descendant steps (//) are not supported: {trimmed}"
            ));
        }
        let body = trimmed.strip_prefix('/').unwrap_or(trimmed);
        let raw = split_steps(body)?;
        let mut steps = Vec::new();
        let mut last = Last::Elements;
        let count = raw.len();
        for (i, seg) in raw.into_iter().enumerate() {
            let seg = seg.trim();
            let is_last = i + 1 == count;
            if seg.is_empty() {
                return Err(format!("empty step in {trimmed}"));
            }
            if let Some(attr) = seg.strip_prefix('@') {
                if !is_last || !is_name(attr) {
                    return Err(format!("attribute step must be last and named: {trimmed}"));
                }
                last = Last::Attribute(local(attr).to_owned());
                continue;
            }
            if seg == "text()" {
                if !is_last {
                    return Err(format!("text() must be the last step: {trimmed}"));
                }
                last = Last::Text;
                continue;
            }
            let (name_part, mut rest) = match seg.find('[') {
                Some(p) => (
                    seg.get(..p).unwrap_or_default(),
                    seg.get(p..).unwrap_or_default(),
                ),
                None => (seg, ""),
            };
            let name = match name_part.trim() {
                "*" => NameTest::Any,
                n if is_name(n) => NameTest::Local(local(n).to_owned()),
                n => return Err(format!("unsupported step `{n}` in {trimmed}")),
            };
            let mut predicates = Vec::new();
            while !rest.is_empty() {
                let close = find_close(rest)
                    .ok_or_else(|| format!("unterminated predicate in {trimmed}"))?;
                let inner = rest.get(1..close).unwrap_or_default();
                predicates.push(parse_predicate(inner)?);
                rest = rest.get(close + 1..).unwrap_or_default().trim_start();
                if !rest.is_empty() && !rest.starts_with('[') {
                    return Err(format!("unexpected `{rest}` in {trimmed}"));
                }
            }
            if predicates.len() > MAX_PREDICATES {
                return Err(format!(
                    "more than {MAX_PREDICATES} predicates on one step: {trimmed}"
                ));
            }
            steps.push(Step { name, predicates });
        }
        if steps.is_empty() {
            return Err(format!("no element step in {trimmed}"));
        }
        Ok(XPath { steps, last })
    }

    /// Evaluates against an event document. `None` when nothing matches;
    /// several matches are joined with [`MULTI_VALUE_SEPARATOR`].
    pub fn evaluate(&self, doc: &Doc<'_>) -> Option<String> {
        let mut out = String::new();
        let mut found = 0usize;
        self.walk(doc.root(), 0, &mut out, &mut found);
        (found > 0).then_some(out)
    }

    /// Depth-first over the matches of step `i` under `parent`, in
    /// document order, appending final values to `out` (no intermediate
    /// node sets: this runs for every map value of every record).
    fn walk(&self, parent: NodeRef<'_, '_>, i: usize, out: &mut String, found: &mut usize) {
        let Some(step) = self.steps.get(i) else {
            let before = out.len();
            if *found > 0 {
                out.push_str(MULTI_VALUE_SEPARATOR);
            }
            let hit = match &self.last {
                Last::Elements => {
                    parent.push_string_value(out);
                    true
                }
                Last::Attribute(name) => parent.attribute(name).map(|v| out.push_str(v)).is_some(),
                Last::Text => {
                    for t in parent.children().filter_map(|c| c.text()) {
                        out.push_str(t);
                    }
                    true
                }
            };
            if hit {
                *found += 1;
            } else {
                out.truncate(before);
            }
            return;
        };
        // Position predicates count the candidates that passed the
        // predicates before them, per parent (XPath proximity positions).
        let mut passed = [0usize; MAX_PREDICATES];
        for c in parent.elements() {
            if !step.name.matches(&c) {
                continue;
            }
            let mut ok = true;
            for (k, p) in step.predicates.iter().enumerate() {
                // How many candidates reached this predicate before `c`.
                let reached = passed.get(k).copied().unwrap_or(0);
                if let Some(n) = passed.get_mut(k) {
                    *n += 1;
                }
                let hit = match p {
                    Predicate::Position(n) => reached + 1 == *n,
                    Predicate::AttrEquals(name, value) => c.attribute(name) == Some(value.as_str()),
                    Predicate::HasAttr(name) => c.attribute(name).is_some(),
                    Predicate::ChildEquals(child, value) => c
                        .elements()
                        .any(|g| g.name() == child && g.string_value() == *value),
                };
                if !hit {
                    ok = false;
                    break;
                }
            }
            if ok {
                self.walk(c, i + 1, out, found);
            }
        }
    }
}

/// Predicates allowed on one step.
const MAX_PREDICATES: usize = 4;

fn find_close(s: &str) -> Option<usize> {
    let mut quote: Option<char> = None;
    for (i, c) in s.char_indices().skip(1) {
        match (quote, c) {
            (Some(q), c) if c == q => quote = None,
            (Some(_), _) => {}
            (None, '"' | '\'') => quote = Some(c),
            (None, ']') => return Some(i),
            _ => {}
        }
    }
    None
}

impl NameTest {
    fn matches(&self, node: &NodeRef<'_, '_>) -> bool {
        match self {
            NameTest::Any => true,
            NameTest::Local(n) => node.name() == n,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const XML: &str = r#"<Event xmlns="http://schemas.microsoft.com/win/2004/08/events/event"><System><Provider Name="P"/><EventID>4624</EventID><Correlation ActivityID="{A}"/></System><EventData><Data Name="SubjectUserName">adam</Data><Data Name="LogonType">10</Data><Data Name="Empty"></Data></EventData><UserData><EventXML xmlns="x"><Param1>one</Param1><Param2>t<b>w</b>o</Param2></EventXML></UserData></Event>"#;

    fn eval(p: &str) -> Option<String> {
        let doc = Doc::parse(XML);
        XPath::parse(p).unwrap().evaluate(&doc)
    }

    #[test]
    fn attribute_equality_both_quotes() {
        assert_eq!(
            eval(r#"/Event/EventData/Data[@Name="LogonType"]"#).as_deref(),
            Some("10")
        );
        assert_eq!(
            eval("/Event/EventData/Data[@Name='SubjectUserName']").as_deref(),
            Some("adam")
        );
        assert_eq!(eval(r#"/Event/EventData/Data[@Name="Nope"]"#), None);
        assert_eq!(
            eval(r#"/Event/EventData/Data[@Name="Empty"]"#).as_deref(),
            Some("")
        );
    }

    #[test]
    fn bare_step_joins_all_matches() {
        assert_eq!(eval("/Event/EventData/Data").as_deref(), Some("adam, 10, "));
    }

    #[test]
    fn predicates_combine_in_order() {
        // The second Data that has a Name attribute.
        assert_eq!(
            eval("/Event/EventData/Data[@Name][2]").as_deref(),
            Some("10")
        );
        assert_eq!(
            eval(r#"/Event/EventData/Data[@Name="LogonType"][1]"#).as_deref(),
            Some("10")
        );
        assert_eq!(
            eval(r#"/Event/EventData/Data[2][@Name="LogonType"]"#).as_deref(),
            Some("10")
        );
        assert_eq!(eval(r#"/Event/EventData/Data[1][@Name="LogonType"]"#), None);
        assert_eq!(eval("/Event/*/@ActivityID"), None);
        assert_eq!(eval("/Event/System/*/@ActivityID").as_deref(), Some("{A}"));
    }

    #[test]
    fn position_is_one_based() {
        assert_eq!(eval("/Event/EventData/Data[1]").as_deref(), Some("adam"));
        assert_eq!(eval("/Event/EventData/Data[2]").as_deref(), Some("10"));
        assert_eq!(eval("/Event/EventData/Data[4]"), None);
        assert!(XPath::parse("/Event/EventData/Data[0]").is_err());
    }

    #[test]
    fn user_data_namespaces_and_string_value() {
        assert_eq!(
            eval("/Event/UserData/EventXML/Param1").as_deref(),
            Some("one")
        );
        assert_eq!(eval("/Event/UserData/*/Param2").as_deref(), Some("two"));
        assert_eq!(
            eval("/Event/UserData/EventXML/Param2/text()").as_deref(),
            Some("to")
        );
    }

    #[test]
    fn attributes_and_system() {
        assert_eq!(
            eval("/Event/System/Correlation/@ActivityID").as_deref(),
            Some("{A}")
        );
        assert_eq!(eval("/Event/System/Provider/@Name").as_deref(), Some("P"));
        assert_eq!(eval("/Event/System/EventID").as_deref(), Some("4624"));
        assert_eq!(eval("Event/System/EventID").as_deref(), Some("4624"));
    }

    #[test]
    fn child_equality_predicate() {
        assert_eq!(
            eval(r#"/Event/System[EventID="4624"]/Provider/@Name"#).as_deref(),
            Some("P")
        );
        assert_eq!(eval(r#"/Event/System[EventID="1"]/Provider/@Name"#), None);
    }

    #[test]
    fn rejects_what_it_cannot_evaluate() {
        for bad in [
            "",
            "//Data",
            "/Event/@Name/System",
            "/Event/Data[@Name=x]",
            "/Event/Data[@Name=\"x\"",
            "/Event/Data[last()]",
        ] {
            assert!(XPath::parse(bad).is_err(), "{bad}");
        }
    }
}
