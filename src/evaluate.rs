//! Measuring the recommender: graded relevance judgments, ranking metrics, ablation of each
//! score component, and the stability of a ranking under perturbed weights.
//!
//! # Metrics
//!
//! For a profile, let the ranking be the recommender's full ranking and `grade(p)` the
//! judged grade of partner `p` (0 to 3; unjudged partners count as 0). With cut-off `k`:
//!
//! - **nDCG@k** = DCG@k / IDCG@k, where DCG@k = Σᵢ₌₁ᵏ (2^grade(pᵢ) − 1) / log₂(i + 1) and
//!   IDCG@k is the DCG of the judged partners sorted by grade. In [0, 1].
//! - **precision@k** = relevant partners in the top k / k, a partner being relevant when its
//!   grade is at least the threshold (2 by default).
//! - **recall@k** = relevant partners in the top k / relevant partners judged.
//! - **MRR** = 1 / rank of the first relevant partner in the full ranking (the mean over
//!   profiles is the mean reciprocal rank).
//! - **coverage** = distinct partners in any profile's top k / partners in the catalogue.
//! - **diversity**: distinct kinds, provinces (national bodies count as one "national"
//!   bucket) and main sectors among the top k.
//!
//! Recall and MRR are undefined for a profile with no relevant partner; such profiles are
//! left out of those two means (and counted).
//!
//! # Intermediaries
//!
//! The ranked list holds partners; intermediaries (support services, government bodies and
//! records whose role says so) are listed apart, under each match's "who can help", unless
//! the profile's goals ask for them ([`Role`]). A judgment of an intermediary
//! therefore grades what the list is not meant to hold: the metrics above are computed
//! against the judgments of the records the ranking may hold, and each profile also reports
//! nDCG@k against every judgment (`ndcg_all_judged`) and how many of its judged
//! intermediaries (grade 1 or more) appear among the top k matches' intermediaries
//! (`intermediaries_listed` of `intermediaries_judged`).
//!
//! # Examples
//!
//! The crate's own judgments, and one metric by hand:
//!
//! ```
//! use eccp_china::evaluate::{evaluate, ndcg_at, EvalOptions, Judgments};
//! use eccp_china::{Dataset, Recommender};
//! use std::collections::HashMap;
//! # fn main() -> Result<(), eccp_china::Error> {
//! let rec = Recommender::new(Dataset::embedded()?);
//! let judgments = Judgments::embedded()?;
//! let report = evaluate(&rec, &judgments.prepare(&rec)?, &EvalOptions::default())?;
//! assert!(report.overall.ndcg > 0.8);
//!
//! let grades = HashMap::from([("a".to_string(), 3), ("b".to_string(), 1)]);
//! assert_eq!(ndcg_at(&["a", "b"], &grades, 10), 1.0);
//! assert!(ndcg_at(&["b", "a"], &grades, 10) < 1.0);
//! # Ok(())
//! # }
//! ```

use crate::dataset::{Dataset, Goal, Role};
use crate::profile::{Profile, ProfileInput};
use crate::recommend::Recommender;
use crate::resolve::ResolvedProfile;
use crate::rng::SplitMix64;
use crate::score::{Component, Options, Weights};
use crate::{Error, Result};
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, HashMap, HashSet};

/// One graded judgment: how relevant a partner is for a profile.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Judgment {
    /// The partner's id.
    pub partner: String,
    /// 0 (not relevant) to 3 (the briefing points to it for this profile).
    pub grade: u8,
    /// Why, with the briefing section or table behind the grade.
    pub basis: String,
}

/// A profile with its judgments.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct JudgedProfile {
    /// A stable id for reports.
    pub id: String,
    /// `tuning` or `held_out` (or any label; metrics are also reported per split).
    pub split: String,
    /// The EU cluster profile.
    pub profile: ProfileInput,
    /// Graded judgments; partners not listed count as grade 0.
    pub judgments: Vec<Judgment>,
}

/// A labelled set: EU cluster profiles with graded judgments of partners.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Judgments {
    /// What the set is.
    pub description: String,
    /// How the judgments were made.
    pub method: String,
    /// What each grade means.
    pub grades: BTreeMap<String, String>,
    /// The profiles.
    pub profiles: Vec<JudgedProfile>,
}

/// The embedded labelled set under `data/eval/judgments.json`.
pub const EMBEDDED_JUDGMENTS: (&str, &str) = (
    "data/eval/judgments.json",
    include_str!("../data/eval/judgments.json"),
);

impl Judgments {
    /// Parses a judgments file.
    ///
    /// # Errors
    ///
    /// [`Error::Json`] for malformed JSON or unknown fields.
    pub fn from_json(file: &str, json: &str) -> Result<Judgments> {
        serde_json::from_str(json).map_err(|e| Error::json(file, &e))
    }

    /// The labelled set shipped with the crate.
    ///
    /// # Errors
    ///
    /// Only if the embedded file is invalid, which the tests rule out.
    pub fn embedded() -> Result<Judgments> {
        Judgments::from_json(EMBEDDED_JUDGMENTS.0, EMBEDDED_JUDGMENTS.1)
    }

    /// Checks the set against a dataset and resolves its profiles.
    ///
    /// # Errors
    ///
    /// [`Error::Data`] naming the profile and judgment for a duplicate profile id, an
    /// unknown or twice-judged partner, a grade above 3 or a blank basis; the profile's own
    /// errors for an invalid or unresolvable profile.
    pub fn prepare(&self, rec: &Recommender) -> Result<Vec<PreparedProfile>> {
        let file = "judgments";
        let d = rec.dataset();
        let mut ids = HashSet::new();
        let mut out = Vec::with_capacity(self.profiles.len());
        for jp in &self.profiles {
            if !ids.insert(jp.id.as_str()) {
                return Err(Error::data(file, &jp.id, "id", "duplicate profile id"));
            }
            let profile = Profile::try_from(jp.profile.clone())?;
            let resolved = rec.resolve(&profile)?;
            let mut grades = HashMap::new();
            for (i, j) in jp.judgments.iter().enumerate() {
                let field = format!("judgments[{i}]");
                if d.find_partner(&j.partner).is_none() {
                    return Err(Error::data(
                        file,
                        &jp.id,
                        field,
                        format!("unknown partner `{}`", j.partner),
                    ));
                }
                if j.grade > 3 {
                    return Err(Error::data(
                        file,
                        &jp.id,
                        field,
                        format!("grade {} is above 3", j.grade),
                    ));
                }
                if j.basis.trim().is_empty() {
                    return Err(Error::data(
                        file,
                        &jp.id,
                        field,
                        "a judgment needs its basis in the briefing",
                    ));
                }
                if grades.insert(j.partner.clone(), j.grade).is_some() {
                    return Err(Error::data(
                        file,
                        &jp.id,
                        field,
                        format!("`{}` is judged twice", j.partner),
                    ));
                }
            }
            out.push(PreparedProfile {
                id: jp.id.clone(),
                split: jp.split.clone(),
                resolved,
                grades,
            });
        }
        Ok(out)
    }
}

/// A judged profile, resolved against a dataset.
#[derive(Debug, Clone)]
pub struct PreparedProfile {
    id: String,
    split: String,
    resolved: ResolvedProfile,
    grades: HashMap<String, u8>,
}

impl PreparedProfile {
    /// The profile's id.
    pub fn id(&self) -> &str {
        &self.id
    }
    /// Its split.
    pub fn split(&self) -> &str {
        &self.split
    }
    /// The resolved profile.
    pub fn resolved(&self) -> &ResolvedProfile {
        &self.resolved
    }
}

/// Options of an evaluation.
#[derive(Debug, Clone, PartialEq)]
pub struct EvalOptions {
    /// The cut-off k (10 by default).
    pub k: usize,
    /// The grade from which a partner counts as relevant (2 by default).
    pub threshold: u8,
    /// The weights to evaluate.
    pub weights: Weights,
}

impl Default for EvalOptions {
    fn default() -> EvalOptions {
        EvalOptions {
            k: 10,
            threshold: 2,
            weights: Weights::default(),
        }
    }
}

/// The metrics of one profile.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ProfileMetrics {
    /// The profile's id.
    pub id: String,
    /// Its split.
    pub split: String,
    /// nDCG@k, against the judgments of records the ranking may hold.
    pub ndcg: f64,
    /// nDCG@k against every judgment, intermediaries included.
    pub ndcg_all_judged: f64,
    /// Judged intermediaries (grade 1 or more) the ranking does not hold.
    pub intermediaries_judged: usize,
    /// Of those, how many the top k matches list as who can help.
    pub intermediaries_listed: usize,
    /// precision@k.
    pub precision: f64,
    /// recall@k; `None` when no judged partner is relevant.
    pub recall: Option<f64>,
    /// Reciprocal rank of the first relevant partner; `None` when none is relevant.
    pub reciprocal_rank: Option<f64>,
    /// Distinct kinds in the top k.
    pub kinds: usize,
    /// Distinct provinces in the top k (national bodies as one).
    pub provinces: usize,
    /// Distinct main sectors in the top k.
    pub sectors: usize,
    /// The top k partner ids.
    pub top: Vec<String>,
}

/// Means over a group of profiles.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct MeanMetrics {
    /// Number of profiles.
    pub profiles: usize,
    /// Mean nDCG@k.
    pub ndcg: f64,
    /// Mean nDCG@k against every judgment, intermediaries included.
    pub ndcg_all_judged: f64,
    /// Judged intermediaries the rankings do not hold, in all.
    pub intermediaries_judged: usize,
    /// Of those, how many the top k matches list as who can help.
    pub intermediaries_listed: usize,
    /// Mean precision@k.
    pub precision: f64,
    /// Mean recall@k over the profiles where it is defined.
    pub recall: f64,
    /// Mean reciprocal rank over the profiles where it is defined.
    pub mrr: f64,
    /// Profiles left out of recall and MRR (no relevant partner judged).
    pub undefined: usize,
    /// Mean distinct kinds in the top k.
    pub kinds: f64,
    /// Mean distinct provinces in the top k.
    pub provinces: f64,
    /// Mean distinct main sectors in the top k.
    pub sectors: f64,
}

/// The result of an evaluation.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct EvalReport {
    /// The cut-off.
    pub k: usize,
    /// The relevance threshold.
    pub threshold: u8,
    /// Per profile, in the set's order.
    pub profiles: Vec<ProfileMetrics>,
    /// Means over every profile.
    pub overall: MeanMetrics,
    /// Means per split.
    pub by_split: BTreeMap<String, MeanMetrics>,
    /// Share of the catalogue that appears in some profile's top k.
    pub coverage: f64,
}

/// nDCG@k of a ranking (partner ids, best first) given grades by id. 0 when no grade is
/// positive.
pub fn ndcg_at(ranking: &[&str], grades: &HashMap<String, u8>, k: usize) -> f64 {
    let gain = |g: u8| f64::from((1u32 << g.min(8)) - 1);
    let dcg: f64 = ranking
        .iter()
        .take(k)
        .enumerate()
        .map(|(i, id)| gain(grades.get(*id).copied().unwrap_or(0)) / ((i + 2) as f64).log2())
        .sum();
    let mut ideal: Vec<u8> = grades.values().copied().collect();
    ideal.sort_unstable_by(|a, b| b.cmp(a));
    let idcg: f64 = ideal
        .iter()
        .take(k)
        .enumerate()
        .map(|(i, g)| gain(*g) / ((i + 2) as f64).log2())
        .sum();
    if idcg > 0.0 {
        dcg / idcg
    } else {
        0.0
    }
}

/// precision@k, recall@k and the reciprocal rank of a ranking, with relevance at
/// `threshold`. Recall and reciprocal rank are `None` when nothing judged is relevant.
pub fn precision_recall_rr(
    ranking: &[&str],
    grades: &HashMap<String, u8>,
    k: usize,
    threshold: u8,
) -> (f64, Option<f64>, Option<f64>) {
    let relevant = |id: &str| grades.get(id).is_some_and(|g| *g >= threshold);
    let total = grades.values().filter(|g| **g >= threshold).count();
    let hits = ranking.iter().take(k).filter(|id| relevant(id)).count();
    let precision = if k == 0 { 0.0 } else { hits as f64 / k as f64 };
    if total == 0 {
        return (precision, None, None);
    }
    let rr = ranking
        .iter()
        .position(|id| relevant(id))
        .map_or(0.0, |i| 1.0 / (i + 1) as f64);
    (precision, Some(hits as f64 / total as f64), Some(rr))
}

/// Kendall's tau-a between two rankings over the items they share: 1 when the shared items
/// come in the same order, -1 when reversed; `None` with fewer than two shared items.
pub fn kendall_tau(a: &[&str], b: &[&str]) -> Option<f64> {
    let pos_b: HashMap<&str, usize> = b.iter().enumerate().map(|(i, x)| (*x, i)).collect();
    let mut common: Vec<usize> = a.iter().filter_map(|x| pos_b.get(x).copied()).collect();
    let n = common.len();
    if n < 2 {
        return None;
    }
    // Concordant minus discordant pairs: all pairs less twice the discordant ones, which are
    // the inversions of b's positions taken in a's order, counted while merge-sorting them
    // (n log n, where comparing every pair would be n²).
    let pairs = (n * (n - 1) / 2) as i64;
    let discordant = inversions(&mut common) as i64;
    Some((pairs - 2 * discordant) as f64 / pairs as f64)
}

/// The number of pairs `i < j` with `v[i] > v[j]`, sorting `v` (merge sort).
fn inversions(v: &mut [usize]) -> u64 {
    let n = v.len();
    if n < 2 {
        return 0;
    }
    let mid = n / 2;
    let mut count = inversions(&mut v[..mid]) + inversions(&mut v[mid..]);
    let mut merged = Vec::with_capacity(n);
    let (mut i, mut j) = (0, mid);
    while i < mid && j < n {
        if v[j] < v[i] {
            // v[j] comes before every item left in the first half.
            count += (mid - i) as u64;
            merged.push(v[j]);
            j += 1;
        } else {
            merged.push(v[i]);
            i += 1;
        }
    }
    merged.extend_from_slice(&v[i..mid]);
    merged.extend_from_slice(&v[j..]);
    v.copy_from_slice(&merged);
    count
}

fn mean(v: impl Iterator<Item = f64>) -> f64 {
    let (s, n) = v.fold((0.0, 0usize), |(s, n), x| (s + x, n + 1));
    if n == 0 {
        0.0
    } else {
        s / n as f64
    }
}

fn summarise(ps: &[&ProfileMetrics]) -> MeanMetrics {
    MeanMetrics {
        profiles: ps.len(),
        ndcg: mean(ps.iter().map(|p| p.ndcg)),
        ndcg_all_judged: mean(ps.iter().map(|p| p.ndcg_all_judged)),
        intermediaries_judged: ps.iter().map(|p| p.intermediaries_judged).sum(),
        intermediaries_listed: ps.iter().map(|p| p.intermediaries_listed).sum(),
        precision: mean(ps.iter().map(|p| p.precision)),
        recall: mean(ps.iter().filter_map(|p| p.recall)),
        mrr: mean(ps.iter().filter_map(|p| p.reciprocal_rank)),
        undefined: ps.iter().filter(|p| p.recall.is_none()).count(),
        kinds: mean(ps.iter().map(|p| p.kinds as f64)),
        provinces: mean(ps.iter().map(|p| p.provinces as f64)),
        sectors: mean(ps.iter().map(|p| p.sectors as f64)),
    }
}

/// Evaluates the recommender on prepared profiles.
///
/// # Errors
///
/// [`Error::Option`] for a `k` of 0, a threshold of 0 or above 3, or invalid weights.
pub fn evaluate(
    rec: &Recommender,
    profiles: &[PreparedProfile],
    options: &EvalOptions,
) -> Result<EvalReport> {
    if options.k == 0 {
        return Err(Error::Option {
            option: "k".into(),
            message: "the cut-off must be at least 1".into(),
        });
    }
    if !(1..=3).contains(&options.threshold) {
        return Err(Error::Option {
            option: "threshold".into(),
            message: "the relevance threshold is a grade from 1 to 3".into(),
        });
    }
    let d: &Dataset = rec.dataset();
    let opts = Options {
        top_k: d.partners().len(),
        weights: options.weights,
        ..Options::default()
    };
    let mut metrics = Vec::with_capacity(profiles.len());
    let mut seen: HashSet<String> = HashSet::new();
    for p in profiles {
        let ranked = rec.rank(&p.resolved, &opts)?;
        let ranking: Vec<&str> = ranked.iter().map(|(i, _)| d.partner(*i).id()).collect();
        // The judgments of what the ranking may hold; intermediaries are listed apart
        // unless the profile asks for business support.
        let help = p
            .resolved
            .profile()
            .goals()
            .contains(&Goal::BusinessSupport);
        let apart = |id: &str| {
            !help
                && d.find_partner(id)
                    .is_some_and(|i| d.partner(i).role() == Role::Intermediary)
        };
        let grades: HashMap<String, u8> = p
            .grades
            .iter()
            .filter(|(id, _)| !apart(id))
            .map(|(id, g)| (id.clone(), *g))
            .collect();
        let judged_apart: Vec<&str> = p
            .grades
            .iter()
            .filter(|(id, g)| **g >= 1 && apart(id))
            .map(|(id, _)| id.as_str())
            .collect();
        let listed = if judged_apart.is_empty() {
            0
        } else {
            let shown = rec.recommend(
                &p.resolved,
                &Options {
                    top_k: options.k,
                    ..opts.clone()
                },
            )?;
            judged_apart
                .iter()
                .filter(|id| {
                    shown
                        .matches
                        .iter()
                        .any(|m| m.intermediaries.iter().any(|x| x.id == **id))
                })
                .count()
        };
        let ndcg = ndcg_at(&ranking, &grades, options.k);
        let (precision, recall, rr) =
            precision_recall_rr(&ranking, &grades, options.k, options.threshold);
        let top: Vec<String> = ranking
            .iter()
            .take(options.k)
            .map(|s| s.to_string())
            .collect();
        let (mut kinds, mut provinces, mut sectors) =
            (HashSet::new(), HashSet::new(), HashSet::new());
        for id in &top {
            if let Some(i) = d.find_partner(id) {
                let partner = d.partner(i);
                kinds.insert(partner.kind());
                provinces.insert(partner.province());
                sectors.insert(partner.sectors().first().copied());
            }
        }
        seen.extend(top.iter().cloned());
        metrics.push(ProfileMetrics {
            id: p.id.clone(),
            split: p.split.clone(),
            ndcg,
            ndcg_all_judged: ndcg_at(&ranking, &p.grades, options.k),
            intermediaries_judged: judged_apart.len(),
            intermediaries_listed: listed,
            precision,
            recall,
            reciprocal_rank: rr,
            kinds: kinds.len(),
            provinces: provinces.len(),
            sectors: sectors.len(),
            top,
        });
    }
    let all: Vec<&ProfileMetrics> = metrics.iter().collect();
    let mut by_split: BTreeMap<String, MeanMetrics> = BTreeMap::new();
    let splits: HashSet<&str> = metrics.iter().map(|m| m.split.as_str()).collect();
    for s in splits {
        let group: Vec<&ProfileMetrics> = metrics.iter().filter(|m| m.split == s).collect();
        by_split.insert(s.to_string(), summarise(&group));
    }
    Ok(EvalReport {
        k: options.k,
        threshold: options.threshold,
        overall: summarise(&all),
        by_split,
        coverage: seen.len() as f64 / d.partners().len().max(1) as f64,
        profiles: metrics,
    })
}

/// One row of an ablation: the metrics with one component switched off.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct AblationRow {
    /// `all components`, or `without <component>`.
    pub label: String,
    /// The component switched off, `None` for the baseline.
    pub without: Option<Component>,
    /// Means over every profile.
    pub overall: MeanMetrics,
    /// Means per split.
    pub by_split: BTreeMap<String, MeanMetrics>,
}

/// The metrics with all components, then with each component's weight set to zero in turn
/// (the others keep theirs and are renormalised), so the value of every component is
/// measured rather than assumed.
///
/// # Errors
///
/// As [`evaluate`].
pub fn ablation(
    rec: &Recommender,
    profiles: &[PreparedProfile],
    options: &EvalOptions,
) -> Result<Vec<AblationRow>> {
    let mut rows = Vec::with_capacity(Component::ALL.len() + 1);
    let base = evaluate(rec, profiles, options)?;
    rows.push(AblationRow {
        label: "all components".into(),
        without: None,
        overall: base.overall,
        by_split: base.by_split,
    });
    for c in Component::ALL {
        let mut w = options.weights;
        w.set(c, 0.0);
        let r = evaluate(
            rec,
            profiles,
            &EvalOptions {
                weights: w,
                ..options.clone()
            },
        )?;
        rows.push(AblationRow {
            label: format!("without {}", c.as_str()),
            without: Some(c),
            overall: r.overall,
            by_split: r.by_split,
        });
    }
    Ok(rows)
}

/// How to perturb the weights in [`sensitivity`].
#[derive(Debug, Clone, PartialEq)]
pub struct SensitivityOptions {
    /// The recommendation whose stability is measured: its `top_k` is the k of the report,
    /// its weights are the ones perturbed, and its filters, diversity caps and intermediary
    /// rule apply to every perturbed list as they do to the list the user sees
    /// ([`Options::default`]: the top 10 with the default weights).
    pub options: Options,
    /// Each component's weight is scaled by `1 - delta` and `1 + delta` in turn (0.2).
    pub delta: f64,
    /// Number of random draws (50), each scaling every weight by a factor drawn uniformly
    /// from `[low, high]`.
    pub draws: usize,
    /// Lowest factor of a random draw (0.5).
    pub low: f64,
    /// Highest factor of a random draw (1.5).
    pub high: f64,
    /// Seed of the random draws, so that a report can be reproduced (1).
    pub seed: u64,
}

impl Default for SensitivityOptions {
    fn default() -> SensitivityOptions {
        SensitivityOptions {
            options: Options::default(),
            delta: 0.2,
            draws: 50,
            low: 0.5,
            high: 1.5,
            seed: 1,
        }
    }
}

/// The top k under one perturbation of the weights.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Perturbation {
    /// What was perturbed, e.g. `tech x0.8` or `random #3`.
    pub label: String,
    /// The weights used (before normalisation).
    pub weights: Weights,
    /// Share of the baseline's top k still in the top k, in [0, 1].
    pub overlap: f64,
    /// Kendall's tau of the shared items' order, `None` with fewer than two.
    pub kendall_tau: Option<f64>,
    /// Partners that entered the top k.
    pub entered: Vec<String>,
    /// Partners that left it.
    pub left: Vec<String>,
}

/// How stable a profile's top k is under perturbed weights.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SensitivityReport {
    /// The top k with the given weights.
    pub baseline: Vec<String>,
    /// Each perturbation: the ± delta of every component, then the random draws.
    pub perturbations: Vec<Perturbation>,
    /// Mean overlap@k over all perturbations.
    pub mean_overlap: f64,
    /// Lowest overlap@k.
    pub min_overlap: f64,
    /// Mean Kendall's tau (over perturbations where it is defined).
    pub mean_kendall_tau: f64,
    /// Partners in the top k under every perturbation.
    pub stable: Vec<String>,
    /// Partners that entered under some perturbation, with how many times.
    pub entrants: BTreeMap<String, usize>,
}

/// `n` weightings drawn at random around `base`: every weight scaled by a factor drawn
/// uniformly from `[low, high]`, reproducibly from `seed` (SplitMix64).
pub fn random_weights(base: &Weights, low: f64, high: f64, seed: u64, n: usize) -> Vec<Weights> {
    let mut rng = SplitMix64(seed);
    (0..n)
        .map(|_| {
            let mut w = *base;
            for c in Component::ALL {
                let f = low + (high - low) * rng.unit();
                w.set(c, w.get(c) * f);
            }
            w
        })
        .collect()
}

/// Measures how stable a profile's top k is when the weights move: each component ± delta,
/// then random draws within a range.
///
/// # Errors
///
/// [`Error::Option`] for a `top_k` of 0, `delta` outside (0, 1), a range that is not
/// `0 <= low < high` and finite, more than 10,000 draws, or invalid weights; as
/// [`Recommender::recommend`] for invalid filters.
pub fn sensitivity(
    rec: &Recommender,
    resolved: &ResolvedProfile,
    options: &SensitivityOptions,
) -> Result<SensitivityReport> {
    let bad = |o: &str, m: String| Error::Option {
        option: format!("sensitivity.{o}"),
        message: m,
    };
    if options.options.top_k == 0 {
        return Err(bad("options.top_k", "must be at least 1".into()));
    }
    if !(options.delta.is_finite() && options.delta > 0.0 && options.delta < 1.0) {
        return Err(bad("delta", format!("{} is not in (0, 1)", options.delta)));
    }
    if !(options.low.is_finite()
        && options.high.is_finite()
        && options.low >= 0.0
        && options.low < options.high)
    {
        return Err(bad(
            "low",
            format!(
                "[{}, {}] is not a range with 0 <= low < high",
                options.low, options.high
            ),
        ));
    }
    if options.draws > 10_000 {
        return Err(bad(
            "draws",
            format!("{} draws; the limit is 10000", options.draws),
        ));
    }
    let base = &options.options;
    base.weights.normalized()?;
    // The ranking alone (no explanations): the same list as `recommend`, for a fraction of
    // the work, done once per perturbation.
    let d = rec.dataset();
    let top = |w: Weights| -> Result<Vec<String>> {
        let r = rec.rank(
            resolved,
            &Options {
                weights: w,
                ..base.clone()
            },
        )?;
        Ok(r.into_iter()
            .map(|(i, _)| d.partner(i).id().to_string())
            .collect())
    };
    let baseline = top(base.weights)?;
    let mut variants: Vec<(String, Weights)> = Vec::new();
    for c in Component::ALL {
        for f in [1.0 - options.delta, 1.0 + options.delta] {
            let mut w = base.weights;
            w.set(c, w.get(c) * f);
            variants.push((format!("{} x{f:.2}", c.as_str()), w));
        }
    }
    for (i, w) in random_weights(
        &base.weights,
        options.low,
        options.high,
        options.seed,
        options.draws,
    )
    .into_iter()
    .enumerate()
    {
        variants.push((format!("random #{}", i + 1), w));
    }
    let base_ids: Vec<&str> = baseline.iter().map(String::as_str).collect();
    let base_set: HashSet<&str> = base_ids.iter().copied().collect();
    let mut perturbations = Vec::with_capacity(variants.len());
    let mut stable: HashSet<&str> = base_set.clone();
    let mut entrants: BTreeMap<String, usize> = BTreeMap::new();
    let mut tops: Vec<Vec<String>> = Vec::with_capacity(variants.len());
    for (_, w) in &variants {
        // A draw can zero every weight only if low is 0 and every factor is 0; then there
        // is no ranking to compare, and the perturbation counts as a full change.
        tops.push(if w.normalized().is_ok() {
            top(*w)?
        } else {
            Vec::new()
        });
    }
    for ((label, w), t) in variants.into_iter().zip(&tops) {
        let ids: Vec<&str> = t.iter().map(String::as_str).collect();
        let set: HashSet<&str> = ids.iter().copied().collect();
        stable.retain(|x| set.contains(x));
        let entered: Vec<String> = ids
            .iter()
            .filter(|x| !base_set.contains(*x))
            .map(|x| x.to_string())
            .collect();
        for e in &entered {
            *entrants.entry(e.clone()).or_default() += 1;
        }
        perturbations.push(Perturbation {
            label,
            weights: w,
            overlap: base_ids.iter().filter(|x| set.contains(*x)).count() as f64
                / base_ids.len().max(1) as f64,
            kendall_tau: kendall_tau(&base_ids, &ids),
            entered,
            left: base_ids
                .iter()
                .filter(|x| !set.contains(*x))
                .map(|x| x.to_string())
                .collect(),
        });
    }
    let mean_overlap = mean(perturbations.iter().map(|p| p.overlap));
    let min_overlap = perturbations.iter().map(|p| p.overlap).fold(1.0, f64::min);
    let mean_kendall_tau = mean(perturbations.iter().filter_map(|p| p.kendall_tau));
    let stable: Vec<String> = base_ids
        .iter()
        .filter(|x| stable.contains(*x))
        .map(|x| x.to_string())
        .collect();
    Ok(SensitivityReport {
        baseline,
        perturbations,
        mean_overlap,
        min_overlap,
        mean_kendall_tau,
        stable,
        entrants,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn grades(v: &[(&str, u8)]) -> HashMap<String, u8> {
        v.iter().map(|(k, g)| (k.to_string(), *g)).collect()
    }

    #[test]
    fn ndcg_on_a_hand_computed_case() {
        // Ranking a, b, c, d with grades a=0, b=3, c=2, d=1 (judged), k = 3.
        // DCG@3 = 0/log2(2) + 7/log2(3) + 3/log2(4) = 4.416508275 + 1.5 = 5.916508275
        // IDCG@3 = 7/1 + 3/log2(3) + 1/2 = 7 + 1.892789261 + 0.5 = 9.392789261
        let g = grades(&[("a", 0), ("b", 3), ("c", 2), ("d", 1)]);
        let v = ndcg_at(&["a", "b", "c", "d"], &g, 3);
        assert!((v - 5.916508275 / 9.392789261).abs() < 1e-9, "{v}");
        assert!((ndcg_at(&["b", "c", "d", "a"], &g, 3) - 1.0).abs() < 1e-12);
        assert_eq!(ndcg_at(&["x", "y"], &grades(&[("a", 0)]), 2), 0.0);
    }

    #[test]
    fn precision_recall_and_rr_on_a_hand_computed_case() {
        let g = grades(&[("a", 0), ("b", 3), ("c", 2), ("d", 1), ("e", 2)]);
        // Relevant at threshold 2: b, c, e. Top 3 of a, b, c, d, e holds b and c.
        let (p, r, rr) = precision_recall_rr(&["a", "b", "c", "d", "e"], &g, 3, 2);
        assert!((p - 2.0 / 3.0).abs() < 1e-12);
        assert!((r.unwrap() - 2.0 / 3.0).abs() < 1e-12);
        assert_eq!(rr, Some(0.5));
        let (p, r, rr) = precision_recall_rr(&["a", "d"], &g, 2, 2);
        assert_eq!((p, r, rr), (0.0, Some(0.0), Some(0.0)));
        let (_, r, rr) = precision_recall_rr(&["a"], &grades(&[("a", 1)]), 1, 2);
        assert_eq!((r, rr), (None, None));
    }

    #[test]
    fn kendall_tau_on_hand_computed_cases() {
        assert_eq!(kendall_tau(&["a", "b", "c"], &["a", "b", "c"]), Some(1.0));
        assert_eq!(kendall_tau(&["a", "b", "c"], &["c", "b", "a"]), Some(-1.0));
        // Shared a, b, c; one pair of three swapped: (2 - 1) / 3.
        let t = kendall_tau(&["a", "b", "c", "x"], &["b", "a", "c", "y"]).unwrap();
        assert!((t - 1.0 / 3.0).abs() < 1e-12);
        assert_eq!(kendall_tau(&["a", "x"], &["a", "y"]), None);
    }

    /// Kendall's tau by comparing every pair, the definition.
    fn naive_tau(a: &[&str], b: &[&str]) -> Option<f64> {
        let common: Vec<usize> = a
            .iter()
            .filter_map(|x| b.iter().position(|y| y == x))
            .collect();
        let n = common.len();
        if n < 2 {
            return None;
        }
        let mut score = 0i64;
        for i in 0..n {
            for j in i + 1..n {
                score += if common[i] < common[j] { 1 } else { -1 };
            }
        }
        Some(score as f64 / (n * (n - 1) / 2) as f64)
    }

    #[test]
    fn kendall_tau_by_merge_sort_matches_the_definition() {
        let mut rng = SplitMix64(11);
        let ids: Vec<String> = (0..60).map(|i| format!("p{i}")).collect();
        for round in 0..300 {
            let n = round % 40;
            let pick = |rng: &mut SplitMix64| -> Vec<&str> {
                let mut v: Vec<&str> = ids.iter().map(String::as_str).collect();
                for i in (1..v.len()).rev() {
                    v.swap(i, (rng.unit() * (i + 1) as f64) as usize);
                }
                v.truncate(n);
                v
            };
            let (a, b) = (pick(&mut rng), pick(&mut rng));
            assert_eq!(kendall_tau(&a, &b), naive_tau(&a, &b), "{a:?} {b:?}");
            assert_eq!(kendall_tau(&a, &a), naive_tau(&a, &a));
        }
    }

    #[test]
    fn splitmix_is_reproducible_and_in_range() {
        let mut a = SplitMix64(7);
        let mut b = SplitMix64(7);
        for _ in 0..1000 {
            let x = a.unit();
            assert_eq!(x, b.unit());
            assert!((0.0..1.0).contains(&x));
        }
    }
}
