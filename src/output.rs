//! Step 6 of the data flow: recommendations as text or JSON.

use crate::recommend::{Match, PartnerRecommendations, Recommendations};
use std::fmt::Write;

/// Pretty-printed JSON. Serialising these plain structs (strings, numbers, maps with string
/// keys) cannot fail; the fallback keeps the signatures honest without a panic.
fn pretty_json(v: &impl serde::Serialize) -> String {
    serde_json::to_string_pretty(v).unwrap_or_else(|e| format!("{{\"error\": \"{e}\"}}"))
}

/// `text` with every control character but the line break replaced: a terminal acts on
/// them (escape sequences, carriage returns), and none reaches it whatever comes.
fn plain(text: String) -> String {
    if !text.chars().any(|c| c.is_control() && c != '\n') {
        return text;
    }
    text.chars()
        .map(|c| {
            if c.is_control() && c != '\n' {
                '\u{FFFD}'
            } else {
                c
            }
        })
        .collect()
}

/// " (status)" for a programme, or nothing.
fn status(i: &crate::explain::Intermediary) -> String {
    i.status
        .as_deref()
        .map(|s| format!(" ({s})"))
        .unwrap_or_default()
}

/// Where a partner is, as every output writes it: "city, province", the province alone
/// when the city is the province (Beijing, Chongqing), or "national".
pub(crate) fn place(city: Option<&str>, province: Option<&str>) -> String {
    match (city, province) {
        (Some(c), Some(pr)) if c != pr => format!("{c}, {pr}"),
        (_, Some(pr)) => pr.to_string(),
        _ => "national".to_string(),
    }
}

/// A risk as every text output writes it: title, text, source and its window's status.
fn risk_line(r: &crate::explain::Risk) -> String {
    format!(
        "{}: {} [{}]{}",
        r.title,
        r.text,
        r.source,
        window(&r.status)
    )
}

/// " (status)" for a note's window (on a risk or a reason), or nothing.
fn window(status: &Option<String>) -> String {
    status
        .as_deref()
        .map(|s| format!(" ({s})"))
        .unwrap_or_default()
}

/// " (website)", or nothing.
fn site(i: &crate::explain::Intermediary) -> String {
    i.website
        .as_deref()
        .map(|w| format!(" ({w})"))
        .unwrap_or_default()
}

/// Ranks as a reader counts them: "1-4, 6"; "every match" when they are all of `1..=n`.
fn ranks_text(ranks: &[usize], n: usize) -> String {
    if ranks.len() == n && n > 2 {
        return "every match".into();
    }
    let mut parts: Vec<String> = Vec::new();
    let mut i = 0;
    while i < ranks.len() {
        let mut j = i;
        while j + 1 < ranks.len() && ranks[j + 1] == ranks[j] + 1 {
            j += 1;
        }
        parts.push(match j - i {
            0 => ranks[i].to_string(),
            1 => format!("{}, {}", ranks[i], ranks[j]),
            _ => format!("{}-{}", ranks[i], ranks[j]),
        });
        i = j + 1;
    }
    format!("matches {}", parts.join(", "))
}

impl Recommendations {
    /// The recommendations as one pretty-printed JSON object with a `matches` array.
    pub fn to_json(&self) -> String {
        pretty_json(self)
    }

    /// The recommendations as plain text for a terminal, with no control character but line
    /// breaks. Each thing is said once: what two or more matches share ([`Recommendations::field`])
    /// comes first in a "For your field" block, its items labelled `F1`, `F2`, ...; each match
    /// lists only its own reasons, risks and helpers, then the labels of the shared ones.
    pub fn to_text(&self) -> String {
        let mut o = String::new();
        let p = &self.profile;
        let _ = writeln!(o, "Chinese partners for {} ({})", p.name, p.country);
        let terms = |v: &[crate::explain::ResolvedTerm]| {
            v.iter()
                .map(|t| format!("{} -> {}", t.input, t.resolved.join(", ")))
                .collect::<Vec<_>>()
                .join("; ")
        };
        let _ = writeln!(o, "  sectors: {}", terms(&p.sectors));
        if !p.keywords.is_empty() {
            let _ = writeln!(o, "  keywords: {}", terms(&p.keywords));
        }
        if !p.products.is_empty() {
            let _ = writeln!(o, "  products named by clusters: {}", terms(&p.products));
        }
        if !p.preferred_regions.is_empty() {
            let _ = writeln!(o, "  regions: {}", terms(&p.preferred_regions));
        }
        let _ = writeln!(
            o,
            "  tech level {}, control tolerance {}, goals {}",
            p.tech_level.as_str(),
            p.control_tolerance,
            p.goals.join(", ")
        );
        for w in &self.warnings {
            let _ = writeln!(o, "  note: {w}");
        }
        if self.matches.is_empty() {
            let _ = writeln!(o, "\nNo partner passes the filters.");
        }
        self.field_text(&mut o);
        for m in &self.matches {
            let place = place(m.city.as_deref(), m.province.as_deref());
            let _ = writeln!(o, "\n{:>2}. {}  [{:.3}]", m.rank, m.name, m.score);
            let _ = writeln!(
                o,
                "    {} | {} | tech {}, control {} | id {}",
                m.kind.as_str().replace('_', " "),
                place,
                m.tech.as_str(),
                m.control.as_str(),
                m.id
            );
            let parts: Vec<String> = crate::Component::ALL
                .iter()
                .map(|c| format!("{} {:.2}", c.as_str(), m.breakdown[*c]))
                .collect();
            let _ = writeln!(o, "    score = {}", parts.join(" + "));
            let f = &self.field;
            let own: Vec<_> = m.reasons.iter().filter(|r| !f.has_reason(r)).collect();
            if !own.is_empty() {
                let _ = writeln!(o, "    why:");
                for r in own {
                    let _ = writeln!(o, "      - {} [{}]{}", r.text, r.source, window(&r.status));
                }
            }
            let own: Vec<_> = m.risks.iter().filter(|r| !f.has_risk(r)).collect();
            if !own.is_empty() {
                let _ = writeln!(o, "    watch out:");
                for r in own {
                    let _ = writeln!(o, "      - {}", risk_line(r));
                }
            }
            let own: Vec<_> = m
                .intermediaries
                .iter()
                .filter(|i| !f.has_intermediary(i))
                .collect();
            if !own.is_empty() {
                let _ = writeln!(o, "    who can help:");
                for i in own {
                    let _ = writeln!(
                        o,
                        "      - {}{}: {} [{}]{}",
                        i.name,
                        site(i),
                        i.why,
                        i.source,
                        status(i)
                    );
                }
            }
            let labels = self.field_labels_of(m.rank);
            if !labels.is_empty() {
                let _ = writeln!(o, "    and for your field: {}", labels.join(", "));
            }
        }
        if !self.pareto.is_empty() {
            let _ = writeln!(
                o,
                "\nTech versus political control (Section 3.1): no partner in your field beats these on both"
            );
            // The front holds whole (tech, control) points; ties share a point, so list each
            // point once with its best few partners.
            let mut i = 0;
            while i < self.pareto.len() {
                let (t, c) = (self.pareto[i].tech, self.pareto[i].control);
                let group: Vec<_> = self.pareto[i..]
                    .iter()
                    .take_while(|e| e.tech == t && e.control == c)
                    .collect();
                let names: Vec<String> = group
                    .iter()
                    .take(3)
                    .map(|e| format!("{} ({:.3})", e.name, e.score))
                    .collect();
                let more = if group.len() > 3 {
                    format!(" and {} more", group.len() - 3)
                } else {
                    String::new()
                };
                let _ = writeln!(
                    o,
                    "  - tech {}, control {}: {}{more}",
                    t.as_str(),
                    c.as_str(),
                    names.join("; ")
                );
                i += group.len();
            }
        }
        if !self.general_risks.is_empty() {
            let _ = writeln!(
                o,
                "\nTrue of every match (the briefing's general cautions):"
            );
            for r in &self.general_risks {
                let _ = writeln!(o, "  - {}", risk_line(r));
            }
        }
        let _ = writeln!(
            o,
            "\nData: ECCP D3.2 Preparatory Briefing on China (2018), data version {}; advice as of {}",
            self.data_version, self.as_of
        );
        // Input is checked for control characters; none reaches a terminal whatever comes.
        plain(o)
    }

    /// The labels ("F1", ...) of the field block's items said of the match at `rank`, in
    /// the block's order.
    fn field_labels_of(&self, rank: usize) -> Vec<String> {
        let f = &self.field;
        let ranks = f
            .reasons
            .iter()
            .map(|s| &s.ranks)
            .chain(f.risks.iter().map(|s| &s.ranks))
            .chain(f.intermediaries.iter().map(|s| &s.ranks));
        ranks
            .enumerate()
            .filter(|(_, r)| r.contains(&rank))
            .map(|(i, _)| format!("F{}", i + 1))
            .collect()
    }

    /// The field block: each shared item once, labelled, with the matches it is said of and
    /// each match's own source.
    fn field_text(&self, o: &mut String) {
        let f = &self.field;
        if f.is_empty() {
            return;
        }
        let n = self.matches.len();
        // Sources can differ between the matches an item is said of: group ranks by source.
        let sources = |ranks: &[usize], source_of: &dyn Fn(&Match) -> Option<String>, st: &str| {
            let mut groups: Vec<(String, Vec<usize>)> = Vec::new();
            for &r in ranks {
                let src = self
                    .matches
                    .get(r.wrapping_sub(1))
                    .and_then(source_of)
                    .unwrap_or_default();
                match groups.iter_mut().find(|g| g.0 == src) {
                    Some(g) => g.1.push(r),
                    None => groups.push((src, vec![r])),
                }
            }
            if groups.len() == 1 {
                format!("[{}]{st} ({})", groups[0].0, ranks_text(ranks, n))
            } else {
                let parts: Vec<String> = groups
                    .iter()
                    .map(|(src, rs)| format!("{}: {}", src, ranks_text(rs, n)))
                    .collect();
                format!("[{}]{st}", parts.join("; "))
            }
        };
        let _ = writeln!(
            o,
            "\nFor your field: said of several of the matches below, so said once here"
        );
        let mut label = 0;
        if !f.reasons.is_empty() {
            let _ = writeln!(o, "  why:");
            for s in &f.reasons {
                label += 1;
                let text = &s.item.text;
                let src = sources(
                    &s.ranks,
                    &|m: &Match| {
                        m.reasons
                            .iter()
                            .find(|r| &r.text == text)
                            .map(|r| r.source.clone())
                    },
                    &window(&s.item.status),
                );
                let _ = writeln!(o, "    F{label}. {text} {src}");
            }
        }
        if !f.risks.is_empty() {
            let _ = writeln!(o, "  watch out:");
            for s in &f.risks {
                label += 1;
                let r = &s.item;
                let _ = writeln!(
                    o,
                    "    F{label}. {} ({})",
                    risk_line(r),
                    ranks_text(&s.ranks, n)
                );
            }
        }
        if !f.intermediaries.is_empty() {
            let _ = writeln!(o, "  who can help:");
            for s in &f.intermediaries {
                label += 1;
                let i = &s.item;
                let _ = writeln!(
                    o,
                    "    F{label}. {}{}: {} [{}]{} ({})",
                    i.name,
                    site(i),
                    i.why,
                    i.source,
                    status(i),
                    ranks_text(&s.ranks, n)
                );
            }
        }
    }
}

impl PartnerRecommendations {
    /// As one pretty-printed JSON object with a `matches` array of profiles.
    pub fn to_json(&self) -> String {
        pretty_json(self)
    }

    /// As plain text: the partner, then each profile it suits with its score, parts, reasons
    /// and risks. No control character but line breaks.
    pub fn to_text(&self) -> String {
        let mut o = String::new();
        let _ = writeln!(
            o,
            "EU clusters for {} ({}, {})",
            self.name,
            self.kind.as_str().replace('_', " "),
            self.province.as_deref().unwrap_or("national")
        );
        if self.matches.is_empty() {
            let _ = writeln!(o, "\nNone of the profiles works in this partner's field.");
        }
        for m in &self.matches {
            let _ = writeln!(
                o,
                "\n{:>2}. {} ({})  [{:.3}]",
                m.rank, m.name, m.country, m.score
            );
            let parts: Vec<String> = m
                .breakdown
                .iter()
                .map(|(c, v)| format!("{c} {v:.2}"))
                .collect();
            let _ = writeln!(o, "    score = {}", parts.join(" + "));
            for r in &m.reasons {
                let _ = writeln!(o, "    - {} [{}]{}", r.text, r.source, window(&r.status));
            }
            for r in &m.risks {
                let _ = writeln!(o, "    ! {}", risk_line(r));
            }
        }
        plain(o)
    }
}

impl crate::explain::Comparison {
    /// As one pretty-printed JSON object.
    pub fn to_json(&self) -> String {
        pretty_json(self)
    }

    /// As plain text: both partners, then each component where they differ, its part on each
    /// side and the reasons behind it; the differences add up to the gap.
    pub fn to_text(&self) -> String {
        let mut o = String::new();
        let (a, b) = (&self.a, &self.b);
        let _ = writeln!(o, "A: {} [{:.3}], {}", a.name, a.score, a.standing);
        let _ = writeln!(o, "B: {} [{:.3}], {}", b.name, b.score, b.standing);
        let _ = writeln!(
            o,
            "A - B = {:+.4}, component by component (the differences add up to it):",
            self.gap
        );
        if self.differences.is_empty() {
            let _ = writeln!(o, "  no component differs");
        }
        for d in &self.differences {
            let _ = writeln!(
                o,
                "\n  {} {:+.4}  (A {:.4}, B {:.4})",
                d.component, d.difference, d.a, d.b
            );
            for (side, rs) in [("A", &d.a_reasons), ("B", &d.b_reasons)] {
                for r in rs.iter() {
                    let _ = writeln!(
                        o,
                        "    {side}: {} [{}]{}",
                        r.text,
                        r.source,
                        window(&r.status)
                    );
                }
            }
        }
        plain(o)
    }
}

impl crate::whynot::WhyNot {
    /// As one pretty-printed JSON object.
    pub fn to_json(&self) -> String {
        pretty_json(self)
    }

    /// As plain text: the partner's standing, each change that puts it in the top k (with
    /// its new rank and who drops out), and what cannot help.
    pub fn to_text(&self) -> String {
        let mut o = String::new();
        let p = &self.partner;
        let _ = writeln!(o, "{} [{:.3}], {}", p.name, p.score, p.standing);
        if p.rank.is_some_and(|r| r <= self.top_k) {
            let _ = writeln!(o, "It is in your top {} already.", self.top_k);
            return plain(o);
        }
        if !self.changes.is_empty() {
            let _ = writeln!(
                o,
                "\nEach of these alone puts it in your top {} (checked by ranking again):",
                self.top_k
            );
        }
        for c in &self.changes {
            let out = if c.drops_out.is_empty() {
                String::new()
            } else {
                format!("; out goes {}", c.drops_out.join(", "))
            };
            let _ = writeln!(o, "  - {}: rank {}{out}", c.description, c.new_rank);
        }
        if !self.cannot.is_empty() {
            let _ = writeln!(o, "\nWhat cannot help:");
            for c in &self.cannot {
                let _ = writeln!(o, "  - {c}");
            }
        }
        plain(o)
    }
}

impl crate::consortium::Consortium {
    /// As one pretty-printed JSON object.
    pub fn to_json(&self) -> String {
        pretty_json(self)
    }

    /// As plain text: the call, each member with its role, what it adds, its runner-up and
    /// its risks, then each constraint and whether it holds.
    pub fn to_text(&self) -> String {
        let mut o = String::new();
        let _ = writeln!(
            o,
            "Consortium for \"{}\" ({}, {})\nfor {}, advice as of {}",
            self.call_name, self.call, self.source, self.profile, self.as_of
        );
        if let Some(p) = &self.programme {
            let _ = writeln!(o, "Programme: {p}");
        }
        if self.members.is_empty() {
            let _ = writeln!(
                o,
                "\nNo consortium from your {} matches: {}.",
                self.candidates,
                self.none.as_deref().unwrap_or("none found")
            );
            return plain(o);
        }
        let proof = if self.proved_optimal {
            "no set meeting the call scores more (complete search)".to_string()
        } else {
            format!("the best found; no set scores more than {:.3}", self.bound)
        };
        let _ = writeln!(
            o,
            "{} partners from your {} matches, total score {:.3}: {proof}.\n",
            self.members.len(),
            self.candidates,
            self.total
        );
        // Each risk two or more members share is said once, after the members.
        // A risk's title, with whether its window had ended by the advice's date.
        let titled = |r: &crate::explain::Risk| format!("{}{}", r.title, window(&r.status));
        let mut shared: Vec<(&str, String, Vec<usize>)> = Vec::new();
        for (i, m) in self.members.iter().enumerate() {
            for r in &m.risks {
                match shared.iter_mut().find(|(id, _, _)| *id == r.id) {
                    Some((_, _, at)) => at.push(i),
                    None => shared.push((&r.id, titled(r), vec![i])),
                }
            }
        }
        shared.retain(|(_, _, at)| at.len() > 1);
        for (i, m) in self.members.iter().enumerate() {
            let place = place(m.city.as_deref(), m.province.as_deref());
            let _ = writeln!(
                o,
                "{}. {}: {} [{:.3}, rank {}] ({}, {place})",
                i + 1,
                m.role_name,
                m.name,
                m.score,
                m.rank,
                m.kind
            );
            let _ = writeln!(o, "   Adds: {}", m.adds.join("; "));
            match &m.runner_up {
                Some(r) => {
                    let _ = writeln!(
                        o,
                        "   Runner-up: {} [{:.3}, rank {}]; the total would fall by {:.3}",
                        r.name, r.score, r.rank, r.loss
                    );
                }
                None => {
                    let _ = writeln!(
                        o,
                        "   Runner-up: none; no other match can take this role with every constraint met"
                    );
                }
            }
            let own: Vec<String> = m
                .risks
                .iter()
                .filter(|r| shared.iter().all(|(id, _, _)| *id != r.id))
                .map(titled)
                .collect();
            if !own.is_empty() {
                let _ = writeln!(o, "   Risks: {}", own.join("; "));
            }
        }
        if !shared.is_empty() {
            let _ = writeln!(o, "\nRisks of several members (by number):");
            for (_, title, at) in &shared {
                let at: Vec<String> = at.iter().map(|i| (i + 1).to_string()).collect();
                let _ = writeln!(o, "  - {title} ({})", at.join(", "));
            }
        }
        let _ = writeln!(o, "\nConstraints:");
        for c in &self.constraints {
            let _ = writeln!(
                o,
                "  {} {}: {}",
                if c.holds { "holds " } else { "FAILS " },
                c.rule,
                c.actual
            );
        }
        plain(o)
    }
}
