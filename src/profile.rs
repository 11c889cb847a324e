//! The EU side: a cluster profile as the user writes it, validated.

use crate::dataset::{Goal, Level};
use crate::limits;
use crate::{Error, Result};
use serde::{Deserialize, Serialize};

/// ISO 3166-1 alpha-2 codes of European countries (geographic Europe, Cyprus and Turkey),
/// with the English name for messages. The EU's own `EL` (Greece) and `UK` are accepted as
/// `GR` and `GB`.
const EUROPEAN_COUNTRIES: &[(&str, &str)] = &[
    ("AD", "Andorra"),
    ("AL", "Albania"),
    ("AT", "Austria"),
    ("BA", "Bosnia and Herzegovina"),
    ("BE", "Belgium"),
    ("BG", "Bulgaria"),
    ("BY", "Belarus"),
    ("CH", "Switzerland"),
    ("CY", "Cyprus"),
    ("CZ", "Czechia"),
    ("DE", "Germany"),
    ("DK", "Denmark"),
    ("EE", "Estonia"),
    ("ES", "Spain"),
    ("FI", "Finland"),
    ("FO", "Faroe Islands"),
    ("FR", "France"),
    ("GB", "United Kingdom"),
    ("GI", "Gibraltar"),
    ("GR", "Greece"),
    ("HR", "Croatia"),
    ("HU", "Hungary"),
    ("IE", "Ireland"),
    ("IS", "Iceland"),
    ("IT", "Italy"),
    ("LI", "Liechtenstein"),
    ("LT", "Lithuania"),
    ("LU", "Luxembourg"),
    ("LV", "Latvia"),
    ("MC", "Monaco"),
    ("MD", "Moldova"),
    ("ME", "Montenegro"),
    ("MK", "North Macedonia"),
    ("MT", "Malta"),
    ("NL", "Netherlands"),
    ("NO", "Norway"),
    ("PL", "Poland"),
    ("PT", "Portugal"),
    ("RO", "Romania"),
    ("RS", "Serbia"),
    ("RU", "Russia"),
    ("SE", "Sweden"),
    ("SI", "Slovenia"),
    ("SK", "Slovakia"),
    ("SM", "San Marino"),
    ("TR", "Turkey"),
    ("UA", "Ukraine"),
    ("VA", "Vatican City"),
    ("XK", "Kosovo"),
];

/// A profile as written in JSON: the public input format. Convert it into a [`Profile`]
/// (which checks it) with `Profile::try_from` or [`Profile::from_json`].
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ProfileInput {
    /// The cluster's name. Required.
    pub name: String,
    /// ISO 3166-1 alpha-2 code of a European country, e.g. `DE`. Required.
    pub country: String,
    /// Free-text sectors, resolved against the taxonomy. At least one.
    pub sectors: Vec<String>,
    /// Free-text keywords (technologies, products, topics).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub keywords: Vec<String>,
    /// The cluster's own tech level; `medium` when absent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tech_level: Option<Level>,
    /// 0.0 avoids partners under strong government steering, 1.0 is indifferent; 0.5 when absent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub control_tolerance: Option<f64>,
    /// Goals by name; `["market_access"]` when absent or empty.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub goals: Vec<String>,
    /// Macro-regions, provinces or cities, in English, pinyin or Chinese characters.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub preferred_regions: Vec<String>,
    /// Number of member organisations.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub members: Option<u32>,
}

/// A validated EU cluster profile.
///
/// Invariants: `name` is non-blank; `country` is an upper-case European ISO code; there is at
/// least one sector; every string is within [`limits`]; `control_tolerance` is in [0, 1];
/// `goals` is non-empty, sorted and without duplicates. Sectors, keywords and regions are
/// still free text: [`Matcher::resolve`](crate::resolve::Matcher::resolve) turns them into
/// taxonomy ids against a dataset.
///
/// # Examples
///
/// From JSON (a file, a web form) or typed in code with [`Profile::builder`]; both are
/// checked the same way, and an error names the field:
///
/// ```
/// use eccp_china::{Goal, Profile};
/// # fn main() -> Result<(), eccp_china::Error> {
/// let p = Profile::from_json(r#"{"name": "Lyon biopharma", "country": "FR",
///     "sectors": ["pharmaceuticals"], "goals": ["R&D cooperation"]}"#)?;
/// assert_eq!(p.goals(), &[Goal::RdCooperation]);
/// assert_eq!(p.control_tolerance(), 0.5); // the default
///
/// let e = Profile::from_json(r#"{"name": "x", "country": "FR", "sectors": ["pharma"],
///     "control_tolerance": 2}"#).unwrap_err();
/// assert!(e.to_string().contains("control_tolerance"));
/// # Ok(())
/// # }
/// ```
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(try_from = "ProfileInput", into = "ProfileInput")]
pub struct Profile {
    name: String,
    country: String,
    sectors: Vec<String>,
    keywords: Vec<String>,
    tech_level: Level,
    control_tolerance: f64,
    goals: Vec<Goal>,
    preferred_regions: Vec<String>,
    members: Option<u32>,
}

impl Profile {
    /// A typed way to build a profile in code: sectors and the rest added one by one or
    /// from any iterator of strings, goals as [`Goal`]s, the level as a [`Level`]; checked by
    /// [`ProfileBuilder::build`] exactly as a JSON profile is.
    ///
    /// # Examples
    ///
    /// ```
    /// use eccp_china::{Goal, Level, Profile};
    /// # fn main() -> Result<(), eccp_china::Error> {
    /// let p = Profile::builder("Southern German e-mobility cluster", "DE")
    ///     .sectors(["automotive", "electric vehicles"])
    ///     .keyword("battery systems")
    ///     .tech_level(Level::High)
    ///     .control_tolerance(0.5)
    ///     .goals([Goal::RdCooperation, Goal::MarketAccess])
    ///     .preferred_regions(["Pearl River Delta", "Sichuan"])
    ///     .build()?;
    /// assert_eq!(p.goals(), &[Goal::MarketAccess, Goal::RdCooperation]);
    ///
    /// // The same checks as JSON: a profile needs a sector.
    /// let e = Profile::builder("No field", "DE").build().unwrap_err();
    /// assert!(e.to_string().contains("sectors"));
    /// # Ok(())
    /// # }
    /// ```
    pub fn builder(name: impl Into<String>, country: impl Into<String>) -> ProfileBuilder {
        ProfileBuilder {
            input: ProfileInput {
                name: name.into(),
                country: country.into(),
                ..ProfileInput::default()
            },
        }
    }

    /// Parses and checks a profile from JSON.
    ///
    /// # Errors
    ///
    /// [`Error::Json`] with line and column for malformed JSON, unknown or missing fields;
    /// [`Error::Profile`] naming the field for values out of range (see [`Profile`]'s
    /// invariants); input over [`limits::JSON_BYTES`] is rejected before parsing.
    pub fn from_json(json: &str) -> Result<Profile> {
        Profile::from_json_named("<profile>", json)
    }

    /// Parses and checks a profile from raw bytes, as a web form or a file delivers them.
    ///
    /// # Errors
    ///
    /// As [`Profile::from_json`], and [`Error::Json`] for bytes that are not UTF-8.
    pub fn from_json_bytes(bytes: &[u8]) -> Result<Profile> {
        Profile::from_json_bytes_named("<profile>", bytes)
    }

    /// Reads and checks a profile from a file, a pipe or any reader, reading at most
    /// [`limits::JSON_BYTES`] (and one byte more to know there is more); `name` is used in
    /// errors.
    ///
    /// # Errors
    ///
    /// [`Error::Io`] naming `name` when the reader fails or holds more than
    /// [`limits::JSON_BYTES`]; otherwise as [`Profile::from_json_bytes`].
    pub fn from_reader(name: &str, reader: impl std::io::Read) -> Result<Profile> {
        let bytes =
            limits::read_capped(reader, limits::JSON_BYTES).map_err(|e| Error::io(name, e))?;
        Profile::from_json_bytes_named(name, &bytes)
    }

    /// Like [`Profile::from_json_bytes`], naming `file` in errors.
    pub fn from_json_bytes_named(file: &str, bytes: &[u8]) -> Result<Profile> {
        let bytes = limits::strip_bom(bytes);
        if bytes.len() > limits::JSON_BYTES {
            return Err(Error::profile(
                "(whole profile)",
                format!(
                    "the profile is {} bytes; the limit is {} bytes",
                    bytes.len(),
                    limits::JSON_BYTES
                ),
            ));
        }
        let text = std::str::from_utf8(bytes).map_err(|e| Error::Json {
            file: file.into(),
            line: 1 + bytes[..e.valid_up_to()]
                .iter()
                .filter(|b| **b == b'\n')
                .count(),
            column: 1 + bytes[..e.valid_up_to()]
                .iter()
                .rev()
                .take_while(|b| **b != b'\n')
                .count(),
            message: format!("invalid UTF-8 at byte {}", e.valid_up_to()),
        })?;
        Profile::from_json_named(file, text)
    }

    /// Like [`Profile::from_json`], naming `file` in errors. A leading byte-order mark is
    /// ignored.
    pub fn from_json_named(file: &str, json: &str) -> Result<Profile> {
        let json = json.strip_prefix('\u{feff}').unwrap_or(json);
        if json.len() > limits::JSON_BYTES {
            return Err(Error::profile(
                "(whole profile)",
                format!(
                    "the profile is {} bytes; the limit is {} bytes",
                    json.len(),
                    limits::JSON_BYTES
                ),
            ));
        }
        // Through serde_path_to_error, so that a value of the wrong type is named by its field.
        let mut de = serde_json::Deserializer::from_str(json);
        let input: ProfileInput =
            serde_path_to_error::deserialize(&mut de).map_err(|e| Error::json_at(file, e))?;
        de.end().map_err(|e| Error::json(file, &e))?;
        Profile::try_from(input)
    }

    /// The cluster's name.
    pub fn name(&self) -> &str {
        &self.name
    }
    /// Its country (upper-case ISO 3166-1 alpha-2).
    pub fn country(&self) -> &str {
        &self.country
    }
    /// The sectors as written.
    pub fn sectors(&self) -> &[String] {
        &self.sectors
    }
    /// The keywords as written.
    pub fn keywords(&self) -> &[String] {
        &self.keywords
    }
    /// Its tech level.
    pub fn tech_level(&self) -> Level {
        self.tech_level
    }
    /// Its tolerance of political control, in [0, 1].
    pub fn control_tolerance(&self) -> f64 {
        self.control_tolerance
    }
    /// Its goals, sorted, without duplicates, never empty.
    pub fn goals(&self) -> &[Goal] {
        &self.goals
    }
    /// Its preferred regions as written.
    pub fn preferred_regions(&self) -> &[String] {
        &self.preferred_regions
    }
    /// Its number of members, if given.
    pub fn members(&self) -> Option<u32> {
        self.members
    }
}

/// Builds a [`Profile`] in code; made by [`Profile::builder`]. Each list method adds to what
/// is there. Nothing is checked until [`ProfileBuilder::build`], which checks as
/// `Profile::try_from` does.
#[derive(Debug, Clone, Default, PartialEq)]
#[must_use = "a builder does nothing until `build` is called"]
pub struct ProfileBuilder {
    input: ProfileInput,
}

impl ProfileBuilder {
    /// Adds a sector (free text, resolved against the taxonomy).
    pub fn sector(mut self, sector: impl Into<String>) -> ProfileBuilder {
        self.input.sectors.push(sector.into());
        self
    }

    /// Adds sectors.
    pub fn sectors<S: Into<String>>(
        mut self,
        sectors: impl IntoIterator<Item = S>,
    ) -> ProfileBuilder {
        self.input
            .sectors
            .extend(sectors.into_iter().map(Into::into));
        self
    }

    /// Adds a keyword (a technology, product or topic).
    pub fn keyword(mut self, keyword: impl Into<String>) -> ProfileBuilder {
        self.input.keywords.push(keyword.into());
        self
    }

    /// Adds keywords.
    pub fn keywords<S: Into<String>>(
        mut self,
        keywords: impl IntoIterator<Item = S>,
    ) -> ProfileBuilder {
        self.input
            .keywords
            .extend(keywords.into_iter().map(Into::into));
        self
    }

    /// The cluster's own tech level (`Medium` when not set).
    pub fn tech_level(mut self, level: Level) -> ProfileBuilder {
        self.input.tech_level = Some(level);
        self
    }

    /// How much government steering the cluster tolerates, from 0 to 1 (0.5 when not set).
    pub fn control_tolerance(mut self, tolerance: f64) -> ProfileBuilder {
        self.input.control_tolerance = Some(tolerance);
        self
    }

    /// Adds a goal ([`Goal::MarketAccess`] alone when none is set).
    pub fn goal(mut self, goal: Goal) -> ProfileBuilder {
        self.input.goals.push(goal.as_str().to_string());
        self
    }

    /// Adds goals.
    pub fn goals(mut self, goals: impl IntoIterator<Item = Goal>) -> ProfileBuilder {
        self.input
            .goals
            .extend(goals.into_iter().map(|g| g.as_str().to_string()));
        self
    }

    /// Adds a preferred region: a macro-region, province or city, in English, pinyin or
    /// Chinese characters.
    pub fn preferred_region(mut self, region: impl Into<String>) -> ProfileBuilder {
        self.input.preferred_regions.push(region.into());
        self
    }

    /// Adds preferred regions.
    pub fn preferred_regions<S: Into<String>>(
        mut self,
        regions: impl IntoIterator<Item = S>,
    ) -> ProfileBuilder {
        self.input
            .preferred_regions
            .extend(regions.into_iter().map(Into::into));
        self
    }

    /// The number of member organisations.
    pub fn members(mut self, members: u32) -> ProfileBuilder {
        self.input.members = Some(members);
        self
    }

    /// Checks the profile.
    ///
    /// # Errors
    ///
    /// [`Error::Profile`] naming the field, as for a JSON profile (see [`Profile`]'s
    /// invariants).
    pub fn build(self) -> Result<Profile> {
        Profile::try_from(self.input)
    }
}

/// Text a profile carries into terminals, logs, spreadsheets and XML: no control characters
/// (escape sequences, line breaks, NUL), which would change what those show.
fn check_plain(field: &str, text: &str) -> Result<()> {
    match text.chars().find(|c| c.is_control()) {
        None => Ok(()),
        Some(c) => Err(Error::profile(
            field,
            format!(
                "contains a control character (U+{:04X}); remove it",
                u32::from(c)
            ),
        )),
    }
}

fn check_terms(field: &str, items: &[String], max_items: usize) -> Result<Vec<String>> {
    if items.len() > max_items {
        return Err(Error::profile(
            field,
            format!("{} entries; the limit is {max_items}", items.len()),
        ));
    }
    let mut out = Vec::with_capacity(items.len());
    for (i, s) in items.iter().enumerate() {
        let t = s.trim();
        check_plain(&format!("{field}[{i}]"), t)?;
        if t.is_empty() {
            return Err(Error::profile(
                format!("{field}[{i}]"),
                "empty entry; remove it or fill it in",
            ));
        }
        let n = t.chars().count();
        if n > limits::TERM_CHARS {
            return Err(Error::profile(
                format!("{field}[{i}]"),
                format!(
                    "{n} characters; the limit is {} characters per entry",
                    limits::TERM_CHARS
                ),
            ));
        }
        out.push(t.to_string());
    }
    Ok(out)
}

impl TryFrom<ProfileInput> for Profile {
    type Error = Error;

    fn try_from(p: ProfileInput) -> Result<Profile> {
        let name = p.name.trim().to_string();
        if name.is_empty() {
            return Err(Error::profile(
                "name",
                "the name is empty; give the cluster's name",
            ));
        }
        check_plain("name", &name)?;
        let n = name.chars().count();
        if n > limits::NAME_CHARS {
            return Err(Error::profile(
                "name",
                format!("{n} characters; the limit is {}", limits::NAME_CHARS),
            ));
        }
        let country = check_country(&p.country)?;
        if p.sectors.is_empty() {
            return Err(Error::profile(
                "sectors",
                "no sector given; name at least one, e.g. \"automotive\" or \"renewable energy\"",
            ));
        }
        let sectors = check_terms("sectors", &p.sectors, limits::SECTORS)?;
        let keywords = check_terms("keywords", &p.keywords, limits::KEYWORDS)?;
        let preferred_regions =
            check_terms("preferred_regions", &p.preferred_regions, limits::REGIONS)?;
        let control_tolerance = match p.control_tolerance {
            None => 0.5,
            Some(t) if t.is_finite() && (0.0..=1.0).contains(&t) => t,
            Some(t) => {
                return Err(Error::profile(
                    "control_tolerance",
                    format!(
                        "{t} is not between 0.0 (avoid government steering) and 1.0 (indifferent)"
                    ),
                ))
            }
        };
        let mut goals = Vec::with_capacity(p.goals.len());
        for (i, g) in p.goals.iter().enumerate() {
            match Goal::parse(g) {
                Some(goal) => goals.push(goal),
                None => {
                    let names: Vec<&str> = Goal::ALL.iter().map(|g| g.as_str()).collect();
                    return Err(Error::Profile {
                        field: format!("goals[{i}]"),
                        message: format!(
                            "`{}` is not a goal; goals are {}",
                            g.trim(),
                            names.join(", ")
                        ),
                        suggestions: crate::text::closest(g, names.iter().copied(), 1),
                    });
                }
            }
        }
        if goals.is_empty() {
            goals.push(Goal::MarketAccess);
        }
        goals.sort();
        goals.dedup();
        Ok(Profile {
            name,
            country,
            sectors,
            keywords,
            tech_level: p.tech_level.unwrap_or(Level::Medium),
            control_tolerance,
            goals,
            preferred_regions,
            members: p.members,
        })
    }
}

impl From<Profile> for ProfileInput {
    fn from(p: Profile) -> ProfileInput {
        ProfileInput {
            name: p.name,
            country: p.country,
            sectors: p.sectors,
            keywords: p.keywords,
            tech_level: Some(p.tech_level),
            control_tolerance: Some(p.control_tolerance),
            goals: p.goals.iter().map(|g| g.as_str().to_string()).collect(),
            preferred_regions: p.preferred_regions,
            members: p.members,
        }
    }
}

fn check_country(raw: &str) -> Result<String> {
    let code = raw.trim().to_ascii_uppercase();
    let code = match code.as_str() {
        "EL" => "GR".to_string(),
        "UK" => "GB".to_string(),
        _ => code,
    };
    if EUROPEAN_COUNTRIES.iter().any(|(c, _)| *c == code) {
        return Ok(code);
    }
    // A country written out in full gets its code suggested.
    let by_name = EUROPEAN_COUNTRIES
        .iter()
        .find(|(_, n)| n.eq_ignore_ascii_case(raw.trim()))
        .map(|(c, _)| c.to_string());
    let suggestions = match by_name {
        Some(c) => vec![c],
        // A two-letter code is not a misspelt country name: no name to suggest from it.
        None if raw.trim().chars().count() <= 2 => Vec::new(),
        None => crate::text::closest(raw, EUROPEAN_COUNTRIES.iter().map(|(_, n)| *n), 1)
            .into_iter()
            .filter_map(|n| {
                EUROPEAN_COUNTRIES
                    .iter()
                    .find(|(_, m)| *m == n)
                    .map(|(c, _)| c.to_string())
            })
            .collect(),
    };
    let shown: String = raw.chars().take(40).collect();
    Err(Error::Profile {
        field: "country".into(),
        message: format!(
            "`{shown}` is not the ISO 3166-1 alpha-2 code of a European country (e.g. DE, FR, IT)"
        ),
        suggestions,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn input() -> ProfileInput {
        ProfileInput {
            name: "Test cluster".into(),
            country: "de".into(),
            sectors: vec!["automotive".into()],
            ..ProfileInput::default()
        }
    }

    #[test]
    fn defaults_apply() {
        let p = Profile::try_from(input()).unwrap();
        assert_eq!(p.country(), "DE");
        assert_eq!(p.control_tolerance(), 0.5);
        assert_eq!(p.goals(), &[Goal::MarketAccess]);
        assert_eq!(p.tech_level(), Level::Medium);
    }

    #[test]
    fn goals_parse_loosely_and_dedup() {
        let mut i = input();
        i.goals = vec![
            "R&D cooperation".into(),
            "market access".into(),
            "rd_cooperation".into(),
        ];
        let p = Profile::try_from(i).unwrap();
        assert_eq!(p.goals(), &[Goal::MarketAccess, Goal::RdCooperation]);
    }

    #[test]
    fn bad_goal_suggests() {
        let mut i = input();
        i.goals = vec!["sorcing".into()];
        let e = Profile::try_from(i).unwrap_err();
        assert_eq!(e.suggestions(), &["sourcing".to_string()]);
        assert!(e.to_string().contains("goals[0]"), "{e}");
    }

    #[test]
    fn country_must_be_european_code() {
        for (bad, hint) in [("US", None), ("Germany", Some("DE")), ("", None)] {
            let mut i = input();
            i.country = bad.into();
            let e = Profile::try_from(i).unwrap_err();
            assert!(e.to_string().contains("country"), "{e}");
            if let Some(h) = hint {
                assert_eq!(e.suggestions(), &[h.to_string()]);
            }
        }
        let mut i = input();
        i.country = "EL".into();
        assert_eq!(Profile::try_from(i).unwrap().country(), "GR");
    }

    #[test]
    fn tolerance_out_of_range_or_nan_is_rejected() {
        for t in [-0.1, 1.5, f64::NAN, f64::INFINITY] {
            let mut i = input();
            i.control_tolerance = Some(t);
            let e = Profile::try_from(i).unwrap_err();
            assert!(e.to_string().contains("control_tolerance"), "{e}");
        }
    }

    #[test]
    fn empty_sectors_and_long_terms_are_rejected() {
        let mut i = input();
        i.sectors.clear();
        assert!(Profile::try_from(i)
            .unwrap_err()
            .to_string()
            .contains("`sectors`"));
        let mut i = input();
        i.keywords = vec!["x".repeat(limits::TERM_CHARS + 1)];
        let e = Profile::try_from(i).unwrap_err();
        assert!(e.to_string().contains("keywords[0]"), "{e}");
    }

    #[test]
    fn unknown_field_is_a_json_error_with_position() {
        let e = Profile::from_json(r#"{"name":"a","country":"DE","sectors":["x"],"colour":1}"#)
            .unwrap_err();
        match e {
            Error::Json { message, line, .. } => {
                assert!(message.contains("colour"), "{message}");
                assert_eq!(line, 1);
            }
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn json_round_trip() {
        let p = Profile::try_from(input()).unwrap();
        let s = serde_json::to_string(&p).unwrap();
        assert_eq!(Profile::from_json(&s).unwrap(), p);
    }
}
