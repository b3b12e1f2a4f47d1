//! Handler macros of momento-functions. Use them through the `momento-functions` crate, which
//! re-exports them and documents them with examples.
//!
//! Each macro goes parse → validate → expand: parse keeps spans, validate reports every mistake at
//! once on the offending token, expand emits the component export.

#![deny(missing_docs)]

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

/// Export `handler` as the function's POST handler.
///
/// ```no_run
/// use momento_functions::FunctionResult;
///
/// momento_functions::post!(echo_handler);
/// fn echo_handler(payload: Vec<u8>) -> FunctionResult<Vec<u8>> {
///     Ok(payload)
/// }
/// ```
///
/// The handler is a plain (non-async) `fn` with up to 8 parameters: every parameter but the last reads the
/// request head (`RequestContext`, `Query<T>`, `Method`, `Headers`), the last may take the body (`Data`
/// as it is, or read: `Vec<u8>`, `String`, `Json<T>`; or the whole `WebRequest`). It returns anything that implements `IntoResponse`, usually
/// `FunctionResult<T>`. A request whose parameters cannot be extracted is answered 400 without calling the
/// handler; a method other than POST is answered 405 with `Allow: POST`.
///
/// # Typed JSON
///
/// `post!(handler, Request, Response)` takes `fn(Request) -> FunctionResult<Response>` with
/// `Request: Deserialize` and `Response: Serialize`:
///
/// ```no_run
/// use momento_functions::FunctionResult;
///
/// #[derive(serde::Deserialize)]
/// struct Request { name: String }
/// #[derive(serde::Serialize)]
/// struct Response { message: String }
///
/// momento_functions::post!(greet, Request, Response);
/// fn greet(request: Request) -> FunctionResult<Response> {
///     Ok(Response { message: format!("Hello, {}!", request.name) })
/// }
/// ```
///
/// # What it expands to
///
/// `post!(echo_handler)` becomes, in outline (the real paths go through `momento_functions::__private`):
///
/// ```text
/// const _: () = {
///     struct __MomentoFunction;
///     impl Guest for __MomentoFunction {        // the export momento:web-function/guest-function-web
///         fn invoke(body: WitData) -> WitResponse {
///             init();                                       // install the host logger
///             let request = request_from_wit(body);         // the body stays on the host
///             let response = match request.method() {       // web-function-support.http-method
///                 Method::Post => call(echo_handler, request), // extract parameters, call, into_response
///                 other => method_not_allowed(other, "POST"),  // 405 + Allow
///             };
///             response_to_wit(response)
///         }
///     }
///     export_web_function!(__MomentoFunction);
/// };
/// ```
///
/// The typed form calls `call_json(handler, request)` instead, which deserializes `Request` (400 with line,
/// column and field on failure) and serializes the `Response` (or the `FunctionError`).
#[proc_macro]
pub fn post(input: TokenStream) -> TokenStream {
    run(input, validate::post)
}

/// Export `handler` as the function's GET handler.
///
/// ```no_run
/// use momento_functions::{FunctionResult, Query, RequestContext};
///
/// #[derive(serde::Deserialize)]
/// struct Search { q: String, #[serde(default)] tag: Vec<String> }
///
/// momento_functions::get!(search);
/// fn search(Query(search): Query<Search>, context: RequestContext) -> FunctionResult<String> {
///     Ok(format!("{} searched {:?} with tags {:?}", context.invocation_id(), search.q, search.tag))
/// }
/// ```
///
/// GET handlers read only the request head: every parameter is one of `RequestContext`, `Query<T>`,
/// `Method`, `Headers` (a body extractor is a compile error). Other methods are answered 405 with `Allow: GET`.
///
/// # What it expands to
///
/// Like [`post!`], with `Method::Get => call_get(handler, request)` as the only arm: `call_get` extracts
/// every parameter from the request head, calls the handler and converts its result with `IntoResponse`.
#[proc_macro]
pub fn get(input: TokenStream) -> TokenStream {
    run(input, validate::get)
}

/// Export one handler per HTTP method: how one function serves GET and POST (and PUT, DELETE, PATCH).
///
/// ```no_run
/// use momento_functions::{FunctionResult, Json, Query};
///
/// #[derive(serde::Deserialize)]
/// struct Lookup { id: u32 }
/// #[derive(serde::Deserialize)]
/// struct NewItem { name: String }
/// #[derive(serde::Serialize)]
/// struct Item { id: u32, name: String }
///
/// momento_functions::route!(get: read_item, post: (create_item, NewItem, Item), delete: delete_item);
///
/// fn read_item(Query(lookup): Query<Lookup>) -> FunctionResult<Json<Item>> {
///     Ok(Json(Item { id: lookup.id, name: "widget".into() }))
/// }
/// fn create_item(new: NewItem) -> FunctionResult<Item> {
///     Ok(Item { id: 7, name: new.name })
/// }
/// fn delete_item() {}
/// ```
///
/// Each entry is `method: handler` (the handler rules of [`post!`]; a `get` handler reads only the request
/// head) or `method: (handler, Request, Response)` for typed JSON. Methods are written lower-case, each at
/// most once. Any other method is answered 405 with an `Allow` header listing the routed methods
/// (`Allow: GET, POST, DELETE` above).
///
/// # What it expands to
///
/// Like [`post!`], with one `match` arm per route and `method_not_allowed(other, "GET, POST, DELETE")` last.
#[proc_macro]
pub fn route(input: TokenStream) -> TokenStream {
    run(input, validate::route)
}
