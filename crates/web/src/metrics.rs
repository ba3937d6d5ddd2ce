//! The app server's figures for `/metrics`, in Prometheus's text format (version 0.0.4),
//! written here rather than by a metrics crate: requests by route template (never the raw
//! path, so the number of series stays bounded) and status, their durations as histograms,
//! job durations, login failures; and, read when scraped, the database pool's use, the
//! outbox's backlog and the jobs running on any app server.
use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::sync::Mutex;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use axum::extract::{MatchedPath, Request};
use axum::middleware::Next;
use axum::response::Response;

/// Upper bounds of the request duration buckets, in seconds.
const REQUEST_BUCKETS: [f64; 11] = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0];
/// Upper bounds of the job duration buckets, in seconds.
const JOB_BUCKETS: [f64; 9] = [1.0, 5.0, 15.0, 30.0, 60.0, 120.0, 300.0, 600.0, 1800.0];

/// The label of pages answered from memory before routing (`fast_path`).
pub const PAGE_CACHE: &str = "(page cache)";

/// The route template a request was answered by, put on the response by `tag_route`.
#[derive(Clone, Debug)]
pub struct RouteTemplate(pub String);

/// Inside the router: the matched route's template travels out on the response, for the
/// access log and the counts. Requests no route matched (the fallback's 404, a page
/// answered from memory before routing) have none.
pub async fn tag_route(request: Request, next: Next) -> Response {
    let route = request.extensions().get::<MatchedPath>().map(|m| m.as_str().to_owned());
    let mut response = next.run(request).await;
    if let Some(route) = route {
        response.extensions_mut().insert(RouteTemplate(route));
    }
    response
}

#[derive(Clone, Debug)]
struct Histogram {
    bounds: &'static [f64],
    /// Observations at or under each bound (not yet cumulative).
    counts: Vec<u64>,
    sum: f64,
    count: u64,
}

impl Histogram {
    fn new(bounds: &'static [f64]) -> Histogram {
        Histogram {
            bounds,
            counts: vec![0; bounds.len()],
            sum: 0.0,
            count: 0,
        }
    }

    fn observe(&mut self, seconds: f64) {
        if let Some(i) = self.bounds.iter().position(|b| seconds <= *b) {
            self.counts[i] += 1;
        }
        self.sum += seconds;
        self.count += 1;
    }

    fn write(&self, out: &mut String, name: &str, labels: &str) {
        let mut running = 0;
        for (bound, n) in self.bounds.iter().zip(&self.counts) {
            running += n;
            let _ = writeln!(out, "{name}_bucket{{{labels},le=\"{bound}\"}} {running}");
        }
        let _ = writeln!(out, "{name}_bucket{{{labels},le=\"+Inf\"}} {}", self.count);
        let _ = writeln!(out, "{name}_sum{{{labels}}} {}", self.sum);
        let _ = writeln!(out, "{name}_count{{{labels}}} {}", self.count);
    }
}

/// A label's value as the format needs it: backslash, double quote and line feed escaped.
fn escape(value: &str) -> String {
    value.replace('\\', "\\\\").replace('"', "\\\"").replace('\n', "\\n")
}

/// The figures this app server has counted since it started.
#[derive(Default)]
pub struct Metrics {
    /// (route, method, status) → requests.
    requests: Mutex<BTreeMap<(String, String, u16), u64>>,
    /// route → durations.
    durations: Mutex<BTreeMap<String, Histogram>>,
    /// (kind, outcome) → durations of jobs run here.
    jobs: Mutex<BTreeMap<(String, String), Histogram>>,
    /// why → failed logins.
    login_failures: Mutex<BTreeMap<&'static str, u64>>,
    /// Requests numbered, for request ids.
    next_request: AtomicU64,
}

/// What is read from the database when scraped.
pub struct Gauges {
    /// (open, idle, most).
    pub pool: (u32, usize, u32),
    pub outbox_backlog: u64,
    pub jobs_running: i64,
}

impl Metrics {
    pub fn observe_request(&self, route: &str, method: &str, status: u16, took: Duration) {
        if let Ok(mut m) = self.requests.lock() {
            *m.entry((route.to_owned(), method.to_owned(), status)).or_default() += 1;
        }
        if let Ok(mut m) = self.durations.lock() {
            m.entry(route.to_owned())
                .or_insert_with(|| Histogram::new(&REQUEST_BUCKETS))
                .observe(took.as_secs_f64());
        }
    }

    pub fn observe_job(&self, kind: &str, outcome: &str, took: Duration) {
        if let Ok(mut m) = self.jobs.lock() {
            m.entry((kind.to_owned(), outcome.to_owned()))
                .or_insert_with(|| Histogram::new(&JOB_BUCKETS))
                .observe(took.as_secs_f64());
        }
    }

    /// A login refused: `why` is "password" (wrong or unknown) or "throttled".
    pub fn login_failed(&self, why: &'static str) {
        if let Ok(mut m) = self.login_failures.lock() {
            *m.entry(why).or_default() += 1;
        }
    }

    /// The next request's number in this process.
    pub fn request_number(&self) -> u64 {
        self.next_request.fetch_add(1, Ordering::Relaxed) + 1
    }

    /// Everything, in the text format.
    pub fn render(&self, gauges: &Gauges) -> String {
        let mut out = String::new();
        out.push_str("# HELP http_requests_total HTTP requests answered, by route template, method and status.\n");
        out.push_str("# TYPE http_requests_total counter\n");
        if let Ok(m) = self.requests.lock() {
            for ((route, method, status), n) in m.iter() {
                let _ = writeln!(
                    out,
                    "http_requests_total{{route=\"{}\",method=\"{}\",status=\"{status}\"}} {n}",
                    escape(route),
                    escape(method)
                );
            }
        }
        out.push_str("# HELP http_request_duration_seconds Time to answer a request, by route template.\n");
        out.push_str("# TYPE http_request_duration_seconds histogram\n");
        if let Ok(m) = self.durations.lock() {
            for (route, h) in m.iter() {
                h.write(
                    &mut out,
                    "http_request_duration_seconds",
                    &format!("route=\"{}\"", escape(route)),
                );
            }
        }
        out.push_str("# HELP tutti_job_duration_seconds Time long jobs run here took, by kind and outcome.\n");
        out.push_str("# TYPE tutti_job_duration_seconds histogram\n");
        if let Ok(m) = self.jobs.lock() {
            for ((kind, outcome), h) in m.iter() {
                h.write(
                    &mut out,
                    "tutti_job_duration_seconds",
                    &format!("kind=\"{}\",outcome=\"{}\"", escape(kind), escape(outcome)),
                );
            }
        }
        out.push_str("# HELP tutti_login_failures_total Logins refused here, by why.\n");
        out.push_str("# TYPE tutti_login_failures_total counter\n");
        if let Ok(m) = self.login_failures.lock() {
            for why in ["password", "throttled"] {
                let _ = writeln!(
                    out,
                    "tutti_login_failures_total{{reason=\"{why}\"}} {}",
                    m.get(why).copied().unwrap_or(0)
                );
            }
        }
        let (open, idle, most) = gauges.pool;
        let gauge = |out: &mut String, name: &str, help: &str, value: String| {
            let _ = writeln!(out, "# HELP {name} {help}\n# TYPE {name} gauge\n{name} {value}");
        };
        gauge(
            &mut out,
            "tutti_db_pool_connections",
            "Database connections this app server holds open.",
            open.to_string(),
        );
        gauge(
            &mut out,
            "tutti_db_pool_idle_connections",
            "Of those, idle.",
            idle.to_string(),
        );
        gauge(
            &mut out,
            "tutti_db_pool_max_connections",
            "The most this app server may open.",
            most.to_string(),
        );
        gauge(
            &mut out,
            "tutti_outbox_backlog",
            "Mail waiting to be sent (every app server's).",
            gauges.outbox_backlog.to_string(),
        );
        gauge(
            &mut out,
            "tutti_jobs_running",
            "Long jobs running on any app server.",
            gauges.jobs_running.to_string(),
        );
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn gauges() -> Gauges {
        Gauges {
            pool: (3, 2, 16),
            outbox_backlog: 7,
            jobs_running: 1,
        }
    }

    #[test]
    fn counts_and_histograms_are_written_in_the_text_format() {
        let m = Metrics::default();
        m.observe_request("/admin/pupils/{id}", "GET", 200, Duration::from_millis(20));
        m.observe_request("/admin/pupils/{id}", "GET", 200, Duration::from_millis(300));
        m.observe_request("/admin/pupils/{id}", "GET", 404, Duration::from_secs(20));
        m.observe_job("billing_run", "done", Duration::from_secs(12));
        m.login_failed("password");
        let text = m.render(&gauges());
        assert!(text.contains("http_requests_total{route=\"/admin/pupils/{id}\",method=\"GET\",status=\"200\"} 2\n"));
        assert!(text.contains("status=\"404\"} 1\n"));
        // Buckets are cumulative; +Inf holds the 20 s request past every bound.
        assert!(text.contains("http_request_duration_seconds_bucket{route=\"/admin/pupils/{id}\",le=\"0.025\"} 1\n"));
        assert!(text.contains("http_request_duration_seconds_bucket{route=\"/admin/pupils/{id}\",le=\"0.5\"} 2\n"));
        assert!(text.contains("http_request_duration_seconds_bucket{route=\"/admin/pupils/{id}\",le=\"+Inf\"} 3\n"));
        assert!(text.contains("http_request_duration_seconds_count{route=\"/admin/pupils/{id}\"} 3\n"));
        assert!(
            text.contains("tutti_job_duration_seconds_bucket{kind=\"billing_run\",outcome=\"done\",le=\"15\"} 1\n")
        );
        assert!(text.contains("tutti_login_failures_total{reason=\"password\"} 1\n"));
        assert!(text.contains("tutti_login_failures_total{reason=\"throttled\"} 0\n"));
        assert!(text.contains("tutti_db_pool_connections 3\n"));
        assert!(text.contains("tutti_outbox_backlog 7\n"));
        // Every sample line is a name, optional labels and a number.
        for line in text.lines().filter(|l| !l.starts_with('#')) {
            let value = line.rsplit(' ').next().unwrap();
            assert!(value.parse::<f64>().is_ok(), "{line}");
        }
    }

    #[test]
    fn label_values_are_escaped() {
        assert_eq!(escape("a\"b\\c\nd"), "a\\\"b\\\\c\\nd");
    }
}
