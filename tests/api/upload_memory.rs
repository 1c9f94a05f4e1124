//! Uploads stream: the real binary's peak memory does not grow by the size
//! of a large upload.

use actix_web::http::Method;

use crate::file_harness::{file_part, multipart, BOUNDARY};
use crate::helpers::{test_database, TestApp};
use crate::process::start_with_files;

/// A line of /proc/PID/status, in KiB.
fn status_kib(pid: u32, field: &str) -> u64 {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).unwrap();
    let line = status.lines().find(|l| l.starts_with(field)).unwrap();
    line.split_whitespace().nth(1).unwrap().parse().unwrap()
}

#[actix_web::test]
async fn a_25_mib_upload_does_not_raise_the_servers_peak_memory_by_its_size() {
    let (url, db) = test_database();
    let files = tempfile::tempdir().unwrap();
    let server = start_with_files(&url, files.path());
    let pid = server.child.id();
    let app = TestApp::external(server.port, &url, db);
    let ann = app.signup("ann").await;
    let content_type = format!("multipart/form-data; boundary={BOUNDARY}");
    let upload = |data: Vec<u8>| {
        let body = multipart(&[file_part("big.bin", &data)]);
        app.call_raw(
            Method::POST,
            "/api/v1/uploads",
            Some(&ann.token),
            &content_type,
            body,
        )
    };
    // Warm up whatever is made on first use (pools, buffers, threads).
    for _ in 0..3 {
        assert_eq!(upload(vec![7u8; 1024 * 1024]).await.status, 201);
    }
    let (rss_before, peak_before) = (status_kib(pid, "VmRSS:"), status_kib(pid, "VmHWM:"));
    let big: Vec<u8> = (0..25 * 1024 * 1024u32).map(|i| (i % 253) as u8).collect();
    let res = upload(big).await;
    assert_eq!(res.status, 201, "{}", res.body);
    let (rss_after, peak_after) = (status_kib(pid, "VmRSS:"), status_kib(pid, "VmHWM:"));
    println!(
        "server RSS {rss_before} -> {rss_after} KiB, peak {peak_before} -> {peak_after} KiB \
         across a 25 MiB upload"
    );
    let grew = peak_after.saturating_sub(peak_before);
    assert!(
        grew < 12 * 1024,
        "peak RSS grew by {grew} KiB for a 25 MiB upload: it was buffered, not streamed"
    );
}
