//! Instruments: those a hub teaches from the start, and the condition and status of the
//! hub's instruments.

/// The instruments DOMAIN.md names, and voice: a new hub's starting offer
/// (`admissions::default_offer`) and the demo's.
pub const TAUGHT: [&str; 24] = [
    "Violin",
    "Viola",
    "Cello",
    "Double bass",
    "Flute",
    "Clarinet",
    "Oboe",
    "Bassoon",
    "Saxophone",
    "Trumpet",
    "Cornet",
    "Trombone",
    "Tenor horn",
    "Euphonium",
    "Tuba",
    "French horn",
    "Piano",
    "Keyboard",
    "Guitar",
    "Bass guitar",
    "Drum kit",
    "Percussion",
    "Voice",
    "Ukulele",
];

text_enum! {
    /// The state an instrument is in.
    pub enum InstrumentCondition {
        /// New or as new.
        New = "new" | "excellent",
        /// Good: ready to lend.
        Good = "good",
        /// Fair: usable, with wear.
        Fair = "fair",
        /// Poor: usable but due for a service.
        Poor = "poor",
        /// Needs repair before it can be lent.
        NeedsRepair = "needs-repair" | "repair" | "broken",
    }
}

text_enum! {
    /// Where an instrument is in its life.
    pub enum InstrumentStatus {
        /// In store, ready to lend.
        Available = "available" | "in-stock",
        /// Lent to a pupil or a school.
        OnLoan = "on-loan" | "loaned",
        /// Being serviced or repaired.
        InRepair = "in-repair",
        /// Lost or stolen while on loan (`loans`): kept on record in case it turns up.
        Lost = "lost",
        /// Retired: sold or scrapped.
        Retired = "retired",
    }
}
