//! Charts drawn on the server as SVG (decision 0092): a horizontal bar chart, and the chart as a
//! page shows it, with its title, a sentence saying what it shows, and the table it was drawn
//! from, so that a screen reader, a printer and a phone get the same facts with no script.

/// One bar: its label, its value (a count or pence: only the lengths compare them) and the
/// value as the page writes it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Bar {
    pub label: String,
    pub value: i64,
    pub shown: String,
}

impl Bar {
    pub fn new(label: impl Into<String>, value: i64, shown: impl Into<String>) -> Bar {
        Bar {
            label: label.into(),
            value,
            shown: shown.into(),
        }
    }
}

/// A chart as a page shows it: the SVG, a summary in words, and its data as a table (the first
/// column heads each row).
#[derive(Clone, Debug)]
pub struct Chart {
    pub id: String,
    pub title: String,
    pub summary: String,
    pub svg: String,
    pub columns: Vec<String>,
    pub rows: Vec<Vec<String>>,
}

impl Chart {
    /// A bar chart whose table is its bars: the label and the value as shown.
    pub fn bars(id: &str, title: &str, summary: String, columns: [&str; 2], bars: &[Bar]) -> Chart {
        let rows = bars.iter().map(|b| vec![b.label.clone(), b.shown.clone()]).collect();
        Chart::bars_with_table(
            id,
            title,
            summary,
            bars,
            columns.iter().map(|c| (*c).to_owned()).collect(),
            rows,
        )
    }

    /// A bar chart drawn from `bars` whose table has more columns than the bars show.
    pub fn bars_with_table(
        id: &str,
        title: &str,
        summary: String,
        bars: &[Bar],
        columns: Vec<String>,
        rows: Vec<Vec<String>>,
    ) -> Chart {
        Chart {
            id: id.to_owned(),
            title: title.to_owned(),
            svg: bar_chart(id, title, &summary, bars),
            summary,
            columns,
            rows,
        }
    }
}

/// The drawing's width in its own units; the SVG scales to the width it is given, and this
/// narrow a drawing keeps its words readable on a 390 px phone.
const WIDTH: i64 = 400;
const ROW: i64 = 44;
const BAR: i64 = 16;
/// Room after the longest bar for its value.
const VALUE_ROOM: i64 = 110;

/// A horizontal bar chart: each bar's label on a line of its own above the bar, so long school
/// names never run into the bars, and the value after the bar's end. The SVG names itself by
/// its `<title>` and `<desc>` (the summary).
pub fn bar_chart(id: &str, title: &str, summary: &str, bars: &[Bar]) -> String {
    let height = (bars.len() as i64 * ROW).max(ROW);
    let max = bars.iter().map(|b| b.value).max().unwrap_or(0).max(1);
    let room = WIDTH - VALUE_ROOM;
    let mut out = format!(
        "<svg class=\"chart-svg\" xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 {WIDTH} {height}\" \
         width=\"100%\" role=\"img\" aria-labelledby=\"{id}-title {id}-desc\" preserveAspectRatio=\"xMinYMin meet\">\
         <title id=\"{id}-title\">{}</title><desc id=\"{id}-desc\">{}</desc>",
        escape(title),
        escape(summary)
    );
    if bars.is_empty() {
        out.push_str(&format!(
            "<text x=\"0\" y=\"{}\" class=\"chart-label\">Nothing to show yet</text>",
            ROW / 2
        ));
    }
    for (i, bar) in bars.iter().enumerate() {
        let top = i as i64 * ROW;
        let length = if bar.value <= 0 {
            0
        } else {
            // At least a sliver, so a small value is not drawn as none.
            (bar.value.saturating_mul(room) / max).max(2)
        };
        out.push_str(&format!(
            "<text x=\"0\" y=\"{}\" class=\"chart-label\">{}</text>\
             <rect x=\"0\" y=\"{}\" width=\"{length}\" height=\"{BAR}\" class=\"chart-bar\"/>\
             <text x=\"{}\" y=\"{}\" class=\"chart-value\">{}</text>",
            top + 16,
            escape(&shortened(&bar.label)),
            top + 22,
            length + 6,
            top + 22 + BAR - 3,
            escape(&bar.shown),
        ));
    }
    out.push_str("</svg>");
    out
}

/// The longest label the drawing's width holds at its font size; a longer one is cut with an
/// ellipsis in the drawing only (the table beside it keeps the whole).
const LABEL_CHARS: usize = 46;

fn shortened(label: &str) -> String {
    if label.chars().count() <= LABEL_CHARS {
        label.to_owned()
    } else {
        let cut: String = label.chars().take(LABEL_CHARS - 1).collect();
        format!("{}…", cut.trim_end())
    }
}

/// Text made safe inside SVG (and HTML) markup.
pub(crate) fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn widths(svg: &str) -> Vec<i64> {
        svg.split("<rect ")
            .skip(1)
            .map(|r| {
                let w = &r[r.find("width=\"").unwrap() + 7..];
                w[..w.find('"').unwrap()].parse().unwrap()
            })
            .collect()
    }

    #[test]
    fn bars_are_drawn_to_scale_with_the_longest_filling_the_room() {
        let bars = [
            Bar::new("Violin", 10, "10"),
            Bar::new("Flute", 5, "5"),
            Bar::new("Harp", 0, "0"),
        ];
        let svg = bar_chart("c", "Pupils by instrument", "Violin has most.", &bars);
        assert_eq!(widths(&svg), vec![WIDTH - VALUE_ROOM, (WIDTH - VALUE_ROOM) / 2, 0]);
        assert!(svg.starts_with("<svg "));
        assert!(svg.ends_with("</svg>"));
        assert!(svg.contains("viewBox=\"0 0 400 132\""), "{svg}");
    }

    #[test]
    fn a_chart_names_itself_and_escapes_its_words() {
        let svg = bar_chart(
            "waiting",
            "Waiting <lists>",
            "Pupils & places",
            &[Bar::new("St Mary's \"C\" School", 1, "1")],
        );
        assert!(svg.contains("role=\"img\" aria-labelledby=\"waiting-title waiting-desc\""));
        assert!(svg.contains("<title id=\"waiting-title\">Waiting &lt;lists&gt;</title>"));
        assert!(svg.contains("<desc id=\"waiting-desc\">Pupils &amp; places</desc>"));
        assert!(svg.contains("St Mary&#39;s &quot;C&quot; School"));
        assert!(!svg.contains("style="), "the page's CSP allows no inline styles");
    }

    #[test]
    fn a_tiny_value_still_shows_and_no_bars_says_so() {
        let svg = bar_chart(
            "t",
            "T",
            "S",
            &[Bar::new("Big", 1_000_000, "a"), Bar::new("Small", 1, "b")],
        );
        assert_eq!(widths(&svg)[1], 2);
        let empty = bar_chart("e", "E", "S", &[]);
        assert!(empty.contains("Nothing to show yet"));
        assert!(widths(&empty).is_empty());
    }

    #[test]
    fn a_long_label_is_cut_in_the_drawing_but_not_in_the_table() {
        let name = "The Very Long Named Church of England Voluntary Aided Primary School";
        let chart = Chart::bars("c", "T", "S".into(), ["School", "Pupils"], &[Bar::new(name, 1, "1")]);
        assert!(!chart.svg.contains(name));
        assert!(
            chart.svg.contains("The Very Long Named Church of England Volunta…"),
            "{}",
            chart.svg
        );
        assert_eq!(chart.rows[0][0], name);
    }

    #[test]
    fn a_charts_table_is_its_bars() {
        let chart = Chart::bars(
            "c",
            "Title",
            "Summary".into(),
            ["Instrument", "Pupils"],
            &[Bar::new("Violin", 3, "3")],
        );
        assert_eq!(chart.columns, vec!["Instrument", "Pupils"]);
        assert_eq!(chart.rows, vec![vec!["Violin".to_owned(), "3".to_owned()]]);
        assert!(chart.svg.contains("Violin"));
    }
}
