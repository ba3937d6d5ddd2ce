//! Services for schools: packages a school buys each year (whole-class ensemble teaching,
//! singing, CPD days, instrument loans to schools, curriculum support), their price less the
//! subsidy the hub sets for the school's phase or type, and a school's order's lifecycle
//! (ordered → confirmed, which makes the services agreement, or declined).
use crate::Pence;

text_enum! {
    /// What a package is.
    pub enum PackageKind {
        Wcet = "wcet",
        Singing = "singing",
        CpdDay = "cpd-day",
        InstrumentLoans = "instrument-loans",
        CurriculumSupport = "curriculum-support",
    }
}

impl PackageKind {
    pub fn label(self) -> &'static str {
        match self {
            PackageKind::Wcet => "Whole-class ensemble teaching",
            PackageKind::Singing => "Singing",
            PackageKind::CpdDay => "CPD day",
            PackageKind::InstrumentLoans => "Instrument loans to schools",
            PackageKind::CurriculumSupport => "Curriculum support",
        }
    }
}

text_enum! {
    /// Where a school's order is.
    pub enum OrderStatus {
        Ordered = "ordered",
        Confirmed = "confirmed",
        Declined = "declined",
    }
}
stored_status!(OrderStatus);

impl OrderStatus {
    /// The office confirms or declines an order once.
    pub fn answer(self, confirm: bool) -> Result<OrderStatus, ServiceRefusal> {
        if self != OrderStatus::Ordered {
            return Err(ServiceRefusal::AlreadyAnswered);
        }
        Ok(if confirm {
            OrderStatus::Confirmed
        } else {
            OrderStatus::Declined
        })
    }

    pub fn label(self) -> &'static str {
        match self {
            OrderStatus::Ordered => "Waiting for the office",
            OrderStatus::Confirmed => "Confirmed",
            OrderStatus::Declined => "Declined",
        }
    }
}

/// A package's price for a school: the full price less the largest subsidy (a percentage)
/// that applies to the school's phase or type, rounded to the penny in the school's favour.
pub fn price_for(price: Pence, subsidies: &[(String, i32)], phase: &str, school_type: &str) -> Pence {
    let percent = subsidies
        .iter()
        .filter(|(applies, _)| applies == phase || applies == school_type)
        .map(|(_, p)| (*p).clamp(0, 100))
        .max()
        .unwrap_or(0);
    let off = (price.0 * i64::from(percent) + 99) / 100;
    Pence((price.0 - off).max(0))
}

/// Why an order was refused.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum ServiceRefusal {
    #[error("Your school has already ordered this package for this year.")]
    AlreadyOrdered,
    #[error("This order has already been answered.")]
    AlreadyAnswered,
    #[error("This package is no longer offered.")]
    NotOffered,
}

impl ServiceRefusal {
    pub fn field(&self) -> Option<&'static str> {
        match self {
            ServiceRefusal::AlreadyOrdered | ServiceRefusal::NotOffered => Some("package"),
            ServiceRefusal::AlreadyAnswered => None,
        }
    }

    pub fn is_conflict(&self) -> bool {
        true
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_school_pays_the_price_less_its_largest_subsidy() {
        let subsidies = vec![("primary".to_owned(), 50), ("maintained".to_owned(), 20)];
        assert_eq!(
            price_for(Pence(300_000), &subsidies, "primary", "academy"),
            Pence(150_000)
        );
        assert_eq!(
            price_for(Pence(300_000), &subsidies, "secondary", "maintained"),
            Pence(240_000)
        );
        assert_eq!(
            price_for(Pence(300_000), &subsidies, "secondary", "academy"),
            Pence(300_000)
        );
        assert_eq!(
            price_for(Pence(999), &[("primary".into(), 33)], "primary", ""),
            Pence(669)
        );
        assert_eq!(
            OrderStatus::Confirmed.answer(true),
            Err(ServiceRefusal::AlreadyAnswered)
        );
    }
}
