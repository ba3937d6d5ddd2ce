//! The demo hub's privacy records: a subject access request waiting for the office, and the
//! first pupil's consents with a history (a photo consent given, then withdrawn by phone), so
//! the privacy pages show something on `tutti serve --demo`.
use tutti_domain::privacy::{ConsentHow, ConsentKind};

use crate::Store;
use crate::error::Result;
use crate::platform::audit::Actor;
use crate::privacy::requests::RequestKind;
use crate::privacy::subject::{Subject, SubjectKind};

pub(super) async fn seed(store: &Store, seeder: &Actor) -> Result<()> {
    let first = Subject::new(SubjectKind::Pupil, 1);
    if store.subject_label(first).await.is_err() {
        return Ok(());
    }
    store.log_privacy_request(seeder, RequestKind::Access, first).await?;
    store
        .record_consent(seeder, 1, ConsentKind::PhotoVideo, true, ConsentHow::Paper)
        .await?;
    store
        .record_consent(seeder, 1, ConsentKind::PhotoVideo, false, ConsentHow::Phone)
        .await?;
    store
        .record_consent(seeder, 1, ConsentKind::SchoolSharing, true, ConsentHow::Paper)
        .await?;
    Ok(())
}
