//! Public pages anyone may read: the home page, the menu's pages, legal pages, health.
use axum::Router;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::get;

use crate::access::{Access, Audience};
use crate::assets;
use crate::error::AppResult;
use crate::pages::{BasketPage, HomePage, InfoContent, InfoPage, MENU, Shell, SitemapPage, render_clearing_flash};
use crate::session::Visitor;
use crate::state::AppState;

pub fn audience() -> Audience {
    let mut router = Router::new()
        .route("/", get(home))
        .route("/healthz", get(healthz))
        .route("/sitemap", get(sitemap))
        .route("/basket", get(basket))
        .route("/static/{name}", get(assets::serve));
    for (path, _) in INFO_PAGES {
        router = router.route(path, get(info));
    }
    Audience::new(Access::Public, router)
}

/// 200 when the database answers, 503 when it does not.
async fn healthz(State(state): State<AppState>) -> Response {
    if state.store.ping().await {
        (StatusCode::OK, "ok").into_response()
    } else {
        (StatusCode::SERVICE_UNAVAILABLE, "database unavailable").into_response()
    }
}

async fn home(State(state): State<AppState>, visitor: Visitor) -> AppResult<Response> {
    let shell = Shell::new(&state, &visitor, "Home", "/");
    render_clearing_flash(&state, &visitor, &HomePage { shell }).await
}

async fn basket(State(state): State<AppState>, visitor: Visitor) -> AppResult<Response> {
    let shell = Shell::new(&state, &visitor, "Your basket", "/basket");
    render_clearing_flash(&state, &visitor, &BasketPage { shell }).await
}

async fn sitemap(State(state): State<AppState>, visitor: Visitor) -> AppResult<Response> {
    let mut entries = vec![("/", "Home")];
    entries.extend(INFO_PAGES.iter().map(|(path, page)| (*path, page.heading)));
    entries.extend([("/signup", "Sign up"), ("/login", "Log in"), ("/basket", "Basket")]);
    let shell = Shell::new(&state, &visitor, "Sitemap", "/sitemap");
    render_clearing_flash(&state, &visitor, &SitemapPage { shell, entries }).await
}

async fn info(State(state): State<AppState>, visitor: Visitor, uri: axum::http::Uri) -> AppResult<Response> {
    let (path, page) = INFO_PAGES
        .iter()
        .find(|(p, _)| *p == uri.path())
        .ok_or(crate::error::AppError::NotFound)?;
    let shell = Shell::new(&state, &visitor, page.heading, path);
    render_clearing_flash(&state, &visitor, &InfoPage { shell, page }).await
}

/// The menu's pages and the footer's legal pages. Short for now; the content capability
/// turns them into managed pages.
const INFO_PAGES: &[(&str, &InfoContent)] = &[
    ("/about", &ABOUT),
    ("/remote-learning", &REMOTE_LEARNING),
    ("/learning", &LEARNING),
    ("/virtual-music-centre", &VMC),
    ("/early-years", &EARLY_YEARS),
    ("/contact", &CONTACT),
    ("/accessibility", &ACCESSIBILITY),
    ("/privacy", &PRIVACY),
    ("/terms", &TERMS),
];

// The menu in pages.rs and these pages must agree; a test walks the menu.
const _: () = assert!(MENU.len() == 6);

static ABOUT: InfoContent = InfoContent {
    heading: "About the hub",
    lead: "We are the music education hub for County Durham and Darlington, funded by Arts Council England and working with schools, families and partners so that every child can make music.",
    sections: &[
        (
            "What we do",
            &[
                "We teach instruments and singing in hundreds of schools, run over 40 ensembles, lend instruments, train school staff and publish a local plan for music education with our partners.",
                "Our promise is a high-quality offer for all: first access for every child, clear routes to progress, and help for those who face barriers, including children with special educational needs and disabilities, children from low-income families and looked-after children.",
            ],
        ),
        (
            "The trust and our people",
            &[
                "The hub is run by a charitable trust with a board of trustees. Our teachers are experienced musicians who hold enhanced DBS checks and up-to-date safeguarding training.",
            ],
        ),
        (
            "Working for us",
            &[
                "We advertise teaching and office vacancies on this site. Contact us to ask about current opportunities.",
            ],
        ),
    ],
    links: &[("/learning", "Lessons and prices"), ("/contact", "Contact us")],
};

static REMOTE_LEARNING: InfoContent = InfoContent {
    heading: "Remote learning",
    lead: "Free music activities for home and class, arranged by year group from Early Years to Year 6.",
    sections: &[
        (
            "15 minutes of music",
            &[
                "A short activity for every school day: singing, rhythm, listening and making up music, each taking about 15 minutes.",
            ],
        ),
        (
            "Weekly video episodes",
            &[
                "Each day has a theme: movement songs on Monday, early-years songs on Tuesday, ukulele on Wednesday, a singalong on Thursday and rhythm on Friday.",
            ],
        ),
    ],
    links: &[("/early-years", "Early Years"), ("/learning", "Learning")],
};

static LEARNING: InfoContent = InfoContent {
    heading: "Learning an instrument",
    lead: "Lessons happen in school, individually, in pairs or in small groups, for 15 to 60 minutes a week.",
    sections: &[
        (
            "How lessons work",
            &[
                "A parent or carer applies for lessons from their account. We offer a place when a teacher has space at your child's school, and you accept or decline the offer from your account.",
                "We promise at least 24 lessons a year and aim for 30. Lessons your child misses for their own reasons still count; lessons we miss are made up or credited.",
            ],
        ),
        (
            "What lessons cost",
            &[
                "The standard fee for a term of group lessons was £53.50 in 2019-20. Some schools add a charge of 15%, 50% or 100% of the standard fee; at 50% the termly fee is £80.25.",
                "Families whose children receive free school meals on income grounds pay a reduced fee of £37.50 a term. Looked-after children are never charged.",
                "Invoices are issued in September, December and April. You can pay in full or in instalments due by the 15th of each month.",
            ],
        ),
        (
            "Stopping lessons",
            &[
                "Give written notice before the next term's invoice is issued, that is by the last day of August, November or March. Otherwise the next term is payable.",
            ],
        ),
    ],
    links: &[
        ("/signup", "Create an account to apply"),
        ("/contact", "Ask us a question"),
    ],
};

static VMC: InfoContent = InfoContent {
    heading: "Virtual Music Centre",
    lead: "Online groups, or strands, for every standard, age and instrument, each session with its own video-call link.",
    sections: &[(
        "Who it is for",
        &[
            "Young musicians who cannot get to an area music centre, and anyone who wants to play with others between rehearsals.",
        ],
    )],
    links: &[("/contact", "Ask about joining")],
};

static EARLY_YEARS: InfoContent = InfoContent {
    heading: "Early Years",
    lead: "Songs, rhymes and movement activities for children from birth to five, for nurseries and families.",
    sections: &[(
        "Training for practitioners",
        &["We run short courses for nursery and reception staff on using music every day."],
    )],
    links: &[("/remote-learning", "Activities by year group")],
};

static CONTACT: InfoContent = InfoContent {
    heading: "Contact us",
    lead: "The hub office is open Monday to Friday, 8:30am to 4:30pm, during term time.",
    sections: &[
        (
            "Lessons and invoices",
            &[
                "Parents and carers can see lessons, invoices and payments in their account. For anything else, email the office and include your child's name and school.",
            ],
        ),
        (
            "Schools",
            &["School contacts can see their pupils' lessons and their school's invoices after logging in."],
        ),
    ],
    links: &[("/login", "Log in")],
};

static ACCESSIBILITY: InfoContent = InfoContent {
    heading: "Accessibility statement",
    lead: "We want as many people as possible to be able to use this website, and we aim to meet the Web Content Accessibility Guidelines (WCAG) 2.2 at level AA.",
    sections: &[
        (
            "What you can do",
            &[
                "You should be able to change colours and font sizes, zoom in up to 400% without the text spilling off the screen, navigate the whole site using just a keyboard, and listen to it with a screen reader.",
            ],
        ),
        (
            "Reporting problems",
            &[
                "If you find a problem with the accessibility of this website, contact us and we will reply within 5 working days.",
            ],
        ),
    ],
    links: &[("/contact", "Contact us")],
};

static PRIVACY: InfoContent = InfoContent {
    heading: "Privacy notice",
    lead: "We hold personal data about children and their families to provide music education. We are the data controller under UK GDPR, and we follow the ICO's Children's Code.",
    sections: &[
        (
            "What we hold and why",
            &[
                "Names, dates of birth, schools, contact details, attendance and progress, and where needed free school meals status, special educational needs and medical notes, so that we can teach, charge fairly and keep children safe.",
            ],
        ),
        (
            "Your rights",
            &[
                "You can ask for a copy of the data we hold, ask us to correct it, or ask us to erase it. Teachers see only their own pupils, and schools only their own.",
            ],
        ),
    ],
    links: &[("/contact", "Contact our data protection lead")],
};

static TERMS: InfoContent = InfoContent {
    heading: "Terms and conditions",
    lead: "These terms cover lessons, charges and the use of this website.",
    sections: &[
        (
            "Charges",
            &[
                "Tuition is charged termly at the rates published for the academic year. Individual and group tuition is charged only at a parent's request and never above cost. Whole-class teaching in the curriculum is free to families.",
            ],
        ),
        (
            "Notice",
            &[
                "Written notice must reach us before the next term's invoice is issued. Stopping part-way through a term does not cancel an invoice already issued.",
            ],
        ),
    ],
    links: &[("/learning", "Lessons and prices")],
};
