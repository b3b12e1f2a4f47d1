//! Generate the exported web handler for a validated [`Plan`].

use proc_macro2::TokenStream;
use quote::{quote, quote_spanned};
use syn::spanned::Spanned;

use crate::validate::{Plan, Serve};

/// The path under which the user's crate depends on `momento-functions` (honours renames).
fn krate() -> TokenStream {
    use proc_macro_crate::{FoundCrate, crate_name};
    match crate_name("momento-functions") {
        Ok(FoundCrate::Name(name)) => {
            let ident = syn::Ident::new(&name, proc_macro2::Span::call_site());
            quote!(::#ident)
        }
        // `Itself` is only seen in the facade's own doc tests, which use the crate by name.
        Ok(FoundCrate::Itself) | Err(_) => quote!(::momento_functions),
    }
}

fn method_variant(krate: &TokenStream, method: &str) -> TokenStream {
    match method {
        "GET" => quote!(#krate::__private::Method::Get),
        "POST" => quote!(#krate::__private::Method::Post),
        "PUT" => quote!(#krate::__private::Method::Put),
        "DELETE" => quote!(#krate::__private::Method::Delete),
        _ => quote!(#krate::__private::Method::Patch),
    }
}

fn call(krate: &TokenStream, serve: &Serve) -> TokenStream {
    match serve {
        Serve::Body(handler) => {
            quote_spanned!(handler.span()=> #krate::__private::call(#handler, __momento_request))
        }
        Serve::Head(handler) => {
            quote_spanned!(handler.span()=> #krate::__private::call_get(#handler, __momento_request))
        }
        Serve::Json {
            handler,
            request,
            response,
        } => {
            let typed = quote_spanned!(handler.span()=>
                let __momento_handler: fn(#request) -> #krate::__private::FunctionResult<#response> = #handler;
            );
            quote! {{
                #typed
                #krate::__private::call_json(__momento_handler, __momento_request)
            }}
        }
    }
}

/// Expand a plan into the exported guest implementation.
pub(crate) fn expand(plan: &Plan) -> TokenStream {
    let krate = krate();
    let allow = plan
        .routes
        .iter()
        .map(|(method, _)| *method)
        .collect::<Vec<_>>()
        .join(", ");
    let arms = plan.routes.iter().map(|(method, serve)| {
        let variant = method_variant(&krate, method);
        let call = call(&krate, serve);
        quote!(#variant => #call,)
    });
    let duplicate = syn::Ident::new(DUPLICATE_HANDLER, proc_macro2::Span::call_site());
    quote! {
        #[allow(unsafe_code, reason = "the generated component export")]
        const _: () = {
            struct __MomentoFunction;

            impl #krate::__private::Guest for __MomentoFunction {
                fn invoke(
                    body: #krate::__private::WitData,
                ) -> #krate::__private::WitResponse {
                    #krate::__private::init();
                    let __momento_request = #krate::__private::request_from_wit(body);
                    let response = match __momento_request.method() {
                        #(#arms)*
                        other => #krate::__private::method_not_allowed(other, #allow),
                    };
                    #krate::__private::response_to_wit(response)
                }
            }

            // The component export exists only in the wasm build: a native build of the crate (its
            // `cargo test` of native code, `cargo clippy`) has no component to export from. There, naming the
            // entry point keeps the handler (and everything it calls) in use.
            #[cfg(target_arch = "wasm32")]
            #krate::__private::export_web_function!(
                __MomentoFunction with_types_in #krate::__private::wit
            );
            #[cfg(not(target_arch = "wasm32"))]
            const _: fn(#krate::__private::WitData) -> #krate::__private::WitResponse =
                <__MomentoFunction as #krate::__private::Guest>::invoke;

            // A crate exports one handler. A `macro_export` macro lives at the crate's root whatever
            // module defines it, so a second handler macro anywhere in the crate fails to compile with
            // "the name `…` is defined multiple times" naming the fix, in `cargo check` and native
            // builds too, instead of a duplicate symbol in the wasm build only.
            #[doc(hidden)]
            #[macro_export]
            macro_rules! #duplicate {
                () => {};
            }
        };
    }
}

/// The name every handler macro gives its marker, read as the message of the error two of them cause.
const DUPLICATE_HANDLER: &str =
    "momento_functions__one_handler_per_crate__use_route_to_serve_several_methods";
