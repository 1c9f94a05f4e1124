//! Logging: one line per event, `key=value` fields, level from `RUST_LOG`
//! (default `info`).

use std::io::Write;

pub fn init() {
    let env = env_logger::Env::default().default_filter_or("info");
    let _ = env_logger::Builder::from_env(env)
        .format(|buf, record| {
            writeln!(
                buf,
                "ts={} level={} target={} {}",
                buf.timestamp_millis(),
                record.level(),
                record.target(),
                record.args()
            )
        })
        .try_init();
}
