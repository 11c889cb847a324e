//! The sector taxonomy: a forest of sectors with aliases and keywords, and crosswalks from
//! the vocabularies EU clusters describe themselves with.

use super::source::SourceRef;
use super::{check_id, ID_SNAKE};
use crate::text::{compact, normalize, product_words};
use crate::{Error, Result};
use serde::Deserialize;
use std::collections::HashMap;

/// How close `cross_sector` organisations (Table 3's "All") are to any sector.
pub const CROSS_SECTOR_CLOSENESS: f64 = 0.3;

/// Index of a sector in its [`Taxonomy`]. Only valid for the taxonomy that issued it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct SectorId(pub(crate) u16);

impl SectorId {
    /// The position of the sector in [`Taxonomy::sectors`].
    pub fn index(self) -> usize {
        self.0 as usize
    }
}

/// One sector of the taxonomy.
#[derive(Debug, Clone)]
pub struct Sector {
    pub(crate) id: String,
    pub(crate) label: String,
    pub(crate) parent: Option<SectorId>,
    pub(crate) depth: u8,
    pub(crate) priority: bool,
    pub(crate) aliases: Vec<String>,
    pub(crate) keywords: Vec<String>,
    pub(crate) sources: Vec<SourceRef>,
}

impl Sector {
    /// The stable id, e.g. `electric_vehicles`.
    pub fn id(&self) -> &str {
        &self.id
    }
    /// The English label, e.g. "Electric and new-energy vehicles".
    pub fn label(&self) -> &str {
        &self.label
    }
    /// The parent sector, `None` for a root.
    pub fn parent(&self) -> Option<SectorId> {
        self.parent
    }
    /// 0 for a root, 1 for its children, and so on.
    pub fn depth(&self) -> u8 {
        self.depth
    }
    /// Whether this is one of the briefing's four priority fields (section 2.3: automotive,
    /// biotechnology for health, renewable energy, ICT).
    pub fn is_priority(&self) -> bool {
        self.priority
    }
    /// Other names that resolve to this sector exactly.
    pub fn aliases(&self) -> &[String] {
        &self.aliases
    }
    /// Words and phrases that, found in a profile's keywords, point to this sector.
    pub fn keywords(&self) -> &[String] {
        &self.keywords
    }
    /// Where the briefing discusses this sector.
    pub fn sources(&self) -> &[SourceRef] {
        &self.sources
    }
}

/// A vocabulary from outside the taxonomy (EU industrial ecosystems, European emerging
/// industries, the 13th Five-Year Plan's strategic emerging industries, ...) mapped onto it.
#[derive(Debug, Clone)]
pub struct Vocabulary {
    pub(crate) id: String,
    pub(crate) name: String,
    pub(crate) entries: Vec<(String, Vec<SectorId>)>,
    pub(crate) sources: Vec<SourceRef>,
}

impl Vocabulary {
    /// The vocabulary's id, e.g. `eu_industrial_ecosystems`.
    pub fn id(&self) -> &str {
        &self.id
    }
    /// Its name.
    pub fn name(&self) -> &str {
        &self.name
    }
    /// Each term with the sectors it maps to.
    pub fn entries(&self) -> impl Iterator<Item = (&str, &[SectorId])> {
        self.entries.iter().map(|(l, s)| (l.as_str(), s.as_slice()))
    }
    /// Where the vocabulary comes from.
    pub fn sources(&self) -> &[SourceRef] {
        &self.sources
    }
}

/// A keyword or name to find inside longer text: its words, itself, its sectors.
type Phrase = (Vec<String>, String, Vec<SectorId>);

/// The sector taxonomy.
#[derive(Debug, Clone)]
pub struct Taxonomy {
    sectors: Vec<Sector>,
    vocabularies: Vec<Vocabulary>,
    by_id: HashMap<String, SectorId>,
    /// Normalised name (id, label, alias or crosswalk term; spaced and compact forms) to the
    /// sectors it names. Every key maps to one non-empty set (checked at load).
    names: HashMap<String, Vec<SectorId>>,
    /// The same names grouped by length in characters, for fuzzy matching.
    by_len: Vec<Vec<(String, Vec<SectorId>)>>,
    /// Keywords and names (keywords from 2 characters, names from 3) by their first word,
    /// for finding them inside longer text: (phrase words, the phrase, its sectors).
    phrases: HashMap<String, Vec<Phrase>>,
    cross_sector: Option<SectorId>,
    /// The sectors' own names (ids and labels) as product words run together: a term equal
    /// to one names a field, not a product.
    field_names: std::collections::HashSet<String>,
    /// [`Taxonomy::closeness`] of every pair, wanted-major, computed once at load: scoring
    /// reads it for every profile term and partner sector.
    closeness: Vec<f64>,
}

impl Taxonomy {
    /// All sectors, in file order; `SectorId::index` indexes this slice.
    pub fn sectors(&self) -> &[Sector] {
        &self.sectors
    }
    /// The sector with this id.
    pub fn get(&self, id: SectorId) -> &Sector {
        &self.sectors[id.index()]
    }
    /// Looks a sector up by its string id.
    pub fn find(&self, id: &str) -> Option<SectorId> {
        self.by_id.get(id).copied()
    }
    /// The crosswalk vocabularies.
    pub fn vocabularies(&self) -> &[Vocabulary] {
        &self.vocabularies
    }
    /// The chain from `id` up to its root, starting with `id` itself.
    pub fn ancestors(&self, id: SectorId) -> impl Iterator<Item = SectorId> + '_ {
        std::iter::successors(Some(id), move |s| self.get(*s).parent)
    }
    /// The root of `id`'s tree.
    pub fn root(&self, id: SectorId) -> SectorId {
        self.ancestors(id).last().unwrap_or(id)
    }
    /// Whether `id` is `ancestor` or lies below it.
    pub fn is_within(&self, id: SectorId, ancestor: SectorId) -> bool {
        self.ancestors(id).any(|a| a == ancestor)
    }
    /// Number of parent links between two sectors of the same tree (0 for the same sector),
    /// `None` when they are in different trees.
    pub fn distance(&self, a: SectorId, b: SectorId) -> Option<u8> {
        let (da, db) = (self.get(a).depth, self.get(b).depth);
        let (mut x, mut y) = (a, b);
        let mut steps = 0u8;
        let (mut dx, mut dy) = (da, db);
        while dx > dy {
            x = self.get(x).parent?;
            dx -= 1;
            steps += 1;
        }
        while dy > dx {
            y = self.get(y).parent?;
            dy -= 1;
            steps += 1;
        }
        while x != y {
            x = self.get(x).parent?;
            y = self.get(y).parent?;
            steps += 2;
        }
        Some(steps)
    }

    /// How close a partner working in `partner` is to a profile asking for `wanted`, in
    /// [0, 1], higher is closer. The tree decides, and so does the direction:
    ///
    /// - the same sector: 1;
    /// - `partner` lies below `wanted` (a solar cluster for a renewable-energy profile):
    ///   0.85 per level, since a specialist is what a broad profile is looking for;
    /// - `partner` lies above `wanted` (a renewable-energy society for a wind profile):
    ///   0.8 per level, since a broad body covers the narrower field, less sharply;
    /// - cousins (an electric-vehicle profile and a motorcycle cluster): 0.7 per level from
    ///   `wanted` up to the common ancestor, times 0.5 per level down to `partner`;
    /// - different trees: 0, except that `cross_sector` (Table 3's "All" organisations)
    ///   is 0.3 from everything.
    ///
    /// So an electric-vehicle profile finds an automotive cluster at 0.8, a motorcycle
    /// cluster at 0.245 and a textile cluster at 0.
    pub fn closeness(&self, wanted: SectorId, partner: SectorId) -> f64 {
        let n = self.sectors.len();
        match self.closeness.get(wanted.index() * n + partner.index()) {
            Some(c) => *c,
            None => self.closeness_of(wanted, partner),
        }
    }

    /// [`Taxonomy::closeness`] computed from the tree (the table holds it for every pair).
    fn closeness_of(&self, wanted: SectorId, partner: SectorId) -> f64 {
        if wanted == partner {
            return 1.0;
        }
        let cross = self.cross_sector;
        if Some(partner) == cross || Some(wanted) == cross {
            return CROSS_SECTOR_CLOSENESS;
        }
        let (dw, dp) = (
            self.get(wanted).depth as i32,
            self.get(partner).depth as i32,
        );
        if self.is_within(partner, wanted) {
            return 0.85f64.powi(dp - dw);
        }
        if self.is_within(wanted, partner) {
            return 0.8f64.powi(dw - dp);
        }
        match self.common_ancestor(wanted, partner) {
            Some(a) => {
                let da = self.get(a).depth as i32;
                0.7f64.powi(dw - da) * 0.5f64.powi(dp - da)
            }
            None => 0.0,
        }
    }

    /// The deepest sector that both lie within, if they share a tree.
    pub fn common_ancestor(&self, a: SectorId, b: SectorId) -> Option<SectorId> {
        self.ancestors(a).find(|x| self.is_within(b, *x))
    }

    /// Whether `text` is a sector's own name (its id or label, in the singular or plural),
    /// such as "apparel" or "steel": a field, not a product. Partners' names that use it say
    /// no more than their sectors do.
    pub(crate) fn names_a_field(&self, text: &str) -> bool {
        self.field_names.contains(&product_words(text).concat())
    }

    /// The sectors a normalised name resolves to exactly.
    pub(crate) fn lookup_normalized(&self, key: &str) -> Option<&[SectorId]> {
        self.names
            .get(key)
            .or_else(|| self.names.get(&compact(key)))
            .map(Vec::as_slice)
    }

    pub(crate) fn from_json(file: &str, text: &str) -> Result<Taxonomy> {
        let raw: RawTaxonomy = serde_json::from_str(text).map_err(|e| Error::json(file, &e))?;
        Taxonomy::from_raw(file, raw)
    }

    fn from_raw(file: &str, raw: RawTaxonomy) -> Result<Taxonomy> {
        if raw.sectors.is_empty() {
            return Err(Error::data(
                file,
                "(file)",
                "sectors",
                "the taxonomy has no sector",
            ));
        }
        if raw.sectors.len() > u16::MAX as usize {
            return Err(Error::data(
                file,
                "(file)",
                "sectors",
                "more than 65535 sectors",
            ));
        }
        let mut by_id = HashMap::new();
        for (i, s) in raw.sectors.iter().enumerate() {
            check_id(&s.id, ID_SNAKE).map_err(|m| Error::data(file, &format!("#{i}"), "id", m))?;
            if by_id.insert(s.id.clone(), SectorId(i as u16)).is_some() {
                return Err(Error::data(file, &s.id, "id", "duplicate sector id"));
            }
        }
        let mut sectors = Vec::with_capacity(raw.sectors.len());
        for s in raw.sectors {
            let err = |f: String, m: String| Error::data(file, &s.id, f, m);
            if s.label.trim().is_empty() {
                return Err(err("label".into(), "empty label".into()));
            }
            let parent = match &s.parent {
                None => None,
                Some(p) => Some(*by_id.get(p).ok_or_else(|| {
                    err(
                        "parent".into(),
                        format!("`{p}` is not a sector id of this file"),
                    )
                })?),
            };
            let sources = parse_refs(&s.sources, &err)?;
            if sources.is_empty() {
                return Err(err(
                    "sources".into(),
                    "a sector needs at least one source".into(),
                ));
            }
            sectors.push(Sector {
                id: s.id,
                label: s.label,
                parent,
                depth: 0,
                priority: s.priority,
                aliases: s.aliases,
                keywords: s.keywords.iter().map(|k| normalize(k)).collect(),
                sources,
            });
        }
        // Depths, rejecting cycles: a chain longer than the number of sectors loops.
        for i in 0..sectors.len() {
            let mut depth = 0usize;
            let mut cur = sectors[i].parent;
            while let Some(p) = cur {
                depth += 1;
                if depth > sectors.len() || depth > u8::MAX as usize {
                    return Err(Error::data(
                        file,
                        &sectors[i].id,
                        "parent",
                        "parent links form a cycle",
                    ));
                }
                cur = sectors[p.index()].parent;
            }
            sectors[i].depth = depth as u8;
        }
        let mut tax = Taxonomy {
            sectors,
            vocabularies: Vec::new(),
            by_id,
            names: HashMap::new(),
            by_len: Vec::new(),
            phrases: HashMap::new(),
            cross_sector: None,
            field_names: std::collections::HashSet::new(),
            closeness: Vec::new(),
        };
        for i in 0..tax.sectors.len() {
            let id = SectorId(i as u16);
            let s = &tax.sectors[i];
            let mut terms = vec![s.id.replace('_', " "), s.label.clone()];
            terms.extend(s.aliases.iter().cloned());
            let sid = s.id.clone();
            for t in terms {
                tax.add_name(file, &sid, "aliases", &t, vec![id])?;
            }
        }
        for v in raw.vocabularies {
            let err = |f: String, m: String| Error::data(file, &v.id, f, m);
            check_id(&v.id, ID_SNAKE).map_err(|m| err("id".into(), m))?;
            let sources = parse_refs(&v.sources, &err)?;
            let mut entries = Vec::with_capacity(v.entries.len());
            for (i, e) in v.entries.into_iter().enumerate() {
                if e.sectors.is_empty() {
                    return Err(err(
                        format!("entries[{i}].sectors"),
                        "maps to no sector".into(),
                    ));
                }
                let mut ids = Vec::with_capacity(e.sectors.len());
                for (j, s) in e.sectors.iter().enumerate() {
                    ids.push(tax.find(s).ok_or_else(|| {
                        err(
                            format!("entries[{i}].sectors[{j}]"),
                            format!("unknown sector `{s}`"),
                        )
                    })?);
                }
                ids.sort();
                ids.dedup();
                tax.add_name(
                    file,
                    &v.id,
                    &format!("entries[{i}].label"),
                    &e.label,
                    ids.clone(),
                )?;
                entries.push((e.label, ids));
            }
            tax.vocabularies.push(Vocabulary {
                id: v.id,
                name: v.name,
                entries,
                sources,
            });
        }
        tax.build_indexes();
        Ok(tax)
    }

    /// Derives the length buckets, the phrase index and the cross-sector id from the names.
    fn build_indexes(&mut self) {
        self.cross_sector = self.find("cross_sector");
        let n = self.sectors.len();
        self.closeness = (0..n * n)
            .map(|i| self.closeness_of(SectorId((i / n) as u16), SectorId((i % n) as u16)))
            .collect();
        self.field_names = self
            .sectors
            .iter()
            .flat_map(|s| [s.id.replace('_', " "), s.label.clone()])
            .map(|n| product_words(&n).concat())
            .collect();
        let mut by_len: Vec<Vec<(String, Vec<SectorId>)>> = Vec::new();
        let mut names: Vec<(&String, &Vec<SectorId>)> = self.names.iter().collect();
        names.sort();
        for (n, ids) in &names {
            let len = n.chars().count();
            if by_len.len() <= len {
                by_len.resize(len + 1, Vec::new());
            }
            by_len[len].push(((*n).clone(), (*ids).clone()));
        }
        let mut phrases: HashMap<String, Vec<Phrase>> = HashMap::new();
        let mut add = |phrase: &str, ids: Vec<SectorId>| {
            let words: Vec<String> = phrase.split(' ').map(str::to_string).collect();
            if let Some(first) = words.first().cloned() {
                phrases
                    .entry(first)
                    .or_default()
                    .push((words, phrase.to_string(), ids));
            }
        };
        for (i, s) in self.sectors.iter().enumerate() {
            for k in s.keywords.iter().filter(|k| k.len() >= 2) {
                add(k, vec![SectorId(i as u16)]);
            }
        }
        for (n, ids) in names.iter().filter(|(n, _)| n.len() >= 3) {
            add(n, (*ids).clone());
        }
        self.by_len = by_len;
        self.phrases = phrases;
    }

    /// Names whose length in characters is within `lo..=hi`, for fuzzy matching.
    pub(crate) fn names_with_len(
        &self,
        lo: usize,
        hi: usize,
    ) -> impl Iterator<Item = (&str, &[SectorId])> {
        self.by_len
            .iter()
            .skip(lo)
            .take((hi + 1).saturating_sub(lo))
            .flatten()
            .map(|(n, ids)| (n.as_str(), ids.as_slice()))
    }

    /// Every keyword or name that occurs in `key` as whole words: (phrase, sectors).
    pub(crate) fn phrases_in<'a>(
        &'a self,
        key: &'a str,
    ) -> impl Iterator<Item = (&'a str, &'a [SectorId])> + 'a {
        let words: Vec<&str> = key.split(' ').collect();
        (0..words.len()).flat_map(move |i| {
            let rest: Vec<&str> = words[i..].to_vec();
            self.phrases
                .get(words[i])
                .into_iter()
                .flatten()
                .filter(move |(pw, _, _)| {
                    pw.len() <= rest.len() && pw.iter().zip(&rest).all(|(a, b)| a == b)
                })
                .map(|(_, p, ids)| (p.as_str(), ids.as_slice()))
        })
    }

    /// Adds a name to the index, spaced and compact. Two records may share a name only when it
    /// means the same sectors to both, so that no name is ambiguous.
    fn add_name(
        &mut self,
        file: &str,
        record: &str,
        field: &str,
        term: &str,
        ids: Vec<SectorId>,
    ) -> Result<()> {
        let key = normalize(term);
        if key.is_empty() {
            return Err(Error::data(
                file,
                record,
                field,
                format!("`{term}` has no letters"),
            ));
        }
        for k in [compact(&key), key] {
            match self.names.get(&k) {
                Some(existing) if *existing != ids => {
                    let show = |v: &[SectorId]| {
                        v.iter()
                            .map(|s| self.get(*s).id.as_str())
                            .collect::<Vec<_>>()
                            .join(", ")
                    };
                    return Err(Error::data(
                        file,
                        record,
                        field,
                        format!(
                            "`{term}` already names [{}], here it names [{}]; a name must mean one thing",
                            show(existing),
                            show(&ids)
                        ),
                    ));
                }
                Some(_) => {}
                None => {
                    self.names.insert(k, ids.clone());
                }
            }
        }
        Ok(())
    }
}

/// Sector sources are bare references: a sector is discussed across whole sections, so no
/// single quote stands for it (partners, notes and programmes do carry quotes).
fn parse_refs(raw: &[String], err: &dyn Fn(String, String) -> Error) -> Result<Vec<SourceRef>> {
    raw.iter()
        .enumerate()
        .map(|(i, r)| SourceRef::parse(r).map_err(|m| err(format!("sources[{i}]"), m)))
        .collect()
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawTaxonomy {
    sectors: Vec<RawSector>,
    #[serde(default)]
    vocabularies: Vec<RawVocabulary>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawSector {
    id: String,
    label: String,
    parent: Option<String>,
    #[serde(default)]
    priority: bool,
    #[serde(default)]
    aliases: Vec<String>,
    #[serde(default)]
    keywords: Vec<String>,
    sources: Vec<String>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawVocabulary {
    id: String,
    name: String,
    sources: Vec<String>,
    entries: Vec<RawEntry>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawEntry {
    label: String,
    sectors: Vec<String>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_closeness_table_holds_the_trees_closeness() {
        let d = crate::Dataset::embedded().unwrap();
        let t = d.taxonomy();
        let n = t.sectors().len();
        for a in 0..n {
            for b in 0..n {
                let (a, b) = (SectorId(a as u16), SectorId(b as u16));
                assert_eq!(t.closeness(a, b), t.closeness_of(a, b));
            }
        }
        let id = |s: &str| t.find(s).unwrap();
        assert_eq!(t.closeness(id("electric_vehicles"), id("automotive")), 0.8);
        assert!((t.closeness(id("electric_vehicles"), id("motorcycles")) - 0.245).abs() < 1e-12);
        assert_eq!(t.closeness(id("electric_vehicles"), id("apparel")), 0.0);
    }
}
