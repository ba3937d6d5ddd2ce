//! Builders for the world a test needs, made through the store's own operations (never raw
//! SQL, save where a builder says no operation exists): `a_school()`,
//! `a_teacher().available(..)`, `a_family().on_free_school_meals()`, `an_admin()`,
//! `a_school_contact(&school)` (a school's login), `a_contact_at(&school)` (a contact on the
//! school's record, with no login), `an_enrolment(pupil)`, `a_group(teacher, school)`,
//! `an_application(pupil)`, `an_instrument()`, `a_loan(instrument, pupil)`, `a_page(..)`,
//! `a_charging_policy(year)`. A test that says "a new school in
//! Town A, a teacher free on Mondays" builds exactly that, on an empty database, instead of
//! leaning on the demo seed.
//!
//! Every login a builder makes has the password [`PASSWORD`]; an office login (admin or
//! manager) has an authenticator app with the secret [`TOTP_SECRET`] enrolled, as the hub
//! requires of the office before any office page.
use std::sync::atomic::{AtomicU32, Ordering};

use sea_orm::{ConnectionTrait, Statement};
use time::Date;
use tutti_domain::admissions::{ApplicationSource, TuitionChoice};
use tutti_domain::calendar::AcademicYear;
use tutti_domain::charging::{ChargingPolicy, LessonPrice};
use tutti_domain::csv::{InstrumentRow, PupilRow, SchoolRow, StaffRow};
use tutti_domain::invitations::ContactInput;
use tutti_domain::lessons::LessonType;
use tutti_domain::schools::{BillingMethod, SchoolPhase, SchoolType};
use tutti_domain::staff::StaffRole;
use tutti_domain::validate::{EmailAddress, Urn};
use tutti_domain::{Pence, Percent};

use crate::Store;
use crate::admissions::applications::NewApplication;
use crate::admissions::enrolments::NewEnrolment;
use crate::content::{Draft, Item, Kind};
use crate::platform::accounts::{NewUser, Role, User};
use crate::platform::audit::Actor;
use crate::records::instruments::{Instrument, InstrumentInput};
use crate::records::loans::NewLoan;
use crate::records::pupils::{PupilInput, PupilScope};
use crate::records::school_contacts::SchoolContact;
use crate::records::schools::{School, SchoolInput};
use crate::records::staff::Staff;
use crate::teaching::lessons::NewGroup;

/// The password of every login the builders make.
pub const PASSWORD: &str = "a test passphrase";

/// The secret of the authenticator app every office login is given: a test works out the
/// code it shows with `tutti_auth::totp::code_at(TOTP_SECRET, store.now().unix_timestamp())`.
pub const TOTP_SECRET: &[u8] = b"tutti test authenticator";

/// A number no other builder in this process has used: URNs, references, addresses. Written
/// with six digits (`{:06}`) wherever it is text, so that no made-up name or address is a
/// part of another (a search for `teacher000005@` never finds `teacher000015@`).
fn unique() -> u32 {
    static NEXT: AtomicU32 = AtomicU32::new(0);
    NEXT.fetch_add(1, Ordering::SeqCst)
}

fn email(who: &str) -> EmailAddress {
    EmailAddress::parse(&format!("{who}{:06}@test.example", unique())).expect("a made-up address is an email")
}

/// A school: a maintained primary unless told otherwise.
pub fn a_school() -> SchoolBuilder {
    SchoolBuilder {
        name: format!("Test Primary School {:06}", unique()),
        area: None,
        phase: SchoolPhase::Primary,
        school_type: SchoolType::Maintained,
        local_authority: None,
        uplift: 0,
        billing: None,
        rotating: false,
        at: None,
    }
}

pub struct SchoolBuilder {
    name: String,
    area: Option<String>,
    phase: SchoolPhase,
    school_type: SchoolType,
    local_authority: Option<String>,
    uplift: u32,
    billing: Option<BillingMethod>,
    rotating: bool,
    at: Option<(tutti_domain::geo::Latitude, tutti_domain::geo::Longitude)>,
}

impl SchoolBuilder {
    pub fn named(mut self, name: &str) -> Self {
        self.name = name.to_owned();
        self
    }

    pub fn in_area(mut self, area: &str) -> Self {
        self.area = Some(area.to_owned());
        self
    }

    pub fn academy(mut self) -> Self {
        self.school_type = SchoolType::Academy;
        self
    }

    pub fn secondary(mut self) -> Self {
        self.phase = SchoolPhase::Secondary;
        self
    }

    /// In this local authority (whose term dates its calendar follows).
    pub fn in_local_authority(mut self, name: &str) -> Self {
        self.local_authority = Some(name.to_owned());
        self
    }

    /// Parents at this school pay the standard fee plus `percent` (0, 15, 50 or 100).
    pub fn with_uplift(mut self, percent: u32) -> Self {
        self.uplift = percent;
        self
    }

    /// Billed this way, rather than as its type implies (a maintained school by journal, an
    /// academy by invoice).
    pub fn billed_by(mut self, billing: BillingMethod) -> Self {
        self.billing = Some(billing);
        self
    }

    /// A school whose visiting teachers rotate the order of their lessons week by week.
    pub fn rotating(mut self) -> Self {
        self.rotating = true;
        self
    }

    /// At this latitude and longitude, in decimal degrees.
    pub fn at(mut self, latitude: &str, longitude: &str) -> Self {
        self.at = Some((
            tutti_domain::geo::Latitude::parse(latitude).expect("a latitude"),
            tutti_domain::geo::Longitude::parse(longitude).expect("a longitude"),
        ));
        self
    }

    pub async fn create(self, store: &Store) -> School {
        let urn = Urn::parse(&(700_000 + unique()).to_string()).expect("a six-digit URN");
        let row = SchoolRow {
            urn,
            name: self.name,
            phase: self.phase,
            school_type: self.school_type,
            local_authority: self.local_authority,
            area: self.area,
            address: None,
            postcode: None,
            parent_charge_uplift: Percent::whole(self.uplift),
            rooms: None,
            rotating: Some(self.rotating),
            latitude: self.at.map(|a| a.0),
            longitude: self.at.map(|a| a.1),
        };
        let mut input = SchoolInput::from_row(row);
        if let Some(billing) = self.billing {
            input.billing = billing;
        }
        store
            .create_school(&Actor::cli(), &input)
            .await
            .expect("a test school is created")
    }
}

/// A teacher of the violin, with no hours recorded (so the default week) unless told.
pub fn a_teacher() -> TeacherBuilder {
    TeacherBuilder {
        first_name: "Tess".into(),
        last_name: format!("Teacher{:06}", unique()),
        instruments: vec!["Violin".into()],
        availability: Vec::new(),
        login: None,
        dbs_issued: None,
        dbs_update_service: false,
        safeguarding_trained: None,
        employment: None,
        fte: None,
    }
}

pub struct TeacherBuilder {
    first_name: String,
    last_name: String,
    instruments: Vec<String>,
    availability: Vec<(u8, u16, u16)>,
    login: Option<String>,
    dbs_issued: Option<Date>,
    dbs_update_service: bool,
    safeguarding_trained: Option<Date>,
    employment: Option<tutti_domain::staff::Employment>,
    fte: Option<tutti_domain::staff::Fte>,
}

/// A teacher as made: the staff record, and the login when one was asked for.
pub struct Teacher {
    pub staff: Staff,
    pub user: Option<User>,
}

impl TeacherBuilder {
    /// With this name.
    pub fn named(mut self, first_name: &str, last_name: &str) -> Self {
        self.first_name = first_name.to_owned();
        self.last_name = last_name.to_owned();
        self
    }

    pub fn teaching(mut self, instruments: &[&str]) -> Self {
        self.instruments = instruments.iter().map(|s| (*s).to_owned()).collect();
        self
    }

    /// Free on `weekday` (1 is Monday) from `from` to `to`, in minutes after midnight.
    pub fn available(mut self, weekday: u8, from: u16, to: u16) -> Self {
        self.availability.push((weekday, from, to));
        self
    }

    /// With a teacher's login (the staff record's email) and this password.
    pub fn with_login(mut self, password: &str) -> Self {
        self.login = Some(password.to_owned());
        self
    }

    /// A DBS certificate issued on `day` (its number made up).
    pub fn dbs_issued(mut self, day: Date) -> Self {
        self.dbs_issued = Some(day);
        self
    }

    /// The DBS certificate is on the update service (checked online, never lapses).
    pub fn on_update_service(mut self) -> Self {
        self.dbs_update_service = true;
        self
    }

    /// Safeguarding training done on `day`.
    pub fn safeguarding_trained(mut self, day: Date) -> Self {
        self.safeguarding_trained = Some(day);
        self
    }

    /// Engaged this way, for this full-time equivalent ("0.6").
    pub fn engaged(mut self, employment: tutti_domain::staff::Employment, fte: &str) -> Self {
        self.employment = Some(employment);
        self.fte = Some(tutti_domain::staff::Fte::parse(fte).expect("an FTE"));
        self
    }

    pub async fn create(self, store: &Store) -> Teacher {
        let row = StaffRow {
            email: email("teacher"),
            first_name: self.first_name,
            last_name: self.last_name,
            role: StaffRole::Teacher,
            instruments: self.instruments,
            employment: self.employment,
            dbs_number: self
                .dbs_issued
                .map(|_| tutti_domain::staff::DbsNumber::parse("001234567890").expect("twelve digits")),
            dbs_issued: self.dbs_issued,
            dbs_update_service: self.dbs_update_service,
            safeguarding_trained: self.safeguarding_trained,
            fte: self.fte,
        };
        let staff = store
            .create_staff(&Actor::cli(), &row)
            .await
            .expect("a test teacher is created");
        let mut days: Vec<u8> = self.availability.iter().map(|a| a.0).collect();
        days.dedup();
        for day in days {
            let intervals: Vec<(u16, u16)> = self
                .availability
                .iter()
                .filter(|a| a.0 == day)
                .map(|a| (a.1, a.2))
                .collect();
            store
                .set_availability(&Actor::cli(), staff.id, day, &intervals)
                .await
                .expect("a test teacher's hours are recorded");
        }
        let user = match self.login {
            Some(password) => Some(
                store
                    .create_user(NewUser {
                        email: staff.email.clone(),
                        name: format!("{} {}", staff.first_name, staff.last_name),
                        password,
                        role: Role::Teacher,
                        email_verified: true,
                        school_id: None,
                        staff_id: Some(staff.id),
                        pupil_id: None,
                        is_demo: false,
                    })
                    .await
                    .expect("a test teacher's login is created"),
            ),
            None => None,
        };
        Teacher { staff, user }
    }
}

/// A family: one parent or carer with one child at `school`, not on free school meals.
pub fn a_family(school: &School) -> FamilyBuilder {
    FamilyBuilder {
        school_urn: Urn::parse(&school.urn.to_string()).expect("a stored URN is a URN"),
        carer: format!("Carer {:06}", unique()),
        children: vec![("Child".into(), time::macros::date!(2017 - 05 - 20))],
        fsm: false,
        looked_after: false,
        login: None,
        surname: None,
        gender: None,
        ethnicity: None,
    }
}

pub struct FamilyBuilder {
    surname: Option<String>,
    school_urn: Urn,
    carer: String,
    children: Vec<(String, Date)>,
    fsm: bool,
    looked_after: bool,
    login: Option<(String, bool)>,
    gender: Option<tutti_domain::characteristics::Gender>,
    ethnicity: Option<tutti_domain::characteristics::Ethnicity>,
}

/// A family as made: the carer's email, their children's pupil ids and references (in the
/// order they were asked for), and the login.
pub struct Family {
    pub email: String,
    pub carer: String,
    pub children: Vec<i64>,
    pub pupil_refs: Vec<String>,
    pub user: Option<User>,
}

impl FamilyBuilder {
    /// The parent or carer's name.
    pub fn carer_named(mut self, name: &str) -> Self {
        self.carer = name.to_owned();
        self
    }

    /// The children's surname (else a unique made-up one).
    pub fn surname(mut self, name: &str) -> Self {
        self.surname = Some(name.to_owned());
        self
    }

    /// Eligible for free school meals: the remission rules apply to every child.
    pub fn on_free_school_meals(mut self) -> Self {
        self.fsm = true;
        self
    }

    /// Every child is looked after by the local authority.
    pub fn looked_after(mut self) -> Self {
        self.looked_after = true;
        self
    }

    /// Every child's gender is recorded as this (else not recorded).
    pub fn gender(mut self, gender: tutti_domain::characteristics::Gender) -> Self {
        self.gender = Some(gender);
        self
    }

    /// Every child's ethnic group is recorded as this (else not recorded).
    pub fn ethnicity(mut self, ethnicity: tutti_domain::characteristics::Ethnicity) -> Self {
        self.ethnicity = Some(ethnicity);
        self
    }

    /// The first child is called `first_name` and born on `born`.
    pub fn first_child(mut self, first_name: &str, born: Date) -> Self {
        self.children[0] = (first_name.to_owned(), born);
        self
    }

    /// Another child, born on `born`.
    pub fn with_child(mut self, first_name: &str, born: Date) -> Self {
        self.children.push((first_name.to_owned(), born));
        self
    }

    /// With a parent's login (confirmed email) and this password.
    pub fn with_login(mut self, password: &str) -> Self {
        self.login = Some((password.to_owned(), true));
        self
    }

    /// With a parent's login whose email is not confirmed yet (so no children are linked).
    pub fn with_unconfirmed_login(mut self, password: &str) -> Self {
        self.login = Some((password.to_owned(), false));
        self
    }

    pub async fn create(self, store: &Store) -> Family {
        let carer_email = email("carer");
        let surname = self.surname.unwrap_or_else(|| format!("Family{:06}", unique()));
        let mut children = Vec::new();
        let mut pupil_refs = Vec::new();
        for (first_name, born) in self.children {
            let pupil_ref = format!("T{:06}", unique());
            let row = PupilRow {
                pupil_ref: pupil_ref.clone(),
                first_name,
                last_name: surname.clone(),
                date_of_birth: born,
                school_urn: self.school_urn,
                year_group: None,
                fsm: self.fsm,
                pupil_premium: self.fsm,
                send: false,
                looked_after: self.looked_after,
                gender: self.gender,
                ethnicity: self.ethnicity,
                guardian_name: Some(self.carer.clone()),
                guardian_email: Some(carer_email.clone()),
                guardian_phone: None,
            };
            let input = PupilInput {
                row,
                medical_notes: None,
                photo_consent: false,
            };
            children.push(
                store
                    .create_pupil(&Actor::cli(), &input)
                    .await
                    .expect("a test pupil is created"),
            );
            pupil_refs.push(pupil_ref);
        }
        let user = match self.login {
            Some((password, email_verified)) => Some(
                store
                    .create_user(NewUser {
                        email: carer_email.to_string(),
                        name: self.carer.clone(),
                        password,
                        role: Role::Parent,
                        email_verified,
                        school_id: None,
                        staff_id: None,
                        pupil_id: None,
                        is_demo: false,
                    })
                    .await
                    .expect("a test parent's login is created"),
            ),
            None => None,
        };
        Family {
            email: carer_email.to_string(),
            carer: self.carer,
            children,
            pupil_refs,
            user,
        }
    }
}

/// An admin's login: every office page, users and roles, the site's content.
pub fn an_admin() -> OfficeBuilder {
    OfficeBuilder::new(Role::Admin)
}

/// A manager's login: every office page but users and content.
pub fn a_manager() -> OfficeBuilder {
    OfficeBuilder::new(Role::Manager)
}

pub struct OfficeBuilder {
    role: Role,
    name: String,
    second_factor: bool,
}

impl OfficeBuilder {
    fn new(role: Role) -> Self {
        OfficeBuilder {
            role,
            name: format!("Office Person {:06}", unique()),
            second_factor: true,
        }
    }

    pub fn named(mut self, name: &str) -> Self {
        self.name = name.to_owned();
        self
    }

    /// Without the authenticator app: the account must enrol one before any office page.
    pub fn without_second_factor(mut self) -> Self {
        self.second_factor = false;
        self
    }

    /// The login, with password [`PASSWORD`] and (unless told otherwise) an authenticator app
    /// holding [`TOTP_SECRET`], confirmed with the code it shows at the store's now.
    pub async fn create(self, store: &Store) -> User {
        let who = if self.role == Role::Admin { "admin" } else { "manager" };
        let user = store
            .create_user(NewUser {
                email: email(who).to_string(),
                name: self.name,
                password: PASSWORD.into(),
                role: self.role,
                email_verified: true,
                school_id: None,
                staff_id: None,
                pupil_id: None,
                is_demo: false,
            })
            .await
            .expect("a test office login is created");
        if !self.second_factor {
            return user;
        }
        let code = tutti_auth::totp::code_at(TOTP_SECRET, store.now().unix_timestamp());
        store
            .confirm_totp(&Actor::cli(), user.id, TOTP_SECRET, &code)
            .await
            .expect("a test office login's authenticator app is enrolled");
        store
            .user_by_id(user.id)
            .await
            .expect("read back")
            .expect("the office login exists")
    }
}

/// The login of a contact at `school`, who sees that school's pupils, timetable and invoices.
pub fn a_school_contact(school: &School) -> SchoolContactBuilder {
    SchoolContactBuilder {
        school_id: school.id,
        name: format!("School Contact {:06}", unique()),
    }
}

pub struct SchoolContactBuilder {
    school_id: i64,
    name: String,
}

impl SchoolContactBuilder {
    pub fn named(mut self, name: &str) -> Self {
        self.name = name.to_owned();
        self
    }

    /// The login, with password [`PASSWORD`].
    pub async fn create(self, store: &Store) -> User {
        store
            .create_user(NewUser {
                email: email("school").to_string(),
                name: self.name,
                password: PASSWORD.into(),
                role: Role::School,
                email_verified: true,
                school_id: Some(self.school_id),
                staff_id: None,
                pupil_id: None,
                is_demo: false,
            })
            .await
            .expect("a test school contact's login is created")
    }
}

/// A contact on a school's record (a head teacher, by default), with no login: the office
/// invites them.
pub fn a_contact_at(school: &School) -> ContactBuilder {
    ContactBuilder {
        school_id: school.id,
        name: format!("Head Teacher {:06}", unique()),
        job_title: "Head teacher".into(),
    }
}

pub struct ContactBuilder {
    school_id: i64,
    name: String,
    job_title: String,
}

impl ContactBuilder {
    pub fn named(mut self, name: &str, job_title: &str) -> Self {
        self.name = name.to_owned();
        self.job_title = job_title.to_owned();
        self
    }

    pub async fn create(self, store: &Store) -> SchoolContact {
        let input = ContactInput {
            name: self.name,
            email: email("contact"),
            job_title: self.job_title,
        };
        store
            .add_school_contact(&Actor::cli(), self.school_id, &input)
            .await
            .expect("a test school contact is recorded")
    }
}

/// The login of the pupil `pupil_id` (a child from `a_family`), with password [`PASSWORD`].
pub async fn a_pupil_login(store: &Store, pupil_id: i64) -> User {
    store
        .create_user(NewUser {
            email: email("pupil").to_string(),
            name: format!("Pupil {pupil_id}"),
            password: PASSWORD.into(),
            role: Role::Pupil,
            email_verified: true,
            school_id: None,
            staff_id: None,
            pupil_id: Some(pupil_id),
            is_demo: false,
        })
        .await
        .expect("a test pupil's login is created")
}

/// An enrolment of `pupil_id`: group Violin lessons of 30 minutes from the store's today, at
/// the pupil's school, awaiting a teacher, day and time unless given them.
pub fn an_enrolment(pupil_id: i64) -> EnrolmentBuilder {
    EnrolmentBuilder {
        enrolment: NewEnrolment {
            pupil_id,
            instrument: "Violin".into(),
            lesson_type: LessonType::Group,
            minutes: 30,
            start_date: Date::MIN,
            teacher_id: None,
            school_id: None,
            weekday: None,
            start_minute: None,
        },
        start: None,
        school_paid: false,
        end: None,
    }
}

pub struct EnrolmentBuilder {
    enrolment: NewEnrolment,
    start: Option<Date>,
    school_paid: bool,
    end: Option<Date>,
}

impl EnrolmentBuilder {
    /// Lessons of this kind and length on `instrument`.
    pub fn learning(mut self, instrument: &str, lesson_type: LessonType, minutes: u16) -> Self {
        self.enrolment.instrument = instrument.to_owned();
        self.enrolment.lesson_type = lesson_type;
        self.enrolment.minutes = minutes;
        self
    }

    /// From `day` rather than the store's today.
    pub fn starting(mut self, day: Date) -> Self {
        self.start = Some(day);
        self
    }

    /// Placed (so active): with teacher `staff_id` on `weekday` (1 is Monday) at
    /// `start_minute` minutes after midnight.
    pub fn taught_by(mut self, staff_id: i64, weekday: u8, start_minute: u16) -> Self {
        self.enrolment.teacher_id = Some(staff_id);
        self.enrolment.weekday = Some(weekday);
        self.enrolment.start_minute = Some(start_minute);
        self
    }

    /// Taught at this school rather than the pupil's own.
    pub fn at_school(mut self, school_id: i64) -> Self {
        self.enrolment.school_id = Some(school_id);
        self
    }

    /// The school pays for these lessons (invoiced to it at the lesson price), not the parent.
    pub fn paid_by_school(mut self) -> Self {
        self.school_paid = true;
        self
    }

    pub async fn create(mut self, store: &Store) -> i64 {
        self.enrolment.start_date = self.start.unwrap_or_else(|| store.today());
        let id = store
            .create_enrolment(&Actor::cli(), &self.enrolment)
            .await
            .expect("a test enrolment is created");
        if self.school_paid {
            // No operation of the store records who pays an enrolment (the parent, unless the
            // hub's data says the school): the builder sets the column on the enrolment's row.
            let backend = store.conn().get_database_backend();
            let sql = match backend {
                sea_orm::DbBackend::Postgres => "UPDATE enrolments SET payer = 'school' WHERE id = $1",
                _ => "UPDATE enrolments SET payer = 'school' WHERE id = ?",
            };
            store
                .conn()
                .execute_raw(Statement::from_sql_and_values(backend, sql, [id.into()]))
                .await
                .expect("a test enrolment is paid by the school");
        }
        if let Some(end) = self.end {
            // A finished enrolment from an earlier year (the data return's continuation): the
            // builder writes the end the notice rules would have set long ago.
            let backend = store.conn().get_database_backend();
            let sql = match backend {
                sea_orm::DbBackend::Postgres => "UPDATE enrolments SET status = 'leaving', end_date = $1 WHERE id = $2",
                _ => "UPDATE enrolments SET status = 'leaving', end_date = ? WHERE id = ?",
            };
            store
                .conn()
                .execute_raw(Statement::from_sql_and_values(backend, sql, [end.into(), id.into()]))
                .await
                .expect("a test enrolment is ended");
        }
        id
    }

    /// Ended on `day` (taught until then).
    pub fn ending(mut self, day: Date) -> Self {
        self.end = Some(day);
        self
    }
}

/// A teaching group of teacher `staff_id` at school `school_id`: individual Violin lessons of
/// 30 minutes on Mondays at 09:00, for the pupils or enrolments it is given.
pub fn a_group(staff_id: i64, school_id: i64) -> GroupBuilder {
    GroupBuilder {
        group: NewGroup {
            teacher_id: staff_id,
            school_id,
            weekday: 1,
            start_minute: 540,
            minutes: 30,
            lesson_type: LessonType::Individual,
            instrument: "Violin".into(),
            enrolment_ids: Vec::new(),
        },
        pupils: Vec::new(),
        enrolled_from: None,
    }
}

pub struct GroupBuilder {
    group: NewGroup,
    pupils: Vec<i64>,
    enrolled_from: Option<Date>,
}

impl GroupBuilder {
    /// On `weekday` (1 is Monday) at `start_minute` minutes after midnight.
    pub fn on(mut self, weekday: u8, start_minute: u16) -> Self {
        self.group.weekday = weekday;
        self.group.start_minute = start_minute;
        self
    }

    /// Lessons of this kind and length on `instrument`.
    pub fn teaching(mut self, instrument: &str, lesson_type: LessonType, minutes: u16) -> Self {
        self.group.instrument = instrument.to_owned();
        self.group.lesson_type = lesson_type;
        self.group.minutes = minutes;
        self
    }

    /// These existing enrolments are its members.
    pub fn with_enrolments(mut self, ids: &[i64]) -> Self {
        self.group.enrolment_ids.extend_from_slice(ids);
        self
    }

    /// These pupils are enrolled for the group's lessons and are its members.
    pub fn with_pupils(mut self, pupil_ids: &[i64]) -> Self {
        self.pupils.extend_from_slice(pupil_ids);
        self
    }

    /// The pupils' enrolments start on `day` rather than the store's today.
    pub fn enrolled_from(mut self, day: Date) -> Self {
        self.enrolled_from = Some(day);
        self
    }

    /// The group; its members' enrolments then say where, when and with whom they learn.
    pub async fn create(mut self, store: &Store) -> i64 {
        for pupil in std::mem::take(&mut self.pupils) {
            let mut enrolment = an_enrolment(pupil)
                .learning(&self.group.instrument, self.group.lesson_type, self.group.minutes)
                .at_school(self.group.school_id);
            if let Some(day) = self.enrolled_from {
                enrolment = enrolment.starting(day);
            }
            let id = enrolment.create(store).await;
            self.group.enrolment_ids.push(id);
        }
        store
            .create_group(&Actor::cli(), &self.group)
            .await
            .expect("a test group is created")
    }
}

/// A parent's application for `pupil_id`: individual Violin lessons of 30 minutes, which the
/// hub's default offer includes.
pub fn an_application(pupil_id: i64) -> ApplicationBuilder {
    ApplicationBuilder {
        application: NewApplication {
            pupil_id,
            choice: TuitionChoice {
                instrument: "Violin".into(),
                lesson_type: LessonType::Individual,
                minutes: 30,
            },
            source: ApplicationSource::Parent,
        },
    }
}

pub struct ApplicationBuilder {
    application: NewApplication,
}

impl ApplicationBuilder {
    /// For lessons of this kind and length on `instrument`.
    pub fn for_lessons(mut self, instrument: &str, lesson_type: LessonType, minutes: u16) -> Self {
        self.application.choice = TuitionChoice {
            instrument: instrument.to_owned(),
            lesson_type,
            minutes,
        };
        self
    }

    /// Made by the pupil's school, for tuition it pays for.
    pub fn from_school(mut self) -> Self {
        self.application.source = ApplicationSource::School;
        self
    }

    /// The application, waiting on its list.
    pub async fn create(self, store: &Store) -> i64 {
        store
            .apply(&Actor::cli(), &PupilScope::All, &self.application)
            .await
            .expect("a test application is made")
    }
}

/// A violin of the hub's, available to lend.
pub fn an_instrument() -> InstrumentBuilder {
    InstrumentBuilder {
        row: InstrumentRow {
            serial: format!("TEST-{:06}", unique()),
            instrument_type: "violin".into(),
            make: Some("Stentor".into()),
            model: Some("Student I".into()),
            condition: None,
            value: None,
            location: Some("Hub store".into()),
        },
    }
}

pub struct InstrumentBuilder {
    row: InstrumentRow,
}

impl InstrumentBuilder {
    /// An instrument of this type ("cello", "trumpet").
    pub fn of_type(mut self, instrument_type: &str) -> Self {
        self.row.instrument_type = instrument_type.to_owned();
        self
    }

    pub async fn create(self, store: &Store) -> Instrument {
        store
            .create_instrument(
                &Actor::cli(),
                &InstrumentInput {
                    row: self.row,
                    status: tutti_domain::instruments::InstrumentStatus::Available,
                },
            )
            .await
            .expect("a test instrument is created")
    }
}

/// A loan of instrument `instrument_id` to pupil `pupil_id` from the store's today, due back a
/// year on, the agreement not yet accepted.
pub fn a_loan(instrument_id: i64, pupil_id: i64) -> LoanBuilder {
    LoanBuilder {
        loan: NewLoan {
            instrument_id,
            pupil_id,
            from: Date::MIN,
            due: None,
            agreement_on_paper: false,
        },
        from: None,
    }
}

pub struct LoanBuilder {
    loan: NewLoan,
    from: Option<Date>,
}

impl LoanBuilder {
    /// From `day` rather than the store's today.
    pub fn from(mut self, day: Date) -> Self {
        self.from = Some(day);
        self
    }

    /// Due back on `day`.
    pub fn due(mut self, day: Date) -> Self {
        self.loan.due = Some(day);
        self
    }

    /// The loan's id.
    pub async fn create(mut self, store: &Store) -> i64 {
        self.loan.from = self.from.unwrap_or_else(|| store.today());
        store
            .lend_instrument(&Actor::cli(), &self.loan)
            .await
            .expect("a test loan is made")
    }
}

/// A published item of the public site, of `kind`, titled `title`, with a line of body text.
pub fn a_page(kind: Kind, title: &str) -> PageBuilder {
    let mut draft = Draft::new(kind, title);
    draft.body = format!("About {title}.");
    draft.published = true;
    PageBuilder { draft }
}

pub struct PageBuilder {
    draft: Draft,
}

impl PageBuilder {
    /// Under the page `parent_id`.
    pub fn under(mut self, parent_id: i64) -> Self {
        self.draft.parent_id = Some(parent_id);
        self
    }

    /// With this Markdown body.
    pub fn saying(mut self, body: &str) -> Self {
        self.draft.body = body.to_owned();
        self
    }

    /// A draft, not yet public.
    pub fn draft(mut self) -> Self {
        self.draft.published = false;
        self
    }

    /// Anything else about it, on the store's own draft.
    pub fn with(mut self, change: impl FnOnce(&mut Draft)) -> Self {
        change(&mut self.draft);
        self
    }

    pub async fn create(self, store: &Store) -> Item {
        store
            .save_content(None, &self.draft)
            .await
            .expect("a test content item is saved")
    }
}

/// The charging policy of academic year `year`, saved (so its prices are published): the
/// default figures until a test changes them with `price`, `hire` or `with`.
pub fn a_charging_policy(year: AcademicYear) -> PolicyBuilder {
    PolicyBuilder {
        year,
        policy: ChargingPolicy::starting("Test hub", year),
    }
}

pub struct PolicyBuilder {
    year: AcademicYear,
    policy: ChargingPolicy,
}

impl PolicyBuilder {
    /// A term of `minutes`-minute `lesson_type` lessons costs `pence`.
    pub fn price(mut self, lesson_type: LessonType, minutes: u16, pence: i64) -> Self {
        self.policy
            .prices
            .retain(|p| !(p.lesson_type == lesson_type && p.minutes == minutes));
        self.policy.prices.push(LessonPrice {
            lesson_type,
            minutes,
            per_term: Pence(pence),
        });
        self
    }

    /// Hiring an instrument costs `pence` a term.
    pub fn hire(mut self, pence: i64) -> Self {
        self.policy.hire.per_term = Pence(pence);
        self
    }

    /// Anything else about it.
    pub fn with(mut self, change: impl FnOnce(&mut ChargingPolicy)) -> Self {
        change(&mut self.policy);
        self
    }

    /// Saves it as the year's policy (a new revision); returns the revision.
    pub async fn create(self, store: &Store) -> i32 {
        store
            .save_charging_policy(&Actor::cli(), self.year, &self.policy)
            .await
            .expect("a test charging policy is saved")
    }
}

// ---- ensembles (issue 18) ----

/// An open intermediate orchestra in the area "North", rehearsing on Saturdays from 09:00 to
/// 11:30 at a town hall, free, for any age, wanting any instrument unless told.
pub fn an_ensemble(name: &str) -> EnsembleBuilder {
    EnsembleBuilder {
        input: crate::teaching::ensembles::records::EnsembleInput {
            name: format!("{name} {:06}", unique()),
            kind: tutti_domain::ensembles::EnsembleKind::Orchestra,
            level: tutti_domain::ensembles::EnsembleLevel::Intermediate,
            entry: tutti_domain::ensembles::EnsembleEntry::Open,
            area: "North".into(),
            venue: "Town Hall".into(),
            online: false,
            joining_link: None,
            weekday: 6,
            start_minute: 540,
            end_minute: 690,
            min_age: None,
            max_age: None,
            min_grade: None,
            termly_fee: Pence::ZERO,
            description: format!("About {name}."),
            leaders: Vec::new(),
            instrumentation: Vec::new(),
        },
    }
}

pub struct EnsembleBuilder {
    input: crate::teaching::ensembles::records::EnsembleInput,
}

impl EnsembleBuilder {
    /// Wanting these instruments, with these places each.
    pub fn wanting(mut self, parts: &[(&str, u32)]) -> Self {
        self.input.instrumentation = parts.iter().map(|(i, n)| ((*i).to_owned(), *n)).collect();
        self
    }

    /// Led by this member of staff.
    pub fn led_by(mut self, staff_id: i64) -> Self {
        self.input.leaders.push(staff_id);
        self
    }

    /// Players join by audition.
    pub fn by_audition(mut self) -> Self {
        self.input.entry = tutti_domain::ensembles::EnsembleEntry::Audition;
        self
    }

    pub fn in_area(mut self, area: &str) -> Self {
        self.input.area = area.to_owned();
        self
    }

    pub fn of_kind(mut self, kind: tutti_domain::ensembles::EnsembleKind) -> Self {
        self.input.kind = kind;
        self
    }

    pub fn at_level(mut self, level: tutti_domain::ensembles::EnsembleLevel) -> Self {
        self.input.level = level;
        self
    }

    /// Rehearsing on `weekday` (1 Monday to 7 Sunday).
    pub fn on(mut self, weekday: u8) -> Self {
        self.input.weekday = weekday;
        self
    }

    /// Meeting online, with this joining link.
    pub fn online_at(mut self, link: &str) -> Self {
        self.input.online = true;
        self.input.venue = "Online".into();
        self.input.joining_link = Some(link.to_owned());
        self
    }

    /// Rehearsing from `start` to `end`, in minutes after midnight.
    pub fn from_to(mut self, start: u16, end: u16) -> Self {
        self.input.start_minute = start;
        self.input.end_minute = end;
        self
    }

    /// A termly fee.
    pub fn costing(mut self, fee: Pence) -> Self {
        self.input.termly_fee = fee;
        self
    }

    /// For ages `min` to `max` (on 31 August).
    pub fn for_ages(mut self, min: u8, max: u8) -> Self {
        self.input.min_age = Some(min);
        self.input.max_age = Some(max);
        self
    }

    /// The ensemble as made (its rehearsals dated for the rest of the year).
    pub async fn create(self, store: &Store) -> crate::teaching::ensembles::Ensemble {
        let id = store
            .create_ensemble(&Actor::cli(), &self.input)
            .await
            .expect("a test ensemble is made");
        store
            .ensemble(id)
            .await
            .expect("the ensemble is read")
            .expect("the ensemble is there")
    }
}

// ---- Events (decision 0086) -------------------------------------------------------------

/// A published family concert a month after the store's today, 14:00 to 15:30, with adult
/// (£8.00) and child (£4.00) tickets, 100 places and bookings open now.
pub fn an_event() -> EventBuilder {
    EventBuilder {
        event: crate::events::NewEvent {
            title: format!("Family concert {:06}", unique()),
            kind: tutti_domain::events::EventKind::Concert,
            audience: tutti_domain::events::EventAudience::Families,
            audience_detail: "All ages".into(),
            summary: "An afternoon of music for all the family.".into(),
            venue: "Town Hall".into(),
            postcode: "DH1 3LE".into(),
            capacity: Some(100),
            capacity_per_session: false,
            booking_opens: None,
            booking_closes: None,
            refund_days: 7,
            sessions: Vec::new(),
            tickets: vec![("Adult".into(), Pence(800)), ("Child".into(), Pence(400))],
        },
        days_ahead: 30,
    }
}

pub struct EventBuilder {
    event: crate::events::NewEvent,
    days_ahead: i64,
}

impl EventBuilder {
    pub fn titled(mut self, title: &str) -> Self {
        self.event.title = title.to_owned();
        self
    }

    /// `places` places in all.
    pub fn capacity(mut self, places: u32) -> Self {
        self.event.capacity = Some(places);
        self
    }

    /// Of this kind (CPD writes attendance to the CPD record).
    pub fn kind(mut self, kind: tutti_domain::events::EventKind) -> Self {
        self.event.kind = kind;
        self
    }

    /// Free: one ticket type, "Free", at nothing.
    pub fn free(mut self) -> Self {
        self.event.tickets = vec![("Free".into(), Pence::ZERO)];
        self
    }

    /// Its one session `days` days after the store's today.
    pub fn in_days(mut self, days: i64) -> Self {
        self.days_ahead = days;
        self
    }

    /// The event's id.
    pub async fn create(mut self, store: &Store) -> i64 {
        if self.event.sessions.is_empty() {
            let day = store.today() + time::Duration::days(self.days_ahead);
            self.event.sessions.push((day, 14 * 60, 15 * 60 + 30));
        }
        store
            .create_event(&Actor::cli(), &self.event)
            .await
            .expect("a test event is created")
    }
}
