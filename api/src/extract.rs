//! Extractors whose rejection is [`ApiError`], so that malformed input answers in the same
//! JSON shape as everything else.

use axum::extract::{FromRequestParts, Path, Query};

use crate::error::ApiError;

/// `Query<T>` rejecting with [`ApiError`].
#[derive(Debug, FromRequestParts)]
#[from_request(via(Query), rejection(ApiError))]
pub struct ApiQuery<T>(pub T);

/// `Path<T>` rejecting with [`ApiError`].
#[derive(Debug, FromRequestParts)]
#[from_request(via(Path), rejection(ApiError))]
pub struct ApiPath<T>(pub T);

/// Reads an H160 account from user input: `0x` and 40 hex digits, any case; returns it in
/// the store's form (lowercase).
pub fn address(s: &str) -> Result<String, ApiError> {
    let hex = s
        .strip_prefix("0x")
        .or_else(|| s.strip_prefix("0X"))
        .filter(|h| h.len() == 40 && h.bytes().all(|b| b.is_ascii_hexdigit()))
        .ok_or_else(|| {
            ApiError::BadRequest(format!(
                "`{}` is not an H160 address (0x and 40 hex digits)",
                s.chars().take(64).collect::<String>()
            ))
        })?;
    Ok(format!("0x{}", hex.to_ascii_lowercase()))
}

/// Reads an event label filter: 1 to 64 ASCII letters, digits or underscores.
pub fn event_kind(s: &str) -> Result<String, ApiError> {
    if (1..=64).contains(&s.len()) && s.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_') {
        Ok(s.to_owned())
    } else {
        Err(ApiError::BadRequest(
            "`kind` is an event label (letters, digits, underscores)".into(),
        ))
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn addresses_are_checked_and_lowercased() {
        let a = super::address("0xAbCdEf0123456789aBcDeF0123456789AbCdEf01").unwrap();
        assert_eq!(a, "0xabcdef0123456789abcdef0123456789abcdef01");
        for bad in [
            "",
            "0x",
            "abcdef0123456789abcdef0123456789abcdef01",
            "0x12",
            "0xzz",
        ] {
            assert!(super::address(bad).is_err(), "{bad}");
        }
        assert!(super::event_kind("VoteCast").is_ok());
        assert!(super::event_kind("Vote\0").is_err());
        assert!(super::event_kind("").is_err());
    }
}
