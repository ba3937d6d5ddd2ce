//! Ensembles on the screens: the public list at `/ensembles` (found by area, level, instrument
//! and day, from the data) and each ensemble's page; a parent's application for their child
//! and their children's ensembles and rehearsals (`/parent/ensembles`); and the office's
//! screens, in the workspace's Lessons task: the list, adding and editing an ensemble, and its
//! members, applications (accept, decline, leaving) and rehearsals.
use askama::Template;
use axum::extract::{Form, Path, Query, State};
use axum::response::Response;
use axum::routing::{get, post};
use serde::Deserialize;
use tutti_domain::Pence;
use tutti_domain::calendar::AcademicYear;
use tutti_domain::ensembles::{EnsembleEntry, EnsembleKind, EnsembleLevel, MembershipStatus, RehearsalStatus};
use tutti_domain::rotation::ClockTime;
use tutti_store::StoreError;
use tutti_store::platform::accounts::Role;
use tutti_store::records::lookup::LookupKind;
use tutti_store::records::pupils::PupilScope;
use tutti_store::teaching::ensembles::Ensemble;
use tutti_store::teaching::ensembles::members::{EnsembleApplication, NewEnsembleApplication};
use tutti_store::teaching::ensembles::records::{EnsembleInput, EnsembleQuery};
use tutti_store::teaching::ensembles::rehearsals::{Rehearsal, RehearsalChange};

use crate::access::{Access, Audience, Routes};
use crate::acting::Acting;
use crate::error::{AppError, AppResult, message};
use crate::forms::FormErrors;
use crate::pages::render_clearing_flash;
use crate::routes::records::{FormPage, Values, checkbox, form_again, input, select};
use crate::session::Visitor;
use crate::shell::Shell;
use crate::state::AppState;

/// Links the account page adds for each role.
pub fn dashboard_links(role: Role) -> Vec<(&'static str, &'static str, &'static str)> {
    match role {
        Role::Parent => vec![(
            "/parent/ensembles",
            "Ensembles",
            "Your children's ensembles, their applications and coming rehearsals.",
        )],
        Role::Teacher => vec![(
            "/teacher/ensembles",
            "Ensemble registers",
            "The registers of the ensembles you lead.",
        )],
        _ => Vec::new(),
    }
}

/// Anyone may find an ensemble.
pub fn public_audience() -> Audience {
    Audience::new(
        Access::Public,
        Routes::new()
            .route("/ensembles", get(public_list))
            .route("/ensembles/{slug}", get(public_page)),
    )
}

/// A parent applies for their child and sees their children's ensembles.
pub fn parent_audience() -> Audience {
    Audience::new(
        Access::Roles(&[Role::Parent]),
        Routes::new()
            .route("/parent/ensembles", get(parent_list))
            .route("/parent/ensembles/{slug}/apply", get(apply_form).post(apply)),
    )
}

/// The office's screens.
pub fn office_audience() -> Audience {
    Audience::new(
        Access::Roles(&[Role::Admin, Role::Manager]),
        Routes::new()
            .route("/admin/ensembles", get(office_list))
            .route("/admin/ensembles/new", get(new_form).post(create))
            .route("/admin/ensembles/{id}", get(office_view))
            .route("/admin/ensembles/{id}/edit", get(edit_form).post(update))
            .route(
                "/admin/ensembles/{id}/applications/{application_id}/{action}",
                post(decide),
            )
            .route(
                "/admin/ensembles/{id}/rehearsals/{rehearsal_id}/cancel",
                post(cancel_rehearsal),
            ),
    )
}

const DAY_NAMES: [&str; 7] = [
    "Monday",
    "Tuesday",
    "Wednesday",
    "Thursday",
    "Friday",
    "Saturday",
    "Sunday",
];

fn day_name(n: u8) -> &'static str {
    DAY_NAMES
        .get(usize::from(n).saturating_sub(1))
        .copied()
        .unwrap_or("Monday")
}

fn times(e: &Ensemble) -> String {
    format!(
        "{}s, {} to {}",
        day_name(e.weekday),
        ClockTime(e.start_minute),
        ClockTime(e.end_minute)
    )
}

fn ages(e: &Ensemble) -> String {
    match (e.min_age, e.max_age) {
        (Some(a), Some(b)) => format!("Ages {a} to {b}"),
        (Some(a), None) => format!("Ages {a} and over"),
        (None, Some(b)) => format!("Ages {b} and under"),
        (None, None) => "Any age".into(),
    }
}

fn fee(e: &Ensemble) -> String {
    if e.termly_fee == Pence::ZERO {
        "Free".into()
    } else {
        format!("{} a term", crate::format::money(e.termly_fee))
    }
}

/// An ensemble as a list or page shows it.
pub struct EnsembleLine {
    pub e: Ensemble,
    pub kind: &'static str,
    pub level: &'static str,
    pub entry: &'static str,
    pub times: String,
    pub ages: String,
    pub fee: String,
    pub grade: String,
    pub leaders: String,
}

impl EnsembleLine {
    fn new(e: Ensemble) -> EnsembleLine {
        EnsembleLine {
            kind: e.kind.label(),
            level: e.level.label(),
            entry: match e.entry {
                EnsembleEntry::Open => "Open to all",
                EnsembleEntry::Audition => "By audition",
            },
            times: times(&e),
            ages: ages(&e),
            fee: fee(&e),
            grade: e.min_grade.map(|g| format!("Grade {g} or above")).unwrap_or_default(),
            leaders: e.leaders.iter().map(|l| l.name.as_str()).collect::<Vec<_>>().join(", "),
            e,
        }
    }
}

/// A rehearsal as a list shows it.
pub struct RehearsalLine {
    pub r: Rehearsal,
    pub day: String,
    pub times: String,
    pub what: String,
}

impl RehearsalLine {
    fn new(r: Rehearsal) -> RehearsalLine {
        let what = match (r.status, r.moved_from, r.extra) {
            (RehearsalStatus::Cancelled, _, _) => "Cancelled".to_owned(),
            (_, Some(from), _) => format!("Moved from {}", crate::format::short_day(from)),
            (_, _, true) => "Extra rehearsal".to_owned(),
            (RehearsalStatus::Given, _, _) => "Register taken".to_owned(),
            _ => String::new(),
        };
        let what = if r.note.is_empty() {
            what
        } else if what.is_empty() {
            r.note.clone()
        } else {
            format!("{what}: {}", r.note)
        };
        RehearsalLine {
            day: crate::format::long_day(r.date),
            times: format!("{} to {}", ClockTime(r.start_minute), ClockTime(r.end_minute)),
            what,
            r,
        }
    }
}

// ---- the public list and page ----

#[derive(Deserialize, Default)]
struct Filters {
    #[serde(default)]
    area: String,
    #[serde(default)]
    level: String,
    #[serde(default)]
    instrument: String,
    #[serde(default)]
    day: String,
}

/// One filter's choices: (value, words, chosen).
type Choices = Vec<(String, String, bool)>;

#[derive(Template)]
#[template(path = "ensembles/list.html")]
struct ListPage {
    shell: Shell,
    ensembles: Vec<EnsembleLine>,
    areas: Choices,
    levels: Choices,
    instruments: Choices,
    days: Choices,
    filtered: bool,
}

fn choices(all: impl IntoIterator<Item = (String, String)>, chosen: &str) -> Choices {
    all.into_iter()
        .map(|(v, w)| {
            let on = v == chosen;
            (v, w, on)
        })
        .collect()
}

async fn public_list(State(state): State<AppState>, visitor: Visitor, Query(f): Query<Filters>) -> AppResult<Response> {
    let (areas, instruments, days) = state.store.ensemble_filters().await?;
    let q = EnsembleQuery {
        area: Some(f.area.clone()).filter(|a| !a.is_empty()),
        level: f.level.parse().ok(),
        instrument: Some(f.instrument.clone()).filter(|i| !i.is_empty()),
        weekday: f.day.parse().ok().filter(|d| (1..=7).contains(d)),
        archived: false,
    };
    let ensembles = state
        .store
        .ensembles(&q)
        .await?
        .into_iter()
        .map(EnsembleLine::new)
        .collect();
    let page = ListPage {
        shell: Shell::new(&state, &visitor, "Ensembles", "/ensembles"),
        ensembles,
        areas: choices(areas.into_iter().map(|a| (a.clone(), a)), &f.area),
        levels: choices(
            EnsembleLevel::ALL
                .iter()
                .map(|l| (l.as_str().to_owned(), l.label().to_owned())),
            &f.level,
        ),
        instruments: choices(instruments.into_iter().map(|i| (i.clone(), i)), &f.instrument),
        days: choices(
            days.into_iter().map(|d| (d.to_string(), day_name(d).to_owned())),
            &f.day,
        ),
        filtered: !(f.area.is_empty() && f.level.is_empty() && f.instrument.is_empty() && f.day.is_empty()),
    };
    render_clearing_flash(&state, &visitor, &page).await
}

#[derive(Template)]
#[template(path = "ensembles/page.html")]
struct EnsemblePage {
    shell: Shell,
    line: EnsembleLine,
    rehearsals: Vec<RehearsalLine>,
    /// (instrument, places, free, waiting)
    parts: Vec<(String, u32, u32, u32)>,
    can_apply: bool,
}

async fn public_page(State(state): State<AppState>, visitor: Visitor, Path(slug): Path<String>) -> AppResult<Response> {
    let e = state.store.ensemble_by_slug(&slug).await?.ok_or(AppError::NotFound)?;
    let today = state.store.today();
    let year = AcademicYear::containing(today);
    let rehearsals = state
        .store
        .rehearsals(e.id, today, year.last_day())
        .await?
        .into_iter()
        .take(12)
        .map(RehearsalLine::new)
        .collect();
    let parts = e
        .instrumentation
        .iter()
        .map(|p| {
            (
                p.instrument.clone(),
                p.places,
                p.places.saturating_sub(p.held),
                p.waiting,
            )
        })
        .collect();
    let can_apply = visitor.user().is_none_or(|u| u.role == Role::Parent);
    let page = EnsemblePage {
        shell: Shell::new(&state, &visitor, e.name.clone(), "/ensembles"),
        line: EnsembleLine::new(e),
        rehearsals,
        parts,
        can_apply,
    };
    render_clearing_flash(&state, &visitor, &page).await
}

// ---- a parent's ----

#[derive(Template)]
#[template(path = "ensembles/apply.html")]
struct ApplyPage {
    shell: Shell,
    csrf: String,
    line: EnsembleLine,
    children: Vec<(String, String)>,
    instruments: Vec<String>,
    values: Values,
    errors: FormErrors,
}

impl ApplyPage {
    fn value(&self, name: &str) -> &str {
        self.values.get(name).map(String::as_str).unwrap_or_default()
    }
}

async fn apply_page(
    state: &AppState,
    visitor: &Visitor,
    user: &tutti_store::platform::accounts::User,
    slug: &str,
    values: Values,
    errors: FormErrors,
) -> AppResult<Response> {
    let e = state.store.ensemble_by_slug(slug).await?.ok_or(AppError::NotFound)?;
    let children = if user.email_verified {
        state
            .store
            .children_of_guardian(&user.email)
            .await?
            .into_iter()
            .map(|c| (c.id.to_string(), format!("{} {}", c.first_name, c.last_name)))
            .collect()
    } else {
        Vec::new()
    };
    let page = ApplyPage {
        shell: Shell::new(state, visitor, format!("Apply to join {}", e.name), "/parent/ensembles"),
        csrf: visitor.csrf(),
        instruments: e.instruments(),
        line: EnsembleLine::new(e),
        children,
        values,
        errors,
    };
    let status = page.errors.status();
    let html = page.render()?;
    Ok(axum::response::IntoResponse::into_response((
        status,
        axum::response::Html(html),
    )))
}

async fn apply_form(a: Acting, Path(slug): Path<String>) -> AppResult<Response> {
    apply_page(
        &a.state,
        &a.visitor,
        &a.user,
        &slug,
        Values::new(),
        FormErrors::default(),
    )
    .await
}

async fn apply(a: Acting, Path(slug): Path<String>, Form(v): Form<Values>) -> AppResult<Response> {
    let user = a.user.clone();
    let e = a.state.store.ensemble_by_slug(&slug).await?.ok_or(AppError::NotFound)?;
    let mut errors = FormErrors::default();
    let pupil = v.get("pupil").and_then(|p| p.parse::<i64>().ok());
    if pupil.is_none() {
        errors.add("pupil", "Choose your child");
    }
    let instrument = v.get("instrument").map(|i| i.trim().to_owned()).unwrap_or_default();
    if instrument.is_empty() {
        errors.add("instrument", "Choose the instrument they play");
    }
    let grade = match v.get("grade").map(|g| g.trim()).unwrap_or("0") {
        "" => Some(0),
        g => g.parse::<u8>().ok().filter(|g| *g <= 8),
    };
    if grade.is_none() {
        errors.add("grade", "Choose a grade from 0 to 8");
    }
    if let (Some(pupil_id), Some(grade), true) = (pupil, grade, errors.is_empty()) {
        let new = NewEnsembleApplication {
            ensemble_id: e.id,
            pupil_id,
            instrument,
            grade,
        };
        // A Virtual Music Centre strand is paid for at once: the term's place goes in the
        // basket (decision 0085).
        if e.strand {
            match a
                .state
                .store
                .sign_up_for_strand(&a.actor(), user.id, &PupilScope::for_user(&user), &new)
                .await
            {
                Ok(signed_up) => {
                    let (words, to) = match signed_up.place {
                        Some(p) if p.status == "in_basket" => (
                            format!("{} is in your basket: pay for it to confirm the place.", e.name),
                            "/basket",
                        ),
                        Some(_) => (
                            format!("Your child is now a member of {}.", e.name),
                            "/parent/ensembles",
                        ),
                        None => (
                            "Every place for that instrument is taken, so your child is on the waiting list."
                                .to_owned(),
                            "/parent/ensembles",
                        ),
                    };
                    return a.done(&words, to).await;
                }
                Err(StoreError::Refused(r)) => {
                    errors.add(
                        if r.field() == Some("instrument") {
                            "instrument"
                        } else {
                            "pupil"
                        },
                        message(&r),
                    );
                    return apply_page(&a.state, &a.visitor, &user, &slug, v, errors).await;
                }
                Err(other) => return Err(other.into()),
            }
        }
        match a
            .state
            .store
            .apply_to_ensemble(&a.actor(), &PupilScope::for_user(&user), &new)
            .await
        {
            Ok((_, status)) => {
                let words = match status {
                    MembershipStatus::Accepted => format!("Your child is now a member of {}.", e.name),
                    MembershipStatus::Waiting => {
                        "Every place for that instrument is taken, so your child is on the waiting list. We will offer them the next place.".to_owned()
                    }
                    _ => "Application sent. We will be in touch about an audition.".to_owned(),
                };
                return a.done(&words, "/parent/ensembles").await;
            }
            Err(StoreError::Refused(r)) => {
                let field = match r.field() {
                    Some("instrument") => "instrument",
                    Some("grade") => "grade",
                    _ => "pupil",
                };
                errors.add(field, message(&r));
            }
            Err(other) => return Err(other.into()),
        }
    }
    apply_page(&a.state, &a.visitor, &user, &slug, v, errors).await
}

#[derive(Template)]
#[template(path = "ensembles/parent.html")]
struct ParentPage {
    shell: Shell,
    /// Each application, its status in words (a leaver's last day), and whether notice to
    /// leave can be given (decision 0085).
    applications: Vec<(EnsembleApplication, String, bool)>,
    /// Child, rehearsal, and the joining link of an online one about to start.
    rehearsals: Vec<(String, RehearsalLine, Option<String>)>,
}

async fn parent_list(a: Acting) -> AppResult<Response> {
    let scope = PupilScope::for_user(&a.user);
    let today = a.state.store.today();
    let applications: Vec<(EnsembleApplication, String, bool)> = a
        .state
        .store
        .ensemble_applications_of(&scope)
        .await?
        .into_iter()
        .map(|a| {
            let label = match (a.status, a.left_on) {
                (MembershipStatus::Left, Some(left)) if left > today => format!(
                    "Leaving: a member until {}",
                    crate::format::long_day(left.previous_day().unwrap_or(left))
                ),
                (status, _) => status.label().to_owned(),
            };
            let notice = a.status == MembershipStatus::Accepted;
            (a, label, notice)
        })
        .collect();
    let names: std::collections::HashMap<i64, String> = applications
        .iter()
        .map(|(a, _, _)| (a.pupil_id, a.pupil_name.clone()))
        .collect();
    // An online ensemble's joining link shows to its members' families from a short time
    // before each rehearsal until it ends (the Virtual Music Centre).
    let now = tutti_domain::clock::in_london(a.state.store.now());
    let now_minute = now.hour() as u16 * 60 + now.minute() as u16;
    let mut links: std::collections::HashMap<i64, Option<String>> = std::collections::HashMap::new();
    let mut rehearsals = Vec::new();
    for (pupil, r) in a
        .state
        .store
        .pupils_rehearsals(&scope, today, today.saturating_add(time::Duration::days(56)))
        .await?
    {
        let open = r.online
            && r.status != RehearsalStatus::Cancelled
            && tutti_domain::ensembles::joining_open(r.date, r.start_minute, r.end_minute, today, now_minute);
        let link = if open {
            if let std::collections::hash_map::Entry::Vacant(e) = links.entry(r.ensemble_id) {
                let link = a
                    .state
                    .store
                    .ensemble(r.ensemble_id)
                    .await?
                    .and_then(|e| e.joining_link);
                e.insert(link);
            }
            links.get(&r.ensemble_id).cloned().flatten()
        } else {
            None
        };
        rehearsals.push((
            names.get(&pupil).cloned().unwrap_or_default(),
            RehearsalLine::new(r),
            link,
        ));
    }
    let page = ParentPage {
        shell: Shell::new(&a.state, &a.visitor, "Ensembles", "/parent/ensembles"),
        applications,
        rehearsals,
    };
    render_clearing_flash(&a.state, &a.visitor, &page).await
}

// ---- the office's ----

#[derive(Template)]
#[template(path = "ensembles/office_list.html")]
struct OfficeList {
    shell: Shell,
    ensembles: Vec<EnsembleLine>,
}

async fn office_list(State(state): State<AppState>, visitor: Visitor) -> AppResult<Response> {
    let ensembles = state
        .store
        .ensembles(&EnsembleQuery {
            archived: true,
            ..Default::default()
        })
        .await?
        .into_iter()
        .map(EnsembleLine::new)
        .collect();
    let page = OfficeList {
        shell: Shell::new(&state, &visitor, "Ensembles", "/admin/ensembles"),
        ensembles,
    };
    render_clearing_flash(&state, &visitor, &page).await
}

fn form_values(e: &Ensemble) -> Values {
    let mut v = Values::new();
    let mut put = |k: &str, val: String| {
        v.insert(k.to_owned(), val);
    };
    put("name", e.name.clone());
    put("kind", e.kind.as_str().into());
    put("level", e.level.as_str().into());
    put("entry", e.entry.as_str().into());
    put("area", e.area.clone());
    put("venue", e.venue.clone());
    put("online", if e.online { "yes".into() } else { String::new() });
    put("joining_link", e.joining_link.clone().unwrap_or_default());
    put("day", day_name(e.weekday).into());
    put("start", ClockTime(e.start_minute).to_string());
    put("end", ClockTime(e.end_minute).to_string());
    put("min_age", e.min_age.map(|a| a.to_string()).unwrap_or_default());
    put("max_age", e.max_age.map(|a| a.to_string()).unwrap_or_default());
    put("min_grade", e.min_grade.map(|a| a.to_string()).unwrap_or_default());
    put(
        "fee",
        if e.termly_fee == Pence::ZERO {
            String::new()
        } else {
            format!("{}.{:02}", e.termly_fee.0 / 100, e.termly_fee.0 % 100)
        },
    );
    put("description", e.description.clone());
    put("leader", e.leaders.first().map(|l| l.name.clone()).unwrap_or_default());
    put(
        "instrumentation",
        e.instrumentation
            .iter()
            .map(|p| format!("{}: {}", p.instrument, p.places))
            .collect::<Vec<_>>()
            .join("\n"),
    );
    v
}

fn form_page(state: &AppState, visitor: &Visitor, id: Option<i64>, v: &Values, errors: FormErrors) -> FormPage {
    let (heading, action) = match id {
        Some(id) => ("Edit the ensemble".to_owned(), format!("/admin/ensembles/{id}/edit")),
        None => ("Add an ensemble".to_owned(), "/admin/ensembles/new".to_owned()),
    };
    let mut description = input("description", "Description for the public page", "textarea", "", v);
    description.rows = 4;
    let mut instrumentation = input(
        "instrumentation",
        "Instrumentation wanted",
        "textarea",
        "One instrument a line with its places, like Violin: 12. Leave empty to take any instrument (a choir).",
        v,
    );
    instrumentation.rows = 6;
    FormPage {
        shell: Shell::new(state, visitor, heading.clone(), "/admin/ensembles"),
        heading,
        back: ("/admin/ensembles".into(), "All ensembles".into()),
        action,
        csrf: visitor.csrf(),
        errors,
        fields: vec![
            input("name", "Name", "text", "", v),
            select("kind", "Kind", EnsembleKind::WORDS, v),
            select("level", "Level", EnsembleLevel::WORDS, v),
            select("entry", "Entry", EnsembleEntry::WORDS, v),
            input("area", "Area", "text", "", v),
            input(
                "venue",
                "Venue",
                "text",
                "Where it rehearses; for an online ensemble, say Online.",
                v,
            ),
            checkbox("online", "It meets online", v),
            input(
                "joining_link",
                "Joining link",
                "url",
                "For an online ensemble: the video call's address, shown to members only.",
                v,
            ),
            select("day", "Rehearsal day", &DAY_NAMES, v),
            input("start", "Starts", "time", "Like 18:00", v),
            input("end", "Ends", "time", "Like 19:30", v),
            input(
                "min_age",
                "Youngest age",
                "number",
                "On 31 August; leave empty for none.",
                v,
            ),
            input("max_age", "Oldest age", "number", "Leave empty for none.", v),
            input("min_grade", "Lowest grade", "number", "Leave empty for none.", v),
            input("fee", "Termly fee in pounds", "text", "Leave empty if it is free.", v),
            input("leader", "Leader", "pick:staff", "The member of staff who leads it.", v),
            instrumentation,
            description,
        ],
        submit: "Save the ensemble",
    }
}

/// Reads the ensemble form, naming each field at fault.
async fn read_form(state: &AppState, v: &Values, errors: &mut FormErrors) -> AppResult<Option<EnsembleInput>> {
    let text = |k: &str| v.get(k).map(|s| s.trim().to_owned()).unwrap_or_default();
    let name = text("name");
    if name.is_empty() {
        errors.add("name", "Enter the name of the ensemble");
    }
    let kind = text("kind").parse::<EnsembleKind>();
    if kind.is_err() {
        errors.add("kind", "Choose the kind of ensemble");
    }
    let level = text("level").parse::<EnsembleLevel>();
    if level.is_err() {
        errors.add("level", "Choose its level");
    }
    let entry = text("entry").parse::<EnsembleEntry>();
    if entry.is_err() {
        errors.add("entry", "Choose open or audition");
    }
    let area = text("area");
    if area.is_empty() {
        errors.add("area", "Enter the area it serves");
    }
    let day = DAY_NAMES.iter().position(|d| d.eq_ignore_ascii_case(&text("day")));
    if day.is_none() {
        errors.add("day", "Choose the day it rehearses");
    }
    let clock = |k: &'static str, errors: &mut FormErrors| {
        let t = text(k);
        let parsed = t.split_once(':').and_then(|(h, m)| {
            let (h, m) = (h.parse::<u16>().ok()?, m.parse::<u16>().ok()?);
            (h < 24 && m < 60).then_some(h * 60 + m)
        });
        if parsed.is_none() {
            errors.add(k, "Enter a time like 18:00");
        }
        parsed
    };
    let start = clock("start", errors);
    let end = clock("end", errors);
    let number = |k: &'static str, max: u8, errors: &mut FormErrors| -> Option<u8> {
        let t = text(k);
        if t.is_empty() {
            return None;
        }
        let n = t.parse::<u8>().ok().filter(|n| *n <= max);
        if n.is_none() {
            errors.add(k, format!("Enter a whole number from 0 to {max}, or leave it empty"));
        }
        n
    };
    let min_age = number("min_age", 25, errors);
    let max_age = number("max_age", 25, errors);
    let min_grade = number("min_grade", 8, errors);
    let fee = match text("fee").trim_start_matches('£') {
        "" => Some(Pence::ZERO),
        t => t.parse::<Pence>().ok(),
    };
    if fee.is_none() {
        errors.add("fee", "Enter the fee in pounds, like 45.00, or leave it empty");
    }
    let leaders = match text("leader").as_str() {
        "" => Vec::new(),
        t => crate::pickers::pick(&state.store, errors, "leader", LookupKind::Staff, t, "leader", false)
            .await?
            .map(|f| vec![f.id])
            .unwrap_or_default(),
    };
    let mut instrumentation = Vec::new();
    for line in text("instrumentation").lines().map(str::trim).filter(|l| !l.is_empty()) {
        let (instrument, places) = line.rsplit_once([':', ' ']).unwrap_or((line, ""));
        match places.trim().parse::<u32>() {
            Ok(n) if !instrument.trim().trim_end_matches(':').trim().is_empty() => {
                instrumentation.push((instrument.trim().trim_end_matches(':').trim().to_owned(), n))
            }
            _ => {
                errors.add(
                    "instrumentation",
                    format!("Write each line as an instrument and its places, like Violin: 12 (not {line:?})"),
                );
                break;
            }
        }
    }
    let online = v
        .get("online")
        .is_some_and(|x| matches!(x.as_str(), "yes" | "on" | "true"));
    let (Ok(kind), Ok(level), Ok(entry), Some(day), Some(start), Some(end), Some(fee)) =
        (kind, level, entry, day, start, end, fee)
    else {
        return Ok(None);
    };
    if !errors.is_empty() {
        return Ok(None);
    }
    Ok(Some(EnsembleInput {
        name,
        kind,
        level,
        entry,
        area,
        venue: text("venue"),
        online,
        joining_link: Some(text("joining_link")).filter(|l| !l.is_empty()),
        weekday: day as u8 + 1,
        start_minute: start,
        end_minute: end,
        min_age,
        max_age,
        min_grade,
        termly_fee: fee,
        description: text("description"),
        leaders,
        instrumentation,
    }))
}

fn refused_beside(e: StoreError, errors: &mut FormErrors) -> AppResult<()> {
    match e {
        StoreError::Refused(r) => {
            let field = match r.field() {
                Some("end") => "end",
                Some("max_age") => "max_age",
                _ => "name",
            };
            errors.add(field, message(&r));
            Ok(())
        }
        other => Err(other.into()),
    }
}

async fn new_form(State(state): State<AppState>, visitor: Visitor) -> AppResult<Response> {
    let mut v = Values::new();
    v.insert("entry".into(), "open".into());
    crate::pages::render(&form_page(&state, &visitor, None, &v, FormErrors::default()))
}

async fn create(a: Acting, Form(v): Form<Values>) -> AppResult<Response> {
    let mut errors = FormErrors::default();
    if let Some(input) = read_form(&a.state, &v, &mut errors).await? {
        match a.state.store.create_ensemble(&a.actor(), &input).await {
            Ok(id) => return a.done("Ensemble added.", &format!("/admin/ensembles/{id}")).await,
            Err(e) => refused_beside(e, &mut errors)?,
        }
    }
    form_again(form_page(&a.state, &a.visitor, None, &v, errors))
}

async fn edit_form(State(state): State<AppState>, visitor: Visitor, Path(id): Path<i64>) -> AppResult<Response> {
    let e = state.store.ensemble(id).await?.ok_or(AppError::NotFound)?;
    crate::pages::render(&form_page(
        &state,
        &visitor,
        Some(id),
        &form_values(&e),
        FormErrors::default(),
    ))
}

async fn update(a: Acting, Path(id): Path<i64>, Form(v): Form<Values>) -> AppResult<Response> {
    a.state.store.ensemble(id).await?.ok_or(AppError::NotFound)?;
    let mut errors = FormErrors::default();
    if let Some(input) = read_form(&a.state, &v, &mut errors).await? {
        match a.state.store.update_ensemble(&a.actor(), id, &input).await {
            Ok(()) => return a.done("Ensemble saved.", &format!("/admin/ensembles/{id}")).await,
            Err(e) => refused_beside(e, &mut errors)?,
        }
    }
    form_again(form_page(&a.state, &a.visitor, Some(id), &v, errors))
}

#[derive(Template)]
#[template(path = "ensembles/office_view.html")]
struct OfficeView {
    shell: Shell,
    csrf: String,
    line: EnsembleLine,
    members: Vec<EnsembleApplication>,
    waiting: Vec<(EnsembleApplication, &'static str, String)>,
    rehearsals: Vec<RehearsalLine>,
}

async fn office_view(State(state): State<AppState>, visitor: Visitor, Path(id): Path<i64>) -> AppResult<Response> {
    let e = state.store.ensemble(id).await?.ok_or(AppError::NotFound)?;
    let apps = state.store.ensemble_applications(id).await?;
    let (members, rest): (Vec<_>, Vec<_>) = apps.into_iter().partition(|a| a.status == MembershipStatus::Accepted);
    let waiting = rest
        .into_iter()
        .filter(|a| a.status.is_live())
        .map(|a| {
            let label = a.status.label();
            let audition = a
                .audition
                .map(|(d, m)| format!("{} at {}", crate::format::short_day(d), ClockTime(m)))
                .unwrap_or_default();
            (a, label, audition)
        })
        .collect();
    let year = AcademicYear::containing(state.store.today());
    let rehearsals = state
        .store
        .rehearsals(id, year.first_day(), year.last_day())
        .await?
        .into_iter()
        .map(RehearsalLine::new)
        .collect();
    let page = OfficeView {
        shell: Shell::new(&state, &visitor, e.name.clone(), "/admin/ensembles"),
        csrf: visitor.csrf(),
        line: EnsembleLine::new(e),
        members,
        waiting,
        rehearsals,
    };
    render_clearing_flash(&state, &visitor, &page).await
}

/// The office's accept or decline of an application, with what the flash says (`declined`
/// when it is declined); `None` for any other action.
pub(super) async fn accept_or_decline(
    a: &Acting,
    (id, application_id, action): (i64, i64, &str),
    declined: &'static str,
) -> Option<Result<&'static str, StoreError>> {
    let store = &a.state.store;
    Some(match action {
        "accept" => store
            .accept_ensemble_application(&a.actor(), id, application_id)
            .await
            .map(|_| "Accepted: they are a member."),
        "decline" => store
            .decline_ensemble_application(&a.actor(), id, application_id)
            .await
            .map(|_| declined),
        _ => return None,
    })
}

async fn decide(a: Acting, Path((id, application_id, action)): Path<(i64, i64, String)>) -> AppResult<Response> {
    let back = format!("/admin/ensembles/{id}");
    if let Some(outcome) = accept_or_decline(&a, (id, application_id, &action), "Application declined.").await {
        return a.said(outcome, &back).await;
    }
    // Notice the office records follows the notice rule, as a family's does (decision 0085).
    if action != "leave" {
        return Err(AppError::NotFound);
    }
    let belongs = a
        .state
        .store
        .ensemble_application(id, application_id)
        .await?
        .ok_or(AppError::NotFound)?;
    let words = a
        .state
        .store
        .give_ensemble_notice(&a.actor(), &PupilScope::All, belongs.id)
        .await
        .map(|(notice, offered)| {
            format!(
                "Notice recorded: {} is a member until {}{}",
                belongs.pupil_name,
                crate::format::long_day(notice.last_day),
                if offered.is_some() {
                    "; the place is offered to the next on the waiting list."
                } else {
                    "."
                }
            )
        });
    a.said(words, &back).await
}

#[derive(Deserialize)]
struct CancelForm {
    #[serde(default)]
    note: String,
}

async fn cancel_rehearsal(
    a: Acting,
    Path((id, rehearsal_id)): Path<(i64, i64)>,
    Form(f): Form<CancelForm>,
) -> AppResult<Response> {
    a.state
        .store
        .change_rehearsal(
            &a.actor(),
            id,
            &RehearsalChange::Cancel {
                rehearsal_id,
                note: f.note,
            },
        )
        .await?;
    a.done("Rehearsal cancelled.", &format!("/admin/ensembles/{id}")).await
}

/// The rehearsals a calendar feed's owner sees between two days: a parent's children's, a
/// pupil's own, and the ensembles a teacher leads.
pub(crate) async fn feed_rehearsals(
    state: &AppState,
    user: &tutti_store::platform::accounts::User,
    from: time::Date,
    to: time::Date,
) -> AppResult<Vec<Rehearsal>> {
    Ok(match (user.role, user.staff_id) {
        (Role::Teacher, Some(staff)) => state.store.leaders_rehearsals(staff, from, to).await?,
        (Role::Parent | Role::Pupil, _) => {
            let mut seen = std::collections::BTreeSet::new();
            state
                .store
                .pupils_rehearsals(&PupilScope::for_user(user), from, to)
                .await?
                .into_iter()
                .map(|(_, r)| r)
                .filter(|r| seen.insert(r.id))
                .collect()
        }
        _ => Vec::new(),
    })
}

// ---- a leader's registers ----

/// A leader takes their ensembles' registers on a phone, as teachers do at lessons.
pub fn leader_audience() -> Audience {
    Audience::new(
        Access::Roles(&[Role::Teacher]),
        Routes::new()
            .route("/teacher/ensembles", get(leader_page))
            .route("/teacher/rehearsals/{id}/mark", post(leader_mark)),
    )
}

/// A rehearsal with its register.
pub struct RegisterView {
    pub line: RehearsalLine,
    pub members: Vec<tutti_store::teaching::ensembles::rehearsals::RegisterLine>,
}

#[derive(Template)]
#[template(path = "ensembles/leader.html")]
struct LeaderPage {
    shell: Shell,
    csrf: String,
    rehearsals: Vec<RegisterView>,
    marks: &'static [(&'static str, &'static str)],
}

impl LeaderPage {
    fn mark_text(&self, mark: &str) -> &'static str {
        crate::routes::teaching::lessons::mark_text(mark)
    }
}

/// How far back and ahead a leader's page reaches: last week's registers to finish, the next
/// week's to come.
const LEADER_DAYS: i64 = 7;

async fn leader_page(a: Acting) -> AppResult<Response> {
    let today = a.state.store.today();
    let days = time::Duration::days(LEADER_DAYS);
    let found = match a.user.staff_id {
        Some(staff) => {
            a.state
                .store
                .leaders_rehearsals(staff, today - days, today + days)
                .await?
        }
        None => Vec::new(),
    };
    let mut rehearsals = Vec::new();
    for r in found {
        let members = a.state.store.rehearsal_register(r.id).await?;
        rehearsals.push(RegisterView {
            line: RehearsalLine::new(r),
            members,
        });
    }
    let page = LeaderPage {
        shell: Shell::new(&a.state, &a.visitor, "Ensemble registers", "/teacher/ensembles"),
        csrf: a.csrf(),
        rehearsals,
        marks: &crate::routes::teaching::lessons::PUPIL_MARKS,
    };
    render_clearing_flash(&a.state, &a.visitor, &page).await
}

#[derive(Deserialize)]
struct MarkForm {
    pupil: i64,
    mark: String,
}

async fn leader_mark(a: Acting, Path(id): Path<i64>, Form(f): Form<MarkForm>) -> AppResult<Response> {
    let state = &a.state;
    let rehearsal = state.store.rehearsal(id).await?.ok_or(AppError::NotFound)?;
    let leads = match a.user.staff_id {
        Some(staff) => state.store.leads_ensemble(staff, rehearsal.ensemble_id).await?,
        None => false,
    };
    if !leads {
        return Err(AppError::Forbidden(
            "You can take the registers only of the ensembles you lead.".into(),
        ));
    }
    let mark: tutti_domain::guarantee::RegisterMark = f.mark.parse().map_err(|_| AppError::NotFound)?;
    let back = format!("/teacher/ensembles#rehearsal-{id}");
    let marked = state.store.mark_rehearsal(&a.actor(), id, f.pupil, mark).await;
    a.said(marked.map(|()| "Saved."), &back).await
}
