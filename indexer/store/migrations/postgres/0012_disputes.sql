-- Disputed registrations (audit M-2 of issue #16): who disputes an asset and the hash of their
-- evidence, while the dispute is open (`AssetDisputed`, cleared by `DisputeResolved`, which
-- may also give the asset to new holders). A work given to its creator by governance
-- (`WorkReassigned`) only updates `works.creator`.
ALTER TABLE assets ADD COLUMN disputed_by TEXT;
ALTER TABLE assets ADD COLUMN dispute_evidence TEXT;
