//! Evaluates the recommender on a labelled set and prints the metrics and the ablation.
//!
//! ```text
//! cargo run --release --example evaluate -- [--judgments FILE] [--k 10] [--threshold 2]
//!     [--min-ndcg X] [--format text|json]
//! ```
//!
//! Without `--judgments` it uses the bundled set, `data/eval/judgments.json`. Exit status:
//! 0 when mean nDCG@k is at least `--min-ndcg` (0 by default), 1 when it is below, 2 for bad
//! input.

use eccp_china::evaluate::{ablation, evaluate, EvalOptions, EvalReport, Judgments, MeanMetrics};
use eccp_china::{Dataset, Error, Recommender};
use std::io::Write;
use std::process::ExitCode;

const USAGE: &str =
    "usage: evaluate [--judgments FILE] [--k N] [--threshold 1-3] [--min-ndcg X] [--format text|json]";

fn usage_error(msg: impl Into<String>) -> Error {
    Error::Option {
        option: "command line".into(),
        message: msg.into(),
    }
}

struct Args {
    judgments: Option<String>,
    options: EvalOptions,
    min_ndcg: f64,
    json: bool,
}

fn parse_args() -> Result<Args, Error> {
    let mut a = Args {
        judgments: None,
        options: EvalOptions::default(),
        min_ndcg: 0.0,
        json: false,
    };
    let mut it = std::env::args().skip(1);
    while let Some(flag) = it.next() {
        if flag == "--help" || flag == "-h" {
            println!("{USAGE}");
            std::process::exit(0);
        }
        let v = it
            .next()
            .ok_or_else(|| usage_error(format!("{flag} needs a value\n{USAGE}")))?;
        let num = |what: &str| -> Result<f64, Error> {
            v.parse::<f64>()
                .ok()
                .filter(|x| x.is_finite())
                .ok_or_else(|| usage_error(format!("{what} expects a number, got `{v}`")))
        };
        match flag.as_str() {
            "--judgments" => a.judgments = Some(v.clone()),
            "--k" => {
                a.options.k = v
                    .parse()
                    .map_err(|_| usage_error(format!("--k expects a whole number, got `{v}`")))?
            }
            "--threshold" => {
                a.options.threshold = v
                    .parse()
                    .map_err(|_| usage_error(format!("--threshold expects 1, 2 or 3, got `{v}`")))?
            }
            "--min-ndcg" => a.min_ndcg = num("--min-ndcg")?,
            "--format" => {
                a.json = match v.as_str() {
                    "json" => true,
                    "text" => false,
                    other => {
                        return Err(usage_error(format!(
                            "--format is text or json, not `{other}`"
                        )))
                    }
                }
            }
            other => return Err(usage_error(format!("unknown argument `{other}`\n{USAGE}"))),
        }
    }
    Ok(a)
}

fn row(label: &str, m: &MeanMetrics) -> String {
    format!(
        "| {label} | {} | {:.3} | {:.3} | {:.3} | {:.3} | {:.1} | {:.1} | {:.1} |",
        m.profiles, m.ndcg, m.precision, m.recall, m.mrr, m.kinds, m.provinces, m.sectors
    )
}

fn text(report: &EvalReport, rows: &[eccp_china::evaluate::AblationRow]) -> String {
    let k = report.k;
    let mut o = String::new();
    o.push_str(&format!(
        "Evaluation at k = {k}, relevant from grade {} (means over profiles)\n\n",
        report.threshold
    ));
    o.push_str(&format!(
        "| profiles | n | nDCG@{k} | P@{k} | R@{k} | MRR | kinds | provinces | sectors |\n|---|---|---|---|---|---|---|---|---|\n"
    ));
    o.push_str(&row("all", &report.overall));
    o.push('\n');
    for (split, m) in &report.by_split {
        o.push_str(&row(split, m));
        o.push('\n');
    }
    o.push_str(&format!(
        "\nCatalogue coverage of the top {k}s: {:.1}%\n",
        100.0 * report.coverage
    ));
    let all = &report.overall;
    let held = report.by_split.get("held_out");
    o.push_str(&format!(
        "Intermediaries kept apart: the ranked list is judged against the partners it may hold. \
         Against every judgment, intermediaries included, nDCG@{k} is {:.3} (held_out {}); \
         {} of the {} judged intermediaries appear under the top {k} matches' who can help.\n\n",
        all.ndcg_all_judged,
        held.map_or("-".to_string(), |m| format!("{:.3}", m.ndcg_all_judged)),
        all.intermediaries_listed,
        all.intermediaries_judged,
    ));
    o.push_str(&format!(
        "| profile | split | nDCG@{k} | P@{k} | R@{k} | RR |\n|---|---|---|---|---|---|\n"
    ));
    for p in &report.profiles {
        let opt = |x: Option<f64>| x.map_or("-".to_string(), |v| format!("{v:.3}"));
        o.push_str(&format!(
            "| {} | {} | {:.3} | {:.3} | {} | {} |\n",
            p.id,
            p.split,
            p.ndcg,
            p.precision,
            opt(p.recall),
            opt(p.reciprocal_rank)
        ));
    }
    o.push_str(&format!(
        "\nAblation: each component's weight set to 0 in turn\n\n| weights | nDCG@{k} all | nDCG@{k} held_out | P@{k} | MRR |\n|---|---|---|---|---|\n"
    ));
    for r in rows {
        let held = r
            .by_split
            .get("held_out")
            .map_or("-".to_string(), |m| format!("{:.3}", m.ndcg));
        o.push_str(&format!(
            "| {} | {:.3} | {held} | {:.3} | {:.3} |\n",
            r.label, r.overall.ndcg, r.overall.precision, r.overall.mrr
        ));
    }
    o
}

fn run() -> Result<(String, f64, f64), Error> {
    let args = parse_args()?;
    let judgments = match &args.judgments {
        Some(path) => {
            let text = std::fs::read_to_string(path).map_err(|e| Error::io_at(path, e))?;
            Judgments::from_json(path, &text)?
        }
        None => Judgments::embedded()?,
    };
    let rec = Recommender::new(Dataset::embedded()?);
    let prepared = judgments.prepare(&rec)?;
    let report = evaluate(&rec, &prepared, &args.options)?;
    let rows = ablation(&rec, &prepared, &args.options)?;
    let out = if args.json {
        serde_json::to_string_pretty(&serde_json::json!({ "report": report, "ablation": rows }))
            .unwrap_or_else(|e| format!("{{\"error\": \"{e}\"}}"))
    } else {
        text(&report, &rows)
    };
    Ok((out, report.overall.ndcg, args.min_ndcg))
}

fn main() -> ExitCode {
    match run() {
        Ok((out, ndcg, min)) => {
            // A closed pipe (`| head`) is not an error worth a panic: stop writing quietly.
            let _ = writeln!(std::io::stdout().lock(), "{out}");
            if ndcg < min {
                eprintln!("mean nDCG {ndcg:.3} is below the threshold {min:.3}");
                return ExitCode::from(1);
            }
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("error: {e}");
            ExitCode::from(2)
        }
    }
}
