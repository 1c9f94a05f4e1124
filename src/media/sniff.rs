//! Content types decided from the bytes (magic numbers), never from the
//! client's name or header.

/// What the server does with a file of this type.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// A raster image we decode: dimensions, thumbnail, metadata stripped.
    Image(ImageFormat),
    /// Audio: served inline, may carry a client-measured duration.
    Audio,
    /// Anything else: stored as is, always served as an attachment.
    Other,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ImageFormat {
    Png,
    Jpeg,
    Gif,
    WebP,
}

impl ImageFormat {
    pub fn mime(self) -> &'static str {
        match self {
            ImageFormat::Png => "image/png",
            ImageFormat::Jpeg => "image/jpeg",
            ImageFormat::Gif => "image/gif",
            ImageFormat::WebP => "image/webp",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Sniffed {
    pub kind: Kind,
    pub content_type: String,
}

/// Bytes from the start of a file that [`sniff`] wants to see (fewer only
/// when the file is shorter): enough for WebM's track headers.
pub const SNIFF_LEN: usize = 8 * 1024;

const OCTET_STREAM: &str = "application/octet-stream";

/// Decides a content type from the first bytes of a file (see [`SNIFF_LEN`]).
pub fn sniff(head: &[u8]) -> Sniffed {
    let mime = infer::get(head).map(|t| t.mime_type());
    let (kind, content_type) = match mime {
        Some("image/png") => (Kind::Image(ImageFormat::Png), "image/png"),
        Some("image/jpeg") => (Kind::Image(ImageFormat::Jpeg), "image/jpeg"),
        Some("image/gif") => (Kind::Image(ImageFormat::Gif), "image/gif"),
        Some("image/webp") => (Kind::Image(ImageFormat::WebP), "image/webp"),
        // Ogg holds Opus or Vorbis audio, or Theora video.
        Some("audio/ogg" | "audio/opus") if contains(head, b"\x80theora") => {
            (Kind::Other, "video/ogg")
        }
        Some("audio/ogg" | "audio/opus") => (Kind::Audio, "audio/ogg"),
        // WebM is audio only when no track is video (MediaRecorder voice notes).
        Some("video/webm") if webm_is_audio_only(head) => (Kind::Audio, "audio/webm"),
        Some("audio/mpeg") => (Kind::Audio, "audio/mpeg"),
        Some("audio/m4a") => (Kind::Audio, "audio/mp4"),
        Some("audio/x-wav") => (Kind::Audio, "audio/wav"),
        Some("audio/x-flac") => (Kind::Audio, "audio/flac"),
        Some("audio/aac") => (Kind::Audio, "audio/aac"),
        Some(other) => (Kind::Other, other),
        None if looks_like_text(head) => (Kind::Other, "text/plain; charset=utf-8"),
        None => (Kind::Other, OCTET_STREAM),
    };
    Sniffed {
        kind,
        content_type: content_type.to_owned(),
    }
}

fn contains(haystack: &[u8], needle: &[u8]) -> bool {
    haystack.windows(needle.len()).any(|w| w == needle)
}

/// Matroska's CodecID element (0x86) with a one-byte size, then the codec
/// name: `V_…` for video tracks, `A_…` for audio. Track headers come before
/// the first cluster, so they are within the sniffed head.
fn webm_is_audio_only(head: &[u8]) -> bool {
    let codec = |prefix: u8| {
        head.windows(4)
            .any(|w| w[0] == 0x86 && w[1] & 0x80 != 0 && w[2] == prefix && w[3] == b'_')
    };
    codec(b'A') && !codec(b'V')
}

/// UTF-8 without NULs (a multi-byte character cut off by the head's end is fine).
fn looks_like_text(head: &[u8]) -> bool {
    if head.is_empty() || head.contains(&0) {
        return false;
    }
    match std::str::from_utf8(head) {
        Ok(_) => true,
        Err(e) => e.error_len().is_none() && head.len() - e.valid_up_to() < 4,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn images_are_recognised_by_their_magic_numbers() {
        let png = b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR";
        assert_eq!(sniff(png).kind, Kind::Image(ImageFormat::Png));
        assert_eq!(
            sniff(b"\xff\xd8\xff\xe0\0\x10JFIF\0").content_type,
            "image/jpeg"
        );
        assert_eq!(sniff(b"GIF89a\x01\0\x01\0").content_type, "image/gif");
        assert_eq!(sniff(b"RIFF\x1a\0\0\0WEBPVP8L").content_type, "image/webp");
    }

    #[test]
    fn html_and_svg_are_never_images_whatever_their_name() {
        let html = sniff(b"<!DOCTYPE html><html><script>alert(1)</script>");
        assert_eq!(html.kind, Kind::Other);
        assert_eq!(html.content_type, "text/html");
        let svg = sniff(b"<svg xmlns=\"http://www.w3.org/2000/svg\"></svg>");
        assert_eq!(svg.kind, Kind::Other);
    }

    #[test]
    fn text_and_binary_fall_back_to_safe_types() {
        assert_eq!(
            sniff("héllo".as_bytes()).content_type,
            "text/plain; charset=utf-8"
        );
        assert_eq!(sniff(b"\0\x01\x02garbage").content_type, OCTET_STREAM);
        assert_eq!(sniff(b"").content_type, OCTET_STREAM);
        // A head that ends inside a multi-byte character is still text.
        assert!(looks_like_text(&"aé".as_bytes()[..2]));
    }

    #[test]
    fn ogg_and_webm_are_audio_unless_they_carry_video() {
        let mut opus = b"OggS\0\x02".to_vec();
        opus.resize(28, 0);
        opus.extend_from_slice(b"OpusHead");
        assert_eq!(sniff(&opus).kind, Kind::Audio);
        assert_eq!(sniff(&opus).content_type, "audio/ogg");

        let webm = |codec: &[u8]| {
            let mut v = vec![0x1a, 0x45, 0xdf, 0xa3, 0x9f, 0x42, 0x86, 0x81, 0x01];
            v.extend_from_slice(&[0x42, 0x82, 0x84]);
            v.extend_from_slice(b"webm");
            v.resize(300, 0);
            v.extend_from_slice(&[0x86, 0x80 | codec.len() as u8]);
            v.extend_from_slice(codec);
            v
        };
        assert_eq!(sniff(&webm(b"A_OPUS")).content_type, "audio/webm");
        assert_eq!(sniff(&webm(b"V_VP8")).content_type, "video/webm");
        assert_eq!(sniff(&webm(b"V_VP8")).kind, Kind::Other);
    }
}
