//! Instrument families as the data return groups instruments.

/// The family of an instrument, by its name as the hub writes it.
pub fn instrument_family(instrument: &str) -> &'static str {
    let name = instrument.trim().to_ascii_lowercase();
    let is = |words: &[&str]| words.iter().any(|w| name.contains(w));
    if is(&["bass guitar", "guitar", "ukulele", "banjo", "mandolin", "harp"]) {
        "Guitar and plucked"
    } else if is(&["violin", "viola", "cello", "double bass", "fiddle"]) {
        "Strings"
    } else if is(&[
        "flute",
        "piccolo",
        "clarinet",
        "oboe",
        "bassoon",
        "saxophone",
        "recorder",
    ]) {
        "Woodwind"
    } else if is(&[
        "trumpet",
        "cornet",
        "trombone",
        "horn",
        "euphonium",
        "tuba",
        "baritone",
        "flugel",
        "brass",
    ]) {
        "Brass"
    } else if is(&["piano", "keyboard", "organ"]) {
        "Keyboard"
    } else if is(&["drum", "percussion", "timpani", "samba", "steel pan"]) {
        "Percussion"
    } else if is(&["voice", "singing", "vocal", "choir"]) {
        "Voice"
    } else {
        "Other"
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_taught_instrument_has_a_family() {
        for i in crate::instruments::TAUGHT {
            assert_ne!(instrument_family(i), "Other", "{i}");
        }
        assert_eq!(instrument_family("Double bass"), "Strings");
        assert_eq!(instrument_family("Bass guitar"), "Guitar and plucked");
        assert_eq!(instrument_family("French horn"), "Brass");
    }
}
