//! Signed file URLs, so `<img>` and `<audio>` work without an
//! `Authorization` header. A signature is HMAC-SHA256 over the upload id,
//! the variant (file or thumbnail) and an expiry that is rounded up to a
//! window: everyone asking within one window gets the same URL, so a message
//! carrying URLs is still serialized once for all its recipients, and
//! browsers keep reusing their cached copy for the whole window.

use hmac::{Hmac, Mac};
use percent_encoding::{utf8_percent_encode, AsciiSet, NON_ALPHANUMERIC};
use sha2::Sha256;

/// A URL is valid at least this long after it is made…
pub const MIN_TTL_SECS: i64 = 3600;
/// …and expiries are multiples of this, so it is valid at most
/// `MIN_TTL_SECS + WINDOW_SECS`.
pub const WINDOW_SECS: i64 = 6 * 3600;

/// Characters kept as they are in the name segment of a file URL.
const NAME_SET: &AsciiSet = &NON_ALPHANUMERIC
    .remove(b'.')
    .remove(b'-')
    .remove(b'_')
    .remove(b'~');

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Variant {
    File,
    Thumbnail,
}

impl Variant {
    fn label(self) -> &'static str {
        match self {
            Variant::File => "file",
            Variant::Thumbnail => "thumb",
        }
    }
}

/// Makes and checks file URLs. Pure computation: no I/O per call.
pub struct FileUrls {
    key: Vec<u8>,
    /// `https://chat.example.com` when `--public-url` is set; URLs are
    /// paths on the server otherwise.
    base: String,
}

impl std::fmt::Debug for FileUrls {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "FileUrls({})", self.base)
    }
}

impl FileUrls {
    pub fn new(key: &[u8], public_url: Option<&str>) -> FileUrls {
        FileUrls {
            key: key.to_vec(),
            base: public_url.unwrap_or_default().to_owned(),
        }
    }

    /// The expiry a URL made at `now` (Unix seconds) carries.
    pub fn expiry(now: i64) -> i64 {
        let earliest = now + MIN_TTL_SECS;
        (earliest + WINDOW_SECS - 1).div_euclid(WINDOW_SECS) * WINDOW_SECS
    }

    fn mac(&self, id: i64, variant: Variant, expires: i64) -> Hmac<Sha256> {
        let mut mac = Hmac::<Sha256>::new_from_slice(&self.key).expect("HMAC takes any key");
        mac.update(format!("microchat-file:{id}:{}:{expires}", variant.label()).as_bytes());
        mac
    }

    pub fn sign(&self, id: i64, variant: Variant, expires: i64) -> String {
        super::hex(&self.mac(id, variant, expires).finalize().into_bytes())
    }

    /// True when `sig` is this server's signature for the three and
    /// `expires` has not passed. Compared in constant time.
    pub fn verify(&self, id: i64, variant: Variant, expires: i64, sig: &str, now: i64) -> bool {
        if expires <= now || sig.len() != 64 {
            return false;
        }
        let Some(bytes) = unhex(sig) else {
            return false;
        };
        self.mac(id, variant, expires).verify_slice(&bytes).is_ok()
    }

    /// `…/api/v1/files/{id}/{name}?exp=…&sig=…` (`&thumb=1` for the thumbnail).
    pub fn url(&self, id: i64, name: &str, variant: Variant, now: i64) -> String {
        let expires = Self::expiry(now);
        let sig = self.sign(id, variant, expires);
        let name = utf8_percent_encode(name, NAME_SET);
        let thumb = if variant == Variant::Thumbnail {
            "&thumb=1"
        } else {
            ""
        };
        format!(
            "{}/api/v1/files/{id}/{name}?exp={expires}&sig={sig}{thumb}",
            self.base
        )
    }
}

fn unhex(s: &str) -> Option<Vec<u8>> {
    (0..s.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(s.get(i..i + 2)?, 16).ok())
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn urls() -> FileUrls {
        FileUrls::new(b"0123456789abcdef0123456789abcdef", None)
    }

    #[test]
    fn expiries_are_at_least_an_hour_ahead_and_shared_within_a_window() {
        for now in [0, 1, 3599, 3600, 20_000, 21_599, 21_600, 1_764_000_000] {
            let exp = FileUrls::expiry(now);
            assert!(exp >= now + MIN_TTL_SECS, "{now}");
            assert!(exp < now + MIN_TTL_SECS + WINDOW_SECS, "{now}");
            assert_eq!(exp % WINDOW_SECS, 0);
        }
        assert_eq!(FileUrls::expiry(100), FileUrls::expiry(200));
        let u = urls();
        assert_eq!(
            u.url(7, "a.png", Variant::File, 100),
            u.url(7, "a.png", Variant::File, 200)
        );
    }

    #[test]
    fn signatures_bind_id_variant_and_expiry() {
        let u = urls();
        let sig = u.sign(7, Variant::File, 36_000);
        assert!(u.verify(7, Variant::File, 36_000, &sig, 100));
        assert!(!u.verify(8, Variant::File, 36_000, &sig, 100));
        assert!(!u.verify(7, Variant::Thumbnail, 36_000, &sig, 100));
        assert!(!u.verify(7, Variant::File, 36_001, &sig, 100));
        assert!(!u.verify(7, Variant::File, 36_000, &sig, 36_000), "expired");
        assert!(!u.verify(7, Variant::File, 36_000, "zz", 100));
        let other = FileUrls::new(b"another key, another server.....", None);
        assert!(!other.verify(7, Variant::File, 36_000, &sig, 100));
    }

    #[test]
    fn names_are_percent_encoded_in_the_path() {
        let url = FileUrls::new(b"k", Some("https://chat.example.com")).url(
            3,
            "my cat?.png",
            Variant::Thumbnail,
            0,
        );
        assert!(url.starts_with("https://chat.example.com/api/v1/files/3/my%20cat%3F.png?exp="));
        assert!(url.ends_with("&thumb=1"));
    }
}
