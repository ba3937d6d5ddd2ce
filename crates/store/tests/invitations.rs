//! Invitations from sent to accepted, on an empty hub with a fixed clock: a member of staff
//! invited, the link resent (the old one dies), a parent's invitation for their own child and
//! not for anyone else's, one withdrawn, one left to expire, one accepted (the login is made
//! with its role and link), "invite everyone" run twice, and archiving a record disabling its
//! login and withdrawing its invitations.
use time::Duration;
use time::macros::date;
use tutti_domain::Refusal;
use tutti_domain::clock::Clock;
use tutti_domain::invitations::{InvitationLink, InvitationRefusal, InvitationStatus};
use tutti_store::platform::accounts::{LoginOutcome, Role};
use tutti_store::platform::audit::Actor;
use tutti_store::platform::invitations::{InvitationFilter, InvitationMail, LoginState, NewInvitation};
use tutti_store::platform::sessions::SessionPolicy;
use tutti_store::records::pupils::PupilScope;
use tutti_store::testing::world::{PASSWORD, a_contact_at, a_family, a_school, a_teacher};
use tutti_store::testing::{TestBackend, TestDatabase};
use tutti_store::{Store, StoreError, on_both_backends};

on_both_backends!(
    an_invitation_lives_from_sent_to_accepted,
    archiving_a_record_closes_its_logins
);

fn mail() -> InvitationMail {
    InvitationMail {
        hub: "Anytown Music Hub".into(),
        public_url: "https://hub.example/".into(),
    }
}

/// The secret in the newest email to `to`.
async fn token_sent_to(store: &Store, to: &str) -> String {
    let (messages, _) = store.outbox_page(Some(to), 1, 1).await.unwrap();
    let body = &messages.first().expect("an email was sent").body;
    assert!(
        messages[0].secret,
        "the email carries a secret link: no screen shows its body"
    );
    let start = body.find("/invitations/accept?token=").expect("the link") + "/invitations/accept?token=".len();
    body[start..start + 64].to_owned()
}

fn refusal(e: StoreError) -> InvitationRefusal {
    match e {
        StoreError::Refused(Refusal::Invitations(r)) => r,
        other => panic!("expected an invitation's refusal, got {other:?}"),
    }
}

async fn store_on_a_fixed_day(db: &TestDatabase) -> Store {
    let store = Store::connect(&db.url)
        .await
        .unwrap()
        .with_clock(Clock::on(date!(2026 - 09 - 16)));
    store.migrate().await.unwrap();
    store
}

async fn an_invitation_lives_from_sent_to_accepted(backend: TestBackend) {
    let Some(db) = TestDatabase::create(backend).await else {
        return;
    };
    let store = store_on_a_fixed_day(&db).await;
    let office = Actor::cli();
    let school = a_school().create(&store).await;
    let teacher = a_teacher().named("Jo", "Bloggs").create(&store).await;
    let staff_link = InvitationLink::Staff(teacher.staff.id);

    // Invited as a teacher: an email with a link, working for 7 days.
    let new = NewInvitation {
        email: teacher.staff.email.clone(),
        role: Role::Teacher,
        link: staff_link,
        name: None,
    };
    let sent = store.invite(&office, &PupilScope::All, &new, &mail()).await.unwrap();
    assert_eq!(sent.status, InvitationStatus::Pending);
    assert_eq!(sent.name, "Jo Bloggs");
    assert_eq!(sent.expires_at - sent.sent_at, Duration::days(7));
    let first = token_sent_to(&store, &teacher.staff.email).await;
    assert!(matches!(
        store.login_state_of(staff_link).await.unwrap(),
        LoginState::Invited { expired: false, .. }
    ));

    // Not twice while it waits, and not as a school's login.
    let again = store
        .invite(&office, &PupilScope::All, &new, &mail())
        .await
        .unwrap_err();
    assert!(matches!(refusal(again), InvitationRefusal::AlreadyInvited { .. }));
    let wrong = NewInvitation {
        role: Role::School,
        email: "someone@else.example".into(),
        ..new.clone()
    };
    let wrong = refusal(
        store
            .invite(&office, &PupilScope::All, &wrong, &mail())
            .await
            .unwrap_err(),
    );
    assert_eq!(wrong.field(), Some("role"));

    // Resent: a new link; the first one is dead.
    store.resend_invitation(&office, sent.id, &mail()).await.unwrap();
    let second = token_sent_to(&store, &teacher.staff.email).await;
    assert_ne!(first, second);
    assert!(store.invitation_by_token(&first).await.unwrap().is_none());
    assert!(matches!(
        store.accept_invitation(&first, "a chosen passphrase", "test").await,
        Err(StoreError::NotFound)
    ));

    // A parent invites for their own child, not for anyone else's.
    let family = a_family(&school).with_login(PASSWORD).create(&store).await;
    let others = a_family(&school).create(&store).await;
    let parent = store.user_by_email(&family.email).await.unwrap().unwrap();
    let parent_scope = PupilScope::for_user(&parent);
    let for_child = |pupil: i64| NewInvitation {
        email: format!("child{pupil}@family.example"),
        role: Role::Pupil,
        link: InvitationLink::Pupil(pupil),
        name: None,
    };
    let theirs = store
        .invite(
            &Actor::user(&parent, "test"),
            &parent_scope,
            &for_child(others.children[0]),
            &mail(),
        )
        .await;
    assert!(
        matches!(theirs, Err(StoreError::NotFound)),
        "someone else's child is not there"
    );
    let child = store
        .invite(
            &Actor::user(&parent, "test"),
            &parent_scope,
            &for_child(family.children[0]),
            &mail(),
        )
        .await
        .unwrap();
    // A parent names pupils only.
    let staff_by_parent = store
        .invite(&Actor::user(&parent, "test"), &parent_scope, &new, &mail())
        .await;
    assert!(matches!(staff_by_parent, Err(StoreError::NotFound)));

    // Withdrawn: its link says so.
    let child_token = token_sent_to(&store, &child.email).await;
    store.withdraw_invitation(&office, child.id).await.unwrap();
    let dead = refusal(
        store
            .accept_invitation(&child_token, "a chosen passphrase", "test")
            .await
            .unwrap_err(),
    );
    assert_eq!(
        dead,
        InvitationRefusal::LinkDead {
            status: InvitationStatus::Withdrawn
        }
    );
    assert!(store.withdraw_invitation(&office, child.id).await.is_err());

    // A school's contact, invited and left for a week and a second: expired.
    let contact = a_contact_at(&school).create(&store).await;
    let to_contact = NewInvitation {
        email: contact.email.clone(),
        role: Role::School,
        link: InvitationLink::School(school.id),
        name: None,
    };
    let waiting = store
        .invite(&office, &PupilScope::All, &to_contact, &mail())
        .await
        .unwrap();
    assert_eq!(waiting.contact_id, Some(contact.id));
    assert_eq!(waiting.name, contact.name);
    let contact_token = token_sent_to(&store, &contact.email).await;
    store.clock().advance(Duration::days(7) + Duration::seconds(1));
    assert_eq!(
        store.invitation(waiting.id).await.unwrap().unwrap().status,
        InvitationStatus::Expired
    );
    let expired = refusal(
        store
            .accept_invitation(&contact_token, "a chosen passphrase", "test")
            .await
            .unwrap_err(),
    );
    assert_eq!(
        expired.to_string().split('.').next(),
        Some("This invitation has expired")
    );
    let listed = store
        .list_invitations(&InvitationFilter {
            status: Some(InvitationStatus::Expired),
            q: String::new(),
            page: 1,
            per_page: 10,
        })
        .await
        .unwrap();
    assert_eq!(listed.total, 2, "the teacher's and the contact's: {:?}", listed.rows);

    // The teacher's link, sent again now, is accepted: the login has the role and the link.
    store.resend_invitation(&office, sent.id, &mail()).await.unwrap();
    let token = token_sent_to(&store, &teacher.staff.email).await;
    let user = store
        .accept_invitation(&token, "a chosen passphrase", "test")
        .await
        .unwrap();
    assert_eq!(
        (user.role, user.staff_id, user.email_verified),
        (Role::Teacher, Some(teacher.staff.id), true)
    );
    assert!(matches!(
        store
            .authenticate(&teacher.staff.email, "a chosen passphrase")
            .await
            .unwrap(),
        LoginOutcome::Ok(_)
    ));
    let accepted = store.invitation(sent.id).await.unwrap().unwrap();
    assert_eq!(
        (accepted.status, accepted.user_id),
        (InvitationStatus::Accepted, Some(user.id))
    );
    assert!(matches!(
        store.login_state_of(staff_link).await.unwrap(),
        LoginState::HasLogin { disabled: false, .. }
    ));
    let used = refusal(
        store
            .accept_invitation(&token, "another passphrase", "test")
            .await
            .unwrap_err(),
    );
    assert_eq!(
        used,
        InvitationRefusal::LinkDead {
            status: InvitationStatus::Accepted
        }
    );
    // The email has a login now: nobody invites it again.
    let other_record = a_teacher().create(&store).await;
    let taken = NewInvitation {
        link: InvitationLink::Staff(other_record.staff.id),
        ..new.clone()
    };
    let taken = refusal(
        store
            .invite(&office, &PupilScope::All, &taken, &mail())
            .await
            .unwrap_err(),
    );
    assert!(matches!(taken, InvitationRefusal::EmailHasLogin { .. }));

    // Everyone without a login, twice: the second run invites nobody.
    let everyone = store.invite_everyone(&office, &mail()).await.unwrap();
    // The other teacher; the contact's invitation had expired, so they are invited afresh.
    assert_eq!((everyone.staff, everyone.contacts), (1, 1));
    assert_eq!(store.invite_everyone(&office, &mail()).await.unwrap().total(), 0);
}

async fn archiving_a_record_closes_its_logins(backend: TestBackend) {
    let Some(db) = TestDatabase::create(backend).await else {
        return;
    };
    let store = store_on_a_fixed_day(&db).await;
    let office = Actor::cli();
    let signed_in = a_teacher().with_login(PASSWORD).create(&store).await;
    let invited = a_teacher().create(&store).await;
    let user = signed_in.user.unwrap();
    let (session, _) = store
        .create_session(Some(user.id), SessionPolicy::default())
        .await
        .unwrap();
    let sent = store
        .invite(
            &office,
            &PupilScope::All,
            &NewInvitation {
                email: invited.staff.email.clone(),
                role: Role::Teacher,
                link: InvitationLink::Staff(invited.staff.id),
                name: None,
            },
            &mail(),
        )
        .await
        .unwrap();

    store.archive_staff(&office, signed_in.staff.id).await.unwrap();
    store.archive_staff(&office, invited.staff.id).await.unwrap();

    assert!(matches!(
        store.authenticate(&user.email, PASSWORD).await.unwrap(),
        LoginOutcome::Disabled
    ));
    assert!(
        store
            .load_session(&session, SessionPolicy::default())
            .await
            .unwrap()
            .is_none(),
        "the session ended"
    );
    assert_eq!(
        store.invitation(sent.id).await.unwrap().unwrap().status,
        InvitationStatus::Withdrawn
    );
    // An archived record invites nobody.
    let school = a_school().create(&store).await;
    store.archive_school(&office, school.id).await.unwrap();
    let refused = store
        .invite(
            &office,
            &PupilScope::All,
            &NewInvitation {
                email: "head@school.example".into(),
                role: Role::School,
                link: InvitationLink::School(school.id),
                name: Some("Ann Head".into()),
            },
            &mail(),
        )
        .await
        .unwrap_err();
    assert!(matches!(refusal(refused), InvitationRefusal::RecordArchived { .. }));
}
