//! The embedded backend: one tantivy index under the data directory holding the three indexes'
//! documents, words cut by the same [`Analyzer`] Meilisearch's tokenizer gives.
//!
//! How it honours `search-config/` (the README lists the differences):
//! - `searchableAttributes`: only these are indexed, and a match in an earlier attribute weighs
//!   more (each attribute twice the next). Ranking within that is BM25, not Meilisearch's
//!   bucket sort (`rankingRules` are not applied one by one).
//! - `filterableAttributes`: filters and facet counts, per index.
//! - `stopWords`, `synonyms` and `typoTolerance.minWordSizeForTypos`: as Meilisearch applies
//!   them to queries. Every query word must match (Meilisearch's `matchingStrategy: all`, which
//!   the Meilisearch backend asks for too); the last word also matches as a prefix.

use std::{
    collections::{BTreeMap, HashMap},
    path::Path,
    sync::Arc,
};

use async_trait::async_trait;
use std::sync::Mutex;
use tantivy::{
    DocAddress, DocId, Index, IndexReader, IndexWriter, ReloadPolicy, Score, SegmentOrdinal,
    SegmentReader, TantivyDocument, Term,
    collector::{Collector, Count, SegmentCollector, TopDocs},
    columnar::StrColumn,
    query::{BooleanQuery, BoostQuery, FuzzyTermQuery, Occur, Query, TermQuery},
    schema::{
        FAST, Field, IndexRecordOption, STORED, STRING, Schema, TextFieldIndexing, TextOptions,
        Value,
    },
};

use super::{
    Change, FACETS, Hit, IndexKind, SearchBackend, SearchDoc, SearchRequest, SearchResults,
    SearchSettings,
    analyzer::{Analyzer, TantivyAnalyzer, TantivyGrams, Word, is_thai, thai_runs, word_grams},
    highlight,
    settings::IndexSettings,
};
use crate::error::{AppError, AppResult};

/// Bumped whenever the schema or the analysis changes: an index of another version is rebuilt.
const FORMAT: &str = "rubfang-embedded-6";
const TOKENIZER: &str = "rubfang";
const GRAM_TOKENIZER: &str = "rubfang_grams";
/// Weight of a Thai word matched as characters within a run rather than as a whole word.
const GRAM_WEIGHT: Score = 0.5;
/// A word found whole in this many documents is not widened by prefixes, typos or the character
/// fallback: they would add a few documents to a list far longer than anyone reads, at the cost
/// of scoring every one of them several times over.
const WIDEN_BELOW: u64 = 5_000;
/// Every searchable attribute of every index.
const TEXT_FIELDS: [&str; 8] = [
    "title",
    "title_en",
    "rationale",
    "agency_name",
    "label",
    "heading",
    "body",
    "draft_title",
];

struct Fields {
    /// `sections:12`, for replacing and deleting one document.
    key: Field,
    /// `attribute=value` for every filterable attribute: filtered on, and counted.
    facet: Field,
    /// One single-valued column per counted attribute (`f_stance`...), read by the facet
    /// counter: a direct lookup per document instead of a walk through all its values.
    counted: HashMap<&'static str, Field>,
    /// The document as JSON, for snippets.
    doc: Field,
    text: HashMap<&'static str, Field>,
    /// Thai character bigrams of every searchable attribute (see [`Analyzer::grams`]).
    grams: Field,
}

/// Cheap to clone; the work runs on blocking threads.
#[derive(Clone)]
pub struct EmbeddedSearch(Arc<Inner>);

pub struct Inner {
    settings: Arc<SearchSettings>,
    analyzer: Arc<Analyzer>,
    index: Index,
    reader: IndexReader,
    writer: Mutex<Option<IndexWriter>>,
    /// Tests make the writer fail to simulate an outage.
    failing: std::sync::atomic::AtomicBool,
    fields: Arc<Fields>,
    fresh: bool,
}

fn err(e: impl std::fmt::Display) -> AppError {
    AppError::internal(format!("embedded search: {e}"))
}

fn schema() -> (Schema, Fields) {
    let mut b = Schema::builder();
    let key = b.add_text_field("key", STRING | STORED);
    let facet = b.add_text_field("facet", STRING);
    let counted = FACETS
        .into_iter()
        .map(|a| (a, b.add_text_field(&format!("f_{a}"), FAST)))
        .collect();
    let doc = b.add_text_field("doc", STORED);
    // Word fields need no positions (no phrase queries run on them); the bigram field does.
    let indexing = TextFieldIndexing::default()
        .set_tokenizer(TOKENIZER)
        .set_index_option(IndexRecordOption::WithFreqs);
    let text = TEXT_FIELDS
        .into_iter()
        .map(|name| {
            (
                name,
                b.add_text_field(
                    name,
                    TextOptions::default().set_indexing_options(indexing.clone()),
                ),
            )
        })
        .collect();
    let grams = b.add_text_field(
        "grams",
        TextOptions::default().set_indexing_options(
            TextFieldIndexing::default()
                .set_tokenizer(GRAM_TOKENIZER)
                .set_index_option(IndexRecordOption::WithFreqsAndPositions),
        ),
    );
    (
        b.build(),
        Fields {
            key,
            facet,
            counted,
            doc,
            text,
            grams,
        },
    )
}

impl EmbeddedSearch {
    /// Opens the index in `dir` (created if missing; rebuilt empty if it was written by another
    /// version), or in memory when `dir` is `None`.
    pub fn open(dir: Option<&Path>, settings: Arc<SearchSettings>) -> AppResult<EmbeddedSearch> {
        let (schema, fields) = schema();
        let (index, fresh) = match dir {
            None => (Index::create_in_ram(schema), true),
            Some(dir) => {
                let marker = dir.join("FORMAT");
                let current = std::fs::read_to_string(&marker).ok();
                let fresh = current.as_deref() != Some(FORMAT);
                if fresh && dir.exists() {
                    tracing::info!(dir = %dir.display(), "search index missing or of another version: rebuilding it");
                    std::fs::remove_dir_all(dir).map_err(err)?;
                }
                std::fs::create_dir_all(dir).map_err(err)?;
                let index = if fresh {
                    Index::create_in_dir(dir, schema).map_err(err)?
                } else {
                    Index::open_in_dir(dir).map_err(err)?
                };
                std::fs::write(&marker, FORMAT).map_err(err)?;
                (index, fresh)
            }
        };
        let analyzer = Analyzer::new(&settings.shared().stop_words);
        index
            .tokenizers()
            .register(TOKENIZER, TantivyAnalyzer(analyzer.clone()));
        index
            .tokenizers()
            .register(GRAM_TOKENIZER, TantivyGrams(analyzer.clone()));
        let reader = index
            .reader_builder()
            .reload_policy(ReloadPolicy::Manual)
            .try_into()
            .map_err(err)?;
        Ok(EmbeddedSearch(Arc::new(Inner {
            settings,
            analyzer,
            index,
            reader,
            writer: Mutex::new(None),
            failing: std::sync::atomic::AtomicBool::new(false),
            fields: Arc::new(fields),
            fresh,
        })))
    }

    /// While set, every write fails as if the disk had gone away (for outage tests).
    pub fn fail_writes(&self, failing: bool) {
        self.0
            .failing
            .store(failing, std::sync::atomic::Ordering::SeqCst);
    }
}

impl EmbeddedSearch {
    fn key(index: IndexKind, id: i64) -> String {
        format!("{}:{id}", index.name())
    }
}

impl Inner {
    fn document(&self, doc: &SearchDoc) -> AppResult<Option<TantivyDocument>> {
        let Some(kind) = doc.index() else {
            return Ok(None);
        };
        let settings = self.settings.of(kind);
        let f = &self.fields;
        let mut out = TantivyDocument::default();
        out.add_text(f.key, EmbeddedSearch::key(kind, doc.id));
        for attribute in &settings.filterable {
            if let Some(value) = doc.facet(attribute) {
                if let Some(&column) = f.counted.get(attribute.as_str()) {
                    out.add_text(column, &value);
                }
                out.add_text(f.facet, format!("{attribute}={value}"));
            }
        }
        for attribute in &settings.searchable {
            if let (Some(text), Some(field)) = (doc.text(attribute), f.text.get(attribute.as_str()))
            {
                out.add_text(*field, text);
                out.add_text(f.grams, text);
            }
        }
        out.add_text(f.doc, serde_json::to_string(doc).map_err(err)?);
        Ok(Some(out))
    }

    fn facet_term(&self, attribute: &str, value: &str) -> Term {
        Term::from_field_text(self.fields.facet, &format!("{attribute}={value}"))
    }

    fn facet_query(&self, attribute: &str, value: &str) -> Box<dyn Query> {
        Box::new(TermQuery::new(
            self.facet_term(attribute, value),
            IndexRecordOption::Basic,
        ))
    }
}

/// The words of a query, after stop words and with synonym variants.
#[derive(Clone, Debug)]
pub struct QueryWords {
    /// Each variant is a list of words that must all match; the original is first.
    pub variants: Vec<Vec<QueryWord>>,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct QueryWord {
    pub lemma: String,
    pub typos: u8,
    pub prefix: bool,
}

impl QueryWord {
    pub fn matches(&self, lemma: &str) -> bool {
        lemma == self.lemma
            || (self.prefix && lemma.starts_with(&self.lemma))
            || (self.typos > 0
                && within_edits(lemma, &self.lemma, self.typos as usize, self.prefix))
    }
}

/// Whether `a` is within `max` edits of `b` (or of a prefix of `a`, when `prefix`).
fn within_edits(a: &str, b: &str, max: usize, prefix: bool) -> bool {
    let a: Vec<char> = a.chars().collect();
    let b: Vec<char> = b.chars().collect();
    if !prefix && a.len().abs_diff(b.len()) > max {
        return false;
    }
    // Rows over `a`, columns over `b`: the distance from a[..i] to b[..j].
    let mut prev: Vec<usize> = (0..=b.len()).collect();
    let mut best_prefix = prev[b.len()];
    for i in 1..=a.len() {
        let mut row = vec![i; b.len() + 1];
        for j in 1..=b.len() {
            let cost = usize::from(a[i - 1] != b[j - 1]);
            row[j] = (prev[j] + 1).min(row[j - 1] + 1).min(prev[j - 1] + cost);
        }
        best_prefix = best_prefix.min(row[b.len()]);
        if prefix && best_prefix <= max {
            return true;
        }
        if row.iter().min().copied().unwrap_or(0) > max {
            return false;
        }
        prev = row;
    }
    if prefix {
        best_prefix <= max
    } else {
        prev[b.len()] <= max
    }
}

/// How many variants a query may grow into through synonyms.
const MAX_VARIANTS: usize = 8;

pub fn query_words(analyzer: &Analyzer, settings: &IndexSettings, query: &str) -> QueryWords {
    let words = analyzer.words(query);
    let all_stop = words.iter().all(|w| w.stop);
    let lemmas: Vec<String> = words
        .into_iter()
        .filter(|w| all_stop || !w.stop)
        .map(|w| w.lemma)
        .collect();
    // Variants: the query with one synonym key replaced by each of its alternatives.
    let mut variants = vec![lemmas.clone()];
    for (key, alternatives) in &settings.synonyms {
        let key: Vec<String> = analyzer.words(key).into_iter().map(|w| w.lemma).collect();
        if key.is_empty() || key.len() > lemmas.len() {
            continue;
        }
        let Some(at) = lemmas.windows(key.len()).position(|w| w == key.as_slice()) else {
            continue;
        };
        for alternative in alternatives {
            let alt: Vec<String> = analyzer
                .words(alternative)
                .into_iter()
                .filter(|w| !w.stop)
                .map(|w| w.lemma)
                .collect();
            if alt.is_empty() {
                continue;
            }
            let mut v = lemmas[..at].to_vec();
            v.extend(alt);
            v.extend_from_slice(&lemmas[at + key.len()..]);
            if variants.len() < MAX_VARIANTS && !variants.contains(&v) {
                variants.push(v);
            }
        }
    }
    let ends_open = !query.ends_with(char::is_whitespace);
    QueryWords {
        variants: variants
            .into_iter()
            .enumerate()
            .map(|(n, v)| {
                let last = v.len().saturating_sub(1);
                v.into_iter()
                    .enumerate()
                    .map(|(i, lemma)| QueryWord {
                        typos: settings.typo.typos_for(&lemma),
                        // Only the query as typed is still being typed.
                        prefix: n == 0 && ends_open && i == last,
                        lemma,
                    })
                    .collect()
            })
            .filter(|v: &Vec<QueryWord>| !v.is_empty())
            .collect(),
    }
}

impl Inner {
    /// The weight of a searchable attribute: each attribute twice the next in its index's
    /// ranking order; an attribute of several indexes (`body`) takes its highest.
    fn field_weights(&self, indexes: &[&IndexSettings]) -> Vec<(Field, Score)> {
        let mut weights: HashMap<&str, u32> = HashMap::new();
        for index in indexes {
            let n = index.searchable.len();
            for (rank, attribute) in index.searchable.iter().enumerate() {
                let w = 1u32 << (n - 1 - rank).min(8);
                let e = weights.entry(attribute.as_str()).or_default();
                *e = (*e).max(w);
            }
        }
        let mut out: Vec<(Field, Score)> = weights
            .into_iter()
            .filter_map(|(a, w)| Some((*self.fields.text.get(a)?, w as Score)))
            .collect();
        out.sort_by_key(|(f, _)| f.field_id());
        out
    }

    /// What the words must match, built once for every index: each word of a variant in one of
    /// the searchable attributes, exactly, with its typos, as a prefix (the last word as
    /// typed), or (Thai) as characters inside a run.
    fn text_query(
        &self,
        searcher: &tantivy::Searcher,
        words: &QueryWords,
        indexes: &[&IndexSettings],
    ) -> Box<dyn Query> {
        let fields = self.field_weights(indexes);
        let variants: Vec<(Occur, Box<dyn Query>)> = words
            .variants
            .iter()
            .map(|variant| {
                let must: Vec<(Occur, Box<dyn Query>)> = variant
                    .iter()
                    .map(|word| {
                        let mut alternatives: Vec<(Occur, Box<dyn Query>)> = Vec::new();
                        let whole_word_docs: u64 = fields
                            .iter()
                            .map(|&(field, _)| {
                                searcher
                                    .doc_freq(&Term::from_field_text(field, &word.lemma))
                                    .unwrap_or(0)
                            })
                            .sum();
                        // A word found whole in many documents is not widened further.
                        let widen = whole_word_docs < WIDEN_BELOW;
                        for &(field, weight) in &fields {
                            let term = Term::from_field_text(field, &word.lemma);
                            alternatives.push((
                                Occur::Should,
                                Box::new(BoostQuery::new(
                                    Box::new(TermQuery::new(
                                        term.clone(),
                                        IndexRecordOption::WithFreqs,
                                    )),
                                    weight * 2.0,
                                )),
                            ));
                            if word.prefix && widen {
                                alternatives.push((
                                    Occur::Should,
                                    Box::new(BoostQuery::new(
                                        Box::new(FuzzyTermQuery::new_prefix(term.clone(), 0, true)),
                                        weight,
                                    )),
                                ));
                            }
                            if word.typos > 0 && widen {
                                alternatives.push((
                                    Occur::Should,
                                    Box::new(BoostQuery::new(
                                        Box::new(FuzzyTermQuery::new(term, word.typos, true)),
                                        weight,
                                    )),
                                ));
                            }
                        }
                        if widen && let Some(q) = self.gram_query(&word.lemma) {
                            alternatives.push((Occur::Should, q));
                        }
                        (
                            Occur::Must,
                            Box::new(BooleanQuery::new(alternatives)) as Box<dyn Query>,
                        )
                    })
                    .collect();
                (
                    Occur::Should,
                    Box::new(BooleanQuery::new(must)) as Box<dyn Query>,
                )
            })
            .collect();
        Box::new(BooleanQuery::new(variants))
    }

    /// Which documents the filter lets through: per index, its type and the conditions.
    fn filter_query(&self, indexes: &[&IndexSettings], request: &SearchRequest) -> Box<dyn Query> {
        let per_index: Vec<(Occur, Box<dyn Query>)> = indexes
            .iter()
            .map(|settings| {
                let mut clauses: Vec<(Occur, Box<dyn Query>)> =
                    vec![(Occur::Must, self.facet_query("type", settings.kind.name()))];
                for (attribute, value) in &request.filter.equals {
                    clauses.push((Occur::Must, self.facet_query(attribute, value)));
                }
                (
                    Occur::Should,
                    Box::new(BooleanQuery::new(clauses)) as Box<dyn Query>,
                )
            })
            .collect();
        Box::new(tantivy::query::ConstScoreQuery::new(
            Box::new(BooleanQuery::new(per_index)),
            0.0,
        ))
    }

    /// A Thai word as a sequence of characters inside a run (found however the segmenter cut
    /// the text around it).
    fn gram_query(&self, lemma: &str) -> Option<Box<dyn Query>> {
        if !is_thai(lemma) {
            return None;
        }
        let terms: Vec<Term> = word_grams(lemma)
            .iter()
            .map(|g| Term::from_field_text(self.fields.grams, g))
            .collect();
        let query: Box<dyn Query> = match terms.len() {
            0 => return None,
            1 => Box::new(TermQuery::new(
                terms[0].clone(),
                IndexRecordOption::WithFreqs,
            )),
            _ => Box::new(tantivy::query::PhraseQuery::new(terms)),
        };
        Some(Box::new(BoostQuery::new(query, GRAM_WEIGHT)))
    }

    fn search_blocking(&self, request: &SearchRequest) -> AppResult<SearchResults> {
        let indexes = request.filter.indexes(&self.settings);
        let words = query_words(&self.analyzer, self.settings.shared(), &request.query);
        if indexes.is_empty() || words.variants.is_empty() {
            return Ok(SearchResults::default());
        }
        let searcher = self.reader.searcher();
        let mut clauses = vec![(Occur::Must, self.text_query(&searcher, &words, &indexes))];
        // No condition and every index: nothing to filter (and no union over every document).
        if !request.filter.equals.is_empty() || indexes.len() < self.settings.indexes.len() {
            clauses.push((Occur::Must, self.filter_query(&indexes, request)));
        }
        let query = BooleanQuery::new(clauses);
        let top = TopDocs::with_limit(request.limit.max(1))
            .and_offset(request.offset)
            .order_by_score();
        let (top, total, facets) = if request.facets {
            searcher
                .search(&query, &(top, Count, FacetCounter))
                .map_err(err)?
        } else {
            let (top, total) = searcher.search(&query, &(top, Count)).map_err(err)?;
            (top, total, BTreeMap::new())
        };
        let mut hits = Vec::with_capacity(top.len());
        for (_, address) in top.into_iter().take(request.limit) {
            if let Some(hit) = self.hit(&searcher, address, &words)? {
                hits.push(hit);
            }
        }
        Ok(SearchResults {
            hits,
            total,
            facets,
        })
    }

    fn hit(
        &self,
        searcher: &tantivy::Searcher,
        address: DocAddress,
        words: &QueryWords,
    ) -> AppResult<Option<Hit>> {
        let stored: TantivyDocument = searcher.doc(address).map_err(err)?;
        let Some(json) = stored.get_first(self.fields.doc).and_then(|v| v.as_str()) else {
            return Ok(None);
        };
        let doc: SearchDoc = serde_json::from_str(json).map_err(err)?;
        let Some(kind) = doc.index() else {
            return Ok(None);
        };
        let settings = self.settings.of(kind);
        Ok(Some(Hit {
            index: kind,
            id: doc.id,
            highlight: snippet(&self.analyzer, settings, &doc, words),
        }))
    }
}

/// The snippet of the first searchable attribute with a match (or of the first with text).
pub fn snippet(
    analyzer: &Analyzer,
    settings: &IndexSettings,
    doc: &SearchDoc,
    words: &QueryWords,
) -> String {
    let mut fallback = None;
    for attribute in &settings.searchable {
        let Some(text) = doc.text(attribute).filter(|t| !t.is_empty()) else {
            continue;
        };
        fallback.get_or_insert(text);
        // Cut once: the word matches and the character matches both read these words.
        let cut = analyzer.words(text);
        let mut ranges: Vec<(usize, usize)> = cut
            .iter()
            .filter(|w| {
                // A one-letter word (the พ of พ.ร.บ.) is marked only as part of a longer match.
                w.lemma.chars().count() > 1
                    && words.variants.iter().flatten().any(|q| q.matches(&w.lemma))
            })
            .map(|w| (w.start, w.end))
            .collect();
        ranges.extend(thai_run_matches(&cut, words));
        if !ranges.is_empty() {
            return highlight::snippet(text, &ranges, highlight::SNIPPET_CHARS);
        }
    }
    fallback.map_or_else(String::new, |t| {
        highlight::snippet(t, &[], highlight::SNIPPET_CHARS)
    })
}

/// Where a Thai query word occurs as characters inside a run of `text`: the words of the run it
/// spans, in the original text.
fn thai_run_matches(cut: &[Word], words: &QueryWords) -> Vec<(usize, usize)> {
    let thai: Vec<Vec<char>> = words
        .variants
        .iter()
        .flatten()
        .filter(|w| is_thai(&w.lemma) && w.lemma.chars().count() >= 2)
        .map(|w| w.lemma.chars().collect())
        .collect();
    if thai.is_empty() {
        return Vec::new();
    }
    let mut out = Vec::new();
    for run in thai_runs(cut) {
        for word in &thai {
            if word.len() > run.chars.len() {
                continue;
            }
            for i in 0..=run.chars.len() - word.len() {
                if run.chars[i..i + word.len()] == word[..] {
                    out.push((run.source[i].0, run.source[i + word.len() - 1].1));
                }
            }
        }
    }
    out
}

/// Counts the values of the facet attributes over every matching document.
struct FacetCounter;

struct SegmentFacetCounter {
    /// Per counted attribute: its column in this segment and a count per value ordinal.
    columns: Vec<(&'static str, StrColumn, Vec<u64>)>,
}

impl Collector for FacetCounter {
    type Fruit = BTreeMap<String, BTreeMap<String, u64>>;
    type Child = SegmentFacetCounter;

    fn for_segment(
        &self,
        _: SegmentOrdinal,
        segment: &SegmentReader,
    ) -> tantivy::Result<SegmentFacetCounter> {
        let mut columns = Vec::with_capacity(FACETS.len());
        for attribute in FACETS {
            if let Some(column) = segment.fast_fields().str(&format!("f_{attribute}"))? {
                let terms = column.num_terms();
                columns.push((attribute, column, vec![0; terms]));
            }
        }
        Ok(SegmentFacetCounter { columns })
    }

    fn requires_scoring(&self) -> bool {
        false
    }

    fn merge_fruits(
        &self,
        fruits: Vec<BTreeMap<String, BTreeMap<String, u64>>>,
    ) -> tantivy::Result<Self::Fruit> {
        let mut out: Self::Fruit = BTreeMap::new();
        for fruit in fruits {
            for (attribute, values) in fruit {
                let into = out.entry(attribute).or_default();
                for (value, n) in values {
                    *into.entry(value).or_default() += n;
                }
            }
        }
        Ok(out)
    }
}

impl SegmentCollector for SegmentFacetCounter {
    type Fruit = BTreeMap<String, BTreeMap<String, u64>>;

    fn collect(&mut self, doc: DocId, _: Score) {
        for (_, column, counts) in &mut self.columns {
            if let Some(ord) = column.ords().first(doc)
                && let Some(n) = counts.get_mut(ord as usize)
            {
                *n += 1;
            }
        }
    }

    fn harvest(self) -> Self::Fruit {
        let mut out: Self::Fruit = BTreeMap::new();
        let mut value = String::new();
        for (attribute, column, counts) in self.columns {
            for (ord, n) in counts.into_iter().enumerate() {
                if n > 0 && matches!(column.ord_to_str(ord as u64, &mut value), Ok(true)) {
                    out.entry(attribute.to_owned())
                        .or_default()
                        .insert(value.clone(), n);
                }
            }
        }
        out
    }
}

impl Inner {
    fn writer<'a>(
        &self,
        guard: &'a mut std::sync::MutexGuard<'_, Option<IndexWriter>>,
    ) -> AppResult<&'a mut IndexWriter> {
        if guard.is_none() {
            // One indexing thread per core (at most 4), 64 MB each.
            let threads = std::thread::available_parallelism().map_or(1, |n| n.get().min(4));
            **guard = Some(
                self.index
                    .writer_with_num_threads(threads, threads * 64_000_000)
                    .map_err(err)?,
            );
        }
        guard.as_mut().ok_or_else(|| err("no writer"))
    }

    fn apply_blocking(&self, changes: &[Change]) -> AppResult<()> {
        let mut guard = self.writer.lock().map_err(err)?;
        let writer = self.writer(&mut guard)?;
        let result = (|| -> AppResult<()> {
            if self.failing.load(std::sync::atomic::Ordering::SeqCst) {
                return Err(err("writes are failing (simulated outage)"));
            }
            for change in changes {
                match change {
                    Change::Upsert(doc) => {
                        if let Some(kind) = doc.index()
                            && let Some(d) = self.document(doc)?
                        {
                            writer.delete_term(Term::from_field_text(
                                self.fields.key,
                                &EmbeddedSearch::key(kind, doc.id),
                            ));
                            writer.add_document(d).map_err(err)?;
                        }
                    }
                    Change::Delete { index, id } => {
                        writer.delete_term(Term::from_field_text(
                            self.fields.key,
                            &EmbeddedSearch::key(*index, *id),
                        ));
                    }
                    Change::DeleteSectionsExcept {
                        draft_id,
                        keep_version,
                    } => {
                        let mut clauses: Vec<(Occur, Box<dyn Query>)> = vec![
                            (Occur::Must, self.facet_query("type", "sections")),
                            (
                                Occur::Must,
                                self.facet_query("draft_id", &draft_id.to_string()),
                            ),
                        ];
                        if let Some(v) = keep_version {
                            clauses.push((
                                Occur::MustNot,
                                self.facet_query("version_id", &v.to_string()),
                            ));
                        }
                        writer
                            .delete_query(Box::new(BooleanQuery::new(clauses)))
                            .map_err(err)?;
                    }
                }
            }
            writer.commit().map_err(err)?;
            self.reader.reload().map_err(err)
        })();
        if result.is_err() {
            // What was not committed is thrown away; the outbox still holds every change, so
            // the next attempt redoes them all.
            if let Some(mut w) = guard.take() {
                drop(w.rollback());
            }
        }
        result
    }

    /// Merges every segment into one (after a rebuild): fewer, larger segments answer faster.
    fn optimize_blocking(&self) -> AppResult<()> {
        let mut guard = self.writer.lock().map_err(err)?;
        // Background merges first run to their end (they would race the full merge), then one
        // merge of everything with the merge policy off, then the policy back on.
        if let Some(previous) = guard.take() {
            previous.wait_merging_threads().map_err(err)?;
        }
        let writer = self.writer(&mut guard)?;
        writer.set_merge_policy(Box::new(tantivy::indexer::NoMergePolicy));
        let ids = self.index.searchable_segment_ids().map_err(err)?;
        if ids.len() > 1 {
            writer.merge(&ids).wait().map_err(err)?;
        }
        writer.set_merge_policy(Box::new(tantivy::indexer::LogMergePolicy::default()));
        self.reader.reload().map_err(err)?;
        drop(writer.garbage_collect_files().wait());
        Ok(())
    }

    fn clear_blocking(&self) -> AppResult<()> {
        let mut guard = self.writer.lock().map_err(err)?;
        let writer = self.writer(&mut guard)?;
        writer.delete_all_documents().map_err(err)?;
        writer.commit().map_err(err)?;
        self.reader.reload().map_err(err)
    }
}

async fn blocking<T: Send + 'static>(
    inner: &Arc<Inner>,
    work: impl FnOnce(&Inner) -> AppResult<T> + Send + 'static,
) -> AppResult<T> {
    let inner = inner.clone();
    tokio::task::spawn_blocking(move || work(&inner))
        .await
        .map_err(err)?
}

#[async_trait]
impl SearchBackend for EmbeddedSearch {
    fn name(&self) -> &'static str {
        "embedded"
    }

    async fn setup(&self) -> AppResult<bool> {
        Ok(self.0.fresh)
    }

    async fn apply(&self, changes: Vec<Change>) -> AppResult<()> {
        blocking(&self.0, move |inner| inner.apply_blocking(&changes)).await
    }

    async fn clear(&self) -> AppResult<()> {
        blocking(&self.0, Inner::clear_blocking).await
    }

    async fn optimize(&self) -> AppResult<()> {
        blocking(&self.0, Inner::optimize_blocking).await
    }

    async fn search(&self, request: &SearchRequest) -> AppResult<SearchResults> {
        let request = request.clone();
        blocking(&self.0, move |inner| inner.search_blocking(&request)).await
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used)]
mod tests {
    use super::*;

    #[test]
    fn edits_are_counted_on_characters() {
        assert!(within_edits("bicycle", "bycicle", 2, false));
        assert!(!within_edits("bicycle", "bycicle", 1, false));
        assert!(within_edits("consultation", "consultaton", 1, false));
        assert!(within_edits("consultations", "consulta", 0, true));
        assert!(!within_edits("tax", "bicycle", 1, false));
    }

    #[test]
    fn a_synonym_makes_a_variant_of_the_query() {
        let settings = SearchSettings::load().unwrap();
        let analyzer = Analyzer::new(&settings.shared().stop_words);
        let q = query_words(&analyzer, settings.shared(), "พระราชบัญญัติจราจร");
        assert!(q.variants.len() >= 2, "{q:?}");
        let q = query_words(&analyzer, settings.shared(), "the act ");
        // `the` is a stop word; the query ends with a space, so `act` is whole.
        assert!(q.variants[0].iter().all(|w| w.lemma != "the" && !w.prefix));
    }
}
