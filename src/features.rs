//! The partners as a dense feature matrix, for export: every partner a row, in the one-hot
//! expansion of the same features the scoring model reads (see [`crate::score`]), for users'
//! own models and plots. Ranking does not need it; a [`Recommender`](crate::Recommender)
//! builds it only when asked.
//!
//! The column layout is documented on [`FeatureMatrix`].

use crate::dataset::{Dataset, Kind, Taxonomy};
use crate::score::{constants::grade_value, level_value};
use ndarray::Array2;
use std::ops::Range;

/// Where each group of features sits in a row. [`FeatureMatrix`] says what each column
/// holds.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Layout {
    /// One column per taxonomy sector, in taxonomy order.
    pub sectors: Range<usize>,
    /// One column per macro-region.
    pub macro_regions: Range<usize>,
    /// One column per province.
    pub provinces: Range<usize>,
    /// One column per place.
    pub places: Range<usize>,
    /// 1 for national bodies.
    pub national: usize,
    /// Tech level.
    pub tech: usize,
    /// Political control.
    pub control: usize,
    /// One column per kind.
    pub kinds: Range<usize>,
    /// Briefing coverage.
    pub evidence: usize,
    /// Briefing coverage times closeness to the partner's main field, one column per sector.
    pub evidence_sectors: Range<usize>,
    /// Total number of columns.
    pub width: usize,
}

impl Layout {
    pub(crate) fn new(d: &Dataset) -> Layout {
        let mut at = 0;
        let mut take = |n: usize| {
            let r = at..at + n;
            at += n;
            r
        };
        let sectors = take(d.taxonomy().sectors().len());
        let macro_regions = take(d.regions().macro_regions().len());
        let provinces = take(d.regions().provinces().len());
        let places = take(d.regions().places().len());
        let national = take(1).start;
        let tech = take(1).start;
        let control = take(1).start;
        let kinds = take(Kind::ALL.len());
        let evidence = take(1).start;
        let evidence_sectors = take(d.taxonomy().sectors().len());
        Layout {
            sectors,
            macro_regions,
            provinces,
            places,
            national,
            tech,
            control,
            kinds,
            evidence,
            evidence_sectors,
            width: at,
        }
    }
}

/// Writes a partner's features into a zeroed row, as the matrix holds them.
fn fill_row(
    tax: &Taxonomy,
    reg: &crate::dataset::Regions,
    layout: &Layout,
    p: &crate::dataset::Partner,
    mut row: ndarray::ArrayViewMut1<f64>,
) {
    for j in 0..tax.sectors().len() {
        let wanted = crate::dataset::SectorId(j as u16);
        row[layout.sectors.start + j] = p
            .sectors()
            .iter()
            .map(|s| tax.closeness(wanted, *s))
            .fold(0.0, f64::max);
    }
    match p.province() {
        Some(pr) => {
            row[layout.provinces.start + pr.index()] = 1.0;
            row[layout.macro_regions.start + reg.province(pr).macro_region().index()] = 1.0;
        }
        None => row[layout.national] = 1.0,
    }
    if let Some(pl) = p.place() {
        for a in reg.place_ancestors(pl) {
            row[layout.places.start + a.index()] = 1.0;
        }
    }
    row[layout.tech] = level_value(p.tech().level());
    row[layout.control] = level_value(p.control().level());
    let k = Kind::ALL.iter().position(|k| *k == p.kind()).unwrap_or(0);
    row[layout.kinds.start + k] = 1.0;
    let coverage = grade_value(p.evidence());
    row[layout.evidence] = coverage;
    if let Some(main) = p.sectors().first() {
        for j in 0..tax.sectors().len() {
            let wanted = crate::dataset::SectorId(j as u16);
            row[layout.evidence_sectors.start + j] = coverage * tax.closeness(wanted, *main);
        }
    }
}

/// The partners of a dataset as a dense `N × D` matrix, one row per partner.
///
/// # Column layout
///
/// | columns | what a partner's row holds |
/// |---|---|
/// | `sectors` (one per taxonomy sector) | [`Taxonomy::closeness`] of the partner to a profile asking for that sector: the best over the partner's sectors. This folds the taxonomy's hierarchy into the row once, so that scoring a profile reads columns instead of walking trees. |
/// | `macro_regions` (one-hot) | 1 for the partner's macro-region |
/// | `provinces` (one-hot) | 1 for its province |
/// | `places` (multi-hot) | 1 for its place and every place enclosing it |
/// | `national` | 1 for a body with no province (a ministry, a national association) |
/// | `tech` | its tech level: 0, 0.5 or 1 for low, medium, high |
/// | `control` | its political control: 0, 0.5 or 1 |
/// | `kinds` (one-hot) | its [`Kind`], in [`Kind::ALL`] order |
/// | `evidence` | how much the briefing points to it ([`Evidence`](crate::dataset::Evidence)): 1 for a case study of section 3.2 (a partner with a heading of its own) or a partner its conclusion names (section 5), 0.8 for Table 1 (the briefing's own "sample of cluster organisations by sector"), 0.5 for a record named in the prose, 0.3 for a listing only (Tables 2 to 4, footnotes) |
/// | `evidence_sectors` (one per taxonomy sector) | `evidence` times the closeness of a profile asking for that sector to the partner's main field (its first sector): the evidence component of a profile naming that one sector |
///
/// Every value is the scoring model's own: a row's `sectors` column `j` is the sector fit
/// the model gives the partner for a profile naming sector `j` alone, and so on; the tests
/// check it.
#[derive(Debug, Clone)]
pub struct FeatureMatrix {
    x: Array2<f64>,
    layout: Layout,
}

impl FeatureMatrix {
    /// Builds the matrix for every partner of `dataset`, in partner order.
    pub fn new(dataset: &Dataset) -> FeatureMatrix {
        let layout = Layout::new(dataset);
        let tax: &Taxonomy = dataset.taxonomy();
        let reg = dataset.regions();
        let n = dataset.partners().len();
        let mut x = Array2::<f64>::zeros((n, layout.width));
        for (i, p) in dataset.partners().iter().enumerate() {
            fill_row(tax, reg, &layout, p, x.row_mut(i));
        }
        FeatureMatrix { x, layout }
    }

    /// The matrix, one row per partner in [`Dataset::partners`] order.
    pub fn matrix(&self) -> &Array2<f64> {
        &self.x
    }

    /// The column layout.
    pub fn layout(&self) -> &Layout {
        &self.layout
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rows_hold_what_the_layout_says() {
        let d = Dataset::embedded().unwrap();
        let m = FeatureMatrix::new(d);
        let l = m.layout();
        assert_eq!(m.matrix().ncols(), l.width);
        assert_eq!(m.matrix().nrows(), d.partners().len());
        let i = d.find_partner("huadu-automobile").unwrap().index();
        let row = m.matrix().row(i);
        let col = |s: &str| l.sectors.start + d.taxonomy().find(s).unwrap().index();
        assert_eq!(row[col("automotive")], 1.0);
        assert_eq!(row[col("motorcycles")], 0.35, "cousin through mobility");
        assert_eq!(row[col("apparel")], 0.0);
        assert_eq!(row[l.national], 0.0);
        assert_eq!(row[l.evidence], 1.0, "a section 3.2 case");
        assert_eq!(row.slice(ndarray::s![l.kinds.clone()]).sum(), 1.0);
        let ministry = m.matrix().row(d.find_partner("miit").unwrap().index());
        assert_eq!(ministry[l.national], 1.0);
        assert_eq!(ministry.slice(ndarray::s![l.provinces.clone()]).sum(), 0.0);
    }
}
