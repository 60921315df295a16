//! Opening a store so that several processes may do it at once, in any order, while the
//! database is still starting or has just restarted.
//!
//! - SQLite is opened in WAL mode (one writer and any number of readers at once: the
//!   indexer writes while the API and the worker read) with a busy timeout, so a reader
//!   never fails because the writer holds the lock for a moment.
//! - Migrations run under a lock that every opener takes: on PostgreSQL sqlx's advisory
//!   lock, on SQLite an OS file lock on `<db>.migrate-lock` beside the database (SQLite has
//!   no lock that spans the check of `_sqlx_migrations` and the migration). The second
//!   opener waits, then finds every migration applied. Each migration runs in its own
//!   transaction, so one interrupted half-way (the process killed, the server restarted)
//!   left nothing of itself and runs again on the next open.
//! - [`Error::is_transient`] tells a database that is not there yet (refused, starting,
//!   restarting, busy) from a mistake that waiting will not fix (a bad URL, a missing
//!   database, a failed migration), so that services wait for the first and stop on the
//!   second.

use std::{path::PathBuf, time::Duration};

use sqlx::{
    postgres::PgPoolOptions,
    sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions, SqliteSynchronous},
    PgPool, SqlitePool,
};

use crate::{Error, Result};

/// How long a SQLite connection waits for another connection's lock before failing with
/// "database is locked": longer than any batch the indexer writes in one transaction.
pub const SQLITE_BUSY_TIMEOUT: Duration = Duration::from_secs(30);

/// How long opening a PostgreSQL pool waits for a connection.
pub const POSTGRES_CONNECT_TIMEOUT: Duration = Duration::from_secs(5);

/// The store's migrations for SQLite.
pub static SQLITE_MIGRATIONS: sqlx::migrate::Migrator = sqlx::migrate!("./migrations/sqlite");

/// The store's migrations for PostgreSQL.
pub static POSTGRES_MIGRATIONS: sqlx::migrate::Migrator = sqlx::migrate!("./migrations/postgres");

/// What a database URL points at, for messages: never the password or query options.
/// `postgres://u:secret@db:5432/atelier?sslmode=require` is "PostgreSQL at db:5432/atelier".
pub fn describe(url: &str) -> String {
    if let Some(rest) = url.strip_prefix("sqlite:") {
        let path = rest.trim_start_matches("//");
        let path = path.split('?').next().unwrap_or(path);
        return match path {
            ":memory:" | "" => "SQLite in memory".to_owned(),
            p => format!("SQLite at {p}"),
        };
    }
    for scheme in ["postgres://", "postgresql://"] {
        if let Some(rest) = url.strip_prefix(scheme) {
            let rest = rest.split('?').next().unwrap_or(rest);
            let host = rest.rsplit_once('@').map_or(rest, |(_, h)| h);
            let host = if host.starts_with('/') || host.is_empty() {
                format!("localhost{host}")
            } else {
                host.to_owned()
            };
            return format!("PostgreSQL at {host}");
        }
    }
    "an unsupported database URL".to_owned()
}

/// Opens a SQLite store (created when missing) in WAL mode and migrates it.
pub(crate) async fn sqlite(url: &str) -> Result<SqlitePool> {
    let opts: SqliteConnectOptions = url
        .parse::<SqliteConnectOptions>()?
        .create_if_missing(true)
        .journal_mode(SqliteJournalMode::Wal)
        .synchronous(SqliteSynchronous::Normal)
        .busy_timeout(SQLITE_BUSY_TIMEOUT);
    let file = lock_path(&opts);
    let pool = SqlitePoolOptions::new()
        .max_connections(4)
        .connect_with(opts)
        .await?;
    match file {
        Some(path) => {
            let lock = MigrationLock::acquire(path).await?;
            SQLITE_MIGRATIONS.run(&pool).await?;
            drop(lock);
        }
        None => SQLITE_MIGRATIONS.run(&pool).await?,
    }
    Ok(pool)
}

/// Opens a PostgreSQL store and migrates it (sqlx holds an advisory lock while it does).
/// One plain connection first: a pool retries a refused connection until its timeout and
/// then says only "pool timed out", where this says "connection refused", "the database
/// system is starting up" or "password authentication failed" at once.
pub(crate) async fn postgres(url: &str) -> Result<PgPool> {
    use sqlx::Connection;
    let probe = tokio::time::timeout(POSTGRES_CONNECT_TIMEOUT, sqlx::PgConnection::connect(url))
        .await
        .map_err(|_| sqlx::Error::PoolTimedOut)??;
    probe.close().await?;
    let pool = PgPoolOptions::new()
        .max_connections(8)
        .acquire_timeout(POSTGRES_CONNECT_TIMEOUT)
        .connect(url)
        .await?;
    POSTGRES_MIGRATIONS.run(&pool).await?;
    Ok(pool)
}

/// `<db>.migrate-lock` beside a SQLite file; `None` in memory.
fn lock_path(opts: &SqliteConnectOptions) -> Option<PathBuf> {
    let file = opts.get_filename();
    if file.as_os_str().is_empty() || file.to_str() == Some(":memory:") {
        return None;
    }
    let mut name = file.as_os_str().to_owned();
    name.push(".migrate-lock");
    Some(PathBuf::from(name))
}

/// An exclusive OS lock on a file, held while a process migrates a SQLite store; released
/// when dropped or when the process dies (so a killed migrator never blocks the next).
struct MigrationLock(std::fs::File);

impl MigrationLock {
    async fn acquire(path: PathBuf) -> Result<Self> {
        tokio::task::spawn_blocking(move || {
            let file = std::fs::OpenOptions::new()
                .create(true)
                .truncate(false)
                .write(true)
                .open(&path)
                .and_then(|f| f.lock().map(|()| f))
                .map_err(|source| Error::Lock {
                    path: path.display().to_string(),
                    source,
                })?;
            Ok(Self(file))
        })
        .await
        .map_err(|e| Error::Lock {
            path: "the migration lock".into(),
            source: std::io::Error::other(e),
        })?
    }
}

impl Drop for MigrationLock {
    fn drop(&mut self) {
        let _ = self.0.unlock();
    }
}

/// PostgreSQL error classes and codes that mean "not now", not "never": connection
/// exceptions, the server shutting down or starting, too many connections, and a
/// transaction aborted by a conflict.
fn transient_sqlstate(code: &str) -> bool {
    code.starts_with("08")
        || matches!(
            code,
            "57P01" | "57P02" | "57P03" | "53300" | "40001" | "40P01"
        )
}

impl Error {
    /// Whether waiting and trying again may succeed: the database refused or dropped the
    /// connection, is starting or restarting, timed out, or was busy. A bad URL, a missing
    /// database, a failed migration or data that does not parse are not transient.
    pub fn is_transient(&self) -> bool {
        match self {
            Error::Open { source, .. } => source.is_transient(),
            Error::Sqlx(e) => sqlx_transient(e),
            Error::Migrate(sqlx::migrate::MigrateError::Execute(e))
            | Error::Migrate(sqlx::migrate::MigrateError::ExecuteMigration(e, _)) => {
                sqlx_transient(e)
            }
            Error::Lock { source, .. } => source.kind() == std::io::ErrorKind::Interrupted,
            Error::Url(_)
            | Error::Migrate(_)
            | Error::Json(_)
            | Error::Amount(_)
            | Error::Range(_) => false,
        }
    }
}

fn sqlx_transient(e: &sqlx::Error) -> bool {
    match e {
        sqlx::Error::Io(_) | sqlx::Error::PoolTimedOut | sqlx::Error::PoolClosed => true,
        sqlx::Error::Tls(_) | sqlx::Error::Protocol(_) | sqlx::Error::WorkerCrashed => true,
        sqlx::Error::Database(db) => match db.code() {
            Some(code)
                if db
                    .try_downcast_ref::<sqlx::postgres::PgDatabaseError>()
                    .is_some() =>
            {
                transient_sqlstate(&code)
            }
            // SQLITE_BUSY (5) and SQLITE_LOCKED (6), with their extended codes
            Some(code) => code.parse::<i32>().is_ok_and(|c| matches!(c & 0xff, 5 | 6)),
            None => false,
        },
        _ => false,
    }
}

/// The one-line chain of an error and its causes, `a: b: c`, skipping empty messages and a
/// cause that repeats the message before it (transparent wrappers).
pub fn causes(err: &(dyn std::error::Error + 'static)) -> String {
    let mut parts: Vec<String> = Vec::new();
    let mut next = Some(err);
    while let Some(e) = next {
        let text = e.to_string();
        let text = text.trim();
        if !text.is_empty() && parts.last().is_none_or(|last| !last.ends_with(text)) {
            parts.push(text.to_owned());
        }
        next = e.source();
    }
    if parts.is_empty() {
        "an error without a message".to_owned()
    } else {
        parts.join(": ")
    }
}

/// What a test that needs PostgreSQL does when none answers at `admin`: under `CI=true`
/// (or `CI=1`) it fails, naming the server and why (a CI run without its database must
/// not pass by skipping); elsewhere it says on stderr that `what` was skipped and why.
///
/// # Panics
/// Under `CI=true`, always.
pub fn no_postgres(what: &str, admin: &str, why: &dyn std::fmt::Display) {
    let ci = std::env::var("CI").is_ok_and(|v| v == "true" || v == "1");
    if ci {
        panic!("{what} needs PostgreSQL, and none answers at {admin} ({why}); CI=true, so this fails instead of skipping");
    }
    eprintln!("skipped {what}: no PostgreSQL at {admin} ({why}); scripts/setup.sh starts one");
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn describe_never_shows_credentials() {
        assert_eq!(
            describe("postgres://u:secret@db.internal:5432/atelier?sslmode=require"),
            "PostgreSQL at db.internal:5432/atelier"
        );
        assert_eq!(
            describe("postgresql:///atelier"),
            "PostgreSQL at localhost/atelier"
        );
        assert_eq!(describe("sqlite://atelier.db"), "SQLite at atelier.db");
        assert_eq!(describe("sqlite::memory:"), "SQLite in memory");
        assert_eq!(describe("mysql://x"), "an unsupported database URL");
    }

    #[test]
    fn sqlstates_that_are_worth_waiting_for() {
        for code in ["08006", "08001", "57P01", "57P03", "53300", "40P01"] {
            assert!(transient_sqlstate(code), "{code}");
        }
        for code in ["3D000", "28P01", "42P01", "23505"] {
            assert!(!transient_sqlstate(code), "{code}");
        }
    }

    #[test]
    fn a_bad_url_is_not_transient_and_io_is() {
        assert!(!Error::Url("mysql://x".into()).is_transient());
        let refused = std::io::Error::from(std::io::ErrorKind::ConnectionRefused);
        assert!(Error::Sqlx(sqlx::Error::Io(refused)).is_transient());
        assert!(Error::Sqlx(sqlx::Error::PoolTimedOut).is_transient());
        assert!(!Error::Sqlx(sqlx::Error::RowNotFound).is_transient());
    }

    #[derive(Debug)]
    struct E(&'static str, Option<Box<E>>);
    impl std::fmt::Display for E {
        fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
            f.write_str(self.0)
        }
    }
    impl std::error::Error for E {
        fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
            self.1.as_deref().map(|e| e as _)
        }
    }

    #[test]
    fn causes_skip_empty_and_repeated_messages() {
        let e = E(
            "cannot open SQLite at a.db",
            Some(Box::new(E(
                "",
                Some(Box::new(E(
                    "database is locked",
                    Some(Box::new(E("database is locked", None))),
                ))),
            ))),
        );
        assert_eq!(causes(&e), "cannot open SQLite at a.db: database is locked");
        assert_eq!(causes(&E("", None)), "an error without a message");
    }
}
