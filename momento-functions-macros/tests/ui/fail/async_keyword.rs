momento_functions::post!(async handler);

fn handler(body: Vec<u8>) -> Vec<u8> {
    body
}

fn main() {}
