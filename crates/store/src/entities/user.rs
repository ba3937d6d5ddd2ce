//! The `users` table.
use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "users")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    #[sea_orm(unique)]
    pub email: String,
    pub name: String,
    pub password_hash: String,
    pub role: String,
    pub disabled: bool,
    pub email_verified_at: Option<TimeDateTimeWithTimeZone>,
    pub school_id: Option<i64>,
    pub staff_id: Option<i64>,
    pub pupil_id: Option<i64>,
    pub is_demo: bool,
    pub created_at: TimeDateTimeWithTimeZone,
    pub updated_at: TimeDateTimeWithTimeZone,
    pub password_changed_at: TimeDateTimeWithTimeZone,
    /// The TOTP secret (base32) once an authenticator app is confirmed.
    pub totp_secret: Option<String>,
    /// The last TOTP time step accepted, so that a code cannot be used twice.
    pub totp_last_step: Option<i64>,
    /// The user has a second factor: an authenticator app or a passkey.
    pub second_factor: bool,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
