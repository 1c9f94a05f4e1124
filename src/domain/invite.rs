//! Invite codes: their limits and whether one still works.

use chrono::{DateTime, Duration, Utc};

use super::{Invalid, User};

/// Most uses one invite may allow.
pub const MAX_INVITE_USES: i64 = 10_000;
/// Default and bounds of `expires_in`, in seconds.
pub const DEFAULT_INVITE_TTL: i64 = 7 * 86_400;
pub const MIN_INVITE_TTL: i64 = 60;
pub const MAX_INVITE_TTL: i64 = 365 * 86_400;

/// An invite as stored, with its creator.
#[derive(Debug, Clone)]
pub struct Invite {
    pub code: String,
    pub created_by: User,
    pub max_uses: Option<i64>,
    pub uses: i64,
    pub expires_at: Option<DateTime<Utc>>,
    pub created_at: DateTime<Utc>,
}

/// Why an invite code cannot be used.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum InviteProblem {
    Unknown,
    Expired,
    UsedUp,
}

/// Whether an invite with these limits can take one more use at `now`.
pub fn usable(
    max_uses: Option<i64>,
    uses: i64,
    expires_at: Option<DateTime<Utc>>,
    now: DateTime<Utc>,
) -> Result<(), InviteProblem> {
    if expires_at.is_some_and(|at| at <= now) {
        return Err(InviteProblem::Expired);
    }
    if max_uses.is_some_and(|max| uses >= max) {
        return Err(InviteProblem::UsedUp);
    }
    Ok(())
}

/// `max_uses`: absent or 1–10 000.
pub fn parse_max_uses(value: Option<i64>) -> Result<Option<i64>, Invalid> {
    match value {
        Some(n) if !(1..=MAX_INVITE_USES).contains(&n) => Err(Invalid("must be from 1 to 10000")),
        other => Ok(other),
    }
}

/// `expires_in` seconds: absent means the default (7 days), else 60 s–365 days.
pub fn parse_expires_in(value: Option<i64>) -> Result<Duration, Invalid> {
    let secs = value.unwrap_or(DEFAULT_INVITE_TTL);
    if (MIN_INVITE_TTL..=MAX_INVITE_TTL).contains(&secs) {
        Ok(Duration::seconds(secs))
    } else {
        Err(Invalid("must be from 60 seconds to 365 days"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_invite_works_until_it_expires_or_is_used_up() {
        let now = Utc::now();
        let later = Some(now + Duration::hours(1));
        assert_eq!(usable(Some(2), 1, later, now), Ok(()));
        assert_eq!(usable(None, 1_000, None, now), Ok(()));
        assert_eq!(usable(Some(2), 2, later, now), Err(InviteProblem::UsedUp));
        assert_eq!(
            usable(Some(2), 0, Some(now), now),
            Err(InviteProblem::Expired)
        );
    }

    #[test]
    fn limits_are_checked() {
        assert_eq!(parse_max_uses(None), Ok(None));
        assert_eq!(parse_max_uses(Some(5)), Ok(Some(5)));
        assert!(parse_max_uses(Some(0)).is_err());
        assert!(parse_max_uses(Some(10_001)).is_err());
        assert_eq!(parse_expires_in(None), Ok(Duration::days(7)));
        assert!(parse_expires_in(Some(59)).is_err());
        assert!(parse_expires_in(Some(366 * 86_400)).is_err());
    }
}
