//! RFC 6238 acceptance window (SECURITY.md §1.7): a code is accepted for the current 30 s step
//! or the previous one only (a code from the future is never accepted), and a step is accepted
//! at most once — the store records `last_step` with a guarded update.

/// TOTP step length in seconds.
pub const STEP_SECS: u64 = 30;
/// Digits per code.
pub const DIGITS: usize = 6;

pub fn step_of(unix_secs: u64) -> u64 {
    unix_secs / STEP_SECS
}

/// Steps to try for a code presented at `now`, newest first, skipping steps at or before
/// `last_used` (replay protection).
pub fn candidate_steps(now_unix: u64, last_used: Option<u64>) -> Vec<u64> {
    let current = step_of(now_unix);
    [current, current.saturating_sub(1)].into_iter().filter(|s| last_used.is_none_or(|last| *s > last)).collect()
}

/// A well-formed code: exactly six ASCII digits.
pub fn code_well_formed(code: &str) -> bool {
    code.len() == DIGITS && code.bytes().all(|b| b.is_ascii_digit())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn window_is_the_current_and_the_previous_step() {
        assert_eq!(candidate_steps(90, None), vec![3, 2]);
    }

    #[test]
    fn used_steps_are_never_candidates_again() {
        assert_eq!(candidate_steps(90, Some(2)), vec![3]);
        assert!(candidate_steps(90, Some(3)).is_empty());
    }

    #[test]
    fn codes_are_six_digits() {
        assert!(code_well_formed("012345"));
        assert!(!code_well_formed("12345"));
        assert!(!code_well_formed("12345a"));
    }
}
