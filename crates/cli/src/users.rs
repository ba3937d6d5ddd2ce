//! `tutti users`: accounts from the command line, such as the first admin of a real install.
use std::io::Read;
use std::process::ExitCode;

use anyhow::{Context, bail};
use clap::Subcommand;
use tutti_store::platform::accounts::{NewUser, Role};

use crate::db::DbArgs;

#[derive(Subcommand, Debug)]
pub enum UsersCommand {
    /// Create an account; the password is read from standard input.
    Create {
        #[command(flatten)]
        db: DbArgs,
        #[arg(long)]
        email: String,
        /// admin, manager, teacher, parent, pupil or school.
        #[arg(long)]
        role: String,
        /// The person's name (defaults to the part of the email before the @).
        #[arg(long)]
        name: Option<String>,
    },
    /// Remove every second factor of an account (authenticator app, passkeys, recovery
    /// codes), for someone who has lost them all. Admins and managers then enrol again.
    ResetSecondFactor {
        #[command(flatten)]
        db: DbArgs,
        #[arg(long)]
        email: String,
    },
    /// Invite someone to a login linked to a record: a member of staff (`--role teacher` or
    /// `manager`), a school (`--role school`) or a pupil (`--role pupil`). The invitation is
    /// emailed (through the outbox) with a link to choose a password, working for 7 days.
    Invite {
        #[command(flatten)]
        db: DbArgs,
        #[arg(long)]
        email: String,
        /// teacher, manager, school or pupil.
        #[arg(long)]
        role: String,
        /// The member of staff's record.
        #[arg(long, conflicts_with_all = ["school_id", "pupil_id"])]
        staff_id: Option<i64>,
        /// The school's record.
        #[arg(long, conflicts_with = "pupil_id")]
        school_id: Option<i64>,
        /// The pupil's record.
        #[arg(long)]
        pupil_id: Option<i64>,
        /// The name to greet them by, for a school invited by address.
        #[arg(long)]
        name: Option<String>,
        /// The address people use to reach the hub, for the link in the email.
        #[arg(long, env = "TUTTI_PUBLIC_URL", default_value = "http://127.0.0.1:8080")]
        public_url: String,
        /// The hub's name, for the email's words.
        #[arg(long, env = "TUTTI_HUB_NAME", default_value = "Tutti Music Hub")]
        hub_name: String,
    },
    /// Create a personal API token for an account and print it (it is shown only once).
    Token {
        #[command(flatten)]
        db: DbArgs,
        #[arg(long)]
        email: String,
        /// A name to recognise the token by.
        #[arg(long, default_value = "command line")]
        name: String,
        /// What the token may do: `read`, or `read-write` (the default).
        #[arg(long, default_value = "read-write")]
        scope: String,
        /// How many days the token lives (at most 366).
        #[arg(long, default_value_t = 90)]
        days: i64,
    },
}

pub async fn run(cmd: UsersCommand) -> anyhow::Result<ExitCode> {
    match cmd {
        UsersCommand::ResetSecondFactor { db, email } => {
            let store = db.open().await?;
            let Some(user) = store.user_by_email(&email).await? else {
                bail!("no account has the email {email}");
            };
            store
                .reset_second_factors(&tutti_store::platform::audit::Actor::cli(), user.id)
                .await?;
            store.close().await;
            eprintln!(
                "Second factors of {} removed; they set up a new one at /account/security.",
                user.email
            );
            Ok(ExitCode::SUCCESS)
        }
        UsersCommand::Invite {
            db,
            email,
            role,
            staff_id,
            school_id,
            pupil_id,
            name,
            public_url,
            hub_name,
        } => {
            let Some(role) = Role::parse(&role).filter(|r| !matches!(r, Role::Admin | Role::Parent)) else {
                bail!("--role must be one of teacher, manager, school or pupil (got {role:?})");
            };
            let email = tutti_domain::validate::EmailAddress::parse(&email)
                .map_err(|e| anyhow::anyhow!("--email: {e}"))?
                .to_string();
            let link = tutti_domain::invitations::InvitationLink::from_ids(staff_id, school_id, pupil_id)
                .map_err(|_| anyhow::anyhow!("give exactly one of --staff-id, --school-id or --pupil-id"))?;
            let store = db.open().await?;
            let new = tutti_store::platform::invitations::NewInvitation {
                email,
                role,
                link,
                name,
            };
            let mail = tutti_store::platform::invitations::InvitationMail {
                hub: hub_name,
                public_url,
            };
            let sent = store
                .invite(
                    &tutti_store::platform::audit::Actor::cli(),
                    &tutti_store::records::pupils::PupilScope::All,
                    &new,
                    &mail,
                )
                .await;
            store.close().await;
            let sent = match sent {
                Ok(sent) => sent,
                Err(tutti_store::StoreError::NotFound) => bail!("no record has the {link}"),
                Err(tutti_store::StoreError::Refused(r)) => bail!("{r}"),
                Err(e) => return Err(e.into()),
            };
            println!(
                "Invited {} as {} (invitation {}); the link works until {}.",
                sent.email,
                sent.role.label().to_lowercase(),
                sent.id,
                sent.expires_at
                    .format(&time::format_description::well_known::Rfc3339)
                    .unwrap_or_default()
            );
            Ok(ExitCode::SUCCESS)
        }
        UsersCommand::Token {
            db,
            email,
            name,
            scope,
            days,
        } => {
            let Some(scope) = tutti_store::platform::api_tokens::TokenScope::parse(&scope) else {
                bail!("--scope must be read or read-write (got {scope:?})");
            };
            if !(1..=366).contains(&days) {
                bail!("--days must be from 1 to 366 (got {days})");
            }
            let store = db.open().await?;
            let Some(user) = store.user_by_email(&email).await? else {
                bail!("no account has the email {email}");
            };
            let actor = tutti_store::platform::audit::Actor::cli();
            let secret = store
                .create_scoped_api_token(&actor, user.id, &name, scope, time::Duration::days(days))
                .await?;
            store.close().await;
            eprintln!(
                "API token for {} ({}), {}, for {days} days; send it as `Authorization: Bearer TOKEN`:",
                user.email,
                user.role.label(),
                scope.label().to_lowercase()
            );
            println!("{secret}");
            Ok(ExitCode::SUCCESS)
        }
        UsersCommand::Create { db, email, role, name } => {
            let Some(role) = Role::parse(&role) else {
                bail!("--role must be one of admin, manager, teacher, parent, pupil or school (got {role:?})");
            };
            let email = tutti_domain::validate::EmailAddress::parse(&email)
                .map_err(|e| anyhow::anyhow!("--email: {e}"))?
                .to_string();
            let mut password = String::new();
            std::io::stdin()
                .read_to_string(&mut password)
                .context("could not read the password from standard input")?;
            let password = password.trim_end_matches(['\r', '\n']).to_owned();
            tutti_domain::validate::check_password(&password).map_err(|e| anyhow::anyhow!("password: {e}"))?;
            let store = db.open().await?;
            let name = name.unwrap_or_else(|| email.split('@').next().unwrap_or(&email).to_owned());
            let user = store
                .create_user(NewUser {
                    email,
                    name,
                    password,
                    role,
                    email_verified: true,
                    school_id: None,
                    staff_id: None,
                    pupil_id: None,
                    is_demo: false,
                })
                .await?;
            println!("Created {} ({}), account {}.", user.email, user.role.label(), user.id);
            store.close().await;
            Ok(ExitCode::SUCCESS)
        }
    }
}
