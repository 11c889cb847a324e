//! Step 4 of the data flow: a resolved profile as a query, scored against every row of the
//! feature matrix in one pass, ranked, filtered and cut to the top k.
//!
//! The score is a weighted sum of seven named [`Component`]s, each in [0, 1]; the weights
//! are normalised to sum to 1, so the score is in [0, 1] too.

use crate::dataset::Goal;
use crate::dataset::{
    Dataset, Kind, Level, MacroRegionId, NoteKind, PartnerIndex, ProvinceId, RegionRef, SectorId,
};
use crate::features::{level_index, FeatureMatrix, Layout};
use crate::resolve::ResolvedProfile;
use crate::{Error, Result};
use ndarray::ArrayView1;
use serde::Serialize;
use std::cmp::Ordering;

/// A named part of the score.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Component {
    /// Closeness of the profile's sectors and keywords to the partner's, through the
    /// taxonomy's hierarchy ([`Taxonomy::closeness`](crate::Taxonomy::closeness)): the mean over
    /// the profile's `sectors` entries of the best closeness each finds, blended 3:1 with the
    /// same mean over its keywords when it has any.
    Sector,
    /// With preferred regions: 1 inside one (macro-region, province or place), 0.5 for a
    /// partner in the province of a preferred place, 0.4 in the macro-region of a preferred
    /// province, 0.3 in the macro-region of a preferred place, 0.5 for national bodies,
    /// 0 elsewhere. Without: how strong the partner's macro-region is in the profile's
    /// sectors by section 3.1 (0.3 plus 0.7 times the best closeness of a regional strength);
    /// national bodies reach every region and get the mean of the regions, at least 0.5.
    Region,
    /// Fit of the partner's tech level to the profile's, averaged over the goals: R&D
    /// cooperation and technology transfer want a partner at or above the profile's level
    /// (each level short costs 0.5); market access, sourcing and investment tolerate a gap
    /// (0.2 per level below, 0.15 per level above).
    Tech,
    /// Section 3.1's trade-off: `1 - control * (1 - control_tolerance)`, with control 0,
    /// 0.5, 1 for low, medium, high. At tolerance 1 control costs nothing.
    Control,
    /// How well the partner's kind serves the profile's goals, as the briefing argues it
    /// (see [`goal_affinity`]), averaged over the goals.
    Goal,
    /// How much the Chinese side seeks what the cluster brings: the strongest demand note
    /// (sections 2.3 and 4; high 1.0, medium 0.6) on one of the profile's sectors or
    /// keywords, times the partner's closeness to that sector (and, for a note limited to a
    /// macro-region, only for partners there). 0 when the briefing records no demand.
    Reciprocity,
    /// How much the briefing itself points to the partner (a section 3.2 case study or a
    /// partner named in the conclusion, a Table 1 organisation, a prose mention, or a table
    /// row only), times the closeness of the
    /// profile's sectors to the partner's main field, averaged over the `sectors` entries.
    Evidence,
}

impl Component {
    /// All components, in the order of breakdowns.
    pub const ALL: [Component; 7] = [
        Component::Sector,
        Component::Region,
        Component::Tech,
        Component::Control,
        Component::Goal,
        Component::Reciprocity,
        Component::Evidence,
    ];

    /// The name used in output, e.g. `sector`.
    pub fn as_str(self) -> &'static str {
        match self {
            Component::Sector => "sector",
            Component::Region => "region",
            Component::Tech => "tech",
            Component::Control => "control",
            Component::Goal => "goal",
            Component::Reciprocity => "reciprocity",
            Component::Evidence => "evidence",
        }
    }
}

/// The weight of each component. Any non-negative finite values with a positive sum; they
/// are normalised to sum to 1.
///
/// The default puts sector fit first (0.35): a partner in another field is no partner.
/// Tech, control and goal (0.12, 0.13, 0.13) carry the briefing's trade-off between
/// high-tech, policy-dependent parks and zones and cooperation-oriented, low-tech clusters.
/// Region (0.10) matters most when the profile names regions. Reciprocity (0.09) lifts
/// matches the Chinese side wants too; evidence (0.08) lifts the partners the briefing
/// itself analyses.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, serde::Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct Weights {
    /// [`Component::Sector`].
    pub sector: f64,
    /// [`Component::Region`].
    pub region: f64,
    /// [`Component::Tech`].
    pub tech: f64,
    /// [`Component::Control`].
    pub control: f64,
    /// [`Component::Goal`].
    pub goal: f64,
    /// [`Component::Reciprocity`].
    pub reciprocity: f64,
    /// [`Component::Evidence`].
    pub evidence: f64,
}

impl Default for Weights {
    fn default() -> Weights {
        Weights {
            sector: 0.35,
            region: 0.10,
            tech: 0.12,
            control: 0.13,
            goal: 0.13,
            reciprocity: 0.09,
            evidence: 0.08,
        }
    }
}

impl Weights {
    /// The weights in [`Component::ALL`] order.
    pub fn as_array(&self) -> [f64; 7] {
        [
            self.sector,
            self.region,
            self.tech,
            self.control,
            self.goal,
            self.reciprocity,
            self.evidence,
        ]
    }

    /// The weight of one component.
    pub fn get(&self, c: Component) -> f64 {
        self.as_array()[c as usize]
    }

    /// Sets the weight of one component.
    pub fn set(&mut self, c: Component, w: f64) {
        match c {
            Component::Sector => self.sector = w,
            Component::Region => self.region = w,
            Component::Tech => self.tech = w,
            Component::Control => self.control = w,
            Component::Goal => self.goal = w,
            Component::Reciprocity => self.reciprocity = w,
            Component::Evidence => self.evidence = w,
        }
    }

    /// The weights normalised to sum to 1.
    ///
    /// # Errors
    ///
    /// [`Error::Option`] naming the weight when one is negative, NaN or infinite, or when
    /// all are zero.
    pub fn normalized(&self) -> Result<[f64; 7]> {
        let w = self.as_array();
        for (c, v) in Component::ALL.iter().zip(w) {
            if !v.is_finite() || v < 0.0 {
                return Err(Error::Option {
                    option: format!("weights.{}", c.as_str()),
                    message: format!("{v} is not a finite, non-negative number"),
                });
            }
        }
        let sum: f64 = w.iter().sum();
        if !sum.is_finite() {
            return Err(Error::Option {
                option: "weights".into(),
                message: "the weights are too large to add up; scale them down".into(),
            });
        }
        if sum <= 0.0 {
            return Err(Error::Option {
                option: "weights".into(),
                message: "all weights are zero; give at least one a positive value".into(),
            });
        }
        Ok(w.map(|v| v / sum))
    }
}

/// How well a partner of `kind` serves `goal`, in [0, 1], as the briefing argues it.
///
/// - Market access: "The clusters make the best choice to enter the Chinese market" (3.1):
///   industrial clusters 1.0; associations 0.8 (Table 1's cluster organisations reach the
///   members); support services 0.7 (the IPR SME Helpdesk helps with "searching for
///   counterparts, or sales and distribution", 2.2); economic zones 0.6 ("stronger links to
///   the global market", 3.1); science parks 0.4; government bodies 0.3; institutes 0.2.
/// - R&D cooperation: science parks exist "for developing local capacity for innovation"
///   (3.1) and institutes do research: 1.0; associations (learned societies), government
///   bodies (MoST "supports R&D", 2.3.4) and zones 0.5; support services 0.4; industrial
///   clusters 0.3 (policy helps them with "R&D activities", 3.1, but they are low-tech).
/// - Technology transfer: science parks and institutes 0.9; zones 0.8 (SEZs bring
///   "technology transfer", 3.1); clusters, associations, support services 0.5 (the IPR
///   Helpdesk); government bodies 0.4.
/// - Sourcing: industrial clusters 1.0 (production split among many SMEs, 3.1); zones 0.6
///   (export-oriented production); associations 0.5; support services 0.4; parks 0.3;
///   government bodies and institutes 0.1.
/// - Investment: zones 1.0 ("SEZs are mainly aimed at attracting FDI", 3.1); parks 0.8
///   ("driven by FDI"); clusters and government bodies 0.6 (NDRC "leads ... public
///   investment", 2.3.4; joint ventures, 5); support services 0.5; associations 0.4;
///   institutes 0.2.
pub fn goal_affinity(goal: Goal, kind: Kind) -> f64 {
    use Kind::*;
    match (goal, kind) {
        (Goal::MarketAccess, IndustrialCluster) => 1.0,
        (Goal::MarketAccess, Association) => 0.8,
        (Goal::MarketAccess, SupportService) => 0.7,
        (Goal::MarketAccess, EconomicZone) => 0.6,
        (Goal::MarketAccess, SciencePark) => 0.4,
        (Goal::MarketAccess, GovernmentBody) => 0.3,
        (Goal::MarketAccess, ResearchInstitute) => 0.2,
        (Goal::RdCooperation, SciencePark | ResearchInstitute) => 1.0,
        (Goal::RdCooperation, Association | GovernmentBody | EconomicZone) => 0.5,
        (Goal::RdCooperation, SupportService) => 0.4,
        (Goal::RdCooperation, IndustrialCluster) => 0.3,
        (Goal::TechnologyTransfer, SciencePark | ResearchInstitute) => 0.9,
        (Goal::TechnologyTransfer, EconomicZone) => 0.8,
        (Goal::TechnologyTransfer, IndustrialCluster | Association | SupportService) => 0.5,
        (Goal::TechnologyTransfer, GovernmentBody) => 0.4,
        (Goal::Sourcing, IndustrialCluster) => 1.0,
        (Goal::Sourcing, EconomicZone) => 0.6,
        (Goal::Sourcing, Association) => 0.5,
        (Goal::Sourcing, SupportService) => 0.4,
        (Goal::Sourcing, SciencePark) => 0.3,
        (Goal::Sourcing, GovernmentBody | ResearchInstitute) => 0.1,
        (Goal::Investment, EconomicZone) => 1.0,
        (Goal::Investment, SciencePark) => 0.8,
        (Goal::Investment, IndustrialCluster | GovernmentBody) => 0.6,
        (Goal::Investment, SupportService) => 0.5,
        (Goal::Investment, Association) => 0.4,
        (Goal::Investment, ResearchInstitute) => 0.2,
    }
}

/// Tech fit of a partner at `partner` for a profile at `profile` pursuing `goal`.
pub fn tech_fit(goal: Goal, profile: Level, partner: Level) -> f64 {
    let (p, t) = (f64::from(profile.rank()), f64::from(partner.rank()));
    let demanding = matches!(goal, Goal::RdCooperation | Goal::TechnologyTransfer);
    if t >= p {
        if demanding {
            1.0
        } else {
            1.0 - 0.15 * (t - p)
        }
    } else if demanding {
        1.0 - 0.5 * (p - t)
    } else {
        1.0 - 0.2 * (p - t)
    }
}

/// Control score of a partner under `control` for a profile with `tolerance`.
pub fn control_fit(tolerance: f64, control: Level) -> f64 {
    1.0 - crate::features::level_value(control) * (1.0 - tolerance)
}

/// Partner filters, applied before ranking. Empty lists filter nothing.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Filter {
    /// Keep only these kinds.
    pub kinds: Vec<Kind>,
    /// Keep only partners in these macro-regions (ids or names, e.g. `bohai_rim`, `PRD`).
    pub macro_regions: Vec<String>,
    /// Keep only partners in these provinces (ids or names).
    pub provinces: Vec<String>,
    /// Keep only scores at or above this, in [0, 1].
    pub min_score: f64,
}

/// Caps that stop one city or one kind from filling the whole list. `None` is no cap.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Diversity {
    /// At most this many matches from one city (prefecture or municipality).
    pub max_per_city: Option<usize>,
    /// At most this many matches of one kind.
    pub max_per_kind: Option<usize>,
}

/// Options of a recommendation.
#[derive(Debug, Clone, PartialEq)]
pub struct Options {
    /// How many matches to return (10 by default).
    pub top_k: usize,
    /// Component weights.
    pub weights: Weights,
    /// Filters applied before ranking.
    pub filter: Filter,
    /// Caps per city and kind.
    pub diversity: Diversity,
}

impl Default for Options {
    fn default() -> Options {
        Options {
            top_k: 10,
            weights: Weights::default(),
            filter: Filter::default(),
            diversity: Diversity::default(),
        }
    }
}

/// The query built from a resolved profile: everything scoring needs, as column indices and
/// small lookup tables, so that scoring a row does no string work.
#[derive(Debug, Clone)]
pub(crate) struct Query {
    /// Sector columns per `sectors` entry.
    pub entries: Vec<Vec<usize>>,
    /// Sector columns per resolved keyword.
    pub keywords: Vec<Vec<usize>>,
    /// Evidence columns per `sectors` entry.
    pub evidence: Vec<Vec<usize>>,
    /// What the Chinese side seeks of what the profile brings.
    pub demand: Vec<Demand>,
    /// (column, weight) of preferred regions; empty when the profile prefers none.
    pub region_prefs: Vec<(usize, f64)>,
    /// Region score per macro-region when the profile prefers none.
    pub macro_strength: Vec<f64>,
    /// Region score of national bodies when the profile prefers regions.
    pub national: f64,
    /// Region score of national bodies when it prefers none: they reach every region, so
    /// the mean strength of the regions, and at least the neutral 0.5.
    pub national_strength: f64,
    /// Tech score by partner tech level (low, medium, high).
    pub tech: [f64; 3],
    /// Control score by partner control level.
    pub control: [f64; 3],
    /// Goal score by kind, in [`Kind::ALL`] order.
    pub goal: [f64; 7],
}

/// One way the Chinese side seeks what the profile brings: a demand note on one of the
/// profile's sectors (or a sector above it), optionally only in one macro-region.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Demand {
    /// The sector column of the profile's sector.
    pub col: usize,
    /// High 1.0, medium 0.6.
    pub strength: f64,
    /// The macro-region column the note is limited to, if any.
    pub macro_col: Option<usize>,
    /// The note's index in [`Dataset::policy_notes`].
    pub note: usize,
}

impl Demand {
    pub(crate) fn value(&self, row: &ArrayView1<f64>) -> f64 {
        self.strength * row[self.col] * self.macro_col.map_or(1.0, |c| row[c])
    }
}

/// Every demand note that bears on one of `brought`, as [`Demand`] entries.
fn demands(d: &Dataset, l: &Layout, brought: &[SectorId]) -> Vec<Demand> {
    let tax = d.taxonomy();
    let mut out = Vec::new();
    for (i, n) in d.policy_notes().iter().enumerate() {
        if n.kind() != NoteKind::Demand {
            continue;
        }
        let strength = match n.strength() {
            Some(Level::High) => 1.0,
            _ => 0.6,
        };
        for s in brought {
            if n.applies_when()
                .sectors()
                .iter()
                .any(|ns| tax.is_within(*s, *ns))
            {
                let col = l.sectors.start + s.index();
                let regions = n.applies_when().macro_regions();
                if regions.is_empty() {
                    out.push(Demand {
                        col,
                        strength,
                        macro_col: None,
                        note: i,
                    });
                }
                for mr in regions {
                    out.push(Demand {
                        col,
                        strength,
                        macro_col: Some(l.macro_regions.start + mr.index()),
                        note: i,
                    });
                }
            }
        }
    }
    out
}

/// Region weights of preferred regions.
pub(crate) const IN_PREFERRED: f64 = 1.0;
pub(crate) const PLACE_SAME_PROVINCE: f64 = 0.5;
pub(crate) const PROVINCE_SAME_MACRO: f64 = 0.4;
pub(crate) const PLACE_SAME_MACRO: f64 = 0.3;
pub(crate) const NATIONAL_REGION: f64 = 0.5;

impl Query {
    pub(crate) fn new(d: &Dataset, l: &Layout, r: &ResolvedProfile) -> Query {
        // Canonical order: the sums below then do not depend on how the profile lists things.
        let cols = |groups: Vec<Vec<SectorId>>, start: usize| -> Vec<Vec<usize>> {
            groups
                .into_iter()
                .map(|g| g.into_iter().map(|s| start + s.index()).collect())
                .collect()
        };
        let entries = cols(r.sector_groups(), l.sectors.start);
        let keywords = cols(r.keyword_groups(), l.sectors.start);
        let evidence = cols(r.sector_groups(), l.evidence_sectors.start);
        let mut brought = r.sectors();
        brought.extend(r.keyword_sectors());
        brought.sort();
        brought.dedup();
        let demand = demands(d, l, &brought);
        let reg = d.regions();
        let mut prefs: Vec<(usize, f64)> = Vec::new();
        let mut add = |c: usize, w: f64| match prefs.iter_mut().find(|(pc, _)| *pc == c) {
            Some(e) => e.1 = e.1.max(w),
            None => prefs.push((c, w)),
        };
        let macro_col = |m: MacroRegionId| l.macro_regions.start + m.index();
        let prov_col = |p: ProvinceId| l.provinces.start + p.index();
        for rr in r.regions() {
            match rr {
                RegionRef::Macro(m) => add(macro_col(m), IN_PREFERRED),
                RegionRef::Province(p) => {
                    add(prov_col(p), IN_PREFERRED);
                    add(
                        macro_col(reg.province(p).macro_region()),
                        PROVINCE_SAME_MACRO,
                    );
                }
                RegionRef::Place(p) => {
                    add(l.places.start + p.index(), IN_PREFERRED);
                    let pr = reg.place(p).province();
                    add(prov_col(pr), PLACE_SAME_PROVINCE);
                    add(macro_col(reg.province(pr).macro_region()), PLACE_SAME_MACRO);
                }
            }
        }
        prefs.sort_by_key(|p| p.0);
        let tax = d.taxonomy();
        let wanted = r.sectors();
        let macro_strength: Vec<f64> = reg
            .macro_regions()
            .iter()
            .map(|m| {
                let best = m
                    .strengths()
                    .iter()
                    .flat_map(|st| wanted.iter().map(move |w| (w, st)))
                    .map(|(w, st)| tax.closeness(*w, *st))
                    .fold(0.0, f64::max);
                0.3 + 0.7 * best
            })
            .collect();
        let p = r.profile();
        let goals = p.goals();
        let n = goals.len() as f64;
        let levels = [Level::Low, Level::Medium, Level::High];
        let tech = levels.map(|t| {
            goals
                .iter()
                .map(|g| tech_fit(*g, p.tech_level(), t))
                .sum::<f64>()
                / n
        });
        let control = levels.map(|c| control_fit(p.control_tolerance(), c));
        let goal = Kind::ALL.map(|k| goals.iter().map(|g| goal_affinity(*g, k)).sum::<f64>() / n);
        Query {
            entries,
            keywords,
            evidence,
            demand,
            region_prefs: prefs,
            national_strength: NATIONAL_REGION
                .max(macro_strength.iter().sum::<f64>() / macro_strength.len().max(1) as f64),
            macro_strength,
            national: NATIONAL_REGION,
            tech,
            control,
            goal,
        }
    }
}

/// Mean over groups of the best column value in each group.
fn mean_of_max(row: &ArrayView1<f64>, groups: &[Vec<usize>]) -> f64 {
    if groups.is_empty() {
        return 0.0;
    }
    let total: f64 = groups
        .iter()
        .map(|g| g.iter().map(|c| row[*c]).fold(0.0, f64::max))
        .sum();
    total / groups.len() as f64
}

/// The seven component values of one row, in [`Component::ALL`] order.
pub(crate) fn components(q: &Query, l: &Layout, row: ArrayView1<f64>) -> [f64; 7] {
    let entry = mean_of_max(&row, &q.entries);
    let sector = if q.keywords.is_empty() {
        entry
    } else {
        0.75 * entry + 0.25 * mean_of_max(&row, &q.keywords)
    };
    let region = if row[l.national] > 0.0 {
        if q.region_prefs.is_empty() {
            q.national_strength
        } else {
            q.national
        }
    } else if q.region_prefs.is_empty() {
        l.macro_regions
            .clone()
            .zip(&q.macro_strength)
            .map(|(c, s)| row[c] * s)
            .sum()
    } else {
        q.region_prefs
            .iter()
            .map(|(c, w)| row[*c] * w)
            .fold(0.0, f64::max)
    };
    let tech = q.tech[level_index(row[l.tech])];
    let control = q.control[level_index(row[l.control])];
    let goal = l.kinds.clone().zip(&q.goal).map(|(c, g)| row[c] * g).sum();
    let reciprocity = q.demand.iter().map(|dm| dm.value(&row)).fold(0.0, f64::max);
    let evidence = mean_of_max(&row, &q.evidence);
    [sector, region, tech, control, goal, reciprocity, evidence].map(|v: f64| v.clamp(0.0, 1.0))
}

/// Weighted parts that sum to the score, and the score. The parts are summed in
/// [`Component::ALL`] order; should rounding carry the sum a hair above 1, the largest part
/// gives the excess back, so the score stays in [0, 1] and still equals the sum of its parts.
pub(crate) fn combine(weights: &[f64; 7], comps: &[f64; 7]) -> ([f64; 7], f64) {
    let mut parts = [0.0; 7];
    for i in 0..7 {
        parts[i] = weights[i] * comps[i];
    }
    let mut score: f64 = parts.iter().sum();
    if score > 1.0 {
        let (imax, _) =
            parts.iter().enumerate().fold(
                (0, f64::MIN),
                |a, (i, v)| if *v > a.1 { (i, *v) } else { a },
            );
        parts[imax] -= score - 1.0;
        score = parts.iter().sum();
        if score > 1.0 {
            parts[imax] = (parts[imax] - f64::EPSILON).max(0.0);
            score = parts.iter().sum();
        }
    }
    (parts, score)
}

/// One scored partner, before explanation.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Scored {
    pub partner: PartnerIndex,
    pub score: f64,
    pub components: [f64; 7],
    pub parts: [f64; 7],
}

/// Descending score, then ascending id: the order of every ranking.
pub(crate) fn rank_order(d: &Dataset) -> impl Fn(&Scored, &Scored) -> Ordering + '_ {
    move |a, b| {
        b.score
            .total_cmp(&a.score)
            .then_with(|| d.partner(a.partner).id().cmp(d.partner(b.partner).id()))
    }
}

/// The filter with its names resolved to ids.
#[derive(Debug, Clone, Default)]
pub(crate) struct ResolvedFilter {
    kinds: Vec<Kind>,
    macro_regions: Vec<MacroRegionId>,
    provinces: Vec<ProvinceId>,
    min_score: f64,
}

impl ResolvedFilter {
    pub(crate) fn new(d: &Dataset, f: &Filter) -> Result<ResolvedFilter> {
        let reg = d.regions();
        let mut macro_regions = Vec::new();
        for (i, name) in f.macro_regions.iter().enumerate() {
            let m = reg.find_macro_region(name).or_else(|| {
                reg.lookup(name).and_then(|v| match v {
                    [RegionRef::Macro(m)] => Some(*m),
                    _ => None,
                })
            });
            macro_regions.push(m.ok_or_else(|| Error::Option {
                option: format!("filter.macro_regions[{i}]"),
                message: format!(
                    "`{name}` is not a macro-region; they are {}",
                    reg.macro_regions().iter().map(|m| m.id()).collect::<Vec<_>>().join(", ")
                ),
            })?);
        }
        let mut provinces = Vec::new();
        for (i, name) in f.provinces.iter().enumerate() {
            let p = reg.find_province(name).or_else(|| {
                reg.lookup(name).and_then(|v| match v {
                    [RegionRef::Province(p)] => Some(*p),
                    _ => None,
                })
            });
            provinces.push(p.ok_or_else(|| Error::Option {
                option: format!("filter.provinces[{i}]"),
                message: format!("`{name}` is not a province"),
            })?);
        }
        if !(f.min_score.is_finite() && (0.0..=1.0).contains(&f.min_score)) {
            return Err(Error::Option {
                option: "filter.min_score".into(),
                message: format!("{} is not between 0 and 1", f.min_score),
            });
        }
        Ok(ResolvedFilter {
            kinds: f.kinds.clone(),
            macro_regions,
            provinces,
            min_score: f.min_score,
        })
    }

    /// Whether a partner passes the kind and region filters (the score is checked apart).
    pub(crate) fn admits(&self, d: &Dataset, i: PartnerIndex) -> bool {
        let p = d.partner(i);
        (self.kinds.is_empty() || self.kinds.contains(&p.kind()))
            && (self.macro_regions.is_empty()
                || d.macro_region_of(p)
                    .is_some_and(|m| self.macro_regions.contains(&m)))
            && (self.provinces.is_empty()
                || p.province().is_some_and(|pr| self.provinces.contains(&pr)))
    }

    pub(crate) fn min_score(&self) -> f64 {
        self.min_score
    }
}

/// Scores every partner the filter admits, in one pass over the matrix, and returns them in
/// ranking order: descending score, ties by ascending id. Partners under the filter's
/// `min_score` are left out.
pub(crate) fn score_all(
    d: &Dataset,
    m: &FeatureMatrix,
    q: &Query,
    weights: &[f64; 7],
    filter: &ResolvedFilter,
) -> Vec<Scored> {
    let mut all: Vec<Scored> = Vec::new();
    for (i, row) in m.matrix().outer_iter().enumerate() {
        let idx = PartnerIndex(i as u32);
        if !filter.admits(d, idx) {
            continue;
        }
        let comps = components(q, m.layout(), row);
        let (parts, score) = combine(weights, &comps);
        if score >= filter.min_score() {
            all.push(Scored {
                partner: idx,
                score,
                components: comps,
                parts,
            });
        }
    }
    all.sort_by(rank_order(d));
    all
}

/// The first `top_k` of a ranking, skipping a partner whose city or kind has reached its
/// diversity cap and taking the next one instead.
pub(crate) fn select(
    d: &Dataset,
    ranked: &[Scored],
    diversity: Diversity,
    top_k: usize,
) -> Vec<Scored> {
    if diversity.max_per_city.is_none() && diversity.max_per_kind.is_none() {
        return ranked.iter().take(top_k).cloned().collect();
    }
    let mut out = Vec::with_capacity(top_k.min(ranked.len()));
    let mut cities: Vec<(crate::PlaceId, usize)> = Vec::new();
    let mut kinds = [0usize; 7];
    for s in ranked {
        if out.len() == top_k {
            break;
        }
        let p = d.partner(s.partner);
        let k = Kind::ALL.iter().position(|k| *k == p.kind()).unwrap_or(0);
        if diversity.max_per_kind.is_some_and(|cap| kinds[k] >= cap) {
            continue;
        }
        let city = d.city_of(p);
        if let (Some(cap), Some(c)) = (diversity.max_per_city, city) {
            if cities.iter().any(|(x, n)| *x == c && *n >= cap) {
                continue;
            }
        }
        kinds[k] += 1;
        if let Some(c) = city {
            match cities.iter_mut().find(|(x, _)| *x == c) {
                Some(e) => e.1 += 1,
                None => cities.push((c, 1)),
            }
        }
        out.push(s.clone());
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn weights_are_validated() {
        assert!(Weights::default().normalized().is_ok());
        let s: f64 = Weights::default().normalized().unwrap().iter().sum();
        assert!((s - 1.0).abs() < 1e-12);
        for bad in [-0.1, f64::NAN, f64::INFINITY] {
            let w = Weights {
                tech: bad,
                ..Weights::default()
            };
            let e = w.normalized().unwrap_err();
            assert!(e.to_string().contains("weights.tech"), "{e}");
        }
        let zero = Weights {
            sector: 0.0,
            region: 0.0,
            tech: 0.0,
            control: 0.0,
            goal: 0.0,
            reciprocity: 0.0,
            evidence: 0.0,
        };
        assert!(zero.normalized().is_err());
    }

    #[test]
    fn tech_fit_follows_the_goal() {
        assert_eq!(tech_fit(Goal::RdCooperation, Level::High, Level::High), 1.0);
        assert_eq!(tech_fit(Goal::RdCooperation, Level::High, Level::Low), 0.0);
        assert_eq!(tech_fit(Goal::MarketAccess, Level::High, Level::Low), 0.6);
        assert_eq!(tech_fit(Goal::Sourcing, Level::Low, Level::High), 0.7);
    }

    #[test]
    fn control_costs_nothing_at_full_tolerance() {
        for c in [Level::Low, Level::Medium, Level::High] {
            assert_eq!(control_fit(1.0, c), 1.0);
        }
        assert_eq!(control_fit(0.0, Level::High), 0.0);
        assert_eq!(control_fit(0.5, Level::Medium), 0.75);
    }

    #[test]
    fn combine_keeps_sum_exact_and_bounded() {
        let w = Weights::default().normalized().unwrap();
        let (parts, score) = combine(&w, &[1.0; 7]);
        assert!(score <= 1.0);
        assert_eq!(parts.iter().sum::<f64>(), score);
    }
}
