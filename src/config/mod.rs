//! Typed configuration: every setting is a CLI flag with a `MICROCHAT_*`
//! environment twin, validated once at start-up.
//!
//! [`Cli`] is the command line (subcommands and [`Settings`]); the flags'
//! typed values live in `values`, where uploads go in `storage`, and the
//! checks flags alone cannot make in `validate`.

mod commands;
mod settings;
mod storage;
#[cfg(test)]
mod tests;
mod validate;
mod values;

pub use commands::{Cli, Command, UserCommand};
pub use settings::Settings;
pub use storage::FileStorage;
pub use values::{AddPolicy, JwtAlgorithm, Registration, Secret, Switch};
