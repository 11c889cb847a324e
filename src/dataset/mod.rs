//! Step 1 of the data flow: the embedded briefing data, parsed and validated once.
//!
//! Only this module reads data files. Everything it hands out has passed validation, so the
//! steps after it index by the typed ids it issues and never fail.

mod goal;
mod names;
mod partner;
mod policy;
mod quote;
mod regions;
mod source;
mod taxonomy;

pub use goal::Goal;
pub use partner::{
    Assessment, Correction, Evidence, Facts, Figure, FirmCount, Kind, Level, Partner, PartnerIndex,
    Role,
};
pub use policy::{Conditions, NoteKind, NotePeriod, PolicyNote, Programme};
pub use regions::{
    MacroRegion, MacroRegionId, Place, PlaceId, PlaceLevel, Province, ProvinceId, RegionRef,
    Regions,
};
pub use source::{Source, SourceRef};
pub use taxonomy::{Sector, SectorId, Taxonomy, Vocabulary};

use crate::text::normalize;
use crate::{Error, Result};
use partner::{RawAssessment, RawPartner, RawPartnerFile};
use policy::{RawNotePeriod, RawNotesFile, RawProgrammesFile};
pub(crate) use quote::{in_briefing, not_in_briefing};
use source::convert_source;
pub(crate) use source::{convert_sources, RawSource};
use std::collections::{HashMap, HashSet};
use std::path::Path;
use std::sync::OnceLock;

/// The version of the embedded data: the briefing's version and the data's own revision.
pub const DATA_VERSION: &str = "eccp-d3.2-v3+1";

/// The embedded data files, as `(file name, contents)`.
pub(crate) mod embedded {
    pub const TAXONOMY: (&str, &str) = (
        "data/taxonomy.json",
        include_str!("../../data/taxonomy.json"),
    );
    pub const REGIONS: (&str, &str) =
        ("data/regions.json", include_str!("../../data/regions.json"));
    pub const PARTNERS: [(&str, &str); 2] = [
        (
            "data/partners/industrial_clusters.json",
            include_str!("../../data/partners/industrial_clusters.json"),
        ),
        (
            "data/partners/organisations.json",
            include_str!("../../data/partners/organisations.json"),
        ),
    ];
    pub const PROGRAMMES: (&str, &str) = (
        "data/programmes.json",
        include_str!("../../data/programmes.json"),
    );
    pub const NOTES: (&str, &str) = (
        "data/policy_notes.json",
        include_str!("../../data/policy_notes.json"),
    );
}

pub(crate) const ID_SNAKE: char = '_';
pub(crate) const ID_KEBAB: char = '-';

/// Checks that an id is lowercase ASCII words joined by `sep`.
pub(crate) fn check_id(id: &str, sep: char) -> std::result::Result<(), String> {
    let ok = !id.is_empty()
        && id.split(sep).all(|w| {
            !w.is_empty()
                && w.bytes()
                    .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit())
        });
    if ok {
        Ok(())
    } else {
        Err(format!(
            "`{id}` is not a valid id: use lowercase letters and digits in words joined by `{sep}`"
        ))
    }
}

/// The briefing's knowledge, validated: taxonomy, regions, partners, programmes and policy
/// notes.
///
/// Get the embedded data with [`Dataset::embedded`], or build one with your own partners with
/// [`DatasetBuilder`]. A `Dataset` is immutable, `Send` and `Sync`: build it once and share it.
///
/// # Examples
///
/// ```
/// use eccp_china::{Dataset, Kind};
/// # fn main() -> Result<(), eccp_china::Error> {
/// let data = Dataset::embedded()?; // parsed and validated once, then shared
/// let clusters = data
///     .partners()
///     .iter()
///     .filter(|p| p.kind() == Kind::IndustrialCluster)
///     .count();
/// assert!(clusters >= 100); // Table 4's hundred, and those of the prose
/// let huadu = data.partner(data.find_partner("huadu-automobile").unwrap());
/// assert_eq!(huadu.name(), "Guangzhou Huadu Automobile City");
/// println!("{} cites {}", huadu.name(), huadu.sources()[0]);
/// # Ok(())
/// # }
/// ```
#[derive(Debug, Clone)]
pub struct Dataset {
    taxonomy: Taxonomy,
    regions: Regions,
    partners: Vec<Partner>,
    programmes: Vec<Programme>,
    notes: Vec<PolicyNote>,
    by_id: HashMap<String, PartnerIndex>,
    names: names::ProductNames,
    /// Per macro-region: the main fields of the clusters, parks and zones located there, each
    /// once, with the first partner (in load order) that brings it.
    hosted: Vec<Vec<(SectorId, PartnerIndex)>>,
}

impl Dataset {
    /// The embedded data, parsed and validated on first use and shared afterwards.
    ///
    /// # Errors
    ///
    /// Only if the embedded files are invalid, which the crate's tests rule out; the error is
    /// then the same on every call.
    pub fn embedded() -> Result<&'static Dataset> {
        static EMBEDDED: OnceLock<Result<Dataset>> = OnceLock::new();
        EMBEDDED
            .get_or_init(|| DatasetBuilder::new().build())
            .as_ref()
            .map_err(Clone::clone)
    }

    /// A builder starting from the embedded data.
    pub fn builder() -> DatasetBuilder {
        DatasetBuilder::new()
    }

    /// The sector taxonomy.
    pub fn taxonomy(&self) -> &Taxonomy {
        &self.taxonomy
    }
    /// Macro-regions, provinces and places.
    pub fn regions(&self) -> &Regions {
        &self.regions
    }
    /// All partners, in load order (embedded files first, then user files).
    pub fn partners(&self) -> &[Partner] {
        &self.partners
    }
    /// A partner by index.
    pub fn partner(&self, i: PartnerIndex) -> &Partner {
        &self.partners[i.index()]
    }
    /// Looks a partner up by id.
    pub fn find_partner(&self, id: &str) -> Option<PartnerIndex> {
        self.by_id.get(id).copied()
    }
    /// EU-China programmes.
    pub fn programmes(&self) -> &[Programme] {
        &self.programmes
    }
    /// Policy notes.
    pub fn policy_notes(&self) -> &[PolicyNote] {
        &self.notes
    }
    /// The macro-region of a partner (through its province), `None` for national bodies.
    pub fn macro_region_of(&self, p: &Partner) -> Option<MacroRegionId> {
        p.province
            .map(|pr| self.regions.province(pr).macro_region())
    }
    /// The industrial clusters whose name (or an alias) names `phrase` as their product,
    /// ascending: the words of the phrase in a row, in the singular, place names left out on
    /// both sides.
    pub(crate) fn partners_named(&self, phrase: &str) -> Vec<PartnerIndex> {
        self.names.partners_named(phrase, &self.regions)
    }
    /// The main fields of the industrial clusters, science parks and economic zones located in
    /// a macro-region, each with the first partner that brings it: the briefing's own map of
    /// where each field's clusters are (Table 4, section 3.2), beside the strengths its prose
    /// names ([`MacroRegion::strengths`]).
    pub fn fields_hosted(&self, m: MacroRegionId) -> &[(SectorId, PartnerIndex)] {
        self.hosted.get(m.index()).map_or(&[], Vec::as_slice)
    }
    /// The prefecture-level city or municipality of a partner, `None` when it has no place.
    pub fn city_of(&self, p: &Partner) -> Option<PlaceId> {
        p.place.map(|pl| self.regions.city_of(pl))
    }
}

/// Builds a [`Dataset`] from the embedded files plus a user's own partner files.
///
/// A user file has the format of the embedded `data/partners/*.json` (the crate's
/// `data/README.md` describes every field): `{"partners": [ ... ]}`, each record with
///
/// - `id`: lowercase letters and digits in words joined by `-`; `kind`: one of [`Kind`]'s
///   names (`industrial_cluster`, `science_park`, `association`, ...); `name`, and optionally
///   `aliases`, `chinese_name` and `websites`;
/// - `province` and `place`: ids of [`Regions`] (`guangdong`, `guangzhou`), the place inside
///   the province; both omitted for a national body;
/// - `sectors`: ids of the [`Taxonomy`], at least one, the main field first;
/// - `formal_organisation`: whether an organisation speaks for it (true for every kind but
///   clusters, parks and zones);
/// - `sources`, at least one. A source in the briefing is `{"ref": "Section 3.2", "quote":
///   "..."}` (or `Table 1`-`4`, `Figure 1`-`3`, `Footnote 1`-`62`; a `Table 4` source adds
///   its `"row"`), and its quote must be the briefing's own words: [`build`](Self::build)
///   checks it against the briefing's text. Any other source is `{"ref": "External:
///   <citation>"}`, and every output (text, JSON, HTML, CSV) shows it as `External:
///   <citation>`, so that it never passes for the briefing;
/// - optionally `tech`, `control` or `role` to override the kind's default with a basis, and
///   `case_study`, `part_of`, `facts`, `corrections` and `notes`.
///
/// A record whose id is already loaded replaces that record (to correct it); a new id adds a
/// partner. Then the whole set is validated as one, and errors name the file, the record and
/// the field.
///
/// # Examples
///
/// A cluster the user knows from outside the briefing, read from bytes (a file or a pipe
/// reads the same way) and ranked for an e-mobility profile:
///
/// ```
/// use eccp_china::{Dataset, Options, Profile, Recommender};
///
/// # fn main() -> eccp_china::Result<()> {
/// let mine: &[u8] = br#"{"partners": [{
///     "id": "guangzhou-ev-alliance",
///     "kind": "industrial_cluster",
///     "name": "Guangzhou e-mobility alliance",
///     "province": "guangdong",
///     "place": "guangzhou",
///     "sectors": ["electric_vehicles", "automotive"],
///     "formal_organisation": true,
///     "sources": [{"ref": "External: the alliance's member list, 2024"}]
/// }]}"#;
/// let data = Dataset::builder()
///     .partners_reader("mine.json", mine)?
///     .build()?;
///
/// let profile = Profile::from_json(
///     r#"{"name": "Bavarian e-mobility cluster", "country": "DE",
///         "sectors": ["electric vehicles"], "preferred_regions": ["Pearl River Delta"]}"#,
/// )?;
/// let recs = Recommender::new(data).recommend_profile(&profile, &Options::default())?;
/// let ours = recs
///     .matches
///     .iter()
///     .find(|m| m.id == "guangzhou-ev-alliance")
///     .expect("among the top ten");
/// // What the record says of itself cites its own source, marked as external.
/// assert!(ours
///     .reasons
///     .iter()
///     .any(|r| r.source == "External: the alliance's member list, 2024"));
/// # Ok(())
/// # }
/// ```
///
/// A quote that cites the briefing with words it does not hold is refused:
///
/// ```
/// use eccp_china::{Dataset, Error};
///
/// let invented = r#"{"partners": [{
///     "id": "guangzhou-ev-alliance", "kind": "industrial_cluster",
///     "name": "Guangzhou e-mobility alliance", "province": "guangdong",
///     "sectors": ["electric_vehicles"], "formal_organisation": true,
///     "sources": [{"ref": "Section 3.2", "quote": "the best e-mobility cluster in China"}]
/// }]}"#;
/// match Dataset::builder().partners_json("mine.json", invented).build() {
///     Err(Error::Data { record, field, message, .. }) => {
///         assert_eq!((record.as_str(), field.as_str()), ("guangzhou-ev-alliance", "sources[0].quote"));
///         assert!(message.contains("the best e-mobility cluster in China"));
///     }
///     _ => panic!("an invented quote is an error"),
/// }
/// ```
#[derive(Debug, Clone)]
pub struct DatasetBuilder {
    embedded_partners: bool,
    extra: Vec<(String, UserFile)>,
    /// A user's own policy notes files: name and text.
    notes: Vec<(String, String)>,
}

/// A user's partner file: text to parse at build, or records parsed as they were read.
#[derive(Debug, Clone)]
enum UserFile {
    Text(String),
    Parsed(RawPartnerFile),
}

impl Default for DatasetBuilder {
    fn default() -> Self {
        DatasetBuilder::new()
    }
}

impl DatasetBuilder {
    /// Starts from the embedded files.
    pub fn new() -> DatasetBuilder {
        DatasetBuilder {
            embedded_partners: true,
            extra: Vec::new(),
            notes: Vec::new(),
        }
    }

    /// Leaves out the embedded partners, keeping the embedded taxonomy, regions, programmes
    /// and notes: the partners are then only those of the files you add.
    pub fn without_embedded_partners(mut self) -> DatasetBuilder {
        self.embedded_partners = false;
        self
    }

    /// Adds a partner file given as a string; `name` is used in error messages. The text is
    /// parsed by [`DatasetBuilder::build`].
    pub fn partners_json(
        mut self,
        name: impl Into<String>,
        json: impl Into<String>,
    ) -> DatasetBuilder {
        self.extra.push((name.into(), UserFile::Text(json.into())));
        self
    }

    /// Adds a partner file read from `reader` (a file, a pipe, a network stream): it is parsed
    /// as it is read, at most [`limits::PARTNER_FILE_BYTES`](crate::limits::PARTNER_FILE_BYTES),
    /// so that a stream that is not a partner file fails at its first bad byte. `name` is used
    /// in error messages. A leading byte-order mark is ignored.
    ///
    /// # Errors
    ///
    /// [`Error::Io`] if the reader fails or holds more than the cap; [`Error::Json`] for text
    /// that is not a well-formed partner file.
    pub fn partners_reader(
        mut self,
        name: impl Into<String>,
        reader: impl std::io::Read,
    ) -> Result<DatasetBuilder> {
        use std::io::BufRead;
        let name = name.into();
        let capped = crate::limits::Capped::new(reader, crate::limits::PARTNER_FILE_BYTES);
        let mut buffered = std::io::BufReader::new(capped);
        let io = |e: std::io::Error| Error::io(name.clone(), e);
        if buffered
            .fill_buf()
            .map_err(io)?
            .starts_with(b"\xEF\xBB\xBF")
        {
            buffered.consume(3);
        }
        let mut de = serde_json::Deserializer::from_reader(buffered);
        let parsed: RawPartnerFile = serde_path_to_error::deserialize(&mut de).map_err(|e| {
            if e.inner().is_io() {
                Error::io(name.clone(), std::io::Error::from(e.into_inner()))
            } else {
                Error::json_at(&name, e)
            }
        })?;
        // Text after the value (a second object, stray characters) is an error too.
        de.end().map_err(|e| Error::json(&name, &e))?;
        self.extra.push((name, UserFile::Parsed(parsed)));
        Ok(self)
    }

    /// Adds a partner file from disk (see [`DatasetBuilder::partners_reader`]).
    ///
    /// # Errors
    ///
    /// [`Error::Io`] if the file cannot be opened or read or is over the cap; [`Error::Json`]
    /// for text that is not a well-formed partner file.
    pub fn partners_file(self, path: impl AsRef<Path>) -> Result<DatasetBuilder> {
        let (name, file) = open(path.as_ref())?;
        self.partners_reader(name, file)
    }

    /// Adds a file of your own policy notes, in the format of `data/policy_notes.json`
    /// (`{"notes": [...]}`: an id, `caution`, `opening` or `demand`, a title, a text, the
    /// conditions under which it applies, its sources, and optionally the `period` its claim
    /// holds for, as `data/README.md` describes). Newer notes than the briefing's
    /// flow into the risks and openings of the matches they apply to, like the briefing's
    /// own; a source outside the briefing is written `"External: ..."` and shown as such.
    /// They are validated by [`DatasetBuilder::build`] as the embedded notes are, and their
    /// quotes that cite the briefing must be its words. A leading byte-order mark is ignored,
    /// as in partner files.
    ///
    /// # Examples
    ///
    /// ```
    /// use eccp_china::{Dataset, Options, Profile, Recommender};
    /// # fn main() -> eccp_china::Result<()> {
    /// let notes: &[u8] = br#"{"notes": [{
    ///     "id": "eu_fdi_screening_2025", "kind": "caution",
    ///     "title": "EU foreign-investment screening",
    ///     "text": "Chinese equity in EU automotive firms is now screened; plan joint ventures accordingly.",
    ///     "applies_when": {"sectors": ["automotive"], "topics": [], "kinds": [],
    ///                      "macro_regions": [], "min_control": null, "no_formal_organisation": false},
    ///     "strength": null,
    ///     "sources": [{"ref": "External: our 2025 legal briefing"}]
    /// }]}"#;
    /// let rec = Recommender::new(Dataset::builder().notes_reader("mine.json", notes)?.build()?);
    /// let p = Profile::builder("Cars", "DE").sector("automotive").build()?;
    /// let recs = rec.recommend_profile(&p, &Options::default())?;
    /// assert!(recs.matches[0].risks.iter().any(|r| r.id == "eu_fdi_screening_2025"
    ///     && r.source == "External: our 2025 legal briefing"));
    /// # Ok(())
    /// # }
    /// ```
    ///
    /// # Errors
    ///
    /// [`Error::Io`] if the reader fails, holds text that is not UTF-8 or more than the
    /// partner-file cap.
    pub fn notes_reader(
        mut self,
        name: impl Into<String>,
        reader: impl std::io::Read,
    ) -> Result<DatasetBuilder> {
        let name = name.into();
        let text = crate::limits::read_text(reader, crate::limits::PARTNER_FILE_BYTES)
            .map_err(|e| Error::io(name.clone(), e))?;
        self.notes.push((name, text));
        Ok(self)
    }

    /// Adds a policy notes file from disk (see [`DatasetBuilder::notes_reader`]).
    ///
    /// # Errors
    ///
    /// As [`DatasetBuilder::notes_reader`], and [`Error::Io`] if the file cannot be opened.
    pub fn notes_file(self, path: impl AsRef<Path>) -> Result<DatasetBuilder> {
        let (name, file) = open(path.as_ref())?;
        self.notes_reader(name, file)
    }

    /// Parses and validates everything.
    ///
    /// # Errors
    ///
    /// [`Error::Json`] for a file that is not well-formed or has unknown or missing fields;
    /// [`Error::Data`] naming file, record and field for a broken invariant: duplicate or
    /// malformed ids, unknown sector, province or place, a place outside the record's
    /// province, a dangling `part_of`, a missing source or quote, an override equal to the
    /// kind's default, two records for one entity (same name or website), a note's `period`
    /// with a date that is not `YYYY` or `YYYY-MM`, an end before its start or a quote that
    /// does not write its years, and, in the files
    /// you add, a quote citing the briefing that is not its words (runs of whitespace,
    /// typographic quotes, dashes and footnote markers aside; the message shows the quote and
    /// where it departs from the briefing). The embedded files' quotes are checked by the
    /// crate's tests rather than at every load, where checking them would take several
    /// times as long as the load itself.
    pub fn build(self) -> Result<Dataset> {
        let taxonomy = Taxonomy::from_json(embedded::TAXONOMY.0, embedded::TAXONOMY.1)?;
        let regions = Regions::from_json(embedded::REGIONS.0, embedded::REGIONS.1, &taxonomy)?;
        let mut raws: Vec<Read> = Vec::new();
        // Where each id already loaded sits in `raws`: a user file corrects it in place.
        let mut at: HashMap<String, usize> = HashMap::new();
        let mut files: Vec<(String, UserFile)> = Vec::new();
        if self.embedded_partners {
            files.extend(
                embedded::PARTNERS
                    .iter()
                    .map(|(n, t)| (n.to_string(), UserFile::Text(t.to_string()))),
            );
        }
        let first_user_file = files.len();
        files.extend(self.extra);
        for (fi, (name, file)) in files.into_iter().enumerate() {
            let name = &name;
            let f: RawPartnerFile = match file {
                UserFile::Parsed(f) => f,
                UserFile::Text(text) => {
                    if text.len() > crate::limits::PARTNER_FILE_BYTES {
                        return Err(Error::io(
                            name.clone(),
                            crate::limits::over(crate::limits::PARTNER_FILE_BYTES as u64),
                        ));
                    }
                    let text = text.strip_prefix('\u{feff}').unwrap_or(&text);
                    let mut de = serde_json::Deserializer::from_str(text);
                    let f = serde_path_to_error::deserialize(&mut de)
                        .map_err(|e| Error::json_at(name, e))?;
                    de.end().map_err(|e| Error::json(name, &e))?;
                    f
                }
            };
            let mut seen_here = HashSet::new();
            for p in f.partners {
                if !seen_here.insert(p.id.clone()) {
                    return Err(Error::data(name, &p.id, "id", "duplicate id in this file"));
                }
                let read = Read {
                    file: name.clone(),
                    from_user: fi >= first_user_file,
                    raw: p,
                };
                match at.get(&read.raw.id).copied() {
                    // A user file corrects an earlier record with the same id.
                    Some(i) if read.from_user => raws[i] = read,
                    Some(i) => {
                        return Err(Error::data(
                            name,
                            &read.raw.id,
                            "id",
                            format!("duplicate id: also in {}", raws[i].file),
                        ))
                    }
                    None => {
                        at.insert(read.raw.id.clone(), raws.len());
                        raws.push(read);
                    }
                }
            }
        }
        let partners = convert_partners(raws, &taxonomy, &regions)?;
        let by_id = partners
            .iter()
            .enumerate()
            .map(|(i, p)| (p.id.clone(), PartnerIndex(i as u32)))
            .collect();
        let programmes = convert_programmes(embedded::PROGRAMMES, &taxonomy)?;
        let mut notes = convert_notes(embedded::NOTES, &taxonomy, &regions)?;
        for (name, text) in &self.notes {
            for n in convert_notes((name, text), &taxonomy, &regions)? {
                if notes.iter().any(|x| x.id == n.id) {
                    return Err(Error::data(
                        name,
                        &n.id,
                        "id",
                        "a note with this id is already loaded; give yours an id of its own",
                    ));
                }
                let period = n
                    .period
                    .iter()
                    .map(|w| ("period.source.quote".to_string(), &w.source));
                let sources = n
                    .sources
                    .iter()
                    .enumerate()
                    .map(|(i, s)| (format!("sources[{i}].quote"), s))
                    .chain(period);
                for (field, s) in sources {
                    if let (true, Some(q)) = (s.reference.is_briefing(), s.quote.as_deref()) {
                        if !quote::in_briefing(q) {
                            return Err(Error::data(name, &n.id, field, quote::not_in_briefing(q)));
                        }
                    }
                }
                notes.push(n);
            }
        }
        let names = names::ProductNames::new(&partners, &regions);
        let mut hosted: Vec<Vec<(SectorId, PartnerIndex)>> =
            vec![Vec::new(); regions.macro_regions().len()];
        for (i, p) in partners.iter().enumerate() {
            let located = matches!(
                p.kind,
                Kind::IndustrialCluster | Kind::SciencePark | Kind::EconomicZone
            );
            if let (true, Some(pr), Some(main)) = (located, p.province, p.sectors.first()) {
                let list = &mut hosted[regions.province(pr).macro_region().index()];
                if !list.iter().any(|(s, _)| s == main) {
                    list.push((*main, PartnerIndex(i as u32)));
                }
            }
        }
        Ok(Dataset {
            taxonomy,
            regions,
            partners,
            programmes,
            notes,
            by_id,
            names,
            hosted,
        })
    }
}

/// The why of an override of a kind's default: a one-line basis, a source, and the
/// briefing's words about the record or the admission that the data infers it.
fn convert_basis(
    raw: partner::RawBasis,
    field: &str,
    err: &dyn Fn(String, String) -> Error,
) -> Result<partner::Basis> {
    if raw.basis.trim().is_empty() {
        return Err(err(
            format!("{field}.basis"),
            "an override needs a one-line basis".into(),
        ));
    }
    let src = SourceRef::parse(&raw.source).map_err(|m| err(format!("{field}.source"), m))?;
    // A value read from the briefing quotes its words about the record; a value the
    // briefing does not state says so. An external source is its own citation.
    let quote = raw.quote.filter(|q| !q.trim().is_empty());
    match (&src, &quote, raw.inferred) {
        (_, Some(_), true) => {
            return Err(err(
                format!("{field}.inferred"),
                "an override is either quoted or inferred, not both: drop `quote` or `inferred`"
                    .into(),
            ))
        }
        (SourceRef::External(_), _, _) | (_, Some(_), false) | (_, None, true) => {}
        (_, None, false) => {
            return Err(err(
                format!("{field}.quote"),
                "an override resting on the briefing quotes its words about this record; \
                 if the briefing does not state it, set `\"inferred\": true`"
                    .into(),
            ))
        }
    }
    Ok(partner::Basis {
        text: raw.basis,
        source: src,
        quote,
        inferred: raw.inferred,
    })
}

fn convert_assessment(
    raw: Option<RawAssessment>,
    default: Level,
    field: &str,
    err: &dyn Fn(String, String) -> Error,
) -> Result<Assessment> {
    match raw {
        None => Ok(Assessment {
            level: default,
            basis: None,
        }),
        Some(a) => {
            if a.level == default {
                return Err(err(
                    format!("{field}.level"),
                    format!("`{}` is the kind's default; remove the override", a.level),
                ));
            }
            Ok(Assessment {
                level: a.level,
                basis: Some(convert_basis(
                    partner::RawBasis {
                        basis: a.basis,
                        source: a.source,
                        quote: a.quote,
                        inferred: a.inferred,
                    },
                    field,
                    err,
                )?),
            })
        }
    }
}

/// A website without scheme, `www.` and trailing slash, for duplicate detection.
fn website_key(w: &str) -> String {
    let w = w.trim().to_ascii_lowercase();
    let w = w
        .trim_start_matches("http://")
        .trim_start_matches("https://");
    let w = w.trim_start_matches("www.");
    w.trim_end_matches('/')
        .trim_end_matches("/index.html")
        .to_string()
}

/// A partner record as read, with the file it came from.
struct Read {
    file: String,
    /// From a file the user added, whose briefing quotes are checked at load (the embedded
    /// files' are checked by the crate's tests).
    from_user: bool,
    raw: RawPartner,
}

/// A user's file, opened, with the name its errors give it.
fn open(path: &Path) -> Result<(String, std::fs::File)> {
    let name = path.display().to_string();
    let file = std::fs::File::open(path).map_err(|e| Error::io(name.clone(), e))?;
    Ok((name, file))
}

/// For a record of a user's file: every quote that cites the briefing (a source's, or an
/// override's) is the briefing's words under [`quote::in_briefing`]'s rule.
fn check_quotes(p: &Partner, err: &dyn Fn(String, String) -> Error) -> Result<()> {
    let overrides = [
        ("tech", p.tech.basis.as_ref()),
        ("control", p.control.basis.as_ref()),
        ("role", p.role_basis.as_ref()),
    ]
    .into_iter()
    .filter_map(|(f, b)| b.map(|b| (format!("{f}.quote"), &b.source, b.quote.as_deref())));
    let sources = p.sources.iter().enumerate().map(|(i, s)| {
        (
            format!("sources[{i}].quote"),
            &s.reference,
            s.quote.as_deref(),
        )
    });
    for (field, reference, q) in sources.chain(overrides) {
        if let (true, Some(q)) = (reference.is_briefing(), q) {
            if !quote::in_briefing(q) {
                return Err(err(field, quote::not_in_briefing(q)));
            }
        }
    }
    Ok(())
}

fn convert_partners(
    raws: Vec<Read>,
    taxonomy: &Taxonomy,
    regions: &Regions,
) -> Result<Vec<Partner>> {
    if raws.len() > u32::MAX as usize {
        return Err(Error::data(
            "(partners)",
            "(all)",
            "partners",
            "too many partners",
        ));
    }
    let index: HashMap<String, usize> = raws
        .iter()
        .enumerate()
        .map(|(i, r)| (r.raw.id.clone(), i))
        .collect();
    let mut names: HashMap<String, String> = HashMap::new();
    let mut websites: HashMap<String, String> = HashMap::new();
    let mut rows: HashMap<u16, String> = HashMap::new();
    let mut out = Vec::with_capacity(raws.len());
    for Read {
        file,
        from_user,
        raw: p,
    } in raws
    {
        let file = file.as_str();
        let id = p.id.clone();
        let err = |f: String, m: String| Error::data(file, &id, f, m);
        check_id(&p.id, ID_KEBAB).map_err(|m| err("id".into(), m))?;
        let kind = Kind::parse(&p.kind).ok_or_else(|| {
            let all: Vec<&str> = Kind::ALL.iter().map(|k| k.as_str()).collect();
            err(
                "kind".into(),
                format!("`{}` is not a kind; kinds are {}", p.kind, all.join(", ")),
            )
        })?;
        if p.name.trim().is_empty() {
            return Err(err("name".into(), "empty name".into()));
        }
        // What output shows (terminals, spreadsheets, XML) holds no control characters.
        let shown = std::iter::once(("name".to_string(), &p.name))
            .chain(
                p.aliases
                    .iter()
                    .enumerate()
                    .map(|(i, a)| (format!("aliases[{i}]"), a)),
            )
            .chain(
                p.websites
                    .iter()
                    .enumerate()
                    .map(|(i, w)| (format!("websites[{i}]"), w)),
            )
            .chain(
                p.chinese_name
                    .iter()
                    .map(|c| ("chinese_name".to_string(), c)),
            );
        for (f, text) in shown {
            if let Some(c) = text.chars().find(|c| c.is_control()) {
                return Err(err(
                    f,
                    format!(
                        "contains a control character (U+{:04X}); remove it",
                        u32::from(c)
                    ),
                ));
            }
        }
        for (f, n) in std::iter::once(("name".to_string(), &p.name)).chain(
            p.aliases
                .iter()
                .enumerate()
                .map(|(i, a)| (format!("aliases[{i}]"), a)),
        ) {
            let key = normalize(n);
            if let Some(other) = names.insert(key, id.clone()) {
                if other != id {
                    return Err(err(
                        f,
                        format!("`{n}` also names `{other}`: one entity, one record"),
                    ));
                }
            }
        }
        let province = match &p.province {
            None => None,
            Some(pr) => Some(
                regions
                    .find_province(pr)
                    .ok_or_else(|| err("province".into(), format!("unknown province `{pr}`")))?,
            ),
        };
        let place = match &p.place {
            None => None,
            Some(pl) => {
                let pid = regions
                    .find_place(pl)
                    .ok_or_else(|| err("place".into(), format!("unknown place `{pl}`")))?;
                let place_prov = regions.place(pid).province();
                match province {
                    Some(pr) if pr == place_prov => {}
                    Some(pr) => {
                        return Err(err(
                            "place".into(),
                            format!(
                                "`{pl}` lies in {}, not in {}",
                                regions.province(place_prov).id(),
                                regions.province(pr).id()
                            ),
                        ))
                    }
                    None => {
                        return Err(err(
                            "province".into(),
                            format!("a record with a place (`{pl}`) needs its province"),
                        ))
                    }
                }
                Some(pid)
            }
        };
        if p.sectors.is_empty() {
            return Err(err(
                "sectors".into(),
                "at least one sector is needed".into(),
            ));
        }
        let mut sectors = Vec::with_capacity(p.sectors.len());
        for (i, s) in p.sectors.iter().enumerate() {
            let sid = taxonomy.find(s).ok_or_else(|| {
                Error::data(
                    file,
                    &id,
                    format!("sectors[{i}]"),
                    format!(
                        "unknown sector `{s}`{}",
                        suggest_suffix(&crate::text::closest(
                            s,
                            taxonomy.sectors().iter().map(|x| x.id()),
                            3
                        ))
                    ),
                )
            })?;
            if sectors.contains(&sid) {
                return Err(err(
                    format!("sectors[{i}]"),
                    format!("`{s}` is listed twice"),
                ));
            }
            sectors.push(sid);
        }
        let tech = convert_assessment(p.tech, kind.default_tech(), "tech", &err)?;
        let (role, role_basis) = match p.role {
            None => (kind.role(), None),
            Some(r) if r.role == kind.role() => {
                return Err(err(
                    "role.role".into(),
                    format!(
                        "`{}` is the role of every `{kind}`; remove the override",
                        r.role.as_str()
                    ),
                ))
            }
            Some(r) => {
                let why = partner::RawBasis {
                    basis: r.basis,
                    source: r.source,
                    quote: r.quote,
                    inferred: r.inferred,
                };
                (r.role, Some(convert_basis(why, "role", &err)?))
            }
        };
        let control = convert_assessment(p.control, kind.default_control(), "control", &err)?;
        if kind.is_organisation() && !p.formal_organisation {
            return Err(err(
                "formal_organisation".into(),
                format!("a partner of kind `{kind}` is an organisation: formal_organisation must be true"),
            ));
        }
        let part_of = match &p.part_of {
            None => None,
            Some(q) if *q == id => {
                return Err(err(
                    "part_of".into(),
                    "a partner cannot be part of itself".into(),
                ))
            }
            Some(q) => Some(PartnerIndex(
                *index
                    .get(q)
                    .ok_or_else(|| err("part_of".into(), format!("unknown partner `{q}`")))?
                    as u32,
            )),
        };
        if let Some(y) = p.facts.established {
            if !(1949..=2018).contains(&y) {
                return Err(err(
                    "facts.established".into(),
                    format!("{y} is outside 1949-2018, the span the briefing covers"),
                ));
            }
        }
        for (i, f) in p.facts.figures.iter().enumerate() {
            if !f.amount.is_finite() || f.what.trim().is_empty() || f.unit.trim().is_empty() {
                return Err(err(
                    format!("facts.figures[{i}]"),
                    "a figure needs `what`, a finite `amount` and a `unit`".into(),
                ));
            }
        }
        for (i, w) in p.websites.iter().enumerate() {
            let key = website_key(w);
            if key.is_empty() {
                return Err(err(format!("websites[{i}]"), "empty website".into()));
            }
            if let Some(other) = websites.insert(key, id.clone()) {
                if other != id {
                    return Err(err(
                        format!("websites[{i}]"),
                        format!("`{w}` is also the website of `{other}`: one entity, one record"),
                    ));
                }
            }
        }
        let sources = convert_sources(p.sources, "sources", &err)?;
        if sources.is_empty() {
            return Err(err(
                "sources".into(),
                "a record needs at least one source".into(),
            ));
        }
        for (i, s) in sources.iter().enumerate() {
            if let Some(r) = s.row {
                if let Some(other) = rows.insert(r, id.clone()) {
                    if other != id {
                        return Err(err(
                            format!("sources[{i}].row"),
                            format!("Table 4 row {r} is already the source of `{other}`"),
                        ));
                    }
                }
            }
        }
        for (i, c) in p.corrections.iter().enumerate() {
            if c.field.trim().is_empty()
                || c.printed.trim().is_empty()
                || c.corrected.trim().is_empty()
                || c.reason.trim().is_empty()
            {
                return Err(err(
                    format!("corrections[{i}]"),
                    "a correction needs field, printed, corrected and reason".into(),
                ));
            }
        }
        let partner = Partner {
            id: p.id,
            kind,
            name: p.name,
            aliases: p.aliases,
            chinese_name: p.chinese_name,
            province,
            place,
            sectors,
            tech,
            control,
            formal_organisation: p.formal_organisation,
            case_study: p.case_study,
            role,
            role_basis,
            evidence: Evidence::of(p.case_study, &sources),
            part_of,
            facts: p.facts,
            websites: p.websites,
            sources,
            corrections: p.corrections,
            notes: p.notes,
            file: file.to_string(),
        };
        if from_user {
            check_quotes(&partner, &err)?;
        }
        out.push(partner);
    }
    // `part_of` chains must end. Each record is walked once: a walk stops at a record whose
    // chain is known to end, and meeting a record of the walk itself is a cycle (linear in
    // the records, where following every chain from its start is quadratic in a long one).
    const NEW: u8 = 0;
    const ON_PATH: u8 = 1;
    const ENDS: u8 = 2;
    let mut state = vec![NEW; out.len()];
    let mut path: Vec<usize> = Vec::new();
    for start in 0..out.len() {
        let mut cur = Some(start);
        while let Some(i) = cur {
            match state[i] {
                ENDS => break,
                ON_PATH => {
                    // The cycle is the walk from `i` on; name its first record in file order.
                    let at = path.iter().position(|x| *x == i).unwrap_or(0);
                    let cycle = &path[at..];
                    let first = cycle.iter().copied().min().unwrap_or(i);
                    let from = cycle.iter().position(|x| *x == first).unwrap_or(0);
                    let ids: Vec<&str> = cycle[from..]
                        .iter()
                        .chain(&cycle[..from])
                        .chain(std::iter::once(&first))
                        .map(|x| out[*x].id.as_str())
                        .collect();
                    return Err(Error::data(
                        &out[first].file,
                        &out[first].id,
                        "part_of",
                        format!("part_of links form a cycle: {}", ids.join(" -> ")),
                    ));
                }
                _ => {
                    state[i] = ON_PATH;
                    path.push(i);
                    cur = out[i].part_of.map(|q| q.index());
                }
            }
        }
        for i in path.drain(..) {
            state[i] = ENDS;
        }
    }
    Ok(out)
}

fn suggest_suffix(s: &[String]) -> String {
    if s.is_empty() {
        String::new()
    } else {
        format!("; closest: {}", s.join(", "))
    }
}

fn convert_sector_list(
    list: &[String],
    field: &str,
    taxonomy: &Taxonomy,
    err: &dyn Fn(String, String) -> Error,
) -> Result<Vec<SectorId>> {
    list.iter()
        .enumerate()
        .map(|(i, s)| {
            taxonomy
                .find(s)
                .ok_or_else(|| err(format!("{field}[{i}]"), format!("unknown sector `{s}`")))
        })
        .collect()
}

fn check_unique_id(
    seen: &mut HashSet<String>,
    id: &str,
    err: &dyn Fn(String, String) -> Error,
) -> Result<()> {
    check_id(id, ID_SNAKE).map_err(|m| err("id".into(), m))?;
    if !seen.insert(id.to_string()) {
        return Err(err("id".into(), "duplicate id".into()));
    }
    Ok(())
}

fn convert_programmes((file, text): (&str, &str), taxonomy: &Taxonomy) -> Result<Vec<Programme>> {
    let raw: RawProgrammesFile = serde_json::from_str(text).map_err(|e| Error::json(file, &e))?;
    let mut seen = HashSet::new();
    let mut out = Vec::new();
    const KINDS: &[&str] = &[
        "eu_china_project",
        "funding",
        "policy_dialogue",
        "chinese_programme",
        "eu_programme",
    ];
    for p in raw.programmes {
        let id = p.id.clone();
        let err = |f: String, m: String| Error::data(file, &id, f, m);
        check_unique_id(&mut seen, &p.id, &err)?;
        if !KINDS.contains(&p.kind.as_str()) {
            return Err(err(
                "kind".into(),
                format!("`{}`: expected one of {}", p.kind, KINDS.join(", ")),
            ));
        }
        let sectors = convert_sector_list(&p.sectors, "sectors", taxonomy, &err)?;
        let mut goals = Vec::new();
        for (i, g) in p.goals.iter().enumerate() {
            goals.push(
                Goal::parse(g)
                    .ok_or_else(|| err(format!("goals[{i}]"), format!("unknown goal `{g}`")))?,
            );
        }
        let (period, window) = match p.period {
            None => (None, None),
            Some(r) => {
                let first = year_month("period.start", &r.start, true, &err)?;
                let last = match &r.end {
                    Some(e) => Some(year_month("period.end", e, false, &err)?),
                    None => None,
                };
                if last.is_some_and(|l| l < first) {
                    return Err(err(
                        "period.end".into(),
                        "the period ends before it starts".into(),
                    ));
                }
                (Some((r.start, r.end)), Some((first, last)))
            }
        };
        let sources = convert_sources(p.sources, "sources", &err)?;
        if sources.is_empty() {
            return Err(err(
                "sources".into(),
                "a programme needs at least one source".into(),
            ));
        }
        out.push(Programme {
            id: p.id,
            name: p.name,
            kind: p.kind,
            period,
            window,
            sectors,
            goals,
            description: p.description,
            websites: p.websites,
            sources,
        });
    }
    Ok(out)
}

/// A date of a window as written (`YYYY` or `YYYY-MM`, nothing around it): its first month
/// when `first` (a start), its last otherwise (an end).
fn year_month(
    field: &str,
    v: &str,
    first: bool,
    err: &dyn Fn(String, String) -> Error,
) -> Result<crate::date::YearMonth> {
    let parse = if first {
        crate::date::YearMonth::parse_first
    } else {
        crate::date::YearMonth::parse
    };
    parse(v).filter(|_| v.trim() == v).ok_or_else(|| {
        err(
            field.into(),
            format!(
                "`{v}` is not a date: write the year the briefing gives as YYYY, or a month as YYYY-MM"
            ),
        )
    })
}

fn convert_notes(
    (file, text): (&str, &str),
    taxonomy: &Taxonomy,
    regions: &Regions,
) -> Result<Vec<PolicyNote>> {
    let raw: RawNotesFile = serde_json::from_str(text).map_err(|e| Error::json(file, &e))?;
    let mut seen = HashSet::new();
    let mut out = Vec::new();
    for n in raw.notes {
        let id = n.id.clone();
        let err = |f: String, m: String| Error::data(file, &id, f, m);
        check_unique_id(&mut seen, &n.id, &err)?;
        if n.title.trim().is_empty() || n.text.trim().is_empty() {
            return Err(err("text".into(), "a note needs a title and a text".into()));
        }
        let c = n.applies_when;
        let sectors = convert_sector_list(&c.sectors, "applies_when.sectors", taxonomy, &err)?;
        let mut kinds = Vec::new();
        for (i, k) in c.kinds.iter().enumerate() {
            kinds.push(Kind::parse(k).ok_or_else(|| {
                err(
                    format!("applies_when.kinds[{i}]"),
                    format!("unknown kind `{k}`"),
                )
            })?);
        }
        let mut macro_regions = Vec::new();
        for (i, m) in c.macro_regions.iter().enumerate() {
            macro_regions.push(regions.find_macro_region(m).ok_or_else(|| {
                err(
                    format!("applies_when.macro_regions[{i}]"),
                    format!("unknown macro-region `{m}`"),
                )
            })?);
        }
        let topics: Vec<String> = c.topics.iter().map(|t| normalize(t)).collect();
        if let Some(i) = topics.iter().position(String::is_empty) {
            return Err(err(
                format!("applies_when.topics[{i}]"),
                "empty topic".into(),
            ));
        }
        match (n.kind, n.strength) {
            (NoteKind::Demand, None) => {
                return Err(err(
                    "strength".into(),
                    "a demand note needs a strength (medium or high)".into(),
                ))
            }
            (NoteKind::Demand, Some(Level::Low)) => {
                return Err(err(
                    "strength".into(),
                    "a demand note's strength is medium or high".into(),
                ))
            }
            (NoteKind::Caution | NoteKind::Opening, Some(_)) => {
                return Err(err(
                    "strength".into(),
                    "only demand notes have a strength".into(),
                ))
            }
            _ => {}
        }
        let sources = convert_sources(n.sources, "sources", &err)?;
        if sources.is_empty() {
            return Err(err(
                "sources".into(),
                "a note needs at least one source".into(),
            ));
        }
        let period = n.period.map(|w| convert_note_period(w, &err)).transpose()?;
        out.push(PolicyNote {
            id: n.id,
            kind: n.kind,
            title: n.title,
            text: n.text,
            applies_when: Conditions {
                sectors,
                topics,
                kinds,
                macro_regions,
                min_control: c.min_control,
                min_tech: c.min_tech,
                max_tech: c.max_tech,
                no_formal_organisation: c.no_formal_organisation,
            },
            strength: n.strength,
            sources,
            period,
        });
    }
    Ok(out)
}

/// A note's window, checked: dates the briefing's way (`YYYY` or `YYYY-MM`), an end not
/// before the start, and a quote that writes out the years, so that what the outputs say of
/// the window can be read in the briefing's own words. Whether a briefing quote is the
/// briefing's is checked with the note's other quotes.
fn convert_note_period(
    raw: RawNotePeriod,
    err: &dyn Fn(String, String) -> Error,
) -> Result<NotePeriod> {
    let last = year_month("period.end", &raw.end, false, err)?;
    let first = match &raw.start {
        None => None,
        Some(s) => Some(year_month("period.start", s, true, err)?),
    };
    if let (Some(f), Some(s)) = (first, &raw.start) {
        if last < f {
            return Err(err(
                "period.end".into(),
                format!(
                    "the window ends ({}) before it starts ({s}); check both against the quote \
                     (a misprint stays in the quote, and the basis says how it is read)",
                    raw.end
                ),
            ));
        }
    }
    let source = convert_source(raw.source, "period.source", err)?;
    let Some(q) = source.quote().filter(|q| !q.is_empty()) else {
        return Err(err(
            "period.source.quote".into(),
            "a period needs a quote: the words that state its window, with its years as \
             written, copied from the briefing (or from your external source)"
                .into(),
        ));
    };
    for (field, v) in [
        ("period.start", raw.start.as_deref()),
        ("period.end", Some(&raw.end)),
    ] {
        if let Some(v) = v {
            let year = &v[..4];
            if !states_year(q, year) {
                return Err(err(
                    field.into(),
                    format!(
                        "the quote `{q}` does not write the year {year}; quote the words that \
                         state the window with its years, or give the year they state"
                    ),
                ));
            }
        }
    }
    if raw.basis.as_deref().is_some_and(|b| b.trim().is_empty()) {
        return Err(err(
            "period.basis".into(),
            "an empty basis says nothing: leave it out, or say in a few words how the window \
             is read (e.g. the years come from another section)"
                .into(),
        ));
    }
    Ok(NotePeriod {
        start: raw.start,
        end: raw.end,
        first,
        last,
        source,
        basis: raw.basis,
    })
}

/// Whether `quote` writes `year` as a number of its own (not inside "20201").
fn states_year(quote: &str, year: &str) -> bool {
    quote.match_indices(year).any(|(i, _)| {
        let before = quote[..i].chars().next_back();
        let after = quote[i + year.len()..].chars().next();
        !before.is_some_and(|c| c.is_ascii_digit()) && !after.is_some_and(|c| c.is_ascii_digit())
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_are_checked() {
        assert!(check_id("huadu-automobile", ID_KEBAB).is_ok());
        for bad in ["", "Huadu", "huadu--x", "-x", "x-", "huadu_automobile", "é"] {
            assert!(check_id(bad, ID_KEBAB).is_err(), "{bad}");
        }
    }

    #[test]
    fn year_month() {
        let is_year_month = |s: &str| crate::date::YearMonth::parse(s).is_some();
        assert!(is_year_month("2017") && is_year_month("2017-01"));
        assert!(!is_year_month("2017-13") && !is_year_month("17-01") && !is_year_month("2017/01"));
    }

    #[test]
    fn a_year_is_stated_as_a_number_of_its_own() {
        assert!(states_year("13th Five-Year Plan (2016-2020)", "2016"));
        assert!(states_year("13th Five-Year Plan (2016-2020)", "2020"));
        assert!(states_year("by 2030", "2030"));
        assert!(!states_year("20201 units", "2020") && !states_year("12020", "2020"));
        assert!(!states_year("by 2025", "2020"));
    }

    #[test]
    fn website_keys_ignore_scheme_and_www() {
        assert_eq!(
            website_key("http://www.cres.org.cn/index.html"),
            "cres.org.cn"
        );
        assert_eq!(website_key("www.cres.org.cn"), "cres.org.cn");
    }
}
