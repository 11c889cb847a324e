//! What an EU cluster wants from a Chinese partner. Profiles state goals; the data's
//! programmes say which goals they serve, so the type lives with the data.

use crate::text::normalize;
use std::fmt;

/// What an EU cluster wants from a Chinese partner.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
#[non_exhaustive]
pub enum Goal {
    /// Sell in China, find customers and distribution (the default).
    MarketAccess,
    /// Joint research and development.
    RdCooperation,
    /// License or transfer technology, in either direction.
    TechnologyTransfer,
    /// Source components, products or production capacity.
    Sourcing,
    /// Invest in or set up operations in China.
    Investment,
    /// Help to get started: rules and IPR, counterparts, contacts with the authorities. The
    /// goal that intermediaries (support services, government bodies) serve: with it they
    /// join the ranked list; without it they appear only as "who can help".
    BusinessSupport,
}

impl Goal {
    /// Every goal, in declaration order.
    pub const ALL: [Goal; 6] = [
        Goal::MarketAccess,
        Goal::RdCooperation,
        Goal::TechnologyTransfer,
        Goal::Sourcing,
        Goal::Investment,
        Goal::BusinessSupport,
    ];

    /// The name used in profiles, e.g. `market_access`.
    pub fn as_str(self) -> &'static str {
        match self {
            Goal::MarketAccess => "market_access",
            Goal::RdCooperation => "rd_cooperation",
            Goal::TechnologyTransfer => "technology_transfer",
            Goal::Sourcing => "sourcing",
            Goal::Investment => "investment",
            Goal::BusinessSupport => "business_support",
        }
    }

    /// The goal in plain words, e.g. "R&D cooperation"; [`Goal::parse`] reads it back.
    pub fn label(self) -> &'static str {
        match self {
            Goal::MarketAccess => "market access",
            Goal::RdCooperation => "R&D cooperation",
            Goal::TechnologyTransfer => "technology transfer",
            Goal::Sourcing => "sourcing",
            Goal::Investment => "investment",
            Goal::BusinessSupport => "business support",
        }
    }

    /// Parses a goal name. Accepts the snake_case name and its spelling with spaces or
    /// hyphens ("market access", "R&D cooperation"); anything else is `None`.
    pub fn parse(s: &str) -> Option<Goal> {
        let key = normalize(s).replace(' ', "_");
        let key = key.replace("r_and_d", "rd");
        Goal::ALL.into_iter().find(|g| g.as_str() == key)
    }
}

impl fmt::Display for Goal {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl serde::Serialize for Goal {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.as_str())
    }
}
