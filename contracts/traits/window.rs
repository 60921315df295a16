//! The rolling-window rule behind the treasury's outflow cap and the router's split rate
//! limit, as plain functions on plain data: the contracts (through
//! `atelier_traits::RollingWindow`) and the indexer (through `atelier_types`, which
//! includes this very file) run the same code, so the API's "remaining outflow" is the
//! contract's by construction.
//!
//! Blocks are grouped in slots of `ceil(epoch_blocks / WINDOW_SLOTS)` blocks; the window is
//! the current slot and the `WINDOW_SLOTS` before it. Any span of `epoch_blocks` blocks lies
//! within the window ending at its last block, so a limit checked against the window's total
//! at every addition holds over every such span. An amount counts for at least
//! `epoch_blocks` blocks and at most `9 x ceil(epoch_blocks / 8)`.

/// Slots an epoch is divided into.
pub const WINDOW_SLOTS: u32 = 8;
/// Slots kept: the current one and `WINDOW_SLOTS` before it.
pub const KEPT: usize = WINDOW_SLOTS as usize + 1;

/// A window's state: the slot of its last addition, the slot length then, and the amounts
/// per slot by slot index modulo `KEPT`.
pub type State = (u32, u32, [u128; KEPT]);

fn slot_len(epoch_blocks: u32) -> u32 {
    epoch_blocks.div_ceil(WINDOW_SLOTS).max(1)
}

fn index(slot: u32) -> usize {
    usize::try_from(
        slot.checked_rem(WINDOW_SLOTS.saturating_add(1))
            .unwrap_or(0),
    )
    .unwrap_or(0)
}

fn sum(amounts: &[u128; KEPT]) -> u128 {
    amounts.iter().fold(0u128, |a, x| a.saturating_add(*x))
}

/// Clears the slots that left the window by block `now`, slot length unchanged.
fn advanced((slot, len, mut amounts): State, now: u32) -> State {
    let current = now.checked_div(len).unwrap_or(0);
    let gone = current.saturating_sub(slot);
    if gone >= WINDOW_SLOTS.saturating_add(1) {
        amounts = [0; KEPT];
    } else {
        for s in 1..=gone {
            amounts[index(slot.saturating_add(s))] = 0;
        }
    }
    (slot.max(current), len, amounts)
}

/// The window as seen at block `now` for an epoch of `epoch_blocks`. When the epoch length
/// changed since the last addition, what still counted under the old slots is kept in the
/// current slot of the new ones: counted longer, never forgotten.
#[must_use]
pub fn at(state: State, epoch_blocks: u32, now: u32) -> State {
    let len = slot_len(epoch_blocks);
    if state.1 == len {
        return advanced(state, now);
    }
    let kept = if state.1 == 0 {
        0
    } else {
        sum(&advanced(state, now).2)
    };
    let slot = now.checked_div(len).unwrap_or(0);
    let mut amounts = [0; KEPT];
    amounts[index(slot)] = kept;
    (slot, len, amounts)
}

/// The total within the window at block `now`.
#[must_use]
pub fn total(state: State, epoch_blocks: u32, now: u32) -> u128 {
    sum(&at(state, epoch_blocks, now).2)
}

/// Adds `amount` at block `now` when the window's total stays within `limit`: the new
/// state and total, or `None` when it would exceed the limit (or overflow).
#[must_use]
pub fn add(
    state: State,
    epoch_blocks: u32,
    now: u32,
    amount: u128,
    limit: u128,
) -> Option<(State, u128)> {
    let (slot, len, mut amounts) = at(state, epoch_blocks, now);
    let total = sum(&amounts).checked_add(amount)?;
    if total > limit {
        return None;
    }
    let i = index(slot);
    amounts[i] = amounts[i].checked_add(amount)?;
    Some(((slot, len, amounts), total))
}
