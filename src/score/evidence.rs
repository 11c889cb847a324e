//! [`Component::Evidence`](super::Component::Evidence): how much the briefing itself points
//! to the partner, for the field it discusses it under.

use super::sector::{Fit, SectorQuery};
use crate::dataset::{Evidence, SectorId};

/// The weight of each grade of [`Evidence`]: a section 3.2 case study or a partner the
/// conclusion names 1; Table 1's "sample of cluster organisations by sector" 0.8; a record
/// named in the prose 0.5; a listing only (Tables 2 to 4, footnotes) 0.3.
pub(crate) fn grade_value(e: Evidence) -> f64 {
    match e {
        Evidence::CaseStudy => 1.0,
        Evidence::SampleOrganisation => 0.8,
        Evidence::Named => 0.5,
        Evidence::Listed => 0.3,
    }
}

/// What produced an evidence value: the grade and the fit of the partner's main field to the
/// profile's specialisations.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) struct EvidenceWhy {
    pub grade: Evidence,
    pub fit: Fit,
}

/// The evidence value of a partner whose main field is `main`, graded `grade`: the grade's
/// weight times the fit of `main` to the profile's specialisations, as the sector component
/// reads them (the briefing points to a partner for the field it discusses it under, not for
/// every sector it touches).
pub(crate) fn value(sector: &SectorQuery, main: SectorId, grade: Evidence) -> (f64, EvidenceWhy) {
    let fit = sector.fit(&[main]);
    (grade_value(grade) * fit.value, EvidenceWhy { grade, fit })
}
