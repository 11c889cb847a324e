//! `eccp-china`: recommends Chinese partners for European cluster profiles from the command
//! line, with the library's model and data.
//!
//! ```text
//! cargo install --path .            # then: eccp-china --help
//! cargo run --release -- --profile my-cluster.json --format html --out report.html
//! ```
//!
//! Without `--profile` it runs on the bundled sample EU cluster. `--help` lists every option
//! with its default. Exit status: 0 on success, 2 for bad input (a profile, a data file, a
//! row, an option or a combination of options), with the error on stderr.

mod args;
mod batch;
mod io;

use args::{Args, Format, Input, Parsed};
use eccp_china::consortium::CallTemplate;
use eccp_china::evaluate::{sensitivity, SensitivityOptions, SensitivityReport};
use eccp_china::resolve::ResolvedProfile;
use eccp_china::{csvio, Dataset, Error, Profile, Recommender};
use io::{open, Output};
use std::io::Write;
use std::process::ExitCode;

/// The bundled sample EU cluster.
const SAMPLE: (&str, &str) = (
    "data/samples/southern-german-e-mobility.json",
    include_str!("../../../data/samples/southern-german-e-mobility.json"),
);

fn main() -> ExitCode {
    let parsed = args::parse(std::env::args_os().skip(1));
    let result = parsed
        .and_then(|p| match p {
            Parsed::Run(a) => run(&a),
            Parsed::Help => {
                let d = Dataset::embedded()?;
                print!("{}", args::help(d));
                Ok(())
            }
            Parsed::Version => {
                println!(
                    "eccp-china {} (data {})",
                    env!("CARGO_PKG_VERSION"),
                    eccp_china::DATA_VERSION
                );
                Ok(())
            }
        })
        .map_err(as_command_option);
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {e}");
            if !e.suggestions().is_empty() {
                eprintln!("(closest: {})", e.suggestions().join(", "));
            }
            if matches!(e, Error::Option { .. }) {
                eprintln!("(eccp-china --help lists the options)");
            }
            ExitCode::from(2)
        }
    }
}

/// The library names options by their place in [`eccp_china::Options`]
/// (`filter.provinces[0]`); a command-line user wrote `--province`.
fn as_command_option(e: Error) -> Error {
    match e {
        Error::Option { option, message } => {
            let field = option.split('[').next().unwrap_or(&option);
            let flag = match field {
                "filter.provinces" => "--province",
                "filter.macro_regions" => "--macro-region",
                "filter.kinds" => "--kind",
                "filter.min_score" => "--min-score",
                "filter.max_per_city" => "--max-per-city",
                "filter.max_per_kind" => "--max-per-kind",
                "k" => "--top",
                "a" | "b" => "--compare",
                "why_not" => "--why-not",
                "call" => "--call",
                _ => return Error::Option { option, message },
            };
            Error::Option {
                option: flag.into(),
                message,
            }
        }
        other => other,
    }
}

fn run(args: &Args) -> Result<(), Error> {
    let rec = if args.partners.is_empty() && args.notes.is_empty() {
        Recommender::new(Dataset::embedded()?)
    } else {
        let mut b = Dataset::builder();
        for path in &args.partners {
            b = b.partners_reader(io::input_name(path), open(path)?)?;
        }
        for path in &args.notes {
            b = b.notes_reader(io::input_name(path), open(path)?)?;
        }
        Recommender::new(b.build()?)
    };
    let profile = match &args.input {
        Input::Profiles(path) => return batch::run(args, &rec, path),
        // Read through the profile cap, whatever size the file claims (a pipe claims none).
        Input::Profile(path) => Profile::from_reader(io::input_name(path), open(path)?)?,
        Input::Sample => Profile::from_json_named(SAMPLE.0, SAMPLE.1)?,
    };
    let resolved = rec.resolve(&profile)?;
    let report = match (&args.compare, args.format) {
        (None, format) if args.call.is_some() => {
            let call = call_template(args.call.as_deref().unwrap_or_default(), rec.dataset())?;
            let c = rec.consortium(&resolved, &call, &args.options)?;
            match format {
                Format::Json => c.to_json(),
                Format::Html => {
                    rec.report_html_with_consortium(&rec.recommend(&resolved, &args.options)?, &c)?
                }
                _ => c.to_text(),
            }
        }
        (None, format) if args.why_not.is_some() => {
            let id = args.why_not.as_deref().unwrap_or_default();
            let w = rec.why_not(&resolved, &args.options, id)?;
            if format == Format::Json {
                w.to_json()
            } else {
                w.to_text()
            }
        }
        (Some((a, b)), format) => {
            let c = rec.compare(&resolved, &args.options, a, b)?;
            if format == Format::Json {
                c.to_json()
            } else {
                c.to_text()
            }
        }
        (None, _) => report(args, &rec, &resolved)?,
    };
    let mut out = Output::open(args.out.as_deref())?;
    let written = writeln!(out, "{}", report.trim_end_matches('\n'));
    match written {
        // A closed pipe (`| head`) is not an error worth reporting.
        Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => Ok(()),
        Err(e) => Err(io::output_error(&out, e)),
        Ok(()) => out.finish(),
    }
}

/// `--call`: a shipped template's id, or a JSON file in the format of `data/calls/`.
fn call_template(value: &str, d: &Dataset) -> Result<CallTemplate, Error> {
    match CallTemplate::find(value) {
        Ok(c) => Ok(c.clone()),
        Err(not_shipped) => {
            if value == "-" || std::path::Path::new(value).exists() {
                CallTemplate::from_reader(io::input_name(value), open(value)?, d)
            } else {
                Err(not_shipped)
            }
        }
    }
}

/// One profile's recommendations in the format asked for.
fn report(args: &Args, rec: &Recommender, resolved: &ResolvedProfile) -> Result<String, Error> {
    Ok(match args.format {
        Format::Html => rec.report_html(&rec.recommend(resolved, &args.options)?)?,
        Format::Csv => {
            let mut buf = Vec::new();
            csvio::write_matches(&mut buf, &[rec.recommend(resolved, &args.options)?])?;
            String::from_utf8_lossy(&buf).into_owned()
        }
        Format::Text | Format::Json => {
            let recs = rec.recommend(resolved, &args.options)?;
            let stability = if args.sensitivity {
                let opts = SensitivityOptions {
                    options: args.options.clone(),
                    ..SensitivityOptions::default()
                };
                Some(sensitivity(rec, resolved, &opts)?)
            } else {
                None
            };
            match (args.format, stability) {
                (Format::Json, Some(r)) => {
                    let mut v = serde_json::to_value(&recs).unwrap_or_default();
                    if let (Some(obj), Ok(s)) = (v.as_object_mut(), serde_json::to_value(&r)) {
                        obj.insert("sensitivity".into(), s);
                    }
                    serde_json::to_string_pretty(&v).unwrap_or_default()
                }
                (Format::Json, None) => recs.to_json(),
                (_, Some(r)) => format!("{}\n{}", recs.to_text(), sensitivity_text(&r)),
                (_, None) => recs.to_text(),
            }
        }
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
