//! Several blocks in one transaction: what a backfill writes, so that the commit (an fsync
//! on SQLite) is paid once per batch instead of once per block.

#[allow(clippy::wildcard_imports)] // the store macros name the parent module's private items
use super::*;

/// Royalties per multi-row INSERT (10 parameters each).
pub(crate) const ROYALTIES_PER_INSERT: usize = 1_000;

/// A transaction's routed royalties, written when it ends: the rows in multi-row inserts and
/// the running totals once per (scope, key) with the batch's sums, instead of an insert and
/// three read-modify-writes per royalty. Totals are sums, so applying them after the
/// transaction's other events gives what applying each in chain order gives.
#[derive(Default)]
pub(crate) struct Royalties {
    pub(crate) rows: Vec<RoyaltyRow>,
    /// (scope, key) -> (payments, parts), in first-seen order.
    pub(crate) totals: Vec<(TotalsKey, (i64, Parts))>,
    index: std::collections::HashMap<TotalsKey, usize>,
}

/// Amount, to creator, to compute, to reserve.
pub(crate) type Parts = [u128; 4];
/// (block, event index, router, work, creator, payer, parts).
pub(crate) type RoyaltyRow = (i64, i64, String, i64, String, String, Parts);
/// (scope, key) of a running total.
pub(crate) type TotalsKey = (&'static str, String);

impl Royalties {
    /// Keeps one `RoyaltyRouted`.
    ///
    /// # Errors
    /// `Amount` when a total would overflow a u128.
    #[allow(clippy::too_many_arguments)]
    pub(crate) fn push(
        &mut self,
        block: i64,
        index: i64,
        router: &str,
        work: u64,
        creator: &str,
        payer: &str,
        parts: [u128; 4],
    ) -> Result<()> {
        let work_id = crate::id64(work)?;
        for key in [
            ("work", work.to_string()),
            ("creator", creator.to_owned()),
            ("router", router.to_owned()),
        ] {
            let at = match self.index.get(&key) {
                Some(&at) => at,
                None => {
                    self.index.insert(key.clone(), self.totals.len());
                    self.totals.push((key, (0, [0; 4])));
                    self.totals.len() - 1
                }
            };
            let (n, sums) = &mut self.totals[at].1;
            *n += 1;
            for (sum, part) in sums.iter_mut().zip(parts) {
                *sum = sum
                    .checked_add(part)
                    .ok_or_else(|| Error::Amount(format!("{sum} + {part} overflows")))?;
            }
        }
        self.rows.push((
            block,
            index,
            router.to_owned(),
            work_id,
            creator.to_owned(),
            payer.to_owned(),
            parts,
        ));
        Ok(())
    }
}

/// Writes a [`Royalties`] inside transaction `$tx`: on PostgreSQL the totals in one upsert
/// summed as `numeric`; on SQLite (no exact 128-bit sums in SQL) read, added in Rust, written.
macro_rules! write_royalties {
    ($tx:expr, $pg:expr, $royalties:expr) => {{
        let r: &$crate::batch::Royalties = &$royalties;
        for chunk in r.rows.chunks($crate::batch::ROYALTIES_PER_INSERT) {
            let mut q = sqlx::QueryBuilder::new(
                "INSERT INTO royalties (block, event_index, router, work_id, creator, payer, amount, to_creator, to_compute, to_reserve) ",
            );
            q.push_values(chunk, |mut v, (block, index, router, work, creator, payer, parts)| {
                v.push_bind(*block).push_bind(*index).push_bind(router).push_bind(*work)
                    .push_bind(creator).push_bind(payer);
                for part in parts {
                    v.push_bind(part.to_string());
                }
            });
            q.push(" ON CONFLICT DO NOTHING");
            q.build().execute(&mut *$tx).await?;
        }
        if $pg {
            // keys are distinct within the batch, as one upsert statement needs them
            let sum = |c: &str| format!("{c} = (royalty_totals.{c}::numeric + excluded.{c}::numeric)::text");
            for chunk in r.totals.chunks($crate::batch::ROYALTIES_PER_INSERT) {
                let mut q = sqlx::QueryBuilder::new(
                    "INSERT INTO royalty_totals (scope, key, payments, amount, to_creator, to_compute, to_reserve) ",
                );
                q.push_values(chunk, |mut v, ((scope, key), (n, sums))| {
                    v.push_bind(*scope).push_bind(key).push_bind(*n);
                    for s in sums {
                        v.push_bind(s.to_string());
                    }
                });
                q.push(format!(
                    " ON CONFLICT (scope, key) DO UPDATE SET payments = royalty_totals.payments + excluded.payments, {}, {}, {}, {}",
                    sum("amount"), sum("to_creator"), sum("to_compute"), sum("to_reserve")
                ));
                q.build().execute(&mut *$tx).await?;
            }
        } else {
            for ((scope, key), (n, sums)) in &r.totals {
                let row: Option<(i64, String, String, String, String)> = sqlx::query_as(
                    "SELECT payments, amount, to_creator, to_compute, to_reserve FROM royalty_totals WHERE scope = $1 AND key = $2")
                    .bind(*scope).bind(key).fetch_optional(&mut *$tx).await?;
                // No row yet: the key's first payments (zero totals, not a default for a bad value).
                let (had, a, c, f, v) = row.unwrap_or((0, "0".into(), "0".into(), "0".into(), "0".into()));
                sqlx::query("INSERT INTO royalty_totals (scope, key, payments, amount, to_creator, to_compute, to_reserve) VALUES ($1, $2, $3, $4, $5, $6, $7) \
                             ON CONFLICT (scope, key) DO UPDATE SET payments = excluded.payments, amount = excluded.amount, \
                             to_creator = excluded.to_creator, to_compute = excluded.to_compute, to_reserve = excluded.to_reserve")
                    .bind(*scope).bind(key).bind(had + n).bind($crate::add(&a, sums[0])?).bind($crate::add(&c, sums[1])?)
                    .bind($crate::add(&f, sums[2])?).bind($crate::add(&v, sums[3])?)
                    .execute(&mut *$tx).await?;
            }
        }
    }};
}
pub(crate) use write_royalties;

impl Store {
    /// Stores `blocks` (in order) and the cursor at the last one in one transaction, each
    /// block's newly stored domain events applied once, as [`Store::apply_block`] does for
    /// one block. Returns how many events were new.
    ///
    /// # Errors
    /// Any failing row rolls the whole batch back (events and cursor).
    pub async fn apply_blocks(&self, blocks: &[BlockEvents]) -> Result<u64> {
        let Some(last) = blocks.last() else {
            return Ok(0);
        };
        // The cursor only moves forward here: an older range delivered again (a replay, a
        // second fetch of the same blocks) stores nothing new and leaves it at the head.
        // Only `rollback_to` moves it back, after a reorg.
        let cursor = "INSERT INTO cursor (id, block, hash) VALUES (1, $1, $2) \
                      ON CONFLICT (id) DO UPDATE SET block = excluded.block, hash = excluded.hash \
                      WHERE excluded.block >= cursor.block";
        // Raw events go in as multi-row statements (one round trip per ROWS_PER_INSERT
        // events instead of one per event); RETURNING names the rows that were new, and only
        // those are applied to the derived tables, in chain order.
        let rows: Vec<(&BlockEvents, &RawEvent)> = blocks
            .iter()
            .flat_map(|b| b.events.iter().map(move |e| (b, e)))
            .collect();
        let mut encoded = Vec::with_capacity(rows.len());
        for (_, e) in &rows {
            let topics = serde_json::to_string(&e.topics)?;
            let decoded = e.event.as_ref().map(serde_json::to_string).transpose()?;
            encoded.push((topics, decoded));
        }
        // (block, event index) of the rows that were new: a batch holds each block once.
        let mut new: std::collections::HashSet<(i64, i64)> = std::collections::HashSet::new();
        let pg = matches!(self.pool, Pool::Postgres(_));
        on_pool!(self, pool => {
            let mut tx = pool.begin().await?;
            for (chunk, enc) in rows.chunks(ROWS_PER_INSERT).zip(encoded.chunks(ROWS_PER_INSERT)) {
                let mut q = sqlx::QueryBuilder::new(
                    "INSERT INTO raw_events (block_hash, event_index, block, contract, name, topics, data, decoded, time) ",
                );
                q.push_values(chunk.iter().zip(enc), |mut v, ((b, e), (topics, decoded))| {
                    v.push_bind(&b.hash).push_bind(e.event_index).push_bind(b.block).push_bind(&e.contract)
                        .push_bind(&e.name).push_bind(topics).push_bind(&e.data).push_bind(decoded)
                        .push_bind(b.time);
                });
                q.push(" ON CONFLICT (block_hash, event_index) DO NOTHING RETURNING block, event_index");
                let inserted: Vec<(i64, i64)> = q.build_query_as().fetch_all(&mut *tx).await?;
                new.extend(inserted);
            }
            let mut royalties = Royalties::default();
            for (b, e) in &rows {
                if let Some(event) = &e.event {
                    if new.contains(&(b.block, e.event_index)) {
                        apply_event!(tx, pg, royalties, b.block, e.event_index, &e.contract, event);
                    }
                }
            }
            write_royalties!(tx, pg, royalties);
            sqlx::query(cursor).bind(last.block).bind(&last.hash).execute(&mut *tx).await?;
            tx.commit().await?;
        });
        Ok(new.len() as u64)
    }
}

/// Raw events per multi-row INSERT: 9 parameters each stays well inside SQLite's 32,766
/// and PostgreSQL's 65,535 bound parameters per statement.
const ROWS_PER_INSERT: usize = 1_000;
