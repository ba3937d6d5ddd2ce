//! Machine-readable views of the site: the news Atom feed, the podcast RSS feed with
//! enclosures, sitemap.xml and robots.txt.
use axum::response::Response;
use tutti_store::content::{Kind, ListFilter};

use super::views::{iso, item_url};
use super::{Ctx, markdown};
use crate::error::AppResult;
use crate::page_cache::Rendered;

/// Escapes text for XML.
fn x(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            c => out.push(c),
        }
    }
    out
}

pub async fn atom(ctx: Ctx) -> AppResult<Response> {
    ctx.serve(|| async {
        let items = ctx
            .state
            .store
            .content_list(
                Kind::News,
                &ListFilter {
                    limit: Some(20),
                    ..Default::default()
                },
            )
            .await?;
        let updated = items
            .iter()
            .map(|i| i.updated_at)
            .max()
            .unwrap_or_else(tutti_store::now);
        let mut out = String::from("<?xml version=\"1.0\" encoding=\"utf-8\"?>\n<feed xmlns=\"http://www.w3.org/2005/Atom\">\n");
        out.push_str(&format!(
            "<title>{} news</title>\n<id>{}</id>\n<link rel=\"self\" href=\"{}\"/>\n<link rel=\"alternate\" type=\"text/html\" href=\"{}\"/>\n<updated>{}</updated>\n",
            x(&ctx.state.hub_name()),
            x(&ctx.absolute("/news")),
            x(&ctx.absolute("/news/feed.atom")),
            x(&ctx.absolute("/news")),
            iso(updated)
        ));
        for i in &items {
            let url = ctx.absolute(&item_url(i));
            let author = if i.author.is_empty() { ctx.state.hub_name() } else { i.author.clone() };
            out.push_str(&format!(
                "<entry>\n<title>{}</title>\n<id>{}</id>\n<link rel=\"alternate\" type=\"text/html\" href=\"{}\"/>\n<published>{}</published>\n<updated>{}</updated>\n<author><name>{}</name></author>\n<summary>{}</summary>\n<content type=\"html\">{}</content>\n</entry>\n",
                x(&i.title),
                x(&url),
                x(&url),
                iso(i.published_at.unwrap_or(i.created_at)),
                iso(i.updated_at),
                x(&author),
                x(&i.summary),
                x(&markdown::to_html(&i.body)),
            ));
        }
        out.push_str("</feed>\n");
        Ok(Rendered::new(out, "application/atom+xml; charset=utf-8"))
    })
    .await
}

/// RFC 2822 dates, as RSS requires.
fn rfc2822(t: time::OffsetDateTime) -> String {
    t.format(&time::format_description::well_known::Rfc2822)
        .unwrap_or_default()
}

pub async fn podcast_rss(ctx: Ctx) -> AppResult<Response> {
    ctx.serve(|| async {
        let store = &ctx.state.store;
        let items = store.content_list(Kind::Podcast, &ListFilter::default()).await?;
        let hub = x(&ctx.state.hub_name());
        let mut out = String::from(
            "<?xml version=\"1.0\" encoding=\"utf-8\"?>\n<rss version=\"2.0\" xmlns:itunes=\"http://www.itunes.com/dtds/podcast-1.0.dtd\" xmlns:atom=\"http://www.w3.org/2005/Atom\">\n<channel>\n",
        );
        out.push_str(&format!(
            "<title>The singing podcast from {hub}</title>\n<link>{}</link>\n<atom:link href=\"{}\" rel=\"self\" type=\"application/rss+xml\"/>\n<description>Songs to learn at home and in class, with warm-ups and harmony parts.</description>\n<language>en-gb</language>\n<itunes:author>{hub}</itunes:author>\n<itunes:explicit>false</itunes:explicit>\n<itunes:category text=\"Education\"/>\n",
            x(&ctx.absolute("/podcast")),
            x(&ctx.absolute("/podcast/feed.xml")),
        ));
        for i in &items {
            let Some(file) = (match i.file_id {
                Some(id) => store.content_file_info(id).await?,
                None => None,
            }) else {
                continue;
            };
            let page = ctx.absolute(&item_url(i));
            // The enclosure's address names the file by id: stable for as long as the file is.
            let audio = ctx.absolute(&format!("/files/{}/{}", file.id, file.name));
            out.push_str(&format!(
                "<item>\n<title>{}</title>\n<link>{}</link>\n<guid isPermaLink=\"true\">{}</guid>\n<pubDate>{}</pubDate>\n<description>{}</description>\n<enclosure url=\"{}\" length=\"{}\" type=\"{}\"/>\n{}{}</item>\n",
                x(&i.title),
                x(&page),
                x(&page),
                rfc2822(i.published_at.unwrap_or(i.created_at)),
                x(&i.summary),
                x(&audio),
                file.size,
                x(&file.content_type),
                i.duration_seconds.map(|s| format!("<itunes:duration>{s}</itunes:duration>\n")).unwrap_or_default(),
                i.episode_number.map(|n| format!("<itunes:episode>{n}</itunes:episode>\n")).unwrap_or_default(),
            ));
        }
        out.push_str("</channel>\n</rss>\n");
        Ok(Rendered::new(out, "application/rss+xml; charset=utf-8"))
    })
    .await
}

pub async fn sitemap_xml(ctx: Ctx) -> AppResult<Response> {
    ctx.serve(|| async {
        let items = ctx.state.store.content_all_visible().await?;
        let mut out = String::from(
            "<?xml version=\"1.0\" encoding=\"utf-8\"?>\n<urlset xmlns=\"http://www.sitemaps.org/schemas/sitemap/0.9\">\n",
        );
        for path in [
            "/",
            "/news",
            "/episodes",
            "/resources",
            "/podcast",
            "/vacancies",
            "/faqs",
            "/reports-and-policies",
            "/sitemap",
        ] {
            out.push_str(&format!("<url><loc>{}</loc></url>\n", x(&ctx.absolute(path))));
        }
        for i in items.iter().filter(|i| !matches!(i.kind.as_str(), "faq" | "document")) {
            out.push_str(&format!(
                "<url><loc>{}</loc><lastmod>{}</lastmod></url>\n",
                x(&ctx.absolute(&item_url(i))),
                i.updated_at.date()
            ));
        }
        out.push_str("</urlset>\n");
        Ok(Rendered::new(out, "application/xml; charset=utf-8"))
    })
    .await
}

pub async fn robots(ctx: Ctx) -> AppResult<Response> {
    ctx.serve(|| async {
        let body = format!(
            "User-agent: *\nDisallow: /admin\nDisallow: /account\nDisallow: /search\nSitemap: {}\n",
            ctx.absolute("/sitemap.xml")
        );
        Ok(Rendered::new(body, "text/plain; charset=utf-8"))
    })
    .await
}
