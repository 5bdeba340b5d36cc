//! A sample project for releaser init (the Rust half of a maturin project).

pub fn hello() -> &'static str {
    "hello"
}
