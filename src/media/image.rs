//! Raster images at upload: decoded once, within limits, for their size and
//! a thumbnail; what is served has its metadata removed (see [`super::strip`]).

use std::io::Cursor;

use bytes::Bytes;
use image::imageops::FilterType;
use image::metadata::Orientation;
use image::{DynamicImage, ImageDecoder, ImageReader, Limits};

use super::sniff::ImageFormat;
use super::strip;

/// Largest image decoded (50 megapixels: a 48 MP phone photo fits). Bigger
/// is refused before any pixel is decoded.
pub const MAX_PIXELS: u64 = 50_000_000;

/// What a decoder may allocate at once: 50 MP of 8-bit RGBA plus slack;
/// deeper formats of that size are refused.
pub const MAX_DECODE_ALLOC: u64 = 256 * 1024 * 1024;

/// Longest side of a thumbnail.
pub const THUMB_MAX_SIDE: u32 = 400;

#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum MediaError {
    /// Over the pixel or allocation limits (a decompression bomb, or just huge).
    #[error("image too large to process")]
    TooLarge,
    #[error("not a valid image")]
    Invalid,
}

impl From<image::ImageError> for MediaError {
    fn from(e: image::ImageError) -> MediaError {
        match e {
            image::ImageError::Limits(_) => MediaError::TooLarge,
            _ => MediaError::Invalid,
        }
    }
}

/// An image ready to store.
#[derive(Debug)]
pub struct Processed {
    /// The file as served: the original bytes without metadata.
    pub stripped: Bytes,
    /// As displayed, i.e. after the EXIF orientation.
    pub width: u32,
    pub height: u32,
    pub thumbnail: Bytes,
    pub thumbnail_type: &'static str,
}

/// Decodes `bytes` (already sniffed as `format`) within the limits, makes
/// the thumbnail and strips the metadata. CPU-bound: run it off the async
/// threads.
pub fn process(bytes: Bytes, format: ImageFormat) -> Result<Processed, MediaError> {
    let (image, orientation) = decode(&bytes, format)?;
    let (mut width, mut height) = (image.width(), image.height());
    if matches!(
        orientation,
        Orientation::Rotate90
            | Orientation::Rotate270
            | Orientation::Rotate90FlipH
            | Orientation::Rotate270FlipH
    ) {
        std::mem::swap(&mut width, &mut height);
    }
    let (thumbnail, thumbnail_type) = thumbnail(&image, orientation)?;
    drop(image);
    let stripped = strip::strip(bytes, format, orientation)?;
    Ok(Processed {
        stripped,
        width,
        height,
        thumbnail,
        thumbnail_type,
    })
}

pub(super) fn decode(
    bytes: &[u8],
    format: ImageFormat,
) -> Result<(DynamicImage, Orientation), MediaError> {
    let format = match format {
        ImageFormat::Png => image::ImageFormat::Png,
        ImageFormat::Jpeg => image::ImageFormat::Jpeg,
        ImageFormat::Gif => image::ImageFormat::Gif,
        ImageFormat::WebP => image::ImageFormat::WebP,
    };
    let mut reader = ImageReader::with_format(Cursor::new(bytes), format);
    let mut limits = Limits::default();
    limits.max_alloc = Some(MAX_DECODE_ALLOC);
    reader.limits(limits);
    let mut decoder = reader.into_decoder()?;
    let (w, h) = decoder.dimensions();
    if w == 0 || h == 0 {
        return Err(MediaError::Invalid);
    }
    if u64::from(w) * u64::from(h) > MAX_PIXELS {
        return Err(MediaError::TooLarge);
    }
    let orientation = decoder.orientation().unwrap_or(Orientation::NoTransforms);
    Ok((DynamicImage::from_decoder(decoder)?, orientation))
}

/// At most [`THUMB_MAX_SIDE`] on the long side, upright: JPEG, or PNG when
/// the image has transparency.
fn thumbnail(
    image: &DynamicImage,
    orientation: Orientation,
) -> Result<(Bytes, &'static str), MediaError> {
    let mut small = if image.width().max(image.height()) > THUMB_MAX_SIDE {
        image.resize(THUMB_MAX_SIDE, THUMB_MAX_SIDE, FilterType::Triangle)
    } else {
        image.clone()
    };
    small.apply_orientation(orientation);
    encode_small(&small)
}

/// A small derived image (thumbnail, avatar): JPEG, or PNG when it has
/// transparency.
pub(super) fn encode_small(small: &DynamicImage) -> Result<(Bytes, &'static str), MediaError> {
    let mut out = Cursor::new(Vec::new());
    let mime = if small.color().has_alpha() {
        small
            .to_rgba8()
            .write_to(&mut out, image::ImageFormat::Png)?;
        "image/png"
    } else {
        let encoder = image::codecs::jpeg::JpegEncoder::new_with_quality(&mut out, 82);
        small.to_rgb8().write_with_encoder(encoder)?;
        "image/jpeg"
    };
    Ok((Bytes::from(out.into_inner()), mime))
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use image::{Rgb, RgbImage, Rgba, RgbaImage};

    pub fn encode(image: DynamicImage, format: image::ImageFormat) -> Bytes {
        let mut out = Cursor::new(Vec::new());
        image.write_to(&mut out, format).unwrap();
        Bytes::from(out.into_inner())
    }

    fn gradient(w: u32, h: u32) -> DynamicImage {
        DynamicImage::ImageRgb8(RgbImage::from_fn(w, h, |x, y| {
            Rgb([(x % 256) as u8, (y % 256) as u8, 128])
        }))
    }

    fn thumb_size(p: &Processed) -> (u32, u32) {
        let t = image::load_from_memory(&p.thumbnail).unwrap();
        (t.width(), t.height())
    }

    #[test]
    fn large_images_get_a_thumbnail_400_px_on_the_long_side() {
        let png = encode(gradient(1200, 600), image::ImageFormat::Png);
        let p = process(png, ImageFormat::Png).unwrap();
        assert_eq!((p.width, p.height), (1200, 600));
        assert_eq!(thumb_size(&p), (400, 200));
        assert_eq!(p.thumbnail_type, "image/jpeg");
    }

    #[test]
    fn small_images_keep_their_size_and_transparency_keeps_png() {
        let rgba = DynamicImage::ImageRgba8(RgbaImage::from_pixel(30, 50, Rgba([1, 2, 3, 0])));
        let p = process(encode(rgba, image::ImageFormat::Png), ImageFormat::Png).unwrap();
        assert_eq!(thumb_size(&p), (30, 50));
        assert_eq!(p.thumbnail_type, "image/png");
    }

    #[test]
    fn every_supported_format_decodes() {
        for (fmt, ours) in [
            (image::ImageFormat::Jpeg, ImageFormat::Jpeg),
            (image::ImageFormat::Gif, ImageFormat::Gif),
            (image::ImageFormat::WebP, ImageFormat::WebP),
        ] {
            let p = process(encode(gradient(500, 100), fmt), ours).unwrap();
            assert_eq!((p.width, p.height), (500, 100), "{fmt:?}");
            assert_eq!(thumb_size(&p), (400, 80), "{fmt:?}");
        }
    }

    /// A PNG claiming 20000×20000 pixels with almost no data: refused
    /// from the header, before anything is allocated.
    pub fn png_bomb() -> Vec<u8> {
        let mut v = b"\x89PNG\r\n\x1a\n".to_vec();
        let mut ihdr = b"IHDR".to_vec();
        ihdr.extend_from_slice(&20_000u32.to_be_bytes());
        ihdr.extend_from_slice(&20_000u32.to_be_bytes());
        ihdr.extend_from_slice(&[8, 2, 0, 0, 0]);
        v.extend_from_slice(&13u32.to_be_bytes());
        v.extend_from_slice(&ihdr);
        v.extend_from_slice(&crc32(&ihdr).to_be_bytes());
        let idat = b"IDAT\x78\x9c\x03\x00\x00\x00\x00\x01"; // zlib of nothing
        v.extend_from_slice(&8u32.to_be_bytes());
        v.extend_from_slice(idat);
        v.extend_from_slice(&crc32(idat).to_be_bytes());
        v.extend_from_slice(&[0, 0, 0, 0]);
        v.extend_from_slice(b"IEND");
        v.extend_from_slice(&crc32(b"IEND").to_be_bytes());
        v
    }

    fn crc32(data: &[u8]) -> u32 {
        let mut crc = 0xffff_ffffu32;
        for &b in data {
            crc ^= u32::from(b);
            for _ in 0..8 {
                crc = if crc & 1 != 0 {
                    (crc >> 1) ^ 0xedb8_8320
                } else {
                    crc >> 1
                };
            }
        }
        !crc
    }

    #[test]
    fn decompression_bombs_are_refused_before_decoding() {
        let bomb = Bytes::from(png_bomb());
        assert_eq!(
            process(bomb, ImageFormat::Png).unwrap_err(),
            MediaError::TooLarge
        );
    }

    #[test]
    fn garbage_with_an_image_signature_is_invalid() {
        let junk = Bytes::from_static(b"\x89PNG\r\n\x1a\nnot really a png at all");
        assert_eq!(
            process(junk, ImageFormat::Png).unwrap_err(),
            MediaError::Invalid
        );
    }
}
