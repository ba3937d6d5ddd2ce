//! Tutti's domain rules: pure functions and types with no IO, no async and no SQL.
