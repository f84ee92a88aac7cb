//! The published limits of static hosts, checked against a finished
//! output folder before it replaces the previous one: the site's size, its
//! files (or entries: files and folders), the largest file, and the
//! fullest folder. Sizes are the files' bytes as written; a host that
//! compresses the upload counts fewer, so the check errs on the safe side.
//!
//! Sources (the hosts' documentation, as of 2025):
//! - GitHub Pages: "Published GitHub Pages sites may be no larger than 1 GB"
//!   <https://docs.github.com/en/pages/getting-started-with-github-pages/github-pages-limits>
//! - GitLab Pages on GitLab.com: 1 GB, 200,000 file entries (files,
//!   folders and links) <https://docs.gitlab.com/user/gitlab_com/#gitlab-pages>
//! - Cloudflare Pages: 20,000 files on the Free plan, 25 MiB for one file
//!   <https://developers.cloudflare.com/pages/platform/limits/>
//! - Netlify: 54,000 files in one folder
//!   <https://docs.netlify.com/site-deploys/overview/#files-per-directory-limit>

use std::path::{Path, PathBuf};

use crate::config::host::Host;
use crate::diagnostics::{Code, Diagnostic};

const GB: u64 = 1_000_000_000;
const MIB: u64 = 1024 * 1024;
/// The smallest limit on one file of any host.
const BIG: u64 = 25 * MIB;

/// One published limit of a host.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Limit {
    /// The bytes of every file together.
    SiteBytes(u64),
    /// How many files.
    Files(u64),
    /// How many files and folders.
    Entries(u64),
    /// The bytes of one file.
    FileBytes(u64),
    /// How many files and folders one folder holds.
    FolderEntries(u64),
}

/// The limits of a host.
pub fn limits(host: Host) -> &'static [Limit] {
    match host {
        Host::GithubPages => &[Limit::SiteBytes(GB)],
        Host::GitlabPages => &[Limit::SiteBytes(GB), Limit::Entries(200_000)],
        Host::CloudflarePages => &[Limit::Files(20_000), Limit::FileBytes(25 * MIB)],
        Host::Netlify => &[Limit::FolderEntries(54_000)],
    }
}

/// The strictest of every host's limits: what a build without `host`
/// warns about.
pub fn strictest() -> Vec<(Host, Limit)> {
    let mut out: Vec<(Host, Limit)> = Vec::new();
    for host in Host::ALL {
        for &limit in limits(host) {
            let same_kind = out
                .iter()
                .position(|(_, l)| std::mem::discriminant(l) == std::mem::discriminant(&limit));
            match same_kind {
                Some(k) if value(limit) < value(out[k].1) => out[k] = (host, limit),
                Some(_) => {}
                None => out.push((host, limit)),
            }
        }
    }
    out
}

fn value(limit: Limit) -> u64 {
    match limit {
        Limit::SiteBytes(n)
        | Limit::Files(n)
        | Limit::Entries(n)
        | Limit::FileBytes(n)
        | Limit::FolderEntries(n) => n,
    }
}

/// What a finished output folder holds, as the limits count it.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Tally {
    pub bytes: u64,
    pub files: u64,
    pub folders: u64,
    /// The largest file (relative to the folder) and its bytes.
    pub largest: Option<(PathBuf, u64)>,
    /// Every file over the smallest per-file limit of any host, by path
    /// (each breaks it, and each is reported).
    pub big: Vec<(PathBuf, u64)>,
    /// The folder holding the most entries (relative; empty for the
    /// folder itself) and how many.
    pub fullest: Option<(PathBuf, u64)>,
}

impl Tally {
    /// Counts one more file at the top of the folder.
    pub fn add_file(&mut self, name: &str, len: u64) {
        self.files += 1;
        self.bytes += len;
        if self.largest.as_ref().is_none_or(|(_, l)| len > *l) {
            self.largest = Some((PathBuf::from(name), len));
        }
        if len > BIG {
            self.big.push((PathBuf::from(name), len));
            self.big.sort();
        }
        if let Some((p, n)) = &mut self.fullest
            && p.as_os_str().is_empty()
        {
            *n += 1;
        }
    }

    /// The tally of a folder holding these files (paths relative to it,
    /// `/`-separated, with their sizes), and the folders they are in.
    pub fn of_files<'a>(files: impl IntoIterator<Item = (&'a str, u64)>) -> Tally {
        let mut t = Tally::default();
        // Folder → its entries (files and folders).
        let mut entries: std::collections::HashMap<&'a str, u64> = Default::default();
        let mut folders: std::collections::HashSet<&'a str> = Default::default();
        for (path, len) in files {
            t.files += 1;
            t.bytes += len;
            if t.largest.as_ref().is_none_or(|(_, l)| len > *l) {
                t.largest = Some((PathBuf::from(path), len));
            }
            if len > BIG {
                t.big.push((PathBuf::from(path), len));
            }
            let mut child = path;
            while let Some((parent, _)) = child.rsplit_once('/') {
                *entries.entry(parent).or_insert(0) += 1;
                if !folders.insert(parent) {
                    // Its own parents are counted already.
                    child = "";
                    break;
                }
                child = parent;
            }
            if !child.is_empty() {
                *entries.entry("").or_insert(0) += 1;
            }
        }
        t.big.sort();
        t.folders = folders.len() as u64;
        t.fullest = entries
            .into_iter()
            .max_by(|a, b| a.1.cmp(&b.1).then_with(|| b.0.cmp(a.0)))
            .map(|(p, n)| (PathBuf::from(p), n));
        t
    }
}

/// A limit the output breaks: what the host allows and what the output has.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Breach {
    pub host: Host,
    pub limit: Limit,
    /// The figure that breaks it.
    pub actual: u64,
    /// The file or folder that breaks it (for the per-file and per-folder
    /// limits).
    pub path: Option<PathBuf>,
}

/// The limits of `host` that `tally` breaks.
pub fn check(tally: &Tally, host: Host) -> Vec<Breach> {
    limits(host)
        .iter()
        .flat_map(|&limit| breaches(tally, host, limit))
        .collect()
}

/// How `t` breaks `limit`: once, or once per file for the limit on one
/// file.
fn breaches(t: &Tally, host: Host, limit: Limit) -> Vec<Breach> {
    let found: Vec<(u64, Option<PathBuf>)> = match limit {
        Limit::SiteBytes(_) => vec![(t.bytes, None)],
        Limit::Files(_) => vec![(t.files, None)],
        Limit::Entries(_) => vec![(t.files + t.folders, None)],
        Limit::FileBytes(_) => t.big.iter().map(|(p, n)| (*n, Some(p.clone()))).collect(),
        Limit::FolderEntries(_) => t
            .fullest
            .iter()
            .map(|(p, n)| (*n, Some(p.clone())))
            .collect(),
    };
    found
        .into_iter()
        .filter(|(actual, _)| *actual > value(limit))
        .map(|(actual, path)| Breach {
            host,
            limit,
            actual,
            path,
        })
        .collect()
}

/// The breaches of the strictest limits, for a build without a host.
pub fn check_strictest(tally: &Tally) -> Vec<Breach> {
    strictest()
        .into_iter()
        .flat_map(|(host, limit)| breaches(tally, host, limit))
        .collect()
}

/// `1.04 GB` (decimal, as the hosts state the site limits).
fn gigabytes(n: u64) -> String {
    format!("{:.2} GB", n as f64 / GB as f64)
}

/// `26.0 MiB` (binary, as Cloudflare states its file limit).
fn mebibytes(n: u64) -> String {
    format!("{:.1} MiB", n as f64 / MIB as f64)
}

impl Breach {
    /// What is broken, in words.
    pub fn message(&self, out: &Path) -> String {
        let host = self.host;
        let place = |p: &Option<PathBuf>| {
            let p = p.as_deref().unwrap_or(Path::new(""));
            out.join(p).display().to_string()
        };
        match self.limit {
            Limit::SiteBytes(n) => format!(
                "the site is {} ({} bytes); {host} publishes at most {} ({n} bytes) per site",
                gigabytes(self.actual),
                self.actual,
                gigabytes(n)
            ),
            Limit::Files(n) => format!(
                "the site has {} files; {host} publishes at most {n} files per site",
                self.actual
            ),
            Limit::Entries(n) => format!(
                "the site has {} files and folders; {host} publishes at most {n} per site",
                self.actual
            ),
            Limit::FileBytes(n) => format!(
                "{} is {} ({} bytes); {host} publishes files of at most {} ({n} bytes)",
                place(&self.path),
                mebibytes(self.actual),
                self.actual,
                mebibytes(n)
            ),
            Limit::FolderEntries(n) => format!(
                "the folder {} holds {} files and folders; {host} allows at most {n} in one folder",
                place(&self.path),
                self.actual
            ),
        }
    }

    /// What to do about it.
    pub fn hint(&self) -> String {
        match self.limit {
            Limit::SiteBytes(_) | Limit::Files(_) | Limit::Entries(_) => {
                "publish fewer incidents (`build --public` leaves out internal ones), keep large images and attachments out of content/, or choose a host with higher limits (`[build] host`)".into()
            }
            Limit::FileBytes(_) => {
                "make the file smaller or keep it out of content/ and link to it where it is stored".into()
            }
            // The incidents' own folder grows with the history; any
            // other folder is one of the author's under content/.
            Limit::FolderEntries(_) if self.path.as_deref() == Some(Path::new("postmortems")) => {
                "split the incidents between knowledge bases, or choose another host (`[build] host`)".into()
            }
            Limit::FolderEntries(_) => {
                "spread the files of that folder under content/ over sub-folders (e.g. one per year), or choose another host (`[build] host`)".into()
            }
        }
    }

    /// The breach as a problem of the build: an error when `host` was
    /// chosen, else a warning about the host whose limit it is.
    pub fn diagnostic(&self, out: &Path, chosen: bool, building: bool) -> Diagnostic {
        if chosen {
            Diagnostic::error(
                Code::HostLimit,
                format!(
                    "{}; {}",
                    self.message(out),
                    if building {
                        "the previous output is left as it was"
                    } else {
                        "`pmsite build` would fail"
                    }
                ),
            )
            .with_hint(self.hint())
        } else {
            Diagnostic::warning(
                Code::HostLimit,
                format!("{}: it would not publish there", self.message(out)),
            )
            .with_hint(format!(
                "{}; set `[build] host` to check the limits of the host you use",
                self.hint()
            ))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Counts what `dir` holds, by reading it (what [`Tally::of_files`]
    /// must agree with).
    fn read_tally(dir: &Path) -> std::io::Result<Tally> {
        let mut t = Tally::default();
        let mut stack = vec![dir.to_path_buf()];
        while let Some(folder) = stack.pop() {
            let mut entries = 0u64;
            for entry in std::fs::read_dir(&folder)? {
                let entry = entry?;
                entries += 1;
                let kind = entry.file_type()?;
                if kind.is_dir() {
                    t.folders += 1;
                    stack.push(entry.path());
                } else {
                    t.files += 1;
                    let len = entry.metadata()?.len();
                    t.bytes += len;
                    if t.largest.as_ref().is_none_or(|(_, l)| len > *l) {
                        t.largest = Some((rel(dir, &entry.path()), len));
                    }
                    if len > BIG {
                        t.big.push((rel(dir, &entry.path()), len));
                    }
                }
            }
            if t.fullest.as_ref().is_none_or(|(_, n)| entries > *n) {
                t.fullest = Some((rel(dir, &folder), entries));
            }
        }
        t.big.sort();
        Ok(t)
    }

    fn rel(root: &Path, p: &Path) -> PathBuf {
        p.strip_prefix(root).unwrap_or(p).to_path_buf()
    }

    fn tally(bytes: u64, files: u64, folders: u64) -> Tally {
        Tally {
            bytes,
            files,
            folders,
            largest: Some((PathBuf::from("static/big.bin"), 26 * MIB)),
            big: vec![(PathBuf::from("static/big.bin"), 26 * MIB)],
            fullest: Some((PathBuf::from("postmortems"), 60_000)),
        }
    }

    #[test]
    fn each_host_checks_its_own_limits() {
        let t = tally(GB + 1, 30_000, 200_000);
        let broken = |h| -> Vec<Limit> { check(&t, h).into_iter().map(|b| b.limit).collect() };
        assert_eq!(broken(Host::GithubPages), [Limit::SiteBytes(GB)]);
        assert_eq!(
            broken(Host::GitlabPages),
            [Limit::SiteBytes(GB), Limit::Entries(200_000)]
        );
        assert_eq!(
            broken(Host::CloudflarePages),
            [Limit::Files(20_000), Limit::FileBytes(25 * MIB)]
        );
        assert_eq!(broken(Host::Netlify), [Limit::FolderEntries(54_000)]);
        let small = Tally {
            largest: Some((PathBuf::from("index.html"), 100)),
            big: Vec::new(),
            fullest: Some((PathBuf::new(), 10)),
            ..tally(GB, 20_000, 100)
        };
        for h in Host::ALL {
            assert!(check(&small, h).is_empty(), "{h}: at the limit is fine");
        }
    }

    #[test]
    fn every_file_over_the_limit_is_a_breach_of_its_own() {
        let t = Tally::of_files([
            ("b/two.bin", 26 * MIB),
            ("index.html", 100),
            ("a/one.bin", 30 * MIB),
            ("c/at-the-limit.bin", 25 * MIB),
        ]);
        let paths: Vec<_> = check(&t, Host::CloudflarePages)
            .into_iter()
            .filter_map(|b| b.path)
            .collect();
        assert_eq!(
            paths,
            [PathBuf::from("a/one.bin"), PathBuf::from("b/two.bin")]
        );
        assert_eq!(check_strictest(&t).len(), 2);
    }

    #[test]
    fn messages_name_the_limit_and_what_breaks_it() {
        let t = tally(GB + 1, 10, 1);
        let b = &check(&t, Host::GithubPages)[0];
        let d = b.diagnostic(Path::new("public"), true, true);
        assert_eq!(
            d.message,
            "the site is 1.00 GB (1000000001 bytes); github-pages publishes at most 1.00 GB (1000000000 bytes) per site; the previous output is left as it was"
        );
        let b = &check(&t, Host::CloudflarePages)[0];
        assert_eq!(
            b.message(Path::new("public")),
            "public/static/big.bin is 26.0 MiB (27262976 bytes); cloudflare-pages publishes files of at most 25.0 MiB (26214400 bytes)"
        );
        assert_eq!(b.path.as_deref(), Some(Path::new("static/big.bin")));
    }

    #[test]
    fn a_full_folder_is_split_by_incidents_or_by_sub_folders() {
        let t = tally(1, 10, 1);
        let b = &check(&t, Host::Netlify)[0];
        assert!(b.hint().starts_with("split the incidents"), "{}", b.hint());
        let t = Tally {
            fullest: Some((PathBuf::from("attachments"), 60_000)),
            ..tally(1, 10, 1)
        };
        let b = &check(&t, Host::Netlify)[0];
        assert!(b.hint().contains("sub-folders"), "{}", b.hint());
    }

    #[test]
    fn the_strictest_limits_come_from_several_hosts() {
        assert_eq!(
            strictest(),
            [
                (Host::GithubPages, Limit::SiteBytes(GB)),
                (Host::GitlabPages, Limit::Entries(200_000)),
                (Host::CloudflarePages, Limit::Files(20_000)),
                (Host::CloudflarePages, Limit::FileBytes(25 * MIB)),
                (Host::Netlify, Limit::FolderEntries(54_000)),
            ]
        );
    }

    #[test]
    fn written_files_are_tallied_as_the_folder_would_be() {
        let tmp = tempfile::tempdir().unwrap();
        let files = [
            ("a/b/x.html", "12345"),
            ("a/y.html", "12"),
            ("z", "1"),
            ("a/b/c/w", "123"),
            ("q/r/s", ""),
        ];
        for (p, text) in files {
            let path = tmp.path().join(p);
            std::fs::create_dir_all(path.parent().unwrap()).unwrap();
            std::fs::write(path, text).unwrap();
        }
        let from_disk = read_tally(tmp.path()).unwrap();
        let from_files = Tally::of_files(files.iter().map(|(p, t)| (*p, t.len() as u64)));
        assert_eq!(
            (from_files.bytes, from_files.files, from_files.folders),
            (from_disk.bytes, from_disk.files, from_disk.folders)
        );
        assert_eq!(from_files.largest, from_disk.largest);
        assert_eq!(from_files.fullest.as_ref().map(|f| f.1), Some(3));
        assert_eq!(from_disk.fullest.as_ref().map(|f| f.1), Some(3));
    }

    #[test]
    fn a_folder_is_tallied() {
        let tmp = tempfile::tempdir().unwrap();
        std::fs::create_dir_all(tmp.path().join("a/b")).unwrap();
        std::fs::write(tmp.path().join("a/b/x.html"), "12345").unwrap();
        std::fs::write(tmp.path().join("a/y.html"), "12").unwrap();
        std::fs::write(tmp.path().join("z"), "1").unwrap();
        let t = read_tally(tmp.path()).unwrap();
        assert_eq!((t.bytes, t.files, t.folders), (8, 3, 2));
        assert_eq!(t.largest, Some((PathBuf::from("a/b/x.html"), 5)));
        assert_eq!(t.fullest.map(|(_, n)| n), Some(2));
    }
}
