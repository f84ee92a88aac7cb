//! The build's notion of "now": `--now`, else SOURCE_DATE_EPOCH, else
//! today. It decides which follow-ups are overdue and which incidents show
//! "on this day", and is the only time written into the output.

use jiff::Timestamp;

use crate::config::Config;
use crate::diagnostics::{Code, Diagnostic};
use crate::model::site::Clock;

/// Reads `--now`: a date (midnight in the site's zone) or a timestamp.
pub fn parse_now(s: &str, tz: &jiff::tz::TimeZone) -> Result<Timestamp, String> {
    let s = s.trim();
    if let Ok(ts) = s.parse::<Timestamp>() {
        return Ok(ts);
    }
    if let Ok(d) = s.parse::<jiff::civil::Date>() {
        return tz
            .to_ambiguous_timestamp(d.to_datetime(jiff::civil::Time::midnight()))
            .compatible()
            .map_err(|_| format!("`{s}` is out of the range of dates pmsite can place"));
    }
    Err(format!(
        "`{s}` is not a date (YYYY-MM-DD) or a timestamp (2018-04-12T09:00:00Z)"
    ))
}

/// The build's clock: `--now`, else SOURCE_DATE_EPOCH, else the start of
/// today in the site's zone (so that builds on one day are identical).
pub fn clock(config: &Config, now: Option<Timestamp>) -> Result<Clock, Diagnostic> {
    let tz = &config.site.timezone;
    if let Some(ts) = now {
        return Ok(Clock::at(ts, tz));
    }
    if let Ok(v) = std::env::var("SOURCE_DATE_EPOCH") {
        let secs: i64 = v.trim().parse().map_err(|_| {
            Diagnostic::error(
                Code::BadEnv,
                format!("SOURCE_DATE_EPOCH=`{v}` is not a number of seconds"),
            )
        })?;
        let ts = Timestamp::from_second(secs).map_err(|_| {
            Diagnostic::error(
                Code::BadEnv,
                format!("SOURCE_DATE_EPOCH=`{v}` is out of the range of dates pmsite can place"),
            )
        })?;
        return Ok(Clock::at(ts, tz));
    }
    let today = Timestamp::now().to_zoned_datetime(tz.clone()).date();
    let midnight = tz
        .to_ambiguous_timestamp(today.to_datetime(jiff::civil::Time::midnight()))
        .compatible()
        .unwrap_or_else(|_| Timestamp::now());
    Ok(Clock::at(midnight, tz))
}
