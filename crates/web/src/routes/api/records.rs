//! The core records through the API: schools, pupils, staff and instruments (list, read,
//! create, replace, archive) and the audit log. Bodies use the import's column names and are
//! read by the same parsers as the screens and the import, so a value is refused with the
//! same message everywhere; writes are for the office, pupils are scoped to whoever asks.
use axum::http::StatusCode;
use axum::response::IntoResponse;
use serde::{Deserialize, Serialize};
use tutti_domain::instruments::{InstrumentCondition, InstrumentStatus};
use tutti_domain::schools::{BillingMethod, SchoolPhase, SchoolType};
use tutti_domain::staff::{CheckStatus, Employment, StaffRole};
use tutti_store::listing::ListQuery;
use tutti_store::platform::audit::AuditFilter;
use tutti_store::records::pupils::PupilScope;
use utoipa::openapi::schema::{Object, ObjectBuilder, Type};
use utoipa::{IntoParams, ToSchema};

use crate::api_extract::{ApiJson, ApiPath, ApiQuery};
use crate::forms::FormErrors;
use crate::routes::api::caller::Caller;
use crate::routes::api::fields::Fields;
use crate::routes::api::schemas::{Page, iso_date, not_null, paging};
use crate::routes::api::{ApiError, ApiResult, office, ok};
use crate::routes::records::{self, Values};

// ---- Shapes of the answers ----

/// A school.
#[derive(Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct School {
    pub id: i64,
    /// The DfE's Unique Reference Number.
    pub urn: i32,
    pub name: String,
    pub phase: String,
    pub school_type: String,
    pub local_authority: String,
    pub area: String,
    pub address: String,
    pub postcode: String,
    /// The uplift on the standard fee the school chose, in whole per cent.
    pub parent_charge_uplift: i32,
    /// invoice or internal-journal.
    pub billing: String,
    /// Rooms for visiting teachers at once.
    pub rooms: i32,
    /// Whether lesson times rotate week by week, so a pupil does not always miss the same
    /// class.
    pub rotating: bool,
    /// Where the school is, in decimal degrees (WGS84), for the take-up map; both or
    /// neither, null when not recorded.
    #[schema(pattern = r"^-?[0-9]{1,3}(\.[0-9]{1,6})?$", example = "54.7761")]
    pub latitude: Option<String>,
    #[schema(pattern = r"^-?[0-9]{1,3}(\.[0-9]{1,6})?$", example = "-1.5733")]
    pub longitude: Option<String>,
    pub archived: bool,
    #[schema(format = DateTime)]
    pub updated_at: String,
}

impl From<tutti_store::records::schools::School> for School {
    fn from(s: tutti_store::records::schools::School) -> School {
        School {
            id: s.id,
            urn: s.urn,
            name: s.name,
            phase: s.phase,
            school_type: s.school_type,
            local_authority: s.local_authority,
            area: s.area,
            address: s.address,
            postcode: s.postcode,
            parent_charge_uplift: s.parent_charge_uplift,
            billing: s.billing,
            rooms: s.rooms,
            rotating: s.rotating,
            latitude: s.latitude,
            longitude: s.longitude,
            archived: s.archived,
            updated_at: crate::format::iso(s.updated_at),
        }
    }
}

/// A pupil in a list.
#[derive(Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PupilRow {
    pub id: i64,
    pub pupil_ref: String,
    pub first_name: String,
    pub last_name: String,
    #[schema(format = Date)]
    pub date_of_birth: String,
    pub school_id: i64,
    pub school_name: String,
}

impl From<tutti_store::records::pupils::PupilListRow> for PupilRow {
    fn from(p: tutti_store::records::pupils::PupilListRow) -> PupilRow {
        PupilRow {
            id: p.id,
            pupil_ref: p.pupil_ref,
            first_name: p.first_name,
            last_name: p.last_name,
            date_of_birth: iso_date(p.date_of_birth),
            school_id: p.school_id,
            school_name: p.school_name,
        }
    }
}

/// A pupil's guardian.
#[derive(Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Guardian {
    pub id: i64,
    pub name: String,
    pub email: String,
    pub phone: String,
    pub address: String,
}

/// A pupil's whole record. `send` and `medical_notes` are null when the caller may not see
/// them (`redacted`).
#[derive(Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Pupil {
    pub id: i64,
    pub pupil_ref: String,
    pub first_name: String,
    pub last_name: String,
    #[schema(format = Date)]
    pub date_of_birth: String,
    pub school_id: i64,
    pub school_name: String,
    pub school_urn: i32,
    pub year_group: String,
    pub year_group_overridden: bool,
    pub fsm: bool,
    pub pupil_premium: bool,
    pub looked_after: bool,
    pub photo_consent: bool,
    /// female, male, other or prefer-not-to-say; null when not recorded.
    #[schema(pattern = "^(female|male|other|prefer-not-to-say)$")]
    pub gender: Option<String>,
    /// asian, black, mixed, white, other or prefer-not-to-say; null when not recorded.
    #[schema(pattern = "^(asian|black|mixed|white|other|prefer-not-to-say)$")]
    pub ethnicity: Option<String>,
    pub send: Option<bool>,
    pub medical_notes: Option<String>,
    pub redacted: bool,
    pub archived: bool,
    pub guardians: Vec<Guardian>,
    #[schema(format = DateTime)]
    pub updated_at: String,
}

impl From<tutti_store::records::pupils::Pupil> for Pupil {
    fn from(p: tutti_store::records::pupils::Pupil) -> Pupil {
        Pupil {
            id: p.id,
            pupil_ref: p.pupil_ref,
            first_name: p.first_name,
            last_name: p.last_name,
            date_of_birth: iso_date(p.date_of_birth),
            school_id: p.school_id,
            school_name: p.school_name,
            school_urn: p.school_urn,
            year_group: p.year_group,
            year_group_overridden: p.year_group_overridden,
            fsm: p.fsm,
            pupil_premium: p.pupil_premium,
            looked_after: p.looked_after,
            photo_consent: p.photo_consent,
            gender: p.gender.map(|g| g.as_str().to_owned()),
            ethnicity: p.ethnicity.map(|e| e.as_str().to_owned()),
            send: p.send,
            medical_notes: p.medical_notes,
            redacted: p.redacted,
            archived: p.archived,
            guardians: p
                .guardians
                .into_iter()
                .map(|g| Guardian {
                    id: g.id,
                    name: g.name,
                    email: g.email,
                    phone: g.phone,
                    address: g.address,
                })
                .collect(),
            updated_at: crate::format::iso(p.updated_at),
        }
    }
}

/// A dated check's standing today: `"missing"`, or current, due soon or expired with the
/// day it falls due.
#[derive(Serialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Check {
    Missing,
    Current {
        #[schema(format = Date)]
        due: String,
    },
    DueSoon {
        #[schema(format = Date)]
        due: String,
    },
    Expired {
        #[schema(format = Date)]
        due: String,
    },
}

impl From<CheckStatus> for Check {
    fn from(c: CheckStatus) -> Check {
        match c {
            CheckStatus::Missing => Check::Missing,
            CheckStatus::Current { due } => Check::Current { due: iso_date(due) },
            CheckStatus::DueSoon { due } => Check::DueSoon { due: iso_date(due) },
            CheckStatus::Expired { due } => Check::Expired { due: iso_date(due) },
        }
    }
}

/// A member of staff.
#[derive(Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Staff {
    pub id: i64,
    pub email: String,
    pub first_name: String,
    pub last_name: String,
    pub role: String,
    pub instruments: Vec<String>,
    pub employment: String,
    pub dbs_number: Option<String>,
    #[schema(format = Date)]
    pub dbs_issued: Option<String>,
    pub dbs_update_service: bool,
    #[schema(format = Date)]
    pub safeguarding_trained: Option<String>,
    pub dbs_status: Check,
    pub safeguarding_status: Check,
    /// Their full-time equivalent, 0.01 to 1; null when not recorded.
    #[schema(pattern = r"^(0\.[0-9]{1,2}|1)$", example = "0.6")]
    pub fte: Option<String>,
    pub archived: bool,
    #[schema(format = DateTime)]
    pub updated_at: String,
}

impl From<tutti_store::records::staff::Staff> for Staff {
    fn from(s: tutti_store::records::staff::Staff) -> Staff {
        Staff {
            id: s.id,
            email: s.email,
            first_name: s.first_name,
            last_name: s.last_name,
            role: s.role,
            instruments: s.instruments,
            employment: s.employment,
            dbs_number: s.dbs_number,
            dbs_issued: s.dbs_issued.map(iso_date),
            dbs_update_service: s.dbs_update_service,
            safeguarding_trained: s.safeguarding_trained.map(iso_date),
            dbs_status: s.dbs_status.into(),
            safeguarding_status: s.safeguarding_status.into(),
            fte: s.fte,
            archived: s.archived,
            updated_at: crate::format::iso(s.updated_at),
        }
    }
}

/// An instrument of the hub's.
#[derive(Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Instrument {
    pub id: i64,
    pub serial: String,
    pub instrument_type: String,
    pub make: String,
    pub model: String,
    pub condition: Option<String>,
    /// Its value in pence.
    pub value_pence: Option<i64>,
    pub location: String,
    pub status: String,
    pub archived: bool,
    #[schema(format = DateTime)]
    pub updated_at: String,
}

impl From<tutti_store::records::instruments::Instrument> for Instrument {
    fn from(i: tutti_store::records::instruments::Instrument) -> Instrument {
        Instrument {
            id: i.id,
            serial: i.serial,
            instrument_type: i.instrument_type,
            make: i.make,
            model: i.model,
            condition: i.condition,
            value_pence: i.value_pence,
            location: i.location,
            status: i.status,
            archived: i.archived,
            updated_at: crate::format::iso(i.updated_at),
        }
    }
}

/// One event of the audit log.
#[derive(Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AuditEvent {
    pub id: i64,
    #[schema(format = DateTime)]
    pub at: String,
    pub user_id: Option<i64>,
    pub actor: String,
    pub action: String,
    pub entity: String,
    pub entity_id: Option<i64>,
    pub summary: String,
    pub ip: String,
}

impl From<tutti_store::platform::audit::AuditEvent> for AuditEvent {
    fn from(e: tutti_store::platform::audit::AuditEvent) -> AuditEvent {
        AuditEvent {
            id: e.id,
            at: crate::format::iso(e.at),
            user_id: e.user_id,
            actor: e.actor,
            action: e.action,
            entity: e.entity,
            entity_id: e.entity_id,
            summary: e.summary,
            ip: e.ip,
        }
    }
}

/// A new record's id.
#[derive(Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Created {
    pub id: i64,
}

// ---- Shapes of the requests ----

/// A string that is one of the domain's words (as it writes them), or null.
fn words(words: &[&str], nullable: bool) -> Object {
    let mut values: Vec<serde_json::Value> = words.iter().map(|w| serde_json::Value::from(*w)).collect();
    let kind = if nullable {
        values.push(serde_json::Value::Null);
        utoipa::openapi::schema::SchemaType::from_iter([Type::String, Type::Null])
    } else {
        utoipa::openapi::schema::SchemaType::new(Type::String)
    };
    ObjectBuilder::new().schema_type(kind).enum_values(Some(values)).build()
}

/// A function per field answering its words' schema, as `schema_with` wants: the words, and
/// whether null is one of them.
macro_rules! word_schemas {
    ($($name:ident: $words:expr, $nullable:expr;)*) => {
        $(fn $name() -> Object {
            words($words, $nullable)
        })*
    };
}

word_schemas! {
    phase_words: SchoolPhase::WORDS, false;
    school_type_words: SchoolType::WORDS, false;
    billing_words: BillingMethod::WORDS, true;
    role_words: StaffRole::WORDS, false;
    employment_words: Employment::WORDS, true;
    condition_words: InstrumentCondition::WORDS, true;
    status_words: InstrumentStatus::WORDS, true;
}
fn uplift_choices() -> Object {
    ObjectBuilder::new()
        .schema_type(utoipa::openapi::schema::SchemaType::from_iter([
            Type::Integer,
            Type::Null,
        ]))
        .enum_values(Some([Some(0), Some(15), Some(50), Some(100), None]))
        .build()
}

/// A body's fields as the import's values, with the fields that were sent but blank where
/// blank is not allowed.
impl Fields {
    /// A value that, if sent, must be filled in: a required field, or one with a pattern.
    fn filled(mut self, name: &'static str, value: &Option<String>) -> Fields {
        match value {
            Some(v) if v.trim().is_empty() => self.errors.add(name, "Fill this in, or leave it out."),
            Some(v) => {
                self.values.insert(name.to_owned(), v.clone());
            }
            None => {}
        }
        self
    }

    /// A date that, if sent, must be `YYYY-MM-DD` (the screens and the import also read
    /// DD/MM/YYYY; the API says `format: date`).
    fn date(mut self, name: &'static str, value: &Option<String>) -> Fields {
        match value.as_deref() {
            Some(v) if crate::routes::api::schemas::date(v).is_none() => {
                self.errors.add(name, "Enter a date like 2016-09-01.")
            }
            Some(v) => {
                self.values.insert(name.to_owned(), v.to_owned());
            }
            None => {}
        }
        self
    }

    fn flag(mut self, name: &'static str, value: Option<bool>) -> Fields {
        if let Some(v) = value {
            self.values
                .insert(name.to_owned(), if v { "yes" } else { "no" }.to_owned());
        }
        self
    }
}

/// A school as sent: the import's columns, and how it is billed (by default, as its type
/// implies).
#[derive(Deserialize, ToSchema)]
pub struct SchoolBody {
    #[schema(value_type = String, required = true, pattern = "^[1-9][0-9]{5}$", example = "114250")]
    urn: Option<String>,
    #[schema(value_type = String, required = true, pattern = r"\S", max_length = 200)]
    name: Option<String>,
    #[schema(required = true, schema_with = phase_words)]
    phase: Option<String>,
    #[serde(rename = "type")]
    #[schema(rename = "type", required = true, schema_with = school_type_words)]
    school_type: Option<String>,
    #[schema(max_length = 200)]
    local_authority: Option<String>,
    #[schema(max_length = 200)]
    area: Option<String>,
    #[schema(max_length = 500)]
    address: Option<String>,
    #[schema(
        pattern = "^([Gg][Ii][Rr] ?0[Aa][Aa]|[A-Za-z]{1,2}[0-9][A-Za-z0-9]? ?[0-9][ABD-HJLNP-UW-Zabd-hjlnp-uw-z]{2})$",
        example = "SW1A 1AA"
    )]
    postcode: Option<String>,
    /// The uplift on the standard fee, in whole per cent.
    #[schema(schema_with = uplift_choices)]
    parent_charge_uplift: Option<u8>,
    #[schema(schema_with = billing_words)]
    billing: Option<String>,
    /// Rooms for visiting teachers at once, 1 to 20; left out, it stays as it is (2 for a
    /// new school).
    #[schema(minimum = 1, maximum = 20)]
    rooms: Option<u16>,
    /// Whether lesson times rotate week by week; left out, it stays as it is (no for a new
    /// school).
    rotating: Option<bool>,
    /// Where the school is, for the take-up map: both coordinates or none (left out or
    /// null, the school has no place on the map).
    location: Option<Location>,
}

/// A school's place in decimal degrees: the two go together.
#[derive(Deserialize, ToSchema)]
pub struct Location {
    /// -90 to 90.
    #[schema(pattern = r"^-?([0-8]?[0-9](\.[0-9]{1,6})?|90(\.0{1,6})?)$", example = "54.7761")]
    latitude: String,
    /// -180 to 180.
    #[schema(
        pattern = r"^-?((1[0-7][0-9]|[0-9]{1,2})(\.[0-9]{1,6})?|180(\.0{1,6})?)$",
        example = "-1.5733"
    )]
    longitude: String,
}

impl SchoolBody {
    fn fields(&self) -> Fields {
        Fields::default()
            .filled("urn", &self.urn)
            .text("name", &self.name)
            .text("phase", &self.phase)
            .text("type", &self.school_type)
            .text("local_authority", &self.local_authority)
            .text("area", &self.area)
            .text("address", &self.address)
            .filled("postcode", &self.postcode)
            .text(
                "parent_charge_uplift",
                &self.parent_charge_uplift.map(|u| u.to_string()),
            )
            .filled("billing", &self.billing)
            .text("rooms", &self.rooms.map(|r| r.to_string()))
            .flag("rotating", self.rotating)
            .text("latitude", &self.location.as_ref().map(|l| l.latitude.clone()))
            .text("longitude", &self.location.as_ref().map(|l| l.longitude.clone()))
    }
}

/// A member of staff as sent: the import's columns. `instruments` is a list separated by
/// semicolons; a DBS number needs the certificate's issue date.
#[derive(Deserialize, ToSchema)]
pub struct StaffBody {
    #[schema(value_type = String, required = true, pattern = r"^[A-Za-z0-9_%+-]{1,20}(\.[A-Za-z0-9_%+-]{1,20}){0,2}@([A-Za-z0-9]([A-Za-z0-9-]{0,30}[A-Za-z0-9])?\.){1,3}[A-Za-z]{2,12}$")]
    email: Option<String>,
    #[schema(value_type = String, required = true, pattern = r"\S", max_length = 100)]
    first_name: Option<String>,
    #[schema(value_type = String, required = true, pattern = r"\S", max_length = 100)]
    last_name: Option<String>,
    #[schema(required = true, schema_with = role_words)]
    role: Option<String>,
    /// Instruments taught, separated by semicolons: "violin;viola".
    #[schema(pattern = "^[^;]{0,60}(;[^;]{0,60}){0,20}$")]
    instruments: Option<String>,
    #[schema(schema_with = employment_words)]
    employment: Option<String>,
    /// The enhanced DBS certificate's twelve digits.
    #[serde(default, deserialize_with = "not_null")]
    #[schema(value_type = String, pattern = "^[0-9]{12}$")]
    dbs_number: Option<String>,
    #[serde(default, deserialize_with = "not_null")]
    #[schema(value_type = String, format = Date)]
    dbs_issued: Option<String>,
    dbs_update_service: Option<bool>,
    #[schema(format = Date)]
    safeguarding_trained: Option<String>,
    /// Their full-time equivalent, a decimal from 0.01 to 1: "0.6".
    /// Empty or null: not held.
    #[schema(pattern = r"^(|0\.0[1-9]|0\.[1-9][0-9]?|1(\.0{1,2})?)$", example = "0.6")]
    fte: Option<String>,
}

impl StaffBody {
    fn fields(&self) -> Fields {
        Fields::default()
            .filled("email", &self.email)
            .text("first_name", &self.first_name)
            .text("last_name", &self.last_name)
            .text("role", &self.role)
            .text("instruments", &self.instruments)
            .filled("employment", &self.employment)
            .filled("dbs_number", &self.dbs_number)
            .date("dbs_issued", &self.dbs_issued)
            .flag("dbs_update_service", self.dbs_update_service)
            .date("safeguarding_trained", &self.safeguarding_trained)
            .text("fte", &self.fte)
    }
}

/// An instrument as sent: the import's columns, and where it stands (available unless
/// said).
#[derive(Deserialize, ToSchema)]
pub struct InstrumentBody {
    #[schema(value_type = String, required = true, pattern = r"\S", max_length = 60)]
    serial: Option<String>,
    /// What it is: violin, trumpet.
    #[serde(rename = "type")]
    #[schema(rename = "type", value_type = String, required = true, pattern = r"\S", max_length = 60)]
    instrument_type: Option<String>,
    #[schema(max_length = 200)]
    make: Option<String>,
    #[schema(max_length = 200)]
    model: Option<String>,
    #[schema(schema_with = condition_words)]
    condition: Option<String>,
    /// Its value in pounds and pence: "149.99".
    #[schema(pattern = r"^[0-9]{1,7}(\.[0-9]{1,2})?$")]
    value: Option<String>,
    #[schema(max_length = 200)]
    location: Option<String>,
    #[schema(schema_with = status_words)]
    status: Option<String>,
}

impl InstrumentBody {
    fn fields(&self) -> Fields {
        Fields::default()
            .text("serial", &self.serial)
            .text("type", &self.instrument_type)
            .text("make", &self.make)
            .text("model", &self.model)
            .filled("condition", &self.condition)
            .filled("value", &self.value)
            .text("location", &self.location)
            .filled("status", &self.status)
    }
}

/// A pupil as sent: the import's columns (a first guardian on create) and the two the
/// screens hold. A guardian's email or phone needs their name.
#[derive(Deserialize, ToSchema)]
pub struct PupilBody {
    #[schema(value_type = String, required = true, pattern = r"\S", max_length = 50)]
    pupil_ref: Option<String>,
    #[schema(value_type = String, required = true, pattern = r"\S", max_length = 100)]
    first_name: Option<String>,
    #[schema(value_type = String, required = true, pattern = r"\S", max_length = 100)]
    last_name: Option<String>,
    #[schema(value_type = String, required = true, format = Date)]
    date_of_birth: Option<String>,
    /// The URN of the pupil's school.
    #[schema(value_type = String, required = true, pattern = "^[1-9][0-9]{5}$")]
    school_urn: Option<String>,
    /// An override of the year group derived from the date of birth.
    #[schema(pattern = "^(nursery|reception|Year ([1-9]|1[0-3]))$", example = "Year 4")]
    year_group: Option<String>,
    fsm: Option<bool>,
    pupil_premium: Option<bool>,
    send: Option<bool>,
    looked_after: Option<bool>,
    /// Not recorded when absent or null (decision 0090).
    #[schema(pattern = "^(female|male|other|prefer-not-to-say)$", example = "prefer-not-to-say")]
    gender: Option<String>,
    /// The census's high-level ethnic group; not recorded when absent or null.
    #[schema(pattern = "^(asian|black|mixed|white|other|prefer-not-to-say)$", example = "white")]
    ethnicity: Option<String>,
    #[serde(default, deserialize_with = "not_null")]
    #[schema(value_type = String, pattern = r"\S", max_length = 100)]
    guardian_name: Option<String>,
    #[serde(default, deserialize_with = "not_null")]
    #[schema(value_type = String, pattern = r"^[A-Za-z0-9_%+-]{1,20}(\.[A-Za-z0-9_%+-]{1,20}){0,2}@([A-Za-z0-9]([A-Za-z0-9-]{0,30}[A-Za-z0-9])?\.){1,3}[A-Za-z]{2,12}$")]
    guardian_email: Option<String>,
    /// Digits only: 07700900123, 01913834000.
    #[serde(default, deserialize_with = "not_null")]
    #[schema(value_type = String, pattern = "^(07[1-57-9][0-9]{8}|0[1-3][0-9]{9}|01[0-9]{8}|08[0-9]{8,9})$")]
    guardian_phone: Option<String>,
    #[schema(max_length = 2000)]
    medical_notes: Option<String>,
    photo_consent: Option<bool>,
}

impl PupilBody {
    fn fields(&self) -> Fields {
        let mut f = Fields::default()
            .text("pupil_ref", &self.pupil_ref)
            .text("first_name", &self.first_name)
            .text("last_name", &self.last_name)
            .date("date_of_birth", &self.date_of_birth)
            .filled("school_urn", &self.school_urn)
            .filled("year_group", &self.year_group)
            .flag("fsm", self.fsm)
            .flag("pupil_premium", self.pupil_premium)
            .flag("send", self.send)
            .flag("looked_after", self.looked_after)
            .filled("gender", &self.gender)
            .filled("ethnicity", &self.ethnicity)
            .filled("guardian_name", &self.guardian_name)
            .filled("guardian_email", &self.guardian_email)
            .filled("guardian_phone", &self.guardian_phone)
            .text("medical_notes", &self.medical_notes);
        // The screens' form sends the box only when it is ticked.
        if self.photo_consent == Some(true) {
            f.values.insert("photo_consent".into(), "yes".into());
        }
        f
    }
}

/// The query of a record list.
#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ListParams {
    /// Search text: a name, a reference or a number's start.
    q: Option<String>,
    /// The column to sort by (each list's columns, as its screen offers them); the first
    /// column if it names none.
    sort: Option<String>,
    /// Sort descending.
    desc: Option<bool>,
    /// Page, from 1.
    #[param(minimum = 1, maximum = 1000000)]
    page: Option<u64>,
    /// Rows a page, 1 to 200 (50).
    #[param(minimum = 1, maximum = 200)]
    per_page: Option<u64>,
    /// Include archived records.
    include_archived: Option<bool>,
}

impl ListParams {
    fn query(&self) -> Result<ListQuery, ApiError> {
        let (page, per_page) = paging(self.page, self.per_page)?;
        Ok(ListQuery {
            q: self.q.clone().unwrap_or_default(),
            sort: self.sort.clone().unwrap_or_default(),
            desc: self.desc.unwrap_or(false),
            page,
            per_page,
            include_archived: self.include_archived.unwrap_or(false),
        })
    }
}

/// Reads a school as the screens do.
fn parse_school(v: &Values, e: &mut FormErrors) -> Option<tutti_store::records::schools::SchoolInput> {
    records::schools::parse(v, e)
}
fn parse_staff(v: &Values, e: &mut FormErrors) -> Option<tutti_domain::csv::StaffRow> {
    records::read_row::<tutti_domain::csv::StaffRow>(v, e)
}
fn parse_instrument(v: &Values, e: &mut FormErrors) -> Option<tutti_store::records::instruments::InstrumentInput> {
    records::instruments::parse(v, e)
}

macro_rules! office_records {
    ($tag:literal, $base:literal, $item:literal, $what:literal, $body:ident, $dto:ident,
     $list:ident, $create:ident, $get:ident, $update:ident, $archive:ident,
     $store_list:ident, $store_get:ident, $store_create:ident, $store_update:ident, $store_archive:ident, $parse:expr) => {
        #[doc = concat!("A page of ", $what, ", searched and sorted.")]
        #[utoipa::path(get, path = $base, tag = $tag, params(ListParams),
            responses((status = 200, description = "A page of them", body = Page<$dto>),
                      (status = 403, description = "Office roles only")))]
        async fn $list(Caller { state, user, .. }: Caller, ApiQuery(p): ApiQuery<ListParams>) -> ApiResult {
            office(&user)?;
            let page = state.store.$store_list(&p.query()?).await?;
            ok(StatusCode::OK, Page::from_store(page, $dto::from))
        }

        #[doc = concat!("Adds one of the ", $what, ".")]
        #[utoipa::path(post, path = $base, tag = $tag, request_body = $body,
            responses((status = 201, description = "Created; the record", body = $dto),
                      (status = 403, description = "Office roles only"),
                      (status = 409, description = "The key (URN, email or serial) is taken")))]
        async fn $create(Caller { state, user, actor }: Caller, ApiJson(body): ApiJson<$body>) -> ApiResult {
            office(&user)?;
            let input = body.fields().read($parse)?;
            ok(StatusCode::CREATED, $dto::from(state.store.$store_create(&actor, &input).await?))
        }

        #[doc = concat!("One of the ", $what, ".")]
        #[utoipa::path(get, path = $item, tag = $tag, params(("id" = i64, Path, description = "Record id")),
            responses((status = 200, description = "The record", body = $dto),
                      (status = 403, description = "Office roles only"),
                      (status = 404, description = "No such record")))]
        async fn $get(Caller { state, user, .. }: Caller, ApiPath(id): ApiPath<i64>) -> ApiResult {
            office(&user)?;
            ok(StatusCode::OK, $dto::from(state.store.$store_get(id).await?.ok_or(ApiError::NotFound)?))
        }

        #[doc = concat!("Replaces one of the ", $what, " with the fields sent.")]
        #[utoipa::path(put, path = $item, tag = $tag, params(("id" = i64, Path, description = "Record id")), request_body = $body,
            responses((status = 200, description = "Saved; the record", body = $dto),
                      (status = 403, description = "Office roles only"),
                      (status = 404, description = "No such record"),
                      (status = 409, description = "The key (URN, email or serial) is another record's")))]
        async fn $update(Caller { state, user, actor }: Caller, ApiPath(id): ApiPath<i64>, ApiJson(body): ApiJson<$body>) -> ApiResult {
            office(&user)?;
            let input = body.fields().read($parse)?;
            ok(StatusCode::OK, $dto::from(state.store.$store_update(&actor, id, &input).await?))
        }

        #[doc = concat!("Archives one of the ", $what, ": kept, and left out of lists unless asked for.")]
        #[utoipa::path(post, path = concat!($item, "/archive"), tag = $tag, params(("id" = i64, Path, description = "Record id")),
            responses((status = 204, description = "Archived"),
                      (status = 403, description = "Office roles only"),
                      (status = 409, description = "A rule refuses: an instrument on loan is taken back first"),
                      (status = 404, description = "No such record")))]
        async fn $archive(Caller { state, user, actor }: Caller, ApiPath(id): ApiPath<i64>) -> ApiResult {
            office(&user)?;
            state.store.$store_archive(&actor, id).await?;
            Ok(StatusCode::NO_CONTENT.into_response())
        }
    };
}

office_records!(
    "schools",
    "/api/v1/schools",
    "/api/v1/schools/{id}",
    "the schools",
    SchoolBody,
    School,
    list_schools,
    create_school,
    get_school,
    update_school,
    archive_school,
    list_schools,
    school,
    create_school,
    update_school,
    archive_school,
    parse_school
);
office_records!(
    "staff",
    "/api/v1/staff",
    "/api/v1/staff/{id}",
    "the staff",
    StaffBody,
    Staff,
    list_staff,
    create_staff,
    get_staff,
    update_staff,
    archive_staff,
    list_staff,
    staff_member,
    create_staff,
    update_staff,
    archive_staff,
    parse_staff
);
office_records!(
    "instruments",
    "/api/v1/instruments",
    "/api/v1/instruments/{id}",
    "the instruments",
    InstrumentBody,
    Instrument,
    list_instruments,
    create_instrument,
    get_instrument,
    update_instrument,
    archive_instrument,
    list_instruments,
    instrument,
    create_instrument,
    update_instrument,
    archive_instrument,
    parse_instrument
);

/// The pupils the caller may see: a teacher theirs, a parent their children, a school its
/// roll, the office every one.
#[utoipa::path(get, path = "/api/v1/pupils", tag = "pupils", params(ListParams),
    responses((status = 200, description = "A page of the pupils the caller may see", body = Page<PupilRow>)))]
async fn list_pupils(Caller { state, user, .. }: Caller, ApiQuery(p): ApiQuery<ListParams>) -> ApiResult {
    let scope = PupilScope::for_user(&user);
    let page = state.store.list_pupils(&scope, &p.query()?).await?;
    ok(StatusCode::OK, Page::from_store(page, PupilRow::from))
}

/// A pupil's record; the view is audited.
#[utoipa::path(get, path = "/api/v1/pupils/{id}", tag = "pupils", params(("id" = i64, Path, description = "Pupil id")),
    responses((status = 200, description = "The pupil's record", body = Pupil),
              (status = 404, description = "No such pupil, or not one the caller may see")))]
async fn get_pupil(Caller { state, user, actor }: Caller, ApiPath(id): ApiPath<i64>) -> ApiResult {
    let scope = PupilScope::for_user(&user);
    let pupil = state
        .store
        .view_pupil(&actor, &scope, id)
        .await?
        .ok_or(ApiError::NotFound)?;
    ok(StatusCode::OK, Pupil::from(pupil))
}

/// Adds a pupil, with a first guardian if one is named.
#[utoipa::path(post, path = "/api/v1/pupils", tag = "pupils", request_body = PupilBody,
    responses((status = 201, description = "Created; the pupil's id", body = Created),
              (status = 403, description = "Office roles only"),
              (status = 409, description = "The reference is taken, or no school has the URN")))]
async fn create_pupil(Caller { state, user, actor }: Caller, ApiJson(body): ApiJson<PupilBody>) -> ApiResult {
    office(&user)?;
    let input = body.fields().read(records::pupils::parse)?;
    let id = state.store.create_pupil(&actor, &input).await?;
    ok(StatusCode::CREATED, Created { id })
}

/// Replaces a pupil's record with the fields sent (its guardians are kept).
#[utoipa::path(put, path = "/api/v1/pupils/{id}", tag = "pupils", params(("id" = i64, Path, description = "Pupil id")),
    request_body = PupilBody,
    responses((status = 204, description = "Saved"),
              (status = 403, description = "Office roles only"),
              (status = 404, description = "No such pupil"),
              (status = 409, description = "The reference is another pupil's, or no school has the URN")))]
async fn update_pupil(
    Caller { state, user, actor }: Caller,
    ApiPath(id): ApiPath<i64>,
    ApiJson(body): ApiJson<PupilBody>,
) -> ApiResult {
    office(&user)?;
    let input = body.fields().read(records::pupils::parse)?;
    state.store.update_pupil(&actor, id, &input).await?;
    Ok(StatusCode::NO_CONTENT.into_response())
}

/// Archives a pupil.
#[utoipa::path(post, path = "/api/v1/pupils/{id}/archive", tag = "pupils", params(("id" = i64, Path, description = "Pupil id")),
    responses((status = 204, description = "Archived"),
              (status = 403, description = "Office roles only"),
              (status = 404, description = "No such pupil")))]
async fn archive_pupil(Caller { state, user, actor }: Caller, ApiPath(id): ApiPath<i64>) -> ApiResult {
    office(&user)?;
    state.store.archive_pupil(&actor, id).await?;
    Ok(StatusCode::NO_CONTENT.into_response())
}

/// Restores one archived record of a kind: back in lists; its logins stay disabled until
/// re-invited (decision 75).
macro_rules! restore_op {
    ($name:ident, $path:literal, $tag:literal, $what:literal, $kind:ident) => {
        #[doc = concat!("Restores an archived ", $what, ": back in lists and searches. Logins linked to it stay disabled until the office invites them again.")]
        #[utoipa::path(post, path = $path, tag = $tag, params(("id" = i64, Path, description = "Record id")),
            responses((status = 204, description = "Restored (or it was not archived: nothing changed)"),
                      (status = 403, description = "Office roles only"),
                      (status = 404, description = "No such record")))]
        async fn $name(Caller { state, user, actor }: Caller, ApiPath(id): ApiPath<i64>) -> ApiResult {
            office(&user)?;
            state
                .store
                .restore_record(&actor, tutti_store::records::archive::Archivable::$kind, id)
                .await?;
            Ok(StatusCode::NO_CONTENT.into_response())
        }
    };
}

restore_op!(
    restore_school,
    "/api/v1/schools/{id}/restore",
    "schools",
    "school",
    School
);
restore_op!(restore_pupil, "/api/v1/pupils/{id}/restore", "pupils", "pupil", Pupil);
restore_op!(
    restore_staff,
    "/api/v1/staff/{id}/restore",
    "staff",
    "member of staff",
    Staff
);
restore_op!(
    restore_instrument,
    "/api/v1/instruments/{id}/restore",
    "instruments",
    "instrument",
    Instrument
);

/// The query of the audit log.
#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct AuditParams {
    /// What kind of record: school, pupil, staff, instrument, enrolment and so on.
    entity: Option<String>,
    /// The record's id.
    entity_id: Option<i64>,
    /// create, update, archive, delete, view, import or export.
    action: Option<String>,
    /// Part of the name of who did it.
    actor: Option<String>,
    /// Page, from 1.
    #[param(minimum = 1, maximum = 1000000)]
    page: Option<u64>,
    /// Rows a page, 1 to 200 (50).
    #[param(minimum = 1, maximum = 200)]
    per_page: Option<u64>,
}

/// The audit log, newest first.
#[utoipa::path(get, path = "/api/v1/audit-events", tag = "audit", params(AuditParams),
    responses((status = 200, description = "A page of events, newest first", body = Page<AuditEvent>),
              (status = 403, description = "Managers and admins only")))]
async fn audit_events(Caller { state, user, .. }: Caller, ApiQuery(p): ApiQuery<AuditParams>) -> ApiResult {
    office(&user)?;
    let (page, per_page) = paging(p.page, p.per_page)?;
    let filter = AuditFilter {
        entity: p.entity.unwrap_or_default(),
        entity_id: p.entity_id,
        action: p.action.unwrap_or_default(),
        actor: p.actor.unwrap_or_default(),
        page,
        per_page,
    };
    let events = state.store.audit_events(&filter).await?;
    ok(StatusCode::OK, Page::from_store(events, AuditEvent::from))
}

pub fn audience() -> crate::access::Audience {
    use axum::routing::{get, post};
    crate::access::Audience::new(
        crate::access::Access::SignedIn,
        crate::access::Routes::new()
            .route("/api/v1/schools", get(list_schools).post(create_school))
            .route("/api/v1/schools/{id}", get(get_school).put(update_school))
            .route("/api/v1/schools/{id}/archive", post(archive_school))
            .route("/api/v1/schools/{id}/restore", post(restore_school))
            .route("/api/v1/pupils", get(list_pupils).post(create_pupil))
            .route("/api/v1/pupils/{id}", get(get_pupil).put(update_pupil))
            .route("/api/v1/pupils/{id}/archive", post(archive_pupil))
            .route("/api/v1/pupils/{id}/restore", post(restore_pupil))
            .route("/api/v1/staff", get(list_staff).post(create_staff))
            .route("/api/v1/staff/{id}", get(get_staff).put(update_staff))
            .route("/api/v1/staff/{id}/archive", post(archive_staff))
            .route("/api/v1/staff/{id}/restore", post(restore_staff))
            .route("/api/v1/instruments", get(list_instruments).post(create_instrument))
            .route("/api/v1/instruments/{id}", get(get_instrument).put(update_instrument))
            .route("/api/v1/instruments/{id}/archive", post(archive_instrument))
            .route("/api/v1/instruments/{id}/restore", post(restore_instrument))
            .route("/api/v1/audit-events", get(audit_events)),
    )
}

#[derive(utoipa::OpenApi)]
#[openapi(paths(
    list_schools,
    create_school,
    get_school,
    update_school,
    archive_school,
    restore_school,
    list_pupils,
    create_pupil,
    get_pupil,
    update_pupil,
    archive_pupil,
    restore_pupil,
    list_staff,
    create_staff,
    get_staff,
    update_staff,
    archive_staff,
    restore_staff,
    list_instruments,
    create_instrument,
    get_instrument,
    update_instrument,
    archive_instrument,
    restore_instrument,
    audit_events
))]
pub struct RecordsDoc;
