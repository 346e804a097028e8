//! The index settings in `search-config/`: Meilisearch settings JSON, one file per index. Both
//! backends read these same files (compiled into the binary, so a deployment cannot drift from
//! the code that maps documents to them).

use std::collections::{BTreeMap, HashSet};

use serde::Deserialize;

use crate::error::{AppError, AppResult};

/// The three indexes, in the order results of equal rank are listed.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum IndexKind {
    Drafts,
    Sections,
    Comments,
}

impl IndexKind {
    pub const ALL: [IndexKind; 3] = [IndexKind::Drafts, IndexKind::Sections, IndexKind::Comments];

    /// The index's name and the value of every document's `type` attribute.
    pub fn name(self) -> &'static str {
        match self {
            IndexKind::Drafts => "drafts",
            IndexKind::Sections => "sections",
            IndexKind::Comments => "comments",
        }
    }

    pub fn from_name(name: &str) -> Option<IndexKind> {
        IndexKind::ALL.into_iter().find(|k| k.name() == name)
    }

    fn file(self) -> &'static str {
        match self {
            IndexKind::Drafts => include_str!("../../../search-config/drafts.json"),
            IndexKind::Sections => include_str!("../../../search-config/sections.json"),
            IndexKind::Comments => include_str!("../../../search-config/comments.json"),
        }
    }
}

#[derive(Clone, Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
struct RawSettings {
    searchable_attributes: Vec<String>,
    filterable_attributes: Vec<String>,
    #[serde(default)]
    sortable_attributes: Vec<String>,
    #[serde(default)]
    stop_words: Vec<String>,
    #[serde(default)]
    synonyms: BTreeMap<String, Vec<String>>,
    #[serde(default)]
    typo_tolerance: TypoTolerance,
}

#[derive(Clone, Copy, Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct TypoTolerance {
    #[serde(default = "yes")]
    pub enabled: bool,
    #[serde(default)]
    pub min_word_size_for_typos: MinWordSize,
    #[serde(default)]
    pub disable_on_numbers: bool,
}

impl Default for TypoTolerance {
    fn default() -> Self {
        TypoTolerance {
            enabled: true,
            min_word_size_for_typos: MinWordSize::default(),
            disable_on_numbers: false,
        }
    }
}

fn yes() -> bool {
    true
}

#[derive(Clone, Copy, Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct MinWordSize {
    pub one_typo: usize,
    pub two_typos: usize,
}

impl Default for MinWordSize {
    /// Meilisearch's defaults.
    fn default() -> Self {
        MinWordSize {
            one_typo: 5,
            two_typos: 9,
        }
    }
}

impl TypoTolerance {
    /// Edits allowed on a query word of this many characters.
    pub fn typos_for(&self, word: &str) -> u8 {
        if !self.enabled || (self.disable_on_numbers && word.chars().all(|c| c.is_numeric())) {
            return 0;
        }
        let n = word.chars().count();
        if n >= self.min_word_size_for_typos.two_typos {
            2
        } else if n >= self.min_word_size_for_typos.one_typo {
            1
        } else {
            0
        }
    }
}

/// One index's settings, as the backends use them.
#[derive(Clone, Debug)]
pub struct IndexSettings {
    pub kind: IndexKind,
    /// The file as written, sent to Meilisearch unchanged.
    pub raw: serde_json::Value,
    /// In ranking order: a match in an earlier attribute ranks higher.
    pub searchable: Vec<String>,
    pub filterable: Vec<String>,
    pub sortable: Vec<String>,
    pub stop_words: HashSet<String>,
    pub synonyms: BTreeMap<String, Vec<String>>,
    pub typo: TypoTolerance,
}

impl IndexSettings {
    pub fn filters_on(&self, attribute: &str) -> bool {
        self.filterable.iter().any(|a| a == attribute)
    }
}

/// The settings of every index.
#[derive(Clone, Debug)]
pub struct SearchSettings {
    pub indexes: Vec<IndexSettings>,
}

impl SearchSettings {
    /// The settings compiled from `search-config/`.
    pub fn load() -> AppResult<SearchSettings> {
        let indexes = IndexKind::ALL
            .into_iter()
            .map(|kind| parse(kind, kind.file()))
            .collect::<AppResult<Vec<_>>>()?;
        Ok(SearchSettings { indexes })
    }

    pub fn of(&self, kind: IndexKind) -> &IndexSettings {
        // `load` builds one entry per kind, in `IndexKind::ALL` order.
        &self.indexes[kind as usize]
    }

    /// The stop words and synonyms are the same in every file (the tests hold them to it); the
    /// query analyser takes them from the first.
    pub fn shared(&self) -> &IndexSettings {
        &self.indexes[0]
    }
}

fn parse(kind: IndexKind, text: &str) -> AppResult<IndexSettings> {
    let bad = |e: serde_json::Error| {
        AppError::internal(format!("search-config/{}.json: {e}", kind.name()))
    };
    let raw: serde_json::Value = serde_json::from_str(text).map_err(bad)?;
    let s: RawSettings = serde_json::from_value(raw.clone()).map_err(bad)?;
    for required in ["type", "agency_id", "draft_id", "year"] {
        if !s.filterable_attributes.iter().any(|a| a == required) {
            return Err(AppError::internal(format!(
                "search-config/{}.json: `{required}` must be filterable",
                kind.name()
            )));
        }
    }
    Ok(IndexSettings {
        kind,
        raw,
        searchable: s.searchable_attributes,
        filterable: s.filterable_attributes,
        sortable: s.sortable_attributes,
        stop_words: s.stop_words.into_iter().collect(),
        synonyms: s.synonyms,
        typo: s.typo_tolerance,
    })
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used)]
mod tests {
    use super::*;

    #[test]
    fn every_file_parses_and_shares_stop_words_synonyms_and_typos() {
        let s = SearchSettings::load().unwrap();
        assert_eq!(s.indexes.len(), 3);
        for (i, kind) in IndexKind::ALL.into_iter().enumerate() {
            assert_eq!(s.indexes[i].kind, kind);
            assert!(!s.indexes[i].searchable.is_empty());
        }
        let first = &s.indexes[0];
        for other in &s.indexes[1..] {
            assert_eq!(first.stop_words, other.stop_words, "{:?}", other.kind);
            assert_eq!(first.synonyms, other.synonyms, "{:?}", other.kind);
            assert_eq!(first.raw["typoTolerance"], other.raw["typoTolerance"]);
            assert_eq!(first.raw["rankingRules"], other.raw["rankingRules"]);
        }
        // Synonyms go both ways.
        for (word, alts) in &first.synonyms {
            for alt in alts {
                assert!(
                    first
                        .synonyms
                        .get(alt)
                        .is_some_and(|back| back.contains(word)),
                    "{alt} -> {word}"
                );
            }
        }
        assert!(first.synonyms["พ.ร.บ."].contains(&"พระราชบัญญัติ".to_owned()));
        // Negation and modality carry meaning in law: never stop words.
        for word in ["ไม่", "ต้อง", "อาจ", "ห้าม"] {
            assert!(!first.stop_words.contains(word), "{word}");
        }
    }

    #[test]
    fn typos_follow_word_length() {
        let t = TypoTolerance::default();
        assert_eq!(t.typos_for("act"), 0);
        assert_eq!(t.typos_for("bicycle"), 1);
        assert_eq!(t.typos_for("consultation"), 2);
        let numbers = TypoTolerance {
            disable_on_numbers: true,
            ..t
        };
        assert_eq!(numbers.typos_for("2562000"), 0);
    }
}
