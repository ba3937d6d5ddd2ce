//! Integration tests: the real app on 127.0.0.1:0, a fresh database per test, spoken to over
//! HTTP. Every test runs on SQLite, and on PostgreSQL when TUTTI_TEST_POSTGRES_URL is set.
mod support;

/// Every test module runs its tests on both backends with this.
pub(crate) use tutti_store::on_both_backends;

mod accounts;
mod admin;
mod admissions;
mod allocation;
mod api;
mod api_schema;
mod archive;
mod billing;
mod content;
mod contract;
mod dashboard;
mod data_return;
mod ensemble_fees;
mod ensembles;
mod events;
mod go_live;
mod hours;
mod identity;
mod invitations;
mod lessons;
mod loans;
mod mail;
mod observability;
mod office;
mod online;
mod pages;
mod payments;
mod phone;
mod privacy;
mod progress;
mod progression;
mod record_views;
mod records;
mod refusals;
mod routes_matrix;
mod search;
mod second_factor;
mod security;
mod terms;
mod trust;
mod words;
