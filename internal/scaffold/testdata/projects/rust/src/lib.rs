//! A sample project for releaser init.

pub fn hello() -> &'static str {
    "hello"
}
