//! Atelier's libtorch worker: neutral summaries of governance proposals and curation scores
//! of registered works, from a real pretrained sentence encoder run with `tch`.
//!
//! This is the only crate that depends on `tch`/libtorch. It must not talk to the chain; it
//! reads and writes the indexer's store (`jobs`, run by `atelier work`) and is measured by
//! `atelier eval summaries` and `atelier eval curation`.

pub mod curation;
pub mod curation_eval;
pub mod encoder;
pub mod eval;
pub mod jobs;
pub mod rouge;
pub mod summarise;
pub mod text;

/// Errors of the worker.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// A model file is missing (run `scripts/setup.sh`).
    #[error("model file {0} is missing; scripts/setup.sh installs the model")]
    ModelMissing(String),
    /// The weights could not be loaded.
    #[error("cannot load the model weights: {0}")]
    Weights(String),
    /// The tokenizer failed.
    #[error("tokenizer: {0}")]
    Tokenizer(String),
    /// Evaluation data could not be read.
    #[error("evaluation data: {0}")]
    Data(String),
    /// The store failed.
    #[error("store")]
    Store(#[from] atelier_store::Error),
}

impl Error {
    /// Whether the job loop may resume after waiting: the store's database went away or was
    /// busy for a moment.
    pub fn is_transient(&self) -> bool {
        matches!(self, Error::Store(e) if e.is_transient())
    }
}

/// Result type of the worker.
pub type Result<T> = std::result::Result<T, Error>;
