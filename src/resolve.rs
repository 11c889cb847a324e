//! Step 2 of the data flow: a profile's free text resolved to taxonomy sectors and regions.
//!
//! All string and fuzzy work happens here, once per profile. What comes out holds only typed
//! ids, so the scoring after it does no string work.

use crate::dataset::{Dataset, PartnerIndex, RegionRef, SectorId};
use crate::profile::Profile;
use crate::text::{closest, has_cjk, normalize};
use crate::{Error, Result};
use std::fmt;

/// How a free-text term was matched to sectors or regions.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub enum MatchKind {
    /// The term is an id, label, alias or crosswalk term (after normalisation).
    Exact,
    /// The term is within a small edit distance of `name` (a typo).
    Fuzzy {
        /// The name it was taken for.
        name: String,
        /// Number of single-character edits between the two.
        edits: usize,
    },
    /// The term contains `phrase`, a sector keyword or name.
    Keyword {
        /// The phrase found in the term.
        phrase: String,
    },
}

impl fmt::Display for MatchKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            MatchKind::Exact => f.write_str("exact"),
            MatchKind::Fuzzy { name, .. } => write!(f, "read as `{name}`"),
            MatchKind::Keyword { phrase } => write!(f, "contains `{phrase}`"),
        }
    }
}

/// A profile term resolved to one or more sectors.
#[derive(Debug, Clone, PartialEq)]
pub struct SectorMatch {
    /// The field and index it came from, e.g. `sectors[0]` or `keywords[2]`.
    pub field: String,
    /// The term as written.
    pub input: String,
    /// The sectors it resolved to (several for a crosswalk term such as "Blue growth").
    pub sectors: Vec<SectorId>,
    /// How it was matched.
    pub how: MatchKind,
}

/// A sector or keyword that industrial clusters' own names use for what they make ("socks"
/// in "Zhuji socks industrial cluster").
#[derive(Debug, Clone, PartialEq)]
pub struct PhraseMatch {
    /// The field and index, e.g. `keywords[2]` or `sectors[0]`.
    pub field: String,
    /// The term as written.
    pub input: String,
    /// The clusters whose name or an alias holds it, ascending.
    pub partners: Vec<PartnerIndex>,
}

/// A preferred region resolved to one or more regions.
#[derive(Debug, Clone, PartialEq)]
pub struct RegionMatch {
    /// The field and index, e.g. `preferred_regions[1]`.
    pub field: String,
    /// The term as written.
    pub input: String,
    /// The regions it names (two for an ambiguous name such as "Taizhou").
    pub regions: Vec<RegionRef>,
    /// How it was matched.
    pub how: MatchKind,
}

/// Something in the profile that was used with a caveat or not used at all. Nothing is
/// dropped without one.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Warning {
    /// The field and index, e.g. `keywords[3]`.
    pub field: String,
    /// What happened.
    pub message: String,
}

impl fmt::Display for Warning {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.field, self.message)
    }
}

/// A profile with its free text resolved against a dataset.
#[derive(Debug, Clone)]
pub struct ResolvedProfile {
    profile: Profile,
    sectors: Vec<SectorMatch>,
    keywords: Vec<SectorMatch>,
    phrases: Vec<PhraseMatch>,
    topics: Vec<String>,
    regions: Vec<RegionMatch>,
    warnings: Vec<Warning>,
}

impl ResolvedProfile {
    /// The profile as validated.
    pub fn profile(&self) -> &Profile {
        &self.profile
    }
    /// One match per entry of `sectors`, in the profile's order.
    pub fn sector_matches(&self) -> &[SectorMatch] {
        &self.sectors
    }
    /// Matches of `keywords` entries that point to sectors (entries that point nowhere are
    /// in [`warnings`](Self::warnings)).
    pub fn keyword_matches(&self) -> &[SectorMatch] {
        &self.keywords
    }
    /// Sectors and keywords that industrial clusters' names use for what they make, with
    /// those clusters.
    pub fn phrase_matches(&self) -> &[PhraseMatch] {
        &self.phrases
    }
    /// The keywords, normalised, for topic-triggered policy notes (e.g. `ai`).
    pub fn topics(&self) -> &[String] {
        &self.topics
    }
    /// One match per entry of `preferred_regions`.
    pub fn region_matches(&self) -> &[RegionMatch] {
        &self.regions
    }
    /// What was used with a caveat or not used.
    pub fn warnings(&self) -> &[Warning] {
        &self.warnings
    }
    /// The sectors of each `sectors` entry, in a canonical order (each group sorted, then the
    /// groups), so that scores do not depend on the order the profile lists them in.
    pub fn sector_groups(&self) -> Vec<Vec<SectorId>> {
        canonical_groups(&self.sectors)
    }
    /// The sectors of each resolved keyword, in the same canonical order.
    pub fn keyword_groups(&self) -> Vec<Vec<SectorId>> {
        canonical_groups(&self.keywords)
    }
    /// All sectors from `sectors`, sorted and without duplicates.
    pub fn sectors(&self) -> Vec<SectorId> {
        let mut v: Vec<SectorId> = self
            .sectors
            .iter()
            .flat_map(|m| m.sectors.iter().copied())
            .collect();
        v.sort();
        v.dedup();
        v
    }
    /// All sectors from `keywords`, sorted and without duplicates.
    pub fn keyword_sectors(&self) -> Vec<SectorId> {
        let mut v: Vec<SectorId> = self
            .keywords
            .iter()
            .flat_map(|m| m.sectors.iter().copied())
            .collect();
        v.sort();
        v.dedup();
        v
    }
    /// All preferred regions, sorted and without duplicates.
    pub fn regions(&self) -> Vec<RegionRef> {
        let mut v: Vec<RegionRef> = self
            .regions
            .iter()
            .flat_map(|m| m.regions.iter().copied())
            .collect();
        v.sort();
        v.dedup();
        v
    }
}

fn canonical_groups(matches: &[SectorMatch]) -> Vec<Vec<SectorId>> {
    let mut groups: Vec<Vec<SectorId>> = matches
        .iter()
        .map(|m| {
            let mut g = m.sectors.clone();
            g.sort();
            g.dedup();
            g
        })
        .collect();
    groups.sort();
    groups
}

/// Resolves profiles against a dataset. Cheap to create; immutable, `Send` and `Sync`.
#[derive(Debug, Clone, Copy)]
pub struct Matcher<'d> {
    dataset: &'d Dataset,
}

/// The largest number of typos a name of `len` characters may be read through: none below
/// 5 characters (too many short names are one edit apart), one up to 7, two from 8.
fn max_edits(len: usize) -> usize {
    match len {
        0..=4 => 0,
        5..=7 => 1,
        _ => 2,
    }
}

/// The index names within their allowed edits of `key`, best first: `(edits, name, targets)`.
/// A name of `n` characters is read through [`max_edits`]`(n)` edits, and the text must
/// have at least 4 characters; only names of similar length are compared, so the cost stays
/// linear in the index size. Two different readings at the same distance are ambiguous and
/// give `None`.
fn fuzzy<'a, T: Clone + PartialEq + 'a>(
    key: &str,
    names: impl Iterator<Item = (&'a str, &'a [T])>,
) -> Option<(usize, String, Vec<T>)> {
    let len = key.chars().count();
    if has_cjk(key) || len < 4 {
        return None;
    }
    let key_hist = histogram(key);
    let mut best: Option<(usize, String, Vec<T>)> = None;
    let mut tie = false;
    for (name, targets) in names {
        let nlen = name.chars().count();
        let max = max_edits(nlen);
        if max == 0 || nlen.abs_diff(len) > max || has_cjk(name) {
            continue;
        }
        // One edit changes a letter histogram by at most 2: a cheap test that spares most
        // names the quadratic distance.
        if histogram_gap(&key_hist, name) > 2 * max {
            continue;
        }
        let d = strsim::osa_distance(key, name);
        if d > max {
            continue;
        }
        match &mut best {
            Some((bd, bn, bt)) if d == *bd => {
                if bt.as_slice() != targets {
                    tie = true;
                } else if name < bn.as_str() {
                    // Names of the same targets at the same distance: report the first in
                    // alphabetical order, so that the answer does not depend on the order
                    // the names come in (a hash map's, which changes between processes).
                    *bn = name.to_string();
                }
            }
            Some((bd, _, _)) if d > *bd => {}
            _ => {
                best = Some((d, name.to_string(), targets.to_vec()));
                tie = false;
            }
        }
    }
    if tie {
        None
    } else {
        best
    }
}

/// Counts of the letters a-z, digits and space in normalised text; everything else in one
/// bucket.
fn histogram(s: &str) -> [i16; 38] {
    let mut h = [0i16; 38];
    for c in s.chars() {
        let i = match c {
            'a'..='z' => c as usize - 'a' as usize,
            '0'..='9' => 26 + c as usize - '0' as usize,
            ' ' => 36,
            _ => 37,
        };
        h[i] = h[i].saturating_add(1);
    }
    h
}

/// The L1 distance between a histogram and the histogram of `name`.
fn histogram_gap(key: &[i16; 38], name: &str) -> usize {
    let h = histogram(name);
    key.iter()
        .zip(h.iter())
        .map(|(a, b)| (a - b).unsigned_abs() as usize)
        .sum()
}

/// Whether `phrase` occurs in `text` as whole words (both normalised).
pub(crate) fn contains_phrase(text: &str, phrase: &str) -> bool {
    if phrase.is_empty() {
        return false;
    }
    text.match_indices(phrase).any(|(i, _)| {
        let before = text[..i].chars().next_back();
        let after = text[i + phrase.len()..].chars().next();
        before.is_none_or(|c| c == ' ') && after.is_none_or(|c| c == ' ')
    })
}

impl<'d> Matcher<'d> {
    /// A matcher over `dataset`.
    pub fn new(dataset: &'d Dataset) -> Matcher<'d> {
        Matcher { dataset }
    }

    /// The dataset it matches against.
    pub fn dataset(&self) -> &'d Dataset {
        self.dataset
    }

    /// Resolves a free-text sector name: exact (id, label, alias, crosswalk term), then a
    /// typo of one, then a sector keyword or name contained in the text. Text longer than
    /// [`limits::TERM_CHARS`](crate::limits::TERM_CHARS) characters resolves to nothing
    /// (no name is that long, and it keeps the cost bounded).
    pub fn resolve_sector(&self, text: &str) -> Option<(Vec<SectorId>, MatchKind)> {
        let tax = self.dataset.taxonomy();
        if text.chars().nth(crate::limits::TERM_CHARS).is_some() {
            return None;
        }
        let key = normalize(text);
        if key.is_empty() {
            return None;
        }
        if let Some(ids) = tax.lookup_normalized(&key) {
            return Some((ids.to_vec(), MatchKind::Exact));
        }
        // Plural and singular forms ("photovoltaic" / "photovoltaics").
        let other = match key.strip_suffix('s') {
            Some(stem) => stem.to_string(),
            None => format!("{key}s"),
        };
        if let Some(ids) = tax.lookup_normalized(&other) {
            return Some((ids.to_vec(), MatchKind::Exact));
        }
        let len = key.chars().count();
        if let Some((edits, name, ids)) =
            fuzzy(&key, tax.names_with_len(len.saturating_sub(2), len + 2))
        {
            return Some((ids, MatchKind::Fuzzy { name, edits }));
        }
        self.scan_phrases(&key)
    }

    /// Sector keywords and names (of three characters or more) found in `key`, longest first.
    fn scan_phrases(&self, key: &str) -> Option<(Vec<SectorId>, MatchKind)> {
        let tax = self.dataset.taxonomy();
        let mut found: Vec<(usize, &str, Vec<SectorId>)> = tax
            .phrases_in(key)
            .map(|(p, ids)| (p.len(), p, ids.to_vec()))
            .collect();
        if found.is_empty() {
            return None;
        }
        found.sort_by(|a, b| b.0.cmp(&a.0).then_with(|| a.1.cmp(b.1)));
        let phrase = found[0].1.to_string();
        // A phrase inside a longer phrase that was found says nothing more: "charging
        // infrastructure" is about vehicles, not about construction's "infrastructure".
        let mut kept: Vec<(usize, &str, Vec<SectorId>)> = Vec::new();
        for f in found {
            if !kept.iter().any(|k| k.1 != f.1 && contains_phrase(k.1, f.1)) {
                kept.push(f);
            }
        }
        let mut ids: Vec<SectorId> = kept.into_iter().flat_map(|f| f.2).collect();
        ids.sort();
        ids.dedup();
        Some((ids, MatchKind::Keyword { phrase }))
    }

    /// Resolves a free-text region: macro-region, province or place, in English, pinyin
    /// (with or without tone marks) or Chinese characters, then a typo of one. Text longer
    /// than [`limits::TERM_CHARS`](crate::limits::TERM_CHARS) characters resolves to nothing.
    pub fn resolve_region(&self, text: &str) -> Option<(Vec<RegionRef>, MatchKind)> {
        if text.chars().nth(crate::limits::TERM_CHARS).is_some() {
            return None;
        }
        let regions = self.dataset.regions();
        if let Some(r) = regions.lookup(text) {
            return Some((r.to_vec(), MatchKind::Exact));
        }
        let key = normalize(text);
        fuzzy(&key, regions.names()).map(|(edits, name, r)| (r, MatchKind::Fuzzy { name, edits }))
    }

    /// The industrial clusters whose names use `term` for their product; none when the term
    /// is a sector's own name (a field, which the sector fit already scores).
    fn products_named(&self, term: &str) -> Vec<crate::dataset::PartnerIndex> {
        if self.dataset.taxonomy().names_a_field(term) {
            return Vec::new();
        }
        self.dataset.partners_named(term)
    }

    /// Resolves a profile's sectors, keywords and preferred regions.
    ///
    /// # Errors
    ///
    /// [`Error::Profile`] for a sector or preferred region that resolves to nothing, naming
    /// the field and offering the closest names. A keyword that points to no sector is not an
    /// error (keywords are often products or topics); it is reported in
    /// [`ResolvedProfile::warnings`].
    pub fn resolve(&self, profile: &Profile) -> Result<ResolvedProfile> {
        let tax = self.dataset.taxonomy();
        let mut warnings = Vec::new();
        let mut sectors = Vec::new();
        let mut phrases = Vec::new();
        for (i, s) in profile.sectors().iter().enumerate() {
            let field = format!("sectors[{i}]");
            match self.resolve_sector(s) {
                Some((ids, how)) => {
                    let named = self.products_named(s);
                    if !named.is_empty() {
                        phrases.push(PhraseMatch {
                            field: field.clone(),
                            input: s.clone(),
                            partners: named,
                        });
                    }
                    if let MatchKind::Fuzzy { name, .. } | MatchKind::Keyword { phrase: name } =
                        &how
                    {
                        warnings.push(Warning {
                            field: field.clone(),
                            message: format!("`{s}` was read as `{name}`"),
                        });
                    }
                    sectors.push(SectorMatch {
                        field,
                        input: s.clone(),
                        sectors: ids,
                        how,
                    });
                }
                None => {
                    let labels = tax.sectors().iter().flat_map(|x| {
                        std::iter::once(x.label()).chain(x.aliases().iter().map(String::as_str))
                    });
                    let vocab = tax
                        .vocabularies()
                        .iter()
                        .flat_map(|v| v.entries().map(|(l, _)| l));
                    return Err(Error::Profile {
                        field,
                        message: format!("`{s}` matches no sector of the taxonomy"),
                        suggestions: closest(s, labels.chain(vocab), 3),
                    });
                }
            }
        }
        let mut keywords = Vec::new();
        let mut topics = Vec::new();
        for (i, k) in profile.keywords().iter().enumerate() {
            let field = format!("keywords[{i}]");
            topics.push(normalize(k));
            let named = self.products_named(k);
            let sectors = self.resolve_sector(k);
            if sectors.is_none() && named.is_empty() {
                warnings.push(Warning {
                    field,
                    message: format!(
                        "`{k}` points to no sector and names no cluster's product; it is used only to match policy topics"
                    ),
                });
                continue;
            }
            if !named.is_empty() {
                phrases.push(PhraseMatch {
                    field: field.clone(),
                    input: k.clone(),
                    partners: named,
                });
            }
            if let Some((ids, how)) = sectors {
                if let MatchKind::Fuzzy { name, .. } = &how {
                    warnings.push(Warning {
                        field: field.clone(),
                        message: format!("`{k}` was read as `{name}`"),
                    });
                }
                keywords.push(SectorMatch {
                    field,
                    input: k.clone(),
                    sectors: ids,
                    how,
                });
            }
        }
        let mut regions = Vec::new();
        let reg = self.dataset.regions();
        for (i, r) in profile.preferred_regions().iter().enumerate() {
            let field = format!("preferred_regions[{i}]");
            match self.resolve_region(r) {
                Some((refs, how)) => {
                    if refs.len() > 1 {
                        let names: Vec<String> = refs
                            .iter()
                            .map(|x| describe_region(self.dataset, *x))
                            .collect();
                        warnings.push(Warning {
                            field: field.clone(),
                            message: format!(
                                "`{r}` names {} regions ({}); all of them are preferred",
                                refs.len(),
                                names.join("; ")
                            ),
                        });
                    }
                    if let MatchKind::Fuzzy { name, .. } = &how {
                        warnings.push(Warning {
                            field: field.clone(),
                            message: format!("`{r}` was read as `{name}`"),
                        });
                    }
                    regions.push(RegionMatch {
                        field,
                        input: r.clone(),
                        regions: refs,
                        how,
                    });
                }
                None => {
                    let names = reg
                        .macro_regions()
                        .iter()
                        .map(|m| m.name())
                        .chain(reg.provinces().iter().map(|p| p.name()))
                        .chain(reg.places().iter().map(|p| p.name()));
                    return Err(Error::Profile {
                        field,
                        message: format!(
                            "`{r}` is not a macro-region, province or city the data knows"
                        ),
                        suggestions: closest(r, names, 3),
                    });
                }
            }
        }
        Ok(ResolvedProfile {
            profile: profile.clone(),
            sectors,
            keywords,
            phrases,
            topics,
            regions,
            warnings,
        })
    }
}

/// "Taizhou (Zhejiang)" style description of a region for messages.
pub(crate) fn describe_region(d: &Dataset, r: RegionRef) -> String {
    let reg = d.regions();
    match r {
        RegionRef::Macro(m) => reg.macro_region(m).name().to_string(),
        RegionRef::Province(p) => reg.province(p).name().to_string(),
        RegionRef::Place(p) => {
            let pl = reg.place(p);
            format!("{} ({})", pl.name(), reg.province(pl.province()).name())
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn phrases_match_whole_words() {
        assert!(contains_phrase(
            "battery systems for cars",
            "battery systems"
        ));
        assert!(contains_phrase("ai", "ai"));
        assert!(!contains_phrase("maintenance", "ai"));
        assert!(!contains_phrase("bait", "ai"));
    }

    #[test]
    fn a_typo_reads_the_same_whatever_order_the_names_come_in() {
        // Three names of one region, each one edit from the typo, and a name of another
        // region two edits away: every order of the index gives the same reading.
        let names: Vec<(&str, Vec<u8>)> = vec![
            ("shenzhen", vec![1]),
            ("shenzhemx", vec![1]),
            ("shenzhe", vec![1]),
            ("shanzhen", vec![2]),
        ];
        let mut answers = std::collections::BTreeSet::new();
        for rotation in 0..names.len() {
            for reverse in [false, true] {
                let mut v = names.clone();
                v.rotate_left(rotation);
                if reverse {
                    v.reverse();
                }
                let r = fuzzy("shenzhem", v.iter().map(|(n, t)| (*n, t.as_slice())));
                answers.insert(r);
            }
        }
        assert_eq!(
            answers.into_iter().collect::<Vec<_>>(),
            [Some((1, "shenzhe".to_string(), vec![1]))]
        );
    }
}
