//! Extractors whose rejection is [`ApiError`], so that malformed input answers in the same
//! JSON shape as everything else.

use atelier_types::account;
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

/// Reads an account from user input: an H160 (`0x` and 40 hex digits, any case) or the SS58
/// text a Substrate wallet shows, mapped to its H160 as pallet-revive maps accounts; returns
/// it in the store's form (lowercase 0x-hex).
pub fn address(s: &str) -> Result<String, ApiError> {
    let shown = || s.chars().take(64).collect::<String>();
    if let Some(hex) = s.strip_prefix("0x").or_else(|| s.strip_prefix("0X")) {
        if hex.len() == 40 && hex.bytes().all(|b| b.is_ascii_hexdigit()) {
            return Ok(format!("0x{}", hex.to_ascii_lowercase()));
        }
        return Err(ApiError::BadRequest(format!(
            "`{}` is not an H160 address (0x and 40 hex digits)",
            shown()
        )));
    }
    match account::ss58_decode(s) {
        Ok((_, id)) => Ok(format!("0x{}", hex::encode(account::h160_of(&id)))),
        Err(e) => Err(ApiError::BadRequest(format!(
            "`{}` is neither an H160 address (0x and 40 hex digits) nor an SS58 account: {e}",
            shown()
        ))),
    }
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
        // //Alice's SS58 text is her mapped H160
        let alice = "5GrwvaEF5zXb26Fz9rcQpDWS57CtERHpNehXCPcNoHGKutQY";
        let (_, id) = atelier_types::account::ss58_decode(alice).unwrap();
        assert_eq!(
            super::address(alice).unwrap(),
            format!("0x{}", hex::encode(atelier_types::account::h160_of(&id)))
        );
        let err = super::address("5GrwvaEF5zXb26Fz9rcQpDWS57CtERHpNehXCPcNoHGKutQZ").unwrap_err();
        assert!(err.to_string().contains("checksum"), "{err}");
        assert!(super::event_kind("VoteCast").is_ok());
        assert!(super::event_kind("Vote\0").is_err());
        assert!(super::event_kind("").is_err());
    }
}
