//! The demo hub's identity: the Durham-like hub its public words describe, so that the demo
//! shows a hub that has filled in every field of its settings.
use tutti_domain::identity::HubIdentity;

/// Who the demo hub says it is.
pub(super) fn demo_identity() -> HubIdentity {
    HubIdentity {
        name: "Durham Music Service".into(),
        short_name: "Durham Music".into(),
        contact_email: "office@demo.test".into(),
        phone: "0191 383 4000".into(),
        postal_address: "County Hall\nDurham\nDH1 5UJ".into(),
        charity_number: "1234567".into(),
        local_authorities: vec!["County Durham".into(), "Darlington".into()],
        home_heading: "Music for every child in County Durham and Darlington".into(),
        home_intro: "We teach instruments and singing in schools, run over 40 ensembles and help every child, \
                     whatever their background, to make music."
            .into(),
    }
}
