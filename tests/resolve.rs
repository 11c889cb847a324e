//! Profile resolution: free text to taxonomy sectors and regions, as a user types it.

use eccp_china::{
    data::RegionRef,
    resolve::{MatchKind, Matcher},
    Dataset, Error, Profile, ProfileInput,
};

fn data() -> &'static Dataset {
    Dataset::embedded().expect("embedded data")
}

fn matcher() -> Matcher<'static> {
    Matcher::new(data())
}

/// The sector ids a free-text sector resolves to.
fn sector(text: &str) -> Vec<&'static str> {
    let (ids, _) = matcher()
        .resolve_sector(text)
        .unwrap_or_else(|| panic!("`{text}` did not resolve"));
    ids.into_iter()
        .map(|s| data().taxonomy().get(s).id())
        .collect()
}

/// The region ids a free-text region resolves to.
fn region(text: &str) -> Vec<String> {
    let r = data().regions();
    let (refs, _) = matcher()
        .resolve_region(text)
        .unwrap_or_else(|| panic!("`{text}` did not resolve"));
    refs.into_iter()
        .map(|x| match x {
            RegionRef::Macro(m) => r.macro_region(m).id().to_string(),
            RegionRef::Province(p) => r.province(p).id().to_string(),
            RegionRef::Place(p) => r.place(p).id().to_string(),
        })
        .collect()
}

fn profile(sectors: &[&str], keywords: &[&str], regions: &[&str]) -> Profile {
    Profile::try_from(ProfileInput {
        name: "Test".into(),
        country: "FR".into(),
        sectors: sectors.iter().map(|s| s.to_string()).collect(),
        keywords: keywords.iter().map(|s| s.to_string()).collect(),
        preferred_regions: regions.iter().map(|s| s.to_string()).collect(),
        ..ProfileInput::default()
    })
    .expect("valid profile")
}

#[test]
fn sectors_resolve_by_name_alias_and_typo() {
    assert_eq!(sector("automotive"), ["automotive"]);
    assert_eq!(sector("Electric Vehicles"), ["electric_vehicles"]);
    assert_eq!(sector("e-mobility"), ["electric_vehicles"]);
    assert_eq!(sector("E-Mobility"), ["electric_vehicles"]);
    assert_eq!(sector("renewables"), ["renewable_energy"]);
    assert_eq!(sector("photovoltaics"), ["solar"]);
    assert_eq!(sector("photovoltaic"), ["solar"]);
    assert_eq!(sector("biotechnolgy"), ["biotechnology"]);
    assert_eq!(sector("pharmaceutical industry"), ["pharmaceuticals"]);
    assert_eq!(sector("Internet of Things"), ["iot"]);
    assert_eq!(sector("textile"), ["textiles"]);
    assert_eq!(sector("wind power"), ["wind"]);
    assert_eq!(sector("medtech"), ["medical_devices"]);
}

#[test]
fn eccp_vocabularies_resolve_through_the_crosswalk() {
    assert_eq!(sector("Mobility-Transport-Automotive"), ["mobility"]);
    // The Commission's ecosystem holds electrical equipment (NACE C27) beside renewables.
    let mut renewables = sector("Energy-renewables");
    renewables.sort();
    assert_eq!(
        renewables,
        [
            "electrical_equipment",
            "energy_efficiency",
            "energy_equipment",
            "heating_equipment",
            "household_appliances",
            "renewable_energy"
        ]
    );
    assert_eq!(sector("Aerospace & defence"), ["aerospace"]);
    assert_eq!(sector("Agri-food"), ["agrifood"]);
    assert_eq!(sector("Digital"), ["ict"]);
    assert_eq!(sector("Health"), ["health"]);
    let mut blue = sector("Blue growth");
    blue.sort();
    assert_eq!(
        blue,
        [
            "fisheries",
            "logistics",
            "marine_technology",
            "shipbuilding"
        ]
    );
    assert_eq!(sector("Biopharmaceuticals"), ["biopharmaceuticals"]);
    assert_eq!(sector("Medical devices"), ["medical_devices"]);
    assert_eq!(sector("New-energy vehicles (NEVs)"), ["electric_vehicles"]);
}

#[test]
fn keyword_phrases_inside_longer_text_resolve() {
    let (ids, how) = matcher().resolve_sector("battery systems").unwrap();
    let ids: Vec<&str> = ids
        .into_iter()
        .map(|s| data().taxonomy().get(s).id())
        .collect();
    assert_eq!(ids, ["electric_vehicles"]);
    assert!(matches!(how, MatchKind::Keyword { .. }), "{how:?}");
    assert!(sector("offshore wind turbine blades").contains(&"wind"));
}

#[test]
fn an_unknown_sector_is_an_error_naming_it_with_suggestions() {
    let p = profile(&["automotive", "biotek"], &[], &[]);
    let e = matcher().resolve(&p).unwrap_err();
    match &e {
        Error::Profile {
            field, suggestions, ..
        } => {
            assert_eq!(field, "sectors[1]");
            assert!(!suggestions.is_empty(), "{e}");
            assert!(
                suggestions
                    .iter()
                    .any(|s| s.to_lowercase().starts_with("biotech")),
                "{suggestions:?}"
            );
        }
        other => panic!("{other:?}"),
    }
    assert!(e.to_string().contains("`biotek`"), "{e}");
}

#[test]
fn regions_resolve_in_english_pinyin_and_chinese() {
    assert_eq!(region("Pearl River Delta"), ["pearl_river_delta"]);
    assert_eq!(region("PRD"), ["pearl_river_delta"]);
    assert_eq!(region("Yangtze River Delta"), ["yangtze_river_delta"]);
    assert_eq!(region("Bohai Rim"), ["bohai_rim"]);
    // Section 3.1: the "Go West" policy favours "the central provinces"; the Western
    // Development programme it is known by covers the west. The briefing never links it to
    // the Northeast.
    assert_eq!(region("Go West"), ["central", "west"]);
    assert_eq!(region("Western China"), ["west"]);
    assert_eq!(region("Sichuan"), ["sichuan"]);
    assert_eq!(region("Sichuan Province"), ["sichuan"]);
    assert_eq!(region("四川"), ["sichuan"]);
    assert_eq!(region("四川省"), ["sichuan"]);
    assert_eq!(region("Guǎngdōng"), ["guangdong"]);
    assert_eq!(region("广东"), ["guangdong"]);
    assert_eq!(region("廣東"), ["guangdong"]);
    assert_eq!(region("Shanghai"), ["shanghai"]);
    assert_eq!(region("Hangzhou"), ["hangzhou"]);
    assert_eq!(region("杭州"), ["hangzhou"]);
    assert_eq!(region("杭州市"), ["hangzhou"]);
    assert!(
        matcher().resolve_region("Xi'an").is_none(),
        "not in the gazetteer"
    );
}

#[test]
fn region_typos_resolve_and_unknown_regions_are_errors() {
    assert_eq!(region("Sichaun"), ["sichuan"]);
    assert_eq!(region("Guangdon"), ["guangdong"]);
    let p = profile(&["automotive"], &[], &["Atlantis"]);
    match matcher().resolve(&p).unwrap_err() {
        Error::Profile { field, .. } => assert_eq!(field, "preferred_regions[0]"),
        other => panic!("{other:?}"),
    }
}

#[test]
fn an_ambiguous_region_keeps_both_and_says_so() {
    let p = profile(&["shipbuilding"], &[], &["Taizhou"]);
    let r = matcher().resolve(&p).unwrap();
    assert_eq!(r.regions().len(), 2);
    assert!(r
        .warnings()
        .iter()
        .any(|w| w.field == "preferred_regions[0]" && w.message.contains("2 regions")));
}

#[test]
fn keywords_that_point_nowhere_are_reported_not_dropped() {
    let p = profile(&["automotive"], &["battery systems", "gemütlichkeit"], &[]);
    let r = matcher().resolve(&p).unwrap();
    assert_eq!(r.keyword_matches().len(), 1);
    assert_eq!(r.topics().len(), 2, "every keyword is kept as a topic");
    assert!(
        r.warnings().iter().any(|w| w.field == "keywords[1]"),
        "{:?}",
        r.warnings()
    );
}

#[test]
fn a_fuzzy_sector_match_is_reported() {
    let p = profile(&["biotechnolgy"], &[], &[]);
    let r = matcher().resolve(&p).unwrap();
    assert!(matches!(r.sector_matches()[0].how, MatchKind::Fuzzy { .. }));
    assert!(r.warnings().iter().any(|w| w.field == "sectors[0]"));
}
