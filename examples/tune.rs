//! Searches component weights on the tuning split of the labelled set and reports the
//! held-out split separately, so that a tuned default can be checked on profiles it never saw.
//!
//! ```text
//! cargo run --release --example tune -- [--draws 400] [--seed 7] [--k 10]
//! ```
//!
//! Random search: each draw sets every weight to a factor in [0, 2] of the current default,
//! keeping the best mean nDCG@k on the `tuning` profiles. Prints the default, the best draw
//! and both splits for each.

use eccp_china::evaluate::{evaluate, random_weights, EvalOptions, Judgments, PreparedProfile};
use eccp_china::{Component, Dataset, Error, Recommender, Weights};

fn score(
    rec: &Recommender,
    ps: &[PreparedProfile],
    w: Weights,
    k: usize,
) -> Result<(f64, f64), Error> {
    let r = evaluate(
        rec,
        ps,
        &EvalOptions {
            k,
            weights: w,
            ..EvalOptions::default()
        },
    )?;
    let get = |s: &str| r.by_split.get(s).map_or(f64::NAN, |m| m.ndcg);
    Ok((get("tuning"), get("held_out")))
}

fn show(w: &Weights) -> String {
    let n = w.normalized().unwrap_or_default();
    Component::ALL
        .iter()
        .zip(n)
        .map(|(c, v)| format!("{} {v:.3}", c.as_str()))
        .collect::<Vec<_>>()
        .join(", ")
}

fn main() -> Result<(), Error> {
    let mut draws = 400usize;
    let mut seed = 7u64;
    let mut k = 10usize;
    let args: Vec<String> = std::env::args().skip(1).collect();
    for pair in args.chunks(2) {
        let bad = || Error::Option {
            option: "command line".into(),
            message: format!("bad argument {pair:?}"),
        };
        match (pair[0].as_str(), pair.get(1)) {
            ("--draws", Some(v)) => draws = v.parse().map_err(|_| bad())?,
            ("--seed", Some(v)) => seed = v.parse().map_err(|_| bad())?,
            ("--k", Some(v)) => k = v.parse().map_err(|_| bad())?,
            _ => return Err(bad()),
        }
    }
    let rec = Recommender::new(Dataset::embedded()?);
    let prepared = Judgments::embedded()?.prepare(&rec)?;
    let base = Weights::default();
    let (bt, bh) = score(&rec, &prepared, base, k)?;
    println!(
        "default: tuning nDCG@{k} {bt:.3}, held_out {bh:.3}\n  {}",
        show(&base)
    );
    let mut best = (bt, bh, base);
    for w in random_weights(&base, 0.0, 2.0, seed, draws) {
        if w.normalized().is_err() {
            continue;
        }
        let (t, h) = score(&rec, &prepared, w, k)?;
        if t > best.0 {
            best = (t, h, w);
        }
    }
    println!(
        "best of {draws}: tuning nDCG@{k} {:.3}, held_out {:.3}\n  {}",
        best.0,
        best.1,
        show(&best.2)
    );
    Ok(())
}
