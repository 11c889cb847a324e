//! [`Component::Control`](super::Component::Control): section 3.1's trade-off, the political
//! control a partner is under against how much of it the profile tolerates.

use crate::dataset::Level;
use crate::profile::Profile;

/// A level of control as a number: 0, 0.5 or 1 for low, medium, high.
pub(crate) fn level_value(l: Level) -> f64 {
    f64::from(l.rank()) / 2.0
}

/// Control score of a partner under `control` for a profile with `tolerance`, in [0, 1]:
/// `1 - control * (1 - tolerance)`, with control 0, 0.5, 1 for low, medium, high. At
/// tolerance 1 control costs nothing; at 0 a high-control partner scores 0.
///
/// ```
/// use eccp_china::{Level, score::control_fit};
/// assert_eq!(control_fit(0.5, Level::Medium), 0.75);
/// assert_eq!(control_fit(1.0, Level::High), 1.0);
/// ```
pub fn control_fit(tolerance: f64, control: Level) -> f64 {
    (1.0 - level_value(control) * (1.0 - tolerance)).clamp(0.0, 1.0)
}

/// The control component's part of a query: its value at each level.
#[derive(Debug, Clone)]
pub(crate) struct ControlQuery {
    by_level: [f64; 3],
}

impl ControlQuery {
    pub(crate) fn new(p: &Profile) -> ControlQuery {
        ControlQuery {
            by_level: [Level::Low, Level::Medium, Level::High]
                .map(|c| control_fit(p.control_tolerance(), c)),
        }
    }

    /// The value for a partner under `level`.
    pub(crate) fn value(&self, level: Level) -> f64 {
        self.by_level[level.rank() as usize]
    }
}
