/* How query and page text is cut into words, shared by the other modules. */

/* Chinese, Japanese (kana) and Korean characters: the ranges of the build's
 * `is_cjk` (src/search/analyzer.rs). The only place the browser names them. */
const CJK_RANGES = String.raw`\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\uac00-\ud7af\u31f0-\u31ff\uff66-\uff9f`;

const RUNS = new RegExp(`([${CJK_RANGES}]+)|[^${CJK_RANGES}]+`, 'g');

/** A word cut into runs of CJK characters and runs of anything else, in
 * order: `[{cjk, text}]`. */
export function cjkRuns(word) {
  return Array.from(word.matchAll(RUNS), (m) => ({ cjk: m[1] !== undefined, text: m[0] }));
}

/** A word without the punctuation around it. */
export function trimWord(w) {
  return w.replace(/^[^\p{L}\p{N}]+|[^\p{L}\p{N}]+$/gu, '');
}

/* The longest token the build indexes, in characters (`MAX_TOKEN_CHARS`
 * in src/search/analyzer.rs): a longer word is indexed by its beginning. */
const MAX_TOKEN_CHARS = 64;

/** A word cut as the build cuts its tokens. */
export function cutWord(w) {
  const c = Array.from(w);
  return c.length > MAX_TOKEN_CHARS ? c.slice(0, MAX_TOKEN_CHARS).join('') : w;
}

/** The characters of a string (code points, not UTF-16 units). */
export function chars(s) {
  return Array.from(s);
}
