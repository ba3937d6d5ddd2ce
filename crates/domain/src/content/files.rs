//! The files content carries (podcast audio, reports and policies): their size limits, the
//! types allowed, taken from the bytes and not from the browser's claim, and safe names.
use super::ContentRefusal;

/// The largest audio file accepted: an hour of speech at 128 kbit/s is about 58 MB. The web
/// layer lets the upload route (and only it) take a body this large.
pub const MAX_AUDIO_BYTES: usize = 60 * 1024 * 1024;
/// The largest document accepted: a report full of photographs.
pub const MAX_DOCUMENT_BYTES: usize = 25 * 1024 * 1024;

/// What an uploaded file is for, which decides the types allowed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Purpose {
    Audio,
    Document,
}

impl Purpose {
    /// The largest file accepted.
    pub fn max_bytes(self) -> usize {
        match self {
            Purpose::Audio => MAX_AUDIO_BYTES,
            Purpose::Document => MAX_DOCUMENT_BYTES,
        }
    }

    /// What is accepted, in words: "a PDF".
    pub fn accepts(self) -> &'static str {
        match self {
            Purpose::Audio => "an MP3, M4A or Ogg audio file",
            Purpose::Document => "a PDF",
        }
    }
}

/// The type of a file from its first bytes, if it is one we accept for the purpose.
pub fn sniff(purpose: Purpose, bytes: &[u8]) -> Option<&'static str> {
    match purpose {
        Purpose::Audio => {
            if bytes.starts_with(b"ID3") || (bytes.len() > 1 && bytes[0] == 0xFF && bytes[1] & 0xE0 == 0xE0) {
                Some("audio/mpeg")
            } else if bytes.len() > 8 && &bytes[4..8] == b"ftyp" {
                Some("audio/mp4")
            } else if bytes.starts_with(b"OggS") {
                Some("audio/ogg")
            } else {
                None
            }
        }
        Purpose::Document => {
            if bytes.starts_with(b"%PDF-") {
                Some("application/pdf")
            } else {
                None
            }
        }
    }
}

/// Checks an upload for `purpose`: not empty, not too large, and of a type allowed. Answers
/// the type the bytes show.
pub fn check_upload(purpose: Purpose, bytes: &[u8]) -> Result<&'static str, ContentRefusal> {
    let max = purpose.max_bytes();
    if bytes.is_empty() {
        return Err(ContentRefusal::EmptyFile);
    }
    if bytes.len() > max {
        return Err(ContentRefusal::FileTooLarge { size: bytes.len(), max });
    }
    sniff(purpose, bytes).ok_or(ContentRefusal::FileType { purpose })
}

/// A file name safe to put in a URL and a Content-Disposition header.
pub fn clean_name(name: &str) -> String {
    let base = name.rsplit(['/', '\\']).next().unwrap_or(name);
    let cleaned: String = base
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '.' || c == '-' || c == '_' {
                c
            } else {
                '-'
            }
        })
        .collect();
    let cleaned = cleaned.trim_matches(['-', '.']).to_owned();
    if cleaned.is_empty() { "file".to_owned() } else { cleaned }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn uploads_are_typed_by_their_bytes() {
        assert_eq!(check_upload(Purpose::Document, b"%PDF-1.7 ..."), Ok("application/pdf"));
        assert_eq!(check_upload(Purpose::Audio, b"ID3\x04rest"), Ok("audio/mpeg"));
        assert_eq!(check_upload(Purpose::Audio, b"OggS...."), Ok("audio/ogg"));
        assert_eq!(check_upload(Purpose::Audio, b""), Err(ContentRefusal::EmptyFile));
        assert_eq!(
            check_upload(Purpose::Audio, b"%PDF-1.7").unwrap_err().to_string(),
            "The file must be an MP3, M4A or Ogg audio file."
        );
        let big = vec![b'%'; MAX_DOCUMENT_BYTES + 1];
        assert_eq!(
            check_upload(Purpose::Document, &big).unwrap_err().to_string(),
            "The file is 25.0 MB; the largest allowed is 25.0 MB."
        );
        assert_eq!(clean_name("C:\\docs\\Annual report 2026.pdf"), "Annual-report-2026.pdf");
        assert_eq!(clean_name("../.."), "file");
    }

    #[test]
    fn types_come_from_the_bytes() {
        assert_eq!(sniff(Purpose::Audio, b"ID3\x04rest"), Some("audio/mpeg"));
        assert_eq!(sniff(Purpose::Audio, &[0xFF, 0xFB, 0x90, 0x00]), Some("audio/mpeg"));
        assert_eq!(sniff(Purpose::Audio, b"\0\0\0\x20ftypM4A "), Some("audio/mp4"));
        assert_eq!(sniff(Purpose::Audio, b"%PDF-1.7"), None);
        assert_eq!(sniff(Purpose::Document, b"%PDF-1.7"), Some("application/pdf"));
        assert_eq!(sniff(Purpose::Document, b"<html>"), None);
    }

    #[test]
    fn names_are_cleaned() {
        assert_eq!(clean_name("C:\\music\\Episode 1 (final).mp3"), "Episode-1--final-.mp3");
        assert_eq!(clean_name("../../etc/passwd"), "passwd");
        assert_eq!(clean_name("..."), "file");
    }
}
