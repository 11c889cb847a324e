//! The scoring model judged the way a cluster manager would, on profiles built from the
//! briefing: a cluster with several specialisations meets the partner that is exactly one of
//! them; a precise product keyword puts the cluster that makes it first among its sector
//! peers; intermediaries stay out of the ranked list unless asked for; and no reason or risk
//! contradicts the partner it is attached to.

use eccp_china::{
    data::Role, Dataset, Filter, Goal, Kind, Level, Options, Profile, ProfileInput,
    Recommendations, Recommender,
};

/// Every goal but business support, the one that brings intermediaries into the list.
const GOALS: [&str; 5] = [
    "market_access",
    "rd_cooperation",
    "technology_transfer",
    "sourcing",
    "investment",
];

fn data() -> &'static Dataset {
    Dataset::embedded().expect("embedded data")
}

fn recommender() -> Recommender {
    Recommender::new(data())
}

fn profile(sectors: &[&str], keywords: &[&str], goals: &[&str]) -> Profile {
    Profile::try_from(ProfileInput {
        name: "Test cluster".into(),
        country: "DE".into(),
        sectors: sectors.iter().map(|s| s.to_string()).collect(),
        keywords: keywords.iter().map(|s| s.to_string()).collect(),
        goals: goals.iter().map(|s| s.to_string()).collect(),
        ..ProfileInput::default()
    })
    .expect("valid profile")
}

fn ranked(p: &Profile, options: Options) -> Recommendations {
    recommender()
        .recommend_profile(
            p,
            &Options {
                top_k: usize::MAX,
                ..options
            },
        )
        .expect("profile resolves")
}

fn rank_of(r: &Recommendations, id: &str) -> usize {
    r.matches
        .iter()
        .find(|m| m.id == id)
        .map(|m| m.rank)
        .unwrap_or_else(|| panic!("{id} is not ranked"))
}

#[test]
fn a_cluster_with_several_specialisations_meets_the_partner_that_is_exactly_one() {
    // A transport cluster: cars, ships and aircraft. Jingjiang's shipbuilding cluster
    // (Table 4; section 3.1's "ship building ... in Taizhou") is exactly one of them; the
    // Zhangqiu "transport equipment" cluster is loosely related to all three.
    let r = ranked(
        &profile(&["automotive", "shipbuilding", "aerospace"], &[], &[]),
        Options::default(),
    );
    assert!(
        rank_of(&r, "jingjiang-shipbuilding") < rank_of(&r, "zhangqiu-transport-equipment"),
        "shipbuilding at {}, transport equipment at {}",
        rank_of(&r, "jingjiang-shipbuilding"),
        rank_of(&r, "zhangqiu-transport-equipment")
    );
    // The same with the list in another order, and for a materials cluster: each cluster
    // that is exactly one of steel, non-ferrous metals and ceramics ranks above the metal
    // casting and forging clusters, which are loosely related to all three.
    let r = ranked(
        &profile(&["aerospace", "shipbuilding", "automotive"], &[], &[]),
        Options::default(),
    );
    assert!(rank_of(&r, "jingjiang-shipbuilding") < rank_of(&r, "zhangqiu-transport-equipment"));
    let r = ranked(
        &profile(&["steel", "non-ferrous metals", "ceramics"], &[], &[]),
        Options::default(),
    );
    for exact in [
        "liling-ceramics",
        "taiyuan-stainless-steel",
        "gongyi-aluminium",
    ] {
        for loose in ["botou-metal-casting", "dingxiang-forging"] {
            assert!(
                rank_of(&r, exact) < rank_of(&r, loose),
                "{exact} at {}, {loose} at {}",
                rank_of(&r, exact),
                rank_of(&r, loose)
            );
        }
    }
}

#[test]
fn covering_several_specialisations_is_a_bonus() {
    // Huadu is automotive, electric vehicles and auto parts; Hechuan automotive only. Both
    // are exactly one of an EV cluster's specialisations; Huadu covers more of them.
    let r = ranked(
        &profile(&["electric vehicles", "auto parts"], &[], &[]),
        Options::default(),
    );
    let sector =
        |id: &str| r.matches[rank_of(&r, id) - 1].components[eccp_china::Component::Sector];
    assert!(sector("huadu-automobile") > sector("hechuan-automobile"));
}

/// The product words of a Table 4 cluster's name: its name without the place (the words the
/// name shares with the Chinese place it prints) and without "industrial cluster".
fn product_of(d: &Dataset, id: &str) -> String {
    let p = d.partner(d.find_partner(id).unwrap());
    let place = p
        .place()
        .map(|pl| d.regions().place(pl).name().to_lowercase());
    p.name()
        .split_whitespace()
        .filter(|w| {
            let w = w.to_lowercase();
            !matches!(w.as_str(), "industrial" | "cluster")
                && place
                    .as_deref()
                    .is_none_or(|pl| !pl.split_whitespace().any(|x| x == w))
        })
        .collect::<Vec<_>>()
        .join(" ")
}

#[test]
fn a_precise_keyword_puts_the_cluster_that_makes_it_first_among_its_sector_peers() {
    let d = data();
    // The examples first, then every Table 4 cluster whose product no other
    // cluster's name shares: a profile naming the cluster's sector and, as a keyword, its
    // product ranks it above every partner of the same main sector.
    for (sector, keyword, id) in [
        ("apparel", "socks", "zhuji-socks"),
        ("hardware", "locks", "ouhai-locks"),
        ("non-ferrous metals", "titanium", "baoji-titanium"),
        ("textiles", "silk", "shengze-silk"),
        ("machinery", "cranes", "changyuan-cranes"),
    ] {
        let r = ranked(&profile(&[sector], &[keyword], &[]), Options::default());
        let p = d.partner(d.find_partner(id).unwrap());
        let own = rank_of(&r, id);
        for m in &r.matches {
            let q = d.partner(d.find_partner(&m.id).unwrap());
            if q.id() != id && q.sectors()[0] == p.sectors()[0] {
                assert!(
                    own < m.rank,
                    "{keyword}: {id} at {own}, {} at {}",
                    m.id,
                    m.rank
                );
            }
        }
        // The reason says so.
        let why = &r.matches[own - 1].reasons;
        assert!(
            why.iter()
                .any(|x| x.text.contains(&format!("\"{keyword}\""))),
            "{why:?}"
        );
    }
    let mut checked = 0;
    for p in d.partners().iter().filter(|p| {
        p.kind() == Kind::IndustrialCluster
            && p.sources()
                .iter()
                .any(|s| s.reference().to_string() == "Table 4")
    }) {
        let product = product_of(d, p.id());
        let main = d.taxonomy().get(p.sectors()[0]).id().to_string();
        let r = ranked(&profile(&[&main], &[&product], &[]), Options::default());
        // Only products one cluster's name uses single it out.
        if r.profile
            .products
            .first()
            .is_none_or(|t| t.resolved.len() != 1)
        {
            continue;
        }
        let own = rank_of(&r, p.id());
        for m in &r.matches {
            let q = d.partner(d.find_partner(&m.id).unwrap());
            if q.id() != p.id() && q.sectors()[0] == p.sectors()[0] {
                assert!(
                    own < m.rank,
                    "{product}: {} at {own}, {} at {}",
                    p.id(),
                    m.id,
                    m.rank
                );
            }
        }
        checked += 1;
    }
    assert!(checked >= 60, "only {checked} Table 4 products checked");
}

#[test]
fn intermediaries_stay_out_of_a_sector_profiles_list_unless_asked_for() {
    let d = data();
    let t = d.taxonomy();
    // Every sector of the taxonomy as a profile of its own, with each goal but business
    // support: no support service or government body in the top 10.
    for (i, s) in t.sectors().iter().enumerate() {
        if s.id() == "cross_sector" {
            continue;
        }
        let goal = GOALS[i % GOALS.len()];
        let r = recommender()
            .recommend_profile(&profile(&[s.id()], &[], &[goal]), &Options::default())
            .unwrap();
        for m in &r.matches {
            assert_eq!(
                m.kind.role(),
                Role::Partner,
                "{} ({}) in the top 10 of {} / {goal}",
                m.id,
                m.kind,
                s.id()
            );
        }
    }
    // Asked for, they come: by the business-support goal, a kind filter, or the option.
    let p = profile(&["automotive"], &[], &["business_support"]);
    let r = recommender()
        .recommend_profile(&p, &Options::default())
        .unwrap();
    assert!(r
        .matches
        .iter()
        .any(|m| m.kind.role() == Role::Intermediary));
    let p = profile(&["automotive"], &[], &[]);
    let only = Options {
        filter: Filter {
            kinds: vec![Kind::SupportService],
            ..Filter::default()
        },
        ..Options::default()
    };
    let r = recommender().recommend_profile(&p, &only).unwrap();
    assert!(!r.matches.is_empty());
    assert!(r.matches.iter().all(|m| m.kind == Kind::SupportService));
    let all = Options {
        include_intermediaries: true,
        top_k: usize::MAX,
        ..Options::default()
    };
    let r = recommender().recommend_profile(&p, &all).unwrap();
    for id in [
        "china-auto-info",
        "guangzhou-municipality",
        "china-ipr-sme-helpdesk",
    ] {
        assert!(r.matches.iter().any(|m| m.id == id), "{id}");
    }
    // And they are there, under each match, as who can help.
    let r = recommender()
        .recommend_profile(&p, &Options::default())
        .unwrap();
    assert!(r.matches.iter().all(|m| !m.intermediaries.is_empty()));
    assert!(Goal::parse("business support").is_some());
}

/// What a note's own words claim about the partner it is attached to, read from its title
/// and text independently of its conditions: `(tech, control, kinds)`.
fn claims(title: &str, text: &str) -> (Option<Level>, Option<Level>, Vec<Kind>) {
    let t = format!("{title} {text}").to_lowercase();
    let tech =
        if t.contains("low-tech") || t.contains("low-technology") || t.contains("low technology") {
            Some(Level::Low)
        } else if t.contains("high-tech") {
            Some(Level::High)
        } else {
            None
        };
    let control = (t.contains("political control") && t.contains("high")).then_some(Level::High);
    let mut kinds = Vec::new();
    if t.contains("industrial cluster") || t.contains("clusters are") {
        kinds.push(Kind::IndustrialCluster);
    }
    if t.contains("zones and parks") || t.contains("science parks") || t.contains("sezs") {
        kinds.extend([Kind::SciencePark, Kind::EconomicZone]);
    }
    (tech, control, kinds)
}

#[test]
fn no_risk_or_opening_contradicts_the_partner_it_is_attached_to() {
    let d = data();
    // Every sector of the taxonomy as a profile, intermediaries included, so that every
    // partner is a match somewhere: each note attached to a match claims nothing its own
    // ratings contradict.
    let mut seen = std::collections::HashSet::new();
    let mut attached = 0;
    for (i, s) in d.taxonomy().sectors().iter().enumerate() {
        let p = profile(&[s.id()], &["ai", "cloud"], &[GOALS[i % GOALS.len()]]);
        let r = ranked(
            &p,
            Options {
                include_intermediaries: true,
                ..Options::default()
            },
        );
        for m in &r.matches {
            seen.insert(m.id.clone());
            let notes = m
                .risks
                .iter()
                .map(|x| (x.id.as_str(), x.title.as_str(), x.text.as_str()))
                .chain(
                    m.reasons
                        .iter()
                        .filter(|x| x.kind.as_str() == "opening")
                        .map(|x| ("opening", "", x.text.as_str())),
                );
            for (id, title, text) in notes {
                attached += 1;
                let (tech, control, kinds) = claims(title, text);
                if let Some(t) = tech {
                    assert_eq!(m.tech, t, "{id} on {} ({} tech)", m.id, m.tech);
                }
                if let Some(c) = control {
                    assert_eq!(m.control, c, "{id} on {} ({} control)", m.id, m.control);
                }
                if !kinds.is_empty() {
                    assert!(kinds.contains(&m.kind), "{id} on {} ({})", m.id, m.kind);
                }
            }
        }
    }
    assert_eq!(seen.len(), d.partners().len(), "every partner checked");
    assert!(attached > 1000, "{attached}");
    // The note on a low-tech focus is on the low-tech clusters and on no other partner.
    let note = d
        .policy_notes()
        .iter()
        .find(|n| n.id() == "industrial_cluster_low_tech")
        .unwrap();
    assert_eq!(claims(note.title(), note.text()).0, Some(Level::Low));
}

#[test]
fn no_reason_contradicts_the_partners_ratings() {
    let r = ranked(
        &profile(
            &["automotive", "renewable energy", "textiles", "ict"],
            &[],
            &["technology_transfer", "market_access"],
        ),
        Options {
            include_intermediaries: true,
            ..Options::default()
        },
    );
    for m in &r.matches {
        for x in &m.reasons {
            let t = x.text.to_lowercase();
            match x.kind.as_str() {
                "tech" => assert!(t.starts_with(m.tech.as_str()), "{}: {}", m.id, x.text),
                "control" => assert!(t.starts_with(m.control.as_str()), "{}: {}", m.id, x.text),
                _ => {}
            }
            if t.contains("high-tech") && x.kind.as_str() == "goal" {
                assert_eq!(m.tech, Level::High, "{}: {}", m.id, x.text);
            }
            if t.starts_with("industrial clusters are") {
                assert_eq!(m.kind, Kind::IndustrialCluster, "{}: {}", m.id, x.text);
            }
        }
        // An inferred level says so.
        let p = data().partner(data().find_partner(&m.id).unwrap());
        let tech = m
            .reasons
            .iter()
            .find(|x| x.kind.as_str() == "tech")
            .unwrap();
        assert_eq!(
            p.tech().is_inferred(),
            tech.text.contains("(inferred)"),
            "{}: {}",
            m.id,
            tech.text
        );
    }
}
