//! The static hosts whose published limits a build can be checked against
//! (`[build] host`, `build --host`). The limits themselves are in
//! `write::limits`, which checks the finished output.

use std::fmt;

/// A static host with published limits.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Host {
    GithubPages,
    GitlabPages,
    CloudflarePages,
    Netlify,
}

impl Host {
    /// Every host, in the order messages list them.
    pub const ALL: [Host; 4] = [
        Host::GithubPages,
        Host::GitlabPages,
        Host::CloudflarePages,
        Host::Netlify,
    ];

    /// The name book.toml and `--host` use.
    pub fn name(self) -> &'static str {
        match self {
            Host::GithubPages => "github-pages",
            Host::GitlabPages => "gitlab-pages",
            Host::CloudflarePages => "cloudflare-pages",
            Host::Netlify => "netlify",
        }
    }

    /// The host of this name.
    pub fn parse(name: &str) -> Option<Host> {
        Host::ALL.into_iter().find(|h| h.name() == name)
    }

    /// The names, for messages: `github-pages, gitlab-pages, …`.
    pub fn names() -> Vec<&'static str> {
        Host::ALL.iter().map(|h| h.name()).collect()
    }
}

impl fmt::Display for Host {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_round_trip() {
        for h in Host::ALL {
            assert_eq!(Host::parse(h.name()), Some(h));
        }
        assert_eq!(Host::parse("github"), None);
    }
}
