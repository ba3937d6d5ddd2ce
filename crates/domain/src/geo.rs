//! Where a school is: an optional latitude and longitude (WGS84) held as whole millionths of
//! a degree, read from decimal degrees, and the simple projection the take-up map draws them
//! with (decision 0096). No external map: the points are placed within their own bounding box.

use std::fmt;

/// A decimal with at most `places` decimals as a whole number of 10^-places, or None.
pub fn parse_fixed(text: &str, places: u32) -> Option<i64> {
    let text = text.trim();
    let (negative, digits) = match text.strip_prefix('-') {
        Some(rest) => (true, rest),
        None => (false, text.strip_prefix('+').unwrap_or(text)),
    };
    let (whole, fraction) = digits.split_once('.').unwrap_or((digits, ""));
    if (whole.is_empty() && fraction.is_empty())
        || fraction.len() > places as usize
        || !whole.chars().chain(fraction.chars()).all(|c| c.is_ascii_digit())
        || whole.len() > 6
    {
        return None;
    }
    let whole: i64 = if whole.is_empty() { 0 } else { whole.parse().ok()? };
    let scale = 10i64.pow(places);
    let mut frac: i64 = if fraction.is_empty() { 0 } else { fraction.parse().ok()? };
    frac *= 10i64.pow(places - fraction.len() as u32);
    let value = whole * scale + frac;
    Some(if negative { -value } else { value })
}

/// A whole number of 10^-places written as a decimal with trailing zeros dropped.
pub fn format_fixed(value: i64, places: u32) -> String {
    let scale = 10i64.pow(places);
    let sign = if value < 0 { "-" } else { "" };
    let (whole, frac) = (value.abs() / scale, value.abs() % scale);
    if frac == 0 {
        return format!("{sign}{whole}");
    }
    let frac = format!("{frac:0width$}", width = places as usize);
    format!("{sign}{whole}.{}", frac.trim_end_matches('0'))
}

/// Decimals kept: a millionth of a degree is about 11 cm.
const PLACES: u32 = 6;

/// A latitude, -90 to 90 degrees, in millionths.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Latitude(i32);

/// A longitude, -180 to 180 degrees, in millionths.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Longitude(i32);

/// A latitude or longitude that is not a number of degrees in range.
#[derive(Clone, Copy, Debug, PartialEq, Eq, thiserror::Error)]
pub enum CoordinateError {
    #[error("Enter the latitude in decimal degrees, from -90 to 90, for example 54.7761")]
    Latitude,
    #[error("Enter the longitude in decimal degrees, from -180 to 180, for example -1.5733")]
    Longitude,
}

fn degrees(text: &str, limit: i64) -> Option<i32> {
    let value = parse_fixed(text, PLACES)?;
    (value.abs() <= limit * 1_000_000).then_some(value as i32)
}

impl Latitude {
    pub fn parse(text: &str) -> Result<Latitude, CoordinateError> {
        degrees(text, 90).map(Latitude).ok_or(CoordinateError::Latitude)
    }
    pub fn from_micro(micro: i32) -> Option<Latitude> {
        (micro.unsigned_abs() <= 90_000_000).then_some(Latitude(micro))
    }
    pub fn micro(self) -> i32 {
        self.0
    }
}

impl Longitude {
    pub fn parse(text: &str) -> Result<Longitude, CoordinateError> {
        degrees(text, 180).map(Longitude).ok_or(CoordinateError::Longitude)
    }
    pub fn from_micro(micro: i32) -> Option<Longitude> {
        (micro.unsigned_abs() <= 180_000_000).then_some(Longitude(micro))
    }
    pub fn micro(self) -> i32 {
        self.0
    }
}

impl fmt::Display for Latitude {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&format_fixed(self.0.into(), PLACES))
    }
}

impl fmt::Display for Longitude {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&format_fixed(self.0.into(), PLACES))
    }
}

/// A point placed on a drawing `width` by `height`, inside `margin`: the places' bounding
/// box fills it, east to the right and north up, with longitude shrunk by the cosine of the
/// box's middle latitude so that a county keeps its shape (an equirectangular projection,
/// good enough for one hub's area). One place, or places all at one point, go in the middle.
pub fn project(points: &[(Latitude, Longitude)], width: f64, height: f64, margin: f64) -> Vec<(f64, f64)> {
    if points.is_empty() {
        return Vec::new();
    }
    let lat = |p: &(Latitude, Longitude)| f64::from(p.0.0) / 1e6;
    let lon = |p: &(Latitude, Longitude)| f64::from(p.1.0) / 1e6;
    let (mut south, mut north) = (f64::MAX, f64::MIN);
    let (mut west, mut east) = (f64::MAX, f64::MIN);
    for p in points {
        south = south.min(lat(p));
        north = north.max(lat(p));
        west = west.min(lon(p));
        east = east.max(lon(p));
    }
    let shrink = ((south + north) / 2.0).to_radians().cos().max(0.01);
    let span_x = (east - west) * shrink;
    let span_y = north - south;
    let (inner_w, inner_h) = ((width - 2.0 * margin).max(1.0), (height - 2.0 * margin).max(1.0));
    let span = (span_x / inner_w).max(span_y / inner_h);
    points
        .iter()
        .map(|p| {
            if span <= 0.0 {
                return (width / 2.0, height / 2.0);
            }
            // Centred in whichever direction the box does not fill.
            let x = margin + (inner_w - span_x / span) / 2.0 + (lon(p) - west) * shrink / span;
            let y = margin + (inner_h - span_y / span) / 2.0 + (north - lat(p)) / span;
            (x, y)
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn degrees_read_to_millionths_within_range() {
        assert_eq!(Latitude::parse("54.7761").unwrap().micro(), 54_776_100);
        assert_eq!(Longitude::parse("-1.5733").unwrap().micro(), -1_573_300);
        assert_eq!(Longitude::parse(" 180 ").unwrap().micro(), 180_000_000);
        assert_eq!(Latitude::parse("-.5").unwrap().micro(), -500_000);
        for bad in ["", "91", "-90.000001", "54.1234567", "north", "1e3", "54,7", "-"] {
            assert_eq!(Latitude::parse(bad), Err(CoordinateError::Latitude), "{bad:?}");
        }
        assert_eq!(Longitude::parse("180.5"), Err(CoordinateError::Longitude));
        assert_eq!(Latitude::parse("54.7761").unwrap().to_string(), "54.7761");
        assert_eq!(Longitude::parse("-1.5").unwrap().to_string(), "-1.5");
        assert_eq!(Latitude::parse("-0.25").unwrap().to_string(), "-0.25");
    }

    #[test]
    fn fixed_point_round_trips() {
        assert_eq!(parse_fixed("0.6", 2), Some(60));
        assert_eq!(parse_fixed("1", 2), Some(100));
        assert_eq!(parse_fixed("0.125", 2), None);
        assert_eq!(format_fixed(60, 2), "0.6");
        assert_eq!(format_fixed(4235, 2), "42.35");
        assert_eq!(format_fixed(100, 2), "1");
    }

    #[test]
    fn the_bounding_box_fills_the_drawing_north_up() {
        let p = |lat: &str, lon: &str| (Latitude::parse(lat).unwrap(), Longitude::parse(lon).unwrap());
        // A box taller than wide: it fills the height, centred across.
        let placed = project(&[p("55", "-1"), p("54", "-1"), p("54.5", "-1.1")], 400.0, 300.0, 20.0);
        assert_eq!(placed[0].1, 20.0, "the north edge at the top margin");
        assert_eq!(placed[1].1, 280.0, "the south edge at the bottom");
        assert!(placed[2].0 < placed[0].0, "west is left");
        assert!(placed.iter().all(|(x, _)| (20.0..=380.0).contains(x)));
        // One place goes in the middle.
        assert_eq!(project(&[p("54", "-1")], 400.0, 300.0, 20.0), vec![(200.0, 150.0)]);
        assert!(project(&[], 400.0, 300.0, 20.0).is_empty());
    }
}
