//! Recommends Chinese cluster partners to European cluster organisations, from the European
//! Cluster Collaboration Platform's *Preparatory Briefing on China* (D3.2).
//!
//! The primary types are [`Dataset`] (the briefing's clusters, parks, zones and
//! organisations, validated), [`Profile`] (an EU cluster, as it describes itself) and
//! [`Recommender`] (which ranks the partners for a profile and explains every match).
//!
//! ```
//! use eccp_china::{Dataset, Options, Profile, Recommender};
//!
//! # fn main() -> Result<(), eccp_china::Error> {
//! let data = Dataset::embedded()?;
//! let profile = Profile::from_json(r#"{
//!     "name": "Danish wind energy cluster",
//!     "country": "DK",
//!     "sectors": ["wind energy"],
//!     "tech_level": "high",
//!     "goals": ["technology_transfer", "market_access"]
//! }"#)?;
//! let options = Options { top_k: 5, ..Options::default() };
//! let recs = Recommender::new(data).recommend_profile(&profile, &options)?;
//! for m in &recs.matches {
//!     println!("{}. {} ({}) score {:.3}", m.rank, m.name, m.kind, m.score);
//!     if let Some(why) = m.reasons.first() {
//!         println!("   why: {} [{}]", why.text, why.source);
//!     }
//! }
//! assert_eq!(recs.matches[0].id, "wuhan-east-lake-high-tech-zone");
//! # Ok(())
//! # }
//! ```
//!
//! # Overview
//!
//! The data flows one way, one module a step; the root holds the few types every step uses.
//!
//! 1. **Data**: [`Dataset`] holds the briefing's clusters, parks, zones and organisations,
//!    parsed and validated once; a user's own partner file joins them through
//!    [`DatasetBuilder`], with the same checks. The records are in [`data`].
//! 2. **Profile resolution** ([`resolve`]): a [`Profile`] (from JSON, or typed with
//!    [`Profile::builder`]) has free-text sectors, keywords and regions; a
//!    [`resolve::Matcher`] turns them into taxonomy sectors, regions and the industrial
//!    clusters whose names use a term for their product, exactly, through a typo, or through
//!    a keyword. What cannot be resolved is an error (sectors, regions) or a
//!    [`resolve::Warning`] (keywords).
//! 3. **Scoring** ([`score`]): one model, seven named [`Component`]s each in [0, 1],
//!    weighted by [`Weights`]. Each component is one rule, written once as a function of the
//!    resolved profile and a few features of the partner, returning its value and what
//!    produced it. Intermediaries (support services, government bodies) are kept apart
//!    unless asked for, and a partner in no field the profile names is no match. Filters,
//!    diversity caps and top k come from [`Options`]. Past option validation, scoring cannot
//!    fail. [`Recommender`] runs it.
//! 4. **Explanation** ([`explain`]): each [`Match`] carries reasons rendered from what each
//!    component returned, with the briefing's sections; risks from its policy notes whose
//!    conditions hold for the partner; intermediaries who can broker the contact. A
//!    [`Recommendations`] adds what the matches share (the field block) and a Pareto view of
//!    tech level against political control. [`Recommender::recommend_for_partner`] explains
//!    the other direction: which EU clusters suit one Chinese partner;
//!    [`Recommender::compare`] says why one partner is above another, and
//!    [`Recommender::why_not`] ([`whynot`]) what would put a missing partner in the list.
//!    [`Recommender::consortium`] ([`consortium`]) puts together the best set of partners
//!    for a call's roles and constraints (a [`consortium::CallTemplate`]), each member with
//!    what it adds and who would replace it. Every run gives its advice at a month
//!    ([`Options::as_of`]): programmes and policy notes say whether the window the briefing
//!    states for them had closed by then.
//! 5. **Output**: [`Recommendations::to_text`], [`Recommendations::to_json`], [`html`] (a
//!    self-contained page with what-if controls, the tech-versus-control chart and a province
//!    map) and [`csvio`] (many profiles in, matches out, safe for spreadsheets).
//!
//! Beside the flow: [`kernel`] ranks packed partners at scale ([`Recommender::rank`],
//! [`Recommender::rank_batch`], the optional `rayon` feature); [`features`] exports partners
//! as an `ndarray` feature matrix for your own models and plots; [`evaluate`] measures
//! ranking quality on graded judgments; [`reference`](mod@reference) is the slow, direct
//! scorer the fast paths are tested against; [`limits`] caps every input.
//!
//! The score follows the briefing's central trade-off (section 3.1): science parks and
//! special economic zones are high-tech but policy-dependent, industrial clusters are
//! market-driven and cooperation-oriented but low-tech. A profile's `tech_level`, `goals`
//! and `control_tolerance` decide which side of it wins.
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
//!
//! The briefing dates from 2018 and describes Table 4's clusters as of 2010: facts, figures
//! and policies are as it printed them, not as they stand today.
//!
//! # Examples
//!
//! - `src/bin/eccp-china`: the command line (`cargo install --path .`, then
//!   `eccp-china --help`; or `cargo run --release -- --help`).
//! - `examples/quickstart.rs`: the example above as a program.

#![deny(missing_docs)]
#![deny(unsafe_code)]

mod dataset;
mod date;
mod error;
mod profile;
mod recommend;
mod rng;
mod text;

// The data flow, one module a step. Each public module documents its step.
pub mod consortium;
pub mod csvio;
pub mod data;
pub mod explain;
pub mod html;
mod output;
pub mod resolve;
pub mod score;
pub mod whynot;
// Beside the flow: scale, export, measurement and limits.
pub mod evaluate;
pub mod features;
pub mod kernel;
pub mod limits;
pub mod reference;

pub use dataset::{Dataset, DatasetBuilder, Goal, Kind, Level, DATA_VERSION};
pub use error::{Error, IoSource, Result};
pub use profile::{Profile, ProfileBuilder, ProfileInput};
pub use recommend::{Match, PartnerRecommendations, ProfileMatch, Recommendations, Recommender};
pub use score::{Component, Diversity, Filter, Options, Weights};
