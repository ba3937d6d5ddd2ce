//! Pupils' characteristics the annual data return asks for and records may lack: gender and
//! ethnicity, each optional, each with "prefer not to say" (decision 0090).

text_enum! {
    /// A pupil's gender as the family gives it.
    pub enum Gender {
        /// Female.
        Female = "female" | "f" | "girl",
        /// Male.
        Male = "male" | "m" | "boy",
        /// Another gender, or non-binary.
        Other = "other" | "non-binary",
        /// The family chose not to say.
        PreferNotToSay = "prefer-not-to-say" | "prefer not to say" | "not given",
    }
}

text_enum! {
    /// A pupil's ethnic group, by the five high-level groups of the census in England.
    pub enum Ethnicity {
        /// Asian or Asian British.
        Asian = "asian" | "asian or asian british",
        /// Black, Black British, Caribbean or African.
        Black = "black" | "black or black british",
        /// Mixed or multiple ethnic groups.
        Mixed = "mixed" | "mixed or multiple",
        /// White.
        White = "white",
        /// Another ethnic group.
        Other = "other" | "other ethnic group",
        /// The family chose not to say.
        PreferNotToSay = "prefer-not-to-say" | "prefer not to say" | "not given",
    }
}

impl Gender {
    /// The words a form or a table shows.
    pub fn words(self) -> &'static str {
        match self {
            Gender::Female => "Female",
            Gender::Male => "Male",
            Gender::Other => "Other",
            Gender::PreferNotToSay => "Prefer not to say",
        }
    }
}

impl Ethnicity {
    /// The words a form or a table shows.
    pub fn words(self) -> &'static str {
        match self {
            Ethnicity::Asian => "Asian or Asian British",
            Ethnicity::Black => "Black, Black British, Caribbean or African",
            Ethnicity::Mixed => "Mixed or multiple ethnic groups",
            Ethnicity::White => "White",
            Ethnicity::Other => "Other ethnic group",
            Ethnicity::PreferNotToSay => "Prefer not to say",
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn characteristics_read_as_people_write_them() {
        assert_eq!("Prefer not to say".parse::<Gender>(), Ok(Gender::PreferNotToSay));
        assert_eq!("F".parse::<Gender>(), Ok(Gender::Female));
        assert_eq!("Asian or Asian British".parse::<Ethnicity>(), Ok(Ethnicity::Asian));
        assert!("purple".parse::<Ethnicity>().is_err());
        assert_eq!(Ethnicity::PreferNotToSay.as_str(), "prefer-not-to-say");
    }
}
