//! Benchmarks of the planning core (filled in with the expansion).
use criterion::{criterion_group, criterion_main, Criterion};

fn civil_arithmetic(c: &mut Criterion) {
    c.bench_function("civil date of 1M days", |b| {
        b.iter(|| {
            let mut acc = 0i64;
            for d in 0..1_000_000i64 {
                acc += i64::from(backfill_core::Civil::from_days(d).date().2);
            }
            acc
        });
    });
}

criterion_group!(benches, civil_arithmetic);
criterion_main!(benches);
