"""Writes indexer/worker/tests/fixtures/parity.json: reference embeddings of the encoder's
test sentences from sentence-transformers (the reference implementation), on the same torch
the worker links. Run once by a developer (it needs `pip install sentence-transformers` in
the torch venv); the fixture is committed and the parity test compares against it.

    $ATELIER_TORCH_VENV/bin/python scripts/worker-parity-fixture.py
"""
import json
import os
import sys

import sentence_transformers
import torch
from sentence_transformers import SentenceTransformer

root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
model_dir = os.environ.get(
    "ATELIER_MODEL_DIR", os.path.expanduser("~/.cache/atelier/models/all-minilm-l6-v2")
)
long_text = " ".join(
    f"Clause {i}: the compute fund releases tranche {i} to the grantee after review." for i in range(40)
)
sentences = [
    "Raise the supply cap of stMATIC on Polygon v3 from 21M to 25M units.",
    "This proposal funds a curated dataset of 40,000 captioned illustrations.",
    "We believe everyone should vote for this!",
    "The treasury pays the grantee 5,000 tokens per month for six months.",
    "Add the fine-tuned watercolour model to the community registry.",
    "a",
    "Curation scores rank submitted works by quality, originality and style.",
    "Le fonds communautaire finance la documentation en français.",
    "🎨🖌️ generative art ✨",
    "Remove the guardian role once the DAO has run for a year without incident.",
    long_text,
    "Short.",
]
model = SentenceTransformer(model_dir, device="cpu")
emb = model.encode(sentences, batch_size=4, convert_to_numpy=True, normalize_embeddings=False)
out = {
    "generator": f"sentence-transformers {sentence_transformers.__version__}, torch {torch.__version__}",
    "max_seq_length": model.max_seq_length,
    "sentences": sentences,
    "embeddings": [[round(float(x), 7) for x in row] for row in emb],
}
path = os.path.join(root, "indexer/worker/tests/fixtures/parity.json")
with open(path, "w") as f:
    json.dump(out, f)
print(f"wrote {len(sentences)} reference embeddings to {path}", file=sys.stderr)
