momento_functions::post!();

fn main() {}
