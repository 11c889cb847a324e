//! [`Component::Sector`](super::Component::Sector): how close the partner's field is to the
//! cluster's specialisations, and whether its own name says it makes what the cluster named.
//!
//! A cluster lists what it does: its `sectors` entries and its keywords. Each is a
//! *specialisation*. A partner is worth meeting when it matches one of them strongly, so the
//! fit is led by the best match; covering several is a bonus, not a requirement
//! ([`COVERAGE_SHARE`]). A keyword that partners' own names use ("socks", "locks",
//! "titanium") says precisely what the cluster makes; the fewer partners share it, the more it
//! decides among the partners of a field, as a search engine weighs a rare term above a
//! common one ([`specificity`], [`PRECISION_SHARE`]).

use crate::dataset::{Dataset, PartnerIndex, SectorId};
use crate::resolve::{ResolvedProfile, SectorMatch};

/// What a keyword outside the profile's sectors counts in the fit against a `sectors` entry:
/// half. Such a keyword is a side interest (a topic, a neighbouring product), so a partner
/// that only meets it is a weaker match than one in a named sector. A keyword that lies
/// within one of the profile's sectors ("silk" for a textiles cluster) refines that sector
/// and counts as a specialisation in full.
pub(crate) const KEYWORD_WEIGHT: f64 = 0.5;
/// The share of the fit that rewards covering several specialisations (the weighted mean of
/// every specialisation's match); the rest is the best single match.
pub(crate) const COVERAGE_SHARE: f64 = 0.25;
/// The share of the sector value that a keyword naming the partner's own product carries,
/// when the profile has such keywords; the rest is the fit.
pub(crate) const PRECISION_SHARE: f64 = 0.25;
/// A specialisation is met (for explanations) from this closeness on.
pub(crate) const MET: f64 = 0.5;

/// How specific a keyword is, in (0, 1]: `ln((n + 1) / df) / ln(n + 1)` for a keyword that
/// `df` of `n` partners' names use. 1 for a keyword one partner uses, near 0 for one every
/// partner uses: inverse document frequency, scaled to [0, 1].
pub(crate) fn specificity(df: usize, n: usize) -> f64 {
    let (df, n) = (df.max(1) as f64, n.max(1) as f64);
    ((n + 1.0) / df).ln() / (n + 1.0).ln()
}

/// The fit of a partner to a weighted set of specialisations, from each one's match:
/// `(1 - COVERAGE_SHARE) * best + COVERAGE_SHARE * mean`, where `best` is the highest
/// weighted match and `mean` the weighted mean. Empty input is 0.
pub(crate) fn fit_of(matches: impl Iterator<Item = (f64, f64)>) -> f64 {
    let (mut best, mut total, mut weights) = (0.0f64, 0.0, 0.0);
    for (w, m) in matches {
        best = best.max(w * m);
        total += w * m;
        weights += w;
    }
    if weights <= 0.0 {
        return 0.0;
    }
    (1.0 - COVERAGE_SHARE) * best + COVERAGE_SHARE * total / weights
}

/// One specialisation of the profile: a `sectors` entry or a keyword resolved to sectors.
#[derive(Debug, Clone)]
pub(crate) struct Term {
    /// As written.
    pub input: String,
    /// 1 for a `sectors` entry and a keyword within one, [`KEYWORD_WEIGHT`] for another
    /// keyword.
    pub weight: f64,
    sectors: Vec<SectorId>,
}

/// A keyword that partners' names use.
#[derive(Debug, Clone)]
pub(crate) struct Phrase {
    /// As written.
    pub input: String,
    /// [`specificity`] of the keyword among the dataset's partners.
    pub specificity: f64,
    /// How many partners use it.
    pub partners_sharing: usize,
    partners: Vec<PartnerIndex>,
}

/// The specialisation that decided a fit.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) struct BestTerm {
    /// Index into [`SectorQuery::terms`].
    pub term: usize,
    /// The profile's sector.
    pub wanted: SectorId,
    /// The partner's sector.
    pub partner: SectorId,
    /// Their closeness.
    pub closeness: f64,
}

/// What produced a fit.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) struct Fit {
    /// The fit, in [0, 1].
    pub value: f64,
    /// The best weighted match.
    pub best: Option<BestTerm>,
    /// How many specialisations it meets at [`MET`] or closer, of how many.
    pub met: (usize, usize),
}

/// What produced a sector value.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) struct SectorWhy {
    pub fit: Fit,
    /// The most specific keyword the partner's name uses (index into
    /// [`SectorQuery::phrases`]), when the profile has such keywords.
    pub phrase: Option<usize>,
}

/// The sector component's part of a query.
#[derive(Debug, Clone)]
pub(crate) struct SectorQuery {
    terms: Vec<Term>,
    n_sectors: usize,
    /// Term-major, one row per term and a column per taxonomy sector: the best closeness of
    /// the term's sectors to a partner working there. One dense table, read for every
    /// partner...
    closeness: Vec<f64>,
    /// ... and, in the same layout, which of the term's sectors gave it (for explanations).
    wanted: Vec<SectorId>,
    phrases: Vec<Phrase>,
}

impl SectorQuery {
    pub(crate) fn new(d: &Dataset, r: &ResolvedProfile) -> SectorQuery {
        let tax = d.taxonomy();
        let n_sectors = tax.sectors().len();
        let make = |m: &SectorMatch, weight: f64| {
            let mut sectors = m.sectors.clone();
            sectors.sort();
            sectors.dedup();
            Term {
                input: m.input.clone(),
                weight,
                sectors,
            }
        };
        // Canonical order (entries first, then by sectors, then as written), so that values do
        // not depend on how the profile lists things; a specialisation named twice counts once.
        let canonical = |mut v: Vec<Term>| {
            v.sort_by(|a, b| {
                a.sectors
                    .cmp(&b.sectors)
                    .then_with(|| a.input.cmp(&b.input))
            });
            v
        };
        let mut terms = canonical(r.sector_matches().iter().map(|m| make(m, 1.0)).collect());
        terms.dedup_by(|b, a| a.sectors == b.sectors);
        let entry_sectors = r.sectors();
        let refines = |m: &SectorMatch| {
            m.sectors
                .iter()
                .any(|k| entry_sectors.iter().any(|e| tax.is_within(*k, *e)))
        };
        for t in canonical(
            r.keyword_matches()
                .iter()
                .map(|m| make(m, if refines(m) { 1.0 } else { KEYWORD_WEIGHT }))
                .collect(),
        ) {
            if !terms.iter().any(|x| x.sectors == t.sectors) {
                terms.push(t);
            }
        }
        let n = d.partners().len();
        let mut phrases: Vec<Phrase> = r
            .phrase_matches()
            .iter()
            .map(|m| Phrase {
                input: m.input.clone(),
                specificity: specificity(m.partners.len(), n),
                partners_sharing: m.partners.len(),
                partners: m.partners.clone(),
            })
            .collect();
        phrases.sort_by(|a, b| {
            b.specificity
                .total_cmp(&a.specificity)
                .then_with(|| a.input.cmp(&b.input))
        });
        let mut closeness = Vec::with_capacity(terms.len() * n_sectors);
        let mut wanted = Vec::with_capacity(terms.len() * n_sectors);
        for t in &terms {
            for s in 0..n_sectors {
                let s = SectorId(s as u16);
                let (c, w) = t
                    .sectors
                    .iter()
                    .map(|w| (tax.closeness(*w, s), *w))
                    .fold((0.0, SectorId(0)), |a, b| if b.0 > a.0 { b } else { a });
                closeness.push(c);
                wanted.push(w);
            }
        }
        SectorQuery {
            terms,
            n_sectors,
            closeness,
            wanted,
            phrases,
        }
    }

    /// The profile's specialisations, entries first.
    pub(crate) fn terms(&self) -> &[Term] {
        &self.terms
    }

    /// The keywords partners' names use, most specific first.
    pub(crate) fn phrases(&self) -> &[Phrase] {
        &self.phrases
    }

    /// Every partner some keyword names, ascending, without duplicates.
    pub(crate) fn named_partners(&self) -> Vec<PartnerIndex> {
        let mut v: Vec<PartnerIndex> = self
            .phrases
            .iter()
            .flat_map(|p| p.partners.iter().copied())
            .collect();
        v.sort();
        v.dedup();
        v
    }

    /// The fit of a partner working in `sectors` (main first) to the specialisations, with
    /// each specialisation's match handed to `seen` as it is computed: `(index, term, best
    /// closeness, the partner's sector that gave it)`. A specialisation's match is the best
    /// closeness over the partner's sectors; the first wins a tie.
    #[inline]
    fn fit_with(
        &self,
        sectors: &[SectorId],
        mut seen: impl FnMut(usize, &Term, f64, SectorId),
    ) -> f64 {
        let n = self.n_sectors;
        fit_of(self.terms.iter().enumerate().map(|(i, t)| {
            let row = self.closeness.get(i * n..(i + 1) * n).unwrap_or(&[]);
            let (mut c, mut at) = (0.0, SectorId(0));
            for s in sectors {
                let v = row.get(s.index()).copied().unwrap_or(0.0);
                if v > c {
                    (c, at) = (v, *s);
                }
            }
            seen(i, t, c, at);
            (t.weight, c)
        }))
    }

    /// The fit of a partner working in `sectors` (main first) to the specialisations, and
    /// what produced it.
    pub(crate) fn fit(&self, sectors: &[SectorId]) -> Fit {
        let mut best: Option<BestTerm> = None;
        let mut best_weighted = 0.0;
        let mut met = 0;
        let n = self.n_sectors;
        let value = self.fit_with(sectors, |i, t, c, partner| {
            if t.weight * c > best_weighted {
                best_weighted = t.weight * c;
                best = Some(BestTerm {
                    term: i,
                    wanted: self
                        .wanted
                        .get(i * n + partner.index())
                        .copied()
                        .unwrap_or(partner),
                    partner,
                    closeness: c,
                });
            }
            if c >= MET {
                met += 1;
            }
        });
        Fit {
            value,
            best,
            met: (met, self.terms.len()),
        }
    }

    /// The most specific phrase that names `partner` (phrases are sorted most specific
    /// first), and the sector value of a partner with this fit.
    #[inline]
    fn with_precision(&self, fit: f64, partner: Option<PartnerIndex>) -> (f64, Option<usize>) {
        if self.phrases.is_empty() {
            return (fit, None);
        }
        let phrase = partner.and_then(|p| {
            self.phrases
                .iter()
                .position(|ph| ph.partners.binary_search(&p).is_ok())
        });
        let precision = phrase.map_or(0.0, |i| self.phrases[i].specificity);
        (
            (1.0 - PRECISION_SHARE) * fit + PRECISION_SHARE * precision,
            phrase,
        )
    }

    /// The sector value of a partner working in `sectors` (main first), in [0, 1]: its fit,
    /// and, when the profile names products that clusters' names use, the specificity of the
    /// most specific one this partner's name uses (`partner`; `None` reads no name); with
    /// what produced it.
    pub(crate) fn value(
        &self,
        sectors: &[SectorId],
        partner: Option<PartnerIndex>,
    ) -> (f64, SectorWhy) {
        let fit = self.fit(sectors);
        let (value, phrase) = self.with_precision(fit.value, partner);
        (value, SectorWhy { fit, phrase })
    }

    /// [`SectorQuery::value`] without what produced it: the same rule, for the kernel's hot
    /// path.
    #[inline]
    pub(crate) fn value_only(&self, sectors: &[SectorId], partner: Option<PartnerIndex>) -> f64 {
        let fit = self.fit_with(sectors, |_, _, _, _| {});
        self.with_precision(fit, partner).0
    }
}
