//! The command line: options, their checks, and the help that lists them.

use eccp_china::{Dataset, Error, Kind, Options};
use std::ffi::OsString;
use std::path::PathBuf;

/// Output formats.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Format {
    Text,
    Json,
    Html,
    Csv,
}

impl Format {
    fn parse(s: &str) -> Option<Format> {
        match s.trim().to_ascii_lowercase().as_str() {
            "text" | "txt" => Some(Format::Text),
            "json" => Some(Format::Json),
            "html" => Some(Format::Html),
            "csv" => Some(Format::Csv),
            _ => None,
        }
    }
}

/// Where the profiles come from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Input {
    /// The bundled sample EU cluster.
    Sample,
    /// One profile: a JSON file, or `-` for stdin.
    Profile(String),
    /// Many profiles: a CSV file, or `-` for stdin.
    Profiles(String),
}

/// A checked command line.
#[derive(Debug, Clone)]
pub(crate) struct Args {
    pub input: Input,
    /// Partner files added to the embedded data, in order.
    pub partners: Vec<String>,
    /// Policy notes files added to the briefing's, in order.
    pub notes: Vec<String>,
    pub format: Format,
    /// A file for one profile's output or a batch's CSV, JSON or text; a directory for a
    /// batch's HTML pages.
    pub out: Option<PathBuf>,
    pub options: Options,
    pub sensitivity: bool,
    /// Two partner ids to set side by side for the profile.
    pub compare: Option<(String, String)>,
    /// A partner id to explain the absence of.
    pub why_not: Option<String>,
    /// A call template: an embedded id or a JSON file.
    pub call: Option<String>,
    pub skip_bad_rows: bool,
}

/// What the command line asks for.
#[derive(Debug)]
pub(crate) enum Parsed {
    Run(Box<Args>),
    Help,
    Version,
}

fn bad(option: &str, message: impl Into<String>) -> Error {
    Error::Option {
        option: option.to_string(),
        message: message.into(),
    }
}

/// Parses and checks the arguments (without the program name). Every combination of
/// options either makes sense or is an error naming the option.
pub(crate) fn parse(args: impl IntoIterator<Item = OsString>) -> Result<Parsed, Error> {
    use lexopt::prelude::*;
    let mut parser = lexopt::Parser::from_args(args);
    let mut profile: Option<String> = None;
    let mut profiles: Option<String> = None;
    let mut format: Option<Format> = None;
    let mut a = Args {
        input: Input::Sample,
        partners: Vec::new(),
        notes: Vec::new(),
        format: Format::Text,
        out: None,
        options: Options::default(),
        sensitivity: false,
        compare: None,
        why_not: None,
        call: None,
        skip_bad_rows: false,
    };
    let lex = |e: lexopt::Error| bad("command line", e.to_string());
    while let Some(arg) = parser.next().map_err(lex)? {
        // The option's name as the user wrote it, for errors.
        let name = match &arg {
            Long(l) => format!("--{l}"),
            Short(c) => format!("-{c}"),
            Value(v) => v.to_string_lossy().into_owned(),
        };
        let value = |parser: &mut lexopt::Parser| -> Result<String, Error> {
            let v = parser
                .value()
                .map_err(|_| bad(&name, "needs a value (see --help)"))?;
            v.into_string().map_err(|v| {
                bad(
                    &name,
                    format!("`{}` is not UTF-8 text", v.to_string_lossy()),
                )
            })
        };
        match arg {
            Short('h') | Long("help") => return Ok(Parsed::Help),
            Short('V') | Long("version") => return Ok(Parsed::Version),
            Long("profile") => set_once(&mut profile, value(&mut parser)?, &name)?,
            Long("profiles") => set_once(&mut profiles, value(&mut parser)?, &name)?,
            Long("partners") => a.partners.push(value(&mut parser)?),
            Long("notes") => a.notes.push(value(&mut parser)?),
            Short('n') | Long("top") => a.options.top_k = whole(&name, &value(&mut parser)?)?,
            Short('f') | Long("format") => {
                let v = value(&mut parser)?;
                let f = Format::parse(&v)
                    .ok_or_else(|| bad(&name, format!("is text, json, html or csv, not `{v}`")))?;
                if format.replace(f).is_some() {
                    return Err(bad(&name, "is given twice; give it once"));
                }
            }
            Short('o') | Long("out") => {
                if a.out.replace(PathBuf::from(value(&mut parser)?)).is_some() {
                    return Err(bad(&name, "is given twice; give it once"));
                }
            }
            Long("kind") => {
                let v = value(&mut parser)?;
                let k = Kind::parse(&v).ok_or_else(|| {
                    bad(
                        &name,
                        format!("`{v}` is not one of {}", kind_names().join(", ")),
                    )
                })?;
                a.options.filter.kinds.push(k);
            }
            Long("macro-region") => a.options.filter.macro_regions.push(value(&mut parser)?),
            Long("province") => a.options.filter.provinces.push(value(&mut parser)?),
            Long("min-score") => {
                let v = value(&mut parser)?;
                a.options.filter.min_score = v
                    .trim()
                    .parse::<f64>()
                    .ok()
                    .filter(|x| (0.0..=1.0).contains(x))
                    .ok_or_else(|| {
                        bad(&name, format!("expects a number from 0 to 1, not `{v}`"))
                    })?;
            }
            Long("max-per-city") => {
                a.options.diversity.max_per_city = Some(whole(&name, &value(&mut parser)?)?)
            }
            Long("max-per-kind") => {
                a.options.diversity.max_per_kind = Some(whole(&name, &value(&mut parser)?)?)
            }
            Long("include-intermediaries") => a.options.include_intermediaries = true,
            Long("as-of") => {
                let v = value(&mut parser)?;
                a.options.as_of =
                    Some(eccp_china::score::YearMonth::parse(&v).ok_or_else(|| {
                        bad(
                            &name,
                            format!("expects a month as YYYY-MM (or a year), not `{v}`"),
                        )
                    })?);
            }
            Long("sensitivity") => a.sensitivity = true,
            Long("why-not") => set_once(&mut a.why_not, value(&mut parser)?, &name)?,
            Long("call") => set_once(&mut a.call, value(&mut parser)?, &name)?,
            Long("compare") => {
                let first = value(&mut parser)?;
                let second = parser
                    .value()
                    .map_err(|_| bad(&name, "takes two partner ids: --compare A B"))?
                    .to_string_lossy()
                    .into_owned();
                if a.compare.replace((first, second)).is_some() {
                    return Err(bad(&name, "is given twice; give it once"));
                }
            }
            Long("skip-bad-rows") => a.skip_bad_rows = true,
            Value(v) => {
                return Err(bad(
                    &v.to_string_lossy(),
                    "is not an option; give a profile with --profile FILE (see --help)",
                ))
            }
            Long(_) | Short(_) => return Err(bad(&name, "is not an option (see --help)")),
        }
    }
    a.input = match (profile, profiles) {
        (Some(_), Some(_)) => {
            return Err(bad(
                "--profile",
                "and --profiles do not go together: one profile, or a CSV of many",
            ))
        }
        (Some(p), None) => Input::Profile(p),
        (None, Some(p)) => Input::Profiles(p),
        (None, None) => Input::Sample,
    };
    let batch = matches!(a.input, Input::Profiles(_));
    a.format = format.unwrap_or(if batch { Format::Csv } else { Format::Text });
    if a.options.top_k == 0 {
        return Err(bad("--top", "must be at least 1"));
    }
    if a.skip_bad_rows && !batch {
        return Err(bad(
            "--skip-bad-rows",
            "applies to the rows of --profiles FILE.csv only",
        ));
    }
    // The questions about one profile: each names what it is for (refused with a batch)
    // and the formats it is written in.
    use Format::{Html, Json, Text};
    let questions: [(&str, bool, &str, &[Format], &str); 4] = [
        (
            "--sensitivity",
            a.sensitivity,
            "reports on one profile",
            &[Text, Json],
            "is shown in the text and JSON outputs; use --format text or json",
        ),
        (
            "--why-not",
            a.why_not.is_some(),
            "explains one profile's list",
            &[Text, Json],
            "is written as text or JSON; use --format text or json",
        ),
        (
            "--compare",
            a.compare.is_some(),
            "sets two partners side by side for one profile",
            &[Text, Json],
            "is written as text or JSON; use --format text or json",
        ),
        (
            "--call",
            a.call.is_some(),
            "puts one consortium together for one profile",
            &[Text, Json, Html],
            "is written as text, JSON or in the HTML report; use --format text, json or html",
        ),
    ];
    for (flag, given, what, formats, written) in questions {
        if given && batch {
            return Err(bad(
                flag,
                format!("{what}; use it with --profile, not --profiles"),
            ));
        }
        if given && !formats.contains(&a.format) {
            return Err(bad(flag, written));
        }
    }
    if a.why_not.is_some() && (a.sensitivity || a.compare.is_some()) {
        return Err(bad(
            "--why-not",
            "answers one question; ask it without --sensitivity or --compare",
        ));
    }
    if a.compare.is_some() && a.sensitivity {
        return Err(bad(
            "--compare",
            "and --sensitivity answer different questions; ask one at a time",
        ));
    }
    if a.call.is_some() && (a.sensitivity || a.compare.is_some() || a.why_not.is_some()) {
        return Err(bad(
            "--call",
            "answers one question; ask it without --sensitivity, --compare or --why-not",
        ));
    }
    if batch && a.format == Format::Html && a.out.is_none() {
        return Err(bad(
            "--format html",
            "with --profiles writes one page per cluster and an index page: name a directory with --out DIR",
        ));
    }
    Ok(Parsed::Run(Box::new(a)))
}

fn set_once(slot: &mut Option<String>, v: String, name: &str) -> Result<(), Error> {
    if slot.replace(v).is_some() {
        return Err(bad(name, "is given twice; give it once"));
    }
    Ok(())
}

fn whole(name: &str, v: &str) -> Result<usize, Error> {
    v.trim()
        .parse()
        .map_err(|_| bad(name, format!("expects a whole number, not `{v}`")))
}

/// The kinds as the outputs write them.
fn kind_names() -> Vec<String> {
    Kind::ALL
        .iter()
        .map(|k| k.as_str().replace('_', " "))
        .collect()
}

/// A list for the help's right-hand column: indented, lines of at most 96 columns.
fn wrapped(list: &str) -> String {
    const INDENT: &str = "                            ";
    let mut lines: Vec<String> = Vec::new();
    let mut line = String::from(INDENT);
    for word in list.split(' ') {
        if line.len() > INDENT.len() && line.len() + 1 + word.len() > 96 {
            lines.push(std::mem::replace(&mut line, String::from(INDENT)));
        }
        if line.len() > INDENT.len() {
            line.push(' ');
        }
        line.push_str(word);
    }
    lines.push(line);
    lines.join("\n")
}

/// The help: every option with its default, the kinds and the macro-regions.
pub(crate) fn help(d: &Dataset) -> String {
    let o = Options::default();
    let macros: Vec<&str> = d
        .regions()
        .macro_regions()
        .iter()
        .map(|m| m.name())
        .collect();
    let provinces = d.regions().provinces().len();
    format!(
        "eccp-china {version}: Chinese partners for a European cluster, from the ECCP Preparatory
Briefing on China (D3.2, 2018).

USAGE
    eccp-china [--profile FILE | --profiles FILE.csv] [OPTIONS]

    Without --profile it runs on the bundled sample EU cluster (a Southern German e-mobility
    cluster). A FILE of - reads stdin. Exit status: 0 on success, 2 for bad input or options.

INPUT
    --profile FILE          one EU cluster profile, JSON (see the README for its fields)
    --profiles FILE.csv     many profiles, one CSV row each (columns: name, country, sectors,
                            keywords, tech_level, control_tolerance, goals, preferred_regions,
                            members; lists separated by ;). Streamed: any number of rows
    --skip-bad-rows         with --profiles: report a bad row on stderr and go on
                            (default: stop at the first bad row, exit 2)
    --partners FILE         add your own partners (JSON, the format of data/README.md) to the
                            briefing's; may be given more than once
    --notes FILE            add your own policy notes (JSON, the format of
                            data/policy_notes.json): newer cautions, openings and demand that
                            apply to matches as the briefing's do; may be given more than once

OUTPUT
    -f, --format FORMAT     text, json, html or csv (default: text for one profile, csv for
                            --profiles). html with --profiles writes one page per cluster and
                            an index.html into the directory given with --out
    -o, --out PATH          write to this file instead of stdout (a directory for html with
                            --profiles)
    -n, --top N             how many matches per profile (default: {top})
    --sensitivity           with one profile, text or json: how stable the list is when the
                            weights move
    --why-not ID            with one profile, text or json: why this partner is not in your
                            top N, and the smallest changes that would put it there
    --compare A B           with one profile, text or json: why partner A scores above or
                            below partner B, component by component (ids as the output
                            writes them)
    --call TEMPLATE         with one profile, text, json or html: the best consortium for a
                            call, each member with its role, what it adds and its runner-up.
                            TEMPLATE is a JSON file in the format of data/calls/ or one of:
{calls}

FILTERS AND CAPS
    --kind KIND             keep only this kind (repeatable), one of:
{kinds}
    --macro-region NAME     keep only partners in this macro-region (repeatable), one of:
{macros}
                            (also their other names, e.g. Go West, PRD)
    --province NAME         keep only partners in this province (repeatable): any of the
                            {provinces} provinces by English, pinyin or Chinese name
    --min-score X           keep only scores of at least X, from 0 to 1 (default: {min})
    --max-per-city N        at most N matches from one city (default: no cap; 0 keeps only
                            partners without a city, such as national bodies)
    --max-per-kind N        at most N matches of one kind (default: no cap)
    --include-intermediaries
                            rank support services and government bodies among the partners
                            (default: they are listed under each match as who can help)

    --as-of YYYY-MM         the month the advice is for: programmes whose window, as the
                            briefing states it, has closed by then are not offered
                            (default: this month)

    -h, --help              this help
    -V, --version           the version and the data version
",
        version = env!("CARGO_PKG_VERSION"),
        top = o.top_k,
        min = o.filter.min_score,
        kinds = wrapped(&kind_names().join(", ")),
        macros = wrapped(&macros.join("; ")),
        calls = wrapped(
            &eccp_china::consortium::CallTemplate::builtin()
                .map(|c| c.iter().map(|t| t.id()).collect::<Vec<_>>().join(", "))
                .unwrap_or_default()
        ),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn run(args: &[&str]) -> Result<Args, Error> {
        match parse(args.iter().map(OsString::from))? {
            Parsed::Run(a) => Ok(*a),
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn names_are_read_as_the_outputs_write_them() {
        let a = run(&["--kind", "science park", "--kind", "Industrial clusters"]).unwrap();
        assert_eq!(
            a.options.filter.kinds,
            [Kind::SciencePark, Kind::IndustrialCluster]
        );
        let a = run(&["--top=3", "-f", "json", "--out", "x.json"]).unwrap();
        assert_eq!((a.options.top_k, a.format), (3, Format::Json));
    }

    #[test]
    fn errors_name_the_option() {
        for (args, option) in [
            (&["--top", "many"][..], "--top"),
            (&["--top", "0"], "--top"),
            (&["--kind", "cluster"], "--kind"),
            (&["--format", "pdf"], "--format"),
            (&["--min-score", "2"], "--min-score"),
            (&["--profile", "a.json", "--profiles", "b.csv"], "--profile"),
            (&["--skip-bad-rows"], "--skip-bad-rows"),
            (&["--profiles", "b.csv", "--sensitivity"], "--sensitivity"),
            (&["--sensitivity", "--format", "csv"], "--sensitivity"),
            (
                &["--profiles", "b.csv", "--format", "html"],
                "--format html",
            ),
            (&["--colour"], "--colour"),
            (&["profile.json"], "profile.json"),
            (&["--top"], "--top"),
        ] {
            match run(args) {
                Err(Error::Option { option: o, .. }) => assert_eq!(o, option, "{args:?}"),
                other => panic!("{args:?}: {other:?}"),
            }
        }
    }
}
