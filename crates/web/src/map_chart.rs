//! The take-up map (decision 0096): each school with a recorded location drawn as a point,
//! placed by a simple projection of the schools' own bounding box (`tutti_domain::geo`), its
//! size and shade by the pupils taught there, with a `<title>` each; returned as a
//! [`Chart`] so the page shows it with its summary and the table it was drawn from. No tiles,
//! no outline of anywhere, no script.
use tutti_domain::geo::{Latitude, Longitude, project};

use crate::charts::{Chart, escape};
use crate::format::count;

const WIDTH: f64 = 400.0;
const HEIGHT: f64 = 320.0;
const MARGIN: f64 = 16.0;
const SMALLEST: f64 = 3.0;
const LARGEST: f64 = 12.0;

/// A school as the map reads it.
pub struct Place {
    pub name: String,
    pub area: String,
    pub pupils: i64,
    pub at: Option<(Latitude, Longitude)>,
}

/// The map and the names of the places it could not draw (no location recorded).
pub fn take_up_map(id: &str, title: &str, places: &[Place]) -> (Chart, Vec<String>) {
    let (mapped, unmapped): (Vec<&Place>, Vec<&Place>) = places.iter().partition(|p| p.at.is_some());
    let not_on_map: Vec<String> = unmapped.iter().map(|p| p.name.clone()).collect();
    let summary = match mapped.iter().max_by_key(|p| p.pupils) {
        Some(most) => format!(
            "{} placed by where they are, larger and darker for more pupils taught; {} has the most ({}).{}",
            if mapped.len() == 1 {
                "1 school".to_owned()
            } else {
                format!("{} schools", count(mapped.len() as i64))
            },
            most.name,
            count(most.pupils),
            if not_on_map.is_empty() {
                String::new()
            } else {
                match not_on_map.len() {
                    1 => " 1 more has no location recorded.".to_owned(),
                    n => format!(" {} more have no location recorded.", count(n as i64)),
                }
            }
        ),
        None => "No school with pupils taught has a location recorded, so there is no map yet.".to_owned(),
    };
    let mut svg = format!(
        "<svg class=\"chart-svg map-svg\" xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 {WIDTH} {HEIGHT}\" \
         width=\"100%\" role=\"img\" aria-labelledby=\"{id}-title {id}-desc\" preserveAspectRatio=\"xMinYMin meet\">\
         <title id=\"{id}-title\">{}</title><desc id=\"{id}-desc\">{}</desc>\
         <rect x=\"0.5\" y=\"0.5\" width=\"{}\" height=\"{}\" class=\"map-frame\" fill=\"none\" stroke=\"currentColor\" \
         stroke-opacity=\"0.3\"/>",
        escape(title),
        escape(&summary),
        WIDTH - 1.0,
        HEIGHT - 1.0
    );
    if mapped.is_empty() {
        svg.push_str(&format!(
            "<text x=\"{}\" y=\"{}\" text-anchor=\"middle\" class=\"chart-label\">No school has a location yet</text>",
            WIDTH / 2.0,
            HEIGHT / 2.0
        ));
    } else {
        svg.push_str(&format!(
            "<text x=\"{}\" y=\"14\" text-anchor=\"end\" class=\"chart-label\">N ↑</text>",
            WIDTH - 8.0
        ));
    }
    let points = project(
        &mapped.iter().filter_map(|p| p.at).collect::<Vec<_>>(),
        WIDTH,
        HEIGHT,
        MARGIN + LARGEST,
    );
    let most = mapped.iter().map(|p| p.pupils).max().unwrap_or(0).max(1) as f64;
    // The largest first, so that a small school near a big one is drawn on top of it.
    let mut order: Vec<usize> = (0..mapped.len()).collect();
    order.sort_by_key(|&i| std::cmp::Reverse(mapped[i].pupils));
    for i in order {
        let (place, (x, y)) = (mapped[i], points[i]);
        let share = (place.pupils.max(0) as f64 / most).sqrt();
        let r = SMALLEST + (LARGEST - SMALLEST) * share;
        svg.push_str(&format!(
            "<circle cx=\"{x:.1}\" cy=\"{y:.1}\" r=\"{r:.1}\" class=\"map-point\" fill=\"currentColor\" \
             fill-opacity=\"{:.2}\" stroke=\"currentColor\" stroke-width=\"0.5\" data-school=\"{}\">\
             <title>{}: {}</title></circle>",
            0.25 + 0.6 * share,
            escape(&place.name),
            escape(&place.name),
            pupils_words(place.pupils),
        ));
    }
    svg.push_str("</svg>");
    let rows = mapped
        .iter()
        .map(|p| {
            let (lat, lon) = p.at.expect("mapped");
            vec![
                p.name.clone(),
                p.area.clone(),
                count(p.pupils),
                lat.to_string(),
                lon.to_string(),
            ]
        })
        .collect();
    let chart = Chart {
        id: id.to_owned(),
        title: title.to_owned(),
        summary,
        svg,
        columns: ["School", "Area", "Pupils", "Latitude", "Longitude"]
            .iter()
            .map(|c| (*c).to_owned())
            .collect(),
        rows,
    };
    (chart, not_on_map)
}

fn pupils_words(n: i64) -> String {
    format!("{} {}", count(n), if n == 1 { "pupil" } else { "pupils" })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn place(name: &str, pupils: i64, at: Option<(&str, &str)>) -> Place {
        Place {
            name: name.into(),
            area: "North".into(),
            pupils,
            at: at.map(|(a, b)| (Latitude::parse(a).unwrap(), Longitude::parse(b).unwrap())),
        }
    }

    fn radius(svg: &str, school: &str) -> f64 {
        let at = svg.find(&format!("data-school=\"{school}\"")).unwrap();
        let circle = &svg[svg[..at].rfind("<circle").unwrap()..at];
        let r = &circle[circle.find(" r=\"").unwrap() + 4..];
        r[..r.find('"').unwrap()].parse().unwrap()
    }

    #[test]
    fn each_located_school_is_a_point_sized_by_its_pupils_and_in_the_table() {
        let (chart, missing) = take_up_map(
            "m",
            "Take-up map",
            &[
                place("Big & Co", 40, Some(("54.8", "-1.6"))),
                place("Small", 10, Some(("54.6", "-1.9"))),
                place("Nowhere", 5, None),
            ],
        );
        assert_eq!(chart.svg.matches("<circle").count(), 2);
        assert!(chart.svg.contains("<title>Big &amp; Co: 40 pupils</title>"));
        assert!(chart.svg.contains("<title>Small: 10 pupils</title>"));
        assert_eq!(radius(&chart.svg, "Big &amp; Co"), LARGEST);
        assert_eq!(radius(&chart.svg, "Small"), SMALLEST + (LARGEST - SMALLEST) * 0.5);
        assert_eq!(missing, vec!["Nowhere".to_owned()]);
        assert_eq!(chart.rows.len(), 2);
        assert_eq!(chart.rows[0], vec!["Big & Co", "North", "40", "54.8", "-1.6"]);
        assert!(chart.summary.contains("1 more has no location"), "{}", chart.summary);
        assert!(!chart.svg.contains("style="), "the CSP allows no inline styles");
    }

    #[test]
    fn no_location_is_an_empty_map_that_says_so() {
        let (chart, missing) = take_up_map("m", "Map", &[place("Nowhere", 5, None)]);
        assert!(chart.svg.contains("No school has a location yet"));
        assert!(!chart.svg.contains("<circle"));
        assert!(chart.rows.is_empty());
        assert_eq!(missing.len(), 1);
        assert!(chart.summary.starts_with("No school"));
    }
}
