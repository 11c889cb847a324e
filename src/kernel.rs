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
//! | `class` | 1 | role × kind × tech level × control level: admission, tech, control and goal together |
//! | `macro_ev` | 1 | macro-region × evidence grade: regional demand notes and evidence |
//! | `n_extra`, `extra_at` | 1 + 4 | further sectors, in a side pool (most partners have one) |
//!
//! # One model, evaluated ahead
//!
//! The kernel restates no scoring rule. Its tables are the model's own component functions
//! (the scoring model's, `src/score/`) evaluated over their small domains: every kind, level, place, province,
//! macro-region, evidence grade and sector. A multi-sector row calls the same functions on
//! its sectors. Who may enter the ranking is the model's admission rule, folded into the
//! tables as minus infinity. The one thing the kernel adds is arithmetic order: it sums the
//! same weighted parts in groups, so its scores may differ from the exact scorer's in the
//! last bits.
//!
//! That is why the kernel returns *candidates*: the best `k` rows and every row within a
//! rounding slack of the `k`-th, so that rows tied with it are all there.
//! [`Recommender`](crate::Recommender) re-scores them exactly and ranks them by the exact
//! score and id, so the fast path returns exactly the exact path's top k, ties included.
//!
//! Each row carries its position in id order. Single-sector rows are grouped by main sector:
//! a query reads the groups in the order of their best possible score and stops at the first
//! group that cannot reach its top k, so the sectors a profile does not ask for are mostly
//! never read.
//!
//! # Examples
//!
//! [`Recommender::rank`](crate::Recommender::rank) uses the kernel for you. To size a
//! deployment, rank packed rows of your own, here a million synthetic partners drawn like the
//! briefing's:
//!
//! ```
//! use eccp_china::{kernel, kernel::PackedPartners, Dataset, Profile, Recommender, Weights};
//! # fn main() -> Result<(), eccp_china::Error> {
//! let data = Dataset::embedded()?;
//! let rec = Recommender::new(data);
//! let rows = PackedPartners::synthetic(data, 100_000, 7);
//! let p = Profile::builder("Wind", "DK").sector("wind energy").build()?;
//! let q = rec.kernel_query(&rec.resolve(&p)?, &Weights::default())?;
//! let top = kernel::top_k(&rows, &q, 10); // (row position, score), best first
//! assert_eq!(top.len(), 10);
//! assert!(top.windows(2).all(|w| w[0].1 >= w[1].1));
//! # Ok(())
//! # }
//! ```

use crate::dataset::{Dataset, Evidence, Kind, Level, MacroRegionId, PartnerIndex, PlaceId, Role};
use crate::dataset::{ProvinceId, SectorId};
use crate::score::{Features, Query, RegionKey};
use std::cmp::Ordering;

const LEVELS: [Level; 3] = [Level::Low, Level::Medium, Level::High];

/// Evidence grades a row encodes beside its macro-region (a constant, so that splitting the
/// byte is a shift, not a division).
const GRADES: usize = Evidence::ALL.len();

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
struct Row {
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
    /// Partners with several sectors, in id order, with where their further sectors start in
    /// `pool`.
    multi: Vec<Row>,
    multi_at: Vec<u32>,
    /// Each multi-sector row's sectors as a bit set (all bits when a sector id is past 127):
    /// a query skips, with one AND, the rows whose sectors it has no interest in.
    multi_mask: Vec<u128>,
    /// `single` is grouped by main sector: group `s` is `single[group[s]..group[s + 1]]`.
    group: Vec<u32>,
    /// The further sectors of multi-sector rows (the main one is in the row).
    pool: Vec<SectorId>,
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
            packed.push(i, &Features::of(d, PartnerIndex(i)));
        }
        packed.finish();
        packed
    }

    fn empty(d: &Dataset, n: usize) -> PackedPartners {
        PackedPartners {
            single: Vec::with_capacity(n),
            multi: Vec::new(),
            multi_at: Vec::new(),
            multi_mask: Vec::new(),
            group: Vec::new(),
            pool: Vec::new(),
            partner: Vec::new(),
            n: 0,
            n_sectors: d.taxonomy().sectors().len(),
            n_macros: d.regions().macro_regions().len(),
            n_provinces: d.regions().provinces().len(),
            n_places: d.regions().places().len(),
        }
    }

    /// The region code of a key: places, then provinces, then "national".
    fn region_code(&self, key: RegionKey) -> usize {
        match key {
            RegionKey::Place(pl) => pl.index(),
            RegionKey::Province(pr) => self.n_places + pr.index(),
            RegionKey::National => self.n_places + self.n_provinces,
        }
    }

    /// Packs the features the model reads of partner `partner`.
    fn push(&mut self, partner: u32, p: &Features) {
        let kind = Kind::ALL.iter().position(|k| *k == p.kind).unwrap_or(0) as u8;
        let grade = Evidence::ALL
            .iter()
            .position(|e| *e == p.evidence)
            .unwrap_or(0) as u8;
        let m = p.macro_region.map_or(self.n_macros, |m| m.index());
        let rest = p.sectors.get(1..).unwrap_or(&[]);
        let row = Row {
            sector: p.sectors.first().map_or(0, |s| s.0),
            region: self.region_code(p.region) as u16,
            class: u8::from(p.role == Role::Intermediary) * 63
                + kind * 9
                + p.tech.rank() * 3
                + p.control.rank(),
            macro_ev: (m * GRADES) as u8 + grade,
            n_extra: rest.len() as u8,
            _pad: 0,
            pos: self.n as u32,
        };
        if rest.is_empty() {
            self.single.push(row);
        } else {
            self.multi_at.push(self.pool.len() as u32);
            self.multi_mask
                .push(sector_mask(p.sectors.iter().map(|s| s.0)));
            self.pool.extend_from_slice(rest);
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
        self.multi_at.shrink_to_fit();
        self.multi_mask.shrink_to_fit();
        self.pool.shrink_to_fit();
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
    /// and scale tests; their partner index is their row, and they have no names.
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
            let mut sectors: Vec<SectorId> = Vec::with_capacity(count as usize);
            for _ in 0..count {
                let s = SectorId((next() % n_sec) as u16);
                if !sectors.contains(&s) {
                    sectors.push(s);
                }
            }
            let region = if r % 16 == 1 {
                RegionKey::National
            } else {
                RegionKey::Place(PlaceId((next() % n_pl) as u16))
            };
            let macro_region = region.province(reg).map(|p| reg.province(p).macro_region());
            let kind = Kind::ALL[((r >> 16) % 7) as usize];
            packed.push(
                i as u32,
                &Features {
                    sectors: &sectors,
                    region,
                    macro_region,
                    kind,
                    role: kind.role(),
                    tech: LEVELS[((r >> 20) % 3) as usize],
                    control: LEVELS[((r >> 24) % 3) as usize],
                    evidence: Evidence::ALL[((r >> 28) % 4) as usize],
                    partner: None,
                },
            );
        }
        packed.finish();
        packed
    }

    /// The further sectors of a multi-sector row.
    #[inline]
    fn extra_of(&self, multi_index: usize, r: &Row) -> &[SectorId] {
        let at = self.multi_at.get(multi_index).map_or(0, |a| *a as usize);
        self.pool.get(at..at + r.n_extra as usize).unwrap_or(&[])
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
    /// offsets, bit sets and sector pool.
    pub fn bytes(&self) -> usize {
        (self.single.len() + self.multi.len()) * std::mem::size_of::<Row>()
            + self.multi_at.len() * 4
            + self.multi_mask.len() * 16
            + self.pool.len() * 2
    }

    /// Bytes held in all: what [`PackedPartners::bytes`] streams plus the map from positions
    /// to dataset partners (empty when they coincide, as for synthetic partners).
    pub fn bytes_held(&self) -> usize {
        self.bytes() + self.partner.len() * 4
    }

    /// The position (in id order) of a dataset partner, if it is packed here.
    pub fn position_of(&self, partner: PartnerIndex) -> Option<usize> {
        if self.partner.is_empty() {
            return (partner.index() < self.n).then_some(partner.index());
        }
        self.partner.iter().position(|p| *p == partner.0)
    }

    /// The row at a position and its further sectors.
    fn at_position(&self, pos: usize) -> Option<(&Row, &[SectorId])> {
        if let Some(r) = self.single.iter().find(|r| r.pos as usize == pos) {
            return Some((r, &[]));
        }
        let i = self
            .multi
            .binary_search_by_key(&(pos as u32), |r| r.pos)
            .ok()?;
        let r = &self.multi[i];
        Some((r, self.extra_of(i, r)))
    }

    /// The dataset partner at a position (in id order).
    pub fn partner_of(&self, pos: usize) -> PartnerIndex {
        PartnerIndex(self.partner.get(pos).copied().unwrap_or(pos as u32))
    }
}

/// A query as lookup tables over the packed rows' fields, built by evaluating the model's
/// component functions over their domains.
#[derive(Debug, Clone)]
pub struct KernelQuery {
    n_sectors: usize,
    n_macros: usize,
    /// The model, for the rows with several sectors.
    query: Query,
    /// (macro-region, national last) × grade × sector: the weighted sector, reciprocity and
    /// evidence values of a single-sector partner.
    single: Vec<f64>,
    /// (macro-region, national last) × sector: the weighted sector and reciprocity values of
    /// one sector. Both rules take a maximum over the partner's sectors of non-negative
    /// values, so summed over a multi-sector row's sectors these bound its value from above.
    bound: Vec<f64>,
    /// Grade × sector: the weighted evidence value of a main sector.
    evidence: Vec<f64>,
    /// Class (role × kind × tech × control) → weighted tech + control + goal; minus
    /// infinity for a kind and role the query does not admit.
    class: [f64; 126],
    /// Region code → weighted region value; minus infinity for a place it does not admit.
    region: Vec<f64>,
    /// The best class entry plus the best region entry: all a row scores without sectors.
    rest: f64,
    /// The sectors with a sector value for this query, as a bit set: a row with none of
    /// them is no match.
    relevant: u128,
}

impl KernelQuery {
    /// The tables of `q` over `packed`'s taxonomy and regions (those of `d`).
    pub(crate) fn new(d: &Dataset, q: &Query, packed: &PackedPartners) -> KernelQuery {
        let reg = d.regions();
        let w = q.weights();
        let (w_sec, w_reg, w_tech, w_ctrl, w_goal, w_rec, w_ev) =
            (w[0], w[1], w[2], w[3], w[4], w[5], w[6]);
        let s_n = packed.n_sectors;
        let n_m = packed.n_macros;
        let g_n = GRADES;
        let sector_id = |s: usize| SectorId(s as u16);
        let macro_of = |m: usize| (m < n_m).then_some(MacroRegionId(m as u8));
        let mut evidence = vec![0.0; g_n * s_n];
        for (g, grade) in Evidence::ALL.iter().enumerate() {
            for s in 0..s_n {
                evidence[g * s_n + s] = w_ev * q.evidence(sector_id(s), *grade);
            }
        }
        // A partner with no sector value is no match (the model's rule): minus infinity.
        let fit: Vec<f64> = (0..s_n)
            .map(|s| q.sector(&[sector_id(s)], None))
            .map(|v| {
                if v > 0.0 {
                    w_sec * v
                } else {
                    f64::NEG_INFINITY
                }
            })
            .collect();
        let mut single = vec![0.0; (n_m + 1) * g_n * s_n];
        let mut bound = vec![0.0; (n_m + 1) * s_n];
        for m in 0..=n_m {
            for s in 0..s_n {
                let b = fit[s] + w_rec * q.reciprocity(&[sector_id(s)], macro_of(m));
                // The bound sums over a row's sectors; a sector of no value adds nothing.
                bound[m * s_n + s] = b.max(0.0);
                for g in 0..g_n {
                    single[(m * g_n + g) * s_n + s] = b + evidence[g * s_n + s];
                }
            }
        }
        let mut class = [f64::NEG_INFINITY; 126];
        for (r, role) in [Role::Partner, Role::Intermediary].iter().enumerate() {
            for (k, kind) in Kind::ALL.iter().enumerate() {
                if !q.admission().kind(*kind, *role) {
                    continue;
                }
                for (t, tech) in LEVELS.iter().enumerate() {
                    for (c, control) in LEVELS.iter().enumerate() {
                        class[r * 63 + k * 9 + t * 3 + c] = w_tech * q.tech(*tech)
                            + w_ctrl * q.control(*control)
                            + w_goal * q.goal(*kind);
                    }
                }
            }
        }
        let keys = (0..packed.n_places)
            .map(|i| RegionKey::Place(PlaceId(i as u16)))
            .chain((0..packed.n_provinces).map(|i| RegionKey::Province(ProvinceId(i as u8))))
            .chain(std::iter::once(RegionKey::National));
        let region: Vec<f64> = keys
            .map(|key| {
                if q.admission().region(reg, key) {
                    w_reg * q.region(d, key)
                } else {
                    f64::NEG_INFINITY
                }
            })
            .collect();
        let rest = class.iter().copied().fold(f64::NEG_INFINITY, f64::max)
            + region.iter().copied().fold(f64::NEG_INFINITY, f64::max);
        // The sectors a row must have one of to be a match at all.
        let relevant = if s_n > 128 {
            u128::MAX
        } else {
            (0..s_n)
                .filter(|s| fit[*s] > f64::NEG_INFINITY)
                .fold(0u128, |acc, s| acc | 1 << s)
        };
        KernelQuery {
            n_sectors: s_n,
            n_macros: n_m,
            query: q.clone(),
            single,
            bound,
            evidence,
            class,
            region,
            rest,
            relevant,
        }
    }

    /// The kernel score of one row; `extra` holds a multi-sector row's further sectors
    /// (empty for a single-sector row).
    #[inline]
    fn score(&self, r: &Row, extra: &[SectorId]) -> f64 {
        let base = self.class[r.class as usize] + self.region[r.region as usize];
        if extra.is_empty() {
            return base + self.single[r.macro_ev as usize * self.n_sectors + r.sector as usize];
        }
        base + self.multi(r, extra)
    }

    /// The sector-dependent part of a multi-sector row: the model's functions on its sectors
    /// (the main one, then `extra`). Cold: few rows get past their bound, and keeping the call
    /// out of the scan's hot path keeps the scan's tables in registers.
    #[cold]
    #[inline(never)]
    fn multi(&self, r: &Row, extra: &[SectorId]) -> f64 {
        let mut buf = [SectorId(r.sector); 8];
        let n = 1 + extra.len();
        let long: Vec<SectorId>;
        let sectors: &[SectorId] = match buf.get_mut(1..n) {
            Some(rest) => {
                rest.copy_from_slice(extra);
                &buf[..n]
            }
            None => {
                long = std::iter::once(SectorId(r.sector))
                    .chain(extra.iter().copied())
                    .collect();
                &long
            }
        };
        let w = self.query.weights();
        let (m, g) = (r.macro_ev as usize / GRADES, r.macro_ev as usize % GRADES);
        let macro_region = (m < self.n_macros).then_some(MacroRegionId(m as u8));
        let sector = self.query.sector(sectors, None);
        if sector <= 0.0 {
            return f64::NEG_INFINITY;
        }
        w[0] * sector
            + w[5] * self.query.reciprocity(sectors, macro_region)
            + self.evidence[g * self.n_sectors + r.sector as usize]
    }

    /// An upper bound of a multi-sector row's score, from one table and a sum over its
    /// sectors (the main one and `extra`).
    #[inline]
    fn multi_bound(&self, r: &Row, extra: &[SectorId], base: f64) -> f64 {
        let s_n = self.n_sectors;
        let (m, g) = (r.macro_ev as usize / GRADES, r.macro_ev as usize % GRADES);
        let b = &self.bound[m * s_n..(m + 1) * s_n];
        let at = |s: usize| b.get(s).copied().unwrap_or(0.0);
        let sum: f64 = at(r.sector as usize) + extra.iter().map(|s| at(s.index())).sum::<f64>();
        base + sum + self.evidence[g * s_n + r.sector as usize]
    }
}

/// A candidate: (score, row). Ordered best first: higher score, then lower row.
#[derive(Debug, Clone, Copy, PartialEq)]
struct Cand(f64, u32);

fn better(a: &Cand, b: &Cand) -> Ordering {
    b.0.total_cmp(&a.0).then(a.1.cmp(&b.1))
}

/// How far below the `k`-th kernel score a row may be and still tie with it exactly: the
/// kernel and the exact scorer add the same at most ten terms in [0, 1] in different orders,
/// which moves a sum by far less than this.
const SLACK: f64 = 1e-9;

/// The best `k` candidates, and, when it keeps near ones, every other candidate within
/// [`SLACK`] of the `k`-th.
struct TopK {
    k: usize,
    /// The slack below the `k`-th within which candidates are kept: [`SLACK`] for exact
    /// rescoring, 0 for the kernel's own top k.
    slack: f64,
    /// The best `k` so far, sorted worst first.
    items: Vec<Cand>,
    /// Candidates beyond the best `k` that were within the slack when offered; pruned as the
    /// `k`-th best rises.
    near: Vec<Cand>,
    /// Scores below this cannot make the final top k (another scan holds k better).
    floor: f64,
}

impl TopK {
    /// The `k` best and every candidate within `slack` of the `k`-th.
    fn with_slack(k: usize, slack: f64) -> TopK {
        TopK {
            k,
            slack,
            items: Vec::with_capacity(k.min(1 << 16) + 1),
            near: Vec::new(),
            floor: f64::NEG_INFINITY,
        }
    }

    /// The `k`-th best score so far (minus infinity until there are `k`), or the floor.
    #[inline]
    fn kth(&self) -> f64 {
        let kth = if self.k == 0 || self.items.len() < self.k {
            f64::NEG_INFINITY
        } else {
            self.items[0].0
        };
        kth.max(self.floor)
    }

    /// Rows scoring below this cannot be candidates.
    #[inline]
    fn threshold(&self) -> f64 {
        self.kth() - self.slack
    }

    /// Offers a candidate scoring at least [`TopK::threshold`]: it joins the best `k` if it
    /// beats the worst of them (higher score, or the same score at an earlier position),
    /// else the near ones.
    #[inline]
    fn offer(&mut self, c: Cand) {
        // Minus infinity is a row the query does not admit or no match: never a candidate.
        if self.k == 0 || c.0 == f64::NEG_INFINITY || c.0 < self.threshold() {
            return;
        }
        if self.items.len() == self.k {
            if better(&c, &self.items[0]) != Ordering::Less {
                if self.slack > 0.0 {
                    self.near.push(c);
                    self.prune();
                }
                return;
            }
            let out = self.items.remove(0);
            if self.slack > 0.0 {
                self.near.push(out);
            }
        }
        // items are sorted worst first.
        let pos = self
            .items
            .partition_point(|x| better(x, &c) == Ordering::Greater);
        self.items.insert(pos, c);
        self.prune();
    }

    /// Drops near candidates the `k`-th best has left behind, when there are many.
    #[inline]
    fn prune(&mut self) {
        if self.near.len() > 2 * self.k + 64 {
            let t = self.threshold();
            self.near.retain(|c| c.0 >= t);
        }
    }

    #[cfg_attr(not(feature = "rayon"), allow(dead_code))]
    fn merge(self, other: TopK) -> TopK {
        let mut all = self.items;
        all.extend(self.near);
        all.extend(other.items);
        all.extend(other.near);
        all.sort_by(better);
        let mut top = TopK::with_slack(self.k, self.slack);
        top.floor = self.floor.min(other.floor);
        let near = all.split_off(self.k.min(all.len()));
        all.reverse();
        top.items = all;
        let t = top.threshold();
        top.near = near.into_iter().filter(|c| c.0 >= t).collect();
        top
    }

    /// Every candidate, best first, without the rows no query admits.
    fn into_candidates(mut self) -> Vec<(usize, f64)> {
        let t = self.threshold();
        let mut all = std::mem::take(&mut self.items);
        all.extend(self.near.into_iter().filter(|c| c.0 >= t));
        all.sort_by(better);
        all.into_iter()
            .filter(|c| c.0.is_finite())
            .map(|c| (c.1 as usize, c.0))
            .collect()
    }

    /// The best `k`, best first.
    fn into_sorted(self) -> Vec<(usize, f64)> {
        let k = self.k;
        let mut v = self.into_candidates();
        v.truncate(k);
        v
    }
}

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
        // Groups come best bound first: past the first without a match, none has one.
        if *bound == f64::NEG_INFINITY || *bound + SLACK < threshold {
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
    scan_multi(packed, q, span, top, threshold);
}

/// The multi-sector rows of a span, into `top`: a row none of whose sectors the profile
/// names is skipped with one AND; the others are scored exactly only when their bound could
/// beat the k-th best. Apart from the single-sector loop so that each keeps its tables in
/// registers.
#[inline(never)]
fn scan_multi(
    packed: &PackedPartners,
    q: &KernelQuery,
    span: &Span,
    top: &mut TopK,
    mut threshold: f64,
) {
    // Three parallel slices, zipped: no index, no bounds check per row.
    let span_of = |n: usize| span.multi.start.min(n)..span.multi.end.min(n);
    let masks = &packed.multi_mask[span_of(packed.multi_mask.len())];
    let rows = packed.multi[span_of(packed.multi.len())]
        .iter()
        .zip(&packed.multi_at[span_of(packed.multi_at.len())]);
    for (mask, (r, at)) in masks.iter().zip(rows) {
        // A row none of whose sectors the profile names is no match.
        if mask & q.relevant == 0 {
            continue;
        }
        let base = q.class[r.class as usize] + q.region[r.region as usize];
        let at = *at as usize;
        let extra = packed.pool.get(at..at + r.n_extra as usize).unwrap_or(&[]);
        if q.multi_bound(r, extra, base) + SLACK < threshold {
            continue;
        }
        let s = base + q.multi(r, extra);
        if s >= threshold {
            top.offer(Cand(s, r.pos));
            threshold = top.threshold();
        }
    }
}

fn scan(packed: &PackedPartners, q: &KernelQuery, span: Span, k: usize, slack: f64) -> TopK {
    let mut top = TopK::with_slack(k, slack);
    scan_into(packed, q, &span, &group_order(packed, q), &mut top);
    top
}

/// The `k` best rows for a query by kernel score, best first, ties to the lower row:
/// `(row, score)`. One pass, no score vector, no allocation per row. Rows the query does not
/// admit are left out, so fewer than `k` may come back.
pub fn top_k(packed: &PackedPartners, q: &KernelQuery, k: usize) -> Vec<(usize, f64)> {
    scan(packed, q, packed.whole(), k, 0.0).into_sorted()
}

/// The `k` best rows and every row within a rounding slack of the `k`-th, best first: what
/// exact rescoring needs to settle ties. With the `rayon` feature, on all cores.
pub(crate) fn candidates(packed: &PackedPartners, q: &KernelQuery, k: usize) -> Vec<(usize, f64)> {
    #[cfg(feature = "rayon")]
    let top = scan_parallel(packed, q, k, SLACK);
    #[cfg(not(feature = "rayon"))]
    let top = scan(packed, q, packed.whole(), k, SLACK);
    top.into_candidates()
}

/// Like [`top_k`], splitting the rows among the threads of rayon's pool and merging.
#[cfg(feature = "rayon")]
pub fn top_k_parallel(packed: &PackedPartners, q: &KernelQuery, k: usize) -> Vec<(usize, f64)> {
    scan_parallel(packed, q, k, 0.0).into_sorted()
}

#[cfg(feature = "rayon")]
fn scan_parallel(packed: &PackedPartners, q: &KernelQuery, k: usize, slack: f64) -> TopK {
    use rayon::prelude::*;
    let order = group_order(packed, q);
    if packed.len() < 1 << 15 {
        return scan(packed, q, packed.whole(), k, slack);
    }
    // First the best groups, on one thread, until k candidates are in hand: their k-th score
    // is a floor that every thread then prunes with from its first row.
    let mut seed = TopK::with_slack(k, slack);
    let singles_only = Span {
        single: 0..packed.single.len(),
        multi: 0..0,
    };
    let mut j = 0;
    while j < order.len() && seed.items.len() < k {
        scan_into(packed, q, &singles_only, &order[j..j + 1], &mut seed);
        j += 1;
    }
    let floor = seed.kth();
    let rest = &order[j..];
    let parts = rayon::current_num_threads().max(1) * 4;
    packed
        .split(parts)
        .into_par_iter()
        .map(|span| {
            let mut top = TopK::with_slack(k, slack);
            top.floor = floor;
            scan_into(packed, q, &span, rest, &mut top);
            top
        })
        .reduce(|| TopK::with_slack(k, slack), TopK::merge)
        .merge(seed)
}

/// The `k` best rows for each of many queries. Each query keeps only its own top k while it
/// reads the rows (which stay in the cache from one query to the next) and skips the sector
/// groups that cannot reach its top k: no queries × rows score matrix is ever built.
pub fn batch_top_k(
    packed: &PackedPartners,
    queries: &[KernelQuery],
    k: usize,
) -> Vec<Vec<(usize, f64)>> {
    batch_range(packed, queries, k, 0..queries.len(), 0.0)
        .into_iter()
        .map(TopK::into_sorted)
        .collect()
}

/// Like [`candidates`], for each of many queries; with the `rayon` feature the queries are
/// spread over all cores.
pub(crate) fn batch_candidates(
    packed: &PackedPartners,
    queries: &[KernelQuery],
    k: usize,
) -> Vec<Vec<(usize, f64)>> {
    #[cfg(feature = "rayon")]
    let tops = batch_parallel(packed, queries, k, SLACK);
    #[cfg(not(feature = "rayon"))]
    let tops = batch_range(packed, queries, k, 0..queries.len(), SLACK);
    tops.into_iter().map(TopK::into_candidates).collect()
}

fn batch_range(
    packed: &PackedPartners,
    queries: &[KernelQuery],
    k: usize,
    qs: std::ops::Range<usize>,
    slack: f64,
) -> Vec<TopK> {
    let whole = packed.whole();
    qs.map(|qi| {
        let q = &queries[qi];
        let mut top = TopK::with_slack(k, slack);
        scan_into(packed, q, &whole, &group_order(packed, q), &mut top);
        top
    })
    .collect()
}

#[cfg(feature = "rayon")]
fn batch_parallel(
    packed: &PackedPartners,
    queries: &[KernelQuery],
    k: usize,
    slack: f64,
) -> Vec<TopK> {
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
        .flat_map_iter(|r| batch_range(packed, queries, k, r, slack))
        .collect()
}

/// Like [`batch_top_k`], spreading the queries over rayon's pool.
#[cfg(feature = "rayon")]
pub fn batch_top_k_parallel(
    packed: &PackedPartners,
    queries: &[KernelQuery],
    k: usize,
) -> Vec<Vec<(usize, f64)>> {
    batch_parallel(packed, queries, k, 0.0)
        .into_iter()
        .map(TopK::into_sorted)
        .collect()
}

/// Every row's kernel score, in row order (minus infinity for a row the query does not
/// admit): the whole distribution, to plot it or to choose a threshold. When only the best
/// few matter, [`top_k`] reads less and allocates nothing per row.
pub fn all_scores(packed: &PackedPartners, q: &KernelQuery) -> Vec<f64> {
    let mut out = vec![f64::NEG_INFINITY; packed.len()];
    for r in &packed.single {
        if let Some(slot) = out.get_mut(r.pos as usize) {
            *slot = q.score(r, &[]);
        }
    }
    for (i, r) in packed.multi.iter().enumerate() {
        if let Some(slot) = out.get_mut(r.pos as usize) {
            *slot = q.score(r, packed.extra_of(i, r));
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
    score_queries(packed, row, queries, k, 0.0).into_sorted()
}

/// Like [`rank_queries`], with every query within a rounding slack of the `k`-th.
pub(crate) fn query_candidates(
    packed: &PackedPartners,
    row: usize,
    queries: &[KernelQuery],
    k: usize,
) -> Vec<(usize, f64)> {
    score_queries(packed, row, queries, k, SLACK).into_candidates()
}

fn score_queries(
    packed: &PackedPartners,
    row: usize,
    queries: &[KernelQuery],
    k: usize,
    slack: f64,
) -> TopK {
    let mut top = TopK::with_slack(k, slack);
    if let Some((r, extra)) = packed.at_position(row) {
        for (i, q) in queries.iter().enumerate() {
            top.offer(Cand(q.score(r, extra), i as u32));
        }
    }
    top
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
        let mut t = TopK::with_slack(3, 0.0);
        for (i, s) in [0.5, 0.9, 0.5, 0.7, 0.9, 0.1].iter().enumerate() {
            t.offer(Cand(*s, i as u32));
        }
        assert_eq!(t.into_sorted(), vec![(1, 0.9), (4, 0.9), (3, 0.7)]);
        let mut a = TopK::with_slack(2, 0.0);
        a.offer(Cand(0.5, 0));
        a.offer(Cand(0.4, 1));
        let mut b = TopK::with_slack(2, 0.0);
        b.offer(Cand(0.5, 2));
        b.offer(Cand(0.6, 3));
        assert_eq!(a.merge(b).into_sorted(), vec![(3, 0.6), (0, 0.5)]);
        let mut z = TopK::with_slack(0, 0.0);
        z.offer(Cand(1.0, 0));
        assert!(z.into_sorted().is_empty());
    }

    #[test]
    fn candidates_keep_every_row_tied_with_the_kth() {
        let mut t = TopK::with_slack(2, SLACK);
        // Five rows tied at 0.5 up to rounding, one above, one clearly below.
        for (i, s) in [0.5, 0.5 + 1e-15, 0.9, 0.5 - 1e-15, 0.2, 0.5, 0.5]
            .iter()
            .enumerate()
        {
            t.offer(Cand(*s, i as u32));
        }
        let rows: Vec<usize> = t.into_candidates().into_iter().map(|c| c.0).collect();
        assert_eq!(rows, vec![2, 1, 0, 5, 6, 3]);
        // Minus infinity (a row no query admits) never comes back.
        let mut t = TopK::with_slack(3, SLACK);
        t.offer(Cand(f64::NEG_INFINITY, 0));
        t.offer(Cand(0.1, 1));
        assert_eq!(t.into_candidates(), vec![(1, 0.1)]);
    }

    #[test]
    fn many_exact_ties_stay_linear() {
        let mut t = TopK::with_slack(1, SLACK);
        for i in 0..100_000 {
            t.offer(Cand(0.5, i));
        }
        assert_eq!(t.into_candidates().len(), 100_000);
    }
}
