//! Parse the macro input into [`HandlerInput`] / [`RouteInput`], keeping spans for error messages.

use proc_macro2::Span;
use syn::parse::{Parse, ParseStream};
use syn::punctuated::Punctuated;
use syn::{Ident, Path, Token, Type};

/// `handler` or `handler, Request, Response` (the types are checked by `validate`).
pub(crate) struct HandlerInput {
    /// Span of the whole input (for "missing handler").
    pub(crate) span: Span,
    pub(crate) handler: Option<Path>,
    /// Everything after the handler, as types.
    pub(crate) types: Vec<Type>,
    /// An `async` keyword written before the handler (`post!(async handler)`).
    pub(crate) async_token: Option<Token![async]>,
}

impl Parse for HandlerInput {
    fn parse(input: ParseStream<'_>) -> syn::Result<Self> {
        let span = input.span();
        if input.is_empty() {
            return Ok(HandlerInput {
                span,
                handler: None,
                types: Vec::new(),
                async_token: None,
            });
        }
        let async_token: Option<Token![async]> = input.parse()?;
        let handler: Path = input.parse().map_err(|e| {
            syn::Error::new(
                e.span(),
                "expected the name of a handler function, e.g. `post!(my_handler)`",
            )
        })?;
        let mut types = Vec::new();
        while !input.is_empty() {
            input.parse::<Token![,]>()?;
            if input.is_empty() {
                break;
            }
            types.push(input.parse::<Type>()?);
        }
        Ok(HandlerInput {
            span,
            handler: Some(handler),
            types,
            async_token,
        })
    }
}

/// `method: handler` pairs for `route!`.
pub(crate) struct RouteInput {
    pub(crate) span: Span,
    pub(crate) routes: Vec<Route>,
}

pub(crate) struct Route {
    pub(crate) method: Ident,
    pub(crate) handler: Path,
    /// `method: (handler, Request, Response)`: a typed JSON handler.
    pub(crate) types: Option<(Type, Type)>,
}

impl Parse for Route {
    fn parse(input: ParseStream<'_>) -> syn::Result<Self> {
        let method: Ident = input.parse().map_err(|e| {
            syn::Error::new(
                e.span(),
                "expected `method: handler`, e.g. `route!(get: read_item, post: create_item)`",
            )
        })?;
        input.parse::<Token![:]>().map_err(|e| {
            syn::Error::new(
                e.span(),
                format!("expected `:` after `{method}`, e.g. `{method}: my_handler`"),
            )
        })?;
        if input.peek(syn::token::Paren) {
            let content;
            syn::parenthesized!(content in input);
            let handler: Path = content.parse()?;
            let typed = (|| -> syn::Result<(Type, Type)> {
                content.parse::<Token![,]>()?;
                let request: Type = content.parse()?;
                content.parse::<Token![,]>()?;
                let response: Type = content.parse()?;
                let _ = content.parse::<Option<Token![,]>>()?;
                if !content.is_empty() {
                    return Err(content.error("unexpected tokens after the response type"));
                }
                Ok((request, response))
            })()
            .map_err(|e| {
                syn::Error::new(
                    e.span(),
                    format!(
                        "a typed JSON route is written `{method}: (handler, Request, Response)`"
                    ),
                )
            })?;
            return Ok(Route {
                method,
                handler,
                types: Some(typed),
            });
        }
        let handler: Path = input.parse().map_err(|e| {
            syn::Error::new(
                e.span(),
                format!("expected the name of the handler function for {method}"),
            )
        })?;
        Ok(Route {
            method,
            handler,
            types: None,
        })
    }
}

impl Parse for RouteInput {
    fn parse(input: ParseStream<'_>) -> syn::Result<Self> {
        let span = input.span();
        let routes = Punctuated::<Route, Token![,]>::parse_terminated(input)?;
        Ok(RouteInput {
            span,
            routes: routes.into_iter().collect(),
        })
    }
}
