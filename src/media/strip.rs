//! Removes metadata (EXIF with its GPS block, XMP, IPTC, comments, text
//! chunks) from an image without re-encoding its pixels. Only the EXIF
//! orientation survives, rewritten as a minimal EXIF block of its own, so a
//! phone photo still displays upright.

use bytes::Bytes;
use image::metadata::Orientation;
use img_parts::jpeg::{markers, Jpeg};
use img_parts::png::Png;
use img_parts::webp::WebP;
use img_parts::ImageEXIF;

use super::image::MediaError;
use super::sniff::ImageFormat;

/// Largest total of GIF frame pixels re-muxed (an animation of many frames).
pub const MAX_GIF_PIXELS: u64 = 400_000_000;

pub fn strip(
    bytes: Bytes,
    format: ImageFormat,
    orientation: Orientation,
) -> Result<Bytes, MediaError> {
    let exif = (orientation != Orientation::NoTransforms).then(|| orientation_exif(orientation));
    match format {
        ImageFormat::Jpeg => jpeg(bytes, exif),
        ImageFormat::Png => png(bytes, exif),
        ImageFormat::WebP => webp(bytes, exif),
        ImageFormat::Gif => super::gif::remux(&bytes),
    }
}

fn jpeg(bytes: Bytes, exif: Option<Bytes>) -> Result<Bytes, MediaError> {
    let mut jpeg = Jpeg::from_bytes(bytes).map_err(|_| MediaError::Invalid)?;
    // Keep the JFIF header, an ICC profile (colours) and Adobe's APP14
    // (colour transform); drop every other application segment and comments.
    jpeg.segments_mut().retain(|s| match s.marker() {
        markers::APP0 | markers::APP14 => true,
        markers::APP2 => s.contents().starts_with(b"ICC_PROFILE\0"),
        markers::APP1 | markers::APP3..=markers::APP13 | markers::APP15 | markers::COM => false,
        _ => true,
    });
    jpeg.set_exif(exif);
    let out = jpeg.encoder().bytes();
    // img-parts keeps everything after the first scan as it was, including
    // what follows the end-of-image marker: MPF's secondary images (with
    // their own EXIF) or an appended file.
    Ok(match end_of_jpeg(&out) {
        Some(end) => out.slice(..end),
        None => out,
    })
}

/// The offset just past the EOI marker, walking segments and entropy-coded
/// data; `None` when the file has no proper end.
fn end_of_jpeg(b: &[u8]) -> Option<usize> {
    if !b.starts_with(&[0xff, 0xd8]) {
        return None;
    }
    let (mut i, mut in_scan) = (2usize, false);
    while i + 1 < b.len() {
        if b[i] != 0xff {
            if !in_scan {
                return None;
            }
            i += 1;
            continue;
        }
        match b[i + 1] {
            0xd9 => return Some(i + 2),
            // Fill byte, a stuffed 0xFF or a restart marker inside a scan,
            // TEM: no length follows.
            0xff => i += 1,
            0x00 | 0xd0..=0xd7 | 0x01 => i += 2,
            _ => {
                let len = usize::from(u16::from_be_bytes([*b.get(i + 2)?, *b.get(i + 3)?]));
                in_scan = b[i + 1] == 0xda;
                i += 2 + len;
            }
        }
    }
    None
}

fn png(bytes: Bytes, exif: Option<Bytes>) -> Result<Bytes, MediaError> {
    let mut png = Png::from_bytes(bytes).map_err(|_| MediaError::Invalid)?;
    png.chunks_mut()
        .retain(|c| !matches!(&c.kind(), b"tEXt" | b"zTXt" | b"iTXt" | b"eXIf" | b"tIME"));
    png.set_exif(exif);
    Ok(png.encoder().bytes())
}

fn webp(bytes: Bytes, exif: Option<Bytes>) -> Result<Bytes, MediaError> {
    let mut webp = WebP::from_bytes(bytes).map_err(|_| MediaError::Invalid)?;
    webp.remove_chunks_by_id(*b"XMP ");
    // Also rewrites the VP8X flags for what is left.
    webp.set_exif(exif);
    Ok(webp.encoder().bytes())
}

/// A big-endian TIFF header and one IFD holding only the orientation tag.
fn orientation_exif(orientation: Orientation) -> Bytes {
    let mut v = Vec::with_capacity(26);
    v.extend_from_slice(b"MM\0\x2a\0\0\0\x08"); // byte order, magic, IFD0 offset
    v.extend_from_slice(&1u16.to_be_bytes()); // one entry
    v.extend_from_slice(&0x0112u16.to_be_bytes()); // Orientation
    v.extend_from_slice(&3u16.to_be_bytes()); // SHORT
    v.extend_from_slice(&1u32.to_be_bytes()); // count
    v.extend_from_slice(&u16::from(orientation.to_exif()).to_be_bytes());
    v.extend_from_slice(&[0, 0]); // value padding
    v.extend_from_slice(&0u32.to_be_bytes()); // no next IFD
    Bytes::from(v)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::media::image::tests::encode;
    use image::{DynamicImage, RgbImage};

    fn contains(haystack: &[u8], needle: &[u8]) -> bool {
        haystack.windows(needle.len()).any(|w| w == needle)
    }

    /// A JPEG with an EXIF block holding a GPS marker, a comment, XMP, and a
    /// second "image" appended after the end marker.
    pub fn jpeg_with_gps() -> Vec<u8> {
        let img = DynamicImage::ImageRgb8(RgbImage::from_pixel(64, 48, image::Rgb([200, 10, 10])));
        let plain = encode(img, image::ImageFormat::Jpeg);
        let segment = |marker: u8, body: &[u8]| {
            let mut s = vec![0xff, marker];
            s.extend_from_slice(&((body.len() + 2) as u16).to_be_bytes());
            s.extend_from_slice(body);
            s
        };
        let mut exif = b"Exif\0\0MM\0\x2a\0\0\0\x08".to_vec();
        exif.extend_from_slice(b"\0\x01\x88\x25\0\x04\0\0\0\x01\0\0\0\x1a\0\0\0\0"); // GPS IFD ptr
        exif.extend_from_slice(b"GPSLatitude 48.8584 N SECRET-PLACE");
        let mut out = plain[..2].to_vec();
        out.extend(segment(0xe1, &exif));
        out.extend(segment(
            0xe1,
            b"http://ns.adobe.com/xap/1.0/\0<x:xmpmeta>SECRET-XMP",
        ));
        out.extend(segment(0xfe, b"SECRET-COMMENT"));
        out.extend_from_slice(&plain[2..]);
        out.extend_from_slice(b"\xff\xd8SECRET-TRAILER\xff\xd9");
        out
    }

    #[test]
    fn jpeg_metadata_and_trailing_data_are_removed_and_pixels_kept() {
        let original = jpeg_with_gps();
        assert!(contains(&original, b"SECRET-PLACE"));
        let out = strip(
            Bytes::from(original.clone()),
            ImageFormat::Jpeg,
            Orientation::NoTransforms,
        )
        .unwrap();
        for secret in [&b"SECRET"[..], b"Exif", b"GPS"] {
            assert!(
                !contains(&out, secret),
                "{}",
                String::from_utf8_lossy(secret)
            );
        }
        let a = image::load_from_memory(&original).unwrap().to_rgb8();
        let b = image::load_from_memory(&out).unwrap().to_rgb8();
        assert_eq!(a.as_raw(), b.as_raw(), "pixels untouched");
    }

    #[test]
    fn orientation_survives_as_the_only_exif_tag() {
        let original = jpeg_with_gps();
        let out = strip(
            Bytes::from(original),
            ImageFormat::Jpeg,
            Orientation::Rotate90,
        )
        .unwrap();
        assert!(!contains(&out, b"SECRET"));
        let jpeg = Jpeg::from_bytes(out).unwrap();
        let exif = jpeg.exif().unwrap();
        assert_eq!(
            Orientation::from_exif_chunk(&exif),
            Some(Orientation::Rotate90)
        );
    }

    #[test]
    fn png_text_chunks_are_removed() {
        let img = DynamicImage::ImageRgb8(RgbImage::new(8, 8));
        let plain = encode(img, image::ImageFormat::Png);
        let mut png = Png::from_bytes(plain).unwrap();
        let text = img_parts::png::PngChunk::new(*b"tEXt", Bytes::from_static(b"GPS\0SECRET"));
        png.chunks_mut().insert(1, text);
        png.set_exif(Some(Bytes::from_static(b"MM\0\x2a\0\0\0\x08SECRET-EXIF")));
        let with_meta = png.encoder().bytes();
        assert!(contains(&with_meta, b"SECRET"));
        let out = strip(with_meta, ImageFormat::Png, Orientation::NoTransforms).unwrap();
        assert!(!contains(&out, b"SECRET"));
        image::load_from_memory(&out).unwrap();
    }

    #[test]
    fn the_jpeg_walk_finds_the_end_marker_past_stuffed_bytes() {
        // SOI, a 4-byte segment, SOS, entropy with FF00 and a restart, EOI, junk.
        let b = b"\xff\xd8\xff\xdb\0\x04ab\xff\xda\0\x02\x12\xff\x00\x34\xff\xd0\x56\xff\xd9junk";
        assert_eq!(end_of_jpeg(b), Some(b.len() - 4));
        assert_eq!(end_of_jpeg(b"\xff\xd8\xff\xdb\0\x04ab"), None);
    }
}
