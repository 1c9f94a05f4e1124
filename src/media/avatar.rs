//! Avatars: an uploaded image cropped to its centred square and scaled to
//! 256 × 256, upright.

use bytes::Bytes;
use image::imageops::FilterType;

use super::image::{decode, encode_small};
use super::{ImageFormat, MediaError};

/// Side of every avatar, in pixels.
pub const AVATAR_SIDE: u32 = 256;

/// The avatar made from an image's bytes, and its content type. CPU-bound:
/// run it off the async threads.
pub fn avatar(bytes: &[u8], format: ImageFormat) -> Result<(Bytes, &'static str), MediaError> {
    let (mut image, orientation) = decode(bytes, format)?;
    image.apply_orientation(orientation);
    let (w, h) = (image.width(), image.height());
    let side = w.min(h);
    let square = image.crop_imm((w - side) / 2, (h - side) / 2, side, side);
    drop(image);
    let small = square.resize_exact(AVATAR_SIDE, AVATAR_SIDE, FilterType::Lanczos3);
    encode_small(&small)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::media::image::tests::encode;
    use image::{DynamicImage, Rgb, RgbImage, Rgba, RgbaImage};

    #[test]
    fn a_wide_image_becomes_its_centred_square_at_256_px() {
        // Red left quarter, green middle half, blue right quarter: the
        // centred square is all green.
        let img = RgbImage::from_fn(800, 400, |x, _| match x {
            0..200 => Rgb([255, 0, 0]),
            200..600 => Rgb([0, 255, 0]),
            _ => Rgb([0, 0, 255]),
        });
        let png = encode(DynamicImage::ImageRgb8(img), image::ImageFormat::Png);
        let (bytes, mime) = avatar(&png, ImageFormat::Png).unwrap();
        assert_eq!(mime, "image/jpeg");
        let out = image::load_from_memory(&bytes).unwrap().to_rgb8();
        assert_eq!(out.dimensions(), (256, 256));
        for (x, y) in [(2, 128), (253, 128), (128, 2)] {
            let Rgb([r, g, b]) = *out.get_pixel(x, y);
            assert!(g > 200 && r < 60 && b < 60, "({x},{y}) = {r},{g},{b}");
        }
    }

    #[test]
    fn small_and_transparent_images_scale_up_and_stay_png() {
        let img = RgbaImage::from_pixel(10, 30, Rgba([1, 2, 3, 0]));
        let png = encode(DynamicImage::ImageRgba8(img), image::ImageFormat::Png);
        let (bytes, mime) = avatar(&png, ImageFormat::Png).unwrap();
        assert_eq!(mime, "image/png");
        let out = image::load_from_memory(&bytes).unwrap();
        assert_eq!((out.width(), out.height()), (256, 256));
    }
}
