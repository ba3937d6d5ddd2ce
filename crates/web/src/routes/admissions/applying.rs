//! Applying, shared by parents and schools: the choices on offer, reading a choice, and an application's words.
use crate::acting::Acting;
use crate::error::AppResult;
use crate::error::message;
use crate::forms::FormErrors;
use crate::pages::render_clearing_flash;
use crate::shell::Shell;
use crate::state::AppState;
use askama::Template;
use axum::response::{IntoResponse, Response};
use serde::Deserialize;
use time::Date;
use tutti_domain::admissions::{ApplicationSource, TuitionChoice, check_application};
use tutti_domain::lessons::lesson_words;
use tutti_domain::lessons::{LESSON_MINUTES, LessonType};
use tutti_store::StoreError;
use tutti_store::admissions::ApplicationStatus;
use tutti_store::admissions::applications::{ApplicationFilter, ApplicationView, NewApplication};
use tutti_store::admissions::tuition_offer::OfferedLesson;
use tutti_store::platform::audit::Actor;
use tutti_store::records::pupils::PupilScope;
use tutti_store::records::summaries::PupilSummary;

/// An application's status in words for its family.
pub(crate) fn status_words(a: &ApplicationView) -> String {
    let date = |d: Option<Date>| d.map(crate::format::short_day).unwrap_or_default();
    match a.status {
        ApplicationStatus::Waiting => match a.place {
            Some(p) => format!("Waiting: number {p} on the list"),
            None => "Waiting".into(),
        },
        ApplicationStatus::Offered => format!(
            "Offered a place from {}: answer by {}",
            date(a.offer_start_date),
            date(a.offer_expires_on)
        ),
        ApplicationStatus::Accepted => format!("Accepted: lessons from {}", date(a.offer_start_date)),
        ApplicationStatus::Declined => "Declined".into(),
        ApplicationStatus::Lapsed => format!("Offer lapsed on {}", date(a.offer_expires_on)),
    }
}

/// An application as a page shows it.
pub struct AppLine {
    pub a: ApplicationView,
    pub lesson: String,
    pub status: String,
    pub applied: String,
    pub open_offer: bool,
    /// The lesson's termly price from this year's policy ("£160.50 a term"), on pages that
    /// show prices; empty elsewhere or before prices are published.
    pub price: String,
}

impl AppLine {
    pub fn new(a: ApplicationView) -> AppLine {
        AppLine {
            lesson: format!("{} ({})", a.instrument, lesson_words(&a.lesson_type, a.minutes)),
            status: status_words(&a),
            applied: crate::format::short_day(a.applied_at.date()),
            open_offer: a.status == ApplicationStatus::Offered,
            price: String::new(),
            a,
        }
    }
}

pub(super) fn lines(rows: Vec<ApplicationView>) -> Vec<AppLine> {
    rows.into_iter().map(AppLine::new).collect()
}

/// The lines with each lesson's termly price from `prices`.
pub(super) fn priced_lines(rows: Vec<ApplicationView>, prices: &crate::prices::Prices) -> Vec<AppLine> {
    rows.into_iter()
        .map(|a| {
            let price = prices.of_lesson(&a.lesson_type, a.minutes).unwrap_or_default();
            AppLine {
                price,
                ..AppLine::new(a)
            }
        })
        .collect()
}

/// The applications a family's or a school's page lists: all of theirs, on one page.
/// A parent's or a school's applications page: their own applications, priced, this year's
/// price table (HTML from `crate::prices`), and the form to apply with the lessons on offer.
/// Each audience's template wraps it (and reads its fields through `Deref`).
pub(super) struct ApplicantPage {
    pub shell: Shell,
    pub csrf: String,
    /// A parent's children (none for a school).
    pub children: Vec<PupilSummary>,
    pub applications: Vec<AppLine>,
    pub choices: ApplyChoices,
    pub form: ApplyForm,
    pub errors: FormErrors,
    pub prices: String,
}

/// Where an applicant's page is: its title and path, and whether the applicant is a school.
pub(super) struct Applicant<'a> {
    pub title: &'a str,
    pub path: &'a str,
    pub school: bool,
}

/// Renders an applicant's page, wrapped by `template`, with 422 when it shows errors.
pub(super) async fn applicant_page<T: Template>(
    a: &Acting,
    at: Applicant<'_>,
    (children, form, errors): (Vec<PupilSummary>, ApplyForm, FormErrors),
    template: impl FnOnce(ApplicantPage) -> T,
) -> AppResult<Response> {
    let scope = PupilScope::for_user(&a.user);
    let applications = own_applications(&a.state, &scope).await?;
    let offer = a.state.store.tuition_offer().await?;
    let prices = crate::prices::Prices::current(&a.state.store).await?;
    let status = errors.status();
    let page = template(ApplicantPage {
        shell: Shell::new(&a.state, &a.visitor, at.title, at.path),
        csrf: a.csrf(),
        children,
        applications: priced_lines(applications, &prices),
        prices: prices.table(2)?,
        choices: apply_choices(&offer, at.school),
        form,
        errors,
    });
    let response = render_clearing_flash(&a.state, &a.visitor, &page).await?;
    Ok((status, response).into_response())
}

/// Reads a lesson's length, which must be one the hub teaches.
pub(super) fn read_minutes(form: &ApplyForm, errors: &mut FormErrors) -> Option<u16> {
    let minutes = form
        .minutes
        .trim()
        .parse::<u16>()
        .ok()
        .filter(|m| LESSON_MINUTES.contains(m));
    if minutes.is_none() {
        errors.add("minutes", "Choose a lesson length: 15, 20, 30, 45 or 60 minutes");
    }
    minutes
}

pub(super) async fn own_applications(state: &AppState, scope: &PupilScope) -> AppResult<Vec<ApplicationView>> {
    let filter = ApplicationFilter {
        per_page: 200,
        ..Default::default()
    };
    Ok(state
        .store
        .applications(scope, &filter, state.store.today())
        .await?
        .rows)
}

// -------------------------------------------------------------------------------------------
// Applying

/// The choices on an application form.
pub struct ApplyChoices {
    pub instruments: Vec<String>,
    pub lesson_types: Vec<(&'static str, &'static str)>,
    pub minutes: Vec<u16>,
}

pub(super) fn apply_choices(offer: &[OfferedLesson], for_schools: bool) -> ApplyChoices {
    let mut instruments: Vec<String> = offer.iter().map(|o| o.instrument.clone()).collect();
    instruments.dedup_by(|a, b| a.eq_ignore_ascii_case(b));
    let mut lesson_types = vec![
        ("individual", "Individual"),
        ("paired", "Paired (2 pupils)"),
        ("group", "Small group (up to 6)"),
    ];
    if for_schools {
        lesson_types.push(("whole-class", "Whole class"));
    }
    ApplyChoices {
        instruments,
        lesson_types,
        minutes: LESSON_MINUTES.to_vec(),
    }
}

#[derive(Deserialize, Default, Clone)]
pub struct ApplyForm {
    #[serde(default)]
    pub pupil: String,
    #[serde(default)]
    pub instrument: String,
    #[serde(default)]
    pub lesson_type: String,
    #[serde(default)]
    pub minutes: String,
}

/// Reads the lesson part of an application form, checked against the offer.
pub(super) fn read_choice(
    form: &ApplyForm,
    source: ApplicationSource,
    offer: &[OfferedLesson],
    errors: &mut FormErrors,
) -> Option<TuitionChoice> {
    if form.instrument.trim().is_empty() {
        errors.add("instrument", "Choose an instrument, or voice");
    }
    let lesson_type = form.lesson_type.parse::<LessonType>().ok();
    if lesson_type.is_none() {
        errors.add("lesson_type", "Choose individual, paired or group lessons");
    }
    let minutes = read_minutes(form, errors);
    let choice = TuitionChoice {
        instrument: form.instrument.trim().to_owned(),
        lesson_type: lesson_type?,
        minutes: minutes?,
    };
    if form.instrument.trim().is_empty() {
        return None;
    }
    let offered: Vec<TuitionChoice> = offer
        .iter()
        .filter_map(|o| {
            Some(TuitionChoice {
                instrument: o.instrument.clone(),
                lesson_type: o.lesson_type.parse().ok()?,
                minutes: u16::try_from(o.minutes).ok()?,
            })
        })
        .collect();
    match check_application(&choice, source, &offered) {
        Ok(()) => Some(choice),
        Err(e) => {
            errors.add(e.field(), e.to_string());
            None
        }
    }
}

/// Stores an application, turning the store's refusals into messages by the field.
pub(super) async fn submit_application(
    state: &AppState,
    actor: &Actor,
    scope: &PupilScope,
    app: NewApplication,
    errors: &mut FormErrors,
) -> AppResult<Option<i64>> {
    match state.store.apply(actor, scope, &app).await {
        Ok(id) => Ok(Some(id)),
        Err(StoreError::NotFound) => {
            errors.add("pupil", "Choose one of the children listed");
            Ok(None)
        }
        Err(StoreError::Refused(r)) => {
            // A clash (already waiting or learning) is about the instrument; the rest about
            // what was chosen.
            errors.add(if r.is_conflict() { "instrument" } else { "lesson_type" }, message(&r));
            Ok(None)
        }
        Err(e) => Err(e.into()),
    }
}
