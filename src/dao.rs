//! A deployed DAO as the CLI wallet sees it: the chain client, the deployment file and the
//! contracts' artifacts, with calls by message label and contract errors turned into
//! sentences.

use std::{collections::BTreeMap, sync::Arc};

use atelier_chain::client::{Chain, ClientError, Included};
use atelier_sandbox::Artifact;
use codec::{Decode, Encode};
use subxt_signer::sr25519::Keypair;

use crate::deploy::{Deployment, CONTRACTS};

/// Errors of a DAO call.
#[derive(Debug, thiserror::Error)]
pub enum CallError {
    /// The contract refused: its error, as a sentence.
    #[error("{sentence}")]
    Contract {
        /// The error variant's name (`VotingNotOpen`, ...).
        name: String,
        /// A readable sentence.
        sentence: String,
    },
    /// Unknown contract role or message.
    #[error("{0}")]
    Usage(String),
    /// The chain or transport failed.
    #[error(transparent)]
    Chain(#[from] ClientError),
    /// An artifact could not be loaded.
    #[error(transparent)]
    Artifact(#[from] atelier_sandbox::Error),
}

/// A deployed DAO.
pub struct DaoClient {
    /// The chain.
    pub chain: Chain,
    /// Where the contracts are.
    pub deployment: Deployment,
    artifacts: BTreeMap<String, Arc<Artifact>>,
    /// Print a status line to stderr while a transaction is in flight (the CLI sets it).
    pub progress: bool,
}

impl DaoClient {
    /// Loads the artifacts of every contract in `deployment`.
    ///
    /// # Errors
    /// `Artifact` when one cannot be loaded.
    pub fn new(chain: Chain, deployment: Deployment) -> Result<Self, CallError> {
        let mut artifacts = BTreeMap::new();
        for role in CONTRACTS {
            let name = deployment
                .contracts
                .get(role)
                .map(|d| d.artifact.clone())
                .ok_or_else(|| CallError::Usage(format!("the deployment has no {role}")))?;
            artifacts.insert(role.to_owned(), Artifact::load(&name)?);
        }
        Ok(Self {
            chain,
            deployment,
            artifacts,
            progress: false,
        })
    }

    fn artifact(&self, role: &str) -> Result<&Arc<Artifact>, CallError> {
        self.artifacts
            .get(role)
            .ok_or_else(|| CallError::Usage(format!("no contract `{role}` in the deployment")))
    }

    /// The input of message `label` of `role` with `args` (selector and SCALE arguments).
    ///
    /// # Errors
    /// `Usage` when the contract has no such message.
    pub fn input(&self, role: &str, label: &str, args: impl Encode) -> Result<Vec<u8>, CallError> {
        Ok(self.artifact(role)?.input(label, &args)?)
    }

    /// Why a dry run of `label` of `role` reverted, from its output `data`: the contract's
    /// error as a sentence.
    pub fn revert_reason(&self, role: &str, label: &str, data: &[u8]) -> String {
        match self.artifact(role) {
            Ok(art) => contract_error(art, label, data).to_string(),
            Err(e) => e.to_string(),
        }
    }

    /// Reads `label` of `role` with `args` (a dry run as `reader`; nothing is submitted)
    /// and decodes the message's return value.
    ///
    /// # Errors
    /// `Contract` when the message returned an error, `Usage`, `Chain`.
    pub async fn read<T: Decode>(
        &self,
        reader: &Keypair,
        role: &str,
        label: &str,
        args: impl Encode,
    ) -> Result<T, CallError> {
        let art = self.artifact(role)?;
        let input = art.input(label, &args)?;
        let run = self
            .chain
            .dry_run_call(reader, self.deployment.address(role), 0, input)
            .await?;
        if run.reverted {
            return Err(contract_error(art, label, &run.data));
        }
        decode_ok(&run.data, label)
    }

    /// Submits `label` of `role` with `args` and `value` (native units) signed by `signer`;
    /// the client dry-runs it first, so a contract error costs nothing.
    ///
    /// # Errors
    /// `Contract` with the contract's error as a sentence, `Usage`, `Chain`.
    pub async fn send(
        &self,
        signer: &Keypair,
        role: &str,
        label: &str,
        args: impl Encode,
        value: u128,
    ) -> Result<Included, CallError> {
        let art = self.artifact(role)?;
        let input = art.input(label, &args)?;
        if self.progress {
            eprintln!("  {role}.{label}: dry run, then submitting and waiting for the block…");
        }
        let result = match self
            .chain
            .call(signer, self.deployment.address(role), value, input)
            .await
        {
            Err(ClientError::Reverted { data }) => Err(contract_error(art, label, &data)),
            other => Ok(other?),
        };
        if let (true, Ok(i)) = (self.progress, &result) {
            eprintln!("  {role}.{label}: included in block {}", i.block_number);
        }
        result
    }
}

impl DaoClient {
    /// Like [`DaoClient::send`], also decoding the message's `Ok` value (of `Result<T, E>`)
    /// as the dry run just before submission returned it.
    ///
    /// # Errors
    /// As `send`; `Usage` when the value does not decode as `T`.
    pub async fn send_for<T: Decode>(
        &self,
        signer: &Keypair,
        role: &str,
        label: &str,
        args: impl Encode,
        value: u128,
    ) -> Result<(T, Included), CallError> {
        let included = self.send(signer, role, label, args, value).await?;
        let bad = || CallError::Usage(format!("`{label}` returned data that does not decode"));
        let value = match included.dry_run.data.as_slice() {
            [0, 0, rest @ ..] => T::decode(&mut &rest[..]).map_err(|_| bad())?,
            _ => return Err(bad()),
        };
        Ok((value, included))
    }
}

/// Decodes `MessageResult<T>` (`Ok` = 0, then `T`).
fn decode_ok<T: Decode>(data: &[u8], label: &str) -> Result<T, CallError> {
    let bad = || CallError::Usage(format!("`{label}` returned data that does not decode"));
    let (first, rest) = data.split_first().ok_or_else(bad)?;
    if *first != 0 {
        return Err(bad());
    }
    T::decode(&mut &rest[..]).map_err(|_| bad())
}

/// The contract error in a reverted message's output (`Ok(Err(e))` of `MessageResult<
/// Result<T, E>>`), as its variant name and a sentence.
fn contract_error(art: &Artifact, label: &str, data: &[u8]) -> CallError {
    let names = art.error_names(label);
    let name = match data {
        [0, 1, index, ..] => names
            .get(usize::from(*index))
            .cloned()
            .unwrap_or_else(|| format!("error #{index}")),
        _ => "reverted".to_owned(),
    };
    CallError::Contract {
        sentence: sentence(&art.name, label, &name),
        name,
    }
}

/// A plain sentence for a contract error: a few written out, the rest from the variant
/// name (`BelowProposalThreshold` -> "below proposal threshold").
pub fn sentence(contract: &str, label: &str, name: &str) -> String {
    let known = match name {
        "VotingNotOpen" => {
            Some("voting on this proposal is not open (it has not started or has closed)")
        }
        "AlreadyVoted" => Some("this account already voted on this proposal"),
        "NoVotingWeight" => Some("this account had no voting weight at the proposal's snapshot"),
        "BelowProposalThreshold" => Some("this account's weight is below the proposal threshold"),
        "NotSteward" => Some("only a steward of this fund can pay out spends"),
        "OutflowCapReached" => {
            Some("paying this would exceed the fund's outflow cap for this epoch")
        }
        "TimelockNotElapsed" => Some("the timelock has not elapsed yet"),
        "UnknownWork" => Some("no work with this id is registered; the royalty was not taken"),
        "NothingToPay" => Some("there is nothing to pay"),
        _ => None,
    };
    let what = known.map_or_else(|| words(name), str::to_owned);
    format!("{contract}.{label} refused: {what}")
}

fn words(name: &str) -> String {
    let mut out = String::new();
    for (i, c) in name.chars().enumerate() {
        if c.is_uppercase() && i > 0 {
            out.push(' ');
        }
        out.extend(c.to_lowercase());
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn error_names_become_sentences() {
        assert_eq!(
            sentence("governor", "propose", "LiveProposalExists"),
            "governor.propose refused: live proposal exists"
        );
        assert!(sentence("governor", "cast_vote", "VotingNotOpen").contains("not open"));
    }

    #[test]
    fn message_results_decode_only_when_ok() {
        assert_eq!(decode_ok::<u32>(&[0, 7, 0, 0, 0], "x").unwrap(), 7);
        assert!(decode_ok::<u32>(&[1, 0], "x").is_err());
        assert!(decode_ok::<u32>(&[], "x").is_err());
    }
}
