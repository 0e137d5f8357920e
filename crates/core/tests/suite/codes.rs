//! The code registry is complete: every diagnostic code the core's source names (as a
//! `codes::NAME` constant, or a literal in a test) is in `codes::ALL`, and every code
//! there is still used somewhere.

use backfill_core::codes;
use std::collections::BTreeSet;
use std::path::Path;

fn source_codes(dir: &Path, found: &mut BTreeSet<String>) {
    for entry in std::fs::read_dir(dir).unwrap_or_else(|e| panic!("{}: {e}", dir.display())) {
        let path = entry.map(|e| e.path()).unwrap_or_default();
        if path.is_dir() {
            source_codes(&path, found);
        } else if path.extension().is_some_and(|e| e == "rs") && !path.ends_with("codes.rs") {
            let text = std::fs::read_to_string(&path).unwrap_or_default();
            for piece in text.split("codes::").skip(1) {
                let name: String = piece
                    .chars()
                    .take_while(|c| c.is_ascii_uppercase() || c.is_ascii_digit() || *c == '_')
                    .collect();
                if let Some(c) = codes::ALL.iter().find(|c| c.name == name) {
                    found.insert(c.code.to_owned());
                } else if !name.is_empty() && name != "ALL" {
                    found.insert(format!("unknown constant codes::{name}"));
                }
            }
            let bytes = text.as_bytes();
            for i in 0..bytes.len().saturating_sub(6) {
                let w = &bytes[i..i + 7];
                if w[0] == b'"'
                    && matches!(w[1], b'E' | b'W' | b'N')
                    && w[2..6].iter().all(u8::is_ascii_digit)
                    && w[6] == b'"'
                {
                    found.insert(String::from_utf8_lossy(&w[1..6]).into_owned());
                }
            }
        }
    }
}

#[test]
fn every_code_in_the_source_is_registered_and_every_registered_code_is_used() {
    let mut found = BTreeSet::new();
    source_codes(
        &Path::new(env!("CARGO_MANIFEST_DIR")).join("src"),
        &mut found,
    );
    let registered: BTreeSet<String> = codes::ALL.iter().map(|c| c.code.to_owned()).collect();
    let missing: Vec<&String> = found.difference(&registered).collect();
    let unused: Vec<&String> = registered.difference(&found).collect();
    assert!(
        missing.is_empty(),
        "emitted but not in codes.rs: {missing:?}"
    );
    assert!(
        unused.is_empty(),
        "in codes.rs but never emitted: {unused:?}"
    );
    assert!(found.len() > 100, "only {} codes found", found.len());
}
