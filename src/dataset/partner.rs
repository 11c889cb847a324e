//! Chinese partners: clusters, parks, zones and organisations.

use super::regions::{PlaceId, ProvinceId};
use super::source::{RawSource, Source};
use super::taxonomy::SectorId;
use serde::{Deserialize, Serialize};
use std::fmt;

/// What kind of partner a record is. The kind sets the default tech level and political
/// control (see [`Kind::default_tech`] and [`Kind::default_control`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Deserialize, Serialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum Kind {
    /// A bottom-up, market-driven agglomeration of firms (section 3.1; Table 4).
    IndustrialCluster,
    /// A high-tech park or high-tech zone (section 3.1).
    SciencePark,
    /// A special economic zone, development zone or demonstration zone (section 3.1).
    EconomicZone,
    /// An industry association or learned society (Tables 1 and 3).
    Association,
    /// A research institute or academy.
    ResearchInstitute,
    /// A ministry, commission or government department.
    GovernmentBody,
    /// A service that helps European firms in China (EU SME Centre, IPR Helpdesk, ...).
    SupportService,
}

impl Kind {
    /// Every kind, in declaration order.
    pub const ALL: [Kind; 7] = [
        Kind::IndustrialCluster,
        Kind::SciencePark,
        Kind::EconomicZone,
        Kind::Association,
        Kind::ResearchInstitute,
        Kind::GovernmentBody,
        Kind::SupportService,
    ];

    /// The name used in data files and output, e.g. `industrial_cluster`.
    pub fn as_str(self) -> &'static str {
        match self {
            Kind::IndustrialCluster => "industrial_cluster",
            Kind::SciencePark => "science_park",
            Kind::EconomicZone => "economic_zone",
            Kind::Association => "association",
            Kind::ResearchInstitute => "research_institute",
            Kind::GovernmentBody => "government_body",
            Kind::SupportService => "support_service",
        }
    }

    /// Parses a kind as people and the outputs write it: `science_park` (the data files'
    /// name), `science park`, `Science parks`, `science-park` (any case, spaces, hyphens or
    /// underscores, singular or plural), as [`Goal::parse`](crate::Goal::parse) forgives
    /// goals.
    ///
    /// ```
    /// use eccp_china::Kind;
    /// assert_eq!(Kind::parse("science_park"), Some(Kind::SciencePark));
    /// assert_eq!(Kind::parse("Science parks"), Some(Kind::SciencePark));
    /// assert_eq!(Kind::parse("industrial cluster"), Some(Kind::IndustrialCluster));
    /// assert_eq!(Kind::parse("cluster"), None);
    /// ```
    pub fn parse(s: &str) -> Option<Kind> {
        let key: String = s
            .trim()
            .chars()
            .map(|c| match c {
                ' ' | '-' => '_',
                c => c.to_ascii_lowercase(),
            })
            .collect();
        let key = key.split('_').filter(|w| !w.is_empty()).collect::<Vec<_>>();
        let key = key.join("_");
        let exact = |k: &str| Kind::ALL.into_iter().find(|x| x.as_str() == k);
        exact(&key).or_else(|| key.strip_suffix('s').and_then(exact))
    }

    /// The tech level a partner of this kind has unless its record says more.
    ///
    /// Section 3.1: clusters "operate in low technology and labour-intensive industries";
    /// science parks are "in the high-technological domain"; SEZs "operate in more technology
    /// and capital-intensive sectors". The briefing does not characterise associations,
    /// government bodies or support services; they get `Medium`, the neutral value, and
    /// research institutes `High`, since research is their trade.
    pub fn default_tech(self) -> Level {
        match self {
            Kind::IndustrialCluster => Level::Low,
            Kind::SciencePark | Kind::EconomicZone | Kind::ResearchInstitute => Level::High,
            Kind::Association | Kind::GovernmentBody | Kind::SupportService => Level::Medium,
        }
    }

    /// The political control a partner of this kind is under unless its record says more.
    ///
    /// Section 3.1: SEZs and science parks are "top-down industrial policy initiatives driven
    /// by the central government" where "the political control is higher"; industrial clusters
    /// are "a bottom-up process". Government bodies are the policy actors themselves.
    /// The briefing does not rate associations, research institutes or support services; they
    /// get `Medium`, the neutral value (many are state-affiliated, some EU-run), and records
    /// override it where the text or the body's own name shows more.
    pub fn default_control(self) -> Level {
        match self {
            Kind::IndustrialCluster => Level::Low,
            Kind::Association | Kind::ResearchInstitute | Kind::SupportService => Level::Medium,
            Kind::SciencePark | Kind::EconomicZone | Kind::GovernmentBody => Level::High,
        }
    }

    /// Whether a partner of this kind is one to cooperate with or one that helps make the
    /// contact.
    ///
    /// Support services (the EU SME Centre, the IPR SME Helpdesk, chambers, information
    /// services) help European firms "searching for counterparts" (section 2.2); government
    /// bodies set the frame and act "as a mediator to attract businesses" (section 5). Both are
    /// whom a cluster asks for help, not whom it partners with. Clusters, parks, zones,
    /// research institutes and associations (Table 1's "cluster organisations by sector") are
    /// partners.
    pub fn role(self) -> Role {
        match self {
            Kind::SupportService | Kind::GovernmentBody => Role::Intermediary,
            Kind::IndustrialCluster
            | Kind::SciencePark
            | Kind::EconomicZone
            | Kind::Association
            | Kind::ResearchInstitute => Role::Partner,
        }
    }

    /// Whether every partner of this kind is itself an organisation one can talk to.
    pub fn is_organisation(self) -> bool {
        matches!(
            self,
            Kind::Association
                | Kind::ResearchInstitute
                | Kind::GovernmentBody
                | Kind::SupportService
        )
    }
}

impl fmt::Display for Kind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Whether a record is a partner to cooperate with or an intermediary that helps make the
/// contact (see [`Kind::role`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    /// A cluster, park, zone, research institute or sector association.
    Partner,
    /// A support service or government body: whom to ask for help.
    Intermediary,
}

impl Role {
    /// `partner` or `intermediary`.
    pub fn as_str(self) -> &'static str {
        match self {
            Role::Partner => "partner",
            Role::Intermediary => "intermediary",
        }
    }
}

/// How much the briefing itself points to a partner, from the strongest of its sources.
///
/// The order is the strength: a case study of section 3.2 (a heading of its own, the
/// briefing's pick in a priority field) or a partner its conclusion names (section 5) above
/// Table 1's "sample of cluster organisations by sector", above a mention in the prose, above
/// a listing only (Tables 2 to 4, footnotes).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Evidence {
    /// Only listed: a table row (Tables 2 to 4) or a footnote; also a record known only from
    /// outside the briefing (an `External:` source).
    Listed,
    /// Named in the prose of a section.
    Named,
    /// One of Table 1's sample cluster organisations by sector.
    SampleOrganisation,
    /// A section 3.2 case study or a partner the conclusion (section 5) names.
    CaseStudy,
}

impl Evidence {
    /// Every grade, weakest first.
    pub const ALL: [Evidence; 4] = [
        Evidence::Listed,
        Evidence::Named,
        Evidence::SampleOrganisation,
        Evidence::CaseStudy,
    ];

    /// The grade of a record with these sources.
    pub(crate) fn of(case_study: bool, sources: &[Source]) -> Evidence {
        use super::source::SourceRef;
        if case_study {
            return Evidence::CaseStudy;
        }
        sources
            .iter()
            .map(|s| match s.reference() {
                SourceRef::Section(n) if n == "5" => Evidence::CaseStudy,
                SourceRef::Table(1) => Evidence::SampleOrganisation,
                SourceRef::Section(_) => Evidence::Named,
                _ => Evidence::Listed,
            })
            .max()
            .unwrap_or(Evidence::Listed)
    }

    /// `listed`, `named`, `sample_organisation` or `case_study`.
    pub fn as_str(self) -> &'static str {
        match self {
            Evidence::Listed => "listed",
            Evidence::Named => "named",
            Evidence::SampleOrganisation => "sample_organisation",
            Evidence::CaseStudy => "case_study",
        }
    }
}

/// Low, medium or high: for tech levels and political control.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Deserialize, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Level {
    /// Low.
    Low,
    /// Medium.
    Medium,
    /// High.
    High,
}

impl Level {
    /// 0 for low, 1 for medium, 2 for high.
    pub fn rank(self) -> u8 {
        self as u8
    }
    /// `low`, `medium` or `high`.
    pub fn as_str(self) -> &'static str {
        match self {
            Level::Low => "low",
            Level::Medium => "medium",
            Level::High => "high",
        }
    }
}

impl fmt::Display for Level {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A tech or control level with where it came from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Assessment {
    pub(crate) level: Level,
    /// `None` when the kind's default applies.
    pub(crate) basis: Option<Basis>,
}

/// Why a record overrides its kind's default level.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Basis {
    pub(crate) text: String,
    pub(crate) source: super::source::SourceRef,
    /// The briefing's words about this record that carry the level.
    pub(crate) quote: Option<String>,
    /// The briefing says nothing about this record's level; the basis infers it.
    pub(crate) inferred: bool,
}

impl Assessment {
    /// The level.
    pub fn level(&self) -> Level {
        self.level
    }
    /// Whether the level is the kind's default (section 3.1) rather than a per-record reading.
    pub fn is_default(&self) -> bool {
        self.basis.is_none()
    }
    /// For a per-record level, the one-line reason and the section it rests on.
    pub fn basis(&self) -> Option<(&str, &super::source::SourceRef)> {
        self.basis.as_ref().map(|b| (b.text.as_str(), &b.source))
    }
    /// For a per-record level read from the briefing, its words about this record.
    pub fn quote(&self) -> Option<&str> {
        self.basis.as_ref().and_then(|b| b.quote.as_deref())
    }
    /// Whether the per-record level is the data's inference rather than something the
    /// briefing says of this record (the basis then gives the reasoning).
    pub fn is_inferred(&self) -> bool {
        self.basis.as_ref().is_some_and(|b| b.inferred)
    }
}

/// The number of firms the briefing gives for a partner.
#[derive(Debug, Clone, PartialEq, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct FirmCount {
    /// How many.
    pub count: u32,
    /// The year of the count, if printed.
    #[serde(default)]
    pub year: Option<u16>,
    /// What was counted.
    #[serde(default)]
    pub what: Option<String>,
}

/// A figure the briefing gives for a partner (revenue, output, investment, ...).
#[derive(Debug, Clone, PartialEq, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct Figure {
    /// What the figure measures.
    pub what: String,
    /// The amount, in `unit`.
    pub amount: f64,
    /// The unit, e.g. `CNY billion` or `percent`.
    pub unit: String,
    /// The year, if printed.
    #[serde(default)]
    pub year: Option<u16>,
}

/// Facts the briefing states about a partner; nothing here is inferred.
#[derive(Debug, Clone, Default, PartialEq, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct Facts {
    /// Year established.
    #[serde(default)]
    pub established: Option<u16>,
    /// Number of firms.
    #[serde(default)]
    pub firms: Option<FirmCount>,
    /// Other figures.
    #[serde(default)]
    pub figures: Vec<Figure>,
    /// Firms the briefing names as located there or leading it.
    #[serde(default)]
    pub anchor_firms: Vec<String>,
}

/// A misprint in the briefing: the record keeps what was printed, this says what is right.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct Correction {
    /// The field the misprint is in.
    pub field: String,
    /// What the briefing printed.
    pub printed: String,
    /// The correct form.
    pub corrected: String,
    /// Why.
    pub reason: String,
}

/// Index of a partner in [`Dataset::partners`](crate::Dataset::partners).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct PartnerIndex(pub(crate) u32);

impl PartnerIndex {
    /// The position in the partner list.
    pub fn index(self) -> usize {
        self.0 as usize
    }
}

/// A Chinese partner: a cluster, park, zone or organisation the briefing names.
#[derive(Debug, Clone)]
pub struct Partner {
    pub(crate) id: String,
    pub(crate) kind: Kind,
    pub(crate) name: String,
    pub(crate) aliases: Vec<String>,
    pub(crate) chinese_name: Option<String>,
    pub(crate) province: Option<ProvinceId>,
    pub(crate) place: Option<PlaceId>,
    pub(crate) sectors: Vec<SectorId>,
    pub(crate) tech: Assessment,
    pub(crate) control: Assessment,
    pub(crate) formal_organisation: bool,
    pub(crate) case_study: bool,
    pub(crate) role: Role,
    pub(crate) role_basis: Option<Basis>,
    pub(crate) evidence: Evidence,
    pub(crate) part_of: Option<PartnerIndex>,
    pub(crate) facts: Facts,
    pub(crate) websites: Vec<String>,
    pub(crate) sources: Vec<Source>,
    pub(crate) corrections: Vec<Correction>,
    pub(crate) notes: Option<String>,
    pub(crate) file: String,
}

impl Partner {
    /// The stable id, e.g. `huadu-automobile`.
    pub fn id(&self) -> &str {
        &self.id
    }
    /// The kind.
    pub fn kind(&self) -> Kind {
        self.kind
    }
    /// The English name as printed.
    pub fn name(&self) -> &str {
        &self.name
    }
    /// Other names the briefing prints for it.
    pub fn aliases(&self) -> &[String] {
        &self.aliases
    }
    /// The Chinese name as printed (Table 4's place names, in Traditional characters).
    pub fn chinese_name(&self) -> Option<&str> {
        self.chinese_name.as_deref()
    }
    /// The province, `None` for national bodies.
    pub fn province(&self) -> Option<ProvinceId> {
        self.province
    }
    /// The most specific place, `None` for national and provincial bodies.
    pub fn place(&self) -> Option<PlaceId> {
        self.place
    }
    /// Its sectors, most specific first.
    pub fn sectors(&self) -> &[SectorId] {
        &self.sectors
    }
    /// Its tech level.
    pub fn tech(&self) -> &Assessment {
        &self.tech
    }
    /// The political control it is under.
    pub fn control(&self) -> &Assessment {
        &self.control
    }
    /// Whether a formal organisation represents it.
    pub fn has_formal_organisation(&self) -> bool {
        self.formal_organisation
    }
    /// Whether section 3.2 analyses it as a case, under a heading of its own: the briefing's
    /// own pick of the clusters "most interesting for the European Union".
    pub fn is_case_study(&self) -> bool {
        self.case_study
    }
    /// How much the briefing points to it.
    pub fn evidence(&self) -> Evidence {
        self.evidence
    }
    /// Whether it is a partner or an intermediary: its kind's role ([`Kind::role`]) unless
    /// its record says otherwise, with a basis ([`Partner::role_basis`]).
    pub fn role(&self) -> Role {
        self.role
    }
    /// For a record whose role departs from its kind's, the one-line reason and the source
    /// it rests on.
    pub fn role_basis(&self) -> Option<(&str, &super::source::SourceRef)> {
        self.role_basis
            .as_ref()
            .map(|b| (b.text.as_str(), &b.source))
    }
    /// The larger partner it belongs to.
    pub fn part_of(&self) -> Option<PartnerIndex> {
        self.part_of
    }
    /// Facts the briefing states.
    pub fn facts(&self) -> &Facts {
        &self.facts
    }
    /// Websites as printed.
    pub fn websites(&self) -> &[String] {
        &self.websites
    }
    /// Where the briefing names it, with its words.
    pub fn sources(&self) -> &[Source] {
        &self.sources
    }
    /// Misprints of the briefing in this record, with their corrections.
    pub fn corrections(&self) -> &[Correction] {
        &self.corrections
    }
    /// Notes for the reader.
    pub fn notes(&self) -> Option<&str> {
        self.notes.as_deref()
    }
    /// The data file the record was loaded from.
    pub fn file(&self) -> &str {
        &self.file
    }
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct RawPartnerFile {
    pub partners: Vec<RawPartner>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct RawAssessment {
    pub level: Level,
    pub basis: String,
    pub source: String,
    #[serde(default)]
    pub quote: Option<String>,
    #[serde(default)]
    pub inferred: bool,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct RawRole {
    pub role: Role,
    pub basis: String,
    pub source: String,
    #[serde(default)]
    pub quote: Option<String>,
    #[serde(default)]
    pub inferred: bool,
}

/// Why an override departs from the kind's default, as a file states it.
pub(crate) struct RawBasis {
    pub basis: String,
    pub source: String,
    pub quote: Option<String>,
    pub inferred: bool,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct RawPartner {
    pub id: String,
    pub kind: String,
    pub name: String,
    #[serde(default)]
    pub aliases: Vec<String>,
    #[serde(default)]
    pub chinese_name: Option<String>,
    #[serde(default)]
    pub province: Option<String>,
    #[serde(default)]
    pub place: Option<String>,
    pub sectors: Vec<String>,
    #[serde(default)]
    pub tech: Option<RawAssessment>,
    #[serde(default)]
    pub control: Option<RawAssessment>,
    #[serde(default)]
    pub role: Option<RawRole>,
    pub formal_organisation: bool,
    #[serde(default)]
    pub case_study: bool,
    #[serde(default)]
    pub part_of: Option<String>,
    #[serde(default)]
    pub facts: Facts,
    #[serde(default)]
    pub websites: Vec<String>,
    pub sources: Vec<RawSource>,
    #[serde(default)]
    pub corrections: Vec<Correction>,
    #[serde(default)]
    pub notes: Option<String>,
}
