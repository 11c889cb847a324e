//! Spreadsheets: many EU cluster profiles read from CSV, and matches written as CSV.
//!
//! A profile row has the columns `name, country, sectors, keywords, tech_level,
//! control_tolerance, goals, preferred_regions, members`; list fields separate their items
//! with `;` (an item holding a `;` or a `\` writes it as `\;` or `\\`), and every column but
//! `name`, `country` and `sectors` may be empty.
//!
//! # Files from strangers
//!
//! - **One row per line.** [`ProfileReader`] reads a line at a time, at most
//!   [`limits::CSV_ROW_BYTES`] each, and parses it as one CSV
//!   record (quoting and embedded commas work as spreadsheets write them). A line break inside
//!   a quoted cell is therefore not supported: an unterminated quote makes its own line a bad
//!   row instead of swallowing the rows after it. Memory does not grow with the number of
//!   rows.
//! - **Formula injection.** A spreadsheet evaluates a cell that starts with `=`, `+`, `-`,
//!   `@`, a tab or a carriage return. Every text cell this module writes is neutralised as
//!   OWASP recommends, with a leading `'` ([`neutralise`]); [`ProfileReader`] removes that
//!   apostrophe again, so profiles round-trip.
//! - **Nothing dropped silently.** A bad row is an error naming its line, or, when the caller
//!   skips bad rows, reported with its line.
//!
//! # Examples
//!
//! Profiles from a spreadsheet in, one row per cluster and match out:
//!
//! ```
//! use eccp_china::{csvio, Dataset, Options, Recommender};
//! # fn main() -> Result<(), eccp_china::Error> {
//! let rec = Recommender::new(Dataset::embedded()?);
//! let sheet = "name,country,sectors,goals\n\
//!              Wind cluster,DK,wind energy,technology_transfer;market_access\n\
//!              =HYPERLINK(\"x\"),PT,textiles,sourcing\n";
//! let mut results = Vec::new();
//! for row in csvio::ProfileReader::new("sheet.csv", sheet.as_bytes())? {
//!     // A row is read (or the file fails), then good (or a bad row, with its line).
//!     let (_line, profile) = row?.map_err(|bad| bad.error)?;
//!     results.push(rec.recommend_profile(&profile, &Options { top_k: 3, ..Options::default() })?);
//! }
//! let mut out = Vec::new();
//! csvio::write_matches(&mut out, &results)?;
//! let csv = String::from_utf8(out).unwrap();
//! assert!(csv.starts_with("cluster,country,rank,id,name"));
//! assert!(csv.contains("'=HYPERLINK")); // neutralised: a spreadsheet shows it as text
//! # Ok(())
//! # }
//! ```

use crate::dataset::Level;
use crate::limits;
use crate::profile::{Profile, ProfileInput};
use crate::recommend::{Recommendations, Recommender};
use crate::score::Component;
use crate::score::Options;
use crate::{Error, Result};
use std::borrow::Cow;
use std::io::{BufRead, Write};

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
    /// The line of the row.
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

/// The characters that make a spreadsheet read a cell as a formula when it starts with one.
const FORMULA_STARTS: [char; 6] = ['=', '+', '-', '@', '\t', '\r'];

/// A cell as it is safe to write for a spreadsheet: text starting with `=`, `+`, `-`, `@`, a
/// tab or a carriage return gets a leading `'`, so that the spreadsheet shows it as text
/// instead of evaluating it (OWASP's advice on CSV injection); text starting with `'` gets
/// one more, so that [`ProfileReader`] can undo exactly what was added; other text is
/// unchanged.
///
/// ```
/// use eccp_china::csvio::neutralise;
/// assert_eq!(neutralise("=HYPERLINK(\"http://x\")"), "'=HYPERLINK(\"http://x\")");
/// assert_eq!(neutralise("Zhuji socks"), "Zhuji socks");
/// ```
pub fn neutralise(cell: &str) -> Cow<'_, str> {
    // Text that already starts with `'` gets one more, so that reading it back can tell the
    // two apart: the mapping is one to one.
    if cell.starts_with(FORMULA_STARTS) || cell.starts_with('\'') {
        Cow::Owned(format!("'{cell}"))
    } else {
        Cow::Borrowed(cell)
    }
}

/// The inverse of [`neutralise`], for cells read back.
fn restore(cell: &str) -> &str {
    match cell.strip_prefix('\'') {
        Some(rest) if rest.starts_with(FORMULA_STARTS) || rest.starts_with('\'') => rest,
        _ => cell,
    }
}

/// The items of a list cell: split at `;` not preceded by `\`, with `\;` and `\\` read as
/// `;` and `\`; blank items are left out.
fn split_list(cell: &str) -> Vec<String> {
    let mut items = Vec::new();
    let mut cur = String::new();
    let mut chars = cell.chars();
    while let Some(c) = chars.next() {
        match c {
            '\\' => match chars.next() {
                Some(n @ (';' | '\\')) => cur.push(n),
                Some(n) => {
                    cur.push('\\');
                    cur.push(n);
                }
                None => cur.push('\\'),
            },
            ';' => items.push(std::mem::take(&mut cur)),
            c => cur.push(c),
        }
    }
    items.push(cur);
    items
        .into_iter()
        .map(|s| s.trim().to_string())
        .filter(|s| !s.is_empty())
        .collect()
}

/// A list cell: items joined with `;`, each `;` and `\` in them escaped.
fn join_list(items: &[String]) -> String {
    items
        .iter()
        .map(|s| s.replace('\\', "\\\\").replace(';', "\\;"))
        .collect::<Vec<_>>()
        .join(";")
}

fn row_error(file: &str, line: u64, column: &str, message: impl Into<String>) -> Error {
    Error::Data {
        file: file.to_string(),
        record: format!("line {line}"),
        field: column.to_string(),
        message: message.into(),
    }
}

/// Parses one line as one CSV record.
fn parse_line(file: &str, line: u64, text: &str) -> Result<csv::StringRecord> {
    // Quotes come in pairs in a well-formed line (an opening and a closing one, or a doubled
    // one inside a quoted cell); an odd count is a quote left open.
    if text.bytes().filter(|b| *b == b'"').count() % 2 == 1 {
        return Err(row_error(
            file,
            line,
            "(row)",
            "a quote is not closed on this line (a row is one line)",
        ));
    }
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .from_reader(text.as_bytes());
    let mut record = csv::StringRecord::new();
    match reader.read_record(&mut record) {
        Ok(true) => Ok(record),
        Ok(false) => Ok(csv::StringRecord::new()),
        Err(e) => Err(row_error(file, line, "(row)", e.to_string())),
    }
}

/// Reads a profiles CSV one line at a time: a header line, then a profile per line.
///
/// Each item is an outer `Result` (an error there ends the file: it cannot be read on, for
/// example a line over [`limits::CSV_ROW_BYTES`] or a failing
/// reader) holding an inner one (a row that is not a valid profile, with its line: skip it or
/// stop, as you choose). Blank lines are not rows.
///
/// ```
/// use eccp_china::csvio::ProfileReader;
/// # fn main() -> Result<(), eccp_china::Error> {
/// let csv = "name,country,sectors\nBasque tools,ES,machinery;smart manufacturing\nBad,XX,textiles\n";
/// let mut good = Vec::new();
/// let mut bad = Vec::new();
/// for row in ProfileReader::new("clusters.csv", csv.as_bytes())? {
///     match row? {
///         Ok((_line, profile)) => good.push(profile),
///         Err(row) => bad.push(row.line),
///     }
/// }
/// assert_eq!(good[0].sectors(), ["machinery", "smart manufacturing"]);
/// assert_eq!(bad, [3]);
/// # Ok(())
/// # }
/// ```
#[derive(Debug)]
pub struct ProfileReader<R> {
    file: String,
    reader: R,
    header: Vec<String>,
    line: u64,
    buf: Vec<u8>,
    done: bool,
}

/// A row's result: a profile with its line, or why the row is bad.
pub type ProfileRow = std::result::Result<(u64, Profile), RowError>;

impl<R: BufRead> ProfileReader<R> {
    /// Reads and checks the header line.
    ///
    /// # Errors
    ///
    /// [`Error::Data`] naming line 1 for a missing required column, an unknown or repeated
    /// column, or an empty file; [`Error::Io`] for a reader that fails or a header over the
    /// line cap.
    pub fn new(file: impl Into<String>, reader: R) -> Result<ProfileReader<R>> {
        let mut r = ProfileReader {
            file: file.into(),
            reader,
            header: Vec::new(),
            line: 0,
            buf: Vec::new(),
            done: false,
        };
        let text = loop {
            match r.next_line()? {
                None => return Err(row_error(&r.file, 1, "(header)", "the file is empty")),
                Some(t) if t.trim().is_empty() => continue,
                Some(t) => break t,
            }
        };
        let line = r.line;
        let header: Vec<String> = parse_line(&r.file, line, &text)?
            .iter()
            .map(|h| restore(h.trim()).to_ascii_lowercase())
            .collect();
        for required in ["name", "country", "sectors"] {
            if !header.iter().any(|h| h == required) {
                return Err(row_error(
                    &r.file,
                    line,
                    required,
                    format!(
                        "the header has no `{required}` column; expected {}",
                        PROFILE_COLUMNS.join(",")
                    ),
                ));
            }
        }
        for (i, h) in header.iter().enumerate() {
            if !PROFILE_COLUMNS.contains(&h.as_str()) {
                return Err(row_error(
                    &r.file,
                    line,
                    h,
                    format!(
                        "unknown column; the columns are {}",
                        PROFILE_COLUMNS.join(",")
                    ),
                ));
            }
            if header[..i].contains(h) {
                return Err(row_error(
                    &r.file,
                    line,
                    h,
                    "the column is named twice; keep one",
                ));
            }
        }
        r.header = header;
        Ok(r)
    }

    /// The next line without its line break, `None` at the end.
    fn next_line(&mut self) -> Result<Option<String>> {
        self.buf.clear();
        let io = |file: &str, e: std::io::Error| Error::io(file, e);
        // Read up to the line break, never holding more than the cap.
        loop {
            let available = match self.reader.fill_buf() {
                Ok(b) => b,
                Err(e) if e.kind() == std::io::ErrorKind::Interrupted => continue,
                Err(e) => return Err(io(&self.file, e)),
            };
            if available.is_empty() {
                if self.buf.is_empty() {
                    return Ok(None);
                }
                break;
            }
            let (take, end) = match available.iter().position(|b| *b == b'\n') {
                Some(i) => (i + 1, true),
                None => (available.len(), false),
            };
            if self.buf.len() + take > limits::CSV_ROW_BYTES + 2 {
                return Err(Error::io(
                    self.file.clone(),
                    std::io::Error::new(
                        std::io::ErrorKind::InvalidData,
                        format!(
                            "line {} is longer than {} bytes, the limit for a row",
                            self.line + 1,
                            limits::CSV_ROW_BYTES
                        ),
                    ),
                ));
            }
            self.buf.extend_from_slice(&available[..take]);
            self.reader.consume(take);
            if end {
                break;
            }
        }
        self.line += 1;
        while matches!(self.buf.last(), Some(b'\n' | b'\r')) {
            self.buf.pop();
        }
        let bytes = if self.line == 1 {
            limits::strip_bom(&self.buf)
        } else {
            &self.buf
        };
        match std::str::from_utf8(bytes) {
            Ok(t) => Ok(Some(t.to_string())),
            // Not text: the row is bad, the file may go on.
            Err(e) => Ok(Some(format!("\u{0}{}", e.valid_up_to()))),
        }
    }

    /// Parses a data line into a profile.
    fn parse_row(&self, text: &str) -> Result<Profile> {
        let (file, line) = (self.file.as_str(), self.line);
        if let Some(at) = text.strip_prefix('\u{0}') {
            return Err(row_error(
                file,
                line,
                "(row)",
                format!("not UTF-8 text (invalid byte after {at} bytes)"),
            ));
        }
        let rec = parse_line(file, line, text)?;
        if rec.len() != self.header.len() {
            return Err(row_error(
                file,
                line,
                "(row)",
                format!(
                    "{} cells; the header has {} columns",
                    rec.len(),
                    self.header.len()
                ),
            ));
        }
        let get = |col: &str| {
            self.header
                .iter()
                .position(|h| h == col)
                .and_then(|i| rec.get(i))
                .map(|c| restore(c.trim()).trim())
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
        let control_tolerance = match get("control_tolerance") {
            "" => None,
            v => Some(v.parse::<f64>().map_err(|_| {
                row_error(
                    file,
                    line,
                    "control_tolerance",
                    format!("`{v}` is not a number"),
                )
            })?),
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
            sectors: split_list(get("sectors")),
            keywords: split_list(get("keywords")),
            tech_level,
            control_tolerance,
            goals: split_list(get("goals")),
            preferred_regions: split_list(get("preferred_regions")),
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
}

impl<R: BufRead> Iterator for ProfileReader<R> {
    type Item = Result<ProfileRow>;

    fn next(&mut self) -> Option<Result<ProfileRow>> {
        if self.done {
            return None;
        }
        loop {
            let text = match self.next_line() {
                Ok(Some(t)) => t,
                Ok(None) => {
                    self.done = true;
                    return None;
                }
                Err(e) => {
                    // A file that cannot be read on ends here.
                    self.done = true;
                    return Some(Err(e));
                }
            };
            if text.trim().is_empty() {
                continue;
            }
            let line = self.line;
            return Some(Ok(self
                .parse_row(&text)
                .map(|p| (line, p))
                .map_err(|error| RowError { line, error })));
        }
    }
}

/// Reads profiles from CSV text. With `skip_bad_rows`, a bad row is reported in
/// [`ProfileRows::skipped`] and the rest are read; without, the first bad row is the error.
/// [`ProfileReader`] does the same one row at a time, for files of any length.
///
/// # Errors
///
/// As [`ProfileReader::new`]; the row's own error for a bad row when `skip_bad_rows` is
/// false.
pub fn profiles_from_csv(file: &str, text: &str, skip_bad_rows: bool) -> Result<ProfileRows> {
    let mut out = ProfileRows::default();
    for row in ProfileReader::new(file, text.as_bytes())? {
        match row? {
            Ok(p) => out.profiles.push(p),
            Err(bad) if skip_bad_rows => out.skipped.push(bad),
            Err(bad) => return Err(bad.error),
        }
    }
    Ok(out)
}

/// How many rows a batch read, wrote and skipped. Every row read is written or skipped:
/// `read == written + skipped` when the batch ran to the end.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct BatchSummary {
    /// Rows read (blank lines are not rows; the header is not a row).
    pub read: u64,
    /// Rows whose matches were written.
    pub written: u64,
    /// Bad rows skipped.
    pub skipped: u64,
}

impl std::fmt::Display for BatchSummary {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "{} rows read, {} written, {} skipped",
            self.read, self.written, self.skipped
        )
    }
}

/// A batch that stopped before the end of its file: what it had done, and why it stopped.
#[derive(Debug, Clone, PartialEq)]
pub struct BatchStopped {
    /// The rows handled before the stop; the row that stopped it is not counted.
    pub summary: BatchSummary,
    /// The line of the row that stopped it, `None` when the file itself could not be read
    /// on or the output failed.
    pub line: Option<u64>,
    /// Why (boxed: the summary travels with it, and a `Result` stays small).
    pub error: Box<Error>,
}

impl std::fmt::Display for BatchStopped {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self.line {
            Some(line) => write!(f, "stopped at line {line} after {}", self.summary),
            None => write!(f, "stopped after {}", self.summary),
        }
    }
}

impl std::error::Error for BatchStopped {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        Some(&*self.error)
    }
}

/// Recommends partners for every row of a profiles CSV, streaming: a row is read, resolved,
/// ranked and handed to `write` (with its line and profile) before the next is read, so
/// memory does not grow with the number of rows.
///
/// A bad row (one that does not parse, does not resolve or cannot be ranked with `options`)
/// is handed to `skipped` with its line and the batch goes on when `skip_bad_rows` is true,
/// and stops the batch otherwise. Nothing is dropped without one of the two being called.
///
/// ```
/// use eccp_china::csvio::{recommend_rows, ProfileReader};
/// use eccp_china::{Dataset, Options, Recommender};
/// # fn main() -> Result<(), Box<dyn std::error::Error>> {
/// let rec = Recommender::new(Dataset::embedded()?);
/// let csv = "name,country,sectors\nBasque tools,ES,machinery\nTypo,FR,zzzzqqq\n";
/// let mut names = Vec::new();
/// let mut bad = Vec::new();
/// let summary = recommend_rows(
///     &rec,
///     ProfileReader::new("clusters.csv", csv.as_bytes())?,
///     &Options::default(),
///     true,
///     |_line, _profile, r| Ok(names.push(r.profile.name.clone())),
///     |row| bad.push(row.line),
/// )?;
/// assert_eq!((summary.read, summary.written, summary.skipped), (2, 1, 1));
/// assert_eq!((names, bad), (vec!["Basque tools".to_string()], vec![3]));
/// # Ok(())
/// # }
/// ```
///
/// # Errors
///
/// [`BatchStopped`], with what was done before, when the file cannot be read on (a line
/// over [`limits::CSV_ROW_BYTES`], a failing reader), when `write` fails, or at the first
/// bad row when `skip_bad_rows` is false.
pub fn recommend_rows<R: BufRead>(
    rec: &Recommender,
    rows: ProfileReader<R>,
    options: &Options,
    skip_bad_rows: bool,
    mut write: impl FnMut(u64, &Profile, &Recommendations) -> Result<()>,
    mut skipped: impl FnMut(&RowError),
) -> std::result::Result<BatchSummary, BatchStopped> {
    let mut summary = BatchSummary::default();
    for row in rows {
        let stopped = |line, error| BatchStopped {
            summary,
            line,
            error: Box::new(error),
        };
        let row = row.map_err(|e| stopped(None, e))?;
        let ranked = row.and_then(|(line, profile)| {
            rec.recommend_profile(&profile, options)
                .map(|r| (line, profile, r))
                .map_err(|error| RowError { line, error })
        });
        match ranked {
            Ok((line, profile, r)) => {
                write(line, &profile, &r).map_err(|e| stopped(None, e))?;
                summary.written += 1;
            }
            Err(bad) if skip_bad_rows => {
                skipped(&bad);
                summary.skipped += 1;
            }
            Err(bad) => return Err(stopped(Some(bad.line), bad.error)),
        }
        summary.read += 1;
    }
    Ok(summary)
}

/// The error of a CSV writer, as this crate reports it.
fn write_error(e: csv::Error) -> Error {
    Error::Write {
        path: "<output>".into(),
        message: e.to_string(),
    }
}

/// Writes one record with every cell [`neutralise`]d.
fn write_safe<W: Write>(w: &mut csv::Writer<W>, cells: &[String]) -> Result<()> {
    let safe: Vec<Cow<'_, str>> = cells.iter().map(|c| neutralise(c)).collect();
    w.write_record(safe.iter().map(|c| c.as_bytes()))
        .map_err(write_error)
}

/// Writes profiles as CSV with the [`PROFILE_COLUMNS`] header, every text cell
/// [`neutralise`]d; [`ProfileReader`] reads them back to the same profiles.
///
/// # Errors
///
/// [`Error::Write`] when `out` fails.
pub fn write_profiles(out: impl Write, profiles: &[Profile]) -> Result<()> {
    let mut w = csv::Writer::from_writer(out);
    w.write_record(PROFILE_COLUMNS).map_err(write_error)?;
    for p in profiles {
        let goals: Vec<String> = p.goals().iter().map(|g| g.as_str().to_string()).collect();
        let cells = [
            p.name().to_string(),
            p.country().to_string(),
            join_list(p.sectors()),
            join_list(p.keywords()),
            p.tech_level().as_str().to_string(),
            format!("{}", p.control_tolerance()),
            join_list(&goals),
            join_list(p.preferred_regions()),
            p.members().map(|m| m.to_string()).unwrap_or_default(),
        ];
        write_safe(&mut w, &cells)?;
    }
    w.flush().map_err(|e| write_error(e.into()))
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

/// A reason's text or a risk's title, with its note's window status in parentheses where it
/// has one ("... (ended 2020: ...)").
fn with_status(text: &str, status: &Option<String>) -> String {
    match status {
        Some(st) => format!("{text} ({st})"),
        None => text.to_string(),
    }
}

/// A score or part as a spreadsheet shows it: four decimals (`0.8360`, not
/// `0.8360000000000002`).
fn shown_number(x: f64) -> String {
    format!("{x:.4}")
}

/// Writes matches as CSV, one cluster's recommendations at a time: one row per cluster and
/// match, with the breakdown's weighted parts as columns (they add up to `score`, to the
/// four decimals written), the first reason with its source, the risks' titles and the
/// intermediaries' names with their websites (each list `;`-separated). Every text cell is
/// [`neutralise`]d.
#[derive(Debug)]
pub struct MatchWriter<W: Write> {
    w: csv::Writer<W>,
}

impl<W: Write> MatchWriter<W> {
    /// Writes the header ([`match_columns`]).
    ///
    /// # Errors
    ///
    /// [`Error::Write`] when `out` fails.
    pub fn new(out: W) -> Result<MatchWriter<W>> {
        let mut w = csv::Writer::from_writer(out);
        w.write_record(match_columns()).map_err(write_error)?;
        Ok(MatchWriter { w })
    }

    /// Writes the rows of one cluster's matches.
    ///
    /// # Errors
    ///
    /// [`Error::Write`] when the output fails.
    pub fn write(&mut self, r: &Recommendations) -> Result<()> {
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
                shown_number(m.score),
            ];
            row.extend(Component::ALL.iter().map(|c| shown_number(m.breakdown[*c])));
            let first = m.reasons.first();
            row.push(
                first
                    .map(|x| with_status(&x.text, &x.status))
                    .unwrap_or_default(),
            );
            row.push(first.map(|x| x.source.clone()).unwrap_or_default());
            row.push(
                m.risks
                    .iter()
                    .map(|x| with_status(&x.title, &x.status))
                    .collect::<Vec<_>>()
                    .join("; "),
            );
            row.push(
                m.intermediaries
                    .iter()
                    .map(|x| match &x.website {
                        Some(w) => format!("{} ({w})", x.name),
                        None => x.name.clone(),
                    })
                    .collect::<Vec<_>>()
                    .join("; "),
            );
            write_safe(&mut self.w, &row)?;
        }
        Ok(())
    }

    /// Flushes and returns the output.
    ///
    /// # Errors
    ///
    /// [`Error::Write`] when the output fails.
    pub fn into_inner(self) -> Result<W> {
        self.w.into_inner().map_err(|e| Error::Write {
            path: "<output>".into(),
            message: e.error().to_string(),
        })
    }
}

/// Writes many clusters' results as one matches CSV (the [`match_columns`] header, then a
/// row per cluster and match): [`MatchWriter`] for results already in memory.
///
/// # Errors
///
/// [`Error::Write`] when `out` fails.
pub fn write_matches(out: impl Write, results: &[Recommendations]) -> Result<()> {
    let mut w = MatchWriter::new(out)?;
    for r in results {
        w.write(r)?;
    }
    w.into_inner().map(drop)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lists_escape_their_separator() {
        let items = vec!["a;b".to_string(), "c\\d".to_string(), "e".to_string()];
        assert_eq!(join_list(&items), "a\\;b;c\\\\d;e");
        assert_eq!(split_list(&join_list(&items)), items);
        assert_eq!(split_list(" x ; ;y"), ["x", "y"]);
    }

    #[test]
    fn formulas_are_neutralised_and_restored() {
        for f in ["=1+1", "+1", "-1", "@SUM(A1)", "\tx", "\rx"] {
            let n = neutralise(f);
            assert!(n.starts_with('\''), "{f:?}");
            assert_eq!(restore(&n), f);
        }
        assert_eq!(neutralise("'quoted"), "''quoted");
        assert_eq!(restore("''quoted"), "'quoted");
        assert_eq!(restore("'quoted"), "'quoted");
        assert_eq!(neutralise("plain"), "plain");
    }
}
