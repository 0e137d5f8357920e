//! The SQLite file: opening it, WAL, numbered migrations, the schema check, and the two
//! connections every query goes through (the SQL itself is in `store.rs`).
//!
//! One writer connection behind a mutex serialises every write, so a check-then-insert
//! inside one call is atomic within the process (idempotency relies on it); `BEGIN
//! IMMEDIATE` and the UNIQUE constraints cover other processes. Reads use their own
//! connection: in WAL mode they see the last commit and never wait for a write.
//!
//! Durability: `synchronous = NORMAL` in WAL mode means a commit is in the WAL file
//! (the operating system's cache) before the call returns, so a killed process loses
//! nothing it acknowledged; only a power cut can lose the last commits.

use rusqlite::Connection;
use rusqlite_migration::{Migrations, M};
use std::path::Path;
use std::sync::{mpsc, Arc, Mutex, MutexGuard, Weak};
use std::time::Duration;

/// The numbered migrations, in order. Never edit one once it has shipped: add another.
const MIGRATIONS: &[&str] = &[
    include_str!("migrations/0001_backfills.sql"),
    include_str!("migrations/0002_api.sql"),
];

fn migrations() -> Migrations<'static> {
    Migrations::new(MIGRATIONS.iter().map(|sql| M::up(sql)).collect())
}

/// The schema version this binary writes.
pub const SCHEMA_VERSION: usize = MIGRATIONS.len();

/// What can go wrong opening the store.
#[derive(Debug)]
pub enum DbError {
    /// SQLite refused.
    Sqlite(rusqlite::Error),
    /// A migration failed.
    Migration(rusqlite_migration::Error),
    /// The file was written by a newer `backfill`.
    TooNew {
        /// The file's schema version.
        found: usize,
    },
}

impl std::fmt::Display for DbError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            DbError::Sqlite(e) => write!(f, "sqlite: {e}"),
            DbError::Migration(e) => write!(f, "migrating the database: {e}"),
            DbError::TooNew { found } => write!(
                f,
                "the database has schema version {found}, newer than this binary's {SCHEMA_VERSION}: \
                 upgrade backfill, or point --db at another file"
            ),
        }
    }
}

impl std::error::Error for DbError {}

impl From<rusqlite::Error> for DbError {
    fn from(e: rusqlite::Error) -> Self {
        DbError::Sqlite(e)
    }
}

/// The shared SQLite connections. Calls run on tokio's blocking pool.
#[derive(Clone, Debug)]
pub struct Db {
    conn: Arc<Mutex<Connection>>,
    reader: Arc<Mutex<Connection>>,
    path: String,
    /// Dropped with the last clone: the checkpointer thread then stops.
    _checkpointer: Arc<mpsc::Sender<()>>,
}

/// How often the checkpointer copies the WAL into the database file.
const CHECKPOINT_EVERY: Duration = Duration::from_millis(250);
/// WAL frames (pages) past which the checkpointer makes sure the WAL restarts.
const RESTART_FRAMES: i64 = 16_384;
/// The writer checkpoints by itself only past this many WAL pages (about 400 MB): a net
/// under the background checkpointer, never reached while it keeps up.
const AUTOCHECKPOINT_PAGES: i64 = 100_000;

/// Checkpoints happen on a thread of their own, not in the commit that crosses SQLite's
/// threshold: copying a large transaction's WAL frames into the database (and syncing
/// it) would otherwise add hundreds of milliseconds to one unlucky request.
///
/// Every [`CHECKPOINT_EVERY`], a PASSIVE checkpoint on the thread's own connection
/// copies what it can without blocking anyone. Under a steady stream of writes it can
/// never copy *all* frames (new ones keep arriving), and a write only restarts the WAL
/// from its beginning when it starts on a completely checkpointed WAL, so the file would
/// grow without end; past [`RESTART_FRAMES`], the thread takes the writer's lock and
/// checkpoints the few frames left on the writer's connection, so the next write starts
/// on a complete checkpoint and restarts the WAL.
fn spawn_checkpointer(
    path: &Path,
    writer: Weak<Mutex<Connection>>,
) -> Result<mpsc::Sender<()>, rusqlite::Error> {
    let conn = Connection::open(path)?;
    let (stop, stopped) = mpsc::channel::<()>();
    let spawned = std::thread::Builder::new()
        .name("checkpointer".into())
        .spawn(move || {
            while let Err(mpsc::RecvTimeoutError::Timeout) = stopped.recv_timeout(CHECKPOINT_EVERY)
            {
                let frames = match checkpoint(&conn) {
                    Ok(frames) => frames,
                    Err(e) => {
                        tracing::warn!(error = %e, "checkpoint failed; retrying");
                        continue;
                    }
                };
                if frames > RESTART_FRAMES {
                    let Some(writer) = writer.upgrade() else {
                        return;
                    };
                    let guard = lock(&writer);
                    if let Err(e) = checkpoint(&guard) {
                        tracing::warn!(error = %e, "checkpoint under the writer's lock failed");
                    }
                }
            }
        });
    if let Err(e) = spawned {
        tracing::warn!(error = %e, "no checkpointer thread; commits will checkpoint past the safety net");
    }
    Ok(stop)
}

fn configure(conn: &Connection) -> Result<(), rusqlite::Error> {
    conn.pragma_update(None, "synchronous", "NORMAL")?;
    conn.pragma_update(None, "foreign_keys", "ON")?;
    // 32 MiB of page cache: a 100,000-run insert stays in memory until it commits.
    conn.pragma_update(None, "cache_size", -32_768)?;
    conn.busy_timeout(Duration::from_secs(5))?;
    conn.set_prepared_statement_cache_capacity(32);
    Ok(())
}

/// A PASSIVE checkpoint; how many frames the WAL has.
fn checkpoint(conn: &Connection) -> Result<i64, rusqlite::Error> {
    conn.query_row("PRAGMA wal_checkpoint(PASSIVE)", [], |r| r.get(1))
}

impl Db {
    /// Open (creating if needed) the database at `path`, switch it to WAL and run the
    /// migrations. Refuses a file whose schema is newer than this binary's.
    pub fn open(path: &Path) -> Result<Db, DbError> {
        let mut conn = Connection::open(path)?;
        conn.pragma_update(None, "journal_mode", "WAL")?;
        configure(&conn)?;
        let found: i64 = conn.query_row("PRAGMA user_version", [], |r| r.get(0))?;
        let found = usize::try_from(found).unwrap_or(usize::MAX);
        if found > SCHEMA_VERSION {
            return Err(DbError::TooNew { found });
        }
        migrations()
            .to_latest(&mut conn)
            .map_err(DbError::Migration)?;
        conn.pragma_update(None, "wal_autocheckpoint", AUTOCHECKPOINT_PAGES)?;
        conn.pragma_update(None, "journal_size_limit", 64 * 1024 * 1024)?;
        let reader = Connection::open(path)?;
        configure(&reader)?;
        let conn = Arc::new(Mutex::new(conn));
        let checkpointer = spawn_checkpointer(path, Arc::downgrade(&conn))?;
        Ok(Db {
            conn,
            reader: Arc::new(Mutex::new(reader)),
            path: path.display().to_string(),
            _checkpointer: Arc::new(checkpointer),
        })
    }

    /// The path the database was opened from.
    #[must_use]
    pub fn path(&self) -> &str {
        &self.path
    }

    /// Run `f` with the writer connection on the blocking pool: one call at a time.
    pub async fn call<T, E, F>(&self, f: F) -> Result<T, E>
    where
        T: Send + 'static,
        E: From<rusqlite::Error> + Send + 'static,
        F: FnOnce(&mut Connection) -> Result<T, E> + Send + 'static,
    {
        Self::on(&self.conn, f).await
    }

    /// Run `f` with the reader connection on the blocking pool. Only for reads: it sees
    /// the last commit and does not wait for the writer.
    pub async fn read<T, E, F>(&self, f: F) -> Result<T, E>
    where
        T: Send + 'static,
        E: From<rusqlite::Error> + Send + 'static,
        F: FnOnce(&mut Connection) -> Result<T, E> + Send + 'static,
    {
        Self::on(&self.reader, f).await
    }

    /// Run `f` with the writer connection on this thread, waiting for it: only on a
    /// thread that may block (inside `spawn_blocking`).
    pub fn write_blocking<T, E, F>(&self, f: F) -> Result<T, E>
    where
        F: FnOnce(&mut Connection) -> Result<T, E>,
    {
        f(&mut lock(&self.conn))
    }

    /// Run `f` with the reader connection on this thread: only on a thread that may
    /// block, and only for reads.
    pub fn read_blocking<T, E, F>(&self, f: F) -> Result<T, E>
    where
        F: FnOnce(&mut Connection) -> Result<T, E>,
    {
        f(&mut lock(&self.reader))
    }

    async fn on<T, E, F>(conn: &Arc<Mutex<Connection>>, f: F) -> Result<T, E>
    where
        T: Send + 'static,
        E: From<rusqlite::Error> + Send + 'static,
        F: FnOnce(&mut Connection) -> Result<T, E> + Send + 'static,
    {
        let conn = Arc::clone(conn);
        tokio::task::spawn_blocking(move || {
            let mut guard = lock(&conn);
            f(&mut guard)
        })
        .await
        .unwrap_or_else(|e| {
            // The closure panicked (a bug): its transaction rolled back when the guard's
            // statements dropped. Report it as an error of this request only.
            Err(E::from(rusqlite::Error::ToSqlConversionFailure(Box::new(
                e,
            ))))
        })
    }
}

fn lock(conn: &Mutex<Connection>) -> MutexGuard<'_, Connection> {
    // A panic while holding the lock cannot leave SQLite inconsistent (transactions roll
    // back), so a poisoned lock is still safe to use.
    conn.lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn migrations_are_valid() {
        migrations().validate().unwrap();
    }

    #[test]
    fn a_newer_database_is_refused() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("b.db");
        Db::open(&path).unwrap();
        let conn = Connection::open(&path).unwrap();
        conn.pragma_update(
            None,
            "user_version",
            i64::try_from(SCHEMA_VERSION).unwrap() + 1,
        )
        .unwrap();
        drop(conn);
        let err = Db::open(&path).unwrap_err();
        assert!(matches!(err, DbError::TooNew { found } if found == SCHEMA_VERSION + 1));
        assert!(err.to_string().contains("newer than this binary"));
    }
}
