//! The public shell: the menu's pages, the footer's pages, health, not found.
use reqwest::StatusCode;

use crate::on_both_backends;
use crate::support::{Backend, TestApp};

on_both_backends!(public_pages_share_the_shell, healthz_follows_the_database);

/// The demo hub's public site (its learning page gives the demo's prices).
async fn public_pages_share_the_shell(backend: Backend) {
    let Some(app) = TestApp::spawn_on(backend, time::macros::date!(2026 - 11 - 10)).await else {
        return;
    };
    let b = app.browser();
    let (_, home) = b.get_text("/").await;
    for label in [
        "About",
        "Remote learning",
        "Learning",
        "Virtual Music Centre",
        "Early Years",
        "Contact",
        "Sign up",
        "Log in",
        "Basket",
    ] {
        assert!(home.contains(&format!(">{label}<")), "the menu has {label}");
    }
    let paths = [
        "/",
        "/about",
        "/remote-learning",
        "/learning",
        "/virtual-music-centre",
        "/early-years",
        "/contact",
        "/sitemap",
        "/accessibility",
        "/privacy",
        "/terms",
        "/basket",
        "/login",
        "/signup",
        "/forgot-password",
    ];
    for path in paths {
        let (status, html) = b.get_text(path).await;
        assert_eq!(status, StatusCode::OK, "{path}");
        assert_eq!(html.matches("<h1").count(), 1, "one h1 on {path}");
        assert!(html.contains("href=\"#main\""), "skip link on {path}");
        assert!(html.contains("<html lang=\"en-GB\">"), "{path}");
        for footer in ["/sitemap", "/accessibility", "/terms", "/privacy"] {
            assert!(html.contains(&format!("href=\"{footer}\"")), "{path} links to {footer}");
        }
        // Every input has a label.
        for id in html
            .match_indices("<input id=\"")
            .map(|(i, _)| &html[i + 11..i + 11 + html[i + 11..].find('"').unwrap()])
        {
            assert!(
                html.contains(&format!("<label for=\"{id}\"")),
                "{path}: input {id} has a label"
            );
        }
    }
    let (_, learning) = b.get_text("/learning").await;
    // What lessons cost is the policy's to say: the page points to the prices.
    assert!(learning.contains("free school meals pay less") && learning.contains("href=\"/learning/prices\""));
    let (status, html) = b.get_text("/no/such/page").await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert!(html.contains("Page not found"));
    let r = b.get("/static/site.css").await;
    let etag = r.headers().get("etag").unwrap().to_str().unwrap().to_owned();
    let r = b
        .client
        .get(format!("{}/static/site.css", b.base))
        .header("if-none-match", etag)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::NOT_MODIFIED);
}

async fn healthz_follows_the_database(backend: Backend) {
    let Some(app) = TestApp::spawn_empty_on(backend, time::macros::date!(2026 - 11 - 10)).await else {
        return;
    };
    let b = app.browser();
    assert_eq!(b.get("/healthz").await.status(), StatusCode::OK);
    // Closing the pool is the database going away, as far as the app can tell.
    app.store.clone().close().await;
    assert_eq!(b.get("/healthz").await.status(), StatusCode::SERVICE_UNAVAILABLE);
}
