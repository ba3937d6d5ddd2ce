//! Invoices as PDF, written by hand: PDF 1.4 text in the standard Helvetica fonts, which every
//! reader has, so nothing is embedded and no PDF crate is needed (docs/decisions/0048-invoice-pdf.md).
use tutti_domain::Pence;
use tutti_store::money::payments::invoices::InvoiceDocument;

const PAGE_WIDTH: f32 = 595.0; // A4 in points
const PAGE_HEIGHT: f32 = 842.0;
const MARGIN: f32 = 50.0;
const RIGHT: f32 = PAGE_WIDTH - MARGIN;

/// One piece of text placed on a page.
struct Text {
    x: f32,
    y: f32,
    size: f32,
    bold: bool,
    right_aligned: bool,
    text: String,
}

/// Lays text out top to bottom, starting a new page when one is full.
struct Layout {
    pages: Vec<Vec<Text>>,
    y: f32,
}

impl Layout {
    fn new() -> Layout {
        Layout {
            pages: vec![Vec::new()],
            y: PAGE_HEIGHT - MARGIN,
        }
    }

    fn line(&mut self, size: f32, bold: bool, left: &str, right: Option<&str>) {
        if self.y < MARGIN + size {
            self.pages.push(Vec::new());
            self.y = PAGE_HEIGHT - MARGIN;
        }
        self.y -= size * 1.4;
        let page = self.pages.last_mut().expect("there is always a page");
        page.push(Text {
            x: MARGIN,
            y: self.y,
            size,
            bold,
            right_aligned: false,
            text: left.to_owned(),
        });
        if let Some(r) = right {
            page.push(Text {
                x: RIGHT,
                y: self.y,
                size,
                bold,
                right_aligned: true,
                text: r.to_owned(),
            });
        }
    }

    fn gap(&mut self) {
        self.y -= 8.0;
    }
}

/// Helvetica's advance widths (per 1000 units of the font size) for what right-aligned
/// columns hold: amounts and dates. Anything else is given an average width.
fn glyph_width(c: char, bold: bool) -> f32 {
    match c {
        '0'..='9' | '£' | '$' => 556.0,
        '.' | ',' | ' ' | '/' => 278.0,
        '-' => 333.0,
        _ if bold => 611.0,
        _ => 556.0,
    }
}

fn text_width(text: &str, size: f32, bold: bool) -> f32 {
    text.chars().map(|c| glyph_width(c, bold)).sum::<f32>() * size / 1000.0
}

/// Text as a PDF string in WinAnsiEncoding: the pound sign is byte 0xA3; characters the
/// standard fonts cannot show become "?"; brackets and backslashes are escaped.
fn pdf_string(text: &str) -> Vec<u8> {
    let mut out = vec![b'('];
    for c in text.chars() {
        match c {
            '(' | ')' | '\\' => {
                out.push(b'\\');
                out.push(c as u8);
            }
            ' '..='~' => out.push(c as u8),
            '£' => out.push(0xA3),
            '€' => out.push(0x80),
            '\u{2013}' | '\u{2014}' => out.push(b'-'),
            c if (c as u32) >= 0xA0 && (c as u32) <= 0xFF => out.push(c as u32 as u8),
            _ => out.push(b'?'),
        }
    }
    out.push(b')');
    out
}

fn content_stream(texts: &[Text]) -> Vec<u8> {
    let mut out = Vec::new();
    for t in texts {
        let x = if t.right_aligned {
            t.x - text_width(&t.text, t.size, t.bold)
        } else {
            t.x
        };
        let font = if t.bold { "F2" } else { "F1" };
        out.extend_from_slice(format!("BT /{font} {:.1} Tf {x:.2} {:.2} Td ", t.size, t.y).as_bytes());
        out.extend_from_slice(&pdf_string(&t.text));
        out.extend_from_slice(b" Tj ET\n");
    }
    out
}

/// Assembles the objects into a PDF file with its cross-reference table.
fn assemble(pages: &[Vec<Text>]) -> Vec<u8> {
    // Objects: 1 catalog, 2 page tree, 3 Helvetica, 4 Helvetica-Bold, then a page and its
    // content stream for each page.
    let mut objects: Vec<Vec<u8>> = Vec::new();
    objects.push(b"<< /Type /Catalog /Pages 2 0 R >>".to_vec());
    let kids: Vec<String> = (0..pages.len()).map(|i| format!("{} 0 R", 5 + 2 * i)).collect();
    objects.push(format!("<< /Type /Pages /Kids [{}] /Count {} >>", kids.join(" "), pages.len()).into_bytes());
    for name in ["Helvetica", "Helvetica-Bold"] {
        objects.push(
            format!("<< /Type /Font /Subtype /Type1 /BaseFont /{name} /Encoding /WinAnsiEncoding >>").into_bytes(),
        );
    }
    for (i, page) in pages.iter().enumerate() {
        objects.push(
            format!(
                "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 {PAGE_WIDTH} {PAGE_HEIGHT}] \
                 /Resources << /Font << /F1 3 0 R /F2 4 0 R >> >> /Contents {} 0 R >>",
                6 + 2 * i
            )
            .into_bytes(),
        );
        let stream = content_stream(page);
        let mut obj = format!("<< /Length {} >>\nstream\n", stream.len()).into_bytes();
        obj.extend_from_slice(&stream);
        obj.extend_from_slice(b"endstream");
        objects.push(obj);
    }
    let mut out = b"%PDF-1.4\n%\xE2\xE3\xCF\xD3\n".to_vec();
    let mut offsets = Vec::with_capacity(objects.len());
    for (i, obj) in objects.iter().enumerate() {
        offsets.push(out.len());
        out.extend_from_slice(format!("{} 0 obj\n", i + 1).as_bytes());
        out.extend_from_slice(obj);
        out.extend_from_slice(b"\nendobj\n");
    }
    let xref = out.len();
    out.extend_from_slice(format!("xref\n0 {}\n0000000000 65535 f \n", objects.len() + 1).as_bytes());
    for offset in offsets {
        out.extend_from_slice(format!("{offset:010} 00000 n \n").as_bytes());
    }
    out.extend_from_slice(
        format!(
            "trailer\n<< /Size {} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n",
            objects.len() + 1
        )
        .as_bytes(),
    );
    out
}

/// The invoice as a PDF: its lines (each with the rule that gave its amount), totals,
/// instalments and payments.
pub fn invoice_pdf(hub_name: &str, doc: &InvoiceDocument) -> Vec<u8> {
    let a = &doc.account;
    let mut l = Layout::new();
    l.line(18.0, true, hub_name, None);
    l.gap();
    l.line(14.0, true, &format!("Invoice {}", a.number), None);
    l.line(10.0, false, &format!("To: {}", a.payer_name), None);
    l.line(10.0, false, &format!("Term: {}", a.term), None);
    l.line(
        10.0,
        false,
        &format!("Issued: {}", crate::format::short_day(a.issued_on)),
        None,
    );
    l.gap();
    l.line(10.0, true, "Charge", Some("Amount"));
    for line in &doc.lines {
        l.line(
            10.0,
            false,
            &if line.pupil_name.is_empty() {
                // A school's programme line is for no one pupil.
                line.description.clone()
            } else {
                format!("{}: {}", line.pupil_name, line.description)
            },
            Some(&Pence(line.amount_pence).to_string()),
        );
        l.line(8.0, false, &format!("    {}", line.rule), None);
    }
    l.gap();
    l.line(10.0, true, "Total", Some(&Pence(a.total_pence).to_string()));
    if !doc.payments.is_empty() {
        l.gap();
        l.line(10.0, true, "Paid and credited", None);
        for p in &doc.payments {
            l.line(
                10.0,
                false,
                &format!("{} {} {}", crate::format::short_day(p.received_on), p.kind, p.reference),
                Some(&Pence(-p.amount_pence).to_string()),
            );
        }
    }
    l.line(12.0, true, "Left to pay", Some(&a.balance().to_string()));
    if !doc.instalments.is_empty() {
        l.gap();
        l.line(10.0, true, "Instalments", None);
        for i in &doc.instalments {
            l.line(
                10.0,
                false,
                &format!(
                    "{}. due by {} ({})",
                    i.number,
                    crate::format::short_day(i.due_on),
                    i.status
                ),
                Some(&Pence(i.amount_pence).to_string()),
            );
        }
        l.line(
            8.0,
            false,
            "If an instalment is missed, the remaining instalments are cancelled and the whole balance is due.",
            None,
        );
    }
    assemble(&l.pages)
}

/// A certificate of CPD attendance as a PDF, in the same hand-written way as invoices
/// (decision 0086): who attended what, when, and for how long.
pub fn cpd_certificate_pdf(
    hub_name: &str,
    staff_name: &str,
    title: &str,
    attended_on: time::Date,
    minutes: i32,
) -> Vec<u8> {
    let mut l = Layout::new();
    l.line(18.0, true, hub_name, None);
    l.gap();
    l.gap();
    l.line(22.0, true, "Certificate of attendance", None);
    l.gap();
    l.line(12.0, false, "This is to certify that", None);
    l.line(16.0, true, staff_name, None);
    l.line(12.0, false, "attended the professional development course", None);
    l.line(16.0, true, title, None);
    l.line(
        12.0,
        false,
        &format!("on {}", crate::format::long_day(attended_on)),
        None,
    );
    l.line(
        12.0,
        false,
        &format!("for {} hours {} minutes.", minutes / 60, minutes % 60),
        None,
    );
    assemble(&l.pages)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_pdf_has_a_correct_cross_reference_table() {
        let mut l = Layout::new();
        for n in 0..80 {
            l.line(
                10.0,
                false,
                &format!("Line {n} (with brackets) costs £1.00"),
                Some("£1.00"),
            );
        }
        assert_eq!(l.pages.len(), 2, "80 lines need a second page");
        let pdf = assemble(&l.pages);
        let text = String::from_utf8_lossy(&pdf);
        assert!(text.starts_with("%PDF-1.4"));
        assert!(text.ends_with("%%EOF\n"));
        // Every offset in the table points at its object.
        let xref_at: usize = text
            .rsplit("startxref\n")
            .next()
            .unwrap()
            .lines()
            .next()
            .unwrap()
            .parse()
            .unwrap();
        let table = &text[xref_at..];
        for (n, entry) in table.lines().skip(3).take_while(|l| l.ends_with(" n ")).enumerate() {
            let offset: usize = entry[..10].parse().unwrap();
            assert!(
                text[offset..].starts_with(&format!("{} 0 obj", n + 1)),
                "object {} is not at {offset}",
                n + 1
            );
        }
        assert!(
            pdf.windows(6).any(|w| w == b"(\xA31.00"),
            "the pound sign is WinAnsi 0xA3"
        );
        assert!(text.contains("\\(with brackets\\)"));
    }
}
