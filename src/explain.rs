//! Step 5 of the data flow: why a partner ranks where it does, what to watch out for, and
//! who can help make the contact; each in the briefing's own words and sections.

use crate::dataset::{
    Dataset, Kind, Level, NoteKind, Partner, PolicyNote, SectorId, Source, SourceRef,
};
use crate::features::FeatureMatrix;
use crate::resolve::{contains_phrase, ResolvedProfile};
use crate::score::{goal_affinity, Component, Query, Scored};
use serde::Serialize;

/// One reason for a match, with the briefing section (or table) behind it.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Reason {
    /// The score component it explains (`sector`, `region`, ...), or `opening` for an
    /// opportunity the briefing names.
    pub component: &'static str,
    /// Plain English.
    pub text: String,
    /// The section or table, e.g. "Section 3.2" or "Table 4, row 48".
    pub source: String,
    /// The briefing's words, where one quote carries the reason.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub quote: Option<String>,
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
    /// The section or table that names it.
    pub source: String,
}

fn cite(s: &Source) -> String {
    s.to_string()
}

/// The source of `p` that best supports `sector` (one naming it in its quote), else the first.
fn best_source<'a>(d: &Dataset, p: &'a Partner, sector: SectorId) -> Option<&'a Source> {
    let s = d.taxonomy().get(sector);
    let words: Vec<String> = std::iter::once(s.label().to_lowercase())
        .chain(s.aliases().iter().map(|a| a.to_lowercase()))
        .chain(s.keywords().iter().cloned())
        .filter(|w| w.len() >= 4)
        .collect();
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
    let org_ok = !c.no_formal_organisation() || !p.has_formal_organisation();
    let region_ok = c.macro_regions().is_empty()
        || d.macro_region_of(p)
            .is_some_and(|m| c.macro_regions().contains(&m));
    sector_ok && topic_ok && kind_ok && control_ok && org_ok && region_ok
}

/// Notes with no condition: the briefing's general cautions, which apply to every match.
pub(crate) fn general_notes(d: &Dataset) -> Vec<Risk> {
    d.policy_notes()
        .iter()
        .filter(|n| n.kind() == NoteKind::Caution)
        .filter(|n| n.applies_when().is_general())
        .map(risk_of)
        .collect()
}

fn risk_of(n: &PolicyNote) -> Risk {
    Risk {
        id: n.id().to_string(),
        title: n.title().to_string(),
        text: n.text().to_string(),
        source: n.sources().first().map(cite).unwrap_or_default(),
    }
}

/// The reasons for one match, strongest first within the fixed component order.
pub(crate) fn reasons(
    d: &Dataset,
    m: &FeatureMatrix,
    q: &Query,
    r: &ResolvedProfile,
    s: &Scored,
) -> Vec<Reason> {
    let tax = d.taxonomy();
    let reg = d.regions();
    let p = d.partner(s.partner);
    let mut out = Vec::new();
    let comp = |c: Component| s.components[c as usize];

    // Sector: the best pair of a profile sector and a partner sector.
    let mut best: Option<(f64, SectorId, SectorId, &str)> = None;
    for e in r.sector_matches().iter().chain(r.keyword_matches()) {
        for w in &e.sectors {
            for ps in p.sectors() {
                let c = tax.closeness(*w, *ps);
                // Ties go to the smallest (sector, partner sector, input), so the reason does
                // not depend on the order the profile lists its sectors in.
                let better = best.is_none_or(|b| {
                    c > b.0 || (c == b.0 && (*w, *ps, e.input.as_str()) < (b.1, b.2, b.3))
                });
                if better {
                    best = Some((c, *w, *ps, e.input.as_str()));
                }
            }
        }
    }
    if let Some((c, w, ps, input)) = best {
        if c > 0.0 {
            let src = best_source(d, p, ps);
            let text = if c >= 1.0 {
                format!(
                    "Works in {} (you asked for \"{input}\")",
                    tax.get(ps).label()
                )
            } else {
                format!(
                    "Works in {}, close to {} (you asked for \"{input}\"; closeness {:.2})",
                    tax.get(ps).label(),
                    tax.get(w).label(),
                    c
                )
            };
            out.push(Reason {
                component: "sector",
                text,
                source: src.map(cite).unwrap_or_default(),
                quote: src.and_then(|s| s.quote()).map(str::to_string),
            });
        }
    }

    // Region.
    let macro_id = d.macro_region_of(p);
    if p.province().is_none() {
        out.push(Reason {
            component: "region",
            text: "A national body: it works across China".into(),
            source: p.sources().first().map(cite).unwrap_or_default(),
            quote: None,
        });
    } else if !r.region_matches().is_empty() {
        if comp(Component::Region) >= 1.0 {
            let mut wanted: Vec<&str> = r
                .region_matches()
                .iter()
                .map(|x| x.input.as_str())
                .collect();
            wanted.sort_unstable();
            let here = d
                .city_of(p)
                .map(|c| reg.place(c).name().to_string())
                .or_else(|| p.province().map(|pr| reg.province(pr).name().to_string()))
                .unwrap_or_default();
            out.push(Reason {
                component: "region",
                text: format!(
                    "Located in {here}, within the regions you prefer ({})",
                    wanted.join(", ")
                ),
                source: "Section 3.1".into(),
                quote: None,
            });
        } else if comp(Component::Region) > 0.0 {
            let mr = macro_id
                .map(|m| reg.macro_region(m).name())
                .unwrap_or_default();
            out.push(Reason {
                component: "region",
                text: format!("Not in a region you prefer, but nearby: in the {mr}"),
                source: "Section 3.1".into(),
                quote: None,
            });
        }
    } else if let Some(mid) = macro_id {
        let mr = reg.macro_region(mid);
        let wanted = r.sectors();
        let strong = mr
            .strengths()
            .iter()
            .copied()
            .filter(|st| wanted.iter().any(|w| tax.closeness(*w, *st) >= 0.7))
            .map(|st| tax.get(st).label().to_lowercase())
            .collect::<Vec<_>>();
        if !strong.is_empty() {
            let src = mr.sources().first();
            out.push(Reason {
                component: "region",
                text: format!("{} is strong in {}", mr.name(), strong.join(", ")),
                source: src.map(cite).unwrap_or_else(|| "Section 3.1".into()),
                quote: src.and_then(|s| s.quote()).map(str::to_string),
            });
        }
    }

    // Tech and control, with their basis.
    // Section 3.1 characterises clusters, parks and zones, and casts government bodies as
    // the policy actors; the other kinds' defaults are the crate's, and the text says so.
    let characterised = matches!(
        p.kind(),
        Kind::IndustrialCluster | Kind::SciencePark | Kind::EconomicZone | Kind::GovernmentBody
    );
    let kind_basis = |what: &str, l: Level| {
        if characterised {
            format!(
                "{} {what}, as section 3.1 characterises {}",
                capitalise(l.as_str()),
                kind_plural(p.kind())
            )
        } else {
            format!(
                "{} {what}: the default for {}, which the briefing does not rate",
                capitalise(l.as_str()),
                kind_plural(p.kind())
            )
        }
    };
    let default_source = if characterised {
        "Section 3.1"
    } else {
        "crate default"
    };
    let tech = p.tech();
    out.push(Reason {
        component: "tech",
        text: match tech.basis() {
            Some((b, _)) => format!(
                "{} tech: {}",
                capitalise(tech.level().as_str()),
                strip_section(b)
            ),
            None => kind_basis("tech", tech.level()),
        },
        source: tech
            .basis()
            .map(|(_, s)| s.to_string())
            .unwrap_or_else(|| default_source.into()),
        quote: None,
    });
    let control = p.control();
    let tol = r.profile().control_tolerance();
    out.push(Reason {
        component: "control",
        text: format!(
            "{}; at your tolerance of {tol} this keeps {:.2} of the control score",
            match control.basis() {
                Some((b, _)) => format!(
                    "{} political control: {}",
                    capitalise(control.level().as_str()),
                    strip_section(b)
                ),
                None => kind_basis("political control", control.level()),
            },
            comp(Component::Control)
        ),
        source: control
            .basis()
            .map(|(_, s)| s.to_string())
            .unwrap_or_else(|| default_source.into()),
        quote: None,
    });

    // Goal: the goal this kind serves best.
    if let Some(g) = r
        .profile()
        .goals()
        .iter()
        .copied()
        .max_by(|a, b| goal_affinity(*a, p.kind()).total_cmp(&goal_affinity(*b, p.kind())))
    {
        let (text, source) = goal_reason(g, p.kind());
        out.push(Reason {
            component: "goal",
            text: format!(
                "{text} (serves {} at {:.1})",
                g.as_str(),
                goal_affinity(g, p.kind())
            ),
            source: source.into(),
            quote: None,
        });
    }

    // Reciprocity: the demand note behind it.
    let row = m.matrix().row(s.partner.index());
    if let Some(dm) = q
        .demand
        .iter()
        .filter(|dm| dm.value(&row) > 0.0)
        .max_by(|a, b| a.value(&row).total_cmp(&b.value(&row)))
    {
        let n = &d.policy_notes()[dm.note];
        out.push(Reason {
            component: "reciprocity",
            text: format!("The Chinese side wants this too: {}", n.text()),
            source: n.sources().first().map(cite).unwrap_or_default(),
            quote: n
                .sources()
                .first()
                .and_then(|s| s.quote())
                .map(str::to_string),
        });
    }

    // Evidence: the briefing's own case studies and conclusion.
    let in_section = |sec: &str| {
        p.sources()
            .iter()
            .find(move |s| matches!(s.reference(), SourceRef::Section(n) if n == sec))
    };
    if comp(Component::Evidence) > 0.0 {
        if let (true, Some(src)) = (p.is_case_study(), in_section("3.2")) {
            out.push(Reason {
                component: "evidence",
                text: "A case study of the briefing, among the clusters it finds most interesting for the EU".into(),
                source: cite(src),
                quote: src.quote().map(str::to_string),
            });
        } else if let Some(src) = in_section("5") {
            out.push(Reason {
                component: "evidence",
                text: "The briefing's conclusion points to it".into(),
                source: cite(src),
                quote: src.quote().map(str::to_string),
            });
        } else if let Some(src) = p
            .sources()
            .iter()
            .find(|s| matches!(s.reference(), SourceRef::Table(1)))
        {
            out.push(Reason {
                component: "evidence",
                text: "Listed in the briefing's sample of cluster organisations by sector".into(),
                source: cite(src),
                quote: None,
            });
        }
    }

    // Openings the briefing names for this field, region or kind: the most specific few.
    let mut openings: Vec<(usize, &PolicyNote)> = d
        .policy_notes()
        .iter()
        .filter(|n| n.kind() == NoteKind::Opening && note_applies(d, n, r, p))
        .map(|n| (specificity(d, n, p), n))
        .collect();
    openings.sort_by(|a, b| b.0.cmp(&a.0).then_with(|| a.1.id().cmp(b.1.id())));
    for (_, n) in openings.into_iter().take(MAX_OPENINGS) {
        out.push(Reason {
            component: "opening",
            text: n.text().to_string(),
            source: n.sources().first().map(cite).unwrap_or_default(),
            quote: None,
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

fn goal_reason(g: crate::dataset::Goal, k: Kind) -> (&'static str, &'static str) {
    use crate::dataset::Goal::*;
    match (g, k) {
        (MarketAccess, Kind::IndustrialCluster) => ("Industrial clusters are market-driven: the briefing calls them the best choice to enter the Chinese market", "Section 3.1"),
        (MarketAccess, Kind::Association) => ("A sector association reaches the clusters' firms", "Table 1"),
        (MarketAccess, Kind::SupportService) => ("Helps European firms find counterparts, sales and distribution", "Section 2.2"),
        (RdCooperation, Kind::SciencePark) => ("Science parks are created to develop local capacity for innovation", "Section 3.1"),
        (RdCooperation | TechnologyTransfer, Kind::ResearchInstitute) => ("A research institute: a direct partner for joint R&D", "Table 3"),
        (TechnologyTransfer, Kind::SciencePark | Kind::EconomicZone) => ("Zones and parks bring technology transfer and a high-tech ecosystem", "Section 3.1"),
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

/// The cautions that apply to one match.
pub(crate) fn risks(d: &Dataset, r: &ResolvedProfile, p: &Partner) -> Vec<Risk> {
    d.policy_notes()
        .iter()
        .filter(|n| n.kind() == NoteKind::Caution && note_applies(d, n, r, p))
        .map(risk_of)
        .collect()
}

/// Most intermediaries listed per match.
const MAX_INTERMEDIARIES: usize = 6;

/// Who can broker the contact: the provincial body of the partner's province, the
/// associations and support services of the same field, then cross-sector support services,
/// then EU-China programmes of the field and the profile's goals that were still running
/// when the briefing was written (2018).
pub(crate) fn intermediaries(d: &Dataset, r: &ResolvedProfile, s: &Scored) -> Vec<Intermediary> {
    let tax = d.taxonomy();
    let p = d.partner(s.partner);
    let wanted = r.sectors();
    let cross = tax.find("cross_sector");
    let closeness_to_profile = |q: &Partner| -> f64 {
        wanted
            .iter()
            .flat_map(|w| q.sectors().iter().map(move |qs| (w, qs)))
            .filter(|(_, qs)| Some(**qs) != cross)
            .map(|(w, qs)| tax.closeness(*w, *qs))
            .fold(0.0, f64::max)
    };
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
    };
    // 1. The provincial or municipal body where the partner is.
    if let Some(pr) = p.province() {
        let mut local: Vec<&Partner> = d
            .partners()
            .iter()
            .filter(|q| {
                q.kind() == Kind::GovernmentBody && q.province() == Some(pr) && q.id() != p.id()
            })
            .collect();
        local.sort_by(|a, b| a.id().cmp(b.id()));
        if let Some(q) = local.first() {
            out.push(entry(
                q,
                format!(
                    "The government body for {} in Table 3's list of contacts",
                    d.regions().province(pr).name()
                ),
            ));
        }
    }
    // 2. Associations and support services of the field, closest first.
    let mut field: Vec<(f64, &Partner)> = d
        .partners()
        .iter()
        .filter(|q| {
            matches!(q.kind(), Kind::Association | Kind::SupportService) && q.id() != p.id()
        })
        .map(|q| (closeness_to_profile(q), q))
        .filter(|(c, _)| *c >= 0.7)
        .collect();
    field.sort_by(|a, b| b.0.total_cmp(&a.0).then_with(|| a.1.id().cmp(b.1.id())));
    for (_, q) in field.into_iter().take(3) {
        let what = if q.kind() == Kind::Association {
            "An association"
        } else {
            "A support service"
        };
        out.push(entry(q, format!("{what} of your field")));
    }
    // 3. Support services for every sector.
    let mut general: Vec<&Partner> = d
        .partners()
        .iter()
        .filter(|q| {
            q.kind() == Kind::SupportService && q.sectors().iter().any(|s| Some(*s) == cross)
        })
        .collect();
    general.sort_by(|a, b| a.id().cmp(b.id()));
    for q in general.into_iter().take(2) {
        out.push(entry(
            q,
            "Helps European SMEs in China in every sector".into(),
        ));
    }
    out.truncate(MAX_INTERMEDIARIES - 1);
    // 4. Programmes of the field and goals, running in 2018.
    let mut progs: Vec<(f64, &crate::Programme)> = d
        .programmes()
        .iter()
        .filter(|g| {
            g.period()
                .is_none_or(|(_, end)| end.is_none_or(|e| e >= "2018"))
        })
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
        });
    }
    out
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
pub(crate) fn pareto(d: &Dataset, scored: &[Scored]) -> Vec<ParetoEntry> {
    let relevant: Vec<&Scored> = scored
        .iter()
        .filter(|s| s.components[Component::Sector as usize] >= 0.5)
        .collect();
    let key = |s: &Scored| {
        let p = d.partner(s.partner);
        (p.tech().level().rank(), p.control().level().rank())
    };
    let mut front: Vec<&Scored> = relevant
        .iter()
        .copied()
        .filter(|a| {
            let (ta, ca) = key(a);
            !relevant.iter().any(|b| {
                let (tb, cb) = key(b);
                tb >= ta && cb <= ca && (tb > ta || cb < ca)
            })
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
