//! Pupils: who may see which pupil, the record with its guardians, writes and imports, each
//! audited (views of a record too). The list and its search, fast on a million rows, are
//! `pupil_search`'s.
use std::collections::{HashMap, HashSet};

use sea_orm::sea_query::OnConflict;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, EntityTrait, FromQueryResult, QueryFilter, QueryOrder, QuerySelect, Set, Value,
};
use serde::Serialize;
use time::{Date, OffsetDateTime};
use tutti_domain::calendar::{AcademicYear, YearGroup, year_group};
use tutti_domain::characteristics::{Ethnicity, Gender};
use tutti_domain::csv::{ImportedRow, PupilRow};
use tutti_domain::records::{ImportRowProblem, RecordRefusal};
use tutti_domain::validate::{EmailAddress, PhoneNumber, Urn};

use crate::entities::{guardian, pupil, pupil_guardian, school};
use crate::error::Result;
use crate::platform::accounts::{Role, User};
use crate::platform::audit::{self, Action, Actor};
use crate::query::{all_of, found, one_of};
use crate::records::guardians::Guardian;
use crate::records::imports::{Change, ImportReport, change_summary, changed_fields, issue_at};
use crate::records::unique::taken;
use crate::{Store, now};

/// Which pupils a person may see (DOMAIN.md, privacy: least privilege).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PupilScope {
    /// Office admins and managers.
    All,
    /// A teacher: pupils with an active enrolment with this staff id, or one under notice
    /// (taught until its end date).
    Teacher(i64),
    /// A parent: children whose guardian has this (verified) email.
    Guardian(String),
    /// A school contact: pupils on this school's roll.
    School(i64),
    /// A pupil: themselves.
    Own(i64),
    /// Nobody (an account not linked to any record).
    Nobody,
}

impl PupilScope {
    pub fn for_user(user: &User) -> PupilScope {
        match user.role {
            Role::Admin | Role::Manager => PupilScope::All,
            Role::Teacher => user.staff_id.map(PupilScope::Teacher).unwrap_or(PupilScope::Nobody),
            // An unconfirmed email proves nothing about whose child this is.
            Role::Parent if user.email_verified => PupilScope::Guardian(user.email.to_lowercase()),
            Role::Parent => PupilScope::Nobody,
            Role::School => user.school_id.map(PupilScope::School).unwrap_or(PupilScope::Nobody),
            Role::Pupil => user.pupil_id.map(PupilScope::Own).unwrap_or(PupilScope::Nobody),
        }
    }

    /// Medical notes and SEND details go only to admins, managers, the pupil's guardians
    /// and the pupil's own teachers; a scope already limits which pupils those are.
    pub fn sees_sensitive(&self) -> bool {
        matches!(self, PupilScope::All | PupilScope::Teacher(_) | PupilScope::Guardian(_))
    }

    /// The SQL condition on `p` (pupils) for this scope, with its parameters.
    pub(crate) fn condition(&self) -> (String, Vec<Value>) {
        match self {
            PupilScope::All => ("1 = 1".into(), vec![]),
            PupilScope::Teacher(staff_id) => (
                "EXISTS (SELECT 1 FROM enrolments e WHERE e.pupil_id = p.id AND e.teacher_id = ? AND e.status IN ('active', 'leaving'))"
                    .into(),
                vec![(*staff_id).into()],
            ),
            PupilScope::Guardian(email) => (
                "EXISTS (SELECT 1 FROM pupil_guardians pg JOIN guardians g ON g.id = pg.guardian_id \
                 WHERE pg.pupil_id = p.id AND g.email = ?)"
                    .into(),
                vec![email.clone().into()],
            ),
            PupilScope::School(school_id) => ("p.school_id = ?".into(), vec![(*school_id).into()]),
            PupilScope::Own(pupil_id) => ("p.id = ?".into(), vec![(*pupil_id).into()]),
            PupilScope::Nobody => ("1 = 0".into(), vec![]),
        }
    }
}

/// The columns a pupil list may be sorted by: (name in the URL, ORDER BY). Name, first name
/// and reference sort by their lower-cased keys instead (`pupil_search::KeyedSort`).
pub const SORTS: &[(&str, &str)] = &[
    ("name", "p.last_name, p.first_name"),
    ("first_name", "p.first_name, p.last_name"),
    ("ref", "p.pupil_ref"),
    ("dob", "p.date_of_birth"),
    ("school", "s.name"),
];

/// A pupil as a list shows them.
#[derive(Debug, Clone, Serialize, FromQueryResult, PartialEq, Eq)]
pub struct PupilListRow {
    pub id: i64,
    pub pupil_ref: String,
    pub first_name: String,
    pub last_name: String,
    #[serde(with = "iso_date")]
    pub date_of_birth: Date,
    pub school_id: i64,
    pub school_name: String,
    #[serde(skip)]
    pub year_group_override: Option<i32>,
    /// Listed only when archived records are asked for.
    #[serde(skip)]
    pub archived: bool,
}

impl PupilListRow {
    /// The pupil's year group in the academic year containing `today`.
    pub fn year_group(&self, today: Date) -> String {
        year_group_text(self.date_of_birth, self.year_group_override, today)
    }
}

/// A pupil's whole record. `send` and `medical_notes` are `None` when the viewer may not
/// see them (`redacted`).
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct Pupil {
    pub id: i64,
    pub pupil_ref: String,
    pub first_name: String,
    pub last_name: String,
    #[serde(with = "iso_date")]
    pub date_of_birth: Date,
    pub school_id: i64,
    pub school_name: String,
    pub school_urn: i32,
    pub year_group: String,
    pub year_group_overridden: bool,
    pub fsm: bool,
    pub pupil_premium: bool,
    pub looked_after: bool,
    pub photo_consent: bool,
    /// Gender and ethnicity as recorded (`None`: not recorded), decision 0090.
    pub gender: Option<Gender>,
    pub ethnicity: Option<Ethnicity>,
    pub send: Option<bool>,
    pub medical_notes: Option<String>,
    pub redacted: bool,
    pub archived: bool,
    pub guardians: Vec<Guardian>,
    #[serde(with = "time::serde::rfc3339")]
    pub updated_at: OffsetDateTime,
}

/// What a pupil form or API call supplies: the import row's fields plus the two that only
/// the screens hold. The row's guardian fields add a first guardian on create.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PupilInput {
    pub row: PupilRow,
    pub medical_notes: Option<String>,
    pub photo_consent: bool,
}

mod iso_date {
    use serde::Serializer;
    use time::Date;

    pub fn serialize<S: Serializer>(d: &Date, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&tutti_domain::validate::format_date_iso(*d))
    }
}

/// The year group shown: the override if set, else derived from the date of birth and the
/// current academic year.
pub fn year_group_text(dob: Date, override_number: Option<i32>, today: Date) -> String {
    if let Some(y) = override_number.and_then(|n| YearGroup::from_number(n as i8)) {
        return y.to_string();
    }
    match year_group(dob, AcademicYear::containing(today)) {
        Ok(y) => y.to_string(),
        Err(e) => format!("None ({e})"),
    }
}

/// Stored pupil fields in a comparable form, for change detection and the audit summary.
fn stored_fields(m: &pupil::Model, school_id: i64) -> Vec<(&'static str, String)> {
    vec![
        ("first_name", m.first_name.clone()),
        ("last_name", m.last_name.clone()),
        ("date_of_birth", m.date_of_birth.to_string()),
        ("school", school_id.to_string()),
        ("year_group", format!("{:?}", m.year_group_override)),
        ("fsm", m.fsm.to_string()),
        ("pupil_premium", m.pupil_premium.to_string()),
        ("send", m.send.to_string()),
        ("looked_after", m.looked_after.to_string()),
        ("gender", m.gender.clone().unwrap_or_default()),
        ("ethnicity", m.ethnicity.clone().unwrap_or_default()),
    ]
}

fn row_fields(r: &PupilRow, school_id: i64) -> Vec<(&'static str, String)> {
    vec![
        ("first_name", r.first_name.clone()),
        ("last_name", r.last_name.clone()),
        ("date_of_birth", r.date_of_birth.to_string()),
        ("school", school_id.to_string()),
        ("year_group", format!("{:?}", r.year_group.map(|y| y.number() as i32))),
        ("fsm", r.fsm.to_string()),
        ("pupil_premium", r.pupil_premium.to_string()),
        ("send", r.send.to_string()),
        ("looked_after", r.looked_after.to_string()),
        ("gender", r.gender.map(|g| g.as_str().to_owned()).unwrap_or_default()),
        (
            "ethnicity",
            r.ethnicity.map(|e| e.as_str().to_owned()).unwrap_or_default(),
        ),
    ]
}

fn apply_row(a: &mut pupil::ActiveModel, r: &PupilRow, school_id: i64) {
    a.pupil_ref = Set(r.pupil_ref.clone());
    a.first_name = Set(r.first_name.clone());
    a.last_name = Set(r.last_name.clone());
    a.date_of_birth = Set(r.date_of_birth);
    a.school_id = Set(school_id);
    a.year_group_override = Set(r.year_group.map(|y| y.number() as i32));
    a.fsm = Set(r.fsm);
    a.pupil_premium = Set(r.pupil_premium);
    a.send = Set(r.send);
    a.looked_after = Set(r.looked_after);
    a.gender = Set(r.gender.map(|g| g.as_str().to_owned()));
    a.ethnicity = Set(r.ethnicity.map(|e| e.as_str().to_owned()));
}

/// Rows per multi-row statement: well inside SQLite's limit on the parameters of one.
const CHUNK: usize = 500;

#[derive(FromQueryResult)]
struct PupilWithSchool {
    id: i64,
    school_name: String,
    school_urn: i32,
}

#[tutti_boxed::boxed]
impl Store {
    /// A pupil's record if the scope may see it, recording the view in the audit log.
    /// Someone else's pupil is `None`, exactly like a pupil that does not exist.
    pub async fn view_pupil(&self, actor: &Actor, scope: &PupilScope, id: i64) -> Result<Option<Pupil>> {
        let Some(p) = self.pupil_in_scope(scope, id).await? else {
            return Ok(None);
        };
        self.audit(
            actor,
            Action::View,
            "pupil",
            Some(id),
            &format!("pupil {} viewed", p.pupil_ref),
        )
        .await?;
        Ok(Some(p))
    }

    /// A pupil's record if the scope may see it, without auditing (for edit forms that
    /// follow a view, and for checks).
    pub async fn pupil_in_scope(&self, scope: &PupilScope, id: i64) -> Result<Option<Pupil>> {
        let _backend = self.conn().get_database_backend();
        let (scope_sql, mut values) = scope.condition();
        values.insert(0, id.into());
        let sql = format!(
            "SELECT p.id, s.name AS school_name, s.urn AS school_urn FROM pupils p \
             JOIN schools s ON s.id = p.school_id WHERE p.id = ? AND {scope_sql}"
        );
        let Some(found) = one_of::<PupilWithSchool>(self.conn(), &sql, values).await? else {
            return Ok(None);
        };
        let Some(m) = pupil::Entity::find_by_id(found.id).one(self.conn()).await? else {
            return Ok(None);
        };
        let guardians = self.guardians_of(m.id).await?;
        let sensitive = scope.sees_sensitive();
        Ok(Some(Pupil {
            id: m.id,
            year_group: year_group_text(m.date_of_birth, m.year_group_override, self.today()),
            year_group_overridden: m.year_group_override.is_some(),
            pupil_ref: m.pupil_ref,
            first_name: m.first_name,
            last_name: m.last_name,
            date_of_birth: m.date_of_birth,
            school_id: m.school_id,
            school_name: found.school_name,
            school_urn: found.school_urn,
            fsm: m.fsm,
            pupil_premium: m.pupil_premium,
            looked_after: m.looked_after,
            photo_consent: m.photo_consent,
            gender: m.gender.as_deref().and_then(|g| g.parse().ok()),
            ethnicity: m.ethnicity.as_deref().and_then(|e| e.parse().ok()),
            send: sensitive.then_some(m.send),
            medical_notes: if sensitive { m.medical_notes } else { None },
            redacted: !sensitive,
            archived: m.archived_at.is_some(),
            guardians,
            updated_at: m.updated_at,
        }))
    }

    /// The stored pupil as an input, for prefilling an edit form.
    pub async fn pupil_input(&self, id: i64) -> Result<Option<PupilInput>> {
        let Some(m) = pupil::Entity::find_by_id(id).one(self.conn()).await? else {
            return Ok(None);
        };
        let urn = school::Entity::find_by_id(m.school_id)
            .one(self.conn())
            .await?
            .map(|s| s.urn)
            .unwrap_or(0);
        Ok(Some(input_of(&m, urn, None)))
    }

    pub async fn create_pupil(&self, actor: &Actor, input: &PupilInput) -> Result<i64> {
        let txn = self.write().await?;
        let school_id = school_id_for(&txn, input.row.school_urn).await?;
        if taken::<pupil::Entity>(&txn, pupil::Column::PupilRef, &input.row.pupil_ref, None).await? {
            return Err(RecordRefusal::PupilRefTaken {
                pupil_ref: input.row.pupil_ref.clone(),
            }
            .into());
        }
        let t = now();
        let mut a = pupil::ActiveModel {
            medical_notes: Set(input.medical_notes.clone()),
            photo_consent: Set(input.photo_consent),
            archived_at: Set(None),
            created_at: Set(t),
            updated_at: Set(t),
            ..Default::default()
        };
        apply_row(&mut a, &input.row, school_id);
        let m = a.insert(&txn).await?;
        let what = format!("pupil {}", m.pupil_ref);
        audit::commit(txn, actor, Action::Create, "pupil", Some(m.id), what).await?;
        if let Some(name) = &input.row.guardian_name {
            let g = crate::records::guardians::GuardianInput {
                name: name.clone(),
                email: input.row.guardian_email.clone(),
                phone: input.row.guardian_phone.clone(),
                address: String::new(),
            };
            self.add_guardian(actor, m.id, &g).await?;
        }
        Ok(m.id)
    }

    pub async fn update_pupil(&self, actor: &Actor, id: i64, input: &PupilInput) -> Result<()> {
        let txn = self.write().await?;
        let current = found::<pupil::Entity>(&txn, id).await?;
        let school_id = school_id_for(&txn, input.row.school_urn).await?;
        if current.pupil_ref != input.row.pupil_ref
            && taken::<pupil::Entity>(&txn, pupil::Column::PupilRef, &input.row.pupil_ref, None).await?
        {
            return Err(RecordRefusal::PupilRefTaken {
                pupil_ref: input.row.pupil_ref.clone(),
            }
            .into());
        }
        let mut changed = changed_fields(
            &stored_fields(&current, current.school_id),
            &row_fields(&input.row, school_id),
        );
        if current.medical_notes != input.medical_notes {
            changed.push("medical_notes");
        }
        if current.photo_consent != input.photo_consent {
            changed.push("photo_consent");
        }
        if current.pupil_ref != input.row.pupil_ref {
            changed.push("pupil_ref");
        }
        let mut a: pupil::ActiveModel = current.into();
        apply_row(&mut a, &input.row, school_id);
        a.medical_notes = Set(input.medical_notes.clone());
        a.photo_consent = Set(input.photo_consent);
        a.updated_at = Set(now());
        let m = a.update(&txn).await?;
        let summary = change_summary(&format!("pupil {}", m.pupil_ref), &changed);
        audit::commit(txn, actor, Action::Update, "pupil", Some(id), summary).await?;
        Ok(())
    }

    /// Imports pupil rows matched by `pupil_ref`, with their first guardian, all or nothing.
    /// Rows naming a school that does not exist reject the file. Unchanged rows write nothing.
    ///
    /// A hub's file holds thousands of rows, so everything it might touch is read in a few
    /// queries and every write goes out in multi-row statements, in one transaction.
    pub async fn import_pupils(
        &self,
        actor: &Actor,
        rows: &[ImportedRow<PupilRow>],
        dry_run: bool,
    ) -> Result<ImportReport> {
        let mut report = ImportReport {
            dry_run,
            ..Default::default()
        };
        let txn = self.write().await?;
        let schools = Store::school_ids_by_urn(&txn).await?;
        for r in rows {
            if !schools.contains_key(&(r.row.school_urn.get() as i32)) {
                let problem = ImportRowProblem::NoSchool { urn: r.row.school_urn };
                report
                    .errors
                    .push(issue_at(r.line, problem.column(), problem.to_string()));
            }
        }
        if !report.is_ok() {
            txn.rollback().await?;
            return Ok(report);
        }

        // Everything the file might touch, fetched in a few queries.
        let refs: Vec<String> = rows.iter().map(|r| r.row.pupil_ref.clone()).collect();
        let mut existing: HashMap<String, pupil::Model> = HashMap::new();
        for chunk in refs.chunks(CHUNK) {
            for m in pupil::Entity::find()
                .filter(pupil::Column::PupilRef.is_in(chunk.to_vec()))
                .all(&txn)
                .await?
            {
                existing.insert(m.pupil_ref.clone(), m);
            }
        }
        let emails: Vec<String> = rows
            .iter()
            .filter_map(|r| r.row.guardian_email.as_ref().map(|e| e.to_string()))
            .collect::<HashSet<_>>()
            .into_iter()
            .collect();
        let mut guardians: HashMap<String, guardian::Model> = HashMap::new();
        for chunk in emails.chunks(CHUNK) {
            for g in guardian::Entity::find()
                .filter(guardian::Column::Email.is_in(chunk.to_vec()))
                .order_by_asc(guardian::Column::Id)
                .all(&txn)
                .await?
            {
                guardians.entry(g.email.clone()).or_insert(g);
            }
        }
        let existing_ids: Vec<i64> = existing.values().map(|m| m.id).collect();
        let mut links: HashSet<(i64, i64)> = HashSet::new();
        for chunk in existing_ids.chunks(CHUNK) {
            for l in pupil_guardian::Entity::find()
                .filter(pupil_guardian::Column::PupilId.is_in(chunk.to_vec()))
                .all(&txn)
                .await?
            {
                links.insert((l.pupil_id, l.guardian_id));
            }
        }
        // A guardian without an email is matched by name among the pupil's own guardians.
        let mut by_pupil_and_name: HashMap<(i64, String), i64> = HashMap::new();
        if rows
            .iter()
            .any(|r| r.row.guardian_name.is_some() && r.row.guardian_email.is_none())
        {
            let linked: Vec<i64> = links.iter().map(|l| l.1).collect::<HashSet<_>>().into_iter().collect();
            let mut names: HashMap<i64, String> = HashMap::new();
            for chunk in linked.chunks(CHUNK) {
                for g in guardian::Entity::find()
                    .filter(guardian::Column::Id.is_in(chunk.to_vec()))
                    .all(&txn)
                    .await?
                {
                    names.insert(g.id, g.name);
                }
            }
            for (pupil_id, guardian_id) in &links {
                if let Some(name) = names.get(guardian_id) {
                    let slot = by_pupil_and_name
                        .entry((*pupil_id, name.clone()))
                        .or_insert(*guardian_id);
                    *slot = (*slot).min(*guardian_id);
                }
            }
        }

        let t = now();
        let mut events = Vec::new();
        let mut new_pupils = Vec::new();
        let mut changed_pupils = Vec::new();
        let mut touched_refs: HashSet<String> = HashSet::new();
        for r in rows {
            let school_id = schools[&(r.row.school_urn.get() as i32)];
            match existing.get(&r.row.pupil_ref) {
                Some(m) => {
                    let changed = changed_fields(&stored_fields(m, m.school_id), &row_fields(&r.row, school_id));
                    if changed.is_empty() && m.archived_at.is_none() {
                        continue;
                    }
                    let mut a: pupil::ActiveModel = m.clone().into();
                    apply_row(&mut a, &r.row, school_id);
                    a.archived_at = Set(None);
                    a.updated_at = Set(t);
                    changed_pupils.push(a);
                    touched_refs.insert(r.row.pupil_ref.clone());
                    events.push(audit::event(
                        actor,
                        Action::Update,
                        "pupil",
                        Some(m.id),
                        change_summary(&format!("pupil {} (import)", m.pupil_ref), &changed),
                    ));
                }
                None => {
                    let mut a = pupil::ActiveModel {
                        medical_notes: Set(None),
                        photo_consent: Set(false),
                        archived_at: Set(None),
                        created_at: Set(t),
                        updated_at: Set(t),
                        ..Default::default()
                    };
                    apply_row(&mut a, &r.row, school_id);
                    new_pupils.push(a);
                }
            }
        }
        // Changed pupils are written back whole by id: one statement per chunk, not per row.
        let update_pupil = OnConflict::column(pupil::Column::Id)
            .update_columns([
                pupil::Column::FirstName,
                pupil::Column::LastName,
                pupil::Column::DateOfBirth,
                pupil::Column::SchoolId,
                pupil::Column::YearGroupOverride,
                pupil::Column::Fsm,
                pupil::Column::PupilPremium,
                pupil::Column::Send,
                pupil::Column::LookedAfter,
                pupil::Column::Gender,
                pupil::Column::Ethnicity,
                pupil::Column::ArchivedAt,
                pupil::Column::UpdatedAt,
            ])
            .to_owned();
        for chunk in changed_pupils.chunks(CHUNK) {
            pupil::Entity::insert_many(chunk.to_vec())
                .on_conflict(update_pupil.clone())
                .exec_without_returning(&txn)
                .await?;
        }
        report.created = new_pupils.len();
        for chunk in new_pupils.chunks(CHUNK) {
            pupil::Entity::insert_many(chunk.to_vec())
                .exec_without_returning(&txn)
                .await?;
        }
        let new_refs: Vec<String> = rows
            .iter()
            .filter(|r| !existing.contains_key(&r.row.pupil_ref))
            .map(|r| r.row.pupil_ref.clone())
            .collect();
        let mut ids: HashMap<String, i64> = existing.iter().map(|(k, m)| (k.clone(), m.id)).collect();
        for chunk in new_refs.chunks(CHUNK) {
            let found: Vec<(i64, String)> = pupil::Entity::find()
                .select_only()
                .column(pupil::Column::Id)
                .column(pupil::Column::PupilRef)
                .filter(pupil::Column::PupilRef.is_in(chunk.to_vec()))
                .into_tuple()
                .all(&txn)
                .await?;
            for (id, pupil_ref) in found {
                events.push(audit::event(
                    actor,
                    Action::Create,
                    "pupil",
                    Some(id),
                    format!("pupil {pupil_ref} (import)"),
                ));
                ids.insert(pupil_ref, id);
            }
        }

        // Guardians: matched by email, created when new, updated when their details changed.
        let mut new_guardians: Vec<guardian::ActiveModel> = Vec::new();
        let mut changed_guardians: HashMap<i64, guardian::Model> = HashMap::new();
        let mut seen_new: HashSet<String> = HashSet::new();
        for r in rows {
            let (Some(name), Some(email)) = (&r.row.guardian_name, &r.row.guardian_email) else {
                continue;
            };
            let email = email.to_string();
            let phone = r
                .row
                .guardian_phone
                .as_ref()
                .map(PhoneNumber::national)
                .unwrap_or_default();
            match guardians.get_mut(&email) {
                Some(g) if g.name == *name && g.phone == phone => {}
                Some(g) => {
                    g.name = name.clone();
                    g.phone = phone;
                    g.updated_at = t;
                    changed_guardians.insert(g.id, g.clone());
                    touched_refs.insert(r.row.pupil_ref.clone());
                }
                None => {
                    if seen_new.insert(email.clone()) {
                        new_guardians.push(guardian::ActiveModel {
                            name: Set(name.clone()),
                            email: Set(email.clone()),
                            phone: Set(phone),
                            address: Set(String::new()),
                            created_at: Set(t),
                            updated_at: Set(t),
                            ..Default::default()
                        });
                    }
                }
            }
        }
        let update_guardian = OnConflict::column(guardian::Column::Id)
            .update_columns([
                guardian::Column::Name,
                guardian::Column::Phone,
                guardian::Column::UpdatedAt,
            ])
            .to_owned();
        let changed_guardians: Vec<guardian::ActiveModel> = changed_guardians.into_values().map(Into::into).collect();
        for chunk in changed_guardians.chunks(CHUNK) {
            guardian::Entity::insert_many(chunk.to_vec())
                .on_conflict(update_guardian.clone())
                .exec_without_returning(&txn)
                .await?;
        }
        for chunk in new_guardians.chunks(CHUNK) {
            guardian::Entity::insert_many(chunk.to_vec())
                .exec_without_returning(&txn)
                .await?;
        }
        let new_emails: Vec<String> = seen_new.into_iter().collect();
        for chunk in new_emails.chunks(CHUNK) {
            for g in guardian::Entity::find()
                .filter(guardian::Column::Email.is_in(chunk.to_vec()))
                .order_by_asc(guardian::Column::Id)
                .all(&txn)
                .await?
            {
                guardians.entry(g.email.clone()).or_insert(g);
            }
        }
        let mut new_links = Vec::new();
        for r in rows {
            let Some(name) = &r.row.guardian_name else { continue };
            let pupil_id = ids[&r.row.pupil_ref];
            let guardian_id = match &r.row.guardian_email {
                Some(email) => guardians[&email.to_string()].id,
                None => match by_pupil_and_name.get(&(pupil_id, name.clone())) {
                    Some(id) => *id,
                    // Rare (a guardian with neither email nor a match), so one insert each is fine;
                    // the new id is needed for the link.
                    None => {
                        let id = guardian::ActiveModel {
                            name: Set(name.clone()),
                            email: Set(String::new()),
                            phone: Set(r
                                .row
                                .guardian_phone
                                .as_ref()
                                .map(PhoneNumber::national)
                                .unwrap_or_default()),
                            address: Set(String::new()),
                            created_at: Set(t),
                            updated_at: Set(t),
                            ..Default::default()
                        }
                        .insert(&txn)
                        .await?
                        .id;
                        by_pupil_and_name.insert((pupil_id, name.clone()), id);
                        id
                    }
                },
            };
            if links.insert((pupil_id, guardian_id)) {
                new_links.push(pupil_guardian::ActiveModel {
                    pupil_id: Set(pupil_id),
                    guardian_id: Set(guardian_id),
                });
                if existing.contains_key(&r.row.pupil_ref) && !touched_refs.contains(&r.row.pupil_ref) {
                    touched_refs.insert(r.row.pupil_ref.clone());
                    events.push(audit::event(
                        actor,
                        Action::Update,
                        "pupil",
                        Some(pupil_id),
                        format!("pupil {} (import): guardian {guardian_id} added", r.row.pupil_ref),
                    ));
                }
            }
        }
        for chunk in new_links.chunks(CHUNK) {
            pupil_guardian::Entity::insert_many(chunk.to_vec())
                .exec_without_returning(&txn)
                .await?;
        }
        for r in rows {
            let change = if !existing.contains_key(&r.row.pupil_ref) {
                Change::Created
            } else if touched_refs.contains(&r.row.pupil_ref) {
                Change::Updated
            } else {
                Change::Unchanged
            };
            report.changes.push((r.line, change));
        }
        report.updated = touched_refs.len();
        report.unchanged = rows.len() - report.created - report.updated;
        crate::records::imports::finish(txn, actor, ("pupil", "pupils"), rows.len(), &report, events).await?;
        Ok(report)
    }

    /// Every pupil as an import row with their first guardian, in pages of `batch`, handed
    /// to `sink` so that a national-sized export never sits in memory at once.
    pub async fn export_pupils(&self, batch: u64, mut sink: impl FnMut(Vec<PupilRow>)) -> Result<u64> {
        let _backend = self.conn().get_database_backend();
        let mut after = 0i64;
        let mut total = 0u64;
        loop {
            let sql = "SELECT p.*, s.urn AS school_urn, g.name AS g_name, g.email AS g_email, g.phone AS g_phone \
                       FROM pupils p JOIN schools s ON s.id = p.school_id \
                       LEFT JOIN guardians g ON g.id = (SELECT MIN(pg.guardian_id) FROM pupil_guardians pg WHERE pg.pupil_id = p.id) \
                       WHERE p.id > ? ORDER BY p.id LIMIT ?";
            let found = all_of::<ExportRow>(self.conn(), sql, [after.into(), (batch as i64).into()]).await?;
            let Some(last) = found.last() else { break };
            after = last.id;
            total += found.len() as u64;
            sink(found.into_iter().map(ExportRow::into_row).collect());
        }
        Ok(total)
    }
}

#[derive(FromQueryResult)]
struct ExportRow {
    id: i64,
    pupil_ref: String,
    first_name: String,
    last_name: String,
    date_of_birth: Date,
    year_group_override: Option<i32>,
    fsm: bool,
    pupil_premium: bool,
    send: bool,
    looked_after: bool,
    gender: Option<String>,
    ethnicity: Option<String>,
    school_urn: i32,
    g_name: Option<String>,
    g_email: Option<String>,
    g_phone: Option<String>,
}

impl ExportRow {
    fn into_row(self) -> PupilRow {
        PupilRow {
            pupil_ref: self.pupil_ref,
            first_name: self.first_name,
            last_name: self.last_name,
            date_of_birth: self.date_of_birth,
            school_urn: Urn::new(self.school_urn.max(0) as u32).unwrap_or_else(|_| Urn::new(100_000).expect("valid")),
            year_group: self.year_group_override.and_then(|n| YearGroup::from_number(n as i8)),
            fsm: self.fsm,
            pupil_premium: self.pupil_premium,
            send: self.send,
            looked_after: self.looked_after,
            gender: self.gender.as_deref().and_then(|g| g.parse().ok()),
            ethnicity: self.ethnicity.as_deref().and_then(|e| e.parse().ok()),
            guardian_name: self.g_name.filter(|s| !s.is_empty()),
            guardian_email: self.g_email.as_deref().and_then(|e| EmailAddress::parse(e).ok()),
            guardian_phone: self.g_phone.as_deref().and_then(|p| PhoneNumber::parse(p).ok()),
        }
    }
}

fn input_of(m: &pupil::Model, urn: i32, _guardian: Option<&Guardian>) -> PupilInput {
    PupilInput {
        row: PupilRow {
            pupil_ref: m.pupil_ref.clone(),
            first_name: m.first_name.clone(),
            last_name: m.last_name.clone(),
            date_of_birth: m.date_of_birth,
            school_urn: Urn::new(urn.max(0) as u32).unwrap_or_else(|_| Urn::new(100_000).expect("valid")),
            year_group: m.year_group_override.and_then(|n| YearGroup::from_number(n as i8)),
            fsm: m.fsm,
            pupil_premium: m.pupil_premium,
            send: m.send,
            looked_after: m.looked_after,
            gender: m.gender.as_deref().and_then(|g| g.parse().ok()),
            ethnicity: m.ethnicity.as_deref().and_then(|e| e.parse().ok()),
            guardian_name: None,
            guardian_email: None,
            guardian_phone: None,
        },
        medical_notes: m.medical_notes.clone(),
        photo_consent: m.photo_consent,
    }
}

async fn school_id_for(conn: &impl sea_orm::ConnectionTrait, urn: Urn) -> Result<i64> {
    school::Entity::find()
        .filter(school::Column::Urn.eq(urn.get() as i32))
        .one(conn)
        .await?
        .map(|s| s.id)
        .ok_or_else(|| RecordRefusal::NoSchool { urn }.into())
}
