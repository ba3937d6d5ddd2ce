//! `tutti timetable`: solve, check and generate timetable instances (TIMETABLING.md).
use clap::Subcommand;

#[derive(Debug, Subcommand)]
pub enum TimetableCommand {}

pub fn run(command: TimetableCommand) -> anyhow::Result<std::process::ExitCode> {
    match command {}
}
