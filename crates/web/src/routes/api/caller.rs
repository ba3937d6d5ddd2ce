//! Who calls an API operation: the app's state, the signed-in user and the actor their
//! changes are audited as, read by one extractor so that each handler starts from them.
use axum::extract::FromRequestParts;
use axum::http::request::Parts;
use tutti_store::platform::accounts::User;
use tutti_store::platform::audit::Actor;

use crate::acting::Acting;
use crate::error::AppError;
use crate::state::AppState;

/// The caller of an operation; a handler taking this is only reached signed in (by token or
/// session), as one taking `SignedIn` is.
pub(crate) struct Caller {
    pub state: AppState,
    pub user: User,
    /// The user, from the caller's address, for the audit log.
    pub actor: Actor,
}

impl FromRequestParts<AppState> for Caller {
    type Rejection = AppError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Self::Rejection> {
        // The pages' signed-in extractor, kept to what an operation needs.
        let acting = Acting::from_request_parts(parts, state).await?;
        let actor = acting.actor();
        Ok(Caller {
            state: acting.state,
            user: acting.user,
            actor,
        })
    }
}
