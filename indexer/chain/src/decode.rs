//! Contract-event decoding by signature topic, through the generated ABI (`atelier-abi`).
//!
//! An ink! v6 event arrives as `Revive::ContractEmitted { contract, data, topics }`: the
//! first topic is the event's signature topic, `data` the SCALE encoding of its fields in
//! declaration order. The contract's generated `events::Event::decode` finds the event by
//! that topic and decodes it as its typed struct, which `atelier-types` turns into the
//! domain event (`From`, checked field by field by the compiler). A proposal's action
//! (selector and SCALE arguments) is read by the target contract's generated
//! `messages::decode_args`, as JSON ([`ContractEvents::decode_call`]).

use serde_json::Value as Json;

/// Errors of decoding.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// The contract is none of those the build knows.
    #[error("no contract {name} in this build's ABI (atelier-abi)")]
    UnknownContract {
        /// Contract name.
        name: String,
    },
    /// The event's data does not decode as its type.
    #[error("event {event} of {contract} does not decode: {reason}")]
    Data {
        /// Contract name.
        contract: String,
        /// Event label, or the call's selector.
        event: String,
        /// Why.
        reason: String,
    },
}

/// Result type of decoding.
pub type Result<T> = std::result::Result<T, Error>;

type Fields = serde_json::Map<String, Json>;
type DecodeEvent =
    fn(
        &[u8; 32],
        &[u8],
    )
        -> std::result::Result<Option<(&'static str, Option<atelier_types::Event>)>, codec::Error>;
type DecodeCall =
    fn([u8; 4], &[u8]) -> Option<std::result::Result<(&'static str, Fields), codec::Error>>;

/// The events of one contract, by signature topic, and its messages, by selector.
pub struct ContractEvents {
    name: &'static str,
    event: DecodeEvent,
    call: DecodeCall,
    labels: &'static [&'static str],
}

/// A decoded event: its label and the domain event (`None` for a contract the domain does
/// not model, the ERC-20 baseline).
#[derive(Debug, Clone, PartialEq)]
pub struct Decoded {
    /// Contract name.
    pub contract: String,
    /// Event label (`VoteCast`, ...).
    pub event: String,
    /// The domain event.
    pub domain: Option<atelier_types::Event>,
}

/// What a contract event turned out to be.
#[derive(Debug, Clone, PartialEq)]
pub enum Event {
    /// Known and decoded.
    Decoded(Decoded),
    /// From a configured contract, but its signature topic is none of the contract's
    /// events: recorded raw and reported, never dropped.
    Unknown {
        /// Contract name.
        contract: String,
        /// Its first topic, if any.
        topic: Option<[u8; 32]>,
    },
}

macro_rules! generated {
    ($name:expr; domain: $($contract:ident),*; other: $($other:ident),*) => {
        match $name {
            $(atelier_abi::$contract::CONTRACT => Some(ContractEvents {
                name: atelier_abi::$contract::CONTRACT,
                event: |topic, data| {
                    Ok(atelier_abi::$contract::events::Event::decode(topic, data)?
                        .map(|e| (e.label(), Some(e.into()))))
                },
                call: atelier_abi::$contract::messages::decode_args,
                labels: atelier_abi::$contract::events::Event::LABELS,
            }),)*
            $(atelier_abi::$other::CONTRACT => Some(ContractEvents {
                name: atelier_abi::$other::CONTRACT,
                event: |topic, data| {
                    Ok(atelier_abi::$other::events::Event::decode(topic, data)?
                        .map(|e| (e.label(), None)))
                },
                call: atelier_abi::$other::messages::decode_args,
                labels: atelier_abi::$other::events::Event::LABELS,
            }),)*
            _ => None,
        }
    };
}

impl ContractEvents {
    /// The decoder of contract `name` (an artifact name: `membership`, `treasury`, ...).
    ///
    /// # Errors
    /// `UnknownContract` when `name` is none of the generated ABI's contracts.
    pub fn new(name: &str) -> Result<Self> {
        generated!(
            name;
            domain: membership, governor, royalty_router, treasury, provenance;
            other: erc20_baseline
        )
        .ok_or_else(|| Error::UnknownContract {
            name: name.to_owned(),
        })
    }

    /// Decodes a call of this contract: `selector` and the SCALE `input` of its arguments,
    /// as the message's label and its arguments as JSON by name (numbers above 2^53 as
    /// strings, byte arrays as 0x-hex). `None` when no message has that selector; an error
    /// when the arguments do not decode (or bytes are left over).
    pub fn decode_call(
        &self,
        selector: [u8; 4],
        input: &[u8],
    ) -> Result<Option<atelier_types::DecodedCall>> {
        match (self.call)(selector, input) {
            None => Ok(None),
            Some(Ok((label, args))) => Ok(Some(atelier_types::DecodedCall {
                contract: self.name.to_owned(),
                message: label.to_owned(),
                args,
            })),
            Some(Err(e)) => Err(Error::Data {
                contract: self.name.to_owned(),
                event: format!("call 0x{}", hex::encode(selector)),
                reason: e.to_string(),
            }),
        }
    }

    /// Labels of the events this contract declares, sorted.
    pub fn labels(&self) -> Vec<&str> {
        let mut l = self.labels.to_vec();
        l.sort_unstable();
        l
    }

    /// Decodes one event of this contract from its topics and data.
    pub fn decode(&self, topics: &[[u8; 32]], data: &[u8]) -> Result<Event> {
        let unknown = |topic| Event::Unknown {
            contract: self.name.to_owned(),
            topic,
        };
        let Some(topic) = topics.first() else {
            return Ok(unknown(None));
        };
        match (self.event)(topic, data) {
            Ok(Some((label, domain))) => Ok(Event::Decoded(Decoded {
                contract: self.name.to_owned(),
                event: label.to_owned(),
                domain,
            })),
            Ok(None) => Ok(unknown(Some(*topic))),
            Err(e) => Err(Error::Data {
                contract: self.name.to_owned(),
                event: atelier_abi::event_label(topic).unwrap_or("?").to_owned(),
                reason: e.to_string(),
            }),
        }
    }
}
