//! What each industrial cluster's name says it makes: the words of its names and aliases
//! without the place names, indexed so that a profile term can be looked up once per profile.
//!
//! A Table 4 cluster is named after its place and its product ("Zhuji socks industrial
//! cluster"), so its name is the most precise statement the briefing makes of what it makes.
//! Organisations, parks and zones are named after their field or mission ("China Wind
//! Energy Association"), which their sectors already state; their names are not read.

use super::partner::{Kind, Partner, PartnerIndex};
use super::regions::Regions;
use crate::text::{contains_words, product_words};
use std::collections::HashMap;

/// The product words of every industrial cluster, and which clusters each word occurs in.
#[derive(Debug, Clone, Default)]
pub(crate) struct ProductNames {
    /// Per partner, the word sequence of its name and of each alias.
    names: Vec<Vec<Vec<String>>>,
    /// Word to the partners whose names hold it, ascending and without duplicates.
    postings: HashMap<String, Vec<PartnerIndex>>,
}

impl ProductNames {
    pub(crate) fn new(partners: &[Partner], regions: &Regions) -> ProductNames {
        let mut index = ProductNames::default();
        for (i, p) in partners.iter().enumerate() {
            let at = PartnerIndex(i as u32);
            if p.kind() != Kind::IndustrialCluster {
                index.names.push(Vec::new());
                continue;
            }
            let names: Vec<Vec<String>> = std::iter::once(p.name())
                .chain(p.aliases().iter().map(String::as_str))
                .map(|n| {
                    product_words(n)
                        .into_iter()
                        // A place says where a partner is, not what it makes; preferred
                        // regions carry places.
                        .filter(|w| regions.lookup(w).is_none())
                        .collect()
                })
                .collect();
            for w in names.iter().flatten() {
                let list = index.postings.entry(w.clone()).or_default();
                if list.last() != Some(&at) {
                    list.push(at);
                }
            }
            index.names.push(names);
        }
        index
    }

    /// The industrial clusters whose name or an alias holds `phrase`'s words in a row (in the singular,
    /// places left out), ascending. Empty for a phrase of place names only.
    pub(crate) fn partners_named(&self, phrase: &str, regions: &Regions) -> Vec<PartnerIndex> {
        let words: Vec<String> = product_words(phrase)
            .into_iter()
            .filter(|w| regions.lookup(w).is_none())
            .collect();
        if words.is_empty() {
            return Vec::new();
        }
        // The rarest word's partners are the only candidates.
        let Some(candidates) = words
            .iter()
            .map(|w| self.postings.get(w).map_or(&[][..], Vec::as_slice))
            .min_by_key(|l| l.len())
        else {
            return Vec::new();
        };
        candidates
            .iter()
            .copied()
            .filter(|i| {
                self.names
                    .get(i.index())
                    .is_some_and(|ns| ns.iter().any(|n| contains_words(n, &words)))
            })
            .collect()
    }
}
