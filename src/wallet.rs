//! Keys for the CLI wallet: sr25519 key pairs from a dev URI (`//Alice`), a mnemonic in an
//! environment variable, or a key file. Secrets are never printed or logged: errors name the
//! source of a key, never its content.

use std::{path::Path, str::FromStr};

use subxt_signer::{sr25519::Keypair, SecretUri};

/// The environment variable holding a mnemonic (BIP-39 phrase, optionally with a
/// `//derivation` path), used when no `--suri` is given.
pub const MNEMONIC_ENV: &str = "ATELIER_MNEMONIC";

/// Errors of key loading.
#[derive(Debug, thiserror::Error)]
pub enum KeyError {
    /// No source of a key was given.
    #[error("no key: pass --suri (e.g. //Alice for a dev account), set {MNEMONIC_ENV}, or pass --key-file")]
    Missing,
    /// The URI or phrase is not a valid secret URI.
    #[error("the key from {source_name} is not a valid secret URI or mnemonic")]
    Invalid {
        /// Where it came from ("--suri", the env var, the file path); never the secret.
        source_name: String,
    },
    /// The key file could not be read.
    #[error("cannot read the key file {path}: {reason}")]
    File {
        /// The file.
        path: String,
        /// Why.
        reason: String,
    },
}

/// Loads a key pair: `--suri` first, then the mnemonic variable, then a key file (whose
/// first line is a secret URI or mnemonic).
///
/// # Errors
/// `Missing`, `Invalid` (naming only the source), `File`.
pub fn keypair(suri: Option<&str>, key_file: Option<&Path>) -> Result<Keypair, KeyError> {
    if let Some(suri) = suri {
        return parse(suri, "--suri");
    }
    if let Ok(phrase) = std::env::var(MNEMONIC_ENV) {
        return parse(phrase.trim(), MNEMONIC_ENV);
    }
    if let Some(path) = key_file {
        let text = std::fs::read_to_string(path).map_err(|e| KeyError::File {
            path: path.display().to_string(),
            reason: e.kind().to_string(),
        })?;
        let first = text.lines().next().unwrap_or_default().trim();
        return parse(first, &path.display().to_string());
    }
    Err(KeyError::Missing)
}

/// The well-known dev account `name` (`Alice`, `Bob`, ... `One`, `Two`), as `//Name`.
///
/// # Panics
/// Never for a plain name: `//Name` is always a valid secret URI.
pub fn dev(name: &str) -> Keypair {
    parse(&format!("//{name}"), "a dev account name").expect("//Name is a valid secret URI")
}

fn parse(secret: &str, source_name: &str) -> Result<Keypair, KeyError> {
    let invalid = || KeyError::Invalid {
        source_name: source_name.to_owned(),
    };
    let uri = SecretUri::from_str(secret).map_err(|_| invalid())?;
    Keypair::from_uri(&uri).map_err(|_| invalid())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dev_uris_give_the_well_known_accounts() {
        let alice = keypair(Some("//Alice"), None).unwrap();
        assert_eq!(
            hex::encode(alice.public_key().0),
            "d43593c715fdd31c61141abd04a99fd6822c8558854ccde39a5684e7a56da27d"
        );
    }

    #[test]
    fn a_bad_uri_is_reported_by_source_without_the_secret() {
        let err = keypair(Some("not a secret ///"), None)
            .unwrap_err()
            .to_string();
        assert!(err.contains("--suri"), "{err}");
        assert!(!err.contains("not a secret"), "{err}");
    }

    #[test]
    fn a_missing_key_file_names_the_file() {
        let err = keypair(None, Some(Path::new("/nonexistent/key")))
            .map(|_| ())
            .unwrap_err();
        // The mnemonic variable, when set in the environment, takes precedence.
        if std::env::var(MNEMONIC_ENV).is_err() {
            assert!(err.to_string().contains("/nonexistent/key"), "{err}");
        }
    }
}
