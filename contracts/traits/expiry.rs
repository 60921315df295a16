//! The expiry rule behind contribution weight, as plain functions on plain data: the
//! membership token (through `atelier_traits::Expiring`) and the indexer (through
//! `atelier_types`, which includes this very file) run the same code, so the API's weight at
//! a block is the token's `weight_at` by construction.
//!
//! A weight is kept as its value at some block plus a schedule: the amounts within it that
//! expire later, by expiry block, in ascending order. The value at any later block is the
//! value less what the schedule says has expired by then, so an expired contribution stops
//! counting at its expiry block whether or not anyone calls `expire_contribution` (audit L-1
//! of #16).
//!
//! A contribution activated at block `now` expires at the first multiple of
//! `ceil(expiry_blocks / COHORT_STEPS)` at or after `now + expiry_blocks`: it counts for at
//! least `expiry_blocks` blocks and less than `expiry_blocks + ceil(expiry_blocks / 8)`.
//! Rounding to that grid is what keeps a schedule short however many contributions it sums:
//! with one expiry setting, at most 9 distinct expiry blocks are ahead at any time; a
//! schedule holds at most [`MAX_COHORTS`] (room for a few setting changes within one expiry
//! period).

use alloc::vec::Vec;

/// Expiry blocks per expiry period.
pub const COHORT_STEPS: u32 = 8;
/// Most distinct expiry blocks one schedule holds.
pub const MAX_COHORTS: usize = 32;

/// An amount and the block it expires at.
pub type Cohort = (u32, u128);

/// Why a schedule could not change.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ScheduleError {
    /// An amount would overflow or go below zero.
    Overflow,
    /// A new expiry block would exceed [`MAX_COHORTS`].
    Full,
}

/// The block a contribution activated at `now` expires at, for the setting `expiry_blocks`
/// (`None` on overflow).
#[must_use]
pub fn expiry_block(now: u32, expiry_blocks: u32) -> Option<u32> {
    let step = expiry_blocks.div_ceil(COHORT_STEPS).max(1);
    now.checked_add(expiry_blocks)?
        .div_ceil(step)
        .checked_mul(step)
}

/// What `schedule` says has expired by the end of `block`.
#[must_use]
pub fn expired_by(schedule: &[Cohort], block: u32) -> Option<u128> {
    schedule
        .iter()
        .take_while(|(at, _)| *at <= block)
        .try_fold(0u128, |sum, (_, amount)| sum.checked_add(*amount))
}

/// The value at the end of `block` of a weight whose value was `value` with `schedule` still
/// ahead (`block` at or after the block the value is for).
#[must_use]
pub fn value_at(value: u128, schedule: &[Cohort], block: u32) -> Option<u128> {
    value.checked_sub(expired_by(schedule, block)?)
}

/// Brings a weight to block `now`: its value then, with what expired by then dropped from
/// the schedule.
pub fn settle(value: u128, schedule: &mut Vec<Cohort>, now: u32) -> Option<u128> {
    let settled = value_at(value, schedule, now)?;
    schedule.retain(|(at, _)| *at > now);
    Some(settled)
}

/// Schedules `amount` to expire at `at`.
pub fn add(schedule: &mut Vec<Cohort>, at: u32, amount: u128) -> Result<(), ScheduleError> {
    if amount == 0 {
        return Ok(());
    }
    match schedule.binary_search_by_key(&at, |(block, _)| *block) {
        Ok(i) => {
            let entry = &mut schedule[i].1;
            *entry = entry.checked_add(amount).ok_or(ScheduleError::Overflow)?;
        }
        Err(i) => {
            if schedule.len() >= MAX_COHORTS {
                return Err(ScheduleError::Full);
            }
            schedule.insert(i, (at, amount));
        }
    }
    Ok(())
}

/// Takes `amount` expiring at `at` out of the schedule (it was revoked or moved away).
pub fn remove(schedule: &mut Vec<Cohort>, at: u32, amount: u128) -> Result<(), ScheduleError> {
    if amount == 0 {
        return Ok(());
    }
    let i = schedule
        .binary_search_by_key(&at, |(block, _)| *block)
        .map_err(|_| ScheduleError::Overflow)?;
    let left = schedule[i]
        .1
        .checked_sub(amount)
        .ok_or(ScheduleError::Overflow)?;
    if left == 0 {
        schedule.remove(i);
    } else {
        schedule[i].1 = left;
    }
    Ok(())
}
