//! Every SQL statement of the API. All of them are constant strings with `?` parameters
//! (the multi-row inserts repeat a constant row of `?`): nothing a client sends is ever
//! spliced into SQL.
//!
//! A submission is stored in one `BEGIN IMMEDIATE` transaction: the backfill row, then
//! its batches and runs through prepared statements reused across rows (64 rows per
//! `INSERT … VALUES`), then the commit. A crash at any point leaves either all of it or
//! none of it. A small plan's rows were built (and its digest checked) before the
//! transaction; a large plan's rows are built by two other threads while this one
//! inserts them, and its digest is compared before the commit (a mismatch rolls back). The `Idempotency-Key` is a UNIQUE column of the backfill row, checked
//! inside the same transaction, so a concurrent duplicate either waits for the first
//! commit and gets its answer, or (another process) trips the constraint and reads it.

use crate::error::AppError;
use crate::ids;
use crate::lifecycle::{Action, Status};
use crate::rows::{batch_rows, run_rows, BatchRow, Digester, RunRow};
use crate::submission::Checked;
use backfill_core::Plan;
use rusqlite::{params, Connection, OptionalExtension, ToSql, TransactionBehavior};
use serde::Serialize;
use serde_json::value::RawValue;
use serde_json::{json, Value};

/// Rows per multi-row `INSERT` of runs (6 parameters each; SQLite allows 32,766). The
/// full-size statement stays prepared; a last, shorter chunk prepares its own.
const RUN_ROWS_PER_INSERT: usize = 64;
/// Rows per multi-row `INSERT` of batches.
const BATCH_ROWS_PER_INSERT: usize = 64;

/// The answer to a stored submission: the same for the first request and for every
/// replay of its `Idempotency-Key` (a backfill is always `pending` when created).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Receipt {
    /// The public id.
    pub id: String,
    /// `pending`.
    pub status: Status,
    /// The title.
    pub title: String,
    /// The engine planned for.
    pub engine: String,
    /// Runs stored.
    pub run_count: u64,
    /// Batches stored.
    pub batch_count: u64,
    /// The digest of the server's expansion (equal to the submitted one).
    pub digest: String,
    /// When it was stored.
    pub created_at: String,
    /// Where to read it.
    pub url: String,
}

/// What storing a submission did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Stored {
    /// A new backfill.
    Created(Receipt),
    /// The `Idempotency-Key` had been used by the same request: its first answer.
    Replayed(Receipt),
}

/// The URL of a backfill.
#[must_use]
pub fn url_of(id: &str) -> String {
    format!("/api/v1/backfills/{id}")
}

fn to_i64(n: u64) -> i64 {
    i64::try_from(n).unwrap_or(i64::MAX)
}

fn to_u64(n: i64) -> u64 {
    u64::try_from(n).unwrap_or(0)
}

fn receipt_from_row(r: &rusqlite::Row<'_>) -> rusqlite::Result<Receipt> {
    let id: String = r.get("public_id")?;
    Ok(Receipt {
        url: url_of(&id),
        id,
        status: Status::Pending,
        title: r.get("title")?,
        engine: r.get("engine")?,
        run_count: to_u64(r.get("run_count")?),
        batch_count: to_u64(r.get("batch_count")?),
        digest: r.get("digest")?,
        created_at: r.get("created_at")?,
    })
}

const BY_KEY: &str =
    "SELECT public_id, title, engine, run_count, batch_count, digest, created_at, \
                      request_hash FROM backfills WHERE idempotency_key = ?1 AND created_at >= ?2";

/// An `Idempotency-Key` as stored: scoped to the token (if any), and answered only while
/// it is younger than the configured lifetime.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IdempotencyKey {
    /// The key as stored: `<token scope>:<key>` with a token, else the key.
    pub scoped: String,
    /// The oldest `created_at` a replay may have (RFC 3339 UTC, milliseconds).
    pub not_before: String,
}

impl IdempotencyKey {
    /// `key` as sent, under `token` (if any), living `ttl_secs`.
    #[must_use]
    pub fn new(key: &str, token: Option<&str>, ttl_secs: u64) -> IdempotencyKey {
        use sha2::Digest;
        let scoped = match token {
            Some(t) => {
                let d = sha2::Sha256::digest(t.as_bytes());
                let scope: String = d.iter().take(8).map(|b| format!("{b:02x}")).collect();
                format!("{scope}:{key}")
            }
            None => key.to_owned(),
        };
        IdempotencyKey {
            scoped,
            not_before: ids::timestamp_ago(ttl_secs),
        }
    }
}

/// The receipt stored under `key`, if any, with its request hash.
fn find_by_key(
    conn: &Connection,
    key: &IdempotencyKey,
) -> Result<Option<(Receipt, String)>, AppError> {
    let mut stmt = conn.prepare_cached(BY_KEY)?;
    let found = stmt
        .query_row(params![key.scoped, key.not_before], |r| {
            Ok((
                receipt_from_row(r)?,
                r.get::<_, Option<String>>("request_hash")?
                    .unwrap_or_default(),
            ))
        })
        .optional()?;
    Ok(found)
}

/// The first answer for `key` if it was used by the same request, a 422 if by another.
fn replay(
    found: Option<(Receipt, String)>,
    request_hash: &str,
) -> Result<Option<Stored>, AppError> {
    match found {
        Some((receipt, hash)) if hash == request_hash => Ok(Some(Stored::Replayed(receipt))),
        Some(_) => Err(AppError::IdempotencyKeyReused),
        None => Ok(None),
    }
}

/// The answer for `key` without writing anything (`None`: the key is new).
pub fn lookup_key(
    conn: &Connection,
    key: &IdempotencyKey,
    request_hash: &str,
) -> Result<Option<Stored>, AppError> {
    replay(find_by_key(conn, key)?, request_hash)
}

const INSERT_BACKFILL: &str = "INSERT INTO backfills (public_id, title, engine, dialect, status, \
     source, now, digest, run_count, batch_count, labels, summary, idempotency_key, request_hash, \
     created_at, updated_at, diagnostics, plan_options) \
     VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?15, ?16, ?17)";

fn multi_insert(table_and_columns: &str, columns: usize, rows: usize) -> String {
    let mut sql = format!("INSERT INTO {table_and_columns} VALUES ");
    for r in 0..rows {
        if r > 0 {
            sql.push(',');
        }
        sql.push('(');
        for c in 0..columns {
            if c > 0 {
                sql.push(',');
            }
            sql.push('?');
        }
        sql.push(')');
    }
    sql
}

const RUNS_TABLE: &str = "runs (backfill_id, idx, batch_idx, logical_date, partition_key, data)";
const BATCHES_TABLE: &str = "batches (backfill_id, idx, first_run, last_run, size, data)";

/// Store a checked submission: the backfill, its batches and its runs, in one
/// transaction. With a `key`, a request already stored under it is answered instead.
pub fn insert(
    conn: &mut Connection,
    checked: &Checked,
    key: Option<&IdempotencyKey>,
    request_hash: &str,
    max_stored_runs: Option<u64>,
) -> Result<Stored, AppError> {
    let plan = &checked.plan;
    let sub = &checked.submission;
    let source = plan.source();
    let public_id = ids::new_id().map_err(|e| AppError::Internal(format!("randomness: {e}")))?;
    let now = ids::timestamp();
    let digest = &sub.digest;
    let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
    if let Some(key) = key {
        // An expired key is free again: the old backfill keeps its data, not the key.
        tx.prepare_cached(
            "UPDATE backfills SET idempotency_key = NULL \
             WHERE idempotency_key = ?1 AND created_at < ?2",
        )?
        .execute(params![key.scoped, key.not_before])?;
        if let Some(stored) = replay(find_by_key(&tx, key)?, request_hash)? {
            return Ok(stored);
        }
    }
    // The quota, under the writer lock: what is stored plus this one.
    if let Some(quota) = max_stored_runs {
        let stored: i64 = tx.query_row(
            "SELECT COALESCE(SUM(run_count), 0) FROM backfills",
            [],
            |r| r.get(0),
        )?;
        let stored = u64::try_from(stored).unwrap_or(0);
        let adding = plan.run_count();
        if stored.saturating_add(adding) > quota {
            return Err(AppError::StorageFull {
                stored,
                adding,
                quota,
            });
        }
    }
    let inserted = tx.prepare_cached(INSERT_BACKFILL)?.execute(params![
        public_id,
        sub.title,
        plan.engine().name(),
        source.dialect.name(),
        Status::Pending.name(),
        source.text,
        source.now,
        digest,
        to_i64(plan.run_count()),
        to_i64(plan.batch_count()),
        checked.labels_json,
        checked.summary_json,
        key.map(|k| k.scoped.as_str()),
        request_hash,
        now,
        checked.diagnostics_json,
        checked.options_json,
    ]);
    if let Err(e) = inserted {
        // Another process stored the same key between our check and our insert.
        if key.is_some() && e.sqlite_error_code() == Some(rusqlite::ErrorCode::ConstraintViolation)
        {
            drop(tx);
            if let Some(stored) = key
                .map(|k| lookup_key(conn, k, request_hash))
                .transpose()?
                .flatten()
            {
                return Ok(stored);
            }
        }
        return Err(e.into());
    }
    let backfill_id = tx.last_insert_rowid();
    match &checked.rows {
        Some(rows) => {
            insert_batches(&tx, &backfill_id, &rows.batches)?;
            insert_runs(&tx, &backfill_id, &rows.runs)?;
        }
        None => {
            let computed = stream_rows(&tx, backfill_id, plan)?;
            // On a mismatch the transaction rolls back as it drops: nothing stored.
            sub.verify(&computed, plan.run_count())?;
        }
    }
    tx.commit()?;
    Ok(Stored::Created(Receipt {
        url: url_of(&public_id),
        id: public_id,
        status: Status::Pending,
        title: sub.title.clone(),
        engine: plan.engine().name().to_owned(),
        run_count: plan.run_count(),
        batch_count: plan.batch_count(),
        digest: digest.clone(),
        created_at: now,
    }))
}

/// Rows per chunk handed from the threads that build rows to the one that inserts.
const STREAM_CHUNK: u64 = 4096;

enum Chunk {
    Batches(Vec<BatchRow>),
    BatchesDone,
    Runs(Vec<RunRow>),
    RunsDone { digest: String },
}

/// Insert a large plan's rows while two other threads build them, the batches on one and
/// the runs (and their digest) on the other; a bounded queue between them and this one
/// keeps memory to a few chunks whatever the plan's size. Returns the runs' digest.
///
/// Inserted chunks go back to the thread that built them to be freed there: freeing
/// another thread's allocations makes glibc's allocator take that thread's arena lock,
/// which cost a tenth of the time of a 100,000-run plan.
fn stream_rows(conn: &Connection, backfill_id: i64, plan: &Plan) -> Result<String, AppError> {
    use std::sync::mpsc::{channel, sync_channel};
    std::thread::scope(|scope| {
        let (tx, rx) = sync_channel::<Chunk>(4);
        let (batches_back, batches_used) = channel::<Vec<BatchRow>>();
        let (runs_back, runs_used) = channel::<Vec<RunRow>>();
        let batches_tx = tx.clone();
        scope.spawn(move || {
            let mut from = 0;
            while from < plan.batch_count() {
                while batches_used.try_recv().is_ok() {}
                let to = from.saturating_add(STREAM_CHUNK);
                if batches_tx
                    .send(Chunk::Batches(batch_rows(plan, from, to)))
                    .is_err()
                {
                    return; // the inserting side failed and hung up
                }
                from = to;
            }
            let _ = batches_tx.send(Chunk::BatchesDone);
            while batches_used.recv().is_ok() {}
        });
        scope.spawn(move || {
            let mut digester = Digester::default();
            let mut from = 0;
            while from < plan.run_count() {
                while runs_used.try_recv().is_ok() {}
                let to = from.saturating_add(STREAM_CHUNK);
                if tx
                    .send(Chunk::Runs(run_rows(plan, from, to, &mut digester)))
                    .is_err()
                {
                    return;
                }
                from = to;
            }
            let _ = tx.send(Chunk::RunsDone {
                digest: digester.finish(),
            });
            while runs_used.recv().is_ok() {}
        });
        let (mut batches_done, mut digest) = (false, None);
        for chunk in &rx {
            match chunk {
                Chunk::Batches(rows) => {
                    insert_batches(conn, &backfill_id, &rows)?;
                    let _ = batches_back.send(rows);
                }
                Chunk::BatchesDone => batches_done = true,
                Chunk::Runs(rows) => {
                    insert_runs(conn, &backfill_id, &rows)?;
                    let _ = runs_back.send(rows);
                }
                Chunk::RunsDone { digest: d } => digest = Some(d),
            }
            if batches_done && digest.is_some() {
                break;
            }
        }
        // Hanging up lets both builders drop what they got back, and stop.
        drop((batches_back, runs_back));
        digest.ok_or_else(|| {
            AppError::Internal("a thread building rows stopped before its end".into())
        })
    })
}

/// Rows into `table`, `per_insert` rows per statement, each row's values given by `bind`
/// as references (nothing is copied to bind it).
fn insert_rows<'a, T>(
    conn: &Connection,
    table: &str,
    columns: usize,
    per_insert: usize,
    items: &'a [T],
    bind: impl Fn(&'a T, &mut Vec<&'a dyn ToSql>),
) -> Result<(), AppError> {
    let mut values: Vec<&dyn ToSql> = Vec::with_capacity(columns * per_insert);
    for chunk in items.chunks(per_insert) {
        values.clear();
        for item in chunk {
            bind(item, &mut values);
        }
        let mut stmt = if chunk.len() == per_insert {
            conn.prepare_cached(&multi_insert(table, columns, per_insert))?
        } else {
            conn.prepare_cached(&multi_insert(table, columns, chunk.len()))?
        };
        stmt.execute(values.as_slice())?;
    }
    Ok(())
}

fn insert_runs(conn: &Connection, backfill_id: &i64, runs: &[RunRow]) -> Result<(), AppError> {
    insert_rows(conn, RUNS_TABLE, 6, RUN_ROWS_PER_INSERT, runs, |r, v| {
        v.extend_from_slice(&[
            backfill_id,
            &r.index,
            &r.batch,
            &r.logical_date,
            &r.partition_key,
            &r.data,
        ]);
    })
}

fn insert_batches(
    conn: &Connection,
    backfill_id: &i64,
    batches: &[BatchRow],
) -> Result<(), AppError> {
    insert_rows(
        conn,
        BATCHES_TABLE,
        6,
        BATCH_ROWS_PER_INSERT,
        batches,
        |b, v| {
            v.extend_from_slice(&[
                backfill_id,
                &b.index,
                &b.first_run,
                &b.last_run,
                &b.size,
                &b.data,
            ]);
        },
    )
}

/// One backfill as listed (and as a transition answers).
#[derive(Debug, Clone, Serialize)]
pub struct Item {
    /// The public id.
    pub id: String,
    /// The title.
    pub title: String,
    /// Its state.
    pub status: Status,
    /// What an operator may do now.
    pub allowed_actions: Vec<Action>,
    /// The engine.
    pub engine: String,
    /// The input dialect.
    pub dialect: String,
    /// Runs.
    pub run_count: u64,
    /// Batches.
    pub batch_count: u64,
    /// The plan's digest.
    pub digest: String,
    /// Labels.
    pub labels: Value,
    /// When it was stored.
    pub created_at: String,
    /// When its state last changed.
    pub updated_at: String,
    /// Where to read it.
    pub url: String,
    #[serde(skip)]
    rowid: i64,
}

/// The columns an [`Item`] is read from (a macro, so queries stay `&'static str`).
macro_rules! item_columns {
    () => {
        "id, public_id, title, status, engine, dialect, run_count, batch_count, digest, \
         labels, created_at, updated_at"
    };
}

fn item_from_row(r: &rusqlite::Row<'_>) -> rusqlite::Result<Item> {
    let id: String = r.get("public_id")?;
    let status: String = r.get("status")?;
    // A status this binary does not know cannot be written by it; read it as cancelled
    // (nothing allowed) rather than fail the whole list.
    let status = Status::parse(&status).unwrap_or(Status::Cancelled);
    let labels: String = r.get("labels")?;
    Ok(Item {
        url: url_of(&id),
        id,
        title: r.get("title")?,
        status,
        allowed_actions: status.allowed_actions(),
        engine: r.get("engine")?,
        dialect: r.get("dialect")?,
        run_count: to_u64(r.get("run_count")?),
        batch_count: to_u64(r.get("batch_count")?),
        digest: r.get("digest")?,
        labels: serde_json::from_str(&labels).unwrap_or_else(|_| json!({})),
        created_at: r.get("created_at")?,
        updated_at: r.get("updated_at")?,
        rowid: r.get("id")?,
    })
}

/// What a list asks for.
#[derive(Debug, Clone, Default)]
pub struct ListQuery {
    /// Only this state.
    pub status: Option<Status>,
    /// Only this engine.
    pub engine: Option<String>,
    /// Only backfills older than this cursor (from a previous page).
    pub before: Option<i64>,
    /// At most this many.
    pub limit: u32,
}

/// A page of the list, newest first, and the cursor of the next page.
#[derive(Debug, Clone, Serialize)]
pub struct Page {
    /// The backfills.
    pub items: Vec<Item>,
    /// Pass as `cursor` for the next page; `null` on the last.
    pub next_cursor: Option<String>,
}

/// A page of backfills, newest first (keyset pagination on the internal id).
pub fn list(conn: &Connection, q: &ListQuery) -> Result<Page, AppError> {
    const LIST: &str = concat!(
        "SELECT ",
        item_columns!(),
        " FROM backfills \
         WHERE (?1 IS NULL OR status = ?1) AND (?2 IS NULL OR engine = ?2) \
           AND (?3 IS NULL OR id < ?3) \
         ORDER BY id DESC LIMIT ?4"
    );
    let mut stmt = conn.prepare_cached(LIST)?;
    let mut items = stmt
        .query_map(
            params![
                q.status.map(Status::name),
                q.engine,
                q.before,
                i64::from(q.limit) + 1
            ],
            item_from_row,
        )?
        .collect::<Result<Vec<Item>, _>>()?;
    let more = items.len() > q.limit as usize;
    items.truncate(q.limit as usize);
    let next_cursor = if more {
        items.last().map(|i| i.rowid.to_string())
    } else {
        None
    };
    Ok(Page { items, next_cursor })
}

/// Which part of a backfill's runs and batches to send.
#[derive(Debug, Clone, Copy)]
pub struct DetailQuery {
    /// First run.
    pub runs_offset: u64,
    /// How many runs.
    pub runs_limit: u32,
    /// First batch.
    pub batches_offset: u64,
    /// How many batches.
    pub batches_limit: u32,
}

/// A page of stored JSON rows.
#[derive(Debug, Serialize)]
pub struct RowsPage {
    /// Index of the first item.
    pub offset: u64,
    /// The limit applied.
    pub limit: u32,
    /// How many there are in all.
    pub total: u64,
    /// The items, as stored.
    pub items: Vec<Box<RawValue>>,
}

/// A backfill with its source, plan summary, diagnostics and a page of batches and runs.
#[derive(Debug, Serialize)]
pub struct Detail {
    /// What a list shows.
    #[serde(flatten)]
    pub item: Item,
    /// Enough to re-expand it: text, dialect, engine, now, and any overrides.
    pub source: Value,
    /// The plan's summary as the core made it.
    pub summary: Value,
    /// The plan's warnings and notes.
    pub diagnostics: Value,
    /// A page of batches.
    pub batches: RowsPage,
    /// A page of runs.
    pub runs: RowsPage,
}

fn json_column(text: &str, fallback: Value) -> Value {
    serde_json::from_str(text).unwrap_or(fallback)
}

fn rows_page(
    conn: &Connection,
    sql: &str,
    backfill_id: i64,
    offset: u64,
    limit: u32,
    total: u64,
) -> Result<RowsPage, AppError> {
    let mut stmt = conn.prepare_cached(sql)?;
    let items = stmt
        .query_map(params![backfill_id, to_i64(offset), limit], |r| {
            r.get::<_, String>(0)
        })?
        .map(|row| {
            let text = row?;
            RawValue::from_string(text)
                .map_err(|e| AppError::Internal(format!("a stored row is not JSON: {e}")))
        })
        .collect::<Result<Vec<_>, AppError>>()?;
    Ok(RowsPage {
        offset,
        limit,
        total,
        items,
    })
}

/// A backfill by public id (`None`: no such backfill).
pub fn detail(conn: &mut Connection, id: &str, q: DetailQuery) -> Result<Option<Detail>, AppError> {
    // One read transaction: the backfill and its pages from the same snapshot.
    let tx = conn.transaction_with_behavior(TransactionBehavior::Deferred)?;
    const DETAIL: &str = concat!(
        "SELECT ",
        item_columns!(),
        ", source, now, summary, diagnostics, plan_options FROM backfills WHERE public_id = ?1"
    );
    let found = tx
        .prepare_cached(DETAIL)?
        .query_row([id], |r| {
            let item = item_from_row(r)?;
            let mut source = json!({
                "text": r.get::<_, String>("source")?,
                "dialect": item.dialect,
                "engine": item.engine,
            });
            if let Some(now) = r.get::<_, Option<String>>("now")? {
                source["now"] = json!(now);
            }
            if let Value::Object(options) =
                json_column(&r.get::<_, String>("plan_options")?, json!({}))
            {
                for (k, v) in options {
                    source[k] = v;
                }
            }
            let summary = json_column(&r.get::<_, String>("summary")?, json!({}));
            let diagnostics = json_column(&r.get::<_, String>("diagnostics")?, json!([]));
            Ok((item, source, summary, diagnostics))
        })
        .optional()?;
    let Some((item, source, summary, diagnostics)) = found else {
        return Ok(None);
    };
    let batches = rows_page(
        &tx,
        "SELECT data FROM batches WHERE backfill_id = ?1 AND idx >= ?2 ORDER BY idx LIMIT ?3",
        item.rowid,
        q.batches_offset,
        q.batches_limit,
        item.batch_count,
    )?;
    let runs = rows_page(
        &tx,
        "SELECT data FROM runs WHERE backfill_id = ?1 AND idx >= ?2 ORDER BY idx LIMIT ?3",
        item.rowid,
        q.runs_offset,
        q.runs_limit,
        item.run_count,
    )?;
    tx.finish()?;
    Ok(Some(Detail {
        item,
        source,
        summary,
        diagnostics,
        batches,
        runs,
    }))
}

/// Delete backfill `id` with its batches and runs (the foreign keys cascade); whether it
/// existed.
pub fn delete(conn: &mut Connection, id: &str) -> Result<bool, AppError> {
    let n = conn.execute("DELETE FROM backfills WHERE public_id = ?1", [id])?;
    Ok(n > 0)
}

/// Apply `action` to backfill `id`: the new state, 404 when there is no such backfill,
/// 409 with the current state when the action is not allowed from it.
pub fn transition(conn: &mut Connection, id: &str, action: Action) -> Result<Item, AppError> {
    let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
    const SELECT: &str = concat!(
        "SELECT ",
        item_columns!(),
        " FROM backfills WHERE public_id = ?1"
    );
    let item = tx
        .prepare_cached(SELECT)?
        .query_row([id], item_from_row)
        .optional()?
        .ok_or_else(|| AppError::NotFound(format!("no backfill `{id}`")))?;
    let next = item
        .status
        .after(action)
        .ok_or(AppError::InvalidTransition {
            action,
            current: item.status,
        })?;
    let now = ids::timestamp();
    let changed = tx
        .prepare_cached(
            "UPDATE backfills SET status = ?1, updated_at = ?2 WHERE id = ?3 AND status = ?4",
        )?
        .execute(params![next.name(), now, item.rowid, item.status.name()])?;
    if changed != 1 {
        return Err(AppError::Internal(format!(
            "backfill {id} changed state during its own transaction"
        )));
    }
    tx.commit()?;
    Ok(Item {
        status: next,
        allowed_actions: next.allowed_actions(),
        updated_at: now,
        ..item
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::submission::Submission;

    const SPEC: &str = "engine: flyte\nschedule: {cron: \"0 0 * * *\"}\nwindow: {start: 2023-01-01, end: 2023-01-11}\n";

    fn checked(title: &str) -> (Checked, String) {
        let digest = backfill_core::plan(SPEC, &backfill_core::PlanOptions::default())
            .plan
            .unwrap()
            .digest();
        let body = json!({"source": SPEC, "digest": digest, "title": title});
        let sub = Submission::parse(body.to_string().as_bytes()).unwrap();
        let hash = sub.request_hash();
        (
            sub.check(1000, &"2024-01-01T00:00:00Z".parse().unwrap())
                .unwrap(),
            hash,
        )
    }

    #[test]
    fn a_key_is_checked_inside_the_inserting_transaction() {
        // Two requests that both passed the early lookup: the second insert finds the
        // first one's key and answers with it.
        let dir = tempfile::tempdir().unwrap();
        let db = crate::Db::open(&dir.path().join("s.db")).unwrap();
        drop(db);
        let mut conn = Connection::open(dir.path().join("s.db")).unwrap();
        let (first, hash) = checked("a");
        let Stored::Created(receipt) = insert(
            &mut conn,
            &first,
            Some(&IdempotencyKey::new("k", None, 60)),
            &hash,
            None,
        )
        .unwrap() else {
            panic!("not created")
        };
        let (again, hash_again) = checked("a");
        assert_eq!(
            insert(
                &mut conn,
                &again,
                Some(&IdempotencyKey::new("k", None, 60)),
                &hash_again,
                None,
            )
            .unwrap(),
            Stored::Replayed(receipt)
        );
        let (other, other_hash) = checked("b");
        assert!(matches!(
            insert(
                &mut conn,
                &other,
                Some(&IdempotencyKey::new("k", None, 60)),
                &other_hash,
                None,
            ),
            Err(AppError::IdempotencyKeyReused)
        ));
        let n: i64 = conn
            .query_row("SELECT count(*) FROM backfills", [], |r| r.get(0))
            .unwrap();
        assert_eq!(n, 1);
    }

    #[test]
    fn multi_row_inserts_have_one_placeholder_per_value() {
        let sql = multi_insert("t (a, b)", 2, 3);
        assert_eq!(sql, "INSERT INTO t (a, b) VALUES (?,?),(?,?),(?,?)");
    }
}
