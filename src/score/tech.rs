//! [`Component::Tech`](super::Component::Tech): the partner's tech level against the
//! profile's, as its goals need it.

use crate::dataset::{Goal, Level};
use crate::profile::Profile;

/// What a level short costs a goal that needs a partner at or above the profile's level
/// (R&D cooperation, technology transfer): per level.
pub(crate) const SHORT_FOR_DEMANDING: f64 = 0.5;
/// What a level short costs the other goals (market access, sourcing, investment, business
/// support), which tolerate a gap: per level.
pub(crate) const SHORT_FOR_TOLERANT: f64 = 0.2;
/// What a level above costs the tolerant goals (a partner far ahead is a poorer fit for
/// selling or sourcing): per level.
pub(crate) const ABOVE_FOR_TOLERANT: f64 = 0.15;

/// Tech fit of a partner at `partner` for a profile at `profile` pursuing `goal`, in [0, 1].
///
/// R&D cooperation and technology transfer want a partner at or above the profile's level:
/// 1 there, and each level short costs 0.5. The other goals tolerate a gap: each level below
/// costs 0.2, each level above 0.15.
///
/// ```
/// use eccp_china::{Goal, Level, score::tech_fit};
/// assert_eq!(tech_fit(Goal::RdCooperation, Level::High, Level::Low), 0.0);
/// assert_eq!(tech_fit(Goal::MarketAccess, Level::High, Level::Low), 0.6);
/// ```
pub fn tech_fit(goal: Goal, profile: Level, partner: Level) -> f64 {
    let (p, t) = (f64::from(profile.rank()), f64::from(partner.rank()));
    let demanding = matches!(goal, Goal::RdCooperation | Goal::TechnologyTransfer);
    let v = if t >= p {
        if demanding {
            1.0
        } else {
            1.0 - ABOVE_FOR_TOLERANT * (t - p)
        }
    } else if demanding {
        1.0 - SHORT_FOR_DEMANDING * (p - t)
    } else {
        1.0 - SHORT_FOR_TOLERANT * (p - t)
    };
    v.clamp(0.0, 1.0)
}

/// What produced a tech value: the goal the partner's level suits least, with its fit.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) struct TechWhy {
    /// The profile's own level.
    pub profile: Level,
    /// The goal with the lowest fit and that fit.
    pub weakest: Option<(Goal, f64)>,
}

/// The tech component's part of a query: its value at each partner level.
#[derive(Debug, Clone)]
pub(crate) struct TechQuery {
    by_level: [(f64, TechWhy); 3],
}

impl TechQuery {
    pub(crate) fn new(p: &Profile) -> TechQuery {
        let goals = p.goals();
        let n = goals.len().max(1) as f64;
        let by_level = [Level::Low, Level::Medium, Level::High].map(|t| {
            let mut sum = 0.0;
            let mut weakest: Option<(Goal, f64)> = None;
            for g in goals {
                let f = tech_fit(*g, p.tech_level(), t);
                sum += f;
                if weakest.is_none_or(|w| f < w.1) {
                    weakest = Some((*g, f));
                }
            }
            (
                sum / n,
                TechWhy {
                    profile: p.tech_level(),
                    weakest,
                },
            )
        });
        TechQuery { by_level }
    }

    /// The mean fit over the profile's goals of a partner at `level`.
    pub(crate) fn value(&self, level: Level) -> (f64, TechWhy) {
        self.by_level[level.rank() as usize]
    }
}
