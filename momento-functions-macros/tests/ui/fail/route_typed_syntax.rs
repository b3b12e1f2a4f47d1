fn read(body: String) -> String {
    body
}

momento_functions::route!(post: (read, String));

fn main() {}
