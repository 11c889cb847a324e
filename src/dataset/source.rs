//! Where in the briefing a record comes from.

use serde::Deserialize;
use std::fmt;

/// A place in the briefing: a section, table, figure or footnote, or (for vocabularies the
/// briefing does not print, and for a user's own records) an external reference.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
#[non_exhaustive]
pub enum SourceRef {
    /// A numbered section, e.g. `"3.2"` or `"2.3.4"`.
    Section(String),
    /// Table 1 to 4.
    Table(u8),
    /// Figure 1 to 3.
    Figure(u8),
    /// Footnote 1 to 62.
    Footnote(u8),
    /// Anything outside the briefing, as the record wrote it after `External:`, or one of the
    /// two ECCP vocabularies the taxonomy's crosswalk maps.
    External(String),
}

/// The briefing's sections, as numbered in its table of contents.
const SECTIONS: &[&str] = &[
    "1", "2", "2.1", "2.2", "2.3", "2.3.1", "2.3.2", "2.3.3", "2.3.4", "3", "3.1", "3.2", "4",
    "4.1", "4.2", "4.3", "4.4", "4.5", "5", "6", "6.1", "6.2", "6.3", "6.4",
];

/// External vocabularies the taxonomy may cite without a quote.
pub(crate) const ECCP_VOCABULARIES: &[&str] =
    &["EU industrial ecosystems", "European emerging industries"];

impl SourceRef {
    /// Parses `"Section 3.2"`, `"Table 4"`, `"Figure 1"`, `"Footnote 46"`, one of the ECCP
    /// vocabularies, or `"External: ..."`.
    pub(crate) fn parse(s: &str) -> Result<SourceRef, String> {
        let bad = || {
            format!(
                "`{s}` is not a reference to the briefing; expected `Section N.N`, `Table 1`-`Table 4`, \
                 `Figure 1`-`Figure 3`, `Footnote 1`-`Footnote 62` or `External: <citation>`"
            )
        };
        if let Some(rest) = s.strip_prefix("External:") {
            let rest = rest.trim();
            if rest.is_empty() {
                return Err("`External:` needs a citation after the colon".into());
            }
            return Ok(SourceRef::External(rest.to_string()));
        }
        if ECCP_VOCABULARIES.contains(&s) {
            return Ok(SourceRef::External(s.to_string()));
        }
        let (word, num) = s.split_once(' ').ok_or_else(bad)?;
        let n = |max: u8| -> Result<u8, String> {
            match num.parse::<u8>() {
                Ok(v) if (1..=max).contains(&v) => Ok(v),
                _ => Err(bad()),
            }
        };
        match word {
            "Section" if SECTIONS.contains(&num) => Ok(SourceRef::Section(num.to_string())),
            "Table" => Ok(SourceRef::Table(n(4)?)),
            "Figure" => Ok(SourceRef::Figure(n(3)?)),
            "Footnote" => Ok(SourceRef::Footnote(n(62)?)),
            _ => Err(bad()),
        }
    }

    /// Whether this points into the briefing (and so must carry a quote).
    pub fn is_briefing(&self) -> bool {
        !matches!(self, SourceRef::External(_))
    }
}

/// A place in the briefing as the briefing numbers it (`Section 3.2`, `Table 4`); anything
/// else, an ECCP vocabulary included, starts with `External: `, so that no other source
/// can pass for the briefing wherever a source is shown. A data file may cite every form
/// written here.
impl fmt::Display for SourceRef {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            SourceRef::Section(s) => write!(f, "Section {s}"),
            SourceRef::Table(n) => write!(f, "Table {n}"),
            SourceRef::Figure(n) => write!(f, "Figure {n}"),
            SourceRef::Footnote(n) => write!(f, "Footnote {n}"),
            SourceRef::External(s) => write!(f, "External: {s}"),
        }
    }
}

/// A reference with the briefing's own words that support the record.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Source {
    pub(crate) reference: SourceRef,
    pub(crate) row: Option<u16>,
    pub(crate) quote: Option<String>,
}

impl Source {
    /// The section, table, figure or footnote.
    pub fn reference(&self) -> &SourceRef {
        &self.reference
    }
    /// The row of Table 4 (1-100, in the table's order), for Table 4 sources.
    pub fn row(&self) -> Option<u16> {
        self.row
    }
    /// The words that support the record. Every briefing source has one, and it is the
    /// briefing's, verbatim: checked at load for the files a user adds (runs of whitespace,
    /// typographic quotes, dashes and footnote markers aside), and by the crate's tests for
    /// the embedded data. An external source may carry its own quote, which is not checked.
    pub fn quote(&self) -> Option<&str> {
        self.quote.as_deref()
    }
}

impl fmt::Display for Source {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.reference)?;
        if let Some(r) = self.row {
            write!(f, ", row {r}")?;
        }
        Ok(())
    }
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct RawSource {
    #[serde(rename = "ref")]
    pub reference: String,
    #[serde(default)]
    pub row: Option<u16>,
    #[serde(default)]
    pub quote: Option<String>,
}

/// Converts raw sources, checking each reference, that briefing references carry a quote,
/// and that rows appear only on Table 4 and within 1..=100. `field` names the list for errors.
pub(crate) fn convert_sources(
    raw: Vec<RawSource>,
    field: &str,
    err: &dyn Fn(String, String) -> crate::Error,
) -> crate::Result<Vec<Source>> {
    raw.into_iter()
        .enumerate()
        .map(|(i, r)| convert_source(r, &format!("{field}[{i}]"), err))
        .collect()
}

/// Converts one raw source with the checks of [`convert_sources`]; `f` names it for errors.
pub(crate) fn convert_source(
    r: RawSource,
    f: &str,
    err: &dyn Fn(String, String) -> crate::Error,
) -> crate::Result<Source> {
    let reference = SourceRef::parse(&r.reference).map_err(|m| err(format!("{f}.ref"), m))?;
    match (&reference, r.row) {
        (SourceRef::Table(4), Some(row)) if (1..=100).contains(&row) => {}
        (SourceRef::Table(4), Some(row)) => {
            return Err(err(
                format!("{f}.row"),
                format!("Table 4 has rows 1 to 100, not {row}"),
            ))
        }
        (SourceRef::Table(4), None) => {
            return Err(err(
                format!("{f}.row"),
                "a Table 4 source needs the row number (1-100)".into(),
            ))
        }
        (_, Some(_)) => {
            return Err(err(
                format!("{f}.row"),
                "only Table 4 sources have a row number".into(),
            ))
        }
        _ => {}
    }
    let quote = r.quote.map(|q| q.trim().to_string());
    if reference.is_briefing() && quote.as_deref().is_none_or(str::is_empty) {
        return Err(err(
            format!("{f}.quote"),
            "a reference to the briefing needs a verbatim quote; for a source outside the \
             briefing, write the ref as `External: <citation>`"
                .into(),
        ));
    }
    Ok(Source {
        reference,
        row: r.row,
        quote,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_and_prints_references() {
        for s in [
            "Section 3.2",
            "Section 2.3.4",
            "Table 4",
            "Figure 2",
            "Footnote 46",
            "External: company registry 2024",
        ] {
            assert_eq!(SourceRef::parse(s).unwrap().to_string(), s);
        }
        // A vocabulary is cited by its name, and shown as the external source it is.
        let v = SourceRef::parse("EU industrial ecosystems").unwrap();
        assert_eq!(v.to_string(), "External: EU industrial ecosystems");
        assert_eq!(SourceRef::parse(&v.to_string()), Ok(v));
    }

    #[test]
    fn rejects_what_the_briefing_does_not_have() {
        for s in [
            "Section 7",
            "Table 5",
            "Figure 0",
            "Footnote 63",
            "Annex",
            "External:",
            "",
        ] {
            assert!(SourceRef::parse(s).is_err(), "{s}");
        }
    }
}
