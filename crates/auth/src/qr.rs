//! QR codes drawn as inline SVG, for showing an `otpauth://` URI on a page so that an
//! authenticator app can scan it.
//!
//! The qrcode crate lays out the modules; the SVG is written here rather than by the crate's
//! own `svg` renderer because that one starts with an XML declaration (wrong inside HTML),
//! has no accessible name, and draws each dark module separately. Here each row's runs of
//! dark modules are one path segment, and the drawing is labelled for screen readers.

use qrcode::{Color, EcLevel, QrCode};
use thiserror::Error;

/// The quiet zone: the light border, four modules wide, that ISO/IEC 18004 requires around
/// the code. Pages may be in a dark theme, so it is drawn rather than left to the page.
pub const QUIET_MODULES: usize = 4;

/// Screen pixels per module at the drawing's natural size: a version 6 code (what an
/// otpauth URI needs) comes to about 250 pixels, easy for a phone camera to read.
const PIXELS_PER_MODULE: usize = 5;

#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum QrError {
    #[error("The text is too long to fit in a QR code")]
    TooLong,
}

/// The QR code for `text` as an `<svg>` element, with `label` as its accessible name (for
/// example "QR code to add Tutti to your authenticator app").
///
/// Error correction is level M (15% of the code can be lost), the usual choice for a code
/// shown on a screen, where damage is rare but glare and moiré are not.
pub fn svg(text: &str, label: &str) -> Result<String, QrError> {
    let code = QrCode::with_error_correction_level(text, EcLevel::M).map_err(|_| QrError::TooLong)?;
    let width = code.width();
    let colors = code.to_colors();
    let size = width + 2 * QUIET_MODULES;
    let pixels = size * PIXELS_PER_MODULE;
    let label = escape(label);
    let mut svg = format!(
        concat!(
            r#"<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {size} {size}" width="{pixels}" height="{pixels}" "#,
            r#"role="img" aria-label="{label}" shape-rendering="crispEdges">"#,
            r#"<title>{label}</title>"#,
            r##"<rect width="{size}" height="{size}" fill="#fff"/>"##,
            r##"<path fill="#000" d=""##
        ),
        size = size,
        pixels = pixels,
        label = label,
    );
    for (y, row) in colors.chunks(width).enumerate() {
        let mut x = 0;
        while x < width {
            if row[x] == Color::Dark {
                let start = x;
                while x < width && row[x] == Color::Dark {
                    x += 1;
                }
                svg.push_str(&format!(
                    "M{} {}h{}v1h-{}z",
                    start + QUIET_MODULES,
                    y + QUIET_MODULES,
                    x - start,
                    x - start
                ));
            } else {
                x += 1;
            }
        }
    }
    svg.push_str(r#""/></svg>"#);
    Ok(svg)
}

/// Escapes text for use both as element content and inside a double-quoted attribute.
fn escape(text: &str) -> String {
    let mut escaped = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => escaped.push_str("&amp;"),
            '<' => escaped.push_str("&lt;"),
            '>' => escaped.push_str("&gt;"),
            '"' => escaped.push_str("&quot;"),
            '\'' => escaped.push_str("&#39;"),
            _ => escaped.push(c),
        }
    }
    escaped
}

#[cfg(test)]
mod tests {
    use super::*;
    use qrcode::Version;

    const URI: &str = "otpauth://totp/Tutti%20Music%20Hub:anne%40example.org?secret=GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ\
                       &issuer=Tutti%20Music%20Hub&algorithm=SHA1&digits=6&period=30";

    fn view_box_size(svg: &str) -> usize {
        let start = svg.find("viewBox=\"0 0 ").unwrap() + 13;
        let rest = &svg[start..];
        rest[..rest.find(' ').unwrap()].parse().unwrap()
    }

    /// Parses the path back into the set of dark modules it draws.
    fn drawn_modules(svg: &str) -> Vec<(usize, usize)> {
        let start = svg.find(" d=\"").unwrap() + 4;
        let path = &svg[start..start + svg[start..].find('"').unwrap()];
        let mut modules = Vec::new();
        for segment in path.split('M').skip(1) {
            let segment = segment.strip_suffix('z').unwrap();
            let (x, rest) = segment.split_once(' ').unwrap();
            let (y, rest) = rest.split_once('h').unwrap();
            let (run, _) = rest.split_once('v').unwrap();
            let (x, y, run): (usize, usize, usize) = (x.parse().unwrap(), y.parse().unwrap(), run.parse().unwrap());
            modules.extend((x..x + run).map(|column| (column, y)));
        }
        modules
    }

    #[test]
    fn an_inline_labelled_svg() {
        let svg = svg(URI, "QR code for your authenticator app").unwrap();
        assert!(svg.starts_with("<svg "));
        assert!(svg.ends_with("</svg>"));
        assert!(!svg.contains("<?xml"));
        assert!(svg.contains(r#"role="img""#));
        assert!(svg.contains(r#"aria-label="QR code for your authenticator app""#));
        assert!(svg.contains("<title>QR code for your authenticator app</title>"));
    }

    #[test]
    fn the_label_is_escaped() {
        let svg = svg("x", r#"Tom & Jerry's "hub" <b>"#).unwrap();
        assert!(svg.contains("<title>Tom &amp; Jerry&#39;s &quot;hub&quot; &lt;b&gt;</title>"));
        assert!(svg.contains(r#"aria-label="Tom &amp; Jerry&#39;s &quot;hub&quot; &lt;b&gt;""#));
    }

    #[test]
    fn the_module_count_fits_the_input() {
        let code = QrCode::with_error_correction_level(URI, EcLevel::M).unwrap();
        let Version::Normal(version) = code.version() else {
            panic!("not a micro code")
        };
        // The smallest version that holds the URI is chosen: one smaller cannot hold it.
        assert!(QrCode::with_version(URI, Version::Normal(version - 1), EcLevel::M).is_err());
        let width = 17 + 4 * version as usize;
        assert_eq!(code.width(), width);
        assert_eq!(view_box_size(&svg(URI, "x").unwrap()), width + 2 * QUIET_MODULES);

        // A short text fits the smallest code, 21 modules wide.
        assert_eq!(view_box_size(&svg("hello", "x").unwrap()), 21 + 2 * QUIET_MODULES);
        // More text takes more modules.
        let longer = format!("{URI}&image=https%3A%2F%2Fexample.org%2Flogo.png");
        assert!(view_box_size(&svg(&longer, "x").unwrap()) > width + 2 * QUIET_MODULES);
    }

    #[test]
    fn the_path_draws_exactly_the_dark_modules() {
        let code = QrCode::with_error_correction_level(URI, EcLevel::M).unwrap();
        let width = code.width();
        let expected: Vec<(usize, usize)> = code
            .to_colors()
            .iter()
            .enumerate()
            .filter(|(_, color)| **color == Color::Dark)
            .map(|(i, _)| (i % width + QUIET_MODULES, i / width + QUIET_MODULES))
            .collect();
        let mut drawn = drawn_modules(&svg(URI, "x").unwrap());
        drawn.sort_by_key(|&(x, y)| (y, x));
        assert_eq!(drawn, expected);
        // The three finder patterns' top-left corners are dark.
        for corner in [(4, 4), (width - 3, 4), (4, width - 3)] {
            assert!(drawn.contains(&corner), "{corner:?}");
        }
    }

    #[test]
    fn too_much_text_is_an_error() {
        assert_eq!(svg(&"x".repeat(3000), "x"), Err(QrError::TooLong));
    }
}
