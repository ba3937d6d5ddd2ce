//! The content admin screens under /admin/content: lists by kind, an editor with Markdown
//! preview, file uploads for podcast audio and documents, and deletion.
use askama::Template;
use axum::extract::{Form, Multipart, Path, Query};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use serde::Deserialize;
use tutti_store::content::files::Purpose;
use tutti_store::content::{DAY_THEMES, Draft, Item, Kind, YEAR_GROUPS, validate};

use super::Ctx;
use super::markdown;
use super::views::item_url;
use crate::access::Routes;
use crate::error::{AppError, AppResult, message};
use crate::forms::FormErrors;
use crate::pages::{page_count, render};
use crate::routes::page_number;
use crate::shell::Shell;

const PER_PAGE: u64 = 30;

pub fn router() -> Routes {
    Routes::new()
        .route("/admin/content", get(list))
        .route("/admin/content/new", get(new_form).post(create))
        .route("/admin/content/{id}", get(edit_form).post(update))
        .route("/admin/content/{id}/delete", post(delete))
        .route(
            "/admin/content/{id}/file",
            post(upload).layer(axum::extract::DefaultBodyLimit::max(crate::limits::UPLOAD)),
        )
}

#[derive(Deserialize)]
struct ListQuery {
    kind: Option<String>,
    #[serde(default)]
    q: String,
    page: Option<String>,
}

pub struct Row {
    pub id: i64,
    pub title: String,
    pub url: String,
    pub status: String,
    pub updated: String,
}

#[derive(Template)]
#[template(path = "content/admin_list.html")]
struct ListPage {
    shell: Shell,
    kinds: Vec<(&'static str, &'static str, bool)>,
    kind: &'static str,
    kind_label: &'static str,
    rows: Vec<Row>,
    q: String,
    page: u64,
    pages: u64,
    total: u64,
}

async fn list(ctx: Ctx, Query(q): Query<ListQuery>) -> AppResult<Response> {
    let kind = q.kind.as_deref().and_then(Kind::parse).unwrap_or(Kind::Page);
    let page = page_number(q.page.as_deref());
    let (items, total) = ctx.state.store.content_admin_list(kind, &q.q, page, PER_PAGE).await?;
    let rows = items
        .iter()
        .map(|i| Row {
            id: i.id,
            title: if kind == Kind::Page {
                format!("{}{}", "— ".repeat(i.path.matches('/').count()), i.title)
            } else {
                i.title.clone()
            },
            url: item_url(i),
            status: if i.status == "published" { "Published" } else { "Draft" }.into(),
            updated: crate::format::when(i.updated_at),
        })
        .collect();
    crate::pages::render_clearing_flash(
        &ctx.state,
        &ctx.visitor,
        &ListPage {
            shell: Shell::new(&ctx.state, &ctx.visitor, "Content", "/admin/content"),
            kinds: Kind::ALL.iter().map(|k| (k.as_str(), k.label(), *k == kind)).collect(),
            kind: kind.as_str(),
            kind_label: kind.label(),
            rows,
            q: q.q,
            page,
            pages: page_count(total, PER_PAGE),
            total,
        },
    )
    .await
}

/// The editor's form as submitted: every field as text, parsed into a draft.
#[derive(Deserialize, Default, Clone)]
pub struct EditForm {
    #[serde(default)]
    pub kind: String,
    #[serde(default)]
    pub title: String,
    #[serde(default)]
    pub slug: String,
    #[serde(default)]
    pub parent_id: String,
    #[serde(default)]
    pub position: String,
    #[serde(default)]
    pub menu_title: String,
    #[serde(default)]
    pub summary: String,
    #[serde(default)]
    pub body: String,
    #[serde(default)]
    pub image_url: String,
    #[serde(default)]
    pub image_alt: String,
    #[serde(default)]
    pub author: String,
    #[serde(default)]
    pub topics: String,
    #[serde(default)]
    pub published: String,
    #[serde(default)]
    pub published_on: String,
    #[serde(default)]
    pub series: String,
    #[serde(default)]
    pub episode_number: String,
    #[serde(default)]
    pub day_theme: String,
    #[serde(default)]
    pub video_url: String,
    #[serde(default)]
    pub year_group: String,
    #[serde(default)]
    pub category: String,
    #[serde(default)]
    pub closes_on: String,
    #[serde(default)]
    pub duration_minutes: String,
    #[serde(default)]
    pub action: String,
}

fn opt(s: &str) -> Option<String> {
    let t = s.trim();
    (!t.is_empty()).then(|| t.to_owned())
}

fn date(errors: &mut FormErrors, field: &'static str, s: &str) -> Option<time::Date> {
    let s = s.trim();
    if s.is_empty() {
        return None;
    }
    match time::Date::parse(s, time::macros::format_description!("[year]-[month]-[day]")) {
        Ok(d) => Some(d),
        Err(_) => {
            errors.add(field, "Enter a real date, such as 2026-03-31");
            None
        }
    }
}

fn number(errors: &mut FormErrors, field: &'static str, s: &str) -> Option<i32> {
    let s = s.trim();
    if s.is_empty() {
        return None;
    }
    match s.parse::<i32>() {
        Ok(n) => Some(n),
        Err(_) => {
            errors.add(field, "Enter a whole number, such as 3");
            None
        }
    }
}

impl EditForm {
    fn from_item(i: &Item) -> EditForm {
        EditForm {
            kind: i.kind.clone(),
            title: i.title.clone(),
            slug: i.slug.clone(),
            parent_id: i.parent_id.map(|p| p.to_string()).unwrap_or_default(),
            position: i.position.to_string(),
            menu_title: i.menu_title.clone().unwrap_or_default(),
            summary: i.summary.clone(),
            body: i.body.clone(),
            image_url: i.image_url.clone().unwrap_or_default(),
            image_alt: i.image_alt.clone(),
            author: i.author.clone(),
            topics: i.topics.clone(),
            published: if i.status == "published" {
                "yes".into()
            } else {
                String::new()
            },
            published_on: i.published_at.map(|t| t.date().to_string()).unwrap_or_default(),
            series: i.series.clone().unwrap_or_default(),
            episode_number: i.episode_number.map(|n| n.to_string()).unwrap_or_default(),
            day_theme: i.day_theme.clone().unwrap_or_default(),
            video_url: i.video_url.clone().unwrap_or_default(),
            year_group: i.year_group.clone().unwrap_or_default(),
            category: i.category.clone().unwrap_or_default(),
            closes_on: i.closes_on.map(|d| d.to_string()).unwrap_or_default(),
            duration_minutes: i
                .duration_seconds
                .map(|s| ((s + 30) / 60).to_string())
                .unwrap_or_default(),
            action: String::new(),
        }
    }

    /// The draft this form describes, with the errors found in it.
    fn draft(&self, kind: Kind, file_id: Option<i64>) -> (Draft, FormErrors) {
        let mut errors = FormErrors::default();
        let mut d = Draft::new(kind, &self.title);
        d.slug = self.slug.trim().to_owned();
        d.parent_id = self.parent_id.trim().parse().ok();
        d.position = number(&mut errors, "position", &self.position).unwrap_or(0);
        d.menu_title = opt(&self.menu_title);
        d.summary = self.summary.clone();
        d.body = self.body.clone();
        d.image_url = opt(&self.image_url);
        d.image_alt = self.image_alt.clone();
        d.author = self.author.clone();
        d.topics = self.topics.clone();
        d.published = !self.published.is_empty();
        d.published_at = date(&mut errors, "published_on", &self.published_on).map(|day| day.midnight().assume_utc());
        d.series = opt(&self.series);
        d.episode_number = number(&mut errors, "episode_number", &self.episode_number);
        d.day_theme = opt(&self.day_theme);
        d.video_url = opt(&self.video_url);
        d.year_group = opt(&self.year_group);
        d.category = opt(&self.category);
        d.closes_on = date(&mut errors, "closes_on", &self.closes_on);
        d.duration_seconds = number(&mut errors, "duration_minutes", &self.duration_minutes).map(|m| m * 60);
        d.file_id = file_id;
        for problem in validate(&d) {
            errors.add(problem.field(), problem.to_string());
        }
        (d, errors)
    }
}

#[derive(Template)]
#[template(path = "content/admin_edit.html")]
struct EditPage {
    shell: Shell,
    id: Option<i64>,
    kind: &'static str,
    kind_label: &'static str,
    form: EditForm,
    errors: FormErrors,
    csrf: String,
    preview: Option<String>,
    parents: Vec<(String, String)>,
    year_groups: &'static [(&'static str, &'static str)],
    day_themes: &'static [(&'static str, &'static str)],
    file: Option<(String, String)>,
    upload_error: Option<String>,
    url: Option<String>,
}

/// The edit form, blank (200) or sent back with its errors (422).
async fn form_page(ctx: &Ctx, id: Option<i64>, kind: Kind, form: EditForm, errors: FormErrors) -> AppResult<Response> {
    let status = if errors.is_empty() {
        StatusCode::OK
    } else {
        StatusCode::UNPROCESSABLE_ENTITY
    };
    edit_page(ctx, id, kind, form, errors, None, None, status).await
}

#[allow(clippy::too_many_arguments)]
async fn edit_page(
    ctx: &Ctx,
    id: Option<i64>,
    kind: Kind,
    form: EditForm,
    errors: FormErrors,
    preview: Option<String>,
    upload_error: Option<String>,
    status: StatusCode,
) -> AppResult<Response> {
    let store = &ctx.state.store;
    let item = match id {
        Some(id) => Some(store.content_item(id).await?.ok_or(AppError::NotFound)?),
        None => None,
    };
    let parents = if kind == Kind::Page {
        store
            .content_all_pages()
            .await?
            .into_iter()
            .filter(|p| {
                item.as_ref()
                    .is_none_or(|me| p.id != me.id && !p.path.starts_with(&format!("{}/", me.path)))
            })
            .map(|p| (p.id.to_string(), format!("/{} ({})", p.path, p.title)))
            .collect()
    } else {
        Vec::new()
    };
    let file = match item.as_ref().and_then(|i| i.file_id) {
        Some(fid) => store
            .content_file_info(fid)
            .await?
            .map(|f| (f.name.clone(), super::public::human_size(f.size))),
        None => None,
    };
    let title = match &item {
        Some(i) => format!("Edit: {}", i.title),
        None => format!("New: {}", kind.label()),
    };
    let page = EditPage {
        shell: Shell::new(&ctx.state, &ctx.visitor, title, "/admin/content"),
        id,
        kind: kind.as_str(),
        kind_label: kind.label(),
        form,
        errors,
        csrf: ctx.visitor.csrf(),
        preview,
        parents,
        year_groups: YEAR_GROUPS,
        day_themes: DAY_THEMES,
        file,
        upload_error,
        url: item.as_ref().map(item_url),
    };
    if status != StatusCode::OK {
        return Ok((status, render(&page)?).into_response());
    }
    crate::pages::render_clearing_flash(&ctx.state, &ctx.visitor, &page).await
}

#[derive(Deserialize)]
struct NewQuery {
    kind: Option<String>,
}

async fn new_form(ctx: Ctx, Query(q): Query<NewQuery>) -> AppResult<Response> {
    let kind = q.kind.as_deref().and_then(Kind::parse).unwrap_or(Kind::Page);
    let form = EditForm {
        kind: kind.as_str().into(),
        author: ctx.visitor.user().map(|u| u.name.clone()).unwrap_or_default(),
        ..Default::default()
    };
    form_page(&ctx, None, kind, form, FormErrors::default()).await
}

async fn edit_form(ctx: Ctx, Path(id): Path<i64>) -> AppResult<Response> {
    let item = ctx.state.store.content_item(id).await?.ok_or(AppError::NotFound)?;
    let kind = Kind::parse(&item.kind).unwrap_or(Kind::Page);
    form_page(&ctx, Some(id), kind, EditForm::from_item(&item), FormErrors::default()).await
}

async fn create(ctx: Ctx, Form(form): Form<EditForm>) -> AppResult<Response> {
    save(ctx, None, form).await
}

async fn update(ctx: Ctx, Path(id): Path<i64>, Form(form): Form<EditForm>) -> AppResult<Response> {
    save(ctx, Some(id), form).await
}

async fn save(ctx: Ctx, id: Option<i64>, form: EditForm) -> AppResult<Response> {
    let store = &ctx.state.store;
    let existing = match id {
        Some(id) => Some(store.content_item(id).await?.ok_or(AppError::NotFound)?),
        None => None,
    };
    let kind = existing
        .as_ref()
        .and_then(|i| Kind::parse(&i.kind))
        .or_else(|| Kind::parse(&form.kind))
        .unwrap_or(Kind::Page);
    let (draft, mut errors) = form.draft(kind, existing.as_ref().and_then(|i| i.file_id));
    if form.action == "preview" {
        let preview = markdown::to_html(&form.body);
        // Preview shows the body as visitors will see it; problems wait for the save.
        return edit_page(
            &ctx,
            id,
            kind,
            form,
            FormErrors::default(),
            Some(preview),
            None,
            StatusCode::OK,
        )
        .await;
    }
    if !errors.is_empty() {
        return form_page(&ctx, id, kind, form, errors).await;
    }
    match store.save_content(id, &draft).await {
        Ok(item) => {
            ctx.cache.clear();
            ctx.state.menu.clear();
            set_flash(&ctx, &format!("Saved “{}”.", item.title)).await?;
            Ok(Redirect::to(&format!("/admin/content/{}", item.id)).into_response())
        }
        Err(tutti_store::StoreError::Refused(r)) => {
            errors.add("slug", message(&r));
            form_page(&ctx, id, kind, form, errors).await
        }
        Err(e) => Err(e.into()),
    }
}

async fn set_flash(ctx: &Ctx, message: &str) -> AppResult<()> {
    if let Some(s) = &ctx.visitor.session {
        ctx.state.store.set_flash(&s.id_hash, Some(message)).await?;
    }
    Ok(())
}

async fn delete(ctx: Ctx, Path(id): Path<i64>) -> AppResult<Response> {
    let item = ctx.state.store.content_item(id).await?.ok_or(AppError::NotFound)?;
    match ctx.state.store.delete_content(id).await {
        Ok(()) => {
            ctx.cache.clear();
            ctx.state.menu.clear();
            set_flash(&ctx, &format!("Deleted “{}”.", item.title)).await?;
            Ok(Redirect::to(&format!("/admin/content?kind={}", item.kind)).into_response())
        }
        Err(tutti_store::StoreError::Refused(r)) => {
            let kind = Kind::parse(&item.kind).unwrap_or(Kind::Page);
            let mut errors = FormErrors::default();
            errors.add("title", message(&r));
            form_page(&ctx, Some(id), kind, EditForm::from_item(&item), errors).await
        }
        Err(e) => Err(e.into()),
    }
}

/// Uploads the audio of a podcast episode or the file of a document, replacing any before.
async fn upload(ctx: Ctx, Path(id): Path<i64>, mut multipart: Multipart) -> AppResult<Response> {
    let store = &ctx.state.store;
    let item = store.content_item(id).await?.ok_or(AppError::NotFound)?;
    let kind = Kind::parse(&item.kind).unwrap_or(Kind::Page);
    let purpose = match kind {
        Kind::Podcast => Purpose::Audio,
        Kind::Document => Purpose::Document,
        _ => {
            return Err(AppError::BadRequest(
                "Only podcast episodes and documents have files.".into(),
            ));
        }
    };
    let mut upload: Option<(String, Vec<u8>)> = None;
    while let Some(field) = multipart
        .next_field()
        .await
        .map_err(|_| AppError::BadRequest("The upload was interrupted. Try again.".into()))?
    {
        if field.name() == Some("file") {
            let name = field.file_name().unwrap_or("upload").to_owned();
            let bytes = field
                .bytes()
                .await
                .map_err(|_| AppError::BadRequest("The file was too large or the upload was interrupted.".into()))?;
            upload = Some((name, bytes.to_vec()));
        }
    }
    let refuse = |m: String| async {
        edit_page(
            &ctx,
            Some(id),
            kind,
            EditForm::from_item(&item),
            FormErrors::default(),
            None,
            Some(m),
            StatusCode::UNPROCESSABLE_ENTITY,
        )
        .await
    };
    let Some((name, bytes)) = upload.filter(|(_, b)| !b.is_empty()) else {
        return refuse("Choose a file to upload.".into()).await;
    };
    let file_id = match store.store_content_file(purpose, &name, &bytes).await {
        Ok(fid) => fid,
        Err(tutti_store::StoreError::Refused(r)) => return refuse(message(&r)).await,
        Err(e) => return Err(e.into()),
    };
    let mut draft = Draft::from_item(&item);
    draft.file_id = Some(file_id);
    store.save_content(Some(id), &draft).await?;
    ctx.cache.clear();
    ctx.state.menu.clear();
    set_flash(&ctx, &format!("Uploaded {name}.")).await?;
    Ok(Redirect::to(&format!("/admin/content/{id}")).into_response())
}
