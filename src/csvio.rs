//! Spreadsheets: many EU cluster profiles read from CSV, and matches written as CSV.
//!
//! A profile row has the columns `name, country, sectors, keywords, tech_level,
//! control_tolerance, goals, preferred_regions, members`; list fields separate their items
//! with `;`, and every column but `name`, `country` and `sectors` may be empty. Parsing is
//! the `csv` crate's: quoting, embedded commas and newlines work as spreadsheets write them.

use crate::dataset::Level;
use crate::profile::{Profile, ProfileInput};
use crate::recommend::Recommendations;
use crate::score::Component;
use crate::{Error, Result};

/// The header of a profiles CSV file, in order.
pub const PROFILE_COLUMNS: [&str; 9] = [
    "name",
    "country",
    "sectors",
    "keywords",
    "tech_level",
    "control_tolerance",
    "goals",
    "preferred_regions",
    "members",
];

/// A CSV row that could not be read, with its line number (1 is the header).
#[derive(Debug, Clone, PartialEq)]
pub struct RowError {
    /// The line the row starts on.
    pub line: u64,
    /// What is wrong with it.
    pub error: Error,
}

/// Profiles read from CSV: each with the line it came from, and the rows that were skipped.
#[derive(Debug, Clone, Default)]
pub struct ProfileRows {
    /// `(line, profile)` for every good row, in file order.
    pub profiles: Vec<(u64, Profile)>,
    /// Rows skipped because of an error (only when the caller asked to skip bad rows).
    pub skipped: Vec<RowError>,
}

fn list(cell: &str) -> Vec<String> {
    cell.split(';')
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(str::to_string)
        .collect()
}

fn row_error(file: &str, line: u64, column: &str, message: String) -> Error {
    Error::Data {
        file: file.to_string(),
        record: format!("line {line}"),
        field: column.to_string(),
        message,
    }
}

fn parse_row(file: &str, line: u64, rec: &csv::StringRecord, header: &[String]) -> Result<Profile> {
    let get = |col: &str| {
        header
            .iter()
            .position(|h| h == col)
            .and_then(|i| rec.get(i))
            .map(str::trim)
            .unwrap_or("")
    };
    let tech_level = match get("tech_level").to_ascii_lowercase().as_str() {
        "" => None,
        "low" => Some(Level::Low),
        "medium" => Some(Level::Medium),
        "high" => Some(Level::High),
        other => {
            return Err(row_error(
                file,
                line,
                "tech_level",
                format!("`{other}` is not low, medium or high"),
            ))
        }
    };
    let number = |col: &str| -> Result<Option<f64>> {
        match get(col) {
            "" => Ok(None),
            v => v
                .parse::<f64>()
                .map(Some)
                .map_err(|_| row_error(file, line, col, format!("`{v}` is not a number"))),
        }
    };
    let members = match get("members") {
        "" => None,
        v => Some(v.parse::<u32>().map_err(|_| {
            row_error(
                file,
                line,
                "members",
                format!("`{v}` is not a whole number"),
            )
        })?),
    };
    let input = ProfileInput {
        name: get("name").to_string(),
        country: get("country").to_string(),
        sectors: list(get("sectors")),
        keywords: list(get("keywords")),
        tech_level,
        control_tolerance: number("control_tolerance")?,
        goals: list(get("goals")),
        preferred_regions: list(get("preferred_regions")),
        members,
    };
    Profile::try_from(input).map_err(|e| match e {
        Error::Profile {
            field,
            message,
            suggestions,
        } => Error::Profile {
            field: format!("{file} line {line}: {field}"),
            message,
            suggestions,
        },
        other => other,
    })
}

/// Reads profiles from CSV text. With `skip_bad_rows`, a bad row is reported in
/// [`ProfileRows::skipped`] and the rest are read; without, the first bad row is the error.
///
/// # Errors
///
/// [`Error::Data`] for a missing required column or a malformed file, naming the line;
/// the row's own profile error (its field prefixed with file and line) for a bad row when
/// `skip_bad_rows` is false.
pub fn profiles_from_csv(file: &str, text: &str, skip_bad_rows: bool) -> Result<ProfileRows> {
    let mut reader = csv::ReaderBuilder::new()
        .flexible(false)
        .trim(csv::Trim::None)
        .from_reader(text.as_bytes());
    let header: Vec<String> = reader
        .headers()
        .map_err(|e| row_error(file, 1, "(header)", e.to_string()))?
        .iter()
        .map(|h| h.trim().to_ascii_lowercase())
        .collect();
    for required in ["name", "country", "sectors"] {
        if !header.iter().any(|h| h == required) {
            return Err(row_error(
                file,
                1,
                required,
                format!(
                    "the header has no `{required}` column; expected {}",
                    PROFILE_COLUMNS.join(",")
                ),
            ));
        }
    }
    if let Some(unknown) = header
        .iter()
        .find(|h| !PROFILE_COLUMNS.contains(&h.as_str()))
    {
        return Err(row_error(
            file,
            1,
            unknown,
            format!(
                "unknown column; the columns are {}",
                PROFILE_COLUMNS.join(",")
            ),
        ));
    }
    let mut out = ProfileRows::default();
    for rec in reader.records() {
        let (line, result) = match rec {
            Ok(r) => {
                let line = r.position().map_or(0, |p| p.line());
                (line, parse_row(file, line, &r, &header))
            }
            Err(e) => {
                let line = e.position().map_or(0, |p| p.line());
                (line, Err(row_error(file, line, "(row)", e.to_string())))
            }
        };
        match result {
            Ok(p) => out.profiles.push((line, p)),
            Err(error) if skip_bad_rows => out.skipped.push(RowError { line, error }),
            Err(error) => return Err(error),
        }
    }
    Ok(out)
}

/// Writes profiles as CSV with the [`PROFILE_COLUMNS`] header; [`profiles_from_csv`] reads
/// it back to the same profiles.
pub fn profiles_to_csv(profiles: &[Profile]) -> String {
    let mut w = csv::Writer::from_writer(Vec::new());
    let _ = w.write_record(PROFILE_COLUMNS);
    for p in profiles {
        let goals: Vec<&str> = p.goals().iter().map(|g| g.as_str()).collect();
        let _ = w.write_record([
            p.name().to_string(),
            p.country().to_string(),
            p.sectors().join(";"),
            p.keywords().join(";"),
            p.tech_level().as_str().to_string(),
            format!("{}", p.control_tolerance()),
            goals.join(";"),
            p.preferred_regions().join(";"),
            p.members().map(|m| m.to_string()).unwrap_or_default(),
        ]);
    }
    // Writing to memory cannot fail; an empty string would show it did.
    w.into_inner()
        .ok()
        .and_then(|b| String::from_utf8(b).ok())
        .unwrap_or_default()
}

/// The header of a matches CSV file.
pub fn match_columns() -> Vec<&'static str> {
    let mut cols = vec![
        "cluster",
        "country",
        "rank",
        "id",
        "name",
        "kind",
        "province",
        "city",
        "macro_region",
        "score",
    ];
    cols.extend(Component::ALL.iter().map(|c| c.as_str()));
    cols.extend(["top_reason", "reason_source", "risks", "intermediaries"]);
    cols
}

/// Writes the matches of many clusters as CSV: one row per cluster and match, with the
/// breakdown's weighted parts as columns (they add up to `score`), the first reason with its
/// source, the risks' titles and the intermediaries' ids (each list `;`-separated).
pub fn matches_to_csv(results: &[Recommendations]) -> String {
    let mut w = csv::Writer::from_writer(Vec::new());
    let _ = w.write_record(match_columns());
    for r in results {
        for m in &r.matches {
            let mut row = vec![
                r.profile.name.clone(),
                r.profile.country.clone(),
                m.rank.to_string(),
                m.id.clone(),
                m.name.clone(),
                m.kind.as_str().to_string(),
                m.province.clone().unwrap_or_default(),
                m.city.clone().unwrap_or_default(),
                m.macro_region.clone().unwrap_or_default(),
                format!("{}", m.score),
            ];
            row.extend(
                Component::ALL
                    .iter()
                    .map(|c| format!("{}", m.breakdown[c.as_str()])),
            );
            row.push(
                m.reasons
                    .first()
                    .map(|x| x.text.clone())
                    .unwrap_or_default(),
            );
            row.push(
                m.reasons
                    .first()
                    .map(|x| x.source.clone())
                    .unwrap_or_default(),
            );
            row.push(
                m.risks
                    .iter()
                    .map(|x| x.title.as_str())
                    .collect::<Vec<_>>()
                    .join("; "),
            );
            row.push(
                m.intermediaries
                    .iter()
                    .map(|x| x.id.as_str())
                    .collect::<Vec<_>>()
                    .join("; "),
            );
            let _ = w.write_record(row);
        }
    }
    w.into_inner()
        .ok()
        .and_then(|b| String::from_utf8(b).ok())
        .unwrap_or_default()
}
