//! [`Component::Reciprocity`](super::Component::Reciprocity): how much the Chinese side seeks
//! what the cluster brings, from the briefing's demand notes (sections 2.3 and 4).

use crate::dataset::{Dataset, Level, MacroRegionId, NoteKind, SectorId};
use crate::resolve::ResolvedProfile;

/// The strength of a demand note: the briefing says China seeks the know-how strongly (1) or
/// plainly (0.6).
pub(crate) fn strength_value(l: Level) -> f64 {
    match l {
        Level::High => 1.0,
        _ => 0.6,
    }
}

/// What produced a reciprocity value.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) struct DemandWhy {
    /// The note's index in [`Dataset::policy_notes`].
    pub note: usize,
    /// The profile's sector the note seeks.
    pub brought: SectorId,
    /// The partner's sector closest to it.
    pub partner: SectorId,
}

/// The reciprocity component's part of a query.
#[derive(Debug, Clone)]
pub(crate) struct ReciprocityQuery {
    n_sectors: usize,
    /// Per macro-region (and, last, for national bodies) and partner sector: the strongest
    /// demand times closeness (read for every partner, so kept dense)...
    values: Vec<f64>,
    /// ... and the demand behind it: (note, the profile's sector).
    demands: Vec<Option<(usize, SectorId)>>,
}

impl ReciprocityQuery {
    /// Every demand note on a sector the profile brings (its `sectors` entries and keywords,
    /// or a sector above them), limited to the note's macro-regions if it names any.
    pub(crate) fn new(d: &Dataset, r: &ResolvedProfile) -> ReciprocityQuery {
        let tax = d.taxonomy();
        let n_sectors = tax.sectors().len();
        let n_macros = d.regions().macro_regions().len();
        let mut brought = r.sectors();
        brought.extend(r.keyword_sectors());
        brought.sort();
        brought.dedup();
        let mut values = vec![0.0; (n_macros + 1) * n_sectors];
        let mut demands = vec![None; (n_macros + 1) * n_sectors];
        for (i, n) in d.policy_notes().iter().enumerate() {
            let Some(strength) = n.strength().filter(|_| n.kind() == NoteKind::Demand) else {
                continue;
            };
            let c = n.applies_when();
            for b in &brought {
                if !c.sectors().iter().any(|ns| tax.is_within(*b, *ns)) {
                    continue;
                }
                let by_sector: Vec<f64> = (0..n_sectors)
                    .map(|s| strength_value(strength) * tax.closeness(*b, SectorId(s as u16)))
                    .collect();
                for m in 0..=n_macros {
                    let national = m == n_macros;
                    if !c.macro_regions().is_empty()
                        && (national || !c.macro_regions().contains(&MacroRegionId(m as u8)))
                    {
                        continue;
                    }
                    for (s, v) in by_sector.iter().enumerate() {
                        let at = m * n_sectors + s;
                        if *v > values[at] {
                            values[at] = *v;
                            demands[at] = Some((i, *b));
                        }
                    }
                }
            }
        }
        ReciprocityQuery {
            n_sectors,
            values,
            demands,
        }
    }

    /// The reciprocity value of a partner working in `sectors` in `macro_region` (`None` for
    /// a national body), in [0, 1]: the strongest demand on what the profile brings, times the
    /// partner's closeness to it. 0 when the briefing records no such demand.
    pub(crate) fn value(
        &self,
        sectors: &[SectorId],
        macro_region: Option<MacroRegionId>,
    ) -> (f64, Option<DemandWhy>) {
        let at = self.row(macro_region);
        let mut out: (f64, Option<DemandWhy>) = (0.0, None);
        for s in sectors {
            let v = self.values.get(at + s.index()).copied().unwrap_or(0.0);
            if v > out.0 {
                if let Some(Some((note, brought))) = self.demands.get(at + s.index()) {
                    out = (
                        v,
                        Some(DemandWhy {
                            note: *note,
                            brought: *brought,
                            partner: *s,
                        }),
                    );
                }
            }
        }
        out
    }

    /// [`ReciprocityQuery::value`] without what produced it, for the kernel's hot path.
    #[inline]
    pub(crate) fn value_only(
        &self,
        sectors: &[SectorId],
        macro_region: Option<MacroRegionId>,
    ) -> f64 {
        let at = self.row(macro_region);
        sectors
            .iter()
            .map(|s| self.values.get(at + s.index()).copied().unwrap_or(0.0))
            .fold(0.0, f64::max)
    }

    /// Where the values of a macro-region (`None`: national bodies, the last row) start.
    #[inline]
    fn row(&self, macro_region: Option<MacroRegionId>) -> usize {
        let national = self.values.len() / self.n_sectors.max(1) - 1;
        macro_region.map_or(national, |m| m.index()) * self.n_sectors
    }
}
