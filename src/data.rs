//! Step 1 of the data flow, the records: what a [`Dataset`](crate::Dataset) holds, each
//! record traceable to the briefing (a [`Source`] names its table or section and quotes it).
//!
//! The dataset itself, its builder and the names every step uses ([`Goal`](crate::Goal),
//! [`Kind`](crate::Kind), [`Level`](crate::Level)) are at the crate root.

pub use crate::dataset::{
    Assessment, Conditions, Correction, Evidence, Facts, Figure, FirmCount, MacroRegion,
    MacroRegionId, NoteKind, NotePeriod, Partner, PartnerIndex, Place, PlaceId, PlaceLevel,
    PolicyNote, Programme, Province, ProvinceId, RegionRef, Regions, Role, Sector, SectorId,
    Source, SourceRef, Taxonomy, Vocabulary,
};
pub use crate::recommend::SharedDataset;
