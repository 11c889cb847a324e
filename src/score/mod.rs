//! Step 3 of the data flow: the scoring model, defined once.
//!
//! The score of a partner for a profile is a weighted sum of seven named [`Component`]s, each
//! in [0, 1]; the weights are normalised to sum to 1, so the score is in [0, 1] too. Each
//! component is one rule, in its own file, written as a function of the resolved profile
//! (its part of the crate's query) and of the few features of the partner it reads. It
//! returns its value *and what produced it*:
//!
//! | component | rule | reads of the partner |
//! |---|---|---|
//! | [`Component::Sector`] | `sector.rs` | its sectors; its name, for keywords that name products |
//! | [`Component::Region`] | `region.rs` | its place, province or none |
//! | [`Component::Tech`] | `tech.rs` | its tech level |
//! | [`Component::Control`] | `control.rs` | its political control |
//! | [`Component::Goal`] | `goal.rs` | its kind |
//! | [`Component::Reciprocity`] | `reciprocity.rs` | its sectors and macro-region |
//! | [`Component::Evidence`] | `evidence.rs` | its main sector and evidence grade |
//!
//! The crate's exact scorer evaluates the seven functions for one partner.
//! The kernel builds its lookup tables by evaluating the same functions over their small
//! domains (every sector, place, kind and level); explanations render what they returned.
//! Who may enter a ranking at all is one more rule, the admission of `options.rs`.
//!
//! Public here: the [`Component`]s, [`PerComponent`] values, the caller's [`Options`],
//! [`Weights`], [`Filter`] and [`Diversity`], and the three rules a caller may want to
//! plot or restate ([`tech_fit`], [`control_fit`], [`goal_affinity`]).

mod control;
mod evidence;
mod goal;
mod options;
mod reciprocity;
mod region;
mod sector;
mod tech;

pub use crate::date::YearMonth;
pub use control::control_fit;
pub use goal::goal_affinity;
pub use options::{Diversity, Filter, Options, Weights};
pub use tech::tech_fit;

pub(crate) use control::level_value;
pub(crate) use evidence::EvidenceWhy;
pub(crate) use goal::GoalWhy;
pub(crate) use options::Admission;
pub(crate) use reciprocity::DemandWhy;
pub(crate) use region::{RegionKey, RegionWhy, Relation};
pub(crate) use sector::SectorWhy;
pub(crate) use tech::TechWhy;

/// The model's constants, for the naive reference to restate nothing.
pub(crate) mod constants {
    pub(crate) use super::evidence::grade_value;
    pub(crate) use super::reciprocity::strength_value;
    pub(crate) use super::region::{
        IN_PREFERRED, NATIONAL, PLACE_SAME_MACRO, PLACE_SAME_PROVINCE, PROVINCE_SAME_MACRO,
        STRENGTH_FLOOR,
    };
    pub(crate) use super::sector::{specificity, COVERAGE_SHARE, KEYWORD_WEIGHT, PRECISION_SHARE};
}

use crate::dataset::{
    Dataset, Evidence, Kind, Level, MacroRegionId, PartnerIndex, PlaceId, Role, SectorId,
};
use crate::resolve::ResolvedProfile;
use crate::Result;
use serde::Serialize;
use std::cmp::Ordering;

/// A named part of the score.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Component {
    /// How close the partner's field is to the cluster's specialisations (its `sectors`
    /// entries, and its keywords at half weight), through the taxonomy's hierarchy
    /// ([`Taxonomy::closeness`](crate::dataset::Taxonomy::closeness)): 0.75 times the best
    /// match plus 0.25 times the weighted mean of all matches (covering several is a bonus).
    /// When some of the profile's keywords are words partners' own names use for what they
    /// make ("socks", "locks"), a quarter of the value is the specificity of the most
    /// specific such keyword this partner's name uses (1 for a keyword one partner uses,
    /// falling as more share it, as a search engine's inverse document frequency).
    Sector,
    /// With preferred regions: 1 inside one (macro-region, province or place), 0.5 for a
    /// partner in the province of a preferred place, 0.4 in the macro-region of a preferred
    /// province, 0.3 in the macro-region of a preferred place, 0.5 for national bodies,
    /// 0 elsewhere. Without: how strong the partner's macro-region is in the profile's
    /// sectors (0.3 plus 0.7 times the best closeness of one of its strengths: those section
    /// 3.1's prose, section 4.4 and the conclusion name, and the fields of the clusters,
    /// parks and zones the briefing places there); national bodies reach every region and
    /// get the mean of the regions, at least 0.5.
    Region,
    /// Fit of the partner's tech level to the profile's ([`tech_fit`]), averaged over the
    /// goals: R&D cooperation and technology transfer want a partner at or above the
    /// profile's level (each level short costs 0.5); the other goals tolerate a gap (0.2 per
    /// level below, 0.15 per level above).
    Tech,
    /// Section 3.1's trade-off ([`control_fit`]): `1 - control * (1 - control_tolerance)`,
    /// with control 0, 0.5, 1 for low, medium, high. At tolerance 1 control costs nothing.
    Control,
    /// How well the partner's kind serves the profile's goals, as the briefing argues it
    /// (see [`goal_affinity`]), averaged over the goals.
    Goal,
    /// How much the Chinese side seeks what the cluster brings: the strongest demand note
    /// (sections 2.3 and 4; high 1.0, medium 0.6) on one of the profile's sectors or
    /// keywords, times the partner's closeness to that sector (and, for a note limited to a
    /// macro-region, only for partners there). 0 when the briefing records no demand.
    Reciprocity,
    /// How much the briefing itself points to the partner (1 for a section 3.2 case study or
    /// a partner named in the conclusion, 0.8 for a Table 1 organisation, 0.5 for a prose
    /// mention, 0.3 for a table row only), times the fit of the partner's main field to the
    /// profile's specialisations (as the sector component reads them).
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

impl std::fmt::Display for Component {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// One number per [`Component`]: a match's weighted parts or its component values, or the
/// normalised weights. Indexed by component; serialised as an object keyed by component name
/// (`{"control": 0.1, "evidence": 0.08, ...}`, names in alphabetical order as before).
///
/// # Examples
///
/// ```
/// use eccp_china::{Component, Options, Profile, Recommender, Dataset};
/// # fn main() -> Result<(), eccp_china::Error> {
/// let rec = Recommender::new(Dataset::embedded()?);
/// let p = Profile::builder("Wind", "DK").sector("wind energy").build()?;
/// let m = &rec.recommend_profile(&p, &Options::default())?.matches[0];
/// let sum: f64 = m.breakdown.values().iter().sum();
/// assert_eq!(sum, m.score);
/// assert!(m.breakdown[Component::Sector] > m.breakdown[Component::Evidence]);
/// # Ok(())
/// # }
/// ```
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct PerComponent([f64; 7]);

impl PerComponent {
    /// The values in [`Component::ALL`] order.
    pub fn new(values: [f64; 7]) -> PerComponent {
        PerComponent(values)
    }

    /// The values in [`Component::ALL`] order.
    pub fn values(&self) -> [f64; 7] {
        self.0
    }

    /// Each component with its value, in [`Component::ALL`] order.
    pub fn iter(&self) -> impl Iterator<Item = (Component, f64)> + '_ {
        Component::ALL.into_iter().zip(self.0)
    }
}

impl std::ops::Index<Component> for PerComponent {
    type Output = f64;
    fn index(&self, c: Component) -> &f64 {
        &self.0[c as usize]
    }
}

impl Serialize for PerComponent {
    fn serialize<S: serde::Serializer>(&self, s: S) -> std::result::Result<S::Ok, S::Error> {
        use serde::ser::SerializeMap;
        let mut by_name: Vec<(&str, f64)> = self.iter().map(|(c, v)| (c.as_str(), v)).collect();
        by_name.sort_by(|a, b| a.0.cmp(b.0));
        let mut map = s.serialize_map(Some(7))?;
        for (k, v) in by_name {
            map.serialize_entry(k, &v)?;
        }
        map.end()
    }
}

/// What the model reads of a partner: its sparse feature vector. Every component is a
/// function of a few of these fields; the dense [`FeatureMatrix`](crate::features::FeatureMatrix) is
/// their one-hot expansion, and the kernel's packed rows hold the same fields as ids.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Features<'a> {
    /// Its sectors, the main field first.
    pub sectors: &'a [SectorId],
    pub region: RegionKey,
    pub macro_region: Option<MacroRegionId>,
    pub kind: Kind,
    pub role: Role,
    pub tech: Level,
    pub control: Level,
    pub evidence: Evidence,
    /// Who it is, for keywords its name uses; `None` for rows without a name (synthetic).
    pub partner: Option<PartnerIndex>,
}

impl Features<'_> {
    pub(crate) fn of(d: &Dataset, i: PartnerIndex) -> Features<'_> {
        let p = d.partner(i);
        Features {
            sectors: p.sectors(),
            region: RegionKey::of(p),
            macro_region: d.macro_region_of(p),
            kind: p.kind(),
            role: p.role(),
            tech: p.tech().level(),
            control: p.control().level(),
            evidence: p.evidence(),
            partner: Some(i),
        }
    }
}

/// What produced each component's value, for explanations.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) struct Why {
    pub sector: SectorWhy,
    pub region: RegionWhy,
    pub tech: TechWhy,
    pub goal: GoalWhy,
    pub reciprocity: Option<DemandWhy>,
    pub evidence: EvidenceWhy,
}

/// A resolved profile and validated options, ready to score partners: each component's
/// part, the normalised weights and the admission rule. Built from ids, once per profile.
#[derive(Debug, Clone)]
pub(crate) struct Query {
    weights: [f64; 7],
    admission: Admission,
    sector: sector::SectorQuery,
    region: region::RegionQuery,
    tech: tech::TechQuery,
    control: control::ControlQuery,
    goal: goal::GoalQuery,
    reciprocity: reciprocity::ReciprocityQuery,
}

impl Query {
    /// Builds the query of a resolved profile under `options`.
    ///
    /// # Errors
    ///
    /// [`Error::Option`](crate::Error::Option) for invalid weights (negative, NaN, all zero),
    /// a filter naming an unknown macro-region or province, or a `min_score` outside [0, 1].
    /// Past this, scoring cannot fail.
    pub(crate) fn new(d: &Dataset, r: &ResolvedProfile, options: &Options) -> Result<Query> {
        let p = r.profile();
        Ok(Query {
            weights: options.weights.normalized()?,
            admission: Admission::new(d, options, p.goals())?,
            sector: sector::SectorQuery::new(d, r),
            region: region::RegionQuery::new(d, r),
            tech: tech::TechQuery::new(p),
            control: control::ControlQuery::new(p),
            goal: goal::GoalQuery::new(p),
            reciprocity: reciprocity::ReciprocityQuery::new(d, r),
        })
    }

    /// The normalised weights, in [`Component::ALL`] order.
    pub(crate) fn weights(&self) -> &[f64; 7] {
        &self.weights
    }

    pub(crate) fn admission(&self) -> &Admission {
        &self.admission
    }

    pub(crate) fn sector_query(&self) -> &sector::SectorQuery {
        &self.sector
    }

    // The component functions, one per rule, for the exact scorer and the kernel's tables.

    pub(crate) fn sector(&self, sectors: &[SectorId], partner: Option<PartnerIndex>) -> f64 {
        self.sector.value_only(sectors, partner)
    }
    pub(crate) fn region(&self, d: &Dataset, key: RegionKey) -> f64 {
        self.region.value(d.regions(), key).0
    }
    pub(crate) fn tech(&self, level: Level) -> f64 {
        self.tech.value(level).0
    }
    pub(crate) fn control(&self, level: Level) -> f64 {
        self.control.value(level)
    }
    pub(crate) fn goal(&self, kind: Kind) -> f64 {
        self.goal.value(kind).0
    }
    pub(crate) fn reciprocity(&self, sectors: &[SectorId], m: Option<MacroRegionId>) -> f64 {
        self.reciprocity.value_only(sectors, m)
    }
    pub(crate) fn evidence(&self, main: SectorId, grade: Evidence) -> f64 {
        evidence::value(&self.sector, main, grade).0
    }

    /// Whether a partner with these features may enter the ranking.
    pub(crate) fn admits(&self, d: &Dataset, f: &Features) -> bool {
        admits(&self.admission, d, f)
    }

    /// The seven component values of a partner, in [`Component::ALL`] order, and what
    /// produced them.
    pub(crate) fn components(&self, d: &Dataset, f: &Features) -> ([f64; 7], Why) {
        let (sector, sector_why) = self.sector.value(f.sectors, f.partner);
        let (region, region_why) = self.region.value(d.regions(), f.region);
        let (tech, tech_why) = self.tech.value(f.tech);
        let control = self.control.value(f.control);
        let (goal, goal_why) = self.goal.value(f.kind);
        let (reciprocity, demand) = self.reciprocity.value(f.sectors, f.macro_region);
        let main = f.sectors.first().copied().unwrap_or(SectorId(0));
        let (evidence, evidence_why) = evidence::value(&self.sector, main, f.evidence);
        (
            [sector, region, tech, control, goal, reciprocity, evidence],
            Why {
                sector: sector_why,
                region: region_why,
                tech: tech_why,
                goal: goal_why,
                reciprocity: demand,
                evidence: evidence_why,
            },
        )
    }

    /// The exact score of one partner of `d`.
    pub(crate) fn score(&self, d: &Dataset, i: PartnerIndex) -> Scored {
        let (components, why) = self.components(d, &Features::of(d, i));
        let (parts, score) = combine(&self.weights, &components);
        Scored {
            partner: i,
            score,
            components,
            parts,
            why,
        }
    }

    /// Whether a scored partner is a match: it works in a field the profile names (a sector
    /// value above 0; a partner in another field is no partner, whatever else it offers) and
    /// scores at least the filter's `min_score`.
    pub(crate) fn keeps(&self, s: &Scored) -> bool {
        keeps(&self.admission, s)
    }

    /// Whether a partner of `d` may enter the ranking (its score is checked apart).
    pub(crate) fn admits_partner(&self, d: &Dataset, i: PartnerIndex) -> bool {
        self.admits(d, &Features::of(d, i))
    }
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
    pub why: Why,
}

/// Descending score, then ascending id: the order of every ranking.
pub(crate) fn rank_order(d: &Dataset) -> impl Fn(&Scored, &Scored) -> Ordering + '_ {
    move |a, b| {
        b.score
            .total_cmp(&a.score)
            .then_with(|| d.partner(a.partner).id().cmp(d.partner(b.partner).id()))
    }
}

fn admits(a: &Admission, d: &Dataset, f: &Features) -> bool {
    a.kind(f.kind, f.role) && a.region(d.regions(), f.region)
}

fn keeps(a: &Admission, s: &Scored) -> bool {
    s.components[Component::Sector as usize] > 0.0 && s.score >= a.min_score()
}

/// Scores every partner the query admits, exactly, and returns the matches
/// ([`Query::keeps`]) in ranking order: descending score, ties by ascending id.
pub(crate) fn score_all(d: &Dataset, q: &Query) -> Vec<Scored> {
    score_where(d, q, &q.admission, |_| true)
}

/// Like [`score_all`], for the partners `which` picks, under another admission rule (the
/// intermediaries who can help are ranked with [`Admission::everyone`]).
pub(crate) fn score_where(
    d: &Dataset,
    q: &Query,
    admission: &Admission,
    which: impl Fn(&crate::dataset::Partner) -> bool,
) -> Vec<Scored> {
    let mut all: Vec<Scored> = (0..d.partners().len())
        .map(|i| PartnerIndex(i as u32))
        .filter(|i| which(d.partner(*i)) && admits(admission, d, &Features::of(d, *i)))
        .map(|i| q.score(d, i))
        .filter(|s| keeps(admission, s))
        .collect();
    all.sort_by(rank_order(d));
    all
}

/// The first `top_k` of a ranking, skipping a partner whose city or kind has reached its
/// diversity cap and taking the next one instead. A cap of 0 admits none.
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
    let mut cities: Vec<(PlaceId, usize)> = Vec::new();
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
            let n = cities.iter().find(|(x, _)| *x == c).map_or(0, |e| e.1);
            if n >= cap {
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
        use crate::dataset::Goal;
        assert_eq!(tech_fit(Goal::RdCooperation, Level::High, Level::High), 1.0);
        assert_eq!(tech_fit(Goal::RdCooperation, Level::High, Level::Low), 0.0);
        assert_eq!(tech_fit(Goal::MarketAccess, Level::High, Level::Low), 0.6);
        assert_eq!(tech_fit(Goal::Sourcing, Level::Low, Level::High), 0.7);
        assert_eq!(
            tech_fit(Goal::BusinessSupport, Level::High, Level::Low),
            tech_fit(Goal::MarketAccess, Level::High, Level::Low)
        );
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

    #[test]
    fn the_fit_is_led_by_the_best_match_and_rewards_coverage() {
        // One exact match among three specialisations beats a loose match to all three.
        let one_of_three = sector::fit_of([(1.0, 1.0), (1.0, 0.35), (1.0, 0.35)].into_iter());
        let loosely_all = sector::fit_of([(1.0, 0.8), (1.0, 0.8), (1.0, 0.8)].into_iter());
        assert!(
            one_of_three > loosely_all,
            "{one_of_three} vs {loosely_all}"
        );
        // Covering more is a bonus.
        let two = sector::fit_of([(1.0, 1.0), (1.0, 1.0)].into_iter());
        let one = sector::fit_of([(1.0, 1.0), (1.0, 0.0)].into_iter());
        assert!(two > one && one >= 1.0 - sector::COVERAGE_SHARE);
        assert_eq!(sector::fit_of(std::iter::empty()), 0.0);
    }

    #[test]
    fn specificity_falls_as_more_partners_share_a_keyword() {
        let n = 172;
        assert_eq!(sector::specificity(1, n), 1.0);
        assert!(sector::specificity(2, n) < 1.0);
        assert!(sector::specificity(3, n) > sector::specificity(30, n));
        assert!(sector::specificity(n, n) > 0.0 && sector::specificity(n, n) < 0.01);
        assert_eq!(sector::specificity(1, 1), 1.0);
    }
}
