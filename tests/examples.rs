//! The command and every example are run, so that none can rot: the command on the bundled
//! sample and on every sample profile under `data/samples/`, its errors and its option
//! combinations, and the examples.
//!
//! `cargo test` builds the examples before it runs the tests; they sit next to the test
//! binary's own directory.

use std::path::PathBuf;
use std::process::{Command, Output};

/// An example's executable, or the command's for `eccp-china`.
fn example(name: &str) -> PathBuf {
    if name == "eccp-china" {
        // Cargo builds the package's binaries for its integration tests.
        return PathBuf::from(env!("CARGO_BIN_EXE_eccp-china"));
    }
    let exe = std::env::current_exe().expect("test binary path");
    // target/<profile>/deps/examples-<hash> -> target/<profile>/examples/<name>
    let dir = exe
        .parent()
        .and_then(|d| d.parent())
        .expect("target dir")
        .join("examples");
    let path = dir.join(format!("{name}{}", std::env::consts::EXE_SUFFIX));
    assert!(
        path.exists(),
        "{} not built; run `cargo test`, which builds examples",
        path.display()
    );
    path
}

fn run(name: &str, args: &[&str]) -> Output {
    Command::new(example(name))
        .args(args)
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .output()
        .expect("example runs")
}

/// Runs an example that must succeed and returns its standard output.
fn run_ok(name: &str, args: &[&str]) -> String {
    let out = run(name, args);
    assert!(
        out.status.success(),
        "{name} {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).unwrap()
}

/// The lines of the README's code block tagged `tag`, up to its `...`.
fn readme_block(readme: &str, tag: &str) -> Vec<String> {
    let open = format!("```{tag}\n");
    let start = readme
        .find(&open)
        .unwrap_or_else(|| panic!("a {tag} block in the README"))
        + open.len();
    readme[start..]
        .lines()
        .take_while(|l| *l != "...")
        .map(str::to_string)
        .collect()
}

fn readme() -> String {
    std::fs::read_to_string(PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("README.md")).unwrap()
}

fn samples() -> Vec<PathBuf> {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("data/samples");
    let mut v: Vec<PathBuf> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "json"))
        .collect();
    v.sort();
    assert!(v.len() >= 5);
    v
}

#[test]
fn recommend_runs_on_the_bundled_sample() {
    let out = run("eccp-china", &[]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(text.contains("Southern German e-mobility cluster"));
    assert!(
        text.contains(" 1. Guangzhou Huadu Automobile City"),
        "{text}"
    );
    assert!(text.contains("why:") && text.contains("watch out:") && text.contains("who can help:"));
}

#[test]
fn recommend_json_has_the_documented_fields_for_every_sample() {
    for path in samples() {
        let out = run(
            "eccp-china",
            &[
                "--profile",
                path.to_str().unwrap(),
                "--top",
                "7",
                "--format",
                "json",
            ],
        );
        assert!(
            out.status.success(),
            "{}: {}",
            path.display(),
            String::from_utf8_lossy(&out.stderr)
        );
        let v: serde_json::Value = serde_json::from_slice(&out.stdout).expect("one JSON object");
        let matches = v["matches"].as_array().expect("matches array");
        assert_eq!(matches.len(), 7, "{}", path.display());
        for (i, m) in matches.iter().enumerate() {
            assert_eq!(m["rank"], i + 1);
            for key in ["id", "name", "kind", "score"] {
                assert!(!m[key].is_null(), "{key} in {}", path.display());
            }
            for key in ["province", "city"] {
                assert!(
                    m.get(key).is_some(),
                    "{key} present (null for national bodies)"
                );
            }
            if m["province"].is_null() {
                assert!(m["city"].is_null());
            }
            let kinds = [
                "industrial_cluster",
                "science_park",
                "economic_zone",
                "association",
                "research_institute",
                "government_body",
                "support_service",
            ];
            assert!(kinds.contains(&m["kind"].as_str().unwrap()));
            let parts: f64 = eccp_china::Component::ALL
                .iter()
                .map(|c| c.as_str())
                .map(|c| m["breakdown"][c].as_f64().unwrap())
                .sum();
            assert!((parts - m["score"].as_f64().unwrap()).abs() < 1e-9);
            for key in ["reasons", "risks", "intermediaries"] {
                assert!(m[key].is_array(), "{key}");
            }
        }
    }
}

#[test]
fn a_bad_profile_exits_2_with_a_clear_error() {
    let dir = std::env::temp_dir().join(format!("eccp-china-test-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let cases = [
        (
            "typo.json",
            r#"{"name": "x", "country": "DE", "sectors": ["biotek"]}"#,
            "sectors[0]",
        ),
        (
            "country.json",
            r#"{"name": "x", "country": "US", "sectors": ["textiles"]}"#,
            "country",
        ),
        (
            "broken.json",
            "{\"name\": \"x\",\n \"country\": }",
            "line 2",
        ),
        (
            "empty.json",
            r#"{"name": "x", "country": "DE", "sectors": []}"#,
            "sectors",
        ),
    ];
    for (file, body, hint) in cases {
        let path = dir.join(file);
        std::fs::write(&path, body).unwrap();
        let out = run("eccp-china", &["--profile", path.to_str().unwrap()]);
        assert_eq!(out.status.code(), Some(2), "{file}");
        let err = String::from_utf8(out.stderr).unwrap();
        assert!(err.starts_with("error: "), "{file}: {err}");
        assert!(err.contains(hint), "{file}: {err}");
        assert!(!err.contains("panicked"), "{file}: {err}");
    }
    let out = run("eccp-china", &["--top", "many"]);
    assert_eq!(out.status.code(), Some(2));
    let out = run("eccp-china", &["--profile", "/nonexistent/profile.json"]);
    assert_eq!(out.status.code(), Some(2));
    std::fs::remove_dir_all(&dir).ok();
}

#[test]
fn quickstart_runs() {
    let text = run_ok("quickstart", &[]);
    assert!(
        text.starts_with("1. Wuhan East Lake High-tech Zone"),
        "{text}"
    );
    assert_eq!(
        text.lines()
            .filter(|l| l.chars().next().is_some_and(|c| c.is_ascii_digit()))
            .count(),
        5
    );
}

#[test]
fn the_readme_shows_the_real_output_of_the_main_command() {
    let shown = readme_block(&readme(), "text");
    assert!(shown.len() > 20);
    let out = run("eccp-china", &["--top", "3"]);
    let text = String::from_utf8(out.stdout).unwrap();
    let real: Vec<&str> = text.lines().take(shown.len()).collect();
    assert_eq!(
        shown, real,
        "README.md's sample output is stale: regenerate it from `eccp-china --top 3`"
    );
}

#[test]
fn evaluate_prints_the_table_and_gates_on_ndcg() {
    let text = run_ok("evaluate", &[]);
    assert!(
        text.contains("| all |")
            && text.contains("| held_out |")
            && text.contains("without sector"),
        "{text}"
    );
    assert_eq!(
        run("evaluate", &["--min-ndcg", "0.99"]).status.code(),
        Some(1)
    );
    assert_eq!(
        run("evaluate", &["--min-ndcg", "0.5"]).status.code(),
        Some(0)
    );
    assert_eq!(
        run("evaluate", &["--judgments", "/nonexistent.json"])
            .status
            .code(),
        Some(2)
    );
}

#[test]
fn recommend_reports_sensitivity() {
    let text = run_ok(
        "eccp-china",
        &["--sensitivity", "--format", "json", "--top", "5"],
    );
    let v: serde_json::Value = serde_json::from_str(&text).unwrap();
    assert_eq!(v["sensitivity"]["baseline"].as_array().unwrap().len(), 5);
    assert!(v["matches"].is_array());
    assert!(run_ok("eccp-china", &["--sensitivity"]).contains("Stability of the top 10"));
}

#[test]
fn tune_runs() {
    assert!(run_ok("tune", &["--draws", "2"]).contains("held_out"));
}

#[test]
fn evaluation_md_shows_the_real_evaluation() {
    let readme =
        std::fs::read_to_string(PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("EVALUATION.md"))
            .unwrap();
    let out = run_ok("evaluate", &[]);
    for line in out.lines().filter(|l| {
        l.starts_with("| all |") || l.starts_with("| held_out |") || l.starts_with("| without ")
    }) {
        assert!(
            readme.contains(line),
            "EVALUATION.md is stale; missing: {line}"
        );
    }
}

#[test]
fn recommend_batch_from_csv_writes_csv_rows_per_cluster_and_match() {
    let text = run_ok(
        "eccp-china",
        &["--profiles", "data/samples/clusters.csv", "--top", "3"],
    );
    let mut rd = csv::Reader::from_reader(text.as_bytes());
    let rows: Vec<csv::StringRecord> = rd.records().map(Result::unwrap).collect();
    assert_eq!(rows.len(), 5 * 3);
    assert_eq!(&rows[0][0], "Southern German e-mobility cluster");
    assert_eq!(
        &rows[14][0],
        "Basque machine tools and advanced manufacturing cluster, Spain"
    );
    // A bad row stops the run unless asked to skip it, and a skipped row is reported.
    let dir = std::env::temp_dir().join(format!("eccp-china-csv-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let bad = dir.join("bad.csv");
    std::fs::write(
        &bad,
        "name,country,sectors\nGood,DE,wind energy\nBad,US,textiles\n",
    )
    .unwrap();
    let out = run("eccp-china", &["--profiles", bad.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("line 3"));
    let out = run(
        "eccp-china",
        &[
            "--profiles",
            bad.to_str().unwrap(),
            "--skip-bad-rows",
            "--top",
            "2",
        ],
    );
    assert!(out.status.success());
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("skipped")
            && String::from_utf8_lossy(&out.stderr).contains("line 3")
    );
    assert_eq!(
        String::from_utf8(out.stdout).unwrap().lines().count(),
        1 + 2
    );
    std::fs::remove_dir_all(&dir).ok();
}

#[test]
fn recommend_writes_the_html_report() {
    let html = run_ok("eccp-china", &["--format", "html", "--top", "5"]);
    assert!(html.starts_with("<!DOCTYPE html>"));
    assert_eq!(html.matches("class=\"pt match\"").count(), 5);
}

/// Runs an example with `stdin` as its standard input.
fn run_with_stdin(name: &str, args: &[&str], stdin: &[u8]) -> Output {
    use std::io::Write;
    let mut child = Command::new(example(name))
        .args(args)
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .expect("example runs");
    let mut input = child.stdin.take().unwrap();
    let data = stdin.to_vec();
    // Write from a thread: the child may stop reading (and close its stdin) early.
    let writer = std::thread::spawn(move || {
        let _ = input.write_all(&data);
    });
    let out = child.wait_with_output().unwrap();
    writer.join().unwrap();
    out
}

/// The numbers of the summary line of a batch: (read, written, skipped).
fn summary(stderr: &[u8]) -> (u64, u64, u64) {
    let err = String::from_utf8_lossy(stderr);
    let line = err
        .lines()
        .rev()
        .find(|l| l.contains("rows read"))
        .unwrap_or_else(|| panic!("no summary line in {err}"));
    let nums: Vec<u64> = line
        .split(|c: char| !c.is_ascii_digit())
        .filter_map(|w| w.parse().ok())
        .collect();
    (nums[0], nums[1], nums[2])
}

#[test]
fn a_batch_skips_every_bad_row_and_accounts_for_every_row() {
    // Issue 11: an unterminated quote swallowed the rows after it; a row whose sector does
    // not resolve aborted the whole batch.
    let csv = "name,country,sectors\n\
               One,DE,wind energy\n\
               \"Two unterminated,DE,solar\n\
               Three,FR,pharmaceuticals\n\
               Four,IT,zzzzqqq\n\
               Five,ES,automotive\n";
    let out = run_with_stdin(
        "eccp-china",
        &["--profiles", "-", "--skip-bad-rows", "--top", "2"],
        csv.as_bytes(),
    );
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("skipped line 3:") && err.contains("skipped line 5:"),
        "{err}"
    );
    assert_eq!(summary(&out.stderr), (5, 3, 2));
    let text = String::from_utf8(out.stdout).unwrap();
    let clusters: Vec<String> = csv::Reader::from_reader(text.as_bytes())
        .records()
        .map(|r| r.unwrap()[0].to_string())
        .collect();
    assert_eq!(clusters, ["One", "One", "Three", "Three", "Five", "Five"]);
    // Without --skip-bad-rows the first bad row stops the run, named, exit 2.
    let out = run_with_stdin("eccp-china", &["--profiles", "-"], csv.as_bytes());
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("line 3") && err.contains("quote"), "{err}");
    // A repeated header column is an error, not a column silently ignored.
    let out = run_with_stdin(
        "eccp-china",
        &["--profiles", "-"],
        b"name,country,sectors,sectors\nx,DE,wind,solar\n",
    );
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("twice"));
    // HTML is one profile's report.
    let out = run(
        "eccp-china",
        &[
            "--profiles",
            "data/samples/clusters.csv",
            "--format",
            "html",
        ],
    );
    assert_eq!(out.status.code(), Some(2));
}

#[test]
fn batch_output_streams_in_every_format_and_is_safe_for_spreadsheets() {
    let csv = "name,country,sectors\n=HYPERLINK(\"http://evil\"),DE,wind energy\n+1,FR,solar\n";
    let out = run_with_stdin(
        "eccp-china",
        &["--profiles", "-", "--top", "1"],
        csv.as_bytes(),
    );
    assert!(out.status.success());
    let text = String::from_utf8(out.stdout).unwrap();
    let rows: Vec<csv::StringRecord> = csv::Reader::from_reader(text.as_bytes())
        .records()
        .map(Result::unwrap)
        .collect();
    assert_eq!(&rows[0][0], "'=HYPERLINK(\"http://evil\")");
    assert_eq!(&rows[1][0], "'+1");
    let out = run_with_stdin(
        "eccp-china",
        &["--profiles", "-", "--top", "1", "--format", "json"],
        csv.as_bytes(),
    );
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).expect("one JSON array");
    assert_eq!(v.as_array().unwrap().len(), 2);
    assert_eq!(v[0]["profile"]["name"], "=HYPERLINK(\"http://evil\")");
    let out = run_with_stdin(
        "eccp-china",
        &["--profiles", "-", "--top", "1", "--format", "text"],
        csv.as_bytes(),
    );
    assert_eq!(
        String::from_utf8(out.stdout)
            .unwrap()
            .matches("Chinese partners for")
            .count(),
        2
    );
}

#[cfg(unix)]
#[test]
fn endless_input_is_refused_at_the_cap() {
    // Issue 11: the profile cap trusted the size a file reports (none for devices and
    // pipes): `--profile /dev/zero` grew to gigabytes. Each input now stops at its cap.
    for flag in ["--profile", "--profiles", "--partners"] {
        let start = std::time::Instant::now();
        let out = run("eccp-china", &[flag, "/dev/zero"]);
        assert_eq!(out.status.code(), Some(2), "{flag}");
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(
            err.starts_with("error: ") && err.contains("/dev/zero"),
            "{flag}: {err}"
        );
        // Generous: the point is that it does not read on.
        assert!(start.elapsed().as_secs() < 20, "{flag}");
    }
    let out = run_with_stdin("eccp-china", &["--profile", "-"], &vec![b' '; 200_000]);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("65536"));
}

#[test]
fn a_region_typo_reads_the_same_in_every_process() {
    // Issue 11: two names of Anhui are one edit from this typo, and which one was reported
    // followed a hash map's order, which changes from one process to the next.
    let profile = r#"{"name": "Typo cluster", "country": "DE", "sectors": ["automotive"],
                      "preferred_regions": ["Anhuixprovince"]}"#;
    let outs: std::collections::BTreeSet<Vec<u8>> = (0..8)
        .map(|_| {
            let out = run_with_stdin("eccp-china", &["--profile", "-"], profile.as_bytes());
            assert!(out.status.success());
            out.stdout
        })
        .collect();
    assert_eq!(outs.len(), 1);
    let text = String::from_utf8(outs.into_iter().next().unwrap()).unwrap();
    assert!(text.contains("was read as `anhui province`"), "{text}");
}

#[test]
fn a_city_cap_of_zero_admits_no_partner_with_a_city() {
    let text = run_ok("eccp-china", &["--max-per-city", "0", "--format", "json"]);
    let v: serde_json::Value = serde_json::from_str(&text).unwrap();
    let matches = v["matches"].as_array().unwrap();
    assert!(!matches.is_empty());
    for m in matches {
        assert!(m["city"].is_null(), "{m}");
    }
}

#[test]
fn sensitivity_follows_the_filters() {
    // Issue 11: --sensitivity measured the unfiltered list.
    let text = run_ok(
        "eccp-china",
        &[
            "--kind",
            "industrial_cluster",
            "--top",
            "3",
            "--sensitivity",
            "--format",
            "json",
        ],
    );
    let v: serde_json::Value = serde_json::from_str(&text).unwrap();
    let shown: Vec<&str> = v["matches"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m["id"].as_str().unwrap())
        .collect();
    let baseline: Vec<&str> = v["sensitivity"]["baseline"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m.as_str().unwrap())
        .collect();
    assert_eq!(shown, baseline);
}

#[test]
fn every_option_combination_works_or_exits_2_naming_an_option() {
    // Issue 12: batch mode dropped --partners, printed CSV for --format html and ignored
    // --sensitivity. Every input × format × option either does what it says or is refused.
    let dir = std::env::temp_dir().join(format!("eccp-china-combos-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let partners = dir.join("mine.json");
    std::fs::write(
        &partners,
        r#"{"partners": [{"id": "user-emobility-guangzhou", "kind": "industrial_cluster",
            "name": "User-supplied Guangzhou e-mobility cluster", "province": "guangdong",
            "place": "guangzhou", "sectors": ["automotive", "electric_vehicles"],
            "formal_organisation": true, "sources": [{"ref": "External: test record"}]}]}"#,
    )
    .unwrap();
    let partners = partners.to_str().unwrap().to_string();
    let notes = dir.join("notes.json");
    std::fs::write(
        &notes,
        r#"{"notes": [{"id": "user_auto_rule", "kind": "caution", "title": "User-supplied automotive rule",
            "text": "A rule the briefing could not know.",
            "applies_when": {"sectors": ["automotive"], "topics": [], "kinds": [], "macro_regions": [],
                             "min_control": null, "no_formal_organisation": false},
            "strength": null, "sources": [{"ref": "External: test notes"}]}]}"#,
    )
    .unwrap();
    let notes = notes.to_str().unwrap().to_string();
    let inputs: [&[&str]; 3] = [
        &[],
        &["--profile", "data/samples/southern-german-e-mobility.json"],
        &["--profiles", "data/samples/clusters.csv"],
    ];
    let formats: [&[&str]; 5] = [
        &[],
        &["--format", "text"],
        &["--format", "json"],
        &["--format", "html"],
        &["--format", "csv"],
    ];
    let extras: Vec<Vec<String>> = vec![
        vec![],
        vec!["--partners".into(), partners.clone()],
        vec!["--sensitivity".into()],
        vec!["--skip-bad-rows".into()],
        vec!["--out".into(), "OUT".into()],
        vec![
            "--kind".into(),
            "science park".into(),
            "--kind".into(),
            "industrial clusters".into(),
        ],
        vec!["--macro-region".into(), "Go West".into()],
        vec![
            "--max-per-city".into(),
            "0".into(),
            "--max-per-kind".into(),
            "2".into(),
        ],
        vec![
            "--include-intermediaries".into(),
            "--min-score".into(),
            "0.3".into(),
        ],
        vec![
            "--compare".into(),
            "huadu-automobile".into(),
            "catarc".into(),
        ],
        vec!["--why-not".into(), "caam".into()],
        vec!["--notes".into(), notes.clone()],
        vec!["--call".into(), "market_entry_mission".into()],
    ];
    // Every input with every format and each extra option; and every input with every
    // pair of extras, in the default format.
    let mut cases: Vec<(usize, usize, Vec<String>)> = Vec::new();
    for ii in 0..inputs.len() {
        for fi in 0..formats.len() {
            for extra in &extras {
                cases.push((ii, fi, extra.clone()));
            }
        }
        for (a, x) in extras.iter().enumerate().skip(1) {
            for y in extras.iter().skip(a + 1) {
                cases.push((ii, 0, x.iter().chain(y).cloned().collect()));
            }
        }
    }
    let mut ran = 0;
    let mut refused = 0;
    for (ci, (ii, fi, extra)) in cases.iter().enumerate() {
        let (input, format) = (inputs[*ii], formats[*fi]);
        {
            {
                let out_path = dir.join(format!("out-{ci}"));
                let mut args: Vec<String> = input.iter().map(|s| s.to_string()).collect();
                args.extend(format.iter().map(|s| s.to_string()));
                args.extend(extra.iter().map(|s| {
                    if s == "OUT" {
                        out_path.to_str().unwrap().to_string()
                    } else {
                        s.clone()
                    }
                }));
                let argv: Vec<&str> = args.iter().map(String::as_str).collect();
                let out = run("eccp-china", &argv);
                let err = String::from_utf8_lossy(&out.stderr);
                match out.status.code() {
                    Some(0) => {
                        ran += 1;
                        let written = if extra.iter().any(|s| s == "OUT") {
                            if out_path.is_dir() {
                                std::fs::read_to_string(out_path.join("index.html")).unwrap()
                            } else {
                                std::fs::read_to_string(&out_path).unwrap()
                            }
                        } else {
                            String::from_utf8(out.stdout).unwrap()
                        };
                        assert!(!written.trim().is_empty(), "{argv:?} wrote nothing");
                        let compared = extra.iter().any(|s| s == "--compare" || s == "--why-not");
                        if compared {
                            assert!(
                                written.contains("A - B =")
                                    || written.contains("\"gap\"")
                                    || written.contains("China Association of Automobile"),
                                "{argv:?} ignored --compare"
                            );
                        }
                        let called = extra.iter().any(|s| s == "--call");
                        if called {
                            assert!(
                                written.contains("Consortium for")
                                    || written.contains("\"call\": \"market_entry_mission\"")
                                    || written.contains("Your consortium"),
                                "{argv:?} ignored --call"
                            );
                        }
                        let index_only = format.contains(&"html") && out_path.is_dir();
                        if extra.iter().any(|s| s == "--notes") && !compared && !index_only {
                            assert!(
                                written.contains("User-supplied automotive rule"),
                                "{argv:?} left the user's notes out"
                            );
                        }
                        if extra.iter().any(|s| s == "--partners") && !compared && !called {
                            // The user's Guangzhou cluster is in, unless a filter given
                            // with it keeps it out: then it must be out.
                            let filtered = extra.iter().any(|s| s == "Go West")
                                || extra.iter().any(|s| s == "--max-per-city");
                            assert_eq!(
                                written.contains("User-supplied Guangzhou e-mobility"),
                                !filtered,
                                "{argv:?}: the user's partner, filtered {filtered}"
                            );
                        }
                        if extra.iter().any(|s| s == "--sensitivity") {
                            assert!(
                                written.contains("Stability of the top")
                                    || written.contains("\"sensitivity\""),
                                "{argv:?} ignored --sensitivity"
                            );
                        }
                        let html = format.contains(&"html");
                        if html {
                            assert!(written.starts_with("<!DOCTYPE html>"), "{argv:?}");
                        }
                    }
                    Some(2) => {
                        refused += 1;
                        assert!(
                            err.starts_with("error: option `-"),
                            "{argv:?} refused without naming an option: {err}"
                        );
                        assert!(!err.contains("panicked"), "{argv:?}: {err}");
                    }
                    other => panic!("{argv:?}: exit {other:?}: {err}"),
                }
            }
        }
    }
    // Most combinations run; the refused ones are those the help says do not go together.
    assert!(ran >= 150 && refused >= 20, "ran {ran}, refused {refused}");
    std::fs::remove_dir_all(&dir).ok();
}

#[test]
fn a_batch_writes_one_html_page_per_cluster_and_an_index() {
    let dir = std::env::temp_dir().join(format!("eccp-china-html-{}", std::process::id()));
    let out = run(
        "eccp-china",
        &[
            "--profiles",
            "data/samples/clusters.csv",
            "--format",
            "html",
            "--out",
            dir.to_str().unwrap(),
        ],
    );
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let index = std::fs::read_to_string(dir.join("index.html")).unwrap();
    let pages: Vec<String> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n.starts_with("line-"))
        .collect();
    assert_eq!(pages.len(), 5);
    for p in &pages {
        assert!(index.contains(&format!("href=\"{p}\"")), "{p} not linked");
        let page = std::fs::read_to_string(dir.join(p)).unwrap();
        assert!(page.starts_with("<!DOCTYPE html>"));
    }
    std::fs::remove_dir_all(&dir).ok();
}

#[test]
fn the_developer_example_does_the_whole_round_in_few_lines() {
    let src = std::fs::read_to_string(
        PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("examples/developer.rs"),
    )
    .unwrap();
    let lines = src.lines().filter(|l| !l.trim().is_empty()).count();
    assert!(lines <= 45, "{lines} non-blank lines");
    let path = std::env::temp_dir().join(format!("developer-{}.html", std::process::id()));
    let out = run_ok("developer", &[path.to_str().unwrap()]);
    // The user's own partner ranks beside the briefing's, its evidence marked external.
    assert!(
        out.contains("Guangzhou EV suppliers (our contact)"),
        "{out}"
    );
    assert!(
        out.contains("[External: our 2025 trade mission notes]"),
        "{out}"
    );
    // The kind filter holds, and the reverse direction gives reasons.
    let ranked: Vec<&str> = out.lines().take_while(|l| !l.is_empty()).collect();
    assert!(ranked
        .iter()
        .filter(|l| l.starts_with(char::is_numeric))
        .all(|l| { l.contains("(industrial_cluster)") || l.contains("(science_park)") }));
    assert!(
        out.contains("EU clusters for Guangzhou EV suppliers"),
        "{out}"
    );
    let page = std::fs::read_to_string(&path).unwrap();
    assert!(page.starts_with("<!DOCTYPE html>") && page.contains("our contact"));
    std::fs::remove_file(&path).ok();
}

#[test]
fn the_readme_shows_the_real_output_of_compare() {
    let shown = readme_block(&readme(), "compare");
    let text = run_ok("eccp-china", &["--compare", "huadu-automobile", "catarc"]);
    let real: Vec<&str> = text.lines().take(shown.len()).collect();
    assert!(shown.len() >= 8);
    assert_eq!(shown, real, "README.md's compare output is stale");
}

#[test]
fn the_readme_shows_the_real_output_of_a_consortium() {
    let shown = readme_block(&readme(), "consortium");
    let text = run_ok(
        "eccp-china",
        &["--call", "cfm_rd_project", "--as-of", "2026-11"],
    );
    let real: Vec<&str> = text.lines().take(shown.len()).collect();
    assert!(shown.len() >= 10);
    assert_eq!(shown, real, "README.md's consortium output is stale");
}

#[test]
fn a_call_template_file_is_read_and_a_bad_one_named() {
    let dir = std::env::temp_dir().join(format!("eccp-china-call-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let good = std::fs::read_to_string("data/calls/market_entry_mission.json")
        .unwrap()
        .replace("\"max_partners\": 4", "\"max_partners\": 3");
    let path = dir.join("mission.json");
    std::fs::write(&path, &good).unwrap();
    let json = run_ok(
        "eccp-china",
        &["--call", path.to_str().unwrap(), "--format", "json"],
    );
    let v: serde_json::Value = serde_json::from_str(&json).unwrap();
    let members = v["members"].as_array().unwrap();
    assert!(!members.is_empty() && members.len() <= 3, "{json}");
    let html = run_ok(
        "eccp-china",
        &["--call", path.to_str().unwrap(), "--format", "html"],
    );
    assert!(html.contains("<h2 id=\"consortium\">Your consortium"));
    for m in members {
        assert!(html.contains(&format!("data-id=\"{}\"", m["id"].as_str().unwrap())));
    }
    std::fs::write(
        &path,
        good.replace("\"association\"]", "\"support_service\"]"),
    )
    .unwrap();
    let out = run("eccp-china", &["--call", path.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("roles[1].kinds[0]") && err.contains("intermediary"),
        "{err}"
    );
    std::fs::remove_dir_all(&dir).ok();
}

#[test]
fn the_readme_shows_real_dated_advice() {
    // Lines picked from the output (with `...` between them): each is a line of it, in order.
    let readme = readme();
    let start = readme.find("```asof\n").expect("an asof block") + "```asof\n".len();
    let shown: Vec<&str> = readme[start..]
        .lines()
        .take_while(|l| *l != "```")
        .filter(|l| *l != "...")
        .collect();
    let text = run_ok(
        "eccp-china",
        &[
            "--profile",
            "data/samples/finnish-iot-cloud.json",
            "--as-of",
            "2026-11",
            "--top",
            "1",
        ],
    );
    let mut lines = text.lines();
    for l in &shown {
        assert!(
            lines.any(|r| r == *l),
            "README.md's dated advice is stale or out of order: {l}"
        );
    }
    assert!(shown.iter().filter(|l| l.contains("(ended 20")).count() >= 2);
}

#[test]
fn the_readme_shows_the_real_output_of_why_not() {
    let shown = readme_block(&readme(), "whynot");
    let text = run_ok("eccp-china", &["--top", "5", "--why-not", "caam"]);
    let real: Vec<&str> = text.lines().take(shown.len()).collect();
    assert!(shown.len() >= 4);
    assert_eq!(shown, real, "README.md's why-not output is stale");
}
