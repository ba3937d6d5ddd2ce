//! The pages every hub starts with: the menu's sections and the legal pages, short and
//! true for any hub, so that their addresses answer before anyone writes content.
use sea_orm::{ConnectionTrait, DbErr, EntityTrait, Set};

use crate::entities::content_item;
use crate::now;

/// (slug, title, summary, body in Markdown), in menu order.
pub(crate) const STARTER: &[(&str, &str, &str, &str)] = &[
    (
        "about",
        "About the hub",
        "We are the music education hub for our area, working with schools, families and partners so that every child can make music.",
        "We teach instruments and singing in schools, run ensembles, lend instruments, train school staff and publish a local plan for music education with our partners.\n\n[Contact us](/contact) to find out more.",
    ),
    (
        "service",
        "Our service",
        "What the hub does for children, families and schools.",
        "Our service covers lessons, ensembles, whole-class teaching, instrument loans and training for school staff.",
    ),
    (
        "learning",
        "Learning an instrument",
        "Lessons happen in school, individually, in pairs or in small groups.",
        "A parent or carer applies for lessons from their account. We offer a place when a teacher has space at your child's school.\n\n[Create an account to apply](/signup).",
    ),
    (
        "remote-learning",
        "Remote learning",
        "Free music activities for home and class, arranged by year group from Early Years to Year 6.",
        "Find [activities by year group](/resources), our [weekly video episodes](/episodes) and our [singing podcast](/podcast).",
    ),
    (
        "virtual-music-centre",
        "Virtual Music Centre",
        "Online groups for every standard, age and instrument.",
        "Each online group session has its own video-call link, sent to members before the session.",
    ),
    (
        "early-years",
        "Early Years",
        "Songs, rhymes and movement activities for children from birth to five.",
        "Find [Early Years activities](/resources?year=early-years).",
    ),
    (
        "contact",
        "Contact us",
        "Send the hub office a message.",
        "Use the form on this page and we will reply by email.",
    ),
    (
        "accessibility",
        "Accessibility statement",
        "We aim to meet the Web Content Accessibility Guidelines (WCAG) 2.2 at level AA.",
        "You should be able to change colours and font sizes, zoom in up to 400% without the text spilling off the screen, navigate the whole site using just a keyboard, and listen to it with a screen reader.\n\n## Reporting problems\n\nIf you find a problem with the accessibility of this website, [contact us](/contact) and we will reply within 5 working days.",
    ),
    (
        "privacy",
        "Privacy notice",
        "How we use the personal data we hold about children and their families.",
        "We are the data controller under UK GDPR, and we follow the ICO's Children's Code.\n\n## Your rights\n\nYou can ask for a copy of the data we hold, ask us to correct it, or ask us to erase it.",
    ),
    (
        "terms",
        "Terms and conditions",
        "These terms cover lessons, charges and the use of this website.",
        "Tuition is charged termly at the rates published for the academic year. Individual and group tuition is charged only at a parent's request and never above cost.",
    ),
];

/// Writes the starter pages; called by the content migration.
pub(crate) async fn seed(conn: &impl ConnectionTrait) -> Result<(), DbErr> {
    let t = now();
    for (i, (slug, title, summary, body)) in STARTER.iter().enumerate() {
        let page = content_item::ActiveModel {
            kind: Set("page".into()),
            parent_id: Set(None),
            position: Set(i as i32 * 10),
            slug: Set((*slug).into()),
            path: Set((*slug).into()),
            title: Set((*title).into()),
            summary: Set((*summary).into()),
            body: Set((*body).into()),
            image_url: Set(None),
            image_alt: Set(String::new()),
            author: Set("Hub office".into()),
            topics: Set(String::new()),
            status: Set("published".into()),
            published_at: Set(Some(t)),
            series: Set(None),
            episode_number: Set(None),
            day_theme: Set(None),
            video_url: Set(None),
            year_group: Set(None),
            category: Set(None),
            closes_on: Set(None),
            file_id: Set(None),
            duration_seconds: Set(None),
            views: Set(0),
            // Added by a later migration than the one that seeds these pages.
            menu_title: sea_orm::ActiveValue::NotSet,
            created_at: Set(t),
            updated_at: Set(t),
            ..Default::default()
        };
        // Without RETURNING: it would name every column of today's entity, and this runs
        // in a migration before the later columns exist.
        content_item::Entity::insert(page).exec_without_returning(conn).await?;
    }
    Ok(())
}
