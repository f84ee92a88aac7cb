//! SVG and HTML files under `content/` are published as they are and run
//! with the site's origin when opened: a script in one could read and
//! change every page of the knowledge base. They are read with real
//! parsers (quick-xml for SVG, html5ever's tokenizer for HTML), in one
//! pass each, for what runs script: `<script>`, `<foreignObject>`, event
//! handler attributes (`on…`), `javascript:` and HTML `data:` URLs in
//! links (also set by `<set>`/`<animate>`), and `srcdoc`. Each is an
//! error at its place unless book.toml allows it: `[build] unsafe-svg`
//! for SVG, `[markdown] unsafe-html` for HTML.

use std::borrow::Cow;
use std::cell::RefCell;

use html5ever::tendril::StrTendril;
use html5ever::tokenizer::{
    BufferQueue, TagKind, Token, TokenSink, TokenSinkResult, Tokenizer, TokenizerOpts,
};
use quick_xml::events::{BytesStart, Event};
use rayon::prelude::*;

use crate::config::Config;
use crate::config::url::is_script_url;
use crate::diagnostics::{Code, Diagnostic, LineIndex, Pos, display_path};
use crate::load::source::Asset;

/// What kind of file is checked, by its extension.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Kind {
    Svg,
    Html,
    /// XML that a browser shows as a document (XHTML, or any XML with a
    /// stylesheet that makes it a page): read as XML, allowed with HTML.
    Xml,
    /// One of those compressed (`x.html.br`): not read, refused unless
    /// HTML is allowed.
    Compressed,
}

impl Kind {
    /// By the extension, as static hosts give the type: HTML, and every
    /// XML type (`text/xml`, `application/xml`, any `…+xml`), which a
    /// browser opens as a document.
    pub fn of(rel: &str) -> Option<Kind> {
        let (stem, ext) = rel.rsplit_once('.')?;
        let ext = ext.to_ascii_lowercase();
        // Some servers send `x.html.br` as `text/html` (the suffix taken
        // for an encoding, with no header to say so).
        if matches!(
            ext.as_str(),
            "br" | "gz" | "bz2" | "xz" | "z" | "zst" | "lz" | "lzma"
        ) {
            return Kind::of(stem).map(|_| Kind::Compressed);
        }
        match ext.as_str() {
            // `.svgz` is read through gzip when it is compressed.
            "svg" | "svgz" => return Some(Kind::Svg),
            "html" | "htm" | "shtml" | "shtm" => return Some(Kind::Html),
            "xhtml" | "xht" | "xhtm" | "xml" | "xsl" | "xslt" | "rss" | "atom" => {
                return Some(Kind::Xml);
            }
            // XML types of Debian's /etc/mime.types (what Apache, lighttpd
            // and Python's server send) that mime_guess does not know; not
            // those that are as often source code (`.rs`, `.cl`, `.sml`).
            "mml" | "ttml" | "smi" | "osm" | "xcs" | "fo" | "cml" | "its" | "xav" | "xca"
            | "xel" | "xmls" | "xns" | "senmlx" | "sensmlx" | "rsheet" | "rsat" | "rapd"
            | "relo" | "provx" | "musd" | "moml" | "maei" | "lostsyncxml" | "lgr" | "fdt"
            | "emotionml" | "dwd" | "ddf" | "cpl" | "clue" | "cellml" | "ccmp" | "bmml"
            | "atomsrv" | "atomdeleted" | "apxml" | "1km" | "wif" | "uis" | "swidtag" | "stpx"
            | "sls" | "scl" | "rusd" | "rfcxml" | "odd" | "obgx" => {
                return Some(Kind::Xml);
            }
            _ => {}
        }
        mime_guess::from_ext(&ext).iter().find_map(|m| {
            if m.subtype() == mime_guess::mime::HTML {
                Some(Kind::Html)
            } else if m.subtype() == mime_guess::mime::XML
                || m.suffix() == Some(mime_guess::mime::XML)
            {
                Some(Kind::Xml)
            } else {
                None
            }
        })
    }
}

/// One thing found that runs script, at a byte offset or a line.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Finding {
    pub what: String,
    pub at: Place,
}

impl Finding {
    /// A file a browser cannot read whole, rather than script found.
    fn is_unreadable(&self) -> bool {
        self.what.starts_with(UNREADABLE)
    }
}

/// How a finding of XML that is not well-formed begins.
const UNREADABLE: &str = "XML that cannot be read";

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Place {
    Offset(usize),
    Line(usize),
}

/// Findings reported per file; the last one says how many more there are.
const MAX_FINDINGS: usize = 20;

/// The SVG and HTML assets that book.toml does not allow to carry script,
/// checked in parallel: an error for each thing found.
pub fn check_assets(config: &Config, assets: &[Asset]) -> Vec<Diagnostic> {
    let checked: Vec<(&Asset, Kind)> = assets
        .iter()
        .filter_map(|a| Some((a, Kind::of(&a.rel)?)))
        .filter(|(_, k)| match k {
            Kind::Svg => !config.build.unsafe_svg,
            Kind::Html | Kind::Xml | Kind::Compressed => !config.markdown.unsafe_html,
        })
        .collect();
    checked
        .par_iter()
        .flat_map_iter(|(a, kind)| {
            // Unreadable files are reported when they are copied.
            let bytes = gunzipped(std::fs::read(&a.path).unwrap_or_default());
            let text = text_of(&bytes);
            let mut found = encoding_findings(&bytes, &text);
            found.extend(match kind {
                Kind::Svg | Kind::Xml => scan_svg(&text),
                Kind::Html => scan_html(&text),
                Kind::Compressed => vec![Finding {
                    what: "a compressed HTML, SVG or XML file (some servers send `x.html.br` as the page itself, and this check cannot read it)".into(),
                    at: Place::Line(1),
                }],
            });
            let lines = LineIndex::new(&text);
            let more = found.len().saturating_sub(MAX_FINDINGS);
            let mut ds: Vec<Diagnostic> = found
                .iter()
                .take(MAX_FINDINGS)
                .map(|f| diagnostic(a, *kind, f, &lines, &text))
                .collect();
            if more > 0
                && let Some(last) = ds.last_mut()
            {
                last.message
                    .push_str(&format!(" (and {more} more in this file)"));
            }
            ds
        })
        .collect()
}

fn diagnostic(a: &Asset, kind: Kind, f: &Finding, lines: &LineIndex, text: &str) -> Diagnostic {
    let pos = match f.at {
        Place::Offset(o) => lines.pos(o),
        Place::Line(l) => Pos::new(l.max(1), 1),
    };
    let (what, allow) = match kind {
        Kind::Svg => ("an SVG file", "`[build] unsafe-svg = true`"),
        Kind::Html => ("an HTML file", "`[markdown] unsafe-html = true`"),
        Kind::Xml => ("an XML file", "`[markdown] unsafe-html = true`"),
        Kind::Compressed => ("a compressed file", "`[markdown] unsafe-html = true`"),
    };
    if f.is_unreadable() {
        return Diagnostic::error(
            Code::UnsafeAsset,
            format!(
                "{} in {what}: a browser shows it up to this point, and what follows is not checked for script",
                f.what
            ),
        )
        .in_file(display_path(&a.path))
        .at(pos)
        .with_source(text)
        .with_hint(format!(
            "make the file well-formed, rename it (e.g. `data.xml.txt`) to publish it as text, or set {allow} in book.toml if every such file under content/ is trusted"
        ));
    }
    Diagnostic::error(
        Code::UnsafeAsset,
        format!(
            "{} in {what}: it would run as script with the site's origin when the file is opened",
            f.what
        ),
    )
    .in_file(display_path(&a.path))
    .at(pos)
    .with_source(text)
    .with_hint(match kind {
        Kind::Svg => format!(
            "remove it (export the drawing again without scripts or links to script), or set {allow} in book.toml if every such file under content/ is trusted"
        ),
        Kind::Html => format!(
            "remove the script, the event handler or the script link from the file, or set {allow} in book.toml if every such file under content/ is trusted"
        ),
        Kind::Xml => format!(
            "browsers open XHTML and XML with a stylesheet as pages: remove the script, the event handler or the script link, or set {allow} in book.toml if every such file under content/ is trusted"
        ),
        Kind::Compressed => format!(
            "publish the file uncompressed (hosts compress it themselves), or set {allow} in book.toml if every such file under content/ is trusted"
        ),
    })
}

/// Attributes whose value is a URL a browser follows or loads.
fn is_url_attribute(name: &str) -> bool {
    matches!(
        name,
        "href" | "src" | "action" | "formaction" | "data" | "poster" | "background" | "xlink:href"
    ) || name.ends_with(":href")
        || name == "xml:base"
}

/// An image in a `data:` URL where it is shown as an image (`<img src>`,
/// SVG's `<image href>`, an icon): an SVG image never runs script there.
fn is_image_data(element: &str, attrs: &[(String, String)], url: &str) -> bool {
    let lower = url.trim_start().to_ascii_lowercase();
    let shown_as_image = matches!(element, "img" | "image" | "feimage")
        || element == "link"
            && attrs
                .iter()
                .any(|(k, v)| k == "rel" && v.to_ascii_lowercase().contains("icon"));
    shown_as_image && lower.starts_with("data:image/")
}

/// Checks one element's name and attributes (`attrs`: lowercased names
/// and decoded values). `<set>`/`<animate>` that change a link are
/// checked for what they set it to.
fn check_element(name: &str, attrs: &[(String, String)], mut found: impl FnMut(String)) {
    let lower = name.to_ascii_lowercase();
    let local = lower.rsplit(':').next().unwrap_or(&lower);
    match local {
        "script" => found(format!("a `<{name}>` element")),
        "foreignobject" => found(format!(
            "a `<{name}>` element (it can hold HTML, and so script)"
        )),
        "iframe" | "object" | "embed" | "frame" if attrs.iter().any(|(k, _)| k == "srcdoc") => {
            found(format!("a `<{name} srcdoc>` (an inline document)"))
        }
        // XSLT writes elements and attributes by name.
        "element" | "attribute" => {
            if let Some((_, v)) = attrs.iter().find(|(k, _)| k == "name") {
                let made = v.to_ascii_lowercase();
                let made = made.rsplit(':').next().unwrap_or(&made);
                if matches!(made, "script" | "foreignobject" | "iframe" | "srcdoc")
                    || (made.starts_with("on") && made.len() > 2)
                    || is_url_attribute(made)
                {
                    found(format!("a `<{name}>` that writes `{v}`"));
                }
            }
        }
        _ => {}
    }
    for (k, v) in attrs {
        let k_local = k.rsplit(':').next().unwrap_or(k);
        if k_local.starts_with("on") && k_local.len() > 2 {
            found(format!("an event handler attribute `{k}` on `<{name}>`"));
        } else if is_url_attribute(k) && is_script_url(v) && !is_image_data(local, attrs, v) {
            found(format!("a script URL in `{k}` of `<{name}>`"));
        } else if local == "meta"
            && k == "content"
            && attrs
                .iter()
                .any(|(k, v)| k == "http-equiv" && v.trim().eq_ignore_ascii_case("refresh"))
        {
            // `0; url=javascript:…`, or `0;javascript:…` without `url=`.
            let target = v.split_once([';', ',']).map_or("", |x| x.1).trim();
            let lower = target.to_ascii_lowercase();
            let target = match lower.strip_prefix("url") {
                Some(rest) if rest.trim_start().starts_with('=') => rest.trim_start()[1..].trim(),
                _ => lower.as_str(),
            };
            if is_script_url(target.trim_matches(['\'', '"', ' '])) {
                found(format!("a script URL in the refresh of `<{name}>`"));
            }
        }
    }
    let animates = matches!(local, "set" | "animate");
    // Every `attributeName` (XML tells `attributename` from it; names
    // are lowercased here, so each counts).
    let sets_link = attrs
        .iter()
        .filter(|(k, _)| k == "attributename")
        .map(|(_, v)| v.trim().to_ascii_lowercase())
        .any(|t| t == "href" || t.ends_with(":href"));
    if animates && sets_link {
        for (k, v) in attrs {
            if matches!(k.as_str(), "to" | "from" | "by" | "values")
                && v.split(';').any(is_script_url)
            {
                found(format!("`<{name}>` setting a link to a script URL (`{k}`)"));
            }
        }
    }
}

/// Script in an SVG file. A file that is not well-formed XML is a finding
/// too (browsers show such a file up to the error, so what follows it is
/// not looked at).
pub fn scan_svg(text: &str) -> Vec<Finding> {
    let mut reader = quick_xml::Reader::from_str(text);
    let mut out = Vec::new();
    loop {
        let at = reader.buffer_position() as usize;
        match reader.read_event() {
            Ok(Event::Start(e) | Event::Empty(e)) => {
                let (name, attrs) = match xml_element(&e) {
                    Ok(x) => x,
                    Err(what) => {
                        out.push(Finding {
                            what,
                            at: Place::Offset(at),
                        });
                        continue;
                    }
                };
                check_element(&name, &attrs, |what| {
                    out.push(Finding {
                        what,
                        at: Place::Offset(at),
                    })
                });
            }
            Ok(Event::PI(pi)) => {
                if pi.target().eq_ignore_ascii_case("xml-stylesheet") && !is_css(pi.content()) {
                    out.push(Finding {
                        what: "an `<?xml-stylesheet?>` that is not CSS (an XSLT stylesheet can write script)".into(),
                        at: Place::Offset(at),
                    });
                }
            }
            Ok(Event::DocType(d)) => {
                // Entities declared here would be expanded into attribute
                // values, out of sight of this check.
                let doctype: &str = AsRef::<str>::as_ref(&d);
                if doctype.contains("<!ENTITY") {
                    out.push(Finding {
                        what: "an entity declaration in the DOCTYPE".into(),
                        at: Place::Offset(at),
                    });
                } else if doctype.contains('[') {
                    // Default attributes (`<!ATTLIST svg onload …>`) and
                    // processing instructions declared here apply too.
                    out.push(Finding {
                        what: "declarations inside the DOCTYPE (`[…]`: default attributes and stylesheets declared there apply out of sight of this check)".into(),
                        at: Place::Offset(at),
                    });
                }
            }
            Ok(Event::Eof) => break,
            Ok(_) => {}
            Err(e) => {
                out.push(Finding {
                    what: format!("{UNREADABLE} ({e})"),
                    at: Place::Offset(reader.error_position() as usize),
                });
                break;
            }
        }
    }
    out
}

/// Does this `<?xml-stylesheet?>` name a CSS stylesheet (`type="text/css"`)?
/// Any other, or none, may be XSLT, which writes whatever it likes: no
/// check of the stylesheet's own file can tell what it will write.
fn is_css(pseudo_attributes: &str) -> bool {
    static PSEUDO: std::sync::LazyLock<regex::Regex> = std::sync::LazyLock::new(|| {
        regex::Regex::new(r#"([A-Za-z_:][-A-Za-z0-9_:.]*)\s*=\s*(?:"([^"]*)"|'([^']*)')"#)
            .expect("a valid pattern")
    });
    let types: Vec<String> = PSEUDO
        .captures_iter(pseudo_attributes)
        .filter(|c| c[1].eq_ignore_ascii_case("type"))
        .filter_map(|c| c.get(2).or_else(|| c.get(3)))
        .map(|v| v.as_str().trim().to_ascii_lowercase())
        .collect();
    types == ["text/css"]
}

/// The text of a file: UTF-16 when it starts with a byte order mark
/// (XML may be written so), else UTF-8 (invalid bytes replaced).
fn text_of(bytes: &[u8]) -> Cow<'_, str> {
    let utf16 = |be: bool| -> String {
        let units = bytes[2..].chunks_exact(2).map(|c| {
            if be {
                u16::from_be_bytes([c[0], c[1]])
            } else {
                u16::from_le_bytes([c[0], c[1]])
            }
        });
        char::decode_utf16(units)
            .map(|c| c.unwrap_or(char::REPLACEMENT_CHARACTER))
            .collect()
    };
    match bytes {
        [0xFF, 0xFE, ..] => Cow::Owned(utf16(false)),
        [0xFE, 0xFF, ..] => Cow::Owned(utf16(true)),
        [0xEF, 0xBB, 0xBF, rest @ ..] => String::from_utf8_lossy(rest),
        _ => String::from_utf8_lossy(bytes),
    }
}

/// The bytes of a gzip-compressed file (`.svgz`) uncompressed, at most
/// 64 MiB of them; others as they are.
fn gunzipped(bytes: Vec<u8>) -> Vec<u8> {
    use std::io::Read;
    if !bytes.starts_with(&[0x1f, 0x8b]) {
        return bytes;
    }
    let mut out = Vec::new();
    let limit = 64 * 1024 * 1024;
    match flate2::read::MultiGzDecoder::new(&bytes[..])
        .take(limit)
        .read_to_end(&mut out)
    {
        Ok(_) => out,
        // Not gzip after all: checked as it is.
        Err(_) => bytes,
    }
}

/// What in a file's bytes would make a browser read other characters
/// than this check reads: ISO-2022-JP's escapes (a browser may detect it
/// with no declaration, and its escapes vanish from the text, so
/// `scr␛(Bipt` is `script`), NUL bytes (UTF-16 or UTF-32 without a byte
/// order mark), an encoding declared other than UTF-8 or UTF-16.
fn encoding_findings(bytes: &[u8], text: &str) -> Vec<Finding> {
    let utf16 = bytes.starts_with(&[0xFF, 0xFE]) || bytes.starts_with(&[0xFE, 0xFF]);
    let mut out = Vec::new();
    if let Some(i) = text.find('\u{1b}') {
        out.push(Finding {
            what: "an escape byte (ESC, as ISO-2022-JP writes; browsers drop its escapes from the text, which can hide script from this check)".into(),
            at: Place::Offset(i),
        });
    }
    if !utf16 && let Some(i) = text.find('\0') {
        out.push(Finding {
            what: "a NUL byte (UTF-16 or UTF-32 without a byte order mark, which this check cannot read)".into(),
            at: Place::Offset(i),
        });
    }
    if let Some((i, name)) = declared_encoding(text)
        && !matches!(
            name.as_str(),
            "utf-8" | "utf8" | "unicode-1-1-utf-8" | "us-ascii" | "ascii"
        )
        && !(utf16 && name.starts_with("utf-16"))
    {
        out.push(Finding {
            what: format!(
                "the encoding `{name}` (only UTF-8, or UTF-16 with a byte order mark, is checked)"
            ),
            at: Place::Offset(i),
        });
    }
    out
}

/// The first encoding a file declares (`<?xml … encoding="…"?>`,
/// `<meta charset="…">`, `charset=…` in a `<meta>`'s content), lowercased,
/// with its offset.
fn declared_encoding(text: &str) -> Option<(usize, String)> {
    static DECLARED: std::sync::LazyLock<regex::Regex> = std::sync::LazyLock::new(|| {
        regex::Regex::new(
            r#"(?i)(?:<\?xml[^>]*?\sencoding\s*=\s*["']?|<meta[^>]*?charset\s*=\s*["']?)([A-Za-z0-9._:-]+)"#,
        )
        .expect("a valid pattern")
    });
    let m = DECLARED.captures(text)?;
    let name = m.get(1)?;
    Some((name.start(), name.as_str().to_ascii_lowercase()))
}

/// An XML element's name and attributes (names lowercased, values
/// decoded), or what makes them unreadable.
fn xml_element(e: &BytesStart<'_>) -> Result<(String, Vec<(String, String)>), String> {
    let name = AsRef::<str>::as_ref(&e.name()).to_string();
    let mut attrs = Vec::new();
    for a in e.attributes() {
        let a = a.map_err(|err| format!("an attribute that cannot be read ({err})"))?;
        let key = AsRef::<str>::as_ref(&a.key).to_ascii_lowercase();
        let value = a
            .normalized_value(quick_xml::XmlVersion::Implicit1_0)
            .map_err(|_| format!("an attribute `{key}` with an entity that is not XML's own"))?;
        attrs.push((key, Cow::into_owned(value)));
    }
    Ok((name, attrs))
}

/// Script in an HTML file, by line. The file is read twice: once as a
/// browser reads it (the text of `<title>`, `<textarea>`, `<style>`,
/// `<script>`, … is text, so `<title><a title="</title><img onerror=…>">`
/// holds an `<img>`), and once with the tokenizer in its data state
/// throughout (so that tags inside those elements count too, as they do
/// inside `<svg>`, where `<style>` holds elements). What either finds
/// is reported: more than a browser would run, never less.
pub fn scan_html(text: &str) -> Vec<Finding> {
    let mut found = scan_html_once(text, true);
    for f in scan_html_once(text, false) {
        if !found.contains(&f) {
            found.push(f);
        }
    }
    // The tree a browser builds, which no reading of tokens alone models
    // whole (`<svg><noembed></svg><style>…`, `<style/>`): what it holds
    // that the readings above missed, at the line of its first mention.
    for what in scan_html_tree(text) {
        if !found.iter().any(|f| f.what == what) {
            let line = mention_line(text, &what);
            found.push(Finding {
                what,
                at: Place::Line(line),
            });
        }
    }
    found.sort_by_key(|f| match f.at {
        Place::Line(l) | Place::Offset(l) => l,
    });
    found
}

/// What runs script in the elements of the tree html5ever's tree builder
/// (through scraper) makes of the file, as a browser does.
fn scan_html_tree(text: &str) -> Vec<String> {
    let doc = scraper::Html::parse_document(text);
    let mut out = Vec::new();
    for node in doc.tree.nodes() {
        if let Some(el) = node.value().as_element() {
            let attrs: Vec<(String, String)> = el
                .attrs()
                .map(|(k, v)| (k.to_ascii_lowercase(), v.to_string()))
                .collect();
            check_element(el.name(), &attrs, |what| out.push(what));
        }
    }
    out
}

/// The line of the first mention (case aside) of the first `name` a
/// finding quotes; 1 when there is none.
fn mention_line(text: &str, what: &str) -> usize {
    let quoted = what.split('`').nth(1).unwrap_or("");
    let needle = quoted.trim_start_matches('<').trim_end_matches('>');
    let needle = needle.split_whitespace().next().unwrap_or("");
    if needle.is_empty() {
        return 1;
    }
    let lower = text.to_ascii_lowercase();
    lower
        .find(&needle.to_ascii_lowercase())
        .map_or(1, |i| lower[..i].matches('\n').count() + 1)
}

/// One reading of an HTML file; `as_browser`: switching to text where a
/// browser does.
fn scan_html_once(text: &str, as_browser: bool) -> Vec<Finding> {
    use html5ever::tokenizer::states::RawKind;
    struct Sink(RefCell<Vec<Finding>>, bool);
    impl TokenSink for Sink {
        type Handle = ();
        fn process_token(&self, token: Token, line: u64) -> TokenSinkResult<()> {
            let Token::TagToken(tag) = token else {
                return TokenSinkResult::Continue;
            };
            if tag.kind != TagKind::StartTag {
                return TokenSinkResult::Continue;
            }
            let attrs: Vec<(String, String)> = tag
                .attrs
                .iter()
                .map(|a| {
                    (
                        a.name.local.to_string().to_ascii_lowercase(),
                        a.value.to_string(),
                    )
                })
                .collect();
            let mut out = self.0.borrow_mut();
            check_element(&tag.name, &attrs, |what| {
                out.push(Finding {
                    what,
                    at: Place::Line(line as usize),
                })
            });
            if !self.1 || tag.self_closing {
                return TokenSinkResult::Continue;
            }
            match &*tag.name.to_ascii_lowercase() {
                "title" | "textarea" => TokenSinkResult::RawData(RawKind::Rcdata),
                "style" | "xmp" | "iframe" | "noembed" | "noframes" | "noscript" => {
                    TokenSinkResult::RawData(RawKind::Rawtext)
                }
                "script" => TokenSinkResult::RawData(RawKind::ScriptData),
                "plaintext" => TokenSinkResult::Plaintext,
                _ => TokenSinkResult::Continue,
            }
        }
    }
    let input = BufferQueue::default();
    input.push_back(StrTendril::from_slice(text));
    let tokenizer = Tokenizer::new(
        Sink(RefCell::new(Vec::new()), as_browser),
        TokenizerOpts::default(),
    );
    let _ = tokenizer.feed(&input);
    tokenizer.end();
    tokenizer.sink.0.take()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn whats(found: &[Finding]) -> Vec<&str> {
        found.iter().map(|f| f.what.as_str()).collect()
    }

    #[test]
    fn clean_files_pass() {
        let svg = r##"<?xml version="1.0"?><svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink"><a xlink:href="https://example.com/"><rect width="10" height="10" fill="#f00"/></a><use href="#r"/><text>on &amp; off</text><animate attributeName="x" to="10"/></svg>"##;
        assert_eq!(scan_svg(svg), []);
        let html = "<!doctype html><title>Runbook</title><p onion=1>See <a href=\"https://x.test/\">this</a>, <img src=\"data:image/png;base64,AAAA\"></p>";
        // `onion` is an attribute named on…, a handler to a browser only
        // if it is one of its events: flagged all the same.
        assert_eq!(scan_html(html).len(), 1);
        assert_eq!(scan_html("<p>Hello <b>there</b></p>"), []);
    }

    #[test]
    fn svg_script_shapes_are_found() {
        for (svg, expect) in [
            (r#"<svg><script>alert(1)</script></svg>"#, "`<script>`"),
            (
                r#"<svg><svg:script>alert(1)</svg:script></svg>"#,
                "`<svg:script>`",
            ),
            (r#"<svg><rect onload="alert(1)"/></svg>"#, "`onload`"),
            (r#"<svg><rect ONCLICK="alert(1)"/></svg>"#, "`onclick`"),
            (
                r#"<svg><a href="javascript:alert(1)"><text>x</text></a></svg>"#,
                "`href`",
            ),
            (
                r#"<svg><a xlink:href=" JaVa&#x09;Script:alert(1)">x</a></svg>"#,
                "`xlink:href`",
            ),
            (
                r#"<svg><a href="data:text/html,&lt;script&gt;x&lt;/script&gt;">x</a></svg>"#,
                "`href`",
            ),
            (
                r#"<svg><foreignObject><div xmlns="http://www.w3.org/1999/xhtml">x</div></foreignObject></svg>"#,
                "foreignObject",
            ),
            (
                r#"<svg><a><set attributeName="href" to="javascript:alert(1)"/><text>x</text></a></svg>"#,
                "`<set>`",
            ),
            (
                r#"<svg><a><animate attributeName="xlink:href" values="https://x/;javascript:alert(1)"/></a></svg>"#,
                "`<animate>`",
            ),
            (
                r#"<!DOCTYPE svg [<!ENTITY j "javascript:alert(1)">]><svg><a href="&j;">x</a></svg>"#,
                "entity",
            ),
            (r#"<svg><a></b><script>x</script></svg>"#, "cannot be read"),
        ] {
            let found = scan_svg(svg);
            assert!(
                whats(&found).iter().any(|w| w.contains(expect)),
                "{svg}: {found:?}"
            );
        }
    }

    #[test]
    fn html_script_shapes_are_found_at_their_line() {
        let html = "<p>fine</p>\n<SCRIPT>alert(1)</SCRIPT>\n<img src=x onerror=alert(1)>\n<a href=\"&#106;avascript:alert(1)\">x</a>\n<iframe srcdoc=\"&lt;script&gt;\"></iframe>\n<form><button formaction=javascript:alert(1)>x</button></form>\n<svg><a xlink:href=\"javascript:alert(1)\">x</a></svg>\n<meta http-equiv=refresh content=\"0;url=javascript:alert(1)\">\n";
        let found = scan_html(html);
        let lines: Vec<usize> = found
            .iter()
            .map(|f| match f.at {
                Place::Line(l) => l,
                Place::Offset(_) => 0,
            })
            .collect();
        assert_eq!(lines, [2, 3, 4, 5, 6, 7, 8], "{found:?}");
    }

    #[test]
    fn tags_that_leave_text_elements_are_found() {
        for html in [
            r#"<!doctype html><title><a title="</title><img src=x onerror=alert(1)>"></a></title>"#,
            r#"<textarea><a title="</textarea><img src=x onerror=alert(1)>"></a>"#,
            r#"<noscript><p title="</noscript><img src=x onerror=alert(1)>"></noscript>"#,
            r#"<style><!--</style><img src=x onerror=alert(1)>--></style>"#,
            // Inside <svg>, <style> holds elements: found by the other reading.
            r#"<svg><style><img src=x onerror=alert(1)></style></svg>"#,
        ] {
            assert!(
                whats(&scan_html(html))
                    .iter()
                    .any(|w| w.contains("onerror")),
                "{html}"
            );
        }
    }

    #[test]
    fn the_tree_a_browser_builds_is_checked_too() {
        for html in [
            r#"<!doctype html><body><style/><!--</style><img src=x onerror="x()">--></body>"#,
            r#"<title/><!--</title><img src=x onerror="x()">-->"#,
            r#"<svg><noembed></svg><style><!--</style><img src=x onerror="x()">--></noembed>"#,
            r#"<svg><style></svg><textarea><a title="</textarea><img src=x onerror="x()">"></a></style>"#,
        ] {
            let found = scan_html(html);
            assert!(
                whats(&found).iter().any(|w| w.contains("onerror")),
                "{html}: {found:?}"
            );
        }
        let html = "<p>report</p>\n<svg><noembed></svg><style><!--</style>\n<img src=x onerror=\"x()\">--></noembed>";
        let lines: Vec<_> = scan_html(html).iter().map(|f| f.at).collect();
        assert!(lines.contains(&Place::Line(3)), "{lines:?}");
    }

    #[test]
    fn images_in_data_urls_are_no_script_where_they_are_images() {
        let icon = r#"<link rel="icon" href="data:image/svg+xml,<svg xmlns='http://www.w3.org/2000/svg'/>"><img src="data:image/svg+xml;base64,PHN2Zy8+">"#;
        assert_eq!(scan_html(icon), []);
        assert!(
            !scan_html(r#"<iframe src="data:image/svg+xml;base64,PHN2Zy8+"></iframe>"#).is_empty()
        );
        assert!(!scan_html(r#"<a href="data:image/svg+xml;base64,PHN2Zy8+">x</a>"#).is_empty());
        let svg = r#"<svg xmlns="http://www.w3.org/2000/svg"><a href="x"><set attributename="fill" attributeName="href" to="javascript:x()"/></a></svg>"#;
        assert!(!scan_svg(svg).is_empty());
    }

    #[test]
    fn declarations_in_the_doctype_and_other_encodings_are_findings() {
        let attlist = r#"<!DOCTYPE svg [<!ATTLIST svg onload CDATA "x()">]><svg xmlns="http://www.w3.org/2000/svg"/>"#;
        assert!(whats(&scan_svg(attlist))[0].contains("declarations inside the DOCTYPE"));
        let pi = r#"<?xml version="1.0"?><!DOCTYPE a [<?xml-stylesheet type="text/xsl" href="e.xsl"?>]><a/>"#;
        assert!(!scan_svg(pi).is_empty());
        // A DOCTYPE without declarations is fine.
        assert_eq!(
            scan_svg(
                r#"<!DOCTYPE svg PUBLIC "-//W3C//DTD SVG 1.1//EN" "http://www.w3.org/Graphics/SVG/1.1/DTD/svg11.dtd"><svg/>"#
            ),
            []
        );
        let jis = "<?xml version=\"1.0\" encoding=\"ISO-2022-JP\"?><html><scr\u{1b}(Bipt/></html>";
        let found = encoding_findings(jis.as_bytes(), jis);
        assert_eq!(found.len(), 2, "{found:?}");
        let meta =
            r#"<meta http-equiv="Content-Type" content="text/html; charset=shift_jis"><p>x</p>"#;
        assert!(whats(&encoding_findings(meta.as_bytes(), meta))[0].contains("`shift_jis`"));
        let nul = "<\0r\0/\0>\0";
        assert!(whats(&encoding_findings(nul.as_bytes(), nul))[0].contains("NUL"));
        let fine = r#"<?xml version="1.0" encoding="UTF-8"?><meta charset="utf-8"><svg/>"#;
        assert_eq!(encoding_findings(fine.as_bytes(), fine), []);
    }

    #[test]
    fn refreshes_bases_and_animations_to_script_are_found() {
        let described =
            r#"<meta name="description" content="Outage; javascript:void was in the logs">"#;
        assert_eq!(scan_html(described), []);
        for html in [
            r#"<meta http-equiv="refresh" content="0;javascript:alert(1)">"#,
            r#"<meta http-equiv="refresh" content="0; URL = 'javascript:alert(1)'">"#,
        ] {
            assert!(!scan_html(html).is_empty(), "{html}");
        }
        assert!(!scan_svg(r#"<svg xml:base="javascript:alert(1)//"/>"#).is_empty());
        assert!(
            !scan_svg(
                r#"<svg><a><animate attributeName="href " values="javascript:alert(1)"/></a></svg>"#
            )
            .is_empty()
        );
    }

    #[test]
    fn compressed_svg_is_read_uncompressed() {
        use std::io::Write;
        let svg = b"<svg onload=\"x()\"/>";
        let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
        gz.write_all(svg).unwrap();
        let bytes = gunzipped(gz.finish().unwrap());
        assert_eq!(bytes, svg);
        assert!(!scan_svg(&text_of(&bytes)).is_empty());
        assert_eq!(gunzipped(svg.to_vec()), svg);
    }

    #[test]
    fn utf16_files_are_read_as_utf16() {
        let mut le = vec![0xFF, 0xFE];
        le.extend("<r a=\"1\"/>".encode_utf16().flat_map(u16::to_le_bytes));
        assert_eq!(text_of(&le), "<r a=\"1\"/>");
        let mut be = vec![0xFE, 0xFF];
        be.extend("<s/>".encode_utf16().flat_map(u16::to_be_bytes));
        assert_eq!(text_of(&be), "<s/>");
        assert_eq!(scan_svg(&text_of(&le)), []);
    }

    #[test]
    fn kinds_by_extension() {
        assert_eq!(Kind::of("img/a.SVG"), Some(Kind::Svg));
        assert_eq!(Kind::of("x/page.htm"), Some(Kind::Html));
        assert_eq!(Kind::of("x/page.shtml"), Some(Kind::Html));
        for xml in [
            "x/page.xhtml",
            "c.XML",
            "c.xht",
            "t.xsl",
            "t.xslt",
            "f.rss",
            "f.atom",
        ] {
            assert_eq!(Kind::of(xml), Some(Kind::Xml), "{xml}");
        }
        for xml in [
            "map.kml",
            "track.gpx",
            "f.rdf",
            "m.mathml",
            "x.xsd",
            "p.wsdl",
        ] {
            assert_eq!(Kind::of(xml), Some(Kind::Xml), "{xml}");
        }
        for other in [
            "a.png", "b.txt", "c.json", "d.css", "e.pdf", "noext", "fix.rs", "k.cl",
        ] {
            assert_eq!(Kind::of(other), None, "{other}");
        }
    }

    #[test]
    fn xhtml_and_xslt_script_shapes_are_found() {
        let cases = [
            (
                r#"<?xml version="1.0"?><html xmlns="http://www.w3.org/1999/xhtml"><body><script>x()</script></body></html>"#,
                "`<script>`",
            ),
            (
                r#"<html xmlns="http://www.w3.org/1999/xhtml"><body onload="x()"/></html>"#,
                "event handler",
            ),
            (
                r#"<xsl:stylesheet xmlns:xsl="http://www.w3.org/1999/XSL/Transform"><xsl:template match="/"><xsl:element name="script">x()</xsl:element></xsl:template></xsl:stylesheet>"#,
                "writes `script`",
            ),
            (
                r#"<xsl:stylesheet xmlns:xsl="http://www.w3.org/1999/XSL/Transform"><xsl:template match="/"><p><xsl:attribute name="onclick">x()</xsl:attribute></p></xsl:template></xsl:stylesheet>"#,
                "writes `onclick`",
            ),
        ];
        for (xml, want) in cases {
            let found = scan_svg(xml);
            assert!(
                whats(&found).iter().any(|w| w.contains(want)),
                "{xml}: {found:?}"
            );
        }
        for pi in [
            r#"<?xml-stylesheet type="text/xsl" href="t.txt"?><root/>"#,
            r#"<?xml-stylesheet href="data:text/xml;base64,PHg+"?><root/>"#,
            r#"<?xml-stylesheet type='application/xslt+xml' href='t.xsl'?><svg xmlns="http://www.w3.org/2000/svg"/>"#,
            r#"<?xml-stylesheet type="text/css" type="text/xsl" href="t.xsl"?><root/>"#,
        ] {
            assert!(
                whats(&scan_svg(pi)).iter().any(|w| w.contains("not CSS")),
                "{pi}"
            );
        }
        assert_eq!(
            scan_svg(r#"<?xml-stylesheet type="text/css" href="a.css"?><root/>"#),
            []
        );
        assert_eq!(
            scan_svg(r#"<?xml-stylesheet href="types.css" type='text/css'?><root/>"#),
            []
        );
        let data = r#"<?xml version="1.0"?><metrics><sample at="2024-01-01T00:00Z" value="3"/><element name="db"/></metrics>"#;
        assert_eq!(scan_svg(data), []);
    }
}
