//! Review debt: postmortems still `draft` or `in-review` more than
//! `[postmortem] review-days` after their incident date (as of the build
//! date). A postmortem is for learning; one that is never reviewed teaches
//! nobody.

use jiff::civil::Date;

use crate::model::postmortem::{Postmortem, Status};
use crate::model::site::Site;
use crate::model::timeline::day_number;

/// Days since the incident, when the postmortem is still not final and
/// that is more than `review_days`.
pub fn overdue_days(pm: &Postmortem, today: Date, review_days: u32) -> Option<i64> {
    if pm.status == Status::Final {
        return None;
    }
    let age = day_number(today) - day_number(pm.date);
    (age > i64::from(review_days)).then_some(age)
}

/// The site's postmortems overdue for review with their age in days: the
/// two most severe severities first, then the oldest first.
pub fn awaiting_review(site: &Site) -> Vec<(usize, i64)> {
    let today = site.clock.today;
    let days = site.config.postmortem.review_days;
    let mut list: Vec<(usize, i64)> = site
        .incidents
        .iter()
        .enumerate()
        .filter_map(|(i, inc)| overdue_days(&inc.pm, today, days).map(|a| (i, a)))
        .collect();
    list.sort_by(|a, b| {
        let (x, y) = (&site.incidents[a.0], &site.incidents[b.0]);
        (x.severity_rank >= 2)
            .cmp(&(y.severity_rank >= 2))
            .then(b.1.cmp(&a.1))
            .then(a.0.cmp(&b.0))
    });
    list
}
