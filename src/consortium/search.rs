//! The search: the set of candidates that maximises the sum of their scores under a call's
//! roles and constraints, by branch and bound; and the plain statement of the constraints
//! (`satisfies`) that checks its answers.

use super::template::CallTemplate;
use crate::dataset::Kind;

/// Nodes the search visits before it stops and reports its bound instead of a proof.
pub const NODE_LIMIT: u64 = 2_000_000;

/// One candidate for [`search()`]: what the search reads of a scored partner.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Candidate {
    /// Its score for the profile, in [0, 1].
    pub score: f64,
    /// Its kind (which roles it may fill).
    pub kind: Kind,
    /// Its city, as any number unique to the city (none: counts against no city).
    pub city: Option<u32>,
    /// Its province, likewise (none: a national body, no province).
    pub province: Option<u32>,
    /// Whether it has a formal organisation to talk to.
    pub formal: bool,
}

/// What [`search()`] found.
#[derive(Debug, Clone, PartialEq)]
pub struct Search {
    /// The members: candidate index and role index, in role order, then best first.
    pub members: Vec<(usize, usize)>,
    /// The sum of their scores.
    pub total: f64,
    /// An upper bound on the best total any set could reach (the roles' best candidates,
    /// ignoring cities, provinces, formal organisations and who is taken).
    pub bound: f64,
    /// Whether `members` is proved best: the search completed, or reached `bound`.
    pub proved: bool,
    /// Nodes visited.
    pub nodes: u64,
}

/// The set of candidates that maximises the sum of scores under `call`'s roles and
/// constraints; `members` is empty when no set meets them (proved so when `proved`).
/// Ties go to the candidate earlier in `candidates` (give them in ranking order).
///
/// Exact when `proved`; otherwise (after [`NODE_LIMIT`] nodes) the best found, no more than
/// `bound - total` below the optimum.
pub fn search(call: &CallTemplate, candidates: &[Candidate]) -> Search {
    Searcher::new(call, candidates).run()
}

const EPS: f64 = 1e-12;

struct Searcher<'a> {
    call: &'a CallTemplate,
    cands: &'a [Candidate],
    /// Per role: the candidates it admits, best first (ties in input order).
    eligible: Vec<Vec<u32>>,
    /// Per role: their scores, in that order.
    scores: Vec<Vec<f64>>,
    /// Per role r: prefix sums of the best values roles r.. can add (each role's first
    /// `max` scores, merged, best first), up to the budget; one more role at the end, empty.
    suffix_prefix: Vec<Vec<f64>>,
    /// Per role r: the sum of the mins of roles r..
    suffix_min: Vec<usize>,
    chosen: Vec<(u32, u16)>,
    total: f64,
    best: Option<(f64, Vec<(u32, u16)>)>,
    nodes: u64,
    stopped: bool,
}

impl<'a> Searcher<'a> {
    fn new(call: &'a CallTemplate, cands: &'a [Candidate]) -> Searcher<'a> {
        let budget = call.constraints.max_partners;
        let mut eligible = Vec::with_capacity(call.roles.len());
        let mut scores = Vec::with_capacity(call.roles.len());
        for role in &call.roles {
            let mut e: Vec<u32> = (0..cands.len() as u32)
                .filter(|i| role.admits(cands[*i as usize].kind))
                .collect();
            e.sort_by(|a, b| {
                cands[*b as usize]
                    .score
                    .total_cmp(&cands[*a as usize].score)
                    .then(a.cmp(b))
            });
            scores.push(e.iter().map(|i| cands[*i as usize].score).collect());
            eligible.push(e);
        }
        let n = call.roles.len();
        let mut suffix_prefix = vec![vec![0.0; budget + 1]; n + 1];
        let mut suffix_min = vec![0; n + 1];
        let mut tops: Vec<f64> = Vec::new();
        for r in (0..n).rev() {
            let s: &Vec<f64> = &scores[r];
            tops.extend(s.iter().take(call.roles[r].max));
            tops.sort_by(|a, b| b.total_cmp(a));
            tops.truncate(budget);
            let mut acc = 0.0;
            for (k, slot) in suffix_prefix[r].iter_mut().enumerate() {
                *slot = acc;
                if let Some(v) = tops.get(k) {
                    acc += v;
                }
            }
            suffix_min[r] = suffix_min[r + 1] + call.roles[r].min;
        }
        Searcher {
            call,
            cands,
            eligible,
            scores,
            suffix_prefix,
            suffix_min,
            chosen: Vec::with_capacity(budget),
            total: 0.0,
            best: None,
            nodes: 0,
            stopped: false,
        }
    }

    fn run(mut self) -> Search {
        let bound = self.suffix_prefix[0][self.call.constraints.max_partners];
        self.dfs(0, 0, 0);
        let (total, members) = match self.best.take() {
            Some((t, m)) => (
                t,
                m.into_iter()
                    .map(|(c, r)| (c as usize, r as usize))
                    .collect(),
            ),
            None => (0.0, Vec::new()),
        };
        let proved = !self.stopped || (!members.is_empty() && total >= bound - EPS);
        Search {
            members,
            total,
            bound,
            proved,
            nodes: self.nodes,
        }
    }

    fn provinces(&self) -> usize {
        province_count(self.cands, self.chosen.iter().map(|(c, _)| *c as usize))
    }

    fn formal(&self) -> usize {
        self.chosen
            .iter()
            .filter(|(c, _)| self.cands[*c as usize].formal)
            .count()
    }

    /// Whether candidate `c` can join: not taken, and its city not full.
    fn may_join(&self, c: u32) -> bool {
        if self.chosen.iter().any(|(o, _)| *o == c) {
            return false;
        }
        match (
            self.call.constraints.max_per_city,
            self.cands[c as usize].city,
        ) {
            (Some(cap), Some(city)) => {
                self.chosen
                    .iter()
                    .filter(|(o, _)| self.cands[*o as usize].city == Some(city))
                    .count()
                    < cap
            }
            _ => true,
        }
    }

    /// The most `left` more members can add: from role `r`'s candidates at `from..` (at
    /// most `slots` of them) and the later roles' best.
    fn optimistic(&self, r: usize, from: usize, slots: usize, left: usize) -> f64 {
        let here = self.scores[r].get(from..).unwrap_or(&[]);
        let here = &here[..slots.min(here.len())];
        let later = &self.suffix_prefix[r + 1];
        // Best `left` of the merge of `here` (descending) and the later tops (whose prefix
        // sums are `later`): try every split.
        let mut best = f64::MIN;
        let mut acc = 0.0;
        for k in 0..=here.len().min(left) {
            if k > 0 {
                acc += here[k - 1];
            }
            best = best.max(acc + later[left - k]);
        }
        best
    }

    fn dfs(&mut self, r: usize, start: usize, taken: usize) {
        self.nodes += 1;
        if self.nodes > NODE_LIMIT {
            self.stopped = true;
            return;
        }
        let k = self.call.constraints;
        let left = k.max_partners - self.chosen.len();
        let role = &self.call.roles[r];
        if self.suffix_min[r + 1] + role.min.saturating_sub(taken) > left
            || self.provinces() + left < k.min_provinces
            || self.formal() + left < k.min_formal_organisations
        {
            return;
        }
        if taken < role.max && left > 0 {
            for j in start..self.eligible[r].len() {
                let c = self.eligible[r][j];
                let s = self.scores[r][j];
                let bound =
                    self.total + s + self.optimistic(r, j + 1, role.max - taken - 1, left - 1);
                if self.best.as_ref().is_some_and(|b| bound <= b.0 + EPS) {
                    break;
                }
                if !self.may_join(c) {
                    continue;
                }
                self.chosen.push((c, r as u16));
                self.total += s;
                self.dfs(r, j + 1, taken + 1);
                self.total -= s;
                self.chosen.pop();
                if self.stopped {
                    return;
                }
            }
        }
        if taken < role.min {
            return;
        }
        if r + 1 == self.call.roles.len() {
            if !self.chosen.is_empty()
                && self.provinces() >= k.min_provinces
                && self.formal() >= k.min_formal_organisations
                && self.best.as_ref().is_none_or(|b| self.total > b.0 + EPS)
            {
                self.best = Some((self.total, self.chosen.clone()));
            }
            return;
        }
        let bound = self.total + self.suffix_prefix[r + 1][left];
        if self.best.as_ref().is_some_and(|b| bound <= b.0 + EPS) {
            return;
        }
        self.dfs(r + 1, 0, 0);
    }
}

/// The number of distinct provinces among `members` (national bodies have none).
pub(super) fn province_count(cands: &[Candidate], members: impl Iterator<Item = usize>) -> usize {
    let mut seen: Vec<u32> = members.filter_map(|c| cands[c].province).collect();
    seen.sort_unstable();
    seen.dedup();
    seen.len()
}

/// Whether a set meets `call`'s roles and constraints: each member admitted by its role,
/// no candidate twice, role counts within their bounds, the city cap, the provinces, the
/// formal organisations and the budget. The rule [`search()`] keeps, stated once more plainly
/// for checks (runner-ups, tests).
pub fn satisfies(
    call: &CallTemplate,
    candidates: &[Candidate],
    members: &[(usize, usize)],
) -> bool {
    let k = call.constraints;
    if members.is_empty() || members.len() > k.max_partners {
        return false;
    }
    for (i, (c, r)) in members.iter().enumerate() {
        if members[..i].iter().any(|(o, _)| o == c) {
            return false;
        }
        match (call.roles.get(*r), candidates.get(*c)) {
            (Some(role), Some(cand)) if role.admits(cand.kind) => {}
            _ => return false,
        }
    }
    for (r, role) in call.roles.iter().enumerate() {
        let n = members.iter().filter(|(_, x)| *x == r).count();
        if n < role.min || n > role.max {
            return false;
        }
    }
    if let Some(cap) = k.max_per_city {
        for (c, _) in members {
            if let Some(city) = candidates[*c].city {
                if members
                    .iter()
                    .filter(|(o, _)| candidates[*o].city == Some(city))
                    .count()
                    > cap
                {
                    return false;
                }
            }
        }
    }
    province_count(candidates, members.iter().map(|(c, _)| *c)) >= k.min_provinces
        && members
            .iter()
            .filter(|(c, _)| candidates[*c].formal)
            .count()
            >= k.min_formal_organisations
}

/// `n` made-up candidates in ranking order (best first), for benchmarks and scale tests:
/// kinds spread over all seven (intermediaries included, which no role admits), 400 cities
/// in 34 provinces with one in sixteen national (no city, no province), associations and
/// institutes formal and one in five others, and scores with the long tail of a real
/// ranking (most candidates weak, a few strong) rounded to 1e-4, so that ties occur.
pub fn synthetic_candidates(n: usize, seed: u64) -> Vec<Candidate> {
    let mut rng = crate::rng::SplitMix64(seed ^ 0x00C0_4507_1A11);
    let mut out: Vec<Candidate> = (0..n)
        .map(|_| {
            let r = rng.next();
            let kind = Kind::ALL[(r % 7) as usize];
            let national = (r >> 8).is_multiple_of(16);
            let city = (!national).then_some(((r >> 16) % 400) as u32);
            let u = rng.unit();
            Candidate {
                score: (u * u * u * 10_000.0).round() / 10_000.0,
                kind,
                city,
                province: city.map(|c| c * 34 / 400),
                formal: kind.is_organisation() || (r >> 32).is_multiple_of(5),
            }
        })
        .collect();
    out.sort_by(|a, b| b.score.total_cmp(&a.score));
    out
}
