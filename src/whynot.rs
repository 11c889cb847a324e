//! "Why is the partner I have in mind not on my list, and what would put it there?"
//!
//! [`Recommender::why_not`] answers on the one scoring model. The score is a weighted sum of
//! bounded components, so the continuous edits have exact answers: with every other weight
//! fixed, a partner's lead over a rival is linear in one weight (after normalisation the
//! sign of the lead is that of a linear function), and linear in the control tolerance; the
//! smallest change is the first breakpoint past which at most `k - 1` rivals stay ahead. The
//! discrete edits (tech level, a goal, a preferred region, a keyword naming the partner's
//! field) are tried one by one. Every change offered is applied and verified by ranking
//! again, and says who drops out of the top k; what cannot help is said too, checked at the
//! extremes.

use crate::dataset::{Dataset, Goal, Level, PartnerIndex};
use crate::explain::ComparedPartner;
use crate::profile::{Profile, ProfileInput};
use crate::recommend::Recommender;
use crate::resolve::ResolvedProfile;
use crate::score::{self, Component, Options, PerComponent, Query, Scored};
use crate::Result;
use serde::Serialize;

/// What would put a partner into a profile's top k: made by [`Recommender::why_not`].
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct WhyNot {
    /// The partner, its rank among every match (if it is one) and its standing in words.
    pub partner: ComparedPartner,
    /// The k of the question.
    pub top_k: usize,
    /// Changes that each put it in the top k, verified by ranking again; the smallest for
    /// each weight and for the tolerance.
    pub changes: Vec<WhyNotChange>,
    /// What cannot help, checked at the extremes.
    pub cannot: Vec<String>,
}

/// One change to the profile or the weights, and what it does to the ranking.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct WhyNotChange {
    /// The change.
    pub change: Change,
    /// The change in words.
    pub description: String,
    /// The partner's rank once the change is made.
    pub new_rank: usize,
    /// The names of the partners that leave the top k.
    pub drops_out: Vec<String>,
}

/// A change to the question.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "snake_case", tag = "kind")]
pub enum Change {
    /// One weight set to `to` (the others kept; weights are normalised).
    Weight {
        /// The component.
        component: Component,
        /// Its weight now.
        from: f64,
        /// The weight that puts the partner in.
        to: f64,
    },
    /// The control tolerance set to `to`.
    Tolerance {
        /// The tolerance now.
        from: f64,
        /// The tolerance that puts the partner in.
        to: f64,
    },
    /// The profile's tech level.
    TechLevel {
        /// The level now.
        from: Level,
        /// The level that puts the partner in.
        to: Level,
    },
    /// A goal added.
    AddGoal {
        /// The goal.
        goal: Goal,
    },
    /// A goal removed.
    RemoveGoal {
        /// The goal.
        goal: Goal,
    },
    /// A preferred region added.
    AddRegion {
        /// The region, as the profile would name it.
        region: String,
    },
    /// A keyword added that names the partner's field.
    AddKeyword {
        /// The keyword.
        keyword: String,
    },
}

/// How far a breakpoint is stepped past, so that the partner is strictly ahead of the rival
/// it passes there (relative, with an absolute floor).
const NUDGE: f64 = 1e-9;

impl Recommender {
    /// For the partner with id `id`: its rank, and if it is outside the top
    /// `options.top_k`, the smallest changes that would put it in (each weight, the control
    /// tolerance) and the discrete ones that would (the tech level, a goal, a preferred
    /// region, a keyword naming its field), each verified by ranking again and saying who
    /// drops out; and what cannot help.
    ///
    /// # Examples
    ///
    /// ```
    /// use eccp_china::{Dataset, Options, Profile, Recommender};
    /// # fn main() -> Result<(), eccp_china::Error> {
    /// let rec = Recommender::new(Dataset::embedded()?);
    /// let p = Profile::builder("Cars", "DE").sector("automotive").build()?;
    /// let r = rec.resolve(&p)?;
    /// let options = Options { top_k: 5, ..Options::default() };
    /// let w = rec.why_not(&r, &options, "caam")?;
    /// assert!(w.partner.rank.unwrap() > 5);
    /// for c in &w.changes {
    ///     println!("{} -> rank {}", c.description, c.new_rank);
    /// }
    /// # Ok(())
    /// # }
    /// ```
    ///
    /// # Errors
    ///
    /// [`Error::Option`](crate::Error::Option) for an id that is no partner or invalid
    /// options.
    pub fn why_not(
        &self,
        resolved: &ResolvedProfile,
        options: &Options,
        id: &str,
    ) -> Result<WhyNot> {
        let d: &Dataset = self.dataset();
        let index = self.partner_index("why_not", id)?;
        let k = options.top_k;
        // Every candidate scored once, as the ranking scores them: the rivals of the exact
        // answers, and (with the diversity caps) the ranking itself.
        let q = Query::new(d, resolved, options)?;
        let all = score::score_all(d, &q);
        let ranked: Vec<PartnerIndex> = score::select(d, &all, options.diversity, usize::MAX)
            .into_iter()
            .map(|s| s.partner)
            .collect();
        let (partner, _) = crate::recommend::standing(d, &q, &ranked, k, index);
        let out = WhyNot {
            partner,
            top_k: k,
            changes: Vec::new(),
            cannot: Vec::new(),
        };
        if out.partner.rank.is_some_and(|r| r <= k) {
            return Ok(out);
        }
        let before: Vec<PartnerIndex> = ranked.iter().take(k).copied().collect();
        let mut trials = Trials {
            rec: self,
            index,
            before,
            out,
        };
        let is_match = trials.out.partner.rank.is_some();
        let comps = |i: PartnerIndex| -> Option<PerComponent> {
            all.iter()
                .find(|s| s.partner == i)
                .map(|s| PerComponent::new(s.components))
        };
        if let Some(own) = comps(index) {
            // 1. Each weight, exactly.
            let w = options.weights.as_array();
            for c in Component::ALL {
                match self.weight_breakpoint(&all, index, own, &w, c, k) {
                    Some(x) => {
                        let mut o = options.clone();
                        o.weights.set(c, x);
                        let change = Change::Weight {
                            component: c,
                            from: w[c as usize],
                            to: x,
                        };
                        let text =
                            format!("set the {c} weight from {} to {}", w[c as usize], shown(x));
                        trials.keep_if_in(resolved, &o, change, text)?;
                    }
                    None => {
                        // Checked at the extremes by ranking again.
                        let total: f64 = w.iter().sum();
                        let mut in_at_extreme = false;
                        for x in [0.0, 100.0 * total.max(1.0)] {
                            let mut o = options.clone();
                            o.weights.set(c, x);
                            if o.weights.normalized().is_ok()
                                && self.top_ids(resolved, &o)?.contains(&index)
                            {
                                in_at_extreme = true;
                            }
                        }
                        if !in_at_extreme {
                            trials.out.cannot.push(format!(
                                "no {c} weight, from 0 to a hundred times the others, puts it in your top {k}"
                            ));
                        }
                    }
                }
            }
            // 2. The control tolerance, exactly.
            let t0 = resolved.profile().control_tolerance();
            match self.tolerance_breakpoint(&all, index, options, t0, k) {
                Some(t) => {
                    let p = with(resolved.profile(), |x| x.control_tolerance = Some(t))?;
                    let r = self.resolve(&p)?;
                    let change = Change::Tolerance { from: t0, to: t };
                    let text = format!("set the control tolerance from {t0} to {}", shown(t));
                    trials.keep_if_in(&r, options, change, text)?;
                }
                None => {
                    let mut in_at_extreme = false;
                    for t in [0.0, 1.0] {
                        let p = with(resolved.profile(), |x| x.control_tolerance = Some(t))?;
                        if self.top_ids(&self.resolve(&p)?, options)?.contains(&index) {
                            in_at_extreme = true;
                        }
                    }
                    if !in_at_extreme {
                        trials.out.cannot.push(format!(
                            "no control tolerance from 0 to 1 puts it in your top {k}"
                        ));
                    }
                }
            }
        } else if !is_match {
            let reason = if trials.out.partner.standing.contains("no field") {
                "without a sector it works in"
            } else {
                "while your filters keep it out"
            };
            trials.out.cannot.push(format!(
                "no setting of weights or tolerance puts it in your top {k} {reason}"
            ));
        }
        // 3. The discrete changes, each tried.
        let profile = resolved.profile();
        for level in [Level::Low, Level::Medium, Level::High] {
            if level != profile.tech_level() {
                let p = with(profile, |x| x.tech_level = Some(level))?;
                let change = Change::TechLevel {
                    from: profile.tech_level(),
                    to: level,
                };
                let text = format!(
                    "say your tech level is {} instead of {}",
                    level.as_str(),
                    profile.tech_level().as_str()
                );
                trials.try_profile(&p, options, change, text)?;
            }
        }
        for goal in Goal::ALL {
            let trial = if !profile.goals().contains(&goal) {
                let p = with(profile, |x| x.goals.push(goal.as_str().into()))?;
                Some((
                    p,
                    Change::AddGoal { goal },
                    format!("add the goal {}", goal.label()),
                ))
            } else if profile.goals().len() > 1 {
                let p = with(profile, |x| x.goals.retain(|g| g != goal.as_str()))?;
                Some((
                    p,
                    Change::RemoveGoal { goal },
                    format!("drop the goal {}", goal.label()),
                ))
            } else {
                None
            };
            if let Some((p, change, text)) = trial {
                trials.try_profile(&p, options, change, text)?;
            }
        }
        let target = d.partner(index);
        if let Some(pr) = target.province() {
            let name = d.regions().province(pr).name().to_string();
            if !profile.preferred_regions().iter().any(|r| r == &name) {
                let p = with(profile, |x| x.preferred_regions.push(name.clone()))?;
                let text = format!("prefer the region {name}");
                let change = Change::AddRegion { region: name };
                trials.try_profile(&p, options, change, text)?;
            }
        }
        if let Some(main) = target.sectors().first() {
            let label = d.taxonomy().get(*main).label().to_string();
            // A profile that cannot take another keyword, or does not resolve with it (both
            // answer nothing), is no answer.
            if let Ok(p) = with(profile, |x| x.keywords.push(label.clone())) {
                let text = format!("add the keyword \"{label}\" (its field)");
                let change = Change::AddKeyword { keyword: label };
                trials.try_profile(&p, options, change, text)?;
            }
        }
        if trials.out.changes.is_empty() && trials.out.cannot.is_empty() {
            trials.out.cannot.push(format!(
                "none of these changes alone puts it in your top {k}"
            ));
        }
        Ok(trials.out)
    }

    /// The ids of the top k for these settings.
    fn top_ids(&self, resolved: &ResolvedProfile, options: &Options) -> Result<Vec<PartnerIndex>> {
        Ok(self
            .rank(resolved, options)?
            .into_iter()
            .map(|(i, _)| i)
            .collect())
    }

    /// The weight of `c` nearest its current value that puts the partner in the top k: its
    /// lead over each rival is linear in that weight (the others fixed; the normalising sum
    /// is the same for everyone).
    fn weight_breakpoint(
        &self,
        all: &[Scored],
        index: PartnerIndex,
        own: PerComponent,
        w: &[f64; 7],
        c: Component,
        k: usize,
    ) -> Option<f64> {
        let rest = |v: &[f64; 7]| -> f64 {
            Component::ALL
                .iter()
                .filter(|x| **x != c)
                .map(|x| w[*x as usize] * v[*x as usize])
                .sum()
        };
        let own = own.values();
        let (ap, cp) = (rest(&own), own[c as usize]);
        let d = self.dataset();
        let me = d.partner(index).id();
        let leads: Vec<Lead> = all
            .iter()
            .filter(|s| s.partner != index)
            .map(|s| Lead {
                at_origin: ap - rest(&s.components),
                slope: cp - s.components[c as usize],
                first: me < d.partner(s.partner).id(),
            })
            .collect();
        let now = w[c as usize];
        let total: f64 = w.iter().sum();
        let ends = [0.0, 100.0 * total.max(1.0)];
        // All weights zero is no setting.
        nearest(&leads, 0.0, now, (0.0, f64::INFINITY), ends, k, |y| {
            total - now + y > 0.0
        })
    }

    /// The control tolerance nearest the profile's that puts the partner in the top k: each
    /// partner's score is linear in it (its control part is `w (1 - level (1 - t))`).
    fn tolerance_breakpoint(
        &self,
        all: &[Scored],
        index: PartnerIndex,
        options: &Options,
        t0: f64,
        k: usize,
    ) -> Option<f64> {
        let wn = options.weights.normalized().ok()?[Component::Control as usize];
        let d = self.dataset();
        let level = |i: PartnerIndex| f64::from(d.partner(i).control().level().rank()) / 2.0;
        let me = all.iter().find(|s| s.partner == index)?;
        let id = d.partner(index).id();
        let leads: Vec<Lead> = all
            .iter()
            .filter(|s| s.partner != index)
            .map(|s| Lead {
                at_origin: me.score - s.score,
                slope: wn * (level(index) - level(s.partner)),
                first: id < d.partner(s.partner).id(),
            })
            .collect();
        nearest(&leads, t0, t0, (0.0, 1.0), [0.0, 1.0], k, |_| true)
    }
}

/// What every trial change is measured against: the partner, the top k before any change,
/// and the answer so far.
struct Trials<'a> {
    rec: &'a Recommender,
    index: PartnerIndex,
    before: Vec<PartnerIndex>,
    out: WhyNot,
}

impl Trials<'_> {
    /// Ranks again with `options`; records the change if the partner is then in the top k.
    fn keep_if_in(
        &mut self,
        resolved: &ResolvedProfile,
        options: &Options,
        change: Change,
        description: String,
    ) -> Result<()> {
        let after = self.rec.top_ids(resolved, options)?;
        if let Some(r) = after.iter().position(|i| *i == self.index) {
            let d = self.rec.dataset();
            self.out.changes.push(WhyNotChange {
                change,
                description,
                new_rank: r + 1,
                drops_out: self
                    .before
                    .iter()
                    .filter(|i| !after.contains(i))
                    .map(|i| d.partner(*i).name().to_string())
                    .collect(),
            });
        }
        Ok(())
    }

    /// Resolves a changed profile and keeps the change if it puts the partner in; a change
    /// the data cannot resolve is no answer.
    fn try_profile(
        &mut self,
        profile: &Profile,
        options: &Options,
        change: Change,
        description: String,
    ) -> Result<()> {
        match self.rec.resolve(profile) {
            Ok(r) => self.keep_if_in(&r, options, change, description),
            Err(_) => Ok(()),
        }
    }
}

/// The partner's lead over one rival as a line in the edited value x:
/// `at_origin + (x - origin) * slope`; a tie goes to the partner when it is `first` by id.
struct Lead {
    at_origin: f64,
    slope: f64,
    first: bool,
}

/// The `allowed` value in `range`, other than `now`, nearest `now` at which fewer than `k`
/// rivals lead the partner: the breakpoints of the leads and the `ends`, each also stepped past by
/// [`NUDGE`] on both sides, are the only places where the count can change.
fn nearest(
    leads: &[Lead],
    origin: f64,
    now: f64,
    (lo, hi): (f64, f64),
    ends: [f64; 2],
    k: usize,
    allowed: impl Fn(f64) -> bool,
) -> Option<f64> {
    let ahead = |x: f64| {
        leads
            .iter()
            .filter(|l| {
                let lead = l.at_origin + (x - origin) * l.slope;
                lead < 0.0 || (lead == 0.0 && !l.first)
            })
            .count()
    };
    let points = leads
        .iter()
        .filter(|l| l.slope != 0.0)
        .map(|l| origin - l.at_origin / l.slope)
        .filter(|x| x.is_finite() && (lo..=hi).contains(x))
        .chain(ends);
    let mut best: Option<f64> = None;
    for x in points {
        for y in [x * (1.0 + NUDGE) + NUDGE, x * (1.0 - NUDGE) - NUDGE, x] {
            let y = y.clamp(lo, hi);
            let nearer = best.is_none_or(|b| (y - now).abs() < (b - now).abs());
            if y != now && nearer && allowed(y) && ahead(y) < k {
                best = Some(y);
            }
        }
    }
    best
}

/// A profile changed in its JSON form and checked again.
fn with(p: &Profile, change: impl FnOnce(&mut ProfileInput)) -> Result<Profile> {
    let mut input = ProfileInput::from(p.clone());
    change(&mut input);
    Profile::try_from(input)
}

/// A number for people: six decimals at most.
fn shown(x: f64) -> String {
    let s = format!("{x:.6}");
    s.trim_end_matches('0').trim_end_matches('.').to_string()
}
