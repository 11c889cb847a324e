//! Recommends Chinese partners for an EU cluster profile.
//!
//! ```text
//! cargo run --release --example recommend -- [--profile FILE | --profiles FILE.csv] [--top N]
//!     [--format text|json|html|csv] [--skip-bad-rows] [--sensitivity]
//!     [--partners FILE] [--kind KIND]... [--macro-region NAME]... [--province NAME]...
//!     [--min-score X] [--max-per-city N] [--max-per-kind N]
//! ```
//!
//! Without `--profile` it runs on the bundled sample EU cluster
//! (`data/samples/southern-german-e-mobility.json`). A file argument of `-` reads stdin; every
//! input is read through the caps of [`eccp_china::limits`], whatever size it claims.
//!
//! `--profiles` streams a CSV of profiles (one per line, see [`eccp_china::csvio`]): each row
//! is read, ranked and written before the next, so memory does not grow with the file. With
//! `--skip-bad-rows` every bad row (one that does not parse or does not resolve) is reported
//! on stderr with its line and the run goes on; a last line on stderr always says how many
//! rows were read, written and skipped, and read = written + skipped. A counter shows progress
//! when stderr is a terminal.
//!
//! Exit status: 0 on success, 2 for bad input (profile, data file, row or option), with the
//! error on stderr.

use eccp_china::evaluate::{sensitivity, SensitivityOptions, SensitivityReport};
use eccp_china::{csvio, Dataset, Error, Kind, Options, Profile, Recommendations, Recommender};
use std::io::{BufReader, BufWriter, IsTerminal, Read, Write};
use std::process::ExitCode;

const SAMPLE: (&str, &str) = (
    "data/samples/southern-german-e-mobility.json",
    include_str!("../data/samples/southern-german-e-mobility.json"),
);

const USAGE: &str =
    "usage: recommend [--profile FILE | --profiles FILE.csv [--skip-bad-rows]] [--top N]
                 [--format text|json|html|csv] [--partners FILE]
                 [--kind KIND]... [--macro-region NAME]... [--province NAME]...
                 [--min-score X] [--max-per-city N] [--max-per-kind N] [--sensitivity]
(a FILE of - reads stdin)";

#[derive(Clone, Copy)]
enum Format {
    Text,
    Json,
    Html,
    Csv,
}

struct Args {
    profile: Option<String>,
    partners: Option<String>,
    /// `None`: text for one profile, CSV for a CSV of profiles.
    format: Option<Format>,
    options: Options,
    sensitivity: bool,
    profiles_csv: Option<String>,
    skip_bad_rows: bool,
}

fn usage_error(msg: impl Into<String>) -> Error {
    Error::Option {
        option: "command line".into(),
        message: msg.into(),
    }
}

fn parse_args() -> Result<Args, Error> {
    let mut args = Args {
        profile: None,
        partners: None,
        format: None,
        options: Options::default(),
        sensitivity: false,
        profiles_csv: None,
        skip_bad_rows: false,
    };
    let mut it = std::env::args().skip(1);
    while let Some(flag) = it.next() {
        if flag == "--help" || flag == "-h" {
            println!("{USAGE}");
            std::process::exit(0);
        }
        if flag == "--sensitivity" {
            args.sensitivity = true;
            continue;
        }
        if flag == "--skip-bad-rows" {
            args.skip_bad_rows = true;
            continue;
        }
        let mut value = || {
            it.next()
                .ok_or_else(|| usage_error(format!("{flag} needs a value\n{USAGE}")))
        };
        let number = |v: String, what: &str| -> Result<usize, Error> {
            v.parse()
                .map_err(|_| usage_error(format!("{what} expects a whole number, got `{v}`")))
        };
        match flag.as_str() {
            "--profile" => args.profile = Some(value()?),
            "--partners" => args.partners = Some(value()?),
            "--profiles" => args.profiles_csv = Some(value()?),
            "--top" => args.options.top_k = number(value()?, "--top")?,
            "--format" => {
                args.format = Some(match value()?.as_str() {
                    "text" => Format::Text,
                    "json" => Format::Json,
                    "html" => Format::Html,
                    "csv" => Format::Csv,
                    other => {
                        return Err(usage_error(format!(
                            "--format is text, json, html or csv, not `{other}`"
                        )))
                    }
                })
            }
            "--kind" => {
                let v = value()?;
                let k = Kind::parse(&v).ok_or_else(|| {
                    let all: Vec<&str> = Kind::ALL.iter().map(|k| k.as_str()).collect();
                    usage_error(format!("--kind `{v}` is not one of {}", all.join(", ")))
                })?;
                args.options.filter.kinds.push(k);
            }
            "--macro-region" => args.options.filter.macro_regions.push(value()?),
            "--province" => args.options.filter.provinces.push(value()?),
            "--min-score" => {
                let v = value()?;
                args.options.filter.min_score = v
                    .parse()
                    .map_err(|_| usage_error(format!("--min-score expects a number, got `{v}`")))?;
            }
            "--max-per-city" => {
                args.options.diversity.max_per_city = Some(number(value()?, "--max-per-city")?)
            }
            "--max-per-kind" => {
                args.options.diversity.max_per_kind = Some(number(value()?, "--max-per-kind")?)
            }
            other => return Err(usage_error(format!("unknown argument `{other}`\n{USAGE}"))),
        }
    }
    Ok(args)
}

/// What a run leaves for stdout: one report, or nothing more when a batch streamed its own.
enum Output {
    Report(String),
    Streamed,
}

/// How errors name an input: its path, or `<stdin>` for `-`.
fn input_name(path: &str) -> &str {
    if path == "-" {
        "<stdin>"
    } else {
        path
    }
}

/// Opens `path` for reading, `-` being stdin.
fn open(path: &str) -> Result<Box<dyn Read>, Error> {
    if path == "-" {
        return Ok(Box::new(std::io::stdin()));
    }
    let file = std::fs::File::open(path).map_err(|e| Error::Io {
        path: path.to_string(),
        message: e.to_string(),
    })?;
    Ok(Box::new(file))
}

fn run() -> Result<Output, Error> {
    let args = parse_args()?;
    let owned;
    let dataset: &Dataset = match &args.partners {
        Some(path) => {
            owned = Dataset::builder()
                .partners_reader(input_name(path), open(path)?)?
                .build()?;
            &owned
        }
        None => Dataset::embedded()?,
    };
    let rec = Recommender::new(dataset);
    if let Some(path) = &args.profiles_csv {
        run_csv(&args, &rec, path)?;
        return Ok(Output::Streamed);
    }
    let profile = match &args.profile {
        // Read through the profile cap, whatever size the file claims (a pipe claims none).
        Some(path) => Profile::from_reader(input_name(path), open(path)?)?,
        None => Profile::from_json_named(SAMPLE.0, SAMPLE.1)?,
    };
    let resolved = rec.resolve(&profile)?;
    let recs = rec.recommend(&resolved, &args.options)?;
    let report = if args.sensitivity {
        let opts = SensitivityOptions {
            options: args.options.clone(),
            ..SensitivityOptions::default()
        };
        Some(sensitivity(&rec, &resolved, &opts)?)
    } else {
        None
    };
    let format = args.format.unwrap_or(Format::Text);
    if let Format::Html = format {
        return rec
            .report_html(&resolved, &args.options)
            .map(Output::Report);
    }
    if let Format::Csv = format {
        return Ok(Output::Report(csvio::matches_to_csv(std::slice::from_ref(
            &recs,
        ))));
    }
    Ok(Output::Report(match (format, report) {
        (Format::Text, None) => recs.to_text(),
        (Format::Text, Some(r)) => format!("{}\n{}", recs.to_text(), sensitivity_text(&r)),
        (Format::Json, None) => recs.to_json(),
        (Format::Html | Format::Csv, _) => String::new(),
        (Format::Json, Some(r)) => {
            let mut v = serde_json::to_value(&recs).unwrap_or_default();
            if let (Some(obj), Ok(s)) = (v.as_object_mut(), serde_json::to_value(&r)) {
                obj.insert("sensitivity".into(), s);
            }
            serde_json::to_string_pretty(&v).unwrap_or_default()
        }
    }))
}

/// Where a batch writes its matches, one cluster at a time.
enum BatchOut<W: Write> {
    Csv(Box<csvio::MatchWriter<W>>),
    Json { out: W, first: bool },
    Text { out: W, first: bool },
}

impl<W: Write> BatchOut<W> {
    fn new(format: Format, mut out: W) -> Result<BatchOut<W>, Error> {
        Ok(match format {
            Format::Csv => BatchOut::Csv(Box::new(csvio::MatchWriter::new(out)?)),
            Format::Json => {
                out.write_all(b"[").map_err(output_error)?;
                BatchOut::Json { out, first: true }
            }
            Format::Text => BatchOut::Text { out, first: true },
            Format::Html => {
                return Err(usage_error(
                    "--format html reports one profile; use csv, json or text with --profiles",
                ))
            }
        })
    }

    fn write(&mut self, r: &Recommendations) -> Result<(), Error> {
        match self {
            BatchOut::Csv(w) => w.write(r),
            BatchOut::Json { out, first } => {
                let sep: &[u8] = if *first { b"\n" } else { b",\n" };
                *first = false;
                out.write_all(sep).map_err(output_error)?;
                serde_json::to_writer_pretty(&mut *out, r).map_err(|e| Error::Io {
                    path: "<stdout>".into(),
                    message: e.to_string(),
                })
            }
            BatchOut::Text { out, first } => {
                if !*first {
                    out.write_all(b"\n").map_err(output_error)?;
                }
                *first = false;
                out.write_all(r.to_text().as_bytes()).map_err(output_error)
            }
        }
    }

    fn finish(self) -> Result<(), Error> {
        let mut out = match self {
            BatchOut::Csv(w) => w.into_inner()?,
            BatchOut::Json { mut out, .. } => {
                out.write_all(b"\n]\n").map_err(output_error)?;
                out
            }
            BatchOut::Text { out, .. } => out,
        };
        out.flush().map_err(output_error)
    }
}

/// Stdout that a reader may close early (`| head`): a broken pipe is remembered, so that the
/// batch it ends stops quietly instead of reporting an error nobody asked for.
struct Stdout {
    inner: BufWriter<std::io::StdoutLock<'static>>,
    closed: std::rc::Rc<std::cell::Cell<bool>>,
}

impl Stdout {
    fn note<T>(&self, r: std::io::Result<T>) -> std::io::Result<T> {
        if let Err(e) = &r {
            if e.kind() == std::io::ErrorKind::BrokenPipe {
                self.closed.set(true);
            }
        }
        r
    }
}

impl Write for Stdout {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        let r = self.inner.write(buf);
        self.note(r)
    }

    fn flush(&mut self) -> std::io::Result<()> {
        let r = self.inner.flush();
        self.note(r)
    }
}

fn output_error(e: std::io::Error) -> Error {
    Error::Io {
        path: "<stdout>".into(),
        message: e.to_string(),
    }
}

/// Many profiles from a CSV file (or `-` for stdin), streamed: each row is read, ranked and
/// its matches written before the next row is read, so memory does not grow with the file.
/// Matches go to stdout as CSV (default), JSON or text. With `--skip-bad-rows`, a row that
/// does not parse, does not resolve or cannot be ranked is reported on stderr with its line,
/// and the run goes on; without, it stops the run. A summary line on stderr ends every run:
/// rows read = written + skipped.
fn run_csv(args: &Args, rec: &Recommender<'_>, path: &str) -> Result<(), Error> {
    if args.sensitivity {
        return Err(usage_error(
            "--sensitivity reports on one profile; use it with --profile",
        ));
    }
    let input = BufReader::with_capacity(64 * 1024, open(path)?);
    let path = input_name(path);
    let rows = csvio::ProfileReader::new(path, input)?;
    let closed = std::rc::Rc::new(std::cell::Cell::new(false));
    let stdout = Stdout {
        inner: BufWriter::new(std::io::stdout().lock()),
        closed: closed.clone(),
    };
    let mut out = BatchOut::new(args.format.unwrap_or(Format::Csv), stdout)?;
    let progress = std::io::stderr().is_terminal();
    let clear = || {
        if progress {
            eprint!("\r\x1b[K");
        }
    };
    let done = std::cell::Cell::new(0u64);
    let tick = || {
        done.set(done.get() + 1);
        if progress && done.get() % 256 == 0 {
            eprint!("\r{} rows done", done.get());
        }
    };
    let result = csvio::recommend_rows(
        rec,
        rows,
        &args.options,
        args.skip_bad_rows,
        |r| {
            tick();
            out.write(r)
        },
        |bad| {
            tick();
            clear();
            eprintln!("skipped line {}: {}", bad.line, row_message(&bad.error));
        },
    )
    .and_then(|summary| {
        out.finish().map_err(|error| csvio::BatchStopped {
            summary,
            line: None,
            error: Box::new(error),
        })?;
        Ok(summary)
    });
    clear();
    match result {
        Ok(summary) => {
            eprintln!("{path}: {summary}");
            Ok(())
        }
        // Whoever read the output stopped reading (`| head`): stop quietly.
        Err(_) if closed.get() => Ok(()),
        Err(stopped) => {
            eprintln!("{path}: {stopped}");
            Err(match stopped.line {
                Some(line) => {
                    eprintln!("(--skip-bad-rows reports such rows and goes on)");
                    Error::Data {
                        file: path.to_string(),
                        record: format!("line {line}"),
                        field: "(row)".into(),
                        message: row_message(&stopped.error),
                    }
                }
                None => *stopped.error,
            })
        }
    }
}

/// What is wrong with a row, without repeating the file and line the caller names.
fn row_message(e: &Error) -> String {
    match e {
        Error::Data { field, message, .. } if field == "(row)" => message.clone(),
        Error::Data { field, message, .. } => format!("`{field}`: {message}"),
        other => other.to_string(),
    }
}

fn sensitivity_text(r: &SensitivityReport) -> String {
    let k = r.baseline.len();
    let mut o = format!(
        "Stability of the top {k} under {} perturbed weightings (each component +/-20%, then random draws x0.5-1.5):\n",
        r.perturbations.len()
    );
    o += &format!(
        "  overlap@{k}: mean {:.2}, lowest {:.2}; Kendall's tau of the shared order: mean {:.2}\n",
        r.mean_overlap, r.min_overlap, r.mean_kendall_tau
    );
    o += &format!(
        "  in the top {k} under every weighting: {}\n",
        r.stable.join(", ")
    );
    let mut entrants: Vec<(&String, &usize)> = r.entrants.iter().collect();
    entrants.sort_by(|a, b| b.1.cmp(a.1).then(a.0.cmp(b.0)));
    if !entrants.is_empty() {
        let e: Vec<String> = entrants
            .iter()
            .take(8)
            .map(|(id, n)| format!("{id} ({n}x)"))
            .collect();
        o += &format!("  entering most often: {}\n", e.join(", "));
    }
    // The one-component changes that move the list say which weight it hangs on.
    for p in r
        .perturbations
        .iter()
        .filter(|p| !p.label.starts_with("random") && p.overlap < 1.0)
    {
        o += &format!(
            "  {}: overlap {:.2}, in: {}, out: {}\n",
            p.label,
            p.overlap,
            p.entered.join(", "),
            p.left.join(", ")
        );
    }
    o
}

fn main() -> ExitCode {
    match run() {
        Ok(Output::Report(out)) => {
            // A closed pipe (`| head`) is not an error worth a panic: stop writing quietly.
            let _ = writeln!(std::io::stdout().lock(), "{}", out.trim_end_matches('\n'));
            ExitCode::SUCCESS
        }
        Ok(Output::Streamed) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {e}");
            if !e.suggestions().is_empty() {
                eprintln!("(closest: {})", e.suggestions().join(", "));
            }
            ExitCode::from(2)
        }
    }
}
