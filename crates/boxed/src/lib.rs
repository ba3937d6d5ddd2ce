//! `#[boxed]`: turns the public `async fn`s of an impl block (or one free `async fn`) into plain
//! functions that return `Pin<Box<dyn Future + Send>>`.
//!
//! Why (docs/decisions/0101): the body of an `async fn` is a coroutine, and rustc compiles a
//! coroutine in every crate that polls it, never sharing it from the crate that defined it. Every
//! store query the web awaits was therefore compiled again in `tutti-web`, with all the ORM and
//! driver code under it, and again in the binary. A boxed future is polled through a vtable made
//! where the box is made, in the store, so the web and the binary only call it.
//!
//! The rewrite is the one a reader would write by hand:
//! `pub async fn f(&self, a: &str) -> T { body }` becomes
//! `pub fn f<'l0, 'l1, 'fut>(&'l0 self, a: &'l1 str) -> Pin<Box<dyn Future<Output = T> + Send + 'fut>>
//! where 'l0: 'fut, 'l1: 'fut { Box::pin(async move { let a = a; let ret: T = body; ret }) }`.
//! Every argument moves into the future, as it does into an `async fn`'s, so drop order is kept.

use proc_macro::TokenStream;
use proc_macro2::Span;
use quote::{format_ident, quote};
use syn::visit_mut::VisitMut;
use syn::{
    FnArg, GenericParam, ImplItem, Item, Lifetime, Pat, ReturnType, Signature, Type, Visibility, parse_macro_input,
    parse_quote,
};

/// On an impl block: boxes each `pub async fn` in it (methods that are not `pub` stay as they are:
/// only other crates pay for compiling them twice). On a free `async fn`: boxes that function.
/// Generic functions are left as they are (see `is_generic`).
#[proc_macro_attribute]
pub fn boxed(attr: TokenStream, item: TokenStream) -> TokenStream {
    if !attr.is_empty() {
        return syn::Error::new(Span::call_site(), "#[boxed] takes no arguments")
            .to_compile_error()
            .into();
    }
    let mut item = parse_macro_input!(item as Item);
    let result = match &mut item {
        Item::Impl(block) => {
            for member in &mut block.items {
                if let ImplItem::Fn(f) = member
                    && f.sig.asyncness.is_some()
                    && matches!(f.vis, Visibility::Public(_))
                    && !is_generic(&f.sig)
                {
                    rewrite(&mut f.sig, &mut f.block);
                }
            }
            Ok(())
        }
        Item::Fn(f) if f.sig.asyncness.is_some() => {
            if !is_generic(&f.sig) {
                rewrite(&mut f.sig, &mut f.block);
            }
            Ok(())
        }
        other => Err(syn::Error::new_spanned(
            other,
            "#[boxed] goes on an impl block or an async fn",
        )),
    };
    match result {
        Ok(()) => quote!(#item).into(),
        Err(e) => e.to_compile_error().into(),
    }
}

/// A generic function (by type, `impl Trait` or const) is compiled by each caller for its own
/// parameters whatever it returns, so boxing it would cost an allocation and save nothing; its
/// future also need not be `Send`.
fn is_generic(sig: &Signature) -> bool {
    struct FindsImplTrait(bool);
    impl VisitMut for FindsImplTrait {
        fn visit_type_impl_trait_mut(&mut self, _: &mut syn::TypeImplTrait) {
            self.0 = true;
        }
    }
    let mut finder = FindsImplTrait(false);
    // A copy, because the build has syn's mutable visitor only (for other derives) and not its
    // read-only one; a second syn build would cost more than this clone of one signature.
    for input in sig.inputs.clone().iter_mut() {
        if let FnArg::Typed(typed) = input {
            finder.visit_type_mut(&mut typed.ty);
        }
    }
    finder.0
        || sig
            .generics
            .params
            .iter()
            .any(|p| matches!(p, GenericParam::Type(_) | GenericParam::Const(_)))
}

/// Rewrites the signature and the body in place.
fn rewrite(sig: &mut Signature, block: &mut syn::Block) {
    // The future's own lifetime: every borrowed argument must outlive it.
    let fut = Lifetime::new("'__fut", Span::call_site());
    sig.asyncness = None;

    // Name every elided lifetime in the arguments, so that each can be said to outlive the future.
    let mut names = Namer { made: Vec::new() };
    let mut moves = Vec::new();
    for (index, input) in sig.inputs.iter_mut().enumerate() {
        match input {
            FnArg::Receiver(receiver) => {
                // `&self` is named like any other reference; syn prints the receiver from
                // `reference`, so the name is copied there.
                names.visit_type_mut(&mut receiver.ty);
                if let (Some((_, lifetime)), Type::Reference(r)) = (&mut receiver.reference, &*receiver.ty) {
                    *lifetime = r.lifetime.clone();
                }
            }
            FnArg::Typed(typed) => {
                names.visit_type_mut(&mut typed.ty);
                // Move the argument into the future under its own pattern; the signature keeps a
                // plain name (a `mut` belongs to the binding inside).
                let pattern = (*typed.pat).clone();
                let outer = match &*typed.pat {
                    Pat::Ident(p) if p.by_ref.is_none() && p.subpat.is_none() => p.ident.clone(),
                    _ => format_ident!("__arg{}", index),
                };
                *typed.pat = parse_quote!(#outer);
                moves.push(quote!(let #pattern = #outer;));
            }
        }
    }
    for made in &names.made {
        sig.generics.params.push(parse_quote!(#made));
    }
    // Each lifetime outlives the future (generic functions are not rewritten: see is_generic).
    let bounds: Vec<Lifetime> = sig
        .generics
        .params
        .iter()
        .filter_map(|param| match param {
            GenericParam::Lifetime(l) => Some(l.lifetime.clone()),
            _ => None,
        })
        .collect();
    sig.generics.params.push(parse_quote!(#fut));
    let where_clause = sig.generics.make_where_clause();
    for lifetime in bounds {
        where_clause.predicates.push(parse_quote!(#lifetime: #fut));
    }

    let output = match &sig.output {
        ReturnType::Default => quote!(()),
        ReturnType::Type(_, ty) => quote!(#ty),
    };
    sig.output = parse_quote!(
        -> ::core::pin::Pin<::std::boxed::Box<
            dyn ::core::future::Future<Output = #output> + ::core::marker::Send + #fut
        >>
    );
    let statements = std::mem::take(&mut block.stmts);
    *block = parse_quote!({
        ::std::boxed::Box::pin(async move {
            #(#moves)*
            let __ret: #output = { #(#statements)* };
            __ret
        })
    });
}

/// Names the elided lifetimes of an argument's type (`&T`, `'_`).
struct Namer {
    made: Vec<Lifetime>,
}

impl Namer {
    fn fresh(&mut self) -> Lifetime {
        let lifetime = Lifetime::new(&format!("'__life{}", self.made.len()), Span::call_site());
        self.made.push(lifetime.clone());
        lifetime
    }
}

impl VisitMut for Namer {
    fn visit_type_reference_mut(&mut self, reference: &mut syn::TypeReference) {
        match &reference.lifetime {
            Some(l) if l.ident != "_" => {}
            _ => reference.lifetime = Some(self.fresh()),
        }
        syn::visit_mut::visit_type_reference_mut(self, reference);
    }

    fn visit_lifetime_mut(&mut self, lifetime: &mut Lifetime) {
        if lifetime.ident == "_" {
            *lifetime = self.fresh();
        }
    }
}
