//! The servers a scenario runs against: microchat at `--url`, or a bare
//! server (one given by `--bare-url`, or a child process started here).

use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};

use crate::target::{check_local, Target};
use crate::{Common, Which};

/// A bare server this process started; killed when dropped.
struct BareChild(Child);

impl Drop for BareChild {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

pub struct Server {
    pub target: Target,
    pub pid: Option<u32>,
    _child: Option<BareChild>,
}

fn start_bare(workers: Option<usize>) -> Result<Server, String> {
    let exe = std::env::current_exe().map_err(|e| e.to_string())?;
    let mut cmd = Command::new(exe);
    cmd.args(["bare-server", "--bind", "127.0.0.1:0"]);
    if let Some(w) = workers {
        cmd.args(["--workers", &w.to_string()]);
    }
    let mut child = cmd
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .map_err(|e| format!("starting the bare server: {e}"))?;
    let mut line = String::new();
    let stdout = child.stdout.take().ok_or("no stdout")?;
    BufReader::new(stdout)
        .read_line(&mut line)
        .map_err(|e| e.to_string())?;
    let addr = line
        .trim()
        .strip_prefix("listening on ")
        .ok_or_else(|| format!("bare server said {line:?}"))?;
    Ok(Server {
        target: Target::Bare {
            base: format!("http://{addr}"),
        },
        pid: Some(child.id()),
        _child: Some(BareChild(child)),
    })
}

pub fn open(c: &Common, which: Which) -> Result<Server, String> {
    match (which, &c.bare_url) {
        (Which::Bare, Some(url)) => {
            check_local(url)?;
            Ok(Server {
                target: Target::Bare { base: url.clone() },
                pid: None,
                _child: None,
            })
        }
        (Which::Bare, None) => start_bare(c.bare_workers),
        _ => {
            check_local(&c.url)?;
            for url in &c.ws_urls {
                check_local(url)?;
            }
            Ok(Server {
                target: Target::Microchat {
                    base: c.url.trim_end_matches('/').to_string(),
                    users_file: c.users_file.clone(),
                    ws_bases: c
                        .ws_urls
                        .iter()
                        .map(|u| u.trim_end_matches('/').to_string())
                        .collect(),
                },
                pid: c.server_pid,
                _child: None,
            })
        }
    }
}
