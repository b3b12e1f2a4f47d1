// A body taken and returned as `Data`: on a host it goes back unread.
use momento_functions::{Data, RequestContext};

momento_functions::post!(pass_through);

fn pass_through(_context: RequestContext, body: Data) -> Data {
    body
}

fn main() {}
