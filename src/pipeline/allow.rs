//! Allow lists name lint codes; a code that names no lint is an error of
//! every command, not only of `check`.

use super::load::Loaded;
use crate::config::Config;
use crate::diagnostics::yaml::{Target, YamlPath};
use crate::diagnostics::{Code, Diagnostic, Diagnostics, Pos, display_path, suggest};

/// Reports unknown codes in the allow lists of book.toml (`[lint] allow`)
/// and of each postmortem (`lint: {allow: [...]}`): `build` does not lint,
/// but must not accept what `check` rejects.
pub fn check_allow_lists(config: &Config, loaded: &Loaded, diags: &mut Diagnostics) {
    let codes = Code::lint_names();
    let unknown = |code: &str| {
        let hint = match suggest(code, codes.iter().copied()) {
            Some(s) => format!("did you mean `{s}`? (lint codes: {})", codes.join(", ")),
            None => format!("lint codes: {}", codes.join(", ")),
        };
        Diagnostic::error(Code::UnknownLint, format!("unknown lint code `{code}`")).with_hint(hint)
    };
    let book = display_path(&config.config_path());
    let book_text = std::fs::read_to_string(config.config_path()).unwrap_or_default();
    for (i, code) in config.lint.allow.iter().enumerate() {
        if Code::lint(code).is_none() {
            let pos = config
                .positions
                .lint_allow
                .get(i)
                .copied()
                .unwrap_or(Pos::new(1, 1));
            diags.push(unknown(code).in_file(&book).at(pos).with_source(&book_text));
        }
    }
    for pm in &loaded.postmortems {
        for (i, code) in pm.lint_allow.iter().enumerate() {
            if Code::lint(code).is_none() {
                let path = YamlPath::root().key("lint").key("allow").index(i);
                diags.push(pm.source.diagnostic_at(unknown(code), &path, Target::Value));
            }
        }
    }
}
