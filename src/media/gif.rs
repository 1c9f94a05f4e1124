//! GIF has no EXIF, but comments and application extensions (XMP among
//! them) can carry anything. Frames are copied into a fresh file, losslessly
//! (same palettes and indices), keeping only the looping setting.

use std::io::Cursor;

use bytes::Bytes;

use super::image::{MediaError, MAX_PIXELS};
use super::strip::MAX_GIF_PIXELS;

pub fn remux(bytes: &[u8]) -> Result<Bytes, MediaError> {
    let mut options = gif::DecodeOptions::new();
    options.set_color_output(gif::ColorOutput::Indexed);
    let mut decoder = options
        .read_info(Cursor::new(bytes))
        .map_err(|_| MediaError::Invalid)?;
    let (width, height) = (decoder.width(), decoder.height());
    if u64::from(width) * u64::from(height) > MAX_PIXELS {
        return Err(MediaError::TooLarge);
    }
    let palette = decoder.global_palette().unwrap_or_default().to_vec();
    let repeat = decoder.repeat();
    let mut out = Vec::with_capacity(bytes.len());
    let mut encoder =
        gif::Encoder::new(&mut out, width, height, &palette).map_err(|_| MediaError::Invalid)?;
    encoder
        .set_repeat(repeat)
        .map_err(|_| MediaError::Invalid)?;
    let mut pixels = 0u64;
    while let Some(frame) = decoder.read_next_frame().map_err(|_| MediaError::Invalid)? {
        pixels += u64::from(frame.width) * u64::from(frame.height);
        if pixels > MAX_GIF_PIXELS {
            return Err(MediaError::TooLarge);
        }
        encoder
            .write_frame(frame)
            .map_err(|_| MediaError::Invalid)?;
    }
    drop(encoder);
    Ok(Bytes::from(out))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn contains(haystack: &[u8], needle: &[u8]) -> bool {
        haystack.windows(needle.len()).any(|w| w == needle)
    }

    #[test]
    fn comments_are_dropped_and_frames_kept() {
        let mut raw = Vec::new();
        {
            let mut enc = gif::Encoder::new(&mut raw, 4, 4, &[0, 0, 0, 255, 255, 255]).unwrap();
            enc.set_repeat(gif::Repeat::Infinite).unwrap();
            enc.write_raw_extension(gif::Extension::Comment.into(), &[b"SECRET-COMMENT"])
                .unwrap();
            for i in 0..3u8 {
                let frame = gif::Frame {
                    width: 4,
                    height: 4,
                    buffer: vec![i % 2; 16].into(),
                    ..gif::Frame::default()
                };
                enc.write_frame(&frame).unwrap();
            }
        }
        assert!(contains(&raw, b"SECRET"));
        let out = remux(&raw).unwrap();
        assert!(!contains(&out, b"SECRET"));
        let mut opts = gif::DecodeOptions::new();
        opts.set_color_output(gif::ColorOutput::Indexed);
        let mut dec = opts.read_info(Cursor::new(&out[..])).unwrap();
        assert_eq!(dec.repeat(), gif::Repeat::Infinite);
        let mut frames = 0;
        while let Some(f) = dec.read_next_frame().unwrap() {
            assert_eq!(f.buffer[0], frames % 2);
            frames += 1;
        }
        assert_eq!(frames, 3);
    }
}
