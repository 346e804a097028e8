//! Words of a text, the way Meilisearch sees them: `charabia` segments Thai (written without
//! spaces between words) with its dictionary, and normalises every word (case, width,
//! diacritics of Latin letters). The embedded index, its queries and the highlighter all use this
//! one analyser, so what is indexed, what is searched and what is marked always agree.

use std::{collections::HashSet, sync::Arc};

use charabia::{Language, Tokenizer, TokenizerBuilder};

/// A word of a text: its normalised form and where it is in the original, in bytes.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Word {
    pub lemma: String,
    pub start: usize,
    pub end: usize,
    pub stop: bool,
}

/// The languages rubfang's texts are written in (the settings' `localizedAttributes`).
static LANGUAGES: [Language; 2] = [Language::Tha, Language::Eng];

pub struct Analyzer {
    tokenizer: Tokenizer<'static>,
    /// Normalised, so `Word::lemma` can be looked up directly.
    stop_words: HashSet<String>,
}

impl std::fmt::Debug for Analyzer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Analyzer")
            .field("stop_words", &self.stop_words.len())
            .finish()
    }
}

impl Analyzer {
    pub fn new<'a>(stop_words: impl IntoIterator<Item = &'a String>) -> Arc<Analyzer> {
        let mut builder = TokenizerBuilder::<Vec<u8>>::default();
        builder.allow_list(&LANGUAGES);
        let mut analyzer = Analyzer {
            tokenizer: builder.into_tokenizer(),
            stop_words: HashSet::new(),
        };
        let normalised: HashSet<String> = stop_words
            .into_iter()
            .flat_map(|w| {
                let words = analyzer.words(w);
                // A stop "word" the segmenter splits is not one word: leave it out.
                (words.len() == 1).then(|| words.into_iter().map(|w| w.lemma))
            })
            .flatten()
            .collect();
        analyzer.stop_words = normalised;
        Arc::new(analyzer)
    }

    /// Every word of `text` in order, stop words flagged.
    pub fn words(&self, text: &str) -> Vec<Word> {
        self.tokenizer
            .tokenize(text)
            .filter(|t| t.is_word() || t.is_stopword())
            .filter(|t| !t.lemma().trim().is_empty())
            .map(|t| {
                let lemma = t.lemma().to_owned();
                Word {
                    stop: self.stop_words.contains(&lemma),
                    lemma,
                    start: t.byte_start,
                    end: t.byte_end,
                }
            })
            .collect()
    }

    /// The normalised form of a short text, words joined by single spaces (for matching
    /// synonyms, whose keys may span several words).
    pub fn normalise(&self, text: &str) -> String {
        self.words(text)
            .into_iter()
            .map(|w| w.lemma)
            .collect::<Vec<_>>()
            .join(" ")
    }
}

/// Whether a normalised word is Thai (and so may have been cut differently in another context).
pub fn is_thai(lemma: &str) -> bool {
    lemma
        .chars()
        .any(|c| ('\u{0E01}'..='\u{0E5B}').contains(&c))
}

/// Runs of Thai words written without a space between them: the segmenter may cut the same word
/// differently in different sentences (`ใช้ใบ|อนุญาต` here, `ใบอนุญาต` there), so search also
/// matches Thai words as character sequences within a run.
#[derive(Clone, Debug, Default)]
pub struct ThaiRun {
    /// The run's normalised characters.
    pub chars: Vec<char>,
    /// For each character, the byte range in the original text of the word it came from.
    pub source: Vec<(usize, usize)>,
}

impl Analyzer {
    pub fn thai_runs(&self, text: &str) -> Vec<ThaiRun> {
        thai_runs(&self.words(text))
    }

    /// Character bigrams of every Thai run, positions consecutive within a run.
    pub fn grams(&self, text: &str) -> Vec<(String, usize, usize)> {
        let mut out = Vec::new();
        for run in self.thai_runs(text) {
            for i in 0..run.chars.len().saturating_sub(1) {
                let gram: String = run.chars[i..i + 2].iter().collect();
                out.push((gram, run.source[i].0, run.source[i + 1].1));
            }
        }
        out
    }
}

/// The runs of Thai words written without a space between them, from words already cut.
pub fn thai_runs(words: &[Word]) -> Vec<ThaiRun> {
    let mut runs: Vec<ThaiRun> = Vec::new();
    let mut last_end = usize::MAX;
    for w in words {
        if !is_thai(&w.lemma) {
            last_end = usize::MAX;
            continue;
        }
        if w.start != last_end || runs.is_empty() {
            runs.push(ThaiRun::default());
        }
        if let Some(run) = runs.last_mut() {
            for c in w.lemma.chars() {
                run.chars.push(c);
                run.source.push((w.start, w.end));
            }
        }
        last_end = w.end;
    }
    runs
}

/// The bigrams of one normalised Thai word, in order.
pub fn word_grams(lemma: &str) -> Vec<String> {
    let chars: Vec<char> = lemma.chars().collect();
    chars.windows(2).map(|w| w.iter().collect()).collect()
}

/// The Thai bigrams as a tantivy tokenizer (positions let a word match as a phrase of them).
#[derive(Clone)]
pub struct TantivyGrams(pub Arc<Analyzer>);

impl tantivy::tokenizer::Tokenizer for TantivyGrams {
    type TokenStream<'a> = WordStream;

    fn token_stream<'a>(&'a mut self, text: &'a str) -> WordStream {
        WordStream::new(
            self.0
                .grams(text)
                .into_iter()
                .enumerate()
                .map(|(position, (gram, start, end))| (position, gram, start, end)),
        )
    }
}

/// The analyser as a tantivy tokenizer. Stop words are skipped but keep their position, so
/// proximity still counts them.
#[derive(Clone)]
pub struct TantivyAnalyzer(pub Arc<Analyzer>);

pub struct WordStream {
    tokens: Vec<tantivy::tokenizer::Token>,
    next: usize,
}

impl WordStream {
    /// From (position, text, start byte, end byte).
    fn new(tokens: impl Iterator<Item = (usize, String, usize, usize)>) -> WordStream {
        let tokens = tokens
            .map(
                |(position, text, offset_from, offset_to)| tantivy::tokenizer::Token {
                    offset_from,
                    offset_to,
                    position,
                    text,
                    position_length: 1,
                },
            )
            .collect();
        WordStream { tokens, next: 0 }
    }
}

impl tantivy::tokenizer::Tokenizer for TantivyAnalyzer {
    type TokenStream<'a> = WordStream;

    fn token_stream<'a>(&'a mut self, text: &'a str) -> WordStream {
        WordStream::new(
            self.0
                .words(text)
                .into_iter()
                .enumerate()
                .filter(|(_, w)| !w.stop)
                .map(|(position, w)| (position, w.lemma, w.start, w.end)),
        )
    }
}

impl tantivy::tokenizer::TokenStream for WordStream {
    fn advance(&mut self) -> bool {
        if self.next < self.tokens.len() {
            self.next += 1;
            true
        } else {
            false
        }
    }

    fn token(&self) -> &tantivy::tokenizer::Token {
        &self.tokens[self.next - 1]
    }

    fn token_mut(&mut self) -> &mut tantivy::tokenizer::Token {
        &mut self.tokens[self.next - 1]
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used)]
mod tests {
    use super::*;

    fn lemmas(a: &Analyzer, text: &str) -> Vec<String> {
        a.words(text).into_iter().map(|w| w.lemma).collect()
    }

    #[test]
    fn thai_is_split_into_words_without_spaces() {
        let a = Analyzer::new(&[]);
        let words = lemmas(&a, "ให้พนักงานเจ้าหน้าที่มีอำนาจออกใบอนุญาต");
        assert!(words.len() >= 4, "{words:?}");
        // Like Meilisearch, normalisation drops the marks above and below (so a query typed
        // without them still matches); the word is found whole inside the sentence.
        let licence = a.normalise("ใบอนุญาต");
        assert_eq!(licence, "ใบอนญาต");
        assert!(words.contains(&licence), "{words:?}");
        // Offsets point into the original text.
        for w in a.words("การขอใบอนุญาตขับขี่") {
            assert!(w.end > w.start);
        }
    }

    #[test]
    fn a_word_cut_differently_is_still_a_run_of_its_characters() {
        let a = Analyzer::new(&[]);
        // The segmenter cuts this sentence as ...|ใชใบ|อนญาต|...
        let text = "ให้ผู้อนุญาตพักใช้ใบอนุญาตได้";
        let runs = a.thai_runs(text);
        assert_eq!(runs.len(), 1);
        let run: String = runs[0].chars.iter().collect();
        assert!(run.contains(&a.normalise("ใบอนุญาต")), "{run}");
        let grams: Vec<String> = a.grams(text).into_iter().map(|g| g.0).collect();
        let word = word_grams(&a.normalise("ใบอนุญาต"));
        assert!(grams.windows(word.len()).any(|w| w == word.as_slice()));
        // A space ends a run.
        assert_eq!(a.thai_runs("ใบอนุญาต ขับขี่").len(), 2);
    }

    #[test]
    fn latin_is_lower_cased_and_stop_words_flagged() {
        let a = Analyzer::new(&["the".to_owned(), "และ".to_owned()]);
        let words = a.words("The Bicycle Act และการจราจร");
        assert_eq!(words[0].lemma, "the");
        assert!(words[0].stop);
        assert_eq!(words[1].lemma, "bicycle");
        assert!(!words[1].stop);
        assert!(words.iter().any(|w| w.stop && w.lemma == "และ"));
        assert_eq!(&"The Bicycle Act"[words[1].start..words[1].end], "Bicycle");
    }
}
