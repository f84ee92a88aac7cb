#!/usr/bin/env python3
"""Checks that nothing is lost from the paginated lists of a built site:
every incident is on exactly one page of each list it belongs to (all
incidents, the timeline, each cause, service, team and kind, the
recurrences; tags: no incident twice, as many as the tag's count; the
postmortems awaiting review: none twice, each a draft or in review), and
every follow-up is on exactly one
page of the board or its history, and of one group of each view (one per
service of its incident in the view by service). The lists are followed
page by page through their rel="next" links; what belongs where comes
from postmortems.json.

    scripts/check-lists.py public        # exit 1 and a list of problems if anything is lost

Standard library only.
"""

import collections
import json
import os
import sys
import urllib.parse
from html.parser import HTMLParser


class Page(HTMLParser):
    """What a list page holds: its next page, the incidents of its incident
    lists, the rows of its follow-up tables, the links of its tables of
    counts (the facet index, the views of the board)."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.next = None
        self.incidents = []
        self.recurrences = []  # the later incidents of a recurrence list
        self.reviews = []  # the rows of the list awaiting review
        self.total = None  # what a pager says the list holds
        self.rows = []  # (title, incident url)
        self.groups = []  # (name, url or None, first number cell)
        self._stack = []
        self._li_link = False
        self._row = None
        self._cell = None
        self._group = None

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        cls = a.get("class") or ""
        if tag == "link" and a.get("rel") == "next":
            self.next = a.get("href")
        if tag in ("ul", "table", "tr", "td", "li"):
            self._stack.append((tag, cls))
        inside = [c for t, c in self._stack]
        in_incidents = any("incident-list" in c for c in inside)
        in_recurrences = any("recurrence-list" in c for c in inside)
        in_reviews = any("review-list" in c for c in inside)
        if tag == "li" and (in_recurrences or in_reviews) and self._stack[-2][1] in (
            "recurrence-list compact",
            "plain-list review-list",
        ):
            self._li_link = "recurrences" if in_recurrences else "reviews"
        elif tag == "a" and self._li_link in ("recurrences", "reviews"):
            getattr(self, self._li_link).append(a.get("href"))
            self._li_link = False
        in_follow_ups = any(c.startswith("follow-ups") for c in inside)
        in_counts = any(c in ("counts", "facets") for c in inside)
        if tag == "li" and in_incidents:
            self._li_link = True
        elif tag == "a" and self._li_link is True:
            self.incidents.append(a.get("href"))
            self._li_link = False
        if tag == "tr" and in_follow_ups and cls.startswith("fu-"):
            self._row = {"cells": [], "href": None}
        if tag == "tr" and in_counts and not in_follow_ups:
            self._group = {"cells": [], "href": None}
        if tag == "td" and (self._row is not None or self._group is not None):
            self._cell = ""
        if tag == "a" and self._row is not None and len(self._row["cells"]) == 1:
            self._row["href"] = self._row["href"] or a.get("href")
        if tag == "a" and self._group is not None and not self._group["cells"]:
            self._group["href"] = self._group["href"] or a.get("href")

    def handle_endtag(self, tag):
        if tag == "td" and self._cell is not None:
            for r in (self._row, self._group):
                if r is not None:
                    r["cells"].append(self._cell)
            self._cell = None
        if tag == "tr":
            if self._row is not None:
                self.rows.append((self._row["cells"][0], self._row["href"]))
                self._row = None
            if self._group is not None and self._group["cells"]:
                g = self._group
                self.groups.append((g["cells"][0], g["href"], g["cells"][1:]))
            self._group = None
        if tag == "li":
            self._li_link = False
        if tag in ("ul", "table", "tr", "td", "li"):
            while self._stack:
                if self._stack.pop()[0] == tag:
                    break

    def handle_data(self, data):
        if self._cell is not None:
            self._cell += data


class Site:
    def __init__(self, root):
        self.root = root
        self.problems = []
        with open(os.path.join(root, "postmortems.json"), encoding="utf-8") as f:
            self.export = json.load(f)["postmortems"]
        first = self.export[0]["url"] if self.export else "/"
        u = urllib.parse.urlsplit(first)
        # The site's path prefix: what comes before postmortems/<id>/.
        self.base = u.path[: u.path.rfind("postmortems/")] if u.path else "/"

    def path(self, url):
        return urllib.parse.unquote(urllib.parse.urlsplit(url).path)

    def pages(self, list_path):
        """Every page of the list at `list_path` (a URL path), in order."""
        out, url, seen = [], list_path, set()
        while url:
            if url in seen:
                self.problems.append(f"{list_path}: the next links loop at {url}")
                break
            seen.add(url)
            rel = self.path(url)[len(self.base):]
            file = os.path.join(self.root, rel, "index.html")
            if not os.path.isfile(file):
                self.problems.append(f"{list_path}: {url} is not in the output")
                break
            p = Page()
            with open(file, encoding="utf-8") as f:
                p.feed(f.read())
            out.append(p)
            url = p.next
        return out

    def expect_once(self, what, got, want):
        counts = collections.Counter(got)
        twice = [k for k, n in counts.items() if n > 1]
        missing = set(want) - set(counts)
        extra = set(counts) - set(want)
        for label, items in (("twice", twice), ("missing", missing), ("not its own", extra)):
            if items:
                sample = ", ".join(sorted(str(i) for i in items)[:3])
                self.problems.append(f"{what}: {len(items)} {label} (e.g. {sample})")

    def incident_lists(self):
        urls = {pm["id"]: self.path(pm["url"]) for pm in self.export}
        members = collections.defaultdict(list)
        for pm in self.export:
            for kind in ("causes", "services", "teams"):
                for name in pm[kind]:
                    members[(kind, name)].append(urls[pm["id"]])
            members[("kinds", pm["kind"])].append(urls[pm["id"]])
        everything = list(urls.values())
        lists = [("postmortems", everything), ("timeline", everything)]
        lists += [(f"{k}/{urllib.parse.quote(n, safe='')}", m) for (k, n), m in members.items()]
        for rel, want in lists:
            pages = self.pages(self.base + rel + "/")
            got = [self.path(h) for p in pages for h in p.incidents]
            self.expect_once(f"/{rel}/", got, want)
        checked = len(lists)
        # Recurrences: the incidents that recur an earlier one.
        recurring = [urls[pm["id"]] for pm in self.export if pm["recurrence_of"]]
        pages = self.pages(self.base + "recurrences/")
        got = [self.path(h) for p in pages for h in p.recurrences]
        self.expect_once("/recurrences/", got, recurring)
        # Awaiting review: the build date it is measured from is not in
        # the export; none twice, each in review (or a draft).
        status = {urls[pm["id"]]: pm["status"] for pm in self.export}
        pages = self.pages(self.base + "review/")
        got = [self.path(h) for p in pages for h in p.reviews]
        if len(got) != len(set(got)):
            self.problems.append("/review/: a postmortem listed twice")
        if any(status.get(u) not in ("draft", "in-review") for u in got):
            self.problems.append("/review/: a postmortem that is not awaiting review")
        checked += 2
        # Tags are not in the export: no incident twice, as many as counted.
        index = self.pages(self.base + "tags/")
        for name, href, cells in (g for p in index for g in p.groups):
            pages = self.pages(self.path(href))
            got = [h for p in pages for h in p.incidents]
            if len(got) != len(set(got)) or str(len(got)) != cells[0].strip():
                self.problems.append(f"tag {name}: {len(got)} listed, {cells[0]} counted")
            checked += 1
        return checked

    def follow_up_lists(self):
        pending, done, of_service = [], [], collections.defaultdict(list)
        for pm in self.export:
            url = self.path(pm["url"])
            for fu in pm["follow_ups"]:
                key = (fu["title"], url)
                if fu["status"] in ("open", "in-progress"):
                    pending.append(key)
                    for s in pm["services"] or ["(no service)"]:
                        of_service[s].append(key)
                else:
                    done.append(key)
        rows = lambda pages: [(t, self.path(h)) for p in pages for t, h in p.rows]
        self.expect_once("/follow-ups/", rows(self.pages(self.base + "follow-ups/")), pending)
        self.expect_once(
            "/follow-ups/done/", rows(self.pages(self.base + "follow-ups/done/")), done
        )
        checked = 2
        for view in ("owners", "teams", "priorities", "services"):
            index = self.pages(self.base + f"follow-ups/{view}/")
            got = []
            for name, href, _ in (g for p in index for g in p.groups):
                if href is None:
                    continue
                in_group = rows(self.pages(self.path(href)))
                checked += 1
                if view == "services":
                    self.expect_once(f"/follow-ups/services/ {name}", in_group, of_service[name])
                got += in_group
            if view != "services":
                self.expect_once(f"/follow-ups/{view}/ (all groups)", got, pending)
            elif collections.Counter(got) != collections.Counter(
                k for v in of_service.values() for k in v
            ):
                self.problems.append("/follow-ups/services/: the groups miss follow-ups")
        return checked


def main():
    if len(sys.argv) != 2:
        print(__doc__, file=sys.stderr)
        return 2
    site = Site(sys.argv[1])
    lists = site.incident_lists()
    lists += site.follow_up_lists()
    for p in site.problems:
        print(f"error: {p}")
    incidents = len(site.export)
    follow_ups = sum(len(pm["follow_ups"]) for pm in site.export)
    verdict = "nothing lost" if not site.problems else f"{len(site.problems)} problems"
    print(f"check-lists: {lists} lists of {incidents} incidents and {follow_ups} follow-ups: {verdict}")
    return 1 if site.problems else 0


if __name__ == "__main__":
    sys.exit(main())
