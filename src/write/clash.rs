//! Files of the author's that would take a path the site makes: a file
//! under content/ is published at its own path, and the site's pages,
//! feeds, exports and theme files are made at theirs. Neither may
//! replace the other, nor need a folder where the other is a file.

use std::collections::HashSet;
use std::path::Path;

use crate::diagnostics::{Code, Diagnostic, display_path};

/// The folder `pmsite serve` answers itself (its reload script and
/// events), whatever the output holds there.
pub const SERVE_DIR: &str = "__pmsite";

/// What the site makes: every file it writes, and folders that are its
/// own whatever they hold (the search index, made later; the folder
/// `serve` answers itself), each with what it holds.
pub struct Made<'a> {
    files: HashSet<&'a str>,
    folders: HashSet<&'a str>,
    filled: Vec<(&'a str, &'a str)>,
}

impl<'a> Made<'a> {
    pub fn new(files: impl IntoIterator<Item = &'a str>, filled: Vec<(&'a str, &'a str)>) -> Self {
        let files: HashSet<&str> = files.into_iter().collect();
        let mut folders = HashSet::new();
        for f in &files {
            let mut rest = *f;
            while let Some((dir, _)) = rest.rsplit_once('/') {
                if !folders.insert(dir) {
                    break;
                }
                rest = dir;
            }
        }
        folders.extend(filled.iter().map(|(d, _)| *d));
        Made {
            files,
            folders,
            filled,
        }
    }

    /// Why the author's file at `rel` (relative to the output folder)
    /// cannot be published there, if it cannot.
    fn clash(&self, rel: &str) -> Option<String> {
        if self.files.contains(rel) {
            return Some("the site makes a file of its own there".into());
        }
        if self.folders.contains(rel) {
            return Some(format!(
                "the site makes the folder /{rel}/ (its own files go there)"
            ));
        }
        if let Some((dir, what)) = self.filled.iter().find(|(d, _)| under(rel, d)) {
            return Some(format!("/{dir}/ holds {what}"));
        }
        let mut rest = rel;
        while let Some((dir, _)) = rest.rsplit_once('/') {
            if self.files.contains(dir) {
                return Some(format!(
                    "it needs a folder /{dir}/, and the site makes the file /{dir}"
                ));
            }
            rest = dir;
        }
        None
    }
}

fn under(rel: &str, dir: &str) -> bool {
    rel.strip_prefix(dir).is_some_and(|r| r.starts_with('/'))
}

/// An error for each of the author's files (`rel` under the output
/// folder, and where it is) that takes a path the site makes.
pub fn clashes<'f>(
    made: &Made<'_>,
    files: impl IntoIterator<Item = (&'f str, &'f Path)>,
) -> Vec<Diagnostic> {
    files
        .into_iter()
        .filter_map(|(rel, path)| {
            let why = made.clash(rel)?;
            let shown = display_path(path);
            let hint = if rel.starts_with("static/") {
                "rename or move the file; to replace a file of the theme, put yours in themes/<theme>/static/ (see Themes in the README)"
            } else {
                "rename or move the file (a folder of its own, such as content/files/, never clashes)"
            };
            Some(
                Diagnostic::error(
                    Code::PathTaken,
                    format!("this file cannot be published at /{rel}: {why}"),
                )
                .in_file(shown)
                .with_hint(hint),
            )
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn why(made: &Made<'_>, rel: &str) -> Option<String> {
        made.clash(rel)
    }

    #[test]
    fn a_file_clashes_with_a_made_file_a_made_folder_or_a_file_above_it() {
        let made = Made::new(
            [
                "index.html",
                "timeline/index.html",
                "timeline/page/2/index.html",
                "feed.xml",
                "static/style.css",
            ],
            vec![("search", "the search index the site makes")],
        );
        assert!(
            why(&made, "index.html")
                .unwrap()
                .contains("file of its own")
        );
        assert!(why(&made, "static/style.css").is_some());
        assert!(
            why(&made, "timeline")
                .unwrap()
                .contains("folder /timeline/")
        );
        assert!(why(&made, "timeline/page").unwrap().contains("folder"));
        assert!(
            why(&made, "feed.xml/a.txt")
                .unwrap()
                .contains("file /feed.xml")
        );
        assert!(
            why(&made, "search/terms/0.bin")
                .unwrap()
                .contains("search index")
        );
        assert!(why(&made, "search").is_some());
        for fine in [
            "timeline/diagram.png",
            "static/logo.png",
            "feed.xml.bak.txt",
            "searching/x.png",
            "diagrams/index.html",
        ] {
            assert_eq!(why(&made, fine), None, "{fine}");
        }
    }
}
