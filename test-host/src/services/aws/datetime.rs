//! UTC calendar dates of `SystemTime`s, in the three forms AWS uses: SigV4's `20150830T123600Z`, HTTP's
//! `Sun, 30 Aug 2015 12:36:00 GMT` and ISO 8601's `2015-08-30T12:36:00.000Z`.

use std::time::{SystemTime, UNIX_EPOCH};

/// A UTC date and time, to the millisecond.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Utc {
    pub(crate) year: i64,
    pub(crate) month: u32,
    pub(crate) day: u32,
    pub(crate) hour: u32,
    pub(crate) minute: u32,
    pub(crate) second: u32,
    pub(crate) millis: u32,
    /// 0 = Sunday.
    pub(crate) weekday: u32,
}

impl Utc {
    /// The UTC date of `time` (times before 1970 count as 1970-01-01).
    pub(crate) fn of(time: SystemTime) -> Utc {
        let since = time.duration_since(UNIX_EPOCH).unwrap_or_default();
        let secs = since.as_secs() as i64;
        let days = secs.div_euclid(86_400);
        let rest = secs.rem_euclid(86_400) as u32;
        let (year, month, day) = civil_from_days(days);
        Utc {
            year,
            month,
            day,
            hour: rest / 3600,
            minute: rest / 60 % 60,
            second: rest % 60,
            millis: since.subsec_millis(),
            // 1970-01-01 was a Thursday.
            weekday: (days + 4).rem_euclid(7) as u32,
        }
    }

    /// `20150830T123600Z`.
    pub(crate) fn amz_date(&self) -> String {
        format!(
            "{}T{:02}{:02}{:02}Z",
            self.amz_day(),
            self.hour,
            self.minute,
            self.second
        )
    }

    /// `20150830`.
    pub(crate) fn amz_day(&self) -> String {
        format!("{:04}{:02}{:02}", self.year, self.month, self.day)
    }

    /// `Sun, 30 Aug 2015 12:36:00 GMT` (RFC 7231's IMF-fixdate).
    pub(crate) fn http_date(&self) -> String {
        const DAYS: [&str; 7] = ["Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"];
        const MONTHS: [&str; 12] = [
            "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
        ];
        format!(
            "{}, {:02} {} {:04} {:02}:{:02}:{:02} GMT",
            DAYS[self.weekday as usize % 7],
            self.day,
            MONTHS[(self.month as usize + 11) % 12],
            self.year,
            self.hour,
            self.minute,
            self.second
        )
    }

    /// `2015-08-30T12:36:00.000Z`.
    pub(crate) fn iso8601(&self) -> String {
        format!(
            "{:04}-{:02}-{:02}T{:02}:{:02}:{:02}.{:03}Z",
            self.year, self.month, self.day, self.hour, self.minute, self.second, self.millis
        )
    }
}

/// Year, month (1–12) and day (1–31) of a day count since 1970-01-01 (Howard Hinnant's algorithm).
fn civil_from_days(days: i64) -> (i64, u32, u32) {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let month = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    let year = yoe + era * 400 + i64::from(month <= 2);
    (year, month, day)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;

    fn at(secs: u64) -> Utc {
        Utc::of(UNIX_EPOCH + Duration::from_millis(secs * 1000 + 7))
    }

    #[test]
    fn known_dates_in_every_form() {
        // 2015-08-30T12:36:00Z, the SigV4 test suite's date: a Sunday.
        let suite = at(1_440_938_160);
        assert_eq!(suite.amz_date(), "20150830T123600Z");
        assert_eq!(suite.http_date(), "Sun, 30 Aug 2015 12:36:00 GMT");
        assert_eq!(suite.iso8601(), "2015-08-30T12:36:00.007Z");
        assert_eq!(at(0).http_date(), "Thu, 01 Jan 1970 00:00:00 GMT");
        // A leap day and the turn of a century.
        assert_eq!(at(951_782_400).amz_day(), "20000229");
        assert_eq!(at(4_107_542_399).amz_date(), "21000228T235959Z");
        assert_eq!(at(4_107_542_400).amz_day(), "21000301");
    }
}
