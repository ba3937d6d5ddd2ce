//! Schools: phase, type and how a school is billed.

text_enum! {
    /// A school's phase of education.
    pub enum SchoolPhase {
        /// Nursery school.
        Nursery = "nursery",
        /// Primary school (Reception to Year 6), including infant and junior schools.
        Primary = "primary" | "infant" | "junior",
        /// Secondary school (Years 7 to 11 or 13).
        Secondary = "secondary",
        /// Special school.
        Special = "special",
        /// All-through school (primary and secondary).
        AllThrough = "all-through",
    }
}

text_enum! {
    /// Who runs a school, which decides how it is billed.
    pub enum SchoolType {
        /// Maintained by the local authority (the council).
        Maintained = "maintained" | "council-maintained" | "community" | "foundation" | "voluntary aided" | "voluntary controlled",
        /// An academy or free school.
        Academy = "academy" | "free school",
        /// An independent school.
        Independent = "independent",
    }
}

text_enum! {
    /// How a school pays the hub.
    pub enum BillingMethod {
        /// By internal journal transfer inside the council.
        InternalJournal = "internal-journal" | "journal",
        /// By invoice.
        Invoice = "invoice",
    }
}

impl SchoolType {
    /// The usual billing method: council-maintained schools by internal journal transfer,
    /// academies and independent schools by invoice (DOMAIN.md).
    pub fn default_billing(self) -> BillingMethod {
        match self {
            SchoolType::Maintained => BillingMethod::InternalJournal,
            SchoolType::Academy | SchoolType::Independent => BillingMethod::Invoice,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn words_and_aliases() {
        assert_eq!("All Through".parse(), Ok(SchoolPhase::AllThrough));
        assert_eq!("all_through".parse(), Ok(SchoolPhase::AllThrough));
        assert_eq!("PRIMARY".parse(), Ok(SchoolPhase::Primary));
        assert_eq!("Infant".parse(), Ok(SchoolPhase::Primary));
        assert_eq!("Council-maintained".parse(), Ok(SchoolType::Maintained));
        let err = "college".parse::<SchoolPhase>().unwrap_err();
        assert_eq!(
            err.to_string(),
            "Enter one of: nursery, primary, secondary, special or all-through"
        );
        assert_eq!(SchoolPhase::AllThrough.to_string(), "all-through");
        assert_eq!(SchoolType::Maintained.default_billing(), BillingMethod::InternalJournal);
        assert_eq!(
            serde_json::to_string(&SchoolPhase::AllThrough).unwrap(),
            "\"all-through\""
        );
    }
}
