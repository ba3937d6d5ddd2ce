//! A worked-out return as files: CSV (one line a figure or breakdown row) and a spreadsheet
//! (SpreadsheetML in a ZIP of stored entries, written by hand: no compression crate needed),
//! laid out section by section as the return is, ready to copy.

use super::{DataReturn, Figure};

/// One line of the return as the files lay it out.
struct Line<'a> {
    section: &'a str,
    key: &'a str,
    words: String,
    breakdown: &'a str,
    value: String,
    unit: &'a str,
    note: &'a str,
}

fn lines(r: &DataReturn) -> Vec<Line<'_>> {
    let mut out = Vec::new();
    for f in &r.figures {
        out.push(line(
            f,
            f.words.clone(),
            "",
            f.value.map(|v| v.to_string()).unwrap_or_default(),
        ));
        for b in &f.breakdowns {
            for row in &b.rows {
                out.push(line(f, row.label.clone(), &b.by, row.value.to_string()));
            }
            if b.not_recorded > 0 {
                out.push(line(f, "Not recorded".into(), &b.by, b.not_recorded.to_string()));
            }
        }
    }
    out
}

fn line<'a>(f: &'a Figure, words: String, breakdown: &'a str, value: String) -> Line<'a> {
    Line {
        section: &f.section,
        key: &f.key,
        words,
        breakdown,
        value,
        unit: f.unit,
        note: if breakdown.is_empty() {
            f.note.as_deref().unwrap_or("")
        } else {
            ""
        },
    }
}

fn csv_field(text: &str) -> String {
    if text.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", text.replace('"', "\"\""))
    } else {
        text.to_owned()
    }
}

/// The return as CSV: `section,key,figure,breakdown,value,unit,note`; a figure's own line has
/// an empty breakdown, and a value left empty is not held.
pub fn to_csv(r: &DataReturn) -> String {
    let mut out = String::from("section,key,figure,breakdown,value,unit,note\n");
    for l in lines(r) {
        let fields = [l.section, l.key, &l.words, l.breakdown, &l.value, l.unit, l.note];
        out.push_str(&fields.iter().map(|f| csv_field(f)).collect::<Vec<_>>().join(","));
        out.push('\n');
    }
    out
}

fn xml(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

/// A cell: text, or a number ("" for a value not held).
enum Cell<'a> {
    Text(&'a str),
    Number(&'a str),
}

fn cell(column: char, row: usize, c: &Cell<'_>) -> String {
    match c {
        Cell::Text("") => String::new(),
        Cell::Text(text) => format!(
            "<c r=\"{column}{row}\" t=\"inlineStr\"><is><t>{}</t></is></c>",
            xml(text)
        ),
        Cell::Number("") => cell(column, row, &Cell::Text("not held")),
        Cell::Number(value) => format!("<c r=\"{column}{row}\"><v>{value}</v></c>"),
    }
}

/// The sheet: a heading, then each section's title and its figures, breakdown rows beneath
/// their figure (columns: figure, breakdown, value, key, note).
fn sheet(r: &DataReturn) -> String {
    let title = format!(
        "Data return {}{}",
        r.academic_year,
        if r.in_progress { " (to date)" } else { "" }
    );
    let all = lines(r);
    let mut rows: Vec<Vec<Cell<'_>>> = vec![vec![Cell::Text(&title)]];
    let mut section = "";
    for l in &all {
        if l.section != section {
            section = l.section;
            rows.push(Vec::new());
            rows.push(vec![Cell::Text(section)]);
            rows.push(["Figure", "Breakdown", "Value", "Key", "Note"].map(Cell::Text).into());
        }
        let (a, b) = if l.breakdown.is_empty() {
            (l.words.as_str(), "")
        } else {
            ("", l.words.as_str())
        };
        rows.push(vec![
            Cell::Text(a),
            Cell::Text(b),
            Cell::Number(&l.value),
            Cell::Text(l.key),
            Cell::Text(l.note),
        ]);
    }
    let body: String = rows
        .iter()
        .enumerate()
        .map(|(i, cells)| {
            let n = i + 1;
            let inner: String = cells
                .iter()
                .zip(['A', 'B', 'C', 'D', 'E'])
                .map(|(c, col)| cell(col, n, c))
                .collect();
            format!("<row r=\"{n}\">{inner}</row>")
        })
        .collect();
    format!(
        "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>\n\
         <worksheet xmlns=\"http://schemas.openxmlformats.org/spreadsheetml/2006/main\">\
         <cols><col min=\"1\" max=\"1\" width=\"60\" customWidth=\"1\"/><col min=\"2\" max=\"2\" width=\"40\" customWidth=\"1\"/>\
         <col min=\"3\" max=\"3\" width=\"14\" customWidth=\"1\"/><col min=\"4\" max=\"4\" width=\"26\" customWidth=\"1\"/>\
         <col min=\"5\" max=\"5\" width=\"60\" customWidth=\"1\"/></cols>\
         <sheetData>{body}</sheetData></worksheet>"
    )
}

/// The return as an .xlsx workbook of one sheet.
pub fn to_xlsx(r: &DataReturn) -> Vec<u8> {
    let content_types = "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>\n\
        <Types xmlns=\"http://schemas.openxmlformats.org/package/2006/content-types\">\
        <Default Extension=\"rels\" ContentType=\"application/vnd.openxmlformats-package.relationships+xml\"/>\
        <Default Extension=\"xml\" ContentType=\"application/xml\"/>\
        <Override PartName=\"/xl/workbook.xml\" ContentType=\"application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml\"/>\
        <Override PartName=\"/xl/worksheets/sheet1.xml\" ContentType=\"application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml\"/>\
        </Types>";
    let rels = "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>\n\
        <Relationships xmlns=\"http://schemas.openxmlformats.org/package/2006/relationships\">\
        <Relationship Id=\"rId1\" Type=\"http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument\" Target=\"xl/workbook.xml\"/>\
        </Relationships>";
    let workbook = "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>\n\
        <workbook xmlns=\"http://schemas.openxmlformats.org/spreadsheetml/2006/main\" \
        xmlns:r=\"http://schemas.openxmlformats.org/officeDocument/2006/relationships\">\
        <sheets><sheet name=\"Data return\" sheetId=\"1\" r:id=\"rId1\"/></sheets></workbook>";
    let workbook_rels = "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>\n\
        <Relationships xmlns=\"http://schemas.openxmlformats.org/package/2006/relationships\">\
        <Relationship Id=\"rId1\" Type=\"http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet\" Target=\"worksheets/sheet1.xml\"/>\
        </Relationships>";
    let sheet = sheet(r);
    zip_stored(&[
        ("[Content_Types].xml", content_types.as_bytes()),
        ("_rels/.rels", rels.as_bytes()),
        ("xl/workbook.xml", workbook.as_bytes()),
        ("xl/_rels/workbook.xml.rels", workbook_rels.as_bytes()),
        ("xl/worksheets/sheet1.xml", sheet.as_bytes()),
    ])
}

/// CRC-32 (IEEE), bit by bit: the files are small.
fn crc32(data: &[u8]) -> u32 {
    let mut crc = 0xFFFF_FFFFu32;
    for &byte in data {
        crc ^= byte as u32;
        for _ in 0..8 {
            crc = if crc & 1 == 1 {
                (crc >> 1) ^ 0xEDB8_8320
            } else {
                crc >> 1
            };
        }
    }
    !crc
}

/// A ZIP archive of stored (uncompressed) entries, dated 1 January 1980.
fn zip_stored(files: &[(&str, &[u8])]) -> Vec<u8> {
    fn u16le(out: &mut Vec<u8>, v: u16) {
        out.extend_from_slice(&v.to_le_bytes());
    }
    fn u32le(out: &mut Vec<u8>, v: u32) {
        out.extend_from_slice(&v.to_le_bytes());
    }
    const DATE_1980: u16 = 0x21;
    let mut out = Vec::new();
    let mut central = Vec::new();
    for (name, data) in files {
        let offset = out.len() as u32;
        let crc = crc32(data);
        let size = data.len() as u32;
        u32le(&mut out, 0x0403_4b50);
        for v in [20u16, 0, 0, 0, DATE_1980] {
            u16le(&mut out, v);
        }
        for v in [crc, size, size] {
            u32le(&mut out, v);
        }
        u16le(&mut out, name.len() as u16);
        u16le(&mut out, 0);
        out.extend_from_slice(name.as_bytes());
        out.extend_from_slice(data);

        u32le(&mut central, 0x0201_4b50);
        for v in [20u16, 20, 0, 0, 0, DATE_1980] {
            u16le(&mut central, v);
        }
        for v in [crc, size, size] {
            u32le(&mut central, v);
        }
        for v in [name.len() as u16, 0, 0, 0, 0] {
            u16le(&mut central, v);
        }
        u32le(&mut central, 0);
        u32le(&mut central, offset);
        central.extend_from_slice(name.as_bytes());
    }
    let central_offset = out.len() as u32;
    let central_size = central.len() as u32;
    out.extend_from_slice(&central);
    u32le(&mut out, 0x0605_4b50);
    for v in [0u16, 0, files.len() as u16, files.len() as u16] {
        u16le(&mut out, v);
    }
    u32le(&mut out, central_size);
    u32le(&mut out, central_offset);
    u16le(&mut out, 0);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn crc32_is_the_ieee_one() {
        assert_eq!(crc32(b"123456789"), 0xCBF4_3926);
    }

    #[test]
    fn csv_fields_are_quoted_when_they_need_it() {
        assert_eq!(csv_field("Pupils, all"), "\"Pupils, all\"");
        assert_eq!(csv_field("plain"), "plain");
    }
}
