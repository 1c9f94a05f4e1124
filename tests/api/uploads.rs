//! `POST /api/v1/uploads`: limits, quota, sniffing, images and voice, on
//! every configured storage.

use std::io::{Read, Write};
use std::time::Duration;

use image::{DynamicImage, Rgb, RgbImage};
use microchat::security::file_urls::Variant;
use serde_json::Value;

use crate::file_harness::{file_part, multipart, spawn_on, stores, Part, BOUNDARY};

pub fn png(w: u32, h: u32) -> Vec<u8> {
    let img = DynamicImage::ImageRgb8(RgbImage::from_fn(w, h, |x, y| {
        Rgb([(x % 251) as u8, (y % 241) as u8, 7])
    }));
    let mut out = std::io::Cursor::new(Vec::new());
    img.write_to(&mut out, image::ImageFormat::Png).unwrap();
    out.into_inner()
}

fn contains(haystack: &[u8], needle: &[u8]) -> bool {
    haystack.windows(needle.len()).any(|w| w == needle)
}

#[actix_web::test]
async fn an_image_gets_its_dimensions_and_a_thumbnail_at_most_400_px() {
    for store in stores() {
        let app = spawn_on(store, |_| {}).await;
        let ann = app.signup("ann").await;
        let res = app.upload(&ann.token, "wide.png", &png(1000, 500)).await;
        assert_eq!(res.status, 201, "{store:?}: {}", res.body);
        let b = &res.body;
        assert!(b["id"].is_i64());
        assert_eq!(b["name"], "wide.png");
        assert_eq!(b["content_type"], "image/png");
        assert_eq!(
            (b["width"].as_i64(), b["height"].as_i64()),
            (Some(1000), Some(500))
        );
        assert_eq!(b["duration_ms"], Value::Null);
        let keys: Vec<&String> = b.as_object().unwrap().keys().collect();
        assert_eq!(keys.len(), 7, "exactly the contract's fields: {keys:?}");

        let id = b["id"].as_i64().unwrap();
        let full = app
            .download(&app.url(id, "wide.png", Variant::File), &[])
            .await;
        assert_eq!(full.status, 200);
        assert_eq!(full.body.len() as i64, b["size"].as_i64().unwrap());
        let thumb = app
            .download(&app.url(id, "wide.png", Variant::Thumbnail), &[])
            .await;
        assert_eq!(thumb.status, 200, "{store:?}");
        assert_eq!(thumb.header("content-type"), "image/jpeg");
        let t = image::load_from_memory(&thumb.body).unwrap();
        assert_eq!((t.width(), t.height()), (400, 200), "{store:?}");
    }
}

#[actix_web::test]
async fn guests_may_not_upload_and_strangers_must_sign_in() {
    let app = spawn_on(crate::file_harness::Store::Disk, |_| {}).await;
    let guest = app.post("/api/v1/auth/guest", None, Value::Null).await;
    let token = guest.body["access_token"].as_str().unwrap().to_owned();
    app.upload(&token, "a.txt", b"hello")
        .await
        .assert_error(403, "forbidden");
    let anonymous = app
        .call_raw(
            actix_web::http::Method::POST,
            "/api/v1/uploads",
            None,
            &format!("multipart/form-data; boundary={BOUNDARY}"),
            multipart(&[file_part("a.txt", b"hello")]),
        )
        .await;
    anonymous.assert_error(401, "unauthorized");
}

#[actix_web::test]
async fn a_file_over_the_limit_is_413_and_leaves_nothing_stored() {
    for store in stores() {
        let app = spawn_on(store, |s| s.max_upload_bytes = 10_000).await;
        let ann = app.signup("ann").await;
        let ok = app.upload(&ann.token, "fits.bin", &vec![1u8; 10_000]).await;
        assert_eq!(ok.status, 201, "{}", ok.body);
        let before = app.stored_objects().await;

        // Just over the limit: Content-Length is within the multipart slack,
        // so it is the byte count while streaming that refuses it.
        let res = app.upload(&ann.token, "big.bin", &vec![1u8; 10_001]).await;
        res.assert_error(413, "payload_too_large");
        // Far over: refused from Content-Length.
        let res = app
            .upload(&ann.token, "huge.bin", &vec![1u8; 200_000])
            .await;
        res.assert_error(413, "payload_too_large");
        // Without Content-Length (chunked), counted while streaming.
        let body = multipart(&[file_part("chunked.bin", &vec![2u8; 50_000])]);
        let chunks = futures_util::stream::iter(
            body.chunks(4096)
                .map(|c| Ok::<_, std::io::Error>(actix_web::web::Bytes::copy_from_slice(c)))
                .collect::<Vec<_>>(),
        );
        let res = app
            .client
            .post(format!("{}/api/v1/uploads", app.addr))
            .insert_header(("Authorization", format!("Bearer {}", ann.token)))
            .insert_header((
                "Content-Type",
                format!("multipart/form-data; boundary={BOUNDARY}"),
            ))
            .send_stream(chunks)
            .await;
        // The server may answer and close before the whole body is sent.
        if let Ok(res) = res {
            assert_eq!(res.status().as_u16(), 413);
        }
        tokio::time::sleep(Duration::from_millis(300)).await;
        assert_eq!(
            app.stored_objects().await,
            before,
            "{store:?}: nothing left behind"
        );
    }
}

/// The answer comes while the client is still sending: the server decides
/// from `Content-Length` and does not wait for (or read) the body.
#[actix_web::test]
async fn an_oversized_upload_is_answered_before_its_body_is_sent() {
    let app = spawn_on(crate::file_harness::Store::Disk, |_| {}).await;
    let ann = app.signup("ann").await;
    let port = app.port;
    let token = ann.token.clone();
    let answer = actix_web::rt::task::spawn_blocking(move || {
        let mut s = std::net::TcpStream::connect(("127.0.0.1", port)).unwrap();
        s.set_read_timeout(Some(Duration::from_secs(10))).unwrap();
        let head = format!(
            "POST /api/v1/uploads HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer {token}\r\n\
             Content-Type: multipart/form-data; boundary={BOUNDARY}\r\n\
             Content-Length: {}\r\n\r\n",
            100 * 1024 * 1024
        );
        s.write_all(head.as_bytes()).unwrap();
        s.write_all(&[0u8; 1024]).unwrap();
        // 99.9 MiB are never sent.
        let mut buf = [0u8; 512];
        let n = s.read(&mut buf).unwrap();
        String::from_utf8_lossy(&buf[..n]).into_owned()
    })
    .await
    .unwrap();
    assert!(answer.starts_with("HTTP/1.1 413"), "{answer}");
}

#[actix_web::test]
async fn the_quota_is_403_with_reason_quota() {
    for store in stores() {
        let app = spawn_on(store, |s| s.upload_quota_bytes = 3000).await;
        let ann = app.signup("ann").await;
        let bob = app.signup("bob").await;
        assert_eq!(app.upload(&ann.token, "a", &[1u8; 2000]).await.status, 201);
        let res = app.upload(&ann.token, "b", &[1u8; 2000]).await;
        res.assert_error(403, "forbidden");
        assert_eq!(res.body["error"]["details"]["reason"], "quota");
        // What still fits is taken; the quota is per user.
        assert_eq!(app.upload(&ann.token, "c", &[1u8; 1000]).await.status, 201);
        let full = app.upload(&ann.token, "d", &[1u8; 1]).await;
        assert_eq!(
            full.body["error"]["details"]["reason"], "quota",
            "{store:?}"
        );
        assert_eq!(app.upload(&bob.token, "e", &[1u8; 2500]).await.status, 201);
    }
}

#[actix_web::test]
async fn the_type_comes_from_the_bytes_not_the_name() {
    for store in stores() {
        let app = spawn_on(store, |_| {}).await;
        let ann = app.signup("ann").await;
        let html = b"<!DOCTYPE html><html><body><script>alert(document.cookie)</script>";
        let res = app.upload(&ann.token, "cute-cat.png", html).await;
        assert_eq!(res.status, 201, "{}", res.body);
        assert_eq!(res.body["content_type"], "text/html");
        assert_eq!(res.body["width"], Value::Null);
        let id = res.body["id"].as_i64().unwrap();
        let got = app
            .download(&app.url(id, "cute-cat.png", Variant::File), &[])
            .await;
        assert_eq!(got.status, 200);
        assert_eq!(got.body, html);
        assert!(
            got.header("content-disposition").starts_with("attachment"),
            "{store:?}"
        );
        assert_eq!(got.header("content-security-policy"), "sandbox");
        assert_eq!(got.header("x-content-type-options"), "nosniff");
        // No thumbnail for what is not an image.
        let thumb = app
            .download(&app.url(id, "x", Variant::Thumbnail), &[])
            .await;
        assert_eq!(thumb.status, 404);

        let svg = b"<svg xmlns=\"http://www.w3.org/2000/svg\"><script>alert(1)</script></svg>";
        let res = app.upload(&ann.token, "logo.svg", svg).await;
        let id = res.body["id"].as_i64().unwrap();
        let got = app
            .download(&app.url(id, "logo.svg", Variant::File), &[])
            .await;
        assert!(!res.body["content_type"].as_str().unwrap().contains("svg"));
        assert!(got.header("content-disposition").starts_with("attachment"));
    }
}

/// A JPEG with EXIF (a GPS block), XMP, a comment and bytes after its end.
fn jpeg_with_gps() -> Vec<u8> {
    let img = DynamicImage::ImageRgb8(RgbImage::from_pixel(64, 48, Rgb([200, 10, 10])));
    let mut out = std::io::Cursor::new(Vec::new());
    img.write_to(&mut out, image::ImageFormat::Jpeg).unwrap();
    let plain = out.into_inner();
    let segment = |marker: u8, body: &[u8]| {
        let mut s = vec![0xff, marker];
        s.extend_from_slice(&((body.len() + 2) as u16).to_be_bytes());
        s.extend_from_slice(body);
        s
    };
    // TIFF header, IFD0 with one entry: the GPS IFD pointer (0x8825).
    let mut exif =
        b"Exif\0\0MM\0\x2a\0\0\0\x08\0\x01\x88\x25\0\x04\0\0\0\x01\0\0\0\x1a\0\0\0\0".to_vec();
    // GPS IFD: GPSLatitudeRef = 'N', then the text we look for.
    exif.extend_from_slice(b"\0\x01\0\x01\0\x02\0\0\0\x02N\0\0\0\0\0GPS-48.8584N-2.2945E");
    let mut jpeg = plain[..2].to_vec();
    jpeg.extend(segment(0xe1, &exif));
    jpeg.extend(segment(
        0xe1,
        b"http://ns.adobe.com/xap/1.0/\0<x:xmpmeta>XMP-SECRET",
    ));
    jpeg.extend(segment(0xfe, b"COMMENT-SECRET"));
    jpeg.extend_from_slice(&plain[2..]);
    jpeg.extend_from_slice(b"TRAILER-SECRET");
    jpeg
}

#[actix_web::test]
async fn exif_and_gps_are_gone_from_what_is_served() {
    for store in stores() {
        let app = spawn_on(store, |_| {}).await;
        let ann = app.signup("ann").await;
        let original = jpeg_with_gps();
        assert!(contains(&original, b"GPS-48.8584N"));
        let res = app.upload(&ann.token, "holiday.jpg", &original).await;
        assert_eq!(res.status, 201, "{}", res.body);
        assert_eq!(
            (res.body["width"].as_i64(), res.body["height"].as_i64()),
            (Some(64), Some(48))
        );
        let id = res.body["id"].as_i64().unwrap();
        for variant in [Variant::File, Variant::Thumbnail] {
            let got = app
                .download(&app.url(id, "holiday.jpg", variant), &[])
                .await;
            assert_eq!(got.status, 200);
            for secret in [&b"GPS-48"[..], b"Exif", b"SECRET"] {
                assert!(!contains(&got.body, secret), "{store:?} {variant:?}");
            }
            image::load_from_memory(&got.body).expect("still a valid image");
        }
        let got = app
            .download(&app.url(id, "holiday.jpg", Variant::File), &[])
            .await;
        assert_eq!(got.body.len() as i64, res.body["size"].as_i64().unwrap());
        assert!(got.header("content-disposition").starts_with("inline"));
    }
}

/// A PNG whose header claims 20000×20000 pixels.
fn png_bomb() -> Vec<u8> {
    let mut img = png(1, 1);
    // IHDR's width and height sit at bytes 16..24; its CRC at 29..33.
    img[16..20].copy_from_slice(&20_000u32.to_be_bytes());
    img[20..24].copy_from_slice(&20_000u32.to_be_bytes());
    let mut crc = 0xffff_ffffu32;
    for &b in &img[12..29] {
        crc ^= u32::from(b);
        for _ in 0..8 {
            crc = if crc & 1 != 0 {
                (crc >> 1) ^ 0xedb8_8320
            } else {
                crc >> 1
            };
        }
    }
    img[29..33].copy_from_slice(&(!crc).to_be_bytes());
    img
}

#[actix_web::test]
async fn decompression_bombs_and_broken_images_are_422() {
    for store in stores() {
        let app = spawn_on(store, |_| {}).await;
        let ann = app.signup("ann").await;
        let before = app.stored_objects().await;
        let res = app.upload(&ann.token, "bomb.png", &png_bomb()).await;
        res.assert_error(422, "validation_failed");
        assert_eq!(
            res.body["error"]["details"]["fields"]["file"],
            "image too large to process"
        );
        let res = app
            .upload(&ann.token, "broken.png", b"\x89PNG\r\n\x1a\nnothing")
            .await;
        res.assert_error(422, "validation_failed");
        assert_eq!(app.stored_objects().await, before, "{store:?}");
    }
}

fn ogg_opus() -> Vec<u8> {
    let mut v = b"OggS\0\x02".to_vec();
    v.resize(28, 0);
    v.extend_from_slice(b"OpusHead\x01\x01");
    v.resize(4000, 0x55);
    v
}

#[actix_web::test]
async fn voice_messages_carry_the_clients_duration() {
    for store in stores() {
        let app = spawn_on(store, |_| {}).await;
        let ann = app.signup("ann").await;
        let voice = |duration: &'static str, data: Vec<u8>| {
            vec![
                Part {
                    name: "duration_ms",
                    filename: None,
                    data: duration.as_bytes().to_vec(),
                },
                Part {
                    name: "file",
                    filename: Some("voice.ogg"),
                    data,
                },
            ]
        };
        let res = app
            .upload_parts(&ann.token, &voice("1500", ogg_opus()))
            .await;
        assert_eq!(res.status, 201, "{}", res.body);
        assert_eq!(res.body["content_type"], "audio/ogg");
        assert_eq!(res.body["duration_ms"], 1500);
        assert_eq!(res.body["width"], Value::Null);
        let id = res.body["id"].as_i64().unwrap();
        let got = app
            .download(&app.url(id, "voice.ogg", Variant::File), &[])
            .await;
        assert!(
            got.header("content-disposition").starts_with("inline"),
            "{store:?}"
        );

        for bad in ["-5", "1.5", "soon", "86400001"] {
            let res = app.upload_parts(&ann.token, &voice(bad, ogg_opus())).await;
            res.assert_error(422, "validation_failed");
            assert!(res.body["error"]["details"]["fields"]["duration_ms"].is_string());
        }
        // A duration means nothing for what is not audio.
        let res = app
            .upload_parts(&ann.token, &voice("1500", b"plain text".to_vec()))
            .await;
        assert_eq!(res.body["duration_ms"], Value::Null);
    }
}

#[actix_web::test]
async fn malformed_upload_requests_are_400() {
    let app = spawn_on(crate::file_harness::Store::Disk, |_| {}).await;
    let ann = app.signup("ann").await;
    let other = Part {
        name: "note",
        filename: None,
        data: b"hi".to_vec(),
    };
    app.upload_parts(&ann.token, &[other])
        .await
        .assert_error(400, "bad_request");
    let two = [file_part("a", b"1"), file_part("b", b"2")];
    app.upload_parts(&ann.token, &two)
        .await
        .assert_error(400, "bad_request");
    let json = app
        .post("/api/v1/uploads", Some(&ann.token), serde_json::json!({}))
        .await;
    json.assert_error(400, "bad_request");
}

#[actix_web::test]
async fn a_25_mib_file_streams_through_intact() {
    for store in stores() {
        let app = spawn_on(store, |_| {}).await;
        let ann = app.signup("ann").await;
        let data: Vec<u8> = (0..25 * 1024 * 1024u32).map(|i| (i % 253) as u8).collect();
        let res = app.upload(&ann.token, "big.bin", &data).await;
        assert_eq!(res.status, 201, "{}", res.body);
        assert_eq!(res.body["size"], data.len());
        assert_eq!(res.body["content_type"], "application/octet-stream");
        let id = res.body["id"].as_i64().unwrap();
        let got = app
            .download(&app.url(id, "big.bin", Variant::File), &[])
            .await;
        assert_eq!(got.status, 200);
        assert!(got.body == data, "{store:?}: bytes differ");
    }
}
