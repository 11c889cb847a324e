//! The fast path: partners packed into 12-byte rows and a query turned into small lookup
//! tables, scored in one pass with a fused top-k.
//!
//! # Why 12 bytes
//!
//! A partner's features are one-hot and multi-hot: a few sectors, one place, one kind, two
//! levels, one evidence grade. The dense feature matrix spends a float on every column;
//! a row here holds only the ids, and the query folds everything else into tables indexed by
//! them:
//!
//! | field | bytes | what the query looks up with it |
//! |---|---|---|
//! | `sector` | 2 | the main sector: sector fit, reciprocity and evidence, pre-added for single-sector partners |
//! | `region` | 2 | the place, else the province, else "national": the region score |
//! | `class` | 1 | kind × tech level × control level: tech, control and goal together |
//! | `macro_ev` | 1 | macro-region × evidence grade: regional demand notes and evidence |
//! | `n_extra`, `extra_at` | 1 + 4 | further sectors, in a side pool (most partners have one) |
//!
//! Each row carries its position in id order, so that the earlier position wins a tie, which
//! is the ranking's tie-break. Single-sector rows are grouped by main sector: a query reads
//! the groups in the order of their best possible score and stops at the first group that
//! cannot reach its top k, so the sectors a profile does not ask for are mostly never read. Scores are f64; [`Recommender`](crate::Recommender) re-scores the few
//! candidates the kernel selects with the exact per-component arithmetic before it ranks
//! them, so the fast path returns exactly the naive path's top k.

use crate::dataset::{Dataset, Kind, PartnerIndex, PlaceId, ProvinceId, SectorId};
use crate::features::{evidence_of, Layout};
use crate::score::Query;
use std::cmp::Ordering;

/// Evidence grades, in row encoding order (see [`crate::features`]).
const EVIDENCE_LEVELS: [f64; 4] = [0.3, 0.5, 0.8, 1.0];

fn evidence_grade(v: f64) -> u8 {
    EVIDENCE_LEVELS
        .iter()
        .position(|x| (*x - v).abs() < 1e-9)
        .unwrap_or(0) as u8
}

/// The bit set of sector ids, all bits when one is past 127.
fn sector_mask(ids: impl Iterator<Item = u16>) -> u128 {
    let mut m = 0u128;
    for s in ids {
        if s >= 128 {
            return u128::MAX;
        }
        m |= 1 << s;
    }
    m
}

/// One partner, packed. See the module docs for the layout.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[repr(C)]
pub struct Row {
    sector: u16,
    region: u16,
    class: u8,
    macro_ev: u8,
    n_extra: u8,
    _pad: u8,
    /// The row's position in id order: the tie-break, and the key back to the partner.
    pos: u32,
}

/// The partners of a dataset (or synthetic ones) in the kernel's packed form.
#[derive(Debug, Clone)]
pub struct PackedPartners {
    /// Partners with one sector (most of them), in id order: scored with three table reads
    /// and no branch.
    single: Vec<Row>,
    /// Partners with several sectors, in id order, with where their further sectors start.
    multi: Vec<Row>,
    multi_extra_at: Vec<u32>,
    /// Each multi-sector row's sectors as a bit set (all bits when a sector id is past 127):
    /// a query skips, with one AND, the rows whose sectors it has no interest in.
    multi_mask: Vec<u128>,
    /// `single` is grouped by main sector: group `s` is `single[group[s]..group[s + 1]]`.
    group: Vec<u32>,
    extra: Vec<u16>,
    /// Row to partner index in its dataset.
    partner: Vec<u32>,
    /// Number of rows (the map above is empty when a row's partner is its position).
    n: usize,
    n_sectors: usize,
    n_macros: usize,
    n_provinces: usize,
    n_places: usize,
}

impl PackedPartners {
    /// Packs every partner of `d`, in id order.
    pub fn new(d: &Dataset) -> PackedPartners {
        let mut order: Vec<u32> = (0..d.partners().len() as u32).collect();
        order.sort_by(|a, b| {
            d.partners()[*a as usize]
                .id()
                .cmp(d.partners()[*b as usize].id())
        });
        let mut packed = PackedPartners::empty(d, order.len());
        for i in order {
            let p = &d.partners()[i as usize];
            let kind = Kind::ALL.iter().position(|k| *k == p.kind()).unwrap_or(0) as u8;
            packed.push(
                i,
                p.sectors(),
                p.province(),
                p.place(),
                d.macro_region_of(p).map(|m| m.index()),
                kind,
                p.tech().level().rank(),
                p.control().level().rank(),
                evidence_grade(evidence_of(p)),
            );
        }
        packed.finish();
        packed
    }

    fn empty(d: &Dataset, n: usize) -> PackedPartners {
        PackedPartners {
            single: Vec::with_capacity(n),
            multi: Vec::new(),
            multi_extra_at: Vec::new(),
            multi_mask: Vec::new(),
            group: Vec::new(),
            extra: Vec::new(),
            partner: Vec::new(),
            n: 0,
            n_sectors: d.taxonomy().sectors().len(),
            n_macros: d.regions().macro_regions().len(),
            n_provinces: d.regions().provinces().len(),
            n_places: d.regions().places().len(),
        }
    }

    #[allow(clippy::too_many_arguments)]
    fn push(
        &mut self,
        partner: u32,
        sectors: &[SectorId],
        province: Option<ProvinceId>,
        place: Option<PlaceId>,
        macro_region: Option<usize>,
        kind: u8,
        tech: u8,
        control: u8,
        evidence: u8,
    ) {
        let region = match (place, province) {
            (Some(pl), _) => pl.index(),
            (None, Some(pr)) => self.n_places + pr.index(),
            (None, None) => self.n_places + self.n_provinces,
        } as u16;
        let m = macro_region.unwrap_or(self.n_macros);
        let rest = sectors.get(1..).unwrap_or(&[]);
        let row = Row {
            sector: sectors.first().map_or(0, |s| s.0),
            region,
            class: kind * 9 + tech * 3 + control,
            macro_ev: (m * 4) as u8 + evidence,
            n_extra: rest.len() as u8,
            _pad: 0,
            pos: self.n as u32,
        };
        if rest.is_empty() {
            self.single.push(row);
        } else {
            self.multi_extra_at.push(self.extra.len() as u32);
            self.multi_mask
                .push(sector_mask(sectors.iter().map(|s| s.0)));
            self.extra.extend(rest.iter().map(|s| s.0));
            self.multi.push(row);
        }
        if partner as usize != self.n || !self.partner.is_empty() {
            // The first partner out of step starts the map; until then it is the identity.
            if self.partner.is_empty() {
                self.partner.extend(0..self.n as u32);
            }
            self.partner.push(partner);
        }
        self.n += 1;
    }

    /// Groups the single-sector rows by main sector (in id order within a group), so that a
    /// query can skip every group whose best possible score cannot enter its top k.
    fn finish(&mut self) {
        // Unstable is enough (positions are unique) and sorts in place: no buffer of n rows.
        self.single.sort_unstable_by_key(|r| (r.sector, r.pos));
        self.multi.shrink_to_fit();
        self.multi_extra_at.shrink_to_fit();
        self.multi_mask.shrink_to_fit();
        self.extra.shrink_to_fit();
        self.partner.shrink_to_fit();
        let mut group = vec![0u32; self.n_sectors + 1];
        for r in &self.single {
            if let Some(g) = group.get_mut(r.sector as usize + 1) {
                *g += 1;
            }
        }
        for s in 0..self.n_sectors {
            group[s + 1] += group[s];
        }
        self.group = group;
    }

    /// `n` synthetic partners drawn from `d`'s taxonomy, regions and kinds (seeded): one
    /// sector for most, two or three for a quarter, like the briefing's records. For benches
    /// and scale tests; their partner index is their row.
    pub fn synthetic(d: &Dataset, n: usize, seed: u64) -> PackedPartners {
        let mut rng = crate::rng::SplitMix64(seed ^ 0x5DEE_CE66_D1CE_4E5B);
        let mut next = move || rng.next();
        let mut packed = PackedPartners::empty(d, n);
        let reg = d.regions();
        let n_sec = d.taxonomy().sectors().len() as u64;
        let n_pl = reg.places().len() as u64;
        for i in 0..n {
            let r = next();
            let count = if r % 4 == 0 { 2 + (r >> 8) % 2 } else { 1 };
            let sectors: Vec<SectorId> = (0..count)
                .map(|_| SectorId((next() % n_sec) as u16))
                .collect();
            let (province, place) = if r % 16 == 1 {
                (None, None)
            } else {
                let pl = PlaceId((next() % n_pl) as u16);
                (Some(reg.place(pl).province()), Some(pl))
            };
            let m = province.map(|p| reg.province(p).macro_region().index());
            let kind = ((r >> 16) % 7) as u8;
            packed.push(
                i as u32,
                &sectors,
                province,
                place,
                m,
                kind,
                ((r >> 20) % 3) as u8,
                ((r >> 24) % 3) as u8,
                ((r >> 28) % 4) as u8,
            );
        }
        packed.finish();
        packed
    }

    #[inline]
    fn extra_at(&self, multi_index: usize, n: u8) -> &[u16] {
        let at = self
            .multi_extra_at
            .get(multi_index)
            .map_or(0, |a| *a as usize);
        self.extra.get(at..at + n as usize).unwrap_or(&[])
    }

    /// Number of partners.
    pub fn len(&self) -> usize {
        self.n
    }

    /// Whether there are none.
    pub fn is_empty(&self) -> bool {
        self.n == 0
    }

    /// Bytes the kernel streams through: the rows of both segments, the multi-sector
    /// offsets and the pool of further sectors.
    pub fn bytes(&self) -> usize {
        (self.single.len() + self.multi.len()) * std::mem::size_of::<Row>()
            + self.multi_extra_at.len() * 4
            + self.multi_mask.len() * 16
            + self.extra.len() * 2
    }

    /// Bytes held in all: what [`PackedPartners::bytes`] streams plus the map from positions
    /// to dataset partners (empty when they coincide, as for synthetic partners).
    pub fn bytes_held(&self) -> usize {
        self.bytes() + self.partner.len() * 4
    }

    /// Reads every byte the kernel streams once and folds them into a checksum: the
    /// streaming-read baseline the kernel's speed is measured against.
    pub fn stream_checksum(&self) -> u64 {
        let fold = |acc: u64, r: &Row| {
            acc.wrapping_add(u64::from(r.sector) ^ u64::from(r.region) << 16)
                .wrapping_add(
                    u64::from(r.class) ^ u64::from(r.macro_ev) << 8 ^ u64::from(r.n_extra) << 16,
                )
                .wrapping_add(u64::from(r.pos))
        };
        let rows = self
            .multi
            .iter()
            .fold(self.single.iter().fold(0u64, fold), fold);
        let offsets = self
            .multi_extra_at
            .iter()
            .fold(rows, |acc, x| acc.wrapping_add(u64::from(*x)));
        self.extra
            .iter()
            .fold(offsets, |acc, s| acc.wrapping_add(u64::from(*s)))
    }

    /// The position (in id order) of a dataset partner, if it is packed here.
    pub fn position_of(&self, partner: PartnerIndex) -> Option<usize> {
        if self.partner.is_empty() {
            return (partner.index() < self.n).then_some(partner.index());
        }
        self.partner.iter().position(|p| *p == partner.0)
    }

    /// The row and, for a multi-sector one, its further sectors, at a position.
    fn at_position(&self, pos: usize) -> Option<(&Row, &[u16])> {
        if let Some(r) = self.single.iter().find(|r| r.pos as usize == pos) {
            return Some((r, &[]));
        }
        let i = self
            .multi
            .binary_search_by_key(&(pos as u32), |r| r.pos)
            .ok()?;
        let r = &self.multi[i];
        Some((r, self.extra_at(i, r.n_extra)))
    }

    /// The dataset partner at a position (in id order).
    pub fn partner_of(&self, pos: usize) -> PartnerIndex {
        PartnerIndex(self.partner.get(pos).copied().unwrap_or(pos as u32))
    }
}

/// A query as lookup tables over the packed rows' fields.
#[derive(Debug, Clone)]
pub struct KernelQuery {
    n_sectors: usize,
    /// Per `sectors` entry: closeness of the entry to each sector, times the entry weight.
    entries: Vec<Vec<f64>>,
    /// Per keyword: the same, times the keyword weight.
    keywords: Vec<Vec<f64>>,
    /// (macro-region + national) × sector: weighted reciprocity.
    recip: Vec<f64>,
    /// Evidence grade × main sector: weighted evidence.
    evidence: Vec<f64>,
    /// (macro) × grade × sector: everything sector-dependent, for single-sector partners.
    single: Vec<f64>,
    /// (macro) × sector: sector fit plus reciprocity of one sector; summed over a
    /// multi-sector partner's sectors it bounds their exact value from above.
    bound: Vec<f64>,
    /// class → weighted tech + control + goal.
    class: [f64; 63],
    /// region code → weighted region score.
    region: Vec<f64>,
    /// The best class entry plus the best region entry: all a row scores without sectors.
    rest: f64,
    /// The sectors with any sector-dependent value for this query, as a bit set.
    relevant: u128,
}

impl KernelQuery {
    /// Builds the tables of a matrix-path query (weights already normalised).
    pub(crate) fn new(
        d: &Dataset,
        l: &Layout,
        q: &Query,
        w: &[f64; 7],
        packed: &PackedPartners,
    ) -> KernelQuery {
        let tax = d.taxonomy();
        let reg = d.regions();
        let s_n = packed.n_sectors;
        let sector_of = |col: usize, start: usize| SectorId((col - start) as u16);
        // closeness of a column group (one entry) to every sector, best over the group.
        let table = |group: &[usize], start: usize, weight: f64| -> Vec<f64> {
            (0..s_n)
                .map(|s| {
                    group
                        .iter()
                        .map(|c| tax.closeness(sector_of(*c, start), SectorId(s as u16)))
                        .fold(0.0, f64::max)
                        * weight
                })
                .collect()
        };
        let (w_sec, w_reg, w_tech, w_ctrl, w_goal, w_rec, w_ev) =
            (w[0], w[1], w[2], w[3], w[4], w[5], w[6]);
        let e_n = q.entries.len().max(1) as f64;
        let k_n = q.keywords.len().max(1) as f64;
        let (entry_w, kw_w) = if q.keywords.is_empty() {
            (w_sec / e_n, 0.0)
        } else {
            (0.75 * w_sec / e_n, 0.25 * w_sec / k_n)
        };
        let entries: Vec<Vec<f64>> = q
            .entries
            .iter()
            .map(|g| table(g, l.sectors.start, entry_w))
            .collect();
        let keywords: Vec<Vec<f64>> = q
            .keywords
            .iter()
            .map(|g| table(g, l.sectors.start, kw_w))
            .collect();
        // Evidence: coverage × mean over entries of the entry's closeness to the main sector.
        let plain: Vec<Vec<f64>> = q
            .entries
            .iter()
            .map(|g| table(g, l.sectors.start, 1.0))
            .collect();
        let mean_entry: Vec<f64> = (0..s_n)
            .map(|s| plain.iter().map(|t| t[s]).sum::<f64>() / e_n)
            .collect();
        let mut evidence = vec![0.0; 4 * s_n];
        for (g, cov) in EVIDENCE_LEVELS.iter().enumerate() {
            for s in 0..s_n {
                evidence[g * s_n + s] = w_ev * cov * mean_entry[s];
            }
        }
        let n_m = packed.n_macros;
        let mut recip: Vec<f64> = vec![0.0; (n_m + 1) * s_n];
        for dm in &q.demand {
            let brought = sector_of(dm.col, l.sectors.start);
            for mi in 0..=n_m {
                let ok = match dm.macro_col {
                    None => true,
                    Some(c) => mi < n_m && c - l.macro_regions.start == mi,
                };
                if !ok {
                    continue;
                }
                for s in 0..s_n {
                    let v = w_rec * dm.strength * tax.closeness(brought, SectorId(s as u16));
                    let slot = &mut recip[mi * s_n + s];
                    *slot = slot.max(v);
                }
            }
        }
        let fit: Vec<f64> = (0..s_n)
            .map(|s| {
                entries.iter().map(|t| t[s]).sum::<f64>()
                    + keywords.iter().map(|t| t[s]).sum::<f64>()
            })
            .collect();
        let mut single = vec![0.0; (n_m + 1) * 4 * s_n];
        let mut bound = vec![0.0; (n_m + 1) * s_n];
        for mi in 0..=n_m {
            for s in 0..s_n {
                bound[mi * s_n + s] = fit[s] + recip[mi * s_n + s];
                for g in 0..4 {
                    single[(mi * 4 + g) * s_n + s] =
                        fit[s] + recip[mi * s_n + s] + evidence[g * s_n + s];
                }
            }
        }
        let mut class = [0.0; 63];
        for (k, _) in Kind::ALL.iter().enumerate() {
            for t in 0..3 {
                for c in 0..3 {
                    class[k * 9 + t * 3 + c] =
                        w_tech * q.tech[t] + w_ctrl * q.control[c] + w_goal * q.goal[k];
                }
            }
        }
        // Region: the matrix path's preferences, folded over place ancestors.
        let pref = |col: usize| {
            q.region_prefs
                .iter()
                .find(|(c, _)| *c == col)
                .map_or(0.0, |(_, v)| *v)
        };
        let province_value = |pr: ProvinceId| -> f64 {
            let mi = reg.province(pr).macro_region().index();
            if q.region_prefs.is_empty() {
                q.macro_strength[mi]
            } else {
                pref(l.provinces.start + pr.index()).max(pref(l.macro_regions.start + mi))
            }
        };
        let mut region = Vec::with_capacity(packed.n_places + packed.n_provinces + 1);
        for (i, pl) in reg.places().iter().enumerate() {
            let mut v = province_value(pl.province());
            if !q.region_prefs.is_empty() {
                for a in reg.place_ancestors(PlaceId(i as u16)) {
                    v = v.max(pref(l.places.start + a.index()));
                }
            }
            region.push(w_reg * v);
        }
        for i in 0..packed.n_provinces {
            region.push(w_reg * province_value(ProvinceId(i as u8)));
        }
        region.push(
            w_reg
                * if q.region_prefs.is_empty() {
                    q.national_strength
                } else {
                    q.national
                },
        );
        let rest = class.iter().copied().fold(f64::NEG_INFINITY, f64::max)
            + region.iter().copied().fold(f64::NEG_INFINITY, f64::max);
        let relevant = if s_n > 128 {
            u128::MAX
        } else {
            (0..s_n)
                .filter(|s| {
                    (0..=n_m).any(|m| bound[m * s_n + s] > 0.0)
                        || (0..4).any(|g| evidence[g * s_n + s] > 0.0)
                })
                .fold(0u128, |acc, s| acc | 1 << s)
        };
        KernelQuery {
            n_sectors: s_n,
            entries,
            keywords,
            recip,
            evidence,
            single,
            bound,
            class,
            region,
            rest,
            relevant,
        }
    }

    /// The score of one row (approximately the exact score: same terms, other order);
    /// `extra` holds a multi-sector row's further sectors.
    #[inline]
    fn score(&self, r: &Row, extra: &[u16]) -> f64 {
        let base = self.class[r.class as usize] + self.region[r.region as usize];
        if extra.is_empty() {
            return base + self.single[r.macro_ev as usize * self.n_sectors + r.sector as usize];
        }
        base + self.multi(r, extra)
    }

    /// The sector-dependent part of a multi-sector row, exactly.
    fn multi(&self, r: &Row, extra: &[u16]) -> f64 {
        let s_n = self.n_sectors;
        let s0 = r.sector as usize;
        let best = |t: &[f64]| extra.iter().fold(t[s0], |a, s| a.max(t[*s as usize]));
        let fit: f64 = self.entries.iter().map(|t| best(t)).sum::<f64>()
            + self.keywords.iter().map(|t| best(t)).sum::<f64>();
        let m = (r.macro_ev >> 2) as usize;
        let rec = best(&self.recip[m * s_n..(m + 1) * s_n]);
        let g = (r.macro_ev & 3) as usize;
        fit + rec + self.evidence[g * s_n + s0]
    }

    /// An upper bound of a multi-sector row's score, from one table and a sum: maxima over
    /// the row's sectors are at most the sum over them.
    #[inline]
    fn multi_bound(&self, r: &Row, extra: &[u16], base: f64) -> f64 {
        let s_n = self.n_sectors;
        let m = (r.macro_ev >> 2) as usize;
        let g = (r.macro_ev & 3) as usize;
        let b = &self.bound[m * s_n..(m + 1) * s_n];
        let sum: f64 = b[r.sector as usize] + extra.iter().map(|s| b[*s as usize]).sum::<f64>();
        base + sum + self.evidence[g * s_n + r.sector as usize]
    }
}

/// A candidate: (score, row). Ordered best first: higher score, then lower row.
#[derive(Debug, Clone, Copy, PartialEq)]
struct Cand(f64, u32);

fn better(a: &Cand, b: &Cand) -> Ordering {
    b.0.total_cmp(&a.0).then(a.1.cmp(&b.1))
}

/// A bounded set of the best `k` candidates, worst first in `items` order kept sorted.
struct TopK {
    k: usize,
    items: Vec<Cand>,
    /// Scores below this cannot make the final top k (another scan holds k better).
    floor: f64,
}

impl TopK {
    fn new(k: usize) -> TopK {
        TopK {
            k,
            items: Vec::with_capacity(k.min(1 << 16) + 1),
            floor: f64::NEG_INFINITY,
        }
    }

    #[inline]
    fn threshold(&self) -> f64 {
        if self.items.len() < self.k {
            self.floor
        } else {
            self.items[0].0.max(self.floor)
        }
    }

    /// Offers a candidate; it gets in if it beats the worst kept one (higher score, or the
    /// same score at an earlier position).
    #[inline]
    fn offer(&mut self, c: Cand) {
        if self.k == 0 {
            return;
        }
        if self.items.len() == self.k {
            if better(&c, &self.items[0]) != Ordering::Less {
                return;
            }
            self.items.remove(0);
        }
        // items are sorted worst first.
        let pos = self
            .items
            .partition_point(|x| better(x, &c) == Ordering::Greater);
        self.items.insert(pos, c);
    }

    #[cfg_attr(not(feature = "rayon"), allow(dead_code))]
    fn merge(mut self, other: TopK) -> TopK {
        let mut all = std::mem::take(&mut self.items);
        all.extend(other.items);
        all.sort_by(better);
        all.truncate(self.k);
        all.reverse();
        TopK {
            k: self.k,
            items: all,
            floor: self.floor.min(other.floor),
        }
    }

    fn into_sorted(mut self) -> Vec<(usize, f64)> {
        self.items.sort_by(better);
        self.items
            .into_iter()
            .map(|c| (c.1 as usize, c.0))
            .collect()
    }
}

/// Rounding slack when an upper bound is compared with the threshold: the bound and the
/// exact value add the same terms in different orders.
const BOUND_SLACK: f64 = 1e-9;

/// Which rows of the two segments a scan covers.
#[derive(Debug, Clone)]
struct Span {
    single: std::ops::Range<usize>,
    multi: std::ops::Range<usize>,
}

impl PackedPartners {
    fn whole(&self) -> Span {
        Span {
            single: 0..self.single.len(),
            multi: 0..self.multi.len(),
        }
    }

    /// The spans of `parts` roughly equal chunks.
    #[cfg_attr(not(feature = "rayon"), allow(dead_code))]
    fn split(&self, parts: usize) -> Vec<Span> {
        let parts = parts.max(1);
        let cut = |n: usize, i: usize| n * i / parts;
        (0..parts)
            .map(|i| Span {
                single: cut(self.single.len(), i)..cut(self.single.len(), i + 1),
                multi: cut(self.multi.len(), i)..cut(self.multi.len(), i + 1),
            })
            .collect()
    }
}

/// The sector groups of the single-sector rows, best possible score first: `(bound, group)`.
/// A group's bound is its best sector-dependent entry plus the best class and region
/// entries, so no row of the group can score above it.
fn group_order(packed: &PackedPartners, q: &KernelQuery) -> Vec<(f64, usize)> {
    let s_n = q.n_sectors;
    let rest = q.rest;
    let rows = q.single.len() / s_n.max(1);
    let mut order: Vec<(f64, usize)> = (0..s_n)
        .filter(|g| packed.group.get(g + 1) > packed.group.get(*g))
        .map(|g| {
            (
                (0..rows)
                    .map(|me| q.single[me * s_n + g])
                    .fold(f64::NEG_INFINITY, f64::max)
                    + rest,
                g,
            )
        })
        .collect();
    order.sort_by(|a, b| b.0.total_cmp(&a.0).then(a.1.cmp(&b.1)));
    order
}

/// Scores a span into `top`. Sector groups are visited best bound first, and the scan stops
/// at the first group whose bound cannot beat the k-th best: the groups of a query's
/// unrelated sectors are never read. A single-sector row costs three table reads; a
/// multi-sector row is scored exactly only when its own bound could beat the k-th best.
fn scan_into(
    packed: &PackedPartners,
    q: &KernelQuery,
    span: &Span,
    order: &[(f64, usize)],
    top: &mut TopK,
) {
    let s_n = q.n_sectors;
    let mut threshold = top.threshold();
    for (bound, g) in order {
        if *bound + BOUND_SLACK < threshold {
            break;
        }
        let lo = (packed.group[*g] as usize).max(span.single.start);
        let hi = (packed.group[g + 1] as usize).min(span.single.end);
        if lo >= hi {
            continue;
        }
        for r in &packed.single[lo..hi] {
            let s = q.class[r.class as usize]
                + q.region[r.region as usize]
                + q.single[r.macro_ev as usize * s_n + r.sector as usize];
            if s >= threshold {
                top.offer(Cand(s, r.pos));
                threshold = top.threshold();
            }
        }
    }
    for i in span.multi.clone() {
        // A row none of whose sectors matter to the query scores its class and region only.
        if packed.multi_mask[i] & q.relevant == 0 && q.rest + BOUND_SLACK < threshold {
            continue;
        }
        let r = &packed.multi[i];
        let extra = packed.extra_at(i, r.n_extra);
        let base = q.class[r.class as usize] + q.region[r.region as usize];
        if q.multi_bound(r, extra, base) + BOUND_SLACK < threshold {
            continue;
        }
        let s = base + q.multi(r, extra);
        if s >= threshold {
            top.offer(Cand(s, r.pos));
            threshold = top.threshold();
        }
    }
}

fn scan(packed: &PackedPartners, q: &KernelQuery, span: Span, k: usize) -> TopK {
    let mut top = TopK::new(k);
    scan_into(packed, q, &span, &group_order(packed, q), &mut top);
    top
}

/// The `k` best rows for a query, best first, ties to the lower row: `(row, score)`. One
/// pass, no score vector, no allocation per row.
pub fn top_k(packed: &PackedPartners, q: &KernelQuery, k: usize) -> Vec<(usize, f64)> {
    scan(packed, q, packed.whole(), k).into_sorted()
}

/// Like [`top_k`], splitting the rows among the threads of rayon's pool and merging.
#[cfg(feature = "rayon")]
pub fn top_k_parallel(packed: &PackedPartners, q: &KernelQuery, k: usize) -> Vec<(usize, f64)> {
    use rayon::prelude::*;
    let order = group_order(packed, q);
    if packed.len() < 1 << 15 {
        return scan(packed, q, packed.whole(), k).into_sorted();
    }
    // First the best groups, on one thread, until k candidates are in hand: their k-th score
    // is a floor that every thread then prunes with from its first row.
    let mut seed = TopK::new(k);
    let singles_only = Span {
        single: 0..packed.single.len(),
        multi: 0..0,
    };
    let mut j = 0;
    while j < order.len() && seed.items.len() < k {
        scan_into(packed, q, &singles_only, &order[j..j + 1], &mut seed);
        j += 1;
    }
    let floor = seed.threshold();
    let rest = &order[j..];
    let parts = rayon::current_num_threads().max(1) * 4;
    packed
        .split(parts)
        .into_par_iter()
        .map(|span| {
            let mut top = TopK::new(k);
            top.floor = floor;
            scan_into(packed, q, &span, rest, &mut top);
            top
        })
        .reduce(|| TopK::new(k), TopK::merge)
        .merge(seed)
        .into_sorted()
}

/// The `k` best rows for each of many queries. Each query keeps only its own top k while it
/// reads the rows (which stay in the cache from one query to the next) and skips the sector
/// groups that cannot reach its top k: no queries × rows score matrix is ever built.
pub fn batch_top_k(
    packed: &PackedPartners,
    queries: &[KernelQuery],
    k: usize,
) -> Vec<Vec<(usize, f64)>> {
    batch_range(packed, queries, k, 0..queries.len())
}

fn batch_range(
    packed: &PackedPartners,
    queries: &[KernelQuery],
    k: usize,
    qs: std::ops::Range<usize>,
) -> Vec<Vec<(usize, f64)>> {
    // Each query keeps only its own top k while it reads the rows: no queries x rows score
    // matrix is built. The rows of a batch are read query after query from the cache.
    let whole = packed.whole();
    let tops: Vec<TopK> = qs
        .map(|qi| {
            let q = &queries[qi];
            let mut top = TopK::new(k);
            scan_into(packed, q, &whole, &group_order(packed, q), &mut top);
            top
        })
        .collect();
    tops.into_iter().map(TopK::into_sorted).collect()
}

/// Like [`batch_top_k`], spreading the queries over rayon's pool.
#[cfg(feature = "rayon")]
pub fn batch_top_k_parallel(
    packed: &PackedPartners,
    queries: &[KernelQuery],
    k: usize,
) -> Vec<Vec<(usize, f64)>> {
    use rayon::prelude::*;
    let per = queries
        .len()
        .div_ceil(rayon::current_num_threads().max(1) * 2)
        .max(1);
    let ranges: Vec<std::ops::Range<usize>> = (0..queries.len())
        .step_by(per)
        .map(|s| s..(s + per).min(queries.len()))
        .collect();
    ranges
        .into_par_iter()
        .flat_map_iter(|r| batch_range(packed, queries, k, r))
        .collect()
}

/// Every row's score, for checking the fused top-k against a full sort.
pub fn all_scores(packed: &PackedPartners, q: &KernelQuery) -> Vec<f64> {
    let mut out = vec![f64::NEG_INFINITY; packed.len()];
    for r in &packed.single {
        if let Some(slot) = out.get_mut(r.pos as usize) {
            *slot = q.score(r, &[]);
        }
    }
    for (i, r) in packed.multi.iter().enumerate() {
        if let Some(slot) = out.get_mut(r.pos as usize) {
            *slot = q.score(r, packed.extra_at(i, r.n_extra));
        }
    }
    out
}

/// The score of one row under many queries: the reverse direction (one partner, many
/// profiles). Returns the `k` best query indices, best first, ties to the lower index.
pub fn rank_queries(
    packed: &PackedPartners,
    row: usize,
    queries: &[KernelQuery],
    k: usize,
) -> Vec<(usize, f64)> {
    let mut top = TopK::new(k);
    if let Some((r, extra)) = packed.at_position(row) {
        for (i, q) in queries.iter().enumerate() {
            top.offer(Cand(q.score(r, extra), i as u32));
        }
    }
    top.into_sorted()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rows_are_twelve_bytes() {
        assert_eq!(std::mem::size_of::<Row>(), 12);
    }

    #[test]
    fn top_k_keeps_the_best_and_breaks_ties_by_row() {
        let mut t = TopK::new(3);
        for (i, s) in [0.5, 0.9, 0.5, 0.7, 0.9, 0.1].iter().enumerate() {
            t.offer(Cand(*s, i as u32));
        }
        assert_eq!(t.into_sorted(), vec![(1, 0.9), (4, 0.9), (3, 0.7)]);
        let mut a = TopK::new(2);
        a.offer(Cand(0.5, 0));
        a.offer(Cand(0.4, 1));
        let mut b = TopK::new(2);
        b.offer(Cand(0.5, 2));
        b.offer(Cand(0.6, 3));
        assert_eq!(a.merge(b).into_sorted(), vec![(3, 0.6), (0, 0.5)]);
        let mut z = TopK::new(0);
        z.offer(Cand(1.0, 0));
        assert!(z.into_sorted().is_empty());
    }
}
