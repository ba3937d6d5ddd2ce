//! What a search query means, the same on both databases (decision 0078): its words, lower
//! case, letters and digits only, at most eight of them, every one required. Searching the
//! public site drops the words too common to mean anything (PostgreSQL's English stop list,
//! which its index drops too, so SQLite's index is asked the same question); searching records
//! as the office types keeps every word and reads each as the start of a word ("ame bro" finds
//! Amelia Brown).

/// Letters with accents that searching ignores, each folded to the letter at the same place in
/// [`UNACCENTED`]: the Latin letters Unicode writes as a plain letter and marks. FTS5's
/// `remove_diacritics` folds these in its index; PostgreSQL's index folds them with the same
/// table (migration m0028), and queries are folded here, so "Zoe" finds Zoë on both. Letters
/// that are not a letter and a mark (ø, ł, ß, æ) are kept as they are, by both.
pub const ACCENTED: &str = "ÀÁÂÃÄÅÇÈÉÊËÌÍÎÏÑÒÓÔÕÖÙÚÛÜÝàáâãäåçèéêëìíîïñòóôõöùúûüýÿĀāĂăĄąĆćĈĉĊċČčĎďĒēĔĕĖėĘęĚěĜĝĞğĠġĢģĤĥĨĩĪīĬĭĮįİĴĵĶķĹĺĻļĽľŃńŅņŇňŌōŎŏŐőŔŕŖŗŘřŚśŜŝŞşŠšŢţŤťŨũŪūŬŭŮůŰűŲųŴŵŶŷŸŹźŻżŽžƠơƯưǍǎǏǐǑǒǓǔǕǖǗǘǙǚǛǜǞǟǠǡǦǧǨǩǪǫǬǭǰǴǵǸǹǺǻȀȁȂȃȄȅȆȇȈȉȊȋȌȍȎȏȐȑȒȓȔȕȖȗȘșȚțȞȟȦȧȨȩȪȫȬȭȮȯȰȱȲȳ";
/// The plain letters of [`ACCENTED`], place for place.
pub const UNACCENTED: &str = "AAAAAACEEEEIIIINOOOOOUUUUYaaaaaaceeeeiiiinooooouuuuyyAaAaAaCcCcCcCcDdEeEeEeEeEeGgGgGgGgHhIiIiIiIiIJjKkLlLlLlNnNnNnOoOoOoRrRrRrSsSsSsSsTtTtUuUuUuUuUuUuWwYyYZzZzZzOoUuAaIiOoUuUuUuUuUuAaAaGgKkOoOojGgNnAaAaAaEeEeIiIiOoOoRrRrUuUuSsTtHhAaEeOoOoOoOoYy";

/// `text` with the accents of [`ACCENTED`] removed.
pub fn fold_accents(text: &str) -> String {
    text.chars()
        .map(|c| match ACCENTED.chars().position(|a| a == c) {
            Some(i) => UNACCENTED.chars().nth(i).unwrap_or(c),
            None => c,
        })
        .collect()
}

/// How the words of a query match.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mode {
    /// Whole words, stemmed: "lessons" finds "lesson".
    Words,
    /// Each word the start of a word (stemmed as typed): for searching as one types.
    Prefix,
}

/// The most words a query is read for; the rest are ignored.
pub const MAX_TERMS: usize = 8;

/// The longest word kept; a longer one is cut (no real word or name is longer).
const MAX_TERM_CHARS: usize = 40;

/// PostgreSQL's English stop words (its `english.stop`).
pub const STOP_WORDS: &[&str] = &[
    "i",
    "me",
    "my",
    "myself",
    "we",
    "our",
    "ours",
    "ourselves",
    "you",
    "your",
    "yours",
    "yourself",
    "yourselves",
    "he",
    "him",
    "his",
    "himself",
    "she",
    "her",
    "hers",
    "herself",
    "it",
    "its",
    "itself",
    "they",
    "them",
    "their",
    "theirs",
    "themselves",
    "what",
    "which",
    "who",
    "whom",
    "this",
    "that",
    "these",
    "those",
    "am",
    "is",
    "are",
    "was",
    "were",
    "be",
    "been",
    "being",
    "have",
    "has",
    "had",
    "having",
    "do",
    "does",
    "did",
    "doing",
    "a",
    "an",
    "the",
    "and",
    "but",
    "if",
    "or",
    "because",
    "as",
    "until",
    "while",
    "of",
    "at",
    "by",
    "for",
    "with",
    "about",
    "against",
    "between",
    "into",
    "through",
    "during",
    "before",
    "after",
    "above",
    "below",
    "to",
    "from",
    "up",
    "down",
    "in",
    "out",
    "on",
    "off",
    "over",
    "under",
    "again",
    "further",
    "then",
    "once",
    "here",
    "there",
    "when",
    "where",
    "why",
    "how",
    "all",
    "any",
    "both",
    "each",
    "few",
    "more",
    "most",
    "other",
    "some",
    "such",
    "no",
    "nor",
    "not",
    "only",
    "own",
    "same",
    "so",
    "than",
    "too",
    "very",
    "s",
    "t",
    "can",
    "will",
    "just",
    "don",
    "should",
    "now",
];

/// Whether a (lower-case) word is one PostgreSQL's English configuration drops.
pub fn is_stop_word(word: &str) -> bool {
    STOP_WORDS.contains(&word)
}

/// The words of a query, each required. Anything but letters and digits separates words, so
/// no query syntax of either database can reach it.
pub fn terms(query: &str, mode: Mode) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for word in fold_accents(query).split(|c: char| !c.is_alphanumeric()) {
        let word: String = word.to_lowercase().chars().take(MAX_TERM_CHARS).collect();
        if word.is_empty() || (mode == Mode::Words && is_stop_word(&word)) || out.contains(&word) {
            continue;
        }
        out.push(word);
        if out.len() == MAX_TERMS {
            break;
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn words_are_lower_case_letters_and_digits() {
        assert_eq!(terms("Violin LESSONS", Mode::Words), ["violin", "lessons"]);
        assert_eq!(
            terms("  \"fees\" AND (2026*) OR -x ", Mode::Words),
            ["fees", "2026", "x"]
        );
        assert_eq!(terms("o'brien", Mode::Prefix), ["o", "brien"]);
        assert_eq!(terms("Zoë", Mode::Words), ["zoe"]);
        assert_eq!(terms("CHLOÉ Renée", Mode::Prefix), ["chloe", "renee"]);
        assert!(terms("  ", Mode::Words).is_empty());
    }

    #[test]
    fn accents_fold_to_their_letters_and_others_stay() {
        assert_eq!(ACCENTED.chars().count(), UNACCENTED.chars().count());
        assert_eq!(fold_accents("Zoë Ñúñez-Ōtsuka"), "Zoe Nunez-Otsuka");
        assert_eq!(fold_accents("Søren Łukasz Straße"), "Søren Łukasz Straße");
    }

    #[test]
    fn stop_words_go_only_from_whole_word_searches() {
        assert_eq!(terms("the price of a lesson", Mode::Words), ["price", "lesson"]);
        assert_eq!(terms("an bro", Mode::Prefix), ["an", "bro"]);
        assert!(terms("the", Mode::Words).is_empty());
    }

    #[test]
    fn at_most_eight_distinct_words() {
        let many = "a1 b2 c3 d4 e5 f6 g7 h8 i9 j10 a1";
        assert_eq!(terms(many, Mode::Words).len(), MAX_TERMS);
        assert_eq!(terms("lesson lesson", Mode::Words), ["lesson"]);
        assert_eq!(terms(&"x".repeat(100), Mode::Words)[0].len(), 40);
    }
}
