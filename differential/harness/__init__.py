"""The differential harness: each engine's own code against `backfill plan`."""
