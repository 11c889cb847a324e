//! The one rule by which a quote is found in the briefing.
//!
//! The crate's tests hold every quote of the embedded data to it, and
//! [`DatasetBuilder::build`](super::DatasetBuilder::build) holds every briefing quote of a
//! user's partner file to it, so that a record cannot show invented words as the briefing's.

use std::sync::OnceLock;

/// The briefing as committed in `data/briefing.txt`.
const BRIEFING: &str = include_str!("../../data/briefing.txt");

/// Longest stretch of a quote an error message shows, in characters.
const SHOWN: usize = 80;

/// Most leading words of a quote searched for where it departs from the briefing, so that
/// an error about a huge quote costs no more than about a short one.
const SEARCHED_WORDS: usize = 100;

/// The form in which a quote and the briefing are compared: every run of whitespace (spaces,
/// tabs, line breaks, no-break spaces) is one space, typographic quotes are straight (the
/// briefing itself prints both "China's" and "Chang’an"), dashes are hyphens, and footnote
/// markers (superscript digits) are left out, as copying from the PDF may or may not keep
/// them. Everything else, case and punctuation included, must be as printed.
pub(crate) fn comparable(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut space = false;
    for c in s.chars() {
        let c = match c {
            c if c.is_whitespace() => {
                space = true;
                continue;
            }
            '¹' | '²' | '³' | '⁰' | '⁴' | '⁵' | '⁶' | '⁷' | '⁸' | '⁹' => continue,
            '‘' | '’' | '‚' | '‛' | '′' => '\'',
            '“' | '”' | '„' | '‟' | '″' => '"',
            '‐' | '‑' | '‒' | '–' | '—' | '―' | '−' => '-',
            c => c,
        };
        if space && !out.is_empty() {
            out.push(' ');
        }
        space = false;
        out.push(c);
    }
    out
}

/// The briefing in [`comparable`] form, computed on first use (about 90 KB).
fn briefing() -> &'static str {
    static TEXT: OnceLock<String> = OnceLock::new();
    TEXT.get_or_init(|| comparable(BRIEFING))
}

/// Whether `quote` is the briefing's words, under the rule of [`comparable`]. An empty quote
/// is not.
pub(crate) fn in_briefing(quote: &str) -> bool {
    let q = comparable(quote);
    !q.is_empty() && briefing().contains(&q)
}

/// What to tell the author of a quote that is not in the briefing: the quote (shortened if
/// long), where it departs from the briefing when it starts with the briefing's words, and
/// the two ways to fix it.
pub(crate) fn not_in_briefing(quote: &str) -> String {
    let q = comparable(quote);
    let words: Vec<&str> = q.split(' ').take(SEARCHED_WORDS + 1).collect();
    // The longest run of leading words the briefing has (a shorter run is there whenever a
    // longer one is, so a binary search finds it).
    let (mut lo, mut hi) = (0, words.len().min(SEARCHED_WORDS));
    while lo < hi {
        let mid = (lo + hi).div_ceil(2);
        if briefing().contains(&words[..mid].join(" ")) {
            lo = mid;
        } else {
            hi = mid - 1;
        }
    }
    let departs = match words.get(lo) {
        Some(w) if (3..SEARCHED_WORDS).contains(&lo) => format!(
            " (its first {lo} words are in the briefing, then it has `{}`)",
            shorten(w)
        ),
        _ => String::new(),
    };
    format!(
        "the quote `{}` is not in the briefing{departs}; copy the briefing's words exactly from \
         data/briefing.txt (runs of whitespace count as one space), or, for a source outside \
         the briefing, write the ref as `External: <citation>`",
        shorten(&quote.split_whitespace().collect::<Vec<_>>().join(" "))
    )
}

/// `s`, cut to [`SHOWN`] characters with an ellipsis if longer.
fn shorten(s: &str) -> String {
    match s.char_indices().nth(SHOWN) {
        None => s.to_string(),
        Some(_) => {
            let cut: String = s.chars().take(SHOWN - 1).collect();
            format!("{}…", cut.trim_end())
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::dataset::{Dataset, Source};

    #[test]
    fn the_rule_forgives_layout_and_typography_only() {
        assert_eq!(comparable("  a\t\n b  "), "a b");
        assert_eq!(comparable("“Made in China 2025”"), "\"Made in China 2025\"");
        assert_eq!(comparable("Chang’an – 62%² of"), "Chang'an - 62% of");
        assert!(in_briefing("Chang'an Kuayue Automobile"));
        assert!(in_briefing("the so-called \"Chinese Green Growth\""));
        assert!(in_briefing("integrate automobile\n   production, R&D"));
        assert!(!in_briefing("integrate automobile production, R&X"));
        assert!(
            !in_briefing("Integrate automobile production"),
            "case counts"
        );
        assert!(!in_briefing("  "));
    }

    #[test]
    fn the_message_shows_the_quote_shortened_and_where_it_departs() {
        let m = not_in_briefing("the Dezu and Hechuan districts integrate robots");
        assert!(
            m.contains("`the Dezu and Hechuan districts integrate robots`"),
            "{m}"
        );
        assert!(m.contains("first 6 words") && m.contains("`robots`"), "{m}");
        assert!(m.contains("External:"), "{m}");
        let long = "invented ".repeat(30);
        let m = not_in_briefing(&long);
        assert!(m.contains('…') && !m.contains("first"), "{m}");
        // Shown on one line, whatever its layout.
        let m = not_in_briefing("integrate\n  automobile   robots");
        assert!(m.contains("`integrate automobile robots`"), "{m}");
        // A long run of the briefing's words: no place where it departs is claimed past the
        // words searched.
        let para = BRIEFING
            .lines()
            .find(|l| l.split_whitespace().count() > SEARCHED_WORDS + 10)
            .expect("a long paragraph");
        let words: Vec<&str> = para.split_whitespace().take(SEARCHED_WORDS + 5).collect();
        let m = not_in_briefing(&format!("{} robots", words.join(" ")));
        assert!(!m.contains("first"), "{m}");
        let m = not_in_briefing(&format!("{} robots", words[..50].join(" ")));
        assert!(m.contains("first 50 words"), "{m}");
    }

    /// Every quote of the embedded data (partners, their overrides, macro-regions, notes, their
    /// periods, and programmes) is the briefing's, and the embedded data cites nothing else.
    #[test]
    fn every_embedded_quote_is_in_the_briefing() {
        let d = Dataset::embedded().expect("the embedded data is valid");
        let mut checked = 0;
        let mut check = |what: &str, sources: &[Source]| {
            for s in sources {
                assert!(
                    s.reference().is_briefing(),
                    "{what}: embedded data must cite the briefing, not {}",
                    s.reference()
                );
                let q = s
                    .quote()
                    .unwrap_or_else(|| panic!("{what}: {} has no quote", s.reference()));
                assert!(in_briefing(q), "{what}: {}", not_in_briefing(q));
                checked += 1;
            }
        };
        for p in d.partners() {
            check(p.id(), p.sources());
        }
        for m in d.regions().macro_regions() {
            check(m.id(), m.sources());
        }
        for n in d.policy_notes() {
            check(n.id(), n.sources());
            if let Some(w) = n.period() {
                check(
                    &format!("{}.period", n.id()),
                    std::slice::from_ref(w.source()),
                );
            }
        }
        for p in d.programmes() {
            check(p.id(), p.sources());
        }
        assert!(checked > 400, "only {checked} quotes checked");
        let mut overrides = 0;
        for p in d.partners() {
            let quoted = [("tech", p.tech().quote()), ("control", p.control().quote())]
                .into_iter()
                .chain(std::iter::once((
                    "role",
                    p.role_basis.as_ref().and_then(|b| b.quote.as_deref()),
                )));
            for (field, q) in quoted {
                if let Some(q) = q {
                    assert!(in_briefing(q), "{}.{field}: {}", p.id(), not_in_briefing(q));
                    overrides += 1;
                }
            }
        }
        assert!(overrides >= 10, "only {overrides} override quotes checked");
    }
}
