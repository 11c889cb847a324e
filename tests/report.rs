//! The HTML report, parsed as XML as a browser would see it, and the CSV round trip.

use eccp_china::csvio::{profiles_from_csv, write_matches, write_profiles, ProfileReader};
use eccp_china::{Dataset, Options, Profile, Recommender};
use std::collections::HashMap;

fn matches_to_csv(results: &[eccp_china::Recommendations]) -> String {
    let mut out = Vec::new();
    write_matches(&mut out, results).unwrap();
    String::from_utf8(out).unwrap()
}

fn profiles_to_csv(profiles: &[Profile]) -> String {
    let mut out = Vec::new();
    write_profiles(&mut out, profiles).unwrap();
    String::from_utf8(out).unwrap()
}

fn rec() -> Recommender {
    Recommender::new(Dataset::embedded().unwrap())
}

fn samples() -> Vec<Profile> {
    let dir = std::path::PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("data/samples");
    let mut paths: Vec<_> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|x| x == "json"))
        .collect();
    paths.sort();
    paths
        .iter()
        .map(|p| Profile::from_json(&std::fs::read_to_string(p).unwrap()).unwrap())
        .collect()
}

/// Parses the page as XML, allowing its `<!DOCTYPE html>`.
fn parse(html: &str) -> roxmltree::Document<'_> {
    let opts = roxmltree::ParsingOptions {
        allow_dtd: true,
        ..roxmltree::ParsingOptions::default()
    };
    roxmltree::Document::parse_with_options(html, opts).expect("the report is well-formed XML")
}

fn attr<'a>(n: &roxmltree::Node<'a, '_>, a: &str) -> Option<&'a str> {
    n.attribute(a)
}

#[test]
fn the_report_draws_every_candidate_and_numbers_the_matches() {
    let r = rec();
    for p in samples() {
        let resolved = r.resolve(&p).unwrap();
        let opts = Options {
            top_k: 8,
            ..Options::default()
        };
        let html = r
            .report_html(&r.recommend(&resolved, &opts).unwrap())
            .unwrap();
        // Self-contained: no script, image or style comes from elsewhere, and the script
        // asks for nothing.
        assert!(
            !html.contains(" src=") && !html.contains("<link"),
            "nothing fetched"
        );
        for call in ["fetch(", "XMLHttpRequest", "import(", "WebSocket"] {
            assert!(!html.contains(call), "{call}");
        }
        let doc = parse(&html);
        let recs = r.recommend(&resolved, &opts).unwrap();
        // The chart: one point per candidate in the field; those the report's settings
        // admit are shown, and they are exactly the library's matches at any k.
        let points: Vec<_> = doc
            .descendants()
            .filter(|n| {
                n.has_tag_name("circle") && attr(n, "class").is_some_and(|c| c.starts_with("pt"))
            })
            .collect();
        let every = r
            .recommend(
                &resolved,
                &Options {
                    top_k: usize::MAX,
                    ..opts.clone()
                },
            )
            .unwrap();
        let shown: Vec<&str> = points
            .iter()
            .filter(|n| attr(n, "display").is_none())
            .map(|n| attr(n, "data-id").unwrap())
            .collect();
        assert_eq!(shown.len(), every.matches.len(), "{}", p.name());
        for m in &every.matches {
            assert!(shown.contains(&m.id.as_str()), "{} not drawn", m.id);
        }
        let matched: Vec<&str> = points
            .iter()
            .filter(|n| attr(n, "class") == Some("pt match"))
            .map(|n| attr(n, "data-id").unwrap())
            .collect();
        assert_eq!(matched.len(), recs.matches.len());
        // The caption counts what is drawn.
        let caption: String = doc
            .descendants()
            .find(|n| attr(n, "id") == Some("chart-caption"))
            .unwrap()
            .descendants()
            .filter_map(|n| n.text())
            .collect();
        assert!(
            caption.contains(&format!("({} of them)", points.len())),
            "{caption}"
        );
        // The table: the matches in rank order first, every other candidate hidden.
        let rows: Vec<_> = doc
            .descendants()
            .filter(|n| n.has_tag_name("tr") && attr(n, "class") == Some("match"))
            .collect();
        assert_eq!(rows.len(), points.len());
        let visible: Vec<&str> = rows
            .iter()
            .filter(|n| attr(n, "hidden").is_none())
            .map(|n| attr(n, "data-id").unwrap())
            .collect();
        let ranked: Vec<&str> = recs.matches.iter().map(|m| m.id.as_str()).collect();
        assert_eq!(visible, ranked);
        for m in &recs.matches {
            assert!(matched.contains(&m.id.as_str()), "{}", m.id);
            let label = doc
                .descendants()
                .find(|n| {
                    n.has_tag_name("text")
                        && attr(n, "class") == Some("label")
                        && attr(n, "data-id") == Some(m.id.as_str())
                })
                .unwrap_or_else(|| panic!("no label for {}", m.id));
            assert_eq!(label.text(), Some(m.rank.to_string().as_str()));
            // The stacked bar: one rect per component, widths in proportion to the parts.
            let bar = doc
                .descendants()
                .find(|n| {
                    n.has_tag_name("svg")
                        && attr(n, "class") == Some("bar")
                        && attr(n, "data-id") == Some(m.id.as_str())
                })
                .unwrap();
            let widths: HashMap<&str, f64> = bar
                .children()
                .filter(|n| n.has_tag_name("rect"))
                .map(|n| {
                    (
                        attr(&n, "data-component").unwrap(),
                        attr(&n, "width").unwrap().parse().unwrap(),
                    )
                })
                .collect();
            assert_eq!(widths.len(), 7);
            for (c, part) in m.breakdown.iter() {
                let w = widths[c.as_str()];
                assert!((w - 220.0 * part).abs() < 0.01, "{} {c}: {w}", m.id);
            }
            // The table row of the match names it and cites sections.
            let row = doc
                .descendants()
                .find(|n| n.has_tag_name("tr") && attr(n, "data-id") == Some(m.id.as_str()))
                .unwrap();
            let text: String = row.descendants().filter_map(|n| n.text()).collect();
            assert!(text.contains(&m.name));
            assert!(
                text.contains("[Section") || text.contains("[Table"),
                "{text}"
            );
        }
        // The map: a tile per province, the counts adding up to the local matches, the
        // national bodies counted apart, so that the two add up to the list.
        let tiles: Vec<_> = doc
            .descendants()
            .filter(|n| attr(n, "class") == Some("tile"))
            .collect();
        assert_eq!(tiles.len(), 34);
        let counted: usize = doc
            .descendants()
            .filter(|n| attr(n, "class") == Some("count") && attr(n, "display").is_none())
            .flat_map(|g| g.descendants().filter_map(|n| attr(&n, "data-count")))
            .map(|c| c.parse::<usize>().unwrap())
            .sum();
        let national: usize = doc
            .descendants()
            .find(|n| attr(n, "id") == Some("national"))
            .and_then(|n| attr(&n, "data-count"))
            .unwrap()
            .parse()
            .unwrap();
        assert_eq!(
            counted,
            recs.matches.iter().filter(|m| m.province.is_some()).count()
        );
        assert_eq!(counted + national, recs.matches.len());
        // Preferred regions are outlined: exactly when the profile names a region.
        let outlined = tiles
            .iter()
            .filter(|n| attr(n, "data-preferred") == Some("true"))
            .count();
        assert_eq!(
            outlined > 0,
            !p.preferred_regions().is_empty(),
            "{}",
            p.name()
        );
        // The Pareto front's cells are boxed, and the caption speaks of it, only when there
        // is a front.
        let boxed: std::collections::BTreeSet<(&str, &str)> = doc
            .descendants()
            .filter(|n| attr(n, "class") == Some("pareto-cell") && attr(n, "display").is_none())
            .map(|n| {
                (
                    attr(&n, "data-tech").unwrap(),
                    attr(&n, "data-control").unwrap(),
                )
            })
            .collect();
        let front: std::collections::BTreeSet<(String, String)> = recs
            .pareto
            .iter()
            .map(|e| (e.tech.rank().to_string(), e.control.rank().to_string()))
            .collect();
        assert_eq!(
            boxed,
            front
                .iter()
                .map(|(t, c)| (t.as_str(), c.as_str()))
                .collect()
        );
        let line = doc
            .descendants()
            .find(|n| attr(n, "class") == Some("pareto"))
            .unwrap();
        assert_eq!(
            attr(&line, "points").unwrap().is_empty(),
            recs.pareto.is_empty()
        );
        let pareto_caption = doc
            .descendants()
            .find(|n| attr(n, "id") == Some("pareto-caption"))
            .unwrap();
        assert_eq!(
            attr(&pareto_caption, "hidden").is_some(),
            recs.pareto.is_empty()
        );
    }
}

#[test]
fn the_report_can_be_acted_on_links_risk_texts_and_the_data_date() {
    let r = rec();
    for p in samples() {
        let resolved = r.resolve(&p).unwrap();
        let html = r
            .report_html(&r.recommend(&resolved, &Options::default()).unwrap())
            .unwrap();
        let doc = parse(&html);
        let recs = r.recommend(&resolved, &Options::default()).unwrap();
        // The data's date is the first thing under the title.
        let h1 = doc.descendants().find(|n| n.has_tag_name("h1")).unwrap();
        let next = h1.next_sibling_element().unwrap();
        let dated: String = next.descendants().filter_map(|n| n.text()).collect();
        assert!(
            attr(&next, "class") == Some("dated")
                && dated.contains("2018")
                && dated.contains("2010"),
            "{dated}"
        );
        for m in &recs.matches {
            let row = doc
                .descendants()
                .find(|n| n.has_tag_name("tr") && attr(n, "data-id") == Some(m.id.as_str()))
                .unwrap();
            let links: Vec<(String, &str)> = row
                .descendants()
                .filter(|n| n.has_tag_name("a"))
                .map(|a| {
                    (
                        a.descendants()
                            .filter(|n| n.is_text())
                            .filter_map(|n| n.text())
                            .collect(),
                        attr(&a, "href").unwrap(),
                    )
                })
                .collect();
            // Every intermediary with a website is a link to it.
            for i in &m.intermediaries {
                if let Some(site) = &i.website {
                    let link = links.iter().find(|(text, _)| text == &i.name);
                    let (_, href) = link.unwrap_or_else(|| panic!("{} is not a link", i.name));
                    assert!(
                        href.starts_with("http")
                            && href.ends_with(site.trim_start_matches("http://")),
                        "{href} for {site}"
                    );
                }
            }
            // Every risk shows its text, folded in a <details> under its title.
            let details: Vec<String> = row
                .descendants()
                .filter(|n| n.has_tag_name("details"))
                .map(|d| d.descendants().filter_map(|n| n.text()).collect())
                .collect();
            assert_eq!(details.len(), m.risks.len());
            for (risk, shown) in m.risks.iter().zip(&details) {
                assert!(
                    shown.contains(&risk.title) && shown.contains(&risk.text),
                    "{shown}"
                );
            }
        }
    }
}

/// The page's what-if ranking restated in Rust, from the page's own model: what the script
/// computes (see src/report.js), so that a model missing a value the ranking needs fails
/// here too, without a browser. `scripts/whatif-browser.sh` checks the script itself.
fn rank_from_model(m: &serde_json::Value, tol: f64, w: [f64; 7], goals: &[&str]) -> Vec<String> {
    let f = |v: &serde_json::Value| v.as_f64().unwrap();
    let sum: f64 = w.iter().sum();
    let w = w.map(|v| v / sum);
    let names: Vec<&str> = m["goal_names"]
        .as_array()
        .unwrap()
        .iter()
        .map(|g| g.as_str().unwrap())
        .collect();
    let gs: Vec<usize> = (0..names.len())
        .filter(|i| goals.contains(&names[*i]))
        .collect();
    let n = gs.len().max(1) as f64;
    let tech = |t: usize| {
        gs.iter()
            .map(|g| f(&m["tech_fit"][g][t]))
            .fold(0.0, |a, b| a + b)
            / n
    };
    let goal = |k: usize| {
        gs.iter()
            .map(|g| f(&m["affinity"][g][k]))
            .fold(0.0, |a, b| a + b)
            / n
    };
    let control = |c: usize| (1.0 - f(&m["level_value"][c]) * (1.0 - tol)).clamp(0.0, 1.0);
    let business = goals.contains(&"business_support");
    let mut scored: Vec<(f64, String)> = m["candidates"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|c| business || !c["help"].as_bool().unwrap())
        .map(|c| {
            let u = |k: &str| c[k].as_u64().unwrap() as usize;
            let comps = [
                f(&c["sector"]),
                f(&c["region"]),
                tech(u("tech")),
                control(u("control")),
                goal(u("kind")),
                f(&c["reciprocity"]),
                f(&c["evidence"]),
            ];
            let score: f64 = (0..7).map(|i| w[i] * comps[i]).sum();
            (score, c["id"].as_str().unwrap().to_string())
        })
        .filter(|(s, _)| *s >= f(&m["min_score"]))
        .collect();
    scored.sort_by(|a, b| b.0.total_cmp(&a.0).then_with(|| a.1.cmp(&b.1)));
    scored
        .into_iter()
        .take(m["top_k"].as_u64().unwrap() as usize)
        .map(|(_, id)| id)
        .collect()
}

#[test]
fn the_page_model_ranks_as_the_library_does_for_any_settings() {
    let r = rec();
    let mut seed = 7u64;
    let mut unit = move || {
        seed = seed
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        (seed >> 11) as f64 / (1u64 << 53) as f64
    };
    let dir = std::path::PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("data/samples");
    for name in [
        "southern-german-e-mobility",
        "finnish-iot-cloud",
        "portuguese-textiles",
    ] {
        let text = std::fs::read_to_string(dir.join(format!("{name}.json"))).unwrap();
        let p = Profile::from_json(&text).unwrap();
        let html = r
            .report_html(&r.recommend_profile(&p, &Options::default()).unwrap())
            .unwrap();
        let doc = parse(&html);
        let json = doc
            .descendants()
            .find(|n| attr(n, "id") == Some("model"))
            .and_then(|n| n.text())
            .unwrap();
        let model: serde_json::Value = serde_json::from_str(json).unwrap();
        for _ in 0..40 {
            let tol = (unit() * 21.0).floor() / 20.0;
            let w = [0; 7].map(|_| (unit() * 101.0).floor() / 100.0 + 0.001);
            let goals: Vec<&str> = eccp_china::Goal::ALL
                .map(|g| g.as_str())
                .into_iter()
                .filter(|_| unit() < 0.4)
                .collect();
            let goals = if goals.is_empty() {
                vec!["sourcing"]
            } else {
                goals
            };
            let mut v: serde_json::Value = serde_json::from_str(&text).unwrap();
            v["control_tolerance"] = tol.into();
            v["goals"] = goals.clone().into();
            let mut opts = Options::default();
            for (c, x) in eccp_china::Component::ALL.into_iter().zip(w) {
                opts.weights.set(c, x);
            }
            let lib: Vec<String> = r
                .recommend_profile(&Profile::from_json(&v.to_string()).unwrap(), &opts)
                .unwrap()
                .matches
                .into_iter()
                .map(|m| m.id)
                .collect();
            assert_eq!(
                rank_from_model(&model, tol, w, &goals),
                lib,
                "{name} tol {tol} w {w:?} goals {goals:?}"
            );
        }
    }
}

#[test]
fn the_report_shows_input_that_did_not_resolve() {
    let r = rec();
    let p = Profile::from_json(
        r#"{"name": "x", "country": "DE", "sectors": ["wind"], "keywords": ["<b>zzz</b>"]}"#,
    )
    .unwrap();
    let html = r
        .report_html(&r.recommend_profile(&p, &Options::default()).unwrap())
        .unwrap();
    let doc = parse(&html);
    let warn: String = doc
        .descendants()
        .filter(|n| attr(n, "class") == Some("warn"))
        .filter_map(|n| n.text())
        .collect();
    assert!(warn.contains("<b>zzz</b>"), "escaped and shown: {warn}");
}

#[test]
fn profiles_round_trip_through_csv_with_the_same_recommendations() {
    let r = rec();
    let profiles = samples();
    let csv = profiles_to_csv(&profiles);
    let back = profiles_from_csv("samples.csv", &csv, false).unwrap();
    assert!(back.skipped.is_empty());
    let read: Vec<Profile> = back.profiles.into_iter().map(|(_, p)| p).collect();
    assert_eq!(read, profiles);
    let run = |ps: &[Profile]| {
        let all: Vec<_> = ps
            .iter()
            .map(|p| r.recommend_profile(p, &Options::default()).unwrap())
            .collect();
        matches_to_csv(&all)
    };
    let out = run(&read);
    assert_eq!(out, run(&profiles));
    // One row per cluster and match, with the breakdown columns adding up to the score.
    let mut rd = csv::Reader::from_reader(out.as_bytes());
    let header = rd.headers().unwrap().clone();
    let col = |name: &str| header.iter().position(|h| h == name).unwrap();
    let rows: Vec<csv::StringRecord> = rd.records().map(Result::unwrap).collect();
    assert_eq!(rows.len(), 10 * profiles.len());
    for row in &rows {
        let parts: f64 = eccp_china::Component::ALL
            .iter()
            .map(|c| c.as_str())
            .map(|c| row[col(c)].parse::<f64>().unwrap())
            .sum();
        // Four decimals each: the parts add up to the score within their rounding.
        assert!((parts - row[col("score")].parse::<f64>().unwrap()).abs() <= 8.0 * 0.5e-4);
        for c in ["score", "sector", "evidence"] {
            let cell = &row[col(c)];
            assert_eq!(
                cell.split('.').nth(1).map(str::len),
                Some(4),
                "{c} = {cell}"
            );
        }
    }
}

#[test]
fn bad_csv_rows_stop_the_run_or_are_skipped_with_their_line() {
    let text = "name,country,sectors,goals\n\
                Good cluster,DE,wind energy;solar,market_access\n\
                Bad country,US,textiles,\n\
                \"Quoted, with comma\",FR,pharmaceuticals,rd_cooperation\n\
                No sector,IT,,\n";
    let e = profiles_from_csv("in.csv", text, false).unwrap_err();
    assert!(e.to_string().contains("in.csv line 3"), "{e}");
    let rows = profiles_from_csv("in.csv", text, true).unwrap();
    assert_eq!(
        rows.profiles
            .iter()
            .map(|(l, p)| (*l, p.name()))
            .collect::<Vec<_>>(),
        [(2, "Good cluster"), (4, "Quoted, with comma")]
    );
    assert_eq!(
        rows.skipped.iter().map(|s| s.line).collect::<Vec<_>>(),
        [3, 5]
    );
    assert_eq!(rows.profiles[0].1.sectors(), ["wind energy", "solar"]);
    let e = profiles_from_csv("in.csv", "name,country,sector\nx,DE,wind\n", false).unwrap_err();
    assert!(e.to_string().contains("sectors"), "{e}");
}

/// Whether a spreadsheet would read the cell as a formula.
fn is_formula(cell: &str) -> bool {
    cell.starts_with(['=', '+', '-', '@', '\t', '\r'])
}

#[test]
fn every_text_column_of_the_matches_csv_is_neutralised() {
    // Every text a match row carries, made to start with each character a spreadsheet
    // evaluates: none reaches the file as a formula, and each shows with a leading `'`.
    let r = rec();
    let base = r
        .recommend_profile(&samples()[0], &Options::default())
        .unwrap();
    for start in ["=", "+", "-", "@", "\t", "\r"] {
        let mut recs = base.clone();
        let f = |s: &mut String| *s = format!("{start}HYPERLINK(\"http://x\";\"{s}\")");
        f(&mut recs.profile.name);
        f(&mut recs.profile.country);
        for m in &mut recs.matches {
            f(&mut m.id);
            f(&mut m.name);
            for o in [&mut m.province, &mut m.city, &mut m.macro_region] {
                f(o.get_or_insert_with(String::new));
            }
            for x in &mut m.reasons {
                f(&mut x.text);
                f(&mut x.source);
            }
            for x in &mut m.risks {
                f(&mut x.title);
            }
            for x in &mut m.intermediaries {
                f(&mut x.name);
            }
        }
        let out = matches_to_csv(&[recs]);
        let mut rd = csv::Reader::from_reader(out.as_bytes());
        let header = rd.headers().unwrap().clone();
        let text_columns = [
            "cluster",
            "country",
            "id",
            "name",
            "province",
            "city",
            "macro_region",
            "top_reason",
            "reason_source",
            "risks",
            "intermediaries",
        ];
        let rows: Vec<csv::StringRecord> = rd.records().map(Result::unwrap).collect();
        assert_eq!(rows.len(), 10);
        for row in &rows {
            for (h, cell) in header.iter().zip(row.iter()) {
                assert!(!is_formula(cell), "{h} = {cell:?}");
                if text_columns.contains(&h) {
                    assert!(cell.starts_with(&format!("'{start}")), "{h} = {cell:?}");
                }
            }
        }
    }
}

#[test]
fn profiles_round_trip_through_csv_whatever_their_text_holds() {
    // Separators, quotes, formula starts and apostrophes in every text field.
    let input = eccp_china::ProfileInput {
        name: "=SUM(A1:A9); \"quoted\", 'x'".into(),
        country: "DE".into(),
        sectors: vec!["wind energy".into(), "a;b \\ c".into()],
        keywords: vec!["-minus".into(), "'=apostrophe".into(), "@at".into()],
        tech_level: None,
        control_tolerance: Some(0.25),
        goals: vec!["market_access".into()],
        preferred_regions: vec!["+plus;more".into()],
        members: Some(12),
    };
    let p = Profile::try_from(input).unwrap();
    let csv = profiles_to_csv(std::slice::from_ref(&p));
    let back = profiles_from_csv("p.csv", &csv, false).unwrap();
    assert_eq!(back.profiles, [(2, p)]);
    for line in csv.lines() {
        for cell in csv::ReaderBuilder::new()
            .has_headers(false)
            .from_reader(line.as_bytes())
            .records()
            .next()
            .unwrap()
            .unwrap()
            .iter()
        {
            assert!(!is_formula(cell), "{cell:?}");
        }
    }
}

#[test]
fn a_bad_row_costs_that_row_only() {
    // An unterminated quote, a cell too many, text that is not UTF-8 and an unknown sector:
    // each is one skipped row with its line; the rows after them are read.
    let mut text = b"name,country,sectors\n\
        One,DE,wind energy\n\
        \"Two unterminated,DE,solar\n\
        Three,FR,pharmaceuticals\n\
        Four,IT,textiles,extra\n\
        Five,"
        .to_vec();
    text.extend_from_slice(b"\xff\xfe,automotive\nSix,ES,zzzzqqq\nSeven,NL,automotive\n");
    let mut good = Vec::new();
    let mut bad = Vec::new();
    let r = rec();
    for row in ProfileReader::new("in.csv", &text[..]).unwrap() {
        match row.unwrap().and_then(|(line, p)| {
            r.resolve(&p)
                .map(|_| (line, p))
                .map_err(|error| eccp_china::csvio::RowError { line, error })
        }) {
            Ok((line, p)) => good.push((line, p.name().to_string())),
            Err(e) => bad.push(e.line),
        }
    }
    assert_eq!(
        good,
        [
            (2, "One".to_string()),
            (4, "Three".to_string()),
            (8, "Seven".to_string())
        ]
    );
    assert_eq!(bad, [3, 5, 6, 7]);
}

#[test]
fn a_profiles_header_is_checked_and_a_bom_ignored() {
    let e =
        profiles_from_csv("in.csv", "name,country,sectors,name\nx,DE,wind,y\n", false).unwrap_err();
    assert!(
        e.to_string().contains("`name`") && e.to_string().contains("twice"),
        "{e}"
    );
    let e = profiles_from_csv("in.csv", "name,country,sectors,colour\n", false).unwrap_err();
    assert!(e.to_string().contains("colour"), "{e}");
    let rows =
        profiles_from_csv("in.csv", "\u{feff}name,country,sectors\nx,DE,wind\n", false).unwrap();
    assert_eq!(rows.profiles.len(), 1);
    // A line over the cap ends the file: it cannot be told where the next row starts.
    let long = format!(
        "name,country,sectors\n{},DE,wind\nnext,DE,wind\n",
        "x".repeat(eccp_china::limits::CSV_ROW_BYTES + 10)
    );
    let mut rows = ProfileReader::new("in.csv", long.as_bytes()).unwrap();
    let e = rows.next().unwrap().unwrap_err();
    assert!(matches!(e, eccp_china::Error::Io { .. }), "{e:?}");
    assert!(rows.next().is_none());
    // Profiles written to any writer read back.
    let mut buf = Vec::new();
    write_profiles(&mut buf, &samples()).unwrap();
    assert_eq!(
        ProfileReader::new("s.csv", &buf[..]).unwrap().count(),
        samples().len()
    );
}

#[test]
fn text_output_holds_no_control_characters() {
    let r = rec();
    let mut recs = r
        .recommend_profile(&samples()[0], &Options::default())
        .unwrap();
    recs.profile.name = "Evil\u{1b}[2J\rname".into();
    recs.matches[0].name = "bell\u{7}".into();
    let text = recs.to_text();
    assert!(!text.chars().any(|c| c.is_control() && c != '\n'), "{text}");
    assert!(text.contains("Evil\u{FFFD}[2J\u{FFFD}name"));
}

#[test]
fn control_characters_in_a_profile_are_refused_by_name() {
    let e = Profile::from_json(r#"{"name": "a\u001b[31m", "country": "DE", "sectors": ["wind"]}"#)
        .unwrap_err();
    assert!(
        e.to_string().contains("name") && e.to_string().contains("U+001B"),
        "{e}"
    );
    assert!(!e.to_string().chars().any(char::is_control));
    let e =
        Profile::from_json(r#"{"name": "a", "country": "DE", "sectors": ["wi\nnd"]}"#).unwrap_err();
    assert!(e.to_string().contains("sectors[0]"), "{e}");
    // A byte-order mark before the JSON is not an error.
    let p = Profile::from_json(
        "\u{feff}{\"name\": \"a\", \"country\": \"DE\", \"sectors\": [\"wind\"]}",
    );
    assert!(p.is_ok(), "{p:?}");
    let p = Profile::from_reader(
        "bom.json",
        &b"\xEF\xBB\xBF{\"name\": \"a\", \"country\": \"DE\", \"sectors\": [\"wind\"]}"[..],
    );
    assert!(p.is_ok(), "{p:?}");
    // A reader that never ends stops at the cap.
    let e = Profile::from_reader("zeros", std::io::repeat(b' ')).unwrap_err();
    assert!(matches!(e, eccp_china::Error::Io { .. }), "{e:?}");
}

/// A reader that hands over one line per `fill_buf`, and counts the lines handed over.
struct OneLineAtATime<'a> {
    lines: std::collections::VecDeque<Vec<u8>>,
    current: Vec<u8>,
    pos: usize,
    handed: &'a std::cell::Cell<usize>,
}

impl std::io::Read for OneLineAtATime<'_> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let n = {
            let available = std::io::BufRead::fill_buf(self)?;
            let n = available.len().min(buf.len());
            buf[..n].copy_from_slice(&available[..n]);
            n
        };
        std::io::BufRead::consume(self, n);
        Ok(n)
    }
}

impl std::io::BufRead for OneLineAtATime<'_> {
    fn fill_buf(&mut self) -> std::io::Result<&[u8]> {
        if self.pos == self.current.len() {
            if let Some(next) = self.lines.pop_front() {
                self.current = next;
                self.pos = 0;
                self.handed.set(self.handed.get() + 1);
            }
        }
        Ok(&self.current[self.pos..])
    }

    fn consume(&mut self, n: usize) {
        self.pos += n;
    }
}

#[test]
fn a_batch_hands_over_each_row_before_reading_the_next() {
    // Streaming, observed: when a row's matches are handed over, the reader has given out
    // the header and the rows up to that one, no more; memory cannot grow with the file.
    let handed = std::cell::Cell::new(0);
    let mut lines = std::collections::VecDeque::new();
    lines.push_back(b"name,country,sectors\n".to_vec());
    for i in 0..50 {
        lines.push_back(format!("Cluster {i},DE,wind energy\n").into_bytes());
    }
    let reader = OneLineAtATime {
        lines,
        current: Vec::new(),
        pos: 0,
        handed: &handed,
    };
    let r = rec();
    let mut seen = 0;
    let summary = eccp_china::csvio::recommend_rows(
        &r,
        ProfileReader::new("stream.csv", reader).unwrap(),
        &Options::default(),
        false,
        |_, _, m| {
            seen += 1;
            assert_eq!(m.profile.name, format!("Cluster {}", seen - 1));
            assert_eq!(
                handed.get(),
                1 + seen,
                "rows read ahead of the one handed over"
            );
            Ok(())
        },
        |_| unreachable!("every row is good"),
    )
    .unwrap();
    assert_eq!((summary.read, summary.written, seen), (50, 50, 50));
}

/// The sentences written under each match of a text output, in rank order: its bullet lines
/// with their `[source]` cut off, split at sentence ends.
fn sentences_by_match(text: &str) -> Vec<Vec<String>> {
    let mut out: Vec<Vec<String>> = Vec::new();
    let mut inside = false;
    for line in text.lines() {
        let t = line.trim_start();
        let is_rank = t
            .split_once(". ")
            .is_some_and(|(n, _)| !n.is_empty() && n.chars().all(|c| c.is_ascii_digit()));
        if is_rank && line.len() - t.len() <= 1 {
            out.push(Vec::new());
            inside = true;
        } else if line.is_empty() {
            inside = false;
        } else if inside {
            if let Some(b) = line.strip_prefix("      - ") {
                let b = b.rfind(" [").map_or(b, |i| &b[..i]);
                let last = out.last_mut().unwrap();
                last.extend(
                    b.split(". ")
                        .map(|s| s.trim_end_matches('.').trim().to_string())
                        .filter(|s| !s.is_empty()),
                );
            }
        }
    }
    out
}

#[test]
fn text_output_says_each_thing_once_and_the_field_block_holds_what_matches_share() {
    let r = rec();
    for p in samples() {
        let recs = r.recommend_profile(&p, &Options::default()).unwrap();
        let text = recs.to_text();
        let by_match = sentences_by_match(&text);
        assert_eq!(by_match.len(), recs.matches.len(), "{text}");
        // Count, for each sentence, the matches it is written under.
        let mut under: HashMap<&str, Vec<usize>> = HashMap::new();
        for (i, sentences) in by_match.iter().enumerate() {
            let mut seen = std::collections::HashSet::new();
            for s in sentences.iter().filter(|s| seen.insert(s.as_str())) {
                under.entry(s.as_str()).or_default().push(i + 1);
            }
        }
        let repeated: Vec<_> = under.iter().filter(|(_, v)| v.len() > 1).collect();
        assert!(
            repeated.is_empty(),
            "{}: sentences under more than one match: {repeated:?}",
            p.name()
        );
        // Nothing is dropped: whatever a match's full data holds is under it or in the
        // field block with its rank.
        let f = &recs.field;
        for m in &recs.matches {
            for x in &m.reasons {
                let shared = f
                    .reasons
                    .iter()
                    .any(|s| s.item.text == x.text && s.ranks.contains(&m.rank));
                assert_eq!(shared, f.has_reason(x), "{}", x.text);
                assert!(
                    shared || text.contains(&x.text),
                    "{} lost: {}",
                    p.name(),
                    x.text
                );
            }
            for x in &m.risks {
                let shared = f
                    .risks
                    .iter()
                    .any(|s| s.item.id == x.id && s.ranks.contains(&m.rank));
                assert_eq!(shared, f.has_risk(x), "{}", x.id);
            }
            for x in &m.intermediaries {
                let shared = f
                    .intermediaries
                    .iter()
                    .any(|s| s.item.id == x.id && s.item.why == x.why && s.ranks.contains(&m.rank));
                assert_eq!(shared, f.has_intermediary(x), "{}", x.id);
            }
        }
        // What two matches share is in the block, and the block holds nothing else.
        let mut count: HashMap<&str, usize> = HashMap::new();
        for m in &recs.matches {
            for x in &m.risks {
                *count.entry(x.id.as_str()).or_default() += 1;
            }
        }
        for (id, n) in count {
            assert_eq!(
                n >= 2,
                f.risks.iter().any(|s| s.item.id == id),
                "{}: risk {id} under {n} matches",
                p.name()
            );
        }
        if recs.matches.len() >= 2 && !f.is_empty() {
            assert!(text.contains("For your field"), "{text}");
        }
        // JSON keeps every match's full lists, with the block beside them.
        let v: serde_json::Value = serde_json::from_str(&recs.to_json()).unwrap();
        assert_eq!(
            v["matches"][0]["reasons"].as_array().unwrap().len(),
            recs.matches[0].reasons.len()
        );
        assert!(v["field"]["risks"].is_array() && v["field"]["reasons"].is_array());
        if let Some(s) = f.reasons.first() {
            assert_eq!(v["field"]["reasons"][0]["text"], s.item.text.as_str());
            assert_eq!(v["field"]["reasons"][0]["ranks"][0], s.ranks[0]);
        }
    }
}

#[test]
fn the_report_renders_the_recommendations_it_is_given() {
    let r = rec();
    let mut recs = r
        .recommend_profile(&samples()[0], &Options::default())
        .unwrap();
    recs.matches.truncate(2);
    let html = r.report_html(&recs).unwrap();
    let doc = parse(&html);
    let visible: Vec<&str> = doc
        .descendants()
        .filter(|n| n.has_tag_name("tr") && attr(n, "class") == Some("match"))
        .filter(|n| attr(n, "hidden").is_none())
        .map(|n| attr(&n, "data-id").unwrap())
        .collect();
    let given: Vec<&str> = recs.matches.iter().map(|m| m.id.as_str()).collect();
    assert_eq!(visible, given);
}

#[test]
fn the_report_says_why_the_next_candidates_are_not_on_the_list() {
    let r = rec();
    let p = &samples()[0];
    let opts = Options {
        top_k: 5,
        ..Options::default()
    };
    let recs = r.recommend_profile(p, &opts).unwrap();
    let html = r.report_html(&recs).unwrap();
    let doc = parse(&html);
    let shown: Vec<(&str, String)> = doc
        .descendants()
        .filter(|n| n.has_tag_name("details") && attr(n, "class") == Some("whynot"))
        .map(|n| {
            let pre = n.descendants().find(|x| x.has_tag_name("pre")).unwrap();
            (
                attr(&n, "data-id").unwrap(),
                pre.text().unwrap_or("").to_string(),
            )
        })
        .collect();
    // The next candidates after the list, in rank order, each with the library's answer.
    let all = r
        .recommend_profile(
            p,
            &Options {
                top_k: usize::MAX,
                ..Options::default()
            },
        )
        .unwrap();
    let next: Vec<&str> = all
        .matches
        .iter()
        .skip(5)
        .take(shown.len())
        .map(|m| m.id.as_str())
        .collect();
    assert!(!shown.is_empty());
    assert_eq!(shown.iter().map(|s| s.0).collect::<Vec<_>>(), next);
    let resolved = r.resolve(p).unwrap();
    for (id, text) in &shown {
        let w = r.why_not(&resolved, &opts, id).unwrap();
        assert_eq!(text, w.to_text().trim_end());
    }
}

/// What every output must say next to a note with a stated window, at `as_of`: the start
/// of its status.
fn expected_status(
    w: &eccp_china::data::NotePeriod,
    as_of: eccp_china::score::YearMonth,
) -> String {
    if w.has_ended(as_of) {
        format!("ended {}: ", w.end())
    } else {
        format!("runs to {} by ", w.end())
    }
}

#[test]
fn no_closed_window_is_presented_as_running_in_any_output() {
    use eccp_china::score::YearMonth;
    let r = rec();
    let dated: Vec<_> = r
        .dataset()
        .policy_notes()
        .iter()
        .filter_map(|n| n.period().map(|w| (n, w)))
        .collect();
    let mut seen_ended = 0;
    let mut seen_running = 0;
    for month in ["2018-06", "2026-11"] {
        let as_of = YearMonth::parse(month).unwrap();
        let options = Options {
            as_of: Some(as_of),
            ..Options::default()
        };
        for p in samples() {
            let recs = r.recommend_profile(&p, &options).unwrap();
            let expect = |text: &str| -> Option<(String, &str)> {
                dated
                    .iter()
                    .find(|(n, _)| text.contains(n.text()))
                    .map(|(n, w)| (expected_status(w, as_of), n.id()))
            };
            // Text: every line that shows a dated note shows its status after it.
            let text = recs.to_text();
            for line in text.lines() {
                if let Some((status, id)) = expect(line) {
                    assert!(
                        line.contains(&format!("({status}")),
                        "{}, {month}: {id} without `{status}`: {line}",
                        p.name()
                    );
                    if status.starts_with("ended") {
                        seen_ended += 1;
                    } else {
                        seen_running += 1;
                    }
                }
            }
            // JSON: every reason or risk from a dated note carries its status.
            fn walk(
                v: &serde_json::Value,
                f: &mut dyn FnMut(&serde_json::Map<String, serde_json::Value>),
            ) {
                match v {
                    serde_json::Value::Object(o) => {
                        f(o);
                        o.values().for_each(|x| walk(x, f));
                    }
                    serde_json::Value::Array(a) => a.iter().for_each(|x| walk(x, f)),
                    _ => {}
                }
            }
            let json: serde_json::Value = serde_json::from_str(&recs.to_json()).unwrap();
            let mut items = 0;
            walk(&json, &mut |o| {
                let Some(t) = o.get("text").and_then(|t| t.as_str()) else {
                    return;
                };
                if let Some((status, id)) = expect(t) {
                    items += 1;
                    let got = o.get("status").and_then(|s| s.as_str()).unwrap_or("");
                    assert!(got.starts_with(&status), "{month}: {id}: `{got}`");
                }
            });
            assert!(text.lines().filter(|l| expect(l).is_some()).count() <= items);
            // HTML: each reason (a list item) and risk (a details block) of a dated note shows
            // its status beside it.
            let html = r.report_html(&recs).unwrap();
            let doc = parse(&html);
            for node in doc
                .descendants()
                .filter(|n| n.has_tag_name("li") || n.has_tag_name("details"))
            {
                let shown: String = node.descendants().filter_map(|n| n.text()).collect();
                if let Some((status, id)) = expect(&shown) {
                    assert!(
                        shown.contains(&format!("({status}")),
                        "{month}: {id} without `{status}` in the report: {shown}"
                    );
                }
            }
            // CSV: a dated risk's title carries its status, the cell neutralised.
            let csv = matches_to_csv(std::slice::from_ref(&recs));
            let mut rows = csv::Reader::from_reader(csv.as_bytes());
            let risks_at = rows
                .headers()
                .unwrap()
                .iter()
                .position(|h| h == "risks")
                .unwrap();
            for (row, m) in rows.records().zip(&recs.matches) {
                let cell = row.unwrap()[risks_at].to_string();
                for x in m.risks.iter() {
                    if let Some(st) = &x.status {
                        assert!(cell.contains(&format!("{} ({st})", x.title)), "{cell}");
                    }
                }
                assert!(!is_formula(&cell), "{cell}");
            }
        }
    }
    assert!(
        seen_ended >= 5 && seen_running >= 5,
        "{seen_ended} ended, {seen_running} running lines"
    );
}

#[test]
fn the_report_says_why_each_match_is_above_the_next() {
    let r = rec();
    for p in samples() {
        let recs = r.recommend_profile(&p, &Options::default()).unwrap();
        let html = r.report_html(&recs).unwrap();
        let doc = parse(&html);
        let shown: Vec<(&str, &str, String)> = doc
            .descendants()
            .filter(|n| n.has_tag_name("details") && attr(n, "class") == Some("above"))
            .map(|n| {
                let pre = n.descendants().find(|x| x.has_tag_name("pre")).unwrap();
                (
                    attr(&n, "data-a").unwrap(),
                    attr(&n, "data-b").unwrap(),
                    pre.text().unwrap_or("").to_string(),
                )
            })
            .collect();
        // One for each match and the next, in order, each the library's comparison.
        assert_eq!(shown.len(), recs.matches.len() - 1, "{}", p.name());
        let resolved = r.resolve(&p).unwrap();
        for ((a, b, text), pair) in shown.iter().zip(recs.matches.windows(2)) {
            assert_eq!((*a, *b), (pair[0].id.as_str(), pair[1].id.as_str()));
            let c = r.compare(&resolved, &Options::default(), a, b).unwrap();
            assert_eq!(text, c.to_text().trim_end());
            assert!((c.gap - (pair[0].score - pair[1].score)).abs() < 1e-12);
        }
    }
}
