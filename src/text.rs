//! Text normalisation shared by the data indexes and profile resolution.
//!
//! Names are matched after normalisation so that "E-Mobility", "e mobility" and "e-mobility"
//! are one key, and "Guǎngdōng" is "guangdong".

/// Lowercases, folds pinyin tone marks and common Latin diacritics, turns `&` into `and`,
/// drops apostrophes (so "Xi'an" is "xian") and turns every other character that is neither
/// a letter nor a digit into a single space. CJK characters are kept as they are.
pub(crate) fn normalize(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut pending_space = false;
    for c in s.chars() {
        let folded = fold(c);
        match folded {
            '&' => {
                push_word(&mut out, "and", &mut pending_space);
                pending_space = true;
            }
            '\'' | '’' | '`' | '‘' => {}
            c if c.is_alphanumeric() => {
                if pending_space && !out.is_empty() {
                    out.push(' ');
                }
                pending_space = false;
                for l in c.to_lowercase() {
                    out.push(l);
                }
            }
            _ => pending_space = true,
        }
    }
    out
}

fn push_word(out: &mut String, w: &str, pending_space: &mut bool) {
    if !out.is_empty() {
        out.push(' ');
    }
    out.push_str(w);
    *pending_space = false;
}

/// The normalised form without spaces, so that "emobility" meets "e mobility".
pub(crate) fn compact(normalized: &str) -> String {
    normalized.chars().filter(|c| *c != ' ').collect()
}

/// A normalised word in its singular form, so that a product named in the plural meets the
/// same product in the singular: "locks" and "lock", "industries" and "industry", "glasses"
/// and "glass", "shoes" and "shoe". Words of three letters or fewer, and words ending in
/// "ss", "us" or "is", are kept as they are.
pub(crate) fn singular(word: &str) -> &str {
    let n = word.len();
    if n <= 3 || !word.is_ascii() {
        return word;
    }
    if word.ends_with("ss") || word.ends_with("us") || word.ends_with("is") {
        return word;
    }
    for plural in ["sses", "shes", "ches", "xes", "zes"] {
        if word.ends_with(plural) {
            return &word[..n - 2];
        }
    }
    word.strip_suffix('s').unwrap_or(word)
}

/// The words of a text for product matching: normalised, each in its singular form, with
/// a final "y" and an "ies" plural brought to one stem ("industry" and "industries" are both
/// "industri", "battery" and "batteries" both "batteri").
pub(crate) fn product_words(text: &str) -> Vec<String> {
    normalize(text)
        .split(' ')
        .filter(|w| !w.is_empty())
        .map(|w| {
            if w.len() > 4 {
                if let Some(stem) = w.strip_suffix("ies") {
                    return format!("{stem}i");
                }
            }
            let w = singular(w);
            match w.strip_suffix('y') {
                Some(stem) if w.len() > 4 => format!("{stem}i"),
                _ => w.to_string(),
            }
        })
        .collect()
}

/// Whether `needle` occurs in `words` as a run of consecutive words.
pub(crate) fn contains_words(words: &[String], needle: &[String]) -> bool {
    !needle.is_empty() && words.windows(needle.len()).any(|w| w == needle)
}

/// Whether the text contains a CJK ideograph (then it is matched exactly, not fuzzily).
pub(crate) fn has_cjk(s: &str) -> bool {
    s.chars().any(is_cjk)
}

pub(crate) fn is_cjk(c: char) -> bool {
    matches!(c as u32, 0x3400..=0x4DBF | 0x4E00..=0x9FFF | 0xF900..=0xFAFF | 0x20000..=0x2FA1F)
}

fn fold(c: char) -> char {
    match c {
        'ā' | 'á' | 'ǎ' | 'à' | 'â' | 'ä' | 'ã' | 'å' | 'Ā' | 'Á' | 'Ǎ' | 'À' | 'Â' | 'Ä' => {
            'a'
        }
        'ē' | 'é' | 'ě' | 'è' | 'ê' | 'ë' | 'Ē' | 'É' | 'Ě' | 'È' | 'Ê' | 'Ë' => 'e',
        'ī' | 'í' | 'ǐ' | 'ì' | 'î' | 'ï' | 'Ī' | 'Í' | 'Ǐ' | 'Ì' | 'Î' | 'Ï' => 'i',
        'ō' | 'ó' | 'ǒ' | 'ò' | 'ô' | 'ö' | 'õ' | 'ø' | 'Ō' | 'Ó' | 'Ǒ' | 'Ò' | 'Ô' | 'Ö' => {
            'o'
        }
        'ū' | 'ú' | 'ǔ' | 'ù' | 'û' | 'ü' | 'ǖ' | 'ǘ' | 'ǚ' | 'ǜ' | 'Ū' | 'Ú' | 'Ǔ' | 'Ù' | 'Û'
        | 'Ü' => 'u',
        'ç' | 'Ç' => 'c',
        'ñ' | 'Ñ' => 'n',
        'ß' => 's',
        other => other,
    }
}

/// The closest candidates to `input`, best first, at most `n`, for "did you mean" messages.
/// Candidates below a similarity of 0.7 (Jaro-Winkler, on normalised text) are not offered.
pub(crate) fn closest<'a>(
    input: &str,
    candidates: impl Iterator<Item = &'a str>,
    n: usize,
) -> Vec<String> {
    let key: String = normalize(
        &input
            .chars()
            .take(crate::limits::TERM_CHARS)
            .collect::<String>(),
    );
    if key.is_empty() {
        return Vec::new();
    }
    let mut scored: Vec<(f64, &str)> = candidates
        .map(|c| (strsim::jaro_winkler(&key, &normalize(c)), c))
        .filter(|(s, _)| *s >= 0.7)
        .collect();
    scored.sort_by(|a, b| b.0.total_cmp(&a.0).then_with(|| a.1.cmp(b.1)));
    let mut out: Vec<String> = Vec::new();
    for (_, c) in scored {
        if !out.iter().any(|o| o == c) {
            out.push(c.to_string());
        }
        if out.len() == n {
            break;
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn normalizes_punctuation_case_and_tones() {
        assert_eq!(normalize("  E-Mobility "), "e mobility");
        assert_eq!(normalize("Aerospace & defence"), "aerospace and defence");
        assert_eq!(normalize("Guǎngdōng"), "guangdong");
        assert_eq!(normalize("Xi'an"), "xian");
        assert_eq!(normalize("Children's wear"), "childrens wear");
        assert_eq!(normalize("R&D"), "r and d");
        assert_eq!(normalize("廣東 省"), "廣東 省");
        assert_eq!(compact("e mobility"), "emobility");
    }

    #[test]
    fn product_words_meet_in_the_singular() {
        let w = |s: &str| product_words(s);
        assert_eq!(w("Locks"), w("lock"));
        assert_eq!(w("Glasses"), w("glass"));
        assert_eq!(w("shoes"), w("Shoe"));
        assert_eq!(w("industries"), w("industry"));
        assert_eq!(w("Stainless steel"), vec!["stainless", "steel"]);
        assert_eq!(w("Boxes"), vec!["box"]);
        assert!(contains_words(
            &w("Zhuji socks industrial cluster"),
            &w("sock")
        ));
        assert!(!contains_words(
            &w("Zhuji socks industrial cluster"),
            &w("socks cluster")
        ));
        assert!(!contains_words(&w("steel"), &[]));
    }

    #[test]
    fn detects_cjk() {
        assert!(has_cjk("杭州"));
        assert!(!has_cjk("Hangzhou"));
    }

    #[test]
    fn closest_ranks_by_similarity() {
        let c = closest(
            "biotechnolgy",
            ["biotechnology", "bioenergy", "textiles"].into_iter(),
            2,
        );
        assert_eq!(c[0], "biotechnology");
        assert!(closest("", ["x"].into_iter(), 3).is_empty());
    }
}
