//! `backfill`: serve the web app and its API, or plan and validate on the command line.

use backfill_server::cli::{self, Format};
use backfill_server::{app, AppState, Config, Db};
use clap::{Parser, Subcommand};
use std::io::{Read, Write};
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
    /// Expand a spec into its plan: every run, batch and surprise.
    Plan {
        #[command(flatten)]
        input: InputArgs,
        /// Output format.
        #[arg(long, value_enum, default_value = "table")]
        format: Format,
    },
    /// Check a spec: print its diagnostics, exit 1 on any error.
    Validate {
        #[command(flatten)]
        input: InputArgs,
    },
    /// Print the plan as an engine's own payload, CSV or the plan JSON.
    Export {
        #[command(flatten)]
        input: InputArgs,
        /// plan, csv, kestra, dagster, mage, polyaxon or flyte.
        #[arg(long, value_parser = parse_target)]
        to: backfill_core::ExportTarget,
    },
}

#[derive(Debug, clap::Args)]
struct InputArgs {
    /// The file to read, or `-` for standard input.
    file: String,
    /// Plan for this engine whatever the input says.
    #[arg(long, value_parser = parse_engine)]
    engine: Option<backfill_core::Engine>,
    /// What "now" means for windows with no end (RFC 3339; default: the clock).
    #[arg(long)]
    now: Option<backfill_core::Now>,
    /// The most runs a plan may have.
    #[arg(long, default_value_t = backfill_core::DEFAULT_LIMIT)]
    limit: u64,
    /// Read the input as this dialect instead of detecting it
    /// (spec, polyaxon, kestra, kestra-trigger, mage, mage-runs, airflow-dag).
    #[arg(long, value_parser = parse_dialect)]
    dialect: Option<backfill_core::Dialect>,
    /// The backfill's start, overriding the pasted one (Kestra and Mage input).
    #[arg(long)]
    start: Option<String>,
    /// The backfill's end, overriding the pasted one.
    #[arg(long)]
    end: Option<String>,
    /// Which Schedule trigger of a Kestra flow to backfill.
    #[arg(long)]
    trigger: Option<String>,
    /// Launch order over the input's: oldest_first or newest_first (Airflow's
    /// run_backwards).
    #[arg(long)]
    order: Option<backfill_core::Order>,
}

fn parse_target(s: &str) -> Result<backfill_core::ExportTarget, String> {
    backfill_core::ExportTarget::parse(s).ok_or_else(|| {
        let names: Vec<&str> = backfill_core::ExportTarget::all()
            .iter()
            .map(|t| t.name())
            .collect();
        format!(
            "unknown export target `{s}`; expected one of {}",
            names.join(", ")
        )
    })
}

fn parse_dialect(s: &str) -> Result<backfill_core::Dialect, String> {
    s.parse()
        .map_err(|e: backfill_core::UnknownDialect| e.to_string())
}

fn parse_engine(s: &str) -> Result<backfill_core::Engine, String> {
    s.parse()
        .map_err(|e: backfill_core::UnknownEngine| e.to_string())
}

fn read_input(input: &InputArgs) -> Result<(String, cli::Options), String> {
    let text = if input.file == "-" {
        let mut s = String::new();
        std::io::stdin()
            .read_to_string(&mut s)
            .map_err(|e| format!("reading standard input: {e}"))?;
        s
    } else {
        std::fs::read_to_string(&input.file).map_err(|e| format!("reading {}: {e}", input.file))?
    };
    // The core never reads the clock; the command line does.
    let now = input
        .now
        .clone()
        .or_else(|| Some(backfill_server::clock_now()));
    Ok((
        text,
        cli::Options {
            engine: input.engine,
            now,
            limit: input.limit,
            dialect: input.dialect,
            start: input.start.clone(),
            end: input.end.clone(),
            trigger: input.trigger.clone(),
            order: input.order,
        },
    ))
}

fn emit(out: &cli::Output) -> ExitCode {
    let _ = std::io::stdout().write_all(out.stdout.as_bytes());
    let _ = std::io::stderr().write_all(out.stderr.as_bytes());
    ExitCode::from(out.code)
}

fn file_label(input: &InputArgs) -> &str {
    if input.file == "-" {
        "<stdin>"
    } else {
        &input.file
    }
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
    /// Bearer token required on every write and on reads of backfills (none: open).
    #[arg(long, env = "BACKFILL_TOKEN", hide_env_values = true)]
    token: Option<String>,
    /// Read the bearer token from this file's first line instead (it then shows in
    /// neither `ps` nor the environment).
    #[arg(long, env = "BACKFILL_TOKEN_FILE", conflicts_with = "token")]
    token_file: Option<PathBuf>,
    /// Largest request body accepted, in bytes (larger: 413).
    #[arg(long, env = "BACKFILL_BODY_LIMIT", default_value_t = backfill_server::DEFAULT_BODY_LIMIT)]
    body_limit: usize,
    /// Origin allowed to call the API from a browser (CORS), as scheme://host[:port];
    /// repeat the flag or separate with commas. None: same origin only.
    #[arg(
        long = "cors-origin",
        env = "BACKFILL_CORS_ORIGINS",
        value_delimiter = ','
    )]
    cors_origins: Vec<String>,
    /// The most runs a submitted plan may have (more: 422 with the count).
    #[arg(long, env = "BACKFILL_MAX_RUNS", default_value_t = backfill_core::DEFAULT_LIMIT)]
    max_runs: u64,
    /// A host name this server answers for besides 127.0.0.1, localhost and [::1] (any
    /// other `Host` gets 421, against DNS rebinding); repeat or separate with commas.
    #[arg(
        long = "public-host",
        env = "BACKFILL_PUBLIC_HOSTS",
        value_delimiter = ','
    )]
    public_hosts: Vec<String>,
    /// How long an `Idempotency-Key` is answered with its first backfill, in seconds
    /// (after it, the key may be used for a new one).
    #[arg(long, env = "BACKFILL_IDEMPOTENCY_TTL", default_value_t = backfill_server::DEFAULT_IDEMPOTENCY_TTL_SECS)]
    idempotency_ttl: u64,
    /// The most runs the database holds in all (more: a submission gets 507); none:
    /// unbounded.
    #[arg(long, env = "BACKFILL_MAX_STORED_RUNS")]
    max_stored_runs: Option<u64>,
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    match cli.command {
        Command::Serve(args) => serve(args),
        Command::Plan { input, format } => match read_input(&input) {
            Ok((text, options)) => {
                emit(&cli::run_plan(file_label(&input), &text, &options, format))
            }
            Err(e) => {
                eprintln!("backfill: {e}");
                ExitCode::from(2)
            }
        },
        Command::Export { input, to } => match read_input(&input) {
            Ok((text, options)) => emit(&cli::run_export(file_label(&input), &text, &options, to)),
            Err(e) => {
                eprintln!("backfill: {e}");
                ExitCode::from(2)
            }
        },
        Command::Validate { input } => match read_input(&input) {
            Ok((text, options)) => emit(&cli::run_validate(file_label(&input), &text, &options)),
            Err(e) => {
                eprintln!("backfill: {e}");
                ExitCode::from(2)
            }
        },
    }
}

fn serve(args: ServeArgs) -> ExitCode {
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env().unwrap_or_else(|_| "info".into()),
        )
        .with_target(false)
        .with_ansi(std::io::IsTerminal::is_terminal(&std::io::stdout()))
        .init();
    let cors_origins = match args
        .cors_origins
        .iter()
        .filter(|o| !o.trim().is_empty())
        .map(|o| backfill_server::parse_origin(o))
        .collect::<Result<Vec<_>, _>>()
    {
        Ok(origins) => origins,
        Err(e) => {
            eprintln!("backfill: {e}");
            return ExitCode::from(2);
        }
    };
    let token = match &args.token_file {
        Some(path) => match backfill_server::read_token_file(path) {
            Ok(t) => Some(t),
            Err(e) => {
                eprintln!("backfill: {e}");
                return ExitCode::from(2);
            }
        },
        None => args.token.clone().filter(|t| !t.is_empty()),
    };
    let db = match Db::open(&args.db) {
        Ok(db) => db,
        Err(e) => {
            eprintln!("backfill: cannot open {}: {e}", args.db.display());
            return ExitCode::FAILURE;
        }
    };
    let mut config = Config::new(args.dist.clone());
    config.hosts.extend(
        args.public_hosts
            .iter()
            .map(|h| h.trim().to_ascii_lowercase())
            .filter(|h| !h.is_empty()),
    );
    let state = AppState {
        db,
        config: Config {
            hosts: config.hosts,
            idempotency_ttl_secs: args.idempotency_ttl,
            max_stored_runs: args.max_stored_runs,
            token,
            body_limit: args.body_limit,
            cors_origins,
            max_runs: args.max_runs,
            ..Config::new(args.dist)
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
