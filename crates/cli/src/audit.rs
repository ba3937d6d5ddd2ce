//! `tutti audit verify`: walks the audit log's hash chain and names every event changed,
//! removed or written around the writer (decision 0088). Exits 1 when anything is found.
use std::process::ExitCode;

use clap::Subcommand;

use crate::db::DbArgs;

#[derive(Subcommand, Debug)]
pub enum AuditCommand {
    /// Check that no audit event was changed or removed in the database.
    Verify(DbArgs),
}

pub async fn run(cmd: AuditCommand) -> anyhow::Result<ExitCode> {
    match cmd {
        AuditCommand::Verify(db) => {
            let store = db.open().await?;
            let found = store.verify_audit().await?;
            store.close().await;
            for f in &found.findings {
                say!("event {}: {}", f.id, f.fault.words());
            }
            if found.intact() {
                say!("{} audit events checked; the chain is intact", found.checked);
                Ok(ExitCode::SUCCESS)
            } else {
                say!(
                    "{} audit events checked; {} found at fault: the log was changed outside Tutti",
                    found.checked,
                    found.findings.len()
                );
                Ok(ExitCode::FAILURE)
            }
        }
    }
}
