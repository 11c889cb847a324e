//! The consortium search: exact against exhaustive search on the embedded data, every
//! constraint held on random templates, and the templates' own checks.

use eccp_china::consortium::{
    satisfies, search, CallTemplate, Candidate, Constraints, RoleSpec, NODE_LIMIT,
    ROLE_GOAL_AFFINITY,
};
use eccp_china::score::goal_affinity;
use eccp_china::{Dataset, Error, Goal, Kind, Options, Profile, Recommender};
use proptest::prelude::*;

fn data() -> &'static Dataset {
    Dataset::embedded().expect("embedded data")
}

fn samples() -> Vec<Profile> {
    let mut out = Vec::new();
    for e in std::fs::read_dir(concat!(env!("CARGO_MANIFEST_DIR"), "/data/samples")).unwrap() {
        let p = e.unwrap().path();
        if p.extension().and_then(|x| x.to_str()) == Some("json") {
            out.push(Profile::from_json(&std::fs::read_to_string(&p).unwrap()).unwrap());
        }
    }
    out.sort_by(|a, b| a.name().cmp(b.name()));
    assert_eq!(out.len(), 5);
    out
}

/// Who may fill a role, restated from the template's documented rule: a partner kind (not
/// an intermediary), one of the role's kinds if any, serving each goal at least
/// `ROLE_GOAL_AFFINITY`.
fn fills(call: &CallTemplate, role: usize, kind: Kind) -> bool {
    let r = &call.roles()[role];
    !matches!(kind, Kind::SupportService | Kind::GovernmentBody)
        && (r.kinds().is_empty() || r.kinds().contains(&kind))
        && r.goals()
            .iter()
            .all(|g| goal_affinity(*g, kind) >= ROLE_GOAL_AFFINITY)
}

/// The best total over every subset of the candidates (up to the budget) and every way of
/// giving its members roles: no bound, no order, no pruning but the budget.
fn exhaustive(call: &CallTemplate, cands: &[Candidate]) -> Option<f64> {
    let k = call.constraints();
    let usable: Vec<usize> = (0..cands.len())
        .filter(|i| (0..call.roles().len()).any(|r| fills(call, r, cands[*i].kind)))
        .collect();
    let mut best: Option<f64> = None;
    let mut set: Vec<usize> = Vec::new();
    fn feasible(call: &CallTemplate, cands: &[Candidate], set: &[usize]) -> bool {
        let k = call.constraints();
        if let Some(cap) = k.max_per_city {
            for a in set {
                if let Some(c) = cands[*a].city {
                    if set.iter().filter(|b| cands[**b].city == Some(c)).count() > cap {
                        return false;
                    }
                }
            }
        }
        let mut prov: Vec<u32> = set.iter().filter_map(|i| cands[*i].province).collect();
        prov.sort();
        prov.dedup();
        if prov.len() < k.min_provinces
            || set.iter().filter(|i| cands[**i].formal).count() < k.min_formal_organisations
        {
            return false;
        }
        // Some assignment of roles meets every role's count.
        let n_roles = call.roles().len();
        let mut counts = vec![0usize; n_roles];
        fn assign(
            call: &CallTemplate,
            cands: &[Candidate],
            set: &[usize],
            at: usize,
            counts: &mut Vec<usize>,
        ) -> bool {
            if at == set.len() {
                return call
                    .roles()
                    .iter()
                    .zip(counts.iter())
                    .all(|(r, n)| (r.min()..=r.max()).contains(n));
            }
            for r in 0..call.roles().len() {
                if fills(call, r, cands[set[at]].kind) && counts[r] < call.roles()[r].max() {
                    counts[r] += 1;
                    let ok = assign(call, cands, set, at + 1, counts);
                    counts[r] -= 1;
                    if ok {
                        return true;
                    }
                }
            }
            false
        }
        assign(call, cands, set, 0, &mut counts)
    }
    #[allow(clippy::too_many_arguments)]
    fn walk(
        call: &CallTemplate,
        cands: &[Candidate],
        usable: &[usize],
        from: usize,
        budget: usize,
        set: &mut Vec<usize>,
        best: &mut Option<f64>,
    ) {
        if !set.is_empty() && feasible(call, cands, set) {
            let t: f64 = set.iter().map(|i| cands[*i].score).sum();
            if best.is_none_or(|b| t > b) {
                *best = Some(t);
            }
        }
        if set.len() == budget {
            return;
        }
        for j in from..usable.len() {
            set.push(usable[j]);
            walk(call, cands, usable, j + 1, budget, set, best);
            set.pop();
        }
    }
    walk(call, cands, &usable, 0, k.max_partners, &mut set, &mut best);
    best
}

/// Every match of a profile as a candidate, read through the public API only.
fn candidates(rec: &Recommender, profile: &Profile) -> Vec<Candidate> {
    let d = data();
    let recs = rec
        .recommend_profile(
            profile,
            &Options {
                top_k: d.partners().len(),
                ..Options::default()
            },
        )
        .unwrap();
    recs.matches
        .iter()
        .map(|m| {
            let p = d.partner(d.find_partner(&m.id).unwrap());
            let key = |s: &Option<String>| {
                s.as_ref().map(|s| {
                    s.bytes()
                        .fold(7u32, |h, b| h.wrapping_mul(31).wrapping_add(u32::from(b)))
                })
            };
            Candidate {
                score: m.score,
                kind: m.kind,
                city: key(&m.city),
                province: key(&m.province),
                formal: p.has_formal_organisation(),
            }
        })
        .collect()
}

#[test]
fn every_template_and_sample_equals_exhaustive_search() {
    let rec = Recommender::new(data());
    let mut found = 0;
    for profile in samples() {
        let cands = candidates(&rec, &profile);
        for call in CallTemplate::builtin().unwrap() {
            let c = rec
                .consortium(&rec.resolve(&profile).unwrap(), call, &Options::default())
                .unwrap();
            let truth = exhaustive(call, &cands);
            let label = format!("{} / {}", profile.name(), call.id());
            assert!(c.proved_optimal, "{label}: not proved");
            assert_eq!(c.candidates, cands.len(), "{label}");
            match truth {
                None => {
                    assert!(c.members.is_empty(), "{label}: exhaustive finds none");
                    assert!(c.none.is_some(), "{label}: no reason given");
                }
                Some(t) => {
                    found += 1;
                    assert!((c.total - t).abs() < 1e-9, "{label}: {} vs {t}", c.total);
                    let sum: f64 = c.members.iter().map(|m| m.score).sum();
                    assert!((sum - c.total).abs() < 1e-9, "{label}");
                    assert!(c.constraints.iter().all(|k| k.holds), "{label}");
                    // No member is an intermediary; each runner-up would cost, not gain.
                    for m in &c.members {
                        assert!(!matches!(
                            m.kind,
                            Kind::SupportService | Kind::GovernmentBody
                        ));
                        assert!(!m.adds.is_empty());
                        if let Some(r) = &m.runner_up {
                            assert!(r.loss >= -1e-12, "{label}: {} would gain", r.id);
                            assert!(!c.members.iter().any(|o| o.id == r.id));
                        }
                    }
                }
            }
        }
    }
    // Most pairs have an answer: the test is not vacuous.
    assert!(found >= 10, "only {found} of 15 pairs have a consortium");
}

#[test]
fn search_equals_exhaustive_on_the_matches_with_the_caps_moved() {
    // The same pools under other constraints, so that each constraint binds somewhere.
    let rec = Recommender::new(data());
    for profile in samples() {
        let cands = candidates(&rec, &profile);
        for call in CallTemplate::builtin().unwrap() {
            for (cap, prov, formal, budget) in
                [(None, 0, 0, 3), (Some(2), 3, 2, 4), (Some(1), 1, 0, 2)]
            {
                let parts: Vec<RoleSpec> = call
                    .roles()
                    .iter()
                    .map(|r| RoleSpec {
                        min: r.min().min(1),
                        ..r.spec()
                    })
                    .collect();
                let k = Constraints {
                    max_per_city: cap,
                    min_provinces: prov.min(budget),
                    min_formal_organisations: formal,
                    max_partners: budget.max(parts.iter().map(|p| p.min).sum()),
                };
                let t = CallTemplate::from_parts("moved", &parts, k).unwrap();
                let s = search(&t, &cands);
                let truth = exhaustive(&t, &cands);
                assert!(s.proved);
                match truth {
                    None => assert!(s.members.is_empty()),
                    Some(v) => {
                        assert!(
                            (s.total - v).abs() < 1e-9,
                            "{} {:?}: {} vs {v}",
                            profile.name(),
                            k,
                            s.total
                        );
                        assert!(satisfies(&t, &cands, &s.members));
                    }
                }
            }
        }
    }
}

fn kind_strategy() -> impl Strategy<Value = Kind> {
    prop::sample::select(Kind::ALL.to_vec())
}

fn candidate_strategy() -> impl Strategy<Value = Candidate> {
    (
        0u32..1000,
        kind_strategy(),
        prop::option::weighted(0.85, 0u32..6),
        any::<bool>(),
    )
        .prop_map(|(s, kind, city, formal)| Candidate {
            // Coarse scores make ties, which the search must break the same way.
            score: f64::from(s / 50) / 20.0,
            kind,
            city,
            // Two cities to a province.
            province: city.map(|c| c / 2),
            formal: formal || matches!(kind, Kind::Association | Kind::ResearchInstitute),
        })
}

/// A valid random template: 1 to 4 roles of partner kinds or goals, counts and constraints
/// that parse.
fn template_strategy() -> impl Strategy<Value = CallTemplate> {
    let role = (
        prop::collection::vec(kind_strategy(), 0..3),
        prop::collection::vec(prop::sample::select(Goal::ALL.to_vec()), 0..2),
        0usize..3,
        1usize..3,
    );
    (
        prop::collection::vec(role, 1..5),
        prop::option::of(1usize..3),
        0usize..4,
        0usize..3,
        1usize..7,
    )
        .prop_filter_map(
            "template must parse",
            |(roles, cap, prov, formal, budget)| {
                let ids: Vec<String> = (0..roles.len()).map(|i| format!("r{i}")).collect();
                let roles: Vec<(Vec<Kind>, Vec<Goal>, usize, usize)> = roles
                    .into_iter()
                    .map(|(mut kinds, goals, min, extra)| {
                        kinds.retain(|k| !matches!(k, Kind::SupportService | Kind::GovernmentBody));
                        (kinds, goals, min, min.max(1) + extra - 1)
                    })
                    .collect();
                let parts: Vec<RoleSpec> = roles
                    .iter()
                    .zip(&ids)
                    .map(|((k, g, min, max), id)| RoleSpec {
                        id,
                        kinds: k,
                        goals: g,
                        min: *min,
                        max: *max,
                    })
                    .collect();
                CallTemplate::from_parts(
                    "random",
                    &parts,
                    Constraints {
                        max_per_city: cap,
                        min_provinces: prov,
                        min_formal_organisations: formal,
                        max_partners: budget,
                    },
                )
                .ok()
            },
        )
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(
        std::env::var("PROPTEST_CASES").ok().and_then(|v| v.parse().ok()).unwrap_or(200)
    ))]

    /// Every answer meets every constraint, and the search equals exhaustive search.
    #[test]
    fn answers_meet_every_constraint_and_are_optimal(
        call in template_strategy(),
        cands in prop::collection::vec(candidate_strategy(), 0..13),
    ) {
        let s = search(&call, &cands);
        prop_assert!(s.proved);
        prop_assert!(s.total <= s.bound + 1e-9);
        let truth = exhaustive(&call, &cands);
        match truth {
            None => prop_assert!(s.members.is_empty()),
            Some(t) => {
                prop_assert!(satisfies(&call, &cands, &s.members));
                // Each constraint, checked here rather than through `satisfies`.
                let k = call.constraints();
                prop_assert!(s.members.len() <= k.max_partners);
                let mut prov: Vec<u32> = s.members.iter().filter_map(|(c, _)| cands[*c].province).collect();
                prov.sort();
                prov.dedup();
                prop_assert!(prov.len() >= k.min_provinces);
                prop_assert!(s.members.iter().filter(|(c, _)| cands[*c].formal).count() >= k.min_formal_organisations);
                for (c, r) in &s.members {
                    prop_assert!(fills(&call, *r, cands[*c].kind));
                    if let (Some(cap), Some(city)) = (k.max_per_city, cands[*c].city) {
                        prop_assert!(s.members.iter().filter(|(o, _)| cands[*o].city == Some(city)).count() <= cap);
                    }
                }
                prop_assert!((s.total - t).abs() < 1e-9, "{} vs exhaustive {}", s.total, t);
            }
        }
    }

    /// A set the search returns stops meeting the template when one of its members is
    /// moved into a city already full: `satisfies` (and so the runner-up rule) can fail.
    #[test]
    fn a_broken_answer_is_caught(
        call in template_strategy(),
        cands in prop::collection::vec(candidate_strategy(), 2..13),
    ) {
        let s = search(&call, &cands);
        if s.members.len() < 2 || call.constraints().max_per_city != Some(1) {
            return Ok(());
        }
        let mut broken = cands.clone();
        let (a, _) = s.members[0];
        let (b, _) = s.members[1];
        broken[b].city = Some(99);
        broken[a].city = Some(99);
        prop_assert!(!satisfies(&call, &broken, &s.members));
    }
}

/// 10^5 synthetic candidates and the five-role template: the search answers, within its
/// node limit, with a stated bound, and the answer meets the template.
#[test]
fn a_large_pool_gets_a_feasible_answer_with_a_bound() {
    let call = CallTemplate::find("escp4i_partnership").unwrap();
    assert_eq!(call.roles().len(), 5);
    let cands = eccp_china::consortium::synthetic_candidates(100_000, 7);
    let s = search(call, &cands);
    assert!(satisfies(call, &cands, &s.members));
    assert!(s.total <= s.bound + 1e-9);
    assert!(s.nodes <= NODE_LIMIT + 1);
    assert!(s.proved, "gap {}", s.bound - s.total);
    // Tightened until most of the best candidates are ruled out.
    let roles: Vec<RoleSpec> = call.roles().iter().map(|r| r.spec()).collect();
    let k = Constraints {
        max_per_city: Some(1),
        min_provinces: 5,
        min_formal_organisations: 5,
        max_partners: 6,
    };
    let tight = CallTemplate::from_parts("tight", &roles, k).unwrap();
    let t = search(&tight, &cands);
    assert!(satisfies(&tight, &cands, &t.members));
    assert!(t.total <= t.bound + 1e-9 && t.total > 0.0);
}

#[test]
fn bad_templates_are_refused_naming_the_field() {
    let d = data();
    let base = std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/data/calls/market_entry_mission.json"
    ))
    .unwrap();
    let cases = [
        (
            "\"industrial_cluster\"]",
            "\"support_service\"]",
            "roles[0].kinds[0]",
            "intermediary",
        ),
        (
            "\"industrial_cluster\"]",
            "\"industrial_clusterz\"]",
            "roles[0].kinds[0]",
            "unknown kind",
        ),
        ("\"min\": 2", "\"min\": 4", "roles[0].max", "min <= max"),
        (
            "\"max_partners\": 4",
            "\"max_partners\": 1",
            "constraints.max_partners",
            "add up to 2",
        ),
        (
            "\"max_per_city\": 1",
            "\"max_per_city\": 0",
            "constraints.max_per_city",
            "admits nobody",
        ),
        (
            "\"programme\": null",
            "\"programme\": \"cosme\"",
            "programme",
            "no programme",
        ),
        (
            "best choice to enter the Chinese market\"}",
            "best choice to enter the Chinese markets\"}",
            "sources[0].quote",
            "briefing",
        ),
        (
            "\"name\": \"Host industrial cluster\"",
            "\"name\": \"Host \\u0007cluster\"",
            "roles[0].name",
            "control character",
        ),
    ];
    for (from, to, field, says) in cases {
        assert!(base.contains(from), "{from}");
        let text = base.replacen(from, to, 1);
        match CallTemplate::from_reader("mine.json", text.as_bytes(), d) {
            Err(Error::Data {
                field: f, message, ..
            }) => {
                assert_eq!(f, field, "{message}");
                assert!(message.contains(says), "{field}: {message}");
            }
            other => panic!("{field}: {other:?}"),
        }
    }
    assert!(matches!(
        CallTemplate::from_reader("mine.json", "{\"id\": 1}".as_bytes(), d),
        Err(Error::Json { .. })
    ));
    let err = CallTemplate::find("cfm").unwrap_err().to_string();
    assert!(
        err.contains("cfm_rd_project") && err.contains("market_entry_mission"),
        "{err}"
    );
}

#[test]
fn a_call_no_set_can_meet_says_why_and_what_would_help() {
    let rec = Recommender::new(data());
    let textiles = samples()
        .into_iter()
        .find(|p| p.name().contains("textile"))
        .unwrap();
    let call = CallTemplate::find("market_entry_mission").unwrap();
    let c = rec
        .consortium(&rec.resolve(&textiles).unwrap(), call, &Options::default())
        .unwrap();
    assert!(c.members.is_empty());
    let why = c.none.unwrap();
    assert!(why.contains("formal organisation"), "{why}");
}

#[test]
fn a_closed_programme_is_said_to_have_ended() {
    let rec = Recommender::new(data());
    let profile = &samples()[0];
    let call = CallTemplate::find("cfm_rd_project").unwrap();
    let at = |ym: &str| Options {
        as_of: eccp_china::score::YearMonth::parse(ym),
        ..Options::default()
    };
    let late = rec
        .consortium(&rec.resolve(profile).unwrap(), call, &at("2026-11"))
        .unwrap();
    assert!(late.programme.unwrap().contains("ended 2020"));
    let early = rec
        .consortium(&rec.resolve(profile).unwrap(), call, &at("2018-06"))
        .unwrap();
    assert!(early.programme.unwrap().contains("runs until 2020"));
}

#[test]
fn the_report_writes_a_members_place_as_the_text_does() {
    // A city that is its own province (Chongqing) is written once, as in the list.
    let rec = Recommender::new(data());
    let profile = samples()
        .into_iter()
        .find(|p| p.name().contains("e-mobility"))
        .unwrap();
    let resolved = rec.resolve(&profile).unwrap();
    let call = CallTemplate::find("escp4i_partnership").unwrap();
    let c = rec
        .consortium(&resolved, call, &Options::default())
        .unwrap();
    assert!(c
        .members
        .iter()
        .any(|m| m.city.as_deref() == Some("Chongqing")
            && m.province.as_deref() == Some("Chongqing")));
    let recs = rec.recommend(&resolved, &Options::default()).unwrap();
    let html = rec.report_html_with_consortium(&recs, &c).unwrap();
    assert!(!html.contains("Chongqing, Chongqing"));
    assert!(html.contains("industrial_cluster, Chongqing</span>"));
    assert!(c.to_text().contains("(industrial_cluster, Chongqing)"));
}
