//! The score computed the slow, direct way: partner by partner, from the records and the
//! taxonomy, without the model's query tables, the name index or the kernel.
//!
//! It exists to check the fast paths (the tests compare them with it on random profiles)
//! and is deliberately naive: every rule is computed from scratch for every partner, with
//! plain loops. It shares only the model's constants and the text normalisation. Use
//! [`Recommender`](crate::Recommender) for real work.

use crate::dataset::{Dataset, Goal, Partner, PartnerIndex, RegionRef, Role, SectorId};
use crate::resolve::ResolvedProfile;
use crate::score::constants::{
    grade_value, specificity, strength_value, COVERAGE_SHARE, IN_PREFERRED, KEYWORD_WEIGHT,
    NATIONAL, PLACE_SAME_MACRO, PLACE_SAME_PROVINCE, PRECISION_SHARE, PROVINCE_SAME_MACRO,
    STRENGTH_FLOOR,
};
use crate::score::{control_fit, goal_affinity, tech_fit, Component, Options};
use crate::text::{contains_words, product_words};
use crate::Result;

/// The best closeness of a profile asking for any of `wanted` to one of `sectors`.
fn best_closeness(d: &Dataset, wanted: &[SectorId], sectors: &[SectorId]) -> f64 {
    let tax = d.taxonomy();
    let mut best: f64 = 0.0;
    for w in wanted {
        for s in sectors {
            best = best.max(tax.closeness(*w, *s));
        }
    }
    best
}

/// The profile's specialisations as (weight, sorted sectors): the `sectors` entries, then
/// the keywords whose sectors are not already an entry's; each set once.
fn specialisations(d: &Dataset, r: &ResolvedProfile) -> Vec<(f64, Vec<SectorId>)> {
    let sorted = |v: &[SectorId]| {
        let mut v = v.to_vec();
        v.sort();
        v.dedup();
        v
    };
    let mut entries: Vec<Vec<SectorId>> = r
        .sector_matches()
        .iter()
        .map(|m| sorted(&m.sectors))
        .collect();
    entries.sort();
    entries.dedup();
    let mut out: Vec<(f64, Vec<SectorId>)> = entries.iter().map(|e| (1.0, e.clone())).collect();
    let mut keywords: Vec<Vec<SectorId>> = r
        .keyword_matches()
        .iter()
        .map(|m| sorted(&m.sectors))
        .collect();
    keywords.sort();
    keywords.dedup();
    let entry_sectors = r.sectors();
    for k in keywords {
        if !entries.contains(&k) {
            let mut refines = false;
            for s in &k {
                for e in &entry_sectors {
                    if d.taxonomy().is_within(*s, *e) {
                        refines = true;
                    }
                }
            }
            out.push((if refines { 1.0 } else { KEYWORD_WEIGHT }, k));
        }
    }
    out
}

/// Best match plus the coverage bonus, over the specialisations.
fn fit(d: &Dataset, specs: &[(f64, Vec<SectorId>)], sectors: &[SectorId]) -> f64 {
    let mut best: f64 = 0.0;
    let mut total = 0.0;
    let mut weights = 0.0;
    for (w, wanted) in specs {
        let c = best_closeness(d, wanted, sectors);
        best = best.max(w * c);
        total += w * c;
        weights += w;
    }
    if weights == 0.0 {
        return 0.0;
    }
    (1.0 - COVERAGE_SHARE) * best + COVERAGE_SHARE * total / weights
}

/// The words of an industrial cluster's names that say what it makes: no place names. Other
/// partners' names are not read.
fn name_words(d: &Dataset, p: &Partner) -> Vec<Vec<String>> {
    let mut out = Vec::new();
    if p.kind() != crate::Kind::IndustrialCluster {
        return out;
    }
    for name in std::iter::once(p.name()).chain(p.aliases().iter().map(String::as_str)) {
        let words: Vec<String> = product_words(name)
            .into_iter()
            .filter(|w| d.regions().lookup(w).is_none())
            .collect();
        out.push(words);
    }
    out
}

fn names_keyword(d: &Dataset, p: &Partner, keyword: &str) -> bool {
    let words: Vec<String> = product_words(keyword)
        .into_iter()
        .filter(|w| d.regions().lookup(w).is_none())
        .collect();
    name_words(d, p).iter().any(|n| contains_words(n, &words))
}

fn sector(d: &Dataset, r: &ResolvedProfile, p: &Partner) -> f64 {
    let f = fit(d, &specialisations(d, r), p.sectors());
    // Sectors and keywords clusters' names use, with how many use each.
    let n = d.partners().len();
    let mut any = false;
    let mut precision: f64 = 0.0;
    let prof = r.profile();
    let field = |k: &str| {
        let key = product_words(k).concat();
        d.taxonomy().sectors().iter().any(|s| {
            product_words(&s.id().replace('_', " ")).concat() == key
                || product_words(s.label()).concat() == key
        })
    };
    for k in prof.sectors().iter().chain(prof.keywords()) {
        if field(k) {
            continue;
        }
        let df = d
            .partners()
            .iter()
            .filter(|q| names_keyword(d, q, k))
            .count();
        if df == 0 {
            continue;
        }
        any = true;
        if names_keyword(d, p, k) {
            precision = precision.max(specificity(df, n));
        }
    }
    if any {
        (1.0 - PRECISION_SHARE) * f + PRECISION_SHARE * precision
    } else {
        f
    }
}

/// How strong a macro-region is in the profile's sectors: the strengths its prose names,
/// and the main fields of the clusters, parks and zones located there.
fn macro_strength(d: &Dataset, r: &ResolvedProfile, m: crate::dataset::MacroRegionId) -> f64 {
    let mut fields: Vec<SectorId> = d.regions().macro_region(m).strengths().to_vec();
    for p in d.partners() {
        let located = matches!(
            p.kind(),
            crate::Kind::IndustrialCluster | crate::Kind::SciencePark | crate::Kind::EconomicZone
        );
        if located && d.macro_region_of(p) == Some(m) {
            fields.push(p.sectors()[0]);
        }
    }
    let c = best_closeness(d, &r.sectors(), &fields);
    STRENGTH_FLOOR + (1.0 - STRENGTH_FLOOR) * c
}

fn region(d: &Dataset, r: &ResolvedProfile, p: &Partner) -> f64 {
    let reg = d.regions();
    let prefs = r.regions();
    let Some(prov) = p.province() else {
        if prefs.is_empty() {
            let n = reg.macro_regions().len();
            let mean = (0..n)
                .map(|i| macro_strength(d, r, crate::dataset::MacroRegionId(i as u8)))
                .sum::<f64>()
                / n.max(1) as f64;
            return NATIONAL.max(mean);
        }
        return NATIONAL;
    };
    let macro_id = reg.province(prov).macro_region();
    if prefs.is_empty() {
        return macro_strength(d, r, macro_id);
    }
    let places: Vec<crate::dataset::PlaceId> = p
        .place()
        .map(|pl| reg.place_ancestors(pl).collect())
        .unwrap_or_default();
    let mut best: f64 = 0.0;
    for pref in prefs {
        let v = match pref {
            RegionRef::Macro(m) if m == macro_id => IN_PREFERRED,
            RegionRef::Macro(_) => 0.0,
            RegionRef::Province(q) if q == prov => IN_PREFERRED,
            RegionRef::Province(q) if reg.province(q).macro_region() == macro_id => {
                PROVINCE_SAME_MACRO
            }
            RegionRef::Province(_) => 0.0,
            RegionRef::Place(pl) if places.contains(&pl) => IN_PREFERRED,
            RegionRef::Place(pl) if reg.place(pl).province() == prov => PLACE_SAME_PROVINCE,
            RegionRef::Place(pl)
                if reg.province(reg.place(pl).province()).macro_region() == macro_id =>
            {
                PLACE_SAME_MACRO
            }
            RegionRef::Place(_) => 0.0,
        };
        best = best.max(v);
    }
    best
}

fn reciprocity(d: &Dataset, r: &ResolvedProfile, p: &Partner) -> f64 {
    let tax = d.taxonomy();
    let mut brought = r.sectors();
    brought.extend(r.keyword_sectors());
    let mut best: f64 = 0.0;
    for n in d.policy_notes() {
        let Some(strength) = n.strength() else {
            continue;
        };
        let c = n.applies_when();
        let in_region = c.macro_regions().is_empty()
            || d.macro_region_of(p)
                .is_some_and(|m| c.macro_regions().contains(&m));
        if !in_region {
            continue;
        }
        for s in &brought {
            if c.sectors().iter().any(|ns| tax.is_within(*s, *ns)) {
                best = best.max(strength_value(strength) * best_closeness(d, &[*s], p.sectors()));
            }
        }
    }
    best
}

/// The seven components of one partner for one profile, in [`Component::ALL`] order,
/// computed directly from the records.
pub fn components(d: &Dataset, r: &ResolvedProfile, i: PartnerIndex) -> [f64; 7] {
    let p = d.partner(i);
    let prof = r.profile();
    let goals = prof.goals();
    let n = goals.len() as f64;
    let mut tech = 0.0;
    let mut goal = 0.0;
    for g in goals {
        tech += tech_fit(*g, prof.tech_level(), p.tech().level());
        goal += goal_affinity(*g, p.kind());
    }
    let main = &p.sectors()[..1.min(p.sectors().len())];
    let evidence = grade_value(p.evidence()) * fit(d, &specialisations(d, r), main);
    [
        sector(d, r, p),
        region(d, r, p),
        tech / n,
        control_fit(prof.control_tolerance(), p.control().level()),
        goal / n,
        reciprocity(d, r, p),
        evidence,
    ]
}

/// Every match the options admit, with its score, best first, ties by id: `(partner id,
/// score, components)`. A match works in a field the profile names (a sector value above 0).
/// The options' weights, kind filter, `include_intermediaries` and `min_score` apply; the
/// region filters, diversity caps and top k do not.
///
/// # Errors
///
/// As [`Weights::normalized`](crate::Weights::normalized).
pub fn rank(
    d: &Dataset,
    r: &ResolvedProfile,
    options: &Options,
) -> Result<Vec<(String, f64, [f64; 7])>> {
    let w = options.weights.normalized()?;
    let kinds = &options.filter.kinds;
    let help =
        options.include_intermediaries || r.profile().goals().contains(&Goal::BusinessSupport);
    let mut out = Vec::new();
    for (i, p) in d.partners().iter().enumerate() {
        let named = kinds.contains(&p.kind());
        if !kinds.is_empty() && !named {
            continue;
        }
        if p.role() == Role::Intermediary && !help && !named {
            continue;
        }
        let c = components(d, r, PartnerIndex(i as u32));
        let mut score = 0.0;
        for k in Component::ALL {
            score += w[k as usize] * c[k as usize];
        }
        if c[0] > 0.0 && score >= options.filter.min_score {
            out.push((p.id().to_string(), score, c));
        }
    }
    out.sort_by(|a, b| b.1.total_cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
    Ok(out)
}

/// The Pareto view of tech level against political control, by its definition: among the
/// matches [`rank`] returns with a sector value of at least 0.5, the ids of those no other
/// such match beats on both counts (tech at least as high and control at most as high,
/// better on one), comparing every pair. In id order.
///
/// # Errors
///
/// As [`rank`].
pub fn pareto(d: &Dataset, r: &ResolvedProfile, options: &Options) -> Result<Vec<String>> {
    let relevant: Vec<(String, u8, u8)> = rank(d, r, options)?
        .into_iter()
        .filter(|(_, _, c)| c[0] >= 0.5)
        .filter_map(|(id, _, _)| {
            let p = d.partner(d.find_partner(&id)?);
            Some((id, p.tech().level().rank(), p.control().level().rank()))
        })
        .collect();
    let mut front = Vec::new();
    for (id, ta, ca) in &relevant {
        let mut beaten = false;
        for (_, tb, cb) in &relevant {
            if tb >= ta && cb <= ca && (tb > ta || cb < ca) {
                beaten = true;
            }
        }
        if !beaten {
            front.push(id.clone());
        }
    }
    front.sort();
    Ok(front)
}
