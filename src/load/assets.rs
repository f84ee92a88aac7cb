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
}

impl Kind {
    /// By the extension, as static hosts give the type: HTML, and every
    /// XML type (`text/xml`, `application/xml`, any `…+xml`), which a
    /// browser opens as a document.
    pub fn of(rel: &str) -> Option<Kind> {
        let ext = rel.rsplit_once('.')?.1.to_ascii_lowercase();
        match ext.as_str() {
            "svg" => return Some(Kind::Svg),
            // Compressed: shown only where a server adds its encoding.
            "svgz" => return None,
            "html" | "htm" | "shtml" | "shtm" => return Some(Kind::Html),
            "xhtml" | "xht" | "xml" | "xsl" | "xslt" | "rss" | "atom" => return Some(Kind::Xml),
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
            Kind::Html | Kind::Xml => !config.markdown.unsafe_html,
        })
        .collect();
    checked
        .par_iter()
        .flat_map_iter(|(a, kind)| {
            // Unreadable files are reported when they are copied.
            let bytes = std::fs::read(&a.path).unwrap_or_default();
            let text = text_of(&bytes);
            let found = match kind {
                Kind::Svg | Kind::Xml => scan_svg(&text),
                Kind::Html => scan_html(&text),
            };
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
    })
}

/// Attributes whose value is a URL a browser follows or loads.
fn is_url_attribute(name: &str) -> bool {
    matches!(
        name,
        "href" | "src" | "action" | "formaction" | "data" | "poster" | "background" | "xlink:href"
    ) || name.ends_with(":href")
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
        } else if is_url_attribute(k) && is_script_url(v) {
            found(format!("a script URL in `{k}` of `<{name}>`"));
        } else if local == "meta" && k == "content" && v.to_ascii_lowercase().contains("url=") {
            let target = v.split_once(['=']).map_or("", |x| x.1);
            if is_script_url(target.trim_matches(['\'', '"', ' '])) {
                found(format!("a script URL in the refresh of `<{name}>`"));
            }
        }
    }
    let animates = matches!(local, "set" | "animate");
    let target = attrs
        .iter()
        .find(|(k, _)| k == "attributename")
        .map(|(_, v)| v.to_ascii_lowercase());
    if animates && target.is_some_and(|t| t == "href" || t.ends_with(":href")) {
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
                if AsRef::<str>::as_ref(&d).contains("<!ENTITY") {
                    out.push(Finding {
                        what: "an entity declaration in the DOCTYPE".into(),
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
    let lower = pseudo_attributes.to_ascii_lowercase();
    let Some(i) = lower.find("type") else {
        return false;
    };
    let rest = lower[i + 4..].trim_start();
    let Some(rest) = rest.strip_prefix('=') else {
        return false;
    };
    let rest = rest.trim_start();
    let Some(quote) = rest.chars().next().filter(|c| *c == '"' || *c == '\'') else {
        return false;
    };
    let value = rest[1..].split(quote).next().unwrap_or("");
    value.trim() == "text/css" && lower.matches("type").count() == 1
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

/// Script in an HTML file, by line. The tokenizer stays in its data
/// state throughout (it sees the tags inside `<style>`, `<title>` or
/// `<textarea>` too, which a browser reads as text): it may find more
/// than a browser would run, never less.
pub fn scan_html(text: &str) -> Vec<Finding> {
    struct Sink(RefCell<Vec<Finding>>);
    impl TokenSink for Sink {
        type Handle = ();
        fn process_token(&self, token: Token, line: u64) -> TokenSinkResult<()> {
            if let Token::TagToken(tag) = token
                && tag.kind == TagKind::StartTag
            {
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
            }
            TokenSinkResult::Continue
        }
    }
    let input = BufferQueue::default();
    input.push_back(StrTendril::from_slice(text));
    let tokenizer = Tokenizer::new(Sink(RefCell::new(Vec::new())), TokenizerOpts::default());
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
        for other in ["a.png", "b.txt", "c.json", "d.css", "e.pdf", "noext"] {
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
        let data = r#"<?xml version="1.0"?><metrics><sample at="2024-01-01T00:00Z" value="3"/><element name="db"/></metrics>"#;
        assert_eq!(scan_svg(data), []);
    }
}
