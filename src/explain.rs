//! Step 5 of the data flow: why a partner ranks where it does, what to watch out for, and
//! who can help make the contact; each in the briefing's own words and sections.

use crate::dataset::{
    Dataset, Evidence, Goal, Kind, Level, NoteKind, Partner, PolicyNote, Programme, SectorId,
    Source, SourceRef,
};
use crate::date::YearMonth;
use crate::resolve::{contains_phrase, describe_region, ResolvedProfile};
use crate::score::{Component, Query, RegionWhy, Relation, Scored};
use serde::Serialize;

/// What a [`Reason`] explains: one of the score's [`Component`]s, or an opening (an
/// opportunity the briefing names for the partner's field, region or kind, which no
/// component scores).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ReasonKind {
    /// [`Component::Sector`].
    Sector,
    /// [`Component::Region`].
    Region,
    /// [`Component::Tech`].
    Tech,
    /// [`Component::Control`].
    Control,
    /// [`Component::Goal`].
    Goal,
    /// [`Component::Reciprocity`].
    Reciprocity,
    /// [`Component::Evidence`].
    Evidence,
    /// An opening of the briefing's policy notes.
    Opening,
}

impl ReasonKind {
    /// The component it explains; `None` for an opening.
    pub fn component(self) -> Option<Component> {
        Some(match self {
            ReasonKind::Sector => Component::Sector,
            ReasonKind::Region => Component::Region,
            ReasonKind::Tech => Component::Tech,
            ReasonKind::Control => Component::Control,
            ReasonKind::Goal => Component::Goal,
            ReasonKind::Reciprocity => Component::Reciprocity,
            ReasonKind::Evidence => Component::Evidence,
            ReasonKind::Opening => return None,
        })
    }

    /// The name used in output: a component's name, or `opening`.
    pub fn as_str(self) -> &'static str {
        self.component().map_or("opening", Component::as_str)
    }
}

/// One reason for a match, with the briefing section (or table) behind it.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Reason {
    /// The score component it explains, or an opening the briefing names. Serialised as
    /// `component` (`"sector"`, ..., `"opening"`).
    #[serde(rename = "component")]
    pub kind: ReasonKind,
    /// Plain English.
    pub text: String,
    /// The section or table, e.g. "Section 3.2" or "Table 4, row 48"; a source outside the
    /// briefing (a user's own record) always starts with "External:", e.g. "External:
    /// company website, 2024".
    pub source: String,
    /// The source's words, where one quote carries the reason: the briefing's, verbatim, or
    /// for an "External:" source what the record quotes of it.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub quote: Option<String>,
    /// For an opening or a reciprocity reason from a note with a stated window: whether the
    /// window still ran at the advice's date ("runs to 2020 by the briefing (...)", "ended
    /// 2020: ..."). `None` otherwise.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub status: Option<String>,
}

/// A caution from the briefing that applies to a match.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Risk {
    /// The policy note's id.
    pub id: String,
    /// A short title.
    pub title: String,
    /// Plain English.
    pub text: String,
    /// The section it comes from.
    pub source: String,
    /// For a note with a stated window: whether it still ran at the advice's date ("runs to
    /// 2025 by the briefing (...)" or "ended 2025: ..."). `None` for a note the briefing gives
    /// no window.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub status: Option<String>,
}

/// Someone who can broker the contact: an association, a support service, a provincial
/// body or an EU-China programme.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Intermediary {
    /// Partner or programme id.
    pub id: String,
    /// Its name.
    pub name: String,
    /// A partner kind (`association`, `support_service`, `government_body`) or `programme`.
    pub kind: String,
    /// Why it can help.
    pub why: String,
    /// Its website, if printed.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub website: Option<String>,
    /// The section or table that names it, or "External: ..." for a user's own record.
    pub source: String,
    /// For a programme: whether it still runs at the advice's date, as far as the briefing's
    /// stated window tells.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub status: Option<String>,
}

/// How a reason, risk or helper names its source: a place in the briefing as the briefing
/// numbers it ("Section 3.2", "Table 4, row 48"), anything else starting with "External:"
/// (the rule of `SourceRef`'s `Display`), so that a user's own source never passes for the
/// briefing in any output.
fn cite(s: &Source) -> String {
    s.to_string()
}

/// Whether the briefing is among a record's sources. What a record with none says of
/// itself (a user's record known from elsewhere) is cited from its own sources, never from a
/// section of the briefing.
fn from_briefing(p: &Partner) -> bool {
    p.sources().iter().any(|s| s.reference().is_briefing())
}

/// The words that name a sector in prose: its label, aliases and keywords of four letters
/// or more, lower case.
fn sector_words(d: &Dataset, sector: SectorId) -> Vec<String> {
    let s = d.taxonomy().get(sector);
    std::iter::once(s.label().to_lowercase())
        .chain(s.aliases().iter().map(|a| a.to_lowercase()))
        .chain(s.keywords().iter().cloned())
        .filter(|w| w.len() >= 4)
        .collect()
}

/// The source of `p` that best supports `sector` (one naming it in its quote), else the first.
fn best_source<'a>(d: &Dataset, p: &'a Partner, sector: SectorId) -> Option<&'a Source> {
    let words = sector_words(d, sector);
    p.sources()
        .iter()
        .find(|src| {
            src.quote().is_some_and(|q| {
                let q = q.to_lowercase();
                words.iter().any(|w| q.contains(w.as_str()))
            })
        })
        .or_else(|| p.sources().first())
}

/// Whether a note's conditions hold for this match. Notes without any condition are
/// general; they are reported once per recommendation, not per match.
pub(crate) fn note_applies(d: &Dataset, n: &PolicyNote, r: &ResolvedProfile, p: &Partner) -> bool {
    let c = n.applies_when();
    let tax = d.taxonomy();
    if c.is_general() {
        return false;
    }
    let sector_ok = c.sectors().is_empty() || {
        let within = |s: &SectorId| c.sectors().iter().any(|ns| tax.is_within(*s, *ns));
        // The note is about the field of the cooperation: the partner works in it, and the
        // profile asked for something close to it.
        p.sectors().iter().any(within)
            && r.sectors()
                .iter()
                .chain(r.keyword_sectors().iter())
                .any(|ws| {
                    p.sectors()
                        .iter()
                        .any(|ps| within(ps) && tax.closeness(*ws, *ps) >= 0.5)
                })
    };
    let topic_ok = c.topics().is_empty()
        || c.topics()
            .iter()
            .any(|t| r.topics().iter().any(|k| contains_phrase(k, t)));
    let kind_ok = c.kinds().is_empty() || c.kinds().contains(&p.kind());
    let control_ok = c.min_control().is_none_or(|m| p.control().level() >= m);
    let tech_ok = c.min_tech().is_none_or(|m| p.tech().level() >= m)
        && c.max_tech().is_none_or(|m| p.tech().level() <= m);
    let org_ok = !c.no_formal_organisation() || !p.has_formal_organisation();
    let region_ok = c.macro_regions().is_empty()
        || d.macro_region_of(p)
            .is_some_and(|m| c.macro_regions().contains(&m));
    sector_ok && topic_ok && kind_ok && control_ok && tech_ok && org_ok && region_ok
}

/// Notes with no condition: the briefing's general cautions, which apply to every match.
pub(crate) fn general_notes(d: &Dataset, as_of: YearMonth) -> Vec<Risk> {
    d.policy_notes()
        .iter()
        .filter(|n| n.kind() == NoteKind::Caution)
        .filter(|n| n.applies_when().is_general())
        .map(|n| risk_of(n, as_of))
        .collect()
}

fn risk_of(n: &PolicyNote, as_of: YearMonth) -> Risk {
    Risk {
        id: n.id().to_string(),
        title: n.title().to_string(),
        text: n.text().to_string(),
        source: n.sources().first().map(cite).unwrap_or_default(),
        status: note_status(n, as_of),
    }
}

/// What the window the briefing states for a note says at `as_of`; `None` for a note it
/// gives no window. The one place these words are made, for risks, openings and demand
/// notes alike. They do not name `as_of`, which every output prints once, so that the same
/// advice reads the same all month.
pub(crate) fn note_status(n: &PolicyNote, as_of: YearMonth) -> Option<String> {
    let w = n.period()?;
    let quote = w.source().quote().unwrap_or(w.end());
    // A user's note may state its window from outside the briefing: it is named so.
    let from_briefing = w.source().reference().is_briefing();
    let by = if from_briefing {
        "the briefing".to_string()
    } else {
        cite(w.source())
    };
    Some(if w.has_ended(as_of) {
        let (what, verb) = match w.start() {
            Some(start) => (format!("window ({start} to {})", w.end()), "has closed"),
            None => (format!("horizon ({})", w.end()), "has passed"),
        };
        let whose = if from_briefing {
            format!("the briefing's {what}")
        } else {
            format!("the {what} of {by}")
        };
        format!("ended {}: {whose} {verb}; check what replaced it", w.end())
    } else if let (true, Some(start)) = (w.has_not_started(as_of), w.start()) {
        format!("starts {start} by {by} ({quote})")
    } else {
        format!("runs to {} by {by} ({quote})", w.end())
    })
}

/// The reasons for one match, in the fixed component order: each rendered from what the
/// scorer returned for that component, so a reason cannot say more than the score used.
///
/// `as_of` changes only the words of the notes' statuses and which openings come first
/// (those whose window still runs); nothing here feeds a score.
pub(crate) fn reasons(
    d: &Dataset,
    q: &Query,
    r: &ResolvedProfile,
    s: &Scored,
    as_of: YearMonth,
) -> Vec<Reason> {
    let tax = d.taxonomy();
    let reg = d.regions();
    let p = d.partner(s.partner);
    let mut out = Vec::new();
    let comp = |c: Component| s.components[c as usize];
    let sq = q.sector_query();

    // Sector: the specialisation that decided, and how many it meets.
    let fit = s.why.sector.fit;
    if let Some(b) = fit.best {
        let input = &sq.terms()[b.term].input;
        let mut text = if b.closeness >= 1.0 {
            format!(
                "Works in {} (you asked for \"{input}\")",
                tax.get(b.partner).label()
            )
        } else {
            format!(
                "Works in {}, close to {} (you asked for \"{input}\"; closeness {:.2})",
                tax.get(b.partner).label(),
                tax.get(b.wanted).label(),
                b.closeness
            )
        };
        let (met, of) = fit.met;
        if of > 1 && met > 1 {
            text.push_str(&format!("; it meets {met} of your {of} specialisations"));
        }
        let src = best_source(d, p, b.partner);
        out.push(Reason {
            kind: ReasonKind::Sector,
            text,
            source: src.map(cite).unwrap_or_default(),
            quote: src.and_then(|s| s.quote()).map(str::to_string),
            status: None,
        });
    }
    if let Some(i) = s.why.sector.phrase {
        let ph = &sq.phrases()[i];
        let src = p
            .sources()
            .iter()
            .find(|s| matches!(s.reference(), SourceRef::Table(4)))
            .or_else(|| p.sources().first());
        let share = match ph.partners_sharing {
            1 => format!(
                "the only one of the {} partners whose name does",
                d.partners().len()
            ),
            n => format!(
                "one of {n} of the {} partners whose names do",
                d.partners().len()
            ),
        };
        out.push(Reason {
            kind: ReasonKind::Sector,
            text: format!("Its name says it makes \"{}\": {share}", ph.input),
            source: src.map(cite).unwrap_or_default(),
            quote: src.and_then(|s| s.quote()).map(str::to_string),
            status: None,
        });
    }

    // Region: the relation the scorer found.
    match s.why.region {
        RegionWhy::National => out.push(Reason {
            kind: ReasonKind::Region,
            text: "A national body: it works across China".into(),
            source: p.sources().first().map(cite).unwrap_or_default(),
            quote: None,
            status: None,
        }),
        RegionWhy::Preferred(Some((pref, rel))) => {
            let wanted = describe_region(d, pref);
            let here = d
                .city_of(p)
                .map(|c| reg.place(c).name().to_string())
                .or_else(|| p.province().map(|pr| reg.province(pr).name().to_string()))
                .unwrap_or_default();
            let text = match rel {
                Relation::Inside => {
                    format!("Located in {here}, within a region you prefer ({wanted})")
                }
                Relation::SameProvince => {
                    format!("Located in {here}: not in {wanted} itself, but in the same province")
                }
                Relation::SameMacroRegion => {
                    let mr = d
                        .macro_region_of(p)
                        .map(|m| reg.macro_region(m).name())
                        .unwrap_or_default();
                    format!("Not in a region you prefer, but nearby: in the {mr}, like {wanted}")
                }
            };
            // Section 3.1 draws the regions; where the partner is, its record says.
            let source = if from_briefing(p) {
                "Section 3.1".into()
            } else {
                p.sources().first().map(cite).unwrap_or_default()
            };
            out.push(Reason {
                kind: ReasonKind::Region,
                text,
                source,
                quote: None,
                status: None,
            });
        }
        RegionWhy::Preferred(None) => {}
        RegionWhy::Strength(m, Some(st)) => {
            let mr = reg.macro_region(m);
            let field = tax.get(st.sector).label().to_lowercase();
            let close = if st.closeness >= 1.0 {
                String::new()
            } else {
                format!(
                    ", close to your {} (closeness {:.2})",
                    tax.get(st.wanted).label().to_lowercase(),
                    st.closeness
                )
            };
            let (text, src) = match st.hosted_by {
                // The strength is a partner the briefing places there.
                Some(h) => {
                    let host = d.partner(h);
                    let text = if h == s.partner && from_briefing(host) {
                        format!(
                            "{} hosts it, one of the briefing's clusters in {field}{close}",
                            mr.name()
                        )
                    } else if h == s.partner {
                        format!("{} hosts it, a cluster in {field}{close}", mr.name())
                    } else {
                        format!(
                            "{} hosts clusters in {field}{close}, such as {}",
                            mr.name(),
                            host.name()
                        )
                    };
                    (text, host.sources().first())
                }
                None => {
                    let src = mr
                        .sources()
                        .iter()
                        .find(|src| {
                            src.quote().is_some_and(|q| {
                                let q = q.to_lowercase();
                                sector_words(d, st.sector)
                                    .iter()
                                    .any(|w| q.contains(w.as_str()))
                            })
                        })
                        .or_else(|| mr.sources().first());
                    (format!("{} is strong in {field}{close}", mr.name()), src)
                }
            };
            out.push(Reason {
                kind: ReasonKind::Region,
                text,
                source: src.map(cite).unwrap_or_else(|| "Section 3.1".into()),
                quote: src.and_then(|s| s.quote()).map(str::to_string),
                status: None,
            });
        }
        RegionWhy::Strength(_, None) => {}
    }

    // Tech and control, with their basis.
    // Section 3.1 characterises clusters, parks and zones, and casts government bodies as
    // the policy actors; the other kinds' defaults are the crate's, and the text says so.
    let characterised = matches!(
        p.kind(),
        Kind::IndustrialCluster | Kind::SciencePark | Kind::EconomicZone | Kind::GovernmentBody
    );
    let basis_of = |what: &str, a: &crate::dataset::Assessment| -> (String, String) {
        let level = capitalise(a.level().as_str());
        match a.basis() {
            Some((b, src)) if a.is_inferred() => (
                format!("{level} {what} (inferred): {}", strip_section(b)),
                src.to_string(),
            ),
            Some((b, src)) => (
                format!("{level} {what}: {}", strip_section(b)),
                src.to_string(),
            ),
            None if characterised => (
                format!(
                    "{level} {what}, as section 3.1 characterises {}",
                    kind_plural(p.kind())
                ),
                "Section 3.1".into(),
            ),
            None => (
                format!(
                    "{level} {what}: the default for {}, which the briefing does not rate",
                    kind_plural(p.kind())
                ),
                "crate default".into(),
            ),
        }
    };
    let (mut text, source) = basis_of("tech", p.tech());
    if let Some((g, f)) = s.why.tech.weakest.filter(|w| w.1 < 1.0) {
        text.push_str(&format!(
            "; for {} with your {} tech level it fits {f:.2}",
            g.label(),
            s.why.tech.profile.as_str()
        ));
    }
    out.push(Reason {
        kind: ReasonKind::Tech,
        text,
        source,
        quote: p.tech().quote().map(str::to_string),
        status: None,
    });
    let (text, source) = basis_of("political control", p.control());
    let tol = r.profile().control_tolerance();
    out.push(Reason {
        kind: ReasonKind::Control,
        text: format!(
            "{text}; at your tolerance of {tol} this keeps {:.2} of the control score",
            comp(Component::Control)
        ),
        source,
        quote: p.control().quote().map(str::to_string),
        status: None,
    });

    // Goal: the profile goal this kind serves best.
    if let Some((g, a)) = s.why.goal.best {
        let (text, source) = goal_reason(g, p);
        out.push(Reason {
            kind: ReasonKind::Goal,
            text: format!("{text} (serves {} at {a:.1})", g.as_str()),
            source: source.into(),
            quote: None,
            status: None,
        });
    }

    // Reciprocity: the demand note behind it.
    if let Some(dm) = s.why.reciprocity {
        let n = &d.policy_notes()[dm.note];
        out.push(Reason {
            kind: ReasonKind::Reciprocity,
            text: format!("The Chinese side wants this too: {}", n.text()),
            source: n.sources().first().map(cite).unwrap_or_default(),
            quote: n
                .sources()
                .first()
                .and_then(|s| s.quote())
                .map(str::to_string),
            status: note_status(n, as_of),
        });
    }

    // Evidence: the briefing's own case studies, conclusion and Table 1.
    if comp(Component::Evidence) > 0.0 {
        let in_section = |sec: &str| {
            p.sources()
                .iter()
                .find(move |s| matches!(s.reference(), SourceRef::Section(n) if n == sec))
        };
        let table_1 = || {
            p.sources()
                .iter()
                .find(|s| matches!(s.reference(), SourceRef::Table(1)))
        };
        let reason = match s.why.evidence.grade {
            Evidence::CaseStudy => match (p.is_case_study(), in_section("3.2")) {
                (true, Some(src)) => Some((
                    "A case study of the briefing, among the clusters it finds most interesting for the EU",
                    src,
                )),
                _ => in_section("5").map(|src| ("The briefing's conclusion points to it", src)),
            },
            Evidence::SampleOrganisation => table_1().map(|src| {
                (
                    "Listed in the briefing's sample of cluster organisations by sector",
                    src,
                )
            }),
            // The weaker grades say where the briefing names the partner, so that every
            // evidence part is explained.
            Evidence::Named => p
                .sources()
                .iter()
                .find(|s| matches!(s.reference(), SourceRef::Section(_)))
                .map(|src| ("Named in the briefing's prose, not analysed as a case", src)),
            Evidence::Listed => {
                let table = p
                    .sources()
                    .iter()
                    .find(|s| matches!(s.reference(), SourceRef::Table(_)));
                match table {
                    Some(src) => Some((
                        "Listed in one of the briefing's tables, with no more said of it",
                        src,
                    )),
                    None => p.sources().first().map(|src| {
                        (
                            "Added from your own source, with no case study, table row or mention behind it",
                            src,
                        )
                    }),
                }
            }
        };
        if let Some((text, src)) = reason {
            out.push(Reason {
                kind: ReasonKind::Evidence,
                text: text.into(),
                source: cite(src),
                quote: src.quote().map(str::to_string),
                status: None,
            });
        }
    }

    // Openings the briefing names for this field, region or kind: the most specific few,
    // those whose stated window still runs at `as_of` first, so that an ended plan is not
    // offered as the live opening when a current one applies.
    let ended = |n: &PolicyNote| n.period().is_some_and(|w| w.has_ended(as_of));
    let mut openings: Vec<(bool, usize, &PolicyNote)> = d
        .policy_notes()
        .iter()
        .filter(|n| n.kind() == NoteKind::Opening && note_applies(d, n, r, p))
        .map(|n| (ended(n), specificity(d, n, p), n))
        .collect();
    openings.sort_by(|a, b| {
        a.0.cmp(&b.0)
            .then(b.1.cmp(&a.1))
            .then_with(|| a.2.id().cmp(b.2.id()))
    });
    for (_, _, n) in openings.into_iter().take(MAX_OPENINGS) {
        out.push(Reason {
            kind: ReasonKind::Opening,
            text: n.text().to_string(),
            source: n.sources().first().map(cite).unwrap_or_default(),
            quote: None,
            status: note_status(n, as_of),
        });
    }
    out
}

/// Most openings listed per match.
const MAX_OPENINGS: usize = 3;

/// How specific a note is to a partner: a note on the partner's own narrow sector beats one
/// on a broad field, a regional note beats a national one, and a note on the partner's kind
/// beats a note on everyone.
fn specificity(d: &Dataset, n: &PolicyNote, p: &Partner) -> usize {
    let tax = d.taxonomy();
    let c = n.applies_when();
    let sector = c
        .sectors()
        .iter()
        .filter(|ns| p.sectors().iter().any(|ps| tax.is_within(*ps, **ns)))
        .map(|ns| 2 + tax.get(*ns).depth() as usize)
        .max()
        .unwrap_or(0);
    sector * 4 + 2 * usize::from(!c.macro_regions().is_empty()) + usize::from(!c.kinds().is_empty())
}

/// Why a partner's kind serves a goal, in the briefing's terms, claiming nothing the
/// partner's own ratings contradict.
fn goal_reason(g: Goal, p: &Partner) -> (&'static str, &'static str) {
    use Goal::*;
    let high_tech = p.tech().level() == Level::High;
    match (g, p.kind()) {
        (MarketAccess, Kind::IndustrialCluster) => ("Industrial clusters are market-driven: the briefing calls them the best choice to enter the Chinese market", "Section 3.1"),
        (MarketAccess, Kind::Association) => ("A sector association reaches the clusters' firms", "Table 1"),
        (MarketAccess | BusinessSupport, Kind::SupportService) => ("Helps European firms with regulations and IPR, finding counterparts, sales and distribution", "Section 2.2"),
        (RdCooperation, Kind::SciencePark) => ("Science parks are created to develop local capacity for innovation", "Section 3.1"),
        (RdCooperation | TechnologyTransfer, Kind::ResearchInstitute) => ("A research institute: a direct partner for joint R&D", "Table 3"),
        (TechnologyTransfer, Kind::SciencePark | Kind::EconomicZone) if high_tech => ("Zones and parks bring technology transfer and a high-tech ecosystem", "Section 3.1"),
        (TechnologyTransfer, Kind::SciencePark | Kind::EconomicZone) => ("Zones and parks are built to bring technology transfer", "Section 3.1"),
        (Investment, Kind::EconomicZone | Kind::SciencePark) => ("SEZs and parks are built to attract foreign direct investment", "Section 3.1"),
        (Sourcing, Kind::IndustrialCluster) => ("Production is split among many specialised SMEs in industrial clusters", "Section 3.1"),
        (_, Kind::GovernmentBody) => ("A policy actor: it can open doors, set frameworks and co-fund", "Section 4.1"),
        _ => ("Its kind serves this goal only in part", "Section 3.1"),
    }
}

fn kind_plural(k: Kind) -> &'static str {
    match k {
        Kind::IndustrialCluster => "industrial clusters",
        Kind::SciencePark => "science parks",
        Kind::EconomicZone => "economic zones",
        Kind::Association => "associations",
        Kind::ResearchInstitute => "research institutes",
        Kind::GovernmentBody => "government bodies",
        Kind::SupportService => "support services",
    }
}

/// A basis without its leading "Section 3.2: ", which the reason's source already gives.
fn strip_section(basis: &str) -> &str {
    match basis
        .strip_prefix("Section ")
        .and_then(|rest| rest.split_once(": "))
    {
        Some((num, rest)) if num.chars().all(|c| c.is_ascii_digit() || c == '.') => rest,
        _ => basis,
    }
}

/// The first sentence of a description.
fn first_sentence(s: &str) -> &str {
    match s.find(". ") {
        Some(i) => &s[..=i],
        None => s,
    }
}

fn capitalise(s: &str) -> String {
    let mut c = s.chars();
    match c.next() {
        Some(f) => f.to_uppercase().chain(c).collect(),
        None => String::new(),
    }
}

/// The cautions that apply to one match, each with its window's status at `as_of`.
pub(crate) fn risks(d: &Dataset, r: &ResolvedProfile, p: &Partner, as_of: YearMonth) -> Vec<Risk> {
    d.policy_notes()
        .iter()
        .filter(|n| n.kind() == NoteKind::Caution && note_applies(d, n, r, p))
        .map(|n| risk_of(n, as_of))
        .collect()
}

/// Most intermediaries listed per match.
const MAX_INTERMEDIARIES: usize = 6;
/// How many of the profile's best-scored intermediaries each match lists.
pub(crate) const FIELD_INTERMEDIARIES: usize = 3;

/// Who can broker the contact: the government body of the partner's own province or city
/// (section 5: local authorities act "as a mediator to attract businesses"), then the
/// intermediaries the model scores best for the profile (`helpers`: support services,
/// government bodies and other records whose role is to help, best first), then an EU-China
/// programme of the field and the profile's goals whose window, as the briefing states it,
/// still runs at `as_of` (with its [`programme_status`]).
pub(crate) fn intermediaries(
    d: &Dataset,
    r: &ResolvedProfile,
    s: &Scored,
    helpers: &[Scored],
    as_of: YearMonth,
) -> Vec<Intermediary> {
    let tax = d.taxonomy();
    let p = d.partner(s.partner);
    let wanted = r.sectors();
    let mut out: Vec<Intermediary> = Vec::new();
    let entry = |q: &Partner, why: String| Intermediary {
        id: q.id().to_string(),
        name: q.name().to_string(),
        kind: q.kind().as_str().to_string(),
        why,
        website: q.websites().first().cloned(),
        source: q
            .sources()
            .iter()
            .find(|s| matches!(s.reference(), SourceRef::Table(_)))
            .or(q.sources().first())
            .map(cite)
            .unwrap_or_default(),
        status: None,
    };
    // 1. The government body where the partner is: its city's, else its province's.
    if let Some(pr) = p.province() {
        let city = d.city_of(p);
        let mut local: Vec<&Partner> = d
            .partners()
            .iter()
            .filter(|q| {
                q.kind() == Kind::GovernmentBody && q.province() == Some(pr) && q.id() != p.id()
            })
            .collect();
        // The city's own body first (a municipality), then by id.
        local.sort_by_key(|q| (city.is_none() || d.city_of(q) != city, q.id()));
        if let Some(q) = local.first() {
            let reg = d.regions();
            let of = d
                .city_of(q)
                .map(|c| reg.place(c).name())
                .unwrap_or_else(|| reg.province(pr).name());
            out.push(entry(
                q,
                format!(
                    "The government body of {of}, where the partner is: local authorities act as mediators to attract businesses (section 5)"
                ),
            ));
        }
    }
    // 2. The intermediaries the model scores best for this profile.
    let cross = tax.find("cross_sector");
    for h in helpers.iter().take(FIELD_INTERMEDIARIES) {
        let q = d.partner(h.partner);
        if q.id() == p.id() || out.iter().any(|x| x.id == q.id()) {
            continue;
        }
        let every_field = q.sectors().iter().all(|s| Some(*s) == cross);
        let why = match (q.kind(), every_field) {
            (Kind::SupportService, true) => "A support service for European firms in every sector",
            (Kind::SupportService, false) => "A support or information service of your field",
            (Kind::GovernmentBody, true) => {
                "A policy body for every sector: frameworks, programmes, co-funding"
            }
            (Kind::GovernmentBody, false) => {
                "A policy body of your field: frameworks, programmes, co-funding"
            }
            _ => "A national body that helps reach your field's partners",
        };
        out.push(entry(
            q,
            format!("{why} (scores {:.2} for your profile)", h.score),
        ));
    }
    out.truncate(MAX_INTERMEDIARIES - 1);
    // 4. Programmes of the field and goals that, by the window the briefing states, have
    //    started and not ended at the advice's date.
    let mut progs: Vec<(f64, &crate::dataset::Programme)> = d
        .programmes()
        .iter()
        .filter(|g| g.runs_at(as_of))
        .filter(|g| {
            g.goals().is_empty() || g.goals().iter().any(|x| r.profile().goals().contains(x))
        })
        .map(|g| {
            let c = if g.sectors().is_empty() {
                0.5
            } else {
                wanted
                    .iter()
                    .flat_map(|w| g.sectors().iter().map(move |gs| tax.closeness(*w, *gs)))
                    .fold(0.0, f64::max)
            };
            (c, g)
        })
        .filter(|(c, _)| *c >= 0.5)
        .collect();
    progs.sort_by(|a, b| b.0.total_cmp(&a.0).then_with(|| a.1.id().cmp(b.1.id())));
    if let Some((_, g)) = progs.first() {
        out.push(Intermediary {
            id: g.id().to_string(),
            name: g.name().to_string(),
            kind: "programme".into(),
            why: first_sentence(g.description()).to_string(),
            website: g.websites().first().cloned(),
            source: g.sources().first().map(cite).unwrap_or_default(),
            status: Some(programme_status(g, as_of)),
        });
    }
    out
}

/// Whether a programme runs at `as_of`, as far as the window the briefing states for it
/// tells: the one wording of "who can help" and of a consortium's call.
pub(crate) fn programme_status(g: &Programme, as_of: YearMonth) -> String {
    match g.period() {
        Some((start, Some(end))) if g.ended_by(as_of) => format!(
            "ended {end}: the briefing's window ({start} to {end}) has closed; look for what followed it before applying"
        ),
        Some((start, Some(end))) => format!(
            "runs until {end} by the briefing's window ({start} to {end}), so still at {as_of}"
        ),
        Some((start, None)) => {
            format!("running since {start}; the briefing (2018) states no end: check it still runs")
        }
        None => "the briefing (2018) states no window: check it still runs".to_string(),
    }
}

/// Something said of two or more matches: a reason, a risk or someone who can help, with
/// the ranks of the matches it is said of.
///
/// Serialised flat: the item's own fields plus `ranks`.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Shared<T> {
    /// The item as the first of those matches has it; the text is the same for each of them,
    /// the source may differ (each match keeps its own, see [`Match`](crate::Match)).
    #[serde(flatten)]
    pub item: T,
    /// The ranks of the matches it is said of, ascending.
    pub ranks: Vec<usize>,
}

/// What the recommendation says of the profile's field rather than of one match: every
/// reason, risk and intermediary that the explanation attaches, in the same words, to two
/// or more of the matches (demand notes, sector risks and openings, the field's
/// intermediaries and programmes, and the kind-wide defaults). Each match keeps its full
/// lists; a reader who wants each thing said once reads this block and, under each match,
/// only what is not in it.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct FieldNotes {
    /// Reasons said of several matches.
    pub reasons: Vec<Shared<Reason>>,
    /// Risks said of several matches.
    pub risks: Vec<Shared<Risk>>,
    /// Intermediaries and programmes listed under several matches, with the same reason.
    pub intermediaries: Vec<Shared<Intermediary>>,
}

impl FieldNotes {
    /// Whether `reason`, under any match, is said in this block.
    pub fn has_reason(&self, reason: &Reason) -> bool {
        self.reasons.iter().any(|s| s.item.text == reason.text)
    }

    /// Whether `risk`, under any match, is said in this block.
    pub fn has_risk(&self, risk: &Risk) -> bool {
        self.risks.iter().any(|s| s.item.id == risk.id)
    }

    /// Whether `who`, under any match, is said in this block.
    pub fn has_intermediary(&self, who: &Intermediary) -> bool {
        self.intermediaries
            .iter()
            .any(|s| s.item.id == who.id && s.item.why == who.why)
    }

    /// Whether the block is empty (fewer than two matches, or nothing in common).
    pub fn is_empty(&self) -> bool {
        self.reasons.is_empty() && self.risks.is_empty() && self.intermediaries.is_empty()
    }
}

/// The items of `lists` (one list per match, with its rank) that two or more matches share
/// under `key`, most widely shared first, then in the order they first appear.
pub(crate) fn shared<'a, T: Clone + 'a, K: Ord>(
    lists: impl IntoIterator<Item = (usize, &'a [T])>,
    key: impl Fn(&T) -> K,
) -> Vec<Shared<T>> {
    let mut seen: std::collections::BTreeMap<K, usize> = std::collections::BTreeMap::new();
    let mut out: Vec<Shared<T>> = Vec::new();
    for (rank, list) in lists {
        for item in list {
            let i = *seen.entry(key(item)).or_insert_with(|| {
                out.push(Shared {
                    item: item.clone(),
                    ranks: Vec::new(),
                });
                out.len() - 1
            });
            // An item twice under one match counts once.
            if out[i].ranks.last() != Some(&rank) {
                out[i].ranks.push(rank);
            }
        }
    }
    out.retain(|s| s.ranks.len() >= 2);
    // Stable: equally shared items keep their first-seen order.
    out.sort_by_key(|s| std::cmp::Reverse(s.ranks.len()));
    out
}

/// A profile term and what it resolved to.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ResolvedTerm {
    /// As written.
    pub input: String,
    /// Sector ids, or region names.
    pub resolved: Vec<String>,
    /// How it was matched.
    pub how: String,
}

/// The profile as the recommender understood it.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ProfileSummary {
    /// Name.
    pub name: String,
    /// Country code.
    pub country: String,
    /// Sectors, resolved.
    pub sectors: Vec<ResolvedTerm>,
    /// Keywords that pointed to sectors.
    pub keywords: Vec<ResolvedTerm>,
    /// Keywords that partners' names use for what they make, with those partners' ids.
    pub products: Vec<ResolvedTerm>,
    /// Preferred regions, resolved.
    pub preferred_regions: Vec<ResolvedTerm>,
    /// Tech level.
    pub tech_level: crate::Level,
    /// Tolerance of political control.
    pub control_tolerance: f64,
    /// Goals.
    pub goals: Vec<&'static str>,
}

/// Two partners side by side for one profile: made by [`Recommender::compare`](crate::Recommender::compare).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Comparison {
    /// The first partner.
    pub a: ComparedPartner,
    /// The second partner.
    pub b: ComparedPartner,
    /// The sum of the differences, in component order: `a`'s score minus `b`'s.
    pub gap: f64,
    /// Each component where the two differ, in component order.
    pub differences: Vec<ComponentDifference>,
}

/// One side of a [`Comparison`].
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ComparedPartner {
    /// Its id.
    pub id: String,
    /// Its name.
    pub name: String,
    /// Its rank among every match of the profile; `None` when it is no match.
    pub rank: Option<usize>,
    /// Its rank in words, or why it is not ranked.
    pub standing: String,
    /// Its score.
    pub score: f64,
    /// Its weighted parts.
    pub breakdown: crate::score::PerComponent,
}

/// A component where two partners differ, with what produced each side's part.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ComponentDifference {
    /// The component.
    pub component: Component,
    /// `a`'s weighted part.
    pub a: f64,
    /// `b`'s weighted part.
    pub b: f64,
    /// `a` minus `b`.
    pub difference: f64,
    /// The reasons behind `a`'s part.
    pub a_reasons: Vec<Reason>,
    /// The reasons behind `b`'s part.
    pub b_reasons: Vec<Reason>,
}

/// A partner on the Pareto front of tech level against political control.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ParetoEntry {
    /// The partner's id.
    pub id: String,
    /// Its name.
    pub name: String,
    /// Its kind.
    pub kind: Kind,
    /// Its tech level.
    pub tech: Level,
    /// Its political control.
    pub control: Level,
    /// Its score for this profile.
    pub score: f64,
}

/// The partners, among those close to the profile's sectors (sector component at least
/// 0.5), that no other such partner beats on both counts: higher or equal tech and lower or
/// equal control, better on one. Ordered by tech (high first), then control (low first),
/// then score and id.
///
/// Tech and control take three levels each, so whether a partner is beaten depends only on
/// which of the nine (tech, control) cells are occupied: one pass marks them, one keeps the
/// partners in cells no occupied cell beats. Linear in the partners where comparing every
/// pair is quadratic (a user's 100,000 partners in one field took minutes);
/// [`reference::pareto`](crate::reference::pareto) is that pairwise definition, and the tests
/// hold the two equal.
/// The sector value a partner needs to count on the Pareto front: close to the profile's
/// field, not merely touching it.
pub(crate) const PARETO_MIN_SECTOR: f64 = 0.5;

pub(crate) fn pareto(d: &Dataset, scored: &[Scored]) -> Vec<ParetoEntry> {
    let key = |s: &Scored| {
        let p = d.partner(s.partner);
        (
            usize::from(p.tech().level().rank()),
            usize::from(p.control().level().rank()),
        )
    };
    let relevant = || {
        scored
            .iter()
            .filter(|s| s.components[Component::Sector as usize] >= PARETO_MIN_SECTOR)
    };
    let mut occupied = [[false; 3]; 3];
    for s in relevant() {
        let (t, c) = key(s);
        occupied[t][c] = true;
    }
    // A cell is beaten by an occupied cell with tech at least as high and control at most
    // as high, other than itself.
    let beaten = |t: usize, c: usize| {
        (t..3).any(|tb| (0..=c).any(|cb| (tb, cb) != (t, c) && occupied[tb][cb]))
    };
    let mut front: Vec<&Scored> = relevant()
        .filter(|s| {
            let (t, c) = key(s);
            !beaten(t, c)
        })
        .collect();
    front.sort_by(|a, b| {
        let (ta, ca) = key(a);
        let (tb, cb) = key(b);
        tb.cmp(&ta)
            .then(ca.cmp(&cb))
            .then(b.score.total_cmp(&a.score))
            .then_with(|| d.partner(a.partner).id().cmp(d.partner(b.partner).id()))
    });
    front
        .into_iter()
        .map(|s| {
            let p = d.partner(s.partner);
            ParetoEntry {
                id: p.id().to_string(),
                name: p.name().to_string(),
                kind: p.kind(),
                tech: p.tech().level(),
                control: p.control().level(),
                score: s.score,
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_notes_status_reads_its_window_at_the_advice_date() {
        let d = Dataset::embedded().unwrap();
        let note = |id: &str| d.policy_notes().iter().find(|n| n.id() == id).unwrap();
        let at = |id: &str, month: &str| note_status(note(id), YearMonth::parse(month).unwrap());
        let plan = "strategic_emerging_industries";
        assert_eq!(
            at(plan, "2018-06").as_deref(),
            Some("runs to 2020 by the briefing (13th Five-Year Plan (2016-2020))")
        );
        // "2020" runs through December 2020; "2016" opens in January 2016.
        assert!(at(plan, "2020-12").unwrap().starts_with("runs to 2020"));
        assert_eq!(
            at(plan, "2021-01").as_deref(),
            Some("ended 2020: the briefing's window (2016 to 2020) has closed; check what replaced it")
        );
        assert!(at(plan, "2016-01").unwrap().starts_with("runs to 2020"));
        assert_eq!(
            at(plan, "2015-12").as_deref(),
            Some("starts 2016 by the briefing (13th Five-Year Plan (2016-2020))")
        );
        assert_eq!(
            at("nuclear_expansion", "2031-01").as_deref(),
            Some("ended 2030: the briefing's horizon (2030) has passed; check what replaced it")
        );
        // A note the briefing gives no window has no status, whatever the date.
        assert_eq!(at("solar_wind_european_know_how", "2031-01"), None);
        assert_eq!(at("weak_ipr_protection", "2018-06"), None);
    }
}
