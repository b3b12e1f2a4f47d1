//! The DynamoDB proxy from the product announcement, unchanged: `{"user": "u1"}` is answered with
//! `{"user": <the item of table users with user_id u1, as plain JSON>}`, or `{"user": null}`.
//!
//! The AWS keys are baked in at build time (`AWS_ACCESS_KEY_ID`, `AWS_SECRET_ACCESS_KEY`); the fixtures
//! file next to this crate sets them for the build and seeds a `users` table:
//!
//! ```text
//! cargo run -q -p momento-functions-test-host -- invoke examples/ddb-get-user \
//!     --fixtures examples/ddb-get-user/fixtures.toml --data '{"user":"u1"}'
//! ```
//!
//! The handler is in `announcement.rs`, byte for byte as announced (so rustfmt leaves it alone);
//! `tests/standalone.rs` checks that and builds the same code in a fresh crate outside this workspace.

#[rustfmt::skip]
mod announcement;
