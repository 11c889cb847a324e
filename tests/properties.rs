//! The scorer's contracts, stated as properties over generated profiles and inputs.
//!
//! Case counts are small by default so that CI stays fast; run them long with
//! `PROPTEST_CASES=5000 cargo test --release --test properties`. Failures proptest finds are
//! kept in `tests/properties.proptest-regressions` and replayed first on every run.

use eccp_china::{
    resolve::Matcher, Component, Dataset, Error, Filter, Kind, Level, Options, Profile,
    ProfileInput, Recommendations, Recommender, Weights,
};
use proptest::prelude::*;
use std::collections::HashMap;

/// Cases per property: `PROPTEST_CASES` when set (a long run), else the small default that
/// keeps CI fast.
fn cases(default: u32) -> u32 {
    std::env::var("PROPTEST_CASES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

fn data() -> &'static Dataset {
    Dataset::embedded().expect("embedded data")
}

fn rec() -> Recommender {
    Recommender::new(data())
}

/// Sector names a user might type: labels, aliases and ECCP vocabulary terms.
fn sector_names() -> Vec<String> {
    let t = data().taxonomy();
    let mut v: Vec<String> = t.sectors().iter().map(|s| s.label().to_string()).collect();
    v.extend(t.sectors().iter().flat_map(|s| s.aliases().iter().cloned()));
    v.extend(
        t.vocabularies()
            .iter()
            .flat_map(|x| x.entries().map(|(l, _)| l.to_string())),
    );
    v.sort();
    v.dedup();
    v
}

fn region_names() -> Vec<String> {
    let r = data().regions();
    let mut v: Vec<String> = r
        .macro_regions()
        .iter()
        .map(|m| m.name().to_string())
        .collect();
    v.extend(r.provinces().iter().map(|p| p.name().to_string()));
    v.extend(
        r.places()
            .iter()
            .take(40)
            .map(|p| p.zh_simplified().to_string()),
    );
    v
}

/// Keywords a user might type: topics, fields, and products that Table 4 clusters' names use
/// (so that the keyword-precision rule runs), with one that means nothing.
const KEYWORDS: &[&str] = &[
    "battery systems",
    "machine learning",
    "offshore wind",
    "knitwear",
    "water treatment",
    "clinical trials",
    "5G",
    "socks",
    "locks",
    "titanium",
    "cranes",
    "silk",
    "electronic products",
    "nonsense words",
];

fn goal_names() -> Vec<&'static str> {
    vec![
        "market_access",
        "rd_cooperation",
        "technology_transfer",
        "sourcing",
        "investment",
        "business_support",
    ]
}

prop_compose! {
    fn arb_input()(
        sectors in proptest::sample::subsequence(sector_names(), 1..4),
        keywords in proptest::sample::subsequence(KEYWORDS.to_vec(), 0..4),
        goals in proptest::sample::subsequence(goal_names(), 0..3),
        regions in proptest::sample::subsequence(region_names(), 0..3),
        tech in prop_oneof![Just(Level::Low), Just(Level::Medium), Just(Level::High)],
        tolerance in 0.0..=1.0f64,
    ) -> ProfileInput {
        ProfileInput {
            name: "Generated cluster".into(),
            country: "DE".into(),
            sectors,
            keywords: keywords.into_iter().map(String::from).collect(),
            tech_level: Some(tech),
            control_tolerance: Some(tolerance),
            goals: goals.into_iter().map(String::from).collect(),
            preferred_regions: regions,
            members: None,
        }
    }
}

/// What a mutated profile should give.
#[derive(Debug, Clone, Copy, PartialEq)]
enum Expect {
    Valid,
    /// An error whose message names this field.
    ErrorNaming(&'static str),
}

/// One way to break a valid profile's JSON, or none.
#[derive(Debug, Clone)]
enum Mutation {
    None,
    /// Drop an optional field: still valid.
    DropOptional(usize),
    /// Drop a required field.
    DropRequired(usize),
    /// Give a field a value of the wrong type.
    WrongType(usize, u8),
    /// Put a control character into a text field.
    ControlChar(usize, char),
    /// A list field far over its cap.
    HugeList(usize),
    /// A text far over its cap.
    LongName,
    /// A tolerance out of [0, 1].
    Tolerance(f64),
    /// A field the format does not have.
    UnknownField,
}

/// The profile's fields, in the order of the format.
const FIELDS: [&str; 9] = eccp_china::csvio::PROFILE_COLUMNS;

fn arb_mutation() -> impl Strategy<Value = Mutation> {
    prop_oneof![
        3 => Just(Mutation::None),
        1 => (3usize..9).prop_map(Mutation::DropOptional),
        1 => (0usize..3).prop_map(Mutation::DropRequired),
        2 => ((0usize..9), 0u8..3).prop_map(|(f, v)| Mutation::WrongType(f, v)),
        1 => ((0usize..4), prop_oneof![Just('\u{0}'), Just('\u{1b}'), Just('\n'), Just('\r'), Just('\u{7f}'), Just('\u{85}')]).prop_map(|(f, c)| Mutation::ControlChar(f, c)),
        1 => (0usize..3).prop_map(Mutation::HugeList),
        1 => Just(Mutation::LongName),
        1 => prop_oneof![Just(-0.5), Just(1.5), Just(1e300)].prop_map(Mutation::Tolerance),
        1 => Just(Mutation::UnknownField),
    ]
}

impl Mutation {
    fn apply(&self, json: &mut serde_json::Value) -> Expect {
        use serde_json::{json, Value};
        let obj = json.as_object_mut().unwrap();
        match *self {
            Mutation::None => Expect::Valid,
            Mutation::DropOptional(f) => {
                obj.remove(FIELDS[f]);
                Expect::Valid
            }
            Mutation::DropRequired(f) => {
                obj.remove(FIELDS[f]);
                Expect::ErrorNaming(FIELDS[f])
            }
            Mutation::WrongType(f, v) => {
                let field = FIELDS[f];
                // A value of a type the field never takes.
                let wrong = match (field, v) {
                    ("name" | "country" | "tech_level", 0) => json!(42),
                    ("name" | "country" | "tech_level", 1) => json!(["a"]),
                    ("control_tolerance" | "members", 0) => json!("high"),
                    ("control_tolerance" | "members", 1) => json!([0.5]),
                    (_, 0)
                        if !matches!(
                            field,
                            "name" | "country" | "tech_level" | "control_tolerance" | "members"
                        ) =>
                    {
                        json!("one string")
                    }
                    (_, 1) => json!({"a": 1}),
                    _ => json!(true),
                };
                obj.insert(field.into(), wrong);
                Expect::ErrorNaming(field)
            }
            Mutation::ControlChar(f, c) => {
                // name, country, or the first item of sectors / keywords.
                let field = ["name", "country", "sectors", "keywords"][f];
                let v = obj.entry(field).or_insert(Value::Array(vec![]));
                match v {
                    Value::String(s) => s.insert(s.len() / 2, c),
                    Value::Array(items) => {
                        items.insert(0, Value::String(format!("wi{c}nd")));
                    }
                    _ => unreachable!(),
                }
                Expect::ErrorNaming(field)
            }
            Mutation::HugeList(l) => {
                let field = ["sectors", "keywords", "preferred_regions"][l];
                let items: Vec<Value> = (0..200).map(|i| json!(format!("item {i}"))).collect();
                obj.insert(field.into(), Value::Array(items));
                Expect::ErrorNaming(field)
            }
            Mutation::LongName => {
                obj.insert(
                    "name".into(),
                    json!("n".repeat(eccp_china::limits::NAME_CHARS + 1)),
                );
                Expect::ErrorNaming("name")
            }
            Mutation::Tolerance(t) => {
                obj.insert("control_tolerance".into(), json!(t));
                Expect::ErrorNaming("control_tolerance")
            }
            Mutation::UnknownField => {
                obj.insert("colour".into(), json!("red"));
                Expect::ErrorNaming("colour")
            }
        }
    }
}

prop_compose! {
    /// A valid profile whose text fields hold what spreadsheets and CSV make hard: commas,
    /// quotes, `;` and `\` (the list separator and its escape), formula starts, apostrophes.
    fn arb_csv_input()(
        base in arb_input(),
        name in "[=+@'\\-]?[a-zA-Z0-9 ,;\"'\\\\=+@-]{1,20}",
        keywords in proptest::collection::vec("[=+@'\\-]?[a-z ,;\"'\\\\]{1,12}", 0..4),
        regions in proptest::collection::vec("[a-z ;\\\\]{1,12}", 0..3),
        members in proptest::option::of(any::<u32>()),
    ) -> ProfileInput {
        ProfileInput { name, keywords, preferred_regions: regions, members, ..base }
    }
}

/// A CSV data row for the header `name,country,sectors,goals`, and whether it is good.
fn arb_row() -> impl Strategy<Value = (Vec<u8>, bool)> {
    let good = (
        0u32..1000,
        proptest::sample::select(vec![
            "wind energy",
            "automotive",
            "pharmaceuticals",
            "textiles;furniture",
        ]),
    )
        .prop_map(|(i, s)| (format!("Good {i},DE,{s},market_access").into_bytes(), true));
    let bad = (0u32..1000, 0u8..6).prop_map(|(i, kind)| {
        let row: Vec<u8> = match kind {
            0 => format!("\"Open quote {i},DE,wind energy,").into_bytes(),
            1 => format!("Cells {i},DE,wind energy,market_access,extra").into_bytes(),
            2 => format!("Country {i},US,wind energy,").into_bytes(),
            3 => format!("Sector {i},DE,zzzzqqq,").into_bytes(),
            4 => format!("Goal {i},DE,wind energy,world_domination").into_bytes(),
            _ => {
                let mut b = format!("Bytes {i},DE,").into_bytes();
                b.extend_from_slice(b"\xff\xfe,");
                b
            }
        };
        (row, false)
    });
    prop_oneof![2 => good, 1 => bad]
}

/// Every match, intermediaries included unless the options say otherwise.
fn recommend_all(input: &ProfileInput, options: Options) -> Recommendations {
    let p = Profile::try_from(input.clone()).expect("generated profiles are valid");
    let options = Options {
        top_k: usize::MAX,
        ..options
    };
    rec()
        .recommend_profile(&p, &options)
        .expect("generated profiles resolve")
}

/// What a result is, for comparisons: the matches and the Pareto view, not the echo of the
/// input or the order of its warnings.
fn essence(r: &Recommendations) -> String {
    serde_json::to_string(&(&r.matches, &r.pareto)).unwrap()
}

proptest! {
    #![proptest_config(ProptestConfig { cases: cases(24), ..ProptestConfig::default() })]

    #[test]
    fn scores_and_components_are_bounded_and_parts_add_up(input in arb_input()) {
        let r = recommend_all(&input, Options::default());
        for m in &r.matches {
            // A partner in another field is no match.
            prop_assert!(m.components[Component::Sector] > 0.0, "{}", m.id);
            if !input.goals.iter().any(|g| g == "business_support") {
                prop_assert_eq!(data().partner(data().find_partner(&m.id).unwrap()).role(), eccp_china::data::Role::Partner);
            }
            prop_assert!((0.0..=1.0).contains(&m.score));
            prop_assert_eq!(m.parts().iter().sum::<f64>(), m.score);
            for c in Component::ALL {
                prop_assert!((0.0..=1.0).contains(&m.components[c]));
            }
        }
        for w in r.matches.windows(2) {
            prop_assert!(w[0].score > w[1].score || (w[0].score == w[1].score && w[0].id < w[1].id));
        }
        prop_assert_eq!(essence(&r), essence(&recommend_all(&input, Options::default())));
    }

    #[test]
    fn the_order_of_list_fields_does_not_matter(input in arb_input(), seed in any::<u64>()) {
        let mut shuffled = input.clone();
        let rot = |v: &mut Vec<String>, by: u64| if !v.is_empty() { let n = v.len(); v.rotate_left((by as usize) % n); v.reverse(); };
        rot(&mut shuffled.sectors, seed);
        rot(&mut shuffled.keywords, seed >> 8);
        rot(&mut shuffled.goals, seed >> 16);
        rot(&mut shuffled.preferred_regions, seed >> 24);
        prop_assert_eq!(essence(&recommend_all(&input, Options::default())), essence(&recommend_all(&shuffled, Options::default())));
    }

    #[test]
    fn raising_tolerance_never_lowers_a_score_nor_a_controlled_partner_relative_to_others(
        input in arb_input(), a in 0.0..=1.0f64, b in 0.0..=1.0f64,
    ) {
        let (lo, hi) = if a <= b { (a, b) } else { (b, a) };
        let at = |t: f64| {
            let r = recommend_all(&ProfileInput { control_tolerance: Some(t), ..input.clone() }, Options::default());
            r.matches.into_iter().map(|m| (m.id.clone(), (m.score, m.control))).collect::<HashMap<_, _>>()
        };
        let (before, after) = (at(lo), at(hi));
        for (id, (s0, _)) in &before {
            prop_assert!(after[id].0 >= s0 - 1e-12, "{} fell from {} to {}", id, s0, after[id].0);
        }
        // A partner under more control gains at least as much as one under less.
        let high: Vec<&String> = before.keys().filter(|id| before[*id].1 == Level::High).take(5).collect();
        let low: Vec<&String> = before.keys().filter(|id| before[*id].1 == Level::Low).take(5).collect();
        for h in &high {
            for l in &low {
                let gain_h = after[*h].0 - before[*h].0;
                let gain_l = after[*l].0 - before[*l].0;
                prop_assert!(gain_h >= gain_l - 1e-12);
            }
        }
    }

    #[test]
    fn adding_a_partners_own_sector_makes_it_a_strong_match(input in arb_input(), pick in any::<prop::sample::Index>()) {
        let d = data();
        let partner = &d.partners()[pick.index(d.partners().len())];
        let own = d.taxonomy().get(partner.sectors()[0]).id().to_string();
        let everyone = Options { include_intermediaries: true, ..Options::default() };
        let fit = |r: &Recommendations| r.matches.iter().find(|m| m.id == partner.id()).map_or(0.0, |m| m.components[Component::Sector]);
        let before = fit(&recommend_all(&input, everyone.clone()));
        let mut more = input.clone();
        more.sectors.push(own);
        let after = fit(&recommend_all(&more, everyone.clone()));
        // The partner is exactly one of the specialisations now: the best match leads.
        prop_assert!(after >= 0.75 * 0.75 - 1e-12, "{} after adding its sector: {}", partner.id(), after);
        // Without keywords (which a new sector can turn from side interests into refinements)
        // the fit never falls.
        if input.keywords.is_empty() {
            prop_assert!(after >= before - 1e-12, "{}: {} -> {}", partner.id(), before, after);
        }
    }

    #[test]
    fn top_k_is_a_prefix_and_filters_only_remove(input in arb_input(), k in 1usize..30, kind in 0usize..7) {
        let p = Profile::try_from(input.clone()).unwrap();
        let r = rec();
        let ids = |o: Options| r.recommend_profile(&p, &o).unwrap().matches.into_iter().map(|m| m.id).collect::<Vec<_>>();
        let small = ids(Options { top_k: k, ..Options::default() });
        let large = ids(Options { top_k: k + 1, ..Options::default() });
        prop_assert_eq!(&small[..], &large[..small.len()]);
        let all = ids(Options { top_k: usize::MAX, include_intermediaries: true, ..Options::default() });
        let filter = Filter { kinds: vec![Kind::ALL[kind]], ..Filter::default() };
        let filtered = ids(Options { top_k: usize::MAX, filter, ..Options::default() });
        let expected: Vec<String> = all.into_iter().filter(|id| data().partner(data().find_partner(id).unwrap()).kind() == Kind::ALL[kind]).collect();
        prop_assert_eq!(filtered, expected);
    }

    #[test]
    fn the_exact_scores_equal_the_naive_reference(input in arb_input(), w in proptest::array::uniform7(0.0..1.0f64), everyone in any::<bool>()) {
        let weights = Weights { sector: w[0], region: w[1], tech: w[2], control: w[3], goal: w[4], reciprocity: w[5], evidence: w[6] + 0.01 };
        let p = Profile::try_from(input).unwrap();
        let r = rec();
        let resolved = r.resolve(&p).unwrap();
        let options = Options { top_k: usize::MAX, weights, include_intermediaries: everyone, ..Options::default() };
        let fast = r.recommend(&resolved, &options).unwrap();
        let slow = eccp_china::reference::rank(data(), &resolved, &options).unwrap();
        prop_assert_eq!(fast.matches.len(), slow.len());
        for (m, (id, score, comps)) in fast.matches.iter().zip(&slow) {
            prop_assert!((m.score - score).abs() < 1e-12, "{} vs {}: {} vs {}", m.id, id, m.score, score);
            prop_assert_eq!(&m.id, id);
            for c in Component::ALL {
                let (got, want) = (m.components[c], comps[c as usize]);
                prop_assert!((got - want).abs() < 1e-12, "{} {}: {} vs {}", m.id, c.as_str(), got, want);
            }
        }
        // Same order up to exact ties, which the reference breaks by id too.
        let ids: Vec<&str> = fast.matches.iter().map(|m| m.id.as_str()).collect();
        let ref_ids: Vec<&str> = slow.iter().map(|x| x.0.as_str()).collect();
        prop_assert_eq!(ids, ref_ids);
    }

    #[test]
    fn the_pareto_view_equals_its_pairwise_definition(input in arb_input(), help in any::<bool>()) {
        let options = Options { include_intermediaries: help, ..Options::default() };
        let r = recommend_all(&input, options.clone());
        let mut ids: Vec<String> = r.pareto.iter().map(|e| e.id.clone()).collect();
        ids.sort();
        let resolved = rec().resolve(&Profile::try_from(input).unwrap()).unwrap();
        prop_assert_eq!(ids, eccp_china::reference::pareto(data(), &resolved, &options).unwrap());
    }

    #[test]
    fn profiles_round_trip_through_json(input in arb_input()) {
        let p = Profile::try_from(input).unwrap();
        let json = serde_json::to_string(&p).unwrap();
        prop_assert_eq!(Profile::from_json(&json).unwrap(), p);
    }

    #[test]
    fn a_valid_profile_scores_and_each_mutation_of_it_is_a_named_error(
        input in arb_input(),
        mutation in arb_mutation(),
    ) {
        // Generated valid, then broken in one known way (or left alone), so that both the
        // scoring path and every error path run, and each is checked for what it should do.
        let mut json = serde_json::to_value(&input).unwrap();
        let expect = mutation.apply(&mut json);
        let text = json.to_string();
        match (Profile::from_json(&text), expect) {
            (Ok(p), Expect::Valid) => {
                let r = rec().recommend_profile(&p, &Options::default());
                let r = r.map_err(|e| TestCaseError::fail(format!("{e}")))?;
                for m in &r.matches {
                    prop_assert!((0.0..=1.0).contains(&m.score));
                }
            }
            (Err(e), Expect::ErrorNaming(field)) => {
                let shown = e.to_string();
                prop_assert!(shown.contains(field), "{:?}: {}", mutation, shown);
                prop_assert!(!shown.chars().any(char::is_control), "{}", shown);
            }
            (got, expect) => prop_assert!(false, "{:?} gave {:?}, expected {:?}", mutation, got, expect),
        }
    }

    #[test]
    fn bytes_flipped_in_a_valid_profile_give_a_profile_or_an_error(
        input in arb_input(),
        flips in proptest::collection::vec((any::<prop::sample::Index>(), any::<u8>()), 0..3),
    ) {
        // With no flip the profile is valid and is scored; a flip may leave it valid (a
        // letter in a name), and then it is scored too, or break it, which is an error.
        let mut bytes = serde_json::to_vec(&input).unwrap();
        for (at, b) in &flips {
            let i = at.index(bytes.len());
            bytes[i] = *b;
        }
        match Profile::from_json_bytes(&bytes) {
            Ok(p) => {
                // Still valid: it resolves or names what does not, and never panics.
                match rec().recommend_profile(&p, &Options::default()) {
                    Ok(r) => prop_assert!(r.matches.iter().all(|m| (0.0..=1.0).contains(&m.score))),
                    Err(e) => prop_assert!(matches!(e, Error::Profile { .. }), "{e:?}"),
                }
            }
            Err(e) => {
                prop_assert!(!flips.is_empty(), "the valid profile failed: {e}");
                prop_assert!(!e.to_string().chars().any(char::is_control));
            }
        }
    }

    #[test]
    fn out_of_range_numbers_and_oversized_lists_are_refused_by_field(
        input in arb_input(),
        tolerance in prop_oneof![Just(f64::NAN), Just(f64::INFINITY), Just(-0.01), Just(1.01), Just(-1e300)],
        list in 0usize..3,
    ) {
        let mut bad = input.clone();
        bad.control_tolerance = Some(tolerance);
        let e = Profile::try_from(bad).unwrap_err();
        prop_assert!(e.to_string().contains("control_tolerance"), "{}", e);
        let mut bad = input;
        let (field, cap) = match list {
            0 => ("sectors", eccp_china::limits::SECTORS),
            1 => ("keywords", eccp_china::limits::KEYWORDS),
            _ => ("preferred_regions", eccp_china::limits::REGIONS),
        };
        let huge: Vec<String> = (0..cap + 1).map(|i| format!("item {i}")).collect();
        match list {
            0 => bad.sectors = huge,
            1 => bad.keywords = huge,
            _ => bad.preferred_regions = huge,
        }
        let e = Profile::try_from(bad).unwrap_err();
        prop_assert!(e.to_string().contains(field), "{}", e);
    }

    #[test]
    fn profiles_round_trip_through_csv(inputs in proptest::collection::vec(arb_csv_input(), 1..6)) {
        // Whatever text the fields hold (separators, quotes, formula starts, apostrophes),
        // what is written is read back as the same profiles.
        let profiles: Vec<Profile> = inputs.into_iter().filter_map(|i| Profile::try_from(i).ok()).collect();
        let mut buf = Vec::new();
        eccp_china::csvio::write_profiles(&mut buf, &profiles).unwrap();
        let back: Vec<Profile> = eccp_china::csvio::ProfileReader::new("p.csv", &buf[..])
            .unwrap()
            .map(|row| row.unwrap().map(|(_, p)| p))
            .collect::<Result<_, _>>()
            .map_err(|e| TestCaseError::fail(format!("{e:?}")))?;
        prop_assert_eq!(back, profiles);
    }

    #[test]
    fn a_batch_writes_or_skips_every_row_it_reads(rows in proptest::collection::vec(arb_row(), 0..12)) {
        // Good and bad rows mixed: with skipping, each row is written or skipped, in order,
        // and read = written + skipped; without, the batch stops at the first bad row having
        // written exactly the good rows before it.
        let mut text = b"name,country,sectors,goals\n".to_vec();
        for (bytes, _) in &rows {
            text.extend_from_slice(bytes);
            text.push(b'\n');
        }
        let r = rec();
        let run = |skip: bool| {
            let mut written = Vec::new();
            let mut skipped = Vec::new();
            let result = eccp_china::csvio::recommend_rows(
                &r,
                eccp_china::csvio::ProfileReader::new("rows.csv", &text[..]).unwrap(),
                &Options { top_k: 2, ..Options::default() },
                skip,
                |_, _, m| { written.push(m.profile.name.clone()); Ok(()) },
                |bad| skipped.push(bad.line),
            );
            (result, written, skipped)
        };
        let good_names: Vec<String> = rows.iter().filter(|(_, good)| *good).map(|(b, _)| String::from_utf8_lossy(b).split(',').next().unwrap().to_string()).collect();
        let bad_lines: Vec<u64> = rows.iter().enumerate().filter(|(_, (_, good))| !*good).map(|(i, _)| i as u64 + 2).collect();
        let (result, written, skipped) = run(true);
        let summary = result.map_err(|e| TestCaseError::fail(format!("{e}")))?;
        prop_assert_eq!(summary.read, rows.len() as u64);
        prop_assert_eq!(summary.read, summary.written + summary.skipped);
        prop_assert_eq!(summary.written, written.len() as u64);
        prop_assert_eq!(&written, &good_names);
        prop_assert_eq!(&skipped, &bad_lines);
        let (result, written, skipped) = run(false);
        prop_assert!(skipped.is_empty());
        match bad_lines.first() {
            None => prop_assert_eq!(result.unwrap().written, rows.len() as u64),
            Some(first) => {
                let stopped = result.unwrap_err();
                prop_assert_eq!(stopped.line, Some(*first));
                let before = (*first - 2) as usize;
                prop_assert_eq!(stopped.summary.written, before as u64);
                prop_assert_eq!(&written[..], &good_names[..before]);
            }
        }
    }

    #[test]
    fn an_alias_with_one_typo_still_resolves_to_its_sector(pick in any::<prop::sample::Index>(), edit in 0u8..4, at in any::<prop::sample::Index>(), letter in proptest::char::range('a', 'z')) {
        let t = data().taxonomy();
        // Every name of five or more letters (aliases, labels), with its sector.
        let names: Vec<(String, eccp_china::data::SectorId)> = t.sectors().iter().enumerate()
            .flat_map(|(i, s)| s.aliases().iter().chain(std::iter::once(&s.label().to_string())).map(move |a| (a.to_lowercase(), i)).collect::<Vec<_>>())
            .filter(|(a, _)| a.chars().count() >= 5 && a.chars().all(|c| c.is_ascii_lowercase() || c == ' '))
            .map(|(a, i)| (a, t.sectors()[i].id()))
            .map(|(a, id)| (a, t.find(id).unwrap()))
            .collect();
        let (alias, sector) = &names[pick.index(names.len())];
        let mut chars: Vec<char> = alias.chars().collect();
        let i = at.index(chars.len());
        match edit {
            0 => chars[i] = letter,
            1 => { chars.remove(i); }
            2 => chars.insert(i, letter),
            _ => if i + 1 < chars.len() { chars.swap(i, i + 1) } else { chars[i] = letter },
        }
        let typo: String = chars.into_iter().collect();
        // A typo that spells another sector's name, or comes as close to one, is a different
        // word, not a typo of this one: the property covers the rest.
        let norm = |s: &str| s.split_whitespace().collect::<Vec<_>>().join(" ");
        let d_own = strsim::osa_distance(&norm(&typo), &norm(alias));
        // Another sector's name as close as this one (even in the same tree: "ehealth" beside
        // "health") makes the typo ambiguous, and the resolver then declines to guess.
        let rivals = names.iter().any(|(a, s)| {
            s != sector && strsim::osa_distance(&norm(&typo), &norm(a)) <= d_own
        });
        let vocab_clash = t.vocabularies().iter().flat_map(|v| v.entries()).any(|(l, ss)| {
            !ss.contains(sector) && strsim::osa_distance(&norm(&typo), &l.to_lowercase()) <= d_own
        });
        prop_assume!(!rivals && !vocab_clash && norm(&typo).chars().count() >= 4);
        let m = Matcher::new(data());
        let got = m.resolve_sector(&typo);
        prop_assert!(got.as_ref().is_some_and(|(ids, _)| ids.iter().any(|s| t.is_within(*s, *sector) || t.is_within(*sector, *s))),
            "`{}` (typo of `{}`) resolved to {:?}", typo, alias, got.map(|(ids, _)| ids.iter().map(|s| t.get(*s).id().to_string()).collect::<Vec<_>>()));
    }
}

#[test]
fn concurrent_calls_give_the_sequential_results() {
    let r = rec();
    let dir = std::path::PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("data/samples");
    let mut profiles: Vec<Profile> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|x| x == "json"))
        .map(|p| Profile::from_json(&std::fs::read_to_string(p).unwrap()).unwrap())
        .collect();
    profiles.sort_by(|a, b| a.name().cmp(b.name()));
    let sequential: Vec<String> = profiles
        .iter()
        .map(|p| {
            r.recommend_profile(p, &Options::default())
                .unwrap()
                .to_json()
        })
        .collect();
    let r = &r;
    let profiles = &profiles;
    let sequential = &sequential;
    let concurrent: Vec<Vec<String>> = std::thread::scope(|s| {
        let handles: Vec<_> = (0..8)
            .map(|t| {
                s.spawn(move || {
                    // Each thread walks the profiles from a different start, several times.
                    (0..3 * profiles.len())
                        .map(|i| {
                            let j = (t + i) % profiles.len();
                            (
                                j,
                                r.recommend_profile(&profiles[j], &Options::default())
                                    .unwrap()
                                    .to_json(),
                            )
                        })
                        .map(|(j, out)| {
                            assert_eq!(out, sequential[j], "thread {t}, profile {j}");
                            out
                        })
                        .collect::<Vec<_>>()
                })
            })
            .collect();
        handles.into_iter().map(|h| h.join().unwrap()).collect()
    });
    assert_eq!(concurrent.len(), 8);
}

proptest! {
    #![proptest_config(ProptestConfig { cases: cases(16), ..ProptestConfig::default() })]

    #[test]
    fn the_kernel_ranking_equals_the_naive_reference(input in arb_input(), k in 1usize..40) {
        let p = Profile::try_from(input).unwrap();
        let r = rec();
        let resolved = r.resolve(&p).unwrap();
        let fast = r.rank(&resolved, &Options { top_k: k, ..Options::default() }).unwrap();
        let slow = eccp_china::reference::rank(data(), &resolved, &Options::default()).unwrap();
        let fast_ids: Vec<&str> = fast.iter().map(|(i, _)| data().partner(*i).id()).collect();
        let slow_ids: Vec<&str> = slow.iter().take(k).map(|x| x.0.as_str()).collect();
        prop_assert_eq!(fast_ids, slow_ids);
        for ((_, a), (_, b, _)) in fast.iter().zip(&slow) {
            prop_assert!((a - b).abs() < 1e-12);
        }
    }

    #[test]
    fn batch_and_reverse_agree_with_single_queries(inputs in proptest::collection::vec(arb_input(), 1..6), k in 1usize..15) {
        let r = rec();
        let resolved: Vec<_> = inputs.into_iter().map(|i| r.resolve(&Profile::try_from(i).unwrap()).unwrap()).collect();
        let opts = Options { top_k: k, ..Options::default() };
        let batch = r.rank_batch(&resolved, &opts).unwrap();
        for (res, b) in resolved.iter().zip(&batch) {
            prop_assert_eq!(&r.rank(res, &opts).unwrap(), b);
        }
        // Reverse: one partner against all the profiles, as the naive reference scores it;
        // the profiles it is no match for (another field) are left out.
        let partner = data().find_partner("huadu-automobile").unwrap();
        let rev = r.rank_profiles(partner, &resolved, &opts).unwrap();
        let mut naive: Vec<(usize, f64)> = resolved.iter().enumerate().filter_map(|(i, res)| {
            let all = eccp_china::reference::rank(data(), res, &Options::default()).unwrap();
            all.iter().find(|x| x.0 == "huadu-automobile").map(|x| (i, x.1))
        }).collect();
        naive.sort_by(|a, b| b.1.total_cmp(&a.1).then(a.0.cmp(&b.0)));
        naive.truncate(k);
        prop_assert_eq!(rev.len(), naive.len());
        for (a, b) in rev.iter().zip(&naive) {
            prop_assert!(a.0 == b.0 || (a.1 - b.1).abs() < 1e-12, "{:?} vs {:?}", a, b);
            prop_assert!((a.1 - b.1).abs() < 1e-12);
        }
    }
}

#[test]
fn the_fused_top_k_equals_a_full_sort_at_scale() {
    use eccp_china::kernel::{all_scores, top_k, PackedPartners};
    let d = data();
    let r = rec();
    let packed = PackedPartners::synthetic(d, 50_000, 42);
    for name in [
        "southern-german-e-mobility",
        "portuguese-textiles",
        "finnish-iot-cloud",
    ] {
        let path = format!("{}/data/samples/{name}.json", env!("CARGO_MANIFEST_DIR"));
        let p = Profile::from_json(&std::fs::read_to_string(path).unwrap()).unwrap();
        let q = r
            .kernel_query(&r.resolve(&p).unwrap(), &Weights::default())
            .unwrap();
        let scores = all_scores(&packed, &q);
        let mut order: Vec<usize> = (0..scores.len()).collect();
        order.sort_by(|a, b| scores[*b].total_cmp(&scores[*a]).then(a.cmp(b)));
        for k in [1, 10, 100] {
            let fast: Vec<usize> = top_k(&packed, &q, k).into_iter().map(|x| x.0).collect();
            assert_eq!(fast, order[..k].to_vec(), "{name}, k = {k}");
        }
        #[cfg(feature = "rayon")]
        assert_eq!(
            eccp_china::kernel::top_k_parallel(&packed, &q, 10),
            top_k(&packed, &q, 10)
        );
        let qs = vec![q.clone(), q.clone()];
        let b = eccp_china::kernel::batch_top_k(&packed, &qs, 10);
        assert_eq!(b[0], top_k(&packed, &q, 10));
        #[cfg(feature = "rayon")]
        assert_eq!(
            eccp_china::kernel::batch_top_k_parallel(&packed, &qs, 10),
            b
        );
    }
}

#[test]
fn the_kernel_ranking_equals_the_reference_at_exact_ties() {
    // Every sector of the taxonomy as a profile of its own: Table 4 holds many clusters
    // that tie exactly (same sector, kind, levels, region strength and evidence), so the
    // k-th place often falls inside a tie, where a fixed number of extra candidates is not
    // enough. The kernel's candidates keep every row tied with its k-th.
    let d = data();
    let r = rec();
    let mut tied_cuts = 0;
    for s in d.taxonomy().sectors() {
        let p = Profile::try_from(ProfileInput {
            name: "Tie".into(),
            country: "DE".into(),
            sectors: vec![s.id().to_string()],
            ..ProfileInput::default()
        })
        .unwrap();
        let resolved = r.resolve(&p).unwrap();
        let slow = eccp_china::reference::rank(d, &resolved, &Options::default()).unwrap();
        for k in [1, 2, 3, 5, 8, 13] {
            let fast = r
                .rank(
                    &resolved,
                    &Options {
                        top_k: k,
                        ..Options::default()
                    },
                )
                .unwrap();
            let fast_ids: Vec<&str> = fast.iter().map(|(i, _)| d.partner(*i).id()).collect();
            let slow_ids: Vec<&str> = slow.iter().take(k).map(|x| x.0.as_str()).collect();
            assert_eq!(fast_ids, slow_ids, "{} at k = {k}", s.id());
            if slow.len() > k && (slow[k - 1].1 - slow[k].1).abs() < 1e-12 {
                tied_cuts += 1;
            }
        }
    }
    // The test reaches what it is about: cuts inside a tie.
    assert!(tied_cuts > 20, "only {tied_cuts} cuts fell inside a tie");
}

proptest! {
    #![proptest_config(ProptestConfig { cases: cases(12), ..ProptestConfig::default() })]

    /// On random profiles, random k and a random partner outside the top k: every "why not"
    /// change applied on its own puts the partner in; for a weight or the tolerance, no change
    /// part of the way does; "cannot help" holds at the extremes.
    #[test]
    fn why_not_answers_hold_on_random_profiles(
        input in arb_input(),
        k in 1usize..8,
        pick in 0usize..1000,
    ) {
        use eccp_china::whynot::Change;
        let p = Profile::try_from(input.clone()).unwrap();
        let r = rec();
        let resolved = r.resolve(&p).unwrap();
        let base = Options { top_k: k, ..Options::default() };
        let all = recommend_all(&input, Options::default());
        prop_assume!(all.matches.len() > k);
        // Mostly just outside the top k, where changes exist; sometimes far.
        let span = if pick % 4 == 0 { all.matches.len() - k } else { (all.matches.len() - k).min(3) };
        let target = &all.matches[k + pick % span];
        let w = r.why_not(&resolved, &base, &target.id).unwrap();
        prop_assert_eq!(w.partner.rank, Some(target.rank));
        let in_top = |p: &Profile, o: &Options| {
            r.recommend_profile(p, o).unwrap().matches.iter().any(|m| m.id == target.id)
        };
        // A change is made to the profile as checked (its defaults filled in), as the
        // library makes it.
        let with = |f: &dyn Fn(&mut ProfileInput)| {
            let mut i = ProfileInput::from(p.clone());
            f(&mut i);
            Profile::try_from(i).unwrap()
        };
        for c in &w.changes {
            match &c.change {
                Change::Weight { component, from, to } => {
                    let mut o = base.clone();
                    o.weights.set(*component, *to);
                    prop_assert!(in_top(&p, &o), "{}", c.description);
                    for f in [0.5, 0.99] {
                        let mut o = base.clone();
                        o.weights.set(*component, from + f * (to - from));
                        prop_assert!(!in_top(&p, &o), "{} part of the way already does", c.description);
                    }
                }
                Change::Tolerance { from, to } => {
                    prop_assert!(in_top(&with(&|i| i.control_tolerance = Some(*to)), &base));
                    for f in [0.5, 0.99] {
                        let t = from + f * (to - from);
                        prop_assert!(!in_top(&with(&|i| i.control_tolerance = Some(t)), &base));
                    }
                }
                Change::TechLevel { to, .. } => {
                    prop_assert!(in_top(&with(&|i| i.tech_level = Some(*to)), &base));
                }
                Change::AddGoal { goal } => {
                    prop_assert!(in_top(&with(&|i| i.goals.push(goal.as_str().into())), &base));
                }
                Change::RemoveGoal { goal } => {
                    prop_assert!(in_top(&with(&|i| i.goals.retain(|g| g != goal.as_str())), &base));
                }
                Change::AddRegion { region } => {
                    prop_assert!(in_top(&with(&|i| i.preferred_regions.push(region.clone())), &base));
                }
                Change::AddKeyword { keyword } => {
                    prop_assert!(in_top(&with(&|i| i.keywords.push(keyword.clone())), &base));
                }
            }
        }
        // A weight said not to help does not at either extreme.
        for c in Component::ALL {
            if w.cannot.iter().any(|s| s.starts_with(&format!("no {c} weight"))) {
                for x in [0.0, 100.0] {
                    let mut o = base.clone();
                    o.weights.set(c, x);
                    if o.weights.normalized().is_ok() {
                        prop_assert!(!in_top(&p, &o), "{c} at {x} does help");
                    }
                }
            }
        }
    }

    /// A comparison of two random matches adds up to their gap, component by component.
    #[test]
    fn comparisons_add_up_on_random_profiles(input in arb_input(), a in 0usize..50, b in 0usize..50) {
        let all = recommend_all(&input, Options::default());
        prop_assume!(!all.matches.is_empty());
        let (ma, mb) = (&all.matches[a % all.matches.len()], &all.matches[b % all.matches.len()]);
        let r = rec();
        let resolved = r.resolve(&Profile::try_from(input).unwrap()).unwrap();
        let c = r.compare(&resolved, &Options::default(), &ma.id, &mb.id).unwrap();
        let sum: f64 = c.differences.iter().map(|d| d.difference).sum();
        prop_assert_eq!(sum, c.gap);
        prop_assert!((c.gap - (ma.score - mb.score)).abs() < 1e-12);
        prop_assert_eq!(c.a.rank, Some(ma.rank));
    }
}
