//! Step 6 of the data flow: recommendations as text or JSON.

use crate::recommend::Recommendations;
use std::fmt::Write;

impl Recommendations {
    /// The recommendations as one pretty-printed JSON object with a `matches` array.
    pub fn to_json(&self) -> String {
        // Serialising these plain structs (strings, numbers, maps with string keys) cannot
        // fail; the fallback keeps the signature honest without a panic.
        serde_json::to_string_pretty(self).unwrap_or_else(|e| format!("{{\"error\": \"{e}\"}}"))
    }

    /// The recommendations as plain text for a terminal, at most 100 columns wide, with no
    /// control character but line breaks.
    pub fn to_text(&self) -> String {
        let mut o = String::new();
        let p = &self.profile;
        let _ = writeln!(o, "Chinese partners for {} ({})", p.name, p.country);
        let terms = |v: &[crate::recommend::ResolvedTerm]| {
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
        for m in &self.matches {
            let place = match (&m.city, &m.province) {
                (Some(c), Some(pr)) if c != pr => format!("{c}, {pr}"),
                (_, Some(pr)) => pr.clone(),
                _ => "national".to_string(),
            };
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
                .map(|c| format!("{} {:.2}", c.as_str(), m.breakdown[c.as_str()]))
                .collect();
            let _ = writeln!(o, "    score = {}", parts.join(" + "));
            let _ = writeln!(o, "    why:");
            for r in &m.reasons {
                let _ = writeln!(o, "      - {} [{}]", r.text, r.source);
            }
            if !m.risks.is_empty() {
                let _ = writeln!(o, "    watch out:");
                for r in &m.risks {
                    let _ = writeln!(o, "      - {}: {} [{}]", r.title, r.text, r.source);
                }
            }
            if !m.intermediaries.is_empty() {
                let _ = writeln!(o, "    who can help:");
                for i in &m.intermediaries {
                    let site = i
                        .website
                        .as_deref()
                        .map(|w| format!(" ({w})"))
                        .unwrap_or_default();
                    let _ = writeln!(o, "      - {}{site}: {} [{}]", i.name, i.why, i.source);
                }
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
                let _ = writeln!(o, "  - {}: {} [{}]", r.title, r.text, r.source);
            }
        }
        let _ = writeln!(
            o,
            "\nData: ECCP D3.2 Preparatory Briefing on China (2018), data version {}",
            self.data_version
        );
        // A terminal acts on control characters (escape sequences, carriage returns): input
        // is checked for them, and none reaches the terminal whatever comes.
        if o.chars().any(|c| c.is_control() && c != '\n') {
            o = o
                .chars()
                .map(|c| {
                    if c.is_control() && c != '\n' {
                        '\u{FFFD}'
                    } else {
                        c
                    }
                })
                .collect();
        }
        o
    }
}
