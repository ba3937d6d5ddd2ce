//! Services for schools over HTTP: a school contact sees the catalogue at their school's
//! prices and orders from the school portal; the office adds packages, and confirms an order
//! (which makes the services agreement) or declines it. Another school's order is 404.
use askama::Template;
use axum::extract::{Form, Path, State};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use tutti_domain::Pence;
use tutti_domain::calendar::AcademicYear;
use tutti_domain::services::PackageKind;
use tutti_store::money::payments::services::{NewPackage, Package};
use tutti_store::platform::accounts::Role;

use crate::access::{Access, Audience, Routes};
use crate::acting::Acting;
use crate::error::{AppError, AppResult};
use crate::format;
use crate::forms::FormErrors;
use crate::pages::render_clearing_flash;
use crate::routes::records::Values;
use crate::session::Visitor;
use crate::shell::Shell;
use crate::state::AppState;

/// School contacts order for their own school.
pub fn school_audience() -> Audience {
    Audience::new(
        Access::Roles(&[Role::School]),
        Routes::new()
            .route("/school/services", get(school_page))
            .route("/school/services/order", post(order)),
    )
}

/// The office's catalogue and orders.
pub fn office_audience() -> Audience {
    Audience::new(
        Access::Roles(&[Role::Admin, Role::Manager]),
        Routes::new()
            .route("/admin/services", get(office_page))
            .route("/admin/services/packages", post(add_package))
            .route("/admin/services/orders/{id}/confirm", post(confirm))
            .route("/admin/services/orders/{id}/decline", post(decline)),
    )
}

/// Links the account page adds: a school's services, a teacher's CPD, the office's events.
pub fn dashboard_links(role: Role) -> Vec<(&'static str, &'static str, &'static str)> {
    match role {
        Role::School => vec![(
            "/school/services",
            "Services for your school",
            "Whole-class teaching, singing, CPD days and more, at your school's price.",
        )],
        Role::Teacher => vec![(
            "/account/cpd",
            "Your CPD",
            "Courses you attended, each with a certificate.",
        )],
        Role::Admin | Role::Manager => vec![(
            "/admin/events",
            "Events and bookings",
            "Concerts, courses and CPD: bookings, waiting lists and the door.",
        )],
        _ => Vec::new(),
    }
}

pub(crate) struct PackageRow {
    id: i64,
    name: String,
    kind: &'static str,
    description: String,
    sessions: i32,
    price: String,
    subsidies: String,
}

impl PackageRow {
    /// A package as a list shows it, at `price` (the school's, or the full one).
    fn new(p: Package, price: String, subsidies: String) -> PackageRow {
        PackageRow {
            price,
            kind: kind_label(&p.kind),
            subsidies,
            id: p.id,
            name: p.name,
            description: p.description,
            sessions: p.sessions,
        }
    }
}

/// The hub's packages, each as `row` shows it.
async fn package_rows(state: &AppState, row: impl Fn(Package) -> PackageRow) -> AppResult<Vec<PackageRow>> {
    Ok(state.store.service_packages().await?.into_iter().map(row).collect())
}

pub(crate) struct OrderRow {
    id: i64,
    school: String,
    package: String,
    year: String,
    price: String,
    status: &'static str,
    open: bool,
}

#[derive(Template)]
#[template(path = "services/school.html")]
struct SchoolPage {
    shell: Shell,
    packages: Vec<PackageRow>,
    orders: Vec<OrderRow>,
    years: Vec<String>,
}

fn order_rows(orders: Vec<tutti_store::money::payments::services::Order>) -> Vec<OrderRow> {
    orders
        .into_iter()
        .map(|o| OrderRow {
            id: o.id,
            school: o.school_name,
            package: o.package_name,
            year: o.academic_year,
            price: format::money(o.price),
            status: o.status.label(),
            open: o.status == tutti_domain::services::OrderStatus::Ordered,
        })
        .collect()
}

fn kind_label(kind: &str) -> &'static str {
    kind.parse::<PackageKind>().map(PackageKind::label).unwrap_or("Service")
}

async fn school_page(a: Acting) -> AppResult<Response> {
    let school_id = a.user.school_id.ok_or(AppError::NotFound)?;
    let school = a.state.store.school(school_id).await?.ok_or(AppError::NotFound)?;
    let this = AcademicYear::containing(a.state.store.today());
    let packages = package_rows(&a.state, |p| {
        let price = format::money(p.price_for(&school.phase, &school.school_type));
        PackageRow::new(p, price, String::new())
    })
    .await?;
    let orders = order_rows(a.state.store.service_orders(Some(school_id)).await?);
    render_clearing_flash(
        &a.state,
        &a.visitor,
        &SchoolPage {
            shell: Shell::new(&a.state, &a.visitor, "Services for your school", "/school/services"),
            packages,
            orders,
            years: vec![
                this.to_string(),
                AcademicYear::starting(this.start_year() + 1).to_string(),
            ],
        },
    )
    .await
}

async fn order(a: Acting, Form(v): Form<Values>) -> AppResult<Response> {
    let school_id = a.user.school_id.ok_or(AppError::NotFound)?;
    let package: i64 = v
        .get("package")
        .and_then(|p| p.parse().ok())
        .ok_or_else(|| AppError::BadRequest("Choose a package.".into()))?;
    let year = v
        .get("year")
        .and_then(|y| AcademicYear::parse(y).ok())
        .ok_or_else(|| AppError::BadRequest("Choose the academic year.".into()))?;
    let outcome = a.state.store.order_package(&a.actor(), school_id, package, year).await;
    a.said(
        outcome.map(|_| "Ordered. The hub office will confirm your order."),
        "/school/services",
    )
    .await
}

#[derive(Template)]
#[template(path = "services/office.html")]
struct OfficePage {
    shell: Shell,
    packages: Vec<PackageRow>,
    orders: Vec<OrderRow>,
    kinds: Vec<(&'static str, &'static str)>,
    errors: FormErrors,
    v: Values,
}

impl OfficePage {
    fn get(&self, k: &str) -> String {
        self.v.get(k).cloned().unwrap_or_default()
    }
}

async fn office_view(state: &AppState, visitor: &Visitor, v: Values, errors: FormErrors) -> AppResult<Response> {
    let packages = package_rows(state, |p| {
        let subsidies: Vec<String> = p.subsidies.iter().map(|(a, pc)| format!("{a}: {pc}% off")).collect();
        let price = format::money(p.price);
        PackageRow::new(p, price, subsidies.join(", "))
    })
    .await?;
    let orders = order_rows(state.store.service_orders(None).await?);
    let status = errors.status();
    let page = OfficePage {
        shell: Shell::new(state, visitor, "Services for schools", "/admin/services"),
        packages,
        orders,
        kinds: PackageKind::ALL.iter().map(|k| (k.as_str(), k.label())).collect(),
        errors,
        v,
    };
    Ok((status, render_clearing_flash(state, visitor, &page).await?).into_response())
}

async fn office_page(State(state): State<AppState>, visitor: Visitor) -> AppResult<Response> {
    office_view(&state, &visitor, Values::new(), FormErrors::default()).await
}

/// "primary: 50", one a line: a school phase or type and the percentage off.
fn read_subsidies(text: &str, errors: &mut FormErrors) -> Vec<(String, i32)> {
    let mut out = Vec::new();
    for line in text.lines().map(str::trim).filter(|l| !l.is_empty()) {
        match line
            .split_once(':')
            .map(|(a, p)| (a.trim().to_lowercase(), p.trim().trim_end_matches('%').parse::<i32>()))
        {
            Some((a, Ok(p))) if !a.is_empty() && (0..=100).contains(&p) => out.push((a, p)),
            _ => errors.add(
                "subsidies",
                format!("Write each subsidy as a phase or type and a percentage, like primary: 50 (not “{line}”)"),
            ),
        }
    }
    out
}

async fn add_package(a: Acting, Form(v): Form<Values>) -> AppResult<Response> {
    let mut errors = FormErrors::default();
    let text = |k: &str| v.get(k).map(|s| s.trim().to_owned()).unwrap_or_default();
    let name = text("name");
    if name.is_empty() {
        errors.add("name", "Enter the package's name");
    }
    let kind = text("kind").parse::<PackageKind>().ok();
    if kind.is_none() {
        errors.add("kind", "Choose what the package is");
    }
    let price = match Pence::parse_pounds(&text("price")) {
        Ok(p) if p > Pence::ZERO => Some(p),
        _ => {
            errors.add("price", "Enter the annual price in pounds, like 3000");
            None
        }
    };
    let sessions = match text("sessions").parse::<u32>() {
        Ok(n) if (1..=200).contains(&n) => Some(n),
        _ => {
            errors.add("sessions", "Enter the sessions a year, like 33");
            None
        }
    };
    let subsidies = read_subsidies(&text("subsidies"), &mut errors);
    let (Some(kind), Some(price), Some(sessions), true) = (kind, price, sessions, errors.is_empty()) else {
        return office_view(&a.state, &a.visitor, v, errors).await;
    };
    a.state
        .store
        .create_package(
            &a.actor(),
            &NewPackage {
                name,
                kind,
                description: text("description"),
                price,
                sessions,
                subsidies,
            },
        )
        .await?;
    a.done("Package added.", "/admin/services").await
}

async fn answer(a: Acting, id: i64, confirm: bool) -> AppResult<Response> {
    let outcome = a.state.store.answer_order(&a.actor(), id, confirm).await;
    let outcome = outcome.map(|agreed| match agreed {
        Some(_) => "Order confirmed: it is now the school's services agreement.",
        None => "Order declined.",
    });
    a.said(outcome, "/admin/services").await
}

async fn confirm(a: Acting, Path(id): Path<i64>) -> AppResult<Response> {
    answer(a, id, true).await
}

async fn decline(a: Acting, Path(id): Path<i64>) -> AppResult<Response> {
    answer(a, id, false).await
}
