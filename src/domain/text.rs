//! What a message body means beyond its characters: its words (for search,
//! folded for case and accents), the `@username`s it names, and the search
//! query language. Plain functions, the same for both backends: the index
//! holds [`search_text`], and offsets of matches are computed here.

use unicode_normalization::char::is_combining_mark;
use unicode_normalization::UnicodeNormalization;

use super::{char_len, Invalid};

/// A character folded for matching: decomposed, accents dropped, lower case.
fn fold_char(c: char, out: &mut String) {
    for d in std::iter::once(c).nfkd().filter(|d| !is_combining_mark(*d)) {
        out.extend(d.to_lowercase());
    }
}

/// A string folded for matching.
pub fn fold(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        fold_char(c, &mut out);
    }
    out
}

/// A word of a body: a maximal run of letters and digits, with its place
/// in Unicode scalar values (`end` exclusive) and its folded form.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Word {
    pub start: usize,
    pub end: usize,
    pub folded: String,
}

/// The words of `body`, in order.
pub fn words(body: &str) -> Vec<Word> {
    let mut out = Vec::new();
    let mut current: Option<Word> = None;
    for (i, c) in body.chars().enumerate() {
        if c.is_alphanumeric() {
            let word = current.get_or_insert_with(|| Word {
                start: i,
                end: i,
                folded: String::new(),
            });
            word.end = i + 1;
            fold_char(c, &mut word.folded);
        } else if let Some(word) = current.take() {
            out.push(word);
        }
    }
    out.extend(current);
    // Folding can leave nothing of a word (a lone combining mark).
    out.retain(|w| !w.folded.is_empty());
    out
}

/// What the search index holds for a body: its folded words, space-separated.
pub fn search_text(body: &str) -> String {
    words(body)
        .into_iter()
        .map(|w| w.folded)
        .collect::<Vec<_>>()
        .join(" ")
}

/// Characters a username may contain (see `Username`).
fn username_char(c: char) -> bool {
    c.is_ascii_alphanumeric() || matches!(c, '_' | '.' | '-')
}

/// Lower-cased names that `@name`s in `body` may mean. A mention is not
/// inside a longer word: the `@` does not follow a letter, digit or other
/// username character, and the name runs to the end of the username
/// characters. Trailing `.` and `-` (sentence punctuation) are also tried
/// without, so "thanks @bob." names bob.
pub fn mention_candidates(body: &str) -> Vec<String> {
    let chars: Vec<char> = body.chars().collect();
    let mut out = Vec::new();
    let mut i = 0;
    while i < chars.len() {
        let after_word = i > 0 && (username_char(chars[i - 1]) || chars[i - 1] == '@');
        if chars[i] != '@' || after_word {
            i += 1;
            continue;
        }
        let start = i + 1;
        let mut end = start;
        while end < chars.len() && username_char(chars[end]) {
            end += 1;
        }
        let mut name: String = chars[start..end].iter().collect::<String>();
        name.make_ascii_lowercase();
        loop {
            if (3..=32).contains(&name.len()) && !out.contains(&name) {
                out.push(name.clone());
            }
            if name.ends_with(['.', '-']) {
                name.pop();
            } else {
                break;
            }
        }
        i = end.max(i + 1);
    }
    out
}

/// A parsed search query: folded words, the last matched as a prefix.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SearchQuery {
    pub words: Vec<String>,
}

impl SearchQuery {
    /// `q`: 1–200 characters with at least one word.
    pub fn parse(q: &str) -> Result<SearchQuery, Invalid> {
        if !(1..=200).contains(&char_len(q)) {
            return Err(Invalid("must be 1 to 200 characters"));
        }
        let words: Vec<String> = words(q).into_iter().map(|w| w.folded).collect();
        if words.is_empty() {
            return Err(Invalid("must contain a letter or digit"));
        }
        Ok(SearchQuery { words })
    }

    fn hits(&self, i: usize, folded: &str) -> bool {
        let last = i + 1 == self.words.len();
        if last {
            folded.starts_with(&self.words[i])
        } else {
            folded == self.words[i]
        }
    }

    /// The words of `body` the query matches, as `[start, end)` offsets in
    /// Unicode scalar values, or `None` when some query word matches none.
    pub fn matches(&self, body: &str) -> Option<Vec<[usize; 2]>> {
        let words = words(body);
        let mut found = vec![false; self.words.len()];
        let mut out = Vec::new();
        for word in &words {
            let mut hit = false;
            for (i, seen) in found.iter_mut().enumerate() {
                if self.hits(i, &word.folded) {
                    *seen = true;
                    hit = true;
                }
            }
            if hit {
                out.push([word.start, word.end]);
            }
        }
        found.iter().all(|f| *f).then_some(out)
    }
}

/// A reaction: 1–32 bytes of UTF-8 without whitespace or control characters.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Emoji(String);

impl Emoji {
    pub fn parse(raw: &str) -> Result<Emoji, Invalid> {
        if raw.is_empty() || raw.len() > 32 {
            return Err(Invalid("must be 1 to 32 bytes"));
        }
        if raw.chars().any(|c| c.is_whitespace() || c.is_control()) {
            return Err(Invalid("may not contain whitespace or control characters"));
        }
        Ok(Emoji(raw.to_owned()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn words_are_folded_with_offsets_in_scalar_values() {
        let w = words("Ünïcode, café-au-lait! 😀 x2");
        let folded: Vec<&str> = w.iter().map(|w| w.folded.as_str()).collect();
        assert_eq!(folded, ["unicode", "cafe", "au", "lait", "x2"]);
        assert_eq!((w[0].start, w[0].end), (0, 7));
        assert_eq!((w[1].start, w[1].end), (9, 13));
        assert_eq!((w[4].start, w[4].end), (25, 27));
        assert_eq!(search_text("  Héllo   WÖRLD "), "hello world");
    }

    #[test]
    fn queries_match_whole_words_and_the_last_as_a_prefix() {
        let q = SearchQuery::parse("CAFE au").unwrap();
        assert_eq!(q.words, ["cafe", "au"]);
        assert_eq!(
            q.matches("Un café au lait, autrement"),
            Some(vec![[3, 7], [8, 10], [17, 26]])
        );
        assert_eq!(q.matches("cafeteria au"), None);
        assert_eq!(q.matches("café only"), None);
        assert!(SearchQuery::parse("").is_err());
        assert!(SearchQuery::parse("  !! ").is_err());
        assert!(SearchQuery::parse(&"a".repeat(201)).is_err());
        assert!(SearchQuery::parse(&"é".repeat(200)).is_ok());
    }

    #[test]
    fn mentions_are_not_inside_longer_words() {
        assert_eq!(
            mention_candidates("hi @Bob and @ann. mail x@carl.com @@dan @eve-"),
            ["bob", "ann.", "ann", "eve-", "eve"]
        );
        assert_eq!(mention_candidates("@ab @abc"), ["abc"]);
        assert!(mention_candidates("no mentions").is_empty());
    }

    #[test]
    fn emoji_rules() {
        assert!(Emoji::parse("👍").is_ok());
        assert!(Emoji::parse(":+1:").is_ok());
        assert!(Emoji::parse("").is_err());
        assert!(Emoji::parse("a b").is_err());
        assert!(Emoji::parse("a\u{7}").is_err());
        assert!(Emoji::parse(&"x".repeat(33)).is_err());
        assert!(Emoji::parse(&"x".repeat(32)).is_ok());
    }
}
