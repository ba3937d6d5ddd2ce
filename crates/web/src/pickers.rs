//! Pickers: the office names a school, pupil, member of staff or instrument by typing part of
//! its name rather than its number. A picker is a text field whose list of suggestions
//! `static/pickers.js` fills from `/admin/lookup/{kind}`; whatever arrives, a suggestion's
//! label, a key (URN, reference, email, serial), a record number or a bare name, is resolved
//! here, so the field works the same without JavaScript (decision 0074).
use std::collections::HashMap;

use tutti_store::Store;
use tutti_store::records::lookup::{Found, LookupKind};

use crate::error::AppResult;
use crate::forms::FormErrors;

/// How a suggestion reads, and what the field holds once it is chosen: the name, what tells
/// two of that name apart, and the key in brackets, which `resolve` reads back.
pub fn label(kind: LookupKind, f: &Found) -> String {
    let key = match kind {
        LookupKind::School => format!("URN {}", f.key),
        _ => f.key.clone(),
    };
    if f.detail.is_empty() {
        format!("{} ({key})", f.name)
    } else {
        format!("{}, {} ({key})", f.name, f.detail)
    }
}

/// What a picker's text names.
#[derive(Debug)]
pub enum Picked {
    /// Nothing was typed.
    Empty,
    One(Found),
    NotFound,
    /// More than one record matches (this many, counted up to one past a picker's list).
    Many(usize),
}

/// The bracketed key at the end of a suggestion's label, if the text ends with one.
fn bracketed_key(text: &str) -> Option<&str> {
    let inner = text.strip_suffix(')')?;
    let open = inner.rfind('(')?;
    let key = inner[open + 1..].trim();
    let key = key
        .strip_prefix("URN ")
        .or_else(|| key.strip_prefix("urn "))
        .unwrap_or(key)
        .trim();
    (!key.is_empty()).then_some(key)
}

/// Resolves what was typed in a picker for `kind`: a suggestion's label or a key first, then
/// a record's number, then the words of a name, which must match exactly one live record.
pub async fn resolve(store: &Store, kind: LookupKind, text: &str) -> AppResult<Picked> {
    let text = text.trim();
    if text.is_empty() {
        return Ok(Picked::Empty);
    }
    if let Some(key) = bracketed_key(text)
        && let Some(found) = store.lookup_key(kind, key).await?
    {
        return Ok(Picked::One(found));
    }
    if let Some(found) = store.lookup_key(kind, text).await? {
        return Ok(Picked::One(found));
    }
    if let Ok(id) = text.parse::<i64>()
        && let Some(found) = store.lookup_id(kind, id).await?
    {
        return Ok(Picked::One(found));
    }
    let found = store.lookup(kind, text, tutti_store::records::lookup::LIMIT).await?;
    // A name typed in full picks its record even when it is also part of longer names.
    let exact: Vec<&Found> = found
        .iter()
        .filter(|f| f.name.eq_ignore_ascii_case(text) || label(kind, f).eq_ignore_ascii_case(text))
        .collect();
    Ok(match (found.len(), exact.len()) {
        (0, _) => Picked::NotFound,
        (1, _) => Picked::One(found.into_iter().next().expect("one")),
        (_, 1) => Picked::One(exact[0].clone()),
        (n, _) => Picked::Many(n),
    })
}

/// The record a form's picker names, or an error beside `field` saying why none was taken;
/// `what` names the kind of record in the message ("school"), `required` whether a blank
/// field is an error too.
pub async fn pick(
    store: &Store,
    errors: &mut FormErrors,
    field: &'static str,
    kind: LookupKind,
    text: &str,
    what: &str,
    required: bool,
) -> AppResult<Option<Found>> {
    match resolve(store, kind, text).await? {
        Picked::One(found) => return Ok(Some(found)),
        Picked::Empty if required => errors.add(field, format!("Enter the {what}'s name and choose it from the list")),
        Picked::Empty => {}
        Picked::NotFound => errors.add(
            field,
            format!(
                "No {what} matches “{}”: type part of the name and choose from the list",
                text.trim()
            ),
        ),
        Picked::Many(n) => errors.add(
            field,
            format!(
                "{} match “{}”: type more of the name and choose one from the list",
                if n >= tutti_store::records::lookup::LIMIT as usize {
                    format!("More than {} records", n - 1)
                } else {
                    format!("{n} records")
                },
                text.trim()
            ),
        ),
    }
    Ok(None)
}

/// The number of the school a list's "school" filter names, for the list to show only its
/// rows: `None` when the filter is blank, and a number no school has when it names nothing or
/// too much (so the list shows nothing rather than everything), with the error beside the field.
pub async fn school_filter(store: &Store, errors: &mut FormErrors, text: &str) -> AppResult<Option<i64>> {
    if text.trim().is_empty() {
        return Ok(None);
    }
    let found = pick(store, errors, "school", LookupKind::School, text, "school", false).await?;
    Ok(Some(found.map_or(0, |f| f.id)))
}

/// The number, as text, of the school a form's "school_id" picker names, for a reader of
/// numbers: empty when the field is blank or names nothing or too much (with the error beside
/// the field).
pub async fn school_id_text(store: &Store, errors: &mut FormErrors, text: &str) -> AppResult<String> {
    let found = pick(store, errors, "school_id", LookupKind::School, text, "school", false).await?;
    Ok(found.map(|f| f.id.to_string()).unwrap_or_default())
}

/// A form's values with each picker's text replaced by the key of the record it names, for a
/// parser that reads keys; a picker naming nothing or too much gets its error and keeps its text.
pub async fn keyed(
    store: &Store,
    values: &HashMap<String, String>,
    pickers: &[(&'static str, LookupKind, &str)],
    errors: &mut FormErrors,
) -> AppResult<HashMap<String, String>> {
    let mut keyed = values.clone();
    for (field, kind, what) in pickers {
        let text = values.get(*field).map(String::as_str).unwrap_or_default();
        if let Some(found) = pick(store, errors, field, *kind, text, what, false).await? {
            keyed.insert((*field).to_owned(), found.key);
        }
    }
    Ok(keyed)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_suggestions_label_gives_back_its_key() {
        let f = Found {
            id: 7,
            name: "Oakfield Primary".into(),
            detail: "Leeds".into(),
            key: "100001".into(),
        };
        let l = label(LookupKind::School, &f);
        assert_eq!(l, "Oakfield Primary, Leeds (URN 100001)");
        assert_eq!(bracketed_key(&l), Some("100001"));
        assert_eq!(
            bracketed_key("Amelia Brown, St Mary's (Hull) (P100123)"),
            Some("P100123")
        );
        assert_eq!(bracketed_key("Oakfield"), None);
        assert_eq!(bracketed_key("Oakfield ()"), None);
    }
}
