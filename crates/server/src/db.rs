//! The SQLite store: opening the file, WAL, numbered migrations, the schema check.

use rusqlite::Connection;
use rusqlite_migration::{Migrations, M};
use std::path::Path;
use std::sync::{Arc, Mutex, MutexGuard};

/// The numbered migrations, in order. Never edit one once it has shipped: add another.
const MIGRATIONS: &[&str] = &[include_str!("migrations/0001_backfills.sql")];

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

/// A shared SQLite connection. Calls run on tokio's blocking pool.
#[derive(Clone, Debug)]
pub struct Db {
    conn: Arc<Mutex<Connection>>,
    path: String,
}

impl Db {
    /// Open (creating if needed) the database at `path`, switch it to WAL and run the
    /// migrations. Refuses a file whose schema is newer than this binary's.
    pub fn open(path: &Path) -> Result<Db, DbError> {
        let mut conn = Connection::open(path)?;
        conn.pragma_update(None, "journal_mode", "WAL")?;
        conn.pragma_update(None, "synchronous", "NORMAL")?;
        conn.pragma_update(None, "foreign_keys", "ON")?;
        conn.busy_timeout(std::time::Duration::from_secs(5))?;
        let found: i64 = conn.query_row("PRAGMA user_version", [], |r| r.get(0))?;
        let found = usize::try_from(found).unwrap_or(usize::MAX);
        if found > SCHEMA_VERSION {
            return Err(DbError::TooNew { found });
        }
        migrations()
            .to_latest(&mut conn)
            .map_err(DbError::Migration)?;
        Ok(Db {
            conn: Arc::new(Mutex::new(conn)),
            path: path.display().to_string(),
        })
    }

    /// The path the database was opened from.
    #[must_use]
    pub fn path(&self) -> &str {
        &self.path
    }

    /// Run `f` with the connection on the blocking pool.
    pub async fn call<T, F>(&self, f: F) -> Result<T, rusqlite::Error>
    where
        T: Send + 'static,
        F: FnOnce(&mut Connection) -> Result<T, rusqlite::Error> + Send + 'static,
    {
        let conn = Arc::clone(&self.conn);
        tokio::task::spawn_blocking(move || {
            let mut guard = lock(&conn);
            f(&mut guard)
        })
        .await
        .unwrap_or_else(|e| Err(rusqlite::Error::ToSqlConversionFailure(Box::new(e))))
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
