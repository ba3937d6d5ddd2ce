//! Instruments: the condition and status of the hub's instruments.

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
