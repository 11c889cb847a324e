//! Recommends Chinese cluster partners to European cluster organisations, from the European
//! Cluster Collaboration Platform's *Preparatory Briefing on China* (D3.2).
//!
//! The primary types are [`Dataset`] (the briefing's clusters, parks, zones and
//! organisations, validated), [`Profile`] (an EU cluster, as it describes itself) and
//! [`Matcher`] (which resolves a profile's free text against the data).
//!
//! ```
//! use eccp_china::{Dataset, Matcher, Profile};
//!
//! # fn main() -> Result<(), eccp_china::Error> {
//! let data = Dataset::embedded()?;
//! let profile = Profile::from_json(r#"{
//!     "name": "Southern German e-mobility cluster",
//!     "country": "DE",
//!     "sectors": ["automotive", "e-mobility"],
//!     "keywords": ["battery systems"],
//!     "preferred_regions": ["Pearl River Delta", "Sichuan"]
//! }"#)?;
//! let resolved = Matcher::new(data).resolve(&profile)?;
//! let sectors: Vec<&str> = resolved
//!     .sectors()
//!     .into_iter()
//!     .map(|s| data.taxonomy().get(s).id())
//!     .collect();
//! assert_eq!(sectors, ["automotive", "electric_vehicles"]);
//! # Ok(())
//! # }
//! ```
//!
//! # Data
//!
//! Everything the crate knows comes from the briefing (version V3, 2018), committed as
//! `data/briefing.txt` and embedded with the JSON files under `data/`: Table 4's 100
//! industrial clusters, the organisations of Tables 1 and 3, the clusters, parks and zones
//! of sections 3.1, 3.2, 4.4 and 5, Table 2's EU-China projects, and the policy notes of
//! sections 2 to 5. Every record names its table or section and quotes the briefing; the
//! tests check every quote against the text. `data/README.md` documents the format; a user
//! can add or correct partners with [`DatasetBuilder`]. The data's version is
//! [`DATA_VERSION`].

#![deny(missing_docs)]
#![deny(unsafe_code)]

mod dataset;
mod error;
mod explain;
mod features;
mod output;
mod profile;
mod recommend;
mod resolve;
mod score;
mod text;

pub use dataset::{
    Assessment, Conditions, Correction, Dataset, DatasetBuilder, Facts, Figure, FirmCount, Kind,
    Level, MacroRegion, MacroRegionId, NoteKind, Partner, PartnerIndex, Place, PlaceId, PlaceLevel,
    PolicyNote, Programme, Province, ProvinceId, RegionRef, Regions, Sector, SectorId, Source,
    SourceRef, Taxonomy, Vocabulary, DATA_VERSION,
};
pub use error::{Error, Result};
pub use explain::{Intermediary, ParetoEntry, Reason, Risk};
pub use features::{FeatureMatrix, Layout};
pub use profile::{limits, Goal, Profile, ProfileInput};
pub use recommend::{Match, ProfileSummary, Recommendations, Recommender, ResolvedTerm};
pub use resolve::{MatchKind, Matcher, RegionMatch, ResolvedProfile, SectorMatch, Warning};
pub use score::{
    control_fit, goal_affinity, tech_fit, Component, Diversity, Filter, Options, Weights,
};
