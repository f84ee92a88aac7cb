//! Front matter that a source already has (another tool's: Jekyll, Hugo,
//! MyST...): its title, date, severity and summary are taken; the body is
//! what follows it. Front matter that is not valid YAML is left out, with a
//! note.

use serde_yaml::Mapping;

use crate::load::frontmatter;

/// A source split into its front matter, if any, and its body.
pub(super) struct ForeignFrontMatter<'a> {
    map: Option<Mapping>,
    /// The file line on which the body starts.
    pub body_line: usize,
    pub body: &'a str,
}

impl<'a> ForeignFrontMatter<'a> {
    /// Splits `text`; front matter that cannot be read is noted in `notes`
    /// (line in the file, message).
    pub fn read(text: &'a str, notes: &mut Vec<(usize, String)>) -> Self {
        let (map, body_line, body) = match frontmatter::split(text) {
            Ok(s) => match frontmatter::parse_yaml(&text[s.yaml.clone()], s.yaml_line) {
                Ok(map) => (Some(map), s.body_line, &text[s.body.clone()]),
                Err(d) => {
                    notes.push((
                        d.line.max(1),
                        format!(
                            "the file's front matter is not valid YAML ({}); it is left out",
                            d.message
                        ),
                    ));
                    (None, s.body_line, &text[s.body.clone()])
                }
            },
            Err(_) => (None, 1, text),
        };
        ForeignFrontMatter {
            map,
            body_line,
            body,
        }
    }

    /// The text of a key that holds a string or a number, trimmed; `None`
    /// when it is missing or empty.
    pub fn get(&self, key: &str) -> Option<String> {
        self.map
            .as_ref()
            .and_then(|m| m.get(key))
            .and_then(frontmatter::scalar_text)
            .map(|s| s.trim().to_string())
            .filter(|s| !s.is_empty())
    }
}
