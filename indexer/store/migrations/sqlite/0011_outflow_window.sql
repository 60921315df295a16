-- A fund's rolling outflow window (audit L-5 of issue #16): the treasury's cap now holds over
-- any `epoch_blocks` consecutive blocks instead of per calendar epoch. The indexer keeps the
-- same window state as the contract (atelier_types::OutflowWindow, JSON), advanced by the
-- contract's own rule at every payout; `outflow_epoch` is no longer written. Funds indexed
-- before this column existed start with an empty window.
ALTER TABLE funds ADD COLUMN outflow_window TEXT;
