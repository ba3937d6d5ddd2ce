//! The dashboards: the manager's `/admin/dashboard` (the year so far across the hub) and a
//! school's own `/school/dashboard` (its pupils, attendance, invoices and agreement), each
//! section's figures from one store query and its charts drawn here as SVG with their tables
//! (decision 0092).
use askama::Template;
use axum::extract::State;
use axum::response::Response;
use axum::routing::get;
use tutti_domain::Pence;
use tutti_domain::guarantee::GuaranteePolicy;
use tutti_domain::staff::CheckStatus;
use tutti_store::platform::accounts::Role;
use tutti_store::reports::dashboard::{CheckDue, SchoolAgreement, SchoolInvoice, Span};

use crate::access::{Access, Audience, Routes};
use crate::acting::Acting;
use crate::charts::{Bar, Chart};
use crate::error::{AppError, AppResult};
use crate::format::{count, long_day, money};
use crate::map_chart::{Place, take_up_map};
use crate::pages::render;
use crate::session::Visitor;
use crate::shell::Shell;
use crate::state::AppState;
use tutti_domain::geo::{Latitude, Longitude};

const OFFICE: &[Role] = &[Role::Admin, Role::Manager];

pub fn office_audience() -> Audience {
    Audience::new(
        Access::Roles(OFFICE),
        Routes::new().route("/admin/dashboard", get(hub_page)),
    )
}

pub fn school_audience() -> Audience {
    Audience::new(
        Access::Roles(&[Role::School]),
        Routes::new().route("/school/dashboard", get(school_page)),
    )
}

/// The link a school's home page adds.
pub fn dashboard_links(role: Role) -> Vec<(&'static str, &'static str, &'static str)> {
    match role {
        Role::School => vec![(
            "/school/dashboard",
            "Your school at a glance",
            "Your pupils' lessons and attendance this year, your invoices and agreement.",
        )],
        _ => Vec::new(),
    }
}

/// A section of a dashboard: its heading, key figures, words, and charts.
struct Section {
    id: &'static str,
    heading: &'static str,
    stats: Vec<(String, String)>,
    notes: Vec<String>,
    charts: Vec<Chart>,
}

#[derive(Template)]
#[template(path = "reports/dashboard.html")]
pub(crate) struct HubPage {
    shell: Shell,
    year: String,
    today: String,
    sections: Vec<Section>,
    checks_due: Vec<(String, String, String, String, String)>,
}

/// Bars of counts, each labelled and counted in words.
fn counted_bars(pairs: &[(String, i64)]) -> Vec<Bar> {
    pairs.iter().map(|(l, n)| Bar::new(l.clone(), *n, count(*n))).collect()
}

fn plural(n: i64, one: &str, many: &str) -> String {
    format!("{} {}", count(n), if n == 1 { one } else { many })
}

/// "87%" of `part` in `whole`, or a dash when there is nothing to divide.
fn percent(part: i64, whole: i64) -> String {
    if whole <= 0 {
        "–".to_owned()
    } else {
        format!("{}%", (part * 100 + whole / 2) / whole)
    }
}

fn check_words(status: CheckStatus) -> String {
    match status {
        CheckStatus::Missing => "Not recorded".to_owned(),
        CheckStatus::Expired { due } => format!("Lapsed on {}", long_day(due)),
        CheckStatus::DueSoon { due } => format!("Due by {}", long_day(due)),
        CheckStatus::Current { .. } => "In date".to_owned(),
    }
}

async fn hub_page(State(state): State<AppState>, visitor: Visitor) -> AppResult<Response> {
    let shell = Shell::new(&state, &visitor, "Dashboard", "/admin/dashboard");
    render(&hub_dashboard(&state.store, shell).await?)
}

/// The manager's dashboard as the page draws it (the benchmark draws it the same way).
pub(crate) async fn hub_dashboard(store: &tutti_store::Store, shell: Shell) -> AppResult<HubPage> {
    let today = store.today();
    let span = Span::to_today(today);
    let policy = GuaranteePolicy::default();
    // The sections' queries are independent reads: asked at once, each on its own pooled
    // connection, the page waits for the slowest rather than for their sum.
    let (teaching, income, waiting, take_up, remission, ensembles, checks) = tokio::try_join!(
        store.dashboard_teaching(span, &policy),
        store.dashboard_income(span),
        store.dashboard_waiting(),
        store.dashboard_take_up(span),
        store.dashboard_remission(span),
        store.dashboard_ensembles(span),
        store.dashboard_checks(today),
    )?;
    let mut sections = Vec::new();

    // Teaching against the guarantee.
    let months: Vec<Bar> = counted_bars(&teaching.given_by_month);
    let busiest = teaching.given_by_month.iter().max_by_key(|(_, n)| *n);
    let outlook = [
        (
            format!("On course for {} lessons or more", teaching.aim),
            teaching.on_track,
        ),
        (
            format!("On course for {} to {} lessons", teaching.minimum, teaching.aim - 1),
            teaching.below_aim,
        ),
        (
            format!("At risk of fewer than {} lessons", teaching.minimum),
            teaching.at_risk,
        ),
    ];
    let enrolments = teaching.on_track + teaching.below_aim + teaching.at_risk;
    sections.push(Section {
        id: "teaching",
        heading: "Pupils and lessons",
        stats: vec![
            ("Pupils taught".into(), count(teaching.pupils_taught)),
            ("Lessons given".into(), count(teaching.lessons_given)),
            ("Missed by the hub".into(), count(teaching.lessons_missed_by_hub)),
            ("Past lessons not marked".into(), count(teaching.lessons_unmarked)),
        ],
        notes: vec![format!(
            "The hub guarantees at least {} lessons a year and aims for {}. Each enrolment's lessons so far are added to those still on the calendar.",
            teaching.minimum, teaching.aim
        )],
        charts: vec![
            Chart::bars(
                "chart-lessons-by-month",
                "Lessons given by month",
                match busiest {
                    Some((m, n)) if *n > 0 => format!(
                        "{} given this year so far; the most in {m} ({}).",
                        plural(teaching.lessons_given, "lesson", "lessons"),
                        count(*n)
                    ),
                    _ => "No lessons have been marked given this year yet.".to_owned(),
                },
                ["Month", "Lessons given"],
                &months,
            ),
            Chart::bars(
                "chart-guarantee",
                "Enrolments against the guarantee",
                format!(
                    "Of {}, {} on course for the aim and {} at risk of falling short of the minimum.",
                    plural(enrolments, "enrolment", "enrolments"),
                    count(teaching.on_track),
                    count(teaching.at_risk)
                ),
                ["Outlook", "Enrolments"],
                &counted_bars(&outlook),
            ),
        ],
    });

    // Income and debt.
    let outstanding = income.billed - income.paid;
    let ages: Vec<Bar> = income
        .by_age
        .iter()
        .map(|(band, _, amount)| Bar::new(band.clone(), amount.0, money(*amount)))
        .collect();
    let oldest = income.by_age.last().map_or(Pence::ZERO, |b| b.2);
    sections.push(Section {
        id: "income",
        heading: "Income",
        stats: vec![
            ("Billed this year".into(), money(income.billed)),
            ("Paid".into(), money(income.paid)),
            ("Not yet paid".into(), money(outstanding)),
            ("Overdue".into(), money(income.overdue)),
        ],
        notes: vec![
            "Billed: invoices issued this year, not cancelled. Paid: payments and credits against them, less refunds. Overdue: any invoice's balance once an instalment is missed (the whole balance is then due), by how long ago."
                .into(),
        ],
        charts: vec![
            Chart::bars(
                "chart-income",
                "Billed and paid this year",
                format!(
                    "{} billed, {} paid ({}).",
                    money(income.billed),
                    money(income.paid),
                    percent(income.paid.0, income.billed.0)
                ),
                ["Income", "Amount"],
                &[
                    Bar::new("Billed", income.billed.0, money(income.billed)),
                    Bar::new("Paid", income.paid.0, money(income.paid)),
                    Bar::new("Not yet paid", outstanding.0, money(outstanding)),
                ],
            ),
            Chart::bars_with_table(
                "chart-debt",
                "Overdue debt by age",
                format!(
                    "{} overdue on {}; {} of it more than 90 days.",
                    money(income.overdue),
                    plural(income.overdue_invoices, "invoice", "invoices"),
                    money(oldest)
                ),
                &ages,
                vec!["Days overdue".into(), "Invoices".into(), "Amount".into()],
                income
                    .by_age
                    .iter()
                    .map(|(band, n, amount)| vec![band.clone(), count(*n), money(*amount)])
                    .collect(),
            ),
        ],
    });

    // Waiting lists.
    let mut by_instrument: Vec<(String, i64)> = Vec::new();
    for w in &waiting {
        match by_instrument.iter_mut().find(|(i, _)| *i == w.instrument) {
            Some(line) => line.1 += w.lessons + w.ensembles,
            None => by_instrument.push((w.instrument.clone(), w.lessons + w.ensembles)),
        }
    }
    by_instrument.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
    let waiting_total: i64 = by_instrument.iter().map(|(_, n)| n).sum();
    sections.push(Section {
        id: "waiting",
        heading: "Waiting lists",
        stats: vec![("Waiting".into(), count(waiting_total))],
        notes: vec![
            "Applications waiting for lessons (by the area of the pupil's school) and for a place in an ensemble (by the ensemble's area).".into(),
        ],
        charts: vec![Chart::bars_with_table(
            "chart-waiting",
            "Waiting by instrument",
            match by_instrument.first() {
                Some((i, n)) => format!(
                    "{} waiting; the longest list is for {i} ({}).",
                    plural(waiting_total, "application", "applications"),
                    count(*n)
                ),
                None => "Nobody is waiting.".to_owned(),
            },
            &counted_bars(&by_instrument),
            vec![
                "Instrument".into(),
                "Area".into(),
                "For lessons".into(),
                "For ensembles".into(),
            ],
            waiting
                .iter()
                .map(|w| vec![w.instrument.clone(), w.area.clone(), count(w.lessons), count(w.ensembles)])
                .collect(),
        )],
    });

    // Take-up by school: on a map where schools' locations are recorded (decision 0096), and
    // ranked.
    const TOP: usize = 15;
    let top = &take_up.schools[..take_up.schools.len().min(TOP)];
    let places: Vec<Place> = take_up
        .schools
        .iter()
        .map(|s| Place {
            name: s.name.clone(),
            area: s.area.clone(),
            pupils: s.pupils,
            at: s
                .latitude_micro
                .and_then(Latitude::from_micro)
                .zip(s.longitude_micro.and_then(Longitude::from_micro)),
        })
        .collect();
    let (map, not_on_map) = take_up_map("chart-take-up-map", "Take-up by school on a map", &places);
    // The schools to place, named so the office can add their locations (a long list cut).
    const NAMED: usize = 30;
    let unplaced = match not_on_map.len() {
        0 => None,
        n if n == places.len() => Some(format!(
            "None of the {} schools with pupils taught has a location recorded: add a latitude and longitude to the schools' records (or their import) to draw the map.",
            count(n as i64)
        )),
        n if n <= NAMED => Some(format!(
            "Not on the map (no location recorded): {}.",
            not_on_map.join("; ")
        )),
        n => Some(format!(
            "Not on the map (no location recorded): {}; and {} more.",
            not_on_map[..NAMED].join("; "),
            count((n - NAMED) as i64)
        )),
    };
    sections.push(Section {
        id: "take-up",
        heading: "Take-up by school",
        stats: vec![
            ("Schools with pupils taught".into(), count(take_up.schools.len())),
            ("Schools with none".into(), count(take_up.schools_without)),
        ],
        notes: unplaced.into_iter().collect(),
        charts: vec![
            map,
            Chart::bars(
                "chart-take-up-areas",
                "Pupils taught by area",
                match take_up.by_area.first() {
                    Some((a, n)) => format!(
                        "Pupils taught in {}; the most in {a} ({}).",
                        plural(take_up.by_area.len() as i64, "area", "areas"),
                        count(*n)
                    ),
                    None => "No pupils are taught yet this year.".to_owned(),
                },
                ["Area", "Pupils"],
                &counted_bars(&take_up.by_area),
            ),
            Chart::bars_with_table(
                "chart-take-up-schools",
                "Schools with the most pupils taught",
                match top.first() {
                    Some(s) => format!(
                        "The {} schools with the most pupils taught; {} has the most ({}).",
                        top.len(),
                        s.name,
                        count(s.pupils)
                    ),
                    None => "No school has pupils taught yet this year.".to_owned(),
                },
                &top.iter()
                    .map(|s| Bar::new(s.name.clone(), s.pupils, count(s.pupils)))
                    .collect::<Vec<_>>(),
                vec!["School".into(), "Area".into(), "Pupils".into()],
                top.iter()
                    .map(|s| vec![s.name.clone(), s.area.clone(), count(s.pupils)])
                    .collect(),
            ),
        ],
    });

    // Remission.
    sections.push(Section {
        id: "remission",
        heading: "Remission",
        stats: vec![
            ("Remitted this year".into(), money(remission.total)),
            ("Looked-after children's lines".into(), count(remission.looked_after_lines)),
        ],
        notes: vec![
            "What this year's invoice lines remitted, as each line's rule states it. Looked-after children are never charged, so no fee is worked out for them and their lines are counted, not valued.".into(),
        ],
        charts: vec![Chart::bars_with_table(
            "chart-remission",
            "Remission by group",
            match remission.by_group.first() {
                Some((g, _, p)) => format!(
                    "{} remitted; the most for {g} ({}).",
                    money(remission.total),
                    money(*p)
                ),
                None => "Nothing has been remitted this year.".to_owned(),
            },
            &remission
                .by_group
                .iter()
                .map(|(g, _, p)| Bar::new(capitalised(g), p.0, money(*p)))
                .collect::<Vec<_>>(),
            vec!["Group".into(), "Lines".into(), "Remitted".into()],
            remission
                .by_group
                .iter()
                .map(|(g, n, p)| vec![capitalised(g), count(*n), money(*p)])
                .collect(),
        )],
    });

    // Ensembles.
    let members: i64 = ensembles.iter().map(|e| e.members).sum();
    let (marks, present) = ensembles.iter().fold((0, 0), |(m, p), e| (m + e.marks, p + e.present));
    sections.push(Section {
        id: "ensembles",
        heading: "Ensembles",
        stats: vec![
            ("Ensembles".into(), count(ensembles.len())),
            ("Members".into(), count(members)),
            ("Attendance".into(), percent(present, marks)),
        ],
        notes: vec!["Members today; attendance is the share of this year's rehearsal marks that say present.".into()],
        charts: vec![Chart::bars_with_table(
            "chart-ensembles",
            "Members by ensemble",
            format!(
                "{} in {}; {} attendance at rehearsals this year.",
                plural(members, "member", "members"),
                plural(ensembles.len() as i64, "ensemble", "ensembles"),
                percent(present, marks)
            ),
            &ensembles
                .iter()
                .map(|e| Bar::new(e.name.clone(), e.members, count(e.members)))
                .collect::<Vec<_>>(),
            vec!["Ensemble".into(), "Kind".into(), "Members".into(), "Attendance".into()],
            ensembles
                .iter()
                .map(|e| {
                    vec![
                        e.name.clone(),
                        e.kind.clone(),
                        count(e.members),
                        percent(e.present, e.marks),
                    ]
                })
                .collect(),
        )],
    });

    // Staff checks: a list to act on, not a chart.
    sections.push(Section {
        id: "checks",
        heading: "DBS checks and safeguarding training",
        stats: vec![
            ("Staff on record".into(), count(checks.staff)),
            (
                "DBS lapsed or missing".into(),
                count(checks.dbs_expired + checks.dbs_missing),
            ),
            ("DBS due within 60 days".into(), count(checks.dbs_due_soon)),
            (
                "Training lapsed or missing".into(),
                count(checks.safeguarding_expired + checks.safeguarding_missing),
            ),
            (
                "Training due within 60 days".into(),
                count(checks.safeguarding_due_soon),
            ),
        ],
        notes: vec![
            "DBS checks are renewed every 3 years unless on the update service, safeguarding training every 3 years."
                .into(),
        ],
        charts: Vec::new(),
    });
    let checks_due = checks.due.iter().map(check_row).collect();

    Ok(HubPage {
        shell,
        year: span.year.to_string(),
        today: long_day(today),
        sections,
        checks_due,
    })
}

fn check_row(c: &CheckDue) -> (String, String, String, String, String) {
    (
        format!("/admin/staff/{}", c.staff_id),
        c.name.clone(),
        capitalised(&c.role),
        check_words(c.dbs),
        check_words(c.safeguarding),
    )
}

fn capitalised(words: &str) -> String {
    let mut chars = words.chars();
    match chars.next() {
        Some(first) => first.to_uppercase().chain(chars).collect(),
        None => String::new(),
    }
}

#[derive(Template)]
#[template(path = "reports/school_dashboard.html")]
struct SchoolPage {
    shell: Shell,
    school: String,
    year: String,
    today: String,
    pupils_taught: String,
    attendance_rate: String,
    charts: Vec<Chart>,
    invoices: Vec<(String, String, String, String, String, String, String)>,
    agreements: Vec<(String, String, String, String)>,
}

async fn school_page(a: Acting) -> AppResult<Response> {
    let school_id = a.user.school_id.ok_or_else(|| {
        AppError::Forbidden("Your account is not linked to a school. Ask the hub office to link it.".into())
    })?;
    let store = &a.state.store;
    let school = store.school_summary(school_id).await?.ok_or(AppError::NotFound)?;
    let today = store.today();
    let span = Span::to_today(today);
    let mine = store.school_dashboard(school_id, span).await?;
    let marks: i64 = mine.attendance.iter().map(|(_, n)| n).sum();
    let present: i64 = mine
        .attendance
        .iter()
        .filter(|(m, _)| m == "present" || m == "forgot-instrument")
        .map(|(_, n)| n)
        .sum();
    let charts = vec![
        Chart::bars(
            "chart-instruments",
            "Pupils taught by instrument",
            match mine.by_instrument.first() {
                Some((i, n)) => format!(
                    "{} taught this year; most learn {i} ({}).",
                    plural(mine.pupils_taught, "pupil", "pupils"),
                    count(*n)
                ),
                None => "None of your pupils are taught by the hub this year yet.".to_owned(),
            },
            ["Instrument", "Pupils"],
            &counted_bars(&mine.by_instrument),
        ),
        Chart::bars(
            "chart-attendance",
            "Lessons marked this year",
            if marks == 0 {
                "No lessons have been marked this year yet.".to_owned()
            } else {
                format!(
                    "{} marked; your pupils were there for {} of them ({}).",
                    plural(marks, "lesson", "lessons"),
                    count(present),
                    percent(present, marks)
                )
            },
            ["Mark", "Lessons"],
            &mine
                .attendance
                .iter()
                .map(|(m, n)| Bar::new(crate::routes::teaching::lessons::mark_text(m), *n, count(*n)))
                .collect::<Vec<_>>(),
        ),
    ];
    render(&SchoolPage {
        shell: Shell::new(&a.state, &a.visitor, "Your school at a glance", "/school/dashboard"),
        school: school.name,
        year: span.year.to_string(),
        today: long_day(today),
        pupils_taught: count(mine.pupils_taught),
        attendance_rate: percent(present, marks),
        charts,
        invoices: mine.invoices.iter().map(invoice_row).collect(),
        agreements: mine.agreements.iter().map(agreement_row).collect(),
    })
}

fn invoice_row(i: &SchoolInvoice) -> (String, String, String, String, String, String, String) {
    (
        format!("/school/invoices/{}", i.id),
        i.number.clone(),
        crate::format::term(&i.term),
        long_day(i.issued_on),
        money(Pence(i.total_pence)),
        money(Pence(i.settled_pence)),
        money(Pence(i.total_pence - i.settled_pence)),
    )
}

fn agreement_row(a: &SchoolAgreement) -> (String, String, String, String) {
    (
        a.programme.clone(),
        money(Pence(a.annual_pence)),
        count(a.sessions),
        capitalised(&a.billing.replace('-', " ")),
    )
}
