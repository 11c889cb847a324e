//! The score computed the slow, direct way: partner by partner, from the records and the
//! taxonomy, without the feature matrix.
//!
//! It exists to check the fast path (the tests compare the two on every partner) and to
//! read every scoring rule in one place. Use [`Recommender`](crate::Recommender) for real
//! work.

use crate::dataset::{Dataset, Level, NoteKind, Partner, PartnerIndex, RegionRef, SectorId};
use crate::features::evidence_of;
use crate::resolve::ResolvedProfile;
use crate::score::{
    control_fit, goal_affinity, tech_fit, Component, Weights, IN_PREFERRED, NATIONAL_REGION,
    PLACE_SAME_MACRO, PLACE_SAME_PROVINCE, PROVINCE_SAME_MACRO,
};
use crate::Result;

/// The best closeness of a profile asking for any of `wanted` to the partner's sectors.
fn best_closeness(d: &Dataset, wanted: &[SectorId], p: &Partner) -> f64 {
    let tax = d.taxonomy();
    wanted
        .iter()
        .flat_map(|w| p.sectors().iter().map(move |s| tax.closeness(*w, *s)))
        .fold(0.0, f64::max)
}

fn mean_best(groups: &[Vec<SectorId>], f: impl Fn(&[SectorId]) -> f64) -> f64 {
    if groups.is_empty() {
        return 0.0;
    }
    groups.iter().map(|g| f(g)).sum::<f64>() / groups.len() as f64
}

/// How strong a macro-region is in the profile's sectors (section 3.1).
fn macro_strength(d: &Dataset, r: &ResolvedProfile, m: crate::MacroRegionId) -> f64 {
    let tax = d.taxonomy();
    let wanted = r.sectors();
    let best = d
        .regions()
        .macro_region(m)
        .strengths()
        .iter()
        .flat_map(|st| wanted.iter().map(move |w| tax.closeness(*w, *st)))
        .fold(0.0, f64::max);
    0.3 + 0.7 * best
}

fn region(d: &Dataset, r: &ResolvedProfile, p: &Partner) -> f64 {
    let reg = d.regions();
    let prefs = r.regions();
    let Some(prov) = p.province() else {
        if prefs.is_empty() {
            let n = reg.macro_regions().len();
            let mean = (0..n)
                .map(|i| macro_strength(d, r, crate::MacroRegionId(i as u8)))
                .sum::<f64>()
                / n.max(1) as f64;
            return NATIONAL_REGION.max(mean);
        }
        return NATIONAL_REGION;
    };
    let macro_id = reg.province(prov).macro_region();
    if prefs.is_empty() {
        return macro_strength(d, r, macro_id);
    }
    let places: Vec<crate::PlaceId> = p
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
    brought.sort();
    brought.dedup();
    let mut best: f64 = 0.0;
    for n in d
        .policy_notes()
        .iter()
        .filter(|n| n.kind() == NoteKind::Demand)
    {
        let strength = if n.strength() == Some(Level::High) {
            1.0
        } else {
            0.6
        };
        let regions = n.applies_when().macro_regions();
        let in_region =
            regions.is_empty() || d.macro_region_of(p).is_some_and(|m| regions.contains(&m));
        if !in_region {
            continue;
        }
        for s in &brought {
            if n.applies_when()
                .sectors()
                .iter()
                .any(|ns| tax.is_within(*s, *ns))
            {
                best = best.max(strength * best_closeness(d, &[*s], p));
            }
        }
    }
    best
}

/// The seven components of one partner for one profile, in [`Component::ALL`] order,
/// computed directly from the records.
pub fn components(d: &Dataset, r: &ResolvedProfile, i: PartnerIndex) -> [f64; 7] {
    let p = d.partner(i);
    let tax = d.taxonomy();
    let prof = r.profile();
    let entries = r.sector_groups();
    let keywords = r.keyword_groups();
    let entry = mean_best(&entries, |g| best_closeness(d, g, p));
    let sector = if keywords.is_empty() {
        entry
    } else {
        0.75 * entry + 0.25 * mean_best(&keywords, |g| best_closeness(d, g, p))
    };
    let goals = prof.goals();
    let n = goals.len() as f64;
    let tech = goals
        .iter()
        .map(|g| tech_fit(*g, prof.tech_level(), p.tech().level()))
        .sum::<f64>()
        / n;
    let control = control_fit(prof.control_tolerance(), p.control().level());
    let goal = goals
        .iter()
        .map(|g| goal_affinity(*g, p.kind()))
        .sum::<f64>()
        / n;
    let coverage = evidence_of(p);
    let evidence = match p.sectors().first() {
        Some(main) => mean_best(&entries, |g| {
            g.iter()
                .map(|w| coverage * tax.closeness(*w, *main))
                .fold(0.0, f64::max)
        }),
        None => 0.0,
    };
    [
        sector,
        region(d, r, p),
        tech,
        control,
        goal,
        reciprocity(d, r, p),
        evidence,
    ]
    .map(|v| v.clamp(0.0, 1.0))
}

/// Every partner's score for a profile, best first, ties by id: `(partner id, score,
/// components)`. No filters, no diversity caps.
///
/// # Errors
///
/// As [`Weights::normalized`].
pub fn rank(
    d: &Dataset,
    r: &ResolvedProfile,
    weights: &Weights,
) -> Result<Vec<(String, f64, [f64; 7])>> {
    let w = weights.normalized()?;
    let mut out: Vec<(String, f64, [f64; 7])> = (0..d.partners().len())
        .map(|i| {
            let c = components(d, r, PartnerIndex(i as u32));
            let score: f64 = Component::ALL
                .iter()
                .map(|k| w[*k as usize] * c[*k as usize])
                .sum();
            (d.partners()[i].id().to_string(), score, c)
        })
        .collect();
    out.sort_by(|a, b| b.1.total_cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
    Ok(out)
}
