//! The smallest web function Momento's published SDK builds: it never reads its request.
use momento_functions_bytes::Data;
use momento_functions_guest_web::invoke;

invoke!(pong);
fn pong(_request: Data) -> &'static str {
    "pong"
}
