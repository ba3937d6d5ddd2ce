//! Case-insensitive text search over columns, safe against LIKE wildcards in user input.
use sea_orm::Condition;
use sea_orm::sea_query::{Alias, Expr, ExprTrait, Func, LikeExpr};

/// A condition matching rows where any of `columns` contains `term` (case-insensitive),
/// or `None` when the term is blank. Column names are ours, never user input.
pub(crate) fn text_search(columns: &[&'static str], term: &str) -> Option<Condition> {
    let term = term.trim().to_lowercase();
    if term.is_empty() {
        return None;
    }
    let pattern = format!("%{}%", escape_like(&term));
    let mut any = Condition::any();
    for column in columns {
        let lowered = Expr::expr(Func::lower(Expr::col(Alias::new(*column))));
        any = any.add(lowered.like(LikeExpr::new(pattern.clone()).escape('\\')));
    }
    Some(any)
}

/// Escapes LIKE wildcards so that a search for "50%" finds "50%".
pub(crate) fn escape_like(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        if matches!(c, '%' | '_' | '\\') {
            out.push('\\');
        }
        out.push(c);
    }
    out
}
