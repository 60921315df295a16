//! A compiled contract as committed under `contracts/artifacts/`: its PolkaVM code and the
//! parts of its ink! metadata the sandbox needs (selectors, event topics, error names).

use std::{collections::HashMap, path::PathBuf, sync::Arc};

use codec::Encode;
use serde_json::Value;

use crate::{sp_core::H256, Error, Result};

/// The folder holding `<name>.polkavm` and `<name>.json`: `ATELIER_ARTIFACTS` when set,
/// otherwise the repository's `contracts/artifacts`.
pub fn artifacts_dir() -> PathBuf {
    std::env::var_os("ATELIER_ARTIFACTS").map_or_else(
        || {
            PathBuf::from(concat!(
                env!("CARGO_MANIFEST_DIR"),
                "/../../contracts/artifacts"
            ))
        },
        PathBuf::from,
    )
}

/// A message or constructor of a contract.
#[derive(Debug, Clone)]
pub struct Entry {
    /// 4-byte selector.
    pub selector: [u8; 4],
    /// Type id of the return type in the metadata's type registry.
    pub return_type: Option<u64>,
}

/// Code and metadata of one contract.
#[derive(Debug)]
pub struct Artifact {
    /// Contract name (`membership`, `governor`, ...).
    pub name: String,
    /// PolkaVM code.
    pub code: Vec<u8>,
    /// The full ink! metadata.
    pub metadata: Value,
    entries: HashMap<String, Entry>,
    events: HashMap<H256, String>,
}

fn hex_bytes<const N: usize>(v: &Value) -> Option<[u8; N]> {
    let s = v.as_str()?.strip_prefix("0x")?;
    hex::decode(s).ok()?.try_into().ok()
}

impl Artifact {
    /// Loads `<name>.polkavm` and `<name>.json` from [`artifacts_dir`].
    pub fn load(name: &str) -> Result<Arc<Self>> {
        let dir = artifacts_dir();
        let read = |ext: &str| {
            let path = dir.join(format!("{name}.{ext}"));
            std::fs::read(&path).map_err(|source| Error::ArtifactIo {
                path: path.display().to_string(),
                source,
            })
        };
        let code = read("polkavm")?;
        let metadata: Value =
            serde_json::from_slice(&read("json")?).map_err(|e| Error::Metadata {
                name: name.to_owned(),
                reason: e.to_string(),
            })?;
        Self::from_parts(name, code, metadata).map(Arc::new)
    }

    fn from_parts(name: &str, code: Vec<u8>, metadata: Value) -> Result<Self> {
        let bad = |reason: &str| Error::Metadata {
            name: name.to_owned(),
            reason: reason.to_owned(),
        };
        let spec = metadata.get("spec").ok_or_else(|| bad("no spec"))?;
        let mut entries = HashMap::new();
        for kind in ["constructors", "messages"] {
            for e in spec
                .get(kind)
                .and_then(Value::as_array)
                .ok_or_else(|| bad(kind))?
            {
                let label = e["label"].as_str().ok_or_else(|| bad("label"))?;
                let selector = hex_bytes::<4>(&e["selector"]).ok_or_else(|| bad("selector"))?;
                entries.insert(
                    label.to_owned(),
                    Entry {
                        selector,
                        return_type: e["returnType"]["type"].as_u64(),
                    },
                );
            }
        }
        let mut events = HashMap::new();
        for e in spec
            .get("events")
            .and_then(Value::as_array)
            .ok_or_else(|| bad("events"))?
        {
            if let Some(topic) = hex_bytes::<32>(&e["signature_topic"]) {
                events.insert(H256(topic), e["label"].as_str().unwrap_or("?").to_owned());
            }
        }
        Ok(Self {
            name: name.to_owned(),
            code,
            metadata,
            entries,
            events,
        })
    }

    /// The message or constructor `label`.
    pub fn entry(&self, label: &str) -> Result<&Entry> {
        self.entries.get(label).ok_or_else(|| Error::UnknownLabel {
            contract: self.name.clone(),
            label: label.to_owned(),
        })
    }

    /// The label of the message or constructor with `selector`.
    pub fn label_of(&self, selector: [u8; 4]) -> Option<&str> {
        self.entries
            .iter()
            .find(|(_, e)| e.selector == selector)
            .map(|(l, _)| l.as_str())
    }

    /// Labels of all messages (not constructors).
    pub fn messages(&self) -> Vec<String> {
        let mut out: Vec<String> = self.metadata["spec"]["messages"]
            .as_array()
            .into_iter()
            .flatten()
            .filter_map(|m| m["label"].as_str().map(str::to_owned))
            .collect();
        out.sort();
        out
    }

    /// Call data for `label` with `args` (a tuple encodes as its fields in order).
    pub fn input(&self, label: &str, args: &impl Encode) -> Result<Vec<u8>> {
        let mut out = self.entry(label)?.selector.to_vec();
        args.encode_to(&mut out);
        Ok(out)
    }

    /// Event label for a signature topic.
    pub fn event_name(&self, topic: &H256) -> Option<&str> {
        self.events.get(topic).map(String::as_str)
    }

    /// Signature topic of event `label`.
    pub fn event_topic(&self, label: &str) -> Option<H256> {
        self.events
            .iter()
            .find(|(_, l)| l.as_str() == label)
            .map(|(t, _)| *t)
    }

    /// Variant names, by index, of the error type of a message returning
    /// `Result<T, Error>` (empty for other messages).
    pub fn error_names(&self, label: &str) -> Vec<String> {
        let Some(ret) = self.entries.get(label).and_then(|e| e.return_type) else {
            return Vec::new();
        };
        // MessageResult<Result<T, E>>: the Ok field of the outer Result, then the Err
        // field of the inner one.
        let field = |ty: u64, variant: &str| -> Option<u64> {
            let t = self.type_def(ty)?;
            if t["type"]["path"].as_array()?.last()?.as_str()? != "Result" {
                return None;
            }
            t["type"]["def"]["variant"]["variants"]
                .as_array()?
                .iter()
                .find(|v| v["name"] == variant)?["fields"][0]["type"]
                .as_u64()
        };
        let names = || -> Option<Vec<String>> {
            let inner = field(ret, "Ok")?;
            let err = field(inner, "Err")?;
            let mut variants: Vec<(u64, String)> = self.type_def(err)?["type"]["def"]["variant"]
                ["variants"]
                .as_array()?
                .iter()
                .map(|v| {
                    (
                        v["index"].as_u64().unwrap_or(0),
                        v["name"].as_str().unwrap_or("?").to_owned(),
                    )
                })
                .collect();
            variants.sort();
            Some(variants.into_iter().map(|(_, n)| n).collect())
        };
        names().unwrap_or_default()
    }

    fn type_def(&self, id: u64) -> Option<&Value> {
        self.metadata["types"]
            .as_array()?
            .iter()
            .find(|t| t["id"].as_u64() == Some(id))
    }
}
