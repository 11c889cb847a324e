//! Call templates: the roles and constraints of a call, with the briefing's words behind
//! them; the three of `data/calls/` embedded and checked once, a user's read through the
//! input cap and checked the same way.

use crate::dataset::{
    convert_sources, in_briefing, not_in_briefing, Dataset, Goal, Kind, RawSource, Role, Source,
};
use crate::error::{Error, Result};
use crate::score::goal_affinity;
use serde::{Deserialize, Serialize};
use std::sync::OnceLock;

/// A role's goal admits a kind that serves it at least this well
/// ([`goal_affinity`]): "serves it well" in the briefing's terms, e.g. industrial clusters
/// and associations for market access, science parks and institutes for R&D.
pub const ROLE_GOAL_AFFINITY: f64 = 0.8;

/// Most partners a template may ask for, and most roles: a consortium, not a list.
pub const MAX_PARTNERS: usize = 12;

/// The embedded templates, file name and text.
const EMBEDDED: [(&str, &str); 3] = [
    (
        "data/calls/cfm_rd_project.json",
        include_str!("../../data/calls/cfm_rd_project.json"),
    ),
    (
        "data/calls/market_entry_mission.json",
        include_str!("../../data/calls/market_entry_mission.json"),
    ),
    (
        "data/calls/escp4i_partnership.json",
        include_str!("../../data/calls/escp4i_partnership.json"),
    ),
];

/// One role of a call: who may fill it and how many.
#[derive(Debug, Clone, PartialEq)]
pub struct CallRole {
    pub(crate) id: String,
    pub(crate) name: String,
    pub(crate) kinds: Vec<Kind>,
    pub(crate) goals: Vec<Goal>,
    pub(crate) min: usize,
    pub(crate) max: usize,
    pub(crate) why: String,
    pub(crate) sources: Vec<Source>,
}

impl CallRole {
    /// The id, unique in its template.
    pub fn id(&self) -> &str {
        &self.id
    }
    /// A name for people.
    pub fn name(&self) -> &str {
        &self.name
    }
    /// The partner kinds that may fill it (empty: any partner kind).
    pub fn kinds(&self) -> &[Kind] {
        &self.kinds
    }
    /// Goals a member must serve at least [`ROLE_GOAL_AFFINITY`] well (empty: none).
    pub fn goals(&self) -> &[Goal] {
        &self.goals
    }
    /// Fewest members in this role.
    pub fn min(&self) -> usize {
        self.min
    }
    /// Most members in this role.
    pub fn max(&self) -> usize {
        self.max
    }
    /// What the role does for the project.
    pub fn why(&self) -> &str {
        &self.why
    }
    /// The briefing's words behind it.
    pub fn sources(&self) -> &[Source] {
        &self.sources
    }
    /// The role as a [`RoleSpec`], to build a variant with [`CallTemplate::from_parts`].
    pub fn spec(&self) -> RoleSpec<'_> {
        RoleSpec {
            id: &self.id,
            kinds: &self.kinds,
            goals: &self.goals,
            min: self.min,
            max: self.max,
        }
    }

    /// Whether a partner of `kind` may fill the role: a partner (never an intermediary), of
    /// one of the role's kinds if it names any, serving each of its goals at least
    /// [`ROLE_GOAL_AFFINITY`].
    pub fn admits(&self, kind: Kind) -> bool {
        kind.role() == Role::Partner
            && (self.kinds.is_empty() || self.kinds.contains(&kind))
            && self
                .goals
                .iter()
                .all(|g| goal_affinity(*g, kind) >= ROLE_GOAL_AFFINITY)
    }
}

/// What every answer to a call must satisfy.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Constraints {
    /// At most this many members in one city (none: no limit).
    pub max_per_city: Option<usize>,
    /// At least this many provinces among the members (national bodies have none).
    pub min_provinces: usize,
    /// At least this many members with a formal organisation to talk to.
    pub min_formal_organisations: usize,
    /// At most this many members in all.
    pub max_partners: usize,
}

/// A call for which a consortium is put together: roles, constraints and the briefing's
/// words behind them. Built from JSON ([`CallTemplate::from_reader`]) and checked there;
/// the embedded ones are [`CallTemplate::builtin`].
#[derive(Debug, Clone, PartialEq)]
pub struct CallTemplate {
    pub(crate) id: String,
    pub(crate) name: String,
    pub(crate) programme: Option<String>,
    pub(crate) description: String,
    pub(crate) sources: Vec<Source>,
    pub(crate) roles: Vec<CallRole>,
    pub(crate) constraints: Constraints,
    pub(crate) constraints_basis: String,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawCall {
    id: String,
    name: String,
    #[serde(default)]
    programme: Option<String>,
    description: String,
    sources: Vec<RawSource>,
    roles: Vec<RawRole>,
    constraints: RawConstraints,
    constraints_basis: String,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawRole {
    id: String,
    name: String,
    #[serde(default)]
    kinds: Vec<String>,
    #[serde(default)]
    goals: Vec<String>,
    min: usize,
    max: usize,
    why: String,
    sources: Vec<RawSource>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawConstraints {
    #[serde(default)]
    max_per_city: Option<usize>,
    #[serde(default)]
    min_provinces: usize,
    #[serde(default)]
    min_formal_organisations: usize,
    max_partners: usize,
}

impl CallTemplate {
    /// The templates in the crate's `data/calls/`, checked once.
    ///
    /// - `cfm_rd_project`: a joint R&D and innovation project under the EU-China
    ///   co-funding mechanism (section 2.2);
    /// - `market_entry_mission`: a market-entry mission to industrial clusters (section 3.1);
    /// - `escp4i_partnership`: a COSME cluster partnership targeting China, five roles
    ///   (sections 2.2 and 4.1).
    ///
    /// # Errors
    ///
    /// Only if the embedded files are invalid, which the crate's tests rule out.
    pub fn builtin() -> Result<&'static [CallTemplate]> {
        static CALLS: OnceLock<Result<Vec<CallTemplate>>> = OnceLock::new();
        CALLS
            .get_or_init(|| {
                let d = Dataset::embedded()?;
                EMBEDDED
                    .iter()
                    .map(|(file, text)| CallTemplate::parse(file, text, d))
                    .collect()
            })
            .as_ref()
            .map(Vec::as_slice)
            .map_err(Clone::clone)
    }

    /// An embedded template by id.
    ///
    /// # Errors
    ///
    /// [`Error::Option`] (option `call`) for an unknown id, listing the known ones.
    pub fn find(id: &str) -> Result<&'static CallTemplate> {
        let all = CallTemplate::builtin()?;
        all.iter().find(|c| c.id == id).ok_or_else(|| Error::Option {
            option: "call".into(),
            message: format!(
                "`{id}` is no call template; the templates are {} (or give a JSON file in the format of data/calls/)",
                all.iter().map(|c| c.id.as_str()).collect::<Vec<_>>().join(", ")
            ),
        })
    }

    /// Reads and checks a template in the format of `data/calls/*.json` (`data/README.md`
    /// describes it), through the crate's input cap. `name` is used in errors.
    ///
    /// # Errors
    ///
    /// [`Error::Io`] if it cannot be read, [`Error::Json`] for malformed JSON or unknown
    /// fields, [`Error::Data`] naming the field for: an unknown kind or goal, an
    /// intermediary kind (support services and government bodies help make contacts; they
    /// are not members), a role no kind can fill, `min` above `max`, `max` of 0, duplicate
    /// role ids, no role with `min` of at least 1, mins adding up to more than
    /// `max_partners`, `max_partners` of 0 or above [`MAX_PARTNERS`], a `max_per_city` of 0,
    /// `min_provinces` or `min_formal_organisations` above `max_partners`, a programme the
    /// dataset does not have, and a quote citing the briefing that is not its words.
    pub fn from_reader(
        name: impl Into<String>,
        reader: impl std::io::Read,
        dataset: &Dataset,
    ) -> Result<CallTemplate> {
        let name = name.into();
        let text = crate::limits::read_text(reader, crate::limits::JSON_BYTES)
            .map_err(|e| Error::io(name.clone(), e))?;
        CallTemplate::parse(&name, &text, dataset)
    }

    fn parse(file: &str, text: &str, dataset: &Dataset) -> Result<CallTemplate> {
        let mut de = serde_json::Deserializer::from_str(text);
        let raw: RawCall =
            serde_path_to_error::deserialize(&mut de).map_err(|e| Error::json_at(file, e))?;
        de.end().map_err(|e| Error::json(file, &e))?;
        let id = raw.id.clone();
        let err = |field: String, message: String| Error::data(file, &id, field, message);
        if id.trim().is_empty() {
            return Err(err("id".into(), "a template needs an id".into()));
        }
        // What output shows (terminals, XML) holds no control characters.
        let shown = [
            ("id".to_string(), &raw.id),
            ("name".to_string(), &raw.name),
            ("description".to_string(), &raw.description),
            ("constraints_basis".to_string(), &raw.constraints_basis),
        ]
        .into_iter()
        .chain(raw.roles.iter().enumerate().flat_map(|(i, r)| {
            [
                (format!("roles[{i}].id"), &r.id),
                (format!("roles[{i}].name"), &r.name),
                (format!("roles[{i}].why"), &r.why),
            ]
        }));
        for (field, text) in shown {
            if let Some(c) = text.chars().find(|c| c.is_control()) {
                return Err(err(
                    field,
                    format!(
                        "contains a control character (U+{:04X}); remove it",
                        u32::from(c)
                    ),
                ));
            }
        }
        let sources = checked_sources(raw.sources, "sources", &err)?;
        if raw.roles.is_empty() || raw.roles.len() > MAX_PARTNERS {
            return Err(err(
                "roles".into(),
                format!("a template needs 1 to {MAX_PARTNERS} roles"),
            ));
        }
        let mut roles: Vec<CallRole> = Vec::with_capacity(raw.roles.len());
        for (i, r) in raw.roles.into_iter().enumerate() {
            let f = |x: &str| format!("roles[{i}].{x}");
            if roles.iter().any(|o| o.id == r.id) {
                return Err(err(f("id"), format!("duplicate role id `{}`", r.id)));
            }
            let mut kinds = Vec::new();
            for (j, k) in r.kinds.iter().enumerate() {
                let kind = Kind::parse(k).ok_or_else(|| {
                    err(
                        format!("roles[{i}].kinds[{j}]"),
                        format!(
                            "unknown kind `{k}`; expected one of {}",
                            partner_kinds().join(", ")
                        ),
                    )
                })?;
                if kind.role() != Role::Partner {
                    return Err(err(
                        format!("roles[{i}].kinds[{j}]"),
                        format!(
                            "`{kind}` is an intermediary (it helps make contacts, section 2.2 and 5), not a consortium member; expected one of {}",
                            partner_kinds().join(", ")
                        ),
                    ));
                }
                kinds.push(kind);
            }
            let mut goals = Vec::new();
            for (j, g) in r.goals.iter().enumerate() {
                goals.push(Goal::parse(g).ok_or_else(|| {
                    err(
                        format!("roles[{i}].goals[{j}]"),
                        format!(
                            "unknown goal `{g}`; expected one of {}",
                            Goal::ALL.map(Goal::as_str).join(", ")
                        ),
                    )
                })?);
            }
            if r.max == 0 || r.min > r.max {
                return Err(err(
                    f("max"),
                    format!(
                        "a role needs 1 <= max and min <= max (min {}, max {})",
                        r.min, r.max
                    ),
                ));
            }
            let role = CallRole {
                id: r.id,
                name: r.name,
                kinds,
                goals,
                min: r.min,
                max: r.max,
                why: r.why,
                sources: checked_sources(r.sources, &f("sources"), &err)?,
            };
            if !Kind::ALL.iter().any(|k| role.admits(*k)) {
                return Err(err(
                    f("goals"),
                    format!(
                        "no partner kind fills this role: none of its kinds serves all its goals at least {ROLE_GOAL_AFFINITY}"
                    ),
                ));
            }
            roles.push(role);
        }
        let c = raw.constraints;
        let total_min: usize = roles.iter().map(|r| r.min).sum();
        if c.max_partners == 0 || c.max_partners > MAX_PARTNERS {
            return Err(err(
                "constraints.max_partners".into(),
                format!("must be 1 to {MAX_PARTNERS}, not {}", c.max_partners),
            ));
        }
        if total_min == 0 {
            return Err(err(
                "roles".into(),
                "at least one role needs min of 1 or more, or the empty set would answer".into(),
            ));
        }
        if total_min > c.max_partners {
            return Err(err(
                "constraints.max_partners".into(),
                format!(
                    "the roles' mins add up to {total_min}, more than max_partners {}",
                    c.max_partners
                ),
            ));
        }
        if c.max_per_city == Some(0) {
            return Err(err(
                "constraints.max_per_city".into(),
                "0 admits nobody; use 1 or more, or null for no limit".into(),
            ));
        }
        for (field, v) in [
            ("min_provinces", c.min_provinces),
            ("min_formal_organisations", c.min_formal_organisations),
        ] {
            if v > c.max_partners {
                return Err(err(
                    format!("constraints.{field}"),
                    format!("{v} is more than max_partners {}", c.max_partners),
                ));
            }
        }
        if let Some(p) = &raw.programme {
            if !dataset.programmes().iter().any(|g| g.id() == p) {
                return Err(err(
                    "programme".into(),
                    format!(
                        "`{p}` is no programme of the dataset; did you mean {}?",
                        crate::text::closest(p, dataset.programmes().iter().map(|g| g.id()), 3)
                            .join(", ")
                    ),
                ));
            }
        }
        Ok(CallTemplate {
            id,
            name: raw.name,
            programme: raw.programme,
            description: raw.description,
            sources,
            roles,
            constraints: Constraints {
                max_per_city: c.max_per_city,
                min_provinces: c.min_provinces,
                min_formal_organisations: c.min_formal_organisations,
                max_partners: c.max_partners,
            },
            constraints_basis: raw.constraints_basis,
        })
    }

    /// The id.
    pub fn id(&self) -> &str {
        &self.id
    }
    /// A name for people.
    pub fn name(&self) -> &str {
        &self.name
    }
    /// The programme of `data/programmes.json` the call belongs to, if any.
    pub fn programme(&self) -> Option<&str> {
        self.programme.as_deref()
    }
    /// What the consortium is for.
    pub fn description(&self) -> &str {
        &self.description
    }
    /// The briefing's words behind the call.
    pub fn sources(&self) -> &[Source] {
        &self.sources
    }
    /// The roles, in the template's order.
    pub fn roles(&self) -> &[CallRole] {
        &self.roles
    }
    /// The constraints.
    pub fn constraints(&self) -> Constraints {
        self.constraints
    }
    /// Where the constraints come from: the briefing, or the template's own choice.
    pub fn constraints_basis(&self) -> &str {
        &self.constraints_basis
    }

    /// A template from parts, checked as JSON is: for generated templates (tests, tools).
    ///
    /// # Errors
    ///
    /// As [`CallTemplate::from_reader`].
    pub fn from_parts(
        id: &str,
        roles: &[RoleSpec<'_>],
        constraints: Constraints,
    ) -> Result<CallTemplate> {
        #[derive(Serialize)]
        struct R<'a> {
            id: &'a str,
            name: &'a str,
            kinds: Vec<&'static str>,
            goals: Vec<&'static str>,
            min: usize,
            max: usize,
            why: &'a str,
            sources: [(); 0],
        }
        let roles: Vec<R> = roles
            .iter()
            .map(|r| R {
                id: r.id,
                name: r.id,
                kinds: r.kinds.iter().map(|k| k.as_str()).collect(),
                goals: r.goals.iter().map(|g| g.as_str()).collect(),
                min: r.min,
                max: r.max,
                why: "",
                sources: [],
            })
            .collect();
        let json = serde_json::json!({
            "id": id, "name": id, "description": "", "sources": [], "roles": roles,
            "constraints": constraints, "constraints_basis": "",
        });
        CallTemplate::parse("<template>", &json.to_string(), Dataset::embedded()?)
    }
}

/// A role for [`CallTemplate::from_parts`]: its id, who may fill it and how many.
#[derive(Debug, Clone, Copy)]
pub struct RoleSpec<'a> {
    /// The role's id (also its name).
    pub id: &'a str,
    /// The partner kinds that may fill it (empty: any).
    pub kinds: &'a [Kind],
    /// Goals a member must serve at least [`ROLE_GOAL_AFFINITY`] well.
    pub goals: &'a [Goal],
    /// Fewest members.
    pub min: usize,
    /// Most members.
    pub max: usize,
}

fn partner_kinds() -> Vec<&'static str> {
    Kind::ALL
        .iter()
        .filter(|k| k.role() == Role::Partner)
        .map(|k| k.as_str())
        .collect()
}

/// Sources as every data file has them, and each quote citing the briefing held to it.
fn checked_sources(
    raw: Vec<RawSource>,
    field: &str,
    err: &dyn Fn(String, String) -> Error,
) -> Result<Vec<Source>> {
    let sources = convert_sources(raw, field, err)?;
    for (i, s) in sources.iter().enumerate() {
        if let (true, Some(q)) = (s.reference().is_briefing(), s.quote()) {
            if !in_briefing(q) {
                return Err(err(format!("{field}[{i}].quote"), not_in_briefing(q)));
            }
        }
    }
    Ok(sources)
}
