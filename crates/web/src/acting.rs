//! The signed-in user acting through a form, taken from the request in one piece: the app's
//! state, the visitor (their address, their session and its CSRF token) and the user, with
//! the few things every such handler does (name the actor for the audit log, leave a flash
//! and go back to a page); and anyone's request, signed in or not.
use axum::extract::FromRequestParts;
use axum::http::request::Parts;
use axum::response::{IntoResponse, Redirect, Response};
use tutti_store::StoreError;
use tutti_store::platform::accounts::User;
use tutti_store::platform::audit::Actor;
use tutti_store::platform::sessions::Session;

use crate::error::{AppError, AppResult, refusal_text};
use crate::session::{SignedIn, Visitor, actor};
use crate::state::AppState;

/// Anyone's request, signed in or not: the app's state and the visitor.
pub struct Visiting {
    pub state: AppState,
    pub visitor: Visitor,
}

impl FromRequestParts<AppState> for Visiting {
    type Rejection = AppError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Self::Rejection> {
        let visitor = Visitor::from_request_parts(parts, state).await?;
        Ok(Visiting {
            state: state.clone(),
            visitor,
        })
    }
}

/// A signed-in user's request; a handler taking this is only reached through an access guard.
pub struct Acting {
    pub state: AppState,
    pub visitor: Visitor,
    pub user: User,
    pub session: Session,
}

impl FromRequestParts<AppState> for Acting {
    type Rejection = AppError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Self::Rejection> {
        let visiting = Visiting::from_request_parts(parts, state).await?;
        // The user and session from the visitor already in hand, not a second extraction.
        let signed = SignedIn::of(&visiting.visitor)?;
        Ok(Acting::new(visiting, signed))
    }
}

impl Acting {
    /// Anyone's request as the signed-in user's (for a handler that also serves guests, once
    /// it has found someone signed in).
    pub fn new(visiting: Visiting, SignedIn(user, session): SignedIn) -> Acting {
        Acting {
            state: visiting.state,
            visitor: visiting.visitor,
            user,
            session,
        }
    }

    /// Who acts, for the audit log.
    pub fn actor(&self) -> Actor {
        actor(&self.user, &self.visitor)
    }

    /// The token the session's forms carry.
    pub fn csrf(&self) -> String {
        self.session.csrf_token.clone()
    }

    /// Leaves a one-line message for the session's next page, and goes to `to`.
    pub async fn done(&self, message: &str, to: &str) -> AppResult<Response> {
        self.state.store.set_flash(&self.session.id_hash, Some(message)).await?;
        Ok(Redirect::to(to).into_response())
    }

    /// Goes to `to` saying how it went: what was done, or why the store refused it (any other
    /// error is the page's error).
    pub async fn said(&self, outcome: Result<impl AsRef<str>, StoreError>, to: &str) -> AppResult<Response> {
        let words = match outcome {
            Ok(words) => words.as_ref().to_owned(),
            Err(e) => refusal_text(e)?,
        };
        self.done(&words, to).await
    }
}
