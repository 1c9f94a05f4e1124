//! The `files` scenario: upload and download MB/s of one large file, then
//! the server's RSS while many uploads of it run at once.
//!
//! Each uploaded file is sent as a message attachment, and downloaded
//! through the signed URL the message carries, as a client would. With
//! `--file-url-key` (the server's key, from its settings table) the URL is
//! signed here instead, as docs/api-notes.md documents.

use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use bytes::Bytes;
use clap::Args;
use futures_util::StreamExt;
use hmac::{Hmac, Mac};
use sha2::Sha256;

use crate::driver::rss_kb;
use crate::scenarios::block;
use crate::target::check_local;
use crate::Common;

#[derive(Args)]
pub struct FilesArgs {
    #[command(flatten)]
    common: Common,
    /// Size of the file, MiB.
    #[arg(long, default_value_t = 25)]
    size_mib: usize,
    /// Sequential uploads (and downloads) timed one by one.
    #[arg(long, default_value_t = 3)]
    rounds: usize,
    /// Uploads at once for the memory measurement.
    #[arg(long, default_value_t = 20)]
    concurrent: usize,
    /// The server's file URL key (hex, from its settings table); without
    /// it, URLs come from messages carrying the uploads.
    #[arg(long)]
    file_url_key: Option<String>,
}

const BOUNDARY: &str = "loadgen-files-boundary-3f9c1a";

fn multipart(size: usize) -> Bytes {
    let mut body = format!(
        "--{BOUNDARY}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"bench.bin\"\r\n\
         Content-Type: application/octet-stream\r\n\r\n"
    )
    .into_bytes();
    // Not all zeros, and not sniffed as anything in particular.
    body.extend((0..size).map(|i| (i % 251) as u8 | 0x80));
    body.extend_from_slice(format!("\r\n--{BOUNDARY}--\r\n").as_bytes());
    Bytes::from(body)
}

/// The documented file URL for `id` (see docs/api-notes.md, "File URLs").
fn signed_url(base: &str, key: &str, id: i64) -> String {
    let now = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap_or_default()
        .as_secs() as i64;
    let window = 6 * 3600;
    let exp = (now + 3600 + window - 1) / window * window;
    let mut mac = Hmac::<Sha256>::new_from_slice(key.as_bytes()).expect("any key");
    mac.update(format!("microchat-file:{id}:file:{exp}").as_bytes());
    let sig: String = mac
        .finalize()
        .into_bytes()
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect();
    format!("{base}/api/v1/files/{id}/bench.bin?exp={exp}&sig={sig}")
}

fn mbps(bytes: usize, d: Duration) -> f64 {
    bytes as f64 / (1024.0 * 1024.0) / d.as_secs_f64()
}

async fn upload(client: &awc::Client, base: &str, token: &str, body: Bytes) -> Result<i64, String> {
    let mut res = client
        .post(format!("{base}/api/v1/uploads"))
        .bearer_auth(token)
        .content_type(format!("multipart/form-data; boundary={BOUNDARY}"))
        .send_body(body)
        .await
        .map_err(|e| format!("upload: {e}"))?;
    let reply = res.body().await.map_err(|e| e.to_string())?;
    if res.status().as_u16() != 201 {
        return Err(format!(
            "upload: HTTP {}: {}",
            res.status(),
            String::from_utf8_lossy(&reply)
        ));
    }
    let v: serde_json::Value = serde_json::from_slice(&reply).map_err(|e| e.to_string())?;
    v["id"].as_i64().ok_or_else(|| "upload: no id".to_string())
}

/// Sends `id` as the attachment of a message in `chat`; returns the file
/// URL the message carries.
async fn attach(
    client: &awc::Client,
    base: &str,
    token: &str,
    chat: i64,
    id: i64,
) -> Result<String, String> {
    let mut res = client
        .post(format!("{base}/api/v1/chats/{chat}/messages"))
        .bearer_auth(token)
        .send_json(&serde_json::json!({"body": "", "attachments": [id]}))
        .await
        .map_err(|e| format!("send: {e}"))?;
    let reply = res.body().await.map_err(|e| e.to_string())?;
    if res.status().as_u16() != 201 {
        return Err(format!("send: HTTP {}", res.status()));
    }
    let v: serde_json::Value = serde_json::from_slice(&reply).map_err(|e| e.to_string())?;
    let url = v["attachments"][0]["url"]
        .as_str()
        .ok_or_else(|| "send: no attachment url".to_string())?;
    Ok(if url.starts_with('/') {
        format!("{base}{url}")
    } else {
        url.to_string()
    })
}

/// Reads the whole file without keeping it; returns its length.
async fn download(client: &awc::Client, url: &str) -> Result<usize, String> {
    let mut res = client
        .get(url)
        .send()
        .await
        .map_err(|e| format!("download: {e}"))?;
    if res.status().as_u16() != 200 {
        return Err(format!("download: HTTP {}", res.status()));
    }
    let mut n = 0;
    while let Some(chunk) = res.next().await {
        n += chunk.map_err(|e| e.to_string())?.len();
    }
    Ok(n)
}

pub fn files(a: &FilesArgs) -> Result<(), String> {
    check_local(&a.common.url)?;
    let base = a.common.url.trim_end_matches('/').to_string();
    let target = crate::target::Target::Microchat {
        base: base.clone(),
        users_file: None,
        ws_bases: Vec::new(),
    };
    let size = a.size_mib * 1024 * 1024;
    let body = multipart(size);
    let pid = a.common.server_pid;
    block(async move {
        // One user per concurrent upload so the quota never interferes.
        let users = target.users(a.concurrent.max(1)).await?;
        let client = crate::net::client(Duration::from_secs(300));
        let chat = target.chat(1, &users[0], &[]).await?;
        let (mut up, mut down) = (Vec::new(), Vec::new());
        for _ in 0..a.rounds {
            let t = Instant::now();
            let id = upload(&client, &base, &users[0].token, body.clone()).await?;
            up.push(mbps(size, t.elapsed()));
            let url = match &a.file_url_key {
                Some(key) => signed_url(&base, key, id),
                None => attach(&client, &base, &users[0].token, chat, id).await?,
            };
            let t = Instant::now();
            let n = download(&client, &url).await?;
            if n != size {
                return Err(format!("downloaded {n} bytes, uploaded {size}"));
            }
            down.push(mbps(size, t.elapsed()));
        }
        let median = |v: &mut Vec<f64>| {
            v.sort_by(|x, y| x.total_cmp(y));
            v.get(v.len() / 2).copied().unwrap_or(0.0)
        };
        println!(
            "files: {} MiB x {}: upload {:.0} MB/s, download {:.0} MB/s (medians; MiB/s)",
            a.size_mib,
            a.rounds,
            median(&mut up),
            median(&mut down)
        );

        let before = pid.and_then(rss_kb);
        let peak = std::sync::Arc::new(std::sync::atomic::AtomicU64::new(0));
        let sampling = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(true));
        let sampler = pid.map(|pid| {
            let (peak, sampling) = (peak.clone(), sampling.clone());
            std::thread::spawn(move || {
                use std::sync::atomic::Ordering::Relaxed;
                while sampling.load(Relaxed) {
                    if let Some(kb) = rss_kb(pid) {
                        peak.fetch_max(kb, Relaxed);
                    }
                    std::thread::sleep(Duration::from_millis(20));
                }
            })
        });
        let t = Instant::now();
        let uploads = users
            .iter()
            .map(|u| upload(&client, &base, &u.token, body.clone()));
        let results = futures_util::future::join_all(uploads).await;
        let elapsed = t.elapsed();
        sampling.store(false, std::sync::atomic::Ordering::Relaxed);
        if let Some(s) = sampler {
            let _ = s.join();
        }
        let ok = results.iter().filter(|r| r.is_ok()).count();
        if let Some(Err(e)) = results.iter().find(|r| r.is_err()) {
            eprintln!("loadgen: a concurrent upload failed: {e}");
        }
        let after = pid.and_then(rss_kb);
        println!(
            "files: {ok}/{} concurrent uploads of {} MiB in {:.1} s ({:.0} MB/s total)",
            users.len(),
            a.size_mib,
            elapsed.as_secs_f64(),
            mbps(size * ok, elapsed)
        );
        match (before, after) {
            (Some(b), Some(af)) => println!(
                "files: server RSS before {:.1} MiB, peak during {:.1} MiB, after {:.1} MiB",
                b as f64 / 1024.0,
                peak.load(std::sync::atomic::Ordering::Relaxed) as f64 / 1024.0,
                af as f64 / 1024.0
            ),
            _ => println!("files: pass --server-pid to measure the server's RSS"),
        }
        Ok(())
    })
}
