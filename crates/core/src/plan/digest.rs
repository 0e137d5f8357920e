//! The plan digest: SHA-256 over the canonical run list.

use super::{Plan, Run};
use serde_json::{Map, Value as Json};
use sha2::{Digest, Sha256};

/// The plan digest, fed one run at a time (so a caller that builds the runs anyway,
/// like the server storing them, digests them in the same pass): SHA-256 over one
/// line per run in launch order, `index TAB logical_date TAB partition_key TAB params
/// LF`, with the params' keys sorted.
#[derive(Debug, Clone, Default)]
pub struct RunDigest {
    hasher: Sha256,
    line: String,
}

impl RunDigest {
    /// Add the next run (in launch order).
    pub fn add(&mut self, run: &Run) {
        use std::fmt::Write as _;
        let line = &mut self.line;
        line.clear();
        let _ = write!(line, "{}\t{}\t", run.index, run.logical_date);
        line.push_str(run.partition_key.as_deref().unwrap_or(""));
        line.push('\t');
        // Keys sorted, so the digest does not depend on the order params were written.
        let mut params: Vec<(&String, &Json)> = run.params.iter().collect();
        params.sort_by(|a, b| a.0.cmp(b.0));
        let canonical: Map<String, Json> = params
            .into_iter()
            .map(|(k, v)| (k.clone(), v.clone()))
            .collect();
        line.push_str(&serde_json::to_string(&canonical).unwrap_or_default());
        line.push('\n');
        self.hasher.update(line.as_bytes());
    }

    /// The digest, lower-case hex.
    #[must_use]
    pub fn finish(self) -> String {
        self.hasher
            .finalize()
            .iter()
            .map(|b| format!("{b:02x}"))
            .collect()
    }
}

impl Plan {
    /// SHA-256 (hex) over the canonical run list: one line per run in launch order,
    /// `index TAB logical_date TAB partition_key TAB params-json LF`.
    #[must_use]
    pub fn digest(&self) -> String {
        let mut digest = RunDigest::default();
        for run in self.runs(0, self.run_count()) {
            digest.add(&run);
        }
        digest.finish()
    }
}
