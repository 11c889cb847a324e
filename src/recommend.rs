//! The façade over steps 2 to 5: a [`Recommender`] holds a dataset's partners in the
//! kernel's packed form and turns profiles into explained, ranked [`Recommendations`].

use crate::dataset::{Dataset, Kind, PartnerIndex, Role};
use crate::explain::{
    self, ComparedPartner, Comparison, ComponentDifference, FieldNotes, Intermediary, ParetoEntry,
    ProfileSummary, Reason, ResolvedTerm, Risk,
};
use crate::features::FeatureMatrix;
use crate::kernel::{self, KernelQuery, PackedPartners};
use crate::profile::Profile;
use crate::resolve::{Matcher, ResolvedProfile, Warning};
use crate::score::{self, Component, Options, PerComponent, Query, Scored};
use crate::Result;
use serde::Serialize;
use std::sync::{Arc, OnceLock};

/// Ranks a dataset's partners for EU cluster profiles.
///
/// Build one per dataset and keep it: it packs the partners for the kernel once. It holds its
/// dataset (the embedded one by reference, or one it owns or shares, see [`SharedDataset`]),
/// so an application can keep a recommender for its own data in a struct or a `static`
/// without borrowing. It is immutable, `Send` and `Sync`, so one recommender serves many
/// threads. The dense [`FeatureMatrix`] is built only if [`Recommender::features`] asks for
/// it: ranking does not need it.
///
/// # Examples
///
/// The embedded data, or a dataset of your own held by the recommender:
///
/// ```
/// use eccp_china::{Dataset, Options, Profile, Recommender};
/// use std::sync::Arc;
/// # fn main() -> Result<(), eccp_china::Error> {
/// let embedded = Recommender::new(Dataset::embedded()?);
///
/// let mine: Arc<Dataset> = Arc::new(Dataset::builder().build()?);
/// struct App { rec: Recommender }
/// let app = App { rec: Recommender::new(Arc::clone(&mine)) };
///
/// let profile = Profile::builder("Wind", "DK").sector("wind energy").build()?;
/// let a = embedded.recommend_profile(&profile, &Options::default())?;
/// let b = app.rec.recommend_profile(&profile, &Options::default())?;
/// assert_eq!(a.matches, b.matches);
/// # Ok(())
/// # }
/// ```
#[derive(Debug, Clone)]
pub struct Recommender {
    dataset: SharedDataset,
    /// Built on first use, for export.
    matrix: OnceLock<FeatureMatrix>,
    packed: PackedPartners,
}

/// A dataset as a [`Recommender`] holds it: the embedded one (or any `&'static Dataset`) by
/// reference, or a [`Dataset`] it owns or shares through an [`Arc`]. Made by `From`, so
/// [`Recommender::new`] takes any of the three.
#[derive(Debug, Clone)]
pub struct SharedDataset(Holder);

#[derive(Debug, Clone)]
enum Holder {
    Static(&'static Dataset),
    Shared(Arc<Dataset>),
}

impl std::ops::Deref for SharedDataset {
    type Target = Dataset;
    fn deref(&self) -> &Dataset {
        match &self.0 {
            Holder::Static(d) => d,
            Holder::Shared(d) => d,
        }
    }
}

impl From<&'static Dataset> for SharedDataset {
    fn from(d: &'static Dataset) -> SharedDataset {
        SharedDataset(Holder::Static(d))
    }
}

impl From<Arc<Dataset>> for SharedDataset {
    fn from(d: Arc<Dataset>) -> SharedDataset {
        SharedDataset(Holder::Shared(d))
    }
}

impl From<Dataset> for SharedDataset {
    fn from(d: Dataset) -> SharedDataset {
        SharedDataset(Holder::Shared(Arc::new(d)))
    }
}

// One recommender serves many threads: fail to compile if that stops being true.
const _: () = {
    const fn send_and_sync<T: Send + Sync>() {}
    send_and_sync::<Recommender>();
    send_and_sync::<Dataset>();
};

impl Recommender {
    /// Packs the partners of `dataset`: `Dataset::embedded()?`, a [`Dataset`] of your own or
    /// an `Arc<Dataset>` you share.
    pub fn new(dataset: impl Into<SharedDataset>) -> Recommender {
        let dataset = dataset.into();
        let packed = PackedPartners::new(&dataset);
        Recommender {
            dataset,
            matrix: OnceLock::new(),
            packed,
        }
    }

    /// The dataset.
    pub fn dataset(&self) -> &Dataset {
        &self.dataset
    }

    /// The partners as a dense feature matrix (built on the first call, then kept): the
    /// one-hot expansion of the features the model scores, for export.
    pub fn features(&self) -> &FeatureMatrix {
        self.matrix
            .get_or_init(|| FeatureMatrix::new(&self.dataset))
    }

    /// Resolves a profile's free text (see [`Matcher::resolve`]).
    ///
    /// # Errors
    ///
    /// As [`Matcher::resolve`]: a sector or region that matches nothing.
    pub fn resolve(&self, profile: &Profile) -> Result<ResolvedProfile> {
        Matcher::new(&self.dataset).resolve(profile)
    }

    /// Resolves `profile` and recommends partners for it.
    ///
    /// # Errors
    ///
    /// As [`Recommender::resolve`] and [`Recommender::recommend`].
    pub fn recommend_profile(
        &self,
        profile: &Profile,
        options: &Options,
    ) -> Result<Recommendations> {
        self.recommend(&self.resolve(profile)?, options)
    }

    /// Whether the kernel serves a ranking: no diversity cap (a cap needs every candidate's
    /// record in rank order) and a top k small beside the partners (else scoring every
    /// partner exactly is as cheap).
    fn kernel_serves(&self, o: &Options) -> bool {
        o.diversity.max_per_city.is_none()
            && o.diversity.max_per_kind.is_none()
            && o.top_k.saturating_mul(8) < self.packed.len()
    }

    /// Ranks the partners for a resolved profile without explaining them: the top
    /// `options.top_k` as (partner, score), in the order of [`Recommender::recommend`]. Use it
    /// where only the ranking matters (evaluation, batch jobs); it skips the string work of
    /// explanations.
    ///
    /// # Errors
    ///
    /// As [`Recommender::recommend`].
    pub fn rank(
        &self,
        resolved: &ResolvedProfile,
        options: &Options,
    ) -> Result<Vec<(PartnerIndex, f64)>> {
        let q = Query::new(&self.dataset, resolved, options)?;
        if !self.kernel_serves(options) {
            return Ok(self.rank_exactly(&q, options));
        }
        let kq = KernelQuery::new(&self.dataset, &q, &self.packed);
        let rows = kernel::candidates(&self.packed, &kq, options.top_k);
        Ok(self.rescore(&q, rows, options.top_k))
    }

    /// Every admitted partner scored exactly, ranked, with the diversity caps applied.
    fn rank_exactly(&self, q: &Query, options: &Options) -> Vec<(PartnerIndex, f64)> {
        let everyone = score::score_all(&self.dataset, q);
        score::select(&self.dataset, &everyone, options.diversity, options.top_k)
            .into_iter()
            .map(|s| (s.partner, s.score))
            .collect()
    }

    /// The exact scores of the kernel's candidates and of the partners the profile's
    /// keywords name (whose names the kernel does not read), ranked by exact score and id.
    fn rescore(&self, q: &Query, rows: Vec<(usize, f64)>, k: usize) -> Vec<(PartnerIndex, f64)> {
        let d: &Dataset = &self.dataset;
        let mut partners: Vec<PartnerIndex> = rows
            .into_iter()
            .map(|(row, _)| self.packed.partner_of(row))
            .chain(
                q.sector_query()
                    .named_partners()
                    .into_iter()
                    .filter(|i| q.admits_partner(d, *i)),
            )
            .collect();
        partners.sort();
        partners.dedup();
        let mut exact: Vec<Scored> = partners
            .into_iter()
            .map(|i| q.score(d, i))
            .filter(|s| q.keeps(s))
            .collect();
        exact.sort_by(score::rank_order(d));
        exact
            .into_iter()
            .take(k)
            .map(|s| (s.partner, s.score))
            .collect()
    }

    /// Ranks partners for many profiles at once: the batch form of [`Recommender::rank`].
    /// Each profile keeps its own top k while the rows are read; with the `rayon` feature the
    /// profiles are spread over all cores.
    ///
    /// # Errors
    ///
    /// As [`Recommender::rank`].
    pub fn rank_batch(
        &self,
        profiles: &[ResolvedProfile],
        options: &Options,
    ) -> Result<Vec<Vec<(PartnerIndex, f64)>>> {
        let queries = profiles
            .iter()
            .map(|r| Query::new(&self.dataset, r, options))
            .collect::<Result<Vec<Query>>>()?;
        if !self.kernel_serves(options) {
            return Ok(queries
                .iter()
                .map(|q| self.rank_exactly(q, options))
                .collect());
        }
        let kqs: Vec<KernelQuery> = queries
            .iter()
            .map(|q| KernelQuery::new(&self.dataset, q, &self.packed))
            .collect();
        let rows = kernel::batch_candidates(&self.packed, &kqs, options.top_k);
        Ok(queries
            .iter()
            .zip(rows)
            .map(|(q, r)| self.rescore(q, r, options.top_k))
            .collect())
    }

    /// The reverse direction: for one partner, the `options.top_k` profiles it suits best,
    /// as (index into `profiles`, score), best first, ties to the lower index. A zone or an
    /// association looking for European clusters asks this. The options' weights apply; a
    /// profile whose filters would not admit the partner is left out.
    ///
    /// # Errors
    ///
    /// [`Error::Option`](crate::Error::Option) for invalid options.
    pub fn rank_profiles(
        &self,
        partner: PartnerIndex,
        profiles: &[ResolvedProfile],
        options: &Options,
    ) -> Result<Vec<(usize, f64)>> {
        let d: &Dataset = &self.dataset;
        let queries = profiles
            .iter()
            .map(|r| Query::new(d, r, options))
            .collect::<Result<Vec<Query>>>()?;
        let kqs: Vec<KernelQuery> = queries
            .iter()
            .map(|q| KernelQuery::new(d, q, &self.packed))
            .collect();
        let row = self.packed.position_of(partner).unwrap_or(usize::MAX);
        // The kernel does not read names: the profiles whose keywords name this partner are
        // candidates too.
        let named = queries
            .iter()
            .enumerate()
            .filter(|(_, q)| q.sector_query().named_partners().contains(&partner))
            .map(|(i, _)| i);
        let mut candidates: Vec<usize> =
            kernel::query_candidates(&self.packed, row, &kqs, options.top_k)
                .into_iter()
                .map(|(i, _)| i)
                .chain(named)
                .collect();
        candidates.sort_unstable();
        candidates.dedup();
        let mut exact: Vec<(usize, f64)> = candidates
            .into_iter()
            .filter(|i| queries[*i].admits_partner(d, partner))
            .map(|i| (i, queries[i].score(d, partner)))
            .filter(|(i, s)| queries[*i].keeps(s))
            .map(|(i, s)| (i, s.score))
            .collect();
        exact.sort_by(|a, b| b.1.total_cmp(&a.1).then(a.0.cmp(&b.0)));
        exact.truncate(options.top_k);
        Ok(exact)
    }

    /// The reverse direction, explained: for the partner with id `partner`, the
    /// `options.top_k` EU cluster profiles it suits best, each with the same score, parts,
    /// reasons and risks the forward direction gives that pair ([`Recommender::recommend`]
    /// ranks partners for one profile; this ranks profiles for one partner, on the same
    /// model). A Chinese zone or association looking for European clusters asks this.
    ///
    /// # Examples
    ///
    /// ```
    /// use eccp_china::{Dataset, Options, Profile, Recommender};
    /// # fn main() -> Result<(), eccp_china::Error> {
    /// let rec = Recommender::new(Dataset::embedded()?);
    /// let clusters = [
    ///     Profile::builder("Wind", "DK").sector("wind energy").build()?,
    ///     Profile::builder("Cars", "DE").sector("automotive").build()?,
    ///     Profile::builder("Textiles", "PT").sector("textiles").build()?,
    /// ];
    /// let r = rec.recommend_for_partner("huadu-automobile", &clusters, &Options::default())?;
    /// assert_eq!(r.matches[0].name, "Cars");
    /// assert!(!r.matches[0].reasons.is_empty());
    /// assert!(r.matches.iter().all(|m| m.name != "Textiles")); // no sector fit, no match
    /// # Ok(())
    /// # }
    /// ```
    ///
    /// # Errors
    ///
    /// [`Error::Option`](crate::Error::Option) for an id that is no partner of the dataset
    /// (naming the closest ids) or invalid options; as [`Recommender::resolve`] for a profile
    /// that does not resolve.
    pub fn recommend_for_partner(
        &self,
        partner: &str,
        profiles: &[Profile],
        options: &Options,
    ) -> Result<PartnerRecommendations> {
        let d: &Dataset = &self.dataset;
        let index = self.partner_index("partner", partner)?;
        let resolved = profiles
            .iter()
            .map(|p| self.resolve(p))
            .collect::<Result<Vec<ResolvedProfile>>>()?;
        let ranked = self.rank_profiles(index, &resolved, options)?;
        let p = d.partner(index);
        let as_of = advice_date(options);
        let mut matches = Vec::with_capacity(ranked.len());
        for (rank, (i, _)) in ranked.into_iter().enumerate() {
            let r = &resolved[i];
            let q = Query::new(d, r, options)?;
            let s = q.score(d, index);
            matches.push(ProfileMatch {
                rank: rank + 1,
                profile: i,
                name: r.profile().name().to_string(),
                country: r.profile().country().to_string(),
                score: s.score,
                breakdown: PerComponent::new(s.parts),
                components: PerComponent::new(s.components),
                reasons: explain::reasons(d, &q, r, &s, as_of),
                risks: explain::risks(d, r, p, as_of),
            });
        }
        let reg = d.regions();
        Ok(PartnerRecommendations {
            partner: index,
            id: p.id().to_string(),
            name: p.name().to_string(),
            kind: p.kind(),
            province: p.province().map(|pr| reg.province(pr).name().to_string()),
            matches,
            data_version: crate::DATA_VERSION,
            as_of,
        })
    }

    /// Why `a` scores above (or below) `b` for this profile: each component where their
    /// weighted parts differ, with the reasons behind each side's part. The differences,
    /// added in [`Component::ALL`](crate::Component::ALL) order, are the `gap`; it equals
    /// `a.score - b.score` up to the last bit of floating-point rounding. Each side also says
    /// its rank (or why it is not ranked: outside the profile's field, or kept out by a
    /// filter).
    ///
    /// # Examples
    ///
    /// ```
    /// use eccp_china::{Dataset, Options, Profile, Recommender};
    /// # fn main() -> Result<(), eccp_china::Error> {
    /// let rec = Recommender::new(Dataset::embedded()?);
    /// let p = Profile::builder("Cars", "DE").sector("automotive").build()?;
    /// let r = rec.resolve(&p)?;
    /// let c = rec.compare(&r, &Options::default(), "huadu-automobile", "catarc")?;
    /// let sum: f64 = c.differences.iter().map(|d| d.difference).sum();
    /// assert_eq!(sum, c.gap);
    /// assert!((c.gap - (c.a.score - c.b.score)).abs() < 1e-12);
    /// # Ok(())
    /// # }
    /// ```
    ///
    /// # Errors
    ///
    /// [`Error::Option`](crate::Error::Option) for an id that is no partner (naming the
    /// closest ids) or for invalid options.
    pub fn compare(
        &self,
        resolved: &ResolvedProfile,
        options: &Options,
        a: &str,
        b: &str,
    ) -> Result<Comparison> {
        let d: &Dataset = &self.dataset;
        let ia = self.partner_index("a", a)?;
        let ib = self.partner_index("b", b)?;
        let q = Query::new(d, resolved, options)?;
        let as_of = advice_date(options);
        let ranked: Vec<PartnerIndex> = self
            .rank(
                resolved,
                &Options {
                    top_k: usize::MAX,
                    ..options.clone()
                },
            )?
            .into_iter()
            .map(|(i, _)| i)
            .collect();
        let side = |i: PartnerIndex| {
            let (partner, s) = standing(d, &q, &ranked, options.top_k, i);
            (partner, explain::reasons(d, &q, resolved, &s, as_of))
        };
        let (sa, ra) = side(ia);
        let (sb, rb) = side(ib);
        let of = |rs: &[Reason], c: Component| -> Vec<Reason> {
            rs.iter()
                .filter(|r| r.kind.component() == Some(c))
                .cloned()
                .collect()
        };
        let mut gap = 0.0;
        let mut differences = Vec::new();
        for c in Component::ALL {
            let difference = sa.breakdown[c] - sb.breakdown[c];
            gap += difference;
            if difference != 0.0 {
                differences.push(ComponentDifference {
                    component: c,
                    a: sa.breakdown[c],
                    b: sb.breakdown[c],
                    difference,
                    a_reasons: of(&ra, c),
                    b_reasons: of(&rb, c),
                });
            }
        }
        Ok(Comparison {
            a: sa,
            b: sb,
            gap,
            differences,
        })
    }

    /// The index of the partner with id `id`, or an option error naming the closest ids.
    pub(crate) fn partner_index(&self, option: &str, id: &str) -> Result<PartnerIndex> {
        let d: &Dataset = &self.dataset;
        d.find_partner(id).ok_or_else(|| {
            let closest = crate::text::closest(id, d.partners().iter().map(|p| p.id()), 3);
            crate::Error::Option {
                option: option.into(),
                message: format!(
                    "`{id}` is no partner id of the dataset{}",
                    if closest.is_empty() {
                        String::new()
                    } else {
                        format!("; did you mean {}?", closest.join(", "))
                    }
                ),
            }
        })
    }

    /// The kernel's lookup tables for a profile, to score packed rows of this dataset's
    /// taxonomy and regions (for instance [`PackedPartners::synthetic`] ones).
    ///
    /// # Errors
    ///
    /// [`Error::Option`](crate::Error::Option) for invalid weights.
    pub fn kernel_query(
        &self,
        resolved: &ResolvedProfile,
        weights: &crate::Weights,
    ) -> Result<KernelQuery> {
        let options = Options {
            weights: *weights,
            ..Options::default()
        };
        let q = Query::new(&self.dataset, resolved, &options)?;
        Ok(KernelQuery::new(&self.dataset, &q, &self.packed))
    }

    /// Ranks the partners for a resolved profile and explains the top `options.top_k`.
    ///
    /// Matches come in descending score, ties broken by ascending partner id, so the same
    /// input always gives the same list. Only partners working in a field the profile names
    /// (a sector value above 0) are matches: a partner in another field is no partner, so a
    /// narrow profile may get fewer than `top_k`. Filters apply before ranking; intermediaries
    /// (support services, government bodies) are left out unless the options or the
    /// profile's `business_support` goal ask for them, and appear under each match's
    /// intermediaries instead; the diversity caps skip a partner whose city or kind is
    /// already full and take the next one.
    ///
    /// # Errors
    ///
    /// [`Error::Option`](crate::Error::Option) for invalid weights (negative, NaN, all zero),
    /// a filter naming an unknown macro-region or province, or a `min_score` outside [0, 1].
    /// Past these checks scoring cannot fail.
    pub fn recommend(
        &self,
        resolved: &ResolvedProfile,
        options: &Options,
    ) -> Result<Recommendations> {
        let q = Query::new(&self.dataset, resolved, options)?;
        // Every admitted partner scored exactly: the top k and the Pareto view (which looks
        // at every partner in the profile's field) are both read from it.
        let everyone = score::score_all(&self.dataset, &q);
        let ranked = score::select(&self.dataset, &everyone, options.diversity, options.top_k);
        let d: &Dataset = &self.dataset;
        let reg = d.regions();
        // Who can help: the intermediaries the same model scores best for this profile.
        let as_of = advice_date(options);
        let helpers = score::score_where(d, &q, &score::Admission::everyone(), |p| {
            p.role() == Role::Intermediary
        });
        let matches = ranked
            .iter()
            .enumerate()
            .map(|(i, s)| {
                let p = d.partner(s.partner);
                let city = d.city_of(p).map(|c| reg.place(c).name().to_string());
                Match {
                    rank: i + 1,
                    id: p.id().to_string(),
                    name: p.name().to_string(),
                    kind: p.kind(),
                    province: p.province().map(|pr| reg.province(pr).name().to_string()),
                    city,
                    macro_region: d
                        .macro_region_of(p)
                        .map(|m| reg.macro_region(m).name().to_string()),
                    tech: p.tech().level(),
                    control: p.control().level(),
                    score: s.score,
                    partner: s.partner,
                    breakdown: PerComponent::new(s.parts),
                    components: PerComponent::new(s.components),
                    reasons: explain::reasons(d, &q, resolved, s, as_of),
                    risks: explain::risks(d, resolved, p, as_of),
                    intermediaries: explain::intermediaries(d, resolved, s, &helpers, as_of),
                }
            })
            .collect::<Vec<Match>>();
        let field = field_notes(&matches);
        let tax = d.taxonomy();
        let sector_terms = |ms: &[crate::resolve::SectorMatch]| -> Vec<ResolvedTerm> {
            ms.iter()
                .map(|m| ResolvedTerm {
                    input: m.input.clone(),
                    resolved: m
                        .sectors
                        .iter()
                        .map(|s| tax.get(*s).id().to_string())
                        .collect(),
                    how: m.how.to_string(),
                })
                .collect()
        };
        let profile = resolved.profile();
        let weights = q.weights();
        Ok(Recommendations {
            profile: ProfileSummary {
                name: profile.name().to_string(),
                country: profile.country().to_string(),
                sectors: sector_terms(resolved.sector_matches()),
                keywords: sector_terms(resolved.keyword_matches()),
                products: resolved
                    .phrase_matches()
                    .iter()
                    .map(|m| ResolvedTerm {
                        input: m.input.clone(),
                        resolved: m
                            .partners
                            .iter()
                            .map(|i| d.partner(*i).id().to_string())
                            .collect(),
                        how: "named by these partners".into(),
                    })
                    .collect(),
                preferred_regions: resolved
                    .region_matches()
                    .iter()
                    .map(|m| ResolvedTerm {
                        input: m.input.clone(),
                        resolved: m
                            .regions
                            .iter()
                            .map(|r| crate::resolve::describe_region(d, *r))
                            .collect(),
                        how: m.how.to_string(),
                    })
                    .collect(),
                tech_level: profile.tech_level(),
                control_tolerance: profile.control_tolerance(),
                goals: profile.goals().iter().map(|g| g.as_str()).collect(),
            },
            weights: PerComponent::new(*weights),
            matches,
            field,
            pareto: explain::pareto(d, &everyone),
            general_risks: explain::general_notes(d, as_of),
            warnings: resolved.warnings().to_vec(),
            data_version: crate::DATA_VERSION,
            as_of,
            basis: Basis {
                resolved: Arc::new(resolved.clone()),
                options: options.clone(),
            },
        })
    }
}

/// The month advice is given for: [`Options::as_of`], else this month. Every explained
/// result reads it here, so that its notes' and programmes' statuses are of one date.
/// One side of a comparison: the partner's exact score, its rank in `ranked` (every match
/// in ranking order) and where it stands in words, with what the scorer returned for it.
pub(crate) fn standing(
    d: &Dataset,
    q: &Query,
    ranked: &[PartnerIndex],
    top_k: usize,
    i: PartnerIndex,
) -> (ComparedPartner, score::Scored) {
    let s = q.score(d, i);
    let p = d.partner(i);
    let rank = ranked.iter().position(|x| *x == i).map(|r| r + 1);
    let standing = match rank {
        Some(r) if r <= top_k => format!("ranked {r}"),
        Some(r) => format!("ranked {r}, outside your top {top_k}"),
        None if s.components[Component::Sector as usize] == 0.0 => {
            "not ranked: it works in no field your profile names".to_string()
        }
        None if !q.admits_partner(d, i) => {
            "not ranked: your filters or the intermediary rule keep it out".to_string()
        }
        None => "not ranked: below your minimum score".to_string(),
    };
    (
        ComparedPartner {
            id: p.id().to_string(),
            name: p.name().to_string(),
            rank,
            standing,
            score: s.score,
            breakdown: PerComponent::new(s.parts),
        },
        s,
    )
}

fn advice_date(options: &Options) -> crate::date::YearMonth {
    options.as_of.unwrap_or_else(crate::date::YearMonth::today)
}

/// The reasons, risks and intermediaries two or more of `matches` share, word for word.
fn field_notes(matches: &[Match]) -> FieldNotes {
    FieldNotes {
        reasons: explain::shared(
            matches.iter().map(|m| (m.rank, m.reasons.as_slice())),
            |r| r.text.clone(),
        ),
        risks: explain::shared(matches.iter().map(|m| (m.rank, m.risks.as_slice())), |r| {
            r.id.clone()
        }),
        intermediaries: explain::shared(
            matches
                .iter()
                .map(|m| (m.rank, m.intermediaries.as_slice())),
            |i| (i.id.clone(), i.why.clone()),
        ),
    }
}

/// The EU cluster profiles one Chinese partner suits, best first, explained: made by
/// [`Recommender::recommend_for_partner`].
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PartnerRecommendations {
    /// The partner's index in the recommender's dataset.
    #[serde(skip)]
    pub partner: PartnerIndex,
    /// Its id.
    pub id: String,
    /// Its name.
    pub name: String,
    /// Its kind.
    pub kind: Kind,
    /// Its province; `None` for national bodies.
    pub province: Option<String>,
    /// The profiles it suits, best first (ties to the lower index).
    pub matches: Vec<ProfileMatch>,
    /// [`DATA_VERSION`](crate::DATA_VERSION).
    pub data_version: &'static str,
    /// The month the advice is for ([`Options::as_of`], or the month it was made): the
    /// statuses of the notes' windows are at this date.
    pub as_of: crate::date::YearMonth,
}

/// One EU cluster profile a partner suits: the forward model's score and explanation of
/// that pair.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ProfileMatch {
    /// 1 for the best.
    pub rank: usize,
    /// Its index in the profiles given.
    pub profile: usize,
    /// The cluster's name.
    pub name: String,
    /// Its country code.
    pub country: String,
    /// The score, exactly the sum of `breakdown`.
    pub score: f64,
    /// Weighted part of each component.
    pub breakdown: PerComponent,
    /// Each component's value, in [0, 1], before weighting.
    pub components: PerComponent,
    /// Why, with the briefing's sections, as the forward direction says it.
    pub reasons: Vec<Reason>,
    /// What to watch out for in this pairing.
    pub risks: Vec<Risk>,
}

/// One recommended partner, explained.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Match {
    /// 1 for the best match.
    pub rank: usize,
    /// The partner's id.
    pub id: String,
    /// Its name.
    pub name: String,
    /// Its kind.
    pub kind: Kind,
    /// Its province; `None` for national bodies.
    pub province: Option<String>,
    /// Its city (prefecture or municipality); `None` for national and provincial bodies.
    pub city: Option<String>,
    /// Its macro-region.
    pub macro_region: Option<String>,
    /// Its tech level.
    pub tech: crate::Level,
    /// Its political control.
    pub control: crate::Level,
    /// The score, in [0, 1]: exactly the sum of `breakdown`'s values in component order.
    pub score: f64,
    /// The partner's index in the recommender's dataset
    /// ([`Dataset::partner`](crate::Dataset::partner) gives its whole record).
    #[serde(skip)]
    pub partner: PartnerIndex,
    /// Weighted part of each component.
    pub breakdown: PerComponent,
    /// Each component's value, in [0, 1], before weighting.
    pub components: PerComponent,
    /// Why, with the briefing's sections.
    pub reasons: Vec<Reason>,
    /// What to watch out for.
    pub risks: Vec<Risk>,
    /// Who can help make the contact.
    pub intermediaries: Vec<Intermediary>,
}

impl Match {
    /// The weighted parts in [`Component::ALL`](crate::Component::ALL) order (their sum is [`Match::score`]).
    pub fn parts(&self) -> [f64; 7] {
        self.breakdown.values()
    }
}

/// The result of a recommendation: the matches, best first, each explained, and what they
/// share, the Pareto view and the briefing's general cautions. Render it with
/// [`Recommendations::to_text`], [`Recommendations::to_json`],
/// [`Recommender::report_html`] or [`csvio::write_matches`](crate::csvio::write_matches).
///
/// # Examples
///
/// ```
/// use eccp_china::{Component, Dataset, Options, Profile, Recommender};
/// # fn main() -> Result<(), eccp_china::Error> {
/// let rec = Recommender::new(Dataset::embedded()?);
/// let p = Profile::builder("Cars", "DE").sectors(["automotive", "electric vehicles"]).build()?;
/// let recs = rec.recommend_profile(&p, &Options::default())?;
/// let best = &recs.matches[0];
/// // The score is the sum of its parts; each reason says what it explains and where from.
/// assert_eq!(best.breakdown.values().iter().sum::<f64>(), best.score);
/// for r in &best.reasons {
///     println!("{}: {} [{}]", r.kind.as_str(), r.text, r.source);
/// }
/// // What several matches share is said once, in the field block.
/// let shared = &recs.field.risks[0];
/// assert!(shared.ranks.len() >= 2);
/// assert!(recs.to_text().contains("For your field"));
/// assert!(recs.matches.iter().all(|m| m.breakdown[Component::Sector] > 0.0));
/// # Ok(())
/// # }
/// ```
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Recommendations {
    /// The profile as understood.
    pub profile: ProfileSummary,
    /// The normalised weights used.
    pub weights: PerComponent,
    /// The matches, best first.
    pub matches: Vec<Match>,
    /// What is said of two or more matches (the field's demand notes, risks, openings,
    /// intermediaries and programmes, and kind-wide defaults), once, with the ranks it is
    /// said of. The matches keep their full lists.
    pub field: FieldNotes,
    /// Partners close to the profile's sectors that no other beats on both tech level and
    /// low political control.
    pub pareto: Vec<ParetoEntry>,
    /// The briefing's general cautions, true of every match.
    pub general_risks: Vec<Risk>,
    /// Profile input used with a caveat or not used.
    pub warnings: Vec<Warning>,
    /// [`DATA_VERSION`](crate::DATA_VERSION).
    pub data_version: &'static str,
    /// The month the advice is for ([`Options::as_of`], or the month it was made).
    pub as_of: crate::date::YearMonth,
    /// The resolved profile and options it was made from, for re-rendering.
    #[serde(skip)]
    pub(crate) basis: Basis,
}

/// What a [`Recommendations`] was made from: the HTML report renders the caller's
/// recommendations and needs these for its what-if controls.
#[derive(Debug, Clone)]
pub(crate) struct Basis {
    pub(crate) resolved: Arc<ResolvedProfile>,
    pub(crate) options: Options,
}

impl PartialEq for Basis {
    fn eq(&self, other: &Basis) -> bool {
        self.options == other.options && self.resolved.profile() == other.resolved.profile()
    }
}
