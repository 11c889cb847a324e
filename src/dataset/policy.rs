//! Policy notes (cautions, openings, Chinese demand) and EU-China programmes.

use super::goal::Goal;
use super::partner::{Kind, Level};
use super::regions::MacroRegionId;
use super::source::{RawSource, Source};
use super::taxonomy::SectorId;
use crate::date::YearMonth;
use serde::Deserialize;

/// What a policy note tells a cluster manager.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Deserialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum NoteKind {
    /// A risk or barrier.
    Caution,
    /// An opportunity.
    Opening,
    /// What the Chinese side seeks from European know-how (feeds reciprocity).
    Demand,
}

impl NoteKind {
    /// `caution`, `opening` or `demand`.
    pub fn as_str(self) -> &'static str {
        match self {
            NoteKind::Caution => "caution",
            NoteKind::Opening => "opening",
            NoteKind::Demand => "demand",
        }
    }
}

/// When a note applies to a match. All conditions given must hold; an empty list is no
/// condition.
#[derive(Debug, Clone, Default)]
pub struct Conditions {
    pub(crate) sectors: Vec<SectorId>,
    pub(crate) topics: Vec<String>,
    pub(crate) kinds: Vec<Kind>,
    pub(crate) macro_regions: Vec<MacroRegionId>,
    pub(crate) min_control: Option<Level>,
    pub(crate) min_tech: Option<Level>,
    pub(crate) max_tech: Option<Level>,
    pub(crate) no_formal_organisation: bool,
}

impl Conditions {
    /// The note applies to these sectors and everything below them.
    pub fn sectors(&self) -> &[SectorId] {
        &self.sectors
    }
    /// Profile keywords that trigger the note (normalised).
    pub fn topics(&self) -> &[String] {
        &self.topics
    }
    /// Partner kinds the note is about.
    pub fn kinds(&self) -> &[Kind] {
        &self.kinds
    }
    /// The note applies to partners in these macro-regions.
    pub fn macro_regions(&self) -> &[MacroRegionId] {
        &self.macro_regions
    }
    /// Whether the note has no condition at all (a general caution).
    pub fn is_general(&self) -> bool {
        self.sectors.is_empty()
            && self.topics.is_empty()
            && self.kinds.is_empty()
            && self.macro_regions.is_empty()
            && self.min_control.is_none()
            && self.min_tech.is_none()
            && self.max_tech.is_none()
            && !self.no_formal_organisation
    }
    /// The note applies to partners under at least this political control.
    pub fn min_control(&self) -> Option<Level> {
        self.min_control
    }
    /// The note applies to partners at least this high-tech (a note on high-tech ecosystems).
    pub fn min_tech(&self) -> Option<Level> {
        self.min_tech
    }
    /// The note applies to partners at most this high-tech (a note on a low-tech focus).
    pub fn max_tech(&self) -> Option<Level> {
        self.max_tech
    }
    /// The note applies to partners with no formal organisation.
    pub fn no_formal_organisation(&self) -> bool {
        self.no_formal_organisation
    }
}

/// A caution, opening or demand from sections 2 to 5.
#[derive(Debug, Clone)]
pub struct PolicyNote {
    pub(crate) id: String,
    pub(crate) kind: NoteKind,
    pub(crate) title: String,
    pub(crate) text: String,
    pub(crate) applies_when: Conditions,
    pub(crate) strength: Option<Level>,
    pub(crate) sources: Vec<Source>,
    pub(crate) period: Option<NotePeriod>,
}

impl PolicyNote {
    /// The id.
    pub fn id(&self) -> &str {
        &self.id
    }
    /// Caution, opening or demand.
    pub fn kind(&self) -> NoteKind {
        self.kind
    }
    /// A short title.
    pub fn title(&self) -> &str {
        &self.title
    }
    /// One or two plain sentences for a cluster manager.
    pub fn text(&self) -> &str {
        &self.text
    }
    /// When it applies.
    pub fn applies_when(&self) -> &Conditions {
        &self.applies_when
    }
    /// For demand notes, how strongly the briefing says China seeks the know-how.
    pub fn strength(&self) -> Option<Level> {
        self.strength
    }
    /// The briefing's words.
    pub fn sources(&self) -> &[Source] {
        &self.sources
    }
    /// The window or horizon the briefing states for the note's central claim (a five-year
    /// plan's years, a target's "by 2020"); `None` when it states none.
    pub fn period(&self) -> Option<&NotePeriod> {
        self.period.as_ref()
    }
}

/// The window the briefing states for a policy note's central claim: the 13th Five-Year
/// Plan's 2016-2020, a target's "by 2030". Checked at load: the dates are `YYYY` or
/// `YYYY-MM`, the window does not end before it starts, and its quote writes the years out.
///
/// ```
/// use eccp_china::{score::YearMonth, Dataset};
/// # fn main() -> Result<(), eccp_china::Error> {
/// let d = Dataset::embedded()?;
/// let n = d.policy_notes().iter().find(|n| n.id() == "nuclear_expansion").unwrap();
/// let w = n.period().unwrap();
/// assert_eq!((w.start(), w.end()), (None, "2030"));
/// assert!(w.source().quote().unwrap().contains("by 2030"));
/// assert!(w.has_ended(YearMonth::parse("2031-01").unwrap()));
/// assert!(!w.has_ended(YearMonth::parse("2030-12").unwrap())); // "2030" runs through December
/// # Ok(())
/// # }
/// ```
#[derive(Debug, Clone)]
pub struct NotePeriod {
    pub(crate) start: Option<String>,
    pub(crate) end: String,
    pub(crate) first: Option<YearMonth>,
    pub(crate) last: YearMonth,
    pub(crate) source: Source,
    pub(crate) basis: Option<String>,
}

impl NotePeriod {
    /// The start as written (`YYYY` or `YYYY-MM`); `None` for a horizon ("by 2020").
    pub fn start(&self) -> Option<&str> {
        self.start.as_deref()
    }
    /// The end as written (`YYYY` or `YYYY-MM`).
    pub fn end(&self) -> &str {
        &self.end
    }
    /// Where the window is stated, with the words that state it (they contain its years).
    pub fn source(&self) -> &Source {
        &self.source
    }
    /// Why the window is read this way, where it is an interpretation (the years come from
    /// another passage, or from a strategy's name).
    pub fn basis(&self) -> Option<&str> {
        self.basis.as_deref()
    }
    /// Whether the window had closed by `as_of`: its last month (December of a year written
    /// alone) is before it.
    pub fn has_ended(&self, as_of: YearMonth) -> bool {
        self.last < as_of
    }
    /// Whether the window had not yet opened at `as_of`: its first month (January of a year
    /// written alone) is after it.
    pub fn has_not_started(&self, as_of: YearMonth) -> bool {
        self.first.is_some_and(|f| f > as_of)
    }
}

/// An EU-China project, programme, agreement or dialogue.
#[derive(Debug, Clone)]
pub struct Programme {
    pub(crate) id: String,
    pub(crate) name: String,
    pub(crate) kind: String,
    pub(crate) period: Option<(String, Option<String>)>,
    /// `period` read at load: its first month and, if it states one, its last.
    pub(crate) window: Option<(YearMonth, Option<YearMonth>)>,
    pub(crate) sectors: Vec<SectorId>,
    pub(crate) goals: Vec<Goal>,
    pub(crate) description: String,
    pub(crate) websites: Vec<String>,
    pub(crate) sources: Vec<Source>,
}

impl Programme {
    /// The id.
    pub fn id(&self) -> &str {
        &self.id
    }
    /// The name as printed.
    pub fn name(&self) -> &str {
        &self.name
    }
    /// `eu_china_project`, `funding`, `policy_dialogue`, `chinese_programme` or `eu_programme`.
    pub fn kind(&self) -> &str {
        &self.kind
    }
    /// Start and end (`YYYY` or `YYYY-MM`) as printed; `None` when the briefing gives none.
    pub fn period(&self) -> Option<(&str, Option<&str>)> {
        self.period
            .as_ref()
            .map(|(s, e)| (s.as_str(), e.as_deref()))
    }
    /// Whether its window, as the briefing states it, had ended by `as_of` (a window with
    /// no end, or none at all, has not).
    pub fn ended_by(&self, as_of: YearMonth) -> bool {
        self.window
            .is_some_and(|(_, last)| last.is_some_and(|e| e < as_of))
    }
    /// Whether it runs at `as_of` by the window the briefing states: started by that year
    /// and not ended (a programme with no stated window is taken to run).
    pub fn runs_at(&self, as_of: YearMonth) -> bool {
        self.window
            .is_none_or(|(first, _)| first.year() <= as_of.year())
            && !self.ended_by(as_of)
    }
    /// The sectors it serves; empty means every sector.
    pub fn sectors(&self) -> &[SectorId] {
        &self.sectors
    }
    /// The profile goals it serves.
    pub fn goals(&self) -> &[Goal] {
        &self.goals
    }
    /// A plain description.
    pub fn description(&self) -> &str {
        &self.description
    }
    /// Websites as printed.
    pub fn websites(&self) -> &[String] {
        &self.websites
    }
    /// The briefing's words.
    pub fn sources(&self) -> &[Source] {
        &self.sources
    }
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct RawNotesFile {
    pub notes: Vec<RawNote>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct RawNote {
    pub id: String,
    pub kind: NoteKind,
    pub title: String,
    pub text: String,
    #[serde(default)]
    pub applies_when: RawConditions,
    #[serde(default)]
    pub strength: Option<Level>,
    pub sources: Vec<RawSource>,
    #[serde(default)]
    pub period: Option<RawNotePeriod>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct RawNotePeriod {
    #[serde(default)]
    pub start: Option<String>,
    pub end: String,
    pub source: RawSource,
    #[serde(default)]
    pub basis: Option<String>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct RawConditions {
    #[serde(default)]
    pub sectors: Vec<String>,
    #[serde(default)]
    pub topics: Vec<String>,
    #[serde(default)]
    pub kinds: Vec<String>,
    #[serde(default)]
    pub macro_regions: Vec<String>,
    #[serde(default)]
    pub min_control: Option<Level>,
    #[serde(default)]
    pub min_tech: Option<Level>,
    #[serde(default)]
    pub max_tech: Option<Level>,
    #[serde(default)]
    pub no_formal_organisation: bool,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct RawProgrammesFile {
    pub programmes: Vec<RawProgramme>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct RawPeriod {
    pub start: String,
    #[serde(default)]
    pub end: Option<String>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct RawProgramme {
    pub id: String,
    pub name: String,
    pub kind: String,
    #[serde(default)]
    pub period: Option<RawPeriod>,
    #[serde(default)]
    pub sectors: Vec<String>,
    #[serde(default)]
    pub goals: Vec<String>,
    pub description: String,
    #[serde(default)]
    pub websites: Vec<String>,
    pub sources: Vec<RawSource>,
}
