"""Writes indexer/worker/tests/fixtures/curation.json: the labelled curation test set.

Deterministic (fixed seed). Works are built from hand-written subjects, styles and settings,
each with several wordings, so that a paraphrase says the same work in other words. Cases:

- originals: the earlier works every query is compared with;
- paraphrase:   same subject, style and setting, other wording and order  -> near duplicate
- near copy:    an original with small edits (case, punctuation, a word, a tag) -> near duplicate
- exact copy:   an original verbatim, or the same image hash              -> near duplicate
- distinct:     another combination (sharing at most one element)         -> not a duplicate
- spam:         scam / promotion texts                                    -> spam, not a duplicate
- clean:        ordinary new works (the distinct ones)                    -> not spam

    python3 scripts/worker-curation-set.py
"""
import hashlib
import json
import os
import random

rng = random.Random(20261123)

SUBJECTS = [
    ["a red fox", "a crimson fox", "a fox with russet fur"],
    ["an old lighthouse", "a weathered lighthouse", "an ancient beacon tower"],
    ["a koi pond", "a pond full of koi carp", "a garden pool with koi"],
    ["a steam locomotive", "an old steam train", "a vintage steam engine"],
    ["a snow leopard", "a white mountain leopard", "a snow leopard on a ledge"],
    ["a paper crane", "an origami crane", "a folded paper bird"],
    ["a jazz trio", "three jazz musicians", "a small jazz band"],
    ["a desert caravan", "camels crossing dunes", "a camel caravan in the desert"],
    ["a cathedral interior", "the nave of a cathedral", "inside a gothic cathedral"],
    ["a hummingbird", "a tiny hummingbird in flight", "a hovering hummingbird"],
    ["a floating island", "an island drifting in the sky", "a sky island"],
    ["a night market", "a crowded evening market", "market stalls at night"],
    ["an astronaut", "a spacewalking astronaut", "a lone astronaut in a spacesuit"],
    ["a bonsai tree", "a miniature bonsai", "a tiny potted bonsai tree"],
    ["a whale", "a humpback whale", "a great whale breaching"],
    ["a chess game", "two players over a chessboard", "a chess match in progress"],
]
STYLES = [
    ["watercolour painting", "soft watercolor", "painted in watercolours"],
    ["oil painting", "thick impasto oils", "classical oil on canvas"],
    ["pixel art", "16-bit pixel art", "retro pixel graphics"],
    ["ukiyo-e woodblock print", "Japanese woodblock style", "in the style of ukiyo-e prints"],
    ["charcoal sketch", "rough charcoal drawing", "a sketch in charcoal"],
    ["cyberpunk neon render", "neon cyberpunk 3D render", "a neon-lit cyberpunk rendering"],
    ["art nouveau poster", "an Art Nouveau illustration", "poster in Art Nouveau style"],
    ["low-poly 3D model", "low polygon 3D art", "faceted low-poly render"],
]
SETTINGS = [
    ["at dawn in a misty forest", "in a foggy wood at sunrise", "among misty trees at first light"],
    ["under a stormy sky", "beneath dark storm clouds", "as a storm gathers overhead"],
    ["in the rain at night", "on a rainy night", "at night under falling rain"],
    ["in golden autumn light", "in the warm light of autumn", "surrounded by autumn gold"],
    ["on a frozen lake", "across an icy lake", "on the ice of a frozen lake"],
    ["in a sunlit meadow", "in a meadow full of sunlight", "on a bright summer meadow"],
]
TITLE_WORDS = ["Study", "Reverie", "Hour", "Echoes", "Passage", "Quiet", "Vigil", "Drift"]
TAGS = ["landscape", "animal", "architecture", "portrait", "scifi", "nature", "still-life", "urban"]
SPAM = [
    "FREE MINT now!!! Connect your wallet at bit.ly/free-mint-now and claim 100x rewards",
    "Airdrop giveaway: send 0.1 ETH to get 1 ETH back, guaranteed, limited time only",
    "DM me for whitelist spots, best NFT project ever, 1000x soon, join t.me/moonpump",
    "click here click here click here to win win win free tokens www.claim-now.example",
    "Follow and retweet for a free NFT! Hurry, only 50 spots left! https://scam.example",
    "Buy followers cheap, boost your art instantly, visit http://promo.example today",
    "Guaranteed profit NFT flip, connect wallet to verify, claim your bonus now",
    "make money fast make money fast make money fast no work needed",
    "limited offer!!! mint mint mint before it's gone, 100% legit, not a scam",
    "Send your seed phrase to support to unlock your airdrop reward",
]


def phrase(options, i):
    return options[i % len(options)]


def work(s, st, se, wording, title_seed, tags, image=None):
    subject, style, setting = phrase(SUBJECTS[s], wording), phrase(STYLES[st], wording), phrase(SETTINGS[se], wording)
    orders = [
        f"{subject} {setting}, {style}",
        f"{style} of {subject} {setting}",
        f"{setting}: {subject}, {style}",
    ]
    prompt = orders[wording % len(orders)]
    title = f"{TITLE_WORDS[title_seed % len(TITLE_WORDS)]} {title_seed}"
    description = f"A {['small', 'large', 'square', 'wide'][title_seed % 4]} piece: {subject} {setting}."
    return {"title": title, "prompt": prompt, "description": description, "tags": tags, "image_hash": image}


def image_hash(n):
    return hashlib.sha256(f"image-{n}".encode()).hexdigest()


combos = [(s, rng.randrange(len(STYLES)), rng.randrange(len(SETTINGS))) for s in range(len(SUBJECTS))]
combos += [(rng.randrange(len(SUBJECTS)), st, rng.randrange(len(SETTINGS))) for st in range(len(STYLES))]
combos = list(dict.fromkeys(combos))[:24]
originals = []
for i, (s, st, se) in enumerate(combos):
    w = work(s, st, se, 0, i, [TAGS[i % len(TAGS)]], image_hash(i))
    w["id"] = i
    originals.append(w)

cases = []
for i, (s, st, se) in enumerate(combos):
    o = originals[i]
    for k in (1, 2):
        p = work(s, st, se, k, 100 + 10 * i + k, [TAGS[(i + k) % len(TAGS)]])
        cases.append({"kind": "paraphrase", "of": i, "work": p, "near_duplicate": True, "spam": False})
    edits = [
        lambda w: {**w, "prompt": w["prompt"].upper()},
        lambda w: {**w, "prompt": w["prompt"].replace(",", " -") + ".", "tags": w["tags"] + ["new"]},
        lambda w: {**w, "title": w["title"] + " (v2)", "description": w["description"].replace("piece", "work")},
    ]
    for k, e in enumerate(edits[:2] if i % 2 else edits[1:]):
        c = e({**o, "image_hash": None})
        c.pop("id", None)
        cases.append({"kind": "near copy", "of": i, "work": c, "near_duplicate": True, "spam": False})
    c = {k: v for k, v in o.items() if k != "id"}
    if i % 2:
        c = {**c, "image_hash": None}
    else:
        c = {**work(*combos[(i + 5) % len(combos)], 0, 999, ["other"]), "image_hash": o["image_hash"]}
    cases.append({"kind": "exact copy", "of": i, "work": c, "near_duplicate": True, "spam": False})

seen = set(combos)
distinct = 0
attempts = 0
while distinct < 60 and attempts < 10000:
    attempts += 1
    s, st, se = rng.randrange(len(SUBJECTS)), rng.randrange(len(STYLES)), rng.randrange(len(SETTINGS))
    if (s, st, se) in seen or any(sum([a == s, b == st, c == se]) > 1 for a, b, c in combos):
        continue
    seen.add((s, st, se))
    w = work(s, st, se, rng.randrange(3), 500 + distinct, [TAGS[distinct % len(TAGS)]], image_hash(1000 + distinct))
    cases.append({"kind": "distinct", "of": None, "work": w, "near_duplicate": False, "spam": False})
    distinct += 1

for i, text in enumerate(SPAM * 3):
    variant = text if i < len(SPAM) else (text.lower() if i < 2 * len(SPAM) else text + " " + rng.choice(["!!!", "🚀🚀🚀", "act now"]))
    w = {"title": ["FREE", "GIVEAWAY", "Mint now", "Promo"][i % 4], "prompt": variant, "description": variant, "tags": ["nft", "free"], "image_hash": None}
    cases.append({"kind": "spam", "of": None, "work": w, "near_duplicate": False, "spam": True})

root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
out = {
    "about": "Labelled curation cases; see scripts/worker-curation-set.py",
    "originals": originals,
    "cases": cases,
}
path = os.path.join(root, "indexer/worker/tests/fixtures/curation.json")
with open(path, "w") as f:
    json.dump(out, f, indent=1, ensure_ascii=False)
kinds = {}
for c in cases:
    kinds[c["kind"]] = kinds.get(c["kind"], 0) + 1
print(f"{len(originals)} originals, {len(cases)} cases: {kinds}")
