//! A deployed DAO as the CLI wallet sees it: the chain client and the deployment file, with
//! calls built by the generated ABI (`atelier-abi`: typed arguments, typed returns) and the
//! contracts' errors turned into sentences.

use atelier_abi::{codec::Decode, ContractError, Message};
use atelier_chain::client::{Chain, ClientError, Included};
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
    /// Unknown contract role, or a reply that is not what the message returns.
    #[error("{0}")]
    Usage(String),
    /// The chain or transport failed.
    #[error(transparent)]
    Chain(#[from] ClientError),
}

/// What a fallible message returns: `Result<T, E>` with the contract's `Error` enum.
pub trait Fallible: Decode {
    /// The value of an accepted call.
    type Ok;
    /// The contract's error enum.
    type Err: ContractError;
    /// Splits into the value or the contract's error.
    fn into_result(self) -> Result<Self::Ok, Self::Err>;
}

impl<T: Decode, E: ContractError> Fallible for Result<T, E> {
    type Ok = T;
    type Err = E;
    fn into_result(self) -> Result<T, E> {
        self
    }
}

/// A deployed DAO.
pub struct DaoClient {
    /// The chain.
    pub chain: Chain,
    /// Where the contracts are.
    pub deployment: Deployment,
    /// Print a status line to stderr while a transaction is in flight (the CLI sets it).
    pub progress: bool,
}

impl DaoClient {
    /// A client of `deployment`, which must name every contract of a DAO.
    ///
    /// # Errors
    /// `Usage` when a contract is missing from the deployment or was built from an artifact
    /// this binary does not embed.
    pub fn new(chain: Chain, deployment: Deployment) -> Result<Self, CallError> {
        for role in CONTRACTS {
            let d = deployment
                .contracts
                .get(role)
                .ok_or_else(|| CallError::Usage(format!("the deployment has no {role}")))?;
            if atelier_abi::artifact(&d.artifact).is_none() {
                return Err(CallError::Usage(format!(
                    "the deployment's {role} is a `{}`, which is none of this build's contracts",
                    d.artifact
                )));
            }
        }
        Ok(Self {
            chain,
            deployment,
            progress: false,
        })
    }

    fn address(&self, role: &str) -> Result<[u8; 20], CallError> {
        if !self.deployment.contracts.contains_key(role) {
            return Err(CallError::Usage(format!(
                "no contract `{role}` in the deployment"
            )));
        }
        Ok(self.deployment.address(role))
    }

    /// Reads `message` of `role` (a dry run as `reader`; nothing is submitted) and decodes
    /// what it returns. A fallible read returns its `Result` whole, refusal included.
    ///
    /// # Errors
    /// `Usage` when the reply does not decode as the message's return type, `Chain`.
    pub async fn read<R: Decode>(
        &self,
        reader: &Keypair,
        role: &str,
        message: Message<R>,
    ) -> Result<R, CallError> {
        let run = self
            .chain
            .dry_run_call(reader, self.address(role)?, 0, message.input.clone())
            .await?;
        message
            .decode_output(&run.data)
            .map_err(|e| CallError::Usage(e.to_string()))
    }

    /// Submits `message` of `role` with `value` (native units) signed by `signer`; the
    /// client dry-runs it first, so a contract error costs nothing. Returns the message's
    /// `Ok` value as the dry run just before submission returned it.
    ///
    /// # Errors
    /// `Contract` with the contract's error as a sentence, `Usage`, `Chain`.
    pub async fn send<R: Fallible>(
        &self,
        signer: &Keypair,
        role: &str,
        message: Message<R>,
        value: u128,
    ) -> Result<(R::Ok, Included), CallError> {
        let dest = self.address(role)?;
        let label = message.label;
        if self.progress {
            eprintln!("  {role}.{label}: dry run, then submitting and waiting for the block…");
        }
        let included = match self
            .chain
            .call(signer, dest, value, message.input.clone())
            .await
        {
            Err(ClientError::Reverted { data }) => return Err(refusal(role, &message, &data)),
            other => other?,
        };
        if self.progress {
            eprintln!(
                "  {role}.{label}: included in block {}",
                included.block_number
            );
        }
        match decode_result(role, &message, &included.dry_run.data)? {
            Ok(value) => Ok((value, included)),
            Err(e) => Err(contract_error(role, label, &e)),
        }
    }
}

fn decode_result<R: Fallible>(
    role: &str,
    message: &Message<R>,
    data: &[u8],
) -> Result<Result<R::Ok, R::Err>, CallError> {
    message
        .decode_output(data)
        .map(Fallible::into_result)
        .map_err(|e| CallError::Usage(format!("{role}: {e}")))
}

/// The contract's error in the output `data` of a reverted `message` of `role`, as a
/// [`CallError::Contract`] with a sentence; `Usage` when the output is no refusal.
pub fn refusal<R: Fallible>(role: &str, message: &Message<R>, data: &[u8]) -> CallError {
    match decode_result(role, message, data) {
        Ok(Err(e)) => contract_error(role, message.label, &e),
        Ok(Ok(_)) => CallError::Usage(format!(
            "{role}.{}: the call reverted with a success value",
            message.label
        )),
        Err(e) => e,
    }
}

fn contract_error(role: &str, label: &str, error: &impl ContractError) -> CallError {
    let name = error.name();
    CallError::Contract {
        sentence: sentence(role, label, name),
        name: name.to_owned(),
    }
}

/// A plain sentence for a contract error: a few written out, the rest from the variant
/// name (`BelowProposalThreshold` -> "below proposal threshold"). The written-out ones are
/// keyed by the generated errors, so a renamed variant breaks the build.
pub fn sentence(contract: &str, label: &str, name: &str) -> String {
    use atelier_abi::{
        governor::Error as G, membership::Error as M, royalty_router::Error as R,
        treasury::Error as T,
    };
    let known = [
        (
            G::VotingNotOpen.name(),
            "voting on this proposal is not open (it has not started or has closed)",
        ),
        (
            G::AlreadyVoted.name(),
            "this account already voted on this proposal",
        ),
        (
            G::NoVotingWeight.name(),
            "this account had no voting weight at the proposal's snapshot",
        ),
        (
            G::BelowProposalThreshold.name(),
            "this account's weight is below the proposal threshold",
        ),
        (
            G::TimelockNotElapsed.name(),
            "the timelock has not elapsed yet",
        ),
        (
            G::BallotExpired.name(),
            "the ballot's deadline has passed; the voter must sign a new one",
        ),
        (
            G::GuardianRoleAtStake.name(),
            "the guardian cannot cancel a proposal that replaces or burns the guardian",
        ),
        (
            G::TargetDelisted(0).name(),
            "an action's target was removed from the allowlist after the proposal was made",
        ),
        (
            M::NotEnoughAttestations.name(),
            "fewer current attestors attested this contribution than the threshold",
        ),
        (
            T::NotSteward.name(),
            "only a steward of this fund can pay out spends",
        ),
        (
            T::OutflowCapReached.name(),
            "paying this would exceed the fund's outflow cap over its rolling window",
        ),
        (
            R::UnknownWork.name(),
            "no work with this id is registered; the royalty was not taken",
        ),
        (R::NothingToPay.name(), "there is nothing to pay"),
    ];
    let what = known
        .iter()
        .find(|(n, _)| *n == name)
        .map_or_else(|| words(name), |(_, s)| (*s).to_owned());
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
    fn refusals_name_the_contracts_error() {
        use atelier_abi::{codec::Encode, governor};
        let cast = governor::messages::cast_vote(1, governor::Support::For, None);
        let refused: Result<Result<u128, governor::Error>, atelier_abi::LangError> =
            Ok(Err(governor::Error::VotingNotOpen));
        match refusal("governor", &cast, &refused.encode()) {
            CallError::Contract { name, sentence } => {
                assert_eq!(name, "VotingNotOpen");
                assert!(sentence.starts_with("governor.cast_vote refused: voting"));
            }
            other => panic!("{other:?}"),
        }
        assert!(matches!(
            refusal("governor", &cast, &[1, 0]),
            CallError::Usage(_)
        ));
        let accepted: Result<Result<u128, governor::Error>, atelier_abi::LangError> = Ok(Ok(3));
        assert!(matches!(
            refusal("governor", &cast, &accepted.encode()),
            CallError::Usage(_)
        ));
    }
}
