//! Themes: the default theme embedded in the binary, overridden file by
//! file by a knowledge base's `themes/<name>/`.

use std::borrow::Cow;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use rust_embed::RustEmbed;
use walkdir::WalkDir;

use crate::config::Config;
use crate::diagnostics::Code;
use crate::diagnostics::{Diagnostic, Diagnostics, Pos, display_path};

#[derive(RustEmbed)]
#[folder = "themes/default/"]
struct DefaultTheme;

/// Where a theme file came from.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Origin {
    BuiltIn,
    Disk(PathBuf),
}

/// A theme file.
#[derive(Clone, Debug)]
pub struct ThemeFile {
    pub bytes: Cow<'static, [u8]>,
    pub origin: Origin,
}

/// The files of the theme in use: templates and static files.
#[derive(Clone, Debug, Default)]
pub struct Theme {
    /// Template name (e.g. `postmortem.html`) → file.
    pub templates: BTreeMap<String, ThemeFile>,
    /// Static path (e.g. `style.css`) → file, published under `/static/`.
    pub statics: BTreeMap<String, ThemeFile>,
}

impl Theme {
    /// A fingerprint of every file of the theme.
    pub fn fingerprint(&self) -> u64 {
        let mut h = xxhash_rust::xxh3::Xxh3::new();
        for (name, f) in self.templates.iter().chain(self.statics.iter()) {
            h.update(name.as_bytes());
            h.update(&(f.bytes.len() as u64).to_le_bytes());
            h.update(&f.bytes);
        }
        h.digest()
    }
}

impl Theme {
    /// The built-in theme, with the knowledge base's theme folder on top.
    pub fn load(config: &Config) -> Result<Theme, Diagnostics> {
        let mut theme = Theme::default();
        for name in DefaultTheme::iter() {
            let Some(file) = DefaultTheme::get(&name) else {
                continue;
            };
            let tf = ThemeFile {
                bytes: file.data,
                origin: Origin::BuiltIn,
            };
            if let Some(t) = name.strip_prefix("templates/") {
                theme.templates.insert(t.to_string(), tf);
            } else if let Some(s) = name.strip_prefix("static/") {
                theme.statics.insert(s.to_string(), tf);
            }
        }
        let dir = config.themes_dir().join(&config.build.theme);
        if !dir.is_dir() {
            if config.build.theme == "default" {
                return Ok(theme);
            }
            let mut d = Diagnostics::new();
            d.push(
                Diagnostic::error(
                    Code::UnknownTheme,
                    format!("theme `{}` not found: there is no folder {}", config.build.theme, display_path(&dir).display()),
                )
                .in_file(display_path(&config.config_path()))
                .with_hint("create the folder (files in it override the built-in theme's files of the same name), or remove `theme` from [build]"),
            );
            return Err(d);
        }
        let mut diags = Diagnostics::new();
        overlay(&dir.join("templates"), &mut theme.templates, &mut diags);
        overlay(&dir.join("static"), &mut theme.statics, &mut diags);
        if diags.has_errors() {
            return Err(diags);
        }
        Ok(theme)
    }

    /// The file a template came from, for messages.
    pub fn template_path(&self, name: &str) -> PathBuf {
        match self.templates.get(name).map(|t| &t.origin) {
            Some(Origin::Disk(p)) => display_path(p),
            _ => PathBuf::from(format!("themes/default/templates/{name} (built-in)")),
        }
    }

    /// Builds the template engine, reporting every template that does not
    /// parse.
    pub fn engine(&self) -> Result<tera::Tera, Diagnostics> {
        let mut tera = tera::Tera::default();
        tera.autoescape_on(vec![".html", ".xml", ".svg"]);
        let mut sources = Vec::new();
        let mut diags = Diagnostics::new();
        for (name, file) in &self.templates {
            match std::str::from_utf8(&file.bytes) {
                Ok(s) => sources.push((name.clone(), s.to_string())),
                Err(_) => diags.push(
                    Diagnostic::error(Code::NotUtf8, "template is not valid UTF-8")
                        .in_file(self.template_path(name)),
                ),
            }
        }
        if let Err(e) =
            tera.add_raw_templates(sources.iter().map(|(n, s)| (n.as_str(), s.as_str())))
        {
            diags.push(self.template_error(&e));
        }
        if diags.has_errors() {
            Err(diags)
        } else {
            Ok(tera)
        }
    }

    /// A Tera error as a diagnostic naming the template file and position.
    pub fn template_error(&self, e: &tera::Error) -> Diagnostic {
        use tera::ErrorKind;
        let report = match e.kind() {
            ErrorKind::SyntaxError(r) | ErrorKind::RenderingError(r) => Some(r),
            _ => None,
        };
        match report {
            Some(r) => {
                let name = r.filename();
                let text = self
                    .templates
                    .get(name)
                    .and_then(|f| std::str::from_utf8(&f.bytes).ok())
                    .unwrap_or("");
                Diagnostic::error(Code::Template, format!("template error: {}", r.message()))
                    .in_file(self.template_path(name))
                    .at(Pos::new(r.span().start_line, r.span().start_col + 1))
                    .with_source(text)
            }
            None => {
                let mut msg = e.to_string();
                let mut src = std::error::Error::source(e);
                while let Some(s) = src {
                    msg.push_str(": ");
                    msg.push_str(&s.to_string());
                    src = s.source();
                }
                Diagnostic::error(Code::Template, format!("template error: {msg}"))
            }
        }
    }
}

fn overlay(dir: &Path, into: &mut BTreeMap<String, ThemeFile>, diags: &mut Diagnostics) {
    if !dir.is_dir() {
        return;
    }
    for entry in WalkDir::new(dir).follow_links(false).sort_by_file_name() {
        let entry = match entry {
            Ok(e) => e,
            Err(e) => {
                diags.push(
                    Diagnostic::error(Code::Io, format!("cannot read theme folder: {e}"))
                        .in_file(display_path(dir)),
                );
                continue;
            }
        };
        if !entry.file_type().is_file()
            || crate::load::source::is_ignored_name(&entry.file_name().to_string_lossy())
        {
            continue;
        }
        let Ok(rel) = entry.path().strip_prefix(dir) else {
            continue;
        };
        let name = rel
            .components()
            .map(|c| c.as_os_str().to_string_lossy().into_owned())
            .collect::<Vec<_>>()
            .join("/");
        match std::fs::read(entry.path()) {
            Ok(bytes) => {
                into.insert(
                    name,
                    ThemeFile {
                        bytes: Cow::Owned(bytes),
                        origin: Origin::Disk(entry.path().to_path_buf()),
                    },
                );
            }
            Err(e) => diags.push(
                Diagnostic::error(Code::Io, format!("cannot read theme file: {e}"))
                    .in_file(display_path(entry.path())),
            ),
        }
    }
}
