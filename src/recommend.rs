//! The façade over steps 2 to 5: a [`Recommender`] holds the feature matrix of a dataset and
//! turns profiles into explained, ranked [`Recommendations`].

use crate::dataset::{Dataset, Kind, PartnerIndex};
use crate::explain::{self, Intermediary, ParetoEntry, Reason, Risk};
use crate::features::{self, FeatureMatrix, Layout};
use crate::kernel::{self, KernelQuery, PackedPartners};
use crate::profile::Profile;
use crate::resolve::{Matcher, ResolvedProfile, Warning};
use crate::score::{self, Component, Options, Query, ResolvedFilter};
use crate::Result;
use serde::Serialize;
use std::collections::BTreeMap;
use std::sync::OnceLock;

/// How many candidates beyond k the kernel hands to exact re-scoring.
const RESCORE_SLACK: usize = 8;

/// Whether the fused kernel can serve these options: no kind or region filter and no
/// diversity cap (those need every candidate's record; the general pass serves them).
fn kernel_applies(o: &Options) -> bool {
    o.filter.kinds.is_empty()
        && o.filter.macro_regions.is_empty()
        && o.filter.provinces.is_empty()
        && o.diversity.max_per_city.is_none()
        && o.diversity.max_per_kind.is_none()
}

/// Ranks a dataset's partners for EU cluster profiles.
///
/// Build one per dataset and keep it: it holds the feature matrix, built once. It is
/// immutable, `Send` and `Sync`, so one recommender serves many threads.
#[derive(Debug, Clone)]
pub struct Recommender<'d> {
    dataset: &'d Dataset,
    layout: Layout,
    /// Built on first use: explanations, filtered queries and diversity caps read it; the
    /// kernel does not.
    matrix: OnceLock<FeatureMatrix>,
    packed: PackedPartners,
}

impl<'d> Recommender<'d> {
    /// Builds the feature matrix of `dataset`.
    pub fn new(dataset: &'d Dataset) -> Recommender<'d> {
        Recommender {
            dataset,
            layout: Layout::new(dataset),
            matrix: OnceLock::new(),
            packed: PackedPartners::new(dataset),
        }
    }

    /// The dataset.
    pub fn dataset(&self) -> &'d Dataset {
        self.dataset
    }

    /// The feature matrix.
    pub fn features(&self) -> &FeatureMatrix {
        self.matrix.get_or_init(|| FeatureMatrix::new(self.dataset))
    }

    /// Resolves a profile's free text (see [`Matcher::resolve`]).
    ///
    /// # Errors
    ///
    /// As [`Matcher::resolve`]: a sector or region that matches nothing.
    pub fn resolve(&self, profile: &Profile) -> Result<ResolvedProfile> {
        Matcher::new(self.dataset).resolve(profile)
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
        let weights = options.weights.normalized()?;
        let filter = ResolvedFilter::new(self.dataset, &options.filter)?;
        let query = Query::new(self.dataset, &self.layout, resolved);
        if !kernel_applies(options) {
            let everyone =
                score::score_all(self.dataset, self.features(), &query, &weights, &filter);
            return Ok(
                score::select(self.dataset, &everyone, options.diversity, options.top_k)
                    .into_iter()
                    .map(|s| (s.partner, s.score))
                    .collect(),
            );
        }
        let kq = KernelQuery::new(self.dataset, &self.layout, &query, &weights, &self.packed);
        let rows = kernel::top_k(
            &self.packed,
            &kq,
            options.top_k.saturating_add(RESCORE_SLACK),
        );
        Ok(self.rescore(&query, &weights, &filter, rows, options.top_k))
    }

    /// The exact scores of the kernel's candidates, ranked: the kernel adds the same terms in
    /// another order, so near-ties are settled by the exact arithmetic of the general pass.
    fn rescore(
        &self,
        query: &Query,
        weights: &[f64; 7],
        filter: &ResolvedFilter,
        rows: Vec<(usize, f64)>,
        k: usize,
    ) -> Vec<(PartnerIndex, f64)> {
        // A few candidates out of many: build their rows alone. Many, or the matrix is there
        // already: read it (it is built once and kept).
        let use_matrix = self.matrix.get().is_some()
            || rows.len().saturating_mul(8) >= self.dataset.partners().len();
        let mut exact: Vec<score::Scored> = rows
            .into_iter()
            .map(|(row, _)| {
                let partner = self.packed.partner_of(row);
                let comps = if use_matrix {
                    score::components(
                        query,
                        &self.layout,
                        self.features().matrix().row(partner.index()),
                    )
                } else {
                    let features =
                        features::row_of(self.dataset, &self.layout, self.dataset.partner(partner));
                    score::components(query, &self.layout, features.view())
                };
                let (parts, score) = score::combine(weights, &comps);
                score::Scored {
                    partner,
                    score,
                    components: comps,
                    parts,
                }
            })
            .filter(|s| s.score >= filter.min_score())
            .collect();
        exact.sort_by(score::rank_order(self.dataset));
        exact
            .into_iter()
            .take(k)
            .map(|s| (s.partner, s.score))
            .collect()
    }

    /// Ranks partners for many profiles at once: the batch form of [`Recommender::rank`].
    /// The rows are scored in cache-sized tiles for all profiles, each keeping its own top k;
    /// with the `rayon` feature the profiles are spread over all cores.
    ///
    /// # Errors
    ///
    /// As [`Recommender::rank`].
    pub fn rank_batch(
        &self,
        profiles: &[ResolvedProfile],
        options: &Options,
    ) -> Result<Vec<Vec<(PartnerIndex, f64)>>> {
        if !kernel_applies(options) {
            return profiles.iter().map(|r| self.rank(r, options)).collect();
        }
        let weights = options.weights.normalized()?;
        let filter = ResolvedFilter::new(self.dataset, &options.filter)?;
        let (queries, kqs) = self.queries(profiles, &weights);
        let k = options.top_k.saturating_add(RESCORE_SLACK);
        #[cfg(feature = "rayon")]
        let rows = kernel::batch_top_k_parallel(&self.packed, &kqs, k);
        #[cfg(not(feature = "rayon"))]
        let rows = kernel::batch_top_k(&self.packed, &kqs, k);
        Ok(queries
            .iter()
            .zip(rows)
            .map(|(q, r)| self.rescore(q, &weights, &filter, r, options.top_k))
            .collect())
    }

    /// The reverse direction: for one partner, the `options.top_k` profiles it suits best,
    /// as (index into `profiles`, score), best first, ties to the lower index. A zone or an
    /// association looking for European clusters asks this.
    ///
    /// # Errors
    ///
    /// [`Error::Option`](crate::Error::Option) for invalid weights.
    pub fn rank_profiles(
        &self,
        partner: PartnerIndex,
        profiles: &[ResolvedProfile],
        options: &Options,
    ) -> Result<Vec<(usize, f64)>> {
        let weights = options.weights.normalized()?;
        let (queries, kqs) = self.queries(profiles, &weights);
        let row = self.packed.position_of(partner).unwrap_or(usize::MAX);
        let candidates = kernel::rank_queries(
            &self.packed,
            row,
            &kqs,
            options.top_k.saturating_add(RESCORE_SLACK),
        );
        let features = features::row_of(self.dataset, &self.layout, self.dataset.partner(partner));
        let mut exact: Vec<(usize, f64)> = candidates
            .into_iter()
            .map(|(qi, _)| {
                let comps = score::components(&queries[qi], &self.layout, features.view());
                (qi, score::combine(&weights, &comps).1)
            })
            .collect();
        exact.sort_by(|a, b| b.1.total_cmp(&a.1).then(a.0.cmp(&b.0)));
        exact.truncate(options.top_k);
        Ok(exact)
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
        let w = weights.normalized()?;
        let q = Query::new(self.dataset, &self.layout, resolved);
        Ok(KernelQuery::new(
            self.dataset,
            &self.layout,
            &q,
            &w,
            &self.packed,
        ))
    }

    /// The matrix-path query and the kernel's tables of each profile.
    fn queries(
        &self,
        profiles: &[ResolvedProfile],
        weights: &[f64; 7],
    ) -> (Vec<Query>, Vec<KernelQuery>) {
        let queries: Vec<Query> = profiles
            .iter()
            .map(|r| Query::new(self.dataset, &self.layout, r))
            .collect();
        let kqs = queries
            .iter()
            .map(|q| KernelQuery::new(self.dataset, &self.layout, q, weights, &self.packed))
            .collect();
        (queries, kqs)
    }

    /// The packed rows the kernel reads.
    pub fn packed(&self) -> &PackedPartners {
        &self.packed
    }

    /// Ranks the partners for a resolved profile and explains the top `options.top_k`.
    ///
    /// Matches come in descending score, ties broken by ascending partner id, so the same
    /// input always gives the same list. Filters apply before ranking; the diversity caps
    /// skip a partner whose city or kind is already full and take the next one.
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
        let weights = options.weights.normalized()?;
        let filter = ResolvedFilter::new(self.dataset, &options.filter)?;
        let query = Query::new(self.dataset, &self.layout, resolved);
        // One pass scores every admitted partner; the top k and the Pareto view (which looks
        // at every partner in the profile's field) are both read from it.
        let everyone = score::score_all(self.dataset, self.features(), &query, &weights, &filter);
        let ranked = score::select(self.dataset, &everyone, options.diversity, options.top_k);
        let d = self.dataset;
        let reg = d.regions();
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
                    breakdown: Component::ALL
                        .iter()
                        .map(|c| (c.as_str(), s.parts[*c as usize]))
                        .collect(),
                    components: Component::ALL
                        .iter()
                        .map(|c| (c.as_str(), s.components[*c as usize]))
                        .collect(),
                    reasons: explain::reasons(d, self.features(), &query, resolved, s),
                    risks: explain::risks(d, resolved, p),
                    intermediaries: explain::intermediaries(d, resolved, s),
                }
            })
            .collect();
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
        Ok(Recommendations {
            profile: ProfileSummary {
                name: profile.name().to_string(),
                country: profile.country().to_string(),
                sectors: sector_terms(resolved.sector_matches()),
                keywords: sector_terms(resolved.keyword_matches()),
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
            weights: Component::ALL
                .iter()
                .map(|c| (c.as_str(), weights[*c as usize]))
                .collect(),
            matches,
            pareto: explain::pareto(d, &everyone),
            general_risks: explain::general_notes(d),
            warnings: resolved.warnings().to_vec(),
            data_version: crate::DATA_VERSION,
        })
    }
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
    /// Preferred regions, resolved.
    pub preferred_regions: Vec<ResolvedTerm>,
    /// Tech level.
    pub tech_level: crate::Level,
    /// Tolerance of political control.
    pub control_tolerance: f64,
    /// Goals.
    pub goals: Vec<&'static str>,
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
    /// Weighted part of each component.
    pub breakdown: BTreeMap<&'static str, f64>,
    /// Each component's value, in [0, 1], before weighting.
    pub components: BTreeMap<&'static str, f64>,
    /// Why, with the briefing's sections.
    pub reasons: Vec<Reason>,
    /// What to watch out for.
    pub risks: Vec<Risk>,
    /// Who can help make the contact.
    pub intermediaries: Vec<Intermediary>,
}

impl Match {
    /// The weighted parts in [`Component::ALL`] order (their sum is [`Match::score`]).
    pub fn parts(&self) -> [f64; 7] {
        Component::ALL.map(|c| self.breakdown[c.as_str()])
    }
}

/// The result of a recommendation.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Recommendations {
    /// The profile as understood.
    pub profile: ProfileSummary,
    /// The normalised weights used.
    pub weights: BTreeMap<&'static str, f64>,
    /// The matches, best first.
    pub matches: Vec<Match>,
    /// Partners close to the profile's sectors that no other beats on both tech level and
    /// low political control.
    pub pareto: Vec<ParetoEntry>,
    /// The briefing's general cautions, true of every match.
    pub general_risks: Vec<Risk>,
    /// Profile input used with a caveat or not used.
    pub warnings: Vec<Warning>,
    /// [`DATA_VERSION`](crate::DATA_VERSION).
    pub data_version: &'static str,
}
