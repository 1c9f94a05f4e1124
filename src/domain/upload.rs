//! Uploaded files: the client's file name, parsed, a voice message's
//! duration, and an upload as stored.

/// A file name as shown and offered for saving: the last path component of
/// what the client sent, without control characters, at most 255
/// characters; `file` when nothing is left. Never used as a storage path.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FileName(String);

pub const MAX_FILE_NAME_CHARS: usize = 255;

impl FileName {
    pub fn parse(raw: Option<&str>) -> FileName {
        let raw = raw.unwrap_or_default();
        let last = raw.rsplit(['/', '\\']).next().unwrap_or_default();
        let clean: String = last
            .chars()
            .filter(|c| !c.is_control())
            .take(MAX_FILE_NAME_CHARS)
            .collect();
        let clean = clean.trim();
        if clean.is_empty() || clean == "." || clean == ".." {
            FileName("file".into())
        } else {
            FileName(clean.to_owned())
        }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    pub fn into_inner(self) -> String {
        self.0
    }
}

/// A voice message's length as measured by the client: a non-negative
/// integer of milliseconds, at most a day.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DurationMs(pub i64);

pub const MAX_DURATION_MS: i64 = 24 * 3600 * 1000;

impl DurationMs {
    pub fn parse(raw: &str) -> Result<DurationMs, super::Invalid> {
        let raw = raw.trim();
        let bad = super::Invalid("must be a whole number of milliseconds from 0 to 86400000");
        if raw.is_empty() || !raw.bytes().all(|b| b.is_ascii_digit()) || raw.len() > 12 {
            return Err(bad);
        }
        match raw.parse::<i64>() {
            Ok(ms) if ms <= MAX_DURATION_MS => Ok(DurationMs(ms)),
            _ => Err(bad),
        }
    }
}

/// An upload as the application knows it: what the contract shows plus
/// where its bytes (and its thumbnail's) are stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredUpload {
    pub id: i64,
    pub name: String,
    pub content_type: String,
    pub size: i64,
    pub width: Option<i32>,
    pub height: Option<i32>,
    pub duration_ms: Option<i64>,
    pub storage_key: String,
    /// SHA-256 of the bytes served: the `ETag`.
    pub sha256: String,
    pub thumbnail: Option<StoredThumbnail>,
}

/// An image upload's thumbnail, stored beside it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredThumbnail {
    pub storage_key: String,
    pub content_type: String,
    pub size: i64,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_lose_paths_and_control_characters() {
        assert_eq!(
            FileName::parse(Some("C:\\Users\\me\\cat.png")).as_str(),
            "cat.png"
        );
        assert_eq!(FileName::parse(Some("../../etc/passwd")).as_str(), "passwd");
        assert_eq!(FileName::parse(Some("a\u{0}b\r\n.txt")).as_str(), "ab.txt");
        assert_eq!(FileName::parse(Some("  ")).as_str(), "file");
        assert_eq!(FileName::parse(Some("dir/..")).as_str(), "file");
        assert_eq!(FileName::parse(None).as_str(), "file");
        let long = "é".repeat(300);
        assert_eq!(FileName::parse(Some(&long)).as_str().chars().count(), 255);
    }

    #[test]
    fn durations_are_bounded_non_negative_integers() {
        assert_eq!(DurationMs::parse(" 1500 "), Ok(DurationMs(1500)));
        assert_eq!(DurationMs::parse("0"), Ok(DurationMs(0)));
        for bad in ["-1", "1.5", "", "abc", "86400001", "99999999999999999999"] {
            assert!(DurationMs::parse(bad).is_err(), "{bad}");
        }
    }
}
