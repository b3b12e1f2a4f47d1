//! Check parsed input and turn it into a [`Plan`]; every mistake is reported (errors are combined), each
//! spanned on the offending token.

use std::collections::HashSet;

use syn::{Path, Type};

use crate::parse::{HandlerInput, RouteInput};

/// How the request of one method is served.
pub(crate) enum Serve {
    /// A handler whose parameters may take the body.
    Body(Path),
    /// A handler whose parameters only read the request head (GET).
    Head(Path),
    /// A typed JSON handler `fn(Req) -> FunctionResult<Resp>`.
    Json {
        handler: Path,
        request: Box<Type>,
        response: Box<Type>,
    },
}

/// Validated expansion plan: which method goes to which handler.
pub(crate) struct Plan {
    pub(crate) routes: Vec<(&'static str, Serve)>,
}

/// Methods `route!` knows, lower-case as written, with their HTTP names.
const METHODS: [(&str, &str); 5] = [
    ("get", "GET"),
    ("post", "POST"),
    ("put", "PUT"),
    ("delete", "DELETE"),
    ("patch", "PATCH"),
];

fn combine(errors: &mut Option<syn::Error>, error: syn::Error) {
    match errors {
        Some(existing) => existing.combine(error),
        None => *errors = Some(error),
    }
}

fn finish(errors: Option<syn::Error>, plan: Plan) -> syn::Result<Plan> {
    match errors {
        Some(errors) => Err(errors),
        None => Ok(plan),
    }
}

/// Validate `post!(...)` input.
pub(crate) fn post(input: HandlerInput) -> syn::Result<Plan> {
    let mut errors = None;
    if let Some(token) = input.async_token {
        combine(
            &mut errors,
            syn::Error::new(
                token.span,
                "handlers are plain functions: remove `async` (host calls are synchronous)",
            ),
        );
    }
    let Some(handler) = input.handler else {
        return Err(syn::Error::new(
            input.span,
            "missing handler: write `post!(my_handler)` with `fn my_handler(body: Vec<u8>) -> FunctionResult<Vec<u8>>`, \
             or `post!(my_handler, Request, Response)` for typed JSON",
        ));
    };
    let mut types = input.types.into_iter();
    let serve = match (types.next(), types.next()) {
        (None, _) => Serve::Body(handler),
        (Some(request), Some(response)) => Serve::Json {
            handler,
            request: Box::new(request),
            response: Box::new(response),
        },
        (Some(request), None) => {
            combine(
                &mut errors,
                syn::Error::new_spanned(
                    request,
                    "typed JSON handlers name both types: `post!(handler, Request, Response)`",
                ),
            );
            Serve::Body(handler)
        }
    };
    for extra in types {
        combine(
            &mut errors,
            syn::Error::new_spanned(
                extra,
                "unexpected argument: `post!` takes `handler` or `handler, Request, Response`",
            ),
        );
    }
    finish(
        errors,
        Plan {
            routes: vec![("POST", serve)],
        },
    )
}

/// Validate `get!(...)` input.
pub(crate) fn get(input: HandlerInput) -> syn::Result<Plan> {
    let mut errors = None;
    if let Some(token) = input.async_token {
        combine(
            &mut errors,
            syn::Error::new(
                token.span,
                "handlers are plain functions: remove `async` (host calls are synchronous)",
            ),
        );
    }
    let Some(handler) = input.handler else {
        return Err(syn::Error::new(
            input.span,
            "missing handler: write `get!(my_handler)` with e.g. `fn my_handler(query: Query<Params>) -> FunctionResult<String>`",
        ));
    };
    for extra in input.types {
        combine(
            &mut errors,
            syn::Error::new_spanned(
                extra,
                "`get!` takes only the handler: GET requests have no body to type; read parameters with `Query<T>`",
            ),
        );
    }
    finish(
        errors,
        Plan {
            routes: vec![("GET", Serve::Head(handler))],
        },
    )
}

/// Validate `route!(...)` input.
pub(crate) fn route(input: RouteInput) -> syn::Result<Plan> {
    let mut errors = None;
    if input.routes.is_empty() {
        return Err(syn::Error::new(
            input.span,
            "missing routes: write e.g. `route!(get: read_item, post: create_item)`",
        ));
    }
    let mut seen = HashSet::new();
    let mut routes = Vec::new();
    for route in input.routes {
        let written = route.method.to_string();
        let Some((_, http)) = METHODS.iter().find(|(name, _)| *name == written) else {
            combine(
                &mut errors,
                syn::Error::new_spanned(
                    &route.method,
                    format!(
                        "unknown method `{written}`: use one of get, post, put, delete, patch (lower-case)"
                    ),
                ),
            );
            continue;
        };
        if !seen.insert(*http) {
            combine(
                &mut errors,
                syn::Error::new_spanned(
                    &route.method,
                    format!("`{written}` is routed twice: each method has one handler"),
                ),
            );
            continue;
        }
        let serve = match route.types {
            Some((request, _)) if *http == "GET" => {
                combine(
                    &mut errors,
                    syn::Error::new_spanned(
                        request,
                        "GET requests have no body to type: route GET to a handler that reads `Query<T>`",
                    ),
                );
                continue;
            }
            Some((request, response)) => Serve::Json {
                handler: route.handler,
                request: Box::new(request),
                response: Box::new(response),
            },
            None if *http == "GET" => Serve::Head(route.handler),
            None => Serve::Body(route.handler),
        };
        routes.push((*http, serve));
    }
    finish(errors, Plan { routes })
}
