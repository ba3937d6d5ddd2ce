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
