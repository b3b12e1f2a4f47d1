fn read() -> &'static str {
    "read"
}

// Every mistake is reported at once, each on its own token.
momento_functions::route!(get: read, fetch: read, get: read, GET: read);

fn main() {}
