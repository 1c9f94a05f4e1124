//! Users (with access tokens) made on a microchat server, kept in a JSON-lines
//! file so later runs against the same database skip registration.

use std::fs::OpenOptions;
use std::io::Write;
use std::path::Path;

use serde::{Deserialize, Serialize};

use crate::target::User;

#[derive(Serialize, Deserialize)]
struct Line {
    base: String,
    #[serde(flatten)]
    user: User,
}

/// The users recorded for `base`; none when the file does not exist yet.
pub fn load(path: &Path, base: &str) -> Result<Vec<User>, String> {
    let text = match std::fs::read_to_string(path) {
        Ok(t) => t,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Vec::new()),
        Err(e) => return Err(format!("{}: {e}", path.display())),
    };
    text.lines()
        .filter(|l| !l.trim().is_empty())
        .map(|l| serde_json::from_str::<Line>(l).map_err(|e| format!("{}: {e}", path.display())))
        .filter(|l| l.as_ref().map_or(true, |l| l.base == base))
        .map(|l| l.map(|l| l.user))
        .collect()
}

pub fn append(path: &Path, base: &str, users: &[User]) -> Result<(), String> {
    let mut file = OpenOptions::new()
        .create(true)
        .append(true)
        .open(path)
        .map_err(|e| format!("{}: {e}", path.display()))?;
    let mut out = String::new();
    for user in users {
        let line = Line {
            base: base.to_string(),
            user: user.clone(),
        };
        out.push_str(&serde_json::to_string(&line).map_err(|e| e.to_string())?);
        out.push('\n');
    }
    file.write_all(out.as_bytes())
        .map_err(|e| format!("{}: {e}", path.display()))
}
