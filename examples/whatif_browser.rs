//! Checks the HTML report's what-if controls in a real browser: for random settings of the
//! control tolerance, the seven weights and the goals, headless Chromium opens each sample
//! report with the settings in its address, and the order the page shows (the table, the
//! chart's numbers and Pareto front, the map's counts) must equal `Recommender::recommend`'s for a profile
//! and options with those settings.
//!
//! ```text
//! cargo run --release --example whatif_browser -- [--settings N] [--seed S] [--chromium PATH]
//! ```
//!
//! `--settings` is the number of random settings (default 25, spread over the samples);
//! each sample is also opened once without settings. Exit status 0 when every page agrees,
//! 1 when one does not, 2 when Chromium cannot be run. `scripts/whatif-browser.sh` runs it
//! and says so when Chromium is not installed.

use eccp_china::{Component, Dataset, Goal, Options, Profile, Recommender};
use std::path::{Path, PathBuf};
use std::process::{Command, ExitCode};

/// SplitMix64, for reproducible settings.
struct Rng(u64);

impl Rng {
    fn unit(&mut self) -> f64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        ((z ^ (z >> 31)) >> 11) as f64 / (1u64 << 53) as f64
    }
}

/// What the page's controls set.
struct Settings {
    tol: f64,
    weights: [f64; 7],
    goals: Vec<Goal>,
}

impl Settings {
    fn random(rng: &mut Rng) -> Settings {
        let tol = (rng.unit() * 21.0).floor() / 20.0;
        let mut weights = [0.0; 7];
        for w in &mut weights {
            // Some weights switched off; the rest on the sliders' 0.01 grid.
            *w = if rng.unit() < 0.15 {
                0.0
            } else {
                (rng.unit() * 101.0).floor() / 100.0
            };
        }
        if weights.iter().all(|w| *w == 0.0) {
            weights[0] = 0.35;
        }
        let mut goals: Vec<Goal> = Goal::ALL
            .into_iter()
            .filter(|_| rng.unit() < 0.35)
            .collect();
        if goals.is_empty() {
            goals.push(Goal::ALL[(rng.unit() * 6.0) as usize % 6]);
        }
        Settings {
            tol,
            weights,
            goals,
        }
    }

    fn fragment(&self) -> String {
        let w: Vec<String> = self.weights.iter().map(f64::to_string).collect();
        let g: Vec<&str> = self.goals.iter().map(|g| g.as_str()).collect();
        format!("#tol={}&w={}&goals={}", self.tol, w.join(","), g.join(","))
    }
}

/// What the page shows once its script has run.
#[derive(Debug, PartialEq)]
struct Shown {
    /// The visible table rows' ids, top to bottom.
    table: Vec<String>,
    /// The chart's numbered points, (rank, id), by rank.
    chart: Vec<(usize, String)>,
    /// The map's counts: matches in provinces, national bodies.
    map: (usize, usize),
    /// The (tech, control) cells boxed as the Pareto front.
    front: Vec<(String, String)>,
}

fn attr<'a>(tag: &'a str, name: &str) -> Option<&'a str> {
    let key = format!(" {name}=\"");
    let i = tag.find(&key)? + key.len();
    Some(&tag[i..i + tag[i..].find('"')?])
}

/// Reads the serialised DOM Chromium dumps (attributes as written, in double quotes).
fn shown(dom: &str) -> Option<Shown> {
    let body = &dom[dom.find("id=\"matches\"")?..];
    let body = &body[..body.find("</tbody>")?];
    let table = body
        .split("<tr ")
        .skip(1)
        .filter_map(|t| {
            // Split off "<tr ", the tag's attributes each follow a space again.
            let tag = format!(" {}", &t[..t.find('>')?]);
            (attr(&tag, "class") == Some("match") && !tag.contains(" hidden"))
                .then(|| attr(&tag, "data-id").map(str::to_string))?
        })
        .collect();
    let mut chart: Vec<(usize, String)> = dom
        .split("<text class=\"label\"")
        .skip(1)
        .filter_map(|t| {
            let close = t.find('>')?;
            let id = attr(&t[..close], "data-id")?.to_string();
            let label = &t[close + 1..close + 1 + t[close + 1..].find('<')?];
            label.parse().ok().map(|r| (r, id))
        })
        .collect();
    chart.sort();
    let mut local = 0;
    for g in dom.split("<g class=\"count\"").skip(1) {
        let tag = &g[..g.find('>')?];
        if !tag.contains("display=\"none\"") {
            let t = &g[g.find("<text")?..];
            local += attr(&t[..t.find('>')?], "data-count")?
                .parse::<usize>()
                .ok()?;
        }
    }
    let mut front: Vec<(String, String)> = dom
        .split("<rect class=\"pareto-cell\"")
        .skip(1)
        .filter_map(|r| {
            let tag = &r[..r.find('>')?];
            (!tag.contains("display=\"none\"")).then(|| {
                Some((
                    attr(tag, "data-tech")?.into(),
                    attr(tag, "data-control")?.into(),
                ))
            })?
        })
        .collect();
    front.sort();
    let nat = &dom[dom.find("id=\"national\"")?..];
    let national = attr(&nat[..nat.find('>')?], "data-count")?.parse().ok()?;
    Some(Shown {
        table,
        chart,
        map: (local, national),
        front,
    })
}

fn dump(chromium: &str, url: &str) -> Result<String, String> {
    let profile_dir = std::env::temp_dir().join(format!("whatif-chromium-{}", std::process::id()));
    let out = Command::new(chromium)
        .args([
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--virtual-time-budget=5000",
        ])
        .arg(format!("--user-data-dir={}", profile_dir.display()))
        .arg("--dump-dom")
        .arg(url)
        .output()
        .map_err(|e| format!("cannot run {chromium}: {e}"))?;
    if !out.status.success() {
        return Err(format!(
            "{chromium} failed: {}",
            String::from_utf8_lossy(&out.stderr)
        ));
    }
    Ok(String::from_utf8_lossy(&out.stdout).into_owned())
}

/// The library's view of the same settings: the profile with that tolerance and those goals,
/// the options with those weights.
fn expected(rec: &Recommender, sample: &serde_json::Value, s: Option<&Settings>) -> Shown {
    let mut v = sample.clone();
    let mut options = Options::default();
    if let Some(s) = s {
        v["control_tolerance"] = s.tol.into();
        v["goals"] = s.goals.iter().map(|g| g.as_str()).collect();
        for (c, w) in Component::ALL.into_iter().zip(s.weights) {
            options.weights.set(c, w);
        }
    }
    let profile = Profile::from_json(&v.to_string()).expect("a sample with valid settings");
    let recs = rec
        .recommend_profile(&profile, &options)
        .expect("valid options");
    Shown {
        table: recs.matches.iter().map(|m| m.id.clone()).collect(),
        chart: recs
            .matches
            .iter()
            .map(|m| (m.rank, m.id.clone()))
            .collect(),
        map: (
            recs.matches.iter().filter(|m| m.province.is_some()).count(),
            recs.matches.iter().filter(|m| m.province.is_none()).count(),
        ),
        front: {
            let mut f: Vec<(String, String)> = recs
                .pareto
                .iter()
                .map(|e| (e.tech.rank().to_string(), e.control.rank().to_string()))
                .collect();
            f.sort();
            f.dedup();
            f
        },
    }
}

fn main() -> ExitCode {
    let mut n = 25usize;
    let mut seed = 20_181_130u64;
    let mut chromium = std::env::var("CHROMIUM").unwrap_or_else(|_| "chromium".into());
    let mut args = std::env::args().skip(1);
    while let Some(a) = args.next() {
        let v = args.next();
        match (a.as_str(), v) {
            ("--settings", Some(v)) if v.parse::<usize>().is_ok() => n = v.parse().unwrap_or(n),
            ("--seed", Some(v)) if v.parse::<u64>().is_ok() => seed = v.parse().unwrap_or(seed),
            ("--chromium", Some(v)) => chromium = v,
            _ => {
                eprintln!("usage: whatif_browser [--settings N] [--seed S] [--chromium PATH]");
                return ExitCode::from(2);
            }
        }
    }
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut samples: Vec<PathBuf> = std::fs::read_dir(root.join("data/samples"))
        .expect("data/samples")
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|x| x == "json"))
        .collect();
    samples.sort();
    let rec = Recommender::new(Dataset::embedded().expect("the embedded data loads"));
    let dir = std::env::temp_dir().join(format!("whatif-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("a temporary directory");
    let mut rng = Rng(seed);
    let (mut checked, mut failed) = (0, 0);
    for (i, path) in samples.iter().enumerate() {
        let text = std::fs::read_to_string(path).expect("a sample");
        let sample: serde_json::Value = serde_json::from_str(&text).expect("sample JSON");
        let profile = Profile::from_json(&text).expect("a valid sample");
        let recs = rec
            .recommend_profile(&profile, &Options::default())
            .expect("recommends");
        let html = rec.report_html(&recs).expect("a report");
        let page = dir.join(format!("{i}.html"));
        std::fs::write(&page, html).expect("writes the report");
        // This sample's share of the random settings, and its own settings first.
        let share = n / samples.len() + usize::from(i < n % samples.len());
        let mut runs: Vec<Option<Settings>> = vec![None];
        runs.extend((0..share).map(|_| Some(Settings::random(&mut rng))));
        for s in runs {
            let fragment = s.as_ref().map(Settings::fragment).unwrap_or_default();
            let url = format!("file://{}{fragment}", page.display());
            let dom = match dump(&chromium, &url) {
                Ok(d) => d,
                Err(e) => {
                    eprintln!("{e}");
                    return ExitCode::from(2);
                }
            };
            let want = expected(&rec, &sample, s.as_ref());
            let got = shown(&dom);
            checked += 1;
            let name = path.file_stem().unwrap_or_default().to_string_lossy();
            let what = if fragment.is_empty() {
                "(the report's settings)".to_string()
            } else {
                fragment.clone()
            };
            if got.as_ref() == Some(&want) {
                println!(
                    "ok   {name} {what}: {}",
                    want.table
                        .iter()
                        .take(3)
                        .cloned()
                        .collect::<Vec<_>>()
                        .join(", ")
                );
            } else {
                failed += 1;
                println!("FAIL {name} {what}\n  library: {want:?}\n  page:    {got:?}");
            }
        }
    }
    std::fs::remove_dir_all(&dir).ok();
    println!("{checked} pages checked ({n} random settings), {failed} differ from the library");
    if failed == 0 {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    }
}
