//! [`Component::Goal`](super::Component::Goal): how well the partner's kind serves what the
//! profile wants, as the briefing argues it.

use crate::dataset::{Goal, Kind};
use crate::profile::Profile;

/// How well a partner of `kind` serves `goal`, in [0, 1], as the briefing argues it.
///
/// - Market access: "The clusters make the best choice to enter the Chinese market" (3.1):
///   industrial clusters 1.0; associations 0.8 (Table 1's cluster organisations reach the
///   members); support services 0.7 (the IPR SME Helpdesk helps with "searching for
///   counterparts, or sales and distribution", 2.2); economic zones 0.6 ("stronger links to
///   the global market", 3.1); science parks 0.4; government bodies 0.3; institutes 0.2.
/// - R&D cooperation: science parks exist "for developing local capacity for innovation"
///   (3.1) and institutes do research: 1.0; associations (learned societies), government
///   bodies (MoST "supports R&D", 2.3.4) and zones 0.5; support services 0.4; industrial
///   clusters 0.3 (policy helps them with "R&D activities", 3.1, but they are low-tech).
/// - Technology transfer: science parks and institutes 0.9; zones 0.8 (SEZs bring
///   "technology transfer", 3.1); clusters, associations, support services 0.5 (the IPR
///   Helpdesk); government bodies 0.4.
/// - Sourcing: industrial clusters 1.0 (production split among many SMEs, 3.1); zones 0.6
///   (export-oriented production); associations 0.5; support services 0.4; parks 0.3;
///   government bodies and institutes 0.1.
/// - Investment: zones 1.0 ("SEZs are mainly aimed at attracting FDI", 3.1); parks 0.8
///   ("driven by FDI"); clusters and government bodies 0.6 (NDRC "leads ... public
///   investment", 2.3.4; joint ventures, 5); support services 0.5; associations 0.4;
///   institutes 0.2.
/// - Business support: support services 1.0 (the helpdesk offers help with "existing
///   regulations like the protection concerning intellectual property rights, searching for
///   counterparts, or sales and distribution", 2.2); government bodies 0.9 (local
///   authorities act "as a mediator to attract businesses", 5); associations 0.6 (Table 3
///   lists them among the "organisations in China for cluster cooperation and business
///   support"); zones and parks 0.5 (SEZs offer "streamlined business procedures", parks
///   "services and financial providers", 3.1); institutes and industrial clusters 0.2
///   (clusters have "no physical infrastructure" and mostly no formal organisation, 3.1).
///
/// ```
/// use eccp_china::{Goal, Kind, score::goal_affinity};
/// assert_eq!(goal_affinity(Goal::MarketAccess, Kind::IndustrialCluster), 1.0);
/// assert_eq!(goal_affinity(Goal::RdCooperation, Kind::SciencePark), 1.0);
/// ```
pub fn goal_affinity(goal: Goal, kind: Kind) -> f64 {
    use Kind::*;
    match (goal, kind) {
        (Goal::MarketAccess, IndustrialCluster) => 1.0,
        (Goal::MarketAccess, Association) => 0.8,
        (Goal::MarketAccess, SupportService) => 0.7,
        (Goal::MarketAccess, EconomicZone) => 0.6,
        (Goal::MarketAccess, SciencePark) => 0.4,
        (Goal::MarketAccess, GovernmentBody) => 0.3,
        (Goal::MarketAccess, ResearchInstitute) => 0.2,
        (Goal::RdCooperation, SciencePark | ResearchInstitute) => 1.0,
        (Goal::RdCooperation, Association | GovernmentBody | EconomicZone) => 0.5,
        (Goal::RdCooperation, SupportService) => 0.4,
        (Goal::RdCooperation, IndustrialCluster) => 0.3,
        (Goal::TechnologyTransfer, SciencePark | ResearchInstitute) => 0.9,
        (Goal::TechnologyTransfer, EconomicZone) => 0.8,
        (Goal::TechnologyTransfer, IndustrialCluster | Association | SupportService) => 0.5,
        (Goal::TechnologyTransfer, GovernmentBody) => 0.4,
        (Goal::Sourcing, IndustrialCluster) => 1.0,
        (Goal::Sourcing, EconomicZone) => 0.6,
        (Goal::Sourcing, Association) => 0.5,
        (Goal::Sourcing, SupportService) => 0.4,
        (Goal::Sourcing, SciencePark) => 0.3,
        (Goal::Sourcing, GovernmentBody | ResearchInstitute) => 0.1,
        (Goal::Investment, EconomicZone) => 1.0,
        (Goal::Investment, SciencePark) => 0.8,
        (Goal::Investment, IndustrialCluster | GovernmentBody) => 0.6,
        (Goal::Investment, SupportService) => 0.5,
        (Goal::Investment, Association) => 0.4,
        (Goal::Investment, ResearchInstitute) => 0.2,
        (Goal::BusinessSupport, SupportService) => 1.0,
        (Goal::BusinessSupport, GovernmentBody) => 0.9,
        (Goal::BusinessSupport, Association) => 0.6,
        (Goal::BusinessSupport, EconomicZone | SciencePark) => 0.5,
        (Goal::BusinessSupport, ResearchInstitute | IndustrialCluster) => 0.2,
    }
}

/// What produced a goal value: the profile goal this kind serves best, with its affinity.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) struct GoalWhy {
    pub best: Option<(Goal, f64)>,
}

/// The goal component's part of a query: its value for each kind.
#[derive(Debug, Clone)]
pub(crate) struct GoalQuery {
    by_kind: [(f64, GoalWhy); 7],
}

impl GoalQuery {
    pub(crate) fn new(p: &Profile) -> GoalQuery {
        let goals = p.goals();
        let n = goals.len().max(1) as f64;
        GoalQuery {
            by_kind: Kind::ALL.map(|k| {
                let mut sum = 0.0;
                let mut best: Option<(Goal, f64)> = None;
                for g in goals {
                    let a = goal_affinity(*g, k);
                    sum += a;
                    if best.is_none_or(|b| a > b.1) {
                        best = Some((*g, a));
                    }
                }
                (sum / n, GoalWhy { best })
            }),
        }
    }

    /// The mean affinity over the profile's goals of a partner of `kind`.
    pub(crate) fn value(&self, kind: Kind) -> (f64, GoalWhy) {
        let i = Kind::ALL.iter().position(|k| *k == kind).unwrap_or(0);
        self.by_kind[i]
    }
}
