//! Caps on free-text input, so that fuzzy matching (quadratic in string length) stays cheap
//! whatever a web form sends.
//!
//! It sits at the bottom of the data flow: profile resolution and the data layer's messages
//! both read it, and it reads nothing.

/// Longest accepted `name`, in characters.
pub const NAME_CHARS: usize = 200;
/// Longest accepted sector, keyword or region string, in characters.
pub const TERM_CHARS: usize = 100;
/// Most `sectors` entries.
pub const SECTORS: usize = 32;
/// Most `keywords` entries.
pub const KEYWORDS: usize = 64;
/// Most `preferred_regions` entries.
pub const REGIONS: usize = 32;
/// Largest profile JSON accepted by [`Profile::from_json`](crate::Profile::from_json), in bytes.
pub const JSON_BYTES: usize = 64 * 1024;
