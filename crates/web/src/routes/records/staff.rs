//! Admin screens for staff, with warnings before a DBS check or safeguarding training lapses.
use axum::extract::{Path, Query, State};
use axum::response::Response;
use axum::routing::get;
use tutti_domain::csv::StaffRow;
use tutti_domain::staff::{Employment, StaffRole};

use tutti_store::platform::audit::Actor;
use tutti_store::{Store, StoreError};

use super::editing::{self, EditableRecord};
use super::*;
use crate::access::Routes;
use crate::error::AppError;

pub fn routes() -> Routes {
    Routes::new()
        .route("/admin/staff", get(list))
        .route("/admin/staff/{id}", get(view))
        .merge(editing::routes::<Staff>())
}

/// Staff in the shared add, edit and archive screens.
pub(crate) struct Staff;

impl EditableRecord for Staff {
    type Input = StaffRow;
    const BASE: &'static str = "/admin/staff";
    const ADD_HEADING: &'static str = "Add a member of staff";
    const EDIT_HEADING: &'static str = "Edit member of staff";
    const BACK_TO_ONE: &'static str = "Back to the member of staff";
    const BACK_TO_ALL: &'static str = "Back to staff";
    const SUBMIT: &'static str = "Save";
    const ADDED: &'static str = "Member of staff added.";
    const SAVED: &'static str = "Saved.";
    const ARCHIVED: &'static str = "Member of staff archived.";
    const KIND: tutti_store::records::archive::Archivable = tutti_store::records::archive::Archivable::Staff;
    const CONFLICT_FIELD: &'static str = "email";

    fn fields(values: &Values, new: bool) -> Vec<FormField> {
        let _ = new;
        fields(values)
    }
    fn parse(values: &Values, errors: &mut FormErrors) -> Option<StaffRow> {
        read_row::<StaffRow>(values, errors)
    }
    fn values_of(input: &StaffRow) -> Values {
        values_of(input)
    }
    async fn load(store: &Store, id: i64) -> Result<Option<StaffRow>, StoreError> {
        store.staff_row(id).await
    }
    async fn create(store: &Store, who: &Actor, input: &StaffRow) -> Result<i64, StoreError> {
        Ok(store.create_staff(who, input).await?.id)
    }
    async fn update(store: &Store, who: &Actor, id: i64, input: &StaffRow) -> Result<(), StoreError> {
        store.update_staff(who, id, input).await.map(drop)
    }
    async fn archive(store: &Store, who: &Actor, id: i64) -> Result<(), StoreError> {
        store.archive_staff(who, id).await
    }
}

async fn list(State(state): State<AppState>, visitor: Visitor, Query(p): Query<ListParams>) -> AppResult<Response> {
    let page = state.store.list_staff(&p.query()).await?;
    let empty = empty_text("staff", &p.q, "staff");
    let list = list_of(
        &state,
        &visitor,
        "Staff",
        "/admin/staff",
        "Search by name, email or instrument",
        &p,
        vec![
            col("Name", "name"),
            col("Email", "email"),
            col("Role", "role"),
            col("Instruments", ""),
            col("Employment", "employment"),
            col("Checks", "dbs_issued"),
        ],
        page,
        |s| {
            let warnings = s.warnings();
            vec![
                link(
                    named(format!("{} {}", s.first_name, s.last_name), s.archived),
                    format!("/admin/staff/{}", s.id),
                ),
                cell(s.email),
                cell(s.role),
                cell(s.instruments.join(", ")),
                cell(s.employment.replace('-', " ")),
                cell(if warnings.is_empty() {
                    "In date".to_owned()
                } else {
                    warnings.join("; ")
                }),
            ]
        },
        empty,
    );
    crate::pages::render_clearing_flash(&state, &visitor, &list).await
}

async fn view(State(state): State<AppState>, visitor: Visitor, Path(id): Path<i64>) -> AppResult<Response> {
    let s = state.store.staff_member(id).await?.ok_or(AppError::NotFound)?;
    let availability = state.store.availability(id).await?.ok_or(AppError::NotFound)?;
    let name = format!("{} {}", s.first_name, s.last_name);
    let login = state
        .store
        .login_state_of(tutti_domain::invitations::InvitationLink::Staff(id))
        .await?;
    let login = login_box(&login, &format!("/admin/staff/{id}/invite"), &s.role, s.archived);
    let date = |d: Option<time::Date>| d.map(crate::format::short_day).unwrap_or_else(|| "Not recorded".into());
    let page = ViewPage {
        shell: Shell::new(&state, &visitor, name.clone(), "/admin/staff"),
        heading: name,
        back: ("/admin/staff".into(), "Back to staff".into()),
        href: format!("/admin/staff/{id}"),
        csrf: visitor.csrf(),
        archived: s.archived,
        warnings: s.warnings(),
        facts: vec![
            ("Email".into(), s.email.clone()),
            ("Role".into(), s.role.clone()),
            ("Instruments taught".into(), s.instruments.join(", ")),
            ("Employment".into(), s.employment.replace('-', " ")),
            (
                "Full-time equivalent".into(),
                s.fte.clone().unwrap_or_else(|| "Not recorded".into()),
            ),
            (
                "DBS certificate number".into(),
                s.dbs_number.clone().unwrap_or_default(),
            ),
            ("DBS issued".into(), date(s.dbs_issued)),
            ("On the DBS update service".into(), yes_no(s.dbs_update_service)),
            ("Safeguarding training".into(), date(s.safeguarding_trained)),
            ("Available to teach".into(), super::hours::week_lines(&availability)),
        ],
        links: vec![(
            format!("/admin/staff/{id}/availability"),
            "Change when they can teach".into(),
        )],
        guardians: None,
        login: Some(login),
        contacts: None,
        sections: super::profile::teacher_sections(&state, id).await?,
    };
    crate::pages::render_clearing_flash(&state, &visitor, &page).await
}

/// The staff record's login: its state, and the Invite button (as a teacher or a manager,
/// the one their staff role suggests first) while they have none and nothing is waiting.
fn login_box(
    state: &tutti_store::platform::invitations::LoginState,
    invite: &str,
    staff_role: &str,
    archived: bool,
) -> LoginBox {
    use tutti_store::platform::invitations::LoginState;
    let invitation = match state {
        LoginState::Invited { invitation_id, .. } => Some(*invitation_id),
        _ => None,
    };
    let can_invite = !archived && matches!(state, LoginState::NoLogin);
    let mut roles = vec![("teacher", "Teacher"), ("manager", "Manager")];
    if matches!(
        staff_role.parse::<StaffRole>(),
        Ok(StaffRole::Manager | StaffRole::Admin)
    ) {
        roles.reverse();
    }
    LoginBox {
        state: crate::routes::platform::invitations::state_words(state),
        invitation,
        invite: can_invite.then(|| invite.to_owned()),
        roles,
    }
}

fn fields(v: &Values) -> Vec<FormField> {
    let mut employment = select("employment", "Employment", Employment::WORDS, v);
    employment.options.insert(0, (String::new(), "Not recorded".into()));
    vec![
        input("email", "Email", "email", "Their work email; also their login", v),
        input("first_name", "First name", "text", "", v),
        input("last_name", "Last name", "text", "", v),
        select("role", "Role", StaffRole::WORDS, v),
        input(
            "instruments",
            "Instruments taught",
            "text",
            "Separate them with semicolons: violin; viola",
            v,
        ),
        employment,
        input("dbs_number", "DBS certificate number", "text", "12 digits", v),
        input("dbs_issued", "DBS issue date", "text", "For example 01/09/2024", v),
        checkbox("dbs_update_service", "Registered with the DBS update service", v),
        input(
            "safeguarding_trained",
            "Last safeguarding training",
            "text",
            "For example 30/06/2025",
            v,
        ),
        input(
            "fte",
            "Full-time equivalent",
            "text",
            "Optional: from 0.01 to 1, like 0.6 for three days a week; the data return sums them",
            v,
        ),
    ]
}

fn values_of(r: &StaffRow) -> Values {
    let mut v: Values = StaffRow::COLUMNS
        .iter()
        .map(|c| c.name.to_owned())
        .zip(r.to_fields())
        .collect();
    if !r.dbs_update_service {
        v.remove("dbs_update_service");
    }
    v
}
