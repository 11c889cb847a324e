//! The façade over steps 2 to 5: a [`Recommender`] holds the feature matrix of a dataset and
//! turns profiles into explained, ranked [`Recommendations`].

use crate::dataset::{Dataset, Kind, PartnerIndex};
use crate::explain::{self, Intermediary, ParetoEntry, Reason, Risk};
use crate::features::FeatureMatrix;
use crate::profile::Profile;
use crate::resolve::{Matcher, ResolvedProfile, Warning};
use crate::score::{self, Component, Options, Query, ResolvedFilter};
use crate::Result;
use serde::Serialize;
use std::collections::BTreeMap;

/// Ranks a dataset's partners for EU cluster profiles.
///
/// Build one per dataset and keep it: it holds the feature matrix, built once. It is
/// immutable, `Send` and `Sync`, so one recommender serves many threads.
#[derive(Debug, Clone)]
pub struct Recommender<'d> {
    dataset: &'d Dataset,
    matrix: FeatureMatrix,
}

impl<'d> Recommender<'d> {
    /// Builds the feature matrix of `dataset`.
    pub fn new(dataset: &'d Dataset) -> Recommender<'d> {
        Recommender {
            dataset,
            matrix: FeatureMatrix::new(dataset),
        }
    }

    /// The dataset.
    pub fn dataset(&self) -> &'d Dataset {
        self.dataset
    }

    /// The feature matrix.
    pub fn features(&self) -> &FeatureMatrix {
        &self.matrix
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
        let query = Query::new(self.dataset, &self.matrix, resolved);
        let everyone = score::score_all(self.dataset, &self.matrix, &query, &weights, &filter);
        Ok(
            score::select(self.dataset, &everyone, options.diversity, options.top_k)
                .into_iter()
                .map(|s| (s.partner, s.score))
                .collect(),
        )
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
        let query = Query::new(self.dataset, &self.matrix, resolved);
        // One pass scores every admitted partner; the top k and the Pareto view (which looks
        // at every partner in the profile's field) are both read from it.
        let everyone = score::score_all(self.dataset, &self.matrix, &query, &weights, &filter);
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
                    reasons: explain::reasons(d, &self.matrix, &query, resolved, s),
                    risks: explain::risks(d, resolved, p),
                    intermediaries: explain::intermediaries(d, resolved, s),
                }
            })
            .collect();
        let tax = d.taxonomy();
        let profile = resolved.profile();
        Ok(Recommendations {
            profile: ProfileSummary {
                name: profile.name().to_string(),
                country: profile.country().to_string(),
                sectors: resolved
                    .sector_matches()
                    .iter()
                    .map(|m| ResolvedTerm {
                        input: m.input.clone(),
                        resolved: m
                            .sectors
                            .iter()
                            .map(|s| tax.get(*s).id().to_string())
                            .collect(),
                        how: m.how.to_string(),
                    })
                    .collect(),
                keywords: resolved
                    .keyword_matches()
                    .iter()
                    .map(|m| ResolvedTerm {
                        input: m.input.clone(),
                        resolved: m
                            .sectors
                            .iter()
                            .map(|s| tax.get(*s).id().to_string())
                            .collect(),
                        how: m.how.to_string(),
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
