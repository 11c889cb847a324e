//! Recommends Chinese partners for an EU cluster profile.
//!
//! ```text
//! cargo run --release --example recommend -- [--profile FILE | --profiles FILE.csv] [--top N]
//!     [--format text|json|html|csv] [--skip-bad-rows]
//!     [--partners FILE] [--kind KIND]... [--macro-region NAME]... [--province NAME]...
//!     [--min-score X] [--max-per-city N] [--max-per-kind N]
//! ```
//!
//! Without `--profile` it runs on the bundled sample EU cluster
//! (`data/samples/southern-german-e-mobility.json`). Exit status: 0 on success, 2 for bad
//! input (profile, data file or option), with the error on stderr.

use eccp_china::evaluate::{sensitivity, SensitivityOptions, SensitivityReport};
use eccp_china::{csvio, limits, Dataset, Error, Kind, Options, Profile, Recommender};
use std::io::Write;
use std::process::ExitCode;

const SAMPLE: (&str, &str) = (
    "data/samples/southern-german-e-mobility.json",
    include_str!("../data/samples/southern-german-e-mobility.json"),
);

const USAGE: &str =
    "usage: recommend [--profile FILE | --profiles FILE.csv [--skip-bad-rows]] [--top N]
                 [--format text|json|html|csv] [--partners FILE]
                 [--kind KIND]... [--macro-region NAME]... [--province NAME]...
                 [--min-score X] [--max-per-city N] [--max-per-kind N] [--sensitivity]";

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

fn run() -> Result<String, Error> {
    let args = parse_args()?;
    if let Some(path) = &args.profiles_csv {
        return run_csv(&args, path);
    }
    let profile = match &args.profile {
        Some(path) => {
            let io = |e: std::io::Error| Error::Io {
                path: path.clone(),
                message: e.to_string(),
            };
            // A profile is small; refuse a huge file before reading it into memory.
            let len = std::fs::metadata(path).map_err(io)?.len();
            if len > limits::JSON_BYTES as u64 {
                return Err(Error::Io {
                    path: path.clone(),
                    message: format!(
                        "{len} bytes; a profile is at most {} bytes",
                        limits::JSON_BYTES
                    ),
                });
            }
            Profile::from_json_bytes_named(path, &std::fs::read(path).map_err(io)?)?
        }
        None => Profile::from_json_named(SAMPLE.0, SAMPLE.1)?,
    };
    let owned;
    let dataset: &Dataset = match &args.partners {
        Some(path) => {
            owned = Dataset::builder().partners_file(path)?.build()?;
            &owned
        }
        None => Dataset::embedded()?,
    };
    let rec = Recommender::new(dataset);
    let resolved = rec.resolve(&profile)?;
    let recs = rec.recommend(&resolved, &args.options)?;
    let report = if args.sensitivity {
        let opts = SensitivityOptions {
            k: args.options.top_k,
            weights: args.options.weights,
            ..SensitivityOptions::default()
        };
        Some(sensitivity(&rec, &resolved, &opts)?)
    } else {
        None
    };
    let format = args.format.unwrap_or(Format::Text);
    if let Format::Html = format {
        return rec.report_html(&resolved, &args.options);
    }
    if let Format::Csv = format {
        return Ok(csvio::matches_to_csv(std::slice::from_ref(&recs)));
    }
    Ok(match (format, report) {
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
    })
}

/// Many profiles from a CSV file, all ranked at once: matches as CSV (default), JSON or text.
/// Skipped rows are reported on stderr, one line each.
fn run_csv(args: &Args, path: &str) -> Result<String, Error> {
    let text = std::fs::read_to_string(path).map_err(|e| Error::Io {
        path: path.to_string(),
        message: e.to_string(),
    })?;
    let rows = csvio::profiles_from_csv(path, &text, args.skip_bad_rows)?;
    for s in &rows.skipped {
        eprintln!("skipped line {}: {}", s.line, s.error);
    }
    let rec = Recommender::new(Dataset::embedded()?);
    let mut all = Vec::with_capacity(rows.profiles.len());
    for (line, p) in &rows.profiles {
        let resolved = rec.resolve(p).map_err(|e| Error::Data {
            file: path.to_string(),
            record: format!("line {line}"),
            field: "profile".into(),
            message: e.to_string(),
        })?;
        all.push(rec.recommend(&resolved, &args.options)?);
    }
    Ok(match args.format.unwrap_or(Format::Csv) {
        Format::Json => serde_json::to_string_pretty(&all).unwrap_or_default(),
        Format::Text => all
            .iter()
            .map(|r| r.to_text())
            .collect::<Vec<_>>()
            .join("\n"),
        Format::Csv | Format::Html => csvio::matches_to_csv(&all),
    })
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
        Ok(out) => {
            // A closed pipe (`| head`) is not an error worth a panic: stop writing quietly.
            let _ = writeln!(std::io::stdout().lock(), "{}", out.trim_end_matches('\n'));
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("error: {e}");
            if !e.suggestions().is_empty() {
                eprintln!("(closest: {})", e.suggestions().join(", "));
            }
            ExitCode::from(2)
        }
    }
}
