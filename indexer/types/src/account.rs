//! The two forms of an account on a pallet-revive chain. Contracts see H160 addresses;
//! Substrate wallets show the 32-byte account id as SS58 text. pallet-revive's
//! `AccountId32Mapper` joins them: an account id ending in twelve `0xEE` bytes is an
//! Ethereum-derived one (its H160 is its first 20 bytes), any other maps to the last 20
//! bytes of its keccak-256; a contract's own account is the "fallback" id, its H160 followed
//! by twelve `0xEE` bytes.

use blake2::{Blake2b512, Digest as _};
use sha3::Keccak256;

/// The generic Substrate SS58 prefix (42), which the local chain's runtime uses.
pub const SS58_PREFIX: u16 = 42;

const ETH_SUFFIX: [u8; 12] = [0xEE; 12];

/// Why a text is not an SS58 account.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum AccountError {
    /// Not base58.
    #[error("not base58 text")]
    NotBase58,
    /// Decoded to a length no 32-byte account has.
    #[error("not a 32-byte account ({0} bytes decoded)")]
    Length(usize),
    /// The checksum does not match.
    #[error("the SS58 checksum does not match")]
    Checksum,
    /// A reserved prefix.
    #[error("reserved SS58 prefix")]
    Prefix,
}

/// The H160 pallet-revive maps `account` to (`AccountId32Mapper::to_address`).
pub fn h160_of(account: &[u8; 32]) -> [u8; 20] {
    let mut out = [0u8; 20];
    if account[20..] == ETH_SUFFIX {
        out.copy_from_slice(&account[..20]);
    } else {
        out.copy_from_slice(&Keccak256::digest(account)[12..]);
    }
    out
}

/// The account id pallet-revive gives an H160 without an original account, which is what
/// a contract's own account is (`to_fallback_account_id`).
pub fn fallback_account(h160: &[u8; 20]) -> [u8; 32] {
    let mut out = [0u8; 32];
    out[..20].copy_from_slice(h160);
    out[20..].copy_from_slice(&ETH_SUFFIX);
    out
}

fn checksum(payload: &[u8]) -> [u8; 2] {
    let mut h = Blake2b512::new();
    h.update(b"SS58PRE");
    h.update(payload);
    let d = h.finalize();
    [d[0], d[1]]
}

fn prefix_bytes(prefix: u16) -> Vec<u8> {
    // One byte below 64; two bytes (the 14-bit form of the SS58 spec) up to 16383.
    let p = prefix & 0x3fff;
    if p < 64 {
        vec![p.to_le_bytes()[0]]
    } else {
        let [lo, hi] = p.to_le_bytes();
        vec![
            ((lo & 0b1111_1100) >> 2) | 0b0100_0000,
            hi | ((lo & 0b11) << 6),
        ]
    }
}

/// `account` as SS58 text with `prefix`.
pub fn ss58_encode(account: &[u8; 32], prefix: u16) -> String {
    let mut payload = prefix_bytes(prefix);
    payload.extend_from_slice(account);
    let sum = checksum(&payload);
    payload.extend_from_slice(&sum);
    bs58::encode(payload).into_string()
}

/// The prefix and account id of SS58 text.
///
/// # Errors
/// Text that is not base58, has a wrong length or checksum, or a reserved prefix.
pub fn ss58_decode(text: &str) -> Result<(u16, [u8; 32]), AccountError> {
    let raw = bs58::decode(text)
        .into_vec()
        .map_err(|_| AccountError::NotBase58)?;
    let (prefix, len) = match raw.first() {
        Some(&b) if b < 64 => (u16::from(b), 1),
        Some(&b) if b < 128 => {
            let b1 = *raw.get(1).ok_or(AccountError::Length(raw.len()))?;
            let lower = ((b & 0b0011_1111) << 2) | (b1 >> 6);
            let upper = b1 & 0b0011_1111;
            (u16::from(lower) | (u16::from(upper) << 8), 2)
        }
        Some(_) => return Err(AccountError::Prefix),
        None => return Err(AccountError::Length(0)),
    };
    if raw.len() != len + 32 + 2 {
        return Err(AccountError::Length(raw.len()));
    }
    let (payload, sum) = raw.split_at(len + 32);
    if checksum(payload) != sum {
        return Err(AccountError::Checksum);
    }
    let mut account = [0u8; 32];
    account.copy_from_slice(&payload[len..]);
    Ok((prefix, account))
}

#[cfg(test)]
mod tests {
    use super::*;

    // //Alice of the Substrate dev keyring.
    const ALICE: &str = "5GrwvaEF5zXb26Fz9rcQpDWS57CtERHpNehXCPcNoHGKutQY";
    const ALICE_ID: &str = "d43593c715fdd31c61141abd04a99fd6822c8558854ccde39a5684e7a56da27d";

    fn alice() -> [u8; 32] {
        let mut a = [0u8; 32];
        for (i, byte) in a.iter_mut().enumerate() {
            *byte = u8::from_str_radix(&ALICE_ID[2 * i..2 * i + 2], 16).unwrap();
        }
        a
    }

    #[test]
    fn the_dev_keyrings_alice_encodes_and_decodes() {
        assert_eq!(ss58_encode(&alice(), SS58_PREFIX), ALICE);
        assert_eq!(ss58_decode(ALICE), Ok((SS58_PREFIX, alice())));
    }

    #[test]
    fn two_byte_prefixes_round_trip() {
        for prefix in [0u16, 2, 63, 64, 1284, 16383] {
            let text = ss58_encode(&alice(), prefix);
            assert_eq!(ss58_decode(&text), Ok((prefix, alice())), "prefix {prefix}");
        }
    }

    #[test]
    fn bad_text_is_refused_with_the_reason() {
        let mut broken = ALICE.to_owned();
        broken.replace_range(10..11, if &ALICE[10..11] == "a" { "b" } else { "a" });
        assert_eq!(ss58_decode(&broken), Err(AccountError::Checksum));
        assert_eq!(ss58_decode("0OIl"), Err(AccountError::NotBase58));
        let short = bs58::encode([42u8; 10]).into_string();
        assert_eq!(ss58_decode(&short), Err(AccountError::Length(10)));
        let reserved = bs58::encode([200u8; 35]).into_string();
        assert_eq!(ss58_decode(&reserved), Err(AccountError::Prefix));
        assert_eq!(ss58_decode(""), Err(AccountError::Length(0)));
    }

    #[test]
    fn accounts_map_to_h160_as_pallet_revive_does() {
        // an Ethereum-derived account id is its H160 and twelve 0xEE bytes
        let h160 = [0x11u8; 20];
        assert_eq!(h160_of(&fallback_account(&h160)), h160);
        // any other maps to the tail of its keccak-256
        let mapped = h160_of(&alice());
        assert_eq!(mapped[..], Keccak256::digest(alice())[12..]);
        assert_ne!(fallback_account(&mapped), alice());
    }
}
