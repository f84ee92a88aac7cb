//! What the links inside Markdown bodies can point at: postmortems by id
//! (`[[id]]`), other content files by relative path, and asset files.

use std::collections::{HashMap, HashSet};

/// A postmortem a link can name.
#[derive(Clone, Debug)]
pub struct LinkEntry {
    pub url: String,
    pub title: String,
    /// Left out of this build (`visibility: internal` with `--public`):
    /// links to it become plain text.
    pub hidden: bool,
}

/// The targets of links, built once all front matter is read.
#[derive(Clone, Debug, Default)]
pub struct LinkTable {
    /// The site's path prefix, e.g. `/postmortems/`.
    pub base_path: String,
    pub ids: HashMap<String, LinkEntry>,
    /// Content-relative path of a Markdown file (`postmortems/2018/x.md`)
    /// → the URL of its page, and whether it is left out of this build.
    pub files: HashMap<String, (String, bool)>,
    /// Content-relative paths of asset files (images and others), which are
    /// copied to the same path under the output.
    pub assets: HashSet<String>,
    /// The URLs of pages left out of this build, for links written as
    /// URLs (`../other-id/`) rather than as files.
    pub hidden_pages: HashSet<String>,
}

/// Where a link leads.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Resolved {
    /// A URL inside the site.
    Url(String),
    /// A relative link to nothing that exists.
    Missing(String),
    /// A page left out of this build (draft, or internal in a public
    /// build): the link becomes plain text.
    Hidden,
    /// Left as written (absolute URLs, anchors, mail).
    External,
}

/// Something a rendered body looked up, with what it found: a body can be
/// reused as long as every lookup still finds the same.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum LinkDep {
    /// `[[id]]`, and a fingerprint of the entry it found.
    Id(String, u64),
    /// A link or image URL, and a fingerprint of where it led.
    Url(String, u64),
}

impl LinkTable {
    pub fn postmortem(&self, id: &str) -> Option<&LinkEntry> {
        self.ids.get(id)
    }

    /// A fingerprint of what `[[id]]` finds.
    pub fn id_fingerprint(&self, id: &str) -> u64 {
        match self.ids.get(id) {
            None => 0,
            Some(e) => {
                let mut h = xxhash_rust::xxh3::Xxh3::new();
                h.update(e.url.as_bytes());
                h.update(&[0, u8::from(e.hidden)]);
                h.update(e.title.as_bytes());
                h.digest()
            }
        }
    }

    /// A fingerprint of where a link written in `doc_rel` leads.
    pub fn url_fingerprint(&self, doc_rel: &str, url: &str) -> u64 {
        let r = self.resolve(doc_rel, url);
        let mut h = xxhash_rust::xxh3::Xxh3::new();
        match &r {
            Resolved::Url(u) => {
                h.update(b"u");
                h.update(u.as_bytes());
            }
            Resolved::Missing(_) => h.update(b"m"),
            Resolved::Hidden => h.update(b"h"),
            Resolved::External => h.update(b"e"),
        }
        h.digest()
    }

    /// Do all these lookups still find the same?
    pub fn still_valid(&self, doc_rel: &str, deps: &[LinkDep]) -> bool {
        deps.iter().all(|d| match d {
            LinkDep::Id(id, fp) => self.id_fingerprint(id) == *fp,
            LinkDep::Url(url, fp) => self.url_fingerprint(doc_rel, url) == *fp,
        })
    }

    /// Resolves a link written in the file at content-relative `doc_rel`
    /// (e.g. `postmortems/2018/x.md`).
    pub fn resolve(&self, doc_rel: &str, url: &str) -> Resolved {
        if url.starts_with('/') && !url.starts_with("//") {
            let path = url.split(['#', '?']).next().unwrap_or(url);
            return if self.is_hidden_page(&percent_decode(path)) {
                Resolved::Hidden
            } else {
                Resolved::External
            };
        }
        if url.is_empty()
            || url.starts_with('#')
            || url.starts_with('/')
            || url.contains("://")
            || url.starts_with("mailto:")
            || url.starts_with("tel:")
            || url.starts_with("data:")
        {
            return Resolved::External;
        }
        let (path_part, fragment) = match url.find('#') {
            Some(i) => (&url[..i], &url[i..]),
            None => (url, ""),
        };
        // The query stays on the link (`diagram.svg?v=2` busts a cache).
        let (path_part, query) = match path_part.find('?') {
            Some(i) => (&path_part[..i], &path_part[i..]),
            None => (path_part, ""),
        };
        let decoded = percent_decode(path_part);
        let dir = match doc_rel.rfind('/') {
            Some(i) => &doc_rel[..i],
            None => "",
        };
        let Some(target) = join_normalized(dir, &decoded) else {
            return Resolved::Missing(url.to_string());
        };
        if let Some((page, hidden)) = self.files.get(&target) {
            if *hidden {
                return Resolved::Hidden;
            }
            return Resolved::Url(format!("{page}{query}{fragment}"));
        }
        if self.assets.contains(&target) {
            return Resolved::Url(format!(
                "{}{}{query}{fragment}",
                self.base_path,
                encode_path(&target)
            ));
        }
        // Links to files that do not exist are broken; links to folders
        // ("../glossary/") address pages by URL and are left as written.
        let last = target.rsplit('/').next().unwrap_or("");
        if last.contains('.') && !decoded.ends_with('/') {
            return Resolved::Missing(url.to_string());
        }
        // A link by URL to a page left out of this build: where the link
        // leads from the page this file makes.
        if !self.hidden_pages.is_empty()
            && let Some((page, _)) = self.files.get(doc_rel)
            && let Some(to) = join_normalized(page.trim_matches('/'), &decoded)
            && self.is_hidden_page(&format!("/{to}"))
        {
            return Resolved::Hidden;
        }
        Resolved::External
    }

    /// Is `path` (`/postmortems/x/`, with or without the final slash) the
    /// URL of a page left out of this build?
    fn is_hidden_page(&self, path: &str) -> bool {
        if self.hidden_pages.is_empty() {
            return false;
        }
        let with_slash = if path.ends_with('/') {
            path.to_string()
        } else {
            format!("{path}/")
        };
        self.hidden_pages.contains(&with_slash)
    }
}

/// `a/b` + `../c/d.png` → `a/c/d.png`; `None` when it leaves the content.
fn join_normalized(dir: &str, rel: &str) -> Option<String> {
    let mut parts: Vec<&str> = dir.split('/').filter(|p| !p.is_empty()).collect();
    for seg in rel.split('/') {
        match seg {
            "" | "." => {}
            ".." => {
                parts.pop()?;
            }
            s => parts.push(s),
        }
    }
    Some(parts.join("/"))
}

fn percent_decode(s: &str) -> String {
    percent_encoding::percent_decode_str(s)
        .decode_utf8_lossy()
        .into_owned()
}

/// What must be escaped in a URL path (everything but unreserved and `/`).
const PATH_SET: &percent_encoding::AsciiSet = &percent_encoding::NON_ALPHANUMERIC
    .remove(b'-')
    .remove(b'_')
    .remove(b'.')
    .remove(b'~')
    .remove(b'/');

/// What must be escaped in one URL path segment or query value.
pub const SEGMENT_SET: &percent_encoding::AsciiSet = &percent_encoding::NON_ALPHANUMERIC
    .remove(b'-')
    .remove(b'_')
    .remove(b'.')
    .remove(b'~');

/// Percent-encodes what cannot appear in a URL path.
pub fn encode_path(p: &str) -> String {
    percent_encoding::utf8_percent_encode(p, PATH_SET).to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn table() -> LinkTable {
        let mut t = LinkTable {
            base_path: "/kb/".into(),
            ..Default::default()
        };
        t.files.insert(
            "postmortems/2018/a.md".into(),
            ("/kb/postmortems/a/".into(), false),
        );
        t.files.insert(
            "postmortems/2018/hidden.md".into(),
            ("/kb/postmortems/hidden/".into(), true),
        );
        t.files.insert(
            "pages/start-here.md".into(),
            ("/kb/start-here/".into(), false),
        );
        t.assets.insert("postmortems/2018/img/g raph.png".into());
        t.hidden_pages.insert("/kb/postmortems/hidden/".into());
        t
    }

    #[test]
    fn links_by_url_to_pages_left_out_become_text() {
        let t = table();
        let from = "postmortems/2018/a.md";
        assert_eq!(t.resolve(from, "../hidden/"), Resolved::Hidden);
        assert_eq!(t.resolve(from, "../hidden#timeline"), Resolved::Hidden);
        assert_eq!(t.resolve(from, "/kb/postmortems/hidden/"), Resolved::Hidden);
        assert_eq!(t.resolve(from, "../a/"), Resolved::External);
        assert_eq!(t.resolve(from, "/kb/postmortems/a/"), Resolved::External);
        assert_eq!(t.resolve(from, "//cdn.example/x"), Resolved::External);
    }

    #[test]
    fn relative_links_resolve() {
        let t = table();
        assert_eq!(
            t.resolve("postmortems/2017/b.md", "../2018/a.md#timeline"),
            Resolved::Url("/kb/postmortems/a/#timeline".into())
        );
        assert_eq!(
            t.resolve("postmortems/2018/a.md", "img/g%20raph.png"),
            Resolved::Url("/kb/postmortems/2018/img/g%20raph.png".into())
        );
        assert_eq!(
            t.resolve("postmortems/2018/a.md", "../../pages/start-here.md"),
            Resolved::Url("/kb/start-here/".into())
        );
        assert_eq!(
            t.resolve("postmortems/2018/a.md", "missing.png"),
            Resolved::Missing("missing.png".into())
        );
        assert_eq!(
            t.resolve("postmortems/2018/a.md", "hidden.md"),
            Resolved::Hidden
        );
        assert_eq!(
            t.resolve("postmortems/a.md", "../../../etc/passwd"),
            Resolved::Missing("../../../etc/passwd".into())
        );
        assert_eq!(
            t.resolve("postmortems/a.md", "https://x.test/"),
            Resolved::External
        );
        assert_eq!(t.resolve("postmortems/a.md", "#frag"), Resolved::External);
        assert_eq!(
            t.resolve("postmortems/2018/a.md", "img/g%20raph.png?v=2#top"),
            Resolved::Url("/kb/postmortems/2018/img/g%20raph.png?v=2#top".into())
        );
        assert_eq!(
            t.resolve("postmortems/2017/b.md", "../2018/a.md?print=1"),
            Resolved::Url("/kb/postmortems/a/?print=1".into())
        );
    }
}
