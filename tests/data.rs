//! Invariants of the embedded data, checked against the briefing's own text
//! (`data/briefing.txt`) wherever the briefing can decide them.

use eccp_china::{
    data::{NoteKind, Partner},
    Dataset, Kind, Level,
};
use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet};

const BRIEFING: &str = include_str!("../data/briefing.txt");
const IDS: &str = include_str!("../data/ids.txt");

fn data() -> &'static Dataset {
    Dataset::embedded().expect("the embedded data is valid")
}

fn norm(s: &str) -> String {
    s.split_whitespace().collect::<Vec<_>>().join(" ")
}

fn partner(id: &str) -> &'static Partner {
    let d = data();
    d.partner(
        d.find_partner(id)
            .unwrap_or_else(|| panic!("no partner `{id}`")),
    )
}

fn refs(p: &Partner) -> Vec<String> {
    p.sources()
        .iter()
        .map(|s| s.reference().to_string())
        .collect()
}

/// One row of Table 4 as the briefing prints it.
struct Row {
    province_heading: String,
    printed_count: usize,
    text: String,
}

/// Parses Table 4 from the briefing: a first cell with "(N)" opens a province; blank city
/// cells continue the one above; two rows are shifted left (place in the first column);
/// the page header inside the table is not a row.
fn table4() -> Vec<Row> {
    let start = BRIEFING
        .rfind("TABLE 4 - LIST OF TOP 100")
        .expect("Table 4 heading");
    let mut rows = Vec::new();
    let mut heading = String::new();
    let mut count = 0;
    for line in BRIEFING[start..].lines().skip(2) {
        if !line.contains("industrial cluster") {
            continue;
        }
        let cells: Vec<&str> = line.split('\t').collect();
        let first = cells[0].trim();
        if let (Some(open), Some(close)) = (first.rfind('('), first.rfind(')')) {
            if let Ok(n) = first[open + 1..close].parse::<usize>() {
                heading = first[..open].trim().to_string();
                count = n;
            }
        }
        let text = if cells.len() > 1 && cells[1].contains("industrial cluster") {
            // Shifted row: the place sits in the province column.
            norm(&format!("{} {}", cells[0], cells[1]))
        } else if cells.len() > 2 && !cells[1].trim().is_empty() {
            norm(&format!("{} {}", cells[1], cells[2]))
        } else {
            norm(cells[cells.len() - 1])
        };
        rows.push(Row {
            province_heading: heading.clone(),
            printed_count: count,
            text,
        });
    }
    rows
}

fn table4_partners() -> BTreeMap<u16, &'static Partner> {
    let mut m = BTreeMap::new();
    for p in data().partners() {
        for s in p.sources() {
            if let Some(r) = s.row() {
                assert!(m.insert(r, p).is_none(), "row {r} twice");
            }
        }
    }
    m
}

#[test]
fn table_4_has_100_rows_each_one_record() {
    let rows = table4();
    assert_eq!(rows.len(), 100, "the briefing's Table 4 parses to 100 rows");
    let by_row = table4_partners();
    assert_eq!(
        by_row.keys().copied().collect::<Vec<_>>(),
        (1..=100).collect::<Vec<u16>>()
    );
    for (r, p) in &by_row {
        assert_eq!(p.kind(), Kind::IndustrialCluster, "{}", p.id());
        let row = &rows[*r as usize - 1];
        let quote = p
            .sources()
            .iter()
            .find(|s| s.row() == Some(*r))
            .and_then(|s| s.quote())
            .unwrap();
        assert_eq!(norm(quote), row.text, "row {r} ({})", p.id());
    }
}

#[test]
fn table_4_per_province_counts_match_the_printed_counts() {
    let d = data();
    let rows = table4();
    let mut printed: BTreeMap<String, usize> = BTreeMap::new();
    let mut carried: BTreeMap<String, usize> = BTreeMap::new();
    for r in &rows {
        printed.insert(r.province_heading.clone(), r.printed_count);
        *carried.entry(r.province_heading.clone()).or_default() += 1;
    }
    assert_eq!(
        printed, carried,
        "rows under each heading match its printed count"
    );
    assert_eq!(printed.values().sum::<usize>(), 100);
    assert_eq!(printed["Zhejiang province"], 25);
    assert_eq!(printed["Jiangsu province"], 16);
    assert_eq!(printed["Guangdong province"], 13);

    let mut ours: BTreeMap<String, usize> = BTreeMap::new();
    for (r, p) in table4_partners() {
        let prov = d
            .regions()
            .province(p.province().expect("Table 4 clusters are local"));
        let heading = &rows[r as usize - 1].province_heading;
        assert!(
            heading.starts_with(prov.name()),
            "row {r}: record says {}, table heading is {heading}",
            prov.name()
        );
        *ours.entry(heading.clone()).or_default() += 1;
    }
    assert_eq!(ours, printed);
}

#[test]
fn table_4_chinese_names_are_kept_as_printed_and_misprints_corrected() {
    for (r, p) in table4_partners() {
        let zh = p
            .chinese_name()
            .unwrap_or_else(|| panic!("row {r} prints a Chinese name"));
        assert!(BRIEFING.contains(zh), "{}: {zh} is not printed", p.id());
    }
    for (id, printed, corrected) in [
        ("ouhai-locks", "溫州瓊海", "溫州甌海"),
        ("jiangyan-energy-equipment", "泰州薑堰", "泰州姜堰"),
    ] {
        let p = partner(id);
        assert_eq!(p.chinese_name(), Some(printed));
        let c = p
            .corrections()
            .iter()
            .find(|c| c.field == "chinese_name")
            .expect("a correction");
        assert_eq!(
            (c.printed.as_str(), c.corrected.as_str()),
            (printed, corrected)
        );
    }
}

// That every quote of the embedded data (sources and overrides) is in the briefing, and that
// the embedded data cites nothing else, is a unit test beside the rule itself
// (`src/dataset/quote.rs`), the rule that `DatasetBuilder::build` holds user files to. This
// file loads the embedded partner files as a user's files, through that check.

#[test]
fn the_embedded_partner_files_pass_the_check_a_users_files_get() {
    let mut b = Dataset::builder().without_embedded_partners();
    for (name, text) in [
        (
            "industrial_clusters.json",
            include_str!("../data/partners/industrial_clusters.json"),
        ),
        (
            "organisations.json",
            include_str!("../data/partners/organisations.json"),
        ),
    ] {
        b = b.partners_json(name, text);
    }
    let d = b.build().unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(d.partners().len(), data().partners().len());
}

#[test]
fn every_record_has_a_source_and_ids_are_unique_and_registered() {
    let d = data();
    let mut seen = HashSet::new();
    for p in d.partners() {
        assert!(seen.insert(p.id()), "duplicate id {}", p.id());
        assert!(!p.sources().is_empty(), "{} has no source", p.id());
        assert!(!p.sectors().is_empty(), "{} has no sector", p.id());
    }
    let mut registered = HashSet::new();
    let mut retired = HashSet::new();
    let lines: Vec<&str> = IDS
        .lines()
        .filter(|l| !l.starts_with('#') && !l.trim().is_empty())
        .collect();
    let mut sorted = lines.clone();
    sorted.sort();
    assert_eq!(lines, sorted, "data/ids.txt is sorted");
    for l in lines {
        match l.split_once(' ') {
            Some((id, "retired")) => assert!(retired.insert(id)),
            None => assert!(registered.insert(l)),
            Some(_) => panic!("bad line in data/ids.txt: {l}"),
        }
    }
    for id in &seen {
        assert!(
            registered.contains(id),
            "`{id}` is not in data/ids.txt: register new ids there"
        );
        assert!(
            !retired.contains(id),
            "`{id}` is retired and must not be reused"
        );
    }
    for id in &registered {
        assert!(
            seen.contains(id),
            "`{id}` is in data/ids.txt but in no record: mark it retired"
        );
    }
}

#[test]
fn no_two_records_describe_the_same_entity() {
    let mut names = HashMap::new();
    for p in data().partners() {
        for n in std::iter::once(p.name()).chain(p.aliases().iter().map(String::as_str)) {
            let key: String = n
                .to_lowercase()
                .chars()
                .filter(|c| c.is_alphanumeric())
                .collect();
            if let Some(other) = names.insert(key, p.id()) {
                assert_eq!(other, p.id(), "`{n}` names two records");
            }
        }
    }
}

#[test]
fn entities_named_twice_are_one_record_with_both_sources() {
    let has = |id: &str, wanted: &[&str]| {
        let r = refs(partner(id));
        for w in wanted {
            assert!(r.iter().any(|x| x == w), "{id} lacks source {w}: {r:?}");
        }
    };
    has("huadu-automobile", &["Table 4", "Section 3.2", "Section 5"]);
    has("tonghua-pharmaceuticals", &["Table 4", "Section 3.2"]);
    has(
        "zhangjiang-hi-tech-park",
        &["Table 1", "Section 3.2", "Section 5"],
    );
    has("zhongguancun-science-park", &["Table 1", "Section 3.2"]);
    has("china-renewable-energy-society", &["Table 1", "Table 3"]);
    has(
        "china-medicinal-biotech-association",
        &["Table 1", "Table 3"],
    );
    has("chinese-society-of-biotechnology", &["Table 1", "Table 3"]);
    has(
        "beijing-science-technology-commission",
        &["Table 1", "Table 3"],
    );
    has("dongguan-electronics", &["Table 4", "Section 5"]);
    // Table 3 lists MIIT, MoST and NDRC twice: one record each, both rows as sources.
    for id in ["miit", "most", "ndrc"] {
        let n = refs(partner(id)).iter().filter(|r| *r == "Table 3").count();
        assert!(n >= 1, "{id}");
    }
    let d = data();
    for name in [
        "Ministry of Industry and Information Technology",
        "Ministry of Science and Technology",
    ] {
        let n = d
            .partners()
            .iter()
            .filter(|p| p.name().starts_with(name))
            .count();
        assert_eq!(n, 1, "{name}");
    }
}

#[test]
fn the_prose_clusters_are_there() {
    for (id, section) in [
        ("tianjin-aviation-logistics-shipping", "Section 3.1"),
        ("shijiazhuang-pharmaceuticals", "Section 3.1"),
        ("beijing-petrochemical-education-rd", "Section 3.1"),
        ("chongqing-automobile", "Section 3.2"),
        ("dazu-automobile-motorcycle", "Section 3.2"),
        ("wuhan-east-lake-high-tech-zone", "Section 3.2"),
        ("chengdu-hi-tech-zone", "Section 3.2"),
        ("guangzhou-development-zone", "Section 3.2"),
        ("nansha-development-zone", "Section 3.2"),
        (
            "beijing-economic-technological-development-area",
            "Section 3.2",
        ),
        ("jinshan-chemicals", "Section 3.1"),
        ("yixing-environmental-protection-equipment", "Section 3.1"),
        ("xianghe-furniture", "Section 3.1"),
    ] {
        assert!(
            refs(partner(id)).iter().any(|r| r == section),
            "{id} lacks {section}"
        );
    }
    assert_eq!(
        partner("dazu-automobile-motorcycle")
            .facts()
            .firms
            .as_ref()
            .map(|f| f.count),
        Some(412)
    );
    assert_eq!(
        partner("tonghua-pharmaceuticals")
            .facts()
            .firms
            .as_ref()
            .map(|f| f.count),
        Some(95)
    );
    assert_eq!(
        partner("zhangjiang-hi-tech-park").facts().established,
        Some(1992)
    );
}

#[test]
fn kinds_carry_section_3_1_defaults_and_overrides_have_a_basis() {
    for p in data().partners() {
        for (a, default) in [
            (p.tech(), p.kind().default_tech()),
            (p.control(), p.kind().default_control()),
        ] {
            match a.basis() {
                None => assert_eq!(a.level(), default, "{}", p.id()),
                Some((basis, _)) => {
                    assert_ne!(a.level(), default, "{}: override equals default", p.id());
                    assert!(!basis.trim().is_empty());
                }
            }
        }
        if p.kind().is_organisation() {
            assert!(p.has_formal_organisation(), "{}", p.id());
        }
    }
    assert_eq!(Kind::IndustrialCluster.default_tech(), Level::Low);
    assert_eq!(Kind::IndustrialCluster.default_control(), Level::Low);
    for k in [Kind::SciencePark, Kind::EconomicZone] {
        assert_eq!(
            (k.default_tech(), k.default_control()),
            (Level::High, Level::High)
        );
    }
    // Most Table 4 clusters keep the low-tech default.
    let low = table4_partners()
        .values()
        .filter(|p| p.tech().level() == Level::Low)
        .count();
    assert!(low >= 80, "{low}");
}

/// Every override of a kind's default, with what it rests on: (partner, field, assessment).
fn overrides() -> Vec<(
    &'static Partner,
    &'static str,
    &'static eccp_china::data::Assessment,
)> {
    let mut out = Vec::new();
    for p in data().partners() {
        for (field, a) in [("tech", p.tech()), ("control", p.control())] {
            if !a.is_default() {
                out.push((p, field, a));
            }
        }
    }
    out
}

#[test]
fn every_override_is_quoted_inferred_or_external() {
    let all = overrides();
    assert!(all.len() >= 10, "only {} overrides", all.len());
    for (p, field, a) in all {
        let (basis, source) = a.basis().expect("an override has a basis");
        let what = format!("{}.{field}", p.id());
        assert!(!basis.trim().is_empty(), "{what}: empty basis");
        match (a.quote(), a.is_inferred()) {
            (Some(_), false) => {
                // The quote itself is checked with every other (`src/dataset/quote.rs`).
                assert!(
                    source.is_briefing(),
                    "{what}: a quote needs a briefing source"
                );
            }
            (None, true) => {
                // The briefing does not state this level; the basis says so.
                assert!(
                    basis.starts_with("inferred: "),
                    "{what}: an inferred basis starts with `inferred: `: {basis:?}"
                );
            }
            (None, false) => assert!(
                !source.is_briefing(),
                "{what}: an override resting on the briefing is quoted or inferred"
            ),
            (Some(_), true) => panic!("{what}: quoted and inferred at once"),
        }
        // The embedded data cites the briefing, even for what it infers.
        assert!(
            source.is_briefing(),
            "{what}: embedded data cites the briefing"
        );
    }
}

#[test]
fn overrides_follow_one_rule_per_kind_of_argument() {
    // Table 4 prints a place and a product, no level: a cluster known only from its row keeps
    // the kind's defaults, whatever its product (photovoltaics, IT and electric cars included).
    for (r, p) in table4_partners() {
        if p.sources().len() == 1 {
            assert!(
                p.tech().is_default() && p.control().is_default(),
                "row {r} ({}): Table 4 alone states no level",
                p.id()
            );
        }
    }
    for id in [
        "wuxi-new-district-photovoltaics",
        "kunshan-it",
        "pinghu-opto-mechatronics",
        "xishan-electric-cars",
    ] {
        assert_eq!(partner(id).tech().level(), Level::Low, "{id}");
    }
    // What a place hosts (parts suppliers, a carmaker, an assembly area) states no level: the
    // records section 3.2 names in one breath keep their own kind's default alike.
    for id in [
        "shapingba-auto-parts",
        "jiulong-industrial-park",
        "banan-automobile",
        "chayuan-new-area",
        "wanzhou-tianzi-park",
        "guangzhou-development-zone",
    ] {
        let p = partner(id);
        assert!(
            p.tech().is_default(),
            "{id}: hosting suppliers states no tech level"
        );
        assert_eq!(p.tech().level(), p.kind().default_tech(), "{id}");
    }
    // One sentence, one level: Dazu and Hechuan "integrate automobile production, R&D".
    let (dazu, hechuan) = (
        partner("dazu-automobile-motorcycle").tech(),
        partner("hechuan-automobile").tech(),
    );
    assert_eq!(dazu.quote(), hechuan.quote());
    assert_eq!(dazu.level(), hechuan.level());
    // The briefing's words about a cluster's R&D or technology lift it one step, never to the
    // "high-tech ecosystem" section 3.1 reserves for parks and zones; likewise for control.
    for (p, field, a) in overrides() {
        if p.kind() == Kind::IndustrialCluster {
            assert_eq!(a.level(), Level::Medium, "{}.{field}", p.id());
            assert!(a.quote().is_some(), "{}.{field} is quoted", p.id());
        }
    }
    // A whole's override is not handed down to its parts.
    assert_eq!(
        partner("chongqing-automobile").control().level(),
        Level::Medium
    );
    assert!(partner("dazu-automobile-motorcycle").control().is_default());
}

#[test]
fn support_services_default_to_medium_control_and_eu_run_ones_are_low() {
    assert_eq!(Kind::SupportService.default_control(), Level::Medium);
    for id in [
        "cereco",
        "china-auto-info",
        "china-auto-statistic",
        "china-biotech",
        "beijing-energy-network",
    ] {
        let p = partner(id);
        assert_eq!(p.kind(), Kind::SupportService, "{id}");
        assert!(
            p.control().is_default(),
            "{id}: the briefing does not rate it"
        );
        assert_eq!(p.control().level(), Level::Medium, "{id}");
    }
    for id in [
        "eu-sme-centre",
        "china-ipr-sme-helpdesk",
        "eu-chamber-of-commerce-china",
    ] {
        let p = partner(id);
        assert_eq!(p.kind(), Kind::SupportService, "{id}");
        assert_eq!(p.control().level(), Level::Low, "{id}");
    }
    // Section 2.2 speaks of the helpdesk itself: quoted, not inferred.
    let helpdesk = partner("china-ipr-sme-helpdesk").control();
    assert!(helpdesk.quote().is_some() && !helpdesk.is_inferred());
}

#[test]
fn the_readme_examples_are_real_records() {
    // data/README.md shows partner records; each must be the record of that id, value for value.
    let readme = include_str!("../data/README.md");
    let mut records: HashMap<String, serde_json::Value> = HashMap::new();
    for file in [
        include_str!("../data/partners/industrial_clusters.json"),
        include_str!("../data/partners/organisations.json"),
    ] {
        let v: serde_json::Value = serde_json::from_str(file).unwrap();
        for p in v["partners"].as_array().unwrap() {
            records.insert(p["id"].as_str().unwrap().to_string(), p.clone());
        }
    }
    let mut shown = Vec::new();
    for block in readme.split("```json").skip(1) {
        let body = block.split("```").next().unwrap();
        let Ok(v) = serde_json::from_str::<serde_json::Value>(body) else {
            continue;
        };
        let Some(id) = v.get("id").and_then(|x| x.as_str()) else {
            continue;
        };
        if v.get("roles").is_some() {
            // A call template's format, not a partner record (its quotes are elided).
            continue;
        }
        let real = records
            .get(id)
            .unwrap_or_else(|| panic!("README shows `{id}`, which is no partner"));
        assert_eq!(&v, real, "README example `{id}` differs from the record");
        shown.push(id.to_string());
    }
    assert!(
        shown.iter().any(|id| id == "huadu-automobile"),
        "the README's partner example is huadu-automobile: {shown:?}"
    );
}

#[test]
fn national_bodies_have_no_place_and_local_records_do() {
    let d = data();
    for id in ["miit", "most", "ndrc", "caam", "eu-sme-centre"] {
        let p = partner(id);
        assert!(p.province().is_none() && p.place().is_none(), "{id}");
        assert!(d.macro_region_of(p).is_none());
    }
    for p in table4_partners().values() {
        assert!(p.place().is_some(), "{}", p.id());
    }
    let huadu = partner("huadu-automobile");
    assert_eq!(
        d.regions().place(d.city_of(huadu).unwrap()).name(),
        "Guangzhou"
    );
    assert_eq!(
        d.regions()
            .macro_region(d.macro_region_of(huadu).unwrap())
            .id(),
        "pearl_river_delta"
    );
}

#[test]
fn macro_regions_follow_the_briefing() {
    let d = data();
    let r = d.regions();
    let region_of = |prov: &str| {
        r.macro_region(r.province(r.find_province(prov).unwrap()).macro_region())
            .id()
    };
    for p in ["beijing", "tianjin", "hebei", "liaoning", "shandong"] {
        assert_eq!(region_of(p), "bohai_rim", "{p}");
    }
    assert_eq!(region_of("guangdong"), "pearl_river_delta");
    for p in ["shanghai", "jiangsu", "zhejiang"] {
        assert_eq!(region_of(p), "yangtze_river_delta");
    }
    for (p, m) in [
        ("sichuan", "west"),
        ("chongqing", "west"),
        ("hubei", "central"),
        ("jilin", "northeast"),
    ] {
        assert_eq!(region_of(p), m);
    }
    // Section 3.1: the "Go West" policy favours "the central provinces"; the policy of that name
    // covers the western ones. The briefing never links it to the Northeast.
    let go_west: HashSet<String> = eccp_china::resolve::Matcher::new(d)
        .resolve_region("Go West")
        .expect("`Go West` resolves")
        .0
        .into_iter()
        .map(|x| match x {
            eccp_china::data::RegionRef::Macro(m) => r.macro_region(m).id().to_string(),
            other => panic!("`Go West` names a macro-region, not {other:?}"),
        })
        .collect();
    assert_eq!(
        go_west,
        HashSet::from(["central".to_string(), "west".to_string()])
    );
    let bohai = r.macro_region(r.find_macro_region("bohai_rim").unwrap());
    assert_eq!(
        bohai.partial_provinces().len(),
        3,
        "part of Hebei, Liaoning and Shandong"
    );
    assert_eq!(r.provinces().len(), 34);
    for m in r.macro_regions() {
        if m.is_coastal() && m.id() != "southeast_coast" {
            assert!(
                !m.strengths().is_empty(),
                "{} has strengths in section 3.1",
                m.id()
            );
        }
    }
}

#[test]
fn the_taxonomy_covers_the_briefings_fields_and_the_eccp_vocabularies() {
    let t = data().taxonomy();
    let priority: Vec<&str> = t
        .sectors()
        .iter()
        .filter(|s| s.is_priority())
        .map(|s| s.id())
        .collect();
    assert_eq!(
        priority,
        ["automotive", "biotechnology", "renewable_energy", "ict"]
    );
    let count = |id: &str| {
        t.vocabularies()
            .iter()
            .find(|v| v.id() == id)
            .map(|v| v.entries().count())
    };
    assert_eq!(count("eu_industrial_ecosystems"), Some(14));
    assert_eq!(count("european_emerging_industries"), Some(10));
    assert_eq!(count("fyp13_strategic_emerging_industries"), Some(6));
    assert_eq!(count("eu_china_flagships"), Some(5));
    // Every sector a record uses is in the taxonomy (ids are checked at load), and every
    // sector sits in a tree whose root is reachable.
    let s = |id: &str| t.find(id).unwrap();
    assert_eq!(t.distance(s("electric_vehicles"), s("automotive")), Some(1));
    assert_eq!(
        t.distance(s("electric_vehicles"), s("motorcycles")),
        Some(3)
    );
    assert_eq!(t.distance(s("electric_vehicles"), s("apparel")), None);
    assert!(t.is_within(s("wind"), s("renewable_energy")));
}

#[test]
fn the_eu_ecosystems_are_named_as_the_commission_names_them() {
    // The 14 industrial ecosystems of the Commission's updated industrial strategy (Annual
    // Single Market Report 2021), compared without case and punctuation.
    let key = |s: &str| {
        s.to_lowercase()
            .split(|c: char| !c.is_alphanumeric())
            .filter(|w| !w.is_empty())
            .collect::<Vec<_>>()
            .join(" ")
    };
    let commission: HashSet<String> = [
        "Aerospace & Defence",
        "Agri-food",
        "Construction",
        "Cultural and Creative Industries",
        "Digital",
        "Electronics",
        "Energy Intensive Industries",
        "Energy - Renewables",
        "Health",
        "Mobility - Transport - Automotive",
        "Proximity, Social Economy and Civil Security",
        "Retail",
        "Textiles",
        "Tourism",
    ]
    .iter()
    .map(|s| key(s))
    .collect();
    let t = data().taxonomy();
    let ours: HashSet<String> = t
        .vocabularies()
        .iter()
        .find(|v| v.id() == "eu_industrial_ecosystems")
        .expect("the crosswalk")
        .entries()
        .map(|(label, _)| key(label))
        .collect();
    assert_eq!(ours, commission);
    // "Civil society" is not the ecosystem's word, and nothing in the briefing supports it as a
    // name of the social economy.
    for s in t.sectors() {
        assert!(
            s.aliases().iter().all(|a| key(a) != "civil society"),
            "{}",
            s.id()
        );
    }
}

#[test]
fn table_4_sectors_are_reachable_from_the_eu_ecosystems() {
    // A profile written only in the Commission's ecosystem terms reaches a sector when some
    // term of the crosswalk lists it or one of its ancestors.
    let t = data().taxonomy();
    let eco = t
        .vocabularies()
        .iter()
        .find(|v| v.id() == "eu_industrial_ecosystems")
        .expect("the crosswalk");
    let reachable = |s: eccp_china::data::SectorId| {
        eco.entries()
            .any(|(_, secs)| secs.iter().any(|e| t.is_within(s, *e)))
    };
    // Measuring and optical instruments (NACE C26.51, C26.70) belong to the Electronics
    // ecosystem, but "Electronics" is also the electronics sector's own name, and a name means
    // one thing: that term can reach only the electronics sector's subtree. data/README.md
    // explains; the list must stay exact.
    const PINNED: &[(&str, &str)] = &[("precision_instruments", "Electronics")];
    let mut unreachable = BTreeSet::new();
    for p in table4_partners().values() {
        for s in p.sectors() {
            if !reachable(*s) {
                unreachable.insert(t.get(*s).id());
            }
        }
    }
    let pinned: BTreeSet<&str> = PINNED.iter().map(|(s, _)| *s).collect();
    assert_eq!(
        unreachable, pinned,
        "Table 4 sectors no EU ecosystem term reaches"
    );
    for (s, term) in PINNED {
        let (_, secs) = eco
            .entries()
            .find(|(label, _)| label == term)
            .unwrap_or_else(|| panic!("no term {term}"));
        assert_eq!(secs.len(), 1, "{term} is pinned to one sector");
        assert_eq!(
            t.get(secs[0]).id().replace('_', " "),
            term.to_lowercase(),
            "{term} is pinned by a sector's own name"
        );
        assert!(!t.is_within(t.find(s).unwrap(), secs[0]), "{s}");
    }
}

#[test]
fn support_resources_and_policy_notes_are_there() {
    let d = data();
    for id in [
        "eu-sme-centre",
        "china-ipr-sme-helpdesk",
        "eu-chamber-of-commerce-china",
        "cereco",
    ] {
        assert_eq!(partner(id).kind(), Kind::SupportService, "{id}");
    }
    let prog: HashSet<&str> = d.programmes().iter().map(|p| p.id()).collect();
    for id in ["enrich", "dragon_star_plus", "chinaaccess4eu", "inco_lab"] {
        assert!(prog.contains(id), "{id}");
    }
    let t = d.taxonomy();
    let note_on = |sector: &str, kind: NoteKind, section: &str, words: &str| {
        let sid = t.find(sector).unwrap();
        assert!(
            d.policy_notes().iter().any(|n| n.kind() == kind
                && n.applies_when()
                    .sectors()
                    .iter()
                    .any(|s| t.is_within(sid, *s))
                && n.sources()
                    .iter()
                    .any(|s| s.reference().to_string() == section)
                && n.sources()
                    .iter()
                    .any(|s| s.quote().is_some_and(|q| q.contains(words)))),
            "no {kind:?} note on {sector} from {section} quoting {words:?}"
        );
    };
    note_on(
        "automotive",
        NoteKind::Caution,
        "Section 4.2",
        "joint ventures",
    );
    note_on(
        "renewable_energy",
        NoteKind::Caution,
        "Section 2.3.3",
        "regulated",
    );
    note_on(
        "solar",
        NoteKind::Demand,
        "Section 2.3.3",
        "European know-how",
    );
    assert!(d
        .policy_notes()
        .iter()
        .any(|n| n.applies_when().topics().iter().any(|t| t == "ai")));
    assert!(d
        .policy_notes()
        .iter()
        .any(|n| n.applies_when().min_control() == Some(Level::High)));
    assert!(d
        .policy_notes()
        .iter()
        .any(|n| n.applies_when().no_formal_organisation()));
}

#[test]
fn dataset_is_send_and_sync() {
    fn assert_send_sync<T: Send + Sync>() {}
    assert_send_sync::<Dataset>();
    assert_send_sync::<eccp_china::resolve::Matcher<'static>>();
    assert_send_sync::<eccp_china::Error>();
}

#[test]
fn case_studies_are_exactly_the_partners_section_3_2_heads() {
    let start = BRIEFING
        .find("3.2. Clusters in Automotive")
        .expect("section 3.2");
    let end = BRIEFING[start..]
        .find("4 Cluster policies")
        .expect("section 4")
        + start;
    let headings: HashSet<&str> = BRIEFING[start..end]
        .lines()
        .skip(1)
        .map(str::trim)
        .filter(|l| !l.is_empty() && l.len() < 60)
        .filter(|l| !l.ends_with("clusters") && !l.starts_with("FIGURE") && !l.starts_with("www."))
        .filter(|l| l.chars().next().is_some_and(|c| c.is_ascii_uppercase()))
        .collect();
    assert_eq!(headings.len(), 7, "{headings:?}");
    let mut seen = HashSet::new();
    for p in data().partners().iter().filter(|p| p.is_case_study()) {
        let h = p
            .sources()
            .iter()
            .filter(|s| s.reference().to_string() == "Section 3.2")
            .filter_map(|s| s.quote())
            .find(|q| headings.contains(q))
            .unwrap_or_else(|| panic!("{} quotes no section 3.2 heading", p.id()));
        assert!(seen.insert(h), "{h} heads two records");
    }
    assert_eq!(seen, headings, "every heading is a case study record");
}

/// The briefing split at its numbered headings ("2.3.1 Automotive", "3.1. Cluster mapping"):
/// each section's number and its own text (up to the next heading, subsections apart),
/// whitespace normalised.
fn sections() -> Vec<(String, String)> {
    let mut out: Vec<(String, String)> = Vec::new();
    for line in BRIEFING.lines() {
        let heading = line.split_once(' ').and_then(|(num, rest)| {
            let num = num.trim_end_matches('.');
            let numbered = !num.is_empty()
                && num
                    .split('.')
                    .all(|p| !p.is_empty() && p.bytes().all(|b| b.is_ascii_digit()));
            (numbered && rest.starts_with(|c: char| c.is_ascii_uppercase())).then_some(num)
        });
        match (heading, out.last_mut()) {
            (Some(num), _) => out.push((num.to_string(), String::new())),
            (None, Some(last)) => {
                last.1.push(' ');
                last.1.push_str(line);
            }
            (None, None) => {}
        }
    }
    out.into_iter().map(|(n, t)| (n, norm(&t))).collect()
}

#[test]
fn the_briefing_splits_into_its_numbered_sections() {
    let numbers: Vec<String> = sections().into_iter().map(|(n, _)| n).collect();
    for n in [
        "1", "2.1", "2.3", "2.3.1", "2.3.4", "3.1", "4.2", "4.5", "5", "6.4",
    ] {
        assert!(numbers.iter().any(|x| x == n), "{n}: {numbers:?}");
    }
    assert_eq!(numbers.len(), 24, "{numbers:?}");
}

/// The windows the briefing states for the notes' central claims: each quoted under its
/// own section's heading, writing its years, and given to exactly the notes chosen for
/// them (a dated figure that is not the note's point gives it no window).
#[test]
fn note_periods_are_quoted_under_their_sections_and_state_their_years() {
    let secs = sections();
    let mut with = BTreeSet::new();
    for n in data().policy_notes() {
        let Some(w) = n.period() else { continue };
        with.insert(n.id());
        let q = norm(w.source().quote().expect("a period quotes its window"));
        let num = w
            .source()
            .reference()
            .to_string()
            .strip_prefix("Section ")
            .unwrap_or_else(|| panic!("{}: a period cites a section", n.id()))
            .to_string();
        let (_, text) = secs
            .iter()
            .find(|(s, _)| *s == num)
            .unwrap_or_else(|| panic!("{}: no section {num}", n.id()));
        assert!(
            text.contains(&q),
            "{}: `{q}` is not under the heading of section {num}",
            n.id()
        );
        for y in w.start().into_iter().chain([w.end()]) {
            assert!(q.contains(&y[..4]), "{}: `{q}` lacks {y}", n.id());
        }
        // A plan's years read from another section say so.
        if !n
            .sources()
            .iter()
            .any(|s| s.reference() == w.source().reference())
        {
            assert!(
                w.basis().is_some(),
                "{}: window from elsewhere, no basis",
                n.id()
            );
        }
    }
    let expected: BTreeSet<&str> = [
        // The 13th Five-Year Plan (2016-2020).
        "strategic_emerging_industries",
        "ev_battery_charging_priorities",
        "intelligent_transport_fyp",
        "renewable_fyp_targets",
        "ict_fyp_growth_areas",
        "hospital_reform_private_capital",
        "healthcare_reform_priority_areas",
        "smart_healthcare",
        // Targets for 2020, 2025 and 2030, and strategies named by their years.
        "water_wastewater_capex",
        "green_growth_targets",
        "nev_subsidies_targets",
        "m2m_iot_market",
        "ict_indigenous_innovation",
        "ict_growth_drivers",
        "made_in_china_2025_domestic_priority",
        "nuclear_expansion",
        "nuclear_technology_transfer",
    ]
    .into_iter()
    .collect();
    assert_eq!(with, expected);
    // Every note that names the five-year plan has its window.
    for n in data().policy_notes() {
        if n.text().contains("Five-Year Plan") {
            assert!(n.period().is_some(), "{} names the plan", n.id());
        }
    }
}
