//! A consortium for a call: the best set of partners for a call template's roles and
//! constraints, from the one scoring model's matches, with what each member adds and who
//! would replace it.
//!
//! A [`CallTemplate`] names roles (the partner kinds or goals each needs, and how many) and
//! constraints (at most so many partners per city, at least so many provinces and formal
//! organisations, a budget of partners). [`Recommender::consortium`] scores every partner
//! for the profile exactly as a ranking does, then searches ([`search()`]) for the set
//! that maximises the sum of its members' scores under the template: a depth-first branch
//! and bound over each role's candidates in ranking order, pruned by an upper bound that
//! ignores who is already taken, cities, provinces and formal organisations (so it never
//! undercuts the optimum). On the embedded data the search always completes, so its answer is the
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

mod search;
mod template;

pub use search::{satisfies, search, synthetic_candidates, Candidate, Search, NODE_LIMIT};
pub use template::{
    CallRole, CallTemplate, Constraints, RoleSpec, MAX_PARTNERS, ROLE_GOAL_AFFINITY,
};

use crate::dataset::{Dataset, Kind};
use crate::date::YearMonth;
use crate::error::Result;
use crate::explain::Risk;
use crate::recommend::Recommender;
use crate::resolve::ResolvedProfile;
use crate::score::{self, Options, Query};
use search::province_count;
use serde::Serialize;

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
