//! What the demo's data return needs beyond the rest of the seed: pupils' gender and
//! ethnicity (some not recorded, some "prefer not to say"), drawn from the pupil's number.

/// The demo pupil's gender: mostly as their name suggests, one in 40 "prefer not to say",
/// one in 25 not recorded.
pub(crate) fn gender(pupil: usize, girl: bool) -> Option<String> {
    let word = match pupil % 200 {
        n if n % 25 == 7 => return None,
        n if n % 40 == 3 => "prefer-not-to-say",
        n if n % 97 == 11 => "other",
        _ if girl => "female",
        _ => "male",
    };
    Some(word.to_owned())
}

/// The demo pupil's ethnic group, roughly as a northern county's, with one in ten not
/// recorded and one in 30 "prefer not to say".
pub(crate) fn ethnicity(pupil: usize) -> Option<String> {
    let n = (pupil * 37 + 11) % 300;
    let word = match n {
        0..=29 => return None,
        30..=39 => "prefer-not-to-say",
        40..=49 => "asian",
        50..=55 => "black",
        56..=67 => "mixed",
        68..=71 => "other",
        _ => "white",
    };
    Some(word.to_owned())
}
