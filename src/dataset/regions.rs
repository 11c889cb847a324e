//! Macro-regions, provinces and the gazetteer of places that records name.

use super::source::{convert_sources, RawSource, Source};
use super::taxonomy::{SectorId, Taxonomy};
use super::{check_id, ID_KEBAB, ID_SNAKE};
use crate::text::{compact, normalize};
use crate::{Error, Result};
use serde::Deserialize;
use std::collections::{BTreeMap, HashMap};

/// Index of a macro-region in [`Regions::macro_regions`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct MacroRegionId(pub(crate) u8);
/// Index of a province in [`Regions::provinces`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct ProvinceId(pub(crate) u8);
/// Index of a place in [`Regions::places`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct PlaceId(pub(crate) u16);

macro_rules! index_fn {
    ($t:ty) => {
        impl $t {
            /// The position in its list.
            pub fn index(self) -> usize {
                self.0 as usize
            }
        }
    };
}
index_fn!(MacroRegionId);
index_fn!(ProvinceId);
index_fn!(PlaceId);

/// A macro-region: one of section 3.1's three coastal cluster regions, an inland region of
/// the "Go West" policy, the Southeast coast, or Hong Kong, Macau and Taiwan.
#[derive(Debug, Clone)]
pub struct MacroRegion {
    pub(crate) id: String,
    pub(crate) name: String,
    pub(crate) abbreviation: Option<String>,
    pub(crate) coastal: bool,
    pub(crate) partial_provinces: Vec<ProvinceId>,
    pub(crate) strengths: Vec<SectorId>,
    pub(crate) sources: Vec<Source>,
    pub(crate) notes: Option<String>,
}

impl MacroRegion {
    /// The id, e.g. `pearl_river_delta`.
    pub fn id(&self) -> &str {
        &self.id
    }
    /// The English name.
    pub fn name(&self) -> &str {
        &self.name
    }
    /// The usual abbreviation (PRD, YRD), if any.
    pub fn abbreviation(&self) -> Option<&str> {
        self.abbreviation.as_deref()
    }
    /// Whether it is on the coast, where section 3.1 finds most clusters.
    pub fn is_coastal(&self) -> bool {
        self.coastal
    }
    /// Provinces the briefing includes only in part (Bohai Rim: Hebei, Liaoning, Shandong).
    pub fn partial_provinces(&self) -> &[ProvinceId] {
        &self.partial_provinces
    }
    /// The sectors the briefing names as the region's strengths or opportunities.
    pub fn strengths(&self) -> &[SectorId] {
        &self.strengths
    }
    /// The briefing's words for the region.
    pub fn sources(&self) -> &[Source] {
        &self.sources
    }
    /// How the region's extent was decided.
    pub fn notes(&self) -> Option<&str> {
        self.notes.as_deref()
    }
}

/// A provincial-level division.
#[derive(Debug, Clone)]
pub struct Province {
    pub(crate) id: String,
    pub(crate) name: String,
    pub(crate) kind: String,
    pub(crate) zh_simplified: String,
    pub(crate) zh_traditional: String,
    pub(crate) macro_region: MacroRegionId,
}

impl Province {
    /// The id, e.g. `guangdong`.
    pub fn id(&self) -> &str {
        &self.id
    }
    /// The English (pinyin) name.
    pub fn name(&self) -> &str {
        &self.name
    }
    /// `province`, `municipality`, `autonomous_region` or `sar`.
    pub fn kind(&self) -> &str {
        &self.kind
    }
    /// The name in Simplified characters.
    pub fn zh_simplified(&self) -> &str {
        &self.zh_simplified
    }
    /// The name in Traditional characters.
    pub fn zh_traditional(&self) -> &str {
        &self.zh_traditional
    }
    /// The macro-region it belongs to.
    pub fn macro_region(&self) -> MacroRegionId {
        self.macro_region
    }
}

/// How local a place is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Deserialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum PlaceLevel {
    /// Beijing, Shanghai, Tianjin, Chongqing.
    Municipality,
    /// A prefecture-level city (or a county-level city a province administers directly).
    Prefecture,
    /// A county, county-level city or district.
    County,
    /// A town, subdistrict, new district or area.
    Town,
}

/// A city, county, district or town named by a record.
#[derive(Debug, Clone)]
pub struct Place {
    pub(crate) id: String,
    pub(crate) name: String,
    pub(crate) level: PlaceLevel,
    pub(crate) province: ProvinceId,
    pub(crate) parent: Option<PlaceId>,
    pub(crate) zh_simplified: String,
    pub(crate) zh_traditional: String,
}

impl Place {
    /// The id, e.g. `huadu`.
    pub fn id(&self) -> &str {
        &self.id
    }
    /// The English (pinyin) name.
    pub fn name(&self) -> &str {
        &self.name
    }
    /// How local it is.
    pub fn level(&self) -> PlaceLevel {
        self.level
    }
    /// The province it lies in.
    pub fn province(&self) -> ProvinceId {
        self.province
    }
    /// The enclosing place, `None` for prefectures and municipalities.
    pub fn parent(&self) -> Option<PlaceId> {
        self.parent
    }
    /// The name in Simplified characters.
    pub fn zh_simplified(&self) -> &str {
        &self.zh_simplified
    }
    /// The name in Traditional characters.
    pub fn zh_traditional(&self) -> &str {
        &self.zh_traditional
    }
}

/// A region a profile can prefer: a macro-region, a province or a place.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum RegionRef {
    /// A macro-region.
    Macro(MacroRegionId),
    /// A province.
    Province(ProvinceId),
    /// A city, county, district or town.
    Place(PlaceId),
}

/// Macro-regions, provinces and places, with a name index for resolution.
#[derive(Debug, Clone)]
pub struct Regions {
    macro_regions: Vec<MacroRegion>,
    provinces: Vec<Province>,
    places: Vec<Place>,
    province_by_id: HashMap<String, ProvinceId>,
    place_by_id: HashMap<String, PlaceId>,
    macro_by_id: HashMap<String, MacroRegionId>,
    /// Normalised name to the regions it names; a name can be ambiguous (two Taizhous).
    names: BTreeMap<String, Vec<RegionRef>>,
}

/// Suffixes that people add to Chinese place names and that the gazetteer leaves off.
const ZH_SUFFIXES: &[&str] = &[
    "特别行政区",
    "特別行政區",
    "自治区",
    "自治區",
    "省",
    "市",
    "区",
    "區",
    "县",
    "縣",
    "镇",
    "鎮",
];
/// English words that people add to place names.
const EN_SUFFIXES: &[&str] = &[
    " province",
    " municipality",
    " city",
    " district",
    " county",
    " region",
    " autonomous region",
];

impl Regions {
    /// All macro-regions.
    pub fn macro_regions(&self) -> &[MacroRegion] {
        &self.macro_regions
    }
    /// All provinces.
    pub fn provinces(&self) -> &[Province] {
        &self.provinces
    }
    /// All places.
    pub fn places(&self) -> &[Place] {
        &self.places
    }
    /// A macro-region.
    pub fn macro_region(&self, id: MacroRegionId) -> &MacroRegion {
        &self.macro_regions[id.index()]
    }
    /// A province.
    pub fn province(&self, id: ProvinceId) -> &Province {
        &self.provinces[id.index()]
    }
    /// A place.
    pub fn place(&self, id: PlaceId) -> &Place {
        &self.places[id.index()]
    }
    /// Looks a macro-region up by id.
    pub fn find_macro_region(&self, id: &str) -> Option<MacroRegionId> {
        self.macro_by_id.get(id).copied()
    }
    /// Looks a province up by id.
    pub fn find_province(&self, id: &str) -> Option<ProvinceId> {
        self.province_by_id.get(id).copied()
    }
    /// Looks a place up by id.
    pub fn find_place(&self, id: &str) -> Option<PlaceId> {
        self.place_by_id.get(id).copied()
    }
    /// The chain from `id` up to its prefecture or municipality, starting with `id`.
    pub fn place_ancestors(&self, id: PlaceId) -> impl Iterator<Item = PlaceId> + '_ {
        std::iter::successors(Some(id), move |p| self.place(*p).parent)
    }
    /// The prefecture-level city or municipality that contains `id` (possibly `id` itself).
    pub fn city_of(&self, id: PlaceId) -> PlaceId {
        self.place_ancestors(id)
            .find(|p| {
                matches!(
                    self.place(*p).level,
                    PlaceLevel::Municipality | PlaceLevel::Prefecture
                )
            })
            .unwrap_or(id)
    }

    /// The regions a free-text name resolves to exactly: by English or pinyin name, alias,
    /// abbreviation, or Chinese name in either script, with or without a suffix such as
    /// "Province" or 省.
    pub(crate) fn lookup(&self, text: &str) -> Option<&[RegionRef]> {
        let key = normalize(text);
        if let Some(v) = self
            .names
            .get(&key)
            .or_else(|| self.names.get(&compact(&key)))
        {
            return Some(v);
        }
        for suf in EN_SUFFIXES.iter().chain(ZH_SUFFIXES) {
            if let Some(stripped) = key.strip_suffix(suf) {
                let stripped = stripped.trim_end();
                if !stripped.is_empty() {
                    if let Some(v) = self.names.get(stripped) {
                        return Some(v);
                    }
                }
            }
        }
        None
    }

    /// Every name in the index, in alphabetical order (for fuzzy matching and suggestions).
    pub(crate) fn names(&self) -> impl Iterator<Item = (&str, &[RegionRef])> {
        self.names.iter().map(|(k, v)| (k.as_str(), v.as_slice()))
    }

    /// The display name of a region reference.
    pub fn name_of(&self, r: RegionRef) -> &str {
        match r {
            RegionRef::Macro(m) => &self.macro_region(m).name,
            RegionRef::Province(p) => &self.province(p).name,
            RegionRef::Place(p) => &self.place(p).name,
        }
    }

    pub(crate) fn from_json(file: &str, text: &str, taxonomy: &Taxonomy) -> Result<Regions> {
        let raw: RawRegions = serde_json::from_str(text).map_err(|e| Error::json(file, &e))?;
        Regions::from_raw(file, raw, taxonomy)
    }

    fn from_raw(file: &str, raw: RawRegions, taxonomy: &Taxonomy) -> Result<Regions> {
        if raw.macro_regions.len() > u8::MAX as usize || raw.provinces.len() > u8::MAX as usize {
            return Err(Error::data(
                file,
                "(file)",
                "macro_regions",
                "too many regions",
            ));
        }
        if raw.places.len() > u16::MAX as usize {
            return Err(Error::data(file, "(file)", "places", "too many places"));
        }
        let mut macro_by_id = HashMap::new();
        for (i, m) in raw.macro_regions.iter().enumerate() {
            check_id(&m.id, ID_SNAKE).map_err(|e| Error::data(file, &format!("#{i}"), "id", e))?;
            if macro_by_id
                .insert(m.id.clone(), MacroRegionId(i as u8))
                .is_some()
            {
                return Err(Error::data(file, &m.id, "id", "duplicate macro-region id"));
            }
        }
        let mut province_by_id = HashMap::new();
        let mut provinces = Vec::new();
        for (i, p) in raw.provinces.iter().enumerate() {
            let err = |f: &str, m: String| Error::data(file, &p.id, f, m);
            check_id(&p.id, ID_SNAKE).map_err(|e| Error::data(file, &format!("#{i}"), "id", e))?;
            if province_by_id
                .insert(p.id.clone(), ProvinceId(i as u8))
                .is_some()
            {
                return Err(err("id", "duplicate province id".into()));
            }
            let macro_region = *macro_by_id.get(&p.macro_region).ok_or_else(|| {
                err(
                    "macro_region",
                    format!("unknown macro-region `{}`", p.macro_region),
                )
            })?;
            if !["province", "municipality", "autonomous_region", "sar"].contains(&p.kind.as_str())
            {
                return Err(err(
                    "type",
                    format!(
                        "`{}`: expected province, municipality, autonomous_region or sar",
                        p.kind
                    ),
                ));
            }
            provinces.push(Province {
                id: p.id.clone(),
                name: p.name.clone(),
                kind: p.kind.clone(),
                zh_simplified: p.zh_simplified.clone(),
                zh_traditional: p.zh_traditional.clone(),
                macro_region,
            });
        }
        let mut macro_regions = Vec::new();
        for m in raw.macro_regions {
            let err = |f: String, msg: String| Error::data(file, &m.id, f, msg);
            let mut partial = Vec::new();
            for (i, p) in m.partial_provinces.iter().enumerate() {
                let pid = *province_by_id.get(p).ok_or_else(|| {
                    err(
                        format!("partial_provinces[{i}]"),
                        format!("unknown province `{p}`"),
                    )
                })?;
                if provinces[pid.index()].macro_region != macro_by_id[&m.id] {
                    return Err(err(
                        format!("partial_provinces[{i}]"),
                        format!("province `{p}` belongs to another macro-region"),
                    ));
                }
                partial.push(pid);
            }
            let mut strengths = Vec::new();
            for (i, s) in m.strengths.iter().enumerate() {
                strengths.push(taxonomy.find(s).ok_or_else(|| {
                    err(format!("strengths[{i}]"), format!("unknown sector `{s}`"))
                })?);
            }
            let sources = convert_sources(m.sources, "sources", &err)?;
            macro_regions.push(MacroRegion {
                id: m.id,
                name: m.name,
                abbreviation: m.abbreviation,
                coastal: m.coastal,
                partial_provinces: partial,
                strengths,
                sources,
                notes: m.notes,
            });
        }
        for (i, m) in macro_regions.iter().enumerate() {
            if !provinces.iter().any(|p| p.macro_region.index() == i) {
                return Err(Error::data(
                    file,
                    &m.id,
                    "id",
                    "no province belongs to this macro-region",
                ));
            }
        }
        let mut place_by_id = HashMap::new();
        for (i, p) in raw.places.iter().enumerate() {
            check_id(&p.id, ID_KEBAB).map_err(|e| Error::data(file, &format!("#{i}"), "id", e))?;
            if place_by_id
                .insert(p.id.clone(), PlaceId(i as u16))
                .is_some()
            {
                return Err(Error::data(file, &p.id, "id", "duplicate place id"));
            }
        }
        let mut places = Vec::new();
        for p in &raw.places {
            let err = |f: &str, m: String| Error::data(file, &p.id, f, m);
            let province = *province_by_id
                .get(&p.province)
                .ok_or_else(|| err("province", format!("unknown province `{}`", p.province)))?;
            let parent = match &p.parent {
                None => None,
                Some(q) => Some(
                    *place_by_id
                        .get(q)
                        .ok_or_else(|| err("parent", format!("unknown place `{q}`")))?,
                ),
            };
            match (p.level, parent) {
                (PlaceLevel::Municipality | PlaceLevel::Prefecture, Some(_)) => {
                    return Err(err(
                        "parent",
                        "a municipality or prefecture has no parent place".into(),
                    ))
                }
                (PlaceLevel::County | PlaceLevel::Town, None) => {
                    return Err(err(
                        "parent",
                        "a county or town needs its parent place".into(),
                    ))
                }
                _ => {}
            }
            if let Some(q) = parent {
                if raw.places[q.index()].province != p.province {
                    return Err(err(
                        "parent",
                        "the parent place lies in another province".into(),
                    ));
                }
            }
            places.push(Place {
                id: p.id.clone(),
                name: p.name.clone(),
                level: p.level,
                province,
                parent,
                zh_simplified: p.zh_simplified.clone(),
                zh_traditional: p.zh_traditional.clone(),
            });
        }
        // Parent chains are acyclic: levels strictly descend? A town may sit in a town, so
        // check by walking with a bound instead.
        for (i, p) in places.iter().enumerate() {
            let mut cur = p.parent;
            let mut steps = 0;
            while let Some(q) = cur {
                steps += 1;
                if steps > places.len() {
                    return Err(Error::data(
                        file,
                        &places[i].id,
                        "parent",
                        "parent links form a cycle",
                    ));
                }
                cur = places[q.index()].parent;
            }
        }
        let mut regions = Regions {
            macro_regions,
            provinces,
            places,
            province_by_id,
            place_by_id,
            macro_by_id,
            names: BTreeMap::new(),
        };
        let mut add = |name: &str, r: RegionRef| {
            let key = normalize(name);
            if key.is_empty() {
                return;
            }
            for k in [compact(&key), key] {
                let v = regions.names.entry(k).or_default();
                if !v.contains(&r) {
                    v.push(r);
                }
            }
        };
        for (i, m) in raw.macro_regions_names.iter().enumerate() {
            for n in m {
                add(n, RegionRef::Macro(MacroRegionId(i as u8)));
            }
        }
        for (i, p) in raw.provinces.iter().enumerate() {
            let r = RegionRef::Province(ProvinceId(i as u8));
            for n in [&p.id, &p.name, &p.zh_simplified, &p.zh_traditional]
                .into_iter()
                .chain(&p.aliases)
            {
                add(n, r);
            }
        }
        for (i, p) in raw.places.iter().enumerate() {
            let r = RegionRef::Place(PlaceId(i as u16));
            for n in [&p.id, &p.name, &p.zh_simplified, &p.zh_traditional]
                .into_iter()
                .chain(&p.aliases)
            {
                add(n, r);
            }
        }
        // A name shared by a province and its own municipality (Beijing, Shanghai, ...) means
        // the province: it is the wider of the two and holds the same partners.
        for v in regions.names.values_mut() {
            if v.iter().any(|r| matches!(r, RegionRef::Province(_))) {
                v.retain(|r| !matches!(r, RegionRef::Place(_)));
            }
            v.sort();
        }
        Ok(regions)
    }
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawRegionsFile {
    macro_regions: Vec<RawMacroRegion>,
    provinces: Vec<RawProvince>,
    places: Vec<RawPlace>,
}

/// The file with the macro-region names pulled out before the records are consumed.
struct RawRegions {
    macro_regions: Vec<RawMacroRegion>,
    macro_regions_names: Vec<Vec<String>>,
    provinces: Vec<RawProvince>,
    places: Vec<RawPlace>,
}

impl<'de> Deserialize<'de> for RawRegions {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> std::result::Result<Self, D::Error> {
        let f = RawRegionsFile::deserialize(d)?;
        let names = f
            .macro_regions
            .iter()
            .map(|m| {
                let mut v = vec![
                    m.id.clone(),
                    m.name.clone(),
                    m.zh_simplified.clone(),
                    m.zh_traditional.clone(),
                ];
                v.extend(m.abbreviation.clone());
                v.extend(m.aliases.iter().cloned());
                v
            })
            .collect();
        Ok(RawRegions {
            macro_regions: f.macro_regions,
            macro_regions_names: names,
            provinces: f.provinces,
            places: f.places,
        })
    }
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawMacroRegion {
    id: String,
    name: String,
    #[serde(default)]
    abbreviation: Option<String>,
    #[serde(default)]
    aliases: Vec<String>,
    zh_simplified: String,
    zh_traditional: String,
    coastal: bool,
    #[serde(default)]
    partial_provinces: Vec<String>,
    #[serde(default)]
    strengths: Vec<String>,
    sources: Vec<RawSource>,
    #[serde(default)]
    notes: Option<String>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawProvince {
    id: String,
    name: String,
    #[serde(rename = "type")]
    kind: String,
    zh_simplified: String,
    zh_traditional: String,
    #[serde(default)]
    aliases: Vec<String>,
    macro_region: String,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawPlace {
    id: String,
    name: String,
    level: PlaceLevel,
    province: String,
    parent: Option<String>,
    zh_simplified: String,
    zh_traditional: String,
    #[serde(default)]
    aliases: Vec<String>,
}
