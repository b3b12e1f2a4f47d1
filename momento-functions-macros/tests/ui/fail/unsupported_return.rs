momento_functions::post!(handler);

fn handler(body: Vec<u8>) -> usize {
    body.len()
}

fn main() {}
