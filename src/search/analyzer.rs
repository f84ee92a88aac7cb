//! Text analysis for the search index: the `[site] language` picks an
//! elasticlunr-rs language (tokenizer, trimmer, stop words, stemmer), and
//! the browser must turn a query into the same terms. How it does that
//! depends on the language, and is written into the index as its `mode`.

use std::borrow::Cow;
use std::cell::RefCell;
use std::collections::{BTreeMap, HashMap};

use elasticlunr::Language;
use elasticlunr::pipeline::Pipeline;
use rustc_hash::FxBuildHasher;

/// How the browser turns a query into index terms.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Mode {
    /// elasticlunr.js's own English tokenizer and pipeline, which
    /// elasticlunr-rs matches exactly.
    English,
    /// Chinese and Japanese: the text is segmented with a dictionary
    /// (jieba, lindera); the browser segments a query by greedy
    /// longest match against the index's own vocabulary.
    Cjk,
    /// Other languages: the index carries a map from each word as written
    /// (lowercased, punctuation trimmed) to its stem ("" for a stop word),
    /// so the browser needs no stemmer of its own.
    WordMap,
}

impl Mode {
    pub fn name(self) -> &'static str {
        match self {
            Mode::English => "en",
            Mode::Cjk => "cjk",
            Mode::WordMap => "map",
        }
    }

    pub fn for_language(code: &str) -> Mode {
        match code {
            "en" => Mode::English,
            "zh" | "ja" => Mode::Cjk,
            _ => Mode::WordMap,
        }
    }
}

/// One language's analysis. Not `Send` (elasticlunr-rs languages are trait
/// objects): make one per thread.
pub struct Analyzer {
    lang: Box<dyn Language>,
    pipeline: Pipeline,
    pub mode: Mode,
    /// Token → term (the pipeline works on one token at a time; texts
    /// repeat their words, so each is stemmed once).
    cache: RefCell<HashMap<String, Option<String>, FxBuildHasher>>,
}

/// The cache is emptied when it grows past this many tokens.
const CACHE_MAX: usize = 500_000;

/// The longest token the index takes, in characters. elasticlunr's index
/// is a trie with one level per character, which elasticlunr-rs builds,
/// drops and serializes by recursion (and the browser parses as nested
/// JSON): one 8,000-character token (a base64 blob, a long URL) overflowed
/// the stack. A longer token is indexed by its first this many characters;
/// the search page cuts query words the same way (`cutWord` in
/// `static/search/text.js`), so it is still found. The page keeps it whole.
pub const MAX_TOKEN_CHARS: usize = 64;

/// The first [`MAX_TOKEN_CHARS`] characters of a token.
pub fn cut_token(token: &str) -> &str {
    match token.char_indices().nth(MAX_TOKEN_CHARS) {
        Some((i, _)) => &token[..i],
        None => token,
    }
}

impl Analyzer {
    /// The analyzer for a `[site] language` code (English for a code
    /// elasticlunr-rs does not know; the configuration already rejects those).
    pub fn new(code: &str) -> Analyzer {
        let lang = elasticlunr::lang::from_code(code)
            .unwrap_or_else(|| Box::new(elasticlunr::lang::English::new()));
        let mode = Mode::for_language(&lang.code());
        let pipeline = lang.make_pipeline();
        Analyzer {
            lang,
            pipeline,
            mode,
            cache: RefCell::new(HashMap::with_hasher(FxBuildHasher)),
        }
    }

    /// The index terms of a text, in order, repeated as often as they occur.
    #[cfg(test)]
    pub fn terms(&self, text: &str) -> Vec<String> {
        self.tokens(text)
            .into_iter()
            .filter_map(|t| self.term(&t))
            .collect()
    }

    /// The index terms of a text with their counts, and how many there are
    /// in all (elasticlunr's field length).
    pub fn count_terms(&self, text: &str) -> (BTreeMap<String, u32>, usize) {
        let mut raw: HashMap<Cow<str>, u32, FxBuildHasher> = HashMap::with_hasher(FxBuildHasher);
        // Chinese, Japanese and Korean text inside English: character
        // bigrams, taken as they are (no stemming, no stop words).
        let mut cjk: HashMap<String, u32> = HashMap::new();
        if self.mode == Mode::English {
            // elasticlunr-rs's English tokenizer, without a String per token.
            for t in english_tokens(text) {
                if !t.chars().any(is_cjk) {
                    let t = match t {
                        Cow::Borrowed(b) => Cow::Borrowed(cut_token(b)),
                        Cow::Owned(o) => Cow::Owned(cut_token(&o).to_string()),
                    };
                    *raw.entry(t).or_insert(0) += 1;
                    continue;
                }
                for (is_run, part) in split_cjk(&t) {
                    if is_run {
                        for g in bigrams(part) {
                            *cjk.entry(g).or_insert(0) += 1;
                        }
                    } else if !part.is_empty() {
                        *raw.entry(Cow::Owned(cut_token(part).to_string()))
                            .or_insert(0) += 1;
                    }
                }
            }
        } else {
            for t in self.tokens(text) {
                *raw.entry(Cow::Owned(t)).or_insert(0) += 1;
            }
        }
        let mut out: BTreeMap<String, u32> = BTreeMap::new();
        let mut len = 0;
        for (t, n) in raw {
            if let Some(term) = self.term(&t) {
                *out.entry(term).or_insert(0) += n;
                len += n as usize;
            }
        }
        for (g, n) in cjk {
            *out.entry(g).or_insert(0) += n;
            len += n as usize;
        }
        if self.mode == Mode::Cjk {
            // The dictionaries drop or split what they do not know: Latin
            // words and numbers in Japanese text (`Redis`, `503`), numbers
            // and codes in Chinese (`1290`, `HY000`), katakana loanwords
            // (`デプロイ`). Error messages and names must be found: each is
            // also a term of its own, as often as it occurs.
            for (word, n) in whole_words(text) {
                let have = out.entry(word).or_insert(0);
                if *have < n {
                    len += (n - *have) as usize;
                    *have = n;
                }
            }
        }
        (out, len)
    }

    fn tokens(&self, text: &str) -> Vec<String> {
        if text.trim().is_empty() {
            return Vec::new();
        }
        let tokens = match self.mode {
            // The dictionaries are case-sensitive for Latin words inside CJK
            // text; lowercase so that `dns` finds `DNS`.
            Mode::Cjk => self.lang.tokenize(&text.to_lowercase()),
            _ => self.lang.tokenize(text),
        };
        tokens
            .into_iter()
            .map(|mut t| {
                let n = cut_token(&t).len();
                t.truncate(n);
                t
            })
            .collect()
    }

    /// [`Analyzer::count_terms`] with each term named by `id` (an
    /// interner): the counts by id, in no particular order, and the field
    /// length. For English text (the common case) no term is copied.
    pub fn count_term_ids(
        &self,
        text: &str,
        id: &mut dyn FnMut(&str) -> u32,
    ) -> (Vec<(u32, u32)>, usize) {
        if self.mode != Mode::English || text.chars().any(is_cjk) {
            let (m, len) = self.count_terms(text);
            return (m.into_iter().map(|(t, n)| (id(&t), n)).collect(), len);
        }
        let mut raw: HashMap<Cow<str>, u32, FxBuildHasher> = HashMap::with_hasher(FxBuildHasher);
        for t in english_tokens(text) {
            let t = match t {
                Cow::Borrowed(b) => Cow::Borrowed(cut_token(b)),
                Cow::Owned(o) => Cow::Owned(cut_token(&o).to_string()),
            };
            *raw.entry(t).or_insert(0) += 1;
        }
        let mut out: HashMap<u32, u32, FxBuildHasher> =
            HashMap::with_capacity_and_hasher(raw.len(), FxBuildHasher);
        let mut len = 0;
        for (t, n) in raw {
            let term_id = self.with_term(&t, |term| term.map(&mut *id));
            if let Some(k) = term_id {
                *out.entry(k).or_insert(0) += n;
                len += n as usize;
            }
        }
        (out.into_iter().collect(), len)
    }

    /// Calls `f` with `token` through the language's pipeline (see
    /// [`Analyzer::term`]), from the cache when it is there.
    fn with_term<R>(&self, token: &str, f: impl FnOnce(Option<&str>) -> R) -> R {
        if let Some(r) = self.cache.borrow().get(token) {
            return f(r.as_deref());
        }
        let r = self.term(token);
        f(r.as_deref())
    }

    /// A token through the language's pipeline (trimmer, stop words,
    /// stemmer); `None` when it drops the token.
    fn term(&self, token: &str) -> Option<String> {
        let mut cache = self.cache.borrow_mut();
        if let Some(r) = cache.get(token) {
            return r.clone();
        }
        if cache.len() > CACHE_MAX {
            cache.clear();
        }
        let r = self
            .pipeline
            .run(vec![token.to_string()])
            .into_iter()
            .next();
        cache.insert(token.to_string(), r.clone());
        r
    }

    /// For [`Mode::WordMap`]: records each word of a text as the browser
    /// will see it in a query, with its stem ("" when the pipeline drops it).
    pub fn word_map(&self, text: &str, out: &mut BTreeMap<String, String>) {
        for token in self.tokens(text) {
            let lower = token.to_lowercase();
            let surface = trim_word(&lower);
            if surface.is_empty() || out.contains_key(surface) {
                continue;
            }
            let stem = self
                .pipeline
                .run(vec![token.clone()])
                .into_iter()
                .next()
                .unwrap_or_default();
            out.insert(surface.to_string(), stem);
        }
    }
}

/// The tokens of `elasticlunr::lang::tokenize_whitespace` (which the
/// English language uses): split at whitespace and `-`, lowercased;
/// borrowed when already lowercase.
fn english_tokens(text: &str) -> impl Iterator<Item = Cow<'_, str>> {
    text.split(|c: char| c.is_whitespace() || c == '-')
        .filter(|s| !s.is_empty())
        .map(|s| {
            let s = s.trim();
            if s.chars().any(|c| c.is_uppercase() || !c.is_ascii()) {
                Cow::Owned(s.to_lowercase())
            } else {
                Cow::Borrowed(s)
            }
        })
}

/// Strips what is not a letter or digit from both ends of a word (the
/// browser does the same to query words).
/// A character of Chinese, Japanese (kana) or Korean text: the ranges
/// the search page treats so too.
pub fn is_cjk(c: char) -> bool {
    matches!(c,
        '\u{3040}'..='\u{30ff}'
        | '\u{3400}'..='\u{4dbf}'
        | '\u{4e00}'..='\u{9fff}'
        | '\u{f900}'..='\u{faff}'
        | '\u{ac00}'..='\u{d7af}'
        | '\u{31f0}'..='\u{31ff}'
        | '\u{ff66}'..='\u{ff9f}')
}

/// A token cut into runs of CJK characters (`true`) and the rest.
fn split_cjk(token: &str) -> Vec<(bool, &str)> {
    let mut parts = Vec::new();
    let mut start = 0;
    let mut current: Option<bool> = None;
    for (i, c) in token.char_indices() {
        let k = is_cjk(c);
        if current.is_some_and(|was| was != k) {
            parts.push((current.unwrap_or(false), &token[start..i]));
            start = i;
        }
        current = Some(k);
    }
    if let Some(k) = current {
        parts.push((k, &token[start..]));
    }
    parts
}

/// The overlapping character pairs of a run (`決済サ` → `決済`, `済サ`); a
/// run of one character is itself.
fn bigrams(run: &str) -> Vec<String> {
    let chars: Vec<char> = run.chars().collect();
    if chars.len() < 2 {
        return vec![run.to_string()];
    }
    chars.windows(2).map(|w| w.iter().collect()).collect()
}

/// In Chinese and Japanese text: the runs of Latin letters and digits
/// (lowercased) and of katakana, two characters or longer, with counts.
fn whole_words(text: &str) -> HashMap<String, u32> {
    // 1: Latin letter or digit; 2: katakana (with ・ and ー); 0: other.
    fn class(c: char) -> u8 {
        match c {
            'a'..='z' | 'A'..='Z' | '0'..='9' => 1,
            '\u{30a0}'..='\u{30ff}' | '\u{31f0}'..='\u{31ff}' | '\u{ff66}'..='\u{ff9f}' => 2,
            _ => 0,
        }
    }
    let mut out: HashMap<String, u32> = HashMap::new();
    let mut word = String::new();
    let mut kind = 0;
    for c in text.chars().chain(std::iter::once(' ')) {
        let k = class(c);
        if k != kind || k == 0 {
            if word.chars().nth(1).is_some() {
                *out.entry(cut_token(&word).to_string()).or_insert(0) += 1;
            }
            word.clear();
            kind = k;
        }
        if k != 0 {
            word.push(c.to_ascii_lowercase());
        }
    }
    out
}

pub fn trim_word(word: &str) -> &str {
    word.trim_matches(|c: char| !c.is_alphanumeric())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn english_stems_and_drops_stop_words() {
        let a = Analyzer::new("en");
        assert_eq!(a.mode, Mode::English);
        assert_eq!(
            a.terms("The certificates expired, and DNS-resolution failed"),
            ["certif", "expir", "dn", "resolut", "fail"]
        );
    }

    #[test]
    fn english_tokens_are_those_of_elasticlunr_rs() {
        let text =
            "Über-DNS  ERRORS\u{2003}at 09:09—x509: Certificate's   end-of-life\tİstanbul ß ǅ -- x";
        let ours: Vec<String> = english_tokens(text).map(Cow::into_owned).collect();
        assert_eq!(ours, elasticlunr::lang::tokenize_whitespace(text));
    }

    #[test]
    fn german_word_map_gives_stems_and_marks_stop_words() {
        let a = Analyzer::new("de");
        assert_eq!(a.mode, Mode::WordMap);
        let mut m = BTreeMap::new();
        a.word_map("Die Verbindungen zum Server.", &mut m);
        assert_eq!(m.get("die").map(String::as_str), Some(""));
        assert_eq!(m.get("verbindungen").map(String::as_str), Some("verbind"));
        assert_eq!(m.get("server").map(String::as_str), Some("serv"));
        assert!(a.terms("Verbindungen").contains(&"verbind".to_string()));
    }

    #[test]
    fn term_ids_count_what_count_terms_counts() {
        let en = Analyzer::new("en");
        for text in [
            "The servers served a stale record; the server restarted. Servers!",
            "Über-DNS  ERRORS at 09:09 x509: Certificate's end-of-life İstanbul",
            "The gateway returned 503を返す決済サービス（payments).",
            "",
        ] {
            let (want, want_len) = en.count_terms(text);
            let mut names: Vec<String> = Vec::new();
            let mut id = |t: &str| match names.iter().position(|n| n == t) {
                Some(i) => i as u32,
                None => {
                    names.push(t.to_string());
                    names.len() as u32 - 1
                }
            };
            let (ids, len) = en.count_term_ids(text, &mut id);
            let got: BTreeMap<String, u32> = ids
                .into_iter()
                .map(|(i, n)| (names[i as usize].clone(), n))
                .collect();
            assert_eq!(got, want, "{text}");
            assert_eq!(len, want_len, "{text}");
        }
    }

    #[test]
    fn japanese_inside_english_is_indexed_as_bigrams() {
        let en = Analyzer::new("en");
        let (t, _) = en.count_terms("The gateway returned 503を返す決済サービス（payments).");
        for w in ["gateway", "503", "決済", "済サ", "サー", "payment"] {
            assert!(t.contains_key(w), "{w} in {t:?}");
        }
        assert!(
            !t.keys()
                .any(|k| k.chars().count() > 2 && k.chars().any(is_cjk)),
            "{t:?}"
        );
    }

    #[test]
    fn chinese_and_japanese_keep_latin_words_numbers_and_katakana_whole() {
        let ja = Analyzer::new("ja");
        let (t, _) = ja.count_terms("Redisのデプロイで503エラー。Redisを再起動した。");
        for w in ["redis", "デプロイ", "503", "エラー"] {
            assert!(t.contains_key(w), "{w} in {t:?}");
        }
        assert_eq!(t["redis"], 2);
        let zh = Analyzer::new("zh");
        let (t, _) = zh.count_terms("数据库返回 ERROR 1290 (HY000)");
        for w in ["error", "1290", "hy000"] {
            assert!(t.contains_key(w), "{w} in {t:?}");
        }
    }

    #[test]
    fn chinese_and_japanese_are_segmented() {
        let zh = Analyzer::new("zh");
        assert_eq!(zh.mode, Mode::Cjk);
        let t = zh.terms("数据库连接池耗尽导致DNS解析失败");
        assert!(t.contains(&"数据库".to_string()), "{t:?}");
        assert!(t.contains(&"dns".to_string()), "{t:?}");
        let ja = Analyzer::new("ja");
        let t = ja.terms("証明書の有効期限が切れました");
        assert_eq!(t, ["証明", "書", "有効", "期限", "切れ"]);
    }
}
