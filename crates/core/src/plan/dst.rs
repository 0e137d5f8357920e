//! One warning per DST transition that touched runs, in the engine's words.

use super::Plan;
use crate::diag::codes;
use crate::diag::{Diagnostic, Span};
use crate::time::Civil;

impl Plan {
    /// One warning per DST transition that touched runs.
    pub(super) fn dst_warnings(&self, at: Option<Span>, diags: &mut Vec<Diagnostic>) {
        let engine = self.profile.engine();
        let zone = self.zone.name();
        for e in self.series.events() {
            let gap = e.after > e.before;
            let fires: Vec<String> = e
                .civil_fires
                .iter()
                .take(3)
                .map(|c| c.to_string())
                .collect();
            let fires = fires.join("`, `");
            let runs: Vec<u64> = e
                .ticks
                .iter()
                .copied()
                .filter(|i| *i < self.count)
                .take(20)
                .collect();
            let (code, message) = match (gap, e.ticks.is_empty()) {
                (true, true) => (codes::DST_SKIPPED, format!("{engine} skips `{fires}`: that time does not exist in {zone} (clocks spring forward)")),
                (true, false) => {
                    // Where the engine's arithmetic put the first run out of the gap (the
                    // gap's end for most engines, a gap's length later for airflow).
                    let gap_end = Civil::from_secs(e.at + i64::from(e.after));
                    let moved = e.ticks.first().and_then(|i| self.series.get(*i)).map_or(gap_end, |t| t.civil());
                    let place = if moved == gap_end { "at the end of the gap" } else { "after the gap" };
                    (codes::DST_SHIFTED, format!("`{fires}` does not exist in {zone}: {engine} runs it {place}, `{moved}`"))
                }
                (false, _) if e.ticks.len() > e.civil_fires.len() => (codes::DST_TWICE, format!("`{fires}` happens twice in {zone} (clocks fall back): {engine} runs it twice")),
                (false, _) => {
                    let second = e.ticks.first().and_then(|i| self.series.get(*i)).is_some_and(|t| t.second_occurrence);
                    let (which, offset) = if second { ("second", e.after) } else { ("first", e.before) };
                    let sign = if offset < 0 { '-' } else { '+' };
                    let a = offset.unsigned_abs();
                    (codes::DST_ONCE, format!("`{fires}` happens twice in {zone} (clocks fall back): {engine} runs it once, at its {which} occurrence ({sign}{:02}:{:02})", a / 3600, a / 60 % 60))
                }
            };
            let help = self.profile.dst_help();
            let mut d = Diagnostic::warning(code, message).runs(runs).at_opt(at);
            if !help.is_empty() {
                d = d.help(help);
            }
            diags.push(d);
        }
    }
}
