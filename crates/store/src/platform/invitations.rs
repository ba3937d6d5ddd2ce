//! Invitations: a login offered to the person behind a record (a member of staff, a school's
//! contact, a parent's child) by an emailed link; sending, resending, withdrawing, the office's
//! list, "invite everyone without a login", accepting (the login is made then), and each
//! record's login state. Times come from the store's clock, so a test can let one expire.
use std::collections::HashSet;

use sea_orm::sea_query::{Expr, Order, SimpleExpr};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, Condition, ConnectionTrait, EntityTrait, PaginatorTrait, QueryFilter, QueryOrder,
    QuerySelect, Set,
};
use serde::Serialize;
use time::{Duration, OffsetDateTime};
use tutti_domain::accounts::Role;
use tutti_domain::invitations::{
    INVITATION_DAYS, InvitationLink, InvitationRefusal, InvitationStatus, invitation_letter,
};
use tutti_domain::staff::StaffRole;

use crate::Store;
use crate::entities::{invitation, pupil, school, school_contact, staff, user};
use crate::error::{Result, StoreError, stored};
use crate::listing::Page;
use crate::platform::accounts::{self, NewUser, User, hash_password, normalise_email};
use crate::platform::audit::{self, Action, Actor};
use crate::platform::outbox;
use crate::platform::tokens::{hash_token, random_token};
use crate::query::{found, stmt};
use crate::records::pupils::PupilScope;

/// An invitation as screens and the API show it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Invitation {
    pub id: i64,
    pub email: String,
    pub name: String,
    pub role: Role,
    #[serde(skip)]
    pub link: InvitationLink,
    /// The school contact it was sent to, for a school's login.
    pub contact_id: Option<i64>,
    pub status: InvitationStatus,
    pub invited_by: String,
    #[serde(with = "time::serde::rfc3339")]
    pub sent_at: OffsetDateTime,
    #[serde(with = "time::serde::rfc3339")]
    pub expires_at: OffsetDateTime,
    #[serde(with = "time::serde::rfc3339::option")]
    pub accepted_at: Option<OffsetDateTime>,
    /// The login made when it was accepted.
    pub user_id: Option<i64>,
}

impl Invitation {
    fn from_model(m: invitation::Model, now: OffsetDateTime) -> Result<Invitation> {
        let link = match (m.staff_id, m.pupil_id, m.school_id) {
            (Some(id), _, _) => InvitationLink::Staff(id),
            (None, Some(id), _) => InvitationLink::Pupil(id),
            (None, None, Some(id)) => InvitationLink::School(id),
            (None, None, None) => return Err(StoreError::Corrupt(format!("invitation {} links nothing", m.id))),
        };
        Ok(Invitation {
            id: m.id,
            role: stored(&m.role, Role::parse)?,
            link,
            contact_id: m.contact_id,
            status: InvitationStatus::at(m.accepted_at, m.withdrawn_at, m.expires_at, now),
            email: m.email,
            name: m.name,
            invited_by: m.invited_by_name,
            sent_at: m.sent_at,
            expires_at: m.expires_at,
            accepted_at: m.accepted_at,
            user_id: m.user_id,
        })
    }
}

/// What an invitation is for: the address, the login's role and the record it is linked to.
/// `name` is used only where the record has none of its own (a school invited by address).
#[derive(Debug, Clone)]
pub struct NewInvitation {
    pub email: String,
    pub role: Role,
    pub link: InvitationLink,
    pub name: Option<String>,
}

/// What the email needs beyond the invitation: the hub's name and the address people use to
/// reach it (the link is `{public_url}/invitations/accept?token=…`).
#[derive(Debug, Clone)]
pub struct InvitationMail {
    pub hub: String,
    pub public_url: String,
}

impl InvitationMail {
    fn link(&self, token: &str) -> String {
        format!(
            "{}/invitations/accept?token={token}",
            self.public_url.trim_end_matches('/')
        )
    }
}

/// Whether the person behind a record can sign in, has been invited, or neither.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(tag = "state", rename_all = "snake_case")]
pub enum LoginState {
    /// They have a login (`disabled` once their record was archived or an admin said so).
    HasLogin {
        user_id: i64,
        disabled: bool,
    },
    /// An invitation is waiting for an answer (or has expired unanswered).
    Invited {
        invitation_id: i64,
        #[serde(with = "time::serde::rfc3339")]
        expires_at: OffsetDateTime,
        expired: bool,
    },
    NoLogin,
}

/// How many "invite everyone without a login" invited.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct InvitedEveryone {
    pub staff: u64,
    pub contacts: u64,
}

impl InvitedEveryone {
    pub fn total(&self) -> u64 {
        self.staff + self.contacts
    }
}

/// The office's list: by status, searched by name or email, newest first.
#[derive(Debug, Clone, Default)]
pub struct InvitationFilter {
    pub status: Option<InvitationStatus>,
    pub q: String,
    pub page: u64,
    pub per_page: u64,
}

/// Invitations nobody has answered and nobody has withdrawn (pending or expired).
fn open() -> Condition {
    Condition::all()
        .add(invitation::Column::AcceptedAt.is_null())
        .add(invitation::Column::WithdrawnAt.is_null())
}

fn with_status(status: InvitationStatus, now: OffsetDateTime) -> Condition {
    match status {
        InvitationStatus::Pending => open().add(invitation::Column::ExpiresAt.gt(now)),
        InvitationStatus::Expired => open().add(invitation::Column::ExpiresAt.lte(now)),
        InvitationStatus::Accepted => Condition::all().add(invitation::Column::AcceptedAt.is_not_null()),
        InvitationStatus::Withdrawn => Condition::all()
            .add(invitation::Column::AcceptedAt.is_null())
            .add(invitation::Column::WithdrawnAt.is_not_null()),
    }
}

fn link_column(link: InvitationLink) -> invitation::Column {
    match link {
        InvitationLink::Staff(_) => invitation::Column::StaffId,
        InvitationLink::School(_) => invitation::Column::SchoolId,
        InvitationLink::Pupil(_) => invitation::Column::PupilId,
    }
}

/// Withdraws every open invitation linked to record `id` (as `link` says), inside the caller's
/// transaction: an archived record, or a removed contact, invites nobody any more.
pub(crate) async fn withdraw_open_for(
    txn: &impl ConnectionTrait,
    link: InvitationLink,
    now: OffsetDateTime,
) -> Result<u64> {
    withdraw_open_where(txn, link_column(link).eq(link.id()), now).await
}

/// The same for the invitations sent to one school contact.
pub(crate) async fn withdraw_open_for_contact(
    txn: &impl ConnectionTrait,
    contact_id: i64,
    now: OffsetDateTime,
) -> Result<u64> {
    withdraw_open_where(txn, invitation::Column::ContactId.eq(contact_id), now).await
}

/// Withdraws the open invitations that `whose` picks out; how many.
async fn withdraw_open_where(txn: &impl ConnectionTrait, whose: SimpleExpr, now: OffsetDateTime) -> Result<u64> {
    let done = invitation::Entity::update_many()
        .col_expr(invitation::Column::WithdrawnAt, Some(now).into())
        .col_expr(invitation::Column::UpdatedAt, now.into())
        .filter(whose)
        .filter(open())
        .exec(txn)
        .await?;
    Ok(done.rows_affected)
}

/// The login state behind a record: a login matching `logins`, else the newest open
/// invitation matching `invitations`.
pub(crate) async fn login_state(
    conn: &impl ConnectionTrait,
    logins: Condition,
    invitations: Condition,
    now: OffsetDateTime,
) -> Result<LoginState> {
    if let Some(u) = user::Entity::find()
        .filter(logins)
        .order_by_asc(user::Column::Disabled)
        .one(conn)
        .await?
    {
        return Ok(LoginState::HasLogin {
            user_id: u.id,
            disabled: u.disabled,
        });
    }
    let found = invitation::Entity::find()
        .filter(invitations)
        .filter(open())
        .order_by_desc(invitation::Column::Id)
        .one(conn)
        .await?;
    Ok(match found {
        Some(i) => LoginState::Invited {
            invitation_id: i.id,
            expires_at: i.expires_at,
            expired: i.expires_at <= now,
        },
        None => LoginState::NoLogin,
    })
}

/// Whether an invitation to `email` is waiting for an answer.
async fn pending_to(conn: &impl ConnectionTrait, email: &str, now: OffsetDateTime) -> Result<bool> {
    Ok(invitation::Entity::find()
        .filter(invitation::Column::Email.eq(email))
        .filter(with_status(InvitationStatus::Pending, now))
        .count(conn)
        .await?
        > 0)
}

/// The record an invitation names, as read inside the inviting transaction.
struct Invitee {
    name: String,
    contact_id: Option<i64>,
    /// The record already has a login of its own (staff and pupils have one each).
    has_login: bool,
}

/// Reads the record `link` names for the one asking (`scope`: the office sees every record,
/// a parent only their own children): `NotFound` when it is not theirs to name, refused when
/// it is archived.
async fn invitee(
    conn: &impl ConnectionTrait,
    scope: &PupilScope,
    link: InvitationLink,
    email: &str,
) -> Result<Invitee> {
    let office = matches!(scope, PupilScope::All);
    let archived = |archived_at: Option<OffsetDateTime>| -> Result<()> {
        match archived_at {
            Some(_) => Err(InvitationRefusal::RecordArchived { link }.into()),
            None => Ok(()),
        }
    };
    let linked_login = |column: user::Column, id: i64| async move {
        Ok::<bool, StoreError>(user::Entity::find().filter(column.eq(id)).count(conn).await? > 0)
    };
    match link {
        InvitationLink::Staff(id) if office => {
            let m = found::<staff::Entity>(conn, id).await?;
            archived(m.archived_at)?;
            Ok(Invitee {
                name: format!("{} {}", m.first_name, m.last_name),
                contact_id: None,
                has_login: linked_login(user::Column::StaffId, id).await?,
            })
        }
        InvitationLink::School(id) if office => {
            let m = found::<school::Entity>(conn, id).await?;
            archived(m.archived_at)?;
            let contact = school_contact::Entity::find()
                .filter(school_contact::Column::SchoolId.eq(id))
                .filter(school_contact::Column::Email.eq(email))
                .one(conn)
                .await?;
            Ok(Invitee {
                name: contact.as_ref().map(|c| c.name.clone()).unwrap_or_default(),
                contact_id: contact.map(|c| c.id),
                has_login: false,
            })
        }
        InvitationLink::Pupil(id) => {
            let m = found::<pupil::Entity>(conn, id).await?;
            if !office {
                // A parent names only a child of theirs: anyone else's is not there to see.
                let (condition, mut values) = scope.condition();
                values.insert(0, id.into());
                let sql = format!("SELECT p.id FROM pupils p WHERE p.id = ? AND {condition}");
                let found = conn
                    .query_one_raw(stmt(conn.get_database_backend(), &sql, values))
                    .await?;
                if found.is_none() {
                    return Err(StoreError::NotFound);
                }
            }
            archived(m.archived_at)?;
            Ok(Invitee {
                name: format!("{} {}", m.first_name, m.last_name),
                contact_id: None,
                has_login: linked_login(user::Column::PupilId, id).await?,
            })
        }
        InvitationLink::Staff(_) | InvitationLink::School(_) => Err(StoreError::NotFound),
    }
}

/// Writes one invitation and queues its email, inside the caller's transaction.
#[allow(clippy::too_many_arguments)]
async fn write_invitation(
    txn: &impl ConnectionTrait,
    actor: &Actor,
    mail: &InvitationMail,
    email: &str,
    name: &str,
    role: Role,
    link: InvitationLink,
    contact_id: Option<i64>,
    now: OffsetDateTime,
) -> Result<invitation::Model> {
    let token = random_token();
    let (staff_id, school_id, pupil_id) = match link {
        InvitationLink::Staff(id) => (Some(id), None, None),
        InvitationLink::School(id) => (None, Some(id), None),
        InvitationLink::Pupil(id) => (None, None, Some(id)),
    };
    let m = invitation::ActiveModel {
        email: Set(email.to_owned()),
        name: Set(name.to_owned()),
        role: Set(role.as_str().to_owned()),
        staff_id: Set(staff_id),
        school_id: Set(school_id),
        pupil_id: Set(pupil_id),
        contact_id: Set(contact_id),
        token_hash: Set(hash_token(&token)),
        invited_by: Set(actor.user_id),
        invited_by_name: Set(actor.name.clone()),
        created_at: Set(now),
        sent_at: Set(now),
        expires_at: Set(now + Duration::days(INVITATION_DAYS)),
        accepted_at: Set(None),
        withdrawn_at: Set(None),
        user_id: Set(None),
        updated_at: Set(now),
        ..Default::default()
    }
    .insert(txn)
    .await?;
    let (subject, body) = invitation_letter(&mail.hub, name, role, &mail.link(&token));
    outbox::enqueue_secret(txn, email, &subject, &body).await?;
    let what = format!("invited {role} for {link}");
    audit::record(txn, actor, Action::Create, "invitation", Some(m.id), what).await?;
    Ok(m)
}

/// A person's name from their email, for an invitation that names nobody.
fn name_from_email(email: &str) -> String {
    email.split('@').next().unwrap_or(email).to_owned()
}

/// The role a staff record's login gets when everyone is invited: managers manage, everyone
/// else teaches (an office admin's login is made a manager's; an admin promotes it).
fn role_for_staff(role: &str) -> Role {
    match role.parse::<StaffRole>() {
        Ok(StaffRole::Manager | StaffRole::Admin) => Role::Manager,
        _ => Role::Teacher,
    }
}

#[tutti_boxed::boxed]
impl Store {
    /// Invites `new.email` to a login with `new.role`, linked to `new.link`, and queues the
    /// email with its link. `scope` is who asks: the office (`All`) names any record, a parent
    /// (`Guardian`) only their own child (anyone else's is `NotFound`). Refused when the role
    /// does not fit the record, the record is archived or has a login, the email has a login,
    /// or an invitation to it is waiting for an answer.
    pub async fn invite(
        &self,
        actor: &Actor,
        scope: &PupilScope,
        new: &NewInvitation,
        mail: &InvitationMail,
    ) -> Result<Invitation> {
        let now = self.now();
        let email = normalise_email(&new.email);
        let txn = self.write().await?;
        let invitee = invitee(&txn, scope, new.link, &email).await?;
        new.link.check_role(new.role)?;
        if accounts::email_has_login(&txn, &email).await? {
            return Err(InvitationRefusal::EmailHasLogin { email }.into());
        }
        if invitee.has_login {
            return Err(InvitationRefusal::RecordHasLogin { link: new.link }.into());
        }
        if pending_to(&txn, &email, now).await? {
            return Err(InvitationRefusal::AlreadyInvited { email }.into());
        }
        let name = Some(invitee.name)
            .filter(|n| !n.trim().is_empty())
            .or_else(|| new.name.clone().filter(|n| !n.trim().is_empty()))
            .unwrap_or_else(|| name_from_email(&email));
        let m = write_invitation(
            &txn,
            actor,
            mail,
            &email,
            name.trim(),
            new.role,
            new.link,
            invitee.contact_id,
            now,
        )
        .await?;
        txn.commit().await?;
        Invitation::from_model(m, now)
    }

    /// Sends a new link for an invitation nobody has answered (pending or expired): the old
    /// link dies, the new one works for another seven days.
    pub async fn resend_invitation(&self, actor: &Actor, id: i64, mail: &InvitationMail) -> Result<Invitation> {
        let now = self.now();
        let txn = self.write().await?;
        let m = found::<invitation::Entity>(&txn, id).await?;
        let current = Invitation::from_model(m.clone(), now)?;
        current.status.check_resend()?;
        if accounts::email_has_login(&txn, &m.email).await? {
            return Err(InvitationRefusal::EmailHasLogin { email: m.email }.into());
        }
        let token = random_token();
        let mut a: invitation::ActiveModel = m.into();
        a.token_hash = Set(hash_token(&token));
        a.sent_at = Set(now);
        a.expires_at = Set(now + Duration::days(INVITATION_DAYS));
        a.updated_at = Set(now);
        let m = a.update(&txn).await?;
        let (subject, body) = invitation_letter(&mail.hub, &m.name, current.role, &mail.link(&token));
        outbox::enqueue_secret(&txn, &m.email, &subject, &body).await?;
        let summary = format!("invitation {} sent again", m.id);
        audit::commit(txn, actor, Action::Update, "invitation", Some(id), summary).await?;
        Invitation::from_model(m, now)
    }

    /// Withdraws an invitation nobody has answered: its link stops working.
    pub async fn withdraw_invitation(&self, actor: &Actor, id: i64) -> Result<()> {
        let now = self.now();
        let txn = self.write().await?;
        let m = found::<invitation::Entity>(&txn, id).await?;
        Invitation::from_model(m.clone(), now)?.status.check_withdraw()?;
        let mut a: invitation::ActiveModel = m.into();
        a.withdrawn_at = Set(Some(now));
        a.updated_at = Set(now);
        a.update(&txn).await?;
        let what = format!("invitation {id} withdrawn");
        audit::commit(txn, actor, Action::Update, "invitation", Some(id), what).await?;
        Ok(())
    }

    pub async fn invitation(&self, id: i64) -> Result<Option<Invitation>> {
        let now = self.now();
        invitation::Entity::find_by_id(id)
            .one(self.conn())
            .await?
            .map(|m| Invitation::from_model(m, now))
            .transpose()
    }

    /// The invitation a link's secret belongs to, whatever its status (the page says which).
    pub async fn invitation_by_token(&self, token: &str) -> Result<Option<Invitation>> {
        let now = self.now();
        invitation::Entity::find()
            .filter(invitation::Column::TokenHash.eq(hash_token(token)))
            .one(self.conn())
            .await?
            .map(|m| Invitation::from_model(m, now))
            .transpose()
    }

    /// Accepts an invitation by its link's secret: makes the login with the password chosen,
    /// the invitation's role and its link, the email counted as confirmed (the link proved
    /// it). `NotFound` for a secret that is no invitation's; refused (`LinkDead`) for one
    /// used, expired or withdrawn.
    pub async fn accept_invitation(&self, token: &str, password: &str, ip: &str) -> Result<User> {
        let now = self.now();
        let hash = hash_password(password).await?;
        let txn = self.write().await?;
        let m = invitation::Entity::find()
            .filter(invitation::Column::TokenHash.eq(hash_token(token)))
            .one(&txn)
            .await?
            .ok_or(StoreError::NotFound)?;
        let inv = Invitation::from_model(m.clone(), now)?;
        inv.status.check_accept()?;
        let new = NewUser {
            email: inv.email.clone(),
            name: inv.name.clone(),
            password: String::new(),
            role: inv.role,
            email_verified: true,
            school_id: m.school_id,
            staff_id: m.staff_id,
            pupil_id: m.pupil_id,
            is_demo: false,
        };
        let made = accounts::insert_user(&txn, &new, hash).await.map_err(|e| match e {
            StoreError::Refused(tutti_domain::Refusal::Accounts(
                tutti_domain::accounts::AccountRefusal::EmailTaken { email },
            )) => InvitationRefusal::EmailHasLogin { email }.into(),
            other => other,
        })?;
        let mut a: invitation::ActiveModel = m.into();
        a.accepted_at = Set(Some(now));
        a.user_id = Set(Some(made.id));
        a.updated_at = Set(now);
        a.update(&txn).await?;
        let actor = Actor {
            user_id: Some(made.id),
            name: made.email.clone(),
            ip: ip.to_owned(),
        };
        let summary = format!("login made by accepting invitation {} as {}", inv.id, inv.role);
        audit::commit(txn, &actor, Action::Create, "user", Some(made.id), summary).await?;
        Ok(made)
    }

    /// One page of invitations, newest first.
    pub async fn list_invitations(&self, filter: &InvitationFilter) -> Result<Page<Invitation>> {
        let now = self.now();
        let mut find = invitation::Entity::find();
        if let Some(status) = filter.status {
            find = find.filter(with_status(status, now));
        }
        if let Some(c) = crate::records::search::text_search(&["name", "email"], &filter.q) {
            find = find.filter(c);
        }
        let query = crate::listing::ListQuery {
            page: filter.page,
            per_page: filter.per_page,
            ..Default::default()
        };
        let total = find.clone().count(self.conn()).await?;
        let rows = find
            .order_by(Expr::col(invitation::Column::Id), Order::Desc)
            .offset(query.offset())
            .limit(query.per_page())
            .all(self.conn())
            .await?;
        Ok(Page::counted(
            rows.into_iter()
                .map(|m| Invitation::from_model(m, now))
                .collect::<Result<_>>()?,
            total,
            query.page(),
            query.per_page(),
        ))
    }

    /// Whether a staff record's or a pupil's person can sign in, is invited, or neither.
    pub async fn login_state_of(&self, link: InvitationLink) -> Result<LoginState> {
        let logins = match link {
            InvitationLink::Staff(id) => Condition::all().add(user::Column::StaffId.eq(id)),
            InvitationLink::Pupil(id) => Condition::all().add(user::Column::PupilId.eq(id)),
            InvitationLink::School(id) => Condition::all().add(user::Column::SchoolId.eq(id)),
        };
        let invitations = Condition::all().add(link_column(link).eq(link.id()));
        login_state(self.conn(), logins, invitations, self.now()).await
    }

    /// Invites every member of staff with an email and no login, and every contact of a
    /// school on record who has no login, in one transaction; nobody already invited (and
    /// waiting) is invited again, so a second run after the first invites nobody.
    pub async fn invite_everyone(&self, actor: &Actor, mail: &InvitationMail) -> Result<InvitedEveryone> {
        let now = self.now();
        let txn = self.write().await?;
        let logins: Vec<(String, Option<i64>)> = user::Entity::find()
            .select_only()
            .column(user::Column::Email)
            .column(user::Column::StaffId)
            .into_tuple()
            .all(&txn)
            .await?;
        let mut taken: HashSet<String> = logins.iter().map(|(e, _)| e.clone()).collect();
        let staff_with_login: HashSet<i64> = logins.iter().filter_map(|(_, s)| *s).collect();
        let waiting: Vec<(String, Option<i64>)> = invitation::Entity::find()
            .select_only()
            .column(invitation::Column::Email)
            .column(invitation::Column::StaffId)
            .filter(with_status(InvitationStatus::Pending, now))
            .into_tuple()
            .all(&txn)
            .await?;
        taken.extend(waiting.iter().map(|(e, _)| e.clone()));
        let staff_waiting: HashSet<i64> = waiting.iter().filter_map(|(_, s)| *s).collect();
        let mut done = InvitedEveryone::default();

        let people = staff::Entity::find()
            .filter(staff::Column::ArchivedAt.is_null())
            .order_by_asc(staff::Column::Id)
            .all(&txn)
            .await?;
        for s in people {
            let email = normalise_email(&s.email);
            if email.is_empty()
                || taken.contains(&email)
                || staff_with_login.contains(&s.id)
                || staff_waiting.contains(&s.id)
            {
                continue;
            }
            let name = format!("{} {}", s.first_name, s.last_name);
            let role = role_for_staff(&s.role);
            write_invitation(
                &txn,
                actor,
                mail,
                &email,
                &name,
                role,
                InvitationLink::Staff(s.id),
                None,
                now,
            )
            .await?;
            taken.insert(email);
            done.staff += 1;
        }

        let live_schools: HashSet<i64> = school::Entity::find()
            .select_only()
            .column(school::Column::Id)
            .filter(school::Column::ArchivedAt.is_null())
            .into_tuple::<i64>()
            .all(&txn)
            .await?
            .into_iter()
            .collect();
        let contacts = school_contact::Entity::find()
            .order_by_asc(school_contact::Column::Id)
            .all(&txn)
            .await?;
        for c in contacts {
            let email = normalise_email(&c.email);
            if !live_schools.contains(&c.school_id) || taken.contains(&email) {
                continue;
            }
            write_invitation(
                &txn,
                actor,
                mail,
                &email,
                &c.name,
                Role::School,
                InvitationLink::School(c.school_id),
                Some(c.id),
                now,
            )
            .await?;
            taken.insert(email);
            done.contacts += 1;
        }
        let summary = format!(
            "invited everyone without a login: {} staff, {} school contacts",
            done.staff, done.contacts
        );
        audit::commit(txn, actor, Action::Create, "invitation", None, summary).await?;
        Ok(done)
    }
}
