//! Static assets compiled into the binary, served with a content hash as their ETag.
use axum::extract::Path;
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};

struct Asset {
    name: &'static str,
    content_type: &'static str,
    body: &'static [u8],
}

/// An asset of `static/` by its file name.
macro_rules! asset {
    ($name:literal, $content_type:expr) => {
        Asset {
            name: $name,
            content_type: $content_type,
            body: include_bytes!(concat!("../static/", $name)),
        }
    };
}

const SCRIPT: &str = "text/javascript; charset=utf-8";

const ASSETS: &[Asset] = &[
    asset!("site.css", "text/css; charset=utf-8"),
    asset!("passkeys.js", SCRIPT),
    asset!("menu.js", SCRIPT),
    asset!("pickers.js", SCRIPT),
    asset!("print.js", SCRIPT),
    asset!("bulk.js", SCRIPT),
    asset!("favicon.svg", "image/svg+xml"),
];

/// A cheap stable hash (FNV-1a) of an asset, for its ETag.
fn etag(body: &[u8]) -> String {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for b in body {
        h ^= u64::from(*b);
        h = h.wrapping_mul(0x0100_0000_01b3);
    }
    format!("\"{h:016x}\"")
}

pub async fn serve(Path(name): Path<String>, headers: HeaderMap) -> Response {
    let Some(asset) = ASSETS.iter().find(|a| a.name == name) else {
        return crate::error::AppError::NotFound.into_response();
    };
    let tag = etag(asset.body);
    let cache = HeaderValue::from_static("public, max-age=3600");
    if headers.get(header::IF_NONE_MATCH).and_then(|v| v.to_str().ok()) == Some(tag.as_str()) {
        return (
            StatusCode::NOT_MODIFIED,
            [
                (header::ETAG, tag),
                (header::CACHE_CONTROL, cache.to_str().unwrap().to_owned()),
            ],
        )
            .into_response();
    }
    (
        [
            (header::CONTENT_TYPE, HeaderValue::from_static(asset.content_type)),
            (header::ETAG, HeaderValue::from_str(&tag).expect("hex")),
            (header::CACHE_CONTROL, cache),
        ],
        asset.body,
    )
        .into_response()
}

#[cfg(test)]
mod tests {
    use super::ASSETS;

    /// Every rule of the style sheet is closed: one brace left open (a merge can leave one)
    /// silently swallows every rule after it, and the phone layouts with them.
    #[test]
    fn the_style_sheet_closes_every_block() {
        let css = ASSETS
            .iter()
            .find(|a| a.name == "site.css")
            .expect("site.css is served");
        let text = std::str::from_utf8(css.body).expect("site.css is UTF-8");
        let mut depth = 0i32;
        for (n, line) in text.lines().enumerate() {
            for c in line.chars() {
                match c {
                    '{' => depth += 1,
                    '}' => depth -= 1,
                    _ => {}
                }
                assert!(depth >= 0, "site.css line {}: a brace closes nothing", n + 1);
            }
            if line.starts_with("/* ==") {
                assert_eq!(
                    depth,
                    0,
                    "site.css line {}: a section starts inside an open block",
                    n + 1
                );
            }
        }
        assert_eq!(depth, 0, "site.css ends with a block open");
    }
}
