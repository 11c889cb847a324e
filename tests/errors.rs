//! Untrusted input: every bad profile, option or data file is an error that names the field
//! and says how to fix it; nothing panics; hostile sizes are refused cheaply.

use eccp_china::{
    limits, resolve::Matcher, Dataset, Error, Options, Profile, ProfileInput, Recommender, Weights,
};
use std::time::{Duration, Instant};

fn rec() -> Recommender {
    Recommender::new(Dataset::embedded().unwrap())
}

/// The error for a profile given as JSON, resolved and recommended.
fn error_of(json: &str) -> Error {
    let r = rec();
    match Profile::from_json(json) {
        Err(e) => e,
        Ok(p) => r
            .recommend_profile(&p, &Options::default())
            .expect_err("should fail"),
    }
}

fn assert_mentions(e: &Error, words: &[&str]) {
    let s = e.to_string();
    for w in words {
        assert!(s.contains(w), "`{s}` should mention `{w}`");
    }
}

#[test]
fn each_kind_of_bad_profile_has_a_clear_error() {
    let cases: &[(&str, &[&str])] = &[
        (
            "{\"name\": \"x\",\n  \"country\": \"DE\",\n  \"sectors\": [\"wind\"],,}",
            &["line 3"],
        ),
        (
            r#"{"name": "x", "country": "DE", "sectors": ["wind"], "colour": "red"}"#,
            &["unknown field `colour`", "expected one of"],
        ),
        (
            r#"{"name": "x", "sectors": ["wind"]}"#,
            &["missing field `country`"],
        ),
        (
            r#"{"name": "x", "country": "DE", "sectors": []}"#,
            &["`sectors`", "at least one"],
        ),
        (
            r#"{"name": "x", "country": "DE", "sectors": ["zzyzx qwerty"]}"#,
            &["sectors[0]", "matches no sector"],
        ),
        (
            r#"{"name": "x", "country": "DE", "sectors": ["wind"], "preferred_regions": ["Atlantis"]}"#,
            &["preferred_regions[0]", "Atlantis"],
        ),
        (
            r#"{"name": "x", "country": "DE", "sectors": ["wind"], "goals": ["world domination"]}"#,
            &["goals[0]", "market_access"],
        ),
        (
            r#"{"name": "x", "country": "DE", "sectors": ["wind"], "control_tolerance": 1.5}"#,
            &["control_tolerance", "between 0.0"],
        ),
        (
            r#"{"name": "x", "country": "US", "sectors": ["wind"]}"#,
            &["country", "European"],
        ),
        (
            r#"{"name": "x", "country": "Deutschland", "sectors": ["wind"]}"#,
            &["country", "ISO 3166-1"],
        ),
        (
            r#"{"name": "  ", "country": "DE", "sectors": ["wind"]}"#,
            &["name", "empty"],
        ),
        (
            r#"{"name": "x", "country": "DE", "sectors": ["wind"], "tech_level": "extreme"}"#,
            &["unknown variant `extreme`", "low"],
        ),
        (r#"[1, 2, 3]"#, &["invalid type"]),
    ];
    for (json, words) in cases {
        assert_mentions(&error_of(json), words);
    }
}

#[test]
fn misspelt_names_get_suggestions() {
    for (json, want) in [
        (
            r#"{"name": "x", "country": "DE", "sectors": ["biotek"]}"#,
            "biotech",
        ),
        (
            r#"{"name": "x", "country": "DE", "sectors": ["wind"], "goals": ["sorcing"]}"#,
            "sourcing",
        ),
        (
            r#"{"name": "x", "country": "Germany", "sectors": ["wind"]}"#,
            "DE",
        ),
        (
            r#"{"name": "x", "country": "DE", "sectors": ["wind"], "preferred_regions": ["Guangdonggg provinnnce"]}"#,
            "Guangdong",
        ),
    ] {
        let e = error_of(json);
        assert!(
            e.suggestions().iter().any(|s| s.contains(want)),
            "{e}: {:?}",
            e.suggestions()
        );
    }
}

#[test]
fn bad_weights_and_options_name_the_option() {
    let p = Profile::from_json(r#"{"name": "x", "country": "DE", "sectors": ["wind"]}"#).unwrap();
    for (weights, option) in [
        (
            Weights {
                region: -1.0,
                ..Weights::default()
            },
            "weights.region",
        ),
        (
            Weights {
                control: f64::NAN,
                ..Weights::default()
            },
            "weights.control",
        ),
        (
            Weights {
                evidence: f64::INFINITY,
                ..Weights::default()
            },
            "weights.evidence",
        ),
    ] {
        let e = rec()
            .recommend_profile(
                &p,
                &Options {
                    weights,
                    ..Options::default()
                },
            )
            .unwrap_err();
        assert_mentions(&e, &[option]);
    }
}

#[test]
fn a_profile_built_in_code_is_checked_the_same_way() {
    let base = ProfileInput {
        name: "x".into(),
        country: "DE".into(),
        sectors: vec!["wind".into()],
        ..ProfileInput::default()
    };
    for (input, field) in [
        (
            ProfileInput {
                control_tolerance: Some(f64::NAN),
                ..base.clone()
            },
            "control_tolerance",
        ),
        (
            ProfileInput {
                sectors: vec![String::new()],
                ..base.clone()
            },
            "sectors[0]",
        ),
        (
            ProfileInput {
                keywords: vec!["k".into(); limits::KEYWORDS + 1],
                ..base.clone()
            },
            "keywords",
        ),
        (
            ProfileInput {
                preferred_regions: vec!["r".into(); limits::REGIONS + 1],
                ..base.clone()
            },
            "preferred_regions",
        ),
        (
            ProfileInput {
                name: "n".repeat(limits::NAME_CHARS + 1),
                ..base.clone()
            },
            "name",
        ),
    ] {
        assert_mentions(&Profile::try_from(input).unwrap_err(), &[field]);
    }
}

#[test]
fn hostile_sizes_are_refused_cheaply() {
    let start = Instant::now();
    // A megabyte-long keyword, typed into a form.
    let huge = "x".repeat(1 << 20);
    let e = Profile::try_from(ProfileInput {
        name: "x".into(),
        country: "DE".into(),
        sectors: vec!["wind".into()],
        keywords: vec![huge.clone()],
        ..ProfileInput::default()
    })
    .unwrap_err();
    assert_mentions(&e, &["keywords[0]", "the limit is 100"]);
    // The same through the matcher directly, which has no profile around it.
    assert!(Matcher::new(Dataset::embedded().unwrap())
        .resolve_sector(&huge)
        .is_none());
    assert!(Matcher::new(Dataset::embedded().unwrap())
        .resolve_region(&huge)
        .is_none());
    // A megabyte of JSON, and JSON nested ten thousand deep.
    let e = Profile::from_json(&format!("{{\"name\": \"{huge}\"}}")).unwrap_err();
    assert_mentions(&e, &["bytes", "the limit"]);
    let deep = format!("{}{}", "[".repeat(10_000), "]".repeat(10_000));
    assert!(matches!(Profile::from_json(&deep), Err(Error::Json { .. })));
    // Longest allowed terms everywhere still resolve quickly.
    let long = "renewable energy "
        .repeat(6)
        .chars()
        .take(limits::TERM_CHARS)
        .collect::<String>();
    let p = Profile::try_from(ProfileInput {
        name: "x".into(),
        country: "DE".into(),
        sectors: vec![long.clone(); limits::SECTORS],
        keywords: vec![long; limits::KEYWORDS],
        ..ProfileInput::default()
    })
    .unwrap();
    rec().recommend_profile(&p, &Options::default()).unwrap();
    // Not a benchmark: a guard against quadratic blow-ups, with a margin of orders of magnitude.
    assert!(
        start.elapsed() < Duration::from_secs(5),
        "{:?}",
        start.elapsed()
    );
}

#[test]
fn invalid_utf8_is_an_error_with_a_position() {
    let e = Profile::from_json_bytes(b"{\"name\": \"a\xffb\"}").unwrap_err();
    match e {
        Error::Json { line, message, .. } => {
            assert_eq!(line, 1);
            assert!(message.contains("UTF-8"), "{message}");
        }
        other => panic!("{other:?}"),
    }
}

#[test]
fn user_data_files_report_duplicate_and_dangling_ids() {
    let rec = |id: &str, extra: &str| {
        format!(
            r#"{{"id": "{id}", "kind": "industrial_cluster", "name": "Name {id}", "sectors": ["furniture"],
               "formal_organisation": false, "sources": [{{"ref": "External: registry"}}]{extra}}}"#
        )
    };
    let dup = format!(
        r#"{{"partners": [{}, {}]}}"#,
        rec("a-b", ""),
        rec("a-b", "")
    );
    let e = Dataset::builder()
        .partners_json("mine.json", dup)
        .build()
        .unwrap_err();
    assert_mentions(&e, &["mine.json", "a-b", "duplicate"]);
    let dangling = format!(
        r#"{{"partners": [{}]}}"#,
        rec("a-c", r#", "part_of": "ghost""#)
    );
    let e = Dataset::builder()
        .partners_json("mine.json", dangling)
        .build()
        .unwrap_err();
    assert_mentions(&e, &["mine.json", "a-c", "part_of", "ghost"]);
}

#[test]
fn an_io_error_keeps_its_source() {
    use std::error::Error as _;
    let e = eccp_china::Dataset::builder()
        .partners_file("/nonexistent/partners.json")
        .unwrap_err();
    let source = e.source().expect("the io error is kept");
    let io = source
        .downcast_ref::<eccp_china::IoSource>()
        .expect("an IoSource");
    assert_eq!(io.get().kind(), std::io::ErrorKind::NotFound);
    assert!(e.to_string().contains("/nonexistent/partners.json"), "{e}");
}
