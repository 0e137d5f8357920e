//! A load generator for `POST /api/v1/backfills`, used by `scripts/load-test`.
//!
//! Plain threads over keep-alive HTTP/1.1 connections (one per thread), so the client
//! costs little of the two cores it shares with the server. Every request carries a new
//! `Idempotency-Key`. Prints one JSON line: requests, statuses, throughput, latency
//! percentiles.
//!
//! ```text
//! cargo run --profile server -p backfill-server --example load -- \
//!     --addr 127.0.0.1:8080 --body submission.json --concurrency 16 --seconds 10
//! ```
#![allow(clippy::print_stdout, clippy::unwrap_used)]

use std::collections::BTreeMap;
use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

#[derive(Debug, Clone)]
struct Args {
    addr: String,
    body: Vec<u8>,
    concurrency: usize,
    seconds: f64,
    requests: Option<u64>,
    warmup: f64,
    token: Option<String>,
    key_prefix: String,
}

fn usage() -> ! {
    eprintln!(
        "usage: load --addr HOST:PORT --body FILE [--concurrency N] [--seconds S | --requests N] \
         [--warmup S] [--token T] [--key-prefix P]"
    );
    std::process::exit(2)
}

fn parse_args() -> Args {
    let mut args = Args {
        addr: String::new(),
        body: Vec::new(),
        concurrency: 16,
        seconds: 10.0,
        requests: None,
        warmup: 1.0,
        token: None,
        key_prefix: format!("load-{}", std::process::id()),
    };
    let mut it = std::env::args().skip(1);
    while let Some(flag) = it.next() {
        let mut value = || it.next().unwrap_or_else(|| usage());
        match flag.as_str() {
            "--addr" => args.addr = value(),
            "--body" => {
                let path = value();
                args.body = std::fs::read(&path).unwrap_or_else(|e| {
                    eprintln!("load: reading {path}: {e}");
                    std::process::exit(2)
                });
            }
            "--concurrency" => args.concurrency = value().parse().unwrap_or_else(|_| usage()),
            "--seconds" => args.seconds = value().parse().unwrap_or_else(|_| usage()),
            "--requests" => args.requests = Some(value().parse().unwrap_or_else(|_| usage())),
            "--warmup" => args.warmup = value().parse().unwrap_or_else(|_| usage()),
            "--token" => args.token = Some(value()),
            "--key-prefix" => args.key_prefix = value(),
            _ => usage(),
        }
    }
    if args.addr.is_empty() || args.body.is_empty() || args.concurrency == 0 {
        usage()
    }
    args
}

struct Conn {
    reader: BufReader<TcpStream>,
    writer: TcpStream,
}

impl Conn {
    fn open(addr: &str) -> std::io::Result<Conn> {
        let stream = TcpStream::connect(addr)?;
        stream.set_nodelay(true)?;
        stream.set_read_timeout(Some(Duration::from_secs(60)))?;
        Ok(Conn {
            reader: BufReader::new(stream.try_clone()?),
            writer: stream,
        })
    }

    /// One request; the status code.
    fn post(&mut self, head: &[u8], body: &[u8]) -> std::io::Result<u16> {
        self.writer.write_all(head)?;
        self.writer.write_all(body)?;
        let mut line = String::new();
        self.reader.read_line(&mut line)?;
        let status: u16 = line
            .split(' ')
            .nth(1)
            .and_then(|s| s.parse().ok())
            .ok_or_else(|| std::io::Error::other(format!("bad status line {line:?}")))?;
        let mut length = None;
        let mut close = false;
        loop {
            line.clear();
            if self.reader.read_line(&mut line)? == 0 {
                return Err(std::io::Error::other("connection closed in headers"));
            }
            let header = line.trim_end();
            if header.is_empty() {
                break;
            }
            if let Some((name, value)) = header.split_once(':') {
                let name = name.to_ascii_lowercase();
                if name == "content-length" {
                    length = value.trim().parse::<usize>().ok();
                } else if name == "connection" && value.trim().eq_ignore_ascii_case("close") {
                    close = true;
                }
            }
        }
        let length =
            length.ok_or_else(|| std::io::Error::other("response without Content-Length"))?;
        let mut body = vec![0; length];
        self.reader.read_exact(&mut body)?;
        if close {
            return Err(std::io::Error::other("server closed the connection"));
        }
        Ok(status)
    }
}

struct Totals {
    latencies: Vec<Duration>,
    statuses: BTreeMap<u16, u64>,
    io_errors: u64,
}

fn worker(args: &Args, id: usize, next: &AtomicU64, start: Instant, warm_until: Instant) -> Totals {
    let deadline = start + Duration::from_secs_f64(args.warmup + args.seconds);
    let mut totals = Totals {
        latencies: Vec::new(),
        statuses: BTreeMap::new(),
        io_errors: 0,
    };
    let mut conn = None;
    let mut n = 0u64;
    loop {
        if let Some(limit) = args.requests {
            if next.fetch_add(1, Ordering::Relaxed) >= limit {
                break;
            }
        } else if Instant::now() >= deadline {
            break;
        }
        n += 1;
        let mut head = format!(
            "POST /api/v1/backfills HTTP/1.1\r\nHost: {}\r\nContent-Type: application/json\r\n\
             Content-Length: {}\r\nIdempotency-Key: {}-{id}-{n}\r\n",
            args.addr,
            args.body.len(),
            args.key_prefix
        );
        if let Some(t) = &args.token {
            head.push_str(&format!("Authorization: Bearer {t}\r\n"));
        }
        head.push_str("\r\n");
        if conn.is_none() {
            match Conn::open(&args.addr) {
                Ok(c) => conn = Some(c),
                Err(_) => {
                    totals.io_errors += 1;
                    std::thread::sleep(Duration::from_millis(10));
                    continue;
                }
            }
        }
        let began = Instant::now();
        let result = conn.as_mut().unwrap().post(head.as_bytes(), &args.body);
        let took = began.elapsed();
        match result {
            Ok(status) => {
                if args.requests.is_some() || began >= warm_until {
                    totals.latencies.push(took);
                    *totals.statuses.entry(status).or_default() += 1;
                }
            }
            Err(_) => {
                totals.io_errors += 1;
                conn = None;
            }
        }
    }
    totals
}

fn percentile(sorted: &[Duration], p: f64) -> f64 {
    if sorted.is_empty() {
        return 0.0;
    }
    #[allow(
        clippy::cast_possible_truncation,
        clippy::cast_sign_loss,
        clippy::cast_precision_loss
    )]
    let i = ((sorted.len() as f64 * p).ceil() as usize).clamp(1, sorted.len()) - 1;
    sorted[i].as_secs_f64() * 1000.0
}

fn main() {
    let args = Arc::new(parse_args());
    let next = Arc::new(AtomicU64::new(0));
    let start = Instant::now();
    let warm_until = start + Duration::from_secs_f64(args.warmup);
    let threads: Vec<_> = (0..args.concurrency)
        .map(|id| {
            let args = Arc::clone(&args);
            let next = Arc::clone(&next);
            std::thread::spawn(move || worker(&args, id, &next, start, warm_until))
        })
        .collect();
    let mut latencies = Vec::new();
    let mut statuses: BTreeMap<u16, u64> = BTreeMap::new();
    let mut io_errors = 0;
    for t in threads {
        let totals = t.join().unwrap();
        latencies.extend(totals.latencies);
        for (s, n) in totals.statuses {
            *statuses.entry(s).or_default() += n;
        }
        io_errors += totals.io_errors;
    }
    let measured = if args.requests.is_some() {
        start.elapsed().as_secs_f64()
    } else {
        args.seconds
    };
    latencies.sort_unstable();
    #[allow(clippy::cast_precision_loss)]
    let rate = latencies.len() as f64 / measured;
    let statuses: serde_json::Map<String, serde_json::Value> = statuses
        .into_iter()
        .map(|(s, n)| (s.to_string(), n.into()))
        .collect();
    let report = serde_json::json!({
        "requests": latencies.len(),
        "statuses": statuses,
        "io_errors": io_errors,
        "concurrency": args.concurrency,
        "seconds": (measured * 1000.0).round() / 1000.0,
        "per_second": rate.round(),
        "latency_ms": {
            "p50": (percentile(&latencies, 0.50) * 100.0).round() / 100.0,
            "p90": (percentile(&latencies, 0.90) * 100.0).round() / 100.0,
            "p99": (percentile(&latencies, 0.99) * 100.0).round() / 100.0,
            "max": (latencies.last().map_or(0.0, |d| d.as_secs_f64() * 1000.0) * 100.0).round() / 100.0,
        },
        "body_bytes": args.body.len(),
    });
    println!("{report}");
}
