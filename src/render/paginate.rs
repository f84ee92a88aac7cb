//! Pagination: any list page cut into pages of a fixed size, the way Hugo
//! and Zola do it. Page 1 stays at the list's own URL, pages 2..N are at
//! `<list>/page/N/`, and `<list>/page/1/` is a tiny page that redirects to
//! the list (`<meta http-equiv="refresh">`, `rel=canonical` and a link).
//! Every page knows its place ("page k of N") and its neighbours (the
//! previous and next links, and `<link rel="prev"/"next">` in the head,
//! which `base.html` writes from `pager`).
//!
//! A list page is made with [`Renderer::paginate`] from a [`List`]: the
//! list's folder, its template and title, its items in order, the
//! fingerprint of what each item shows, and a function that fills a
//! page's context from the items on it. Each page's fingerprint covers
//! only its own items (and the page count), so an edit re-renders the
//! pages the edited items are on, and nothing else.
//!
//! ```ignore
//! let items: Arc<[usize]> = facet.incidents.clone().into();
//! jobs.extend(self.paginate(List {
//!     pagination: Pagination::new("causes/dns/", items.len(), INCIDENTS_PER_PAGE),
//!     template: "facet.html",
//!     title: "dns".into(),
//!     section: "causes",
//!     fp: 0,
//!     first_fp: figures_fp,
//!     item_fp: &|&i| self.pieces[i].fp,
//!     items,
//!     context: Arc::new(move |c, page| {
//!         c.insert_value("incidents", self.compact_list(page.items));
//!     }),
//! }));
//! ```

use std::ops::Range;
use std::sync::Arc;

use serde::Serialize;
use tera::Context;

use super::fragments::Fp;
use super::{Job, Renderer};

/// Incidents on a page of an incident list (all incidents, the timeline,
/// each cause, service, team and tag).
pub const INCIDENTS_PER_PAGE: usize = 50;
/// Rows on a page of a follow-up list (the board, its history, each group
/// of its views).
pub const FOLLOW_UPS_PER_PAGE: usize = 100;
/// Rows on a page of a summary table (the index of causes, services,
/// teams and tags; the groups of a view of the board).
pub const ROWS_PER_PAGE: usize = 100;

/// Where the pages of one list are, and which items each holds.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Pagination {
    /// The list's folder below the site root, ending in `/` (`causes/dns/`).
    dir: String,
    total: usize,
    per_page: usize,
}

impl Pagination {
    /// A list of `total` items in the folder `dir` (below the site root,
    /// e.g. `causes/dns/`), `per_page` items a page.
    pub fn new(dir: &str, total: usize, per_page: usize) -> Self {
        let mut dir = dir.trim_start_matches('/').to_string();
        if !dir.is_empty() && !dir.ends_with('/') {
            dir.push('/');
        }
        Pagination {
            dir,
            total,
            per_page: per_page.max(1),
        }
    }

    /// How many pages: at least one (an empty list still has its page).
    pub fn count(&self) -> usize {
        self.total.div_ceil(self.per_page).max(1)
    }

    /// Items in the whole list.
    pub fn total(&self) -> usize {
        self.total
    }

    /// The items on page `number` (1-based), as a range of positions.
    pub fn range(&self, number: usize) -> Range<usize> {
        let start = (number.max(1) - 1) * self.per_page;
        start.min(self.total)..(start + self.per_page).min(self.total)
    }

    /// The page the item at position `index` is on.
    pub fn page_of(&self, index: usize) -> usize {
        index / self.per_page + 1
    }

    /// The folder of page `number` below the site root: the list's own
    /// for page 1, `<list>/page/N/` for the others.
    pub fn dir_of(&self, number: usize) -> String {
        if number <= 1 {
            self.dir.clone()
        } else {
            format!("{}page/{number}/", self.dir)
        }
    }

    /// The file page `number` is written to.
    pub fn file_of(&self, number: usize) -> String {
        format!("{}index.html", self.dir_of(number))
    }

    /// The file of the page that redirects `<list>/page/1/` to the list.
    pub fn redirect_file(&self) -> String {
        format!("{}page/1/index.html", self.dir)
    }

    /// What page `number` shows of its place in the list; URLs start with
    /// `base`, the site's path prefix.
    pub fn pager(&self, number: usize, base: &str) -> Pager {
        let count = self.count();
        let url = |n: usize| format!("{base}{}", self.dir_of(n));
        let range = self.range(number);
        Pager {
            number,
            count,
            total: self.total,
            first_item: if range.is_empty() { 0 } else { range.start + 1 },
            last_item: range.end,
            first: url(1),
            last: url(count),
            prev: (number > 1).then(|| url(number - 1)),
            next: (number < count).then(|| url(number + 1)),
        }
    }
}

/// A page's place in its list, for the templates (`pager`): the
/// `pager` component in `components.html` draws it, `base.html` puts its
/// neighbours in the head.
#[derive(Clone, Debug, Serialize)]
pub struct Pager {
    /// This page, from 1.
    pub number: usize,
    /// Pages in the list.
    pub count: usize,
    /// Items in the whole list.
    pub total: usize,
    /// Positions (from 1) of the first and last item on this page; 0 and
    /// 0 when the list is empty.
    pub first_item: usize,
    pub last_item: usize,
    /// URLs of the first and last page, and of the neighbours.
    pub first: String,
    pub last: String,
    pub prev: Option<String>,
    pub next: Option<String>,
}

/// The items on one page, with the page's place.
pub struct PageOf<'a, T> {
    pub items: &'a [T],
    pub pager: &'a Pager,
}

/// Fills the context of one page of a list.
pub type PageContext<'r, T> = Arc<dyn Fn(&mut Context, &PageOf<'_, T>) + Send + Sync + 'r>;

/// A list to render as pages.
pub struct List<'r, 'f, T> {
    pub pagination: Pagination,
    pub template: &'static str,
    /// The list's title; pages after the first add "page k of N".
    pub title: String,
    /// The navigation section the list belongs to.
    pub section: &'static str,
    /// Fingerprint of what every page shows besides its items (a heading
    /// naming the list, links that depend on the whole list).
    pub fp: u64,
    /// Fingerprint of what only page 1 shows (figures of the whole list).
    pub first_fp: u64,
    /// The items, in list order.
    pub items: Arc<[T]>,
    /// Fingerprint of what an item shows on the page.
    pub item_fp: &'f dyn Fn(&T) -> u64,
    /// Fills a page's context (`pager` and `list_title` are already in
    /// it).
    pub context: PageContext<'r, T>,
}

impl Renderer<'_> {
    /// The pages of a list, and the redirect from `<list>/page/1/`.
    pub(crate) fn paginate<'r, T: Send + Sync + 'r>(
        &'r self,
        list: List<'r, '_, T>,
    ) -> Vec<Job<'r>> {
        let p = &list.pagination;
        let count = p.count();
        let mut jobs = Vec::with_capacity(count + 1);
        for number in 1..=count {
            let range = p.range(number);
            let file = p.file_of(number);
            let fp = Fp::new()
                .u64(self.global_fp)
                .str(&file)
                .u64(list.fp)
                .u64(if number == 1 { list.first_fp } else { 0 })
                .u64s([count as u64, p.total() as u64])
                .u64s(list.items[range.clone()].iter().map(list.item_fp))
                .finish();
            let title = if number == 1 {
                list.title.clone()
            } else {
                format!("{} (page {number} of {count})", list.title)
            };
            let pager = p.pager(number, &self.base);
            let list_title = list.title.clone();
            let items = list.items.clone();
            let context = list.context.clone();
            jobs.push(
                self.page(file, list.template, &title, list.section, fp, move |c| {
                    c.insert("pager", &pager);
                    c.insert("list_title", &list_title);
                    let page = PageOf {
                        items: &items[range.clone()],
                        pager: &pager,
                    };
                    context(c, &page);
                }),
            );
        }
        jobs.push(self.redirect(p.redirect_file(), p.pager(1, &self.base).first, &list.title));
        jobs
    }

    /// A page that sends the browser on to `to` (a URL path of the site).
    pub(crate) fn redirect<'r>(&'r self, file: String, to: String, title: &str) -> Job<'r> {
        let fp = Fp::new()
            .u64(self.global_fp)
            .str(&file)
            .str(&to)
            .str(title)
            .finish();
        let absolute = super::absolute(self.site, &to);
        self.page(file, "redirect.html", title, "", fp, move |c| {
            c.insert("target", &to);
            c.insert("canonical", &absolute);
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pages_cover_every_item_once() {
        for total in [0, 1, 49, 50, 51, 100, 101, 1234] {
            let p = Pagination::new("causes/dns/", total, 50);
            let mut seen = Vec::new();
            for n in 1..=p.count() {
                for i in p.range(n) {
                    assert_eq!(p.page_of(i), n);
                    seen.push(i);
                }
            }
            assert_eq!(seen, (0..total).collect::<Vec<_>>(), "{total}");
            assert_eq!(p.count(), total.div_ceil(50).max(1));
        }
    }

    #[test]
    fn urls_and_neighbours() {
        let p = Pagination::new("/timeline", 120, 50);
        assert_eq!(p.file_of(1), "timeline/index.html");
        assert_eq!(p.file_of(3), "timeline/page/3/index.html");
        assert_eq!(p.redirect_file(), "timeline/page/1/index.html");
        let first = p.pager(1, "/kb/");
        assert_eq!(first.prev, None);
        assert_eq!(first.next.as_deref(), Some("/kb/timeline/page/2/"));
        assert_eq!((first.first_item, first.last_item), (1, 50));
        let last = p.pager(3, "/kb/");
        assert_eq!(last.prev.as_deref(), Some("/kb/timeline/page/2/"));
        assert_eq!(last.next, None);
        assert_eq!(last.first, "/kb/timeline/");
        assert_eq!(last.last, "/kb/timeline/page/3/");
        assert_eq!((last.first_item, last.last_item), (101, 120));
        let empty = Pagination::new("tags/x/", 0, 50).pager(1, "/");
        assert_eq!((empty.count, empty.first_item, empty.last_item), (1, 0, 0));
        assert_eq!(Pagination::new("", 10, 5).file_of(2), "page/2/index.html");
    }
}
