//! A consortium for a call: the best set of partners for a call template's roles and
//! constraints, from the one scoring model's matches, with what each member adds and who
//! would replace it.
//!
//! A [`CallTemplate`] names roles (the partner kinds or goals each needs, and how many) and
//! constraints (at most so many partners per city, at least so many provinces and formal
//! organisations, a budget of partners). [`Recommender::consortium`] scores every partner
//! for the profile exactly as a ranking does, then [`search`]es for the set that maximises
//! the sum of its members' scores under the template: a depth-first branch and bound over
//! each role's candidates in ranking order, pruned by an upper bound that ignores who is
//! already taken, cities, provinces and formal organisations (so it never undercuts the
//! optimum). On the embedded data the search always completes, so its answer is the
//! optimum (the tests check it against exhaustive search); on very large pools it stops
//! after [`NODE_LIMIT`] nodes and states how far from the optimum it can be.
//!
//! Three templates ship in `data/calls/`, drawn from the briefing's programmes:
//! [`CallTemplate::builtin`].
//!
//! ```
//! use eccp_china::{consortium::CallTemplate, Dataset, Goal, Options, Profile, Recommender};
//! # fn main() -> eccp_china::Result<()> {
//! let rec = Recommender::new(Dataset::embedded()?);
//! let profile = Profile::builder("E-mobility cluster", "DE")
//!     .sectors(["electric vehicles"])
//!     .goals([Goal::MarketAccess])
//!     .build()?;
//! let call = CallTemplate::find("market_entry_mission")?;
//! let c = rec.consortium(&rec.resolve(&profile)?, call, &Options::default())?;
//! assert!(c.proved_optimal && !c.members.is_empty());
//! println!("{}", c.to_text());
//! for m in &c.members {
//!     assert!(c.members.iter().filter(|o| o.city.is_some() && o.city == m.city).count() <= 1);
//! }
//! # Ok(())
//! # }
//! ```

use crate::dataset::{
    convert_sources, in_briefing, not_in_briefing, Dataset, Goal, Kind, RawSource, Role, Source,
};
use crate::date::YearMonth;
use crate::error::{Error, Result};
use crate::explain::Risk;
use crate::recommend::Recommender;
use crate::resolve::ResolvedProfile;
use crate::score::{self, goal_affinity, Options, Query};
use serde::{Deserialize, Serialize};
use std::sync::OnceLock;

/// A role's goal admits a kind that serves it at least this well
/// ([`goal_affinity`]): "serves it well" in the briefing's terms, e.g. industrial clusters
/// and associations for market access, science parks and institutes for R&D.
pub const ROLE_GOAL_AFFINITY: f64 = 0.8;

/// Most partners a template may ask for, and most roles: a consortium, not a list.
pub const MAX_PARTNERS: usize = 12;

/// Nodes the search visits before it stops and reports its bound instead of a proof.
pub const NODE_LIMIT: u64 = 2_000_000;

/// The embedded templates, file name and text.
const EMBEDDED: [(&str, &str); 3] = [
    (
        "data/calls/cfm_rd_project.json",
        include_str!("../data/calls/cfm_rd_project.json"),
    ),
    (
        "data/calls/market_entry_mission.json",
        include_str!("../data/calls/market_entry_mission.json"),
    ),
    (
        "data/calls/escp4i_partnership.json",
        include_str!("../data/calls/escp4i_partnership.json"),
    ),
];

/// One role of a call: who may fill it and how many.
#[derive(Debug, Clone, PartialEq)]
pub struct CallRole {
    id: String,
    name: String,
    kinds: Vec<Kind>,
    goals: Vec<Goal>,
    min: usize,
    max: usize,
    why: String,
    sources: Vec<Source>,
}

impl CallRole {
    /// The id, unique in its template.
    pub fn id(&self) -> &str {
        &self.id
    }
    /// A name for people.
    pub fn name(&self) -> &str {
        &self.name
    }
    /// The partner kinds that may fill it (empty: any partner kind).
    pub fn kinds(&self) -> &[Kind] {
        &self.kinds
    }
    /// Goals a member must serve at least [`ROLE_GOAL_AFFINITY`] well (empty: none).
    pub fn goals(&self) -> &[Goal] {
        &self.goals
    }
    /// Fewest members in this role.
    pub fn min(&self) -> usize {
        self.min
    }
    /// Most members in this role.
    pub fn max(&self) -> usize {
        self.max
    }
    /// What the role does for the project.
    pub fn why(&self) -> &str {
        &self.why
    }
    /// The briefing's words behind it.
    pub fn sources(&self) -> &[Source] {
        &self.sources
    }
    /// The role as a [`RoleSpec`], to build a variant with [`CallTemplate::from_parts`].
    pub fn spec(&self) -> RoleSpec<'_> {
        RoleSpec {
            id: &self.id,
            kinds: &self.kinds,
            goals: &self.goals,
            min: self.min,
            max: self.max,
        }
    }

    /// Whether a partner of `kind` may fill the role: a partner (never an intermediary), of
    /// one of the role's kinds if it names any, serving each of its goals at least
    /// [`ROLE_GOAL_AFFINITY`].
    pub fn admits(&self, kind: Kind) -> bool {
        kind.role() == Role::Partner
            && (self.kinds.is_empty() || self.kinds.contains(&kind))
            && self
                .goals
                .iter()
                .all(|g| goal_affinity(*g, kind) >= ROLE_GOAL_AFFINITY)
    }
}

/// What every answer to a call must satisfy.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Constraints {
    /// At most this many members in one city (none: no limit).
    pub max_per_city: Option<usize>,
    /// At least this many provinces among the members (national bodies have none).
    pub min_provinces: usize,
    /// At least this many members with a formal organisation to talk to.
    pub min_formal_organisations: usize,
    /// At most this many members in all.
    pub max_partners: usize,
}

/// A call for which a consortium is put together: roles, constraints and the briefing's
/// words behind them. Built from JSON ([`CallTemplate::from_reader`]) and checked there;
/// the embedded ones are [`CallTemplate::builtin`].
#[derive(Debug, Clone, PartialEq)]
pub struct CallTemplate {
    id: String,
    name: String,
    programme: Option<String>,
    description: String,
    sources: Vec<Source>,
    roles: Vec<CallRole>,
    constraints: Constraints,
    constraints_basis: String,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawCall {
    id: String,
    name: String,
    #[serde(default)]
    programme: Option<String>,
    description: String,
    sources: Vec<RawSource>,
    roles: Vec<RawRole>,
    constraints: RawConstraints,
    constraints_basis: String,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawRole {
    id: String,
    name: String,
    #[serde(default)]
    kinds: Vec<String>,
    #[serde(default)]
    goals: Vec<String>,
    min: usize,
    max: usize,
    why: String,
    sources: Vec<RawSource>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawConstraints {
    #[serde(default)]
    max_per_city: Option<usize>,
    #[serde(default)]
    min_provinces: usize,
    #[serde(default)]
    min_formal_organisations: usize,
    max_partners: usize,
}

impl CallTemplate {
    /// The templates in the crate's `data/calls/`, checked once.
    ///
    /// - `cfm_rd_project`: a joint R&D and innovation project under the EU-China
    ///   co-funding mechanism (section 2.2);
    /// - `market_entry_mission`: a market-entry mission to industrial clusters (section 3.1);
    /// - `escp4i_partnership`: a COSME cluster partnership targeting China, five roles
    ///   (sections 2.2 and 4.1).
    ///
    /// # Errors
    ///
    /// Only if the embedded files are invalid, which the crate's tests rule out.
    pub fn builtin() -> Result<&'static [CallTemplate]> {
        static CALLS: OnceLock<Result<Vec<CallTemplate>>> = OnceLock::new();
        CALLS
            .get_or_init(|| {
                let d = Dataset::embedded()?;
                EMBEDDED
                    .iter()
                    .map(|(file, text)| CallTemplate::parse(file, text, d))
                    .collect()
            })
            .as_ref()
            .map(Vec::as_slice)
            .map_err(Clone::clone)
    }

    /// An embedded template by id.
    ///
    /// # Errors
    ///
    /// [`Error::Option`] (option `call`) for an unknown id, listing the known ones.
    pub fn find(id: &str) -> Result<&'static CallTemplate> {
        let all = CallTemplate::builtin()?;
        all.iter().find(|c| c.id == id).ok_or_else(|| Error::Option {
            option: "call".into(),
            message: format!(
                "`{id}` is no call template; the templates are {} (or give a JSON file in the format of data/calls/)",
                all.iter().map(|c| c.id.as_str()).collect::<Vec<_>>().join(", ")
            ),
        })
    }

    /// Reads and checks a template in the format of `data/calls/*.json` (`data/README.md`
    /// describes it), through the crate's input cap. `name` is used in errors.
    ///
    /// # Errors
    ///
    /// [`Error::Io`] if it cannot be read, [`Error::Json`] for malformed JSON or unknown
    /// fields, [`Error::Data`] naming the field for: an unknown kind or goal, an
    /// intermediary kind (support services and government bodies help make contacts; they
    /// are not members), a role no kind can fill, `min` above `max`, `max` of 0, duplicate
    /// role ids, no role with `min` of at least 1, mins adding up to more than
    /// `max_partners`, `max_partners` of 0 or above [`MAX_PARTNERS`], a `max_per_city` of 0,
    /// `min_provinces` or `min_formal_organisations` above `max_partners`, a programme the
    /// dataset does not have, and a quote citing the briefing that is not its words.
    pub fn from_reader(
        name: impl Into<String>,
        reader: impl std::io::Read,
        dataset: &Dataset,
    ) -> Result<CallTemplate> {
        let name = name.into();
        let text = crate::limits::read_text(reader, crate::limits::JSON_BYTES)
            .map_err(|e| Error::io(name.clone(), e))?;
        CallTemplate::parse(&name, &text, dataset)
    }

    fn parse(file: &str, text: &str, dataset: &Dataset) -> Result<CallTemplate> {
        let mut de = serde_json::Deserializer::from_str(text);
        let raw: RawCall =
            serde_path_to_error::deserialize(&mut de).map_err(|e| Error::json_at(file, e))?;
        de.end().map_err(|e| Error::json(file, &e))?;
        let id = raw.id.clone();
        let err = |field: String, message: String| Error::data(file, &id, field, message);
        if id.trim().is_empty() {
            return Err(err("id".into(), "a template needs an id".into()));
        }
        let sources = checked_sources(raw.sources, "sources", &err)?;
        if raw.roles.is_empty() || raw.roles.len() > MAX_PARTNERS {
            return Err(err(
                "roles".into(),
                format!("a template needs 1 to {MAX_PARTNERS} roles"),
            ));
        }
        let mut roles: Vec<CallRole> = Vec::with_capacity(raw.roles.len());
        for (i, r) in raw.roles.into_iter().enumerate() {
            let f = |x: &str| format!("roles[{i}].{x}");
            if roles.iter().any(|o| o.id == r.id) {
                return Err(err(f("id"), format!("duplicate role id `{}`", r.id)));
            }
            let mut kinds = Vec::new();
            for (j, k) in r.kinds.iter().enumerate() {
                let kind = Kind::parse(k).ok_or_else(|| {
                    err(
                        format!("roles[{i}].kinds[{j}]"),
                        format!(
                            "unknown kind `{k}`; expected one of {}",
                            partner_kinds().join(", ")
                        ),
                    )
                })?;
                if kind.role() != Role::Partner {
                    return Err(err(
                        format!("roles[{i}].kinds[{j}]"),
                        format!(
                            "`{kind}` is an intermediary (it helps make contacts, section 2.2 and 5), not a consortium member; expected one of {}",
                            partner_kinds().join(", ")
                        ),
                    ));
                }
                kinds.push(kind);
            }
            let mut goals = Vec::new();
            for (j, g) in r.goals.iter().enumerate() {
                goals.push(Goal::parse(g).ok_or_else(|| {
                    err(
                        format!("roles[{i}].goals[{j}]"),
                        format!(
                            "unknown goal `{g}`; expected one of {}",
                            Goal::ALL.map(Goal::as_str).join(", ")
                        ),
                    )
                })?);
            }
            if r.max == 0 || r.min > r.max {
                return Err(err(
                    f("max"),
                    format!(
                        "a role needs 1 <= max and min <= max (min {}, max {})",
                        r.min, r.max
                    ),
                ));
            }
            let role = CallRole {
                id: r.id,
                name: r.name,
                kinds,
                goals,
                min: r.min,
                max: r.max,
                why: r.why,
                sources: checked_sources(r.sources, &f("sources"), &err)?,
            };
            if !Kind::ALL.iter().any(|k| role.admits(*k)) {
                return Err(err(
                    f("goals"),
                    format!(
                        "no partner kind fills this role: none of its kinds serves all its goals at least {ROLE_GOAL_AFFINITY}"
                    ),
                ));
            }
            roles.push(role);
        }
        let c = raw.constraints;
        let total_min: usize = roles.iter().map(|r| r.min).sum();
        if c.max_partners == 0 || c.max_partners > MAX_PARTNERS {
            return Err(err(
                "constraints.max_partners".into(),
                format!("must be 1 to {MAX_PARTNERS}, not {}", c.max_partners),
            ));
        }
        if total_min == 0 {
            return Err(err(
                "roles".into(),
                "at least one role needs min of 1 or more, or the empty set would answer".into(),
            ));
        }
        if total_min > c.max_partners {
            return Err(err(
                "constraints.max_partners".into(),
                format!(
                    "the roles' mins add up to {total_min}, more than max_partners {}",
                    c.max_partners
                ),
            ));
        }
        if c.max_per_city == Some(0) {
            return Err(err(
                "constraints.max_per_city".into(),
                "0 admits nobody; use 1 or more, or null for no limit".into(),
            ));
        }
        for (field, v) in [
            ("min_provinces", c.min_provinces),
            ("min_formal_organisations", c.min_formal_organisations),
        ] {
            if v > c.max_partners {
                return Err(err(
                    format!("constraints.{field}"),
                    format!("{v} is more than max_partners {}", c.max_partners),
                ));
            }
        }
        if let Some(p) = &raw.programme {
            if !dataset.programmes().iter().any(|g| g.id() == p) {
                return Err(err(
                    "programme".into(),
                    format!(
                        "`{p}` is no programme of the dataset; did you mean {}?",
                        crate::text::closest(p, dataset.programmes().iter().map(|g| g.id()), 3)
                            .join(", ")
                    ),
                ));
            }
        }
        Ok(CallTemplate {
            id,
            name: raw.name,
            programme: raw.programme,
            description: raw.description,
            sources,
            roles,
            constraints: Constraints {
                max_per_city: c.max_per_city,
                min_provinces: c.min_provinces,
                min_formal_organisations: c.min_formal_organisations,
                max_partners: c.max_partners,
            },
            constraints_basis: raw.constraints_basis,
        })
    }

    /// The id.
    pub fn id(&self) -> &str {
        &self.id
    }
    /// A name for people.
    pub fn name(&self) -> &str {
        &self.name
    }
    /// The programme of `data/programmes.json` the call belongs to, if any.
    pub fn programme(&self) -> Option<&str> {
        self.programme.as_deref()
    }
    /// What the consortium is for.
    pub fn description(&self) -> &str {
        &self.description
    }
    /// The briefing's words behind the call.
    pub fn sources(&self) -> &[Source] {
        &self.sources
    }
    /// The roles, in the template's order.
    pub fn roles(&self) -> &[CallRole] {
        &self.roles
    }
    /// The constraints.
    pub fn constraints(&self) -> Constraints {
        self.constraints
    }
    /// Where the constraints come from: the briefing, or the template's own choice.
    pub fn constraints_basis(&self) -> &str {
        &self.constraints_basis
    }

    /// A template from parts, checked as JSON is: for generated templates (tests, tools).
    ///
    /// # Errors
    ///
    /// As [`CallTemplate::from_reader`].
    pub fn from_parts(
        id: &str,
        roles: &[RoleSpec<'_>],
        constraints: Constraints,
    ) -> Result<CallTemplate> {
        #[derive(Serialize)]
        struct R<'a> {
            id: &'a str,
            name: &'a str,
            kinds: Vec<&'static str>,
            goals: Vec<&'static str>,
            min: usize,
            max: usize,
            why: &'a str,
            sources: [(); 0],
        }
        let roles: Vec<R> = roles
            .iter()
            .map(|r| R {
                id: r.id,
                name: r.id,
                kinds: r.kinds.iter().map(|k| k.as_str()).collect(),
                goals: r.goals.iter().map(|g| g.as_str()).collect(),
                min: r.min,
                max: r.max,
                why: "",
                sources: [],
            })
            .collect();
        let json = serde_json::json!({
            "id": id, "name": id, "description": "", "sources": [], "roles": roles,
            "constraints": constraints, "constraints_basis": "",
        });
        CallTemplate::parse("<template>", &json.to_string(), Dataset::embedded()?)
    }
}

/// A role for [`CallTemplate::from_parts`]: its id, who may fill it and how many.
#[derive(Debug, Clone, Copy)]
pub struct RoleSpec<'a> {
    /// The role's id (also its name).
    pub id: &'a str,
    /// The partner kinds that may fill it (empty: any).
    pub kinds: &'a [Kind],
    /// Goals a member must serve at least [`ROLE_GOAL_AFFINITY`] well.
    pub goals: &'a [Goal],
    /// Fewest members.
    pub min: usize,
    /// Most members.
    pub max: usize,
}

fn partner_kinds() -> Vec<&'static str> {
    Kind::ALL
        .iter()
        .filter(|k| k.role() == Role::Partner)
        .map(|k| k.as_str())
        .collect()
}

/// Sources as every data file has them, and each quote citing the briefing held to it.
fn checked_sources(
    raw: Vec<RawSource>,
    field: &str,
    err: &dyn Fn(String, String) -> Error,
) -> Result<Vec<Source>> {
    let sources = convert_sources(raw, field, err)?;
    for (i, s) in sources.iter().enumerate() {
        if let (true, Some(q)) = (s.reference().is_briefing(), s.quote()) {
            if !in_briefing(q) {
                return Err(err(format!("{field}[{i}].quote"), not_in_briefing(q)));
            }
        }
    }
    Ok(sources)
}

/// One candidate for [`search`]: what the search reads of a scored partner.
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

/// What [`search`] found.
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
fn province_count(cands: &[Candidate], members: impl Iterator<Item = usize>) -> usize {
    let mut seen: Vec<u32> = members.filter_map(|c| cands[c].province).collect();
    seen.sort_unstable();
    seen.dedup();
    seen.len()
}

/// Whether a set meets `call`'s roles and constraints: each member admitted by its role,
/// no candidate twice, role counts within their bounds, the city cap, the provinces, the
/// formal organisations and the budget. The rule [`search`] keeps, stated once more plainly
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

/// A consortium for a call, explained.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Consortium {
    /// The template's id.
    pub call: String,
    /// Its name.
    pub call_name: String,
    /// The section behind the call.
    pub source: String,
    /// The call's programme and whether it still runs at `as_of`, as far as the briefing's
    /// stated window tells.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub programme: Option<String>,
    /// The profile's name.
    pub profile: String,
    /// The month the advice is for.
    pub as_of: YearMonth,
    /// The members, in role order, best first within a role.
    pub members: Vec<Member>,
    /// The sum of the members' scores: what the search maximises.
    pub total: f64,
    /// An upper bound on any consortium's total (see [`Search::bound`]).
    pub bound: f64,
    /// Whether no set meeting the template scores more (the search completed or reached the
    /// bound).
    pub proved_optimal: bool,
    /// Each constraint, what it asks and what the consortium has.
    pub constraints: Vec<ConstraintCheck>,
    /// Why there is no consortium, when `members` is empty.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub none: Option<String>,
    /// Matches the search chose from.
    pub candidates: usize,
}

/// One member of a [`Consortium`].
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Member {
    /// The role's id.
    pub role: String,
    /// The role's name.
    pub role_name: String,
    /// Partner id.
    pub id: String,
    /// Its name.
    pub name: String,
    /// Its kind.
    pub kind: Kind,
    /// Its city, if known.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub city: Option<String>,
    /// Its province, if it has one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub province: Option<String>,
    /// Its score for the profile.
    pub score: f64,
    /// Its rank among all the profile's matches.
    pub rank: usize,
    /// What it brings that no other member does (or that it alone makes a constraint hold).
    pub adds: Vec<String>,
    /// The best partner outside the consortium that could take its role with every
    /// constraint still met, if any.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub runner_up: Option<RunnerUp>,
    /// The briefing's cautions for this partner.
    pub risks: Vec<Risk>,
}

/// Who would take a member's place.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct RunnerUp {
    /// Partner id.
    pub id: String,
    /// Its name.
    pub name: String,
    /// Its score.
    pub score: f64,
    /// Its rank among the matches.
    pub rank: usize,
    /// How much the consortium's total would fall with it instead (never negative for an
    /// optimal consortium).
    pub loss: f64,
}

/// A constraint of the template and how the consortium meets it.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ConstraintCheck {
    /// E.g. `at most 1 partner per city`.
    pub rule: String,
    /// What the consortium has, e.g. `3 provinces`.
    pub actual: String,
    /// Whether it holds.
    pub holds: bool,
}

impl Recommender {
    /// The best consortium for `call` from the partners this profile and these options
    /// would rank (every match: the filter, the `min_score` and the kinds are honoured;
    /// `top_k` and the diversity caps are the ranking's and play no part), explained.
    ///
    /// # Errors
    ///
    /// As [`Recommender::recommend`]: invalid options. Past these checks the search cannot fail; a call no set can meet gives a
    /// consortium with no members and the reason in `none`.
    pub fn consortium(
        &self,
        resolved: &ResolvedProfile,
        call: &CallTemplate,
        options: &Options,
    ) -> Result<Consortium> {
        let d: &Dataset = self.dataset();
        let q = Query::new(d, resolved, options)?;
        let everyone = score::score_all(d, &q);
        let as_of = options.as_of.unwrap_or_else(YearMonth::today);
        let candidates: Vec<Candidate> = everyone
            .iter()
            .map(|s| {
                let p = d.partner(s.partner);
                Candidate {
                    score: s.score,
                    kind: p.kind(),
                    city: d.city_of(p).map(|c| u32::from(c.0)),
                    province: p.province().map(|x| u32::from(x.0)),
                    formal: p.has_formal_organisation(),
                }
            })
            .collect();
        let found = search(call, &candidates);
        let reg = d.regions();
        let members: Vec<Member> = found
            .members
            .iter()
            .map(|&(c, r)| {
                let s = &everyone[c];
                let p = d.partner(s.partner);
                let role = &call.roles[r];
                let runner_up = runner_up(call, &candidates, &found.members, c, r).map(|o| {
                    let po = d.partner(everyone[o].partner);
                    RunnerUp {
                        id: po.id().to_string(),
                        name: po.name().to_string(),
                        score: everyone[o].score,
                        rank: o + 1,
                        loss: s.score - everyone[o].score,
                    }
                });
                Member {
                    role: role.id.clone(),
                    role_name: role.name.clone(),
                    id: p.id().to_string(),
                    name: p.name().to_string(),
                    kind: p.kind(),
                    city: d.city_of(p).map(|x| reg.place(x).name().to_string()),
                    province: p.province().map(|x| reg.province(x).name().to_string()),
                    score: s.score,
                    rank: c + 1,
                    adds: adds(d, &q, call, &everyone, &candidates, &found.members, c),
                    runner_up,
                    risks: crate::explain::risks(d, resolved, p, as_of),
                }
            })
            .collect();
        let none = members
            .is_empty()
            .then(|| why_none(call, &candidates, found.proved));
        Ok(Consortium {
            call: call.id.clone(),
            call_name: call.name.clone(),
            source: call
                .sources
                .first()
                .map(|s| s.to_string())
                .unwrap_or_default(),
            programme: call.programme.as_deref().and_then(|id| {
                d.programmes().iter().find(|g| g.id() == id).map(|g| {
                    format!(
                        "{}: {}",
                        g.name(),
                        crate::explain::programme_status(g, as_of)
                    )
                })
            }),
            profile: resolved.profile().name().to_string(),
            as_of,
            constraints: checks(call, &candidates, &found.members),
            members,
            total: found.total,
            bound: found.bound,
            proved_optimal: found.proved,
            none,
            candidates: candidates.len(),
        })
    }
}

/// The best candidate outside the set that can take member `c`'s place in role `r` with
/// every constraint still met.
fn runner_up(
    call: &CallTemplate,
    cands: &[Candidate],
    members: &[(usize, usize)],
    c: usize,
    r: usize,
) -> Option<usize> {
    let mut trial: Vec<(usize, usize)> = members.to_vec();
    let at = trial.iter().position(|m| *m == (c, r))?;
    // Candidates are in ranking order, so the first that fits is the best.
    (0..cands.len()).find(|o| {
        if members.iter().any(|(m, _)| m == o) || !call.roles[r].admits(cands[*o].kind) {
            return false;
        }
        trial[at] = (*o, r);
        satisfies(call, cands, &trial)
    })
}

/// What member `c` brings that the others do not.
fn adds(
    d: &Dataset,
    q: &Query,
    call: &CallTemplate,
    everyone: &[score::Scored],
    cands: &[Candidate],
    members: &[(usize, usize)],
    c: usize,
) -> Vec<String> {
    let reg = d.regions();
    let tax = d.taxonomy();
    let me = &cands[c];
    let p = d.partner(everyone[c].partner);
    let others: Vec<usize> = members
        .iter()
        .map(|(o, _)| *o)
        .filter(|o| *o != c)
        .collect();
    let mut out = Vec::new();
    let k = call.constraints;
    if let Some(pr) = me.province {
        if !others.iter().any(|o| cands[*o].province == Some(pr)) {
            let provinces = province_count(cands, others.iter().copied());
            let name = p
                .province()
                .map(|x| reg.province(x).name().to_string())
                .unwrap_or_default();
            if provinces < k.min_provinces {
                out.push(format!(
                    "the only member in {name}: without it the consortium spans {provinces} province(s), fewer than the {} required",
                    k.min_provinces
                ));
            } else {
                out.push(format!("the only member in {name}"));
            }
        }
    }
    if me.formal {
        let n = others.iter().filter(|o| cands[**o].formal).count();
        if n < k.min_formal_organisations {
            out.push(format!(
                "a formal organisation to talk to, which the consortium needs: without it there are {n}, fewer than the {} required",
                k.min_formal_organisations
            ));
        } else if n == 0 {
            out.push("the only member with a formal organisation to talk to".into());
        }
    }
    if !others.iter().any(|o| cands[*o].kind == me.kind) {
        out.push(format!("the only {}", me.kind.as_str().replace('_', " ")));
    }
    let theirs: Vec<_> = others
        .iter()
        .flat_map(|o| d.partner(everyone[*o].partner).sectors().iter().copied())
        .collect();
    let own: Vec<String> = p
        .sectors()
        .iter()
        .filter(|s| !theirs.contains(s) && q.sector(&[**s], None) > 0.0)
        .map(|s| tax.get(*s).label().to_string())
        .collect();
    if !own.is_empty() {
        out.push(format!("the only member working in {}", own.join(", ")));
    }
    if out.is_empty() {
        out.push("its score: every other thing it brings, another member brings too".into());
    }
    out
}

/// Each constraint, read off the set.
fn checks(
    call: &CallTemplate,
    cands: &[Candidate],
    members: &[(usize, usize)],
) -> Vec<ConstraintCheck> {
    let k = call.constraints;
    let mut out = Vec::new();
    if let Some(cap) = k.max_per_city {
        let most = members
            .iter()
            .filter_map(|(c, _)| cands[*c].city)
            .map(|city| {
                members
                    .iter()
                    .filter(|(o, _)| cands[*o].city == Some(city))
                    .count()
            })
            .max()
            .unwrap_or(0);
        out.push(ConstraintCheck {
            rule: format!("at most {cap} partner(s) per city"),
            actual: format!("at most {most} in any city"),
            holds: most <= cap,
        });
    }
    let provinces = province_count(cands, members.iter().map(|(c, _)| *c));
    out.push(ConstraintCheck {
        rule: format!("at least {} province(s)", k.min_provinces),
        actual: format!("{provinces} province(s)"),
        holds: provinces >= k.min_provinces,
    });
    let formal = members.iter().filter(|(c, _)| cands[*c].formal).count();
    out.push(ConstraintCheck {
        rule: format!(
            "at least {} member(s) with a formal organisation",
            k.min_formal_organisations
        ),
        actual: format!("{formal}"),
        holds: formal >= k.min_formal_organisations,
    });
    out.push(ConstraintCheck {
        rule: format!("at most {} partners", k.max_partners),
        actual: format!("{} partners", members.len()),
        holds: members.len() <= k.max_partners && !members.is_empty(),
    });
    for (r, role) in call.roles.iter().enumerate() {
        let n = members.iter().filter(|(_, x)| *x == r).count();
        out.push(ConstraintCheck {
            rule: if role.min == role.max {
                format!("{}: {}", role.name, role.min)
            } else {
                format!("{}: {} to {}", role.name, role.min, role.max)
            },
            actual: format!("{n}"),
            holds: (role.min..=role.max).contains(&n),
        });
    }
    out
}

/// Why no set meets the call: the first constraint the matches cannot meet even alone, or
/// that they cannot meet together.
fn why_none(call: &CallTemplate, cands: &[Candidate], proved: bool) -> String {
    let k = call.constraints;
    for role in &call.roles {
        let n = cands.iter().filter(|c| role.admits(c.kind)).count();
        if n < role.min {
            return format!(
                "the role \"{}\" needs {} partner(s) of kind {}; your matches have {n}",
                role.name,
                role.min,
                role.kinds
                    .iter()
                    .map(|k| k.as_str())
                    .collect::<Vec<_>>()
                    .join(" or ")
            );
        }
    }
    let usable: Vec<usize> = (0..cands.len())
        .filter(|c| call.roles.iter().any(|r| r.admits(cands[*c].kind)))
        .collect();
    let provinces = province_count(cands, usable.iter().copied());
    if provinces < k.min_provinces {
        return format!(
            "the partners who could fill a role are in {provinces} province(s); the call asks for {}",
            k.min_provinces
        );
    }
    let formal = usable.iter().filter(|c| cands[**c].formal).count();
    if formal < k.min_formal_organisations {
        return format!(
            "{formal} of the partners who could fill a role have a formal organisation; the call asks for {}",
            k.min_formal_organisations
        );
    }
    let together = if proved {
        "no set of your matches meets every role and constraint together".to_string()
    } else {
        format!("none found within the search limit of {NODE_LIMIT} nodes")
    };
    // What would help: each constraint dropped in turn, searched again.
    let relaxed: Vec<String> = [
        (
            "at most so many per city",
            Constraints {
                max_per_city: None,
                ..k
            },
        ),
        (
            "the provinces",
            Constraints {
                min_provinces: 0,
                ..k
            },
        ),
        (
            "the formal organisations",
            Constraints {
                min_formal_organisations: 0,
                ..k
            },
        ),
    ]
    .into_iter()
    .filter(|(_, c)| *c != k)
    .filter_map(|(what, c)| {
        let mut t = call.clone();
        t.constraints = c;
        let s = search(&t, cands);
        (!s.members.is_empty())
            .then(|| format!("without the rule on {what}, one scores {:.3}", s.total))
    })
    .collect();
    if relaxed.is_empty() {
        together
    } else {
        format!("{together}; {}", relaxed.join("; "))
    }
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
