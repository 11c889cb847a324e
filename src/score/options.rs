//! What the caller sets: weights, filters, diversity caps and the top k; and the one rule
//! of who may enter a ranking ([`Admission`]), resolved from them at the boundary.

use super::region::RegionKey;
use super::Component;
use crate::dataset::{Dataset, Goal, Kind, MacroRegionId, ProvinceId, RegionRef, Regions, Role};
use crate::{Error, Result};
use serde::Serialize;

/// The weight of each component. Any non-negative finite values with a positive sum; they
/// are normalised to sum to 1.
///
/// The default puts sector fit first (0.35): a partner in another field is no partner.
/// Tech, control and goal (0.12, 0.13, 0.13) carry the briefing's trade-off between
/// high-tech, policy-dependent parks and zones and cooperation-oriented, low-tech clusters.
/// Region (0.10) matters most when the profile names regions. Reciprocity (0.09) lifts
/// matches the Chinese side wants too; evidence (0.08) lifts the partners the briefing
/// itself analyses.
///
/// # Examples
///
/// Weights need not sum to 1: they are normalised. Here the sector counts twice as much as
/// by default and the evidence component is switched off:
///
/// ```
/// use eccp_china::{Component, Weights};
/// # fn main() -> Result<(), eccp_china::Error> {
/// let mut w = Weights::default();
/// w.set(Component::Sector, 2.0 * w.sector);
/// w.set(Component::Evidence, 0.0);
/// let n = w.normalized()?;
/// assert!((n.iter().sum::<f64>() - 1.0).abs() < 1e-12);
/// assert_eq!(n[Component::Evidence as usize], 0.0);
/// // Negative, NaN or all-zero weights are an error naming the weight.
/// w.set(Component::Tech, -1.0);
/// assert!(w.normalized().unwrap_err().to_string().contains("weights.tech"));
/// # Ok(())
/// # }
/// ```
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

/// Partner filters, applied before ranking. Empty lists filter nothing.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Filter {
    /// Keep only these kinds. Naming an intermediary kind (support services, government
    /// bodies) also brings it into the ranking, which leaves intermediaries out otherwise.
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

/// Options of a recommendation: how many matches, the weights, filters applied before
/// ranking, caps per city and kind, and whether intermediaries are ranked.
///
/// # Examples
///
/// Five science parks or economic zones outside the coastal regions, at most two per city:
///
/// ```
/// use eccp_china::{Diversity, Filter, Kind, Options, Profile, Recommender, Dataset};
/// # fn main() -> Result<(), eccp_china::Error> {
/// let options = Options {
///     top_k: 5,
///     filter: Filter {
///         kinds: vec![Kind::SciencePark, Kind::EconomicZone],
///         macro_regions: vec!["Go West".into()], // central and western China
///         ..Filter::default()
///     },
///     diversity: Diversity { max_per_city: Some(2), ..Diversity::default() },
///     ..Options::default()
/// };
/// let rec = Recommender::new(Dataset::embedded()?);
/// let p = Profile::builder("Wind", "DK").sector("renewable energy").build()?;
/// let recs = rec.recommend_profile(&p, &options)?;
/// assert!(!recs.matches.is_empty() && recs.matches.len() <= 5);
/// assert!(recs.matches.iter().all(|m| matches!(m.kind, Kind::SciencePark | Kind::EconomicZone)));
/// # Ok(())
/// # }
/// ```
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
    /// Rank intermediaries (support services, government bodies) among the partners.
    /// `false` by default: they are whom a cluster asks for help, listed under each match's
    /// intermediaries, and they enter the ranking only when asked for, through this, a kind
    /// filter naming their kind, or the profile's `business_support` goal.
    pub include_intermediaries: bool,
    /// The month the advice is for: programmes whose window, as the briefing states it, has
    /// closed by then are not offered as running, and risks and openings from notes with a
    /// stated window say whether it had ended (openings still running first). Scores do not
    /// depend on it. `None`: this month, by the system clock.
    pub as_of: Option<crate::date::YearMonth>,
}

impl Default for Options {
    fn default() -> Options {
        Options {
            top_k: 10,
            weights: Weights::default(),
            filter: Filter::default(),
            diversity: Diversity::default(),
            include_intermediaries: false,
            as_of: None,
        }
    }
}

/// Who may enter a ranking: the options' filters with their names resolved, and the rule
/// that keeps intermediaries apart unless asked for.
#[derive(Debug, Clone)]
pub(crate) struct Admission {
    /// By kind, in [`Kind::ALL`] order: partners of the kind, intermediaries of the kind.
    kinds: [[bool; 2]; 7],
    macro_regions: Vec<MacroRegionId>,
    provinces: Vec<ProvinceId>,
    min_score: f64,
}

impl Admission {
    /// Resolves the options' filter for a profile with `goals`.
    ///
    /// # Errors
    ///
    /// [`Error::Option`] for a macro-region or province the data does not know, or a
    /// `min_score` outside [0, 1].
    pub(crate) fn new(d: &Dataset, o: &Options, goals: &[Goal]) -> Result<Admission> {
        let f = &o.filter;
        let reg = d.regions();
        let mut macro_regions = Vec::new();
        for (i, name) in f.macro_regions.iter().enumerate() {
            // An id, or a name as the outputs and profiles write it; a name may stand for
            // several macro-regions ("Go West" is the centre and the west).
            let ms: Vec<MacroRegionId> = match reg.find_macro_region(name) {
                Some(m) => vec![m],
                None => reg
                    .lookup(name)
                    .filter(|v| v.iter().all(|r| matches!(r, RegionRef::Macro(_))))
                    .map(|v| {
                        v.iter()
                            .filter_map(|r| match r {
                                RegionRef::Macro(m) => Some(*m),
                                _ => None,
                            })
                            .collect()
                    })
                    .unwrap_or_default(),
            };
            if ms.is_empty() {
                return Err(Error::Option {
                    option: format!("filter.macro_regions[{i}]"),
                    message: format!(
                        "`{name}` is not a macro-region; they are {}",
                        reg.macro_regions()
                            .iter()
                            .map(|m| m.name())
                            .collect::<Vec<_>>()
                            .join("; ")
                    ),
                });
            }
            macro_regions.extend(ms);
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
        let asked_for_help = o.include_intermediaries || goals.contains(&Goal::BusinessSupport);
        let kinds = Kind::ALL.map(|k| {
            let named = f.kinds.contains(&k);
            let kind = f.kinds.is_empty() || named;
            [kind, kind && (asked_for_help || named)]
        });
        Ok(Admission {
            kinds,
            macro_regions,
            provinces,
            min_score: f.min_score,
        })
    }

    /// Every record, whatever its kind, role or place: for ranking the intermediaries who can
    /// help beside a profile's matches.
    pub(crate) fn everyone() -> Admission {
        Admission {
            kinds: [[true; 2]; 7],
            macro_regions: Vec::new(),
            provinces: Vec::new(),
            min_score: 0.0,
        }
    }

    /// Whether records of this kind and role may enter the ranking.
    pub(crate) fn kind(&self, k: Kind, role: Role) -> bool {
        Kind::ALL
            .iter()
            .position(|x| *x == k)
            .is_some_and(|i| self.kinds[i][usize::from(role == Role::Intermediary)])
    }

    /// Whether partners at this place may enter the ranking. National bodies pass only when
    /// no region filter is set.
    pub(crate) fn region(&self, reg: &Regions, key: RegionKey) -> bool {
        if self.macro_regions.is_empty() && self.provinces.is_empty() {
            return true;
        }
        let Some(province) = key.province(reg) else {
            return false;
        };
        (self.macro_regions.is_empty()
            || self
                .macro_regions
                .contains(&reg.province(province).macro_region()))
            && (self.provinces.is_empty() || self.provinces.contains(&province))
    }

    /// Scores below this are left out.
    pub(crate) fn min_score(&self) -> f64 {
        self.min_score
    }
}
