//! `backfill`: serve the web app and its API, or plan and validate on the command line.

use backfill_server::{app, AppState, Config, Db};
use clap::{Parser, Subcommand};
use std::net::SocketAddr;
use std::path::PathBuf;
use std::process::ExitCode;

#[derive(Debug, Parser)]
#[command(
    name = "backfill",
    version,
    about = "Preview, check and keep orchestrator backfills."
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Serve the web app (from `dist/`) and the JSON API over SQLite.
    Serve(ServeArgs),
}

#[derive(Debug, clap::Args)]
struct ServeArgs {
    /// Address to listen on.
    #[arg(long, env = "BACKFILL_ADDR", default_value = "127.0.0.1:8080")]
    addr: SocketAddr,
    /// SQLite file; created on first start.
    #[arg(long, env = "BACKFILL_DB", default_value = "backfill.db")]
    db: PathBuf,
    /// The release build of the web app.
    #[arg(long, env = "BACKFILL_DIST", default_value = "dist")]
    dist: PathBuf,
    /// Bearer token required on every write (none: writes are open).
    #[arg(long, env = "BACKFILL_TOKEN", hide_env_values = true)]
    token: Option<String>,
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    match cli.command {
        Command::Serve(args) => serve(args),
    }
}

fn serve(args: ServeArgs) -> ExitCode {
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env().unwrap_or_else(|_| "info".into()),
        )
        .with_target(false)
        .init();
    let db = match Db::open(&args.db) {
        Ok(db) => db,
        Err(e) => {
            eprintln!("backfill: cannot open {}: {e}", args.db.display());
            return ExitCode::FAILURE;
        }
    };
    let state = AppState {
        db,
        config: Config {
            dist: args.dist,
            token: args.token.filter(|t| !t.is_empty()),
        },
    };
    let runtime = match tokio::runtime::Runtime::new() {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("backfill: cannot start the runtime: {e}");
            return ExitCode::FAILURE;
        }
    };
    runtime.block_on(async move {
        let listener = match tokio::net::TcpListener::bind(args.addr).await {
            Ok(l) => l,
            Err(e) => {
                eprintln!("backfill: cannot listen on {}: {e}", args.addr);
                return ExitCode::FAILURE;
            }
        };
        let local = listener.local_addr().map_or(args.addr, |a| a);
        tracing::info!(addr = %local, "backfill serving; open http://{local}/");
        let served = axum::serve(listener, app(state))
            .with_graceful_shutdown(shutdown_signal())
            .await;
        match served {
            Ok(()) => {
                tracing::info!("stopped");
                ExitCode::SUCCESS
            }
            Err(e) => {
                eprintln!("backfill: server error: {e}");
                ExitCode::FAILURE
            }
        }
    })
}

/// Resolves on SIGINT or SIGTERM; axum then finishes the requests in flight.
async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let term = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let term = std::future::pending::<()>();
    tokio::select! {
        () = ctrl_c => {},
        () = term => {},
    }
    tracing::info!("shutting down: finishing requests in flight");
}
