//! The letters admissions sends: the offer of a place, emailed to the child's guardians.
use time::Date;

use crate::lessons::lesson_words;
use crate::money::Pence;
use crate::validate::format_day_long;

/// The email offering a child a place.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct OfferLetter<'a> {
    pub pupil_name: &'a str,
    /// The lesson type as stored ("whole-class").
    pub lesson_type: &'a str,
    pub minutes: i32,
    pub instrument: &'a str,
    pub school_name: &'a str,
    pub start_date: Date,
    pub expires_on: Date,
    /// The lesson's price for a term by the year's published policy, before any reduction.
    pub price: Option<Pence>,
    /// Where the family answers.
    pub answer_url: &'a str,
}

impl OfferLetter<'_> {
    pub fn subject(&self) -> String {
        format!("A place for {} to learn {}", self.pupil_name, self.instrument)
    }

    pub fn body(&self) -> String {
        format!(
            "We can offer {} a place for {} {} lessons at {}, starting on {}.{}\n\n\
             Please accept or decline by {}: after that the offer lapses and the place goes to the next child.\n\n\
             Answer here: {}\n",
            self.pupil_name,
            lesson_words(self.lesson_type, self.minutes),
            self.instrument,
            self.school_name,
            format_day_long(self.start_date),
            match self.price {
                Some(p) => format!(
                    " These lessons cost {p} a term; some families pay less, as the page where you answer explains."
                ),
                None => String::new(),
            },
            format_day_long(self.expires_on),
            self.answer_url,
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::date;

    #[test]
    fn the_offer_letter_names_the_place_and_the_date_to_answer_by() {
        let letter = OfferLetter {
            pupil_name: "Amy Lee",
            lesson_type: "whole-class",
            minutes: 45,
            instrument: "Violin",
            school_name: "Ash Primary",
            start_date: date!(2026 - 09 - 14),
            expires_on: date!(2026 - 09 - 30),
            price: None,
            answer_url: "https://hub.example/parent/applications",
        };
        assert_eq!(letter.subject(), "A place for Amy Lee to learn Violin");
        assert_eq!(
            letter.body(),
            "We can offer Amy Lee a place for whole class 45-minute Violin lessons at Ash Primary, starting on \
             Monday 14 September 2026.\n\nPlease accept or decline by Wednesday 30 September 2026: after that the offer lapses and the place goes \
             to the next child.\n\nAnswer here: https://hub.example/parent/applications\n"
        );
        let priced = OfferLetter {
            lesson_type: "individual",
            minutes: 30,
            price: Some(Pence(16_050)),
            ..letter
        };
        assert!(priced.body().contains(
            "starting on Monday 14 September 2026. These lessons cost £160.50 a term; some families pay less"
        ));
    }
}
