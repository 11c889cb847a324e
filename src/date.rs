//! Dates as the briefing writes them (`2016`, `2018-01`): a year and, if given, a month. At
//! the bottom of the data flow: any step may use it, it uses nothing of the crate.

use std::fmt;

/// A month of a year: the date a run gives its advice at (`Options::as_of`), and the ends of
/// the windows the briefing states for programmes.
///
/// ```
/// use eccp_china::score::YearMonth;
/// let a = YearMonth::parse("2020").unwrap();   // a year alone means its last month
/// assert_eq!(a, YearMonth::new(2020, 12).unwrap());
/// assert!(YearMonth::parse("2026-11").unwrap() > a);
/// assert!(YearMonth::parse("2026-13").is_none());
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct YearMonth {
    year: u16,
    month: u8,
}

impl YearMonth {
    /// A year and a month from 1 to 12; `None` otherwise.
    pub fn new(year: u16, month: u8) -> Option<YearMonth> {
        (1..=12)
            .contains(&month)
            .then_some(YearMonth { year, month })
    }

    /// `YYYY-MM`, or `YYYY` (read as its last month, so that a window ending "2020" runs
    /// through December 2020).
    pub fn parse(s: &str) -> Option<YearMonth> {
        let s = s.trim();
        let (y, m) = match s.split_once('-') {
            Some((y, m)) => (y, Some(m)),
            None => (s, None),
        };
        if y.len() != 4 || !y.bytes().all(|b| b.is_ascii_digit()) {
            return None;
        }
        let year: u16 = y.parse().ok()?;
        let month: u8 = match m {
            Some(m) if m.len() == 2 && m.bytes().all(|b| b.is_ascii_digit()) => m.parse().ok()?,
            Some(_) => return None,
            None => 12,
        };
        YearMonth::new(year, month)
    }

    /// Like [`YearMonth::parse`], but a year alone is read as its first month: the start of
    /// a window written "2016-2020" is January 2016.
    pub fn parse_first(s: &str) -> Option<YearMonth> {
        let m = YearMonth::parse(s)?;
        Some(if s.trim().len() == 4 {
            YearMonth {
                year: m.year,
                month: 1,
            }
        } else {
            m
        })
    }

    /// This month, by the system clock (UTC).
    pub fn today() -> YearMonth {
        let secs = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.as_secs())
            .unwrap_or(0);
        // Days to a civil date (Howard Hinnant's algorithm, proleptic Gregorian).
        let z = (secs / 86_400) as i64 + 719_468;
        let era = z.div_euclid(146_097);
        let doe = z - era * 146_097;
        let yoe = (doe - doe / 1_460 + doe / 36_524 - doe / 146_096) / 365;
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
        let mp = (5 * doy + 2) / 153;
        let month = if mp < 10 { mp + 3 } else { mp - 9 };
        let year = yoe + era * 400 + i64::from(month <= 2);
        YearMonth {
            year: year.clamp(0, 9999) as u16,
            month: month as u8,
        }
    }

    /// The year.
    pub fn year(self) -> u16 {
        self.year
    }
}

impl fmt::Display for YearMonth {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:04}-{:02}", self.year, self.month)
    }
}

impl serde::Serialize for YearMonth {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

#[cfg(test)]
mod tests {
    use super::YearMonth;

    #[test]
    fn today_is_a_plausible_month() {
        let t = YearMonth::today();
        assert!(t.year() >= 2024 && t.year() < 2200, "{t}");
    }

    #[test]
    fn parses_what_the_briefing_writes() {
        assert_eq!(YearMonth::parse("2018-01").unwrap().to_string(), "2018-01");
        assert_eq!(YearMonth::parse("2016").unwrap().to_string(), "2016-12");
        for bad in ["", "18", "2018-1", "2018-00", "20x8", "2018-01-05"] {
            assert!(YearMonth::parse(bad).is_none(), "{bad}");
        }
    }
}
