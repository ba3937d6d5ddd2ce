//! Builders for the world a test needs, made through the store's own operations (never raw
//! SQL): `a_school()`, `a_teacher().available(..)`, `a_family().on_free_school_meals()`. A
//! test that says "a new school in Town A, a teacher free on Mondays" builds exactly that,
//! on an empty database, instead of leaning on the demo seed.
use std::sync::atomic::{AtomicU32, Ordering};

use time::Date;
use tutti_domain::Percent;
use tutti_domain::csv::{PupilRow, SchoolRow, StaffRow};
use tutti_domain::schools::{SchoolPhase, SchoolType};
use tutti_domain::staff::StaffRole;
use tutti_domain::validate::{EmailAddress, Urn};

use crate::Store;
use crate::platform::accounts::{NewUser, Role, User};
use crate::platform::audit::Actor;
use crate::records::pupils::PupilInput;
use crate::records::schools::{School, SchoolInput};
use crate::records::staff::Staff;

/// A number no other builder in this process has used: URNs, references, addresses.
fn unique() -> u32 {
    static NEXT: AtomicU32 = AtomicU32::new(0);
    NEXT.fetch_add(1, Ordering::SeqCst)
}

fn email(who: &str) -> EmailAddress {
    EmailAddress::parse(&format!("{who}{}@test.example", unique())).expect("a made-up address is an email")
}

/// A school: a maintained primary unless told otherwise.
pub fn a_school() -> SchoolBuilder {
    SchoolBuilder {
        name: format!("Test Primary School {}", unique()),
        area: None,
        phase: SchoolPhase::Primary,
        school_type: SchoolType::Maintained,
    }
}

pub struct SchoolBuilder {
    name: String,
    area: Option<String>,
    phase: SchoolPhase,
    school_type: SchoolType,
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

    pub async fn create(self, store: &Store) -> School {
        let urn = Urn::parse(&(700_000 + unique()).to_string()).expect("a six-digit URN");
        let row = SchoolRow {
            urn,
            name: self.name,
            phase: self.phase,
            school_type: self.school_type,
            local_authority: None,
            area: self.area,
            address: None,
            postcode: None,
            parent_charge_uplift: Percent::whole(0),
        };
        store
            .create_school(&Actor::cli(), &SchoolInput::from_row(row))
            .await
            .expect("a test school is created")
    }
}

/// A teacher of the violin, with no hours recorded (so the default week) unless told.
pub fn a_teacher() -> TeacherBuilder {
    TeacherBuilder {
        first_name: "Tess".into(),
        last_name: format!("Teacher{}", unique()),
        instruments: vec!["Violin".into()],
        availability: Vec::new(),
        login: None,
    }
}

pub struct TeacherBuilder {
    first_name: String,
    last_name: String,
    instruments: Vec<String>,
    availability: Vec<(u8, u16, u16)>,
    login: Option<String>,
}

/// A teacher as made: the staff record, and the login when one was asked for.
pub struct Teacher {
    pub staff: Staff,
    pub user: Option<User>,
}

impl TeacherBuilder {
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

    pub async fn create(self, store: &Store) -> Teacher {
        let row = StaffRow {
            email: email("teacher"),
            first_name: self.first_name,
            last_name: self.last_name,
            role: StaffRole::Teacher,
            instruments: self.instruments,
            employment: None,
            dbs_number: None,
            dbs_issued: None,
            dbs_update_service: false,
            safeguarding_trained: None,
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
        carer: format!("Carer {}", unique()),
        children: vec![("Child".into(), time::macros::date!(2017 - 05 - 20))],
        fsm: false,
        login: None,
    }
}

pub struct FamilyBuilder {
    school_urn: Urn,
    carer: String,
    children: Vec<(String, Date)>,
    fsm: bool,
    login: Option<String>,
}

/// A family as made: the carer's email, their children's pupil ids, and the login.
pub struct Family {
    pub email: String,
    pub children: Vec<i64>,
    pub user: Option<User>,
}

impl FamilyBuilder {
    /// Eligible for free school meals: the remission rules apply to every child.
    pub fn on_free_school_meals(mut self) -> Self {
        self.fsm = true;
        self
    }

    /// Another child, born on `born`.
    pub fn with_child(mut self, first_name: &str, born: Date) -> Self {
        self.children.push((first_name.to_owned(), born));
        self
    }

    /// With a parent's login (confirmed email) and this password.
    pub fn with_login(mut self, password: &str) -> Self {
        self.login = Some(password.to_owned());
        self
    }

    pub async fn create(self, store: &Store) -> Family {
        let carer_email = email("carer");
        let surname = format!("Family{}", unique());
        let mut children = Vec::new();
        for (first_name, born) in self.children {
            let row = PupilRow {
                pupil_ref: format!("T{}", unique()),
                first_name,
                last_name: surname.clone(),
                date_of_birth: born,
                school_urn: self.school_urn,
                year_group: None,
                fsm: self.fsm,
                pupil_premium: self.fsm,
                send: false,
                looked_after: false,
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
        }
        let user = match self.login {
            Some(password) => Some(
                store
                    .create_user(NewUser {
                        email: carer_email.to_string(),
                        name: self.carer.clone(),
                        password,
                        role: Role::Parent,
                        email_verified: true,
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
            children,
            user,
        }
    }
}
