//! The ensembles imports: ensembles (`name, kind, level, entry, area, venue, day, start, end,
//! min_age, max_age, min_grade, fee, instrumentation`), matched by name, and their members
//! (`ensemble, pupil_ref, instrument, part`), one row a pupil an ensemble.
use super::import::{CsvColumn, CsvRow, RowReader};
use crate::Pence;
use crate::ensembles::{EnsembleEntry, EnsembleKind, EnsembleLevel};

/// One ensemble as a file lists it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct EnsembleRow {
    pub name: String,
    pub kind: EnsembleKind,
    pub level: EnsembleLevel,
    pub entry: EnsembleEntry,
    pub area: String,
    pub venue: String,
    /// 1 Monday to 7 Sunday.
    pub day: u8,
    pub start_minute: u16,
    pub end_minute: u16,
    pub min_age: Option<u8>,
    pub max_age: Option<u8>,
    pub min_grade: Option<u8>,
    pub fee: Pence,
    /// `Violin 12; Oboe 2`: instrument and places, `;` between them (empty: any instrument).
    pub instrumentation: Vec<(String, u32)>,
}

const DAYS: [&str; 7] = [
    "monday",
    "tuesday",
    "wednesday",
    "thursday",
    "friday",
    "saturday",
    "sunday",
];

fn day(text: &str) -> Result<u8, String> {
    let t = text.trim().to_lowercase();
    DAYS.iter()
        .position(|d| *d == t || d[..3] == t)
        .map(|i| i as u8 + 1)
        .ok_or_else(|| "Write a day of the week, like Saturday".to_owned())
}

fn clock(text: &str) -> Result<u16, String> {
    text.trim()
        .split_once(':')
        .and_then(|(h, m)| {
            let (h, m) = (h.parse::<u16>().ok()?, m.parse::<u16>().ok()?);
            (h < 24 && m < 60).then_some(h * 60 + m)
        })
        .ok_or_else(|| "Write a time like 18:00".to_owned())
}

fn small(max: u8) -> impl Fn(&str) -> Result<u8, String> {
    move |t| {
        t.trim()
            .parse::<u8>()
            .ok()
            .filter(|n| *n <= max)
            .ok_or_else(|| format!("Write a whole number from 0 to {max}"))
    }
}

/// `Violin 12; Oboe: 2` as instruments and places.
pub fn parse_instrumentation(text: &str) -> Result<Vec<(String, u32)>, String> {
    let mut out = Vec::new();
    for part in text.split(';').map(str::trim).filter(|p| !p.is_empty()) {
        let (instrument, places) = part
            .rsplit_once([':', ' '])
            .ok_or_else(|| format!("Write each instrument with its places, like Violin 12 (not {part:?})"))?;
        let instrument = instrument.trim().trim_end_matches(':').trim();
        let places = places
            .trim()
            .parse::<u32>()
            .map_err(|_| format!("Write each instrument with its places, like Violin 12 (not {part:?})"))?;
        if instrument.is_empty() {
            return Err(format!("Name the instrument in {part:?}"));
        }
        out.push((instrument.to_owned(), places));
    }
    Ok(out)
}

impl CsvRow for EnsembleRow {
    const RECORDS: &'static str = "ensembles";
    const COLUMNS: &'static [CsvColumn] = &[
        CsvColumn {
            name: "name",
            required: true,
        },
        CsvColumn {
            name: "kind",
            required: true,
        },
        CsvColumn {
            name: "level",
            required: true,
        },
        CsvColumn {
            name: "entry",
            required: true,
        },
        CsvColumn {
            name: "area",
            required: true,
        },
        CsvColumn {
            name: "venue",
            required: false,
        },
        CsvColumn {
            name: "day",
            required: true,
        },
        CsvColumn {
            name: "start",
            required: true,
        },
        CsvColumn {
            name: "end",
            required: true,
        },
        CsvColumn {
            name: "min_age",
            required: false,
        },
        CsvColumn {
            name: "max_age",
            required: false,
        },
        CsvColumn {
            name: "min_grade",
            required: false,
        },
        CsvColumn {
            name: "fee",
            required: false,
        },
        CsvColumn {
            name: "instrumentation",
            required: false,
        },
    ];
    const KEY_COLUMN: &'static str = "name";

    fn key(&self) -> String {
        crate::ensembles::slug_of(&self.name)
    }

    fn read(row: &mut RowReader<'_>) -> Option<Self> {
        let name = row.required_text("name", 120);
        let kind = row.required("kind", |t| t.parse::<EnsembleKind>());
        let level = row.required("level", |t| t.parse::<EnsembleLevel>());
        let entry = row.required("entry", |t| t.parse::<EnsembleEntry>());
        let area = row.required_text("area", 120);
        let venue = row.optional_text("venue", 200);
        let day = row.required("day", day);
        let start = row.required("start", clock);
        let end = row.required("end", clock);
        let min_age = row.optional("min_age", small(25));
        let max_age = row.optional("max_age", small(25));
        let min_grade = row.optional("min_grade", small(8));
        let fee = row.optional("fee", |t| t.trim_start_matches('£').parse::<Pence>());
        let instrumentation = row.optional("instrumentation", parse_instrumentation);
        Some(EnsembleRow {
            name: name?,
            kind: kind?,
            level: level?,
            entry: entry?,
            area: area?,
            venue: venue?.unwrap_or_default(),
            day: day?,
            start_minute: start?,
            end_minute: end?,
            min_age: min_age?,
            max_age: max_age?,
            min_grade: min_grade?,
            fee: fee?.unwrap_or(Pence::ZERO),
            instrumentation: instrumentation?.unwrap_or_default(),
        })
    }

    fn to_fields(&self) -> Vec<String> {
        let opt = |n: Option<u8>| n.map(|n| n.to_string()).unwrap_or_default();
        vec![
            self.name.clone(),
            self.kind.as_str().into(),
            self.level.as_str().into(),
            self.entry.as_str().into(),
            self.area.clone(),
            self.venue.clone(),
            DAYS[usize::from(self.day.clamp(1, 7)) - 1].into(),
            format!("{:02}:{:02}", self.start_minute / 60, self.start_minute % 60),
            format!("{:02}:{:02}", self.end_minute / 60, self.end_minute % 60),
            opt(self.min_age),
            opt(self.max_age),
            opt(self.min_grade),
            format!("{}.{:02}", self.fee.0 / 100, self.fee.0 % 100),
            self.instrumentation
                .iter()
                .map(|(i, n)| format!("{i} {n}"))
                .collect::<Vec<_>>()
                .join("; "),
        ]
    }
}

/// A member of an ensemble as a file lists them.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct EnsembleMemberRow {
    /// The ensemble's name or its address (`county-youth-orchestra`).
    pub ensemble: String,
    pub pupil_ref: String,
    pub instrument: String,
    pub part: String,
}

impl CsvRow for EnsembleMemberRow {
    const RECORDS: &'static str = "ensemble members";
    const COLUMNS: &'static [CsvColumn] = &[
        CsvColumn {
            name: "ensemble",
            required: true,
        },
        CsvColumn {
            name: "pupil_ref",
            required: true,
        },
        CsvColumn {
            name: "instrument",
            required: true,
        },
        CsvColumn {
            name: "part",
            required: false,
        },
    ];
    const KEY_COLUMN: &'static str = "pupil_ref";

    /// A pupil is listed once an ensemble.
    fn key(&self) -> String {
        format!(
            "{} {}",
            crate::ensembles::slug_of(&self.ensemble),
            self.pupil_ref.to_uppercase()
        )
    }

    fn read(row: &mut RowReader<'_>) -> Option<Self> {
        let ensemble = row.required_text("ensemble", 120);
        let pupil_ref = row.required_text("pupil_ref", 20);
        let instrument = row.required_text("instrument", 60);
        let part = row.optional_text("part", 60);
        Some(EnsembleMemberRow {
            ensemble: ensemble?,
            pupil_ref: pupil_ref?,
            instrument: instrument?,
            part: part?.unwrap_or_default(),
        })
    }

    fn to_fields(&self) -> Vec<String> {
        vec![
            self.ensemble.clone(),
            self.pupil_ref.clone(),
            self.instrument.clone(),
            self.part.clone(),
        ]
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::csv::import;

    #[test]
    fn reads_ensembles_and_members_and_names_the_line_and_column_at_fault() {
        let ok = import::<EnsembleRow>(
            "name,kind,level,entry,area,venue,day,start,end,min_age,max_age,min_grade,fee,instrumentation\n\
             County Youth Orchestra,orchestra,county,audition,County,Music Centre,Saturday,10:00,12:30,11,18,6,65.00,Violin 16; Oboe: 2\n\
             Junior Choir,choir,entry,open,Durham,,tue,17:00,18:00,,,,,\n",
        );
        assert!(ok.errors.is_empty(), "{:?}", ok.errors);
        let first = &ok.rows[0].row;
        assert_eq!((first.day, first.start_minute, first.fee), (6, 600, Pence(6500)));
        assert_eq!(first.instrumentation, vec![("Violin".into(), 16), ("Oboe".into(), 2)]);
        assert!(ok.rows[1].row.instrumentation.is_empty());
        let bad = import::<EnsembleRow>(
            "name,kind,level,entry,area,day,start,end\nBand,kazoo,entry,open,North,someday,25:00,18:00\n",
        );
        let columns: Vec<&str> = bad.errors.iter().filter_map(|e| e.column.as_deref()).collect();
        assert_eq!(columns, vec!["kind", "day", "start"]);
        let members = import::<EnsembleMemberRow>(
            "ensemble,pupil_ref,instrument,part\nJunior Choir,P0001,Voice,Alto\nJunior Choir,p0001,Voice,\n",
        );
        assert_eq!(members.rows.len(), 1);
        assert_eq!(members.errors.len(), 1, "a pupil twice in one ensemble");
    }
}
