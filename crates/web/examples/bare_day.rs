//! The speed benchmark's bare program (bench/lessons/run.sh, docs/decisions/0053): the
//! teacher's day page from the page's own store query and template, and a register mark with
//! the store's own write, served by a minimal HTTP/1.1 loop on raw tokio. No framework,
//! session, CSRF, authorization or request audit: what is left is the ceiling Tutti is held to.
//!
//! Usage: bare_day DATABASE_URL 127.0.0.1:PORT TEACHER_EMAIL
use std::sync::Arc;

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};
use tutti_domain::guarantee::RegisterMark;
use tutti_store::Store;
use tutti_store::platform::accounts::User;
use tutti_store::platform::audit::Actor;
use tutti_store::teaching::registers::MarkScope;
use tutti_web::bench::{PageFrame, teacher_day_html};

struct Ctx {
    store: Store,
    frame: PageFrame,
    user: User,
    staff: i64,
}

#[tokio::main]
async fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let [url, bind, email] = args.as_slice() else {
        eprintln!("usage: bare_day DATABASE_URL 127.0.0.1:PORT TEACHER_EMAIL");
        std::process::exit(2);
    };
    let store = Store::connect(url).await.expect("open the database");
    let user = store
        .user_by_email(email)
        .await
        .expect("read the user")
        .expect("no such user");
    let ctx = Arc::new(Ctx {
        frame: PageFrame::read(&store).await.expect("read the menu"),
        staff: user.staff_id.expect("the user is not a teacher"),
        user,
        store,
    });
    let listener = TcpListener::bind(bind.as_str()).await.expect("bind");
    loop {
        let Ok((socket, _)) = listener.accept().await else {
            continue;
        };
        let _ = socket.set_nodelay(true);
        tokio::spawn(connection(socket, ctx.clone()));
    }
}

fn find(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    haystack.windows(needle.len()).position(|w| w == needle)
}

/// One keep-alive connection: read a request, answer it, until the client closes.
async fn connection(mut socket: TcpStream, ctx: Arc<Ctx>) {
    let mut buf: Vec<u8> = Vec::with_capacity(8192);
    let mut chunk = [0u8; 8192];
    loop {
        let head_end = loop {
            if let Some(i) = find(&buf, b"\r\n\r\n") {
                break i + 4;
            }
            match socket.read(&mut chunk).await {
                Ok(0) | Err(_) => return,
                Ok(n) => buf.extend_from_slice(&chunk[..n]),
            }
        };
        let head = String::from_utf8_lossy(&buf[..head_end]).into_owned();
        let length: usize = head
            .lines()
            .find_map(|l| {
                let (k, v) = l.split_once(':')?;
                k.trim()
                    .eq_ignore_ascii_case("content-length")
                    .then(|| v.trim().parse().ok())?
            })
            .unwrap_or(0);
        while buf.len() < head_end + length {
            match socket.read(&mut chunk).await {
                Ok(0) | Err(_) => return,
                Ok(n) => buf.extend_from_slice(&chunk[..n]),
            }
        }
        let body: Vec<u8> = buf.drain(..head_end + length).skip(head_end).collect();
        let mut words = head.split_whitespace();
        let (method, target) = (words.next().unwrap_or(""), words.next().unwrap_or("/"));
        let response = match method {
            "GET" => day(&ctx, target).await,
            "POST" => mark(&ctx, target, &body).await,
            _ => reply("405 Method Not Allowed", "", ""),
        };
        if socket.write_all(&response).await.is_err() {
            return;
        }
    }
}

fn reply(status: &str, extra_headers: &str, body: &str) -> Vec<u8> {
    format!(
        "HTTP/1.1 {status}\r\ncontent-type: text/html; charset=utf-8\r\ncontent-length: {}\r\n{extra_headers}\r\n{body}",
        body.len()
    )
    .into_bytes()
}

/// The `date` of a query string or form body, or today.
fn date_in(pairs: &str, today: time::Date) -> time::Date {
    form_urlencoded::parse(pairs.as_bytes())
        .find(|(k, _)| k == "date")
        .and_then(|(_, v)| time::Date::parse(&v, time::macros::format_description!("[year]-[month]-[day]")).ok())
        .unwrap_or(today)
}

async fn day(ctx: &Ctx, target: &str) -> Vec<u8> {
    let query = target.split_once('?').map_or("", |(_, q)| q);
    // The page carries a CSRF token in its forms; a fixed one of the same length stands in.
    let csrf = "0".repeat(64);
    match teacher_day_html(
        &ctx.store,
        &ctx.frame,
        &ctx.user,
        ctx.staff,
        &csrf,
        date_in(query, ctx.store.today()),
    )
    .await
    {
        Ok(html) => reply("200 OK", "", &html),
        Err(e) => reply("500 Internal Server Error", "", &e),
    }
}

/// POST /teacher/lessons/{id}/mark with pupil, mark and date, as the day page's buttons send.
async fn mark(ctx: &Ctx, target: &str, body: &[u8]) -> Vec<u8> {
    let lesson = target
        .strip_prefix("/teacher/lessons/")
        .and_then(|rest| rest.strip_suffix("/mark"))
        .and_then(|id| id.parse::<i64>().ok());
    let form = String::from_utf8_lossy(body);
    let field = |name: &str| {
        form_urlencoded::parse(form.as_bytes())
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.into_owned())
            .unwrap_or_default()
    };
    let (Some(lesson), Ok(pupil), Ok(mark)) = (
        lesson,
        field("pupil").parse::<i64>(),
        field("mark").parse::<RegisterMark>(),
    ) else {
        return reply("400 Bad Request", "", "");
    };
    let actor = Actor::user(&ctx.user, "127.0.0.1");
    match ctx
        .store
        .mark_pupil(&actor, MarkScope::Teacher(ctx.staff), lesson, pupil, mark)
        .await
    {
        Ok(()) => reply(
            "303 See Other",
            &format!(
                "location: /teacher/day?date={}#lesson-{lesson}\r\n",
                date_in(&form, ctx.store.today())
            ),
            "",
        ),
        Err(e) => reply("409 Conflict", "", &e.to_string()),
    }
}
