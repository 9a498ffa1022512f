//! The password sign-in step customers and staff share: length check before any hashing,
//! equal work for unknown accounts and accounts without a password, and a new hash when the
//! stored one was made with weaker parameters.

use helium_domain::DomainError;
use helium_domain::meta::PASSWORD_MAX_LENGTH;

use super::password::{self, Verified};

/// The verdict on a presented password.
#[derive(Debug)]
pub enum PasswordVerdict {
    Wrong,
    /// Right; `rehash` is a new hash to store when the old one was weaker.
    Right {
        rehash: Option<String>,
    },
}

/// Checks `presented` against the account's `stored` hash (`None`: no such account, or one
/// without a password), spending the same work either way.
pub async fn check(stored: Option<String>, presented: &str) -> Result<PasswordVerdict, DomainError> {
    if presented.chars().count() > PASSWORD_MAX_LENGTH as usize {
        return Ok(PasswordVerdict::Wrong);
    }
    let Some(stored) = stored else {
        password::dummy_verify(presented.to_owned()).await?;
        return Ok(PasswordVerdict::Wrong);
    };
    Ok(match password::verify(stored, presented.to_owned()).await? {
        Verified::No => PasswordVerdict::Wrong,
        Verified::Yes => PasswordVerdict::Right { rehash: None },
        Verified::YesNeedsRehash => {
            PasswordVerdict::Right { rehash: Some(password::hash(presented.to_owned()).await?) }
        }
    })
}
