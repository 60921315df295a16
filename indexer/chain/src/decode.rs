//! Contract-event decoding by signature topic from ink! metadata.
//!
//! An ink! v6 event arrives as `Revive::ContractEmitted { contract, data, topics }`: the
//! first topic is the event's signature topic, `data` the SCALE encoding of its fields in
//! declaration order. The decoder finds the event by that topic in the contract's metadata
//! and decodes each field by its type id in the metadata's type registry.
//!
//! The same registry decodes calls: a proposal's action (selector and SCALE arguments) is
//! read as the target contract's message ([`ContractEvents::decode_call`]).

use std::collections::HashMap;

use scale_info::PortableRegistry;
use serde_json::Value as Json;

/// Errors of decoding.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// The metadata is not ink! v6 metadata.
    #[error("contract metadata {name} is malformed: {reason}")]
    Metadata {
        /// Contract name.
        name: String,
        /// What is wrong.
        reason: String,
    },
    /// The event's data does not decode as its metadata says.
    #[error("event {event} of {contract} does not decode: {reason}")]
    Data {
        /// Contract name.
        contract: String,
        /// Event label.
        event: String,
        /// Why.
        reason: String,
    },
}

/// Result type of decoding.
pub type Result<T> = std::result::Result<T, Error>;

struct EventSpec {
    label: String,
    fields: Vec<(String, u32)>,
}

/// The events of one contract, by signature topic, and its messages, by selector.
pub struct ContractEvents {
    name: String,
    registry: PortableRegistry,
    events: HashMap<[u8; 32], EventSpec>,
    messages: HashMap<[u8; 4], EventSpec>,
}

/// A decoded event: its label and fields as JSON (numbers above 2^53 as strings, byte
/// arrays as 0x-hex).
#[derive(Debug, Clone, PartialEq)]
pub struct Decoded {
    /// Contract name.
    pub contract: String,
    /// Event label (`VoteCast`, ...).
    pub event: String,
    /// Fields by name.
    pub fields: serde_json::Map<String, Json>,
}

/// What a contract event turned out to be.
#[derive(Debug, Clone, PartialEq)]
pub enum Event {
    /// Known and decoded.
    Decoded(Decoded),
    /// From a configured contract, but its signature topic is not in the metadata: recorded
    /// raw and reported, never dropped.
    Unknown {
        /// Contract name.
        contract: String,
        /// Its first topic, if any.
        topic: Option<[u8; 32]>,
    },
}

fn bad(name: &str, reason: &str) -> Error {
    Error::Metadata {
        name: name.to_owned(),
        reason: reason.to_owned(),
    }
}

impl EventSpec {
    /// The label and typed arguments of an event or message entry (`what`) of contract
    /// `name`'s metadata.
    fn read(name: &str, entry: &Json, what: &str) -> Result<Self> {
        let fields = entry["args"]
            .as_array()
            .ok_or_else(|| bad(name, &format!("{what} args")))?
            .iter()
            .map(|a| {
                let label = a["label"].as_str().unwrap_or("?").to_owned();
                let ty = a["type"]["type"]
                    .as_u64()
                    .and_then(|t| u32::try_from(t).ok());
                ty.map(|t| (label, t))
                    .ok_or_else(|| bad(name, &format!("{what} arg type")))
            })
            .collect::<Result<Vec<_>>>()?;
        let label = entry["label"].as_str().unwrap_or("?").to_owned();
        Ok(Self { label, fields })
    }
}

impl ContractEvents {
    /// Reads the events of contract `name` from its ink! metadata JSON.
    pub fn from_metadata(name: &str, metadata: &Json) -> Result<Self> {
        let registry: PortableRegistry =
            serde_json::from_value(serde_json::json!({ "types": metadata["types"] }))
                .map_err(|e| bad(name, &format!("type registry: {e}")))?;
        let mut events = HashMap::new();
        for e in metadata["spec"]["events"]
            .as_array()
            .ok_or_else(|| bad(name, "no events"))?
        {
            let Some(topic) = e["signature_topic"].as_str() else {
                continue;
            };
            let topic: [u8; 32] = hex::decode(topic.trim_start_matches("0x"))
                .ok()
                .and_then(|b| b.try_into().ok())
                .ok_or_else(|| bad(name, "signature topic"))?;
            events.insert(topic, EventSpec::read(name, e, "event")?);
        }
        let mut messages = HashMap::new();
        for m in metadata["spec"]["messages"]
            .as_array()
            .into_iter()
            .flatten()
        {
            let Some(selector) = m["selector"]
                .as_str()
                .and_then(|s| hex::decode(s.trim_start_matches("0x")).ok())
                .and_then(|b| <[u8; 4]>::try_from(b).ok())
            else {
                return Err(bad(name, "message selector"));
            };
            messages.insert(selector, EventSpec::read(name, m, "message")?);
        }
        Ok(Self {
            name: name.to_owned(),
            registry,
            events,
            messages,
        })
    }

    /// Decodes a call of this contract: `selector` and the SCALE `input` of its arguments,
    /// as `Decoded` with the message's label in `event` and its arguments in `fields`.
    /// `None` when no message has that selector; an error when the arguments do not decode
    /// (or bytes are left over).
    pub fn decode_call(&self, selector: [u8; 4], input: &[u8]) -> Result<Option<Decoded>> {
        let Some(spec) = self.messages.get(&selector) else {
            return Ok(None);
        };
        self.decode_fields(spec, input).map(Some)
    }

    fn decode_fields(&self, spec: &EventSpec, data: &[u8]) -> Result<Decoded> {
        let fail = |reason: String| Error::Data {
            contract: self.name.clone(),
            event: spec.label.clone(),
            reason,
        };
        let mut input = data;
        let mut fields = serde_json::Map::new();
        for (label, ty) in &spec.fields {
            let v = scale_value::scale::decode_as_type(&mut input, *ty, &self.registry)
                .map_err(|e| fail(format!("field {label}: {e}")))?;
            fields.insert(label.clone(), to_json(&v, &self.registry));
        }
        if !input.is_empty() {
            return Err(fail(format!("{} bytes left over", input.len())));
        }
        Ok(Decoded {
            contract: self.name.clone(),
            event: spec.label.clone(),
            fields,
        })
    }

    /// Labels of the events this contract declares.
    pub fn labels(&self) -> Vec<&str> {
        let mut l: Vec<&str> = self.events.values().map(|e| e.label.as_str()).collect();
        l.sort_unstable();
        l
    }

    /// Decodes one event of this contract from its topics and data.
    pub fn decode(&self, topics: &[[u8; 32]], data: &[u8]) -> Result<Event> {
        let topic = topics.first().copied();
        let Some(spec) = topic.and_then(|t| self.events.get(&t)) else {
            return Ok(Event::Unknown {
                contract: self.name.clone(),
                topic,
            });
        };
        self.decode_fields(spec, data).map(Event::Decoded)
    }
}

/// JSON for a decoded value: composites of bytes become 0x-hex, big numbers strings,
/// `Option`/`Result`-like variants `{ "Variant": value }` (or the bare name without fields).
fn to_json(v: &scale_value::Value<u32>, registry: &PortableRegistry) -> Json {
    use scale_value::{Composite, Primitive, ValueDef};
    match &v.value {
        ValueDef::Primitive(p) => match p {
            Primitive::Bool(b) => Json::Bool(*b),
            Primitive::Char(c) => Json::String(c.to_string()),
            Primitive::String(s) => Json::String(s.clone()),
            Primitive::U128(n) if *n <= (1u128 << 53) => Json::from(*n as u64),
            Primitive::U128(n) => Json::String(n.to_string()),
            Primitive::I128(n) if n.unsigned_abs() <= (1u128 << 53) => Json::from(*n as i64),
            Primitive::I128(n) => Json::String(n.to_string()),
            other => Json::String(format!("{other:?}")),
        },
        ValueDef::Composite(c) => {
            let values: Vec<&scale_value::Value<u32>> = c.values().collect();
            // A sequence stays a list even with one element; a one-field tuple struct (H160,
            // newtypes) is unwrapped; sequences and arrays of u8 become 0x-hex.
            let def = registry.resolve(v.context).map(|t| &t.type_def);
            let element = match def {
                Some(scale_info::TypeDef::Sequence(s)) => Some(s.type_param.id),
                Some(scale_info::TypeDef::Array(a)) => Some(a.type_param.id),
                _ => None,
            };
            let is_sequence = element.is_some();
            let of_u8 = element
                .and_then(|id| registry.resolve(id))
                .is_some_and(|t| {
                    matches!(
                        t.type_def,
                        scale_info::TypeDef::Primitive(scale_info::TypeDefPrimitive::U8)
                    )
                });
            let bytes: Option<Vec<u8>> = of_u8
                .then(|| {
                    values
                        .iter()
                        .map(|x| match &x.value {
                            ValueDef::Primitive(Primitive::U128(n)) => u8::try_from(*n).ok(),
                            _ => None,
                        })
                        .collect()
                })
                .flatten();
            match (c, bytes) {
                (Composite::Unnamed(_), Some(b)) => Json::String(format!("0x{}", hex::encode(b))),
                (Composite::Unnamed(_), _) if values.len() == 1 && !is_sequence => {
                    to_json(values[0], registry)
                }
                (Composite::Unnamed(_), _) => {
                    Json::Array(values.into_iter().map(|x| to_json(x, registry)).collect())
                }
                (Composite::Named(named), _) => Json::Object(
                    named
                        .iter()
                        .map(|(k, x)| (k.clone(), to_json(x, registry)))
                        .collect(),
                ),
            }
        }
        ValueDef::Variant(var) => {
            let inner: Vec<&scale_value::Value<u32>> = var.values.values().collect();
            match (var.name.as_str(), inner.len()) {
                ("None", 0) => Json::Null,
                ("Some", 1) => to_json(inner[0], registry),
                (name, 0) => Json::String(name.to_owned()),
                (name, 1) => serde_json::json!({ name: to_json(inner[0], registry) }),
                (name, _) => {
                    serde_json::json!({ name: inner.into_iter().map(|x| to_json(x, registry)).collect::<Vec<_>>() })
                }
            }
        }
        ValueDef::BitSequence(b) => Json::String(format!("{b:?}")),
    }
}

impl Decoded {
    /// This event as a domain event of contract `kind`.
    ///
    /// # Errors
    /// When the fields do not match the domain type (metadata and domain types disagree).
    pub fn to_domain(
        &self,
        kind: atelier_types::ContractKind,
    ) -> std::result::Result<atelier_types::Event, atelier_types::UnknownEvent> {
        atelier_types::Event::from_decoded(kind, &self.event, &self.fields)
    }
}
