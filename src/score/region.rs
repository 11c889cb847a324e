//! [`Component::Region`](super::Component::Region): where the partner is, against where the
//! profile wants to work, or (when it names no region) against what each region is strong in.

use crate::dataset::{
    Dataset, MacroRegionId, Partner, PlaceId, ProvinceId, RegionRef, Regions, SectorId,
};
use crate::resolve::ResolvedProfile;

/// A partner inside a preferred region (macro-region, province, or a place or one enclosing
/// it).
pub(crate) const IN_PREFERRED: f64 = 1.0;
/// A partner in the province of a preferred place.
pub(crate) const PLACE_SAME_PROVINCE: f64 = 0.5;
/// A partner in the macro-region of a preferred province.
pub(crate) const PROVINCE_SAME_MACRO: f64 = 0.4;
/// A partner in the macro-region of a preferred place.
pub(crate) const PLACE_SAME_MACRO: f64 = 0.3;
/// A national body when the profile prefers regions: it works across China, inside them
/// too, but is not of them. Also the least a national body gets without preferences.
pub(crate) const NATIONAL: f64 = 0.5;
/// Without preferences, a region the briefing names no strength of the profile's field for
/// still hosts partners: `STRENGTH_FLOOR + (1 - STRENGTH_FLOOR) * closeness` of its best
/// strength.
pub(crate) const STRENGTH_FLOOR: f64 = 0.3;

/// Where a partner is, as far as the region component reads it: its place (the most
/// specific), else its province, else nowhere in particular (a national body).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum RegionKey {
    /// A place of the gazetteer.
    Place(PlaceId),
    /// A province, for a provincial body.
    Province(ProvinceId),
    /// A national body.
    National,
}

impl RegionKey {
    pub(crate) fn of(p: &Partner) -> RegionKey {
        match (p.place(), p.province()) {
            (Some(pl), _) => RegionKey::Place(pl),
            (None, Some(pr)) => RegionKey::Province(pr),
            (None, None) => RegionKey::National,
        }
    }

    pub(crate) fn province(self, reg: &Regions) -> Option<ProvinceId> {
        match self {
            RegionKey::Place(pl) => Some(reg.place(pl).province()),
            RegionKey::Province(pr) => Some(pr),
            RegionKey::National => None,
        }
    }
}

/// How a partner stands to a preferred region.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Relation {
    /// Inside it.
    Inside,
    /// In the province of a preferred place.
    SameProvince,
    /// In the macro-region of a preferred province or place.
    SameMacroRegion,
}

/// What produced a region value.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) enum RegionWhy {
    /// A national body.
    National,
    /// The profile prefers regions: the best relation to one of them (`None`: far from all).
    Preferred(Option<(RegionRef, Relation)>),
    /// The profile prefers none: how strong the partner's macro-region is in the profile's
    /// field, through the strength that decided, if any.
    Strength(MacroRegionId, Option<Strength>),
}

/// A field a macro-region is strong in, as it met the profile.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) struct Strength {
    /// The region's field.
    pub sector: SectorId,
    /// The profile's sector it is closest to, and their closeness.
    pub wanted: SectorId,
    pub closeness: f64,
    /// `None` when the briefing's prose names the strength (section 3.1 or 4.4); else the
    /// partner located there that brings the field.
    pub hosted_by: Option<crate::dataset::PartnerIndex>,
}

/// The region component's part of a query.
#[derive(Debug, Clone)]
pub(crate) struct RegionQuery {
    /// Preferred regions, sorted; empty when the profile prefers none.
    prefs: Vec<RegionRef>,
    /// Per macro-region: its strength in the profile's sectors and what it rests on.
    strengths: Vec<(f64, Option<Strength>)>,
    /// A national body's value when the profile prefers no region: it reaches every region,
    /// so the mean strength, and at least [`NATIONAL`].
    national_strength: f64,
}

impl RegionQuery {
    pub(crate) fn new(d: &Dataset, r: &ResolvedProfile) -> RegionQuery {
        let tax = d.taxonomy();
        let wanted = r.sectors();
        // A region is strong in the fields its prose names (sections 3.1, 4.4) and in those
        // of the clusters, parks and zones the briefing places there (Table 4, section 3.2).
        let strengths: Vec<(f64, Option<Strength>)> = d
            .regions()
            .macro_regions()
            .iter()
            .enumerate()
            .map(|(i, m)| {
                let prose = m.strengths().iter().map(|s| (*s, None));
                let hosted = d
                    .fields_hosted(MacroRegionId(i as u8))
                    .iter()
                    .map(|(s, p)| (*s, Some(*p)));
                let mut best: Option<Strength> = None;
                for (st, hosted_by) in prose.chain(hosted) {
                    for w in &wanted {
                        let c = tax.closeness(*w, st);
                        if c > best.map_or(0.0, |b| b.closeness) {
                            best = Some(Strength {
                                sector: st,
                                wanted: *w,
                                closeness: c,
                                hosted_by,
                            });
                        }
                    }
                }
                let c = best.map_or(0.0, |b| b.closeness);
                (STRENGTH_FLOOR + (1.0 - STRENGTH_FLOOR) * c, best)
            })
            .collect();
        let mean = strengths.iter().map(|s| s.0).sum::<f64>() / strengths.len().max(1) as f64;
        RegionQuery {
            prefs: r.regions(),
            strengths,
            national_strength: NATIONAL.max(mean),
        }
    }

    /// The region value of a partner at `key`, in [0, 1], and what produced it.
    pub(crate) fn value(&self, reg: &Regions, key: RegionKey) -> (f64, RegionWhy) {
        let province = match key.province(reg) {
            None if self.prefs.is_empty() => return (self.national_strength, RegionWhy::National),
            None => return (NATIONAL, RegionWhy::National),
            Some(p) => p,
        };
        let macro_id = reg.province(province).macro_region();
        if self.prefs.is_empty() {
            let (v, why) = self.strengths[macro_id.index()];
            return (v, RegionWhy::Strength(macro_id, why));
        }
        let inside_place = |pl: PlaceId| match key {
            RegionKey::Place(own) => reg.place_ancestors(own).any(|a| a == pl),
            _ => false,
        };
        let mut best: (f64, Option<(RegionRef, Relation)>) = (0.0, None);
        for pref in &self.prefs {
            let (v, rel) = match *pref {
                RegionRef::Macro(m) if m == macro_id => (IN_PREFERRED, Relation::Inside),
                RegionRef::Province(q) if q == province => (IN_PREFERRED, Relation::Inside),
                RegionRef::Province(q) if reg.province(q).macro_region() == macro_id => {
                    (PROVINCE_SAME_MACRO, Relation::SameMacroRegion)
                }
                RegionRef::Place(pl) if inside_place(pl) => (IN_PREFERRED, Relation::Inside),
                RegionRef::Place(pl) if reg.place(pl).province() == province => {
                    (PLACE_SAME_PROVINCE, Relation::SameProvince)
                }
                RegionRef::Place(pl)
                    if reg.province(reg.place(pl).province()).macro_region() == macro_id =>
                {
                    (PLACE_SAME_MACRO, Relation::SameMacroRegion)
                }
                _ => continue,
            };
            if v > best.0 {
                best = (v, Some((*pref, rel)));
            }
        }
        (best.0, RegionWhy::Preferred(best.1))
    }
}
