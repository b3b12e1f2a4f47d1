//! Handler macros of momento-functions. Use them through the `momento-functions` crate, which
//! re-exports them and documents them with examples.
//!
//! Each macro goes parse → validate → expand: parse keeps spans, validate reports every mistake at
//! once on the offending token, expand emits the component export.

mod expand;
mod parse;
mod validate;

use proc_macro::TokenStream;

fn run<I: syn::parse::Parse>(
    input: TokenStream,
    validate: fn(I) -> syn::Result<validate::Plan>,
) -> TokenStream {
    syn::parse::<I>(input)
        .and_then(validate)
        .map(|plan| expand::expand(&plan))
        .unwrap_or_else(syn::Error::into_compile_error)
        .into()
}

/// Export `handler` as the function's POST handler. See `momento_functions::post!`.
#[proc_macro]
pub fn post(input: TokenStream) -> TokenStream {
    run(input, validate::post)
}

/// Export `handler` as the function's GET handler. See `momento_functions::get!`.
#[proc_macro]
pub fn get(input: TokenStream) -> TokenStream {
    run(input, validate::get)
}

/// Export one handler per HTTP method. See `momento_functions::route!`.
#[proc_macro]
pub fn route(input: TokenStream) -> TokenStream {
    run(input, validate::route)
}
