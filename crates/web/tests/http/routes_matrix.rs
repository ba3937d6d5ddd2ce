//! Every route's rule, proved. The table of routes comes from the app itself
//! (`tutti_web::route_table`), built from the same audiences as the router; every path in it
//! has a rule declared below, saying who may reach it and what the owner-less caller gets on
//! another family's, teacher's or school's record. Each route is then called as anonymous and
//! as each of the six roles (a browser session, and for the JSON API a bearer token too), with
//! GET and POST (and the API's other methods), and every answer is checked against its rule.
//! No call carries a CSRF token, so no browser call may change anything; that is checked too.
//!
//! A new route without a rule fails this test, and so does a rule for a route that has gone.
//! A route found to break its rule is never declared to match what it does: its row is marked
//! `// KNOWN HOLE: …` and keeps the answer it should give, so this test fails until it is fixed.
use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::sync::{Arc, Mutex};
use std::time::Instant;

use reqwest::redirect::Policy;
use reqwest::{Client, Method};
use time::macros::date;
use tutti_domain::Pence;
use tutti_domain::billing::PayerKey;
use tutti_domain::calendar::{AcademicYear, TermId};
use tutti_domain::lessons::LessonType;
use tutti_domain::schools::BillingMethod;
use tutti_store::Store;
use tutti_store::content::Kind;
use tutti_store::money::billing::invoices::InvoiceFilter;
use tutti_store::platform::accounts::Role;
use tutti_store::platform::audit::Actor;
use tutti_store::records::pupils::PupilScope;
use tutti_store::sea_orm::{ConnectionTrait, Statement};
use tutti_store::teaching::lessons::{NoteReader, TimetableOf};
use tutti_store::testing::world::{
    PASSWORD, a_contact_at, a_family, a_group, a_loan, a_manager, a_page, a_pupil_login, a_school, a_school_contact,
    a_teacher, an_admin, an_application, an_enrolment, an_instrument,
};
use tutti_web::AccessRule;

use crate::on_both_backends;
use crate::support::{Backend, TestApp};

on_both_backends!(every_route_answers_by_its_declared_rule);

/// The six roles, in the order of every per-role array below (and of the accounts `world`
/// makes for them).
const ROLES: [Role; 6] = [
    Role::Admin,
    Role::Manager,
    Role::Teacher,
    Role::Parent,
    Role::School,
    Role::Pupil,
];

/// A Wednesday early in the autumn term of 2026, the day the matrix is run on.
const DAY: time::Date = date!(2026 - 09 - 16);

const ADMIN: &[Role] = &[Role::Admin];
const OFFICE: &[Role] = &[Role::Admin, Role::Manager];
const STAFF: &[Role] = &[Role::Teacher, Role::Admin, Role::Manager];
const TEACHER: &[Role] = &[Role::Teacher];
const PARENT: &[Role] = &[Role::Parent];
const SCHOOL: &[Role] = &[Role::School];
const PAYERS: &[Role] = &[Role::Admin, Role::Manager, Role::Parent, Role::School];
const MARKERS: &[Role] = &[Role::Admin, Role::Manager, Role::Teacher];
const EVERYONE: &[Role] = &[
    Role::Admin,
    Role::Manager,
    Role::Teacher,
    Role::Parent,
    Role::School,
    Role::Pupil,
];

/// What a caller must get.
#[derive(Clone, Copy, Debug, PartialEq)]
enum Want {
    /// Exactly this status.
    Is(u16),
    /// One of these.
    OneOf(&'static [u16]),
    /// Past every access check: the handler answered, with success or a complaint about the
    /// request itself (400, 404 for a missing record, 409, 415, 422), never 401, 403 or 405.
    Reached,
    /// 303 to `/login?next=` and the address asked for.
    Login,
}

/// The rule a route's audience applies, as declared here (compared with the app's own).
#[derive(Clone, Copy, Debug, PartialEq)]
enum Gate {
    Public,
    SignedIn,
    Roles(&'static [Role]),
}

impl Gate {
    fn matches(self, rule: &AccessRule) -> bool {
        match (self, rule) {
            (Gate::Public, AccessRule::Public) | (Gate::SignedIn, AccessRule::SignedIn) => true,
            (Gate::Roles(mine), AccessRule::Roles(theirs)) => {
                mine.len() == theirs.len() && mine.iter().all(|r| theirs.contains(r))
            }
            _ => false,
        }
    }

    fn admits(self, role: Role) -> bool {
        match self {
            Gate::Public | Gate::SignedIn => true,
            Gate::Roles(roles) => roles.contains(&role),
        }
    }
}

/// One route's declared rule.
#[derive(Clone, Debug)]
struct Rule {
    pattern: &'static str,
    /// What kind of rule this is, for the summary.
    kind: &'static str,
    gate: Gate,
    /// The address called: the pattern with its `{…}` segments filled from the test's world
    /// (`{pupil}` is another family's pupil, and so on: see `rules`), and perhaps a query.
    url: &'static str,
    /// More addresses of the same route, with the same rule (another query, say).
    also: &'static [&'static str],
    /// What an anonymous GET gets (public routes only).
    anon_get: Want,
    /// What an anonymous or signed-in POST without a CSRF token gets (public routes: 403,
    /// and the webhook, which carries no session, its own answer).
    public_post: Want,
    /// A GET by each role that the gate admits, in `ROLES` order.
    get: [Want; 6],
    /// For the API: the methods other than GET that the route serves, and for each body
    /// sent to them (an empty JSON object, and perhaps one naming another's record, with
    /// `$name` for an id), what each role's bearer token gets.
    writes: &'static [&'static str],
    probes: Vec<(&'static str, [Want; 6])>,
}

impl Rule {
    fn new(pattern: &'static str, gate: Gate, kind: &'static str) -> Rule {
        Rule {
            pattern,
            kind,
            gate,
            url: pattern,
            also: &[],
            anon_get: Want::Is(200),
            public_post: Want::Is(403),
            get: [Want::Is(200); 6],
            writes: &[],
            probes: vec![("{}", [Want::Is(405); 6])],
        }
    }

    fn url(mut self, url: &'static str) -> Rule {
        self.url = url;
        self
    }

    fn also(mut self, urls: &'static [&'static str]) -> Rule {
        self.also = urls;
        self
    }

    /// Another body for the API's writes, its answers at first those of the last body's.
    fn probe(mut self, body: &'static str) -> Rule {
        let wants = self.probes.last().unwrap().1;
        self.probes.push((body, wants));
        self
    }

    /// GET for these roles.
    fn get(mut self, roles: &[Role], want: Want) -> Rule {
        for (i, role) in ROLES.iter().enumerate() {
            if roles.contains(role) {
                self.get[i] = want;
            }
        }
        self
    }

    /// GET for everyone, anonymous included.
    fn all_get(mut self, want: Want) -> Rule {
        self.anon_get = want;
        self.get = [want; 6];
        self
    }

    /// The route serves POST only: a GET is 405 for whoever passes the gate.
    fn post_only(self) -> Rule {
        let anon = if self.gate == Gate::Public {
            Want::Is(405)
        } else {
            self.anon_get
        };
        let mut r = self.all_get(Want::Is(405));
        r.anon_get = anon;
        r
    }

    /// API methods besides GET, and what every role gets on them (with the last body).
    fn writes(mut self, methods: &'static [&'static str], want: Want) -> Rule {
        self.writes = methods;
        self.probes.last_mut().unwrap().1 = [want; 6];
        self
    }

    /// Writes by these roles (with the last body).
    fn write(mut self, roles: &[Role], want: Want) -> Rule {
        let wants = &mut self.probes.last_mut().unwrap().1;
        for (i, role) in ROLES.iter().enumerate() {
            if roles.contains(role) {
                wants[i] = want;
            }
        }
        self
    }
}

// ---- the rule kinds ----

/// Anyone may GET it; a POST without a token is refused.
fn public(pattern: &'static str) -> Rule {
    Rule::new(pattern, Gate::Public, "public")
}

/// Any signed-in account; their own things only.
fn signed_in(pattern: &'static str) -> Rule {
    Rule::new(pattern, Gate::SignedIn, "signed in (own things)")
}

/// A page for some roles: the rest get 403, anonymous goes to log in.
fn page(pattern: &'static str, roles: &'static [Role]) -> Rule {
    let kind = if roles == OFFICE || roles == ADMIN {
        "office page (every record)"
    } else {
        "role page (own records)"
    };
    Rule::new(pattern, Gate::Roles(roles), kind)
}

/// A page for some roles where the record is another's: `owners` (roles that reach only their
/// own) get `foreign`; the others the gate admits see every record.
fn scoped_page(pattern: &'static str, roles: &'static [Role], owners: &[Role], foreign: u16) -> Rule {
    let mut r = page(pattern, roles).get(owners, Want::Is(foreign));
    r.kind = if foreign == 404 {
        "role page, another's record: 404"
    } else {
        "role page, another's record: 403"
    };
    r
}

/// The JSON API, office roles only: others get a JSON 403 from the handler.
fn api_office(pattern: &'static str) -> Rule {
    Rule::new(pattern, Gate::SignedIn, "API, office only (403)")
        .get(EVERYONE, Want::Is(403))
        .get(OFFICE, Want::Is(200))
        .writes(&[], Want::Is(405))
}

/// The JSON API naming another's record: the office sees it, everyone else gets 404.
fn api_scoped(pattern: &'static str) -> Rule {
    Rule::new(pattern, Gate::SignedIn, "API, another's record: 404")
        .get(EVERYONE, Want::Is(404))
        .get(OFFICE, Want::Is(200))
}

/// Every declared rule. Ids in addresses (see `world`): {pupil} a pupil of another family (not
/// the parent's child, not at the school contact's school, not taught by the teacher, not the
/// pupil who logs in), {guardian} that pupil's guardian, {enrolment} and {application} that
/// family's, {invoice} that family's invoice, {lesson} and {group} another teacher's, {staff}
/// another teacher, {school} another school, {exam} the other pupil's exam entry, and so on.
fn rules() -> Vec<Rule> {
    use Want::*;
    vec![
        // ---- public: health, assets, content ----
        public("/healthz"),
        public("/readyz"),
        // Open to the metrics token or a caller on this machine, as every call here is (the
        // refusal of anyone else is proved in observability.rs).
        public("/metrics"),
        public("/static/{name}").url("/static/site.css"),
        public("/"),
        public("/news"),
        public("/news/feed.atom"),
        public("/news/{slug}").url("/news/{news}"),
        public("/episodes"),
        public("/episodes/{slug}").url("/episodes/{episode}"),
        public("/resources"),
        public("/resources/{slug}").url("/resources/{resource}"),
        public("/podcast"),
        public("/podcast/feed.xml"),
        public("/podcast/{slug}").url("/podcast/{podcast}"),
        public("/vacancies"),
        public("/vacancies/{slug}").url("/vacancies/{vacancy}"),
        public("/faqs"),
        public("/prices"),
        public("/reports-and-policies"),
        public("/files/{id}/{name}")
            .url("/files/999999/nothing.pdf")
            .all_get(Is(404)),
        public("/search"),
        public("/sitemap"),
        public("/sitemap.xml"),
        public("/robots.txt"),
        public("/contact"),
        public("/{*path}").url("/no-such-page-anywhere").all_get(Is(404)),
        public("/api/openapi.json"),
        // The hub here has an admin: setup is gone, for everyone.
        public("/setup").url("/setup?code=forged").all_get(Is(404)),
        // This hub has no logo.
        public("/hub/logo").all_get(Is(404)),
        public("/calendar/{file}")
            .url("/calendar/not-a-feed.ics")
            .all_get(Is(404)),
        // ---- public: accounts ----
        // Signed in, the login form sends you on to your account.
        public("/login").get(EVERYONE, Is(303)),
        public("/logout").post_only(),
        public("/signup"),
        // A forged link is a 400 page saying it has expired or was already used.
        public("/verify-email")
            .url("/verify-email?token=forged")
            .all_get(Is(400)),
        public("/forgot-password"),
        // A forged invitation link is a 400 page saying the link does not work.
        public("/invitations/accept")
            .url("/invitations/accept?token=forged")
            .all_get(Is(400)),
        public("/reset-password")
            .url("/reset-password?token=forged")
            .all_get(Is(400)),
        // Nobody here owes a second factor: on to `next` (the account).
        public("/login/second-factor").all_get(Is(303)),
        public("/login/second-factor/passkey/options").post_only(),
        public("/login/second-factor/passkey").post_only(),
        // ---- public: payments ----
        public("/basket"),
        // The provider's webhook has no session: its signature is its proof (400 without);
        // with no provider configured, as here, there is no webhook (404).
        {
            let mut r = public("/payments/webhook").post_only();
            r.public_post = OneOf(&[400, 404]);
            r
        },
        // Anyone may donate; a guest pays by card at once (decision 0086).
        public("/donate"),
        public("/pay/test/{session}")
            .url("/pay/test/cs_test_forged")
            .all_get(Is(404)),
        public("/pay/test/{session}/pay")
            .url("/pay/test/cs_test_forged/pay")
            .post_only(),
        public("/pay/test/{session}/cancel")
            .url("/pay/test/cs_test_forged/cancel")
            .post_only(),
        // ---- signed in: the account ----
        signed_in("/account"),
        signed_in("/account/password"),
        signed_in("/account/resend-verification").post_only(),
        signed_in("/account/security"),
        signed_in("/account/security/totp").post_only(),
        signed_in("/account/security/totp/remove").post_only(),
        signed_in("/account/security/recovery-codes").post_only(),
        signed_in("/account/security/passkeys/options").post_only(),
        signed_in("/account/security/passkeys").post_only(),
        signed_in("/account/security/passkeys/{id}/remove")
            .url("/account/security/passkeys/{passkey}/remove")
            .post_only(),
        signed_in("/account/tokens"),
        // Another user's token (the admin's).
        signed_in("/account/tokens/{id}/revoke")
            .url("/account/tokens/{token}/revoke")
            .post_only(),
        signed_in("/account/calendar"),
        // ---- signed in: basket and invoices ----
        signed_in("/basket/checkout").post_only(),
        signed_in("/basket/items/{id}/remove")
            .url("/basket/items/{basket_item}/remove")
            .post_only(),
        signed_in("/basket/invoices/{id}")
            .url("/basket/invoices/{invoice}")
            .post_only(),
        // No checkout of yours with that reference: 404.
        signed_in("/basket/return")
            .url("/basket/return?reference=forged")
            .all_get(Is(404)),
        // Another family's invoice as PDF: 404 for everyone, the office included (theirs is
        // /admin/invoices/{id}/invoice.pdf).
        {
            let mut r = signed_in("/account/invoices/{id}")
                .url("/account/invoices/{invoice}.pdf")
                .also(&["/account/invoices/{school_invoice}.pdf"])
                .all_get(Is(404));
            r.kind = "signed in, another's record: 404";
            r
        },
        // Paying part of another family's (or school's) invoice: 404 for everyone.
        {
            let mut r = signed_in("/account/invoices/{id}/pay")
                .url("/account/invoices/{invoice}/pay")
                .also(&["/account/invoices/{school_invoice}/pay"])
                .all_get(Is(404));
            r.kind = "signed in, another's record: 404";
            r
        },
        // ---- admin only ----
        page("/admin", OFFICE),
        page("/admin/users", ADMIN),
        page("/admin/users/{id}", ADMIN).url("/admin/users/{user}"),
        page("/admin/users/{id}/role", ADMIN)
            .url("/admin/users/{user}/role")
            .post_only(),
        page("/admin/users/{id}/disabled", ADMIN)
            .url("/admin/users/{user}/disabled")
            .post_only(),
        page("/admin/content", ADMIN),
        page("/admin/content/new", ADMIN),
        page("/admin/content/{id}", ADMIN).url("/admin/content/{content}"),
        page("/admin/content/{id}/delete", ADMIN)
            .url("/admin/content/{content}/delete")
            .post_only(),
        page("/admin/content/{id}/file", ADMIN)
            .url("/admin/content/{content}/file")
            .post_only(),
        // ---- office: records ----
        page("/admin/outbox", OFFICE),
        page("/admin/settings", ADMIN),
        page("/admin/settings/logo", ADMIN).post_only(),
        page("/admin/settings/logo/remove", ADMIN).post_only(),
        page("/admin/records", OFFICE),
        page("/admin/audit", OFFICE),
        page("/admin/lookup/{kind}", OFFICE)
            .url("/admin/lookup/pupils?q=a")
            .also(&[
                "/admin/lookup/schools?q=a",
                "/admin/lookup/staff?q=a",
                "/admin/lookup/instruments?q=a",
            ]),
        page("/admin/search", OFFICE).url("/admin/search?q=a"),
        page("/admin/schools", OFFICE),
        page("/admin/schools/new", OFFICE),
        page("/admin/schools/{id}", OFFICE).url("/admin/schools/{school}"),
        page("/admin/schools/{id}/edit", OFFICE).url("/admin/schools/{school}/edit"),
        page("/admin/schools/{id}/archive", OFFICE)
            .url("/admin/schools/{school}/archive")
            .post_only(),
        page("/admin/schools/{id}/restore", OFFICE)
            .url("/admin/schools/{school}/restore")
            .post_only(),
        page("/admin/schools/{id}/timetable", OFFICE).url("/admin/schools/{school}/timetable"),
        page("/admin/schools/{id}/hours", OFFICE).url("/admin/schools/{school}/hours"),
        // ---- office: the year ----
        page("/admin/terms", OFFICE).also(&["/admin/terms?authority=Nowhere&year=2027-28"]),
        page("/admin/terms/new", OFFICE),
        page("/admin/terms/copy", OFFICE).post_only(),
        page("/admin/terms/{id}/edit", OFFICE).url("/admin/terms/{term_dates}/edit"),
        page("/admin/terms/{id}/delete", OFFICE)
            .url("/admin/terms/{term_dates}/delete")
            .post_only(),
        page("/admin/closures/new", OFFICE),
        page("/admin/closures/{id}/delete", OFFICE)
            .url("/admin/closures/{closure}/delete")
            .post_only(),
        page("/admin/pupils", OFFICE),
        page("/admin/pupils/new", OFFICE),
        page("/admin/pupils/{id}", OFFICE).url("/admin/pupils/{pupil}"),
        page("/admin/pupils/{id}/edit", OFFICE).url("/admin/pupils/{pupil}/edit"),
        page("/admin/pupils/{id}/archive", OFFICE)
            .url("/admin/pupils/{pupil}/archive")
            .post_only(),
        page("/admin/pupils/{id}/archive/preview", OFFICE).url("/admin/pupils/{pupil}/archive/preview"),
        page("/admin/pupils/{id}/archive/confirm", OFFICE)
            .url("/admin/pupils/{pupil}/archive/confirm")
            .post_only(),
        page("/admin/pupils/{id}/restore", OFFICE)
            .url("/admin/pupils/{pupil}/restore")
            .post_only(),
        page("/admin/pupils/bulk", OFFICE).post_only(),
        page("/admin/pupils/bulk/confirm", OFFICE).post_only(),
        page("/admin/guardians/{id}", OFFICE).url("/admin/guardians/{guardian}"),
        page("/admin/pupils/{id}/guardians/new", OFFICE).url("/admin/pupils/{pupil}/guardians/new"),
        page("/admin/pupils/{id}/guardians/{gid}/remove", OFFICE)
            .url("/admin/pupils/{pupil}/guardians/{guardian}/remove")
            .post_only(),
        page("/admin/staff", OFFICE),
        page("/admin/staff/new", OFFICE),
        page("/admin/staff/{id}", OFFICE).url("/admin/staff/{staff}"),
        page("/admin/staff/{id}/edit", OFFICE).url("/admin/staff/{staff}/edit"),
        page("/admin/staff/{id}/archive", OFFICE)
            .url("/admin/staff/{staff}/archive")
            .post_only(),
        page("/admin/staff/{id}/restore", OFFICE)
            .url("/admin/staff/{staff}/restore")
            .post_only(),
        page("/admin/staff/{id}/availability", OFFICE).url("/admin/staff/{staff}/availability"),
        page("/admin/staff/{id}/invite", OFFICE)
            .url("/admin/staff/{staff}/invite")
            .post_only(),
        page("/admin/schools/{id}/contacts/new", OFFICE).url("/admin/schools/{school}/contacts/new"),
        page("/admin/schools/{id}/contacts/{contact}/edit", OFFICE)
            .url("/admin/schools/{school}/contacts/{contact}/edit"),
        page("/admin/schools/{id}/contacts/{contact}/remove", OFFICE)
            .url("/admin/schools/{school}/contacts/{contact}/remove")
            .post_only(),
        page("/admin/schools/{id}/contacts/{contact}/invite", OFFICE)
            .url("/admin/schools/{school}/contacts/{contact}/invite")
            .post_only(),
        page("/admin/invitations", OFFICE),
        page("/admin/invitations/everyone", OFFICE).post_only(),
        page("/admin/invitations/{id}/resend", OFFICE)
            .url("/admin/invitations/{invitation}/resend")
            .post_only(),
        page("/admin/invitations/{id}/withdraw", OFFICE)
            .url("/admin/invitations/{invitation}/withdraw")
            .post_only(),
        page("/admin/instruments", OFFICE),
        page("/admin/instruments/new", OFFICE),
        page("/admin/instruments/{id}", OFFICE).url("/admin/instruments/{instrument}"),
        page("/admin/instruments/{id}/edit", OFFICE).url("/admin/instruments/{instrument}/edit"),
        page("/admin/instruments/{id}/archive", OFFICE)
            .url("/admin/instruments/{instrument}/archive")
            .post_only(),
        page("/admin/instruments/{id}/restore", OFFICE)
            .url("/admin/instruments/{instrument}/restore")
            .post_only(),
        page("/admin/loans", OFFICE),
        page("/admin/instruments/{id}/lend", OFFICE)
            .url("/admin/instruments/{instrument}/lend")
            .post_only(),
        page("/admin/loans/{id}/return", OFFICE)
            .url("/admin/loans/{loan}/return")
            .post_only(),
        page("/admin/loans/{id}/move", OFFICE)
            .url("/admin/loans/{loan}/move")
            .post_only(),
        page("/admin/loans/{id}/lost", OFFICE)
            .url("/admin/loans/{loan}/lost")
            .post_only(),
        page("/admin/loans/{id}/damaged", OFFICE)
            .url("/admin/loans/{loan}/damaged")
            .post_only(),
        // ---- office: the data return (decision 0090) ----
        page("/admin/reports/data-return", OFFICE).also(&["/admin/reports/data-return?year=2025-26"]),
        page("/admin/reports/data-return/download", OFFICE).also(&["/admin/reports/data-return/download?format=xlsx"]),
        page("/admin/reports/data-return/{key}", OFFICE).url("/admin/reports/data-return/pupils_in_lessons"),
        // Progression and attendance (decision 0095).
        page("/admin/reports/progression", OFFICE).also(&["/admin/reports/progression?year=2025-26"]),
        page("/admin/reports/progression/pupils", OFFICE)
            .also(&["/admin/reports/progression/pupils?flag=fsm&continued=no"]),
        page("/admin/reports/progression/download", OFFICE),
        page("/admin/reports/attendance", OFFICE),
        page("/admin/reports/attendance/ensembles/{id}", OFFICE).url("/admin/reports/attendance/ensembles/{ensemble}"),
        page("/admin/dashboard", OFFICE),
        page("/school/dashboard", SCHOOL),
        page("/admin/imports", OFFICE),
        page("/admin/imports/preview", OFFICE).post_only(),
        page("/admin/imports/commit", OFFICE).post_only(),
        // ---- office: lessons, allocation, timetable ----
        page("/admin/lessons/at-risk", OFFICE),
        page("/admin/allocation", OFFICE),
        page("/admin/allocation/place", OFFICE).post_only(),
        // A whole-class programme bought by a school, placed by the office (decision 0094).
        page("/admin/allocation/programmes/{id}/place", OFFICE)
            .url("/admin/allocation/programmes/987654/place")
            .post_only(),
        page("/admin/allocation/groups/{id}/add", OFFICE)
            .url("/admin/allocation/groups/{group}/add")
            .post_only(),
        page("/admin/allocation/groups/{id}/pin", OFFICE)
            .url("/admin/allocation/groups/{group}/pin")
            .post_only(),
        page("/admin/allocation/groups/{id}/online", OFFICE)
            .url("/admin/allocation/groups/{group}/online")
            .post_only(),
        page("/admin/cancellations", OFFICE),
        page("/admin/cancellations/day", OFFICE).post_only(),
        page("/admin/cancellations/{id}/make-up", OFFICE)
            .url("/admin/cancellations/{lesson}/make-up")
            .post_only(),
        page("/admin/timetable/proposals", OFFICE),
        page("/admin/timetable/proposals/{id}", OFFICE).url("/admin/timetable/proposals/{proposal}"),
        page("/admin/timetable/proposals/{id}/status", OFFICE).url("/admin/timetable/proposals/{proposal}/status"),
        page("/admin/timetable/proposals/{id}/accept", OFFICE)
            .url("/admin/timetable/proposals/{proposal}/accept")
            .post_only(),
        // ---- office: admissions ----
        page("/admin/tuition-offer", OFFICE),
        page("/admin/tuition-offer/{id}/withdraw", OFFICE)
            .url("/admin/tuition-offer/{offer}/withdraw")
            .post_only(),
        page("/admin/waiting-lists", OFFICE),
        page("/admin/waiting-lists/priority", OFFICE).post_only(),
        page("/admin/applications", OFFICE).post_only(),
        page("/admin/applications/{id}/offer", OFFICE)
            .url("/admin/applications/{application}/offer")
            .post_only(),
        // ---- office: billing and payments ----
        page("/admin/billing", OFFICE),
        page("/admin/billing/preview", OFFICE).post_only(),
        page("/admin/billing/run", OFFICE).post_only(),
        // No such run in this process: 404.
        page("/admin/billing/progress/{job}", OFFICE)
            .url("/admin/billing/progress/987654321")
            .get(OFFICE, Is(404)),
        page("/admin/billing/invoices", OFFICE),
        page("/admin/billing/invoices/{id}", OFFICE)
            .url("/admin/billing/invoices/{invoice}")
            .also(&["/admin/billing/invoices/{school_invoice}"]),
        page("/admin/billing/policies/{year}", OFFICE).url("/admin/billing/policies/{year}"),
        page("/admin/billing/policies/{year}/import", OFFICE)
            .url("/admin/billing/policies/{year}/import")
            .post_only(),
        page("/admin/billing/policies/{year}/export", OFFICE).url("/admin/billing/policies/{year}/export"),
        page("/admin/payments", OFFICE),
        page("/admin/invoices/{id}/payments", OFFICE).url("/admin/invoices/{invoice}/payments"),
        page("/admin/invoices/{id}/refunds", OFFICE)
            .url("/admin/invoices/{invoice}/refunds")
            .post_only(),
        page("/admin/invoices/{id}/invoice.pdf", OFFICE).url("/admin/invoices/{invoice}/invoice.pdf"),
        page("/admin/payments/credits", OFFICE).post_only(),
        page("/admin/donations", OFFICE),
        page("/admin/agreements", OFFICE),
        page("/admin/agreements/new", OFFICE),
        page("/admin/agreements/journal.csv", OFFICE).url("/admin/agreements/journal.csv?term={term}"),
        page("/admin/direct-debit", OFFICE),
        page("/admin/direct-debit/new", OFFICE),
        page("/admin/direct-debit/collection.csv", OFFICE).url("/admin/direct-debit/collection.csv?date={from}"),
        // ---- staff: progress ----
        page("/progress/pupils", STAFF),
        scoped_page("/progress/pupils/{id}", STAFF, TEACHER, 404).url("/progress/pupils/{pupil}"),
        page("/progress/pupils/{id}/exams", STAFF)
            .url("/progress/pupils/{pupil}/exams")
            .post_only(),
        page("/progress/pupils/{id}/report", STAFF)
            .url("/progress/pupils/{pupil}/report")
            .post_only(),
        page("/progress/exams/{id}/result", STAFF)
            .url("/progress/exams/{exam}/result")
            .post_only(),
        // ---- teachers ----
        page("/teacher/day", TEACHER),
        page("/teacher/week", TEACHER),
        page("/teacher/lessons/{id}/mark", TEACHER)
            .url("/teacher/lessons/{lesson}/mark")
            .post_only(),
        page("/teacher/lessons/{id}/outcome", TEACHER)
            .url("/teacher/lessons/{lesson}/outcome")
            .post_only(),
        page("/teacher/lessons/{id}/note", TEACHER)
            .url("/teacher/lessons/{lesson}/note")
            .post_only(),
        // ---- parents ----
        page("/parent/timetable", PARENT),
        page("/parent/progress", PARENT),
        page("/parent/invoices", PARENT),
        scoped_page("/parent/invoices/{id}", PARENT, PARENT, 404)
            .url("/parent/invoices/{invoice}")
            .also(&["/parent/invoices/{school_invoice}"]),
        page("/parent/applications", PARENT),
        page("/parent/applications/{id}/accept", PARENT)
            .url("/parent/applications/{application}/accept")
            .post_only(),
        page("/parent/applications/{id}/decline", PARENT)
            .url("/parent/applications/{application}/decline")
            .post_only(),
        page("/parent/enrolments", PARENT),
        page("/parent/logins", PARENT),
        page("/parent/loans", PARENT),
        // Another family's loan and its agreement.
        scoped_page("/parent/loans/{id}", PARENT, PARENT, 404).url("/parent/loans/{loan}"),
        page("/parent/loans/{id}/accept", PARENT)
            .url("/parent/loans/{loan}/accept")
            .post_only(),
        scoped_page("/parent/enrolments/{id}/notice", PARENT, PARENT, 404).url("/parent/enrolments/{enrolment}/notice"),
        // ---- schools ----
        page("/school/timetable", SCHOOL),
        page("/school/invoices", SCHOOL),
        scoped_page("/school/invoices/{id}", SCHOOL, SCHOOL, 404)
            .url("/school/invoices/{invoice}")
            .also(&["/school/invoices/{school_invoice}"]),
        page("/school/applications", SCHOOL),
        // ---- the JSON API: records ----
        api_office("/api/v1/schools")
            .writes(&["POST"], Is(403))
            .write(OFFICE, Is(422)),
        api_office("/api/v1/schools/{id}")
            .url("/api/v1/schools/{school}")
            .writes(&["PUT"], Is(403))
            .write(OFFICE, Is(422)),
        api_office("/api/v1/schools/{id}/archive")
            .url("/api/v1/schools/{school}/archive")
            .post_only()
            .writes(&["POST"], Is(403))
            .write(OFFICE, Reached),
        api_office("/api/v1/schools/{id}/restore")
            .url("/api/v1/schools/{school}/restore")
            .post_only()
            .writes(&["POST"], Is(403))
            .write(OFFICE, Reached),
        // Everyone lists the pupils they may see.
        Rule::new("/api/v1/pupils", Gate::SignedIn, "API, scoped list")
            .writes(&["POST"], Is(403))
            .write(OFFICE, Is(422)),
        api_scoped("/api/v1/pupils/{id}")
            .url("/api/v1/pupils/{pupil}")
            .writes(&["PUT"], Is(403))
            .write(OFFICE, Is(422)),
        api_office("/api/v1/pupils/{id}/archive")
            .url("/api/v1/pupils/{pupil}/archive")
            .post_only()
            .writes(&["POST"], Is(403))
            .write(OFFICE, Reached),
        api_office("/api/v1/pupils/{id}/restore")
            .url("/api/v1/pupils/{pupil}/restore")
            .post_only()
            .writes(&["POST"], Is(403))
            .write(OFFICE, Reached),
        api_office("/api/v1/staff")
            .writes(&["POST"], Is(403))
            .write(OFFICE, Is(422)),
        api_office("/api/v1/staff/{id}")
            .url("/api/v1/staff/{staff}")
            .writes(&["PUT"], Is(403))
            .write(OFFICE, Is(422)),
        api_office("/api/v1/staff/{id}/archive")
            .url("/api/v1/staff/{staff}/archive")
            .post_only()
            .writes(&["POST"], Is(403))
            .write(OFFICE, Reached),
        api_office("/api/v1/staff/{id}/restore")
            .url("/api/v1/staff/{staff}/restore")
            .post_only()
            .writes(&["POST"], Is(403))
            .write(OFFICE, Reached),
        api_office("/api/v1/instruments")
            .writes(&["POST"], Is(403))
            .write(OFFICE, Is(422)),
        api_office("/api/v1/instruments/{id}")
            .url("/api/v1/instruments/{instrument}")
            .writes(&["PUT"], Is(403))
            .write(OFFICE, Is(422)),
        api_office("/api/v1/instruments/{id}/archive")
            .url("/api/v1/instruments/{instrument}/archive")
            .post_only()
            .writes(&["POST"], Is(403))
            .write(OFFICE, Reached),
        api_office("/api/v1/instruments/{id}/restore")
            .url("/api/v1/instruments/{instrument}/restore")
            .post_only()
            .writes(&["POST"], Is(403))
            .write(OFFICE, Reached),
        api_office("/api/v1/audit-events"),
        // Everyone signed in reads who the hub is; only an admin replaces it.
        {
            let mut r = Rule::new("/api/v1/hub", Gate::SignedIn, "API, everyone reads, admins write")
                .writes(&["PUT"], Is(403))
                .write(ADMIN, Is(422));
            r.kind = "API, everyone reads, admins write";
            r
        },
        // ---- the JSON API: people and their logins ----
        // The office invites anyone; a parent only their own child (another family's is 404).
        Rule::new("/api/v1/invitations", Gate::SignedIn, "API, some roles (403)")
            .get(EVERYONE, Is(403))
            .get(OFFICE, Is(200))
            .writes(&["POST"], Is(403))
            .write(OFFICE, Is(422))
            .write(PARENT, Is(422))
            .probe(r#"{"email": "another.child@family.example", "role": "pupil", "pupil_id": $pupil}"#)
            .write(PARENT, Is(404))
            .write(OFFICE, Reached),
        api_office("/api/v1/invitations/{id}/resend")
            .url("/api/v1/invitations/{invitation}/resend")
            .post_only()
            .writes(&["POST"], Is(403))
            .write(OFFICE, Reached),
        api_office("/api/v1/invitations/{id}/withdraw")
            .url("/api/v1/invitations/{invitation}/withdraw")
            .post_only()
            .writes(&["POST"], Is(403))
            .write(OFFICE, Reached),
        // Another school's contacts: the office's to see, 404 to a school's login.
        api_scoped("/api/v1/schools/{id}/contacts")
            .url("/api/v1/schools/{school}/contacts")
            .get(&[Role::Teacher, Role::Parent, Role::Pupil], Is(403))
            .writes(&["POST"], Is(403))
            .write(OFFICE, Is(422)),
        // No such contact: nothing is removed while the matrix runs.
        api_office("/api/v1/schools/{id}/contacts/{contact_id}")
            .url("/api/v1/schools/{school}/contacts/987654")
            .post_only()
            .writes(&["DELETE"], Is(403))
            .write(OFFICE, Is(404)),
        api_office("/api/v1/staff/{id}/availability")
            .url("/api/v1/staff/{staff}/availability")
            .post_only()
            .writes(&["PUT"], Is(403))
            .write(OFFICE, Is(422)),
        api_office("/api/v1/schools/{id}/hours")
            .url("/api/v1/schools/{school}/hours")
            .post_only()
            .writes(&["PUT"], Is(403))
            .write(OFFICE, Is(422)),
        // ---- the JSON API: loans ----
        // Everyone lists the loans of the pupils they may see; only the office lends and
        // takes back (another family's loan is the office's to take back: 422 without a date).
        Rule::new("/api/v1/loans", Gate::SignedIn, "API, scoped list")
            .writes(&["POST"], Is(403))
            .write(OFFICE, Is(422)),
        api_office("/api/v1/loans/{id}/return")
            .url("/api/v1/loans/{loan}/return")
            .post_only()
            .writes(&["POST"], Is(403))
            .write(OFFICE, Is(422)),
        // ---- the JSON API: the year ----
        api_office("/api/v1/terms")
            .also(&["/api/v1/terms?academic_year=2027-28&authority=Nowhere"])
            .writes(&["POST"], Is(403))
            .write(OFFICE, Is(422)),
        api_office("/api/v1/terms/{id}")
            .url("/api/v1/terms/{term_dates}")
            .writes(&["PUT", "DELETE"], Is(403))
            .write(OFFICE, Reached),
        api_office("/api/v1/closures")
            .writes(&["POST"], Is(403))
            .write(OFFICE, Is(422)),
        api_office("/api/v1/closures/{id}")
            .url("/api/v1/closures/{closure}")
            .writes(&["DELETE"], Is(403))
            .write(OFFICE, Reached),
        // ---- the JSON API: lessons ----
        // Another teacher's, another school's and another family's pupil's timetables.
        api_scoped("/api/v1/timetable")
            .url("/api/v1/timetable?teacher={staff}&from={from}&to={to}")
            .also(&[
                "/api/v1/timetable?school={school}&from={from}&to={to}",
                "/api/v1/timetable?pupil={pupil}&from={from}&to={to}",
            ]),
        // Teachers mark their own lessons' registers, the office any: another teacher's lesson
        // is 404 to a teacher (the office's mark may be refused for the lesson's date: 409).
        Rule::new("/api/v1/registers", Gate::SignedIn, "API, some roles (403)")
            .post_only()
            .writes(&["POST"], Is(403))
            .write(MARKERS, Is(422))
            .probe(r#"{"lesson": $lesson, "outcome": "given"}"#)
            .write(TEACHER, Is(404))
            .write(OFFICE, Reached),
        // ---- the JSON API: billing ----
        api_office("/api/v1/charging-policies"),
        api_office("/api/v1/charging-policies/{year}")
            .url("/api/v1/charging-policies/{year}")
            .writes(&["PUT"], Is(403))
            .write(OFFICE, Is(422)),
        // The role is checked before the body is read: 403 for every other role, and an
        // empty body is the office's 422.
        api_office("/api/v1/billing-runs")
            .post_only()
            .writes(&["POST"], Is(403))
            .write(OFFICE, Is(422)),
        Rule::new("/api/v1/invoices", Gate::SignedIn, "API, some roles (403)")
            .get(EVERYONE, Is(403))
            .get(PAYERS, Is(200)),
        // Another family's invoice, and another school's.
        api_scoped("/api/v1/invoices/{id}")
            .url("/api/v1/invoices/{invoice}")
            .also(&["/api/v1/invoices/{school_invoice}"]),
        // ---- the JSON API: admissions ----
        api_scoped("/api/v1/enrolments")
            .url("/api/v1/enrolments?pupil={pupil}")
            .writes(&["POST"], Is(403))
            .write(OFFICE, Is(422)),
        api_scoped("/api/v1/enrolments/{id}").url("/api/v1/enrolments/{enrolment}"),
        api_scoped("/api/v1/applications").url("/api/v1/applications?pupil={pupil}"),
        // ---- the JSON API: allocation ----
        api_office("/api/v1/placements")
            .post_only()
            .writes(&["POST"], Is(403))
            .write(OFFICE, Is(422)),
        api_office("/api/v1/cancellations")
            .post_only()
            .writes(&["POST"], Is(403))
            .write(OFFICE, Is(422)),
        api_office("/api/v1/make-ups")
            .post_only()
            .writes(&["POST"], Is(403))
            .write(OFFICE, Is(422)),
        api_office("/api/v1/timetable/proposals")
            .post_only()
            .writes(&["POST"], Is(403))
            .write(OFFICE, Is(422)),
        api_office("/api/v1/timetable/proposals/{id}").url("/api/v1/timetable/proposals/{proposal}"),
        // A long job's state: the office's alone.
        api_office("/api/v1/jobs/{id}").url("/api/v1/jobs/{job}"),
        api_office("/api/v1/timetable/proposals/{id}/accept")
            .url("/api/v1/timetable/proposals/{proposal}/accept")
            .post_only()
            .writes(&["POST"], Is(403))
            .write(OFFICE, Reached),
        // ---- ensembles (issue 18) ----
        // Anyone finds an ensemble; a parent applies for their own child (the form is the
        // same for any ensemble: the ensembles are public); the office keeps them.
        public("/ensembles").also(&["/ensembles?area=North&level=entry&instrument=Violin&day=6"]),
        public("/ensembles/{slug}").url("/ensembles/{ensemble_slug}"),
        page("/parent/ensembles", PARENT),
        page("/parent/ensembles/{slug}/apply", PARENT).url("/parent/ensembles/{ensemble_slug}/apply"),
        page("/admin/ensembles", OFFICE),
        // A leader's registers: their own ensembles' only (another's rehearsal is 403).
        page("/teacher/ensembles", TEACHER),
        page("/teacher/rehearsals/{id}/mark", TEACHER)
            .url("/teacher/rehearsals/{rehearsal}/mark")
            .post_only(),
        page("/admin/ensembles/new", OFFICE),
        page("/admin/ensembles/{id}", OFFICE).url("/admin/ensembles/{ensemble}"),
        page("/admin/ensembles/{id}/edit", OFFICE).url("/admin/ensembles/{ensemble}/edit"),
        page("/admin/ensembles/{id}/applications/{application_id}/{action}", OFFICE)
            .url("/admin/ensembles/{ensemble}/applications/{ensemble_application}/leave")
            .post_only(),
        page("/admin/ensembles/{id}/rehearsals/{rehearsal_id}/cancel", OFFICE)
            .url("/admin/ensembles/{ensemble}/rehearsals/{rehearsal}/cancel")
            .post_only(),
        // Auditions (decision 0095): the office's slots and outcomes; a family books only for
        // their own child's application (another's is 404).
        page("/admin/ensembles/{id}/auditions", OFFICE).url("/admin/ensembles/{ensemble}/auditions"),
        page("/admin/ensembles/{id}/auditions/{slot_id}/remove", OFFICE)
            .url("/admin/ensembles/{ensemble}/auditions/1/remove")
            .post_only(),
        page(
            "/admin/ensembles/{id}/auditions/outcomes/{application_id}/{outcome}",
            OFFICE,
        )
        .url("/admin/ensembles/{ensemble}/auditions/outcomes/{ensemble_application}/wait")
        .post_only(),
        scoped_page("/parent/ensembles/applications/{id}/audition", PARENT, PARENT, 404)
            .url("/parent/ensembles/applications/{ensemble_application}/audition"),
        scoped_page("/parent/children/{id}/path", PARENT, PARENT, 404).url("/parent/children/{pupil}/path"),
        // Notice to leave (decision 0085): a parent's own child's only (the member here is
        // another family's: 404); the office marks a Virtual Music Centre strand.
        scoped_page(
            "/parent/ensembles/memberships/{application_id}/notice",
            PARENT,
            PARENT,
            404,
        )
        .url("/parent/ensembles/memberships/{ensemble_application}/notice"),
        page("/admin/ensembles/{id}/strand", OFFICE)
            .url("/admin/ensembles/{ensemble}/strand")
            .post_only(),
        // Everyone signed in reads ensembles (members only for the office and the leaders,
        // checked in ensembles.rs); a parent or pupil applies only for their own (another's
        // pupil is refused, 409); teachers and schools do not apply; only the office decides.
        Rule::new("/api/v1/ensembles", Gate::SignedIn, "API, public list"),
        Rule::new("/api/v1/ensembles/{id}", Gate::SignedIn, "API, public record").url("/api/v1/ensembles/{ensemble}"),
        Rule::new(
            "/api/v1/ensembles/{id}/applications",
            Gate::SignedIn,
            "API, own children only",
        )
        .url("/api/v1/ensembles/{ensemble}/applications")
        .post_only()
        .writes(&["POST"], Is(422))
        .write(&[Role::Teacher, Role::School], Is(403))
        .probe(r#"{"pupil_id": $pupil, "instrument": "Violin"}"#)
        .write(&[Role::Parent, Role::Pupil], Is(409))
        .write(OFFICE, Reached),
        api_office("/api/v1/ensembles/{id}/applications/{application_id}/accept")
            .url("/api/v1/ensembles/{ensemble}/applications/{ensemble_application}/accept")
            .post_only()
            .writes(&["POST"], Is(403))
            .write(OFFICE, Reached),
        api_office("/api/v1/ensembles/{id}/applications/{application_id}/decline")
            .url("/api/v1/ensembles/{ensemble}/applications/{ensemble_application}/decline")
            .post_only()
            .writes(&["POST"], Is(403))
            .write(OFFICE, Reached),
        api_office("/api/v1/ensembles/{id}/applications/{application_id}/leave")
            .url("/api/v1/ensembles/{ensemble}/applications/{ensemble_application}/leave")
            .post_only()
            .writes(&["POST"], Is(403))
            .write(OFFICE, Reached),
        // ---- events (decision 0086) ----
        public("/events"),
        // No checkout with that reference: 404.
        public("/events/paid").url("/events/paid?ref=forged").all_get(Is(404)),
        // A ticket names nobody: anyone with its reference sees it.
        public("/events/tickets/{reference}").url("/events/tickets/{booking_ref}"),
        // A guest cancels with the token from their confirmation: the reference alone, or
        // another token, finds nothing (decision 0093).
        {
            let mut r = public("/events/tickets/{reference}/cancel/{token}")
                .url("/events/tickets/{booking_ref}/cancel/not-the-token")
                .all_get(Is(404));
            r.kind = "public, the booker's token or 404";
            r
        },
        public("/events/{slug}").url("/events/{event_slug}"),
        public("/events/{slug}/book")
            .url("/events/{event_slug}/book")
            .post_only(),
        public("/events/{slug}/wait")
            .url("/events/{event_slug}/wait")
            .post_only(),
        page("/admin/donations/gift-aid", OFFICE),
        // Services for schools: a school orders for itself; the office answers.
        page("/school/services", SCHOOL),
        page("/school/services/order", SCHOOL).post_only(),
        page("/admin/services", OFFICE),
        page("/admin/services/packages", OFFICE).post_only(),
        page("/admin/services/orders/{id}/confirm", OFFICE)
            .url("/admin/services/orders/987654/confirm")
            .post_only(),
        page("/admin/services/orders/{id}/decline", OFFICE)
            .url("/admin/services/orders/987654/decline")
            .post_only(),
        // Somebody else's booking (a guest's): 404 to everyone; the office cancels from its
        // own screen.
        {
            let mut r = signed_in("/account/bookings/{id}/cancel")
                .url("/account/bookings/{booking}/cancel")
                .all_get(Is(404));
            r.kind = "signed in, another's record: 404";
            r
        },
        signed_in("/account/cpd"),
        // Another teacher's certificate: 404, but the office sees any.
        {
            let mut r = signed_in("/account/cpd/{file}")
                .url("/account/cpd/{cpd}.pdf")
                .all_get(Is(404))
                .get(OFFICE, Is(200));
            r.kind = "signed in, another's record: 404";
            r
        },
        page("/admin/events", OFFICE),
        page("/admin/events/new", OFFICE),
        page("/admin/events/{id}", OFFICE).url("/admin/events/{event}"),
        page("/admin/events/{id}/book", OFFICE)
            .url("/admin/events/{event}/book")
            .post_only(),
        page("/admin/events/{id}/cancel", OFFICE)
            .url("/admin/events/{event}/cancel")
            .post_only(),
        page("/admin/events/{id}/bookings/{booking}/cancel", OFFICE)
            .url("/admin/events/{event}/bookings/{booking}/cancel")
            .post_only(),
        page("/admin/events/{id}/check-in", OFFICE).url("/admin/events/{event}/check-in"),
        // Everyone signed in lists events (as the public page does); only the office adds
        // them and books through the API.
        Rule::new("/api/v1/events", Gate::SignedIn, "API, public list")
            .writes(&["POST"], Is(403))
            .write(OFFICE, Is(422)),
        api_office("/api/v1/events/{id}/bookings")
            .url("/api/v1/events/{event}/bookings")
            .post_only()
            .writes(&["POST"], Is(403))
            .write(OFFICE, Is(422)),
        // ---- privacy (issue 21): the office's requests, exports and erasure ----
        // Erasure is done only when asked in so many words: a body without `dry_run` is 422.
        page("/admin/privacy", OFFICE),
        page("/admin/privacy/{kind}/{id}", OFFICE).url("/admin/privacy/pupil/{pupil}"),
        page("/admin/privacy/{kind}/{id}/export", OFFICE).url("/admin/privacy/guardian/{guardian}/export"),
        page("/admin/privacy/{kind}/{id}/erase", OFFICE)
            .url("/admin/privacy/pupil/{pupil}/erase")
            .post_only(),
        api_office("/api/v1/pupils/{id}/export").url("/api/v1/pupils/{pupil}/export"),
        api_office("/api/v1/guardians/{id}/export").url("/api/v1/guardians/{guardian}/export"),
        api_office("/api/v1/staff/{id}/export").url("/api/v1/staff/{staff}/export"),
        api_office("/api/v1/users/{id}/export").url("/api/v1/users/{user}/export"),
        api_office("/api/v1/pupils/{id}/erasure")
            .url("/api/v1/pupils/{pupil}/erasure")
            .post_only()
            .writes(&["POST"], Is(403))
            .write(OFFICE, Is(422)),
        api_office("/api/v1/guardians/{id}/erasure")
            .url("/api/v1/guardians/{guardian}/erasure")
            .post_only()
            .writes(&["POST"], Is(403))
            .write(OFFICE, Is(422)),
        api_office("/api/v1/staff/{id}/erasure")
            .url("/api/v1/staff/{staff}/erasure")
            .post_only()
            .writes(&["POST"], Is(403))
            .write(OFFICE, Is(422)),
        page("/admin/privacy/pupil/{id}/consents", OFFICE)
            .url("/admin/privacy/pupil/{pupil}/consents")
            .post_only(),
        page("/pupil/my-data", &[Role::Pupil]),
    ]
}

// ---- the world the addresses name ----

/// One row of counts, for the fingerprint below.
async fn text(store: &Store, sql: &str) -> Option<String> {
    let row = store
        .conn()
        .query_one_raw(Statement::from_string(
            store.conn().get_database_backend(),
            sql.to_owned(),
        ))
        .await
        .unwrap_or_else(|e| panic!("{sql}: {e}"))?;
    row.try_get_by_index::<Option<String>>(0).unwrap()
}

/// The first day of the autumn term of 2026, from which the pupils learn.
const TERM_START: time::Date = date!(2026 - 09 - 07);

/// An MP3 file's first bytes: an ID3 tag and a frame header.
fn mp3() -> Vec<u8> {
    let mut mp3 = b"ID3\x04\x00\x00\x00\x00\x00\x00".to_vec();
    mp3.extend_from_slice(&[0xFF, 0xFB, 0x90, 0x64]);
    mp3.extend(std::iter::repeat_n(0u8, 413));
    mp3
}

/// Builds the world the rules speak of and returns the ids its addresses are filled from,
/// and the email of one account of each role (in `ROLES` order).
///
/// The callers' own: a school with its contact, a teacher, a family whose child learns with
/// that teacher there (the pupil's login is that child's), and the office. Somebody else's:
/// another school (billed by invoice, with a programme), another teacher, and another family
/// at that school whose child learns in that teacher's group, has applied for more lessons,
/// is entered for an exam and has been billed for the term.
async fn world(app: &TestApp) -> (BTreeMap<&'static str, String>, Vec<String>) {
    let store = &app.store;
    let actor = Actor::cli();
    let autumn = TermId::parse("2026-autumn").unwrap();

    let school = a_school().create(store).await;
    let teacher = a_teacher().with_login(PASSWORD).create(store).await;
    let family = a_family(&school).with_login(PASSWORD).create(store).await;
    an_enrolment(family.children[0])
        .starting(TERM_START)
        .taught_by(teacher.staff.id, 1, 540)
        .create(store)
        .await;
    let emails = vec![
        an_admin().create(store).await.email,
        a_manager().create(store).await.email,
        teacher.staff.email.clone(),
        family.email.clone(),
        a_school_contact(&school).create(store).await.email,
        a_pupil_login(store, family.children[0]).await.email,
    ];

    let elsewhere = a_school().billed_by(BillingMethod::Invoice).create(store).await;
    store
        .create_agreement(
            &actor,
            &tutti_store::money::payments::agreements::AgreementInput {
                school_id: elsewhere.id,
                year: AcademicYear::starting(2026),
                programme: "Whole-class brass".into(),
                annual_cost: Pence(300_000),
                sessions: 30,
            },
        )
        .await
        .unwrap();
    let colleague = a_teacher().create(store).await;
    let others = a_family(&elsewhere).create(store).await;
    let pupil = others.children[0];
    let enrolment = an_enrolment(pupil)
        .starting(TERM_START)
        .learning("Violin", LessonType::Individual, 30)
        .create(store)
        .await;
    let group = a_group(colleague.staff.id, elsewhere.id)
        .with_enrolments(&[enrolment])
        .create(store)
        .await;
    // Another school's own term and closure, in a later year (saved before the lessons are
    // made, as saving lays the school's coming lessons out again).
    let whose = tutti_store::teaching::terms::Whose::School(elsewhere.id);
    let term_dates = store
        .save_term(
            &actor,
            None,
            &whose,
            &tutti_domain::calendar::default_dates_of(TermId::parse("2027-autumn").unwrap()),
        )
        .await
        .unwrap();
    let closure = store
        .save_closure(
            &actor,
            &tutti_store::teaching::terms::NewClosure {
                whose,
                day: date!(2027 - 10 - 04),
                kind: tutti_domain::terms::ClosureKind::Closure,
                reason: "Boiler".into(),
            },
        )
        .await
        .unwrap();
    store.generate_dated_lessons(&actor, autumn).await.unwrap();
    store.run_billing(&actor, autumn, false, &|_| {}).await.unwrap();
    let application = an_application(pupil)
        .for_lessons("Cello", LessonType::Individual, 30)
        .create(store)
        .await;
    let exam = store
        .add_exam_entry(
            &actor,
            &PupilScope::All,
            &tutti_store::teaching::progress::NewExamEntry {
                pupil_id: pupil,
                instrument: "Violin".into(),
                board: "ABRSM".into(),
                grade: "3".parse().unwrap(),
                exam_date: date!(2026 - 11 - 20),
                result: None,
            },
        )
        .await
        .unwrap();
    let invoice_of = |filter: InvoiceFilter| async move {
        let page = store.invoices(&filter, &Default::default()).await.unwrap();
        page.rows.first().map(|i| i.id).expect("an invoice")
    };
    let invoice = invoice_of(InvoiceFilter {
        guardians: Some(store.guardian_ids_for_email(&others.email).await.unwrap()),
        ..Default::default()
    })
    .await;
    let school_invoice = invoice_of(InvoiceFilter {
        payer: Some(PayerKey::School(elsewhere.id)),
        ..Default::default()
    })
    .await;
    let lesson = store
        .timetable(
            TimetableOf::Teacher(colleague.staff.id),
            TERM_START,
            date!(2026 - 12 - 31),
            NoteReader::Staff,
        )
        .await
        .unwrap()[0]
        .id;
    // Another school's contact, and an invitation sent to another teacher.
    let contact = a_contact_at(&elsewhere).create(store).await.id;
    let invitation = store
        .invite(
            &actor,
            &PupilScope::All,
            &tutti_store::platform::invitations::NewInvitation {
                email: colleague.staff.email.clone(),
                role: Role::Teacher,
                link: tutti_domain::invitations::InvitationLink::Staff(colleague.staff.id),
                name: None,
            },
            &tutti_store::platform::invitations::InvitationMail {
                hub: "Test Hub".into(),
                public_url: "http://127.0.0.1".into(),
            },
        )
        .await
        .unwrap()
        .id;
    let proposal = store
        .request_proposal(&actor, TermId::parse("2026-spring").unwrap(), 1)
        .await
        .expect("a proposal");

    let lent = an_instrument().create(store).await;
    let loan = a_loan(lent.id, pupil).from(TERM_START).create(store).await;

    // An ensemble led by the other teacher, the other family's pupil a member.
    let ensemble = tutti_store::testing::world::an_ensemble("Matrix Orchestra")
        .led_by(colleague.staff.id)
        .create(store)
        .await;
    let (ensemble_application, _) = store
        .apply_to_ensemble(
            &actor,
            &PupilScope::All,
            &tutti_store::teaching::ensembles::members::NewEnsembleApplication {
                ensemble_id: ensemble.id,
                pupil_id: pupil,
                instrument: "Violin".into(),
                grade: 0,
            },
        )
        .await
        .expect("a member");
    let rehearsal = store
        .rehearsals(ensemble.id, TERM_START, date!(2027 - 08 - 31))
        .await
        .unwrap()[0]
        .id;

    let mut ids: BTreeMap<&'static str, String> = BTreeMap::new();
    ids.insert("ensemble_slug", ensemble.slug.clone());
    for (key, id) in [
        ("ensemble", ensemble.id),
        ("ensemble_application", ensemble_application),
        ("rehearsal", rehearsal),
        ("pupil", pupil),
        ("guardian", store.guardians_of(pupil).await.unwrap()[0].id),
        ("enrolment", enrolment),
        ("invoice", invoice),
        ("school_invoice", school_invoice),
        ("application", application),
        ("lesson", lesson),
        ("group", group),
        ("staff", colleague.staff.id),
        ("school", elsewhere.id),
        ("exam", exam),
        ("instrument", an_instrument().create(store).await.id),
        // The other family's pupil's loan.
        ("loan", loan),
        // The parent's account, as "another user" for the admin's pages.
        ("user", family.user.as_ref().unwrap().id),
        ("offer", store.tuition_offer().await.unwrap()[0].id),
        ("proposal", proposal),
        ("job", store.start_proposal_job(proposal, None).await.expect("a job").id),
        ("contact", contact),
        ("invitation", invitation),
        ("term_dates", term_dates),
        ("closure", closure),
        // Things of nobody's: ids that exist nowhere.
        ("passkey", 987_654),
        ("basket_item", 987_654),
    ] {
        ids.insert(key, id.to_string());
    }
    ids.insert("year", "2026-27".into());
    ids.insert("term", "2026-autumn".into());
    ids.insert("from", "2026-09-01".into());
    ids.insert("to", "2026-12-31".into());
    // Published content of each kind, for the public detail pages.
    let audio = store
        .store_content_file(tutti_store::content::files::Purpose::Audio, "episode.mp3", &mp3())
        .await
        .unwrap();
    let page = a_page(Kind::Page, "Summer school").create(store).await;
    ids.insert("content", page.id.to_string());
    for (key, kind, title) in [
        ("news", Kind::News, "Concert season"),
        ("episode", Kind::Episode, "Body percussion"),
        ("resource", Kind::Resource, "Rounds"),
        ("podcast", Kind::Podcast, "Breathing for singers"),
        ("vacancy", Kind::Vacancy, "Brass teacher"),
    ] {
        let item = a_page(kind, title)
            .with(|d| {
                d.episode_number = Some(1);
                d.day_theme = Some("friday".into());
                d.video_url = Some("https://video.example/1".into());
                d.year_group = Some("year-3".into());
                d.closes_on = Some(date!(2099 - 01 - 01));
                if kind == Kind::Podcast {
                    d.file_id = Some(audio);
                }
            })
            .create(store)
            .await;
        ids.insert(key, item.slug);
    }
    // Events (decision 0086): an event and somebody else's booking on it.
    let event = tutti_store::testing::world::an_event().create(store).await;
    ids.insert("event", event.to_string());
    ids.insert("event_slug", store.event(event).await.unwrap().unwrap().event.slug);
    let booked = store
        .book_event(
            &actor,
            &tutti_store::events::bookings::BookingRequest {
                event_id: event,
                session_id: None,
                name: "Someone Else".into(),
                email: "someone.else@test.example".into(),
                tickets: vec![tutti_domain::events::TicketRequest {
                    ticket_type: "Adult".into(),
                    quantity: 1,
                }],
                channel: tutti_store::events::bookings::Channel::Guest,
                site_url: "http://127.0.0.1".into(),
            },
        )
        .await
        .unwrap();
    ids.insert("booking", booked.id.to_string());
    ids.insert("booking_ref", booked.reference);
    // A CPD record of a teacher none of the callers is.
    let trained = a_teacher().create(store).await;
    let course = tutti_store::testing::world::an_event()
        .kind(tutti_domain::events::EventKind::Cpd)
        .free()
        .create(store)
        .await;
    let place = store
        .book_event(
            &actor,
            &tutti_store::events::bookings::BookingRequest {
                event_id: course,
                session_id: None,
                name: "Trained Teacher".into(),
                email: trained.staff.email.clone(),
                tickets: vec![tutti_domain::events::TicketRequest {
                    ticket_type: "Free".into(),
                    quantity: 1,
                }],
                channel: tutti_store::events::bookings::Channel::Guest,
                site_url: "http://127.0.0.1".into(),
            },
        )
        .await
        .unwrap();
    store.check_in(&actor, course, &place.reference).await.unwrap();
    let cpd = store.cpd_records(trained.staff.id).await.unwrap()[0].id;
    ids.insert("cpd", cpd.to_string());
    (ids, emails)
}

/// Fills `{name}` in an address from `ids`.
fn fill(url: &str, ids: &BTreeMap<&'static str, String>) -> String {
    let mut out = String::new();
    let mut rest = url;
    while let Some(open) = rest.find('{') {
        let close = rest[open..].find('}').expect("a closing brace") + open;
        out.push_str(&rest[..open]);
        let name = &rest[open + 1..close];
        out.push_str(
            ids.get(name)
                .unwrap_or_else(|| panic!("no id named {{{name}}} for {url}")),
        );
        rest = &rest[close + 1..];
    }
    out.push_str(rest);
    out
}

/// Fills `$name` in a JSON body from `ids`.
fn fill_body(body: &str, ids: &BTreeMap<&'static str, String>) -> String {
    // Longest names first, so that `$pupil` does not eat the start of a longer one.
    let mut names: Vec<&&str> = ids.keys().collect();
    names.sort_by_key(|n| std::cmp::Reverse(n.len()));
    let mut out = body.to_owned();
    for name in names {
        out = out.replace(&format!("${name}"), &ids[*name]);
    }
    assert!(!out.contains('$'), "an unknown id in {body}");
    out
}

/// Whether an address template is the pattern, its literal segments the same and every
/// filled segment a parameter of the pattern.
fn fits(pattern: &str, url: &str) -> bool {
    let path = url.split('?').next().unwrap();
    let (p, u): (Vec<&str>, Vec<&str>) = (pattern.split('/').collect(), path.split('/').collect());
    if pattern.ends_with("{*path}") {
        return p.len() <= u.len() && p[..p.len() - 1] == u[..p.len() - 1];
    }
    p.len() == u.len()
        && p.iter()
            .zip(&u)
            .all(|(ps, us)| ps == us || (ps.starts_with('{') && ps.ends_with('}')))
}

// ---- calling ----

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
enum Caller {
    Anonymous,
    Browser(usize),
    Token(usize),
}

impl Caller {
    fn name(self) -> String {
        match self {
            Caller::Anonymous => "anonymous".into(),
            Caller::Browser(i) => format!("{:?} (session)", ROLES[i]),
            Caller::Token(i) => format!("{:?} (token)", ROLES[i]),
        }
    }
}

struct Call {
    rule: usize,
    caller: Caller,
    method: Method,
    url: String,
    /// The JSON body of an API write.
    body: String,
    want: Want,
}

/// What `caller` must get from `method` on the route of `rule`.
fn expected(rule: &Rule, caller: Caller, method: &Method, probe: usize) -> Want {
    let api = rule.pattern.starts_with("/api/v1/");
    let get = *method == Method::GET;
    match caller {
        Caller::Anonymous if api => Want::Is(401),
        Caller::Anonymous if rule.gate != Gate::Public => Want::Login,
        Caller::Anonymous if get => rule.anon_get,
        Caller::Anonymous => rule.public_post,
        Caller::Browser(i) | Caller::Token(i) if !rule.gate.admits(ROLES[i]) => Want::Is(403),
        Caller::Browser(i) | Caller::Token(i) if get => rule.get[i],
        // Without a CSRF token a browser's POST is refused (after the gate admitted it).
        Caller::Browser(_) if rule.gate == Gate::Public => rule.public_post,
        Caller::Browser(_) => Want::Is(403),
        Caller::Token(i) if rule.writes.contains(&method.as_str()) => rule.probes[probe].1[i],
        Caller::Token(_) => Want::Is(405),
    }
}

fn fulfils(want: Want, status: u16, location: &str, asked: &str) -> bool {
    match want {
        Want::Is(s) => status == s,
        Want::OneOf(list) => list.contains(&status),
        Want::Reached => (200..500).contains(&status) && ![401, 403, 405].contains(&status),
        Want::Login => {
            let next: String = form_urlencoded::byte_serialize(asked.as_bytes()).collect();
            status == 303 && location == format!("/login?next={next}")
        }
    }
}

struct Answer {
    status: u16,
    location: String,
    /// The start of the body of a 403 or a 5xx, to tell a CSRF refusal from a role's.
    body: String,
}

async fn send(client: &Client, base: &str, call: &Call, token: Option<&str>) -> Answer {
    let mut request = client.request(call.method.clone(), format!("{base}{}", call.url));
    if let Some(token) = token {
        request = request.bearer_auth(token);
    }
    if call.method != Method::GET {
        request = if call.url.starts_with("/api/v1/") {
            request
                .header("content-type", "application/json")
                .body(call.body.clone())
        } else {
            request.form(&[("probe", "1")])
        };
    }
    let r = request
        .send()
        .await
        .unwrap_or_else(|e| panic!("{} {}: {e}", call.method, call.url));
    let status = r.status().as_u16();
    let location = r
        .headers()
        .get("location")
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_owned();
    let body = if status == 403 || status >= 500 {
        let text = r.text().await.unwrap_or_default();
        text.chars().take(4000).collect()
    } else {
        String::new()
    };
    Answer { status, location, body }
}

/// Runs `calls` a few at a time; answers in the calls' order.
async fn run_all(
    calls: Arc<Vec<Call>>,
    clients: Arc<HashMap<Caller, (Client, Option<String>)>>,
    base: &str,
    workers: usize,
) -> Vec<Answer> {
    let next = Arc::new(Mutex::new(0usize));
    let answers: Arc<Mutex<Vec<Option<Answer>>>> = Arc::new(Mutex::new((0..calls.len()).map(|_| None).collect()));
    let mut set = tokio::task::JoinSet::new();
    for _ in 0..workers {
        let (calls, clients, next, answers, base) = (
            calls.clone(),
            clients.clone(),
            next.clone(),
            answers.clone(),
            base.to_owned(),
        );
        set.spawn(async move {
            loop {
                let i = {
                    let mut n = next.lock().unwrap();
                    let i = *n;
                    *n += 1;
                    i
                };
                let Some(call) = calls.get(i) else { break };
                let (client, token) = &clients[&call.caller];
                let answer = send(client, &base, call, token.as_deref()).await;
                answers.lock().unwrap()[i] = Some(answer);
            }
        });
    }
    while let Some(done) = set.join_next().await {
        done.expect("a worker");
    }
    let answers = std::mem::take(&mut *answers.lock().unwrap());
    answers.into_iter().map(|a| a.expect("every call answered")).collect()
}

/// Counts (and the latest change) of the tables a state-changing call would touch, and the
/// audit trail without its record of views. This is SQL on purpose: the test is about the
/// database not changing, and no operation of the store counts every table.
async fn fingerprint(store: &Store) -> Vec<(String, String)> {
    let mut out = Vec::new();
    for table in [
        "users",
        "schools",
        "staff",
        "pupils",
        "guardians",
        "instruments",
        "instrument_loans",
        "applications",
        "exam_entries",
        "pupil_reports",
        "dated_lessons",
        "charging_policies",
        "invitations",
        "school_contacts",
        "events",
        "bookings",
        "service_orders",
    ] {
        let sql =
            format!("SELECT CAST(COUNT(*) AS TEXT) || ' ' || COALESCE(CAST(MAX(updated_at) AS TEXT), '') FROM {table}");
        out.push((table.to_owned(), text(store, &sql).await.unwrap_or_default()));
    }
    for table in [
        "enrolments",
        "pupil_guardians",
        "teaching_groups",
        "group_members",
        "register_marks",
        "teacher_availability",
        "timetable_proposals",
        "tuition_offer",
        "billing_runs",
        "invoices",
        "payments",
        "basket_items",
        "donations",
        "payment_checkouts",
        "service_agreements",
        "dd_mandates",
        "lesson_credits",
        "api_tokens",
        "content_items",
        "outbox",
        "passkeys",
        "recovery_codes",
    ] {
        let sql = format!("SELECT CAST(COUNT(*) AS TEXT) FROM {table}");
        out.push((table.to_owned(), text(store, &sql).await.unwrap_or_default()));
    }
    // Reads are audited too (a pupil's record viewed, a file exported): those are not changes.
    let sql = "SELECT CAST(COUNT(*) AS TEXT) FROM audit_events WHERE action NOT IN ('view', 'export')";
    out.push((
        "audit_events (not views or exports)".into(),
        text(store, sql).await.unwrap_or_default(),
    ));
    let sql = "SELECT CAST(COUNT(totp_secret) AS TEXT) || ' ' || CAST(COUNT(DISTINCT role) AS TEXT) FROM users";
    out.push((
        "users' second factors and roles".into(),
        text(store, sql).await.unwrap_or_default(),
    ));
    out
}

async fn every_route_answers_by_its_declared_rule(backend: Backend) {
    let Some(app) = TestApp::spawn_empty_on(backend, DAY).await else {
        return;
    };
    let started = Instant::now();
    let (ids, emails) = world(&app).await;

    // 1. The app's table and the declared rules name the same routes, with the same gates.
    let table = tutti_web::route_table();
    let rules = rules();
    let mut problems: Vec<String> = Vec::new();
    let mut seen = BTreeSet::new();
    for entry in &table {
        if !seen.insert(entry.path.as_str()) {
            problems.push(format!("{} is in the route table twice", entry.path));
        }
        match rules.iter().find(|r| r.pattern == entry.path) {
            None => problems.push(format!(
                "{} ({:?}) has no declared rule in routes_matrix.rs: declare who may reach it",
                entry.path, entry.access
            )),
            Some(rule) if !rule.gate.matches(&entry.access) => problems.push(format!(
                "{}: the app guards it with {:?}, the declared rule says {:?}",
                entry.path, entry.access, rule.gate
            )),
            Some(rule)
                if !std::iter::once(&rule.url)
                    .chain(rule.also)
                    .all(|u| fits(rule.pattern, u)) =>
            {
                problems.push(format!(
                    "{}: a declared address ({} or {:?}) is not this route",
                    rule.pattern, rule.url, rule.also
                ))
            }
            Some(_) => {}
        }
    }
    let mut declared = BTreeSet::new();
    for rule in &rules {
        if !declared.insert(rule.pattern) {
            problems.push(format!("{} is declared twice", rule.pattern));
        }
        if !table.iter().any(|e| e.path == rule.pattern) {
            problems.push(format!(
                "{} has a declared rule but is no longer a route: remove its rule",
                rule.pattern
            ));
        }
    }
    assert!(
        problems.is_empty(),
        "the route table and the rules differ:\n{}",
        problems.join("\n")
    );
    assert_eq!(rules.len(), table.len(), "one rule per route");

    // 2. The callers: no cookie at all; each role's browser session; each role's token.
    let anonymous = Client::builder().redirect(Policy::none()).build().unwrap();
    let mut clients: HashMap<Caller, (Client, Option<String>)> = HashMap::new();
    clients.insert(Caller::Anonymous, (anonymous, None));
    for (i, email) in emails.iter().enumerate() {
        let browser = app.logged_in(email).await;
        clients.insert(Caller::Browser(i), (browser.client.clone(), None));
        let user = app.store.user_by_email(email).await.unwrap().unwrap();
        let token = app
            .store
            .create_api_token(&Actor::cli(), user.id, "routes matrix")
            .await
            .unwrap();
        let bare = Client::builder().redirect(Policy::none()).build().unwrap();
        clients.insert(Caller::Token(i), (bare, Some(token)));
    }
    // Another user's token, for the revoke address: the admin's.
    // (Its id is only named in an address no call may act on.)
    let mut ids = ids;
    let admin = app.store.user_by_email(&emails[0]).await.unwrap().unwrap();
    let admin_token = app.store.api_tokens_of(admin.id).await.unwrap()[0].id;
    ids.insert("token", admin_token.to_string());
    let clients = Arc::new(clients);

    // 3. The calls. First everything that must change nothing: every caller's GET and POST
    //    (and the API's other methods) from browsers and anonymous, and the tokens' GETs.
    //    Then the tokens' writes, whose allowed answers may change things.
    let mut reads = Vec::new();
    let mut writes = Vec::new();
    let api_methods = [Method::POST, Method::PUT, Method::PATCH, Method::DELETE];
    for (r, rule) in rules.iter().enumerate() {
        let api = rule.pattern.starts_with("/api/v1/");
        let mut callers = vec![Caller::Anonymous];
        callers.extend((0..ROLES.len()).map(Caller::Browser));
        if api {
            callers.extend((0..ROLES.len()).map(Caller::Token));
        }
        for url in std::iter::once(rule.url).chain(rule.also.iter().copied()) {
            let url = fill(url, &ids);
            for &caller in &callers {
                let methods: &[Method] = if api { &api_methods } else { &[Method::POST] };
                let mut list = vec![Method::GET];
                list.extend(methods.iter().cloned());
                for method in list {
                    let token_write = matches!(caller, Caller::Token(_)) && method != Method::GET;
                    // Every body for the methods a token may write with; one for the rest.
                    let probes = if token_write && rule.writes.contains(&method.as_str()) {
                        rule.probes.len()
                    } else {
                        1
                    };
                    for probe in 0..probes {
                        let call = Call {
                            rule: r,
                            caller,
                            want: expected(rule, caller, &method, probe),
                            method: method.clone(),
                            url: url.clone(),
                            body: fill_body(rule.probes[probe].0, &ids),
                        };
                        if token_write {
                            writes.push(call);
                        } else {
                            reads.push(call);
                        }
                    }
                }
            }
        }
    }
    let before = fingerprint(&app.store).await;
    let reads = Arc::new(reads);
    let read_answers = run_all(reads.clone(), clients.clone(), &app.base, 6).await;
    let after = fingerprint(&app.store).await;
    let writes = Arc::new(writes);
    let write_answers = run_all(writes.clone(), clients.clone(), &app.base, 6).await;

    // 4. Every answer against its rule.
    let mut failures: Vec<String> = Vec::new();
    let mut covered: BTreeMap<&str, usize> = BTreeMap::new();
    let mut answered = 0usize;
    for (call, answer) in reads.iter().zip(&read_answers).chain(writes.iter().zip(&write_answers)) {
        let rule = &rules[call.rule];
        let asked = &call.url;
        let mut wrong = Vec::new();
        if answer.status >= 500 {
            wrong.push("a server error".to_owned());
        } else if !fulfils(call.want, answer.status, &answer.location, asked) {
            wrong.push(format!("wanted {:?}", call.want));
        }
        // A refused POST from a role the gate admits is the CSRF check's; from one it does not
        // admit, the gate's, before any body is read.
        if answer.status == 403 && !matches!(call.caller, Caller::Token(_)) && call.method != Method::GET {
            let by_csrf = answer.body.contains("did not come from this site");
            let admitted = match call.caller {
                Caller::Browser(i) => rule.gate.admits(ROLES[i]),
                _ => rule.gate == Gate::Public,
            };
            if by_csrf != admitted {
                wrong.push(if admitted {
                    "the 403 is not the CSRF check's".to_owned()
                } else {
                    "the 403 is the CSRF check's, not the gate's".to_owned()
                });
            }
        }
        if !wrong.is_empty() {
            failures.push(format!(
                "{} {}{} as {}: got {}{} — {}{}",
                call.method,
                asked,
                if call.body != "{}" && matches!(call.caller, Caller::Token(_)) {
                    format!(" with {}", call.body)
                } else {
                    String::new()
                },
                call.caller.name(),
                answer.status,
                if answer.location.is_empty() {
                    String::new()
                } else {
                    format!(" to {}", answer.location)
                },
                wrong.join("; "),
                if answer.status >= 500 {
                    format!("\n    {}", answer.body.replace('\n', " "))
                } else {
                    String::new()
                }
            ));
        }
        answered += 1;
        *covered.entry(rule.kind).or_default() += 1;
    }
    for ((table, was), (_, now)) in before.iter().zip(&after) {
        if was != now {
            failures.push(format!(
                "calls without a CSRF token changed {table}: {was} before, {now} after"
            ));
        }
    }

    let methods: BTreeSet<String> = reads
        .iter()
        .chain(writes.iter())
        .map(|c| c.method.to_string())
        .collect();
    println!(
        "routes matrix ({backend:?}): {} routes × 7 callers (anonymous and 6 roles; API also 6 tokens) × {} methods ({}) = {} calls in {:.1}s",
        rules.len(),
        methods.len(),
        methods.into_iter().collect::<Vec<_>>().join(", "),
        answered,
        started.elapsed().as_secs_f64()
    );
    let mut kinds: BTreeMap<&str, usize> = BTreeMap::new();
    for rule in &rules {
        *kinds.entry(rule.kind).or_default() += 1;
    }
    for (kind, n) in &kinds {
        println!("  {n:3} routes: {kind} ({} calls)", covered[kind]);
    }
    assert!(
        failures.is_empty(),
        "{} answers broke their route's rule:\n{}",
        failures.len(),
        failures.join("\n")
    );
}
