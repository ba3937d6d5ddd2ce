//! The one helper that builds the app for every test, and a small browser to drive it.
use std::net::SocketAddr;

use reqwest::redirect::Policy;
use reqwest::{Client, Response, StatusCode};
use tutti_domain::clock::Clock;
use tutti_store::Store;
use tutti_store::demo::DemoSize;
use tutti_store::testing::{TestBackend, TestDatabase};
use tutti_web::WebConfig;

pub use tutti_store::demo::DEMO_PASSWORD;
pub use tutti_store::testing::TestBackend as Backend;
pub use tutti_store::testing::world::PASSWORD;
use tutti_store::testing::world::TOTP_SECRET;

/// A running app on its own fresh database.
pub struct TestApp {
    pub base: String,
    pub store: Store,
    _db: TestDatabase,
}

impl TestApp {
    /// The app with its clock standing at noon on `day` and a small demo hub seeded as of that
    /// day, or `None` when the backend is not configured. Every test app has a set clock:
    /// none reads the real date.
    pub async fn spawn_on(backend: TestBackend, day: time::Date) -> Option<TestApp> {
        Self::start(backend, WebConfig::default(), Clock::on(day), true).await
    }

    /// The app on an empty database, its clock at noon on `day`: the test builds the world
    /// it needs with `tutti_store::testing::world`.
    pub async fn spawn_empty_on(backend: TestBackend, day: time::Date) -> Option<TestApp> {
        Self::start(backend, WebConfig::default(), Clock::on(day), false).await
    }

    /// The app as configured, on an empty database, its clock at noon on `day`.
    pub async fn spawn_empty_with(backend: TestBackend, config: WebConfig, day: time::Date) -> Option<TestApp> {
        Self::start(backend, config, Clock::on(day), false).await
    }

    async fn start(backend: TestBackend, config: WebConfig, clock: Clock, demo: bool) -> Option<TestApp> {
        let db = TestDatabase::create(backend).await?;
        let store = Store::connect(&db.url).await.expect("connect").with_clock(clock);
        store.migrate().await.expect("migrate");
        if demo {
            store.seed_demo(1, DemoSize::SMALL).await.expect("seed the demo hub");
        }
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.expect("bind");
        let addr: SocketAddr = listener.local_addr().unwrap();
        let app_store = store.clone();
        tokio::spawn(async move {
            tutti_web::serve(listener, app_store, config, std::future::pending())
                .await
                .expect("serve");
        });
        Some(TestApp {
            base: format!("http://{addr}"),
            store,
            _db: db,
        })
    }

    /// A new browser with its own cookies.
    pub fn browser(&self) -> Browser {
        Browser {
            client: Client::builder()
                .cookie_store(true)
                .redirect(Policy::none())
                .build()
                .unwrap(),
            base: self.base.clone(),
        }
    }

    /// A browser already logged in: with the builders' password (`world::PASSWORD`), or the
    /// demo's for a demo account, and the second factor given when the login asks for one.
    pub async fn logged_in(&self, email: &str) -> Browser {
        let user = self.store.user_by_email(email).await.unwrap();
        let password = if user.is_some_and(|u| u.is_demo) {
            DEMO_PASSWORD
        } else {
            PASSWORD
        };
        let b = self.browser();
        let r = b.login(email, password).await;
        assert_eq!(r.status(), StatusCode::SEE_OTHER, "login of {email} should succeed");
        let to = location(&r);
        if to.starts_with("/login/second-factor") {
            let r = self.give_second_factor(&b, &to).await;
            assert_eq!(r.status(), StatusCode::SEE_OTHER, "{email}'s second factor is taken");
        }
        b
    }

    /// Answers the second-factor page a login sent `b` to (`asked`, with its `next`) with the
    /// code the builders' authenticator app (`world::TOTP_SECRET`) shows. The hub's clock is
    /// a test's fixed clock, so it is moved on one 30-second step first: a code is never
    /// taken twice, and a clock standing still would show the same code at every login.
    pub async fn give_second_factor(&self, b: &Browser, asked: &str) -> Response {
        let clock = self.store.clock();
        assert!(
            clock.is_fixed(),
            "an office login on the system's clock: spawn the app on a day (spawn_empty_on)"
        );
        clock.advance(time::Duration::seconds(30));
        let next: String = asked
            .split_once('?')
            .and_then(|(_, q)| form_urlencoded::parse(q.as_bytes()).find(|(k, _)| k == "next"))
            .map(|(_, v)| v.into_owned())
            .unwrap_or_else(|| "/account".into());
        let (_, html) = b.get_text(asked).await;
        let csrf = csrf_token(&html).unwrap_or_else(|| panic!("no form on {asked}"));
        let code = tutti_auth::totp::code_at(TOTP_SECRET, self.store.now().unix_timestamp());
        b.post_raw(
            "/login/second-factor",
            &[
                ("csrf_token", csrf.as_str()),
                ("code", code.as_str()),
                ("next", next.as_str()),
            ],
        )
        .await
    }

    /// Posts `body` as JSON to the API at `path` with `token`: the status and the answer
    /// (`null` when it is not JSON).
    pub async fn post_json(
        &self,
        token: &str,
        path: &str,
        body: &serde_json::Value,
    ) -> (StatusCode, serde_json::Value) {
        let r = Client::new()
            .post(format!("{}{path}", self.base))
            .bearer_auth(token)
            .json(body)
            .send()
            .await
            .expect("POST");
        let status = r.status();
        (status, r.json().await.unwrap_or(serde_json::Value::Null))
    }

    /// Gets `path` from the API with `token`: the status and the answer (`null` when it is
    /// not JSON).
    pub async fn get_json(&self, token: &str, path: &str) -> (StatusCode, serde_json::Value) {
        let r = Client::new()
            .get(format!("{}{path}", self.base))
            .bearer_auth(token)
            .send()
            .await
            .expect("GET");
        let status = r.status();
        (status, r.json().await.unwrap_or(serde_json::Value::Null))
    }

    /// A new API token (every scope, no expiry to speak of) for the account with this email.
    pub async fn token(&self, email: &str) -> String {
        let user = self
            .store
            .user_by_email(email)
            .await
            .unwrap()
            .unwrap_or_else(|| panic!("no account {email}"));
        self.store
            .create_api_token(&tutti_store::platform::audit::Actor::cli(), user.id, "test")
            .await
            .unwrap()
    }
}

pub struct Browser {
    pub client: Client,
    pub base: String,
}

impl Browser {
    pub async fn get(&self, path: &str) -> Response {
        self.client
            .get(format!("{}{path}", self.base))
            .send()
            .await
            .expect("GET")
    }

    pub async fn get_text(&self, path: &str) -> (StatusCode, String) {
        let r = self.get(path).await;
        let status = r.status();
        (status, r.text().await.unwrap())
    }

    /// Posts a form exactly as given (no token added).
    pub async fn post_raw(&self, path: &str, fields: &[(&str, &str)]) -> Response {
        self.client
            .post(format!("{}{path}", self.base))
            .form(fields)
            .send()
            .await
            .expect("POST")
    }

    /// Opens `form_page`, takes its CSRF token, and posts `fields` with it to `action`.
    pub async fn submit(&self, form_page: &str, action: &str, fields: &[(&str, &str)]) -> Response {
        let (_, html) = self.get_text(form_page).await;
        let token = csrf_token(&html).unwrap_or_else(|| panic!("no CSRF token on {form_page}"));
        let mut all: Vec<(&str, &str)> = vec![("csrf_token", token.as_str())];
        all.extend_from_slice(fields);
        self.post_raw(action, &all).await
    }

    pub async fn login(&self, email: &str, password: &str) -> Response {
        self.submit("/login", "/login", &[("email", email), ("password", password)])
            .await
    }
}

/// The value of the first CSRF field in a page.
pub fn csrf_token(html: &str) -> Option<String> {
    let marker = "name=\"csrf_token\" value=\"";
    let start = html.find(marker)? + marker.len();
    let end = html[start..].find('"')?;
    Some(html[start..start + end].to_owned())
}

/// The first link in an outbox message body that starts with `prefix`.
pub fn link_in(body: &str, prefix: &str) -> Option<String> {
    let start = body.find(prefix)?;
    let rest = &body[start..];
    let end = rest.find(char::is_whitespace).unwrap_or(rest.len());
    Some(rest[..end].to_owned())
}

pub fn location(r: &Response) -> String {
    r.headers()
        .get("location")
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_owned()
}

/// Sends only the head of a POST to `path` declaring `length` bytes of body, with `headers`,
/// and returns the whole answer as text (the connection is closed after it). The body is never
/// written: a server that refuses a body from its declared length answers and closes, and a
/// client still writing megabytes then would see a broken pipe instead of the answer.
pub async fn declared_only(base: &str, path: &str, headers: &[(&str, &str)], length: usize) -> String {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let host = base.trim_start_matches("http://");
    let mut stream = tokio::net::TcpStream::connect(host).await.expect("connect");
    let mut head = format!("POST {path} HTTP/1.1\r\nHost: {host}\r\n");
    for (name, value) in headers {
        head.push_str(&format!("{name}: {value}\r\n"));
    }
    head.push_str(&format!("Content-Length: {length}\r\nConnection: close\r\n\r\n"));
    stream.write_all(head.as_bytes()).await.expect("send the head");
    let mut answer = Vec::new();
    let read = tokio::time::timeout(std::time::Duration::from_secs(10), stream.read_to_end(&mut answer)).await;
    assert!(read.is_ok(), "no answer within 10 s to a POST declaring {length} bytes");
    String::from_utf8_lossy(&answer).into_owned()
}
