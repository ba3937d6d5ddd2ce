//! Pages without the web framework, for the speed benchmarks: the teacher's day for the bare
//! program (bench/lessons/, docs/decisions/0053), the page's own store query and the same
//! template with no router, middleware, session, authorization or audit around them; and the
//! manager's dashboard (bench/reports/, decision 0092), its queries and template alike.
use std::sync::Arc;

use askama::Template;
use time::Date;
use tutti_store::Store;
use tutti_store::platform::accounts::User;

use crate::routes::teaching::lessons::{day_title, teacher_day_page};
use crate::shell::Shell;

/// What the page's header needs that the app keeps in memory: the hub and the main menu.
#[derive(Clone)]
pub struct PageFrame {
    pub hub: Arc<crate::shell::HubFrame>,
    pub menu: Arc<Vec<(String, String)>>,
}

impl PageFrame {
    /// The frame the app would draw: the hub's identity and the menu, read once.
    pub async fn read(store: &Store) -> Result<PageFrame, String> {
        let identity = store.hub_identity().await.map_err(|e| e.to_string())?;
        Ok(PageFrame {
            hub: Arc::new(crate::hub::frame_of(
                identity.as_ref(),
                &crate::WebConfig::default().hub_name,
            )),
            menu: Arc::new(store.content_menu().await.map_err(|e| e.to_string())?),
        })
    }
}

/// The HTML of `user`'s day (a teacher's, by their staff id) as `/teacher/day?date=` sends it.
pub async fn teacher_day_html(
    store: &Store,
    frame: &PageFrame,
    user: &User,
    staff_id: i64,
    csrf: &str,
    day: Date,
) -> Result<String, String> {
    let shell = Shell {
        title: day_title(day),
        hub: frame.hub.clone(),
        user: Some(user.clone()),
        csrf: csrf.to_owned(),
        flash: None,
        path: "/teacher/day".to_owned(),
        menu: frame.menu.clone(),
        og: None,
    };
    teacher_day_page(store, staff_id, day, shell, csrf.to_owned())
        .await
        .map_err(|e| e.to_string())?
        .render()
        .map_err(|e| e.to_string())
}

/// The HTML of the manager's dashboard as `/admin/dashboard` sends it to `user`.
pub async fn dashboard_html(store: &Store, frame: &PageFrame, user: &User) -> Result<String, String> {
    let shell = Shell {
        title: "Dashboard".to_owned(),
        hub: frame.hub.clone(),
        user: Some(user.clone()),
        csrf: String::new(),
        flash: None,
        path: "/admin/dashboard".to_owned(),
        menu: frame.menu.clone(),
        og: None,
    };
    crate::routes::reports::dashboard::hub_dashboard(store, shell)
        .await
        .map_err(|e| format!("{e:?}"))?
        .render()
        .map_err(|e| e.to_string())
}

/// Each of the manager's dashboard's store queries alone, asked one after another, with how
/// long each took in milliseconds: where the page's time goes.
pub async fn dashboard_queries(store: &Store) -> Result<Vec<(&'static str, u128)>, String> {
    use std::time::Instant;
    use tutti_domain::guarantee::GuaranteePolicy;
    use tutti_store::reports::dashboard::Span;
    let today = store.today();
    let span = Span::to_today(today);
    let policy = GuaranteePolicy::default();
    let err = |e: tutti_store::StoreError| e.to_string();
    let mut times = Vec::new();
    let mut started = Instant::now();
    let mut lap = |name: &'static str, times: &mut Vec<(&'static str, u128)>| {
        times.push((name, started.elapsed().as_millis()));
        started = Instant::now();
    };
    store.dashboard_teaching(span, &policy).await.map_err(err)?;
    lap("teaching", &mut times);
    store.dashboard_income(span).await.map_err(err)?;
    lap("income", &mut times);
    store.dashboard_waiting().await.map_err(err)?;
    lap("waiting", &mut times);
    store.dashboard_take_up(span).await.map_err(err)?;
    lap("take-up", &mut times);
    store.dashboard_remission(span).await.map_err(err)?;
    lap("remission", &mut times);
    store.dashboard_ensembles(span).await.map_err(err)?;
    lap("ensembles", &mut times);
    store.dashboard_checks(today).await.map_err(err)?;
    lap("checks", &mut times);
    Ok(times)
}
