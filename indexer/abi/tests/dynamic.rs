//! The generated decoders against an independent reading of the same metadata: every
//! event and every message's argument list of every contract is decoded from random,
//! structure-biased bytes both by the generated code (`events::Event::decode` + `fields`,
//! `messages::decode_args`) and by a dynamic decoder that walks the metadata's type registry
//! with scale-value (what the indexer used before the ABI was generated, kept here only as
//! this test's oracle). Both must accept the same inputs and read them as the same JSON.

use std::collections::HashMap;

use scale_info::PortableRegistry;
use serde_json::Value as Json;

type Fields = serde_json::Map<String, Json>;

/// One entry (event or message): its label and its fields' names and type ids.
struct Entry {
    label: String,
    fields: Vec<(String, u32)>,
}

impl Entry {
    fn read(entry: &Json) -> Self {
        Self {
            label: entry["label"].as_str().unwrap().to_owned(),
            fields: entry["args"]
                .as_array()
                .unwrap()
                .iter()
                .map(|a| {
                    let ty = a["type"]["type"].as_u64().unwrap();
                    (
                        a["label"].as_str().unwrap().to_owned(),
                        u32::try_from(ty).unwrap(),
                    )
                })
                .collect(),
        }
    }
}

/// The oracle: a contract's events by signature topic and messages by selector, decoded by
/// walking its metadata's type registry.
struct Dynamic {
    registry: PortableRegistry,
    events: HashMap<[u8; 32], Entry>,
    messages: HashMap<[u8; 4], Entry>,
}

fn hex_bytes(s: &str) -> Vec<u8> {
    hex::decode(s.trim_start_matches("0x")).unwrap()
}

impl Dynamic {
    fn new(metadata: &str) -> Self {
        let m: Json = serde_json::from_str(metadata).unwrap();
        let registry: PortableRegistry =
            serde_json::from_value(serde_json::json!({ "types": m["types"] })).unwrap();
        let events = m["spec"]["events"]
            .as_array()
            .unwrap()
            .iter()
            .map(|e| {
                let topic = hex_bytes(e["signature_topic"].as_str().unwrap());
                (topic.try_into().unwrap(), Entry::read(e))
            })
            .collect();
        let messages = m["spec"]["messages"]
            .as_array()
            .unwrap()
            .iter()
            .map(|e| {
                let selector = hex_bytes(e["selector"].as_str().unwrap());
                (selector.try_into().unwrap(), Entry::read(e))
            })
            .collect();
        Self {
            registry,
            events,
            messages,
        }
    }

    fn decode(&self, entry: &Entry, data: &[u8]) -> Option<(String, Fields)> {
        let mut input = data;
        let mut fields = Fields::new();
        for (label, ty) in &entry.fields {
            let v = scale_value::scale::decode_as_type(&mut input, *ty, &self.registry).ok()?;
            fields.insert(label.clone(), to_json(&v, &self.registry));
        }
        input.is_empty().then(|| (entry.label.clone(), fields))
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

/// A small deterministic generator (xorshift64*), so that a failure reproduces.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_f491_4f6c_dd1d)
    }

    fn below(&mut self, n: u64) -> usize {
        usize::try_from(self.next() % n).unwrap()
    }

    /// Bytes that decode often: mostly 0 and 1 (Option and enum tags, small compacts and
    /// lengths), some small values and some anything, of a length near `typical`. Bit 1 is
    /// never set, so a compact length is at most 2^14 (the oracle, scale-value, allocates
    /// what a length prefix claims before reading it; parity-scale-codec does not).
    fn bytes(&mut self, typical: usize) -> Vec<u8> {
        let len = match self.next() % 4 {
            0 => typical,
            1 => typical.saturating_sub(self.below(8)),
            2 => typical + self.below(8),
            _ => self.below(160),
        };
        (0..len)
            .map(|_| match self.next() % 8 {
                0..=3 => 0,
                4 => 1,
                5 => u8::try_from(self.below(8) * 4).unwrap(),
                _ => self.next().to_le_bytes()[0] & 0xfd,
            })
            .collect()
    }
}

type GeneratedEvent = fn(&[u8; 32], &[u8]) -> Option<(&'static str, Fields)>;
type GeneratedCall = fn([u8; 4], &[u8]) -> Option<(&'static str, Fields)>;

macro_rules! contracts {
    ($($c:ident),*) => {
        [$((
            atelier_abi::$c::CONTRACT,
            atelier_abi::$c::METADATA,
            (|t, d| {
                atelier_abi::$c::events::Event::decode(t, d)
                    .ok()
                    .flatten()
                    .map(|e| (e.label(), e.fields()))
            }) as GeneratedEvent,
            (|s, d| atelier_abi::$c::messages::decode_args(s, d).and_then(Result::ok))
                as GeneratedCall,
        )),*]
    };
}

#[test]
fn generated_decoders_read_every_event_and_call_as_the_metadata_does() {
    let cases: usize = std::env::var("ATELIER_ABI_FUZZ_CASES")
        .ok()
        .and_then(|n| n.parse().ok())
        .unwrap_or(400);
    let mut rng = Rng(0x5eed_a7e1_1e70_0001);
    let (mut tried, mut decoded) = (0usize, 0usize);
    for (name, metadata, event, call) in contracts!(
        membership,
        governor,
        royalty_router,
        treasury,
        provenance,
        erc20_baseline
    ) {
        let oracle = Dynamic::new(metadata);
        for (topic, entry) in &oracle.events {
            // a length that decodes: the shortest input the oracle accepts, found by trying
            let typical = (0..200)
                .find(|n| oracle.decode(entry, &vec![0; *n]).is_some())
                .unwrap_or(64);
            for _ in 0..cases {
                let data = rng.bytes(typical);
                let want = oracle.decode(entry, &data);
                let got = event(topic, &data).map(|(l, f)| (l.to_owned(), f));
                assert_eq!(
                    got,
                    want,
                    "{name} event {} on 0x{}",
                    entry.label,
                    hex::encode(&data)
                );
                tried += 1;
                decoded += usize::from(want.is_some());
            }
        }
        for (selector, entry) in &oracle.messages {
            let typical = (0..200)
                .find(|n| oracle.decode(entry, &vec![0; *n]).is_some())
                .unwrap_or(48);
            for _ in 0..cases {
                let data = rng.bytes(typical);
                let want = oracle.decode(entry, &data);
                let got = call(*selector, &data).map(|(l, f)| (l.to_owned(), f));
                assert_eq!(
                    got,
                    want,
                    "{name} call {} on 0x{}",
                    entry.label,
                    hex::encode(&data)
                );
                tried += 1;
                decoded += usize::from(want.is_some());
            }
        }
        assert!(event(&[0xab; 32], &[]).is_none(), "{name}: unknown topic");
        assert!(call([0xab; 4], &[]).is_none(), "{name}: unknown selector");
    }
    eprintln!("{tried} inputs, {decoded} of them decodable, read alike by both");
    assert!(
        decoded * 4 > tried,
        "too few inputs decoded ({decoded} of {tried}) for the comparison to mean much"
    );
}
