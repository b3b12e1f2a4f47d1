momento_functions::get!(hello);

fn hello() -> &'static str {
    "hello"
}

fn main() {}
