//! The import rows of issue 3: schools, pupils, staff and instruments, column by column.

use time::Date;

use super::import::{CsvColumn, CsvRow, RowReader};
use crate::calendar::YearGroup;
use crate::characteristics::{Ethnicity, Gender};
use crate::geo::{Latitude, Longitude};
use crate::instruments::InstrumentCondition;
use crate::money::{Pence, Percent};
use crate::schools::{SchoolPhase, SchoolType};
use crate::staff::{DbsNumber, Employment, Fte, StaffRole};
use crate::validate::{EmailAddress, PhoneNumber, Postcode, Urn, format_date_iso, format_yes_no, parse_date};

/// The parent-charge uplifts a school may choose (DOMAIN.md): 0, 15, 50 or 100% of the
/// standard fee.
pub const UPLIFT_CHOICES: [Percent; 4] = [
    Percent::whole(0),
    Percent::whole(15),
    Percent::whole(50),
    Percent::whole(100),
];

const NAME_MAX: usize = 100;
const TEXT_MAX: usize = 200;
const ADDRESS_MAX: usize = 500;

const fn required(name: &'static str) -> CsvColumn {
    CsvColumn { name, required: true }
}

const fn optional(name: &'static str) -> CsvColumn {
    CsvColumn { name, required: false }
}

fn parse_uplift(text: &str) -> Result<Percent, String> {
    let message = "Enter the parent charge uplift: 0, 15, 50 or 100 (per cent)";
    let percent: Percent = text.parse().map_err(|_| message.to_string())?;
    if UPLIFT_CHOICES.contains(&percent) {
        Ok(percent)
    } else {
        Err(message.to_string())
    }
}

fn uplift_text(percent: Percent) -> String {
    percent.to_string().trim_end_matches('%').to_string()
}

fn date_text(date: Option<Date>) -> String {
    date.map(format_date_iso).unwrap_or_default()
}

fn text<T: ToString>(value: &Option<T>) -> String {
    value.as_ref().map(ToString::to_string).unwrap_or_default()
}

/// A school: `urn, name, phase, type, local_authority, area, address, postcode,
/// parent_charge_uplift, rooms, rotating, latitude, longitude`. Matched on `urn`. `rooms` and `rotating` came
/// later: a file without them (or with them blank) leaves a school's as they are.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SchoolRow {
    /// DfE URN (required).
    pub urn: Urn,
    /// Name (required).
    pub name: String,
    /// Phase (required): nursery, primary, secondary, special, all-through.
    pub phase: SchoolPhase,
    /// Type (required): maintained, academy, independent.
    pub school_type: SchoolType,
    /// Local authority, as text.
    pub local_authority: Option<String>,
    /// The hub's area the school is in.
    pub area: Option<String>,
    /// Postal address (without the postcode).
    pub address: Option<String>,
    /// Postcode.
    pub postcode: Option<Postcode>,
    /// The uplift on the standard fee the school has chosen: one of [`UPLIFT_CHOICES`];
    /// blank is 0.
    pub parent_charge_uplift: Percent,
    /// Rooms for visiting teachers at once, 1 to 20; `None` (blank) keeps what is recorded
    /// (2 for a new school).
    pub rooms: Option<u16>,
    /// Whether the school rotates lesson times week by week; `None` (blank) keeps what is
    /// recorded (no for a new school).
    pub rotating: Option<bool>,
    /// Where the school is, for the take-up map: both or neither (blank: not recorded).
    pub latitude: Option<Latitude>,
    pub longitude: Option<Longitude>,
}

fn parse_rooms(text: &str) -> Result<u16, String> {
    match text.trim().parse::<u16>() {
        Ok(n) if (1..=crate::allocation::MAX_ROOMS).contains(&n) => Ok(n),
        _ => Err(format!(
            "Enter the number of rooms for visiting teachers, from 1 to {}",
            crate::allocation::MAX_ROOMS
        )),
    }
}

impl CsvRow for SchoolRow {
    const RECORDS: &'static str = "schools";
    const COLUMNS: &'static [CsvColumn] = &[
        required("urn"),
        required("name"),
        required("phase"),
        required("type"),
        optional("local_authority"),
        optional("area"),
        optional("address"),
        optional("postcode"),
        optional("parent_charge_uplift"),
        optional("rooms"),
        optional("rotating"),
        optional("latitude"),
        optional("longitude"),
    ];
    const KEY_COLUMN: &'static str = "urn";

    fn key(&self) -> String {
        self.urn.to_string()
    }

    fn read(row: &mut RowReader<'_>) -> Option<Self> {
        let urn = row.required("urn", Urn::parse);
        let name = row.required_text("name", TEXT_MAX);
        let phase = row.required("phase", str::parse::<SchoolPhase>);
        let school_type = row.required("type", str::parse::<SchoolType>);
        let local_authority = row.optional_text("local_authority", TEXT_MAX);
        let area = row.optional_text("area", TEXT_MAX);
        let address = row.optional_text("address", ADDRESS_MAX);
        let postcode = row.optional("postcode", Postcode::parse);
        let uplift = row.optional("parent_charge_uplift", parse_uplift);
        let rooms = row.optional("rooms", parse_rooms);
        let rotating = row.optional("rotating", crate::validate::parse_yes_no);
        let latitude = row.optional("latitude", Latitude::parse);
        let longitude = row.optional("longitude", Longitude::parse);
        match (row.value("latitude").is_some(), row.value("longitude").is_some()) {
            (true, false) => {
                row.error("longitude", "Enter the longitude too, or neither");
                return None;
            }
            (false, true) => {
                row.error("latitude", "Enter the latitude too, or neither");
                return None;
            }
            _ => {}
        }
        Some(SchoolRow {
            urn: urn?,
            name: name?,
            phase: phase?,
            school_type: school_type?,
            local_authority: local_authority?,
            area: area?,
            address: address?,
            postcode: postcode?,
            parent_charge_uplift: uplift?.unwrap_or(Percent::ZERO),
            rooms: rooms?,
            rotating: rotating?,
            latitude: latitude?,
            longitude: longitude?,
        })
    }

    fn to_fields(&self) -> Vec<String> {
        vec![
            self.urn.to_string(),
            self.name.clone(),
            self.phase.to_string(),
            self.school_type.to_string(),
            text(&self.local_authority),
            text(&self.area),
            text(&self.address),
            text(&self.postcode),
            uplift_text(self.parent_charge_uplift),
            text(&self.rooms),
            self.rotating.map(|r| format_yes_no(r).to_owned()).unwrap_or_default(),
            text(&self.latitude),
            text(&self.longitude),
        ]
    }
}

/// A pupil with one guardian: `pupil_ref, first_name, last_name, date_of_birth, school_urn,
/// year_group, fsm, pupil_premium, send, looked_after, guardian_name, guardian_email,
/// guardian_phone, gender, ethnicity`. Matched on `pupil_ref`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PupilRow {
    /// The hub's reference for the pupil (required).
    pub pupil_ref: String,
    /// First name (required).
    pub first_name: String,
    /// Last name (required).
    pub last_name: String,
    /// Date of birth (required), DD/MM/YYYY or YYYY-MM-DD.
    pub date_of_birth: Date,
    /// The school's URN (required).
    pub school_urn: Urn,
    /// An override of the year group; blank means derive it from the date of birth.
    pub year_group: Option<YearGroup>,
    /// Eligible for free school meals.
    pub fsm: bool,
    /// Eligible for pupil premium.
    pub pupil_premium: bool,
    /// Has special educational needs or disabilities.
    pub send: bool,
    /// Looked after by the local authority.
    pub looked_after: bool,
    /// Gender, if recorded (the data return counts the records without it).
    pub gender: Option<Gender>,
    /// Ethnic group, if recorded.
    pub ethnicity: Option<Ethnicity>,
    /// The guardian's name; needed if an email or phone is given.
    pub guardian_name: Option<String>,
    /// The guardian's email, which links their parent account.
    pub guardian_email: Option<EmailAddress>,
    /// The guardian's phone.
    pub guardian_phone: Option<PhoneNumber>,
}

impl CsvRow for PupilRow {
    const RECORDS: &'static str = "pupils";
    const COLUMNS: &'static [CsvColumn] = &[
        required("pupil_ref"),
        required("first_name"),
        required("last_name"),
        required("date_of_birth"),
        required("school_urn"),
        optional("year_group"),
        optional("fsm"),
        optional("pupil_premium"),
        optional("send"),
        optional("looked_after"),
        optional("guardian_name"),
        optional("guardian_email"),
        optional("guardian_phone"),
        optional("gender"),
        optional("ethnicity"),
    ];
    const KEY_COLUMN: &'static str = "pupil_ref";

    fn key(&self) -> String {
        self.pupil_ref.clone()
    }

    fn read(row: &mut RowReader<'_>) -> Option<Self> {
        let pupil_ref = row.required_text("pupil_ref", 50);
        let first_name = row.required_text("first_name", NAME_MAX);
        let last_name = row.required_text("last_name", NAME_MAX);
        let date_of_birth = row.required("date_of_birth", parse_date);
        let school_urn = row.required("school_urn", Urn::parse);
        let year_group = row.optional("year_group", YearGroup::parse);
        let fsm = row.flag("fsm");
        let pupil_premium = row.flag("pupil_premium");
        let send = row.flag("send");
        let looked_after = row.flag("looked_after");
        let gender = row.optional("gender", str::parse::<Gender>);
        let ethnicity = row.optional("ethnicity", str::parse::<Ethnicity>);
        let guardian_name = row.optional_text("guardian_name", NAME_MAX);
        let guardian_email = row.optional("guardian_email", EmailAddress::parse);
        let guardian_phone = row.optional("guardian_phone", PhoneNumber::parse);
        let has_contact = row.value("guardian_email").is_some() || row.value("guardian_phone").is_some();
        if has_contact && row.value("guardian_name").is_none() {
            row.error("guardian_name", "Enter the guardian's name");
            return None;
        }
        Some(PupilRow {
            pupil_ref: pupil_ref?,
            first_name: first_name?,
            last_name: last_name?,
            date_of_birth: date_of_birth?,
            school_urn: school_urn?,
            year_group: year_group?,
            fsm: fsm?,
            pupil_premium: pupil_premium?,
            send: send?,
            looked_after: looked_after?,
            gender: gender?,
            ethnicity: ethnicity?,
            guardian_name: guardian_name?,
            guardian_email: guardian_email?,
            guardian_phone: guardian_phone?,
        })
    }

    fn to_fields(&self) -> Vec<String> {
        vec![
            self.pupil_ref.clone(),
            self.first_name.clone(),
            self.last_name.clone(),
            format_date_iso(self.date_of_birth),
            self.school_urn.to_string(),
            text(&self.year_group),
            format_yes_no(self.fsm).to_string(),
            format_yes_no(self.pupil_premium).to_string(),
            format_yes_no(self.send).to_string(),
            format_yes_no(self.looked_after).to_string(),
            text(&self.guardian_name),
            text(&self.guardian_email),
            self.guardian_phone
                .as_ref()
                .map(PhoneNumber::national)
                .unwrap_or_default(),
            text(&self.gender),
            text(&self.ethnicity),
        ]
    }
}

/// A member of staff: `email, first_name, last_name, role, instruments, employment,
/// dbs_number, dbs_issued, dbs_update_service, safeguarding_trained, fte`. Matched on `email`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct StaffRow {
    /// Email (required), lower case; their login.
    pub email: EmailAddress,
    /// First name (required).
    pub first_name: String,
    /// Last name (required).
    pub last_name: String,
    /// Role (required): teacher, admin, manager.
    pub role: StaffRole,
    /// Instruments taught, from a list separated by semicolons; duplicates removed.
    pub instruments: Vec<String>,
    /// Employed, sessional or self-employed.
    pub employment: Option<Employment>,
    /// Enhanced DBS certificate number.
    pub dbs_number: Option<DbsNumber>,
    /// The DBS certificate's issue date; needed if a number is given.
    pub dbs_issued: Option<Date>,
    /// Registered with the DBS update service.
    pub dbs_update_service: bool,
    /// The date of their last safeguarding training.
    pub safeguarding_trained: Option<Date>,
    /// Their full-time equivalent, 0.01 to 1 (the data return's workforce).
    pub fte: Option<Fte>,
}

fn parse_instrument_list(text: &str) -> Result<Vec<String>, String> {
    let mut instruments: Vec<String> = Vec::new();
    for item in text.split(';').map(str::trim).filter(|s| !s.is_empty()) {
        if item.chars().count() > 60 {
            return Err("Each instrument name must be 60 characters or fewer".to_string());
        }
        if !instruments.iter().any(|i| i.eq_ignore_ascii_case(item)) {
            instruments.push(item.to_string());
        }
    }
    Ok(instruments)
}

impl CsvRow for StaffRow {
    const RECORDS: &'static str = "staff";
    const COLUMNS: &'static [CsvColumn] = &[
        required("email"),
        required("first_name"),
        required("last_name"),
        required("role"),
        optional("instruments"),
        optional("employment"),
        optional("dbs_number"),
        optional("dbs_issued"),
        optional("dbs_update_service"),
        optional("safeguarding_trained"),
        optional("fte"),
    ];
    const KEY_COLUMN: &'static str = "email";

    fn key(&self) -> String {
        self.email.to_string()
    }

    fn read(row: &mut RowReader<'_>) -> Option<Self> {
        let email = row.required("email", EmailAddress::parse);
        let first_name = row.required_text("first_name", NAME_MAX);
        let last_name = row.required_text("last_name", NAME_MAX);
        let role = row.required("role", str::parse::<StaffRole>);
        let instruments = row.optional("instruments", parse_instrument_list);
        let employment = row.optional("employment", str::parse::<Employment>);
        let dbs_number = row.optional("dbs_number", DbsNumber::parse);
        let dbs_issued = row.optional("dbs_issued", parse_date);
        let dbs_update_service = row.flag("dbs_update_service");
        let safeguarding_trained = row.optional("safeguarding_trained", parse_date);
        let fte = row.optional("fte", Fte::parse);
        if row.value("dbs_number").is_some() && row.value("dbs_issued").is_none() {
            row.error("dbs_issued", "Enter the date the DBS certificate was issued");
            return None;
        }
        Some(StaffRow {
            email: email?,
            first_name: first_name?,
            last_name: last_name?,
            role: role?,
            instruments: instruments?.unwrap_or_default(),
            employment: employment?,
            dbs_number: dbs_number?,
            dbs_issued: dbs_issued?,
            dbs_update_service: dbs_update_service?,
            safeguarding_trained: safeguarding_trained?,
            fte: fte?,
        })
    }

    fn to_fields(&self) -> Vec<String> {
        vec![
            self.email.to_string(),
            self.first_name.clone(),
            self.last_name.clone(),
            self.role.to_string(),
            self.instruments.join(";"),
            text(&self.employment),
            text(&self.dbs_number),
            date_text(self.dbs_issued),
            format_yes_no(self.dbs_update_service).to_string(),
            date_text(self.safeguarding_trained),
            text(&self.fte),
        ]
    }
}

/// An instrument: `serial, type, make, model, condition, value, location`. Matched on `serial`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct InstrumentRow {
    /// Serial number (required).
    pub serial: String,
    /// What it is (required): "violin", "trumpet".
    pub instrument_type: String,
    /// Maker.
    pub make: Option<String>,
    /// Model.
    pub model: Option<String>,
    /// Condition: new, good, fair, poor, needs-repair.
    pub condition: Option<InstrumentCondition>,
    /// Value in pounds and pence, 0 or more.
    pub value: Option<Pence>,
    /// Where it is kept.
    pub location: Option<String>,
}

fn parse_value(text: &str) -> Result<Pence, String> {
    let value = Pence::parse_pounds(text).map_err(|e| e.to_string())?;
    if value.is_negative() {
        Err("Enter a value of 0 or more, like 149.99".to_string())
    } else {
        Ok(value)
    }
}

impl CsvRow for InstrumentRow {
    const RECORDS: &'static str = "instruments";
    const COLUMNS: &'static [CsvColumn] = &[
        required("serial"),
        required("type"),
        optional("make"),
        optional("model"),
        optional("condition"),
        optional("value"),
        optional("location"),
    ];
    const KEY_COLUMN: &'static str = "serial";

    fn key(&self) -> String {
        self.serial.clone()
    }

    fn read(row: &mut RowReader<'_>) -> Option<Self> {
        let serial = row.required_text("serial", 60);
        let instrument_type = row.required_text("type", 60);
        let make = row.optional_text("make", TEXT_MAX);
        let model = row.optional_text("model", TEXT_MAX);
        let condition = row.optional("condition", str::parse::<InstrumentCondition>);
        let value = row.optional("value", parse_value);
        let location = row.optional_text("location", TEXT_MAX);
        Some(InstrumentRow {
            serial: serial?,
            instrument_type: instrument_type?,
            make: make?,
            model: model?,
            condition: condition?,
            value: value?,
            location: location?,
        })
    }

    fn to_fields(&self) -> Vec<String> {
        vec![
            self.serial.clone(),
            self.instrument_type.clone(),
            text(&self.make),
            text(&self.model),
            text(&self.condition),
            self.value.map(Pence::to_pounds_string).unwrap_or_default(),
            text(&self.location),
        ]
    }
}

#[cfg(test)]
mod tests {
    use super::super::{ImportIssue, export, import};
    use super::*;
    use time::macros::date;

    fn issue(line: usize, column: Option<&str>, message: &str) -> ImportIssue {
        ImportIssue {
            line,
            column: column.map(str::to_string),
            message: message.to_string(),
        }
    }

    const SCHOOLS: &str = "\u{feff}URN, Name ,Phase,Type,local_authority,area,address,postcode,Parent_Charge_Uplift,Colour\r\n\
114250,Durham Gilesgate Primary,primary,maintained,Durham,Durham City,\"Gilesgate, Durham\",dh1 1qw,50,blue\r\n\
114251,Darlington Academy,secondary,academy,Darlington,South,,DL1 5QE,,\r\n";

    #[test]
    fn schools_import_with_warnings_for_unknown_columns() {
        let outcome = import::<SchoolRow>(SCHOOLS);
        assert_eq!(outcome.errors, vec![]);
        assert_eq!(
            outcome.warnings,
            vec![issue(
                1,
                Some("Colour"),
                "Colour is not a column Tutti knows, so it was ignored"
            )]
        );
        assert_eq!(outcome.rows.len(), 2);
        let first = &outcome.rows[0];
        assert_eq!(first.line, 2);
        assert_eq!(first.row.urn.get(), 114_250);
        assert_eq!(first.row.address.as_deref(), Some("Gilesgate, Durham"));
        assert_eq!(first.row.postcode.as_ref().unwrap().as_str(), "DH1 1QW");
        assert_eq!(first.row.parent_charge_uplift, Percent::whole(50));
        assert_eq!(outcome.rows[1].row.parent_charge_uplift, Percent::ZERO);
        assert_eq!(outcome.rows[1].row.school_type, SchoolType::Academy);
    }

    #[test]
    fn schools_may_say_their_rooms_and_whether_they_rotate() {
        let text = "URN,Name,Phase,Type,Rooms,Rotating\n\
114250,A,primary,maintained,3,yes\n\
114251,B,primary,maintained,,\n\
114252,C,primary,maintained,0,maybe\n";
        let outcome = import::<SchoolRow>(text);
        assert_eq!(
            outcome.errors,
            vec![
                issue(
                    4,
                    Some("rooms"),
                    "Enter the number of rooms for visiting teachers, from 1 to 20"
                ),
                issue(4, Some("rotating"), "Enter yes or no"),
            ]
        );
        assert_eq!(
            (outcome.rows[0].row.rooms, outcome.rows[0].row.rotating),
            (Some(3), Some(true))
        );
        assert_eq!((outcome.rows[1].row.rooms, outcome.rows[1].row.rotating), (None, None));
        // An older file without the columns still reads; its schools keep what they have.
        let old = import::<SchoolRow>(SCHOOLS).into_rows().unwrap();
        assert_eq!((old[0].row.rooms, old[0].row.rotating), (None, None));
        let again = import::<SchoolRow>(&export([&outcome.rows[0].row]))
            .into_rows()
            .unwrap();
        assert_eq!(again[0].row, outcome.rows[0].row);
    }

    #[test]
    fn every_error_is_listed_by_line_and_column() {
        let text = "urn,name,phase,type,postcode,parent_charge_uplift\n\
12345,,college,maintained,nowhere,20\n\
114250,Ok School,primary,academy,DH1 3LE,15\n\
114250,Copy School,primary,academy,DH1 3LE,15\n\
114252,Short\n";
        let outcome = import::<SchoolRow>(text);
        assert_eq!(
            outcome.errors,
            vec![
                issue(2, Some("urn"), "Enter the school's URN: 6 digits, like 114250"),
                issue(2, Some("name"), "This must be filled in"),
                issue(
                    2,
                    Some("phase"),
                    "Enter one of: nursery, primary, secondary, special or all-through"
                ),
                issue(2, Some("postcode"), "Enter a postcode like SW1A 1AA"),
                issue(
                    2,
                    Some("parent_charge_uplift"),
                    "Enter the parent charge uplift: 0, 15, 50 or 100 (per cent)"
                ),
                issue(4, Some("urn"), "urn 114250 is on line 3 and again on line 4"),
                issue(5, None, "This row has 2 values but the header has 6 columns"),
            ]
        );
        assert!(!outcome.is_ok());
        assert_eq!(outcome.rows.len(), 1);
        assert_eq!(
            outcome.errors[0].to_string(),
            "Line 2, column urn: Enter the school's URN: 6 digits, like 114250"
        );
    }

    #[test]
    fn missing_required_columns_stop_the_file() {
        let outcome = import::<SchoolRow>("name,phase,name\nA,primary,B\n");
        assert_eq!(
            outcome.errors,
            vec![
                issue(1, Some("name"), "The column name appears twice (columns 1 and 3)"),
                issue(1, Some("urn"), "The file needs a column named urn"),
                issue(1, Some("type"), "The file needs a column named type"),
            ]
        );
        assert!(
            import::<SchoolRow>("").errors[0]
                .message
                .starts_with("The file is empty")
        );
        assert_eq!(
            import::<SchoolRow>("urn,name,phase,type\n\"114250,x\n").errors,
            vec![issue(2, None, "A quoted value is never closed (a \" is missing)")]
        );
    }

    #[test]
    fn pupils_import_and_export_round_trip() {
        let text = "pupil_ref,first_name,last_name,Date of Birth,school_urn,year_group,fsm,pupil_premium,send,looked_after,guardian_name,guardian_email,guardian_phone\n\
P0001,Amira,Khan,10/03/2019,114250,,Y,no,0,false,Sara Khan,Sara.Khan@Example.com,+44 7700 900123\n\
P0002,Ben,Lee,2015-09-01,114251,Year 6,,,,,,,\n";
        let outcome = import::<PupilRow>(text);
        assert_eq!(outcome.errors, vec![]);
        let rows: Vec<PupilRow> = outcome.rows.into_iter().map(|r| r.row).collect();
        assert_eq!(rows[0].date_of_birth, date!(2019 - 03 - 10));
        assert!(rows[0].fsm && !rows[0].pupil_premium && !rows[0].send);
        assert_eq!(
            rows[0].guardian_email.as_ref().unwrap().as_str(),
            "sara.khan@example.com"
        );
        assert_eq!(rows[1].year_group, Some(YearGroup::Year(6)));
        let exported = export(&rows);
        assert!(exported.starts_with("pupil_ref,first_name,last_name,date_of_birth,"));
        let again: Vec<PupilRow> = import::<PupilRow>(&exported)
            .into_rows()
            .unwrap()
            .into_iter()
            .map(|r| r.row)
            .collect();
        assert_eq!(again, rows);
    }

    #[test]
    fn pupil_errors() {
        let text = "pupil_ref,first_name,last_name,date_of_birth,school_urn,fsm,guardian_email\n\
P1,A,B,31/02/2019,114250,maybe,jo@example.com\n";
        let outcome = import::<PupilRow>(text);
        assert_eq!(
            outcome.errors,
            vec![
                issue(
                    2,
                    Some("date_of_birth"),
                    "Enter a real date like 31/08/2019 or 2019-08-31"
                ),
                issue(2, Some("fsm"), "Enter yes or no"),
                issue(2, Some("guardian_name"), "Enter the guardian's name"),
            ]
        );
    }

    #[test]
    fn staff_and_instruments_round_trip() {
        let staff = "email,first_name,last_name,role,instruments,employment,dbs_number,dbs_issued,dbs_update_service,safeguarding_trained\n\
Jo.Smith@durham.gov.uk,Jo,Smith,teacher,violin; viola ;Violin;,employed,001234567890,01/09/2024,yes,2025-06-30\n\
al@example.com,Al,Jones,manager,,,,,,\n";
        let outcome = import::<StaffRow>(staff);
        assert_eq!(outcome.errors, vec![]);
        let rows: Vec<StaffRow> = outcome.rows.into_iter().map(|r| r.row).collect();
        assert_eq!(rows[0].instruments, vec!["violin", "viola"]);
        assert_eq!(rows[0].email.as_str(), "jo.smith@durham.gov.uk");
        assert!(rows[0].dbs_update_service);
        assert_eq!(
            import::<StaffRow>(&export(&rows))
                .into_rows()
                .unwrap()
                .into_iter()
                .map(|r| r.row)
                .collect::<Vec<_>>(),
            rows
        );

        let instruments = "serial,type,make,model,condition,value,location\n\
VN-001,violin,Stentor,Student II,good,149.99,Durham store\n\
TP-9,trumpet,,,needs repair,£1,234.50,store\n\
CL-1,clarinet,,,,149.999,\n";
        let outcome = import::<InstrumentRow>(instruments);
        assert_eq!(
            outcome.errors,
            vec![
                issue(3, None, "This row has 8 values but the header has only 7 columns"),
                issue(
                    4,
                    Some("value"),
                    "Enter an amount with no more than 2 decimal places, like 53.50"
                ),
            ]
        );
        assert_eq!(outcome.rows[0].row.value, Some(Pence(14_999)));
        let ok = "serial,type,condition,value\nTP-9,trumpet,needs repair,\"£1,234.50\"\n";
        let rows: Vec<InstrumentRow> = import::<InstrumentRow>(ok)
            .into_rows()
            .unwrap()
            .into_iter()
            .map(|r| r.row)
            .collect();
        assert_eq!(rows[0].value, Some(Pence(123_450)));
        assert_eq!(rows[0].condition, Some(InstrumentCondition::NeedsRepair));
        let exported = export(&rows);
        assert!(exported.contains("TP-9,trumpet,,,needs-repair,1234.50,"), "{exported}");
    }
}
