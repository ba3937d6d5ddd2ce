//! Money: integer pence, percentages with explicit rounding, and splits whose pennies always add up.
//!
//! Amounts are [`Pence`], an `i64` count of pennies. There is no floating point anywhere in
//! this module. Every operation that could lose a fraction of a penny takes a [`Rounding`]
//! mode or documents the one it uses, and [`split_by_weights`] always returns parts that add
//! up exactly to the whole.

use std::fmt;
use std::iter::Sum;
use std::ops::{Add, AddAssign, Neg, Sub, SubAssign};
use std::str::FromStr;

use serde::{Deserialize, Serialize};

/// An amount of money in pence (GBP). Serialised as a plain integer number of pence.
///
/// Displays as pounds: `Pence(5350)` is `£53.50`, `Pence(-120)` is `-£1.20`, and
/// `Pence(123450)` is `£1,234.50`. For files (CSV), use [`Pence::to_pounds_string`],
/// which gives `53.50` without the symbol or separators.
///
/// The `+`/`-` operators panic on overflow like ordinary integers (that needs amounts
/// beyond £92 quadrillion); use [`Pence::checked_add`] and [`Pence::checked_sub`] when the
/// inputs are untrusted.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(transparent)]
pub struct Pence(pub i64);

/// Why an amount of money could not be read or computed.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum MoneyError {
    /// The text is not an amount of money at all.
    #[error("Enter an amount in pounds and pence, like 53.50")]
    NotAnAmount,
    /// More than two digits after the decimal point.
    #[error("Enter an amount with no more than 2 decimal places, like 53.50")]
    TooManyDecimalPlaces,
    /// The amount does not fit (more than about £92 quadrillion).
    #[error("The amount is too large")]
    TooLarge,
    /// A split was asked for with no weights, or weights that are all zero.
    #[error("A split needs at least one part with a weight above zero")]
    NoWeights,
}

impl Pence {
    /// Nothing.
    pub const ZERO: Pence = Pence(0);

    /// An amount from a count of pence.
    pub const fn new(pence: i64) -> Pence {
        Pence(pence)
    }

    /// A whole number of pounds.
    pub const fn from_pounds(pounds: i64) -> Pence {
        Pence(pounds * 100)
    }

    /// The amount as a count of pence.
    pub const fn pence(self) -> i64 {
        self.0
    }

    /// True if the amount is below zero (a credit or refund).
    pub const fn is_negative(self) -> bool {
        self.0 < 0
    }

    /// True if the amount is exactly zero.
    pub const fn is_zero(self) -> bool {
        self.0 == 0
    }

    /// Adds, or `None` on overflow.
    pub fn checked_add(self, other: Pence) -> Option<Pence> {
        self.0.checked_add(other.0).map(Pence)
    }

    /// Subtracts, or `None` on overflow.
    pub fn checked_sub(self, other: Pence) -> Option<Pence> {
        self.0.checked_sub(other.0).map(Pence)
    }

    /// Multiplies by a whole number (for example a quantity), or `None` on overflow.
    pub fn checked_mul(self, times: i64) -> Option<Pence> {
        self.0.checked_mul(times).map(Pence)
    }

    /// The smaller of two amounts.
    pub fn min(self, other: Pence) -> Pence {
        Pence(self.0.min(other.0))
    }

    /// The amount, or zero if it is negative.
    pub fn clamp_non_negative(self) -> Pence {
        Pence(self.0.max(0))
    }

    /// Reads pounds written by a person: `"149.99"`, `"£53.50"`, `"53.5"`, `"53"`,
    /// `"1,234.50"`, `"-1.20"`. Surrounding spaces are ignored. More than two decimal
    /// places is an error rather than being rounded, so no penny is ever invented.
    pub fn parse_pounds(text: &str) -> Result<Pence, MoneyError> {
        let mut rest = text.trim();
        let negative = if let Some(r) = rest.strip_prefix('-') {
            rest = r.trim_start();
            true
        } else {
            false
        };
        if let Some(r) = rest.strip_prefix('£') {
            rest = r.trim_start();
        }
        // Accept "£-1.20" as well as "-£1.20", but not two minus signs.
        let negative = if let Some(r) = rest.strip_prefix('-') {
            if negative {
                return Err(MoneyError::NotAnAmount);
            }
            rest = r;
            true
        } else {
            negative
        };
        let (whole, fraction) = match rest.split_once('.') {
            Some((w, f)) => (w, Some(f)),
            None => (rest, None),
        };
        let whole_digits = strip_thousands_separators(whole)?;
        if whole_digits.is_empty() && fraction.is_none_or(str::is_empty) {
            return Err(MoneyError::NotAnAmount);
        }
        let mut pence: i64 = 0;
        for c in whole_digits.chars() {
            let digit = c.to_digit(10).ok_or(MoneyError::NotAnAmount)? as i64;
            pence = pence
                .checked_mul(10)
                .and_then(|p| p.checked_add(digit))
                .ok_or(MoneyError::TooLarge)?;
        }
        pence = pence.checked_mul(100).ok_or(MoneyError::TooLarge)?;
        if let Some(fraction) = fraction {
            if fraction.is_empty() || !fraction.chars().all(|c| c.is_ascii_digit()) {
                return Err(MoneyError::NotAnAmount);
            }
            if fraction.len() > 2 {
                return Err(MoneyError::TooManyDecimalPlaces);
            }
            let mut fraction_pence: i64 = fraction.parse().map_err(|_| MoneyError::NotAnAmount)?;
            if fraction.len() == 1 {
                fraction_pence *= 10;
            }
            pence = pence.checked_add(fraction_pence).ok_or(MoneyError::TooLarge)?;
        }
        Ok(Pence(if negative { -pence } else { pence }))
    }

    /// The amount as plain pounds for a file: `53.50`, `-1.20`, `1234.50` (no `£`, no commas).
    /// [`Pence::parse_pounds`] reads it back exactly.
    pub fn to_pounds_string(self) -> String {
        let sign = if self.0 < 0 { "-" } else { "" };
        let abs = self.0.unsigned_abs();
        format!("{sign}{}.{:02}", abs / 100, abs % 100)
    }

    /// `percent` of this amount, rounded to a whole penny by `rounding`.
    ///
    /// `Pence(5350).percent_of(Percent::whole(50), Rounding::HalfUp)` is `Pence(2675)`.
    pub fn percent_of(self, percent: Percent, rounding: Rounding) -> Pence {
        let numerator = self.0 as i128 * percent.basis_points() as i128;
        Pence(divide_rounded(numerator, 10_000, rounding) as i64)
    }
}

/// Removes `,` thousands separators, insisting they sit in groups of three ("1,234,567").
fn strip_thousands_separators(whole: &str) -> Result<String, MoneyError> {
    if !whole.contains(',') {
        return Ok(whole.to_string());
    }
    let groups: Vec<&str> = whole.split(',').collect();
    let first_ok = !groups[0].is_empty() && groups[0].len() <= 3;
    let rest_ok = groups[1..].iter().all(|g| g.len() == 3);
    if first_ok && rest_ok {
        Ok(groups.concat())
    } else {
        Err(MoneyError::NotAnAmount)
    }
}

/// Divides `numerator` by a positive `denominator`, rounding as asked.
fn divide_rounded(numerator: i128, denominator: i128, rounding: Rounding) -> i128 {
    debug_assert!(denominator > 0);
    let quotient = numerator / denominator; // truncates toward zero
    let remainder = numerator % denominator; // same sign as numerator
    if remainder == 0 {
        return quotient;
    }
    let away = if numerator < 0 { -1 } else { 1 };
    let twice = remainder.abs() * 2;
    let round_away = match rounding {
        Rounding::HalfUp => twice >= denominator,
        Rounding::HalfEven => twice > denominator || (twice == denominator && quotient % 2 != 0),
        Rounding::Down => false,
        Rounding::Up => true,
    };
    if round_away { quotient + away } else { quotient }
}

impl fmt::Display for Pence {
    /// `£53.50`, `-£1.20`, `£1,234.50`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let sign = if self.0 < 0 { "-" } else { "" };
        let abs = self.0.unsigned_abs();
        write!(f, "{sign}£{}.{:02}", grouped(u128::from(abs / 100)), abs % 100)
    }
}

/// "1,234,567": a whole number with a comma between each three digits, as people read
/// counts and pounds.
pub fn grouped(n: u128) -> String {
    let digits = n.to_string();
    let mut out = String::with_capacity(digits.len() + digits.len() / 3);
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

impl FromStr for Pence {
    type Err = MoneyError;
    /// Same as [`Pence::parse_pounds`].
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Pence::parse_pounds(s)
    }
}

impl Add for Pence {
    type Output = Pence;
    fn add(self, rhs: Pence) -> Pence {
        Pence(self.0 + rhs.0)
    }
}

impl Sub for Pence {
    type Output = Pence;
    fn sub(self, rhs: Pence) -> Pence {
        Pence(self.0 - rhs.0)
    }
}

impl AddAssign for Pence {
    fn add_assign(&mut self, rhs: Pence) {
        self.0 += rhs.0;
    }
}

impl SubAssign for Pence {
    fn sub_assign(&mut self, rhs: Pence) {
        self.0 -= rhs.0;
    }
}

impl Neg for Pence {
    type Output = Pence;
    fn neg(self) -> Pence {
        Pence(-self.0)
    }
}

impl Sum for Pence {
    fn sum<I: Iterator<Item = Pence>>(iter: I) -> Pence {
        iter.fold(Pence::ZERO, Add::add)
    }
}

impl<'a> Sum<&'a Pence> for Pence {
    fn sum<I: Iterator<Item = &'a Pence>>(iter: I) -> Pence {
        iter.copied().sum()
    }
}

/// How to round a result that falls between two whole pennies.
///
/// The default is [`Rounding::HalfUp`]: half a penny or more rounds away from zero
/// (so 0.5p becomes 1p and -0.5p becomes -1p), the rule people expect on a bill.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Rounding {
    /// Half a penny or more rounds away from zero. The default.
    #[default]
    HalfUp,
    /// Exactly half rounds to the even penny (banker's rounding); otherwise to the nearest.
    HalfEven,
    /// Always toward zero: never charge a fraction the payer did not owe.
    Down,
    /// Always away from zero.
    Up,
}

/// A percentage held exactly as basis points (hundredths of a percent): 50% is 5000.
///
/// In files it is written as text, `"50%"` or `"12.5%"`; an integer is read as basis points.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(try_from = "PercentRepr", into = "String")]
pub struct Percent(u32);

#[derive(Deserialize)]
#[serde(untagged)]
enum PercentRepr {
    Text(String),
    BasisPoints(u32),
}

impl TryFrom<PercentRepr> for Percent {
    type Error = PercentError;
    fn try_from(value: PercentRepr) -> Result<Self, Self::Error> {
        match value {
            PercentRepr::Text(text) => text.parse(),
            PercentRepr::BasisPoints(bp) => Ok(Percent(bp)),
        }
    }
}

impl From<Percent> for String {
    fn from(value: Percent) -> String {
        value.to_string()
    }
}

/// Why a percentage could not be read.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("Enter a percentage like 50% or 12.5%")]
pub struct PercentError;

impl Percent {
    /// Zero percent.
    pub const ZERO: Percent = Percent(0);
    /// One hundred percent.
    pub const HUNDRED: Percent = Percent(10_000);

    /// A whole percentage: `Percent::whole(15)` is 15%.
    pub const fn whole(percent: u32) -> Percent {
        Percent(percent * 100)
    }

    /// A percentage in basis points: `Percent::from_basis_points(1250)` is 12.5%.
    pub const fn from_basis_points(basis_points: u32) -> Percent {
        Percent(basis_points)
    }

    /// The percentage in basis points (hundredths of a percent).
    pub const fn basis_points(self) -> u32 {
        self.0
    }

    /// True for 0%.
    pub const fn is_zero(self) -> bool {
        self.0 == 0
    }
}

impl fmt::Display for Percent {
    /// `50%`, `12.5%`, `33.33%`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let whole = self.0 / 100;
        let frac = self.0 % 100;
        if frac == 0 {
            write!(f, "{whole}%")
        } else if frac.is_multiple_of(10) {
            write!(f, "{whole}.{}%", frac / 10)
        } else {
            write!(f, "{whole}.{frac:02}%")
        }
    }
}

impl FromStr for Percent {
    type Err = PercentError;
    /// Reads `"50%"`, `"50"`, `"12.5%"`, `"33.33 %"`.
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let t = s.trim();
        let t = t.strip_suffix('%').unwrap_or(t).trim_end();
        let (whole, frac) = t.split_once('.').unwrap_or((t, ""));
        if whole.is_empty()
            || !whole.chars().all(|c| c.is_ascii_digit())
            || !frac.chars().all(|c| c.is_ascii_digit())
            || frac.len() > 2
            || (t.contains('.') && frac.is_empty())
        {
            return Err(PercentError);
        }
        let whole: u32 = whole.parse().map_err(|_| PercentError)?;
        let frac: u32 = match frac.len() {
            0 => 0,
            1 => frac.parse::<u32>().map_err(|_| PercentError)? * 10,
            _ => frac.parse().map_err(|_| PercentError)?,
        };
        whole
            .checked_mul(100)
            .and_then(|w| w.checked_add(frac))
            .map(Percent)
            .ok_or(PercentError)
    }
}

/// Splits `total` into parts in proportion to `weights`, so the parts add up exactly to `total`.
///
/// Each part first gets its exact share rounded toward zero; the pennies left over go one
/// each to the parts with the largest dropped fraction, ties going to the earlier part (the
/// "largest remainder" method). So every part is within one penny of its exact share, and
/// the same inputs always give the same pennies. A negative total is split as its size and
/// then negated, so a credit splits the same way as the matching charge.
///
/// `split_by_weights(Pence(10_000), &[34, 33, 33])` is `[3400, 3300, 3300]`, and
/// `split_by_weights(Pence(100), &[1, 1, 1])` is `[34, 33, 33]`.
///
/// # Panics
/// If `weights` is empty or all zero. Use [`try_split_by_weights`] for weights from input.
pub fn split_by_weights(total: Pence, weights: &[u32]) -> Vec<Pence> {
    try_split_by_weights(total, weights).expect("split_by_weights needs a weight above zero")
}

/// [`split_by_weights`], returning an error instead of panicking when no weight is above zero.
pub fn try_split_by_weights(total: Pence, weights: &[u32]) -> Result<Vec<Pence>, MoneyError> {
    let weight_sum: i128 = weights.iter().map(|&w| w as i128).sum();
    if weight_sum == 0 {
        return Err(MoneyError::NoWeights);
    }
    let magnitude = (total.0 as i128).abs();
    let mut parts = Vec::with_capacity(weights.len());
    let mut leftovers = Vec::with_capacity(weights.len());
    let mut allotted: i128 = 0;
    for (index, &w) in weights.iter().enumerate() {
        let exact_numerator = magnitude * w as i128;
        let floor = exact_numerator / weight_sum;
        parts.push(floor);
        leftovers.push((exact_numerator % weight_sum, index));
        allotted += floor;
    }
    let pennies_left = (magnitude - allotted) as usize;
    // Largest dropped fraction first; on a tie the earlier part wins.
    leftovers.sort_by(|a, b| b.0.cmp(&a.0).then(a.1.cmp(&b.1)));
    for &(_, index) in leftovers.iter().take(pennies_left) {
        parts[index] += 1;
    }
    let sign = if total.0 < 0 { -1 } else { 1 };
    Ok(parts.into_iter().map(|p| Pence((p * sign) as i64)).collect())
}

/// Splits `total` into `count` equal parts (pennies left over go to the earliest parts).
///
/// # Panics
/// If `count` is zero.
pub fn split_evenly(total: Pence, count: usize) -> Vec<Pence> {
    split_by_weights(total, &vec![1; count])
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn displays_pounds_and_pence() {
        assert_eq!(Pence(5350).to_string(), "£53.50");
        assert_eq!(Pence(-120).to_string(), "-£1.20");
        assert_eq!(Pence(0).to_string(), "£0.00");
        assert_eq!(Pence(5).to_string(), "£0.05");
        assert_eq!(Pence(123_450).to_string(), "£1,234.50");
        assert_eq!(Pence(100_000_000).to_string(), "£1,000,000.00");
        assert_eq!(Pence(99_999).to_string(), "£999.99");
    }

    #[test]
    fn parses_pounds_exactly() {
        let cases = [
            ("149.99", 14_999),
            ("£53.50", 5_350),
            ("53.5", 5_350),
            ("53", 5_300),
            (" £ 80.25 ", 8_025),
            ("0.05", 5),
            (".50", 50),
            ("1,234.50", 123_450),
            ("-1.20", -120),
            ("-£1.20", -120),
            ("£-1.20", -120),
            ("0", 0),
        ];
        for (text, pence) in cases {
            assert_eq!(Pence::parse_pounds(text), Ok(Pence(pence)), "{text}");
        }
    }

    #[test]
    fn rejects_bad_amounts_with_a_clear_error() {
        assert_eq!(Pence::parse_pounds("53.505"), Err(MoneyError::TooManyDecimalPlaces));
        for garbage in [
            "", "£", "abc", "53.", "5 3", "53.5p", "1,23.00", "--1", "1.2.3", "£53,50", "+5",
        ] {
            assert_eq!(
                Pence::parse_pounds(garbage),
                Err(MoneyError::NotAnAmount),
                "{garbage:?}"
            );
        }
        assert_eq!(Pence::parse_pounds("99999999999999999999"), Err(MoneyError::TooLarge));
        assert_eq!(
            MoneyError::NotAnAmount.to_string(),
            "Enter an amount in pounds and pence, like 53.50"
        );
    }

    #[test]
    fn durham_uplift_is_exact() {
        let standard = Pence(5_350);
        let uplift = standard.percent_of(Percent::whole(50), Rounding::HalfUp);
        assert_eq!(uplift, Pence(2_675));
        assert_eq!((standard + uplift).to_string(), "£80.25");
        assert_eq!(standard.percent_of(Percent::whole(15), Rounding::HalfUp), Pence(803)); // 802.5p rounds up
        assert_eq!(standard.percent_of(Percent::whole(15), Rounding::Down), Pence(802));
        assert_eq!(standard.percent_of(Percent::whole(15), Rounding::HalfEven), Pence(802));
        assert_eq!(standard.percent_of(Percent::whole(100), Rounding::HalfUp), standard);
    }

    #[test]
    fn rounding_modes_on_negative_amounts() {
        let credit = Pence(-5_350);
        assert_eq!(credit.percent_of(Percent::whole(15), Rounding::HalfUp), Pence(-803));
        assert_eq!(credit.percent_of(Percent::whole(15), Rounding::Down), Pence(-802));
        assert_eq!(Pence(1).percent_of(Percent::whole(50), Rounding::HalfEven), Pence(0));
        assert_eq!(Pence(3).percent_of(Percent::whole(50), Rounding::HalfEven), Pence(2));
        assert_eq!(Pence(101).percent_of(Percent::whole(1), Rounding::Up), Pence(2));
    }

    #[test]
    fn percent_reads_and_writes() {
        assert_eq!("50%".parse(), Ok(Percent::whole(50)));
        assert_eq!("12.5%".parse(), Ok(Percent::from_basis_points(1_250)));
        assert_eq!(" 45 ".parse(), Ok(Percent::whole(45)));
        assert_eq!("33.33%".parse(), Ok(Percent::from_basis_points(3_333)));
        assert!("abc".parse::<Percent>().is_err());
        assert!("1.234%".parse::<Percent>().is_err());
        assert!("-5%".parse::<Percent>().is_err());
        assert_eq!(Percent::from_basis_points(1_250).to_string(), "12.5%");
        assert_eq!(Percent::from_basis_points(3_333).to_string(), "33.33%");
        assert_eq!(Percent::from_basis_points(305).to_string(), "3.05%");
        assert_eq!(Percent::whole(15).to_string(), "15%");
    }

    #[test]
    fn serde_is_plain() {
        assert_eq!(serde_json::to_string(&Pence(5_350)).unwrap(), "5350");
        assert_eq!(serde_json::from_str::<Pence>("-120").unwrap(), Pence(-120));
        assert_eq!(serde_json::to_string(&Percent::whole(50)).unwrap(), "\"50%\"");
        assert_eq!(
            serde_json::from_str::<Percent>("\"12.5%\"").unwrap(),
            Percent::from_basis_points(1_250)
        );
        assert_eq!(serde_json::from_str::<Percent>("4500").unwrap(), Percent::whole(45));
        assert!(serde_json::from_str::<Percent>("\"lots\"").is_err());
    }

    #[test]
    fn wcet_and_even_splits() {
        assert_eq!(
            split_by_weights(Pence(10_000), &[34, 33, 33]),
            vec![Pence(3_400), Pence(3_300), Pence(3_300)]
        );
        assert_eq!(
            split_by_weights(Pence(100), &[1, 1, 1]),
            vec![Pence(34), Pence(33), Pence(33)]
        );
        assert_eq!(
            split_by_weights(Pence(101), &[34, 33, 33]),
            vec![Pence(35), Pence(33), Pence(33)]
        );
        assert_eq!(
            split_evenly(Pence(8_025), 3),
            vec![Pence(2_675), Pence(2_675), Pence(2_675)]
        );
        assert_eq!(
            split_evenly(Pence(5_350), 3),
            vec![Pence(1_784), Pence(1_783), Pence(1_783)]
        );
        assert_eq!(
            split_by_weights(Pence(-100), &[1, 1, 1]),
            vec![Pence(-34), Pence(-33), Pence(-33)]
        );
        assert_eq!(
            split_by_weights(Pence(10), &[0, 1, 0]),
            vec![Pence(0), Pence(10), Pence(0)]
        );
        assert_eq!(try_split_by_weights(Pence(10), &[]), Err(MoneyError::NoWeights));
        assert_eq!(try_split_by_weights(Pence(10), &[0, 0]), Err(MoneyError::NoWeights));
    }

    proptest! {
        #[test]
        fn splits_always_add_up(total in -10_000_000_000i64..10_000_000_000, weights in prop::collection::vec(0u32..10_000, 1..12)) {
            prop_assume!(weights.iter().any(|&w| w > 0));
            let parts = split_by_weights(Pence(total), &weights);
            prop_assert_eq!(parts.len(), weights.len());
            prop_assert_eq!(parts.iter().sum::<Pence>(), Pence(total));
        }

        #[test]
        fn splits_of_non_negative_totals_are_non_negative_and_within_a_penny(total in 0i64..10_000_000_000, weights in prop::collection::vec(0u32..10_000, 1..12)) {
            prop_assume!(weights.iter().any(|&w| w > 0));
            let parts = split_by_weights(Pence(total), &weights);
            let weight_sum: i128 = weights.iter().map(|&w| w as i128).sum();
            for (part, &w) in parts.iter().zip(&weights) {
                prop_assert!(part.0 >= 0);
                // |part - total*w/sum| < 1  <=>  |part*sum - total*w| < sum
                let diff = (part.0 as i128 * weight_sum - total as i128 * w as i128).abs();
                prop_assert!(diff < weight_sum, "part {} weight {} total {}", part.0, w, total);
                if w == 0 { prop_assert_eq!(part.0, 0); }
            }
        }

        #[test]
        fn pounds_text_round_trips(pence in -1_000_000_000_000i64..1_000_000_000_000) {
            let p = Pence(pence);
            prop_assert_eq!(Pence::parse_pounds(&p.to_pounds_string()), Ok(p));
            prop_assert_eq!(Pence::parse_pounds(&p.to_string()), Ok(p));
        }

        #[test]
        fn percent_rounding_stays_within_a_penny(pence in -1_000_000_000i64..1_000_000_000, bp in 0u32..20_000) {
            let exact = pence as i128 * bp as i128; // in 1/10000 pence
            for mode in [Rounding::HalfUp, Rounding::HalfEven, Rounding::Down, Rounding::Up] {
                let got = Pence(pence).percent_of(Percent::from_basis_points(bp), mode).0 as i128;
                prop_assert!((got * 10_000 - exact).abs() < 10_000);
            }
        }
    }
}
