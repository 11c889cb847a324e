//! A user's own partner file: added to or correcting the embedded data, with the same
//! validation, and errors that name the file, the record and the field.

use eccp_china::{Dataset, Error, Kind, Level};
use eccp_china::{Options, Profile, Recommender};

/// A valid partner record with one field replaced by `field: value` (raw JSON).
fn record(id: &str, patch: &[(&str, &str)]) -> String {
    let mut fields = vec![
        ("id", format!("\"{id}\"")),
        ("kind", "\"industrial_cluster\"".to_string()),
        ("name", format!("\"Test cluster {id}\"")),
        ("province", "\"guangdong\"".to_string()),
        ("place", "\"foshan\"".to_string()),
        ("sectors", "[\"furniture\"]".to_string()),
        ("formal_organisation", "false".to_string()),
        (
            "sources",
            "[{\"ref\": \"External: Foshan furniture association member list, 2024\"}]".to_string(),
        ),
    ];
    for (k, v) in patch {
        match fields.iter_mut().find(|(f, _)| f == k) {
            Some(slot) => slot.1 = v.to_string(),
            None => fields.push((k, v.to_string())),
        }
    }
    let body: Vec<String> = fields
        .iter()
        .filter(|(_, v)| !v.is_empty())
        .map(|(k, v)| format!("\"{k}\": {v}"))
        .collect();
    format!("{{{}}}", body.join(", "))
}

fn file(records: &[String]) -> String {
    format!("{{\"partners\": [\n{}\n]}}", records.join(",\n"))
}

fn load(records: &[String]) -> Result<Dataset, Error> {
    Dataset::builder()
        .partners_json("mine.json", file(records))
        .build()
}

/// The error of a file that must not load (without printing a whole dataset if it loads).
fn load_error(records: &[String]) -> Error {
    let Err(e) = load(records) else {
        panic!("expected an error, the file loaded")
    };
    e
}

/// The error for one bad field, as (file, record, field, message).
fn data_error(records: &[String]) -> (String, String, String, String) {
    match load_error(records) {
        Error::Data {
            file,
            record,
            field,
            message,
        } => (file, record, field, message),
        other => panic!("expected a data error, got {other:?}"),
    }
}

#[test]
fn a_user_file_adds_partners() {
    let base = Dataset::embedded().unwrap().partners().len();
    let d = load(&[record("foshan-furniture", &[])]).unwrap();
    assert_eq!(d.partners().len(), base + 1);
    let p = d.partner(d.find_partner("foshan-furniture").unwrap());
    assert_eq!(p.file(), "mine.json");
    assert_eq!(p.kind(), Kind::IndustrialCluster);
    assert_eq!(p.tech().level(), Level::Low, "the kind's default applies");
}

#[test]
fn a_user_file_corrects_an_embedded_partner_by_id() {
    let fixed = record(
        "xianghe-furniture",
        &[
            ("name", "\"Xianghe furniture industrial cluster\""),
            ("province", "\"hebei\""),
            ("place", "\"xianghe\""),
            ("tech", "{\"level\": \"medium\", \"basis\": \"our 2024 visit\", \"source\": \"External: site visit 2024\"}"),
        ],
    );
    let base = Dataset::embedded().unwrap().partners().len();
    let d = load(&[fixed]).unwrap();
    assert_eq!(d.partners().len(), base, "replaced, not added");
    let p = d.partner(d.find_partner("xianghe-furniture").unwrap());
    assert_eq!(p.tech().level(), Level::Medium);
    assert_eq!(p.file(), "mine.json");
}

#[test]
fn only_user_partners_when_asked() {
    let d = Dataset::builder()
        .without_embedded_partners()
        .partners_json(
            "mine.json",
            file(&[record("a-one", &[]), record("a-two", &[])]),
        )
        .build()
        .unwrap();
    assert_eq!(d.partners().len(), 2);
}

#[test]
fn errors_name_file_record_and_field() {
    // (fields to patch, field the error must name, a word the message must contain)
    type Case<'a> = (&'a [(&'a str, &'a str)], &'a str, &'a str);
    let cases: &[Case] = &[
        (&[("sectors", "[\"furnitur\"]")], "sectors[0]", "furniture"),
        (&[("sectors", "[]")], "sectors", "at least one"),
        (&[("kind", "\"cluster\"")], "kind", "industrial_cluster"),
        (&[("province", "\"atlantis\"")], "province", "atlantis"),
        (&[("place", "\"hangzhou\"")], "place", "zhejiang"),
        (&[("province", "")], "province", "needs its province"),
        (
            &[("part_of", "\"no-such-partner\"")],
            "part_of",
            "no-such-partner",
        ),
        (
            &[(
                "tech",
                "{\"level\": \"low\", \"basis\": \"x\", \"source\": \"Section 3.1\"}",
            )],
            "tech.level",
            "default",
        ),
        (&[("sources", "[]")], "sources", "at least one source"),
        (
            &[("sources", "[{\"ref\": \"Section 3.1\"}]")],
            "sources[0].quote",
            "quote",
        ),
        (
            &[("sources", "[{\"ref\": \"Section 9\", \"quote\": \"x\"}]")],
            "sources[0].ref",
            "Section 9",
        ),
        (
            &[("sources", "[{\"ref\": \"Table 4\", \"quote\": \"x\"}]")],
            "sources[0].row",
            "row",
        ),
        (
            &[("name", "\"Xianghe furniture industrial cluster\"")],
            "name",
            "xianghe-furniture",
        ),
        (
            &[("websites", "[\"http://www.zpark.com.cn/\"]")],
            "websites[0]",
            "zhongguancun",
        ),
        (
            &[("kind", "\"association\"")],
            "formal_organisation",
            "organisation",
        ),
        (&[("id", "\"Bad Id\"")], "id", "lowercase"),
    ];
    for (patch, field, hint) in cases {
        let (f, rec, fld, msg) = data_error(&[record("new-one", patch)]);
        assert_eq!(f, "mine.json", "{patch:?}");
        assert_eq!(&fld, field, "{patch:?}: {msg}");
        assert!(
            msg.contains(hint),
            "{patch:?}: message `{msg}` should mention `{hint}`"
        );
        if *field != "id" {
            assert_eq!(rec, "new-one");
        }
    }
}

#[test]
fn an_override_resting_on_the_briefing_needs_a_quote_or_inferred() {
    // Neither quote nor inferred: the error names the quote field of that override.
    for (field, value) in [
        (
            "tech",
            "{\"level\": \"medium\", \"basis\": \"R&D\", \"source\": \"Section 3.2\"}",
        ),
        (
            "control",
            "{\"level\": \"high\", \"basis\": \"steered\", \"source\": \"Section 3.2\"}",
        ),
    ] {
        let (file, rec, fld, msg) = data_error(&[record("new-one", &[(field, value)])]);
        assert_eq!(
            (file.as_str(), rec.as_str()),
            ("mine.json", "new-one"),
            "{field}"
        );
        assert_eq!(fld, format!("{field}.quote"), "{msg}");
        assert!(
            msg.contains("quote") && msg.contains("inferred"),
            "{field}: the message should offer both ways out: {msg}"
        );
    }
    // Both at once is an error too.
    let both = "{\"level\": \"medium\", \"basis\": \"x\", \"source\": \"Section 3.2\", \
                \"quote\": \"R&D\", \"inferred\": true}";
    let (_, _, fld, _) = data_error(&[record("new-one", &[("tech", both)])]);
    assert_eq!(fld, "tech.inferred");
    // Quoted, inferred or external: each loads, and says which it is.
    let quoted = "{\"level\": \"medium\", \"basis\": \"Section 3.2: R&D\", \
                  \"source\": \"Section 3.2\", \"quote\": \"integrate automobile production, R&D\"}";
    let inferred = "{\"level\": \"medium\", \"basis\": \"inferred: a state body by its name\", \
                    \"source\": \"Table 3\", \"inferred\": true}";
    let external = "{\"level\": \"medium\", \"basis\": \"our 2024 visit\", \
                    \"source\": \"External: site visit 2024\"}";
    let d = load(&[
        record("q-one", &[("tech", quoted)]),
        record("i-one", &[("control", inferred)]),
        record("e-one", &[("tech", external)]),
    ])
    .unwrap();
    let get = |id: &str| d.partner(d.find_partner(id).unwrap());
    let q = get("q-one").tech();
    assert_eq!(q.level(), Level::Medium);
    assert_eq!(q.quote(), Some("integrate automobile production, R&D"));
    assert!(!q.is_inferred());
    let i = get("i-one").control();
    assert_eq!(i.level(), Level::Medium);
    assert!(i.is_inferred() && i.quote().is_none());
    let e = get("e-one").tech();
    assert!(!e.is_inferred() && e.quote().is_none());
    assert!(!e.basis().unwrap().1.is_briefing());
}

#[test]
fn duplicate_ids_within_a_file_are_rejected() {
    let (_, rec, field, _) =
        data_error(&[record("dup", &[]), record("dup", &[("name", "\"Other\"")])]);
    assert_eq!((rec.as_str(), field.as_str()), ("dup", "id"));
}

#[test]
fn a_part_of_cycle_is_rejected() {
    let a = record("cyc-a", &[("part_of", "\"cyc-b\"")]);
    let b = record("cyc-b", &[("part_of", "\"cyc-a\""), ("name", "\"B\"")]);
    let (_, _, field, msg) = data_error(&[a, b]);
    assert_eq!(field, "part_of");
    assert!(msg.contains("cycle"), "{msg}");
}

#[test]
fn malformed_json_reports_line_and_column() {
    let e = Dataset::builder()
        .partners_json("mine.json", "{\"partners\": [\n  {\"id\": }\n]}")
        .build()
        .unwrap_err();
    match e {
        Error::Json { file, line, .. } => {
            assert_eq!(file, "mine.json");
            assert_eq!(line, 2);
        }
        other => panic!("{other:?}"),
    }
    let e = Dataset::builder()
        .partners_json(
            "mine.json",
            file(&[record("x-y", &[("colour", "\"red\"")])]),
        )
        .build()
        .unwrap_err();
    assert!(e.to_string().contains("colour"), "{e}");
}

#[test]
fn a_missing_file_is_an_io_error() {
    let e = Dataset::builder()
        .partners_file("/nonexistent/partners.json")
        .unwrap_err();
    assert!(matches!(e, Error::Io { .. }), "{e:?}");
}

#[test]
fn a_long_part_of_chain_loads_and_a_cycle_after_it_names_its_own_records() {
    // 3,000 records each part of the next: a chain that ends loads.
    let n = 3000;
    let chain = |last_part_of: Option<&str>| -> Vec<String> {
        (0..n)
            .map(|i| {
                let next = if i + 1 < n {
                    format!("\"chain-{}\"", i + 1)
                } else {
                    last_part_of.map(|p| format!("\"{p}\"")).unwrap_or_default()
                };
                record(
                    &format!("chain-{i}"),
                    &[
                        ("part_of", next.as_str()),
                        ("name", &format!("\"Chain member {i}\"")),
                        ("sources", "[{\"ref\": \"External: test\"}]"),
                    ],
                )
            })
            .collect()
    };
    let d = load(&chain(None)).unwrap();
    assert!(d.find_partner("chain-0").is_some());
    // The last record pointing back into the chain closes a loop of its last three; the
    // records leading into it are not part of it and are not named.
    let (_, rec, field, msg) = data_error(&chain(Some(&format!("chain-{}", n - 3))));
    assert_eq!(field, "part_of");
    assert_eq!(rec, format!("chain-{}", n - 3));
    assert!(
        msg.ends_with(&format!(
            "cycle: chain-{a} -> chain-{b} -> chain-{c} -> chain-{a}",
            a = n - 3,
            b = n - 2,
            c = n - 1
        )),
        "{msg}"
    );
}

#[test]
fn partner_files_from_a_reader_are_capped_and_checked() {
    use std::io::Read;
    // A byte-order mark, as some editors write, is not an error.
    let text = format!("\u{feff}{}", file(&[record("bom-1", &[])]));
    let d = Dataset::builder()
        .partners_reader("bom.json", text.as_bytes())
        .unwrap()
        .build()
        .unwrap();
    assert!(d.find_partner("bom-1").is_some());
    let d = Dataset::builder()
        .partners_json("bom.json", text)
        .build()
        .unwrap();
    assert!(d.find_partner("bom-1").is_some());
    // An endless stream that is not JSON fails at its first byte, not after filling memory.
    let e = Dataset::builder()
        .partners_reader("zeros", std::io::repeat(0).take(u64::MAX))
        .unwrap_err();
    assert!(matches!(e, Error::Json { .. }), "{e:?}");
    // Control characters would reach terminals, spreadsheets and XML: refused, named.
    let (_, rec, field, msg) = data_error(&[record("ctl-1", &[("name", "\"Bad\\u001b[31m\"")])]);
    assert_eq!((rec.as_str(), field.as_str()), ("ctl-1", "name"));
    assert!(msg.contains("U+001B"), "{msg}");
    let (_, _, field, _) = data_error(&[record("ctl-2", &[("aliases", "[\"a\\nb\"]")])]);
    assert_eq!(field, "aliases[0]");
}

/// Words of section 3.2, copied from `data/briefing.txt`.
const BRIEFING_WORDS: &str =
    "the Dezu and Hechuan districts integrate automobile production, R&D, trade and tourism functions";

#[test]
fn a_briefing_quote_copied_word_for_word_loads() {
    let quoted = |id: &str, quote: &str| {
        record(
            id,
            &[(
                "sources",
                &format!("[{{\"ref\": \"Section 3.2\", \"quote\": {quote:?}}}]"),
            )],
        )
    };
    // Line breaks, a straight apostrophe for the briefing's curly one, no footnote marker:
    // the briefing's words all the same.
    let d = load(&[
        quoted("q-verbatim", BRIEFING_WORDS),
        quoted(
            "q-layout",
            "Ba'Nan District and\n   ChaYuan New Area are home to Suzuki",
        ),
    ])
    .unwrap();
    let p = d.partner(d.find_partner("q-verbatim").unwrap());
    assert_eq!(p.sources()[0].quote(), Some(BRIEFING_WORDS));
    assert!(p.sources()[0].reference().is_briefing());
    assert!(d.find_partner("q-layout").is_some());
}

#[test]
fn an_invented_briefing_quote_fails_naming_the_record_and_the_quote() {
    let invented = "the Dezu and Hechuan districts integrate battery gigafactories";
    let (file, rec, field, msg) = data_error(&[
        record("honest-one", &[]),
        record(
            "invented-one",
            &[
                ("name", "\"Invented\""),
                (
                    "sources",
                    &format!(
                        "[{{\"ref\": \"Section 3.2\", \"quote\": {BRIEFING_WORDS:?}}}, \
                         {{\"ref\": \"Section 3.2\", \"quote\": {invented:?}}}]"
                    ),
                ),
            ],
        ),
    ]);
    assert_eq!(
        (file.as_str(), rec.as_str(), field.as_str()),
        ("mine.json", "invented-one", "sources[1].quote")
    );
    assert!(msg.contains(invented), "{msg}");
    assert!(
        msg.contains("first 6 words") && msg.contains("`battery`"),
        "where it departs: {msg}"
    );
    assert!(
        msg.contains("data/briefing.txt") && msg.contains("External: <citation>"),
        "both ways out: {msg}"
    );
    // The whole message names the file and the record too.
    let e = load_error(&[record(
        "invented-one",
        &[(
            "sources",
            &format!("[{{\"ref\": \"Table 3\", \"quote\": {invented:?}}}]"),
        )],
    )])
    .to_string();
    assert!(
        e.starts_with("mine.json: record `invented-one`, field `sources[0].quote`: "),
        "{e}"
    );
    // A long quote is shortened, not pasted whole.
    let long = format!("{} {}", "an invented sentence".repeat(20), "the end");
    let (_, _, _, msg) = data_error(&[record(
        "long-one",
        &[(
            "sources",
            &format!("[{{\"ref\": \"Section 3.2\", \"quote\": {long:?}}}]"),
        )],
    )]);
    assert!(msg.contains('…') && !msg.contains("the end"), "{msg}");
}

#[test]
fn an_invented_quote_in_an_override_fails_too() {
    for field in ["tech", "control"] {
        let value = "{\"level\": \"high\", \"basis\": \"x\", \"source\": \"Section 3.2\", \
                     \"quote\": \"a world leader in everything\"}";
        let (_, rec, fld, msg) = data_error(&[record("over-one", &[(field, value)])]);
        assert_eq!(
            (rec.as_str(), fld.as_str()),
            ("over-one", &*format!("{field}.quote"))
        );
        assert!(msg.contains("a world leader in everything"), "{msg}");
    }
}

#[test]
fn a_file_read_from_bytes_is_checked_the_same_way() {
    let text = file(&[record(
        "bytes-one",
        &[(
            "sources",
            "[{\"ref\": \"Section 3.2\", \"quote\": \"not the briefing's words\"}]",
        )],
    )]);
    let Err(e) = Dataset::builder()
        .partners_reader("bytes.json", text.as_bytes())
        .unwrap()
        .build()
    else {
        panic!("an invented quote is an error")
    };
    assert!(
        matches!(&e, Error::Data { file, record, field, .. }
            if file == "bytes.json" && record == "bytes-one" && field == "sources[0].quote"),
        "{e:?}"
    );
}

/// A user's own e-mobility cluster in Guangzhou, known from outside the briefing.
const EXTERNAL_EV: &[u8] = br#"{"partners": [{
    "id": "test-guangzhou-ev",
    "kind": "industrial_cluster",
    "name": "Test Guangzhou e-mobility cluster",
    "province": "guangdong",
    "place": "guangzhou",
    "sectors": ["automotive", "electric_vehicles"],
    "formal_organisation": false,
    "sources": [{"ref": "External: test record"}]
}]}"#;

#[test]
fn an_external_record_is_shown_as_external_in_every_output() {
    use eccp_china::{csvio::MatchWriter, Options, Profile, Recommender};
    let d = Dataset::builder()
        .partners_reader("mine.json", EXTERNAL_EV)
        .unwrap()
        .build()
        .unwrap();
    let profile = Profile::from_json(include_str!(
        "../data/samples/southern-german-e-mobility.json"
    ))
    .unwrap();
    let options = Options::default();
    let rec = Recommender::new(d);
    let recs = rec.recommend_profile(&profile, &options).unwrap();
    let m = recs
        .matches
        .iter()
        .find(|m| m.id == "test-guangzhou-ev")
        .unwrap_or_else(|| panic!("not among the matches:\n{}", recs.to_text()));

    // What the record says of itself (its field, where it is) cites its own source, which
    // says it is external, and no briefing words are put in its mouth. What the briefing
    // says of its kind and its field (section 3.1's defaults, demand, openings) stays cited
    // from the briefing.
    const EXTERNAL: &str = "External: test record";
    let own: Vec<_> = m
        .reasons
        .iter()
        .filter(|r| r.kind.as_str() == "sector" || r.text.starts_with("Located in"))
        .collect();
    assert!(own.len() >= 2, "{:#?}", m.reasons);
    for r in &own {
        assert_eq!((r.source.as_str(), &r.quote), (EXTERNAL, &None), "{r:?}");
    }
    for r in m.reasons.iter().filter(|r| r.source == EXTERNAL) {
        assert!(!r.text.contains("briefing"), "{r:?}");
    }

    // Each output shows that source, and only ever as external.
    let html = rec
        .report_html(&rec.recommend_profile(&profile, &options).unwrap())
        .unwrap();
    let mut csv = MatchWriter::new(Vec::new()).unwrap();
    csv.write(&recs).unwrap();
    let csv = String::from_utf8(csv.into_inner().unwrap()).unwrap();
    for (what, out) in [
        ("text", recs.to_text()),
        ("JSON", recs.to_json()),
        ("HTML", html.clone()),
        ("CSV", csv.clone()),
    ] {
        let shown = out.matches(EXTERNAL).count();
        assert!(shown > 0, "{what} does not show the source");
        assert_eq!(
            out.matches("test record").count(),
            shown,
            "{what} shows the source without `External:`"
        );
    }
    let json: serde_json::Value = serde_json::from_str(&recs.to_json()).unwrap();
    let jm = json["matches"]
        .as_array()
        .unwrap()
        .iter()
        .find(|x| x["id"] == "test-guangzhou-ev")
        .unwrap();
    assert!(
        jm["reasons"]
            .as_array()
            .unwrap()
            .iter()
            .any(|r| r["component"] == "sector" && r["source"] == EXTERNAL),
        "{jm:#}"
    );
    let row = html
        .split("<tr class=\"match\"")
        .skip(1)
        .find(|r| r.starts_with(" data-id=\"test-guangzhou-ev\""))
        .and_then(|r| r.split("</tr>").next())
        .expect("the record has a row in the report");
    assert!(row.contains(&format!("[{EXTERNAL}]")), "{row}");
    let line = csv
        .lines()
        .find(|l| l.contains("test-guangzhou-ev"))
        .expect("a CSV row");
    assert!(line.contains(&format!(",{EXTERNAL},")), "{line}");
}

#[test]
fn an_external_record_that_brings_its_region_a_field_is_not_called_the_briefings() {
    use eccp_china::{Options, Profile, Recommender};
    // No partner of the embedded data brings wind energy to the Pearl River Delta: this
    // record does, and the region reason that rests on it says so without the briefing.
    let d = load(&[record(
        "test-guangzhou-wind",
        &[
            ("name", "\"Test wind cluster\""),
            ("place", "\"guangzhou\""),
            ("sectors", "[\"wind\"]"),
        ],
    )])
    .unwrap();
    let profile =
        Profile::from_json(r#"{"name": "Wind", "country": "DK", "sectors": ["wind energy"]}"#)
            .unwrap();
    let recs = Recommender::new(d)
        .recommend_profile(&profile, &Options::default())
        .unwrap();
    let m = recs
        .matches
        .iter()
        .find(|m| m.id == "test-guangzhou-wind")
        .expect("among the matches");
    let region = m
        .reasons
        .iter()
        .find(|r| r.kind.as_str() == "region")
        .expect("a region reason");
    assert_eq!(
        (region.text.as_str(), region.source.as_str()),
        (
            "Pearl River Delta hosts it, a cluster in wind energy",
            "External: Foshan furniture association member list, 2024"
        )
    );
    for r in &m.reasons {
        if r.source.starts_with("External:") {
            assert!(!r.text.contains("briefing"), "{r:?}");
        }
    }
}

/// A notes file with one note, in the format of data/policy_notes.json.
fn note_file(id: &str, sectors: &str, source: &str) -> String {
    format!(
        r#"{{"notes": [{{"id": "{id}", "kind": "caution", "title": "Newer rule for {id}",
        "text": "A rule the briefing could not know.",
        "applies_when": {{"sectors": [{sectors}], "topics": [], "kinds": [], "macro_regions": [],
                         "min_control": null, "no_formal_organisation": false}},
        "strength": null, "sources": [{source}]}}]}}"#
    )
}

#[test]
fn a_users_notes_add_risks_to_the_matches_they_apply_to() {
    let notes = note_file(
        "user_ev_rule",
        r#""electric_vehicles""#,
        r#"{"ref": "External: our 2025 notes"}"#,
    );
    let d = Dataset::builder()
        .notes_reader("mine.json", notes.as_bytes())
        .unwrap()
        .build()
        .unwrap();
    let rec = Recommender::new(d);
    let sample = |name: &str| {
        let path = format!("{}/data/samples/{name}.json", env!("CARGO_MANIFEST_DIR"));
        Profile::from_json(&std::fs::read_to_string(path).unwrap()).unwrap()
    };
    // On the e-mobility sample the note is on the matches in electric vehicles, external.
    let recs = rec
        .recommend_profile(&sample("southern-german-e-mobility"), &Options::default())
        .unwrap();
    let with: Vec<_> = recs
        .matches
        .iter()
        .filter(|m| m.risks.iter().any(|r| r.id == "user_ev_rule"))
        .collect();
    assert!(!with.is_empty(), "{}", recs.to_text());
    for m in &with {
        let r = m.risks.iter().find(|r| r.id == "user_ev_rule").unwrap();
        assert_eq!(r.source, "External: our 2025 notes");
    }
    assert!(recs.to_text().contains("Newer rule for user_ev_rule"));
    // Not on a textile profile's matches.
    let recs = rec
        .recommend_profile(&sample("portuguese-textiles"), &Options::default())
        .unwrap();
    assert!(recs
        .matches
        .iter()
        .all(|m| m.risks.iter().all(|r| r.id != "user_ev_rule")));
}

#[test]
fn a_users_note_is_checked_like_a_partner_record() {
    let build = |text: String| {
        Dataset::builder()
            .notes_reader("mine.json", text.as_bytes())
            .and_then(|b| b.build())
    };
    // An invented briefing quote names the note and the quote.
    let e = build(note_file(
        "user_rule",
        "",
        r#"{"ref": "Section 4.2", "quote": "China abolished every joint-venture rule in 2017"}"#,
    ))
    .unwrap_err();
    let shown = e.to_string();
    assert!(
        shown.contains("user_rule") && shown.contains("abolished every joint-venture"),
        "{shown}"
    );
    // An id the briefing's notes already use.
    let e = build(note_file(
        "weak_ipr_protection",
        "",
        r#"{"ref": "External: x"}"#,
    ))
    .unwrap_err();
    assert!(e.to_string().contains("weak_ipr_protection"), "{e}");
    // An unknown sector in its conditions.
    let e = build(note_file(
        "user_rule",
        r#""warp drives""#,
        r#"{"ref": "External: x"}"#,
    ))
    .unwrap_err();
    assert!(e.to_string().contains("applies_when.sectors"), "{e}");
}

/// A notes file with one opening on electric vehicles whose central claim has the window
/// `period` (raw JSON), in the format of data/policy_notes.json.
fn note_with_period(id: &str, period: &str) -> String {
    format!(
        r#"{{"notes": [{{"id": "{id}", "kind": "opening", "title": "Plan for {id}",
        "text": "A plan with a window.",
        "applies_when": {{"sectors": ["electric_vehicles"]}},
        "period": {period},
        "sources": [{{"ref": "External: our 2025 notes"}}]}}]}}"#
    )
}

/// The error of a notes file that must not load, as (file, record, field, message).
fn note_error(text: &str) -> (String, String, String, String) {
    let result = Dataset::builder()
        .notes_reader("mine.json", text.as_bytes())
        .and_then(|b| b.build());
    match result {
        Err(Error::Data {
            file,
            record,
            field,
            message,
        }) => (file, record, field, message),
        Err(other) => panic!("expected a data error, got {other:?}"),
        Ok(_) => panic!("expected an error, the notes loaded"),
    }
}

#[test]
fn a_notes_period_is_checked_at_load_naming_the_note_and_field() {
    let plan = r#"{"ref": "Section 2.1", "quote": "13th Five-Year Plan (2016-2020)"}"#;
    let period = |start: &str, end: &str, source: &str| {
        note_with_period(
            "user_plan",
            &format!(r#"{{"start": {start}, "end": {end}, "source": {source}}}"#),
        )
    };
    // A good one loads, with its window.
    let d = Dataset::builder()
        .notes_reader("mine.json", period("\"2016\"", "\"2020\"", plan).as_bytes())
        .unwrap()
        .build()
        .unwrap();
    let n = d
        .policy_notes()
        .iter()
        .find(|n| n.id() == "user_plan")
        .unwrap();
    let w = n.period().expect("a period");
    assert_eq!((w.start(), w.end()), (Some("2016"), "2020"));
    assert_eq!(w.source().reference().to_string(), "Section 2.1");
    let cases: [(String, &str, &str); 8] = [
        // Not a date.
        (
            period("\"2016\"", "\"2020-13\"", plan),
            "period.end",
            "YYYY",
        ),
        (period("\"16\"", "\"2020\"", plan), "period.start", "YYYY"),
        // Ends before it starts.
        (
            period(
                "\"2016\"",
                "\"2010\"",
                r#"{"ref": "Section 4.2", "quote": "The 13th Five Years Plan (2016-2010)"}"#,
            ),
            "period.end",
            "before it starts",
        ),
        // A quote that is not the briefing's words.
        (
            period(
                "\"2016\"",
                "\"2020\"",
                r#"{"ref": "Section 2.1", "quote": "the 13th Five-Year Plan runs 2016-2020"}"#,
            ),
            "period.source.quote",
            "not in the briefing",
        ),
        // The quote does not state the end year, or the start year.
        (period("\"2016\"", "\"2025\"", plan), "period.end", "2025"),
        (
            period(
                "\"2015\"",
                "\"2020\"",
                r#"{"ref": "Section 2.3.1", "quote": "expected to reach five million by 2020"}"#,
            ),
            "period.start",
            "2015",
        ),
        // No quote: the window must be shown in words that state it.
        (
            period("null", "\"2020\"", r#"{"ref": "External: our notes"}"#),
            "period.source.quote",
            "quote",
        ),
        // An empty basis says nothing.
        (
            note_with_period(
                "user_plan",
                &format!(r#"{{"end": "2020", "source": {plan}, "basis": " "}}"#),
            ),
            "period.basis",
            "basis",
        ),
    ];
    for (text, field, says) in cases {
        let (file, record, f, message) = note_error(&text);
        assert_eq!(
            (file.as_str(), record.as_str(), f.as_str()),
            ("mine.json", "user_plan", field),
            "{message}"
        );
        assert!(message.contains(says), "{field}: {message}");
    }
    // A year inside a longer number is not the year.
    let (_, _, f, _) = note_error(&period(
        "null",
        "\"2020\"",
        r#"{"ref": "External: x", "quote": "20201 units"}"#,
    ));
    assert_eq!(f, "period.end");
    // An external source with a quote stating the year loads, unchecked against the briefing.
    assert!(Dataset::builder()
        .notes_reader(
            "mine.json",
            period(
                "null",
                "\"2027\"",
                r#"{"ref": "External: State Council, 2024", "quote": "by 2027"}"#
            )
            .as_bytes()
        )
        .unwrap()
        .build()
        .is_ok());
}

#[test]
fn a_users_note_with_a_period_flows_into_the_openings_with_its_status() {
    use eccp_china::explain::ReasonKind;
    use eccp_china::score::YearMonth;
    let period = r#"{"start": "2024", "end": "2027",
        "source": {"ref": "External: State Council NEV plan", "quote": "for 2024-2027"}}"#;
    // An opening with a window, and a caution with the same window.
    let opening = note_with_period("user_ev_plan", period);
    let caution = note_with_period("user_ev_rule", period).replace("\"opening\"", "\"caution\"");
    let body = |file: &str| {
        let t = file.strip_prefix(r#"{"notes": ["#).unwrap();
        t.strip_suffix("]}").unwrap().to_string()
    };
    let notes = format!(r#"{{"notes": [{}, {}]}}"#, body(&opening), body(&caution));
    let rec = Recommender::new(
        Dataset::builder()
            .notes_reader("mine.json", notes.as_bytes())
            .unwrap()
            .build()
            .unwrap(),
    );
    let path = format!(
        "{}/data/samples/southern-german-e-mobility.json",
        env!("CARGO_MANIFEST_DIR")
    );
    let p = Profile::from_json(&std::fs::read_to_string(path).unwrap()).unwrap();
    let at = |month: &str| {
        let options = Options {
            as_of: Some(YearMonth::parse(month).unwrap()),
            ..Options::default()
        };
        rec.recommend_profile(&p, &options).unwrap()
    };
    let status_of = |recs: &eccp_china::Recommendations| -> Vec<String> {
        recs.matches
            .iter()
            .flat_map(|m| &m.reasons)
            .filter(|r| r.kind == ReasonKind::Opening && r.text == "A plan with a window.")
            .map(|r| r.status.clone().expect("a status"))
            .collect()
    };
    // Still running: offered first among the openings, said to run, from its own source.
    let now = at("2026-11");
    let running = status_of(&now);
    assert!(!running.is_empty(), "{}", now.to_text());
    assert!(running
        .iter()
        .all(|s| s == "runs to 2027 by External: State Council NEV plan (for 2024-2027)"));
    for m in &now.matches {
        if let Some(first) = m.reasons.iter().find(|r| r.kind == ReasonKind::Opening) {
            if m.reasons.iter().any(|r| r.text == "A plan with a window.") {
                assert_eq!(first.text, "A plan with a window.", "{}", m.id);
            }
        }
    }
    assert!(now
        .to_text()
        .contains("(runs to 2027 by External: State Council NEV plan"));
    // Once its window has closed, the opening gives way to current ones, and every output
    // says so of the caution; the scores do not move.
    let later = at("2028-01");
    let ended = "ended 2027: the window (2024 to 2027) of External: State Council NEV plan has \
                 closed; check what replaced it";
    assert!(status_of(&later).iter().all(|s| s == ended));
    for m in &later.matches {
        let openings: Vec<&str> = m
            .reasons
            .iter()
            .filter(|r| r.kind == ReasonKind::Opening)
            .map(|r| r.text.as_str())
            .collect();
        if let Some(i) = openings.iter().position(|t| *t == "A plan with a window.") {
            assert!(
                m.reasons
                    .iter()
                    .filter(|r| r.kind == ReasonKind::Opening)
                    .skip(i)
                    .all(|r| r.status.as_deref().is_some_and(|s| s.starts_with("ended"))),
                "{}: {openings:?}",
                m.id
            );
        }
    }
    let risk = later
        .matches
        .iter()
        .flat_map(|m| &m.risks)
        .find(|r| r.id == "user_ev_rule")
        .expect("the caution applies");
    assert_eq!(risk.status.as_deref(), Some(ended));
    assert!(later.to_text().contains(&format!("({ended})")));
    assert!(later.to_json().contains(ended));
    assert!(rec
        .report_html(&later)
        .unwrap()
        .contains(&format!("<i>({ended})</i>")));
    let scores = |r: &eccp_china::Recommendations| -> Vec<(String, f64)> {
        r.matches.iter().map(|m| (m.id.clone(), m.score)).collect()
    };
    assert_eq!(scores(&now), scores(&later));
}

#[test]
fn a_notes_file_saved_with_a_byte_order_mark_is_read_as_a_partner_file_is() {
    let notes = note_file(
        "user_bom_rule",
        r#""electric_vehicles""#,
        r#"{"ref": "External: saved by a Windows editor"}"#,
    );
    let with_bom = format!("\u{feff}{notes}");
    let d = Dataset::builder()
        .notes_reader("mine.json", with_bom.as_bytes())
        .unwrap()
        .build()
        .unwrap();
    assert!(d.policy_notes().iter().any(|n| n.id() == "user_bom_rule"));
}
